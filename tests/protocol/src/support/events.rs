//! What the generated `smithy.test#eventStreamTests` cases call: the messages a case
//! describes, checked against the frames a client sent, and turned into a response body.

use anvil_runtime::codec::event_stream::{HeaderValue, Message, MessageDecoder, encode};
use anvil_runtime::{Blob, DateTime, TimestampFormat};
use serde_json::Value;

/// A typed event header value, as a case writes it (`{"integer": 3}`).
#[derive(Clone, Copy, Debug)]
pub enum Header {
    /// `boolean`
    Bool(bool),
    /// `byte`
    Byte(i8),
    /// `short`
    Short(i16),
    /// `integer`
    Integer(i32),
    /// `long`
    Long(i64),
    /// `blob`: base64.
    Blob(&'static str),
    /// `string`
    String(&'static str),
    /// `timestamp`: RFC 3339.
    Timestamp(&'static str),
}

impl Header {
    /// The wire value.
    fn value(self) -> Result<HeaderValue, String> {
        Ok(match self {
            Header::Bool(b) => HeaderValue::Bool(b),
            Header::Byte(v) => HeaderValue::Byte(v),
            Header::Short(v) => HeaderValue::Short(v),
            Header::Integer(v) => HeaderValue::Integer(v),
            Header::Long(v) => HeaderValue::Long(v),
            Header::Blob(b) => HeaderValue::ByteArray(base64(b)?.into()),
            Header::String(s) => HeaderValue::String(s.to_owned()),
            Header::Timestamp(t) => HeaderValue::Timestamp(
                DateTime::parse(TimestampFormat::DateTime, t)
                    .map_err(|e| format!("the case's timestamp {t:?}: {e}"))?,
            ),
        })
    }
}

/// One event of a case: what its message must carry (sent events) or is made of
/// (received events).
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// Headers that must have exactly these typed values (others are allowed).
    pub headers: &'static [(&'static str, Header)],
    /// Headers that must be absent.
    pub forbid_headers: &'static [&'static str],
    /// Headers that must be present.
    pub require_headers: &'static [&'static str],
    /// The payload, when the case gives one.
    pub body: Option<&'static str>,
    /// The payload's media type: JSON payloads are compared as JSON.
    pub media_type: Option<&'static str>,
    /// The whole message, base64.
    pub bytes: Option<&'static str>,
}

fn base64(text: &str) -> Result<Vec<u8>, String> {
    Blob::from_base64(text)
        .map(Blob::into_inner)
        .map_err(|e| format!("the case's base64 {text:?}: {e}"))
}

/// The messages of an event-stream body, through the runtime's decoder (CRCs checked).
pub fn decode_all(body: &[u8]) -> Result<Vec<Message>, String> {
    let mut decoder = MessageDecoder::new();
    decoder.push(body);
    let mut out = Vec::new();
    while let Some(m) = decoder.next_message().map_err(|e| e.to_string())? {
        out.push(m);
    }
    decoder.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The response body of `events`: each event's `bytes`, or its message encoded from its
/// headers and body when the case gives no bytes.
pub fn response_body(events: &[Expected]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for event in events {
        match event.bytes {
            Some(b) => out.extend(base64(b)?),
            None => {
                let mut message = Message::new(event.body.unwrap_or_default().as_bytes().to_vec());
                for (name, value) in event.headers {
                    message = message.with_header(*name, value.value()?);
                }
                out.extend_from_slice(&encode(&message).map_err(|e| e.to_string())?);
            }
        }
    }
    Ok(out)
}

/// Checks the event-stream request `body` against the case's request events, message by
/// message; the error lists every difference.
pub fn check_sent(body: &[u8], want: &[Expected]) -> Result<(), String> {
    let got = decode_all(body).map_err(|e| format!("the request body does not decode: {e}"))?;
    if got.len() != want.len() {
        return Err(format!(
            "{} messages sent (want {}): {got:?}",
            got.len(),
            want.len()
        ));
    }
    let mut problems = Vec::new();
    for (i, (got, want)) in got.iter().zip(want).enumerate() {
        if let Err(e) = check_message(got, want) {
            problems.push(format!("message {i}: {}", e.replace('\n', "\n  ")));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Checks one sent message: headers, payload and bytes.
fn check_message(got: &Message, want: &Expected) -> Result<(), String> {
    let mut problems = Vec::new();
    for (name, value) in want.headers {
        let value = value.value()?;
        match got.header(name) {
            None => problems.push(format!("header {name} missing (want {value:?})")),
            Some(v) if *v != value => {
                problems.push(format!("header {name}: {v:?} (want {value:?})"));
            }
            Some(_) => {}
        }
    }
    for name in want.forbid_headers {
        if got.header(name).is_some() {
            problems.push(format!("header {name} is forbidden"));
        }
    }
    for name in want.require_headers {
        if got.header(name).is_none() {
            problems.push(format!("header {name} is required"));
        }
    }
    if let Some(body) = want.body
        && let Err(e) = check_payload(&got.payload, body.as_bytes(), want.media_type)
    {
        problems.push(e);
    }
    if let Some(bytes) = want.bytes
        && let Err(e) = check_bytes(got, &base64(bytes)?)
    {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// A payload: as JSON values for a JSON media type, else byte for byte.
fn check_payload(got: &[u8], want: &[u8], media_type: Option<&str>) -> Result<(), String> {
    let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let json = media_type.is_some_and(|m| m.contains("json"));
    let same = if json {
        let parse = |b: &[u8]| serde_json::from_slice::<Value>(b).ok();
        match (parse(got), parse(want)) {
            (Some(g), Some(w)) => super::json_eq(&g, &w),
            _ => false,
        }
    } else {
        got == want
    };
    if same {
        Ok(())
    } else {
        Err(format!("payload {:?} (want {:?})", show(got), show(want)))
    }
}

/// The whole message against the case's `bytes`: the same frame, byte for byte, or the same
/// headers in another order (the format gives headers no order, and the trait says `bytes`
/// is not reliable for that) with the same payload (as JSON for a JSON `:content-type`).
fn check_bytes(got: &Message, want: &[u8]) -> Result<(), String> {
    let encoded = encode(got).map_err(|e| e.to_string())?;
    if encoded.as_ref() == want {
        return Ok(());
    }
    let differ = || {
        format!(
            "bytes {} (want {})",
            Blob::new(encoded.to_vec()).to_base64(),
            Blob::new(want.to_vec()).to_base64()
        )
    };
    let mut want_messages = decode_all(want).map_err(|e| format!("the case's bytes: {e}"))?;
    let Some(want_message) = want_messages.pop().filter(|_| want_messages.is_empty()) else {
        return Err(format!(
            "the case's bytes are not one message; {}",
            differ()
        ));
    };
    let sorted = |m: &Message| {
        let mut h: Vec<String> = m.headers.iter().map(|h| format!("{h:?}")).collect();
        h.sort();
        h
    };
    let payload = check_payload(&got.payload, &want_message.payload, got.content_type());
    if sorted(got) == sorted(&want_message) && payload.is_ok() {
        Ok(())
    } else {
        Err(differ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADERS: &[(&str, Header)] = &[
        (":message-type", Header::String("event")),
        ("n", Header::Integer(3)),
        ("b", Header::Blob("Zm9v")),
        ("t", Header::Timestamp("2024-10-31T14:15:14Z")),
    ];

    fn expected(headers: &'static [(&'static str, Header)]) -> Expected {
        Expected {
            headers,
            forbid_headers: &[],
            require_headers: &[],
            body: Some(r#"{"a": 1}"#),
            media_type: Some("application/json"),
            bytes: None,
        }
    }

    /// A message with `headers` (in that order) and a JSON payload.
    fn frame(headers: &[(&str, Header)], payload: &str) -> Vec<u8> {
        let mut m = Message::new(payload.as_bytes().to_vec());
        for (name, h) in headers {
            m = m.with_header(*name, h.value().unwrap_or(HeaderValue::Bool(false)));
        }
        encode(&m).map(|b| b.to_vec()).unwrap_or_default()
    }

    #[test]
    fn sent_messages_match_typed_headers_and_json_payloads() {
        let body = frame(HEADERS, r#"{"a":1.0}"#);
        assert_eq!(check_sent(&body, &[expected(HEADERS)]), Ok(()));
        // Another integer width is another header type.
        assert!(check_sent(&body, &[expected(&[("n", Header::Long(3))])]).is_err());
        let other = frame(HEADERS, r#"{"a":2}"#);
        assert!(check_sent(&other, &[expected(HEADERS)]).is_err());
        assert!(check_sent(&body, &[expected(HEADERS), expected(HEADERS)]).is_err());
        let forbid = Expected {
            forbid_headers: &["n"],
            ..expected(&[])
        };
        assert!(check_sent(&body, &[forbid]).is_err());
    }

    #[test]
    fn bytes_match_exactly_or_up_to_header_order() {
        let body = frame(HEADERS, "{}");
        let mut reordered = HEADERS.to_vec();
        reordered.reverse();
        let with_bytes = |bytes: Vec<u8>| -> Result<(), String> {
            let b64: &'static str = Box::leak(Blob::new(bytes).to_base64().into_boxed_str());
            let want = Expected {
                body: None,
                bytes: Some(b64),
                ..expected(&[])
            };
            check_sent(&body, &[want])
        };
        assert_eq!(with_bytes(body.clone()), Ok(()));
        assert_eq!(with_bytes(frame(&reordered, "{}")), Ok(()));
        assert!(with_bytes(frame(&HEADERS[1..], "{}")).is_err());
        assert!(with_bytes(frame(HEADERS, "{ }x")).is_err());
    }

    #[test]
    fn response_bodies_are_the_bytes_or_encoded_events() {
        let b64: &'static str =
            Box::leak(Blob::new(frame(HEADERS, "{}")).to_base64().into_boxed_str());
        let given = Expected {
            bytes: Some(b64),
            ..expected(&[])
        };
        let built = Expected {
            body: Some("{}"),
            ..expected(HEADERS)
        };
        let one = response_body(&[given]).unwrap_or_default();
        assert_eq!(response_body(&[built]).unwrap_or_default(), one);
        let two = response_body(&[given, built]).unwrap_or_default();
        assert_eq!(decode_all(&two).map(|m| m.len()), Ok(2));
    }
}
