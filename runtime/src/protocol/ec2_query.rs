//! `aws.protocols#ec2Query`: awsQuery's form requests with EC2's names (`@ec2QueryName`, else
//! the capitalized `@xmlName` or member name; every list flattened, empty lists omitted:
//! [`crate::codec::query`]).
//!
//! Responses are XML: the output's members are the children of `<OperationResponse>` (no
//! result wrapper). Errors come as `<Response><Errors><Error><Code>..</Code>..</Error></Errors>
//! <RequestID>..</RequestID></Response>`, the error's members in `<Error>`.

use super::aws_query::{form_request, parse_body, parse_xml_error, read_xml_error};
use super::{Operation, ParsedError, Protocol};
use crate::ServiceMeta;
use crate::codec::query::QueryStyle;
use crate::codec::xml::{Element, XmlDeserializer};
use crate::codec::{DeError, SerializeStruct, ShapeDeserializer};
use crate::error::{ConstructionError, ResponseError};
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::Schema;

/// The shape id of ec2Query.
pub const ID: &str = "aws.protocols#ec2Query";

/// ec2Query.
pub static EC2_QUERY: Ec2Query = Ec2Query { _private: () };

/// The ec2Query protocol; its one value is [`EC2_QUERY`].
#[derive(Debug)]
pub struct Ec2Query {
    _private: (),
}

/// The `<Error>` of `<Response><Errors><Error>`.
fn error_element(root: &Element) -> Option<&Element> {
    root.first_child("Errors")
        .and_then(|e| e.first_child("Error"))
        .or_else(|| root.first_child("Error"))
}

impl Protocol for Ec2Query {
    fn id(&self) -> &'static str {
        ID
    }

    fn serialize_request(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        input: &dyn SerializeStruct,
    ) -> Result<HttpRequest, ConstructionError> {
        Ok(form_request(QueryStyle::Ec2Query, service, op, input))
    }

    fn deserialize_output(
        &self,
        op: &Operation,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let root = parse_body(response)?;
        read(&mut XmlDeserializer::new(&root, op.output.name))
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
