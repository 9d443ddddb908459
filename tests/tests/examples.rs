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
/// at `server`.
fn run_example(name: &str, server: &Server) -> Output {
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
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_CONFIG_FILE", &missing)
        .env("AWS_SHARED_CREDENTIALS_FILE", &missing);
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
