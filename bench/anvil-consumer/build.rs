//! Generates the WorkSpaces Web client from the full official model (75 operations), or with
//! the `one-op` feature only `CreateIdentityProvider` and the shapes it reaches.

fn main() {
    let model = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/aws-models/workspaces-web-2020-07-08.json"
    );
    let mut config = anvil_codegen::Config::new().model(model);
    if std::env::var_os("CARGO_FEATURE_ONE_OP").is_some() {
        config = config.operations(["CreateIdentityProvider"]);
    }
    config.compile_or_exit();
}
