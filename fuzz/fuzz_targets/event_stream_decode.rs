//! Arbitrary bytes fed in arbitrary chunk sizes to the event stream decoder: it must return
//! messages or an error, never panic; the messages must not depend on how the bytes were
//! chunked, and each must encode again and decode back to itself.
//!
//! Input layout: the first byte `n` (mod 16) counts the chunk-size bytes that follow (each
//! size is that byte plus one, used in turn); the rest is the stream.
#![no_main]

use anvil_runtime::codec::event_stream::{
    EventStreamError, Message, MessageDecoder, decode_one, encode,
};
use libfuzzer_sys::fuzz_target;

/// Feeds `stream` in chunks of `sizes` (cycled), collecting messages up to the first error.
fn decode(stream: &[u8], sizes: &[u8]) -> (Vec<Message>, Option<EventStreamError>) {
    let mut decoder = MessageDecoder::new();
    let mut messages = Vec::new();
    let mut rest = stream;
    let mut sizes = sizes.iter().map(|&s| usize::from(s) + 1).cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        decoder.push(chunk);
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => messages.push(m),
                Ok(None) => break,
                Err(e) => return (messages, Some(e)),
            }
        }
    }
    (messages, decoder.finish().err())
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (sizes, stream) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let chunked = decode(stream, sizes);
    let whole = decode(stream, &[]);
    assert_eq!(chunked, whole, "the result depends on the chunking");
    for message in &chunked.0 {
        let bytes = encode(message).expect("a decoded message encodes");
        assert_eq!(
            decode_one(&bytes).as_ref(),
            Ok(message),
            "re-encoding changed the message"
        );
    }
});
