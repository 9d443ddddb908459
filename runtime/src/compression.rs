//! Request compression for operations modeled `@requestCompression`.
//!
//! Smithy's `requestCompression` trait lists the encodings a service accepts for an
//! operation's request body; the only one defined is `gzip`. A client compresses when the
//! body is at least [`DEFAULT_MIN_COMPRESSION_SIZE`] bytes (configurable) and the user has not
//! turned it off, appends the encoding to any `Content-Encoding` the request already has
//! (`custom` → `custom, gzip`), and signs the compressed body.
//!
//! Compression needs the `compression` feature (flate2 with its pure-Rust backend). Without
//! it, requests are sent uncompressed: the trait allows that, and builds that never call such
//! an operation do not pay for a compressor.

use crate::http::HttpRequest;

/// Bodies smaller than this are not compressed (the AWS SDKs' default, 10 KiB).
pub const DEFAULT_MIN_COMPRESSION_SIZE: u32 = 10_240;
/// The largest minimum size accepted (10 MiB), as in the AWS SDKs.
pub const MAX_MIN_COMPRESSION_SIZE: u32 = 10_485_760;

/// How requests of `@requestCompression` operations are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressionConfig {
    /// Whether compression is off.
    pub disabled: bool,
    /// Bodies below this many bytes are sent as they are.
    pub min_size: u32,
}

impl Default for CompressionConfig {
    fn default() -> Self {
        CompressionConfig {
            disabled: false,
            min_size: DEFAULT_MIN_COMPRESSION_SIZE,
        }
    }
}

/// Compresses `request`'s body with the first supported encoding of `encodings` (the
/// operation's `@requestCompression` list), when `config` allows and the body is large
/// enough. Returns whether it did.
pub fn compress_request(
    request: &mut HttpRequest,
    encodings: &[&str],
    config: CompressionConfig,
) -> bool {
    if config.disabled
        || encodings.is_empty()
        || request.body.len() < config.min_size as usize
        || !encodings.iter().any(|e| e.eq_ignore_ascii_case("gzip"))
    {
        return false;
    }
    let Some(compressed) = gzip(&request.body) else {
        return false;
    };
    let encoding = match request
        .headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(existing) => format!("{existing}, gzip"),
        None => "gzip".to_string(),
    };
    let Ok(value) = http::HeaderValue::from_str(&encoding) else {
        return false;
    };
    request
        .headers
        .insert(http::header::CONTENT_ENCODING, value);
    request.headers.remove(http::header::CONTENT_LENGTH);
    request.body = compressed.into();
    true
}

#[cfg(feature = "compression")]
fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 2 + 32),
        flate2::Compression::default(),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

#[cfg(not(feature = "compression"))]
fn gzip(_body: &[u8]) -> Option<Vec<u8>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binding::Method;

    fn request(body: &[u8], encoding: Option<&str>) -> HttpRequest {
        let mut headers = http::HeaderMap::new();
        if let Some(e) = encoding {
            headers.insert(
                http::header::CONTENT_ENCODING,
                http::HeaderValue::from_str(e).unwrap(),
            );
        }
        HttpRequest {
            method: Method::POST,
            uri: "/".into(),
            headers,
            body: body.to_vec().into(),
            require_http2: false,
            event_stream: false,
        }
    }

    fn encoding(r: &HttpRequest) -> Option<&str> {
        r.headers
            .get(http::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
    }

    #[test]
    fn small_disabled_or_unsupported_bodies_are_left_alone() {
        let body = vec![b'a'; 20_000];
        let cfg = CompressionConfig::default();
        let mut small = request(&body[..100], None);
        assert!(!compress_request(&mut small, &["gzip"], cfg));
        assert_eq!(small.body.len(), 100);
        let mut off = request(&body, None);
        let disabled = CompressionConfig {
            disabled: true,
            ..cfg
        };
        assert!(!compress_request(&mut off, &["gzip"], disabled));
        let mut other = request(&body, None);
        assert!(!compress_request(&mut other, &["br"], cfg));
        assert_eq!(encoding(&other), None);
    }

    #[cfg(feature = "compression")]
    #[test]
    fn large_bodies_are_gzipped_and_the_encoding_appended() {
        use std::io::Read;
        let body: Vec<u8> = (0..50_000u32).map(|i| (i % 7) as u8 + b'a').collect();
        let cfg = CompressionConfig::default();
        let mut r = request(&body, Some("custom"));
        assert!(compress_request(&mut r, &["gzip"], cfg));
        assert_eq!(encoding(&r), Some("custom, gzip"));
        assert!(r.body.len() < body.len() / 10, "{}", r.body.len());
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&r.body[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, body);
        let mut fresh = request(&body, None);
        let zero = CompressionConfig {
            disabled: false,
            min_size: 0,
        };
        assert!(compress_request(&mut fresh, &["GZIP"], zero));
        assert_eq!(encoding(&fresh), Some("gzip"));
    }

    #[cfg(not(feature = "compression"))]
    #[test]
    fn without_the_feature_nothing_is_compressed() {
        let body = vec![b'a'; 20_000];
        let mut r = request(&body, None);
        assert!(!compress_request(
            &mut r,
            &["gzip"],
            CompressionConfig::default()
        ));
        assert_eq!(r.body.len(), 20_000);
    }
}
