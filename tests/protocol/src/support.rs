//! What the generated cases call: the case table type, request checks and a tiny executor;
//! [`events`] for the event-stream cases.

pub mod events;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::process::ExitCode;
use std::task::{Context, Poll, Waker};

use anvil_runtime::http::HttpRequest;
use serde_json::Value;

/// One protocol test case.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// `request:<id>` or `response:<id>`.
    pub id: &'static str,
    /// Runs the case: `Err` says what differed.
    pub run: fn() -> Result<(), String>,
}

/// What an `httpRequestTests` case expects of the request the client sent.
#[derive(Clone, Copy, Debug)]
pub struct ExpectedRequest {
    /// The HTTP method.
    pub method: &'static str,
    /// The path, without query.
    pub uri: &'static str,
    /// The host the request went to, when the case says.
    pub resolved_host: Option<&'static str>,
    /// `key=value` pairs (percent-encoded) that must be in the query.
    pub query: &'static [&'static str],
    /// Query keys that must be absent.
    pub forbid_query: &'static [&'static str],
    /// Query keys that must be present.
    pub require_query: &'static [&'static str],
    /// Headers that must have exactly these values.
    pub headers: &'static [(&'static str, &'static str)],
    /// Headers that must be absent.
    pub forbid_headers: &'static [&'static str],
    /// Headers that must be present.
    pub require_headers: &'static [&'static str],
    /// The body, when the case gives one.
    pub body: Option<&'static str>,
    /// The body's media type: JSON bodies are compared as JSON.
    pub media_type: Option<&'static str>,
}

/// `<case id> # reason` lines (blank lines and `#` comments skipped), by case id.
fn expected_failures(text: &str) -> BTreeMap<&str, &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('#') {
            Some((id, reason)) => (id.trim(), reason.trim()),
            None => (l, ""),
        })
        .collect()
}

fn run(case: &Case) -> Result<(), String> {
    match std::panic::catch_unwind(case.run) {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panicked: {}",
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        )),
    }
}

/// The label prefix of the `eventStreamTests` cases.
const EVENT_STREAM: &str = "eventStream:";

/// Runs one protocol's cases against its expected-failures list (`expected`: the text of
/// `expected-failures/<protocol>.txt`) and prints `<protocol> protocol tests: N passed, M
/// expected failures`, then, when there are event-stream cases (`eventStream:<id>`), the
/// same for them on stderr (`<protocol> event streams: ..`). Fails on a case that fails but
/// is not listed, and on a listed case that passes or no longer exists.
///
/// The first argument that is not a flag filters cases by id; `PROTOCOL_TESTS_VERBOSE=1`
/// also prints why each expected failure fails.
pub fn run_suite(protocol: &str, suites: &[&[Case]], expected: &str) -> ExitCode {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let verbose = std::env::var_os("PROTOCOL_TESTS_VERBOSE").is_some();
    let expected = expected_failures(expected);
    let cases: Vec<&Case> = suites
        .iter()
        .flat_map(|c| c.iter())
        .filter(|c| filter.as_deref().is_none_or(|f| c.id.contains(f)))
        .collect();
    let (events, http): (Vec<&Case>, Vec<&Case>) =
        cases.iter().partition(|c| c.id.starts_with(EVENT_STREAM));
    std::panic::set_hook(Box::new(|_| {}));
    let tally = run_cases(&http, &expected, verbose);
    println!(
        "{protocol} protocol tests: {} passed, {} expected failures",
        tally.passed, tally.known
    );
    let mut bad = tally.bad;
    if !events.is_empty() {
        let tally = run_cases(&events, &expected, verbose);
        eprintln!(
            "{protocol} event streams: {} passed, {} expected failures",
            tally.passed, tally.known
        );
        bad += tally.bad;
    }
    if filter.is_none() {
        for id in expected.keys() {
            if !cases.iter().any(|c| c.id == *id) {
                bad += 1;
                println!("STALE expected failure {id}: no such case");
            }
        }
    }
    if bad > 0 {
        println!("{bad} unexpected outcome(s)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Tallies of a run.
#[derive(Default)]
struct Tally {
    passed: usize,
    known: usize,
    bad: usize,
}

/// Runs `cases`, printing each unexpected outcome (and, when `verbose`, each expected
/// failure's cause).
fn run_cases(cases: &[&Case], expected: &BTreeMap<&str, &str>, verbose: bool) -> Tally {
    let mut tally = Tally::default();
    for case in cases {
        match (run(case), expected.get(case.id)) {
            (Ok(()), None) => tally.passed += 1,
            (Ok(()), Some(_)) => {
                tally.bad += 1;
                println!(
                    "UNEXPECTED PASS {}: remove it from the expected failures",
                    case.id
                );
            }
            (Err(e), Some(reason)) => {
                tally.known += 1;
                if verbose {
                    println!(
                        "expected failure {} ({reason}):\n  {}",
                        case.id,
                        e.replace('\n', "\n  ")
                    );
                }
            }
            (Err(e), None) => {
                tally.bad += 1;
                println!("FAILED {}:\n  {}", case.id, e.replace('\n', "\n  "));
            }
        }
    }
    tally
}

/// Runs a future that never waits on I/O (the recording transport answers at once) to
/// completion on the current thread.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return Ok(v);
        }
    }
    Err("the request never completed".to_owned())
}

/// `got == want`; when the values hold a NaN (never equal to itself), equal `Debug` text.
pub fn compare<T: PartialEq + Debug>(got: &T, want: &T, nan: bool) -> Result<(), String> {
    if got == want || (nan && format!("{got:?}") == format!("{want:?}")) {
        Ok(())
    } else {
        Err(format!("got  {got:?}\nwant {want:?}"))
    }
}

/// Splits `https://host/path?query` into host, path and query.
fn split_uri(uri: &str) -> (&str, &str, &str) {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let (host, path_query) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    (host, path, query)
}

/// Checks a sent request against what the case expects; the error lists every difference.
pub fn check_request(request: &HttpRequest, want: &ExpectedRequest) -> Result<(), String> {
    let mut problems = Vec::new();
    if request.method.as_str() != want.method {
        problems.push(format!("method {} (want {})", request.method, want.method));
    }
    let (host, path, query) = split_uri(&request.uri);
    let path = if path.is_empty() { "/" } else { path };
    if path != want.uri {
        problems.push(format!("path {path:?} (want {:?})", want.uri));
    }
    if let Some(h) = want.resolved_host
        && host != h
    {
        problems.push(format!("host {host:?} (want {h:?})"));
    }
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let key = |p: &str| p.split_once('=').map_or(p, |(k, _)| k).to_owned();
    let keys: Vec<String> = pairs.iter().map(|p| key(p)).collect();
    for q in want.query {
        match pairs.iter().position(|p| p == q) {
            Some(i) => {
                pairs.remove(i);
            }
            None => problems.push(format!("query lacks {q:?} (query is {query:?})")),
        }
    }
    for k in want.forbid_query {
        if keys.iter().any(|have| have == k) {
            problems.push(format!("query has forbidden {k:?}"));
        }
    }
    for k in want.require_query {
        if !keys.iter().any(|have| have == k) {
            problems.push(format!("query lacks required {k:?}"));
        }
    }
    for (name, value) in want.headers {
        let values: Vec<&str> = request
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().unwrap_or("<binary>"))
            .collect();
        let got = values.join(", ");
        if values.is_empty() {
            problems.push(format!("header {name} missing (want {value:?})"));
        } else if got != *value {
            problems.push(format!("header {name}: {got:?} (want {value:?})"));
        }
    }
    for name in want.forbid_headers {
        if request.headers.contains_key(*name) {
            problems.push(format!("header {name} is forbidden"));
        }
    }
    for name in want.require_headers {
        if !request.headers.contains_key(*name) {
            problems.push(format!("header {name} is required"));
        }
    }
    if let Some(body) = want.body {
        let kind = BodyKind::of(want.media_type);
        if let Err(e) = check_body(&request.body, body, kind) {
            problems.push(e);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// How a case's body is compared, by its media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyKind {
    /// Byte for byte.
    Exact,
    /// As JSON values.
    Json,
    /// As XML trees (attribute order and whitespace between elements do not matter).
    Xml,
    /// As a multiset of `key=value` pairs.
    Form,
}

impl BodyKind {
    fn of(media_type: Option<&str>) -> BodyKind {
        match media_type {
            Some(m) if m.contains("json") => BodyKind::Json,
            Some(m) if m.contains("xml") => BodyKind::Xml,
            Some(m) if m.contains("x-www-form-urlencoded") => BodyKind::Form,
            _ => BodyKind::Exact,
        }
    }
}

fn check_body(got: &[u8], want: &str, kind: BodyKind) -> Result<(), String> {
    let show = || String::from_utf8_lossy(got).into_owned();
    if kind == BodyKind::Exact || want.is_empty() {
        return if got == want.as_bytes() {
            Ok(())
        } else {
            Err(format!("body {:?} (want {want:?})", show()))
        };
    }
    match kind {
        BodyKind::Xml => xml_equivalent(got, want.as_bytes())
            .map_err(|e| format!("body {:?} (want {want:?}): {e}", show())),
        BodyKind::Form => {
            let pairs = |text: &str| {
                let mut v: Vec<String> = text
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect();
                v.sort();
                v
            };
            if pairs(&show()) == pairs(want.trim()) {
                Ok(())
            } else {
                Err(format!("body {:?} (want {want:?})", show()))
            }
        }
        _ => {
            let want_v: Value = serde_json::from_str(want)
                .map_err(|e| format!("the case's body is not JSON: {e}"))?;
            let got_v: Value = serde_json::from_slice(got)
                .map_err(|e| format!("body is not JSON ({e}): {:?}", show()))?;
            if json_eq(&got_v, &want_v) {
                Ok(())
            } else {
                Err(format!("body {got_v} (want {want_v})"))
            }
        }
    }
}

/// XML equality up to what carries no meaning: attribute order, white space between
/// elements, the order of a structure's members (siblings of different names), and the order
/// of map entries (runs of same-named siblings that each hold a text key element first and
/// whose keys differ). List items (other runs of same-named siblings) keep their order.
fn xml_equivalent(got: &[u8], want: &[u8]) -> Result<(), String> {
    use anvil_runtime::codec::xml;
    let (g, w) = match (xml::parse(got), xml::parse(want)) {
        (Ok(g), Ok(w)) => (g, w),
        _ => return xml::equivalent(got, want),
    };
    if canonical_xml(&g) == canonical_xml(&w) {
        Ok(())
    } else {
        xml::equivalent(got, want).and(Err(format!(
            "{} != {}",
            canonical_xml(&g),
            canonical_xml(&w)
        )))
    }
}

/// A rendering of `e` in which the orders that carry no meaning are sorted.
fn canonical_xml(e: &anvil_runtime::codec::xml::Element) -> String {
    use anvil_runtime::codec::xml::Node;
    let mut attrs: Vec<String> = e
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    attrs.sort();
    let children: Vec<&anvil_runtime::codec::xml::Element> = e.child_elements().collect();
    if children.is_empty() {
        let text: String = e
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect();
        return format!("<{} {}>{:?}</>", e.name, attrs.join(" "), text);
    }
    // Group by name (stable: a run keeps its order), then sort map-entry runs.
    let mut names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    let mut out = format!("<{} {}>", e.name, attrs.join(" "));
    for name in names {
        let run: Vec<&anvil_runtime::codec::xml::Element> = children
            .iter()
            .copied()
            .filter(|c| c.name == name)
            .collect();
        let mut rendered: Vec<String> = run.iter().map(|c| canonical_xml(c)).collect();
        let key = |c: &anvil_runtime::codec::xml::Element| {
            c.child_elements()
                .next()
                .filter(|k| k.child_elements().next().is_none())
                .map(|k| k.text().into_owned())
        };
        let keys: Option<Vec<String>> = run.iter().map(|c| key(c)).collect();
        let is_map = keys.is_some_and(|mut k| {
            let n = k.len();
            k.sort();
            k.dedup();
            n > 1 && k.len() == n
        });
        if is_map {
            rendered.sort();
        }
        out.push_str(&rendered.concat());
    }
    out.push_str("</>");
    out
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_uris() {
        assert_eq!(
            split_uri("https://example.com/a/b?x=1&y"),
            ("example.com", "/a/b", "x=1&y")
        );
        assert_eq!(split_uri("https://example.com?x"), ("example.com", "", "x"));
        assert_eq!(split_uri("https://example.com"), ("example.com", "", ""));
    }

    #[test]
    fn json_numbers_compare_by_value() {
        let a: Value = serde_json::from_str(r#"{"a":[1.0,{"b":2}]}"#).unwrap_or_default();
        let b: Value = serde_json::from_str(r#"{"a":[1,{"b":2.0}]}"#).unwrap_or_default();
        let c: Value = serde_json::from_str(r#"{"a":[1,{"b":3}]}"#).unwrap_or_default();
        assert!(json_eq(&a, &b));
        assert!(!json_eq(&a, &c));
    }

    #[test]
    fn request_checks_report_differences() {
        let mut req = HttpRequest::new(
            anvil_runtime::binding::Method::POST,
            "https://example.com/p?a=1&a=2&b",
        );
        req.headers
            .insert("x-a", anvil_runtime::binding::HeaderValue::from_static("v"));
        let mut want = ExpectedRequest {
            method: "POST",
            uri: "/p",
            resolved_host: Some("example.com"),
            query: &["a=1", "a=2", "b"],
            forbid_query: &["c"],
            require_query: &["b"],
            headers: &[("X-A", "v")],
            forbid_headers: &["x-b"],
            require_headers: &["x-a"],
            body: Some(""),
            media_type: None,
        };
        assert_eq!(check_request(&req, &want), Ok(()));
        want.query = &["a=1", "a=1"];
        assert!(check_request(&req, &want).is_err());
        want.query = &[];
        want.forbid_query = &["b"];
        assert!(check_request(&req, &want).is_err());
        want.forbid_query = &[];
        want.headers = &[("x-a", "w")];
        assert!(check_request(&req, &want).is_err());
    }
}
