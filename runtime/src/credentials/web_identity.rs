//! Web identity federation from the environment (EKS IRSA and the like).

use std::sync::Arc;

use super::federation::{self, CallContext, Federation, WebIdentitySpec};
use super::{Credentials, CredentialsError, Env, ProvideCredentials, region_from_env};
use crate::BoxFuture;

/// The source name in errors and logs.
pub(super) const SOURCE: &str = "web identity";
const TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
const ROLE_ARN: &str = "AWS_ROLE_ARN";

/// Credentials for `AWS_ROLE_ARN` from STS `AssumeRoleWithWebIdentity`, with the OIDC token in
/// `AWS_WEB_IDENTITY_TOKEN_FILE` (re-read on every load, as IRSA rotates it) and the session
/// name `AWS_ROLE_SESSION_NAME` (else a generated one). The call is made by a [`Federation`]
/// (`anvil-config` has one); without one, a configured environment fails saying so.
#[derive(Debug, Clone, Default)]
pub struct WebIdentityProvider {
    env: Env,
    federation: Option<Arc<dyn Federation>>,
}

impl WebIdentityProvider {
    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        WebIdentityProvider {
            env,
            federation: None,
        }
    }

    /// Makes the STS call.
    pub fn federation(mut self, federation: Arc<dyn Federation>) -> Self {
        self.federation = Some(federation);
        self
    }

    /// Whether `AWS_WEB_IDENTITY_TOKEN_FILE` is set.
    pub fn is_configured(&self) -> bool {
        self.env.get(TOKEN_FILE).is_some()
    }

    /// What to ask STS for; `Ok(None)` when the token file is not set.
    fn spec(&self) -> Result<Option<WebIdentitySpec>, CredentialsError> {
        let Some(file) = self.env.get(TOKEN_FILE) else {
            return Ok(None);
        };
        let role_arn = self.env.get(ROLE_ARN).ok_or_else(|| {
            CredentialsError::failed(SOURCE, format!("{TOKEN_FILE} is set but {ROLE_ARN} is not"))
        })?;
        Ok(Some(WebIdentitySpec {
            token_file: self.env.expand_home(&file),
            role_arn,
            session_name: self.env.get("AWS_ROLE_SESSION_NAME"),
            context: CallContext {
                region: region_from_env(&self.env),
                env: self.env.clone(),
            },
        }))
    }

    /// The credentials, from STS now.
    pub async fn load(&self) -> Result<Credentials, CredentialsError> {
        let Some(spec) = self.spec()? else {
            return Err(CredentialsError::new(
                SOURCE,
                format!("{TOKEN_FILE} is not set"),
            ));
        };
        let Some(federation) = &self.federation else {
            return Err(federation::missing(SOURCE, TOKEN_FILE));
        };
        federation.web_identity(&spec).await
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}
