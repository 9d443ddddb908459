//! Generates clients for official AWS models from the reference data beside the repository
//! (`../shared/aws-models/`): WorkSpaces Web (restJson1), DynamoDB (awsJson1_0), SQS
//! (awsJson1_0 with awsQueryCompatible), KMS (awsJson1_1), S3 (restXml), STS, IAM and SNS
//! (awsQuery). The models are read in place, never copied.
//!
//! S3 (104 operations) and IAM (164) are generated with only the operations the scenario
//! tests call, to keep compile time down; so are Bedrock Runtime, Lambda, Kinesis,
//! Transcribe Streaming and CloudWatch Logs, for their event-stream operations (`tests/event_streams.rs`). `Config::operations` is one list for the whole run
//! and every name in it must belong to every selected service, so each group of models is
//! its own `Config` (its own generation run into the same `OUT_DIR`): the groups share no
//! shapes, so nothing is lost by loading them separately.

use std::path::Path;

/// `tests/official/` is two levels below the repository, beside which `shared/` lives.
const DIR: &str = "../../../shared/aws-models/";

/// One generation run: its model files and, when not every operation, the operations
/// generated (with the shapes they reach).
struct Group {
    models: &'static [&'static str],
    operations: Option<&'static [&'static str]>,
}

const GROUPS: &[Group] = &[
    // Generated whole.
    Group {
        models: &[
            "workspaces-web-2020-07-08.json",
            "dynamodb-2012-08-10.json",
            "sqs-2012-11-05.json",
            "kms-2014-11-01.json",
            "sts-2011-06-15.json",
            "sns-2010-03-31.json",
        ],
        operations: None,
    },
    // `tests/moto_s3.rs`.
    Group {
        models: &["s3-2006-03-01.json"],
        operations: Some(&[
            "CreateBucket",
            "PutObject",
            "HeadObject",
            "GetObject",
            "ListObjectsV2",
            "CopyObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "AbortMultipartUpload",
            "DeleteObjects",
            // `tests/waiters.rs` (BucketExists).
            "HeadBucket",
            // `tests/event_streams.rs`.
            "SelectObjectContent",
        ]),
    },
    // `tests/event_streams.rs`: one event-stream operation of each service, against the
    // event-stream peer (`tests/support/event_stream_peer.py`).
    Group {
        models: &["bedrock-runtime-2023-09-30.json"],
        operations: Some(&["ConverseStream"]),
    },
    Group {
        models: &["lambda-2015-03-31.json"],
        operations: Some(&["InvokeWithResponseStream"]),
    },
    Group {
        models: &["kinesis-2013-12-02.json"],
        operations: Some(&["SubscribeToShard"]),
    },
    Group {
        models: &["transcribe-streaming-2017-10-26.json"],
        operations: Some(&["StartStreamTranscription"]),
    },
    Group {
        models: &["cloudwatch-logs-2014-03-28.json"],
        operations: Some(&["StartLiveTail"]),
    },
    // `tests/moto_sts_iam.rs`.
    Group {
        models: &["iam-2010-05-08.json"],
        operations: Some(&["CreateRole", "ListRoles", "CreateUser", "ListUsers"]),
    },
];

fn path(model: &str) -> String {
    format!("{DIR}{model}")
}

fn main() {
    let all: Vec<String> = GROUPS
        .iter()
        .flat_map(|g| g.models.iter().map(|m| path(m)))
        .collect();
    let missing: Vec<&str> = all
        .iter()
        .map(String::as_str)
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
        for m in &all {
            println!("cargo:rerun-if-changed={m}");
        }
        std::process::exit(1);
    }
    for group in GROUPS {
        let mut config = anvil_codegen::Config::new();
        for m in group.models {
            config = config.model(path(m));
        }
        if let Some(operations) = group.operations {
            config = config.operations(operations.iter().copied());
        }
        config.compile_or_exit();
    }
}
