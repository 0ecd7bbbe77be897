//! The four transaction flows of RFC 3261 §17 as batches Alice runs against
//! Bob, and what "completed" means for each, checked on both sides.

use std::fmt;
use std::time::{Duration, Instant};

use sip::Method;
use sip_core::stack::ClientTxId;
use sip_core::transaction::Termination;
use sip_core::transport::Target;
use testkit::{LinkConfig, World};

use super::{CancelWhen, Plan, RequestSpec, StackAgent, two_agents};

/// Alice's index in [`two_agents`] worlds.
pub const ALICE_INDEX: usize = 0;
/// Bob's index in [`two_agents`] worlds.
pub const BOB_INDEX: usize = 1;

/// One kind of transaction, end to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// OPTIONS and MESSAGE (alternating), answered 200.
    NonInvite,
    /// INVITE answered 486, ACKed inside the transactions.
    InviteRejected,
    /// INVITE answered 200, ACKed by Alice's TU outside the transaction,
    /// the 2xx retransmitted by Bob's TU until the ACK comes.
    InviteAccepted,
    /// INVITE answered 180; Alice cancels on the 180; Bob answers 487.
    InviteCancelled,
}

impl Flow {
    /// Every flow.
    pub const ALL: [Self; 4] = [
        Self::NonInvite,
        Self::InviteRejected,
        Self::InviteAccepted,
        Self::InviteCancelled,
    ];

    /// The `i`-th request of a batch of this flow.
    pub fn spec(self, i: usize, target: Target) -> RequestSpec {
        match self {
            Self::NonInvite => {
                let method = if i % 2 == 0 {
                    Method::Options
                } else {
                    Method::Message
                };
                RequestSpec::new(method, target).plan(Plan::answer(200))
            }
            Self::InviteRejected => {
                RequestSpec::new(Method::Invite, target).plan(Plan::answer(486))
            }
            Self::InviteAccepted => {
                RequestSpec::new(Method::Invite, target).plan(Plan::answer(200))
            }
            // Bob would answer 200 after a minute; the CANCEL comes first.
            Self::InviteCancelled => RequestSpec::new(Method::Invite, target)
                .plan(Plan::ring_then(Duration::from_secs(60), 200))
                .cancel(CancelWhen::Provisional(180)),
        }
    }

    /// How long the client transaction outlives its final response (Timer K,
    /// D or M), and the server transaction its own (Timer J or L; `None` when
    /// it hangs on the ACK's arrival, Timer I, which the TU does not see), with
    /// the default timers (RFC 3261 §17, RFC 6026).
    pub fn lingering(self, reliable: bool) -> (Duration, Option<Duration>) {
        let timers = sip_core::transaction::TimerConfig::default();
        let unless_reliable = |d: Duration| if reliable { Duration::ZERO } else { d };
        match self {
            // Timer K (T4) and Timer J (64·T1); zero over a reliable transport.
            Self::NonInvite => (
                unless_reliable(timers.t4),
                Some(unless_reliable(timers.timeout())),
            ),
            // Timer D (32 s), zero over a reliable transport; Timer I after the ACK.
            Self::InviteRejected | Self::InviteCancelled => (unless_reliable(timers.timer_d), None),
            // Timers M and L: 64·T1 whatever the transport.
            Self::InviteAccepted => (timers.timeout(), Some(timers.timeout())),
        }
    }

    /// Whether client transaction `id` of Alice completed as this flow should,
    /// on both sides; the figures if so, what went wrong if not.
    pub fn check(
        self,
        alice: &StackAgent,
        bob: &StackAgent,
        id: ClientTxId,
    ) -> Result<Figures, String> {
        let client = alice.client(id);
        let call_id = client
            .request
            .call_id()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default();
        let fail = |what: &str| {
            Err(format!(
                "{self:?} {id:?} ({call_id}): {what}\n  client: codes {:?}, ended {:?}, acks {}\n  \
                 client events: {:?}\n  server: {:?}",
                client.codes(),
                client.ended.map(|(at, how)| (alice.offset(at), how)),
                client.acks_sent,
                alice
                    .client_events(id)
                    .iter()
                    .map(|(at, e)| format!("{at:?} {}", short(e)))
                    .collect::<Vec<_>>(),
                bob.server_by_call_id(&call_id).map(|(_, s)| (
                    s.sent
                        .iter()
                        .map(|&(at, c)| (bob.offset(at), c))
                        .collect::<Vec<_>>(),
                    s.ended.map(|(at, how)| (bob.offset(at), how)),
                    s.acked_at.map(|at| bob.offset(at)),
                )),
            ))
        };
        let expected = match self {
            Self::NonInvite | Self::InviteAccepted => 200,
            Self::InviteRejected => 486,
            Self::InviteCancelled => 487,
        };
        let Some((final_at, code)) = client.final_response() else {
            return fail("no final response");
        };
        if code != expected {
            return fail("wrong final response");
        }
        if !client.completed() {
            return fail("client transaction did not complete");
        }
        let Some((_, server)) = bob.server_by_call_id(&call_id) else {
            return fail("Bob never saw the request");
        };
        if !matches!(server.ended, Some((_, Termination::Completed))) {
            return fail("server transaction did not complete (Timer H: no ACK?)");
        }
        match self {
            Self::NonInvite | Self::InviteRejected => {}
            Self::InviteAccepted => {
                if client.acks_sent == 0 || server.acked_at.is_none() || server.ack_timed_out {
                    return fail("the 2xx was not ACKed end to end");
                }
            }
            Self::InviteCancelled => {
                if !client.codes().contains(&180) {
                    return fail("no 180 before the CANCEL");
                }
                let Some(cancel) = client.cancel_tx.map(|c| alice.client(c)) else {
                    return fail("no CANCEL sent");
                };
                if cancel.final_response().map(|(_, c)| c) != Some(200) || !cancel.completed() {
                    return fail("the CANCEL did not complete with 200");
                }
                if !server.cancelled {
                    return fail("Bob's TU never heard of the CANCEL");
                }
            }
        }
        let (ended_at, _) = client.ended.unwrap_or((final_at, Termination::Completed));
        let reliable = client.target.kind.is_reliable();
        let (client_wait, server_wait) = self.lingering(reliable);
        if ended_at - final_at != client_wait {
            return fail(&format!(
                "the client transaction lingered {:?} after its final response, not {client_wait:?}",
                ended_at - final_at
            ));
        }
        if let (Some(wait), Some((server_end, _)), Some(&(answered, _))) = (
            server_wait,
            server.ended,
            server.sent.iter().find(|&&(_, c)| c >= 200),
        ) {
            if server_end - answered != wait {
                return fail(&format!(
                    "the server transaction lingered {:?} after its final response, not {wait:?}",
                    server_end - answered
                ));
            }
        }
        Ok(Figures {
            final_after: final_at - client.sent_at,
            ended_after: ended_at - client.sent_at,
        })
    }
}

/// How long one transaction took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// From the request to the final response reaching Alice's TU.
    pub final_after: Duration,
    /// From the request to the end of Alice's client transaction.
    pub ended_after: Duration,
}

/// A batch of one flow, run to its end.
#[derive(Debug)]
pub struct BatchReport {
    /// The flow.
    pub flow: Flow,
    /// The network seed.
    pub seed: u64,
    /// Transactions.
    pub count: usize,
    /// Virtual time until every transaction on both sides had ended.
    pub elapsed: Duration,
    /// The slowest final response.
    pub slowest_final: Duration,
    /// The mean time to the final response.
    pub mean_final: Duration,
    /// Datagrams sent, and lost, over both directions.
    pub datagrams: (u64, u64),
}

impl fmt::Display for BatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} seed {}: {} transactions done in {:.3} s of virtual time; final response \
             after {:.3} s on average, {:.3} s at worst; {} datagrams sent, {} lost",
            self.flow,
            self.seed,
            self.count,
            self.elapsed.as_secs_f64(),
            self.mean_final.as_secs_f64(),
            self.slowest_final.as_secs_f64(),
            self.datagrams.0,
            self.datagrams.1,
        )
    }
}

/// Runs `count` transactions of `flow` from Alice to Bob over `link` (both
/// directions), one every `spacing`, until every transaction on both sides
/// has ended (at most `limit` of virtual time); then checks each.
pub fn run_batch(
    seed: u64,
    link: LinkConfig,
    flow: Flow,
    target: Target,
    count: usize,
    spacing: Duration,
) -> (World<StackAgent>, Result<BatchReport, String>) {
    let mut world = two_agents(seed, link);
    let start = world.now();
    for i in 0..count {
        let at: Instant = start + spacing * i as u32;
        world
            .agent_mut(ALICE_INDEX)
            .schedule(at, flow.spec(i, target));
    }
    let all_ended = |w: &World<StackAgent>| {
        let alice = w.agent(ALICE_INDEX);
        let bob = w.agent(BOB_INDEX);
        let requests = alice.clients.values().filter(|c| c.method != "CANCEL");
        requests.count() == count
            && alice.stack.transaction_count() == (0, 0)
            && bob.stack.transaction_count() == (0, 0)
    };
    let limit = spacing * count as u32 + Duration::from_secs(600);
    let done = world.run_until(all_ended, limit);
    let result = if done {
        report(&world, seed, flow, count)
    } else {
        Err(format!(
            "{flow:?} seed {seed}: not every transaction ended within {limit:?}"
        ))
    };
    (world, result)
}

fn report(
    world: &World<StackAgent>,
    seed: u64,
    flow: Flow,
    count: usize,
) -> Result<BatchReport, String> {
    let alice = world.agent(ALICE_INDEX);
    let bob = world.agent(BOB_INDEX);
    let mut problems = Vec::new();
    problems.extend(alice.contract_breaches());
    problems.extend(bob.contract_breaches());
    let mut figures = Vec::new();
    for (&id, call) in &alice.clients {
        if call.method == "CANCEL" {
            continue;
        }
        match flow.check(alice, bob, id) {
            Ok(f) => figures.push(f),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let total: Duration = figures.iter().map(|f| f.final_after).sum();
    let stats = world.network().total_stats();
    Ok(BatchReport {
        flow,
        seed,
        count,
        elapsed: world.elapsed(),
        slowest_final: figures
            .iter()
            .map(|f| f.final_after)
            .max()
            .unwrap_or_default(),
        mean_final: total / count.max(1) as u32,
        datagrams: (stats.sent, stats.lost),
    })
}

/// An event in a few words.
pub fn short(event: &sip_core::stack::Event) -> String {
    use sip_core::stack::Event;
    match event {
        Event::Request { request, .. } => {
            let method = request.method().map(|m| m.as_str().to_owned());
            format!("request {}", method.unwrap_or_default())
        }
        Event::Cancelled { .. } => "cancelled".into(),
        Event::Response { response, .. } => {
            format!("response {}", response.status().map_or(0, |s| s.code()))
        }
        Event::ClientTransactionEnded { termination, .. }
        | Event::ServerTransactionEnded { termination, .. } => format!("ended {termination:?}"),
        Event::StrayResponse { response, .. } => {
            format!("stray {}", response.status().map_or(0, |s| s.code()))
        }
        other => format!("{other:?}"),
    }
}
