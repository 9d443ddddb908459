//! For each model in a directory (default `../../../shared/aws-models` from this crate), the
//! median over `--runs N` runs (default 7, after one warm-up run) of
//! (a) `serde_json::from_str::<serde_json::Value>` of the file: the parse floor, and
//! (b) `anvil_codegen::Config::generate`: the whole generation (load, check, IR, emit,
//!     formatting), writing nothing.
//!
//! Prints one `RESULT model=... parse_ms=... generate_ms=...` line per model. Build it with
//! `--release`: the figures are for a release-built generator.

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() -> std::process::ExitCode {
    let mut dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/aws-models"
    ));
    let mut runs = 7usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--models" => dir = PathBuf::from(value),
            "--runs" => match value.parse::<usize>() {
                Ok(n) if n > 0 => runs = n,
                _ => return usage(),
            },
            _ => return usage(),
        }
    }
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(e) => {
            eprintln!("gen-timing: cannot read {}: {e}", dir.display());
            return std::process::ExitCode::FAILURE;
        }
    };
    paths.sort();
    let mut failed = false;
    for path in &paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                println!("RESULT model={name} error=read:{e}");
                failed = true;
                continue;
            }
        };
        let parse = median(runs, || {
            std::hint::black_box(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        });
        let config = anvil_codegen::Config::new();
        let source = [anvil_codegen::ModelSource {
            name: &name,
            text: &text,
        }];
        let (lines, operations) = match config.generate(&source) {
            Ok(g) => (
                g.files
                    .iter()
                    .map(|f| f.contents.lines().count())
                    .sum::<usize>(),
                count_operations(&text),
            ),
            Err(e) => {
                let first = e.to_string().lines().next().unwrap_or_default().to_string();
                println!(
                    "RESULT model={name} error=generate:{}",
                    first.replace(' ', "_")
                );
                failed = true;
                continue;
            }
        };
        let generate = median(runs, || {
            std::hint::black_box(config.generate(&source).is_ok());
        });
        // The same without prettyplease (`Config::pretty(false)`): the token stream as text.
        let raw_config = anvil_codegen::Config::new().pretty(false);
        let generate_raw = median(runs, || {
            std::hint::black_box(raw_config.generate(&source).is_ok());
        });
        println!(
            "RESULT model={name} bytes={} operations={operations} generated_lines={lines} parse_ms={:.2} generate_ms={:.2} generate_raw_ms={:.2} runs={runs}",
            text.len(),
            ms(parse),
            ms(generate),
            ms(generate_raw)
        );
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

fn usage() -> std::process::ExitCode {
    eprintln!("usage: gen-timing [--models DIR] [--runs N]");
    std::process::ExitCode::FAILURE
}

/// Median wall time of `runs` runs of `f`, after one warm-up run.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    samples.get(runs / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Operation shapes in the model, for the table.
fn count_operations(text: &str) -> usize {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.get("shapes")?.as_object().map(|shapes| {
                shapes
                    .values()
                    .filter(|s| s.get("type").and_then(|t| t.as_str()) == Some("operation"))
                    .count()
            })
        })
        .unwrap_or(0)
}
