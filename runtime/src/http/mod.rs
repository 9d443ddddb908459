//! HTTP request and response values, the transport trait, and (feature `https`) the
//! default transport, [`HyperClient`].
//!
//! The default transport is hyper 1 (connection pooling through hyper-util's legacy client)
//! over TCP or TLS (rustls with ring; Mozilla's roots from `webpki-roots`, plus a PEM bundle
//! from `AWS_CA_BUNDLE` / the profile's `ca_bundle`, plus the platform's roots with the
//! `native-roots` feature). It has:
//!
//! - a connect timeout, [`DEFAULT_CONNECT_TIMEOUT`] (3.1 s, as the AWS SDKs) unless set;
//! - [stalled-stream protection](StalledStreamProtection): a body that makes no progress for
//!   a grace period (5 s by default) fails with an error for which
//!   [`TransportError::is_stalled`] is true;
//! - HTTP proxies ([`ProxyConfig`]: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`),
//!   plain-HTTP targets in absolute form and HTTPS targets through a `CONNECT` tunnel;
//! - HTTP/2, negotiated through ALPN, with the opt-in `http2` feature (HTTP/1.1 otherwise);
//!   a request with [`HttpRequest::require_http2`] (event streams) uses HTTP/2 only, full
//!   duplex through [`HttpClient::send_streaming`].

use crate::stream::ByteStream;
use bytes::Bytes;
use http::{HeaderMap, Method};
use std::fmt;
use std::time::Duration;

#[cfg(feature = "https")]
mod cancel;
#[cfg(feature = "http2")]
mod http2;
#[cfg(feature = "https")]
mod hyper;
#[cfg(feature = "https")]
mod proxy;
mod stalled;
#[cfg(feature = "https")]
mod tls;

#[cfg(feature = "https")]
pub use self::hyper::{DEFAULT_CONNECT_TIMEOUT, HyperClient, HyperClientBuilder};
#[cfg(feature = "https")]
pub use self::proxy::ProxyConfig;
pub use self::stalled::{DEFAULT_STALL_GRACE_PERIOD, StalledStreamProtection};

/// An HTTP request as built by a generated serializer and completed by the runtime.
///
/// A serializer sets `uri` to the path and query (`/identityProviders?x=1`); the runtime
/// prefixes the resolved endpoint, making it absolute, before signing and sending.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// Path and query, or the absolute URL once the endpoint is applied.
    pub uri: String,
    /// Headers.
    pub headers: HeaderMap,
    /// The body (empty for none).
    pub body: Bytes,
    /// The exchange must use HTTP/2 (AWS event-stream operations such as Transcribe
    /// streaming and Kinesis `SubscribeToShard` accept nothing else). [`HyperClient`] then
    /// speaks HTTP/2 only: over TLS it offers just `h2` through ALPN and fails the request if
    /// the server does not agree; over plain `http://` it uses HTTP/2 with prior knowledge
    /// (h2c). Without anvil-runtime's `http2` feature such a request fails at once with a
    /// [`TransportError`]. `false` for [`HttpRequest::new`].
    pub require_http2: bool,
    /// A long-lived, full-duplex event-stream exchange (`@streaming` unions): events may
    /// legitimately pause for minutes in either direction, so [`HyperClient`] exempts both
    /// bodies from [`StalledStreamProtection`], as the AWS SDKs do. `false` for
    /// [`HttpRequest::new`].
    pub event_stream: bool,
}

/// An HTTP response, body fully read.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no headers and an empty body.
    pub fn new(method: Method, uri: impl Into<String>) -> Self {
        HttpRequest {
            method,
            uri: uri.into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            require_http2: false,
            event_stream: false,
        }
    }
}

impl HttpResponse {
    /// A response with no headers.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// Adds a header (builder style). An invalid name or value is ignored.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            self.headers.append(n, v);
        }
        self
    }

    /// The first value of header `name` if it is valid UTF-8 (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The largest response body a transport reads by default: 16 MiB. A larger body fails the
/// attempt with a [`TransportErrorKind::ResponseTooLarge`] error instead of exhausting memory.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

/// An HTTP response whose body is read as it arrives: what
/// [`HttpClient::send_streaming`] returns, and what operations with a `@streaming` output
/// payload deserialize.
#[derive(Debug)]
pub struct StreamingResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body, not yet read.
    pub body: ByteStream,
}

impl StreamingResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Reads the whole body (at most `limit` bytes: a longer one is a
    /// [`TransportErrorKind::ResponseTooLarge`] error; a failed read an `Io` one).
    pub async fn into_buffered(self, limit: usize) -> Result<HttpResponse, TransportError> {
        let declared = self
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit)) {
            return Err(TransportError::response_too_large(limit));
        }
        let too_large = self
            .body
            .content_length()
            .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit));
        if too_large {
            return Err(TransportError::response_too_large(limit));
        }
        let body = self.body.collect_limited(limit).await.map_err(|e| {
            let stalled = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<TransportError>())
                .filter(|t| t.is_stalled())
                .map(|t| t.message.clone());
            if e.is_too_large() {
                TransportError::response_too_large(limit)
            } else if let Some(message) = stalled {
                let mut err = TransportError::io(message).with_source(e);
                err.stalled = true;
                err
            } else {
                TransportError::io(format!("reading the response body: {e}")).with_source(e)
            }
        })?;
        Ok(HttpResponse {
            status: self.status,
            headers: self.headers,
            body,
        })
    }
}

impl From<HttpResponse> for StreamingResponse {
    fn from(r: HttpResponse) -> Self {
        StreamingResponse {
            status: r.status,
            headers: r.headers,
            body: ByteStream::new(r.body),
        }
    }
}

/// Sends HTTP requests: the transport under a client.
///
/// The request `uri` is absolute. [`send`](Self::send) reads the response body fully (up to
/// the transport's limit); [`send_streaming`](Self::send_streaming), used by operations with
/// `@streaming` payloads, streams both bodies. Implementing `send` is enough: the default
/// `send_streaming` buffers (the request body is collected and the response read fully, so
/// the transport's size limit applies), which suits test transports.
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends one request and reads the whole response.
    fn send(
        &self,
        request: HttpRequest,
    ) -> crate::BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Sends one request with `body` as its body (in place of `request.body`, which the
    /// runtime leaves empty) and returns the response with its body unread: it is read as
    /// the caller consumes it, with no size limit. `content-length` is set by the runtime when
    /// the length is known; otherwise the body goes chunked.
    ///
    /// The default implementation collects `body` and calls [`send`](Self::send).
    fn send_streaming(
        &self,
        request: HttpRequest,
        body: ByteStream,
    ) -> crate::BoxFuture<'_, Result<StreamingResponse, TransportError>> {
        Box::pin(async move {
            let mut request = request;
            request.body = body.collect().await.map_err(|e| {
                TransportError::io(format!("reading the request body: {e}")).with_source(e)
            })?;
            self.send(request).await.map(StreamingResponse::from)
        })
    }
}

/// Why a transport failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection could not be established (DNS, refused, TLS handshake, connect timeout).
    Connect,
    /// The connection failed mid-exchange (reset, closed early, broken pipe).
    Io,
    /// The response body was larger than the transport's configured maximum. Not retried.
    ResponseTooLarge,
    /// Anything else (invalid request, ...). Not retried.
    Other,
}

/// The request could not be sent or its response not received.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    /// Stalled-stream protection fired (the kind is `Io`).
    stalled: bool,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A new error.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            stalled: false,
            message: message.into(),
            source: None,
        }
    }

    /// A connect error.
    pub fn connect(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Connect, message)
    }

    /// An I/O error on an established connection.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Io, message)
    }

    /// Another error.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Other, message)
    }

    /// A response body longer than `limit` bytes.
    pub fn response_too_large(limit: usize) -> Self {
        Self::new(
            TransportErrorKind::ResponseTooLarge,
            format!("the response body exceeds the maximum of {limit} bytes"),
        )
    }

    /// A body that made no progress for `grace` ([`StalledStreamProtection`]): an `Io` error
    /// (retried as one) for which [`is_stalled`](Self::is_stalled) is true. `what` names
    /// the body ("the response body", "the request body").
    pub fn stalled(what: &str, grace: Duration) -> Self {
        let mut e = Self::new(
            TransportErrorKind::Io,
            format!("stalled stream: {what} made no progress (no data for {grace:?})"),
        );
        e.stalled = true;
        e
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The kind.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the connection could not be established.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// Whether an established connection failed.
    pub fn is_io(&self) -> bool {
        self.kind == TransportErrorKind::Io
    }

    /// Whether stalled-stream protection failed the request: a body sent or received no
    /// data for the grace period. Such an error is also [`is_io`](Self::is_io).
    pub fn is_stalled(&self) -> bool {
        self.stalled
    }

    /// Whether the response body was larger than the configured maximum.
    pub fn is_response_too_large(&self) -> bool {
        self.kind == TransportErrorKind::ResponseTooLarge
    }

    /// Whether the error is none of the above.
    pub fn is_other(&self) -> bool {
        self.kind == TransportErrorKind::Other
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Io => "connection error",
            TransportErrorKind::ResponseTooLarge => "response refused",
            TransportErrorKind::Other => "transport error",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// A transport for tests: replays scripted responses and records requests.
pub mod test {
    use super::{DEFAULT_MAX_RESPONSE_BODY, HttpClient, HttpRequest, HttpResponse, TransportError};
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex, MutexGuard};

    #[derive(Debug)]
    struct Inner {
        responses: VecDeque<HttpResponse>,
        requests: Vec<HttpRequest>,
        max_body: usize,
    }

    impl Default for Inner {
        fn default() -> Self {
            Inner {
                responses: VecDeque::new(),
                requests: Vec::new(),
                max_body: DEFAULT_MAX_RESPONSE_BODY,
            }
        }
    }

    /// Replays `responses` in order, one per request, recording each request. Once the
    /// responses are used up, every request fails with a [`TransportError`]. A scripted body
    /// longer than the maximum ([`DEFAULT_MAX_RESPONSE_BODY`] unless set with
    /// [`ReplayClient::max_response_body`]) is refused as the real transport refuses it.
    ///
    /// Clones share the script and the record, so a test can keep one clone and give the
    /// other to the client.
    #[derive(Clone, Debug, Default)]
    pub struct ReplayClient {
        inner: Arc<Mutex<Inner>>,
    }

    impl ReplayClient {
        /// A client replaying `responses`.
        pub fn new(responses: Vec<HttpResponse>) -> Self {
            ReplayClient {
                inner: Arc::new(Mutex::new(Inner {
                    responses: responses.into(),
                    ..Inner::default()
                })),
            }
        }

        /// Sets the largest response body delivered, in bytes (shared by all clones).
        pub fn max_response_body(self, bytes: usize) -> Self {
            self.lock().max_body = bytes;
            self
        }

        fn lock(&self) -> MutexGuard<'_, Inner> {
            self.inner.lock().unwrap_or_else(|e| e.into_inner())
        }

        /// Every request received so far, in order.
        pub fn requests(&self) -> Vec<HttpRequest> {
            self.lock().requests.clone()
        }

        /// How many scripted responses are left.
        pub fn remaining(&self) -> usize {
            self.lock().responses.len()
        }
    }

    impl HttpClient for ReplayClient {
        fn send(
            &self,
            request: HttpRequest,
        ) -> crate::BoxFuture<'_, Result<HttpResponse, TransportError>> {
            let (next, limit) = {
                let mut inner = self.lock();
                inner.requests.push(request);
                (inner.responses.pop_front(), inner.max_body)
            };
            Box::pin(async move {
                match next {
                    None => Err(TransportError::other(
                        "ReplayClient: no more scripted responses",
                    )),
                    Some(r) if r.body.len() > limit => {
                        Err(TransportError::response_too_large(limit))
                    }
                    Some(r) => Ok(r),
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test::ReplayClient;
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn replay_refuses_bodies_over_its_maximum() {
        let replay = ReplayClient::new(vec![
            HttpResponse::new(200, vec![b'x'; 11]),
            HttpResponse::new(200, vec![b'x'; 10]),
        ])
        .max_response_body(10);
        let err = block_on(replay.send(HttpRequest::new(Method::GET, "http://h/")))
            .expect_err("11 bytes > 10");
        assert!(err.is_response_too_large(), "{err:?}");
        assert!(!err.is_io() && !err.is_connect() && !err.is_other());
        assert!(err.to_string().contains("10 bytes"), "{err}");
        let ok = block_on(replay.send(HttpRequest::new(Method::GET, "http://h/")))
            .expect("10 bytes fit");
        assert_eq!(ok.body.len(), 10);
    }

    #[test]
    fn stalled_errors_are_io_errors_that_say_so() {
        let e = TransportError::stalled("the response body", Duration::from_secs(5));
        assert!(e.is_stalled() && e.is_io(), "{e:?}");
        assert_eq!(
            e.to_string(),
            "connection error: stalled stream: the response body made no progress \
             (no data for 5s)"
        );
        assert!(!TransportError::io("reset").is_stalled());
    }
}
