//! Runs every client restJson1 protocol compliance case against
//! `expected-failures/restJson1.txt` (see `support::run_suite`).
//!
//! `cargo test -p anvil-protocol-tests --test rest_json -- FILTER` runs only the cases whose
//! id contains FILTER; `PROTOCOL_TESTS_VERBOSE=1` also prints why each expected failure fails.

use std::process::ExitCode;

mod rest_json {
    include!(concat!(
        env!("OUT_DIR"),
        "/restjsonprotocol_protocol_tests.rs"
    ));
}
mod rest_json_validation {
    include!(concat!(
        env!("OUT_DIR"),
        "/restjsonvalidationprotocol_protocol_tests.rs"
    ));
}
mod apigateway {
    include!(concat!(env!("OUT_DIR"), "/apigateway_protocol_tests.rs"));
}
mod glacier {
    include!(concat!(env!("OUT_DIR"), "/glacier_protocol_tests.rs"));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "restJson1",
        &[
            rest_json::CASES,
            rest_json_validation::CASES,
            apigateway::CASES,
            glacier::CASES,
        ],
        include_str!("../expected-failures/restJson1.txt"),
    )
}
