//! Evaluation of an [`Expr`] over a [`Value`], by the JMESPath specification
//! (<https://jmespath.org/specification.html>).
//!
//! Results borrow from the input where they can ([`Cow`]): a path down a large response
//! copies only what it selects.

use std::borrow::Cow;
use std::fmt;

use super::functions::{self, Arg};
use super::value::{Value, insert};
use super::{Comparator, Expr};

/// Why an expression could not be evaluated: a function given an argument of a type (or a
/// value) it does not take, a wrong number of arguments, a slice step of 0, or an expression
/// reference outside a function's arguments.
///
/// It names the function and what was expected, never the value at fault (responses may hold
/// sensitive data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    kind: ErrorKind,
    function: Option<&'static str>,
    expected: &'static str,
}

/// The kind of an [`EvalError`], after the specification's error names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `invalid-type`: an argument (or an expression reference's result) of a type the
    /// function does not take, or an expression reference where a value is needed.
    InvalidType,
    /// `invalid-value`: a value out of what is allowed (a slice step of 0).
    InvalidValue,
    /// `invalid-arity`: a function called with a wrong number of arguments.
    InvalidArity,
}

impl EvalError {
    /// An `invalid-type` error of `function`, which expected `expected`.
    pub(crate) fn invalid_type(function: &'static str, expected: &'static str) -> EvalError {
        EvalError {
            kind: ErrorKind::InvalidType,
            function: Some(function),
            expected,
        }
    }

    /// An `invalid-arity` error of `function`, which takes `expected`.
    pub(crate) fn invalid_arity(function: &'static str, expected: &'static str) -> EvalError {
        EvalError {
            kind: ErrorKind::InvalidArity,
            function: Some(function),
            expected,
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The function at fault, if a function is (`length`).
    pub fn function(&self) -> Option<&'static str> {
        self.function
    }

    /// What was expected (`a string, an array or an object`).
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::InvalidType => "invalid-type",
            ErrorKind::InvalidValue => "invalid-value",
            ErrorKind::InvalidArity => "invalid-arity",
        };
        match self.function {
            Some(name) => write!(f, "{kind}: {name}() expects {}", self.expected),
            None => write!(f, "{kind}: expected {}", self.expected),
        }
    }
}

impl std::error::Error for EvalError {}

/// The result of a step: borrowed from the input, or built.
type Eval<'a> = Result<Cow<'a, Value>, EvalError>;

static NULL: Value = Value::Null;

impl Expr {
    /// Evaluates the expression with `value` as the current value (`@`).
    ///
    /// Errors: a function given arguments it does not take (``length(`5`)``), a wrong number of
    /// arguments, a slice step of 0, or an expression reference (`&expr`) anywhere but among
    /// a function's arguments.
    pub fn evaluate(&self, value: &Value) -> Result<Value, EvalError> {
        self.eval(value).map(Cow::into_owned)
    }

    /// Evaluates the expression on `v`, borrowing from it where the result is a part of it.
    pub(crate) fn eval<'a>(&self, v: &'a Value) -> Eval<'a> {
        match *self {
            Expr::Current => Ok(Cow::Borrowed(v)),
            Expr::Literal(ref lit) => Ok(Cow::Owned(Value::from_literal(lit))),
            Expr::Field(name) => Ok(Cow::Borrowed(v.get(name).unwrap_or(&NULL))),
            Expr::Sub(left, right) | Expr::IndexExpr(left, right) | Expr::Pipe(left, right) => {
                then(left.eval(v)?, right)
            }
            Expr::Index(i) => Ok(Cow::Borrowed(index(v, i))),
            Expr::Slice(start, stop, step) => slice(v, start, stop, step),
            Expr::Projection(left, right) => project(&*left.eval(v)?, right, None),
            Expr::ValueProjection(left, right) => project_values(&*left.eval(v)?, right),
            Expr::FilterProjection {
                left,
                right,
                condition,
            } => project(&*left.eval(v)?, right, Some(condition)),
            Expr::Flatten(inner) => Ok(flatten(&*inner.eval(v)?)),
            Expr::Compare(op, left, right) => {
                Ok(Cow::Owned(compare(op, &*left.eval(v)?, &*right.eval(v)?)))
            }
            Expr::And(left, right) => {
                let l = left.eval(v)?;
                if l.is_truthy() { right.eval(v) } else { Ok(l) }
            }
            Expr::Or(left, right) => {
                let l = left.eval(v)?;
                if l.is_truthy() { Ok(l) } else { right.eval(v) }
            }
            Expr::Not(inner) => Ok(Cow::Owned(Value::Bool(!inner.eval(v)?.is_truthy()))),
            Expr::MultiList(items) => multi_list(v, items),
            Expr::MultiHash(members) => multi_hash(v, members),
            Expr::Function(function, args) => call(v, function, args),
            Expr::ExpRef(_) => Err(EvalError {
                kind: ErrorKind::InvalidType,
                function: None,
                expected: "an expression reference (`&expr`) only as a function argument",
            }),
        }
    }
}

/// `right` evaluated on `left` (a step's result), borrowing from the input when `left` does.
fn then<'a>(left: Cow<'a, Value>, right: &Expr) -> Eval<'a> {
    match left {
        Cow::Borrowed(l) => right.eval(l),
        Cow::Owned(l) => Ok(Cow::Owned(right.eval(&l)?.into_owned())),
    }
}

/// `[i]`: an array's element, from the end when negative; `null` out of range or on
/// anything but an array.
fn index(v: &Value, i: i64) -> &Value {
    let Value::Array(items) = v else {
        return &NULL;
    };
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let at = if i < 0 { len.checked_add(i) } else { Some(i) };
    at.and_then(|at| usize::try_from(at).ok())
        .and_then(|at| items.get(at))
        .unwrap_or(&NULL)
}

/// `[start:stop:step]` on an array (`null` on anything else), by the specification's
/// algorithm: bounds clamped to the array, the defaults depending on the step's sign.
fn slice<'a>(v: &'a Value, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Eval<'a> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(EvalError {
            kind: ErrorKind::InvalidValue,
            function: None,
            expected: "a slice step other than 0",
        });
    }
    let Value::Array(items) = v else {
        return Ok(Cow::Owned(Value::Null));
    };
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let (start, stop) = if step > 0 {
        (
            start.map_or(0, |s| clamp(s, len, step)),
            stop.map_or(len, |s| clamp(s, len, step)),
        )
    } else {
        (
            start.map_or(len - 1, |s| clamp(s, len, step)),
            stop.map_or(-1, |s| clamp(s, len, step)),
        )
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(item) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(item.clone());
        }
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(Cow::Owned(Value::Array(out)))
}

/// A slice bound within `-1..=len`: negative ones counted from the end, then clamped to the
/// first (or, stepping backwards, last) position.
fn clamp(bound: i64, len: i64, step: i64) -> i64 {
    if bound < 0 {
        let from_end = bound.saturating_add(len);
        if from_end >= 0 {
            from_end
        } else if step < 0 {
            -1
        } else {
            0
        }
    } else if bound >= len {
        if step < 0 { len - 1 } else { len }
    } else {
        bound
    }
}

/// A list projection of `base` (or a filter projection, with `condition`): `right` on each
/// element (kept by `condition`), the `null` results left out; `null` when `base` is not an
/// array.
fn project<'a>(base: &Value, right: &Expr, condition: Option<&Expr>) -> Eval<'a> {
    let Value::Array(items) = base else {
        return Ok(Cow::Owned(Value::Null));
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(c) = condition
            && !c.eval(item)?.is_truthy()
        {
            continue;
        }
        push_non_null(&mut out, right.eval(item)?);
    }
    Ok(Cow::Owned(Value::Array(out)))
}

/// An object projection of `base`: `right` on each of its values, the `null` results left
/// out; `null` when `base` is not an object.
fn project_values<'a>(base: &Value, right: &Expr) -> Eval<'a> {
    let Value::Object(members) = base else {
        return Ok(Cow::Owned(Value::Null));
    };
    let mut out = Vec::new();
    for (_, item) in members {
        push_non_null(&mut out, right.eval(item)?);
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn push_non_null(out: &mut Vec<Value>, v: Cow<'_, Value>) {
    if !v.is_null() {
        out.push(v.into_owned());
    }
}

/// `[]`: the elements of an array, those that are arrays spliced in; `null` on anything
/// else.
fn flatten<'a>(base: &Value) -> Cow<'a, Value> {
    let Value::Array(items) = base else {
        return Cow::Owned(Value::Null);
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Cow::Owned(Value::Array(out))
}

/// `==` and `!=` on any values; the ordering operators on numbers only (`null` otherwise).
fn compare(op: Comparator, l: &Value, r: &Value) -> Value {
    let ordered = |test: fn(f64, f64) -> bool| match (l, r) {
        (Value::Number(a), Value::Number(b)) => Value::Bool(test(*a, *b)),
        _ => Value::Null,
    };
    match op {
        Comparator::Eq => Value::Bool(l == r),
        Comparator::Ne => Value::Bool(l != r),
        Comparator::Lt => ordered(|a, b| a < b),
        Comparator::Le => ordered(|a, b| a <= b),
        Comparator::Gt => ordered(|a, b| a > b),
        Comparator::Ge => ordered(|a, b| a >= b),
    }
}

/// `[a, b]`: each expression on the current value; `null` when that is `null`.
fn multi_list<'a>(v: &Value, items: &[Expr]) -> Eval<'a> {
    if v.is_null() {
        return Ok(Cow::Owned(Value::Null));
    }
    let out = items
        .iter()
        .map(|e| e.evaluate(v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Cow::Owned(Value::Array(out)))
}

/// `{k: a, ...}`: an object of each expression on the current value (a key written twice
/// keeps its first position and its last value); `null` when the current value is `null`.
fn multi_hash<'a>(v: &Value, members: &[(&'static str, Expr)]) -> Eval<'a> {
    if v.is_null() {
        return Ok(Cow::Owned(Value::Null));
    }
    let mut out = Vec::with_capacity(members.len());
    for (key, e) in members {
        insert(&mut out, (*key).to_owned(), e.evaluate(v)?);
    }
    Ok(Cow::Owned(Value::Object(out)))
}

/// A function call: its arguments evaluated on the current value (expression references
/// passed as they are), then the function applied.
fn call<'a>(v: &'a Value, function: super::Function, args: &'static [Expr]) -> Eval<'a> {
    let mut resolved = Vec::with_capacity(args.len());
    for arg in args {
        resolved.push(match arg {
            Expr::ExpRef(e) => Arg::Expr(e),
            other => Arg::Value(other.eval(v)?),
        });
    }
    functions::call(function, &resolved).map(Cow::Owned)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Function, Literal};
    use super::*;

    /// A value from JSON text (object members in key order).
    pub(crate) fn json(text: &str) -> Value {
        fn convert(v: serde_json::Value) -> Value {
            match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(b) => Value::Bool(b),
                serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
                serde_json::Value::String(s) => Value::String(s),
                serde_json::Value::Array(a) => Value::Array(a.into_iter().map(convert).collect()),
                serde_json::Value::Object(o) => {
                    Value::Object(o.into_iter().map(|(k, v)| (k, convert(v))).collect())
                }
            }
        }
        convert(serde_json::from_str(text).expect("test JSON"))
    }

    fn eval(e: &Expr, doc: &str) -> Value {
        e.evaluate(&json(doc)).expect("evaluates")
    }

    fn check(e: &Expr, doc: &str, expected: &str) {
        assert_eq!(eval(e, doc), json(expected), "{e:?} on {doc}");
    }

    const A: &Expr = &Expr::Field("a");
    const B: &Expr = &Expr::Field("b");

    #[test]
    fn current_literal_and_fields() {
        check(&Expr::Current, r#"{"a":1}"#, r#"{"a":1}"#);
        check(&Expr::Literal(Literal::Number(2.5)), "null", "2.5");
        check(A, r#"{"a":{"b":true}}"#, r#"{"b":true}"#);
        check(A, r#"{"b":1}"#, "null");
        check(A, "[1]", "null");
        check(A, r#""a""#, "null");
        check(&Expr::Sub(A, B), r#"{"a":{"b":"x"}}"#, r#""x""#);
        check(&Expr::Sub(A, B), r#"{"a":[{"b":1}]}"#, "null");
        check(&Expr::Sub(A, B), "{}", "null");
    }

    #[test]
    fn indexes() {
        let doc = "[10, 20, 30]";
        for (i, expected) in [(0, "10"), (2, "30"), (3, "null"), (-1, "30"), (-3, "10")] {
            check(&Expr::Index(i), doc, expected);
        }
        check(&Expr::Index(-4), doc, "null");
        check(&Expr::Index(i64::MIN), doc, "null");
        check(&Expr::Index(i64::MAX), doc, "null");
        check(&Expr::Index(0), r#"{"0":1}"#, "null");
        check(&Expr::IndexExpr(A, &Expr::Index(1)), r#"{"a":[1,2]}"#, "2");
    }

    #[test]
    fn slices() {
        let doc = "[0, 1, 2, 3, 4, 5]";
        type Bound = Option<i64>;
        let cases: &[(Bound, Bound, Bound, &str)] = &[
            (None, None, None, "[0,1,2,3,4,5]"),
            (Some(1), Some(3), None, "[1,2]"),
            (Some(-2), None, None, "[4,5]"),
            (None, Some(-4), None, "[0,1]"),
            (None, None, Some(2), "[0,2,4]"),
            (None, None, Some(-1), "[5,4,3,2,1,0]"),
            (Some(4), Some(1), Some(-2), "[4,2]"),
            (Some(10), None, Some(-1), "[5,4,3,2,1,0]"),
            (Some(-10), Some(2), None, "[0,1]"),
            (None, Some(-10), Some(-1), "[5,4,3,2,1,0]"),
            (Some(3), Some(1), None, "[]"),
            (Some(1), Some(100), Some(i64::MAX), "[1]"),
            (Some(4), None, Some(i64::MIN), "[4]"),
            (Some(i64::MIN), Some(i64::MAX), None, "[0,1,2,3,4,5]"),
        ];
        for &(start, stop, step, expected) in cases {
            check(&Expr::Slice(start, stop, step), doc, expected);
        }
        check(&Expr::Slice(None, None, None), "[]", "[]");
        check(&Expr::Slice(None, None, Some(-1)), "[]", "[]");
        check(&Expr::Slice(None, None, None), r#""abc""#, "null");
        let err = Expr::Slice(None, None, Some(0))
            .evaluate(&json("[1]"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.function(), None);
    }

    #[test]
    fn projections_leave_out_nulls() {
        let doc = r#"{"a":[{"b":1},{"c":2},{"b":null},{"b":[3]}]}"#;
        check(&Expr::Projection(A, B), doc, "[1,[3]]");
        check(
            &Expr::Projection(A, &Expr::Current),
            r#"{"a":[1,null,2]}"#,
            "[1,2]",
        );
        check(&Expr::Projection(A, B), r#"{"a":{"b":1}}"#, "null");
        check(
            &Expr::ValueProjection(A, B),
            r#"{"a":{"x":{"b":1},"y":{"c":1},"z":{"b":2}}}"#,
            "[1,2]",
        );
        check(&Expr::ValueProjection(A, B), r#"{"a":[{"b":1}]}"#, "null");
        // `a[*].b[0]`: the right side applies to each element, not to the projection.
        check(
            &Expr::Projection(A, &Expr::IndexExpr(B, &Expr::Index(0))),
            r#"{"a":[{"b":[1,2]},{"b":[3]}]}"#,
            "[1,3]",
        );
        // `a[*].b | [0]`: a pipe ends the projection.
        check(
            &Expr::Pipe(&Expr::Projection(A, B), &Expr::Index(0)),
            r#"{"a":[{"b":[1,2]},{"b":[3]}]}"#,
            "[1,2]",
        );
    }

    #[test]
    fn filters() {
        static COND: Expr = Expr::Compare(
            Comparator::Gt,
            &Expr::Field("n"),
            &Expr::Literal(Literal::Number(1.0)),
        );
        let f = Expr::FilterProjection {
            left: A,
            right: &Expr::Field("id"),
            condition: &COND,
        };
        let doc = r#"{"a":[{"n":1,"id":"x"},{"n":2,"id":"y"},{"n":"3","id":"z"},{"n":5}]}"#;
        check(&f, doc, r#"["y"]"#);
        check(&f, r#"{"a":"no"}"#, "null");
        // A truthy non-boolean condition keeps the element.
        let g = Expr::FilterProjection {
            left: &Expr::Current,
            right: &Expr::Current,
            condition: &Expr::Field("k"),
        };
        check(
            &g,
            r#"[{"k":0},{"k":""},{"k":[]},{"k":"x"},{}]"#,
            r#"[{"k":0},{"k":"x"}]"#,
        );
    }

    #[test]
    fn flatten_merges_one_level() {
        check(
            &Expr::Flatten(A),
            r#"{"a":[1,[2,[3]],[],null]}"#,
            "[1,2,[3],null]",
        );
        check(&Expr::Flatten(A), r#"{"a":{"b":1}}"#, "null");
        // `a[].b`
        check(
            &Expr::Projection(&Expr::Flatten(A), B),
            r#"{"a":[[{"b":1}],{"b":2},[{"c":3}]]}"#,
            "[1,2]",
        );
    }

    #[test]
    fn comparisons() {
        let cmp = |op, l: &'static Expr, r: &'static Expr, doc: &str| {
            Expr::Compare(op, l, r)
                .evaluate(&json(doc))
                .expect("evaluates")
        };
        let t = Value::Bool(true);
        let f = Value::Bool(false);
        let doc = r#"{"a":1,"b":1.0,"s":"x","t":"y","o":{"p":1,"q":[2]},"r":{"q":[2.0],"p":1}}"#;
        let (s, t_) = (&Expr::Field("s"), &Expr::Field("t"));
        let (o, r) = (&Expr::Field("o"), &Expr::Field("r"));
        assert_eq!(cmp(Comparator::Eq, A, B, doc), t);
        assert_eq!(cmp(Comparator::Ne, A, B, doc), f);
        assert_eq!(cmp(Comparator::Eq, o, r, doc), t);
        assert_eq!(cmp(Comparator::Eq, s, t_, doc), f);
        assert_eq!(cmp(Comparator::Ne, s, A, doc), t);
        assert_eq!(
            cmp(Comparator::Eq, &Expr::Field("x"), &Expr::Field("y"), doc),
            t
        );
        assert_eq!(cmp(Comparator::Le, A, B, doc), t);
        assert_eq!(cmp(Comparator::Lt, A, B, doc), f);
        assert_eq!(cmp(Comparator::Ge, A, B, doc), t);
        assert_eq!(cmp(Comparator::Gt, A, B, doc), f);
        // Ordering anything but numbers is null, strings included.
        assert_eq!(cmp(Comparator::Lt, s, t_, doc), Value::Null);
        assert_eq!(cmp(Comparator::Gt, A, s, doc), Value::Null);
        assert_eq!(cmp(Comparator::Ge, o, r, doc), Value::Null);
        assert_eq!(cmp(Comparator::Lt, A, &Expr::Field("x"), doc), Value::Null);
        let booleans = r#"{"a":true,"b":1}"#;
        assert_eq!(cmp(Comparator::Eq, A, B, booleans), f);
        assert_eq!(cmp(Comparator::Gt, B, A, booleans), Value::Null);
    }

    #[test]
    fn and_or_not_return_operands() {
        let doc = r#"{"a":"x","b":[],"c":0,"z":null}"#;
        let (c, z) = (&Expr::Field("c"), &Expr::Field("z"));
        check(&Expr::And(A, c), doc, "0");
        check(&Expr::And(B, A), doc, "[]");
        check(&Expr::Or(B, A), doc, r#""x""#);
        check(&Expr::Or(A, B), doc, r#""x""#);
        check(&Expr::Or(B, z), doc, "null");
        check(&Expr::And(z, A), doc, "null");
        check(&Expr::Not(c), doc, "false");
        check(&Expr::Not(B), doc, "true");
        check(&Expr::Not(z), doc, "true");
        check(&Expr::Not(&Expr::Not(A)), doc, "true");
    }

    #[test]
    fn multi_selects() {
        static LIST: Expr = Expr::MultiList(&[Expr::Field("a"), Expr::Field("b")]);
        static HASH: Expr = Expr::MultiHash(&[
            ("x", Expr::Field("a")),
            ("y", Expr::Current),
            ("x", Expr::Field("b")),
        ]);
        check(&LIST, r#"{"a":1}"#, "[1,null]");
        check(&LIST, "null", "null");
        check(&LIST, "[]", "[null,null]");
        check(&HASH, r#"{"a":1,"b":2}"#, r#"{"x":2,"y":{"a":1,"b":2}}"#);
        check(&HASH, "null", "null");
        let v = HASH.evaluate(&json(r#"{"b":2}"#)).unwrap();
        assert_eq!(v.as_object().map(|m| m[0].0.as_str()), Some("x"));
        // `a[*].[b, c]`
        check(
            &Expr::Projection(A, &LIST),
            r#"{"a":[{"a":1},null,{"b":2}]}"#,
            "[[1,null],[null,2]]",
        );
    }

    #[test]
    fn functions_and_expression_references() {
        static LEN: Expr = Expr::Function(Function::Length, &[Expr::Field("a")]);
        check(&LEN, r#"{"a":"héllo"}"#, "5");
        let err = LEN.evaluate(&json(r#"{"a":5}"#)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidType);
        assert_eq!(err.function(), Some("length"));
        assert_eq!(
            err.to_string(),
            "invalid-type: length() expects a string, an array or an object"
        );
        let bare = Expr::ExpRef(A).evaluate(&Value::Null).unwrap_err();
        assert_eq!(bare.kind(), ErrorKind::InvalidType);
        assert!(
            bare.to_string().starts_with("invalid-type: expected"),
            "{bare}"
        );
        // Errors inside a projection surface.
        assert!(
            Expr::Projection(&Expr::Current, &LEN)
                .evaluate(&json(r#"[{"a":"x"},{"a":1}]"#))
                .is_err()
        );
    }

    #[test]
    fn results_borrow_from_the_input() {
        let doc = json(r#"{"a":{"b":[1,2]}}"#);
        let r = Expr::Sub(A, B).eval(&doc).unwrap();
        assert!(matches!(r, Cow::Borrowed(_)));
        let r = Expr::Pipe(&Expr::Literal(Literal::Array(&[])), &Expr::Current)
            .eval(&doc)
            .unwrap();
        assert!(matches!(r, Cow::Owned(_)));
    }

    #[test]
    fn errors_say_no_value() {
        let e = EvalError::invalid_arity("abs", "1 argument");
        assert_eq!(e.to_string(), "invalid-arity: abs() expects 1 argument");
        assert_eq!(e.expected(), "1 argument");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.source().is_none());
    }
}
