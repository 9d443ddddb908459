//! `aws.protocols#awsQuery`: every operation is a `POST /` of an
//! `application/x-www-form-urlencoded` body, `Action=<operation>&Version=<api version>` and
//! the input's members in the query codec's awsQuery names ([`crate::codec::query`]).
//!
//! Responses are XML: the output's members are the children of
//! `<OperationResponse><OperationResult>`. Errors come as
//! `<ErrorResponse><Error><Code>..</Code><Message>..</Message>..</Error><RequestId>..`; the
//! code is the error shape's name or its `@awsQueryError` code, and the error's members are
//! the children of `<Error>`.

use http::Method;
use http::header::{CONTENT_TYPE, HeaderValue};

use super::{Operation, ParsedError, Protocol};
use crate::ServiceMeta;
use crate::codec::query::{QuerySerializer, QueryStyle};
use crate::codec::xml::{self, Element, XmlDeserializer};
use crate::codec::{DeError, SerializeStruct, ShapeDeserializer};
use crate::error::{ConstructionError, ErrorMetadata, ResponseError};
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::Schema;

/// The shape id of awsQuery.
pub const ID: &str = "aws.protocols#awsQuery";

/// awsQuery.
pub static AWS_QUERY: AwsQuery = AwsQuery { _private: () };

/// The awsQuery protocol; its one value is [`AWS_QUERY`].
#[derive(Debug)]
pub struct AwsQuery {
    _private: (),
}

/// The form body and its content type, shared with ec2Query.
pub(crate) fn form_request(
    style: QueryStyle,
    service: &ServiceMeta,
    op: &Operation,
    input: &dyn SerializeStruct,
) -> HttpRequest {
    let mut form = QuerySerializer::new(style, op.meta.name, service.api_version);
    form.write_members(input);
    let mut request = HttpRequest::new(Method::POST, "/");
    request.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    request.body = form.finish().into();
    request
}

/// The response body's root element; an empty body is an element with no children.
pub(crate) fn parse_body(response: &HttpResponse) -> Result<Element, DeError> {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Element::default());
    }
    xml::parse(&response.body)
}

/// The text of `parent`'s child element `name`, when there is one.
pub(crate) fn child_text(parent: &Element, name: &str) -> Option<String> {
    parent.first_child(name).map(|e| e.text().into_owned())
}

/// An error response body this protocol cannot read.
pub(crate) fn unreadable(response: &HttpResponse, what: &str) -> ResponseError {
    ResponseError::new(response.status, what).with_excerpt(&response.body)
}

impl Protocol for AwsQuery {
    fn id(&self) -> &'static str {
        ID
    }

    fn serialize_request(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        input: &dyn SerializeStruct,
    ) -> Result<HttpRequest, ConstructionError> {
        Ok(form_request(QueryStyle::AwsQuery, service, op, input))
    }

    fn deserialize_output(
        &self,
        op: &Operation,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let root = parse_body(response)?;
        let result = format!("{}Result", op.meta.name);
        let empty = Element::default();
        let output = root.first_child(&result).unwrap_or(&empty);
        read(&mut XmlDeserializer::new(output, op.output.name))
    }

    fn parse_error(
        &self,
        _service: &ServiceMeta,
        response: &HttpResponse,
    ) -> Result<ParsedError, ResponseError> {
        parse_xml_error(response, error_element)
    }

    fn deserialize_error(
        &self,
        schema: &'static Schema,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        read_xml_error(schema, response, error_element, read)
    }
}

/// An XML error response's code, message and request id (`RequestId` or `RequestID` at the
/// root, else the headers'), the `<Error>` element found by `error_element`: shared by
/// awsQuery and ec2Query.
pub(crate) fn parse_xml_error(
    response: &HttpResponse,
    error_element: fn(&Element) -> Option<&Element>,
) -> Result<ParsedError, ResponseError> {
    let root =
        parse_body(response).map_err(|_| unreadable(response, "error response body is not XML"))?;
    let error = error_element(&root);
    let code = error.and_then(|e| child_text(e, "Code"));
    let message = error.and_then(|e| child_text(e, "Message"));
    let request_id = child_text(&root, "RequestId")
        .or_else(|| child_text(&root, "RequestID"))
        .or_else(|| crate::error::rest_json::request_id(response));
    Ok(ParsedError {
        shape: code.clone(),
        meta: ErrorMetadata::new(response.status, code, message, request_id),
    })
}

/// Hands `read` a deserializer over the `<Error>` element `error_element` finds.
pub(crate) fn read_xml_error(
    schema: &'static Schema,
    response: &HttpResponse,
    error_element: fn(&Element) -> Option<&Element>,
    read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
) -> Result<(), DeError> {
    let root = parse_body(response)?;
    let empty = Element::default();
    let error = error_element(&root).unwrap_or(&empty);
    read(&mut XmlDeserializer::new(error, schema.name))
}

/// The `<Error>` of `<ErrorResponse><Error>`, or the root itself when it is an unwrapped
/// `<Error>`.
pub(crate) fn error_element(root: &Element) -> Option<&Element> {
    if root.local_name() == "Error" {
        Some(root)
    } else {
        root.first_child("Error")
    }
}
