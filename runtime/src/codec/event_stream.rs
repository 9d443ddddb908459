//! The `application/vnd.amazon.eventstream` framing: the binary messages AWS event streams
//! carry (one event, exception or error each), independent of any protocol or transport.
//!
//! A message is a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes),
//! the headers (name length `u8`, name, type `u8`, value), the payload, and a CRC32 of
//! everything before it. All integers are big-endian; the CRC is CRC-32/ISO-HDLC
//! ([`crate::checksum::crc32`]).
//!
//! - [`encode`] writes a [`Message`], refusing one the format or its limits cannot carry.
//! - [`MessageDecoder`] reads messages from bytes pushed in chunks of any size;
//!   [`decode_one`] reads a buffer holding exactly one message.
//!
//! Limits follow the AWS SDKs: a message is 16 bytes to 16 MiB, its headers at most 128 KiB,
//! a header name at most 255 bytes. The prelude's CRC is checked before its lengths are
//! trusted, and the lengths are checked before anything is reserved for the message, so no
//! input makes the decoder panic or allocate beyond those limits.

use std::fmt;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::checksum::crc32;
use crate::datetime::DateTime;

/// The largest message (prelude, headers, payload and CRC): 16 MiB.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;
/// The largest headers section: 128 KiB.
pub const MAX_HEADERS_LEN: usize = 128 * 1024;
/// The longest header name, in bytes.
pub const MAX_HEADER_NAME_LEN: usize = 255;
/// The smallest message: a prelude and a message CRC, with no headers and no payload.
pub const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + CRC_LEN;

const PRELUDE_LEN: usize = 12;
const CRC_LEN: usize = 4;

/// One event stream message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// The headers, in wire order (duplicates are kept).
    pub headers: Vec<Header>,
    /// The payload.
    pub payload: Bytes,
}

/// A named, typed header of a [`Message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The header's name (at most 255 bytes of UTF-8).
    pub name: String,
    /// The header's value.
    pub value: HeaderValue,
}

/// The value of a header: one of the ten wire types (the type byte is in parentheses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderValue {
    /// A boolean: `true` (0) or `false` (1); the type byte is the value.
    Bool(bool),
    /// A signed byte (2).
    Byte(i8),
    /// A 16-bit integer (3).
    Short(i16),
    /// A 32-bit integer (4).
    Integer(i32),
    /// A 64-bit integer (5).
    Long(i64),
    /// Bytes, at most 65535 (6).
    ByteArray(Bytes),
    /// UTF-8 text, at most 65535 bytes (7).
    String(String),
    /// Milliseconds since the epoch (8); [`encode`] drops any sub-millisecond part.
    Timestamp(DateTime),
    /// A UUID's 16 bytes (9).
    Uuid([u8; 16]),
}

/// The kind of a message, from its `:message-type` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    /// `event`: a modeled event (`:event-type` names it).
    Event,
    /// `exception`: a modeled error (`:exception-type` names it).
    Exception,
    /// `error`: an unmodeled error (`:error-code`, `:error-message`).
    Error,
}

/// Why a message could not be encoded or decoded. Carries lengths and CRCs, never message
/// content.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventStreamError {
    /// The prelude's CRC does not match its first 8 bytes.
    PreludeCrcMismatch {
        /// The CRC the prelude carries.
        expected: u32,
        /// The CRC computed over the prelude.
        computed: u32,
    },
    /// The message CRC does not match the bytes before it.
    MessageCrcMismatch {
        /// The CRC the message carries.
        expected: u32,
        /// The CRC computed over the message.
        computed: u32,
    },
    /// The input ended inside a message.
    Truncated {
        /// The bytes the message needs (the prelude's, while it is incomplete).
        needed: usize,
        /// The bytes available.
        available: usize,
    },
    /// Bytes follow the one message [`decode_one`] expected.
    TrailingBytes {
        /// How many.
        len: usize,
    },
    /// A declared or encoded message length above [`MAX_MESSAGE_LEN`].
    MessageTooLarge {
        /// The length.
        len: usize,
    },
    /// A declared message length below [`MIN_MESSAGE_LEN`].
    MessageTooSmall {
        /// The length.
        len: usize,
    },
    /// A declared or encoded headers length above [`MAX_HEADERS_LEN`].
    HeadersTooLarge {
        /// The length.
        len: usize,
    },
    /// The declared headers length does not fit in the declared message length.
    HeadersLengthOverflow {
        /// The headers length.
        headers_len: usize,
        /// The message length.
        message_len: usize,
    },
    /// A header runs past the end of the headers section.
    HeaderOverrun,
    /// A header type byte outside `0..=9`.
    BadHeaderType {
        /// The type byte.
        type_id: u8,
    },
    /// A header name or string value that is not UTF-8.
    BadUtf8,
    /// A header name longer than [`MAX_HEADER_NAME_LEN`] (encoding only).
    HeaderNameTooLong {
        /// Its length.
        len: usize,
    },
    /// A byte array or string header value longer than 65535 bytes (encoding only).
    HeaderValueTooLong {
        /// Its length.
        len: usize,
    },
    /// A timestamp header whose milliseconds do not fit in an `i64` (encoding only).
    TimestampOutOfRange,
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EventStreamError as E;
        match self {
            E::PreludeCrcMismatch { expected, computed } => write!(
                f,
                "event stream prelude CRC mismatch: expected {expected:#010x}, computed {computed:#010x}"
            ),
            E::MessageCrcMismatch { expected, computed } => write!(
                f,
                "event stream message CRC mismatch: expected {expected:#010x}, computed {computed:#010x}"
            ),
            E::Truncated { needed, available } => write!(
                f,
                "truncated event stream message: {available} of {needed} bytes"
            ),
            E::TrailingBytes { len } => write!(f, "{len} bytes after the event stream message"),
            E::MessageTooLarge { len } => write!(
                f,
                "event stream message of {len} bytes exceeds the maximum of {MAX_MESSAGE_LEN}"
            ),
            E::MessageTooSmall { len } => write!(
                f,
                "event stream message of {len} bytes is below the minimum of {MIN_MESSAGE_LEN}"
            ),
            E::HeadersTooLarge { len } => write!(
                f,
                "event stream headers of {len} bytes exceed the maximum of {MAX_HEADERS_LEN}"
            ),
            E::HeadersLengthOverflow {
                headers_len,
                message_len,
            } => write!(
                f,
                "event stream headers of {headers_len} bytes do not fit in a message of {message_len}"
            ),
            E::HeaderOverrun => f.write_str("event stream header runs past the headers section"),
            E::BadHeaderType { type_id } => write!(f, "unknown event stream header type {type_id}"),
            E::BadUtf8 => f.write_str("event stream header name or string is not UTF-8"),
            E::HeaderNameTooLong { len } => write!(
                f,
                "event stream header name of {len} bytes exceeds the maximum of {MAX_HEADER_NAME_LEN}"
            ),
            E::HeaderValueTooLong { len } => write!(
                f,
                "event stream header value of {len} bytes exceeds the maximum of 65535"
            ),
            E::TimestampOutOfRange => {
                f.write_str("event stream timestamp header out of the i64 milliseconds range")
            }
        }
    }
}

impl std::error::Error for EventStreamError {}

impl Header {
    /// A header named `name`.
    pub fn new(name: impl Into<String>, value: HeaderValue) -> Self {
        Header {
            name: name.into(),
            value,
        }
    }
}

impl HeaderValue {
    /// The wire type byte.
    pub fn type_id(&self) -> u8 {
        match self {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Short(_) => 3,
            HeaderValue::Integer(_) => 4,
            HeaderValue::Long(_) => 5,
            HeaderValue::ByteArray(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The length of a byte array or string value.
    fn variable_len(&self) -> Option<usize> {
        match self {
            HeaderValue::ByteArray(b) => Some(b.len()),
            HeaderValue::String(s) => Some(s.len()),
            _ => None,
        }
    }

    /// The encoded length of the value (without the type byte).
    fn encoded_len(&self) -> usize {
        match self {
            HeaderValue::Bool(_) => 0,
            HeaderValue::Byte(_) => 1,
            HeaderValue::Short(_) => 2,
            HeaderValue::Integer(_) => 4,
            HeaderValue::Long(_) | HeaderValue::Timestamp(_) => 8,
            HeaderValue::ByteArray(b) => 2 + b.len(),
            HeaderValue::String(s) => 2 + s.len(),
            HeaderValue::Uuid(_) => 16,
        }
    }
}

impl Message {
    /// A message with `payload` and no headers.
    pub fn new(payload: impl Into<Bytes>) -> Self {
        Message {
            headers: Vec::new(),
            payload: payload.into(),
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: impl Into<String>, value: HeaderValue) -> Self {
        self.headers.push(Header::new(name, value));
        self
    }

    /// The value of the first header named `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The text of the first header named `name`, if it is a string.
    pub fn string_header(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(HeaderValue::as_str)
    }

    /// The `:message-type` header: `None` when absent, not a string, or another value.
    pub fn message_type(&self) -> Option<MessageType> {
        match self.string_header(":message-type")? {
            "event" => Some(MessageType::Event),
            "exception" => Some(MessageType::Exception),
            "error" => Some(MessageType::Error),
            _ => None,
        }
    }

    /// The `:event-type` header (the event's member name, for `event` messages).
    pub fn event_type(&self) -> Option<&str> {
        self.string_header(":event-type")
    }

    /// The `:exception-type` header (the error's member name, for `exception` messages).
    pub fn exception_type(&self) -> Option<&str> {
        self.string_header(":exception-type")
    }

    /// The `:content-type` header (the payload's media type).
    pub fn content_type(&self) -> Option<&str> {
        self.string_header(":content-type")
    }

    /// The `:error-code` header (for `error` messages).
    pub fn error_code(&self) -> Option<&str> {
        self.string_header(":error-code")
    }

    /// The `:error-message` header (for `error` messages).
    pub fn error_message(&self) -> Option<&str> {
        self.string_header(":error-message")
    }
}

// ---- Encoding ----

/// Encodes `message`; fails when a name, a value, the headers or the message exceeds its
/// limit, or a timestamp's milliseconds do not fit in an `i64`.
pub fn encode(message: &Message) -> Result<Bytes, EventStreamError> {
    let headers_len = headers_len(&message.headers)?;
    if headers_len > MAX_HEADERS_LEN {
        return Err(EventStreamError::HeadersTooLarge { len: headers_len });
    }
    let total = MIN_MESSAGE_LEN
        .saturating_add(headers_len)
        .saturating_add(message.payload.len());
    if total > MAX_MESSAGE_LEN {
        return Err(EventStreamError::MessageTooLarge { len: total });
    }
    let mut out = BytesMut::with_capacity(total);
    // Both fit in a `u32`: they are bounded by the limits above.
    out.put_u32(total as u32);
    out.put_u32(headers_len as u32);
    out.put_u32(crc32(&out));
    for header in &message.headers {
        write_header(&mut out, header)?;
    }
    out.put_slice(&message.payload);
    out.put_u32(crc32(&out));
    Ok(out.freeze())
}

/// The encoded length of `headers`, checking each name and value length.
fn headers_len(headers: &[Header]) -> Result<usize, EventStreamError> {
    let mut len = 0usize;
    for header in headers {
        if header.name.len() > MAX_HEADER_NAME_LEN {
            return Err(EventStreamError::HeaderNameTooLong {
                len: header.name.len(),
            });
        }
        let value_len = header.value.encoded_len();
        if let Some(n) = header.value.variable_len()
            && n > usize::from(u16::MAX)
        {
            return Err(EventStreamError::HeaderValueTooLong { len: n });
        }
        len = len.saturating_add(2 + header.name.len() + value_len);
    }
    Ok(len)
}

/// Writes one header; its lengths were checked by [`headers_len`].
fn write_header(out: &mut BytesMut, header: &Header) -> Result<(), EventStreamError> {
    out.put_u8(header.name.len() as u8);
    out.put_slice(header.name.as_bytes());
    out.put_u8(header.value.type_id());
    match &header.value {
        HeaderValue::Bool(_) => {}
        HeaderValue::Byte(v) => out.put_i8(*v),
        HeaderValue::Short(v) => out.put_i16(*v),
        HeaderValue::Integer(v) => out.put_i32(*v),
        HeaderValue::Long(v) => out.put_i64(*v),
        HeaderValue::ByteArray(v) => {
            out.put_u16(v.len() as u16);
            out.put_slice(v);
        }
        HeaderValue::String(v) => {
            out.put_u16(v.len() as u16);
            out.put_slice(v.as_bytes());
        }
        HeaderValue::Timestamp(v) => out.put_i64(to_millis(v)?),
        HeaderValue::Uuid(v) => out.put_slice(v),
    }
    Ok(())
}

/// Milliseconds since the epoch, rounded down.
fn to_millis(t: &DateTime) -> Result<i64, EventStreamError> {
    let millis = i128::from(t.secs()) * 1000 + i128::from(t.subsec_nanos() / 1_000_000);
    i64::try_from(millis).map_err(|_| EventStreamError::TimestampOutOfRange)
}

fn from_millis(millis: i64) -> DateTime {
    // `rem_euclid` is in 0..1000, so the nanoseconds are below one second.
    let nanos = millis.rem_euclid(1000) as u32 * 1_000_000;
    DateTime::from_secs_and_nanos(millis.div_euclid(1000), nanos)
}

// ---- Decoding ----

/// The lengths a prelude declares, checked against the limits.
#[derive(Clone, Copy, Debug)]
struct Prelude {
    total: usize,
    headers: usize,
}

/// Reads and checks the prelude at the start of `buf` (at least [`PRELUDE_LEN`] bytes).
fn read_prelude(buf: &[u8]) -> Result<Prelude, EventStreamError> {
    let Some((prelude, _)) = buf.split_first_chunk::<PRELUDE_LEN>() else {
        return Err(EventStreamError::Truncated {
            needed: PRELUDE_LEN,
            available: buf.len(),
        });
    };
    let computed = crc32(&prelude[..8]);
    let mut fields = &prelude[..];
    let total = fields.get_u32() as usize;
    let headers = fields.get_u32() as usize;
    let expected = fields.get_u32();
    if expected != computed {
        return Err(EventStreamError::PreludeCrcMismatch { expected, computed });
    }
    check_lengths(total, headers)?;
    Ok(Prelude { total, headers })
}

fn check_lengths(total: usize, headers: usize) -> Result<(), EventStreamError> {
    if total < MIN_MESSAGE_LEN {
        return Err(EventStreamError::MessageTooSmall { len: total });
    }
    if total > MAX_MESSAGE_LEN {
        return Err(EventStreamError::MessageTooLarge { len: total });
    }
    if headers > MAX_HEADERS_LEN {
        return Err(EventStreamError::HeadersTooLarge { len: headers });
    }
    if headers > total - MIN_MESSAGE_LEN {
        return Err(EventStreamError::HeadersLengthOverflow {
            headers_len: headers,
            message_len: total,
        });
    }
    Ok(())
}

/// Decodes one complete message, `frame` being exactly `prelude.total` bytes.
fn decode_frame(prelude: Prelude, frame: Bytes) -> Result<Message, EventStreamError> {
    let body_len = prelude.total - CRC_LEN;
    let computed = crc32(&frame[..body_len]);
    let mut crc = &frame[body_len..];
    let expected = crc.get_u32();
    if expected != computed {
        return Err(EventStreamError::MessageCrcMismatch { expected, computed });
    }
    let headers_end = PRELUDE_LEN + prelude.headers;
    let headers = read_headers(frame.slice(PRELUDE_LEN..headers_end))?;
    let payload = frame.slice(headers_end..body_len);
    Ok(Message { headers, payload })
}

/// Reads every header of a headers section.
fn read_headers(mut section: Bytes) -> Result<Vec<Header>, EventStreamError> {
    let mut headers = Vec::new();
    while section.has_remaining() {
        headers.push(read_header(&mut section)?);
    }
    Ok(headers)
}

/// Takes `n` bytes off the front of `buf`, or fails if it holds fewer.
fn take(buf: &mut Bytes, n: usize) -> Result<Bytes, EventStreamError> {
    if buf.len() < n {
        return Err(EventStreamError::HeaderOverrun);
    }
    Ok(buf.split_to(n))
}

fn take_array<const N: usize>(buf: &mut Bytes) -> Result<[u8; N], EventStreamError> {
    let bytes = take(buf, N)?;
    let mut out = [0; N];
    out.copy_from_slice(&bytes);
    Ok(out)
}

fn take_string(buf: &mut Bytes, n: usize) -> Result<String, EventStreamError> {
    let bytes = take(buf, n)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| EventStreamError::BadUtf8)
}

fn read_header(buf: &mut Bytes) -> Result<Header, EventStreamError> {
    let [name_len] = take_array::<1>(buf)?;
    let name = take_string(buf, usize::from(name_len))?;
    let [type_id] = take_array::<1>(buf)?;
    let value = read_value(buf, type_id)?;
    Ok(Header { name, value })
}

fn read_value(buf: &mut Bytes, type_id: u8) -> Result<HeaderValue, EventStreamError> {
    Ok(match type_id {
        0 => HeaderValue::Bool(true),
        1 => HeaderValue::Bool(false),
        2 => HeaderValue::Byte(i8::from_be_bytes(take_array(buf)?)),
        3 => HeaderValue::Short(i16::from_be_bytes(take_array(buf)?)),
        4 => HeaderValue::Integer(i32::from_be_bytes(take_array(buf)?)),
        5 => HeaderValue::Long(i64::from_be_bytes(take_array(buf)?)),
        6 => {
            let len = u16::from_be_bytes(take_array(buf)?);
            HeaderValue::ByteArray(take(buf, usize::from(len))?)
        }
        7 => {
            let len = u16::from_be_bytes(take_array(buf)?);
            HeaderValue::String(take_string(buf, usize::from(len))?)
        }
        8 => HeaderValue::Timestamp(from_millis(i64::from_be_bytes(take_array(buf)?))),
        9 => HeaderValue::Uuid(take_array(buf)?),
        type_id => return Err(EventStreamError::BadHeaderType { type_id }),
    })
}

/// Decodes `bytes`, which must hold exactly one message.
pub fn decode_one(bytes: &[u8]) -> Result<Message, EventStreamError> {
    let prelude = read_prelude(bytes)?;
    if bytes.len() < prelude.total {
        return Err(EventStreamError::Truncated {
            needed: prelude.total,
            available: bytes.len(),
        });
    }
    if bytes.len() > prelude.total {
        return Err(EventStreamError::TrailingBytes {
            len: bytes.len() - prelude.total,
        });
    }
    decode_frame(prelude, Bytes::copy_from_slice(bytes))
}

/// Reads messages from a byte stream pushed in chunks of any size.
///
/// [`push`](Self::push) the bytes as they arrive, then call
/// [`next_message`](Self::next_message) until it returns `Ok(None)` (more bytes needed). At
/// the end of the stream, [`finish`](Self::finish) reports a message left incomplete. The
/// first error is final: the stream cannot be resynchronised, so every later call returns it
/// again.
#[derive(Debug, Default)]
pub struct MessageDecoder {
    buffer: BytesMut,
    prelude: Option<Prelude>,
    failed: Option<EventStreamError>,
}

impl MessageDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes of the stream (ignored once the decoder has failed).
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buffer.extend_from_slice(bytes);
        }
    }

    /// The next complete message, `Ok(None)` if more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, EventStreamError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.decode_next();
        if let Err(e) = &result {
            self.failed = Some(e.clone());
            self.buffer = BytesMut::new();
        }
        result
    }

    fn decode_next(&mut self) -> Result<Option<Message>, EventStreamError> {
        let prelude = match self.prelude {
            Some(p) => p,
            None if self.buffer.len() < PRELUDE_LEN => return Ok(None),
            None => {
                let p = read_prelude(&self.buffer)?;
                self.prelude = Some(p);
                p
            }
        };
        if self.buffer.len() < prelude.total {
            // Bounded by `MAX_MESSAGE_LEN`: the prelude was checked.
            self.buffer.reserve(prelude.total - self.buffer.len());
            return Ok(None);
        }
        self.prelude = None;
        let frame = self.buffer.split_to(prelude.total).freeze();
        decode_frame(prelude, frame).map(Some)
    }

    /// Bytes buffered but not yet returned as a message.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    /// At the end of the stream: `Ok` if no partial message remains, the decoder's error if
    /// it failed, [`EventStreamError::Truncated`] otherwise.
    pub fn finish(&self) -> Result<(), EventStreamError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.buffer.is_empty() {
            return Ok(());
        }
        let needed = self.prelude.map_or(PRELUDE_LEN, |p| p.total);
        Err(EventStreamError::Truncated {
            needed,
            available: self.buffer.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_type() -> Message {
        Message::new(&b"{\"hello\":\"world\"}"[..])
            .with_header("true", HeaderValue::Bool(true))
            .with_header("false", HeaderValue::Bool(false))
            .with_header("byte", HeaderValue::Byte(-7))
            .with_header("short", HeaderValue::Short(-30_000))
            .with_header("integer", HeaderValue::Integer(i32::MIN))
            .with_header("long", HeaderValue::Long(i64::MAX))
            .with_header(
                "bytes",
                HeaderValue::ByteArray(Bytes::from_static(b"\0\x01\xff")),
            )
            .with_header("string", HeaderValue::String("héllo".into()))
            .with_header("time", HeaderValue::Timestamp(from_millis(-1_500)))
            .with_header("uuid", HeaderValue::Uuid(*b"0123456789abcdef"))
    }

    /// Rewrites the message CRC after the body was edited.
    fn reseal(bytes: &mut [u8]) {
        let end = bytes.len() - CRC_LEN;
        let crc = crc32(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_be_bytes());
    }

    /// A prelude declaring `total` and `headers`, with a valid CRC.
    fn prelude(total: u32, headers: u32) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&total.to_be_bytes());
        p.extend_from_slice(&headers.to_be_bytes());
        let crc = crc32(&p);
        p.extend_from_slice(&crc.to_be_bytes());
        p
    }

    #[test]
    fn every_header_type_round_trips() {
        let message = every_type();
        let bytes = encode(&message).unwrap();
        assert_eq!(decode_one(&bytes).unwrap(), message);
        for header in &message.headers {
            let one = Message::new(Bytes::new()).with_header(&header.name, header.value.clone());
            assert_eq!(
                decode_one(&encode(&one).unwrap()).unwrap(),
                one,
                "{}",
                header.name
            );
        }
    }

    #[test]
    fn known_vector() {
        // The smallest message: no headers, no payload.
        let bytes = encode(&Message::default()).unwrap();
        assert_eq!(
            bytes[..],
            [
                0, 0, 0, 16, 0, 0, 0, 0, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff
            ]
        );
        assert_eq!(decode_one(&bytes).unwrap(), Message::default());
    }

    #[test]
    fn timestamps_are_whole_milliseconds() {
        let t = DateTime::from_secs_and_nanos(-2, 999_999_999);
        let m = Message::default().with_header("t", HeaderValue::Timestamp(t));
        let back = decode_one(&encode(&m).unwrap()).unwrap();
        assert_eq!(
            back.header("t"),
            Some(&HeaderValue::Timestamp(DateTime::from_secs_and_nanos(
                -2,
                999_000_000
            )))
        );
        for millis in [i64::MIN, i64::MAX, 0, -1] {
            assert_eq!(to_millis(&from_millis(millis)), Ok(millis));
        }
        let m = Message::default()
            .with_header("t", HeaderValue::Timestamp(DateTime::from_secs(i64::MAX)));
        assert_eq!(encode(&m), Err(EventStreamError::TimestampOutOfRange));
    }

    #[test]
    fn byte_by_byte_feeding() {
        let messages = [
            every_type(),
            Message::default(),
            Message::new(vec![7; 1000]),
        ];
        let stream: Vec<u8> = messages.iter().flat_map(|m| encode(m).unwrap()).collect();
        let mut decoder = MessageDecoder::new();
        let mut out = Vec::new();
        for b in &stream {
            decoder.push(std::slice::from_ref(b));
            while let Some(m) = decoder.next_message().unwrap() {
                out.push(m);
            }
        }
        assert_eq!(out, messages);
        assert_eq!(decoder.finish(), Ok(()));
        assert_eq!(decoder.buffered_len(), 0);
    }

    #[test]
    fn corrupted_prelude_crc() {
        let mut bytes = encode(&every_type()).unwrap().to_vec();
        bytes[9] ^= 1;
        assert!(matches!(
            decode_one(&bytes),
            Err(EventStreamError::PreludeCrcMismatch { .. })
        ));
        // A flipped length bit is caught by the prelude CRC before the length is used.
        let mut bytes = encode(&every_type()).unwrap().to_vec();
        bytes[0] ^= 0x80;
        let mut decoder = MessageDecoder::new();
        decoder.push(&bytes);
        let err = decoder.next_message().unwrap_err();
        assert!(matches!(err, EventStreamError::PreludeCrcMismatch { .. }));
        // The error is final.
        decoder.push(&encode(&Message::default()).unwrap());
        assert_eq!(decoder.next_message(), Err(err.clone()));
        assert_eq!(decoder.finish(), Err(err));
    }

    #[test]
    fn corrupted_body_crc() {
        let good = encode(&every_type()).unwrap();
        for at in [PRELUDE_LEN, PRELUDE_LEN + 5, good.len() - 5, good.len() - 1] {
            let mut bytes = good.to_vec();
            bytes[at] ^= 0x10;
            let err = decode_one(&bytes).unwrap_err();
            assert!(
                matches!(err, EventStreamError::MessageCrcMismatch { .. }),
                "{at}: {err}"
            );
        }
    }

    #[test]
    fn truncation() {
        let bytes = encode(&every_type()).unwrap();
        for n in [0, 1, 11, 12, 13, bytes.len() - 1] {
            assert!(
                matches!(
                    decode_one(&bytes[..n]),
                    Err(EventStreamError::Truncated { .. })
                ),
                "{n}"
            );
            let mut decoder = MessageDecoder::new();
            decoder.push(&bytes[..n]);
            assert_eq!(decoder.next_message(), Ok(None), "{n}");
            if n == 0 {
                assert_eq!(decoder.finish(), Ok(()));
            } else {
                assert!(
                    matches!(decoder.finish(), Err(EventStreamError::Truncated { .. })),
                    "{n}"
                );
            }
        }
        let mut long = bytes.to_vec();
        long.push(0);
        assert_eq!(
            decode_one(&long),
            Err(EventStreamError::TrailingBytes { len: 1 })
        );
    }

    #[test]
    fn declared_lengths_are_checked_before_use() {
        let cases = [
            (prelude(u32::MAX, 0), "too large"),
            (prelude(MAX_MESSAGE_LEN as u32 + 1, 0), "too large"),
            (prelude(15, 0), "too small"),
            (
                prelude(1000, MAX_HEADERS_LEN as u32 + 1),
                "headers too large",
            ),
            (prelude(100, 85), "headers overflow"),
        ];
        for (bytes, what) in cases {
            let mut decoder = MessageDecoder::new();
            decoder.push(&bytes);
            let err = decoder.next_message().unwrap_err();
            let ok = match what {
                "too large" => matches!(err, EventStreamError::MessageTooLarge { .. }),
                "too small" => matches!(err, EventStreamError::MessageTooSmall { len: 15 }),
                "headers too large" => matches!(err, EventStreamError::HeadersTooLarge { .. }),
                _ => matches!(err, EventStreamError::HeadersLengthOverflow { .. }),
            };
            assert!(ok, "{what}: {err}");
        }
        // The largest message is accepted: the buffer grows to it once it is declared.
        let big = Message::new(vec![0; MAX_MESSAGE_LEN - MIN_MESSAGE_LEN]);
        let bytes = encode(&big).unwrap();
        assert_eq!(decode_one(&bytes).unwrap().payload.len(), big.payload.len());
        let too_big = Message::new(vec![0; MAX_MESSAGE_LEN - MIN_MESSAGE_LEN + 1]);
        assert_eq!(
            encode(&too_big),
            Err(EventStreamError::MessageTooLarge {
                len: MAX_MESSAGE_LEN + 1
            })
        );
    }

    /// A message with `headers` as its raw headers section, both CRCs valid.
    fn raw(headers: &[u8]) -> Vec<u8> {
        let total = (MIN_MESSAGE_LEN + headers.len()) as u32;
        let mut bytes = prelude(total, headers.len() as u32);
        bytes.extend_from_slice(headers);
        bytes.extend_from_slice(&[0; CRC_LEN]);
        reseal(&mut bytes);
        bytes
    }

    #[test]
    fn bad_headers() {
        let cases: [(&[u8], EventStreamError); 7] = [
            (
                b"\x01a\x0a",
                EventStreamError::BadHeaderType { type_id: 10 },
            ),
            (
                b"\x01a\xff",
                EventStreamError::BadHeaderType { type_id: 255 },
            ),
            (b"\x01\xff\x00", EventStreamError::BadUtf8),
            (b"\x01a\x07\x00\x01\xc3", EventStreamError::BadUtf8),
            (b"\x05a", EventStreamError::HeaderOverrun),
            (b"\x01a\x04\x00\x00", EventStreamError::HeaderOverrun),
            (b"\x01a\x06\xff\xff\x00", EventStreamError::HeaderOverrun),
        ];
        for (headers, expected) in cases {
            assert_eq!(decode_one(&raw(headers)), Err(expected), "{headers:?}");
        }
        assert_eq!(decode_one(&raw(b"\x00\x00")).unwrap().headers[0].name, "");
    }

    #[test]
    fn encoder_limits() {
        let long_name = Message::default().with_header("n".repeat(256), HeaderValue::Bool(true));
        assert_eq!(
            encode(&long_name),
            Err(EventStreamError::HeaderNameTooLong { len: 256 })
        );
        let name_255 = Message::default().with_header("n".repeat(255), HeaderValue::Bool(true));
        assert_eq!(decode_one(&encode(&name_255).unwrap()).unwrap(), name_255);
        let long_value = Message::default()
            .with_header("v", HeaderValue::ByteArray(Bytes::from(vec![0; 65_536])));
        assert_eq!(
            encode(&long_value),
            Err(EventStreamError::HeaderValueTooLong { len: 65_536 })
        );
        let mut many = Message::default();
        for _ in 0..3 {
            many = many.with_header("s", HeaderValue::String("x".repeat(65_535)));
        }
        assert!(matches!(
            encode(&many),
            Err(EventStreamError::HeadersTooLarge { .. })
        ));
    }

    #[test]
    fn message_type_helpers() {
        let s = |v: &str| HeaderValue::String(v.into());
        let event = Message::default()
            .with_header(":message-type", s("event"))
            .with_header(":event-type", s("Records"))
            .with_header(":content-type", s("application/octet-stream"));
        assert_eq!(event.message_type(), Some(MessageType::Event));
        assert_eq!(event.event_type(), Some("Records"));
        assert_eq!(event.content_type(), Some("application/octet-stream"));
        assert_eq!(event.exception_type(), None);
        let exception = Message::default()
            .with_header(":message-type", s("exception"))
            .with_header(":exception-type", s("ThrottlingException"));
        assert_eq!(exception.message_type(), Some(MessageType::Exception));
        assert_eq!(exception.exception_type(), Some("ThrottlingException"));
        let error = Message::default()
            .with_header(":message-type", s("error"))
            .with_header(":error-code", s("InternalError"))
            .with_header(":error-message", s("boom"));
        assert_eq!(error.message_type(), Some(MessageType::Error));
        assert_eq!(error.error_code(), Some("InternalError"));
        assert_eq!(error.error_message(), Some("boom"));
        let odd = Message::default().with_header(":message-type", HeaderValue::Integer(1));
        assert_eq!(odd.message_type(), None);
        assert_eq!(Message::default().message_type(), None);
    }

    #[test]
    fn errors_do_not_show_content() {
        let mut bytes = encode(&Message::new(&b"SECRET-PAYLOAD"[..]))
            .unwrap()
            .to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let text = decode_one(&bytes).unwrap_err().to_string();
        assert!(text.contains("message CRC mismatch"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}
