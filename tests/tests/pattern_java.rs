//! Differential test of `@pattern` checks against `java.util.regex`, which AWS services run.
//!
//! Every distinct pattern of `../shared/patterns/aws-patterns.json` and of the models in
//! `$ANVIL_MODELS_DIR` (default `../shared/aws-models`) gets strings generated from its
//! structure: ones built to match and near misses (an edit, a trailing line break, a case
//! change, a non-ASCII character). `tests/java/PatternOracle.java` says which of them Java
//! matches; anvil's check, built as generated clients build it (the prepared source, the fast
//! matcher, `anvil_runtime::pattern::Pattern`), must accept every one of those. Values Java
//! refuses and anvil accepts are counted (a more permissive check is allowed), not failed.
//! Under `CI=true` a missing `java` fails the test; elsewhere the test says so and passes.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anvil_codegen::pattern::{FastMatcher, FastStep, fast_matcher, prepare};
use anvil_runtime::pattern::{AsciiSet, Fast, Pattern, Step};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn models_dir() -> PathBuf {
    match std::env::var_os("ANVIL_MODELS_DIR") {
        Some(d) => workspace().join(d),
        None => workspace().join("../shared/aws-models"),
    }
}

fn collect(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("smithy.api#pattern", serde_json::Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => collect(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

/// The patterns under test: the shared list plus every model of the model directory.
fn patterns() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let list = workspace().join("../shared/patterns/aws-patterns.json");
    if let Ok(text) = std::fs::read_to_string(&list) {
        let v: serde_json::Value = serde_json::from_str(&text).expect("aws-patterns.json parses");
        for p in v["patterns"].as_array().into_iter().flatten() {
            if let Some(s) = p["pattern"].as_str() {
                out.insert(s.to_owned());
            }
        }
    }
    let dir = models_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            collect(&v, &mut out);
        }
    }
    out
}

fn leak_steps(steps: &[FastStep]) -> &'static [Step] {
    let steps: Vec<Step> = steps
        .iter()
        .map(|s| match s {
            FastStep::Run { bits, min, max } => {
                Step::run(Box::leak(Box::new(AsciiSet::from_bits(*bits))), *min, *max)
            }
            FastStep::Repeat { block, min, max } => Step::repeat(leak_steps(block), *min, *max),
        })
        .collect();
    Box::leak(steps.into_boxed_slice())
}

/// The check generated clients run for `pattern`, or why there is none.
fn anvil_check(pattern: &str) -> Result<(Pattern, Vec<&'static str>), String> {
    let prepared = prepare(pattern)?;
    let source: &'static str = Box::leak(prepared.source.clone().into_boxed_str());
    let check = match fast_matcher(source, prepared.unicode) {
        Some(FastMatcher::Any) => Pattern::with_fast(source, prepared.unicode, Fast::Any),
        Some(FastMatcher::Ascii(steps)) => {
            Pattern::with_fast(source, prepared.unicode, Fast::Ascii(leak_steps(&steps)))
        }
        None => Pattern::new(source, prepared.unicode),
    };
    if !check.is_valid() {
        return Err(format!("`{source}` does not compile at run time"));
    }
    Ok((check, prepared.approximations))
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Java's answers: per pattern, `None` if it does not compile, else per string whether it
/// matches (`None`: Java gave up, see the oracle's budget).
fn ask_java(java: &Path, cases: &[(String, Vec<String>)]) -> Vec<Option<Vec<Option<bool>>>> {
    let oracle = workspace().join("tests/java/PatternOracle.java");
    let mut child = Command::new(java)
        .arg(&oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", java.display()));
    let mut stdin = child.stdin.take().expect("stdin");
    let input: String = cases
        .iter()
        .flat_map(|(p, strings)| {
            std::iter::once(format!("P {}\n", hex(p)))
                .chain(strings.iter().map(|s| format!("S {}\n", hex(s))))
        })
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || lines.next().and_then(Result::ok).unwrap_or_default();
    let answers = cases
        .iter()
        .map(|(_, strings)| {
            let compiled = next() == "ok";
            let found: Vec<Option<bool>> = strings
                .iter()
                .map(|_| match next().as_str() {
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => None,
                })
                .collect();
            compiled.then_some(found)
        })
        .collect();
    writer.join().expect("writer").expect("write to java");
    assert!(child.wait().expect("java exits").success(), "java failed");
    answers
}

fn find_java() -> Option<PathBuf> {
    let ok = Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| PathBuf::from("java"))
}

#[derive(Default)]
struct Tally {
    checked: usize,
    strings: usize,
    java_gave_up: usize,
    java_accepts: usize,
    permissive_values: usize,
    approximated: usize,
    false_rejections: Vec<String>,
    unchecked: Vec<String>,
}

fn compare(tally: &mut Tally, pattern: &str, strings: &[String], java: Option<&Vec<Option<bool>>>) {
    let Some(java) = java else {
        tally
            .unchecked
            .push(format!("{pattern:?}: java does not compile it"));
        return;
    };
    let (check, approximations) = match anvil_check(pattern) {
        Ok(c) => c,
        Err(e) => {
            tally.unchecked.push(format!("{pattern:?}: {e}"));
            return;
        }
    };
    tally.checked += 1;
    tally.approximated += usize::from(!approximations.is_empty());
    for (s, &java_match) in strings.iter().zip(java) {
        let Some(java_match) = java_match else {
            tally.java_gave_up += 1;
            continue;
        };
        tally.strings += 1;
        let ours = check.is_match(s);
        tally.java_accepts += usize::from(java_match);
        if java_match && !ours {
            tally.false_rejections.push(format!(
                "{pattern:?} (as {:?}) rejects {s:?}",
                check.source()
            ));
        } else if ours && !java_match {
            tally.permissive_values += 1;
        }
    }
}

#[test]
fn patterns_agree_with_java() {
    let Some(java) = find_java() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "java is required under CI=true (.ci/run installs default-jdk-headless)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "patterns: skipped, `java` is not installed"
        );
        return;
    };
    let start = std::time::Instant::now();
    let patterns = patterns();
    assert!(!patterns.is_empty(), "no patterns found");
    let cases: Vec<(String, Vec<String>)> = patterns
        .iter()
        .enumerate()
        .map(|(n, p)| (p.clone(), gen_strings::strings(p, n as u64)))
        .collect();
    let answers = ask_java(&java, &cases);
    let java_time = start.elapsed();
    let mut tally = Tally::default();
    for ((p, strings), java) in cases.iter().zip(&answers) {
        let t = std::time::Instant::now();
        if std::env::var_os("PATTERN_JAVA_TRACE").is_some() {
            println!("  comparing {p:?}");
        }
        compare(&mut tally, p, strings, java.as_ref());
        if t.elapsed().as_secs() >= 2 {
            println!("  slow: {p:?} took {:.1?}", t.elapsed());
        }
    }
    // Straight to stderr: libtest would hide `println!`/`eprintln!` of a passing test.
    let mut err = std::io::stderr();
    let _ = writeln!(
        err,
        "patterns: {} checked against java.util.regex, {} false rejections",
        tally.checked,
        tally.false_rejections.len()
    );
    let _ = writeln!(
        err,
        "  {} strings ({} more left out: Java gave up), {} accepted by Java; {} accepted only \
         by anvil; {} patterns checked more permissively than Java by construction; \
         Java {java_time:.1?}, in all {:.1?}",
        tally.strings,
        tally.java_gave_up,
        tally.java_accepts,
        tally.permissive_values,
        tally.approximated,
        start.elapsed()
    );
    for f in tally.false_rejections.iter().take(40) {
        println!("  false rejection: {f}");
    }
    for u in &tally.unchecked {
        println!("  unchecked: {u}");
    }
    assert!(
        tally.unchecked.is_empty(),
        "{} patterns unchecked",
        tally.unchecked.len()
    );
    assert!(
        tally.false_rejections.is_empty(),
        "{} false rejections",
        tally.false_rejections.len()
    );
    // The generator must mostly produce strings Java accepts, or the test proves little.
    assert!(
        tally.java_accepts * 4 > tally.strings,
        "too few matching strings generated"
    );
}

/// Strings generated from a pattern's (Java) structure.
mod gen_strings {
    /// Characters that tell the dialects apart: line terminators, Unicode spaces, letters
    /// with case partners outside ASCII, a combining mark, an astral character.
    const TRICKY: &[char] = &[
        'a', 'Z', 'k', '0', '9', '_', '-', '.', ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{85}',
        '\u{a0}', '\u{feff}', '\u{2028}', '\u{3000}', 'é', 'É', '\u{301}', '日', '😀', '\u{212a}',
        'ſ', '!', '@', '/', ':', '|', '\\', '$', '[', ']', '&', '<', '=', '*',
    ];

    /// Most repetitions generated beyond a quantifier's minimum.
    const EXTRA: u32 = 3;
    /// Longest generated string (in characters).
    const MAX_LEN: usize = 200;

    #[derive(Clone, Debug)]
    enum Node {
        Empty,
        Lit(char),
        /// Candidate characters; `negated` picks outside the listed ranges.
        Class {
            ranges: Vec<(char, char)>,
            pool: Vec<char>,
            negated: bool,
        },
        Seq(Vec<Node>),
        Alt(Vec<Node>),
        Repeat(Box<Node>, u32, u32),
    }

    struct Parser<'a> {
        cs: &'a [char],
        i: usize,
    }

    fn pool_for(name: &str) -> Vec<char> {
        let n = name.trim_start_matches("Is");
        match n {
            "L" | "Alpha" | "IsAlphabetic" | "Letter" | "javaLetter" | "Latin" => {
                vec!['a', 'Q', 'é', 'Ж', '日']
            }
            "Lu" | "Upper" | "javaUpperCase" | "Uppercase" => vec!['A', 'Z', 'É'],
            "Ll" | "Lower" | "javaLowerCase" | "Lowercase" => vec!['a', 'z', 'é'],
            "N" | "Nd" | "Digit" | "javaDigit" => vec!['0', '7', '٣'],
            "P" | "Punct" | "Punctuation" => vec!['!', '.', '-', '¿', '、'],
            "S" | "Sm" | "Sc" | "So" => vec!['+', '$', '©', '😀'],
            "Z" | "Zs" | "Space" | "javaWhitespace" | "Blank" => vec![' ', '\u{3000}'],
            "M" | "Mn" => vec!['\u{301}'],
            "Alnum" | "LD" | "javaLetterOrDigit" => vec!['a', 'Z', '5', 'é'],
            "XDigit" => vec!['0', 'a', 'F'],
            "Print" | "Graph" | "ASCII" => vec!['a', '~', '!', '5'],
            "Cntrl" | "Cc" => vec!['\u{1}', '\u{7f}'],
            _ => vec!['a', 'Z', '0', ' ', 'é', '!', '日'],
        }
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<char> {
            self.cs.get(self.i).copied()
        }
        fn eat(&mut self, c: char) -> bool {
            let yes = self.peek() == Some(c);
            self.i += usize::from(yes);
            yes
        }
        fn alt(&mut self) -> Node {
            let mut branches = vec![self.seq()];
            while self.eat('|') {
                branches.push(self.seq());
            }
            if branches.len() == 1 {
                branches.remove(0)
            } else {
                Node::Alt(branches)
            }
        }
        fn seq(&mut self) -> Node {
            let mut items = Vec::new();
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                let atom = self.atom();
                items.push(self.quantified(atom));
            }
            Node::Seq(items)
        }
        fn number(&mut self) -> Option<u32> {
            let start = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            let digits: String = self.cs.get(start..self.i)?.iter().collect();
            digits.parse().ok()
        }
        /// A quantifier at the cursor, consumed (with its lazy or possessive suffix).
        fn bounds(&mut self) -> Option<(u32, u32)> {
            let found = match self.peek()? {
                '*' => (0, u32::MAX),
                '+' => (1, u32::MAX),
                '?' => (0, 1),
                '{' => {
                    let save = self.i;
                    self.i += 1;
                    let min = self.number();
                    let max = if self.eat(',') {
                        self.number().unwrap_or(u32::MAX)
                    } else {
                        min.unwrap_or(0)
                    };
                    match min {
                        Some(min) if self.peek() == Some('}') => (min, max),
                        _ => {
                            self.i = save;
                            return None;
                        }
                    }
                }
                _ => return None,
            };
            self.i += 1;
            if matches!(self.peek(), Some('?' | '+')) {
                self.i += 1;
            }
            Some(found)
        }
        fn quantified(&mut self, mut atom: Node) -> Node {
            while let Some((min, max)) = self.bounds() {
                atom = Node::Repeat(Box::new(atom), min, max);
            }
            atom
        }
        fn atom(&mut self) -> Node {
            let Some(c) = self.peek() else {
                return Node::Empty;
            };
            self.i += 1;
            match c {
                '(' => self.group(),
                '[' => self.class(),
                '.' => Node::Class {
                    ranges: vec![],
                    pool: TRICKY.to_vec(),
                    negated: false,
                },
                '^' | '$' => Node::Empty,
                '\\' => self.escape(false),
                _ => Node::Lit(c),
            }
        }
        fn group(&mut self) -> Node {
            let mut zero_width = false;
            if self.eat('?') {
                match self.peek() {
                    Some('=' | '!') => zero_width = true,
                    Some('<') if matches!(self.cs.get(self.i + 1), Some('=' | '!')) => {
                        zero_width = true;
                    }
                    _ => {}
                }
                // skip flags, names and group kinds up to the body (or the `)` of `(?i)`)
                while let Some(c) = self.peek() {
                    if c == ')' {
                        self.i += 1;
                        return Node::Empty;
                    }
                    self.i += 1;
                    if matches!(c, ':' | '>' | '=' | '!') {
                        break;
                    }
                }
            }
            let inner = self.alt();
            self.eat(')');
            if zero_width { Node::Empty } else { inner }
        }
        fn class(&mut self) -> Node {
            let negated = self.eat('^');
            let (mut ranges, mut pool) = (Vec::new(), Vec::new());
            let mut first = true;
            while let Some(c) = self.peek() {
                if c == ']' && !first {
                    self.i += 1;
                    break;
                }
                first = false;
                self.i += 1;
                let lo = match c {
                    '[' => {
                        if let Node::Class {
                            ranges: r, pool: p, ..
                        } = self.class()
                        {
                            ranges.extend(r);
                            pool.extend(p);
                        }
                        continue;
                    }
                    '&' if self.peek() == Some('&') => {
                        self.i += 1;
                        continue;
                    }
                    '\\' => match self.escape(true) {
                        Node::Lit(l) => l,
                        Node::Class {
                            ranges: r, pool: p, ..
                        } => {
                            ranges.extend(r);
                            pool.extend(p);
                            continue;
                        }
                        _ => continue,
                    },
                    c => c,
                };
                if self.peek() == Some('-') && self.cs.get(self.i + 1).is_some_and(|&n| n != ']') {
                    self.i += 1;
                    let hi = match self.peek() {
                        Some('\\') => {
                            self.i += 1;
                            match self.escape(true) {
                                Node::Lit(h) => h,
                                _ => lo,
                            }
                        }
                        Some(h) => {
                            self.i += 1;
                            h
                        }
                        None => lo,
                    };
                    ranges.push((lo, hi.max(lo)));
                } else {
                    ranges.push((lo, lo));
                }
            }
            Node::Class {
                ranges,
                pool,
                negated,
            }
        }
        fn hex(&mut self, n: usize) -> Node {
            let digits: String = self
                .cs
                .get(self.i..self.i + n)
                .unwrap_or(&[])
                .iter()
                .collect();
            self.i += n;
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
                .map_or(Node::Empty, Node::Lit)
        }
        fn braced(&mut self) -> String {
            let mut name = String::new();
            if self.eat('{') {
                while let Some(c) = self.peek() {
                    self.i += 1;
                    if c == '}' {
                        break;
                    }
                    name.push(c);
                }
            } else if let Some(c) = self.peek() {
                self.i += 1;
                name.push(c);
            }
            name
        }
        fn escape(&mut self, in_class: bool) -> Node {
            let Some(c) = self.peek() else {
                return Node::Empty;
            };
            self.i += 1;
            let class = |pool: &str| Node::Class {
                ranges: vec![],
                pool: pool.chars().collect(),
                negated: false,
            };
            match c {
                'd' => class("059"),
                'D' => class("a-!é "),
                'W' => class("-!é "),
                'w' => class("aZ_5"),
                's' => class(" \t\n"),
                'S' => class("a!\u{a0}é"),
                'h' => class(" \t\u{a0}"),
                'v' => class("\n\u{b}"),
                'p' | 'P' => {
                    let name = self.braced();
                    Node::Class {
                        ranges: vec![],
                        pool: pool_for(&name),
                        negated: false,
                    }
                }
                'b' | 'B' | 'A' | 'z' | 'Z' | 'G' if !in_class => Node::Empty,
                't' => Node::Lit('\t'),
                'n' => Node::Lit('\n'),
                'r' => Node::Lit('\r'),
                'f' => Node::Lit('\u{c}'),
                'e' => Node::Lit('\u{1b}'),
                'a' => Node::Lit('\u{7}'),
                'u' => self.hex(4),
                'x' if self.peek() == Some('{') => {
                    let h = self.braced();
                    u32::from_str_radix(&h, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map_or(Node::Empty, Node::Lit)
                }
                'x' => self.hex(2),
                'Q' => {
                    let mut items = Vec::new();
                    while let Some(q) = self.peek() {
                        if q == '\\' && self.cs.get(self.i + 1) == Some(&'E') {
                            self.i += 2;
                            break;
                        }
                        self.i += 1;
                        items.push(Node::Lit(q));
                    }
                    Node::Seq(items)
                }
                '0'..='9' if !in_class => {
                    while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                        self.i += 1;
                    }
                    Node::Empty
                }
                other => Node::Lit(other),
            }
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                usize::try_from(self.next() % n as u64).unwrap_or(0)
            }
        }
        fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
            let i = self.below(items.len());
            items.get(i).copied()
        }
    }

    fn in_ranges(c: char, ranges: &[(char, char)]) -> bool {
        ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
    }

    fn class_char(
        rng: &mut Rng,
        ranges: &[(char, char)],
        pool: &[char],
        negated: bool,
    ) -> Option<char> {
        if negated {
            let outside: Vec<char> = TRICKY
                .iter()
                .copied()
                .chain(' '..='~')
                .filter(|&c| !in_ranges(c, ranges) && !pool.contains(&c))
                .collect();
            return rng.pick(&outside);
        }
        let total = ranges.len() + pool.len();
        let k = rng.below(total);
        if let Some(&(lo, hi)) = ranges.get(k) {
            let span = u32::from(hi) - u32::from(lo);
            let offset = match rng.below(3) {
                0 => 0,
                1 => span,
                _ => u32::try_from(rng.below(usize::try_from(span).unwrap_or(0) + 1)).unwrap_or(0),
            };
            return char::from_u32(u32::from(lo) + offset).or(Some(lo));
        }
        pool.get(k - ranges.len()).copied()
    }

    fn generate(node: &Node, rng: &mut Rng, out: &mut String) {
        if out.chars().count() > MAX_LEN {
            return;
        }
        match node {
            Node::Empty => {}
            Node::Lit(c) => out.push(*c),
            Node::Class {
                ranges,
                pool,
                negated,
            } => {
                if let Some(c) = class_char(rng, ranges, pool, *negated) {
                    out.push(c);
                }
            }
            Node::Seq(items) => items.iter().for_each(|n| generate(n, rng, out)),
            Node::Alt(branches) => {
                if let Some(b) = branches.get(rng.below(branches.len())) {
                    generate(b, rng, out);
                }
            }
            Node::Repeat(inner, min, max) => {
                let span = max.saturating_sub(*min).min(EXTRA);
                let extra =
                    u32::try_from(rng.below(usize::try_from(span).unwrap_or(0) + 1)).unwrap_or(0);
                let count = if rng.below(6) == 0 && *max <= 8 {
                    *max
                } else {
                    min.saturating_add(extra)
                };
                for _ in 0..count.min(256) {
                    generate(inner, rng, out);
                }
            }
        }
    }

    /// Near misses of `s`: one edit each.
    fn mutations(s: &str, rng: &mut Rng) -> Vec<String> {
        let cs: Vec<char> = s.chars().collect();
        let at = |rng: &mut Rng| rng.below(cs.len() + 1);
        let mut out = vec![
            format!("{s}\n"),
            format!("{s}\r\n"),
            format!("{s}\u{85}"),
            format!("{s}\u{2028}"),
            format!("\n{s}"),
            s.to_uppercase(),
            s.to_lowercase(),
        ];
        for _ in 0..6 {
            let mut t = cs.clone();
            let pos = at(rng);
            let c = rng.pick(TRICKY).unwrap_or('a');
            match rng.below(3) {
                0 => t.insert(pos.min(t.len()), c),
                1 if pos < t.len() => {
                    t.remove(pos);
                }
                _ if pos < t.len() => {
                    if let Some(slot) = t.get_mut(pos) {
                        *slot = c;
                    }
                }
                _ => t.push(c),
            }
            out.push(t.into_iter().collect());
        }
        out
    }

    /// Matching candidates and near misses for `pattern`, deterministic per `seed`.
    pub fn strings(pattern: &str, seed: u64) -> Vec<String> {
        let cs: Vec<char> = pattern.chars().collect();
        let mut parser = Parser { cs: &cs, i: 0 };
        let mut node = parser.alt();
        while parser.i < cs.len() {
            // an unmatched `)`: skip it and go on
            parser.i += 1;
            node = Node::Seq(vec![node, parser.alt()]);
        }
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut out = vec![String::new()];
        for _ in 0..5 {
            let mut s = String::new();
            generate(&node, &mut rng, &mut s);
            let near = mutations(&s, &mut rng);
            out.push(s);
            out.extend(near);
        }
        out.sort();
        out.dedup();
        out
    }
}
