//! The HTTP/2-only pool (feature `http2`) used for requests with
//! [`HttpRequest::require_http2`](super::HttpRequest::require_http2): hyper-util's legacy
//! client with `http2_only`, over a connector that offers only `h2` through ALPN and
//! refuses a TLS connection on which the server did not agree to it. Plain `http://`
//! connections speak HTTP/2 with prior knowledge (h2c).
//!
//! Through a proxy, HTTPS targets are tunnelled (`CONNECT`) and negotiate `h2` with the
//! origin; a plain-HTTP target is spoken to the proxy in HTTP/2 with prior knowledge, which
//! only a proxy that understands h2c accepts.

use super::hyper::ReqBody;
use super::proxy::{ProxyConnector, ProxyStream};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::Connection;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower_service::Service;

type Inner = HttpsConnector<ProxyConnector>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The HTTP/2-only pool.
pub(super) type H2Client = Client<RequireH2, ReqBody>;

/// The HTTP/2-only pool over `tls` (whose ALPN list is replaced by `h2`) and `proxy`.
pub(super) fn client(tls: rustls::ClientConfig, proxy: ProxyConnector) -> H2Client {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http2()
        .wrap_connector(proxy);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .http2_only(true)
        .build(RequireH2(https))
}

/// Whether `err` (a request error) is a server's refusal of HTTP/2 ([`NoH2`]).
pub(super) fn is_refusal(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<NoH2>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The server's TLS handshake did not select `h2` through ALPN.
#[derive(Debug)]
pub(super) struct NoH2;

impl fmt::Display for NoH2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the request requires HTTP/2 but the server did not agree to it through ALPN \
             (it offered no `h2`)",
        )
    }
}

impl std::error::Error for NoH2 {}

/// A connector that fails TLS connections whose negotiated protocol is not `h2`.
#[derive(Clone)]
pub(super) struct RequireH2(Inner);

impl Service<http::Uri> for RequireH2 {
    type Response = MaybeHttpsStream<ProxyStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connecting = self.0.call(uri);
        Box::pin(async move {
            let stream = connecting.await?;
            match &stream {
                MaybeHttpsStream::Https(_) if !stream.connected().is_negotiated_h2() => {
                    Err(Box::new(NoH2) as BoxError)
                }
                _ => Ok(stream),
            }
        })
    }
}
