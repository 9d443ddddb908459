//! The `anvil` command line: selection flags, diagnostics and exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn anvil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_anvil"))
}

fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../models")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn generate_with_operations_keeps_only_those() {
    let out = scratch("cli-one-op");
    let status = anvil()
        .args(["generate", "--out"])
        .arg(&out)
        .args(["--operations", "CreateIdentityProvider"])
        .arg(model("workspaces-web.json"))
        .output()
        .expect("anvil runs");
    assert!(status.status.success(), "{status:?}");
    let code = std::fs::read_to_string(out.join("src/workspacesweb.rs")).expect("written");
    assert!(code.contains("pub fn create_identity_provider(&self)"));
    assert!(out.join("Cargo.toml").is_file());
}

#[test]
fn an_unknown_operation_is_a_located_error() {
    let status = anvil()
        .args([
            "check",
            "--operations",
            "CreateIdentityProvider,NoSuchOperation",
        ])
        .arg(model("workspaces-web.json"))
        .output()
        .expect("anvil runs");
    assert_eq!(status.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(
        stderr.contains("`NoSuchOperation` was selected but service"),
        "{stderr}"
    );
    assert!(stderr.contains("workspaces-web.json:"), "located: {stderr}");
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["check", "--operations"][..],
        &["check", "--operations", "A,,B", "x.json"],
        &["check", "--bogus", "x.json"],
        &["generate", "x.json"],
        &[],
    ] {
        let status = anvil().args(args).output().expect("anvil runs");
        assert_eq!(status.status.code(), Some(2), "{args:?}: {status:?}");
    }
}
