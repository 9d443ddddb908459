//! Fast matchers for simple anchored patterns, decided at generation time.
//!
//! [`fast_matcher`] recognises prepared patterns (with the `u` flag) of the form
//! `^T1 T2 .. Tn$`, where each term is a one-character atom (a class `[..]`, a class escape
//! such as `\w` or `\p{L}`, `.`, an escaped or plain ASCII character) or a group `(..)` /
//! `(?:..)` / `(?<name>..)` of such terms, each with an optional quantifier (`*`, `+`, `?`,
//! `{n}`, `{n,}`, `{n,m}`, also lazy). It produces the runtime's `Fast` matcher:
//!
//! - `Any` when the pattern is `^X*$` with `X` one of `[\s\S]`, `[\d\D]`, `[\w\W]` (either
//!   order) or `[^]`: every string matches;
//! - otherwise a sequence of steps that never backtrack, for ASCII strings: a run of one
//!   atom's characters (as a 128-bit ASCII set, computed by asking `regress` about each ASCII
//!   character, so the set has the engine's exact meaning), or a repetition of a group whose
//!   terms all have fixed counts.
//!
//! Greedy steps without backtracking give the regular expression's answer when every step
//! whose count varies is either the last one or is followed by a step that takes at least
//! one character, from a set disjoint from the characters the varying step decides on (its
//! set, or the first set of its repeated block): a match must then end the varying step
//! exactly where the greedy step ends it. Patterns not meeting this (or using anything else:
//! alternation, lookaround, backreferences, assertions, non-ASCII literals) get no fast
//! matcher and are left to the engine. Non-ASCII strings always go to the engine.

/// A fast matcher for a pattern (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FastMatcher {
    /// Every string matches.
    Any,
    /// For ASCII strings: the steps, applied greedily without backtracking, consume the
    /// whole string exactly when the pattern matches.
    Ascii(Vec<FastStep>),
}

/// One step of [`FastMatcher::Ascii`]; `max == u32::MAX` means no maximum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FastStep {
    /// `min..=max` characters of the ASCII set `bits` (bit `c` for character `c`).
    Run {
        /// The ASCII characters of the atom.
        bits: u128,
        /// Fewest characters.
        min: u32,
        /// Most characters.
        max: u32,
    },
    /// `min..=max` repetitions of `block`, whose runs all have fixed counts.
    Repeat {
        /// The repeated runs.
        block: Vec<FastStep>,
        /// Fewest repetitions.
        min: u32,
        /// Most repetitions.
        max: u32,
    },
}

impl FastStep {
    fn min(&self) -> u32 {
        match self {
            FastStep::Run { min, .. } | FastStep::Repeat { min, .. } => *min,
        }
    }
    fn max(&self) -> u32 {
        match self {
            FastStep::Run { max, .. } | FastStep::Repeat { max, .. } => *max,
        }
    }
    /// The characters that may start this step (and decide whether it goes on).
    fn first(&self) -> u128 {
        match self {
            FastStep::Run { bits, .. } => *bits,
            FastStep::Repeat { block, .. } => block.first().map_or(0, FastStep::first),
        }
    }
}

/// Atoms that match every code point (with the `u` flag, without `i`).
const UNIVERSAL: &[&str] = &[
    "[\\s\\S]", "[\\S\\s]", "[\\d\\D]", "[\\D\\d]", "[\\w\\W]", "[\\W\\w]", "[^]",
];

/// Deepest group nesting the recogniser follows.
const MAX_DEPTH: usize = 8;

enum Term {
    Atom(String),
    Group(Vec<(Term, u32, u32)>),
}

/// The fast matcher for a prepared pattern (`source` compiled with the `u` flag when
/// `unicode`), or `None` when the pattern's shape is not recognised.
pub fn fast_matcher(source: &str, unicode: bool) -> Option<FastMatcher> {
    if !unicode {
        // Without `u`, Annex B syntax makes atoms ambiguous (`\p` is `p`, `{` a literal).
        return None;
    }
    regress::Regex::with_flags(source, "u").ok()?;
    // Java's `$` (see `JAVA_END`) only differs from ECMA's `$` for strings ending in a line
    // terminator, which the runtime leaves to the engine when the steps do not match them.
    let source = match source.strip_suffix(super::JAVA_END) {
        Some(body) => format!("{body}$"),
        None => source.to_owned(),
    };
    let cs: Vec<char> = source.chars().collect();
    if cs.first() != Some(&'^') {
        return None;
    }
    let mut i = 1;
    let terms = parse_seq(&cs, &mut i, 0)?;
    if i + 1 != cs.len() || cs.get(i) != Some(&'$') {
        return None;
    }
    let mut body = terms.as_slice();
    while let [(Term::Group(inner), 1, 1)] = body {
        body = inner;
    }
    if let [(Term::Atom(a), 0, u32::MAX)] = body
        && UNIVERSAL.contains(&a.as_str())
    {
        return Some(FastMatcher::Any);
    }
    let mut steps = Vec::new();
    lower(&terms, &mut steps)?;
    deterministic(&steps).then_some(FastMatcher::Ascii(steps))
}

/// Whether greedy steps without backtracking decide like the engine (module docs).
fn deterministic(steps: &[FastStep]) -> bool {
    steps.iter().enumerate().all(|(i, step)| {
        if step.min() == step.max() {
            return true;
        }
        match steps.get(i + 1) {
            None => true,
            Some(next) => next.min() >= 1 && next.first() & step.first() == 0,
        }
    })
}

fn lower(terms: &[(Term, u32, u32)], out: &mut Vec<FastStep>) -> Option<()> {
    for (term, min, max) in terms {
        let (min, max) = (*min, *max);
        match term {
            _ if max == 0 => {}
            Term::Atom(atom) => out.push(FastStep::Run {
                bits: ascii_bits(atom)?,
                min,
                max,
            }),
            Term::Group(inner) if (min, max) == (1, 1) => lower(inner, out)?,
            Term::Group(inner) => {
                let mut block = Vec::new();
                lower(inner, &mut block)?;
                let fixed = block
                    .iter()
                    .all(|s| matches!(s, FastStep::Run { min, max, .. } if min == max));
                if block.is_empty() || !fixed {
                    return None;
                }
                out.push(FastStep::Repeat { block, min, max });
            }
        }
    }
    Some(())
}

/// The ASCII characters the one-character `atom` matches, as the engine decides.
fn ascii_bits(atom: &str) -> Option<u128> {
    let re = regress::Regex::with_flags(&format!("^(?:{atom})$"), "u").ok()?;
    if re.find("").is_some() {
        return None;
    }
    let mut bits = 0u128;
    let mut buf = [0u8; 4];
    for c in 0..128u8 {
        if re.find(char::from(c).encode_utf8(&mut buf)).is_some() {
            bits |= 1 << c;
        }
    }
    Some(bits)
}

/// Terms until `)` (left at `cs[*i]`) or the final `$`.
fn parse_seq(cs: &[char], i: &mut usize, depth: usize) -> Option<Vec<(Term, u32, u32)>> {
    let mut terms = Vec::new();
    loop {
        let c = *cs.get(*i)?;
        let term = match c {
            ')' if depth > 0 => return Some(terms),
            '$' if *i + 1 == cs.len() && depth == 0 => return Some(terms),
            '(' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                *i += 1;
                if cs.get(*i) == Some(&'?') {
                    match (cs.get(*i + 1), cs.get(*i + 2)) {
                        (Some(':'), _) => *i += 2,
                        (Some('<'), Some(n)) if !matches!(n, '=' | '!') => {
                            let close = cs.get(*i..)?.iter().position(|&c| c == '>')?;
                            *i += close + 1;
                        }
                        _ => return None,
                    }
                }
                let inner = parse_seq(cs, i, depth + 1)?;
                if cs.get(*i) != Some(&')') {
                    return None;
                }
                *i += 1;
                Term::Group(inner)
            }
            '[' => {
                let start = *i;
                *i += 1;
                loop {
                    match *cs.get(*i)? {
                        '\\' => *i += 2,
                        ']' => break,
                        _ => *i += 1,
                    }
                }
                *i += 1;
                Term::Atom(cs.get(start..*i)?.iter().collect())
            }
            '\\' => {
                let start = *i;
                *i += escape_len(cs, *i)?;
                Term::Atom(cs.get(start..*i)?.iter().collect())
            }
            '.' => {
                *i += 1;
                Term::Atom(".".to_owned())
            }
            c if c.is_ascii() && !"^$*+?{}()[]|".contains(c) => {
                *i += 1;
                Term::Atom(c.to_string())
            }
            _ => return None,
        };
        let (min, max) = quantifier(cs, i)?;
        terms.push((term, min, max));
    }
}

/// Length of a one-character escape at `cs[i]` (a backslash); `None` for anything else.
fn escape_len(cs: &[char], i: usize) -> Option<usize> {
    let braced = |from: usize| -> Option<usize> {
        (cs.get(from) == Some(&'{'))
            .then(|| cs.get(from..)?.iter().position(|&c| c == '}'))
            .flatten()
            .map(|close| from + close + 1 - i)
    };
    let hex = |from: usize, n: usize| -> Option<u32> {
        let digits: String = cs.get(from..from + n)?.iter().collect();
        u32::from_str_radix(&digits, 16).ok()
    };
    match *cs.get(i + 1)? {
        'p' | 'P' => braced(i + 2),
        'u' if cs.get(i + 2) == Some(&'{') => braced(i + 2),
        // A surrogate half may pair with the next escape into one character.
        'u' => hex(i + 2, 4)
            .filter(|v| !(0xD800..=0xDFFF).contains(v))
            .map(|_| 6),
        'x' => hex(i + 2, 2).map(|_| 4),
        'c' => cs.get(i + 2).filter(|c| c.is_ascii_alphabetic()).map(|_| 3),
        '0' if !cs.get(i + 2).is_some_and(char::is_ascii_digit) => Some(2),
        'd' | 'D' | 'w' | 'W' | 's' | 'S' | 't' | 'n' | 'v' | 'f' | 'r' => Some(2),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Some(2),
        _ => None,
    }
}

/// The quantifier at `cs[*i]` (none: `(1, 1)`), skipping a lazy `?`.
fn quantifier(cs: &[char], i: &mut usize) -> Option<(u32, u32)> {
    let number = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while cs.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        let digits: String = cs.get(start..*i)?.iter().collect();
        digits.parse::<u32>().ok().filter(|&n| n < u32::MAX)
    };
    let q = match cs.get(*i) {
        Some('*') => {
            *i += 1;
            (0, u32::MAX)
        }
        Some('+') => {
            *i += 1;
            (1, u32::MAX)
        }
        Some('?') => {
            *i += 1;
            (0, 1)
        }
        Some('{') => {
            *i += 1;
            let min = number(i)?;
            let max = if cs.get(*i) == Some(&',') {
                *i += 1;
                if cs.get(*i) == Some(&'}') {
                    u32::MAX
                } else {
                    number(i)?
                }
            } else {
                min
            };
            if cs.get(*i) != Some(&'}') || min > max {
                return None;
            }
            *i += 1;
            (min, max)
        }
        _ => return Some((1, 1)),
    };
    if cs.get(*i) == Some(&'?') {
        *i += 1;
    }
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(source: &str) -> Vec<FastStep> {
        match fast_matcher(source, true) {
            Some(FastMatcher::Ascii(s)) => s,
            other => panic!("{source}: {other:?}"),
        }
    }

    fn bits(chars: &str) -> u128 {
        chars.bytes().fold(0, |acc, b| acc | (1u128 << b))
    }

    #[test]
    fn recognises_the_workspaces_web_patterns() {
        let tag = steps("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$");
        let mut expected = bits(" _.:/=+-@");
        for c in (b'a'..=b'z').chain(b'A'..=b'Z').chain(b'0'..=b'9') {
            expected |= 1 << c;
        }
        assert_eq!(
            tag,
            [FastStep::Run {
                bits: expected,
                min: 0,
                max: u32::MAX
            }]
        );
        assert_eq!(fast_matcher("^[\\s\\S]*$", true), Some(FastMatcher::Any));
        assert_eq!(
            fast_matcher("^(?:([\\S\\s]*))$", true),
            Some(FastMatcher::Any)
        );
        assert_eq!(fast_matcher("^[^]*$", true), Some(FastMatcher::Any));
        assert!(matches!(
            fast_matcher("^(?:[^])*$", true),
            Some(FastMatcher::Ascii(_))
        ));
        let name = steps("^[^_][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_]+$");
        assert_eq!(name.len(), 3);
        assert_eq!(name[0].first() & bits("_"), 0);
        let arn = steps(
            "^arn:[\\w+=\\/,.@-]+:[a-zA-Z0-9\\-]+:[a-zA-Z0-9\\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(\\/[a-fA-F0-9\\-]{36})+$",
        );
        assert_eq!(arn.len(), 14);
        assert!(matches!(
            arn.last(),
            Some(FastStep::Repeat { block, min: 1, max: u32::MAX }) if block.len() == 2
        ));
    }

    #[test]
    fn accepts_simple_shapes() {
        for p in [
            "^[a-z]+$",
            "^[a-z]{3}$",
            "^[a-z]{1,3}$",
            "^[a-z]{2,}?$",
            "^\\d{12}$",
            "^(?:[A-Z]{2})*$",
            "^(?<x>ab)+$",
            "^.$",
            "^$",
            "^\\u0041\\x42\\u{43}\\cJ\\0$",
            "^[0-9]+\\.[0-9]+$",
            "^a?b$",
        ] {
            assert!(fast_matcher(p, true).is_some(), "{p}");
        }
    }

    #[test]
    fn rejects_everything_else() {
        for p in [
            "[a-z]+",
            "^[a-z]+",
            "[a-z]+$",
            "^a|b$",
            "^(?=a)a$",
            "^(?!a)b$",
            "^(a)\\1$",
            "^\\bx$",
            "^[a-z]*[a-c]$",
            "^a*a$",
            "^[a-z]+[0-9]*$",
            "^(ab*)+$",
            "^(a|b)$",
            "^é+$",
            "^\\uD83D\\uDE00*$",
            "^a$$",
            "^^a$",
            "^\\k<n>$",
            "^(?<n>a)\\k<n>$",
            "^(((((((((a)))))))))$",
            "^(?:[a-z]+)*$",
            "^.*$x",
        ] {
            assert_eq!(fast_matcher(p, true), None, "{p}");
        }
        // not recognised without the u flag
        assert_eq!(fast_matcher("^[a-z]+$", false), None);
    }

    /// Deterministic pseudo-random strings over a mix of ASCII and non-ASCII characters.
    fn samples(alphabet: &[char], seed: u64, count: usize) -> Vec<String> {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = (next() % 48) as usize;
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    fn run_steps(steps: &[FastStep], s: &[u8], mut pos: usize) -> Option<usize> {
        for step in steps {
            match step {
                FastStep::Run { bits, min, max } => {
                    let mut n = 0u32;
                    while n < *max && s.get(pos).is_some_and(|&b| b < 128 && bits >> b & 1 == 1) {
                        pos += 1;
                        n += 1;
                    }
                    if n < *min {
                        return None;
                    }
                }
                FastStep::Repeat { block, min, max } => {
                    let mut n = 0u32;
                    while n < *max {
                        match run_steps(block, s, pos) {
                            Some(p) if p > pos => {
                                pos = p;
                                n += 1;
                            }
                            _ => break,
                        }
                    }
                    if n < *min {
                        return None;
                    }
                }
            }
        }
        Some(pos)
    }

    /// The generator-side model of the runtime's fast path.
    fn fast_is_match(m: &FastMatcher, s: &str) -> Option<bool> {
        match m {
            FastMatcher::Any => Some(true),
            FastMatcher::Ascii(steps) if s.is_ascii() => {
                Some(run_steps(steps, s.as_bytes(), 0) == Some(s.len()))
            }
            FastMatcher::Ascii(_) => None,
        }
    }

    #[test]
    fn differential_against_regress() {
        let patterns = [
            "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
            "^[\\s\\S]*$",
            "^[^_][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_]+$",
            "^arn:[\\w+=\\/,.@-]+:[a-zA-Z0-9\\-]+:[a-zA-Z0-9\\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(\\/[a-fA-F0-9\\-]{36})+$",
            "^arn:[a-z]+:[a-z]{0,3}:(\\/[0-9]{2})*$",
            "^[a-z]{2,4}(\\/[0-9]{3}){1,2}$",
            "^\\d{3}$",
            "^[\\w-]{1,5}\\.[a-z]+$",
            "^.*$",
            "^[^\\s]+$",
            "^\\S+$",
            "^\\p{Lu}[a-z]*$",
            "^(?:ab){2}c?$",
        ];
        let alphabet: Vec<char> = "aAbBcz09_-./:=+@ \t\n\r,éÉ\u{301}\u{a0}\u{2028}\u{3000}日😀Σ$#"
            .chars()
            .collect();
        let arnish: Vec<char> = "arn:aws/-0123456789abcdefABCDEF".chars().collect();
        for (n, p) in patterns.iter().enumerate() {
            let fast = fast_matcher(p, true).unwrap_or_else(|| panic!("{p} not recognised"));
            let re = regress::Regex::with_flags(p, "u").unwrap_or_else(|e| panic!("{p}: {e}"));
            let mut inputs = samples(&alphabet, 0x1234 + n as u64, 3000);
            inputs.extend(samples(&arnish, 0x9876 + n as u64, 3000));
            let ascii: Vec<char> = (0u8..128).map(char::from).collect();
            inputs.extend(samples(&ascii, 0x5555 + n as u64, 3000));
            inputs.extend(
                [
                    "",
                    "\n",
                    "a",
                    "ab",
                    "abc",
                    "1234",
                    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555",
                    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-55555555555",
                    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555/",
                    "arn:a:b::c:d/11111111-2222-3333-4444-555555555555/aaaaaaaa-2222-3333-4444-555555555555",
                    "arn:a:b:x:1234567890123:d/11111111-2222-3333-4444-555555555555",
                    "abcd/123/456",
                    "Aé",
                    "corp-idp-xxxxxxxxxxxxxxxxxxxxxxx",
                    "_ab",
                    "a_b_",
                    "key 1",
                    "key\u{a0}1",
                    "ababc",
                ]
                .map(str::to_owned),
            );
            for s in &inputs {
                let expected = re.find(s).is_some();
                match fast_is_match(&fast, s) {
                    Some(got) => assert_eq!(got, expected, "{p} on {s:?}"),
                    None => assert!(!s.is_ascii(), "{p} undecided on ASCII {s:?}"),
                }
            }
        }
    }
}
