//! `aws.protocols#restXml`: restJson1's HTTP bindings ([`super::http_binding`]) with XML
//! bodies and payloads ([`crate::codec::xml`]). A request body is one element named by the
//! input structure's `@xmlName` (else its shape name), carrying the service's
//! `@xmlNamespace` when the input has none; a structure payload is an element named by the
//! member's `@xmlName`, else the target's, else the target's name.
//!
//! Error responses are `<ErrorResponse><Error><Code>..`, or S3's unwrapped `<Error><Code>..`
//! (`noErrorWrapping`): both are read, whatever the service says. An error without a body
//! (S3's `HEAD`) is named by its status: 404 is `NotFound`.
//!
//! S3's customizations, as the AWS SDKs apply them, sit here too: the `{Bucket}` label is
//! left out of the path (the endpoint rules put the bucket in the host or the path), and
//! `GetBucketLocation`'s body is its one member's element.

use std::cell::{Cell, RefCell};

use http::Method;

use super::aws_query::{child_text, error_element, parse_body, unreadable};
use super::http_binding::{
    Bindings, Payload, Router, build_uri, default_content_type, is_body_member, read_bound_members,
    set_content_md5,
};
use super::{Operation, ParsedError, Protocol};
use crate::blob::Blob;
use crate::codec::xml::{self, Element, XmlDeserializer, XmlSerializer};
use crate::codec::{DeError, MemberReader, SerializeStruct, ShapeDeserializer, ShapeSerializer};
use crate::credentials::Credentials;
use crate::error::{ConstructionError, ErrorMetadata, ResponseError};
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::{HttpBinding, Member, Schema, XmlNamespace};
use crate::{DateTime, ServiceMeta, TimestampFormat, binding, json};

/// The shape id of restXml.
pub const ID: &str = "aws.protocols#restXml";

/// restXml.
pub static REST_XML: RestXml = RestXml { _private: () };

/// The restXml protocol; its one value is [`REST_XML`].
#[derive(Debug)]
pub struct RestXml {
    _private: (),
}

/// The element a structure payload (or a whole body) is written as: named by the member's
/// `@xmlName`, else the target's, else the target's name.
fn payload_root(member: &Member) -> Member {
    let mut root = Member::root(member.target);
    root.xml_name = member.xml_name;
    root.xml_namespace = member.xml_namespace;
    root
}

/// The input's body members, routed: bound members go to `bound` on the first pass only
/// (the XML writer walks a structure's members twice: attributes, then elements).
struct BodyMembers<'a> {
    input: &'a dyn SerializeStruct,
    bound: &'a RefCell<Bindings>,
    namespace: Option<XmlNamespace>,
    passes: Cell<u32>,
}

impl SerializeStruct for BodyMembers<'_> {
    fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
        let first = self.passes.get() == 0;
        self.passes.set(self.passes.get() + 1);
        let mut scratch = Bindings::default();
        let mut real = self.bound.borrow_mut();
        let bound = if first { &mut *real } else { &mut scratch };
        let namespace = self.namespace;
        let shape_payload = |m: &Member, v: &dyn SerializeStruct| Payload {
            body: {
                let mut x = XmlSerializer::new().with_root_namespace(namespace);
                x.write_struct(&payload_root(m), v);
                x.finish().into_bytes()
            },
            content_type: "application/xml",
        };
        let mut router = Router {
            body: s,
            bound,
            shape_payload: &shape_payload,
        };
        self.input.serialize_members(&mut router);
    }
}

/// S3 leaves `{Bucket}` out of the path: its endpoint rules place the bucket.
fn uri_pattern<'p>(service: &ServiceMeta, pattern: &'p str) -> std::borrow::Cow<'p, str> {
    if service.sdk_id == "S3" && pattern.starts_with("/{Bucket}") {
        let rest = pattern.get("/{Bucket}".len()..).unwrap_or_default();
        let rest = if rest.starts_with('/') || rest.is_empty() || rest.starts_with('?') {
            rest
        } else {
            return pattern.into();
        };
        return rest.to_owned().into();
    }
    pattern.into()
}

impl Protocol for RestXml {
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
        let namespace = service.xml_namespace;
        let mut xml = XmlSerializer::new().with_root_namespace(namespace);
        xml.write_struct(
            &Member::root(op.input),
            &BodyMembers {
                input,
                bound: &bound,
                namespace,
                passes: Cell::new(0),
            },
        );
        let mut bound = bound.into_inner();
        if let Some(e) = bound.error.take() {
            return Err(e);
        }
        let (method, pattern) = match &op.http {
            Some(h) => (h.method, h.uri),
            None => ("POST", "/"),
        };
        let s3_pattern = uri_pattern(service, pattern);
        let mut uri = build_uri(&s3_pattern, &bound, |_, _| None)?;
        // Without its bucket, an S3 request for the bucket itself has no path of its own: it
        // is the endpoint's (`https://s3.…/bucket` path-style, `https://bucket.s3.…/`).
        if s3_pattern.len() != pattern.len() && (uri == "/" || uri.starts_with("/?")) {
            uri.remove(0);
        }
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| ConstructionError::new("invalid HTTP method"))?;
        let mut request = HttpRequest::new(method, uri);
        request.headers = std::mem::take(&mut bound.headers);
        let members = op.input.members;
        let payload_member = members.iter().find(|m| m.http == HttpBinding::Payload);
        let has_body = members.iter().any(|m| m.http == HttpBinding::Body);
        if let Some(m) = payload_member.filter(|m| m.streaming) {
            let content_type = m.media_type.unwrap_or("application/octet-stream");
            default_content_type(&mut request.headers, content_type);
        } else if let Some(p) = bound.payload.take() {
            default_content_type(&mut request.headers, p.content_type);
            request.body = p.body.into();
        } else if payload_member.is_none() && has_body {
            default_content_type(&mut request.headers, "application/xml");
            request.body = xml.finish().into();
        }
        // A streamed body's `Content-MD5` comes from `finish_streaming`, when it is in memory.
        if op.checksum_required && !payload_member.is_some_and(|m| m.streaming) {
            set_content_md5(&mut request.headers, &request.body)?;
        }
        Ok(request)
    }

    fn finish_streaming(
        &self,
        _service: &ServiceMeta,
        op: &Operation,
        request: &mut HttpRequest,
        body: &[u8],
    ) -> Result<(), ConstructionError> {
        if op.checksum_required {
            set_content_md5(&mut request.headers, body)?;
        }
        Ok(())
    }

    fn is_error(&self, op: &Operation, response: &HttpResponse) -> bool {
        !response.is_success() || (response.status == 200 && is_error_document(op, &response.body))
    }

    fn express_session(&self, response: &HttpResponse) -> Option<Result<Credentials, String>> {
        Some(session_from(response))
    }

    fn write_event_body(
        &self,
        member: &Member,
        value: &dyn SerializeStruct,
    ) -> Option<(Vec<u8>, &'static str)> {
        Some((xml::to_xml(value, member).into_bytes(), "text/xml"))
    }

    fn read_event_body(
        &self,
        payload: &[u8],
        path: &str,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let root = xml::parse(payload)?;
        read(&mut XmlDeserializer::new(&root, path))
    }

    fn deserialize_output(
        &self,
        op: &Operation,
        response: &HttpResponse,
        read: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        // GetBucketLocation's body is `<LocationConstraint>..</LocationConstraint>` itself.
        let unwrapped =
            op.meta.name == "GetBucketLocation" && op.output.id.starts_with("com.amazonaws.s3#");
        read(&mut ResponseDeserializer {
            response,
            path: op.output.name.to_owned(),
            unwrapped,
            error: false,
        })
    }

    fn parse_error(
        &self,
        _service: &ServiceMeta,
        response: &HttpResponse,
    ) -> Result<ParsedError, ResponseError> {
        let request_id = crate::error::rest_json::request_id(response);
        if response.body.iter().all(u8::is_ascii_whitespace) {
            let code = (response.status == 404).then(|| "NotFound".to_owned());
            return Ok(ParsedError {
                shape: code.clone(),
                meta: ErrorMetadata::new(response.status, code, None, request_id),
            });
        }
        let root = xml::parse(&response.body)
            .map_err(|_| unreadable(response, "error response body is not XML"))?;
        let error = error_element(&root);
        let code = error.and_then(|e| child_text(e, "Code"));
        let message = error.and_then(|e| child_text(e, "Message"));
        let request_id = error
            .and_then(|e| child_text(e, "RequestId"))
            .or_else(|| child_text(&root, "RequestId"))
            .or(request_id);
        Ok(ParsedError {
            shape: code.clone(),
            meta: ErrorMetadata::new(response.status, code, message, request_id),
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
            unwrapped: false,
            error: true,
        })
    }
}

/// The session credentials of an S3 Express `CreateSession` answer; the error names the status and
/// S3's error code, never a credential.
pub(crate) fn session_from(response: &HttpResponse) -> Result<Credentials, String> {
    let root = parse_body(response);
    if !response.is_success() {
        let code = root
            .as_ref()
            .ok()
            .and_then(error_element)
            .and_then(|e| child_text(e, "Code"))
            .unwrap_or_else(|| "no error code".to_owned());
        return Err(format!("failed: HTTP {} ({code})", response.status));
    }
    let root = root.map_err(|_| "answered with a body that is not XML".to_owned())?;
    let credentials =
        child(&root, "Credentials").ok_or_else(|| "answered without Credentials".to_owned())?;
    let field = |name: &str| {
        child_text(credentials, name).ok_or_else(|| format!("answered without {name}"))
    };
    let expiration = field("Expiration")?;
    let expires_at = DateTime::parse(TimestampFormat::DateTime, expiration.trim())
        .ok()
        .and_then(|t| t.to_system_time())
        .ok_or_else(|| "answered with an Expiration that is not a timestamp".to_owned())?;
    Ok(Credentials::new(
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        Some(field("SessionToken")?),
    )
    .with_expires_at(Some(expires_at)))
}

fn child<'e>(parent: &'e Element, name: &str) -> Option<&'e Element> {
    parent.child_elements().find(|e| e.local_name() == name)
}

/// Whether a 200 body is an `<Error>` document (and the output is not itself named `Error`).
/// Only the start of the body is looked at unless it starts with `<Error`.
fn is_error_document(op: &Operation, body: &[u8]) -> bool {
    if op.output.name == "Error" || op.output.xml_name == Some("Error") {
        return false;
    }
    let head = body.get(..body.len().min(512)).unwrap_or_default();
    let Some(at) = head.windows(6).position(|w| w == b"<Error") else {
        return false;
    };
    // Only a root element counts: everything before it is the declaration or white space.
    let before = head.get(..at).unwrap_or_default();
    let prolog = std::str::from_utf8(before).unwrap_or("x");
    let prolog = prolog.trim_start_matches('\u{feff}').trim();
    let prolog_only = prolog.is_empty() || (prolog.starts_with("<?xml") && prolog.ends_with("?>"));
    prolog_only && xml::parse(body).is_ok_and(|root| root.local_name() == "Error")
}

/// Reads an output or error: bound members from the headers, the status and the payload,
/// the others from the XML body (an error's from its `<Error>` element).
struct ResponseDeserializer<'a> {
    response: &'a HttpResponse,
    path: String,
    /// The body's root element is the one body member's value.
    unwrapped: bool,
    /// Body members are the children of `<Error>`.
    error: bool,
}

impl ShapeDeserializer for ResponseDeserializer<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let members = member.target.members;
        read_bound_members(self.response, members, &self.path, f)?;
        let body = &self.response.body;
        if let Some(m) = members.iter().find(|m| m.http == HttpBinding::Payload) {
            if !body.is_empty() {
                let path = json::join_field(&self.path, m.name);
                f(m, &mut PayloadDeserializer { body, path })?;
            }
            return Ok(());
        }
        if !members.iter().any(|m| is_body_member(&m)) || body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let root = xml::parse(body)?;
        if self.unwrapped {
            if let Some(m) = members.iter().find(is_body_member) {
                let path = json::join_field(&self.path, m.name);
                f(m, &mut XmlDeserializer::new(&root, &path))?;
            }
            return Ok(());
        }
        let empty = Element::default();
        let element = if self.error {
            error_element(&root).unwrap_or(&empty)
        } else {
            &root
        };
        let mut only_body = |m: &'static Member, d: &mut dyn ShapeDeserializer| {
            if is_body_member(&m) { f(m, d) } else { Ok(()) }
        };
        XmlDeserializer::new(element, &self.path).read_struct(member, &mut only_body)
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// An `@httpPayload` member: raw bytes for blobs, text for strings and enums, an XML element
/// for structures and unions.
struct PayloadDeserializer<'a> {
    body: &'a [u8],
    path: String,
}

impl ShapeDeserializer for PayloadDeserializer<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let root = xml::parse(self.body)?;
        XmlDeserializer::new(&root, &self.path).read_struct(member, f)
    }
    fn read_string(&mut self, _: &Member) -> Result<String, DeError> {
        binding::body_text(self.body, &self.path)
    }
    fn read_blob(&mut self, _: &Member) -> Result<Blob, DeError> {
        Ok(Blob::new(self.body.to_vec()))
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::prelude;

    #[test]
    fn session_answers_and_errors() {
        let ok = HttpResponse::new(
            200,
            "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Credentials>\
             <SessionToken>TOKEN</SessionToken><SecretAccessKey>SECRET</SecretAccessKey>\
             <AccessKeyId>ASIA1</AccessKeyId><Expiration>2099-01-01T00:05:00Z</Expiration>\
             </Credentials></CreateSessionResult>",
        );
        let c = session_from(&ok).expect("credentials");
        assert_eq!(c.access_key_id(), "ASIA1");
        assert_eq!(c.secret_access_key(), "SECRET");
        assert_eq!(c.session_token(), Some("TOKEN"));
        assert!(c.expires_at().is_some());
        let denied = HttpResponse::new(
            403,
            "<Error><Code>AccessDenied</Code><Message>no SECRET here</Message></Error>",
        );
        let err = session_from(&denied).expect_err("denied");
        assert_eq!(err, "failed: HTTP 403 (AccessDenied)");
        for body in [
            "not xml",
            "<CreateSessionResult/>",
            "<CreateSessionResult><Credentials><AccessKeyId>A</AccessKeyId></Credentials></CreateSessionResult>",
        ] {
            let err = session_from(&HttpResponse::new(200, body)).expect_err(body);
            assert!(err.starts_with("answered"), "{body}: {err}");
        }
    }

    static OUT: Schema = Schema::structure(
        "com.amazonaws.s3#CopyObjectOutput",
        "CopyObjectOutput",
        &[Member::new("ETag", 0, &prelude::STRING)],
    );
    static OP: Operation = Operation::new("CopyObject", &prelude::UNIT, &OUT, &[]);

    fn service() -> ServiceMeta {
        ServiceMeta {
            sdk_id: "Test",
            signing_name: "test",
            endpoint_prefix: "test",
            api_version: "2020-01-01",
            endpoint_rules: None,
            env_name: "TEST",
            shape_name: "Test",
            protocols: &[],
            query_compatible: false,
            xml_namespace: None,
        }
    }

    #[test]
    fn a_200_error_document_is_an_error() {
        let err = HttpResponse::new(
            200,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
        );
        assert!(REST_XML.is_error(&OP, &err));
        let parsed = REST_XML.parse_error(&service(), &err).map(|p| p.shape);
        assert_eq!(parsed.ok().flatten().as_deref(), Some("InternalError"));
        let ok = HttpResponse::new(200, "<CopyObjectResult><ETag>x</ETag></CopyObjectResult>");
        assert!(!REST_XML.is_error(&OP, &ok));
        // `<Error` further in is not the root.
        let nested =
            HttpResponse::new(200, "<CopyObjectResult><Error>x</Error></CopyObjectResult>");
        assert!(!REST_XML.is_error(&OP, &nested));
        assert!(REST_XML.is_error(&OP, &HttpResponse::new(500, "")));
    }

    #[test]
    fn an_empty_404_is_not_found() {
        let r = HttpResponse::new(404, "");
        let parsed = REST_XML.parse_error(&service(), &r);
        assert_eq!(
            parsed.ok().and_then(|p| p.shape).as_deref(),
            Some("NotFound")
        );
    }

    #[test]
    fn s3_drops_the_bucket_label() {
        let mut s3 = service();
        s3.sdk_id = "S3";
        assert_eq!(
            uri_pattern(&s3, "/{Bucket}/{Key+}?x-id=GetObject"),
            "/{Key+}?x-id=GetObject"
        );
        assert_eq!(uri_pattern(&s3, "/{Bucket}?list-type=2"), "?list-type=2");
        assert_eq!(uri_pattern(&s3, "/{Bucket}"), "");
        assert_eq!(uri_pattern(&s3, "/{BucketName}/x"), "/{BucketName}/x");
        let other = service();
        assert_eq!(uri_pattern(&other, "/{Bucket}/{Key+}"), "/{Bucket}/{Key+}");
    }
}
