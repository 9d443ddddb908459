//! Hostile responses against the real transport (`HyperClient` over 127.0.0.1): a body over
//! the configured maximum, an endless body, JSON nested 100,000 deep and a slow drip are each
//! refused with a typed error — no OOM, no stack overflow, no hang.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anvil_clients::workspacesweb;
use anvil_runtime::credentials::Credentials;
use anvil_runtime::error::TimeoutKind;
use anvil_runtime::http::{DEFAULT_MAX_RESPONSE_BODY, HyperClient};
use anvil_runtime::{Config, SdkError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PORTAL: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555";

/// How the server answers every request.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// 200 with a JSON string body of this many bytes and its `content-length`.
    Sized(usize),
    /// 200, chunked, 64 KiB chunks until the client hangs up.
    Endless,
    /// `status` with a body of `depth` `[` (and `prefix` before them).
    Nested {
        status: u16,
        prefix: &'static str,
        depth: usize,
    },
    /// 200 with `content-length: 1000`, then one byte every 200 ms.
    Drip,
}

/// Starts a server answering every request with `answer`; returns its URL and a counter of
/// requests received.
async fn server(answer: Answer) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut stream = stream;
                while read_request(&mut stream).await {
                    seen.fetch_add(1, Ordering::SeqCst);
                    if !respond(&mut stream, answer).await {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

/// Reads one request (head and `content-length` body); false at end of stream.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

/// Writes the answer; false when the connection is done.
async fn respond(stream: &mut TcpStream, answer: Answer) -> bool {
    match answer {
        Answer::Sized(len) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
            );
            let mut body = vec![b'a'; len];
            if let Some(first) = body.first_mut() {
                *first = b'"';
            }
            if let Some(last) = body.last_mut() {
                *last = b'"';
            }
            stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(&body).await.is_ok()
        }
        Answer::Endless => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let mut chunk = b"10000\r\n".to_vec();
            chunk.extend(std::iter::repeat_n(b'[', 0x10000));
            chunk.extend_from_slice(b"\r\n");
            // Until the client hangs up; bounded so a broken client cannot wedge the test.
            for _ in 0..100_000 {
                if stream.write_all(&chunk).await.is_err() {
                    return false;
                }
            }
            false
        }
        Answer::Nested {
            status,
            prefix,
            depth,
        } => {
            let mut body = prefix.as_bytes().to_vec();
            body.extend(std::iter::repeat_n(b'[', depth));
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(&body).await.is_ok()
        }
        Answer::Drip => {
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            for _ in 0..1000 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if stream.write_all(b" ").await.is_err() {
                    return false;
                }
            }
            true
        }
    }
}

fn builder(url: &str) -> anvil_runtime::client::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDEXAMPLE", "limits-secret", None))
}

async fn call(
    config: &Config,
) -> Result<String, SdkError<workspacesweb::error::CreateIdentityProviderError>> {
    workspacesweb::Client::new(config)
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("limits")
        .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/metadata")
        .send()
        .await
        .map(|out| out.identity_provider_arn)
}

fn too_large<E: std::fmt::Debug>(result: Result<String, SdkError<E>>, limit: usize) {
    match result {
        Err(SdkError::Transport(t)) => {
            assert!(t.is_response_too_large(), "{t:?}");
            assert!(t.to_string().contains(&limit.to_string()), "{t}");
        }
        other => panic!("expected a response-too-large transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_body_over_the_configured_maximum_is_refused_and_not_retried() {
    let limit = 64 * 1024;
    let (url, requests) = server(Answer::Sized(limit + 1)).await;
    let config = builder(&url)
        .http_client(HyperClient::new().max_response_body(limit))
        .max_attempts(3)
        .build();
    too_large(call(&config).await, limit);
    assert_eq!(requests.load(Ordering::SeqCst), 1, "refusal is not retried");

    // At the limit exactly, the body is read (and fails later, as it is not an object).
    let (url, _) = server(Answer::Sized(limit)).await;
    let config = builder(&url)
        .http_client(HyperClient::new().max_response_body(limit))
        .max_attempts(1)
        .build();
    match call(&config).await {
        Err(SdkError::Response(_)) => {}
        other => panic!("a body at the limit is read, then rejected as not an object: {other:?}"),
    }
}

#[tokio::test]
async fn an_endless_body_stops_at_the_default_maximum() {
    let (url, requests) = server(Answer::Endless).await;
    let config = builder(&url).max_attempts(3).build();
    let started = Instant::now();
    too_large(call(&config).await, DEFAULT_MAX_RESPONSE_BODY);
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// Runs `f` on a thread with a small stack, so an unbounded recursion would overflow it.
fn on_small_stack<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no overflow");
}

#[test]
fn json_nested_100k_deep_is_a_typed_error_not_a_stack_overflow() {
    on_small_stack(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            for (status, prefix) in [
                (200, ""),
                (200, r#"{"identityProviderArn":"#),
                (400, r#"{"__type":"ValidationException","fieldList":"#),
                (409, ""),
            ] {
                let (url, _) = server(Answer::Nested {
                    status,
                    prefix,
                    depth: 100_000,
                })
                .await;
                let config = builder(&url).max_attempts(1).build();
                match call(&config).await {
                    Err(SdkError::Response(e)) => {
                        assert!(!e.to_string().is_empty());
                    }
                    // An error status whose body cannot be parsed is still an error, typed.
                    Err(SdkError::Service(e)) => assert!(status >= 400, "{e:?}"),
                    other => {
                        panic!("HTTP {status} {prefix}: expected a typed error, got {other:?}")
                    }
                }
            }
        });
    });
}

#[tokio::test]
async fn a_slow_drip_hits_the_attempt_timeout() {
    let (url, requests) = server(Answer::Drip).await;
    let limit = Duration::from_millis(1500);
    let config = builder(&url).attempt_timeout(limit).max_attempts(1).build();
    let started = Instant::now();
    match call(&config).await {
        Err(SdkError::Timeout(t)) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.after(), limit);
        }
        other => panic!("expected an attempt timeout, got {other:?}"),
    }
    let took = started.elapsed();
    assert!(took >= limit && took < limit * 3, "{took:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}
