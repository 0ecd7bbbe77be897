//! PJSUA2's `SipEvent` and its parts, as a call's callbacks get them:
//! `OnCallStateParam.e` (what changed the call's state) and
//! `OnCallTsxStateParam.e` (a transaction's change), with the messages
//! as text (`e.body.tsxState.src.rdata.wholeMsg`, `…tdata.wholeMsg`,
//! `e.body.tsxState.tsx.lastTx`, `e.body.rxMsg.rdata`, `e.body.txMsg.tdata`).

use std::net::SocketAddr;

use sip::Message;
use ua::{CallTsx, StateCause, TsxCause};

use super::handler::{
    PJSIP_EVENT_RX_MSG, PJSIP_EVENT_TIMER, PJSIP_EVENT_TRANSPORT_ERROR, PJSIP_EVENT_TSX_STATE,
    PJSIP_EVENT_TX_MSG, PJSIP_EVENT_USER,
};
use crate::account::SipRxData;

/// `PJSIP_ROLE_UAC`: the transaction's request is ours.
pub const PJSIP_ROLE_UAC: i32 = 0;
/// `PJSIP_ROLE_UAS`: the transaction's request is the peer's.
pub const PJSIP_ROLE_UAS: i32 = 1;

/// PJSUA2's `SipTxData`: a message sent, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipTxData {
    /// A one-line summary (`Request msg INVITE/cseq=1`,
    /// `Response msg 200/INVITE/cseq=1`; PJSIP adds the buffer's address).
    pub info: String,
    /// The whole message.
    pub whole_msg: String,
    /// Where it went (`ip:port`); empty: ferrosip does not carry it yet.
    pub dst_address: String,
}

/// PJSUA2's `SipTransaction`: a transaction as an event sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipTransaction {
    /// [`PJSIP_ROLE_UAC`] or [`PJSIP_ROLE_UAS`].
    pub role: i32,
    /// The request's method.
    pub method: String,
    /// The last status code sent or received (0 before any).
    pub status_code: i32,
    /// Its reason phrase.
    pub status_text: String,
    /// Its state (`PJSIP_TSX_STATE_*`: CALLING 1, TRYING 2, PROCEEDING 3,
    /// COMPLETED 4, CONFIRMED 5, TERMINATED 6).
    pub state: i32,
    /// The last message it sent (our request, or our last response).
    pub last_tx: SipTxData,
}

/// PJSUA2's `TsxStateEventSrc`: what made a transaction change state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsxStateEventSrc {
    /// The message received, when that was the cause.
    pub rdata: SipRxData,
    /// The message sent, when that was the cause.
    pub tdata: SipTxData,
    /// The error status of a transport failure (0 otherwise).
    pub status: i32,
}

/// PJSUA2's `TsxStateEvent`: a transaction changed state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsxStateEvent {
    /// What made the change.
    pub src: TsxStateEventSrc,
    /// The transaction, after the change.
    pub tsx: SipTransaction,
    /// The state it left.
    pub prev_state: i32,
    /// The kind of cause (`PJSIP_EVENT_TX_MSG`, `RX_MSG`, `TIMER`,
    /// `TRANSPORT_ERROR`, `USER`).
    pub type_: i32,
}

/// PJSUA2's `TxMsgEvent`: a message was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxMsgEvent {
    /// The message.
    pub tdata: SipTxData,
}

/// PJSUA2's `RxMsgEvent`: a message was received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RxMsgEvent {
    /// The message.
    pub rdata: SipRxData,
}

/// PJSUA2's `SipEventBody`: the part of the event its `type` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipEventBody {
    /// For `PJSIP_EVENT_TSX_STATE`.
    pub tsx_state: TsxStateEvent,
    /// For `PJSIP_EVENT_TX_MSG`.
    pub tx_msg: TxMsgEvent,
    /// For `PJSIP_EVENT_RX_MSG`.
    pub rx_msg: RxMsgEvent,
}

/// PJSUA2's `SipEvent`: what caused a change of a call, with the message
/// as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipEvent {
    /// The event type, a `PJSIP_EVENT_*` value.
    pub type_: i32,
    /// Its details.
    pub body: SipEventBody,
}

impl SipEvent {
    /// An event of the given type with no details.
    pub fn of_type(type_: i32) -> Self {
        Self {
            type_,
            body: SipEventBody::default(),
        }
    }
}

/// PJSIP's one-line summary of a message (without its buffer address).
fn summary(message: &Message) -> String {
    let seq = message.cseq().map_or(0, |c| c.seq);
    let method = message
        .cseq()
        .map(|c| c.method.as_str().to_owned())
        .unwrap_or_default();
    match message.status() {
        Some(status) => format!("Response msg {}/{method}/cseq={seq}", status.code()),
        None => format!("Request msg {method}/cseq={seq}"),
    }
}

fn text(message: &Message) -> String {
    String::from_utf8_lossy(&message.to_bytes()).into_owned()
}

/// A received message as PJSUA2's `SipRxData`.
pub(crate) fn rx_data(message: &Message, from: Option<SocketAddr>) -> SipRxData {
    SipRxData {
        info: summary(message),
        whole_msg: text(message),
        src_address: from.map(|a| a.to_string()).unwrap_or_default(),
    }
}

/// A sent message as PJSUA2's `SipTxData`.
pub(crate) fn tx_data(message: &Message) -> SipTxData {
    SipTxData {
        info: summary(message),
        whole_msg: text(message),
        dst_address: String::new(),
    }
}

/// The event of a transaction's change (`PJSIP_EVENT_TSX_STATE`).
pub(crate) fn of_tsx(t: &CallTsx) -> SipEvent {
    let mut src = TsxStateEventSrc::default();
    let type_ = match &t.cause {
        TsxCause::Sent(m) => {
            src.tdata = tx_data(m);
            PJSIP_EVENT_TX_MSG
        }
        TsxCause::Received(m, from) => {
            src.rdata = rx_data(m, *from);
            PJSIP_EVENT_RX_MSG
        }
        TsxCause::Timer => PJSIP_EVENT_TIMER,
        TsxCause::TransportError => {
            src.status = crate::error::status::PJ_EUNKNOWN;
            PJSIP_EVENT_TRANSPORT_ERROR
        }
        TsxCause::User => PJSIP_EVENT_USER,
    };
    SipEvent {
        type_: PJSIP_EVENT_TSX_STATE,
        body: SipEventBody {
            tsx_state: TsxStateEvent {
                src,
                tsx: SipTransaction {
                    role: if t.uas {
                        PJSIP_ROLE_UAS
                    } else {
                        PJSIP_ROLE_UAC
                    },
                    method: t.method.clone(),
                    status_code: i32::from(t.status),
                    status_text: t.reason.clone(),
                    state: t.state.as_i32(),
                    last_tx: t.last_sent.as_ref().map(tx_data).unwrap_or_default(),
                },
                prev_state: t.prev_state.as_i32(),
                type_,
            },
            ..SipEventBody::default()
        },
    }
}

/// The event of a call's state change.
pub(crate) fn of_state(cause: &StateCause) -> SipEvent {
    match cause {
        StateCause::Tsx(t) => of_tsx(t),
        StateCause::Sent(m) => SipEvent {
            type_: PJSIP_EVENT_TX_MSG,
            body: SipEventBody {
                tx_msg: TxMsgEvent { tdata: tx_data(m) },
                ..SipEventBody::default()
            },
        },
        StateCause::Received(m, from) => SipEvent {
            type_: PJSIP_EVENT_RX_MSG,
            body: SipEventBody {
                rx_msg: RxMsgEvent {
                    rdata: rx_data(m, *from),
                },
                ..SipEventBody::default()
            },
        },
        StateCause::User => SipEvent::of_type(PJSIP_EVENT_USER),
    }
}
