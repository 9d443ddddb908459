//! Waiters (`smithy.waiters#waitable`): polling an operation until its acceptors say the
//! resource reached a state. The generator describes each waiter as a static [`Waiter`]
//! (its acceptors, their JMESPath paths as [`crate::jmespath::Expr`] trees, the delays) and
//! gives each operation's fluent builder a `wait_until_<waiter>(config)` method that calls
//! [`wait`] with a closure sending the request; everything else is decided here, once.
//!
//! The workflow and the delays follow the Smithy specification
//! (<https://smithy.io/2.0/additional-specs/waiters.html>): the acceptors are checked in
//! order after each attempt; the first that matches decides (`success`, `failure`, `retry`);
//! when none matches, an error ends the wait as a failure and a success retries. Between
//! attempts the waiter sleeps `random(minDelay, min(maxDelay, minDelay * 2^(attempt-1)))`
//! seconds, and a last attempt is made when less than `minDelay` would remain.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use crate::codec::SerializeStruct;
use crate::error::SdkError;
use crate::jmespath::{Expr, Value, to_value};

/// A waiter of an operation, as the generator describes it.
#[derive(Clone, Copy, Debug)]
pub struct Waiter {
    /// The waiter's name in the model (`TableExists`).
    pub name: &'static str,
    /// The least delay between attempts, in seconds (at least 1).
    pub min_delay: u64,
    /// The greatest delay between attempts, in seconds (at least `min_delay`).
    pub max_delay: u64,
    /// The acceptors, in the model's order.
    pub acceptors: &'static [Acceptor],
}

/// One acceptor: the state it moves the waiter to when its matcher matches.
#[derive(Clone, Copy, Debug)]
pub struct Acceptor {
    /// The state.
    pub state: State,
    /// The matcher.
    pub matcher: Matcher,
}

/// A waiter state an acceptor moves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The wait is over: the resource is in the desired state.
    Success,
    /// The wait is over: the resource will not reach the desired state.
    Failure,
    /// Try again after a delay.
    Retry,
}

/// How an acceptor decides whether it matches an attempt.
#[derive(Clone, Copy, Debug)]
pub enum Matcher {
    /// A path over the output of a successful attempt.
    Output(PathMatcher),
    /// A path over `{"input": .., "output": ..}` of a successful attempt.
    InputOutput(PathMatcher),
    /// `true`: the attempt succeeded; `false`: it failed with any error.
    Success(bool),
    /// The attempt failed with a service error of this code (the shape name of the error).
    ErrorType(&'static str),
}

/// A JMESPath expression and what its result is compared with.
#[derive(Clone, Copy, Debug)]
pub struct PathMatcher {
    /// The expression.
    pub path: Expr,
    /// The expected value, as the model writes it (`"true"`/`"false"` for booleans).
    pub expected: &'static str,
    /// The comparison.
    pub comparator: PathComparator,
}

/// How a path's result is compared with the expected value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathComparator {
    /// The result is a string equal to the expected one.
    StringEquals,
    /// The result is a boolean equal to the expected one.
    BooleanEquals,
    /// The result is a non-empty array of strings, all equal to the expected one.
    AllStringEquals,
    /// The result is an array with a string equal to the expected one.
    AnyStringEquals,
}

impl PathMatcher {
    /// Whether `value` (the document the path runs over) matches. An expression that fails
    /// to evaluate (a function given the wrong type) does not match.
    pub fn matches(&self, value: &Value) -> bool {
        let Ok(result) = self.path.evaluate(value) else {
            return false;
        };
        let expected = self.expected;
        match (self.comparator, &result) {
            (PathComparator::StringEquals, Value::String(s)) => s == expected,
            (PathComparator::BooleanEquals, Value::Bool(b)) => {
                expected.parse::<bool>().is_ok_and(|e| e == *b)
            }
            (PathComparator::AllStringEquals, Value::Array(items)) => {
                !items.is_empty()
                    && items
                        .iter()
                        .all(|v| matches!(v, Value::String(s) if s == expected))
            }
            (PathComparator::AnyStringEquals, Value::Array(items)) => items
                .iter()
                .any(|v| matches!(v, Value::String(s) if s == expected)),
            _ => false,
        }
    }
}

/// How long a wait may take, and optionally other delays than the model's.
///
/// A `Duration` converts into one (`max_wait` only): `wait_until_x(Duration::from_secs(300))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitConfig {
    max_wait: Duration,
    delays: Option<(Duration, Duration)>,
}

impl WaitConfig {
    /// Waits at most `max_wait`, with the model's delays.
    pub fn new(max_wait: Duration) -> Self {
        WaitConfig {
            max_wait,
            delays: None,
        }
    }

    /// Delays between attempts of at least `min` and at most `max` (instead of the model's
    /// `minDelay` and `maxDelay`); `max` is raised to `min` when it is smaller, and `min` to
    /// 1 ms.
    pub fn delays(mut self, min: Duration, max: Duration) -> Self {
        let min = min.max(Duration::from_millis(1));
        self.delays = Some((min, max.max(min)));
        self
    }

    /// The time allowed.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// The least and greatest delay for `waiter`: these settings', else the model's.
    fn delay_bounds(&self, waiter: &Waiter) -> (f64, f64) {
        match self.delays {
            Some((min, max)) => (min.as_secs_f64(), max.as_secs_f64()),
            None => {
                let min = waiter.min_delay.max(1) as f64;
                (min, (waiter.max_delay as f64).max(min))
            }
        }
    }
}

impl From<Duration> for WaitConfig {
    fn from(max_wait: Duration) -> Self {
        WaitConfig::new(max_wait)
    }
}

/// What the last attempt of a finished wait returned.
pub type FinalPoll<O, E> = Result<O, SdkError<E>>;

/// Why a wait did not end in the `success` state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaiterError<O, E> {
    /// An acceptor moved the waiter to `failure`; the last attempt's result.
    FailureState(FinalPoll<O, E>),
    /// An attempt failed with an error no acceptor matched (a throttling or transport error
    /// that outlasted the operation's own retries, a validation error, ...).
    UnmatchedError(SdkError<E>),
    /// The time allowed ran out before an acceptor decided.
    ExceededMaxWait {
        /// The time allowed.
        max_wait: Duration,
        /// The time spent.
        elapsed: Duration,
        /// The attempts made.
        attempts: u32,
    },
}

impl<O, E: fmt::Display> fmt::Display for WaiterError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaiterError::FailureState(Ok(_)) => f.write_str("the waiter reached its failure state"),
            WaiterError::FailureState(Err(e)) => {
                write!(f, "the waiter reached its failure state: {e}")
            }
            WaiterError::UnmatchedError(e) => write!(f, "the waiter stopped on an error: {e}"),
            WaiterError::ExceededMaxWait {
                max_wait, attempts, ..
            } => write!(
                f,
                "the waiter gave up after {attempts} attempts: the {max_wait:?} allowed ran out"
            ),
        }
    }
}

impl<O: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaiterError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiterError::FailureState(Err(e)) | WaiterError::UnmatchedError(e) => Some(e),
            _ => None,
        }
    }
}

/// Runs `waiter`: calls `attempt` until an acceptor says `success` (the last attempt's
/// result) or `failure`, an unmatched error ends it, or the time `config` allows runs out.
/// `input` is the operation's input, for `inputOutput` paths; `view` shows an output to the
/// paths ([`output_value`], or [`no_output_value`] for a waiter whose paths do not read it,
/// so that its output needs no serializer).
pub async fn wait<O, E, F, Fut>(
    waiter: &'static Waiter,
    input: &(dyn SerializeStruct + Sync),
    config: impl Into<WaitConfig>,
    view: fn(&O) -> Value,
    mut attempt: F,
) -> Result<FinalPoll<O, E>, WaiterError<O, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, SdkError<E>>>,
{
    let config = config.into();
    let max_wait = config.max_wait;
    let bounds = config.delay_bounds(waiter);
    let start = Instant::now();
    let mut attempts = 0u32;
    // The input does not change between attempts: shown to the paths once, when one needs it.
    let mut input_doc = None;
    loop {
        attempts += 1;
        let result = attempt().await;
        let input_value = || input_doc.get_or_insert_with(|| to_value(input)).clone();
        match (decide(waiter, input_value, view, &result), result) {
            (Some(State::Success), result) => return Ok(result),
            (Some(State::Failure), result) => return Err(WaiterError::FailureState(result)),
            (None, Err(e)) => return Err(WaiterError::UnmatchedError(e)),
            (Some(State::Retry), _) | (None, Ok(_)) => {}
        }
        let elapsed = start.elapsed();
        let Some(delay) = delay(bounds, attempts, max_wait.saturating_sub(elapsed)) else {
            return Err(WaiterError::ExceededMaxWait {
                max_wait,
                elapsed,
                attempts,
            });
        };
        tokio::time::sleep(delay).await;
    }
}

/// An output as the paths see it.
pub fn output_value<O: SerializeStruct>(output: &O) -> Value {
    to_value(output)
}

/// For a waiter whose acceptors read no output: `null`.
pub fn no_output_value<O>(_: &O) -> Value {
    Value::Null
}

/// The state the first matching acceptor moves to, if any matches `result`; `input` gives
/// the input as the paths see it.
fn decide<O, E>(
    waiter: &Waiter,
    mut input: impl FnMut() -> Value,
    view: fn(&O) -> Value,
    result: &Result<O, SdkError<E>>,
) -> Option<State> {
    // Each document is built once per attempt, when a path first needs it.
    let mut output_doc = None;
    let mut input_output_doc = None;
    for acceptor in waiter.acceptors {
        let matched = match (&acceptor.matcher, result) {
            (Matcher::Success(expected), r) => *expected == r.is_ok(),
            (Matcher::ErrorType(code), Err(e)) => {
                e.meta().and_then(|m| m.code()) == Some(error_name(code))
            }
            (Matcher::ErrorType(_), Ok(_)) => false,
            (Matcher::Output(path), Ok(out)) => {
                path.matches(output_doc.get_or_insert_with(|| view(out)))
            }
            (Matcher::InputOutput(path), Ok(out)) => {
                path.matches(input_output_doc.get_or_insert_with(|| {
                    let output = output_doc.get_or_insert_with(|| view(out)).clone();
                    Value::Object(vec![
                        ("input".to_owned(), input()),
                        ("output".to_owned(), output),
                    ])
                }))
            }
            (Matcher::Output(_) | Matcher::InputOutput(_), Err(_)) => false,
        };
        if matched {
            return Some(acceptor.state);
        }
    }
    None
}

/// The name part of an `errorType` (an absolute shape ID matches by its name).
fn error_name(error_type: &str) -> &str {
    error_type
        .rsplit_once('#')
        .map_or(error_type, |(_, name)| name)
}

/// The delay before attempt `attempts + 1`, between `min` and `max` seconds, with
/// `remaining` of the allowed time left; `None` when no time is left for another attempt.
fn delay((min, max): (f64, f64), attempts: u32, remaining: Duration) -> Option<Duration> {
    if remaining.is_zero() {
        return None;
    }
    let ceiling = (max / min).log2() + 1.0;
    let top = if f64::from(attempts) > ceiling {
        max
    } else {
        (min * 2f64.powi(attempts.saturating_sub(1).min(62) as i32)).min(max)
    };
    let mut delay = min + crate::client::random_unit() * (top - min);
    let remaining = remaining.as_secs_f64();
    if remaining - delay <= min {
        delay = remaining;
    }
    Some(Duration::from_secs_f64(delay))
}

#[cfg(test)]
mod tests {
    use super::*;

    static W: Waiter = Waiter {
        name: "ThingReady",
        min_delay: 2,
        max_delay: 120,
        acceptors: &[],
    };

    #[test]
    fn delays_grow_within_the_bounds_and_the_last_one_uses_what_remains() {
        let plenty = Duration::from_secs(100_000);
        let bounds = WaitConfig::new(plenty).delay_bounds(&W);
        assert_eq!(bounds, (2.0, 120.0));
        for attempt in 1..40 {
            let d = delay(bounds, attempt, plenty)
                .expect("time left")
                .as_secs_f64();
            let cap = (2.0 * 2f64.powi(attempt as i32 - 1)).min(120.0);
            assert!((2.0..=cap).contains(&d), "attempt {attempt}: {d}");
        }
        // Less than min_delay would remain after the delay: wait out what remains, then one
        // last attempt.
        let d = delay(bounds, 1, Duration::from_secs(3)).expect("a last attempt");
        assert_eq!(d, Duration::from_secs(3));
        assert!(delay(bounds, 1, Duration::ZERO).is_none());
        let custom = WaitConfig::new(plenty)
            .delays(Duration::from_millis(10), Duration::from_millis(5))
            .delay_bounds(&W);
        assert_eq!(custom, (0.01, 0.01));
    }

    #[test]
    fn error_types_match_by_shape_name() {
        assert_eq!(error_name("com.amazonaws.s3#NoSuchKey"), "NoSuchKey");
        assert_eq!(error_name("NotFound"), "NotFound");
    }

    #[test]
    fn comparators() {
        let m = |comparator, expected| PathMatcher {
            path: Expr::Current,
            expected,
            comparator,
        };
        let s = |v: &str| Value::String(v.to_owned());
        let arr = |v: &[&str]| Value::Array(v.iter().map(|x| s(x)).collect());
        assert!(m(PathComparator::StringEquals, "ACTIVE").matches(&s("ACTIVE")));
        assert!(!m(PathComparator::StringEquals, "ACTIVE").matches(&s("CREATING")));
        assert!(!m(PathComparator::StringEquals, "true").matches(&Value::Bool(true)));
        assert!(m(PathComparator::BooleanEquals, "true").matches(&Value::Bool(true)));
        assert!(!m(PathComparator::BooleanEquals, "false").matches(&Value::Bool(true)));
        assert!(!m(PathComparator::BooleanEquals, "true").matches(&s("true")));
        assert!(m(PathComparator::AllStringEquals, "a").matches(&arr(&["a", "a"])));
        assert!(!m(PathComparator::AllStringEquals, "a").matches(&arr(&["a", "b"])));
        assert!(!m(PathComparator::AllStringEquals, "a").matches(&arr(&[])));
        assert!(m(PathComparator::AnyStringEquals, "b").matches(&arr(&["a", "b"])));
        assert!(!m(PathComparator::AnyStringEquals, "c").matches(&arr(&["a", "b"])));
        assert!(!m(PathComparator::AnyStringEquals, "a").matches(&s("a")));
    }
}
