//! JSON writing (a small streaming writer) and reading (typed readers over `serde_json`).

use crate::blob::Blob;
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::{Document, Number};
use crate::numbers::{BigDecimal, BigInteger};
use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

pub use serde_json::{Map, Value};

/// Writes JSON text into a `String`, inserting commas and colons itself.
///
/// Callers are trusted to nest calls properly (`begin_*`/`end_*` balanced, a `key` before
/// each object value); the writer does not check it.
#[derive(Debug, Default)]
pub struct JsonWriter {
    buf: String,
    /// One entry per open container: whether it has an element yet.
    stack: Vec<bool>,
    /// A key was just written; the next value follows its colon.
    after_key: bool,
}

impl JsonWriter {
    /// An empty writer.
    pub fn new() -> Self {
        JsonWriter::default()
    }

    fn before_value(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(has_items) = self.stack.last_mut() {
            if *has_items {
                self.buf.push(',');
            }
            *has_items = true;
        }
    }

    /// Opens an object.
    pub fn begin_object(&mut self) {
        self.before_value();
        self.buf.push('{');
        self.stack.push(false);
    }

    /// Closes an object.
    pub fn end_object(&mut self) {
        self.stack.pop();
        self.buf.push('}');
    }

    /// Opens an array.
    pub fn begin_array(&mut self) {
        self.before_value();
        self.buf.push('[');
        self.stack.push(false);
    }

    /// Closes an array.
    pub fn end_array(&mut self) {
        self.stack.pop();
        self.buf.push(']');
    }

    /// Writes an object key; the next call writes its value.
    pub fn key(&mut self, key: &str) {
        self.after_key = false;
        self.before_value();
        write_escaped(&mut self.buf, key);
        self.buf.push(':');
        self.after_key = true;
    }

    /// A string value.
    pub fn string(&mut self, s: &str) {
        self.before_value();
        write_escaped(&mut self.buf, s);
    }

    /// A boolean.
    pub fn bool(&mut self, v: bool) {
        self.before_value();
        self.buf.push_str(if v { "true" } else { "false" });
    }

    /// A signed integer.
    pub fn i64(&mut self, v: i64) {
        self.before_value();
        let _ = write!(self.buf, "{v}");
    }

    /// An unsigned integer.
    pub fn u64(&mut self, v: u64) {
        self.before_value();
        let _ = write!(self.buf, "{v}");
    }

    /// A double. NaN and infinities become the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    pub fn f64(&mut self, v: f64) {
        self.before_value();
        match serde_json::Number::from_f64(v) {
            Some(n) => {
                let _ = write!(self.buf, "{n}");
            }
            None => self.buf.push_str(non_finite(v)),
        }
    }

    /// A float, in its shortest `f32` form. Non-finite values as for [`JsonWriter::f64`].
    pub fn f32(&mut self, v: f32) {
        self.before_value();
        if v.is_finite() {
            let _ = write!(self.buf, "{v}");
        } else {
            self.buf.push_str(non_finite(f64::from(v)));
        }
    }

    /// `null`.
    pub fn null(&mut self) {
        self.before_value();
        self.buf.push_str("null");
    }

    /// A blob as a base64 string.
    pub fn blob(&mut self, b: &Blob) {
        self.before_value();
        self.buf.push('"');
        self.buf.push_str(&b.to_base64());
        self.buf.push('"');
    }

    /// A timestamp: epoch-seconds as a number, the other formats as strings.
    pub fn timestamp(&mut self, t: &DateTime, format: TimestampFormat) {
        self.before_value();
        let text = t.format(format);
        match format {
            TimestampFormat::EpochSeconds => self.buf.push_str(&text),
            _ => write_escaped(&mut self.buf, &text),
        }
    }

    /// A big integer, as a JSON number with all its digits.
    pub fn big_integer(&mut self, v: &BigInteger) {
        self.before_value();
        self.buf.push_str(v.as_str());
    }

    /// A big decimal, as a JSON number with all its digits.
    pub fn big_decimal(&mut self, v: &BigDecimal) {
        self.before_value();
        self.buf.push_str(v.as_str());
    }

    /// A document, written without recursion (any depth).
    pub fn document(&mut self, doc: &Document) {
        enum Frame<'a> {
            Array(std::slice::Iter<'a, Document>),
            Object(std::collections::btree_map::Iter<'a, String, Document>),
        }
        let mut stack: Vec<Frame<'_>> = Vec::new();
        let mut next = Some(doc);
        loop {
            if let Some(d) = next.take() {
                match d {
                    Document::Null => self.null(),
                    Document::Bool(b) => self.bool(*b),
                    Document::Number(Number::PosInt(v)) => self.u64(*v),
                    Document::Number(Number::NegInt(v)) => self.i64(*v),
                    Document::Number(Number::Float(v)) => self.f64(*v),
                    Document::String(s) => self.string(s),
                    Document::Array(items) => {
                        self.begin_array();
                        stack.push(Frame::Array(items.iter()));
                    }
                    Document::Object(map) => {
                        self.begin_object();
                        stack.push(Frame::Object(map.iter()));
                    }
                }
            }
            match stack.last_mut() {
                None => return,
                Some(Frame::Array(it)) => match it.next() {
                    Some(d) => next = Some(d),
                    None => {
                        stack.pop();
                        self.end_array();
                    }
                },
                Some(Frame::Object(it)) => match it.next() {
                    Some((k, d)) => {
                        self.key(k);
                        next = Some(d);
                    }
                    None => {
                        stack.pop();
                        self.end_object();
                    }
                },
            }
        }
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.buf
    }
}

fn non_finite(v: f64) -> &'static str {
    if v.is_nan() {
        "\"NaN\""
    } else if v > 0.0 {
        "\"Infinity\""
    } else {
        "\"-Infinity\""
    }
}

/// Appends `s` as a JSON string literal. Escapes `"`, `\`, control characters and
/// U+2028/U+2029 (which break JavaScript embedders).
fn write_escaped(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            c if c < '\u{20}' || c == '\u{2028}' || c == '\u{2029}' => None,
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// A value in a JSON body was missing or not of the expected kind. Never holds the value.
#[derive(Clone, Debug, PartialEq)]
pub struct DeError {
    path: String,
    expected: String,
}

impl DeError {
    /// At `path` (like `items[2].name`; empty for the body itself), expected `expected`.
    pub fn new(path: impl Into<String>, expected: impl Into<String>) -> Self {
        DeError {
            path: path.into(),
            expected: expected.into(),
        }
    }

    /// A required member at `path` is missing or null.
    pub fn missing(path: impl Into<String>) -> Self {
        DeError::new(path, "a value (required member is missing)")
    }

    /// The value at `path` has a type this position cannot carry (e.g. a header bound to a
    /// type headers cannot hold).
    pub fn unsupported(path: impl Into<String>) -> Self {
        DeError::new(path, "a value of a type supported here")
    }

    /// Where.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was expected.
    pub fn expected(&self) -> &str {
        &self.expected
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "expected {} in the body", self.expected)
        } else {
            write!(f, "expected {} at `{}`", self.expected, self.path)
        }
    }
}

impl std::error::Error for DeError {}

/// `parent.name` (or `name` at the root): for building error paths.
pub fn join_field(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// `parent[index]`.
pub fn join_index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// `parent["key"]` (key escaped, truncated to 64 characters), or `parent[*]` if sensitive.
pub fn join_key(parent: &str, key: &str, sensitive: bool) -> String {
    if sensitive {
        return format!("{parent}[*]");
    }
    let mut out = String::with_capacity(parent.len() + key.len().min(64) + 4);
    out.push_str(parent);
    out.push('[');
    let short: String = key.chars().take(64).collect();
    write_escaped(&mut out, &short);
    out.push(']');
    out
}

/// Parses a response body. An empty or all-whitespace body is an empty object. Nesting is
/// limited (by `serde_json`, to 128 levels), so hostile input cannot exhaust the stack.
pub fn parse_body(body: &[u8]) -> Result<Value, DeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| {
        DeError::new(
            "",
            format!(
                "valid JSON (error at line {} column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// The member `key` of `obj`, treating `null` as absent.
pub fn member<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// An object.
pub fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, DeError> {
    v.as_object().ok_or_else(|| DeError::new(path, "an object"))
}

/// An array.
pub fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, DeError> {
    v.as_array().ok_or_else(|| DeError::new(path, "an array"))
}

/// A string.
pub fn string(v: &Value, path: &str) -> Result<String, DeError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| DeError::new(path, "a string"))
}

/// A boolean.
pub fn bool(v: &Value, path: &str) -> Result<bool, DeError> {
    v.as_bool().ok_or_else(|| DeError::new(path, "a boolean"))
}

/// An integer in `i64`; a float with no fractional part is accepted.
fn integer(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // -2^63 <= f < 2^63 and integral: the conversion is exact.
    if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
    {
        Some(f as i64)
    } else {
        None
    }
}

macro_rules! int_reader {
    ($name:ident, $t:ty, $what:literal) => {
        #[doc = concat!("An integer in the range of `", stringify!($t), "`.")]
        pub fn $name(v: &Value, path: &str) -> Result<$t, DeError> {
            integer(v)
                .and_then(|i| <$t>::try_from(i).ok())
                .ok_or_else(|| DeError::new(path, $what))
        }
    };
}

int_reader!(i8, i8, "an integer in -128..=127 (byte)");
int_reader!(i16, i16, "an integer in -32768..=32767 (short)");
int_reader!(i32, i32, "a 32-bit integer");
int_reader!(i64, i64, "a 64-bit integer");

/// A double; also the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub fn f64(v: &Value, path: &str) -> Result<f64, DeError> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
    .ok_or_else(|| DeError::new(path, "a number"))
}

/// A float; as [`f64()`], and finite numbers must fit `f32`'s range.
pub fn f32(v: &Value, path: &str) -> Result<f32, DeError> {
    let d = f64(v, path)?;
    #[allow(clippy::cast_possible_truncation)]
    let f = d as f32;
    if d.is_finite() && !f.is_finite() {
        return Err(DeError::new(path, "a number in the range of a float"));
    }
    Ok(f)
}

/// Base64 text.
pub fn blob(v: &Value, path: &str) -> Result<Blob, DeError> {
    v.as_str()
        .and_then(|s| Blob::from_base64(s).ok())
        .ok_or_else(|| DeError::new(path, "a base64 string"))
}

/// An RFC 3339 date-time with no offset (`2024-01-02T03:04:05.123456`), read as UTC.
fn naive_utc(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    let looks_naive = b.len() >= 19
        && b.get(10) == Some(&b'T')
        && !s.ends_with(['Z', 'z'])
        && !b[19..].iter().any(|c| matches!(c, b'+' | b'-'));
    if !looks_naive {
        return None;
    }
    let mut with_zone = String::with_capacity(s.len() + 1);
    with_zone.push_str(s);
    with_zone.push('Z');
    DateTime::parse(TimestampFormat::DateTime, &with_zone).ok()
}

/// A timestamp. A number is epoch seconds whatever `format` says; a string is parsed in
/// `format`, then in the other formats, then as a date-time without offset (UTC).
pub fn timestamp(v: &Value, path: &str, format: TimestampFormat) -> Result<DateTime, DeError> {
    let parsed = match v {
        // serde_json prints numbers in their shortest round-trip form, parsed exactly.
        Value::Number(n) => DateTime::parse(TimestampFormat::EpochSeconds, &n.to_string()).ok(),
        Value::String(s) => {
            let order = [
                format,
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
                TimestampFormat::EpochSeconds,
            ];
            order
                .iter()
                .find_map(|f| DateTime::parse(*f, s).ok())
                // Some services (and mocks such as moto) send RFC 3339 date-times without an
                // offset; read them as UTC, as the AWS SDKs do.
                .or_else(|| naive_utc(s))
        }
        _ => None,
    };
    parsed.ok_or_else(|| {
        let what = match format {
            TimestampFormat::DateTime => "a date-time timestamp",
            TimestampFormat::EpochSeconds => "an epoch-seconds timestamp",
            TimestampFormat::HttpDate => "an http-date timestamp",
        };
        DeError::new(path, what)
    })
}

/// Most nesting accepted by [`document`] (parsed bodies are limited to 128 already).
const MAX_DOCUMENT_DEPTH: usize = 256;

/// A document (any JSON value).
pub fn document(v: &Value, path: &str) -> Result<Document, DeError> {
    to_document(v, path, 0)
}

fn to_document(v: &Value, path: &str, depth: usize) -> Result<Document, DeError> {
    if depth > MAX_DOCUMENT_DEPTH {
        return Err(DeError::new(path, "a document nested at most 256 levels"));
    }
    Ok(match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(f64::NAN))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(
            items
                .iter()
                .map(|d| to_document(d, path, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, d)| Ok((k.clone(), to_document(d, path, depth + 1)?)))
                .collect::<Result<BTreeMap<_, _>, DeError>>()?,
        ),
    })
}

/// A big integer. Integers beyond 64 bits arrive as floats from `serde_json` and keep only
/// their float precision; strings of digits are accepted too.
pub fn big_integer(v: &Value, path: &str) -> Result<BigInteger, DeError> {
    let text = match v {
        Value::Number(n) if n.is_f64() => n
            .as_f64()
            .filter(|f| f.is_finite() && f.fract() == 0.0)
            .map(|f| format!("{f:.0}")),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    text.and_then(|t| t.parse().ok())
        .ok_or_else(|| DeError::new(path, "an integer"))
}

/// A big decimal (see [`big_integer`] about precision); strings holding a number are accepted.
pub fn big_decimal(v: &Value, path: &str) -> Result<BigDecimal, DeError> {
    let text = match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    text.and_then(|t| t.parse().ok())
        .ok_or_else(|| DeError::new(path, "a decimal number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamp_without_offset_reads_as_utc() {
        let with_z = DateTime::parse(TimestampFormat::DateTime, "2024-01-02T03:04:05.25Z").unwrap();
        let naive = json!("2024-01-02T03:04:05.25");
        assert_eq!(
            timestamp(&naive, "t", TimestampFormat::DateTime).unwrap(),
            with_z
        );
        // Not date-times at all, or with a bad tail: still errors, never a panic.
        for bad in [
            "2024-01-02",
            "2024-01-02T03:04:05é-",
            "2024-01-02X03:04:05",
            "é😀é😀é😀é😀é😀é😀",
        ] {
            assert!(
                timestamp(&json!(bad), "t", TimestampFormat::DateTime).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn writer_commas_and_nesting() {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("a");
        w.i64(-1);
        w.key("b");
        w.begin_array();
        w.u64(1);
        w.bool(true);
        w.null();
        w.begin_object();
        w.end_object();
        w.begin_array();
        w.end_array();
        w.end_array();
        w.key("c");
        w.begin_object();
        w.key("d");
        w.string("x");
        w.end_object();
        w.end_object();
        let text = w.finish();
        assert_eq!(text, r#"{"a":-1,"b":[1,true,null,{},[]],"c":{"d":"x"}}"#);
        assert!(serde_json::from_str::<Value>(&text).is_ok());
    }

    #[test]
    fn writer_escapes_strings() {
        let mut w = JsonWriter::new();
        w.begin_array();
        let nasty = "q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀\u{2028}\u{2029}";
        w.string(nasty);
        w.end_array();
        let text = w.finish();
        assert_eq!(
            text,
            "[\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\u{7f}é😀\\u2028\\u2029\"]"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, json!([nasty]));
    }

    #[test]
    fn writer_numbers_blobs_timestamps_documents() {
        let mut w = JsonWriter::new();
        w.begin_array();
        w.f64(1.5);
        w.f64(f64::NAN);
        w.f64(f64::INFINITY);
        w.f64(f64::NEG_INFINITY);
        w.f64(1e300);
        w.f32(0.1);
        w.f32(f32::NAN);
        w.blob(&Blob::new(b"foo".to_vec()));
        let t = DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000);
        w.timestamp(&t, TimestampFormat::EpochSeconds);
        w.timestamp(&t, TimestampFormat::DateTime);
        w.timestamp(&t, TimestampFormat::HttpDate);
        w.big_integer(&"123456789012345678901234567890".parse().unwrap());
        w.big_decimal(&"-1.5e-300".parse().unwrap());
        let doc = Document::Object(BTreeMap::from([
            (
                "k".to_owned(),
                Document::Array(vec![Document::Null, Document::from(-2i64)]),
            ),
            ("z".to_owned(), Document::from(2.5)),
        ]));
        w.document(&doc);
        w.end_array();
        assert_eq!(
            w.finish(),
            "[1.5,\"NaN\",\"Infinity\",\"-Infinity\",1e+300,0.1,\"NaN\",\"Zm9v\",1576540098.52,\
             \"2019-12-16T23:48:18.52Z\",\"Mon, 16 Dec 2019 23:48:18 GMT\",\
             123456789012345678901234567890,-1.5e-300,{\"k\":[null,-2],\"z\":2.5}]"
        );
    }

    #[test]
    fn deep_document_writes_without_recursion() {
        let mut doc = Document::Null;
        for _ in 0..100_000 {
            doc = Document::Array(vec![doc]);
        }
        let mut w = JsonWriter::new();
        w.document(&doc);
        let text = w.finish();
        // Drop iteratively before asserting (the default drop of a deep nest recurses).
        let mut cur = doc;
        while let Document::Array(mut v) = cur {
            cur = v.pop().unwrap_or(Document::Null);
        }
        assert_eq!(text.len(), 200_004);
        assert_eq!(
            text,
            format!("{}null{}", "[".repeat(100_000), "]".repeat(100_000))
        );
    }

    #[test]
    fn parse_body_edge_cases() {
        assert_eq!(parse_body(b"").unwrap(), json!({}));
        assert_eq!(parse_body(b" \n\t ").unwrap(), json!({}));
        assert_eq!(parse_body(b"{\"a\":1}").unwrap(), json!({"a": 1}));
        let deep = "[".repeat(100_000);
        let err = parse_body(deep.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("expected valid JSON"), "{err}");
        let secret = parse_body(b"{\"password\": hunter2}").unwrap_err();
        assert!(!secret.to_string().contains("hunter2"));
    }

    #[test]
    fn integer_readers_check_ranges() {
        assert_eq!(i8(&json!(127), "a"), Ok(127));
        assert!(i8(&json!(128), "a").is_err());
        assert_eq!(i16(&json!(-32768), "a"), Ok(-32768));
        assert!(i16(&json!(40000), "a").is_err());
        assert_eq!(i32(&json!(5.0), "a"), Ok(5));
        assert!(i32(&json!(5.5), "a").is_err());
        assert!(i32(&json!(3_000_000_000u64), "a").is_err());
        assert_eq!(i64(&json!(i64::MIN), "a"), Ok(i64::MIN));
        assert!(i64(&json!(u64::MAX), "a").is_err());
        assert!(i64(&json!(1e19), "a").is_err());
        let e = i32(&json!("12"), "items[2].count").unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected a 32-bit integer at `items[2].count`"
        );
    }

    #[test]
    fn float_string_blob_bool_readers() {
        assert_eq!(f64(&json!(1.25), "x"), Ok(1.25));
        assert!(f64(&json!("NaN"), "x").unwrap().is_nan());
        assert_eq!(f64(&json!("Infinity"), "x"), Ok(f64::INFINITY));
        assert_eq!(f64(&json!("-Infinity"), "x"), Ok(f64::NEG_INFINITY));
        assert!(f64(&json!("1.5"), "x").is_err());
        assert_eq!(f32(&json!(0.5), "x"), Ok(0.5));
        assert!(f32(&json!(1e300), "x").is_err());
        assert_eq!(f32(&json!("-Infinity"), "x"), Ok(f32::NEG_INFINITY));
        assert_eq!(string(&json!("s"), "x"), Ok("s".to_owned()));
        assert!(string(&json!(1), "x").is_err());
        assert_eq!(bool(&json!(false), "x"), Ok(false));
        assert_eq!(blob(&json!("Zm9v"), "x").unwrap().as_bytes(), b"foo");
        assert!(blob(&json!("Zm9v!"), "x").is_err());
        assert!(object(&json!([]), "x").is_err());
        assert_eq!(array(&json!([1]), "x").map(Vec::len), Ok(1));
        let m = json!({"a": null, "b": 1});
        let m = object(&m, "").unwrap();
        assert!(member(m, "a").is_none());
        assert!(member(m, "b").is_some());
    }

    #[test]
    fn timestamp_reader_is_lenient() {
        let want = DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000);
        for (v, f) in [
            (json!(1_576_540_098.52), TimestampFormat::DateTime),
            (json!("2019-12-16T23:48:18.52Z"), TimestampFormat::DateTime),
            (json!("2019-12-16T23:48:18.52Z"), TimestampFormat::HttpDate),
            (json!("1576540098.52"), TimestampFormat::DateTime),
        ] {
            assert_eq!(timestamp(&v, "t", f), Ok(want), "{v}");
        }
        assert_eq!(
            timestamp(
                &json!("Mon, 16 Dec 2019 23:48:18 GMT"),
                "t",
                TimestampFormat::EpochSeconds
            ),
            Ok(DateTime::from_secs(1_576_540_098))
        );
        assert_eq!(
            timestamp(&json!(1_576_540_098), "t", TimestampFormat::HttpDate),
            Ok(DateTime::from_secs(1_576_540_098))
        );
        assert!(timestamp(&json!("yesterday"), "t", TimestampFormat::DateTime).is_err());
        assert!(timestamp(&json!(true), "t", TimestampFormat::DateTime).is_err());
    }

    #[test]
    fn document_and_big_number_readers() {
        let v = json!({"a": [1, -2, 2.5, "s", null, true]});
        let d = document(&v, "").unwrap();
        let mut w = JsonWriter::new();
        w.document(&d);
        assert_eq!(serde_json::from_str::<Value>(&w.finish()).unwrap(), v);
        assert_eq!(big_integer(&json!(12345), "n").unwrap().as_str(), "12345");
        assert_eq!(
            big_integer(&json!("-123456789012345678901234567890"), "n")
                .unwrap()
                .as_str(),
            "-123456789012345678901234567890"
        );
        assert_eq!(big_integer(&json!(1e3), "n").unwrap().as_str(), "1000");
        assert!(big_integer(&json!(1.5), "n").is_err());
        assert_eq!(big_decimal(&json!(1.5), "n").unwrap().as_str(), "1.5");
        assert!(big_decimal(&json!("abc"), "n").is_err());
    }

    #[test]
    fn path_helpers() {
        let p = join_field("", "tags");
        let p = join_index(&p, 3);
        assert_eq!(join_field(&p, "Key"), "tags[3].Key");
        assert_eq!(join_key("m", "a\"b", false), "m[\"a\\\"b\"]");
        assert_eq!(join_key("m", "secret", true), "m[*]");
    }
}
