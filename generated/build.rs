//! Regenerates the clients from `../models/*.json` whenever a model changes.
//! A bad model fails the build with located diagnostics (`file:line:column`, shape, help).

fn main() {
    anvil_codegen::Config::new()
        .model("../models/mpa.json")
        .model("../models/workspaces-web.json")
        .compile_or_exit();
}
