//! `@pattern` regular expressions, compiled once on first use.

use std::fmt;
use std::sync::OnceLock;

/// An ECMA-262 regular expression from a Smithy `@pattern` trait.
///
/// Declared in a `static` by generated code and compiled (with the `regress` crate) the first
/// time it is used, once, thread-safely. Smithy patterns are not implicitly anchored:
/// [`Pattern::is_match`] looks for a match anywhere in the string.
///
/// The generator checks every pattern at generation time. Should one still fail to compile
/// at run time, [`Pattern::is_match`] returns `true`: the check is skipped rather than
/// rejecting every input.
pub struct Pattern {
    source: &'static str,
    unicode: bool,
    compiled: OnceLock<Option<regress::Regex>>,
}

impl Pattern {
    /// A pattern from its source; `unicode` compiles with the `u` flag.
    pub const fn new(source: &'static str, unicode: bool) -> Self {
        Pattern {
            source,
            unicode,
            compiled: OnceLock::new(),
        }
    }

    /// Whether the pattern matches anywhere in `s` (`true` if it cannot be compiled).
    pub fn is_match(&self, s: &str) -> bool {
        match self.regex() {
            Some(re) => re.find(s).is_some(),
            None => true,
        }
    }

    /// Whether the pattern compiles.
    pub fn is_valid(&self) -> bool {
        self.regex().is_some()
    }

    /// The pattern source.
    pub fn source(&self) -> &'static str {
        self.source
    }

    fn regex(&self) -> Option<&regress::Regex> {
        self.compiled
            .get_or_init(|| {
                let flags = if self.unicode { "u" } else { "" };
                regress::Regex::with_flags(self.source, flags).ok()
            })
            .as_ref()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ARN: Pattern = Pattern::new("^arn:[\\w+=/,.@-]+:[a-z]+$", false);
    static UNANCHORED: Pattern = Pattern::new("[0-9]{3}", false);
    static BROKEN: Pattern = Pattern::new("(unclosed", false);
    static UNICODE: Pattern = Pattern::new("^\\p{L}+$", true);

    #[test]
    fn anchored_and_unanchored() {
        assert!(ARN.is_match("arn:aws:portal"));
        assert!(!ARN.is_match("arn:aws:Portal!"));
        assert!(UNANCHORED.is_match("abc123def"));
        assert!(!UNANCHORED.is_match("ab12cd"));
        assert_eq!(ARN.source(), "^arn:[\\w+=/,.@-]+:[a-z]+$");
    }

    #[test]
    fn unicode_flag() {
        assert!(UNICODE.is_match("héllo"));
        assert!(!UNICODE.is_match("hello1"));
    }

    #[test]
    fn invalid_pattern_skips_the_check() {
        assert!(!BROKEN.is_valid());
        assert!(BROKEN.is_match("anything"));
    }

    #[test]
    fn usable_from_many_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| UNANCHORED.is_match("x999")))
            .collect();
        for h in handles {
            assert!(h.join().unwrap());
        }
    }
}
