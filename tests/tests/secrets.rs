//! Secrets never leak: a distinctive marker goes into every `@sensitive` input (WorkSpaces Web
//! `identityProviderName`, `identityProviderDetails` keys and values, tag keys and values; MPA
//! tags), the secret access key and the session token. Requests then go through success,
//! every error path (each modeled error, an unknown error, an unreadable response, a refused
//! connection, a timeout), retries and validation failures, over the real transport to a local
//! server, with every `tracing` event at TRACE captured. The marker must reach the wire (so the
//! test is meaningful) and must appear in no `Debug`, `Display`, error chain or log line.
//!
//! The credentials providers get the same treatment: IMDS and container-endpoint answers and
//! a `credential_process`'s output carry the marker in the secret, the session token, the
//! IMDS session token, the container authorization token, bad fields and error bodies, and
//! none of it may show in the credentials' `Debug`, the providers', the cache's, an error or
//! a log line.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anvil_clients::{mpa, workspacesweb};
use anvil_runtime::credentials::{
    Credentials, CredentialsCache, DefaultCredentialsChain, EcsContainerProvider, Env,
    ImdsProvider, ProcessProvider, ProvideCredentials,
};
use anvil_runtime::{Config, SdkError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every secret below contains it.
const MARK: &str = "Zq7Mk";
const NAME: &str = "Zq7MkName";
const DETAIL_KEY: &str = "Zq7MkDetailKey";
const DETAIL_VALUE: &str = "Zq7MkDetailValue";
const TAG_KEY: &str = "Zq7MkTagKey";
const TAG_VALUE: &str = "Zq7MkTagValue";
const MPA_TAG_KEY: &str = "Zq7MkMpaKey";
const MPA_TAG_VALUE: &str = "Zq7MkMpaValue";
const SECRET_KEY: &str = "Zq7MkSecretAccessKey";
const SESSION_TOKEN: &str = "Zq7MkSessionToken";
const IMDS_TOKEN: &str = "Zq7MkImdsSessionToken";
const CONTAINER_TOKEN: &str = "Zq7MkContainerAuthToken";
const PROCESS_ARG: &str = "Zq7MkProcessArgument";

const PORTAL: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555";

// ---------------------------------------------------------------------------------------
// A `tracing` subscriber that keeps every event and span as a line of text.

#[derive(Default)]
struct Capture {
    lines: Mutex<Vec<String>>,
    next_id: std::sync::atomic::AtomicU64,
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Capture {
    fn push(&self, line: String) {
        self.lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Line(&mut line));
        self.push(line);
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Id::from_u64(n.saturating_add(1))
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = String::from("record");
        values.record(&mut Line(&mut line));
        self.push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let m = event.metadata();
        let mut line = format!("{} {}:", m.level(), m.target());
        event.record(&mut Line(&mut line));
        self.push(line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn capture() -> &'static Arc<Capture> {
    static CAPTURE: OnceLock<Arc<Capture>> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c = Arc::new(Capture::default());
        let dispatch = tracing::Dispatch::from(c.clone());
        // Only this binary's tests run here; a second install attempt just keeps the first.
        let _ = tracing::dispatcher::set_global_default(dispatch);
        c
    })
}

fn log_lines() -> Vec<String> {
    capture()
        .lines
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

// ---------------------------------------------------------------------------------------
// A local server answering from a script and recording what it received.

/// One scripted answer: status, headers, body, and a delay before answering.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
    delay: Duration,
}

fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
        delay: Duration::ZERO,
    }
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    received: Mutex<Vec<String>>,
}

async fn server() -> (String, Arc<Script>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let script = Arc::new(Script::default());
    let s = script.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, s.clone()));
        }
    });
    (url, script)
}

async fn serve(mut stream: TcpStream, script: Arc<Script>) {
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
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let request: Vec<u8> = buf.drain(..head_end + length).collect();
        script
            .received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(String::from_utf8_lossy(&request).into_owned());
        let next = script
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        let Some(a) = next else { return };
        tokio::time::sleep(a.delay).await;
        let mut out = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\nx-amzn-requestid: req-1\r\ncontent-length: {}\r\n",
            a.status,
            a.body.len()
        );
        for (k, v) in &a.headers {
            let _ = write!(out, "{k}: {v}\r\n");
        }
        out.push_str("\r\n");
        out.push_str(&a.body);
        if stream.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

impl Script {
    fn push(&self, answers: impl IntoIterator<Item = Answer>) {
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(answers);
    }
    fn received(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

// ---------------------------------------------------------------------------------------
// What the test observes.

#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn debug_display<T: std::fmt::Debug + std::fmt::Display + ?Sized>(&mut self, v: &T) {
        self.0.push(format!("{v}"));
        self.0.push(format!("{v:?}"));
        self.0.push(format!("{v:#?}"));
    }

    /// Display and Debug of an error and of every source in its chain.
    fn error(&mut self, e: &(dyn std::error::Error + 'static)) {
        self.debug_display(e);
        let mut cur = e.source();
        let mut depth = 0;
        while let Some(s) = cur {
            self.debug_display(s);
            cur = s.source();
            depth += 1;
            assert!(depth < 32, "error chain too long");
        }
    }

    fn debug<T: std::fmt::Debug + ?Sized>(&mut self, v: &T) {
        self.0.push(format!("{v:?}"));
        self.0.push(format!("{v:#?}"));
    }
}

fn config(url: &str, attempts: u32) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            SECRET_KEY,
            Some(SESSION_TOKEN.to_owned()),
        ))
        .max_attempts(attempts)
        .attempt_timeout(Duration::from_millis(800))
        .build()
}

fn web_call(client: &workspacesweb::Client) -> workspacesweb::operation::CreateIdentityProvider {
    client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name(NAME)
        .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
        .identity_provider_details(DETAIL_KEY, DETAIL_VALUE)
        .tags(
            workspacesweb::types::Tag::builder()
                .key(TAG_KEY)
                .value(TAG_VALUE)
                .build()
                .expect("tag"),
        )
}

fn mpa_call(client: &mpa::Client) -> mpa::operation::CreateIdentitySource {
    let center = mpa::types::IamIdentityCenter::builder()
        .instance_arn("arn:aws:sso:::instance/ssoins-1111111111111111")
        .region("us-east-1")
        .build()
        .expect("center");
    client
        .create_identity_source()
        .identity_source_parameters(
            mpa::types::IdentitySourceParameters::builder()
                .iam_identity_center(center)
                .build(),
        )
        .tags(MPA_TAG_KEY, MPA_TAG_VALUE)
}

const IDP_ARN: &str = r#"{"identityProviderArn":"arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/p/i"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_debug_display_errors_or_logs() {
    capture();
    let (url, script) = server().await;
    let mut seen = Seen::default();
    let one = config(&url, 1);
    let three = config(&url, 3);
    seen.debug(&one);
    let web = workspacesweb::Client::new(&one);
    let web_retrying = workspacesweb::Client::new(&three);
    seen.debug(&web);

    // The request objects themselves.
    let call = web_call(&web);
    seen.debug(&call);
    seen.debug(call.as_input());
    let input = call.as_input().clone().build().expect("valid input");
    seen.debug(&input);
    let creds = Credentials::new("AKIDEXAMPLE", SECRET_KEY, Some(SESSION_TOKEN.to_owned()));
    seen.debug(&creds);

    // Success.
    script.push([answer(200, IDP_ARN)]);
    let out = web_call(&web).send().await.expect("success");
    seen.debug(&out);

    // Retries: two transient failures, then success.
    script.push([
        answer(500, r#"{"message":"again"}"#),
        Answer {
            headers: vec![("x-amzn-errortype", "ThrottlingException")],
            ..answer(429, r#"{"message":"slow"}"#)
        },
        answer(200, IDP_ARN),
    ]);
    let out = web_call(&web_retrying).send().await.expect("third attempt");
    seen.debug(&out);

    // Every modeled error, an unknown one and an unreadable success body.
    let errors = [
        answer(
            400,
            r#"{"__type":"ValidationException","message":"bad","reason":"other","fieldList":[{"name":"n","message":"m"}]}"#,
        ),
        answer(403, r#"{"__type":"AccessDeniedException","message":"no"}"#),
        answer(
            404,
            r#"{"__type":"ResourceNotFoundException","message":"none","resourceId":"r","resourceType":"portal"}"#,
        ),
        answer(
            409,
            r#"{"__type":"ConflictException","message":"dup","resourceId":"r","resourceType":"portal"}"#,
        ),
        answer(
            402,
            r#"{"__type":"ServiceQuotaExceededException","message":"quota","resourceId":"r","resourceType":"portal","serviceCode":"s","quotaCode":"q"}"#,
        ),
        Answer {
            headers: vec![("retry-after", "1")],
            ..answer(
                429,
                r#"{"__type":"ThrottlingException","message":"slow","serviceCode":"s","quotaCode":"q"}"#,
            )
        },
        answer(
            500,
            r#"{"__type":"InternalServerException","message":"boom"}"#,
        ),
        answer(
            418,
            r#"{"__type":"TeapotException","message":"short and stout"}"#,
        ),
        answer(200, r#"{"identityProviderArn":42}"#),
        answer(200, "not json"),
    ];
    for a in errors {
        script.push([a.clone()]);
        let err = web_call(&web).send().await.expect_err("an error");
        if a.status >= 400 && a.status != 418 {
            assert!(matches!(err, SdkError::Service(_)), "{err:?}");
        }
        seen.error(&err);
        if let SdkError::Service(e) = err {
            let e = e.into_err();
            seen.error(&e);
        }
    }

    // A timeout: the server answers after the attempt timeout.
    script.push([Answer {
        delay: Duration::from_millis(1500),
        ..answer(200, IDP_ARN)
    }]);
    let err = web_call(&web).send().await.expect_err("timeout");
    assert!(matches!(err, SdkError::Timeout(_)), "{err:?}");
    seen.error(&err);

    // A refused connection: a port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let err = web_call(&workspacesweb::Client::new(&config(&dead, 2)))
        .send()
        .await
        .expect_err("connection refused");
    assert!(matches!(err, SdkError::Transport(_)), "{err:?}");
    seen.error(&err);

    // Validation failures carrying the marker in the invalid values: nothing is sent.
    let before = script.received().len();
    let too_long = NAME.repeat(5);
    let invalid = [
        web_call(&web).identity_provider_name(too_long.as_str()),
        web_call(&web).identity_provider_name(format!("_{NAME}")),
        web_call(&web).tags(
            workspacesweb::types::Tag::builder()
                .key(format!("{TAG_KEY}!*"))
                .value(TAG_VALUE.repeat(30))
                .build()
                .expect("tag"),
        ),
    ];
    for call in invalid {
        seen.debug(&call);
        let err = call.send().await.expect_err("invalid");
        assert!(matches!(err, SdkError::Validation(_)), "{err:?}");
        seen.error(&err);
    }
    let err = mpa_call(&mpa::Client::new(&one))
        .tags(MPA_TAG_KEY.repeat(30), MPA_TAG_VALUE)
        .send()
        .await
        .expect_err("MPA tag key too long");
    assert!(matches!(err, SdkError::Validation(_)), "{err:?}");
    seen.error(&err);
    assert_eq!(script.received().len(), before, "validation sends nothing");

    // MPA: success, then a modeled error.
    let source = mpa::Client::new(&one);
    let call = mpa_call(&source);
    seen.debug(&call);
    script.push([
        answer(
            200,
            r#"{"IdentitySourceArn":"arn:aws:mpa:us-east-1:123456789012:identity-source/x","IdentitySourceType":"IAM_IDENTITY_CENTER"}"#,
        ),
        answer(
            402,
            r#"{"__type":"ServiceQuotaExceededException","message":"quota"}"#,
        ),
    ]);
    let out = call.send().await.expect("MPA success");
    seen.debug(&out);
    let err = mpa_call(&source).send().await.expect_err("MPA error");
    seen.error(&err);

    // The markers did reach the service: the test is not vacuous.
    let wire = script.received().join("\n");
    for secret in [
        NAME,
        DETAIL_KEY,
        DETAIL_VALUE,
        TAG_KEY,
        TAG_VALUE,
        MPA_TAG_KEY,
        MPA_TAG_VALUE,
    ] {
        assert!(wire.contains(secret), "{secret} was sent");
    }
    assert!(
        wire.to_ascii_lowercase().contains(&format!(
            "x-amz-security-token: {}",
            SESSION_TOKEN.to_ascii_lowercase()
        )),
        "the session token was sent"
    );
    assert!(
        !wire.contains(SECRET_KEY),
        "the secret key never goes on the wire"
    );

    // The logs are real: the transport reported requests, statuses and attempts.
    let logs = log_lines();
    assert!(
        logs.iter()
            .any(|l| l.contains("response received") && l.contains("status=409")),
        "transport events captured: {logs:#?}"
    );
    assert!(logs.iter().any(|l| l.contains("attempt=3")), "{logs:#?}");
    assert!(
        logs.iter().any(|l| l.contains("request failed")),
        "{logs:#?}"
    );

    for text in seen.0.iter().chain(logs.iter()) {
        assert!(!text.contains(MARK), "a secret leaked into: {text}");
    }
    assert!(seen.0.len() > 50, "observed {} texts", seen.0.len());
}

/// A credentials answer (container/IMDS shape) carrying the secrets.
fn credentials_body(expiration: &str) -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"AKIDPROVIDER","SecretAccessKey":"{SECRET_KEY}","Token":"{SESSION_TOKEN}","Expiration":"{expiration}"}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_providers_leak_no_secret() {
    capture();
    let (url, script) = server().await;
    let mut seen = Seen::default();
    let good = credentials_body("2099-01-01T00:00:00Z");
    let bad_answers = [
        credentials_body(MARK),
        format!("{SECRET_KEY} {SESSION_TOKEN} not json"),
        format!(r#"{{"Code":"AssumeRoleUnauthorizedAccess","SecretAccessKey":"{SECRET_KEY}"}}"#),
        format!(r#"{{"Code":"{MARK} words and {SESSION_TOKEN}"}}"#),
        format!(r#"{{"AccessKeyId":7,"SecretAccessKey":"{SECRET_KEY}"}}"#),
    ];

    // IMDS: token, role, credentials; then bad credentials answers (the token is reused).
    let imds_env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())]);
    let imds = ImdsProvider::with_env(imds_env.clone());
    script.push([
        Answer {
            headers: vec![("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
            ..answer(200, IMDS_TOKEN)
        },
        answer(200, "the-role"),
        answer(200, &good),
    ]);
    let creds = imds.provide_credentials().await.expect("IMDS credentials");
    assert_eq!(creds.secret_access_key(), SECRET_KEY);
    seen.debug(&creds);
    seen.debug(&imds);
    for body in &bad_answers {
        script.push([answer(200, "the-role"), answer(200, body)]);
        let err = imds.load().await.expect_err("bad IMDS answer");
        seen.error(&err);
    }
    script.push([
        answer(500, SECRET_KEY),
        answer(500, SECRET_KEY),
        answer(500, SECRET_KEY),
    ]);
    let err = imds.load().await.expect_err("IMDS 500s");
    seen.error(&err);

    // The container endpoint: the token goes in the Authorization header only.
    let full_uri = format!("{url}/creds");
    let container_env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str()),
    ]);
    let container = EcsContainerProvider::with_env(container_env.clone());
    script.push([answer(200, &good)]);
    seen.debug(&container.load().await.expect("container credentials"));
    seen.debug(&container);
    for body in bad_answers.iter().cloned().chain([format!(
        r#"{{"code":"{MARK} x","message":"{CONTAINER_TOKEN}"}}"#
    )]) {
        script.push([answer(401, &body)]);
        seen.error(&container.load().await.expect_err("refused"));
        script.push([answer(200, &body)]);
        seen.error(&container.load().await.expect_err("bad answer"));
    }

    // The cache and the chain over them, including a failed refresh that logs a warning.
    let short = credentials_body(
        &anvil_runtime::DateTime::from_system_time(
            std::time::SystemTime::now() + Duration::from_secs(2),
        )
        .to_string(),
    );
    let cache = CredentialsCache::new(EcsContainerProvider::with_env(container_env.clone()));
    script.push([answer(200, &short)]);
    seen.debug(&cache.provide_credentials().await.expect("cached"));
    seen.debug(&cache);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    script.push([answer(200, &bad_answers[0])]);
    let kept = cache
        .provide_credentials()
        .await
        .expect("kept through a failed refresh");
    assert_eq!(kept.secret_access_key(), SECRET_KEY);
    let chain = DefaultCredentialsChain::with_env(container_env);
    script.push([answer(200, &good)]);
    seen.debug(&chain.provide_credentials().await.expect("chain"));
    seen.debug(&chain);
    let failing_chain = DefaultCredentialsChain::with_env(imds_env);
    script.push([Answer {
        headers: vec![("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
        ..answer(200, IMDS_TOKEN)
    }]);
    script.push([answer(200, "the-role"), answer(200, &bad_answers[1])]);
    seen.error(
        &failing_chain
            .provide_credentials()
            .await
            .expect_err("chain error"),
    );
    seen.debug(&failing_chain);

    // credential_process: the output and the arguments stay out of errors and Debug.
    if cfg!(unix) {
        let output = format!(
            r#"{{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"{SECRET_KEY}","SessionToken":"{SESSION_TOKEN}"}}"#
        );
        let ok = ProcessProvider::new(format!("printf '%s' '{output}' # {PROCESS_ARG}"));
        let creds = ok.provide_credentials().await.expect("process credentials");
        assert_eq!(creds.session_token(), Some(SESSION_TOKEN));
        seen.debug(&creds);
        seen.debug(&ok);
        for command in [
            format!("printf '%s' '{output}'; exit 1 # {PROCESS_ARG}"),
            format!("printf '%s' '{SECRET_KEY} {PROCESS_ARG}'"),
            format!(
                "printf '%s' '{}' # {PROCESS_ARG}",
                output.replace(":1,", ":2,")
            ),
            format!("sleep 5 # {PROCESS_ARG}"),
        ] {
            let provider = ProcessProvider::new(command).timeout(Duration::from_millis(300));
            seen.debug(&provider);
            seen.error(
                &provider
                    .provide_credentials()
                    .await
                    .expect_err("process failure"),
            );
        }
    }

    // The tokens did reach the wire.
    let wire = script.received().join("\n").to_ascii_lowercase();
    for token in [IMDS_TOKEN, CONTAINER_TOKEN] {
        assert!(
            wire.contains(&token.to_ascii_lowercase()),
            "{token} was sent"
        );
    }
    assert!(!wire.contains(&SECRET_KEY.to_ascii_lowercase()));

    let logs = log_lines();
    assert!(
        logs.iter()
            .any(|l| l.contains("refreshing credentials failed")),
        "the failed refresh was logged: {logs:#?}"
    );
    for text in seen.0.iter().chain(logs.iter()) {
        assert!(!text.contains(MARK), "a secret leaked into: {text}");
    }
    assert!(seen.0.len() > 40, "observed {} texts", seen.0.len());
}

const WEB_TOKEN: &str = "Zq7MkWebIdentityToken";
const SSO_TOKEN: &str = "Zq7MkSsoAccessToken";
const REFRESH_TOKEN: &str = "Zq7MkSsoRefreshToken";
const CLIENT_SECRET: &str = "Zq7MkSsoClientSecret";
const NEW_SSO_TOKEN: &str = "Zq7MkSsoNewAccessToken";

/// STS's answer to `AssumeRoleWithWebIdentity`, carrying the secrets.
fn sts_answer() -> String {
    format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>AKIDWEB</AccessKeyId>\
         <SecretAccessKey>{SECRET_KEY}</SecretAccessKey><SessionToken>{SESSION_TOKEN}</SessionToken>\
         <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser>\
         <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA1:s</AssumedRoleId>\
         </AssumedRoleUser></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
    )
}

/// The web identity token, the SSO access and refresh tokens, the SSO client secret, and the
/// credentials STS and SSO return stay out of `Debug`, errors and logs, on success and on
/// failure (a refused token, a failed refresh, an unreadable answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federated_providers_leak_no_secret() {
    use anvil_runtime::credentials::{ProfileProvider, WebIdentityProvider};
    capture();
    let (url, script) = server().await;
    let mut seen = Seen::default();
    let dir = std::env::temp_dir().join(format!("anvil-secrets-federation-{}", std::process::id()));
    let cache_dir = dir.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache_dir).expect("temp dir");
    let token_file = dir.join("token");
    std::fs::write(&token_file, WEB_TOKEN).expect("token file");
    let federation = Arc::new(anvil_config::AwsFederation);

    // Web identity: a success, a refused token, an unreadable answer.
    let web_env = Env::from_vars([
        (
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        (
            "AWS_ROLE_ARN",
            "arn:aws:iam::123456789012:role/r".to_owned(),
        ),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ENDPOINT_URL_STS", url.clone()),
        ("AWS_MAX_ATTEMPTS", "1".to_owned()),
        ("HOME", dir.display().to_string()),
    ]);
    let web = WebIdentityProvider::with_env(web_env).federation(federation.clone());
    seen.debug(&web);
    script.push([Answer {
        headers: vec![("content-type", "text/xml")],
        ..answer(200, &sts_answer())
    }]);
    let creds = web.load().await.expect("web identity credentials");
    assert_eq!(creds.secret_access_key(), SECRET_KEY);
    seen.debug(&creds);
    let refused = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>\
                   <Message>The token is not valid</Message></Error></ErrorResponse>";
    for body in [refused.to_owned(), format!("<<{SECRET_KEY} not xml")] {
        script.push([answer(400, &body)]);
        seen.error(&web.load().await.expect_err("refused"));
    }

    // SSO: an expired token whose refresh is refused, then one that refreshes.
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[profile sso]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = R\n\
         [sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .expect("config");
    let sso_env = Env::from_vars([
        ("AWS_CONFIG_FILE", config.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("none").display().to_string(),
        ),
        ("AWS_PROFILE", "sso".to_owned()),
        ("AWS_ENDPOINT_URL_SSO", url.clone()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", url.clone()),
        ("AWS_MAX_ATTEMPTS", "1".to_owned()),
        ("HOME", dir.display().to_string()),
    ]);
    let spec_cache = anvil_runtime::credentials::federation::SsoSpec {
        start_url: String::new(),
        sso_region: String::new(),
        account_id: String::new(),
        role_name: String::new(),
        session_name: Some("s".to_owned()),
        profile: String::new(),
        env: Env::from_vars([("HOME", dir.display().to_string())]),
    }
    .cache_file()
    .expect("cache path");
    let cached = format!(
        r#"{{"accessToken":"{SSO_TOKEN}","expiresAt":"2000-01-01T00:00:00Z","refreshToken":"{REFRESH_TOKEN}","clientId":"client-1","clientSecret":"{CLIENT_SECRET}","registrationExpiresAt":"2099-01-01T00:00:00Z"}}"#
    );
    std::fs::write(&spec_cache, &cached).expect("cache");
    let sso = ProfileProvider::with_env(sso_env).federation(federation.clone());
    seen.debug(&sso);
    script.push([answer(400, r#"{"error":"invalid_grant"}"#)]);
    seen.error(
        &sso.provide_credentials()
            .await
            .expect_err("refresh refused"),
    );
    let refreshed = format!(
        r#"{{"accessToken":"{NEW_SSO_TOKEN}","tokenType":"Bearer","expiresIn":3600,"refreshToken":"{REFRESH_TOKEN}"}}"#
    );
    let role = format!(
        r#"{{"roleCredentials":{{"accessKeyId":"AKIDSSO","secretAccessKey":"{SECRET_KEY}","sessionToken":"{SESSION_TOKEN}","expiration":4102444800000}}}}"#
    );
    script.push([answer(200, &refreshed), answer(200, &role)]);
    let creds = sso.provide_credentials().await.expect("SSO credentials");
    assert_eq!(creds.session_token(), Some(SESSION_TOKEN));
    seen.debug(&creds);
    script.push([answer(
        401,
        r#"{"message":"Session token not found or invalid"}"#,
    )]);
    seen.error(&sso.provide_credentials().await.expect_err("portal refuses"));

    // The tokens did reach the wire.
    let wire = script.received().join("\n");
    for token in [WEB_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, NEW_SSO_TOKEN] {
        assert!(wire.contains(token), "{token} was sent");
    }
    let logs = log_lines();
    assert!(
        logs.iter()
            .any(|l| l.contains("refreshing the SSO token failed")),
        "the failed refresh was logged: {logs:#?}"
    );
    for text in seen.0.iter().chain(logs.iter()) {
        assert!(!text.contains(MARK), "a secret leaked into: {text}");
    }
    assert!(seen.0.len() > 15, "observed {} texts", seen.0.len());
    let _ = std::fs::remove_dir_all(&dir);
}

const PROXY_PASSWORD: &str = "Zq7MkProxyPassword";

/// A proxy's credentials (in `HTTPS_PROXY`/`HTTP_PROXY` userinfo) go to the proxy and nowhere
/// else: not into the transport's or the proxy settings' `Debug`, a connect error or a log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_credentials_leak_nowhere() {
    use anvil_runtime::http::{HttpClient, HttpRequest, HyperClient, ProxyConfig};
    capture();
    // A proxy that answers CONNECT with 407 and a plain-HTTP request with 502, recording both.
    let (url, script) = server().await;
    let proxy_url = url.replace("http://", &format!("http://proxy-user:{PROXY_PASSWORD}@"));
    let env = Env::from_vars([
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("HTTP_PROXY", proxy_url.as_str()),
    ]);
    let proxy = ProxyConfig::from_env(&env);
    let client = HyperClient::builder()
        .proxy(proxy.clone())
        .connect_timeout(Duration::from_secs(2))
        .build()
        .expect("a client");
    let mut seen = Seen::default();
    seen.debug(&proxy);
    seen.debug(&client);
    script.push([answer(407, "proxy auth required")]);
    let err = client
        .send(HttpRequest::new(
            http::Method::GET,
            "https://example.invalid/secret-path",
        ))
        .await
        .expect_err("the tunnel is refused");
    seen.error(&err);
    script.push([answer(502, "bad gateway")]);
    if let Ok(response) = client
        .send(HttpRequest::new(
            http::Method::GET,
            "http://example.invalid/plain",
        ))
        .await
    {
        seen.debug(&response);
    }
    let wire = script.received().join("\n");
    assert!(wire.contains("CONNECT example.invalid:443"), "{wire}");
    assert!(
        wire.to_ascii_lowercase()
            .contains("proxy-authorization: basic"),
        "the credentials went to the proxy: {wire}"
    );
    for text in seen.0.iter().chain(log_lines().iter()) {
        assert!(
            !text.contains(PROXY_PASSWORD),
            "a secret leaked into: {text}"
        );
    }
    assert!(seen.0.len() >= 6, "observed {} texts", seen.0.len());
}
