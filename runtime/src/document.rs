//! Untyped JSON-like values (Smithy `document`).

use std::collections::BTreeMap;

/// A protocol-agnostic open content value.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// Null.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list.
    Array(Vec<Document>),
    /// A map with string keys.
    Object(BTreeMap<String, Document>),
}

/// A document number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer.
    NegInt(i64),
    /// A float.
    Float(f64),
}

impl Number {
    /// The value as a float (lossy for large integers).
    pub fn to_f64(self) -> f64 {
        match self {
            Number::PosInt(v) => v as f64,
            Number::NegInt(v) => v as f64,
            Number::Float(v) => v,
        }
    }
}

impl Document {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Document::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&BTreeMap<String, Document>> {
        match self {
            Document::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Document]> {
        match self {
            Document::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Document::Null)
    }
}

impl From<bool> for Document {
    fn from(v: bool) -> Self {
        Document::Bool(v)
    }
}

impl From<&str> for Document {
    fn from(v: &str) -> Self {
        Document::String(v.to_owned())
    }
}

impl From<String> for Document {
    fn from(v: String) -> Self {
        Document::String(v)
    }
}

impl From<i64> for Document {
    fn from(v: i64) -> Self {
        if v < 0 {
            Document::Number(Number::NegInt(v))
        } else {
            Document::Number(Number::PosInt(v.unsigned_abs()))
        }
    }
}

impl From<u64> for Document {
    fn from(v: u64) -> Self {
        Document::Number(Number::PosInt(v))
    }
}

impl From<f64> for Document {
    fn from(v: f64) -> Self {
        Document::Number(Number::Float(v))
    }
}

impl From<Vec<Document>> for Document {
    fn from(v: Vec<Document>) -> Self {
        Document::Array(v)
    }
}

impl From<BTreeMap<String, Document>> for Document {
    fn from(v: BTreeMap<String, Document>) -> Self {
        Document::Object(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_pick_the_right_variant() {
        assert_eq!(Document::from(-3i64), Document::Number(Number::NegInt(-3)));
        assert_eq!(Document::from(3i64), Document::Number(Number::PosInt(3)));
        assert_eq!(Document::from("a").as_str(), Some("a"));
        assert!(Document::Null.is_null());
        assert_eq!(Number::NegInt(-2).to_f64(), -2.0);
        let obj = Document::from(BTreeMap::from([("k".to_owned(), Document::from(true))]));
        assert_eq!(obj.as_object().map(|m| m.len()), Some(1));
        assert_eq!(
            Document::from(vec![Document::Null])
                .as_array()
                .map(<[_]>::len),
            Some(1)
        );
    }
}
