//! What the profile and web-identity providers ask a `Federation` for: role chains through
//! `source_profile` and `credential_source`, cycles, web identity, SSO (new and legacy
//! forms), and the errors of incomplete profiles. A recording fake stands in for STS and SSO
//! (`anvil-config` has the real one, tested against moto and a local SSO stand-in).

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

use std::sync::{Arc, Mutex};

use anvil_runtime::BoxFuture;
use anvil_runtime::credentials::federation::{
    AssumeRoleSpec, Federation, SsoSpec, WebIdentitySpec,
};
use anvil_runtime::credentials::{
    Credentials, CredentialsError, DefaultCredentialsChain, Env, ProfileProvider,
    ProvideCredentials, WebIdentityProvider,
};

/// What the fake was asked, in order.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    /// `(signed with access key id, role arn, session name, external id, duration, region)`.
    AssumeRole(
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<String>,
    ),
    /// `(role arn, session name, token)`.
    WebIdentity(String, Option<String>, String),
    /// `(start url, sso region, account, role, session, cache key)`.
    Sso(String, String, String, String, Option<String>, String),
}

#[derive(Debug, Default)]
struct Fake {
    calls: Mutex<Vec<Call>>,
}

impl Fake {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

/// Credentials whose key id names what produced them.
fn made(id: &str) -> Credentials {
    Credentials::new(id, format!("{id}-secret"), Some(format!("{id}-token")))
}

impl Federation for Fake {
    fn assume_role<'a>(
        &'a self,
        source: Credentials,
        role: &'a AssumeRoleSpec,
    ) -> BoxFuture<'a, Result<Credentials, CredentialsError>> {
        self.calls.lock().unwrap().push(Call::AssumeRole(
            source.access_key_id().to_owned(),
            role.role_arn.clone(),
            role.session_name.clone(),
            role.external_id.clone(),
            role.duration_seconds,
            role.context.region.clone(),
        ));
        let name = role.role_arn.rsplit('/').next().unwrap_or("?").to_owned();
        Box::pin(async move { Ok(made(&format!("ROLE-{name}"))) })
    }

    fn web_identity<'a>(
        &'a self,
        spec: &'a WebIdentitySpec,
    ) -> BoxFuture<'a, Result<Credentials, CredentialsError>> {
        let token = spec.read_token();
        Box::pin(async move {
            let token = token?;
            self.calls.lock().unwrap().push(Call::WebIdentity(
                spec.role_arn.clone(),
                spec.session_name.clone(),
                token.expose().to_owned(),
            ));
            Ok(made("WEB"))
        })
    }

    fn sso<'a>(
        &'a self,
        spec: &'a SsoSpec,
    ) -> BoxFuture<'a, Result<Credentials, CredentialsError>> {
        self.calls.lock().unwrap().push(Call::Sso(
            spec.start_url.clone(),
            spec.sso_region.clone(),
            spec.account_id.clone(),
            spec.role_name.clone(),
            spec.session_name.clone(),
            spec.cache_key().to_owned(),
        ));
        Box::pin(async { Ok(made("SSO")) })
    }
}

/// An environment whose config file is `config` and which has no credentials file, IMDS or
/// container endpoint, plus `extra`.
fn env_with(dir: &TempDir, config: &str, extra: &[(&str, &str)]) -> Env {
    let config = dir.write("config", config);
    let mut vars: Vec<(String, String)> = vec![
        ("AWS_CONFIG_FILE".into(), config),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            dir.0.join("none").display().to_string(),
        ),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("HOME".into(), dir.0.display().to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_vars(vars)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn load(env: Env, fake: &Arc<Fake>, profile: &str) -> Result<Credentials, CredentialsError> {
    let provider = ProfileProvider::with_env(env)
        .profile(profile)
        .federation(fake.clone());
    rt().block_on(provider.provide_credentials())
}

const CHAINS: &str = "\
[profile base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret
[profile middle]
role_arn = arn:aws:iam::111111111111:role/middle
source_profile = base
[profile top]
region = eu-west-1
role_arn = arn:aws:iam::222222222222:role/top
source_profile = middle
role_session_name = top-session
external_id = ext-7
duration_seconds = 1800
[profile keys-win]
aws_access_key_id = AKIDKEYS
aws_secret_access_key = keys-secret
role_arn = arn:aws:iam::333333333333:role/ignored-when-a-source
source_profile = base
[profile via-keys]
role_arn = arn:aws:iam::444444444444:role/via
source_profile = keys-win
[profile self]
aws_access_key_id = AKIDSELF
aws_secret_access_key = self-secret
role_arn = arn:aws:iam::555555555555:role/self
source_profile = self
[profile from-env]
role_arn = arn:aws:iam::666666666666:role/from-env
credential_source = Environment
[profile loop-a]
role_arn = arn:aws:iam::1:role/a
source_profile = loop-b
[profile loop-b]
role_arn = arn:aws:iam::1:role/b
source_profile = loop-a
[profile both]
role_arn = arn:aws:iam::1:role/both
source_profile = base
credential_source = Environment
[profile neither]
role_arn = arn:aws:iam::1:role/neither
[profile bad-source]
role_arn = arn:aws:iam::1:role/x
credential_source = Floppy
[profile bad-duration]
role_arn = arn:aws:iam::1:role/x
source_profile = base
duration_seconds = soon
";

#[test]
fn role_chains_are_assumed_from_the_base_outwards() {
    let dir = TempDir::new("chains");
    let env = env_with(&dir, CHAINS, &[]);
    let fake = Arc::new(Fake::default());
    let credentials = load(env, &fake, "top").unwrap();
    assert_eq!(credentials.access_key_id(), "ROLE-top");
    assert_eq!(
        fake.calls(),
        [
            Call::AssumeRole(
                "AKIDBASE".into(),
                "arn:aws:iam::111111111111:role/middle".into(),
                None,
                None,
                None,
                Some("eu-west-1".into()),
            ),
            Call::AssumeRole(
                "ROLE-middle".into(),
                "arn:aws:iam::222222222222:role/top".into(),
                Some("top-session".into()),
                Some("ext-7".into()),
                Some(1800),
                Some("eu-west-1".into()),
            ),
        ]
    );
}

#[test]
fn a_source_profile_with_static_keys_ends_the_chain() {
    let dir = TempDir::new("keys-win");
    let fake = Arc::new(Fake::default());
    load(env_with(&dir, CHAINS, &[]), &fake, "via-keys").unwrap();
    assert_eq!(
        fake.calls(),
        [Call::AssumeRole(
            "AKIDKEYS".into(),
            "arn:aws:iam::444444444444:role/via".into(),
            None,
            None,
            None,
            None,
        )]
    );

    // The first profile's role_arn wins over its own keys, and a profile may be its own
    // source (its keys then sign the call).
    let fake = Arc::new(Fake::default());
    let credentials = load(env_with(&dir, CHAINS, &[]), &fake, "self").unwrap();
    assert_eq!(credentials.access_key_id(), "ROLE-self");
    assert_eq!(
        fake.calls(),
        [Call::AssumeRole(
            "AKIDSELF".into(),
            "arn:aws:iam::555555555555:role/self".into(),
            None,
            None,
            None,
            None,
        )]
    );
}

#[test]
fn credential_source_environment_signs_the_call() {
    let dir = TempDir::new("from-env");
    let env = env_with(
        &dir,
        CHAINS,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_REGION", "ap-south-1"),
        ],
    );
    let fake = Arc::new(Fake::default());
    load(env, &fake, "from-env").unwrap();
    assert_eq!(
        fake.calls(),
        [Call::AssumeRole(
            "AKIDENV".into(),
            "arn:aws:iam::666666666666:role/from-env".into(),
            None,
            None,
            None,
            Some("ap-south-1".into()),
        )]
    );
}

#[test]
fn broken_role_profiles_fail_and_say_why() {
    let dir = TempDir::new("broken");
    let cases = [
        ("loop-a", "cycle: loop-a -> loop-b -> loop-a"),
        ("both", "both source_profile and credential_source"),
        ("neither", "neither source_profile nor credential_source"),
        ("bad-source", "credential_source `Floppy`"),
        ("bad-duration", "duration_seconds is not a whole number"),
    ];
    for (profile, expected) in cases {
        let fake = Arc::new(Fake::default());
        let err = load(env_with(&dir, CHAINS, &[]), &fake, profile).expect_err(profile);
        assert!(err.is_failed(), "{profile}: {err}");
        assert!(err.to_string().contains(expected), "{profile}: {err}");
        assert!(fake.calls().is_empty(), "{profile}");
    }
    // A source profile that does not exist fails (it does not fall through).
    let fake = Arc::new(Fake::default());
    let config = "[profile orphan]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = ghost\n";
    let err = load(env_with(&dir, config, &[]), &fake, "orphan").expect_err("ghost");
    assert!(
        err.is_failed() && err.to_string().contains("profile `ghost`"),
        "{err}"
    );
}

#[test]
fn without_a_federation_role_profiles_say_what_is_needed() {
    let dir = TempDir::new("no-federation");
    let provider = ProfileProvider::with_env(env_with(&dir, CHAINS, &[])).profile("top");
    let err = rt()
        .block_on(provider.provide_credentials())
        .expect_err("no federation");
    assert!(err.is_failed(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("uses role_arn") && text.contains("anvil_config"),
        "{text}"
    );
    assert!(!text.contains("base-secret"), "{text}");
}

const SSO: &str = "\
[profile new-sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
region = us-west-2
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access
[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
sso_account_id = 210987654321
sso_role_name = ReadOnly
[profile sso-then-role]
role_arn = arn:aws:iam::999999999999:role/after-sso
source_profile = new-sso
[profile sso-missing]
sso_session = corp
sso_role_name = Admin
[profile sso-no-section]
sso_session = nowhere
sso_account_id = 1
sso_role_name = r
[profile sso-conflict]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 1
sso_role_name = r
";

#[test]
fn sso_profiles_new_and_legacy() {
    let dir = TempDir::new("sso");
    let fake = Arc::new(Fake::default());
    let credentials = load(env_with(&dir, SSO, &[]), &fake, "new-sso").unwrap();
    assert_eq!(credentials.access_key_id(), "SSO");
    load(env_with(&dir, SSO, &[]), &fake, "legacy-sso").unwrap();
    load(env_with(&dir, SSO, &[]), &fake, "sso-then-role").unwrap();
    assert_eq!(
        fake.calls(),
        [
            Call::Sso(
                "https://corp.awsapps.com/start".into(),
                "eu-central-1".into(),
                "123456789012".into(),
                "Admin".into(),
                Some("corp".into()),
                "corp".into(),
            ),
            Call::Sso(
                "https://legacy.awsapps.com/start".into(),
                "us-east-2".into(),
                "210987654321".into(),
                "ReadOnly".into(),
                None,
                "https://legacy.awsapps.com/start".into(),
            ),
            Call::Sso(
                "https://corp.awsapps.com/start".into(),
                "eu-central-1".into(),
                "123456789012".into(),
                "Admin".into(),
                Some("corp".into()),
                "corp".into(),
            ),
            Call::AssumeRole(
                "SSO".into(),
                "arn:aws:iam::999999999999:role/after-sso".into(),
                None,
                None,
                None,
                None,
            ),
        ]
    );
    for (profile, expected) in [
        ("sso-missing", "without sso_account_id"),
        ("sso-no-section", "no [sso-session nowhere] section"),
        ("sso-conflict", "its sso_start_url differs"),
    ] {
        let err = load(env_with(&dir, SSO, &[]), &fake, profile).expect_err(profile);
        assert!(
            err.is_failed() && err.to_string().contains(expected),
            "{profile}: {err}"
        );
    }
}

#[test]
fn sso_token_cache_file_is_the_sha1_of_the_session_or_start_url() {
    // The AWS CLI's names: SHA-1 of the session name (`sso_session`) or of the start URL.
    let dir = TempDir::new("sso-cache");
    let env = Env::from_vars([("HOME", dir.0.display().to_string())]);
    let spec = |session: Option<&str>| SsoSpec {
        start_url: "https://d-abc123.awsapps.com/start".into(),
        sso_region: "us-east-1".into(),
        account_id: "1".into(),
        role_name: "r".into(),
        session_name: session.map(str::to_owned),
        profile: "p".into(),
        env: env.clone(),
    };
    let cache = dir.0.join(".aws/sso/cache");
    // sha1("my-sso") and sha1("https://d-abc123.awsapps.com/start"), by `sha1sum`.
    assert_eq!(
        spec(Some("my-sso")).cache_file().unwrap(),
        cache.join(format!("{}.json", sha1_hex("my-sso")))
    );
    assert_eq!(
        spec(None).cache_file().unwrap(),
        cache.join(format!(
            "{}.json",
            sha1_hex("https://d-abc123.awsapps.com/start")
        ))
    );
}

/// SHA-1 by the system's `sha1sum` (an independent implementation), else a known vector.
fn sha1_hex(text: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if let Ok(mut child) = Command::new("sha1sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let hex = String::from_utf8(out.stdout).unwrap();
        return hex.split_whitespace().next().unwrap().to_owned();
    }
    panic!("sha1sum is not installed");
}

#[test]
fn web_identity_from_the_environment_and_from_a_profile() {
    let dir = TempDir::new("web");
    let token = dir.write("token", "  eyJ.token.value\n");
    let config = format!(
        "[profile web]\nrole_arn = arn:aws:iam::1:role/web-profile\nweb_identity_token_file = {token}\nrole_session_name = s1\n"
    );
    let fake = Arc::new(Fake::default());
    load(env_with(&dir, &config, &[]), &fake, "web").unwrap();

    let env = env_with(
        &dir,
        "",
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"),
            ("AWS_ROLE_SESSION_NAME", "pod-1"),
        ],
    );
    let provider = WebIdentityProvider::with_env(env.clone()).federation(fake.clone());
    assert_eq!(
        rt().block_on(provider.load()).unwrap().access_key_id(),
        "WEB"
    );
    assert_eq!(
        fake.calls(),
        [
            Call::WebIdentity(
                "arn:aws:iam::1:role/web-profile".into(),
                Some("s1".into()),
                "eyJ.token.value".into()
            ),
            Call::WebIdentity(
                "arn:aws:iam::1:role/irsa".into(),
                Some("pod-1".into()),
                "eyJ.token.value".into()
            ),
        ]
    );

    // Without AWS_ROLE_ARN, or with an unreadable token file, it fails, naming the file
    // but never the token.
    let no_role = env_with(&dir, "", &[("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str())]);
    let err = rt()
        .block_on(
            WebIdentityProvider::with_env(no_role)
                .federation(fake.clone())
                .load(),
        )
        .expect_err("no role");
    assert!(err.to_string().contains("but AWS_ROLE_ARN is not"), "{err}");
    let missing = dir.0.join("absent-token").display().to_string();
    let bad = env_with(
        &dir,
        "",
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", missing.as_str()),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"),
        ],
    );
    let err = rt()
        .block_on(
            WebIdentityProvider::with_env(bad)
                .federation(fake.clone())
                .load(),
        )
        .expect_err("no file");
    assert!(err.to_string().contains("absent-token"), "{err}");
}

/// The chain's order with a federation: the profile comes before web identity, which comes
/// before the container endpoint; web identity stops the chain when it fails.
#[test]
fn default_chain_order_with_federation() {
    let dir = TempDir::new("chain");
    let token = dir.write("token", "tok");
    let web = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"),
        // Would be asked next; must not be.
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/never",
        ),
    ];
    let fake = Arc::new(Fake::default());
    let with_profile = env_with(
        &dir,
        SSO,
        &[&[("AWS_PROFILE", "new-sso")][..], &web[..]].concat(),
    );
    let chain = DefaultCredentialsChain::with_federation(with_profile, fake.clone());
    assert_eq!(
        rt().block_on(chain.provide_credentials())
            .unwrap()
            .access_key_id(),
        "SSO"
    );

    let fake = Arc::new(Fake::default());
    let chain = DefaultCredentialsChain::with_federation(env_with(&dir, "", &web), fake.clone());
    assert_eq!(
        rt().block_on(chain.provide_credentials())
            .unwrap()
            .access_key_id(),
        "WEB"
    );
    assert!(matches!(fake.calls().as_slice(), [Call::WebIdentity(..)]));

    // Without a federation the configured web identity stops the chain, saying why.
    let chain = DefaultCredentialsChain::with_env(env_with(&dir, "", &web));
    let err = rt()
        .block_on(chain.provide_credentials())
        .expect_err("no federation");
    assert!(err.is_failed(), "{err}");
    assert!(err.to_string().contains("web identity"), "{err}");
    assert!(!err.to_string().contains("container: "), "{err}");
}

/// A local server answering by path (token, role discovery, credentials), for the IMDS and
/// container sources of `credential_source`.
fn metadata_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut data = Vec::new();
            let mut buf = [0u8; 1024];
            while !data.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => data.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&data).into_owned();
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            let body = match path.as_str() {
                "/latest/api/token" => "imds-token".to_owned(),
                "/latest/meta-data/iam/security-credentials/" => "instance-role".to_owned(),
                p if p.ends_with("/instance-role") => {
                    r#"{"Code":"Success","AccessKeyId":"AKIDIMDS","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#.to_owned()
                }
                "/creds" => {
                    r#"{"AccessKeyId":"AKIDECS","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z","AccountId":"777777777777"}"#.to_owned()
                }
                _ => String::new(),
            };
            let reply = format!(
                "HTTP/1.1 200 OK\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

#[test]
fn credential_source_instance_metadata_and_container() {
    let dir = TempDir::new("named-sources");
    let url = metadata_server();
    let config = "\
[profile on-ec2]
role_arn = arn:aws:iam::1:role/from-ec2
credential_source = Ec2InstanceMetadata
[profile on-ecs]
role_arn = arn:aws:iam::1:role/from-ecs
credential_source = EcsContainer
";
    let full_uri = format!("{url}/creds");
    let extra = [
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str()),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
    ];
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for (profile, source_key) in [("on-ec2", "AKIDIMDS"), ("on-ecs", "AKIDECS")] {
        let fake = Arc::new(Fake::default());
        let provider = ProfileProvider::with_env(env_with(&dir, config, &extra))
            .profile(profile)
            .federation(fake.clone());
        rt.block_on(provider.provide_credentials()).expect(profile);
        let calls = fake.calls();
        assert!(
            matches!(calls.as_slice(), [Call::AssumeRole(key, ..)] if key == source_key),
            "{profile}: {calls:?}"
        );
    }
}

#[test]
fn account_ids_come_from_the_environment_profiles_and_the_container() {
    let dir = TempDir::new("account");
    let env = env_with(
        &dir,
        "[default]\naws_access_key_id = A\naws_secret_access_key = B\naws_account_id = 111122223333\n",
        &[],
    );
    let profile = ProfileProvider::with_env(env).load().unwrap();
    assert_eq!(profile.account_id(), Some("111122223333"));
    let env = Env::from_vars([
        ("AWS_ACCESS_KEY_ID", "A"),
        ("AWS_SECRET_ACCESS_KEY", "B"),
        ("AWS_ACCOUNT_ID", "444455556666"),
    ]);
    let from_env = anvil_runtime::credentials::EnvironmentProvider::with_env(env)
        .load()
        .unwrap();
    assert_eq!(from_env.account_id(), Some("444455556666"));
    let url = metadata_server();
    let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("{url}/creds"))]);
    let container = rt()
        .block_on(anvil_runtime::credentials::EcsContainerProvider::with_env(env).load())
        .unwrap();
    assert_eq!(container.account_id(), Some("777777777777"));
}
