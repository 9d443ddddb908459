//! Model authors' experience: a bad model is refused with every problem located
//! (`file:line:column`, the shape, what to do), in the library and through `cargo build`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anvil_codegen::{Config, ModelSource};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The workspaces-web model with `portalArn`'s target replaced by a shape that does not exist,
/// and the 1-based line and column where the replaced target value starts.
fn broken_workspaces_web() -> (String, usize, usize) {
    let text = std::fs::read_to_string(root().join("models/workspaces-web.json")).unwrap();
    let member = text.find("\"portalArn\"").expect("portalArn member");
    let key = member
        + text[member..]
            .find("\"target\"")
            .expect("target of portalArn");
    let colon = key + text[key..].find(':').unwrap();
    let open = colon + text[colon..].find('"').unwrap();
    let close = open + 1 + text[open + 1..].find('"').unwrap();
    let broken = format!(
        "{}\"com.amazonaws.workspacesweb#NoSuchShape\"{}",
        &text[..open],
        &text[close + 1..]
    );
    let line = text[..open].matches('\n').count() + 1;
    let line_start = text[..open].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..open].chars().count() + 1;
    (broken, line, column)
}

#[test]
fn unknown_target_names_file_line_column_and_shape() {
    let (broken, line, column) = broken_workspaces_web();
    let err = Config::new()
        .generate(&[ModelSource {
            name: "models/workspaces-web.json",
            text: &broken,
        }])
        .expect_err("a missing target is an error");
    let text = err.to_string();
    let located = format!("models/workspaces-web.json:{line}:{column}:");
    assert!(text.contains(&located), "expected `{located}` in:\n{text}");
    assert!(
        text.contains("com.amazonaws.workspacesweb#NoSuchShape"),
        "{text}"
    );
    assert!(text.contains("portalArn"), "names the member: {text}");
}

#[test]
fn every_error_of_a_model_is_reported_at_once() {
    let (broken, _, _) = broken_workspaces_web();
    // A second, independent mistake: an unknown shape type.
    let broken = broken.replacen("\"type\": \"list\"", "\"type\": \"lisst\"", 1);
    let err = Config::new()
        .generate(&[ModelSource {
            name: "ww.json",
            text: &broken,
        }])
        .expect_err("two errors");
    let errors = err.diagnostics.iter().filter(|d| d.is_error()).count();
    assert!(errors >= 2, "both problems reported: {err}");
    assert!(err.to_string().contains("lisst"), "{err}");
}

#[test]
fn broken_json_is_located_not_a_panic() {
    let text = std::fs::read_to_string(root().join("models/mpa.json")).unwrap();
    for cut in [1, text.len() / 3, text.len() / 2, text.len() - 2] {
        let truncated = &text[..text.floor_char_boundary(cut)];
        let err = Config::new()
            .generate(&[ModelSource {
                name: "mpa.json",
                text: truncated,
            }])
            .expect_err("truncated JSON is refused");
        assert!(err.to_string().contains("mpa.json:"), "{err}");
    }
}

/// The acceptance check as a user meets it: `cargo build` of a crate whose build script runs
/// the generator on the broken model fails, printing the located diagnostic.
#[test]
fn cargo_build_fails_with_the_located_diagnostic() {
    let (broken, line, column) = broken_workspaces_web();
    let dir = std::env::temp_dir().join(format!("anvil-build-failure-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("workspaces-web.json"), broken).unwrap();
    let codegen = root().join("codegen").canonicalize().unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"broken-model\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [build-dependencies]\nanvil-codegen = {{ path = {:?} }}\n\n[workspace]\n",
            codegen.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("build.rs"),
        "fn main() { anvil_codegen::Config::new().model(\"workspaces-web.json\").compile_or_exit(); }\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    // A target directory of its own, kept between runs, so the generator is built once.
    let target = root().join("target/build-failure-check");
    let out = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success(), "the build must fail");
    let located = format!("workspaces-web.json:{line}:{column}:");
    assert!(
        stderr.contains(&located),
        "expected `{located}` in:\n{stderr}"
    );
    assert!(
        stderr.contains("com.amazonaws.workspacesweb#NoSuchShape"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "no panic, no backtrace: {stderr}"
    );
}
