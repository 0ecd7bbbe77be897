//! The scripted transaction user's vocabulary: answer plans, what it knows of
//! each transaction, and the messages it builds (requests, responses, the ACK
//! of a 2xx).

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::header::HeaderName;
use sip::uri::Uri;
use sip::{Address, Message, Method, StatusCode};
use sip_core::stack::ClientTxId;
use sip_core::transaction::Termination;
use sip_core::transport::Target;

/// The header a request carries to tell the answering agent's TU how to
/// answer it: a [`Plan`] in its text form. A test convention, not SIP.
pub const PLAN_HEADER: &str = "X-Plan";

/// How the TU answers one request: each step is a status code sent a delay
/// after the request reached the TU. An empty plan never answers. Steps are
/// sent in order; what the transaction does with a step that makes no sense
/// (a provisional after a final, a second final) is up to the stack.
///
/// Text form (for [`PLAN_HEADER`]): `180@0,200@2000` (code `@` milliseconds),
/// or `none` for the empty plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan(pub Vec<(Duration, u16)>);

impl Plan {
    /// One response, at once.
    pub fn answer(code: u16) -> Self {
        Self(vec![(Duration::ZERO, code)])
    }

    /// One response, after `delay`.
    pub fn answer_after(delay: Duration, code: u16) -> Self {
        Self(vec![(delay, code)])
    }

    /// 180 at once, then `code` after `delay`.
    pub fn ring_then(delay: Duration, code: u16) -> Self {
        Self(vec![(Duration::ZERO, 180), (delay, code)])
    }

    /// Never answers.
    pub fn never() -> Self {
        Self(Vec::new())
    }

    /// Reads the text form; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text == "none" {
            return Some(Self::never());
        }
        text.split(',')
            .map(|step| {
                let (code, ms) = step.trim().split_once('@')?;
                Some((Duration::from_millis(ms.parse().ok()?), code.parse().ok()?))
            })
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }

    /// Whether some step is a final response (200–699).
    pub fn has_final(&self) -> bool {
        self.0.iter().any(|&(_, code)| code >= 200)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, (delay, code)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{code}@{}", delay.as_millis())?;
        }
        Ok(())
    }
}

/// When the UAC cancels an INVITE it sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelWhen {
    /// On the first provisional response with at least this code (100: any).
    Provisional(u16),
    /// This long after sending the INVITE, whatever came back.
    After(Duration),
}

/// A request for the UAC to send.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// The method.
    pub method: Method<'static>,
    /// Where to.
    pub target: Target,
    /// How the peer should answer (sent in [`PLAN_HEADER`]); `None` leaves
    /// it to the peer's default plan.
    pub plan: Option<Plan>,
    /// Whether and when to cancel it (INVITE only).
    pub cancel: Option<CancelWhen>,
}

impl RequestSpec {
    /// A request answered by the peer's default plan, never cancelled.
    pub fn new(method: Method<'static>, target: Target) -> Self {
        Self {
            method,
            target,
            plan: None,
            cancel: None,
        }
    }

    /// The same, with a plan for the peer.
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = Some(plan);
        self
    }

    /// The same, cancelled when `when` says.
    pub fn cancel(mut self, when: CancelWhen) -> Self {
        self.cancel = Some(when);
        self
    }
}

/// What the UAC knows of one of its client transactions (a CANCEL the TU
/// sent is one too).
#[derive(Debug, Clone)]
pub struct ClientCall {
    /// The method.
    pub method: String,
    /// The request as the TU gave it (without the stack's Via).
    pub request: Message,
    /// Where it went.
    pub target: Target,
    /// When it was sent.
    pub sent_at: Instant,
    /// Every response the stack passed up, with when.
    pub responses: Vec<(Instant, u16)>,
    /// When and how it ended (the first `ClientTransactionEnded`).
    pub ended: Option<(Instant, Termination)>,
    /// How many `ClientTransactionEnded` events named it (must end at 1).
    pub end_events: u32,
    /// ACKs the TU sent for 2xx responses (each 2xx, retransmissions too).
    pub acks_sent: u32,
    /// When to cancel it, if ever.
    pub cancel: Option<CancelWhen>,
    /// The CANCEL's own client transaction, once sent.
    pub cancel_tx: Option<ClientTxId>,
    /// The plan the peer was asked to follow.
    pub plan: Option<Plan>,
    /// The branch of the top Via the stack gave it.
    pub branch: Option<String>,
}

impl ClientCall {
    /// An INVITE that got a provisional response, no final one, and was not
    /// cancelled: RFC 3261 §17.1.1.2 lets it stay in Proceeding for as long
    /// as the peer rings (Timer B guards Calling only), so it may never end.
    pub fn may_ring_forever(&self) -> bool {
        self.method == "INVITE"
            && self.cancel_tx.is_none()
            && self.responses.iter().any(|(_, code)| *code < 200)
            && self.responses.iter().all(|(_, code)| *code < 200)
    }
}

impl ClientCall {
    /// The status codes received, in order.
    pub fn codes(&self) -> Vec<u16> {
        self.responses.iter().map(|&(_, c)| c).collect()
    }

    /// The first final response's code and time.
    pub fn final_response(&self) -> Option<(Instant, u16)> {
        self.responses.iter().copied().find(|&(_, c)| c >= 200)
    }

    /// Whether it ended normally after a final response.
    pub fn completed(&self) -> bool {
        matches!(self.ended, Some((_, Termination::Completed))) && self.final_response().is_some()
    }
}

/// What the UAS knows of one of its server transactions.
#[derive(Debug, Clone)]
pub struct ServerCall {
    /// The method.
    pub method: String,
    /// The request (`None` for transactions the stack answered by itself,
    /// which the TU only hears end).
    pub request: Option<Message>,
    /// When the request reached the TU.
    pub arrived: Instant,
    /// The To tag of every response but 100.
    pub tag: String,
    /// Steps of the plan not sent yet, at their instants.
    pub pending: VecDeque<(Instant, u16)>,
    /// Every response the TU gave the stack (retransmissions of a 2xx
    /// included), with when.
    pub sent: Vec<(Instant, u16)>,
    /// A CANCEL matched it.
    pub cancelled: bool,
    /// When the ACK of its 2xx reached the TU (INVITE only).
    pub acked_at: Option<Instant>,
    /// The 2xx being retransmitted until the ACK (RFC 3261 §13.3.1.4).
    pub resend: Option<Resend>,
    /// The TU gave up retransmitting its 2xx: no ACK within 64·T1.
    pub ack_timed_out: bool,
    /// When and how it ended.
    pub ended: Option<(Instant, Termination)>,
    /// How many `ServerTransactionEnded` events named it (must end at 1).
    pub end_events: u32,
}

impl ServerCall {
    /// The first final response the TU gave.
    pub fn final_sent(&self) -> Option<u16> {
        self.sent.iter().map(|&(_, c)| c).find(|&c| c >= 200)
    }
}

/// The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): T1, doubling up
/// to T2, until the ACK comes or 64·T1 have passed.
#[derive(Debug, Clone)]
pub struct Resend {
    /// The 2xx.
    pub response: Message,
    /// The current interval.
    pub interval: Duration,
    /// When next.
    pub next: Instant,
    /// When to give up.
    pub until: Instant,
}

/// Builds the requests, responses and ACKs of one agent.
pub fn request(
    method: Method<'static>,
    name: &str,
    own: SocketAddr,
    target: Target,
    number: u64,
    plan: Option<&Plan>,
) -> Message {
    let uri_text = format!("sip:peer@{}", target.addr);
    let uri = Uri::parse(&uri_text).expect("a valid URI");
    let from_text = format!("<sip:{name}@{own}>;tag={name}-{number}");
    let from = Address::parse(&from_text).expect("a valid From");
    let contact_text = format!("<sip:{name}@{own}>");
    let contact = Address::parse(&contact_text).expect("a valid Contact");
    let call_id = format!("{name}-{number}@{}", own.ip());
    let mut builder = Message::request(method, &uri)
        .from(&from)
        .to(&Address::new(uri.clone()))
        .call_id(&call_id)
        .cseq(1)
        .contact(&contact);
    if let Some(plan) = plan {
        builder = builder.raw_header(PLAN_HEADER, &plan.to_string());
    }
    builder.build().expect("a complete request")
}

/// The response of `code` to `request`, with `tag` in To (but for 100) and a
/// Contact for a 2xx.
pub fn response(request: &Message, code: u16, tag: &str, contact: SocketAddr) -> Option<Message> {
    let status = StatusCode::new(code)?;
    let mut builder = Message::response_to(request, status);
    if code != 100 {
        builder = builder.to_tag(tag);
    }
    if (200..300).contains(&code) {
        let text = format!("<sip:uas@{contact}>");
        builder = builder.contact(&Address::parse(&text).ok()?);
    }
    builder.build().ok()
}

/// The ACK of a 2xx to `invite` (RFC 3261 §13.2.2.4), sent outside any
/// transaction: the INVITE's Request-URI, Call-ID, From and CSeq number with
/// method ACK, and the To of the response (with its tag).
pub fn ack_for_2xx(invite: &Message, response: &Message) -> Option<Message> {
    let uri = invite.request_uri()?;
    Message::request(Method::Ack, &uri)
        .call_id(invite.raw_value(HeaderName::CallId)?)
        .cseq(invite.cseq()?.seq)
        .raw_header(
            HeaderName::From.as_str(),
            invite.raw_value(HeaderName::From)?,
        )
        .raw_header(HeaderName::To.as_str(), response.raw_value(HeaderName::To)?)
        .build()
        .ok()
}

/// The plan a request carries, if any.
pub fn plan_of(request: &Message) -> Option<Plan> {
    request
        .raw_values_named(PLAN_HEADER)
        .next()
        .and_then(Plan::parse)
}

/// Call-ID and CSeq number: what ties an ACK to its INVITE, or a response to
/// the request the TU sent.
pub fn dialog_key(message: &Message) -> Option<(String, u32)> {
    Some((message.call_id()?.as_str().to_owned(), message.cseq()?.seq))
}
