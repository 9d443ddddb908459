//! An independent oracle for SigV4 query-string presigning: botocore's `S3SigV4QueryAuth`
//! (for S3) and `SigV4QueryAuth` (for other services), with the clock frozen, presign the
//! same requests as [`anvil_runtime::presign::presign`]. The URLs must agree: the same scheme,
//! authority and path, the same query parameters (compared decoded, as multisets) and the
//! same signature.
//!
//! Needs `python3` with `botocore` (`python3 -m pip install botocore`). Without them the test
//! is skipped with a message, except under `CI=true`, where it fails.

#[path = "support/python.rs"]
mod python;

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anvil_runtime::credentials::Credentials;
use anvil_runtime::http::HttpRequest;
use anvil_runtime::presign::{PresigningConfig, presign};
use anvil_runtime::sigv4::{SigningParams, SigningSettings};
use http::{HeaderValue, Method};
use serde_json::{Value, json};

/// The Python half: reads a JSON list of cases on stdin and prints botocore's presigned URL
/// for each, with the clock frozen at each case's `time` (epoch seconds).
const ORACLE: &str = r#"
import datetime, json, sys, types
import botocore, botocore.auth, botocore.compat
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

S3 = {"s3", "s3-object-lambda", "s3-outposts"}
now = [None]


class Frozen(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return now[0]

    @classmethod
    def now(cls, tz=None):
        if tz is None:
            return now[0]
        return now[0].replace(tzinfo=datetime.timezone.utc).astimezone(tz)


# Older botocore reads `datetime.datetime.utcnow()` in botocore.auth; newer calls
# `get_current_datetime()` (botocore.compat), which reads `datetime.datetime.now(utc)`.
frozen = types.ModuleType("datetime")
frozen.__dict__.update(datetime.__dict__)
frozen.datetime = Frozen
for module in (botocore.auth, botocore.compat):
    if hasattr(module, "datetime"):
        module.datetime = frozen
if hasattr(botocore.auth, "get_current_datetime"):
    def get_current_datetime(remove_tzinfo=True):
        if remove_tzinfo:
            return now[0]
        return now[0].replace(tzinfo=datetime.timezone.utc)
    botocore.auth.get_current_datetime = get_current_datetime


def presign(case):
    now[0] = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
    credentials = Credentials(case["access_key_id"], case["secret_access_key"], case["session_token"])
    signer = botocore.auth.S3SigV4QueryAuth if case["service"] in S3 else botocore.auth.SigV4QueryAuth
    request = AWSRequest(method=case["method"], url=case["url"], headers=dict(case["headers"]))
    signer(credentials, case["service"], case["region"], expires=case["expires"]).add_auth(request)
    return request.url


cases = json.load(sys.stdin)
print(json.dumps({"version": botocore.__version__, "urls": [presign(c) for c in cases]}))
"#;

/// 2026-12-01T12:34:56Z.
const TIME: u64 = 1_796_128_496;

struct Case {
    name: &'static str,
    method: Method,
    url: &'static str,
    headers: &'static [(&'static str, &'static str)],
    service: &'static str,
    region: &'static str,
    expires: u64,
}

fn cases() -> Vec<Case> {
    let case = |name, method, url, service, region, expires| Case {
        name,
        method,
        url,
        headers: &[],
        service,
        region,
        expires,
    };
    vec![
        case(
            "S3 GetObject, virtual-hosted, key with spaces",
            Method::GET,
            "https://bucket.s3.us-east-1.amazonaws.com/key%20with%20space.txt",
            "s3",
            "us-east-1",
            3600,
        ),
        case(
            "S3 PutObject",
            Method::PUT,
            "https://bucket.s3.us-east-1.amazonaws.com/uploads/report.csv",
            "s3",
            "us-east-1",
            3600,
        ),
        Case {
            headers: &[
                ("content-type", "text/csv"),
                ("x-amz-meta-foo", "  a   b  "),
            ],
            ..case(
                "S3 PutObject with content-type and x-amz-meta-foo",
                Method::PUT,
                "https://bucket.s3.us-east-1.amazonaws.com/uploads/report.csv",
                "s3",
                "us-east-1",
                3600,
            )
        },
        case(
            "S3 path-style, 7 days",
            Method::GET,
            "https://s3.us-west-2.amazonaws.com/my-bucket/path/to/obj.json",
            "s3",
            "us-west-2",
            604_800,
        ),
        case(
            "S3 key with unicode and ~!*'()",
            Method::GET,
            "https://bucket.s3.us-east-1.amazonaws.com/d%C3%A9j%C3%A0%20vu/%E2%9C%93~%21%2A%27%28%29.txt",
            "s3",
            "us-east-1",
            3600,
        ),
        case(
            "S3 with a query already present",
            Method::GET,
            "https://bucket.s3.us-east-1.amazonaws.com/key.txt?versionId=abc&response-content-type=text/plain&response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22",
            "s3",
            "us-east-1",
            3600,
        ),
        case(
            "S3 CreateMultipartUpload (?uploads)",
            Method::POST,
            "https://bucket.s3.us-east-1.amazonaws.com/big.bin?uploads",
            "s3",
            "us-east-1",
            900,
        ),
        case(
            "S3-compatible endpoint, http with a port",
            Method::GET,
            "http://localhost:9000/bucket/dir/key.txt",
            "s3",
            "us-east-1",
            3600,
        ),
        case(
            "S3 in eu-central-1, 7 days",
            Method::DELETE,
            "https://bucket.s3.eu-central-1.amazonaws.com/a/b/c",
            "s3",
            "eu-central-1",
            604_800,
        ),
        case(
            "STS GetCallerIdentity",
            Method::GET,
            "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
            "sts",
            "us-east-1",
            60,
        ),
        case(
            "Lambda GetFunction (double-encoded path)",
            Method::GET,
            "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/my-function%3Aprod",
            "lambda",
            "us-east-1",
            3600,
        ),
        case(
            "API Gateway, dot segments normalised",
            Method::GET,
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod/a/../b/./c?q=1%202",
            "execute-api",
            "us-east-1",
            300,
        ),
    ]
}

fn credentials() -> Vec<Credentials> {
    vec![
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        ),
        Credentials::new(
            "ASIAEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("FQoGZXIvYXdzEJr//////////wEaDOEXAMPLE+token/with=chars".to_owned()),
        ),
    ]
}

/// Runs the oracle on `cases`; `None` (after saying why) when python3 or botocore is missing
/// and this is not CI.
fn oracle(cases: &Value) -> Option<Value> {
    let why =
        "python3 with the botocore package is not available (python3 -m pip install botocore)";
    let probe = "import botocore.auth, botocore.awsrequest";
    if !python::available("presign_botocore", probe, why, true) {
        return None;
    }
    Some(python::run_json(ORACLE, &[], &cases.to_string()))
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Form-style percent-decoding (`+` is a space), as services read a query.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8(out).expect("a UTF-8 query")
}

/// A URL's `scheme://authority/path` and its query as a sorted multiset of decoded pairs.
fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(n), decode(v))
        })
        .collect();
    pairs.sort();
    (base.to_owned(), pairs)
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn presigned_urls_equal_botocores() {
    let time = UNIX_EPOCH + Duration::from_secs(TIME);
    let mut inputs = Vec::new();
    let mut ours = Vec::new();
    for credentials in credentials() {
        for case in cases() {
            let mut request = HttpRequest::new(case.method.clone(), case.url);
            for (name, value) in case.headers {
                request
                    .headers
                    .append(*name, HeaderValue::from_static(value));
            }
            let params = SigningParams {
                credentials: &credentials,
                region: case.region,
                service: case.service,
                // Not used: the configuration's start time wins.
                time: SystemTime::now(),
            };
            let config = PresigningConfig::expires_in(Duration::from_secs(case.expires))
                .unwrap()
                .start_time(time);
            let presigned = presign(
                &request,
                &params,
                &SigningSettings::for_service(case.service),
                &config,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(presigned.method(), case.method.as_str());
            let sent: Vec<(&str, &str)> = presigned.headers().collect();
            assert_eq!(sent.len(), case.headers.len(), "{}", case.name);
            let token = if credentials.session_token().is_some() {
                " (session token)"
            } else {
                ""
            };
            ours.push((format!("{}{token}", case.name), presigned.uri().to_owned()));
            inputs.push(json!({
                "method": case.method.as_str(),
                "url": case.url,
                "headers": case.headers,
                "service": case.service,
                "region": case.region,
                "expires": case.expires,
                "time": TIME,
                "access_key_id": credentials.access_key_id(),
                "secret_access_key": credentials.secret_access_key(),
                "session_token": credentials.session_token(),
            }));
        }
    }
    let Some(answer) = oracle(&Value::Array(inputs)) else {
        return;
    };
    let urls = answer["urls"].as_array().expect("a list of URLs");
    assert_eq!(urls.len(), ours.len());

    let mut equal = 0;
    let mut identical = 0;
    let mut failures = Vec::new();
    for ((name, our_url), theirs) in ours.iter().zip(urls) {
        let their_url = theirs.as_str().expect("a URL");
        let (our_base, our_query) = split_url(our_url);
        let (their_base, their_query) = split_url(their_url);
        assert_eq!(
            param(&their_query, "X-Amz-Date"),
            Some("20261201T123456Z"),
            "{name}: botocore's clock is not frozen: {their_url}"
        );
        let our_signature = param(&our_query, "X-Amz-Signature");
        let their_signature = param(&their_query, "X-Amz-Signature");
        if our_base == their_base
            && our_query == their_query
            && our_signature.is_some()
            && our_signature == their_signature
        {
            equal += 1;
            if our_url == their_url {
                identical += 1;
            }
        } else {
            failures.push(format!(
                "{name}:\n  anvil:    {our_url}\n  botocore: {their_url}"
            ));
        }
    }
    let mut stderr = std::io::stderr();
    let _ = writeln!(
        stderr,
        "botocore {}: presigned URLs equal botocore's: {equal} of {} ({identical} byte for byte)",
        answer["version"].as_str().unwrap_or("?"),
        ours.len()
    );
    println!("presigned URLs equal botocore's: {equal} of {}", ours.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
