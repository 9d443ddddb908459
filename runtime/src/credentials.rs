//! AWS credentials and where to find them: static values, the environment, and the shared
//! `~/.aws/credentials` and `~/.aws/config` files; plus the default region.
//!
//! Every provider reads the environment through an [`Env`], which is the process environment
//! by default and a fixed map in tests, so nothing here needs to mutate `std::env`.
//!
//! Secrets never reach `Debug`, `Display` or an error: [`Credentials`]' `Debug` shows the
//! access key id only, and [`CredentialsError`] names the sources tried and why each failed.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::BoxFuture;

const REDACTED: &str = "** redacted **";

/// An access key id, its secret, and a session token for temporary credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
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
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &REDACTED)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

/// No credentials could be had: which sources were tried, and why each failed.
///
/// Its messages name variables, files and profiles, never a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    attempts: Vec<(String, String)>,
}

impl CredentialsError {
    /// An error from one source (`source`: e.g. `"environment"`) with its reason. Neither may
    /// contain a secret.
    pub fn new(source: impl Into<String>, reason: impl Into<String>) -> Self {
        CredentialsError {
            attempts: vec![(source.into(), reason.into())],
        }
    }

    /// The sources tried, in order, each with the reason it gave nothing.
    pub fn attempts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attempts.iter().map(|(s, r)| (s.as_str(), r.as_str()))
    }

    fn merge(errors: impl IntoIterator<Item = CredentialsError>) -> Self {
        CredentialsError {
            attempts: errors.into_iter().flat_map(|e| e.attempts).collect(),
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no AWS credentials found")?;
        for (i, (source, reason)) in self.attempts.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{source}: {reason}")?;
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

    fn home_dir(&self) -> Option<PathBuf> {
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

    fn expand_home(&self, path: &str) -> PathBuf {
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

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, optionally,
/// `AWS_SESSION_TOKEN`.
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
            (Some(id), Some(secret)) => Ok(Credentials::new(
                id,
                secret,
                self.env.get("AWS_SESSION_TOKEN"),
            )),
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

/// Static credentials of a profile in the shared files: `~/.aws/credentials` (or
/// `AWS_SHARED_CREDENTIALS_FILE`) and `~/.aws/config` (or `AWS_CONFIG_FILE`). The profile is
/// the one given, else `AWS_PROFILE`, else `default`. A key set in both files takes its value
/// from the credentials file.
///
/// Only static keys are supported (`aws_access_key_id`, `aws_secret_access_key`,
/// `aws_session_token`); a profile that relies on `role_arn`, `credential_process`,
/// `web_identity_token_file` or SSO is reported as such.
#[derive(Debug, Clone, Default)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
}

impl ProfileProvider {
    /// Reads the process environment to find the files and profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment to find the files and profile.
    pub fn with_env(env: Env) -> Self {
        ProfileProvider { env, profile: None }
    }

    /// Uses this profile, whatever `AWS_PROFILE` says.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// The credentials, read from the files now.
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        let name = self
            .profile
            .clone()
            .unwrap_or_else(|| profile_name(&self.env));
        let source = format!("profile `{name}`");
        let fail = |reason: String| CredentialsError::new(source.clone(), reason);
        let files = ProfileFiles::load(&self.env);
        let Some(profile) = files.profile(&name) else {
            return Err(fail(format!("not found in {}", files.describe())));
        };
        let id = profile.get("aws_access_key_id").filter(|v| !v.is_empty());
        let secret = profile
            .get("aws_secret_access_key")
            .filter(|v| !v.is_empty());
        match (id, secret) {
            (Some(id), Some(secret)) => {
                let token = profile
                    .get("aws_session_token")
                    .or_else(|| profile.get("aws_security_token"))
                    .filter(|v| !v.is_empty())
                    .cloned();
                Ok(Credentials::new(id.clone(), secret.clone(), token))
            }
            (id, secret) => {
                let unsupported: Vec<&str> = [
                    "role_arn",
                    "credential_process",
                    "web_identity_token_file",
                    "sso_session",
                    "sso_start_url",
                ]
                .into_iter()
                .filter(|key| profile.contains_key(*key))
                .collect();
                if !unsupported.is_empty() {
                    return Err(fail(format!(
                        "uses {}, which this runtime does not support (only static keys)",
                        unsupported.join(", ")
                    )));
                }
                let missing = match (id, secret) {
                    (None, None) => "aws_access_key_id and aws_secret_access_key",
                    (None, _) => "aws_access_key_id",
                    _ => "aws_secret_access_key",
                };
                Err(fail(format!("has no {missing} (in {})", files.describe())))
            }
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.load()))
    }
}

/// The default chain: the environment, then the shared profile files. The first success is
/// kept for later calls; failures are retried.
#[derive(Debug, Default)]
pub struct DefaultCredentialsChain {
    env: Env,
    cached: OnceLock<Credentials>,
}

impl DefaultCredentialsChain {
    /// The chain over the process environment and the user's files.
    pub fn new() -> Self {
        Self::default()
    }

    /// The chain over the given environment (files located through it too).
    pub fn with_env(env: Env) -> Self {
        DefaultCredentialsChain {
            env,
            cached: OnceLock::new(),
        }
    }

    /// The credentials, from the first source that has them.
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        if let Some(credentials) = self.cached.get() {
            return Ok(credentials.clone());
        }
        let env_error = match EnvironmentProvider::with_env(self.env.clone()).load() {
            Ok(credentials) => return Ok(self.cached.get_or_init(|| credentials).clone()),
            Err(e) => e,
        };
        match ProfileProvider::with_env(self.env.clone()).load() {
            Ok(credentials) => Ok(self.cached.get_or_init(|| credentials).clone()),
            Err(profile_error) => Err(CredentialsError::merge([env_error, profile_error])),
        }
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        // The files are small and read once; doing it inline avoids a blocking-pool hop.
        Box::pin(std::future::ready(self.load()))
    }
}

/// The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the `region` of the active
/// profile (`AWS_PROFILE` or `default`) in the shared config files.
pub fn default_region() -> Option<String> {
    region_from_env(&Env::process())
}

/// [`default_region`] over the given environment.
pub fn region_from_env(env: &Env) -> Option<String> {
    if let Some(region) = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
    {
        return Some(region);
    }
    let files = ProfileFiles::load(env);
    files
        .profile(&profile_name(env))
        .and_then(|profile| profile.get("region").cloned())
        .filter(|region| !region.is_empty())
}

fn profile_name(env: &Env) -> String {
    env.get("AWS_PROFILE")
        .unwrap_or_else(|| "default".to_owned())
}

/// Properties of one profile: lowercase keys to values.
type Properties = BTreeMap<String, String>;

/// The two shared files, parsed; missing files are empty.
struct ProfileFiles {
    config: Option<(PathBuf, Result<Vec<Section>, String>)>,
    credentials: Option<(PathBuf, Result<Vec<Section>, String>)>,
}

impl ProfileFiles {
    fn load(env: &Env) -> Self {
        let read = |path: Option<PathBuf>| {
            path.map(|path| {
                let parsed = read_file(&path).map(|text| parse_ini(&text));
                (path, parsed)
            })
        };
        ProfileFiles {
            config: read(env.aws_file("AWS_CONFIG_FILE", "config")),
            credentials: read(env.aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")),
        }
    }

    /// The profile's merged properties, or `None` if neither file has it.
    fn profile(&self, name: &str) -> Option<Properties> {
        let mut found = false;
        let mut properties = Properties::new();
        if let Some((_, Ok(sections))) = &self.config {
            // In the config file a profile is `[profile name]`; `default` may also be
            // `[default]`, which `[profile default]` overrides.
            let plain_default = name == "default";
            for pass in [true, false] {
                for section in sections {
                    let matches = if pass {
                        plain_default && section.name == "default"
                    } else {
                        section.profile_name() == Some(name)
                    };
                    if matches {
                        found = true;
                        properties.extend(section.properties.clone());
                    }
                }
            }
        }
        if let Some((_, Ok(sections))) = &self.credentials {
            // In the credentials file a profile is `[name]`.
            for section in sections.iter().filter(|s| s.name == name) {
                found = true;
                properties.extend(section.properties.clone());
            }
        }
        found.then_some(properties)
    }

    fn describe(&self) -> String {
        let one = |file: &Option<(PathBuf, Result<Vec<Section>, String>)>, what: &str| match file {
            None => format!("{what} file (no home directory to find it)"),
            Some((path, Ok(_))) => path.display().to_string(),
            Some((path, Err(reason))) => format!("{} ({reason})", path.display()),
        };
        format!(
            "{} and {}",
            one(&self.credentials, "credentials"),
            one(&self.config, "config")
        )
    }
}

fn read_file(path: &Path) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err("not found".to_owned()),
        Err(e) => Err(format!("unreadable: {}", e.kind())),
    }
}

/// One `[section]` of a shared config file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Section {
    /// The text between the brackets, trimmed.
    name: String,
    properties: Properties,
}

impl Section {
    /// `name` for a config-file section `[profile name]`.
    fn profile_name(&self) -> Option<&str> {
        let rest = self.name.strip_prefix("profile")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        Some(rest.trim())
    }
}

/// Parses the AWS shared config/credentials format: `[section]` lines, `key = value`
/// properties (keys compared case-insensitively, stored lowercase), full-line comments
/// starting with `#` or `;`, and inline comments (` #`/` ;`) after a value. An indented line
/// continues the previous property (AWS's nested sub-properties); it is appended to the value
/// on a new line and never read as a property of its own. Malformed lines are skipped.
fn parse_ini(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut last_key: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented {
            if let (Some(key), Some(section)) = (&last_key, sections.last_mut())
                && let Some(value) = section.properties.get_mut(key)
            {
                if !value.is_empty() {
                    value.push('\n');
                }
                value.push_str(strip_inline_comment(trimmed));
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            last_key = None;
            match rest.split_once(']') {
                Some((name, after)) => {
                    let after = after.trim();
                    if after.is_empty() || after.starts_with(['#', ';']) {
                        sections.push(Section {
                            name: name.trim().to_owned(),
                            properties: Properties::new(),
                        });
                    } else {
                        sections.push(Section::invalid());
                    }
                }
                None => sections.push(Section::invalid()),
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            last_key = None;
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            last_key = None;
            continue;
        }
        if let Some(section) = sections.last_mut() {
            section
                .properties
                .insert(key.clone(), strip_inline_comment(value.trim()).to_owned());
            last_key = Some(key);
        }
    }
    sections.retain(|s| !s.name.is_empty());
    sections
}

impl Section {
    /// A placeholder for a malformed header: its properties are collected and then dropped.
    fn invalid() -> Self {
        Section {
            name: String::new(),
            properties: Properties::new(),
        }
    }
}

/// Cuts a value at a `#` or `;` that follows whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let mut previous_is_space = false;
    for (i, c) in value.char_indices() {
        if previous_is_space && (c == '#' || c == ';') {
            return value.get(..i).unwrap_or(value).trim_end();
        }
        previous_is_space = c == ' ' || c == '\t';
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ini_sections_comments_case_and_whitespace() {
        let text = "top = ignored\n\
                    # comment\n\
                    ; another\n\
                    [default]\n\
                    AWS_Access_Key_ID = AK1   \r\n\
                    region=us-west-2 # trailing comment\n\
                    odd=a#b\n\
                    [  profile   dev  ] ; comment\n\
                    \tcontinuation without property\n\
                    s3 =\n  max_concurrent_requests = 10\n  region = nested\n\
                    output = json\n\
                    not a property\n\
                    = no key\n\
                    [broken\n\
                    aws_access_key_id = lost\n\
                    [default]\n\
                    region = eu-west-1\n";
        let sections = parse_ini(text);
        assert_eq!(
            sections,
            vec![
                Section {
                    name: "default".into(),
                    properties: props(&[
                        ("aws_access_key_id", "AK1"),
                        ("region", "us-west-2"),
                        ("odd", "a#b")
                    ]),
                },
                Section {
                    name: "profile   dev".into(),
                    properties: props(&[
                        ("s3", "max_concurrent_requests = 10\nregion = nested"),
                        ("output", "json")
                    ]),
                },
                Section {
                    name: "default".into(),
                    properties: props(&[("region", "eu-west-1")])
                },
            ]
        );
        assert_eq!(sections.get(1).and_then(Section::profile_name), Some("dev"));
        assert_eq!(sections.first().and_then(Section::profile_name), None);
        let profiledev = Section {
            name: "profiledev".into(),
            properties: Properties::new(),
        };
        assert_eq!(profiledev.profile_name(), None);
    }

    #[test]
    fn inline_comments_need_preceding_whitespace() {
        assert_eq!(strip_inline_comment("abc ;x"), "abc");
        assert_eq!(strip_inline_comment("abc\t# x"), "abc");
        assert_eq!(strip_inline_comment("a;b#c"), "a;b#c");
        assert_eq!(strip_inline_comment(""), "");
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
    }
}
