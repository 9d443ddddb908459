//! Clients generated from official AWS models (`../shared/aws-models/`), compiled under
//! `deny(warnings)` and exercised against moto's server by `tests/moto*.rs`:
//! - [`workspacesweb`]: `workspaces-web-2020-07-08.json` (restJson1), `tests/moto.rs`;
//! - [`dynamodb`]: `dynamodb-2012-08-10.json` (awsJson1_0), `tests/moto_dynamodb.rs`;
//! - [`sqs`]: `sqs-2012-11-05.json` (awsJson1_0, awsQueryCompatible), `tests/moto_sqs.rs`;
//! - [`kms`]: `kms-2014-11-01.json` (awsJson1_1), `tests/moto_kms.rs`.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/workspacesweb.rs"));
include!(concat!(env!("OUT_DIR"), "/dynamodb.rs"));
include!(concat!(env!("OUT_DIR"), "/sqs.rs"));
include!(concat!(env!("OUT_DIR"), "/kms.rs"));

/// The runtime the clients use (configuration, credentials, errors, paginators).
pub use anvil_runtime as runtime;
