//! Arbitrary-precision numbers (`bigInteger`, `bigDecimal`), kept as validated text.
//!
//! The runtime does no arithmetic on them: it carries the exact digits between the wire and
//! the caller. The accepted syntax is JSON's number grammar, so the text can be written to a
//! JSON body as is.

use std::fmt;
use std::str::FromStr;

/// An arbitrary-precision integer: `-?(0|[1-9][0-9]*)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigInteger(String);

/// An arbitrary-precision decimal: a JSON number
/// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigDecimal(String);

/// Text that is not a valid number. Carries no part of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberError {
    what: &'static str,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid {}", self.what)
    }
}

impl std::error::Error for NumberError {}

/// Length of the `-?(0|[1-9][0-9]*)` prefix, or `None` if there is none.
fn integer_prefix(b: &[u8]) -> Option<usize> {
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => Some(i + 1),
        Some(b'1'..=b'9') => {
            i += 1;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
            Some(i)
        }
        _ => None,
    }
}

fn digits_from(b: &[u8], mut i: usize) -> Option<usize> {
    let start = i;
    while matches!(b.get(i), Some(b'0'..=b'9')) {
        i += 1;
    }
    (i > start).then_some(i)
}

fn is_decimal(b: &[u8]) -> bool {
    let Some(mut i) = integer_prefix(b) else {
        return false;
    };
    if b.get(i) == Some(&b'.') {
        match digits_from(b, i + 1) {
            Some(j) => i = j,
            None => return false,
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        match digits_from(b, i) {
            Some(j) => i = j,
            None => return false,
        }
    }
    i == b.len()
}

impl BigInteger {
    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl BigDecimal {
    /// The number text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BigInteger {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, NumberError> {
        if integer_prefix(s.as_bytes()) == Some(s.len()) {
            Ok(BigInteger(s.to_owned()))
        } else {
            Err(NumberError {
                what: "big integer",
            })
        }
    }
}

impl FromStr for BigDecimal {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, NumberError> {
        if is_decimal(s.as_bytes()) {
            Ok(BigDecimal(s.to_owned()))
        } else {
            Err(NumberError {
                what: "big decimal",
            })
        }
    }
}

impl fmt::Display for BigInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for BigDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for BigInteger {
    fn from(v: i64) -> Self {
        BigInteger(v.to_string())
    }
}

impl From<u64> for BigInteger {
    fn from(v: u64) -> Self {
        BigInteger(v.to_string())
    }
}

impl From<i64> for BigDecimal {
    fn from(v: i64) -> Self {
        BigDecimal(v.to_string())
    }
}

impl From<BigInteger> for BigDecimal {
    fn from(v: BigInteger) -> Self {
        BigDecimal(v.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_integer_syntax() {
        for ok in ["0", "-0", "7", "-123456789012345678901234567890"] {
            assert_eq!(ok.parse::<BigInteger>().unwrap().as_str(), ok);
        }
        for bad in ["", "-", "+1", "01", "1.0", "1e3", " 1", "1 ", "abc", "--1"] {
            assert!(bad.parse::<BigInteger>().is_err(), "{bad:?}");
        }
        assert_eq!(BigInteger::from(-5i64).to_string(), "-5");
    }

    #[test]
    fn big_decimal_syntax() {
        for ok in [
            "0",
            "-0.5",
            "1.25",
            "1e10",
            "1E-7",
            "-12.5e+3",
            "123456789012345678901234.5",
        ] {
            assert_eq!(ok.parse::<BigDecimal>().unwrap().to_string(), ok);
        }
        for bad in [
            "", ".5", "1.", "1e", "1e+", "01.5", "+1", "1.5.5", "NaN", "Infinity", "1_0",
        ] {
            assert!(bad.parse::<BigDecimal>().is_err(), "{bad:?}");
        }
    }
}
