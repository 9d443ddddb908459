//! The request pipeline with the real signer and endpoint rules, over the replay transport.

use anvil_runtime::client::{Config, Handle, OperationMeta, ServiceMeta};
use anvil_runtime::credentials::Credentials;
use anvil_runtime::error::SdkError;
use anvil_runtime::http::HttpRequest;
use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;

static OP: OperationMeta = OperationMeta {
    name: "ListPortals",
    retryable_errors: &[],
    throttling_errors: &[],
    request_compression: &[],
    unsigned: false,
};

static LOCAL: ServiceMeta = ServiceMeta {
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

/// The endpoint rule set of the official WorkSpaces Web model.
fn workspaces_web() -> &'static ServiceMeta {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/aws-models/workspaces-web-2020-07-08.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let model: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rules = model["shapes"]
        .as_object()
        .unwrap()
        .values()
        .find(|s| s["type"] == "service")
        .map(|s| s["traits"]["smithy.rules#endpointRuleSet"].to_string())
        .unwrap();
    Box::leak(Box::new(ServiceMeta {
        endpoint_rules: Some(Box::leak(rules.into_boxed_str())),
        ..LOCAL
    }))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn every_attempt_is_signed_and_secrets_stay_out_of_headers() {
    let replay = ReplayClient::new(vec![
        HttpResponse::new(500, ""),
        HttpResponse::new(200, "{}"),
    ]);
    let config = Config::builder()
        .region("eu-central-1")
        .endpoint_url("https://localhost:8443")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("SESSIONTOKEN".to_owned()),
        ))
        .http_client(replay.clone())
        .build();
    let h = Handle::new(&config, &LOCAL);
    let resp = rt()
        .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/portals")))
        .unwrap();
    assert_eq!(resp.status, 200);
    let sent = replay.requests();
    assert_eq!(sent.len(), 2);
    for req in &sent {
        let auth = req.headers["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                && auth.contains("/eu-central-1/workspaces-web/aws4_request"),
            "{auth}"
        );
        assert!(req.headers.contains_key("x-amz-date"));
        assert_eq!(req.headers["x-amz-security-token"], "SESSIONTOKEN");
        assert_eq!(req.headers["host"], "localhost:8443");
        assert_eq!(req.uri, "https://localhost:8443/portals");
        for (_, v) in &req.headers {
            assert!(!v.to_str().unwrap_or("").contains("wJalrXUtnFEMI"));
        }
    }
    // The retry carries its own attempt number, so it was signed again, not replayed.
    assert_ne!(
        sent[0].headers["authorization"],
        sent[1].headers["authorization"]
    );
}

#[test]
fn endpoint_comes_from_the_models_rules() {
    let service = workspaces_web();
    for (region, fips, want) in [
        (
            "us-west-2",
            false,
            "https://workspaces-web.us-west-2.amazonaws.com/portals",
        ),
        (
            "us-east-1",
            true,
            "https://workspaces-web-fips.us-east-1.amazonaws.com/portals",
        ),
        (
            "cn-north-1",
            false,
            "https://workspaces-web.cn-north-1.amazonaws.com.cn/portals",
        ),
    ] {
        let replay = ReplayClient::new(vec![HttpResponse::new(200, "{}")]);
        let config = Config::builder()
            .region(region)
            .use_fips(fips)
            .http_client(replay.clone())
            .build();
        let h = Handle::new(&config, service);
        rt().block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/portals")))
            .unwrap();
        assert_eq!(replay.requests()[0].uri, want);
    }
}

#[test]
fn rules_without_a_region_are_a_config_error() {
    let replay = ReplayClient::new(vec![HttpResponse::new(200, "{}")]);
    let config = Config::builder().http_client(replay.clone()).build();
    let h = Handle::new(&config, workspaces_web());
    let err = rt()
        .block_on(h.send::<()>(&OP, HttpRequest::new(http::Method::GET, "/portals")))
        .unwrap_err();
    assert!(matches!(err, SdkError::Config(_)), "{err:?}");
    assert!(replay.requests().is_empty());
}
