//! `@pattern` regular expressions, compiled once on first use, with an optional fast path
//! for ASCII strings that the generator derives from the pattern.

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
///
/// A pattern built with [`Pattern::with_fast`] also carries a [`Fast`] matcher, which the
/// generator derives only when it gives the same answer as the regular expression; the
/// regular expression then runs only for strings the fast matcher cannot decide.
pub struct Pattern {
    source: &'static str,
    unicode: bool,
    fast: Option<Fast>,
    compiled: OnceLock<Option<regress::Regex>>,
}

/// A matcher equivalent to a whole pattern, for patterns of simple anchored shapes.
///
/// Produced by the generator (which proves the equivalence); see [`Pattern::with_fast`].
#[derive(Clone, Copy, Debug)]
pub enum Fast {
    /// The pattern matches every string (such as `^[\s\S]*$`).
    Any,
    /// For ASCII strings, the pattern matches exactly when the steps, applied in order from
    /// the start, consume the whole string (see [`Step`]). Non-ASCII strings, and strings
    /// the steps do not take that end in `\n` or `\r` (which Java's `$` may match before),
    /// are left to the regular expression.
    Ascii(&'static [Step]),
}

/// One step of a [`Fast::Ascii`] matcher. Steps never backtrack: each takes as much as it
/// can (up to its maximum) and fails when that is less than its minimum.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// Between `min` and `max` characters of `set` (`max == u32::MAX`: no maximum).
    Run {
        /// The characters.
        set: &'static AsciiSet,
        /// Fewest characters.
        min: u32,
        /// Most characters; `u32::MAX` for no maximum.
        max: u32,
    },
    /// Between `min` and `max` repetitions of `block` (`max == u32::MAX`: no maximum); a
    /// repetition that does not match is not taken.
    Repeat {
        /// The repeated steps (each of a fixed length).
        block: &'static [Step],
        /// Fewest repetitions.
        min: u32,
        /// Most repetitions; `u32::MAX` for no maximum.
        max: u32,
    },
}

impl Step {
    /// [`Step::Run`].
    pub const fn run(set: &'static AsciiSet, min: u32, max: u32) -> Self {
        Step::Run { set, min, max }
    }

    /// [`Step::Repeat`].
    pub const fn repeat(block: &'static [Step], min: u32, max: u32) -> Self {
        Step::Repeat { block, min, max }
    }
}

/// A set of ASCII characters, stored as a lookup table over all byte values (bytes 128 to
/// 255, which are never ASCII, are never in the set).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AsciiSet {
    table: [bool; 256],
}

impl AsciiSet {
    /// The set of the characters `c < 128` whose bit `1 << c` is set in `bits`.
    pub const fn from_bits(bits: u128) -> Self {
        let mut table = [false; 256];
        let mut c = 0;
        while c < 128 {
            table[c] = (bits >> c) & 1 == 1;
            c += 1;
        }
        AsciiSet { table }
    }

    /// The set as bits, as in [`AsciiSet::from_bits`].
    pub fn bits(&self) -> u128 {
        (0..128u32)
            .filter(|&c| self.table[c as usize])
            .fold(0u128, |acc, c| acc | (1u128 << c))
    }

    /// Whether byte `b` is (the ASCII character) in the set.
    #[inline]
    pub fn contains(&self, b: u8) -> bool {
        self.table[usize::from(b)]
    }

    /// The length of the longest prefix of `s` whose bytes are all in the set.
    #[inline]
    fn run_len(&self, s: &[u8]) -> usize {
        let mut n = 0;
        // Whole chunks without early exit inside, which the compiler unrolls.
        for chunk in s.chunks_exact(16) {
            let mut all = true;
            for &b in chunk {
                all &= self.contains(b);
            }
            if !all {
                break;
            }
            n += 16;
        }
        n + s
            .get(n..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| self.contains(b))
            .count()
    }
}

impl fmt::Debug for AsciiSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AsciiSet({:#x})", self.bits())
    }
}

fn limit(max: u32) -> usize {
    if max == u32::MAX {
        usize::MAX
    } else {
        usize::try_from(max).unwrap_or(usize::MAX)
    }
}

/// Applies `steps` to `s` from `pos`; the position after them, or `None`.
fn steps_at(steps: &[Step], s: &[u8], mut pos: usize) -> Option<usize> {
    for step in steps {
        match *step {
            Step::Run { set, min, max } => {
                let rest = s.get(pos..)?;
                let rest = rest.get(..limit(max).min(rest.len()))?;
                let n = set.run_len(rest);
                if n < limit(min) {
                    return None;
                }
                pos += n;
            }
            Step::Repeat { block, min, max } => {
                let (min, max) = (limit(min), limit(max));
                let mut count = 0usize;
                while count < max {
                    match steps_at(block, s, pos) {
                        Some(next) if next > pos => {
                            pos = next;
                            count += 1;
                        }
                        _ => break,
                    }
                }
                if count < min {
                    return None;
                }
            }
        }
    }
    Some(pos)
}

impl Fast {
    /// `Some(answer)` when the fast matcher decides `s`; `None` when the regular expression
    /// must (a string the steps do not accept that is not ASCII or ends in a line break).
    pub fn decide(&self, s: &str) -> Option<bool> {
        match self {
            Fast::Any => Some(true),
            Fast::Ascii(steps) => {
                // Every byte the steps accept is ASCII: a match means an ASCII string.
                if steps_at(steps, s.as_bytes(), 0) == Some(s.len()) {
                    Some(true)
                } else if s.is_ascii() && !s.ends_with(['\n', '\r']) {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }
}

impl Pattern {
    /// A pattern from its source; `unicode` compiles with the `u` flag.
    pub const fn new(source: &'static str, unicode: bool) -> Self {
        Pattern {
            source,
            unicode,
            fast: None,
            compiled: OnceLock::new(),
        }
    }

    /// A pattern with a fast matcher, which must give the same answer as the regular
    /// expression for every string it decides (the generator only emits proven ones).
    pub const fn with_fast(source: &'static str, unicode: bool, fast: Fast) -> Self {
        Pattern {
            source,
            unicode,
            fast: Some(fast),
            compiled: OnceLock::new(),
        }
    }

    /// Whether the pattern matches anywhere in `s` (`true` if it cannot be compiled).
    #[inline]
    pub fn is_match(&self, s: &str) -> bool {
        if let Some(answer) = self.fast.as_ref().and_then(|f| f.decide(s)) {
            return answer;
        }
        self.regex_match(s)
    }

    /// [`Pattern::is_match`] with the regular expression alone, ignoring any fast matcher.
    pub fn regex_match(&self, s: &str) -> bool {
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

    /// The fast matcher, if any.
    pub fn fast(&self) -> Option<&Fast> {
        self.fast.as_ref()
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

    const fn set(lo: u8, hi: u8) -> AsciiSet {
        let mut bits = 0u128;
        let mut c = lo;
        while c <= hi {
            bits |= 1 << c;
            c += 1;
        }
        AsciiSet::from_bits(bits)
    }
    const LOWER: AsciiSet = set(b'a', b'z');
    const HEX: AsciiSet = set(b'0', b'9');
    const SLASH: AsciiSet = set(b'/', b'/');

    // `^[a-z]{2,4}(/[0-9]{3})*$`
    static SEQ: Pattern = Pattern::with_fast(
        "^[a-z]{2,4}(/[0-9]{3})*$",
        true,
        Fast::Ascii(&[
            Step::run(&LOWER, 2, 4),
            Step::repeat(
                &[Step::run(&SLASH, 1, 1), Step::run(&HEX, 3, 3)],
                0,
                u32::MAX,
            ),
        ]),
    );
    static ANY: Pattern = Pattern::with_fast("^[\\s\\S]*$", true, Fast::Any);

    #[test]
    fn fast_matchers_agree_with_the_regex() {
        for s in [
            "",
            "a",
            "ab",
            "abcd",
            "abcde",
            "ab/123",
            "ab/123/456",
            "ab/12",
            "ab/1234",
            "ab/",
            "AB",
            "ab/123x",
            "é",
            "abé",
            "ab/12é",
            "ab\n",
        ] {
            assert_eq!(SEQ.is_match(s), SEQ.regex_match(s), "{s:?}");
        }
        assert!(SEQ.is_match("abc/123/000"));
        assert!(!SEQ.is_match("abc/123/00"));
        assert!(ANY.is_match("") && ANY.is_match("x\n\u{2028}é"));
        assert_eq!(LOWER.bits(), AsciiSet::from_bits(LOWER.bits()).bits());
        assert!(LOWER.contains(b'q') && !LOWER.contains(b'Q') && !LOWER.contains(0xE9));
        assert_eq!(LOWER.run_len(&[b'a'; 40]), 40);
        let mut long = vec![b'a'; 40];
        long[33] = b'1';
        assert_eq!(LOWER.run_len(&long), 33);
        long[3] = b'-';
        assert_eq!(LOWER.run_len(&long), 3);
    }

    // `^[a-z]{2,4}$` with Java's `$`, as the generator writes it
    static JAVA_END: Pattern = Pattern::with_fast(
        "^[a-z]{2,4}(?=(?:\\r\\n|[\\r\\x85\\u2028\\u2029]|(?<!\\r)\\n)?$)",
        true,
        Fast::Ascii(&[Step::run(&LOWER, 2, 4)]),
    );

    #[test]
    fn a_final_line_break_is_left_to_the_regex() {
        for (s, expected) in [
            ("ab", true),
            ("ab\n", true),
            ("ab\r\n", true),
            ("ab\r", true),
            ("ab\n\n", false),
            ("abcde\n", false),
            ("ab\u{2028}", true),
            ("ab1", false),
        ] {
            assert_eq!(JAVA_END.is_match(s), expected, "{s:?}");
            assert_eq!(JAVA_END.regex_match(s), expected, "{s:?}");
        }
        assert_eq!(JAVA_END.fast().and_then(|f| f.decide("ab\n")), None);
        assert_eq!(JAVA_END.fast().and_then(|f| f.decide("ab1")), Some(false));
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
