//! Structure-aware model fuzzing: the input decodes (via `arbitrary`) into a JSON AST-like
//! document — shapes from a small pool of names so references resolve, real shape types and
//! traits with values of random types — which is serialized and then generated. The loader,
//! the IR and the emitters must refuse or accept it without panicking.
#![no_main]

use anvil_codegen::{Config, ModelSource};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const NAMES: [&str; 8] = [
    "ns#Service",
    "ns#Op",
    "ns#Input",
    "ns#Output",
    "ns#A",
    "ns#B",
    "ns#Err",
    "ns#Mixin",
];

#[derive(Arbitrary, Debug)]
enum Name {
    Pool(u8),
    Prelude(Prelude),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Prelude {
    String,
    Integer,
    Long,
    Boolean,
    Timestamp,
    Blob,
    Document,
    Double,
    BigDecimal,
    Unit,
}

impl Name {
    fn id(&self) -> String {
        match self {
            Name::Pool(i) => NAMES[usize::from(*i) % NAMES.len()].to_owned(),
            Name::Prelude(p) => format!("smithy.api#{p:?}"),
            Name::Raw(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Structure,
    Union,
    List,
    Map,
    String,
    Enum,
    IntEnum,
    Integer,
    Long,
    Short,
    Byte,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Boolean,
    Blob,
    Timestamp,
    Document,
    Service,
    Operation,
    Resource,
    Other(String),
}

/// A JSON value with bounded nesting (the bound comes from the input's size).
#[derive(Arbitrary, Debug)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<J>),
    Object(Vec<(String, J)>),
}

impl J {
    fn value(&self) -> Value {
        match self {
            J::Null => Value::Null,
            J::Bool(b) => json!(b),
            J::Int(i) => json!(i),
            J::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            J::Str(s) => json!(s),
            J::Array(a) => Value::Array(a.iter().map(J::value).collect()),
            J::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), v.value())).collect()),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Trait {
    Required,
    Sensitive,
    Documentation(String),
    Length(Option<i64>, Option<i64>),
    Range(Option<J>, Option<J>),
    Pattern(String),
    Default(J),
    EnumValue(J),
    Error(bool),
    Http(String, String, Option<i64>),
    HttpLabel,
    HttpQuery(String),
    HttpHeader(String),
    HttpPayload,
    HttpResponseCode,
    IdempotencyToken,
    JsonName(String),
    TimestampFormat(String),
    Mixin,
    Input,
    Output,
    Retryable(bool),
    Streaming,
    Paginated(Option<String>, Option<String>, Option<String>),
    RestJson1,
    Deprecated,
    Other(String, J),
}

impl Trait {
    fn entry(&self) -> (String, Value) {
        let (k, v) = match self {
            Trait::Required => ("smithy.api#required", json!({})),
            Trait::Sensitive => ("smithy.api#sensitive", json!({})),
            Trait::Documentation(s) => ("smithy.api#documentation", json!(s)),
            Trait::Length(min, max) => {
                let mut m = Map::new();
                if let Some(v) = min {
                    m.insert("min".into(), json!(v));
                }
                if let Some(v) = max {
                    m.insert("max".into(), json!(v));
                }
                ("smithy.api#length", Value::Object(m))
            }
            Trait::Range(min, max) => {
                let mut m = Map::new();
                if let Some(v) = min {
                    m.insert("min".into(), v.value());
                }
                if let Some(v) = max {
                    m.insert("max".into(), v.value());
                }
                ("smithy.api#range", Value::Object(m))
            }
            Trait::Pattern(p) => ("smithy.api#pattern", json!(p)),
            Trait::Default(v) => ("smithy.api#default", v.value()),
            Trait::EnumValue(v) => ("smithy.api#enumValue", v.value()),
            Trait::Error(client) => (
                "smithy.api#error",
                json!(if *client { "client" } else { "server" }),
            ),
            Trait::Http(method, uri, code) => {
                let mut m = Map::new();
                m.insert("method".into(), json!(method));
                m.insert("uri".into(), json!(uri));
                if let Some(c) = code {
                    m.insert("code".into(), json!(c));
                }
                ("smithy.api#http", Value::Object(m))
            }
            Trait::HttpLabel => ("smithy.api#httpLabel", json!({})),
            Trait::HttpQuery(q) => ("smithy.api#httpQuery", json!(q)),
            Trait::HttpHeader(h) => ("smithy.api#httpHeader", json!(h)),
            Trait::HttpPayload => ("smithy.api#httpPayload", json!({})),
            Trait::HttpResponseCode => ("smithy.api#httpResponseCode", json!({})),
            Trait::IdempotencyToken => ("smithy.api#idempotencyToken", json!({})),
            Trait::JsonName(n) => ("smithy.api#jsonName", json!(n)),
            Trait::TimestampFormat(f) => ("smithy.api#timestampFormat", json!(f)),
            Trait::Mixin => ("smithy.api#mixin", json!({})),
            Trait::Input => ("smithy.api#input", json!({})),
            Trait::Output => ("smithy.api#output", json!({})),
            Trait::Retryable(t) => ("smithy.api#retryable", json!({ "throttling": t })),
            Trait::Streaming => ("smithy.api#streaming", json!({})),
            Trait::Paginated(i, o, p) => (
                "smithy.api#paginated",
                json!({ "inputToken": i, "outputToken": o, "pageSize": p }),
            ),
            Trait::RestJson1 => ("aws.protocols#restJson1", json!({})),
            Trait::Deprecated => ("smithy.api#deprecated", json!({})),
            Trait::Other(name, v) => return (name.clone(), v.value()),
        };
        (k.to_owned(), v)
    }
}

#[derive(Arbitrary, Debug)]
struct MemberDef {
    name: String,
    target: Name,
    traits: Vec<Trait>,
}

#[derive(Arbitrary, Debug)]
struct ShapeDef {
    name: Name,
    kind: Kind,
    members: Vec<MemberDef>,
    traits: Vec<Trait>,
    mixins: Vec<Name>,
    /// Operations / errors / input / output references, used by the kinds that have them.
    refs: Vec<Name>,
    extra: Option<(String, J)>,
}

#[derive(Arbitrary, Debug)]
enum Version {
    Two,
    TwoZero,
    One,
    Other(J),
}

#[derive(Arbitrary, Debug)]
struct Doc {
    version: Version,
    shapes: Vec<ShapeDef>,
    metadata: Option<J>,
    pretty: bool,
}

fn traits(list: &[Trait]) -> Value {
    Value::Object(list.iter().map(Trait::entry).collect())
}

fn target(n: &Name) -> Value {
    json!({ "target": n.id() })
}

fn shape(def: &ShapeDef) -> Value {
    let kind = match &def.kind {
        Kind::Other(s) => s.clone(),
        k => {
            let name = format!("{k:?}");
            let mut out = String::new();
            for (i, c) in name.chars().enumerate() {
                if i == 0 {
                    out.extend(c.to_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        }
    };
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    let members: Map<String, Value> = def
        .members
        .iter()
        .map(|mem| {
            let mut v = Map::new();
            v.insert("target".into(), json!(mem.target.id()));
            if !mem.traits.is_empty() {
                v.insert("traits".into(), traits(&mem.traits));
            }
            (mem.name.clone(), Value::Object(v))
        })
        .collect();
    let refs: Vec<Value> = def.refs.iter().map(target).collect();
    match def.kind {
        Kind::Structure | Kind::Union | Kind::Enum | Kind::IntEnum => {
            m.insert("members".into(), Value::Object(members));
        }
        Kind::List => {
            if let Some(first) = def.members.first() {
                m.insert("member".into(), target(&first.target));
            }
        }
        Kind::Map => {
            let mut it = def.members.iter();
            if let Some(k) = it.next() {
                m.insert("key".into(), target(&k.target));
            }
            if let Some(v) = it.next() {
                m.insert("value".into(), target(&v.target));
            }
        }
        Kind::Service => {
            m.insert("version".into(), json!("2024-01-01"));
            m.insert("operations".into(), Value::Array(refs));
        }
        Kind::Operation => {
            let mut it = def.refs.iter();
            if let Some(i) = it.next() {
                m.insert("input".into(), target(i));
            }
            if let Some(o) = it.next() {
                m.insert("output".into(), target(o));
            }
            let errors: Vec<Value> = it.map(target).collect();
            if !errors.is_empty() {
                m.insert("errors".into(), Value::Array(errors));
            }
        }
        Kind::Resource => {
            m.insert("operations".into(), Value::Array(refs));
        }
        _ => {}
    }
    if !def.traits.is_empty() {
        m.insert("traits".into(), traits(&def.traits));
    }
    if !def.mixins.is_empty() {
        m.insert(
            "mixins".into(),
            Value::Array(def.mixins.iter().map(target).collect()),
        );
    }
    if let Some((k, v)) = &def.extra {
        m.insert(k.clone(), v.value());
    }
    Value::Object(m)
}

fuzz_target!(|doc: Doc| {
    let mut root = Map::new();
    let version = match &doc.version {
        Version::Two => json!("2"),
        Version::TwoZero => json!("2.0"),
        Version::One => json!("1.0"),
        Version::Other(j) => j.value(),
    };
    root.insert("smithy".into(), version);
    if let Some(meta) = &doc.metadata {
        root.insert("metadata".into(), meta.value());
    }
    let shapes: Map<String, Value> = doc.shapes.iter().map(|s| (s.name.id(), shape(s))).collect();
    root.insert("shapes".into(), Value::Object(shapes));
    let root = Value::Object(root);
    let text = if doc.pretty {
        serde_json::to_string_pretty(&root)
    } else {
        serde_json::to_string(&root)
    };
    let Ok(text) = text else { return };
    let result = Config::new().generate(&[ModelSource {
        name: "fuzz.json",
        text: &text,
    }]);
    if let Err(e) = result {
        // A refused model always says why.
        assert!(
            e.diagnostics.iter().any(|d| d.is_error()),
            "refused without an error: {e}"
        );
        let _ = e.to_string();
    }
});
