//! The `aws-chunked` content encoding: S3's framing for streamed uploads, carrying a trailing
//! checksum (flexible checksums) and, optionally, a signature per chunk.
//!
//! The body is cut into chunks of a fixed size ([`DEFAULT_CHUNK_SIZE`], at least
//! [`MIN_CHUNK_SIZE`]: S3 requires every chunk but the last to be 8 KiB or more), whatever the
//! sizes the source yields. Each chunk is framed as `hex(len)\r\n<bytes>\r\n` (unsigned) or
//! `hex(len);chunk-signature=<sig>\r\n<bytes>\r\n` (signed); a zero-length chunk ends the data,
//! followed by the trailer, if any, and an empty line:
//!
//! ```text
//! 2000\r\n<8192 bytes>\r\n            2000;chunk-signature=<sig>\r\n<8192 bytes>\r\n
//! 5\r\n<5 bytes>\r\n                  5;chunk-signature=<sig>\r\n<5 bytes>\r\n
//! 0\r\n                               0;chunk-signature=<sig>\r\n
//! x-amz-checksum-crc32:<b64>\r\n      x-amz-checksum-crc32:<b64>\r\n
//!                                     x-amz-trailer-signature:<sig>\r\n
//! \r\n                                \r\n
//! ```
//!
//! Three payload kinds (the request's `x-amz-content-sha256`), chosen with [`AwsChunked`]:
//!
//! * [`STREAMING_UNSIGNED_PAYLOAD_TRAILER`]: unsigned chunks and a checksum trailer
//!   ([`AwsChunked::unsigned`]), the SDKs' default for streamed uploads over HTTPS.
//! * [`STREAMING_AWS4_HMAC_SHA256_PAYLOAD`]: signed chunks, no trailer
//!   ([`AwsChunked::signed`] with no checksum).
//! * [`STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER`]: signed chunks and a signed checksum
//!   trailer ([`AwsChunked::signed`] with a checksum).
//!
//! Signing a chunk needs the request's own signature (the *seed*), which covers the headers
//! [`AwsChunked::apply_headers`] sets, so the steps are: set the headers, sign the request,
//! then [`encode`](AwsChunked::encode) the body with a [`ChunkSigner`] seeded with that
//! signature. Each chunk's string to sign is
//! `AWS4-HMAC-SHA256-PAYLOAD\n<amz-date>\n<scope>\n<previous signature>\n<hex SHA-256 of "">\n<hex SHA-256 of the chunk>`;
//! the trailer's is
//! `AWS4-HMAC-SHA256-TRAILER\n<amz-date>\n<scope>\n<previous signature>\n<hex SHA-256 of "name:value\n">`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, HeaderName, HeaderValue, TRANSFER_ENCODING};

use crate::blob::Blob;
use crate::checksum::{Checksum, ChecksumAlgorithm};
use crate::sigv4::{SigningKey, calculate_signature, hex_sha256};
use crate::stream::{BoxError, ByteStream};

/// The chunk size used unless another is chosen: 64 KiB, as S3 recommends.
pub const DEFAULT_CHUNK_SIZE: usize = 64 * 1024;
/// The smallest chunk size allowed: 8 KiB, S3's minimum for every chunk but the last.
pub const MIN_CHUNK_SIZE: usize = 8 * 1024;
/// The `content-encoding` token: `aws-chunked`.
pub const AWS_CHUNKED: &str = "aws-chunked";
/// `x-amz-content-sha256` of unsigned chunks with a trailer.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// `x-amz-content-sha256` of signed chunks without a trailer.
pub const STREAMING_AWS4_HMAC_SHA256_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `x-amz-content-sha256` of signed chunks with a signed trailer.
pub const STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER: &str =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_DECODED_CONTENT_LENGTH: &str = "x-amz-decoded-content-length";
const X_AMZ_TRAILER: &str = "x-amz-trailer";
const CHUNK_STRING_TO_SIGN_PREFIX: &str = "AWS4-HMAC-SHA256-PAYLOAD";
const TRAILER_STRING_TO_SIGN_PREFIX: &str = "AWS4-HMAC-SHA256-TRAILER";
/// The hex SHA-256 of no bytes.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const CHUNK_SIGNATURE: &[u8] = b";chunk-signature=";
const TRAILER_SIGNATURE: &[u8] = b"x-amz-trailer-signature:";
/// A hex HMAC-SHA256.
const SIGNATURE_LEN: u64 = 64;
const CRLF: &[u8] = b"\r\n";

/// The parameters of an `aws-chunked` body: signed or not, the trailing checksum, the chunk
/// size. It gives the request's headers ([`apply_headers`](Self::apply_headers)), the encoded
/// length ([`encoded_length`](Self::encoded_length)) and the encoder ([`encode`](Self::encode)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsChunked {
    signed: bool,
    checksum: Option<ChecksumAlgorithm>,
    chunk_size: usize,
}

impl AwsChunked {
    /// Unsigned chunks, `checksum` as the trailer: [`STREAMING_UNSIGNED_PAYLOAD_TRAILER`].
    ///
    /// Without a checksum the body has no trailer at all; S3 accepts
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` with a trailer, so that combination is of little
    /// use (send the body as it is instead).
    pub fn unsigned(checksum: Option<ChecksumAlgorithm>) -> Self {
        AwsChunked {
            signed: false,
            checksum,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Signed chunks: [`STREAMING_AWS4_HMAC_SHA256_PAYLOAD`], or with `checksum` as a signed
    /// trailer [`STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER`]. [`encode`](Self::encode) then
    /// needs a [`ChunkSigner`].
    pub fn signed(checksum: Option<ChecksumAlgorithm>) -> Self {
        AwsChunked {
            signed: true,
            ..Self::unsigned(checksum)
        }
    }

    /// The same with chunks of `chunk_size` bytes (raised to [`MIN_CHUNK_SIZE`] if smaller).
    /// Builder style.
    pub fn with_chunk_size(mut self, chunk_size: usize) -> Self {
        self.chunk_size = chunk_size.max(MIN_CHUNK_SIZE);
        self
    }

    /// Whether the chunks are signed.
    pub fn is_signed(&self) -> bool {
        self.signed
    }

    /// The trailing checksum's algorithm, if any.
    pub fn checksum(&self) -> Option<ChecksumAlgorithm> {
        self.checksum
    }

    /// The size of every chunk but the last.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The request's `x-amz-content-sha256` (and the payload hash it is signed with).
    pub fn content_sha256(&self) -> &'static str {
        match (self.signed, self.checksum) {
            (false, _) => STREAMING_UNSIGNED_PAYLOAD_TRAILER,
            (true, None) => STREAMING_AWS4_HMAC_SHA256_PAYLOAD,
            (true, Some(_)) => STREAMING_AWS4_HMAC_SHA256_PAYLOAD_TRAILER,
        }
    }

    /// The length of the encoded body of `decoded_len` bytes (its `content-length`); `None` if
    /// it would not fit in a `u64`.
    pub fn encoded_length(&self, decoded_len: u64) -> Option<u64> {
        let chunk = self.chunk_size as u64;
        let full = decoded_len / chunk;
        let rest = decoded_len % chunk;
        let mut total = full.checked_mul(self.frame_len(chunk)?)?;
        if rest > 0 {
            total = total.checked_add(self.frame_len(rest)?)?;
        }
        total.checked_add(self.tail_len())
    }

    /// The framed length of a chunk of `n` bytes.
    fn frame_len(&self, n: u64) -> Option<u64> {
        let header = hex_digits(n) + self.signature_extension_len() + CRLF.len() as u64;
        n.checked_add(header + CRLF.len() as u64)
    }

    /// `;chunk-signature=<sig>` when signed.
    fn signature_extension_len(&self) -> u64 {
        if self.signed {
            CHUNK_SIGNATURE.len() as u64 + SIGNATURE_LEN
        } else {
            0
        }
    }

    /// The zero-length chunk, the trailer and the final empty line.
    fn tail_len(&self) -> u64 {
        let mut len = 1 + self.signature_extension_len() + CRLF.len() as u64;
        if let Some(algorithm) = self.checksum {
            len += (algorithm.header_name().len() + 1 + algorithm.base64_len() + CRLF.len()) as u64;
            if self.signed {
                len += TRAILER_SIGNATURE.len() as u64 + SIGNATURE_LEN + CRLF.len() as u64;
            }
        }
        len + CRLF.len() as u64
    }

    /// Sets the headers an `aws-chunked` request needs (before it is signed):
    ///
    /// * `content-encoding`: `aws-chunked` appended to any encoding already there
    ///   (`gzip` → `gzip, aws-chunked`);
    /// * `x-amz-content-sha256`: [`content_sha256`](Self::content_sha256);
    /// * `x-amz-trailer`: the checksum's header name, when there is a trailer (else removed);
    /// * with the decoded length known: `x-amz-decoded-content-length` and `content-length`
    ///   (the [`encoded_length`](Self::encoded_length)), no `transfer-encoding`;
    /// * otherwise `transfer-encoding: chunked`, and neither length. S3's documentation asks
    ///   for `x-amz-decoded-content-length` on every chunked upload, so S3 may refuse a body
    ///   of unknown length.
    pub fn apply_headers(&self, headers: &mut http::HeaderMap, decoded_len: Option<u64>) {
        let encoding = match headers
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(existing)
                if existing
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case(AWS_CHUNKED)) =>
            {
                None
            }
            Some(existing) => HeaderValue::from_str(&format!("{existing}, {AWS_CHUNKED}")).ok(),
            None => Some(HeaderValue::from_static(AWS_CHUNKED)),
        };
        if let Some(encoding) = encoding {
            headers.insert(CONTENT_ENCODING, encoding);
        }
        headers.insert(
            HeaderName::from_static(X_AMZ_CONTENT_SHA256),
            HeaderValue::from_static(self.content_sha256()),
        );
        match self.checksum {
            Some(algorithm) => {
                headers.insert(
                    HeaderName::from_static(X_AMZ_TRAILER),
                    HeaderValue::from_static(algorithm.header_name()),
                );
            }
            None => {
                headers.remove(X_AMZ_TRAILER);
            }
        }
        let lengths = decoded_len.and_then(|n| Some((n, self.encoded_length(n)?)));
        match lengths {
            Some((decoded, encoded)) => {
                headers.insert(
                    HeaderName::from_static(X_AMZ_DECODED_CONTENT_LENGTH),
                    HeaderValue::from(decoded),
                );
                headers.insert(CONTENT_LENGTH, HeaderValue::from(encoded));
                headers.remove(TRANSFER_ENCODING);
            }
            None => {
                headers.remove(X_AMZ_DECODED_CONTENT_LENGTH);
                headers.remove(CONTENT_LENGTH);
                headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
            }
        }
    }

    /// Encodes `body`: a signed encoding needs `signer` (seeded with the request's signature),
    /// an unsigned one must have none.
    ///
    /// An in-memory body is encoded at once into an in-memory stream (an unsigned one can be
    /// sent again as it is; a signed one belongs to its seed signature, so a re-signed retry
    /// must encode the original bytes again). A one-shot body becomes a one-shot stream that
    /// encodes as data flows: the checksum is updated and chunks are cut and signed as the
    /// source yields bytes, holding at most one chunk back. The result declares its encoded
    /// length when the body's length is known; a source then yielding more or fewer bytes than
    /// it declared ends the stream with an error rather than a body that contradicts its
    /// `content-length`.
    pub fn encode(
        &self,
        mut body: ByteStream,
        signer: Option<ChunkSigner>,
    ) -> Result<ByteStream, AwsChunkedError> {
        if self.signed != signer.is_some() {
            return Err(AwsChunkedError::new(if self.signed {
                "a signed aws-chunked body needs a chunk signer"
            } else {
                "an unsigned aws-chunked body takes no chunk signer"
            }));
        }
        let mut framer = Framer {
            chunk_size: self.chunk_size,
            checksum: self.checksum.map(|a| (a, a.hasher())),
            signer,
            input: Bytes::new(),
            pending: Vec::new(),
        };
        let decoded_len = body.content_length();
        if let Some(bytes) = body.take_bytes() {
            framer.feed(bytes);
            let mut frames = Vec::new();
            let mut total = 0usize;
            while let Some(frame) = framer.next_frame() {
                total = total.saturating_add(frame.len());
                frames.push(frame);
            }
            let tail = framer.finish();
            total = total.saturating_add(tail.len());
            frames.push(tail);
            return Ok(ByteStream::new(crate::stream::concat(frames, total)));
        }
        let encoded = ByteStream::from_stream(Encoder {
            body,
            framer,
            expected: decoded_len,
            seen: 0,
            done: false,
        });
        Ok(match decoded_len.and_then(|n| self.encoded_length(n)) {
            Some(n) => encoded.with_content_length(n),
            None => encoded,
        })
    }
}

/// The unsigned encoding's length for `decoded_len` bytes cut into `chunk_size` chunks
/// (raised to [`MIN_CHUNK_SIZE`] if smaller) with `trailer`:
/// `AwsChunked::unsigned(trailer).with_chunk_size(chunk_size).encoded_length(decoded_len)`.
pub fn encoded_length(
    decoded_len: u64,
    chunk_size: usize,
    trailer: Option<ChecksumAlgorithm>,
) -> Option<u64> {
    AwsChunked::unsigned(trailer)
        .with_chunk_size(chunk_size)
        .encoded_length(decoded_len)
}

/// The number of hex digits of `n` (1 for 0).
fn hex_digits(n: u64) -> u64 {
    u64::from((u64::BITS - n.leading_zeros()).div_ceil(4).max(1))
}

/// Signs the chunks of a signed `aws-chunked` body, each signature chained to the previous
/// one, starting from the request's (seed) signature. `Debug` does not show the key.
#[derive(Debug, Clone)]
pub struct ChunkSigner {
    key: SigningKey,
    amz_date: String,
    credential_scope: String,
    previous: String,
}

impl ChunkSigner {
    /// A signer for a request signed at `amz_date` (`YYYYMMDD'T'HHMMSS'Z'`, its `x-amz-date`)
    /// within `credential_scope` (`YYYYMMDD/region/service/aws4_request`) with `key` (see
    /// [`crate::sigv4::signing_key`]), whose signature is `seed_signature` (hex).
    pub fn new(
        key: SigningKey,
        amz_date: impl Into<String>,
        credential_scope: impl Into<String>,
        seed_signature: impl Into<String>,
    ) -> Self {
        ChunkSigner {
            key,
            amz_date: amz_date.into(),
            credential_scope: credential_scope.into(),
            previous: seed_signature.into(),
        }
    }

    /// Signs the next chunk (the last one is empty) and returns its signature, which the next
    /// signature then chains to.
    pub fn sign_chunk(&mut self, chunk: &[u8]) -> String {
        let string_to_sign = format!(
            "{CHUNK_STRING_TO_SIGN_PREFIX}\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.amz_date,
            self.credential_scope,
            self.previous,
            hex_sha256(chunk)
        );
        self.chain(&string_to_sign)
    }

    /// Signs the trailer, given in canonical form (each trailing header as `name:value\n`,
    /// e.g. `x-amz-checksum-crc32:DUoRhQ==\n`), after the empty last chunk; returns the
    /// `x-amz-trailer-signature` value.
    pub fn sign_trailer(&mut self, canonical_trailer: &str) -> String {
        let string_to_sign = format!(
            "{TRAILER_STRING_TO_SIGN_PREFIX}\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.credential_scope,
            self.previous,
            hex_sha256(canonical_trailer.as_bytes())
        );
        self.chain(&string_to_sign)
    }

    /// The latest signature: the seed until a chunk is signed.
    pub fn previous_signature(&self) -> &str {
        &self.previous
    }

    fn chain(&mut self, string_to_sign: &str) -> String {
        let signature = calculate_signature(&self.key, string_to_sign);
        self.previous.clone_from(&signature);
        signature
    }
}

/// An `aws-chunked` body could not be made: a signer given where none belongs (or missing),
/// the source failing, or the source yielding a length other than it declared.
#[derive(Debug)]
pub struct AwsChunkedError {
    message: String,
    source: Option<BoxError>,
}

impl AwsChunkedError {
    fn new(message: impl Into<String>) -> Self {
        AwsChunkedError {
            message: message.into(),
            source: None,
        }
    }
}

impl fmt::Display for AwsChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AwsChunkedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// Cuts bytes into framed chunks; shared by the in-memory and the streaming encoders.
struct Framer {
    chunk_size: usize,
    checksum: Option<(ChecksumAlgorithm, Box<dyn Checksum>)>,
    signer: Option<ChunkSigner>,
    /// Bytes received and not yet framed or moved to `pending`.
    input: Bytes,
    /// Fewer than `chunk_size` bytes waiting for more.
    pending: Vec<u8>,
}

impl Framer {
    /// Takes the next bytes of the body (call once [`next_frame`](Self::next_frame) returns
    /// `None`).
    fn feed(&mut self, bytes: Bytes) {
        if let Some((_, hasher)) = &mut self.checksum {
            hasher.update(&bytes);
        }
        if self.input.is_empty() {
            self.input = bytes;
        } else {
            let mut joined = Vec::with_capacity(self.input.len() + bytes.len());
            joined.extend_from_slice(&self.input);
            joined.extend_from_slice(&bytes);
            self.input = Bytes::from(joined);
        }
    }

    /// The next full chunk, framed; `None` when the bytes fed so far make no full chunk (they
    /// are then all in `pending`).
    fn next_frame(&mut self) -> Option<Bytes> {
        let size = self.chunk_size;
        if self.pending.is_empty() && self.input.len() >= size {
            let data = self.input.split_to(size);
            return Some(self.frame(&data));
        }
        let take = size
            .saturating_sub(self.pending.len())
            .min(self.input.len());
        let moved = self.input.split_to(take);
        self.pending.extend_from_slice(&moved);
        if self.pending.len() >= size {
            let data = std::mem::take(&mut self.pending);
            return Some(self.frame(&data));
        }
        None
    }

    /// `data` as one chunk: size line (and signature), bytes, CRLF.
    fn frame(&mut self, data: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(data.len() + 100);
        out.extend_from_slice(format!("{:x}", data.len()).as_bytes());
        if let Some(signer) = &mut self.signer {
            out.extend_from_slice(CHUNK_SIGNATURE);
            out.extend_from_slice(signer.sign_chunk(data).as_bytes());
        }
        out.extend_from_slice(CRLF);
        out.extend_from_slice(data);
        out.extend_from_slice(CRLF);
        Bytes::from(out)
    }

    /// The end of the body: the last, short chunk if any, the zero-length chunk, the trailer
    /// and the final empty line.
    fn finish(&mut self) -> Bytes {
        let mut out = Vec::with_capacity(self.pending.len() + 300);
        while let Some(frame) = self.next_frame() {
            out.extend_from_slice(&frame);
        }
        if !self.pending.is_empty() {
            let data = std::mem::take(&mut self.pending);
            out.extend_from_slice(&self.frame(&data));
        }
        out.push(b'0');
        if let Some(signer) = &mut self.signer {
            out.extend_from_slice(CHUNK_SIGNATURE);
            out.extend_from_slice(signer.sign_chunk(&[]).as_bytes());
        }
        out.extend_from_slice(CRLF);
        if let Some((algorithm, hasher)) = self.checksum.take() {
            let line = format!(
                "{}:{}",
                algorithm.header_name(),
                Blob::new(hasher.finish()).to_base64()
            );
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(CRLF);
            if let Some(signer) = &mut self.signer {
                out.extend_from_slice(TRAILER_SIGNATURE);
                out.extend_from_slice(signer.sign_trailer(&format!("{line}\n")).as_bytes());
                out.extend_from_slice(CRLF);
            }
        }
        out.extend_from_slice(CRLF);
        Bytes::from(out)
    }
}

/// The streaming encoder: polls the source, yields one framed chunk per item and the tail
/// last.
struct Encoder {
    body: ByteStream,
    framer: Framer,
    expected: Option<u64>,
    seen: u64,
    done: bool,
}

impl Encoder {
    fn fail(&mut self, error: AwsChunkedError) -> Poll<Option<Result<Bytes, AwsChunkedError>>> {
        self.done = true;
        Poll::Ready(Some(Err(error)))
    }
}

impl Stream for Encoder {
    type Item = Result<Bytes, AwsChunkedError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(frame) = this.framer.next_frame() {
                return Poll::Ready(Some(Ok(frame)));
            }
            match Pin::new(&mut this.body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => {
                    this.seen = this.seen.saturating_add(bytes.len() as u64);
                    if let Some(expected) = this.expected.filter(|&n| this.seen > n) {
                        return this.fail(AwsChunkedError::new(format!(
                            "the body yielded more than the {expected} bytes it declared"
                        )));
                    }
                    this.framer.feed(bytes);
                }
                Poll::Ready(Some(Err(e))) => {
                    return this.fail(AwsChunkedError {
                        message: format!("reading the body to encode failed: {e}"),
                        source: Some(Box::new(e)),
                    });
                }
                Poll::Ready(None) => {
                    if let Some(expected) = this.expected.filter(|&n| this.seen != n) {
                        let seen = this.seen;
                        return this.fail(AwsChunkedError::new(format!(
                            "the body ended after {seen} of the {expected} bytes it declared"
                        )));
                    }
                    this.done = true;
                    return Poll::Ready(Some(Ok(this.framer.finish())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::header_value;
    use crate::sigv4::signing_key;
    use std::collections::VecDeque;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    /// Yields the given chunks (or errors), one per poll.
    struct Parts(VecDeque<Result<Bytes, std::io::Error>>);

    impl Stream for Parts {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    /// A one-shot stream of `data` cut at the given sizes (cycled).
    fn one_shot(data: &[u8], sizes: &[usize]) -> ByteStream {
        let mut parts = VecDeque::new();
        let mut rest = data;
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].min(rest.len());
            let (a, b) = rest.split_at(n);
            parts.push_back(Ok(Bytes::copy_from_slice(a)));
            rest = b;
            i += 1;
        }
        ByteStream::from_stream(Parts(parts))
    }

    fn collect_items(stream: ByteStream) -> Vec<Bytes> {
        block_on(async move {
            let mut stream = stream;
            let mut items = Vec::new();
            while let Some(item) = stream.next().await {
                items.push(item.expect("no error"));
            }
            items
        })
    }

    fn encode_all(config: AwsChunked, body: ByteStream, signer: Option<ChunkSigner>) -> Vec<u8> {
        let stream = config.encode(body, signer).expect("encodes");
        collect_items(stream).concat()
    }

    /// What a decoder reads back from an encoding.
    #[derive(Debug, Default, PartialEq)]
    struct Decoded {
        data: Vec<u8>,
        chunk_sizes: Vec<usize>,
        /// One per chunk, the zero-length one included (signed encodings only).
        signatures: Vec<String>,
        trailers: Vec<(String, String)>,
    }

    /// A strict decoder for both encodings (test only): every frame must be well formed and
    /// the body must end right after the empty line.
    fn decode(mut body: &[u8]) -> Result<Decoded, String> {
        fn line<'a>(body: &mut &'a [u8]) -> Result<&'a str, String> {
            let end = body
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or("a line without CRLF")?;
            let (l, rest) = body.split_at(end);
            *body = &rest[2..];
            std::str::from_utf8(l).map_err(|e| e.to_string())
        }
        let mut out = Decoded::default();
        loop {
            let header = line(&mut body)?;
            let (size, ext) = match header.split_once(';') {
                Some((size, ext)) => (size, Some(ext)),
                None => (header, None),
            };
            if let Some(ext) = ext {
                let sig = ext
                    .strip_prefix("chunk-signature=")
                    .ok_or(format!("bad extension {ext:?}"))?;
                if sig.len() != 64 {
                    return Err(format!("bad signature {sig:?}"));
                }
                out.signatures.push(sig.to_owned());
            }
            let size = usize::from_str_radix(size, 16).map_err(|e| format!("{size:?}: {e}"))?;
            if size == 0 {
                break;
            }
            if body.len() < size + 2 || &body[size..size + 2] != b"\r\n" {
                return Err(format!("chunk of {size} bytes not followed by CRLF"));
            }
            out.data.extend_from_slice(&body[..size]);
            out.chunk_sizes.push(size);
            body = &body[size + 2..];
        }
        loop {
            let l = line(&mut body)?;
            if l.is_empty() {
                break;
            }
            let (name, value) = l.split_once(':').ok_or(format!("bad trailer {l:?}"))?;
            out.trailers.push((name.to_owned(), value.to_owned()));
        }
        if !body.is_empty() {
            return Err(format!("{} bytes after the end", body.len()));
        }
        Ok(out)
    }

    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    #[test]
    fn a_small_body_is_one_chunk_and_the_trailer() {
        let expected = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        let config = AwsChunked::unsigned(Some(ChecksumAlgorithm::Crc32));
        // In memory and streamed alike.
        assert_eq!(
            encode_all(config, ByteStream::from("hello world"), None),
            expected
        );
        assert_eq!(
            encode_all(config, one_shot(b"hello world", &[3, 1]), None),
            expected
        );
        assert_eq!(config.encoded_length(11), Some(expected.len() as u64));
        assert_eq!(
            encoded_length(11, 0, Some(ChecksumAlgorithm::Crc32)),
            Some(expected.len() as u64)
        );
        let decoded = decode(expected).unwrap();
        assert_eq!(decoded.data, b"hello world");
        assert_eq!(
            decoded.trailers,
            [("x-amz-checksum-crc32".to_owned(), "DUoRhQ==".to_owned())]
        );
        // No trailer at all.
        assert_eq!(
            encode_all(AwsChunked::unsigned(None), ByteStream::from("abc"), None),
            b"3\r\nabc\r\n0\r\n\r\n"
        );
    }

    #[test]
    fn empty_bodies_are_the_last_chunk_and_the_trailer() {
        let config = AwsChunked::unsigned(Some(ChecksumAlgorithm::Crc32));
        let expected = b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        assert_eq!(encode_all(config, ByteStream::empty(), None), expected);
        assert_eq!(encode_all(config, one_shot(b"", &[1]), None), expected);
        // A stream of empty chunks.
        let empties = ByteStream::from_stream(Parts(
            (0..5).map(|_| Ok(Bytes::new())).collect::<VecDeque<_>>(),
        ));
        assert_eq!(encode_all(config, empties, None), expected);
        assert_eq!(config.encoded_length(0), Some(expected.len() as u64));
    }

    #[test]
    fn tiny_source_chunks_are_recut_to_the_chunk_size() {
        let data = noise(5 * MIN_CHUNK_SIZE + 123, 3);
        for algorithm in ChecksumAlgorithm::ALL {
            let config = AwsChunked::unsigned(Some(algorithm)).with_chunk_size(1);
            assert_eq!(config.chunk_size(), MIN_CHUNK_SIZE);
            let stream = config
                .encode(one_shot(&data, &[1, 7, 3, 250, 2]), None)
                .unwrap();
            assert_eq!(stream.content_length(), None, "length unknown");
            let items = collect_items(stream);
            // One item per full chunk, then the last short chunk with the tail.
            assert_eq!(items.len(), 6);
            let encoded = items.concat();
            let decoded = decode(&encoded).unwrap();
            assert_eq!(decoded.data, data);
            assert_eq!(
                decoded.chunk_sizes,
                [MIN_CHUNK_SIZE; 5]
                    .iter()
                    .copied()
                    .chain([123])
                    .collect::<Vec<_>>()
            );
            assert_eq!(
                decoded.trailers,
                [(
                    algorithm.header_name().to_owned(),
                    header_value(algorithm, &data)
                )]
            );
            assert!(decoded.signatures.is_empty());
            assert_eq!(
                config.encoded_length(data.len() as u64),
                Some(encoded.len() as u64)
            );
        }
    }

    #[test]
    fn big_source_chunks_are_split() {
        let data = noise(3 * MIN_CHUNK_SIZE, 9);
        let config =
            AwsChunked::unsigned(Some(ChecksumAlgorithm::Crc32c)).with_chunk_size(MIN_CHUNK_SIZE);
        let body = one_shot(&data, &[data.len()]).with_content_length(data.len() as u64);
        let stream = config.encode(body, None).unwrap();
        let length = config.encoded_length(data.len() as u64);
        assert_eq!(stream.content_length(), length);
        let encoded = collect_items(stream).concat();
        assert_eq!(Some(encoded.len() as u64), length);
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded.chunk_sizes, [MIN_CHUNK_SIZE; 3]);
        assert_eq!(decoded.data, data);
    }

    #[test]
    fn lengths_are_computed_exactly() {
        let data = noise(7 * MIN_CHUNK_SIZE + 17, 5);
        let key = signing_key("secret", "20130524", "us-east-1", "s3");
        let signer = || ChunkSigner::new(key.clone(), "20130524T000000Z", "scope", "seed");
        let checksums = [
            None,
            Some(ChecksumAlgorithm::Crc32),
            Some(ChecksumAlgorithm::Crc64Nvme),
            Some(ChecksumAlgorithm::Sha256),
        ];
        for signed in [false, true] {
            for checksum in checksums {
                for size in [MIN_CHUNK_SIZE, MIN_CHUNK_SIZE + 1, 3 * MIN_CHUNK_SIZE] {
                    let config = if signed {
                        AwsChunked::signed(checksum)
                    } else {
                        AwsChunked::unsigned(checksum)
                    }
                    .with_chunk_size(size);
                    for len in [0, 1, 15, 16, size - 1, size, size + 1, 2 * size, data.len()] {
                        let body = &data[..len];
                        let encoded = encode_all(
                            config,
                            ByteStream::from(body.to_vec()),
                            signed.then(signer),
                        );
                        assert_eq!(
                            config.encoded_length(len as u64),
                            Some(encoded.len() as u64),
                            "{config:?} len {len}"
                        );
                        let decoded = decode(&encoded).unwrap();
                        assert_eq!(decoded.data, body);
                        let chunks = decoded.chunk_sizes.len();
                        assert_eq!(
                            decoded.signatures.len(),
                            if signed { chunks + 1 } else { 0 }
                        );
                        assert!(decoded.chunk_sizes.iter().rev().skip(1).all(|&n| n == size));
                        let trailer_names: Vec<&str> =
                            decoded.trailers.iter().map(|(n, _)| n.as_str()).collect();
                        let mut expected = Vec::new();
                        if let Some(a) = checksum {
                            expected.push(a.header_name());
                            if signed {
                                expected.push("x-amz-trailer-signature");
                            }
                        }
                        assert_eq!(trailer_names, expected);
                    }
                }
            }
        }
        assert_eq!(AwsChunked::unsigned(None).encoded_length(u64::MAX), None);
        assert_eq!(hex_digits(0), 1);
        assert_eq!(hex_digits(15), 1);
        assert_eq!(hex_digits(16), 2);
        assert_eq!(hex_digits(0x10000), 5);
        assert_eq!(hex_digits(u64::MAX), 16);
    }

    // The S3 documentation's examples ("Signature Calculations for the Authorization Header:
    // Transferring Payload in Multiple Chunks" and "... Including Trailing Headers"): 66560
    // bytes of 'a' in chunks of 65536, signed at 20130524T000000Z in us-east-1 for s3.
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
    const DATE: &str = "20130524T000000Z";

    fn doc_signer(seed: &str) -> ChunkSigner {
        ChunkSigner::new(
            signing_key(SECRET, "20130524", "us-east-1", "s3"),
            DATE,
            SCOPE,
            seed,
        )
    }

    #[test]
    fn the_s3_documentation_example_of_signed_chunks() {
        let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
        let sigs = [
            "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
            "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
            "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
        ];
        let mut signer = doc_signer(seed);
        assert_eq!(signer.previous_signature(), seed);
        assert_eq!(signer.sign_chunk(&[b'a'; 65536]), sigs[0]);
        assert_eq!(signer.sign_chunk(&[b'a'; 1024]), sigs[1]);
        assert_eq!(signer.sign_chunk(&[]), sigs[2]);
        assert_eq!(signer.previous_signature(), sigs[2]);

        let config = AwsChunked::signed(None).with_chunk_size(65536);
        assert_eq!(
            config.content_sha256(),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        );
        let data = vec![b'a'; 66560];
        // The documented content-length.
        assert_eq!(config.encoded_length(66560), Some(66824));
        let mut expected = Vec::new();
        expected.extend_from_slice(format!("10000;chunk-signature={}\r\n", sigs[0]).as_bytes());
        expected.extend_from_slice(&data[..65536]);
        expected.extend_from_slice(format!("\r\n400;chunk-signature={}\r\n", sigs[1]).as_bytes());
        expected.extend_from_slice(&data[65536..]);
        expected.extend_from_slice(format!("\r\n0;chunk-signature={}\r\n\r\n", sigs[2]).as_bytes());
        for body in [
            ByteStream::from(data.clone()),
            one_shot(&data, &[4096, 1000]),
        ] {
            assert_eq!(encode_all(config, body, Some(doc_signer(seed))), expected);
        }
    }

    #[test]
    fn the_s3_documentation_seed_signature_comes_from_these_headers() {
        use crate::credentials::Credentials;
        use crate::http::HttpRequest;
        use crate::sigv4::{SigningParams, SigningSettings, signature_parts};
        let mut request = HttpRequest::new(
            http::Method::PUT,
            "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
        );
        request.headers.insert(
            "x-amz-storage-class",
            HeaderValue::from_static("REDUCED_REDUNDANCY"),
        );
        AwsChunked::signed(None)
            .with_chunk_size(65536)
            .apply_headers(&mut request.headers, Some(66560));
        let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET, None);
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_369_353_600),
        };
        let parts =
            signature_parts(&request, &params, &SigningSettings::for_service("s3")).unwrap();
        assert_eq!(
            parts.signed_headers,
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
             x-amz-decoded-content-length;x-amz-storage-class"
        );
        assert_eq!(parts.credential_scope, SCOPE);
        assert_eq!(
            parts.signature,
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        );
    }

    #[test]
    fn the_s3_documentation_example_of_a_signed_trailer() {
        // Values of the trailing-headers example (its seed signs the -TRAILER payload kind).
        let seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
        let sigs = [
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        ];
        let trailer_sig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
        let data = vec![b'a'; 66560];
        assert_eq!(header_value(ChecksumAlgorithm::Crc32c, &data), "sOO8/Q==");
        let config = AwsChunked::signed(Some(ChecksumAlgorithm::Crc32c)).with_chunk_size(65536);
        assert_eq!(
            config.content_sha256(),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
        );
        let encoded = encode_all(config, one_shot(&data, &[10_000]), Some(doc_signer(seed)));
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded.signatures, sigs);
        assert_eq!(decoded.data, data);
        assert_eq!(
            decoded.trailers,
            [
                ("x-amz-checksum-crc32c".to_owned(), "sOO8/Q==".to_owned()),
                ("x-amz-trailer-signature".to_owned(), trailer_sig.to_owned()),
            ]
        );
        assert!(
            encoded.ends_with(
                format!(
                    "\r\n0;chunk-signature={}\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\
                 x-amz-trailer-signature:{trailer_sig}\r\n\r\n",
                    sigs[2]
                )
                .as_bytes()
            )
        );
        assert_eq!(config.encoded_length(66560), Some(encoded.len() as u64));
    }

    #[test]
    fn trailer_signatures_match_the_common_runtime() {
        // aws-c-auth's chunk-signing test (as in aws-crt-swift): trailing headers signed after
        // the documentation example's final chunk.
        let mut signer =
            doc_signer("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
        assert_eq!(
            signer.sign_trailer("first:1st\nsecond:2nd\nthird:3rd\n"),
            "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c"
        );
    }

    #[test]
    fn headers_describe_the_encoding() {
        let config = AwsChunked::unsigned(Some(ChecksumAlgorithm::Crc32));
        let mut h = http::HeaderMap::new();
        h.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        config.apply_headers(&mut h, Some(11));
        assert_eq!(h["content-encoding"], "aws-chunked");
        assert_eq!(
            h["x-amz-content-sha256"],
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        );
        assert_eq!(h["x-amz-trailer"], "x-amz-checksum-crc32");
        assert_eq!(h["x-amz-decoded-content-length"], "11");
        assert_eq!(h["content-length"], "52");
        assert!(!h.contains_key("transfer-encoding"));
        // Applying again changes nothing (aws-chunked is not appended twice).
        let before = h.clone();
        config.apply_headers(&mut h, Some(11));
        assert_eq!(h, before);

        // Unknown length; an encoding already there is kept first.
        let mut h = http::HeaderMap::new();
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("5"));
        h.insert("x-amz-trailer", HeaderValue::from_static("stale"));
        AwsChunked::signed(None).apply_headers(&mut h, None);
        assert_eq!(h["content-encoding"], "gzip, aws-chunked");
        assert_eq!(
            h["x-amz-content-sha256"],
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        );
        assert_eq!(h["transfer-encoding"], "chunked");
        assert!(!h.contains_key("content-length"));
        assert!(!h.contains_key("x-amz-decoded-content-length"));
        assert!(!h.contains_key("x-amz-trailer"));
    }

    #[test]
    fn signers_must_match_the_configuration() {
        let key = signing_key("secret", "20130524", "us-east-1", "s3");
        let signer = ChunkSigner::new(key, DATE, SCOPE, "seed");
        assert!(!format!("{signer:?}").contains("secret"));
        let err = AwsChunked::signed(None)
            .encode(ByteStream::from("x"), None)
            .unwrap_err();
        assert!(err.to_string().contains("needs a chunk signer"), "{err}");
        let err = AwsChunked::unsigned(None)
            .encode(ByteStream::from("x"), Some(signer))
            .unwrap_err();
        assert!(err.to_string().contains("no chunk signer"), "{err}");
    }

    fn first_error(stream: ByteStream) -> String {
        block_on(async move {
            let mut stream = stream;
            while let Some(item) = stream.next().await {
                if let Err(e) = item {
                    assert!(stream.next().await.is_none(), "nothing after an error");
                    return e.to_string();
                }
            }
            panic!("no error");
        })
    }

    #[test]
    fn wrong_declared_lengths_and_source_errors_end_the_stream_with_an_error() {
        let config = AwsChunked::unsigned(Some(ChecksumAlgorithm::Crc32));
        let short = one_shot(b"abc", &[1]).with_content_length(4);
        let msg = first_error(config.encode(short, None).unwrap());
        assert!(msg.contains("after 3 of the 4 bytes"), "{msg}");
        let long = one_shot(b"abcde", &[1]).with_content_length(4);
        let msg = first_error(config.encode(long, None).unwrap());
        assert!(msg.contains("more than the 4 bytes"), "{msg}");
        let failing = ByteStream::from_stream(Parts(VecDeque::from([
            Ok(Bytes::from_static(b"abc")),
            Err(std::io::Error::other("connection reset")),
        ])));
        let msg = first_error(config.encode(failing, None).unwrap());
        assert!(msg.contains("connection reset"), "{msg}");
    }
}
