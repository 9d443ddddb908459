//! The built-in functions of the JMESPath specification, with its type rules
//! (<https://jmespath.org/specification.html#built-in-functions>).

use std::borrow::Cow;
use std::cmp::Ordering;

use super::eval::EvalError;
use super::value::{Value, cmp_numbers, insert};
use super::{Expr, Function};

/// A function argument: a value, or an expression reference (`&expr`), unevaluated.
pub(crate) enum Arg<'a> {
    /// An evaluated argument.
    Value(Cow<'a, Value>),
    /// `&expr`.
    Expr(&'static Expr),
}

/// Applies `function` to `args`, checking their number and types.
pub(crate) fn call(function: Function, args: &[Arg<'_>]) -> Result<Value, EvalError> {
    let a = Args {
        name: function.name(),
        args,
    };
    a.check_arity(function)?;
    match function {
        Function::Abs => Ok(Value::Number(a.number(0)?.abs())),
        Function::Ceil => Ok(Value::Number(a.number(0)?.ceil())),
        Function::Floor => Ok(Value::Number(a.number(0)?.floor())),
        Function::Avg => avg(&a),
        Function::Sum => sum(&a),
        Function::Contains => contains(&a),
        Function::StartsWith => Ok(Value::Bool(a.string(0)?.starts_with(a.string(1)?))),
        Function::EndsWith => Ok(Value::Bool(a.string(0)?.ends_with(a.string(1)?))),
        Function::Join => join(&a),
        Function::Keys => Ok(Value::Array(
            a.object(0, "an object")?
                .iter()
                .map(|(k, _)| Value::String(k.clone()))
                .collect(),
        )),
        Function::Values => Ok(Value::Array(
            a.object(0, "an object")?
                .iter()
                .map(|(_, v)| v.clone())
                .collect(),
        )),
        Function::Length => length(&a),
        Function::Map => map(&a),
        Function::Max => extreme(&a, Ordering::Greater),
        Function::Min => extreme(&a, Ordering::Less),
        Function::MaxBy => extreme_by(&a, Ordering::Greater),
        Function::MinBy => extreme_by(&a, Ordering::Less),
        Function::Sort => sort(&a),
        Function::SortBy => sort_by(&a),
        Function::Merge => merge(&a),
        Function::NotNull => not_null(&a),
        Function::Reverse => reverse(&a),
        Function::ToArray => Ok(match a.value(0)? {
            v @ Value::Array(_) => v.clone(),
            v => Value::Array(vec![v.clone()]),
        }),
        Function::ToNumber => Ok(to_number(a.value(0)?)),
        Function::ToString => Ok(match a.value(0)? {
            Value::String(s) => Value::String(s.clone()),
            v => Value::String(v.to_string()),
        }),
        Function::Type => Ok(Value::from(a.value(0)?.type_name())),
    }
}

/// The arguments of one call, with the function's name for errors.
struct Args<'r, 'a> {
    name: &'static str,
    args: &'r [Arg<'a>],
}

impl Args<'_, '_> {
    fn check_arity(&self, function: Function) -> Result<(), EvalError> {
        let (count, variadic, expected) = arity(function);
        let n = self.args.len();
        if n == count || (variadic && n > count) {
            Ok(())
        } else {
            Err(EvalError::invalid_arity(self.name, expected))
        }
    }

    fn type_error(&self, expected: &'static str) -> EvalError {
        EvalError::invalid_type(self.name, expected)
    }

    /// The argument `i` as a value (not an expression reference).
    fn value(&self, i: usize) -> Result<&Value, EvalError> {
        match self.args.get(i) {
            Some(Arg::Value(v)) => Ok(v),
            _ => Err(self.type_error("a value, not an expression reference")),
        }
    }

    fn number(&self, i: usize) -> Result<f64, EvalError> {
        self.value(i)?
            .as_f64()
            .ok_or_else(|| self.type_error("a number"))
    }

    fn string(&self, i: usize) -> Result<&str, EvalError> {
        self.value(i)?
            .as_str()
            .ok_or_else(|| self.type_error("strings"))
    }

    fn array(&self, i: usize, expected: &'static str) -> Result<&[Value], EvalError> {
        self.value(i)?
            .as_array()
            .ok_or_else(|| self.type_error(expected))
    }

    fn object(&self, i: usize, expected: &'static str) -> Result<&[(String, Value)], EvalError> {
        self.value(i)?
            .as_object()
            .ok_or_else(|| self.type_error(expected))
    }

    fn expref(&self, i: usize, expected: &'static str) -> Result<&'static Expr, EvalError> {
        match self.args.get(i) {
            Some(Arg::Expr(e)) => Ok(e),
            _ => Err(self.type_error(expected)),
        }
    }
}

/// The number of arguments a function takes, whether it takes more, and that in words.
fn arity(function: Function) -> (usize, bool, &'static str) {
    use Function::*;
    match function {
        Merge | NotNull => (1, true, "at least 1 argument"),
        Contains | EndsWith | Join | Map | MaxBy | MinBy | SortBy | StartsWith => {
            (2, false, "2 arguments")
        }
        Abs | Avg | Ceil | Floor | Keys | Length | Max | Min | Reverse | Sort | Sum | ToArray
        | ToNumber | ToString | Type | Values => (1, false, "1 argument"),
    }
}

/// The elements as numbers, if they all are.
fn numbers(items: &[Value]) -> Option<Vec<f64>> {
    items.iter().map(Value::as_f64).collect()
}

/// The elements as strings, if they all are.
fn strings(items: &[Value]) -> Option<Vec<&str>> {
    items.iter().map(Value::as_str).collect()
}

/// The index of the first greatest (`want == Greater`) or least (`Less`) item.
fn pick<T>(items: &[T], cmp: impl Fn(&T, &T) -> Ordering, want: Ordering) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, item) in items.iter().enumerate() {
        match best.and_then(|b| items.get(b)) {
            Some(b) if cmp(item, b) != want => {}
            _ => best = Some(i),
        }
    }
    best
}

fn avg(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    const EXPECTED: &str = "an array of numbers";
    let n = numbers(a.array(0, EXPECTED)?).ok_or_else(|| a.type_error(EXPECTED))?;
    if n.is_empty() {
        return Ok(Value::Null);
    }
    Ok(Value::Number(n.iter().sum::<f64>() / n.len() as f64))
}

fn sum(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    const EXPECTED: &str = "an array of numbers";
    let n = numbers(a.array(0, EXPECTED)?).ok_or_else(|| a.type_error(EXPECTED))?;
    Ok(Value::Number(n.iter().sum()))
}

/// `contains(array, any)`: an element equal to the search value; `contains(string,
/// string)`: a substring.
fn contains(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    let search = a.value(1)?;
    match a.value(0)? {
        Value::Array(items) => Ok(Value::Bool(items.contains(search))),
        Value::String(s) => match search {
            Value::String(needle) => Ok(Value::Bool(s.contains(needle.as_str()))),
            _ => Err(a.type_error("a string to search a string for")),
        },
        _ => Err(a.type_error("an array or a string to search")),
    }
}

fn join(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    const EXPECTED: &str = "a string and an array of strings";
    let sep = a.value(0)?.as_str().ok_or_else(|| a.type_error(EXPECTED))?;
    let parts = strings(a.array(1, EXPECTED)?).ok_or_else(|| a.type_error(EXPECTED))?;
    Ok(Value::String(parts.join(sep)))
}

/// A string's length in code points, an array's in elements, an object's in members.
fn length(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    let n = match a.value(0)? {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.len(),
        Value::Object(members) => members.len(),
        _ => return Err(a.type_error("a string, an array or an object")),
    };
    Ok(Value::Number(n as f64))
}

/// `map(&expr, array)`: the expression on each element, `null` results kept.
fn map(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    const EXPECTED: &str = "an expression reference and an array";
    let e = a.expref(0, EXPECTED)?;
    let items = a.array(1, EXPECTED)?;
    let out = items
        .iter()
        .map(|item| e.evaluate(item))
        .collect::<Result<_, _>>()?;
    Ok(Value::Array(out))
}

/// `max` and `min`: of an array of numbers or of strings; `null` when it is empty.
fn extreme(a: &Args<'_, '_>, want: Ordering) -> Result<Value, EvalError> {
    const EXPECTED: &str = "an array of numbers or an array of strings";
    let items = a.array(0, EXPECTED)?;
    if let Some(n) = numbers(items) {
        let best = pick(&n, |x, y| cmp_numbers(*x, *y), want);
        return Ok(best
            .and_then(|i| n.get(i))
            .map_or(Value::Null, |x| Value::Number(*x)));
    }
    if let Some(s) = strings(items) {
        let best = pick(&s, |x, y| x.cmp(y), want);
        return Ok(best
            .and_then(|i| s.get(i))
            .map_or(Value::Null, |x| Value::from(*x)));
    }
    Err(a.type_error(EXPECTED))
}

fn sort(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    const EXPECTED: &str = "an array of numbers or an array of strings";
    let items = a.array(0, EXPECTED)?;
    if let Some(mut n) = numbers(items) {
        n.sort_by(|x, y| cmp_numbers(*x, *y));
        return Ok(Value::Array(n.into_iter().map(Value::Number).collect()));
    }
    if let Some(mut s) = strings(items) {
        s.sort_unstable();
        return Ok(Value::Array(s.into_iter().map(Value::from).collect()));
    }
    Err(a.type_error(EXPECTED))
}

/// The sort keys of `max_by`, `min_by` and `sort_by`: all numbers or all strings.
enum Keys {
    Numbers(Vec<f64>),
    Strings(Vec<String>),
}

const BY_EXPECTED: &str =
    "an array and an expression reference whose results are all numbers or all strings";

/// The array of a `*_by` call and its keys: the expression on each element.
fn keys<'r>(a: &'r Args<'_, '_>) -> Result<(&'r [Value], Keys), EvalError> {
    let items = a.array(0, BY_EXPECTED)?;
    let e = a.expref(1, BY_EXPECTED)?;
    let results = items
        .iter()
        .map(|item| e.evaluate(item))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = match results.first() {
        None | Some(Value::Number(_)) => numbers(&results).map(Keys::Numbers),
        Some(Value::String(_)) => results
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect::<Option<_>>()
            .map(Keys::Strings),
        Some(_) => None,
    };
    Ok((items, keys.ok_or_else(|| a.type_error(BY_EXPECTED))?))
}

/// `max_by` and `min_by`: the first element with the greatest (least) key; `null` for an
/// empty array.
fn extreme_by(a: &Args<'_, '_>, want: Ordering) -> Result<Value, EvalError> {
    let (items, keys) = keys(a)?;
    let best = match &keys {
        Keys::Numbers(n) => pick(n, |x, y| cmp_numbers(*x, *y), want),
        Keys::Strings(s) => pick(s, |x, y| x.cmp(y), want),
    };
    Ok(best
        .and_then(|i| items.get(i))
        .cloned()
        .unwrap_or(Value::Null))
}

/// `sort_by`: the elements ordered by their keys, equal keys in their original order.
fn sort_by(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    let (items, keys) = keys(a)?;
    Ok(Value::Array(match &keys {
        Keys::Numbers(n) => sorted_by_key(n, items, |x, y| cmp_numbers(*x, *y)),
        Keys::Strings(s) => sorted_by_key(s, items, Ord::cmp),
    }))
}

/// `items` in the order of their `keys` (stable).
fn sorted_by_key<K>(keys: &[K], items: &[Value], cmp: impl Fn(&K, &K) -> Ordering) -> Vec<Value> {
    let mut pairs: Vec<(&K, &Value)> = keys.iter().zip(items).collect();
    pairs.sort_by(|x, y| cmp(x.0, y.0));
    pairs.into_iter().map(|(_, v)| v.clone()).collect()
}

/// `merge(object...)`: the members of every object, a later object's value winning for a
/// key in several (at the key's first position).
fn merge(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    let mut out = Vec::new();
    for i in 0..a.args.len() {
        for (k, v) in a.object(i, "objects")? {
            insert(&mut out, k.clone(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

/// `not_null(any...)`: the first argument that is not `null`; `null` when all are.
fn not_null(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    for i in 0..a.args.len() {
        let v = a.value(i)?;
        if !v.is_null() {
            return Ok(v.clone());
        }
    }
    Ok(Value::Null)
}

/// `reverse`: a string's code points or an array's elements in reverse order.
fn reverse(a: &Args<'_, '_>) -> Result<Value, EvalError> {
    match a.value(0)? {
        Value::String(s) => Ok(Value::String(s.chars().rev().collect())),
        Value::Array(items) => Ok(Value::Array(items.iter().rev().cloned().collect())),
        _ => Err(a.type_error("a string or an array")),
    }
}

/// `to_number`: a number as it is, a string holding a JSON number parsed, anything else
/// (other strings included) `null`.
fn to_number(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::Number(*n),
        Value::String(s) if is_json_number(s) => s.parse().map_or(Value::Null, Value::Number),
        _ => Value::Null,
    }
}

/// Whether `s` is a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    let mut i = usize::from(b.first() == Some(&b'-'));
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i).unwrap_or(i),
        _ => return false,
    };
    if b.get(i) == Some(&b'.') {
        let Some(end) = digits(i + 1) else {
            return false;
        };
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let Some(end) = digits(i) else {
            return false;
        };
        i = end;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::super::ErrorKind;
    use super::super::eval::tests::json;
    use super::*;

    /// `f(@[0], @[1], ...)` on the JSON array `args`.
    fn apply(f: Function, args: &str) -> Result<Value, EvalError> {
        let args = json(args);
        let values: Vec<Arg<'_>> = args
            .as_array()
            .expect("an array of arguments")
            .iter()
            .map(|v| Arg::Value(Cow::Borrowed(v)))
            .collect();
        call(f, &values)
    }

    fn ok(f: Function, args: &str, expected: &str) {
        assert_eq!(apply(f, args), Ok(json(expected)), "{f:?}({args})");
    }

    fn type_error(f: Function, args: &str) {
        let err = apply(f, args).expect_err(args);
        assert_eq!(err.kind(), ErrorKind::InvalidType, "{f:?}({args})");
        assert_eq!(err.function(), Some(f.name()));
    }

    /// `f(array, &key)` or, for `map`, `f(&key, array)`.
    fn by(f: Function, key: &'static Expr, array: &str) -> Result<Value, EvalError> {
        let array = json(array);
        let mut args = vec![Arg::Value(Cow::Borrowed(&array)), Arg::Expr(key)];
        if f == Function::Map {
            args.reverse();
        }
        call(f, &args)
    }

    const K: &Expr = &Expr::Field("k");

    #[test]
    fn numeric_functions() {
        ok(Function::Abs, "[-2.5]", "2.5");
        ok(Function::Ceil, "[1.2]", "2");
        ok(Function::Ceil, "[-1.2]", "-1");
        ok(Function::Floor, "[-1.2]", "-2");
        ok(Function::Avg, "[[1, 2, 4]]", "2.3333333333333335");
        ok(Function::Avg, "[[]]", "null");
        ok(Function::Sum, "[[1, 2.5]]", "3.5");
        ok(Function::Sum, "[[]]", "0");
        for f in [Function::Abs, Function::Ceil, Function::Floor] {
            type_error(f, r#"["1"]"#);
            type_error(f, "[true]");
        }
        type_error(Function::Avg, "[[1, \"2\"]]");
        type_error(Function::Sum, "[5]");
    }

    #[test]
    fn string_functions() {
        ok(Function::Contains, r#"["foobar", "oba"]"#, "true");
        ok(Function::Contains, r#"["foobar", ""]"#, "true");
        ok(
            Function::Contains,
            r#"[[1, "a", {"b": 2}], {"b": 2.0}]"#,
            "true",
        );
        ok(Function::Contains, r#"[[1, "a"], "b"]"#, "false");
        type_error(Function::Contains, r#"["123", 1]"#);
        type_error(Function::Contains, r#"[{"a": 1}, "a"]"#);
        ok(Function::StartsWith, r#"["foobar", "foo"]"#, "true");
        ok(Function::StartsWith, r#"["foobar", "bar"]"#, "false");
        ok(Function::EndsWith, r#"["foobar", "bar"]"#, "true");
        type_error(Function::EndsWith, r#"["foobar", 1]"#);
        ok(Function::Join, r#"[", ", ["a", "b", "c"]]"#, r#""a, b, c""#);
        ok(Function::Join, r#"["-", []]"#, r#""""#);
        type_error(Function::Join, r#"["-", ["a", 1]]"#);
        type_error(Function::Join, r#"[1, ["a"]]"#);
        ok(Function::Reverse, r#"["aé🎉"]"#, r#""🎉éa""#);
        ok(Function::Reverse, "[[1, [2], 3]]", "[3, [2], 1]");
        type_error(Function::Reverse, "[{}]");
    }

    #[test]
    fn length_counts_code_points() {
        ok(Function::Length, r#"["aé🎉"]"#, "3");
        ok(Function::Length, "[[1, 2]]", "2");
        ok(Function::Length, r#"[{"a": 1}]"#, "1");
        type_error(Function::Length, "[5]");
        type_error(Function::Length, "[null]");
    }

    #[test]
    fn object_functions() {
        ok(Function::Keys, r#"[{"b": 1, "a": 2}]"#, r#"["a", "b"]"#);
        ok(Function::Values, r#"[{"b": 1, "a": 2}]"#, "[2, 1]");
        type_error(Function::Keys, "[[1]]");
        type_error(Function::Values, r#"["a"]"#);
        ok(
            Function::Merge,
            r#"[{"a": 1, "b": 2}, {"b": 3, "c": 4}, {}]"#,
            r#"{"a": 1, "b": 3, "c": 4}"#,
        );
        ok(Function::Merge, "[{}]", "{}");
        type_error(Function::Merge, "[{}, 1]");
    }

    #[test]
    fn merge_keeps_first_positions() {
        let v = apply(Function::Merge, r#"[{"a": 1, "b": 2}, {"a": 3}]"#).unwrap();
        let keys: Vec<&str> = v
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(v.get("a"), Some(&Value::Number(3.0)));
    }

    #[test]
    fn max_min_and_sort() {
        ok(Function::Max, "[[1, 3, 2]]", "3");
        ok(Function::Max, r#"[["a", "c", "b"]]"#, r#""c""#);
        ok(Function::Max, "[[]]", "null");
        ok(Function::Min, "[[1, -3, 2]]", "-3");
        ok(Function::Min, r#"[["b", "a"]]"#, r#""a""#);
        ok(Function::Min, "[[]]", "null");
        type_error(Function::Max, r#"[[1, "a"]]"#);
        type_error(Function::Min, "[[true]]");
        type_error(Function::Max, "[{}]");
        ok(Function::Sort, "[[3, 1, 2.5]]", "[1, 2.5, 3]");
        ok(
            Function::Sort,
            r#"[["b", "B", "a", "é"]]"#,
            r#"["B", "a", "b", "é"]"#,
        );
        ok(Function::Sort, "[[]]", "[]");
        type_error(Function::Sort, r#"[[1, "1"]]"#);
        type_error(Function::Sort, "[[null]]");
    }

    #[test]
    fn by_functions_take_expression_references() {
        let people =
            r#"[{"k": 3, "n": "a"}, {"k": 1, "n": "b"}, {"k": 3, "n": "c"}, {"k": 1, "n": "d"}]"#;
        assert_eq!(
            by(Function::MaxBy, K, people),
            Ok(json(r#"{"k": 3, "n": "a"}"#))
        );
        assert_eq!(
            by(Function::MinBy, K, people),
            Ok(json(r#"{"k": 1, "n": "b"}"#))
        );
        assert_eq!(
            by(Function::SortBy, K, people).map(|v| v.to_string()),
            Ok(r#"[{"k":1,"n":"b"},{"k":1,"n":"d"},{"k":3,"n":"a"},{"k":3,"n":"c"}]"#.to_owned())
        );
        let named = r#"[{"k": "b"}, {"k": "a"}]"#;
        assert_eq!(
            by(Function::SortBy, K, named),
            Ok(json(r#"[{"k": "a"}, {"k": "b"}]"#))
        );
        assert_eq!(by(Function::MaxBy, K, named), Ok(json(r#"{"k": "b"}"#)));
        for f in [Function::MaxBy, Function::MinBy] {
            assert_eq!(by(f, K, "[]"), Ok(Value::Null));
        }
        assert_eq!(by(Function::SortBy, K, "[]"), Ok(json("[]")));
        for f in [Function::MaxBy, Function::MinBy, Function::SortBy] {
            for bad in [
                r#"[{"k": 1}, {"k": "a"}]"#,
                r#"[{"k": true}]"#,
                r#"[{}]"#,
                "[1]",
            ] {
                let err = by(f, K, bad).expect_err(bad);
                assert_eq!(err.kind(), ErrorKind::InvalidType, "{f:?} {bad}");
            }
            type_error(f, r#"[[{"k": 1}], 1]"#);
        }
    }

    #[test]
    fn map_keeps_nulls() {
        assert_eq!(
            by(Function::Map, K, r#"[{"k": 1}, {}, {"k": [2]}]"#),
            Ok(json("[1, null, [2]]"))
        );
        assert_eq!(by(Function::Map, K, "[]"), Ok(json("[]")));
        type_error(Function::Map, "[1, [1]]");
        let array = json("{}");
        let args = [Arg::Expr(K), Arg::Value(Cow::Borrowed(&array))];
        assert!(call(Function::Map, &args).is_err());
    }

    #[test]
    fn not_null_and_conversions() {
        ok(Function::NotNull, r#"[null, [], "a"]"#, "[]");
        ok(Function::NotNull, "[null, null]", "null");
        ok(Function::ToArray, "[[1]]", "[1]");
        ok(Function::ToArray, "[null]", "[null]");
        ok(Function::ToArray, r#"[{"a": 1}]"#, r#"[{"a": 1}]"#);
        ok(Function::ToString, r#"["a\"b"]"#, r#""a\"b""#);
        ok(
            Function::ToString,
            r#"[[1, "a", null]]"#,
            r#""[1,\"a\",null]""#,
        );
        ok(Function::ToString, "[2.5]", r#""2.5""#);
        ok(Function::ToString, "[false]", r#""false""#);
        ok(Function::Type, "[null]", r#""null""#);
        ok(Function::Type, "[1.5]", r#""number""#);
        ok(Function::Type, r#"[{"a": []}]"#, r#""object""#);
    }

    #[test]
    fn to_number_parses_json_numbers_only() {
        for (text, n) in [
            ("12", 12.0),
            ("-0.5", -0.5),
            ("1e3", 1000.0),
            ("2E-2", 0.02),
            ("0", 0.0),
        ] {
            let arg = format!("[{text:?}]");
            assert_eq!(
                apply(Function::ToNumber, &arg),
                Ok(Value::Number(n)),
                "{text}"
            );
        }
        for text in [
            "", "abc", " 1", "1 ", "+1", ".5", "1.", "01", "1e", "0x10", "inf", "NaN", "1_0", "-",
        ] {
            let arg = format!("[{text:?}]");
            assert_eq!(apply(Function::ToNumber, &arg), Ok(Value::Null), "{text:?}");
        }
        ok(Function::ToNumber, "[4.5]", "4.5");
        for other in ["[true]", "[null]", "[[1]]", r#"[{"a": 1}]"#] {
            ok(Function::ToNumber, other, "null");
        }
    }

    #[test]
    fn arity_and_expression_references_are_checked() {
        let err = apply(Function::Abs, "[1, 2]").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArity);
        assert_eq!(err.to_string(), "invalid-arity: abs() expects 1 argument");
        assert_eq!(
            apply(Function::Contains, "[[1]]").unwrap_err().kind(),
            ErrorKind::InvalidArity
        );
        assert_eq!(
            apply(Function::NotNull, "[]").unwrap_err().kind(),
            ErrorKind::InvalidArity
        );
        assert_eq!(
            apply(Function::Merge, "[]").unwrap_err().kind(),
            ErrorKind::InvalidArity
        );
        ok(Function::NotNull, "[null, null, null, 1]", "1");
        // An expression reference where a value is expected.
        for f in [
            Function::Type,
            Function::ToString,
            Function::NotNull,
            Function::Length,
        ] {
            let err = call(f, &[Arg::Expr(K)]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidType, "{f:?}");
        }
    }

    #[test]
    fn every_function_has_its_name() {
        use Function::*;
        let all = [
            Abs, Avg, Ceil, Contains, EndsWith, Floor, Join, Keys, Length, Map, Max, MaxBy, Merge,
            Min, MinBy, NotNull, Reverse, Sort, SortBy, StartsWith, Sum, ToArray, ToNumber,
            ToString, Type, Values,
        ];
        let names: std::collections::BTreeSet<&str> = all.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), 26);
        assert!(names.contains("not_null") && names.contains("to_string"));
    }
}
