//! [`XmlDeserializer`]: shapes from a parsed document.

use std::borrow::Cow;

use super::parse::{Element, is_xml_space, local};
use crate::blob::Blob;
use crate::codec::{DeError, MemberReader, ShapeDeserializer};
use crate::datetime::{DateTime, TimestampFormat};
use crate::json as j;
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{Member, ShapeType};

/// Where a value sits in a document, for error messages (`Outer.Items[2].Name`): a chain of
/// segments borrowed from the readers above, made into text only when an error needs it.
#[derive(Clone, Copy, Debug)]
struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    seg: Seg<'p>,
}

#[derive(Clone, Copy, Debug)]
enum Seg<'p> {
    Root(&'p str),
    Field(&'p str),
    Index(usize),
    /// A map key; `true` if sensitive (never shown).
    Key(&'p str, bool),
}

impl<'p> Path<'p> {
    fn child(&'p self, seg: Seg<'p>) -> Path<'p> {
        Path {
            parent: Some(self),
            seg,
        }
    }

    fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            segs.push(p.seg);
            at = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            out = match *seg {
                Seg::Root(name) => name.to_owned(),
                Seg::Field(name) => j::join_field(&out, name),
                Seg::Index(i) => j::join_index(&out, i),
                Seg::Key(k, sensitive) => j::join_key(&out, k, sensitive),
            };
        }
        out
    }
}

/// What a deserializer is positioned on.
#[derive(Debug)]
enum At<'e> {
    /// An element: a structure, a wrapped list or map, or a scalar's text.
    Element(&'e Element),
    /// The elements of a flattened list or map (siblings named like its member).
    Group(Vec<&'e Element>),
    /// An attribute value.
    Text(&'e str),
}

/// Reads shapes from a parsed XML document, positioned on one element (or, inside, on the
/// elements of a flattened list or map, or on an attribute value).
///
/// Unknown elements and attributes are skipped; the names of the element itself are not
/// checked (the protocol decides what the top-level element must be).
#[derive(Debug)]
pub struct XmlDeserializer<'e, 'p> {
    at: At<'e>,
    path: Path<'p>,
}

impl<'e, 'p> XmlDeserializer<'e, 'p> {
    /// A deserializer over `element`, whose path in errors is `path` (a shape name, or
    /// empty).
    pub fn new(element: &'e Element, path: &'p str) -> Self {
        XmlDeserializer {
            at: At::Element(element),
            path: Path {
                parent: None,
                seg: Seg::Root(path),
            },
        }
    }

    fn error(&self, expected: &str) -> DeError {
        DeError::new(self.path.render(), expected)
    }

    /// The element here; errors on a group or an attribute value.
    fn element(&self) -> Result<&'e Element, DeError> {
        match &self.at {
            At::Element(e) => Ok(e),
            _ => Err(self.unsupported()),
        }
    }

    /// The elements of the list or map here: the children of a wrapped one, or the group of
    /// a flattened one.
    fn items(&self) -> Result<impl Iterator<Item = &'e Element> + '_, DeError> {
        let (wrapped, flat) = match &self.at {
            At::Element(e) => (Some(e.child_elements()), None),
            At::Group(g) => (None, Some(g.iter().copied())),
            At::Text(_) => return Err(self.unsupported()),
        };
        Ok(wrapped
            .into_iter()
            .flatten()
            .chain(flat.into_iter().flatten()))
    }

    /// The text here, as written.
    fn text(&self) -> Result<Cow<'e, str>, DeError> {
        match &self.at {
            At::Element(e) => Ok(e.text()),
            At::Text(t) => Ok(Cow::Borrowed(t)),
            At::Group(_) => Err(self.unsupported()),
        }
    }

    /// The text here without surrounding white space, or the error `expected`.
    fn trimmed<T>(
        &self,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, DeError> {
        let text = self.text()?;
        parse(text.trim_matches(is_xml_space)).ok_or_else(|| self.error(expected))
    }
}

/// A member's element or attribute name without prefix: of `@xmlName`, else the member name.
fn wire_local(member: &Member) -> &'static str {
    local(member.xml_name.unwrap_or(member.name))
}

/// A list or map spread over sibling elements.
fn flat_collection(member: &Member) -> bool {
    member.xml_flattened && matches!(member.target.shape_type, ShapeType::List | ShapeType::Map)
}

/// An `xmlns` or `xmlns:prefix` namespace declaration.
fn is_namespace_declaration(name: &str) -> bool {
    name == "xmlns" || name.starts_with("xmlns:")
}

fn double(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        // Finite only: Rust would also read `inf` and `nan`, and overflow to infinity.
        _ => text.parse().ok().filter(|d: &f64| d.is_finite()),
    }
}

impl ShapeDeserializer for XmlDeserializer<'_, '_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let element = self.element()?;
        let members = member.target.members;
        for (name, value) in &element.attributes {
            if is_namespace_declaration(name) {
                continue;
            }
            let name = local(name);
            let Some(m) = members
                .iter()
                .find(|m| m.xml_attribute && wire_local(m) == name)
            else {
                continue;
            };
            let path = self.path.child(Seg::Field(m.name));
            f(
                m,
                &mut XmlDeserializer {
                    at: At::Text(value),
                    path,
                },
            )?;
        }
        // Flattened members already read (all their elements at once).
        let mut flat_done: Vec<usize> = Vec::new();
        for child in element.child_elements() {
            let name = child.local_name();
            let Some(m) = members
                .iter()
                .find(|m| !m.xml_attribute && wire_local(m) == name)
            else {
                continue;
            };
            let at = if flat_collection(m) {
                if flat_done.contains(&m.index) {
                    continue;
                }
                flat_done.push(m.index);
                let group = element.child_elements().filter(|c| c.local_name() == name);
                At::Group(group.collect())
            } else {
                At::Element(child)
            };
            let path = self.path.child(Seg::Field(m.name));
            f(m, &mut XmlDeserializer { at, path })?;
        }
        Ok(())
    }

    fn read_list(
        &mut self,
        _member: &Member,
        f: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        for (i, item) in self.items()?.enumerate() {
            let path = self.path.child(Seg::Index(i));
            f(&mut XmlDeserializer {
                at: At::Element(item),
                path,
            })?;
        }
        Ok(())
    }

    fn read_map(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(String, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let (key_name, value_name, sensitive) = match member.target.map_members() {
            Some((k, v)) => (
                k.xml_name.map_or("key", local),
                v.xml_name.map_or("value", local),
                k.sensitive,
            ),
            None => ("key", "value", false),
        };
        for (i, entry) in self.items()?.enumerate() {
            let Some(key) = entry.first_child(key_name) else {
                let path = self.path.child(Seg::Index(i)).render();
                return Err(DeError::new(
                    path,
                    format!("a map entry with a <{key_name}>"),
                ));
            };
            // An entry without a value is skipped, as a null is in other formats.
            let Some(value) = entry.first_child(value_name) else {
                continue;
            };
            let key = key.text();
            let path = self.path.child(Seg::Key(&key, sensitive));
            f(
                key.to_string(),
                &mut XmlDeserializer {
                    at: At::Element(value),
                    path,
                },
            )?;
        }
        Ok(())
    }

    fn read_bool(&mut self, _member: &Member) -> Result<bool, DeError> {
        self.trimmed("a boolean", |t| match t {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    }

    fn read_integer(
        &mut self,
        _member: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        self.trimmed(what, |t| {
            t.parse::<i64>().ok().filter(|v| (min..=max).contains(v))
        })
    }

    fn read_float(&mut self, _member: &Member) -> Result<f32, DeError> {
        let text = self.text()?;
        let t = text.trim_matches(is_xml_space);
        let finite = match t {
            "NaN" => return Ok(f32::NAN),
            "Infinity" => return Ok(f32::INFINITY),
            "-Infinity" => return Ok(f32::NEG_INFINITY),
            _ => double(t).is_some(),
        };
        if !finite {
            return Err(self.error("a number"));
        }
        t.parse::<f32>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| self.error("a number in the range of a float"))
    }

    fn read_double(&mut self, _member: &Member) -> Result<f64, DeError> {
        self.trimmed("a number", double)
    }

    fn read_big_integer(&mut self, _member: &Member) -> Result<BigInteger, DeError> {
        self.trimmed("an integer", |t| t.parse().ok())
    }

    fn read_big_decimal(&mut self, _member: &Member) -> Result<BigDecimal, DeError> {
        self.trimmed("a decimal number", |t| t.parse().ok())
    }

    fn read_string(&mut self, _member: &Member) -> Result<String, DeError> {
        self.text().map(Cow::into_owned)
    }

    /// Base64, ignoring white space (long values may be wrapped over lines).
    fn read_blob(&mut self, _member: &Member) -> Result<Blob, DeError> {
        self.trimmed("a base64 string", |t| {
            if t.contains(is_xml_space) {
                let compact: String = t.chars().filter(|c| !is_xml_space(*c)).collect();
                Blob::from_base64(&compact).ok()
            } else {
                Blob::from_base64(t).ok()
            }
        })
    }

    /// In the member's format (date-time by default), else in any other format.
    fn read_timestamp(&mut self, member: &Member) -> Result<DateTime, DeError> {
        let format = member.timestamp_format_or(TimestampFormat::DateTime);
        let expected = match format {
            TimestampFormat::DateTime => "a date-time timestamp",
            TimestampFormat::EpochSeconds => "an epoch-seconds timestamp",
            TimestampFormat::HttpDate => "an http-date timestamp",
        };
        self.trimmed(expected, |t| {
            [
                format,
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
                TimestampFormat::EpochSeconds,
            ]
            .iter()
            .find_map(|f| DateTime::parse(*f, t).ok())
        })
    }

    fn path(&self) -> String {
        self.path.render()
    }
}
