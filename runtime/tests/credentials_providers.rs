//! The network and process providers against local stand-ins: an IMDSv2 server, a container
//! credentials endpoint, `credential_process` scripts, and the default chain's order. Every
//! server listens on 127.0.0.1; the environment is injected with `Env::from_vars`.

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anvil_runtime::credentials::{
    DefaultCredentialsChain, EcsContainerProvider, Env, ImdsProvider, ProcessProvider,
    ProfileProvider, ProvideCredentials, imds_region,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 server: a handler per request, keep-alive, a log of what it received.

#[derive(Clone, Debug)]
struct Req {
    method: String,
    path: String,
    headers: HashMap<String, String>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

struct Resp {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    delay: Duration,
}

fn resp(status: u16, body: impl Into<Vec<u8>>) -> Resp {
    Resp {
        status,
        headers: Vec::new(),
        body: body.into(),
        delay: Duration::ZERO,
    }
}

type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

struct Server {
    url: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
    fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }
}

async fn serve(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let log = Arc::new(Mutex::new(Vec::new()));
    let handler: Handler = Arc::new(handler);
    let l = log.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(stream, handler.clone(), l.clone()));
        }
    });
    Server { url, log }
}

async fn connection(mut stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Req>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
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
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let path = first.next().unwrap_or("").to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let req = Req {
            method,
            path,
            headers,
        };
        log.lock().unwrap().push(req.clone());
        let answer = handler(&req);
        tokio::time::sleep(answer.delay).await;
        let mut out = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            answer.status,
            answer.body.len()
        )
        .into_bytes();
        for (k, v) in &answer.headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&answer.body);
        if stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// A port nobody listens on.
async fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    url
}

const SECRET: &str = "Sq9SecretAccessKey";
const TOKEN: &str = "Sq9SessionToken";

fn creds_json(id: &str) -> String {
    format!(
        r#"{{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"{id}","SecretAccessKey":"{SECRET}","Token":"{TOKEN}","Expiration":"2099-01-01T00:00:00Z"}}"#
    )
}

fn year_2099() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(4_070_908_800)
}

/// No text may show a secret.
fn assert_clean(texts: &[String]) {
    for text in texts {
        assert!(
            !text.contains(SECRET) && !text.contains(TOKEN) && !text.contains("Sq9"),
            "a secret leaked: {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// IMDS.

/// An IMDSv2 stand-in: tokens required and checked, the TTL header checked.
struct Imds {
    issued: AtomicUsize,
    /// Tokens below this number are refused by the metadata paths.
    first_valid: usize,
    role: Option<&'static str>,
    ttl: &'static str,
    credentials: String,
    token_delay: Duration,
}

impl Imds {
    fn new() -> Self {
        Imds {
            issued: AtomicUsize::new(0),
            first_valid: 1,
            role: Some("web-role"),
            ttl: "21600",
            credentials: creds_json("AKIDIMDS"),
            token_delay: Duration::ZERO,
        }
    }

    fn handle(&self, req: &Req) -> Resp {
        if req.method == "PUT" && req.path == "/latest/api/token" {
            if req.header("x-aws-ec2-metadata-token-ttl-seconds") != Some("21600") {
                return resp(400, "missing or wrong TTL header");
            }
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            let mut r = resp(200, format!("Sq9tok-{n}"));
            r.headers
                .push(("x-aws-ec2-metadata-token-ttl-seconds", self.ttl.to_owned()));
            r.delay = self.token_delay;
            return r;
        }
        let valid = req
            .header("x-aws-ec2-metadata-token")
            .and_then(|t| t.strip_prefix("Sq9tok-"))
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n >= self.first_valid && n <= self.issued.load(Ordering::SeqCst));
        if req.method != "GET" || !valid {
            return resp(401, "");
        }
        match (req.path.as_str(), self.role) {
            ("/latest/meta-data/iam/security-credentials/", None) => resp(404, "Not Found"),
            ("/latest/meta-data/iam/security-credentials/", Some(role)) => {
                resp(200, format!("{role}\n"))
            }
            ("/latest/meta-data/placement/region", _) => resp(200, "eu-central-1"),
            (path, Some(role))
                if path.strip_prefix("/latest/meta-data/iam/security-credentials/")
                    == Some(role) =>
            {
                resp(200, self.credentials.clone())
            }
            _ => resp(404, "Not Found"),
        }
    }
}

async fn imds_server(imds: Imds) -> (Server, Arc<Imds>) {
    let imds = Arc::new(imds);
    let i = imds.clone();
    (serve(move |r| i.handle(r)).await, imds)
}

fn imds_env(url: &str) -> Env {
    Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)])
}

const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";

#[tokio::test]
async fn imds_gets_a_token_then_the_role_then_its_credentials() {
    let (server, _) = imds_server(Imds::new()).await;
    let provider = ImdsProvider::with_env(imds_env(&server.url));
    let credentials = provider.provide_credentials().await.expect("credentials");
    assert_eq!(credentials.access_key_id(), "AKIDIMDS");
    assert_eq!(credentials.secret_access_key(), SECRET);
    assert_eq!(credentials.session_token(), Some(TOKEN));
    assert_eq!(credentials.expires_at(), Some(year_2099()));
    let requests = server.requests();
    let paths: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("PUT", "/latest/api/token"),
            ("GET", ROLE_PATH),
            ("GET", "/latest/meta-data/iam/security-credentials/web-role"),
        ]
    );
    assert_eq!(
        requests[1].header("x-aws-ec2-metadata-token"),
        Some("Sq9tok-1")
    );
    // The token is reused for the next load, and for the region.
    provider.load().await.expect("again");
    assert_eq!(provider.region().await.expect("region"), "eu-central-1");
    assert_eq!(server.count("PUT", "/latest/api/token"), 1);
    assert_eq!(
        imds_region(&imds_env(&server.url)).await.as_deref(),
        Some("eu-central-1")
    );
    assert_clean(&[format!("{credentials:?}"), format!("{provider:?}")]);
}

#[tokio::test]
async fn imds_token_is_cached_until_its_ttl_runs_out() {
    let (server, _) = imds_server(Imds {
        ttl: "2",
        ..Imds::new()
    })
    .await;
    let provider = ImdsProvider::with_env(imds_env(&server.url));
    provider.load().await.expect("first");
    provider.load().await.expect("second");
    assert_eq!(server.count("PUT", "/latest/api/token"), 1);
    // Replaced ahead of the TTL (at half of a 2 s TTL).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    provider.load().await.expect("third");
    assert_eq!(server.count("PUT", "/latest/api/token"), 2);
}

#[tokio::test]
async fn imds_replaces_a_refused_token_once() {
    let (server, _) = imds_server(Imds {
        first_valid: 2,
        ..Imds::new()
    })
    .await;
    let provider = ImdsProvider::with_env(imds_env(&server.url));
    provider.load().await.expect("second token works");
    assert_eq!(server.count("PUT", "/latest/api/token"), 2);

    let (server, _) = imds_server(Imds {
        first_valid: 100,
        ..Imds::new()
    })
    .await;
    let err = ImdsProvider::with_env(imds_env(&server.url))
        .load()
        .await
        .expect_err("never accepted");
    assert!(
        err.to_string().contains("refused a fresh session token"),
        "{err}"
    );
    assert_eq!(
        server.count("PUT", "/latest/api/token"),
        2,
        "one renewal only"
    );
}

#[tokio::test]
async fn imds_without_a_role_says_so() {
    let (server, _) = imds_server(Imds {
        role: None,
        ..Imds::new()
    })
    .await;
    let err = ImdsProvider::with_env(imds_env(&server.url))
        .load()
        .await
        .expect_err("no role");
    assert!(err.to_string().contains("no IAM role is attached"), "{err}");
    assert_eq!(err.attempts().next().map(|(s, _)| s), Some("IMDS"));
}

#[tokio::test]
async fn imds_gives_up_fast_when_the_service_is_slow() {
    let (server, _) = imds_server(Imds {
        token_delay: Duration::from_secs(30),
        ..Imds::new()
    })
    .await;
    let started = Instant::now();
    let err = ImdsProvider::with_env(imds_env(&server.url))
        .load()
        .await
        .expect_err("too slow");
    let elapsed = started.elapsed();
    // Three attempts of 1 s each, plus short backoffs.
    assert!(elapsed < Duration::from_millis(3600), "{elapsed:?}");
    assert!(elapsed >= Duration::from_secs(3), "{elapsed:?}");
    assert!(
        err.to_string().contains("timed out after 1s (3 attempts)"),
        "{err}"
    );
    assert_eq!(server.count("PUT", "/latest/api/token"), 3);

    // Nobody listening: connection refused, retried, fast.
    let started = Instant::now();
    let err = ImdsProvider::with_env(imds_env(&dead_url().await))
        .load()
        .await
        .expect_err("refused");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("(3 attempts)"), "{err}");
    assert!(
        err.to_string().contains("is this an EC2 instance?"),
        "{err}"
    );
}

#[tokio::test]
async fn imds_disabled_sends_nothing() {
    let (server, _) = imds_server(Imds::new()).await;
    let env = Env::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let provider = ImdsProvider::with_env(env.clone());
    assert!(provider.is_disabled());
    let err = provider.load().await.expect_err("disabled");
    assert!(
        err.to_string().contains("AWS_EC2_METADATA_DISABLED"),
        "{err}"
    );
    assert_eq!(imds_region(&env).await, None);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn imds_bad_answers_are_errors_without_secrets() {
    let huge = format!(
        r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}","Pad":"{}"}}"#,
        "x".repeat(100 * 1024)
    );
    let cases = [
        (
            format!(
                r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}","Expiration":"{SECRET}"}}"#
            ),
            "RFC 3339",
        ),
        (format!("{SECRET} is not JSON"), "not valid JSON"),
        (
            format!(
                r#"{{"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#
            ),
            "Code AssumeRoleUnauthorizedAccess",
        ),
        (
            format!(r#"{{"Code":"{SECRET} words","SecretAccessKey":"{SECRET}"}}"#),
            "Code not Success",
        ),
        (huge, "larger than 64 KiB"),
        (
            format!(r#"{{"SecretAccessKey":"{SECRET}"}}"#),
            "no `AccessKeyId`",
        ),
    ];
    for (body, want) in cases {
        let (server, _) = imds_server(Imds {
            credentials: body,
            ..Imds::new()
        })
        .await;
        let err = ImdsProvider::with_env(imds_env(&server.url))
            .load()
            .await
            .expect_err(want);
        assert!(err.to_string().contains(want), "{want}: {err}");
        assert_clean(&[err.to_string(), format!("{err:?}")]);
    }
}

// ---------------------------------------------------------------------------------------
// The container endpoint.

/// Answers credentials when the `Authorization` header is the expected token, else 401.
async fn container_server(expected: Arc<Mutex<String>>) -> Server {
    serve(move |req| {
        if req.method != "GET" || req.path != "/creds" {
            return resp(404, "");
        }
        let want = expected.lock().unwrap().clone();
        if want.is_empty() || req.header("authorization") == Some(want.as_str()) {
            let mut body = creds_json("AKIDECS");
            body = body.replace(
                r#""Code":"Success","#,
                r#""RoleArn":"arn:aws:iam::1:role/x","#,
            );
            resp(200, body)
        } else {
            resp(401, r#"{"code":"InvalidToken","message":"Sq9 bad token"}"#)
        }
    })
    .await
}

#[tokio::test]
async fn container_sends_the_token_from_the_environment() {
    let expected = Arc::new(Mutex::new("Sq9AuthToken".to_owned()));
    let server = container_server(expected.clone()).await;
    let uri = format!("{}/creds", server.url);
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Sq9AuthToken"),
    ]);
    let provider = EcsContainerProvider::with_env(env);
    assert!(provider.is_configured());
    let credentials = provider.provide_credentials().await.expect("credentials");
    assert_eq!(credentials.access_key_id(), "AKIDECS");
    assert_eq!(credentials.session_token(), Some(TOKEN));
    assert_eq!(credentials.expires_at(), Some(year_2099()));
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Sq9AuthToken")
    );

    // A wrong token: refused, not retried, and the error quotes neither token nor body.
    let wrong = EcsContainerProvider::with_env(Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Sq9Wrong"),
    ]));
    let before = server.requests().len();
    let err = wrong.load().await.expect_err("refused");
    assert!(err.is_failed());
    let text = err.to_string();
    assert!(
        text.contains("HTTP 401 (InvalidToken): the authorization token was refused"),
        "{text}"
    );
    assert_eq!(server.requests().len(), before + 1);
    assert_clean(&[
        text,
        format!("{err:?}"),
        format!("{provider:?}"),
        format!("{wrong:?}"),
    ]);
}

#[tokio::test]
async fn container_rereads_the_token_file_on_every_load() {
    let dir = TempDir::new("token-file");
    let file = dir.write("token", "Sq9FileToken1\n");
    let expected = Arc::new(Mutex::new("Sq9FileToken1".to_owned()));
    let server = container_server(expected.clone()).await;
    let uri = format!("{}/creds", server.url);
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file.as_str()),
        // The file wins over the variable.
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Sq9EnvToken"),
    ]);
    let provider = EcsContainerProvider::with_env(env);
    provider.load().await.expect("first token");
    // The agent rotates the token.
    dir.write("token", "Sq9FileToken2");
    *expected.lock().unwrap() = "Sq9FileToken2".to_owned();
    provider.load().await.expect("rotated token");
    let sent: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(sent, ["Sq9FileToken1", "Sq9FileToken2"]);

    std::fs::remove_file(&file).unwrap();
    let err = provider.load().await.expect_err("file gone");
    assert!(err.to_string().contains("could not be read"), "{err}");
}

#[tokio::test]
async fn container_refuses_hosts_that_would_see_the_token_in_clear_text() {
    for uri in [
        "http://198.51.100.7/creds",
        "http://metadata.example.com/creds",
    ] {
        let provider = EcsContainerProvider::with_env(Env::from_vars([
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Sq9AuthToken"),
        ]));
        let started = Instant::now();
        let err = provider.load().await.expect_err(uri);
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "nothing was sent"
        );
        assert!(err.is_failed());
        assert!(err.to_string().contains("not allowed over http"), "{err}");
        assert_clean(&[err.to_string()]);
    }
    let unconfigured = EcsContainerProvider::with_env(Env::from_vars([("X", "y")]));
    assert!(!unconfigured.is_configured());
    let err = unconfigured.load().await.expect_err("not configured");
    assert!(!err.is_failed(), "{err}");
}

#[tokio::test]
async fn container_retries_server_errors_a_bounded_number_of_times() {
    let server = serve(|_| resp(503, "busy")).await;
    let uri = format!("{}/creds", server.url);
    let err = EcsContainerProvider::with_env(Env::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        uri.as_str(),
    )]))
    .load()
    .await
    .expect_err("503");
    assert!(err.to_string().contains("HTTP 503 (3 attempts)"), "{err}");
    assert_eq!(server.requests().len(), 3);

    let slow = serve(|_| Resp {
        delay: Duration::from_secs(30),
        ..resp(200, "{}")
    })
    .await;
    let uri = format!("{}/creds", slow.url);
    let started = Instant::now();
    let err = EcsContainerProvider::with_env(Env::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        uri.as_str(),
    )]))
    .attempt_timeout(Duration::from_millis(200))
    .max_attempts(2)
    .load()
    .await
    .expect_err("slow");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.to_string()
            .contains("timed out after 200ms (2 attempts)"),
        "{err}"
    );
    assert_eq!(slow.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------
// credential_process.

#[cfg(unix)]
const PROCESS_OUTPUT: &str = r#"{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"Sq9SecretAccessKey","SessionToken":"Sq9SessionToken","Expiration":"2099-01-01T00:00:00Z"}"#;

#[cfg(unix)]
#[tokio::test]
async fn credential_process_from_a_profile() {
    let dir = TempDir::new("process");
    let script = dir.script("creds.sh", &format!("echo '{PROCESS_OUTPUT}'"));
    let config = dir.write(
        "config",
        &format!("[profile proc]\ncredential_process = {script} --flag value\nregion = x\n"),
    );
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
        ("AWS_PROFILE", "proc"),
    ]);
    let provider = ProfileProvider::with_env(env.clone());
    let credentials = provider.provide_credentials().await.expect("async");
    assert_eq!(credentials.access_key_id(), "AKIDPROC");
    assert_eq!(credentials.secret_access_key(), SECRET);
    assert_eq!(credentials.session_token(), Some(TOKEN));
    assert_eq!(credentials.expires_at(), Some(year_2099()));
    // The blocking form gives the same.
    assert_eq!(provider.load().expect("blocking"), credentials);
    // And the chain finds it after the (empty) environment.
    let chain = DefaultCredentialsChain::with_env(env);
    assert_eq!(
        chain.provide_credentials().await.expect("chain"),
        credentials
    );
    assert_clean(&[
        format!("{credentials:?}"),
        format!("{provider:?}"),
        format!("{chain:?}"),
    ]);
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_sees_the_fixed_environment() {
    let env = Env::from_vars([("ANVIL_TEST_KEY_ID", "AKIDFROMENV")]);
    let command =
        r#"printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"s"}' "$ANVIL_TEST_KEY_ID""#;
    let credentials = ProcessProvider::new(command)
        .with_env(env)
        .provide_credentials()
        .await
        .expect("credentials");
    assert_eq!(credentials.access_key_id(), "AKIDFROMENV");
    assert_eq!(credentials.expires_at(), None);
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_failures_quote_neither_output_nor_arguments() {
    let dir = TempDir::new("process-fail");
    let cases = [
        (format!("echo '{PROCESS_OUTPUT}'; exit 3"), "exit status 3"),
        (format!("echo '{SECRET} is not JSON'"), "not valid JSON"),
        (
            PROCESS_OUTPUT.replace(r#""Version":1"#, r#""Version":2"#),
            "only Version 1",
        ),
        (
            PROCESS_OUTPUT.replace("2099-01-01T00:00:00Z", SECRET),
            "RFC 3339",
        ),
        ("yes Sq9 | head -c 200000".to_owned(), "more than 64 KiB"),
        ("kill -9 $$".to_owned(), "exit status 137"),
    ];
    for (i, (body, want)) in cases.into_iter().enumerate() {
        let body = if body.starts_with('{') {
            format!("echo '{body}'")
        } else {
            body
        };
        let script = dir.script(&format!("fail{i}.sh"), &body);
        let provider = ProcessProvider::new(format!("{script} --password Sq9Password"));
        let err = provider.provide_credentials().await.expect_err(want);
        assert!(err.is_failed());
        let text = err.to_string();
        assert!(text.contains(want), "{want}: {text}");
        assert!(text.contains(&script), "names the program: {text}");
        assert_clean(&[text, format!("{err:?}"), format!("{provider:?}")]);
    }
    let err = ProcessProvider::new("/nonexistent/anvil-helper --x Sq9")
        .load()
        .expect_err("missing program");
    assert!(err.to_string().contains("exit status 127"), "{err}");
    // The shell itself killed by a signal.
    let err = ProcessProvider::new("kill -9 $$")
        .load()
        .expect_err("killed");
    assert!(err.to_string().contains("signal: 9"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_is_killed_after_its_timeout() {
    let started = Instant::now();
    let err = ProcessProvider::new("sleep 20")
        .timeout(Duration::from_millis(300))
        .provide_credentials()
        .await
        .expect_err("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("timed out after 300ms"), "{err}");
}

// ---------------------------------------------------------------------------------------
// The default chain: environment, profile, (web identity), container, IMDS.

/// Servers for every network source, and an environment naming them (plus `extra`).
struct World {
    imds: Server,
    container: Server,
    dir: TempDir,
}

impl World {
    async fn new() -> Self {
        World {
            imds: imds_server(Imds::new()).await.0,
            container: container_server(Arc::new(Mutex::new(String::new()))).await,
            dir: TempDir::new("chain"),
        }
    }

    fn env(&self, with: &[&str]) -> Env {
        let mut vars: Vec<(String, String)> = vec![
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT".into(),
                self.imds.url.clone(),
            ),
            ("HOME".into(), self.dir.0.join("home").display().to_string()),
        ];
        for source in with {
            match *source {
                "environment" => {
                    vars.push(("AWS_ACCESS_KEY_ID".into(), "AKIDENV".into()));
                    vars.push(("AWS_SECRET_ACCESS_KEY".into(), "env-secret".into()));
                }
                "profile" => vars.push((
                    "AWS_SHARED_CREDENTIALS_FILE".into(),
                    self.dir.write(
                        "credentials",
                        "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n",
                    ),
                )),
                "container" => vars.push((
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI".into(),
                    format!("{}/creds", self.container.url),
                )),
                "web identity" => {
                    vars.push((
                        "AWS_WEB_IDENTITY_TOKEN_FILE".into(),
                        "/var/run/token".into(),
                    ));
                    vars.push(("AWS_ROLE_ARN".into(), "arn:aws:iam::1:role/x".into()));
                }
                other => panic!("{other}"),
            }
        }
        Env::from_vars(vars)
    }
}

async fn key_from(env: Env) -> String {
    DefaultCredentialsChain::with_env(env)
        .provide_credentials()
        .await
        .map(|c| c.access_key_id().to_owned())
        .unwrap_or_else(|e| format!("error: {e}"))
}

#[tokio::test]
async fn the_chain_takes_the_first_source_in_order() {
    let world = World::new().await;
    let all = ["environment", "profile", "container"];
    assert_eq!(key_from(world.env(&all)).await, "AKIDENV");
    assert_eq!(key_from(world.env(&all[1..])).await, "AKIDPROFILE");
    assert_eq!(key_from(world.env(&all[2..])).await, "AKIDECS");
    assert!(world.imds.requests().is_empty(), "IMDS not asked yet");
    assert_eq!(key_from(world.env(&[])).await, "AKIDIMDS");
    assert_eq!(world.container.requests().len(), 1);
}

#[tokio::test]
async fn without_a_federation_the_chain_stops_at_web_identity() {
    let world = World::new().await;
    let text = key_from(world.env(&["web identity", "container"])).await;
    assert!(
        text.contains(
            "web identity: uses AWS_WEB_IDENTITY_TOKEN_FILE, which needs STS or SSO calls"
        ),
        "{text}"
    );
    assert!(world.container.requests().is_empty());
    assert!(world.imds.requests().is_empty());
    // Sources before it still win.
    assert_eq!(
        key_from(world.env(&["profile", "web identity"])).await,
        "AKIDPROFILE"
    );
}

#[tokio::test]
async fn the_chain_error_lists_every_source_and_why() {
    let world = World::new().await;
    let dead = dead_url().await;
    let env = Env::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", dead.as_str()),
        ("HOME", world.dir.0.join("home").to_str().unwrap()),
    ]);
    let err = DefaultCredentialsChain::with_env(env)
        .provide_credentials()
        .await
        .expect_err("nothing anywhere");
    let sources: Vec<&str> = err.attempts().map(|(s, _)| s).collect();
    assert_eq!(
        sources,
        ["environment", "profile `default`", "IMDS"],
        "{err}"
    );
    let skipped: Vec<&str> = err.skipped_sources().map(|(s, _)| s).collect();
    assert_eq!(skipped, ["web identity", "container"], "{err}");
    let text = err.to_string();
    assert!(
        text.contains(
            "container: skipped (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set)"
        ),
        "{text}"
    );
    assert!(text.contains("IMDS: no session token"), "{text}");

    // A profile that needs STS, in a chain without a federation, stops the chain before the
    // network.
    let config = world.dir.write(
        "config",
        "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\n\
         [profile a]\naws_access_key_id = AKIDA\naws_secret_access_key = secret-a\n",
    );
    let env = Env::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", world.imds.url.as_str()),
        ("AWS_CONFIG_FILE", config.as_str()),
        ("HOME", world.dir.0.join("home").to_str().unwrap()),
    ]);
    let err = DefaultCredentialsChain::with_env(env)
        .provide_credentials()
        .await
        .expect_err("role_arn");
    assert!(err.is_failed());
    assert!(err.to_string().contains("uses role_arn"), "{err}");
    assert!(err.to_string().contains("anvil_config"), "{err}");
    assert!(!err.to_string().contains("secret-a"), "{err}");
    assert!(world.imds.requests().is_empty());

    // A broken container configuration stops it too.
    let env = Env::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", world.imds.url.as_str()),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://192.0.2.1/creds",
        ),
        ("HOME", world.dir.0.join("home").to_str().unwrap()),
    ]);
    let err = DefaultCredentialsChain::with_env(env)
        .provide_credentials()
        .await
        .expect_err("refused host");
    assert!(err.to_string().contains("not allowed over http"), "{err}");
    assert!(world.imds.requests().is_empty());
}

#[tokio::test]
async fn the_chain_caches_expiring_credentials_from_imds() {
    let world = World::new().await;
    let chain = DefaultCredentialsChain::with_env(world.env(&[]));
    for _ in 0..20 {
        assert_eq!(
            chain.provide_credentials().await.unwrap().access_key_id(),
            "AKIDIMDS"
        );
    }
    // One token, one role lookup, one credentials fetch: expiry is far away.
    assert_eq!(world.imds.requests().len(), 3);
    let text = format!("{chain:?}");
    assert!(
        text.contains("expires_at: Some(2099-01-01T00:00:00Z)"),
        "{text}"
    );
    assert_clean(&[text]);
}
