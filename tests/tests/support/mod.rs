//! Shared by the end-to-end tests: a scripted HTTP/1.1 server on 127.0.0.1 that records every
//! request and answers from a script, and an independent SigV4 check of a recorded request.
//!
//! The server uses `std::net` and one thread per connection, so it does not share a runtime
//! (or any code) with the clients under test. The SigV4 check is written here from the
//! specification with `ring` directly; it does not call `anvil_runtime::sigv4`.

// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ring::{digest, hmac};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answers, after `delay`.
    Respond {
        /// The status code.
        status: u16,
        /// Extra headers (`content-length` is always added).
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
        /// How long to wait before answering.
        delay: Duration,
    },
    /// Closes the connection without answering.
    Reset,
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// A response with a body of the given content type.
    pub fn with_type(status: u16, content_type: &str, body: impl Into<String>) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Answers only after `delay`.
    pub fn delayed(mut self, by: Duration) -> Reply {
        if let Reply::Respond { delay, .. } = &mut self {
            *delay = by;
        }
        self
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `POST`, ...
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (`content-length` bytes).
    pub body: Vec<u8>,
    /// When the request was complete.
    pub received: Instant,
}

impl Recorded {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    requests: Vec<Recorded>,
}

/// The scripted server; it runs until the test process ends.
pub struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl Server {
    /// Starts a server on 127.0.0.1 (a free port) answering requests with `script`, in order.
    /// Once the script is used up every request gets a 501 (which clients do not retry).
    pub fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            requests: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Server { addr, state }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// Scripted replies not used yet.
    pub fn remaining(&self) -> usize {
        lock(&self.state).script.len()
    }
}

/// Serves one connection: requests in turn (keep-alive) until the peer closes it or the
/// script says to reset it.
fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf) {
        let reply = {
            let mut s = lock(state);
            s.requests.push(request);
            s.script.pop_front()
        };
        let reply = reply.unwrap_or_else(|| {
            Reply::json(
                501,
                r#"{"__type":"ScriptExhausted","message":"no scripted reply"}"#,
            )
        });
        match reply {
            Reply::Reset => return,
            Reply::Respond {
                status,
                headers,
                body,
                delay,
            } => {
                std::thread::sleep(delay);
                let mut out = format!("HTTP/1.1 {status} Scripted\r\n");
                for (name, value) in headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if stream.write_all(&bytes).is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads one request (head and `content-length` body); `None` when the connection ends.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Recorded> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(chunk.get(..n)?),
        }
    };
    let head = String::from_utf8_lossy(buf.get(..head_end)?).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let end = head_end.checked_add(length)?;
    while buf.len() < end {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(chunk.get(..n)?),
        }
    }
    let body = buf.get(head_end..end)?.to_vec();
    buf.drain(..end);
    Some(Recorded {
        method,
        target,
        headers,
        body,
        received: Instant::now(),
    })
}

/// Who is expected to have signed a request, and for what scope.
pub struct Signer<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The signing region.
    pub region: &'a str,
    /// The signing name of the service.
    pub service: &'a str,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// RFC 3986 encoding: everything but the unreserved characters (and `/` when `keep_slash`).
fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn uri_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let pair = bytes
            .get(i + 1..i + 3)
            .and_then(|p| std::str::from_utf8(p).ok())
            .and_then(|p| u8::from_str_radix(p, 16).ok());
        match (b, pair) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
struct Authorization {
    credential: String,
    signed_headers: String,
    signature: String,
}

fn parse_authorization(value: &str) -> Result<Authorization, String> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| format!("not a SigV4 authorization header: {value}"))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("bad authorization part `{part}`"))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => return Err(format!("unexpected authorization part `{other}`")),
        };
        *slot = Some(val.to_owned());
    }
    Ok(Authorization {
        credential: credential.ok_or("no Credential")?,
        signed_headers: signed_headers.ok_or("no SignedHeaders")?,
        signature: signature.ok_or("no Signature")?,
    })
}

/// Recomputes the SigV4 signature of `request` from what arrived on the wire and compares it
/// with the one in its `Authorization` header. Also checks the credential scope against
/// `signer` and that the headers that matter are among the signed ones.
pub fn verify_sigv4(request: &Recorded, signer: &Signer<'_>) -> Result<(), String> {
    let auth = parse_authorization(request.header("authorization").ok_or("no authorization")?)?;
    let amz_date = request.header("x-amz-date").ok_or("no x-amz-date")?;
    let well_formed = amz_date.len() == 16
        && amz_date.char_indices().all(|(i, c)| match i {
            8 => c == 'T',
            15 => c == 'Z',
            _ => c.is_ascii_digit(),
        });
    if !well_formed {
        return Err(format!("x-amz-date `{amz_date}` is not YYYYMMDDTHHMMSSZ"));
    }
    let date = amz_date.get(..8).ok_or("short x-amz-date")?;
    let scope = format!("{date}/{}/{}/aws4_request", signer.region, signer.service);
    let expected_credential = format!("{}/{scope}", signer.access_key_id);
    if auth.credential != expected_credential {
        return Err(format!(
            "credential `{}`, expected `{expected_credential}`",
            auth.credential
        ));
    }

    // Signed headers: lowercase, sorted, each present; the ones that matter included.
    let signed: Vec<&str> = auth.signed_headers.split(';').collect();
    let mut sorted = signed.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted != signed
        || signed
            .iter()
            .any(|h| h.chars().any(|c| c.is_ascii_uppercase()))
    {
        return Err(format!(
            "SignedHeaders `{}` not sorted lowercase",
            auth.signed_headers
        ));
    }
    for must in [
        "host",
        "x-amz-date",
        "content-type",
        "content-length",
        "x-amz-security-token",
    ] {
        if request.header(must).is_some() && !signed.contains(&must) {
            return Err(format!("`{must}` is sent but not signed"));
        }
    }
    let mut canonical_headers = String::new();
    for name in &signed {
        let values: Vec<String> = request
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return Err(format!("signed header `{name}` was not sent"));
        }
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }

    // Canonical URI (each segment encoded once more, as for every service but S3) and query.
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target.as_str(), ""));
    let canonical_uri = uri_encode(path, true);
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&uri_decode(k), false),
                uri_encode(&uri_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    let canonical_query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();

    let mut payload_hash = hex(digest::digest(&digest::SHA256, &request.body).as_ref());
    if request.header("x-amz-content-sha256") == Some("UNSIGNED-PAYLOAD") {
        // A streamed body: the signature covers the literal instead of the body's hash.
        payload_hash = "UNSIGNED-PAYLOAD".to_owned();
    } else if let Some(claimed) = request.header("x-amz-content-sha256")
        && claimed != payload_hash
    {
        return Err("x-amz-content-sha256 does not match the body".into());
    }
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{}\n{canonical_headers}\n{}\n{payload_hash}",
        request.method,
        canonical_query.join("&"),
        auth.signed_headers
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref())
    );
    let mut key = hmac_sha256(format!("AWS4{}", signer.secret_access_key).as_bytes(), date);
    for part in [signer.region, signer.service, "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    let expected = hex(&hmac_sha256(&key, &string_to_sign));
    if expected == auth.signature {
        Ok(())
    } else {
        Err(format!(
            "signature {} but recomputed {expected} from:\n{canonical_request}",
            auth.signature
        ))
    }
}
