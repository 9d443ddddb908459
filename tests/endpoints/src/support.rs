//! What the generated cases call: the case table types, the expected endpoint, the check of
//! a recorded request against it, and a tiny executor.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use anvil_runtime::SdkError;
use anvil_runtime::http::HttpRequest;

/// One endpoint test case.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// `<module> #<index>: <documentation>`.
    pub id: &'static str,
    /// The service's SDK id.
    pub service: &'static str,
    /// One function per operation input: each configures a client, calls the operation and
    /// checks what happened (`Err`: the case could not be run).
    pub inputs: &'static [fn() -> Result<Outcome, String>],
}

/// What a case expects.
#[derive(Clone, Copy, Debug)]
pub enum Expect {
    /// An endpoint.
    Endpoint(Endpoint),
    /// An endpoint error with exactly this message (the rules' own).
    Error(&'static str),
}

/// An expected endpoint.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// The URL: the request's scheme and host must equal its, its path must start with its.
    pub url: &'static str,
    /// Headers the request must carry, with these values.
    pub headers: &'static [(&'static str, &'static [&'static str])],
    /// The `authSchemes` property, in order.
    pub auth: &'static [Auth],
}

/// An expected auth scheme.
#[derive(Clone, Copy, Debug)]
pub struct Auth {
    /// `sigv4`, `sigv4a`, `sigv4-s3express`.
    pub name: &'static str,
    /// `signingName`.
    pub signing_name: Option<&'static str>,
    /// `signingRegion`.
    pub signing_region: Option<&'static str>,
    /// `signingRegionSet`.
    pub signing_region_set: &'static [&'static str],
}

/// How a call failed, as far as the checks care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The endpoint rules' error: its message.
    Endpoint(String),
    /// The client's protocol is not in the runtime yet.
    NoProtocol(String),
    /// The endpoint needs a signing scheme the runtime does not sign (SigV4a without the
    /// runtime's `sigv4a` feature, which this crate enables).
    UnsupportedAuth(String),
    /// Anything else.
    Other(String),
}

/// What became of a case (or one of its operation inputs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every check passed; the note, if any, says what was checked less than fully.
    Passed(Option<&'static str>),
    /// Not run through to the end, and why.
    Skipped(String),
    /// A check failed: what differed.
    Failed(String),
}

/// Reason of skips for services whose protocol the runtime does not speak yet.
pub const NO_PROTOCOL: &str = "protocol not in runtime yet";
/// Note on S3 Express endpoints.
pub const S3_EXPRESS: &str = "sigv4-s3express: CreateSession to the bucket endpoint, then the operation signed with the session (key, scope and x-amz-s3session-token checked)";
/// The replayed `CreateSession` answer for directory-bucket endpoints.
pub const S3_EXPRESS_SESSION: &str = "<CreateSessionResult><Credentials><SessionToken>EXPRESS-TOKEN</SessionToken><SecretAccessKey>EXPRESS-SECRET</SecretAccessKey><AccessKeyId>ASIAEXPRESS</AccessKeyId><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>";

/// Runs `future` to completion with a no-op waker: the recording transport and static
/// credentials never wait.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return Ok(v);
        }
    }
    Err("the call never completed".to_owned())
}

/// Classifies a call's error (`None`: it succeeded).
pub fn failure<E>(error: Option<SdkError<E>>) -> Option<Failure> {
    Some(match error? {
        SdkError::Config(c) => match c.endpoint_error() {
            Some(e) => Failure::Endpoint(e.message().to_owned()),
            None if c.to_string().contains("`sigv4a` cargo feature") => {
                Failure::UnsupportedAuth(c.to_string())
            }
            None => Failure::Other(c.to_string()),
        },
        SdkError::Construction(c) => {
            let text = c.to_string();
            if text.contains("is not supported by this generator yet")
                || text.contains("has no runtime protocol")
            {
                Failure::NoProtocol(text)
            } else {
                Failure::Other(text)
            }
        }
        SdkError::Validation(v) => Failure::Other(v.to_string()),
        SdkError::Timeout(t) => Failure::Other(t.to_string()),
        SdkError::Transport(t) => Failure::Other(t.to_string()),
        SdkError::Response(r) => Failure::Other(r.to_string()),
        _ => Failure::Other("a service error".to_owned()),
    })
}

/// Splits `scheme://host/path?query` into `scheme://host` and the path.
fn split_url(url: &str) -> (&str, &str) {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url
        .get(after..)
        .and_then(|rest| rest.find(['/', '?']))
        .map_or(url.len(), |i| after + i);
    let (origin, rest) = url.split_at(end);
    let path = rest.split('?').next().unwrap_or_default();
    (origin, path)
}

/// The credential scope of a SigV4 `authorization` header, without its date:
/// `<region>/<service>/aws4_request`.
fn credential_scope(request: &HttpRequest) -> Option<String> {
    let auth = request.headers.get("authorization")?.to_str().ok()?;
    let credential = auth.split("Credential=").nth(1)?.split(',').next()?;
    // `<key>/<date>/<region>/<service>/aws4_request`
    let mut parts = credential.splitn(3, '/');
    parts.next()?;
    parts.next()?;
    parts.next().map(str::to_owned)
}

/// Checks what a call did (the requests the transport recorded and how the call failed)
/// against what the case expects. `host_prefix` is the operation's `@endpoint` host prefix,
/// expanded: the request goes to the endpoint's host with it in front.
pub fn check(
    expect: &Expect,
    host_prefix: &str,
    requests: &[HttpRequest],
    failure: Option<Failure>,
) -> Outcome {
    if let Some(Failure::NoProtocol(_)) = failure {
        return Outcome::Skipped(NO_PROTOCOL.to_owned());
    }
    let endpoint = match expect {
        Expect::Error(message) => {
            return match (failure, requests.is_empty()) {
                (Some(Failure::Endpoint(got)), true) if got == *message => Outcome::Passed(None),
                (failure, sent) => Outcome::Failed(format!(
                    "expected the endpoint error {message:?}, got {failure:?}{}",
                    if sent {
                        ""
                    } else {
                        " (and a request was sent)"
                    }
                )),
            };
        }
        Expect::Endpoint(e) => e,
    };
    let mut problems = Vec::new();
    let express = endpoint
        .auth
        .first()
        .is_some_and(|a| a.name == "sigv4-s3express");
    let requests = if express {
        match check_create_session(endpoint, requests, &mut problems) {
            Some(rest) => rest,
            None => return Outcome::Failed(problems.join("; ")),
        }
    } else {
        requests
    };
    let Some(request) = requests.first() else {
        return Outcome::Failed(format!(
            "expected the endpoint {}, but no request was sent: {failure:?}",
            endpoint.url
        ));
    };
    let (want_origin, want_path) = split_url(endpoint.url);
    let want_origin = match want_origin.split_once("://") {
        Some((scheme, host)) => format!("{scheme}://{host_prefix}{host}"),
        None => want_origin.to_owned(),
    };
    let (origin, path) = split_url(&request.uri);
    if !origin.eq_ignore_ascii_case(&want_origin) {
        problems.push(format!("sent to {origin}, expected {want_origin}"));
    }
    let want_path = want_path.trim_end_matches('/');
    let path_ok = path.starts_with(want_path)
        && matches!(path.as_bytes().get(want_path.len()), None | Some(b'/'));
    if !path_ok {
        problems.push(format!(
            "path {path:?} does not start with the endpoint's {want_path:?}"
        ));
    }
    for (name, values) in endpoint.headers {
        let got: Vec<&str> = request
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().unwrap_or("<binary>"))
            .collect();
        if got != *values {
            problems.push(format!("header {name}: {got:?}, expected {values:?}"));
        }
    }
    let note = check_signature(endpoint, request, &mut problems);
    if problems.is_empty() {
        Outcome::Passed(note)
    } else {
        Outcome::Failed(problems.join("; "))
    }
}

/// Checks the request's signature against the scheme the runtime signs with: the rules'
/// first `sigv4`, `sigv4a` or `sigv4-s3express` (S3 Express is signed as SigV4). Returns
/// the note for what is checked less than fully.
fn check_signature(
    endpoint: &Endpoint,
    request: &HttpRequest,
    problems: &mut Vec<String>,
) -> Option<&'static str> {
    let signed = endpoint
        .auth
        .iter()
        .find(|a| matches!(a.name, "sigv4" | "sigv4a" | "sigv4-s3express"));
    let Some(scheme) = signed else {
        if !endpoint.auth.is_empty() {
            problems.push(format!(
                "the endpoint offers only {:?}, yet the request was sent",
                endpoint.auth.iter().map(|a| a.name).collect::<Vec<_>>()
            ));
        }
        return None;
    };
    if scheme.name == "sigv4a" {
        check_sigv4a(scheme, request, problems);
        return None;
    }
    check_sigv4_scope(scheme, request, problems);
    if scheme.name == "sigv4-s3express" {
        check_session_signed(request, problems);
        return Some(S3_EXPRESS);
    }
    None
}

/// For a directory-bucket endpoint: the first request is `CreateSession` (`GET ...?session`
/// at the endpoint, signed with the client's key for the scheme's scope); returns the rest.
fn check_create_session<'r>(
    endpoint: &Endpoint,
    requests: &'r [HttpRequest],
    problems: &mut Vec<String>,
) -> Option<&'r [HttpRequest]> {
    let Some((create, rest)) = requests.split_first() else {
        problems.push(format!(
            "expected CreateSession to {}, but no request was sent",
            endpoint.url
        ));
        return None;
    };
    if create.method.as_str() != "GET" || !create.uri.ends_with("?session") {
        problems.push(format!(
            "the first request is {} {}, not CreateSession",
            create.method, create.uri
        ));
        return None;
    }
    if let Some(scheme) = endpoint.auth.first() {
        check_sigv4_scope(scheme, create, problems);
    }
    if key_of(create).is_none_or(|k| k == SESSION_KEY) {
        problems.push("CreateSession is not signed with the client's key".to_owned());
    }
    Some(rest)
}

/// The session's access key id in [`S3_EXPRESS_SESSION`].
const SESSION_KEY: &str = "ASIAEXPRESS";

/// The access key id of a SigV4 `authorization` header.
fn key_of(request: &HttpRequest) -> Option<&str> {
    let auth = request.headers.get("authorization")?.to_str().ok()?;
    auth.split("Credential=").nth(1)?.split('/').next()
}

/// An operation request to a directory bucket: signed with the session's key, its token in
/// `x-amz-s3session-token` and none in `x-amz-security-token`.
fn check_session_signed(request: &HttpRequest, problems: &mut Vec<String>) {
    if key_of(request) != Some(SESSION_KEY) {
        problems.push(format!(
            "signed with {:?}, not the S3 Express session's key",
            key_of(request)
        ));
    }
    let token = request
        .headers
        .get("x-amz-s3session-token")
        .and_then(|v| v.to_str().ok());
    if token != Some("EXPRESS-TOKEN") {
        problems.push(format!("x-amz-s3session-token is {token:?}"));
    }
    if request.headers.contains_key("x-amz-security-token") {
        problems.push("x-amz-security-token is sent to S3 Express".to_owned());
    }
}

/// A SigV4 credential scope: `<region>/<service>/aws4_request`.
fn check_sigv4_scope(scheme: &Auth, request: &HttpRequest, problems: &mut Vec<String>) {
    match (
        credential_scope(request),
        scheme.signing_region,
        scheme.signing_name,
    ) {
        (Some(scope), Some(region), Some(name)) => {
            let want = format!("{region}/{name}/aws4_request");
            if scope != want {
                problems.push(format!("credential scope {scope:?}, expected {want:?}"));
            }
        }
        (None, ..) => problems.push("the request is not signed with SigV4".to_owned()),
        (Some(scope), region, name) => {
            if let Some(name) = name
                && !scope.ends_with(&format!("/{name}/aws4_request"))
            {
                problems.push(format!(
                    "credential scope {scope:?}, expected service {name}"
                ));
            }
            if let Some(region) = region
                && !scope.starts_with(&format!("{region}/"))
            {
                problems.push(format!(
                    "credential scope {scope:?}, expected region {region}"
                ));
            }
        }
    }
}

/// A SigV4a signature: its algorithm, its scope `<service>/aws4_request` (no region) and
/// the `x-amz-region-set` header, the `signingRegionSet` comma-joined (`*` by default).
fn check_sigv4a(scheme: &Auth, request: &HttpRequest, problems: &mut Vec<String>) {
    let auth = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !auth.starts_with("AWS4-ECDSA-P256-SHA256 Credential=") {
        problems.push(format!("not signed with SigV4a: authorization {auth:?}"));
        return;
    }
    // `<key>/<date>/<service>/aws4_request`
    let scope = credential_scope(request).unwrap_or_default();
    if let Some(name) = scheme.signing_name
        && scope != format!("{name}/aws4_request")
    {
        problems.push(format!("SigV4a scope {scope:?}, expected service {name}"));
    }
    let want_set = if scheme.signing_region_set.is_empty() {
        "*".to_owned()
    } else {
        scheme.signing_region_set.join(",")
    };
    let got_set = request
        .headers
        .get("x-amz-region-set")
        .and_then(|v| v.to_str().ok());
    if got_set != Some(want_set.as_str()) {
        problems.push(format!(
            "x-amz-region-set {got_set:?}, expected {want_set:?}"
        ));
    }
}

/// Runs every case and prints `endpoint tests with operationInputs: N passed`, then the
/// skipped and failed counts with their reasons. Returns whether none failed.
///
/// The first argument that is not a flag filters cases by id.
pub fn run(suites: &[&[Case]]) -> bool {
    use std::collections::BTreeMap;
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let cases: Vec<&Case> = suites
        .iter()
        .flat_map(|s| s.iter())
        .filter(|c| filter.as_deref().is_none_or(|f| c.id.contains(f)))
        .collect();
    let mut passed = 0usize;
    let mut per_service: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut skipped: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut notes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failed = Vec::new();
    for case in &cases {
        let mut outcome = Outcome::Passed(None);
        for input in case.inputs {
            let got = input().unwrap_or_else(Outcome::Failed);
            outcome = match (outcome, got) {
                (Outcome::Failed(f), _) | (_, Outcome::Failed(f)) => Outcome::Failed(f),
                (Outcome::Skipped(s), _) | (_, Outcome::Skipped(s)) => Outcome::Skipped(s),
                (Outcome::Passed(a), Outcome::Passed(b)) => Outcome::Passed(a.or(b)),
            };
        }
        let counts = per_service.entry(case.service).or_default();
        match outcome {
            Outcome::Passed(note) => {
                passed += 1;
                counts[0] += 1;
                if let Some(n) = note {
                    *notes.entry(n).or_default() += 1;
                }
            }
            Outcome::Skipped(reason) => {
                counts[1] += 1;
                skipped.entry(reason).or_default().push(case.id);
            }
            Outcome::Failed(why) => {
                counts[2] += 1;
                failed.push((case.id, why));
            }
        }
    }
    for (id, why) in &failed {
        println!("FAILED {id}:\n  {why}");
    }
    let skipped_total: usize = skipped.values().map(Vec::len).sum();
    println!("endpoint tests with operationInputs: {passed} passed");
    println!(
        "{skipped_total} skipped, {} failed, {} cases",
        failed.len(),
        cases.len()
    );
    for (service, [p, s, f]) in &per_service {
        println!("  {service}: {p} passed, {s} skipped, {f} failed");
    }
    for (reason, ids) in &skipped {
        println!("  skipped ({reason}): {}", ids.len());
        if std::env::var_os("ENDPOINT_TESTS_VERBOSE").is_some() {
            for id in ids {
                println!("    {id}");
            }
        }
    }
    for (note, n) in &notes {
        println!("  passed with a note ({note}): {n}");
    }
    failed.is_empty()
}
