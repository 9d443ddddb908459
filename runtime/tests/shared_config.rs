//! `ConfigBuilder::from_env_with`: every setting from the environment and the shared config
//! file, their precedence, the services section, the ignore flag and invalid values; and the
//! adaptive retry mode's client-side rate limiting against standard mode.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anvil_runtime::client::{ConfigBuilder, RetryMode};
use anvil_runtime::credentials::Env;
use anvil_runtime::http::test::ReplayClient;
use anvil_runtime::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use anvil_runtime::{Config, Handle, OperationMeta, ServiceMeta};

static WORKSPACES_WEB: ServiceMeta = ServiceMeta {
    sdk_id: "WorkSpaces Web",
    signing_name: "workspaces-web",
    endpoint_prefix: "workspaces-web",
    api_version: "2020-07-08",
    endpoint_rules: None,
    env_name: "WORKSPACES_WEB",
    shape_name: "AWSErmineControlPlaneService",
    protocols: &[&anvil_runtime::protocol::rest_json::REST_JSON_1],
    query_compatible: false,
    xml_namespace: None,
};

static DYNAMODB: ServiceMeta = ServiceMeta {
    sdk_id: "DynamoDB",
    env_name: "DYNAMODB",
    ..WORKSPACES_WEB
};

/// A service without a shared-configuration id (a non-AWS model).
static NAMELESS: ServiceMeta = ServiceMeta {
    env_name: "",
    ..WORKSPACES_WEB
};

static OP: OperationMeta = OperationMeta {
    name: "DoThing",
    retryable_errors: &[],
    throttling_errors: &[],
    request_compression: &[],
    unsigned: true,
};

/// Writes `text` to a config file of its own under the temp dir.
fn config_file(text: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "anvil-shared-config-{}-{n}-{:?}.ini",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    std::fs::write(&path, text).expect("write the config file");
    path
}

/// `from_env_with` over the variables `vars` and a config file holding `config` (and no
/// credentials file); the file is removed once read.
fn from_env(config: &str, vars: &[(&str, &str)]) -> ConfigBuilder {
    let path = config_file(config);
    let builder = ConfigBuilder::from_env_with(env(&path, vars));
    let _ = std::fs::remove_file(&path);
    builder
}

/// The variables `vars`, with the config file at `path`.
fn env(path: &std::path::Path, vars: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.push(("AWS_CONFIG_FILE".into(), path.display().to_string()));
    all.push((
        "AWS_SHARED_CREDENTIALS_FILE".into(),
        path.with_extension("missing").display().to_string(),
    ));
    Env::from_vars(all)
}

fn build(builder: ConfigBuilder) -> Config {
    builder.http_client(ReplayClient::default()).build()
}

/// The endpoint a client of `service` gets from `builder`.
fn endpoint(builder: ConfigBuilder, service: &'static ServiceMeta) -> Option<String> {
    let config = build(builder);
    Handle::new(&config, service)
        .config()
        .endpoint_url()
        .map(str::to_owned)
}

const SERVICES_CONFIG: &str = "\
[default]
endpoint_url = http://profile-global:1
services = local

[services local]
workspaces_web =
  endpoint_url = http://profile-service:2
dynamodb =
  region = nested-only

[profile bare]
region = eu-north-1
";

#[test]
fn endpoint_urls_follow_the_sdk_precedence() {
    let service_var = ("AWS_ENDPOINT_URL_WORKSPACES_WEB", "http://env-service:3");
    let global_var = ("AWS_ENDPOINT_URL", "http://env-global:4");
    let load = |vars: &[(&str, &str)]| from_env(SERVICES_CONFIG, vars);

    let all = load(&[service_var, global_var]);
    assert_eq!(
        endpoint(all.clone(), &WORKSPACES_WEB).as_deref(),
        Some("http://env-service:3")
    );
    // Another service's variable does not apply; the global one does.
    assert_eq!(
        endpoint(all.clone(), &DYNAMODB).as_deref(),
        Some("http://env-global:4")
    );
    // Explicit code wins over everything.
    assert_eq!(
        endpoint(all.endpoint_url("http://code:5"), &WORKSPACES_WEB).as_deref(),
        Some("http://code:5")
    );
    // `AWS_ENDPOINT_URL` wins over the profile's services section.
    assert_eq!(
        endpoint(load(&[global_var]), &WORKSPACES_WEB).as_deref(),
        Some("http://env-global:4")
    );
    // Then the services section, then the profile's `endpoint_url`.
    let profile_only = load(&[]);
    assert_eq!(
        endpoint(profile_only.clone(), &WORKSPACES_WEB).as_deref(),
        Some("http://profile-service:2")
    );
    // DynamoDB's entry has no `endpoint_url`.
    assert_eq!(
        endpoint(profile_only.clone(), &DYNAMODB).as_deref(),
        Some("http://profile-global:1")
    );
    assert_eq!(
        endpoint(profile_only.clone(), &NAMELESS).as_deref(),
        Some("http://profile-global:1")
    );
    // The builder reports the URL that applies to every service.
    assert_eq!(
        build(profile_only).endpoint_url(),
        Some("http://profile-global:1")
    );
    // Another profile without any: no endpoint.
    let bare = load(&[("AWS_PROFILE", "bare")]);
    assert_eq!(endpoint(bare.clone(), &WORKSPACES_WEB), None);
    assert_eq!(build(bare).region(), Some("eu-north-1"));
}

#[test]
fn the_service_variable_is_read_from_the_builders_env_not_the_process() {
    // The process environment of this test has no such variable; the given Env does.
    let vars = [("AWS_ENDPOINT_URL_DYNAMODB", "http://only-in-env:6")];
    let builder = from_env("", &vars);
    assert_eq!(
        endpoint(builder.clone(), &DYNAMODB).as_deref(),
        Some("http://only-in-env:6")
    );
    assert_eq!(endpoint(builder.clone(), &WORKSPACES_WEB), None);
    // A derived configuration keeps resolving per service.
    let derived = build(builder).to_builder().region("us-west-2");
    assert_eq!(
        endpoint(derived, &DYNAMODB).as_deref(),
        Some("http://only-in-env:6")
    );
}

#[test]
fn a_services_key_naming_no_section_falls_back_to_the_profile_url() {
    let config = "[default]\nendpoint_url = http://g:1\nservices = nowhere\n";
    let builder = from_env(config, &[]);
    assert_eq!(
        endpoint(builder, &WORKSPACES_WEB).as_deref(),
        Some("http://g:1")
    );
    // A `[services x]` section used by a named profile.
    let config =
        "[profile dev]\nservices = x\n[services x]\ndynamodb =\n  endpoint_url = http://ddb:8000\n";
    let builder = from_env(config, &[("AWS_PROFILE", "dev")]);
    assert_eq!(
        endpoint(builder, &DYNAMODB).as_deref(),
        Some("http://ddb:8000")
    );
}

#[test]
fn configured_endpoints_can_be_ignored() {
    let vars = [
        ("AWS_ENDPOINT_URL_WORKSPACES_WEB", "http://env-service:3"),
        ("AWS_ENDPOINT_URL", "http://env-global:4"),
    ];
    let mut with_flag = vars.to_vec();
    with_flag.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"));
    let builder = from_env(SERVICES_CONFIG, &with_flag);
    assert_eq!(endpoint(builder.clone(), &WORKSPACES_WEB), None);
    assert_eq!(build(builder.clone()).endpoint_url(), None);
    // Code still sets one.
    assert_eq!(
        endpoint(builder.endpoint_url("http://code:5"), &WORKSPACES_WEB).as_deref(),
        Some("http://code:5")
    );
    // The profile key ignores them too...
    let config = format!(
        "{SERVICES_CONFIG}\n[profile ignoring]\nendpoint_url = http://p:1\nignore_configured_endpoint_urls = true\n"
    );
    let mut in_profile = vars.to_vec();
    in_profile.push(("AWS_PROFILE", "ignoring"));
    let builder = from_env(&config, &in_profile);
    assert_eq!(endpoint(builder, &WORKSPACES_WEB), None);
    // ...unless the variable says false; an invalid variable falls back to the profile.
    for (value, expect) in [("false", Some("http://env-service:3")), ("maybe", None)] {
        let mut vars = in_profile.clone();
        vars.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", value));
        let builder = from_env(&config, &vars);
        assert_eq!(
            endpoint(builder, &WORKSPACES_WEB).as_deref(),
            expect,
            "{value}"
        );
    }
}

#[test]
fn region_comes_from_the_variables_then_the_profile() {
    let config = "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n";
    let region = |vars: &[(&str, &str)]| build(from_env(config, vars)).region().map(str::to_owned);
    assert_eq!(region(&[]).as_deref(), Some("eu-west-1"));
    assert_eq!(
        region(&[("AWS_PROFILE", "dev")]).as_deref(),
        Some("ap-south-1")
    );
    assert_eq!(
        region(&[("AWS_DEFAULT_REGION", "us-west-1")]).as_deref(),
        Some("us-west-1")
    );
    assert_eq!(
        region(&[
            ("AWS_DEFAULT_REGION", "us-west-1"),
            ("AWS_REGION", "us-east-2")
        ])
        .as_deref(),
        Some("us-east-2")
    );
    let code = from_env(config, &[]).region("sa-east-1");
    assert_eq!(build(code).region(), Some("sa-east-1"));
}

#[test]
fn fips_and_dual_stack_flags() {
    let config = "[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n";
    let load = |config: &str, vars: &[(&str, &str)]| build(from_env(config, vars));
    let c = load(config, &[]);
    assert!(c.use_fips() && c.use_dual_stack());
    // The variable wins over the profile.
    let c = load(
        config,
        &[
            ("AWS_USE_FIPS_ENDPOINT", "false"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "False"),
        ],
    );
    assert!(!c.use_fips() && !c.use_dual_stack());
    let c = load(
        "",
        &[
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", " true "),
        ],
    );
    assert!(c.use_fips() && c.use_dual_stack());
    // Invalid values are ignored: an invalid variable leaves the profile's value, an
    // invalid profile value the default.
    let c = load(config, &[("AWS_USE_FIPS_ENDPOINT", "yes")]);
    assert!(c.use_fips());
    let c = load("[default]\nuse_fips_endpoint = 1\n", &[]);
    assert!(!c.use_fips());
    // Code wins.
    let code = from_env(config, &[]).use_fips(false);
    assert!(!build(code).use_fips());
}

#[test]
fn max_attempts_and_retry_mode() {
    let load = |config: &str, vars: &[(&str, &str)]| build(from_env(config, vars));
    let profile = "[default]\nmax_attempts = 5\nretry_mode = adaptive\n";
    let c = load(profile, &[]);
    assert_eq!((c.max_attempts(), c.retry_mode()), (5, RetryMode::Adaptive));
    let c = load(
        profile,
        &[("AWS_MAX_ATTEMPTS", "7"), ("AWS_RETRY_MODE", "standard")],
    );
    assert_eq!((c.max_attempts(), c.retry_mode()), (7, RetryMode::Standard));
    // `legacy` is taken as standard.
    let c = load("", &[("AWS_RETRY_MODE", "legacy")]);
    assert_eq!(c.retry_mode(), RetryMode::Standard);
    let c = load("", &[("AWS_RETRY_MODE", "ADAPTIVE")]);
    assert_eq!(c.retry_mode(), RetryMode::Adaptive);
    // Invalid values: the next source, else the default.
    let c = load(
        profile,
        &[("AWS_MAX_ATTEMPTS", "lots"), ("AWS_RETRY_MODE", "fast")],
    );
    assert_eq!((c.max_attempts(), c.retry_mode()), (5, RetryMode::Adaptive));
    for bad in ["0", "-1", "3.5", "99999999999"] {
        let c = load("", &[("AWS_MAX_ATTEMPTS", bad)]);
        assert_eq!(c.max_attempts(), 3, "{bad}");
    }
    let c = load("[default]\nmax_attempts = none\nretry_mode = x\n", &[]);
    assert_eq!((c.max_attempts(), c.retry_mode()), (3, RetryMode::Standard));
    // Code wins.
    let code = from_env(profile, &[])
        .max_attempts(2)
        .retry_mode(RetryMode::Standard);
    let c = build(code);
    assert_eq!((c.max_attempts(), c.retry_mode()), (2, RetryMode::Standard));
    assert_eq!(
        "Adaptive".parse::<RetryMode>().ok(),
        Some(RetryMode::Adaptive)
    );
    assert!("legacy".parse::<RetryMode>().is_err());
}

#[test]
fn checksum_and_compression_settings_come_from_the_profile_too() {
    use anvil_runtime::checksum::RequestChecksumCalculation;
    let profile = "[default]\nrequest_checksum_calculation = when_required\n\
                   disable_request_compression = true\nrequest_min_compression_size_bytes = 100\n";
    let c = build(from_env(profile, &[]));
    assert!(c.request_compression().disabled);
    assert_eq!(c.request_compression().min_size, 100);
    let c = build(
        from_env(
            profile,
            &[
                ("AWS_DISABLE_REQUEST_COMPRESSION", "false"),
                ("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "99999999"),
            ],
        )
        .request_checksum_calculation(RequestChecksumCalculation::WhenSupported),
    );
    assert!(!c.request_compression().disabled);
    // Out of range in the variable: the profile's value applies.
    assert_eq!(c.request_compression().min_size, 100);
}

/// A transport that records when each request was sent (on the Tokio clock).
#[derive(Clone, Debug)]
struct Timed {
    replay: ReplayClient,
    start: tokio::time::Instant,
    sent: Arc<Mutex<Vec<Duration>>>,
}

impl Timed {
    fn new(responses: Vec<HttpResponse>) -> Timed {
        Timed {
            replay: ReplayClient::new(responses),
            start: tokio::time::Instant::now(),
            sent: Arc::default(),
        }
    }

    fn sent(&self) -> Vec<f64> {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.iter().map(Duration::as_secs_f64).collect()
    }
}

impl HttpClient for Timed {
    fn send(
        &self,
        request: HttpRequest,
    ) -> anvil_runtime::BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self.start.elapsed());
        self.replay.send(request)
    }
}

fn throttled() -> HttpResponse {
    HttpResponse::new(400, r#"{"__type":"ThrottlingException"}"#)
}

/// Sends `calls` single-attempt calls, one after another, through two handles made from one
/// configuration (alternately), and returns when each was sent, in seconds.
fn send_times(mode: RetryMode, responses: Vec<HttpResponse>, calls: usize) -> Vec<f64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    rt.block_on(async {
        let transport = Timed::new(responses);
        let config = Config::builder()
            .endpoint_url("http://localhost")
            .http_client(transport.clone())
            .max_attempts(1)
            .retry_mode(mode)
            .build();
        let handles = [
            Handle::new(&config, &WORKSPACES_WEB),
            Handle::new(&config.clone(), &DYNAMODB),
        ];
        for i in 0..calls {
            let request = HttpRequest::new(http::Method::GET, "/");
            let response = handles[i % 2].dispatch(&OP, request, "").await;
            assert!(response.is_ok(), "{response:?}");
        }
        transport.sent()
    })
}

#[test]
fn adaptive_mode_delays_sends_after_throttles_and_standard_does_not() {
    let ok = || HttpResponse::new(200, "{}");
    let script = || vec![throttled(), ok(), ok(), ok()];
    let standard = send_times(RetryMode::Standard, script(), 4);
    assert_eq!(standard, [0.0, 0.0, 0.0, 0.0]);
    // The first throttle (nothing measured yet) drops the rate to half a token a second
    // with an empty bucket: the next send waits 2 s, through the other handle too.
    let adaptive = send_times(RetryMode::Adaptive, script(), 4);
    assert_eq!(adaptive[0], 0.0);
    assert!((2.0..2.01).contains(&adaptive[1]), "{adaptive:?}");
    // The success measured at 2 s raises the rate to 1.6 a second: 0.625 s more.
    assert!((2.625..2.635).contains(&adaptive[2]), "{adaptive:?}");
    assert!(adaptive[3] > adaptive[2], "{adaptive:?}");
    // Without throttles adaptive mode does not limit.
    let unthrottled = send_times(RetryMode::Adaptive, vec![ok(), ok(), ok(), ok()], 4);
    assert_eq!(unthrottled, [0.0, 0.0, 0.0, 0.0]);
}
