//! AWS Signature Version 4 request signing (header-based).
//!
//! [`sign`] completes an [`HttpRequest`] whose `uri` is absolute: it sets `x-amz-date`, `host`
//! (when absent), `x-amz-security-token` (when the credentials carry a session token) and
//! `authorization`. Signing is idempotent, so a retried request can simply be signed again: an
//! earlier `authorization` header is replaced and `x-amz-date` is refreshed.
//!
//! The steps are public so they can be inspected and tested one by one:
//! [`canonical_request`] → [`string_to_sign`] → [`signing_key`] → [`calculate_signature`], and
//! [`signature_parts`] runs them all on a request without changing it.
//!
//! # Choices (as the AWS SDKs make them)
//!
//! * **Signed headers**: every header present on the request except those a proxy or the
//!   transport may change or add: `authorization`, `connection`, `expect`, `keep-alive`,
//!   `proxy-authorization`, `te`, `trailer`, `transfer-encoding`, `upgrade`, `user-agent` and
//!   `x-amzn-trace-id` (see [`is_signable_header`]). `content-length` is signed when the request
//!   carries it (so the transport must send the body it describes).
//! * **Canonical URI**: for every service but S3 the path is normalised (RFC 3986 dot
//!   segments removed, empty segments dropped) and then URI-encoded once more, so an already
//!   encoded path ends up double-encoded (`%20` → `%2520`), as those services expect. For S3
//!   ([`SigningSettings::for_service`]) the path is neither normalised nor double-encoded: each
//!   segment is percent-decoded and encoded once, which is the object key's canonical form.
//! * **Canonical query**: each `name=value` pair is percent-decoded (`+` reads as a space, as
//!   form decoding and the AWS SDK for Rust do) and re-encoded with only the RFC 3986
//!   unreserved characters left bare, then sorted by name and value; `=` is always written.
//! * **Payload hash**: a request that already carries `x-amz-content-sha256` (S3's
//!   `UNSIGNED-PAYLOAD`, for instance) is signed with that value; otherwise the hex SHA-256 of
//!   the body. For S3 the header is added when missing, since S3 requires it.
//! * **Secrets**: the session token header and `authorization` are marked sensitive, so
//!   `http`'s `Debug` prints `Sensitive` for them; no error message contains a secret.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{AUTHORIZATION, HOST, HeaderName, HeaderValue};
use ring::{digest, hmac};

use crate::credentials::Credentials;
use crate::http::HttpRequest;

/// The signing algorithm's name, as it appears in the string to sign and `authorization`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// What to sign with: credentials, the scope (region and service), and the signing time.
pub struct SigningParams<'a> {
    /// The credentials; a session token, if any, is sent as `x-amz-security-token`.
    pub credentials: &'a Credentials,
    /// The signing region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The signing name of the service, e.g. `iam` or `s3`.
    pub service: &'a str,
    /// The signing time; it becomes `x-amz-date` and the scope's date.
    pub time: SystemTime,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts its secrets.
        f.debug_struct("SigningParams")
            .field("credentials", self.credentials)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .finish()
    }
}

/// Why a request could not be signed. Its message never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError {
    message: String,
}

impl SigningError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        SigningError {
            message: message.into(),
        }
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SigningError {}

/// How the canonical request is formed; the differences between S3 and the other services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningSettings {
    /// URI-encode the (already encoded) path once more. True for every service but S3.
    pub double_uri_encode: bool,
    /// Remove `.`/`..` and empty path segments before encoding. True for every service but S3.
    pub normalize_uri_path: bool,
    /// Add `x-amz-content-sha256` (the payload hash) when the request lacks it. S3 only.
    pub add_content_sha256_header: bool,
    /// The header the session token goes in: `x-amz-security-token`, or S3 Express's
    /// `x-amz-s3session-token` for requests signed with a directory bucket's session.
    pub session_token_header: &'static str,
}

impl Default for SigningSettings {
    /// The settings of every service but S3.
    fn default() -> Self {
        SigningSettings {
            double_uri_encode: true,
            normalize_uri_path: true,
            add_content_sha256_header: false,
            session_token_header: X_AMZ_SECURITY_TOKEN,
        }
    }
}

impl SigningSettings {
    /// The settings a service's signing name calls for: S3's (`s3`, `s3-object-lambda`,
    /// `s3-outposts`, `s3express`) or everyone else's.
    pub fn for_service(service: &str) -> Self {
        if matches!(
            service,
            "s3" | "s3-object-lambda" | "s3-outposts" | "s3express"
        ) {
            SigningSettings {
                double_uri_encode: false,
                normalize_uri_path: false,
                add_content_sha256_header: true,
                session_token_header: X_AMZ_SECURITY_TOKEN,
            }
        } else {
            SigningSettings::default()
        }
    }
}

/// Everything a signature is made of, secrets aside: for inspection and tests.
///
/// Its `Debug` hides the session token, which appears in the canonical request.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureParts {
    /// The canonical request.
    pub canonical_request: String,
    /// The signed header names, `;`-separated.
    pub signed_headers: String,
    /// `YYYYMMDD/region/service/aws4_request`.
    pub credential_scope: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The hex signature.
    pub signature: String,
    /// The `authorization` header value.
    pub authorization: String,
    pub(crate) session_token: Option<String>,
}

impl fmt::Debug for SignatureParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let canonical_request = match &self.session_token {
            Some(token) if !token.is_empty() => self
                .canonical_request
                .replace(token.as_str(), "** redacted **"),
            _ => self.canonical_request.clone(),
        };
        f.debug_struct("SignatureParts")
            .field("canonical_request", &canonical_request)
            .field("signed_headers", &self.signed_headers)
            .field("credential_scope", &self.credential_scope)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// A derived SigV4 signing key (`kSigning`). Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// Signs `request` in place with the settings its service calls for
/// ([`SigningSettings::for_service`]). `request.uri` must be absolute
/// (`https://host[:port]/path?query`).
pub fn sign(request: &mut HttpRequest, params: &SigningParams<'_>) -> Result<(), SigningError> {
    sign_with_settings(
        request,
        params,
        &SigningSettings::for_service(params.service),
    )
    .map(|_| ())
}

/// Signs `request` in place with explicit settings, returning what was signed.
pub fn sign_with_settings(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
) -> Result<SignatureParts, SigningError> {
    let amz_date = format_amz_date(params.time)?;
    add_signing_headers(request, params.credentials, settings, &amz_date)?;
    let parts = compute_parts(request, params, settings, &amz_date)?;
    set_authorization(request, &parts.authorization)?;
    Ok(parts)
}

/// Sets the (sensitive) `authorization` header. Shared with SigV4a.
pub(crate) fn set_authorization(
    request: &mut HttpRequest,
    authorization: &str,
) -> Result<(), SigningError> {
    let mut value = HeaderValue::from_str(authorization).map_err(|_| {
        SigningError::new(
            "the authorization header would not be a valid header value \
             (check the access key id, region and service)",
        )
    })?;
    value.set_sensitive(true);
    request.headers.insert(AUTHORIZATION, value);
    Ok(())
}

/// Computes the signature `request` would get, without changing it: the headers [`sign`]
/// would add are taken into account.
pub fn signature_parts(
    request: &HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
) -> Result<SignatureParts, SigningError> {
    let amz_date = format_amz_date(params.time)?;
    let mut request = request.clone();
    add_signing_headers(&mut request, params.credentials, settings, &amz_date)?;
    compute_parts(&request, params, settings, &amz_date)
}

/// Adds the headers both SigV4 and SigV4a sign (see [`sign`]) and removes `authorization`.
pub(crate) fn add_signing_headers(
    request: &mut HttpRequest,
    credentials: &Credentials,
    settings: &SigningSettings,
    amz_date: &str,
) -> Result<(), SigningError> {
    let parts = UriParts::parse(&request.uri)?;
    request.headers.remove(AUTHORIZATION);
    if !request.headers.contains_key(HOST) {
        let host = HeaderValue::from_str(&parts.host_header()).map_err(|_| {
            SigningError::new("the request URI's authority is not a valid `host` header value")
        })?;
        request.headers.insert(HOST, host);
    }
    let date = HeaderValue::from_str(amz_date)
        .map_err(|_| SigningError::new("the signing time is not a valid header value"))?;
    request
        .headers
        .insert(HeaderName::from_static(X_AMZ_DATE), date);
    if let Some(token) = credentials.session_token() {
        let mut value = HeaderValue::from_str(token)
            .map_err(|_| SigningError::new("the session token is not a valid header value"))?;
        value.set_sensitive(true);
        request.headers.insert(token_header(settings)?, value);
    }
    if settings.add_content_sha256_header && !request.headers.contains_key(X_AMZ_CONTENT_SHA256) {
        let hash = HeaderValue::from_str(&hex_sha256(&request.body))
            .map_err(|_| SigningError::new("payload hash is not a valid header value"))?;
        request
            .headers
            .insert(HeaderName::from_static(X_AMZ_CONTENT_SHA256), hash);
    }
    Ok(())
}

/// The session token's header name (see [`SigningSettings::session_token_header`]).
fn token_header(settings: &SigningSettings) -> Result<HeaderName, SigningError> {
    HeaderName::from_bytes(settings.session_token_header.as_bytes())
        .map_err(|_| SigningError::new("the session token header name is not a valid header name"))
}

fn compute_parts(
    request: &HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
    amz_date: &str,
) -> Result<SignatureParts, SigningError> {
    let (canonical_request, signed_headers) =
        canonical_request_and_signed_headers(request, settings)?;
    let date = scope_date(amz_date);
    let credential_scope = format!("{date}/{}/{}/aws4_request", params.region, params.service);
    let string_to_sign = string_to_sign(amz_date, &credential_scope, &canonical_request);
    let key = signing_key(
        params.credentials.secret_access_key(),
        date,
        params.region,
        params.service,
    );
    let signature = calculate_signature(&key, &string_to_sign);
    let authorization = format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
        params.credentials.access_key_id()
    );
    Ok(SignatureParts {
        canonical_request,
        signed_headers,
        credential_scope,
        string_to_sign,
        signature,
        authorization,
        session_token: params.credentials.session_token().map(str::to_owned),
    })
}

/// The canonical request of `request` as it stands (no header is added): method, canonical
/// URI, canonical query, canonical headers, signed headers and payload hash, `\n`-separated.
pub fn canonical_request(
    request: &HttpRequest,
    settings: &SigningSettings,
) -> Result<String, SigningError> {
    canonical_request_and_signed_headers(request, settings).map(|(creq, _)| creq)
}

/// `YYYYMMDD`, the credential scope's date, of an `x-amz-date`.
pub(crate) fn scope_date(amz_date: &str) -> &str {
    // `amz_date` is ASCII `YYYYMMDDTHHMMSSZ`: its first eight bytes are the date.
    amz_date.get(..8).unwrap_or(amz_date)
}

/// The canonical request and its signed header list. Shared with SigV4a.
pub(crate) fn canonical_request_and_signed_headers(
    request: &HttpRequest,
    settings: &SigningSettings,
) -> Result<(String, String), SigningError> {
    let parts = UriParts::parse(&request.uri)?;
    let uri = canonical_uri(parts.path, settings);
    let query = canonical_query_string(parts.query);
    let (headers, signed_headers) = canonical_headers(request)?;
    let payload_hash = match request.headers.get(X_AMZ_CONTENT_SHA256) {
        Some(value) => value
            .to_str()
            .map_err(|_| SigningError::new("x-amz-content-sha256 is not visible ASCII"))?
            .to_owned(),
        None => hex_sha256(&request.body),
    };
    let creq = format!(
        "{}\n{uri}\n{query}\n{headers}\n{signed_headers}\n{payload_hash}",
        request.method.as_str()
    );
    Ok((creq, signed_headers))
}

/// Whether a header takes part in the signature (see the module documentation).
pub fn is_signable_header(name: &str) -> bool {
    !matches!(
        name,
        "authorization"
            | "connection"
            | "expect"
            | "keep-alive"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "user-agent"
            | "x-amzn-trace-id"
    )
}

/// Canonical headers (each `name:value\n`) and the signed header list.
pub(crate) fn canonical_headers(request: &HttpRequest) -> Result<(String, String), SigningError> {
    let mut names: Vec<&str> = request
        .headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|name| is_signable_header(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut canonical = String::new();
    for name in &names {
        canonical.push_str(name);
        canonical.push(':');
        for (i, value) in request.headers.get_all(*name).iter().enumerate() {
            let text = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                SigningError::new(format!("the value of header `{name}` is not UTF-8"))
            })?;
            if i > 0 {
                canonical.push(',');
            }
            push_trimmed(&mut canonical, text);
        }
        canonical.push('\n');
    }
    Ok((canonical, names.join(";")))
}

/// Appends `value` trimmed, with each run of spaces and tabs inside it collapsed to one space.
fn push_trimmed(out: &mut String, value: &str) {
    let mut pending_space = false;
    for word in value.split([' ', '\t']).filter(|w| !w.is_empty()) {
        if pending_space {
            out.push(' ');
        }
        out.push_str(word);
        pending_space = true;
    }
}

/// The canonical URI of a request path as sent (already percent-encoded).
pub fn canonical_uri(path: &str, settings: &SigningSettings) -> String {
    let path = if path.is_empty() { "/" } else { path };
    if settings.double_uri_encode {
        let path = if settings.normalize_uri_path {
            normalize_path(path)
        } else {
            path.to_owned()
        };
        // The path as sent, encoded once more: `%` itself becomes `%25`.
        let mut out = String::with_capacity(path.len());
        percent_encode_into(&mut out, path.as_bytes(), false);
        out
    } else {
        let path = if settings.normalize_uri_path {
            normalize_path(path)
        } else {
            path.to_owned()
        };
        // Each segment decoded and encoded once: the canonical form of the decoded path.
        let mut out = String::with_capacity(path.len());
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            percent_encode_into(&mut out, &percent_decode(segment, false), true);
        }
        out
    }
}

/// RFC 3986 dot-segment removal plus dropping empty segments (`//`), keeping a trailing `/`.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for segment in path.split('/') {
        match segment {
            "" => trailing_slash = true,
            "." => trailing_slash = true,
            ".." => {
                segments.pop();
                trailing_slash = true;
            }
            s => {
                segments.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if segments.is_empty() || trailing_slash {
        out.push('/');
    }
    out
}

/// The canonical query string of a raw (encoded) query, without the leading `?`.
pub fn canonical_query_string(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let mut n = String::new();
            percent_encode_into(&mut n, &percent_decode(name, true), true);
            let mut v = String::new();
            percent_encode_into(&mut v, &percent_decode(value, true), true);
            (n, v)
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Percent-encodes every byte but the RFC 3986 unreserved ones (and `/` unless `encode_slash`).
pub(crate) fn percent_encode_into(out: &mut String, bytes: &[u8], encode_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (b == b'/' && !encode_slash)
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// Decodes `%XY` escapes (a malformed escape stays as it is); `+` becomes a space if asked.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|h| hex_value(*h));
            let lo = bytes.get(i + 2).and_then(|l| hex_value(*l));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' && plus_is_space { b' ' } else { b });
        i += 1;
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The string to sign: algorithm, `x-amz-date`, credential scope and the hex SHA-256 of the
/// canonical request, `\n`-separated.
pub fn string_to_sign(amz_date: &str, credential_scope: &str, canonical_request: &str) -> String {
    string_to_sign_for(ALGORITHM, amz_date, credential_scope, canonical_request)
}

/// The string to sign of `algorithm` (SigV4's or SigV4a's): same layout for both.
pub(crate) fn string_to_sign_for(
    algorithm: &str,
    amz_date: &str,
    credential_scope: &str,
    canonical_request: &str,
) -> String {
    format!(
        "{algorithm}\n{amz_date}\n{credential_scope}\n{}",
        hex_sha256(canonical_request.as_bytes())
    )
}

/// Derives the signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request")`, `date` being `YYYYMMDD`.
pub fn signing_key(secret_access_key: &str, date: &str, region: &str, service: &str) -> SigningKey {
    let mut secret = Vec::with_capacity(secret_access_key.len() + 4);
    secret.extend_from_slice(b"AWS4");
    secret.extend_from_slice(secret_access_key.as_bytes());
    let k_date = hmac_sha256(&secret, date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    SigningKey(hmac_sha256(&k_service, b"aws4_request"))
}

/// The hex HMAC-SHA256 of the string to sign under the signing key.
pub fn calculate_signature(key: &SigningKey, string_to_sign: &str) -> String {
    hex(&hmac_sha256(&key.0, string_to_sign.as_bytes()))
}

/// The raw HMAC-SHA256 of `data` under `key`. Shared with event-stream signing.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&key, data);
    let mut out = [0u8; 32];
    for (o, b) in out.iter_mut().zip(tag.as_ref()) {
        *o = *b;
    }
    out
}

/// The lowercase hex SHA-256 of `data`.
pub fn hex_sha256(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// Formats a time as SigV4's `x-amz-date`, `YYYYMMDD'T'HHMMSS'Z'` in UTC. Times before 1970
/// or past year 9999 are refused.
pub fn format_amz_date(time: SystemTime) -> Result<String, SigningError> {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| SigningError::new("the signing time is before 1970"))?
        .as_secs();
    let days = i64::try_from(secs / 86_400)
        .map_err(|_| SigningError::new("the signing time is out of range"))?;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    if year > 9999 {
        return Err(SigningError::new("the signing time is past year 9999"));
    }
    Ok(format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); `days` is at most
/// `u64::MAX / 86400`, far from overflowing the arithmetic below.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// The pieces of an absolute URI that signing needs.
pub(crate) struct UriParts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
}

impl<'a> UriParts<'a> {
    pub(crate) fn parse(uri: &'a str) -> Result<Self, SigningError> {
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
            SigningError::new("the request URI is not absolute (scheme://host/path expected)")
        })?;
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(authority_end);
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        // Drop any userinfo; split the port off (an IPv6 literal keeps its brackets).
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
        let (host, port) = match host_port.rfind(':') {
            Some(i) if !host_port.get(i..).unwrap_or_default().contains(']') => {
                let (h, p) = host_port.split_at(i);
                (h, Some(p.trim_start_matches(':')))
            }
            _ => (host_port, None),
        };
        if host.is_empty() {
            return Err(SigningError::new("the request URI has no host"));
        }
        Ok(UriParts {
            scheme,
            host,
            port,
            path,
            query,
        })
    }

    /// `host[:port]`, the port omitted when it is the scheme's default.
    pub(crate) fn host_header(&self) -> String {
        let default_port = match self.scheme.to_ascii_lowercase().as_str() {
            "https" | "wss" => Some("443"),
            "http" | "ws" => Some("80"),
            _ => None,
        };
        match self.port {
            Some(port) if !port.is_empty() && Some(port) != default_port => {
                format!("{}:{port}", self.host)
            }
            _ => self.host.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn amz_date_formats_known_instants() {
        assert_eq!(format_amz_date(at(0)).unwrap(), "19700101T000000Z");
        // 2015-08-30T12:36:00Z, the test suite's instant.
        assert_eq!(
            format_amz_date(at(1_440_938_160)).unwrap(),
            "20150830T123600Z"
        );
        // 2000-02-29 (a leap day in a century leap year) 23:59:59.
        assert_eq!(
            format_amz_date(at(951_868_799)).unwrap(),
            "20000229T235959Z"
        );
        // 2100-03-01 00:00:00 (2100 is not a leap year).
        assert_eq!(
            format_amz_date(at(4_107_542_400)).unwrap(),
            "21000301T000000Z"
        );
        assert!(format_amz_date(UNIX_EPOCH - Duration::from_secs(1)).is_err());
        assert!(format_amz_date(at(400_000_000_000)).is_err());
    }

    #[test]
    fn civil_dates_round_trip_day_by_day() {
        // Walk 1970..2400 a day at a time and check the calendar advances one day each step.
        let (mut y, mut m, mut d) = civil_from_days(0);
        assert_eq!((y, m, d), (1970, 1, 1));
        for days in 1..(430 * 366) {
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let month_len = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let expected = if d < month_len {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            let got = civil_from_days(days);
            assert_eq!(got, expected, "day {days}");
            (y, m, d) = got;
        }
    }

    #[test]
    fn query_is_decoded_reencoded_and_sorted() {
        assert_eq!(canonical_query_string(""), "");
        assert_eq!(canonical_query_string("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query_string("flag&x="), "flag=&x=");
        assert_eq!(canonical_query_string("k=a%2fb"), "k=a%2Fb");
        assert_eq!(canonical_query_string("k=a+b%20c"), "k=a%20b%20c");
        assert_eq!(canonical_query_string("k=%zz"), "k=%25zz");
        assert_eq!(canonical_query_string("&&a=1&"), "a=1");
        assert_eq!(canonical_query_string("k=$!"), "k=%24%21");
    }

    #[test]
    fn paths_are_normalised_and_double_encoded_except_for_s3() {
        let plain = SigningSettings::default();
        let s3 = SigningSettings::for_service("s3");
        assert_eq!(canonical_uri("", &plain), "/");
        assert_eq!(canonical_uri("/a%20b/c", &plain), "/a%2520b/c");
        assert_eq!(canonical_uri("/a%20b/c", &s3), "/a%20b/c");
        assert_eq!(canonical_uri("/a$b", &plain), "/a%24b");
        assert_eq!(canonical_uri("/a$b", &s3), "/a%24b");
        assert_eq!(canonical_uri("/a%2Fb", &s3), "/a%2Fb");
        assert_eq!(canonical_uri("/a/./b/../c//", &plain), "/a/c/");
        assert_eq!(canonical_uri("/a/./b/../c//", &s3), "/a/./b/../c//");
        assert_eq!(canonical_uri("/a/b/..", &plain), "/a/");
        assert_eq!(canonical_uri("/..", &plain), "/");
        assert_eq!(canonical_uri("/a/.", &plain), "/a/");
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        let mut out = String::new();
        push_trimmed(&mut out, "  a \t  b   c  ");
        assert_eq!(out, "a b c");
    }

    #[test]
    fn uri_parts_find_host_port_path_and_query() {
        let p = UriParts::parse("https://user@h.example.com:8443/p/q?x=1#frag").unwrap();
        assert_eq!(
            (p.host, p.port, p.path, p.query),
            ("h.example.com", Some("8443"), "/p/q", "x=1")
        );
        assert_eq!(p.host_header(), "h.example.com:8443");
        let p = UriParts::parse("https://h.example.com:443").unwrap();
        assert_eq!((p.path, p.host_header().as_str()), ("", "h.example.com"));
        let p = UriParts::parse("http://[::1]:8080?q").unwrap();
        assert_eq!((p.host, p.path, p.query), ("[::1]", "", "q"));
        assert_eq!(p.host_header(), "[::1]:8080");
        let p = UriParts::parse("http://[::1]/").unwrap();
        assert_eq!(p.host_header(), "[::1]");
        assert!(UriParts::parse("/relative").is_err());
        assert!(UriParts::parse("https:///nohost").is_err());
    }

    #[test]
    fn signing_key_debug_is_redacted() {
        let key = signing_key("secret-value", "20150830", "us-east-1", "iam");
        assert!(!format!("{key:?}").contains("secret"));
    }
}
