//! Timestamps (`timestamp`) and their three wire formats.
//!
//! Calendar arithmetic is proleptic Gregorian, UTC, with no leap seconds.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// An instant: seconds since the Unix epoch plus a sub-second part.
///
/// `secs` is the floor of the instant, so `nanos` is always in `0..1_000_000_000`, also
/// before 1970 (-0.5 s is `secs = -1, nanos = 500_000_000`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// The wire formats of a Smithy `timestamp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// RFC 3339 (`2019-12-16T23:48:18Z`).
    DateTime,
    /// Seconds since the epoch, possibly fractional (`1576540098.52`).
    EpochSeconds,
    /// RFC 7231 IMF-fixdate (`Mon, 16 Dec 2019 23:48:18 GMT`).
    HttpDate,
}

/// Text that is not a timestamp in the expected format. Carries no part of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeError {
    format: TimestampFormat,
    reason: &'static str,
}

impl DateTimeError {
    fn new(format: TimestampFormat, reason: &'static str) -> Self {
        DateTimeError { format, reason }
    }
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.format {
            TimestampFormat::DateTime => "date-time",
            TimestampFormat::EpochSeconds => "epoch-seconds",
            TimestampFormat::HttpDate => "http-date",
        };
        write!(f, "invalid {name} timestamp: {}", self.reason)
    }
}

impl std::error::Error for DateTimeError {}

impl DateTime {
    /// Whole seconds since the epoch.
    pub const fn from_secs(secs: i64) -> Self {
        DateTime { secs, nanos: 0 }
    }

    /// Seconds plus nanoseconds; nanoseconds of a second or more carry into `secs`
    /// (saturating at the ends of the range).
    pub const fn from_secs_and_nanos(secs: i64, nanos: u32) -> Self {
        let carry = (nanos / NANOS_PER_SEC) as i64;
        DateTime {
            secs: secs.saturating_add(carry),
            nanos: nanos % NANOS_PER_SEC,
        }
    }

    /// From fractional seconds; `None` if not finite or out of range.
    ///
    /// Uses the shortest decimal form of the float, so `1576540098.52` gives exactly
    /// 520 ms rather than the binary approximation.
    pub fn from_fractional_secs(secs: f64) -> Option<Self> {
        if !secs.is_finite() {
            return None;
        }
        parse_epoch(&format!("{secs}")).ok()
    }

    /// Whole seconds since the epoch (the floor).
    pub const fn secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds past `secs()`.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Seconds since the epoch as a float (lossy for large values).
    pub fn as_fractional_secs(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / f64::from(NANOS_PER_SEC)
    }

    /// The current time.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// From a `SystemTime` (saturating outside the `i64` seconds range).
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => DateTime {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    DateTime {
                        secs: -secs,
                        nanos: 0,
                    }
                } else {
                    DateTime {
                        secs: (-secs).saturating_sub(1),
                        nanos: NANOS_PER_SEC - d.subsec_nanos(),
                    }
                }
            }
        }
    }

    /// To a `SystemTime`; `None` if the platform cannot represent the instant.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        if self.secs >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(self.secs.unsigned_abs(), self.nanos))
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(self.secs.unsigned_abs()))?
                .checked_add(Duration::from_nanos(u64::from(self.nanos)))
        }
    }

    /// Formats in `format`.
    ///
    /// - date-time: RFC 3339 in UTC, fractional seconds only when non-zero, trailing zeros
    ///   trimmed (`2019-12-16T23:48:18.52Z`);
    /// - epoch-seconds: an integer, or a decimal with up to 3 fractional digits (milliseconds,
    ///   truncated toward negative infinity);
    /// - http-date: IMF-fixdate, whole seconds.
    pub fn format(&self, format: TimestampFormat) -> String {
        match format {
            TimestampFormat::DateTime => self.format_rfc3339(),
            TimestampFormat::EpochSeconds => self.format_epoch(),
            TimestampFormat::HttpDate => self.format_http_date(),
        }
    }

    /// Parses `text` in `format`.
    ///
    /// - date-time: RFC 3339 with any offset, `T`/`t`/space separator, `Z`/`z`, fractional
    ///   seconds of any length (beyond nanoseconds truncated);
    /// - http-date: IMF-fixdate, RFC 850 and asctime;
    /// - epoch-seconds: decimal numbers with optional fraction and exponent.
    pub fn parse(format: TimestampFormat, text: &str) -> Result<Self, DateTimeError> {
        match format {
            TimestampFormat::DateTime => parse_rfc3339(text),
            TimestampFormat::EpochSeconds => parse_epoch(text),
            TimestampFormat::HttpDate => parse_http_date(text),
        }
    }

    fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // rem < 86400, so these fit.
        let h = u32::try_from(rem / 3600).unwrap_or(0);
        let mi = u32::try_from(rem % 3600 / 60).unwrap_or(0);
        let s = u32::try_from(rem % 60).unwrap_or(0);
        (y, m, d, h, mi, s)
    }

    fn format_rfc3339(&self) -> String {
        let (y, m, d, h, mi, s) = self.civil();
        let mut out = String::with_capacity(30);
        push_year(&mut out, y);
        out.push_str(&format!("-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}"));
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    fn format_epoch(&self) -> String {
        let millis = i128::from(self.secs) * 1000 + i128::from(self.nanos / 1_000_000);
        if millis % 1000 == 0 {
            return self.secs.to_string();
        }
        let sign = if millis < 0 { "-" } else { "" };
        let abs = millis.unsigned_abs();
        let frac = format!("{:03}", abs % 1000);
        format!("{sign}{}.{}", abs / 1000, frac.trim_end_matches('0'))
    }

    fn format_http_date(&self) -> String {
        let (y, m, d, h, mi, s) = self.civil();
        let wd = weekday(self.secs.div_euclid(86_400));
        let mut out = String::with_capacity(29);
        out.push_str(WEEKDAYS_SHORT.get(wd).copied().unwrap_or("Thu"));
        out.push_str(&format!(", {d:02} "));
        out.push_str(
            MONTHS
                .get((m as usize).wrapping_sub(1))
                .copied()
                .unwrap_or("Jan"),
        );
        out.push(' ');
        push_year(&mut out, y);
        out.push_str(&format!(" {h:02}:{mi:02}:{s:02} GMT"));
        out
    }
}

fn push_year(out: &mut String, y: i64) {
    if y < 0 {
        out.push_str(&format!("-{:04}", y.unsigned_abs()));
    } else {
        out.push_str(&format!("{y:04}"));
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_rfc3339())
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_rfc3339())
    }
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        DateTime::from_system_time(t)
    }
}

const WEEKDAYS_SHORT: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const WEEKDAYS_LONG: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// 0 = Sunday.
fn weekday(days: i64) -> usize {
    // 1970-01-01 was a Thursday; rem_euclid(7) is in 0..7.
    usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Shift the year to start in March so that the leap day is the last day of the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let shifted_month = if m > 2 { m - 3 } else { m + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A tiny cursor over ASCII text.
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
    format: TimestampFormat,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str, format: TimestampFormat) -> Self {
        Cursor {
            s: s.as_bytes(),
            pos: 0,
            format,
        }
    }

    fn err(&self, reason: &'static str) -> DateTimeError {
        DateTimeError::new(self.format, reason)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8, reason: &'static str) -> Result<(), DateTimeError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(reason))
        }
    }

    /// Exactly `n` digits.
    fn digits(&mut self, n: usize, reason: &'static str) -> Result<u32, DateTimeError> {
        let mut v: u32 = 0;
        for _ in 0..n {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(c - b'0');
                    self.pos += 1;
                }
                _ => return Err(self.err(reason)),
            }
        }
        Ok(v)
    }

    /// Between `min` and `max` digits.
    fn digits_between(
        &mut self,
        min: usize,
        max: usize,
        reason: &'static str,
    ) -> Result<u32, DateTimeError> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(c - b'0');
                    self.pos += 1;
                    n += 1;
                }
                _ => break,
            }
        }
        if n < min {
            Err(self.err(reason))
        } else {
            Ok(v)
        }
    }

    /// `.digits` if present: nanoseconds (digits past the ninth are ignored).
    fn fraction(&mut self) -> Result<u32, DateTimeError> {
        if !self.eat(b'.') {
            return Ok(0);
        }
        let mut nanos: u32 = 0;
        let mut n = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            if n < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
            n += 1;
            self.pos += 1;
        }
        if n == 0 {
            return Err(self.err("empty fractional seconds"));
        }
        for _ in n..9 {
            nanos *= 10;
        }
        Ok(nanos)
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or_default()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }
}

struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset_secs: i64,
}

fn assemble(f: Fields, format: TimestampFormat) -> Result<DateTime, DateTimeError> {
    if !(1..=12).contains(&f.month) {
        return Err(DateTimeError::new(format, "month out of range"));
    }
    if f.day == 0 || f.day > days_in_month(f.year, f.month) {
        return Err(DateTimeError::new(format, "day out of range"));
    }
    if f.hour > 23 || f.minute > 59 || f.second > 59 {
        return Err(DateTimeError::new(format, "time of day out of range"));
    }
    let days = days_from_civil(f.year, f.month, f.day);
    let secs =
        days * 86_400 + i64::from(f.hour) * 3600 + i64::from(f.minute) * 60 + i64::from(f.second)
            - f.offset_secs;
    Ok(DateTime {
        secs,
        nanos: f.nanos,
    })
}

fn parse_rfc3339(text: &str) -> Result<DateTime, DateTimeError> {
    let mut c = Cursor::new(text, TimestampFormat::DateTime);
    let year = c.digits(4, "expected a four-digit year")?;
    c.expect(b'-', "expected '-' after the year")?;
    let month = c.digits(2, "expected a two-digit month")?;
    c.expect(b'-', "expected '-' after the month")?;
    let day = c.digits(2, "expected a two-digit day")?;
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err(c.err("expected 'T' between date and time"));
    }
    let hour = c.digits(2, "expected a two-digit hour")?;
    c.expect(b':', "expected ':' after the hour")?;
    let minute = c.digits(2, "expected two-digit minutes")?;
    c.expect(b':', "expected ':' after the minutes")?;
    let second = c.digits(2, "expected two-digit seconds")?;
    let nanos = c.fraction()?;
    let offset_secs = if c.eat(b'Z') || c.eat(b'z') {
        0
    } else {
        let sign: i64 = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return Err(c.err("expected a time zone offset"));
        };
        let oh = c.digits(2, "expected a two-digit offset hour")?;
        c.expect(b':', "expected ':' in the offset")?;
        let om = c.digits(2, "expected two-digit offset minutes")?;
        if oh > 23 || om > 59 {
            return Err(c.err("offset out of range"));
        }
        sign * (i64::from(oh) * 3600 + i64::from(om) * 60)
    };
    if !c.at_end() {
        return Err(c.err("unexpected trailing characters"));
    }
    assemble(
        Fields {
            year: i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset_secs,
        },
        TimestampFormat::DateTime,
    )
}

fn month_from_name(name: &[u8]) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| m.as_bytes().eq_ignore_ascii_case(name))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn is_weekday(name: &[u8], long: bool) -> bool {
    let list: &[&str] = if long {
        &WEEKDAYS_LONG
    } else {
        &WEEKDAYS_SHORT
    };
    list.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(name))
}

fn parse_hms(c: &mut Cursor<'_>) -> Result<(u32, u32, u32, u32), DateTimeError> {
    let h = c.digits(2, "expected a two-digit hour")?;
    c.expect(b':', "expected ':' after the hour")?;
    let m = c.digits(2, "expected two-digit minutes")?;
    c.expect(b':', "expected ':' after the minutes")?;
    let s = c.digits(2, "expected two-digit seconds")?;
    let nanos = c.fraction()?;
    Ok((h, m, s, nanos))
}

fn parse_http_date(text: &str) -> Result<DateTime, DateTimeError> {
    let format = TimestampFormat::HttpDate;
    let mut c = Cursor::new(text.trim(), format);
    let wd = c.word();
    if c.eat(b',') {
        c.expect(b' ', "expected a space after the weekday")?;
        if is_weekday(wd, false) {
            // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (one-digit days tolerated).
            let day = c.digits_between(1, 2, "expected the day")?;
            c.expect(b' ', "expected a space after the day")?;
            let month = month_from_name(c.word()).ok_or(c.err("unknown month"))?;
            c.expect(b' ', "expected a space after the month")?;
            let year = c.digits(4, "expected a four-digit year")?;
            c.expect(b' ', "expected a space after the year")?;
            let (hour, minute, second, nanos) = parse_hms(&mut c)?;
            c.expect(b' ', "expected ' GMT'")?;
            if c.word() != b"GMT" || !c.at_end() {
                return Err(c.err("expected ' GMT' at the end"));
            }
            assemble(
                Fields {
                    year: i64::from(year),
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    nanos,
                    offset_secs: 0,
                },
                format,
            )
        } else if is_weekday(wd, true) {
            // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`.
            let day = c.digits(2, "expected a two-digit day")?;
            c.expect(b'-', "expected '-' after the day")?;
            let month = month_from_name(c.word()).ok_or(c.err("unknown month"))?;
            c.expect(b'-', "expected '-' after the month")?;
            let yy = c.digits(2, "expected a two-digit year")?;
            c.expect(b' ', "expected a space after the year")?;
            let (hour, minute, second, nanos) = parse_hms(&mut c)?;
            c.expect(b' ', "expected ' GMT'")?;
            if c.word() != b"GMT" || !c.at_end() {
                return Err(c.err("expected ' GMT' at the end"));
            }
            // Two-digit years: 70..99 are 19xx, 00..69 are 20xx.
            let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
            assemble(
                Fields {
                    year: i64::from(year),
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    nanos,
                    offset_secs: 0,
                },
                format,
            )
        } else {
            Err(c.err("unknown weekday"))
        }
    } else if is_weekday(wd, false) {
        // asctime: `Sun Nov  6 08:49:37 1994`.
        c.expect(b' ', "expected a space after the weekday")?;
        let month = month_from_name(c.word()).ok_or(c.err("unknown month"))?;
        c.expect(b' ', "expected a space after the month")?;
        c.eat(b' ');
        let day = c.digits_between(1, 2, "expected the day")?;
        c.expect(b' ', "expected a space after the day")?;
        let (hour, minute, second, nanos) = parse_hms(&mut c)?;
        c.expect(b' ', "expected a space before the year")?;
        let year = c.digits(4, "expected a four-digit year")?;
        if !c.at_end() {
            return Err(c.err("unexpected trailing characters"));
        }
        assemble(
            Fields {
                year: i64::from(year),
                month,
                day,
                hour,
                minute,
                second,
                nanos,
                offset_secs: 0,
            },
            format,
        )
    } else {
        Err(c.err("unknown weekday"))
    }
}

/// Parses a decimal number of seconds exactly (no float rounding): `[+-]digits[.digits][e[+-]digits]`.
fn parse_epoch(text: &str) -> Result<DateTime, DateTimeError> {
    let format = TimestampFormat::EpochSeconds;
    let err = |r| DateTimeError::new(format, r);
    let t = text.trim().as_bytes();
    let (negative, rest) = match t.first() {
        Some(b'-') => (true, t.get(1..).unwrap_or_default()),
        Some(b'+') => (false, t.get(1..).unwrap_or_default()),
        _ => (false, t),
    };
    let mut digits: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut int_len = 0usize;
    while let Some(&c @ b'0'..=b'9') = rest.get(i) {
        digits.push(c - b'0');
        int_len += 1;
        i += 1;
    }
    let mut frac_len = 0usize;
    if rest.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c @ b'0'..=b'9') = rest.get(i) {
            digits.push(c - b'0');
            frac_len += 1;
            i += 1;
        }
    }
    if int_len + frac_len == 0 {
        return Err(err("expected digits"));
    }
    let mut exp: i64 = 0;
    if matches!(rest.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match rest.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut n = 0;
        while let Some(&c @ b'0'..=b'9') = rest.get(i) {
            exp = exp
                .checked_mul(10)
                .and_then(|e| e.checked_add(i64::from(c - b'0')))
                .ok_or(err("exponent out of range"))?;
            n += 1;
            i += 1;
        }
        if n == 0 {
            return Err(err("empty exponent"));
        }
        if exp_negative {
            exp = -exp;
        }
    }
    if i != rest.len() {
        return Err(err("unexpected characters"));
    }
    // Position of the decimal point within `digits` after applying the exponent.
    let point = i64::try_from(int_len)
        .ok()
        .and_then(|p| p.checked_add(exp))
        .ok_or(err("exponent out of range"))?;
    let mut whole: i64 = 0;
    let mut nanos: u32 = 0;
    let mut frac_digits = 0;
    // Digits before the point (padding with zeros when the point is past the digits).
    let upto = point.max(0);
    let len = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let mut k: i64 = 0;
    while k < upto {
        let d = if k < len {
            digits
                .get(usize::try_from(k).unwrap_or(usize::MAX))
                .copied()
                .unwrap_or(0)
        } else {
            0
        };
        whole = whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(i64::from(d)))
            .ok_or(err("out of range"))?;
        k += 1;
        if whole == 0 && k >= len {
            // Only zeros left (e.g. 0e999999999); stop early.
            break;
        }
    }
    // Digits after the point (leading zeros when the point is before the digits).
    let mut k = point;
    while frac_digits < 9 {
        let d = if k < 0 || k >= len {
            0
        } else {
            digits
                .get(usize::try_from(k).unwrap_or(usize::MAX))
                .copied()
                .unwrap_or(0)
        };
        nanos = nanos * 10 + u32::from(d);
        frac_digits += 1;
        k += 1;
    }
    if negative {
        if nanos == 0 {
            Ok(DateTime {
                secs: -whole,
                nanos: 0,
            })
        } else {
            Ok(DateTime {
                secs: (-whole).checked_sub(1).ok_or(err("out of range"))?,
                nanos: NANOS_PER_SEC - nanos,
            })
        }
    } else {
        Ok(DateTime { secs: whole, nanos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimestampFormat::{DateTime, EpochSeconds, HttpDate};

    #[test]
    fn spec_examples_format() {
        let t = super::DateTime::from_secs(1_576_540_098);
        assert_eq!(t.format(DateTime), "2019-12-16T23:48:18Z");
        assert_eq!(t.format(EpochSeconds), "1576540098");
        assert_eq!(t.format(HttpDate), "Mon, 16 Dec 2019 23:48:18 GMT");
        let t = super::DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000);
        assert_eq!(t.format(DateTime), "2019-12-16T23:48:18.52Z");
        assert_eq!(t.format(EpochSeconds), "1576540098.52");
        assert_eq!(t.format(HttpDate), "Mon, 16 Dec 2019 23:48:18 GMT");
        assert_eq!(format!("{t}"), "2019-12-16T23:48:18.52Z");
        assert_eq!(format!("{t:?}"), "2019-12-16T23:48:18.52Z");
    }

    #[test]
    fn spec_examples_parse() {
        let want = super::DateTime::from_secs(1_576_540_098);
        for (f, s) in [
            (DateTime, "2019-12-16T23:48:18Z"),
            (DateTime, "2019-12-16t23:48:18z"),
            (DateTime, "2019-12-17T00:48:18+01:00"),
            (DateTime, "2019-12-16T22:48:18-01:00"),
            (EpochSeconds, "1576540098"),
            (EpochSeconds, "1.576540098e9"),
            (EpochSeconds, "1576540098.0"),
            (HttpDate, "Mon, 16 Dec 2019 23:48:18 GMT"),
            (HttpDate, "Monday, 16-Dec-19 23:48:18 GMT"),
            (HttpDate, "Mon Dec 16 23:48:18 2019"),
        ] {
            assert_eq!(super::DateTime::parse(f, s), Ok(want), "{s}");
        }
        let frac = super::DateTime::parse(DateTime, "2019-12-16T23:48:18.52Z").unwrap();
        assert_eq!(frac.subsec_nanos(), 520_000_000);
        let long = super::DateTime::parse(DateTime, "2019-12-16T23:48:18.123456789123Z").unwrap();
        assert_eq!(long.subsec_nanos(), 123_456_789);
        let e = super::DateTime::parse(EpochSeconds, "1576540098.52").unwrap();
        assert_eq!((e.secs(), e.subsec_nanos()), (1_576_540_098, 520_000_000));
        let asc = super::DateTime::parse(HttpDate, "Sun Nov  6 08:49:37 1994").unwrap();
        assert_eq!(asc.format(HttpDate), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn rejects_malformed() {
        for (f, s) in [
            (DateTime, ""),
            (DateTime, "2019-12-16"),
            (DateTime, "2019-13-16T23:48:18Z"),
            (DateTime, "2019-02-29T23:48:18Z"),
            (DateTime, "2019-12-16T24:00:00Z"),
            (DateTime, "2019-12-16T23:48:18"),
            (DateTime, "2019-12-16T23:48:18.Z"),
            (DateTime, "2019-12-16T23:48:18Zjunk"),
            (HttpDate, "Mon, 16 Foo 2019 23:48:18 GMT"),
            (HttpDate, "Mon, 16 Dec 2019 23:48:18 PST"),
            (HttpDate, "Xyz, 16 Dec 2019 23:48:18 GMT"),
            (EpochSeconds, ""),
            (EpochSeconds, "abc"),
            (EpochSeconds, "1e"),
            (EpochSeconds, "1.2.3"),
            (EpochSeconds, "NaN"),
            (EpochSeconds, "1e30"),
            (EpochSeconds, "99999999999999999999"),
        ] {
            assert!(super::DateTime::parse(f, s).is_err(), "{s:?} accepted");
        }
        assert!(super::DateTime::parse(DateTime, "2020-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn negative_and_fractional_epoch() {
        let t = super::DateTime::parse(EpochSeconds, "-1.5").unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(t.format(EpochSeconds), "-1.5");
        assert_eq!(t.format(DateTime), "1969-12-31T23:59:58.5Z");
        assert_eq!(t.as_fractional_secs(), -1.5);
        let t = super::DateTime::parse(EpochSeconds, "1.5e-3").unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (0, 1_500_000));
        assert_eq!(t.format(EpochSeconds), "0.001");
        let t = super::DateTime::from_fractional_secs(1_576_540_098.52).unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (1_576_540_098, 520_000_000));
        assert_eq!(super::DateTime::from_fractional_secs(f64::NAN), None);
        assert_eq!(super::DateTime::from_fractional_secs(1e300), None);
        assert_eq!(
            super::DateTime::parse(EpochSeconds, "0e999999999"),
            Ok(super::DateTime::from_secs(0))
        );
    }

    #[test]
    fn calendar_round_trips_over_a_wide_range() {
        let mut days = -800_000i64;
        while days < 800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
            days += 7;
        }
        for secs in [
            0i64,
            -1,
            951_782_400,     // 2000-02-29
            4_107_542_399,   // 2100-02-28T23:59:59
            -62_135_596_800, // 0001-01-01
            253_402_300_799, // 9999-12-31T23:59:59
        ] {
            let t = super::DateTime::from_secs_and_nanos(secs, 250_000_000);
            assert_eq!(super::DateTime::parse(DateTime, &t.format(DateTime)), Ok(t));
            assert_eq!(
                super::DateTime::parse(EpochSeconds, &t.format(EpochSeconds)),
                Ok(t)
            );
            let whole = super::DateTime::from_secs(secs);
            assert_eq!(
                super::DateTime::parse(HttpDate, &whole.format(HttpDate)),
                Ok(whole)
            );
        }
        assert_eq!(
            super::DateTime::from_secs(951_782_400).format(DateTime),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn extreme_values_do_not_panic() {
        for secs in [i64::MIN, i64::MAX, i64::MIN + 1] {
            let t = super::DateTime::from_secs_and_nanos(secs, 999_999_999);
            for f in [DateTime, EpochSeconds, HttpDate] {
                let _ = t.format(f);
            }
            let _ = t.to_system_time();
        }
        assert_eq!(
            super::DateTime::from_secs_and_nanos(i64::MAX, 2_000_000_000).secs(),
            i64::MAX
        );
    }

    #[test]
    fn system_time_round_trip() {
        let now = super::DateTime::now();
        let st = now.to_system_time().unwrap();
        assert_eq!(super::DateTime::from_system_time(st), now);
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        let t = super::DateTime::from_system_time(before);
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(t.to_system_time(), Some(before));
    }
}
