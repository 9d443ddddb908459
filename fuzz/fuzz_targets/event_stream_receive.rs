//! Arbitrary bytes as the event-stream body of a generated client's output stream (a model
//! with every kind of event member: typed headers, blob, string and structure payloads,
//! implicit payloads, a unit event, a modeled exception): every event must come out as a
//! value or a typed error, never a panic, and the stream must end after an error.
#![no_main]

mod common;

use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/events.rs"));

static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let rt = RT.get_or_init(common::runtime);
    let response = HttpResponse::new(200, data.to_vec())
        .with_header("content-type", "application/vnd.amazon.eventstream")
        .with_header("x-session", "s-1");
    let replay = ReplayClient::new(vec![response]);
    let client = events::Client::new(&common::config(&replay));
    rt.block_on(async {
        let Ok(mut out) = client.subscribe().send().await else {
            panic!("a 200 with an event-stream body is a success");
        };
        // At most one event per 16 bytes (the smallest message) can come out.
        for _ in 0..=data.len() / 16 {
            match out.stream.recv().await {
                Ok(Some(event)) => {
                    let _ = format!("{event:?}");
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = format!("{e} {e:?}");
                    let after = out.stream.recv().await;
                    assert!(matches!(after, Ok(None)), "the stream ends after an error");
                    return;
                }
            }
        }
        panic!("more events than messages can fit in the input");
    });
});
