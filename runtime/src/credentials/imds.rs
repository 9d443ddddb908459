//! Credentials (and the region) from the EC2 instance metadata service, IMDSv2.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderValue, Method};

use super::fetch::{self, Limits, Transport};
use super::{Credentials, CredentialsError, Env, ProvideCredentials};
use crate::BoxFuture;
use crate::http::{HttpClient, HttpRequest, HttpResponse};

const SOURCE: &str = "IMDS";
const ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
const ENDPOINT_MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
const DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
const IPV4_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// The session token's lifetime asked for: 6 hours, the maximum.
const TOKEN_TTL_SECS: u64 = 21_600;
/// A token is replaced this long before its TTL runs out (at most half the TTL).
const TOKEN_MARGIN: Duration = Duration::from_secs(120);

/// Credentials of the EC2 instance's IAM role, through IMDSv2.
///
/// A session token is fetched with `PUT /latest/api/token` (asking for a 6-hour TTL) and
/// reused until shortly before the TTL the service granted runs out (or the service refuses
/// it); then `GET /latest/meta-data/iam/security-credentials/` names the role (404: no role is
/// attached) and `GET .../<role>` gives `{"Code", "AccessKeyId", "SecretAccessKey", "Token",
/// "Expiration"}`.
///
/// The service is `AWS_EC2_METADATA_SERVICE_ENDPOINT` if set, else chosen by
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`: `IPv4` (the default, `http://169.254.169.254`) or
/// `IPv6` (`http://[fd00:ec2::254]`). `AWS_EC2_METADATA_DISABLED=true` turns the provider off.
///
/// Off EC2 it gives up fast: connecting gives up after 1 s, each attempt after 1 s, and
/// connection failures, timeouts and 5xx answers are retried, 3 attempts in all. Responses
/// over 64 KiB are refused. Needs a Tokio runtime.
pub struct ImdsProvider {
    env: Env,
    transport: Transport,
    limits: Limits,
    /// The session token and when to stop using it. Locked while one is fetched, so one
    /// request at a time asks for it.
    token: tokio::sync::Mutex<Option<(HeaderValue, Instant)>>,
}

impl Default for ImdsProvider {
    fn default() -> Self {
        Self::with_env(Env::process())
    }
}

impl ImdsProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        ImdsProvider {
            env,
            transport: Transport::default(),
            limits: Limits {
                connect_timeout: Duration::from_secs(1),
                attempt_timeout: Duration::from_secs(1),
                max_attempts: 3,
            },
            token: tokio::sync::Mutex::new(None),
        }
    }

    /// Sends through `client` instead of the default transport.
    pub fn http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.transport = Transport::given(client);
        self
    }

    /// How long one attempt may take (default 1 s; the default transport's connect timeout is
    /// at most this).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.limits.attempt_timeout = timeout;
        self.limits.connect_timeout = self.limits.connect_timeout.min(timeout);
        self
    }

    /// How many attempts per request in all (default 3; at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.limits.max_attempts = attempts.max(1);
        self
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` is `true`.
    pub fn is_disabled(&self) -> bool {
        self.env.is_true(DISABLED)
    }

    /// The instance role's credentials, fetched now (the session token may be reused).
    pub async fn load(&self) -> Result<Credentials, CredentialsError> {
        let fail = |reason: String| CredentialsError::new(SOURCE, reason);
        let base = self.base()?;
        let body = self.get(&base, ROLE_PATH, "the role name").await?;
        let role = String::from_utf8_lossy(&body)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| fail("no IAM role is attached to this instance".to_owned()))?;
        if !valid_role_name(&role) {
            return Err(fail("IMDS returned an invalid role name".to_owned()));
        }
        let path = format!("{ROLE_PATH}{role}");
        let body = self
            .get(&base, &path, &format!("the credentials of role `{role}`"))
            .await?;
        let object = super::json_object(&body).map_err(|e| {
            fail(format!(
                "the credentials of role `{role}` are unusable: {e}"
            ))
        })?;
        if let Some(code) = object.get("Code").and_then(|c| c.as_str())
            && code != "Success"
        {
            let code = fetch::error_code(&body).unwrap_or_else(|| "not Success".to_owned());
            return Err(fail(format!(
                "IMDS could not give the credentials of role `{role}` (Code {code})"
            )));
        }
        super::credentials_from_json(&body, "Token").map_err(|e| {
            fail(format!(
                "the credentials of role `{role}` are unusable: {e}"
            ))
        })
    }

    /// The instance's region, from `/latest/meta-data/placement/region`.
    pub async fn region(&self) -> Result<String, CredentialsError> {
        let base = self.base()?;
        let body = self.get(&base, REGION_PATH, "the region").await?;
        let region = String::from_utf8_lossy(&body).trim().to_owned();
        let valid = !region.is_empty()
            && region.len() <= 64
            && region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if valid {
            Ok(region)
        } else {
            Err(CredentialsError::new(
                SOURCE,
                "IMDS returned an invalid region",
            ))
        }
    }

    /// The service's base URL.
    fn base(&self) -> Result<String, CredentialsError> {
        if self.is_disabled() {
            return Err(CredentialsError::skipped(
                SOURCE,
                format!("disabled by {DISABLED}"),
            ));
        }
        endpoint(&self.env).map_err(|e| CredentialsError::failed(SOURCE, e))
    }

    /// `GET base + path` with a session token, replacing the token once if refused. `what`
    /// names the resource in errors.
    async fn get(&self, base: &str, path: &str, what: &str) -> Result<Vec<u8>, CredentialsError> {
        let fail = |reason: String| CredentialsError::new(SOURCE, reason);
        let mut refused_once = false;
        loop {
            let token = self.token(base, refused_once).await?;
            let mut request = HttpRequest::new(Method::GET, format!("{base}{path}"));
            request.headers.insert(TOKEN_HEADER, token);
            let response = self
                .send(&request)
                .await
                .map_err(|e| fail(format!("{what} could not be fetched: {e}")))?;
            match response.status {
                200 => return Ok(response.body.to_vec()),
                401 if !refused_once => refused_once = true,
                401 => return Err(fail(format!("{what}: IMDS refused a fresh session token"))),
                404 if path == ROLE_PATH => {
                    return Err(fail(
                        "no IAM role is attached to this instance (IMDS answered 404)".to_owned(),
                    ));
                }
                404 => return Err(fail(format!("{what}: not found (IMDS answered 404)"))),
                status => return Err(fail(format!("{what}: IMDS answered HTTP {status}"))),
            }
        }
    }

    /// A session token: the cached one, unless `renew` or it is about to run out.
    async fn token(&self, base: &str, renew: bool) -> Result<HeaderValue, CredentialsError> {
        let fail = |reason: String| CredentialsError::new(SOURCE, reason);
        let mut cached = self.token.lock().await;
        if !renew
            && let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        *cached = None;
        let mut request = HttpRequest::new(Method::PUT, format!("{base}{TOKEN_PATH}"));
        request
            .headers
            .insert(TTL_HEADER, HeaderValue::from(TOKEN_TTL_SECS));
        let response = self
            .send(&request)
            .await
            .map_err(|e| fail(format!("no session token (is this an EC2 instance?): {e}")))?;
        match response.status {
            200 => {}
            403 => {
                return Err(fail(
                    "IMDS refused a session token (HTTP 403: it may be disabled for this instance)"
                        .to_owned(),
                ));
            }
            404 | 405 => {
                return Err(fail(format!(
                    "IMDSv2 is not available (the token request got HTTP {})",
                    response.status
                )));
            }
            status => return Err(fail(format!("the token request got HTTP {status}"))),
        }
        let text = String::from_utf8_lossy(&response.body).trim().to_owned();
        let mut token = HeaderValue::from_str(&text)
            .ok()
            .filter(|_| !text.is_empty())
            .ok_or_else(|| fail("IMDS returned an unusable session token".to_owned()))?;
        token.set_sensitive(true);
        let ttl = response
            .header(TTL_HEADER)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(TOKEN_TTL_SECS)
            .min(TOKEN_TTL_SECS);
        let ttl = Duration::from_secs(ttl);
        let until = Instant::now() + ttl.saturating_sub(TOKEN_MARGIN.min(ttl / 2));
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, fetch::FetchError> {
        fetch::send(&self.transport, request, self.limits).await
    }
}

/// The service's base URL from the environment, without a trailing `/`.
fn endpoint(env: &Env) -> Result<String, String> {
    if let Some(url) = env.get(ENDPOINT) {
        let url = url.trim().trim_end_matches('/').to_owned();
        let valid = url.parse::<http::Uri>().ok().is_some_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some()
        });
        return if valid {
            Ok(url)
        } else {
            Err(format!("{ENDPOINT} is not an http(s) URL"))
        };
    }
    match env.get(ENDPOINT_MODE) {
        None => Ok(IPV4_ENDPOINT.to_owned()),
        Some(mode) if mode.trim().eq_ignore_ascii_case("ipv4") => Ok(IPV4_ENDPOINT.to_owned()),
        Some(mode) if mode.trim().eq_ignore_ascii_case("ipv6") => Ok(IPV6_ENDPOINT.to_owned()),
        Some(_) => Err(format!("{ENDPOINT_MODE} must be IPv4 or IPv6")),
    }
}

/// IAM role and instance-profile names: letters, digits and `+=,.@_-`, at most 128.
fn valid_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// The instance's region from IMDS, `None` if it cannot be had (not on EC2, disabled, ...).
pub async fn imds_region(env: &Env) -> Option<String> {
    ImdsProvider::with_env(env.clone()).region().await.ok()
}

impl fmt::Debug for ImdsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImdsProvider")
            .field("env", &self.env)
            .field("transport", &self.transport)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_from_variable_or_mode() {
        let with = |vars: &[(&str, &str)]| endpoint(&Env::from_vars(vars.iter().copied()));
        assert_eq!(with(&[]).unwrap(), "http://169.254.169.254");
        assert_eq!(
            with(&[(ENDPOINT_MODE, "IPv4")]).unwrap(),
            "http://169.254.169.254"
        );
        assert_eq!(
            with(&[(ENDPOINT_MODE, "ipv6")]).unwrap(),
            "http://[fd00:ec2::254]"
        );
        assert!(
            with(&[(ENDPOINT_MODE, "ipv5")])
                .unwrap_err()
                .contains(ENDPOINT_MODE)
        );
        assert_eq!(
            with(&[
                (ENDPOINT, "http://127.0.0.1:1234/"),
                (ENDPOINT_MODE, "IPv6")
            ])
            .unwrap(),
            "http://127.0.0.1:1234"
        );
        assert!(with(&[(ENDPOINT, "nope")]).is_err());
        assert!(with(&[(ENDPOINT, "ftp://x/")]).is_err());
    }

    #[test]
    fn role_names_are_checked() {
        assert!(valid_role_name("my-role_1+=,.@"));
        for bad in ["", "a/b", "a b", "../x", "a?b", &"r".repeat(129)] {
            assert!(!valid_role_name(bad), "{bad}");
        }
    }

    #[test]
    fn disabled_is_skipped_and_outside_tokio_fails_cleanly() {
        let off = ImdsProvider::with_env(Env::from_vars([(DISABLED, "TRUE")]));
        assert!(off.is_disabled());
        let err = futures_now(off.load()).unwrap_err();
        assert_eq!(err.skipped_sources().count(), 1, "{err}");
        let on = ImdsProvider::with_env(Env::from_vars([(ENDPOINT, "http://127.0.0.1:9")]));
        let err = futures_now(on.load()).unwrap_err();
        assert!(err.to_string().contains("Tokio runtime"), "{err}");
    }

    /// Polls once: these futures finish without waiting.
    fn futures_now<T>(future: impl std::future::Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
        {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("pending"),
        }
    }
}
