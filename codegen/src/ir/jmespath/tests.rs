//! Tests of the JMESPath parser: structure, errors with offsets, emitted tokens, no panics on
//! any input, and agreement with the reference implementation (Python `jmespath`).
use super::*;

/// A compact rendering of a tree: `(proj a (. b c))`.
fn sexpr(ast: &Ast) -> String {
    let list = |head: &str, items: &[&Ast]| {
        let items: Vec<String> = items.iter().map(|a| sexpr(a)).collect();
        format!("({head} {})", items.join(" "))
    };
    match ast {
        Ast::Current => "@".to_string(),
        Ast::Literal(lit) => format!("`{}`", lit_text(lit)),
        Ast::Field(name) if is_plain(name) => name.clone(),
        Ast::Field(name) => format!("{name:?}"),
        Ast::Index(n) => n.to_string(),
        Ast::Slice(a, b, c) => [a, b, c]
            .map(|n| n.map(|n| n.to_string()).unwrap_or_default())
            .join(":"),
        Ast::Sub(a, b) => list(".", &[a, b]),
        Ast::IndexExpr(a, b) => list("idx", &[a, b]),
        Ast::Projection(a, b) => list("proj", &[a, b]),
        Ast::ValueProjection(a, b) => list("vproj", &[a, b]),
        Ast::FilterProjection {
            left,
            right,
            condition,
        } => list("filter", &[left, right, condition]),
        Ast::Flatten(a) => list("flat", &[a]),
        Ast::Compare(c, a, b) => list(cmp_symbol(*c), &[a, b]),
        Ast::And(a, b) => list("&&", &[a, b]),
        Ast::Or(a, b) => list("||", &[a, b]),
        Ast::Not(a) => list("!", &[a]),
        Ast::Pipe(a, b) => list("|", &[a, b]),
        Ast::ExpRef(a) => list("&", &[a]),
        Ast::MultiList(items) => list("list", &items.iter().collect::<Vec<_>>()),
        Ast::Function(f, args) => list(f.name(), &args.iter().collect::<Vec<_>>()),
        Ast::MultiHash(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}:{}", sexpr(v)))
                .collect();
            format!("(hash {})", pairs.join(" "))
        }
    }
}

fn is_plain(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn lit_text(lit: &Lit) -> String {
    match lit {
        Lit::Null => "null".to_string(),
        Lit::Bool(b) => b.to_string(),
        Lit::Number(n) => n.to_string(),
        Lit::String(s) => format!("{s:?}"),
        Lit::Array(items) => {
            let items: Vec<String> = items.iter().map(lit_text).collect();
            format!("[{}]", items.join(","))
        }
        Lit::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", lit_text(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

const STRUCTURE: &[(&str, &str)] = &[
    ("a", "a"),
    ("a.b.c", "(. (. a b) c)"),
    ("a.b[*].c | d", "(| (. a (proj b c)) d)"),
    ("length(x[]) > `0`", "(> (length (proj (flat x) @)) `0`)"),
    ("!a && b || c", "(|| (&& (! a) b) c)"),
    (
        "foo[?a == 'x' && b != `null`].name",
        r#"(filter foo name (&& (== a `"x"`) (!= b `null`)))"#,
    ),
    ("[0][1]", "(idx (idx @ 0) 1)"),
    ("a[-1]", "(idx a -1)"),
    (
        "reverse(sort_by(@, &age))[0].name",
        "(. (idx (reverse (sort_by @ (& age))) 0) name)",
    ),
    ("{a: b, c: d[0]}", "(hash a:b c:(idx d 0))"),
    (r#""quoted".x"#, "(. quoted x)"),
    (r#"a."b c""#, r#"(. a "b c")"#),
    (r#""\u00e9\"\\""#, r#""é\"\\""#),
    ("foo[*].bar", "(proj foo bar)"),
    ("foo[]", "(proj (flat foo) @)"),
    ("foo.*.bar", "(vproj foo bar)"),
    ("foo[0]", "(idx foo 0)"),
    ("foo[1:2]", "(proj (idx foo 1:2:) @)"),
    ("a[*].b.c", "(proj a (. b c))"),
    ("a[*].b[*].c", "(proj a (proj b c))"),
    ("a[].b[]", "(proj (flat (proj (flat a) b)) @)"),
    ("a[*][0]", "(proj a (idx @ 0))"),
    ("a[?b].c[0]", "(filter a (idx c 0) b)"),
    ("a[?b][?c]", "(filter a (filter @ @ c) b)"),
    ("a[?b][]", "(proj (flat (filter a @ b)) @)"),
    ("a == b == c", "(== (== a b) c)"),
    ("a || b && c", "(|| a (&& b c))"),
    ("!a.b", "(. (! a) b)"),
    ("a | b | c", "(| (| a b) c)"),
    ("a.[b, c]", "(. a (list b c))"),
    ("a.{b: c}", "(. a (hash b:c))"),
    ("*.a", "(vproj @ a)"),
    ("[*].a", "(proj @ a)"),
    ("a.*", "(vproj a @)"),
    ("a.*[0]", "(vproj a (idx @ 0))"),
    ("a[1:2].b", "(proj (idx a 1:2:) b)"),
    ("a[::-1]", "(proj (idx a ::-1) @)"),
    ("[:2]", "(proj (idx @ :2:) @)"),
    ("a[*].b | [0]", "(| (proj a b) (idx @ 0))"),
    ("a[*].b == `1`", "(== (proj a b) `1`)"),
    ("a && b[*].c", "(&& a (proj b c))"),
    ("(a || b).c", "(. (|| a b) c)"),
    ("a.length(b)", "(. a (length b))"),
    ("map(&a.b, c)", "(map (& (. a b)) c)"),
    ("not_null(a, b, `1`)", "(not_null a b `1`)"),
    (r"'it\'s'", r#"`"it's"`"#),
    (r"'a\\b\n'", r#"`"a\\\\b\\n"`"#),
    (r#"`{"a": [1, 2.5, "x\`"]}`"#, r#"`{"a":[1,2.5,"x`"]}`"#),
    (
        "a[?b > `1` || c < `2`]",
        "(filter a @ (|| (> b `1`) (< c `2`)))",
    ),
    ("a[?!b]", "(filter a @ (! b))"),
    ("@", "@"),
    ("&a", "(& a)"),
    ("[a, b][0]", "(idx (list a b) 0)"),
    ("a[0].b[1].c", "(. (. (idx a 0) (idx b 1)) c)"),
    ("a.b[0]", "(. a (idx b 0))"),
    ("a[*].b[0]", "(proj a (idx b 0))"),
    ("length(a) > `0` && b", "(&& (> (length a) `0`) b)"),
    ("a <= b || a >= b", "(|| (<= a b) (>= a b))"),
    ("a[*].[b, c]", "(proj a (list b c))"),
    ("a[*] | b", "(| (proj a @) b)"),
    ("`-1.5e3`", "`-1500`"),
    ("a [ 0 ] . b", "(. (idx a 0) b)"),
];

#[test]
fn parses_the_structure_of_the_reference() {
    assert!(STRUCTURE.len() >= 40);
    for (text, want) in STRUCTURE {
        match parse(text) {
            Ok(ast) => assert_eq!(sexpr(&ast), *want, "{text}"),
            Err(e) => panic!("{text}: {e}"),
        }
    }
}

const ERRORS: &[(&str, usize, &str)] = &[
    ("a.", 2, "expected an identifier, `*`, `[` or `{` after `.`"),
    ("a[", 2, "expected a number, `:` or `*` after `[`"),
    ("foo(", 4, "expected an expression, found the end"),
    ("length(", 7, "expected an expression, found the end"),
    ("a[0:1:0]", 6, "a slice step cannot be 0"),
    ("a[::0]", 4, "a slice step cannot be 0"),
    ("a[1:2:3:4]", 7, "expected a number or `]` in a slice"),
    ("a[:1 2]", 5, "expected a number, `:` or `]` in a slice"),
    ("foo(a)", 0, "unknown function `foo`"),
    ("a.bar(@)", 2, "unknown function `bar`"),
    ("length(a, b)", 0, "`length` takes 1 argument, found 2"),
    ("sort_by(a)", 0, "`sort_by` takes 2 arguments, found 1"),
    ("merge()", 0, "`merge` takes at least 1 argument, found 0"),
    ("length(a b)", 9, "expected `,` or `)` in a function call"),
    ("length(a,)", 9, "expected an expression"),
    ("`[1, 2", 0, "unterminated literal"),
    ("a == `1", 5, "unterminated literal"),
    ("'abc", 0, "unterminated raw string"),
    ("\"abc", 0, "unterminated string"),
    (
        "`foo`",
        1,
        "invalid JSON in a literal: unexpected character `f`",
    ),
    ("``", 1, "expected a JSON value"),
    ("`1e400`", 1, "out of range"),
    (r#"`{"a": 1, "a": 2}`"#, 10, "duplicate object key `a`"),
    (r#"`"\ud800"`"#, 2, "lone surrogate"),
    (r#"`"\`" x`"#, 6, "after the end of the JSON value"),
    ("`[1,\n 2 x]`", 8, "expected `,` or `]`"),
    ("a.\"b\\qc\"", 4, "invalid escape"),
    ("`\u{feff}1`", 1, "U+FEFF"),
    ("`[[1e999]]`", 3, "out of range"),
    ("a[99999999999999999999]", 2, "does not fit in 64 bits"),
    ("a b", 2, "unexpected identifier `b` after the expression"),
    ("a = b", 2, "single `=`"),
    ("a[b]", 2, "expected a number, `:` or `*` after `[`"),
    ("[a,]", 3, "expected an expression"),
    (
        "{a: b c: d}",
        6,
        "expected `,` or `}` in a multi-select hash",
    ),
    ("{}", 1, "expected a key in a multi-select hash"),
    ("\"f\"(a)", 0, "cannot name a function"),
    ("(length)(a)", 8, "function name is an unquoted identifier"),
    ("a!", 1, "unexpected `!` here"),
    ("a[*]*", 4, "unexpected `*` after a projection"),
    ("-", 0, "expected a digit after `-`"),
    ("a\u{e9}", 1, "unexpected character 'é'"),
    ("", 0, "expected an expression, found the end"),
];

#[test]
fn reports_errors_with_offsets() {
    for (text, offset, message) in ERRORS {
        match parse(text) {
            Ok(ast) => panic!("{text}: parsed as {}", sexpr(&ast)),
            Err(e) => {
                assert!(e.message.contains(message), "{text}: {e}");
                assert_eq!(e.offset, *offset, "{text}: {e}");
            }
        }
    }
    let e = parse("a.").err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some(
            "at column 3: expected an identifier, `*`, `[` or `{` after `.`, \
             found the end of the expression"
        )
    );
}

#[test]
fn bounds_tokens_and_nesting() {
    let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert!(parse(&deep).is_err_and(|e| e.message.contains("nested more than")));
    let ok = format!("{}a{}", "(".repeat(50), ")".repeat(50));
    assert_eq!(parse(&ok), Ok(Ast::Field("a".to_string())));
    let long = vec!["a"; 600].join(".");
    assert!(parse(&long).is_err_and(|e| e.message.contains("tokens")));
    let chain = vec!["a"; 200].join(".");
    assert!(parse(&chain).is_err_and(|e| e.message.contains("nests more than")));
    let json = format!("`{}{}`", "[".repeat(70), "]".repeat(70));
    assert!(parse(&json).is_err_and(|e| e.message.contains("arrays and objects")));
}

#[test]
fn knows_every_function_once() {
    for (i, s) in FUNCTIONS.iter().enumerate() {
        assert!(std::ptr::eq(s.func.signature(), s), "{}", s.name);
        assert!(FUNCTIONS[..i].iter().all(|t| t.name != s.name));
        let call = vec!["@"; s.args].join(", ");
        let text = format!("{}({call})", s.name);
        assert_eq!(parse(&text).map(|a| sexpr(&a).contains(s.name)), Ok(true));
    }
}

fn tokens(text: &str, rt: &TokenStream) -> TokenStream {
    match parse(text) {
        Ok(ast) => ast.to_tokens(rt),
        Err(e) => panic!("{text}: {e}"),
    }
}

fn compact(tokens: &TokenStream) -> String {
    tokens.to_string().replace(' ', "")
}

#[test]
fn emits_constant_trees_as_rust() {
    let rt = quote!(::anvil_runtime);
    for text in STRUCTURE
        .iter()
        .map(|(t, _)| *t)
        .chain(DIFFERENTIAL.iter().copied())
    {
        let Ok(ast) = parse(text) else { continue };
        let expr = ast.to_tokens(&rt);
        let item = quote!(static E: ::anvil_runtime::jmespath::Expr = #expr;);
        assert!(syn::parse2::<syn::Expr>(expr).is_ok(), "{text}");
        assert!(syn::parse2::<syn::Item>(item).is_ok(), "{text}");
    }
    assert_eq!(
        compact(&tokens("Table.TableStatus", &rt)),
        "::anvil_runtime::jmespath::Expr::Sub(\
         &::anvil_runtime::jmespath::Expr::Field(\"Table\"),\
         &::anvil_runtime::jmespath::Expr::Field(\"TableStatus\"))"
    );
    let rt = quote!(rt);
    assert_eq!(
        compact(&tokens("length(x[?b == `-2`]) >= `1`", &rt)),
        "rt::jmespath::Expr::Compare(rt::jmespath::Comparator::Ge,\
         &rt::jmespath::Expr::Function(rt::jmespath::Function::Length,\
         &[rt::jmespath::Expr::FilterProjection{\
         left:&rt::jmespath::Expr::Field(\"x\"),\
         right:&rt::jmespath::Expr::Current,\
         condition:&rt::jmespath::Expr::Compare(rt::jmespath::Comparator::Eq,\
         &rt::jmespath::Expr::Field(\"b\"),\
         &rt::jmespath::Expr::Literal(rt::jmespath::Literal::Number(-2.0)))}]),\
         &rt::jmespath::Expr::Literal(rt::jmespath::Literal::Number(1.0)))"
    );
    assert_eq!(
        compact(&tokens("a[-1:]", &rt)),
        "rt::jmespath::Expr::Projection(\
         &rt::jmespath::Expr::IndexExpr(&rt::jmespath::Expr::Field(\"a\"),\
         &rt::jmespath::Expr::Slice(::core::option::Option::Some(-1),\
         ::core::option::Option::None,::core::option::Option::None)),\
         &rt::jmespath::Expr::Current)"
    );
    assert_eq!(
        compact(&tokens(r#"{k: `{"a": [true, null, "s"]}`}"#, &rt)),
        "rt::jmespath::Expr::MultiHash(&[(\"k\",rt::jmespath::Expr::Literal(\
         rt::jmespath::Literal::Object(&[(\"a\",rt::jmespath::Literal::Array(&[\
         rt::jmespath::Literal::Bool(true),rt::jmespath::Literal::Null,\
         rt::jmespath::Literal::String(\"s\")]))])))])"
    );
}

#[test]
fn writes_numbers_as_valid_tokens() {
    for (n, want) in [
        (1.0, "1.0"),
        (-0.5, "-0.5"),
        (1e300, "1e300"),
        (-0.0, "-0.0"),
        (f64::NAN, "::core::primitive::f64::NAN"),
        (f64::NEG_INFINITY, "::core::primitive::f64::NEG_INFINITY"),
    ] {
        let tokens = f64_tokens(n);
        let parsed = syn::parse2::<syn::Expr>(tokens.clone());
        assert!(parsed.is_ok(), "{n}");
        if want != "1e300" {
            assert_eq!(compact(&tokens), want);
        }
    }
    assert_eq!(compact(&i64_tokens(i64::MIN)), "-9223372036854775808");
    assert_eq!(compact(&i64_tokens(7)), "7");
}

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Parses `text`, and checks that a tree it accepts emits a Rust expression.
fn survives(text: &str) {
    if let Ok(ast) = parse(text) {
        let tokens = ast.to_tokens(&quote!(::rt));
        assert!(syn::parse2::<syn::Expr>(tokens).is_ok(), "{text}");
    }
}

#[test]
fn never_panics() {
    let corpus = STRUCTURE
        .iter()
        .map(|(t, _)| *t)
        .chain(ERRORS.iter().map(|(t, _, _)| *t))
        .chain(DIFFERENTIAL.iter().copied());
    for text in corpus {
        for (i, _) in text.char_indices() {
            survives(&text[..i]);
            survives(&text[i..]);
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet = b"ab_09-.*[]?!=<>|&@(){}:,`'\"\\ \tu";
    for _ in 0..4000 {
        let len = rng.below(24);
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(10) {
                0 => rng.below(256) as u8,
                _ => alphabet[rng.below(alphabet.len())],
            })
            .collect();
        survives(&String::from_utf8_lossy(&bytes));
    }
    let snippets = [
        "a",
        ".",
        "[",
        "]",
        "*",
        "[?",
        "[]",
        "`1`",
        "'x'",
        "(",
        ")",
        "{",
        "}",
        ":",
        ",",
        "|",
        "||",
        "&",
        "&&",
        "!",
        "==",
        "<",
        "@",
        "length",
        "sort_by",
        "-1",
        "0",
        "\"q\"",
        " ",
        "`",
        "'",
        "\\",
        "\"",
        "`[1, {\"a\": null}]`",
        "not_null",
    ];
    for _ in 0..4000 {
        let text: String = (0..1 + rng.below(14))
            .map(|_| snippets[rng.below(snippets.len())])
            .collect();
        survives(&text);
    }
    for (unit, count) in [
        ("(", 100_000),
        ("!", 100_000),
        ("[", 100_000),
        ("a.", 50_000),
        ("a[*].", 20_000),
        ("{a:", 30_000),
        ("&", 100_000),
        ("-", 10),
    ] {
        survives(&unit.repeat(count));
    }
    survives(&format!("`{}`", "[".repeat(100_000)));
    survives(&format!("`{}`", "{\"a\":".repeat(100_000)));
}

/// Expressions compared with the reference parser (the models' waiter paths are added at
/// test time).
const DIFFERENTIAL: &[&str] = &[
    // identifiers and sub-expressions
    "a",
    "a.b",
    "a.b.c.d",
    "_x1.Y_2",
    r#""a""#,
    r#""a b".c"#,
    r#""\u00e9""#,
    r#""a\"b""#,
    r#""\ud83d\ude00""#,
    r#""\n\t\\\/""#,
    "a .\n b",
    "@",
    "@.a",
    "a.@",
    // indexes and slices
    "a[0]",
    "a[-1]",
    "a[-0]",
    "a[007]",
    "[0]",
    "[0][1]",
    "a[0][1]",
    "a[0][1][2]",
    "a.b[0]",
    "a[0].b",
    "a[0].b[1].c",
    "a[1:2]",
    "a[:2]",
    "a[1:]",
    "a[::2]",
    "a[::-1]",
    "a[1:2:3]",
    "a[:]",
    "a[::]",
    "[1:2]",
    "a[1:2].b",
    "a[1:2][0]",
    "a[-3:-1].b[0]",
    "a[::0]",
    "a[0:1:0]",
    "a[1:2:3:4]",
    "a[99999999999999999999]",
    // projections
    "a[*]",
    "a[*].b",
    "a[*].b.c",
    "a[*].b[*].c",
    "a[*][0]",
    "a[*][*]",
    "a[*].b | c",
    "a.b[*].c | d",
    "[*]",
    "[*].a",
    "*",
    "*.a",
    "a.*",
    "a.*.b",
    "a.*.b.*.c",
    "a.*[0]",
    "a.*.*",
    "a[*].*",
    "a[].b",
    "a[]",
    "[]",
    "[].a",
    "a[][]",
    "a[].b[]",
    "a[*][]",
    "a[*].b[0] | [0]",
    "a[*].b[0].c",
    "a.b.c[*].d[*].e",
    "a[].b.c[?d].e",
    // filters
    "a[?b]",
    "a[?b].c",
    "a[?b == `1`]",
    "a[?b == 'x'].c",
    "foo[?a == 'x' && b != `null`].name",
    "[?a]",
    "[?a].b",
    "a[?b][?c]",
    "a[?b][]",
    "a[?b].c[0]",
    "a[?b > `1` || c < `2`]",
    "a[?!b]",
    "a[?(b || c) && d]",
    "a[?b.c == @.d]",
    "a[?length(b) > `0`].c",
    "a[?b[?c]]",
    "a[?b].c | d",
    "a[?`true`]",
    // comparisons and logic
    "a == b",
    "a != b",
    "a < b",
    "a <= b",
    "a > b",
    "a >= b",
    "a == b == c",
    "a < b && c >= d",
    "a && b || c",
    "!a && b || c",
    "a || b && c",
    "!a",
    "!a.b",
    "!!a",
    "!(a == b)",
    "a && !b",
    "a | b | c",
    "(a | b).c",
    "(a).b",
    "((a))",
    "a || b | c",
    "a == b | c",
    "!a[0]",
    "!a[*].b",
    // multi-select
    "[a, b]",
    "[a, b.c]",
    "a.[b, c]",
    "a[*].[b, c]",
    "{a: b}",
    "{a: b, c: d[0]}",
    "a.{b: c, d: e}",
    r#"{"x y": a}"#,
    "[[a], [b]]",
    "{a: {b: c}}",
    "[a, *]",
    "[a, b][0]",
    "{a: b}.a",
    "a[*].{b: c}",
    // literals
    "`null`",
    "`true`",
    "`false`",
    "`0`",
    "`-1.5e3`",
    "`1e-2`",
    "`1E+2`",
    r#"`"s"`"#,
    r#"`[1, "a", null]`"#,
    r#"`{"a": [1, 2], "b": {}}`"#,
    r#"`"a\`b"`"#,
    r#"`"a\\b"`"#,
    "'raw'",
    r"'it\'s'",
    r"'a\\b'",
    r"'a\\'",
    r"'\n\z'",
    "''",
    "`[]`",
    "`{}`",
    "` 1 `",
    "`12345678901234567890`",
    "`1.0`",
    "`-0`",
    "`-0.0`",
    r#"`"\ud83d\ude00"`"#,
    "'é'",
    r#"`"é"`"#,
    r#""é""#,
    "`1e400`",
    "`NaN`",
    r#"`"\ud800"`"#,
    r#""\ud800""#,
    r#"`{"a": 1, "a": 2}`"#,
    "`foo`",
    "``",
    "` `",
    "`[1,]`",
    r#"`{"a" 1}`"#,
    "`\"\u{1}\"`",
    // functions
    "length(a)",
    "length(x[]) > `0`",
    "reverse(sort_by(@, &age))[0].name",
    "map(&a, b)",
    "map(&[a, b], c)",
    "sort_by(a, &b.c)",
    "max_by(a, &b)",
    "min_by(a, &b)",
    "not_null(a, b, c)",
    "not_null(a)",
    "merge(a, b)",
    "merge(a)",
    "contains(a, 'x')",
    "starts_with(a, 'x')",
    "ends_with(a, 'y')",
    "join(', ', a)",
    "keys(@)",
    "values(@)",
    "to_array(a)",
    "to_string(a)",
    "to_number(a)",
    "type(a)",
    "abs(a)",
    "avg(a)",
    "ceil(a)",
    "floor(a)",
    "max(a)",
    "min(a)",
    "sort(a)",
    "sum(a)",
    "a.length(b)",
    "a[*].length(b)",
    "length(@) == `0`",
    "length(a[?b == 'c']) > `0`",
    "&a",
    "&a.b | c",
    "sort_by(a, &b)[-1].c",
    "foo(a)",
    "length()",
    "length(a, b)",
    "merge()",
    "not_null()",
    "map(&a)",
    // errors
    "a.",
    "a[",
    "foo(",
    "length(",
    "`1",
    "'abc",
    r#""abc"#,
    "a..b",
    "a b",
    ".a",
    "a[b]",
    "[a,]",
    "{a}",
    "{a:}",
    "{}",
    "{a: b,}",
    "a=b",
    "a === b",
    "-",
    "a[-]",
    "a[1",
    "(a",
    "a)",
    "a && ",
    "|| a",
    "a |",
    "[",
    "]",
    r#"a."b"(c)"#,
    r#""f"(a)"#,
    "a.[0]",
    "a.'x'",
    "a.`1`",
    "a{",
    "a!",
    "a[*]b",
    "a[*]*",
    "a[?]",
    "a[?b",
    "!",
    "&",
    "a.*.",
    "a[1:2:3",
    "@@",
    "a.b.",
    "a\u{e9}",
    "$",
    "a#b",
    "[ ]",
    "[ ?a]",
    "a[0] b",
    "length(@) @",
    // known divergences, see `DIVERGENT`
    "a[0][1:2]",
    "not_null(a b)",
    "length(a,)",
    "{a: b c: d}",
    "(length)(a)",
    "a[:1 2]",
];

/// Expressions the reference parser accepts and this one refuses or reads otherwise, on
/// purpose (the test checks that each still differs).
const DIVERGENT: &[(&str, &str)] = &[
    (
        "a[0][1:2]",
        "the reference appends a slice to an index expression without projecting it",
    ),
    (
        "not_null(a b)",
        "the reference needs no comma between arguments",
    ),
    (
        "length(a,)",
        "the reference accepts a trailing comma in a call",
    ),
    (
        "{a: b c: d}",
        "the reference needs no comma between hash entries",
    ),
    ("(length)(a)", "the reference calls a parenthesized field"),
    (
        "a[:1 2]",
        "the reference lets a later number replace an earlier one",
    ),
    (
        r#"`{"a": 1, "a": 2}`"#,
        "the reference keeps the last of duplicate keys",
    ),
];

/// Reads the reference parser's trees, mapped to the shape of `canonical`. Input (stdin):
/// `{"expressions": [...], "models": dir}`; output (stdout): `{"version", "results":
/// [{"expr", "waiter", "status", "ast"?, "why"?}]}`. Status `ok`; `rejected` (the
/// reference refuses it); `checked` (accepted, but fails a check this parser makes and
/// the reference defers or skips); `legacy` (accepted only as the deprecated unquoted
/// literal).
const REFERENCE: &str = r#"
import glob, json, math, sys, warnings
try:
    import jmespath
    from jmespath.functions import Functions
except Exception as e:
    print("cannot import jmespath: %s" % e, file=sys.stderr)
    sys.exit(3)

class Check(Exception):
    pass

def text(s):
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise Check("lone surrogate")
    return s

def i64(n):
    if not -2**63 <= n < 2**63:
        raise Check("index out of range")
    return n

def lit(v):
    if v is None:
        return ["Null"]
    if isinstance(v, bool):
        return ["Bool", v]
    if isinstance(v, (int, float)):
        try:
            f = float(v)
        except OverflowError:
            raise Check("number out of range")
        if not math.isfinite(f):
            raise Check("non-finite number")
        return ["Number", f]
    if isinstance(v, str):
        return ["String", text(v)]
    if isinstance(v, list):
        return ["Array", [lit(x) for x in v]]
    return ["Object", [[text(k), lit(x)] for k, x in v.items()]]

def fold(tag, children):
    acc = node(children[0])
    for child in children[1:]:
        acc = [tag, acc, node(child)]
    return acc

CMP = {"eq": "Eq", "ne": "Ne", "lt": "Lt", "lte": "Le", "gt": "Gt", "gte": "Ge"}
SIMPLE = {
    "projection": "Projection", "value_projection": "ValueProjection",
    "filter_projection": "FilterProjection", "flatten": "Flatten", "pipe": "Pipe",
    "and_expression": "And", "or_expression": "Or", "not_expression": "Not",
    "expref": "ExpRef",
}

def call(n):
    entry = Functions.FUNCTION_TABLE.get(n["value"])
    if entry is None:
        raise Check("unknown function")
    sig, args = entry["signature"], n["children"]
    variadic = bool(sig) and sig[-1].get("variadic", False)
    if len(args) < len(sig) if variadic else len(args) != len(sig):
        raise Check("wrong number of arguments")
    return ["Function", n["value"], [node(a) for a in args]]

def node(n):
    t, c = n["type"], n.get("children", [])
    if t in ("current", "identity"):
        return ["Current"]
    if t == "literal":
        return ["Literal", lit(n["value"])]
    if t == "field":
        return ["Field", text(n["value"])]
    if t == "subexpression":
        return fold("Sub", c)
    if t == "index_expression":
        return fold("IndexExpr", c)
    if t == "index":
        return ["Index", i64(n["value"])]
    if t == "slice":
        if c[2] == 0:
            raise Check("slice step 0")
        return ["Slice"] + [None if x is None else i64(x) for x in c]
    if t == "comparator":
        return ["Compare", CMP[n["value"]], node(c[0]), node(c[1])]
    if t == "multi_select_list":
        return ["MultiList", [node(x) for x in c]]
    if t == "multi_select_dict":
        return ["MultiHash", [[text(kv["value"]), node(kv["children"][0])] for kv in c]]
    if t == "function_expression":
        return call(n)
    if t in SIMPLE:
        return [SIMPLE[t]] + [node(x) for x in c]
    raise ValueError("no mapping for node type %r" % t)

def ascii(s):
    return s.encode("ascii", "backslashreplace").decode("ascii")

def run(expr, waiter):
    out = {"expr": expr, "waiter": waiter}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = jmespath.compile(expr).parsed
        except Exception as e:
            out.update(status="rejected", why=ascii("%s: %s" % (type(e).__name__, e)))
            return out
    if any(issubclass(w.category, PendingDeprecationWarning) for w in caught):
        out.update(status="legacy", why="deprecated unquoted literal")
        return out
    try:
        out.update(status="ok", ast=node(tree))
    except Check as e:
        out.update(status="checked", why=str(e))
    return out

def waiter_paths(models):
    paths = []
    for path in sorted(glob.glob(models + "/*.json")):
        with open(path, encoding="utf-8") as f:
            shapes = json.load(f).get("shapes", {})
        for shape in shapes.values():
            waiters = shape.get("traits", {}).get("smithy.waiters#waitable") or {}
            for waiter in waiters.values():
                for acceptor in waiter.get("acceptors", []):
                    for kind in ("output", "inputOutput"):
                        matcher = acceptor.get("matcher", {}).get(kind)
                        if matcher and matcher.get("path") not in paths:
                            paths.append(matcher["path"])
    return paths

request = json.load(sys.stdin)
seen, results = set(), []
for waiter, exprs in ((True, waiter_paths(request["models"])), (False, request["expressions"])):
    for expr in exprs:
        if expr not in seen:
            seen.add(expr)
            results.append(run(expr, waiter))
json.dump({"version": jmespath.__version__, "results": results}, sys.stdout, ensure_ascii=True)
"#;

/// Our tree in the shape the reference script maps its trees to.
fn canonical(ast: &Ast) -> serde_json::Value {
    use serde_json::json;
    let all = |items: &[Ast]| items.iter().map(canonical).collect::<Vec<_>>();
    match ast {
        Ast::Current => json!(["Current"]),
        Ast::Literal(lit) => json!(["Literal", canonical_lit(lit)]),
        Ast::Field(name) => json!(["Field", name]),
        Ast::Index(n) => json!(["Index", n]),
        Ast::Slice(a, b, c) => json!(["Slice", a, b, c]),
        Ast::Sub(a, b) => json!(["Sub", canonical(a), canonical(b)]),
        Ast::IndexExpr(a, b) => json!(["IndexExpr", canonical(a), canonical(b)]),
        Ast::Projection(a, b) => json!(["Projection", canonical(a), canonical(b)]),
        Ast::ValueProjection(a, b) => {
            json!(["ValueProjection", canonical(a), canonical(b)])
        }
        Ast::FilterProjection {
            left,
            right,
            condition,
        } => json!([
            "FilterProjection",
            canonical(left),
            canonical(right),
            canonical(condition)
        ]),
        Ast::Flatten(a) => json!(["Flatten", canonical(a)]),
        Ast::Compare(c, a, b) => {
            json!(["Compare", cmp_variant(*c), canonical(a), canonical(b)])
        }
        Ast::And(a, b) => json!(["And", canonical(a), canonical(b)]),
        Ast::Or(a, b) => json!(["Or", canonical(a), canonical(b)]),
        Ast::Not(a) => json!(["Not", canonical(a)]),
        Ast::Pipe(a, b) => json!(["Pipe", canonical(a), canonical(b)]),
        Ast::ExpRef(a) => json!(["ExpRef", canonical(a)]),
        Ast::MultiList(items) => json!(["MultiList", all(items)]),
        Ast::MultiHash(pairs) => {
            let pairs: Vec<_> = pairs
                .iter()
                .map(|(k, v)| json!([k, canonical(v)]))
                .collect();
            json!(["MultiHash", pairs])
        }
        Ast::Function(f, args) => json!(["Function", f.name(), all(args)]),
    }
}

fn canonical_lit(lit: &Lit) -> serde_json::Value {
    use serde_json::json;
    match lit {
        Lit::Null => json!(["Null"]),
        Lit::Bool(b) => json!(["Bool", b]),
        Lit::Number(n) => json!(["Number", n]),
        Lit::String(s) => json!(["String", s]),
        Lit::Array(items) => {
            json!(["Array", items.iter().map(canonical_lit).collect::<Vec<_>>()])
        }
        Lit::Object(members) => {
            let members: Vec<_> = members
                .iter()
                .map(|(k, v)| json!([k, canonical_lit(v)]))
                .collect();
            json!(["Object", members])
        }
    }
}

/// Runs the reference script; `Err` says why it could not run.
fn reference(request: &serde_json::Value) -> Result<serde_json::Value, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("python3")
        .args(["-c", REFERENCE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let input = request.to_string();
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|e| format!("cannot write to python3: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("python3 failed: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    match output.status.code() {
        Some(0) => {}
        Some(3) => return Err(stderr),
        _ => panic!("the reference script failed ({}): {stderr}", output.status),
    }
    match serde_json::from_slice(&output.stdout) {
        Ok(answer) => Ok(answer),
        Err(e) => panic!("unreadable reference output: {e}"),
    }
}

#[test]
fn agrees_with_the_reference_parser() {
    const TEST: &str = "agrees_with_the_reference_parser";
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/aws-models");
    let request = serde_json::json!({ "expressions": DIFFERENTIAL, "models": models });
    let answer = match reference(&request) {
        Ok(answer) => answer,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{TEST}: the reference parser is required in CI: {why}")
        }
        Err(why) => {
            eprintln!("{TEST} skipped: {why}");
            return;
        }
    };
    let results = answer["results"].as_array().cloned().unwrap_or_default();
    let (mut agree, mut trees, mut waiters, mut failures) = (0, 0, 0, Vec::new());
    for result in &results {
        let text = result["expr"].as_str().unwrap_or_default();
        let status = result["status"].as_str().unwrap_or_default();
        waiters += usize::from(result["waiter"] == true);
        let ours = parse(text);
        let divergent = DIVERGENT.iter().find(|(t, _)| *t == text);
        let same = match (&ours, status) {
            (Ok(ast), "ok") => canonical(ast) == result["ast"],
            (Err(_), "rejected" | "checked" | "legacy") => true,
            _ => false,
        };
        match (same, divergent) {
            (true, None) => {
                agree += 1;
                trees += usize::from(status == "ok");
            }
            (false, Some(_)) if status == "ok" => {}
            (true, Some((_, why))) => failures.push(format!("{text}: no longer differs ({why})")),
            (false, _) => failures.push(format!(
                "{text}: reference {status} {} {}, ours {:?}",
                result["ast"],
                result["why"],
                ours.as_ref().map(sexpr)
            )),
        }
    }
    let version = answer["version"].as_str().unwrap_or("?");
    eprintln!(
        "{TEST}: {} expressions ({waiters} waiter paths) compared with jmespath {version}: \
         {agree} agree ({trees} identical trees, {} refused by both), {} known divergences, \
         {} failures",
        results.len(),
        agree - trees,
        DIVERGENT.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(trees >= 100, "only {trees} trees compared");
}
