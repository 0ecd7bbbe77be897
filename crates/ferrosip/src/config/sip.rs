//! SIP message pieces an application supplies: headers, media types,
//! multipart parts and the options of an outgoing request (PJSUA2's
//! `SipHeader`, `SipMediaType`, `SipMultipartPart`, `SipTxOption`).

use serde::{Deserialize, Serialize};

/// A SIP header given as name and value (PJSUA2's `SipHeader`; persisted
/// as `{"hname": ..., "hvalue": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SipHeader {
    /// The header's name, e.g. `X-Custom`. Default "".
    pub h_name: String,
    /// The header's value. Default "".
    pub h_value: String,
}

impl SipHeader {
    /// A header with this name and value.
    pub fn new(h_name: impl Into<String>, h_value: impl Into<String>) -> Self {
        Self {
            h_name: h_name.into(),
            h_value: h_value.into(),
        }
    }
}

/// A media type, `type/subtype` (PJSUA2's `SipMediaType`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SipMediaType {
    /// The type, e.g. `multipart`. Default "".
    #[serde(rename = "type")]
    pub type_: String,
    /// The subtype, e.g. `mixed`. Default "".
    pub sub_type: String,
}

/// One part of a multipart body (PJSUA2's `SipMultipartPart`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SipMultipartPart {
    /// The part's headers. Default none.
    pub headers: Vec<SipHeader>,
    /// The part's content type. Default empty.
    pub content_type: SipMediaType,
    /// The part's body. Default "".
    pub body: String,
}

/// What an application adds to an outgoing request (PJSUA2's
/// `SipTxOption`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SipTxOption {
    /// A Request-URI other than the remote URI (out-of-dialog requests
    /// only). Default "".
    pub target_uri: String,
    /// A From URI other than the account's (out-of-dialog requests only).
    /// Default "".
    pub local_uri: String,
    /// Extra headers. Default none.
    pub headers: Vec<SipHeader>,
    /// The body's content type, `type/subtype`. Default "".
    pub content_type: String,
    /// The body. Default "".
    pub msg_body: String,
    /// Content type of a multipart body; empty means `multipart/mixed`.
    /// Default empty.
    pub multipart_content_type: SipMediaType,
    /// Parts of a multipart body; with parts, the body is multipart.
    /// Default none.
    pub multipart_parts: Vec<SipMultipartPart>,
}

impl SipTxOption {
    /// True when nothing is set (PJSUA2's `isEmpty()`).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_empty() {
        let o = SipTxOption::default();
        assert!(o.is_empty());
        assert_eq!(o.target_uri, "");
        assert!(o.headers.is_empty() && o.multipart_parts.is_empty());
        assert_eq!(o.multipart_content_type, SipMediaType::default());
        let h = SipHeader::default();
        assert_eq!((h.h_name.as_str(), h.h_value.as_str()), ("", ""));
    }

    #[test]
    fn anything_set_is_not_empty() {
        let mut o = SipTxOption::default();
        o.headers.push(SipHeader::new("X-A", "1"));
        assert!(!o.is_empty());
        let o = SipTxOption {
            multipart_content_type: SipMediaType {
                type_: "multipart".into(),
                sub_type: "mixed".into(),
            },
            ..SipTxOption::default()
        };
        assert!(!o.is_empty());
    }
}
