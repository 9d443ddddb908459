//! Generates, from the official models in `shared/aws-models/` whose endpoint tests give
//! `operationInputs` (DynamoDB, S3, STS), each client restricted to the operations those
//! cases call, and the cases themselves, into `OUT_DIR` (`Config::endpoint_tests`).

use std::path::{Path, PathBuf};

/// The models, by file name.
const MODELS: &[&str] = &[
    "dynamodb-2012-08-10.json",
    "s3-2006-03-01.json",
    "sts-2011-06-15.json",
];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/aws-models");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    for model in MODELS {
        let path = dir.join(model);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => fail(&format!("cannot read {}: {e}", path.display())),
        };
        let name = path.display().to_string();
        let sources = [anvil_codegen::ModelSource {
            name: &name,
            text: &text,
        }];
        let generated = anvil_codegen::Config::new()
            .endpoint_tests(&sources, "crate")
            .unwrap_or_else(|e| fail(&e.to_string()));
        for file in &generated.files {
            let path = out.join(&file.name);
            let same = std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes());
            if !same && let Err(e) = std::fs::write(&path, &file.contents) {
                fail(&format!("cannot write {}: {e}", path.display()));
            }
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
