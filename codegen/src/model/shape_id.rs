//! Shape id parsing per the Smithy 2.0 grammar.
//!
//! ```text
//! identifier       = identifier_start *identifier_chars
//! identifier_start = *"_" ALPHA
//! identifier_chars = ALPHA / DIGIT / "_"
//! namespace        = identifier *("." identifier)
//! shape_id         = namespace "#" identifier [ "$" identifier ]
//! ```
//!
//! The JSON AST only allows absolute ids, so a relative id (`String`) is an error here.

use std::fmt;
use std::str::FromStr;

use super::ShapeId;

/// Why a string is not a valid absolute shape id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeIdError {
    input: String,
    reason: String,
}

impl ShapeIdError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        ShapeIdError {
            input: input.to_string(),
            reason: reason.into(),
        }
    }

    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it, e.g. ``relative shape id; the JSON AST needs `namespace#Name` ``.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// True when the input has no `#`: a relative id such as `String`.
    pub fn is_relative(&self) -> bool {
        !self.input.contains('#')
    }
}

impl fmt::Display for ShapeIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid shape id `{}`: {}", self.input, self.reason)
    }
}

impl std::error::Error for ShapeIdError {}

/// True when `s` matches the Smithy `identifier` production.
pub(crate) fn is_identifier(s: &str) -> bool {
    let rest = s.trim_start_matches('_');
    let mut chars = rest.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Explains why `s` is not an identifier (assumes it is not).
fn identifier_problem(what: &str, s: &str) -> String {
    if s.is_empty() {
        return format!("the {what} is empty");
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return format!(
            "the {what} `{s}` contains `{c}`; only ASCII letters, digits and `_` are allowed"
        );
    }
    format!("the {what} `{s}` must start with a letter (optionally after leading `_`)")
}

impl FromStr for ShapeId {
    type Err = ShapeIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((namespace, rest)) = s.split_once('#') else {
            return Err(ShapeIdError::new(
                s,
                "relative shape ids are not allowed in the JSON AST; write `namespace#Name`",
            ));
        };
        if namespace.is_empty() {
            return Err(ShapeIdError::new(s, "the namespace before `#` is empty"));
        }
        for part in namespace.split('.') {
            if !is_identifier(part) {
                return Err(ShapeIdError::new(
                    s,
                    if part.is_empty() {
                        "the namespace has an empty segment (`..` or a leading/trailing `.`)"
                            .to_string()
                    } else {
                        identifier_problem("namespace segment", part)
                    },
                ));
            }
        }
        if rest.contains('#') {
            return Err(ShapeIdError::new(s, "more than one `#`"));
        }
        let (name, member) = match rest.split_once('$') {
            Some((name, member)) => (name, Some(member)),
            None => (rest, None),
        };
        if !is_identifier(name) {
            return Err(ShapeIdError::new(s, identifier_problem("shape name", name)));
        }
        let id = ShapeId::new(namespace, name);
        match member {
            None => Ok(id),
            Some(member) => {
                if !is_identifier(member) {
                    return Err(ShapeIdError::new(
                        s,
                        identifier_problem("member name", member),
                    ));
                }
                Ok(id.with_member(member))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_absolute_ids() {
        let id: ShapeId = "com.example#Foo".parse().unwrap();
        assert_eq!(
            (id.namespace(), id.name(), id.member()),
            ("com.example", "Foo", None)
        );
        let id: ShapeId = "a.b_c.d#_Foo1$bar_2".parse().unwrap();
        assert_eq!(id.member(), Some("bar_2"));
        assert_eq!(id.to_string(), "a.b_c.d#_Foo1$bar_2");
        assert_eq!(id.root().to_string(), "a.b_c.d#_Foo1");
    }

    #[test]
    fn rejects_invalid_ids() {
        let cases = [
            ("String", "relative"),
            ("#Foo", "namespace before `#` is empty"),
            ("a..b#Foo", "empty segment"),
            ("a.#Foo", "empty segment"),
            ("1a#Foo", "must start with a letter"),
            ("a#Foo#Bar", "more than one"),
            ("a#", "shape name is empty"),
            ("a#_", "must start with a letter"),
            ("a#_1", "must start with a letter"),
            ("a#Fo-o", "contains `-`"),
            ("a#Foo$", "member name is empty"),
            ("a#Foo$b$c", "contains `$`"),
            ("a#Foo$1", "must start with a letter"),
            ("a b#Foo", "contains ` `"),
            ("a#Föo", "contains `ö`"),
        ];
        for (input, expected) in cases {
            let err = input.parse::<ShapeId>().unwrap_err();
            assert!(err.to_string().contains(expected), "{input}: {err}");
            assert_eq!(err.input(), input);
        }
        assert!("String".parse::<ShapeId>().unwrap_err().is_relative());
        assert!(!"a#1".parse::<ShapeId>().unwrap_err().is_relative());
    }

    #[test]
    fn identifiers() {
        for ok in ["a", "A1", "__a", "a_b_", "_A"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "_", "__", "1a", "_1", "a-b", "a.b", "é"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
