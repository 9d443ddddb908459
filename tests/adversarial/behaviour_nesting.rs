//! Behaviour of the code generated from tests/adversarial/nesting.json cut to 50 nested
//! structures (the generator refuses the full 200), built on its own by
//! tests/tests/adversarial.rs.

use anvil_adversarial_generated::*;
use anvil_runtime::http::HttpResponse;
use anvil_runtime::http::test::ReplayClient;
use anvil_runtime::serde_json::{self, Value};
use anvil_runtime::{Config, SdkError};
use std::future::Future;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future did not complete");
}

fn config(replay: &ReplayClient) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .http_client(replay.clone())
        .max_attempts(1)
        .build()
}

fn sent_json(replay: &ReplayClient) -> Value {
    let sent = replay.requests();
    let last = sent.last().expect("a request was sent");
    serde_json::from_slice(&last.body).expect("request body is JSON")
}

/// `{"depth":0,"next":{"depth":1,…}}` down to `levels` levels.
fn nested(levels: usize) -> String {
    let mut s = String::new();
    for i in 0..levels {
        if i > 0 {
            s.push_str(",\"next\":");
        }
        s.push_str(&format!("{{\"depth\":{i}"));
    }
    s.push_str(&"}".repeat(levels));
    s
}

#[test]
fn fifty_nested_structures_deserialize_and_serialize() {
    for levels in [1, 25, 50] {
        let body = nested(levels);
        let replay = ReplayClient::new(vec![HttpResponse::new(200, body.clone())]);
        let client = nestingservice::Client::new(&config(&replay));
        let out = block_on(client.deep().send());
        match out {
            Ok(out) => {
                let text = format!("{out:?}");
                assert_eq!(
                    text.matches("depth: Some(").count(),
                    levels,
                    "{levels} levels parsed"
                );
                // And back: the parsed value serializes to the same JSON.
                let again = ReplayClient::new(vec![HttpResponse::new(200, "{}")]);
                let mut call = nestingservice::Client::new(&config(&again)).deep();
                if let Some(d) = out.depth {
                    call = call.depth(d);
                }
                if let Some(n) = out.next.clone() {
                    call = call.next(n);
                }
                block_on(call.send()).expect("send");
                let expected: Value = serde_json::from_str(&body).expect("JSON");
                assert_eq!(sent_json(&again), expected, "{levels} levels");
            }
            Err(SdkError::Response(e)) => {
                // JSON deeper than the reader's nesting limit is refused, typed.
                assert!(levels > 100, "{levels} levels refused: {e}");
            }
            Err(e) => panic!("{levels} levels: {e:?}"),
        }
    }
}
