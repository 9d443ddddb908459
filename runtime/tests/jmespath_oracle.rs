//! A differential test of the JMESPath evaluator against Python's `jmespath` package (the
//! implementation botocore's waiters use).
//!
//! Each expression is written twice: as text, which Python parses, and as the tree the
//! generator would embed (a `static` [`Expr`]), which Rust evaluates. Both evaluate every
//! expression on every document below, in one Python run (JSON in, JSON out), and must agree:
//! the same value (numbers by value, `1 == 1.0`; objects in any member order), or an error on
//! both sides (a Python type error must be an `invalid-type` [`EvalError`]). A wrong tree,
//! like a wrong evaluator, shows up as a disagreement.
//!
//! Where the specification and Python part ways (or the data model cannot tell what Python
//! tells), the Rust result follows the specification; those cases are listed in
//! [`DEVIATIONS`], run in the same Python invocation, and checked to still differ as stated.
//!
//! Needs `python3` with `jmespath` (it comes with botocore: `python3 -m pip install
//! jmespath`). Without them the test is skipped with a message, except under `CI=true`, where
//! it fails.

#[path = "support/python.rs"]
mod python;

use std::io::Write;

use anvil_runtime::jmespath::Expr::*;
use anvil_runtime::jmespath::{
    Comparator as C, ErrorKind, EvalError, Expr, Function as F, Literal as L, Value,
};
use serde_json::json;

/// The Python half: reads `{"cases": [text], "docs": [json], "deviations": [[text, json]]}`
/// and prints `{"parse_errors": [text], "results": [[outcome per doc] per case],
/// "deviations": [outcome]}`, an outcome being `{"ok": result}` or `{"error": class name}`.
const ORACLE: &str = r#"
import json, sys
import jmespath


def search(text, doc):
    try:
        result = jmespath.search(text, doc)
        json.dumps(result)
        return {"ok": result}
    except Exception as e:
        return {"error": type(e).__name__}


def parses(text):
    try:
        jmespath.compile(text)
        return True
    except Exception:
        return False


data = json.load(sys.stdin)
docs = data["docs"]
print(json.dumps({
    "parse_errors": [t for t in data["cases"] if not parses(t)],
    "results": [[search(t, d) for d in docs] for t in data["cases"]],
    "deviations": [search(t, d) for t, d in data["deviations"]],
}))
"#;

/// The documents every expression is evaluated on: responses of the shapes waiters read
/// (EC2 instances, a DynamoDB table), a document with a member of each type, the same names
/// with other types (to provoke type errors), and bare values.
const DOCS: &[&str] = &[
    r#"{"Reservations": [
        {"Instances": [
            {"InstanceId": "i-1", "State": {"Name": "running", "Code": 16},
             "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}],
             "LaunchTime": 1700000000.5},
            {"InstanceId": "i-2", "State": {"Name": "pending", "Code": 0}, "Tags": []}]},
        {"Instances": [{"InstanceId": "i-3", "State": {"Name": "running", "Code": 16}}]},
        {"Instances": []}]}"#,
    r#"{"Table": {"TableStatus": "ACTIVE", "ItemCount": 42, "GlobalSecondaryIndexes": [
        {"IndexName": "a", "IndexStatus": "ACTIVE"},
        {"IndexName": "b", "IndexStatus": "CREATING"}]}}"#,
    r#"{"foo": {"bar": {"baz": "correct"}}, "a": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "b": [[1, 2], [3, [4]], 5, []], "n": -3.5, "s": "Hello, world", "u": "wörld🎉",
        "e": "", "t": true, "f": false, "z": null, "o": {"x": 1, "y": 2},
        "objs": [{"k": 3, "name": "c"}, {"k": 1, "name": "a"}, {"k": 2, "name": "b"}],
        "strs": ["b", "a", "c"], "num": "42", "numf": "-1.5e2", "with space": "yes"}"#,
    r#"[{"a": 1, "b": "x"}, {"a": 2}, {"b": "y"}, [1, 2], 3, null]"#,
    "null",
    r#""a string""#,
    "7",
    "{}",
    "[]",
    r#"{"foo": [{"bar": [{"baz": 1}, {"baz": 2}]}, {"bar": [{"baz": 3}]}, {"bar": null},
        {"other": 1}],
        "people": [{"name": "b", "age": 30}, {"name": "a", "age": 25}, {"name": "c", "age": 35}]}"#,
    r#"{"a": [-1.5, 0, 2.25], "o": {"x": "s", "y": null, "z": [1]},
        "people": [{"name": "z", "age": 1}], "strs": [], "n": 0, "s": "",
        "objs": [{"k": "b", "name": "x"}, {"k": "a", "name": "y"}], "foo": [1, [2]],
        "t": [0], "e": {}, "f": 0, "z": false}"#,
];

/// Every expression compared, as the generator would embed it: its text (what Python parses)
/// and its tree (what Rust evaluates).
static CASES: &[(&str, Expr)] = &[
    ("@", Current),
    (
        "foo.bar.baz",
        Sub(&Sub(&Field("foo"), &Field("bar")), &Field("baz")),
    ),
    (r#""foo"."bar""#, Sub(&Field("foo"), &Field("bar"))),
    (r#""with space""#, Field("with space")),
    (
        "foo.missing.baz",
        Sub(&Field("foo"), &Sub(&Field("missing"), &Field("baz"))),
    ),
    ("a[0]", IndexExpr(&Field("a"), &Index(0))),
    ("a[-1]", IndexExpr(&Field("a"), &Index(-1))),
    ("a[20]", IndexExpr(&Field("a"), &Index(20))),
    ("foo[0]", IndexExpr(&Field("foo"), &Index(0))),
    (
        "a[1:3]",
        Projection(
            &IndexExpr(&Field("a"), &Slice(Some(1), Some(3), None)),
            &Current,
        ),
    ),
    (
        "a[::2]",
        Projection(
            &IndexExpr(&Field("a"), &Slice(None, None, Some(2))),
            &Current,
        ),
    ),
    (
        "a[::-1]",
        Projection(
            &IndexExpr(&Field("a"), &Slice(None, None, Some(-1))),
            &Current,
        ),
    ),
    (
        "a[-3:]",
        Projection(
            &IndexExpr(&Field("a"), &Slice(Some(-3), None, None)),
            &Current,
        ),
    ),
    (
        "a[5:1:-2]",
        Projection(
            &IndexExpr(&Field("a"), &Slice(Some(5), Some(1), Some(-2))),
            &Current,
        ),
    ),
    ("[:2]", Projection(&Slice(None, Some(2), None), &Current)),
    (
        "objs[0:2].name",
        Projection(
            &IndexExpr(&Field("objs"), &Slice(Some(0), Some(2), None)),
            &Field("name"),
        ),
    ),
    (
        "a[1:5:2][0]",
        Projection(
            &IndexExpr(&Field("a"), &Slice(Some(1), Some(5), Some(2))),
            &Index(0),
        ),
    ),
    ("b[]", Projection(&Flatten(&Field("b")), &Current)),
    (
        "b[][]",
        Projection(
            &Flatten(&Projection(&Flatten(&Field("b")), &Current)),
            &Current,
        ),
    ),
    ("[*]", Projection(&Current, &Current)),
    ("[]", Projection(&Flatten(&Current), &Current)),
    ("[0]", Index(0)),
    ("*", ValueProjection(&Current, &Current)),
    (
        "foo[*].bar[*].baz",
        Projection(&Field("foo"), &Projection(&Field("bar"), &Field("baz"))),
    ),
    (
        "foo[].bar[].baz",
        Projection(
            &Flatten(&Projection(&Flatten(&Field("foo")), &Field("bar"))),
            &Field("baz"),
        ),
    ),
    (
        "foo[?bar].bar[0].baz",
        FilterProjection {
            left: &Field("foo"),
            right: &Sub(&IndexExpr(&Field("bar"), &Index(0)), &Field("baz")),
            condition: &Field("bar"),
        },
    ),
    (
        "Reservations[].Instances[].State.Name",
        Projection(
            &Flatten(&Projection(
                &Flatten(&Field("Reservations")),
                &Field("Instances"),
            )),
            &Sub(&Field("State"), &Field("Name")),
        ),
    ),
    (
        "Reservations[*].Instances[*].InstanceId",
        Projection(
            &Field("Reservations"),
            &Projection(&Field("Instances"), &Field("InstanceId")),
        ),
    ),
    (
        "Reservations[].Instances[?State.Name == 'running'].InstanceId",
        Projection(
            &Flatten(&Field("Reservations")),
            &FilterProjection {
                left: &Field("Instances"),
                right: &Field("InstanceId"),
                condition: &Compare(
                    C::Eq,
                    &Sub(&Field("State"), &Field("Name")),
                    &Literal(L::String("running")),
                ),
            },
        ),
    ),
    (
        "length(Reservations[].Instances[] | [?State.Name == 'running']) == `2`",
        Compare(
            C::Eq,
            &Function(
                F::Length,
                &[Pipe(
                    &Projection(
                        &Flatten(&Projection(
                            &Flatten(&Field("Reservations")),
                            &Field("Instances"),
                        )),
                        &Current,
                    ),
                    &FilterProjection {
                        left: &Current,
                        right: &Current,
                        condition: &Compare(
                            C::Eq,
                            &Sub(&Field("State"), &Field("Name")),
                            &Literal(L::String("running")),
                        ),
                    },
                )],
            ),
            &Literal(L::Number(2.0)),
        ),
    ),
    (
        "Reservations[0].Instances[0].Tags[?Key == 'env'].Value | [0]",
        Pipe(
            &FilterProjection {
                left: &Sub(
                    &Sub(
                        &IndexExpr(&Field("Reservations"), &Index(0)),
                        &IndexExpr(&Field("Instances"), &Index(0)),
                    ),
                    &Field("Tags"),
                ),
                right: &Field("Value"),
                condition: &Compare(C::Eq, &Field("Key"), &Literal(L::String("env"))),
            },
            &Index(0),
        ),
    ),
    (
        "Reservations[].Instances[?State.Code > `0`][].InstanceId",
        Projection(
            &Flatten(&Projection(
                &Flatten(&Field("Reservations")),
                &FilterProjection {
                    left: &Field("Instances"),
                    right: &Current,
                    condition: &Compare(
                        C::Gt,
                        &Sub(&Field("State"), &Field("Code")),
                        &Literal(L::Number(0.0)),
                    ),
                },
            )),
            &Field("InstanceId"),
        ),
    ),
    ("o.*", ValueProjection(&Field("o"), &Current)),
    ("foo.*.baz", ValueProjection(&Field("foo"), &Field("baz"))),
    (
        "objs[*].[name, k]",
        Projection(&Field("objs"), &MultiList(&[Field("name"), Field("k")])),
    ),
    (
        "objs[*].{n: name, key: k}",
        Projection(
            &Field("objs"),
            &MultiHash(&[("n", Field("name")), ("key", Field("k"))]),
        ),
    ),
    (
        "[foo, a[0], `1`]",
        MultiList(&[
            Field("foo"),
            IndexExpr(&Field("a"), &Index(0)),
            Literal(L::Number(1.0)),
        ]),
    ),
    (
        "{x: foo.bar, y: n, z: `null`}",
        MultiHash(&[
            ("x", Sub(&Field("foo"), &Field("bar"))),
            ("y", Field("n")),
            ("z", Literal(L::Null)),
        ]),
    ),
    (
        "Table.TableStatus == 'ACTIVE'",
        Compare(
            C::Eq,
            &Sub(&Field("Table"), &Field("TableStatus")),
            &Literal(L::String("ACTIVE")),
        ),
    ),
    (
        "Table.GlobalSecondaryIndexes[].IndexStatus",
        Projection(
            &Flatten(&Sub(&Field("Table"), &Field("GlobalSecondaryIndexes"))),
            &Field("IndexStatus"),
        ),
    ),
    (
        "contains(Table.GlobalSecondaryIndexes[].IndexStatus, 'CREATING')",
        Function(
            F::Contains,
            &[
                Projection(
                    &Flatten(&Sub(&Field("Table"), &Field("GlobalSecondaryIndexes"))),
                    &Field("IndexStatus"),
                ),
                Literal(L::String("CREATING")),
            ],
        ),
    ),
    (
        "Table.GlobalSecondaryIndexes[?IndexStatus != 'ACTIVE'] | length(@) == `0`",
        Pipe(
            &FilterProjection {
                left: &Sub(&Field("Table"), &Field("GlobalSecondaryIndexes")),
                right: &Current,
                condition: &Compare(C::Ne, &Field("IndexStatus"), &Literal(L::String("ACTIVE"))),
            },
            &Compare(
                C::Eq,
                &Function(F::Length, &[Current]),
                &Literal(L::Number(0.0)),
            ),
        ),
    ),
    (
        "Table.ItemCount >= `42` && Table.ItemCount < `43`",
        And(
            &Compare(
                C::Ge,
                &Sub(&Field("Table"), &Field("ItemCount")),
                &Literal(L::Number(42.0)),
            ),
            &Compare(
                C::Lt,
                &Sub(&Field("Table"), &Field("ItemCount")),
                &Literal(L::Number(43.0)),
            ),
        ),
    ),
    (
        "people[?age > `26`].name",
        FilterProjection {
            left: &Field("people"),
            right: &Field("name"),
            condition: &Compare(C::Gt, &Field("age"), &Literal(L::Number(26.0))),
        },
    ),
    (
        "people[?age >= `30`] | [0].name",
        Pipe(
            &FilterProjection {
                left: &Field("people"),
                right: &Current,
                condition: &Compare(C::Ge, &Field("age"), &Literal(L::Number(30.0))),
            },
            &Sub(&Index(0), &Field("name")),
        ),
    ),
    (
        "people[?age < `30`]",
        FilterProjection {
            left: &Field("people"),
            right: &Current,
            condition: &Compare(C::Lt, &Field("age"), &Literal(L::Number(30.0))),
        },
    ),
    (
        "people[?age <= `25`].name",
        FilterProjection {
            left: &Field("people"),
            right: &Field("name"),
            condition: &Compare(C::Le, &Field("age"), &Literal(L::Number(25.0))),
        },
    ),
    (
        "people[?age > `26` && name != 'c'].name",
        FilterProjection {
            left: &Field("people"),
            right: &Field("name"),
            condition: &And(
                &Compare(C::Gt, &Field("age"), &Literal(L::Number(26.0))),
                &Compare(C::Ne, &Field("name"), &Literal(L::String("c"))),
            ),
        },
    ),
    (
        "people[?!(age == `30`)].name",
        FilterProjection {
            left: &Field("people"),
            right: &Field("name"),
            condition: &Not(&Compare(C::Eq, &Field("age"), &Literal(L::Number(30.0)))),
        },
    ),
    (
        "a[?@ > `5`] | [0]",
        Pipe(
            &FilterProjection {
                left: &Field("a"),
                right: &Current,
                condition: &Compare(C::Gt, &Current, &Literal(L::Number(5.0))),
            },
            &Index(0),
        ),
    ),
    ("t && e", And(&Field("t"), &Field("e"))),
    ("e || n", Or(&Field("e"), &Field("n"))),
    ("z || f", Or(&Field("z"), &Field("f"))),
    ("!e", Not(&Field("e"))),
    ("!t", Not(&Field("t"))),
    ("f && t", And(&Field("f"), &Field("t"))),
    ("!(t && f)", Not(&And(&Field("t"), &Field("f")))),
    ("`null`", Literal(L::Null)),
    ("`true`", Literal(L::Bool(true))),
    (
        r#"`[1, "two", null, {"a": -2.5}]`"#,
        Literal(L::Array(&[
            L::Number(1.0),
            L::String("two"),
            L::Null,
            L::Object(&[("a", L::Number(-2.5))]),
        ])),
    ),
    (
        r#"`{"a": [1.5, false], "b": "c"}`"#,
        Literal(L::Object(&[
            ("a", L::Array(&[L::Number(1.5), L::Bool(false)])),
            ("b", L::String("c")),
        ])),
    ),
    ("'raw'", Literal(L::String("raw"))),
    (r#"`"json"`"#, Literal(L::String("json"))),
    (
        "foo.bar | baz",
        Pipe(&Sub(&Field("foo"), &Field("bar")), &Field("baz")),
    ),
    (
        "n == `-3.5`",
        Compare(C::Eq, &Field("n"), &Literal(L::Number(-3.5))),
    ),
    (
        r#"foo == `{"bar": {"baz": "correct"}}`"#,
        Compare(
            C::Eq,
            &Field("foo"),
            &Literal(L::Object(&[(
                "bar",
                L::Object(&[("baz", L::String("correct"))]),
            )])),
        ),
    ),
    (
        "a[0] != '1'",
        Compare(
            C::Ne,
            &IndexExpr(&Field("a"), &Index(0)),
            &Literal(L::String("1")),
        ),
    ),
    ("abs(n)", Function(F::Abs, &[Field("n")])),
    ("abs(@)", Function(F::Abs, &[Current])),
    ("avg(a)", Function(F::Avg, &[Field("a")])),
    ("avg(@)", Function(F::Avg, &[Current])),
    ("ceil(n)", Function(F::Ceil, &[Field("n")])),
    ("floor(n)", Function(F::Floor, &[Field("n")])),
    (
        "contains(s, 'wor')",
        Function(F::Contains, &[Field("s"), Literal(L::String("wor"))]),
    ),
    (
        "contains(a, `3`)",
        Function(F::Contains, &[Field("a"), Literal(L::Number(3.0))]),
    ),
    (
        "contains(@, 'a')",
        Function(F::Contains, &[Current, Literal(L::String("a"))]),
    ),
    (
        "ends_with(s, 'ld')",
        Function(F::EndsWith, &[Field("s"), Literal(L::String("ld"))]),
    ),
    (
        "starts_with(s, 'Hell')",
        Function(F::StartsWith, &[Field("s"), Literal(L::String("Hell"))]),
    ),
    (
        "join(', ', strs)",
        Function(F::Join, &[Literal(L::String(", ")), Field("strs")]),
    ),
    (
        "join(',', @)",
        Function(F::Join, &[Literal(L::String(",")), Current]),
    ),
    ("keys(o)", Function(F::Keys, &[Field("o")])),
    ("keys(@)", Function(F::Keys, &[Current])),
    ("length(u)", Function(F::Length, &[Field("u")])),
    ("length(a)", Function(F::Length, &[Field("a")])),
    ("length(@)", Function(F::Length, &[Current])),
    (
        "map(&k, objs)",
        Function(F::Map, &[ExpRef(&Field("k")), Field("objs")]),
    ),
    (
        "map(&[k, name], objs)",
        Function(
            F::Map,
            &[
                ExpRef(&MultiList(&[Field("k"), Field("name")])),
                Field("objs"),
            ],
        ),
    ),
    (
        "map(&length(@), strs)",
        Function(
            F::Map,
            &[ExpRef(&Function(F::Length, &[Current])), Field("strs")],
        ),
    ),
    ("max(a)", Function(F::Max, &[Field("a")])),
    ("max(strs)", Function(F::Max, &[Field("strs")])),
    ("max(@)", Function(F::Max, &[Current])),
    (
        "max_by(people, &age).name",
        Sub(
            &Function(F::MaxBy, &[Field("people"), ExpRef(&Field("age"))]),
            &Field("name"),
        ),
    ),
    (
        "max_by(objs, &k)",
        Function(F::MaxBy, &[Field("objs"), ExpRef(&Field("k"))]),
    ),
    (
        "max_by(@, &a)",
        Function(F::MaxBy, &[Current, ExpRef(&Field("a"))]),
    ),
    (
        r#"merge(o, `{"y": 3, "w": 4}`)"#,
        Function(
            F::Merge,
            &[
                Field("o"),
                Literal(L::Object(&[("y", L::Number(3.0)), ("w", L::Number(4.0))])),
            ],
        ),
    ),
    (
        r#"merge(@, `{"z": 1}`)"#,
        Function(
            F::Merge,
            &[Current, Literal(L::Object(&[("z", L::Number(1.0))]))],
        ),
    ),
    ("min(a)", Function(F::Min, &[Field("a")])),
    ("min(@)", Function(F::Min, &[Current])),
    (
        "min_by(people, &name).age",
        Sub(
            &Function(F::MinBy, &[Field("people"), ExpRef(&Field("name"))]),
            &Field("age"),
        ),
    ),
    (
        "min_by(objs, &k).name",
        Sub(
            &Function(F::MinBy, &[Field("objs"), ExpRef(&Field("k"))]),
            &Field("name"),
        ),
    ),
    (
        "not_null(z, e, s)",
        Function(F::NotNull, &[Field("z"), Field("e"), Field("s")]),
    ),
    (
        "not_null(missing, `null`)",
        Function(F::NotNull, &[Field("missing"), Literal(L::Null)]),
    ),
    ("reverse(u)", Function(F::Reverse, &[Field("u")])),
    ("reverse(a)", Function(F::Reverse, &[Field("a")])),
    ("reverse(@)", Function(F::Reverse, &[Current])),
    ("sort(strs)", Function(F::Sort, &[Field("strs")])),
    ("sort(@)", Function(F::Sort, &[Current])),
    (
        "sort_by(people, &age)[*].name",
        Projection(
            &Function(F::SortBy, &[Field("people"), ExpRef(&Field("age"))]),
            &Field("name"),
        ),
    ),
    (
        "sort_by(objs, &k)[*].name",
        Projection(
            &Function(F::SortBy, &[Field("objs"), ExpRef(&Field("k"))]),
            &Field("name"),
        ),
    ),
    (
        "sort_by(@, &a)",
        Function(F::SortBy, &[Current, ExpRef(&Field("a"))]),
    ),
    (
        "starts_with(s, s)",
        Function(F::StartsWith, &[Field("s"), Field("s")]),
    ),
    ("sum(a)", Function(F::Sum, &[Field("a")])),
    ("sum(@)", Function(F::Sum, &[Current])),
    ("to_array(n)", Function(F::ToArray, &[Field("n")])),
    ("to_array(a)", Function(F::ToArray, &[Field("a")])),
    ("to_array(@)", Function(F::ToArray, &[Current])),
    ("to_number(num)", Function(F::ToNumber, &[Field("num")])),
    ("to_number(numf)", Function(F::ToNumber, &[Field("numf")])),
    ("to_number(s)", Function(F::ToNumber, &[Field("s")])),
    ("to_number(@)", Function(F::ToNumber, &[Current])),
    ("to_string(o)", Function(F::ToString, &[Field("o")])),
    ("to_string(a)", Function(F::ToString, &[Field("a")])),
    ("to_string(s)", Function(F::ToString, &[Field("s")])),
    ("to_string(n)", Function(F::ToString, &[Field("n")])),
    ("type(@)", Function(F::Type, &[Current])),
    ("type(z)", Function(F::Type, &[Field("z")])),
    (
        "type(a[0])",
        Function(F::Type, &[IndexExpr(&Field("a"), &Index(0))]),
    ),
    ("values(o)", Function(F::Values, &[Field("o")])),
    ("values(@)", Function(F::Values, &[Current])),
];

/// A case where Rust and Python disagree on purpose.
struct Deviation {
    text: &'static str,
    expr: Expr,
    /// The document, as JSON text.
    doc: &'static str,
    /// Python's result as JSON text; `None` for an error.
    python: Option<&'static str>,
    /// Rust's result as JSON text; `None` for an error.
    rust: Option<&'static str>,
    why: &'static str,
}

/// Where Rust and Python disagree on purpose.
static DEVIATIONS: &[Deviation] = &[
    Deviation {
        text: "'a' < 'b'",
        expr: Compare(C::Lt, &Literal(L::String("a")), &Literal(L::String("b"))),
        doc: "null",
        python: Some("true"),
        rust: Some("null"),
        why: "the specification orders numbers only; Python orders strings too",
    },
    Deviation {
        text: "'a' < `1`",
        expr: Compare(C::Lt, &Literal(L::String("a")), &Literal(L::Number(1.0))),
        doc: "null",
        python: None,
        rust: Some("null"),
        why: "Python fails comparing a string with a number",
    },
    Deviation {
        text: "`[1]` == `[true]`",
        expr: Compare(
            C::Eq,
            &Literal(L::Array(&[L::Number(1.0)])),
            &Literal(L::Array(&[L::Bool(true)])),
        ),
        doc: "null",
        python: Some("true"),
        rust: Some("false"),
        why: "Python's 1 == True inside arrays and objects",
    },
    Deviation {
        text: "contains(`[true]`, `1`)",
        expr: Function(
            F::Contains,
            &[Literal(L::Array(&[L::Bool(true)])), Literal(L::Number(1.0))],
        ),
        doc: "null",
        python: Some("true"),
        rust: Some("false"),
        why: "Python's 1 == True",
    },
    Deviation {
        text: "to_string(`1.0`)",
        expr: Function(F::ToString, &[Literal(L::Number(1.0))]),
        doc: "null",
        python: Some(r#""1.0""#),
        rust: Some(r#""1""#),
        why: "every number is an f64: integral ones print as integers",
    },
    Deviation {
        text: "to_string(`10000000000000000`)",
        expr: Function(F::ToString, &[Literal(L::Number(1e16))]),
        doc: "null",
        python: Some(r#""10000000000000000""#),
        rust: Some(r#""1e+16""#),
        why: "every number is an f64: from 1e16 on they print with an exponent",
    },
    Deviation {
        text: r#"to_string(`["é"]`)"#,
        expr: Function(F::ToString, &[Literal(L::Array(&[L::String("é")]))]),
        doc: "null",
        python: Some(r#""[\"\\u00e9\"]""#),
        rust: Some(r#""[\"é\"]""#),
        why: "Python's json.dumps escapes non-ASCII characters",
    },
    Deviation {
        text: "to_number(' 1')",
        expr: Function(F::ToNumber, &[Literal(L::String(" 1"))]),
        doc: "null",
        python: Some("1"),
        rust: Some("null"),
        why: "only JSON numbers convert; Python's int() strips spaces",
    },
    Deviation {
        text: "to_number('1_000')",
        expr: Function(F::ToNumber, &[Literal(L::String("1_000"))]),
        doc: "null",
        python: Some("1000"),
        rust: Some("null"),
        why: "only JSON numbers convert; Python's int() takes digit separators",
    },
    Deviation {
        text: "to_number('.5')",
        expr: Function(F::ToNumber, &[Literal(L::String(".5"))]),
        doc: "null",
        python: Some("0.5"),
        rust: Some("null"),
        why: "only JSON numbers convert; Python's float() takes `.5`",
    },
    Deviation {
        text: "@[::0]",
        expr: Projection(&Slice(None, None, Some(0)), &Current),
        doc: "5",
        python: Some("null"),
        rust: None,
        why: "a step of 0 is an invalid-value error whatever it slices; Python checks arrays only",
    },
    Deviation {
        text: "type(&a)",
        expr: Function(F::Type, &[ExpRef(&Field("a"))]),
        doc: "null",
        python: Some("null"),
        rust: None,
        why: "an expression reference is not a value; Python's type() returns null for it",
    },
];

/// A serde_json value as a JMESPath value (object members in serde_json's order, which is
/// also the order Python reads them in).
fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().expect("a finite number")),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(to_value).collect()),
        serde_json::Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect())
        }
    }
}

fn parse(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("test JSON {text}: {e}"))
}

/// Whether Rust's `result` agrees with Python's `outcome`; `None` when it does, else why not.
fn disagreement(result: &Result<Value, EvalError>, outcome: &serde_json::Value) -> Option<String> {
    match (result, outcome.get("ok"), outcome.get("error")) {
        (Ok(v), Some(p), None) if *v == to_value(p) => None,
        (Err(e), None, Some(class)) => {
            let type_error = matches!(class.as_str(), Some("JMESPathTypeError" | "TypeError"));
            (type_error && e.kind() != ErrorKind::InvalidType)
                .then(|| format!("Rust {e} for Python's {class}"))
        }
        (Ok(v), _, _) => Some(format!("Rust {v}, Python {outcome}")),
        (Err(e), _, _) => Some(format!("Rust error ({e}), Python {outcome}")),
    }
}

fn oracle(input: &serde_json::Value) -> Option<serde_json::Value> {
    let why =
        "python3 with the jmespath package is not available (python3 -m pip install jmespath)";
    if !python::available("jmespath_oracle", "import jmespath", why, true) {
        return None;
    }
    Some(python::run_json(ORACLE, &[], &input.to_string()))
}

#[test]
fn evaluation_agrees_with_python() {
    assert!(CASES.len() >= 60, "{} expressions", CASES.len());
    let docs: Vec<serde_json::Value> = DOCS.iter().map(|d| parse(d)).collect();
    let deviations: Vec<_> = DEVIATIONS
        .iter()
        .map(|d| json!([d.text, parse(d.doc)]))
        .collect();
    let input = json!({
        "cases": CASES.iter().map(|(text, _)| *text).collect::<Vec<_>>(),
        "docs": docs,
        "deviations": deviations,
    });
    let Some(out) = oracle(&input) else {
        return;
    };
    assert_eq!(out["parse_errors"], json!([]), "Python cannot parse these");
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), CASES.len());

    let values: Vec<Value> = docs.iter().map(to_value).collect();
    let (mut compared, mut non_null, mut errors) = (0, 0, 0);
    let mut failures = Vec::new();
    for ((text, expr), outcomes) in CASES.iter().zip(results) {
        let outcomes = outcomes.as_array().expect("one outcome per document");
        assert_eq!(outcomes.len(), values.len());
        for (i, (doc, outcome)) in values.iter().zip(outcomes).enumerate() {
            let result = expr.evaluate(doc);
            compared += 1;
            match &result {
                Ok(Value::Null) => {}
                Ok(_) => non_null += 1,
                Err(_) => errors += 1,
            }
            if let Some(why) = disagreement(&result, outcome) {
                failures.push(format!("`{text}` on document {i}: {why}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The comparison says something: many results are values, and errors are compared too.
    assert!(
        non_null * 4 > compared,
        "{non_null} of {compared} results are not null"
    );
    assert!(errors > 50, "{errors} errors");
    let _ = writeln!(
        std::io::stderr(),
        "jmespath_oracle: {} expressions x {} documents = {compared} results agree with Python \
         ({non_null} values, {} nulls, {errors} errors)",
        CASES.len(),
        DOCS.len(),
        compared - non_null - errors,
    );
    check_deviations(&out["deviations"]);
}

/// Each listed deviation still holds: Python gives what is listed, and Rust its own result.
fn check_deviations(outcomes: &serde_json::Value) {
    let outcomes = outcomes.as_array().expect("deviations");
    assert_eq!(outcomes.len(), DEVIATIONS.len());
    for (d, outcome) in DEVIATIONS.iter().zip(outcomes) {
        let (text, why) = (d.text, d.why);
        match d.python {
            Some(p) => assert_eq!(
                outcome.get("ok"),
                Some(&parse(p)),
                "`{text}` in Python ({why})"
            ),
            None => assert!(
                outcome.get("error").is_some(),
                "`{text}` in Python: {outcome} ({why})"
            ),
        }
        let result = d.expr.evaluate(&to_value(&parse(d.doc)));
        match d.rust {
            Some(r) => assert_eq!(result, Ok(to_value(&parse(r))), "`{text}` in Rust ({why})"),
            None => assert!(result.is_err(), "`{text}` in Rust: {result:?} ({why})"),
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "jmespath_oracle: {} documented deviations from Python confirmed",
        DEVIATIONS.len()
    );
}
