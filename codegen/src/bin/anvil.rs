//! `anvil` — the command-line front end of anvil-codegen.
//!
//! ```text
//! anvil check MODEL.json...              load and validate only
//! anvil generate --out DIR MODEL.json... write one <service>.rs per service into DIR
//! ```
//!
//! Diagnostics go to stderr as `error: file:line:col: shape `id`: message` with a `help:`
//! line; the exit status is 1 on any error, 2 on bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  anvil check MODEL.json...
  anvil generate --out DIR [--runtime-path PATH] MODEL.json...";

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
    let mut out: Option<PathBuf> = None;
    let mut runtime_path: Option<String> = None;
    let mut models = Vec::new();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" | "-o" => out = Some(it.next().ok_or("--out needs a directory")?.into()),
            "--runtime-path" => {
                runtime_path = Some(it.next().ok_or("--runtime-path needs a path")?.clone())
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
    let result = match command.as_str() {
        "check" => config.check(),
        "generate" => {
            let out = out.ok_or("generate needs --out DIR")?;
            config.out_dir(out).compile()
        }
        other => return Err(format!("unknown command `{other}`")),
    };
    match result {
        Ok(generated) => {
            for w in &generated.warnings {
                eprintln!("{w}");
            }
            for f in &generated.files {
                if command == "generate" {
                    println!("wrote {}", f.name);
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
