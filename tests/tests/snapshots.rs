//! Snapshots of the generated code (reviewable output; a test fails when it is stale), and
//! determinism: the same models always give byte-identical files.
//!
//! Update after an intended change with `cargo insta review` (or `INSTA_UPDATE=always`).

use std::path::{Path, PathBuf};

use anvil_codegen::{Config, GeneratedFile, ModelSource};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn generate(paths: &[PathBuf]) -> Vec<GeneratedFile> {
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                read(p),
            )
        })
        .collect();
    let sources: Vec<ModelSource<'_>> = texts
        .iter()
        .map(|(name, text)| ModelSource { name, text })
        .collect();
    match Config::new().generate(&sources) {
        Ok(g) => g.files,
        Err(e) => panic!("generation failed:\n{e}"),
    }
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/models"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn mission_models() {
    for model in ["mpa.json", "workspaces-web.json"] {
        let files = generate(&[root().join("models").join(model)]);
        assert_eq!(files.len(), 1, "{model} has one service");
        for f in files {
            insta::assert_snapshot!(
                format!("models__{}", f.name.trim_end_matches(".rs")),
                f.contents
            );
        }
    }
}

#[test]
fn fixture_models() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "fixture models are present");
    for path in fixtures {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for f in generate(std::slice::from_ref(&path)) {
            insta::assert_snapshot!(
                format!("fixtures__{stem}__{}", f.name.trim_end_matches(".rs")),
                f.contents
            );
        }
    }
}

#[test]
fn generation_is_byte_identical_across_runs_and_input_order() {
    let mpa = root().join("models/mpa.json");
    let web = root().join("models/workspaces-web.json");
    let first = generate(&[mpa.clone(), web.clone()]);
    let second = generate(&[mpa.clone(), web.clone()]);
    let reversed = generate(&[web, mpa]);
    assert_eq!(first, second);
    assert_eq!(first, reversed);
    for path in fixtures() {
        let a = generate(std::slice::from_ref(&path));
        let b = generate(std::slice::from_ref(&path));
        assert_eq!(a, b, "{}", path.display());
    }
}
