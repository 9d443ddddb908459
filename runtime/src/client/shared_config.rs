//! Configuration from the environment and the shared config files, the way the AWS SDKs read
//! it: each setting from its environment variable, else the active profile's key (an explicit
//! builder call wins over both). An invalid value is ignored with a warning naming the
//! setting, and the next source (the profile, then the default) applies.
//!
//! Endpoint URLs are resolved per service when a client is made ([`ConfiguredEndpoints`]),
//! in the SDKs' order: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
//! `services` section, the profile's `endpoint_url`.

use std::str::FromStr;
use std::sync::Arc;

use super::{ConfigBuilder, RetryMode, ServiceMeta};
use crate::checksum::{RequestChecksumCalculation, ResponseChecksumValidation};
use crate::compression::{
    CompressionConfig, DEFAULT_MIN_COMPRESSION_SIZE, MAX_MIN_COMPRESSION_SIZE,
};
use crate::credentials::profile_file::{self, ProfileFiles, Properties};
use crate::credentials::{DefaultCredentialsChain, Env};
use crate::protocol::flexible_checksums::ChecksumSettings;

impl ConfigBuilder {
    /// A builder preloaded from the process environment and the user's shared config files:
    /// [`from_env_with`](Self::from_env_with)`(Env::process())`.
    pub fn from_env() -> ConfigBuilder {
        ConfigBuilder::from_env_with(Env::process())
    }

    /// A builder preloaded from `env` (its variables, and the shared files it locates:
    /// `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`), with the active
    /// profile `AWS_PROFILE` (else `default`); credentials from [`DefaultCredentialsChain`]
    /// over the same `env`.
    ///
    /// | setting | variable | profile key |
    /// | --- | --- | --- |
    /// | region | `AWS_REGION`, `AWS_DEFAULT_REGION` | `region` |
    /// | endpoint URL | `AWS_ENDPOINT_URL` | `endpoint_url` |
    /// | per-service endpoint URL | `AWS_ENDPOINT_URL_<SERVICE>` | `services` → `[services name]` → `<service> =` / `endpoint_url =` |
    /// | ignore the above | `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` | `ignore_configured_endpoint_urls` |
    /// | FIPS | `AWS_USE_FIPS_ENDPOINT` | `use_fips_endpoint` |
    /// | dual-stack | `AWS_USE_DUALSTACK_ENDPOINT` | `use_dualstack_endpoint` |
    /// | attempts | `AWS_MAX_ATTEMPTS` | `max_attempts` |
    /// | retry mode | `AWS_RETRY_MODE` | `retry_mode` (`standard`, `adaptive`; `legacy` is taken as `standard`) |
    /// | request checksums | `AWS_REQUEST_CHECKSUM_CALCULATION` | `request_checksum_calculation` |
    /// | response checksums | `AWS_RESPONSE_CHECKSUM_VALIDATION` | `response_checksum_validation` |
    /// | request compression off | `AWS_DISABLE_REQUEST_COMPRESSION` | `disable_request_compression` |
    /// | compression threshold | `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` | `request_min_compression_size_bytes` |
    ///
    /// The variable wins over the profile; an invalid value (say `AWS_MAX_ATTEMPTS=lots`) is
    /// ignored with a warning and the next source applies. `<SERVICE>` is the service's SDK
    /// id in upper case with blanks as `_` (`AWS_ENDPOINT_URL_DYNAMODB`,
    /// `AWS_ENDPOINT_URL_WORKSPACES_WEB`); in a `services` section it is lower case
    /// (`dynamodb =`, `workspaces_web =`). Per-service URLs apply when a client is made for
    /// that service; setting [`endpoint_url`](Self::endpoint_url) by hand overrides them all.
    pub fn from_env_with(env: Env) -> ConfigBuilder {
        let shared = Shared::load(env);
        let endpoints = shared.endpoints();
        ConfigBuilder {
            region: crate::credentials::region_in(&shared.env, shared.profile.as_ref()),
            endpoint_url: endpoints.as_ref().and_then(ConfiguredEndpoints::global),
            configured_endpoints: endpoints.map(Arc::new),
            use_fips: shared.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
            use_dual_stack: shared.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
            credentials: Some(Arc::new(DefaultCredentialsChain::with_env(
                shared.env.clone(),
            ))),
            max_attempts: shared.setting("AWS_MAX_ATTEMPTS", "max_attempts", |v| {
                v.parse::<u32>().ok().filter(|n| *n >= 1)
            }),
            retry_mode: shared
                .setting("AWS_RETRY_MODE", "retry_mode", parse_retry_mode)
                .unwrap_or_default(),
            checksums: shared.checksums(),
            compression: shared.compression(),
            env: Some(shared.env.clone()),
            ..ConfigBuilder::default()
        }
    }
}

/// `standard`, `adaptive`, or `legacy` (taken as `standard`, with a warning).
fn parse_retry_mode(text: &str) -> Option<RetryMode> {
    if text.eq_ignore_ascii_case("legacy") {
        tracing::warn!("retry mode `legacy` is not supported: using `standard`");
        return Some(RetryMode::Standard);
    }
    text.parse().ok()
}

/// `true` or `false`, in any case.
fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The environment and the active profile, read once.
struct Shared {
    env: Env,
    files: ProfileFiles,
    profile_name: String,
    profile: Option<Properties>,
}

impl Shared {
    fn load(env: Env) -> Shared {
        let files = ProfileFiles::load(&env);
        let profile_name = profile_file::profile_name(&env);
        let profile = files.profile(&profile_name);
        Shared {
            env,
            files,
            profile_name,
            profile,
        }
    }

    /// The first valid value of `env_var`, else of the profile's `key`, by `parse` (given
    /// the trimmed text). Invalid values are skipped with a warning naming where they were.
    fn setting<T>(&self, env_var: &str, key: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        if let Some(text) = self.env.get(env_var).filter(|v| !v.trim().is_empty()) {
            match parse(text.trim()) {
                Some(v) => return Some(v),
                None => tracing::warn!("ignoring the invalid value of {env_var}"),
            }
        }
        let text = self.profile.as_ref()?.get(key)?.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = parse(text);
        if parsed.is_none() {
            let profile = &self.profile_name;
            tracing::warn!("ignoring the invalid value of `{key}` in profile `{profile}`");
        }
        parsed
    }

    /// A `true`/`false` setting, default false.
    fn flag(&self, env_var: &str, key: &str) -> bool {
        self.setting(env_var, key, parse_bool).unwrap_or(false)
    }

    fn parsed<T: FromStr>(&self, env_var: &str, key: &str) -> Option<T> {
        self.setting(env_var, key, |v| v.parse().ok())
    }

    fn checksums(&self) -> ChecksumSettings {
        ChecksumSettings {
            calculation: self
                .parsed(
                    RequestChecksumCalculation::ENV_VAR,
                    RequestChecksumCalculation::PROFILE_KEY,
                )
                .unwrap_or_default(),
            validation: self
                .parsed(
                    ResponseChecksumValidation::ENV_VAR,
                    ResponseChecksumValidation::PROFILE_KEY,
                )
                .unwrap_or_default(),
        }
    }

    fn compression(&self) -> CompressionConfig {
        let min_size = self.setting(
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
            "request_min_compression_size_bytes",
            |v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n <= MAX_MIN_COMPRESSION_SIZE)
            },
        );
        CompressionConfig {
            disabled: self.flag(
                "AWS_DISABLE_REQUEST_COMPRESSION",
                "disable_request_compression",
            ),
            min_size: min_size.unwrap_or(DEFAULT_MIN_COMPRESSION_SIZE),
        }
    }

    /// The configured endpoint URLs, unless they are to be ignored.
    fn endpoints(&self) -> Option<ConfiguredEndpoints> {
        let ignore = self.flag(
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
        );
        if ignore {
            return None;
        }
        let profile_text = |key: &str| {
            let value = self.profile.as_ref()?.get(key)?.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        let services = profile_text("services").and_then(|name| {
            let section = self.files.section("services", &name);
            if section.is_none() {
                tracing::warn!("the profile's `services` names no `[services {name}]` section");
            }
            section
        });
        Some(ConfiguredEndpoints {
            env: self.env.clone(),
            env_global: nonblank(self.env.get("AWS_ENDPOINT_URL")),
            profile_global: profile_text("endpoint_url"),
            services,
        })
    }
}

fn nonblank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Endpoint URLs from the environment and the profile, resolved per service when a client is
/// made ([`super::Handle::new`]), through the same [`Env`] the builder was loaded from.
pub(super) struct ConfiguredEndpoints {
    env: Env,
    /// `AWS_ENDPOINT_URL`.
    env_global: Option<String>,
    /// The profile's `endpoint_url`.
    profile_global: Option<String>,
    /// The `[services name]` section the profile's `services` names.
    services: Option<Properties>,
}

impl ConfiguredEndpoints {
    /// The URL for every service: `AWS_ENDPOINT_URL`, else the profile's `endpoint_url`.
    fn global(&self) -> Option<String> {
        self.env_global
            .clone()
            .or_else(|| self.profile_global.clone())
    }

    /// The URL for `service`, in the SDKs' order: `AWS_ENDPOINT_URL_<SERVICE>`,
    /// `AWS_ENDPOINT_URL`, the services section's `<service> = endpoint_url = ..`, the
    /// profile's `endpoint_url`.
    pub(super) fn for_service(&self, service: &ServiceMeta) -> Option<String> {
        let Some(id) = service_id(service) else {
            return self.global();
        };
        let from_section = || {
            let nested = self.services.as_ref()?.get(&id)?;
            nonblank(profile_file::sub_properties(nested).remove("endpoint_url"))
        };
        nonblank(self.env.get(&service_endpoint_var(&id)))
            .or_else(|| self.env_global.clone())
            .or_else(from_section)
            .or_else(|| self.profile_global.clone())
    }
}

/// The service's id in shared configuration: its SDK id in lower case, blanks (and any other
/// character but letters and digits) as `_` (`workspaces_web`); `None` for a service without
/// one (generated clients of non-AWS models).
fn service_id(service: &ServiceMeta) -> Option<String> {
    let id = service.env_name.to_ascii_lowercase();
    (!id.is_empty()).then_some(id)
}

/// The service's endpoint variable: `AWS_ENDPOINT_URL_<ID>` (`AWS_ENDPOINT_URL_WORKSPACES_WEB`).
fn service_endpoint_var(id: &str) -> String {
    format!("AWS_ENDPOINT_URL_{}", id.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    static SERVICE: ServiceMeta = ServiceMeta {
        sdk_id: "WorkSpaces Web",
        signing_name: "workspaces-web",
        endpoint_prefix: "workspaces-web",
        api_version: "2020-07-08",
        endpoint_rules: None,
        env_name: "WORKSPACES_WEB",
        shape_name: "",
        protocols: &[],
        query_compatible: false,
        xml_namespace: None,
    };

    #[test]
    fn one_service_id_names_the_variable_and_the_services_key() {
        let id = service_id(&SERVICE);
        assert_eq!(id.as_deref(), Some("workspaces_web"));
        assert_eq!(
            service_endpoint_var("workspaces_web"),
            "AWS_ENDPOINT_URL_WORKSPACES_WEB"
        );
        let nameless = ServiceMeta {
            env_name: "",
            ..SERVICE
        };
        assert_eq!(service_id(&nameless), None);
    }

    #[test]
    fn values_parse_strictly() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("1"), None);
        assert_eq!(parse_retry_mode("legacy"), Some(RetryMode::Standard));
        assert_eq!(parse_retry_mode("Adaptive"), Some(RetryMode::Adaptive));
        assert_eq!(parse_retry_mode("turbo"), None);
    }
}
