//! `smithy.protocols#rpcv2Cbor`: every operation is a `POST` to
//! `/service/{service shape name}/operation/{operation name}` with
//! `smithy-protocol: rpc-v2-cbor`, `Accept: application/cbor` and a CBOR body (see
//! [`crate::codec::cbor`]); HTTP binding traits do not apply. An operation whose input is
//! `Unit` sends no body and no `Content-Type`; any other input, even an empty one, is a map.
//!
//! A response body that is empty reads as an empty structure. Error responses name their
//! shape in the body's `__type` (an absolute shape id, reduced to its name; the
//! `X-Amzn-Errortype` header and `code` members are ignored, as the spec requires), with the
//! message in `message` or `Message`. With `awsQueryCompatible`, requests carry
//! `x-amzn-query-mode: true` and an `x-amzn-query-error: Code;Fault` response header gives the
//! error code the service's query API used.

use http::Method;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

use super::{Operation, ParsedError, Protocol, aws_json};
use crate::ServiceMeta;
use crate::codec::cbor::{CborDeserializer, to_cbor, validate};
use crate::codec::{DeError, SerializeStruct, ShapeDeserializer};
use crate::error::rest_json::{request_id, sanitize_error_code};
use crate::error::{ConstructionError, ErrorMetadata, ResponseError};
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::{Member, Schema, prelude};

/// The shape id of rpcv2Cbor.
pub const ID: &str = "smithy.protocols#rpcv2Cbor";

/// The media type of request and response bodies.
const CBOR: &str = "application/cbor";

/// What an empty body reads as: an empty map.
const EMPTY_MAP: &[u8] = &[0xa0];

/// rpcv2Cbor.
pub static RPC_V2_CBOR: RpcV2Cbor = RpcV2Cbor { _private: () };

/// The rpcv2Cbor protocol; its one value is [`RPC_V2_CBOR`].
#[derive(Debug)]
pub struct RpcV2Cbor {
    _private: (),
}

/// The members of an error body the protocol itself reads.
static ERROR_FIELDS: Schema = Schema::structure(
    "smithy.protocols#rpcv2CborErrorFields",
    "ErrorFields",
    &[
        Member::new("__type", 0, &prelude::STRING),
        Member::new("message", 1, &prelude::STRING),
        Member::new("Message", 2, &prelude::STRING),
    ],
);

/// The body to read: an empty one is an empty map; one that is not a single well-formed
/// CBOR item is an error.
fn cbor_body(body: &[u8]) -> Result<&[u8], DeError> {
    if body.is_empty() {
        return Ok(EMPTY_MAP);
    }
    validate(body).map_err(|e| DeError::new("", format!("a well-formed CBOR body ({e})")))?;
    Ok(body)
}

/// The text values of `__type`, `message` and `Message` in an error body (in that order);
/// members of other types, and bodies that are not maps, give `None`.
fn error_fields(body: &[u8]) -> [Option<String>; 3] {
    let mut out = [None, None, None];
    let root = Member::root(&ERROR_FIELDS);
    let mut d = CborDeserializer::new(body, "");
    let _not_a_map = d.read_struct(&root, &mut |m, d| {
        if let (Some(slot), Ok(text)) = (out.get_mut(m.index), d.read_string(m)) {
            *slot = Some(text);
        }
        Ok(())
    });
    out
}

fn header(value: &'static str) -> HeaderValue {
    HeaderValue::from_static(value)
}

impl Protocol for RpcV2Cbor {
    fn id(&self) -> &'static str {
        ID
    }

    fn serialize_request(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        input: &dyn SerializeStruct,
    ) -> Result<HttpRequest, ConstructionError> {
        let uri = format!("/service/{}/operation/{}", service.shape_name, op.meta.name);
        let mut request = HttpRequest::new(Method::POST, uri);
        let headers = &mut request.headers;
        headers.insert("smithy-protocol", header("rpc-v2-cbor"));
        headers.insert(ACCEPT, header(CBOR));
        if service.query_compatible {
            headers.insert("x-amzn-query-mode", header("true"));
        }
        if op.input.id != prelude::UNIT.id {
            headers.insert(CONTENT_TYPE, header(CBOR));
            request.body = to_cbor(input, &Member::root(op.input)).into();
        }
        Ok(request)
    }

    fn write_event_body(
        &self,
        member: &Member,
        value: &dyn SerializeStruct,
    ) -> Option<(Vec<u8>, &'static str)> {
        Some((to_cbor(value, member), "application/cbor"))
    }

    fn read_event_body(
        &self,
        payload: &[u8],
        path: &str,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let body = cbor_body(payload)?;
        read(&mut CborDeserializer::new(body, path))
    }

    fn initial_message_events(&self) -> bool {
        true
    }

    fn deserialize_output(
        &self,
        op: &Operation,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let body = cbor_body(&response.body)?;
        read(&mut CborDeserializer::new(body, op.output.name))
    }

    fn parse_error(
        &self,
        service: &ServiceMeta,
        response: &HttpResponse,
    ) -> Result<ParsedError, ResponseError> {
        let body = cbor_body(&response.body).map_err(|_| {
            ResponseError::new(response.status, "error response body is not CBOR")
                .with_excerpt(&response.body)
        })?;
        let [kind, message, message_upper] = error_fields(body);
        let code = kind
            .as_deref()
            .map(sanitize_error_code)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let message = message.or(message_upper);
        let meta = ErrorMetadata::new(response.status, code, message, request_id(response));
        Ok(aws_json::query_compatible(service, response, meta))
    }

    fn deserialize_error(
        &self,
        schema: &'static Schema,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let body = cbor_body(&response.body)?;
        read(&mut CborDeserializer::new(body, schema.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Blob;

    static SERVICE: ServiceMeta = ServiceMeta {
        sdk_id: "RpcV2 Protocol",
        signing_name: "rpcv2protocol",
        endpoint_prefix: "rpcv2protocol",
        api_version: "2020-07-14",
        endpoint_rules: None,
        env_name: "RPCV2_PROTOCOL",
        shape_name: "RpcV2Protocol",
        protocols: &[],
        query_compatible: false,
        xml_namespace: None,
    };
    static QUERY_SERVICE: ServiceMeta = ServiceMeta {
        shape_name: "QueryCompatibleRpcV2Protocol",
        query_compatible: true,
        xml_namespace: None,
        ..SERVICE
    };
    static EMPTY: Schema = Schema::structure("test#EmptyStructure", "EmptyStructure", &[]);
    static GREETING: Schema = Schema::structure(
        "test#GreetingWithErrorsOutput",
        "GreetingWithErrorsOutput",
        &[Member::new("greeting", 0, &prelude::STRING)],
    );

    const fn op(name: &'static str, input: &'static Schema, output: &'static Schema) -> Operation {
        Operation::new(name, input, output, &[])
    }

    static NO_INPUT: Operation = op("NoInputOutput", &prelude::UNIT, &prelude::UNIT);
    static EMPTY_INPUT: Operation = op("EmptyInputOutput", &EMPTY, &EMPTY);
    static GREETING_OP: Operation = op("GreetingWithErrors", &prelude::UNIT, &GREETING);

    struct Nothing;
    impl SerializeStruct for Nothing {
        fn serialize_members(&self, _: &mut dyn crate::codec::ShapeSerializer) {}
    }

    fn body(b64: &str) -> Vec<u8> {
        Blob::from_base64(b64).unwrap().into_inner()
    }

    #[test]
    fn unit_input_sends_no_body_and_no_content_type() {
        let r = RPC_V2_CBOR
            .serialize_request(&SERVICE, &NO_INPUT, &Nothing)
            .unwrap();
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.uri, "/service/RpcV2Protocol/operation/NoInputOutput");
        assert_eq!(r.headers["smithy-protocol"], "rpc-v2-cbor");
        assert_eq!(r.headers["accept"], "application/cbor");
        for forbidden in ["content-type", "x-amz-target", "x-amzn-query-mode"] {
            assert!(!r.headers.contains_key(forbidden), "{forbidden}");
        }
        assert!(r.body.is_empty());
    }

    #[test]
    fn empty_input_is_an_empty_map() {
        let r = RPC_V2_CBOR
            .serialize_request(&SERVICE, &EMPTY_INPUT, &Nothing)
            .unwrap();
        assert_eq!(r.headers["content-type"], "application/cbor");
        assert_eq!(&r.body[..], [0xa0]);
    }

    #[test]
    fn query_compatible_services_send_the_query_mode_header() {
        let r = RPC_V2_CBOR
            .serialize_request(&QUERY_SERVICE, &NO_INPUT, &Nothing)
            .unwrap();
        assert_eq!(
            r.uri,
            "/service/QueryCompatibleRpcV2Protocol/operation/NoInputOutput"
        );
        assert_eq!(r.headers["x-amzn-query-mode"], "true");
    }

    fn output(response: &HttpResponse) -> Result<Option<String>, DeError> {
        let mut greeting = None;
        RPC_V2_CBOR.deserialize_output(&GREETING_OP, response, &mut |d| {
            d.read_struct(&Member::root(&GREETING), &mut |m, d| {
                greeting = Some(d.read_string(m)?);
                Ok(())
            })
        })?;
        Ok(greeting)
    }

    #[test]
    fn empty_or_empty_map_bodies_are_empty_outputs() {
        for b in [vec![], vec![0xa0], body("v/8=")] {
            assert_eq!(output(&HttpResponse::new(200, b)).unwrap(), None);
        }
        let greeting = [&[0xa1, 0x68][..], b"greeting", &[0x62], b"hi"].concat();
        assert_eq!(
            output(&HttpResponse::new(200, greeting))
                .unwrap()
                .as_deref(),
            Some("hi")
        );
        let err = output(&HttpResponse::new(200, &b"<html>"[..])).unwrap_err();
        assert!(
            err.expected().starts_with("a well-formed CBOR body"),
            "{err}"
        );
    }

    #[test]
    fn errors_are_named_by_type_in_the_body() {
        // RpcV2CborInvalidGreetingError (an indefinite-length map).
        let r = HttpResponse::new(400, body("v2ZfX3R5cGV4LnNtaXRoeS5wcm90b2NvbHRlc3RzLnJwY3YyQ2JvciNJbnZhbGlkR3JlZXRpbmdnTWVzc2FnZWJIaf8="))
            .with_header("smithy-protocol", "rpc-v2-cbor")
            .with_header("x-amzn-errortype", "Ignored")
            .with_header("x-amzn-requestid", "req-1");
        let p = RPC_V2_CBOR.parse_error(&SERVICE, &r).unwrap();
        assert_eq!(p.shape.as_deref(), Some("InvalidGreeting"));
        assert_eq!(p.meta.code(), Some("InvalidGreeting"));
        assert_eq!(p.meta.message(), Some("Hi"));
        assert_eq!(p.meta.request_id(), Some("req-1"));
        assert_eq!(p.meta.status(), 400);
        // RpcV2CborEmptyComplexError: no message.
        let r = HttpResponse::new(
            400,
            body("v2ZfX3R5cGV4K3NtaXRoeS5wcm90b2NvbHRlc3RzLnJwY3YyQ2JvciNDb21wbGV4RXJyb3L/"),
        );
        let p = RPC_V2_CBOR.parse_error(&SERVICE, &r).unwrap();
        assert_eq!(
            (p.shape.as_deref(), p.meta.message()),
            (Some("ComplexError"), None)
        );
        // No `__type`, or a `code` member: no code.
        for b in [
            vec![],
            vec![0xa0],
            vec![0x01],
            [&[0xa1, 0x64][..], b"code", &[0x61, b'X']].concat(),
        ] {
            let p = RPC_V2_CBOR
                .parse_error(&SERVICE, &HttpResponse::new(500, b))
                .unwrap();
            assert_eq!(p.shape, None);
        }
    }

    #[test]
    fn query_compatible_errors_take_the_query_code() {
        // QueryCompatibleRpcV2CborCustomCodeError (a map with a 16-bit length).
        let b = body(
            "uQACZl9fdHlwZXgrYXdzLnByb3RvY29sdGVzdHMucnBjdjJjYm9yI0N1c3RvbUNvZGVFcnJvcmdtZXNzYWdlYkhp",
        );
        let r = HttpResponse::new(400, b).with_header("x-amzn-query-error", "Customized;Sender");
        let p = RPC_V2_CBOR.parse_error(&QUERY_SERVICE, &r).unwrap();
        assert_eq!(p.shape.as_deref(), Some("CustomCodeError"));
        assert_eq!(
            (p.meta.code(), p.meta.message()),
            (Some("Customized"), Some("Hi"))
        );
        let p = RPC_V2_CBOR.parse_error(&SERVICE, &r).unwrap();
        assert_eq!(
            p.meta.code(),
            Some("CustomCodeError"),
            "only for query-compatible services"
        );
    }

    #[test]
    fn a_body_that_is_not_cbor_is_a_response_error_with_an_excerpt() {
        let r = HttpResponse::new(502, &b"<html>Bad Gateway</html>"[..]);
        let e = RPC_V2_CBOR.parse_error(&SERVICE, &r).unwrap_err();
        assert_eq!(e.status(), 502);
        assert_eq!(e.excerpt(), Some("<html>Bad Gateway</html>"));
        assert!(super::super::by_id(ID).is_some_and(|p| p.id() == ID));
    }
}
