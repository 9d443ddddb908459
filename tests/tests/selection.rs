//! Generating only what is used: `.operations([...])` keeps the chosen operations and the
//! shapes they reach, and refuses names the service does not have.

use std::path::Path;

use anvil_codegen::{Config, ModelSource};

fn official_workspaces_web() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/aws-models/workspaces-web-2020-07-08.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn only_the_selected_operations_and_their_shapes_are_generated() {
    let text = official_workspaces_web();
    let source = [ModelSource {
        name: "workspaces-web.json",
        text: &text,
    }];
    let full = Config::new().generate(&source).unwrap().files;
    let one = Config::new()
        .operations(["CreateIdentityProvider"])
        .generate(&source)
        .unwrap()
        .files;
    let full = &full[0].contents;
    let one = &one[0].contents;
    assert!(one.contains("pub fn create_identity_provider(&self)"));
    assert!(
        !one.contains("pub fn list_portals(&self)"),
        "other operations are left out"
    );
    assert!(
        !one.contains("pub struct BrowserSettings "),
        "unreached shapes are left out"
    );
    assert!(one.contains("pub struct Tag "), "reached shapes stay");
    assert!(
        one.len() * 10 < full.len(),
        "one operation of 75 is a small fraction: {} vs {} bytes",
        one.len(),
        full.len()
    );
}

#[test]
fn an_unknown_operation_name_is_an_error_listing_the_real_ones() {
    let text = official_workspaces_web();
    let err = Config::new()
        .operations(["CreateIdentityProviderz"])
        .generate(&[ModelSource {
            name: "workspaces-web.json",
            text: &text,
        }])
        .expect_err("unknown operation");
    let text = err.to_string();
    assert!(text.contains("CreateIdentityProviderz"), "{text}");
    assert!(
        text.contains("CreateIdentityProvider,"),
        "lists the real ones: {text}"
    );
}
