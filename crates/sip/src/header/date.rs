//! Date (RFC 3261 §20.17): an RFC 1123 date in GMT,
//! `Sat, 13 Nov 2010 23:29:00 GMT`.
//!
//! The conversion to and from seconds since the Unix epoch is done here by hand
//! (the proleptic Gregorian calendar, no leap seconds), so that the message
//! layer needs no date crate and never reads the clock.

use std::fmt;

use super::{HeaderName, TypedHeader};
use crate::error::SyntaxError;
use crate::scan::Scanner;

/// A day of the week (RFC 3261 §25.1 `wkday`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// `Mon`.
    Mon,
    /// `Tue`.
    Tue,
    /// `Wed`.
    Wed,
    /// `Thu`.
    Thu,
    /// `Fri`.
    Fri,
    /// `Sat`.
    Sat,
    /// `Sun`.
    Sun,
}

impl Weekday {
    const ALL: [Self; 7] = [
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    /// The three-letter name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mon => "Mon",
            Self::Tue => "Tue",
            Self::Wed => "Wed",
            Self::Thu => "Thu",
            Self::Fri => "Fri",
            Self::Sat => "Sat",
            Self::Sun => "Sun",
        }
    }

    /// Recognises a three-letter name, case-insensitively (ABNF strings are).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Three-letter month names (RFC 3261 §25.1 `month`), January first.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The last second this type can print: 9999-12-31T23:59:59Z.
const MAX_UNIX: u64 = 253_402_300_799;

fn is_leap(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year-month-day` (negative before it), after
/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: u16, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (the inverse of [`days_from_civil`]),
/// for `days` up to 9999-12-31.
fn civil_from_days(days: u64) -> (u16, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + u64::from(month <= 2);
    // In range for days ≤ MAX_UNIX / 86400 (year ≤ 9999).
    (year as u16, month as u8, day as u8)
}

/// Date: a moment in GMT, with the day of the week as written.
///
/// The weekday is kept as sent and not checked against the date; a [`Date`]
/// built with [`Date::from_unix`] always has the right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    /// Day of the week.
    pub weekday: Weekday,
    /// Day of the month, 1–31 (checked against the month and year).
    pub day: u8,
    /// Month, 1 (January) to 12.
    pub month: u8,
    /// Year, four digits.
    pub year: u16,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60 (60 for a leap second).
    pub second: u8,
}

impl Date {
    /// The Date of `secs` seconds after 1970-01-01T00:00:00Z; `None` past the
    /// year 9999, which four digits cannot print.
    pub fn from_unix(secs: u64) -> Option<Self> {
        if secs > MAX_UNIX {
            return None;
        }
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        Some(Self {
            // 1970-01-01 was a Thursday (index 3 from Monday).
            weekday: Weekday::ALL[((days + 3) % 7) as usize],
            day,
            month,
            year,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z; `None` for dates before it. A leap
    /// second (`:60`) counts as the first second of the next minute.
    pub fn unix_time(&self) -> Option<u64> {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        u64::try_from(secs).ok()
    }

    /// The month's three-letter name.
    pub fn month_name(&self) -> &'static str {
        MONTHS
            .get(usize::from(self.month.wrapping_sub(1)))
            .copied()
            .unwrap_or("???")
    }
}

/// Reads exactly `n` digits as a number.
fn digits(s: &mut Scanner<'_>, n: usize, what: &'static str) -> Result<u16, SyntaxError> {
    let start = s.pos();
    let d = s.take_while(|b| b.is_ascii_digit());
    if d.len() != n {
        return Err(SyntaxError::new(what, start));
    }
    // At most four ASCII digits: always fits a u16.
    Ok(d.bytes().fold(0, |v, b| v * 10 + u16::from(b - b'0')))
}

/// Skips the white space between date fields, which must be there.
fn space(s: &mut Scanner<'_>, what: &'static str) -> Result<(), SyntaxError> {
    if s.skip_lws() {
        Ok(())
    } else {
        Err(s.error(what))
    }
}

impl TypedHeader<'_> for Date {
    const NAME: HeaderName = HeaderName::Date;

    fn parse(value: &str) -> Result<Self, SyntaxError> {
        let mut s = Scanner::new(value);
        s.skip_lws();
        let start = s.pos();
        let weekday = Weekday::from_name(s.take_while(|b| b.is_ascii_alphabetic()))
            .ok_or(SyntaxError::new("expected day of the week", start))?;
        s.expect(b',', "expected ',' after day of the week")?;
        space(&mut s, "expected white space after ','")?;
        let day_at = s.pos();
        let day = digits(&mut s, 2, "expected two-digit day")? as u8;
        space(&mut s, "expected white space after day")?;
        let start = s.pos();
        let name = s.take_while(|b| b.is_ascii_alphabetic());
        let month = MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(name))
            .ok_or(SyntaxError::new("expected month name", start))? as u8
            + 1;
        space(&mut s, "expected white space after month")?;
        let year = digits(&mut s, 4, "expected four-digit year")?;
        space(&mut s, "expected white space after year")?;
        let start = s.pos();
        let hour = digits(&mut s, 2, "expected two-digit hour")? as u8;
        s.expect(b':', "expected ':' after hour")?;
        let minute = digits(&mut s, 2, "expected two-digit minute")? as u8;
        s.expect(b':', "expected ':' after minute")?;
        let second = digits(&mut s, 2, "expected two-digit second")? as u8;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(SyntaxError::new("time out of range", start));
        }
        space(&mut s, "expected white space before GMT")?;
        let start = s.pos();
        if !s
            .take_while(|b| b.is_ascii_alphabetic())
            .eq_ignore_ascii_case("GMT")
        {
            return Err(SyntaxError::new("Date must be in GMT", start));
        }
        s.skip_lws();
        if !s.is_empty() {
            return Err(s.error("unexpected text after GMT"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(SyntaxError::new("day out of range for the month", day_at));
        }
        Ok(Self {
            weekday,
            day,
            month,
            year,
            hour,
            minute,
            second,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            self.weekday,
            self.day,
            self.month_name(),
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{assert_round_trip, validate};

    #[test]
    fn rfc_examples() {
        // RFC 3261 §20.17.
        let d = Date::parse("Sat, 13 Nov 2010 23:29:00 GMT").unwrap();
        assert_eq!(d.weekday, Weekday::Sat);
        assert_eq!((d.day, d.month, d.year), (13, 11, 2010));
        assert_eq!((d.hour, d.minute, d.second), (23, 29, 0));
        assert_eq!(d.unix_time(), Some(1_289_690_940));
        assert_eq!(Date::from_unix(1_289_690_940), Some(d));
        assert_round_trip(&d);
        // RFC 2616 §3.3.1 (RFC 1123 form).
        let d = Date::parse("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(d.unix_time(), Some(784_111_777));
        assert_eq!(d.to_string(), "Sun, 06 Nov 1994 08:49:37 GMT");
        // RFC 4475 §3.1.1.11 mpart01.
        let d = Date::parse("Sat, 15 Oct 2005 04:44:56 GMT").unwrap();
        assert_eq!(d.unix_time(), Some(1_129_351_496));
    }

    #[test]
    fn epoch_conversions() {
        let epoch = Date::from_unix(0).unwrap();
        assert_eq!(epoch.to_string(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(epoch.unix_time(), Some(0));
        let leap = Date::from_unix(951_782_400).unwrap();
        assert_eq!(leap.to_string(), "Tue, 29 Feb 2000 00:00:00 GMT");
        let last = Date::from_unix(MAX_UNIX).unwrap();
        assert_eq!(last.to_string(), "Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(last.unix_time(), Some(MAX_UNIX));
        assert_eq!(Date::from_unix(MAX_UNIX + 1), None);
        assert_eq!(Date::from_unix(u64::MAX), None);
        // Every day boundary over a few centuries goes both ways.
        for days in (0..MAX_UNIX / 86_400).step_by(997) {
            let secs = days * 86_400 + 45_296;
            let d = Date::from_unix(secs).unwrap();
            assert_eq!(d.unix_time(), Some(secs), "{d}");
            assert_eq!(Date::parse(&d.to_string()), Ok(d));
        }
        let old = Date::parse("Mon, 01 Jan 1900 00:00:00 GMT").unwrap();
        assert_eq!(old.unix_time(), None);
        let zero = Date::parse("Sat, 01 Jan 0000 00:00:00 GMT").unwrap();
        assert_eq!(zero.unix_time(), None);
        assert_round_trip(&zero);
    }

    #[test]
    fn leniency() {
        // Case-insensitive names, a leap second, folded white space.
        let d = Date::parse("sun,\r\n 06 nov 1994 08:49:60 gmt").unwrap();
        assert_eq!(d.to_string(), "Sun, 06 Nov 1994 08:49:60 GMT");
        assert_eq!(d.unix_time(), Some(784_111_800));
    }

    #[test]
    fn rfc4475_baddate() {
        // RFC 4475 §3.1.2.14: not GMT.
        assert!(Date::parse("Fri, 01 Jan 2010 16:00:00 EST").is_err());
        assert!(validate(HeaderName::Date, "Fri, 01 Jan 2010 16:00:00 EST").is_err());
    }

    #[test]
    fn invalid() {
        for v in [
            "",
            "Sat, 13 Nov 2010 23:29:00",
            "Sat, 13 Nov 2010 23:29:00 UTC",
            "Sat, 13 Nov 2010 23:29:00 GMT+1",
            "Sat, 13 Nov 2010 23:29:00 GMT x",
            "Saturday, 13 Nov 2010 23:29:00 GMT",
            "Sab, 13 Nov 2010 23:29:00 GMT",
            "Sat 13 Nov 2010 23:29:00 GMT",
            "Sat,13 Nov 2010 23:29:00 GMT",
            "Sat, 3 Nov 2010 23:29:00 GMT",
            "Sat, 13 November 2010 23:29:00 GMT",
            "Sat, 13 Nvo 2010 23:29:00 GMT",
            "Sat, 13 Nov 10 23:29:00 GMT",
            "Sat, 13 Nov 20100 23:29:00 GMT",
            "Sat, 13 Nov 2010 24:00:00 GMT",
            "Sat, 13 Nov 2010 23:60:00 GMT",
            "Sat, 13 Nov 2010 23:59:61 GMT",
            "Sat, 13 Nov 2010 3:29:00 GMT",
            "Sat, 13 Nov 2010 23-29-00 GMT",
            "Sat, 00 Nov 2010 23:29:00 GMT",
            "Sat, 31 Nov 2010 23:29:00 GMT",
            "Sat, 29 Feb 2100 23:29:00 GMT",
            "Sat, 30 Feb 2000 23:29:00 GMT",
            "Sat, 13 Nov 2010 23:29:00 GMT\u{e9}",
            "S\u{e9}t, 13 Nov 2010 23:29:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert!(Date::parse(v).is_err(), "{v:?}");
        }
        assert!(Date::parse("Tue, 29 Feb 2000 00:00:00 GMT").is_ok());
    }
}
