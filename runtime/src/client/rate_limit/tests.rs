//! The limiter's arithmetic against botocore's (`botocore.retries.adaptive`), run as an
//! oracle when python3 and botocore are present, and against numbers computed with it.

use super::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// botocore's limiter on a fake clock: reads `[[time, "send"|"ok"|"throttle"], ...]` and
/// prints, per event, `[wait]` for a send (0 when a token was taken or the limiter is off;
/// the seconds `acquire` would sleep otherwise, taking nothing) and `[fill rate, measured
/// rate, capacity]` after a response.
const ORACLE: &str = r#"
import json, sys
from botocore.retries import adaptive, bucket, throttling
from botocore.exceptions import CapacityNotAvailableError

class FakeClock:
    t = 0.0
    def current_time(self): return self.t
    def sleep(self, amount): self.t += amount

class Detector:
    def is_throttling_error(self, **kwargs): return kwargs["throttled"]

events = json.load(sys.stdin)
clock = FakeClock()
clock.t = events[0][0]
cubic = throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time())
tb = bucket.TokenBucket(max_rate=1, clock=clock)
limiter = adaptive.ClientRateLimiter(rate_adjustor=cubic, rate_clocker=adaptive.RateClocker(clock),
    token_bucket=tb, throttling_detector=Detector(), clock=clock)
out = []
for t, kind in events:
    clock.t = t
    if kind == "send":
        wait = 0.0
        if limiter._enabled:
            try:
                tb.acquire(1, block=False)
            except CapacityNotAvailableError:
                wait = tb._sleep_amount(1)
        out.append([wait])
    else:
        limiter.on_receiving_response(throttled=(kind == "throttle"))
        out.append([tb.max_rate, limiter._rate_clocker.measured_rate, tb.available_capacity])
print(json.dumps(out))
"#;

/// The same report as the oracle's, from [`Limiter`].
fn run(events: &[(f64, &str)]) -> Vec<Vec<f64>> {
    let mut limiter = Limiter::new(events.first().map_or(0.0, |e| e.0));
    events
        .iter()
        .map(|&(t, kind)| match kind {
            "send" => vec![limiter.try_acquire(t).err().unwrap_or(0.0)],
            _ => {
                limiter.record(t, kind == "throttle");
                vec![
                    limiter.fill_rate(),
                    limiter.measured_rate(),
                    limiter.capacity(),
                ]
            }
        })
        .collect()
}

/// A steady sender: an attempt every `step` seconds, its response half a step later,
/// throttled at the attempts in `throttles`.
fn steady(n: usize, step: f64, start: f64, throttles: &[usize]) -> Vec<(f64, &'static str)> {
    (0..n)
        .flat_map(|i| {
            let t = start + step * i as f64;
            let kind = if throttles.contains(&i) {
                "throttle"
            } else {
                "ok"
            };
            [(t, "send"), (t + step / 2.0, kind)]
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn assert_same(ours: &[Vec<f64>], theirs: &[Vec<f64>]) {
    assert_eq!(ours.len(), theirs.len());
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a.len(), b.len(), "event {i}");
        for (x, y) in a.iter().zip(b) {
            assert!(close(*x, *y), "event {i}: ours {a:?}, botocore {b:?}");
        }
    }
}

/// botocore's report for `events`; `None` (after saying why) without python3 and botocore,
/// which fails under `CI=true`.
fn oracle(events: &[(f64, &str)]) -> Option<Vec<Vec<f64>>> {
    let probe = Command::new("python3")
        .args(["-c", "import botocore.retries.adaptive"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        let why = "python3 with botocore is not available (python3 -m pip install botocore)";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: {why}"
        );
        let _ = writeln!(std::io::stderr(), "rate limiter oracle skipped: {why}");
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let input = serde_json::to_vec(events).expect("events serialize");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write events");
    let out = child.wait_with_output().expect("the oracle runs");
    assert!(
        out.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("the oracle prints JSON"))
}

#[test]
fn matches_numbers_computed_with_botocore() {
    // 10 attempts a second, throttled at attempts 20, 21, 22 and 35.
    let report = run(&steady(60, 0.1, 0.0, &[20, 21, 22, 35]));
    let expect = |i: usize, values: &[f64]| {
        assert_same(&report[i..=i], &[values.to_vec()]);
    };
    // Before any throttle nothing waits; the rate follows the (capped) cubic curve.
    expect(38, &[0.0]);
    expect(39, &[2.96595, 9.984, 1.7555999999999998]);
    expect(41, &[6.9977599999999995, 9.9968, 2.0521949999999993]);
    expect(43, &[4.898432, 9.9968, 1.7519709999999997]);
    expect(47, &[3.6964970086364533, 9.9968, 0.5847044400000005]);
    // The bucket is short: the attempt would wait this long.
    expect(48, &[0.062348409596899]);
    expect(
        117,
        &[5.0569591723235945, 9.99999995904, 0.5819652672450186],
    );
    expect(118, &[0.0326652378454733]);
}

#[test]
fn a_first_throttle_limits_sends_to_half_a_token_per_second() {
    let mut limiter = Limiter::new(0.0);
    assert_eq!(limiter.try_acquire(0.0), Ok(()));
    limiter.record(0.0, true);
    // Nothing measured yet: the rate drops to the floor, the bucket is empty.
    assert_eq!(limiter.fill_rate(), MIN_FILL_RATE);
    assert_eq!(limiter.try_acquire(0.0), Err(2.0));
    assert_eq!(limiter.try_acquire(1.0), Err(1.0));
    assert_eq!(limiter.try_acquire(2.0), Ok(()));
    assert_eq!(limiter.try_acquire(2.0), Err(2.0));
}

#[test]
fn matches_botocore_on_varied_traffic() {
    let mut events = steady(80, 0.05, 1000.25, &[10, 11, 30, 31, 32, 33, 60]);
    let tail = events.last().map_or(0.0, |e| e.0);
    // A pause, a slower sender, more throttles.
    events.extend(steady(40, 0.3, tail + 7.0, &[5, 6, 20]));
    let Some(theirs) = oracle(&events) else {
        return;
    };
    assert_same(&run(&events), &theirs);
}

#[test]
fn the_shared_limiter_waits_on_the_tokio_clock() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    rt.block_on(async {
        let limiter = ClientRateLimiter::default();
        let start = Instant::now();
        limiter.acquire().await;
        limiter.record(false);
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.record(true);
        assert_eq!(limiter.fill_rate(), MIN_FILL_RATE);
        limiter.acquire().await;
        let waited = start.elapsed().as_secs_f64();
        assert!((2.0..2.01).contains(&waited), "{waited}");
    });
}
