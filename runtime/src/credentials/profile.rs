//! Credentials from a profile of the shared files: static keys, `credential_process`, role
//! assumption (`role_arn` with `source_profile` or `credential_source`), web identity and SSO.

use std::sync::Arc;
use std::time::Duration;

use super::container::EcsContainerProvider;
use super::environment::EnvironmentProvider;
use super::federation::{self, AssumeRoleSpec, CallContext, Federation, SsoSpec, WebIdentitySpec};
use super::imds::ImdsProvider;
use super::process::ProcessProvider;
use super::profile_file::{ProfileFiles, Properties, profile_name};
use super::{Credentials, CredentialsError, Env, ProvideCredentials};
use crate::BoxFuture;

/// Credentials of a profile in the shared files: `~/.aws/credentials` (or
/// `AWS_SHARED_CREDENTIALS_FILE`) and `~/.aws/config` (or `AWS_CONFIG_FILE`). The profile is
/// the one given, else `AWS_PROFILE`, else `default`. A key set in both files takes its value
/// from the credentials file.
///
/// What a profile can say, as the AWS SDKs read it:
/// - static keys (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`);
/// - `credential_process` (run by a [`ProcessProvider`]);
/// - `role_arn`, assumed with the credentials of `source_profile` (itself any of these, so
///   chains are allowed; a cycle is refused) or of `credential_source` (`Environment`,
///   `Ec2InstanceMetadata`, `EcsContainer`), with `role_session_name`, `external_id` and
///   `duration_seconds`. In the first profile `role_arn` wins over static keys; in a source
///   profile static keys win, which ends the chain;
/// - `web_identity_token_file` with `role_arn`;
/// - SSO: `sso_session` naming an `[sso-session ...]` section (`sso_start_url`,
///   `sso_region`), or the legacy `sso_start_url` and `sso_region` in the profile, with
///   `sso_account_id` and `sso_role_name`.
///
/// Role assumption, web identity and SSO take service calls, made by a [`Federation`]
/// (`anvil-config` has one); without it such a profile fails, saying so. A profile that is
/// configured but broken fails too ([`CredentialsError::is_failed`]): a chain does not fall
/// through to other sources then. Credentials are loaded on every call: put the provider
/// behind a [`CredentialsCache`](super::CredentialsCache) (the default chain does).
#[derive(Debug, Clone, Default)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
    process_timeout: Option<Duration>,
    federation: Option<Arc<dyn Federation>>,
}

/// Where a profile chain's first credentials come from.
#[derive(Debug)]
enum Base {
    Static(Credentials),
    Process(ProcessProvider),
    WebIdentity(WebIdentitySpec),
    Sso(SsoSpec),
    /// `credential_source`.
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

/// What a profile says to do: get the base credentials, then assume each role in turn.
#[derive(Debug)]
struct Plan {
    base: Base,
    /// Innermost first: `roles[0]` is assumed with the base credentials.
    roles: Vec<AssumeRoleSpec>,
}

impl Plan {
    fn needs_federation(&self) -> Option<&'static str> {
        match (&self.base, self.roles.is_empty()) {
            (Base::WebIdentity(_), _) => Some("web_identity_token_file"),
            (Base::Sso(_), _) => Some("SSO"),
            (_, false) => Some("role_arn"),
            _ => None,
        }
    }
}

impl ProfileProvider {
    /// Reads the process environment to find the files and profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment to find the files and profile.
    pub fn with_env(env: Env) -> Self {
        ProfileProvider {
            env,
            ..Self::default()
        }
    }

    /// Uses this profile, whatever `AWS_PROFILE` says.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// How long a `credential_process` may run (default:
    /// [`ProcessProvider::DEFAULT_TIMEOUT`]).
    pub fn process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = Some(timeout);
        self
    }

    /// Makes the STS and SSO calls that role assumption, web identity and SSO profiles need.
    pub fn federation(mut self, federation: Arc<dyn Federation>) -> Self {
        self.federation = Some(federation);
        self
    }

    /// The credentials of a profile with static keys or a `credential_process`, read from the
    /// files now. A `credential_process` is run on this thread (blocking it until the process
    /// exits or times out). Profiles that need a service call fail here: use
    /// [`ProvideCredentials`], which also runs a process on Tokio's blocking pool.
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        let plan = self.plan()?;
        if let (Some(what), None) = (plan.needs_federation(), &self.federation) {
            return Err(federation::missing(&self.source(), what));
        }
        match (plan.base, plan.roles.is_empty()) {
            (Base::Static(credentials), true) => Ok(credentials),
            (Base::Process(process), true) => process.load(),
            _ => Err(CredentialsError::failed(
                self.source(),
                "needs a service call or another source: load it through \
                 ProvideCredentials::provide_credentials",
            )),
        }
    }

    fn name(&self) -> String {
        self.profile
            .clone()
            .unwrap_or_else(|| profile_name(&self.env))
    }

    fn source(&self) -> String {
        format!("profile `{}`", self.name())
    }

    fn plan(&self) -> Result<Plan, CredentialsError> {
        let files = ProfileFiles::load(&self.env);
        Resolver {
            files: &files,
            env: &self.env,
            process_timeout: self.process_timeout,
            region: None,
        }
        .resolve(&self.name())
    }

    async fn load_plan(&self, plan: Plan) -> Result<Credentials, CredentialsError> {
        let source = self.source();
        let federation = match (plan.needs_federation(), &self.federation) {
            (Some(what), None) => return Err(federation::missing(&source, what)),
            (_, federation) => federation.clone(),
        };
        let stop = |e: CredentialsError| {
            if e.is_failed() {
                e
            } else {
                CredentialsError::failed(source.clone(), e.to_string())
            }
        };
        let env = self.env.clone();
        let mut credentials = match (plan.base, &federation) {
            (Base::Static(c), _) => c,
            (Base::Process(p), _) => p.load_async().await?,
            (Base::WebIdentity(spec), Some(f)) => f.web_identity(&spec).await.map_err(stop)?,
            (Base::Sso(spec), Some(f)) => f.sso(&spec).await.map_err(stop)?,
            (Base::Environment, _) => EnvironmentProvider::with_env(env).load().map_err(stop)?,
            (Base::Ec2InstanceMetadata, _) => {
                ImdsProvider::with_env(env).load().await.map_err(stop)?
            }
            (Base::EcsContainer, _) => EcsContainerProvider::with_env(env)
                .load()
                .await
                .map_err(stop)?,
            (Base::WebIdentity(_) | Base::Sso(_), None) => {
                return Err(federation::missing(&source, "a federated source"));
            }
        };
        for role in &plan.roles {
            let Some(f) = &federation else {
                return Err(federation::missing(&source, "role_arn"));
            };
            credentials = f.assume_role(credentials, role).await.map_err(stop)?;
        }
        Ok(credentials)
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let plan = self.plan()?;
            self.load_plan(plan).await
        })
    }
}

/// Follows a profile through its `source_profile`s to a [`Plan`].
struct Resolver<'a> {
    files: &'a ProfileFiles,
    env: &'a Env,
    process_timeout: Option<Duration>,
    /// The region of the service calls: the environment's, else the first profile's.
    region: Option<String>,
}

impl Resolver<'_> {
    fn resolve(mut self, start: &str) -> Result<Plan, CredentialsError> {
        let mut visited: Vec<String> = Vec::new();
        let mut roles: Vec<AssumeRoleSpec> = Vec::new();
        let mut name = start.to_owned();
        loop {
            let source = format!("profile `{name}`");
            if visited.contains(&name) {
                visited.push(name);
                return Err(CredentialsError::failed(
                    format!("profile `{start}`"),
                    format!(
                        "its source_profile chain has a cycle: {}",
                        visited.join(" -> ")
                    ),
                ));
            }
            let first = visited.is_empty();
            visited.push(name.clone());
            let Some(profile) = self.files.profile(&name) else {
                let reason = format!("not found in {}", self.files.describe());
                return Err(if first {
                    CredentialsError::new(source, reason)
                } else {
                    CredentialsError::failed(source, reason)
                });
            };
            if first {
                self.region = self
                    .env
                    .get("AWS_REGION")
                    .or_else(|| self.env.get("AWS_DEFAULT_REGION"))
                    .or_else(|| nonempty(&profile, "region").map(str::to_owned));
            }
            let keys = static_keys(&profile);
            if !first && let Some(credentials) = keys.clone() {
                return Ok(plan(Base::Static(credentials), roles));
            }
            let Some(role_arn) = nonempty(&profile, "role_arn") else {
                return self
                    .base(&name, &profile, keys)
                    .map(|base| plan(base, roles));
            };
            if let Some(token_file) = nonempty(&profile, "web_identity_token_file") {
                let spec = WebIdentitySpec {
                    token_file: self.env.expand_home(token_file),
                    role_arn: role_arn.to_owned(),
                    session_name: nonempty(&profile, "role_session_name").map(str::to_owned),
                    context: self.context(),
                };
                return Ok(plan(Base::WebIdentity(spec), roles));
            }
            roles.push(self.role(&name, &profile, role_arn)?);
            match (
                nonempty(&profile, "source_profile"),
                nonempty(&profile, "credential_source"),
            ) {
                (Some(_), Some(_)) => {
                    return Err(CredentialsError::failed(
                        source,
                        "sets both source_profile and credential_source; use one",
                    ));
                }
                (None, Some(named)) => return Ok(plan(named_source(&source, named)?, roles)),
                (Some(next), None) if next == name => {
                    // A profile that is its own source uses its static keys.
                    let Some(credentials) = keys else {
                        return Err(CredentialsError::failed(
                            source,
                            "is its own source_profile but has no static keys",
                        ));
                    };
                    return Ok(plan(Base::Static(credentials), roles));
                }
                (Some(next), None) => name = next.to_owned(),
                (None, None) => {
                    return Err(CredentialsError::failed(
                        source,
                        "has role_arn but neither source_profile nor credential_source",
                    ));
                }
            }
        }
    }

    fn context(&self) -> CallContext {
        CallContext {
            region: self.region.clone(),
            env: self.env.clone(),
        }
    }

    fn role(
        &self,
        name: &str,
        profile: &Properties,
        role_arn: &str,
    ) -> Result<AssumeRoleSpec, CredentialsError> {
        let duration_seconds = match nonempty(profile, "duration_seconds") {
            None => None,
            Some(text) => Some(text.trim().parse::<i32>().map_err(|_| {
                CredentialsError::failed(
                    format!("profile `{name}`"),
                    "duration_seconds is not a whole number of seconds",
                )
            })?),
        };
        Ok(AssumeRoleSpec {
            role_arn: role_arn.to_owned(),
            session_name: nonempty(profile, "role_session_name").map(str::to_owned),
            external_id: nonempty(profile, "external_id").map(str::to_owned),
            duration_seconds,
            profile: name.to_owned(),
            context: self.context(),
        })
    }

    /// The base of a profile without `role_arn`.
    fn base(
        &self,
        name: &str,
        profile: &Properties,
        keys: Option<Credentials>,
    ) -> Result<Base, CredentialsError> {
        let source = format!("profile `{name}`");
        if let Some(credentials) = keys {
            return Ok(Base::Static(credentials));
        }
        if profile.contains_key("web_identity_token_file") {
            return Err(CredentialsError::failed(
                source,
                "has web_identity_token_file but no role_arn",
            ));
        }
        if profile.contains_key("sso_session") || profile.contains_key("sso_start_url") {
            return self.sso(name, profile).map(Base::Sso);
        }
        if let Some(command) = nonempty(profile, "credential_process") {
            let mut process = ProcessProvider::new(command.to_owned())
                .with_env(self.env.clone())
                .source_name(format!("{source}: credential_process"));
            if let Some(timeout) = self.process_timeout {
                process = process.timeout(timeout);
            }
            return Ok(Base::Process(process));
        }
        let missing = match (
            nonempty(profile, "aws_access_key_id"),
            nonempty(profile, "aws_secret_access_key"),
        ) {
            (None, None) => "aws_access_key_id and aws_secret_access_key",
            (None, _) => "aws_access_key_id",
            _ => "aws_secret_access_key",
        };
        Err(CredentialsError::new(
            source,
            format!(
                "has no {missing} (nor credential_process, role_arn or SSO settings) in {}",
                self.files.describe()
            ),
        ))
    }

    fn sso(&self, name: &str, profile: &Properties) -> Result<SsoSpec, CredentialsError> {
        let source = format!("profile `{name}`");
        let session_name = nonempty(profile, "sso_session");
        let session = match session_name {
            None => None,
            Some(session) => Some(self.files.section("sso-session", session).ok_or_else(|| {
                CredentialsError::failed(
                    source.clone(),
                    format!("names sso_session `{session}`, which has no [sso-session {session}] section"),
                )
            })?),
        };
        let mut missing = Vec::new();
        let mut setting =
            |key: &'static str, in_session: bool| -> Result<String, CredentialsError> {
                let own = nonempty(profile, key);
                let shared = session
                    .as_ref()
                    .filter(|_| in_session)
                    .and_then(|s| nonempty(s, key));
                match (own, shared) {
                    (Some(a), Some(b)) if a != b => Err(CredentialsError::failed(
                        source.clone(),
                        format!("its {key} differs from its sso-session's"),
                    )),
                    (Some(v), _) | (None, Some(v)) => Ok(v.to_owned()),
                    (None, None) => {
                        missing.push(key);
                        Ok(String::new())
                    }
                }
            };
        let start_url = setting("sso_start_url", true)?;
        let sso_region = setting("sso_region", true)?;
        let account_id = setting("sso_account_id", false)?;
        let role_name = setting("sso_role_name", false)?;
        if !missing.is_empty() {
            return Err(CredentialsError::failed(
                source,
                format!("is an SSO profile without {}", missing.join(", ")),
            ));
        }
        Ok(SsoSpec {
            start_url,
            sso_region,
            account_id,
            role_name,
            session_name: session_name.map(str::to_owned),
            profile: name.to_owned(),
            env: self.env.clone(),
        })
    }
}

fn plan(base: Base, mut roles: Vec<AssumeRoleSpec>) -> Plan {
    // Collected from the first profile outwards; assumed from the base inwards.
    roles.reverse();
    Plan { base, roles }
}

fn nonempty<'p>(profile: &'p Properties, key: &str) -> Option<&'p str> {
    profile.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// The profile's static keys, if it has both.
fn static_keys(profile: &Properties) -> Option<Credentials> {
    let id = nonempty(profile, "aws_access_key_id")?;
    let secret = nonempty(profile, "aws_secret_access_key")?;
    let token = nonempty(profile, "aws_session_token")
        .or_else(|| nonempty(profile, "aws_security_token"))
        .map(str::to_owned);
    let credentials = Credentials::new(id, secret, token);
    Some(match nonempty(profile, "aws_account_id") {
        Some(account) => credentials.with_account_id(account),
        None => credentials,
    })
}

fn named_source(source: &str, name: &str) -> Result<Base, CredentialsError> {
    match name {
        "Environment" => Ok(Base::Environment),
        "Ec2InstanceMetadata" => Ok(Base::Ec2InstanceMetadata),
        "EcsContainer" => Ok(Base::EcsContainer),
        other => Err(CredentialsError::failed(
            source,
            format!(
                "credential_source `{other}` is not one of Environment, Ec2InstanceMetadata, \
                 EcsContainer"
            ),
        )),
    }
}
