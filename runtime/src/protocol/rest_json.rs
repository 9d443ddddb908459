//! `aws.protocols#restJson1`: the HTTP bindings of [`super::http_binding`] with JSON bodies
//! and payloads keyed by `@jsonName` (else the member name), epoch-seconds timestamps in
//! bodies, date-time in labels and query strings, http-date in headers.
//!
//! Error responses name their shape in `X-Amzn-Errortype`, else the body's `code` or
//! `__type` ([`crate::error::rest_json::parse_error`]).
//!
//! AWS service customizations the SDKs apply (and the protocol tests check) live here too:
//! API Gateway's `Accept`, Glacier's version header, default account id and checksums.

use std::cell::RefCell;

use http::Method;
use http::header::{ACCEPT, HeaderValue};
use serde_json::Value;

use super::http_binding::{
    Bindings, Payload, Router, build_uri, default_content_type, is_body_member, read_bound_members,
    set_content_md5,
};
use super::{Operation, ParsedError, Protocol};
use crate::blob::Blob;
use crate::codec::json::{JsonDeserializer, JsonSerializer, JsonSettings, Path, to_json};
use crate::codec::{DeError, MemberReader, SerializeStruct, ShapeDeserializer, ShapeSerializer};
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::Document;
use crate::error::{ConstructionError, ResponseError};
use crate::http::{HttpRequest, HttpResponse};
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{HttpBinding, Member, Schema, ShapeType};
use crate::{ServiceMeta, binding, json};

/// The shape id of restJson1.
pub const ID: &str = "aws.protocols#restJson1";

/// restJson1.
pub static REST_JSON_1: RestJson = RestJson { _private: () };

/// The restJson1 protocol; its one value is [`REST_JSON_1`].
#[derive(Debug)]
pub struct RestJson {
    _private: (),
}

const SETTINGS: JsonSettings = JsonSettings {
    use_json_name: true,
    default_timestamp_format: TimestampFormat::EpochSeconds,
};

/// The input's body members, written inside the body object; bound members go to `bound`.
struct BodyMembers<'a> {
    input: &'a dyn SerializeStruct,
    bound: &'a RefCell<Bindings>,
}

impl SerializeStruct for BodyMembers<'_> {
    fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
        let mut bound = self.bound.borrow_mut();
        let shape_payload = |m: &Member, v: &dyn SerializeStruct| Payload {
            body: to_json(v, &Member::root(m.target), SETTINGS).into_bytes(),
            content_type: "application/json",
        };
        let mut router = Router {
            body: s,
            bound: &mut bound,
            shape_payload: &shape_payload,
        };
        self.input.serialize_members(&mut router);
    }
}

impl Protocol for RestJson {
    fn id(&self) -> &'static str {
        ID
    }

    fn serialize_request(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        input: &dyn SerializeStruct,
    ) -> Result<HttpRequest, ConstructionError> {
        let bound = RefCell::new(Bindings::default());
        let mut json = JsonSerializer::new(SETTINGS);
        json.write_struct(
            &Member::root(op.input),
            &BodyMembers {
                input,
                bound: &bound,
            },
        );
        let mut bound = bound.into_inner();
        if let Some(e) = bound.error.take() {
            return Err(e);
        }
        let glacier = service.sdk_id == "Glacier";
        let (method, pattern) = match &op.http {
            Some(h) => (h.method, h.uri),
            None => ("POST", "/"),
        };
        let uri = build_uri(pattern, &bound, |name, value| {
            // Glacier: an empty account id means the caller's, `-`.
            (glacier && name == "accountId" && value.is_empty()).then(|| "-".to_owned())
        })?;
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| ConstructionError::new("invalid HTTP method"))?;
        let mut request = HttpRequest::new(method, uri);
        request.headers = std::mem::take(&mut bound.headers);
        let members = op.input.members;
        let payload_member = members.iter().find(|m| m.http == HttpBinding::Payload);
        let has_body = members.iter().any(|m| m.http == HttpBinding::Body);
        if let Some(m) = payload_member.filter(|m| m.streaming) {
            // The stream itself is the body, sent by the pipeline.
            let content_type = m.media_type.unwrap_or("application/octet-stream");
            default_content_type(&mut request.headers, content_type);
        } else if let Some(p) = bound.payload.take() {
            default_content_type(&mut request.headers, p.content_type);
            request.body = p.body.into();
        } else if payload_member.is_some_and(|m| m.target.shape_type == ShapeType::Structure) {
            // An unset structure payload is an empty object.
            default_content_type(&mut request.headers, "application/json");
            request.body = bytes::Bytes::from_static(b"{}");
        } else if payload_member.is_none() && has_body {
            default_content_type(&mut request.headers, "application/json");
            request.body = json.finish().into();
        }
        customize(service, &mut request)?;
        // A streamed body's checksums come from `finish_streaming`, when it is in memory.
        if !payload_member.is_some_and(|m| m.streaming) {
            let body = request.body.clone();
            checksums(service, op, &mut request, &body)?;
        }
        Ok(request)
    }

    fn finish_streaming(
        &self,
        service: &ServiceMeta,
        op: &Operation,
        request: &mut HttpRequest,
        body: &[u8],
    ) -> Result<(), ConstructionError> {
        checksums(service, op, request, body)
    }

    fn write_event_body(
        &self,
        member: &Member,
        value: &dyn SerializeStruct,
    ) -> Option<(Vec<u8>, &'static str)> {
        Some((
            to_json(value, member, SETTINGS).into_bytes(),
            "application/json",
        ))
    }

    fn read_event_body(
        &self,
        payload: &[u8],
        path: &str,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let value = json::parse_body(payload)?;
        read(&mut JsonDeserializer::new(&value, path, SETTINGS))
    }

    fn deserialize_output(
        &self,
        op: &Operation,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        read(&mut ResponseDeserializer {
            response,
            path: op.output.name.to_owned(),
        })
    }

    fn parse_error(
        &self,
        _service: &ServiceMeta,
        response: &HttpResponse,
    ) -> Result<ParsedError, ResponseError> {
        let (meta, _) = crate::error::rest_json::parse_error(response)?;
        Ok(ParsedError {
            shape: meta.code().map(str::to_owned),
            meta,
        })
    }

    fn deserialize_error(
        &self,
        schema: &'static Schema,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        read(&mut ResponseDeserializer {
            response,
            path: schema.name.to_owned(),
        })
    }
}

/// The request headers the AWS SDKs add for some services.
fn customize(service: &ServiceMeta, request: &mut HttpRequest) -> Result<(), ConstructionError> {
    if service.sdk_id == "API Gateway" {
        request
            .headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
    }
    if service.sdk_id == "Glacier" {
        request.headers.insert(
            "x-amz-glacier-version",
            binding::header_value(service.api_version, "x-amz-glacier-version")?,
        );
    }
    Ok(())
}

/// Glacier's SHA-256 and tree hash of a blob payload, and `Content-MD5` for
/// `@httpChecksumRequired`, over `body` (the request body, or an in-memory stream's bytes).
fn checksums(
    service: &ServiceMeta,
    op: &Operation,
    request: &mut HttpRequest,
    body: &[u8],
) -> Result<(), ConstructionError> {
    let headers = &mut request.headers;
    let blob_payload = op
        .input
        .members
        .iter()
        .any(|m| m.http == HttpBinding::Payload && m.target.shape_type == ShapeType::Blob);
    if service.sdk_id == "Glacier" && blob_payload {
        if !headers.contains_key("x-amz-content-sha256") {
            let v = binding::hex_sha256(body);
            headers.insert(
                "x-amz-content-sha256",
                binding::header_value(&v, "x-amz-content-sha256")?,
            );
        }
        if !headers.contains_key("x-amz-sha256-tree-hash") {
            let v = binding::sha256_tree_hash(body);
            headers.insert(
                "x-amz-sha256-tree-hash",
                binding::header_value(&v, "x-amz-sha256-tree-hash")?,
            );
        }
    }
    if op.checksum_required {
        set_content_md5(headers, body)?;
    }
    Ok(())
}

/// Reads an output or error from a response: bound members from the headers, the status and
/// the payload, the others from the JSON body.
struct ResponseDeserializer<'a> {
    response: &'a HttpResponse,
    path: String,
}

impl ShapeDeserializer for ResponseDeserializer<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let members = member.target.members;
        read_bound_members(self.response, members, &self.path, f)?;
        if let Some(m) = members.iter().find(|m| m.http == HttpBinding::Payload) {
            if !self.response.body.is_empty() {
                let path = json::join_field(&self.path, m.name);
                f(
                    m,
                    &mut PayloadDeserializer {
                        body: &self.response.body,
                        path,
                    },
                )?;
            }
            return Ok(());
        }
        if !members.iter().any(|m| is_body_member(&m)) {
            return Ok(());
        }
        let value = json::parse_body(&self.response.body)?;
        let obj = json::object(&value, &self.path)?;
        let root = Path::root(&self.path);
        for (key, v) in obj {
            if v.is_null() {
                continue;
            }
            let found = members
                .iter()
                .filter(is_body_member)
                .find(|m| m.json_name.unwrap_or(m.name) == key);
            if let Some(m) = found {
                let path = Path::field(&root, m.name);
                f(m, &mut JsonDeserializer::at(v, path, SETTINGS))?;
            }
        }
        Ok(())
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// An `@httpPayload` member: raw bytes for blobs, text for strings and enums, JSON for the
/// rest.
struct PayloadDeserializer<'a> {
    body: &'a [u8],
    path: String,
}

impl PayloadDeserializer<'_> {
    fn json<T>(
        &self,
        read: impl FnOnce(&mut JsonDeserializer<'_, '_>) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        let value: Value = json::parse_body(self.body)?;
        read(&mut JsonDeserializer::new(&value, &self.path, SETTINGS))
    }
}

impl ShapeDeserializer for PayloadDeserializer<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        self.json(|d| d.read_struct(member, f))
    }
    fn read_list(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        self.json(|d| d.read_list(member, f))
    }
    fn read_map(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(String, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        self.json(|d| d.read_map(member, f))
    }
    fn read_bool(&mut self, member: &Member) -> Result<bool, DeError> {
        self.json(|d| d.read_bool(member))
    }
    fn read_integer(
        &mut self,
        member: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        self.json(|d| d.read_integer(member, min, max, what))
    }
    fn read_float(&mut self, member: &Member) -> Result<f32, DeError> {
        self.json(|d| d.read_float(member))
    }
    fn read_double(&mut self, member: &Member) -> Result<f64, DeError> {
        self.json(|d| d.read_double(member))
    }
    fn read_big_integer(&mut self, member: &Member) -> Result<BigInteger, DeError> {
        self.json(|d| d.read_big_integer(member))
    }
    fn read_big_decimal(&mut self, member: &Member) -> Result<BigDecimal, DeError> {
        self.json(|d| d.read_big_decimal(member))
    }
    fn read_string(&mut self, _: &Member) -> Result<String, DeError> {
        binding::body_text(self.body, &self.path)
    }
    fn read_blob(&mut self, _: &Member) -> Result<Blob, DeError> {
        Ok(Blob::new(self.body.to_vec()))
    }
    fn read_timestamp(&mut self, member: &Member) -> Result<DateTime, DeError> {
        self.json(|d| d.read_timestamp(member))
    }
    fn read_document(&mut self, member: &Member) -> Result<Document, DeError> {
        self.json(|d| d.read_document(member))
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}
