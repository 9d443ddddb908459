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
    /// The endpoint needs a signing scheme the runtime lacks (SigV4a).
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
/// Reason of skips for endpoints that accept only SigV4a.
pub const SIGV4A: &str = "the endpoint accepts only SigV4a, which the runtime does not sign";
/// Note on S3 Express endpoints.
pub const S3_EXPRESS: &str = "sigv4-s3express: signed as plain SigV4 (S3 Express sessions are not implemented); the credential scope is checked";
/// Note on endpoints preferring SigV4a with a SigV4 alternative.
pub const SIGV4A_FALLBACK: &str =
    "sigv4a preferred by the rules: signed with their SigV4 alternative, whose scope is checked";

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
            None if c.to_string().contains("SigV4a is not implemented") => {
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
    let first = endpoint.auth.first();
    let sigv4a_only = first.is_some() && endpoint.auth.iter().all(|a| a.name == "sigv4a");
    if sigv4a_only && matches!(failure, Some(Failure::UnsupportedAuth(_))) {
        return Outcome::Skipped(SIGV4A.to_owned());
    }
    let Some(request) = requests.first() else {
        return Outcome::Failed(format!(
            "expected the endpoint {}, but no request was sent: {failure:?}",
            endpoint.url
        ));
    };
    let mut problems = Vec::new();
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
    // The scheme the runtime signs with: the first SigV4 one (SigV4a is not implemented;
    // S3 Express is signed as SigV4).
    let signed = endpoint
        .auth
        .iter()
        .find(|a| a.name == "sigv4" || a.name == "sigv4-s3express");
    let mut note = None;
    if let Some(scheme) = signed {
        if scheme.name == "sigv4-s3express" {
            note = Some(S3_EXPRESS);
        } else if first.is_some_and(|f| f.name == "sigv4a") {
            note = Some(SIGV4A_FALLBACK);
        }
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
    } else if !endpoint.auth.is_empty() {
        problems.push(format!(
            "the endpoint offers only {:?}, yet the request was sent",
            endpoint.auth.iter().map(|a| a.name).collect::<Vec<_>>()
        ));
    }
    if problems.is_empty() {
        Outcome::Passed(note)
    } else {
        Outcome::Failed(problems.join("; "))
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
