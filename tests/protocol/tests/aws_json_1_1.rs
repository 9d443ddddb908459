//! Runs every client awsJson1_1 protocol compliance case (and Machine Learning's `Predict`
//! endpoint customization) against `expected-failures/awsJson1_1.txt` (see
//! `support::run_suite`).

use std::process::ExitCode;

mod json_protocol {
    include!(concat!(env!("OUT_DIR"), "/jsonprotocol_protocol_tests.rs"));
}
mod machine_learning {
    include!(concat!(
        env!("OUT_DIR"),
        "/machinelearning_protocol_tests.rs"
    ));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "awsJson1_1",
        &[json_protocol::CASES, machine_learning::CASES],
        include_str!("../expected-failures/awsJson1_1.txt"),
    )
}
