//! Runs every `smithy.rules#endpointTests` case with `operationInputs` through the generated
//! clients and prints `endpoint tests with operationInputs: N passed` with the skipped and
//! failed counts; fails on any failure (see `support::run`).

use std::process::ExitCode;

use anvil_endpoint_tests::{dynamodb_cases, s3_cases, sts_cases, support};

fn main() -> ExitCode {
    if support::run(&[dynamodb_cases::CASES, s3_cases::CASES, sts_cases::CASES]) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
