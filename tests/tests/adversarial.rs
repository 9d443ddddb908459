//! Adversarial models (`tests/adversarial/*.json`): Rust keywords and std names everywhere,
//! enum values that resist becoming identifiers, documentation that tries to inject code,
//! recursion of every kind, 200-level nesting, a 2,000-value enum, constraint edge values and
//! regex dialects. Each either generates code that compiles under `#![deny(warnings)]` and
//! behaves as the model says, or is refused with a located diagnostic.
//!
//! The generated files are written into one throwaway crate under
//! `$CARGO_TARGET_TMPDIR/anvil-adversarial/` (depending on `anvil-runtime` by path, with its own
//! target directory there so reruns are incremental), and `tests/adversarial/behaviour.rs` runs
//! against them with `cargo test`. Invalid models (`tests/adversarial/invalid/*.json`) must
//! each be refused with `file:line:col` and never panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anvil_codegen::{Config, Generated, ModelSource};

fn adversarial_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("adversarial")
}

/// Models that must generate: file stem → the warnings expected (substrings, in order).
fn generating() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("constraints", vec![]),
        ("docs", vec![]),
        ("enum2000", vec![]),
        (
            "enums",
            vec![
                "enum members `FooBar` and `foo_bar` both give the Rust name `FooBar`",
                "enum members `FooBar` and `FOO__BAR` both give the Rust name `FooBar`",
                "enum members `FooBar` and `Foo_Bar_` both give the Rust name `FooBar`",
                "enum members `Self` and `self_` both give the Rust name `SelfValue`",
                "enum members `FOOBAR` and `FOO_BAR` both give the Rust name `FooBar`",
                "enum members `self` and `Self_` both give the Rust name `SELF`",
            ],
        ),
        (
            "keywords",
            vec!["enum members `self` and `Self_` both give the Rust name `SelfValue`"],
        ),
        (
            "patterns",
            vec![
                // Each warning names the member the pattern is written on. (`(?i)^abc$`, Java
                // syntax, is translated and checked.)
                "shape `adv.patterns#Patterns$noEngine`: pattern `[a-(` is not accepted",
                "shape `adv.patterns#Patterns$unbalanced`: pattern `(abc` is not accepted",
                "shape `adv.patterns#Patterns$badRepeat`: pattern `a{2,1}` is not accepted",
                "shape `adv.patterns#Patterns$slashStar`: pattern `*/` is not accepted",
            ],
        ),
        ("recursion", vec![]),
        ("stdnames", vec![]),
    ])
}

/// Valid JSON the generator must refuse: file stem → (text of the located line, message).
fn refused() -> BTreeMap<&'static str, (&'static str, &'static str)> {
    BTreeMap::from([
        (
            "nesting",
            (
                "\"adv.nesting#Level0\"",
                "`adv.nesting#Level0` nests 200 structures and unions inside one another",
            ),
        ),
        (
            "refused_collection_nesting",
            (
                "\"adv.refused#L65\"",
                "collections nest more than 64 levels deep",
            ),
        ),
        (
            "refused_member_collision",
            (
                "\"foo_bar\"",
                "members `fooBar` and `foo_bar` would both be generated as `foo_bar`",
            ),
        ),
    ])
}

/// Invalid models: file name → (line, column, message substring) of the first error.
const INVALID: &[(&str, u32, u32, &str)] = &[
    (
        "bad_shape_id.json",
        7,
        36,
        "invalid shape id `adv.bad#Not A Name`",
    ),
    (
        "duplicate_key.json",
        5,
        9,
        "duplicate object key `adv.bad#Thing`",
    ),
    ("empty.json", 1, 1, "the file is empty"),
    ("garbage.json", 1, 64, "after the end of the JSON value"),
    (
        "member_targets_operation.json",
        10,
        35,
        "an operation shape",
    ),
    ("mixin_cycle.json", 12, 36, "mixin cycle"),
    (
        "not_object.json",
        1,
        1,
        "the document root is an array, expected an object",
    ),
    ("trailing_comma.json", 8, 13, "trailing comma"),
    (
        "trait_wrong_type.json",
        10,
        46,
        "trait `smithy.api#length`: value must be an object",
    ),
    ("truncated.json", 8, 31, "unterminated string"),
    ("unknown_type.json", 5, 21, "unknown shape type `structur`"),
    (
        "unsupported_version.json",
        2,
        15,
        "unsupported Smithy version `3.0`",
    ),
];

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("adversarial dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned()
}

fn generate(name: &str, text: &str) -> Result<Generated, anvil_codegen::Error> {
    Config::new().generate(&[ModelSource { name, text }])
}

/// Characters that must never appear raw in generated source: controls other than `\n`,
/// and the Unicode bidirectional controls (Trojan Source) and invisible separators.
fn forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
        )
}

/// Every item in a file, as `path::kind name`, recursively through modules and impls.
fn item_outline(file: &syn::File) -> Vec<String> {
    fn walk(items: &[syn::Item], path: &str, out: &mut Vec<String>) {
        for item in items {
            match item {
                syn::Item::Mod(m) => {
                    let p = format!("{path}::{}", m.ident);
                    out.push(format!("{p} mod"));
                    if let Some((_, items)) = &m.content {
                        walk(items, &p, out);
                    }
                }
                syn::Item::Struct(s) => out.push(format!("{path} struct {}", s.ident)),
                syn::Item::Enum(e) => {
                    out.push(format!("{path} enum {}", e.ident));
                    for v in &e.variants {
                        out.push(format!("{path}::{} variant {}", e.ident, v.ident));
                    }
                }
                syn::Item::Fn(f) => out.push(format!("{path} fn {}", f.sig.ident)),
                syn::Item::Const(c) => out.push(format!("{path} const {}", c.ident)),
                syn::Item::Static(s) => out.push(format!("{path} static {}", s.ident)),
                syn::Item::Impl(i) => {
                    let ty = &i.self_ty;
                    let name = quote_type(ty);
                    out.push(format!("{path} impl {name}"));
                    for ii in &i.items {
                        match ii {
                            syn::ImplItem::Fn(f) => {
                                out.push(format!("{path} impl {name} fn {}", f.sig.ident))
                            }
                            syn::ImplItem::Const(c) => {
                                out.push(format!("{path} impl {name} const {}", c.ident))
                            }
                            syn::ImplItem::Type(t) => {
                                out.push(format!("{path} impl {name} type {}", t.ident))
                            }
                            _ => out.push(format!("{path} impl {name} other")),
                        }
                    }
                }
                syn::Item::Use(_) => out.push(format!("{path} use")),
                syn::Item::Type(t) => out.push(format!("{path} type {}", t.ident)),
                syn::Item::Macro(_) => out.push(format!("{path} macro")),
                _ => out.push(format!("{path} other item")),
            }
        }
    }
    fn quote_type(ty: &syn::Type) -> String {
        match ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::"),
            _ => "?".to_owned(),
        }
    }
    let mut out = Vec::new();
    walk(&file.items, "", &mut out);
    out
}

/// Removes every `smithy.api#documentation` trait from a model.
fn strip_docs(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("smithy.api#documentation");
            for (_, x) in m.iter_mut() {
                strip_docs(x);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_docs),
        _ => {}
    }
}

#[test]
fn every_adversarial_model_is_classified() {
    let gen_ = generating();
    let refused = refused();
    for path in json_files(&adversarial_dir()) {
        let s = stem(&path);
        assert!(
            gen_.contains_key(s.as_str()) || refused.contains_key(s.as_str()),
            "{} is neither expected to generate nor to be refused",
            path.display()
        );
    }
    let invalid = json_files(&adversarial_dir().join("invalid"));
    assert_eq!(
        invalid.len(),
        INVALID.len(),
        "every invalid model has an expectation"
    );
}

#[test]
fn refused_models_have_located_diagnostics() {
    for (name, (located_text, message)) in refused() {
        let rel = format!("tests/adversarial/{name}.json");
        let text =
            std::fs::read_to_string(adversarial_dir().join(format!("{name}.json"))).expect("model");
        let err = generate(&rel, &text).expect_err("refused");
        let d = err
            .diagnostics
            .iter()
            .find(|d| d.is_error() && d.message.contains(message))
            .unwrap_or_else(|| panic!("{name}: no error `{message}` in:\n{err}"));
        let span = d.span.as_ref().expect("located");
        assert_eq!(&*span.file, rel);
        let line = text
            .lines()
            .nth(span.line as usize - 1)
            .expect("line in file");
        assert!(
            line.contains(located_text),
            "{name}: {span} points at `{line}`, expected `{located_text}`"
        );
        assert!(
            err.to_string()
                .contains(&format!("{rel}:{}:{}:", span.line, span.column))
        );
    }
}

#[test]
fn invalid_models_are_refused_with_file_line_column() {
    for (file, line, column, message) in INVALID {
        let rel = format!("tests/adversarial/invalid/{file}");
        let text =
            std::fs::read_to_string(adversarial_dir().join("invalid").join(file)).expect("model");
        let outcome = std::panic::catch_unwind(|| generate(&rel, &text));
        let result = outcome.unwrap_or_else(|_| panic!("{file}: the generator panicked"));
        let err = result.expect_err(file);
        let shown = err.to_string();
        let located = format!("{rel}:{line}:{column}: ");
        let first = err
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert!(
            first.to_string().contains(&located) && first.message.contains(message),
            "{file}: expected `{located}` … `{message}` first, got:\n{shown}"
        );
        // Every error is located.
        for d in err.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(d.span.is_some(), "{file}: unlocated error {d}");
        }
    }
}

/// Hostile JSON: 100,000 nested arrays, 100,000 nested objects, a 1 MiB shape name.
fn pathological_json() -> Vec<String> {
    let deep_array = "[".repeat(100_000);
    let deep_object = r#"{"smithy":"2.0","shapes":"#.to_owned() + &"{\"a\":".repeat(100_000);
    let long_string = format!(
        r#"{{"smithy":"2.0","shapes":{{"{}":{{}}}}}}"#,
        "x".repeat(1 << 20)
    );
    vec![deep_array, deep_object, long_string]
}

/// Loads each pathological document on a thread with `stack` bytes of stack.
fn refuse_on_stack(stack: usize) {
    let handle = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            for text in &pathological_json() {
                let err = generate("deep.json", text).expect_err("refused");
                assert!(err.to_string().contains("deep.json:1:"), "{err}");
            }
        })
        .expect("spawn");
    handle.join().expect("no panic, no stack overflow");
}

#[test]
fn pathological_json_is_refused_without_overflowing_a_default_thread_stack() {
    // 2 MiB: the stack of threads spawned by std (and of test threads).
    refuse_on_stack(2 * 1024 * 1024);
}

#[test]
fn pathological_json_is_refused_on_a_one_mebibyte_stack() {
    // 1 MiB: the main-thread stack on Windows, where build scripts run.
    refuse_on_stack(1024 * 1024);
}

#[test]
fn valid_models_generate_clean_code_that_compiles_and_behaves() {
    let dir = adversarial_dir();
    let mut files: Vec<(String, String)> = Vec::new();
    for (name, expected_warnings) in generating() {
        let rel = format!("tests/adversarial/{name}.json");
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("model");
        let generated = generate(&rel, &text).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let warnings: Vec<String> = generated.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings.len(),
            expected_warnings.len(),
            "{name} warnings: {warnings:#?}"
        );
        for (w, expected) in warnings.iter().zip(&expected_warnings) {
            assert!(w.contains(expected), "{name}: `{expected}` in {w}");
            assert!(w.contains(&format!("{rel}:")), "{name}: located: {w}");
        }
        assert_eq!(generated.files.len(), 1, "{name}: one service");
        for f in &generated.files {
            if let Some((i, c)) = f.contents.char_indices().find(|(_, c)| forbidden_char(*c)) {
                panic!("{name}: raw U+{:04X} at byte {i} of {}", c as u32, f.name);
            }
            let parsed: syn::File = syn::parse_file(&f.contents)
                .unwrap_or_else(|e| panic!("{name}: {} does not parse: {e}", f.name));
            let outline = item_outline(&parsed);
            assert!(
                !outline.iter().any(|i| i.contains("injected")),
                "{name}: an injected item: {:?}",
                outline.iter().find(|i| i.contains("injected"))
            );
            files.push((f.name.clone(), f.contents.clone()));
        }
        // Documentation adds nothing but doc attributes: the item outline is the same as for
        // the model without any documentation. (Re-serializing reorders members, which
        // renumbers the renames that warnings announce, so those models are skipped.)
        if !expected_warnings.is_empty() {
            continue;
        }
        let mut bare: serde_json::Value = serde_json::from_str(&text).expect("model JSON");
        strip_docs(&mut bare);
        let bare_text = serde_json::to_string(&bare).expect("JSON");
        let bare_gen = generate(&rel, &bare_text).expect("model without docs generates");
        for (with, without) in generated.files.iter().zip(&bare_gen.files) {
            // Sorted: re-serializing the model reorders its members.
            let mut a = item_outline(&syn::parse_file(&with.contents).expect("parses"));
            let mut b = item_outline(&syn::parse_file(&without.contents).expect("parses"));
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name}: documentation changed the generated items");
        }
    }
    build_and_run("anvil-adversarial", &files, "behaviour");
}

#[test]
fn structures_nested_to_the_limit_compile_and_round_trip() {
    // tests/adversarial/nesting.json nests 200 structures, which the generator refuses (see
    // `refused`): rustc's drop check overflows on such types. Cut it to 50 levels, the most
    // the generator accepts (each structure costs 2 of the limit of 100), and check that this
    // compiles under `#![deny(warnings)]` and round-trips.
    let text = std::fs::read_to_string(adversarial_dir().join("nesting.json")).expect("model");
    let mut model: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let shapes = model["shapes"].as_object_mut().expect("shapes");
    shapes.retain(|id, _| match id.strip_prefix("adv.nesting#Level") {
        Some(n) => n.parse::<usize>().is_ok_and(|n| n < 50),
        None => true,
    });
    let last = shapes
        .get_mut("adv.nesting#Level49")
        .and_then(|s| s["members"].as_object_mut())
        .expect("Level49 members");
    last.remove("next");
    let cut = serde_json::to_string_pretty(&model).expect("JSON");
    let generated = generate("nesting50.json", &cut).expect("generates");
    let files: Vec<(String, String)> = generated
        .files
        .into_iter()
        .map(|f| (f.name, f.contents))
        .collect();
    // One level more is refused.
    let mut deeper: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let shapes = deeper["shapes"].as_object_mut().expect("shapes");
    shapes.retain(|id, _| match id.strip_prefix("adv.nesting#Level") {
        Some(n) => n.parse::<usize>().is_ok_and(|n| n < 51),
        None => true,
    });
    if let Some(m) = shapes
        .get_mut("adv.nesting#Level50")
        .and_then(|s| s["members"].as_object_mut())
    {
        m.remove("next");
    }
    let deeper = serde_json::to_string_pretty(&deeper).expect("JSON");
    let err = generate("nesting51.json", &deeper).expect_err("51 levels refused");
    assert!(err.to_string().contains("nests 51 structures"), "{err}");
    build_and_run("anvil-adversarial-nesting", &files, "behaviour_nesting");
}

/// Writes the throwaway crate and runs `cargo test` in it: the library includes every
/// generated file under `#![deny(warnings)]`; `tests/behaviour.rs` checks behaviour.
fn build_and_run(dir: &str, files: &[(String, String)], test: &str) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let krate = root.join("crate");
    let src = krate.join("src");
    std::fs::create_dir_all(src.join("generated")).expect("mkdir");
    std::fs::create_dir_all(krate.join("tests")).expect("mkdir");
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.canonicalize().expect("runtime path");
    let manifest = format!(
        r#"[package]
name = "anvil-adversarial-generated"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
anvil-runtime = {{ path = {:?}, default-features = false }}

[workspace]
"#,
        runtime.display().to_string()
    );
    write_if_changed(&krate.join("Cargo.toml"), &manifest);
    // One crate per directory: drop generated files of models no longer included.
    if let Ok(entries) = std::fs::read_dir(src.join("generated")) {
        for e in entries.flatten() {
            let keep = files
                .iter()
                .any(|(n, _)| e.file_name().to_str() == Some(n.as_str()));
            if !keep {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let lock = krate.join("Cargo.lock");
    if !lock.exists() {
        let main_lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
        if let Ok(text) = std::fs::read_to_string(main_lock) {
            write_if_changed(&lock, &text);
        }
    }
    let mut lib = String::from(
        "//! Generated from tests/adversarial/*.json by tests/tests/adversarial.rs.\n#![deny(warnings)]\n",
    );
    for (name, contents) in files {
        write_if_changed(&src.join("generated").join(name), contents);
        lib.push_str(&format!("include!(\"generated/{name}\");\n"));
    }
    write_if_changed(&src.join("lib.rs"), &lib);
    let behaviour = std::fs::read_to_string(adversarial_dir().join(format!("{test}.rs")))
        .expect("behaviour file");
    write_if_changed(&krate.join("tests").join(format!("{test}.rs")), &behaviour);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .arg("test")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(krate.join("Cargo.toml"))
        .arg("--test")
        .arg(test)
        // One target directory for every throwaway crate: the runtime is built once.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("anvil-adversarial/target"),
        )
        .env("ANVIL_ADVERSARIAL_DIR", adversarial_dir())
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the adversarial crate failed (crate in {}):\n{stdout}\n{stderr}",
        krate.display()
    );
    assert!(stdout.contains("test result: ok"), "{stdout}\n{stderr}");
}

fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents).expect("write");
    }
}
