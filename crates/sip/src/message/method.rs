//! Request methods (RFC 3261 §7.1 and the extensions a user agent meets).

use std::borrow::Cow;
use std::fmt;

/// A SIP method. Method names are case-sensitive: `invite` is an extension
/// method, not INVITE.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Method<'a> {
    /// ACK (RFC 3261).
    Ack,
    /// BYE (RFC 3261).
    Bye,
    /// CANCEL (RFC 3261).
    Cancel,
    /// INFO (RFC 6086).
    Info,
    /// INVITE (RFC 3261).
    Invite,
    /// MESSAGE (RFC 3428).
    Message,
    /// NOTIFY (RFC 6665).
    Notify,
    /// OPTIONS (RFC 3261).
    Options,
    /// PRACK (RFC 3262).
    Prack,
    /// PUBLISH (RFC 3903).
    Publish,
    /// REFER (RFC 3515).
    Refer,
    /// REGISTER (RFC 3261).
    Register,
    /// SUBSCRIBE (RFC 6665).
    Subscribe,
    /// UPDATE (RFC 3311).
    Update,
    /// Any other token.
    Extension(Cow<'a, str>),
}

impl<'a> Method<'a> {
    /// Classifies a method token (the caller has checked it is one).
    pub fn parse(token: &'a str) -> Self {
        match token {
            "ACK" => Self::Ack,
            "BYE" => Self::Bye,
            "CANCEL" => Self::Cancel,
            "INFO" => Self::Info,
            "INVITE" => Self::Invite,
            "MESSAGE" => Self::Message,
            "NOTIFY" => Self::Notify,
            "OPTIONS" => Self::Options,
            "PRACK" => Self::Prack,
            "PUBLISH" => Self::Publish,
            "REFER" => Self::Refer,
            "REGISTER" => Self::Register,
            "SUBSCRIBE" => Self::Subscribe,
            "UPDATE" => Self::Update,
            other => Self::Extension(Cow::Borrowed(other)),
        }
    }

    /// The method name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Ack => "ACK",
            Self::Bye => "BYE",
            Self::Cancel => "CANCEL",
            Self::Info => "INFO",
            Self::Invite => "INVITE",
            Self::Message => "MESSAGE",
            Self::Notify => "NOTIFY",
            Self::Options => "OPTIONS",
            Self::Prack => "PRACK",
            Self::Publish => "PUBLISH",
            Self::Refer => "REFER",
            Self::Register => "REGISTER",
            Self::Subscribe => "SUBSCRIBE",
            Self::Update => "UPDATE",
            Self::Extension(m) => m,
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Method<'static> {
        match self {
            Self::Extension(m) => Method::Extension(Cow::Owned(m.into_owned())),
            Self::Ack => Method::Ack,
            Self::Bye => Method::Bye,
            Self::Cancel => Method::Cancel,
            Self::Info => Method::Info,
            Self::Invite => Method::Invite,
            Self::Message => Method::Message,
            Self::Notify => Method::Notify,
            Self::Options => Method::Options,
            Self::Prack => Method::Prack,
            Self::Publish => Method::Publish,
            Self::Refer => Method::Refer,
            Self::Register => Method::Register,
            Self::Subscribe => Method::Subscribe,
            Self::Update => Method::Update,
        }
    }
}

impl fmt::Display for Method<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
