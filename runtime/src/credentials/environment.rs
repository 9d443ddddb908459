//! Credentials from environment variables.

use super::{Credentials, CredentialsError, Env, ProvideCredentials};
use crate::BoxFuture;

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, optionally,
/// `AWS_SESSION_TOKEN` and `AWS_ACCOUNT_ID`. They carry no expiry.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    /// The credentials, read now.
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        let fail = |reason: &str| CredentialsError::new("environment", reason);
        let id = self.env.get("AWS_ACCESS_KEY_ID");
        let secret = self.env.get("AWS_SECRET_ACCESS_KEY");
        match (id, secret) {
            (Some(id), Some(secret)) => {
                let credentials = Credentials::new(id, secret, self.env.get("AWS_SESSION_TOKEN"));
                Ok(match self.env.get("AWS_ACCOUNT_ID") {
                    Some(account) => credentials.with_account_id(account),
                    None => credentials,
                })
            }
            (None, None) => Err(fail(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
            )),
            (None, Some(_)) => Err(fail("AWS_ACCESS_KEY_ID is not set")),
            (Some(_), None) => Err(fail("AWS_SECRET_ACCESS_KEY is not set")),
        }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.load()))
    }
}
