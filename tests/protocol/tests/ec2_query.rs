//! Runs every client ec2Query protocol compliance case against
//! `expected-failures/ec2Query.txt` (see `support::run_suite`).

use std::process::ExitCode;

mod ec2 {
    include!(concat!(env!("OUT_DIR"), "/ec2protocol_protocol_tests.rs"));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "ec2Query",
        &[ec2::CASES],
        include_str!("../expected-failures/ec2Query.txt"),
    )
}
