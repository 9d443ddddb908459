//! Every official AWS model in `../shared/aws-models/` generates a standalone crate (through
//! `Config::write_crate`, what `anvil generate` runs) that builds with `-D warnings` and is
//! clean under `cargo clippy -- -D warnings`.
//!
//! The crates are written under the target directory (`<target>/tmp/official-models/<model>/`)
//! and built with one shared `CARGO_TARGET_DIR` beside them, so the runtime is compiled once
//! and reruns are incremental. The first run on a cold target directory takes several minutes.
//! Per model the test prints the generation time, the lines generated, the build time and the
//! clippy result; it fails if any model does not generate, build or pass clippy.
//! `OFFICIAL_MODELS=s3-,iam-` runs only the models whose file names start so.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Where the crates and their shared target directory go.
fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("official-models")
}

fn models() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-models");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the reference data ../shared must be beside the repository)",
            dir.display()
        )
    });
    let mut models: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    models.sort();
    // `OFFICIAL_MODELS=s3,iam` keeps only the models whose file name starts with one of these
    // (for local work; CI runs them all).
    if let Ok(only) = std::env::var("OFFICIAL_MODELS") {
        let only: Vec<&str> = only.split(',').filter(|s| !s.is_empty()).collect();
        models.retain(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            only.iter().any(|o| name.starts_with(o))
        });
    }
    models
}

/// `cargo <args>` in `dir`, with the shared target directory and none of the variables cargo
/// sets for this test process (build scripts watch some of them: the inner build would differ
/// from a plain one and rebuild every time).
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> (Output, Duration) {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars_os() {
        let name = key.to_string_lossy();
        let cargo_set = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_TARGET_DIR",
                "CARGO_BUILD_TARGET_DIR",
                "OUT_DIR",
                "RUSTFLAGS",
                "CARGO_ENCODED_RUSTFLAGS",
            ]
            .contains(&name.as_ref());
        if cargo_set {
            command.env_remove(key);
        }
    }
    command.env("CARGO_TARGET_DIR", target);
    let start = Instant::now();
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    (output, start.elapsed())
}

/// The last lines of a failed cargo run's stderr: enough to see the first errors.
fn tail(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines.len().saturating_sub(60);
    lines.get(start..).unwrap_or_default().join("\n")
}

#[test]
fn every_official_model_generates_a_crate_that_builds_without_warnings_and_passes_clippy() {
    let models = models();
    assert!(!models.is_empty(), "no models in ../shared/aws-models");
    let work = work_dir();
    let target = work.join("target");
    let runtime = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime"))
        .expect("the runtime crate is beside the tests crate");
    // The workspace's lock file pins the runtime's dependencies to the versions the workspace
    // builds with (already downloaded): no resolution, no network.
    let lock = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the workspace has a Cargo.lock");

    let total = Instant::now();
    let mut failures = Vec::new();
    let mut total_lines = 0usize;
    println!(
        "{:<28} {:>9} {:>8} {:>9} {:>12}",
        "model", "gen (ms)", "lines", "build (s)", "clippy (s)"
    );
    for model in &models {
        let name = model
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = work.join(&name);

        let start = Instant::now();
        let generated = anvil_codegen::Config::new()
            .model(model)
            .emit_rerun_if_changed(false)
            .write_crate(&dir, &runtime);
        let gen_ms = start.elapsed().as_millis();
        let generated = match generated {
            Ok(g) => g,
            Err(e) => {
                println!("{name:<28} generation failed");
                failures.push(format!("{name}: generation failed:\n{e}"));
                continue;
            }
        };
        for w in &generated.warnings {
            println!("{name}: generator warning: {w}");
        }
        let lines: usize = generated
            .files
            .iter()
            .map(|f| f.contents.lines().count())
            .sum();
        total_lines += lines;
        if std::fs::read(dir.join("Cargo.lock")).ok().as_deref() != Some(lock.as_slice()) {
            std::fs::write(dir.join("Cargo.lock"), &lock).expect("write Cargo.lock");
        }

        // `cargo rustc` passes `-D warnings` to the generated crate only (not to the runtime,
        // which has its own gates).
        let (build, build_time) = cargo(&dir, &target, &["rustc", "--lib", "--", "-D", "warnings"]);
        let (clippy, clippy_time) = cargo(&dir, &target, &["clippy", "--", "-D", "warnings"]);
        let clippy_result = if clippy.status.success() {
            "ok"
        } else {
            "FAILED"
        };
        println!(
            "{name:<28} {gen_ms:>9} {lines:>8} {:>9} {:>12}",
            if build.status.success() {
                format!("{:.1}", build_time.as_secs_f64())
            } else {
                "FAILED".to_string()
            },
            format!("{clippy_result} {:.1}", clippy_time.as_secs_f64()),
        );
        if !build.status.success() {
            failures.push(format!("{name}: cargo build failed:\n{}", tail(&build)));
        }
        if !clippy.status.success() {
            failures.push(format!("{name}: cargo clippy failed:\n{}", tail(&clippy)));
        }
    }
    println!(
        "{} models, {total_lines} lines generated, {:.1} s in all",
        models.len(),
        total.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
