//! `anvil` — the command-line front end of anvil-codegen.
//!
//! ```text
//! anvil check MODEL.json...              load and validate only
//! anvil generate --out DIR MODEL.json... write a standalone crate into DIR
//! ```
//!
//! Both take `--services A,B` and `--operations X,Y` (comma-separated names or absolute ids)
//! to keep only those services and operations and the shapes they reach.
//!
//! `generate` writes `DIR/Cargo.toml` (package named after the first service module, depending
//! on `anvil-runtime` by path: `--runtime-dir PATH`, by default this repository's `runtime/`
//! as it was when `anvil` was built), `DIR/src/lib.rs` and one `DIR/src/<service>.rs` per
//! service. See `anvil_codegen::Config::write_crate`.
//!
//! Diagnostics go to stderr as `error: file:line:col: shape `id`: message` with a `help:`
//! line; the exit status is 1 on any error, 2 on bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  anvil check [SELECTION] MODEL.json...
  anvil generate --out DIR [--runtime-dir DIR] [SELECTION] MODEL.json...

SELECTION (comma-separated shape names or absolute ids; repeatable):
  --services A,B      only these services
  --operations X,Y    only these operations and the shapes they reach

generate writes a standalone crate: DIR/Cargo.toml, DIR/src/lib.rs, DIR/src/<service>.rs.
  --runtime-dir DIR   the anvil-runtime crate the generated crate depends on
                      (default: this repository's runtime/, as built)
  --runtime-path PATH the Rust path generated code uses for the runtime
                      (default ::anvil_runtime)";

/// The runtime crate of the repository this binary was built from.
const DEFAULT_RUNTIME_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(usage) => {
            eprintln!("{usage}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let (command, rest) = args.split_first().ok_or("no command given")?;
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut out: Option<PathBuf> = None;
    let mut runtime_path: Option<String> = None;
    let mut runtime_dir: Option<PathBuf> = None;
    let mut models = Vec::new();
    let mut services: Vec<String> = Vec::new();
    let mut operations: Vec<String> = Vec::new();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" | "-o" => out = Some(it.next().ok_or("--out needs a directory")?.into()),
            "--runtime-path" => {
                runtime_path = Some(it.next().ok_or("--runtime-path needs a path")?.clone())
            }
            "--runtime-dir" => {
                runtime_dir = Some(it.next().ok_or("--runtime-dir needs a directory")?.into())
            }
            "--services" => {
                services.extend(names(it.next().ok_or("--services needs names")?)?);
            }
            "--operations" => {
                operations.extend(names(it.next().ok_or("--operations needs names")?)?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            model => models.push(PathBuf::from(model)),
        }
    }
    if models.is_empty() {
        return Err("no model files given".into());
    }
    let mut config = anvil_codegen::Config::new()
        .models(models)
        .emit_rerun_if_changed(false);
    if let Some(p) = runtime_path {
        config = config.runtime_path(p);
    }
    if !services.is_empty() {
        config = config.services(services);
    }
    if !operations.is_empty() {
        config = config.operations(operations);
    }
    let result = match command.as_str() {
        "check" => config.check(),
        "generate" => {
            let out = out.ok_or("generate needs --out DIR")?;
            let runtime_dir = runtime_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_RUNTIME_DIR));
            // Cargo.toml resolves a relative path against its own directory, not ours: write
            // the runtime's absolute path, and refuse a directory that is not a crate.
            let runtime_dir = match std::fs::canonicalize(&runtime_dir) {
                Ok(dir) if dir.join("Cargo.toml").is_file() => dir,
                _ => {
                    eprintln!(
                        "error: the anvil-runtime crate is not at `{}`\n  help: pass --runtime-dir with the path of anvil's runtime/ directory",
                        runtime_dir.display()
                    );
                    return Ok(ExitCode::from(1));
                }
            };
            config.write_crate(&out, &runtime_dir)
        }
        other => return Err(format!("unknown command `{other}`")),
    };
    match result {
        Ok(generated) => {
            for w in &generated.warnings {
                eprintln!("{w}");
            }
            if command == "generate" {
                println!("wrote Cargo.toml, src/lib.rs");
                for f in &generated.files {
                    println!("wrote src/{}", f.name);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// `A,B` → `["A", "B"]`; an empty name is a usage error.
fn names(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(|n| {
            let n = n.trim();
            if n.is_empty() {
                Err(format!("empty name in `{list}`"))
            } else {
                Ok(n.to_string())
            }
        })
        .collect()
}
