//! anvil-codegen: Smithy 2.0 JSON AST models in, Rust clients out.
//!
//! The pipeline is `model` (load, merge, check: located diagnostics) → `ir` (names, types,
//! bindings decided) → `emit` + `protocol` (tokens through `quote!`) → `prettyplease`.
//! [`Config::generate`] does all of it in memory; [`Config::compile`] is the `build.rs` front
//! end that reads the model files and writes one `<service>.rs` per service into `OUT_DIR`.
//!
//! ```no_run
//! // build.rs: `fn main() { ... }` around this
//! anvil_codegen::Config::new()
//!     .model("models/workspaces-web.json")
//!     .compile_or_exit();
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! include!(concat!(env!("OUT_DIR"), "/workspacesweb.rs"));
//! ```
#![deny(missing_docs)]

use std::fmt;
use std::path::{Path, PathBuf};

pub mod diagnostic;
pub mod docs;
pub mod ir;
pub mod model;
pub mod naming;
pub mod pattern;

mod emit;
mod protocol;

pub use diagnostic::{Diagnostic, Severity, Span};

/// Settings for a generation run, built with chained `with`-style methods.
#[derive(Clone, Debug)]
pub struct Config {
    models: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    runtime_path: String,
    selection: ir::Selection,
    emit_rerun_if_changed: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name, `<service module>.rs`.
    pub name: String,
    /// Formatted Rust source.
    pub contents: String,
}

/// The result of a successful run.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// One file per service, ordered by name.
    pub files: Vec<GeneratedFile>,
    /// Warnings (e.g. patterns no engine accepts, which are not checked).
    pub warnings: Vec<Diagnostic>,
}

/// A failed run: every diagnostic found, errors and warnings, in file order.
#[derive(Clone, Debug)]
pub struct Error {
    /// All diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "{errors} error{} in the Smithy model; nothing was generated",
            if errors == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Error {}

impl Error {
    fn io(path: &Path, what: &str, e: &std::io::Error) -> Self {
        Error {
            diagnostics: vec![
                Diagnostic::error(format!("cannot {what} `{}`: {e}", path.display()))
                    .help("check the path given to anvil_codegen::Config"),
            ],
        }
    }
}

/// A model file's name and text, for [`Config::generate`].
#[derive(Clone, Copy, Debug)]
pub struct ModelSource<'a> {
    /// The name used in diagnostics (usually the path).
    pub name: &'a str,
    /// The JSON text.
    pub text: &'a str,
}

impl Config {
    /// Defaults: no models, `OUT_DIR` from the environment, runtime crate `::anvil_runtime`,
    /// every service, `cargo:rerun-if-changed` lines printed by [`compile`](Self::compile).
    pub fn new() -> Self {
        Config {
            models: Vec::new(),
            out_dir: None,
            runtime_path: "::anvil_runtime".to_string(),
            selection: ir::Selection::default(),
            emit_rerun_if_changed: true,
        }
    }

    /// Adds a model file (JSON AST). Several files are merged into one model.
    pub fn model(mut self, path: impl Into<PathBuf>) -> Self {
        self.models.push(path.into());
        self
    }

    /// Adds several model files.
    pub fn models<P: Into<PathBuf>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.models.extend(paths.into_iter().map(Into::into));
        self
    }

    /// Where [`compile`](Self::compile) writes; defaults to `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The path generated code uses for the runtime crate (default `::anvil_runtime`), for
    /// crates that re-export or rename it.
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = path.into();
        self
    }

    /// Generates only these services (shape names or absolute shape ids).
    pub fn services<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.selection.services = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Generates only these operations (shape names, or absolute ids) and the shapes they
    /// reach: a smaller client that compiles faster. A name no selected service has is an error.
    pub fn operations<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.selection.operations = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Whether [`compile`](Self::compile) prints `cargo:rerun-if-changed` lines (default true).
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.emit_rerun_if_changed = on;
        self
    }

    /// Generates code from in-memory sources, with no I/O. The configured model paths are not
    /// read (they are for [`compile`](Self::compile)).
    pub fn generate(&self, sources: &[ModelSource<'_>]) -> Result<Generated, Error> {
        let sources: Vec<model::Source<'_>> = sources
            .iter()
            .map(|s| model::Source {
                name: s.name,
                text: s.text,
            })
            .collect();
        let outcome = model::load(&sources);
        let mut diagnostics = outcome.diagnostics;
        let Some(model) = outcome.model else {
            return Err(Error { diagnostics });
        };
        let (services, ir_diagnostics) = ir::build(&model, &self.selection);
        diagnostics.extend(ir_diagnostics);
        diagnostic::sort(&mut diagnostics);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Error { diagnostics });
        }
        let mut files = Vec::new();
        for service in &services {
            let tokens = emit::service_module(service, &self.runtime_path);
            let contents = emit::format_file(tokens).map_err(|e| Error {
                diagnostics: vec![
                    Diagnostic::error(format!(
                        "internal error: the code generated for service `{}` does not parse: {e}",
                        service.id
                    ))
                    .shape(&service.id)
                    .help("this is a bug in anvil-codegen; please report it with the model"),
                ],
            })?;
            files.push(GeneratedFile {
                name: format!("{}.rs", service.module),
                contents,
            });
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Generated {
            files,
            warnings: diagnostics,
        })
    }

    /// Reads the model files, generates, and writes each file into the output directory —
    /// only when its content changed, so unchanged output does not trigger rebuilds.
    pub fn compile(&self) -> Result<Generated, Error> {
        let generated = self.check()?;
        self.write(&generated)?;
        Ok(generated)
    }

    /// Reads the model files and generates in memory, writing nothing: what `anvil check`
    /// runs. Prints `cargo:rerun-if-changed` lines when enabled.
    pub fn check(&self) -> Result<Generated, Error> {
        let mut texts = Vec::new();
        for path in &self.models {
            if self.emit_rerun_if_changed {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "read", &e))?;
            texts.push((path.display().to_string(), text));
        }
        let sources: Vec<ModelSource<'_>> = texts
            .iter()
            .map(|(name, text)| ModelSource { name, text })
            .collect();
        self.generate(&sources)
    }

    fn write(&self, generated: &Generated) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| Error {
                    diagnostics: vec![
                        Diagnostic::error("OUT_DIR is not set and no out_dir was configured")
                            .help("call Config::out_dir, or run from a build script"),
                    ],
                })?,
        };
        std::fs::create_dir_all(&out_dir).map_err(|e| Error::io(&out_dir, "create", &e))?;
        for file in &generated.files {
            let path = out_dir.join(&file.name);
            let same = std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes());
            if !same {
                std::fs::write(&path, &file.contents).map_err(|e| Error::io(&path, "write", &e))?;
            }
        }
        Ok(())
    }

    /// [`compile`](Self::compile) for build scripts: warnings become `cargo:warning` lines; on
    /// error the located diagnostics are printed to stderr and the process exits with status 1
    /// (no panic, no backtrace).
    pub fn compile_or_exit(&self) -> Generated {
        match self.compile() {
            Ok(generated) => {
                for w in &generated.warnings {
                    for line in w.to_string().lines() {
                        println!("cargo:warning={line}");
                    }
                }
                generated
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
}
