//! Running a python3 oracle from a test: probing for the modules it needs (skipping with a
//! message when they are missing, failing under `CI=true`), and running a script with JSON on
//! stdin and JSON on stdout. Shared by the oracle tests (`#[path]`-included).

use std::io::Write;
use std::process::{Command, Stdio};

/// Whether `python3` can run `probe`. When it cannot, prints `<test> skipped: <why>` and
/// returns `false`; under `CI=true` with `required_in_ci`, fails the test instead.
#[allow(dead_code)] // Each test file uses some of it.
pub fn available(test: &str, probe: &str, why: &str, required_in_ci: bool) -> bool {
    let ok = Command::new("python3")
        .args(["-c", probe])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !required_in_ci || std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: {why}"
        );
        // Straight to stderr: libtest would hide `eprintln!` output of a passing test.
        let _ = writeln!(std::io::stderr(), "{test} skipped: {why}");
    }
    ok
}

/// Runs `python3 -c script args..` with `input` on stdin; its stdout parsed as JSON. Fails the
/// test when the script fails, with its stderr.
#[allow(dead_code)]
pub fn run_json(script: &str, args: &[&str], input: &str) -> serde_json::Value {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("the input is written");
    let out = child.wait_with_output().expect("the oracle runs");
    assert!(
        out.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the oracle prints JSON")
}
