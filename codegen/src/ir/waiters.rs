//! Waiters decided from the model: each operation's `smithy.waiters#waitable` trait, checked
//! against the Smithy specification (names, acceptors, delays, matchers) and with every
//! JMESPath path parsed here ([`super::jmespath`]), so the emitter only writes the static
//! descriptor the runtime's `waiter::wait` runs. A waiter that does not check is left out with
//! a located warning naming the problem; the operation and its other waiters are kept.

use std::collections::BTreeMap;

use super::jmespath::{self, Ast};
use crate::diagnostic::Diagnostic;
use crate::model::{Node, NodeValue, Shape};

const WAITABLE: &str = "smithy.waiters#waitable";

/// A waiter of an operation.
#[derive(Clone, Debug)]
pub struct WaiterIr {
    /// The name in the model (`TableExists`).
    pub name: String,
    /// The fluent builder's method (`wait_until_table_exists`).
    pub method: String,
    /// Markdown docs.
    pub docs: Option<String>,
    /// `minDelay`, seconds (default 2).
    pub min_delay: u64,
    /// `maxDelay`, seconds (default 120).
    pub max_delay: u64,
    /// `deprecated`.
    pub deprecated: bool,
    /// The acceptors, in model order.
    pub acceptors: Vec<AcceptorIr>,
}

impl WaiterIr {
    /// Whether an acceptor reads the operation's output (which then needs serializing).
    pub fn reads_output(&self) -> bool {
        self.acceptors
            .iter()
            .any(|a| matches!(a.matcher, MatcherIr::Output(_) | MatcherIr::InputOutput(_)))
    }
}

/// An acceptor.
#[derive(Clone, Debug)]
pub struct AcceptorIr {
    /// The state it moves to.
    pub state: AcceptorState,
    /// What it matches.
    pub matcher: MatcherIr,
}

/// `success`, `failure` or `retry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptorState {
    /// `success`
    Success,
    /// `failure`
    Failure,
    /// `retry`
    Retry,
}

/// A matcher.
#[derive(Clone, Debug)]
pub enum MatcherIr {
    /// `output`
    Output(PathMatcherIr),
    /// `inputOutput`
    InputOutput(PathMatcherIr),
    /// `success`
    Success(bool),
    /// `errorType`
    ErrorType(String),
}

/// A path matcher.
#[derive(Clone, Debug)]
pub struct PathMatcherIr {
    /// The path as written.
    pub text: String,
    /// The path, parsed (what the emitter writes as the runtime's static tree).
    pub(crate) path: Ast,
    /// `expected`.
    pub expected: String,
    /// `comparator`.
    pub comparator: PathComparator,
}

/// `comparator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathComparator {
    /// `stringEquals`
    StringEquals,
    /// `booleanEquals`
    BooleanEquals,
    /// `allStringEquals`
    AllStringEquals,
    /// `anyStringEquals`
    AnyStringEquals,
}

/// The waiters of `op` (with `has_output`: whether its output is not `Unit`), in name order.
/// Waiters that do not check are reported and left out.
pub(super) fn waiters(
    op: &Shape,
    has_output: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<WaiterIr> {
    let Some(entries) = op.traits.get(WAITABLE).and_then(Node::as_object) else {
        return Vec::new();
    };
    let mut out = BTreeMap::new();
    for (name, node) in entries {
        match waiter(name, node, has_output) {
            Ok(w) => {
                out.insert(name.clone(), w);
            }
            Err(why) => diagnostics.push(
                Diagnostic::warning(format!(
                    "waiter `{name}`: {why}; the waiter is not generated"
                ))
                .at(&node.span)
                .shape(&op.id)
                .help("see https://smithy.io/2.0/additional-specs/waiters.html"),
            ),
        }
    }
    out.into_values().collect()
}

fn waiter(name: &str, node: &Node, has_output: bool) -> Result<WaiterIr, String> {
    let mut chars = name.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_uppercase())
        || !chars.all(|c| c.is_ascii_alphanumeric())
    {
        return Err("a waiter name is UpperCamelCase letters and digits".into());
    }
    let delay = |key: &str, default: u64| match node.get(key) {
        None => Ok(default),
        Some(n) => n
            .as_number()
            .and_then(|n| n.as_i64())
            .and_then(|v| u64::try_from(v).ok())
            .filter(|v| *v >= 1)
            .ok_or_else(|| format!("`{key}` must be an integer of at least 1")),
    };
    let min_delay = delay("minDelay", 2)?;
    let max_delay = delay("maxDelay", 120)?;
    if min_delay > max_delay {
        return Err(format!(
            "`minDelay` ({min_delay}) is greater than `maxDelay` ({max_delay})"
        ));
    }
    let acceptors = node
        .get("acceptors")
        .and_then(Node::as_array)
        .ok_or("`acceptors` must be a list")?
        .iter()
        .enumerate()
        .map(|(i, a)| acceptor(a, has_output).map_err(|e| format!("acceptor {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if !acceptors.iter().any(|a| a.state == AcceptorState::Success) {
        return Err("no acceptor has the `success` state".into());
    }
    Ok(WaiterIr {
        name: name.to_string(),
        method: crate::naming::waiter_method(name),
        docs: node
            .get("documentation")
            .and_then(Node::as_str)
            .map(str::to_string),
        min_delay,
        max_delay,
        deprecated: node.get("deprecated").and_then(Node::as_bool) == Some(true),
        acceptors,
    })
}

fn acceptor(node: &Node, has_output: bool) -> Result<AcceptorIr, String> {
    let state = match node.get("state").and_then(Node::as_str) {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        Some("retry") => AcceptorState::Retry,
        Some(other) => return Err(format!("unknown state `{other}`")),
        None => return Err("`state` is missing".into()),
    };
    let entries = node
        .get("matcher")
        .and_then(Node::as_object)
        .ok_or("`matcher` must be an object")?;
    let [(kind, value)] = entries else {
        return Err("a matcher has exactly one member".into());
    };
    let matcher = match (kind.as_str(), &value.value) {
        ("success", NodeValue::Bool(b)) => MatcherIr::Success(*b),
        ("errorType", NodeValue::String(s)) => MatcherIr::ErrorType(s.clone()),
        ("output" | "inputOutput", _) if !has_output => {
            return Err(format!(
                "an `{kind}` matcher on an operation without output"
            ));
        }
        ("output", _) => MatcherIr::Output(path_matcher(value)?),
        ("inputOutput", _) => MatcherIr::InputOutput(path_matcher(value)?),
        (other, _) => return Err(format!("`{other}` is not a matcher of this type")),
    };
    Ok(AcceptorIr { state, matcher })
}

fn path_matcher(node: &Node) -> Result<PathMatcherIr, String> {
    let field = |key: &str| {
        node.get(key)
            .and_then(Node::as_str)
            .ok_or_else(|| format!("`{key}` must be a string"))
    };
    let text = field("path")?;
    let expected = field("expected")?;
    let comparator = match field("comparator")? {
        "stringEquals" => PathComparator::StringEquals,
        "booleanEquals" => PathComparator::BooleanEquals,
        "allStringEquals" => PathComparator::AllStringEquals,
        "anyStringEquals" => PathComparator::AnyStringEquals,
        other => return Err(format!("unknown comparator `{other}`")),
    };
    if comparator == PathComparator::BooleanEquals && !matches!(expected, "true" | "false") {
        return Err(format!(
            "`booleanEquals` expects `true` or `false`, not `{expected}`"
        ));
    }
    let path = jmespath::parse(text).map_err(|e| format!("path `{text}`: {e}"))?;
    Ok(PathMatcherIr {
        text: text.to_string(),
        path,
        expected: expected.to_string(),
        comparator,
    })
}
