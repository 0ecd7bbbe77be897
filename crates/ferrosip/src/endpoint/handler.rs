//! The endpoint's callbacks (PJSUA2's `Endpoint::on*` virtuals) and their
//! parameters.

use super::Endpoint;

/// PJSUA2's `OnTimerParam`: a timer from
/// [`Endpoint::util_timer_schedule`] fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnTimerParam {
    /// The user data given when scheduling.
    pub user_data: u64,
    /// The delay it was scheduled with, in milliseconds.
    pub msec_delay: u32,
}

/// PJSUA2's `OnTransportStateParam`: a connection-oriented transport
/// changed state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnTransportStateParam {
    /// The transport (connection) handle.
    pub hnd: u64,
    /// Its type name (`"TCP"`).
    pub type_: String,
    /// `PJSIP_TP_STATE_CONNECTED` (1) or `PJSIP_TP_STATE_DISCONNECTED` (2).
    pub state: i32,
    /// The error when disconnected (0 otherwise).
    pub last_error: i32,
}

/// The endpoint's callbacks. Every method has an empty default body;
/// implement the ones you need. They run on a worker thread, or inside
/// [`Endpoint::lib_handle_events`] when `threadCnt` is 0 — one at a time,
/// never while the library holds a lock.
pub trait EndpointHandler: Send {
    /// A timer from [`Endpoint::util_timer_schedule`] fired.
    fn on_timer(&mut self, ep: &Endpoint, prm: &OnTimerParam) {
        let _ = (ep, prm);
    }

    /// A connection-oriented transport changed state.
    fn on_transport_state(&mut self, ep: &Endpoint, prm: &OnTransportStateParam) {
        let _ = (ep, prm);
    }
}

/// A handler that ignores every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEndpointHandler;

impl EndpointHandler for NoEndpointHandler {}
