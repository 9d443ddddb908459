//! Protocol-agnostic (de)serialization: the traits generated types implement, and the codecs
//! (one module per wire format) that implement the serializer and deserializer sides.
//!
//! Generated code never names a wire format. A structure implements [`SerializeStruct`]
//! (write each set member to any [`ShapeSerializer`], with its [`Member`] schema) and
//! [`DeserializeShape`] (read members from any [`ShapeDeserializer`], which names each member
//! it finds by its schema). A codec decides what the wire looks like from the schemas: the
//! JSON codec keys members by name (or `jsonName`), the CBOR codec writes definite-length maps,
//! and so on. Everything is dynamically dispatched (`&mut dyn`), so nothing is monomorphised
//! per protocol, and one generated client can speak any protocol its service supports.
//!
//! The simple types (`String`, numbers, [`Blob`], [`DateTime`], [`Document`], big numbers),
//! `Option`, `Box`, `Vec` and `BTreeMap` implement the traits here, once.

use std::collections::BTreeMap;

use crate::blob::Blob;
use crate::datetime::DateTime;
use crate::document::Document;
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::Member;

pub mod cbor;
pub mod event_stream;
pub mod json;
pub mod query;
pub mod xml;

pub use crate::json::DeError;

/// Writes shapes in one wire format. Every `write_*` takes the schema of the member being
/// written: inside a structure the codec writes the member's name (or whatever its format
/// uses), inside a list or map it writes the bare value.
pub trait ShapeSerializer {
    /// A structure or union: `value` writes its members back to this serializer.
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct);
    /// A list of `len` items: `items` writes each one with the list's element member.
    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    );
    /// A map of `len` entries: `entries` calls [`write_key`](Self::write_key) then writes the
    /// value with the map's value member, for each entry.
    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    );
    /// The key of the next map entry.
    fn write_key(&mut self, key: &str);
    /// A boolean.
    fn write_bool(&mut self, member: &Member, value: bool);
    /// An integer of any width (`byte`, `short`, `integer`, `long`, int enums).
    fn write_integer(&mut self, member: &Member, value: i64);
    /// A `float`.
    fn write_float(&mut self, member: &Member, value: f32);
    /// A `double`.
    fn write_double(&mut self, member: &Member, value: f64);
    /// A `bigInteger`.
    fn write_big_integer(&mut self, member: &Member, value: &BigInteger);
    /// A `bigDecimal`.
    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal);
    /// A string (and string enums).
    fn write_string(&mut self, member: &Member, value: &str);
    /// A blob.
    fn write_blob(&mut self, member: &Member, value: &Blob);
    /// A timestamp, in the member's format or the codec's default.
    fn write_timestamp(&mut self, member: &Member, value: &DateTime);
    /// A document.
    fn write_document(&mut self, member: &Member, value: &Document);
    /// An explicit null (an unset entry of a sparse list or map).
    fn write_null(&mut self, member: &Member);
}

/// A structure or union that writes its members.
pub trait SerializeStruct {
    /// Writes each set member (with its member schema) to `s`.
    fn serialize_members(&self, s: &mut dyn ShapeSerializer);
}

/// The empty structure: the input of operations without one, and union members targeting
/// `smithy.api#Unit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unit;

impl SerializeStruct for Unit {
    fn serialize_members(&self, _: &mut dyn ShapeSerializer) {}
}

/// The output of operations without one: whatever the body holds is ignored.
impl DeserializeShape for () {
    fn deserialize(_: &mut dyn ShapeDeserializer, _: &Member) -> Result<Self, DeError> {
        Ok(())
    }
}

/// A value that writes itself as the member `member`.
pub trait SerializeShape {
    /// Writes `self` to `s` as `member`.
    fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member);
}

/// What a structure reader is handed for each member found: its schema and a deserializer
/// positioned on its value. Unknown members never reach it (the codec skips them).
pub type MemberReader<'r> =
    dyn FnMut(&'static Member, &mut dyn ShapeDeserializer) -> Result<(), DeError> + 'r;

/// Reads shapes from one wire format. Every reader has a default that refuses (`expected a
/// value of a type supported here`), so that a deserializer for one position (a header, the
/// status code) implements only what that position can carry.
pub trait ShapeDeserializer {
    /// A structure or union: calls `f` for each known member present (nulls are absent).
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let _ = (member, f);
        Err(self.unsupported())
    }
    /// A list: calls `f` once per item, positioned on it.
    fn read_list(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let _ = (member, f);
        Err(self.unsupported())
    }
    /// A map: calls `f` once per entry with its key, positioned on its value.
    fn read_map(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(String, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let _ = (member, f);
        Err(self.unsupported())
    }
    /// A boolean.
    fn read_bool(&mut self, member: &Member) -> Result<bool, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// An integer within `min..=max` (the range of the member's Rust type); `what` names it
    /// for errors.
    fn read_integer(
        &mut self,
        member: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        let _ = (member, min, max, what);
        Err(self.unsupported())
    }
    /// A `float`.
    fn read_float(&mut self, member: &Member) -> Result<f32, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A `double`.
    fn read_double(&mut self, member: &Member) -> Result<f64, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A `bigInteger`.
    fn read_big_integer(&mut self, member: &Member) -> Result<BigInteger, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A `bigDecimal`.
    fn read_big_decimal(&mut self, member: &Member) -> Result<BigDecimal, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A string.
    fn read_string(&mut self, member: &Member) -> Result<String, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A blob.
    fn read_blob(&mut self, member: &Member) -> Result<Blob, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A timestamp, in the member's format or the codec's default.
    fn read_timestamp(&mut self, member: &Member) -> Result<DateTime, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// A document.
    fn read_document(&mut self, member: &Member) -> Result<Document, DeError> {
        let _ = member;
        Err(self.unsupported())
    }
    /// Whether the value here is null (entries of sparse lists and maps).
    fn is_null(&mut self) -> bool {
        false
    }
    /// Skips the value here (a union member targeting `Unit`).
    fn skip(&mut self) -> Result<(), DeError> {
        Ok(())
    }
    /// The path of the value here, for error messages (`Items[2].Name`).
    fn path(&self) -> String;
    /// The error for a value this position cannot carry.
    fn unsupported(&self) -> DeError {
        DeError::unsupported(self.path())
    }
}

/// A value that reads itself from a deserializer positioned on it.
pub trait DeserializeShape: Sized {
    /// Reads a `Self` as `member`.
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError>;
}

/// Map keys: strings and string enums.
pub trait MapKey: Ord {
    /// The key's text.
    fn as_key(&self) -> &str;
    /// The key from its text.
    fn from_key(key: String) -> Self;
}

impl MapKey for String {
    fn as_key(&self) -> &str {
        self
    }
    fn from_key(key: String) -> Self {
        key
    }
}

/// The error for a required member that was absent (or an aggregate that cannot be
/// defaulted).
pub fn missing(d: &dyn ShapeDeserializer, member: &str) -> DeError {
    DeError::missing(crate::json::join_field(&d.path(), member))
}

macro_rules! simple {
    ($t:ty, |$s:ident, $m:ident, $v:ident| $ser:expr, |$d:ident, $dm:ident| $de:expr) => {
        impl SerializeShape for $t {
            fn serialize(&self, $s: &mut dyn ShapeSerializer, $m: &Member) {
                let $v = self;
                $ser
            }
        }
        impl DeserializeShape for $t {
            fn deserialize($d: &mut dyn ShapeDeserializer, $dm: &Member) -> Result<Self, DeError> {
                $de
            }
        }
    };
}

simple!(String, |s, m, v| s.write_string(m, v), |d, m| d
    .read_string(m));
simple!(bool, |s, m, v| s.write_bool(m, *v), |d, m| d.read_bool(m));
simple!(i8, |s, m, v| s.write_integer(m, i64::from(*v)), |d, m| {
    let v = d.read_integer(
        m,
        i8::MIN.into(),
        i8::MAX.into(),
        "an integer in -128..=127 (byte)",
    )?;
    Ok(v as i8)
});
simple!(i16, |s, m, v| s.write_integer(m, i64::from(*v)), |d, m| {
    let v = d.read_integer(
        m,
        i16::MIN.into(),
        i16::MAX.into(),
        "an integer in -32768..=32767 (short)",
    )?;
    Ok(v as i16)
});
simple!(i32, |s, m, v| s.write_integer(m, i64::from(*v)), |d, m| {
    let v = d.read_integer(m, i32::MIN.into(), i32::MAX.into(), "a 32-bit integer")?;
    Ok(v as i32)
});
simple!(i64, |s, m, v| s.write_integer(m, *v), |d, m| d
    .read_integer(m, i64::MIN, i64::MAX, "a 64-bit integer"));
simple!(f32, |s, m, v| s.write_float(m, *v), |d, m| d.read_float(m));
simple!(f64, |s, m, v| s.write_double(m, *v), |d, m| d
    .read_double(m));
simple!(Blob, |s, m, v| s.write_blob(m, v), |d, m| d.read_blob(m));
simple!(DateTime, |s, m, v| s.write_timestamp(m, v), |d, m| d
    .read_timestamp(m));
simple!(Document, |s, m, v| s.write_document(m, v), |d, m| d
    .read_document(m));
simple!(BigInteger, |s, m, v| s.write_big_integer(m, v), |d, m| d
    .read_big_integer(m));
simple!(BigDecimal, |s, m, v| s.write_big_decimal(m, v), |d, m| d
    .read_big_decimal(m));

impl<T: SerializeShape + ?Sized> SerializeShape for Box<T> {
    fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
        (**self).serialize(s, member)
    }
}

impl<T: DeserializeShape> DeserializeShape for Box<T> {
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
        T::deserialize(d, member).map(Box::new)
    }
}

/// `None` is written as null: only entries of sparse lists and maps are `Option`s here
/// (optional structure members are skipped by the generated code when unset).
impl<T: SerializeShape> SerializeShape for Option<T> {
    fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
        match self {
            Some(v) => v.serialize(s, member),
            None => s.write_null(member),
        }
    }
}

impl<T: DeserializeShape> DeserializeShape for Option<T> {
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
        if d.is_null() {
            Ok(None)
        } else {
            T::deserialize(d, member).map(Some)
        }
    }
}

impl<T: SerializeShape> SerializeShape for Vec<T> {
    fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
        let Some(item) = member.target.list_member() else {
            return;
        };
        s.write_list(member, self.len(), &mut |s| {
            for v in self {
                v.serialize(s, item);
            }
        });
    }
}

impl<T: DeserializeShape> DeserializeShape for Vec<T> {
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
        let Some(item) = member.target.list_member() else {
            return Err(DeError::unsupported(d.path()));
        };
        let mut out = Vec::new();
        d.read_list(member, &mut |d| {
            out.push(T::deserialize(d, item)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<K: MapKey, V: SerializeShape> SerializeShape for BTreeMap<K, V> {
    fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
        let Some((_, value)) = member.target.map_members() else {
            return;
        };
        s.write_map(member, self.len(), &mut |s| {
            for (k, v) in self {
                s.write_key(k.as_key());
                v.serialize(s, value);
            }
        });
    }
}

impl<K: MapKey, V: DeserializeShape> DeserializeShape for BTreeMap<K, V> {
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
        let Some((_, value)) = member.target.map_members() else {
            return Err(DeError::unsupported(d.path()));
        };
        let mut out = BTreeMap::new();
        d.read_map(member, &mut |k, d| {
            out.insert(K::from_key(k), V::deserialize(d, value)?);
            Ok(())
        })?;
        Ok(out)
    }
}
