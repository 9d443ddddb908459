//! Model checks made while building the IR: `@default` values of the wrong type or out of
//! range, URI and host labels bound to no input member, a runtime path that does not parse,
//! unknown trait properties (warnings, as in Smithy), and one warning per unusable pattern.

use anvil_codegen::diagnostic::Diagnostic;
use anvil_codegen::{Config, ModelSource};

/// A restJson1 service with one operation `Op` whose input has `members` (JSON) and whose
/// operation traits are `op_traits` (JSON, without braces).
fn model(members: &str, op_traits: &str) -> String {
    format!(
        r#"{{
"smithy": "2.0",
"shapes": {{
"ns#Svc": {{"type": "service", "version": "1", "operations": [{{"target": "ns#Op"}}],
  "traits": {{"aws.protocols#restJson1": {{}}}}}},
"ns#Op": {{"type": "operation", "input": {{"target": "ns#OpInput"}},
  "traits": {{"smithy.api#http": {{"method": "POST", "uri": "/x/{{id}}"}}{op_traits}}}}},
"ns#OpInput": {{"type": "structure", "members": {{
  "id": {{"target": "smithy.api#String", "traits": {{"smithy.api#required": {{}}, "smithy.api#httpLabel": {{}}}}}}{members}
}}}}
}}
}}"#
    )
}

fn generate(text: &str) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    generate_with(Config::new(), text)
}

fn generate_with(config: Config, text: &str) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let sources = [ModelSource {
        name: "m.json",
        text,
    }];
    config
        .generate(&sources)
        .map(|g| g.warnings)
        .map_err(|e| e.diagnostics)
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> u32 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in model"));
    u32::try_from(text[..at].lines().count()).unwrap_or(0)
}

fn expect_error(text: &str, needle_line: &str, shape: &str, message: &str) {
    let diags = generate(text).expect_err("the model is refused");
    let line = line_of(text, needle_line);
    assert!(
        diags.iter().any(|d| d.is_error()
            && d.message.contains(message)
            && d.shape.as_deref() == Some(shape)
            && d.span
                .as_ref()
                .is_some_and(|s| &*s.file == "m.json" && s.line == line)),
        "expected {message:?} on {shape} at line {line}, got {diags:#?}"
    );
}

#[test]
fn the_base_model_generates() {
    let text = model("", "");
    assert_eq!(generate(&text).map(|w| w.len()), Ok(0));
}

#[test]
fn defaults_of_the_wrong_type_or_out_of_range_are_located_errors() {
    let cases = [
        ("smithy.api#Integer", "\"3\"", "expected an integer"),
        (
            "smithy.api#Integer",
            "3000000000",
            "out of range for an integer",
        ),
        ("smithy.api#Byte", "128", "out of range for a byte"),
        ("smithy.api#Short", "1.5", "not an integer"),
        ("smithy.api#Long", "true", "expected an integer"),
        ("smithy.api#Boolean", "0", "expected a boolean"),
        ("smithy.api#String", "7", "expected a string"),
        ("smithy.api#Float", "1e39", "a number in range"),
        ("smithy.api#Double", "\"big\"", "a number in range"),
    ];
    for (target, value, message) in cases {
        let member = format!(
            r#",
  "n": {{"target": "{target}", "traits": {{"smithy.api#default": {value}}}}}"#
        );
        let text = model(&member, "");
        expect_error(&text, "\"n\":", "ns#OpInput$n", message);
    }
    for (target, value) in [
        ("smithy.api#Integer", "-2147483648"),
        ("smithy.api#Byte", "-128"),
        ("smithy.api#Double", "\"NaN\""),
        ("smithy.api#Float", "1.5"),
        ("smithy.api#Boolean", "false"),
        ("smithy.api#Timestamp", "0"),
    ] {
        let member = format!(
            r#",
  "n": {{"target": "{target}", "traits": {{"smithy.api#default": {value}}}}}"#
        );
        let text = model(&member, "");
        assert!(generate(&text).is_ok(), "{target} = {value}");
    }
}

#[test]
fn unbound_uri_and_host_labels_are_located_errors() {
    let text = model("", "")
        .replace("/x/{id}", "/x/{id}/{other+}")
        .replace("\"smithy.api#http\"", "\n  \"smithy.api#http\"");
    expect_error(
        &text,
        "\"smithy.api#http\"",
        "ns#Op",
        "URI label `{other}` in `/x/{id}/{other+}` is not bound to an input member",
    );
    let text = model(
        "",
        r#",
  "smithy.api#endpoint": {"hostPrefix": "{id}.{zone}."}"#,
    );
    expect_error(
        &text,
        "\"smithy.api#endpoint\"",
        "ns#Op",
        "host label `{id}` in `{id}.{zone}.` is not bound",
    );
    expect_error(
        &text,
        "\"smithy.api#endpoint\"",
        "ns#Op",
        "host label `{zone}`",
    );
}

#[test]
fn a_runtime_path_that_does_not_parse_is_an_error() {
    let text = model("", "");
    let diags =
        generate_with(Config::new().runtime_path("::anvil runtime("), &text).expect_err("refused");
    assert!(
        diags
            .iter()
            .any(|d| d.is_error() && d.message.contains("the runtime path `::anvil runtime(`")),
        "{diags:#?}"
    );
    assert!(generate_with(Config::new().runtime_path("crate::rt"), &text).is_ok());
}

#[test]
fn unknown_trait_properties_are_warnings() {
    let member = r#",
  "n": {"target": "smithy.api#String", "traits": {"smithy.api#length": {"min": 1, "mxa": 2}}}"#;
    let text = model(member, "");
    let warnings = generate(&text).expect("generates");
    assert!(
        warnings
            .iter()
            .any(|w| !w.is_error() && w.message.contains("unknown property `mxa`")),
        "{warnings:#?}"
    );
}

#[test]
fn one_warning_per_unusable_pattern_listing_its_members() {
    let member = r#",
  "b": {"target": "ns#Bad"},
  "a": {"target": "ns#Bad"},
  "c": {"target": "smithy.api#String", "traits": {"smithy.api#pattern": "(?x) a"}}
}},
"ns#Bad": {"type": "string", "traits": {"smithy.api#pattern": "[a-("}},
"ns#Unused": {"type": "structure", "members": {"#;
    let text = model(member, "");
    let warnings = generate(&text).expect("generates");
    let bad: Vec<&Diagnostic> = warnings
        .iter()
        .filter(|w| w.message.contains("pattern `[a-(`"))
        .collect();
    assert_eq!(bad.len(), 1, "{warnings:#?}");
    assert!(
        bad[0]
            .message
            .contains("on 2 members (ns#OpInput$a, ns#OpInput$b)"),
        "{}",
        bad[0]
    );
    // located where the pattern is written
    assert_eq!(bad[0].shape.as_deref(), Some("ns#Bad"));
    let x: Vec<&Diagnostic> = warnings
        .iter()
        .filter(|w| w.message.contains("pattern `(?x) a`"))
        .collect();
    assert_eq!(x.len(), 1, "{warnings:#?}");
    assert!(x[0].message.contains("on 1 member (ns#OpInput$c)"));
}

/// A restJson1 service whose one operation sends an input event stream, with endpoint rules
/// whose one endpoint is signed with `auth_scheme`.
fn input_stream_model(auth_scheme: &str) -> String {
    format!(
        r#"{{
"smithy": "2.0",
"shapes": {{
"ns#Svc": {{"type": "service", "version": "1", "operations": [{{"target": "ns#Talk"}}],
  "traits": {{"aws.protocols#restJson1": {{}}, "aws.auth#sigv4": {{"name": "svc"}},
    "smithy.rules#endpointRuleSet": {{"version": "1.0", "parameters": {{}}, "rules": [
      {{"type": "endpoint", "conditions": [], "endpoint": {{"url": "https://svc.example.com",
        "properties": {{"authSchemes": [{{"name": "{auth_scheme}", "signingName": "svc",
          "signingRegionSet": ["*"]}}]}}}}}}]}}}}}},
"ns#Talk": {{"type": "operation", "input": {{"target": "ns#TalkInput"}},
  "traits": {{"smithy.api#http": {{"method": "POST", "uri": "/talk"}}}}}},
"ns#TalkInput": {{"type": "structure", "members": {{
  "events": {{"target": "ns#Events", "traits": {{"smithy.api#httpPayload": {{}}}}}}}}}},
"ns#Events": {{"type": "union", "traits": {{"smithy.api#streaming": {{}}}}, "members": {{
  "chunk": {{"target": "ns#Chunk"}}}}}},
"ns#Chunk": {{"type": "structure", "members": {{
  "data": {{"target": "smithy.api#Blob", "traits": {{"smithy.api#eventPayload": {{}}}}}}}}}}
}}
}}"#
    )
}

#[test]
fn an_input_event_stream_where_rules_may_choose_sigv4a_is_a_warning() {
    let sigv4a = |w: &Diagnostic| w.message.contains("SigV4a");
    let warnings = generate(&input_stream_model("sigv4a")).expect("generates");
    let found: Vec<&Diagnostic> = warnings.iter().filter(|w| sigv4a(w)).collect();
    assert_eq!(found.len(), 1, "{warnings:#?}");
    assert!(!found[0].is_error());
    assert!(
        found[0].message.contains("yet: Talk returns an error"),
        "{found:#?}"
    );
    assert_eq!(found[0].shape.as_deref(), Some("ns#Svc"));

    let warnings = generate(&input_stream_model("sigv4")).expect("generates");
    assert!(!warnings.iter().any(sigv4a), "{warnings:#?}");
}
