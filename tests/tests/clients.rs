//! The generated clients end to end, through the runtime's replaying test transport: the
//! requests they build, every modeled error as its typed variant, unknown errors, validation
//! before anything is sent, redaction, and retries that keep the idempotency token.

use anvil_clients::{mpa, workspacesweb};
use anvil_runtime::credentials::Credentials;
use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;
use anvil_runtime::{Config, SdkError};
use workspacesweb::error::CreateIdentityProviderError as WebError;
use workspacesweb::types::{IdentityProviderType, Tag};

const PORTAL: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555";
const IDP_ARN: &str = "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/11111111-2222-3333-4444-555555555555/66666666-7777-8888-9999-000000000000";
const SECRET_NAME: &str = "Zq-SENSITIVE-NAME";

fn config(replay: &ReplayClient, attempts: u32) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG",
            None,
        ))
        .http_client(replay.clone())
        .max_attempts(attempts)
        .build()
}

fn web_request(client: &workspacesweb::Client) -> workspacesweb::operation::CreateIdentityProvider {
    client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name(SECRET_NAME)
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", "https://idp.example.com/metadata")
        .tags(Tag::builder().key("team").value("web").build().unwrap())
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).expect("request body is JSON")
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
        && s.chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_hexdigit())
}

#[tokio::test]
async fn create_identity_provider_sends_the_modeled_request_and_parses_the_output() {
    let replay = ReplayClient::new(vec![HttpResponse::new(
        200,
        format!(r#"{{"identityProviderArn":"{IDP_ARN}"}}"#),
    )]);
    let client = workspacesweb::Client::new(&config(&replay, 1));
    let out = web_request(&client).send().await.expect("success");
    assert_eq!(out.identity_provider_arn, IDP_ARN);

    let sent = replay.requests();
    assert_eq!(sent.len(), 1);
    let req = &sent[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.uri, "http://127.0.0.1:9/identityProviders");
    assert_eq!(req.headers["content-type"], "application/json");
    assert!(req.headers.contains_key("authorization"), "signed");
    let body = json(&req.body);
    let token = body["clientToken"].as_str().expect("token filled in");
    assert!(is_uuid_v4(token), "{token}");
    assert_eq!(
        body,
        serde_json::json!({
            "portalArn": PORTAL,
            "identityProviderName": SECRET_NAME,
            "identityProviderType": "SAML",
            "identityProviderDetails": {"MetadataURL": "https://idp.example.com/metadata"},
            "clientToken": token,
            "tags": [{"Key": "team", "Value": "web"}],
        })
    );
}

#[tokio::test]
async fn a_caller_supplied_client_token_is_kept() {
    let replay = ReplayClient::new(vec![HttpResponse::new(200, "{}")]);
    let client = workspacesweb::Client::new(&config(&replay, 1));
    web_request(&client)
        .client_token("my-token")
        .send()
        .await
        .unwrap();
    assert_eq!(json(&replay.requests()[0].body)["clientToken"], "my-token");
}

#[tokio::test]
async fn a_500_is_retried_with_the_same_client_token() {
    let replay = ReplayClient::new(vec![
        HttpResponse::new(500, r#"{"message":"try again"}"#)
            .with_header("x-amzn-errortype", "InternalServerException"),
        HttpResponse::new(200, format!(r#"{{"identityProviderArn":"{IDP_ARN}"}}"#)),
    ]);
    let client = workspacesweb::Client::new(&config(&replay, 3));
    let out = web_request(&client)
        .send()
        .await
        .expect("second attempt succeeds");
    assert_eq!(out.identity_provider_arn, IDP_ARN);
    let sent = replay.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        json(&sent[0].body)["clientToken"],
        json(&sent[1].body)["clientToken"]
    );
}

/// Sends one request answered by `response` (retries off) and returns the error.
async fn web_error(response: HttpResponse) -> SdkError<WebError> {
    let replay = ReplayClient::new(vec![response]);
    let client = workspacesweb::Client::new(&config(&replay, 1));
    web_request(&client)
        .send()
        .await
        .expect_err("an error response")
}

fn service(err: SdkError<WebError>) -> WebError {
    match err {
        SdkError::Service(e) => e.into_err(),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_modeled_error_becomes_its_typed_variant_with_fields() {
    // Code from the X-Amzn-Errortype header.
    let e = service(
        web_error(HttpResponse::new(403, r#"{"message":"no"}"#).with_header(
            "x-amzn-errortype",
            "AccessDeniedException:http://internal.amazon.com/x",
        ))
        .await,
    );
    assert!(matches!(&e, WebError::AccessDeniedException(x) if x.message.as_deref() == Some("no")));

    // Code from `__type` with a namespace.
    let e = service(
        web_error(HttpResponse::new(
            409,
            r#"{"__type":"com.amazonaws.workspacesweb#ConflictException","message":"exists","resourceId":"r-1","resourceType":"portal"}"#,
        ))
        .await,
    );
    let WebError::ConflictException(c) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(c.resource_id.as_deref(), Some("r-1"));
    assert_eq!(c.resource_type.as_deref(), Some("portal"));

    // Code from `code`; the retry hint from the Retry-After header.
    let e = service(
        web_error(
            HttpResponse::new(
                429,
                r#"{"code":"ThrottlingException","message":"slow down","serviceCode":"svc","quotaCode":"q-1"}"#,
            )
            .with_header("retry-after", "7"),
        )
        .await,
    );
    let WebError::ThrottlingException(t) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(t.retry_after_seconds, 7);
    assert_eq!(t.quota_code.as_deref(), Some("q-1"));
    assert_eq!(t.service_code.as_deref(), Some("svc"));

    let e = service(
        web_error(
            HttpResponse::new(500, r#"{"message":"boom"}"#)
                .with_header("x-amzn-errortype", "InternalServerException")
                .with_header("retry-after", "3"),
        )
        .await,
    );
    assert!(matches!(&e, WebError::InternalServerException(x) if x.retry_after_seconds == 3));
    assert!(e.is_retryable());

    let e = service(
        web_error(HttpResponse::new(
            404,
            r#"{"__type":"ResourceNotFoundException","resourceId":"p-9","resourceType":"portal"}"#,
        ))
        .await,
    );
    assert!(
        matches!(&e, WebError::ResourceNotFoundException(x) if x.resource_id.as_deref() == Some("p-9"))
    );

    let e = service(
        web_error(HttpResponse::new(
            402,
            r#"{"__type":"ServiceQuotaExceededException","resourceId":"r","resourceType":"t","serviceCode":"s","quotaCode":"q"}"#,
        ))
        .await,
    );
    assert!(
        matches!(&e, WebError::ServiceQuotaExceededException(x) if x.quota_code.as_deref() == Some("q"))
    );

    let e = service(
        web_error(HttpResponse::new(
            400,
            r#"{"__type":"ValidationException","message":"bad","reason":"fieldValidationFailed","fieldList":[{"name":"portalArn","message":"invalid"}]}"#,
        ))
        .await,
    );
    let WebError::ValidationException(v) = &e else {
        panic!("{e:?}")
    };
    let fields = v.field_list.as_ref().expect("fieldList");
    assert_eq!(
        (fields[0].name.as_str(), fields[0].message.as_str()),
        ("portalArn", "invalid")
    );
    assert_eq!(
        v.reason.as_ref().map(|r| r.as_str()),
        Some("fieldValidationFailed")
    );
}

#[tokio::test]
async fn an_unknown_error_code_is_unhandled_with_code_message_status_and_request_id() {
    let err = web_error(
        HttpResponse::new(
            418,
            r#"{"__type":"TeapotException","Message":"short and stout"}"#,
        )
        .with_header("x-amzn-requestid", "req-123"),
    )
    .await;
    let SdkError::Service(se) = err else {
        panic!("service error expected")
    };
    assert_eq!(se.meta().request_id(), Some("req-123"));
    let WebError::Unhandled(u) = se.err() else {
        panic!("{:?}", se.err())
    };
    assert_eq!(u.meta().code(), Some("TeapotException"));
    assert_eq!(u.meta().message(), Some("short and stout"));
    assert_eq!(u.meta().status(), 418);
}

#[tokio::test]
async fn unreadable_responses_are_typed_errors() {
    let err = web_error(
        HttpResponse::new(502, "<html><body>Bad Gateway</body></html>")
            .with_header("content-type", "text/html"),
    )
    .await;
    assert!(matches!(err, SdkError::Response(_)), "{err:?}");
    let err = web_error(HttpResponse::new(200, "{not json")).await;
    assert!(matches!(err, SdkError::Response(_)), "{err:?}");
}

#[tokio::test]
async fn invalid_input_reports_every_violation_and_sends_nothing() {
    let replay = ReplayClient::new(vec![]);
    let client = workspacesweb::Client::new(&config(&replay, 1));
    let mut request = client
        .create_identity_provider()
        .portal_arn("arn:aws:this-is-not-a-portal-arn")
        .identity_provider_name(format!(
            "{SECRET_NAME}{}",
            "x".repeat(33 - SECRET_NAME.len())
        ))
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("k", "v");
    for i in 0..201 {
        request = request.tags(
            Tag::builder()
                .key(format!("k{i}"))
                .value("v")
                .build()
                .unwrap(),
        );
    }
    let debug = format!("{request:?}");
    let err = request.send().await.expect_err("invalid");
    assert!(replay.requests().is_empty(), "nothing was sent");
    let SdkError::Validation(v) = &err else {
        panic!("{err:?}")
    };
    let mut paths: Vec<&str> = v.violations().iter().map(|v| v.path()).collect();
    paths.sort();
    assert_eq!(paths, ["identityProviderName", "portalArn", "tags"]);
    for text in [err.to_string(), format!("{err:?}"), debug] {
        assert!(
            !text.contains(SECRET_NAME),
            "the sensitive name leaked: {text}"
        );
    }
}

#[tokio::test]
async fn constraint_checks_can_be_turned_off_and_the_service_judges() {
    let ok = r#"{"identityProvider":{"identityProviderArn":"arn:x"}}"#;
    let replay = ReplayClient::new(vec![HttpResponse::new(200, ok)]);
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .credentials(Credentials::new("AKIDEXAMPLE", "secret", None))
        .http_client(replay.clone())
        .validate_constraints(false)
        .build();
    assert!(!config.validates_constraints());
    let client = workspacesweb::Client::new(&config);
    let out = client
        .create_identity_provider()
        .portal_arn("not-an-arn")
        .identity_provider_name("n")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("k", "v")
        .send()
        .await;
    assert!(out.is_ok(), "{out:?}");
    let sent = replay.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(json(&sent[0].body)["identityProviderName"], "n");
    assert_eq!(json(&sent[0].body)["portalArn"], "not-an-arn");
    // Required members stay required.
    let err = client
        .create_identity_provider()
        .portal_arn("not-an-arn")
        .send()
        .await
        .expect_err("missing required members");
    assert!(matches!(err, SdkError::Validation(_)), "{err:?}");
    assert_eq!(replay.requests().len(), 1, "nothing more was sent");
    // The default checks them.
    assert!(config_default_validates());
}

fn config_default_validates() -> bool {
    Config::builder().build().validates_constraints()
}

#[tokio::test]
async fn missing_required_members_are_all_reported() {
    let replay = ReplayClient::new(vec![]);
    let client = workspacesweb::Client::new(&config(&replay, 1));
    let err = client
        .create_identity_provider()
        .send()
        .await
        .expect_err("missing");
    let SdkError::Validation(v) = &err else {
        panic!("{err:?}")
    };
    let mut paths: Vec<&str> = v.violations().iter().map(|v| v.path()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "identityProviderDetails",
            "identityProviderName",
            "identityProviderType",
            "portalArn"
        ]
    );
    assert!(replay.requests().is_empty());
}

#[tokio::test]
async fn create_identity_source_round_trip_keeps_unknown_enum_values() {
    let replay = ReplayClient::new(vec![HttpResponse::new(
        200,
        r#"{"IdentitySourceArn":"arn:aws:mpa:us-east-1:123456789012:identity-source/abc","IdentitySourceType":"SOMETHING_NEW","CreationTime":"2025-01-02T03:04:05.5Z"}"#,
    )]);
    let client = mpa::Client::new(&config(&replay, 1));
    let parameters = mpa::types::IdentitySourceParameters::builder()
        .iam_identity_center(
            mpa::types::IamIdentityCenter::builder()
                .instance_arn("arn:aws:sso:::instance/ssoins-1111111111111111")
                .region("us-east-1")
                .build()
                .unwrap(),
        )
        .build();
    let out = client
        .create_identity_source()
        .identity_source_parameters(parameters)
        .tags("env", "prod")
        .send()
        .await
        .expect("success");
    let kind = out.identity_source_type.expect("type");
    assert!(!kind.is_known());
    assert_eq!(kind.as_str(), "SOMETHING_NEW");
    let created = out.creation_time.expect("time");
    assert_eq!(created.secs(), 1_735_787_045);
    assert_eq!(created.subsec_nanos(), 500_000_000);

    let req = &replay.requests()[0];
    assert_eq!(req.uri, "http://127.0.0.1:9/identity-sources");
    let body = json(&req.body);
    assert!(is_uuid_v4(body["ClientToken"].as_str().unwrap()));
    assert_eq!(body["Tags"], serde_json::json!({"env": "prod"}));
    assert_eq!(
        body["IdentitySourceParameters"],
        serde_json::json!({"IamIdentityCenter": {
            "InstanceArn": "arn:aws:sso:::instance/ssoins-1111111111111111",
            "Region": "us-east-1"
        }})
    );
}

#[test]
fn debug_redacts_sensitive_members_and_shapes() {
    let input = workspacesweb::types::CreateIdentityProviderRequest::builder()
        .portal_arn(PORTAL)
        .identity_provider_name(SECRET_NAME)
        .identity_provider_type(IdentityProviderType::Oidc)
        .identity_provider_details("client_secret", "Zq-DETAIL-SECRET")
        .tags(
            Tag::builder()
                .key("Zq-TAG-KEY")
                .value("Zq-TAG-VALUE")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let debug = format!("{input:?}");
    for secret in [
        SECRET_NAME,
        "Zq-DETAIL-SECRET",
        "Zq-TAG-KEY",
        "Zq-TAG-VALUE",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(
        debug.contains(PORTAL),
        "non-sensitive members are shown: {debug}"
    );
    let tags = mpa::types::CreateIdentitySourceRequest::builder()
        .identity_source_parameters(mpa::types::IdentitySourceParameters::builder().build())
        .tags("Zq-MPA-KEY", "Zq-MPA-VALUE")
        .build()
        .unwrap();
    let debug = format!("{tags:?}");
    assert!(!debug.contains("Zq-MPA"), "{debug}");
}
