//! Runs every client awsJson1_0 protocol compliance case (the awsQueryCompatible ones
//! included) against `expected-failures/awsJson1_0.txt` (see `support::run_suite`).

use std::process::ExitCode;

mod json_rpc_10 {
    include!(concat!(env!("OUT_DIR"), "/jsonrpc10_protocol_tests.rs"));
}
mod query_compatible {
    include!(concat!(
        env!("OUT_DIR"),
        "/querycompatiblejsonrpc10_protocol_tests.rs"
    ));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "awsJson1_0",
        &[json_rpc_10::CASES, query_compatible::CASES],
        include_str!("../expected-failures/awsJson1_0.txt"),
    )
}
