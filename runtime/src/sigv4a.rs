//! AWS Signature Version 4a (`AWS4-ECDSA-P256-SHA256`) request signing, header-based: what
//! S3 Multi-Region Access Points (and endpoints whose `authSchemes` prefer `sigv4a`) require.
//! Behind the `sigv4a` cargo feature.
//!
//! SigV4a signs the same canonical request as SigV4 ([`crate::sigv4`]: same signed headers,
//! URI, query and payload hash rules, same [`SigningSettings`]) plus the `x-amz-region-set`
//! header, the comma-joined regions the signature is valid in (`*`: all of them). What
//! differs:
//!
//! * **Credential scope**: `YYYYMMDD/<service>/aws4_request`, without a region.
//! * **Key**: an ECDSA P-256 private key derived from the secret access key
//!   ([`SigningKey::derive`]: HMAC-SHA256 KDF in counter mode, as AWS specifies), cached per
//!   credentials in the process (derivation is the costly part).
//! * **Signature**: the hex DER encoding of the ECDSA-P256-SHA256 signature of the string to
//!   sign. Nonces are deterministic (RFC 6979), so a given string to sign always gets the
//!   same signature; any valid ECDSA signature is accepted by AWS.
//!
//! Signing is idempotent as for SigV4: `authorization` is replaced, `x-amz-date` and
//! `x-amz-region-set` refreshed. No secret (secret key, derived private key) appears in a
//! `Debug`, a `Display` or an error.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use http::header::{HeaderName, HeaderValue};
use p256::ecdsa::signature::Signer;
use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::{FieldBytes, NonZeroScalar, Scalar};
use ring::{digest, hmac};

use crate::credentials::Credentials;
use crate::http::HttpRequest;
use crate::sigv4::{self, SignatureParts, SigningError, SigningSettings};

/// The signing algorithm's name, as it appears in the string to sign and `authorization`.
pub const ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

/// The header carrying the region set, signed like the others.
pub const REGION_SET_HEADER: &str = "x-amz-region-set";

/// The region set that means "every region".
pub const ALL_REGIONS: &str = "*";

/// What to sign with: credentials, the scope (region set and service), and the signing time.
pub struct SigningParams<'a> {
    /// The credentials; a session token, if any, is sent as `x-amz-security-token`.
    pub credentials: &'a Credentials,
    /// The region set as sent in `x-amz-region-set`: comma-joined regions, or `*`
    /// (an endpoint's: [`AuthScheme::region_set`](crate::endpoint::AuthScheme::region_set)).
    pub region_set: &'a str,
    /// The signing name of the service, e.g. `s3`.
    pub service: &'a str,
    /// The signing time; it becomes `x-amz-date` and the scope's date.
    pub time: SystemTime,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts its secrets.
        f.debug_struct("SigningParams")
            .field("credentials", self.credentials)
            .field("region_set", &self.region_set)
            .field("service", &self.service)
            .field("time", &self.time)
            .finish()
    }
}

/// Signs `request` in place with the settings its service calls for
/// ([`SigningSettings::for_service`]). `request.uri` must be absolute.
pub fn sign(request: &mut HttpRequest, params: &SigningParams<'_>) -> Result<(), SigningError> {
    let settings = SigningSettings::for_service(params.service);
    sign_with_settings(request, params, &settings).map(|_| ())
}

/// Signs `request` in place with explicit settings, returning what was signed.
pub fn sign_with_settings(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
) -> Result<SignatureParts, SigningError> {
    let amz_date = sigv4::format_amz_date(params.time)?;
    add_signing_headers(request, params, settings, &amz_date)?;
    let parts = compute_parts(request, params, settings, &amz_date)?;
    sigv4::set_authorization(request, &parts.authorization)?;
    Ok(parts)
}

/// Computes the signature `request` would get, without changing it: the headers [`sign`]
/// would add are taken into account.
pub fn signature_parts(
    request: &HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
) -> Result<SignatureParts, SigningError> {
    let amz_date = sigv4::format_amz_date(params.time)?;
    let mut request = request.clone();
    add_signing_headers(&mut request, params, settings, &amz_date)?;
    compute_parts(&request, params, settings, &amz_date)
}

/// SigV4's signing headers plus `x-amz-region-set`.
fn add_signing_headers(
    request: &mut HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
    amz_date: &str,
) -> Result<(), SigningError> {
    sigv4::add_signing_headers(request, params.credentials, settings, amz_date)?;
    let set = HeaderValue::from_str(params.region_set)
        .map_err(|_| SigningError::new("the region set is not a valid header value"))?;
    request
        .headers
        .insert(HeaderName::from_static(REGION_SET_HEADER), set);
    Ok(())
}

fn compute_parts(
    request: &HttpRequest,
    params: &SigningParams<'_>,
    settings: &SigningSettings,
    amz_date: &str,
) -> Result<SignatureParts, SigningError> {
    let (canonical_request, signed_headers) =
        sigv4::canonical_request_and_signed_headers(request, settings)?;
    let credential_scope = credential_scope(amz_date, params.service);
    let string_to_sign = string_to_sign(amz_date, &credential_scope, &canonical_request);
    let signature = cached_signing_key(params.credentials)?.sign(&string_to_sign)?;
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

/// `YYYYMMDD/<service>/aws4_request` for an `x-amz-date`: SigV4a's scope has no region.
pub fn credential_scope(amz_date: &str, service: &str) -> String {
    format!("{}/{service}/aws4_request", sigv4::scope_date(amz_date))
}

/// The string to sign: [`ALGORITHM`], `x-amz-date`, credential scope and the hex SHA-256 of
/// the canonical request, `\n`-separated.
pub fn string_to_sign(amz_date: &str, credential_scope: &str, canonical_request: &str) -> String {
    sigv4::string_to_sign_for(ALGORITHM, amz_date, credential_scope, canonical_request)
}

/// The KDF's label, also the algorithm's name.
const KDF_LABEL: &[u8] = ALGORITHM.as_bytes();

/// The last counter value the key derivation tries.
const MAX_COUNTER: u8 = 254;

/// A SigV4a signing key: the ECDSA P-256 private key derived from a secret access key. Its
/// `Debug` is redacted.
#[derive(Clone)]
pub struct SigningKey(p256::ecdsa::SigningKey);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

impl SigningKey {
    /// Derives the key of a credentials pair as AWS specifies: NIST SP 800-108 KDF in counter
    /// mode with HMAC-SHA256, key `"AWS4A" + secret`, label [`ALGORITHM`], context the access
    /// key id followed by a counter byte (from 1), 256 bits out; a candidate above n − 2 (n
    /// the curve order) is rejected and the counter incremented; the private scalar is the
    /// candidate plus one.
    pub fn derive(access_key_id: &str, secret_access_key: &str) -> Result<Self, SigningError> {
        let mut input = Zeroizing::new(Vec::with_capacity(secret_access_key.len() + 5));
        input.extend_from_slice(b"AWS4A");
        input.extend_from_slice(secret_access_key.as_bytes());
        let key = hmac::Key::new(hmac::HMAC_SHA256, &input);
        (1..=MAX_COUNTER)
            .find_map(|counter| scalar_of(&kdf_block(&key, access_key_id, counter)))
            .map(|scalar| SigningKey(p256::ecdsa::SigningKey::from(scalar)))
            .ok_or_else(|| SigningError::new("no SigV4a key can be derived from the credentials"))
    }

    /// The public key, SEC1-encoded uncompressed (`04 || X || Y`, 65 bytes): what AWS
    /// verifies signatures with.
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.0
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// The hex DER-encoded ECDSA-P256-SHA256 signature of `string_to_sign`.
    pub fn sign(&self, string_to_sign: &str) -> Result<String, SigningError> {
        let signature: p256::ecdsa::Signature = self
            .0
            .try_sign(string_to_sign.as_bytes())
            .map_err(|_| SigningError::new("ECDSA signing failed"))?;
        Ok(sigv4::hex(signature.to_der().as_bytes()))
    }
}

/// One output block of the KDF: `HMAC(key, i || label || 0x00 || context || L)`, `i` = 1
/// and `L` = 256 as 32-bit big-endian integers, context = access key id || counter.
fn kdf_block(key: &hmac::Key, access_key_id: &str, counter: u8) -> Zeroizing<[u8; 32]> {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(&1u32.to_be_bytes());
    ctx.update(KDF_LABEL);
    ctx.update(&[0]);
    ctx.update(access_key_id.as_bytes());
    ctx.update(&[counter]);
    ctx.update(&256u32.to_be_bytes());
    let tag = ctx.sign();
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(tag.as_ref());
    out
}

/// `candidate + 1` as a non-zero scalar, or `None` when `candidate > n - 2`.
fn scalar_of(candidate: &[u8; 32]) -> Option<NonZeroScalar> {
    // `from_repr` refuses candidate >= n; candidate = n - 1 gives zero, refused below.
    let scalar: Option<Scalar> = Scalar::from_repr(FieldBytes::from(*candidate)).into();
    Option::from(NonZeroScalar::new(scalar? + Scalar::ONE))
}

/// Derived keys kept, most recent last.
const KEY_CACHE_SIZE: usize = 8;

/// Derived keys by [`cache_id`] of their credentials.
type KeyCache = Vec<([u8; 32], Arc<SigningKey>)>;

static KEY_CACHE: Mutex<KeyCache> = Mutex::new(Vec::new());

/// The cache's key for a credentials pair: a SHA-256 of it, so the cache holds no secret.
fn cache_id(access_key_id: &str, secret_access_key: &str) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    let len = u64::try_from(access_key_id.len()).unwrap_or(u64::MAX);
    ctx.update(&len.to_be_bytes());
    ctx.update(access_key_id.as_bytes());
    ctx.update(secret_access_key.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The key of `credentials`, derived once per process and credentials pair (the last
/// [`KEY_CACHE_SIZE`] pairs are kept).
pub(crate) fn cached_signing_key(
    credentials: &Credentials,
) -> Result<Arc<SigningKey>, SigningError> {
    let (akid, secret) = (credentials.access_key_id(), credentials.secret_access_key());
    let id = cache_id(akid, secret);
    let lock = || KEY_CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, key)) = lock().iter().find(|(k, _)| *k == id) {
        return Ok(Arc::clone(key));
    }
    let key = Arc::new(SigningKey::derive(akid, secret)?);
    let mut cache = lock();
    if cache.len() >= KEY_CACHE_SIZE {
        cache.remove(0);
    }
    cache.push((id, Arc::clone(&key)));
    Ok(key)
}

#[cfg(test)]
mod tests {
    //! Expected values are transcribed from the SigV4a test suite, example credentials
    //! `AKIDEXAMPLE`, service `service`, region set `us-east-1`, 20150830T123600Z:
    //! * the derived key (`d`, `pk_x`, `pk_y` of the suite's `get-vanilla` case) as
    //!   aws/aws-sdk-ruby `gems/aws-sigv4/spec/asymmetric_credentials_spec.rb` gives it;
    //! * awslabs/aws-c-auth `tests/aws-signing-test-suite/v4a`: the signature in the
    //!   `Authorization` of `header-signed-request.txt` (`get-vanilla-query-order-encoded`,
    //!   `get-vanilla-with-session-token`), made with that derived key, except for the
    //!   session-token case, signed with the fixed key of its `key.pem` (public key decoded);
    //! * smithy-lang/smithy-rs `aws/rust-runtime/aws-sigv4/aws-sig-v4a-test-suite`:
    //!   `header-canonical-request.txt` and `header-string-to-sign.txt`
    //!   (`get-vanilla-query-order-encoded`, `post-x-www-form-urlencoded`).
    use super::*;
    use http::Method;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    use std::time::{Duration, UNIX_EPOCH};

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    /// The private scalar derived from `AKID` and `SECRET`.
    const PRIVATE: &str = "7efc8c0e65a324242818c5a50c891c6060b6a00717b7ba3cbe3c5d765be9259c";
    /// Its public key, `04 || X || Y`.
    const PUBLIC: &str = "04b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1\
                          865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518";
    /// The public key of `get-vanilla-with-session-token/key.pem`.
    const PEM_PUBLIC: &str = "041468963b5323439c3ad5ef5a4065b56c24f5ce94dd810c54b955bebdb989e8d2\
                              2f725498e2b9090e6530c8d35d2a0ae40b72eae1e4727594606eed7208a70095";

    fn params<'a>(credentials: &'a Credentials) -> SigningParams<'a> {
        SigningParams {
            credentials,
            region_set: "us-east-1",
            service: "service",
            time: UNIX_EPOCH + Duration::from_secs(1_440_938_160),
        }
    }

    fn request(method: Method, uri: &str) -> HttpRequest {
        let mut request = HttpRequest::new(method, uri);
        request
            .headers
            .insert("host", HeaderValue::from_static("example.amazonaws.com"));
        request
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    fn verifies(public_sec1: &[u8], string_to_sign: &str, signature_hex: &str) -> bool {
        let key = VerifyingKey::from_sec1_bytes(public_sec1).unwrap();
        let signature = Signature::from_der(&unhex(signature_hex)).unwrap();
        key.verify(string_to_sign.as_bytes(), &signature).is_ok()
    }

    #[test]
    fn key_derivation_matches_the_suite() {
        let key = SigningKey::derive(AKID, SECRET).unwrap();
        assert_eq!(sigv4::hex(&key.0.to_bytes()), PRIVATE);
        assert_eq!(sigv4::hex(&key.public_key_sec1()), PUBLIC);
        assert_eq!(format!("{key:?}"), "SigningKey(** redacted **)");
    }

    #[test]
    fn out_of_range_candidates_are_rejected() {
        let n_minus_1 = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
        let n_minus_2 = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f");
        let as_array = |v: &[u8]| <[u8; 32]>::try_from(v).unwrap();
        assert!(scalar_of(&as_array(&n_minus_1)).is_none());
        assert!(scalar_of(&[0xff; 32]).is_none());
        let top = scalar_of(&as_array(&n_minus_2)).unwrap();
        assert_eq!(sigv4::hex(&top.to_repr()), sigv4::hex(&n_minus_1));
        let one = scalar_of(&[0; 32]).unwrap();
        assert_eq!(one.to_repr().last(), Some(&1));
    }

    #[test]
    fn query_order_encoded_matches_the_suite() {
        let credentials = Credentials::new(AKID, SECRET, None);
        let req = request(
            Method::GET,
            "https://example.amazonaws.com/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
        );
        let parts = signature_parts(&req, &params(&credentials), &SigningSettings::default());
        let parts = parts.unwrap();
        assert_eq!(
            parts.canonical_request,
            "GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\nhost:example.amazonaws.com\n\
             x-amz-date:20150830T123600Z\nx-amz-region-set:us-east-1\n\n\
             host;x-amz-date;x-amz-region-set\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            parts.string_to_sign,
            "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n\
             55568a29040b287c72015a5ab482d9aaceeb1e9881f3bc946378bc3d6079f6a5"
        );
        // The suite's own (randomized) signature verifies against our string to sign.
        let official = "3044022041ffa05b60e2cc9bac499a22148bb69825873b913cabdcf8b3f97c75ba28f8\
                        1a0220492937cb6eccb784d5fcf1969e4493ad9417ac3409496ef74f281aa13e279739";
        assert!(verifies(&unhex(PUBLIC), &parts.string_to_sign, official));
        assert!(verifies(
            &unhex(PUBLIC),
            &parts.string_to_sign,
            &parts.signature
        ));
    }

    #[test]
    fn form_post_matches_the_suite() {
        let credentials = Credentials::new(AKID, SECRET, None);
        let mut req = request(Method::POST, "https://example.amazonaws.com/");
        let hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
        for (name, value) in [
            ("content-type", "application/x-www-form-urlencoded"),
            ("content-length", "13"),
            ("x-amz-content-sha256", hash),
        ] {
            req.headers.insert(name, HeaderValue::from_static(value));
        }
        req.body = bytes::Bytes::from_static(b"Param1=value1");
        let parts = signature_parts(&req, &params(&credentials), &SigningSettings::default());
        let parts = parts.unwrap();
        assert_eq!(
            parts.signed_headers,
            "content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-region-set"
        );
        assert!(parts.canonical_request.ends_with(&format!("\n{hash}")));
        assert_eq!(
            parts.string_to_sign,
            "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n\
             ba7fa291aefad463b308fdc89b33d852aea9fbcfa151d820117bd8189066cb91"
        );
    }

    #[test]
    fn session_token_request_is_signed_in_place() {
        let credentials = Credentials::new(AKID, SECRET, Some(TOKEN.to_owned()));
        let mut req = request(Method::GET, "https://example.amazonaws.com/");
        sign(&mut req, &params(&credentials)).unwrap();
        let parts = signature_parts(&req, &params(&credentials), &SigningSettings::default());
        let parts = parts.unwrap();
        let auth = req.headers.get("authorization").unwrap();
        assert!(auth.is_sensitive());
        let auth = auth.to_str().unwrap();
        assert!(auth.starts_with(
            "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, \
             SignedHeaders=host;x-amz-date;x-amz-region-set;x-amz-security-token, Signature="
        ));
        assert_eq!(req.headers.get(REGION_SET_HEADER).unwrap(), "us-east-1");
        let official = "3046022100c73cca08380c72b8adb0ead5f9b51ad34ef1518bce21d7a7b43cd1a5c8cd\
                        38bc022100b9891d3e8828d1aafd32b946a42a235a6c7a6d762791595d1fb4513a50377257";
        assert!(verifies(
            &unhex(PEM_PUBLIC),
            &parts.string_to_sign,
            official
        ));
        let signature = auth.rsplit("Signature=").next().unwrap();
        assert!(verifies(&unhex(PUBLIC), &parts.string_to_sign, signature));
        // Signing again replaces the signature instead of adding one.
        sign(&mut req, &params(&credentials)).unwrap();
        assert_eq!(req.headers.get_all("authorization").iter().count(), 1);
        assert!(!format!("{parts:?}").contains(TOKEN));
    }

    #[test]
    fn keys_are_cached_per_credentials_and_never_shown() {
        let a = Credentials::new(AKID, SECRET, None);
        let b = Credentials::new(AKID, "another-secret", None);
        let first = cached_signing_key(&a).unwrap();
        assert!(Arc::ptr_eq(&first, &cached_signing_key(&a).unwrap()));
        let other = cached_signing_key(&b).unwrap();
        assert_ne!(first.public_key_sec1(), other.public_key_sec1());
        let shown = format!("{:?} {:?}", params(&a), first);
        assert!(!shown.contains(SECRET) && !shown.contains(PRIVATE));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let credentials = Credentials::new(AKID, SECRET, None);
        let mut p = params(&credentials);
        p.region_set = "us-east-1\n";
        let mut req = request(Method::GET, "https://example.amazonaws.com/");
        assert!(sign(&mut req, &p).is_err());
        let mut req = request(Method::GET, "/relative");
        assert!(sign(&mut req, &params(&credentials)).is_err());
    }
}
