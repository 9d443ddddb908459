//! Generates, from every model in `ANVIL_MODELS_DIR` (default: the official models in
//! `shared/aws-models/` beside the repository) that documents examples, each client
//! restricted to the operations with examples, and one check per example
//! (`Config::example_tests`), into `OUT_DIR`. The models are read in place.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=ANVIL_MODELS_DIR");
    let dir = match std::env::var_os("ANVIL_MODELS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/aws-models"),
    };
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) => fail(&format!(
            "cannot read the model directory {}: {e}",
            dir.display()
        )),
    };
    paths.sort();
    let mut texts = Vec::new();
    for path in &paths {
        println!("cargo:rerun-if-changed={}", path.display());
        match std::fs::read_to_string(path) {
            // Only models that document examples are loaded.
            Ok(text) if text.contains("smithy.api#examples") => {
                texts.push((path.display().to_string(), text));
            }
            Ok(_) => {}
            Err(e) => fail(&format!("cannot read {}: {e}", path.display())),
        }
    }
    let sources: Vec<anvil_codegen::ModelSource<'_>> = texts
        .iter()
        .map(|(name, text)| anvil_codegen::ModelSource { name, text })
        .collect();
    let generated = anvil_codegen::Config::new()
        .example_tests(&sources, "crate")
        .unwrap_or_else(|e| fail(&e.to_string()));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    for file in &generated.files {
        let path = out.join(&file.name);
        let same = std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes());
        if !same && let Err(e) = std::fs::write(&path, &file.contents) {
            fail(&format!("cannot write {}: {e}", path.display()));
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
