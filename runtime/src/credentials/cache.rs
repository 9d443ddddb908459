//! A cache in front of any provider, refreshing expiring credentials ahead of time.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::BoxFuture;
use crate::datetime::DateTime;

/// How long before expiry a refresh starts, at most: 5 minutes.
pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(300);
/// The most taken off the buffer at random, per credentials: 1 minute.
pub const DEFAULT_REFRESH_JITTER: Duration = Duration::from_secs(60);
/// How long one load of the wrapped provider may take: 5 seconds.
pub const DEFAULT_LOAD_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest wait before retrying a failed refresh while the old credentials still work.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(10);
const MIN_RETRY_DELAY: Duration = Duration::from_millis(100);

const SOURCE: &str = "credentials cache";

/// Caches the credentials of any provider and refreshes them before they expire.
///
/// - **When.** Credentials without an expiry are kept forever. Expiring ones are refreshed
///   once less than a *buffer* remains: [`DEFAULT_REFRESH_BUFFER`] (5 min) minus a random
///   amount up to [`DEFAULT_REFRESH_JITTER`] (1 min), drawn per credentials, so refreshes
///   start between 5 and 4 minutes before expiry and many clients do not refresh in step.
///   For credentials that live less than twice the buffer, the buffer is half their
///   remaining lifetime instead, so they are used for at least half their life.
/// - **Single flight.** One load runs at a time. While credentials are still valid, a caller
///   that finds a refresh due starts it and waits for it; the others meanwhile get the
///   still-valid credentials without waiting. Without valid credentials every caller waits
///   for the one load, and all get its result (success or error): a failing source is asked
///   once per round of callers, not once per caller.
/// - **Failures.** A load is abandoned after [`DEFAULT_LOAD_TIMEOUT`] (5 s) unless set
///   otherwise. A failed refresh keeps the last good credentials, which are served until they
///   actually expire; the refresh is retried after a short delay (a quarter of the remaining
///   lifetime, between 100 ms and 10 s). Expired credentials are never served, and a
///   provider returning already-expired credentials is an error.
///
/// Outside a Tokio runtime (a future polled by hand) loads run without the timeout.
pub struct CredentialsCache {
    provider: Arc<dyn ProvideCredentials>,
    buffer: Duration,
    jitter: Duration,
    load_timeout: Duration,
    state: Mutex<State>,
    /// Held for the duration of a load: the single flight.
    loading: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// Loads finished so far: a caller that waited for the lock and sees this changed takes
    /// that load's outcome instead of loading again.
    loads: u64,
    /// The last load's error, when it left no valid credentials.
    last_error: Option<CredentialsError>,
    /// No new refresh attempt before this, after a failed one.
    retry_at: Option<SystemTime>,
}

struct Cached {
    credentials: Credentials,
    /// When to start refreshing; `None`: never (no expiry).
    refresh_at: Option<SystemTime>,
}

/// What a caller does, decided from the state.
enum Plan {
    /// Serve these.
    Serve(Credentials),
    /// Refresh if no one else is; else serve these (still valid).
    RefreshOrServe(Credentials),
    /// Nothing valid: wait for the load.
    Load,
}

impl CredentialsCache {
    /// Caches `provider` with the default settings.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_shared(Arc::new(provider))
    }

    /// Caches a shared provider with the default settings.
    pub fn from_shared(provider: Arc<dyn ProvideCredentials>) -> Self {
        CredentialsCache {
            provider,
            buffer: DEFAULT_REFRESH_BUFFER,
            jitter: DEFAULT_REFRESH_JITTER,
            load_timeout: DEFAULT_LOAD_TIMEOUT,
            state: Mutex::new(State::default()),
            loading: tokio::sync::Mutex::new(()),
        }
    }

    /// The most time before expiry at which a refresh starts (default 5 min).
    pub fn refresh_buffer(mut self, buffer: Duration) -> Self {
        self.buffer = buffer;
        self
    }

    /// The most taken off the buffer at random, per credentials (default 1 min; zero for
    /// none). More than the buffer counts as the buffer.
    pub fn refresh_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// How long one load may take before it is abandoned (default 5 s).
    pub fn load_timeout(mut self, timeout: Duration) -> Self {
        self.load_timeout = timeout;
        self
    }

    /// Forgets the cached credentials (say, after a service rejected them): the next call
    /// loads.
    pub fn invalidate(&self) {
        let mut state = self.lock_state();
        state.current = None;
        state.retry_at = None;
    }

    /// Credentials: cached, or loaded now.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let (plan, seen) = self.plan(SystemTime::now());
        let _guard = match plan {
            Plan::Serve(credentials) => return Ok(credentials),
            Plan::RefreshOrServe(credentials) => match self.loading.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok(credentials),
            },
            Plan::Load => self.loading.lock().await,
        };
        // Another caller may have finished a load while this one waited for the lock.
        if let Some(outcome) = self.outcome_since(seen) {
            return outcome;
        }
        let result = self.load().await;
        let now = SystemTime::now();
        let mut state = self.lock_state();
        state.loads = state.loads.wrapping_add(1);
        match result {
            Ok(credentials) => {
                let refresh_at = self.refresh_time(&credentials, now);
                tracing::debug!(
                    target: "anvil_runtime::credentials",
                    access_key_id = credentials.access_key_id(),
                    expires_at = ?credentials.expires_at().map(DateTime::from_system_time),
                    refresh_at = ?refresh_at.map(DateTime::from_system_time),
                    "credentials loaded"
                );
                state.current = Some(Cached {
                    credentials: credentials.clone(),
                    refresh_at,
                });
                state.last_error = None;
                state.retry_at = None;
                Ok(credentials)
            }
            Err(error) => {
                let still_valid = state
                    .current
                    .as_ref()
                    .map(|c| c.credentials.clone())
                    .filter(|c| !c.is_expired_at(now));
                match still_valid {
                    Some(credentials) => {
                        let remaining = credentials
                            .expires_at()
                            .and_then(|at| at.duration_since(now).ok())
                            .unwrap_or_default();
                        let delay = (remaining / 4).clamp(MIN_RETRY_DELAY, MAX_RETRY_DELAY);
                        state.retry_at = Some(now + delay);
                        state.last_error = None;
                        tracing::warn!(
                            target: "anvil_runtime::credentials",
                            error = %error,
                            retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "refreshing credentials failed; the current ones are still valid"
                        );
                        Ok(credentials)
                    }
                    None => {
                        state.current = None;
                        state.last_error = Some(error.clone());
                        tracing::debug!(
                            target: "anvil_runtime::credentials",
                            error = %error,
                            "loading credentials failed"
                        );
                        Err(error)
                    }
                }
            }
        }
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn plan(&self, now: SystemTime) -> (Plan, u64) {
        let state = self.lock_state();
        let plan = match &state.current {
            Some(c) if !c.credentials.is_expired_at(now) => {
                let due = c.refresh_at.is_some_and(|at| now >= at);
                let backing_off = state.retry_at.is_some_and(|at| now < at);
                if due && !backing_off {
                    Plan::RefreshOrServe(c.credentials.clone())
                } else {
                    Plan::Serve(c.credentials.clone())
                }
            }
            _ => Plan::Load,
        };
        (plan, state.loads)
    }

    /// The outcome of a load finished since `seen` loads: valid credentials, or that load's
    /// error; `None` if none finished (or it left credentials due for refresh only because
    /// time passed, which cannot happen within one round).
    fn outcome_since(&self, seen: u64) -> Option<Result<Credentials, CredentialsError>> {
        let state = self.lock_state();
        if state.loads == seen {
            return None;
        }
        let now = SystemTime::now();
        if let Some(c) = &state.current
            && !c.credentials.is_expired_at(now)
        {
            return Some(Ok(c.credentials.clone()));
        }
        state.last_error.clone().map(Err)
    }

    /// One load of the wrapped provider, bounded by the timeout inside a Tokio runtime.
    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let future = self.provider.provide_credentials();
        let credentials = if super::in_tokio() {
            match tokio::time::timeout(self.load_timeout, future).await {
                Ok(result) => result?,
                Err(_) => {
                    return Err(CredentialsError::failed(
                        SOURCE,
                        format!(
                            "loading credentials timed out after {:?}",
                            self.load_timeout
                        ),
                    ));
                }
            }
        } else {
            future.await?
        };
        if let Some(at) = credentials.expires_at()
            && SystemTime::now() >= at
        {
            return Err(CredentialsError::failed(
                SOURCE,
                format!(
                    "the provider returned credentials that expired at {}",
                    DateTime::from_system_time(at)
                ),
            ));
        }
        Ok(credentials)
    }

    /// When to start refreshing `credentials` loaded at `now`.
    fn refresh_time(&self, credentials: &Credentials, now: SystemTime) -> Option<SystemTime> {
        let expires_at = credentials.expires_at()?;
        let remaining = expires_at.duration_since(now).unwrap_or_default();
        let jitter = random_up_to(self.jitter.min(self.buffer));
        let buffer = self.buffer.saturating_sub(jitter).min(remaining / 2);
        Some(expires_at - buffer)
    }
}

/// A uniformly random duration in `0..=max` (zero if the system has no randomness).
fn random_up_to(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    let r = getrandom::u64().unwrap_or(0);
    Duration::from_nanos(r % nanos.saturating_add(1).max(1))
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock_state();
        f.debug_struct("CredentialsCache")
            .field("provider", &self.provider)
            .field("cached", &state.current.is_some())
            .field(
                "expires_at",
                &state
                    .current
                    .as_ref()
                    .and_then(|c| c.credentials.expires_at())
                    .map(DateTime::from_system_time),
            )
            .field("refresh_buffer", &self.buffer)
            .field("refresh_jitter", &self.jitter)
            .field("load_timeout", &self.load_timeout)
            .finish()
    }
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expiring_in(secs: u64, now: SystemTime) -> Credentials {
        Credentials::new("AKID", "secret", None)
            .with_expires_at(Some(now + Duration::from_secs(secs)))
    }

    #[test]
    fn refresh_times_follow_the_jittered_buffer() {
        let cache = CredentialsCache::new(Credentials::new("a", "b", None));
        let now = SystemTime::now();
        assert_eq!(
            cache.refresh_time(&Credentials::new("a", "b", None), now),
            None
        );
        for _ in 0..100 {
            let c = expiring_in(3600, now);
            let at = cache.refresh_time(&c, now).unwrap();
            let before = c.expires_at().unwrap().duration_since(at).unwrap();
            assert!(
                before >= Duration::from_secs(240) && before <= Duration::from_secs(300),
                "{before:?}"
            );
        }
        // Short-lived credentials: half their lifetime.
        let c = expiring_in(2, now);
        let at = cache.refresh_time(&c, now).unwrap();
        assert_eq!(at, now + Duration::from_secs(1));
        let fixed = CredentialsCache::new(Credentials::new("a", "b", None))
            .refresh_buffer(Duration::from_secs(10))
            .refresh_jitter(Duration::ZERO);
        let c = expiring_in(3600, now);
        assert_eq!(
            fixed.refresh_time(&c, now),
            Some(now + Duration::from_secs(3590))
        );
        assert!(random_up_to(Duration::from_nanos(1)) <= Duration::from_nanos(1));
        assert_eq!(random_up_to(Duration::ZERO), Duration::ZERO);
    }
}
