//! HTTP request and response values, and the transport trait.

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

/// Sends HTTP requests: the transport under a client.
///
/// The request `uri` is absolute; the response body is read fully.
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends one request and reads the whole response.
    fn send(
        &self,
        request: HttpRequest,
    ) -> crate::BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// Why a transport failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection could not be established (DNS, refused, TLS handshake, connect timeout).
    Connect,
    /// The connection failed mid-exchange (reset, closed early, broken pipe).
    Io,
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

    /// Whether the error is neither of the above.
    pub fn is_other(&self) -> bool {
        self.kind == TransportErrorKind::Other
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Io => "connection error",
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
    use super::{HttpClient, HttpRequest, HttpResponse, TransportError, TransportErrorKind};
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;
    use std::fmt;
    use std::sync::Arc;
    use std::time::Duration;

    type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

    /// The default transport: hyper 1 with connection pooling, HTTP/1.1, over plain TCP or
    /// TLS (rustls with ring, Mozilla's root certificates from `webpki-roots`).
    ///
    /// Cloning shares the connection pool.
    #[derive(Clone)]
    pub struct HyperClient {
        client: Result<Client<Connector, Full<Bytes>>, Arc<str>>,
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
            }
        }
    }

    impl Default for HyperClient {
        fn default() -> Self {
            Self::new()
        }
    }

    impl fmt::Debug for HyperClient {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("HyperClient").finish_non_exhaustive()
        }
    }

    fn build(timeout: Option<Duration>) -> Result<Client<Connector, Full<Bytes>>, String> {
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
            if let Some(h) = e.downcast_ref::<hyper::Error>() {
                if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                    return TransportErrorKind::Io;
                }
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

    impl HttpClient for HyperClient {
        fn send(
            &self,
            request: HttpRequest,
        ) -> crate::BoxFuture<'_, Result<HttpResponse, TransportError>> {
            Box::pin(async move {
                let client = self
                    .client
                    .as_ref()
                    .map_err(|e| TransportError::other(e.to_string()))?;
                let uri: http::Uri = request
                    .uri
                    .parse()
                    .map_err(|e| TransportError::other("invalid request URI").with_source(e))?;
                let mut req = http::Request::new(Full::new(request.body));
                *req.method_mut() = request.method;
                *req.uri_mut() = uri;
                *req.headers_mut() = request.headers;
                let resp = client.request(req).await.map_err(|e| {
                    let kind = classify(&e, e.is_connect());
                    TransportError::new(kind, describe(&e)).with_source(e)
                })?;
                let (parts, body) = resp.into_parts();
                let body = body.collect().await.map_err(|e| {
                    let kind = match classify(&e, false) {
                        TransportErrorKind::Other => TransportErrorKind::Io,
                        k => k,
                    };
                    TransportError::new(
                        kind,
                        format!("reading the response body: {}", describe(&e)),
                    )
                    .with_source(e)
                })?;
                Ok(HttpResponse {
                    status: parts.status.as_u16(),
                    headers: parts.headers,
                    body: body.to_bytes(),
                })
            })
        }
    }
}

/// A transport for tests: replays scripted responses and records requests.
pub mod test {
    use super::{HttpClient, HttpRequest, HttpResponse, TransportError};
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex, MutexGuard};

    #[derive(Debug, Default)]
    struct Inner {
        responses: VecDeque<HttpResponse>,
        requests: Vec<HttpRequest>,
    }

    /// Replays `responses` in order, one per request, recording each request. Once the
    /// responses are used up, every request fails with a [`TransportError`].
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
                    requests: Vec::new(),
                })),
            }
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
            let next = {
                let mut inner = self.lock();
                inner.requests.push(request);
                inner.responses.pop_front()
            };
            Box::pin(async move {
                next.ok_or_else(|| {
                    TransportError::other("ReplayClient: no more scripted responses")
                })
            })
        }
    }
}
