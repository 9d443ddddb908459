//! An independent oracle for the `application/vnd.amazon.eventstream` framing, in both
//! directions:
//!
//! - messages written by our encoder (every header type, several per stream) are read by
//!   botocore's `EventStreamBuffer`, and botocore's headers and payloads must match;
//! - botocore has no encoder, so a small one in the Python script below (`struct.pack` and
//!   `binascii.crc32`) writes the same messages: the bytes must equal ours and our decoder
//!   must read them back; frames with a corrupted prelude or message CRC must be rejected by
//!   botocore and by our decoder.
//!
//! Needs `python3` with botocore. Without them the test is skipped with a message, except
//! under `CI=true`, where it fails.

#[path = "support/python.rs"]
mod python;

use anvil_runtime::DateTime;
use anvil_runtime::bytes::Bytes;
use anvil_runtime::codec::event_stream::{
    EventStreamError, HeaderValue, Message, MessageDecoder, decode_one, encode,
};
use serde_json::{Value, json};

/// The Python half. `decode` reads a JSON list of hex streams and prints, for each, the
/// messages botocore reads from it (`{"headers": {name: value}, "payload": hex}`, bytes as
/// `{"bytes": hex}`). `encode` reads a JSON list of message specs (`{"headers": [[name,
/// type, value]], "payload": hex}`) and prints `{"frames": [hex], "corrupt": [hex]}`, the
/// corrupted frames having been checked to be rejected by botocore.
const ORACLE: &str = r#"
import binascii, json, struct, sys
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer


def plain(v):
    return {"bytes": v.hex()} if isinstance(v, (bytes, bytearray)) else v


def decode(stream):
    buf = EventStreamBuffer()
    buf.add_data(bytes.fromhex(stream))
    out = []
    for m in buf:
        out.append({
            "headers": {k: plain(v) for k, v in m.headers.items()},
            "payload": bytes(m.payload).hex(),
        })
    return out


FIXED = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}


def header(name, t, v):
    n = name.encode("utf-8")
    out = struct.pack(">B", len(n)) + n + struct.pack(">B", t)
    if t in FIXED:
        out += struct.pack(FIXED[t], v)
    elif t == 6:
        b = bytes.fromhex(v)
        out += struct.pack(">H", len(b)) + b
    elif t == 7:
        b = v.encode("utf-8")
        out += struct.pack(">H", len(b)) + b
    elif t == 9:
        b = bytes.fromhex(v)
        assert len(b) == 16
        out += b
    else:
        assert t in (0, 1)
    return out


def crc(b):
    return binascii.crc32(b) & 0xFFFFFFFF


def frame(spec):
    h = b"".join(header(*x) for x in spec["headers"])
    payload = bytes.fromhex(spec["payload"])
    p = struct.pack(">II", 16 + len(h) + len(payload), len(h))
    body = p + struct.pack(">I", crc(p)) + h + payload
    return body + struct.pack(">I", crc(body))


def rejected(data):
    buf = EventStreamBuffer()
    buf.add_data(data)
    try:
        list(buf)
    except ChecksumMismatch:
        return True
    return False


def encode(specs):
    frames = [frame(s) for s in specs]
    corrupt = []
    for f in frames:
        for at in (5, len(f) - 1):
            bad = bytearray(f)
            bad[at] ^= 0x01
            assert rejected(bytes(bad)), "botocore accepted a corrupted frame"
            corrupt.append(bytes(bad).hex())
    return {"frames": [f.hex() for f in frames], "corrupt": corrupt}


cases = json.load(sys.stdin)
if sys.argv[1] == "decode":
    print(json.dumps([decode(s) for s in cases]))
else:
    print(json.dumps(encode(cases)))
"#;

/// Whether `python3` can import botocore's event stream parser. When it cannot, says why and
/// returns `false`, except under `CI=true`, which fails the test.
fn botocore_ready() -> bool {
    python::available(
        "event_stream_oracle",
        "import binascii, json, struct, botocore.eventstream",
        "python3 with botocore is not available",
        true,
    )
}

/// Runs the oracle in `mode` with `input` (JSON) on stdin.
fn oracle(mode: &str, input: &Value) -> Value {
    python::run_json(ORACLE, &[mode], &input.to_string())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn millis(t: &DateTime) -> i64 {
    t.secs() * 1000 + i64::from(t.subsec_nanos() / 1_000_000)
}

/// The messages compared: every header type, edge values, empty and larger payloads.
fn messages() -> Vec<Message> {
    let s = |v: &str| HeaderValue::String(v.into());
    let every = Message::new(&b"{\"records\":[1,2,3]}"[..])
        .with_header(":message-type", s("event"))
        .with_header(":event-type", s("Records"))
        .with_header(":content-type", s("application/json"))
        .with_header("true", HeaderValue::Bool(true))
        .with_header("false", HeaderValue::Bool(false))
        .with_header("byte", HeaderValue::Byte(-128))
        .with_header("short", HeaderValue::Short(i16::MAX))
        .with_header("integer", HeaderValue::Integer(-123_456_789))
        .with_header("long", HeaderValue::Long(i64::MIN))
        .with_header(
            "bytes",
            HeaderValue::ByteArray(Bytes::from_static(b"\0\x01\x80\xff")),
        )
        .with_header("string", s("ünïcödé ✓"))
        .with_header(
            "timestamp",
            HeaderValue::Timestamp(DateTime::from_secs_and_nanos(1_700_000_000, 123_000_000)),
        )
        .with_header(
            "uuid",
            HeaderValue::Uuid(*b"\x12\x34\x56\x78\x9a\xbc\xde\xf0\x0f\xed\xcb\xa9\x87\x65\x43\x21"),
        );
    let exception = Message::new(&b"{\"message\":\"slow down\"}"[..])
        .with_header(":message-type", s("exception"))
        .with_header(":exception-type", s("ThrottlingException"));
    let error = Message::default()
        .with_header(":message-type", s("error"))
        .with_header(":error-code", s("InternalFailure"))
        .with_header(":error-message", s("An internal error occurred"));
    let big = Message::new((0..70_000u32).map(|i| (i * 31) as u8).collect::<Vec<_>>())
        .with_header("empty-bytes", HeaderValue::ByteArray(Bytes::new()))
        .with_header("empty-string", s(""))
        .with_header("n".repeat(255), HeaderValue::Long(0))
        .with_header("long-string", s(&"x".repeat(65_535)));
    vec![every, exception, error, Message::default(), big]
}

/// What botocore reports for a header value.
fn botocore_value(v: &HeaderValue) -> Value {
    match v {
        HeaderValue::Bool(b) => json!(b),
        HeaderValue::Byte(n) => json!(n),
        HeaderValue::Short(n) => json!(n),
        HeaderValue::Integer(n) => json!(n),
        HeaderValue::Long(n) => json!(n),
        HeaderValue::ByteArray(b) => json!({"bytes": to_hex(b)}),
        HeaderValue::String(s) => json!(s),
        HeaderValue::Timestamp(t) => json!(millis(t)),
        HeaderValue::Uuid(u) => json!({"bytes": to_hex(u)}),
    }
}

/// A header as the Python encoder's `[name, type, value]`.
fn spec_header(name: &str, v: &HeaderValue) -> Value {
    let value = match v {
        HeaderValue::Bool(_) => Value::Null,
        HeaderValue::ByteArray(b) => json!(to_hex(b)),
        HeaderValue::Uuid(u) => json!(to_hex(u)),
        other => botocore_value(other),
    };
    json!([name, v.type_id(), value])
}

#[test]
fn botocore_reads_our_messages() {
    if !botocore_ready() {
        return;
    }
    let messages = messages();
    let stream: Vec<u8> = messages.iter().flat_map(|m| encode(m).unwrap()).collect();
    let singles: Vec<Value> = messages
        .iter()
        .map(|m| json!(to_hex(&encode(m).unwrap())))
        .collect();
    let mut input = vec![json!(to_hex(&stream))];
    input.extend(singles);
    let python = oracle("decode", &Value::Array(input));
    let python = python.as_array().expect("a list");
    let expected: Vec<Value> = messages
        .iter()
        .map(|m| {
            let headers: serde_json::Map<String, Value> = m
                .headers
                .iter()
                .map(|h| (h.name.clone(), botocore_value(&h.value)))
                .collect();
            json!({"headers": headers, "payload": to_hex(&m.payload)})
        })
        .collect();
    assert_eq!(
        python[0],
        Value::Array(expected.clone()),
        "the whole stream"
    );
    for (i, m) in expected.iter().enumerate() {
        assert_eq!(python[i + 1], json!([m]), "message {i}");
    }
}

#[test]
fn we_read_an_independent_encoders_messages() {
    if !botocore_ready() {
        return;
    }
    let messages = messages();
    let specs: Vec<Value> = messages
        .iter()
        .map(|m| {
            let headers: Vec<Value> = m
                .headers
                .iter()
                .map(|h| spec_header(&h.name, &h.value))
                .collect();
            json!({"headers": headers, "payload": to_hex(&m.payload)})
        })
        .collect();
    let python = oracle("encode", &Value::Array(specs));
    let frames = python["frames"].as_array().expect("frames");
    assert_eq!(frames.len(), messages.len());
    let mut stream = Vec::new();
    for (frame, message) in frames.iter().zip(&messages) {
        let bytes = from_hex(frame.as_str().unwrap());
        assert_eq!(decode_one(&bytes).as_ref(), Ok(message));
        assert_eq!(encode(message).unwrap()[..], bytes[..], "byte for byte");
        stream.extend(bytes);
    }
    // The whole stream, in uneven chunks.
    let mut decoder = MessageDecoder::new();
    let mut out = Vec::new();
    for chunk in stream.chunks(977) {
        decoder.push(chunk);
        while let Some(m) = decoder.next_message().unwrap() {
            out.push(m);
        }
    }
    assert_eq!(out, messages);
    assert_eq!(decoder.finish(), Ok(()));

    let corrupt = python["corrupt"].as_array().expect("corrupt");
    assert_eq!(corrupt.len(), 2 * messages.len());
    for (i, frame) in corrupt.iter().enumerate() {
        let bytes = from_hex(frame.as_str().unwrap());
        let err = decode_one(&bytes).unwrap_err();
        if i % 2 == 0 {
            assert!(
                matches!(err, EventStreamError::PreludeCrcMismatch { .. }),
                "{err}"
            );
        } else {
            assert!(
                matches!(err, EventStreamError::MessageCrcMismatch { .. }),
                "{err}"
            );
        }
    }
}
