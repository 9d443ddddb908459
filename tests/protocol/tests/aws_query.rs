//! Runs every client awsQuery protocol compliance case against
//! `expected-failures/awsQuery.txt` (see `support::run_suite`).

use std::process::ExitCode;

mod query {
    include!(concat!(env!("OUT_DIR"), "/queryprotocol_protocol_tests.rs"));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "awsQuery",
        &[query::CASES],
        include_str!("../expected-failures/awsQuery.txt"),
    )
}
