//! The per-operation examples of `anvil-clients`, run as a user runs them (`cargo run
//! --example ...`), configured only through the standard environment and pointed at a local
//! server this test starts on 127.0.0.1.
//!
//! The first run builds the examples (without the test crate's features), so it can take a
//! while on a cold target directory.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{Reply, Server, Signer, verify_sigv4};

const ACCESS_KEY: &str = "AKIDEXAMPLETEST";
const SECRET_KEY: &str = "example/test+secret";
const REGION: &str = "ap-southeast-2";

/// Runs `cargo run -q -p anvil-clients --example NAME` with a clean AWS environment pointing
/// at `server`, with static keys in the environment.
fn run_example(name: &str, server: &Server) -> Output {
    run_example_with(
        name,
        server,
        &[
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ],
    )
}

/// Runs the example with a clean AWS environment pointing at `server`, plus `vars` (which
/// may replace the shared files and set no keys, to exercise the default chain).
fn run_example_with(name: &str, server: &Server, vars: &[(&str, String)]) -> Output {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace");
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(workspace)
        .args(["run", "-q", "-p", "anvil-clients", "--example", name]);
    for (key, _) in std::env::vars_os() {
        let name = key.to_string_lossy();
        // Nothing from the caller's AWS setup may leak in; and what cargo sets for this test
        // process must not reach the inner cargo: build scripts (ring's) watch these
        // variables, so the inner build would differ from a plain `cargo run` and rebuild.
        let cargo_set = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "OUT_DIR",
            ]
            .contains(&name.as_ref());
        if name.starts_with("AWS_") || cargo_set {
            command.env_remove(key);
        }
    }
    let missing = workspace.join("target/no-such-aws-file");
    command
        .env("AWS_ENDPOINT_URL", server.url())
        .env("AWS_REGION", REGION)
        .env("AWS_CONFIG_FILE", &missing)
        .env("AWS_SHARED_CREDENTIALS_FILE", &missing)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in vars {
        command.env(k, v);
    }
    command.output().expect("cargo runs")
}

fn signer(service: &str) -> Signer<'_> {
    Signer {
        access_key_id: ACCESS_KEY,
        secret_access_key: SECRET_KEY,
        region: REGION,
        service,
    }
}

#[test]
fn create_identity_provider_example_retries_a_500_and_prints_the_arn() {
    let arn = format!(
        "arn:aws:workspaces-web:{REGION}:123456789012:identityProvider/11111111-2222-3333-4444-555555555555/0123abcd-0000-1111-2222-333344445555"
    );
    let server = Server::start(vec![
        Reply::json(500, r#"{"message":"internal error"}"#)
            .header("x-amzn-errortype", "InternalServerException"),
        Reply::json(200, format!(r#"{{"identityProviderArn":"{arn}"}}"#)),
    ]);
    let out = run_example("create_identity_provider", &server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains(&arn),
        "the ARN is printed: {stdout}\n{stderr}"
    );

    let sent = server.requests();
    assert_eq!(sent.len(), 2, "one retry after the 500");
    for (i, r) in sent.iter().enumerate() {
        assert_eq!(
            (r.method.as_str(), r.target.as_str()),
            ("POST", "/identityProviders")
        );
        if let Err(e) = verify_sigv4(r, &signer("workspaces-web")) {
            panic!("request {i} is not correctly signed: {e}");
        }
    }
    let (first, second) = (sent[0].json(), sent[1].json());
    let token = first["clientToken"].as_str().expect("a client token");
    assert!(!token.is_empty());
    assert_eq!(second["clientToken"], token, "the retry keeps the token");
    assert!(
        first["portalArn"]
            .as_str()
            .is_some_and(|p| p.starts_with(&format!("arn:aws:workspaces-web:{REGION}:"))),
        "{first}"
    );
}

#[test]
fn create_identity_source_example_prints_the_output_or_the_typed_error() {
    let arn = format!("arn:aws:mpa:{REGION}:123456789012:identity-source/example-1");
    let server = Server::start(vec![Reply::json(
        200,
        format!(
            r#"{{"IdentitySourceArn":"{arn}","IdentitySourceType":"IAM_IDENTITY_CENTER","CreationTime":"2025-06-07T08:09:10Z"}}"#
        ),
    )]);
    let out = run_example("create_identity_source", &server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(&arn), "{stdout}");
    assert!(stdout.contains("IAM_IDENTITY_CENTER"), "{stdout}");
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].target, "/identity-sources");
    if let Err(e) = verify_sigv4(&sent[0], &signer("mpa")) {
        panic!("not correctly signed: {e}");
    }
    let body = sent[0].json();
    assert_eq!(
        body["IdentitySourceParameters"]["IamIdentityCenter"]["Region"],
        REGION
    );
    assert!(body["ClientToken"].as_str().is_some_and(|t| !t.is_empty()));

    // A modeled error: the example reports the typed variant and fails.
    let server = Server::start(vec![
        Reply::json(
            403,
            r#"{"__type":"AccessDeniedException","Message":"not allowed here"}"#,
        )
        .header("x-amzn-requestid", "req-example-403"),
    ]);
    let out = run_example("create_identity_source", &server);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("access denied"), "{stderr}");
    assert!(stderr.contains("not allowed here"), "{stderr}");
    assert!(stderr.contains("req-example-403"), "{stderr}");
    assert_eq!(server.requests().len(), 1, "a 403 is not retried");
}

// ---------------------------------------------------------------------------------------
// The examples find credentials through the default chain (`anvil_config::load_defaults`),
// wherever they come from. Each test serves the credential source and the service from the
// same local server and checks that the service call is signed with what the source gave.

const FOUND_KEY: &str = "AKIDFROMTHECHAIN";
const FOUND_SECRET: &str = "secret/from+the-chain";
const FOUND_TOKEN: &str = "session-token-from-the-chain";

const MPA_OUTPUT: &str = r#"{"IdentitySourceArn":"arn:aws:mpa:ap-southeast-2:123456789012:identity-source/chain-1","IdentitySourceType":"IAM_IDENTITY_CENTER","CreationTime":"2025-06-07T08:09:10Z"}"#;

/// A fresh directory under the target's temp dir.
fn temp_dir(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("examples-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `create_identity_source` and checks that the MPA call (the last request) is signed
/// with the credentials the chain found.
fn example_signs_with_found_credentials(
    server: &Server,
    vars: &[(&str, String)],
) -> Vec<support::Recorded> {
    let out = run_example_with("create_identity_source", server, vars);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("identity-source/chain-1"), "{stdout}");
    let sent = server.requests();
    let call = sent.last().expect("the MPA call");
    assert_eq!(call.target, "/identity-sources");
    assert_eq!(call.header("x-amz-security-token"), Some(FOUND_TOKEN));
    let found = Signer {
        access_key_id: FOUND_KEY,
        secret_access_key: FOUND_SECRET,
        region: REGION,
        service: "mpa",
    };
    if let Err(e) = verify_sigv4(call, &found) {
        panic!("the call is not signed with the chain's credentials: {e}");
    }
    sent
}

fn found_json(token_key: &str) -> String {
    format!(
        r#"{{"Version":1,"AccessKeyId":"{FOUND_KEY}","SecretAccessKey":"{FOUND_SECRET}","{token_key}":"{FOUND_TOKEN}","Expiration":"2099-01-01T00:00:00Z"}}"#
    )
}

#[test]
fn examples_take_credentials_from_an_assume_role_profile() {
    let dir = temp_dir("assume-role");
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n\
             source_profile = base\nrole_session_name = example\n\
             [profile base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    )
    .unwrap();
    let sts = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>{FOUND_KEY}</AccessKeyId><SecretAccessKey>{FOUND_SECRET}</SecretAccessKey>\
         <SessionToken>{FOUND_TOKEN}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
         <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/example</Arn>\
         <AssumedRoleId>AROA1:example</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>"
    );
    let server = Server::start(vec![
        Reply::with_type(200, "text/xml", sts),
        Reply::json(200, MPA_OUTPUT),
    ]);
    let sent = example_signs_with_found_credentials(
        &server,
        &[
            ("AWS_CONFIG_FILE", config.display().to_string()),
            ("AWS_PROFILE", "deploy".to_owned()),
        ],
    );
    assert_eq!(sent.len(), 2);
    let assume = String::from_utf8_lossy(&sent[0].body).into_owned();
    assert!(assume.contains("Action=AssumeRole"), "{assume}");
    assert!(assume.contains("RoleSessionName=example"), "{assume}");
    if let Err(e) = verify_sigv4(&sent[0], &signer("sts")) {
        panic!("AssumeRole is not signed with the source profile's keys: {e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn examples_take_credentials_from_credential_process() {
    let dir = temp_dir("process");
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[default]\ncredential_process = printf '%s' '{}'\n",
            found_json("SessionToken")
        ),
    )
    .unwrap();
    let server = Server::start(vec![Reply::json(200, MPA_OUTPUT)]);
    let sent = example_signs_with_found_credentials(
        &server,
        &[("AWS_CONFIG_FILE", config.display().to_string())],
    );
    assert_eq!(sent.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn examples_take_credentials_from_the_container_endpoint() {
    let server = Server::start(vec![
        Reply::json(200, found_json("Token")),
        Reply::json(200, MPA_OUTPUT),
    ]);
    let sent = example_signs_with_found_credentials(
        &server,
        &[
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                format!("{}/v2/credentials", server.url()),
            ),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "pod-identity-token".to_owned(),
            ),
        ],
    );
    assert_eq!(sent[0].target, "/v2/credentials");
    assert_eq!(sent[0].header("authorization"), Some("pod-identity-token"));
}

#[test]
fn examples_take_credentials_from_instance_metadata() {
    let server = Server::start(vec![
        Reply::with_type(200, "text/plain", "imds-session-token")
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
        Reply::with_type(200, "text/plain", "instance-role"),
        Reply::json(200, found_json("Token")),
        Reply::json(200, MPA_OUTPUT),
    ]);
    let sent = example_signs_with_found_credentials(
        &server,
        &[
            ("AWS_EC2_METADATA_DISABLED", "false".to_owned()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()),
        ],
    );
    assert_eq!(
        (sent[0].method.as_str(), sent[0].target.as_str()),
        ("PUT", "/latest/api/token")
    );
    assert_eq!(
        sent[2].target,
        "/latest/meta-data/iam/security-credentials/instance-role"
    );
    assert_eq!(
        sent[2].header("x-aws-ec2-metadata-token"),
        Some("imds-session-token")
    );
}

#[test]
fn examples_take_credentials_from_sso() {
    let dir = temp_dir("sso");
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[default]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = ap-southeast-2\n",
    )
    .unwrap();
    // The AWS CLI's cache name: the SHA-1 of the session name.
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, b"corp");
    let name: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let cache = dir.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join(format!("{name}.json")),
        r#"{"accessToken":"sso-access-token","expiresAt":"2099-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let role = format!(
        r#"{{"roleCredentials":{{"accessKeyId":"{FOUND_KEY}","secretAccessKey":"{FOUND_SECRET}","sessionToken":"{FOUND_TOKEN}","expiration":4102444800000}}}}"#
    );
    let server = Server::start(vec![Reply::json(200, role), Reply::json(200, MPA_OUTPUT)]);
    let sent = example_signs_with_found_credentials(
        &server,
        &[
            ("AWS_CONFIG_FILE", config.display().to_string()),
            ("HOME", dir.display().to_string()),
        ],
    );
    assert!(
        sent[0].target.starts_with("/federation/credentials"),
        "{}",
        sent[0].target
    );
    assert_eq!(
        sent[0].header("x-amz-sso_bearer_token"),
        Some("sso-access-token")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn examples_take_credentials_from_web_identity() {
    let dir = temp_dir("irsa");
    let token = dir.join("token");
    std::fs::write(&token, "eyJ.irsa.token").unwrap();
    let sts = format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>{FOUND_KEY}</AccessKeyId>\
         <SecretAccessKey>{FOUND_SECRET}</SecretAccessKey><SessionToken>{FOUND_TOKEN}</SessionToken>\
         <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>\
         </AssumeRoleWithWebIdentityResponse>"
    );
    let server = Server::start(vec![
        Reply::with_type(200, "text/xml", sts),
        Reply::json(200, MPA_OUTPUT),
    ]);
    let sent = example_signs_with_found_credentials(
        &server,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
            (
                "AWS_ROLE_ARN",
                "arn:aws:iam::123456789012:role/irsa".to_owned(),
            ),
        ],
    );
    let call = String::from_utf8_lossy(&sent[0].body).into_owned();
    assert!(call.contains("Action=AssumeRoleWithWebIdentity"), "{call}");
    assert!(call.contains("WebIdentityToken=eyJ.irsa.token"), "{call}");
    assert_eq!(
        sent[0].header("authorization"),
        None,
        "the STS call is unsigned"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
