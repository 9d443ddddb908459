//! `aws.protocols#httpChecksum`, applied to requests and responses the way the AWS SDKs have
//! done since 2025, whatever the protocol.
//!
//! **Requests.** An operation with a `requestAlgorithmMember` gets a checksum: of the
//! algorithm the input names, else CRC32 — always when the input names one or the operation
//! is `requestChecksumRequired`, otherwise unless the client is configured
//! [`RequestChecksumCalculation::WhenRequired`]. An in-memory body gets an
//! `x-amz-checksum-<algorithm>` header; a one-shot stream gets the checksum as an
//! `aws-chunked` trailer ([`crate::aws_chunked`]). A checksum header the caller set (S3's
//! `ChecksumCRC32`, ... members) is sent as is.
//!
//! **Responses.** When the input's `requestValidationModeMember` is `ENABLED` — or the
//! client is configured [`ResponseChecksumValidation::WhenSupported`] (the default), which
//! sets it — a response carrying one of the operation's `responseAlgorithms` headers is
//! checked: a buffered body at once, a streamed one as it is read (its last chunk is an error
//! on mismatch). Multipart composite checksums (`…-3`) are not checked.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{HeaderMap, HeaderName, HeaderValue};

use super::{HttpChecksum, Operation, string_member};
use crate::checksum::{
    Checksum, ChecksumAlgorithm, ChecksumMismatch, RequestChecksumCalculation,
    ResponseChecksumValidation,
};
use crate::codec::SerializeStruct;
use crate::error::ConstructionError;
use crate::http::HttpRequest;
use crate::schema::HttpBinding;
use crate::stream::{ByteStream, ByteStreamError};

/// The prefix of every checksum header.
const CHECKSUM_HEADER_PREFIX: &str = "x-amz-checksum-";

/// How a client applies flexible checksums (from its configuration).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChecksumSettings {
    /// When request checksums are computed.
    pub calculation: RequestChecksumCalculation,
    /// When response checksums are validated.
    pub validation: ResponseChecksumValidation,
}

/// The algorithm of the request checksum `op` needs for `input`, if any.
pub fn request_algorithm(
    op: &Operation,
    input: &dyn SerializeStruct,
    settings: ChecksumSettings,
) -> Result<Option<ChecksumAlgorithm>, ConstructionError> {
    let Some(HttpChecksum {
        request_algorithm_member,
        request_required,
        ..
    }) = op.http_checksum
    else {
        return Ok(None);
    };
    let named = request_algorithm_member.and_then(|m| string_member(input, m));
    if let Some(name) = named {
        return ChecksumAlgorithm::from_name(&name).map(Some).ok_or_else(|| {
            ConstructionError::new(format!(
                "`{name}` is not a checksum algorithm this client computes (CRC32, CRC32C, CRC64NVME, SHA1, SHA256)"
            ))
        });
    }
    let wanted = request_required
        || (request_algorithm_member.is_some()
            && settings.calculation == RequestChecksumCalculation::WhenSupported);
    Ok(wanted.then_some(ChecksumAlgorithm::Crc32))
}

/// Whether the request already carries a checksum header (the caller computed it).
pub fn has_checksum_header(headers: &HeaderMap) -> bool {
    headers
        .keys()
        .any(|k| k.as_str().starts_with(CHECKSUM_HEADER_PREFIX))
}

/// Adds `x-amz-checksum-<algorithm>` over `body` (an in-memory body), unless the request has
/// a checksum header already.
pub fn add_request_checksum(
    request: &mut HttpRequest,
    algorithm: ChecksumAlgorithm,
    body: &[u8],
) -> Result<(), ConstructionError> {
    if has_checksum_header(&request.headers) {
        return Ok(());
    }
    let value = crate::checksum::header_value(algorithm, body);
    let value = HeaderValue::from_str(&value)
        .map_err(|_| ConstructionError::new("the checksum is not a valid header value"))?;
    request
        .headers
        .insert(HeaderName::from_static(algorithm.header_name()), value);
    Ok(())
}

/// Names `algorithm` in the header bound to the operation's `requestAlgorithmMember`
/// (S3's `x-amz-sdk-checksum-algorithm`) when the input left it unset, as the SDKs do when they
/// choose the default.
pub fn name_algorithm(op: &Operation, request: &mut HttpRequest, algorithm: ChecksumAlgorithm) {
    let Some(member) = op.http_checksum.and_then(|c| c.request_algorithm_member) else {
        return;
    };
    let header = op.input.members.iter().find_map(|m| match m.http {
        HttpBinding::Header(h) if m.name == member => HeaderName::from_bytes(h.as_bytes()).ok(),
        _ => None,
    });
    if let Some(h) = header
        && !request.headers.contains_key(&h)
    {
        request
            .headers
            .insert(h, HeaderValue::from_static(algorithm.name()));
    }
}

/// The algorithms to validate the response with, if validation applies to this call. When it
/// applies because of the configuration alone, the validation mode header (`x-amz-checksum-mode:
/// ENABLED`) is added to `request` so that the service sends its checksum.
pub fn response_algorithms(
    op: &Operation,
    input: &dyn SerializeStruct,
    settings: ChecksumSettings,
    request: &mut HttpRequest,
) -> Vec<ChecksumAlgorithm> {
    let Some(HttpChecksum {
        validation_mode_member: Some(member),
        response_algorithms,
        ..
    }) = op.http_checksum
    else {
        return Vec::new();
    };
    let enabled = match string_member(input, member) {
        Some(mode) => mode == "ENABLED",
        None if settings.validation == ResponseChecksumValidation::WhenSupported => {
            let header = op.input.members.iter().find_map(|m| match m.http {
                HttpBinding::Header(h) if m.name == member => Some(h),
                _ => None,
            });
            if let Some(h) = header.and_then(|h| HeaderName::from_bytes(h.as_bytes()).ok()) {
                request
                    .headers
                    .insert(h, HeaderValue::from_static("ENABLED"));
            }
            true
        }
        None => false,
    };
    if !enabled {
        return Vec::new();
    }
    response_algorithms
        .iter()
        .filter_map(|a| ChecksumAlgorithm::from_name(a))
        .collect()
}

/// Wraps a streamed response body so that it is checked as it is read: the stream ends with
/// an error instead of its end when the body does not match the response's checksum header.
/// Without a checksum header to check, `body` is returned as is.
pub fn validating_stream(
    body: ByteStream,
    headers: &HeaderMap,
    algorithms: &[ChecksumAlgorithm],
) -> ByteStream {
    match crate::checksum::expected_checksum(headers, algorithms) {
        Some((algorithm, expected)) => ByteStream::from_stream(Validating {
            inner: body,
            hasher: Some(algorithm.hasher()),
            algorithm,
            expected,
        }),
        None => body,
    }
}

/// A body stream that hashes what it yields and checks the digest at its end.
struct Validating {
    inner: ByteStream,
    hasher: Option<Box<dyn Checksum>>,
    algorithm: ChecksumAlgorithm,
    expected: String,
}

impl Stream for Validating {
    type Item = Result<Bytes, ByteStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(h) = this.hasher.as_mut() {
                    h.update(&chunk);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => {
                let Some(hasher) = this.hasher.take() else {
                    return Poll::Ready(None);
                };
                let computed = crate::blob::Blob::new(hasher.finish()).to_base64();
                if computed == this.expected {
                    Poll::Ready(None)
                } else {
                    let mismatch =
                        ChecksumMismatch::new(this.algorithm, this.expected.clone(), computed);
                    Poll::Ready(Some(Err(ByteStreamError::from_source(mismatch))))
                }
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::ShapeSerializer;
    use crate::schema::{Member, Schema, prelude};

    static INPUT: Schema = Schema::structure(
        "t#In",
        "In",
        &[
            Member::new("ChecksumAlgorithm", 0, &prelude::STRING)
                .http(HttpBinding::Header("x-amz-sdk-checksum-algorithm")),
            Member::new("ChecksumMode", 1, &prelude::STRING)
                .http(HttpBinding::Header("x-amz-checksum-mode")),
        ],
    );
    static OP: Operation = Operation::new("Put", &INPUT, &prelude::UNIT, &[]).http_checksum(
        HttpChecksum::new()
            .request_algorithm_member("ChecksumAlgorithm")
            .validation_mode_member("ChecksumMode")
            .response_algorithms(&["CRC32", "SHA256"]),
    );

    struct In(Option<&'static str>, Option<&'static str>);

    impl SerializeStruct for In {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            if let Some(a) = self.0 {
                s.write_string(&INPUT.members[0], a);
            }
            if let Some(m) = self.1 {
                s.write_string(&INPUT.members[1], m);
            }
        }
    }

    const WHEN_REQUIRED: ChecksumSettings = ChecksumSettings {
        calculation: RequestChecksumCalculation::WhenRequired,
        validation: ResponseChecksumValidation::WhenRequired,
    };

    #[test]
    fn request_checksums_follow_input_and_settings() {
        let default = ChecksumSettings::default();
        let algo = |input: &In, s| request_algorithm(&OP, input, s).ok().flatten();
        assert_eq!(
            algo(&In(None, None), default),
            Some(ChecksumAlgorithm::Crc32)
        );
        assert_eq!(algo(&In(None, None), WHEN_REQUIRED), None);
        assert_eq!(
            algo(&In(Some("SHA256"), None), WHEN_REQUIRED),
            Some(ChecksumAlgorithm::Sha256)
        );
        assert!(request_algorithm(&OP, &In(Some("MD5"), None), default).is_err());
        let mut request = HttpRequest::new(http::Method::PUT, "/");
        assert!(
            add_request_checksum(&mut request, ChecksumAlgorithm::Crc32, b"hello world").is_ok()
        );
        assert_eq!(
            request
                .headers
                .get("x-amz-checksum-crc32")
                .and_then(|v| v.to_str().ok()),
            Some("DUoRhQ==")
        );
        // A checksum the caller set is kept.
        assert!(add_request_checksum(&mut request, ChecksumAlgorithm::Sha256, b"x").is_ok());
        assert!(!request.headers.contains_key("x-amz-checksum-sha256"));
    }

    #[test]
    fn validation_is_asked_for_by_default() {
        let mut request = HttpRequest::new(http::Method::GET, "/");
        let algorithms = response_algorithms(
            &OP,
            &In(None, None),
            ChecksumSettings::default(),
            &mut request,
        );
        assert_eq!(
            algorithms,
            vec![ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Sha256]
        );
        assert_eq!(
            request
                .headers
                .get("x-amz-checksum-mode")
                .and_then(|v| v.to_str().ok()),
            Some("ENABLED")
        );
        let mut request = HttpRequest::new(http::Method::GET, "/");
        assert!(response_algorithms(&OP, &In(None, None), WHEN_REQUIRED, &mut request).is_empty());
        assert!(
            !response_algorithms(&OP, &In(None, Some("ENABLED")), WHEN_REQUIRED, &mut request)
                .is_empty()
        );
    }

    fn collect(stream: ByteStream) -> Result<Vec<u8>, ByteStreamError> {
        let rt = tokio::runtime::Builder::new_current_thread().build();
        let Ok(rt) = rt else {
            return Err(ByteStreamError::new("no runtime"));
        };
        rt.block_on(stream.collect()).map(|b| b.to_vec())
    }

    #[test]
    fn streamed_bodies_are_checked_at_their_end() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-checksum-crc32", HeaderValue::from_static("DUoRhQ=="));
        let chunks = || {
            let items: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"hello ")),
                Ok(Bytes::from_static(b"world")),
            ];
            ByteStream::from_stream(Iter(items.into_iter()))
        };
        let algorithms = [ChecksumAlgorithm::Crc32];
        let good = validating_stream(chunks(), &headers, &algorithms);
        assert_eq!(collect(good).ok().as_deref(), Some(&b"hello world"[..]));
        headers.insert("x-amz-checksum-crc32", HeaderValue::from_static("AAAAAA=="));
        let bad = validating_stream(chunks(), &headers, &algorithms);
        let err = collect(bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("CRC32"), "{err}");
        // A composite (multipart) checksum is not checked.
        headers.insert(
            "x-amz-checksum-crc32",
            HeaderValue::from_static("AAAAAA==-3"),
        );
        assert!(collect(validating_stream(chunks(), &headers, &algorithms)).is_ok());
    }

    /// A stream over an iterator.
    struct Iter<I>(I);

    impl<I: Iterator + Unpin> Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.get_mut().0.next())
        }
    }
}
