//! Clients generated from official AWS models (`../shared/aws-models/`), compiled under
//! `deny(warnings)` and exercised against moto's server by `tests/moto*.rs`:
//! - [`workspacesweb`]: `workspaces-web-2020-07-08.json` (restJson1), `tests/moto.rs`;
//! - [`dynamodb`]: `dynamodb-2012-08-10.json` (awsJson1_0), `tests/moto_dynamodb.rs`;
//! - [`sqs`]: `sqs-2012-11-05.json` (awsJson1_0, awsQueryCompatible), `tests/moto_sqs.rs`;
//! - [`kms`]: `kms-2014-11-01.json` (awsJson1_1), `tests/moto_kms.rs`;
//! - [`s3`]: `s3-2006-03-01.json` (restXml; only the operations the test calls),
//!   `tests/moto_s3.rs`;
//! - [`sts`]: `sts-2011-06-15.json` (awsQuery), and [`iam`]: `iam-2010-05-08.json`
//!   (awsQuery; only the operations the test calls), `tests/moto_sts_iam.rs`;
//! - [`sns`]: `sns-2010-03-31.json` (awsQuery), `tests/moto_sns.rs`;
//! - [`bedrockruntime`] (`ConverseStream`), [`lambda`] (`InvokeWithResponseStream`),
//!   [`kinesis`] (`SubscribeToShard`, awsJson1_1 over HTTP/2) and [`transcribestreaming`]
//!   (`StartStreamTranscription`, events both ways over HTTP/2) and [`cloudwatchlogs`]
//!   (`StartLiveTail`), with S3's
//!   `SelectObjectContent`: event streams against a local peer, `tests/event_streams.rs`.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/workspacesweb.rs"));
include!(concat!(env!("OUT_DIR"), "/dynamodb.rs"));
include!(concat!(env!("OUT_DIR"), "/sqs.rs"));
include!(concat!(env!("OUT_DIR"), "/kms.rs"));
include!(concat!(env!("OUT_DIR"), "/s3.rs"));
include!(concat!(env!("OUT_DIR"), "/sts.rs"));
include!(concat!(env!("OUT_DIR"), "/iam.rs"));
include!(concat!(env!("OUT_DIR"), "/sns.rs"));
include!(concat!(env!("OUT_DIR"), "/bedrockruntime.rs"));
include!(concat!(env!("OUT_DIR"), "/lambda.rs"));
include!(concat!(env!("OUT_DIR"), "/kinesis.rs"));
include!(concat!(env!("OUT_DIR"), "/transcribestreaming.rs"));
include!(concat!(env!("OUT_DIR"), "/cloudwatchlogs.rs"));

/// The runtime the clients use (configuration, credentials, errors, paginators).
pub use anvil_runtime as runtime;
