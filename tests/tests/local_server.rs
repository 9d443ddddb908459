//! Both generated clients against a real HTTP server on 127.0.0.1 (started by each test),
//! through the default hyper transport: every request's SigV4 signature is recomputed
//! independently from what arrived on the wire, and each fault gets its documented outcome.
//!
//! | fault | outcome |
//! |---|---|
//! | 500, then 200 | success on the second attempt, same client token |
//! | 429 with `Retry-After: 1`, then 200 | waits at least 1 s, then success |
//! | connection closed without a response | retried; when attempts run out, `SdkError::Transport` (I/O) |
//! | response slower than the attempt timeout | retried; when attempts run out, `SdkError::Timeout` (attempt) |
//! | 2xx with malformed JSON | `SdkError::Response` |
//! | HTML 502 page | retried; when attempts run out, `SdkError::Response` with an excerpt |
//! | unknown error code | `Unhandled` with code, message, status and request id |
//! | unknown enum value in a response | kept (`is_known() == false`), not an error |
//! | each modeled error | its typed variant, with its fields |

mod support;

use std::time::{Duration, Instant};

use anvil_clients::{mpa, workspacesweb};
use anvil_runtime::credentials::Credentials;
use anvil_runtime::error::TimeoutKind;
use anvil_runtime::{Config, SdkError};
use mpa::error::CreateIdentitySourceError as MpaError;
use support::{Recorded, Reply, Server, Signer, verify_sigv4};
use workspacesweb::error::CreateIdentityProviderError as WebError;

const ACCESS_KEY: &str = "AKIDLOCALTEST";
const SECRET_KEY: &str = "local/test+SECRET/key";
const SESSION_TOKEN: &str = "local-session-token";
const REGION: &str = "eu-central-1";
const PORTAL: &str =
    "arn:aws:workspaces-web:eu-central-1:123456789012:portal/11111111-2222-3333-4444-555555555555";
const IDP_ARN: &str = "arn:aws:workspaces-web:eu-central-1:123456789012:identityProvider/11111111-2222-3333-4444-555555555555/66666666-7777-8888-9999-000000000000";
const SOURCE_ARN: &str = "arn:aws:mpa:eu-central-1:123456789012:identity-source/abc";

fn config(server: &Server, attempts: u32, session_token: bool) -> Config {
    Config::builder()
        .region(REGION)
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            session_token.then(|| SESSION_TOKEN.to_owned()),
        ))
        .max_attempts(attempts)
        // A bound on every test; the timeout test sets a shorter one.
        .attempt_timeout(Duration::from_secs(5))
        .build()
}

fn web_client(server: &Server, attempts: u32) -> workspacesweb::Client {
    workspacesweb::Client::new(&config(server, attempts, false))
}

fn mpa_client(server: &Server, attempts: u32) -> mpa::Client {
    mpa::Client::new(&config(server, attempts, true))
}

async fn create_provider(
    client: &workspacesweb::Client,
) -> Result<workspacesweb::types::CreateIdentityProviderResponse, SdkError<WebError>> {
    client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("corp-idp")
        .identity_provider_type(workspacesweb::types::IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/metadata")
        .tags(
            workspacesweb::types::Tag::builder()
                .key("team")
                .value("web")
                .build()
                .expect("valid tag"),
        )
        .send()
        .await
}

async fn create_source(
    client: &mpa::Client,
) -> Result<mpa::types::CreateIdentitySourceResponse, SdkError<MpaError>> {
    let parameters = mpa::types::IdentitySourceParameters::builder()
        .iam_identity_center(
            mpa::types::IamIdentityCenter::builder()
                .instance_arn("arn:aws:sso:::instance/ssoins-1111111111111111")
                .region(REGION)
                .build()
                .expect("valid parameters"),
        )
        .build();
    client
        .create_identity_source()
        .identity_source_parameters(parameters)
        .tags("env", "test")
        .send()
        .await
}

fn web_ok() -> Reply {
    Reply::json(200, format!(r#"{{"identityProviderArn":"{IDP_ARN}"}}"#))
}

fn mpa_ok(kind: &str) -> Reply {
    Reply::json(
        200,
        format!(
            r#"{{"IdentitySourceArn":"{SOURCE_ARN}","IdentitySourceType":"{kind}","CreationTime":"2025-01-02T03:04:05Z"}}"#
        ),
    )
}

/// Asserts every recorded request of a service is correctly signed.
fn assert_signed(requests: &[Recorded], service: &str) {
    let signer = Signer {
        access_key_id: ACCESS_KEY,
        secret_access_key: SECRET_KEY,
        region: REGION,
        service,
    };
    for (i, r) in requests.iter().enumerate() {
        if let Err(e) = verify_sigv4(r, &signer) {
            panic!("request {i} is not correctly signed: {e}");
        }
    }
}

fn web_error(err: SdkError<WebError>) -> WebError {
    match err {
        SdkError::Service(e) => e.into_err(),
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn mpa_error(err: SdkError<MpaError>) -> MpaError {
    match err {
        SdkError::Service(e) => e.into_err(),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[test]
fn the_independent_sigv4_check_matches_the_aws_example_and_rejects_tampering() {
    // The IAM `ListUsers` example of the AWS SigV4 documentation.
    let mut request = Recorded {
        method: "GET".into(),
        target: "/?Action=ListUsers&Version=2010-05-08".into(),
        headers: vec![
            (
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ),
            ("host".into(), "iam.amazonaws.com".into()),
            ("x-amz-date".into(), "20150830T123600Z".into()),
            (
                "authorization".into(),
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7".into(),
            ),
        ],
        body: Vec::new(),
        received: Instant::now(),
    };
    let signer = Signer {
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "iam",
    };
    assert_eq!(verify_sigv4(&request, &signer), Ok(()));
    let wrong_secret = Signer {
        secret_access_key: "another",
        ..signer
    };
    assert!(verify_sigv4(&request, &wrong_secret).is_err());
    let wrong_region = Signer {
        region: "us-west-2",
        ..signer
    };
    assert!(verify_sigv4(&request, &wrong_region).is_err());
    request.body = b"tampered".to_vec();
    assert!(verify_sigv4(&request, &signer).is_err());
    request.body.clear();
    request.target = "/?Action=DeleteUser&Version=2010-05-08".into();
    assert!(verify_sigv4(&request, &signer).is_err());
}

#[tokio::test]
async fn web_a_500_then_200_succeeds_on_the_second_attempt_with_the_same_client_token() {
    let server = Server::start(vec![
        Reply::json(500, r#"{"message":"try again"}"#)
            .header("x-amzn-errortype", "InternalServerException"),
        web_ok(),
    ]);
    let out = create_provider(&web_client(&server, 3))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(out.identity_provider_arn, IDP_ARN);

    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent, "workspaces-web");
    for (i, r) in sent.iter().enumerate() {
        assert_eq!(
            (r.method.as_str(), r.target.as_str()),
            ("POST", "/identityProviders")
        );
        assert_eq!(
            r.header("host"),
            Some(server.url().trim_start_matches("http://"))
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        let want = format!("attempt={}; max=3", i + 1);
        assert_eq!(r.header("amz-sdk-request"), Some(want.as_str()));
    }
    let (first, second) = (sent[0].json(), sent[1].json());
    let token = first["clientToken"].as_str().expect("a client token");
    assert!(!token.is_empty());
    assert_eq!(second["clientToken"], token);
    assert_eq!(first, second, "the retry sends the same body");
    assert_eq!(first["portalArn"], PORTAL);
    assert_eq!(
        sent[0].header("amz-sdk-invocation-id"),
        sent[1].header("amz-sdk-invocation-id")
    );
}

#[tokio::test]
async fn mpa_a_500_then_200_succeeds_with_the_same_client_token_and_a_signed_session_token() {
    let server = Server::start(vec![
        Reply::json(500, r#"{"Message":"try again"}"#)
            .header("x-amzn-errortype", "InternalServerException"),
        mpa_ok("IAM_IDENTITY_CENTER"),
    ]);
    let out = create_source(&mpa_client(&server, 3))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(out.identity_source_arn.as_deref(), Some(SOURCE_ARN));
    assert!(out.identity_source_type.expect("type").is_known());

    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent, "mpa");
    for r in &sent {
        assert_eq!(
            (r.method.as_str(), r.target.as_str()),
            ("POST", "/identity-sources")
        );
        assert_eq!(r.header("x-amz-security-token"), Some(SESSION_TOKEN));
    }
    let token = sent[0].json()["ClientToken"].clone();
    assert!(token.as_str().is_some_and(|t| !t.is_empty()), "{token}");
    assert_eq!(sent[1].json()["ClientToken"], token);
    assert_eq!(sent[0].json()["Tags"], serde_json::json!({"env": "test"}));
}

#[tokio::test]
async fn a_429_with_retry_after_waits_at_least_that_long_then_retries() {
    let server = Server::start(vec![
        Reply::json(
            429,
            r#"{"__type":"ThrottlingException","message":"slow down"}"#,
        )
        .header("retry-after", "1"),
        web_ok(),
    ]);
    let started = Instant::now();
    let out = create_provider(&web_client(&server, 3))
        .await
        .expect("the retry succeeds");
    assert_eq!(out.identity_provider_arn, IDP_ARN);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent, "workspaces-web");
    let waited = sent[1].received.duration_since(sent[0].received);
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(sent[0].json()["clientToken"], sent[1].json()["clientToken"]);
}

#[tokio::test]
async fn a_connection_closed_without_a_response_is_retried_then_a_transport_error() {
    let server = Server::start(vec![Reply::Reset, mpa_ok("IAM_IDENTITY_CENTER")]);
    let out = create_source(&mpa_client(&server, 2))
        .await
        .expect("the retry succeeds");
    assert_eq!(out.identity_source_arn.as_deref(), Some(SOURCE_ARN));
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent, "mpa");
    assert_eq!(sent[0].json()["ClientToken"], sent[1].json()["ClientToken"]);

    // No attempts left: the I/O error itself.
    let server = Server::start(vec![Reply::Reset]);
    let err = create_provider(&web_client(&server, 1))
        .await
        .expect_err("no response");
    assert!(
        matches!(&err, SdkError::Transport(t) if t.is_io()),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_response_slower_than_the_attempt_timeout_is_retried_then_a_timeout_error() {
    let limit = Duration::from_millis(300);
    let slow = || web_ok().delayed(Duration::from_secs(3));

    let server = Server::start(vec![slow(), web_ok()]);
    let config = Config::builder()
        .region(REGION)
        .endpoint_url(server.url())
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .attempt_timeout(limit)
        .max_attempts(2);
    let client = workspacesweb::Client::new(&config.clone().build());
    let out = create_provider(&client).await.expect("the retry succeeds");
    assert_eq!(out.identity_provider_arn, IDP_ARN);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent, "workspaces-web");
    assert_eq!(sent[0].json()["clientToken"], sent[1].json()["clientToken"]);

    let server = Server::start(vec![slow()]);
    let client =
        workspacesweb::Client::new(&config.endpoint_url(server.url()).max_attempts(1).build());
    let err = create_provider(&client).await.expect_err("too slow");
    match &err {
        SdkError::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.after(), limit);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn fips_or_dual_stack_with_a_custom_endpoint_is_the_rules_error_and_sends_nothing() {
    let server = Server::start(vec![]);
    let base = || {
        Config::builder()
            .region(REGION)
            .endpoint_url(server.url())
            .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
    };
    let config_error = |err: String| {
        assert!(err.contains("custom endpoint are not supported"), "{err}");
    };
    let web = workspacesweb::Client::new(&base().use_fips(true).build());
    match create_provider(&web).await {
        Err(SdkError::Config(c)) => config_error(c.to_string()),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    let web = workspacesweb::Client::new(&base().use_dual_stack(true).build());
    match create_provider(&web).await {
        Err(SdkError::Config(c)) => assert!(c.to_string().contains("Dualstack"), "{c}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    let mpa = mpa::Client::new(&base().use_fips(true).build());
    match create_source(&mpa).await {
        Err(SdkError::Config(c)) => config_error(c.to_string()),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn malformed_json_in_a_success_response_is_a_response_error() {
    let server = Server::start(vec![
        Reply::json(200, r#"{"identityProviderArn": "#),
        Reply::json(200, "[1, 2"),
    ]);
    let err = create_provider(&web_client(&server, 3))
        .await
        .expect_err("malformed");
    assert!(
        matches!(&err, SdkError::Response(r) if r.status() == 200),
        "{err:?}"
    );
    let err = create_source(&mpa_client(&server, 3))
        .await
        .expect_err("malformed");
    assert!(
        matches!(&err, SdkError::Response(r) if r.status() == 200),
        "{err:?}"
    );
    // A 2xx is final: neither was retried.
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent[..1], "workspaces-web");
    assert_signed(&sent[1..], "mpa");
}

#[tokio::test]
async fn an_html_502_page_is_retried_then_a_response_error_with_an_excerpt() {
    let page = || {
        Reply::with_type(
            502,
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
    };
    let server = Server::start(vec![page(), page()]);
    let err = create_provider(&web_client(&server, 2))
        .await
        .expect_err("bad gateway");
    let SdkError::Response(r) = &err else {
        panic!("expected a response error, got {err:?}")
    };
    assert_eq!(r.status(), 502);
    assert!(
        r.excerpt().is_some_and(|e| e.contains("502 Bad Gateway")),
        "{r:?}"
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 2, "a 502 is retried");
    assert_signed(&sent, "workspaces-web");

    let server = Server::start(vec![page(), mpa_ok("IAM_IDENTITY_CENTER")]);
    let out = create_source(&mpa_client(&server, 2))
        .await
        .expect("the retry succeeds");
    assert_eq!(out.identity_source_arn.as_deref(), Some(SOURCE_ARN));
}

#[tokio::test]
async fn an_unknown_error_code_is_unhandled_with_its_metadata() {
    let server = Server::start(vec![
        Reply::json(
            400,
            r#"{"__type":"com.amazonaws.workspacesweb#BrandNewException","message":"new"}"#,
        )
        .header("x-amzn-requestid", "req-web"),
        Reply::json(409, r#"{"Message":"also new"}"#)
            .header(
                "x-amzn-errortype",
                "SomethingElseException:http://internal/",
            )
            .header("x-amzn-requestid", "req-mpa"),
    ]);
    let err = create_provider(&web_client(&server, 1))
        .await
        .expect_err("error");
    let SdkError::Service(se) = err else {
        panic!("expected a service error, got {err:?}")
    };
    let WebError::Unhandled(u) = se.err() else {
        panic!("{:?}", se.err())
    };
    assert_eq!(u.meta().code(), Some("BrandNewException"));
    assert_eq!(u.meta().message(), Some("new"));
    assert_eq!(u.meta().status(), 400);
    assert_eq!(u.meta().request_id(), Some("req-web"));

    let err = create_source(&mpa_client(&server, 1))
        .await
        .expect_err("error");
    let SdkError::Service(se) = err else {
        panic!("expected a service error, got {err:?}")
    };
    let MpaError::Unhandled(u) = se.err() else {
        panic!("{:?}", se.err())
    };
    assert_eq!(u.meta().code(), Some("SomethingElseException"));
    assert_eq!(u.meta().message(), Some("also new"));
    assert_eq!(u.meta().status(), 409);
    assert_eq!(se.meta().request_id(), Some("req-mpa"));
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_signed(&sent[..1], "workspaces-web");
    assert_signed(&sent[1..], "mpa");
}

#[tokio::test]
async fn an_unknown_enum_value_in_a_response_is_kept() {
    let server = Server::start(vec![mpa_ok("FEDERATED_SOMETHING_NEW")]);
    let out = create_source(&mpa_client(&server, 1))
        .await
        .expect("not an error");
    let kind = out.identity_source_type.expect("type");
    assert!(!kind.is_known());
    assert_eq!(kind.as_str(), "FEDERATED_SOMETHING_NEW");
    assert_eq!(out.identity_source_arn.as_deref(), Some(SOURCE_ARN));
    assert_eq!(out.creation_time.expect("time").secs(), 1_735_787_045);
    assert_signed(&server.requests(), "mpa");
}

#[tokio::test]
async fn every_modeled_mpa_error_is_its_typed_variant_with_fields() {
    let error = |status: u16, code: &str| {
        Reply::json(
            status,
            format!(r#"{{"__type":"com.amazonaws.mpa#{code}","Message":"{code} says no"}}"#),
        )
    };
    let server = Server::start(vec![
        error(403, "AccessDeniedException"),
        error(500, "InternalServerException"),
        error(402, "ServiceQuotaExceededException"),
        error(429, "ThrottlingException"),
        error(400, "ValidationException"),
    ]);
    let client = mpa_client(&server, 1);
    let next = async || mpa_error(create_source(&client).await.expect_err("error"));

    let e = next().await;
    assert!(
        matches!(&e, MpaError::AccessDeniedException(x) if x.message == "AccessDeniedException says no"),
        "{e:?}"
    );
    assert!(!e.is_retryable());
    let e = next().await;
    assert!(
        matches!(&e, MpaError::InternalServerException(x) if x.message == "InternalServerException says no"),
        "{e:?}"
    );
    assert!(e.is_retryable());
    let e = next().await;
    assert!(
        matches!(&e, MpaError::ServiceQuotaExceededException(x) if x.message == "ServiceQuotaExceededException says no"),
        "{e:?}"
    );
    let e = next().await;
    assert!(
        matches!(&e, MpaError::ThrottlingException(x) if x.message == "ThrottlingException says no"),
        "{e:?}"
    );
    assert!(e.is_retryable());
    let e = next().await;
    assert!(
        matches!(&e, MpaError::ValidationException(x) if x.message == "ValidationException says no"),
        "{e:?}"
    );
    assert_eq!(e.code(), Some("ValidationException"));

    let sent = server.requests();
    assert_eq!(sent.len(), 5);
    assert_signed(&sent, "mpa");
    assert_eq!(server.remaining(), 0);
}

#[tokio::test]
async fn every_modeled_web_error_is_its_typed_variant_with_fields() {
    let server = Server::start(vec![
        Reply::json(403, r#"{"message":"denied"}"#).header(
            "x-amzn-errortype",
            "AccessDeniedException:http://internal.amazon.com/",
        ),
        Reply::json(
            409,
            r#"{"__type":"com.amazonaws.workspacesweb#ConflictException","message":"exists","resourceId":"idp-1","resourceType":"identityProvider"}"#,
        ),
        Reply::json(500, r#"{"code":"InternalServerException","message":"boom"}"#)
            .header("retry-after", "4"),
        Reply::json(
            404,
            r#"{"__type":"ResourceNotFoundException","message":"gone","resourceId":"p-9","resourceType":"portal"}"#,
        ),
        Reply::json(
            402,
            r#"{"__type":"ServiceQuotaExceededException","message":"full","resourceId":"r-2","resourceType":"identityProvider","serviceCode":"workspaces-web","quotaCode":"L-123"}"#,
        ),
        Reply::json(
            429,
            r#"{"__type":"ThrottlingException","message":"slow","serviceCode":"workspaces-web","quotaCode":"L-456"}"#,
        )
        .header("retry-after", "2"),
        Reply::json(
            400,
            r#"{"__type":"ValidationException","message":"bad","reason":"fieldValidationFailed","fieldList":[{"name":"portalArn","message":"invalid ARN"}]}"#,
        ),
    ]);
    let client = web_client(&server, 1);
    let next = async || web_error(create_provider(&client).await.expect_err("error"));

    let e = next().await;
    assert!(
        matches!(&e, WebError::AccessDeniedException(x) if x.message.as_deref() == Some("denied")),
        "{e:?}"
    );

    let e = next().await;
    let WebError::ConflictException(c) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(c.message.as_deref(), Some("exists"));
    assert_eq!(c.resource_id.as_deref(), Some("idp-1"));
    assert_eq!(c.resource_type.as_deref(), Some("identityProvider"));

    let e = next().await;
    let WebError::InternalServerException(i) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(i.message.as_deref(), Some("boom"));
    assert_eq!(i.retry_after_seconds, 4);
    assert!(e.is_retryable());

    let e = next().await;
    let WebError::ResourceNotFoundException(r) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (r.message.as_deref(), r.resource_id.as_deref()),
        (Some("gone"), Some("p-9"))
    );
    assert_eq!(r.resource_type.as_deref(), Some("portal"));

    let e = next().await;
    let WebError::ServiceQuotaExceededException(q) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(q.message.as_deref(), Some("full"));
    assert_eq!(q.resource_id.as_deref(), Some("r-2"));
    assert_eq!(q.resource_type.as_deref(), Some("identityProvider"));
    assert_eq!(q.service_code.as_deref(), Some("workspaces-web"));
    assert_eq!(q.quota_code.as_deref(), Some("L-123"));

    let e = next().await;
    let WebError::ThrottlingException(t) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(t.message.as_deref(), Some("slow"));
    assert_eq!(t.service_code.as_deref(), Some("workspaces-web"));
    assert_eq!(t.quota_code.as_deref(), Some("L-456"));
    assert_eq!(t.retry_after_seconds, 2);

    let e = next().await;
    let WebError::ValidationException(v) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(v.message.as_deref(), Some("bad"));
    assert_eq!(
        v.reason.as_ref().map(|r| r.as_str()),
        Some("fieldValidationFailed")
    );
    let fields = v.field_list.as_deref().expect("fieldList");
    assert_eq!(fields.len(), 1);
    assert_eq!(
        (fields[0].name.as_str(), fields[0].message.as_str()),
        ("portalArn", "invalid ARN")
    );

    let sent = server.requests();
    assert_eq!(sent.len(), 7);
    assert_signed(&sent, "workspaces-web");
    assert_eq!(server.remaining(), 0);
}
