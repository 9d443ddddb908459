//! `aws.protocols#awsJson1_0` and `aws.protocols#awsJson1_1`: every operation is a `POST /`
//! naming itself in `X-Amz-Target: <service shape name>.<operation>`, with a JSON body keyed
//! by member name (`@jsonName` is ignored) and epoch-seconds timestamps; HTTP binding traits
//! do not apply. An empty input is `{}`.
//!
//! Error responses name their shape in `X-Amzn-Errortype`, else the body's `code` or
//! `__type`, with any namespace (`ns#`) and `:…` suffix dropped. With `awsQueryCompatible`,
//! requests carry `x-amzn-query-mode: true` and an `x-amzn-query-error: Code;Fault` response
//! header gives the error code the service's query API used.

use http::Method;
use http::header::{CONTENT_TYPE, HeaderValue};

use super::{Operation, ParsedError, Protocol};
use crate::codec::json::{JsonDeserializer, JsonSettings, to_json};
use crate::codec::{DeError, SerializeStruct, ShapeDeserializer};
use crate::error::{ConstructionError, ErrorMetadata, ResponseError};
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::Member;
use crate::{ServiceMeta, json};

/// The shape id of awsJson1_0.
pub const AWS_JSON_1_0_ID: &str = "aws.protocols#awsJson1_0";
/// The shape id of awsJson1_1.
pub const AWS_JSON_1_1_ID: &str = "aws.protocols#awsJson1_1";

/// awsJson1_0.
pub static AWS_JSON_1_0: AwsJson = AwsJson {
    id: AWS_JSON_1_0_ID,
    content_type: "application/x-amz-json-1.0",
};
/// awsJson1_1.
pub static AWS_JSON_1_1: AwsJson = AwsJson {
    id: AWS_JSON_1_1_ID,
    content_type: "application/x-amz-json-1.1",
};

/// An awsJson protocol version.
#[derive(Debug)]
pub struct AwsJson {
    id: &'static str,
    content_type: &'static str,
}

impl Protocol for AwsJson {
    fn id(&self) -> &'static str {
        self.id
    }

    fn serialize_request(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        input: &dyn SerializeStruct,
    ) -> Result<HttpRequest, ConstructionError> {
        let body = to_json(input, &Member::root(op.input), JsonSettings::AWS_JSON);
        let mut request = HttpRequest::new(Method::POST, "/");
        let target = format!("{}.{}", service.shape_name, op.meta.name);
        let target = HeaderValue::from_str(&target)
            .map_err(|_| ConstructionError::new("the X-Amz-Target value is not a valid header"))?;
        request
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        request.headers.insert("x-amz-target", target);
        if service.query_compatible {
            request
                .headers
                .insert("x-amzn-query-mode", HeaderValue::from_static("true"));
        }
        request.body = body.into();
        // Machine Learning's `Predict` goes to the endpoint its input names, as the AWS SDKs
        // do (an absolute URI: the pipeline sends it there instead of the resolved endpoint).
        if service.sdk_id == "Machine Learning"
            && op.meta.name == "Predict"
            && let Some(url) = super::string_member(input, "PredictEndpoint")
        {
            request.uri = format!("{}/", url.trim_end_matches('/'));
        }
        Ok(request)
    }

    fn write_event_body(
        &self,
        member: &Member,
        value: &dyn SerializeStruct,
    ) -> Option<(Vec<u8>, &'static str)> {
        let body = to_json(value, member, JsonSettings::AWS_JSON);
        Some((body.into_bytes(), "application/json"))
    }

    fn read_event_body(
        &self,
        payload: &[u8],
        path: &str,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let value = json::parse_body(payload)?;
        read(&mut JsonDeserializer::new(
            &value,
            path,
            JsonSettings::AWS_JSON,
        ))
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
        read_body(response, op.output.name, read)
    }

    fn parse_error(
        &self,
        service: &ServiceMeta,
        response: &HttpResponse,
    ) -> Result<ParsedError, ResponseError> {
        let (meta, _) = crate::error::rest_json::parse_error(response)?;
        Ok(query_compatible(service, response, meta))
    }

    fn deserialize_error(
        &self,
        schema: &'static crate::schema::Schema,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        read_body(response, schema.name, read)
    }
}

/// Hands `read` a deserializer over the JSON body (an empty body is `{}`), with `root` as
/// the root of error paths.
fn read_body(
    response: &HttpResponse,
    root: &str,
    read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
) -> Result<(), DeError> {
    let value = json::parse_body(&response.body)?;
    read(&mut JsonDeserializer::new(
        &value,
        root,
        JsonSettings::AWS_JSON,
    ))
}

/// The error's shape from `meta` (its code as the body or `X-Amzn-Errortype` named it) and,
/// for a query-compatible service, the code from `x-amzn-query-error: Code;Fault`.
pub(crate) fn query_compatible(
    service: &ServiceMeta,
    response: &HttpResponse,
    meta: ErrorMetadata,
) -> ParsedError {
    let shape = meta.code().map(str::to_owned);
    let query_code = response
        .header("x-amzn-query-error")
        .filter(|_| service.query_compatible)
        .and_then(|h| h.split(';').next())
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let meta = match query_code {
        Some(code) => ErrorMetadata::new(
            meta.status(),
            Some(code.to_owned()),
            meta.message().map(str::to_owned),
            meta.request_id().map(str::to_owned),
        ),
        None => meta,
    };
    ParsedError { shape, meta }
}
