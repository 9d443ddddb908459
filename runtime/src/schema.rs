//! Static shape schemas: what every protocol needs to know about a shape, built by `const`
//! constructors into `static`s of the generated code (no allocation, no parsing at run time).
//!
//! Each structure, union, list and map of a generated client has a [`Schema`]; its members are
//! [`Member`]s, each naming its target's schema. Simple shapes (strings, numbers, blobs,
//! timestamps, documents, enums) share the [`prelude`] schemas: everything a use site knows
//! about them (timestamp format, `@sensitive`, wire names) sits on the member.
//!
//! A schema holds every trait a wire format may need: `jsonName`, the XML traits,
//! `ec2QueryName`, the HTTP bindings, timestamp formats, `@sensitive`, `@idempotencyToken`,
//! `@hostLabel`. Codecs and protocols read them; generated code only points at them.

use crate::datetime::TimestampFormat;

/// The kind of a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeType {
    /// `blob`
    Blob,
    /// `boolean`
    Boolean,
    /// `string` (and `enum`)
    String,
    /// `timestamp`
    Timestamp,
    /// `byte`
    Byte,
    /// `short`
    Short,
    /// `integer` (and `intEnum`)
    Integer,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bigInteger`
    BigInteger,
    /// `bigDecimal`
    BigDecimal,
    /// `document`
    Document,
    /// `list` (and `set`)
    List,
    /// `map`
    Map,
    /// `structure`
    Structure,
    /// `union`
    Union,
}

/// An `@xmlNamespace`: the URI and optional prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XmlNamespace {
    /// `uri`
    pub uri: &'static str,
    /// `prefix`, when set.
    pub prefix: Option<&'static str>,
}

/// How a member of an operation's top-level input or output travels over HTTP (HTTP-binding
/// protocols only; RPC protocols put every member in the body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpBinding {
    /// In the body.
    Body,
    /// `@httpLabel`
    Label,
    /// `@httpQuery(name)`
    Query(&'static str),
    /// `@httpQueryParams`
    QueryParams,
    /// `@httpHeader(name)`
    Header(&'static str),
    /// `@httpPrefixHeaders(prefix)`
    PrefixHeaders(&'static str),
    /// `@httpPayload`
    Payload,
    /// `@httpResponseCode`
    ResponseCode,
}

/// A shape's schema.
#[derive(Debug)]
pub struct Schema {
    /// The absolute shape id (`com.amazonaws.dynamodb#PutItemInput`).
    pub id: &'static str,
    /// The shape name (`PutItemInput`): the error code of an `@error` structure.
    pub name: &'static str,
    /// The kind.
    pub shape_type: ShapeType,
    /// Members: a structure's or union's in model order; a list's element (one); a map's key
    /// and value (two).
    pub members: &'static [Member],
    /// `@sparse` (lists and maps).
    pub sparse: bool,
    /// `@xmlName` of the shape.
    pub xml_name: Option<&'static str>,
    /// `@xmlNamespace` of the shape.
    pub xml_namespace: Option<XmlNamespace>,
    /// `@error`: `Some(true)` for server faults, `Some(false)` for client faults.
    pub error_fault: Option<bool>,
    /// `@httpError` status.
    pub http_error: Option<u16>,
    /// `@awsQueryError` code, when the service is query-compatible.
    pub query_error_code: Option<&'static str>,
}

impl Schema {
    /// A schema with no members and no traits.
    pub const fn new(id: &'static str, name: &'static str, shape_type: ShapeType) -> Schema {
        Schema {
            id,
            name,
            shape_type,
            members: &[],
            sparse: false,
            xml_name: None,
            xml_namespace: None,
            error_fault: None,
            http_error: None,
            query_error_code: None,
        }
    }

    /// A structure.
    pub const fn structure(
        id: &'static str,
        name: &'static str,
        members: &'static [Member],
    ) -> Schema {
        Schema::new(id, name, ShapeType::Structure).with_members(members)
    }

    /// A union.
    pub const fn union(id: &'static str, name: &'static str, members: &'static [Member]) -> Schema {
        Schema::new(id, name, ShapeType::Union).with_members(members)
    }

    /// A list of `members[0]`.
    pub const fn list(id: &'static str, name: &'static str, members: &'static [Member]) -> Schema {
        Schema::new(id, name, ShapeType::List).with_members(members)
    }

    /// A map of `members[0]` (key) to `members[1]` (value).
    pub const fn map(id: &'static str, name: &'static str, members: &'static [Member]) -> Schema {
        Schema::new(id, name, ShapeType::Map).with_members(members)
    }

    /// With these members.
    pub const fn with_members(mut self, members: &'static [Member]) -> Schema {
        self.members = members;
        self
    }

    /// `@sparse`.
    pub const fn sparse(mut self) -> Schema {
        self.sparse = true;
        self
    }

    /// `@xmlName`.
    pub const fn xml_name(mut self, name: &'static str) -> Schema {
        self.xml_name = Some(name);
        self
    }

    /// `@xmlNamespace`.
    pub const fn xml_namespace(
        mut self,
        uri: &'static str,
        prefix: Option<&'static str>,
    ) -> Schema {
        self.xml_namespace = Some(XmlNamespace { uri, prefix });
        self
    }

    /// `@error`, `server` fault when `server`.
    pub const fn error(mut self, server: bool) -> Schema {
        self.error_fault = Some(server);
        self
    }

    /// `@httpError`.
    pub const fn http_error(mut self, status: u16) -> Schema {
        self.http_error = Some(status);
        self
    }

    /// `@awsQueryError` code.
    pub const fn query_error_code(mut self, code: &'static str) -> Schema {
        self.query_error_code = Some(code);
        self
    }

    /// A list's element member.
    pub fn list_member(&self) -> Option<&'static Member> {
        self.members.first()
    }

    /// A map's key and value members.
    pub fn map_members(&self) -> Option<(&'static Member, &'static Member)> {
        match self.members {
            [k, v] => Some((k, v)),
            _ => None,
        }
    }
}

/// A member of a structure, union, list or map: its name, its target's schema, and the
/// traits of the member (merged with those of its target where they are inherited).
#[derive(Debug)]
pub struct Member {
    /// The member name (`member`, `key` and `value` for lists and maps).
    pub name: &'static str,
    /// Position in the parent's `members`.
    pub index: usize,
    /// The target's schema.
    pub target: &'static Schema,
    /// `@jsonName` (restJson1 only).
    pub json_name: Option<&'static str>,
    /// `@xmlName`.
    pub xml_name: Option<&'static str>,
    /// `@xmlAttribute`.
    pub xml_attribute: bool,
    /// `@xmlFlattened`.
    pub xml_flattened: bool,
    /// `@xmlNamespace`.
    pub xml_namespace: Option<XmlNamespace>,
    /// `@ec2QueryName`.
    pub ec2_query_name: Option<&'static str>,
    /// The HTTP binding (meaningful on a top-level input or output).
    pub http: HttpBinding,
    /// `@timestampFormat` of the member or its target.
    pub timestamp_format: Option<TimestampFormat>,
    /// `@sensitive` (member or target).
    pub sensitive: bool,
    /// `@idempotencyToken`.
    pub idempotency_token: bool,
    /// `@hostLabel`.
    pub host_label: bool,
    /// `@required` (and not `@clientOptional`).
    pub required: bool,
    /// `@mediaType` of the target (strings and blobs): a header value is base64, a payload
    /// is sent with this content type.
    pub media_type: Option<&'static str>,
    /// An `@streaming` blob payload: sent and read as a stream by the protocol, never through
    /// the codec.
    pub streaming: bool,
    /// The `@default` value, as JSON text (`0`, `"x"`, `[]`); generated builders and
    /// deserializers apply it, protocols may read it.
    pub default: Option<&'static str>,
    /// Where a member of an event structure travels in its event-stream message
    /// (`@eventHeader`, `@eventPayload`); [`EventBinding::Body`] elsewhere.
    pub event: EventBinding,
}

/// Where a member of an event structure travels in an event-stream message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventBinding {
    /// In the payload, with the other unbound members, as the protocol serializes a
    /// structure.
    Body,
    /// `@eventHeader`: a message header named after the member.
    Header,
    /// `@eventPayload`: the whole payload (raw bytes for blobs, text for strings, the
    /// protocol's serialization otherwise).
    Payload,
}

impl Member {
    /// A member with no traits.
    pub const fn new(name: &'static str, index: usize, target: &'static Schema) -> Member {
        Member {
            name,
            index,
            target,
            json_name: None,
            xml_name: None,
            xml_attribute: false,
            xml_flattened: false,
            xml_namespace: None,
            ec2_query_name: None,
            http: HttpBinding::Body,
            timestamp_format: None,
            sensitive: false,
            idempotency_token: false,
            host_label: false,
            required: false,
            media_type: None,
            streaming: false,
            default: None,
            event: EventBinding::Body,
        }
    }

    /// The member standing for a whole input, output or error body (no name, no traits).
    pub const fn root(target: &'static Schema) -> Member {
        Member::new("", 0, target)
    }

    /// `@jsonName`.
    pub const fn json_name(mut self, name: &'static str) -> Member {
        self.json_name = Some(name);
        self
    }

    /// `@xmlName`.
    pub const fn xml_name(mut self, name: &'static str) -> Member {
        self.xml_name = Some(name);
        self
    }

    /// `@xmlAttribute`.
    pub const fn xml_attribute(mut self) -> Member {
        self.xml_attribute = true;
        self
    }

    /// `@xmlFlattened`.
    pub const fn xml_flattened(mut self) -> Member {
        self.xml_flattened = true;
        self
    }

    /// `@xmlNamespace`.
    pub const fn xml_namespace(
        mut self,
        uri: &'static str,
        prefix: Option<&'static str>,
    ) -> Member {
        self.xml_namespace = Some(XmlNamespace { uri, prefix });
        self
    }

    /// `@ec2QueryName`.
    pub const fn ec2_query_name(mut self, name: &'static str) -> Member {
        self.ec2_query_name = Some(name);
        self
    }

    /// An HTTP binding.
    pub const fn http(mut self, binding: HttpBinding) -> Member {
        self.http = binding;
        self
    }

    /// `@timestampFormat`.
    pub const fn timestamp_format(mut self, format: TimestampFormat) -> Member {
        self.timestamp_format = Some(format);
        self
    }

    /// `@sensitive`.
    pub const fn sensitive(mut self) -> Member {
        self.sensitive = true;
        self
    }

    /// `@idempotencyToken`.
    pub const fn idempotency_token(mut self) -> Member {
        self.idempotency_token = true;
        self
    }

    /// `@hostLabel`.
    pub const fn host_label(mut self) -> Member {
        self.host_label = true;
        self
    }

    /// `@required`.
    pub const fn required(mut self) -> Member {
        self.required = true;
        self
    }

    /// `@default`, as JSON text.
    pub const fn default_json(mut self, json: &'static str) -> Member {
        self.default = Some(json);
        self
    }

    /// `@streaming` payload.
    pub const fn streaming(mut self) -> Member {
        self.streaming = true;
        self
    }

    /// `@eventHeader`.
    pub const fn event_header(mut self) -> Member {
        self.event = EventBinding::Header;
        self
    }

    /// `@eventPayload`.
    pub const fn event_payload(mut self) -> Member {
        self.event = EventBinding::Payload;
        self
    }

    /// `@mediaType`.
    pub const fn media_type(mut self, media_type: &'static str) -> Member {
        self.media_type = Some(media_type);
        self
    }

    /// The timestamp format: the member's, else `default` (the protocol's).
    pub fn timestamp_format_or(&self, default: TimestampFormat) -> TimestampFormat {
        self.timestamp_format.unwrap_or(default)
    }
}

/// The schemas of simple shapes, shared by every member that targets one.
pub mod prelude {
    use super::{Schema, ShapeType};

    macro_rules! prelude_schema {
        ($($name:ident, $shape:literal, $ty:ident;)*) => {
            $(
                #[doc = concat!("`smithy.api#", $shape, "`")]
                pub static $name: Schema =
                    Schema::new(concat!("smithy.api#", $shape), $shape, ShapeType::$ty);
            )*
        };
    }

    prelude_schema! {
        BLOB, "Blob", Blob;
        BOOLEAN, "Boolean", Boolean;
        STRING, "String", String;
        TIMESTAMP, "Timestamp", Timestamp;
        BYTE, "Byte", Byte;
        SHORT, "Short", Short;
        INTEGER, "Integer", Integer;
        LONG, "Long", Long;
        FLOAT, "Float", Float;
        DOUBLE, "Double", Double;
        BIG_INTEGER, "BigInteger", BigInteger;
        BIG_DECIMAL, "BigDecimal", BigDecimal;
        DOCUMENT, "Document", Document;
    }

    /// `smithy.api#Unit`: a structure with no members.
    pub static UNIT: Schema = Schema::new("smithy.api#Unit", "Unit", ShapeType::Structure);
}

#[cfg(test)]
mod tests {
    use super::*;

    static ITEM: Schema = Schema::structure(
        "test#Item",
        "Item",
        &[
            Member::new("name", 0, &prelude::STRING).json_name("Name"),
            Member::new("next", 1, &ITEM),
            Member::new("tags", 2, &TAGS),
        ],
    );
    static TAGS: Schema = Schema::map(
        "test#Tags",
        "Tags",
        &[
            Member::new("key", 0, &prelude::STRING),
            Member::new("value", 1, &prelude::STRING).sensitive(),
        ],
    )
    .sparse();

    #[test]
    fn schemas_are_const_and_may_be_recursive() {
        assert_eq!(ITEM.members[0].json_name, Some("Name"));
        assert_eq!(ITEM.members[1].target.id, "test#Item");
        let (k, v) = TAGS.map_members().unwrap();
        assert_eq!((k.name, v.sensitive, TAGS.sparse), ("key", true, true));
        assert_eq!(ITEM.members[2].target.shape_type, ShapeType::Map);
        assert!(ITEM.list_member().is_some());
        assert_eq!(prelude::STRING.id, "smithy.api#String");
    }
}
