//! Client configuration and the request pipeline shared by every operation: endpoint
//! resolution, signing, sending, retries and timeouts.

use crate::checksum::{RequestChecksumCalculation, ResponseChecksumValidation};
use crate::codec::SerializeStruct;
use crate::compression::CompressionConfig;
use crate::credentials::ProvideCredentials;
use crate::endpoint::{AuthScheme, Endpoint, Params, RuleSet, Value as EndpointValue};
use crate::error::{ConfigError, SdkError, SendError, TimeoutError, TimeoutKind};
use crate::http::{HttpClient, HttpRequest, HttpResponse, StreamingResponse, TransportError};
use crate::protocol::flexible_checksums::{self, ChecksumSettings};
use crate::protocol::{Operation, Protocol};
use crate::stream::ByteStream;
use http::header::{CONTENT_LENGTH, HOST, HeaderName, HeaderValue, USER_AGENT};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

mod event_stream;
mod presigning;
mod rate_limit;
mod resolve;
mod s3_express;
mod shared_config;

use rate_limit::ClientRateLimiter;
use shared_config::ConfiguredEndpoints;

/// What the runtime needs to know about a service; a `static` in each generated client.
#[derive(Debug)]
pub struct ServiceMeta {
    /// The SDK id (`WorkSpaces Web`).
    pub sdk_id: &'static str,
    /// The SigV4 signing name (`workspaces-web`).
    pub signing_name: &'static str,
    /// The endpoint prefix (`workspaces-web`).
    pub endpoint_prefix: &'static str,
    /// The API version (`2020-07-08`).
    pub api_version: &'static str,
    /// The endpoint rule set as JSON (`smithy.rules#endpointRuleSet`), if the model has one.
    pub endpoint_rules: Option<&'static str>,
    /// The suffix of the service's endpoint variable: `AWS_ENDPOINT_URL_<env_name>`
    /// (`WORKSPACES_WEB`).
    pub env_name: &'static str,
    /// The service shape's name (`DynamoDB_20120810`): the `X-Amz-Target` prefix of the
    /// awsJson protocols and the service segment of rpcv2Cbor paths.
    pub shape_name: &'static str,
    /// The protocols the service supports that the runtime speaks, the default first (empty
    /// when it speaks none the runtime knows). [`ConfigBuilder::protocol`] picks another.
    pub protocols: &'static [&'static dyn Protocol],
    /// `aws.protocols#awsQueryCompatible`: requests carry `x-amzn-query-mode`, error
    /// responses may carry the query API's code in `x-amzn-query-error`.
    pub query_compatible: bool,
    /// The service's `@xmlNamespace`: restXml puts it on request bodies whose root has none.
    pub xml_namespace: Option<crate::schema::XmlNamespace>,
}

/// What the runtime needs to know about an operation; a `static` per operation.
#[derive(Debug)]
pub struct OperationMeta {
    /// The operation name.
    pub name: &'static str,
    /// Error codes modeled `@retryable`.
    pub retryable_errors: &'static [&'static str],
    /// Error codes modeled `@retryable(throttling: true)`.
    pub throttling_errors: &'static [&'static str],
    /// The `@requestCompression` encodings (empty: none); see [`crate::compression`].
    pub request_compression: &'static [&'static str],
    /// `@auth([])`: requests are sent unsigned, and no credentials are asked for (STS
    /// `AssumeRoleWithWebIdentity`, SSO `GetRoleCredentials`, SSO-OIDC `CreateToken`).
    pub unsigned: bool,
}

/// Default number of attempts (first try plus retries).
const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// How failed attempts are retried (`AWS_RETRY_MODE`, profile key `retry_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMode {
    /// Exponential backoff with full jitter, and a retry quota shared by the client's calls
    /// so that a failing service is not hammered (the default).
    #[default]
    Standard,
    /// [`Standard`](Self::Standard) plus client-side rate limiting, as in the AWS SDKs: once
    /// the service has throttled the client, every attempt first takes a token from a bucket
    /// whose fill rate follows CUBIC (cut on each throttle, grown back on successes), waiting
    /// when it is empty. The limiter is shared by all calls of a client and by clones of its
    /// [`Config`].
    Adaptive,
}

impl std::str::FromStr for RetryMode {
    type Err = ConfigError;

    /// `standard` or `adaptive`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(RetryMode::Standard),
            "adaptive" => Ok(RetryMode::Adaptive),
            _ => Err(ConfigError::new(
                "the retry mode must be `standard` or `adaptive`",
            )),
        }
    }
}
/// Longest backoff, and longest `Retry-After` honoured.
const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// Error codes that mean throttling, for every service.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];
/// Error codes that mean a transient failure, for every service.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "InternalError"];
/// Statuses retried whatever the body says.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Client configuration. Cheap to clone (providers and transport are shared).
#[derive(Clone)]
pub struct Config {
    region: Option<String>,
    endpoint_url: Option<String>,
    use_fips: bool,
    use_dual_stack: bool,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    http_client: Option<Arc<dyn HttpClient>>,
    max_attempts: u32,
    connect_timeout: Option<Duration>,
    /// Stalled-stream protection of the default transport (`None`: its default).
    stalled_stream_protection: Option<crate::http::StalledStreamProtection>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    /// Loaded from the environment and the endpoint not set by hand: `Handle::new` picks
    /// the service's configured endpoint (see `client/shared_config.rs`).
    configured_endpoints: Option<Arc<ConfiguredEndpoints>>,
    retry_mode: RetryMode,
    /// The adaptive mode's limiter, shared by clones (`None` in standard mode).
    rate_limiter: Option<Arc<ClientRateLimiter>>,
    /// Makes idempotency tokens for members the caller left unset.
    token_provider: Option<TokenProvider>,
    /// `validate_constraints(false)`: inputs are sent without their constraint checks.
    skip_constraints: bool,
    /// Request compression for `@requestCompression` operations.
    compression: CompressionConfig,
    /// `@endpoint` host prefixes are not applied.
    disable_host_prefix: bool,
    /// The preferred protocol (shape id), for services that support several.
    protocol: Option<String>,
    /// Endpoint built-ins set by typed setters, by built-in id (see `client/resolve.rs`).
    endpoint_builtins: Vec<(&'static str, EndpointValue)>,
    /// `smithy.rules#clientContextParams` values, by parameter name.
    client_context_params: Vec<(String, EndpointValue)>,
    /// When flexible checksums are computed and validated.
    checksums: ChecksumSettings,
}

/// A source of idempotency tokens (the default is a random UUID v4 per call).
pub type TokenProvider = Arc<dyn Fn() -> String + Send + Sync>;

impl Config {
    /// A builder with nothing set.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// How `@requestCompression` request bodies are compressed.
    pub fn request_compression(&self) -> CompressionConfig {
        self.compression
    }

    /// Whether inputs are checked against the model's constraints before they are sent
    /// (see [`ConfigBuilder::validate_constraints`]).
    pub fn validates_constraints(&self) -> bool {
        !self.skip_constraints
    }

    /// A new idempotency token from the configured provider, else a random UUID v4.
    pub fn idempotency_token(&self) -> String {
        match &self.token_provider {
            Some(provider) => provider(),
            None => crate::idempotency::new_token(),
        }
    }

    /// Configuration from the environment: see [`ConfigBuilder::from_env`].
    pub fn from_env() -> Config {
        ConfigBuilder::from_env().build()
    }

    /// Configuration from `env`: see [`ConfigBuilder::from_env_with`].
    pub fn from_env_with(env: crate::credentials::Env) -> Config {
        ConfigBuilder::from_env_with(env).build()
    }

    /// The region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint URL override.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// Whether FIPS endpoints are requested.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Whether dual-stack endpoints are requested.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// The credentials provider (requests are unsigned without one).
    pub fn credentials_provider(&self) -> Option<&Arc<dyn ProvideCredentials>> {
        self.credentials.as_ref()
    }

    /// The transport.
    pub fn http_client(&self) -> Option<&Arc<dyn HttpClient>> {
        self.http_client.as_ref()
    }

    /// A builder holding this configuration, to change some of it.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            credentials: self.credentials.clone(),
            http_client: self.http_client.clone(),
            max_attempts: Some(self.max_attempts),
            connect_timeout: self.connect_timeout,
            stalled_stream_protection: self.stalled_stream_protection,
            attempt_timeout: self.attempt_timeout,
            operation_timeout: self.operation_timeout,
            configured_endpoints: self.configured_endpoints.clone(),
            retry_mode: self.retry_mode,
            rate_limiter: self.rate_limiter.clone(),
            token_provider: self.token_provider.clone(),
            skip_constraints: self.skip_constraints,
            compression: self.compression,
            disable_host_prefix: self.disable_host_prefix,
            protocol: self.protocol.clone(),
            endpoint_builtins: self.endpoint_builtins.clone(),
            client_context_params: self.client_context_params.clone(),
            checksums: self.checksums,
            // The transport is kept, so the environment it was made from is not needed.
            env: None,
        }
    }

    /// Attempts per operation, the first included (1: no retries).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How failed attempts are retried.
    pub fn retry_mode(&self) -> RetryMode {
        self.retry_mode
    }

    /// Connect timeout of the default transport.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// Stalled-stream protection of the default transport, if set
    /// (see [`ConfigBuilder::stalled_stream_protection`]).
    pub fn stalled_stream_protection(&self) -> Option<crate::http::StalledStreamProtection> {
        self.stalled_stream_protection
    }

    /// Timeout of each attempt.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// Timeout of a whole operation, retries included.
    pub fn operation_timeout(&self) -> Option<Duration> {
        self.operation_timeout
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "** redacted **"),
            )
            .field("http_client", &self.http_client)
            .field("max_attempts", &self.max_attempts)
            .field("retry_mode", &self.retry_mode)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .finish()
    }
}

/// Builds a [`Config`].
#[derive(Clone, Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    endpoint_url: Option<String>,
    use_fips: bool,
    use_dual_stack: bool,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    http_client: Option<Arc<dyn HttpClient>>,
    max_attempts: Option<u32>,
    connect_timeout: Option<Duration>,
    /// Stalled-stream protection of the default transport (`None`: its default).
    stalled_stream_protection: Option<crate::http::StalledStreamProtection>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    configured_endpoints: Option<Arc<ConfiguredEndpoints>>,
    retry_mode: RetryMode,
    rate_limiter: Option<Arc<ClientRateLimiter>>,
    token_provider: Option<TokenProvider>,
    skip_constraints: bool,
    compression: CompressionConfig,
    disable_host_prefix: bool,
    protocol: Option<String>,
    endpoint_builtins: Vec<(&'static str, EndpointValue)>,
    client_context_params: Vec<(String, EndpointValue)>,
    checksums: ChecksumSettings,
    /// The environment the builder was loaded from (`from_env_with`), which the default
    /// transport reads its proxy and CA-bundle settings from; else the process's.
    #[cfg_attr(not(feature = "https"), allow(dead_code))]
    env: Option<crate::credentials::Env>,
}

impl ConfigBuilder {
    /// The region (e.g. `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends every request to this URL (e.g. `http://localhost:4566`). A service with endpoint
    /// rules gets it as their `SDK::Endpoint` built-in, as in the AWS SDKs: they normally
    /// return it unchanged, but reject it combined with FIPS or dual-stack.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self.configured_endpoints = None;
        self
    }

    /// Requests FIPS endpoints.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.use_fips = on;
        self
    }

    /// Requests dual-stack (IPv6) endpoints.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.use_dual_stack = on;
        self
    }

    /// A credentials provider (static [`crate::credentials::Credentials`] are one).
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// A shared credentials provider.
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// The transport (default: [`crate::http::HyperClient`] with the `https` feature).
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http_client = Some(Arc::new(client));
        self
    }

    /// Attempts per operation including the first (default 3; 1 disables retries; 0 is
    /// taken as 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// How failed attempts are retried (default [`RetryMode::Standard`]).
    pub fn retry_mode(mut self, mode: RetryMode) -> Self {
        self.retry_mode = mode;
        self
    }

    /// Connect timeout of the default transport (default: 3.1 s, as the AWS SDKs).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Stalled-stream protection of the default transport (default: on, with a grace period
    /// of 5 s): a body that makes no progress for that long fails the attempt. Not applied
    /// to a transport set with [`http_client`](Self::http_client).
    pub fn stalled_stream_protection(
        mut self,
        protection: crate::http::StalledStreamProtection,
    ) -> Self {
        self.stalled_stream_protection = Some(protection);
        self
    }

    /// Timeout of each attempt: sending the request and reading the whole response (for a
    /// streamed response body, up to its head; reading the stream is up to the caller).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Timeout of a whole operation, retries and backoff included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// The configuration.
    pub fn build(self) -> Config {
        #[cfg(feature = "https")]
        let http_client = self.http_client.or_else(|| {
            // The default transport: proxies and the CA bundle from the builder's environment
            // (an unusable bundle is logged and left out), a 3.1 s connect timeout unless set.
            let env = self
                .env
                .clone()
                .unwrap_or_else(crate::credentials::Env::process);
            let mut transport = crate::http::HyperClient::builder().env(&env);
            if let Some(timeout) = self.connect_timeout {
                transport = transport.connect_timeout(timeout);
            }
            if let Some(protection) = self.stalled_stream_protection {
                transport = transport.stalled_stream_protection(protection);
            }
            Some(Arc::new(transport.build_lenient()) as Arc<dyn HttpClient>)
        });
        #[cfg(not(feature = "https"))]
        let http_client = self.http_client;
        Config {
            region: self.region,
            endpoint_url: self.endpoint_url,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            credentials: self.credentials,
            http_client,
            max_attempts: self.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
            connect_timeout: self.connect_timeout,
            stalled_stream_protection: self.stalled_stream_protection,
            attempt_timeout: self.attempt_timeout,
            operation_timeout: self.operation_timeout,
            configured_endpoints: self.configured_endpoints,
            rate_limiter: match self.retry_mode {
                RetryMode::Standard => None,
                RetryMode::Adaptive => self.rate_limiter.or_else(|| Some(Arc::default())),
            },
            retry_mode: self.retry_mode,
            token_provider: self.token_provider,
            skip_constraints: self.skip_constraints,
            compression: self.compression,
            disable_host_prefix: self.disable_host_prefix,
            protocol: self.protocol,
            endpoint_builtins: self.endpoint_builtins,
            client_context_params: self.client_context_params,
            checksums: self.checksums,
        }
    }

    /// When request checksums (`aws.protocols#httpChecksum`) are computed: `WhenSupported`
    /// (the default: for every operation that supports one) or `WhenRequired` (only where the
    /// operation requires one or the input names an algorithm).
    /// `AWS_REQUEST_CHECKSUM_CALCULATION`, profile key `request_checksum_calculation`.
    pub fn request_checksum_calculation(mut self, when: RequestChecksumCalculation) -> Self {
        self.checksums.calculation = when;
        self
    }

    /// When response checksums are validated: `WhenSupported` (the default: for every
    /// operation that supports it, asking the service for them) or `WhenRequired` (only when
    /// the input enables it). `AWS_RESPONSE_CHECKSUM_VALIDATION`, profile key
    /// `response_checksum_validation`.
    pub fn response_checksum_validation(mut self, when: ResponseChecksumValidation) -> Self {
        self.checksums.validation = when;
        self
    }

    /// The protocol to speak (its shape id, e.g. `smithy.protocols#rpcv2Cbor`) with services
    /// that support it among several; others keep their default (see
    /// [`ServiceMeta::protocols`]).
    pub fn protocol(mut self, id: impl Into<String>) -> Self {
        self.protocol = Some(id.into());
        self
    }

    /// Sends `@endpoint` operations to the endpoint itself, without their host prefix
    /// (`streaming-` for CloudWatch Logs' `StartLiveTail`, `data-` for some services): for
    /// endpoints the prefix cannot apply to, such as IP addresses and local test servers.
    /// Off by default, as in the AWS SDKs.
    pub fn disable_host_prefix(mut self, disabled: bool) -> Self {
        self.disable_host_prefix = disabled;
        self
    }

    /// Turns off gzip compression of `@requestCompression` request bodies (default on, when
    /// the runtime's `compression` feature is enabled; `AWS_DISABLE_REQUEST_COMPRESSION`).
    pub fn disable_request_compression(mut self, disabled: bool) -> Self {
        self.compression.disabled = disabled;
        self
    }

    /// Bodies of `@requestCompression` operations smaller than this are sent uncompressed
    /// (default 10,240 bytes; at most 10,485,760; `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`).
    pub fn request_min_compression_size_bytes(mut self, bytes: u32) -> Self {
        self.compression.min_size = bytes.min(crate::compression::MAX_MIN_COMPRESSION_SIZE);
        self
    }

    /// Whether inputs are checked against the model's constraints (length, pattern, range,
    /// enum values, unique items) before they are sent; default true. Turn it off to let the
    /// service be the judge, e.g. against a mock whose identifiers do not follow the model's
    /// patterns. Required members are still required: requests cannot be built without them.
    pub fn validate_constraints(mut self, on: bool) -> Self {
        self.skip_constraints = !on;
        self
    }

    /// Sets how idempotency tokens are made for members the caller left unset (default: a
    /// random UUID v4 per call). A fixed provider makes requests reproducible in tests.
    pub fn idempotency_token_provider(
        mut self,
        provider: impl Fn() -> String + Send + Sync + 'static,
    ) -> Self {
        self.token_provider = Some(Arc::new(provider));
        self
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "** redacted **"),
            )
            .finish_non_exhaustive()
    }
}

/// An endpoint ready for requests.
#[derive(Clone, Debug)]
struct ResolvedEndpoint {
    /// Without a trailing slash.
    base: String,
    /// `host[:port]`.
    authority: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// How requests to it are signed (from its `authSchemes`).
    auth: AuthScheme,
}

/// The standard retry quota: retries spend tokens, successes earn some back, so a failing
/// service is not hammered by every caller's retries.
#[derive(Debug)]
struct RetryQuota {
    tokens: Mutex<u32>,
}

const QUOTA_MAX: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;

impl RetryQuota {
    fn acquire(&self, cost: u32) -> bool {
        let mut t = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if *t >= cost {
            *t -= cost;
            true
        } else {
            false
        }
    }

    fn release(&self, amount: u32) {
        let mut t = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        *t = t.saturating_add(amount).min(QUOTA_MAX);
    }
}

struct Inner {
    config: Config,
    service: &'static ServiceMeta,
    protocol: Option<&'static dyn Protocol>,
    /// The service's rule set, parsed once (shared with handles derived by
    /// [`Handle::with_config_override`]).
    rules: Arc<OnceLock<Result<RuleSet, String>>>,
    /// The endpoint of operations that bind no parameters of their own.
    endpoint: OnceLock<Result<ResolvedEndpoint, resolve::Failure>>,
    quota: RetryQuota,
    user_agent: HeaderValue,
    /// S3 Express sessions (`sigv4-s3express` endpoints).
    express: s3_express::ExpressSessions,
}

/// A client's shared state: configuration, service description, the resolved endpoint and
/// the retry quota. Cheap to clone.
#[derive(Clone)]
pub struct Handle {
    inner: Arc<Inner>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("service", &self.inner.service.sdk_id)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// What one attempt came to.
enum Outcome {
    Done(HttpResponse),
    Retry {
        response: Option<HttpResponse>,
        err: Option<AttemptError>,
        retry_after: Option<Duration>,
        cost: u32,
        /// A throttling error (the adaptive mode's rate limiter slows down).
        throttling: bool,
    },
    Fail(AttemptError),
}

impl Outcome {
    fn is_throttling(&self) -> bool {
        matches!(
            self,
            Outcome::Retry {
                throttling: true,
                ..
            }
        )
    }
}

/// What a call knows beyond its request: the operation's own endpoint parameters, and the
/// operation itself when the caller has it (its protocol's `is_error` needs it).
#[derive(Default)]
struct CallContext {
    endpoint_params: Option<Params>,
    operation: Option<&'static Operation>,
    /// An input event stream's body waits here for the request's signature.
    event_signer: Option<crate::event_stream::SignerSlot>,
}

impl CallContext {
    fn new(operation: &'static Operation, endpoint_params: Option<Params>) -> CallContext {
        CallContext {
            endpoint_params,
            operation: Some(operation),
            event_signer: None,
        }
    }
}

/// What an exchange brought back.
enum Reply {
    Buffered(HttpResponse),
    Streaming(StreamingResponse),
}

enum AttemptError {
    Transport(TransportError),
    Timeout(Duration),
}

impl Handle {
    /// A handle for `service` with `config`. If the configuration came from the environment
    /// and its endpoint was not set by hand, the service's configured endpoint applies
    /// (`AWS_ENDPOINT_URL_<env_name>`, the profile's services section; see
    /// [`ConfigBuilder::from_env_with`]).
    pub fn new(config: &Config, service: &'static ServiceMeta) -> Handle {
        let mut config = config.clone();
        if let Some(endpoints) = &config.configured_endpoints {
            config.endpoint_url = endpoints.for_service(service);
        }
        let ua = format!(
            "anvil/{} api/{}/{}",
            env!("CARGO_PKG_VERSION"),
            service.sdk_id.replace(' ', "_"),
            service.api_version
        );
        let user_agent = HeaderValue::from_str(&ua).unwrap_or_else(|_| {
            HeaderValue::from_static(concat!("anvil/", env!("CARGO_PKG_VERSION")))
        });
        let preferred = config
            .protocol
            .as_deref()
            .and_then(|id| service.protocols.iter().find(|p| p.id() == id));
        let protocol = preferred.or(service.protocols.first()).copied();
        Handle {
            inner: Arc::new(Inner {
                config,
                service,
                protocol,
                rules: Arc::new(OnceLock::new()),
                endpoint: OnceLock::new(),
                quota: RetryQuota {
                    tokens: Mutex::new(QUOTA_MAX),
                },
                user_agent,
                express: s3_express::ExpressSessions::default(),
            }),
        }
    }

    /// A handle for one call (or a few) with this configuration changed by `f`: what the
    /// generated fluent builders' `config_override` uses. It shares the credentials provider,
    /// the transport and the parsed endpoint rules; it resolves its own endpoint.
    pub fn with_config_override(&self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Handle {
        self.with_config(f(self.inner.config.to_builder()))
    }

    fn with_config(&self, builder: ConfigBuilder) -> Handle {
        let mut handle = Handle::new(&builder.build(), self.inner.service);
        if let Some(inner) = Arc::get_mut(&mut handle.inner) {
            inner.rules = Arc::clone(&self.inner.rules);
        }
        handle
    }

    /// The configuration (with any service-specific endpoint applied).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The service.
    pub fn service(&self) -> &'static ServiceMeta {
        self.inner.service
    }

    /// The protocol this client speaks: the configured one if the service supports it, else
    /// the service's default (`None` when the service speaks none the runtime knows).
    pub fn protocol(&self) -> Option<&'static dyn Protocol> {
        self.inner.protocol
    }

    /// Serializes `input` with the client's protocol, fills the operation's host prefix from
    /// its `@hostLabel` members, and sends it ([`dispatch`](Self::dispatch)): the
    /// protocol-neutral half of [`crate::protocol::invoke`], compiled once.
    pub async fn call(
        &self,
        op: &'static Operation,
        input: &(dyn SerializeStruct + Sync),
    ) -> Result<HttpResponse, SendError> {
        let (mut request, prefix) = self.serialize(op, input)?;
        let settings = self.inner.config.checksums;
        if let Some(algorithm) = flexible_checksums::request_algorithm(op, input, settings)
            .map_err(SdkError::Construction)?
        {
            let body = request.body.clone();
            flexible_checksums::name_algorithm(op, &mut request, algorithm);
            flexible_checksums::add_request_checksum(&mut request, algorithm, &body)
                .map_err(SdkError::Construction)?;
        }
        let validate = flexible_checksums::response_algorithms(op, input, settings, &mut request);
        let params = self.operation_params(op, input)?;
        let response = self
            .dispatch_with(&op.meta, request, &prefix, CallContext::new(op, params))
            .await?;
        if !validate.is_empty() && response.is_success() {
            crate::checksum::validate_response_with(&response.headers, &response.body, &validate)
                .map_err(|m| {
                SdkError::Response(crate::error::ResponseError::new(
                    response.status,
                    m.to_string(),
                ))
            })?;
        }
        Ok(response)
    }

    /// [`call`](Self::call) for operations with a streamed payload: `body` is the request
    /// body, and a 2xx response comes back unread ([`dispatch_streaming`](Self::dispatch_streaming)).
    pub async fn call_streaming(
        &self,
        op: &'static Operation,
        input: &(dyn SerializeStruct + Sync),
        body: Option<ByteStream>,
    ) -> Result<StreamingResponse, SendError> {
        let (mut request, prefix) = self.serialize(op, input)?;
        let settings = self.inner.config.checksums;
        let algorithm = flexible_checksums::request_algorithm(op, input, settings)
            .map_err(SdkError::Construction)?;
        if let Some(bytes) = body.as_ref().and_then(ByteStream::bytes) {
            if let Some(protocol) = self.protocol() {
                protocol
                    .finish_streaming(self.service(), op, &mut request, &bytes)
                    .map_err(SdkError::Construction)?;
            }
            if let Some(algorithm) = algorithm {
                flexible_checksums::name_algorithm(op, &mut request, algorithm);
                flexible_checksums::add_request_checksum(&mut request, algorithm, &bytes)
                    .map_err(SdkError::Construction)?;
            }
        }
        // A one-shot stream's checksum travels as an `aws-chunked` trailer.
        let body = match (body, algorithm) {
            (Some(stream), Some(algorithm))
                if !stream.is_in_memory()
                    && !flexible_checksums::has_checksum_header(&request.headers) =>
            {
                flexible_checksums::name_algorithm(op, &mut request, algorithm);
                let chunked = crate::aws_chunked::AwsChunked::unsigned(Some(algorithm));
                chunked.apply_headers(&mut request.headers, stream.content_length());
                let encoded = chunked.encode(stream, None).map_err(|e| {
                    SdkError::Construction(crate::error::ConstructionError::new(e.to_string()))
                })?;
                Some(encoded)
            }
            (body, _) => body,
        };
        let validate = flexible_checksums::response_algorithms(op, input, settings, &mut request);
        let params = self.operation_params(op, input)?;
        let mut response = self
            .dispatch_streaming_with(
                &op.meta,
                request,
                body,
                &prefix,
                CallContext::new(op, params),
            )
            .await?;
        if !validate.is_empty() && response.is_success() {
            let body = std::mem::take(&mut response.body);
            response.body =
                flexible_checksums::validating_stream(body, &response.headers, &validate);
        }
        Ok(response)
    }

    /// The request for `input` and the operation's host prefix.
    fn serialize(
        &self,
        op: &'static Operation,
        input: &dyn SerializeStruct,
    ) -> Result<(HttpRequest, String), SendError> {
        let protocol = self.protocol().ok_or_else(|| {
            SdkError::Construction(crate::error::ConstructionError::new(
                "this client has no runtime protocol",
            ))
        })?;
        let request = protocol
            .serialize_request(self.service(), op, input)
            .map_err(SdkError::Construction)?;
        let prefix = match op.host_prefix {
            Some(_) if self.inner.config.disable_host_prefix => String::new(),
            Some(template) => crate::protocol::host_prefix(template, op.input, input)
                .map_err(SdkError::Construction)?,
            None => String::new(),
        };
        Ok((request, prefix))
    }

    /// Whether `response` is an error, as the protocol sees it when the operation is known
    /// (restXml: S3's 200 responses carrying an `<Error>`), else any status but 2xx.
    fn is_error(&self, operation: Option<&'static Operation>, response: &HttpResponse) -> bool {
        match (operation, self.inner.protocol) {
            (Some(op), Some(protocol)) => protocol.is_error(op, response),
            _ => !response.is_success(),
        }
    }

    /// The error shape an error response names, as the client's protocol reads it (for
    /// retry classification).
    fn error_code(&self, response: &HttpResponse) -> Option<String> {
        let protocol = self.inner.protocol?;
        protocol
            .parse_error(self.inner.service, response)
            .ok()?
            .shape
    }

    /// The client's endpoint (for operations that bind no parameters of their own),
    /// resolved once ([`resolve`](Self::resolve), in `client/resolve.rs`).
    fn endpoint(&self) -> Result<&ResolvedEndpoint, ConfigError> {
        self.inner
            .endpoint
            .get_or_init(|| self.resolve(None, None))
            .as_ref()
            .map_err(resolve::Failure::to_error)
    }

    /// Sends `request` (path and query in `uri`, from a generated serializer) to the service:
    /// resolves the endpoint, sets `host`/`content-length`, signs each attempt, retries
    /// transient failures and throttling with backoff, and applies the timeouts.
    ///
    /// Returns the response when it is 2xx, or when it is an error response that is not
    /// retried (or retries ran out): turning it into a typed error is the caller's job.
    pub async fn send<E>(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
    ) -> Result<HttpResponse, SdkError<E>> {
        self.send_with_host_prefix(op, request, "").await
    }

    /// [`send`](Self::send) for operations with an `@endpoint` host prefix (already expanded,
    /// e.g. `foo.bar.`): it is put in front of the endpoint's host.
    pub async fn send_with_host_prefix<E>(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
        host_prefix: &str,
    ) -> Result<HttpResponse, SdkError<E>> {
        self.dispatch(op, request, host_prefix).await.map_err(widen)
    }

    /// [`send_with_host_prefix`](Self::send_with_host_prefix) without the operation's error
    /// type (what generated code calls; [`SendError::widen`] types the error): the whole
    /// pipeline is compiled once, here, not once per operation in every generated crate.
    pub async fn dispatch(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
        host_prefix: &str,
    ) -> Result<HttpResponse, SendError> {
        self.dispatch_with(op, request, host_prefix, CallContext::default())
            .await
    }

    /// [`dispatch`](Self::dispatch) with the operation's own endpoint parameters.
    async fn dispatch_with(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
        host_prefix: &str,
        ctx: CallContext,
    ) -> Result<HttpResponse, SendError> {
        match self
            .send_timed(op, request, None, false, host_prefix, ctx)
            .await?
        {
            Reply::Buffered(r) => Ok(r),
            // Not reached: nothing was streamed. Kept total rather than panicking.
            Reply::Streaming(r) => r
                .into_buffered(crate::http::DEFAULT_MAX_RESPONSE_BODY)
                .await
                .map_err(SdkError::Transport),
        }
    }

    /// [`send_with_host_prefix`](Self::send_with_host_prefix) for operations with a
    /// `@streaming` payload: `body`, when given, is the request body (in place of
    /// `request.body`), and a 2xx response comes back with its body unread, to be consumed
    /// as a stream (no size limit). Error responses are read whole, as by `send`, so that
    /// they can be parsed and retried.
    ///
    /// Retries: an in-memory `body` (made from bytes) is resent on each attempt, and signed
    /// with its SHA-256. A one-shot body (made from a stream) can be sent only once: the
    /// request is never retried, and it is signed with `x-amz-content-sha256:
    /// UNSIGNED-PAYLOAD`, as the AWS SDKs do for streams of unknown content over HTTPS.
    /// The attempt timeout covers receiving the response head, not reading a streamed body.
    pub async fn send_streaming<E>(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
        body: Option<ByteStream>,
        host_prefix: &str,
    ) -> Result<StreamingResponse, SdkError<E>> {
        self.dispatch_streaming(op, request, body, host_prefix)
            .await
            .map_err(widen)
    }

    /// [`send_streaming`](Self::send_streaming) without the operation's error type (what
    /// generated code calls; [`SendError::widen`] types the error).
    pub async fn dispatch_streaming(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
        body: Option<ByteStream>,
        host_prefix: &str,
    ) -> Result<StreamingResponse, SendError> {
        self.dispatch_streaming_with(op, request, body, host_prefix, CallContext::default())
            .await
    }

    /// [`dispatch_streaming`](Self::dispatch_streaming) with the operation's own endpoint
    /// parameters.
    async fn dispatch_streaming_with(
        &self,
        op: &'static OperationMeta,
        mut request: HttpRequest,
        body: Option<ByteStream>,
        host_prefix: &str,
        ctx: CallContext,
    ) -> Result<StreamingResponse, SendError> {
        let one_shot = match body {
            Some(mut b) => match b.take_bytes() {
                Some(bytes) => {
                    request.body = bytes;
                    None
                }
                None => Some(b),
            },
            None => None,
        };
        match self
            .send_timed(op, request, one_shot, true, host_prefix, ctx)
            .await?
        {
            Reply::Buffered(r) => Ok(r.into()),
            Reply::Streaming(r) => Ok(r),
        }
    }

    async fn send_timed(
        &self,
        op: &'static OperationMeta,
        request: HttpRequest,
        one_shot: Option<ByteStream>,
        stream_response: bool,
        host_prefix: &str,
        ctx: CallContext,
    ) -> Result<Reply, SendError> {
        let run = self.send_with_retries(op, request, one_shot, stream_response, host_prefix, ctx);
        match self.inner.config.operation_timeout {
            Some(limit) => match tokio::time::timeout(limit, run).await {
                Ok(r) => r,
                Err(_) => Err(SdkError::Timeout(TimeoutError::new(
                    TimeoutKind::Operation,
                    limit,
                ))),
            },
            None => run.await,
        }
    }

    async fn send_with_retries(
        &self,
        op: &'static OperationMeta,
        mut request: HttpRequest,
        mut one_shot: Option<ByteStream>,
        stream_response: bool,
        host_prefix: &str,
        ctx: CallContext,
    ) -> Result<Reply, SendError> {
        let config = &self.inner.config;
        let client = config
            .http_client
            .clone()
            .ok_or_else(|| ConfigError::new("no HTTP client configured"))?;
        let endpoint = self.endpoint_for(ctx.endpoint_params).await?;
        let endpoint = &*endpoint;
        // Compresses `request.body`: in-memory bodies only (a one-shot stream is not).
        crate::compression::compress_request(
            &mut request,
            op.request_compression,
            config.compression,
        );
        self.prepare(&mut request, endpoint, host_prefix)?;
        if let Some(body) = &one_shot {
            // The body is not in `request.body`: describe the stream instead.
            request.headers.remove(CONTENT_LENGTH);
            if let Some(n) = body.content_length() {
                request.headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
            }
            // Unless the body is `aws-chunked` and says what it is.
            if config.credentials.is_some()
                && !op.unsigned
                && !request.headers.contains_key("x-amz-content-sha256")
            {
                request.headers.insert(
                    HeaderName::from_static("x-amz-content-sha256"),
                    HeaderValue::from_static("UNSIGNED-PAYLOAD"),
                );
            }
        }
        // A one-shot body cannot be sent twice.
        let replayable = one_shot.is_none();
        let max = if replayable {
            config.max_attempts.max(1)
        } else {
            1
        };
        let invocation_id = crate::idempotency::new_token();
        let mut spent: u32 = 0;
        let mut attempt: u32 = 1;
        loop {
            if let Some(limiter) = &config.rate_limiter {
                limiter.acquire().await;
            }
            let mut req = request.clone();
            if let Ok(v) = HeaderValue::from_str(&invocation_id) {
                req.headers
                    .insert(HeaderName::from_static("amz-sdk-invocation-id"), v);
            }
            if let Ok(v) = HeaderValue::from_str(&format!("attempt={attempt}; max={max}")) {
                req.headers
                    .insert(HeaderName::from_static("amz-sdk-request"), v);
            }
            let signed = if op.unsigned {
                None
            } else {
                self.sign(&mut req, endpoint).await?
            };
            if let Some(slot) = &ctx.event_signer
                && let Ok(mut slot) = slot.lock()
            {
                if signed.as_ref().is_some_and(|s| s.signature.is_none()) {
                    return Err(SdkError::Construction(
                        crate::error::ConstructionError::new(
                            "the endpoint chose SigV4a, which cannot sign an input event stream's \
                         messages yet",
                        ),
                    ));
                }
                *slot = Some(signed.and_then(Signed::into_event_signer));
            }
            let streamed = stream_response || one_shot.is_some();
            let body = one_shot.take();
            let exchange = async {
                if !streamed {
                    return client.send(req).await.map(Reply::Buffered);
                }
                let body = match body {
                    Some(b) => b,
                    None => ByteStream::new(std::mem::take(&mut req.body)),
                };
                let resp = client.send_streaming(req, body).await?;
                if resp.is_success() && stream_response {
                    return Ok(Reply::Streaming(resp));
                }
                resp.into_buffered(crate::http::DEFAULT_MAX_RESPONSE_BODY)
                    .await
                    .map(Reply::Buffered)
            };
            let result = match config.attempt_timeout {
                Some(limit) => match tokio::time::timeout(limit, exchange).await {
                    Ok(r) => r.map_err(AttemptError::Transport),
                    Err(_) => Err(AttemptError::Timeout(limit)),
                },
                None => exchange.await.map_err(AttemptError::Transport),
            };
            let result = match result {
                Ok(Reply::Streaming(resp)) => {
                    if let Some(limiter) = &config.rate_limiter {
                        limiter.record(false);
                    }
                    self.inner.quota.release(if spent > 0 { spent } else { 1 });
                    return Ok(Reply::Streaming(resp));
                }
                Ok(Reply::Buffered(resp)) => Ok(resp),
                Err(e) => Err(e),
            };
            let outcome = classify(
                op,
                result,
                |r| self.is_error(ctx.operation, r),
                |r| self.error_code(r),
            );
            if let Some(limiter) = &config.rate_limiter {
                limiter.record(outcome.is_throttling());
            }
            match outcome {
                Outcome::Done(resp) => {
                    // Successes refill the quota: what the retries cost, or one token.
                    self.inner.quota.release(if spent > 0 { spent } else { 1 });
                    return Ok(Reply::Buffered(resp));
                }
                Outcome::Fail(e) => return Err(attempt_error(e)),
                Outcome::Retry {
                    response,
                    err,
                    retry_after,
                    cost,
                    ..
                } => {
                    let give_up = attempt >= max || !self.inner.quota.acquire(cost);
                    if give_up {
                        return match (response, err) {
                            (Some(resp), _) => Ok(Reply::Buffered(resp)),
                            (None, Some(e)) => Err(attempt_error(e)),
                            (None, None) => Err(SdkError::Transport(TransportError::other(
                                "retry ended without a response",
                            ))),
                        };
                    }
                    spent = spent.saturating_add(cost);
                    let delay = retry_after.unwrap_or_else(|| backoff(attempt));
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    /// Makes the URI absolute and sets the headers every attempt shares.
    fn prepare(
        &self,
        request: &mut HttpRequest,
        endpoint: &ResolvedEndpoint,
        host_prefix: &str,
    ) -> Result<(), ConfigError> {
        // A protocol may address a request to an absolute URL (an endpoint the input names).
        let absolute = request.uri.starts_with("https://") || request.uri.starts_with("http://");
        let authority = if absolute {
            let uri: http::Uri = request
                .uri
                .parse()
                .map_err(|_| ConfigError::new("the request's endpoint is not a valid URL"))?;
            uri.authority()
                .map(|a| a.as_str().rsplit('@').next().unwrap_or_default().to_owned())
                .ok_or_else(|| ConfigError::new("the request's endpoint has no host"))?
        } else {
            let mut url = endpoint.base.clone();
            if !host_prefix.is_empty()
                && let Some(i) = url.find("://")
            {
                url.insert_str(i + 3, host_prefix);
            }
            if !request.uri.starts_with('/') && !request.uri.starts_with('?') {
                url.push('/');
            }
            url.push_str(&request.uri);
            request.uri = url;
            for (name, value) in &endpoint.headers {
                request.headers.append(name.clone(), value.clone());
            }
            format!("{host_prefix}{}", endpoint.authority)
        };
        let host = HeaderValue::from_str(&authority)
            .map_err(|_| ConfigError::new("endpoint host is not a valid header value"))?;
        request.headers.insert(HOST, host);
        let needs_length = !request.body.is_empty()
            || matches!(
                request.method,
                http::Method::POST | http::Method::PUT | http::Method::PATCH
            );
        if needs_length {
            request
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(request.body.len()));
        }
        if !request.headers.contains_key(USER_AGENT) {
            request
                .headers
                .insert(USER_AGENT, self.inner.user_agent.clone());
        }
        Ok(())
    }

    async fn sign(
        &self,
        request: &mut HttpRequest,
        endpoint: &ResolvedEndpoint,
    ) -> Result<Option<Signed>, ConfigError> {
        let Some(mut signing) = self.signing_context(endpoint).await? else {
            return Ok(None);
        };
        if endpoint.auth.name == s3_express::SCHEME {
            signing.credentials = self
                .express_session(
                    endpoint,
                    &signing.credentials,
                    &signing.region,
                    &signing.service,
                )
                .await?;
            signing.settings.session_token_header = s3_express::SESSION_TOKEN_HEADER;
        }
        let time = SystemTime::now();
        let signature = match &signing.region_set {
            #[cfg(feature = "sigv4a")]
            Some(region_set) => {
                let params = crate::sigv4a::SigningParams {
                    credentials: &signing.credentials,
                    region_set,
                    service: &signing.service,
                    time,
                };
                crate::sigv4a::sign_with_settings(request, &params, &signing.settings).map(|_| None)
            }
            _ => {
                let params = crate::sigv4::SigningParams {
                    credentials: &signing.credentials,
                    region: &signing.region,
                    service: &signing.service,
                    time,
                };
                crate::sigv4::sign_with_settings(request, &params, &signing.settings)
                    .map(|parts| Some(parts.signature))
            }
        };
        let signature = signature.map_err(|e| ConfigError::new(format!("signing failed: {e}")))?;
        Ok(Some(Signed { signing, signature }))
    }

    /// What requests to `endpoint` are signed with: the credentials, and the region, name
    /// and path encoding of the endpoint's auth scheme (see `endpoint::auth`), else the
    /// client's; a SigV4a scheme's region set. `None` without a credentials provider
    /// (requests go unsigned).
    async fn signing_context(
        &self,
        endpoint: &ResolvedEndpoint,
    ) -> Result<Option<SigningContext>, ConfigError> {
        let config = &self.inner.config;
        let Some(provider) = &config.credentials else {
            return Ok(None);
        };
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| ConfigError::new(format!("no credentials: {e}")))?;
        let scheme = &endpoint.auth;
        if let Some(names) = &scheme.unsupported {
            let hint = if scheme.needs_sigv4a_feature() {
                " (SigV4a needs anvil-runtime's `sigv4a` cargo feature: enable it)"
            } else {
                ""
            };
            return Err(ConfigError::new(format!(
                "the endpoint accepts only the auth schemes [{names}], none of which this \
                 runtime signs{hint}"
            )));
        }
        let region_set = scheme.is_sigv4a().then(|| scheme.region_set());
        let region = match &region_set {
            Some(set) => set.clone(),
            None => scheme
                .signing_region
                .as_deref()
                .or(config.region.as_deref())
                .ok_or_else(|| ConfigError::new("no region configured (needed to sign requests)"))?
                .to_owned(),
        };
        let service = scheme
            .signing_name
            .as_deref()
            .unwrap_or(self.inner.service.signing_name)
            .to_owned();
        let mut settings = crate::sigv4::SigningSettings::for_service(&service);
        if let Some(disable) = scheme.disable_double_encoding {
            settings.double_uri_encode = !disable;
        }
        Ok(Some(SigningContext {
            credentials,
            region,
            region_set,
            service,
            settings,
        }))
    }
}

/// What a request is signed with (see `Handle::signing_context`).
/// What a request was signed with: an input event stream's messages are signed with the same
/// credentials and scope, chained from the request's signature (SigV4 only: `None` for
/// SigV4a).
struct Signed {
    signing: SigningContext,
    signature: Option<String>,
}

impl Signed {
    /// The signer of an input event stream's messages; `None` when the request was signed
    /// with SigV4a, which has no event-stream form (the call refuses that case before it
    /// sends anything).
    fn into_event_signer(self) -> Option<crate::event_stream::signing::MessageSigner> {
        let seed = self.signature?;
        Some(crate::event_stream::signing::MessageSigner::new(
            self.signing.credentials,
            self.signing.region,
            self.signing.service,
            seed,
        ))
    }
}

struct SigningContext {
    credentials: crate::credentials::Credentials,
    /// The signing region; for SigV4a, the region set.
    region: String,
    /// `Some` (the `x-amz-region-set`) when the request is signed with SigV4a.
    region_set: Option<String>,
    service: String,
    settings: crate::sigv4::SigningSettings,
}

/// A pipeline error as the operation's error type.
fn widen<E>(e: SendError) -> SdkError<E> {
    e.widen()
}

fn attempt_error(e: AttemptError) -> SendError {
    match e {
        AttemptError::Transport(t) => SdkError::Transport(t),
        AttemptError::Timeout(d) => SdkError::Timeout(TimeoutError::new(TimeoutKind::Attempt, d)),
    }
}

/// Checks the endpoint URL and extracts what requests need.
fn prepare_endpoint(endpoint: Endpoint) -> Result<ResolvedEndpoint, String> {
    let uri: http::Uri = endpoint
        .url
        .parse()
        .map_err(|_| "the endpoint URL is not a valid URL".to_owned())?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err("the endpoint URL must start with http:// or https://".to_owned()),
    }
    let authority = uri
        .authority()
        .ok_or_else(|| "the endpoint URL has no host".to_owned())?
        .as_str();
    // Drop any user info: it never belongs in a Host header.
    let authority = authority.rsplit('@').next().unwrap_or(authority).to_owned();
    if uri.query().is_some() {
        return Err("the endpoint URL must not have a query".to_owned());
    }
    let base = endpoint.url.trim_end_matches('/').to_owned();
    let mut headers = Vec::new();
    for (name, values) in &endpoint.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| "the endpoint has an invalid header name".to_owned())?;
        for v in values {
            let v = HeaderValue::from_str(v)
                .map_err(|_| "the endpoint has an invalid header value".to_owned())?;
            headers.push((name.clone(), v));
        }
    }
    Ok(ResolvedEndpoint {
        base,
        authority,
        headers,
        auth: AuthScheme::select(&endpoint.properties),
    })
}

/// Decides whether an attempt's result is final or worth retrying: the one place that does.
/// `is_error` says whether a response is an error (a 200 may be one); `error_code` names
/// the error an error response carries.
fn classify(
    op: &OperationMeta,
    result: Result<HttpResponse, AttemptError>,
    is_error: impl Fn(&HttpResponse) -> bool,
    error_code: impl Fn(&HttpResponse) -> Option<String>,
) -> Outcome {
    let response = match result {
        Ok(r) => r,
        Err(AttemptError::Transport(t)) => {
            return if t.is_connect() || t.is_io() {
                Outcome::Retry {
                    response: None,
                    err: Some(AttemptError::Transport(t)),
                    retry_after: None,
                    cost: TIMEOUT_RETRY_COST,
                    throttling: false,
                }
            } else {
                Outcome::Fail(AttemptError::Transport(t))
            };
        }
        Err(e @ AttemptError::Timeout(_)) => {
            return Outcome::Retry {
                response: None,
                err: Some(e),
                retry_after: None,
                cost: TIMEOUT_RETRY_COST,
                throttling: false,
            };
        }
    };
    if !is_error(&response) {
        return Outcome::Done(response);
    }
    let code = error_code(&response);
    let code = code.as_deref();
    let in_list = |list: &[&str]| code.is_some_and(|c| list.contains(&c));
    let throttling =
        response.status == 429 || in_list(THROTTLING_CODES) || in_list(op.throttling_errors);
    let retryable = throttling
        || TRANSIENT_STATUSES.contains(&response.status)
        || in_list(TRANSIENT_CODES)
        || in_list(op.retryable_errors);
    if !retryable {
        return Outcome::Done(response);
    }
    let retry_after = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(MAX_BACKOFF.as_secs_f64())));
    Outcome::Retry {
        response: Some(response),
        err: None,
        retry_after,
        cost: RETRY_COST,
        throttling,
    }
}

/// Full-jitter exponential backoff after failed attempt number `attempt` (1-based):
/// `random(0, 1) * 2^(attempt - 1)` seconds, at most 20 s.
fn backoff(attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(10);
    let ceiling = f64::from(1u32 << exp).min(MAX_BACKOFF.as_secs_f64());
    Duration::from_secs_f64(random_unit() * ceiling)
}

/// A uniform random number in `[0, 1)` (0.5 if the OS generator fails).
pub(crate) fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    // 53 random bits.
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test::ReplayClient;

    static SERVICE: ServiceMeta = ServiceMeta {
        sdk_id: "Test Service",
        signing_name: "test",
        endpoint_prefix: "test",
        api_version: "2020-01-01",
        endpoint_rules: None,
        env_name: "TEST_SERVICE",
        shape_name: "",
        protocols: &[&crate::protocol::rest_json::REST_JSON_1],
        query_compatible: false,
        xml_namespace: None,
    };
    static OP: OperationMeta = OperationMeta {
        name: "DoThing",
        retryable_errors: &["ModeledRetryable"],
        throttling_errors: &[],
        request_compression: &[],
        unsigned: false,
    };

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
    }

    fn handle(replay: &ReplayClient, attempts: u32) -> Handle {
        let config = Config::builder()
            .region("us-east-1")
            .endpoint_url("https://example.com/base/")
            .http_client(replay.clone())
            .max_attempts(attempts)
            .build();
        Handle::new(&config, &SERVICE)
    }

    #[test]
    fn joins_endpoint_and_sets_headers() {
        let replay = ReplayClient::new(vec![HttpResponse::new(200, "{}")]);
        let h = handle(&replay, 3);
        let mut req = HttpRequest::new(http::Method::POST, "/things?x=1");
        req.body = bytes::Bytes::from_static(b"{\"a\":1}");
        let resp = rt().block_on(h.send::<()>(&OP, req)).unwrap();
        assert_eq!(resp.status, 200);
        let sent = replay.requests();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].uri, "https://example.com/base/things?x=1");
        assert_eq!(sent[0].headers["host"], "example.com");
        assert_eq!(sent[0].headers["content-length"], "7");
        assert_eq!(sent[0].headers["amz-sdk-request"], "attempt=1; max=3");
        assert!(
            sent[0].headers["user-agent"]
                .to_str()
                .unwrap()
                .contains("api/Test_Service/2020-01-01")
        );
    }

    #[test]
    fn retries_modeled_and_throttling_codes_but_not_others() {
        let throttled = HttpResponse::new(400, r#"{"__type":"ns#ThrottlingException"}"#);
        let modeled =
            HttpResponse::new(400, "{}").with_header("x-amzn-errortype", "ModeledRetryable");
        let replay = ReplayClient::new(vec![throttled, modeled, HttpResponse::new(200, "")]);
        let h = handle(&replay, 3);
        let resp = rt()
            .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/")))
            .unwrap();
        assert_eq!(resp.status, 200);
        let sent = replay.requests();
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[2].headers["amz-sdk-request"], "attempt=3; max=3");
        assert_eq!(
            sent[0].headers["amz-sdk-invocation-id"],
            sent[2].headers["amz-sdk-invocation-id"]
        );
        assert!(sent[0].headers.get("content-length").is_none());

        let replay = ReplayClient::new(vec![
            HttpResponse::new(400, r#"{"__type":"ValidationException"}"#),
            HttpResponse::new(200, ""),
        ]);
        let h = handle(&replay, 3);
        let resp = rt()
            .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/")))
            .unwrap();
        assert_eq!(resp.status, 400);
        assert_eq!(replay.requests().len(), 1);
    }

    static XML_SERVICE: ServiceMeta = ServiceMeta {
        protocols: &[&crate::protocol::rest_xml::REST_XML],
        ..SERVICE
    };
    static COPY_OUTPUT: crate::schema::Schema = crate::schema::Schema::structure(
        "com.amazonaws.s3#CopyObjectOutput",
        "CopyObjectOutput",
        &[],
    );
    static COPY: Operation = Operation::new(
        "CopyObject",
        &crate::schema::prelude::UNIT,
        &COPY_OUTPUT,
        &[],
    )
    .http("PUT", "/copy", 200);

    fn error_200(code: &str) -> HttpResponse {
        HttpResponse::new(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<Error><Code>{code}</Code><Message>m</Message></Error>"
            ),
        )
    }

    #[test]
    fn a_200_carrying_a_transient_error_is_retried() {
        let ok = HttpResponse::new(200, "<CopyObjectResult><ETag>e</ETag></CopyObjectResult>");
        let replay = ReplayClient::new(vec![error_200("InternalError"), ok]);
        let config = Config::builder()
            .endpoint_url("https://example.com")
            .http_client(replay.clone())
            .build();
        let h = Handle::new(&config, &XML_SERVICE);
        let resp = rt().block_on(h.call(&COPY, &crate::codec::Unit)).unwrap();
        assert!(resp.body.starts_with(b"<CopyObjectResult>"));
        assert_eq!(replay.requests().len(), 2);
        // A 200 carrying a permanent error is returned at once, as the error it is.
        let replay = ReplayClient::new(vec![error_200("AccessDenied"), error_200("x")]);
        let config = config.to_builder().http_client(replay.clone()).build();
        let h = Handle::new(&config, &XML_SERVICE);
        let resp = rt().block_on(h.call(&COPY, &crate::codec::Unit)).unwrap();
        assert!(XML_SERVICE.protocols[0].is_error(&COPY, &resp));
        assert_eq!(replay.requests().len(), 1);
        // Transient every time: the last one comes back when the attempts run out.
        let replay = ReplayClient::new(vec![error_200("InternalError"); 3]);
        let config = config.to_builder().http_client(replay.clone()).build();
        let h = Handle::new(&config, &XML_SERVICE);
        let resp = rt().block_on(h.call(&COPY, &crate::codec::Unit)).unwrap();
        assert!(resp.body.ends_with(b"</Error>"));
        assert_eq!(replay.requests().len(), 3);
    }

    #[test]
    fn the_adaptive_limiter_is_shared_by_clones_and_derived_configs() {
        let adaptive = Config::builder().retry_mode(RetryMode::Adaptive).build();
        let limiter = adaptive.rate_limiter.clone().unwrap();
        let derived = adaptive.to_builder().region("eu-west-1").build();
        assert!(Arc::ptr_eq(
            &limiter,
            derived.rate_limiter.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(
            &limiter,
            adaptive.clone().rate_limiter.as_ref().unwrap()
        ));
        let other = Config::builder().retry_mode(RetryMode::Adaptive).build();
        assert!(!Arc::ptr_eq(&limiter, other.rate_limiter.as_ref().unwrap()));
        let standard = adaptive
            .to_builder()
            .retry_mode(RetryMode::Standard)
            .build();
        assert!(standard.rate_limiter.is_none());
        assert_eq!(standard.retry_mode(), RetryMode::Standard);
    }

    #[test]
    fn final_error_response_is_returned_when_attempts_run_out() {
        let replay = ReplayClient::new(vec![
            HttpResponse::new(503, ""),
            HttpResponse::new(503, ""),
            HttpResponse::new(503, "last"),
        ]);
        let h = handle(&replay, 3);
        let resp = rt()
            .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/")))
            .unwrap();
        assert_eq!((resp.status, &resp.body[..]), (503, &b"last"[..]));
        assert_eq!(replay.remaining(), 0);
    }

    #[test]
    fn transport_other_is_not_retried_and_exhaustion_errors() {
        // An empty script: every send fails with a non-retryable transport error.
        let replay = ReplayClient::new(vec![]);
        let h = handle(&replay, 3);
        let err = rt()
            .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/")))
            .unwrap_err();
        assert!(
            matches!(err, SdkError::Transport(ref t) if t.is_other()),
            "{err:?}"
        );
        assert_eq!(replay.requests().len(), 1);
    }

    #[test]
    fn missing_endpoint_is_a_config_error() {
        let replay = ReplayClient::new(vec![HttpResponse::new(200, "")]);
        let config = Config::builder().http_client(replay.clone()).build();
        let h = Handle::new(&config, &SERVICE);
        let err = rt()
            .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/")))
            .unwrap_err();
        assert!(matches!(err, SdkError::Config(_)), "{err:?}");
        assert!(replay.requests().is_empty());
        let bad = Config::builder()
            .endpoint_url("ftp://x")
            .http_client(replay.clone())
            .build();
        let err = rt()
            .block_on(
                Handle::new(&bad, &SERVICE)
                    .send::<()>(&OP, HttpRequest::new(http::Method::GET, "/")),
            )
            .unwrap_err();
        match err {
            SdkError::Config(c) => assert!(c.to_string().contains("http:// or https://"), "{c}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn backoff_is_bounded_and_grows() {
        for attempt in 1..40 {
            let d = backoff(attempt);
            assert!(d <= MAX_BACKOFF);
            let cap = 2f64.powi(i32::try_from(attempt - 1).unwrap()).min(20.0);
            assert!(d.as_secs_f64() <= cap, "{attempt}: {d:?}");
        }
        let samples: Vec<f64> = (0..100).map(|_| random_unit()).collect();
        assert!(samples.iter().all(|s| (0.0..1.0).contains(s)));
        assert!(samples.iter().any(|s| *s != samples[0]));
    }

    #[test]
    fn retry_quota_limits_retries() {
        let q = RetryQuota {
            tokens: Mutex::new(12),
        };
        assert!(q.acquire(10));
        assert!(!q.acquire(5));
        q.release(1000);
        assert_eq!(*q.tokens.lock().unwrap(), QUOTA_MAX);
    }

    #[test]
    fn debug_redacts_credentials() {
        let config = Config::builder()
            .credentials(crate::credentials::Credentials::new(
                "AKIDEXAMPLE",
                "SECRETKEY",
                Some("TOKEN".into()),
            ))
            .build();
        let text = format!("{config:?}");
        assert!(
            !text.contains("SECRETKEY") && !text.contains("TOKEN") && !text.contains("AKID"),
            "{text}"
        );
        assert!(text.contains("redacted"));
        assert_eq!(config.max_attempts(), 3);
        assert_eq!(Config::builder().max_attempts(0).build().max_attempts(), 1);
    }

    /// Rules shaped like the AWS services': a custom endpoint is used as is unless FIPS is
    /// on; otherwise a regional URL.
    const RULES: &str = r#"{"version":"1.0","parameters":{
        "Region":{"type":"String","builtIn":"AWS::Region","required":false},
        "UseFIPS":{"type":"Boolean","builtIn":"AWS::UseFIPS","required":true,"default":false},
        "Endpoint":{"type":"String","builtIn":"SDK::Endpoint","required":false}},
      "rules":[
        {"type":"tree","conditions":[{"fn":"isSet","argv":[{"ref":"Endpoint"}]}],"rules":[
          {"type":"error","conditions":[{"fn":"booleanEquals","argv":[{"ref":"UseFIPS"},true]}],
           "error":"Invalid Configuration: FIPS and custom endpoint are not supported"},
          {"type":"endpoint","conditions":[],"endpoint":{"url":{"ref":"Endpoint"}}}]},
        {"type":"tree","conditions":[{"fn":"isSet","argv":[{"ref":"Region"}]}],"rules":[
          {"type":"endpoint","conditions":[],"endpoint":{"url":"https://test.{Region}.example.com"}}]},
        {"type":"error","conditions":[],"error":"Invalid Configuration: Missing Region"}]}"#;

    static RULED: ServiceMeta = ServiceMeta {
        endpoint_rules: Some(RULES),
        ..SERVICE
    };

    /// Rules with no `SDK::Endpoint` parameter: a configured URL cannot go through them.
    static RULED_NO_ENDPOINT_PARAM: ServiceMeta = ServiceMeta {
        endpoint_rules: Some(
            r#"{"version":"1.0","parameters":{},"rules":[
              {"type":"endpoint","conditions":[],"endpoint":{"url":"https://fixed.example.com"}}]}"#,
        ),
        ..SERVICE
    };

    /// Sends one GET `/things?x=1` and returns the URI it went to, or the error.
    fn sent_uri(service: &'static ServiceMeta, config: ConfigBuilder) -> Result<String, String> {
        let replay = ReplayClient::new(vec![HttpResponse::new(200, "")]);
        let config = config.http_client(replay.clone()).build();
        let h = Handle::new(&config, service);
        rt().block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/things?x=1")))
            .map_err(|e| match e {
                SdkError::Config(c) => c.to_string(),
                other => panic!("{other:?}"),
            })?;
        let sent = replay.requests();
        assert_eq!(sent.len(), 1);
        Ok(sent[0].uri.clone())
    }

    #[test]
    fn a_configured_endpoint_goes_through_the_rules_as_sdk_endpoint() {
        let custom = || {
            Config::builder()
                .region("us-east-1")
                .endpoint_url("https://example.com/base/")
        };
        // The rules return the custom endpoint; the operation path is joined to its path.
        assert_eq!(
            sent_uri(&RULED, custom()).unwrap(),
            "https://example.com/base/things?x=1"
        );
        // FIPS with a custom endpoint: the rules' error, and nothing is sent.
        let err = sent_uri(&RULED, custom().use_fips(true)).unwrap_err();
        assert!(
            err.contains("FIPS and custom endpoint are not supported"),
            "{err}"
        );
        // Without a custom endpoint the rules pick the regional one.
        assert_eq!(
            sent_uri(&RULED, Config::builder().region("eu-west-1")).unwrap(),
            "https://test.eu-west-1.example.com/things?x=1"
        );
        let err = sent_uri(&RULED, Config::builder()).unwrap_err();
        assert!(err.contains("Missing Region"), "{err}");
        // Rules that take no endpoint parameter: the configured URL is used as is.
        assert_eq!(
            sent_uri(&RULED_NO_ENDPOINT_PARAM, custom()).unwrap(),
            "https://example.com/base/things?x=1"
        );
        assert_eq!(
            sent_uri(&RULED_NO_ENDPOINT_PARAM, Config::builder()).unwrap(),
            "https://fixed.example.com/things?x=1"
        );
    }

    #[test]
    fn endpoint_auth_scheme_overrides_signing() {
        let mut props = serde_json::Map::new();
        props.insert(
            "authSchemes".into(),
            serde_json::json!([{"name": "sigv4", "signingName": "s3x", "signingRegion": "eu-west-1"}]),
        );
        let ep = prepare_endpoint(Endpoint {
            url: "https://user@host.example:8443/".into(),
            headers: [("x-a".to_owned(), vec!["1".to_owned(), "2".to_owned()])].into(),
            properties: props,
        })
        .unwrap();
        assert_eq!(ep.base, "https://user@host.example:8443");
        assert_eq!(ep.authority, "host.example:8443");
        assert_eq!(ep.headers.len(), 2);
        assert_eq!(ep.auth.signing_name.as_deref(), Some("s3x"));
        assert_eq!(ep.auth.signing_region.as_deref(), Some("eu-west-1"));
    }
}
