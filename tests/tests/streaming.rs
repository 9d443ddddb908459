//! `@streaming` blob payloads end to end: the `streaming` fixture client (tests/models/
//! streaming.json) against a raw HTTP/1.1 server on 127.0.0.1, through the default hyper
//! transport.
//!
//! | scenario | proves |
//! |---|---|
//! | 64 MiB download | the body is consumed chunk by chunk; the process's peak RSS grows by far less than the body |
//! | upload from a `Stream` | sent chunked, signed `UNSIGNED-PAYLOAD` (signature verified independently), arrives intact |
//! | upload from a file | sent with `content-length` from the file's metadata, intact |
//! | upload from bytes | hashed and signed normally, `content-length` set |
//! | 503 then 200 | an in-memory body is retried; a one-shot stream is not |
//! | 404 on a download | the error body is buffered and parsed into the modeled error |
//! | `@requiresLength` | a stream of unknown length is refused before anything is sent |

mod support;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anvil_runtime::bytes::Bytes;
use anvil_runtime::credentials::Credentials;
use anvil_runtime::{ByteStream, Config, SdkError};
use anvil_tests::streaming::streamingservice as svc;
use ring::digest;
use support::{Recorded, Signer, verify_sigv4};

const ACCESS_KEY: &str = "AKIDSTREAMTEST";
const SECRET_KEY: &str = "stream/test+SECRET";
const REGION: &str = "us-west-2";

/// The download: 1,024 blocks of 64 KiB (64 MiB).
const BLOCK: usize = 64 * 1024;
const BLOCKS: usize = 1024;
const BIG: u64 = (BLOCK * BLOCKS) as u64;

/// Tests share the process's memory figures: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Block `k` of the download: a fixed pattern with `k` in its first 8 bytes.
fn block(k: usize) -> Vec<u8> {
    let mut b: Vec<u8> = (0..BLOCK).map(|i| (i % 251) as u8).collect();
    b[..8].copy_from_slice(&(k as u64).to_le_bytes());
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A request as the server saw it. Bodies are hashed as they arrive; small ones are kept.
#[derive(Clone, Debug)]
struct Seen {
    recorded: Recorded,
    chunked: bool,
    body_len: u64,
    body_sha256: String,
}

/// What the server answers to one request.
#[derive(Clone, Debug)]
enum Answer {
    /// Status, headers and a small body.
    Small(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// 200 with the 64 MiB download, written block by block.
    Big,
}

#[derive(Default)]
struct State {
    script: VecDeque<Answer>,
    seen: Vec<Seen>,
}

struct Server {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    fn start(script: Vec<Answer>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            seen: Vec::new(),
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &state);
                });
            }
        });
        Server { url, state }
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
        let mut ctx = digest::Context::new(&digest::SHA256);
        let mut kept = Vec::new();
        let mut len: u64 = 0;
        let mut take = |data: &[u8]| {
            ctx.update(data);
            len += data.len() as u64;
            if kept.len() < 1024 * 1024 {
                kept.extend_from_slice(data);
            }
        };
        let mut buf = vec![0u8; BLOCK];
        if chunked {
            loop {
                let mut size = String::new();
                reader.read_line(&mut size)?;
                let size = size.trim().split(';').next().unwrap_or("0");
                let mut n = usize::from_str_radix(size, 16).unwrap_or(0);
                if n == 0 {
                    let mut end = String::new();
                    reader.read_line(&mut end)?; // final CRLF (no trailers)
                    break;
                }
                while n > 0 {
                    let k = reader.read(&mut buf[..n.min(BLOCK)])?;
                    if k == 0 {
                        return Ok(());
                    }
                    take(&buf[..k]);
                    n -= k;
                }
                let mut crlf = [0u8; 2];
                reader.read_exact(&mut crlf)?;
            }
        } else {
            let mut n: u64 = header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while n > 0 {
                let want = usize::try_from(n).unwrap_or(BLOCK).min(BLOCK);
                let k = reader.read(&mut buf[..want])?;
                if k == 0 {
                    return Ok(());
                }
                take(&buf[..k]);
                n -= k as u64;
            }
        }
        let body_sha256 = hex(ctx.finish().as_ref());
        let answer = {
            let mut s = state.lock().unwrap();
            s.seen.push(Seen {
                recorded: Recorded {
                    method,
                    target,
                    headers: headers.clone(),
                    body: if len as usize == kept.len() {
                        kept
                    } else {
                        Vec::new()
                    },
                    received: Instant::now(),
                },
                chunked,
                body_len: len,
                body_sha256,
            });
            s.script.pop_front()
        };
        match answer {
            None => return Ok(()),
            Some(Answer::Small(status, extra, body)) => {
                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (n, v) in extra {
                    head.push_str(&format!("{n}: {v}\r\n"));
                }
                head.push_str("\r\n");
                out.write_all(head.as_bytes())?;
                out.write_all(&body)?;
            }
            Some(Answer::Big) => {
                out.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {BIG}\r\n\r\n"
                    )
                    .as_bytes(),
                )?;
                for k in 0..BLOCKS {
                    out.write_all(&block(k))?;
                }
            }
        }
        out.flush()?;
    }
}

fn client(server: &Server, attempts: u32) -> svc::Client {
    svc::Client::new(
        &Config::builder()
            .region(REGION)
            .endpoint_url(&server.url)
            .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
            .max_attempts(attempts)
            .attempt_timeout(Duration::from_secs(30))
            .build(),
    )
}

fn signer() -> Signer<'static> {
    Signer {
        access_key_id: ACCESS_KEY,
        secret_access_key: SECRET_KEY,
        region: REGION,
        service: "streaming",
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// `VmHWM` or `VmRSS` of this process, in KiB.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| {
            v.trim_start_matches(':')
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
}

/// A stream of `count` chunks of `size` bytes (byte `i` of chunk `k` is `(k + i) % 256`) that
/// does not know its length.
struct Generated {
    next: usize,
    count: usize,
    size: usize,
}

impl futures_core::Stream for Generated {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.next == self.count {
            return Poll::Ready(None);
        }
        let k = self.next;
        self.next += 1;
        let chunk: Vec<u8> = (0..self.size).map(|i| ((k + i) % 256) as u8).collect();
        Poll::Ready(Some(Ok(Bytes::from(chunk))))
    }
}

fn generated_sha256(count: usize, size: usize) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for k in 0..count {
        let chunk: Vec<u8> = (0..size).map(|i| ((k + i) % 256) as u8).collect();
        ctx.update(&chunk);
    }
    hex(ctx.finish().as_ref())
}

#[test]
fn large_download_is_consumed_chunk_by_chunk_in_bounded_memory() {
    let _serial = serial();
    let expected = {
        let mut ctx = digest::Context::new(&digest::SHA256);
        for k in 0..BLOCKS {
            ctx.update(&block(k));
        }
        hex(ctx.finish().as_ref())
    };
    let server = Server::start(vec![Answer::Big]);
    let client = client(&server, 1);
    let rt = rt();
    // Reset the peak (Linux: writing 5 to clear_refs sets VmHWM to the current RSS).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = proc_status_kib("VmRSS").expect("VmRSS");
    let hwm_before = proc_status_kib("VmHWM").expect("VmHWM");
    let (chunks, largest, total, got) = rt.block_on(async {
        let mut out = client.download().key("big").send().await.expect("download");
        assert_eq!(out.content_length, Some(BIG as i64));
        assert_eq!(out.body.content_length(), Some(BIG));
        let mut ctx = digest::Context::new(&digest::SHA256);
        let (mut chunks, mut largest, mut total) = (0usize, 0usize, 0u64);
        while let Some(chunk) = out.body.next().await {
            let chunk = chunk.expect("chunk");
            chunks += 1;
            largest = largest.max(chunk.len());
            total += chunk.len() as u64;
            ctx.update(&chunk);
        }
        (chunks, largest, total, hex(ctx.finish().as_ref()))
    });
    let hwm_after = proc_status_kib("VmHWM").expect("VmHWM");
    let base = if reset { rss_before } else { hwm_before };
    let growth_kib = hwm_after.saturating_sub(base);
    println!(
        "64 MiB download: {chunks} chunks (largest {largest} bytes); peak RSS growth {growth_kib} KiB (VmHWM {hwm_after} KiB, baseline {base} KiB, peak reset: {reset})"
    );
    assert_eq!(total, BIG);
    assert_eq!(got, expected, "the body arrived intact");
    assert!(chunks > 100, "read in many chunks, not one: {chunks}");
    assert!(largest <= 1024 * 1024, "no chunk holds the body: {largest}");
    assert!(
        growth_kib < 16 * 1024,
        "peak RSS grew by {growth_kib} KiB while streaming 64 MiB"
    );
}

#[test]
fn upload_from_a_stream_is_chunked_unsigned_and_intact() {
    let _serial = serial();
    let ok = || {
        Answer::Small(
            200,
            vec![("etag", "\"e1\"".into())],
            br#"{"size":1}"#.to_vec(),
        )
    };
    let server = Server::start(vec![ok()]);
    let client = client(&server, 3);
    let (count, size) = (128, 64 * 1024); // 8 MiB
    let out = rt()
        .block_on(
            client
                .upload()
                .key("streamed")
                .checksum("c")
                .body(ByteStream::from_stream(Generated {
                    next: 0,
                    count,
                    size,
                }))
                .send(),
        )
        .expect("upload");
    assert_eq!(out.size, Some(1));
    assert_eq!(out.etag.as_deref(), Some("\"e1\""));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.recorded.method, "PUT");
    assert_eq!(s.recorded.target, "/objects/streamed");
    assert!(s.chunked, "no length known: sent chunked");
    assert_eq!(s.recorded.header("content-length"), None);
    assert_eq!(
        s.recorded.header("x-amz-content-sha256"),
        Some("UNSIGNED-PAYLOAD")
    );
    assert_eq!(
        s.recorded.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(s.recorded.header("x-checksum"), Some("c"));
    assert_eq!(s.body_len, (count * size) as u64);
    assert_eq!(s.body_sha256, generated_sha256(count, size));
    verify_sigv4(&s.recorded, &signer()).expect("valid UNSIGNED-PAYLOAD signature");
}

#[test]
fn upload_from_a_file_sends_its_length() {
    let _serial = serial();
    let dir = std::env::temp_dir().join(format!("anvil-streaming-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("upload.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &data).expect("write");
    let server = Server::start(vec![Answer::Small(200, vec![], b"{}".to_vec())]);
    let client = client(&server, 3);
    rt().block_on(async {
        let body = ByteStream::from_path(&path).expect("open");
        client.upload().key("file").body(body).send().await
    })
    .expect("upload");
    let _ = std::fs::remove_dir_all(&dir);
    let s = &server.seen()[0];
    assert!(!s.chunked);
    assert_eq!(s.recorded.header("content-length"), Some("300000"));
    assert_eq!(
        s.recorded.header("x-amz-content-sha256"),
        Some("UNSIGNED-PAYLOAD")
    );
    assert_eq!(s.recorded.body, data, "arrived intact");
    verify_sigv4(&s.recorded, &signer()).expect("valid signature");
}

#[test]
fn upload_from_bytes_is_hashed_and_signed_normally() {
    let _serial = serial();
    let server = Server::start(vec![Answer::Small(200, vec![], b"{}".to_vec())]);
    let client = client(&server, 3);
    rt().block_on(client.upload().key("mem").body("in memory").send())
        .expect("upload");
    let s = &server.seen()[0];
    assert!(!s.chunked);
    assert_eq!(s.recorded.header("content-length"), Some("9"));
    assert_eq!(s.recorded.header("x-amz-content-sha256"), None);
    assert_eq!(s.recorded.body, b"in memory");
    verify_sigv4(&s.recorded, &signer()).expect("signature over the body's hash");
}

#[test]
fn in_memory_bodies_are_retried_one_shot_streams_are_not() {
    let _serial = serial();
    let busy = || Answer::Small(503, vec![], b"{}".to_vec());
    let ok = || Answer::Small(200, vec![], b"{}".to_vec());
    let server = Server::start(vec![busy(), ok()]);
    rt().block_on(
        client(&server, 3)
            .upload()
            .key("mem")
            .body(vec![7u8; 1000])
            .send(),
    )
    .expect("retried, then succeeded");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.body_len == 1000));

    let server = Server::start(vec![busy(), ok()]);
    let err = rt()
        .block_on(
            client(&server, 3)
                .upload()
                .key("once")
                .body(ByteStream::from_stream(Generated {
                    next: 0,
                    count: 4,
                    size: 1000,
                }))
                .send(),
        )
        .expect_err("not retried");
    assert_eq!(server.seen().len(), 1, "a one-shot body is sent once");
    match err {
        SdkError::Service(e) => assert_eq!(e.meta().status(), 503),
        other => panic!("{other:?}"),
    }
}

#[test]
fn download_errors_are_buffered_and_typed() {
    let _serial = serial();
    let server = Server::start(vec![Answer::Small(
        404,
        vec![
            ("x-amzn-errortype", "NotFound".into()),
            ("content-type", "application/json".into()),
        ],
        br#"{"message":"no such key"}"#.to_vec(),
    )]);
    let client = client(&server, 3);
    let err = rt()
        .block_on(client.download().key("missing").send())
        .expect_err("404");
    match err {
        SdkError::Service(e) => match e.into_err() {
            svc::error::DownloadError::NotFound(nf) => {
                assert_eq!(nf.message.as_deref(), Some("no such key"))
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn requires_length_refuses_a_stream_of_unknown_length() {
    let _serial = serial();
    let server = Server::start(vec![Answer::Small(200, vec![], Vec::new())]);
    let client = client(&server, 3);
    let err = rt()
        .block_on(
            client
                .upload_sized()
                .key("k")
                .body(ByteStream::from_stream(Generated {
                    next: 0,
                    count: 1,
                    size: 10,
                }))
                .send(),
        )
        .expect_err("unknown length");
    assert!(
        matches!(&err, SdkError::Construction(c) if c.to_string().contains("known length")),
        "{err:?}"
    );
    assert!(server.seen().is_empty(), "nothing was sent");
    // Declared length: accepted, sent with content-length and the model's media type.
    rt().block_on(
        client
            .upload_sized()
            .key("k")
            .body(
                ByteStream::from_stream(Generated {
                    next: 0,
                    count: 1,
                    size: 10,
                })
                .with_content_length(10),
            )
            .send(),
    )
    .expect("declared length");
    let s = &server.seen()[0];
    assert_eq!(s.recorded.header("content-length"), Some("10"));
    assert_eq!(
        s.recorded.header("content-type"),
        Some("application/x-sized")
    );
}

#[test]
fn byte_stream_debug_hides_contents() {
    let text = format!("{:?}", ByteStream::from("secret payload"));
    assert!(!text.contains("secret"), "{text}");
}
