//! Generates every fixture model in `tests/models/` into `OUT_DIR/fixtures/`, plus an index
//! `fixtures.rs` (made with `quote!`, like all generated code) that includes each one under a
//! module named after the fixture file. `src/lib.rs` includes the index under
//! `#![deny(warnings)]`, so the snapshotted code is also compiled.

use std::path::PathBuf;

use quote::{format_ident, quote};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("models")
        .expect("tests/models exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    fixtures.sort();
    println!("cargo:rerun-if-changed=models");
    let mut modules = Vec::new();
    for path in &fixtures {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("fixture")
            .replace('-', "_");
        let dir = out.join("fixtures").join(&stem);
        // Fixtures trigger warnings on purpose (tests assert them); only errors stop the build.
        let generated = match anvil_codegen::Config::new()
            .model(path)
            .out_dir(&dir)
            .compile()
        {
            Ok(g) => g,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let includes = generated.files.iter().map(|f| {
            let p = dir.join(&f.name).display().to_string();
            quote!(include!(#p);)
        });
        let m = format_ident!("{}", stem);
        modules.push(quote! {
            pub mod #m {
                #(#includes)*
            }
        });
    }
    let index = quote!(#(#modules)*);
    let file: syn::File = syn::parse2(index).expect("index parses");
    let text = prettyplease::unparse(&file);
    let index_path = out.join("fixtures.rs");
    if std::fs::read_to_string(&index_path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&index_path, text).expect("write fixtures.rs");
    }
}
