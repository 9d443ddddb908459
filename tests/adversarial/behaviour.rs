//! Behaviour of the code generated from tests/adversarial/*.json. Copied into the throwaway
//! crate built by tests/tests/adversarial.rs (the library there includes every generated file
//! under `#![deny(warnings)]`); `ANVIL_ADVERSARIAL_DIR` points at the models.

use anvil_adversarial_generated::*;
use anvil_runtime::Config;
use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;
use anvil_runtime::serde_json::{self, Value};
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// Polls a future that never waits on I/O or timers (the replay transport, no retries, no
/// timeouts) to completion.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future did not complete");
}

fn model(name: &str) -> Value {
    let dir = std::env::var("ANVIL_ADVERSARIAL_DIR").expect("ANVIL_ADVERSARIAL_DIR");
    let text = std::fs::read_to_string(format!("{dir}/{name}.json")).expect("model file");
    serde_json::from_str(&text).expect("model JSON")
}

/// The `enumValue`s of an enum shape, in model order.
fn enum_values(model: &Value, shape: &str) -> Vec<String> {
    let s = &model["shapes"][shape];
    if let Some(list) = s["traits"]["smithy.api#enum"].as_array() {
        return list
            .iter()
            .map(|d| d["value"].as_str().expect("value").to_owned())
            .collect();
    }
    s["members"]
        .as_object()
        .expect("members")
        .values()
        .map(|m| {
            m["traits"]["smithy.api#enumValue"]
                .as_str()
                .expect("string value")
                .to_owned()
        })
        .collect()
}

fn config(replay: &ReplayClient) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .http_client(replay.clone())
        .max_attempts(1)
        .build()
}

fn sent_json(replay: &ReplayClient) -> Value {
    let sent = replay.requests();
    let last = sent.last().expect("a request was sent");
    serde_json::from_slice(&last.body).expect("request body is JSON")
}

macro_rules! check_enum {
    ($ty:ty, $values:expr) => {{
        let values: Vec<String> = $values;
        // Sorted: the model is read with a JSON map that does not keep key order.
        let mut generated: Vec<&str> = <$ty>::VALUES.to_vec();
        generated.sort_unstable();
        let mut expected: Vec<&str> = values.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(generated, expected, "{} VALUES", stringify!($ty));
        for v in &values {
            let e = <$ty>::from(v.as_str());
            assert!(e.is_known(), "{v:?} is known");
            assert_eq!(e.as_str(), v, "round trip of {v:?}");
            assert_eq!(e.to_string(), *v);
        }
        let mut variants: Vec<$ty> = values.iter().map(|v| <$ty>::from(v.as_str())).collect();
        variants.sort();
        variants.dedup();
        assert_eq!(
            variants.len(),
            values.len(),
            "distinct values, distinct variants"
        );
        let unknown = <$ty>::from("\u{202e}not a value\u{0}");
        assert!(!unknown.is_known());
        assert_eq!(unknown.as_str(), "\u{202e}not a value\u{0}");
    }};
}

#[test]
fn enums_round_trip_every_value() {
    let m = model("enums");
    check_enum!(enumsservice::types::Hard, enum_values(&m, "adv.enums#Hard"));
    check_enum!(
        enumsservice::types::Legacy,
        enum_values(&m, "adv.enums#Legacy")
    );
    let big = model("enum2000");
    let values = enum_values(&big, "adv.bigenum#Big");
    assert_eq!(values.len(), 2000);
    check_enum!(bigenumservice::types::Big, values);
    let kw = model("keywords");
    check_enum!(
        keywordsservice::types::KeywordEnum,
        enum_values(&kw, "adv.keywords#KeywordEnum")
    );

    use enumsservice::types::Ints;
    assert_eq!(Ints::MIN.value(), i32::MIN);
    assert_eq!(Ints::MAX.value(), i32::MAX);
    assert_eq!(Ints::from(i32::MIN), Ints::MIN);
    assert!(Ints::from(2).is_known() && !Ints::from(3).is_known());
    assert_eq!(Ints::from(1).name(), Some("SELF"));

    // On the wire: the exact value strings, including the hard ones.
    let replay = ReplayClient::new(vec![HttpResponse::new(
        200,
        r#"{"hard":"😀","legacy":"日本語","ints":-2147483648}"#,
    )]);
    let client = enumsservice::Client::new(&config(&replay));
    let out = block_on(
        client
            .echo_enums()
            .hard(enumsservice::types::Hard::from("x".repeat(300).as_str()))
            .legacy(enumsservice::types::Legacy::from("\""))
            .ints(Ints::MAX)
            .send(),
    )
    .expect("echo");
    assert_eq!(
        sent_json(&replay),
        serde_json::json!({"hard": "x".repeat(300), "legacy": "\"", "ints": 2147483647})
    );
    assert_eq!(out.hard.as_ref().map(|h| h.as_str()), Some("😀"), "{out:?}");
    assert_eq!(out.legacy.as_ref().map(|h| h.as_str()), Some("日本語"));
    assert_eq!(out.ints, Some(Ints::MIN));
}

#[test]
fn builder_named_members_keep_their_wire_names() {
    let replay = ReplayClient::new(vec![HttpResponse::new(
        200,
        r#"{"build":"b","send":"s","customize":"c","builder":"x","into_paginator":"p"}"#,
    )]);
    let client = keywordsservice::Client::new(&config(&replay));
    let out = block_on(
        client
            .send_value()
            .build_value("b")
            .send_value("s")
            .customize_value("c")
            .builder_value("x")
            .into_paginator_value("p")
            .client_token("t")
            .send(),
    )
    .expect("send");
    let body = sent_json(&replay);
    for (k, v) in [
        ("build", "b"),
        ("send", "s"),
        ("customize", "c"),
        ("builder", "x"),
        ("into_paginator", "p"),
        ("client_token", "t"),
    ] {
        assert_eq!(body[k], v, "{k} in {body}");
    }
    assert_eq!(out.build_value.as_deref(), Some("b"));
    assert_eq!(out.into_paginator_value.as_deref(), Some("p"));
    assert_eq!(replay.requests()[0].uri, "http://127.0.0.1:9/send");
    // The client's own `config()` is still there next to the `Config` operation.
    assert_eq!(client.config().max_attempts(), 1);
}

#[test]
fn constraint_edge_values_validate_as_modeled() {
    use constraintsservice::types::Limits;
    let ok = |l: Limits| l.validate().is_ok();
    assert!(ok(Limits::builder()
        .long_full(i64::MIN)
        .long_min(i64::MIN)
        .long_max(i64::MAX)
        .long_point(i64::MAX)
        .byte_range(i8::MIN)
        .short_range(-1i16)
        .fraction(0.1)
        .float_fraction(0.25f32)
        .tiny(1e-300)
        .empty_string("")
        .set_empty_list(Some(vec![]))
        .set_empty_map(Some(Default::default()))
        .exact("abc")
        .build()));
    assert!(!ok(Limits::builder().long_point(i64::MAX - 1).build()));
    assert!(!ok(Limits::builder().short_range(2i16).build()));
    assert!(!ok(Limits::builder().fraction(0.09).build()));
    assert!(!ok(Limits::builder().fraction(0.91).build()));
    assert!(!ok(Limits::builder().fraction(f64::NAN).build()));
    assert!(!ok(Limits::builder().float_fraction(0.3f32).build()));
    assert!(!ok(Limits::builder().tiny(0.0).build()));
    assert!(!ok(Limits::builder().empty_string("a").build()));
    assert!(!ok(Limits::builder().empty_list("a").build()));
    assert!(!ok(Limits::builder().empty_map("k", "v").build()));
    assert!(!ok(Limits::builder().exact("ab").build()));
    assert!(!ok(Limits::builder().exact("abcd").build()));
    assert!(ok(Limits::builder().huge("x".repeat(10_000)).build()));
    // Every violation is reported at once, with its path.
    let err = Limits::builder()
        .exact("ab")
        .empty_string("a")
        .build()
        .validate()
        .expect_err("two violations");
    let text = err.to_string();
    assert!(
        text.contains("exact") && text.contains("emptyString"),
        "{text}"
    );
}

#[test]
fn patterns_are_checked_in_ecma_syntax_and_unsupported_ones_are_skipped() {
    use patternsservice::types::Patterns;
    let ok = |p: Patterns| p.validate().is_ok();
    assert!(ok(Patterns::builder().ecma("abc").build()));
    assert!(!ok(Patterns::builder().ecma("aBc").build()));
    assert!(ok(Patterns::builder().unicode("日本語").build()));
    assert!(!ok(Patterns::builder().unicode("abc1").build()));
    assert!(ok(Patterns::builder().named_group("2024-11").build()));
    assert!(!ok(Patterns::builder().named_group("2024-1").build()));
    assert!(ok(Patterns::builder().lookbehind("xab").build()));
    assert!(!ok(Patterns::builder().lookbehind("xb").build()));
    assert!(ok(Patterns::builder().lookahead("abc").build()));
    assert!(!ok(Patterns::builder().lookahead("xbc").build()));
    assert!(ok(Patterns::builder().backref("aa").build()));
    assert!(ok(Patterns::builder().empty_pattern("anything").build()));
    assert!(ok(Patterns::builder().quote_in_pattern("\"'\\").build()));
    // Patterns no engine accepts were reported at generation time and are not checked.
    assert!(ok(Patterns::builder().no_engine("anything").build()));
    assert!(ok(Patterns::builder().pcre_inline_flags("ABC").build()));
    assert!(ok(Patterns::builder().slash_star("x").build()));
}

#[test]
fn recursive_values_round_trip_through_the_wire() {
    use recursionservice::types::{Choice, Node, Ping, Pong};
    let leaf = Node::builder().name("leaf").build();
    let ping = Ping::builder()
        .n(1)
        .pong(Pong::builder().ping(Ping::builder().n(2).build()).build())
        .build();
    let choice = Choice::Many(vec![
        Choice::Again(Box::new(Choice::Leaf("deep".into()))),
        Choice::Node(Box::new(leaf.clone())),
        Choice::Table([("k".to_owned(), vec![Choice::Leaf("v".into())])].into()),
    ]);
    let replay = ReplayClient::new(vec![]);
    let client = recursionservice::Client::new(&config(&replay));
    let _ = block_on(
        client
            .recurse()
            .name("root")
            .next(Node::builder().name("next").next(leaf.clone()).build())
            .children(leaf.clone())
            .children(Node::builder().children(leaf.clone()).build())
            .by_name("x", leaf.clone())
            .mutual(ping.clone())
            .choice(choice.clone())
            .send(),
    );
    let body = sent_json(&replay);
    assert_eq!(body["next"]["next"]["name"], "leaf");
    assert_eq!(body["mutual"]["pong"]["ping"]["n"], 2);
    assert_eq!(body["choice"]["many"][0]["again"]["leaf"], "deep");
    // Echo the request body back: the output equals what was sent.
    let echo = ReplayClient::new(vec![HttpResponse::new(200, body.to_string())]);
    let out = block_on(
        recursionservice::Client::new(&config(&echo))
            .recurse()
            .send(),
    )
    .expect("echo");
    assert_eq!(out.mutual.as_ref(), Some(&ping));
    assert_eq!(out.choice.as_deref(), Some(&choice));
    assert_eq!(out.children.as_ref().map(Vec::len), Some(2));
    assert_eq!(out.by_name.as_ref().and_then(|m| m.get("x")), Some(&leaf));
}

#[test]
fn std_named_shapes_are_usable() {
    use stdnamesservice::types;
    let replay = ReplayClient::new(vec![HttpResponse::new(
        200,
        r#"{"result":{"value":"r","inner":{"value":"o","inner":7}},"list":[{"value":"v"}],"map":{"k":{"value":"m"}}}"#,
    )]);
    let client = stdnamesservice::Client::new(&config(&replay));
    let out = block_on(client.r#use().send()).expect("use");
    let text = format!("{out:?}");
    for needle in ["\"r\"", "\"o\"", "Some(7)", "\"v\"", "\"m\""] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let _: Option<types::ResultShape> = None;
}
