//! Errors returned by operations, and restJson1 error parsing.

use crate::http::{HttpResponse, TransportError};
use crate::validation::ValidationError;
use std::error::Error;
use std::fmt;
use std::time::Duration;

/// What every service error response carries besides its modeled members.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorMetadata {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    status: u16,
}

impl ErrorMetadata {
    /// Metadata of an error response.
    pub fn new(
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        ErrorMetadata {
            code,
            message,
            request_id,
            status,
        }
    }

    /// The error code (shape name), e.g. `ResourceNotFoundException`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The error message sent by the service.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id (`x-amzn-requestid`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// An error response the client has no type for (an unmodeled code).
#[derive(Clone, Debug, PartialEq)]
pub struct Unhandled {
    meta: ErrorMetadata,
}

impl Unhandled {
    /// Wraps metadata.
    pub fn new(meta: ErrorMetadata) -> Self {
        Unhandled { meta }
    }

    /// The metadata.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unhandled error")?;
        if let Some(code) = &self.meta.code {
            write!(f, " `{code}`")?;
        }
        write!(f, " (HTTP {})", self.meta.status)?;
        if let Some(m) = &self.meta.message {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.meta.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl Error for Unhandled {}

/// The response could not be read: invalid JSON, a missing or malformed member, a body that is
/// not from the service (an HTML page from a proxy).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseError {
    status: u16,
    what: String,
    excerpt: Option<String>,
    event_stream: Option<crate::codec::event_stream::EventStreamError>,
}

/// How much of an unreadable body is kept.
const EXCERPT_BYTES: usize = 256;

impl ResponseError {
    /// A response with `status` that could not be read because of `what`.
    pub fn new(status: u16, what: impl Into<String>) -> Self {
        ResponseError {
            status,
            what: what.into(),
            excerpt: None,
            event_stream: None,
        }
    }

    /// An event stream of a response with `status` whose framing is broken (a CRC mismatch,
    /// a truncated or oversized message): the typed cause is kept
    /// ([`event_stream_error`](Self::event_stream_error)).
    pub fn event_stream(status: u16, err: crate::codec::event_stream::EventStreamError) -> Self {
        ResponseError {
            event_stream: Some(err.clone()),
            ..ResponseError::new(status, format!("event stream: {err}"))
        }
    }

    /// The framing error of an event stream, when that is what failed.
    pub fn event_stream_error(&self) -> Option<&crate::codec::event_stream::EventStreamError> {
        self.event_stream.as_ref()
    }

    /// `response` (2xx or error) whose body or headers could not be read as the model says.
    /// The excerpt is kept only when the body is neither JSON nor well-formed CBOR (a proxy's
    /// page): a body in a protocol's format may hold sensitive members.
    pub fn deserialize(response: &HttpResponse, err: crate::json::DeError) -> Self {
        let e = ResponseError::new(response.status, err.to_string());
        let body = &response.body;
        let trimmed_empty = body.iter().all(u8::is_ascii_whitespace);
        let in_a_protocol_format = serde_json::from_slice::<serde_json::Value>(body).is_ok()
            || crate::codec::cbor::validate(body).is_ok();
        if !trimmed_empty && !in_a_protocol_format {
            e.with_excerpt(&response.body)
        } else {
            e
        }
    }

    /// Keeps the start of the body (256 bytes, lossy UTF-8). Only for bodies that are not from
    /// the service's protocol (they cannot hold modeled, possibly sensitive, members).
    pub fn with_excerpt(mut self, body: &[u8]) -> Self {
        let cut = body.get(..EXCERPT_BYTES).unwrap_or(body);
        let mut text = String::from_utf8_lossy(cut).into_owned();
        if body.len() > EXCERPT_BYTES {
            text.push('…');
        }
        self.excerpt = Some(text);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What failed.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The start of the body, when kept.
    pub fn excerpt(&self) -> Option<&str> {
        self.excerpt.as_deref()
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unreadable response (HTTP {}): {}",
            self.status, self.what
        )?;
        if let Some(e) = &self.excerpt {
            write!(f, "; body starts with: {e:?}")?;
        }
        Ok(())
    }
}

impl Error for ResponseError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.event_stream
            .as_ref()
            .map(|e| e as &(dyn Error + 'static))
    }
}

/// The request could not be built from the input (e.g. an empty URI label).
#[derive(Clone, Debug, PartialEq)]
pub struct ConstructionError {
    message: String,
}

impl ConstructionError {
    /// An error with `message` (which must not include sensitive values).
    pub fn new(message: impl Into<String>) -> Self {
        ConstructionError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConstructionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request could not be built: {}", self.message)
    }
}

impl Error for ConstructionError {}

/// The client is not configured well enough to send: no region, no endpoint, endpoint rules
/// failed, no credentials, no transport.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
    source: Option<Box<dyn Error + Send + Sync + 'static>>,
}

impl ConfigError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The endpoint rules' error, when the rules rejected the call's parameters: for an
    /// error rule, [`message`](crate::endpoint::EndpointError::message) is exactly the
    /// rule's message.
    pub fn endpoint_error(&self) -> Option<&crate::endpoint::EndpointError> {
        self.source.as_deref()?.downcast_ref()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}", self.message)?;
        if let Some(s) = &self.source {
            write!(f, ": {s}")?;
        }
        Ok(())
    }
}

impl Error for ConfigError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn Error + 'static))
    }
}

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// One attempt (request and response) took too long, on the last allowed attempt.
    Attempt,
    /// The whole operation, retries included, took too long.
    Operation,
}

/// A timeout fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeoutError {
    kind: TimeoutKind,
    after: Duration,
}

impl TimeoutError {
    /// A timeout of `kind` after `after`.
    pub fn new(kind: TimeoutKind, after: Duration) -> Self {
        TimeoutError { kind, after }
    }

    /// Which timeout.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// The configured duration.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TimeoutKind::Attempt => "attempt",
            TimeoutKind::Operation => "operation",
        };
        write!(f, "{what} timed out after {:?}", self.after)
    }
}

impl Error for TimeoutError {}

/// An error response from the service: modeled (`E`'s variants) or unhandled.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceError<E> {
    err: E,
    meta: ErrorMetadata,
}

impl<E> ServiceError<E> {
    /// Wraps an operation error and its metadata.
    pub fn new(err: E, meta: ErrorMetadata) -> Self {
        ServiceError { err, meta }
    }

    /// The operation error.
    pub fn err(&self) -> &E {
        &self.err
    }

    /// The operation error, consuming.
    pub fn into_err(self) -> E {
        self.err
    }

    /// The response metadata.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl<E: fmt::Display> fmt::Display for ServiceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.err)?;
        if let Some(id) = &self.meta.request_id {
            write!(f, " (request id: {id})")?;
        }
        Ok(())
    }
}

impl<E: Error + 'static> Error for ServiceError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.err)
    }
}

/// The error of every operation; `E` is the operation's error enum.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The input failed validation; nothing was sent.
    Validation(ValidationError),
    /// The request could not be built (e.g. an empty URI label); nothing was sent.
    Construction(ConstructionError),
    /// Missing or invalid configuration: region, endpoint, credentials, transport.
    Config(ConfigError),
    /// A timeout fired.
    Timeout(TimeoutError),
    /// The request could not be sent or the response not received.
    Transport(TransportError),
    /// The response could not be read.
    Response(ResponseError),
    /// The service returned an error (boxed: it holds the operation's error and the response
    /// metadata, and keeps every `Result<_, SdkError<E>>` small).
    Service(Box<ServiceError<E>>),
}

/// What the operation-independent part of a call (endpoint, signing, retries, transport)
/// fails with: any [`SdkError`] but `Service`, which only the operation's own error parser
/// produces. Keeping it free of the operation's error type lets that part be compiled once in
/// this crate instead of once per operation in every generated crate.
pub type SendError = SdkError<std::convert::Infallible>;

impl SendError {
    /// The same error, typed for an operation whose service errors are `E`.
    pub fn widen<E>(self) -> SdkError<E> {
        match self {
            SdkError::Validation(e) => SdkError::Validation(e),
            SdkError::Construction(e) => SdkError::Construction(e),
            SdkError::Config(e) => SdkError::Config(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Transport(e) => SdkError::Transport(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Service(s) => match s.err {},
        }
    }
}

impl<E> SdkError<E> {
    /// A service error.
    pub fn service(err: E, meta: ErrorMetadata) -> Self {
        SdkError::Service(Box::new(ServiceError::new(err, meta)))
    }

    /// The service error, if this is one.
    pub fn as_service(&self) -> Option<&E> {
        match self {
            SdkError::Service(s) => Some(&s.err),
            _ => None,
        }
    }

    /// The service error's metadata, if this is one.
    pub fn meta(&self) -> Option<&ErrorMetadata> {
        match self {
            SdkError::Service(s) => Some(&s.meta),
            _ => None,
        }
    }

    /// Converts the service error type, keeping every other variant.
    pub fn map_service<F, E2>(self, f: F) -> SdkError<E2>
    where
        F: FnOnce(E) -> E2,
    {
        match self {
            SdkError::Validation(e) => SdkError::Validation(e),
            SdkError::Construction(e) => SdkError::Construction(e),
            SdkError::Config(e) => SdkError::Config(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Transport(e) => SdkError::Transport(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Service(s) => {
                let ServiceError { err, meta } = *s;
                SdkError::service(f(err), meta)
            }
        }
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Validation(e) => write!(f, "invalid input: {e}"),
            SdkError::Construction(e) => e.fmt(f),
            SdkError::Config(e) => e.fmt(f),
            SdkError::Timeout(e) => e.fmt(f),
            SdkError::Transport(e) => e.fmt(f),
            SdkError::Response(e) => e.fmt(f),
            SdkError::Service(e) => e.fmt(f),
        }
    }
}

impl<E: Error + 'static> Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            SdkError::Validation(e) => Some(e),
            SdkError::Construction(e) => Some(e),
            SdkError::Config(e) => Some(e),
            SdkError::Timeout(e) => Some(e),
            SdkError::Transport(e) => Some(e),
            SdkError::Response(e) => Some(e),
            SdkError::Service(e) => Some(&e.err),
        }
    }
}

impl<E> From<ValidationError> for SdkError<E> {
    fn from(e: ValidationError) -> Self {
        SdkError::Validation(e)
    }
}

impl<E> From<ConstructionError> for SdkError<E> {
    fn from(e: ConstructionError) -> Self {
        SdkError::Construction(e)
    }
}

impl<E> From<ConfigError> for SdkError<E> {
    fn from(e: ConfigError) -> Self {
        SdkError::Config(e)
    }
}

impl<E> From<TimeoutError> for SdkError<E> {
    fn from(e: TimeoutError) -> Self {
        SdkError::Timeout(e)
    }
}

impl<E> From<TransportError> for SdkError<E> {
    fn from(e: TransportError) -> Self {
        SdkError::Transport(e)
    }
}

impl<E> From<ResponseError> for SdkError<E> {
    fn from(e: ResponseError) -> Self {
        SdkError::Response(e)
    }
}

/// restJson1 error responses.
pub mod rest_json {
    use super::{ErrorMetadata, HttpResponse, ResponseError};

    use serde_json::{Map, Value};

    /// Reduces an error type to its shape name: drops everything from the first `:`, then
    /// everything up to and including the last `#`
    /// (`aws.protocoltests.restjson#FooError:http://...` → `FooError`).
    pub fn sanitize_error_code(raw: &str) -> &str {
        let before_colon = raw.split(':').next().unwrap_or(raw);
        let name = match before_colon.rfind('#') {
            Some(i) => before_colon.get(i + 1..).unwrap_or(""),
            None => before_colon,
        };
        name.trim()
    }

    /// The request id header of a response (`x-amzn-requestid`, else `x-amz-request-id`).
    pub fn request_id(response: &HttpResponse) -> Option<String> {
        response
            .header("x-amzn-requestid")
            .or_else(|| response.header("x-amz-request-id"))
            .map(str::to_owned)
    }

    /// Parses an error response: its metadata and the body's members (for the generated code
    /// to read a modeled error's members from).
    ///
    /// The code comes from the `X-Amzn-Errortype` header, else the body's `code`, else its
    /// `__type`, sanitized with [`sanitize_error_code`]. The message is the body's `message`,
    /// `Message` or `errorMessage`. An empty body gives an empty map. A body that is not JSON
    /// (e.g. an HTML page from a proxy) is a [`ResponseError`] with an excerpt.
    pub fn parse_error(
        response: &HttpResponse,
    ) -> Result<(ErrorMetadata, Map<String, Value>), ResponseError> {
        let body = if response.body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&response.body) {
                Ok(Value::Object(m)) => m,
                Ok(_) => Map::new(),
                Err(_) => {
                    return Err(ResponseError::new(
                        response.status,
                        "error response body is not JSON",
                    )
                    .with_excerpt(&response.body));
                }
            }
        };
        let code = response
            .header("x-amzn-errortype")
            .or_else(|| body.get("code").and_then(Value::as_str))
            .or_else(|| body.get("__type").and_then(Value::as_str))
            .map(sanitize_error_code)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let message = ["message", "Message", "errorMessage"]
            .iter()
            .find_map(|k| body.get(*k).and_then(Value::as_str))
            .map(str::to_owned);
        let meta = ErrorMetadata::new(response.status, code, message, request_id(response));
        Ok((meta, body))
    }
}

#[cfg(test)]
mod tests {
    use super::rest_json::{parse_error, sanitize_error_code};
    use super::*;

    #[test]
    fn sanitizes_codes_as_the_spec_says() {
        for (raw, want) in [
            ("FooError", "FooError"),
            (
                "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                "FooError",
            ),
            ("aws.protocoltests.restjson#FooError", "FooError"),
            (
                "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                "FooError",
            ),
            ("  FooError  ", "FooError"),
        ] {
            assert_eq!(sanitize_error_code(raw), want, "{raw}");
        }
    }

    #[test]
    fn code_precedence_header_then_code_then_type() {
        let body = r#"{"code":"FromCode","__type":"x#FromType","message":"hi"}"#;
        let r = HttpResponse::new(400, body).with_header("X-Amzn-Errortype", "ns#FromHeader:extra");
        let (meta, map) = parse_error(&r).unwrap();
        assert_eq!(meta.code(), Some("FromHeader"));
        assert_eq!(meta.message(), Some("hi"));
        assert_eq!(map.len(), 3);
        let r = HttpResponse::new(400, body);
        assert_eq!(parse_error(&r).unwrap().0.code(), Some("FromCode"));
        let r = HttpResponse::new(400, r#"{"__type":"x#FromType","Message":"M"}"#)
            .with_header("X-Amzn-RequestId", "req-1");
        let (meta, _) = parse_error(&r).unwrap();
        assert_eq!(meta.code(), Some("FromType"));
        assert_eq!(meta.message(), Some("M"));
        assert_eq!(meta.request_id(), Some("req-1"));
        assert_eq!(meta.status(), 400);
        let r =
            HttpResponse::new(400, r#"{"errorMessage":"E"}"#).with_header("x-amz-request-id", "r2");
        let (meta, _) = parse_error(&r).unwrap();
        assert_eq!(
            (meta.code(), meta.message(), meta.request_id()),
            (None, Some("E"), Some("r2"))
        );
    }

    #[test]
    fn deserialize_errors_keep_an_excerpt_only_for_non_json() {
        let de = crate::json::DeError::new("Out.count", "a 32-bit integer");
        let json = HttpResponse::new(200, r#"{"count":"secret-value"}"#);
        let e = ResponseError::deserialize(&json, de.clone());
        assert_eq!(e.excerpt(), None);
        assert_eq!(
            e.to_string(),
            "unreadable response (HTTP 200): expected a 32-bit integer at `Out.count`"
        );
        let html = HttpResponse::new(200, "<html>gateway</html>");
        let e = ResponseError::deserialize(&html, de);
        assert_eq!(e.excerpt(), Some("<html>gateway</html>"));
        assert_eq!(
            crate::json::DeError::unsupported("X.h").to_string(),
            "expected a value of a type supported here at `X.h`"
        );
    }

    #[test]
    fn empty_and_non_json_bodies() {
        let r = HttpResponse::new(404, "  ").with_header("x-amzn-errortype", "NotFound");
        let (meta, map) = parse_error(&r).unwrap();
        assert_eq!(meta.code(), Some("NotFound"));
        assert!(map.is_empty());
        let html = format!("<html><body>{}</body></html>", "x".repeat(1000));
        let err = parse_error(&HttpResponse::new(502, html)).unwrap_err();
        assert_eq!(err.status(), 502);
        let excerpt = err.excerpt().unwrap();
        assert!(excerpt.starts_with("<html><body>xxx"));
        assert_eq!(excerpt.chars().count(), 257);
        assert!(
            err.to_string()
                .starts_with("unreadable response (HTTP 502): error response body is not JSON")
        );
    }

    #[derive(Debug)]
    struct MyErr;
    impl fmt::Display for MyErr {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("resource not found")
        }
    }
    impl Error for MyErr {}

    #[test]
    fn sdk_error_display_and_source() {
        let meta = ErrorMetadata::new(404, Some("NotFound".into()), None, Some("abc".into()));
        let e: SdkError<MyErr> = SdkError::service(MyErr, meta.clone());
        assert_eq!(e.to_string(), "resource not found (request id: abc)");
        assert!(e.as_service().is_some());
        assert_eq!(e.meta(), Some(&meta));
        assert_eq!(
            e.source().map(|s| s.to_string()),
            Some("resource not found".into())
        );
        let mapped: SdkError<String> = e.map_service(|m| m.to_string());
        assert_eq!(
            mapped.as_service().map(String::as_str),
            Some("resource not found")
        );
        let t: SdkError<MyErr> = TransportError::connect("refused").into();
        assert_eq!(t.to_string(), "connection failed: refused");
        assert!(t.as_service().is_none());
        let u = Unhandled::new(ErrorMetadata::new(
            418,
            Some("Teapot".into()),
            Some("short".into()),
            Some("r".into()),
        ));
        assert_eq!(
            u.to_string(),
            "unhandled error `Teapot` (HTTP 418): short [request id r]"
        );
        let v: SdkError<MyErr> = ValidationError::missing_required("portalArn").into();
        assert_eq!(
            v.to_string(),
            "invalid input: 1 validation error: portalArn: is required but missing"
        );
        let to: SdkError<MyErr> =
            TimeoutError::new(TimeoutKind::Attempt, Duration::from_millis(200)).into();
        assert_eq!(to.to_string(), "attempt timed out after 200ms");
    }
}
