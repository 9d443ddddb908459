//! JMESPath over shapes, for waiters: the expression tree ([`Expr`], as the generator
//! parsed and embeds it: the runtime has no JMESPath syntax to refuse), the data model
//! ([`Value`], what a structure looks like to an expression: members by name, timestamps as
//! epoch seconds, blobs as base64) and the evaluator.
//!
//! The tree follows the JMESPath specification's grammar (<https://jmespath.org/specification.html>):
//! projections are explicit nodes, so evaluation needs no precedence rules.
//!
//! [`to_value`] turns a structure into a [`Value`] by the Smithy waiters data model;
//! [`Expr::evaluate`] evaluates an expression over one, failing with an [`EvalError`] only
//! where the specification raises an error (a function given an argument of the wrong type,
//! ``length(`5`)``). Where Python's `jmespath` (botocore's) differs from the specification,
//! the specification is followed: ordering operators compare numbers only, `to_number` takes
//! JSON numbers only, and `1` never equals `true`, however deeply nested.
//!
//! ```
//! use anvil_runtime::jmespath::{Comparator, Expr, Literal, Value};
//!
//! // `Instances[?State == 'running'].Id | [0]`
//! static RUNNING: Expr = Expr::Pipe(
//!     &Expr::FilterProjection {
//!         left: &Expr::Field("Instances"),
//!         right: &Expr::Field("Id"),
//!         condition: &Expr::Compare(
//!             Comparator::Eq,
//!             &Expr::Field("State"),
//!             &Expr::Literal(Literal::String("running")),
//!         ),
//!     },
//!     &Expr::Index(0),
//! );
//! let instance = |id: &str, state: &str| {
//!     Value::Object(vec![("Id".into(), id.into()), ("State".into(), state.into())])
//! };
//! let output = Value::Object(vec![(
//!     "Instances".into(),
//!     Value::Array(vec![instance("i-1", "pending"), instance("i-2", "running")]),
//! )]);
//! assert_eq!(RUNNING.evaluate(&output), Ok(Value::from("i-2")));
//! ```

mod eval;
mod functions;
mod shape;
mod value;

pub use eval::{ErrorKind, EvalError};
pub use shape::to_value;
pub use value::Value;

/// A JMESPath expression. Every node is `'static`: the generator writes each expression as a
/// constant tree.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expr {
    /// `@`: the current value.
    Current,
    /// A literal: `` `json` `` or `'raw string'`.
    Literal(Literal),
    /// `name` or `"name"`: the member of an object (`null` on anything else).
    Field(&'static str),
    /// `left.right`: `right` evaluated on the value of `left`.
    Sub(&'static Expr, &'static Expr),
    /// `[n]` on the current value: an array's element (negative `n` from the end), else `null`.
    Index(i64),
    /// `[start:stop:step]` on the current value: an array's slice, else `null`. A step of 0
    /// is refused by the generator.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `left[index]`: `right` (an [`Expr::Index`]) evaluated on the value of `left`.
    IndexExpr(&'static Expr, &'static Expr),
    /// A list projection (`left[*].right`, `left[]`, `left[1:3]`): when `left` is an array,
    /// `right` on each element, keeping the non-`null` results; else `null`.
    Projection(&'static Expr, &'static Expr),
    /// An object projection (`left.*.right`): `right` on each of an object's values, keeping
    /// the non-`null` results; else `null`.
    ValueProjection(&'static Expr, &'static Expr),
    /// A filter projection (`left[?condition].right`): like [`Expr::Projection`] over the
    /// elements for which `condition` is truthy.
    FilterProjection {
        /// The value projected.
        left: &'static Expr,
        /// What is taken of each kept element.
        right: &'static Expr,
        /// Which elements are kept.
        condition: &'static Expr,
    },
    /// `left[]` merged one level: an array whose array elements are spliced in; `null` when
    /// `left` is not an array.
    Flatten(&'static Expr),
    /// `left <op> right`.
    Compare(Comparator, &'static Expr, &'static Expr),
    /// `left && right`.
    And(&'static Expr, &'static Expr),
    /// `left || right`.
    Or(&'static Expr, &'static Expr),
    /// `!expr`.
    Not(&'static Expr),
    /// `left | right`: `right` on the result of `left` (ends a projection).
    Pipe(&'static Expr, &'static Expr),
    /// `[a, b]` on the current value (`null` when the current value is `null`).
    MultiList(&'static [Expr]),
    /// `{k: a, ...}` on the current value (`null` when the current value is `null`).
    MultiHash(&'static [(&'static str, Expr)]),
    /// `name(args...)`; the generator checked the name and the number of arguments.
    Function(Function, &'static [Expr]),
    /// `&expr`: an expression reference, only meaningful as a function argument.
    ExpRef(&'static Expr),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A built-in function of the JMESPath specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// `abs(number)`
    Abs,
    /// `avg(array[number])`
    Avg,
    /// `ceil(number)`
    Ceil,
    /// `contains(array|string, any)`
    Contains,
    /// `ends_with(string, string)`
    EndsWith,
    /// `floor(number)`
    Floor,
    /// `join(string, array[string])`
    Join,
    /// `keys(object)`
    Keys,
    /// `length(string|array|object)`
    Length,
    /// `map(&expr, array)`
    Map,
    /// `max(array[number]|array[string])`
    Max,
    /// `max_by(array, &expr)`
    MaxBy,
    /// `merge(object...)`
    Merge,
    /// `min(array[number]|array[string])`
    Min,
    /// `min_by(array, &expr)`
    MinBy,
    /// `not_null(any...)`
    NotNull,
    /// `reverse(string|array)`
    Reverse,
    /// `sort(array[number]|array[string])`
    Sort,
    /// `sort_by(array, &expr)`
    SortBy,
    /// `starts_with(string, string)`
    StartsWith,
    /// `sum(array[number])`
    Sum,
    /// `to_array(any)`
    ToArray,
    /// `to_number(any)`
    ToNumber,
    /// `to_string(any)`
    ToString,
    /// `type(any)`
    Type,
    /// `values(object)`
    Values,
}

/// A literal value, as written in the expression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string (a raw string literal, or a JSON string in backticks).
    String(&'static str),
    /// A JSON array.
    Array(&'static [Literal]),
    /// A JSON object, its members in the order written.
    Object(&'static [(&'static str, Literal)]),
}

impl Function {
    /// The function's name in expressions (`max_by`).
    pub fn name(self) -> &'static str {
        match self {
            Function::Abs => "abs",
            Function::Avg => "avg",
            Function::Ceil => "ceil",
            Function::Contains => "contains",
            Function::EndsWith => "ends_with",
            Function::Floor => "floor",
            Function::Join => "join",
            Function::Keys => "keys",
            Function::Length => "length",
            Function::Map => "map",
            Function::Max => "max",
            Function::MaxBy => "max_by",
            Function::Merge => "merge",
            Function::Min => "min",
            Function::MinBy => "min_by",
            Function::NotNull => "not_null",
            Function::Reverse => "reverse",
            Function::Sort => "sort",
            Function::SortBy => "sort_by",
            Function::StartsWith => "starts_with",
            Function::Sum => "sum",
            Function::ToArray => "to_array",
            Function::ToNumber => "to_number",
            Function::ToString => "to_string",
            Function::Type => "type",
            Function::Values => "values",
        }
    }
}
