//! AWS Signature Version 4 query-string presigning ("presigned URLs").
//!
//! [`presign`] turns a request whose `uri` is absolute into a URL anyone can use, without
//! credentials, until it expires: the signature and its inputs travel in the query
//! (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
//! `X-Amz-SignedHeaders`, `X-Amz-Security-Token` for temporary credentials, and
//! `X-Amz-Signature`) instead of the `authorization` header.
//!
//! # Choices (as botocore's `SigV4QueryAuth` / `S3SigV4QueryAuth` make them)
//!
//! * **Signed headers**: `host` plus every header already on the request that
//!   [`is_signable_header`] accepts, except `content-length` (a presigned URL does not pin the
//!   body's size; botocore adds it only after signing), the per-attempt SDK headers
//!   `amz-sdk-invocation-id`, `amz-sdk-request` and `x-amz-user-agent`, and the header-signing
//!   headers `x-amz-date` and `x-amz-security-token` (their values travel in the query). Most
//!   presigned requests sign only `host`; the others (say `content-type`, `x-amz-meta-*`) must
//!   then be sent with the URL, and [`PresignedRequest::headers`] lists them.
//! * **Session token**: `X-Amz-Security-Token` is part of the canonical query (so signed), as
//!   botocore does for S3 and for every other service.
//! * **Payload hash**: a request that carries `x-amz-content-sha256` is signed with that value
//!   (and the header is signed); otherwise `UNSIGNED-PAYLOAD` when the settings are S3's
//!   ([`SigningSettings::add_content_sha256_header`], see [`SigningSettings::for_service`]),
//!   since the body of a presigned S3 request is unknown when it is signed; otherwise the hex
//!   SHA-256 of the request's body (`e3b0c442…` for an empty one), which the user of the URL
//!   must then send unchanged.
//! * **Query**: the request's own parameters come first, each percent-decoded (`+` as a
//!   space) and re-encoded exactly as the canonical query encodes it (only the RFC 3986
//!   unreserved characters left bare), in their original order; then the authentication
//!   parameters in the order above. The URL's query, sorted, is thus the canonical query plus
//!   the signature. Authentication parameters already in the query (from an earlier
//!   presigning) are replaced. A fragment is dropped.
//! * **Canonical URI**: as for header signing ([`SigningSettings`]): S3 paths are neither
//!   normalised nor double-encoded, every other service's are.
//! * **SigV4a** (feature `sigv4a`, `presign_sigv4a`): `X-Amz-Algorithm` is
//!   `AWS4-ECDSA-P256-SHA256`, the credential scope has no region, `X-Amz-Region-Set` (the
//!   region set) follows the authentication parameters above, before `X-Amz-Signature`,
//!   and is signed with them; the signature is the hex DER ECDSA signature.
//! * **Secrets**: [`PresignedRequest`]'s `Debug` redacts the values of `X-Amz-Security-Token`
//!   and `X-Amz-Signature` in the URL, and headers marked sensitive; no error message contains
//!   a secret.

use std::fmt;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::{HOST, HeaderName, HeaderValue};

use crate::credentials::Credentials;
use crate::http::HttpRequest;
use crate::sensitive::REDACTED;
use crate::sigv4::{
    ALGORITHM, SigningError, SigningParams, SigningSettings, UriParts, calculate_signature,
    canonical_headers, canonical_query_string, canonical_uri, format_amz_date, hex_sha256,
    is_signable_header, percent_decode, percent_encode_into, scope_date, signing_key,
    string_to_sign_for,
};

/// The longest validity SigV4 allows a presigned request: seven days (604 800 seconds).
pub const MAX_EXPIRES_IN: Duration = Duration::from_secs(604_800);

/// The payload hash of a presigned S3 request.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

const X_AMZ_ALGORITHM: &str = "X-Amz-Algorithm";
const X_AMZ_CREDENTIAL: &str = "X-Amz-Credential";
const X_AMZ_DATE: &str = "X-Amz-Date";
const X_AMZ_EXPIRES: &str = "X-Amz-Expires";
const X_AMZ_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
const X_AMZ_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
const X_AMZ_SIGNATURE: &str = "X-Amz-Signature";
const X_AMZ_REGION_SET: &str = "X-Amz-Region-Set";

/// The query parameters presigning sets; any already in the request's query are replaced.
const AUTH_PARAMS: [&str; 8] = [
    X_AMZ_ALGORITHM,
    X_AMZ_CREDENTIAL,
    X_AMZ_DATE,
    X_AMZ_EXPIRES,
    X_AMZ_SIGNED_HEADERS,
    X_AMZ_SECURITY_TOKEN,
    X_AMZ_REGION_SET,
    X_AMZ_SIGNATURE,
];

/// The query parameters whose values [`PresignedRequest`]'s `Debug` hides.
const SECRET_PARAMS: [&str; 2] = [X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE];

/// Signable headers that a presigned request nevertheless leaves unsigned.
fn is_presign_excluded_header(name: &str) -> bool {
    matches!(
        name,
        "content-length"
            | "amz-sdk-invocation-id"
            | "amz-sdk-request"
            | "x-amz-user-agent"
            | "x-amz-date"
            | "x-amz-security-token"
    )
}

/// How long a presigned request stays valid, and from when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresigningConfig {
    expires_in: Duration,
    start_time: Option<SystemTime>,
}

impl PresigningConfig {
    /// A configuration whose requests expire `expires_in` after their signing time (whole
    /// seconds: a fraction is dropped). Refused when under one second or over seven days
    /// ([`MAX_EXPIRES_IN`]).
    pub fn expires_in(expires_in: Duration) -> Result<Self, PresigningConfigError> {
        if expires_in.as_secs() == 0 {
            return Err(PresigningConfigError::ZeroExpiry);
        }
        if expires_in > MAX_EXPIRES_IN {
            return Err(PresigningConfigError::ExpiresTooLong { expires_in });
        }
        Ok(PresigningConfig {
            expires_in,
            start_time: None,
        })
    }

    /// The same configuration, signing at `start_time` (the `X-Amz-Date`) rather than at the
    /// signing parameters' time (which the client sets to now). Builder style.
    pub fn start_time(mut self, start_time: SystemTime) -> Self {
        self.start_time = Some(start_time);
        self
    }

    /// How long presigned requests stay valid.
    pub fn expires(&self) -> Duration {
        self.expires_in
    }

    /// The signing time set by [`start_time`](Self::start_time), if any (`None`: the
    /// signing parameters' time).
    pub fn get_start_time(&self) -> Option<SystemTime> {
        self.start_time
    }
}

/// Why a [`PresigningConfig`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PresigningConfigError {
    /// The validity is under one second (`X-Amz-Expires` counts whole seconds).
    ZeroExpiry,
    /// The validity is over seven days, the most SigV4 allows.
    ExpiresTooLong {
        /// The refused validity.
        expires_in: Duration,
    },
}

impl fmt::Display for PresigningConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PresigningConfigError::ZeroExpiry => {
                f.write_str("a presigned request must be valid for at least one second")
            }
            PresigningConfigError::ExpiresTooLong { expires_in } => write!(
                f,
                "a presigned request can be valid for at most 7 days (604800 seconds), \
                 not {} seconds",
                expires_in.as_secs()
            ),
        }
    }
}

impl std::error::Error for PresigningConfigError {}

/// One header a presigned request must be sent with.
#[derive(Clone, PartialEq, Eq)]
struct Header {
    name: String,
    value: String,
    sensitive: bool,
}

/// A presigned request: the method, the full URL with its signed query, and the headers
/// that were signed besides `host` (which must be sent with it).
///
/// Its `Debug` shows the URL with the values of `X-Amz-Security-Token` and
/// `X-Amz-Signature` redacted, and the values of headers marked sensitive redacted;
/// [`uri`](Self::uri) gives the real URL.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    method: String,
    uri: String,
    headers: Vec<Header>,
}

impl PresignedRequest {
    /// The HTTP method the URL is signed for.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The full URL, signature and (for temporary credentials) session token included:
    /// treat it as a secret until it expires.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The signed headers other than `host`, each `(name, value)`: the request must carry
    /// them with exactly these values. Empty for most presigned requests.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [Header]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|h| {
                        let value = if h.sensitive {
                            REDACTED
                        } else {
                            h.value.as_str()
                        };
                        (h.name.as_str(), value)
                    }))
                    .finish()
            }
        }
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("uri", &redact_uri(&self.uri))
            .field("headers", &Headers(&self.headers))
            .finish()
    }
}

/// `uri` with the values of [`SECRET_PARAMS`] replaced by [`REDACTED`].
fn redact_uri(uri: &str) -> String {
    let Some((base, query)) = uri.split_once('?') else {
        return uri.to_owned();
    };
    let mut out = String::with_capacity(uri.len());
    out.push_str(base);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = percent_decode(name, true);
        if SECRET_PARAMS
            .iter()
            .any(|p| p.as_bytes().eq_ignore_ascii_case(&decoded))
        {
            out.push_str(name);
            out.push('=');
            out.push_str(REDACTED);
        } else {
            out.push_str(pair);
        }
    }
    out
}

/// Appends `name=value` to a query, both encoded as the canonical query encodes them.
fn push_param(query: &mut String, name: &[u8], value: &[u8]) {
    if !query.is_empty() {
        query.push('&');
    }
    percent_encode_into(query, name, true);
    query.push('=');
    percent_encode_into(query, value, true);
}

/// Presigns `request` (whose `uri` must be absolute, `https://host[:port]/path?query`) for
/// `config`'s validity: see the [module documentation](self) for what is signed.
///
/// The signing time is `config`'s [`start_time`](PresigningConfig::start_time) when set,
/// else `params.time`. `settings` are the service's ([`SigningSettings::for_service`]); S3's
/// sign `UNSIGNED-PAYLOAD`. The request's body is not part of the result: for a service
/// other than S3 its hash is signed, so whoever uses the URL must send that same body.
pub fn presign(
    request: &HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
    config: &PresigningConfig,
) -> Result<PresignedRequest, SigningError> {
    let sign = |date: &str, string_to_sign: &str| {
        let key = signing_key(
            params.credentials.secret_access_key(),
            date,
            params.region,
            params.service,
        );
        Ok(calculate_signature(&key, string_to_sign))
    };
    let scheme = Scheme {
        credentials: params.credentials,
        algorithm: ALGORITHM,
        region: Some(params.region),
        region_set: None,
        service: params.service,
        sign: &sign,
    };
    presign_with(request, &scheme, settings, config, params.time)
}

/// [`presign`] with SigV4a (`AWS4-ECDSA-P256-SHA256`): see the module documentation.
#[cfg(feature = "sigv4a")]
pub fn presign_sigv4a(
    request: &HttpRequest,
    params: &crate::sigv4a::SigningParams<'_>,
    settings: &SigningSettings,
    config: &PresigningConfig,
) -> Result<PresignedRequest, SigningError> {
    let sign = |_: &str, string_to_sign: &str| {
        crate::sigv4a::cached_signing_key(params.credentials)?.sign(string_to_sign)
    };
    let scheme = Scheme {
        credentials: params.credentials,
        algorithm: crate::sigv4a::ALGORITHM,
        region: None,
        region_set: Some(params.region_set),
        service: params.service,
        sign: &sign,
    };
    presign_with(request, &scheme, settings, config, params.time)
}

/// What differs between SigV4 and SigV4a presigning.
struct Scheme<'a> {
    credentials: &'a Credentials,
    algorithm: &'a str,
    /// The scope's region (SigV4); `None`: a scope without region (SigV4a).
    region: Option<&'a str>,
    /// `X-Amz-Region-Set` (SigV4a).
    region_set: Option<&'a str>,
    service: &'a str,
    /// The signature of a string to sign, given the scope's date.
    sign: &'a dyn Fn(&str, &str) -> Result<String, SigningError>,
}

fn presign_with(
    request: &HttpRequest,
    params: &Scheme<'_>,
    settings: &SigningSettings,
    config: &PresigningConfig,
    time: SystemTime,
) -> Result<PresignedRequest, SigningError> {
    let time = config.start_time.unwrap_or(time);
    let amz_date = format_amz_date(time)?;
    let date = scope_date(&amz_date);
    let credential_scope = match params.region {
        Some(region) => format!("{date}/{region}/{}/aws4_request", params.service),
        None => format!("{date}/{}/aws4_request", params.service),
    };

    let parts = UriParts::parse(&request.uri)?;
    // Everything before the path: `scheme://authority`.
    let without_fragment = request
        .uri
        .split_once('#')
        .map_or(request.uri.as_str(), |(before, _)| before);
    let before_query = without_fragment
        .split_once('?')
        .map_or(without_fragment, |(before, _)| before);
    let base = before_query
        .strip_suffix(parts.path)
        .unwrap_or(before_query);
    let path = if parts.path.is_empty() {
        "/"
    } else {
        parts.path
    };

    // The headers to sign: `host` and the request's signable ones.
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        let n = name.as_str();
        if is_signable_header(n) && !is_presign_excluded_header(n) {
            headers.append(name.clone(), value.clone());
        }
    }
    if !headers.contains_key(HOST) {
        let host = HeaderValue::from_str(&parts.host_header()).map_err(|_| {
            SigningError::new("the request URI's authority is not a valid `host` header value")
        })?;
        headers.insert(HOST, host);
    }
    let payload_hash = match headers.get("x-amz-content-sha256") {
        Some(value) => value
            .to_str()
            .map_err(|_| SigningError::new("x-amz-content-sha256 is not visible ASCII"))?
            .to_owned(),
        None if settings.add_content_sha256_header => UNSIGNED_PAYLOAD.to_owned(),
        None => hex_sha256(&request.body),
    };
    let mut to_sign = HttpRequest::new(request.method.clone(), request.uri.clone());
    to_sign.headers = headers;
    let (canonical_headers, signed_headers) = canonical_headers(&to_sign)?;

    // The query: the request's parameters, then the authentication ones.
    let mut query = String::new();
    for pair in parts.query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name, true);
        if AUTH_PARAMS
            .iter()
            .any(|p| p.as_bytes().eq_ignore_ascii_case(&name))
        {
            continue;
        }
        push_param(&mut query, &name, &percent_decode(value, true));
    }
    let credential = format!("{}/{credential_scope}", params.credentials.access_key_id());
    let expires = config.expires_in.as_secs().to_string();
    push_param(
        &mut query,
        X_AMZ_ALGORITHM.as_bytes(),
        params.algorithm.as_bytes(),
    );
    push_param(
        &mut query,
        X_AMZ_CREDENTIAL.as_bytes(),
        credential.as_bytes(),
    );
    push_param(&mut query, X_AMZ_DATE.as_bytes(), amz_date.as_bytes());
    push_param(&mut query, X_AMZ_EXPIRES.as_bytes(), expires.as_bytes());
    push_param(
        &mut query,
        X_AMZ_SIGNED_HEADERS.as_bytes(),
        signed_headers.as_bytes(),
    );
    if let Some(token) = params.credentials.session_token() {
        push_param(
            &mut query,
            X_AMZ_SECURITY_TOKEN.as_bytes(),
            token.as_bytes(),
        );
    }
    if let Some(set) = params.region_set {
        push_param(&mut query, X_AMZ_REGION_SET.as_bytes(), set.as_bytes());
    }

    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        request.method.as_str(),
        canonical_uri(path, settings),
        canonical_query_string(&query),
    );
    let string_to_sign = string_to_sign_for(
        params.algorithm,
        &amz_date,
        &credential_scope,
        &canonical_request,
    );
    let signature = (params.sign)(date, &string_to_sign)?;
    push_param(&mut query, X_AMZ_SIGNATURE.as_bytes(), signature.as_bytes());

    let mut sent_headers = Vec::new();
    for (name, value) in &to_sign.headers {
        if name == HOST {
            continue;
        }
        sent_headers.push(header(name, value)?);
    }
    // In the order they were signed.
    sent_headers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(PresignedRequest {
        method: request.method.as_str().to_owned(),
        uri: format!("{base}{path}?{query}"),
        headers: sent_headers,
    })
}

fn header(name: &HeaderName, value: &HeaderValue) -> Result<Header, SigningError> {
    let text = std::str::from_utf8(value.as_bytes()).map_err(|_| {
        SigningError::new(format!(
            "the value of header `{}` is not UTF-8",
            name.as_str()
        ))
    })?;
    Ok(Header {
        name: name.as_str().to_owned(),
        value: text.to_owned(),
        sensitive: value.is_sensitive(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use http::Method;
    use std::time::UNIX_EPOCH;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// 2013-05-24T00:00:00Z, the AWS documentation's instant.
    const DOC_TIME: u64 = 1_369_353_600;

    fn doc_credentials(token: Option<&str>) -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            token.map(str::to_owned),
        )
    }

    fn query_value<'a>(uri: &'a str, name: &str) -> Option<&'a str> {
        let (_, query) = uri.split_once('?')?;
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn config_refuses_zero_and_more_than_seven_days() {
        assert_eq!(
            PresigningConfig::expires_in(Duration::ZERO),
            Err(PresigningConfigError::ZeroExpiry)
        );
        assert_eq!(
            PresigningConfig::expires_in(Duration::from_millis(999)),
            Err(PresigningConfigError::ZeroExpiry)
        );
        let too_long = Duration::from_secs(604_801);
        assert_eq!(
            PresigningConfig::expires_in(too_long),
            Err(PresigningConfigError::ExpiresTooLong {
                expires_in: too_long
            })
        );
        assert!(PresigningConfig::expires_in(Duration::from_millis(604_800_001)).is_err());
        let err = PresigningConfig::expires_in(too_long).unwrap_err();
        assert!(err.to_string().contains("604801"), "{err}");

        let week = PresigningConfig::expires_in(MAX_EXPIRES_IN).unwrap();
        assert_eq!(week.expires(), MAX_EXPIRES_IN);
        assert_eq!(week.get_start_time(), None);
        let one = PresigningConfig::expires_in(Duration::from_secs(1))
            .unwrap()
            .start_time(at(DOC_TIME));
        assert_eq!(one.expires(), Duration::from_secs(1));
        assert_eq!(one.get_start_time(), Some(at(DOC_TIME)));
    }

    #[test]
    fn aws_documentation_example() {
        // S3 "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)".
        let credentials = doc_credentials(None);
        let request = HttpRequest::new(
            Method::GET,
            "https://examplebucket.s3.amazonaws.com/test.txt",
        );
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: at(0),
        };
        let config = PresigningConfig::expires_in(Duration::from_secs(86_400))
            .unwrap()
            .start_time(at(DOC_TIME));
        let presigned = presign(
            &request,
            &params,
            &SigningSettings::for_service("s3"),
            &config,
        )
        .unwrap();
        assert_eq!(
            presigned.uri(),
            "https://examplebucket.s3.amazonaws.com/test.txt\
             ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
        assert_eq!(presigned.method(), "GET");
        assert_eq!(presigned.headers().count(), 0);
    }

    #[test]
    fn params_time_is_used_without_a_start_time() {
        let credentials = doc_credentials(None);
        let request = HttpRequest::new(
            Method::GET,
            "https://examplebucket.s3.amazonaws.com/test.txt",
        );
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: at(DOC_TIME),
        };
        let config = PresigningConfig::expires_in(Duration::from_secs(86_400)).unwrap();
        let presigned = presign(
            &request,
            &params,
            &SigningSettings::for_service("s3"),
            &config,
        )
        .unwrap();
        assert_eq!(
            query_value(presigned.uri(), "X-Amz-Signature"),
            Some("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        );
    }

    #[test]
    fn debug_redacts_the_token_the_signature_and_sensitive_headers() {
        let token = "FQoGZXIvYXdzEJr//////////wEaDOSECRET+TOKEN=";
        let credentials = doc_credentials(Some(token));
        let mut request = HttpRequest::new(
            Method::PUT,
            "https://examplebucket.s3.amazonaws.com/a%20b.txt?x-id=PutObject#frag",
        );
        request
            .headers
            .insert("x-amz-meta-color", HeaderValue::from_static("blue"));
        let mut key = HeaderValue::from_static("c2VjcmV0LWtleQ==");
        key.set_sensitive(true);
        request
            .headers
            .insert("x-amz-server-side-encryption-customer-key", key);
        request
            .headers
            .insert("user-agent", HeaderValue::from_static("anvil"));
        request
            .headers
            .insert("content-length", HeaderValue::from_static("0"));
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: at(DOC_TIME),
        };
        let config = PresigningConfig::expires_in(Duration::from_secs(3600)).unwrap();
        let presigned = presign(
            &request,
            &params,
            &SigningSettings::for_service("s3"),
            &config,
        )
        .unwrap();

        let uri = presigned.uri();
        let signature = query_value(uri, "X-Amz-Signature").unwrap().to_owned();
        let encoded_token = query_value(uri, "X-Amz-Security-Token").unwrap().to_owned();
        assert_eq!(
            encoded_token,
            "FQoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaDOSECRET%2BTOKEN%3D"
        );
        assert!(!uri.contains('#'));
        assert!(
            uri.starts_with("https://examplebucket.s3.amazonaws.com/a%20b.txt?x-id=PutObject&")
        );
        assert_eq!(
            query_value(uri, "X-Amz-SignedHeaders"),
            Some("host%3Bx-amz-meta-color%3Bx-amz-server-side-encryption-customer-key")
        );
        let headers: Vec<_> = presigned.headers().collect();
        assert_eq!(
            headers,
            [
                ("x-amz-meta-color", "blue"),
                (
                    "x-amz-server-side-encryption-customer-key",
                    "c2VjcmV0LWtleQ=="
                )
            ]
        );

        let debug = format!("{presigned:?}");
        assert!(!debug.contains(&signature), "{debug}");
        assert!(!debug.contains(&encoded_token), "{debug}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(!debug.contains("c2VjcmV0LWtleQ"), "{debug}");
        assert!(!debug.contains(credentials.secret_access_key()), "{debug}");
        assert!(debug.contains("X-Amz-Signature=*** Sensitive"), "{debug}");
        assert!(
            debug.contains("X-Amz-Security-Token=*** Sensitive"),
            "{debug}"
        );
        assert!(debug.contains("x-amz-meta-color"), "{debug}");
        assert!(debug.contains("blue"), "{debug}");
        assert!(debug.contains("AKIAIOSFODNN7EXAMPLE"), "{debug}");
    }

    #[test]
    fn an_earlier_presigning_is_replaced_and_the_query_reencoded() {
        let credentials = doc_credentials(None);
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: at(DOC_TIME),
        };
        let settings = SigningSettings::for_service("s3");
        let config = PresigningConfig::expires_in(Duration::from_secs(86_400)).unwrap();
        let first = presign(
            &HttpRequest::new(
                Method::GET,
                "https://examplebucket.s3.amazonaws.com/test.txt",
            ),
            &params,
            &settings,
            &config,
        )
        .unwrap();
        let again = presign(
            &HttpRequest::new(Method::GET, first.uri()),
            &params,
            &settings,
            &config,
        )
        .unwrap();
        assert_eq!(again.uri(), first.uri());

        let odd = presign(
            &HttpRequest::new(
                Method::GET,
                "https://examplebucket.s3.amazonaws.com/test.txt?a=b+c&flag&z=%7e%2f$",
            ),
            &params,
            &settings,
            &config,
        )
        .unwrap();
        assert!(
            odd.uri()
                .starts_with("https://examplebucket.s3.amazonaws.com/test.txt?a=b%20c&flag=&z=~%2F%24&X-Amz-Algorithm="),
            "{}",
            odd.uri()
        );
    }

    #[test]
    fn other_services_sign_the_body_hash_and_double_encode() {
        let credentials = doc_credentials(None);
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "lambda",
            time: at(DOC_TIME),
        };
        let config = PresigningConfig::expires_in(Duration::from_secs(60)).unwrap();
        let settings = SigningSettings::for_service("lambda");
        let empty = HttpRequest::new(Method::GET, "https://lambda.us-east-1.amazonaws.com/f%3Ax");
        let mut with_body = empty.clone();
        with_body.body = bytes::Bytes::from_static(b"{}");
        let a = presign(&empty, &params, &settings, &config).unwrap();
        let b = presign(&with_body, &params, &settings, &config).unwrap();
        assert_ne!(
            query_value(a.uri(), "X-Amz-Signature"),
            query_value(b.uri(), "X-Amz-Signature")
        );
        // S3 ignores the body: UNSIGNED-PAYLOAD.
        let s3 = SigningSettings::for_service("s3");
        let a = presign(&empty, &params, &s3, &config).unwrap();
        let b = presign(&with_body, &params, &s3, &config).unwrap();
        assert_eq!(a.uri(), b.uri());
    }

    #[cfg(feature = "sigv4a")]
    #[test]
    fn sigv4a_presigning_signs_the_region_set_with_ecdsa() {
        use p256::ecdsa::signature::Verifier;
        use p256::ecdsa::{Signature, VerifyingKey};
        // The SigV4a suite's credentials, service and instant (see `sigv4a`'s tests).
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some(token.to_owned()),
        );
        let params = crate::sigv4a::SigningParams {
            credentials: &credentials,
            region_set: "us-east-1,us-west-2",
            service: "service",
            time: at(1_440_938_160),
        };
        let request = HttpRequest::new(
            Method::GET,
            "https://example.amazonaws.com/?X-Amz-Region-Set=old",
        );
        let config = PresigningConfig::expires_in(Duration::from_secs(3600)).unwrap();
        let presigned =
            presign_sigv4a(&request, &params, &SigningSettings::default(), &config).unwrap();
        let uri = presigned.uri();
        let (base, query) = uri.split_once('?').unwrap();
        assert_eq!(base, "https://example.amazonaws.com/");
        let (unsigned, signature) = query.rsplit_once("&X-Amz-Signature=").unwrap();
        assert_eq!(
            unsigned,
            format!(
                "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256\
                 &X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fservice%2Faws4_request\
                 &X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\
                 &X-Amz-Security-Token={token}&X-Amz-Region-Set=us-east-1%2Cus-west-2"
            )
        );
        let creq = format!(
            "GET\n/\n{}\nhost:example.amazonaws.com\n\nhost\n{}",
            canonical_query_string(unsigned),
            hex_sha256(b"")
        );
        let sts = crate::sigv4a::string_to_sign(
            "20150830T123600Z",
            "20150830/service/aws4_request",
            &creq,
        );
        let key = crate::sigv4a::SigningKey::derive(
            credentials.access_key_id(),
            credentials.secret_access_key(),
        )
        .unwrap();
        let der: Vec<u8> = (0..signature.len() / 2)
            .map(|i| u8::from_str_radix(&signature[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let verifying = VerifyingKey::from_sec1_bytes(&key.public_key_sec1()).unwrap();
        let signature = Signature::from_der(&der).unwrap();
        assert!(verifying.verify(sts.as_bytes(), &signature).is_ok());
        assert!(!format!("{presigned:?}").contains(token));
    }

    #[test]
    fn relative_uris_are_refused() {
        let credentials = doc_credentials(None);
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: at(DOC_TIME),
        };
        let config = PresigningConfig::expires_in(Duration::from_secs(60)).unwrap();
        let err = presign(
            &HttpRequest::new(Method::GET, "/bucket/key"),
            &params,
            &SigningSettings::for_service("s3"),
            &config,
        )
        .unwrap_err();
        assert!(err.to_string().contains("absolute"), "{err}");
    }
}
