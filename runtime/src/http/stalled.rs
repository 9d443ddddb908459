//! Stalled-stream protection: the setting, and the timers the transport polls.
//!
//! A download stalls when the reader waits for the next chunk and none arrives within the
//! grace period; an upload stalls when the transport stops taking chunks of a streamed
//! request body (the peer stopped reading, or the body's source produced nothing) for the
//! grace period while the response has not arrived. Time the reader spends *not* reading
//! (a slow consumer of a streamed body) never counts.

use std::time::Duration;

/// The default grace period of [`StalledStreamProtection`]: 5 s, as the AWS SDKs.
pub const DEFAULT_STALL_GRACE_PERIOD: Duration = Duration::from_secs(5);

/// Whether, and after how long, a body that makes no progress fails the request.
///
/// On by default with a grace period of [`DEFAULT_STALL_GRACE_PERIOD`]. When it fires, the
/// request or the read of a streamed body fails with a [`super::TransportError`] for which
/// [`is_stalled`](super::TransportError::is_stalled) (and `is_io`) is true.
///
/// ```
/// use anvil_runtime::http::StalledStreamProtection;
/// use std::time::Duration;
///
/// let default = StalledStreamProtection::default();
/// assert!(default.is_enabled());
/// assert_eq!(default.grace_period(), Duration::from_secs(5));
/// let short = StalledStreamProtection::enabled().with_grace_period(Duration::from_secs(2));
/// assert_eq!(short.grace_period(), Duration::from_secs(2));
/// assert!(!StalledStreamProtection::disabled().is_enabled());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StalledStreamProtection {
    enabled: bool,
    grace_period: Duration,
    uploads: bool,
}

impl StalledStreamProtection {
    /// Protection on, for downloads and uploads, with the default grace period.
    pub const fn enabled() -> Self {
        StalledStreamProtection {
            enabled: true,
            grace_period: DEFAULT_STALL_GRACE_PERIOD,
            uploads: true,
        }
    }

    /// Protection off: a body may stall forever (unless an attempt timeout is set).
    pub const fn disabled() -> Self {
        StalledStreamProtection {
            enabled: false,
            grace_period: DEFAULT_STALL_GRACE_PERIOD,
            uploads: false,
        }
    }

    /// Sets the grace period (builder style). A zero period is taken as 1 ms.
    pub fn with_grace_period(mut self, grace_period: Duration) -> Self {
        self.grace_period = grace_period.max(Duration::from_millis(1));
        self
    }

    /// Whether streamed request bodies are protected too (default: yes when enabled).
    pub fn with_uploads(mut self, on: bool) -> Self {
        self.uploads = on;
        self
    }

    /// Whether protection is on.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The grace period.
    pub fn grace_period(&self) -> Duration {
        self.grace_period
    }

    /// Whether streamed request bodies are protected.
    pub fn protects_uploads(&self) -> bool {
        self.enabled && self.uploads
    }

    /// The grace period if protection is on.
    #[cfg_attr(not(feature = "https"), allow(dead_code))]
    pub(crate) fn active(&self) -> Option<Duration> {
        self.enabled.then_some(self.grace_period)
    }
}

impl Default for StalledStreamProtection {
    fn default() -> Self {
        Self::enabled()
    }
}

#[cfg(feature = "https")]
pub(crate) use self::timers::{DownloadTimer, UploadProgress, UploadWatch};

#[cfg(feature = "https")]
mod timers {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::task::Context;
    use std::time::Duration;
    use tokio::time::{Instant, Sleep};

    /// Watches a download: armed when the reader starts waiting, disarmed by any data.
    pub(crate) struct DownloadTimer {
        grace: Duration,
        sleep: Pin<Box<Sleep>>,
        waiting: bool,
    }

    impl DownloadTimer {
        pub(crate) fn new(grace: Duration) -> Self {
            DownloadTimer {
                grace,
                sleep: Box::pin(tokio::time::sleep(grace)),
                waiting: false,
            }
        }

        pub(crate) fn grace(&self) -> Duration {
            self.grace
        }

        /// Called before polling the body: starts the grace period unless a wait is under way.
        pub(crate) fn begin_wait(&mut self) {
            if !self.waiting {
                self.waiting = true;
                self.sleep.as_mut().reset(Instant::now() + self.grace);
            }
        }

        /// Called when data (or the end) arrived: the next wait starts a new period.
        pub(crate) fn progress(&mut self) {
            self.waiting = false;
        }

        /// Called when the body is pending: whether the grace period is over (the waker is
        /// registered otherwise).
        pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> bool {
            self.waiting && self.sleep.as_mut().poll(cx).is_ready()
        }
    }

    /// An upload's progress, shared by the request body (which records it) and the
    /// response future (which checks it).
    #[derive(Debug)]
    pub(crate) struct UploadProgress {
        origin: Instant,
        /// Milliseconds after `origin` of the last chunk taken, plus one (0: not started).
        last: AtomicU64,
        done: AtomicBool,
    }

    impl UploadProgress {
        pub(crate) fn new() -> Arc<Self> {
            Arc::new(UploadProgress {
                origin: Instant::now(),
                last: AtomicU64::new(0),
                done: AtomicBool::new(false),
            })
        }

        /// The transport took a chunk (or started reading the body).
        pub(crate) fn record(&self) {
            let ms = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
            self.last.store(ms + 1, Ordering::Relaxed);
        }

        /// The body ended (or failed): nothing more to watch.
        pub(crate) fn finish(&self) {
            self.done.store(true, Ordering::Relaxed);
        }

        /// When the upload stalls if nothing more is taken: `None` before it started or
        /// once it ended.
        pub(crate) fn deadline(&self, grace: Duration) -> Option<Instant> {
            if self.done.load(Ordering::Relaxed) {
                return None;
            }
            match self.last.load(Ordering::Relaxed) {
                0 => None,
                n => Some(self.origin + Duration::from_millis(n - 1) + grace),
            }
        }
    }

    /// Checks an upload while the response is awaited.
    pub(crate) struct UploadWatch {
        progress: Arc<UploadProgress>,
        grace: Duration,
        sleep: Pin<Box<Sleep>>,
    }

    impl UploadWatch {
        pub(crate) fn new(progress: Arc<UploadProgress>, grace: Duration) -> Self {
            UploadWatch {
                progress,
                grace,
                sleep: Box::pin(tokio::time::sleep(grace)),
            }
        }

        pub(crate) fn grace(&self) -> Duration {
            self.grace
        }

        /// Whether the upload stalled; otherwise the waker is registered for the next check
        /// (at most one grace period away, so an upload that has not started yet is looked
        /// at again).
        pub(crate) fn poll_stalled(&mut self, cx: &mut Context<'_>) -> bool {
            loop {
                let now = Instant::now();
                let next = match self.progress.deadline(self.grace) {
                    Some(deadline) if deadline <= now => return true,
                    Some(deadline) => deadline,
                    None => now + self.grace,
                };
                self.sleep.as_mut().reset(next);
                if self.sleep.as_mut().poll(cx).is_pending() {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_sdks() {
        let p = StalledStreamProtection::default();
        assert!(p.is_enabled() && p.protects_uploads());
        assert_eq!(p.grace_period(), Duration::from_secs(5));
        assert_eq!(p.active(), Some(Duration::from_secs(5)));
        let off = StalledStreamProtection::disabled();
        assert_eq!(off.active(), None);
        assert!(!off.protects_uploads());
        let no_uploads = StalledStreamProtection::enabled().with_uploads(false);
        assert!(no_uploads.is_enabled() && !no_uploads.protects_uploads());
        assert_eq!(
            StalledStreamProtection::enabled()
                .with_grace_period(Duration::ZERO)
                .grace_period(),
            Duration::from_millis(1)
        );
    }

    #[cfg(feature = "https")]
    #[test]
    fn upload_deadline_follows_progress() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("runtime");
        rt.block_on(async {
            let progress = UploadProgress::new();
            let grace = Duration::from_secs(5);
            assert_eq!(progress.deadline(grace), None, "not started");
            progress.record();
            let first = progress.deadline(grace).expect("started");
            tokio::time::advance(Duration::from_secs(2)).await;
            progress.record();
            let second = progress.deadline(grace).expect("started");
            assert!(second >= first + Duration::from_secs(2), "moved on");
            progress.finish();
            assert_eq!(progress.deadline(grace), None, "done");
        });
    }
}
