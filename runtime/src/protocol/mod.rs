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
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::{Member, Schema};
use crate::{Handle, OperationMeta, ServiceMeta};

pub mod aws_json;
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
/// protocol. Only the reading of `O` and `E` is generic; building and sending the request is
/// [`Handle::call`], compiled once.
pub async fn invoke<O: DeserializeShape, E: OperationError>(
    handle: &Handle,
    op: &'static Operation,
    input: &(dyn SerializeStruct + Sync),
) -> Result<O, SdkError<E>> {
    let response = handle.call(op, input).await.map_err(SendError::widen)?;
    // `call` fails without a protocol, so there is one here.
    let Some(protocol) = handle.protocol() else {
        return Err(SdkError::Construction(ConstructionError::new(
            "this client has no runtime protocol",
        )));
    };
    if response.is_success() {
        read_output(protocol, op, &response)
    } else {
        Err(read_error(protocol, handle.service(), op, &response))
    }
}

/// Reads the output of a success response.
pub fn read_output<O: DeserializeShape, E>(
    protocol: &dyn Protocol,
    op: &'static Operation,
    response: &HttpResponse,
) -> Result<O, SdkError<E>> {
    let root = Member::root(op.output);
    let mut out = None;
    protocol
        .deserialize_output(op, response, &mut |d| {
            out = Some(O::deserialize(d, &root)?);
            Ok(())
        })
        .and_then(|()| out.ok_or_else(|| DeError::missing("")))
        .map_err(|e| SdkError::Response(ResponseError::deserialize(response, e)))
}

/// Reads the typed error of an error response.
pub fn read_error<E: OperationError>(
    protocol: &dyn Protocol,
    service: &ServiceMeta,
    op: &'static Operation,
    response: &HttpResponse,
) -> SdkError<E> {
    let ParsedError { shape, meta } = match protocol.parse_error(service, response) {
        Ok(p) => p,
        Err(e) => return SdkError::Response(e),
    };
    let index = shape
        .as_deref()
        .and_then(|code| op.errors.iter().position(|s| s.name == code));
    let Some(index) = index else {
        return SdkError::service(E::unhandled(meta.clone()), meta);
    };
    let mut err = None;
    let read = protocol.deserialize_error(op.errors[index], response, &mut |d| {
        err = Some(E::modeled(index, d)?);
        Ok(())
    });
    match (read, err) {
        (Ok(()), Some(e)) => SdkError::service(e, meta),
        (Err(e), _) => SdkError::Response(ResponseError::deserialize(response, e)),
        (Ok(()), None) => {
            SdkError::Response(ResponseError::deserialize(response, DeError::missing("")))
        }
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

/// Collects the string values of `@hostLabel` members (and ignores everything else).
#[derive(Default)]
struct HostLabels {
    values: Vec<(&'static str, String)>,
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
        if member.host_label {
            self.values.push((member.name, value.to_owned()));
        }
    }
    fn write_blob(&mut self, _: &Member, _: &crate::Blob) {}
    fn write_timestamp(&mut self, _: &Member, _: &crate::DateTime) {}
    fn write_document(&mut self, _: &Member, _: &crate::Document) {}
    fn write_null(&mut self, _: &Member) {}
}
