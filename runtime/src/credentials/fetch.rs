//! HTTP for the container and instance-metadata providers: a lazily built transport with a
//! short connect timeout, per-attempt timeouts, a few retries and a small body limit.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::http::{HttpClient, HttpRequest, HttpResponse};

/// The largest response body accepted from a credentials endpoint: 64 KiB.
pub(super) const MAX_BODY: usize = 64 * 1024;

/// The transport of a provider: one given, or a default built on first use.
#[derive(Clone, Default)]
pub(super) struct Transport {
    given: Option<Arc<dyn HttpClient>>,
    built: Arc<OnceLock<Result<Arc<dyn HttpClient>, String>>>,
}

impl Transport {
    pub(super) fn given(client: Arc<dyn HttpClient>) -> Self {
        Transport {
            given: Some(client),
            built: Arc::default(),
        }
    }

    /// The transport; the default one gives up connecting after `connect_timeout`.
    pub(super) fn client(&self, connect_timeout: Duration) -> Result<Arc<dyn HttpClient>, String> {
        if let Some(client) = &self.given {
            return Ok(client.clone());
        }
        self.built
            .get_or_init(|| default_client(connect_timeout))
            .clone()
    }
}

#[cfg(feature = "https")]
fn default_client(connect_timeout: Duration) -> Result<Arc<dyn HttpClient>, String> {
    Ok(Arc::new(
        crate::http::HyperClient::with_connect_timeout(Some(connect_timeout))
            .max_response_body(MAX_BODY),
    ))
}

#[cfg(not(feature = "https"))]
fn default_client(_: Duration) -> Result<Arc<dyn HttpClient>, String> {
    Err("no HTTP client: the `https` feature is off and none was given".to_owned())
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.given {
            Some(client) => write!(f, "{client:?}"),
            None => f.write_str("default"),
        }
    }
}

/// Attempt limits.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub(super) connect_timeout: Duration,
    pub(super) attempt_timeout: Duration,
    pub(super) max_attempts: u32,
}

/// Why no usable response came back (after retries where they apply). Carries no request or
/// response data.
#[derive(Debug)]
pub(super) struct FetchError {
    what: String,
    attempts: u32,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if self.attempts > 1 {
            write!(f, " ({} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// Sends `request` and returns the first response that is not a 5xx, retrying connection
/// failures, timeouts and 5xx responses up to `limits.max_attempts` times in all. Bodies over
/// [`MAX_BODY`] are refused. Needs a Tokio runtime (for the timeouts).
pub(super) async fn send(
    transport: &Transport,
    request: &HttpRequest,
    limits: Limits,
) -> Result<HttpResponse, FetchError> {
    let fail = |what: String, attempts: u32| FetchError { what, attempts };
    if !super::in_tokio() {
        return Err(fail("needs a Tokio runtime".to_owned(), 0));
    }
    let client = transport
        .client(limits.connect_timeout)
        .map_err(|e| fail(e, 0))?;
    let max = limits.max_attempts.max(1);
    let mut last = String::new();
    for attempt in 1..=max {
        if attempt > 1 {
            // 50 ms, 100 ms, 200 ms, ... capped at 1 s.
            let backoff =
                Duration::from_millis(50u64 << (attempt - 2).min(4)).min(Duration::from_secs(1));
            tokio::time::sleep(backoff).await;
        }
        match tokio::time::timeout(limits.attempt_timeout, client.send(request.clone())).await {
            Err(_) => last = format!("timed out after {:?}", limits.attempt_timeout),
            Ok(Err(e)) if e.is_response_too_large() => {
                return Err(fail(
                    format!("the response is larger than {} KiB", MAX_BODY / 1024),
                    attempt,
                ));
            }
            Ok(Err(e)) if e.is_connect() || e.is_io() => last = e.to_string(),
            Ok(Err(e)) => return Err(fail(e.to_string(), attempt)),
            Ok(Ok(response)) if response.body.len() > MAX_BODY => {
                return Err(fail(
                    format!("the response is larger than {} KiB", MAX_BODY / 1024),
                    attempt,
                ));
            }
            Ok(Ok(response)) if response.status >= 500 => {
                last = format!("HTTP {}", response.status);
            }
            Ok(Ok(response)) => return Ok(response),
        }
    }
    Err(fail(last, max))
}

/// A short, printable excerpt of an error body's `code`/`Code` member, if it looks like an
/// error code (letters, digits, `.`, `_`, `-`, at most 64): never free text.
pub(super) fn error_code(body: &[u8]) -> Option<String> {
    let object = super::json_object(body).ok()?;
    let code = ["Code", "code"]
        .iter()
        .find_map(|k| object.get(*k).and_then(|v| v.as_str()))?;
    let looks_like_code = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    looks_like_code.then(|| code.to_owned())
}
