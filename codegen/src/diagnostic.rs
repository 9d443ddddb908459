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

// Values the IR builder checks against the generated types (`@default`, labels), for its
// located diagnostics.

/// Why `node` cannot be the `@default` of a member of type `kind`, or `None` when it can.
/// Numbers must fit the Rust type (as Smithy's node validation requires of the Smithy type);
/// `NaN`, `Infinity` and `-Infinity` are accepted for floats, as in Smithy.
pub(crate) fn default_problem(kind: &crate::ir::Kind, node: &crate::model::Node) -> Option<String> {
    use crate::ir::Kind;
    let integer = |min: i64, max: i64, what: &str| -> Option<String> {
        let n = node.as_number()?;
        match n.as_i64().filter(|_| n.is_integer()) {
            Some(v) if (min..=max).contains(&v) => None,
            Some(_) => Some(format!(
                "{} is out of range for {what} ({min} to {max})",
                show_value(node)
            )),
            None => Some(format!("{} is not an integer", show_value(node))),
        }
    };
    let expect = |ok: bool, what: &str| {
        (!ok).then(|| format!("expected {what}, found {}", show_value(node)))
    };
    let is_number = node.as_number().is_some();
    let is_string = node.as_str().is_some();
    match kind {
        Kind::String | Kind::Enum(_) | Kind::Blob => expect(is_string, "a string"),
        Kind::Bool => expect(node.as_bool().is_some(), "a boolean"),
        Kind::Byte => expect(is_number, "an integer")
            .or_else(|| integer(i8::MIN.into(), i8::MAX.into(), "a byte")),
        Kind::Short => expect(is_number, "an integer")
            .or_else(|| integer(i16::MIN.into(), i16::MAX.into(), "a short")),
        Kind::Integer | Kind::IntEnum(_) => expect(is_number, "an integer")
            .or_else(|| integer(i32::MIN.into(), i32::MAX.into(), "an integer")),
        Kind::Long => {
            expect(is_number, "an integer").or_else(|| integer(i64::MIN, i64::MAX, "a long"))
        }
        Kind::Float | Kind::Double => {
            let special = matches!(node.as_str(), Some("NaN" | "Infinity" | "-Infinity"));
            let finite = node.as_number().and_then(|n| n.as_f64()).is_some_and(|f| {
                f.is_finite() && (matches!(kind, Kind::Double) || f.abs() <= f64::from(f32::MAX))
            });
            expect(special || finite, "a number in range")
        }
        Kind::BigInteger | Kind::BigDecimal => expect(is_number, "a number"),
        Kind::Timestamp => expect(is_number || is_string, "a number or a date-time string"),
        Kind::List { .. } => expect(
            node.as_array()
                .is_some_and(<[crate::model::Node]>::is_empty),
            "an empty list",
        ),
        Kind::Map { .. } | Kind::Struct(_) | Kind::Union(_) => expect(
            node.as_object()
                .is_some_and(<[(String, crate::model::Node)]>::is_empty),
            "an empty object",
        ),
        Kind::Document => None,
    }
}

/// The `{label}` names in a URI path or host prefix (`{name+}` gives `name`).
pub(crate) fn labels(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| {
            rest.split_once('}')
                .map(|(name, _)| name.trim_end_matches('+'))
        })
        .collect()
}

/// A short rendering of a scalar value for messages.
fn show_value(node: &crate::model::Node) -> String {
    use crate::model::NodeValue;
    match &node.value {
        NodeValue::Number(n) => n.as_text().to_string(),
        NodeValue::String(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        NodeValue::String(_) => "a string".to_string(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Null => "null".to_string(),
        NodeValue::Array(_) => "an array".to_string(),
        NodeValue::Object(_) => "an object".to_string(),
    }
}

/// The error for a runtime path (`Config::runtime_path`) that is not a Rust path such as
/// `::anvil_runtime` or `crate::rt`, or `None` when it is one.
pub(crate) fn runtime_path_problem(path: &str) -> Option<Diagnostic> {
    let problem = match syn::parse_str::<syn::Path>(path) {
        Ok(_) => return None,
        Err(e) => e.to_string(),
    };
    Some(
        Diagnostic::error(format!(
            "the runtime path `{path}` is not a Rust path ({problem})"
        ))
        .help("pass a path such as `::anvil_runtime` or `crate::runtime` to Config::runtime_path"),
    )
}
