//! End-to-end tests of the default transport and the request pipeline against a tiny
//! HTTP/1.1 server on 127.0.0.1 that records requests and replays scripted responses.
#![cfg(feature = "https")]

use anvil_runtime::client::{Config, Handle, OperationMeta, ServiceMeta};
use anvil_runtime::error::{SdkError, TimeoutKind};
use anvil_runtime::http::{HttpClient, HttpRequest, HyperClient};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with the next request.
#[derive(Clone)]
enum Action {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: &'static str,
        delay: Duration,
    },
    /// Close the connection with a TCP reset instead of answering.
    Reset,
}

fn respond(status: u16, body: &'static str) -> Action {
    Action::Respond {
        status,
        headers: Vec::new(),
        body,
        delay: Duration::ZERO,
    }
}

#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct Server {
    addr: std::net::SocketAddr,
    script: Arc<Mutex<VecDeque<Action>>>,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<Mutex<usize>>,
}

impl Server {
    async fn start(script: Vec<Action>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server {
            addr: listener.local_addr().unwrap(),
            script: Arc::new(Mutex::new(script.into())),
            recorded: Arc::new(Mutex::new(Vec::new())),
            connections: Arc::new(Mutex::new(0)),
        };
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                *s.connections.lock().unwrap() += 1;
                let s = s.clone();
                tokio::spawn(async move { s.serve(stream).await });
            }
        });
        server
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    async fn serve(&self, mut stream: TcpStream) {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            // Read the head.
            let head_end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                let mut chunk = [0u8; 4096];
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut request_line = lines.next().unwrap().split(' ');
            let method = request_line.next().unwrap().to_owned();
            let target = request_line.next().unwrap().to_owned();
            let headers: Vec<(String, String)> = lines
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let (n, v) = l.split_once(':').unwrap();
                    (n.trim().to_owned(), v.trim().to_owned())
                })
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            while buf.len() < head_end + len {
                let mut chunk = [0u8; 4096];
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let body = buf[head_end..head_end + len].to_vec();
            buf.drain(..head_end + len);
            self.recorded.lock().unwrap().push(Recorded {
                method,
                target,
                headers,
                body,
            });
            let action = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| respond(599, "script exhausted"));
            match action {
                Action::Reset => {
                    // Zero linger makes the close a TCP reset; it does not block.
                    #[allow(deprecated)]
                    let _ = stream.set_linger(Some(Duration::ZERO));
                    return;
                }
                Action::Respond {
                    status,
                    headers,
                    body,
                    delay,
                } => {
                    tokio::time::sleep(delay).await;
                    let mut out =
                        format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                    for (n, v) in headers {
                        out.push_str(&format!("{n}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    out.push_str(body);
                    if stream.write_all(out.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

static SERVICE: ServiceMeta = ServiceMeta {
    sdk_id: "Local Test",
    signing_name: "localtest",
    endpoint_prefix: "localtest",
    api_version: "2024-01-01",
    endpoint_rules: None,
    env_name: "LOCAL_TEST",
    shape_name: "",
    protocols: &[],
    query_compatible: false,
    xml_namespace: None,
};

static OP: OperationMeta = OperationMeta {
    name: "Ping",
    retryable_errors: &[],
    throttling_errors: &[],
    request_compression: &[],
    unsigned: false,
};

fn handle(
    server: &Server,
    configure: impl FnOnce(anvil_runtime::client::ConfigBuilder) -> anvil_runtime::client::ConfigBuilder,
) -> Handle {
    let builder = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.url());
    Handle::new(&configure(builder).build(), &SERVICE)
}

fn get(path: &str) -> HttpRequest {
    HttpRequest::new(http::Method::GET, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_client_round_trip_and_connection_reuse() {
    let server = Server::start(vec![
        Action::Respond {
            status: 201,
            headers: vec![("x-reply", "yes".to_owned())],
            body: "{\"ok\":true}",
            delay: Duration::ZERO,
        },
        respond(200, "second"),
    ])
    .await;
    let client = HyperClient::new();
    let mut req = HttpRequest::new(http::Method::PUT, format!("{}/items/1?x=y", server.url()));
    req.headers
        .insert("x-custom", http::HeaderValue::from_static("abc"));
    req.headers
        .insert("content-length", http::HeaderValue::from_static("5"));
    req.body = bytes::Bytes::from_static(b"hello");
    let resp = client.send(req).await.unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.header("x-reply"), Some("yes"));
    assert_eq!(&resp.body[..], b"{\"ok\":true}");
    // hyper hands the connection back to its pool asynchronously once the body is read; give
    // it a moment so the second request can find it (reuse, not timing, is under test).
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let resp = client
        .send(HttpRequest::new(
            http::Method::GET,
            format!("{}/again", server.url()),
        ))
        .await
        .unwrap();
    assert_eq!(&resp.body[..], b"second");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].target.as_str()),
        ("PUT", "/items/1?x=y")
    );
    assert_eq!(reqs[0].header("x-custom"), Some("abc"));
    assert_eq!(reqs[0].body, b"hello");
    assert_eq!(reqs[1].target, "/again");
    assert_eq!(
        server.connections(),
        1,
        "the pooled connection should be reused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handle_send_uses_endpoint_override_and_sets_headers() {
    let server = Server::start(vec![respond(200, "{}")]).await;
    let h = handle(&server, |b| b);
    let mut req = HttpRequest::new(http::Method::POST, "/portals?maxResults=5");
    req.body = bytes::Bytes::from_static(b"{\"a\":1}");
    let resp = h.send::<()>(&OP, req).await.unwrap();
    assert_eq!(resp.status, 200);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "/portals?maxResults=5");
    assert_eq!(
        reqs[0].header("host"),
        Some(server.addr.to_string().as_str())
    );
    assert_eq!(reqs[0].header("content-length"), Some("7"));
    assert_eq!(reqs[0].body, b"{\"a\":1}");
    // No credentials provider configured: the request goes out unsigned.
    assert_eq!(reqs[0].header("authorization"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_then_success_is_retried() {
    let server = Server::start(vec![respond(500, "{}"), respond(200, "done")]).await;
    let resp = handle(&server, |b| b)
        .send::<()>(&OP, get("/"))
        .await
        .unwrap();
    assert_eq!((resp.status, &resp.body[..]), (200, &b"done"[..]));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].header("amz-sdk-request"), Some("attempt=2; max=3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_honours_retry_after() {
    let server = Server::start(vec![
        Action::Respond {
            status: 429,
            headers: vec![("retry-after", "1".to_owned())],
            body: "{}",
            delay: Duration::ZERO,
        },
        respond(200, "ok"),
    ])
    .await;
    let started = Instant::now();
    let resp = handle(&server, |b| b)
        .send::<()>(&OP, get("/"))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_attempts_one_disables_retries() {
    let server = Server::start(vec![respond(503, "busy"), respond(200, "never")]).await;
    let resp = handle(&server, |b| b.max_attempts(1))
        .send::<()>(&OP, get("/"))
        .await
        .unwrap();
    assert_eq!((resp.status, &resp.body[..]), (503, &b"busy"[..]));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempt_timeout_fires_and_is_retried() {
    let slow = Action::Respond {
        status: 200,
        headers: Vec::new(),
        body: "slow",
        delay: Duration::from_secs(3),
    };
    // One attempt: the timeout is the result.
    let server = Server::start(vec![slow.clone()]).await;
    let started = Instant::now();
    let err = handle(&server, |b| {
        b.max_attempts(1)
            .attempt_timeout(Duration::from_millis(200))
    })
    .send::<()>(&OP, get("/"))
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match err {
        SdkError::Timeout(t) => assert_eq!(t.kind(), TimeoutKind::Attempt),
        other => panic!("{other:?}"),
    }
    // Two attempts: the second, fast one succeeds.
    let server = Server::start(vec![slow, respond(200, "fast")]).await;
    let resp = handle(&server, |b| {
        b.max_attempts(2)
            .attempt_timeout(Duration::from_millis(200))
    })
    .send::<()>(&OP, get("/"))
    .await
    .unwrap();
    assert_eq!(&resp.body[..], b"fast");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_timeout_bounds_all_attempts() {
    let server = Server::start(vec![respond(503, ""); 10]).await;
    let err = handle(&server, |b| {
        b.max_attempts(10)
            .operation_timeout(Duration::from_millis(300))
    })
    .send::<()>(&OP, get("/"))
    .await;
    // Backoff is random: either the timeout fires, or (rarely) all ten attempts fit.
    match err {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), TimeoutKind::Operation),
        Ok(resp) => assert_eq!(resp.status, 503),
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_reset_is_retried() {
    let server = Server::start(vec![Action::Reset, respond(200, "after reset")]).await;
    let resp = handle(&server, |b| b)
        .send::<()>(&OP, get("/"))
        .await
        .unwrap();
    assert_eq!(&resp.body[..], b"after reset");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_reset_without_retries_is_an_io_error() {
    let server = Server::start(vec![Action::Reset]).await;
    let err = handle(&server, |b| b.max_attempts(1))
        .send::<()>(&OP, get("/"))
        .await
        .unwrap_err();
    match err {
        SdkError::Transport(t) => assert!(t.is_io(), "{t}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection_is_a_connect_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = Config::builder()
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .max_attempts(2)
        .build();
    let err = Handle::new(&config, &SERVICE)
        .send::<()>(&OP, get("/"))
        .await
        .unwrap_err();
    match err {
        SdkError::Transport(t) => assert!(t.is_connect(), "{t}"),
        other => panic!("{other:?}"),
    }
}
