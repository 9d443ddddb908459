//! The JSON codec: [`JsonSerializer`] and [`JsonDeserializer`] over the writer and readers of
//! [`crate::json`]. Members are keyed by their name, or by `@jsonName` when the protocol uses
//! it (restJson1 does, the awsJson protocols do not). Timestamps default to epoch seconds,
//! blobs are base64, non-finite floats are the strings `NaN`, `Infinity` and `-Infinity`.

use serde_json::Value;

use super::{DeError, MemberReader, SerializeStruct, ShapeDeserializer, ShapeSerializer};
use crate::blob::Blob;
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::Document;
use crate::json::{self as j, JsonWriter};
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{Member, ShapeType};

/// How the JSON codec names members and formats timestamps.
#[derive(Clone, Copy, Debug)]
pub struct JsonSettings {
    /// Key members by `@jsonName` when set.
    pub use_json_name: bool,
    /// The timestamp format of members with no `@timestampFormat`.
    pub default_timestamp_format: TimestampFormat,
}

impl JsonSettings {
    /// The awsJson protocols: member names as keys, epoch-seconds timestamps.
    pub const AWS_JSON: JsonSettings = JsonSettings {
        use_json_name: false,
        default_timestamp_format: TimestampFormat::EpochSeconds,
    };

    fn key<'m>(&self, member: &'m Member) -> &'m str {
        match member.json_name {
            Some(n) if self.use_json_name => n,
            _ => member.name,
        }
    }
}

/// Writes shapes as JSON.
#[derive(Debug)]
pub struct JsonSerializer {
    w: JsonWriter,
    settings: JsonSettings,
    /// For each open container: whether it is a structure (members are keyed).
    keyed: Vec<bool>,
}

impl JsonSerializer {
    /// An empty serializer.
    pub fn new(settings: JsonSettings) -> Self {
        JsonSerializer {
            w: JsonWriter::new(),
            settings,
            keyed: Vec::new(),
        }
    }

    /// The JSON text written.
    pub fn finish(self) -> String {
        self.w.finish()
    }

    /// Writes the member's key when inside a structure.
    fn key(&mut self, member: &Member) {
        if self.keyed.last() == Some(&true) {
            let key = self.settings.key(member);
            self.w.key(key);
        }
    }
}

impl ShapeSerializer for JsonSerializer {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        self.key(member);
        self.w.begin_object();
        self.keyed.push(true);
        value.serialize_members(self);
        self.keyed.pop();
        self.w.end_object();
    }

    fn write_list(
        &mut self,
        member: &Member,
        _len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        self.key(member);
        self.w.begin_array();
        self.keyed.push(false);
        items(self);
        self.keyed.pop();
        self.w.end_array();
    }

    fn write_map(
        &mut self,
        member: &Member,
        _len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        self.key(member);
        self.w.begin_object();
        self.keyed.push(false);
        entries(self);
        self.keyed.pop();
        self.w.end_object();
    }

    fn write_key(&mut self, key: &str) {
        self.w.key(key);
    }

    fn write_bool(&mut self, member: &Member, value: bool) {
        self.key(member);
        self.w.bool(value);
    }

    fn write_integer(&mut self, member: &Member, value: i64) {
        self.key(member);
        self.w.i64(value);
    }

    fn write_float(&mut self, member: &Member, value: f32) {
        self.key(member);
        self.w.f32(value);
    }

    fn write_double(&mut self, member: &Member, value: f64) {
        self.key(member);
        self.w.f64(value);
    }

    fn write_big_integer(&mut self, member: &Member, value: &BigInteger) {
        self.key(member);
        self.w.big_integer(value);
    }

    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal) {
        self.key(member);
        self.w.big_decimal(value);
    }

    fn write_string(&mut self, member: &Member, value: &str) {
        self.key(member);
        self.w.string(value);
    }

    fn write_blob(&mut self, member: &Member, value: &Blob) {
        self.key(member);
        self.w.blob(value);
    }

    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        self.key(member);
        let format = member.timestamp_format_or(self.settings.default_timestamp_format);
        self.w.timestamp(value, format);
    }

    fn write_document(&mut self, member: &Member, value: &Document) {
        self.key(member);
        self.w.document(value);
    }

    fn write_null(&mut self, member: &Member) {
        self.key(member);
        self.w.null();
    }
}

/// Where a value sits in a response, for error messages (`Items[2].Name`): a chain of
/// segments borrowed from the readers above it, made into text only when an error needs it,
/// so that reading allocates nothing for paths. A sensitive map's keys never appear.
#[derive(Clone, Copy, Debug)]
pub struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    seg: Seg<'p>,
}

#[derive(Clone, Copy, Debug)]
enum Seg<'p> {
    Root(&'p str),
    Field(&'p str),
    Index(usize),
    Key(&'p str, bool),
}

impl<'p> Path<'p> {
    /// The root (a shape name, or empty).
    pub fn root(name: &'p str) -> Path<'p> {
        Path {
            parent: None,
            seg: Seg::Root(name),
        }
    }

    /// The member `name` of `parent`.
    pub fn field(parent: &'p Path<'p>, name: &'p str) -> Path<'p> {
        Path {
            parent: Some(parent),
            seg: Seg::Field(name),
        }
    }

    fn child(&'p self, seg: Seg<'p>) -> Path<'p> {
        Path {
            parent: Some(self),
            seg,
        }
    }

    /// The path as text.
    pub fn render(&self) -> String {
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

/// Reads shapes from a parsed JSON value.
#[derive(Debug)]
pub struct JsonDeserializer<'v, 'p> {
    value: &'v Value,
    path: Path<'p>,
    settings: JsonSettings,
}

impl<'v, 'p> JsonDeserializer<'v, 'p> {
    /// A deserializer over `value`, whose path is `root` (the shape name).
    pub fn new(value: &'v Value, root: &'p str, settings: JsonSettings) -> Self {
        JsonDeserializer::at(value, Path::root(root), settings)
    }

    /// A deserializer over `value` at `path`.
    pub fn at(value: &'v Value, path: Path<'p>, settings: JsonSettings) -> Self {
        JsonDeserializer {
            value,
            path,
            settings,
        }
    }

    /// An error of this value: `e` (read at an empty path) placed at this path.
    fn here(&self, e: DeError) -> DeError {
        DeError::new(self.path.render(), e.expected().to_owned())
    }
}

impl ShapeDeserializer for JsonDeserializer<'_, '_> {
    fn read_struct(&mut self, member: &Member, f: &mut MemberReader<'_>) -> Result<(), DeError> {
        let obj = j::object(self.value, "").map_err(|e| self.here(e))?;
        let members = member.target.members;
        let union = member.target.shape_type == ShapeType::Union;
        for (key, value) in obj {
            if value.is_null() {
                continue;
            }
            // A union's `__type` is type information, not a member.
            if union && key == "__type" {
                continue;
            }
            let Some(m) = members.iter().find(|m| self.settings.key(m) == key) else {
                continue;
            };
            let mut d =
                JsonDeserializer::at(value, self.path.child(Seg::Field(m.name)), self.settings);
            f(m, &mut d)?;
        }
        Ok(())
    }

    fn read_list(
        &mut self,
        member: &Member,
        f: &mut dyn FnMut(&mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<(), DeError> {
        let sparse = member.target.sparse;
        let items = j::array(self.value, "").map_err(|e| self.here(e))?;
        for (i, item) in items.iter().enumerate() {
            if item.is_null() && !sparse {
                continue;
            }
            let mut d = JsonDeserializer::at(item, self.path.child(Seg::Index(i)), self.settings);
            f(&mut d)?;
        }
        Ok(())
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
        let obj = j::object(self.value, "").map_err(|e| self.here(e))?;
        for (key, value) in obj {
            if value.is_null() && !sparse {
                continue;
            }
            let mut d = JsonDeserializer::at(
                value,
                self.path.child(Seg::Key(key, sensitive)),
                self.settings,
            );
            f(key.clone(), &mut d)?;
        }
        Ok(())
    }

    fn read_bool(&mut self, _member: &Member) -> Result<bool, DeError> {
        j::bool(self.value, "").map_err(|e| self.here(e))
    }

    fn read_integer(
        &mut self,
        _member: &Member,
        min: i64,
        max: i64,
        what: &'static str,
    ) -> Result<i64, DeError> {
        j::i64(self.value, "")
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| DeError::new(self.path.render(), what))
    }

    fn read_float(&mut self, _member: &Member) -> Result<f32, DeError> {
        j::f32(self.value, "").map_err(|e| self.here(e))
    }

    fn read_double(&mut self, _member: &Member) -> Result<f64, DeError> {
        j::f64(self.value, "").map_err(|e| self.here(e))
    }

    fn read_big_integer(&mut self, _member: &Member) -> Result<BigInteger, DeError> {
        j::big_integer(self.value, "").map_err(|e| self.here(e))
    }

    fn read_big_decimal(&mut self, _member: &Member) -> Result<BigDecimal, DeError> {
        j::big_decimal(self.value, "").map_err(|e| self.here(e))
    }

    fn read_string(&mut self, _member: &Member) -> Result<String, DeError> {
        j::string(self.value, "").map_err(|e| self.here(e))
    }

    fn read_blob(&mut self, _member: &Member) -> Result<Blob, DeError> {
        j::blob(self.value, "").map_err(|e| self.here(e))
    }

    fn read_timestamp(&mut self, member: &Member) -> Result<DateTime, DeError> {
        let format = member.timestamp_format_or(self.settings.default_timestamp_format);
        j::timestamp(self.value, "", format).map_err(|e| self.here(e))
    }

    fn read_document(&mut self, _member: &Member) -> Result<Document, DeError> {
        j::document(self.value, "").map_err(|e| self.here(e))
    }

    fn is_null(&mut self) -> bool {
        self.value.is_null()
    }

    fn skip(&mut self) -> Result<(), DeError> {
        Ok(())
    }

    fn path(&self) -> String {
        self.path.render()
    }
}

/// Serializes `input` (a structure) as a JSON object.
pub fn to_json(input: &dyn SerializeStruct, root: &Member, settings: JsonSettings) -> String {
    let mut s = JsonSerializer::new(settings);
    s.write_struct(root, input);
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{DeserializeShape, SerializeShape};
    use crate::schema::{Member, Schema, prelude};
    use std::collections::BTreeMap;

    static ITEM: Schema = Schema::structure(
        "test#Item",
        "Item",
        &[
            Member::new("Name", 0, &prelude::STRING).json_name("name"),
            Member::new("When", 1, &prelude::TIMESTAMP),
            Member::new("Tags", 2, &TAGS),
            Member::new("Sizes", 3, &SIZES),
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

    #[derive(Debug, PartialEq, Default)]
    struct Item {
        name: Option<String>,
        when: Option<DateTime>,
        tags: Option<BTreeMap<String, String>>,
        sizes: Option<Vec<Option<i32>>>,
    }

    impl SerializeStruct for Item {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            let m = ITEM.members;
            if let Some(v) = &self.name {
                v.serialize(s, &m[0]);
            }
            if let Some(v) = &self.when {
                v.serialize(s, &m[1]);
            }
            if let Some(v) = &self.tags {
                v.serialize(s, &m[2]);
            }
            if let Some(v) = &self.sizes {
                v.serialize(s, &m[3]);
            }
        }
    }

    impl DeserializeShape for Item {
        fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
            let mut out = Item::default();
            d.read_struct(member, &mut |m, d| {
                match m.index {
                    0 => out.name = Some(String::deserialize(d, m)?),
                    1 => out.when = Some(DateTime::deserialize(d, m)?),
                    2 => out.tags = Some(BTreeMap::deserialize(d, m)?),
                    3 => out.sizes = Some(Vec::deserialize(d, m)?),
                    _ => {}
                }
                Ok(())
            })?;
            Ok(out)
        }
    }

    #[test]
    fn round_trips_through_schemas() {
        let item = Item {
            name: Some("a\"b".into()),
            when: Some(DateTime::from_secs(1_700_000_000)),
            tags: Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
            sizes: Some(vec![Some(1), None, Some(3)]),
        };
        let root = Member::root(&ITEM);
        let text = to_json(&item, &root, JsonSettings::AWS_JSON);
        assert_eq!(
            text,
            r#"{"Name":"a\"b","When":1700000000,"Tags":{"k":"v"},"Sizes":[1,null,3]}"#
        );
        let with_json_name = JsonSettings {
            use_json_name: true,
            ..JsonSettings::AWS_JSON
        };
        assert!(to_json(&item, &root, with_json_name).starts_with(r#"{"name":"#));
        let value: Value = serde_json::from_str(&text).unwrap();
        let mut d = JsonDeserializer::new(&value, "Item", JsonSettings::AWS_JSON);
        assert_eq!(Item::deserialize(&mut d, &root).unwrap(), item);
    }

    #[test]
    fn errors_name_the_path_and_unknown_members_are_skipped() {
        let value: Value =
            serde_json::from_str(r#"{"Other":1,"Name":null,"Sizes":[1,"x"]}"#).unwrap();
        let mut d = JsonDeserializer::new(&value, "Item", JsonSettings::AWS_JSON);
        let err = Item::deserialize(&mut d, &Member::root(&ITEM)).unwrap_err();
        assert_eq!(err.path(), "Item.Sizes[1]");
        assert_eq!(err.expected(), "a 32-bit integer");
    }
}
