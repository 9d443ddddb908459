//! What the test-harness generators share ([`crate::endpoint_tests`],
//! [`crate::example_tests`]): loading the models, the harness and runtime paths, a client
//! restricted to the operations a harness calls, and formatting.

use proc_macro2::TokenStream;

use crate::ir::{Selection, ServiceIr};
use crate::model::{Model, Source};
use crate::{Config, Diagnostic, Error, ModelSource};

/// A loaded harness generation run.
pub(crate) struct Run {
    pub(crate) model: Model,
    /// Warnings so far (errors end the run).
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The harness crate's path (`crate`, `::h`).
    pub(crate) harness: TokenStream,
    /// The runtime's path.
    pub(crate) rt: TokenStream,
}

impl Config {
    /// Loads `sources` and parses the two paths.
    pub(crate) fn harness_run(
        &self,
        sources: &[ModelSource<'_>],
        harness_path: &str,
    ) -> Result<Run, Error> {
        let sources: Vec<Source<'_>> = sources
            .iter()
            .map(|s| Source {
                name: s.name,
                text: s.text,
            })
            .collect();
        let outcome = crate::model::load(&sources);
        let diagnostics = outcome.diagnostics;
        let Some(model) = outcome.model else {
            return Err(Error { diagnostics });
        };
        let not_a_path = |p: &str| Error {
            diagnostics: vec![Diagnostic::error(format!("`{p}` is not a Rust path"))],
        };
        let harness: TokenStream = harness_path.parse().map_err(|_| not_a_path(harness_path))?;
        let rt: TokenStream = self
            .runtime_path
            .parse()
            .map_err(|_| not_a_path(&self.runtime_path))?;
        Ok(Run {
            model,
            diagnostics,
            harness,
            rt,
        })
    }

    /// Whether the run's service selection keeps the service `id` (`name` is its bare name).
    pub(crate) fn harness_selects(&self, id: &str, name: &str) -> bool {
        self.selection
            .services
            .as_ref()
            .is_none_or(|only| only.iter().any(|s| s == id || s == name))
    }

    /// The IR of service `id` restricted to `operations`, and its client's source.
    pub(crate) fn harness_client(
        &self,
        run: &mut Run,
        id: &str,
        operations: Vec<String>,
    ) -> Result<Option<(ServiceIr, String)>, Error> {
        let selection = Selection {
            services: Some(vec![id.to_owned()]),
            operations: Some(operations),
        };
        let (mut services, ir_diagnostics) = crate::ir::build(&run.model, &selection);
        run.diagnostics.extend(ir_diagnostics);
        if run.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Error {
                diagnostics: std::mem::take(&mut run.diagnostics),
            });
        }
        if services.is_empty() {
            return Ok(None);
        }
        let svc = services.remove(0);
        let client = if self.pretty {
            crate::emit::service_file(&svc, &self.runtime_path)
                .map_err(|e| internal("client", id, e))?
        } else {
            crate::emit::service_module(&svc, &self.runtime_path).to_string()
        };
        Ok(Some((svc, client)))
    }

    /// `tokens` as source text (formatted unless `pretty(false)`).
    pub(crate) fn harness_format(
        &self,
        tokens: TokenStream,
        what: &str,
        id: &str,
    ) -> Result<String, Error> {
        if self.pretty {
            crate::emit::format_file(tokens).map_err(|e| internal(what, id, e))
        } else {
            Ok(tokens.to_string())
        }
    }
}

fn internal(what: &str, id: &str, e: String) -> Error {
    Error {
        diagnostics: vec![Diagnostic::error(format!(
            "internal error: the {what} generated for `{id}` does not parse: {e}"
        ))],
    }
}
