//! Runs every documented example (see the crate docs): prints `examples: N valid, M refused`
//! and fails if any success example is refused.

use std::process::ExitCode;

fn main() -> ExitCode {
    let tally = anvil_example_tests::support::run(anvil_example_tests::ALL);
    println!(
        "examples: {} valid, {} refused ({} documenting an error, counted and not checked)",
        tally.valid,
        tally.refused.len(),
        tally.errors
    );
    for (id, why) in &tally.refused {
        println!("  refused: {id}: {why}");
    }
    if tally.valid == 0 || !tally.refused.is_empty() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
