//! What an application adds to a call's requests and responses (PJSUA2's
//! `CallOpParam.txOption`, `pjsua_msg_data`): extra headers, and a body
//! for a message that has none of its own.

use sip::Message;

/// Extra headers and a body for one message of a call (PJSUA2's
/// `SipTxOption` as `answer`, `hangup`, `setHold`, `reinvite`, `update`,
/// `xfer` and `xferReplaces` use it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxOptions {
    /// Headers added as given, after the message's own (name, value). A
    /// name that is no header token, or a value with a line break, is
    /// left out.
    pub headers: Vec<(String, String)>,
    /// A body (content type, bytes) for a message without one of its own
    /// (a BYE, a REFER, an error response, a 1xx without SDP); a message
    /// carrying SDP keeps it.
    pub body: Option<(String, Vec<u8>)>,
}

impl TxOptions {
    /// No extra headers, no body.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.body.is_none()
    }

    /// Adds the headers and, if `message` has no body, the body.
    pub(crate) fn apply(&self, message: &mut Message) {
        for (name, value) in &self.headers {
            let (name, value) = (name.trim(), value.trim());
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
            if !token || value.contains(['\r', '\n']) {
                tracing::info!(header = name, "extra header left out: not a valid header");
                continue;
            }
            message.push_raw(name, value);
        }
        if let Some((content_type, body)) = &self.body {
            let content_type = content_type.trim();
            let valid = !content_type.is_empty()
                && !content_type.contains(['\r', '\n'])
                && content_type.contains('/');
            if message.body().is_empty() && valid {
                message.set_body(Some(content_type), body.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_added_and_bad_ones_left_out_and_a_body_only_where_there_is_none() {
        let mut m = Message::parse(
            b"BYE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
              From: <sip:alice@192.0.2.1>;tag=a\r\nTo: <sip:bob@192.0.2.2>;tag=b\r\n\
              Call-ID: c\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
        let opts = TxOptions {
            headers: vec![
                ("X-Reason".into(), " gone ".into()),
                ("Bad Name".into(), "x".into()),
                ("X-Split".into(), "a\r\nInjected: 1".into()),
                (String::new(), "x".into()),
            ],
            body: Some(("text/plain".into(), b"bye".to_vec())),
        };
        opts.apply(&mut m);
        let text = String::from_utf8(m.to_bytes()).unwrap();
        assert!(text.contains("X-Reason: gone\r\n"), "{text}");
        assert!(
            !text.contains("Bad Name") && !text.contains("Injected"),
            "{text}"
        );
        assert_eq!(m.body().as_ref(), b"bye");
        assert_eq!(m.content_type().unwrap().to_string(), "text/plain");
        let reparsed = Message::parse(&m.to_bytes()).unwrap();
        assert_eq!(reparsed.raw_values_named("X-Reason").next(), Some("gone"));
        // A message with a body keeps it.
        let other = TxOptions {
            headers: Vec::new(),
            body: Some(("application/x-other".into(), b"other".to_vec())),
        };
        other.apply(&mut m);
        assert_eq!(m.body().as_ref(), b"bye");
        assert!(TxOptions::default().is_empty());
    }
}
