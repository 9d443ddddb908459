//! Event-stream message signing: SigV4's `AWS4-HMAC-SHA256-PAYLOAD`, which services with
//! client-to-server event streams (Transcribe streaming, Bedrock's bidirectional streams)
//! require of every message the client sends.
//!
//! Each outgoing message, already encoded with [`encode`](crate::codec::event_stream::encode),
//! is wrapped in a new message whose payload is those bytes and whose headers are
//!
//! - `:date`, a timestamp: the signing time, truncated to whole seconds (the string to sign
//!   carries seconds only, so the header must not carry more);
//! - `:chunk-signature`, a byte array: the raw 32 bytes of the signature.
//!
//! The signature is the hex HMAC-SHA256, under the SigV4 signing key of the signing date,
//! region and service, of the string to sign
//!
//! ```text
//! AWS4-HMAC-SHA256-PAYLOAD
//! <YYYYMMDDTHHMMSSZ>
//! <YYYYMMDD>/<region>/<service>/aws4_request
//! <the prior signature, hex>
//! <hex SHA-256 of the encoded :date header>
//! <hex SHA-256 of the payload (the encoded inner message)>
//! ```
//!
//! (`\n`-separated, no trailing newline). The encoded `:date` header is its wire form: name
//! length (`u8`), `:date`, type byte 8, then the milliseconds since the epoch as a big-endian
//! `i64`. Signatures chain: the first prior signature is the seed, the signature of the HTTP
//! request that opened the stream (the `Signature=` of its `authorization` header, see
//! [`signature_from_authorization`]), and each message's signature is the next one's prior.
//! After the last event the client sends the end frame ([`MessageSigner::sign_end`]): the
//! same wrapping around an empty payload.
//!
//! The session token, if any, is not part of message signatures: it travels with the HTTP
//! request only.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::codec::event_stream::{HeaderValue, Message};
use crate::credentials::Credentials;
use crate::datetime::DateTime;
use crate::sigv4::{
    SigningError, SigningKey, format_amz_date, hex, hex_sha256, hmac_sha256, scope_date,
    signing_key,
};

/// The algorithm line of an event-stream message's string to sign.
pub const PAYLOAD_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";

/// The header carrying the signing time.
pub const DATE_HEADER: &str = ":date";

/// The header carrying the raw signature.
pub const CHUNK_SIGNATURE_HEADER: &str = ":chunk-signature";

/// Signs the messages of one event stream, in order, chaining each signature to the one
/// before it.
///
/// One signer serves one stream: it starts from the seed (the opening request's signature)
/// and remembers the latest signature. Its `Debug` shows the access key id, the region, the
/// service and the prior signature (which is not secret: it travels on the wire), never the
/// secret key, the session token or a signing key.
#[derive(Clone)]
pub struct MessageSigner {
    credentials: Credentials,
    region: String,
    service: String,
    prior_signature: String,
    /// The signing key of the last date signed for (`YYYYMMDD`), reused while the date holds.
    key: Option<(String, SigningKey)>,
}

impl fmt::Debug for MessageSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts the secret key and the session token.
        f.debug_struct("MessageSigner")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("prior_signature", &self.prior_signature)
            .finish_non_exhaustive()
    }
}

impl MessageSigner {
    /// A signer for one stream: `credentials` and the signing `region` and `service` (the
    /// same as the opening request's), starting from `seed_signature`, the hex signature of
    /// that request.
    pub fn new(
        credentials: Credentials,
        region: impl Into<String>,
        service: impl Into<String>,
        seed_signature: impl Into<String>,
    ) -> Self {
        MessageSigner {
            credentials,
            region: region.into(),
            service: service.into(),
            prior_signature: seed_signature.into(),
            key: None,
        }
    }

    /// Wraps and signs one encoded message: the result's payload is `encoded`, its headers
    /// `:date` (`time` truncated to seconds) and `:chunk-signature`. Its signature becomes the
    /// prior signature. Fails, leaving the signer unchanged, when `time` is before 1970 or
    /// past year 9999.
    pub fn sign(&mut self, encoded: &[u8], time: SystemTime) -> Result<Message, SigningError> {
        self.sign_payload(Bytes::copy_from_slice(encoded), time)
    }

    /// The signed end frame that closes the stream: the same wrapping around an empty
    /// payload. Fails like [`sign`](Self::sign).
    pub fn sign_end(&mut self, time: SystemTime) -> Result<Message, SigningError> {
        self.sign_payload(Bytes::new(), time)
    }

    /// The prior signature (hex): the seed until a message is signed, then the latest
    /// message's signature.
    pub fn prior_signature(&self) -> &str {
        &self.prior_signature
    }

    fn sign_payload(&mut self, payload: Bytes, time: SystemTime) -> Result<Message, SigningError> {
        let secs = time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SigningError::new("the signing time is before 1970"))?
            .as_secs();
        // Sub-seconds are dropped up front: `:date` must match the string to sign exactly.
        let amz_date = format_amz_date(UNIX_EPOCH + Duration::from_secs(secs))?;
        let secs = i64::try_from(secs)
            .map_err(|_| SigningError::new("the signing time is out of range"))?;
        let millis = secs
            .checked_mul(1000)
            .ok_or_else(|| SigningError::new("the signing time is out of range"))?;
        let date = scope_date(&amz_date);
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let string_to_sign = string_to_sign(
            &amz_date,
            &scope,
            &self.prior_signature,
            &encoded_date_header(millis),
            &payload,
        );
        let key = self.key_for(date);
        let signature = hmac_sha256(key.as_bytes(), string_to_sign.as_bytes());
        self.prior_signature = hex(&signature);
        Ok(Message::new(payload)
            .with_header(
                DATE_HEADER,
                HeaderValue::Timestamp(DateTime::from_secs(secs)),
            )
            .with_header(
                CHUNK_SIGNATURE_HEADER,
                HeaderValue::ByteArray(Bytes::copy_from_slice(&signature)),
            ))
    }

    /// The signing key of `date` (`YYYYMMDD`), derived once per date.
    fn key_for(&mut self, date: &str) -> SigningKey {
        match &self.key {
            Some((cached, key)) if cached == date => key.clone(),
            _ => {
                let key = signing_key(
                    self.credentials.secret_access_key(),
                    date,
                    &self.region,
                    &self.service,
                );
                self.key = Some((date.to_owned(), key.clone()));
                key
            }
        }
    }
}

/// The `Signature=` value (hex) of a SigV4 `authorization` header: the seed of the stream
/// that request opens. `None` when the header has none.
pub fn signature_from_authorization(authorization: &str) -> Option<&str> {
    authorization
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("Signature="))
        .filter(|s| !s.is_empty())
}

/// The wire form of the `:date` header of `millis` since the epoch.
fn encoded_date_header(millis: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + DATE_HEADER.len() + 8);
    // `:date` is 5 bytes long.
    out.push(DATE_HEADER.len() as u8);
    out.extend_from_slice(DATE_HEADER.as_bytes());
    out.push(8);
    out.extend_from_slice(&millis.to_be_bytes());
    out
}

/// The string to sign of one message (see the module documentation).
fn string_to_sign(
    amz_date: &str,
    credential_scope: &str,
    prior_signature: &str,
    date_header: &[u8],
    payload: &[u8],
) -> String {
    format!(
        "{PAYLOAD_ALGORITHM}\n{amz_date}\n{credential_scope}\n{prior_signature}\n{}\n{}",
        hex_sha256(date_header),
        hex_sha256(payload)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::event_stream::{decode_one, encode};

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    fn credentials() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("SESSION-TOKEN-VALUE".into()),
        )
    }

    fn signer() -> MessageSigner {
        MessageSigner::new(credentials(), "us-east-1", "transcribe", "ab".repeat(32))
    }

    fn inner() -> Bytes {
        encode(
            &Message::new(&b"test payload"[..])
                .with_header("some-header", HeaderValue::String("value".into())),
        )
        .unwrap()
    }

    fn signature_of(message: &Message) -> String {
        match message.header(CHUNK_SIGNATURE_HEADER) {
            Some(HeaderValue::ByteArray(b)) => hex(b),
            other => panic!("no :chunk-signature: {other:?}"),
        }
    }

    #[test]
    fn string_to_sign_matches_the_aws_sdk_for_rust() {
        // The vector of smithy-rs' aws-sigv4 `event_stream` tests: the same inner message,
        // time, scope and prior signature give the same hashes.
        let secs = 123_456_789;
        let amz_date = format_amz_date(at(secs, 0)).unwrap();
        let sts = string_to_sign(
            &amz_date,
            "19731129/us-east-1/testservice/aws4_request",
            &hex_sha256(b"last message sts"),
            &encoded_date_header(secs as i64 * 1000),
            &inner(),
        );
        assert_eq!(
            sts,
            "AWS4-HMAC-SHA256-PAYLOAD\n\
             19731129T213309Z\n\
             19731129/us-east-1/testservice/aws4_request\n\
             be1f8c7d79ef8e1abc5254a2c70e4da3bfaf4f07328f527444e1fc6ea67273e2\n\
             0c0e3b3bf66b59b976181bd7d401927bbd624107303c713fd1e5f3d3c8dd1b1e\n\
             f2eba0f2e95967ee9fbc6db5e678d2fd599229c0d04b11e4fc8e0f2a02a806c6"
        );
    }

    #[test]
    fn known_signature() {
        // Computed independently with Python's hmac/hashlib from the same inputs.
        let mut signer = MessageSigner::new(
            credentials(),
            "us-east-1",
            "testservice",
            hex_sha256(b"last message sts"),
        );
        let signed = signer.sign(&inner(), at(123_456_789, 1234)).unwrap();
        assert_eq!(
            signer.prior_signature(),
            "26b035a029666cc75dcaead9985e24aaa5594409b16d3754b94b5bd97399369b"
        );
        assert_eq!(signature_of(&signed), signer.prior_signature());
    }

    #[test]
    fn wraps_the_message_with_date_and_signature() {
        let mut signer = signer();
        let inner = inner();
        let signed = signer.sign(&inner, at(1_700_000_000, 999_999_999)).unwrap();
        assert_eq!(signed.payload, inner);
        assert_eq!(signed.headers.len(), 2);
        assert_eq!(signed.headers[0].name, DATE_HEADER);
        // Truncated to the second, not rounded.
        assert_eq!(
            signed.headers[0].value,
            HeaderValue::Timestamp(DateTime::from_secs(1_700_000_000))
        );
        assert_eq!(signed.headers[1].name, CHUNK_SIGNATURE_HEADER);
        let signature = signature_of(&signed);
        assert_eq!(signature.len(), 64);
        assert_eq!(signer.prior_signature(), signature);
        // The wrapper encodes and decodes like any message; the inner one survives intact.
        let back = decode_one(&encode(&signed).unwrap()).unwrap();
        assert_eq!(back, signed);
        assert_eq!(
            decode_one(&back.payload)
                .unwrap()
                .string_header("some-header"),
            Some("value")
        );
    }

    #[test]
    fn the_date_header_is_what_the_codec_writes() {
        let millis = 1_700_000_000_000;
        let message = Message::default().with_header(
            DATE_HEADER,
            HeaderValue::Timestamp(DateTime::from_secs(millis / 1000)),
        );
        let bytes = encode(&message).unwrap();
        // Prelude (12 bytes), then the one header, then the message CRC (4 bytes).
        assert_eq!(bytes[12..bytes.len() - 4], encoded_date_header(millis)[..]);
    }

    #[test]
    fn signatures_chain_from_the_seed() {
        let mut signer = signer();
        let seed = signer.prior_signature().to_owned();
        let time = at(1_700_000_000, 0);
        let first = signer.sign(&inner(), time).unwrap();
        let second = signer.sign(&inner(), time).unwrap();
        // Same message and time: only the prior signature differs.
        assert_ne!(signature_of(&first), signature_of(&second));
        // Recompute the second by hand from the first.
        let amz_date = format_amz_date(time).unwrap();
        let sts = string_to_sign(
            &amz_date,
            "20231114/us-east-1/transcribe/aws4_request",
            &signature_of(&first),
            &encoded_date_header(1_700_000_000_000),
            &inner(),
        );
        let key = signing_key(
            credentials().secret_access_key(),
            "20231114",
            "us-east-1",
            "transcribe",
        );
        assert_eq!(
            hex(&hmac_sha256(key.as_bytes(), sts.as_bytes())),
            signature_of(&second)
        );
        // A signer restarted from the same seed reproduces the chain.
        let mut again = MessageSigner::new(credentials(), "us-east-1", "transcribe", seed);
        assert_eq!(again.sign(&inner(), time).unwrap(), first);
        assert_eq!(again.sign(&inner(), time).unwrap(), second);
    }

    #[test]
    fn end_frame_has_an_empty_payload() {
        let mut signer = signer();
        signer.sign(&inner(), at(1_700_000_000, 0)).unwrap();
        let end = signer.sign_end(at(1_700_000_001, 0)).unwrap();
        assert!(end.payload.is_empty());
        assert_eq!(signature_of(&end), signer.prior_signature());
        // The same as signing an empty payload.
        let mut other = signer.clone();
        let mut third = signer.clone();
        assert_eq!(
            other.sign_end(at(1_700_000_002, 0)).unwrap(),
            third.sign(&[], at(1_700_000_002, 0)).unwrap()
        );
    }

    #[test]
    fn the_key_follows_the_date() {
        // 2023-11-14T23:59:59Z, then the next day: the second message is signed with the
        // second day's key and scope, as a fresh signer would sign it.
        let mut signer = signer();
        signer.sign(&inner(), at(1_700_006_399, 0)).unwrap();
        let prior = signer.prior_signature().to_owned();
        let next_day = signer.sign(&inner(), at(1_700_006_400, 0)).unwrap();
        let mut fresh = MessageSigner::new(credentials(), "us-east-1", "transcribe", prior);
        assert_eq!(
            fresh.sign(&inner(), at(1_700_006_400, 0)).unwrap(),
            next_day
        );
        assert_eq!(
            signer.key.as_ref().map(|(d, _)| d.as_str()),
            Some("20231115")
        );
    }

    #[test]
    fn bad_times_fail_and_leave_the_chain_alone() {
        let mut signer = signer();
        let seed = signer.prior_signature().to_owned();
        assert!(
            signer
                .sign(&inner(), UNIX_EPOCH - Duration::from_secs(1))
                .is_err()
        );
        assert!(signer.sign_end(at(400_000_000_000, 0)).is_err());
        assert_eq!(signer.prior_signature(), seed);
        // The epoch itself is fine.
        assert!(signer.sign_end(UNIX_EPOCH).is_ok());
    }

    #[test]
    fn debug_redacts_secrets() {
        let mut signer = signer();
        signer.sign(&inner(), at(1_700_000_000, 0)).unwrap();
        let text = format!("{signer:?}");
        assert!(text.contains("AKIDEXAMPLE"), "{text}");
        assert!(text.contains("transcribe"), "{text}");
        assert!(!text.contains("wJalrXUtnFEMI"), "{text}");
        assert!(!text.contains("SESSION-TOKEN"), "{text}");
    }

    #[test]
    fn seed_from_authorization() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/transcribe/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=0123abcd";
        assert_eq!(signature_from_authorization(auth), Some("0123abcd"));
        assert_eq!(
            signature_from_authorization("AWS4-HMAC-SHA256 Credential=a,Signature=ff"),
            Some("ff")
        );
        assert_eq!(signature_from_authorization("Bearer token"), None);
        assert_eq!(signature_from_authorization("Signature="), None);
    }
}
