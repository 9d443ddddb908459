//! The Java-to-ECMA translation loop behind [`super::prepare`] (see the parent module's
//! documentation for what each construct becomes).

use std::collections::BTreeSet;

use super::{MAX_GROUP_DEPTH, escape, quantifier_len};

/// Java's `$` without `MULTILINE`: the end of the input, or before a line terminator that
/// ends the input (`\r\n` counts as one; never between its `\r` and `\n`).
pub(crate) const JAVA_END: &str = "(?=(?:\\r\\n|[\\r\\x85\\u2028\\u2029]|(?<!\\r)\\n)?$)";

/// Java's `$` with `MULTILINE` (`(?m)`): before any line terminator, or at the end.
const MULTI_END: &str = "(?:$|(?=[\\r\\x85\\u2028\\u2029])|(?<!\\r)(?=\\n))";

/// Java's `^` with `MULTILINE`: the start, or after a line terminator, never at the end.
const MULTI_START: &str = "(?!$)(?:^|(?<=[\\n\\x85\\u2028\\u2029])|(?<=\\r)(?!\\n))";

/// Java's `.` without `DOTALL`: anything but a line terminator (ECMA's `.` takes U+0085).
const DOT: &str = "[^\\n\\r\\x85\\u2028\\u2029]";

/// Any one code point (`.` with `DOTALL`).
const ANY: &str = "[\\s\\S]";

/// Word characters by Java's `\b` up to JDK 18 (`Character.isLetterOrDigit` or `_`).
const JAVA_WORD: &str = "[\\p{L}\\p{Nd}_]";

/// Classes that match every code point, kept as written (ECMA and Java agree on them).
const UNIVERSAL: &[&str] = &[
    "[\\s\\S]", "[\\S\\s]", "[\\d\\D]", "[\\D\\d]", "[\\w\\W]", "[\\W\\w]",
];

/// A translated pattern and the constructs it checks more permissively than Java.
pub(super) struct Output {
    pub source: String,
    pub approximations: BTreeSet<&'static str>,
}

/// Inline flags (`(?i)`, `(?s)`, `(?m)`) in effect.
#[derive(Clone, Copy, Default)]
struct Flags {
    case_insensitive: bool,
    dot_all: bool,
    multiline: bool,
}

struct ClassState {
    start: usize,
    /// Where the class body starts in the output (after `[` or `[^`).
    body: usize,
    nested: u32,
    prev_class_escape: bool,
    empty: bool,
}

struct Group {
    start: usize,
    atomic: Option<String>,
    saved: Flags,
    zero_width: bool,
}

struct Translator<'a> {
    cs: &'a [char],
    unicode: bool,
    out: String,
    i: usize,
    class: Option<ClassState>,
    groups: Vec<Group>,
    flags: Flags,
    last_atom: Option<usize>,
    last_zero_width: Option<usize>,
    counter: u32,
    has_backref: bool,
    approximations: BTreeSet<&'static str>,
}

/// Rewrites Java-only syntax in `pattern` for compilation with (`unicode`) or without the
/// `u` flag.
pub(super) fn translate(pattern: &str, unicode: bool) -> Result<Output, String> {
    let cs: Vec<char> = pattern.chars().collect();
    Translator::new(&cs, unicode, Flags::default()).run()
}

/// The end (exclusive) of the Java class opening at `cs[i]` and the positions of its
/// top-level `&&` operators; `None` when unterminated.
fn class_extent(cs: &[char], i: usize) -> Option<(usize, Vec<usize>)> {
    let mut j = i + 1;
    if cs.get(j) == Some(&'^') {
        j += 1;
    }
    if cs.get(j) == Some(&']') {
        j += 1;
    }
    let (mut depth, mut ands) = (0u32, Vec::new());
    loop {
        match *cs.get(j)? {
            '\\' if cs.get(j + 1) == Some(&'Q') => {
                j += 2;
                while !(cs.get(j)? == &'\\' && cs.get(j + 1) == Some(&'E')) {
                    j += 1;
                }
                j += 2;
            }
            '\\' => j += 2,
            '[' => {
                depth += 1;
                j += 1;
            }
            ']' if depth == 0 => return Some((j + 1, ands)),
            ']' => {
                depth -= 1;
                j += 1;
            }
            '&' if depth == 0 && cs.get(j + 1) == Some(&'&') => {
                ands.push(j);
                j += 2;
            }
            _ => j += 1,
        }
    }
}

fn swap_case(c: char) -> char {
    if c.is_ascii_lowercase() {
        c.to_ascii_uppercase()
    } else {
        c.to_ascii_lowercase()
    }
}

/// The ASCII letters to add to the one-character `atom` so that it matches as under Java's
/// `(?i)` (ASCII case folding): the other case of every letter it matches.
fn case_partners(atom: &str, unicode: bool) -> String {
    let Ok(re) =
        regress::Regex::with_flags(&format!("^(?:{atom})$"), if unicode { "u" } else { "" })
    else {
        return String::new();
    };
    let matches = |c: char| re.find(c.encode_utf8(&mut [0u8; 4])).is_some();
    ('A'..='Z')
        .chain('a'..='z')
        .filter(|&c| matches(c) && !matches(swap_case(c)))
        .map(swap_case)
        .collect()
}

impl<'a> Translator<'a> {
    fn new(cs: &'a [char], unicode: bool, flags: Flags) -> Self {
        let has_backref = cs
            .windows(2)
            .any(|w| matches!(w, ['\\', d] if d.is_ascii_digit() && *d != '0'));
        Translator {
            cs,
            unicode,
            out: String::with_capacity(cs.len() + 8),
            i: 0,
            class: None,
            groups: Vec::new(),
            flags,
            last_atom: None,
            last_zero_width: None,
            counter: 0,
            has_backref,
            approximations: BTreeSet::new(),
        }
    }

    fn run(mut self) -> Result<Output, String> {
        while let Some(&c) = self.cs.get(self.i) {
            if self.class.is_some() {
                self.class_char(c)?;
            } else {
                self.char(c)?;
            }
        }
        if self.class.is_some() {
            return Err("unterminated character class".to_owned());
        }
        if !self.groups.is_empty() {
            return Err("unterminated group".to_owned());
        }
        Ok(Output {
            source: self.out,
            approximations: self.approximations,
        })
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.cs.get(self.i + ahead).copied()
    }

    fn fresh_name(&mut self) -> Result<String, String> {
        if self.has_backref {
            return Err(
                "possessive quantifier or atomic group in a pattern with backreferences".to_owned(),
            );
        }
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or("too many atomic groups")?;
        Ok(format!("anvilAtomic{}", self.counter))
    }

    /// Appends a one-character atom, with its case partners under `(?i)`.
    fn atom(&mut self, text: &str) {
        self.last_atom = Some(self.out.len());
        let partners = if self.flags.case_insensitive {
            case_partners(text, self.unicode)
        } else {
            String::new()
        };
        if partners.is_empty() {
            self.out.push_str(text);
        } else {
            self.out.push_str(&format!("(?:{text}|[{partners}])"));
        }
    }

    /// Appends a zero-width assertion (which a following quantifier may remove).
    fn assertion(&mut self, text: &str) {
        self.last_zero_width = Some(self.out.len());
        self.last_atom = None;
        self.out.push_str(text);
    }

    /// One character outside a class.
    fn char(&mut self, c: char) -> Result<(), String> {
        let zero_width = self.last_zero_width.take();
        match c {
            '[' => self.open_class(),
            '(' => self.open_group(),
            ')' => self.close_group(),
            '*' | '+' | '?' | '{' => self.quantifier(c, zero_width),
            '}' => {
                self.i += 1;
                self.atom("\\}");
                Ok(())
            }
            '|' => {
                self.out.push('|');
                self.last_atom = None;
                self.i += 1;
                Ok(())
            }
            '^' => {
                self.i += 1;
                self.assertion(if self.flags.multiline {
                    MULTI_START
                } else {
                    "^"
                });
                Ok(())
            }
            '$' => {
                self.i += 1;
                self.assertion(if self.flags.multiline {
                    MULTI_END
                } else {
                    JAVA_END
                });
                Ok(())
            }
            '.' => {
                self.i += 1;
                self.atom(if self.flags.dot_all { ANY } else { DOT });
                Ok(())
            }
            '\\' => self.escape_outside(),
            _ => {
                self.i += 1;
                self.atom(&c.to_string());
                Ok(())
            }
        }
    }

    fn escape_outside(&mut self) -> Result<(), String> {
        let n = self.peek(1);
        let boundary = match n {
            Some('b') => Some(false),
            Some('B') => Some(true),
            _ => None,
        };
        if let Some(negated) = boundary {
            self.i += 2;
            self.approximations
                .insert("`\\b`/`\\B`: a word boundary by either JDK definition (Unicode letters and digits up to JDK 18, `\\w` since JDK 19)");
            let (yes, no) = (format!("(?<={JAVA_WORD})"), format!("(?<!{JAVA_WORD})"));
            let (ahead, not_ahead) = (format!("(?={JAVA_WORD})"), format!("(?!{JAVA_WORD})"));
            let text = if negated {
                format!("(?:\\B|{yes}{ahead}|{no}{not_ahead})")
            } else {
                format!("(?:\\b|{yes}{not_ahead}|{no}{ahead})")
            };
            self.assertion(&text);
            return Ok(());
        }
        if self.flags.case_insensitive {
            match n {
                Some('1'..='9' | 'k') => {
                    return Err("a backreference under `(?i)` is not supported".to_owned());
                }
                Some('Q') => return self.quoted_folded(),
                _ => {}
            }
        }
        let (text, used, _) = escape(self.cs, self.i, false, self.unicode)?;
        self.i += used;
        match n {
            Some('A' | 'z' | 'Z') => self.assertion(&text),
            Some('Q') => {
                self.last_atom = Some(self.out.len());
                self.out.push_str(&text);
            }
            _ => self.atom(&text),
        }
        Ok(())
    }

    /// `\Q..\E` under `(?i)`: each character as a folded atom.
    fn quoted_folded(&mut self) -> Result<(), String> {
        self.i += 2;
        while let Some(&c) = self.cs.get(self.i) {
            if c == '\\' && self.peek(1) == Some('E') {
                self.i += 2;
                break;
            }
            self.i += 1;
            let text = super::literal(c, false, self.unicode)?;
            self.atom(&text);
        }
        Ok(())
    }

    fn open_class(&mut self) -> Result<(), String> {
        if let Some(u) = UNIVERSAL.iter().find(|u| {
            self.cs
                .get(self.i..self.i + u.chars().count())
                .is_some_and(|w| w.iter().copied().eq(u.chars()))
        }) {
            self.i += u.chars().count();
            self.atom(u);
            return Ok(());
        }
        if let Some((end, ands)) = class_extent(self.cs, self.i)
            && !ands.is_empty()
        {
            return self.intersection(end, &ands);
        }
        let start = self.out.len();
        self.out.push('[');
        self.i += 1;
        if self.peek(0) == Some('^') {
            self.out.push('^');
            self.i += 1;
        }
        self.class = Some(ClassState {
            start,
            body: self.out.len(),
            nested: 0,
            prev_class_escape: false,
            empty: true,
        });
        Ok(())
    }

    /// A class with top-level `&&` (Java intersection), ending before `end`: every operand
    /// as a lookahead, then the last one consuming the character. Java negates the whole
    /// intersection (`[^a-z&&[def]]` is any character but `d`, `e`, `f`).
    fn intersection(&mut self, end: usize, ands: &[usize]) -> Result<(), String> {
        let negated = self.peek(1) == Some('^');
        let body_start = self.i + 1 + usize::from(negated);
        let mut bounds = vec![body_start];
        for &a in ands {
            bounds.push(a);
            bounds.push(a + 2);
        }
        bounds.push(end - 1);
        let mut operands = Vec::new();
        for pair in bounds.chunks(2) {
            let &[from, to] = pair else {
                return Err("bad class intersection".to_owned());
            };
            operands.push(self.operand(from, to)?);
        }
        let (last, rest) = operands.split_last().ok_or("empty class intersection")?;
        let mut inner: String = rest.iter().map(|o| format!("(?={o})")).collect();
        inner.push_str(last);
        self.i = end;
        let text = if negated {
            format!("(?:(?!{inner}){ANY})")
        } else {
            format!("(?:{inner})")
        };
        self.last_atom = Some(self.out.len());
        self.out.push_str(&text);
        Ok(())
    }

    /// One operand of an intersection, `cs[from..to]`, as an ECMA class.
    fn operand(&mut self, from: usize, to: usize) -> Result<String, String> {
        let raw = self.cs.get(from..to).ok_or("bad class intersection")?;
        if raw.is_empty() {
            return Err("empty operand in a class intersection".to_owned());
        }
        let whole_class = raw.first() == Some(&'[')
            && class_extent(raw, 0).is_some_and(|(end, _)| end == raw.len());
        let chars: Vec<char> = if whole_class {
            raw.to_vec()
        } else {
            std::iter::once('[')
                .chain(raw.iter().copied())
                .chain(std::iter::once(']'))
                .collect()
        };
        let out = Translator::new(&chars, self.unicode, self.flags).run()?;
        self.approximations.extend(out.approximations);
        Ok(out.source)
    }

    fn open_group(&mut self) -> Result<(), String> {
        if self.groups.len() >= MAX_GROUP_DEPTH {
            return Err(format!("groups nested deeper than {MAX_GROUP_DEPTH}"));
        }
        let start = self.out.len();
        let mut group = Group {
            start,
            atomic: None,
            saved: self.flags,
            zero_width: false,
        };
        if self.peek(1) == Some('?') {
            match self.peek(2) {
                Some('>') => {
                    let name = self.fresh_name()?;
                    self.out.push_str(&format!("(?:(?=(?<{name}>"));
                    group.atomic = Some(name);
                    self.i += 3;
                }
                Some(':') => self.copy(3),
                Some('=' | '!') => {
                    group.zero_width = true;
                    self.copy(3);
                }
                Some('<') if matches!(self.peek(3), Some('=' | '!')) => {
                    group.zero_width = true;
                    self.copy(4);
                }
                Some('<') => {
                    let close = self
                        .cs
                        .get(self.i + 3..)
                        .and_then(|r| r.iter().position(|&c| c == '>'))
                        .ok_or("unterminated group name")?;
                    self.copy(close + 4);
                }
                _ => {
                    if !self.inline_flags()? {
                        return Ok(());
                    }
                }
            }
        } else {
            self.copy(1);
        }
        self.groups.push(group);
        self.last_atom = None;
        Ok(())
    }

    /// `(?flags)` (returns `false`: no group opens) or `(?flags:` (returns `true`, with
    /// `(?:` written). The flags apply to the rest of the enclosing group.
    fn inline_flags(&mut self) -> Result<bool, String> {
        let mut j = self.i + 2;
        let mut on = true;
        let mut flags = self.flags;
        loop {
            match self.cs.get(j).copied() {
                Some('-') if on => on = false,
                Some('i') => flags.case_insensitive = on,
                Some('s') => flags.dot_all = on,
                Some('m') => flags.multiline = on,
                Some(')') => {
                    self.flags = flags;
                    self.i = j + 1;
                    return Ok(false);
                }
                Some(':') => {
                    self.flags = flags;
                    self.i = j + 1;
                    self.out.push_str("(?:");
                    return Ok(true);
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    return Err(format!("inline flag `{c}` (Java) is not supported"));
                }
                _ => return Err("unknown group syntax `(?`".to_owned()),
            }
            j += 1;
        }
    }

    fn copy(&mut self, n: usize) {
        self.out
            .extend(self.cs.get(self.i..self.i + n).unwrap_or(&[]));
        self.i += n;
    }

    fn close_group(&mut self) -> Result<(), String> {
        let group = self.groups.pop().ok_or("unmatched `)`")?;
        match group.atomic {
            Some(name) => self.out.push_str(&format!("))\\k<{name}>)")),
            None => self.out.push(')'),
        }
        self.flags = group.saved;
        self.i += 1;
        if group.zero_width {
            self.last_atom = None;
            self.last_zero_width = Some(group.start);
        } else {
            self.last_atom = Some(group.start);
        }
        Ok(())
    }

    fn quantifier(&mut self, c: char, zero_width: Option<usize>) -> Result<(), String> {
        let qlen = if c == '{' {
            quantifier_len(self.cs, self.i)
        } else {
            Some(1)
        };
        let Some(qlen) = qlen else {
            // a brace that is not a quantifier is a literal
            self.i += 1;
            self.atom("\\{");
            return Ok(());
        };
        let suffix = usize::from(matches!(self.peek(qlen), Some('?' | '+')));
        if self.last_atom.is_none() {
            let min = match c {
                '+' => 1,
                '*' | '?' => 0,
                _ => u32::from(self.peek(1).is_some_and(|d| d != '0')),
            };
            if let Some(start) = zero_width {
                // Java repeats an assertion: at least once is once, else it may be skipped.
                if min == 0 {
                    self.out.truncate(start);
                } else {
                    self.last_zero_width = Some(start);
                }
                self.i += qlen + suffix;
                return Ok(());
            }
            if c == '{' {
                // Java applies a quantifier after a quantifier (or at the start of a
                // sequence) to an empty atom: `a{2}{3}` is `a{2}`.
                self.i += qlen + suffix;
                return Ok(());
            }
        }
        self.copy(qlen);
        match self.peek(0) {
            Some('?') => self.copy(1),
            Some('+') => {
                // possessive: X*+ == (?:(?=(?<n>X*))\k<n>)
                let start = self
                    .last_atom
                    .ok_or("possessive quantifier without an atom")?;
                let name = self.fresh_name()?;
                let quantified = self.out.split_off(start);
                self.out
                    .push_str(&format!("(?:(?=(?<{name}>{quantified}))\\k<{name}>)"));
                self.i += 1;
            }
            _ => {}
        }
        self.last_atom = None;
        Ok(())
    }

    /// One character inside a class.
    fn class_char(&mut self, c: char) -> Result<(), String> {
        let next = self.peek(1);
        let Some(cl) = self.class.as_mut() else {
            return Ok(());
        };
        let was_empty = std::mem::replace(&mut cl.empty, false);
        match c {
            // Java: a `]` first in a class is a literal
            ']' if was_empty && cl.nested == 0 => {
                self.out.push_str("\\]");
                cl.prev_class_escape = false;
                self.i += 1;
            }
            ']' if cl.nested > 0 => {
                cl.nested -= 1;
                cl.prev_class_escape = false;
                self.i += 1;
            }
            ']' => {
                let (start, body) = (cl.start, cl.body);
                self.class = None;
                self.close_class(start, body);
                self.i += 1;
            }
            '[' => {
                if next == Some('^') {
                    return Err("negated nested character class (Java) is not supported".to_owned());
                }
                cl.nested += 1;
                cl.prev_class_escape = false;
                self.i += 1;
            }
            '&' if next == Some('&') => {
                return Err("character class intersection `&&` inside a nested class (Java) is not supported".to_owned());
            }
            '-' => {
                let next_is_end = next == Some(']');
                if !next_is_end
                    && (cl.prev_class_escape || super::class_escape_at(self.cs, self.i + 1))
                {
                    self.out.push_str("\\-");
                } else {
                    self.out.push('-');
                }
                cl.prev_class_escape = false;
                self.i += 1;
            }
            '\\' => {
                let (text, used, is_class_escape) = escape(self.cs, self.i, true, self.unicode)?;
                self.out.push_str(&text);
                if let Some(cl) = self.class.as_mut() {
                    cl.prev_class_escape = is_class_escape;
                }
                self.i += used;
            }
            _ => {
                self.out.push(c);
                cl.prev_class_escape = false;
                self.i += 1;
            }
        }
        Ok(())
    }

    /// Closes the class whose `[` is at `start` and body at `body`, adding the case
    /// partners of its letters under `(?i)`.
    fn close_class(&mut self, start: usize, body: usize) {
        if self.flags.case_insensitive {
            let positive = format!("[{}]", self.out.get(body..).unwrap_or(""));
            let partners = case_partners(&positive, self.unicode);
            self.out.push_str(&partners);
        }
        self.out.push(']');
        self.last_atom = Some(start);
    }
}
