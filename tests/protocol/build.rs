//! Generates the protocol-test services (clients) and their compliance cases from the
//! official Smithy AWS protocol test model into `OUT_DIR`.

use std::path::{Path, PathBuf};

/// The services of the test model that carry client test cases, for the protocols anvil
/// speaks.
const SERVICES: &[&str] = &[
    "aws.protocoltests.restjson#RestJson",
    "aws.protocoltests.restjson.validation#RestJsonValidation",
    "com.amazonaws.apigateway#BackplaneControlService",
    "com.amazonaws.glacier#Glacier",
    "aws.protocoltests.json10#JsonRpc10",
    "aws.protocoltests.json10#QueryCompatibleJsonRpc10",
    "aws.protocoltests.json#JsonProtocol",
    "com.amazonaws.machinelearning#AmazonML_20141212",
    "aws.protocoltests.rpcv2cbor#NonQueryCompatibleRpcV2Protocol",
    "aws.protocoltests.rpcv2cbor#QueryCompatibleRpcV2Protocol",
    "aws.protocoltests.query#AwsQuery",
    "aws.protocoltests.ec2#AwsEc2",
    "aws.protocoltests.restxml#RestXml",
    "aws.protocoltests.restxml.xmlns#RestXmlWithNamespace",
    "com.amazonaws.s3#AmazonS3",
];

fn main() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/protocol-tests/smithy-aws-protocol-tests.json");
    println!("cargo:rerun-if-changed={}", model.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let text = match std::fs::read_to_string(&model) {
        Ok(t) => t,
        Err(e) => fail(&format!("cannot read {}: {e}", model.display())),
    };
    let name = model.display().to_string();
    let s3_model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/aws-models/s3-2006-03-01.json");
    println!("cargo:rerun-if-changed={}", s3_model.display());
    let s3_text = std::fs::read_to_string(&s3_model)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", s3_model.display())));
    let s3_rules = s3_endpoint_traits(&text, &s3_text);
    let rules_name = format!("{} (endpoint traits of S3)", s3_model.display());
    let sources = [
        anvil_codegen::ModelSource {
            name: &name,
            text: &text,
        },
        anvil_codegen::ModelSource {
            name: &rules_name,
            text: &s3_rules,
        },
    ];
    let config = anvil_codegen::Config::new().services(SERVICES.iter().copied());
    let clients = config
        .generate(&sources)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let tests = config
        .protocol_tests(&sources, "::anvil_protocol_tests")
        .unwrap_or_else(|e| fail(&e.to_string()));
    for file in clients.files.iter().chain(&tests.files) {
        let path = out.join(&file.name);
        let same = std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes());
        if !same && let Err(e) = std::fs::write(&path, &file.contents) {
            fail(&format!("cannot write {}: {e}", path.display()));
        }
    }
}

/// The test model's S3 service is a slice of S3 without its endpoint rules, which its cases
/// (virtual-hosted and path-style addressing, dual-stack, accelerate) exercise: an `apply`
/// model giving it the official S3 model's `endpointRuleSet` and `clientContextParams`, and
/// the `staticContextParams`, `operationContextParams` and `contextParam`s of the operations
/// and members both models have.
fn s3_endpoint_traits(test_model: &str, s3_model: &str) -> String {
    use serde_json::{Map, Value, json};
    let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or_else(|e| fail(&e.to_string()));
    let (test, s3) = (parse(test_model), parse(s3_model));
    let shapes = |m: &Value| {
        m.get("shapes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (test, s3) = (shapes(&test), shapes(&s3));
    let mut applies = Map::new();
    let mut apply = |id: String, traits: Map<String, Value>| {
        if !traits.is_empty() {
            applies.insert(id, json!({"type": "apply", "traits": traits}));
        }
    };
    let pick = |shape: &Value, names: &[&str]| -> Map<String, Value> {
        names
            .iter()
            .filter_map(|n| Some(((*n).to_owned(), shape.get("traits")?.get(*n)?.clone())))
            .collect()
    };
    for (id, shape) in test
        .iter()
        .filter(|(id, _)| id.starts_with("com.amazonaws.s3#"))
    {
        let Some(official) = s3.get(id) else { continue };
        match shape.get("type").and_then(Value::as_str) {
            Some("service") => apply(
                id.clone(),
                pick(
                    official,
                    &[
                        "smithy.rules#endpointRuleSet",
                        "smithy.rules#clientContextParams",
                    ],
                ),
            ),
            Some("operation") => apply(
                id.clone(),
                pick(
                    official,
                    &[
                        "smithy.rules#staticContextParams",
                        "smithy.rules#operationContextParams",
                    ],
                ),
            ),
            Some("structure") => {
                let members = shape.get("members").and_then(Value::as_object);
                for name in members.into_iter().flat_map(|m| m.keys()) {
                    if let Some(m) = official.get("members").and_then(|ms| ms.get(name)) {
                        apply(
                            format!("{id}${name}"),
                            pick(m, &["smithy.rules#contextParam"]),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    json!({"smithy": "2.0", "shapes": applies}).to_string()
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
