//! Raw bytes → the model loader. Nothing may panic; a model that loads is also generated.
#![no_main]

use anvil_codegen::model::{self, Source};
use anvil_codegen::{Config, ModelSource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let outcome = model::load(&[Source {
        name: "fuzz.json",
        text: &text,
    }]);
    let has_error = outcome.diagnostics.iter().any(|d| d.is_error());
    // The documented contract: a model if and only if no error.
    assert_eq!(outcome.model.is_some(), !has_error);
    if outcome.model.is_some() {
        let _ = Config::new().generate(&[ModelSource {
            name: "fuzz.json",
            text: &text,
        }]);
    }
});
