//! A strict JSON parser that keeps the line and column of every value and object key.
//!
//! Strict means RFC 8259 and nothing more: no comments, no trailing commas, no duplicate object
//! keys, no unescaped control characters, no lone surrogates. Numbers are kept as written.
//! Nesting is limited to [`MAX_DEPTH`] so that hostile input cannot exhaust the stack, and the
//! parser never panics: every problem is a [`SyntaxError`] with a position.

use std::collections::HashSet;
use std::sync::Arc;

use super::{Node, NodeValue, Number, Span};

/// Deepest nesting of arrays and objects accepted: the official AWS models nest at most 21
/// deep; 128 keeps the recursive parser within a 1 MiB stack even in debug builds.
pub(crate) const MAX_DEPTH: usize = 128;

/// A 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    /// The span of this position in `file`.
    pub fn span(self, file: &Arc<str>) -> Span {
        Span::new(file.clone(), self.line, self.column)
    }
}

/// A parsed JSON value with its position.
#[derive(Clone, Debug)]
pub(crate) struct JNode {
    pub value: JValue,
    pub pos: Pos,
}

/// The value of a [`JNode`].
#[derive(Clone, Debug)]
pub(crate) enum JValue {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<JNode>),
    Object(Vec<JEntry>),
}

/// An object entry: key, key position, value.
#[derive(Clone, Debug)]
pub(crate) struct JEntry {
    pub key: String,
    pub key_pos: Pos,
    pub value: JNode,
}

impl JNode {
    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    pub fn as_object(&self) -> Option<&[JEntry]> {
        match &self.value {
            JValue::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[JNode]> {
        match &self.value {
            JValue::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entry for `key`, if this is an object that has it.
    pub fn entry(&self, key: &str) -> Option<&JEntry> {
        self.as_object()?.iter().find(|e| e.key == key)
    }

    /// The value for `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&JNode> {
        self.entry(key).map(|e| &e.value)
    }

    /// Takes the value of `key` out of this object (leaving `null` behind) with its key position.
    pub fn take(&mut self, key: &str) -> Option<(Pos, JNode)> {
        let JValue::Object(entries) = &mut self.value else {
            return None;
        };
        let entry = entries.iter_mut().find(|e| e.key == key)?;
        let pos = entry.value.pos;
        Some((
            entry.key_pos,
            std::mem::replace(
                &mut entry.value,
                JNode {
                    value: JValue::Null,
                    pos,
                },
            ),
        ))
    }

    /// Converts to the model's [`Node`] without copying strings.
    pub fn into_node(self, file: &Arc<str>) -> Node {
        let value = match self.value {
            JValue::Null => NodeValue::Null,
            JValue::Bool(b) => NodeValue::Bool(b),
            JValue::Number(n) => NodeValue::Number(Number::from_text(n)),
            JValue::String(s) => NodeValue::String(s),
            JValue::Array(a) => {
                NodeValue::Array(a.into_iter().map(|n| n.into_node(file)).collect())
            }
            JValue::Object(o) => NodeValue::Object(
                o.into_iter()
                    .map(|e| (e.key, e.value.into_node(file)))
                    .collect(),
            ),
        };
        Node {
            value,
            span: self.pos.span(file),
        }
    }

    /// A JSON type name for messages (`an object`, `a string`, ...).
    pub fn kind(&self) -> &'static str {
        match self.value {
            JValue::Null => "null",
            JValue::Bool(_) => "a boolean",
            JValue::Number(_) => "a number",
            JValue::String(_) => "a string",
            JValue::Array(_) => "an array",
            JValue::Object(_) => "an object",
        }
    }
}

/// Structural equality of two model nodes, ignoring spans.
pub(crate) fn same_node(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (NodeValue::Null, NodeValue::Null) => true,
        (NodeValue::Bool(x), NodeValue::Bool(y)) => x == y,
        (NodeValue::Number(x), NodeValue::Number(y)) => x.as_text() == y.as_text(),
        (NodeValue::String(x), NodeValue::String(y)) => x == y,
        (NodeValue::Array(x), NodeValue::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_node(p, q))
        }
        (NodeValue::Object(x), NodeValue::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| k2 == k)
                        .is_some_and(|(_, v2)| same_node(v, v2))
                })
        }
        _ => false,
    }
}

/// A JSON syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
    pub help: String,
}

/// Parses a whole JSON document (a leading UTF-8 byte order mark is skipped).
pub(crate) fn parse(text: &str) -> Result<JNode, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        i: 0,
        line: 1,
        column: 1,
    };
    p.skip_ws()?;
    if p.i >= p.bytes.len() {
        return Err(p.error(
            "the file is empty",
            "a Smithy JSON AST file is an object such as {\"smithy\": \"2.0\", \"shapes\": {}}",
        ));
    }
    let value = p.value(0)?;
    p.skip_ws()?;
    if p.i < p.bytes.len() {
        return Err(p.error(
            format!(
                "unexpected {} after the end of the JSON value",
                p.describe_here()
            ),
            "a JSON document holds exactly one value; remove the extra text",
        ));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
    line: u32,
    column: u32,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn error(&self, message: impl Into<String>, help: impl Into<String>) -> SyntaxError {
        self.error_at(self.pos(), message, help)
    }

    fn error_at(
        &self,
        pos: Pos,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> SyntaxError {
        SyntaxError {
            pos,
            message: message.into(),
            help: help.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    /// Describes the character at the cursor for messages.
    fn describe_here(&self) -> String {
        match self.text.get(self.i..).and_then(|s| s.chars().next()) {
            None => "end of input".to_string(),
            Some(c) if c.is_control() => format!("character U+{:04X}", u32::from(c)),
            Some(c) => format!("character `{c}`"),
        }
    }

    /// Advances over one ASCII byte that is not a newline.
    fn bump(&mut self) {
        self.i += 1;
        self.column = self.column.saturating_add(1);
    }

    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.bump(),
                b'\n' => {
                    self.i += 1;
                    self.line = self.line.saturating_add(1);
                    self.column = 1;
                }
                b'/' if matches!(self.bytes.get(self.i + 1), Some(b'/' | b'*')) => {
                    return Err(self.error(
                        "comments are not allowed in JSON",
                        "remove the comment; use the `smithy.api#documentation` trait for documentation",
                    ));
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn expect_literal(&mut self, word: &str, value: JValue) -> Result<JValue, SyntaxError> {
        let end = self.i + word.len();
        if self.bytes.get(self.i..end) == Some(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            // `truex` is not `true` followed by garbage we would report later confusingly.
            if self.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
                return Err(self.error(
                    format!("unexpected {} after `{word}`", self.describe_here()),
                    "JSON literals are `true`, `false` and `null`; strings need double quotes",
                ));
            }
            Ok(value)
        } else {
            Err(self.error(
                format!("unexpected {}", self.describe_here()),
                "expected a JSON value: an object, array, string, number, `true`, `false` or `null`; strings need double quotes",
            ))
        }
    }

    fn value(&mut self, depth: usize) -> Result<JNode, SyntaxError> {
        let pos = self.pos();
        let value = match self.peek() {
            None => {
                return Err(self.error(
                    "unexpected end of input, expected a value",
                    "the file is truncated; complete the JSON document",
                ));
            }
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JValue::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => JValue::Number(self.number()?),
            Some(b't') => self.expect_literal("true", JValue::Bool(true))?,
            Some(b'f') => self.expect_literal("false", JValue::Bool(false))?,
            Some(b'n') => self.expect_literal("null", JValue::Null)?,
            Some(_) => {
                return Err(self.error(
                    format!("unexpected {}, expected a value", self.describe_here()),
                    "expected a JSON value: an object, array, string, number, `true`, `false` or `null`",
                ));
            }
        };
        Ok(JNode { value, pos })
    }

    fn enter(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(
                format!("arrays and objects are nested more than {MAX_DEPTH} levels deep"),
                "Smithy models never need this much nesting; flatten the value",
            ));
        }
        Ok(depth + 1)
    }

    fn object(&mut self, depth: usize) -> Result<JValue, SyntaxError> {
        let depth = self.enter(depth)?;
        self.bump(); // {
        let mut entries: Vec<JEntry> = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(JValue::Object(entries));
        }
        let mut seen: Option<HashSet<String>> = None;
        loop {
            self.skip_ws()?;
            let key_pos = self.pos();
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') if !entries.is_empty() => {
                    return Err(self.error(
                        "trailing comma before `}`",
                        "remove the comma after the last entry",
                    ));
                }
                None => {
                    return Err(self.error(
                        "unexpected end of input inside an object",
                        "the file is truncated; close the object with `}`",
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        format!("unexpected {}, expected a string key", self.describe_here()),
                        "object keys must be double-quoted strings",
                    ));
                }
            }
            let key = self.string()?;
            // Duplicate detection: linear for small objects, hashed for large ones.
            let duplicate = match &mut seen {
                Some(set) => !set.insert(key.clone()),
                None => entries.iter().any(|e| e.key == key),
            };
            if duplicate {
                let first = entries
                    .iter()
                    .find(|e| e.key == key)
                    .map_or(key_pos, |e| e.key_pos);
                return Err(self.error_at(
                    key_pos,
                    format!(
                        "duplicate object key `{key}` (first defined at line {}, column {})",
                        first.line, first.column
                    ),
                    "each key may appear once in an object; remove or merge the duplicate",
                ));
            }
            if seen.is_none() && entries.len() >= 16 {
                let mut set: HashSet<String> = entries.iter().map(|e| e.key.clone()).collect();
                set.insert(key.clone());
                seen = Some(set);
            }
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.error(
                    format!("unexpected {}, expected `:`", self.describe_here()),
                    "separate an object key from its value with `:`",
                ));
            }
            self.bump();
            self.skip_ws()?;
            let value = self.value(depth)?;
            entries.push(JEntry {
                key,
                key_pos,
                value,
            });
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(JValue::Object(entries));
                }
                None => {
                    return Err(self.error(
                        "unexpected end of input inside an object",
                        "the file is truncated; close the object with `}`",
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        format!("unexpected {}, expected `,` or `}}`", self.describe_here()),
                        "separate object entries with `,`",
                    ));
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JValue, SyntaxError> {
        let depth = self.enter(depth)?;
        self.bump(); // [
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(JValue::Array(items));
        }
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b']') {
                return Err(self.error(
                    "trailing comma before `]`",
                    "remove the comma after the last element",
                ));
            }
            items.push(self.value(depth)?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(JValue::Array(items));
                }
                None => {
                    return Err(self.error(
                        "unexpected end of input inside an array",
                        "the file is truncated; close the array with `]`",
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        format!("unexpected {}, expected `,` or `]`", self.describe_here()),
                        "separate array elements with `,`",
                    ));
                }
            }
        }
    }

    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.i;
        let start_pos = self.pos();
        let bad = |p: &Self| {
            p.error_at(
                start_pos,
                "invalid number",
                "JSON numbers look like `-12`, `0.5` or `1e3`: no leading zeros, `+`, `.5` or `NaN`",
            )
        };
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(bad(self));
                }
            }
            Some(b'1'..=b'9') => {
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.bump();
                }
            }
            _ => return Err(bad(self)),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(bad(self));
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.bump();
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(bad(self));
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.bump();
            }
        }
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.')
        {
            return Err(bad(self));
        }
        Ok(self.text.get(start..self.i).unwrap_or_default().to_string())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            match digit {
                Some(d) => {
                    v = v * 16 + d;
                    self.bump();
                }
                None => {
                    return Err(self.error(
                        "invalid `\\u` escape: expected four hexadecimal digits",
                        "write a Unicode escape as `\\u` followed by exactly four hex digits, e.g. `\\u00e9`",
                    ));
                }
            }
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.pos();
        self.bump(); // opening quote
        let mut out = String::new();
        let mut chunk_start = self.i;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error_at(
                    open,
                    "unterminated string",
                    "close the string with `\"`",
                ));
            };
            match b {
                b'"' => {
                    out.push_str(self.text.get(chunk_start..self.i).unwrap_or_default());
                    self.bump();
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(self.text.get(chunk_start..self.i).unwrap_or_default());
                    let escape_pos = self.pos();
                    self.bump();
                    let Some(e) = self.peek() else {
                        return Err(self.error_at(
                            open,
                            "unterminated string",
                            "close the string with `\"`",
                        ));
                    };
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            self.bump();
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                let low = if self.bytes.get(self.i..self.i + 2) == Some(b"\\u") {
                                    self.bump();
                                    self.bump();
                                    self.hex4()?
                                } else {
                                    0
                                };
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error_at(
                                        escape_pos,
                                        "lone surrogate in `\\u` escape",
                                        "a high surrogate (\\uD800-\\uDBFF) must be followed by a low surrogate (\\uDC00-\\uDFFF)",
                                    ));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&first) {
                                return Err(self.error_at(
                                    escape_pos,
                                    "lone surrogate in `\\u` escape",
                                    "a low surrogate (\\uDC00-\\uDFFF) must follow a high surrogate",
                                ));
                            } else {
                                first
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => {
                                    return Err(self.error_at(
                                        escape_pos,
                                        "invalid `\\u` escape",
                                        "escape a valid Unicode scalar value",
                                    ));
                                }
                            }
                            chunk_start = self.i;
                            continue;
                        }
                        _ => {
                            return Err(self.error_at(
                                escape_pos,
                                format!(
                                    "invalid escape `\\{}`",
                                    self.text
                                        .get(self.i..)
                                        .and_then(|s| s.chars().next())
                                        .unwrap_or(' ')
                                ),
                                "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                            ));
                        }
                    }
                    self.bump();
                    chunk_start = self.i;
                }
                0..=0x1f => {
                    return Err(self.error(
                        format!("unescaped control character U+{b:04X} in string"),
                        "escape it, e.g. write a newline as `\\n` and a tab as `\\t`",
                    ));
                }
                0x80.. => {
                    // Count characters, not bytes: continuation bytes do not advance the column.
                    if b & 0xC0 != 0x80 {
                        self.column = self.column.saturating_add(1);
                    }
                    self.i += 1;
                }
                _ => self.bump(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> SyntaxError {
        match parse(text) {
            Ok(v) => panic!("expected an error for {text:?}, got {v:?}"),
            Err(e) => e,
        }
    }

    fn at(e: &SyntaxError) -> (u32, u32) {
        (e.pos.line, e.pos.column)
    }

    #[test]
    fn parses_values_with_positions() {
        let v =
            parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"é\": \"x\\u00e9\\ud83d\\ude00\"\n}")
                .unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), 2);
        assert_eq!((obj[0].key_pos.line, obj[0].key_pos.column), (2, 3));
        let arr = obj[0].value.as_array().unwrap();
        assert!(matches!(&arr[1].value, JValue::Number(n) if n == "-2.5e3"));
        assert_eq!((arr[1].pos.line, arr[1].pos.column), (2, 12));
        assert_eq!(obj[1].key, "é");
        // column counts characters: `"é": ` is 5 chars, so the value starts at column 8
        assert_eq!((obj[1].value.pos.line, obj[1].value.pos.column), (3, 8));
        assert_eq!(obj[1].value.as_str(), Some("xé😀"));
    }

    #[test]
    fn strips_bom_and_counts_columns_in_chars() {
        let v = parse("\u{feff}[\"ééé\", 1]").unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!((arr[1].pos.line, arr[1].pos.column), (1, 9));
    }

    #[test]
    fn rejects_trailing_commas() {
        let e = err("{\"a\": 1,}");
        assert!(e.message.contains("trailing comma"), "{e:?}");
        assert_eq!(at(&e), (1, 9));
        let e = err("[1, 2,\n]");
        assert!(e.message.contains("trailing comma"));
        assert_eq!(at(&e), (2, 1));
    }

    #[test]
    fn rejects_duplicate_keys_small_and_large() {
        let e = err("{\"a\": 1, \"a\": 2}");
        assert!(e.message.contains("duplicate object key `a`"));
        assert_eq!(at(&e), (1, 10));
        let mut big = String::from("{");
        for i in 0..40 {
            big.push_str(&format!("\"k{i}\": {i},"));
        }
        big.push_str("\"k7\": 0}");
        let e = err(&big);
        assert!(e.message.contains("duplicate object key `k7`"), "{e:?}");
    }

    #[test]
    fn rejects_comments_and_bad_literals() {
        assert!(err("// x\n{}").message.contains("comments"));
        assert!(err("{/* x */}").message.contains("comments"));
        assert!(err("[tru]").message.contains("unexpected"));
        assert!(err("[truex]").message.contains("after `true`"));
        assert!(err("{'a': 1}").message.contains("expected a string key"));
    }

    #[test]
    fn rejects_bad_strings() {
        assert!(err("[\"\\x\"]").message.contains("invalid escape `\\x`"));
        assert!(err("[\"\\ud800\"]").message.contains("lone surrogate"));
        assert!(err("[\"\\udc00\"]").message.contains("lone surrogate"));
        assert!(
            err("[\"\\ud800\\u0041\"]")
                .message
                .contains("lone surrogate")
        );
        assert!(err("[\"\\u12\"]").message.contains("four hexadecimal"));
        let e = err("[\"a\tb\"]");
        assert!(e.message.contains("control character"));
        assert_eq!(at(&e), (1, 4));
        let e = err("[\n \"abc");
        assert!(e.message.contains("unterminated"));
        assert_eq!(at(&e), (2, 2));
    }

    #[test]
    fn rejects_bad_numbers() {
        for bad in [
            "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[-]", "[1.5.2]", "[NaN]", "[0x10]",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
        let v = parse("[0, -0, 1.25, 1E+2, 12345678901234567890123]").unwrap();
        assert_eq!(v.as_array().unwrap().len(), 5);
    }

    #[test]
    fn rejects_trailing_text_and_empty() {
        assert!(err("{} {}").message.contains("after the end"));
        assert!(err("   ").message.contains("empty"));
        assert!(err("").message.contains("empty"));
    }

    #[test]
    fn depth_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let e = err(&deep);
        assert!(e.message.contains("nested more than 128"), "{e:?}");
        assert_eq!(at(&e), (1, MAX_DEPTH as u32 + 1));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep_obj = "{\"a\":".repeat(300);
        assert!(err(&deep_obj).message.contains("nested"));
    }

    #[test]
    fn converts_to_node_and_compares() {
        let file: Arc<str> = Arc::from("f.json");
        let mut a = parse("{\"x\": [1, {\"y\": null}], \"z\": \"s\"}").unwrap();
        let b = parse("{\n\"z\": \"s\", \"x\": [1, {\"y\": null}]}").unwrap();
        let c = parse("{\"x\": [1, {\"y\": false}], \"z\": \"s\"}").unwrap();
        let (key_pos, x) = a.take("x").unwrap();
        assert_eq!((key_pos.line, key_pos.column), (1, 2));
        assert_eq!(x.as_array().map(<[JNode]>::len), Some(2));
        assert!(matches!(a.get("x").map(|v| &v.value), Some(JValue::Null)));
        let a = parse("{\"x\": [1, {\"y\": null}], \"z\": \"s\"}").unwrap();
        let n = a.into_node(&file);
        assert_eq!(n.get("z").and_then(|z| z.as_str()), Some("s"));
        assert_eq!(n.get("z").unwrap().span.to_string(), "f.json:1:30");
        assert!(same_node(&n, &b.into_node(&file)));
        assert!(!same_node(&n, &c.into_node(&file)));
    }
}
