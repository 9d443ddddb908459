//! Waiters (`smithy.waiters#waitable`) of the official models, through the generated
//! `wait_until_*` methods: DynamoDB `TableExists`/`TableNotExists` (a path over the output,
//! an error type as success and as retry) against scripted responses, the acceptor states a
//! model's waiters do not use (a `failure` path, an `inputOutput` path) through
//! `waiter::wait` with the generated types, and DynamoDB and S3 waiters against moto, which
//! the tests start (see `support`).

mod support;

use std::time::{Duration, Instant};

use anvil_official_clients::dynamodb::error::DescribeTableError;
use anvil_official_clients::dynamodb::types::{DescribeTableInput, TableStatus};
use anvil_official_clients::dynamodb::{self, Client};
use anvil_official_clients::runtime::credentials::Credentials;
use anvil_official_clients::runtime::http::HttpResponse;
use anvil_official_clients::runtime::http::test::ReplayClient;
use anvil_official_clients::runtime::jmespath::{Comparator, Expr};
use anvil_official_clients::runtime::waiter::{
    self, Acceptor, Matcher, PathComparator, PathMatcher, State, WaitConfig, WaiterError,
};
use anvil_official_clients::runtime::{Config, SdkError};
use anvil_official_clients::s3;

const TABLE: &str = "anvil-waited";

/// Delays of a few milliseconds, so that the tests do not sleep the model's 20 s.
fn quick(max_wait: Duration) -> WaitConfig {
    WaitConfig::new(max_wait).delays(Duration::from_millis(2), Duration::from_millis(10))
}

fn replay_client(replay: &ReplayClient) -> Client {
    Client::new(
        &Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKIDWAIT", "wait-secret", None))
            .http_client(replay.clone())
            .max_attempts(1)
            .build(),
    )
}

fn table(status: &str) -> HttpResponse {
    HttpResponse::new(
        200,
        format!(r#"{{"Table":{{"TableName":"{TABLE}","TableStatus":"{status}"}}}}"#),
    )
}

fn not_found() -> HttpResponse {
    HttpResponse::new(
        400,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
    )
}

#[tokio::test(flavor = "current_thread")]
async fn table_exists_retries_on_not_found_and_creating_until_active() {
    let replay = ReplayClient::new(vec![not_found(), table("CREATING"), table("ACTIVE")]);
    let out = replay_client(&replay)
        .describe_table()
        .table_name(TABLE)
        .wait_until_table_exists(quick(Duration::from_secs(10)))
        .await
        .expect("the table exists")
        .expect("the last attempt succeeded");
    let status = out.table.and_then(|t| t.table_status);
    assert_eq!(status, Some(TableStatus::Active));
    assert_eq!(replay.requests().len(), 3);
    assert_eq!(replay.remaining(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn table_not_exists_succeeds_on_the_not_found_error() {
    let replay = ReplayClient::new(vec![table("DELETING"), not_found()]);
    let last = replay_client(&replay)
        .describe_table()
        .table_name(TABLE)
        .wait_until_table_not_exists(quick(Duration::from_secs(10)))
        .await
        .expect("the table is gone");
    let err = last.expect_err("the last attempt was the not-found error");
    assert!(
        matches!(
            err.as_service(),
            Some(DescribeTableError::ResourceNotFoundException(_))
        ),
        "{err:?}"
    );
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn an_error_no_acceptor_expects_ends_the_wait() {
    let replay = ReplayClient::new(vec![HttpResponse::new(
        400,
        r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad name"}"#,
    )]);
    let err = replay_client(&replay)
        .describe_table()
        .table_name(TABLE)
        .wait_until_table_exists(quick(Duration::from_secs(10)))
        .await
        .expect_err("a validation error ends the wait");
    let WaiterError::UnmatchedError(e) = &err else {
        panic!("an unmatched error, not {err:?}");
    };
    assert_eq!(e.meta().and_then(|m| m.code()), Some("ValidationException"));
    assert_eq!(replay.requests().len(), 1);
    assert!(err.to_string().contains("stopped on an error"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let replay = ReplayClient::new(vec![]);
    let err = replay_client(&replay)
        .describe_table()
        .wait_until_table_exists(quick(Duration::from_secs(10)))
        .await
        .expect_err("TableName is required");
    assert!(
        matches!(err, WaiterError::UnmatchedError(SdkError::Validation(_))),
        "{err:?}"
    );
    assert!(replay.requests().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn the_wait_ends_when_the_time_allowed_runs_out() {
    let replay = ReplayClient::new((0..1000).map(|_| table("CREATING")).collect());
    let start = Instant::now();
    let err = replay_client(&replay)
        .describe_table()
        .table_name(TABLE)
        .wait_until_table_exists(quick(Duration::from_millis(200)))
        .await
        .expect_err("never active");
    let elapsed = start.elapsed();
    let WaiterError::ExceededMaxWait {
        max_wait, attempts, ..
    } = err
    else {
        panic!("the time ran out, not {err:?}");
    };
    assert_eq!(max_wait, Duration::from_millis(200));
    assert_eq!(attempts as usize, replay.requests().len());
    // 2-10 ms apart over 200 ms: many attempts, and not much more than 200 ms.
    assert!(attempts >= 10, "{attempts}");
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// `Table.TableStatus`
static STATUS: Expr = Expr::Sub(&Expr::Field("Table"), &Expr::Field("TableStatus"));

/// A waiter no model has: `DELETING` is a failure, `ACTIVE` a success, and (with
/// `inputOutput`) the answer must name the table asked for.
static ACTIVE_OR_FAIL: waiter::Waiter = waiter::Waiter {
    name: "TableActiveOrFail",
    min_delay: 1,
    max_delay: 1,
    acceptors: &[
        Acceptor {
            state: State::Failure,
            matcher: Matcher::Output(PathMatcher {
                path: STATUS,
                expected: "DELETING",
                comparator: PathComparator::StringEquals,
            }),
        },
        Acceptor {
            state: State::Success,
            matcher: Matcher::InputOutput(PathMatcher {
                path: Expr::And(
                    &Expr::Compare(
                        Comparator::Eq,
                        &Expr::Sub(&Expr::Field("input"), &Expr::Field("TableName")),
                        &Expr::Sub(
                            &Expr::Field("output"),
                            &Expr::Sub(&Expr::Field("Table"), &Expr::Field("TableName")),
                        ),
                    ),
                    &Expr::Compare(
                        Comparator::Eq,
                        &Expr::Sub(&Expr::Field("output"), &STATUS),
                        &Expr::Literal(anvil_official_clients::runtime::jmespath::Literal::String(
                            "ACTIVE",
                        )),
                    ),
                ),
                expected: "true",
                comparator: PathComparator::BooleanEquals,
            }),
        },
    ],
};

async fn run_custom(responses: Vec<HttpResponse>, asked: &str) -> (ReplayClient, WaitResult) {
    let replay = ReplayClient::new(responses);
    let client = replay_client(&replay);
    let input = DescribeTableInput::builder()
        .table_name(asked)
        .build()
        .expect("a complete input");
    let result = waiter::wait(
        &ACTIVE_OR_FAIL,
        &input,
        quick(Duration::from_secs(5)),
        waiter::output_value,
        || client.describe_table().table_name(asked).send(),
    )
    .await;
    (replay, result)
}

type WaitResult = Result<
    waiter::FinalPoll<dynamodb::types::DescribeTableOutput, DescribeTableError>,
    WaiterError<dynamodb::types::DescribeTableOutput, DescribeTableError>,
>;

#[tokio::test(flavor = "current_thread")]
async fn a_failure_acceptor_ends_the_wait_with_the_last_output() {
    let (replay, result) = run_custom(vec![table("CREATING"), table("DELETING")], TABLE).await;
    let err = result.expect_err("DELETING is a failure");
    let WaiterError::FailureState(Ok(out)) = &err else {
        panic!("the failure state with the output, not {err:?}");
    };
    assert_eq!(
        out.table.as_ref().and_then(|t| t.table_status.clone()),
        Some(TableStatus::Deleting)
    );
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn an_input_output_path_compares_the_input_with_the_output() {
    // ACTIVE, but the answer names the asked table only on the second attempt.
    let other = HttpResponse::new(
        200,
        r#"{"Table":{"TableName":"someone-else","TableStatus":"ACTIVE"}}"#,
    );
    let (replay, result) = run_custom(vec![other, table("ACTIVE")], TABLE).await;
    result
        .expect("the asked table is active")
        .expect("an output");
    assert_eq!(replay.requests().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn dynamodb_and_s3_waiters_against_moto() {
    let Some(moto) = support::start_or_skip() else {
        return;
    };
    let config = moto.config(3, true);

    // DynamoDB: the table does not exist, then it does (moto creates tables ACTIVE).
    let ddb = Client::new(&config);
    ddb.describe_table()
        .table_name(TABLE)
        .wait_until_table_not_exists(quick(Duration::from_secs(10)))
        .await
        .expect("no table yet")
        .expect_err("the last attempt is the not-found error");
    let waiting = tokio::spawn({
        let ddb = ddb.clone();
        async move {
            ddb.describe_table()
                .table_name(TABLE)
                .wait_until_table_exists(quick(Duration::from_secs(30)))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    create_table(&ddb).await;
    let out = waiting
        .await
        .expect("the waiter task")
        .expect("the table exists")
        .expect("an output");
    assert_eq!(
        out.table.and_then(|t| t.table_status),
        Some(TableStatus::Active)
    );
    ddb.delete_table()
        .table_name(TABLE)
        .send()
        .await
        .expect("DeleteTable");
    ddb.describe_table()
        .table_name(TABLE)
        .wait_until_table_not_exists(quick(Duration::from_secs(10)))
        .await
        .expect("the table is gone")
        .expect_err("not found");

    // S3: HeadBucket answers 404 (`NotFound`, a retry) until the bucket is created.
    let s3 = s3::Client::new(&config);
    let bucket = "anvil-waited-bucket";
    let waiting = tokio::spawn({
        let s3 = s3.clone();
        async move {
            s3.head_bucket()
                .bucket(bucket)
                .wait_until_bucket_exists(quick(Duration::from_secs(30)))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("CreateBucket");
    waiting
        .await
        .expect("the waiter task")
        .expect("the bucket exists")
        .expect("HeadBucket succeeded");
    s3.head_object()
        .bucket(bucket)
        .key("missing")
        .wait_until_object_not_exists(quick(Duration::from_secs(10)))
        .await
        .expect("no such object")
        .expect_err("the last attempt is the 404");
    let err = s3
        .head_bucket()
        .bucket("anvil-never-created")
        .wait_until_bucket_exists(quick(Duration::from_millis(300)))
        .await
        .expect_err("never created");
    assert!(
        matches!(err, WaiterError::ExceededMaxWait { attempts, .. } if attempts > 1),
        "{err:?}"
    );
}

async fn create_table(ddb: &Client) {
    use anvil_official_clients::dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    ddb.create_table()
        .table_name(TABLE)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("an attribute"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .expect("a key element"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("CreateTable");
}
