//! Writing an event of an input event union as an event-stream message: `:message-type`
//! `event`, `:event-type` the union member's name (`exception` and `:exception-type` for a
//! member targeting an `@error` structure), `@eventHeader` members as typed headers,
//! and the `@eventPayload` member (or the other members, through the protocol's body codec)
//! as the payload.

use bytes::Bytes;

use crate::blob::Blob;
use crate::codec::event_stream::{HeaderValue, Message};
use crate::codec::{SerializeStruct, ShapeSerializer};
use crate::datetime::DateTime;
use crate::document::Document;
use crate::error::ConstructionError;
use crate::numbers::{BigDecimal, BigInteger};
use crate::protocol::Protocol;
use crate::schema::{EventBinding, Member, ShapeType};

/// The message for `event`, a value of an input event union.
pub(crate) fn event_message(
    protocol: &'static dyn Protocol,
    event: &dyn SerializeStruct,
) -> Result<Message, ConstructionError> {
    let mut union = UnionWriter {
        protocol,
        message: None,
    };
    event.serialize_members(&mut union);
    union.message.unwrap_or_else(|| {
        Err(ConstructionError::new(
            "an `Unknown` event cannot be sent on an event stream",
        ))
    })
}

/// Receives the one set member of an event union.
struct UnionWriter {
    protocol: &'static dyn Protocol,
    message: Option<Result<Message, ConstructionError>>,
}

impl UnionWriter {
    fn event(
        &self,
        member: &Member,
        value: &dyn SerializeStruct,
    ) -> Result<Message, ConstructionError> {
        let mut event = EventWriter {
            protocol: self.protocol,
            headers: Vec::new(),
            payload: None,
        };
        value.serialize_members(&mut event);
        let members = member.target.members;
        let payload = match event.payload {
            Some(p) => Some(p),
            None if members.iter().any(|m| m.event == EventBinding::Body) => {
                let body = BodyOnly(value);
                let written = self
                    .protocol
                    .write_event_body(member, &body)
                    .ok_or_else(|| {
                        ConstructionError::new("this protocol cannot write event-stream messages")
                    })?;
                Some((Bytes::from(written.0), written.1))
            }
            None => None,
        };
        // A member targeting an `@error` structure is an exception event.
        let (kind, type_header) = match member.target.error_fault {
            Some(_) => ("exception", ":exception-type"),
            None => ("event", ":event-type"),
        };
        let mut message = Message::new(Bytes::new())
            .with_header(":message-type", HeaderValue::String(kind.into()))
            .with_header(type_header, HeaderValue::String(member.name.into()));
        if let Some((bytes, content_type)) = payload {
            message =
                message.with_header(":content-type", HeaderValue::String(content_type.into()));
            message.payload = bytes;
        }
        message.headers.extend(event.headers);
        Ok(message)
    }
}

/// Ignores every write but a structure's: event union members target structures.
macro_rules! ignore_rest {
    () => {
        fn write_list(
            &mut self,
            _: &Member,
            _: usize,
            _: &mut dyn FnMut(&mut dyn ShapeSerializer),
        ) {
        }
        fn write_map(&mut self, _: &Member, _: usize, _: &mut dyn FnMut(&mut dyn ShapeSerializer)) {
        }
        fn write_key(&mut self, _: &str) {}
        fn write_float(&mut self, _: &Member, _: f32) {}
        fn write_double(&mut self, _: &Member, _: f64) {}
        fn write_big_integer(&mut self, _: &Member, _: &BigInteger) {}
        fn write_big_decimal(&mut self, _: &Member, _: &BigDecimal) {}
        fn write_document(&mut self, _: &Member, _: &Document) {}
        fn write_null(&mut self, _: &Member) {}
    };
}

impl ShapeSerializer for UnionWriter {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        self.message = Some(self.event(member, value));
    }
    fn write_bool(&mut self, _: &Member, _: bool) {}
    fn write_integer(&mut self, _: &Member, _: i64) {}
    fn write_string(&mut self, _: &Member, _: &str) {}
    fn write_blob(&mut self, _: &Member, _: &Blob) {}
    fn write_timestamp(&mut self, _: &Member, _: &DateTime) {}
    ignore_rest!();
}

/// Receives the members of one event structure: headers and the `@eventPayload` member.
struct EventWriter {
    protocol: &'static dyn Protocol,
    headers: Vec<crate::codec::event_stream::Header>,
    payload: Option<(Bytes, &'static str)>,
}

impl EventWriter {
    fn header(&mut self, member: &Member, value: HeaderValue) {
        if member.event == EventBinding::Header {
            self.headers
                .push(crate::codec::event_stream::Header::new(member.name, value));
        }
    }
    fn payload(&mut self, member: &Member, bytes: Bytes, content_type: &'static str) {
        if member.event == EventBinding::Payload {
            self.payload = Some((bytes, content_type));
        }
    }
}

impl ShapeSerializer for EventWriter {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        if member.event == EventBinding::Payload
            && let Some((bytes, content_type)) = self.protocol.write_event_body(member, value)
        {
            self.payload = Some((Bytes::from(bytes), content_type));
        }
    }
    fn write_bool(&mut self, member: &Member, value: bool) {
        self.header(member, HeaderValue::Bool(value));
    }
    fn write_integer(&mut self, member: &Member, value: i64) {
        let v = match member.target.shape_type {
            ShapeType::Byte => i8::try_from(value).map(HeaderValue::Byte).ok(),
            ShapeType::Short => i16::try_from(value).map(HeaderValue::Short).ok(),
            ShapeType::Integer => i32::try_from(value).map(HeaderValue::Integer).ok(),
            _ => Some(HeaderValue::Long(value)),
        };
        if let Some(v) = v {
            self.header(member, v);
        }
    }
    fn write_string(&mut self, member: &Member, value: &str) {
        self.header(member, HeaderValue::String(value.to_owned()));
        self.payload(member, Bytes::from(value.to_owned()), "text/plain");
    }
    fn write_blob(&mut self, member: &Member, value: &Blob) {
        let bytes = Bytes::from(value.as_ref().to_vec());
        self.header(member, HeaderValue::ByteArray(bytes.clone()));
        self.payload(member, bytes, "application/octet-stream");
    }
    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        self.header(member, HeaderValue::Timestamp(*value));
    }
    ignore_rest!();
}

/// An event structure as its payload sees it: only the members bound to neither a header
/// nor the payload.
struct BodyOnly<'a>(&'a dyn SerializeStruct);

impl SerializeStruct for BodyOnly<'_> {
    fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
        self.0.serialize_members(&mut BodyFilter(s));
    }
}

/// Forwards the writes of body members to the protocol's serializer.
struct BodyFilter<'s>(&'s mut dyn ShapeSerializer);

macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name(&mut self, member: &Member $(, $arg: $ty)*) {
            if member.event == EventBinding::Body {
                self.0.$name(member $(, $arg)*);
            }
        })*
    };
}

impl ShapeSerializer for BodyFilter<'_> {
    forward! {
        write_struct(value: &dyn SerializeStruct);
        write_list(len: usize, items: &mut dyn FnMut(&mut dyn ShapeSerializer));
        write_map(len: usize, entries: &mut dyn FnMut(&mut dyn ShapeSerializer));
        write_bool(value: bool);
        write_integer(value: i64);
        write_float(value: f32);
        write_double(value: f64);
        write_big_integer(value: &BigInteger);
        write_big_decimal(value: &BigDecimal);
        write_string(value: &str);
        write_blob(value: &Blob);
        write_timestamp(value: &DateTime);
        write_document(value: &Document);
        write_null();
    }
    fn write_key(&mut self, key: &str) {
        self.0.write_key(key);
    }
}
