//! A service with several protocols (the `rpc` fixture: rpcv2Cbor, awsJson1_0, and
//! awsQueryCompatible): the default is rpcv2Cbor, `ConfigBuilder::protocol` switches to
//! awsJson1_0 at run time, and both carry the same generated types end to end (host prefix
//! from `@hostLabel`, typed output, typed error).

use anvil_runtime::codec::cbor::Encoder;
use anvil_runtime::credentials::Credentials;
use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;
use anvil_runtime::{Config, SdkError};
use anvil_tests::rpc::rpcservice;
use rpcservice::error::PutThingError;
use rpcservice::types::{Kind, Thing};

fn config(replay: &ReplayClient, protocol: Option<&str>) -> Config {
    let mut b = Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG",
            None,
        ))
        .http_client(replay.clone())
        .max_attempts(1);
    if let Some(p) = protocol {
        b = b.protocol(p);
    }
    b.build()
}

fn header<'a>(r: &'a anvil_runtime::http::HttpRequest, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<absent>")
}

#[tokio::test]
async fn the_default_is_rpcv2_cbor() {
    // {"Count": 3, "Kind": "large"}
    let mut e = Encoder::new();
    e.map(2);
    e.text("Count");
    e.int(3);
    e.text("Kind");
    e.text("large");
    let replay = ReplayClient::new(vec![
        HttpResponse::new(200, e.finish()).with_header("smithy-protocol", "rpc-v2-cbor"),
    ]);
    let client = rpcservice::Client::new(&config(&replay, None));
    let out = client
        .put_thing()
        .zone("zone-a")
        .thing(Thing::builder().name("n").build())
        .send()
        .await
        .unwrap();
    assert_eq!((out.count, out.kind), (3, Kind::Large));
    let sent = replay.requests();
    let r = &sent[0];
    assert_eq!(
        r.uri,
        "http://zone-a.127.0.0.1:9/service/RpcService/operation/PutThing"
    );
    assert_eq!(header(r, "smithy-protocol"), "rpc-v2-cbor");
    assert_eq!(header(r, "content-type"), "application/cbor");
    assert_eq!(header(r, "x-amzn-query-mode"), "true");
    assert_eq!(header(r, "host"), "zone-a.127.0.0.1:9");
}

#[tokio::test]
async fn the_config_switches_to_aws_json_1_0() {
    let replay = ReplayClient::new(vec![
        HttpResponse::new(200, "{}"),
        HttpResponse::new(
            409,
            r#"{"__type":"example.rpc#ThingConflict","message":"taken"}"#,
        )
        .with_header("x-amzn-query-error", "Thing.Conflict;Sender"),
    ]);
    let client = rpcservice::Client::new(&config(&replay, Some("aws.protocols#awsJson1_0")));
    client.ping().send().await.unwrap();
    let err = client
        .put_thing()
        .zone("zone-a")
        .thing(Thing::builder().build())
        .send()
        .await
        .unwrap_err();
    let SdkError::Service(se) = err else {
        panic!("not a service error: {err}");
    };
    // The shape comes from `__type`, the code users see from the query-compatible header.
    assert!(
        matches!(se.err(), PutThingError::ThingConflict(c) if c.message.as_deref() == Some("taken"))
    );
    assert_eq!(se.meta().code(), Some("Thing.Conflict"));
    let sent = replay.requests();
    assert_eq!(sent[0].uri, "http://127.0.0.1:9/");
    assert_eq!(header(&sent[0], "x-amz-target"), "RpcService.Ping");
    assert_eq!(
        header(&sent[0], "content-type"),
        "application/x-amz-json-1.0"
    );
    assert_eq!(&sent[0].body[..], b"{}");
    assert_eq!(header(&sent[1], "x-amz-target"), "RpcService.PutThing");
    assert_eq!(header(&sent[1], "smithy-protocol"), "<absent>");
}

#[tokio::test]
async fn an_unknown_protocol_choice_keeps_the_default() {
    let replay = ReplayClient::new(vec![HttpResponse::new(200, "")]);
    let client = rpcservice::Client::new(&config(&replay, Some("aws.protocols#restXml")));
    client.ping().send().await.unwrap();
    let sent = replay.requests();
    assert!(
        sent[0].uri.ends_with("/service/RpcService/operation/Ping"),
        "{}",
        sent[0].uri
    );
    // No input: no body and no content type.
    assert!(sent[0].body.is_empty());
    assert_eq!(header(&sent[0], "content-type"), "<absent>");
}
