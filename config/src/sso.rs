//! AWS IAM Identity Center (SSO) credentials: the cached SSO access token, refreshed through
//! SSO-OIDC `CreateToken` when it is about to expire, exchanged for role credentials with the
//! SSO portal's `GetRoleCredentials`.
//!
//! The token cache is the AWS CLI's: `~/.aws/sso/cache/<sha1>.json`, written by
//! `aws sso login`. A refreshed token is written back, so the CLI and other SDKs see it.

use std::path::Path;
use std::time::{Duration, SystemTime};

use anvil_runtime::credentials::federation::{SecretToken, SsoSpec};
use anvil_runtime::credentials::{Credentials, CredentialsError, Env};
use anvil_runtime::{DateTime, TimestampFormat};
use serde_json::{Map, Value};

use crate::clients::{sso, ssooidc};

/// A token this close to its expiry is refreshed first (when it can be), as the SDKs do.
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Serializes refreshes, so that one process does not refresh the same token twice at once.
static REFRESH: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// SSO credentials for the profile.
pub(crate) async fn credentials(spec: &SsoSpec) -> Result<Credentials, CredentialsError> {
    let source = format!("profile `{}` (SSO)", spec.profile);
    let token = access_token(spec, &source).await?;
    let config = config(&spec.env, &spec.sso_region);
    let reply = sso::Client::new(&config)
        .get_role_credentials()
        .account_id(&spec.account_id)
        .role_name(&spec.role_name)
        .access_token(token.expose())
        .send()
        .await
        .map_err(|e| {
            CredentialsError::failed(
                source.clone(),
                format!("SSO GetRoleCredentials failed: {}", crate::call_error(&e)),
            )
        })?;
    let role = reply.role_credentials.ok_or_else(|| {
        CredentialsError::failed(source.clone(), "SSO answered without role credentials")
    })?;
    let (Some(id), Some(secret)) = (role.access_key_id, role.secret_access_key) else {
        return Err(CredentialsError::failed(
            source,
            "SSO's role credentials lack a key",
        ));
    };
    let expires = DateTime::from_secs(role.expiration.div_euclid(1000)).to_system_time();
    Ok(Credentials::new(id, secret, role.session_token)
        .with_expires_at(expires)
        .with_account_id(spec.account_id.clone()))
}

/// An unsigned client configuration for the SSO portal or SSO-OIDC in `region`, from the
/// chain's environment (so `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC` apply).
fn config(env: &Env, region: &str) -> anvil_runtime::Config {
    anvil_runtime::client::ConfigBuilder::from_env_with(env.clone())
        .region(region)
        .build()
}

/// The cached token, refreshed first when it expires within [`REFRESH_WINDOW`] and the
/// cache holds what a refresh needs (profiles with an `sso_session` only, as in the SDKs).
async fn access_token(spec: &SsoSpec, source: &str) -> Result<SecretToken, CredentialsError> {
    let path = spec.cache_file().ok_or_else(|| {
        CredentialsError::failed(source, "no home directory to find the SSO token cache in")
    })?;
    let login = || match &spec.session_name {
        Some(session) => format!("run `aws sso login --sso-session {session}`"),
        None => format!("run `aws sso login --profile {}`", spec.profile),
    };
    let now = SystemTime::now();
    let cached = CachedToken::read(&path).map_err(|why| {
        CredentialsError::failed(
            source,
            format!("the SSO token cache {} {why}; {}", path.display(), login()),
        )
    })?;
    let fresh = cached.expires_at.is_some_and(|t| t > now + REFRESH_WINDOW);
    if fresh || spec.session_name.is_none() {
        return cached.valid_at(now).ok_or_else(|| {
            CredentialsError::failed(source, format!("the SSO token has expired; {}", login()))
        });
    }
    let _one_at_a_time = REFRESH.lock().await;
    // Another task may have refreshed it while this one waited.
    let cached = CachedToken::read(&path).unwrap_or(cached);
    if cached.expires_at.is_some_and(|t| t > now + REFRESH_WINDOW) {
        return cached.valid_at(now).ok_or_else(|| {
            CredentialsError::failed(source, format!("the SSO token has expired; {}", login()))
        });
    }
    match refresh(spec, &cached, &path).await {
        Ok(token) => Ok(token),
        Err(why) => {
            tracing::warn!(
                target: "anvil_config::sso",
                profile = %spec.profile,
                "refreshing the SSO token failed: {why}"
            );
            cached.valid_at(now).ok_or_else(|| {
                CredentialsError::failed(
                    source,
                    format!(
                        "the SSO token has expired and refreshing it failed ({why}); {}",
                        login()
                    ),
                )
            })
        }
    }
}

/// SSO-OIDC `CreateToken` with the refresh token; the new token is written back.
async fn refresh(spec: &SsoSpec, cached: &CachedToken, path: &Path) -> Result<SecretToken, String> {
    let (Some(client_id), Some(client_secret), Some(refresh_token)) = (
        cached.text("clientId"),
        cached.text("clientSecret"),
        cached.text("refreshToken"),
    ) else {
        return Err("the cache holds no refresh token or client registration".to_owned());
    };
    if let Some(expiry) = cached.time("registrationExpiresAt")
        && expiry <= SystemTime::now()
    {
        return Err("the client registration has expired".to_owned());
    }
    let reply = ssooidc::Client::new(&config(&spec.env, &spec.sso_region))
        .create_token()
        .client_id(client_id)
        .client_secret(client_secret)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .map_err(|e| format!("SSO-OIDC CreateToken failed: {}", crate::call_error(&e)))?;
    let token = reply
        .access_token
        .ok_or_else(|| "SSO-OIDC answered without an access token".to_owned())?;
    let expires_in = u64::try_from(reply.expires_in).unwrap_or(0);
    let expires_at = SystemTime::now() + Duration::from_secs(expires_in);
    let mut updated = cached.fields.clone();
    updated.insert("accessToken".into(), Value::String(token.clone()));
    updated.insert(
        "expiresAt".into(),
        Value::String(DateTime::from_system_time(expires_at).format(TimestampFormat::DateTime)),
    );
    if let Some(new_refresh) = reply.refresh_token {
        updated.insert("refreshToken".into(), Value::String(new_refresh));
    }
    if let Err(e) = write_back(path, &updated) {
        tracing::warn!(
            target: "anvil_config::sso",
            "could not write the refreshed SSO token back to {}: {}",
            path.display(),
            e.kind()
        );
    }
    Ok(SecretToken::new(token))
}

/// Writes the cache file through a temporary file and a rename, so that a reader never sees
/// half of it.
fn write_back(path: &Path, fields: &Map<String, Value>) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(fields).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// One token cache file.
struct CachedToken {
    fields: Map<String, Value>,
    expires_at: Option<SystemTime>,
}

impl CachedToken {
    /// The file, parsed; the error says what is wrong without quoting the contents.
    fn read(path: &Path) -> Result<CachedToken, String> {
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "does not exist".to_owned(),
            kind => format!("cannot be read ({kind})"),
        })?;
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err("is not a JSON object".to_owned());
        };
        let mut token = CachedToken {
            fields,
            expires_at: None,
        };
        if token.text("accessToken").is_none() {
            return Err("has no accessToken".to_owned());
        }
        token.expires_at = token.time("expiresAt");
        if token.expires_at.is_none() {
            return Err("has no valid expiresAt".to_owned());
        }
        Ok(token)
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    }

    /// An RFC 3339 time; the AWS CLI v1's `...UTC` suffix is accepted too.
    fn time(&self, key: &str) -> Option<SystemTime> {
        let text = self.text(key)?;
        let text = match text.strip_suffix("UTC") {
            Some(rest) => format!("{rest}Z"),
            None => text.to_owned(),
        };
        DateTime::parse(TimestampFormat::DateTime, &text)
            .ok()?
            .to_system_time()
    }

    /// The access token, if it has not expired at `now`.
    fn valid_at(&self, now: SystemTime) -> Option<SecretToken> {
        if self.expires_at.is_some_and(|t| t > now) {
            self.text("accessToken").map(SecretToken::new)
        } else {
            None
        }
    }
}
