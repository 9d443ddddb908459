//! Generates clients for official AWS models from the reference data beside the repository
//! (`../shared/aws-models/`): WorkSpaces Web (restJson1), DynamoDB (awsJson1_0), SQS
//! (awsJson1_0 with awsQueryCompatible) and KMS (awsJson1_1). The models are read in place,
//! never copied.

use std::path::Path;

/// `tests/official/` is two levels below the repository, beside which `shared/` lives.
const MODELS: &[&str] = &[
    "../../../shared/aws-models/workspaces-web-2020-07-08.json",
    "../../../shared/aws-models/dynamodb-2012-08-10.json",
    "../../../shared/aws-models/sqs-2012-11-05.json",
    "../../../shared/aws-models/kms-2014-11-01.json",
];

fn main() {
    let missing: Vec<&str> = MODELS
        .iter()
        .copied()
        .filter(|m| !Path::new(m).is_file())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "error: official models are missing: {} (relative to {})\n  \
             help: anvil-official-clients generates its clients from the reference data in \
             ../shared beside the repository; put them there (or leave this crate out of the \
             build)",
            missing.join(", "),
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()
        );
        for m in MODELS {
            println!("cargo:rerun-if-changed={m}");
        }
        std::process::exit(1);
    }
    let mut config = anvil_codegen::Config::new();
    for m in MODELS {
        config = config.model(*m);
    }
    config.compile_or_exit();
}
