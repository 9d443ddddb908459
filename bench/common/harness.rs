//! Measurement code shared by both consumers (`anchor-consumer`, `anvil-consumer`), included
//! with `#[path]` so the two sides are timed by exactly the same lines: argument parsing, the
//! call loop (sequential or N concurrent tasks), process CPU time and the result line that
//! `bench/run.sh` parses.

#![allow(dead_code)] // each consumer uses its part

use std::future::Future;
use std::time::{Duration, Instant};

/// The response every call gets from `bench/server` (and that each consumer checks it parsed).
pub const EXPECTED_ARN: &str = "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/11111111-2222-3333-4444-555555555555/66666666-7777-8888-9999-000000000000";

/// The web portal ARN both consumers send.
pub const PORTAL_ARN: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-3333-4444-555555555555";

/// What the command line asked for.
#[derive(Debug)]
pub enum Mode {
    /// One call; endpoint, region and credentials from the environment unless given.
    Once { endpoint: Option<String> },
    /// `calls` calls against `endpoint`, `concurrency` at a time.
    Bench {
        endpoint: String,
        calls: u64,
        concurrency: u64,
    },
    /// Times input validation (anvil only).
    Validate { iterations: u64 },
}

/// Usage text.
pub const USAGE: &str = "usage: CONSUMER [once [--endpoint URL]]
       CONSUMER bench --endpoint URL [--calls N] [--concurrency C]
       CONSUMER validate [--iterations N]";

/// Parses `once | bench | validate` and their flags.
pub fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Mode, String> {
    let mode = args.next().unwrap_or_else(|| "once".to_string());
    let mut endpoint = None;
    let mut calls = 5000u64;
    let mut concurrency = 1u64;
    let mut iterations = 100_000u64;
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--endpoint" => endpoint = Some(value.clone()),
            "--calls" => calls = number()?,
            "--concurrency" => concurrency = number()?,
            "--iterations" => iterations = number()?,
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    match mode.as_str() {
        "once" => Ok(Mode::Once { endpoint }),
        "bench" => Ok(Mode::Bench {
            endpoint: endpoint.ok_or_else(|| format!("bench needs --endpoint\n{USAGE}"))?,
            calls: calls.max(1),
            concurrency: concurrency.clamp(1, calls.max(1)),
        }),
        "validate" => Ok(Mode::Validate {
            iterations: iterations.max(1),
        }),
        other => Err(format!("unknown mode {other}\n{USAGE}")),
    }
}

/// CPU time (user + system, all threads) this process has used so far, from
/// `/proc/self/stat` (fields 14 and 15, in clock ticks of 1/100 s: Linux's fixed `USER_HZ`).
pub fn process_cpu_time() -> Result<Duration, String> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| format!("cannot read /proc/self/stat: {e}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("unexpected /proc/self/stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    let tick = |i: usize| -> Result<u64, String> {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or_else(|| "unexpected /proc/self/stat format".to_string())
    };
    let ticks = tick(11)?.saturating_add(tick(12)?);
    Ok(Duration::from_millis(ticks.saturating_mul(10)))
}

/// Runs `calls` calls of `call`, `concurrency` tasks at a time (each task makes its share
/// sequentially), after an unmeasured warm-up that opens the connections; prints the result
/// line and returns an error if any call failed.
pub async fn run_calls<F, Fut>(calls: u64, concurrency: u64, call: F) -> Result<(), String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let warmup = (concurrency * 4).max(200);
    spread(warmup, concurrency, call.clone()).await?;
    let cpu_before = process_cpu_time()?;
    let start = Instant::now();
    spread(calls, concurrency, call).await?;
    let wall = start.elapsed();
    let cpu = process_cpu_time()?.saturating_sub(cpu_before);
    let per = |d: Duration| d.as_secs_f64() * 1e6 / calls as f64;
    println!(
        "RESULT mode=bench calls={calls} concurrency={concurrency} cpu_us_per_call={:.2} wall_us_per_call={:.2} cpu_s={:.3} wall_s={:.3}",
        per(cpu),
        per(wall),
        cpu.as_secs_f64(),
        wall.as_secs_f64()
    );
    Ok(())
}

async fn spread<F, Fut>(calls: u64, concurrency: u64, call: F) -> Result<(), String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let share = calls / concurrency + u64::from(t < calls % concurrency);
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                call().await?;
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| format!("task failed: {e}"))??;
    }
    Ok(())
}

/// Times `f` up to `iterations` times, one call per measurement, after a warm-up of a tenth
/// as many; both phases are also bounded in time (1 s of warm-up, 10 s of measurement), so a
/// slow build still finishes. Prints the count measured and the median, minimum and 90th
/// percentile in nanoseconds.
pub fn time_each(iterations: u64, mut f: impl FnMut()) {
    let warmup_start = Instant::now();
    for _ in 0..(iterations / 10).max(100) {
        f();
        if warmup_start.elapsed() > Duration::from_secs(1) {
            break;
        }
    }
    let mut samples: Vec<u128> = Vec::with_capacity(usize::try_from(iterations).unwrap_or(0));
    let measure_start = Instant::now();
    for _ in 0..iterations {
        let start = Instant::now();
        f();
        samples.push(start.elapsed().as_nanos());
        if measure_start.elapsed() > Duration::from_secs(10) && samples.len() >= 5 {
            break;
        }
    }
    samples.sort_unstable();
    let at = |q: f64| {
        let i = ((samples.len().saturating_sub(1)) as f64 * q) as usize;
        samples.get(i).copied().unwrap_or(0)
    };
    println!(
        "RESULT mode=validate iterations={} median_ns={} min_ns={} p90_ns={}",
        samples.len(),
        at(0.5),
        at(0.0),
        at(0.9)
    );
}
