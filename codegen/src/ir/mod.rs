//! The intermediate representation: what will be generated, decided before any code is written.
//!
//! [`build`](build::build) walks each service's closure in the loaded [`Model`](crate::model::Model)
//! and resolves everything an emitter needs to know: Rust names (collisions reported), Rust
//! types, optionality and defaults, which members are boxed to break recursion, sensitivity,
//! constraints to validate, HTTP bindings, and each operation's errors. Emitters only read it.
//! Every collection is ordered (by Rust name or model order), so output order is fixed by
//! construction.

use std::collections::BTreeMap;

use crate::model::ShapeId;

mod build;
mod endpoint_params;
pub(crate) mod jmespath;
mod recursion;
mod waiters;

pub(crate) use build::node_to_json;
pub use build::{Selection, build};
#[cfg(test)]
pub(crate) use endpoint_params::parse as parse_path;
pub use endpoint_params::{
    ClientContextParamIr, EndpointParamsIr, ParamType, PathExpr, StaticValue,
};
pub use waiters::{AcceptorIr, AcceptorState, MatcherIr, PathComparator, PathMatcherIr, WaiterIr};

/// Everything generated for one service.
#[derive(Clone, Debug)]
pub struct ServiceIr {
    /// The service shape.
    pub id: ShapeId,
    /// Rust module name (`workspacesweb`), from `aws.api#service` `sdkId` or the shape name.
    pub module: String,
    /// Markdown docs.
    pub docs: Option<String>,
    /// `aws.api#service` `sdkId`, else the shape name.
    pub sdk_id: String,
    /// SigV4 signing name, when the service has `aws.auth#sigv4`.
    pub signing_name: Option<String>,
    /// `aws.api#service` `endpointPrefix`, else the signing name, else the module name.
    pub endpoint_prefix: String,
    /// `AWS_ENDPOINT_URL_<env_name>` suffix: sdkId upper-cased, spaces and dashes to `_`.
    pub env_name: String,
    /// The service `version`.
    pub api_version: String,
    /// The endpoint rule set as compact JSON, when the service has one.
    pub endpoint_rules: Option<String>,
    /// The protocol clients speak by default: the first supported one of the service's
    /// protocols in the order of [`Protocol`] (rpcv2Cbor, awsJson1_0, awsJson1_1, restJson1,
    /// restXml, awsQuery, ec2Query, as smithy-rs orders them), else the first declared.
    pub protocol: Protocol,
    /// Every protocol the service declares, in that order.
    pub protocols: Vec<Protocol>,
    /// The service shape's name (`DynamoDB_20120810`).
    pub shape_name: String,
    /// `aws.protocols#awsQueryCompatible`
    pub query_compatible: bool,
    /// `smithy.rules#clientContextParams` the rule set declares, in model order.
    pub client_context_params: Vec<ClientContextParamIr>,
    /// The service's `@xmlNamespace` (URI and prefix).
    pub xml_namespace: Option<(String, Option<String>)>,
    /// Operations, ordered by Rust method name.
    pub operations: Vec<OperationIr>,
    /// Generated types (structures, unions, enums, int enums), ordered by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Distinct validation patterns, in order; `Constraints::pattern` indexes into this.
    pub patterns: Vec<PatternIr>,
}

/// A wire protocol a service declares.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    /// `smithy.protocols#rpcv2Cbor`
    RpcV2Cbor,
    /// `aws.protocols#awsJson1_0`
    AwsJson1_0,
    /// `aws.protocols#awsJson1_1`
    AwsJson1_1,
    /// `aws.protocols#restJson1`
    RestJson1,
    /// `aws.protocols#restXml`
    RestXml,
    /// `aws.protocols#awsQuery`
    AwsQuery,
    /// `aws.protocols#ec2Query`
    Ec2Query,
    /// Any other protocol trait (its id), or none (empty): types and validators are
    /// generated; operations return a "protocol not supported" error.
    Unsupported(String),
}

impl Protocol {
    /// The protocol trait's shape id.
    pub fn id(&self) -> &str {
        match self {
            Protocol::RpcV2Cbor => "smithy.protocols#rpcv2Cbor",
            Protocol::AwsJson1_0 => "aws.protocols#awsJson1_0",
            Protocol::AwsJson1_1 => "aws.protocols#awsJson1_1",
            Protocol::RestJson1 => "aws.protocols#restJson1",
            Protocol::RestXml => "aws.protocols#restXml",
            Protocol::AwsQuery => "aws.protocols#awsQuery",
            Protocol::Ec2Query => "aws.protocols#ec2Query",
            Protocol::Unsupported(id) => id,
        }
    }

    /// The protocol a trait id names, if it is one of the seven.
    pub fn from_id(id: &str) -> Option<Protocol> {
        [
            Protocol::RpcV2Cbor,
            Protocol::AwsJson1_0,
            Protocol::AwsJson1_1,
            Protocol::RestJson1,
            Protocol::RestXml,
            Protocol::AwsQuery,
            Protocol::Ec2Query,
        ]
        .into_iter()
        .find(|p| p.id() == id)
    }

    /// Spoken by a runtime protocol module over the generated schemas (the client calls
    /// `anvil_runtime::protocol::invoke`): every AWS protocol; unknown ones are not.
    pub fn in_runtime(&self) -> bool {
        !matches!(self, Protocol::Unsupported(_))
    }
}

/// A pattern checked by validators.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PatternIr {
    /// The ECMA-262 source given to the runtime engine (after dialect translation).
    pub source: String,
    /// Whether to compile in Unicode mode.
    pub unicode: bool,
    /// The pattern as written in the model (for messages).
    pub original: String,
}

/// The Rust shape of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `String`
    String,
    /// `bool`
    Bool,
    /// `i8`
    Byte,
    /// `i16`
    Short,
    /// `i32`
    Integer,
    /// `i64`
    Long,
    /// `f32`
    Float,
    /// `f64`
    Double,
    /// runtime `Blob`
    Blob,
    /// runtime `DateTime`
    Timestamp,
    /// runtime `Document`
    Document,
    /// runtime `BigInteger`
    BigInteger,
    /// runtime `BigDecimal`
    BigDecimal,
    /// A generated string enum, by Rust name.
    Enum(String),
    /// A generated int enum, by Rust name.
    IntEnum(String),
    /// A generated structure, by Rust name.
    Struct(String),
    /// A generated union, by Rust name.
    Union(String),
    /// `Vec<T>` (`Vec<Option<T>>` when sparse).
    List {
        /// The element.
        member: Box<TypeRef>,
        /// `@sparse`
        sparse: bool,
    },
    /// `BTreeMap<K, V>` (`BTreeMap<K, Option<V>>` when sparse).
    Map {
        /// The key (a string or string enum).
        key: Box<TypeRef>,
        /// The value.
        value: Box<TypeRef>,
        /// `@sparse`
        sparse: bool,
    },
}

/// A use of a shape: its Rust kind plus what the use site knows (constraints, sensitivity,
/// timestamp format), merged from the target shape and the member that targets it.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeRef {
    /// The target shape.
    pub target: ShapeId,
    /// The Rust shape.
    pub kind: Kind,
    /// Constraints to check on inputs.
    pub constraints: Constraints,
    /// The value must never be printed.
    pub sensitive: bool,
    /// `@timestampFormat` of the member or target, when set.
    pub timestamp_format: Option<TimestampFormat>,
    /// The XML and query wire names of the member that uses it (a structure or union
    /// member, a list element, a map key or value).
    pub wire: WireNames,
}

/// A Smithy timestamp format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// `date-time` (RFC 3339)
    DateTime,
    /// `epoch-seconds`
    EpochSeconds,
    /// `http-date` (IMF-fixdate)
    HttpDate,
}

/// Constraint traits that validators check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    /// `@length` min and max.
    pub length: Option<(Option<u64>, Option<u64>)>,
    /// `@range` min and max, as written (integers or decimals).
    pub range: Option<(Option<String>, Option<String>)>,
    /// Index into [`ServiceIr::patterns`].
    pub pattern: Option<usize>,
    /// `@uniqueItems`
    pub unique_items: bool,
}

impl Constraints {
    /// True when nothing is constrained.
    pub fn is_empty(&self) -> bool {
        self.length.is_none()
            && self.range.is_none()
            && self.pattern.is_none()
            && !self.unique_items
    }
}

/// A generated type.
#[derive(Clone, Debug)]
pub enum TypeDef {
    /// A structure (including error structures).
    Struct(StructDef),
    /// A union.
    Union(UnionDef),
    /// A string enum (open: unknown values are kept).
    Enum(EnumDef),
    /// An int enum (open).
    IntEnum(EnumDef),
}

impl TypeDef {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Union(u) => &u.name,
            TypeDef::Enum(e) | TypeDef::IntEnum(e) => &e.name,
        }
    }

    /// The shape it was generated from.
    pub fn id(&self) -> &ShapeId {
        match self {
            TypeDef::Struct(s) => &s.id,
            TypeDef::Union(u) => &u.id,
            TypeDef::Enum(e) | TypeDef::IntEnum(e) => &e.id,
        }
    }
}

/// How a member travels over HTTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// In the JSON body under this key (`jsonName` or the member name).
    Body(String),
    /// `@httpLabel`
    Label,
    /// `@httpQuery` with this name.
    Query(String),
    /// `@httpQueryParams`
    QueryParams,
    /// `@httpHeader` with this name.
    Header(String),
    /// `@httpPrefixHeaders` with this prefix.
    PrefixHeaders(String),
    /// `@httpPayload`
    Payload,
    /// `@httpResponseCode`
    ResponseCode,
}

/// The wire names a member carries for the XML and query protocols (`@xmlName`,
/// `@xmlAttribute`, `@xmlFlattened`, `@xmlNamespace`, `@ec2QueryName`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WireNames {
    /// `@xmlName`
    pub xml_name: Option<String>,
    /// `@xmlAttribute`
    pub xml_attribute: bool,
    /// `@xmlFlattened`
    pub xml_flattened: bool,
    /// `@xmlNamespace`: URI and prefix.
    pub xml_namespace: Option<(String, Option<String>)>,
    /// `@ec2QueryName`
    pub ec2_query_name: Option<String>,
}

/// A structure member.
#[derive(Clone, Debug)]
pub struct MemberIr {
    /// The member name in the model.
    pub name: String,
    /// The Rust field name (may be a raw identifier such as `r#type`).
    pub field: String,
    /// The Rust type of the value.
    pub ty: TypeRef,
    /// `@required` (without `@clientOptional`).
    pub required: bool,
    /// The value of `@default`, when the member has one (not `null`).
    pub default: Option<crate::model::Node>,
    /// Boxed to break a recursive cycle.
    pub boxed: bool,
    /// Markdown docs.
    pub docs: Option<String>,
    /// `@idempotencyToken`
    pub idempotency_token: bool,
    /// HTTP binding, as written. Protocols apply it only where it has meaning: on the top-level
    /// input (labels, query) or output (response code), never in nested structures.
    pub binding: Binding,
    /// The JSON key: `@jsonName`, else the member name.
    pub json_name: String,
    /// `@mediaType` of the target shape (strings and blobs), when set.
    pub media_type: Option<String>,
    /// `@hostLabel`: the value fills `{name}` in the operation's host prefix.
    pub host_label: bool,
    /// An `@httpPayload` member targeting an `@streaming` blob: its Rust type is the
    /// runtime's `ByteStream` (not `Blob`), so the structure is neither `Clone` nor
    /// `PartialEq`, and its constraints are not checked (the length is not known up front).
    pub streaming: bool,
    /// The streaming blob is `@requiresLength`: a stream of unknown length is refused.
    pub requires_length: bool,
    /// A member targeting an `@streaming` union: an event stream (`streaming` is set too:
    /// the member travels outside the body and is neither cloned, compared nor validated).
    pub event_stream: Option<EventStreamIr>,
    /// `@eventHeader` or `@eventPayload`, on a member of an event structure.
    pub event: EventBindingIr,
}

/// An event-stream member of an operation's input or output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventStreamIr {
    /// The event union (Rust name).
    pub union: String,
    /// On an output, the operation's error enum (the receiver's error type); `None` on an
    /// input (the member is a sender).
    pub output_error: Option<String>,
}

/// Where a member of an event structure travels in its message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventBindingIr {
    /// In the payload with the other unbound members.
    #[default]
    Body,
    /// `@eventHeader`
    Header,
    /// `@eventPayload`
    Payload,
}

impl MemberIr {
    /// Whether the Rust field is an `Option`: neither required nor defaulted. A streaming
    /// member never is (an unset stream is an empty one).
    pub fn is_optional(&self) -> bool {
        !self.required && self.default.is_none() && !self.streaming
    }
}

impl StructDef {
    /// Whether a member is a `ByteStream` (the structure cannot be cloned or compared).
    pub fn has_streaming(&self) -> bool {
        self.members.iter().any(|m| m.streaming)
    }
}

/// A structure.
#[derive(Clone, Debug)]
pub struct StructDef {
    /// The shape.
    pub id: ShapeId,
    /// Rust name.
    pub name: String,
    /// Markdown docs.
    pub docs: Option<String>,
    /// Members in model order.
    pub members: Vec<MemberIr>,
    /// The whole structure is `@sensitive`.
    pub sensitive: bool,
    /// Set for `@error` structures.
    pub error: Option<ErrorInfo>,
    /// `@xmlName` and `@xmlNamespace` of the shape.
    pub xml: WireNames,
    /// Reachable from an operation input (gets validators).
    pub in_input: bool,
    /// Reachable from an operation output or error (gets deserializers).
    pub in_output: bool,
    /// Gets serializers: reachable from an input, or from the output of an operation whose
    /// waiter reads it.
    pub serialized: bool,
}

/// What `@error`, `@httpError` and `@retryable` say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// `client` or `server` fault.
    pub server_fault: bool,
    /// `@httpError`, when set.
    pub http_status: Option<u16>,
    /// `@retryable`
    pub retryable: bool,
    /// `@retryable(throttling: true)`
    pub throttling: bool,
    /// `aws.protocols#awsQueryError`: the query API's code and HTTP status.
    pub query_error: Option<(String, Option<u16>)>,
}

/// A union.
#[derive(Clone, Debug)]
pub struct UnionDef {
    /// The shape.
    pub id: ShapeId,
    /// Rust name.
    pub name: String,
    /// Markdown docs.
    pub docs: Option<String>,
    /// Variants in model order.
    pub variants: Vec<VariantIr>,
    /// The whole union is `@sensitive`.
    pub sensitive: bool,
    /// Reachable from an operation input.
    pub in_input: bool,
    /// Reachable from an operation output or error.
    pub in_output: bool,
    /// Gets serializers (see [`StructDef::serialized`]).
    pub serialized: bool,
    /// An `@streaming` union (an event stream): its members targeting `@error` structures
    /// are exception events, received as the operation's errors (model order); they are
    /// variants only when the union is an input stream's (a client may send one).
    pub event_errors: Vec<EventErrorIr>,
}

/// A member of an event union naming an exception event.
#[derive(Clone, Debug)]
pub struct EventErrorIr {
    /// The member name (the `:exception-type` of its messages).
    pub name: String,
    /// The error structure (Rust name).
    pub type_name: String,
}

/// A union variant.
#[derive(Clone, Debug)]
pub struct VariantIr {
    /// Member name in the model (the JSON key).
    pub name: String,
    /// Rust variant name.
    pub variant: String,
    /// The value; `None` for members targeting `smithy.api#Unit`.
    pub ty: Option<TypeRef>,
    /// Boxed to break a recursive cycle.
    pub boxed: bool,
    /// Markdown docs.
    pub docs: Option<String>,
    /// The JSON key: `@jsonName`, else the member name.
    pub json_name: String,
}

/// A string enum or int enum.
#[derive(Clone, Debug)]
pub struct EnumDef {
    /// The shape.
    pub id: ShapeId,
    /// Rust name.
    pub name: String,
    /// Markdown docs.
    pub docs: Option<String>,
    /// Known values in model order.
    pub values: Vec<EnumValueIr>,
    /// Values must never be printed.
    pub sensitive: bool,
}

/// One known enum value.
#[derive(Clone, Debug)]
pub struct EnumValueIr {
    /// Rust variant (string enums) or associated const (int enums) name.
    pub variant: String,
    /// The wire value (string enums).
    pub value: String,
    /// The wire value (int enums).
    pub int_value: i64,
    /// Markdown docs.
    pub docs: Option<String>,
}

/// The `@http` trait of an operation.
#[derive(Clone, Debug)]
pub struct HttpIr {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The URI pattern as written (`/tables/{TableName}?x=1`).
    pub uri: String,
    /// Path segments of the URI pattern.
    pub path: Vec<PathSegment>,
    /// Literal query pairs from the URI pattern (`?x=1&y`).
    pub query: Vec<(String, Option<String>)>,
    /// Success status code.
    pub code: u16,
}

/// A segment of an `@http` URI path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text.
    Literal(String),
    /// `{name}` bound to the member with this field.
    Label(String),
    /// `{name+}` greedy label.
    Greedy(String),
}

/// An operation.
#[derive(Clone, Debug)]
pub struct OperationIr {
    /// The shape.
    pub id: ShapeId,
    /// Name in the model (after `rename`).
    pub name: String,
    /// Client method / module name (`create_identity_provider`).
    pub method: String,
    /// Fluent builder type name (`CreateIdentityProvider`).
    pub builder: String,
    /// Error enum name (`CreateIdentityProviderError`).
    pub error_enum: String,
    /// Markdown docs.
    pub docs: Option<String>,
    /// Input structure (Rust name), `None` for `Unit`.
    pub input: Option<String>,
    /// Output structure (Rust name), `None` for `Unit`.
    pub output: Option<String>,
    /// Modeled errors (operation's, then the service's), each a structure.
    pub errors: Vec<ErrorRef>,
    /// `@http`, when present.
    pub http: Option<HttpIr>,
    /// `@paginated` (merged with the service's), when the tokens resolve to members of one
    /// usable type (strings, or maps such as DynamoDB's `Key`).
    pub pagination: Option<PaginationIr>,
    /// `smithy.waiters#waitable`: the operation's checked waiters, by name.
    pub waiters: Vec<WaiterIr>,
    /// The input or output has a member targeting an `@streaming` union (an event stream).
    pub event_stream: bool,
    /// An event-stream operation whose protocol's `eventStreamHttp` allows only HTTP/2.
    pub http2: bool,
    /// `@endpoint` `hostPrefix`, e.g. `foo.{label}.` (labels name `@hostLabel` members).
    pub host_prefix: Option<String>,
    /// `@httpChecksumRequired`: requests carry a `Content-MD5` header.
    pub checksum_required: bool,
    /// `@auth([])`: the operation takes no auth scheme, so requests go unsigned.
    pub unsigned: bool,
    /// `aws.protocols#httpChecksum`: flexible request and response checksums.
    pub http_checksum: Option<HttpChecksumIr>,
    /// `@requestCompression` encodings, in model order (empty: none).
    pub request_compression: Vec<String>,
    /// The endpoint parameters the operation binds itself (context members, static values,
    /// input paths): with any, its endpoint is resolved per call.
    pub endpoint_params: EndpointParamsIr,
}

/// What `aws.protocols#httpChecksum` says of an operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpChecksumIr {
    /// `requestAlgorithmMember`: the input member naming the request checksum's algorithm.
    pub request_algorithm_member: Option<String>,
    /// `requestChecksumRequired`: a checksum is sent even when configured `when_required`.
    pub request_required: bool,
    /// `requestValidationModeMember`: the input member that turns response validation on.
    pub validation_mode_member: Option<String>,
    /// `responseAlgorithms`, as modeled (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`).
    pub response_algorithms: Vec<String>,
}

/// How to page through an operation.
#[derive(Clone, Debug)]
pub struct PaginationIr {
    /// The input member (field) that takes the page token.
    pub input_token: String,
    /// Field path in the output to the next token; each step `true` when it is an `Option`.
    pub output_token: Vec<(String, bool)>,
    /// The token's type (the input member's): a string, or a map such as DynamoDB's `Key`.
    pub token: TypeRef,
    /// Field path in the output to the list of items, and the item type.
    pub items: Option<(Vec<(String, bool)>, TypeRef)>,
}

/// A modeled error of an operation.
#[derive(Clone, Debug)]
pub struct ErrorRef {
    /// The error structure's Rust name.
    pub type_name: String,
    /// The enum variant name.
    pub variant: String,
    /// The wire error code (the shape name).
    pub code: String,
    /// Retry classification.
    pub info: ErrorInfo,
}
