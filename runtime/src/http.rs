//! HTTP request and response values, and the transport trait.

use crate::stream::ByteStream;
use bytes::Bytes;
use http::{HeaderMap, Method};
use std::fmt;

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
            if e.is_too_large() {
                TransportError::response_too_large(limit)
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
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A new error.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
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

#[cfg(feature = "https")]
pub use hyper_client::HyperClient;

#[cfg(feature = "https")]
mod hyper_client {
    use super::{
        DEFAULT_MAX_RESPONSE_BODY, HttpClient, HttpRequest, HttpResponse, StreamingResponse,
        TransportError, TransportErrorKind,
    };
    use crate::stream::{ByteStream, ByteStreamError};
    use bytes::Bytes;
    use futures_core::Stream;
    use http_body_util::BodyExt;
    use hyper::body::{Body, Frame, Incoming, SizeHint};
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;
    use std::fmt;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};

    type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

    /// The default transport: hyper 1 with connection pooling, HTTP/1.1, over plain TCP or
    /// TLS (rustls with ring, Mozilla's root certificates from `webpki-roots`).
    ///
    /// Response bodies are read up to a maximum size ([`DEFAULT_MAX_RESPONSE_BODY`] unless set
    /// with [`HyperClient::max_response_body`]); a longer body fails the attempt with a
    /// [`TransportErrorKind::ResponseTooLarge`] error and its connection is closed.
    ///
    /// Emits `tracing` events (target `anvil_runtime::http`): `trace` before each request and
    /// `debug` after it, with the method, host, port, attempt number, status, elapsed time and
    /// body size. Paths, queries, header values and bodies are never logged: they can carry
    /// `@sensitive` values.
    ///
    /// Cloning shares the connection pool.
    #[derive(Clone)]
    pub struct HyperClient {
        client: Result<Client<Connector, ReqBody>, Arc<str>>,
        max_body: usize,
    }

    impl HyperClient {
        /// A client with no connect timeout beyond the operating system's.
        pub fn new() -> Self {
            Self::with_connect_timeout(None)
        }

        /// A client whose connection attempts give up after `timeout`.
        pub fn with_connect_timeout(timeout: Option<Duration>) -> Self {
            HyperClient {
                client: build(timeout).map_err(Arc::from),
                max_body: DEFAULT_MAX_RESPONSE_BODY,
            }
        }

        /// Sets the largest response body read, in bytes (builder style).
        pub fn max_response_body(mut self, bytes: usize) -> Self {
            self.max_body = bytes;
            self
        }

        /// The largest response body read, in bytes.
        pub fn max_response_body_size(&self) -> usize {
            self.max_body
        }
    }

    impl Default for HyperClient {
        fn default() -> Self {
            Self::new()
        }
    }

    impl fmt::Debug for HyperClient {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("HyperClient")
                .field("max_response_body", &self.max_body)
                .finish_non_exhaustive()
        }
    }

    fn build(timeout: Option<Duration>) -> Result<Client<Connector, ReqBody>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration failed: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(timeout);
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(https))
    }

    /// A request body: whole bytes, or a [`ByteStream`] sent as it is read.
    pub(super) enum ReqBody {
        Full(Option<Bytes>),
        Stream(ByteStream),
    }

    impl Body for ReqBody {
        type Data = Bytes;
        type Error = ByteStreamError;

        fn poll_frame(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, ByteStreamError>>> {
            match self.get_mut() {
                ReqBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
                ReqBody::Stream(s) => Pin::new(s)
                    .poll_next(cx)
                    .map(|o| o.map(|r| r.map(Frame::data))),
            }
        }

        fn is_end_stream(&self) -> bool {
            match self {
                ReqBody::Full(b) => b.is_none(),
                ReqBody::Stream(_) => false,
            }
        }

        fn size_hint(&self) -> SizeHint {
            match self {
                ReqBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
                ReqBody::Stream(s) => match s.content_length() {
                    Some(n) => SizeHint::with_exact(n),
                    None => SizeHint::default(),
                },
            }
        }
    }

    /// A response body as a stream of data chunks (trailers skipped).
    struct IncomingStream(Incoming);

    impl Stream for IncomingStream {
        type Item = Result<Bytes, TransportError>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            loop {
                return match Pin::new(&mut self.0).poll_frame(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(body_error(e)))),
                    Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                        Ok(data) => Poll::Ready(Some(Ok(data))),
                        Err(_) => continue, // trailers
                    },
                };
            }
        }
    }

    fn body_error(e: hyper::Error) -> TransportError {
        let kind = match classify(&e, false) {
            TransportErrorKind::Other => TransportErrorKind::Io,
            k => k,
        };
        TransportError::new(kind, format!("reading the response body: {}", describe(&e)))
            .with_source(e)
    }

    /// Classifies an error by its source chain.
    fn classify(err: &(dyn std::error::Error + 'static), connect: bool) -> TransportErrorKind {
        if connect {
            return TransportErrorKind::Connect;
        }
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cur {
            if e.is::<std::io::Error>() {
                return TransportErrorKind::Io;
            }
            if let Some(h) = e.downcast_ref::<hyper::Error>()
                && (h.is_incomplete_message() || h.is_closed() || h.is_canceled())
            {
                return TransportErrorKind::Io;
            }
            cur = e.source();
        }
        TransportErrorKind::Other
    }

    /// A message built from the error chain (no request data is included by hyper).
    fn describe(err: &(dyn std::error::Error + 'static)) -> String {
        let mut out = err.to_string();
        let mut cur = err.source();
        let mut depth = 0;
        while let Some(e) = cur {
            if depth >= 8 {
                break;
            }
            out.push_str(": ");
            out.push_str(&e.to_string());
            cur = e.source();
            depth += 1;
        }
        out
    }

    /// Reads a whole body, refusing it as soon as it is known to exceed `limit` bytes: from
    /// `content-length` before reading anything, else while reading. Dropping the body
    /// unread closes its connection, so a refused body is never drained.
    async fn read_body(
        headers: &http::HeaderMap,
        mut body: Incoming,
        limit: usize,
    ) -> Result<Bytes, TransportError> {
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit)) {
            return Err(TransportError::response_too_large(limit));
        }
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut total: usize = 0;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(body_error)?;
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            total = match total.checked_add(data.len()) {
                Some(n) if n <= limit => n,
                _ => return Err(TransportError::response_too_large(limit)),
            };
            if !data.is_empty() {
                chunks.push(data);
            }
        }
        Ok(crate::stream::concat(chunks, total))
    }

    /// The attempt number from the runtime's `amz-sdk-request: attempt=N; max=M` header.
    fn attempt_of(request: &HttpRequest) -> u32 {
        request
            .headers
            .get("amz-sdk-request")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').find_map(|p| p.trim().strip_prefix("attempt=")))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }

    /// A response as the transport hands it back.
    enum Received {
        Buffered(HttpResponse),
        Streaming(StreamingResponse),
    }

    impl HyperClient {
        /// Sends `request` with `body`; reads the response body whole (with the size limit)
        /// unless `stream`, in which case it is handed back unread.
        async fn exchange(
            &self,
            request: HttpRequest,
            body: ReqBody,
            stream: bool,
        ) -> Result<Received, TransportError> {
            let client = self
                .client
                .as_ref()
                .map_err(|e| TransportError::other(e.to_string()))?;
            let uri: http::Uri = request
                .uri
                .parse()
                .map_err(|e| TransportError::other("invalid request URI").with_source(e))?;
            let method = request.method.clone();
            let host = uri.host().unwrap_or_default().to_owned();
            let port = uri.port_u16().unwrap_or(0);
            let attempt = attempt_of(&request);
            let started = Instant::now();
            tracing::trace!(
                target: "anvil_runtime::http",
                %method, host = %host, port, attempt, streaming = stream, "sending request"
            );
            let mut req = http::Request::new(body);
            *req.method_mut() = request.method;
            *req.uri_mut() = uri;
            *req.headers_mut() = request.headers;
            let result: Result<Received, TransportError> = async {
                let resp = client.request(req).await.map_err(|e| {
                    let kind = classify(&e, e.is_connect());
                    TransportError::new(kind, describe(&e)).with_source(e)
                })?;
                let (parts, body) = resp.into_parts();
                if stream {
                    let length = parts
                        .headers
                        .get(http::header::CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let mut body = ByteStream::from_stream(IncomingStream(body));
                    if let Some(n) = length {
                        body = body.with_content_length(n);
                    }
                    return Ok(Received::Streaming(StreamingResponse {
                        status: parts.status.as_u16(),
                        headers: parts.headers,
                        body,
                    }));
                }
                let body = read_body(&parts.headers, body, self.max_body).await?;
                Ok(Received::Buffered(HttpResponse {
                    status: parts.status.as_u16(),
                    headers: parts.headers,
                    body,
                }))
            }
            .await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &result {
                Ok(Received::Buffered(resp)) => tracing::debug!(
                    target: "anvil_runtime::http",
                    %method, host = %host, port, attempt, status = resp.status, elapsed_ms,
                    body_bytes = resp.body.len(), "response received"
                ),
                Ok(Received::Streaming(resp)) => tracing::debug!(
                    target: "anvil_runtime::http",
                    %method, host = %host, port, attempt, status = resp.status, elapsed_ms,
                    "response head received (body streamed)"
                ),
                Err(e) => tracing::debug!(
                    target: "anvil_runtime::http",
                    %method, host = %host, port, attempt, kind = ?e.kind(), elapsed_ms,
                    error = %e, "request failed"
                ),
            }
            result
        }
    }

    impl HttpClient for HyperClient {
        fn send(
            &self,
            request: HttpRequest,
        ) -> crate::BoxFuture<'_, Result<HttpResponse, TransportError>> {
            Box::pin(async move {
                let body = ReqBody::Full(Some(request.body.clone()).filter(|b| !b.is_empty()));
                match self.exchange(request, body, false).await? {
                    Received::Buffered(r) => Ok(r),
                    Received::Streaming(r) => r.into_buffered(self.max_body).await,
                }
            })
        }

        /// Streams both bodies; the response body is not subject to the size limit.
        fn send_streaming(
            &self,
            request: HttpRequest,
            body: ByteStream,
        ) -> crate::BoxFuture<'_, Result<StreamingResponse, TransportError>> {
            Box::pin(async move {
                let mut body = body;
                let body = match body.take_bytes() {
                    Some(b) => ReqBody::Full(Some(b).filter(|b| !b.is_empty())),
                    None => ReqBody::Stream(body),
                };
                match self.exchange(request, body, true).await? {
                    Received::Streaming(r) => Ok(r),
                    Received::Buffered(r) => Ok(r.into()),
                }
            })
        }
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

    #[cfg(feature = "https")]
    mod hyper {
        use super::*;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        use tokio::net::TcpListener;

        /// Serves one canned raw HTTP response per connection, after reading the request head.
        async fn serve(raw: &'static [u8]) -> String {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(async move {
                while let Ok((mut s, _)) = listener.accept().await {
                    tokio::spawn(async move {
                        let mut buf = vec![0u8; 4096];
                        let mut seen = Vec::new();
                        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            match s.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => seen.extend_from_slice(&buf[..n]),
                            }
                        }
                        let _ = s.write_all(raw).await;
                        let _ = s.shutdown().await;
                    });
                }
            });
            format!("http://{addr}/")
        }

        fn get(url: &str) -> HttpRequest {
            HttpRequest::new(Method::GET, url)
        }

        #[test]
        fn declared_length_over_the_limit_is_refused_before_reading() {
            block_on(async {
                let url = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\n\r\nabc").await;
                let client = HyperClient::new().max_response_body(1024);
                assert_eq!(client.max_response_body_size(), 1024);
                let err = client.send(get(&url)).await.expect_err("too large");
                assert!(err.is_response_too_large(), "{err:?}");
            });
        }

        #[test]
        fn chunked_body_over_the_limit_is_refused_while_reading() {
            block_on(async {
                let url = serve(
                    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n",
                )
                .await;
                let err = HyperClient::new()
                    .max_response_body(15)
                    .send(get(&url))
                    .await
                    .expect_err("16 bytes > 15");
                assert!(err.is_response_too_large(), "{err:?}");
                let ok = HyperClient::new()
                    .max_response_body(16)
                    .send(get(&url))
                    .await
                    .expect("16 bytes fit");
                assert_eq!(&ok.body[..], b"0123456789abcdef");
                assert_eq!(ok.status, 200);
            });
        }

        #[test]
        fn streamed_responses_are_not_limited_and_bodies_stream_out() {
            block_on(async {
                let url = serve(
                    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n",
                )
                .await;
                let client = HyperClient::new().max_response_body(4);
                let mut req = get(&url);
                req.method = Method::POST;
                let body = ByteStream::from_stream(futures_body());
                let resp = client
                    .send_streaming(req, body)
                    .await
                    .expect("streamed: no limit");
                assert_eq!(resp.status, 200);
                assert!(resp.is_success());
                let body = resp.body.collect().await.expect("body");
                assert_eq!(&body[..], b"0123456789abcdef");
                // Buffering it again applies a limit.
                let resp = client
                    .send_streaming(get(&url), ByteStream::empty())
                    .await
                    .expect("head");
                let err = resp.into_buffered(15).await.expect_err("16 > 15");
                assert!(err.is_response_too_large(), "{err:?}");
            });
        }

        /// A request body of two chunks, of unknown length.
        fn futures_body()
        -> impl futures_core::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send {
            struct Two(u8);
            impl futures_core::Stream for Two {
                type Item = Result<bytes::Bytes, std::io::Error>;
                fn poll_next(
                    mut self: std::pin::Pin<&mut Self>,
                    _: &mut std::task::Context<'_>,
                ) -> std::task::Poll<Option<Self::Item>> {
                    self.0 += 1;
                    std::task::Poll::Ready(
                        (self.0 <= 2).then(|| Ok(bytes::Bytes::from_static(b"part"))),
                    )
                }
            }
            Two(0)
        }

        #[test]
        fn default_limit_is_sixteen_mebibytes() {
            assert_eq!(
                HyperClient::default().max_response_body_size(),
                16 * 1024 * 1024
            );
        }
    }
}
