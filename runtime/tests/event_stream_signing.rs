//! An independent check of event-stream message signing (`AWS4-HMAC-SHA256-PAYLOAD`).
//!
//! A chain of three messages and the end frame is signed in Rust; a Python verifier written
//! from the algorithm's description (the AWS Transcribe streaming documentation), with only
//! `hmac`, `hashlib` and `struct` (botocore has no event-stream signer), decodes each signed
//! frame, recomputes its signature from the prior one and compares. To show the check can
//! fail, the verifier also tries a frame with one payload byte flipped, a wrong secret key and
//! a wrong seed, all of which must be rejected.
//!
//! Needs only `python3`: without it the test is skipped with a message, except under
//! `CI=true`, where it fails.

#[path = "support/python.rs"]
mod python;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anvil_runtime::bytes::Bytes;
use anvil_runtime::codec::event_stream::{HeaderValue, Message, encode};
use anvil_runtime::credentials::Credentials;
use anvil_runtime::event_stream::signing::MessageSigner;
use serde_json::{Value, json};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-west-2";
const SERVICE: &str = "transcribe";
const SEED: &str = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";

/// The Python half: reads `{"secret", "region", "service", "seed", "frames": [hex]}` and
/// prints `{"frames": [{"ok", "date_ms", "signature", "expected", "payload_len"}],
/// "tampered_ok", "wrong_secret_ok", "wrong_seed_ok"}`.
const VERIFIER: &str = r#"
import datetime, hashlib, hmac, json, struct, sys

FIXED = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}


def decode(frame):
    """One event-stream message: (headers as {name: (type, value)}, payload)."""
    total, headers_len = struct.unpack_from(">II", frame, 0)
    assert total == len(frame), (total, len(frame))
    headers, i, end = {}, 12, 12 + headers_len
    while i < end:
        n = frame[i]
        name = frame[i + 1:i + 1 + n].decode("utf-8")
        i += 1 + n
        t = frame[i]
        i += 1
        if t in (0, 1):
            value = t == 0
        elif t in FIXED:
            size = struct.calcsize(FIXED[t])
            (value,) = struct.unpack_from(FIXED[t], frame, i)
            i += size
        elif t in (6, 7):
            (size,) = struct.unpack_from(">H", frame, i)
            value = bytes(frame[i + 2:i + 2 + size])
            i += 2 + size
        elif t == 9:
            value = bytes(frame[i:i + 16])
            i += 16
        else:
            raise ValueError("header type %d" % t)
        headers[name] = (t, value)
    return headers, bytes(frame[end:total - 4])


def hmac_sha256(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def signature(secret, region, service, prior, date_ms, payload):
    when = datetime.datetime.fromtimestamp(date_ms // 1000, datetime.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    scope = "%s/%s/%s/aws4_request" % (day, region, service)
    date_header = struct.pack(">B", 5) + b":date" + struct.pack(">Bq", 8, date_ms)
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256-PAYLOAD",
        amz_date,
        scope,
        prior,
        hashlib.sha256(date_header).hexdigest(),
        hashlib.sha256(payload).hexdigest(),
    ])
    key = ("AWS4" + secret).encode("utf-8")
    for part in (day, region, service, "aws4_request"):
        key = hmac_sha256(key, part.encode("utf-8"))
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(secret, region, service, prior, headers, payload):
    """Whether a signed frame's :chunk-signature is right; (ok, expected, carried)."""
    date_type, date_ms = headers[":date"]
    sig_type, carried = headers[":chunk-signature"]
    assert (date_type, sig_type) == (8, 6), (date_type, sig_type)
    expected = signature(secret, region, service, prior, date_ms, payload)
    return hmac.compare_digest(expected, carried.hex()), expected, carried.hex()


spec = json.load(sys.stdin)
secret, region, service = spec["secret"], spec["region"], spec["service"]
prior = spec["seed"]
out = {"frames": []}
decoded = [decode(bytes.fromhex(f)) for f in spec["frames"]]
for headers, payload in decoded:
    ok, expected, carried = verify(secret, region, service, prior, headers, payload)
    out["frames"].append({
        "ok": ok,
        "date_ms": headers[":date"][1],
        "signature": carried,
        "expected": expected,
        "payload_len": len(payload),
    })
    prior = carried

# The second frame, against the first's signature: a flipped payload bit and a wrong key
# must fail.
headers, payload = decoded[1]
first = decoded[0][0][":chunk-signature"][1].hex()
tampered = bytearray(payload)
tampered[len(tampered) // 2] ^= 0x01
out["tampered_ok"] = verify(secret, region, service, first, headers, bytes(tampered))[0]
out["wrong_secret_ok"] = verify(secret + "x", region, service, first, headers, payload)[0]
# And the first frame against a seed other than the one it was signed from.
out["wrong_seed_ok"] = verify(secret, region, service, "0" * 64, *decoded[0])[0]
print(json.dumps(out))
"#;

fn at(secs: u64, millis: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(secs, millis * 1_000_000)
}

/// An audio event as Transcribe's client sends it, encoded.
fn audio_event(chunk: &[u8]) -> Bytes {
    let s = |v: &str| HeaderValue::String(v.into());
    encode(
        &Message::new(Bytes::copy_from_slice(chunk))
            .with_header(":message-type", s("event"))
            .with_header(":event-type", s("AudioEvent"))
            .with_header(":content-type", s("application/octet-stream")),
    )
    .expect("the event encodes")
}

fn signature(message: &Message) -> String {
    match message.header(":chunk-signature") {
        Some(HeaderValue::ByteArray(b)) => b.iter().map(|x| format!("{x:02x}")).collect(),
        other => panic!("no :chunk-signature header: {other:?}"),
    }
}

#[test]
fn signed_chain_verifies_in_python() {
    if !python::available(
        "signed_chain_verifies_in_python",
        "import datetime, hashlib, hmac, json, struct",
        "python3 is not available",
        true,
    ) {
        return;
    }
    let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some("a-session-token".into()));
    let mut signer = MessageSigner::new(credentials, REGION, SERVICE, SEED);
    // Sub-second times (truncated, not rounded), and a day boundary between the second and
    // the third message, so the signing key and scope change mid-stream.
    let times = [
        at(1_700_006_398, 500),
        at(1_700_006_399, 999),
        at(1_700_006_400, 250),
        at(1_700_006_401, 0),
    ];
    let inner = [
        audio_event(b"\x00\x01\x02 first chunk"),
        audio_event(&[0x5a; 10_000]),
        audio_event(b"third"),
    ];
    let mut signed = Vec::new();
    let mut chain = vec![signer.prior_signature().to_owned()];
    for (message, time) in inner.iter().zip(times) {
        signed.push(signer.sign(message, time).expect("signs"));
        chain.push(signer.prior_signature().to_owned());
    }
    signed.push(signer.sign_end(times[3]).expect("signs the end frame"));
    chain.push(signer.prior_signature().to_owned());

    let frames: Vec<String> = signed
        .iter()
        .map(|m| {
            encode(m)
                .expect("the signed frame encodes")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect();
    let input = json!({
        "secret": SECRET,
        "region": REGION,
        "service": SERVICE,
        "seed": SEED,
        "frames": frames,
    });
    let out = python::run_json(VERIFIER, &[], &input.to_string());
    let checked = out["frames"].as_array().expect("frames");
    assert_eq!(checked.len(), 4, "{out}");
    for (i, frame) in checked.iter().enumerate() {
        assert_eq!(frame["ok"], Value::Bool(true), "frame {i}: {frame}");
        assert_eq!(frame["signature"], json!(chain[i + 1]), "frame {i}");
        assert_eq!(signature(&signed[i]), chain[i + 1], "frame {i}");
        let secs = times[i]
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        assert_eq!(frame["date_ms"], json!(secs * 1000), "frame {i}: truncated");
    }
    let payload_lens: Vec<u64> = checked
        .iter()
        .map(|f| f["payload_len"].as_u64().expect("a length"))
        .collect();
    let expected_lens: Vec<u64> = inner.iter().map(|m| m.len() as u64).chain([0]).collect();
    assert_eq!(payload_lens, expected_lens);
    // The chain's links are all distinct, and the verifier can say no.
    for w in chain.windows(2) {
        assert_ne!(w[0], w[1]);
    }
    assert_eq!(out["tampered_ok"], Value::Bool(false), "{out}");
    assert_eq!(out["wrong_secret_ok"], Value::Bool(false), "{out}");
    assert_eq!(out["wrong_seed_ok"], Value::Bool(false), "{out}");
}
