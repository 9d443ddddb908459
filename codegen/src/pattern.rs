//! Smithy `@pattern` values prepared for the `regress` engine.
//!
//! Smithy patterns are ECMA-262 regular expressions, matched unanchored.
//! Official AWS models were written against Java's engine, so some contain
//! Java-only syntax. [`prepare`] rewrites the Java-only constructs whose
//! meaning can be kept exactly, then compiles the result with the `u` flag
//! (needed for `\p{L}`), and failing that without it.
//!
//! Translations (the output has Java's meaning; plain ECMA syntax is left alone):
//! - POSIX classes `\p{Lower}`, `\p{Upper}`, `\p{ASCII}`, `\p{Alpha}`,
//!   `\p{Digit}`, `\p{Alnum}`, `\p{Punct}`, `\p{Graph}`, `\p{Print}`,
//!   `\p{Blank}`, `\p{Cntrl}`, `\p{XDigit}`, `\p{Space}` (ASCII-only, as in
//!   Java without `UNICODE_CHARACTER_CLASS`) become explicit ranges, also
//!   negated (`\P{..}`) and inside (negated) classes;
//! - `\p{javaLowerCase}`, `\p{javaUpperCase}`, `\p{javaWhitespace}`, … and
//!   `\p{IsAlphabetic}`, `\p{IsLu}`, `\p{IsLatin}`, `\p{gc=Lu}`, `\p{sc=Greek}`
//!   become ECMA property escapes or ranges; `\pL` becomes `\p{L}`;
//!   Unicode blocks (`\p{InGreek}`) have no ECMA equivalent and are an error;
//! - possessive quantifiers (`a*+`) and atomic groups (`(?>..)`) become the
//!   equivalent `(?:(?=(?<n>X))\k<n>)` (refused when the pattern has numbered
//!   backreferences, whose numbers the new group would shift);
//! - `\Q..\E` quoting; `\h`, `\H`, `\R`, `\A`, `\z`, `\Z`, `\e`, `\a`,
//!   `\x{h..}`, octal `\0oo`; nested class unions `[a-z[0-9]]`;
//! - identity escapes of characters that are not syntax characters (`\-`,
//!   `\"`, `\#` outside a class, `\_` inside), which the `u` flag forbids,
//!   become the plain character; a `-` next to a class escape in a class
//!   (`[\w-.]`) becomes `\-`; braces that do not form a quantifier become
//!   `\{` / `\}` (literal in both Java and ECMA's Annex B).
//!
//! - inline flags `(?i)`, `(?s)`, `(?m)`, `(?-i)`, `(?i:..)`, scoped as in Java (to the end of
//!   the enclosing group): `i` adds the other ASCII case to every literal letter and class
//!   (Java folds ASCII only without `(?u)`), `s` makes `.` any character, `m` makes `^` and
//!   `$` Java's line anchors;
//! - class intersection `[A&&B]` becomes `(?:(?=[A])[B])`, and `[^A&&B]` (Java negates the
//!   whole intersection) `(?:(?![A]..)[\s\S])`; a `]` first in a class is a literal;
//! - `\p{all}`, `\p{L1}` and `\p{LD}` (letter or digit) become explicit classes;
//! - a quantifier after an assertion (`${1,128}`) repeats it: kept once when its minimum is
//!   at least one, dropped otherwise; a `{..}` after a quantifier (`X{11}{0,1011}`) applies
//!   to an empty atom in Java and is dropped;
//! - Java's `$` (also before a final `\n`, `\r\n`, `\r`, U+0085, U+2028 or U+2029) becomes
//!   `JAVA_END`; `.` excludes U+0085 as in Java; `\s`/`\S` are Java's ASCII classes (ECMA's
//!   `\s` also takes U+00A0, U+FEFF, ...), `\v` Java's vertical whitespace.
//!
//! The translation is exact except for `\b`/`\B`, which accept a boundary by either JDK
//! definition (letters and digits of every script up to JDK 18, `\w` since JDK 19): more
//! permissive than any one JDK, listed in [`Prepared::approximations`]. Not translated
//! (error, the pattern is then not checked and a warning names it): negated nested classes,
//! `(?x)`, `(?u)`, `(?d)`, `(?U)`, `\G`, `\X`, `\K`, Unicode blocks, backreferences under
//! `(?i)`. `tests/tests/pattern_java.rs` checks every official pattern against
//! `java.util.regex`.

mod fast;
mod translate;

pub use fast::{FastMatcher, FastStep, fast_matcher};
pub(crate) use translate::JAVA_END;

/// A pattern ready for `regress`: the source to compile and whether it must
/// be compiled with the `u` (unicode) flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// ECMA-262 source, possibly translated from Java syntax.
    pub source: String,
    /// Whether `source` must be compiled with the `u` flag.
    pub unicode: bool,
    /// The constructs `source` checks more permissively than `java.util.regex` (empty when
    /// the translation is exact), one line each.
    pub approximations: Vec<&'static str>,
}

impl Prepared {
    /// The `regress` flags string for [`Prepared::source`]: `"u"` or `""`.
    pub fn flags(&self) -> &'static str {
        if self.unicode { "u" } else { "" }
    }

    /// Compiles the prepared pattern.
    pub fn compile(&self) -> Result<regress::Regex, String> {
        regress::Regex::with_flags(&self.source, self.flags()).map_err(|e| e.to_string())
    }
}

/// Translates Java-only syntax in `pattern` and compiles it with `regress`,
/// with the `u` flag first and then without. Returns the first form that
/// compiles, or the engine's (or translator's) messages when neither does.
pub fn prepare(pattern: &str) -> Result<Prepared, String> {
    let mut messages = Vec::new();
    for unicode in [true, false] {
        let mode = if unicode {
            "with flag u"
        } else {
            "without flag u"
        };
        match translate::translate(pattern, unicode) {
            Ok(out) => {
                match regress::Regex::with_flags(&out.source, if unicode { "u" } else { "" }) {
                    Ok(_) => {
                        return Ok(Prepared {
                            source: out.source,
                            unicode,
                            approximations: out.approximations.into_iter().collect(),
                        });
                    }
                    Err(e) => messages.push(format!("{mode}: {e}")),
                }
            }
            Err(e) => messages.push(format!("{mode}: {e}")),
        }
    }
    Err(messages.join("; "))
}

/// ECMA syntax characters: may always be escaped, also with the `u` flag.
const SYNTAX: &str = "^$\\.*+?()[]{}|/";

const MAX_CODE_POINT: u32 = 0x10_FFFF;

/// Deepest group nesting accepted (the engine's parser recurses per level).
const MAX_GROUP_DEPTH: usize = 100;

/// A set of characters: explicit ranges plus property escapes such as `p{L}`.
#[derive(Clone, Debug, Default)]
struct Set {
    ranges: Vec<(u32, u32)>,
    props: Vec<String>,
}

impl Set {
    fn ranges(r: &[(u32, u32)]) -> Set {
        Set {
            ranges: r.to_vec(),
            props: Vec::new(),
        }
    }
    fn prop(p: &str) -> Set {
        Set {
            ranges: Vec::new(),
            props: vec![format!("p{{{p}}}")],
        }
    }
    fn not_prop(p: &str) -> Set {
        Set {
            ranges: Vec::new(),
            props: vec![format!("P{{{p}}}")],
        }
    }
}

fn flip(prop: &str) -> String {
    match prop.strip_prefix('p') {
        Some(rest) => format!("P{rest}"),
        None => format!("p{}", prop.get(1..).unwrap_or("")),
    }
}

/// Java's ASCII POSIX classes.
fn posix(name: &str) -> Option<Set> {
    let r: &[(u32, u32)] = match name {
        "all" => &[(0x00, MAX_CODE_POINT)],
        "L1" => &[(0x00, 0xFF)],
        "Lower" => &[(0x61, 0x7A)],
        "Upper" => &[(0x41, 0x5A)],
        "ASCII" => &[(0x00, 0x7F)],
        "Alpha" => &[(0x41, 0x5A), (0x61, 0x7A)],
        "Digit" => &[(0x30, 0x39)],
        "Alnum" => &[(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
        "Punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "Graph" => &[(0x21, 0x7E)],
        "Print" => &[(0x20, 0x7E)],
        "Blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "Cntrl" => &[(0x00, 0x1F), (0x7F, 0x7F)],
        "XDigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        "Space" => &[(0x09, 0x0D), (0x20, 0x20)],
        _ => return None,
    };
    Some(Set::ranges(r))
}

/// `Character.isWhitespace`.
const JAVA_WHITESPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x1680, 0x1680),
    (0x2000, 0x2006),
    (0x2008, 0x200A),
    (0x2028, 0x2029),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
];

/// `\s` in Java (without `UNICODE_CHARACTER_CLASS`).
const JAVA_SPACE: &[(u32, u32)] = &[(0x09, 0x0D), (0x20, 0x20)];

/// `\v` in Java 8 and later.
const VERTICAL_SPACE: &[(u32, u32)] = &[(0x0A, 0x0D), (0x85, 0x85), (0x2028, 0x2029)];

/// `\h` in Java.
const HORIZONTAL_SPACE: &[(u32, u32)] = &[
    (0x09, 0x09),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200A),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
];

const GENERAL_CATEGORIES: &[&str] = &[
    "L", "LC", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P",
    "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp",
    "C", "Cc", "Cf", "Cs", "Co", "Cn",
];

/// Java binary properties (`\p{IsAlphabetic}`), keyed by the lowercased name
/// without `_`, `-` and spaces.
fn java_binary(normalized: &str) -> Option<Set> {
    Some(match normalized {
        "alphabetic" => Set::prop("Alphabetic"),
        "ideographic" => Set::prop("Ideographic"),
        "letter" => Set::prop("L"),
        "lowercase" => Set::prop("Lowercase"),
        "uppercase" => Set::prop("Uppercase"),
        "titlecase" => Set::prop("Lt"),
        "punctuation" => Set::prop("P"),
        "control" => Set::prop("Cc"),
        "whitespace" => Set::prop("White_Space"),
        "digit" => Set::prop("Nd"),
        "hexdigit" => Set::prop("Hex_Digit"),
        "joincontrol" => Set::prop("Join_Control"),
        "noncharactercodepoint" => Set::prop("Noncharacter_Code_Point"),
        "assigned" => Set::not_prop("Cn"),
        "emoji" => Set::prop("Emoji"),
        "emojipresentation" => Set::prop("Emoji_Presentation"),
        "emojimodifier" => Set::prop("Emoji_Modifier"),
        "emojimodifierbase" => Set::prop("Emoji_Modifier_Base"),
        "emojicomponent" => Set::prop("Emoji_Component"),
        "extendedpictographic" => Set::prop("Extended_Pictographic"),
        _ => return None,
    })
}

/// The set for the name inside `\p{...}` (Java or ECMA spelling).
fn property(name: &str) -> Result<Set, String> {
    if let Some(set) = posix(name) {
        return Ok(set);
    }
    if name == "LD" {
        // Java's `Character.isLetterOrDigit`
        return Ok(Set {
            ranges: Vec::new(),
            props: vec!["p{L}".to_owned(), "p{Nd}".to_owned()],
        });
    }
    if let Some(java) = name.strip_prefix("java") {
        return Ok(match java {
            "LowerCase" => Set::prop("Lowercase"),
            "UpperCase" => Set::prop("Uppercase"),
            "TitleCase" => Set::prop("Lt"),
            "Alphabetic" => Set::prop("Alphabetic"),
            "Ideographic" => Set::prop("Ideographic"),
            "Digit" => Set::prop("Nd"),
            "Letter" => Set::prop("L"),
            "LetterOrDigit" => Set {
                ranges: Vec::new(),
                props: vec!["p{L}".to_owned(), "p{Nd}".to_owned()],
            },
            "Whitespace" => Set::ranges(JAVA_WHITESPACE),
            "SpaceChar" => Set::prop("Z"),
            "ISOControl" => Set::ranges(&[(0x00, 0x1F), (0x7F, 0x9F)]),
            "Mirrored" => Set::prop("Bidi_Mirrored"),
            "Defined" => Set::not_prop("Cn"),
            _ => return Err(format!("unsupported Java property \\p{{{name}}}")),
        });
    }
    if let Some(rest) = name.strip_prefix("Is") {
        if GENERAL_CATEGORIES.contains(&rest) {
            return Ok(Set::prop(rest));
        }
        let normalized: String = rest
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        if let Some(set) = java_binary(&normalized) {
            return Ok(set);
        }
        // otherwise a script, e.g. IsLatin
        return Ok(Set::prop(&format!("Script={rest}")));
    }
    if name.starts_with("In") && name.len() > 2 && !GENERAL_CATEGORIES.contains(&name) {
        return Err(format!(
            "Unicode block \\p{{{name}}} has no ECMAScript equivalent"
        ));
    }
    if let Some((key, value)) = name.split_once('=') {
        return match key.to_ascii_lowercase().as_str() {
            "general_category" | "gc" => Ok(Set::prop(&format!("General_Category={value}"))),
            "script" | "sc" => Ok(Set::prop(&format!("Script={value}"))),
            "script_extensions" | "scx" => Ok(Set::prop(&format!("Script_Extensions={value}"))),
            _ => Err(format!("unsupported property \\p{{{name}}}")),
        };
    }
    // ECMA spelling (`L`, `Letter`, `Alphabetic`, ...): the engine checks it
    Ok(Set::prop(name))
}

/// Complement of sorted-or-not `ranges` within `0..=max`.
fn complement(ranges: &[(u32, u32)], max: u32) -> Vec<(u32, u32)> {
    let mut sorted: Vec<(u32, u32)> = ranges.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in sorted {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = next.max(hi.saturating_add(1));
    }
    if next <= max {
        out.push((next, max));
    }
    out
}

/// A code point written so it is literal inside or outside a class.
fn code_point(c: u32, unicode: bool) -> Result<String, String> {
    if let Some(ch) = char::from_u32(c)
        && ch.is_ascii_alphanumeric()
    {
        return Ok(ch.to_string());
    }
    Ok(if c <= 0xFF {
        format!("\\x{c:02X}")
    } else if c <= 0xFFFF {
        format!("\\u{c:04X}")
    } else if unicode {
        format!("\\u{{{c:X}}}")
    } else {
        return Err(format!("code point U+{c:X} needs the u flag"));
    })
}

fn push_ranges(out: &mut String, ranges: &[(u32, u32)], unicode: bool) -> Result<(), String> {
    for &(lo, hi) in ranges {
        out.push_str(&code_point(lo, unicode)?);
        if hi > lo {
            out.push('-');
            out.push_str(&code_point(hi, unicode)?);
        }
    }
    Ok(())
}

fn emit_set(set: &Set, negate: bool, in_class: bool, unicode: bool) -> Result<String, String> {
    if !unicode && !set.props.is_empty() {
        return Err("Unicode property escapes need the u flag".to_owned());
    }
    let mut out = String::new();
    if in_class {
        if !negate {
            push_ranges(&mut out, &set.ranges, unicode)?;
            for p in &set.props {
                out.push('\\');
                out.push_str(p);
            }
        } else if set.props.is_empty() {
            let max = if unicode { MAX_CODE_POINT } else { 0xFFFF };
            push_ranges(&mut out, &complement(&set.ranges, max), unicode)?;
        } else if let ([], [p]) = (set.ranges.as_slice(), set.props.as_slice()) {
            out.push('\\');
            out.push_str(&flip(p));
        } else {
            return Err("negated multi-part property inside a class is not supported".to_owned());
        }
        return Ok(out);
    }
    if let ([], [p]) = (set.ranges.as_slice(), set.props.as_slice()) {
        out.push('\\');
        out.push_str(&if negate { flip(p) } else { p.clone() });
        return Ok(out);
    }
    out.push('[');
    if negate {
        out.push('^');
    }
    push_ranges(&mut out, &set.ranges, unicode)?;
    for p in &set.props {
        out.push('\\');
        out.push_str(p);
    }
    out.push(']');
    Ok(out)
}

/// A literal character, escaped as needed for its context.
fn literal(c: char, in_class: bool, unicode: bool) -> Result<String, String> {
    if SYNTAX.contains(c) || (in_class && c == '-') {
        Ok(format!("\\{c}"))
    } else if c.is_ascii_graphic() || c == ' ' {
        Ok(c.to_string())
    } else if unicode || u32::from(c) <= 0xFFFF {
        code_point(u32::from(c), unicode)
    } else {
        Ok(c.to_string())
    }
}

/// Length in chars of a valid `{n}`, `{n,}`, `{n,m}` quantifier at `cs[i..]`.
fn quantifier_len(cs: &[char], i: usize) -> Option<usize> {
    let mut j = i.checked_add(1)?;
    let digits = |j: &mut usize| {
        let start = *j;
        while cs.get(*j).is_some_and(char::is_ascii_digit) {
            *j += 1;
        }
        *j > start
    };
    if !digits(&mut j) {
        return None;
    }
    if cs.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    (cs.get(j) == Some(&'}')).then(|| j + 1 - i)
}

/// Whether `cs[i..]` starts with a class escape (`\d`, `\w`, `\p{..}`, ...).
fn class_escape_at(cs: &[char], i: usize) -> bool {
    cs.get(i) == Some(&'\\')
        && cs.get(i + 1).is_some_and(|c| {
            matches!(
                c,
                'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'p' | 'P' | 'h' | 'H' | 'v' | 'V'
            )
        })
}

/// Translates the escape at `cs[i]` (a backslash). Returns the output, the
/// number of chars consumed and whether it is a class escape.
fn escape(
    cs: &[char],
    i: usize,
    in_class: bool,
    unicode: bool,
) -> Result<(String, usize, bool), String> {
    let Some(&n) = cs.get(i + 1) else {
        return Err("pattern ends with a backslash".to_owned());
    };
    let pass = |s: String, used: usize| Ok((s, used, false));
    match n {
        'p' | 'P' => {
            let (name, used) = if cs.get(i + 2) == Some(&'{') {
                let len = cs
                    .get(i + 3..)
                    .and_then(|r| r.iter().position(|&c| c == '}'))
                    .ok_or("unterminated \\p{")?;
                let name: String = cs.get(i + 3..i + 3 + len).unwrap_or(&[]).iter().collect();
                (name, len + 4)
            } else {
                let letter = cs.get(i + 2).ok_or("\\p without a name")?;
                (letter.to_string(), 3)
            };
            let set = property(&name)?;
            Ok((emit_set(&set, n == 'P', in_class, unicode)?, used, true))
        }
        'h' | 'H' => Ok((
            emit_set(&Set::ranges(HORIZONTAL_SPACE), n == 'H', in_class, unicode)?,
            2,
            true,
        )),
        'Q' => {
            let mut j = i + 2;
            let mut text = String::new();
            while let Some(&c) = cs.get(j) {
                if c == '\\' && cs.get(j + 1) == Some(&'E') {
                    j += 2;
                    return pass(text, j - i);
                }
                text.push_str(&literal(c, in_class, unicode)?);
                j += 1;
            }
            pass(text, j - i)
        }
        'E' => pass(String::new(), 2),
        'A' if !in_class => pass("^".to_owned(), 2),
        'z' if !in_class => pass("$".to_owned(), 2),
        'Z' if !in_class => pass(JAVA_END.to_owned(), 2),
        'R' if !in_class => pass(
            "(?:\\r\\n|[\\n\\x0B\\f\\r\\u0085\\u2028\\u2029])".to_owned(),
            2,
        ),
        'G' | 'X' | 'K' | 'A' | 'z' | 'Z' | 'R' => Err(format!("\\{n} (Java) is not supported")),
        'e' => pass("\\x1B".to_owned(), 2),
        'a' => pass("\\x07".to_owned(), 2),
        'x' if cs.get(i + 2) == Some(&'{') => {
            let len = cs
                .get(i + 3..)
                .and_then(|r| r.iter().position(|&c| c == '}'))
                .ok_or("unterminated \\x{")?;
            let hex: String = cs.get(i + 3..i + 3 + len).unwrap_or(&[]).iter().collect();
            if hex.is_empty() || hex.len() > 6 {
                return Err(format!("bad \\x{{{hex}}}"));
            }
            let value = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
            if value > MAX_CODE_POINT {
                return Err(format!("bad \\x{{{hex}}}"));
            }
            pass(code_point(value, unicode)?, len + 4)
        }
        '0' if cs.get(i + 2).is_some_and(|c| ('0'..='7').contains(c)) => {
            let mut value = 0u32;
            let mut j = i + 2;
            while j < i + 5 && cs.get(j).is_some_and(|c| ('0'..='7').contains(c)) {
                let next = value * 8 + cs.get(j).and_then(|c| c.to_digit(8)).unwrap_or(0);
                if next > 0o377 {
                    break;
                }
                value = next;
                j += 1;
            }
            pass(code_point(value, unicode)?, j - i)
        }
        // Java's `\s` is ASCII (ECMA's also takes U+00A0, U+FEFF, ...)
        's' | 'S' => Ok((
            emit_set(&Set::ranges(JAVA_SPACE), n == 'S', in_class, unicode)?,
            2,
            true,
        )),
        'v' | 'V' => Ok((
            emit_set(&Set::ranges(VERTICAL_SPACE), n == 'V', in_class, unicode)?,
            2,
            true,
        )),
        'd' | 'D' | 'w' | 'W' => Ok((format!("\\{n}"), 2, true)),
        c if c.is_ascii_alphanumeric() => pass(format!("\\{c}"), 2),
        c if SYNTAX.contains(c) || (in_class && c == '-') => pass(format!("\\{c}"), 2),
        // identity escape of a non-syntax character: the character itself
        c => pass(literal(c, in_class, unicode)?, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        let p = match prepare(pattern) {
            Ok(p) => p,
            Err(e) => panic!("{pattern}: {e}"),
        };
        match p.compile() {
            Ok(re) => re.find(text).is_some(),
            Err(e) => panic!("{pattern}: {e}"),
        }
    }

    #[test]
    fn plain_ecma_is_unchanged() {
        for p in [
            "^[a-z]+",
            "^\\d{12}",
            "^(?:a|b)*?",
            "^[\\p{L}\\p{N}]+",
            "(?<!\\.)x",
            "^(?<y>a)\\k<y>",
        ] {
            let got = prepare(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(got.source, p);
            assert!(got.unicode, "{p}");
            assert!(got.approximations.is_empty(), "{p}");
        }
        // `$` (also before a final line break in Java) and `.` (not U+0085) are rewritten
        let got = prepare("^a.$").map(|p| p.source);
        assert_eq!(
            got,
            Ok(format!("^a{}{JAVA_END}", "[^\\n\\r\\x85\\u2028\\u2029]"))
        );
    }

    #[test]
    fn alnum() {
        assert!(matches("^\\p{Alnum}+$", "abc1"));
        assert!(!matches("^\\p{Alnum}+$", "a-b"));
        assert!(!matches("^\\p{Alnum}+$", "é"));
        assert_eq!(
            prepare("\\p{Alnum}").map(|p| p.source),
            Ok("[0-9A-Za-z]".to_owned())
        );
    }

    #[test]
    fn each_posix_class() {
        let cases: &[(&str, &str, &str)] = &[
            ("Lower", "abz", "A"),
            ("Upper", "ABZ", "a"),
            ("ASCII", "\u{0}~\u{7f}", "é"),
            ("Alpha", "aZ", "1"),
            ("Digit", "09", "a"),
            ("Punct", "!/:@[`{~", "a"),
            ("Graph", "!~a", " "),
            ("Print", " ~", "\u{7f}"),
            ("Blank", " \t", "\n"),
            ("Cntrl", "\u{0}\u{1f}\u{7f}", " "),
            ("XDigit", "09afAF", "g"),
            ("Space", " \t\n\u{b}\u{c}\r", "\u{a0}"),
        ];
        for (name, yes, no) in cases {
            let p = format!("^\\p{{{name}}}+$");
            assert!(matches(&p, yes), "{p} should match {yes:?}");
            assert!(!matches(&p, no), "{p} should not match {no:?}");
            let neg = format!("^\\P{{{name}}}+$");
            assert!(matches(&neg, no), "{neg} should match {no:?}");
            assert!(!matches(&neg, yes), "{neg} should not match {yes:?}");
            // inside a class and a negated class
            let cls = format!("^[_\\p{{{name}}}]+$");
            assert!(matches(&cls, &format!("_{yes}")), "{cls}");
            let ncls = format!("^[^\\p{{{name}}}]+$");
            assert!(matches(&ncls, no), "{ncls}");
            assert!(!matches(&ncls, yes), "{ncls}");
            let nn = format!("^[\\P{{{name}}}]+$");
            assert!(matches(&nn, no), "{nn}");
            assert!(!matches(&nn, yes), "{nn}");
        }
    }

    #[test]
    fn negated_class_complement_covers_astral() {
        assert!(matches("^[\\P{Alpha}]$", "😀"));
        assert!(matches("^\\P{Alpha}$", "😀"));
    }

    #[test]
    fn model_patterns_with_java_classes() {
        assert!(matches("^[\\p{Upper}\\p{Digit}_]+$", "ABC_1"));
        assert!(!matches("^[\\p{Upper}\\p{Digit}_]+$", "abc"));
        assert!(matches("^[^\\p{Cntrl}]*$", "ok text"));
        assert!(!matches("^[^\\p{Cntrl}]*$", "bad\u{1}"));
        assert!(matches("^[\\p{Graph}\\x20]*$", "a b!"));
        assert!(!matches("^[\\p{Graph}\\x20]*$", "a\tb"));
    }

    #[test]
    fn java_unicode_properties() {
        assert!(matches("^\\p{javaLowerCase}+$", "abcß"));
        assert!(!matches("^\\p{javaLowerCase}+$", "aB"));
        assert!(matches("^\\p{javaUpperCase}+$", "ÀB"));
        assert!(matches("^\\p{IsAlphabetic}+$", "aé日"));
        assert!(!matches("^\\p{IsAlphabetic}+$", "1"));
        assert!(matches("^\\p{IsLu}$", "Σ"));
        assert!(matches("^\\p{IsLatin}+$", "abé"));
        assert!(!matches("^\\p{IsLatin}+$", "Σ"));
        assert!(matches("^\\p{IsAssigned}$", "a"));
        assert!(!matches("^\\p{IsAssigned}$", "\u{378}"));
        assert!(matches("^\\p{javaWhitespace}+$", " \t\u{1c}\u{2003}"));
        assert!(!matches("^\\p{javaWhitespace}$", "\u{a0}"));
        assert!(matches("^\\p{javaLetterOrDigit}+$", "a1é"));
        assert!(matches("^\\pL+$", "abc"));
        assert!(matches("^\\p{gc=Lu}$", "A"));
        assert!(matches("^\\p{sc=Greek}$", "Σ"));
        assert!(prepare("\\p{InGreek}").is_err());
        assert!(prepare("[^\\P{javaLetterOrDigit}]").is_err());
    }

    #[test]
    fn possessive_quantifiers() {
        let p = prepare("^a*+$").map(|p| p.source);
        assert_eq!(
            p,
            Ok(format!(
                "^(?:(?=(?<anvilAtomic1>a*))\\k<anvilAtomic1>){JAVA_END}"
            ))
        );
        assert!(matches("^a*+$", "aaa"));
        // Java: `a*+a` never matches, as the possessive star takes every `a`
        assert!(!matches("^a*+a$", "aaa"));
        assert!(matches("^a*a$", "aaa"));
        assert!(matches("^(?:ab)++c$", "ababc"));
        assert!(!matches("^[a-z]{2,3}+[a-z]$", "abc"));
        assert!(matches("^[a-z]{2,3}+[a-z]$", "abcd"));
        assert!(!matches("^\\d?+1$", "1"));
        assert!(prepare("(a)\\1*+").is_err());
    }

    #[test]
    fn atomic_groups() {
        assert!(!matches("^(?>a|ab)c$", "abc"));
        assert!(matches("^(?>a|ab)c$", "ac"));
        assert!(matches("^(?>x)*$", "xxx"));
    }

    #[test]
    fn quoting_and_java_escapes() {
        assert!(matches("^\\Qa.b*\\E$", "a.b*"));
        assert!(!matches("^\\Qa.b*\\E$", "axb"));
        assert!(matches("^[\\Q-]\\E]+$", "-]"));
        assert!(matches("^\\h+$", " \t\u{a0}"));
        assert!(!matches("^\\h$", "\n"));
        assert!(matches("\\Aab\\z", "ab"));
        assert!(!matches("\\Aab\\z", "xab"));
        assert!(matches("^ab\\Z", "ab\n"));
        assert!(matches("^a\\Rb$", "a\r\nb"));
        assert!(matches("^\\x{41}\\x{1F600}$", "A😀"));
        assert!(matches("^\\0101$", "A"));
        assert!(matches("^\\e$", "\u{1b}"));
        assert!(prepare("\\G").is_err());
        assert!(prepare("(?x)abc").is_err());
    }

    #[test]
    fn java_end_of_input() {
        for yes in [
            "abc",
            "abc\n",
            "abc\r\n",
            "abc\r",
            "abc\u{85}",
            "abc\u{2028}",
        ] {
            assert!(matches("^abc$", yes), "{yes:?}");
        }
        for no in ["abc\n\n", "abc\nx", "abcx", "abc\n\r"] {
            assert!(!matches("^abc$", no), "{no:?}");
        }
        // never between `\r` and `\n`
        assert!(!matches("^abc\r$", "abc\r\n"));
        assert!(matches("^abc\\z", "abc") && !matches("^abc\\z", "abc\n"));
    }

    #[test]
    fn java_whitespace_and_dot() {
        // Java's `\s` is ASCII: `\S` takes U+00A0, `\s` does not
        assert!(matches("^\\S$", "\u{a0}"));
        assert!(!matches("^\\s$", "\u{a0}"));
        assert!(matches("^[^\\s]$", "\u{feff}"));
        assert!(matches("^\\s+$", " \t\n\u{b}\u{c}\r"));
        assert!(!matches("^.$", "\u{85}") && matches("^.$", "\u{a0}"));
        assert_eq!(
            prepare("^[\\s\\S]*").map(|p| p.source),
            Ok("^[\\s\\S]*".to_owned())
        );
    }

    #[test]
    fn inline_flags() {
        assert!(matches("^(?i)(true|false)$", "TrUe"));
        assert!(!matches("^(?i)(true|false)$", "tru"));
        assert!(matches("^(?i)[a-c]x$", "BX"));
        assert!(!matches("^(?i)[^a-c]$", "B"));
        // scoped to the enclosing group
        assert!(matches("^(?:(?i)a)b$", "Ab"));
        assert!(!matches("^(?:(?i)a)b$", "AB"));
        assert!(matches("^(?i:a)b$", "Ab") && !matches("^(?i:a)b$", "AB"));
        assert!(!matches("^(?!(?i)(arn|aws):)\\w+:x$", "ARN:x"));
        assert!(matches("^(?!(?i)(arn|aws):)\\w+:x$", "abc:x"));
        // ASCII folding only, as in Java without `(?u)`
        assert!(!matches("^(?i)k$", "\u{212a}"));
        assert!(matches("^(?s).+$", "a\nb") && !matches("^.+$", "a\nb"));
        assert!(!matches("^(?s)(?-s:.)$", "\n"));
        let key = "^(?ms)\\s*^-----BEGIN (?-s:.*)KEY-----$.*?^-----END (?-s:.*)KEY-----$\\s*$";
        assert!(matches(
            key,
            "-----BEGIN RSA KEY-----\nabc\ndef\n-----END RSA KEY-----\n"
        ));
        assert!(!matches(
            key,
            "-----BEGIN RSA KEY-----abc-----END RSA KEY-----"
        ));
        assert!(prepare("(?u)a").is_err());
        assert!(matches("^(?i)\\Qa.b\\E$", "A.B") && !matches("^(?i)\\Qa.b\\E$", "AxB"));
        assert!(prepare("(?i)(a)\\1").is_err());
    }

    #[test]
    fn class_intersection() {
        let p = "^[\\p{Print}&&[^|:/]]+$";
        assert!(matches(p, "a b~") && !matches(p, "a|b") && !matches(p, "a\tb"));
        assert!(!matches(p, "é"));
        // Java negates the whole intersection
        assert!(matches("^[^a-z&&[def]]$", "a") && !matches("^[^a-z&&[def]]$", "d"));
        assert!(matches("^[a-z&&[^aeiou]&&[^xyz]]+$", "bcd"));
        assert!(!matches("^[a-z&&[^aeiou]&&[^xyz]]+$", "bcx"));
    }

    #[test]
    fn java_only_properties_and_quantifiers() {
        assert!(matches("^[\\p{all}]*$", "any\n\u{0}😀"));
        assert!(matches("^(\\p{LD}|\\p{Punct}| )+$", "a1 é!"));
        assert!(!matches("^(\\p{LD}|\\p{Punct}| )+$", "a\tb"));
        // a quantifier after `$` repeats the assertion
        assert!(matches("^[-_a-zA-Z0-9]*${2,64}$", "ab-1"));
        assert!(!matches("^[-_a-zA-Z0-9]*${2,64}$", "ab c"));
        assert!(matches("^a$?b", "ab"));
        // a quantifier after a quantifier applies to nothing: `x{2}{0,3}` is `x{2}`
        assert!(matches("^[0-9]{2}{0,3}$", "12") && !matches("^[0-9]{2}{0,3}$", "123"));
        // a `]` first in a class is a literal
        assert!(matches("^[]a]+$", "]a]") && matches("^[^]a]$", "b") && !matches("^[^]a]$", "]"));
    }

    #[test]
    fn word_boundary_accepts_either_jdk_definition() {
        let p = prepare("\\bé\\b").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.approximations.len(), 1);
        // JDK 17: `é` is a word character; JDK 19+: it is not
        assert!(matches("\\bé\\b", "é "));
        assert!(matches("x\\b", "xé"));
        assert!(matches("^\\b[a-f0-9]{8}\\b-", "0123abcd-") && !matches("^a\\bb", "ab"));
    }

    #[test]
    fn nested_class_union() {
        assert!(matches("^[a-c[x-z]]+$", "axz"));
        assert!(!matches("^[a-c[x-z]]+$", "m"));
    }

    #[test]
    fn identity_escapes_and_braces() {
        let p = prepare("^a\\-b\\\"\\#$").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.unicode);
        assert_eq!(p.source, format!("^a-b\"#{JAVA_END}"));
        assert!(matches("^a\\-b\\\"\\#$", "a-b\"#"));
        assert!(matches("^[\\w-.]+$", "a-.b"));
        assert!(!matches("^[\\w-.]+$", "a,b"));
        assert!(matches("^[\\_\\@]+$", "_@"));
        assert!(matches("^a}$", "a}"));
        assert!(matches("^a{$", "a{"));
        assert!(matches("^a{x}$", "a{x}"));
        assert!(matches("^a{2}$", "aa"));
    }

    #[test]
    fn falls_back_to_non_unicode() {
        // `\c` without a control letter is an error with the u flag (Annex B literal without)
        let p = prepare("^a\\c$").unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.unicode);
        assert_eq!(p.flags(), "");
    }

    #[test]
    fn errors_come_from_the_engine() {
        let e = prepare("a(").err().unwrap_or_default();
        assert!(!e.is_empty());
        let e = prepare("[z-a]").err().unwrap_or_default();
        assert!(e.contains("flag u"), "{e}");
        assert!(prepare("\\").is_err());
        assert!(prepare(&"(".repeat(10_000)).is_err());
        let deep = format!("{}a{}", "(".repeat(50), ")".repeat(50));
        assert!(prepare(&deep).is_ok());
    }

    #[test]
    fn random_patterns_never_panic() {
        const PIECES: &[&str] = &[
            "a",
            "\\",
            "\\p{Alnum}",
            "\\P{Alpha}",
            "\\p{L}",
            "\\pL",
            "\\p{",
            "[",
            "]",
            "[^",
            "(",
            ")",
            "(?>",
            "(?<n>",
            "(?:",
            "(?=",
            "(?<=",
            "*",
            "+",
            "?",
            "{",
            "}",
            "{2,3}",
            "*+",
            "++",
            "\\Q",
            "\\E",
            "\\x{1F600}",
            "\\x{",
            "\\0",
            "\\1",
            "-",
            "&&",
            "|",
            "^",
            "$",
            "\\-",
            "\\h",
            "\\Z",
            "é",
            "😀",
            "\\u{",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..5000 {
            let mut p = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..state % 12 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let idx = usize::try_from(state % PIECES.len() as u64).unwrap_or(0);
                p.push_str(PIECES.get(idx).copied().unwrap_or(""));
            }
            if let Ok(prep) = prepare(&p) {
                assert!(prep.compile().is_ok(), "{p:?}");
                assert_eq!(prepare(&p), Ok(prep));
            }
        }
    }

    fn model_patterns() -> Vec<(String, String)> {
        let dir = format!("{}/../../shared/aws-models", env!("CARGO_MANIFEST_DIR"));
        let dir = if std::path::Path::new(&dir).exists() {
            dir
        } else {
            "/work/shared/aws-models".to_owned()
        };
        let mut out = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        fn walk(v: &serde_json::Value, file: &str, out: &mut Vec<(String, String)>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("smithy.api#pattern", serde_json::Value::String(s)) => {
                                out.push((file.to_owned(), s.clone()));
                            }
                            _ => walk(v, file, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, file, out)),
                _ => {}
            }
        }
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
        {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            walk(&value, &name, &mut out);
        }
        out
    }

    #[test]
    fn all_model_patterns_compile() {
        let patterns = model_patterns();
        assert!(patterns.len() > 300, "{}", patterns.len());
        let (mut direct, mut translated, mut non_unicode, mut failed) = (0, 0, 0, Vec::new());
        for (file, p) in &patterns {
            match prepare(p) {
                Ok(prep) if prep.unicode && prep.source == *p => direct += 1,
                Ok(prep) if prep.unicode => translated += 1,
                Ok(_) => non_unicode += 1,
                Err(e) => failed.push(format!("{file}: {p:?}: {e}")),
            }
        }
        println!(
            "model patterns: {} total, {direct} compile unchanged with u, {translated} after translation with u, \
             {non_unicode} only without u, {} fail",
            patterns.len(),
            failed.len()
        );
        for f in &failed {
            println!("  failed: {f}");
        }
        assert!(failed.len() <= 2, "{failed:#?}");
        assert!(translated >= 5, "{translated}");
    }
}
