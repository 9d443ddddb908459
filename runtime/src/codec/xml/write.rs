//! [`XmlSerializer`]: shapes to XML text.

use std::fmt::Write as _;

use crate::blob::Blob;
use crate::codec::{SerializeStruct, ShapeSerializer};
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::Document;
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{Member, XmlNamespace};

/// What the element written next belongs to.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// A structure or union: members are named by their wire names.
    Struct,
    /// A list. Flattened: items are named (and namespaced) like the structure member; wrapped:
    /// by the list's element member.
    List {
        flat: Option<(&'static str, Option<XmlNamespace>)>,
    },
    /// A map: each value is preceded by its entry's start tag and key element.
    Map {
        entry: &'static str,
        entry_ns: Option<XmlNamespace>,
        key: &'static str,
        key_ns: Option<XmlNamespace>,
    },
}

/// Writes shapes as XML (no declaration; nothing between elements).
#[derive(Debug, Default)]
pub struct XmlSerializer {
    buf: String,
    frames: Vec<Frame>,
    /// The namespace for the top-level element when neither it nor its target has one;
    /// taken when that element is written.
    root_namespace: Option<XmlNamespace>,
    /// The key given by `write_key`, for the next map value.
    key: Option<String>,
}

impl XmlSerializer {
    /// An empty serializer.
    pub fn new() -> Self {
        XmlSerializer::default()
    }

    /// With `namespace` (the service's `@xmlNamespace`) on the top-level element, unless the
    /// member written there or its target has its own.
    pub fn with_root_namespace(mut self, namespace: Option<XmlNamespace>) -> Self {
        self.root_namespace = namespace;
        self
    }

    /// The XML text written.
    pub fn finish(self) -> String {
        self.buf
    }

    /// Writes `<name` and the element's namespace declaration (the start tag stays open for
    /// attributes), after the entry start tag and key element in a map. `None` if the member
    /// is not written as an element here (an attribute member of a structure).
    fn begin(&mut self, member: &Member) -> Option<&'static str> {
        let (name, ns) = match self.frames.last().copied() {
            None => {
                let target = member.target;
                let name = member.xml_name.or(target.xml_name).unwrap_or(target.name);
                let ns = member.xml_namespace.or(target.xml_namespace);
                (name, ns.or(self.root_namespace.take()))
            }
            Some(Frame::Struct) if member.xml_attribute => return None,
            Some(Frame::Struct) => (wire_name(member), member.xml_namespace),
            Some(Frame::List { flat: Some(named) }) => named,
            Some(Frame::List { flat: None }) => {
                (member.xml_name.unwrap_or("member"), member.xml_namespace)
            }
            Some(Frame::Map {
                entry,
                entry_ns,
                key,
                key_ns,
            }) => {
                open_tag(&mut self.buf, entry, entry_ns);
                self.buf.push('>');
                open_tag(&mut self.buf, key, key_ns);
                self.buf.push('>');
                escape(
                    &mut self.buf,
                    self.key.as_deref().unwrap_or_default(),
                    false,
                );
                self.key = None;
                close_tag(&mut self.buf, key);
                (member.xml_name.unwrap_or("value"), member.xml_namespace)
            }
        };
        open_tag(&mut self.buf, name, ns);
        Some(name)
    }

    /// Closes the element `begin` opened (and its map entry).
    fn end(&mut self, name: &str) {
        close_tag(&mut self.buf, name);
        if let Some(Frame::Map { entry, .. }) = self.frames.last() {
            close_tag(&mut self.buf, entry);
        }
    }

    /// An element holding the text `put` writes.
    fn scalar(&mut self, member: &Member, put: impl FnOnce(&mut String)) {
        if let Some(name) = self.begin(member) {
            self.buf.push('>');
            put(&mut self.buf);
            self.end(name);
        }
    }

    /// Whether `member` is a flattened list or map here (a member of a structure).
    fn flattened(&self, member: &Member) -> bool {
        member.xml_flattened && matches!(self.frames.last(), Some(Frame::Struct))
    }

    /// Writes `write` inside `frame`, in an element for `member` unless flattened.
    fn collection(&mut self, member: &Member, frame: Frame, write: &mut dyn FnMut(&mut Self)) {
        if self.flattened(member) {
            if !member.xml_attribute {
                self.frames.push(frame);
                write(self);
                self.frames.pop();
            }
            return;
        }
        let Some(name) = self.begin(member) else {
            return;
        };
        self.buf.push('>');
        self.frames.push(frame);
        write(self);
        self.frames.pop();
        self.end(name);
    }
}

/// A member's element or attribute name: `@xmlName`, else the member name.
fn wire_name(member: &Member) -> &'static str {
    member.xml_name.unwrap_or(member.name)
}

fn open_tag(buf: &mut String, name: &str, ns: Option<XmlNamespace>) {
    buf.push('<');
    buf.push_str(name);
    if let Some(ns) = ns {
        buf.push_str(" xmlns");
        if let Some(prefix) = ns.prefix {
            buf.push(':');
            buf.push_str(prefix);
        }
        buf.push_str("=\"");
        escape(buf, ns.uri, true);
        buf.push('"');
    }
}

fn close_tag(buf: &mut String, name: &str) {
    buf.push_str("</");
    buf.push_str(name);
    buf.push('>');
}

/// Appends `s` escaped for text, or for a double-quoted attribute value (`attr`). `&`, `<`,
/// `>`, carriage returns, NEL and LINE SEPARATOR always; `"`, tabs and line feeds in
/// attributes (which a parser would otherwise turn into spaces).
fn escape(out: &mut String, s: &str, attr: bool) {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '\r' => "&#xD;",
            '\u{85}' => "&#x85;",
            '\u{2028}' => "&#x2028;",
            '"' if attr => "&quot;",
            '\n' if attr => "&#xA;",
            '\t' if attr => "&#x9;",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        out.push_str(esc);
        start = i + c.len_utf8();
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

fn put_bool(out: &mut String, v: bool) {
    out.push_str(if v { "true" } else { "false" });
}

fn put_integer(out: &mut String, v: i64) {
    let _ = write!(out, "{v}");
}

fn put_non_finite(out: &mut String, v: f64) {
    out.push_str(if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    });
}

/// Shortest round-trip form, with an exponent when one is shorter (`1e+300`).
fn put_double(out: &mut String, v: f64) {
    match serde_json::Number::from_f64(v) {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => put_non_finite(out, v),
    }
}

/// Shortest form that reads back as the same `f32`.
fn put_float(out: &mut String, v: f32) {
    if v.is_finite() {
        let _ = write!(out, "{v}");
    } else {
        put_non_finite(out, f64::from(v));
    }
}

fn put_timestamp(out: &mut String, member: &Member, v: &DateTime) {
    out.push_str(&v.format(member.timestamp_format_or(TimestampFormat::DateTime)));
}

impl ShapeSerializer for XmlSerializer {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        let Some(name) = self.begin(member) else {
            return;
        };
        // First pass: the attribute members, into the start tag.
        value.serialize_members(&mut Attributes { buf: &mut self.buf });
        self.buf.push('>');
        // Second pass: the other members, as child elements.
        self.frames.push(Frame::Struct);
        value.serialize_members(self);
        self.frames.pop();
        self.end(name);
    }

    fn write_list(
        &mut self,
        member: &Member,
        _len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        let flat = self
            .flattened(member)
            .then(|| (wire_name(member), member.xml_namespace));
        self.collection(member, Frame::List { flat }, &mut |s| items(s));
    }

    fn write_map(
        &mut self,
        member: &Member,
        _len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        let (key, key_ns) = match member.target.map_members() {
            Some((k, _)) => (k.xml_name.unwrap_or("key"), k.xml_namespace),
            None => ("key", None),
        };
        let (entry, entry_ns) = if self.flattened(member) {
            (wire_name(member), member.xml_namespace)
        } else {
            ("entry", None)
        };
        let frame = Frame::Map {
            entry,
            entry_ns,
            key,
            key_ns,
        };
        self.collection(member, frame, &mut |s| entries(s));
    }

    fn write_key(&mut self, key: &str) {
        self.key = Some(key.to_owned());
    }

    fn write_bool(&mut self, member: &Member, value: bool) {
        self.scalar(member, |out| put_bool(out, value));
    }

    fn write_integer(&mut self, member: &Member, value: i64) {
        self.scalar(member, |out| put_integer(out, value));
    }

    fn write_float(&mut self, member: &Member, value: f32) {
        self.scalar(member, |out| put_float(out, value));
    }

    fn write_double(&mut self, member: &Member, value: f64) {
        self.scalar(member, |out| put_double(out, value));
    }

    fn write_big_integer(&mut self, member: &Member, value: &BigInteger) {
        self.scalar(member, |out| out.push_str(value.as_str()));
    }

    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal) {
        self.scalar(member, |out| out.push_str(value.as_str()));
    }

    fn write_string(&mut self, member: &Member, value: &str) {
        self.scalar(member, |out| escape(out, value, false));
    }

    fn write_blob(&mut self, member: &Member, value: &Blob) {
        self.scalar(member, |out| out.push_str(&value.to_base64()));
    }

    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        self.scalar(member, |out| put_timestamp(out, member, value));
    }

    /// Documents have no XML form: nothing is written (nor the map entry holding one).
    fn write_document(&mut self, _member: &Member, _value: &Document) {
        self.key = None;
    }

    /// Nothing is written (nor the map entry holding it).
    fn write_null(&mut self, _member: &Member) {
        self.key = None;
    }
}

/// The first pass over a structure's members: writes the `@xmlAttribute` ones as
/// ` name="value"` and ignores the rest.
struct Attributes<'b> {
    buf: &'b mut String,
}

impl Attributes<'_> {
    fn attribute(&mut self, member: &Member, put: impl FnOnce(&mut String)) {
        if member.xml_attribute {
            self.buf.push(' ');
            self.buf.push_str(wire_name(member));
            self.buf.push_str("=\"");
            put(self.buf);
            self.buf.push('"');
        }
    }
}

impl ShapeSerializer for Attributes<'_> {
    fn write_struct(&mut self, _: &Member, _: &dyn SerializeStruct) {}

    fn write_list(&mut self, _: &Member, _: usize, _: &mut dyn FnMut(&mut dyn ShapeSerializer)) {}

    fn write_map(&mut self, _: &Member, _: usize, _: &mut dyn FnMut(&mut dyn ShapeSerializer)) {}

    fn write_key(&mut self, _: &str) {}

    fn write_bool(&mut self, member: &Member, value: bool) {
        self.attribute(member, |out| put_bool(out, value));
    }

    fn write_integer(&mut self, member: &Member, value: i64) {
        self.attribute(member, |out| put_integer(out, value));
    }

    fn write_float(&mut self, member: &Member, value: f32) {
        self.attribute(member, |out| put_float(out, value));
    }

    fn write_double(&mut self, member: &Member, value: f64) {
        self.attribute(member, |out| put_double(out, value));
    }

    fn write_big_integer(&mut self, member: &Member, value: &BigInteger) {
        self.attribute(member, |out| out.push_str(value.as_str()));
    }

    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal) {
        self.attribute(member, |out| out.push_str(value.as_str()));
    }

    fn write_string(&mut self, member: &Member, value: &str) {
        self.attribute(member, |out| escape(out, value, true));
    }

    fn write_blob(&mut self, member: &Member, value: &Blob) {
        self.attribute(member, |out| out.push_str(&value.to_base64()));
    }

    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        self.attribute(member, |out| put_timestamp(out, member, value));
    }

    fn write_document(&mut self, _: &Member, _: &Document) {}

    fn write_null(&mut self, _: &Member) {}
}

/// Serializes `value` (a structure) as an XML document whose top-level element is `root`
/// (usually [`Member::root`] of the input's schema; an `@httpPayload` member works too).
pub fn to_xml(value: &dyn SerializeStruct, root: &Member) -> String {
    let mut s = XmlSerializer::new();
    s.write_struct(root, value);
    s.finish()
}
