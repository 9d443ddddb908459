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

/// [`float_text`] for an `f32`: the shortest decimal that round-trips as an `f32` (`1.1`, not
/// the `1.100000023841858` widening to `f64` would give).
pub fn float_text32(v: f32) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        v.to_string()
    }
}

/// Checks a `@hostLabel` value for the `@endpoint` host prefix: non-empty, letters, digits,
/// `-` and `.` only (anything else would change which host the request goes to).
pub fn host_label<'a>(value: &'a str, label: &str) -> Result<&'a str, ConstructionError> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !value.starts_with(['-', '.']);
    if ok {
        Ok(value)
    } else {
        Err(ConstructionError::new(format!(
            "the host label `{label}` must be a non-empty DNS name part (letters, digits, `-`, `.`)"
        )))
    }
}

/// Lower-case hex SHA-256 of a body (Glacier's `x-amz-content-sha256`).
pub fn hex_sha256(body: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, body).as_ref())
}

/// Glacier's `x-amz-sha256-tree-hash`: SHA-256 of each 1 MiB chunk, then hashes of pairs of
/// hashes up to one root, in lower-case hex.
pub fn sha256_tree_hash(body: &[u8]) -> String {
    const MIB: usize = 1024 * 1024;
    let sha = |data: &[u8]| ring::digest::digest(&ring::digest::SHA256, data);
    let mut level: Vec<ring::digest::Digest> = if body.is_empty() {
        vec![sha(body)]
    } else {
        body.chunks(MIB).map(sha).collect()
    };
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => {
                    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
                    ctx.update(a.as_ref());
                    ctx.update(b.as_ref());
                    ctx.finish()
                }
                [a, ..] => *a,
                [] => sha(&[]),
            })
            .collect();
    }
    level.first().map(|d| hex(d.as_ref())).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends a query key without a value (`?flag`, from a literal in an `@http` URI).
pub fn append_query_flag(uri: &mut String, key: &str) {
    uri.push(if uri.contains('?') { '&' } else { '?' });
    percent_encode(key, false, uri);
}

/// Splits a header list of HTTP dates (`Mon, 16 Dec 2019 23:48:18 GMT, Tue, ...`): HTTP
/// dates contain a comma and are not quoted, so items are every two comma-separated parts.
pub fn split_http_date_list(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split(',').map(str::trim).collect();
    parts
        .chunks(2)
        .map(|c| c.join(", "))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The text of a `@mediaType` string header, sent base64-encoded.
pub fn header_base64_text(text: &str, path: &str) -> Result<String, DeError> {
    crate::Blob::from_base64(text.trim())
        .ok()
        .and_then(|b| String::from_utf8(b.into_inner()).ok())
        .ok_or_else(|| DeError::new(path, "base64-encoded UTF-8 text"))
}

/// The `Content-MD5` header value of a body (`@httpChecksumRequired`): base64 of its MD5.
pub fn content_md5(body: &[u8]) -> String {
    crate::Blob::new(md5(body).to_vec()).to_base64()
}

/// MD5 (RFC 1321). Only for `Content-MD5` integrity headers, never for security.
fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let mut k = [0u32; 64];
    for (i, slot) in k.iter_mut().enumerate() {
        // floor(|sin(i + 1)| * 2^32), exact in f64 for these inputs.
        *slot = ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32;
    }
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in message.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (word, bytes) in m.iter_mut().zip(chunk.chunks_exact(4)) {
            *word = u32::from_le_bytes(bytes.try_into().unwrap_or_default());
        }
        let [mut a, mut b, mut c, mut d] = state;
        for (i, (&ki, &si)) in k.iter().zip(S.iter()).enumerate() {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f
                .wrapping_add(a)
                .wrapping_add(ki)
                .wrapping_add(m.get(g).copied().unwrap_or(0));
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(si));
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }
    let mut out = [0u8; 16];
    for (dst, word) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&word.to_le_bytes());
    }
    out
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
        assert_eq!(float_text32(1.1), "1.1");
        assert_eq!(float_text32(f32::INFINITY), "Infinity");
    }

    #[test]
    fn md5_matches_rfc_1321_vectors() {
        let hex = |d: [u8; 16]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(hex(md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex(md5(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            )),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
        assert_eq!(content_md5(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
    }

    #[test]
    fn glacier_hashes() {
        let hello = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
        assert_eq!(hex_sha256(b"hello world"), hello);
        assert_eq!(sha256_tree_hash(b"hello world"), hello);
        // Two chunks: the root is the hash of the two chunk hashes.
        let body = vec![b'a'; 1024 * 1024 + 1];
        let a = ring::digest::digest(&ring::digest::SHA256, &body[..1024 * 1024]);
        let b = ring::digest::digest(&ring::digest::SHA256, b"a");
        let mut joined = a.as_ref().to_vec();
        joined.extend_from_slice(b.as_ref());
        assert_eq!(sha256_tree_hash(&body), hex_sha256(&joined));
    }

    #[test]
    fn http_date_lists_split_in_pairs() {
        assert_eq!(
            split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT"),
            [
                "Mon, 16 Dec 2019 23:48:18 GMT",
                "Tue, 17 Dec 2019 23:48:18 GMT"
            ]
        );
        assert!(split_http_date_list("").is_empty());
    }

    #[test]
    fn flags_and_base64_headers() {
        let mut uri = "/p".to_string();
        append_query_flag(&mut uri, "hello");
        append_query_flag(&mut uri, "a b");
        assert_eq!(uri, "/p?hello&a%20b");
        assert_eq!(header_base64_text("dHJ1ZQ==", "x").unwrap(), "true");
        assert!(header_base64_text("!!", "x").is_err());
    }
}
