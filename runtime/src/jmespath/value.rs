//! The JMESPath data model: [`Value`], what an expression sees of a shape (see
//! [`to_value`](super::to_value)) or of a literal.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

use super::Literal;
use crate::document::Document;

/// A JMESPath value: JSON's types, with every number an `f64`.
///
/// Object members keep their insertion order (`keys`, `values` and `to_string` show it);
/// [`Value::get`] finds one by key. Equality is JMESPath's: numbers compare by value
/// (`1 == 1.0`), objects are equal when they have the same members in any order, and values of
/// different types are never equal (`1 != true`).
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, its members in insertion order (keys are unique).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The value a literal of an expression stands for. A key written twice in an object
    /// literal keeps its first position and its last value (as a JSON parser building a map
    /// does).
    pub fn from_literal(literal: &Literal) -> Value {
        match *literal {
            Literal::Null => Value::Null,
            Literal::Bool(b) => Value::Bool(b),
            Literal::Number(n) => Value::Number(n),
            Literal::String(s) => Value::String(s.to_owned()),
            Literal::Array(items) => Value::Array(items.iter().map(Value::from_literal).collect()),
            Literal::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                for (k, v) in members {
                    insert(&mut out, (*k).to_owned(), Value::from_literal(v));
                }
                Value::Object(out)
            }
        }
    }

    /// JMESPath truthiness: `null`, `false`, `""`, `[]` and `{}` are false; everything else
    /// (`0` included) is true.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(_) => true,
            Value::String(s) => !s.is_empty(),
            Value::Array(items) => !items.is_empty(),
            Value::Object(members) => !members.is_empty(),
        }
    }

    /// The member `key` of an object; `None` for a missing key or a value of another type.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The JMESPath type name: `null`, `boolean`, `number`, `string`, `array` or `object`
    /// (what the `type` function returns).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }
}

/// Sets `key` in an object's members: replaces the value in place when the key is there,
/// appends it otherwise.
pub(crate) fn insert(members: &mut Vec<(String, Value)>, key: String, value: Value) {
    match members.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => members.push((key, value)),
    }
}

/// A total order on numbers for sorting: by value (`-0 == 0`), NaNs after (or, negative,
/// before) every other number. `sort` may panic on a comparator that is not total.
pub(crate) fn cmp_numbers(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or_else(|| a.total_cmp(&b))
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| other.get(k) == Some(v))
            }
            _ => false,
        }
    }
}

impl From<Literal> for Value {
    fn from(literal: Literal) -> Value {
        Value::from_literal(&literal)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

/// A document as the data model sees it: numbers as `f64`, objects in key order.
impl From<&Document> for Value {
    fn from(doc: &Document) -> Value {
        match doc {
            Document::Null => Value::Null,
            Document::Bool(b) => Value::Bool(*b),
            Document::Number(n) => Value::Number(n.to_f64()),
            Document::String(s) => Value::String(s.clone()),
            Document::Array(items) => Value::Array(items.iter().map(Value::from).collect()),
            Document::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Compact JSON text (no spaces), members in insertion order: what `to_string` returns.
///
/// Integral numbers below 10^16 in magnitude print without a fraction (`1`, not `1.0`: the
/// data model does not tell integers from floats); others print in the shortest form that
/// reads back as the same `f64`, with an exponent below 10^-4 and from 10^16 (`1e-05`,
/// `1.5e+16`, as Python's `json` does). Strings are escaped as JSON requires (quote,
/// backslash, control characters), other characters are written as they are. The non-finite
/// numbers, which JSON cannot carry, print as `NaN`, `Infinity` and `-Infinity`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write_number(f, *n),
            Value::String(s) => write_string(f, s),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Value::Object(members) => {
                f.write_char('{')?;
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write_string(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

fn write_number(f: &mut fmt::Formatter<'_>, n: f64) -> fmt::Result {
    if n.is_nan() {
        return f.write_str("NaN");
    }
    if n.is_infinite() {
        return f.write_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    }
    let abs = n.abs();
    if n.fract() == 0.0 && abs < 1e16 {
        // Exact: an integral f64 below 2^63 converts without loss.
        return write!(f, "{}", n as i64);
    }
    if !(1e-4..1e16).contains(&abs) {
        let text = format!("{n:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        return write!(f, "{mantissa}e{sign}{digits:0>2}");
    }
    write!(f, "{n}")
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c < ' ' => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Number;

    fn obj(members: &[(&str, Value)]) -> Value {
        Value::Object(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn truthiness_follows_jmespath() {
        for falsy in [
            Value::Null,
            Value::Bool(false),
            Value::from(""),
            Value::Array(vec![]),
            obj(&[]),
        ] {
            assert!(!falsy.is_truthy(), "{falsy:?}");
        }
        for truthy in [
            Value::Bool(true),
            Value::Number(0.0),
            Value::from(" "),
            Value::Array(vec![Value::Null]),
            obj(&[("a", Value::Null)]),
        ] {
            assert!(truthy.is_truthy(), "{truthy:?}");
        }
    }

    #[test]
    fn equality_is_by_value_and_ignores_member_order() {
        assert_eq!(Value::Number(1.0), Value::Number(1.0));
        assert_ne!(Value::Number(1.0), Value::Bool(true));
        assert_ne!(Value::Number(0.0), Value::Bool(false));
        assert_ne!(Value::Null, Value::from(""));
        let a = obj(&[("x", Value::Number(1.0)), ("y", Value::from("s"))]);
        let b = obj(&[("y", Value::from("s")), ("x", Value::Number(1.0))]);
        assert_eq!(a, b);
        assert_ne!(a, obj(&[("x", Value::Number(1.0))]));
        assert_ne!(
            a,
            obj(&[("x", Value::Number(1.0)), ("z", Value::from("s"))])
        );
        assert_eq!(Value::Array(vec![a.clone()]), Value::Array(vec![b.clone()]));
        assert_ne!(Value::Array(vec![a.clone()]), Value::Array(vec![a, b]));
    }

    #[test]
    fn literals_become_values() {
        static LIT: Literal = Literal::Object(&[
            ("a", Literal::Array(&[Literal::Null, Literal::Bool(true)])),
            ("b", Literal::Number(2.5)),
            ("a", Literal::String("again")),
        ]);
        let v = Value::from(LIT);
        assert_eq!(
            v,
            obj(&[("a", Value::from("again")), ("b", Value::Number(2.5))])
        );
        assert_eq!(v.as_object().map(|m| m[0].0.as_str()), Some("a"));
        assert_eq!(v.get("b").and_then(Value::as_f64), Some(2.5));
        assert_eq!(v.get("c"), None);
        assert_eq!(Value::Null.get("a"), None);
    }

    #[test]
    fn documents_become_values() {
        let doc = Document::Array(vec![
            Document::Number(Number::NegInt(-3)),
            Document::Number(Number::Float(0.5)),
            Document::Object([("k".to_owned(), Document::Null)].into()),
        ]);
        assert_eq!(
            Value::from(&doc),
            Value::Array(vec![
                Value::Number(-3.0),
                Value::Number(0.5),
                obj(&[("k", Value::Null)])
            ])
        );
    }

    #[test]
    fn display_is_compact_json() {
        let v = obj(&[
            (
                "n",
                Value::Array(vec![Value::Number(1.0), Value::Number(-2.5)]),
            ),
            ("s", Value::from("a\"b\\c\n\u{1}é")),
            ("z", Value::Null),
            ("t", Value::Bool(true)),
        ]);
        assert_eq!(
            v.to_string(),
            r#"{"n":[1,-2.5],"s":"a\"b\\c\n\u0001é","z":null,"t":true}"#
        );
    }

    #[test]
    fn numbers_print_as_python_prints_them() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (42.0, "42"),
            (0.1, "0.1"),
            (1e-4, "0.0001"),
            (1.5e-5, "1.5e-05"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (123456789012345.0, "123456789012345"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (n, text) in cases {
            assert_eq!(Value::Number(n).to_string(), text);
        }
    }

    #[test]
    fn numbers_sort_totally() {
        let mut v = [2.0, f64::NAN, -0.0, 0.0, -1.0];
        v.sort_by(|a, b| cmp_numbers(*a, *b));
        assert_eq!(v[..4], [-1.0, -0.0, 0.0, 2.0]);
        assert!(v[4].is_nan());
        assert_eq!(cmp_numbers(-0.0, 0.0), Ordering::Equal);
    }

    #[test]
    fn accessors_and_type_names() {
        assert_eq!(Value::Bool(true).as_bool(), Some(true));
        assert_eq!(Value::from("x").as_str(), Some("x"));
        assert_eq!(Value::from(String::from("x")).as_bool(), None);
        assert_eq!(Value::Array(vec![]).as_array().map(<[_]>::len), Some(0));
        assert!(Value::Null.is_null());
        let names: Vec<_> = [
            Value::Null,
            Value::Bool(false),
            Value::from(1.0),
            Value::from(""),
            Value::Array(vec![]),
            obj(&[]),
        ]
        .iter()
        .map(Value::type_name)
        .collect();
        assert_eq!(
            names,
            ["null", "boolean", "number", "string", "array", "object"]
        );
    }
}
