//! Warning (RFC 3261 §20.43): `warn-code SP warn-agent SP warn-text`, extra
//! information about the status of a response.

use std::borrow::Cow;
use std::fmt;

use super::{HeaderName, TypedHeader, quoted};
use crate::error::SyntaxError;
use crate::scan::{self, Scanner};
use crate::uri::{Host, parse_port};

/// One Warning value: `307 isi.edu "Session parameter 'foo' not understood"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Warning<'a> {
    /// The three-digit warn-code (RFC 3261 §20.43 lists 300–399).
    pub code: u16,
    /// The warn-agent: the host\[:port\] or pseudonym of the element that
    /// added the warning, as written.
    pub agent: Cow<'a, str>,
    /// The warn-text between its quotes, as written (quoted-pairs kept; see
    /// [`Warning::text`]).
    pub text: Cow<'a, str>,
}

impl<'a> Warning<'a> {
    /// A warning with `code` (100–999) from `agent` (a host\[:port\] or a
    /// token), saying `text` (quoted and escaped here).
    pub fn new(code: u16, agent: &str, text: &str) -> Self {
        let q = quoted(text);
        Self {
            code,
            agent: Cow::Owned(agent.to_owned()),
            text: Cow::Owned(q[1..q.len() - 1].to_owned()),
        }
    }

    /// The warn-text with quoted-pairs resolved.
    pub fn text(&self) -> Cow<'_, str> {
        scan::unquote(&self.text)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Warning<'static> {
        Warning {
            code: self.code,
            agent: Cow::Owned(self.agent.into_owned()),
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

/// Whether `agent` is a warn-agent: `hostport / pseudonym` (a token).
fn is_warn_agent(agent: &str) -> bool {
    if scan::is_token_str(agent) {
        return true;
    }
    let mut s = Scanner::new(agent);
    Host::parse(&mut s).is_ok() && parse_port(&mut s).is_ok() && s.is_empty()
}

impl<'a> TypedHeader<'a> for Warning<'a> {
    const NAME: HeaderName = HeaderName::Warning;
    const LIST: bool = true;

    fn parse(value: &'a str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let start = s.pos();
        let digits = s.take_while(|b| b.is_ascii_digit());
        if digits.len() != 3 {
            return Err(SyntaxError::new("warn-code must be three digits", start));
        }
        // Three ASCII digits always fit.
        let code = digits.parse().unwrap_or(0);
        if !s.skip_lws() {
            return Err(s.error("expected white space after warn-code"));
        }
        let start = s.pos();
        let agent = s.take_while(|b| scan::is_token(b) || matches!(b, b':' | b'[' | b']'));
        if !is_warn_agent(agent) {
            return Err(SyntaxError::new("invalid warn-agent", start));
        }
        if !s.skip_lws() {
            return Err(s.error("expected white space after warn-agent"));
        }
        let text = s.quoted_string()?;
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text after warn-text"));
        }
        Ok(Self {
            code,
            agent: Cow::Borrowed(agent),
            text: Cow::Borrowed(text),
        })
    }
}

impl fmt::Display for Warning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03} {} \"{}\"", self.code, self.agent, self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{assert_round_trip, parse_line, validate};

    #[test]
    fn rfc3261_examples() {
        // RFC 3261 §20.43.
        let w = Warning::parse("307 isi.edu \"Session parameter 'foo' not understood\"").unwrap();
        assert_eq!(w.code, 307);
        assert_eq!(w.agent, "isi.edu");
        assert_eq!(w.text(), "Session parameter 'foo' not understood");
        assert_round_trip(&w);
        let w =
            Warning::parse("301 isi.edu \"Incompatible network address type 'E.164'\"").unwrap();
        assert_eq!(w.code, 301);
        let list: Vec<Warning<'_>> = parse_line(
            "370 devnull \"Choose a bigger pipe\", 399 [2001:db8::1]:5060 \"a, \\\"b\\\"\"",
        )
        .collect::<Result<_, _>>()
        .unwrap();
        assert_eq!(list[0].agent, "devnull");
        assert_eq!(list[1].agent, "[2001:db8::1]:5060");
        assert_eq!(list[1].text(), "a, \"b\"");
        for w in &list {
            assert_round_trip(w);
        }
        let w = Warning::parse("399 192.0.2.1:5060 \"\"").unwrap();
        assert_eq!(w.text(), "");
        assert_round_trip(&w);
    }

    #[test]
    fn build() {
        let w = Warning::new(399, "proxy.example.com:5061", "say \"hi\"\r\n");
        assert_eq!(
            w.to_string(),
            "399 proxy.example.com:5061 \"say \\\"hi\\\"  \""
        );
        assert_eq!(w.text(), "say \"hi\"  ");
        assert_round_trip(&w);
        assert_round_trip(&Warning::new(99, "x", "low").into_owned());
    }

    #[test]
    fn rfc4475_scalarlg() {
        // RFC 4475 §3.1.2.5: a four-digit warn-code is refused.
        assert!(Warning::parse("1812 overture \"In Progress\"").is_err());
        assert!(validate(HeaderName::Warning, "1812 overture \"In Progress\"").is_err());
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "30 isi.edu \"x\"",
            "3077 isi.edu \"x\"",
            "307isi.edu \"x\"",
            "307 \"x\"",
            "307 isi.edu",
            "307 isi.edu x",
            "307 isi.edu \"open",
            "307 isi.edu\"x\"",
            "307 isi.edu:99999 \"x\"",
            "307 isi.edu: \"x\"",
            "307 [::1 \"x\"",
            "307 a:b:c \"x\"",
            "307 isi.edu \"x\" y",
            "abc isi.edu \"x\"",
            "\u{e9}07 isi.edu \"x\"",
        ] {
            assert!(Warning::parse(v).is_err(), "{v:?}");
        }
    }
}
