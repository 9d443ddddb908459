//! HTTP binding helpers for generated serializers and deserializers: URI label and query
//! encoding, header values in and out, and text bodies.
//!
//! Percent-encoding follows RFC 3986: everything but the unreserved set (`A-Z a-z 0-9 - . _ ~`)
//! is encoded, byte by byte of the UTF-8 form; greedy labels keep their `/` separators.

use std::str::FromStr;

pub use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::datetime::{DateTime, TimestampFormat};
use crate::error::ConstructionError;
use crate::json::DeError;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn percent_encode(text: &str, keep_slash: bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// Encodes a URI label value. A label must not be empty (nor, for a greedy label, consist of
/// nothing but `/`): the request would address a different resource.
pub fn encode_label(value: &str, greedy: bool, label: &str) -> Result<String, ConstructionError> {
    let meaningful = if greedy {
        value.trim_matches('/')
    } else {
        value
    };
    if meaningful.is_empty() {
        return Err(ConstructionError::new(format!(
            "the URI label `{label}` must not be empty"
        )));
    }
    let mut out = String::with_capacity(value.len());
    percent_encode(value, greedy, &mut out);
    Ok(out)
}

/// Appends `?k=v&k2=v2` (percent-encoded) to `uri`, or `&...` when `uri` already has a query.
pub fn append_query(uri: &mut String, pairs: &[(String, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        let sep = if i == 0 && !uri.contains('?') {
            '?'
        } else {
            '&'
        };
        uri.push(sep);
        percent_encode(k, false, uri);
        uri.push('=');
        percent_encode(v, false, uri);
    }
}

/// A header list item, double-quoted (with `"` and `\` escaped) when it contains a comma or a
/// double quote, so that the list splits back into the same items.
pub fn quote_header_list_item(item: &str) -> String {
    if item.contains([',', '"']) {
        let mut out = String::with_capacity(item.len() + 2);
        out.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    } else {
        item.to_string()
    }
}

/// Splits a header list value on commas outside double quotes, unquoting quoted items.
pub fn split_header_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut was_quoted = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
            was_quoted = true;
        } else if c == ',' && !quoted {
            items.push(finish_item(&current, was_quoted));
            current.clear();
            was_quoted = false;
        } else {
            current.push(c);
        }
    }
    if !current.trim().is_empty() || was_quoted || !items.is_empty() {
        items.push(finish_item(&current, was_quoted));
    }
    items
}

fn finish_item(item: &str, was_quoted: bool) -> String {
    if was_quoted {
        item.trim_matches(|c: char| c == ' ' || c == '\t')
            .to_string()
    } else {
        item.trim().to_string()
    }
}

/// A header value from text; a value with characters HTTP forbids (CR, LF, NUL) is an error
/// naming the member, never the value.
pub fn header_value(text: &str, member: &str) -> Result<HeaderValue, ConstructionError> {
    HeaderValue::from_str(text).map_err(|_| {
        ConstructionError::new(format!(
            "the value for the header bound to `{member}` contains characters not allowed in HTTP headers"
        ))
    })
}

/// A header name from text (prefix headers), or an error.
pub fn header_name(text: &str) -> Result<HeaderName, ConstructionError> {
    HeaderName::from_bytes(text.as_bytes())
        .map_err(|_| ConstructionError::new("a prefix-header key is not a valid header name"))
}

/// The text of header `name`, `None` when absent; an error when it is not visible ASCII.
pub fn header_text<'a>(
    headers: &'a HeaderMap,
    name: &str,
    path: &str,
) -> Result<Option<&'a str>, DeError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim()))
            .map_err(|_| DeError::new(path, "a header value of visible ASCII characters")),
    }
}

/// Parses a header value as a number or boolean.
pub fn parse_header<T: FromStr>(text: &str, path: &str) -> Result<T, DeError> {
    let t = text.trim();
    // Floats may be sent as NaN / Infinity / -Infinity, which Rust spells the same way.
    t.parse::<T>()
        .map_err(|_| DeError::new(path, std::any::type_name::<T>()))
}

/// Parses a header timestamp in `format`, falling back to the other formats.
pub fn parse_header_timestamp(
    text: &str,
    format: TimestampFormat,
    path: &str,
) -> Result<DateTime, DeError> {
    let text = text.trim();
    [
        format,
        TimestampFormat::HttpDate,
        TimestampFormat::DateTime,
        TimestampFormat::EpochSeconds,
    ]
    .into_iter()
    .find_map(|f| DateTime::parse(f, text).ok())
    .ok_or_else(|| DeError::new(path, "a timestamp"))
}

/// A UTF-8 text body.
pub fn body_text(body: &[u8], path: &str) -> Result<String, DeError> {
    String::from_utf8(body.to_vec()).map_err(|_| DeError::new(path, "a UTF-8 text body"))
}

/// The restJson1 text form of a float in a label, query or header: `NaN`, `Infinity`,
/// `-Infinity`, else the shortest round-trip decimal.
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_percent_encoded_and_greedy_keeps_slashes() {
        assert_eq!(encode_label("a b/c", false, "x").unwrap(), "a%20b%2Fc");
        assert_eq!(encode_label("a b/c", true, "x").unwrap(), "a%20b/c");
        assert_eq!(encode_label("ü~", false, "x").unwrap(), "%C3%BC~");
        assert!(encode_label("", false, "x").is_err());
        assert!(encode_label("//", true, "x").is_err());
    }

    #[test]
    fn query_is_appended_with_the_right_separator() {
        let mut uri = "/p".to_string();
        append_query(
            &mut uri,
            &[("a b".into(), "1&2".into()), ("c".into(), String::new())],
        );
        assert_eq!(uri, "/p?a%20b=1%262&c=");
        let mut uri = "/p?x=1".to_string();
        append_query(&mut uri, &[("y".into(), "2".into())]);
        assert_eq!(uri, "/p?x=1&y=2");
    }

    #[test]
    fn header_lists_round_trip() {
        let items = ["a", "b,c", "d\"e"];
        let joined: Vec<String> = items.iter().map(|i| quote_header_list_item(i)).collect();
        let joined = joined.join(", ");
        assert_eq!(joined, r#"a, "b,c", "d\"e""#);
        assert_eq!(split_header_list(&joined), items);
        assert_eq!(split_header_list("1, 2,3"), ["1", "2", "3"]);
        assert!(split_header_list("").is_empty());
    }

    #[test]
    fn header_values_refuse_line_breaks_without_echoing_them() {
        let err = header_value("secret\r\nX: y", "token")
            .unwrap_err()
            .to_string();
        assert!(err.contains("token"));
        assert!(!err.contains("secret"));
    }

    #[test]
    fn floats_use_restjson_spellings() {
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(float_text(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(float_text(1.5), "1.5");
    }
}
