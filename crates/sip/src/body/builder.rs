//! Building multipart bodies (RFC 2046 §5.1, RFC 5621).

use bytes::Bytes;

use super::multipart::check_boundary;
use crate::scan;

/// A multipart body the builder refuses to produce: each is a misuse of the
/// API, not a fault of a peer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultipartBuildError {
    /// The boundary given is not 1 to 70 characters of RFC 2046 `bchars`, or
    /// ends in a space.
    #[error("invalid multipart boundary {0:?}")]
    InvalidBoundary(String),
    /// The boundary given appears inside a part, which would cut it short.
    #[error("boundary {0:?} appears inside a body part")]
    BoundaryInContent(String),
    /// The subtype is not a token.
    #[error("invalid multipart subtype {0:?}")]
    InvalidSubtype(String),
    /// A part header whose name is not a token or whose value holds a line
    /// break.
    #[error("invalid body part header {0:?}")]
    InvalidHeader(String),
    /// A multipart body needs at least one part (RFC 2046 §5.1.1).
    #[error("multipart body without parts")]
    NoParts,
}

/// A multipart body ready to send: the body and the Content-Type value that
/// goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltMultipart {
    /// The Content-Type header value (`multipart/mixed;boundary=…`).
    pub content_type: String,
    /// The boundary used.
    pub boundary: String,
    /// The body.
    pub body: Bytes,
}

#[derive(Debug, Clone)]
enum BoundaryChoice {
    Given(String),
    Seeded(u64),
}

#[derive(Debug, Clone)]
struct BuilderPart {
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// Builds a multipart body.
///
/// ```
/// use sip::body::{Multipart, MultipartBuilder};
/// use sip::Limits;
///
/// let built = MultipartBuilder::with_seed(0x5eed)
///     .part("application/sdp", "v=0\r\n")
///     .part_with_headers(
///         [("Content-Type", "application/isup"), ("Content-Disposition", "signal;handling=optional")],
///         &b"\x01\x00\x49"[..],
///     )
///     .build()
///     .unwrap();
/// assert!(built.content_type.starts_with("multipart/mixed;boundary="));
///
/// let parsed = Multipart::parse(&built.body, &built.boundary, &Limits::default()).unwrap();
/// assert_eq!(parsed.sdp().unwrap().body(), b"v=0\r\n");
/// assert_eq!(parsed.parts()[1].body(), b"\x01\x00\x49");
/// ```
#[derive(Debug, Clone)]
pub struct MultipartBuilder {
    subtype: String,
    boundary: BoundaryChoice,
    parts: Vec<BuilderPart>,
}

impl MultipartBuilder {
    /// A `multipart/mixed` body delimited by `boundary`. The boundary is
    /// checked when building: 1 to 70 `bchars` (RFC 2046 §5.1.1), not ending
    /// in a space, and absent from every part.
    pub fn new(boundary: impl Into<String>) -> Self {
        Self {
            subtype: "mixed".to_owned(),
            boundary: BoundaryChoice::Given(boundary.into()),
            parts: Vec::new(),
        }
    }

    /// A `multipart/mixed` body whose boundary is generated from `seed` (the
    /// caller's randomness: this crate takes none from the system). Should
    /// the boundary appear inside a part, the next one of the same sequence is
    /// used, so the result depends only on the seed and the parts.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            subtype: "mixed".to_owned(),
            boundary: BoundaryChoice::Seeded(seed),
            parts: Vec::new(),
        }
    }

    /// Sets the subtype (`mixed` by default; `alternative`, `related`, …).
    pub fn subtype(mut self, subtype: impl Into<String>) -> Self {
        self.subtype = subtype.into();
        self
    }

    /// Adds a part with a Content-Type and a body.
    pub fn part(self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.part_with_headers([("Content-Type", content_type)], body)
    }

    /// Adds a part with the given header fields (Content-Type among them,
    /// usually) and a body. A nested multipart is a part whose Content-Type and
    /// body come from another [`BuiltMultipart`].
    pub fn part_with_headers<'h>(
        mut self,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        body: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(BuilderPart {
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            body: body.into(),
        });
        self
    }

    /// Produces the body and its Content-Type.
    pub fn build(&self) -> Result<BuiltMultipart, MultipartBuildError> {
        if self.parts.is_empty() {
            return Err(MultipartBuildError::NoParts);
        }
        if !scan::is_token_str(&self.subtype) {
            return Err(MultipartBuildError::InvalidSubtype(self.subtype.clone()));
        }
        for (name, value) in self.parts.iter().flat_map(|p| &p.headers) {
            if !scan::is_token_str(name) || value.contains(['\r', '\n']) {
                return Err(MultipartBuildError::InvalidHeader(name.clone()));
            }
        }
        let boundary = match &self.boundary {
            BoundaryChoice::Given(b) => {
                if !is_valid_boundary(b) {
                    return Err(MultipartBuildError::InvalidBoundary(b.clone()));
                }
                if self.appears_in_parts(b) {
                    return Err(MultipartBuildError::BoundaryInContent(b.clone()));
                }
                b.clone()
            }
            BoundaryChoice::Seeded(seed) => {
                let mut rng = SplitMix64(*seed);
                loop {
                    let b = generate_boundary(&mut rng);
                    if !self.appears_in_parts(&b) {
                        break b;
                    }
                }
            }
        };
        Ok(BuiltMultipart {
            content_type: format!(
                "multipart/{};boundary={}",
                self.subtype,
                quote_if_needed(&boundary)
            ),
            body: self.write(&boundary),
            boundary,
        })
    }

    /// Whether `--boundary` appears anywhere in a part, headers or body.
    fn appears_in_parts(&self, boundary: &str) -> bool {
        let dash = format!("--{boundary}");
        let finder = memchr::memmem::Finder::new(dash.as_bytes());
        self.parts.iter().any(|p| {
            finder.find(&p.body).is_some()
                || p.headers
                    .iter()
                    .any(|(n, v)| n.contains(&dash) || v.contains(&dash))
        })
    }

    fn write(&self, boundary: &str) -> Bytes {
        let size: usize = self
            .parts
            .iter()
            .map(|p| {
                p.body.len()
                    + boundary.len()
                    + 8
                    + p.headers
                        .iter()
                        .map(|(n, v)| n.len() + v.len() + 4)
                        .sum::<usize>()
            })
            .sum();
        let mut out = Vec::with_capacity(size + boundary.len() + 8);
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"--");
            out.extend_from_slice(boundary.as_bytes());
            out.extend_from_slice(b"\r\n");
            for (name, value) in &part.headers {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&part.body);
        }
        out.extend_from_slice(b"\r\n--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"--\r\n");
        Bytes::from(out)
    }
}

/// RFC 2046 §5.1.1: `boundary := 0*69<bchars> bcharsnospace`.
fn is_valid_boundary(boundary: &str) -> bool {
    let is_bchar = |c: u8| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'\''
                    | b'('
                    | b')'
                    | b'+'
                    | b'_'
                    | b','
                    | b'-'
                    | b'.'
                    | b'/'
                    | b':'
                    | b'='
                    | b'?'
                    | b' '
            )
    };
    check_boundary(boundary).is_ok() && boundary.bytes().all(is_bchar)
}

/// The boundary as a Content-Type parameter value: a token as it is, anything
/// else as a quoted string (bchars hold no `"` or `\`, so nothing to escape).
fn quote_if_needed(boundary: &str) -> String {
    if scan::is_token_str(boundary) {
        boundary.to_owned()
    } else {
        format!("\"{boundary}\"")
    }
}

/// SplitMix64: a small, well-mixed generator for the boundary.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// 32 alphanumeric characters from the generator: as unpredictable as the
/// seed, and far too long to occur in a part by chance.
fn generate_boundary(rng: &mut SplitMix64) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(32);
    for _ in 0..4 {
        let mut word = rng.next();
        for _ in 0..8 {
            // 62 does not divide 2^64: the bias is below 2^-58, irrelevant here.
            out.push(char::from(ALPHABET[(word % 62) as usize]));
            word /= 62;
        }
    }
    out
}
