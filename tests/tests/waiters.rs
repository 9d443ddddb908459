//! The waiters of the `waiters` fixture (`tests/models/waiters.json`) against scripted
//! answers: each acceptor kind, and paths with filters, projections, functions, literals and
//! multi-selects over every kind of member as the data model shows them (members by name, not
//! `jsonName`; timestamps as epoch seconds; blobs as base64; enums as strings; unions as
//! objects). The fixture's invalid waiter is a located build warning.

use std::time::Duration;

use anvil_runtime::credentials::Credentials;
use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;
use anvil_runtime::waiter::{WaitConfig, WaiterError};
use anvil_runtime::{Config, SdkError};
use anvil_tests::waiters::waitersservice as svc;

fn client(responses: Vec<HttpResponse>) -> (svc::Client, ReplayClient) {
    let replay = ReplayClient::new(responses);
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url("https://things.example.com")
        .credentials(Credentials::new("AKIDWAIT", "wait-secret", None))
        .http_client(replay.clone())
        .max_attempts(1)
        .build();
    (svc::Client::new(&config), replay)
}

fn quick() -> WaitConfig {
    WaitConfig::new(Duration::from_secs(10))
        .delays(Duration::from_millis(1), Duration::from_millis(4))
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse::new(200, body.to_owned()).with_header("content-type", "application/json")
}

fn no_such_thing() -> HttpResponse {
    HttpResponse::new(404, r#"{"message":"no such thing"}"#)
        .with_header("x-amzn-errortype", "NoSuchThing")
}

type Outcome = Result<
    anvil_runtime::waiter::FinalPoll<svc::types::GetThingOutput, svc::error::GetThingError>,
    WaiterError<svc::types::GetThingOutput, svc::error::GetThingError>,
>;

#[tokio::test(flavor = "current_thread")]
async fn thing_ready_retries_then_succeeds_when_all_parts_are_ready() {
    let (c, replay) = client(vec![
        no_such_thing(),
        ok(r#"{"status":"pending","parts":[{"state":"ready"},{"state":"building"}]}"#),
        ok(r#"{"status":"pending","parts":[]}"#),
        ok(r#"{"status":"done","parts":[{"state":"ready"},{"state":"ready"}]}"#),
    ]);
    let out = c
        .get_thing()
        .name("t1")
        .wait_until_thing_ready(quick())
        .await
        .expect("ready")
        .expect("an output");
    assert_eq!(out.status, Some(svc::types::Status::Done));
    // An empty `parts[].state` is not "all ready": allStringEquals needs a value.
    assert_eq!(replay.requests().len(), 4);
    assert!(replay.requests()[0].uri.ends_with("/things/t1"));
}

#[tokio::test(flavor = "current_thread")]
async fn thing_ready_fails_on_a_status_or_on_a_filtered_part() {
    let (c, _) = client(vec![ok(r#"{"status":"failed"}"#)]);
    let err = c
        .get_thing()
        .name("t1")
        .wait_until_thing_ready(quick())
        .await
        .expect_err("failed");
    assert!(
        matches!(&err, WaiterError::FailureState(Ok(o)) if o.status == Some(svc::types::Status::Failed)),
        "{err:?}"
    );

    let (c, replay) = client(vec![
        ok(r#"{"parts":[{"state":"ready"},{"state":"building"}]}"#),
        ok(r#"{"parts":[{"state":"ready"},{"state":"broken"}]}"#),
    ]);
    let err = c
        .get_thing()
        .name("t1")
        .wait_until_thing_ready(quick())
        .await
        .expect_err("a broken part");
    assert!(matches!(err, WaiterError::FailureState(Ok(_))), "{err:?}");
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn an_input_output_path_sees_the_input() {
    let (c, replay) = client(vec![
        ok(r#"{"name":"t1","tags":{"team":"x"}}"#),
        ok(r#"{"name":"other","tags":{"owner":"me"}}"#),
        ok(r#"{"name":"t1","tags":{"owner":"me"}}"#),
    ]);
    c.get_thing()
        .name("t1")
        .wait_until_thing_named(quick())
        .await
        .expect("named")
        .expect("an output");
    assert_eq!(replay.requests().len(), 3);
}

#[tokio::test(flavor = "current_thread")]
async fn sort_by_max_by_and_multi_select_paths() {
    // The biggest part (by `size`) is not ready yet, then it is.
    let (c, replay) = client(vec![
        ok(
            r#"{"parts":[{"size":9,"state":"building","created":1},{"size":2,"state":"ready","created":2}]}"#,
        ),
        ok(
            r#"{"parts":[{"size":9,"state":"ready","created":1},{"size":2,"state":"ready","created":2}]}"#,
        ),
    ]);
    let out: Outcome = c
        .get_thing()
        .name("t")
        .wait_until_biggest_part_done(quick())
        .await;
    out.expect("done").expect("an output");
    assert_eq!(replay.requests().len(), 2);

    // The newest part (by `created`, a timestamp) is broken: failure.
    let (c, _) = client(vec![ok(
        r#"{"parts":[{"size":9,"state":"building","created":1},{"size":2,"state":"broken","created":2}]}"#,
    )]);
    let err = c
        .get_thing()
        .name("t")
        .wait_until_biggest_part_done(quick())
        .await
        .expect_err("the newest part is broken");
    assert!(matches!(err, WaiterError::FailureState(Ok(_))), "{err:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn timestamps_blobs_json_names_and_unions_as_the_data_model_shows_them() {
    // `partName` on the wire is `name` to the path; `created` is compared as epoch seconds,
    // `data` as base64 (`AQI=` is [1, 2]). The first answer's part is too old, the second's
    // data differs, the third matches.
    let part = |created: u64, data: &str| {
        format!(
            r#"{{"parts":[{{"partName":"engine","created":{created},"data":"{data}"}},{{"partName":"a"}},{{"partName":"b"}},{{"partName":"c"}}]}}"#
        )
    };
    let (c, replay) = client(vec![
        ok(&part(1_600_000_000, "AQI=")),
        ok(&part(1_700_000_001, "AQM=")),
        ok(&part(1_700_000_001, "AQI=")),
    ]);
    c.get_thing()
        .name("t")
        .wait_until_any_part_new(quick())
        .await
        .expect("a new part")
        .expect("an output");
    assert_eq!(replay.requests().len(), 3);

    // The second acceptor: a union member `choice.flag`, or three parts.
    let (c, replay) = client(vec![
        ok(r#"{"choice":{"count":3}}"#),
        ok(r#"{"choice":{"flag":true}}"#),
    ]);
    c.get_thing()
        .name("t")
        .wait_until_any_part_new(quick())
        .await
        .expect("flagged")
        .expect("an output");
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
#[allow(deprecated)] // ThingGone is deprecated in the model.
async fn an_error_type_can_be_the_success() {
    let (c, replay) = client(vec![ok("{}"), no_such_thing()]);
    let last = c
        .get_thing()
        .name("t")
        .wait_until_thing_gone(quick())
        .await
        .expect("gone");
    let err = last.expect_err("the last attempt was the error");
    assert!(
        matches!(err, SdkError::Service(ref s) if matches!(s.err(), svc::error::GetThingError::NoSuchThing(_))),
        "{err:?}"
    );
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn an_operation_without_input_or_output_waits_on_success() {
    let (c, replay) = client(vec![
        HttpResponse::new(503, "{}"),
        HttpResponse::new(200, ""),
    ]);
    c.ping()
        .wait_until_service_up(quick())
        .await
        .expect("up")
        .expect("the last attempt succeeded");
    assert_eq!(replay.requests().len(), 2);
}

#[test]
fn a_waiter_that_does_not_check_is_a_located_warning() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/waiters.json");
    let text = std::fs::read_to_string(path).expect("the fixture");
    let generated = anvil_codegen::Config::new()
        .generate(&[anvil_codegen::ModelSource {
            name: "waiters.json",
            text: &text,
        }])
        .expect("generates");
    let warnings: Vec<String> = generated.warnings.iter().map(|w| w.to_string()).collect();
    let bad: Vec<&String> = warnings.iter().filter(|w| w.contains("badName")).collect();
    assert_eq!(bad.len(), 1, "{warnings:#?}");
    let line = text[..text.find("\"badName\"").expect("badName")]
        .matches('\n')
        .count()
        + 1;
    assert!(
        bad[0].contains(&format!("waiters.json:{line}:")),
        "{}",
        bad[0]
    );
    assert!(bad[0].contains("UpperCamelCase"), "{}", bad[0]);
    // Names are unique in the service, ignoring case: Ping's `ThingGONE` is left out.
    let dup: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("ThingGONE"))
        .collect();
    assert_eq!(dup.len(), 1, "{warnings:#?}");
    assert!(
        dup[0].contains("`ThingGone` of example.waiters#GetThing"),
        "{}",
        dup[0]
    );
    assert_eq!(
        warnings.iter().filter(|w| w.contains("waiter")).count(),
        2,
        "{warnings:#?}"
    );
}
