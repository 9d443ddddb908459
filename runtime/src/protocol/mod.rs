//! Wire protocols, one module each, over the shared codecs of [`crate::codec`]: how an
//! operation's input becomes an HTTP request, how a response becomes its output, and how an
//! error response names its error.
//!
//! A generated client describes each operation with a static [`Operation`] and each service
//! with a [`crate::ServiceMeta`] naming its protocols; [`invoke`] does the rest.
//! The send pipeline ([`Handle::dispatch`](crate::Handle::dispatch)) asks the service's
//! protocol for error codes (for retry classification) and knows no protocol itself.
//!
//! To add a protocol: a module here implementing [`Protocol`], a `static` of it, its name in
//! [`by_id`], and its conformance cases (see ARCHITECTURE.md).

use crate::codec::{DeError, DeserializeShape, SerializeStruct, ShapeDeserializer};
use crate::error::{ConstructionError, ErrorMetadata, ResponseError, SdkError, SendError};
use crate::http::{HttpRequest, HttpResponse, StreamingResponse};
use crate::schema::{Member, Schema};
use crate::stream::ByteStream;
use crate::{Handle, OperationMeta, ServiceMeta};

pub mod aws_json;
pub mod aws_query;
pub mod ec2_query;
pub mod flexible_checksums;
pub mod http_binding;
pub mod rest_json;
pub mod rest_xml;
pub mod rpc_v2_cbor;

/// What a protocol needs to know about an operation; a `static` per operation.
#[derive(Debug)]
pub struct Operation {
    /// The name, retry and compression facts the send pipeline uses.
    pub meta: OperationMeta,
    /// The input structure (`smithy.api#Unit` when there is none).
    pub input: &'static Schema,
    /// The output structure (`smithy.api#Unit` when there is none).
    pub output: &'static Schema,
    /// The modeled errors, in the order of the operation's error enum.
    pub errors: &'static [&'static Schema],
    /// `@http`: method, URI pattern and success code (HTTP-binding protocols only).
    pub http: Option<HttpTrait>,
    /// `@endpoint` host prefix (`{Label}.`, filled from `@hostLabel` members).
    pub host_prefix: Option<&'static str>,
    /// `@httpChecksumRequired`: HTTP-binding protocols send `Content-MD5`.
    pub checksum_required: bool,
    /// `aws.protocols#httpChecksum`: flexible request and response checksums.
    pub http_checksum: Option<HttpChecksum>,
    /// The endpoint parameters the operation binds itself (context members, static values,
    /// input paths); an operation with any is resolved per call.
    pub endpoint_params: crate::endpoint::OperationParams,
    /// An event-stream operation whose protocol says its streams need HTTP/2
    /// (`eventStreamHttp: ["h2"]`: Transcribe streaming, Kinesis `SubscribeToShard`).
    pub http2: bool,
}

impl Operation {
    /// An operation named `name` with no errors and no traits.
    pub const fn new(
        name: &'static str,
        input: &'static Schema,
        output: &'static Schema,
        errors: &'static [&'static Schema],
    ) -> Operation {
        Operation {
            meta: OperationMeta {
                name,
                retryable_errors: &[],
                throttling_errors: &[],
                request_compression: &[],
                unsigned: false,
            },
            input,
            output,
            errors,
            http: None,
            host_prefix: None,
            checksum_required: false,
            http_checksum: None,
            endpoint_params: crate::endpoint::OperationParams::NONE,
            http2: false,
        }
    }

    /// Event streams over HTTP/2 only.
    pub const fn http2(mut self) -> Operation {
        self.http2 = true;
        self
    }

    /// `@http`.
    pub const fn http(mut self, method: &'static str, uri: &'static str, code: u16) -> Operation {
        self.http = Some(HttpTrait { method, uri, code });
        self
    }

    /// Error codes modeled `@retryable`, and those of them modeled `@retryable(throttling)`.
    pub const fn retryable(
        mut self,
        retryable: &'static [&'static str],
        throttling: &'static [&'static str],
    ) -> Operation {
        self.meta.retryable_errors = retryable;
        self.meta.throttling_errors = throttling;
        self
    }

    /// `@requestCompression` encodings.
    pub const fn request_compression(mut self, encodings: &'static [&'static str]) -> Operation {
        self.meta.request_compression = encodings;
        self
    }

    /// `@endpoint` host prefix.
    pub const fn host_prefix(mut self, prefix: &'static str) -> Operation {
        self.host_prefix = Some(prefix);
        self
    }

    /// `@auth([])`: sent unsigned.
    pub const fn unsigned(mut self) -> Operation {
        self.meta.unsigned = true;
        self
    }

    /// `@httpChecksumRequired`.
    pub const fn checksum_required(mut self) -> Operation {
        self.checksum_required = true;
        self
    }

    /// `aws.protocols#httpChecksum`.
    pub const fn http_checksum(mut self, checksum: HttpChecksum) -> Operation {
        self.http_checksum = Some(checksum);
        self
    }

    /// `smithy.rules#contextParam`: (endpoint parameter, top-level input member) pairs.
    pub const fn context_params(
        mut self,
        params: &'static [(&'static str, &'static str)],
    ) -> Operation {
        self.endpoint_params.context = params;
        self
    }

    /// `smithy.rules#staticContextParams`: (endpoint parameter, value) pairs.
    pub const fn static_context_params(
        mut self,
        params: &'static [(&'static str, crate::endpoint::StaticParam)],
    ) -> Operation {
        self.endpoint_params.static_params = params;
        self
    }

    /// `smithy.rules#operationContextParams`: (endpoint parameter, path into the input)
    /// pairs, each path parsed by the generator ([`crate::endpoint::PathExpr`]).
    pub const fn operation_context_params(
        mut self,
        params: &'static [(&'static str, crate::endpoint::PathExpr)],
    ) -> Operation {
        self.endpoint_params.operation = params;
        self
    }
}

/// The `aws.protocols#httpChecksum` trait of an operation.
#[derive(Clone, Copy, Debug, Default)]
pub struct HttpChecksum {
    /// The input member naming the request checksum's algorithm (`ChecksumAlgorithm`).
    pub request_algorithm_member: Option<&'static str>,
    /// `requestChecksumRequired`: a checksum is sent whatever the configuration says.
    pub request_required: bool,
    /// The input member whose value `ENABLED` asks for response validation (`ChecksumMode`).
    pub validation_mode_member: Option<&'static str>,
    /// The algorithms the response may carry (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`,
    /// `SHA256`).
    pub response_algorithms: &'static [&'static str],
}

impl HttpChecksum {
    /// Nothing set.
    pub const fn new() -> HttpChecksum {
        HttpChecksum {
            request_algorithm_member: None,
            request_required: false,
            validation_mode_member: None,
            response_algorithms: &[],
        }
    }

    /// `requestAlgorithmMember`.
    pub const fn request_algorithm_member(mut self, member: &'static str) -> HttpChecksum {
        self.request_algorithm_member = Some(member);
        self
    }

    /// `requestChecksumRequired`.
    pub const fn request_required(mut self) -> HttpChecksum {
        self.request_required = true;
        self
    }

    /// `requestValidationModeMember`.
    pub const fn validation_mode_member(mut self, member: &'static str) -> HttpChecksum {
        self.validation_mode_member = Some(member);
        self
    }

    /// `responseAlgorithms`.
    pub const fn response_algorithms(
        mut self,
        algorithms: &'static [&'static str],
    ) -> HttpChecksum {
        self.response_algorithms = algorithms;
        self
    }
}

/// The `@http` trait.
#[derive(Debug)]
pub struct HttpTrait {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The URI pattern (`/tables/{TableName}?x=1`).
    pub uri: &'static str,
    /// The success status code.
    pub code: u16,
}

/// A wire protocol.
pub trait Protocol: Sync + std::fmt::Debug {
    /// The protocol's shape id (`aws.protocols#awsJson1_0`).
    fn id(&self) -> &'static str;

    /// Builds the request for `input` (path and query in `uri`; the pipeline adds the
    /// endpoint, host prefix, signing and content length).
    fn serialize_request(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        input: &dyn SerializeStruct,
    ) -> Result<HttpRequest, ConstructionError>;

    /// Adds what depends on a streamed request body's bytes (checksums), when the stream is
    /// in memory; one-shot streams get nothing. The default does nothing.
    fn finish_streaming(
        &self,
        _service: &ServiceMeta,
        _op: &Operation,
        _request: &mut HttpRequest,
        _body: &[u8],
    ) -> Result<(), ConstructionError> {
        Ok(())
    }

    /// Whether `response` is an error response. The default: any status but 2xx. restXml
    /// also counts S3's 200 responses whose body is an `<Error>` (CopyObject, UploadPartCopy,
    /// CompleteMultipartUpload fail that way after the status is sent).
    fn is_error(&self, _op: &Operation, response: &HttpResponse) -> bool {
        !response.is_success()
    }

    /// The session credentials of an S3 Express `CreateSession` answer (restXml, S3's
    /// protocol, only; `None` elsewhere). Behind the protocol so that clients of other
    /// protocols do not link the XML reader. The error names the status and S3's error code,
    /// never a credential.
    fn express_session(
        &self,
        _response: &HttpResponse,
    ) -> Option<Result<crate::credentials::Credentials, String>> {
        None
    }

    /// How the protocol serializes a structure in an event-stream message's payload (the
    /// payload of an event without an `@eventPayload` member, or a structure bound to one),
    /// and the `:content-type` it is sent with. `None`: this protocol has no event streams.
    fn write_event_body(
        &self,
        _member: &Member,
        _value: &dyn SerializeStruct,
    ) -> Option<(Vec<u8>, &'static str)> {
        None
    }

    /// Reads an event-stream message's payload as the protocol serializes a structure:
    /// `read` is given a deserializer over the document in `payload` (`path` roots error
    /// paths). The default refuses: this protocol has no event streams.
    fn read_event_body(
        &self,
        payload: &[u8],
        path: &str,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let _ = (payload, read);
        Err(DeError::unsupported(path.to_owned()))
    }

    /// Whether the members beside an event stream travel in an `initial-request` (input) or
    /// `initial-response` (output) event, serialized as the protocol's body (RPC protocols),
    /// rather than in the request's or response's head (HTTP-binding protocols).
    fn initial_message_events(&self) -> bool {
        false
    }

    /// Reads a success response: `read` is given a deserializer over the output.
    fn deserialize_output(
        &self,
        op: &Operation,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError>;

    /// Reads an error response's metadata and which error shape it names. A body this
    /// protocol cannot read is a [`ResponseError`].
    fn parse_error(
        &self,
        service: &ServiceMeta,
        response: &HttpResponse,
    ) -> Result<ParsedError, ResponseError>;

    /// Reads the members of the modeled error `schema` from an error response: `read` is
    /// given a deserializer over the error structure.
    fn deserialize_error(
        &self,
        schema: &'static Schema,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError>;
}

/// An error response, as a protocol reads it.
#[derive(Clone, Debug)]
pub struct ParsedError {
    /// The name of the error shape the response names (matched against
    /// [`Operation::errors`] and the retryable codes).
    pub shape: Option<String>,
    /// The metadata users see: the code (for query-compatible services the query API's
    /// code), message, request id and status.
    pub meta: ErrorMetadata,
}

/// The protocols this runtime speaks, by shape id.
pub fn by_id(id: &str) -> Option<&'static dyn Protocol> {
    match id {
        aws_json::AWS_JSON_1_0_ID => Some(&aws_json::AWS_JSON_1_0),
        aws_json::AWS_JSON_1_1_ID => Some(&aws_json::AWS_JSON_1_1),
        rest_json::ID => Some(&rest_json::REST_JSON_1),
        rest_xml::ID => Some(&rest_xml::REST_XML),
        aws_query::ID => Some(&aws_query::AWS_QUERY),
        ec2_query::ID => Some(&ec2_query::EC2_QUERY),
        rpc_v2_cbor::ID => Some(&rpc_v2_cbor::RPC_V2_CBOR),
        _ => None,
    }
}

/// An operation's error enum, as generated: builds a modeled error from the position of its
/// schema in [`Operation::errors`], or an unhandled one.
pub trait OperationError: Sized {
    /// The modeled error at `index` of [`Operation::errors`], read from `d`.
    fn modeled(index: usize, d: &mut dyn ShapeDeserializer) -> Result<Self, DeError>;
    /// An error the model does not name.
    fn unhandled(meta: ErrorMetadata) -> Self;
}

/// Sends `input` as `op` and reads the output or the typed error: the whole call, for every
/// protocol. Generated code does the same in two steps: it awaits [`Handle::call`] (compiled
/// once) and hands the result to [`finish`], the only generic part.
pub async fn invoke<O: DeserializeShape, E: OperationError>(
    handle: &Handle,
    op: &'static Operation,
    input: &(dyn SerializeStruct + Sync),
) -> Result<O, SdkError<E>> {
    let response = handle.call(op, input).await;
    finish(handle, op, response)
}

/// What [`finish_with`] found.
enum Finished {
    /// The output was read.
    Output,
    /// An error response was read (its modeled error, if any, too).
    Error(ErrorMetadata),
}

/// The output of a success response, or the typed error of an error response, read with
/// the client's protocol; a failed send is passed on. Kept as small as possible: it is
/// instantiated once per operation, and its work is done by a non-generic helper.
pub fn finish<O: DeserializeShape, E: OperationError>(
    handle: &Handle,
    op: &'static Operation,
    response: Result<HttpResponse, SendError>,
) -> Result<O, SdkError<E>> {
    let mut out = None;
    let mut err = None;
    let finished = finish_with(
        handle,
        op,
        response,
        &mut |d, root| {
            out = Some(O::deserialize(d, root)?);
            Ok(())
        },
        &mut |index, d| {
            err = Some(E::modeled(index, d)?);
            Ok(())
        },
    );
    match finished {
        Ok(Finished::Output) => match out {
            Some(o) => Ok(o),
            None => Err(SdkError::Response(ResponseError::new(
                0,
                "no output was read",
            ))),
        },
        Ok(Finished::Error(meta)) => Err(match err {
            Some(e) => SdkError::service(e, meta),
            None => SdkError::service(E::unhandled(meta.clone()), meta),
        }),
        Err(e) => Err(e.widen()),
    }
}

/// The non-generic part of [`finish`].
fn finish_with(
    handle: &Handle,
    op: &'static Operation,
    response: Result<HttpResponse, SendError>,
    read_output: &mut dyn FnMut(&mut dyn ShapeDeserializer, &Member) -> Result<(), DeError>,
    read_error: &mut dyn FnMut(usize, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
) -> Result<Finished, SendError> {
    let response = response?;
    // `call` fails without a protocol, so there is one here.
    let protocol = handle.protocol().ok_or_else(|| {
        SdkError::Construction(ConstructionError::new(
            "this client has no runtime protocol",
        ))
    })?;
    if !protocol.is_error(op, &response) {
        read_output_with(protocol, op, &response, read_output).map_err(SdkError::Response)?;
        Ok(Finished::Output)
    } else {
        read_error_with(protocol, handle.service(), op, &response, read_error)
            .map(Finished::Error)
            .map_err(SdkError::Response)
    }
}

/// [`invoke`] for operations with an `@streaming` blob payload: `body` (taken out of the
/// input) is sent as the request body, and a streamed output payload comes back unread beside
/// the output (the generated code puts it in its member). An output without a streamed
/// payload is read whole, and the returned stream is empty.
pub async fn invoke_streaming<O: DeserializeShape, E: OperationError>(
    handle: &Handle,
    op: &'static Operation,
    input: &(dyn SerializeStruct + Sync),
    body: Option<ByteStream>,
    stream_output: bool,
) -> Result<(O, ByteStream), SdkError<E>> {
    let response = handle
        .call_streaming(op, input, body)
        .await
        .map_err(SendError::widen)?;
    let Some(protocol) = handle.protocol() else {
        return Err(SdkError::Construction(ConstructionError::new(
            "this client has no runtime protocol",
        )));
    };
    if response.is_success() && stream_output {
        return read_output_streaming(protocol, op, response);
    }
    // Error responses arrive read whole; a success without a streamed payload is read here.
    let response = response
        .into_buffered(crate::http::DEFAULT_MAX_RESPONSE_BODY)
        .await
        .map_err(SdkError::Transport)?;
    if !protocol.is_error(op, &response) {
        read_output(protocol, op, &response).map(|o| (o, ByteStream::default()))
    } else {
        Err(read_error(protocol, handle.service(), op, &response))
    }
}

/// Reads the output of a success response whose payload is streamed: the bound members
/// from the head, and the body, unread, beside it.
pub fn read_output_streaming<O: DeserializeShape, E>(
    protocol: &dyn Protocol,
    op: &'static Operation,
    response: StreamingResponse,
) -> Result<(O, ByteStream), SdkError<E>> {
    let StreamingResponse {
        status,
        headers,
        body,
    } = response;
    let head = HttpResponse {
        status,
        headers,
        body: bytes::Bytes::new(),
    };
    read_output(protocol, op, &head).map(|o| (o, body))
}

/// Reads the output of a success response.
pub fn read_output<O: DeserializeShape, E>(
    protocol: &dyn Protocol,
    op: &'static Operation,
    response: &HttpResponse,
) -> Result<O, SdkError<E>> {
    let mut out = None;
    read_output_with(protocol, op, response, &mut |d, root| {
        out = Some(O::deserialize(d, root)?);
        Ok(())
    })
    .map_err(SdkError::Response)?;
    out.ok_or_else(|| {
        SdkError::Response(ResponseError::deserialize(response, DeError::missing("")))
    })
}

/// The non-generic part of [`read_output`]: hands `read` a deserializer over the output and
/// its root member.
fn read_output_with(
    protocol: &dyn Protocol,
    op: &'static Operation,
    response: &HttpResponse,
    read: &mut dyn FnMut(&mut dyn ShapeDeserializer, &Member) -> Result<(), DeError>,
) -> Result<(), ResponseError> {
    let root = Member::root(op.output);
    protocol
        .deserialize_output(op, response, &mut |d| read(d, &root))
        .map_err(|e| ResponseError::deserialize(response, e))
}

/// Reads the typed error of an error response.
pub fn read_error<E: OperationError>(
    protocol: &dyn Protocol,
    service: &ServiceMeta,
    op: &'static Operation,
    response: &HttpResponse,
) -> SdkError<E> {
    let mut err = None;
    let read = read_error_with(protocol, service, op, response, &mut |index, d| {
        err = Some(E::modeled(index, d)?);
        Ok(())
    });
    match (read, err) {
        (Ok(meta), Some(e)) => SdkError::service(e, meta),
        (Ok(meta), None) => SdkError::service(E::unhandled(meta.clone()), meta),
        (Err(e), _) => SdkError::Response(e),
    }
}

/// The non-generic part of [`read_error`]: the error's metadata, after `read` was given the
/// index of the modeled error the response names (in [`Operation::errors`]) and a
/// deserializer over it; `read` is not called for an error the model does not name.
fn read_error_with(
    protocol: &dyn Protocol,
    service: &ServiceMeta,
    op: &'static Operation,
    response: &HttpResponse,
    read: &mut dyn FnMut(usize, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
) -> Result<ErrorMetadata, ResponseError> {
    let ParsedError { shape, meta } = protocol.parse_error(service, response)?;
    // The code names the shape, or (awsQuery, ec2Query) its `@awsQueryError` code.
    let found = shape.as_deref().and_then(|code| {
        op.errors
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == code || s.query_error_code == Some(code))
    });
    let Some((index, schema)) = found else {
        return Ok(meta);
    };
    let mut called = false;
    protocol
        .deserialize_error(schema, response, &mut |d| {
            called = true;
            read(index, d)
        })
        .map_err(|e| ResponseError::deserialize(response, e))?;
    if called {
        Ok(meta)
    } else {
        Err(ResponseError::deserialize(response, DeError::missing("")))
    }
}

/// Expands an `@endpoint` host prefix template (`{Label}.data.`): each `{name}` takes the
/// value of the input's `@hostLabel` member of that name, which must be a valid host label.
pub fn host_prefix(
    template: &str,
    input_schema: &'static Schema,
    input: &dyn SerializeStruct,
) -> Result<String, ConstructionError> {
    let mut labels = HostLabels::default();
    input.serialize_members(&mut labels);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        let (label, tail) = after.split_once('}').unwrap_or((after, ""));
        rest = tail;
        let bound = input_schema
            .members
            .iter()
            .any(|m| m.name == label && m.host_label);
        if !bound {
            return Err(ConstructionError::new(format!(
                "the host label `{label}` has no member bound to it"
            )));
        }
        let value = labels
            .values
            .iter()
            .find(|(n, _)| *n == label)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                ConstructionError::new(format!("the host label `{label}` must be set"))
            })?;
        out.push_str(crate::binding::host_label(value, label)?);
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of the input's top-level string member `name`, when set.
pub(crate) fn string_member(input: &dyn SerializeStruct, name: &str) -> Option<String> {
    let mut all = HostLabels {
        values: Vec::new(),
        any_member: true,
    };
    input.serialize_members(&mut all);
    all.values
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Collects the string values of `@hostLabel` members (of every top-level string member with
/// `any_member`), and ignores everything else.
#[derive(Default)]
struct HostLabels {
    values: Vec<(&'static str, String)>,
    any_member: bool,
}

impl crate::codec::ShapeSerializer for HostLabels {
    fn write_struct(&mut self, _: &Member, _: &dyn SerializeStruct) {}
    fn write_list(
        &mut self,
        _: &Member,
        _: usize,
        _: &mut dyn FnMut(&mut dyn crate::codec::ShapeSerializer),
    ) {
    }
    fn write_map(
        &mut self,
        _: &Member,
        _: usize,
        _: &mut dyn FnMut(&mut dyn crate::codec::ShapeSerializer),
    ) {
    }
    fn write_key(&mut self, _: &str) {}
    fn write_bool(&mut self, _: &Member, _: bool) {}
    fn write_integer(&mut self, _: &Member, _: i64) {}
    fn write_float(&mut self, _: &Member, _: f32) {}
    fn write_double(&mut self, _: &Member, _: f64) {}
    fn write_big_integer(&mut self, _: &Member, _: &crate::BigInteger) {}
    fn write_big_decimal(&mut self, _: &Member, _: &crate::BigDecimal) {}
    fn write_string(&mut self, member: &Member, value: &str) {
        if member.host_label || self.any_member {
            self.values.push((member.name, value.to_owned()));
        }
    }
    fn write_blob(&mut self, _: &Member, _: &crate::Blob) {}
    fn write_timestamp(&mut self, _: &Member, _: &crate::DateTime) {}
    fn write_document(&mut self, _: &Member, _: &crate::Document) {}
    fn write_null(&mut self, _: &Member) {}
}
