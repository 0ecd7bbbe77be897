//! Test kit for ferrosip's sans-IO state machines: virtual time, a simulated
//! network and a world of agents stepped to the next deadline.
