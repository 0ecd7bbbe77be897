//! The client side: answering 401 and 407 challenges, and sending
//! credentials pre-emptively from remembered challenges (RFC 3261 §22.2,
//! §22.3; PJSIP's `pjsip_auth_clt_sess`).

use sip::Message;
use sip::header::{AuthenticationInfo, Challenge, Credentials};

use super::credential::{self, Credential};
use super::error::AuthError;
use super::kind::AuthKind;
use super::offer::{Offer, Unusable};
use super::session::Session;
use crate::rng::Rng;

/// Retries per realm, after the first answer, that the server may ask for
/// with `stale=true` (or by dropping a nonce used pre-emptively) before
/// [`ClientAuth::accepted`] is called.
pub const MAX_STALE_RETRIES: u8 = 1;

/// Realms per header kind a request may carry credentials for; a challenge
/// for one more is refused (a server cannot make a `"*"` credential answer
/// realm after new realm forever).
pub const MAX_REALMS: usize = 8;

/// One realm's state: the remembered challenge, and the retries spent.
#[derive(Debug, Clone)]
struct RealmState {
    kind: AuthKind,
    realm: String,
    retries: u8,
    session: Option<Session>,
}

/// A client's authentication session: its credentials, and per realm and
/// header kind the last challenge (nonce, opaque, algorithm, qop, nonce
/// count), so that later requests can carry credentials up front.
///
/// # Flow
///
/// 1. Build a request; [`ClientAuth::authorize`] adds credentials for the
///    realms already challenged (a registration refresh then needs no new
///    401 while the server still accepts the nonce).
/// 2. On a 401 or 407, build the retry (same request, new CSeq and Via
///    branch) and call [`ClientAuth::respond`]; send the retry, or give up
///    with the error.
/// 3. On any other final response, call [`ClientAuth::accepted`].
///
/// # Why it cannot loop
///
/// [`ClientAuth::respond`] looks at the credentials the challenged request
/// carried for each challenged realm:
///
/// - none: the challenge is answered (first contact);
/// - the server repeats their nonce without `stale=true`, or sends a new one
///   in answer to credentials made from the nonce it had just given (the
///   first use, `nc=00000001`): the password is wrong —
///   [`AuthError::Rejected`], after exactly one answer;
/// - `stale=true`, or a new nonce after credentials that reused a remembered
///   nonce (the server forgot it without saying so): retried, at most
///   [`MAX_STALE_RETRIES`] times per realm until [`ClientAuth::accepted`]
///   resets the count; then [`AuthError::StaleExhausted`] (or
///   [`AuthError::Rejected`] when the last challenge was not stale);
/// - and a request may carry credentials for at most [`MAX_REALMS`] realms.
///
/// Each retry thus either ends the chain or spends a bounded budget that
/// only [`ClientAuth::accepted`] refills, and that a 401 or 407 cannot.
#[derive(Debug, Clone, Default)]
pub struct ClientAuth {
    credentials: Vec<Credential>,
    realms: Vec<RealmState>,
    prefer_auth_int: bool,
}

/// The most telling reason no challenge could be answered: a missing
/// credential beats an unknown qop, which beats an unknown algorithm, which
/// beats an unknown scheme.
#[derive(Debug, Default)]
struct Failure {
    scheme: Option<String>,
    algorithm: Option<String>,
    qop: Option<String>,
    realm: Option<String>,
}

impl Failure {
    fn note(&mut self, why: Unusable) {
        let (slot, value) = match why {
            Unusable::Scheme(s) => (&mut self.scheme, s),
            Unusable::Algorithm(a) => (&mut self.algorithm, a),
            Unusable::Qop(q) => (&mut self.qop, q),
        };
        slot.get_or_insert(value);
    }

    fn into_error(self) -> AuthError {
        if let Some(realm) = self.realm {
            AuthError::NoCredential { realm }
        } else if let Some(qop) = self.qop {
            AuthError::UnsupportedQop { qop }
        } else if let Some(algorithm) = self.algorithm {
            AuthError::UnsupportedAlgorithm { algorithm }
        } else if let Some(scheme) = self.scheme {
            AuthError::UnsupportedScheme { scheme }
        } else {
            AuthError::NoChallenge
        }
    }
}

/// What a request carried for a realm: the nonce and nonce count.
struct Sent {
    nonce: String,
    nc: Option<u32>,
}

/// The Digest credentials of `kind` in `request` for `realm`, skipping empty
/// ones ([`ClientAuth::add_empty_authorization`]).
fn sent_for(request: &Message, kind: AuthKind, realm: &str) -> Option<Sent> {
    request
        .raw_values(kind.credentials_header())
        .filter_map(|v| Credentials::parse(v).ok())
        .find(|c| {
            c.is_digest()
                && c.realm().as_deref() == Some(realm)
                && c.response().is_some_and(|r| !r.is_empty())
        })
        .map(|c| Sent {
            nonce: c.nonce().unwrap_or_default().into_owned(),
            nc: c.nc(),
        })
}

/// The realms of the Digest credentials of `kind` in `request`.
fn sent_realms(request: &Message, kind: AuthKind) -> Vec<String> {
    request
        .raw_values(kind.credentials_header())
        .filter_map(|v| Credentials::parse(v).ok())
        .filter(|c| c.is_digest())
        .filter_map(|c| c.realm().map(|r| r.into_owned()))
        .collect()
}

/// Replaces the credentials of `kind` in `request` for the realms of `new`
/// with `new`, keeping the others.
fn replace_credentials(
    request: &mut Message,
    kind: AuthKind,
    new: Vec<(String, Credentials<'static>)>,
) {
    if new.is_empty() {
        return;
    }
    let name = kind.credentials_header();
    let keep: Vec<String> = request
        .raw_values(name)
        .filter(|v| {
            Credentials::parse(v)
                .ok()
                .and_then(|c| c.realm().map(|r| !new.iter().any(|(realm, _)| *realm == r)))
                .unwrap_or(true)
        })
        .map(str::to_owned)
        .collect();
    request.remove(name.as_str());
    for v in keep {
        request.push(name, v);
    }
    for (_, c) in new {
        request.push(name, c);
    }
}

impl ClientAuth {
    /// A session with `credentials` and nothing remembered.
    pub fn new(credentials: Vec<Credential>) -> Self {
        Self {
            credentials,
            ..Self::default()
        }
    }

    /// The credentials.
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// Replaces the credentials and forgets every challenge and count.
    pub fn set_credentials(&mut self, credentials: Vec<Credential>) {
        self.credentials = credentials;
        self.realms.clear();
    }

    /// Whether to answer with `auth-int` when a challenge offers both it and
    /// `auth` (default: `auth`). A challenge offering only one gets that one.
    pub fn set_prefer_auth_int(&mut self, prefer: bool) {
        self.prefer_auth_int = prefer;
    }

    /// Forgets every remembered challenge and count, keeping the
    /// credentials.
    pub fn clear_cache(&mut self) {
        self.realms.clear();
    }

    fn state(&mut self, kind: AuthKind, realm: &str) -> &mut RealmState {
        let at = match self
            .realms
            .iter()
            .position(|s| s.kind == kind && s.realm == realm)
        {
            Some(at) => at,
            None => {
                self.realms.push(RealmState {
                    kind,
                    realm: realm.to_owned(),
                    retries: 0,
                    session: None,
                });
                self.realms.len() - 1
            }
        };
        &mut self.realms[at]
    }

    /// Answers the challenges of `challenge` — a response (401 or 407) to
    /// `challenged` — in `retry`, the request the caller built to send next
    /// (the same request with a new CSeq and Via branch).
    ///
    /// Every WWW-Authenticate and Proxy-Authenticate header is read; per
    /// realm and kind the first one that can be answered is (RFC 8760 §2.4:
    /// the server lists them by preference): it must be Digest with a known
    /// algorithm and qop, and a credential must match its realm and
    /// algorithm. Challenges that cannot be answered are skipped. For each
    /// answered realm the credentials `retry` carried for it are replaced by
    /// new ones (`uri` is `retry`'s Request-URI as printed; `auth-int` hashes
    /// `retry`'s body), and the challenge is remembered for
    /// [`ClientAuth::authorize`].
    ///
    /// # Errors
    ///
    /// [`AuthError::Rejected`] or [`AuthError::StaleExhausted`] when any
    /// realm's retry budget is spent (see the type's documentation); when no
    /// challenge could be answered, [`AuthError::NoCredential`] if one lacked
    /// only a credential, else the unsupported qop, algorithm or scheme, else
    /// [`AuthError::NoChallenge`]. `retry` is left unchanged on error.
    pub fn respond(
        &mut self,
        challenged: &Message,
        challenge: &Message,
        retry: &mut Message,
        rng: &mut Rng,
    ) -> Result<(), AuthError> {
        let mut failure = Failure::default();
        let mut answers: Vec<(AuthKind, String, Credentials<'static>)> = Vec::new();
        for kind in AuthKind::ALL {
            for value in challenge.raw_values(kind.challenge_header()) {
                let Ok(parsed) = Challenge::parse(value) else {
                    continue;
                };
                let offer = match Offer::read(kind, &parsed) {
                    Ok(offer) => offer,
                    Err(why) => {
                        failure.note(why);
                        continue;
                    }
                };
                if answers
                    .iter()
                    .any(|(k, realm, _)| *k == kind && *realm == offer.realm)
                {
                    continue;
                }
                let Some(credential) =
                    credential::find(&self.credentials, &offer.realm, offer.algorithm)
                else {
                    failure.realm.get_or_insert_with(|| offer.realm.clone());
                    continue;
                };
                let credential = credential.clone();
                self.check_retry(challenged, &offer)?;
                let qop = offer.choose_qop(self.prefer_auth_int);
                let state = self.state(kind, &offer.realm);
                let mut session = Session::from_offer(&offer, qop, state.session.take());
                let answer = session.answer(&credential, retry, rng);
                state.session = Some(session);
                // `find` only returns credentials whose HA1 fits.
                if let Some(answer) = answer {
                    answers.push((kind, offer.realm, answer));
                }
            }
        }
        if answers.is_empty() {
            return Err(failure.into_error());
        }
        for kind in AuthKind::ALL {
            let new = answers
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, realm, c)| (realm.clone(), c.clone()))
                .collect();
            replace_credentials(retry, kind, new);
        }
        Ok(())
    }

    /// Applies the retry rules (see the type's documentation) to a
    /// challenge for a realm the challenged request may have carried
    /// credentials for.
    fn check_retry(&mut self, challenged: &Message, offer: &Offer) -> Result<(), AuthError> {
        let realm = || offer.realm.clone();
        let Some(sent) = sent_for(challenged, offer.kind, &offer.realm) else {
            if sent_realms(challenged, offer.kind).len() >= MAX_REALMS {
                return Err(AuthError::Rejected { realm: realm() });
            }
            return Ok(());
        };
        let state = self.state(offer.kind, &offer.realm);
        if !offer.stale {
            if sent.nonce == offer.nonce {
                return Err(AuthError::Rejected { realm: realm() });
            }
            let first_use = match &state.session {
                Some(s) if s.nonce == sent.nonce => {
                    s.from_challenge && sent.nc.map_or(s.nc == 1, |nc| nc == 1)
                }
                _ => false,
            };
            if first_use {
                return Err(AuthError::Rejected { realm: realm() });
            }
        }
        if state.retries >= MAX_STALE_RETRIES {
            return Err(if offer.stale {
                AuthError::StaleExhausted { realm: realm() }
            } else {
                AuthError::Rejected { realm: realm() }
            });
        }
        state.retries += 1;
        Ok(())
    }

    /// Adds credentials to `request` for every remembered challenge whose
    /// realm a credential still matches, counting one more use of its nonce
    /// (`nc`), replacing credentials `request` already had for that realm.
    /// Returns how many were added.
    ///
    /// Every remembered realm gets credentials, whatever the request's
    /// destination: a caller sending to several servers that share a realm
    /// name should keep a `ClientAuth` per server.
    pub fn authorize(&mut self, request: &mut Message, rng: &mut Rng) -> usize {
        let mut answers: [Vec<(String, Credentials<'static>)>; 2] = Default::default();
        for state in &mut self.realms {
            let Some(session) = &mut state.session else {
                continue;
            };
            let Some(credential) =
                credential::find(&self.credentials, &session.realm, session.algorithm)
            else {
                continue;
            };
            if let Some(answer) = session.answer(credential, request, rng) {
                let at = usize::from(state.kind == AuthKind::Proxy);
                answers[at].push((state.realm.clone(), answer));
            }
        }
        let count = answers[0].len() + answers[1].len();
        let [www, proxy] = answers;
        replace_credentials(request, AuthKind::Www, www);
        replace_credentials(request, AuthKind::Proxy, proxy);
        count
    }

    /// Tells the session that `response`, a final response other than 401
    /// and 407, answered `request`: the retry counts of the realms `request`
    /// carried credentials for start over, and a `nextnonce` in
    /// Authentication-Info (RFC 2617 §3.2.3) replaces the remembered nonce
    /// of the request's Authorization realm (when it had exactly one).
    /// Any other response is ignored.
    pub fn accepted(&mut self, request: &Message, response: &Message) {
        let Some(code) = response.status() else {
            return;
        };
        if !code.is_final() || matches!(code.code(), 401 | 407) {
            return;
        }
        for kind in AuthKind::ALL {
            for realm in sent_realms(request, kind) {
                if let Some(state) = self
                    .realms
                    .iter_mut()
                    .find(|s| s.kind == kind && s.realm == realm)
                {
                    state.retries = 0;
                }
            }
        }
        let next = response
            .typed::<AuthenticationInfo<'_>>()
            .and_then(Result::ok)
            .and_then(|info| info.nextnonce().map(|n| n.into_owned()));
        let realms = sent_realms(request, AuthKind::Www);
        if let (Some(next), [realm]) = (next, realms.as_slice()) {
            let session = self
                .realms
                .iter_mut()
                .find(|s| s.kind == AuthKind::Www && s.realm == *realm)
                .and_then(|s| s.session.as_mut());
            if let Some(session) = session {
                if session.nonce != next {
                    session.nonce = next;
                    session.nc = 0;
                    session.session_cnonce.clear();
                    session.from_challenge = false;
                }
            }
        }
    }

    /// PJSUA2's `authInitialEmpty` (3GPP TS 24.229 §5.1.1.2.1): adds to
    /// `request` an Authorization per credential with the username, the
    /// realm (the Request-URI's host for `"*"`), the `uri`, and an empty
    /// nonce and response, unless it already has Authorization for that
    /// realm. [`ClientAuth::respond`] treats such empty credentials as none.
    /// Returns how many were added.
    pub fn add_empty_authorization(&self, request: &mut Message) -> usize {
        let uri = request.request_uri_str().unwrap_or_default().to_owned();
        let host = request
            .request_uri()
            .and_then(|u| u.as_sip().map(|s| s.host.to_string()));
        let mut have = sent_realms(request, AuthKind::Www);
        let mut added = 0;
        for credential in &self.credentials {
            let realm = if credential.realm == "*" {
                match &host {
                    Some(h) => h.clone(),
                    None => continue,
                }
            } else {
                credential.realm.clone()
            };
            if have.contains(&realm) {
                continue;
            }
            let mut c = Credentials::new("Digest");
            c.push("username", &credential.username, true);
            c.push("realm", &realm, true);
            c.push("nonce", "", true);
            c.push("uri", &uri, true);
            c.push("response", "", true);
            request.push(AuthKind::Www.credentials_header(), c);
            have.push(realm);
            added += 1;
        }
        added
    }
}
