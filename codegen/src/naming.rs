//! Rust identifiers made from Smithy names: the one place where casing,
//! keyword escaping and collision avoidance happen.
//!
//! Every function here is pure and deterministic and always returns an
//! ASCII identifier that [`is_valid_ident`] accepts (field names may be raw
//! identifiers such as `r#type`). The rules, applied in this order:
//!
//! 1. **Sanitising.** ASCII letters and digits are kept; every other ASCII
//!    character (punctuation, whitespace, control) is a word separator; every
//!    non-ASCII character becomes its own word `u` + at least four lowercase
//!    hex digits of its code point (`é` → `u00e9`, `😀` → `u1f600`), so distinct
//!    Unicode values stay distinct. If no ASCII letter or digit is left
//!    (`"+"`, `"_"`, `"--"`), every character of the input is encoded that way
//!    (`"+"` → `u002b`). The empty string becomes the word `empty`.
//! 2. **Casing** with `heck` (UpperCamelCase, snake_case or SCREAMING_SNAKE_CASE).
//! 3. **Leading digit**: a `_` is put in front (`1x` → `_1x`).
//! 4. **Keywords and reserved names**, per function (see each one).
//!
//! Names that differ only by case or separators (`FooBar`, `foo_bar`) map to
//! the same identifier; [`collision_key`] lets the IR detect such clashes.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of every edition up to 2024, which cannot be
/// used as plain identifiers. Weak keywords (`union`, `macro_rules`, `raw`,
/// `safe`) are ordinary identifiers and are not listed.
pub const KEYWORDS: &[&str] = &[
    // strict, 2015
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", // strict, 2018
    "async", "await", "dyn", // reserved
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", // reserved, 2018
    "try",   // reserved, 2024
    "gen",
];

/// Keywords that cannot be written as raw identifiers (`r#self` is an error).
const NOT_RAW: &[&str] = &["self", "Self", "crate", "super", "_"];

/// Type names that would shadow a prelude or commonly used std item inside
/// generated modules; [`type_name`] appends `Shape` to them.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "AsMut",
    "AsRef",
    "BTreeMap",
    "BTreeSet",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Display",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "Error",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Hash",
    "HashMap",
    "HashSet",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Member names that would collide with methods the generator emits next to
/// the per-member field/getter/setters; [`field_name`] appends `_value`.
///
/// - `build`, `builder`, `into_builder`, `validate`, `meta`, `config`, `new`:
///   builder / shape / error methods and associated functions;
/// - `send`, `customize`, `as_input`, `into_paginator`: fluent-builder methods;
/// - `clone`, `fmt`, `eq`, `ne`, `hash`, `cmp`, `partial_cmp`, `default`, `into`,
///   `from`, `to_owned`, `to_string`, `as_ref`, `as_mut`, `borrow`, `type_id`:
///   trait methods that an inherent getter of the same name would shadow, so
///   generated code calling e.g. `.clone()` would silently call the getter.
///
/// Prefixed accessor names (`set_x`, `get_x`) are not in the list: whether
/// they clash depends on the other members (`x` and `set_x` in one shape),
/// which the IR checks by comparing [`prefixed`] names.
pub const RESERVED_MEMBER_NAMES: &[&str] = &[
    "as_input",
    "as_mut",
    "as_ref",
    "borrow",
    "build",
    "builder",
    "clone",
    "cmp",
    "config",
    "customize",
    "default",
    "eq",
    "fmt",
    "from",
    "hash",
    "into",
    "into_builder",
    "into_paginator",
    "meta",
    "ne",
    "new",
    "partial_cmp",
    "send",
    "to_owned",
    "to_string",
    "type_id",
    "validate",
];

/// Name of the catch-all variant of generated enums; a member whose name
/// cases to it becomes `UnknownValue`.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// Whether `s` is a strict or reserved Rust keyword (any edition up to 2024).
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Whether `s` is written as a raw identifier (`r#type`).
pub fn is_raw(s: &str) -> bool {
    s.starts_with("r#")
}

/// `s` without a leading `r#`, e.g. to build `set_type` from `r#type`.
pub fn strip_raw(s: &str) -> &str {
    s.strip_prefix("r#").unwrap_or(s)
}

/// `prefix` joined to a field name from [`field_name`], dropping any `r#`:
/// `prefixed("set_", "r#type")` → `set_type`. The result is always a valid
/// identifier when `prefix` is a non-empty snake_case word ending in `_`.
pub fn prefixed(prefix: &str, field: &str) -> String {
    format!("{prefix}{}", strip_raw(field))
}

/// Whether `s` is a valid ASCII Rust identifier: `[A-Za-z_][A-Za-z0-9_]*`,
/// not `_`, not a keyword; or `r#` followed by such a name or a keyword that
/// may be raw (everything but `self`, `Self`, `crate`, `super`).
/// Non-ASCII identifiers are rejected on purpose: this module emits ASCII only.
pub fn is_valid_ident(s: &str) -> bool {
    let (body, raw) = match s.strip_prefix("r#") {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let mut chars = body.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return false;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    if body == "_" {
        return false;
    }
    if raw {
        !NOT_RAW.contains(&body)
    } else {
        !is_keyword(body)
    }
}

/// Key under which names that differ only by case or separators compare
/// equal: ASCII-lowercased, with every character that is not alphanumeric
/// removed (`FooBar`, `foo_bar`, `foo-bar`, `r#foobar` → `foobar`).
pub fn collision_key(s: &str) -> String {
    strip_raw(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Rule 1 of the module docs: an ASCII string of letters, digits and spaces.
fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut has_alnum = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            has_alnum = true;
        } else if c.is_ascii() {
            out.push(' ');
        } else {
            push_code_point(&mut out, c);
            has_alnum = true;
        }
    }
    if has_alnum {
        return out;
    }
    if name.is_empty() {
        return "empty".to_owned();
    }
    let mut out = String::with_capacity(name.len() * 8);
    for c in name.chars() {
        push_code_point(&mut out, c);
    }
    out
}

fn push_code_point(out: &mut String, c: char) {
    out.push_str(&format!(" u{:04x} ", u32::from(c)));
}

/// Rule 3: `_` in front of a leading digit; a non-empty fallback.
fn fix_start(mut s: String, fallback: &str) -> String {
    if s.is_empty() {
        return fallback.to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn camel(name: &str) -> String {
    fix_start(sanitize(name).to_upper_camel_case(), "Empty")
}

fn snake(name: &str) -> String {
    fix_start(sanitize(name).to_snake_case(), "empty")
}

/// Rust type name (struct, enum, union) for a Smithy shape name:
/// UpperCamelCase; names in [`RESERVED_TYPE_NAMES`] (which includes `Self`,
/// reached from `self`, `SELF`, …) get `Shape` appended (`Result` →
/// `ResultShape`).
pub fn type_name(smithy_name: &str) -> String {
    let mut name = camel(smithy_name);
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push_str("Shape");
    }
    name
}

/// Rust field name for a Smithy member name: snake_case; then
/// - `self`, `crate`, `super` (which cannot be raw) get a `_` suffix (`self_`);
/// - other keywords become raw identifiers (`type` → `r#type`, `gen` → `r#gen`);
/// - names in [`RESERVED_MEMBER_NAMES`] get `_value` (`send` → `send_value`).
///
/// Use [`prefixed`] to build `set_*` / `get_*` names from the result.
pub fn field_name(smithy_member: &str) -> String {
    let name = snake(smithy_member);
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if is_keyword(&name) {
        format!("r#{name}")
    } else if RESERVED_MEMBER_NAMES.contains(&name.as_str()) {
        format!("{name}_value")
    } else {
        name
    }
}

/// Variant name for an enum value / enum member name / union member:
/// UpperCamelCase; `Self` becomes `SelfValue` and the catch-all name
/// `Unknown` (in any case or spelling that cases to it, e.g. `UNKNOWN`,
/// `unknown`) becomes `UnknownValue`.
pub fn variant_name(name_or_value: &str) -> String {
    let mut name = camel(name_or_value);
    if name == "Self" || name == UNKNOWN_VARIANT {
        name.push_str("Value");
    }
    name
}

/// Module name: snake_case; keywords (any, since `r#` modules are awkward in
/// paths and file names) get a `_` suffix (`type` → `type_`).
pub fn module_name(name: &str) -> String {
    let name = snake(name);
    if is_keyword(&name) {
        format!("{name}_")
    } else {
        name
    }
}

/// The fluent builder's method of a waiter: `wait_until_` and the name in snake_case
/// (`TableExists` → `wait_until_table_exists`); the prefix keeps it clear of keywords and of
/// the builder's other methods.
pub fn waiter_method(waiter_name: &str) -> String {
    format!("wait_until_{}", snake(waiter_name))
}

/// Constant / static name: SCREAMING_SNAKE_CASE (no keyword is upper case,
/// so no escaping is needed).
pub fn const_name(name: &str) -> String {
    fix_start(sanitize(name).to_shouty_snake_case(), "EMPTY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiter_methods_are_prefixed_snake_case() {
        assert_eq!(waiter_method("TableExists"), "wait_until_table_exists");
        assert_eq!(
            waiter_method("DBInstanceAvailable"),
            "wait_until_db_instance_available"
        );
        assert_eq!(waiter_method("Type"), "wait_until_type");
        assert!(is_valid_ident(&waiter_method("Self")));
    }

    /// A small deterministic PRNG (xorshift64*), so the property test is
    /// reproducible without a crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn random_string(rng: &mut Rng) -> String {
        const POOL: &[char] = &[
            'a', 'Z', 'q', '0', '9', '_', '-', '.', ' ', '\t', '\n', '\0', '#', '$', '/', ':', '@',
            'é', 'ß', 'İ', 'ǅ', 'Σ', '日', '😀', '\u{202e}', '\u{200b}', '\u{ffff}', 'r', '#', 'S',
            'e', 'l', 'f', 'U', 'n', 'k', 'o', 'w', '1', 'x',
        ];
        let len = rng.below(24);
        let mut s = String::new();
        for _ in 0..len {
            let pick = rng.below(10);
            let c = if pick < 7 {
                POOL.get(usize::try_from(rng.below(POOL.len() as u64)).unwrap_or(0))
                    .copied()
                    .unwrap_or('a')
            } else {
                // any scalar value, including unassigned and private use
                char::from_u32(u32::try_from(rng.below(0x11_0000)).unwrap_or(0)).unwrap_or('?')
            };
            s.push(c);
        }
        // words that must be escaped, embedded at random
        const WORDS: &[&str] = &[
            "type", "self", "Self", "crate", "unknown", "send", "gen", "_",
        ];
        if rng.below(4) == 0 {
            let w = WORDS[usize::try_from(rng.below(WORDS.len() as u64)).unwrap_or(0)];
            s = if rng.below(2) == 0 {
                w.to_owned()
            } else {
                format!("{w}{s}")
            };
        }
        s
    }

    #[test]
    fn type_names_are_upper_camel() {
        assert_eq!(type_name("GetObjectInput"), "GetObjectInput");
        assert_eq!(type_name("get_object_input"), "GetObjectInput");
        assert_eq!(type_name("HTTPServer"), "HttpServer");
        assert_eq!(type_name("ec2InstanceID"), "Ec2InstanceId");
    }

    #[test]
    fn prelude_type_names_get_shape_suffix() {
        for name in RESERVED_TYPE_NAMES {
            let got = type_name(name);
            assert_eq!(got, format!("{name}Shape"), "{name}");
            assert!(is_valid_ident(&got));
        }
        assert_eq!(type_name("Result"), "ResultShape");
        assert_eq!(type_name("result"), "ResultShape");
        assert_eq!(type_name("Option"), "OptionShape");
        // not reserved: kept
        assert_eq!(type_name("Results"), "Results");
    }

    #[test]
    fn self_type_in_any_case_is_self_shape() {
        for s in ["Self", "self", "SELF", "s_elf", "sElf"] {
            let got = type_name(s);
            // `s_elf` cases to `SElf` which is not `Self`
            if s.to_upper_camel_case() == "Self" {
                assert_eq!(got, "SelfShape", "{s}");
            } else {
                assert_ne!(got, "Self");
            }
            assert!(is_valid_ident(&got));
        }
    }

    #[test]
    fn type_name_leading_digit_and_unicode() {
        assert_eq!(type_name("1stThing"), "_1stThing");
        assert_eq!(type_name("café"), "CafU00e9");
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name("+"), "U002b");
    }

    #[test]
    fn field_names_are_snake_case() {
        assert_eq!(field_name("BucketName"), "bucket_name");
        assert_eq!(field_name("bucket-name"), "bucket_name");
        assert_eq!(field_name("ETag"), "e_tag");
        assert_eq!(field_name("x_1"), "x_1");
    }

    #[test]
    fn type_member_becomes_raw() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(prefixed("set_", &field_name("Type")), "set_type");
        assert_eq!(prefixed("get_", "plain"), "get_plain");
    }

    #[test]
    fn non_raw_keywords_get_underscore_suffix() {
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("Self"), "self_");
        assert_eq!(field_name("crate"), "crate_");
        assert_eq!(field_name("super"), "super_");
        assert_eq!(prefixed("set_", "self_"), "set_self_");
    }

    #[test]
    fn underscore_only_names_are_encoded() {
        assert_eq!(field_name("_"), "u005f");
        assert_eq!(field_name("__"), "u005f_u005f");
        assert_eq!(field_name("-"), "u002d");
        assert_ne!(field_name("+"), field_name("-"));
    }

    #[test]
    fn every_keyword_as_field() {
        for kw in KEYWORDS {
            let got = field_name(kw);
            if kw.chars().any(|c| c.is_ascii_uppercase()) {
                // `Self` cases to `self`
                assert_eq!(got, "self_", "{kw}");
            } else if NOT_RAW.contains(kw) {
                assert_eq!(got, format!("{kw}_"), "{kw}");
            } else {
                assert_eq!(got, format!("r#{kw}"), "{kw}");
            }
            assert!(is_valid_ident(&got), "{kw} -> {got}");
        }
    }

    #[test]
    fn keyword_lists_complete() {
        for kw in [
            "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
            "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
            "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
            "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become",
            "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
            "yield", "try", "gen",
        ] {
            assert!(is_keyword(kw), "{kw}");
            assert!(!is_valid_ident(kw), "{kw}");
        }
    }

    #[test]
    fn edition_keywords() {
        assert_eq!(field_name("async"), "r#async");
        assert_eq!(field_name("await"), "r#await");
        assert_eq!(field_name("dyn"), "r#dyn");
        assert_eq!(field_name("try"), "r#try");
        assert_eq!(field_name("gen"), "r#gen");
        assert_eq!(field_name("Gen"), "r#gen");
    }

    #[test]
    fn weak_keywords_are_plain_identifiers() {
        for w in ["union", "macro_rules", "raw", "safe"] {
            assert_eq!(field_name(w), w);
            assert!(is_valid_ident(w));
        }
        assert_eq!(module_name("union"), "union");
    }

    #[test]
    fn generated_method_names_get_value_suffix() {
        for m in RESERVED_MEMBER_NAMES {
            let got = field_name(m);
            assert_eq!(got, format!("{m}_value"));
            assert!(is_valid_ident(&got));
        }
        assert_eq!(field_name("Send"), "send_value");
        assert_eq!(field_name("IntoPaginator"), "into_paginator_value");
        // prefixed accessor names are left to the IR
        assert_eq!(field_name("set_thing"), "set_thing");
        assert_eq!(field_name("sender"), "sender");
    }

    #[test]
    fn field_name_leading_digit_and_unicode() {
        assert_eq!(field_name("1x"), "_1x");
        assert_eq!(field_name("2FA"), "_2fa");
        assert_eq!(field_name("naïve"), "na_u00ef_ve");
        assert_eq!(field_name(""), "empty");
        assert_eq!(field_name("a.b/c"), "a_b_c");
    }

    #[test]
    fn hard_enum_values() {
        assert_eq!(variant_name("é"), "U00e9");
        assert_eq!(variant_name("😀"), "U1f600");
        assert_eq!(variant_name("1x"), "_1x");
        assert_eq!(variant_name("a-b.c"), "ABC");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("Self"), "SelfValue");
        assert_eq!(variant_name("self"), "SelfValue");
        assert_eq!(variant_name("us-east-1"), "UsEast1");
        assert_eq!(variant_name("m5.large"), "M5Large");
        assert_eq!(variant_name("*"), "U002a");
        let long = "ab".repeat(150);
        let got = variant_name(&long);
        assert_eq!(got.len(), 300);
        assert!(is_valid_ident(&got));
        // distinct non-ASCII values stay distinct
        assert_ne!(variant_name("é"), variant_name("è"));
    }

    #[test]
    fn unknown_variant_is_renamed_in_any_case() {
        for s in [
            "Unknown",
            "UNKNOWN",
            "unknown",
            "unKnown",
            "_unknown_",
            "un-known",
        ] {
            let got = variant_name(s);
            if s.to_upper_camel_case() == "Unknown" {
                assert_eq!(got, "UnknownValue", "{s}");
            } else {
                assert_ne!(got, "Unknown", "{s}");
            }
        }
        assert_eq!(variant_name("UnknownThing"), "UnknownThing");
    }

    #[test]
    fn module_names() {
        assert_eq!(module_name("GetObject"), "get_object");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(module_name("Self"), "self_");
        assert_eq!(module_name("crate"), "crate_");
        assert_eq!(module_name("gen"), "gen_");
        assert_eq!(module_name("9lives"), "_9lives");
        for kw in KEYWORDS {
            assert!(is_valid_ident(&module_name(kw)), "{kw}");
            assert!(!is_raw(&module_name(kw)));
        }
    }

    #[test]
    fn const_names() {
        assert_eq!(const_name("maxResults"), "MAX_RESULTS");
        assert_eq!(const_name("us-east-1"), "US_EAST_1");
        assert_eq!(const_name("1a"), "_1A");
        assert_eq!(const_name(""), "EMPTY");
        assert_eq!(const_name("self"), "SELF");
        assert!(is_valid_ident(&const_name("self")));
    }

    #[test]
    fn is_valid_ident_rules() {
        for ok in ["a", "_a", "A1", "r#type", "r#gen", "r#foo", "self_", "__"] {
            assert!(is_valid_ident(ok), "{ok}");
        }
        for bad in [
            "", "_", "1a", "a-b", "r#", "r#self", "r#Self", "r#crate", "r#super", "r#_", "type",
            "é", "a b", "r#1",
        ] {
            assert!(!is_valid_ident(bad), "{bad}");
        }
    }

    #[test]
    fn raw_helpers() {
        assert!(is_raw("r#type"));
        assert!(!is_raw("type_"));
        assert_eq!(strip_raw("r#type"), "type");
        assert_eq!(strip_raw("plain"), "plain");
    }

    #[test]
    fn collision_keys() {
        assert_eq!(collision_key("FooBar"), "foobar");
        assert_eq!(collision_key("foo_bar"), "foobar");
        assert_eq!(collision_key("foo-bar"), "foobar");
        assert_eq!(collision_key("r#foobar"), "foobar");
        assert_ne!(collision_key("foo_bar"), collision_key("foo_baz"));
        assert_eq!(
            collision_key(&field_name("FooBar")),
            collision_key(&type_name("foo_bar"))
        );
    }

    #[test]
    fn deterministic() {
        let mut a = Rng(42);
        let mut b = Rng(42);
        for _ in 0..200 {
            let s = random_string(&mut a);
            let t = random_string(&mut b);
            assert_eq!(s, t);
            assert_eq!(field_name(&s), field_name(&t));
            assert_eq!(type_name(&s), type_name(&t));
            assert_eq!(variant_name(&s), variant_name(&t));
        }
    }

    #[test]
    fn property_always_valid_identifiers() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5000 {
            let s = random_string(&mut rng);
            for (kind, got) in [
                ("field", field_name(&s)),
                ("type", type_name(&s)),
                ("variant", variant_name(&s)),
                ("module", module_name(&s)),
                ("const", const_name(&s)),
            ] {
                assert!(is_valid_ident(&got), "{kind} {s:?} -> {got:?}");
                assert!(got.is_ascii());
                if kind != "field" {
                    assert!(!is_raw(&got), "{kind} {s:?} -> {got:?}");
                }
            }
            assert_ne!(variant_name(&s), "Unknown");
            assert!(!RESERVED_TYPE_NAMES.contains(&type_name(&s).as_str()));
            assert!(!RESERVED_MEMBER_NAMES.contains(&field_name(&s).as_str()));
        }
    }
}
