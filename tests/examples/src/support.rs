//! What the generated example checks refer to, and the run over all of them.

/// One documented example.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// `<module> <Operation> #<n>: <title>`.
    pub id: &'static str,
    /// Builds and validates the input; `None` for an example that documents an error.
    pub check: Option<fn() -> Result<(), String>>,
}

/// What a run came to.
#[derive(Debug, Default)]
pub struct Tally {
    /// Examples whose input was built and passed validation.
    pub valid: usize,
    /// Examples whose input was refused: id and why.
    pub refused: Vec<(&'static str, String)>,
    /// Examples that document an error (counted, not checked).
    pub errors: usize,
}

/// Runs every example of every service.
pub fn run(all: &[&[Example]]) -> Tally {
    let mut tally = Tally::default();
    for example in all.iter().flat_map(|examples| examples.iter()) {
        match example.check {
            None => tally.errors += 1,
            Some(check) => match check() {
                Ok(()) => tally.valid += 1,
                Err(why) => tally.refused.push((example.id, why)),
            },
        }
    }
    tally
}
