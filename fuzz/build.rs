//! Generates the client of `models/events.json` for the `event_stream_receive` target.

fn main() {
    anvil_codegen::Config::new()
        .model("models/events.json")
        .compile_or_exit();
}
