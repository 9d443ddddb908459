//! HTTP/2 in the default transport: requests with `require_http2` (h2c over `http://`, `h2`
//! through ALPN over TLS), full-duplex streaming, cancellation, flow-control backpressure and
//! the stalled-stream exemption of `event_stream` requests, against servers on 127.0.0.1
//! built on the `h2` crate (the one hyper uses), started by the tests.
//!
//! Needs the `http2` feature. The runtime's dev-dependency on itself enables it for every
//! build of its tests, so `cargo test --workspace` (CI) and `cargo test -p anvil-runtime`
//! run this file.
#![cfg(feature = "http2")]

use anvil_runtime::http::{
    HttpClient, HttpRequest, HyperClient, StalledStreamProtection, StreamingResponse,
};
use anvil_runtime::stream::ByteStream;
use bytes::Bytes;
use http::{Method, Version};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The servers' flow-control windows (stream and connection): 1 MiB.
const WINDOW: u32 = 1024 * 1024;

/// Bounds every test: a transport that hangs fails the test instead of blocking it.
async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("the test finished in time")
}

/// Awaits `f` for at most `secs` seconds, naming `what` if it takes longer.
async fn within<F: std::future::Future>(secs: u64, what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// What the server does with each HTTP/2 request.
#[derive(Clone)]
enum Behaviour {
    /// Answers `200` with the request's version (`HTTP/2.0`).
    Hello,
    /// Answers `200` at once, then echoes each request DATA chunk as a response chunk and
    /// ends the response when the request ends; reports how the request body ended.
    Echo,
    /// Answers `200` at once and never reads the request body.
    Hold,
    /// Answers `200`, sends `a`, waits, sends `b` and ends.
    Pause(Duration),
    /// Reads the whole request body, then answers `200` with its length.
    Drain,
}

/// A server on 127.0.0.1 speaking HTTP/2 with prior knowledge (h2c) and HTTP/1.1 on the
/// same port.
struct Server {
    url: String,
    /// The version of every request, in order.
    versions: Arc<Mutex<Vec<Version>>>,
    /// HTTP/2 connections accepted.
    h2_connections: Arc<AtomicUsize>,
    /// How each echoed request body ended: `Ok` (its end) or the error (a reset).
    outcomes: mpsc::UnboundedReceiver<Result<(), String>>,
}

struct Shared {
    behaviour: Behaviour,
    versions: Arc<Mutex<Vec<Version>>>,
    h2_connections: Arc<AtomicUsize>,
    outcomes: mpsc::UnboundedSender<Result<(), String>>,
}

async fn server(behaviour: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let (outcomes_tx, outcomes) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        behaviour,
        versions: Arc::default(),
        h2_connections: Arc::default(),
        outcomes: outcomes_tx,
    });
    let server = Server {
        url,
        versions: shared.versions.clone(),
        h2_connections: shared.h2_connections.clone(),
        outcomes,
    };
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(connection(tcp, shared.clone()));
        }
    });
    server
}

/// Serves one connection: HTTP/2 if it opens with the HTTP/2 preface, else HTTP/1.1.
async fn connection(tcp: TcpStream, shared: Arc<Shared>) {
    let mut first = [0u8; 3];
    loop {
        match tcp.peek(&mut first).await {
            Ok(0) | Err(_) => return,
            Ok(n) if n >= 3 => break,
            Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    if &first == b"PRI" {
        shared.h2_connections.fetch_add(1, Ordering::SeqCst);
        serve_h2(tcp, shared).await;
    } else {
        serve_http1(tcp, shared).await;
    }
}

/// Answers each HTTP/1.1 request (no body expected) with its version.
async fn serve_http1(mut tcp: TcpStream, shared: Arc<Shared>) {
    loop {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match tcp.read(&mut byte).await {
                Ok(0) | Err(_) => return,
                Ok(_) => head.push(byte[0]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let version = head.lines().next().unwrap_or_default().rsplit(' ').next();
        let version = match version {
            Some("HTTP/1.1") => Version::HTTP_11,
            _ => Version::HTTP_10,
        };
        lock(&shared.versions).push(version);
        let body = format!("{version:?}");
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if tcp.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Serves the HTTP/2 requests of one connection (plain or TLS).
async fn serve_h2<T: AsyncRead + AsyncWrite + Unpin>(io: T, shared: Arc<Shared>) {
    let mut builder = h2::server::Builder::new();
    builder
        .initial_window_size(WINDOW)
        .initial_connection_window_size(WINDOW);
    let Ok(mut conn) = builder.handshake::<_, Bytes>(io).await else {
        return;
    };
    while let Some(Ok((req, respond))) = conn.accept().await {
        lock(&shared.versions).push(req.version());
        tokio::spawn(handle(req, respond, shared.clone()));
    }
}

type Respond = h2::server::SendResponse<Bytes>;

async fn handle(req: http::Request<h2::RecvStream>, mut respond: Respond, shared: Arc<Shared>) {
    let version = req.version();
    let mut body = req.into_body();
    let ok = http::Response::new(());
    match shared.behaviour.clone() {
        Behaviour::Hello => {
            if let Ok(mut send) = respond.send_response(ok, false) {
                let _ = send.send_data(Bytes::from(format!("{version:?}")), true);
            }
        }
        Behaviour::Echo => {
            let Ok(mut send) = respond.send_response(ok, false) else {
                return;
            };
            let outcome = echo(&mut body, &mut send).await;
            let _ = shared.outcomes.send(outcome);
        }
        Behaviour::Hold => {
            let _send = respond.send_response(ok, false);
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(body);
        }
        Behaviour::Pause(pause) => {
            let Ok(mut send) = respond.send_response(ok, false) else {
                return;
            };
            let _ = send.send_data(Bytes::from_static(b"a"), false);
            tokio::time::sleep(pause).await;
            let _ = send.send_data(Bytes::from_static(b"b"), true);
        }
        Behaviour::Drain => {
            let mut total = 0;
            while let Some(Ok(chunk)) = body.data().await {
                total += chunk.len();
                let _ = body.flow_control().release_capacity(chunk.len());
            }
            if let Ok(mut send) = respond.send_response(ok, false) {
                let _ = send.send_data(Bytes::from(total.to_string()), true);
            }
        }
    }
}

/// Echoes each chunk of `body` on `send` until it ends (then ends the response) or fails.
async fn echo(body: &mut h2::RecvStream, send: &mut h2::SendStream<Bytes>) -> Result<(), String> {
    loop {
        match body.data().await {
            None => {
                let _ = send.send_data(Bytes::new(), true);
                return Ok(());
            }
            Some(Err(e)) => return Err(e.to_string()),
            Some(Ok(chunk)) => {
                let _ = body.flow_control().release_capacity(chunk.len());
                if send.send_data(chunk, false).is_err() {
                    return Err("the response stream failed".into());
                }
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A request that requires HTTP/2.
fn h2_request(method: Method, url: &str) -> HttpRequest {
    let mut req = HttpRequest::new(method, url);
    req.require_http2 = true;
    req
}

/// An event-stream request (HTTP/2, exempt from stalled-stream protection).
fn event_stream_request(url: &str) -> HttpRequest {
    let mut req = h2_request(Method::POST, url);
    req.event_stream = true;
    req
}

/// A request body fed through a channel: each message is one chunk; dropping the sender
/// ends the body.
struct Channel(mpsc::Receiver<Bytes>);

impl futures_core::Stream for Channel {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

fn channel_body() -> (mpsc::Sender<Bytes>, ByteStream) {
    let (tx, rx) = mpsc::channel(1);
    (tx, ByteStream::from_stream(Channel(rx)))
}

/// Reads `len` bytes from a streamed response body (however the frames split them).
async fn read_exactly(body: &mut ByteStream, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < len {
        let chunk = within(5, "a response chunk", body.next())
            .await
            .expect("the body goes on")
            .expect("the body reads");
        out.extend_from_slice(&chunk);
    }
    out
}

#[tokio::test]
async fn require_http2_over_http_is_h2c_and_other_requests_stay_http1() {
    bounded(async {
        let server = server(Behaviour::Hello).await;
        let client = HyperClient::new();
        let plain = client
            .send(HttpRequest::new(Method::GET, &server.url))
            .await
            .expect("an HTTP/1.1 exchange");
        assert_eq!(&plain.body[..], b"HTTP/1.1");
        for _ in 0..2 {
            let h2 = client
                .send(h2_request(Method::GET, &server.url))
                .await
                .expect("an h2c exchange");
            assert_eq!(h2.status, 200);
            assert_eq!(&h2.body[..], b"HTTP/2.0");
        }
        let streamed = client
            .send_streaming(h2_request(Method::POST, &server.url), ByteStream::empty())
            .await
            .expect("a streamed h2c exchange");
        let body = streamed.body.collect().await.expect("body");
        assert_eq!(&body[..], b"HTTP/2.0");
        assert_eq!(
            *lock(&server.versions),
            [
                Version::HTTP_11,
                Version::HTTP_2,
                Version::HTTP_2,
                Version::HTTP_2
            ]
        );
        assert_eq!(
            server.h2_connections.load(Ordering::SeqCst),
            1,
            "the HTTP/2 connection is pooled and shared"
        );
    })
    .await;
}

#[tokio::test]
async fn send_streaming_is_full_duplex_over_http2() {
    bounded(async {
        let mut server = server(Behaviour::Echo).await;
        let client = HyperClient::new();
        let (tx, body) = channel_body();
        let resp = within(
            5,
            "the response head while the request body is open",
            client.send_streaming(event_stream_request(&server.url), body),
        )
        .await
        .expect("the response head");
        assert_eq!(resp.status, 200);
        let mut body = resp.body;
        for i in 0..5 {
            let chunk = Bytes::from(format!("event {i}"));
            tx.send(chunk.clone())
                .await
                .expect("the request body is read");
            let echoed = read_exactly(&mut body, chunk.len()).await;
            assert_eq!(
                echoed,
                chunk,
                "the echo of event {i} before event {}",
                i + 1
            );
        }
        drop(tx);
        let end = within(5, "the end of the response", body.next()).await;
        assert!(
            end.is_none(),
            "the response ends after the request: {end:?}"
        );
        let outcome = within(5, "the server's outcome", server.outcomes.recv()).await;
        assert_eq!(outcome, Some(Ok(())), "the request body ended cleanly");
        assert_eq!(*lock(&server.versions), [Version::HTTP_2]);
    })
    .await;
}

#[tokio::test]
async fn dropping_the_response_body_cancels_the_exchange() {
    bounded(async {
        let mut server = server(Behaviour::Echo).await;
        let client = HyperClient::new();
        let (tx, body) = channel_body();
        let resp: StreamingResponse = client
            .send_streaming(event_stream_request(&server.url), body)
            .await
            .expect("the response head");
        let mut body = resp.body;
        tx.send(Bytes::from_static(b"one")).await.expect("sent");
        assert_eq!(read_exactly(&mut body, 3).await, b"one");
        drop(body);
        let outcome = within(5, "the server sees the stream end", server.outcomes.recv())
            .await
            .expect("an outcome");
        let reason = outcome.expect_err("the stream is reset, not ended cleanly");
        assert!(!reason.is_empty());
        within(5, "the request body is dropped", tx.closed()).await;
        assert!(tx.send(Bytes::from_static(b"two")).await.is_err());
        // The connection survives the reset: another exchange goes through.
        let (tx, body) = channel_body();
        let resp = client
            .send_streaming(event_stream_request(&server.url), body)
            .await
            .expect("a second exchange");
        let mut body = resp.body;
        tx.send(Bytes::from_static(b"again")).await.expect("sent");
        assert_eq!(read_exactly(&mut body, 5).await, b"again");
        assert_eq!(server.h2_connections.load(Ordering::SeqCst), 1);
    })
    .await;
}

/// Offers `left` chunks of 64 KiB, counting those pulled.
struct Producer {
    pulled: Arc<AtomicUsize>,
    left: usize,
    chunk: Bytes,
}

impl futures_core::Stream for Producer {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left -= 1;
        self.pulled.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(Some(Ok(self.chunk.clone())))
    }
}

/// The count once it has not changed for 300 ms.
async fn settle(count: &AtomicUsize) -> usize {
    let mut last = count.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = count.load(Ordering::SeqCst);
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::test]
async fn the_request_body_is_read_only_as_fast_as_flow_control_allows() {
    bounded(async {
        const CHUNK: usize = 64 * 1024;
        let server = server(Behaviour::Hold).await;
        let client = HyperClient::new();
        let pulled = Arc::new(AtomicUsize::new(0));
        let producer = Producer {
            pulled: pulled.clone(),
            left: 1024, // 64 MiB
            chunk: Bytes::from(vec![0u8; CHUNK]),
        };
        let resp = client
            .send_streaming(
                event_stream_request(&server.url),
                ByteStream::from_stream(producer),
            )
            .await
            .expect("the response head");
        let settled = within(10, "the producer stops being polled", settle(&pulled)).await;
        assert!(settled >= 1, "the body was started");
        assert!(
            settled * CHUNK <= 4 * 1024 * 1024,
            "{settled} chunks of 64 KiB pulled against a 1 MiB window"
        );
        drop(resp);
    })
    .await;
}

fn short_grace() -> HyperClient {
    HyperClient::builder()
        .stalled_stream_protection(
            StalledStreamProtection::enabled().with_grace_period(Duration::from_millis(200)),
        )
        .build()
        .expect("client")
}

#[tokio::test]
async fn event_streams_are_exempt_from_stalled_stream_protection_on_download() {
    bounded(async {
        let server = server(Behaviour::Pause(Duration::from_millis(700))).await;
        let client = short_grace();
        let resp = client
            .send_streaming(h2_request(Method::POST, &server.url), ByteStream::empty())
            .await
            .expect("the response head");
        let err = resp
            .into_buffered(1024)
            .await
            .expect_err("a normal request stalls");
        assert!(err.is_stalled(), "{err:?}");
        let resp = client
            .send_streaming(event_stream_request(&server.url), ByteStream::empty())
            .await
            .expect("the response head");
        let resp = resp.into_buffered(1024).await.expect("not stalled");
        assert_eq!(&resp.body[..], b"ab");
    })
    .await;
}

/// A body of `a`, a pause, then `b`.
fn pausing_body(pause: Duration) -> ByteStream {
    let (tx, body) = channel_body();
    tokio::spawn(async move {
        let _ = tx.send(Bytes::from_static(b"a")).await;
        tokio::time::sleep(pause).await;
        let _ = tx.send(Bytes::from_static(b"b")).await;
    });
    body
}

#[tokio::test]
async fn event_streams_are_exempt_from_stalled_stream_protection_on_upload() {
    bounded(async {
        let server = server(Behaviour::Drain).await;
        let client = short_grace();
        let pause = Duration::from_millis(700);
        let err = client
            .send_streaming(h2_request(Method::POST, &server.url), pausing_body(pause))
            .await
            .expect_err("a normal upload stalls");
        assert!(err.is_stalled(), "{err:?}");
        let resp = client
            .send_streaming(event_stream_request(&server.url), pausing_body(pause))
            .await
            .expect("not stalled");
        let body = resp.body.collect().await.expect("body");
        assert_eq!(&body[..], b"2");
    })
    .await;
}

#[path = "support/tls_server.rs"]
mod tls_server;
use tls_server::{server_config, with_ca};

/// A TLS server (the fixture certificate) whose ALPN list is `alpn`, serving HTTP/2 on
/// connections that negotiated `h2`; returns its port.
async fn tls_server(alpn: &[&[u8]]) -> (u16, Arc<Mutex<Vec<Version>>>) {
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(alpn));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (outcomes, _) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        behaviour: Behaviour::Hello,
        versions: Arc::default(),
        h2_connections: Arc::default(),
        outcomes,
    });
    let versions = shared.versions.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, shared) = (acceptor.clone(), shared.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                    serve_h2(tls, shared).await;
                }
            });
        }
    });
    (port, versions)
}

#[tokio::test]
async fn require_http2_over_tls_offers_only_h2() {
    bounded(async {
        // The server prefers http/1.1: it picks h2 only if the client offers nothing else.
        let (port, versions) = tls_server(&[b"http/1.1", b"h2"]).await;
        let resp = with_ca()
            .send(h2_request(
                Method::GET,
                &format!("https://localhost:{port}/"),
            ))
            .await
            .expect("an HTTP/2 exchange over TLS");
        assert_eq!(&resp.body[..], b"HTTP/2.0");
        assert_eq!(*lock(&versions), [Version::HTTP_2]);
    })
    .await;
}

#[tokio::test]
async fn a_tls_server_that_does_not_agree_to_h2_fails_the_request_clearly() {
    bounded(async {
        let (port, _) = tls_server(&[]).await;
        let url = format!("https://localhost:{port}/");
        let err = with_ca()
            .send(h2_request(Method::GET, &url))
            .await
            .expect_err("no ALPN: no HTTP/2");
        assert!(err.is_other(), "not retried: {err:?}");
        assert!(
            err.to_string().contains("did not agree to it through ALPN"),
            "{err}"
        );
        // A server that supports only http/1.1 refuses the handshake itself.
        let (port, _) = tls_server(&[b"http/1.1"]).await;
        let url = format!("https://localhost:{port}/");
        within(
            10,
            "the refusal",
            with_ca().send(h2_request(Method::GET, &url)),
        )
        .await
        .expect_err("no common ALPN protocol");
    })
    .await;
}
