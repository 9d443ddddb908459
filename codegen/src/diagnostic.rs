//! Located diagnostics: every problem the loader or the generator finds in a model.
//!
//! A diagnostic names the file, line and column, the shape it concerns, what is wrong and what
//! to do about it. Diagnostics are collected, never thrown: a run reports every problem at once.

use std::fmt;
use std::sync::Arc;

/// A position in a model file (1-based line and column, column counted in characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file name as given by the caller (a path, usually relative).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Span {
    /// A span pointing at `line:column` of `file`.
    pub fn new(file: Arc<str>, line: u32, column: u32) -> Self {
        Span { file, line, column }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Generation continues; the output may lack something (e.g. a skipped pattern check).
    Warning,
    /// The model is refused; nothing is generated.
    Error,
}

/// One problem found in a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is; `None` only for problems with no place in any file.
    pub span: Option<Span>,
    /// The shape (or member, `ns#Shape$member`) the problem concerns, when there is one.
    pub shape: Option<String>,
    /// What is wrong, one sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span: None,
            shape: None,
            message: message.into(),
            help: None,
        }
    }

    /// A new warning.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Sets the location.
    pub fn at(mut self, span: &Span) -> Self {
        self.span = Some(span.clone());
        self
    }

    /// Sets the location when there is one.
    pub fn at_opt(mut self, span: Option<&Span>) -> Self {
        self.span = span.cloned();
        self
    }

    /// Sets the shape the diagnostic concerns.
    pub fn shape(mut self, shape: impl fmt::Display) -> Self {
        self.shape = Some(shape.to_string());
        self
    }

    /// Sets the advice.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `error: models/a.json:12:7: shape `ns#Foo`: member targets unknown shape `ns#Bar``
    /// followed by an indented `help:` line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: ")?;
        if let Some(span) = &self.span {
            write!(f, "{span}: ")?;
        }
        if let Some(shape) = &self.shape {
            write!(f, "shape `{shape}`: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, line, column, then message, so output order is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics
        .sort_by(|a, b| (&a.span, &a.shape, &a.message).cmp(&(&b.span, &b.shape, &b.message)));
}
