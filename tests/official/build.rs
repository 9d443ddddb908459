//! Generates the client for the official Amazon WorkSpaces Web model from the reference data
//! beside the repository (`../shared/aws-models/`); the model is read in place, never copied.

use std::path::Path;

/// `tests/official/` is two levels below the repository, beside which `shared/` lives.
const MODEL: &str = "../../../shared/aws-models/workspaces-web-2020-07-08.json";

fn main() {
    if !Path::new(MODEL).is_file() {
        eprintln!(
            "error: the official WorkSpaces Web model is missing: {MODEL} (relative to {})\n  \
             help: anvil-official-clients generates its client from the reference data in \
             ../shared beside the repository; put it there (or leave this crate out of the build)",
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()
        );
        println!("cargo:rerun-if-changed={MODEL}");
        std::process::exit(1);
    }
    anvil_codegen::Config::new().model(MODEL).compile_or_exit();
}
