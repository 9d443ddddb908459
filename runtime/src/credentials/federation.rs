//! The seam to credentials that take a service call: STS `AssumeRole` and
//! `AssumeRoleWithWebIdentity`, and AWS IAM Identity Center (SSO).
//!
//! The runtime decides *what* to ask for (it reads the profiles, the environment and the
//! chain's order); a [`Federation`] makes the calls. The runtime has no STS or SSO client of
//! its own: the `anvil-config` crate implements [`Federation`] with clients anvil generates,
//! as `aws-config` does for the AWS SDK for Rust. Without one, a profile that needs it fails
//! with an error saying so.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Credentials, CredentialsError, Env};
use crate::BoxFuture;

/// Makes the service calls behind role assumption, web identity federation and SSO.
pub trait Federation: Send + Sync + fmt::Debug {
    /// STS `AssumeRole`, signed with `source`.
    fn assume_role<'a>(
        &'a self,
        source: Credentials,
        role: &'a AssumeRoleSpec,
    ) -> BoxFuture<'a, Result<Credentials, CredentialsError>>;

    /// STS `AssumeRoleWithWebIdentity` (unsigned), with the token read from the spec's file.
    fn web_identity<'a>(
        &'a self,
        spec: &'a WebIdentitySpec,
    ) -> BoxFuture<'a, Result<Credentials, CredentialsError>>;

    /// SSO `GetRoleCredentials` with the cached SSO access token (refreshed through
    /// SSO-OIDC `CreateToken` when it has expired).
    fn sso<'a>(&'a self, spec: &'a SsoSpec)
    -> BoxFuture<'a, Result<Credentials, CredentialsError>>;
}

/// Where a federation call goes: the region and the environment its client is configured
/// from (`AWS_ENDPOINT_URL_STS` and the like, the files, the home directory).
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The region of the call (the profile's or the environment's).
    pub region: Option<String>,
    /// The environment the chain was built over.
    pub env: Env,
}

/// One role to assume (a profile's `role_arn` and its companions).
#[derive(Debug, Clone)]
pub struct AssumeRoleSpec {
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`, else one is made up ([`session_name`]).
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<i32>,
    /// The profile it comes from (for error messages).
    pub profile: String,
    /// Where the call goes.
    pub context: CallContext,
}

/// Web identity federation: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`
/// (+ `AWS_ROLE_SESSION_NAME`), or a profile's `web_identity_token_file` + `role_arn`.
#[derive(Debug, Clone)]
pub struct WebIdentitySpec {
    /// The file holding the OIDC token (re-read on every call: IRSA rotates it).
    pub token_file: PathBuf,
    /// The role to assume.
    pub role_arn: String,
    /// The session name, else one is made up ([`session_name`]).
    pub session_name: Option<String>,
    /// Where the call goes.
    pub context: CallContext,
}

impl WebIdentitySpec {
    /// The token, read from the file now. The error names the file, never its contents.
    pub fn read_token(&self) -> Result<SecretToken, CredentialsError> {
        let failed = |why: String| {
            CredentialsError::failed(
                "web identity",
                format!(
                    "cannot read the token file {}: {why}",
                    self.token_file.display()
                ),
            )
        };
        let bytes = std::fs::read(&self.token_file).map_err(|e| failed(e.kind().to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| failed("not UTF-8".to_owned()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(failed("empty".to_owned()));
        }
        Ok(SecretToken(token.to_owned()))
    }
}

/// A bearer or OIDC token. Its `Debug` shows no part of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(token.into())
    }

    /// The token itself, to send.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::sensitive::REDACTED)
    }
}

/// An SSO profile: the new form (`sso_session` naming an `[sso-session]` section) or the
/// legacy one (`sso_start_url` and `sso_region` in the profile itself).
#[derive(Debug, Clone)]
pub struct SsoSpec {
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where the SSO portal and SSO-OIDC are called.
    pub sso_region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// The `sso_session` name; `None` for a legacy profile. It also names the token cache
    /// file (the start URL does for legacy profiles), see [`SsoSpec::cache_key`].
    pub session_name: Option<String>,
    /// The profile it comes from (for error messages).
    pub profile: String,
    /// The environment (the home directory holds the token cache).
    pub env: Env,
}

impl SsoSpec {
    /// What the token cache file's name is the SHA-1 of: the session name, else the start
    /// URL (`~/.aws/sso/cache/<hex sha1>.json`, as the AWS CLI writes it).
    pub fn cache_key(&self) -> &str {
        self.session_name.as_deref().unwrap_or(&self.start_url)
    }

    /// The token cache file: `~/.aws/sso/cache/<hex sha1 of the cache key>.json`.
    pub fn cache_file(&self) -> Option<PathBuf> {
        let digest = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            self.cache_key().as_bytes(),
        );
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        self.env.home_dir().map(|home| {
            home.join(".aws")
                .join("sso")
                .join("cache")
                .join(format!("{hex}.json"))
        })
    }
}

/// A role session name when none is configured: `anvil-<milliseconds since the epoch>`.
pub fn session_name(configured: Option<&str>) -> String {
    match configured {
        Some(name) => name.to_owned(),
        None => {
            let millis = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_millis();
            format!("anvil-{millis}")
        }
    }
}

/// The error for a profile or variable that needs a [`Federation`] when none is installed.
pub(super) fn missing(source: &str, what: &str) -> CredentialsError {
    CredentialsError::failed(
        source,
        format!(
            "uses {what}, which needs STS or SSO calls: build the client's config with \
             `anvil_config::load_defaults()` (crate anvil-config), or give the provider a \
             `Federation`"
        ),
    )
}
