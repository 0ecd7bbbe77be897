//! Reading a message's body by what it holds: the parts of a multipart body,
//! and the session description wherever it sits.

use super::{Limits, Message};
use crate::body::Multipart;
use crate::error::ParseError;

impl Message {
    /// The parts of a multipart body, with the default [`Limits`]: `None` when
    /// the Content-Type is absent, malformed or not `multipart/*`; `Some(Err)`
    /// when the body breaks RFC 2046 or the limits.
    ///
    /// ```
    /// let msg = sip::Message::parse(
    ///     b"MESSAGE sip:bob@example.com SIP/2.0\r\n\
    ///       Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bKnashds8\r\n\
    ///       Max-Forwards: 70\r\n\
    ///       To: <sip:bob@example.com>\r\n\
    ///       From: <sip:alice@example.com>;tag=1928301774\r\n\
    ///       Call-ID: a84b4c76e66710\r\n\
    ///       CSeq: 1 MESSAGE\r\n\
    ///       Content-Type: multipart/mixed;boundary=\"b 1\"\r\n\
    ///       Content-Length: 48\r\n\r\n\
    ///       --b 1\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b 1--\r\n",
    /// )
    /// .unwrap();
    /// let multipart = msg.multipart().unwrap().unwrap();
    /// assert_eq!(multipart.parts()[0].body(), b"Hi");
    /// ```
    pub fn multipart(&self) -> Option<Result<Multipart<'_>, ParseError>> {
        self.multipart_with(&Limits::default())
    }

    /// [`Message::multipart`] with explicit limits.
    pub fn multipart_with(&self, limits: &Limits) -> Option<Result<Multipart<'_>, ParseError>> {
        let content_type = self.content_type()?;
        if !content_type.kind.eq_ignore_ascii_case("multipart") {
            return None;
        }
        Some(Multipart::parse_typed(&self.body, &content_type, limits))
    }

    /// The session description: the body when it is `application/sdp`, or
    /// the first `application/sdp` part of a multipart body (nested ones
    /// searched too, RFC 5621). `None` when there is none, or when the
    /// multipart body is malformed ([`Message::multipart`] says why; the
    /// default [`Limits`] apply).
    pub fn sdp_body(&self) -> Option<&[u8]> {
        let content_type = self.content_type()?;
        if content_type.is("application", "sdp") {
            return Some(&self.body);
        }
        let multipart = self.multipart()?.ok()?;
        multipart.sdp().map(|part| part.body())
    }
}
