//! Credentials from the ECS task-role / EKS Pod Identity endpoint.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Method};

use super::fetch::{self, Limits, Transport};
use super::{Credentials, CredentialsError, Env, ProvideCredentials};
use crate::BoxFuture;
use crate::http::{HttpClient, HttpRequest};

const SOURCE: &str = "container";
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// The ECS agent's address, the host of a relative URI.
const ECS_HOST: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 2);
/// The EKS Pod Identity agent's addresses.
const EKS_HOST_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 23);
const EKS_HOST_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);

/// Credentials from the container credentials endpoint: the ECS task role, or EKS Pod
/// Identity.
///
/// The endpoint is `http://169.254.170.2` followed by `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// when that is set, else `AWS_CONTAINER_CREDENTIALS_FULL_URI`, which must be `https`, or
/// `http` to a loopback address (`127.0.0.0/8`, `::1`, `localhost`), the ECS agent
/// (`169.254.170.2`) or the EKS Pod Identity agent (`169.254.170.23`, `fd00:ec2::23`): the
/// authorization token is never sent in clear text anywhere else. The token, sent as the
/// `Authorization` header, is the content of the file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// names (read again on every load, as the agent rotates it), else
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`; none is sent without either.
///
/// The endpoint answers `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`. Each
/// attempt gives up after 1.5 s (connecting after 1 s); connection failures, timeouts and 5xx
/// answers are retried, 3 attempts in all. Responses over 64 KiB are refused.
///
/// Without either URI variable the provider is not configured and has no credentials; once
/// configured, any failure is [failed](CredentialsError::is_failed) (a chain stops there).
#[derive(Clone)]
pub struct EcsContainerProvider {
    env: Env,
    transport: Transport,
    limits: Limits,
}

impl Default for EcsContainerProvider {
    fn default() -> Self {
        Self::with_env(Env::process())
    }
}

impl EcsContainerProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        EcsContainerProvider {
            env,
            transport: Transport::default(),
            limits: Limits {
                connect_timeout: Duration::from_secs(1),
                attempt_timeout: Duration::from_millis(1500),
                max_attempts: 3,
            },
        }
    }

    /// Sends through `client` instead of the default transport.
    pub fn http_client(mut self, client: Arc<dyn HttpClient>) -> Self {
        self.transport = Transport::given(client);
        self
    }

    /// How long one attempt may take (default 1.5 s; the default transport's connect timeout
    /// is at most this, and 1 s by default).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.limits.attempt_timeout = timeout;
        self.limits.connect_timeout = self.limits.connect_timeout.min(timeout);
        self
    }

    /// How many attempts in all (default 3; at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.limits.max_attempts = attempts.max(1);
        self
    }

    /// Whether either URI variable is set.
    pub fn is_configured(&self) -> bool {
        self.env.get(RELATIVE_URI).is_some() || self.env.get(FULL_URI).is_some()
    }

    /// The credentials, fetched now.
    pub async fn load(&self) -> Result<Credentials, CredentialsError> {
        let fail = |reason: String| CredentialsError::failed(SOURCE, reason);
        let Some(uri) = endpoint(&self.env).map_err(fail)? else {
            return Err(CredentialsError::new(
                SOURCE,
                format!("neither {RELATIVE_URI} nor {FULL_URI} is set"),
            ));
        };
        let mut request = HttpRequest::new(Method::GET, uri);
        request.headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        if let Some(token) = authorization(&self.env).map_err(fail)? {
            request.headers.insert(http::header::AUTHORIZATION, token);
        }
        let response = fetch::send(&self.transport, &request, self.limits)
            .await
            .map_err(|e| fail(format!("the endpoint could not be reached: {e}")))?;
        if !response.is_success() {
            let code = fetch::error_code(&response.body)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            let hint = match response.status {
                401 | 403 => ": the authorization token was refused",
                _ => "",
            };
            return Err(fail(format!(
                "the endpoint answered HTTP {}{code}{hint}",
                response.status
            )));
        }
        super::credentials_from_json(&response.body, "Token")
            .map_err(|e| fail(format!("the endpoint's answer is unusable: {e}")))
    }
}

/// The endpoint URL, `None` when not configured, or why the configuration is refused.
fn endpoint(env: &Env) -> Result<Option<String>, String> {
    if let Some(relative) = env.get(RELATIVE_URI) {
        let uri = if relative.starts_with('/') {
            format!("http://{ECS_HOST}{relative}")
        } else {
            format!("http://{ECS_HOST}/{relative}")
        };
        return match uri.parse::<http::Uri>() {
            Ok(_) => Ok(Some(uri)),
            Err(_) => Err(format!("{RELATIVE_URI} is not a valid path")),
        };
    }
    let Some(full) = env.get(FULL_URI) else {
        return Ok(None);
    };
    let uri: http::Uri = full
        .parse()
        .map_err(|_| format!("{FULL_URI} is not a valid URL"))?;
    let host = uri
        .host()
        .ok_or_else(|| format!("{FULL_URI} has no host"))?;
    match uri.scheme_str() {
        Some("https") => Ok(Some(full)),
        Some("http") if host_allowed_over_http(host) => Ok(Some(full)),
        Some("http") => Err(format!(
            "{FULL_URI} names host `{host}`, which is not allowed over http (only loopback, \
             169.254.170.2, 169.254.170.23 and fd00:ec2::23; use https for other hosts)"
        )),
        _ => Err(format!("{FULL_URI} must be an http or https URL")),
    }
}

/// Loopback, the ECS agent, or the EKS Pod Identity agent.
fn host_allowed_over_http(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip == ECS_HOST || ip == EKS_HOST_V4,
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip == EKS_HOST_V6
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4 == ECS_HOST || v4 == EKS_HOST_V4)
        }
        Err(_) => false,
    }
}

/// The `Authorization` header value: the token file's content, else the token variable.
fn authorization(env: &Env) -> Result<Option<HeaderValue>, String> {
    let (token, from) = if let Some(path) = env.get(TOKEN_FILE) {
        let path = PathBuf::from(path);
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "{TOKEN_FILE} `{}` could not be read: {}",
                path.display(),
                e.kind()
            )
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{TOKEN_FILE} `{}` is not UTF-8", path.display()))?;
        (text.trim().to_owned(), TOKEN_FILE)
    } else if let Some(token) = env.get(TOKEN) {
        (token.trim().to_owned(), TOKEN)
    } else {
        return Ok(None);
    };
    if token.is_empty() {
        return Err(format!("the token in {from} is empty"));
    }
    let mut value = HeaderValue::from_str(&token)
        .map_err(|_| format!("the token in {from} has characters not allowed in an HTTP header"))?;
    value.set_sensitive(true);
    Ok(Some(value))
}

impl fmt::Debug for EcsContainerProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsContainerProvider")
            .field("env", &self.env)
            .field("transport", &self.transport)
            .field("limits", &self.limits)
            .finish()
    }
}

impl ProvideCredentials for EcsContainerProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(uri: &str) -> Result<Option<String>, String> {
        endpoint(&Env::from_vars([(FULL_URI, uri)]))
    }

    #[test]
    fn relative_uri_goes_to_the_ecs_agent_and_wins() {
        let env = Env::from_vars([
            (RELATIVE_URI, "/v2/credentials/abc"),
            (FULL_URI, "http://127.0.0.1/x"),
        ]);
        assert_eq!(
            endpoint(&env).unwrap().as_deref(),
            Some("http://169.254.170.2/v2/credentials/abc")
        );
        let env = Env::from_vars([(RELATIVE_URI, "v2/x")]);
        assert_eq!(
            endpoint(&env).unwrap().as_deref(),
            Some("http://169.254.170.2/v2/x")
        );
        assert!(endpoint(&Env::from_vars([(RELATIVE_URI, "/a b")])).is_err());
        assert_eq!(endpoint(&Env::from_vars([("X", "y")])), Ok(None));
    }

    #[test]
    fn full_uri_hosts_are_restricted_over_http() {
        for ok in [
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/creds",
            "http://[::1]:9/creds",
            "http://localhost/creds",
            "http://169.254.170.2/creds",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://[::ffff:127.0.0.1]/x",
            "https://creds.example.com/x",
            "https://10.0.0.1/x",
        ] {
            assert_eq!(full(ok).unwrap().as_deref(), Some(ok), "{ok}");
        }
        for refused in [
            "http://example.com/creds",
            "http://10.0.0.1/creds",
            "http://169.254.169.254/latest",
            "http://[fd00:ec2::254]/x",
            "http://localhost.evil.com/x",
            "ftp://127.0.0.1/x",
            "not a url",
            "/relative/only",
        ] {
            let err = full(refused).expect_err(refused);
            assert!(err.contains(FULL_URI), "{err}");
        }
        assert!(
            full("http://example.com/x")
                .unwrap_err()
                .contains("example.com")
        );
    }

    #[test]
    fn tokens_come_from_the_file_first_and_must_be_header_safe() {
        let dir = std::env::temp_dir().join(format!("anvil-ecs-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        let path = file.to_str().unwrap();
        let env = Env::from_vars([(TOKEN_FILE, path), (TOKEN, "from-env")]);
        let value = authorization(&env).unwrap().unwrap();
        assert_eq!(value.to_str().unwrap(), "from-file");
        assert!(value.is_sensitive());
        let env = Env::from_vars([(TOKEN, "from-env")]);
        assert_eq!(
            authorization(&env).unwrap().unwrap().to_str().unwrap(),
            "from-env"
        );
        let err = authorization(&Env::from_vars([(TOKEN, "bad\u{7}s3cret")])).unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
        let missing = dir.join("missing");
        let err =
            authorization(&Env::from_vars([(TOKEN_FILE, missing.to_str().unwrap())])).unwrap_err();
        assert!(err.contains("could not be read"), "{err}");
        assert_eq!(authorization(&Env::from_vars([("X", "y")])), Ok(None));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
