//! Binary data (`blob`) and its base64 encoding.

use std::fmt;

/// A byte sequence: a Smithy `blob`.
///
/// `Debug` prints the length only, never the content.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Blob(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, consuming the blob.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Standard base64 (RFC 4648 section 4, padded).
    pub fn to_base64(&self) -> String {
        encode_base64(&self.0)
    }

    /// Decodes standard base64. Padding may be omitted; anything else that is not in the
    /// alphabet (including whitespace and the URL-safe characters) is rejected, as are
    /// non-zero trailing bits.
    pub fn from_base64(text: &str) -> Result<Blob, Base64Error> {
        decode_base64(text).map(Blob)
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Blob(v)
    }
}

impl From<&[u8]> for Blob {
    fn from(v: &[u8]) -> Self {
        Blob(v.to_vec())
    }
}

impl From<Blob> for Vec<u8> {
    fn from(b: Blob) -> Self {
        b.0
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

/// Base64 text that could not be decoded. Carries no part of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base64Error {
    kind: Base64ErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base64ErrorKind {
    BadCharacter(usize),
    Truncated,
    BadPadding,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Base64ErrorKind::BadCharacter(at) => {
                write!(f, "invalid base64: unexpected character at offset {at}")
            }
            Base64ErrorKind::Truncated => f.write_str("invalid base64: truncated input"),
            Base64ErrorKind::BadPadding => f.write_str("invalid base64: bad padding"),
        }
    }
}

impl std::error::Error for Base64Error {}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn sextet(i: u32) -> char {
    // `i` is masked to 6 bits by every caller.
    char::from(ALPHABET.get((i & 63) as usize).copied().unwrap_or(b'A'))
}

fn encode_base64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let mut chunks = input.chunks_exact(3);
    for c in &mut chunks {
        if let [a, b, d] = *c {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(d);
            out.push(sextet(n >> 18));
            out.push(sextet(n >> 12));
            out.push(sextet(n >> 6));
            out.push(sextet(n));
        }
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.push(sextet(n >> 18));
            out.push(sextet(n >> 12));
            out.push_str("==");
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.push(sextet(n >> 18));
            out.push(sextet(n >> 12));
            out.push(sextet(n >> 6));
            out.push('=');
        }
        _ => {}
    }
    out
}

fn value_of(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

fn decode_base64(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    // Strip up to two trailing '=' (only valid if the total is a multiple of 4).
    let data_len = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if data_len > 2 {
        return Err(Base64Error {
            kind: Base64ErrorKind::BadPadding,
        });
    }
    let data = bytes.get(..bytes.len() - data_len).unwrap_or_default();
    if data_len > 0 && !bytes.len().is_multiple_of(4) {
        return Err(Base64Error {
            kind: Base64ErrorKind::BadPadding,
        });
    }
    let rem = data.len() % 4;
    if rem == 1 {
        return Err(Base64Error {
            kind: Base64ErrorKind::Truncated,
        });
    }
    if data_len > 0 && (4 - rem) % 4 != data_len {
        return Err(Base64Error {
            kind: Base64ErrorKind::BadPadding,
        });
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut count = 0u32;
    for (i, &c) in data.iter().enumerate() {
        let v = value_of(c).ok_or(Base64Error {
            kind: Base64ErrorKind::BadCharacter(i),
        })?;
        acc = (acc << 6) | v;
        count += 1;
        if count == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            count = 0;
        }
    }
    match count {
        2 => {
            if acc & 0xF != 0 {
                return Err(Base64Error {
                    kind: Base64ErrorKind::BadPadding,
                });
            }
            out.push((acc >> 4) as u8);
        }
        3 => {
            if acc & 0x3 != 0 {
                return Err(Base64Error {
                    kind: Base64ErrorKind::BadPadding,
                });
            }
            out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
        }
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC4648: &[(&str, &str)] = &[
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors_encode_and_decode() {
        for (plain, encoded) in RFC4648 {
            assert_eq!(Blob::new(plain.as_bytes()).to_base64(), *encoded);
            assert_eq!(
                Blob::from_base64(encoded).unwrap().as_bytes(),
                plain.as_bytes()
            );
        }
    }

    #[test]
    fn accepts_missing_padding() {
        assert_eq!(Blob::from_base64("Zg").unwrap().as_bytes(), b"f");
        assert_eq!(Blob::from_base64("Zm8").unwrap().as_bytes(), b"fo");
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "Z", "Zm9v!", "Zm-8", "Zm_8", "Zm 9v", "Zg===", "Z===", "Zm9=", "Zh==", "=", "Zg=a",
        ] {
            assert!(Blob::from_base64(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn all_byte_values_round_trip() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for n in 0..all.len() {
            let b = Blob::new(&all[..n]);
            assert_eq!(Blob::from_base64(&b.to_base64()).unwrap(), b);
        }
        assert_eq!(Blob::new(vec![0xfb, 0xff]).to_base64(), "+/8=");
    }

    #[test]
    fn debug_shows_length_only() {
        let b = Blob::new(b"secret".to_vec());
        assert_eq!(format!("{b:?}"), "Blob(6 bytes)");
        assert_eq!(b.len(), 6);
        assert!(!b.is_empty());
        assert_eq!(b.as_ref(), b"secret");
        assert_eq!(b.into_inner(), b"secret".to_vec());
    }
}
