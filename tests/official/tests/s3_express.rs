//! S3 Express One Zone session auth with the client generated from the official S3 model,
//! against a replaying transport (directory-bucket hosts need no DNS then): the first request
//! to a directory bucket is preceded by `CreateSession` (`GET /?session`, SigV4-signed with
//! the client's credentials for `s3express`); it and later requests are signed with the
//! session's credentials and carry `x-amz-s3session-token`, not `x-amz-security-token`; the
//! session is reused until it is about to expire; `DisableS3ExpressSessionAuth` turns it off.

#[path = "../../../runtime/tests/support/python.rs"]
mod python;

use anvil_official_clients::runtime::Config;
use anvil_official_clients::runtime::credentials::Credentials;
use anvil_official_clients::runtime::http::test::ReplayClient;
use anvil_official_clients::runtime::http::{HttpRequest, HttpResponse};
use anvil_official_clients::s3;

const BUCKET: &str = "photos--use1-az4--x-s3";
const HOST: &str = "photos--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com";

fn session(expiration: &str) -> HttpResponse {
    HttpResponse::new(
        200,
        format!(
            "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Credentials>\
             <SessionToken>session-token-1</SessionToken><SecretAccessKey>session-secret</SecretAccessKey>\
             <AccessKeyId>ASIASESSION</AccessKeyId><Expiration>{expiration}</Expiration>\
             </Credentials></CreateSessionResult>"
        ),
    )
}

fn object() -> HttpResponse {
    HttpResponse::new(200, "hello").with_header("content-length", "5")
}

fn s3_client(replay: &ReplayClient, disable: bool) -> s3::Client {
    let mut builder = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(
            "AKIDBASE",
            "base-secret",
            Some("base-token".to_owned()),
        ))
        .http_client(replay.clone());
    if disable {
        builder = builder.client_context_param("DisableS3ExpressSessionAuth", true);
    }
    s3::Client::new(&builder.build())
}

fn header<'r>(r: &'r HttpRequest, name: &str) -> Option<&'r str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

fn credential_of(r: &HttpRequest) -> String {
    let auth = header(r, "authorization").expect("signed");
    let start = auth.find("Credential=").expect("a credential") + "Credential=".len();
    auth[start..]
        .split(',')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn get(client: &s3::Client) {
    let out = client
        .get_object()
        .bucket(BUCKET)
        .key("a/b.jpg")
        .send()
        .await
        .expect("GetObject");
    let body = out.body.collect().await.expect("the body");
    assert_eq!(&body[..], b"hello");
}

#[tokio::test(flavor = "current_thread")]
async fn directory_buckets_are_signed_with_a_cached_session() {
    let replay = ReplayClient::new(vec![session("2099-01-01T00:00:00Z"), object(), object()]);
    let client = s3_client(&replay, false);
    get(&client).await;
    get(&client).await;
    let sent = replay.requests();
    assert_eq!(sent.len(), 3, "one CreateSession, then two GetObjects");

    let create = &sent[0];
    assert_eq!(create.method, http::Method::GET);
    assert_eq!(create.uri, format!("https://{HOST}/?session"));
    assert!(
        credential_of(create).starts_with("AKIDBASE/")
            && credential_of(create).ends_with("/us-east-1/s3express/aws4_request"),
        "{}",
        credential_of(create)
    );
    assert_eq!(header(create, "x-amz-security-token"), Some("base-token"));
    assert_eq!(
        header(create, "x-amz-create-session-mode"),
        Some("ReadWrite")
    );

    for get in &sent[1..] {
        assert_eq!(get.uri, format!("https://{HOST}/a/b.jpg?x-id=GetObject"));
        assert!(
            credential_of(get).starts_with("ASIASESSION/")
                && credential_of(get).ends_with("/us-east-1/s3express/aws4_request"),
            "{}",
            credential_of(get)
        );
        assert_eq!(
            header(get, "x-amz-s3session-token"),
            Some("session-token-1")
        );
        assert_eq!(header(get, "x-amz-security-token"), None);
        let signed = header(get, "authorization").unwrap();
        assert!(signed.contains("x-amz-s3session-token"), "{signed}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_expiring_session_is_renewed_and_session_auth_can_be_disabled() {
    // A session that expires within the renewal minute is replaced on the next request.
    let soon = anvil_official_clients::runtime::DateTime::from_system_time(
        std::time::SystemTime::now() + std::time::Duration::from_secs(30),
    )
    .to_string();
    let replay = ReplayClient::new(vec![
        session(&soon),
        object(),
        session("2099-01-01T00:00:00Z"),
        object(),
    ]);
    let client = s3_client(&replay, false);
    get(&client).await;
    get(&client).await;
    let sent = replay.requests();
    assert_eq!(sent.len(), 4);
    assert!(
        sent[2].uri.ends_with("/?session"),
        "renewed: {}",
        sent[2].uri
    );

    // A refused CreateSession is a configuration error naming S3's code.
    let denied = ReplayClient::new(vec![HttpResponse::new(
        403,
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
    )]);
    let err = client_err(&denied).await;
    assert!(
        err.contains("CreateSession") && err.contains("AccessDenied"),
        "{err}"
    );

    // With DisableS3ExpressSessionAuth the rules offer plain SigV4: no session.
    let replay = ReplayClient::new(vec![object()]);
    get(&s3_client(&replay, true)).await;
    let sent = replay.requests();
    assert_eq!(sent.len(), 1);
    assert!(credential_of(&sent[0]).starts_with("AKIDBASE/"));
    assert_eq!(header(&sent[0], "x-amz-s3session-token"), None);
    assert_eq!(header(&sent[0], "x-amz-security-token"), Some("base-token"));
}

async fn client_err(replay: &ReplayClient) -> String {
    s3_client(replay, false)
        .get_object()
        .bucket(BUCKET)
        .key("k")
        .send()
        .await
        .expect_err("refused")
        .to_string()
}

/// botocore's `S3ExpressAuth` given the same request (the headers we signed, our
/// `x-amz-date`) and the session's credentials: its `authorization` must equal ours.
const ORACLE: &str = r#"
import datetime, json, sys, types
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

case = json.load(sys.stdin)
now = datetime.datetime.strptime(case["amz_date"], "%Y%m%dT%H%M%SZ")

class Frozen(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return now
    @classmethod
    def now(cls, tz=None):
        return now if tz is None else now.replace(tzinfo=datetime.timezone.utc).astimezone(tz)

frozen = types.ModuleType("datetime")
frozen.__dict__.update(datetime.__dict__)
frozen.datetime = Frozen
botocore.auth.datetime = frozen
if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: now if remove_tzinfo else now.replace(tzinfo=datetime.timezone.utc)

request = AWSRequest(method=case["method"], url=case["url"], headers=case["headers"], data=b"")
creds = Credentials(case["access_key_id"], case["secret_access_key"], case["session_token"])
botocore.auth.S3ExpressAuth(creds, "s3express", case["region"], identity_cache=None).add_auth(request)
print(json.dumps({"authorization": request.headers["Authorization"]}))
"#;

#[tokio::test(flavor = "current_thread")]
async fn session_signatures_equal_botocores() {
    let why = "python3 with botocore (S3ExpressAuth) is not available";
    let probe = "import botocore.auth; botocore.auth.S3ExpressAuth";
    if !python::available("session_signatures_equal_botocores", probe, why, true) {
        return;
    }
    let replay = ReplayClient::new(vec![session("2099-01-01T00:00:00Z"), object()]);
    get(&s3_client(&replay, false)).await;
    let sent = replay.requests();
    let request = &sent[1];
    let ours = header(request, "authorization").expect("signed").to_owned();
    let signed = ours
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("signed headers");
    let headers: serde_json::Map<String, serde_json::Value> = signed
        .split(';')
        .filter(|name| *name != "x-amz-s3session-token")
        .map(|name| {
            let value = header(request, name).unwrap_or_default();
            (name.to_owned(), serde_json::Value::from(value))
        })
        .collect();
    let case = serde_json::json!({
        "method": request.method.as_str(),
        "url": request.uri,
        "headers": headers,
        "amz_date": header(request, "x-amz-date").expect("x-amz-date"),
        "access_key_id": "ASIASESSION",
        "secret_access_key": "session-secret",
        "session_token": "session-token-1",
        "region": "us-east-1",
    });
    let theirs = python::run_json(ORACLE, &[], &case.to_string());
    assert_eq!(
        theirs["authorization"], ours,
        "S3 Express session signature"
    );
}
