//! Runs every client rpcv2Cbor protocol compliance case against
//! `expected-failures/rpcv2Cbor.txt` (see `support::run_suite`).

use std::process::ExitCode;

mod non_query_compatible {
    include!(concat!(
        env!("OUT_DIR"),
        "/nonquerycompatiblerpcv2protocol_protocol_tests.rs"
    ));
}
mod query_compatible {
    include!(concat!(
        env!("OUT_DIR"),
        "/querycompatiblerpcv2protocol_protocol_tests.rs"
    ));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "rpcv2Cbor",
        &[non_query_compatible::CASES, query_compatible::CASES],
        include_str!("../expected-failures/rpcv2Cbor.txt"),
    )
}
