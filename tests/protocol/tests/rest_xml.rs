//! Runs every client restXml protocol compliance case (the service with an `@xmlNamespace`
//! and S3's own cases included) against `expected-failures/restXml.txt` (see
//! `support::run_suite`).

use std::process::ExitCode;

mod rest_xml {
    include!(concat!(
        env!("OUT_DIR"),
        "/restxmlprotocol_protocol_tests.rs"
    ));
}
mod rest_xml_namespace {
    include!(concat!(
        env!("OUT_DIR"),
        "/restxmlprotocolnamespace_protocol_tests.rs"
    ));
}
mod s3 {
    include!(concat!(env!("OUT_DIR"), "/s3_protocol_tests.rs"));
}

fn main() -> ExitCode {
    anvil_protocol_tests::support::run_suite(
        "restXml",
        &[rest_xml::CASES, rest_xml_namespace::CASES, s3::CASES],
        include_str!("../expected-failures/restXml.txt"),
    )
}
