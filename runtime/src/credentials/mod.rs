//! AWS credentials and where to find them: static values, the environment, the shared
//! `~/.aws/credentials` and `~/.aws/config` files (static keys, `credential_process`, role
//! assumption, web identity, SSO), web identity federation, the ECS/EKS container endpoint
//! and the EC2 instance metadata service; a cache that refreshes expiring credentials; plus
//! the default region.
//!
//! The sources that take an STS or SSO call go through a [`federation::Federation`], which
//! the `anvil-config` crate implements with clients anvil generates.
//!
//! Every provider reads the environment through an [`Env`], which is the process environment
//! by default and a fixed map in tests, so nothing here needs to mutate `std::env`.
//!
//! Secrets never reach `Debug`, `Display`, a log line or an error: [`Credentials`]' `Debug`
//! shows the access key id and expiry only, and [`CredentialsError`] names the sources tried
//! and why each failed, never a secret value, a token, a response body or a process's output.
//!
//! | provider | source |
//! | --- | --- |
//! | [`EnvironmentProvider`] | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` |
//! | [`ProfileProvider`] | a profile of the shared files: static keys, `credential_process`, `role_arn`, `web_identity_token_file`, SSO |
//! | [`WebIdentityProvider`] | `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (EKS IRSA), through STS |
//! | [`ProcessProvider`] | an external command printing credentials as JSON |
//! | [`EcsContainerProvider`] | the ECS task role / EKS Pod Identity endpoint |
//! | [`ImdsProvider`] | the EC2 instance role through IMDSv2 |
//! | [`CredentialsCache`] | caches any provider, refreshing before expiry |
//! | [`DefaultCredentialsChain`] | all of the above, in the SDKs' order, cached |

mod cache;
mod chain;
mod container;
mod environment;
pub mod federation;
mod fetch;
mod imds;
mod process;
mod profile;
pub(crate) mod profile_file;
mod web_identity;

pub use cache::{
    CredentialsCache, DEFAULT_LOAD_TIMEOUT, DEFAULT_REFRESH_BUFFER, DEFAULT_REFRESH_JITTER,
};
pub use chain::DefaultCredentialsChain;
pub use container::EcsContainerProvider;
pub use environment::EnvironmentProvider;
pub use imds::{ImdsProvider, imds_region};
pub use process::ProcessProvider;
pub use profile::ProfileProvider;
pub use web_identity::WebIdentityProvider;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use crate::BoxFuture;
use crate::datetime::{DateTime, TimestampFormat};

const REDACTED: &str = "** redacted **";

/// An access key id, its secret, a session token for temporary credentials, and when they
/// expire (`None`: they do not).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expires_at: Option<SystemTime>,
    account_id: Option<String>,
}

impl Credentials {
    /// Credentials from their parts, without expiry.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expires_at: None,
            account_id: None,
        }
    }

    /// The same credentials, naming the AWS account they belong to. Builder style. Endpoint
    /// rules take it as the `AWS::Auth::AccountId` built-in (DynamoDB's account-based
    /// endpoints; see [`crate::endpoint::AccountIdEndpointMode`]).
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// The AWS account id, when the credentials name one.
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// The same credentials, expiring at `expires_at` (`None`: never). Builder style.
    pub fn with_expires_at(mut self, expires_at: Option<SystemTime>) -> Self {
        self.expires_at = expires_at;
        self
    }

    /// The access key id (not a secret: it names the key).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When the credentials stop working, if they expire.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether they have expired at `now` (never, without an expiry).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

/// Shows the access key id and the expiry; the secret and the token are redacted. The
/// `expires_at` field is printed only when there is one.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Credentials");
        s.field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &REDACTED)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| REDACTED),
            );
        if let Some(at) = self.expires_at {
            s.field("expires_at", &DateTime::from_system_time(at));
        }
        if let Some(id) = &self.account_id {
            s.field("account_id", id);
        }
        s.finish()
    }
}

/// One source's outcome in a [`CredentialsError`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attempt {
    source: String,
    reason: String,
    /// `false`: the source was skipped (not configured, disabled), not tried.
    tried: bool,
}

/// No credentials could be had: which sources were tried (or skipped), in order, and why each
/// gave nothing.
///
/// Its messages name variables, files, hosts, HTTP statuses and profiles, never a secret, a
/// token, a response body or a process's output.
///
/// An error is *failed* ([`is_failed`](Self::is_failed)) when a source that is configured
/// could not deliver (a profile's `credential_process` exited with an error, the container
/// endpoint refused the token, a load timed out); otherwise the source simply has no
/// credentials (variables unset, profile absent). A chain goes on past the latter and stops at
/// the former, so that a broken configuration is reported rather than silently replaced by
/// credentials from a later source (say, the instance role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    attempts: Vec<Attempt>,
    failed: bool,
}

impl CredentialsError {
    /// The source (`source`: e.g. `"environment"`) has no credentials, for `reason`. Neither
    /// may contain a secret.
    pub fn new(source: impl Into<String>, reason: impl Into<String>) -> Self {
        CredentialsError {
            attempts: vec![Attempt {
                source: source.into(),
                reason: reason.into(),
                tried: true,
            }],
            failed: false,
        }
    }

    /// The source is configured but failed to deliver, for `reason`: chains stop here.
    /// Neither may contain a secret.
    pub fn failed(source: impl Into<String>, reason: impl Into<String>) -> Self {
        CredentialsError {
            failed: true,
            ..Self::new(source, reason)
        }
    }

    /// The source was not tried (not configured, disabled), for `reason`.
    pub(crate) fn skipped(source: impl Into<String>, reason: impl Into<String>) -> Self {
        CredentialsError {
            attempts: vec![Attempt {
                source: source.into(),
                reason: reason.into(),
                tried: false,
            }],
            failed: false,
        }
    }

    /// Whether a configured source failed (rather than having no credentials).
    pub fn is_failed(&self) -> bool {
        self.failed
    }

    /// The sources tried, in order, each with the reason it gave nothing.
    pub fn attempts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attempts
            .iter()
            .filter(|a| a.tried)
            .map(|a| (a.source.as_str(), a.reason.as_str()))
    }

    /// The sources not tried (not configured, disabled, or unreachable from here), in order,
    /// each with the reason.
    pub fn skipped_sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attempts
            .iter()
            .filter(|a| !a.tried)
            .map(|a| (a.source.as_str(), a.reason.as_str()))
    }

    /// Every source, tried or skipped, in order: `(source, reason, tried)`.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str, bool)> {
        self.attempts
            .iter()
            .map(|a| (a.source.as_str(), a.reason.as_str(), a.tried))
    }

    /// The errors in order, as one; failed if the last one is.
    fn merge(errors: impl IntoIterator<Item = CredentialsError>) -> Self {
        let mut failed = false;
        let mut attempts = Vec::new();
        for e in errors {
            failed = e.failed;
            attempts.extend(e.attempts);
        }
        CredentialsError { attempts, failed }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no AWS credentials found")?;
        for (i, a) in self.attempts.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            if a.tried {
                write!(f, "{}: {}", a.source, a.reason)?;
            } else {
                write!(f, "{}: skipped ({})", a.source, a.reason)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for CredentialsError {}

/// A source of credentials, asked before each request is signed.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Credentials now, or why there are none.
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials()
    }
}

/// Where environment variables come from: the process, or a fixed map (for tests, or to
/// configure a client explicitly). Its `Debug` shows no values.
#[derive(Clone, Default)]
pub struct Env {
    map: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env { map: None }
    }

    /// A fixed set of variables; the process environment is not consulted.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env {
            map: Some(Arc::new(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            )),
        }
    }

    /// A variable's value, if set, valid Unicode and not empty.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.map {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// Whether a variable is `true` (any case, surrounding blanks ignored).
    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The fixed variables, if this is not the process environment.
    fn fixed_vars(&self) -> Option<&HashMap<String, String>> {
        self.map.as_deref()
    }

    pub(crate) fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = self.get("HOME") {
            return Some(PathBuf::from(home));
        }
        if let Some(profile) = self.get("USERPROFILE") {
            return Some(PathBuf::from(profile));
        }
        match (self.get("HOMEDRIVE"), self.get("HOMEPATH")) {
            (Some(drive), Some(path)) => Some(PathBuf::from(format!("{drive}{path}"))),
            _ => None,
        }
    }

    /// A path from a variable (with a leading `~` expanded), or `~/.aws/<default_name>`.
    fn aws_file(&self, var: &str, default_name: &str) -> Option<PathBuf> {
        match self.get(var) {
            Some(path) => Some(self.expand_home(&path)),
            None => self
                .home_dir()
                .map(|home| home.join(".aws").join(default_name)),
        }
    }

    pub(crate) fn expand_home(&self, path: &str) -> PathBuf {
        let rest = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"));
        match (rest, self.home_dir()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if path == "~" => self.home_dir().unwrap_or_else(|| PathBuf::from(path)),
            _ => PathBuf::from(path),
        }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.map {
            None => f.write_str("Env(process)"),
            Some(map) => write!(f, "Env({} fixed variables)", map.len()),
        }
    }
}

/// The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the `region` of the active
/// profile (`AWS_PROFILE` or `default`) in the shared config files.
///
/// It does not ask the instance metadata service (that needs a network round trip and an
/// async context): use [`imds_region`] for that.
pub fn default_region() -> Option<String> {
    region_from_env(&Env::process())
}

/// [`default_region`] over the given environment.
pub fn region_from_env(env: &Env) -> Option<String> {
    region_in(env, active_profile(env).as_ref())
}

/// The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `profile`'s `region`.
pub(crate) fn region_in(env: &Env, profile: Option<&profile_file::Properties>) -> Option<String> {
    let from_profile = profile.and_then(|p| p.get("region").cloned());
    let from_env = [env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")];
    from_env
        .into_iter()
        .chain([from_profile])
        .flatten()
        .find(|region| !region.trim().is_empty())
}

/// A shared-configuration setting: the environment variable `env_var`, else the key
/// `profile_key` of the active profile (`AWS_PROFILE`, else `default`) in the config files.
pub fn shared_setting(env: &Env, env_var: &str, profile_key: &str) -> Option<String> {
    if let Some(v) = env.get(env_var).filter(|v| !v.trim().is_empty()) {
        return Some(v);
    }
    active_profile(env)
        .and_then(|profile| profile.get(profile_key).cloned())
        .filter(|v| !v.trim().is_empty())
}

/// The active profile's properties (`AWS_PROFILE`, else `default`), if the files have it.
fn active_profile(env: &Env) -> Option<profile_file::Properties> {
    profile_file::ProfileFiles::load(env).profile(&profile_file::profile_name(env))
}

/// Whether a Tokio runtime is running this code: the HTTP providers, timeouts and blocking
/// tasks need one. Outside one (a future polled by hand), they are skipped or run inline.
fn in_tokio() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Credentials from the JSON object of the container endpoint, IMDS or a
/// `credential_process`: `AccessKeyId`, `SecretAccessKey`, the token under `token_key`
/// (`Token` or `SessionToken`, optional), `Expiration` (RFC 3339, optional) and `AccountId`
/// (optional).
///
/// The error names the problem only: never the body, a value or the JSON parser's message
/// (which can quote the input).
fn credentials_from_json(body: &[u8], token_key: &str) -> Result<Credentials, String> {
    let object = json_object(body)?;
    let id = json_str(&object, "AccessKeyId")?.ok_or("it has no `AccessKeyId`")?;
    let secret = json_str(&object, "SecretAccessKey")?.ok_or("it has no `SecretAccessKey`")?;
    let token = json_str(&object, token_key)?;
    let expires_at = match json_str(&object, "Expiration")? {
        None => None,
        Some(text) => Some(parse_expiration(&text)?),
    };
    let credentials = Credentials::new(id, secret, token).with_expires_at(expires_at);
    Ok(match json_str(&object, "AccountId")? {
        Some(account) => credentials.with_account_id(account),
        None => credentials,
    })
}

/// The body as a JSON object.
fn json_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("it is not a JSON object".to_owned()),
        Err(e) => Err(format!(
            "it is not valid JSON (at line {}, column {})",
            e.line(),
            e.column()
        )),
    }
}

/// A non-empty string member; `null` and `""` count as absent; any other type is an error.
fn json_str(
    object: &serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("its `{key}` is not a string")),
    }
}

fn parse_expiration(text: &str) -> Result<SystemTime, String> {
    DateTime::parse(TimestampFormat::DateTime, text.trim())
        .ok()
        .and_then(|t| t.to_system_time())
        .ok_or_else(|| "its `Expiration` is not an RFC 3339 timestamp".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn debug_redacts_and_shows_expiry_only_when_set() {
        let c = Credentials::new("AKID", "s3cr3t", Some("t0k3n".into()));
        assert_eq!(
            format!("{c:?}"),
            "Credentials { access_key_id: \"AKID\", secret_access_key: \"** redacted **\", session_token: Some(\"** redacted **\") }"
        );
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = c.with_expires_at(Some(at));
        let text = format!("{c:?} {c:#?}");
        assert!(text.contains("expires_at: 2023-11-14T22:13:20Z"), "{text}");
        assert!(
            !text.contains("s3cr3t") && !text.contains("t0k3n"),
            "{text}"
        );
        assert!(c.is_expired_at(at) && !c.is_expired_at(at - Duration::from_secs(1)));
        assert!(!Credentials::new("a", "b", None).is_expired_at(at));
    }

    #[test]
    fn json_credentials_are_parsed_and_errors_quote_nothing() {
        let c = credentials_from_json(
            br#"{"AccessKeyId":"AKID","SecretAccessKey":"SECRETX","Token":"TOKENX","Expiration":"2030-01-02T03:04:05Z"}"#,
            "Token",
        )
        .expect("valid");
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.secret_access_key(), "SECRETX");
        assert_eq!(c.session_token(), Some("TOKENX"));
        assert_eq!(
            c.expires_at().map(DateTime::from_system_time),
            Some(DateTime::from_secs(1_893_553_445))
        );
        let bad: [&[u8]; 7] = [
            b"SECRETX not json",
            br#"["SECRETX"]"#,
            br#"{"AccessKeyId":"AKID"}"#,
            br#"{"SecretAccessKey":"SECRETX"}"#,
            br#"{"AccessKeyId":"AKID","SecretAccessKey":"SECRETX","Expiration":"SECRETX"}"#,
            br#"{"AccessKeyId":"AKID","SecretAccessKey":"SECRETX","Token":7}"#,
            br#"{"AccessKeyId":"AKID","SecretAccessKey":"SECRETX","Expiration":"9999999-01-01T00:00:00Z"}"#,
        ];
        for body in bad {
            let err = credentials_from_json(body, "Token").expect_err("invalid");
            assert!(!err.contains("SECRETX"), "{err}");
        }
        let deep = "[".repeat(100_000);
        assert!(credentials_from_json(deep.as_bytes(), "Token").is_err());
    }

    #[test]
    fn errors_list_tried_and_skipped_sources_in_order() {
        let e = CredentialsError::merge([
            CredentialsError::new("a", "nothing"),
            CredentialsError::skipped("b", "not configured"),
            CredentialsError::failed("c", "broken"),
        ]);
        assert!(e.is_failed());
        assert_eq!(
            e.to_string(),
            "no AWS credentials found: a: nothing; b: skipped (not configured); c: broken"
        );
        assert_eq!(e.attempts().map(|(s, _)| s).collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(
            e.skipped_sources().map(|(s, _)| s).collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(e.sources().count(), 3);
        assert!(!CredentialsError::new("a", "b").is_failed());
    }

    #[test]
    fn env_lookup_ignores_empty_values_and_expands_home() {
        let env = Env::from_vars([("HOME", "/home/u"), ("EMPTY", ""), ("F", "~/x/y")]);
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(env.get("MISSING"), None);
        assert_eq!(
            env.aws_file("F", "config"),
            Some(PathBuf::from("/home/u/x/y"))
        );
        assert_eq!(
            env.aws_file("NOPE", "config"),
            Some(PathBuf::from("/home/u").join(".aws").join("config"))
        );
        let no_home = Env::from_vars([("A", "b")]);
        assert_eq!(no_home.aws_file("NOPE", "config"), None);
        assert!(!format!("{env:?}").contains("/home/u"));
        let flags = Env::from_vars([("T", " TRUE "), ("F", "yes")]);
        assert!(flags.is_true("T") && !flags.is_true("F") && !flags.is_true("X"));
    }
}
