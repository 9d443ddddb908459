//! Flexible checksums: the `aws.protocols#httpChecksum` trait's request checksums and response
//! validation (S3's `x-amz-checksum-*` headers).
//!
//! * [`ChecksumAlgorithm`] names the five algorithms the AWS SDKs support: CRC32, CRC32C,
//!   CRC64NVME, SHA-1 and SHA-256. [`ChecksumAlgorithm::hasher`] gives an incremental
//!   [`Checksum`]; [`header_value`] the base64 value S3 expects in `x-amz-checksum-<name>`.
//! * [`validate_response`] checks a buffered response body against the first checksum header
//!   found in [`ChecksumAlgorithm::RESPONSE_PRIORITY`] order.
//! * [`RequestChecksumCalculation`] and [`ResponseChecksumValidation`] are the SDKs' two
//!   settings (`AWS_REQUEST_CHECKSUM_CALCULATION` / `request_checksum_calculation`, and
//!   `AWS_RESPONSE_CHECKSUM_VALIDATION` / `response_checksum_validation`).
//!
//! The CRCs are computed here, slice-by-8 with tables built at compile time (no dependency);
//! the SHAs come from `ring`. Digests are big-endian bytes: a CRC32 of `0xCBF43926` is
//! `[0xCB, 0xF4, 0x39, 0x26]`, base64 `y/Q5Jg==`.

use std::fmt;
use std::str::FromStr;

use ring::digest;

use crate::blob::Blob;

/// A checksum algorithm of the `httpChecksum` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (IEEE 802.3, the `zlib` one): reflected polynomial `0xEDB88320`.
    Crc32,
    /// CRC-32C (Castagnoli): reflected polynomial `0x82F63B78`.
    Crc32c,
    /// CRC-64/NVME: reflected polynomial `0x9A6C9329AC4BC9B5`, initial value and final XOR
    /// all ones.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in declaration order.
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The order in which [`validate_response`] looks for a response checksum, fastest to
    /// compute first: CRC64NVME, CRC32C, CRC32, SHA1, SHA256. This is the order of smithy-rs
    /// (`CHECKSUM_ALGORITHMS_IN_PRIORITY_ORDER`) and of botocore's priority list.
    pub const RESPONSE_PRIORITY: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The algorithm named `name`, ignoring ASCII case: `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`
    /// or `SHA256` (the values of the models' `ChecksumAlgorithm` enums).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The upper-case name, as in the models' enums: `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`,
    /// `SHA256`.
    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The header (or trailer) carrying the checksum: `x-amz-checksum-crc32`, `-crc32c`,
    /// `-crc64nvme`, `-sha1` or `-sha256`.
    pub fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The digest's length in bytes: 4, 4, 8, 20 or 32.
    pub fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// The length of the digest in padded base64 (the header value's length): 8, 8, 12, 28
    /// or 44.
    pub fn base64_len(self) -> usize {
        self.digest_len().div_ceil(3) * 4
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Box<dyn Checksum> {
        match self {
            ChecksumAlgorithm::Crc32 => Box::new(Crc32Hasher(!0)),
            ChecksumAlgorithm::Crc32c => Box::new(Crc32cHasher(!0)),
            ChecksumAlgorithm::Crc64Nvme => Box::new(Crc64NvmeHasher(!0)),
            ChecksumAlgorithm::Sha1 => Box::new(ShaHasher(digest::Context::new(
                &digest::SHA1_FOR_LEGACY_USE_ONLY,
            ))),
            ChecksumAlgorithm::Sha256 => Box::new(ShaHasher(digest::Context::new(&digest::SHA256))),
        }
    }

    /// The digest of `bytes` (big-endian).
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        let mut hasher = self.hasher();
        hasher.update(bytes);
        hasher.finish()
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An incremental checksum: feed it bytes with [`update`](Checksum::update), then take the
/// digest with [`finish`](Checksum::finish). Made by [`ChecksumAlgorithm::hasher`].
pub trait Checksum: Send {
    /// Adds `bytes` to the data checksummed.
    fn update(&mut self, bytes: &[u8]);
    /// The digest of everything added, big-endian (a CRC32 is 4 bytes, most significant
    /// first).
    fn finish(self: Box<Self>) -> Vec<u8>;
}

/// The base64 digest of `body`, the value of `algorithm`'s `x-amz-checksum-*` header (CRC32 of
/// `hello world`: `DUoRhQ==`).
pub fn header_value(algorithm: ChecksumAlgorithm, body: &[u8]) -> String {
    Blob::new(algorithm.digest(body)).to_base64()
}

/// The CRC-32 (IEEE) of `data`: `crc32(b"123456789") == 0xCBF43926`.
pub fn crc32(data: &[u8]) -> u32 {
    !crc32_update(&CRC32_TABLES, !0, data)
}

/// The CRC-32C (Castagnoli) of `data`: `crc32c(b"123456789") == 0xE3069283`.
pub fn crc32c(data: &[u8]) -> u32 {
    !crc32_update(&CRC32C_TABLES, !0, data)
}

/// The CRC-64/NVME of `data`: `crc64nvme(b"123456789") == 0xAE8B14860A799888`.
pub fn crc64nvme(data: &[u8]) -> u64 {
    !crc64_update(&CRC64NVME_TABLES, !0, data)
}

// ---- CRC tables (slice-by-8, built at compile time) ----

type Tables32 = [[u32; 256]; 8];
type Tables64 = [[u64; 256]; 8];

/// Slice-by-8 tables of a reflected 32-bit CRC: `t[0]` is the byte-at-a-time table; `t[k][i]`
/// is the CRC of byte `i` followed by `k` zero bytes.
const fn tables32(poly: u32) -> Tables32 {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ poly } else { c >> 1 };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// [`tables32`] for a reflected 64-bit CRC.
const fn tables64(poly: u64) -> Tables64 {
    let mut t = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u64;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ poly } else { c >> 1 };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static CRC32_TABLES: Tables32 = tables32(0xEDB8_8320);
static CRC32C_TABLES: Tables32 = tables32(0x82F6_3B78);
static CRC64NVME_TABLES: Tables64 = tables64(0x9A6C_9329_AC4B_C9B5);

/// Advances a reflected 32-bit CRC register (no initial or final XOR here) over `data`.
fn crc32_update(tables: &Tables32, mut crc: u32, data: &[u8]) -> u32 {
    let [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
    // A `u8` index into a 256-entry table is always in bounds (the checks compile away).
    let (blocks, rest) = data.as_chunks::<8>();
    for &[b0, b1, b2, b3, b4, b5, b6, b7] in blocks {
        let [x0, x1, x2, x3] = (crc ^ u32::from_le_bytes([b0, b1, b2, b3])).to_le_bytes();
        crc = t7[usize::from(x0)]
            ^ t6[usize::from(x1)]
            ^ t5[usize::from(x2)]
            ^ t4[usize::from(x3)]
            ^ t3[usize::from(b4)]
            ^ t2[usize::from(b5)]
            ^ t1[usize::from(b6)]
            ^ t0[usize::from(b7)];
    }
    for &b in rest {
        crc = t0[usize::from(crc.to_le_bytes()[0] ^ b)] ^ (crc >> 8);
    }
    crc
}

/// Advances a reflected 64-bit CRC register (no initial or final XOR here) over `data`.
fn crc64_update(tables: &Tables64, mut crc: u64, data: &[u8]) -> u64 {
    let [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
    let (blocks, rest) = data.as_chunks::<8>();
    for block in blocks {
        let [x0, x1, x2, x3, x4, x5, x6, x7] = (crc ^ u64::from_le_bytes(*block)).to_le_bytes();
        crc = t7[usize::from(x0)]
            ^ t6[usize::from(x1)]
            ^ t5[usize::from(x2)]
            ^ t4[usize::from(x3)]
            ^ t3[usize::from(x4)]
            ^ t2[usize::from(x5)]
            ^ t1[usize::from(x6)]
            ^ t0[usize::from(x7)];
    }
    for &b in rest {
        crc = t0[usize::from(crc.to_le_bytes()[0] ^ b)] ^ (crc >> 8);
    }
    crc
}

// ---- Hashers ----

struct Crc32Hasher(u32);

impl Checksum for Crc32Hasher {
    fn update(&mut self, bytes: &[u8]) {
        self.0 = crc32_update(&CRC32_TABLES, self.0, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        (!self.0).to_be_bytes().to_vec()
    }
}

struct Crc32cHasher(u32);

impl Checksum for Crc32cHasher {
    fn update(&mut self, bytes: &[u8]) {
        self.0 = crc32_update(&CRC32C_TABLES, self.0, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        (!self.0).to_be_bytes().to_vec()
    }
}

struct Crc64NvmeHasher(u64);

impl Checksum for Crc64NvmeHasher {
    fn update(&mut self, bytes: &[u8]) {
        self.0 = crc64_update(&CRC64NVME_TABLES, self.0, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        (!self.0).to_be_bytes().to_vec()
    }
}

struct ShaHasher(digest::Context);

impl Checksum for ShaHasher {
    fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

// ---- Response validation ----

/// A response body did not match its `x-amz-checksum-*` header. Checksums are not secrets:
/// the message shows both values (base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumMismatch {
    algorithm: ChecksumAlgorithm,
    expected: String,
    computed: String,
}

impl ChecksumMismatch {
    /// The algorithm whose header was checked.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The header's value, as sent (lossily decoded if it was not UTF-8).
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// The checksum of the body received, base64.
    pub fn computed(&self) -> &str {
        &self.computed
    }
}

impl fmt::Display for ChecksumMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "response checksum mismatch: {} expected {:?} (from {}), computed {:?}",
            self.algorithm,
            self.expected,
            self.algorithm.header_name(),
            self.computed
        )
    }
}

impl std::error::Error for ChecksumMismatch {}

impl ChecksumMismatch {
    /// A mismatch of `algorithm`: the service sent `expected`, the body hashes to `computed`
    /// (both base64).
    pub(crate) fn new(algorithm: ChecksumAlgorithm, expected: String, computed: String) -> Self {
        ChecksumMismatch {
            algorithm,
            expected,
            computed,
        }
    }
}

/// Checks `body` against the first `x-amz-checksum-*` header of `headers` in
/// [`ChecksumAlgorithm::RESPONSE_PRIORITY`] order (CRC64NVME, CRC32C, CRC32, SHA1, SHA256).
///
/// A multipart object's composite checksum (a value ending in `-<part count>`, e.g.
/// `vaCBDg==-3`) is a checksum of the parts' checksums, not of the body: it is skipped and the
/// next header in priority order, if any, is checked instead. Returns the algorithm checked,
/// or `None` when there was nothing to check. A header value that is not base64 counts as a
/// mismatch. Only one header is checked, as the AWS SDKs do.
pub fn validate_response(
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<Option<ChecksumAlgorithm>, ChecksumMismatch> {
    validate_response_with(headers, body, &ChecksumAlgorithm::ALL)
}

/// [`validate_response`] restricted to `algorithms` (an operation's modeled
/// `responseAlgorithms`, as the SDKs restrict it): headers of other algorithms are ignored.
/// The order of `algorithms` does not matter; priority is still
/// [`ChecksumAlgorithm::RESPONSE_PRIORITY`].
pub fn validate_response_with(
    headers: &http::HeaderMap,
    body: &[u8],
    algorithms: &[ChecksumAlgorithm],
) -> Result<Option<ChecksumAlgorithm>, ChecksumMismatch> {
    let Some((algorithm, expected)) = expected_checksum(headers, algorithms) else {
        return Ok(None);
    };
    let computed = algorithm.digest(body);
    match Blob::from_base64(&expected) {
        Ok(sent) if sent.as_bytes() == computed.as_slice() => Ok(Some(algorithm)),
        _ => Err(ChecksumMismatch {
            algorithm,
            expected,
            computed: Blob::new(computed).to_base64(),
        }),
    }
}

/// The checksum header a response would be validated against: the first of `algorithms` in
/// [`ChecksumAlgorithm::RESPONSE_PRIORITY`] order whose header is present and not a
/// multipart composite value, with that value (trimmed).
pub(crate) fn expected_checksum(
    headers: &http::HeaderMap,
    algorithms: &[ChecksumAlgorithm],
) -> Option<(ChecksumAlgorithm, String)> {
    ChecksumAlgorithm::RESPONSE_PRIORITY
        .into_iter()
        .filter(|a| algorithms.contains(a))
        .find_map(|algorithm| {
            let value = headers.get(algorithm.header_name())?;
            let value = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
            (!is_composite(&value)).then_some((algorithm, value))
        })
}

/// Whether a checksum value is a multipart composite one: `<base64>-<digits>`.
fn is_composite(value: &str) -> bool {
    value
        .rsplit_once('-')
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

// ---- Settings ----

/// A checksum setting's value was neither `when_supported` nor `when_required`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidChecksumSetting {
    setting: &'static str,
    value: String,
}

impl InvalidChecksumSetting {
    /// The setting's profile key (`request_checksum_calculation` or
    /// `response_checksum_validation`).
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// The value refused.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for InvalidChecksumSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: expected `when_supported` or `when_required`",
            self.setting, self.value
        )
    }
}

impl std::error::Error for InvalidChecksumSetting {}

/// Parses `when_supported` / `when_required` (ASCII case ignored, surrounding whitespace
/// trimmed) as `(supported, required)`.
fn parse_setting<T>(
    text: &str,
    setting: &'static str,
    supported: T,
    required: T,
) -> Result<T, InvalidChecksumSetting> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("when_supported") {
        Ok(supported)
    } else if t.eq_ignore_ascii_case("when_required") {
        Ok(required)
    } else {
        Err(InvalidChecksumSetting {
            setting,
            value: text.to_owned(),
        })
    }
}

/// When a client computes request checksums, as in the AWS SDKs.
///
/// Parsed with [`FromStr`] from `when_supported` / `when_required` (any ASCII case), the values
/// of [`ENV_VAR`](Self::ENV_VAR) and of the shared config file's
/// [`PROFILE_KEY`](Self::PROFILE_KEY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RequestChecksumCalculation {
    /// For every operation with the `httpChecksum` trait that can carry one (the default).
    #[default]
    WhenSupported,
    /// Only for operations whose trait says `requestChecksumRequired`, or when the caller
    /// chose an algorithm.
    WhenRequired,
}

impl RequestChecksumCalculation {
    /// The environment variable: `AWS_REQUEST_CHECKSUM_CALCULATION`.
    pub const ENV_VAR: &'static str = "AWS_REQUEST_CHECKSUM_CALCULATION";
    /// The shared config file's key: `request_checksum_calculation`.
    pub const PROFILE_KEY: &'static str = "request_checksum_calculation";

    /// `when_supported` or `when_required`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestChecksumCalculation::WhenSupported => "when_supported",
            RequestChecksumCalculation::WhenRequired => "when_required",
        }
    }
}

impl FromStr for RequestChecksumCalculation {
    type Err = InvalidChecksumSetting;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_setting(
            s,
            Self::PROFILE_KEY,
            RequestChecksumCalculation::WhenSupported,
            RequestChecksumCalculation::WhenRequired,
        )
    }
}

impl fmt::Display for RequestChecksumCalculation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a client validates response checksums, as in the AWS SDKs.
///
/// Parsed with [`FromStr`] from `when_supported` / `when_required` (any ASCII case), the values
/// of [`ENV_VAR`](Self::ENV_VAR) and of the shared config file's
/// [`PROFILE_KEY`](Self::PROFILE_KEY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ResponseChecksumValidation {
    /// For every operation whose `httpChecksum` trait lists response algorithms (the
    /// default).
    #[default]
    WhenSupported,
    /// Only when the caller opted in through the operation's validation-mode member.
    WhenRequired,
}

impl ResponseChecksumValidation {
    /// The environment variable: `AWS_RESPONSE_CHECKSUM_VALIDATION`.
    pub const ENV_VAR: &'static str = "AWS_RESPONSE_CHECKSUM_VALIDATION";
    /// The shared config file's key: `response_checksum_validation`.
    pub const PROFILE_KEY: &'static str = "response_checksum_validation";

    /// `when_supported` or `when_required`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseChecksumValidation::WhenSupported => "when_supported",
            ResponseChecksumValidation::WhenRequired => "when_required",
        }
    }
}

impl FromStr for ResponseChecksumValidation {
    type Err = InvalidChecksumSetting;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_setting(
            s,
            Self::PROFILE_KEY,
            ResponseChecksumValidation::WhenSupported,
            ResponseChecksumValidation::WhenRequired,
        )
    }
}

impl fmt::Display for ResponseChecksumValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    /// Bit-at-a-time reference CRC (reflected), independent of the tables.
    fn bitwise(poly: u64, width: u32, data: &[u8]) -> u64 {
        let mask = if width == 64 { !0 } else { (1u64 << width) - 1 };
        let mut crc = mask;
        for &b in data {
            crc ^= u64::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ poly
                } else {
                    crc >> 1
                };
            }
        }
        !crc & mask
    }

    /// Deterministic pseudo-random bytes (xorshift64*).
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed >> 12;
                seed ^= seed << 25;
                seed ^= seed >> 27;
                (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn crc_check_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc64nvme(b"123456789"), 0xAE8B_1486_0A79_9888);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32c(b""), 0);
        assert_eq!(crc64nvme(b""), 0);
    }

    #[test]
    fn slice_by_8_agrees_with_bit_at_a_time_at_every_length_and_split() {
        let data = noise(300, 7);
        for len in 0..data.len() {
            let d = &data[..len];
            assert_eq!(
                u64::from(crc32(d)),
                bitwise(0xEDB8_8320, 32, d),
                "crc32 {len}"
            );
            assert_eq!(
                u64::from(crc32c(d)),
                bitwise(0x82F6_3B78, 32, d),
                "crc32c {len}"
            );
            assert_eq!(
                crc64nvme(d),
                bitwise(0x9A6C_9329_AC4B_C9B5, 64, d),
                "crc64 {len}"
            );
        }
        // Incremental updates split anywhere give the one-shot digest.
        for algorithm in ChecksumAlgorithm::ALL {
            let whole = algorithm.digest(&data);
            assert_eq!(whole.len(), algorithm.digest_len());
            for split in [0, 1, 3, 7, 8, 9, 63, 64, 65, 299, 300] {
                let (a, b) = data.split_at(split);
                let mut h = algorithm.hasher();
                h.update(a);
                h.update(&[]);
                h.update(b);
                assert_eq!(h.finish(), whole, "{algorithm} split at {split}");
            }
        }
    }

    #[test]
    fn header_values_match_known_digests() {
        // S3's documentation and well-known digests of "hello world".
        let hw = b"hello world";
        assert_eq!(header_value(ChecksumAlgorithm::Crc32, hw), "DUoRhQ==");
        assert_eq!(header_value(ChecksumAlgorithm::Crc32c, hw), "yZRlqg==");
        assert_eq!(
            header_value(ChecksumAlgorithm::Sha1, hw),
            "Kq5sNclPz7QV2+lfQIuc6R7oRu0="
        );
        assert_eq!(
            header_value(ChecksumAlgorithm::Sha256, hw),
            "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
        );
        assert_eq!(
            ChecksumAlgorithm::Crc64Nvme.digest(b"123456789"),
            0xAE8B_1486_0A79_9888u64.to_be_bytes()
        );
        assert_eq!(header_value(ChecksumAlgorithm::Crc32, b""), "AAAAAA==");
        assert_eq!(
            header_value(ChecksumAlgorithm::Crc64Nvme, b""),
            "AAAAAAAAAAA="
        );
        assert_eq!(
            header_value(ChecksumAlgorithm::Sha256, b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(header_value(a, hw).len(), a.base64_len());
        }
    }

    #[test]
    fn names_parse_case_insensitively() {
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(ChecksumAlgorithm::from_name(a.name()), Some(a));
            assert_eq!(
                ChecksumAlgorithm::from_name(&a.name().to_ascii_lowercase()),
                Some(a)
            );
            assert_eq!(
                a.header_name(),
                format!("x-amz-checksum-{}", a.name().to_ascii_lowercase())
            );
            assert_eq!(a.to_string(), a.name());
        }
        assert_eq!(
            ChecksumAlgorithm::from_name("Crc64Nvme"),
            Some(ChecksumAlgorithm::Crc64Nvme)
        );
        for bad in ["", "CRC", "crc32 ", "MD5", "SHA512", "CRC32CC"] {
            assert_eq!(ChecksumAlgorithm::from_name(bad), None, "{bad:?}");
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn validation_checks_the_highest_priority_header() {
        let body = b"hello world";
        assert_eq!(validate_response(&HeaderMap::new(), body), Ok(None));
        assert_eq!(
            validate_response(&headers(&[("x-amz-checksum-crc32", "DUoRhQ==")]), body),
            Ok(Some(ChecksumAlgorithm::Crc32))
        );
        // CRC32C outranks CRC32 and SHA256; a wrong lower-priority value is not looked at.
        let h = headers(&[
            ("x-amz-checksum-sha256", "AAAA"),
            ("x-amz-checksum-crc32", "AAAAAA=="),
            ("x-amz-checksum-crc32c", "yZRlqg=="),
        ]);
        assert_eq!(
            validate_response(&h, body),
            Ok(Some(ChecksumAlgorithm::Crc32c))
        );
        let crc64 = header_value(ChecksumAlgorithm::Crc64Nvme, body);
        let h = headers(&[
            ("x-amz-checksum-crc32c", "AAAAAA=="),
            ("x-amz-checksum-crc64nvme", &crc64),
        ]);
        assert_eq!(
            validate_response(&h, body),
            Ok(Some(ChecksumAlgorithm::Crc64Nvme))
        );
        // Restricted to the modeled algorithms: the bad CRC32C is not one of them.
        assert_eq!(
            validate_response_with(&h, body, &[ChecksumAlgorithm::Sha1]),
            Ok(None)
        );
        assert!(validate_response_with(&h, body, &[ChecksumAlgorithm::Crc32c]).is_err());
        // Unpadded base64 and surrounding whitespace are accepted.
        assert_eq!(
            validate_response(&headers(&[("x-amz-checksum-crc32", " DUoRhQ ")]), body),
            Ok(Some(ChecksumAlgorithm::Crc32))
        );
    }

    #[test]
    fn mismatches_say_which_algorithm_and_both_values() {
        let body = b"hello world";
        let err =
            validate_response(&headers(&[("x-amz-checksum-crc32", "AAAAAA==")]), body).unwrap_err();
        assert_eq!(err.algorithm(), ChecksumAlgorithm::Crc32);
        assert_eq!(err.expected(), "AAAAAA==");
        assert_eq!(err.computed(), "DUoRhQ==");
        let msg = err.to_string();
        assert!(
            msg.contains("CRC32") && msg.contains("AAAAAA==") && msg.contains("DUoRhQ=="),
            "{msg}"
        );
        // Not base64 at all: a mismatch, not a panic.
        let err = validate_response(&headers(&[("x-amz-checksum-sha1", "!!")]), body).unwrap_err();
        assert_eq!(err.algorithm(), ChecksumAlgorithm::Sha1);
        assert_eq!(err.computed(), "Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
        // Bytes that are not UTF-8.
        let mut h = HeaderMap::new();
        h.insert(
            "x-amz-checksum-crc32",
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        assert!(validate_response(&h, body).is_err());
    }

    #[test]
    fn composite_checksums_are_skipped() {
        let body = b"hello world";
        assert!(is_composite("vaCBDg==-3"));
        assert!(is_composite("x-12"));
        assert!(!is_composite("vaCBDg=="));
        assert!(!is_composite("vaCBDg==-"));
        assert!(!is_composite("vaCBDg==-3a"));
        assert_eq!(
            validate_response(&headers(&[("x-amz-checksum-crc32", "AAAAAA==-12")]), body),
            Ok(None)
        );
        let h = headers(&[
            ("x-amz-checksum-crc32c", "AAAAAA==-2"),
            ("x-amz-checksum-crc32", "DUoRhQ=="),
        ]);
        assert_eq!(
            validate_response(&h, body),
            Ok(Some(ChecksumAlgorithm::Crc32))
        );
    }

    #[test]
    fn settings_parse_from_env_and_profile_values() {
        use RequestChecksumCalculation as Req;
        use ResponseChecksumValidation as Resp;
        assert_eq!(Req::default(), Req::WhenSupported);
        assert_eq!(Resp::default(), Resp::WhenSupported);
        assert_eq!("when_supported".parse(), Ok(Req::WhenSupported));
        assert_eq!("WHEN_REQUIRED".parse(), Ok(Req::WhenRequired));
        assert_eq!(" When_Required\n".parse(), Ok(Resp::WhenRequired));
        assert_eq!("when_supported".parse(), Ok(Resp::WhenSupported));
        let err = "always".parse::<Req>().unwrap_err();
        assert_eq!(err.setting(), "request_checksum_calculation");
        assert_eq!(err.value(), "always");
        assert!(err.to_string().contains("when_supported"));
        let err = "".parse::<Resp>().unwrap_err();
        assert_eq!(err.setting(), "response_checksum_validation");
        for v in [Req::WhenSupported, Req::WhenRequired] {
            assert_eq!(v.to_string().parse(), Ok(v));
        }
        for v in [Resp::WhenSupported, Resp::WhenRequired] {
            assert_eq!(v.as_str().parse(), Ok(v));
        }
        assert_eq!(Req::ENV_VAR, "AWS_REQUEST_CHECKSUM_CALCULATION");
        assert_eq!(Resp::ENV_VAR, "AWS_RESPONSE_CHECKSUM_VALIDATION");
        assert_eq!(Resp::PROFILE_KEY, "response_checksum_validation");
    }

    /// Nanoseconds this thread has run on a CPU (Linux), else wall-clock nanoseconds since
    /// `start`: a loaded machine then still measures the work, not the waiting.
    fn cpu_nanos(start: std::time::Instant) -> u128 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| start.elapsed().as_nanos())
    }

    /// Throughput of each algorithm over 64 MiB (best of 5, CPU time), printed; run with
    /// `cargo test --release -p anvil-runtime --lib checksum::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check: run in release"]
    fn throughput() {
        let data = noise(64 << 20, 1);
        let origin = std::time::Instant::now();
        for algorithm in ChecksumAlgorithm::ALL {
            let mut best = u128::MAX;
            let mut sink = 0u8;
            for _ in 0..5 {
                let start = cpu_nanos(origin);
                sink ^= algorithm.digest(&data).first().copied().unwrap_or(0);
                best = best.min(cpu_nanos(origin).saturating_sub(start).max(1));
            }
            let gbps = data.len() as f64 / best as f64;
            println!("{algorithm:>9}: {gbps:.2} GB/s ({sink})");
        }
    }
}
