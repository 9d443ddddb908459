//! HTTP proxies: which requests use one ([`ProxyConfig`]), and the connector that reaches
//! the origin through it.
//!
//! Proxy URLs are parsed, and `NO_PROXY` entries without a port matched, by hyper-util's
//! `client::proxy::matcher` (curl's rules); entries with a port (`host:8080`, `[::1]:8443`)
//! are matched here, since hyper-util ignores ports. HTTPS targets go through an HTTP
//! `CONNECT` tunnel (hyper-util's `Tunnel`); plain-HTTP targets are sent to the proxy in
//! absolute form.

use crate::credentials::Env;
use http::{HeaderValue, Uri};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which requests go through an HTTP proxy, and which one.
///
/// Empty by default (every request is direct). [`ProxyConfig::from_env`] reads the usual
/// variables: `HTTPS_PROXY` / `https_proxy` for HTTPS targets, `HTTP_PROXY` / `http_proxy`
/// for plain-HTTP targets, `ALL_PROXY` / `all_proxy` for either when its own is unset, and
/// `NO_PROXY` / `no_proxy`: a comma-separated list of hosts that bypass the proxy, each a
/// host name (which also matches its subdomains; a leading dot is optional), an IP address,
/// a CIDR block, or `*` (everything), optionally with a `:port` (then only that port
/// bypasses it).
///
/// Only `http://` proxies are supported (a URL without a scheme is taken as `http://`);
/// a request whose proxy has another scheme fails with a connect error. Credentials in the
/// proxy URL (`http://user:password@proxy:3128`) are sent as `Proxy-Authorization: Basic`;
/// they appear in no `Debug` output, error or log.
///
/// ```
/// use anvil_runtime::credentials::Env;
/// use anvil_runtime::http::ProxyConfig;
///
/// let env = Env::from_vars([
///     ("HTTPS_PROXY", "http://proxy.internal:3128"),
///     ("NO_PROXY", "localhost,.internal,10.0.0.0/8"),
/// ]);
/// let proxy = ProxyConfig::from_env(&env);
/// assert!(proxy.proxies("https://s3.amazonaws.com/"));
/// assert!(!proxy.proxies("https://db.internal/"));
/// assert!(!proxy.proxies("http://s3.amazonaws.com/"), "HTTP_PROXY is not set");
/// ```
#[derive(Clone, Default)]
pub struct ProxyConfig {
    http: String,
    https: String,
    all: String,
    no_proxy: String,
    matcher: Option<Arc<Matcher>>,
    /// `NO_PROXY` entries with a port.
    no_proxy_ports: Vec<PortRule>,
    /// `NO_PROXY` has `*` (hyper-util's matcher applies it to host names only, not to IP
    /// addresses).
    no_proxy_all: bool,
}

impl ProxyConfig {
    /// No proxy: every request is direct.
    pub fn none() -> Self {
        ProxyConfig::default()
    }

    /// The proxy settings of `env` (see the type's documentation). An invalid proxy URL is
    /// ignored with a warning that names the variable (not its value).
    pub fn from_env(env: &Env) -> Self {
        let first = |names: [&str; 2]| {
            names.iter().find_map(|name| {
                let value = env.get(name)?;
                let value = value.trim().to_owned();
                if value.is_empty() {
                    return None;
                }
                if names[0] != "NO_PROXY" && parse_proxy_url(&value).is_none() {
                    tracing::warn!(
                        target: "anvil_runtime::http",
                        "ignoring the invalid proxy URL in {name}"
                    );
                    return None;
                }
                Some(value)
            })
        };
        let mut config = ProxyConfig {
            http: first(["HTTP_PROXY", "http_proxy"]).unwrap_or_default(),
            https: first(["HTTPS_PROXY", "https_proxy"]).unwrap_or_default(),
            all: first(["ALL_PROXY", "all_proxy"]).unwrap_or_default(),
            no_proxy: first(["NO_PROXY", "no_proxy"]).unwrap_or_default(),
            ..ProxyConfig::default()
        };
        config.rebuild();
        config
    }

    /// The proxy for plain-HTTP targets (builder style).
    pub fn http(mut self, url: impl Into<String>) -> Self {
        self.http = url.into();
        self.rebuild();
        self
    }

    /// The proxy for HTTPS targets (builder style).
    pub fn https(mut self, url: impl Into<String>) -> Self {
        self.https = url.into();
        self.rebuild();
        self
    }

    /// The proxy for targets whose scheme has none of its own (builder style).
    pub fn all(mut self, url: impl Into<String>) -> Self {
        self.all = url.into();
        self.rebuild();
        self
    }

    /// The hosts that bypass the proxy, in `NO_PROXY` syntax (builder style).
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = list.into();
        self.rebuild();
        self
    }

    /// Whether any proxy is configured.
    pub fn is_enabled(&self) -> bool {
        self.matcher.is_some()
    }

    /// Whether a request to `url` would go through a proxy (`false` for an invalid URL).
    pub fn proxies(&self, url: &str) -> bool {
        url.parse::<Uri>()
            .ok()
            .is_some_and(|uri| self.intercept(&uri).is_some())
    }

    fn rebuild(&mut self) {
        let (portless, rules) = split_no_proxy(&self.no_proxy);
        self.no_proxy_ports = rules;
        self.no_proxy_all = portless.split(',').any(|e| e == "*");
        self.matcher = if self.http.trim().is_empty()
            && self.https.trim().is_empty()
            && self.all.trim().is_empty()
        {
            None
        } else {
            Some(Arc::new(
                Matcher::builder()
                    .http(self.http.trim().to_owned())
                    .https(self.https.trim().to_owned())
                    .all(self.all.trim().to_owned())
                    .no(portless)
                    .build(),
            ))
        };
    }

    /// The proxy for `dst`, if it goes through one.
    pub(crate) fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        if self.no_proxy_all {
            return None;
        }
        let intercept = self.matcher.as_ref()?.intercept(dst)?;
        let host = dst.host()?;
        let port = dst
            .port_u16()
            .unwrap_or(if dst.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        if self.no_proxy_ports.iter().any(|r| r.matches(host, port)) {
            return None;
        }
        Some(intercept)
    }
}

impl fmt::Debug for ProxyConfig {
    /// Shows the proxies without their credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |url: &str| parse_proxy_url(url).map(|i| i.uri().to_string());
        f.debug_struct("ProxyConfig")
            .field("http", &show(&self.http))
            .field("https", &show(&self.https))
            .field("all", &show(&self.all))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// The proxy URL parsed (credentials split off), or `None` if it is not one.
fn parse_proxy_url(url: &str) -> Option<Intercept> {
    let dummy = Uri::from_static("http://anvil.invalid/");
    Matcher::builder()
        .all(url.trim().to_owned())
        .build()
        .intercept(&dummy)
}

/// A `NO_PROXY` entry with a port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PortRule {
    /// Lowercase, without a leading dot or IPv6 brackets.
    host: String,
    port: u16,
}

impl PortRule {
    fn matches(&self, host: &str, port: u16) -> bool {
        if port != self.port {
            return false;
        }
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_ascii_lowercase();
        let host = host.strip_suffix('.').unwrap_or(&host);
        if host == self.host {
            return true;
        }
        host.parse::<std::net::IpAddr>().is_err()
            && host
                .strip_suffix(self.host.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    }
}

/// Splits a `NO_PROXY` list into the entries without a port (for hyper-util's matcher) and
/// those with one.
fn split_no_proxy(list: &str) -> (String, Vec<PortRule>) {
    let mut portless: Vec<String> = Vec::new();
    let mut rules = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry.parse::<std::net::IpAddr>().is_ok() {
            portless.push(entry.to_owned());
            continue;
        }
        if let Some(inner) = entry.strip_prefix('[') {
            match inner.split_once(']') {
                Some((ip, "")) => portless.push(ip.to_owned()),
                Some((ip, rest)) => match rest.strip_prefix(':').and_then(|p| p.parse().ok()) {
                    Some(port) => rules.push(PortRule {
                        host: ip.to_ascii_lowercase(),
                        port,
                    }),
                    None => portless.push(entry.to_owned()),
                },
                None => portless.push(entry.to_owned()),
            }
            continue;
        }
        match entry.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => match port.parse::<u16>() {
                Ok(port) => {
                    let host = host.trim_start_matches('.').to_ascii_lowercase();
                    rules.push(PortRule { host, port });
                }
                Err(_) => portless.push(entry.to_owned()),
            },
            _ => portless.push(entry.to_owned()),
        }
    }
    (portless.join(","), rules)
}

/// Connects directly, to the proxy (plain-HTTP targets), or through a `CONNECT` tunnel
/// (HTTPS targets). Wrapped by the TLS connector, which then speaks TLS to the origin.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    proxy: Arc<ProxyConfig>,
    /// Bounds the `CONNECT` exchange (the TCP connect has its own timeout).
    timeout: Option<Duration>,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, proxy: ProxyConfig, timeout: Option<Duration>) -> Self {
        ProxyConnector {
            http,
            proxy: Arc::new(proxy),
            timeout,
        }
    }
}

/// A connection from [`ProxyConnector`]: a TCP stream, marked as proxied when requests on
/// it must use the absolute form.
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    absolute_form: bool,
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let Some(intercept) = self.proxy.intercept(&dst) else {
            let connecting = self.http.call(dst);
            return Box::pin(async move {
                let io = connecting.await?;
                Ok(ProxyStream {
                    io,
                    absolute_form: false,
                })
            });
        };
        let proxy_uri = intercept.uri().clone();
        if proxy_uri.scheme_str() != Some("http") {
            let scheme = proxy_uri.scheme_str().unwrap_or_default().to_owned();
            return Box::pin(async move {
                Err(format!(
                    "unsupported proxy scheme {scheme:?}: only http:// proxies are supported"
                )
                .into())
            });
        }
        if dst.scheme_str() == Some("https") {
            let mut tunnel = Tunnel::new(proxy_uri, self.http.clone());
            if let Some(auth) = intercept.basic_auth() {
                tunnel = tunnel.with_auth(auth.clone());
            }
            let connecting = tunnel.call(dst);
            let timeout = self.timeout;
            return Box::pin(async move {
                let io = match timeout {
                    Some(t) => tokio::time::timeout(t, connecting).await.map_err(|_| {
                        format!("the proxy's CONNECT tunnel was not set up within {t:?}")
                    })??,
                    None => connecting.await?,
                };
                Ok(ProxyStream {
                    io,
                    absolute_form: false,
                })
            });
        }
        let connecting = self.http.call(proxy_uri);
        Box::pin(async move {
            let io = connecting.await?;
            Ok(ProxyStream {
                io,
                absolute_form: true,
            })
        })
    }
}

/// The `Proxy-Authorization` value for a plain-HTTP request to `dst` sent through a proxy
/// with credentials (HTTPS requests carry it in the `CONNECT` request instead).
pub(crate) fn http_proxy_authorization(proxy: &ProxyConfig, dst: &Uri) -> Option<HeaderValue> {
    if dst.scheme_str() != Some("http") {
        return None;
    }
    let mut value = proxy.intercept(dst)?.basic_auth()?.clone();
    value.set_sensitive(true);
    Some(value)
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.absolute_form)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyConfig {
        ProxyConfig::from_env(&Env::from_vars(vars.iter().copied()))
    }

    #[test]
    fn no_variables_means_no_proxy() {
        let p = env(&[]);
        assert!(!p.is_enabled());
        assert!(!p.proxies("https://example.com/"));
        assert!(!p.proxies("http://example.com/"));
    }

    #[test]
    fn scheme_specific_variables_and_all_proxy() {
        let p = env(&[("HTTPS_PROXY", "http://p:3128")]);
        assert!(p.proxies("https://example.com/"));
        assert!(!p.proxies("http://example.com/"));
        let p = env(&[("http_proxy", "p:3128")]);
        assert!(p.proxies("http://example.com/"));
        assert!(!p.proxies("https://example.com/"));
        let p = env(&[("ALL_PROXY", "http://p:1"), ("HTTPS_PROXY", "http://q:2")]);
        let https = p
            .intercept(&Uri::from_static("https://e.com/"))
            .expect("https");
        assert_eq!(https.uri().authority().map(|a| a.as_str()), Some("q:2"));
        let http = p
            .intercept(&Uri::from_static("http://e.com/"))
            .expect("all");
        assert_eq!(http.uri().authority().map(|a| a.as_str()), Some("p:1"));
    }

    #[test]
    fn uppercase_wins_and_invalid_urls_are_ignored() {
        let p = env(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:2"),
        ]);
        let i = p
            .intercept(&Uri::from_static("https://e.com/"))
            .expect("proxied");
        assert_eq!(i.uri().host(), Some("upper"));
        let p = env(&[
            ("HTTPS_PROXY", "not a url"),
            ("https_proxy", "http://lower:2"),
        ]);
        let i = p
            .intercept(&Uri::from_static("https://e.com/"))
            .expect("falls back to the lowercase one");
        assert_eq!(i.uri().host(), Some("lower"));
    }

    #[test]
    fn no_proxy_hosts_suffixes_ips_and_star() {
        let p = env(&[
            ("HTTPS_PROXY", "http://p:3128"),
            ("HTTP_PROXY", "http://p:3128"),
            (
                "NO_PROXY",
                "localhost, .internal,example.org,127.0.0.1,::1,10.0.0.0/8",
            ),
        ]);
        for direct in [
            "https://localhost/",
            "https://db.internal/",
            "https://internal/",
            "https://example.org/",
            "https://www.example.org:8443/",
            "http://127.0.0.1:8080/",
            "http://[::1]:8080/",
            "https://10.1.2.3/",
        ] {
            assert!(!p.proxies(direct), "{direct} bypasses the proxy");
        }
        for proxied in [
            "https://notexample.org/",
            "https://example.org.evil.com/",
            "https://127.0.0.2/",
            "https://11.0.0.1/",
            "http://s3.amazonaws.com/",
        ] {
            assert!(p.proxies(proxied), "{proxied} goes through the proxy");
        }
        let star = env(&[("HTTPS_PROXY", "http://p:3128"), ("no_proxy", "a.com, *")]);
        assert!(!star.proxies("https://anything.example/"));
        assert!(!star.proxies("https://192.0.2.1/"), "IP addresses too");
    }

    #[test]
    fn no_proxy_entries_with_ports() {
        let p = env(&[
            ("HTTPS_PROXY", "http://p:3128"),
            ("HTTP_PROXY", "http://p:3128"),
            (
                "NO_PROXY",
                "example.com:8443,.corp:80,127.0.0.1:9000,[::1]:9001",
            ),
        ]);
        assert!(!p.proxies("https://example.com:8443/"));
        assert!(!p.proxies("https://api.example.com:8443/"));
        assert!(p.proxies("https://example.com/"), "port 443 is not 8443");
        assert!(!p.proxies("http://x.corp/"), "default port 80");
        assert!(p.proxies("https://x.corp/"));
        assert!(!p.proxies("http://127.0.0.1:9000/"));
        assert!(p.proxies("http://127.0.0.1:9001/"));
        assert!(!p.proxies("http://[::1]:9001/"));
        assert_eq!(
            split_no_proxy("a:1, b ,[::1],::2,[::3]:4,fd00::/8"),
            (
                "b,::1,::2,fd00::/8".to_owned(),
                vec![
                    PortRule {
                        host: "a".into(),
                        port: 1
                    },
                    PortRule {
                        host: "::3".into(),
                        port: 4
                    }
                ]
            )
        );
    }

    #[test]
    fn credentials_become_basic_auth_and_stay_out_of_debug() {
        let p = ProxyConfig::none().all("http://Aladdin:open%20sesame@proxy.local:8080");
        let dst = Uri::from_static("http://example.com/");
        let auth = http_proxy_authorization(&p, &dst).expect("auth");
        // base64("Aladdin:open sesame")
        assert_eq!(
            auth.to_str().ok(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        assert!(auth.is_sensitive());
        assert_eq!(
            http_proxy_authorization(&p, &Uri::from_static("https://example.com/")),
            None,
            "HTTPS requests carry it in CONNECT"
        );
        let debug = format!("{p:?}");
        assert!(debug.contains("proxy.local:8080"), "{debug}");
        assert!(
            !debug.contains("sesame") && !debug.contains("Aladdin"),
            "{debug}"
        );
    }
}
