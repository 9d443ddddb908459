//! Reading an event-stream message as a shape: the event union (the member `:event-type`
//! names), its event structure (`@eventHeader` members from the headers, the `@eventPayload`
//! member or the other members from the payload), through any protocol's body codec.

use crate::blob::Blob;
use crate::codec::event_stream::{HeaderValue, Message};
use crate::codec::{DeError, MemberReader, ShapeDeserializer};
use crate::datetime::DateTime;
use crate::json::join_field;
use crate::protocol::Protocol;
use crate::schema::{EventBinding, Member, ShapeType};

/// A union positioned on one event: its only member is `member` (the one `:event-type`
/// names), or none at all for an event type the model does not know (read as `Unknown`).
pub(crate) struct EventUnion<'a> {
    pub(crate) message: &'a Message,
    pub(crate) member: Option<&'static Member>,
    pub(crate) protocol: &'static dyn Protocol,
    pub(crate) path: &'a str,
}

impl ShapeDeserializer for EventUnion<'_> {
    fn read_struct(&mut self, _: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let Some(member) = self.member else {
            return Ok(());
        };
        let path = join_field(self.path, member.name);
        f(
            member,
            &mut EventStruct {
                message: self.message,
                protocol: self.protocol,
                path,
            },
        )
    }
    fn path(&self) -> String {
        self.path.to_owned()
    }
}

/// An event (or exception) structure read from a message.
pub(crate) struct EventStruct<'a> {
    pub(crate) message: &'a Message,
    pub(crate) protocol: &'static dyn Protocol,
    pub(crate) path: String,
}

impl ShapeDeserializer for EventStruct<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let members = member.target.members;
        for m in members.iter().filter(|m| m.event == EventBinding::Header) {
            if let Some(value) = self.message.header(m.name) {
                let path = join_field(&self.path, m.name);
                f(m, &mut HeaderDeserializer { value, path })?;
            }
        }
        if let Some(m) = members.iter().find(|m| m.event == EventBinding::Payload) {
            let path = join_field(&self.path, m.name);
            return f(
                m,
                &mut PayloadDeserializer {
                    payload: &self.message.payload,
                    protocol: self.protocol,
                    path,
                },
            );
        }
        let in_body = members.iter().any(|m| m.event == EventBinding::Body);
        if !in_body || self.message.payload.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let mut body_only = |m: &'static Member, d: &mut dyn ShapeDeserializer| {
            if m.event == EventBinding::Body {
                f(m, d)
            } else {
                Ok(())
            }
        };
        self.protocol
            .read_event_body(&self.message.payload, &self.path, &mut |d| {
                d.read_struct(member, &mut body_only)
            })
    }
    /// An event member targeting `smithy.api#Unit`.
    fn skip(&mut self) -> Result<(), DeError> {
        Ok(())
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// An `@eventPayload` member: raw bytes for blobs, text for strings, the protocol's body
/// codec for the rest.
struct PayloadDeserializer<'a> {
    payload: &'a [u8],
    protocol: &'static dyn Protocol,
    path: String,
}

impl PayloadDeserializer<'_> {
    fn body<T>(
        &self,
        read: impl FnOnce(&mut dyn ShapeDeserializer) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        let mut read = Some(read);
        let mut out = None;
        self.protocol
            .read_event_body(self.payload, &self.path, &mut |d| {
                if let Some(read) = read.take() {
                    out = Some(read(d)?);
                }
                Ok(())
            })?;
        out.ok_or_else(|| DeError::missing(self.path.clone()))
    }
}

impl ShapeDeserializer for PayloadDeserializer<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        self.body(|d| d.read_struct(member, f))
    }
    fn read_document(&mut self, member: &Member) -> Result<crate::Document, DeError> {
        self.body(|d| d.read_document(member))
    }
    fn read_string(&mut self, _: &Member) -> Result<String, DeError> {
        String::from_utf8(self.payload.to_vec())
            .map_err(|_| DeError::new(self.path.clone(), "UTF-8 text"))
    }
    fn read_blob(&mut self, _: &Member) -> Result<Blob, DeError> {
        Ok(Blob::new(self.payload.to_vec()))
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// An `@eventHeader` member's value.
struct HeaderDeserializer<'a> {
    value: &'a HeaderValue,
    path: String,
}

impl HeaderDeserializer<'_> {
    fn expected(&self, what: &str) -> DeError {
        DeError::new(self.path.clone(), what)
    }
}

impl ShapeDeserializer for HeaderDeserializer<'_> {
    fn read_bool(&mut self, _: &Member) -> Result<bool, DeError> {
        match self.value {
            HeaderValue::Bool(b) => Ok(*b),
            _ => Err(self.expected("a boolean header")),
        }
    }
    fn read_integer(
        &mut self,
        _: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        let v = match self.value {
            HeaderValue::Byte(v) => i64::from(*v),
            HeaderValue::Short(v) => i64::from(*v),
            HeaderValue::Integer(v) => i64::from(*v),
            HeaderValue::Long(v) => *v,
            _ => return Err(self.expected("an integer header")),
        };
        if (min..=max).contains(&v) {
            Ok(v)
        } else {
            Err(self.expected(what))
        }
    }
    fn read_string(&mut self, member: &Member) -> Result<String, DeError> {
        match self.value {
            HeaderValue::String(s) => Ok(s.clone()),
            HeaderValue::Uuid(_) if member.target.shape_type == ShapeType::String => {
                Ok(uuid_text(self.value))
            }
            _ => Err(self.expected("a string header")),
        }
    }
    fn read_blob(&mut self, _: &Member) -> Result<Blob, DeError> {
        match self.value {
            HeaderValue::ByteArray(b) => Ok(Blob::new(b.to_vec())),
            _ => Err(self.expected("a byte-array header")),
        }
    }
    fn read_timestamp(&mut self, _: &Member) -> Result<DateTime, DeError> {
        match self.value {
            HeaderValue::Timestamp(t) => Ok(*t),
            _ => Err(self.expected("a timestamp header")),
        }
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// A UUID header as text (`8-4-4-4-12` lowercase hex).
fn uuid_text(value: &HeaderValue) -> String {
    let HeaderValue::Uuid(bytes) = value else {
        return String::new();
    };
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}
