//! DNS for RFC 3263, asked of hickory-resolver on a thread of its own: the
//! stack's questions go in through a channel, answers come back through a
//! queue, and the poller is woken to hand them to the stack.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::thread;

use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::{RData, RecordType};
use mio::Waker;
use sip_core::locate::{Answer, NaptrRecord, Query, ResolveError, SrvRecord};
use sip_core::stack::ResolveId;
use tokio::sync::mpsc;

/// Answers waiting for the poller.
pub(super) type Answers = Arc<Mutex<Vec<(ResolveId, Result<Answer, ResolveError>)>>>;

/// The resolver thread's front door.
#[derive(Debug)]
pub(super) struct Dns {
    questions: mpsc::UnboundedSender<(ResolveId, Query)>,
    pub(super) answers: Answers,
}

impl Dns {
    /// Starts the resolver thread with the system's configuration
    /// (`/etc/resolv.conf`, `/etc/hosts`). Without one, every question fails
    /// as a server failure and only numeric hosts can be reached.
    pub(super) fn start(waker: Arc<Waker>) -> std::io::Result<Self> {
        let (questions, mut inbox) = mpsc::unbounded_channel::<(ResolveId, Query)>();
        let answers: Answers = Arc::default();
        let out = answers.clone();
        thread::Builder::new()
            .name("ferrosip-dns".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    let resolver = TokioResolver::builder_tokio().and_then(|b| b.build()).ok();
                    let resolver = resolver.map(Arc::new);
                    while let Some((id, query)) = inbox.recv().await {
                        let resolver = resolver.clone();
                        let out = out.clone();
                        let waker = waker.clone();
                        tokio::spawn(async move {
                            let answer = match resolver {
                                Some(r) => ask(&r, &query).await,
                                None => Err(ResolveError::ServerFailure),
                            };
                            out.lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((id, answer));
                            let _ = waker.wake();
                        });
                    }
                });
            })?;
        Ok(Self { questions, answers })
    }

    /// Queues a question.
    pub(super) fn ask(&self, id: ResolveId, query: Query) {
        if self.questions.send((id, query)).is_err() {
            // The thread is gone: answer at once so the request fails cleanly.
            self.answers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((id, Err(ResolveError::ServerFailure)));
        }
    }
}

/// Asks one question of the resolver.
async fn ask(resolver: &TokioResolver, query: &Query) -> Result<Answer, ResolveError> {
    match query {
        Query::Address(name) => {
            let found = resolver.lookup_ip(name.as_str()).await.map_err(classify)?;
            let ips: Vec<IpAddr> = found.iter().collect();
            Ok(Answer::Addresses(ips))
        }
        Query::Naptr(name) => {
            let records = records(resolver, name, RecordType::NAPTR, |data| match data {
                RData::NAPTR(n) => Some(NaptrRecord {
                    order: n.order,
                    preference: n.preference,
                    flags: String::from_utf8_lossy(&n.flags).into_owned(),
                    services: String::from_utf8_lossy(&n.services).into_owned(),
                    regexp: String::from_utf8_lossy(&n.regexp).into_owned(),
                    replacement: n.replacement.to_string(),
                }),
                _ => None,
            })
            .await?;
            Ok(Answer::Naptr(records))
        }
        Query::Srv(name) => {
            let records = records(resolver, name, RecordType::SRV, |data| match data {
                RData::SRV(s) => Some(SrvRecord {
                    priority: s.priority,
                    weight: s.weight,
                    port: s.port,
                    target: s.target.to_string(),
                }),
                _ => None,
            })
            .await?;
            Ok(Answer::Srv(records))
        }
    }
}

/// The records of one type for a name, converted by `convert`.
async fn records<T>(
    resolver: &TokioResolver,
    name: &str,
    kind: RecordType,
    convert: impl Fn(&RData) -> Option<T>,
) -> Result<Vec<T>, ResolveError> {
    let found = resolver.lookup(name, kind).await.map_err(classify)?;
    Ok(found
        .answers()
        .iter()
        .filter_map(|r| convert(&r.data))
        .collect())
}

fn classify(error: hickory_resolver::net::NetError) -> ResolveError {
    if error.is_nx_domain() {
        ResolveError::NoSuchName
    } else if error.is_no_records_found() {
        ResolveError::NoRecords
    } else if matches!(error, hickory_resolver::net::NetError::Timeout) {
        ResolveError::Timeout
    } else {
        ResolveError::ServerFailure
    }
}
