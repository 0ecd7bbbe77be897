//! Status codes (RFC 3261 §21 and extensions).

use std::fmt;

/// A response status code, 100 to 699.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(u16);

macro_rules! codes {
    ($($name:ident = $code:literal, $reason:literal;)*) => {
        impl StatusCode {
            $(
                #[doc = concat!("`", stringify!($code), " ", $reason, "`.")]
                pub const $name: Self = Self($code);
            )*

            /// The reason phrase RFC 3261 (or the defining RFC) gives the code,
            /// or a generic one for its class.
            pub fn canonical_reason(self) -> &'static str {
                match self.0 {
                    $($code => $reason,)*
                    100..=199 => "Trying",
                    200..=299 => "OK",
                    300..=399 => "Redirection",
                    400..=499 => "Client Error",
                    500..=599 => "Server Error",
                    _ => "Global Failure",
                }
            }
        }
    };
}

codes! {
    TRYING = 100, "Trying";
    RINGING = 180, "Ringing";
    CALL_IS_BEING_FORWARDED = 181, "Call Is Being Forwarded";
    QUEUED = 182, "Queued";
    SESSION_PROGRESS = 183, "Session Progress";
    EARLY_DIALOG_TERMINATED = 199, "Early Dialog Terminated";
    OK = 200, "OK";
    ACCEPTED = 202, "Accepted";
    NO_NOTIFICATION = 204, "No Notification";
    MULTIPLE_CHOICES = 300, "Multiple Choices";
    MOVED_PERMANENTLY = 301, "Moved Permanently";
    MOVED_TEMPORARILY = 302, "Moved Temporarily";
    USE_PROXY = 305, "Use Proxy";
    ALTERNATIVE_SERVICE = 380, "Alternative Service";
    BAD_REQUEST = 400, "Bad Request";
    UNAUTHORIZED = 401, "Unauthorized";
    PAYMENT_REQUIRED = 402, "Payment Required";
    FORBIDDEN = 403, "Forbidden";
    NOT_FOUND = 404, "Not Found";
    METHOD_NOT_ALLOWED = 405, "Method Not Allowed";
    NOT_ACCEPTABLE = 406, "Not Acceptable";
    PROXY_AUTHENTICATION_REQUIRED = 407, "Proxy Authentication Required";
    REQUEST_TIMEOUT = 408, "Request Timeout";
    CONFLICT = 409, "Conflict";
    GONE = 410, "Gone";
    CONDITIONAL_REQUEST_FAILED = 412, "Conditional Request Failed";
    REQUEST_ENTITY_TOO_LARGE = 413, "Request Entity Too Large";
    REQUEST_URI_TOO_LONG = 414, "Request-URI Too Long";
    UNSUPPORTED_MEDIA_TYPE = 415, "Unsupported Media Type";
    UNSUPPORTED_URI_SCHEME = 416, "Unsupported URI Scheme";
    UNKNOWN_RESOURCE_PRIORITY = 417, "Unknown Resource-Priority";
    BAD_EXTENSION = 420, "Bad Extension";
    EXTENSION_REQUIRED = 421, "Extension Required";
    SESSION_INTERVAL_TOO_SMALL = 422, "Session Interval Too Small";
    INTERVAL_TOO_BRIEF = 423, "Interval Too Brief";
    BAD_LOCATION_INFORMATION = 424, "Bad Location Information";
    USE_IDENTITY_HEADER = 428, "Use Identity Header";
    PROVIDE_REFERRER_IDENTITY = 429, "Provide Referrer Identity";
    FLOW_FAILED = 430, "Flow Failed";
    ANONYMITY_DISALLOWED = 433, "Anonymity Disallowed";
    BAD_IDENTITY_INFO = 436, "Bad Identity-Info";
    UNSUPPORTED_CERTIFICATE = 437, "Unsupported Certificate";
    INVALID_IDENTITY_HEADER = 438, "Invalid Identity Header";
    FIRST_HOP_LACKS_OUTBOUND_SUPPORT = 439, "First Hop Lacks Outbound Support";
    MAX_BREADTH_EXCEEDED = 440, "Max-Breadth Exceeded";
    BAD_INFO_PACKAGE = 469, "Bad Info Package";
    CONSENT_NEEDED = 470, "Consent Needed";
    TEMPORARILY_UNAVAILABLE = 480, "Temporarily Unavailable";
    CALL_OR_TRANSACTION_DOES_NOT_EXIST = 481, "Call/Transaction Does Not Exist";
    LOOP_DETECTED = 482, "Loop Detected";
    TOO_MANY_HOPS = 483, "Too Many Hops";
    ADDRESS_INCOMPLETE = 484, "Address Incomplete";
    AMBIGUOUS = 485, "Ambiguous";
    BUSY_HERE = 486, "Busy Here";
    REQUEST_TERMINATED = 487, "Request Terminated";
    NOT_ACCEPTABLE_HERE = 488, "Not Acceptable Here";
    BAD_EVENT = 489, "Bad Event";
    REQUEST_PENDING = 491, "Request Pending";
    UNDECIPHERABLE = 493, "Undecipherable";
    SECURITY_AGREEMENT_REQUIRED = 494, "Security Agreement Required";
    SERVER_INTERNAL_ERROR = 500, "Server Internal Error";
    NOT_IMPLEMENTED = 501, "Not Implemented";
    BAD_GATEWAY = 502, "Bad Gateway";
    SERVICE_UNAVAILABLE = 503, "Service Unavailable";
    SERVER_TIMEOUT = 504, "Server Time-out";
    VERSION_NOT_SUPPORTED = 505, "Version Not Supported";
    MESSAGE_TOO_LARGE = 513, "Message Too Large";
    PRECONDITION_FAILURE = 580, "Precondition Failure";
    BUSY_EVERYWHERE = 600, "Busy Everywhere";
    DECLINE = 603, "Decline";
    DOES_NOT_EXIST_ANYWHERE = 604, "Does Not Exist Anywhere";
    NOT_ACCEPTABLE_ANYWHERE = 606, "Not Acceptable";
    UNWANTED = 607, "Unwanted";
    REJECTED = 608, "Rejected";
}

impl StatusCode {
    /// A status code, if `code` is within 100..=699.
    pub fn new(code: u16) -> Option<Self> {
        (100..=699).contains(&code).then_some(Self(code))
    }

    /// The numeric code.
    pub fn code(self) -> u16 {
        self.0
    }

    /// 1xx.
    pub fn is_provisional(self) -> bool {
        self.0 < 200
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 200 to 699.
    pub fn is_final(self) -> bool {
        self.0 >= 200
    }

    /// The class digit: 1 to 6.
    pub fn class(self) -> u8 {
        (self.0 / 100) as u8
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
