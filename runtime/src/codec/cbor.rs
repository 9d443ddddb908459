//! The CBOR codec (RFC 8949), as `smithy.protocols#rpcv2Cbor` uses it.
//!
//! - [`Encoder`] writes data items: shortest-form heads, definite lengths, `f32` as single and
//!   `f64` as double precision.
//! - [`CborSerializer`] writes shapes through it: structures and unions as maps keyed by member
//!   name (never `@jsonName`), lists as arrays, blobs as byte strings, timestamps as tag 1 with
//!   a double (epoch seconds), `bigInteger` as a tag 2/3 bignum, `bigDecimal` as a tag 4
//!   decimal fraction. Unset members and documents (which rpcv2Cbor does not support) are
//!   omitted from structures and written as null elsewhere.
//! - [`validate`] checks that a body is exactly one well-formed data item (indefinite lengths
//!   and half floats included, text valid UTF-8, nesting at most 128 deep), and
//!   [`CborDeserializer`] reads shapes from it without building a tree: each read is bounds
//!   checked, so no input can make it panic, over-allocate or recurse without limit.
//!
//! Reading is lenient where the protocol allows: integers of any width, floats of any
//! precision (and integers) for `float`/`double`, unknown tags are looked through, nulls
//! (and `undefined`) in structures and dense collections are dropped. Floats are not read
//! as integers (the spec only allows the converse).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use super::{DeError, MemberReader, SerializeStruct, ShapeDeserializer, ShapeSerializer};
use crate::blob::Blob;
use crate::datetime::DateTime;
use crate::document::{Document, Number};
use crate::json::{join_field, join_index, join_key};
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{Member, ShapeType};

const UINT: u8 = 0;
const NINT: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;
const SIMPLE: u8 = 7;

const BREAK: u8 = 0xff;
const TAG_EPOCH: u64 = 1;
const TAG_POS_BIGNUM: u64 = 2;
const TAG_NEG_BIGNUM: u64 = 3;
const TAG_DECIMAL: u64 = 4;

/// Most nesting of arrays, maps and tags accepted on reading.
pub const MAX_DEPTH: usize = 128;

/// Largest bignum (tags 2 and 3) read, in bytes (about 9,800 decimal digits): converting to
/// decimal is quadratic, so larger ones are refused.
pub const MAX_BIGNUM_BYTES: usize = 4096;

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

/// The shortest head of major type `major` with argument `value`, and its length.
fn head_bytes(major: u8, value: u64) -> ([u8; 9], usize) {
    let (info, extra) = match value {
        0..=23 => (value as u8, 0),
        24..=0xff => (24, 1),
        0x100..=0xffff => (25, 2),
        0x1_0000..=0xffff_ffff => (26, 4),
        _ => (27, 8),
    };
    let mut out = [0u8; 9];
    out[0] = (major & 7) << 5 | info;
    let be = value.to_be_bytes();
    out[1..=extra].copy_from_slice(&be[8 - extra..]);
    (out, extra + 1)
}

/// Writes CBOR data items into a buffer.
#[derive(Clone, Debug, Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Encoder::default()
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// A head of major type `major` (0–7, masked) with argument `value`, in shortest form.
    pub fn head(&mut self, major: u8, value: u64) {
        let (bytes, len) = head_bytes(major, value);
        self.buf
            .extend_from_slice(bytes.get(..len).unwrap_or_default());
    }

    /// Replaces the `old_len`-byte head at `at` by the shortest head for `value`.
    fn patch_head(&mut self, at: usize, old_len: usize, major: u8, value: u64) {
        let (bytes, len) = head_bytes(major, value);
        let new = bytes.get(..len).unwrap_or_default();
        if let Some(end) = at.checked_add(old_len).filter(|e| *e <= self.buf.len()) {
            let _old: Vec<u8> = self.buf.splice(at..end, new.iter().copied()).collect();
        }
    }

    /// An unsigned integer (major type 0).
    pub fn unsigned(&mut self, value: u64) {
        self.head(UINT, value);
    }

    /// An integer: major type 0, or 1 when negative.
    pub fn int(&mut self, value: i64) {
        if value < 0 {
            self.head(NINT, value.unsigned_abs() - 1);
        } else {
            self.head(UINT, value.unsigned_abs());
        }
    }

    /// A byte string.
    pub fn bytes(&mut self, value: &[u8]) {
        self.head(BYTES, value.len() as u64);
        self.buf.extend_from_slice(value);
    }

    /// A text string.
    pub fn text(&mut self, value: &str) {
        self.head(TEXT, value.len() as u64);
        self.buf.extend_from_slice(value.as_bytes());
    }

    /// The head of an array of `len` items (write them next).
    pub fn array(&mut self, len: u64) {
        self.head(ARRAY, len);
    }

    /// The head of a map of `len` pairs (write each key then its value next).
    pub fn map(&mut self, len: u64) {
        self.head(MAP, len);
    }

    /// The start of an indefinite-length array (`0x9f`): items follow, then [`Self::end`].
    pub fn begin_array(&mut self) {
        self.buf.push(0x9f);
    }

    /// The start of an indefinite-length map (`0xbf`): pairs follow, then [`Self::end`].
    pub fn begin_map(&mut self) {
        self.buf.push(0xbf);
    }

    /// The "break" ending an indefinite-length item (`0xff`).
    pub fn end(&mut self) {
        self.buf.push(BREAK);
    }

    /// A tag (write the tagged item next).
    pub fn tag(&mut self, tag: u64) {
        self.head(TAG, tag);
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) {
        self.buf.push(if value { 0xf5 } else { 0xf4 });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.buf.push(0xf6);
    }

    /// A single-precision float.
    pub fn f32(&mut self, value: f32) {
        self.buf.push(0xfa);
        self.buf.extend_from_slice(&value.to_bits().to_be_bytes());
    }

    /// A double-precision float.
    pub fn f64(&mut self, value: f64) {
        self.buf.push(0xfb);
        self.buf.extend_from_slice(&value.to_bits().to_be_bytes());
    }

    /// A timestamp: tag 1 and the epoch seconds as a double.
    pub fn timestamp(&mut self, value: &DateTime) {
        self.tag(TAG_EPOCH);
        self.f64(value.as_fractional_secs());
    }

    /// A big integer: tag 2 (or 3 when negative) and the magnitude as a big-endian byte
    /// string, as rpcv2Cbor specifies.
    pub fn big_integer(&mut self, value: &BigInteger) {
        let text = value.as_str();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        self.bignum(negative, digits);
    }

    /// A bignum of the decimal `digits`, negated when `negative`.
    fn bignum(&mut self, negative: bool, digits: &str) {
        let magnitude = digits_to_bytes(digits);
        match decrement(&magnitude) {
            Some(n) if negative => {
                self.tag(TAG_NEG_BIGNUM);
                self.bytes(&n);
            }
            _ => {
                self.tag(TAG_POS_BIGNUM);
                self.bytes(&magnitude);
            }
        }
    }

    /// A big decimal: tag 4 and `[exponent, mantissa]` (the mantissa an integer, or a bignum
    /// when it does not fit 64 bits). A decimal whose exponent does not fit 64 bits is written
    /// as its text.
    pub fn big_decimal(&mut self, value: &BigDecimal) {
        let Some((negative, digits, exponent)) = decimal_parts(value.as_str()) else {
            self.text(value.as_str());
            return;
        };
        self.tag(TAG_DECIMAL);
        self.array(2);
        self.int(exponent);
        match digits.parse::<u64>() {
            Ok(0) => self.unsigned(0),
            Ok(m) if negative => self.head(NINT, m - 1),
            Ok(m) => self.unsigned(m),
            Err(_) => self.bignum(negative, &digits),
        }
    }
}

/// The magnitude of the decimal `digits` as big-endian bytes with no leading zeros (zero is
/// empty). Anything but ASCII digits is ignored.
fn digits_to_bytes(digits: &str) -> Vec<u8> {
    let mut little = Vec::with_capacity(digits.len() / 2 + 1);
    for d in digits.bytes().filter(u8::is_ascii_digit) {
        let mut carry = u32::from(d - b'0');
        for b in &mut little {
            let v = u32::from(*b) * 10 + carry;
            *b = (v & 0xff) as u8;
            carry = v >> 8;
        }
        if carry > 0 {
            little.push(carry as u8);
        }
    }
    little.reverse();
    little
}

/// `n - 1` for a big-endian magnitude, leading zeros dropped; `None` when `n` is zero.
fn decrement(n: &[u8]) -> Option<Vec<u8>> {
    let mut out = strip_zeros(n).to_vec();
    if out.is_empty() {
        return None;
    }
    for b in out.iter_mut().rev() {
        let (v, borrow) = b.overflowing_sub(1);
        *b = v;
        if !borrow {
            break;
        }
    }
    Some(strip_zeros(&out).to_vec())
}

/// `n + 1` for a big-endian magnitude.
fn increment(n: &[u8]) -> Vec<u8> {
    let mut out = n.to_vec();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            return out;
        }
    }
    out.insert(0, 1);
    out
}

fn strip_zeros(n: &[u8]) -> &[u8] {
    let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
    n.get(first..).unwrap_or_default()
}

/// The decimal digits of a big-endian magnitude; `None` beyond [`MAX_BIGNUM_BYTES`].
fn bytes_to_digits(n: &[u8]) -> Option<String> {
    let n = strip_zeros(n);
    if n.len() > MAX_BIGNUM_BYTES {
        return None;
    }
    // Big-endian 32-bit limbs, divided by 10^9 until nothing is left.
    let pad = (4 - n.len() % 4) % 4;
    let padded: Vec<u8> = std::iter::repeat_n(0, pad)
        .chain(n.iter().copied())
        .collect();
    let mut limbs: Vec<u32> = padded
        .chunks(4)
        .map(|c| c.iter().fold(0u32, |a, b| a << 8 | u32::from(*b)))
        .collect();
    let mut chunks = Vec::new();
    while limbs.iter().any(|l| *l != 0) {
        let mut rem = 0u64;
        for l in &mut limbs {
            let cur = rem << 32 | u64::from(*l);
            *l = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem);
        let zeros = limbs.iter().take_while(|l| **l == 0).count();
        limbs.drain(..zeros);
    }
    let mut out = chunks
        .pop()
        .map_or_else(|| "0".to_owned(), |c| c.to_string());
    for c in chunks.iter().rev() {
        out.push_str(&format!("{c:09}"));
    }
    Some(out)
}

/// A decimal's text as (negative, mantissa digits without leading zeros, exponent):
/// `-12.50e3` is `(true, "1250", 1)`. `None` if the exponent does not fit 64 bits.
fn decimal_parts(text: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (number, exponent) = match rest.split_once(['e', 'E']) {
        Some((n, e)) => (n, e.parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let exponent = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    Some((negative, digits.to_owned(), exponent))
}

/// The text of `mantissa × 10^exponent` in [`BigDecimal`] syntax.
fn decimal_text(mantissa: &str, exponent: i64) -> String {
    if exponent == 0 {
        return mantissa.to_owned();
    }
    let (sign, digits) = match mantissa.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", mantissa),
    };
    let point = usize::try_from(exponent.unsigned_abs())
        .ok()
        .filter(|k| exponent < 0 && *k < digits.len())
        .and_then(|k| digits.len().checked_sub(k));
    match point.and_then(|p| Some((digits.get(..p)?, digits.get(p..)?))) {
        Some((int, frac)) => format!("{sign}{int}.{frac}"),
        None => format!("{mantissa}E{exponent}"),
    }
}

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

/// Input that is not one well-formed CBOR data item. Carries no part of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    offset: usize,
    reason: &'static str,
}

impl DecodeError {
    /// The byte offset where reading failed.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was wrong.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// Checks that `data` is exactly one well-formed CBOR data item: nothing truncated or left
/// over, no reserved or misplaced heads, text strings valid UTF-8, nesting at most
/// [`MAX_DEPTH`] levels.
pub fn validate(data: &[u8]) -> Result<(), DecodeError> {
    let mut c = Cursor { data, pos: 0 };
    c.skip(0)?;
    if c.pos < data.len() {
        return Err(c.err("data after the end of the item"));
    }
    Ok(())
}

/// The head of a data item: major type, additional information, and argument (`None` for an
/// indefinite length; the raw bits of a float).
#[derive(Clone, Copy, Debug)]
struct Head {
    major: u8,
    info: u8,
    arg: Option<u64>,
}

/// A position in the input; every read is bounds checked.
#[derive(Clone, Copy, Debug)]
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn err(&self, reason: &'static str) -> DecodeError {
        DecodeError {
            offset: self.pos,
            reason,
        }
    }

    /// The next `len` bytes, if there are that many.
    fn take(&mut self, len: u64) -> Result<&'a [u8], DecodeError> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let taken = usize::try_from(len)
            .ok()
            .and_then(|n| rest.get(..n))
            .ok_or_else(|| self.err("a length beyond the end of the input"))?;
        self.pos += taken.len();
        Ok(taken)
    }

    fn uint(&mut self, bytes: u64) -> Result<u64, DecodeError> {
        let b = self.take(bytes)?;
        Ok(b.iter().fold(0u64, |a, x| a << 8 | u64::from(*x)))
    }

    fn head(&mut self) -> Result<Head, DecodeError> {
        let start = *self;
        let ib = *self.take(1)?.first().unwrap_or(&0);
        let (major, info) = (ib >> 5, ib & 0x1f);
        let arg = match info {
            0..=23 => Some(u64::from(info)),
            24..=27 => Some(self.uint(1 << (info - 24))?),
            31 if matches!(major, BYTES | TEXT | ARRAY | MAP) => None,
            31 if major == SIMPLE => return Err(start.err("a break outside an indefinite item")),
            31 => return Err(start.err("an indefinite length on an integer or tag")),
            _ => return Err(start.err("reserved additional information")),
        };
        if major == SIMPLE && info == 24 && arg < Some(32) {
            return Err(start.err("a simple value in non-preferred form"));
        }
        Ok(Head { major, info, arg })
    }

    /// Consumes a break if one is next.
    fn at_break(&mut self) -> bool {
        let found = self.data.get(self.pos) == Some(&BREAK);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Whether a container with `left` items (`None`: indefinite) has another; counts down.
    fn next_item(&mut self, left: &mut Option<u64>) -> bool {
        match left {
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
            None => !self.at_break(),
        }
    }

    /// The content of a byte or text string (the chunks of an indefinite one joined).
    fn string(&mut self, head: Head) -> Result<Cow<'a, [u8]>, DecodeError> {
        if let Some(len) = head.arg {
            return self.take(len).map(Cow::Borrowed);
        }
        let mut out = Vec::new();
        while !self.at_break() {
            let at = *self;
            let chunk = self.head()?;
            if chunk.major != head.major || chunk.arg.is_none() {
                return Err(at.err("a chunk that is not a definite string of the same type"));
            }
            out.extend_from_slice(&self.string(chunk)?);
        }
        Ok(Cow::Owned(out))
    }

    fn text(&mut self, head: Head) -> Result<Cow<'a, str>, DecodeError> {
        let at = *self;
        let text = match self.string(head)? {
            Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
            Cow::Owned(v) => String::from_utf8(v).ok().map(Cow::Owned),
        };
        text.ok_or_else(|| at.err("a text string that is not UTF-8"))
    }

    /// Steps over one data item nested `depth` levels deep, checking it.
    fn skip(&mut self, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting deeper than 128 levels"));
        }
        let head = self.head()?;
        match head.major {
            BYTES => {
                self.string(head)?;
            }
            TEXT => {
                self.text(head)?;
            }
            ARRAY | MAP => {
                let mut left = head.arg;
                while self.next_item(&mut left) {
                    self.skip(depth + 1)?;
                    if head.major == MAP {
                        self.skip(depth + 1)?;
                    }
                }
            }
            TAG => self.skip(depth + 1)?,
            _ => {}
        }
        Ok(())
    }
}

/// A half-precision float (RFC 8949 Appendix D).
fn f16_to_f64(half: u16) -> f64 {
    let exp = i32::from((half >> 10) & 0x1f);
    let bits = half & 0x3ff;
    let mant = f64::from(bits);
    let value = match exp {
        0 => mant * 2f64.powi(-24),
        31 if bits == 0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mant + 1024.0) * 2f64.powi(exp - 25),
    };
    if half & 0x8000 != 0 { -value } else { value }
}

/// A data item read shallowly: containers are not entered.
#[derive(Debug)]
enum Item<'a> {
    Uint(u64),
    /// `-1 - n`
    Nint(u64),
    Float(f64),
    Bool(bool),
    /// `null` or `undefined`
    Null,
    Bytes(Cow<'a, [u8]>),
    Text(Cow<'a, str>),
    Array,
    Map,
    /// Another simple value.
    Simple,
}

impl Item<'_> {
    fn is_container(&self) -> bool {
        matches!(self, Item::Array | Item::Map)
    }
}

fn simple(head: Head) -> Item<'static> {
    let bits = head.arg.unwrap_or(0);
    match head.info {
        20 => Item::Bool(false),
        21 => Item::Bool(true),
        22 | 23 => Item::Null,
        25 => u16::try_from(bits).map_or(Item::Simple, |h| Item::Float(f16_to_f64(h))),
        26 => u32::try_from(bits).map_or(Item::Simple, |b| Item::Float(f32::from_bits(b).into())),
        27 => Item::Float(f64::from_bits(bits)),
        _ => Item::Simple,
    }
}

/// The item at `c`, through any tags: the innermost tag, the item, and the cursor after the
/// item (after the head for containers).
fn read_item(mut c: Cursor<'_>) -> Result<(Option<u64>, Item<'_>, Cursor<'_>), DecodeError> {
    let mut tag = None;
    loop {
        let head = c.head()?;
        let arg = head.arg.unwrap_or(0);
        let item = match head.major {
            UINT => Item::Uint(arg),
            NINT => Item::Nint(arg),
            BYTES => Item::Bytes(c.string(head)?),
            TEXT => Item::Text(c.text(head)?),
            ARRAY => Item::Array,
            MAP => Item::Map,
            TAG => {
                tag = head.arg;
                continue;
            }
            _ => simple(head),
        };
        return Ok((tag, item, c));
    }
}

/// `-1 - n` if it fits `i64`.
fn negative(n: u64) -> Option<i64> {
    i64::try_from(n).ok().map(|n| -1 - n)
}

/// Reads shapes from one CBOR data item (check the body with [`validate`] first to tell a
/// malformed body from a mismatched one). Paths for errors are built as it descends; a
/// sensitive map's keys never appear in them.
#[derive(Debug)]
pub struct CborDeserializer<'a> {
    data: &'a [u8],
    start: usize,
    /// Where the item ends, once a read has found out.
    end: Option<usize>,
    depth: usize,
    path: String,
}

/// What a container walk is told for each element: a deserializer over the parent (for
/// paths and children), the key (maps: `None` when not text), and where the value starts.
/// It returns where the value ended if it read it; else the walk skips it.
type Entry<'f, 'a> = dyn FnMut(&CborDeserializer<'a>, Option<Cow<'a, str>>, usize) -> Result<Option<usize>, DeError>
    + 'f;

impl<'a> CborDeserializer<'a> {
    /// A deserializer over the data item at the start of `data`, whose path is `path` (the
    /// shape name at the root).
    pub fn new(data: &'a [u8], path: impl Into<String>) -> Self {
        CborDeserializer {
            data,
            start: 0,
            end: None,
            depth: 0,
            path: path.into(),
        }
    }

    /// Where the item read ended (`None` before a read): bytes after it are not its.
    pub fn end(&self) -> Option<usize> {
        self.end
    }

    fn child(&self, start: usize, path: String) -> CborDeserializer<'a> {
        CborDeserializer {
            data: self.data,
            start,
            end: None,
            depth: self.depth + 1,
            path,
        }
    }

    fn cursor(&self) -> Cursor<'a> {
        Cursor {
            data: self.data,
            pos: self.start,
        }
    }

    fn expected(&self, what: &'static str) -> DeError {
        DeError::new(self.path.clone(), what)
    }

    fn malformed(&self, e: &DecodeError) -> DeError {
        DeError::new(self.path.clone(), format!("well-formed CBOR ({e})"))
    }

    fn item(&self) -> Result<(Option<u64>, Item<'a>, Cursor<'a>), DeError> {
        if self.depth > MAX_DEPTH {
            return Err(self.expected("a value nested at most 128 levels"));
        }
        read_item(self.cursor()).map_err(|e| self.malformed(&e))
    }

    /// The item here; its end is recorded unless it is a container.
    fn scalar(&mut self) -> Result<(Option<u64>, Item<'a>), DeError> {
        let (tag, item, after) = self.item()?;
        if !item.is_container() {
            self.end = Some(after.pos);
        }
        Ok((tag, item))
    }

    /// Walks the array here (`ARRAY`) or the map here (`MAP`), calling `entry` per element.
    fn walk(
        &mut self,
        major: u8,
        what: &'static str,
        entry: &mut Entry<'_, 'a>,
    ) -> Result<(), DeError> {
        let (_, item, _) = self.item()?;
        if !matches!((major, item), (MAP, Item::Map) | (ARRAY, Item::Array)) {
            return Err(self.expected(what));
        }
        // Re-read the container's own head (after any tags) for its length.
        let mut c = self.cursor();
        let head = loop {
            let h = c.head().map_err(|e| self.malformed(&e))?;
            if h.major != TAG {
                break h;
            }
        };
        let mut left = head.arg;
        while c.next_item(&mut left) {
            let key = if major == MAP {
                self.key(&mut c)?
            } else {
                None
            };
            match entry(self, key, c.pos)? {
                Some(end) => c.pos = end,
                None => c.skip(self.depth + 1).map_err(|e| self.malformed(&e))?,
            }
        }
        self.end = Some(c.pos);
        Ok(())
    }

    /// A map key: its text, or `None` (and skipped) when it is not a text string.
    fn key(&self, c: &mut Cursor<'a>) -> Result<Option<Cow<'a, str>>, DeError> {
        let (_, item, after) = read_item(*c).map_err(|e| self.malformed(&e))?;
        if let Item::Text(t) = item {
            *c = after;
            return Ok(Some(t));
        }
        c.skip(self.depth + 1).map_err(|e| self.malformed(&e))?;
        Ok(None)
    }

    /// A `[exponent, mantissa]` decimal fraction (tag 4).
    fn decimal_fraction(&mut self, member: &Member) -> Result<Option<String>, DeError> {
        let (mut exponent, mut mantissa, mut count) = (None, None, 0);
        self.walk(ARRAY, "a decimal fraction", &mut |d, _, start| {
            let mut part = d.child(start, d.path.clone());
            match count {
                0 => {
                    exponent = Some(part.read_integer(member, i64::MIN, i64::MAX, "an exponent")?)
                }
                1 => mantissa = Some(part.read_big_integer(member)?),
                _ => return Err(d.expected("a decimal fraction of two items")),
            }
            count += 1;
            Ok(part.end)
        })?;
        Ok(exponent
            .zip(mantissa)
            .map(|(e, m)| decimal_text(m.as_str(), e)))
    }

    fn document_array(&mut self, member: &Member) -> Result<Document, DeError> {
        let mut items = Vec::new();
        self.walk(ARRAY, "an array", &mut |d, _, start| {
            let mut child = d.child(start, join_index(&d.path, items.len()));
            items.push(child.read_document(member)?);
            Ok(child.end)
        })?;
        Ok(Document::Array(items))
    }

    fn document_map(&mut self, member: &Member) -> Result<Document, DeError> {
        let mut map = BTreeMap::new();
        self.walk(MAP, "a map", &mut |d, key, start| {
            let key = key.ok_or_else(|| d.expected("a map with text keys"))?;
            let mut child = d.child(start, join_key(&d.path, &key, false));
            map.insert(key.into_owned(), child.read_document(member)?);
            Ok(child.end)
        })?;
        Ok(Document::Object(map))
    }
}

impl ShapeDeserializer for CborDeserializer<'_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let members = member.target.members;
        let union = member.target.shape_type == ShapeType::Union;
        self.walk(MAP, "a map (structure)", &mut |d, key, start| {
            let Some(key) = key else { return Ok(None) };
            // A union's `__type` is type information, not a member.
            if union && key == "__type" {
                return Ok(None);
            }
            let Some(m) = members.iter().find(|m| m.name == key) else {
                return Ok(None);
            };
            let mut child = d.child(start, join_field(&d.path, m.name));
            if child.is_null() {
                return Ok(None);
            }
            f(m, &mut child)?;
            Ok(child.end)
        })
    }

    fn read_list(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let sparse = member.target.sparse;
        let mut index = 0;
        self.walk(ARRAY, "an array (list)", &mut |d, _, start| {
            let mut child = d.child(start, join_index(&d.path, index));
            index += 1;
            if !sparse && child.is_null() {
                return Ok(None);
            }
            f(&mut child)?;
            Ok(child.end)
        })
    }

    fn read_map(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(String, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let sparse = member.target.sparse;
        let sensitive = member
            .target
            .map_members()
            .is_some_and(|(k, _)| k.sensitive);
        self.walk(MAP, "a map", &mut |d, key, start| {
            let key = key.ok_or_else(|| d.expected("a map with text keys"))?;
            let mut child = d.child(start, join_key(&d.path, &key, sensitive));
            if !sparse && child.is_null() {
                return Ok(None);
            }
            f(key.into_owned(), &mut child)?;
            Ok(child.end)
        })
    }

    fn read_bool(&mut self, _member: &Member) -> Result<bool, DeError> {
        match self.scalar()? {
            (_, Item::Bool(b)) => Ok(b),
            _ => Err(self.expected("a boolean")),
        }
    }

    fn read_integer(
        &mut self,
        _member: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        let value = match self.scalar()? {
            (_, Item::Uint(n)) => i64::try_from(n).ok(),
            (_, Item::Nint(n)) => negative(n),
            _ => None,
        };
        value
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| self.expected(what))
    }

    fn read_float(&mut self, member: &Member) -> Result<f32, DeError> {
        let d = self.read_double(member)?;
        let f = d as f32;
        if d.is_finite() && !f.is_finite() {
            return Err(self.expected("a number in the range of a float"));
        }
        Ok(f)
    }

    fn read_double(&mut self, _member: &Member) -> Result<f64, DeError> {
        match self.scalar()? {
            (_, Item::Float(f)) => Ok(f),
            (_, Item::Uint(n)) => Ok(n as f64),
            (_, Item::Nint(n)) => Ok(-1.0 - n as f64),
            _ => Err(self.expected("a number")),
        }
    }

    fn read_big_integer(&mut self, _member: &Member) -> Result<BigInteger, DeError> {
        let text = match self.scalar()? {
            (_, Item::Uint(n)) => Some(n.to_string()),
            (_, Item::Nint(n)) => Some(format!("-{}", u128::from(n) + 1)),
            (Some(TAG_POS_BIGNUM), Item::Bytes(b)) => bytes_to_digits(&b),
            (Some(TAG_NEG_BIGNUM), Item::Bytes(b)) => {
                bytes_to_digits(&increment(strip_zeros(&b))).map(|d| format!("-{d}"))
            }
            (_, Item::Text(t)) => Some(t.into_owned()),
            _ => None,
        };
        text.and_then(|t| t.parse().ok())
            .ok_or_else(|| self.expected("an integer (or a bignum of at most 4096 bytes)"))
    }

    fn read_big_decimal(&mut self, member: &Member) -> Result<BigDecimal, DeError> {
        let text = match self.scalar()? {
            (Some(TAG_DECIMAL), Item::Array) => self.decimal_fraction(member)?,
            (_, Item::Float(f)) if f.is_finite() => Some(f.to_string()),
            (_, Item::Text(t)) => Some(t.into_owned()),
            (_, Item::Uint(_) | Item::Nint(_) | Item::Bytes(_)) => {
                self.read_big_integer(member).ok().map(|b| b.to_string())
            }
            _ => None,
        };
        text.and_then(|t| t.parse().ok())
            .ok_or_else(|| self.expected("a decimal number"))
    }

    fn read_string(&mut self, _member: &Member) -> Result<String, DeError> {
        match self.scalar()? {
            (_, Item::Text(t)) => Ok(t.into_owned()),
            _ => Err(self.expected("a text string")),
        }
    }

    fn read_blob(&mut self, _member: &Member) -> Result<Blob, DeError> {
        match self.scalar()? {
            (_, Item::Bytes(b)) => Ok(Blob::new(b.into_owned())),
            _ => Err(self.expected("a byte string")),
        }
    }

    fn read_timestamp(&mut self, _member: &Member) -> Result<DateTime, DeError> {
        let value = match self.scalar()? {
            (_, Item::Uint(n)) => i64::try_from(n).ok().map(DateTime::from_secs),
            (_, Item::Nint(n)) => negative(n).map(DateTime::from_secs),
            (_, Item::Float(f)) => DateTime::from_fractional_secs(f),
            _ => None,
        };
        value.ok_or_else(|| self.expected("an epoch-seconds timestamp (tag 1)"))
    }

    fn read_document(&mut self, member: &Member) -> Result<Document, DeError> {
        Ok(match self.scalar()? {
            (_, Item::Array) => self.document_array(member)?,
            (_, Item::Map) => self.document_map(member)?,
            (_, Item::Null) => Document::Null,
            (_, Item::Bool(b)) => Document::Bool(b),
            (_, Item::Uint(n)) => Document::Number(Number::PosInt(n)),
            (_, Item::Nint(n)) => {
                Document::Number(negative(n).map_or(Number::Float(-1.0 - n as f64), Number::NegInt))
            }
            (_, Item::Float(f)) => Document::Number(Number::Float(f)),
            (_, Item::Text(t)) => Document::String(t.into_owned()),
            (_, Item::Bytes(b)) => Document::String(Blob::new(b.into_owned()).to_base64()),
            (_, Item::Simple) => return Err(self.expected("a document value")),
        })
    }

    /// `null` or `undefined`, through any tags; only the heads are read.
    fn is_null(&mut self) -> bool {
        let mut c = self.cursor();
        loop {
            match c.head() {
                Ok(h) if h.major == TAG => {}
                Ok(h) => return h.major == SIMPLE && matches!(h.info, 22 | 23),
                Err(_) => return false,
            }
        }
    }

    fn skip(&mut self) -> Result<(), DeError> {
        let mut c = self.cursor();
        c.skip(self.depth).map_err(|e| self.malformed(&e))?;
        self.end = Some(c.pos);
        Ok(())
    }

    fn path(&self) -> String {
        self.path.clone()
    }
}

// ---------------------------------------------------------------------------------------
// Shape serialization
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Struct,
    List,
    Map,
}

/// An open container: where its head is, the count the head claims, and the count written.
#[derive(Debug)]
struct Frame {
    kind: Kind,
    head: usize,
    head_len: usize,
    claimed: u64,
    count: u64,
}

/// Writes shapes as CBOR with definite lengths. A container's head is written with the
/// count it is expected to hold (the `len` given, zero for structures) and corrected when
/// it is closed, so the lengths are right whatever the callbacks write.
#[derive(Debug, Default)]
pub struct CborSerializer {
    enc: Encoder,
    open: Vec<Frame>,
}

impl CborSerializer {
    /// An empty serializer.
    pub fn new() -> Self {
        CborSerializer::default()
    }

    /// The CBOR written.
    pub fn finish(self) -> Vec<u8> {
        self.enc.finish()
    }

    /// Before a value: writes the member's name inside a structure, and counts the value.
    fn key(&mut self, member: &Member) {
        match self.open.last_mut() {
            Some(f) if f.kind == Kind::Struct => {
                f.count += 1;
                self.enc.text(member.name);
            }
            Some(f) if f.kind == Kind::List => f.count += 1,
            _ => {}
        }
    }

    fn begin(&mut self, member: &Member, kind: Kind, claimed: usize) {
        self.key(member);
        let claimed = claimed as u64;
        let head = self.enc.as_bytes().len();
        self.enc.head(major_of(kind), claimed);
        self.open.push(Frame {
            kind,
            head,
            head_len: self.enc.as_bytes().len() - head,
            claimed,
            count: 0,
        });
    }

    fn end(&mut self) {
        if let Some(f) = self.open.pop().filter(|f| f.count != f.claimed) {
            self.enc
                .patch_head(f.head, f.head_len, major_of(f.kind), f.count);
        }
    }

    fn in_struct(&self) -> bool {
        self.open.last().is_some_and(|f| f.kind == Kind::Struct)
    }
}

fn major_of(kind: Kind) -> u8 {
    match kind {
        Kind::Struct | Kind::Map => MAP,
        Kind::List => ARRAY,
    }
}

impl ShapeSerializer for CborSerializer {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        self.begin(member, Kind::Struct, 0);
        value.serialize_members(self);
        self.end();
    }

    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        self.begin(member, Kind::List, len);
        items(self);
        self.end();
    }

    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        self.begin(member, Kind::Map, len);
        entries(self);
        self.end();
    }

    fn write_key(&mut self, key: &str) {
        if let Some(f) = self.open.last_mut().filter(|f| f.kind == Kind::Map) {
            f.count += 1;
            self.enc.text(key);
        }
    }

    fn write_bool(&mut self, member: &Member, value: bool) {
        self.key(member);
        self.enc.bool(value);
    }

    fn write_integer(&mut self, member: &Member, value: i64) {
        self.key(member);
        self.enc.int(value);
    }

    fn write_float(&mut self, member: &Member, value: f32) {
        self.key(member);
        self.enc.f32(value);
    }

    fn write_double(&mut self, member: &Member, value: f64) {
        self.key(member);
        self.enc.f64(value);
    }

    fn write_big_integer(&mut self, member: &Member, value: &BigInteger) {
        self.key(member);
        self.enc.big_integer(value);
    }

    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal) {
        self.key(member);
        self.enc.big_decimal(value);
    }

    fn write_string(&mut self, member: &Member, value: &str) {
        self.key(member);
        self.enc.text(value);
    }

    fn write_blob(&mut self, member: &Member, value: &Blob) {
        self.key(member);
        self.enc.bytes(value.as_bytes());
    }

    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        // rpcv2Cbor ignores `@timestampFormat`: always tag 1 epoch seconds.
        self.key(member);
        self.enc.timestamp(value);
    }

    /// Documents are not supported by rpcv2Cbor: written as null (omitted in structures).
    fn write_document(&mut self, member: &Member, _value: &Document) {
        self.write_null(member);
    }

    /// Omitted inside a structure (nulls never go on the wire there); null elsewhere.
    fn write_null(&mut self, member: &Member) {
        if self.in_struct() {
            return;
        }
        self.key(member);
        self.enc.null();
    }
}

/// Serializes `input` (a structure) as a CBOR map.
pub fn to_cbor(input: &dyn SerializeStruct, root: &Member) -> Vec<u8> {
    let mut s = CborSerializer::new();
    s.write_struct(root, input);
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{DeserializeShape, SerializeShape};
    use crate::schema::{Schema, prelude};

    static ITEM: Schema = Schema::structure(
        "test#Item",
        "Item",
        &[
            Member::new("Name", 0, &prelude::STRING).json_name("name"),
            Member::new("When", 1, &prelude::TIMESTAMP),
            Member::new("Tags", 2, &TAGS),
            Member::new("Sizes", 3, &SIZES),
            Member::new("Data", 4, &prelude::BLOB),
            Member::new("Big", 5, &prelude::BIG_INTEGER),
            Member::new("Dec", 6, &prelude::BIG_DECIMAL),
            Member::new("Next", 7, &ITEM),
            Member::new("Ratio", 8, &prelude::FLOAT),
            Member::new("Score", 9, &prelude::DOUBLE),
            Member::new("Count", 10, &prelude::LONG),
            Member::new("Flag", 11, &prelude::BOOLEAN),
            Member::new("Small", 12, &prelude::BYTE),
        ],
    );
    static TAGS: Schema = Schema::map(
        "test#Tags",
        "Tags",
        &[
            Member::new("key", 0, &prelude::STRING),
            Member::new("value", 1, &prelude::STRING),
        ],
    );
    static SIZES: Schema = Schema::list(
        "test#Sizes",
        "Sizes",
        &[Member::new("member", 0, &prelude::INTEGER)],
    )
    .sparse();
    static NAMES: Schema = Schema::list(
        "test#Names",
        "Names",
        &[Member::new("member", 0, &prelude::STRING)],
    );
    static SECRETS: Schema = Schema::map(
        "test#Secrets",
        "Secrets",
        &[
            Member::new("key", 0, &prelude::STRING).sensitive(),
            Member::new("value", 1, &prelude::INTEGER),
        ],
    );

    #[derive(Debug, PartialEq, Default)]
    struct Item {
        name: Option<String>,
        when: Option<DateTime>,
        tags: Option<BTreeMap<String, String>>,
        sizes: Option<Vec<Option<i32>>>,
        data: Option<Blob>,
        big: Option<BigInteger>,
        dec: Option<BigDecimal>,
        next: Option<Box<Item>>,
        ratio: Option<f32>,
        score: Option<f64>,
        count: Option<i64>,
        flag: Option<bool>,
        small: Option<i8>,
    }

    fn put<T: SerializeShape>(s: &mut dyn ShapeSerializer, v: &Option<T>, i: usize) {
        if let Some(v) = v {
            v.serialize(s, &ITEM.members[i]);
        }
    }

    impl SerializeStruct for Item {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            put(s, &self.name, 0);
            put(s, &self.when, 1);
            put(s, &self.tags, 2);
            put(s, &self.sizes, 3);
            put(s, &self.data, 4);
            put(s, &self.big, 5);
            put(s, &self.dec, 6);
            put(s, &self.next, 7);
            put(s, &self.ratio, 8);
            put(s, &self.score, 9);
            put(s, &self.count, 10);
            put(s, &self.flag, 11);
            put(s, &self.small, 12);
        }
    }

    impl SerializeShape for Item {
        fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
            s.write_struct(member, self);
        }
    }

    fn get<T: DeserializeShape>(
        d: &mut dyn ShapeDeserializer,
        m: &Member,
    ) -> Result<Option<T>, DeError> {
        T::deserialize(d, m).map(Some)
    }

    impl DeserializeShape for Item {
        fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
            let mut o = Item::default();
            d.read_struct(member, &mut |m, d| {
                match m.index {
                    0 => o.name = get(d, m)?,
                    1 => o.when = get(d, m)?,
                    2 => o.tags = get(d, m)?,
                    3 => o.sizes = get(d, m)?,
                    4 => o.data = get(d, m)?,
                    5 => o.big = get(d, m)?,
                    6 => o.dec = get(d, m)?,
                    7 => o.next = get(d, m)?,
                    8 => o.ratio = get(d, m)?,
                    9 => o.score = get(d, m)?,
                    10 => o.count = get(d, m)?,
                    11 => o.flag = get(d, m)?,
                    12 => o.small = get(d, m)?,
                    _ => {}
                }
                Ok(())
            })?;
            Ok(o)
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn read_item(data: &[u8]) -> Result<Item, DeError> {
        Item::deserialize(
            &mut CborDeserializer::new(data, "Item"),
            &Member::root(&ITEM),
        )
    }

    fn read<T: DeserializeShape>(data: &[u8], schema: &'static Schema) -> Result<T, DeError> {
        T::deserialize(&mut CborDeserializer::new(data, "X"), &Member::root(schema))
    }

    fn full_item() -> Item {
        Item {
            name: Some("a\"b ü".into()),
            when: Some(DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000)),
            tags: Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
            sizes: Some(vec![Some(1), None, Some(-3)]),
            data: Some(Blob::new(vec![0, 1, 255])),
            big: Some("-123456789012345678901234567890".parse().unwrap()),
            dec: Some("-1234.5".parse().unwrap()),
            next: Some(Box::new(Item {
                name: Some("inner".into()),
                ..Item::default()
            })),
            ratio: Some(7.625),
            score: Some(1.889),
            count: Some(i64::MIN),
            flag: Some(false),
            small: Some(-128),
        }
    }

    #[test]
    fn round_trips_through_schemas() {
        let item = full_item();
        let bytes = to_cbor(&item, &Member::root(&ITEM));
        validate(&bytes).unwrap();
        assert_eq!(bytes[0], 0xad, "a definite map of 13 members");
        assert_eq!(read_item(&bytes).unwrap(), item);
    }

    #[test]
    fn writes_member_names_and_shortest_heads() {
        let item = Item {
            name: Some("a".into()),
            count: Some(1000),
            ..Item::default()
        };
        let bytes = to_cbor(&item, &Member::root(&ITEM));
        // {"Name": "a", "Count": 1000}: never the jsonName.
        assert_eq!(bytes, hex("a2 644e616d65 6161 65436f756e74 1903e8"));
        assert_eq!(to_cbor(&Item::default(), &Member::root(&ITEM)), [0xa0]);
    }

    #[test]
    fn encodes_rfc_8949_examples() {
        type Write<'a> = &'a dyn Fn(&mut Encoder);
        let cases: &[(Write, &str)] = &[
            (&|e| e.unsigned(0), "00"),
            (&|e| e.unsigned(23), "17"),
            (&|e| e.unsigned(24), "1818"),
            (&|e| e.unsigned(100), "1864"),
            (&|e| e.unsigned(1000), "1903e8"),
            (&|e| e.unsigned(1_000_000), "1a000f4240"),
            (&|e| e.unsigned(1_000_000_000_000), "1b000000e8d4a51000"),
            (&|e| e.unsigned(u64::MAX), "1bffffffffffffffff"),
            (&|e| e.int(-1), "20"),
            (&|e| e.int(-10), "29"),
            (&|e| e.int(-100), "3863"),
            (&|e| e.int(-1000), "3903e7"),
            (&|e| e.int(i64::MIN), "3b7fffffffffffffff"),
            (&|e| e.f64(1.1), "fb3ff199999999999a"),
            (&|e| e.f32(100000.0), "fa47c35000"),
            (&|e| e.f64(-4.1), "fbc010666666666666"),
            (&|e| e.bool(false), "f4"),
            (&|e| e.bool(true), "f5"),
            (&|e| e.null(), "f6"),
            (&|e| e.bytes(&[1, 2, 3, 4]), "4401020304"),
            (&|e| e.text(""), "60"),
            (&|e| e.text("IETF"), "6449455446"),
            (&|e| e.text("\u{6c34}"), "63e6b0b4"),
            (
                &|e| e.timestamp(&DateTime::from_secs(1363896240)),
                "c1fb41d452d9ec000000",
            ),
            (
                &|e| e.big_integer(&"18446744073709551616".parse().unwrap()),
                "c249010000000000000000",
            ),
            (
                &|e| e.big_integer(&"-18446744073709551617".parse().unwrap()),
                "c349010000000000000000",
            ),
            (&|e| e.big_integer(&"0".parse().unwrap()), "c240"),
            (&|e| e.big_integer(&"-1".parse().unwrap()), "c340"),
            (
                &|e| e.big_decimal(&"273.15".parse().unwrap()),
                "c48221196ab3",
            ),
            (&|e| e.big_decimal(&"-1.5e3".parse().unwrap()), "c482022e"),
        ];
        for (write, want) in cases {
            let mut e = Encoder::new();
            write(&mut e);
            assert_eq!(e.finish(), hex(want), "{want}");
        }
    }

    #[test]
    fn corrects_container_lengths_that_were_claimed_wrong() {
        let member = Member::root(&NAMES);
        let mut s = CborSerializer::new();
        s.write_list(&member, 2, &mut |s| {
            for _ in 0..30 {
                s.write_string(&NAMES.members[0], "x");
            }
        });
        let bytes = s.finish();
        assert_eq!(&bytes[..2], &[0x98, 30]);
        assert_eq!(bytes.len(), 2 + 30 * 2);
        let names: Vec<String> = read(&bytes, &NAMES).unwrap();
        assert_eq!(names.len(), 30);
    }

    #[test]
    fn decodes_half_single_and_double_floats() {
        let cases = [
            ("f90000", 0.0),
            ("f93c00", 1.0),
            ("f93e00", 1.5),
            ("f97bff", 65504.0),
            ("f90001", 5.960464477539063e-8),
            ("f90400", 0.00006103515625),
            ("f9c400", -4.0),
            ("f90050", 0.00000476837158203125),
            ("fa47c35000", 100000.0),
            ("fb3ff199999999999a", 1.1),
            ("1864", 100.0),
            ("3863", -100.0),
        ];
        for (h, want) in cases {
            let got: f64 = f64::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::DOUBLE),
            )
            .unwrap();
            assert_eq!(got, want, "{h}");
        }
        let d = |h: &str| {
            f64::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::DOUBLE),
            )
            .unwrap()
        };
        assert_eq!(d("f97c00"), f64::INFINITY);
        assert_eq!(d("f9fc00"), f64::NEG_INFINITY);
        assert!(d("f97e00").is_nan() && d("f97c01").is_nan());
        assert!(d("f98000").is_sign_negative());
        let f = |h: &str| {
            f32::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::FLOAT),
            )
        };
        assert_eq!(f("f947a0").unwrap(), 7.625);
        assert!(
            f("fb7fefffffffffffff").is_err(),
            "a finite double beyond f32"
        );
    }

    #[test]
    fn reads_timestamps_with_tag_1_as_int_or_float() {
        let t = |h: &str| {
            DateTime::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::TIMESTAMP),
            )
        };
        assert_eq!(t("c11a514b67b0").unwrap(), DateTime::from_secs(1363896240));
        assert_eq!(
            t("c1fb41d452d9ec200000").unwrap(),
            DateTime::from_secs_and_nanos(1363896240, 500_000_000)
        );
        // The official rpcv2Cbor fractional-seconds case: 946845296.123.
        assert_eq!(
            t("c1fb41cc37db380fbe77").unwrap(),
            DateTime::from_secs_and_nanos(946845296, 123_000_000)
        );
        assert_eq!(t("c13a0000000f").unwrap(), DateTime::from_secs(-16));
        assert_eq!(
            t("1a514b67b0").unwrap(),
            DateTime::from_secs(1363896240),
            "untagged"
        );
        assert!(t("c1f97e00").is_err(), "NaN");
        assert!(t("c16161").is_err());
        assert!(t("c13bffffffffffffffff").is_err(), "beyond i64");
    }

    #[test]
    fn reads_integers_of_any_width_within_range() {
        let long = |h: &str| {
            i64::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::LONG),
            )
        };
        let byte = |h: &str| {
            i8::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::BYTE),
            )
        };
        assert_eq!(
            long("1b0000000000000001").unwrap(),
            1,
            "non-shortest forms are fine"
        );
        assert_eq!(long("3b7fffffffffffffff").unwrap(), i64::MIN);
        assert_eq!(long("1b7fffffffffffffff").unwrap(), i64::MAX);
        assert!(long("1b8000000000000000").is_err());
        assert!(long("3b8000000000000000").is_err());
        assert!(long("f93c00").is_err(), "a float is not an integer");
        assert!(
            long("c11a514b67b0").is_ok(),
            "unknown tags are looked through"
        );
        assert_eq!(byte("387f").unwrap(), -128);
        let err = byte("1880").unwrap_err();
        assert_eq!(err.expected(), "an integer in -128..=127 (byte)");
    }

    #[test]
    fn reads_big_numbers() {
        let bi = |h: &str| {
            BigInteger::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::BIG_INTEGER),
            )
            .map(|b| b.to_string())
        };
        let bd = |h: &str| {
            BigDecimal::deserialize(
                &mut CborDeserializer::new(&hex(h), ""),
                &Member::root(&prelude::BIG_DECIMAL),
            )
            .map(|b| b.to_string())
        };
        assert_eq!(
            bi("c249010000000000000000").unwrap(),
            "18446744073709551616"
        );
        assert_eq!(
            bi("c349010000000000000000").unwrap(),
            "-18446744073709551617"
        );
        assert_eq!(bi("c249 000000000000000001").unwrap(), "1", "leading zeros");
        assert_eq!(
            bi("c24b 000001 0000000000000000").unwrap(),
            "18446744073709551616"
        );
        assert_eq!(
            bi("c24b 01 00000000000000000000").unwrap(),
            "1208925819614629174706176"
        );
        assert_eq!(bi("c240").unwrap(), "0");
        assert_eq!(bi("c340").unwrap(), "-1");
        assert_eq!(bi("3bffffffffffffffff").unwrap(), "-18446744073709551616");
        assert_eq!(bi("17").unwrap(), "23");
        assert!(bi("f93c00").is_err());
        let mut huge = vec![0xc2, 0x5a, 0, 0, 0x10, 0x01];
        huge.extend(std::iter::repeat_n(0xff, 4097));
        assert!(bi(&huge.iter().map(|b| format!("{b:02x}")).collect::<String>()).is_err());
        assert_eq!(bd("c48221196ab3").unwrap(), "273.15");
        assert_eq!(bd("c4820121").unwrap(), "-2E1");
        assert_eq!(
            bd("c48220c249010000000000000000").unwrap(),
            "1844674407370955161.6"
        );
        assert_eq!(bd("c482221901f4").unwrap(), "500E-3");
        assert_eq!(bd("f93e00").unwrap(), "1.5");
        assert_eq!(bd("0a").unwrap(), "10");
        assert!(bd("c48301020a").is_err(), "three items");
        assert!(bd("c481 01").is_err(), "one item");
        assert!(bd("c482f93c0001").is_err(), "a float exponent");
        for text in [
            "0",
            "-0.001",
            "12.5e-3",
            "1E+30",
            "-99999999999999999999999.5",
        ] {
            let mut e = Encoder::new();
            e.big_decimal(&text.parse().unwrap());
            let back = bd(&e
                .finish()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>())
            .unwrap();
            let (a, b): (f64, f64) = (text.parse().unwrap(), back.parse().unwrap());
            assert_eq!(a, b, "{text} -> {back}");
        }
    }

    #[test]
    fn reads_indefinite_lengths_and_skips_unknown_members_and_nulls() {
        // {_ "Name": (_ "ab", "c"), "Other": {_ "x": [_ 1, [2, h'00'], {"y": 1(2)}], "z": undefined},
        //   "Data": (_ h'01', h'02'), "Sizes": [_ 1, null, 3], "Tags": {_ "k": "v", "n": null},
        //   "Flag": null, "Count": undefined }
        let bytes = hex("bf 644e616d65 7f 626162 6163 ff
               654f74686572 bf 6178 9f 01 82 02 4100 a1 6179 c102 ff 617a f7 ff
               6444617461 5f 4101 4102 ff
               6553697a6573 9f 01 f6 03 ff
               6454616773 bf 616b 6176 616e f6 ff
               64466c6167 f6
               65436f756e74 f7
             ff");
        validate(&bytes).unwrap();
        let item = read_item(&bytes).unwrap();
        assert_eq!(item.name.as_deref(), Some("abc"));
        assert_eq!(item.data, Some(Blob::new(vec![1, 2])));
        assert_eq!(
            item.sizes,
            Some(vec![Some(1), None, Some(3)]),
            "sparse keeps nulls"
        );
        assert_eq!(
            item.tags,
            Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
            "dense drops nulls"
        );
        assert_eq!((item.flag, item.count), (None, None));
        let names: Vec<String> = read(&hex("83 6161 f6 6162"), &NAMES).unwrap();
        assert_eq!(names, ["a", "b"], "dense lists drop nulls");
    }

    #[test]
    fn errors_name_the_path_and_hide_sensitive_keys() {
        let err = read_item(&hex("a1 6553697a6573 82 01 6178")).unwrap_err();
        assert_eq!(
            (err.path(), err.expected()),
            ("Item.Sizes[1]", "a 32-bit integer")
        );
        let err = read_item(&hex("a1 644e657874 a1 644e616d65 01")).unwrap_err();
        assert_eq!(err.path(), "Item.Next.Name");
        let err = read::<BTreeMap<String, i32>>(&hex("a1 63736563 6178"), &SECRETS).unwrap_err();
        assert_eq!(err.path(), "X[*]");
        let err = read::<BTreeMap<String, i32>>(&hex("a1 01 02"), &SECRETS).unwrap_err();
        assert_eq!(err.expected(), "a map with text keys");
        // Non-text keys in a structure are skipped.
        assert_eq!(
            read_item(&hex("a2 01 02 644e616d65 6161"))
                .unwrap()
                .name
                .as_deref(),
            Some("a")
        );
        assert_eq!(
            read_item(&hex("80")).unwrap_err().expected(),
            "a map (structure)"
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        for h in [
            "a1 644e616d65 62c328",
            "a1 644e616d65 7f 61c3 6128 ff",
            "a1 62c328 01",
        ] {
            let bytes = hex(h);
            assert!(validate(&bytes).is_err(), "{h}");
            assert!(read_item(&bytes).is_err(), "{h}");
        }
    }

    #[test]
    fn rejects_malformed_input() {
        let cases = [
            ("", "unexpected end"),
            ("18", "truncated argument"),
            ("62 61", "truncated string"),
            ("5b ffffffffffffffff 00", "huge byte-string length"),
            ("9b ffffffffffffffff 00", "huge array length"),
            ("bb 7fffffffffffffff 00", "huge map length"),
            ("82 01", "truncated array"),
            ("a1 01", "map without value"),
            ("9f 01", "indefinite array without break"),
            ("ff", "lone break"),
            ("1c", "reserved additional information"),
            ("1f", "indefinite integer"),
            ("df", "indefinite tag"),
            ("f8 10", "simple value in two bytes"),
            ("7f 41 00 ff", "byte chunk in text"),
            ("5f 5f ff ff", "nested indefinite chunk"),
            ("c1", "tag without item"),
            ("00 00", "trailing data"),
        ];
        for (h, why) in cases {
            let bytes = hex(h);
            assert!(validate(&bytes).is_err(), "{why}");
            let _ = read_item(&bytes);
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut deep = vec![0x81; 10_000];
        deep.push(0x00);
        assert_eq!(
            validate(&deep).unwrap_err().reason(),
            "nesting deeper than 128 levels"
        );
        let mut ok = vec![0x81; MAX_DEPTH];
        ok.push(0x00);
        validate(&ok).unwrap();
        // Self-nesting structures, deeper than the limit, fail without overflowing the stack.
        let mut nested = Vec::new();
        for _ in 0..1000 {
            nested.extend(hex("a1 644e657874"));
        }
        nested.push(0xa0);
        assert!(read_item(&nested).is_err());
        let mut tags = vec![0xc1; 100_000];
        tags.push(0x00);
        assert!(validate(&tags).is_err());
        let _ = read_item(&tags);
        let _ = read::<Document>(&deep, &prelude::DOCUMENT);
    }

    /// Every prefix and many single-byte corruptions of a valid body, and pseudo-random
    /// bytes, are rejected or read without panicking.
    #[test]
    fn hostile_bytes_never_panic() {
        let good = to_cbor(&full_item(), &Member::root(&ITEM));
        for cut in 0..good.len() {
            assert!(validate(&good[..cut]).is_err());
            let _ = read_item(&good[..cut]);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            let i = (next() % bytes.len() as u64) as usize;
            bytes[i] = next() as u8;
            let _ = validate(&bytes);
            let _ = read_item(&bytes);
            let _ = read::<Document>(&bytes, &prelude::DOCUMENT);
        }
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = validate(&bytes);
            let _ = read_item(&bytes);
            let _ = read::<Document>(&bytes, &prelude::DOCUMENT);
            let _ = read::<Vec<String>>(&bytes, &NAMES);
        }
    }

    #[test]
    fn documents_are_omitted_when_writing_and_read_generically() {
        static WITH_DOC: Schema = Schema::structure(
            "test#WithDoc",
            "WithDoc",
            &[Member::new("Doc", 0, &prelude::DOCUMENT)],
        );
        struct WithDoc;
        impl SerializeStruct for WithDoc {
            fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
                s.write_document(&WITH_DOC.members[0], &Document::Bool(true));
            }
        }
        assert_eq!(to_cbor(&WithDoc, &Member::root(&WITH_DOC)), [0xa0]);
        let doc: Document = read(&hex("a2 6161 82 01 20 6162 f5"), &prelude::DOCUMENT).unwrap();
        let want = Document::Object(BTreeMap::from([
            (
                "a".to_owned(),
                Document::Array(vec![
                    Document::Number(Number::PosInt(1)),
                    Document::Number(Number::NegInt(-1)),
                ]),
            ),
            ("b".to_owned(), Document::Bool(true)),
        ]));
        assert_eq!(doc, want);
    }
}
