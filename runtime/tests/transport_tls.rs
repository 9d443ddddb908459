//! The default transport's TLS (extra root certificates, ALPN) and proxies (HTTP `CONNECT`
//! tunnels, absolute-form requests, `NO_PROXY`), against a TLS server with a private CA
//! (`tests/fixtures/`) and a proxy, both on 127.0.0.1 and started by the tests.
#![cfg(feature = "https")]

use anvil_runtime::credentials::Env;
use anvil_runtime::http::{HttpClient, HttpRequest, HyperClient, ProxyConfig};
use http::Method;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[path = "support/tls_server.rs"]
mod tls_server;
use tls_server::{fixture, server_config, with_ca};

/// Bounds every test: a transport that hangs fails the test instead of blocking it.
async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("the test finished in time")
}

/// Reads a request head; returns the request line and the headers.
async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<(String, Vec<(String, String)>)> {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so nothing after the head (a tunnel's TLS bytes) is consumed.
    while !seen.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => seen.push(byte[0]),
        }
    }
    let head = String::from_utf8_lossy(&seen).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some((request_line, headers))
}

/// Answers every request on `s` with `200` and a body naming the request line.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, tag: &str) {
    while let Some((line, _)) = read_head(&mut s).await {
        let body = format!("{tag}: {line}");
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if s.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A TLS server (the fixture certificate) answering HTTP/1.1; returns its port.
async fn tls_server() -> u16 {
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&[b"http/1.1"]));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    answer(tls, "origin").await;
                }
            });
        }
    });
    port
}

/// A plain HTTP/1.1 server; returns its port.
async fn http_server(tag: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(answer(tcp, tag));
        }
    });
    port
}

/// A request line and its `proxy-authorization` value.
type ProxyRequest = (String, Option<String>);

/// What the proxy saw.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<ProxyRequest>>>);

impl Seen {
    fn get(&self) -> Vec<ProxyRequest> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// An HTTP proxy: `CONNECT host:port` opens a tunnel to 127.0.0.1:port; any other request
/// (absolute form) is answered by the proxy itself. Returns its port and its record.
async fn proxy() -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Seen::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                while let Some((line, headers)) = read_head(&mut client).await {
                    let auth = headers
                        .iter()
                        .find(|(n, _)| n == "proxy-authorization")
                        .map(|(_, v)| v.clone());
                    record
                        .0
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((line.clone(), auth));
                    let mut parts = line.split(' ');
                    if parts.next() == Some("CONNECT") {
                        let target = parts.next().unwrap_or_default();
                        let port: u16 = target
                            .rsplit_once(':')
                            .and_then(|(_, p)| p.parse().ok())
                            .unwrap_or(443);
                        let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", port)).await else {
                            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                            return;
                        };
                        if client
                            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                            .await
                            .is_err()
                        {
                            return;
                        }
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                        return;
                    }
                    let body = format!("proxy: {line}");
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if client.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, seen)
}

fn get(url: &str) -> HttpRequest {
    HttpRequest::new(Method::GET, url)
}

#[tokio::test]
async fn a_private_ca_is_unknown_without_the_bundle_and_trusted_with_it() {
    bounded(async {
        let port = tls_server().await;
        let url = format!("https://localhost:{port}/hello");
        let err = HyperClient::new()
            .send(get(&url))
            .await
            .expect_err("webpki roots only");
        assert!(err.is_connect(), "{err:?}");
        assert!(
            err.to_string().contains("UnknownIssuer"),
            "an unknown-issuer error: {err}"
        );

        let resp = with_ca().send(get(&url)).await.expect("trusted");
        assert_eq!(resp.status, 200);
        assert_eq!(&resp.body[..], b"origin: GET /hello HTTP/1.1");
        // The IP address SAN too.
        let resp = with_ca()
            .send(get(&format!("https://127.0.0.1:{port}/ip")))
            .await
            .expect("trusted by IP");
        assert_eq!(&resp.body[..], b"origin: GET /ip HTTP/1.1");
    })
    .await;
}

#[tokio::test]
async fn the_bundle_comes_from_aws_ca_bundle_or_the_profile() {
    bounded(async {
        let port = tls_server().await;
        let url = format!("https://localhost:{port}/env");
        let ca = fixture("ca.pem").display().to_string();
        let env = Env::from_vars([("AWS_CA_BUNDLE", ca.as_str()), ("HOME", "/nonexistent")]);
        let client = HyperClient::builder().env(&env).build().expect("bundle");
        assert!(format!("{client:?}").contains("ca.pem"), "{client:?}");
        client.send(get(&url)).await.expect("AWS_CA_BUNDLE");

        let dir = std::env::temp_dir().join(format!("anvil-tls-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let config = dir.join("config");
        std::fs::write(&config, format!("[default]\nca_bundle = {ca}\n")).expect("config");
        let config = config.display().to_string();
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
            ("HOME", "/nonexistent"),
        ]);
        let client = HyperClient::builder().env(&env).build().expect("bundle");
        client
            .send(get(&url))
            .await
            .expect("the profile's ca_bundle");
    })
    .await;
}

#[test]
fn an_unusable_bundle_is_an_error_naming_the_file() {
    let err = HyperClient::builder()
        .ca_bundle("/nonexistent/bundle.pem")
        .build()
        .expect_err("missing file");
    assert!(err.to_string().contains("/nonexistent/bundle.pem"), "{err}");

    // A PEM file with no certificate (a key only).
    let key = fixture("server.key").display().to_string();
    let env = Env::from_vars([("AWS_CA_BUNDLE", key.as_str()), ("HOME", "/nonexistent")]);
    let err = HyperClient::builder()
        .env(&env)
        .build()
        .expect_err("no certificate");
    assert!(err.to_string().contains("server.key"), "{err}");
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_proxy_credentials() {
    bounded(async {
        let origin = tls_server().await;
        let (proxy_port, seen) = proxy().await;
        let env = Env::from_vars([(
            "HTTPS_PROXY",
            format!("http://user:p%40ss@127.0.0.1:{proxy_port}"),
        )]);
        let proxy = ProxyConfig::from_env(&env);
        let debug = format!("{proxy:?}");
        assert!(
            !debug.contains("p%40ss") && !debug.contains("p@ss"),
            "{debug}"
        );
        let client = HyperClient::builder()
            .ca_bundle(fixture("ca.pem"))
            .proxy(proxy)
            .build()
            .expect("client");
        assert!(!format!("{client:?}").contains("p%40ss"));
        let resp = client
            .send(get(&format!("https://localhost:{origin}/tunneled")))
            .await
            .expect("through the tunnel");
        assert_eq!(&resp.body[..], b"origin: GET /tunneled HTTP/1.1");
        let seen = seen.get();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].0, format!("CONNECT localhost:{origin} HTTP/1.1"));
        // base64("user:p@ss")
        assert_eq!(seen[0].1.as_deref(), Some("Basic dXNlcjpwQHNz"));
    })
    .await;
}

#[tokio::test]
async fn a_refused_tunnel_is_a_connect_error() {
    bounded(async {
        let (proxy_port, _) = proxy().await;
        // Port 1 on loopback: the proxy cannot reach it and answers 502.
        let client = HyperClient::builder()
            .proxy(ProxyConfig::none().https(format!("http://127.0.0.1:{proxy_port}")))
            .build()
            .expect("client");
        let err = client
            .send(get("https://localhost:1/"))
            .await
            .expect_err("502 from the proxy");
        assert!(err.is_connect(), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn a_silent_proxy_or_an_unsupported_one_is_a_connect_error() {
    bounded(async {
        // Accepts connections and never answers the CONNECT request.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        let client = HyperClient::builder()
            .connect_timeout(Duration::from_millis(300))
            .proxy(ProxyConfig::none().https(format!("http://127.0.0.1:{port}")))
            .build()
            .expect("client");
        let started = std::time::Instant::now();
        let err = client
            .send(get("https://localhost:1/"))
            .await
            .expect_err("no CONNECT answer");
        assert!(err.is_connect(), "{err:?}");
        assert!(err.to_string().contains("CONNECT"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );

        let client = HyperClient::builder()
            .proxy(ProxyConfig::none().https("https://user:pw@127.0.0.1:1"))
            .build()
            .expect("client");
        let err = client
            .send(get("https://localhost:1/"))
            .await
            .expect_err("https proxies are not supported");
        assert!(err.is_connect(), "{err:?}");
        assert!(err.to_string().contains("only http:// proxies"), "{err}");
        assert!(!err.to_string().contains("pw"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn plain_http_goes_to_the_proxy_in_absolute_form() {
    bounded(async {
        let (proxy_port, seen) = proxy().await;
        let env = Env::from_vars([(
            "http_proxy",
            format!("http://bob:secret@127.0.0.1:{proxy_port}"),
        )]);
        let client = HyperClient::builder()
            .proxy(ProxyConfig::from_env(&env))
            .build()
            .expect("client");
        // The host does not resolve: only the proxy can answer.
        let resp = client
            .send(get("http://origin.invalid:8080/path?q=1"))
            .await
            .expect("answered by the proxy");
        assert_eq!(
            &resp.body[..],
            b"proxy: GET http://origin.invalid:8080/path?q=1 HTTP/1.1"
        );
        let seen = seen.get();
        assert_eq!(seen.len(), 1, "{seen:?}");
        // base64("bob:secret")
        assert_eq!(seen[0].1.as_deref(), Some("Basic Ym9iOnNlY3JldA=="));
    })
    .await;
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    bounded(async {
        let (proxy_port, seen) = proxy().await;
        let origin = http_server("direct").await;
        let proxy_url = format!("http://127.0.0.1:{proxy_port}");
        for no_proxy in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
            let env = Env::from_vars([("HTTP_PROXY", proxy_url.as_str()), ("NO_PROXY", no_proxy)]);
            let client = HyperClient::builder()
                .proxy(ProxyConfig::from_env(&env))
                .build()
                .expect("client");
            let resp = client
                .send(get(&format!("http://127.0.0.1:{origin}/d")))
                .await
                .expect("direct");
            assert_eq!(
                &resp.body[..],
                b"direct: GET /d HTTP/1.1",
                "NO_PROXY={no_proxy}"
            );
        }
        // With a port: only that port bypasses it.
        let env = Env::from_vars([
            ("HTTP_PROXY", proxy_url.as_str()),
            ("no_proxy", "127.0.0.1:1"),
        ]);
        let client = HyperClient::builder()
            .proxy(ProxyConfig::from_env(&env))
            .build()
            .expect("client");
        let resp = client
            .send(get(&format!("http://127.0.0.1:{origin}/p")))
            .await
            .expect("proxied");
        assert_eq!(
            String::from_utf8_lossy(&resp.body),
            format!("proxy: GET http://127.0.0.1:{origin}/p HTTP/1.1")
        );
        assert_eq!(seen.get().len(), 1, "only the last request was proxied");
    })
    .await;
}

/// Reads one HTTP/2 frame: (type, flags, stream id, payload).
async fn read_frame<S: AsyncRead + Unpin>(s: &mut S) -> Option<(u8, u8, u32, Vec<u8>)> {
    let mut head = [0u8; 9];
    s.read_exact(&mut head).await.ok()?;
    let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).await.ok()?;
    Some((head[3], head[4], stream, payload))
}

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// What the HTTP/2 server saw: the negotiated ALPN protocol, whether the client sent the
/// HTTP/2 connection preface, and the stream of its request's HEADERS frame.
type H2Seen = Arc<Mutex<Option<(Option<Vec<u8>>, bool, Option<u32>)>>>;

/// A TLS server offering `h2` and `http/1.1` through ALPN that speaks just enough HTTP/2
/// (hand-written frames, no HPACK decoding) to answer one request with `200` and `h2 ok`.
async fn h2_server() -> (u16, H2Seen) {
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&[b"h2", b"http/1.1"]));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen: H2Seen = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            return;
        };
        let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
        let mut preface = [0u8; 24];
        let is_h2 = tls.read_exact(&mut preface).await.is_ok()
            && &preface == b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        *record.lock().unwrap_or_else(|e| e.into_inner()) = Some((alpn.clone(), is_h2, None));
        if !is_h2 {
            return;
        }
        // Our SETTINGS (empty).
        if tls.write_all(&frame(4, 0, 0, &[])).await.is_err() {
            return;
        }
        while let Some((kind, flags, stream, _)) = read_frame(&mut tls).await {
            match kind {
                // SETTINGS from the client: acknowledge it.
                4 if flags & 1 == 0 && tls.write_all(&frame(4, 1, 0, &[])).await.is_err() => {
                    return;
                }
                // HEADERS: answer `:status: 200` (HPACK static index 8) and a body.
                1 => {
                    *record.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((alpn.clone(), true, Some(stream)));
                    let mut out = frame(1, 0x4, stream, &[0x88]);
                    out.extend(frame(0, 0x1, stream, b"h2 ok"));
                    if tls.write_all(&out).await.is_err() {
                        return;
                    }
                }
                _ => {}
            }
        }
    });
    (port, seen)
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn http2_is_negotiated_through_alpn() {
    bounded(async {
        let (port, seen) = h2_server().await;
        let client = with_ca();
        assert!(client.offers_http2());
        let resp = client
            .send(get(&format!("https://localhost:{port}/two")))
            .await
            .expect("an HTTP/2 exchange");
        assert_eq!(resp.status, 200);
        assert_eq!(&resp.body[..], b"h2 ok");
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(
            seen,
            Some((Some(b"h2".to_vec()), true, Some(1))),
            "ALPN h2, the HTTP/2 preface, a request on stream 1"
        );
    })
    .await;
}

#[cfg(not(feature = "http2"))]
#[tokio::test]
async fn without_the_http2_feature_only_http1_is_offered() {
    bounded(async {
        let (port, seen) = h2_server().await;
        let client = with_ca();
        assert!(!client.offers_http2());
        // The server offers h2 but the client offers no ALPN: it speaks HTTP/1.1, which this
        // server does not answer.
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            client.send(get(&format!("https://localhost:{port}/one"))),
        )
        .await;
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(
            seen,
            Some((None, false, None)),
            "no ALPN, no HTTP/2 preface"
        );
    })
    .await;
}
