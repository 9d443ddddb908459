//! The credentials cache: refresh before expiry, single flight under load, timeouts, and the
//! last good credentials kept through failed refreshes.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anvil_runtime::BoxFuture;
use anvil_runtime::credentials::{
    Credentials, CredentialsCache, CredentialsError, ProvideCredentials,
};

/// A provider that counts its loads, tracks how many run at once, and behaves as told.
struct Counting {
    loads: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Latency of a load.
    latency: Duration,
    /// Lifetime of the credentials it issues (`None`: no expiry).
    lifetime: Option<Duration>,
    /// When set, loads fail.
    failing: AtomicBool,
}

impl Counting {
    fn new(latency: Duration, lifetime: Option<Duration>) -> Arc<Self> {
        Arc::new(Counting {
            loads: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            latency,
            lifetime,
            failing: AtomicBool::new(false),
        })
    }

    fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Counting")
    }
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let n = self.loads.fetch_add(1, Ordering::SeqCst) + 1;
            let now_in = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now_in, Ordering::SeqCst);
            tokio::time::sleep(self.latency).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if self.failing.load(Ordering::SeqCst) {
                return Err(CredentialsError::failed(
                    "counting",
                    format!("load {n} failed"),
                ));
            }
            let expires_at = self.lifetime.map(|d| SystemTime::now() + d);
            Ok(
                Credentials::new(format!("AKID{n}"), format!("secret{n}"), None)
                    .with_expires_at(expires_at),
            )
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_under_load_fetches_once_per_period_and_never_serves_expired() {
    // Credentials live 2 s; refresh starts 200-300 ms before expiry: one load per ~1.75 s.
    let provider = Counting::new(Duration::from_millis(30), Some(Duration::from_secs(2)));
    let cache = Arc::new(
        CredentialsCache::from_shared(provider.clone())
            .refresh_buffer(Duration::from_millis(300))
            .refresh_jitter(Duration::from_millis(100)),
    );
    let run_for = Duration::from_secs(5);
    let started = Instant::now();
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let cache = cache.clone();
        let calls = calls.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = std::collections::BTreeSet::new();
            while started.elapsed() < run_for {
                let credentials = cache
                    .provide_credentials()
                    .await
                    .unwrap_or_else(|e| panic!("a call failed: {e}"));
                assert!(
                    !credentials.is_expired_at(SystemTime::now()),
                    "expired credentials served: {credentials:?}"
                );
                seen.insert(credentials.access_key_id().to_owned());
                calls.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            seen
        }));
    }
    let mut keys = std::collections::BTreeSet::new();
    for task in tasks {
        keys.extend(task.await.expect("caller"));
    }
    let loads = provider.loads();
    // 0 s, ~1.75 s, ~3.5 s (and ~5.25 s only if the run overshoots).
    assert!((3..=4).contains(&loads), "{loads} loads in {run_for:?}");
    assert_eq!(
        provider.max_in_flight.load(Ordering::SeqCst),
        1,
        "single flight"
    );
    assert!(keys.len() >= 3 && keys.len() <= loads, "{keys:?}");
    assert!(
        calls.load(Ordering::Relaxed) > 10_000,
        "the callers were busy"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_under_load_loads_once() {
    let provider = Counting::new(Duration::from_millis(100), Some(Duration::from_secs(3600)));
    let cache = Arc::new(CredentialsCache::from_shared(provider.clone()));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.provide_credentials().await })
        })
        .collect();
    for task in tasks {
        let credentials = task.await.expect("task").expect("credentials");
        assert_eq!(credentials.access_key_id(), "AKID1");
    }
    assert_eq!(provider.loads(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_source_is_asked_once_per_round_of_callers() {
    let provider = Counting::new(Duration::from_millis(100), None);
    provider.failing.store(true, Ordering::SeqCst);
    let cache = Arc::new(CredentialsCache::from_shared(provider.clone()));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.provide_credentials().await })
        })
        .collect();
    for task in tasks {
        let err = task.await.expect("task").expect_err("failing");
        assert!(err.to_string().contains("load 1 failed"), "{err}");
    }
    assert_eq!(provider.loads(), 1);
    // Failures are not cached: the next call asks again, and succeeds once the source does.
    provider.failing.store(false, Ordering::SeqCst);
    let credentials = cache.provide_credentials().await.expect("recovered");
    assert_eq!(credentials.access_key_id(), "AKID2");
}

#[tokio::test]
async fn credentials_without_expiry_are_cached_forever_until_invalidated() {
    let provider = Counting::new(Duration::ZERO, None);
    let cache = CredentialsCache::from_shared(provider.clone());
    for _ in 0..100 {
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "AKID1"
        );
    }
    assert_eq!(provider.loads(), 1);
    cache.invalidate();
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "AKID2"
    );
    let text = format!("{cache:?}");
    assert!(
        text.contains("cached: true") && !text.contains("secret"),
        "{text}"
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_last_good_credentials_until_they_expire() {
    let provider = Counting::new(Duration::ZERO, Some(Duration::from_millis(1200)));
    // Buffer capped at half the lifetime: refresh from 0.6 s on.
    let cache = CredentialsCache::from_shared(provider.clone())
        .refresh_buffer(Duration::from_secs(60))
        .refresh_jitter(Duration::ZERO);
    let first = cache.provide_credentials().await.unwrap();
    let expires_at = first.expires_at().expect("expiring");
    assert_eq!(provider.loads(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(cache.provide_credentials().await.unwrap(), first);
    assert_eq!(provider.loads(), 1, "not due yet");

    provider.failing.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Due: the refresh fails, the old credentials are served.
    assert_eq!(cache.provide_credentials().await.unwrap(), first);
    assert_eq!(provider.loads(), 2);
    // Retrying is spaced out, not done on every call.
    for _ in 0..50 {
        assert_eq!(cache.provide_credentials().await.unwrap(), first);
    }
    assert_eq!(provider.loads(), 2);
    // Until they expire: then the error.
    while SystemTime::now() < expires_at {
        tokio::time::sleep(Duration::from_millis(20)).await;
        match cache.provide_credentials().await {
            Ok(c) => assert_eq!(c, first),
            Err(e) => assert!(SystemTime::now() >= expires_at, "{e}"),
        }
    }
    let loads_before = provider.loads();
    assert!(loads_before > 2, "retried after the delay: {loads_before}");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let err = cache.provide_credentials().await.expect_err("expired");
    assert!(err.to_string().contains("failed"), "{err}");
    provider.failing.store(false, Ordering::SeqCst);
    let fresh = cache.provide_credentials().await.unwrap();
    assert_ne!(fresh, first);
    assert!(!fresh.is_expired_at(SystemTime::now()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loads_time_out_and_waiters_share_the_timeout() {
    let provider = Counting::new(Duration::from_secs(30), None);
    let cache = Arc::new(
        CredentialsCache::from_shared(provider.clone()).load_timeout(Duration::from_millis(200)),
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.provide_credentials().await })
        })
        .collect();
    for task in tasks {
        let err = task.await.expect("task").expect_err("timed out");
        assert!(err.is_failed());
        assert!(err.to_string().contains("timed out after 200ms"), "{err}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(provider.loads(), 1);
}

#[tokio::test]
async fn default_load_timeout_is_five_seconds() {
    assert_eq!(
        anvil_runtime::credentials::DEFAULT_LOAD_TIMEOUT,
        Duration::from_secs(5)
    );
    assert_eq!(
        anvil_runtime::credentials::DEFAULT_REFRESH_BUFFER,
        Duration::from_secs(300)
    );
    assert_eq!(
        anvil_runtime::credentials::DEFAULT_REFRESH_JITTER,
        Duration::from_secs(60)
    );
}

#[tokio::test]
async fn already_expired_credentials_are_refused() {
    #[derive(Debug)]
    struct Stale;
    impl ProvideCredentials for Stale {
        fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            let at = SystemTime::now() - Duration::from_secs(1);
            Box::pin(std::future::ready(Ok(Credentials::new(
                "AKID", "s3cret", None,
            )
            .with_expires_at(Some(at)))))
        }
    }
    let err = CredentialsCache::new(Stale)
        .provide_credentials()
        .await
        .expect_err("stale");
    assert!(err.to_string().contains("expired at"), "{err}");
    assert!(!format!("{err} {err:?}").contains("s3cret"));
}
