//! The default chain of credentials providers.

use std::fmt;
use std::sync::Arc;

use super::cache::CredentialsCache;
use super::container::EcsContainerProvider;
use super::environment::EnvironmentProvider;
use super::federation::Federation;
use super::imds::ImdsProvider;
use super::profile::ProfileProvider;
use super::web_identity::{self, WebIdentityProvider};
use super::{Credentials, CredentialsError, Env, ProvideCredentials};
use crate::BoxFuture;

/// The default chain, in the AWS SDKs' order, behind a [`CredentialsCache`]:
///
/// 1. the environment ([`EnvironmentProvider`]);
/// 2. the shared files' profile ([`ProfileProvider`]): static keys, `credential_process`,
///    role assumption, web identity or SSO;
/// 3. web identity federation from the environment ([`WebIdentityProvider`]:
///    `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`);
/// 4. the ECS/EKS container endpoint ([`EcsContainerProvider`]), when configured;
/// 5. the EC2 instance metadata service ([`ImdsProvider`]), unless disabled.
///
/// Role assumption, web identity and SSO take STS or SSO calls, which a [`Federation`] makes
/// ([`with_federation`](Self::with_federation); `anvil_config::load_defaults` builds the
/// chain with its own). Without one, a source that needs it fails, saying so.
///
/// The first credentials found are cached, and refreshed before they expire (static ones are
/// kept forever); failures are not cached. A source that has no credentials passes on to the
/// next; a source that is configured but fails ([`CredentialsError::is_failed`]) stops the
/// chain. The error lists each source tried, or skipped, and why, without secrets.
///
/// The container and IMDS sources need a Tokio runtime: outside one (a future polled by
/// hand) they are skipped, so that the environment and the files still work there.
pub struct DefaultCredentialsChain {
    cache: CredentialsCache,
}

/// The chain's sources, uncached.
struct Sources {
    env: Env,
    environment: EnvironmentProvider,
    profile: ProfileProvider,
    web_identity: WebIdentityProvider,
    container: EcsContainerProvider,
    imds: ImdsProvider,
}

impl Default for DefaultCredentialsChain {
    fn default() -> Self {
        Self::with_env(Env::process())
    }
}

impl DefaultCredentialsChain {
    /// The chain over the process environment and the user's files.
    pub fn new() -> Self {
        Self::default()
    }

    /// The chain over the given environment (files and endpoints located through it too).
    pub fn with_env(env: Env) -> Self {
        Self::build(env, None)
    }

    /// The chain over the given environment, making STS and SSO calls with `federation`.
    pub fn with_federation(env: Env, federation: Arc<dyn Federation>) -> Self {
        Self::build(env, Some(federation))
    }

    fn build(env: Env, federation: Option<Arc<dyn Federation>>) -> Self {
        let mut profile = ProfileProvider::with_env(env.clone());
        let mut web_identity = WebIdentityProvider::with_env(env.clone());
        if let Some(federation) = federation {
            profile = profile.federation(federation.clone());
            web_identity = web_identity.federation(federation);
        }
        DefaultCredentialsChain {
            cache: CredentialsCache::new(Sources {
                environment: EnvironmentProvider::with_env(env.clone()),
                profile,
                web_identity,
                container: EcsContainerProvider::with_env(env.clone()),
                imds: ImdsProvider::with_env(env.clone()),
                env,
            }),
        }
    }

    /// The cache in front of the sources (to [`invalidate`](CredentialsCache::invalidate)
    /// it, say).
    pub fn cache(&self) -> &CredentialsCache {
        &self.cache
    }
}

impl Sources {
    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let mut errors = Vec::new();
        let found = |source: &str, credentials: Credentials| {
            tracing::debug!(
                target: "anvil_runtime::credentials",
                source,
                "credentials found"
            );
            Ok(credentials)
        };
        match self.environment.load() {
            Ok(credentials) => return found("environment", credentials),
            Err(e) => errors.push(e),
        }
        match self.profile.provide_credentials().await {
            Ok(credentials) => return found("profile", credentials),
            Err(e) if e.is_failed() => {
                errors.push(e);
                return Err(CredentialsError::merge(errors));
            }
            Err(e) => errors.push(e),
        }
        if self.web_identity.is_configured() {
            match self.web_identity.load().await {
                Ok(credentials) => return found(web_identity::SOURCE, credentials),
                Err(e) => {
                    // Configured but failing: stop rather than fall through to another role.
                    errors.push(e);
                    return Err(CredentialsError::merge(errors));
                }
            }
        }
        errors.push(CredentialsError::skipped(
            web_identity::SOURCE,
            "AWS_WEB_IDENTITY_TOKEN_FILE is not set",
        ));
        let in_tokio = super::in_tokio();
        if !self.container.is_configured() {
            errors.push(CredentialsError::skipped(
                "container",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set",
            ));
        } else if !in_tokio {
            errors.push(CredentialsError::failed(
                "container",
                "configured, but not reachable outside a Tokio runtime",
            ));
            return Err(CredentialsError::merge(errors));
        } else {
            match self.container.load().await {
                Ok(credentials) => return found("container", credentials),
                Err(e) => {
                    let stop = e.is_failed();
                    errors.push(e);
                    if stop {
                        return Err(CredentialsError::merge(errors));
                    }
                }
            }
        }
        if self.imds.is_disabled() {
            errors.push(CredentialsError::skipped(
                "IMDS",
                "disabled by AWS_EC2_METADATA_DISABLED",
            ));
        } else if !in_tokio {
            errors.push(CredentialsError::skipped(
                "IMDS",
                "not reachable outside a Tokio runtime",
            ));
        } else {
            match self.imds.load().await {
                Ok(credentials) => return found("IMDS", credentials),
                Err(e) => errors.push(e),
            }
        }
        Err(CredentialsError::merge(errors))
    }
}

impl ProvideCredentials for Sources {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DefaultCredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultCredentialsChain")
            .field("cache", &self.cache)
            .finish()
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.cache.provide_credentials()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order of the sources, as the error of a chain with nothing configured lists them.
    #[test]
    fn sources_are_tried_in_the_sdk_order() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = std::env::temp_dir().join("anvil-chain-order-nothing-here");
        let env = Env::from_vars(
            [
                ("AWS_CONFIG_FILE", dir.join("config")),
                ("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials")),
                ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ]
            .map(|(k, v)| (k, v.to_string_lossy().into_owned())),
        );
        let chain = DefaultCredentialsChain::with_env(env);
        let err = runtime
            .block_on(chain.provide_credentials())
            .expect_err("nothing configured");
        let order: Vec<(&str, bool)> = err.sources().map(|(s, _, tried)| (s, tried)).collect();
        assert_eq!(
            order,
            [
                ("environment", true),
                ("profile `default`", true),
                ("web identity", false),
                ("container", false),
                ("IMDS", false),
            ],
            "{err}"
        );
        assert!(!err.is_failed());

        // Outside a runtime the network sources are skipped, and nothing is pending.
        let fresh = DefaultCredentialsChain::with_env(Env::from_vars([(
            "AWS_CONFIG_FILE",
            dir.join("config").to_string_lossy().into_owned(),
        )]));
        let mut future = std::pin::pin!(fresh.provide_credentials());
        let polled = future
            .as_mut()
            .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
        let std::task::Poll::Ready(Err(err)) = polled else {
            panic!("ready with an error");
        };
        assert!(
            err.to_string()
                .ends_with("IMDS: skipped (not reachable outside a Tokio runtime)"),
            "{err}"
        );
    }
}
