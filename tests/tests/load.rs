//! Load: 10,000 `CreateIdentityProvider` calls at concurrency 64 through the generated
//! WorkSpaces Web client (default transport, retries on) against a local server that fails
//! about 5% of attempts with a 500 and resets the connection on about 1%. Faults are chosen
//! deterministically from each request's client token and attempt number; third attempts are
//! never faulted, so with three attempts every call must succeed.
//!
//! Checked: every call returns `Ok`; the server answers exactly one 200 per client token;
//! peak memory (VmHWM) grows by less than 20 MiB over the second half of the run; once the
//! client is dropped the server sees every connection closed, and the client runtime has no
//! task left alive (`RuntimeMetrics::num_alive_tasks`).
//!
//! `ANVIL_LOAD_REQUESTS` overrides the number of calls (default 10,000).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anvil_clients::workspacesweb;
use anvil_runtime::Config;
use anvil_runtime::credentials::Credentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CONCURRENCY: usize = 64;
const PORTAL: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555";

/// What the server saw.
#[derive(Default)]
struct Stats {
    accepted: AtomicUsize,
    closed: AtomicUsize,
    requests: AtomicUsize,
    errors_500: AtomicUsize,
    resets: AtomicUsize,
    /// 200 answers per client token.
    ok_by_token: Mutex<HashMap<String, u32>>,
}

enum Fault {
    None,
    ServerError,
    Reset,
}

/// FNV-1a: a stable hash, so the same token and attempt always get the same fault.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fault(token: &str, attempt: u32) -> Fault {
    if attempt >= 3 {
        return Fault::None;
    }
    match fnv(format!("{token}/{attempt}").as_bytes()) % 100 {
        0..=4 => Fault::ServerError,
        5 => Fault::Reset,
        _ => Fault::None,
    }
}

async fn serve(mut stream: TcpStream, stats: Arc<Stats>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let header = |name: &str| {
            head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == name).then(|| v.trim().to_owned())
            })
        };
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let attempt: u32 = header("amz-sdk-request")
            .and_then(|v| {
                v.split(';')
                    .find_map(|p| p.trim().strip_prefix("attempt=").map(str::to_owned))
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf.drain(..head_end + length).skip(head_end).collect();
        stats.requests.fetch_add(1, Ordering::Relaxed);
        let token = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["clientToken"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let (status, body) = match fault(&token, attempt) {
            Fault::Reset => {
                stats.resets.fetch_add(1, Ordering::Relaxed);
                // SO_LINGER 0: closing sends a TCP reset.
                let _ = stream.set_zero_linger();
                return;
            }
            Fault::ServerError => {
                stats.errors_500.fetch_add(1, Ordering::Relaxed);
                (
                    "500 Internal Server Error",
                    r#"{"__type":"InternalServerException","message":"injected"}"#.to_owned(),
                )
            }
            Fault::None => {
                *stats
                    .ok_by_token
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(token.clone())
                    .or_default() += 1;
                (
                    "200 OK",
                    format!(
                        r#"{{"identityProviderArn":"arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/p/{token}"}}"#
                    ),
                )
            }
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Runs the server on its own thread and runtime, so its tasks are not the client's.
fn start_server(stats: Arc<Stats>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("listener");
            while let Ok((stream, _)) = listener.accept().await {
                stats.accepted.fetch_add(1, Ordering::SeqCst);
                let stats = stats.clone();
                tokio::spawn(async move {
                    serve(stream, stats.clone()).await;
                    stats.closed.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
    });
    format!("http://{addr}")
}

/// A field of /proc/self/status in KiB (Linux), e.g. `VmHWM` (peak RSS) or `VmRSS`.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

#[test]
fn ten_thousand_calls_with_injected_faults_complete_exactly_once() {
    let total: usize = std::env::var("ANVIL_LOAD_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let stats = Arc::new(Stats::default());
    let url = start_server(stats.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");

    let started = Instant::now();
    let hwm_start = proc_status_kib("VmHWM");
    let (hwm_half, failures) = rt.block_on(async {
        let config = Config::builder()
            .region("us-east-1")
            .endpoint_url(&url)
            .credentials(Credentials::new("AKIDEXAMPLE", "load-secret", None))
            .max_attempts(3)
            .attempt_timeout(Duration::from_secs(10))
            .build();
        let client = workspacesweb::Client::new(&config);
        let next = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let hwm_half = Arc::new(Mutex::new(None));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let mut workers = Vec::new();
        for _ in 0..CONCURRENCY {
            let (client, next, done) = (client.clone(), next.clone(), done.clone());
            let (hwm_half, failures) = (hwm_half.clone(), failures.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return;
                    }
                    let token = format!("load-{i:06}");
                    let result = client
                        .create_identity_provider()
                        .portal_arn(PORTAL)
                        .identity_provider_name("load-idp")
                        .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
                        .identity_provider_details("MetadataURL", "https://idp.example.com/m")
                        .client_token(token.clone())
                        .send()
                        .await;
                    match result {
                        Ok(out) if out.identity_provider_arn.ends_with(&token) => {}
                        other => failures
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(format!("{token}: {other:?}")),
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n == total / 2 {
                        *hwm_half.lock().unwrap_or_else(|e| e.into_inner()) =
                            proc_status_kib("VmHWM");
                    }
                    if n % 2000 == 0 {
                        println!(
                            "{n} calls done after {:.1?}; VmRSS {:?} KiB, VmHWM {:?} KiB",
                            started.elapsed(),
                            proc_status_kib("VmRSS"),
                            proc_status_kib("VmHWM")
                        );
                    }
                }
            }));
        }
        for w in workers {
            w.await.expect("worker");
        }
        let half = *hwm_half.lock().unwrap_or_else(|e| e.into_inner());
        let failures = std::mem::take(&mut *failures.lock().unwrap_or_else(|e| e.into_inner()));
        // Drop the client and its connection pool; connections must close.
        drop(client);
        drop(config);
        (half, failures)
    });
    let elapsed = started.elapsed();
    let hwm_end = proc_status_kib("VmHWM");

    // Let the connection tasks see their pool gone.
    let settle = Instant::now();
    let open = || {
        stats
            .accepted
            .load(Ordering::SeqCst)
            .saturating_sub(stats.closed.load(Ordering::SeqCst))
    };
    while (open() > 0 || rt.metrics().num_alive_tasks() > 0)
        && settle.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let alive_tasks = rt.metrics().num_alive_tasks();

    let requests = stats.requests.load(Ordering::SeqCst);
    let e500 = stats.errors_500.load(Ordering::SeqCst);
    let resets = stats.resets.load(Ordering::SeqCst);
    let accepted = stats.accepted.load(Ordering::SeqCst);
    println!(
        "{total} calls in {elapsed:.1?}: {requests} requests, {e500} injected 500s, {resets} resets, \
         {accepted} connections accepted, {} still open, {alive_tasks} client tasks alive",
        open()
    );
    println!("VmHWM (KiB): start {hwm_start:?}, half {hwm_half:?}, end {hwm_end:?}");

    assert!(
        failures.is_empty(),
        "{} calls failed: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    let ok = stats.ok_by_token.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(ok.len(), total, "one token per call reached a 200");
    let dup: Vec<_> = ok.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        dup.is_empty(),
        "tokens answered 200 more than once: {dup:?}"
    );
    assert_eq!(requests, total + e500 + resets, "every fault retried once");
    // The fault injection really happened (about 5% and 1% of first and second attempts).
    assert!(
        e500 * 100 >= total * 3 && e500 * 100 <= total * 8,
        "{e500} 500s"
    );
    assert!(
        resets * 1000 >= total * 5 && resets * 1000 <= total * 20,
        "{resets} resets"
    );
    // Connections are pooled: about one per worker plus one per reset.
    assert!(
        accepted <= CONCURRENCY * 2 + resets,
        "{accepted} connections for {requests} requests"
    );
    assert_eq!(
        open(),
        0,
        "connections left open after the client was dropped"
    );
    assert_eq!(
        alive_tasks, 0,
        "tasks left alive after the client was dropped"
    );
    if let (Some(half), Some(end)) = (hwm_half, hwm_end) {
        assert!(
            end.saturating_sub(half) < 20 * 1024,
            "peak RSS grew {} KiB over the second half",
            end.saturating_sub(half)
        );
    }
}
