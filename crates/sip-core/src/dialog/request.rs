//! Requests sent within a dialog (RFC 3261 §12.2.1.1) and responses sent by
//! its UAS end.

use sip::header::Route;
use sip::uri::Uri;
use sip::{Address, Message, Method, RequestBuilder, ResponseBuilder, StatusCode};

use super::error::DialogError;
use super::state::{Dialog, DialogState};
use super::{creates_dialog, is_target_refresh};

/// The Request-URI and Route header values of a request sent through a route
/// set (RFC 3261 §12.2.1.1, and §8.1.2 for a preloaded route set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The Request-URI.
    pub request_uri: Uri<'static>,
    /// The Route values, in order (the first is the next hop).
    pub routes: Vec<Route<'static>>,
}

/// Routes a request to `remote_target` through `route_set` (RFC 3261 §12.2.1.1):
///
/// - empty route set: the Request-URI is the remote target, no Route;
/// - first route with `lr` (a loose router): the Request-URI is the remote
///   target and the Route values are the route set;
/// - first route without `lr` (a strict router, RFC 2543): the Request-URI is
///   the first route's URI, stripped of what a Request-URI may not hold (the
///   `method` parameter and URI headers, RFC 3261 §19.1.1 table 1); the Route
///   values are the rest of the route set, parameters kept, followed by the
///   remote target.
///
/// ```
/// use sip::header::{Route, TypedHeader};
/// use sip::uri::Uri;
/// use sip_core::dialog::route;
///
/// // RFC 3261 §12.2.1.1's example.
/// let target = Uri::parse("sip:user@remoteua").unwrap();
/// let set: Vec<Route<'static>> = ["<sip:proxy1>", "<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>"]
///     .iter()
///     .map(|r| Route::parse(r).unwrap().into_owned())
///     .collect();
/// let routing = route(&target, &set);
/// assert_eq!(routing.request_uri.to_string(), "sip:proxy1");
/// let routes: Vec<String> = routing.routes.iter().map(ToString::to_string).collect();
/// assert_eq!(routes, ["<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>", "<sip:user@remoteua>"]);
/// ```
pub fn route(remote_target: &Uri<'_>, route_set: &[Route<'_>]) -> Routing {
    let Some((first, rest)) = route_set.split_first() else {
        return Routing {
            request_uri: as_request_uri(remote_target),
            routes: Vec::new(),
        };
    };
    let loose = first.uri.as_sip().is_some_and(|u| u.is_loose_router());
    if loose {
        return Routing {
            request_uri: as_request_uri(remote_target),
            routes: route_set.iter().map(|r| r.clone().into_owned()).collect(),
        };
    }
    let mut routes: Vec<Route<'static>> = rest.iter().map(|r| r.clone().into_owned()).collect();
    routes.push(Route(Address::new(remote_target.clone().into_owned())));
    Routing {
        request_uri: as_request_uri(&first.uri),
        routes,
    }
}

/// A URI as a Request-URI: without the `method` parameter and the URI headers
/// that RFC 3261 §19.1.1 (table 1) does not allow there (a Contact may carry
/// both, and becomes the remote target).
fn as_request_uri(uri: &Uri<'_>) -> Uri<'static> {
    let mut uri = uri.clone().into_owned();
    if let Some(sip) = uri.as_sip_mut() {
        sip.params.remove("method");
        sip.headers = None;
    }
    uri
}

impl Dialog {
    /// Starts a request within the dialog (RFC 3261 §12.2.1.1), incrementing
    /// the local sequence number: To (remote URI and tag), From (local URI
    /// and tag), Call-ID, CSeq, Request-URI and Route (see [`route`]),
    /// Max-Forwards 70, and the local Contact for target refresh requests
    /// (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER). Add the body and any other
    /// header, then `build()`.
    ///
    /// The request has no Via: the transaction layer adds it, with the branch
    /// of the client transaction that sends it. A builder (rather than a
    /// finished message) is returned because almost every request within a
    /// dialog needs more: an SDP body, Event, Refer-To, Reason, RAck, …
    ///
    /// The sequence number is spent whether or not the builder is used:
    /// build and send it, or the peer sees a gap (which it accepts).
    ///
    /// Errors: [`DialogError::ReusesSequence`] for ACK and CANCEL (see
    /// [`Dialog::ack`], [`Dialog::cancel`]), [`DialogError::Terminated`],
    /// [`DialogError::SequenceExhausted`].
    pub fn request(&mut self, method: Method<'_>) -> Result<RequestBuilder, DialogError> {
        if matches!(method, Method::Ack | Method::Cancel) {
            return Err(DialogError::ReusesSequence(method.to_string()));
        }
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        let seq = self
            .next_local_seq()
            .ok_or(DialogError::SequenceExhausted)?;
        self.local_seq = Some(seq);
        Ok(self.build_request(method, seq))
    }

    /// The CSeq number [`Dialog::request`] would use next; `None` once the
    /// number space is exhausted.
    pub fn next_local_seq(&self) -> Option<u32> {
        match self.local_seq {
            None => Some(self.first_local_seq),
            Some(seq) => seq.checked_add(1),
        }
    }

    /// Starts the ACK of a 2xx to the INVITE whose CSeq number was
    /// `invite_seq` (RFC 3261 §13.2.2.4): built as any request within the
    /// dialog, but with the INVITE's sequence number and no Contact. Give it
    /// the credentials the INVITE carried, if any. Allowed in every state: a
    /// 2xx from a fork that is then ended with BYE must be acknowledged too.
    pub fn ack(&self, invite_seq: u32) -> RequestBuilder {
        self.build_request(Method::Ack, invite_seq)
    }

    /// Starts a CANCEL of the re-INVITE (or other request) sent within the
    /// dialog with CSeq number `seq`, with that request's Request-URI, tags,
    /// Call-ID and Route (RFC 3261 §9.1), provided the remote target did not
    /// change since. The transaction layer must give it the Via of the request
    /// it cancels. A CANCEL of the initial INVITE is not a request within a
    /// dialog (it has no To tag): build it from the INVITE.
    pub fn cancel(&self, seq: u32) -> RequestBuilder {
        self.build_request(Method::Cancel, seq)
    }

    fn build_request(&self, method: Method<'_>, seq: u32) -> RequestBuilder {
        let routing = route(&self.remote_target, &self.route_set);
        let mut to = self.remote_uri.clone();
        to.params.push("tag", Some(self.id.remote_tag()));
        let mut from = self.local_uri.clone();
        from.params.push("tag", Some(self.id.local_tag()));
        let with_contact = is_target_refresh(&method);
        let mut builder = Message::request(method, &routing.request_uri)
            .to(&to)
            .from(&from)
            .call_id(self.id.call_id())
            .cseq(seq);
        for r in &routing.routes {
            builder = builder.route(r);
        }
        if with_contact {
            if let Some(contact) = &self.local_contact {
                builder = builder.contact(contact);
            }
        }
        builder
    }

    /// Starts this UA's response to `request`, received within the dialog or
    /// creating it: the headers [`Message::response_to`] copies, the local tag
    /// in To (RFC 3261 §12.1.1) and, in a 101–299 response to a dialog-creating
    /// or target refresh request, the local Contact (§12.1.1, §12.2.2).
    pub fn response_to(&self, request: &Message, code: StatusCode) -> ResponseBuilder {
        let mut builder = Message::response_to(request, code).to_tag(self.id.local_tag());
        let needs_contact = (101..300).contains(&code.code())
            && request
                .method()
                .is_some_and(|m| creates_dialog(&m) || is_target_refresh(&m));
        if needs_contact {
            if let Some(contact) = &self.local_contact {
                builder = builder.contact(contact);
            }
        }
        builder
    }
}
