//! A tiny HTTP/1.1 keep-alive server on 127.0.0.1 for the benchmark kit: it answers every
//! request with the same canned `200` CreateIdentityProvider response, so both consumers
//! parse the same bytes. It prints `PORT <n>` once listening, serves until killed or until
//! `--lifetime SECS` (default 1800) has passed, and never touches any other address.
//!
//! `bench-server [--port N] [--lifetime SECS]`

use std::io::Write;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = r#"{"identityProviderArn":"arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/11111111-2222-3333-4444-555555555555/66666666-7777-8888-9999-000000000000"}"#;

/// Requests larger than this (head or body) close the connection.
const MAX_REQUEST: usize = 16 * 1024 * 1024;

fn main() -> std::process::ExitCode {
    let mut port = 0u16;
    let mut lifetime = 1800u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let ok = match flag.as_str() {
            "--port" => value.parse().map(|p| port = p).is_ok(),
            "--lifetime" => value.parse().map(|s| lifetime = s).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("usage: bench-server [--port N] [--lifetime SECS]");
            return std::process::ExitCode::FAILURE;
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-server: cannot start tokio: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let mut out = std::io::stdout();
        writeln!(out, "PORT {port}")?;
        out.flush()?;
        let accept = async {
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve(stream));
                }
            }
        };
        // Bounded in time: the server stops by itself.
        let _ = tokio::time::timeout(Duration::from_secs(lifetime), accept).await;
        Ok::<(), std::io::Error>(())
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Serves one connection: each request (content-length or chunked body) gets the canned
/// response; `connection: close` or any malformed input ends the connection.
async fn serve(mut stream: TcpStream) {
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: 00000000-0000-0000-0000-000000000000\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let Some(head_end) = fill_until(&mut stream, &mut buf, |b| {
            find(b, b"\r\n\r\n").map(|i| i + 4)
        })
        .await
        else {
            return;
        };
        let head =
            String::from_utf8_lossy(buf.get(..head_end).unwrap_or_default()).to_ascii_lowercase();
        let header = |name: &str| {
            head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
        };
        let close = header("connection").is_some_and(|v| v == "close");
        let consumed = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            match read_chunked(&mut stream, &mut buf, head_end).await {
                Some(end) => end,
                None => return,
            }
        } else {
            let length: usize = match header("content-length").map(|v| v.parse()) {
                None => 0,
                Some(Ok(n)) if n <= MAX_REQUEST => n,
                Some(_) => return,
            };
            let end = head_end + length;
            if fill_until(&mut stream, &mut buf, |b| (b.len() >= end).then_some(end))
                .await
                .is_none()
            {
                return;
            }
            end
        };
        buf.drain(..consumed.min(buf.len()));
        if stream.write_all(response.as_bytes()).await.is_err() || close {
            return;
        }
    }
}

/// Reads into `buf` until `done` finds its end; `None` on EOF, error or oversize.
async fn fill_until(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    done: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let mut chunk = [0u8; 16384];
    loop {
        if let Some(end) = done(buf) {
            return Some(end);
        }
        if buf.len() > MAX_REQUEST {
            return None;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(chunk.get(..n)?),
        }
    }
}

/// Skips a chunked body starting at `start`; returns the index just past it (trailers included).
async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>, start: usize) -> Option<usize> {
    let mut pos = start;
    loop {
        let line_end = fill_until(stream, buf, |b| {
            find(b.get(pos..)?, b"\r\n").map(|i| pos + i)
        })
        .await?;
        let line = std::str::from_utf8(buf.get(pos..line_end)?).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        pos = line_end + 2;
        if size == 0 {
            // Trailers end with an empty line.
            loop {
                let end = fill_until(stream, buf, |b| {
                    find(b.get(pos..)?, b"\r\n").map(|i| pos + i)
                })
                .await?;
                let empty = end == pos;
                pos = end + 2;
                if empty {
                    return Some(pos);
                }
            }
        }
        if size > MAX_REQUEST {
            return None;
        }
        let end = pos + size + 2;
        fill_until(stream, buf, |b| (b.len() >= end).then_some(end)).await?;
        pos = end;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
