//! The default transport: [`HyperClient`], hyper 1 with hyper-util's pooling legacy client
//! over TCP or TLS (rustls with ring), with proxies, extra roots, stalled-stream protection
//! and (feature `http2`) HTTP/2 through ALPN, or HTTP/2 only for requests that require it
//! (`http2.rs`).

use super::cancel::{Cancel, CancelOnDrop};
use super::proxy::{ProxyConnector, http_proxy_authorization};
use super::stalled::{DownloadTimer, UploadProgress, UploadWatch};
use super::{
    DEFAULT_MAX_RESPONSE_BODY, HttpClient, HttpRequest, HttpResponse, ProxyConfig,
    StalledStreamProtection, StreamingResponse, TransportError, TransportErrorKind, tls,
};
use crate::credentials::Env;
use crate::stream::{ByteStream, ByteStreamError};
use bytes::Bytes;
use futures_core::Stream;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

type Connector = hyper_rustls::HttpsConnector<ProxyConnector>;

/// The connect timeout used when none is set: 3.1 s, as the AWS SDKs.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// The default transport: hyper 1 with connection pooling over plain TCP or TLS (rustls
/// with ring; Mozilla's root certificates from `webpki-roots`, plus any configured bundle).
///
/// - Connection attempts give up after [`DEFAULT_CONNECT_TIMEOUT`] unless set otherwise
///   (a TCP connect that fails so is a [`TransportErrorKind::Connect`] error). There is no
///   per-attempt timeout here: the client's `attempt_timeout` is one.
/// - Response bodies are read up to a maximum size ([`DEFAULT_MAX_RESPONSE_BODY`] unless set
///   with [`HyperClient::max_response_body`]); a longer body fails the attempt with a
///   [`TransportErrorKind::ResponseTooLarge`] error and its connection is closed.
/// - [`StalledStreamProtection`] (on by default, 5 s): a response body, buffered or
///   streamed, that yields no data for the grace period while it is being read fails with
///   an error for which [`TransportError::is_stalled`] is true; so does a streamed request
///   body that the connection stops taking (or that produces nothing) for that long before
///   the response arrives. The wait for the response head is not covered.
/// - Proxies from [`ProxyConfig`] (none for [`HyperClient::new`]; the environment's for
///   [`HyperClient::from_env`] and the default client of [`crate::Config`]).
/// - With the `http2` feature, ALPN offers `h2` and `http/1.1` and HTTP/2 is used when the
///   server picks it; HTTP/1.1 only otherwise.
/// - A request with [`HttpRequest::require_http2`] goes over HTTP/2 only, on a pool of its
///   own (same proxies, roots and connect timeout): over TLS ALPN offers just `h2` and a
///   server that does not pick it fails the request (a [`TransportErrorKind::Other`] error,
///   not retried); over plain `http://`, HTTP/2 with prior knowledge (h2c). Without the
///   `http2` feature such a request fails at once with an error naming the feature.
/// - A request with [`HttpRequest::event_stream`] has no stalled-stream protection, on
///   either body.
/// - [`send_streaming`](HttpClient::send_streaming) is full duplex over HTTP/2: the response
///   head and body frames are delivered while the request body is still being produced; the
///   request body is read only as fast as the connection takes it (flow control), and
///   dropping the response body cancels the exchange (the HTTP/2 stream is reset and the
///   request body is no longer read).
///
/// Emits `tracing` events (target `anvil_runtime::http`): `trace` before each request and
/// `debug` after it, with the method, host, port, attempt number, status, elapsed time and
/// body size. Paths, queries, header values, bodies and proxy credentials are never logged:
/// they can carry secrets.
///
/// Requests must run on a Tokio runtime with its time driver enabled (`enable_all` or
/// `enable_time`): the connect timeout and stalled-stream protection use Tokio's timers.
///
/// Cloning shares the connection pool.
#[derive(Clone)]
pub struct HyperClient {
    client: Result<Pools, Arc<str>>,
    max_body: usize,
    connect_timeout: Option<Duration>,
    stalled: StalledStreamProtection,
    proxy: Arc<ProxyConfig>,
    ca_bundles: Arc<[PathBuf]>,
    native_roots: bool,
}

impl HyperClient {
    /// A client with the default settings: a connect timeout of [`DEFAULT_CONNECT_TIMEOUT`],
    /// stalled-stream protection on, no proxy, Mozilla's roots only. The environment is not
    /// read (see [`HyperClient::from_env`]).
    pub fn new() -> Self {
        Self::builder().build_lenient()
    }

    /// A client whose connection attempts give up after `timeout`
    /// ([`DEFAULT_CONNECT_TIMEOUT`] for `None`); otherwise as [`HyperClient::new`].
    pub fn with_connect_timeout(timeout: Option<Duration>) -> Self {
        Self::builder()
            .connect_timeout(timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .build_lenient()
    }

    /// A client configured from the process environment ([`HyperClientBuilder::env`]):
    /// proxies and the CA bundle. An unusable CA bundle is logged as a warning and left out.
    pub fn from_env() -> Self {
        Self::builder().env(&Env::process()).build_lenient()
    }

    /// A builder with the default settings.
    pub fn builder() -> HyperClientBuilder {
        HyperClientBuilder::default()
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

    /// Sets the stalled-stream protection (builder style).
    pub fn stalled_stream_protection(mut self, protection: StalledStreamProtection) -> Self {
        self.stalled = protection;
        self
    }

    /// The stalled-stream protection.
    pub fn stalled_stream_protection_setting(&self) -> StalledStreamProtection {
        self.stalled
    }

    /// The connect timeout (`None`: the operating system's).
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// The proxy settings.
    pub fn proxy(&self) -> &ProxyConfig {
        &self.proxy
    }

    /// Whether HTTP/2 is offered through ALPN (the `http2` feature).
    pub fn offers_http2(&self) -> bool {
        cfg!(feature = "http2")
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
            .field("connect_timeout", &self.connect_timeout)
            .field("stalled_stream_protection", &self.stalled)
            .field("proxy", &self.proxy)
            .field("ca_bundles", &self.ca_bundles)
            .field("native_roots", &self.native_roots)
            .field("http2", &self.offers_http2())
            .finish_non_exhaustive()
    }
}

/// Builds a [`HyperClient`]: `HyperClient::builder()`.
///
/// ```
/// use anvil_runtime::credentials::Env;
/// use anvil_runtime::http::{HyperClient, ProxyConfig, StalledStreamProtection};
/// use std::time::Duration;
///
/// let env = Env::from_vars([("HTTPS_PROXY", "http://proxy.internal:3128")]);
/// let client = HyperClient::builder()
///     .connect_timeout(Duration::from_secs(1))
///     .stalled_stream_protection(StalledStreamProtection::disabled())
///     .proxy(ProxyConfig::from_env(&env))
///     .build()
///     .expect("valid settings");
/// assert_eq!(client.connect_timeout(), Some(Duration::from_secs(1)));
/// assert!(client.proxy().proxies("https://s3.amazonaws.com/"));
/// ```
#[derive(Clone, Debug)]
pub struct HyperClientBuilder {
    connect_timeout: Option<Duration>,
    max_body: usize,
    stalled: StalledStreamProtection,
    proxy: ProxyConfig,
    ca_bundles: Vec<PathBuf>,
    native_roots: bool,
}

impl Default for HyperClientBuilder {
    fn default() -> Self {
        HyperClientBuilder {
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            max_body: DEFAULT_MAX_RESPONSE_BODY,
            stalled: StalledStreamProtection::default(),
            proxy: ProxyConfig::none(),
            ca_bundles: Vec::new(),
            native_roots: cfg!(feature = "native-roots"),
        }
    }
}

impl HyperClientBuilder {
    /// Connection attempts (TCP connect; through a proxy, also its `CONNECT` exchange) give
    /// up after `timeout` (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// No connect timeout beyond the operating system's.
    pub fn no_connect_timeout(mut self) -> Self {
        self.connect_timeout = None;
        self
    }

    /// The largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BODY`]).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The stalled-stream protection (default: on, 5 s).
    pub fn stalled_stream_protection(mut self, protection: StalledStreamProtection) -> Self {
        self.stalled = protection;
        self
    }

    /// The proxies (default: none).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Trusts the certificates of the PEM bundle at `path` besides Mozilla's roots. The file
    /// is read by [`build`](Self::build), which fails if it is unreadable or holds no valid
    /// certificate.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundles.push(path.into());
        self
    }

    /// Whether the platform's root certificates are trusted too (default: with the
    /// `native-roots` feature, yes; without it, asking for them makes
    /// [`build`](Self::build) fail).
    pub fn native_roots(mut self, on: bool) -> Self {
        self.native_roots = on;
        self
    }

    /// Applies the settings of `env`: the proxies ([`ProxyConfig::from_env`]) and the CA
    /// bundle from `AWS_CA_BUNDLE`, else the `ca_bundle` key of the active profile.
    pub fn env(mut self, env: &Env) -> Self {
        self.proxy = ProxyConfig::from_env(env);
        if let Some(path) = crate::credentials::shared_setting(env, "AWS_CA_BUNDLE", "ca_bundle") {
            self.ca_bundles.push(PathBuf::from(path.trim()));
        }
        self
    }

    /// The client. Fails if a CA bundle is unreadable or invalid (the error names the file),
    /// or platform roots are asked for without the `native-roots` feature.
    pub fn build(self) -> Result<HyperClient, TransportError> {
        let mut extra = Vec::with_capacity(self.ca_bundles.len());
        for path in &self.ca_bundles {
            extra.push((path.display().to_string(), tls::load_pem_bundle(path)?));
        }
        let roots = tls::root_store(&extra, self.native_roots)?;
        let client = Pools::new(
            tls::client_config(roots)?,
            self.connect_timeout,
            self.proxy.clone(),
        );
        Ok(HyperClient {
            client: Ok(client),
            max_body: self.max_body,
            connect_timeout: self.connect_timeout,
            stalled: self.stalled,
            proxy: Arc::new(self.proxy),
            ca_bundles: self.ca_bundles.into(),
            native_roots: self.native_roots,
        })
    }

    /// [`build`](Self::build), or on failure a warning and a client without the extra roots
    /// (if that fails too, a client whose requests fail with the error). For the default
    /// clients, which must not fail.
    pub(crate) fn build_lenient(self) -> HyperClient {
        match self.clone().build() {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!(
                    target: "anvil_runtime::http",
                    error = %e,
                    "ignoring the configured root certificates"
                );
                let fallback = HyperClientBuilder {
                    ca_bundles: Vec::new(),
                    native_roots: false,
                    ..self.clone()
                };
                fallback.build().unwrap_or_else(|e| HyperClient {
                    client: Err(Arc::from(e.to_string())),
                    max_body: self.max_body,
                    connect_timeout: self.connect_timeout,
                    stalled: self.stalled,
                    proxy: Arc::new(self.proxy),
                    ca_bundles: Arc::from(Vec::new()),
                    native_roots: false,
                })
            }
        }
    }
}

/// The connection pools: one negotiating the protocol (HTTP/1.1, or HTTP/2 through ALPN
/// with the `http2` feature) and, with the `http2` feature, one for HTTP/2 only.
#[derive(Clone)]
struct Pools {
    any: Client<Connector, ReqBody>,
    #[cfg(feature = "http2")]
    h2: super::http2::H2Client,
}

impl Pools {
    /// Both pools over `tls`, connecting with `timeout` through `proxy`.
    fn new(tls: rustls::ClientConfig, timeout: Option<Duration>, proxy: ProxyConfig) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(timeout);
        http.set_nodelay(true);
        let proxied = ProxyConnector::new(http, proxy, timeout);
        #[cfg(feature = "http2")]
        let h2 = super::http2::client(tls.clone(), proxied.clone());
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        #[cfg(feature = "http2")]
        let builder = builder.enable_all_versions();
        #[cfg(not(feature = "http2"))]
        let builder = builder.enable_http1();
        let any = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(builder.wrap_connector(proxied));
        Pools {
            any,
            #[cfg(feature = "http2")]
            h2,
        }
    }

    /// Starts `req` on the HTTP/2-only pool if `http2` (which needs the `http2` feature: the
    /// caller checked), else on the negotiating one.
    #[cfg_attr(not(feature = "http2"), allow(unused_variables))]
    fn request(&self, req: http::Request<ReqBody>, http2: bool) -> ResponseFuture {
        #[cfg(feature = "http2")]
        if http2 {
            return self.h2.request(req);
        }
        self.any.request(req)
    }
}

/// The error of a request with [`HttpRequest::require_http2`] without the `http2` feature.
fn http2_unavailable() -> TransportError {
    TransportError::other(
        "the request requires HTTP/2, which needs the `http2` feature of anvil-runtime \
         (enable it in Cargo.toml: anvil-runtime = { features = [\"http2\"] })",
    )
}

/// A request error as a [`TransportError`]; a server's refusal of HTTP/2 is `Other` (a
/// retry would fail the same way).
fn request_error(e: hyper_util::client::legacy::Error) -> TransportError {
    #[cfg(feature = "http2")]
    if super::http2::is_refusal(&e) {
        return TransportError::other(describe(&e)).with_source(e);
    }
    let kind = classify(&e, e.is_connect());
    TransportError::new(kind, describe(&e)).with_source(e)
}

/// A request body: whole bytes, or a [`ByteStream`] sent as it is read (its progress
/// recorded for stalled-stream protection; failing once the exchange is cancelled).
pub(super) enum ReqBody {
    Full(Option<Bytes>),
    Stream {
        body: ByteStream,
        progress: Option<Arc<UploadProgress>>,
        started: bool,
        cancel: Option<Arc<Cancel>>,
    },
}

impl ReqBody {
    /// A streamed body, not yet watched nor cancellable.
    fn stream(body: ByteStream) -> Self {
        ReqBody::Stream {
            body,
            progress: None,
            started: false,
            cancel: None,
        }
    }

    /// Makes a streamed body fail once the returned guard is dropped (`None` for bytes).
    fn cancellable(&mut self) -> Option<CancelOnDrop> {
        let ReqBody::Stream { cancel, .. } = self else {
            return None;
        };
        let flag = Cancel::new();
        *cancel = Some(flag.clone());
        Some(CancelOnDrop::new(flag))
    }

    /// Records a streamed body's progress for stalled-stream protection, if it protects
    /// uploads: the watch to poll while the response is awaited.
    fn watch(&mut self, stalled: StalledStreamProtection) -> Option<UploadWatch> {
        match self {
            ReqBody::Stream { progress, .. } if stalled.protects_uploads() => {
                let p = UploadProgress::new();
                *progress = Some(p.clone());
                Some(UploadWatch::new(p, stalled.grace_period()))
            }
            _ => None,
        }
    }
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
            ReqBody::Stream {
                body,
                progress,
                started,
                cancel,
            } => {
                if cancel.as_deref().is_some_and(|c| c.poll_cancelled(cx)) {
                    if let Some(p) = progress.as_deref() {
                        p.finish();
                    }
                    return Poll::Ready(Some(Err(ByteStreamError::new(
                        "the exchange was cancelled: its response was dropped",
                    ))));
                }
                if let Some(p) = progress.as_deref()
                    && !*started
                {
                    *started = true;
                    p.record();
                }
                let polled = Pin::new(body).poll_next(cx);
                if let (Some(p), Poll::Ready(item)) = (progress.as_deref(), &polled) {
                    match item {
                        Some(Ok(chunk)) if chunk.is_empty() => {}
                        Some(Ok(_)) => p.record(),
                        None | Some(Err(_)) => p.finish(),
                    }
                }
                polled.map(|o| o.map(|r| r.map(Frame::data)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ReqBody::Full(b) => b.is_none(),
            ReqBody::Stream { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReqBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            ReqBody::Stream { body, .. } => match body.content_length() {
                Some(n) => SizeHint::with_exact(n),
                None => SizeHint::default(),
            },
        }
    }
}

/// A response body with stalled-stream protection.
struct GuardedBody {
    inner: Incoming,
    timer: Option<DownloadTimer>,
}

impl GuardedBody {
    fn new(inner: Incoming, protection: StalledStreamProtection) -> Self {
        GuardedBody {
            inner,
            timer: protection.active().map(DownloadTimer::new),
        }
    }

    fn poll_frame(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        if let Some(timer) = &mut self.timer {
            timer.begin_wait();
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(item) => {
                let progressed = match &item {
                    Some(Ok(frame)) => frame.data_ref().is_none_or(|d| !d.is_empty()),
                    _ => true,
                };
                if progressed && let Some(timer) = &mut self.timer {
                    timer.progress();
                }
                Poll::Ready(item.map(|r| r.map_err(body_error)))
            }
            Poll::Pending => match &mut self.timer {
                Some(timer) => {
                    if timer.poll_expired(cx) {
                        Poll::Ready(Some(Err(TransportError::stalled(
                            "the response body",
                            timer.grace(),
                        ))))
                    } else {
                        Poll::Pending
                    }
                }
                None => Poll::Pending,
            },
        }
    }
}

/// A response body as a stream of data chunks (trailers skipped). Dropping it cancels the
/// exchange (the guard), which stops a request body still being sent.
struct IncomingStream {
    body: GuardedBody,
    _cancel: Option<CancelOnDrop>,
}

impl Stream for IncomingStream {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match self.body.poll_frame(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
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
    TransportError::new(kind, format!("reading the response body: {}", describe(&e))).with_source(e)
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
    mut body: GuardedBody,
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
    while let Some(frame) = std::future::poll_fn(|cx| body.poll_frame(cx)).await {
        let Ok(data) = frame?.into_data() else {
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

/// Awaits `response`, failing with a stall error if the upload `watch` stalls first.
async fn watch_upload<F: Future>(
    response: F,
    watch: Option<UploadWatch>,
) -> Result<F::Output, TransportError> {
    let Some(mut watch) = watch else {
        return Ok(response.await);
    };
    let mut response = std::pin::pin!(response);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = response.as_mut().poll(cx) {
            return Poll::Ready(Ok(r));
        }
        if watch.poll_stalled(cx) {
            return Poll::Ready(Err(TransportError::stalled(
                "the request body",
                watch.grace(),
            )));
        }
        Poll::Pending
    })
    .await
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
    /// unless `stream`, in which case it is handed back unread (dropping it cancels the
    /// exchange).
    async fn exchange(
        &self,
        request: HttpRequest,
        body: ReqBody,
        stream: bool,
    ) -> Result<Received, TransportError> {
        let pools = self
            .client
            .as_ref()
            .map_err(|e| TransportError::other(e.to_string()))?;
        if request.require_http2 && !cfg!(feature = "http2") {
            return Err(http2_unavailable());
        }
        let uri: http::Uri = request
            .uri
            .parse()
            .map_err(|e| TransportError::other("invalid request URI").with_source(e))?;
        let method = request.method.clone();
        let host = uri.host().unwrap_or_default().to_owned();
        let port = uri.port_u16().unwrap_or(0);
        let attempt = attempt_of(&request);
        let proxied = self.proxy.intercept(&uri).is_some();
        let (http2, event_stream) = (request.require_http2, request.event_stream);
        let stalled = if event_stream {
            StalledStreamProtection::disabled()
        } else {
            self.stalled
        };
        let started = Instant::now();
        tracing::trace!(
            target: "anvil_runtime::http",
            %method, host = %host, port, attempt, streaming = stream, proxied, http2,
            event_stream, "sending request"
        );
        let mut body = body;
        let watch = body.watch(stalled);
        let cancel = body.cancellable();
        let req = self.hyper_request(request.method, uri, request.headers, body);
        let result: Result<Received, TransportError> = async {
            let resp = watch_upload(pools.request(req, http2), watch)
                .await?
                .map_err(request_error)?;
            let (parts, body) = resp.into_parts();
            let body = GuardedBody::new(body, stalled);
            if stream {
                return Ok(Received::Streaming(streaming(parts, body, cancel)));
            }
            let body = read_body(&parts.headers, body, self.max_body).await?;
            Ok(Received::Buffered(HttpResponse {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
            }))
        }
        .await;
        log_outcome(&result, &method, &host, port, attempt, started);
        result
    }

    /// The request hyper sends: `headers` get the proxy's credentials for a plain-HTTP
    /// target sent through a proxy that has them.
    fn hyper_request(
        &self,
        method: http::Method,
        uri: http::Uri,
        mut headers: http::HeaderMap,
        body: ReqBody,
    ) -> http::Request<ReqBody> {
        if let Some(auth) = http_proxy_authorization(&self.proxy, &uri)
            && !headers.contains_key(http::header::PROXY_AUTHORIZATION)
        {
            headers.insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        let mut req = http::Request::new(body);
        *req.method_mut() = method;
        *req.uri_mut() = uri;
        *req.headers_mut() = headers;
        req
    }
}

/// Logs the outcome of an exchange (`debug`): never a path, query, header value or body.
fn log_outcome(
    result: &Result<Received, TransportError>,
    method: &http::Method,
    host: &str,
    port: u16,
    attempt: u32,
    started: Instant,
) {
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
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
}

/// A streamed response: `body` unread, cancelling the exchange through `cancel` when
/// dropped.
fn streaming(
    parts: http::response::Parts,
    body: GuardedBody,
    cancel: Option<CancelOnDrop>,
) -> StreamingResponse {
    let length = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let mut body = ByteStream::from_stream(IncomingStream {
        body,
        _cancel: cancel,
    });
    if let Some(n) = length {
        body = body.with_content_length(n);
    }
    StreamingResponse {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
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

    /// Streams both bodies; the response body is not subject to the size limit. Dropping
    /// the response body cancels the exchange (a request body still being sent stops).
    fn send_streaming(
        &self,
        request: HttpRequest,
        body: ByteStream,
    ) -> crate::BoxFuture<'_, Result<StreamingResponse, TransportError>> {
        Box::pin(async move {
            let mut body = body;
            let body = match body.take_bytes() {
                Some(b) => ReqBody::Full(Some(b).filter(|b| !b.is_empty())),
                None => ReqBody::stream(body),
            };
            match self.exchange(request, body, true).await? {
                Received::Streaming(r) => Ok(r),
                Received::Buffered(r) => Ok(r.into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }
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

    #[cfg(not(feature = "http2"))]
    #[test]
    fn requiring_http2_needs_the_feature() {
        block_on(async {
            // Nothing listens on port 9: a request that got as far as connecting would fail
            // with a connect error instead.
            let mut req = get("http://127.0.0.1:9/");
            req.require_http2 = true;
            let client = HyperClient::new();
            let err = client.send(req.clone()).await.expect_err("no http2");
            assert!(err.is_other(), "{err:?}");
            assert!(err.to_string().contains("`http2` feature"), "{err}");
            let body = ByteStream::from_stream(futures_body());
            let err = client
                .send_streaming(req, body)
                .await
                .expect_err("no http2");
            assert!(err.is_other() && err.to_string().contains("`http2` feature"));
        });
    }

    #[test]
    fn default_limit_is_sixteen_mebibytes() {
        assert_eq!(
            HyperClient::default().max_response_body_size(),
            16 * 1024 * 1024
        );
    }

    #[test]
    fn the_lenient_build_drops_an_unusable_bundle() {
        let builder = HyperClient::builder()
            .connect_timeout(Duration::from_secs(1))
            .ca_bundle("/nonexistent/anvil-ca.pem");
        let err = builder.clone().build().expect_err("explicit use fails");
        assert!(
            err.to_string().contains("/nonexistent/anvil-ca.pem"),
            "{err}"
        );
        let client = builder.build_lenient();
        assert!(client.client.is_ok(), "falls back to the default roots");
        assert!(client.ca_bundles.is_empty());
        assert_eq!(client.connect_timeout(), Some(Duration::from_secs(1)));
    }
}
