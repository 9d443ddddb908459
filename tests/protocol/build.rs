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
    let sources = [anvil_codegen::ModelSource {
        name: &name,
        text: &text,
    }];
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

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
