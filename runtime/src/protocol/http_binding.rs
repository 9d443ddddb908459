//! The HTTP-binding layer shared by restJson1 and restXml: routes the members of an
//! operation's top-level input to the URI path, query, headers, payload or body by their
//! schema's [`HttpBinding`], and reads an output's or error's headers, status code and payload
//! back. The body itself is the protocol's codec's business.

use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::binding;
use crate::blob::Blob;
use crate::codec::{DeError, MemberReader, SerializeStruct, ShapeDeserializer, ShapeSerializer};
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::Document;
use crate::error::ConstructionError;
use crate::http::HttpResponse;
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{HttpBinding, Member, ShapeType};

// ---------------------------------------------------------------------------------------------
// Requests

/// What a payload member wrote: the body and its content type.
#[derive(Debug)]
pub struct Payload {
    /// The body.
    pub body: Vec<u8>,
    /// Its content type (the member's `@mediaType`, else the kind's default).
    pub content_type: &'static str,
}

/// The bound parts of a request, collected from the input's top-level members.
#[derive(Debug, Default)]
pub struct Bindings {
    /// `@httpLabel` values by member name, as text (not yet encoded).
    pub labels: Vec<(&'static str, String)>,
    /// `@httpQuery` pairs, in member order.
    pub query: Vec<(String, String)>,
    /// `@httpQueryParams` pairs (those whose key an `@httpQuery` member set are dropped).
    pub query_params: Vec<(String, String)>,
    /// Headers from `@httpHeader` and `@httpPrefixHeaders`.
    pub headers: HeaderMap,
    /// The payload member's value, when set.
    pub payload: Option<Payload>,
    /// The first error met (a header value HTTP forbids).
    pub error: Option<ConstructionError>,
}

impl Bindings {
    fn fail(&mut self, e: ConstructionError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    fn header(&mut self, name: &str, text: &str, member: &str) {
        let name = match HeaderName::from_bytes(name.as_bytes()) {
            Ok(n) => n,
            Err(_) => return self.fail(ConstructionError::new("a header name is not valid")),
        };
        match binding::header_value(text, member) {
            Ok(v) => {
                self.headers.insert(name, v);
            }
            Err(e) => self.fail(e),
        }
    }

    /// Records the text form of a bound scalar member.
    fn scalar(&mut self, member: &Member, text: Text) {
        let Text::One(text) = text else { return };
        match member.http {
            HttpBinding::Label => self.labels.push((member.name, text)),
            HttpBinding::Query(name) => self.query.push((name.to_owned(), text)),
            HttpBinding::Header(name) => {
                let text = match member.media_type {
                    Some(_) if member.target.shape_type == ShapeType::String => {
                        Blob::new(text.into_bytes()).to_base64()
                    }
                    _ => text,
                };
                self.header(name, &text, member.name);
            }
            _ => {}
        }
    }
}

/// A scalar's text, as labels, query strings and headers carry it.
enum Text {
    One(String),
    None,
}

/// The text of a simple value: numbers as restJson1 prints them, timestamps in the member's
/// format or `default`, blobs base64.
struct TextOf {
    default: TimestampFormat,
    out: Vec<String>,
    key: Option<String>,
    /// Map entries: key and its values.
    entries: Vec<(String, Vec<String>)>,
    in_map: bool,
}

impl TextOf {
    fn new(default: TimestampFormat) -> Self {
        TextOf {
            default,
            out: Vec::new(),
            key: None,
            entries: Vec::new(),
            in_map: false,
        }
    }

    fn push(&mut self, text: String) {
        if self.in_map {
            if let Some(key) = self.key.take() {
                self.entries.push((key, vec![text]));
            } else if let Some((_, values)) = self.entries.last_mut() {
                values.push(text);
            }
        } else {
            self.out.push(text);
        }
    }
}

impl ShapeSerializer for TextOf {
    fn write_struct(&mut self, _: &Member, _: &dyn SerializeStruct) {}
    fn write_list(
        &mut self,
        _: &Member,
        _: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if self.in_map
            && let Some(key) = self.key.take()
        {
            self.entries.push((key, Vec::new()));
        }
        items(self);
    }
    fn write_map(
        &mut self,
        _: &Member,
        _: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        self.in_map = true;
        entries(self);
        self.in_map = false;
    }
    fn write_key(&mut self, key: &str) {
        self.key = Some(key.to_owned());
    }
    fn write_bool(&mut self, _: &Member, value: bool) {
        self.push(value.to_string());
    }
    fn write_integer(&mut self, _: &Member, value: i64) {
        self.push(value.to_string());
    }
    fn write_float(&mut self, _: &Member, value: f32) {
        self.push(binding::float_text32(value));
    }
    fn write_double(&mut self, _: &Member, value: f64) {
        self.push(binding::float_text(value));
    }
    fn write_big_integer(&mut self, _: &Member, value: &BigInteger) {
        self.push(value.as_str().to_owned());
    }
    fn write_big_decimal(&mut self, _: &Member, value: &BigDecimal) {
        self.push(value.as_str().to_owned());
    }
    fn write_string(&mut self, _: &Member, value: &str) {
        self.push(value.to_owned());
    }
    fn write_blob(&mut self, _: &Member, value: &Blob) {
        self.push(value.to_base64());
    }
    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        self.push(value.format(member.timestamp_format_or(self.default)));
    }
    fn write_document(&mut self, _: &Member, _: &Document) {}
    fn write_null(&mut self, _: &Member) {}
}

/// The text of a bound member's value (`value` writes it to the serializer it is given).
fn texts(default: TimestampFormat, value: &mut dyn FnMut(&mut dyn ShapeSerializer)) -> TextOf {
    let mut t = TextOf::new(default);
    value(&mut t);
    t
}

/// Serializes a structure, union or document payload with the protocol's codec.
pub type ShapePayload<'a> = &'a dyn Fn(&Member, &dyn SerializeStruct) -> Payload;

/// Routes the top-level members of an input: body members to `body` (the codec's serializer,
/// inside the body object), bound ones into [`Bindings`].
pub struct Router<'a> {
    /// Where body members go.
    pub body: &'a mut dyn ShapeSerializer,
    /// What bound members give.
    pub bound: &'a mut Bindings,
    /// How the protocol writes a structure or union payload.
    pub shape_payload: ShapePayload<'a>,
}

impl Router<'_> {
    fn is_body(member: &Member) -> bool {
        matches!(member.http, HttpBinding::Body | HttpBinding::ResponseCode)
    }

    fn bound_text(&mut self, member: &Member, value: &mut dyn FnMut(&mut dyn ShapeSerializer)) {
        let default = match member.http {
            HttpBinding::Header(_) | HttpBinding::PrefixHeaders(_) => TimestampFormat::HttpDate,
            _ => TimestampFormat::DateTime,
        };
        let t = texts(default, value);
        match member.http {
            HttpBinding::Query(name) => {
                for v in t.out {
                    self.bound.query.push((name.to_owned(), v));
                }
            }
            HttpBinding::Header(name) if member.target.shape_type == ShapeType::List => {
                let http_dates = member
                    .target
                    .list_member()
                    .is_some_and(|m| m.target.shape_type == ShapeType::Timestamp);
                let items: Vec<String> = if http_dates {
                    t.out
                } else {
                    t.out
                        .iter()
                        .map(|i| binding::quote_header_list_item(i))
                        .collect()
                };
                self.bound.header(name, &items.join(", "), member.name);
            }
            HttpBinding::QueryParams => {
                for (k, values) in t.entries {
                    if self.bound.query.iter().any(|(q, _)| *q == k) {
                        continue;
                    }
                    for v in values {
                        self.bound.query_params.push((k.clone(), v));
                    }
                }
            }
            HttpBinding::PrefixHeaders(prefix) => {
                for (k, values) in t.entries {
                    let name = format!("{prefix}{k}");
                    for v in values {
                        self.bound.header(&name, &v, prefix);
                    }
                }
            }
            _ => {
                if let Some(text) = t.out.into_iter().next() {
                    self.bound.scalar(member, Text::One(text));
                } else {
                    self.bound.scalar(member, Text::None);
                }
            }
        }
    }
}

macro_rules! route_scalar {
    ($name:ident, $t:ty, $write:ident) => {
        fn $name(&mut self, member: &Member, value: $t) {
            if Router::is_body(member) {
                self.body.$write(member, value);
            } else {
                self.bound_text(member, &mut |s| s.$write(member, value));
            }
        }
    };
}

impl ShapeSerializer for Router<'_> {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        if Router::is_body(member) {
            self.body.write_struct(member, value);
        } else if member.http == HttpBinding::Payload {
            self.bound.payload = Some((self.shape_payload)(member, value));
        }
    }
    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if Router::is_body(member) || member.http == HttpBinding::Payload {
            self.body.write_list(member, len, items);
        } else {
            self.bound_text(member, &mut |s| s.write_list(member, len, items));
        }
    }
    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if Router::is_body(member) || member.http == HttpBinding::Payload {
            self.body.write_map(member, len, entries);
        } else {
            self.bound_text(member, &mut |s| s.write_map(member, len, entries));
        }
    }
    fn write_key(&mut self, key: &str) {
        self.body.write_key(key);
    }
    route_scalar!(write_bool, bool, write_bool);
    route_scalar!(write_integer, i64, write_integer);
    route_scalar!(write_float, f32, write_float);
    route_scalar!(write_double, f64, write_double);
    route_scalar!(write_big_integer, &BigInteger, write_big_integer);
    route_scalar!(write_big_decimal, &BigDecimal, write_big_decimal);
    fn write_string(&mut self, member: &Member, value: &str) {
        if Router::is_body(member) {
            self.body.write_string(member, value);
        } else if member.http == HttpBinding::Payload {
            self.bound.payload = Some(Payload {
                body: value.as_bytes().to_vec(),
                content_type: member.media_type.unwrap_or("text/plain"),
            });
        } else {
            self.bound_text(member, &mut |s| s.write_string(member, value));
        }
    }
    fn write_blob(&mut self, member: &Member, value: &Blob) {
        if Router::is_body(member) {
            self.body.write_blob(member, value);
        } else if member.http == HttpBinding::Payload {
            self.bound.payload = Some(Payload {
                body: value.as_bytes().to_vec(),
                content_type: member.media_type.unwrap_or("application/octet-stream"),
            });
        } else {
            self.bound_text(member, &mut |s| s.write_blob(member, value));
        }
    }
    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        if Router::is_body(member) {
            self.body.write_timestamp(member, value);
        } else {
            self.bound_text(member, &mut |s| s.write_timestamp(member, value));
        }
    }
    fn write_document(&mut self, member: &Member, value: &Document) {
        if Router::is_body(member) {
            self.body.write_document(member, value);
        } else if member.http == HttpBinding::Payload {
            let mut w = crate::json::JsonWriter::new();
            w.document(value);
            self.bound.payload = Some(Payload {
                body: w.finish().into_bytes(),
                content_type: "application/json",
            });
        }
    }
    fn write_null(&mut self, member: &Member) {
        if Router::is_body(member) {
            self.body.write_null(member);
        }
    }
}

/// Expands the `@http` URI pattern (`/a/{B}/{C+}?x=1&flag`) with the label values, then
/// appends the pattern's literal query, the bound query and the query params.
pub fn build_uri(
    pattern: &str,
    bound: &Bindings,
    label_default: impl Fn(&str, &str) -> Option<String>,
) -> Result<String, ConstructionError> {
    let (path, literal_query) = pattern.split_once('?').unwrap_or((pattern, ""));
    let mut uri = String::with_capacity(pattern.len() + 32);
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        uri.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(label) => {
                let (name, greedy) = match label.strip_suffix('+') {
                    Some(n) => (n, true),
                    None => (label, false),
                };
                let value = bound
                    .labels
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone());
                let value = match label_default(name, value.as_deref().unwrap_or_default()) {
                    Some(v) => v,
                    None => value.ok_or_else(|| {
                        ConstructionError::new(format!("the URI label `{name}` must be set"))
                    })?,
                };
                uri.push_str(&binding::encode_label(&value, greedy, name)?);
            }
            None => uri.push_str(seg),
        }
    }
    if uri.is_empty() {
        uri.push('/');
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut flags = Vec::new();
    for part in literal_query.split('&').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((k, v)) => pairs.push((k.to_owned(), v.to_owned())),
            None => flags.push(part),
        }
    }
    pairs.extend(bound.query.iter().cloned());
    pairs.extend(bound.query_params.iter().cloned());
    if !pairs.is_empty() {
        binding::append_query(&mut uri, &pairs);
    }
    for f in flags {
        binding::append_query_flag(&mut uri, f);
    }
    Ok(uri)
}

/// Sets `Content-MD5` over `body` (`@httpChecksumRequired`).
pub fn set_content_md5(headers: &mut HeaderMap, body: &[u8]) -> Result<(), ConstructionError> {
    let md5 = binding::content_md5(body);
    headers.insert("content-md5", binding::header_value(&md5, "Content-MD5")?);
    Ok(())
}

/// Sets `content-type` unless a bound header already did.
pub fn default_content_type(headers: &mut HeaderMap, value: &'static str) {
    headers
        .entry(CONTENT_TYPE)
        .or_insert(HeaderValue::from_static(value));
}

// ---------------------------------------------------------------------------------------------
// Responses

/// Reads a header-bound member (a scalar, or a list split on commas) from its header text.
pub struct HeaderDeserializer<'a> {
    /// The header's text (all values joined with `, `).
    pub text: &'a str,
    /// The error path.
    pub path: String,
}

impl HeaderDeserializer<'_> {
    fn parse<T: std::str::FromStr>(&self) -> Result<T, DeError> {
        binding::parse_header::<T>(self.text, &self.path)
    }
}

impl ShapeDeserializer for HeaderDeserializer<'_> {
    fn read_list(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let http_date = member.target.list_member().is_some_and(|m| {
            m.target.shape_type == ShapeType::Timestamp
                && m.timestamp_format_or(TimestampFormat::HttpDate) == TimestampFormat::HttpDate
        });
        let items = if http_date {
            binding::split_http_date_list(self.text)
        } else {
            binding::split_header_list(self.text)
        };
        for item in &items {
            f(&mut HeaderDeserializer {
                text: item,
                path: self.path.clone(),
            })?;
        }
        Ok(())
    }
    fn read_bool(&mut self, _: &Member) -> Result<bool, DeError> {
        self.parse()
    }
    fn read_integer(
        &mut self,
        _: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        self.parse::<i64>()
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| DeError::new(self.path.clone(), what))
    }
    fn read_float(&mut self, _: &Member) -> Result<f32, DeError> {
        self.parse()
    }
    fn read_double(&mut self, _: &Member) -> Result<f64, DeError> {
        self.parse()
    }
    fn read_big_integer(&mut self, _: &Member) -> Result<BigInteger, DeError> {
        self.parse()
    }
    fn read_big_decimal(&mut self, _: &Member) -> Result<BigDecimal, DeError> {
        self.parse()
    }
    fn read_string(&mut self, member: &Member) -> Result<String, DeError> {
        if member.media_type.is_some() {
            binding::header_base64_text(self.text, &self.path)
        } else {
            Ok(self.text.to_owned())
        }
    }
    fn read_blob(&mut self, _: &Member) -> Result<Blob, DeError> {
        Blob::from_base64(self.text.trim())
            .map_err(|_| DeError::new(self.path.clone(), "a base64 header"))
    }
    fn read_timestamp(&mut self, member: &Member) -> Result<DateTime, DeError> {
        let format = member.timestamp_format_or(TimestampFormat::HttpDate);
        binding::parse_header_timestamp(self.text, format, &self.path)
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// Reads an `@httpPrefixHeaders` map: every header starting with the prefix (case-insensitive),
/// keyed by the rest of its name.
pub struct PrefixHeadersDeserializer<'a> {
    /// The response headers.
    pub headers: &'a HeaderMap,
    /// The prefix, lower-case.
    pub prefix: String,
    /// The error path.
    pub path: String,
}

impl ShapeDeserializer for PrefixHeadersDeserializer<'_> {
    fn read_map(
        &mut self,
        _: &Member,
        f: &mut dyn FnMut(String, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        for (name, value) in self.headers {
            let (Some(key), Ok(text)) = (
                name.as_str().strip_prefix(self.prefix.as_str()),
                value.to_str(),
            ) else {
                continue;
            };
            f(
                key.to_owned(),
                &mut HeaderDeserializer {
                    text,
                    path: crate::json::join_key(&self.path, key, false),
                },
            )?;
        }
        Ok(())
    }
    fn path(&self) -> String {
        self.path.clone()
    }
}

/// Whether an output or error member is read from the body: unbound members, and those whose
/// binding only means something on input (labels, query).
pub fn is_body_member(m: &&Member) -> bool {
    matches!(
        m.http,
        HttpBinding::Body | HttpBinding::Label | HttpBinding::Query(_) | HttpBinding::QueryParams
    )
}

/// Reads the members of an output or error bound to headers, prefix headers and the status
/// code, calling `f` for each one present (prefix headers always: an empty map when none has
/// the prefix). An `Expires` timestamp header that does not parse
/// is read as absent, as the AWS SDKs do (S3 passes on whatever the object was stored with).
pub fn read_bound_members(
    response: &HttpResponse,
    members: &'static [Member],
    path: &str,
    f: &mut MemberReader<'_>,
) -> Result<(), DeError> {
    let headers = &response.headers;
    for m in members {
        // Made only for the members present (reading allocates no paths otherwise).
        let path = || crate::json::join_field(path, m.name);
        match m.http {
            HttpBinding::Header(name) if headers.contains_key(name) => {
                let path = path();
                let Some(text) = binding::header_text(headers, name, &path)? else {
                    continue;
                };
                let lenient = name.eq_ignore_ascii_case("expires")
                    && m.target.shape_type == ShapeType::Timestamp;
                if lenient {
                    let format = m.timestamp_format_or(TimestampFormat::HttpDate);
                    if binding::parse_header_timestamp(text, format, &path).is_err() {
                        continue;
                    }
                }
                f(m, &mut HeaderDeserializer { text, path })?;
            }
            // An empty map when no header has the prefix.
            HttpBinding::PrefixHeaders(prefix) => f(
                m,
                &mut PrefixHeadersDeserializer {
                    headers,
                    prefix: prefix.to_ascii_lowercase(),
                    path: path(),
                },
            )?,
            HttpBinding::ResponseCode => f(m, &mut StatusDeserializer(response.status))?,
            _ => {}
        }
    }
    Ok(())
}

/// The status code, for an `@httpResponseCode` member.
pub struct StatusDeserializer(pub u16);

impl ShapeDeserializer for StatusDeserializer {
    fn read_integer(
        &mut self,
        _: &Member,
        _: i64,
        _: i64,
        _: &'static str,
    ) -> Result<i64, DeError> {
        Ok(i64::from(self.0))
    }
    fn path(&self) -> String {
        "status".to_owned()
    }
}
