//! Shared by the response targets: decodes a fuzz input into an HTTP response.
//!
//! The format is text-like so seeds stay readable: the first line is the status code, the
//! following lines up to the first empty line are `name: value` headers, the rest is the body.

use anvil_runtime::http::HttpResponse;

/// The response an input describes.
#[allow(dead_code)] // Not every target decodes a response head.
pub fn response(data: &[u8]) -> HttpResponse {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.trim().parse::<u16>().ok())
        .unwrap_or(200);
    let mut response = HttpResponse::new(status, body.to_vec());
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            response = response.with_header(name.trim(), value.trim());
        }
    }
    response
}

/// A current-thread runtime with time enabled (the pipeline may sleep for retries).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime")
}

/// A client configuration replaying `response` once, retries off.
pub fn config(replay: &anvil_runtime::http::test::ReplayClient) -> anvil_runtime::Config {
    anvil_runtime::Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .credentials(anvil_runtime::credentials::Credentials::new(
            "AKIDEXAMPLE",
            "fuzz-secret",
            None,
        ))
        .http_client(replay.clone())
        .max_attempts(1)
        .build()
}
