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
mod endpoint_tests;
mod event_stream_tests;
mod example_tests;
mod harness;
mod protocol_tests;

pub use diagnostic::{Diagnostic, Severity, Span};

/// Settings for a generation run, built with chained `with`-style methods.
#[derive(Clone, Debug)]
pub struct Config {
    models: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    runtime_path: String,
    selection: ir::Selection,
    emit_rerun_if_changed: bool,
    pretty: bool,
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
            pretty: true,
        }
    }

    /// Whether generated code is formatted with `prettyplease` (default true). Off, each file
    /// is the token stream as rustc reads it, on one line: generation is several times faster
    /// (formatting is most of its cost) but the output is not for reading. For build scripts
    /// whose output nobody opens; snapshots, the CLI and [`write_crate`](Self::write_crate)
    /// should keep it on.
    pub fn pretty(mut self, on: bool) -> Self {
        self.pretty = on;
        self
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
        diagnostics.extend(diagnostic::runtime_path_problem(&self.runtime_path));
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
            let contents = if self.pretty {
                emit::service_file(service, &self.runtime_path)
            } else {
                Ok(emit::service_module(service, &self.runtime_path).to_string())
            };
            let contents = contents.map_err(|e| Error {
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

/// Standalone crates: what `anvil generate` writes.
impl Config {
    /// Reads the model files, generates, and writes a standalone crate into `dir`:
    ///
    /// - `Cargo.toml`: package named after the first service module (files are ordered by
    ///   name), depending on `anvil-runtime` at `runtime_dir` (written as given: absolute, or
    ///   relative to `dir`), with an empty `[workspace]` table so the crate builds on its own
    ///   (remove it to make the crate a member of an enclosing workspace);
    /// - `src/<service>.rs`: one file per service;
    /// - `src/lib.rs`: includes every service module and re-exports the runtime as `runtime`.
    ///
    /// Files are rewritten only when their content changed, so regenerating an unchanged model
    /// does not trigger a rebuild. The generated code names the runtime `::anvil_runtime`;
    /// leave [`runtime_path`](Self::runtime_path) at its default.
    pub fn write_crate(
        &self,
        dir: impl AsRef<Path>,
        runtime_dir: impl AsRef<Path>,
    ) -> Result<Generated, Error> {
        let dir = dir.as_ref();
        let runtime_dir = runtime_dir.as_ref();
        let generated = self.check()?;
        let Some(first) = generated.files.first() else {
            return Err(Error {
                diagnostics: vec![
                    Diagnostic::error("the model defines no service; there is no crate to write")
                        .help("add a service shape, or check the names given to Config::services"),
                ],
            });
        };
        let package = first.name.trim_end_matches(".rs");
        let Some(runtime) = runtime_dir.to_str() else {
            return Err(Error {
                diagnostics: vec![
                    Diagnostic::error(format!(
                        "the runtime directory `{}` is not valid UTF-8 and cannot be written to Cargo.toml",
                        runtime_dir.display()
                    ))
                    .help("move the runtime to a path that is valid UTF-8"),
                ],
            });
        };
        let models: Vec<String> = self
            .models
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or(p.as_os_str())
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let manifest = crate_manifest(package, runtime, &models);
        let lib = crate_lib(&generated.files, &models)?;
        let src = dir.join("src");
        std::fs::create_dir_all(&src).map_err(|e| Error::io(&src, "create", &e))?;
        write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
        write_if_changed(&src.join("lib.rs"), &lib)?;
        for file in &generated.files {
            write_if_changed(&src.join(&file.name), &file.contents)?;
        }
        Ok(generated)
    }
}

/// Writes `contents` to `path` unless the file already holds exactly that.
fn write_if_changed(path: &Path, contents: &str) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| Error::io(path, "write", &e))
}

/// `Cargo.toml` of a standalone generated crate.
fn crate_manifest(package: &str, runtime_dir: &str, models: &[String]) -> String {
    let description = format!("Clients generated by anvil from {}", models.join(", "));
    format!(
        "# Generated by anvil (anvil generate); regenerate rather than edit.\n\
         [package]\n\
         name = {name}\n\
         description = {description}\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         rust-version = \"1.85\"\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         anvil-runtime = {{ path = {runtime} }}\n\
         \n\
         # A workspace of its own, so the crate builds wherever it is written. Remove this table\n\
         # to make the crate a member of an enclosing workspace.\n\
         [workspace]\n",
        name = toml_string(package),
        description = toml_string(&description),
        runtime = toml_string(runtime_dir),
    )
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `src/lib.rs` of a standalone generated crate, through `quote!` and `prettyplease` like all
/// generated Rust.
fn crate_lib(files: &[GeneratedFile], models: &[String]) -> Result<String, Error> {
    let mut doc = vec![
        format!(" Clients generated by anvil from {}.", models.join(", ")),
        String::new(),
    ];
    for f in files {
        doc.push(format!(" - `{}`", f.name.trim_end_matches(".rs")));
    }
    doc.push(String::new());
    doc.push(" Regenerate with `anvil generate` rather than editing these files.".to_string());
    let names = files.iter().map(|f| f.name.as_str());
    let tokens = quote::quote! {
        #(#![doc = #doc])*
        #![forbid(unsafe_code)]
        #(include!(#names);)*
        /// The runtime these clients use: configuration, credentials, errors, paginators.
        pub use ::anvil_runtime as runtime;
    };
    emit::format_file(tokens).map_err(|e| Error {
        diagnostics: vec![
            Diagnostic::error(format!(
                "internal error: the generated lib.rs does not parse: {e}"
            ))
            .help("this is a bug in anvil-codegen; please report it with the model"),
        ],
    })
}

#[cfg(test)]
mod write_crate_tests {
    use super::*;

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(toml_string(r"C:\a b\x"), r#""C:\\a b\\x""#);
        assert_eq!(toml_string("q\"\n\u{1}"), r#""q\"\n\u0001""#);
    }

    #[test]
    fn lib_includes_every_service_and_reexports_the_runtime() {
        let files = vec![
            GeneratedFile {
                name: "alpha.rs".into(),
                contents: String::new(),
            },
            GeneratedFile {
                name: "beta.rs".into(),
                contents: String::new(),
            },
        ];
        let lib = crate_lib(&files, &["a.json".into()]).unwrap();
        let alpha = lib.find("include!(\"alpha.rs\");").unwrap();
        let beta = lib.find("include!(\"beta.rs\");").unwrap();
        assert!(alpha < beta, "{lib}");
        assert!(lib.contains("pub use ::anvil_runtime as runtime;"), "{lib}");
        assert!(
            lib.starts_with("//! Clients generated by anvil from a.json."),
            "{lib}"
        );
        assert!(lib.contains("#![forbid(unsafe_code)]"), "{lib}");
    }

    #[test]
    fn manifest_names_the_package_and_the_runtime_path() {
        let m = crate_manifest("svc", "/r\"t", &["m.json".into()]);
        assert!(m.contains("name = \"svc\"\n"), "{m}");
        assert!(m.contains("anvil-runtime = { path = \"/r\\\"t\" }"), "{m}");
        assert!(m.contains("\n[workspace]\n"), "{m}");
    }

    #[test]
    fn write_crate_writes_a_manifest_lib_and_services() {
        let dir = std::env::temp_dir().join(format!("anvil-write-crate-{}", std::process::id()));
        let model = dir.join("m.json");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            &model,
            r#"{"smithy":"2.0","shapes":{"ex.a#Svc":{"type":"service","version":"1"}}}"#,
        )
        .unwrap();
        let out = dir.join("crate");
        let generated = Config::new()
            .model(&model)
            .emit_rerun_if_changed(false)
            .write_crate(&out, "/rt")
            .unwrap();
        assert_eq!(generated.files.len(), 1);
        let name = &generated.files[0].name;
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
        let package = name.trim_end_matches(".rs");
        assert!(
            manifest.contains(&format!("name = \"{package}\"")),
            "{manifest}"
        );
        let lib = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
        assert!(lib.contains(&format!("include!(\"{name}\");")), "{lib}");
        assert_eq!(
            std::fs::read_to_string(out.join("src").join(name)).unwrap(),
            generated.files[0].contents
        );
        // A model without a service: an error, nothing written.
        std::fs::write(&model, r#"{"smithy":"2.0","shapes":{}}"#).unwrap();
        let empty = dir.join("empty");
        let err = Config::new()
            .model(&model)
            .emit_rerun_if_changed(false)
            .write_crate(&empty, "/rt")
            .unwrap_err();
        assert!(err.to_string().contains("no service"), "{err}");
        assert!(!empty.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
