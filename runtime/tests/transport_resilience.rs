//! The default transport's connect timeout and stalled-stream protection, against servers on
//! 127.0.0.1 that these tests start (and that misbehave on purpose).
#![cfg(feature = "https")]

use anvil_runtime::ByteStream;
use anvil_runtime::client::Config;
use anvil_runtime::http::{
    DEFAULT_CONNECT_TIMEOUT, HttpClient, HttpRequest, HyperClient, StalledStreamProtection,
    TransportError,
};
use bytes::Bytes;
use http::Method;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Bounds every test: a transport that hangs fails the test instead of blocking it.
async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("the test finished in time")
}

/// What a scripted server writes after reading a request head: pieces with pauses before
/// them; the connection is then held open (silently) for `hold`.
#[derive(Clone)]
struct Script {
    pieces: Vec<(Duration, &'static [u8])>,
    hold: Duration,
}

/// Serves `script` on every connection; reads only the request head.
async fn serve(script: Script) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let script = script.clone();
            tokio::spawn(async move {
                if read_head(&mut s).await.is_none() {
                    return;
                }
                for (pause, bytes) in script.pieces {
                    tokio::time::sleep(pause).await;
                    if s.write_all(bytes).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(script.hold).await;
            });
        }
    });
    format!("http://{addr}/")
}

async fn read_head(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    Some(seen)
}

fn client(grace: Duration) -> HyperClient {
    HyperClient::new()
        .stalled_stream_protection(StalledStreamProtection::enabled().with_grace_period(grace))
}

fn get(url: &str) -> HttpRequest {
    HttpRequest::new(Method::GET, url)
}

const GRACE: Duration = Duration::from_millis(400);

/// The head and 3 of 10 body bytes, then silence.
fn stalling() -> Script {
    Script {
        pieces: vec![(
            Duration::ZERO,
            b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",
        )],
        hold: Duration::from_secs(15),
    }
}

fn assert_stalled(err: &TransportError, what: &str) {
    assert!(err.is_stalled(), "{err:?}");
    assert!(err.is_io(), "stalls are I/O errors (retried): {err:?}");
    let text = err.to_string();
    assert!(text.contains("stalled"), "{text}");
    assert!(text.contains(what), "{text}");
    assert!(text.contains("no data for 400ms"), "{text}");
}

#[test]
fn default_connect_timeout_is_3_1_seconds_and_no_attempt_timeout() {
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_millis(3100));
    assert_eq!(
        HyperClient::new().connect_timeout(),
        Some(DEFAULT_CONNECT_TIMEOUT)
    );
    assert_eq!(
        HyperClient::with_connect_timeout(None).connect_timeout(),
        Some(DEFAULT_CONNECT_TIMEOUT)
    );
    assert_eq!(
        HyperClient::builder()
            .no_connect_timeout()
            .build()
            .expect("client")
            .connect_timeout(),
        None
    );
    // The client's default transport.
    let config = Config::builder().build();
    let transport = format!("{:?}", config.http_client().expect("default transport"));
    assert!(
        transport.contains("connect_timeout: Some(3.1s)"),
        "{transport}"
    );
    assert!(
        transport.contains("enabled: true, grace_period: 5s"),
        "stalled-stream protection on by default: {transport}"
    );
    assert_eq!(config.attempt_timeout(), None);
    let config = Config::builder()
        .connect_timeout(Duration::from_millis(250))
        .stalled_stream_protection(StalledStreamProtection::disabled())
        .build();
    let transport = format!("{:?}", config.http_client().expect("default transport"));
    assert!(
        transport.contains("connect_timeout: Some(250ms)"),
        "{transport}"
    );
    assert!(transport.contains("enabled: false"), "{transport}");
    assert_eq!(
        config.stalled_stream_protection(),
        Some(StalledStreamProtection::disabled())
    );
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connection
/// attempt gets no answer (a blackhole on loopback).
async fn blackhole() -> (SocketAddr, tokio::net::TcpListener, Vec<TcpStream>) {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("addr");
    let mut fillers = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => fillers.push(s),
            Ok(Err(e)) => panic!("filling the backlog: {e}"),
            Err(_) => break, // unanswered: the queue is full
        }
        assert!(fillers.len() < 64, "the accept queue never filled");
    }
    (addr, listener, fillers)
}

#[tokio::test]
async fn connecting_to_an_unresponsive_address_fails_within_the_timeout() {
    bounded(async {
        let (addr, _listener, _fillers) = blackhole().await;
        let client = HyperClient::builder()
            .connect_timeout(Duration::from_millis(500))
            .build()
            .expect("client");
        let started = Instant::now();
        let err = client
            .send(get(&format!("http://{addr}/")))
            .await
            .expect_err("no answer");
        let elapsed = started.elapsed();
        assert!(err.is_connect(), "{err:?}");
        assert!(
            elapsed >= Duration::from_millis(450) && elapsed < Duration::from_secs(3),
            "failed after {elapsed:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_stalled_buffered_body_fails_after_the_grace_period() {
    bounded(async {
        let url = serve(stalling()).await;
        let started = Instant::now();
        let err = client(GRACE).send(get(&url)).await.expect_err("stalled");
        let elapsed = started.elapsed();
        assert_stalled(&err, "response body");
        assert!(
            elapsed >= GRACE && elapsed < GRACE * 5,
            "failed after {elapsed:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_stalled_streamed_body_fails_after_the_grace_period() {
    bounded(async {
        let url = serve(stalling()).await;
        let resp = client(GRACE)
            .send_streaming(get(&url), ByteStream::empty())
            .await
            .expect("the head arrives");
        assert_eq!(resp.status, 200);
        let mut body = resp.body;
        let first = body.next().await.expect("a chunk").expect("data");
        assert_eq!(&first[..], b"abc");
        let started = Instant::now();
        let err = body
            .next()
            .await
            .expect("an item")
            .expect_err("stalled after 3 bytes");
        assert!(started.elapsed() >= GRACE, "{:?}", started.elapsed());
        let transport = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<TransportError>())
            .expect("the transport's error");
        assert_stalled(transport, "response body");

        // Buffering a streamed body keeps the stall visible.
        let resp = client(GRACE)
            .send_streaming(get(&url), ByteStream::empty())
            .await
            .expect("head");
        let err = resp.into_buffered(1024).await.expect_err("stalled");
        assert_stalled(&err, "response body");
    })
    .await;
}

/// One body byte every 150 ms: slower overall than the grace period, never stalled.
#[tokio::test]
async fn a_slow_but_progressing_body_is_read() {
    bounded(async {
        let tick = Duration::from_millis(150);
        let mut pieces: Vec<(Duration, &'static [u8])> = vec![(
            Duration::ZERO,
            b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n",
        )];
        for b in [&b"s"[..], b"l", b"o", b"w", b"b", b"o", b"d", b"y"] {
            pieces.push((tick, b));
        }
        let url = serve(Script {
            pieces,
            hold: Duration::from_secs(5),
        })
        .await;
        let started = Instant::now();
        let resp = client(GRACE).send(get(&url)).await.expect("slow is fine");
        assert!(started.elapsed() > GRACE * 2, "{:?}", started.elapsed());
        assert_eq!(&resp.body[..], b"slowbody");
    })
    .await;
}

/// A pause longer than the grace period in the middle of the body.
fn pausing() -> Script {
    Script {
        pieces: vec![
            (
                Duration::ZERO,
                b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabc",
            ),
            (Duration::from_millis(1200), b"def"),
        ],
        hold: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn disabled_protection_does_not_fire() {
    bounded(async {
        let url = serve(pausing()).await;
        let err = client(GRACE).send(get(&url)).await.expect_err("on: stalls");
        assert_stalled(&err, "response body");
        let off = HyperClient::new().stalled_stream_protection(StalledStreamProtection::disabled());
        let resp = off.send(get(&url)).await.expect("off: waits");
        assert_eq!(&resp.body[..], b"abcdef");
    })
    .await;
}

/// Time the reader spends away (a slow consumer) is not a stall.
#[tokio::test]
async fn a_slow_consumer_is_not_a_stall() {
    bounded(async {
        let url = serve(Script {
            pieces: vec![
                (
                    Duration::ZERO,
                    b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabc",
                ),
                (Duration::from_millis(100), b"def"),
            ],
            hold: Duration::from_secs(5),
        })
        .await;
        let resp = client(GRACE)
            .send_streaming(get(&url), ByteStream::empty())
            .await
            .expect("head");
        let mut body = resp.body;
        let mut got = Vec::new();
        while let Some(chunk) = body.next().await {
            got.extend_from_slice(&chunk.expect("no stall"));
            tokio::time::sleep(GRACE * 2).await;
        }
        assert_eq!(got, b"abcdef");
    })
    .await;
}

/// A server that reads the request head and never the body nor answers.
async fn sink() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = read_head(&mut s).await;
                tokio::time::sleep(Duration::from_secs(15)).await;
            });
        }
    });
    format!("http://{addr}/")
}

/// Chunks of 64 KiB, 256 MiB in all (far more than the socket buffers hold).
fn big_upload() -> ByteStream {
    struct Chunks(usize);
    impl futures_core::Stream for Chunks {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            self.0 += 1;
            std::task::Poll::Ready((self.0 <= 4096).then(|| Ok(Bytes::from(vec![b'x'; 65536]))))
        }
    }
    ByteStream::from_stream(Chunks(0))
}

#[tokio::test]
async fn a_stalled_upload_fails_after_the_grace_period() {
    bounded(async {
        let url = sink().await;
        let mut req = get(&url);
        req.method = Method::PUT;
        let err = client(GRACE)
            .send_streaming(req, big_upload())
            .await
            .expect_err("the server stopped reading");
        assert_stalled(&err, "request body");
    })
    .await;
}
