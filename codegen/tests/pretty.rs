//! `Config::pretty(false)` writes the same code, unformatted.

use anvil_codegen::{Config, ModelSource};

#[test]
fn unformatted_output_is_the_same_code() {
    for name in ["workspaces-web.json", "mpa.json"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../models")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("model");
        let source = [ModelSource { name, text: &text }];
        let pretty = Config::new().generate(&source).expect("generates").files;
        let raw = Config::new()
            .pretty(false)
            .generate(&source)
            .expect("generates")
            .files;
        assert_eq!(pretty.len(), raw.len());
        for (p, r) in pretty.iter().zip(&raw) {
            assert_eq!(p.name, r.name);
            assert_ne!(p.contents, r.contents, "{name}: not formatted");
            let reparsed: syn::File = syn::parse_file(&r.contents).expect("valid Rust");
            assert_eq!(
                prettyplease::unparse(&reparsed),
                p.contents,
                "{name}: formatting the unformatted output gives the formatted output"
            );
        }
    }
}
