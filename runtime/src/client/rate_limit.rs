//! The client-side rate limiter of the adaptive retry mode, as in the AWS SDKs (botocore's
//! `retries/adaptive.py`, `bucket.py` and `throttling.py`; smithy-rs's
//! `client_rate_limiter`).
//!
//! A token bucket gates every attempt once the client has been throttled. Its fill rate
//! follows CUBIC congestion control: a throttling response cuts the rate to `BETA` times the
//! rate measured when it happened, and successes then grow it back along the cubic curve
//! `SCALE * (t - k)^3 + w_max`, where `w_max` is the rate at the last throttle and `k` the
//! time the curve takes to climb back to it. The send rate is measured in half-second
//! buckets, smoothed; the bucket's rate is never set above twice the measured rate.
//!
//! [`Limiter`] is the arithmetic over explicit timestamps (seconds); [`ClientRateLimiter`]
//! is the shared, clocked and async form a client uses.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The lowest fill rate, in tokens per second.
const MIN_FILL_RATE: f64 = 0.5;
/// The weight of the newest measurement in the smoothed send rate.
const SMOOTHING: f64 = 0.8;
/// The send rate is measured over buckets of this many seconds.
const TIME_BUCKET: f64 = 0.5;
/// CUBIC's multiplicative decrease: the rate after a throttle, relative to the rate before.
const BETA: f64 = 0.7;
/// CUBIC's scaling constant.
const SCALE: f64 = 0.4;
/// The new rate is capped at this multiple of the measured rate.
const MAX_RATE_ADJUST: f64 = 2.0;
/// The longest single wait for a token (a bound on the arithmetic, never reached: the fill
/// rate is at least [`MIN_FILL_RATE`]).
const MAX_WAIT: Duration = Duration::from_secs(60);

/// The limiter's state at explicit times (seconds from any origin).
#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    /// Whether a throttle has been seen: until then nothing is limited.
    enabled: bool,
    // Token bucket.
    fill_rate: f64,
    max_capacity: f64,
    capacity: f64,
    last_refill: f64,
    // CUBIC.
    w_max: f64,
    k: f64,
    last_throttle: f64,
    // Measured send rate.
    measured_rate: f64,
    last_bucket: f64,
    count: f64,
}

impl Limiter {
    /// A limiter created at `now`: disabled, a bucket of rate 1 holding no token.
    pub(crate) fn new(now: f64) -> Limiter {
        let mut limiter = Limiter {
            enabled: false,
            fill_rate: 0.0,
            max_capacity: 0.0,
            capacity: 0.0,
            last_refill: now,
            w_max: 0.0,
            k: 0.0,
            last_throttle: now,
            measured_rate: 0.0,
            last_bucket: now.floor(),
            count: 0.0,
        };
        limiter.set_rate(1.0, now);
        limiter
    }

    /// Takes a token for an attempt at `now`: `Err(seconds)` to wait before asking again
    /// when the bucket is short of one. Always `Ok` until the first throttle.
    pub(crate) fn try_acquire(&mut self, now: f64) -> Result<(), f64> {
        if !self.enabled {
            return Ok(());
        }
        self.refill(now);
        if self.capacity >= 1.0 {
            self.capacity -= 1.0;
            Ok(())
        } else {
            Err((1.0 - self.capacity) / self.fill_rate)
        }
    }

    /// Records an attempt's result at `now` (`throttled`: a throttling error) and adjusts
    /// the fill rate.
    pub(crate) fn record(&mut self, now: f64, throttled: bool) {
        let measured = self.measure(now);
        let new_rate = if throttled {
            let rate = if self.enabled {
                measured.min(self.fill_rate)
            } else {
                measured
            };
            self.enabled = true;
            self.throttle(rate, now)
        } else {
            self.cubic_rate(now)
        };
        self.set_rate(new_rate.min(MAX_RATE_ADJUST * measured), now);
    }

    /// The bucket's fill rate, in tokens per second.
    #[cfg(test)]
    pub(crate) fn fill_rate(&self) -> f64 {
        self.fill_rate
    }

    /// The smoothed measured send rate, in attempts per second.
    #[cfg(test)]
    pub(crate) fn measured_rate(&self) -> f64 {
        self.measured_rate
    }

    /// The tokens in the bucket at the last refill.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Counts an attempt and returns the smoothed send rate, updated when a new time bucket
    /// has begun.
    fn measure(&mut self, now: f64) -> f64 {
        let bucket = (now / TIME_BUCKET).floor() * TIME_BUCKET;
        self.count += 1.0;
        if bucket > self.last_bucket {
            let current = self.count / (bucket - self.last_bucket);
            self.measured_rate = current * SMOOTHING + self.measured_rate * (1.0 - SMOOTHING);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
        self.measured_rate
    }

    /// CUBIC after a throttle at `rate`: the curve restarts from here; the rate drops.
    fn throttle(&mut self, rate: f64, now: f64) -> f64 {
        self.w_max = rate;
        self.k = (self.w_max * (1.0 - BETA) / SCALE).powf(1.0 / 3.0);
        self.last_throttle = now;
        rate * BETA
    }

    /// CUBIC's rate at `now`, since the last throttle.
    fn cubic_rate(&self, now: f64) -> f64 {
        SCALE * (now - self.last_throttle - self.k).powi(3) + self.w_max
    }

    /// Adds the tokens earned since the last refill.
    fn refill(&mut self, now: f64) {
        let earned = (now - self.last_refill) * self.fill_rate;
        self.capacity = (self.capacity + earned).min(self.max_capacity);
        self.last_refill = now;
    }

    /// Sets the fill rate (at least [`MIN_FILL_RATE`]) after refilling at the old one.
    fn set_rate(&mut self, rate: f64, now: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(1.0);
        self.capacity = self.capacity.min(self.max_capacity);
    }
}

/// A [`Limiter`] on the Tokio clock, shared by every call of a client (clones of a
/// [`super::Config`] share it). Its clock starts at its first use.
#[derive(Debug, Default)]
pub(crate) struct ClientRateLimiter {
    state: Mutex<Option<(Instant, Limiter)>>,
}

impl ClientRateLimiter {
    /// Runs `f` on the limiter at the current time.
    fn with<T>(&self, f: impl FnOnce(&mut Limiter, f64) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (epoch, limiter) = state.get_or_insert_with(|| (Instant::now(), Limiter::new(0.0)));
        let now = epoch.elapsed().as_secs_f64();
        f(limiter, now)
    }

    /// Waits until a token is available and takes it (at once until the first throttle).
    pub(crate) async fn acquire(&self) {
        loop {
            let wait = match self.with(Limiter::try_acquire) {
                Ok(()) => return,
                Err(seconds) => seconds,
            };
            let wait = Duration::try_from_secs_f64(wait.max(0.0))
                .unwrap_or(MAX_WAIT)
                .min(MAX_WAIT);
            tracing::debug!(?wait, "adaptive retry: waiting for send capacity");
            tokio::time::sleep(wait).await;
        }
    }

    /// Records an attempt's result (`throttled`: a throttling error).
    pub(crate) fn record(&self, throttled: bool) {
        self.with(|limiter, now| limiter.record(now, throttled));
    }

    /// The current fill rate (for tests and debugging).
    #[cfg(test)]
    pub(crate) fn fill_rate(&self) -> f64 {
        self.with(|limiter, _| limiter.fill_rate())
    }
}

#[cfg(test)]
mod tests;
