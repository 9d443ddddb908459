//! Runs every client restJson1 protocol compliance case and compares the outcome with
//! `expected-failures.txt` (`<case id> # reason`, one a line). Fails on a case that fails but
//! is not listed, and on a listed case that passes (or no longer exists), then prints
//! `restJson1 protocol tests: N passed, M expected failures`.
//!
//! `cargo test -p anvil-protocol-tests -- FILTER` runs only the cases whose id contains
//! FILTER; `PROTOCOL_TESTS_VERBOSE=1` also prints why each expected failure fails.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anvil_protocol_tests::support::Case;

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

const EXPECTED_FAILURES: &str = include_str!("../expected-failures.txt");

fn expected_failures() -> BTreeMap<&'static str, &'static str> {
    EXPECTED_FAILURES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('#') {
            Some((id, reason)) => (id.trim(), reason.trim()),
            None => (l, ""),
        })
        .collect()
}

fn run(case: &Case) -> Result<(), String> {
    match std::panic::catch_unwind(case.run) {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panicked: {}",
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        )),
    }
}

fn main() -> ExitCode {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let verbose = std::env::var_os("PROTOCOL_TESTS_VERBOSE").is_some();
    let expected = expected_failures();
    let cases: Vec<&Case> = [
        rest_json::CASES,
        rest_json_validation::CASES,
        apigateway::CASES,
        glacier::CASES,
    ]
    .iter()
    .flat_map(|c| c.iter())
    .filter(|c| filter.as_deref().is_none_or(|f| c.id.contains(f)))
    .collect();
    std::panic::set_hook(Box::new(|_| {}));
    let (mut passed, mut known, mut bad) = (0usize, 0usize, 0usize);
    for case in &cases {
        let listed = expected.get(case.id);
        match (run(case), listed) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => {
                bad += 1;
                println!(
                    "UNEXPECTED PASS {}: remove it from expected-failures.txt",
                    case.id
                );
            }
            (Err(e), Some(reason)) => {
                known += 1;
                if verbose {
                    println!(
                        "expected failure {} ({reason}):\n  {}",
                        case.id,
                        e.replace('\n', "\n  ")
                    );
                }
            }
            (Err(e), None) => {
                bad += 1;
                println!("FAILED {}:\n  {}", case.id, e.replace('\n', "\n  "));
            }
        }
    }
    if filter.is_none() {
        for id in expected.keys() {
            if !cases.iter().any(|c| c.id == *id) {
                bad += 1;
                println!("STALE expected-failures.txt entry {id}: no such case");
            }
        }
    }
    println!("restJson1 protocol tests: {passed} passed, {known} expected failures");
    if bad > 0 {
        println!("{bad} unexpected outcome(s)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
