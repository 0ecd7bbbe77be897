//! The ACK a client INVITE transaction sends for a non-2xx final response
//! (RFC 3261 §17.1.1.3).

use sip::header::HeaderName;
use sip::{Message, Method};

/// Builds the ACK for a 300–699 response to `invite`: same Request-URI,
/// Call-ID, From, CSeq number and Route as the INVITE, the To of the response
/// (with its tag), and the INVITE's top Via only. `None` if either message
/// lacks what the ACK needs.
pub fn ack_for_non_2xx(invite: &Message, response: &Message) -> Option<Message> {
    let uri = invite.request_uri()?;
    let cseq = invite.cseq()?;
    let mut ack = Message::request(Method::Ack, &uri)
        .call_id(invite.raw_value(HeaderName::CallId)?)
        .cseq(cseq.seq)
        .max_forwards(70);
    ack = ack.raw_header(
        HeaderName::From.as_str(),
        invite.raw_value(HeaderName::From)?,
    );
    ack = ack.raw_header(HeaderName::To.as_str(), response.raw_value(HeaderName::To)?);
    let via = invite.via()?;
    ack = ack.typed(&via);
    for route in invite.raw_values(HeaderName::Route) {
        ack = ack.raw_header(HeaderName::Route.as_str(), route);
    }
    ack.build().ok()
}
