//! Shapes as JMESPath values, by the Smithy waiters data model
//! (<https://smithy.io/2.0/additional-specs/waiters.html#jmespath-data-model>): read through a
//! collecting [`ShapeSerializer`], so nothing here is generic over the shape's type.

use super::value::Value;
use crate::codec::{SerializeStruct, ShapeSerializer};
use crate::schema::Member;
use crate::{BigDecimal, BigInteger, Blob, DateTime, Document};

/// A structure (an operation's input or output, usually) as a JMESPath value: an object of
/// its set members, keyed by member name (never `jsonName` or any other wire name), in the
/// order the structure writes them.
///
/// Within it: structures are objects of their set members and unions objects of their one
/// member; lists and sets are arrays; maps are objects; strings and enums are strings;
/// booleans are booleans; every number (`byte` to `long`, int enums, `float`, `double`,
/// `bigInteger`, `bigDecimal`) is a number; timestamps are numbers of seconds since the
/// epoch (with a fraction); blobs are their base64 text; documents are what they hold; the
/// null entries of sparse lists and maps are `null`. Unset members are absent.
pub fn to_value(shape: &dyn SerializeStruct) -> Value {
    Builder::build(Frame::Struct(Vec::new()), |b| shape.serialize_members(b))
}

/// What is being built: the members of a structure, the items of a list, or the entries of
/// a map (with the key written last, waiting for its value).
enum Frame {
    Struct(Vec<(String, Value)>),
    List(Vec<Value>),
    Map {
        entries: Vec<(String, Value)>,
        key: Option<String>,
    },
}

/// Collects what a shape writes into a [`Value`].
struct Builder {
    frame: Frame,
}

impl Builder {
    /// The value `write` builds in `frame`.
    fn build(frame: Frame, write: impl FnOnce(&mut Builder)) -> Value {
        let mut b = Builder { frame };
        write(&mut b);
        match b.frame {
            Frame::Struct(members) => Value::Object(members),
            Frame::List(items) => Value::Array(items),
            Frame::Map { entries, .. } => Value::Object(entries),
        }
    }

    /// Adds a value written as `member`: a structure member under its name, a list item, or
    /// the value of the map entry whose key was written last.
    fn put(&mut self, member: &Member, value: Value) {
        match &mut self.frame {
            Frame::Struct(members) => {
                super::value::insert(members, member.name.to_owned(), value);
            }
            Frame::List(items) => items.push(value),
            Frame::Map { entries, key } => {
                if let Some(k) = key.take() {
                    entries.push((k, value));
                }
            }
        }
    }
}

/// A `float` by its shortest decimal form, so that `0.1f32` is the number `0.1` (as a
/// parsed response would have it), not `0.10000000149011612`.
fn float(value: f32) -> f64 {
    if !value.is_finite() {
        return f64::from(value);
    }
    format!("{value}").parse().unwrap_or(f64::from(value))
}

/// A big number's text as the nearest `f64` (infinite beyond its range).
fn big(text: &str) -> Value {
    text.parse().map_or(Value::Null, Value::Number)
}

impl ShapeSerializer for Builder {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        let v = Builder::build(Frame::Struct(Vec::new()), |b| value.serialize_members(b));
        self.put(member, v);
    }
    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        let v = Builder::build(Frame::List(Vec::with_capacity(len.min(1024))), |b| items(b));
        self.put(member, v);
    }
    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        let frame = Frame::Map {
            entries: Vec::with_capacity(len.min(1024)),
            key: None,
        };
        let v = Builder::build(frame, |b| entries(b));
        self.put(member, v);
    }
    fn write_key(&mut self, key: &str) {
        if let Frame::Map { key: k, .. } = &mut self.frame {
            *k = Some(key.to_owned());
        }
    }
    fn write_bool(&mut self, member: &Member, value: bool) {
        self.put(member, Value::Bool(value));
    }
    fn write_integer(&mut self, member: &Member, value: i64) {
        self.put(member, Value::Number(value as f64));
    }
    fn write_float(&mut self, member: &Member, value: f32) {
        self.put(member, Value::Number(float(value)));
    }
    fn write_double(&mut self, member: &Member, value: f64) {
        self.put(member, Value::Number(value));
    }
    fn write_big_integer(&mut self, member: &Member, value: &BigInteger) {
        self.put(member, big(value.as_str()));
    }
    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal) {
        self.put(member, big(value.as_str()));
    }
    fn write_string(&mut self, member: &Member, value: &str) {
        self.put(member, Value::String(value.to_owned()));
    }
    fn write_blob(&mut self, member: &Member, value: &Blob) {
        self.put(member, Value::String(value.to_base64()));
    }
    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        self.put(member, Value::Number(value.as_fractional_secs()));
    }
    fn write_document(&mut self, member: &Member, value: &Document) {
        self.put(member, Value::from(value));
    }
    fn write_null(&mut self, member: &Member) {
        self.put(member, Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::codec::{SerializeShape, Unit};
    use crate::document::Number;
    use crate::schema::{Schema, prelude};

    static NAMES: Schema = Schema::list(
        "t#Names",
        "Names",
        &[Member::new("member", 0, &prelude::STRING)],
    );
    static SPARSE: Schema = Schema::map(
        "t#Sparse",
        "Sparse",
        &[
            Member::new("key", 0, &prelude::STRING),
            Member::new("value", 1, &prelude::INTEGER),
        ],
    )
    .sparse();
    static CHOICE_MEMBERS: [Member; 2] = [
        Member::new("Blob", 0, &prelude::BLOB),
        Member::new("Nothing", 1, &prelude::UNIT),
    ];
    static CHOICE: Schema = Schema::union("t#Choice", "Choice", &CHOICE_MEMBERS);
    static MEMBERS: [Member; 12] = [
        Member::new("Name", 0, &prelude::STRING).json_name("name"),
        Member::new("Flag", 1, &prelude::BOOLEAN),
        Member::new("Count", 2, &prelude::LONG),
        Member::new("Ratio", 3, &prelude::FLOAT),
        Member::new("Big", 4, &prelude::BIG_INTEGER),
        Member::new("Dec", 5, &prelude::BIG_DECIMAL),
        Member::new("When", 6, &prelude::TIMESTAMP),
        Member::new("Doc", 7, &prelude::DOCUMENT),
        Member::new("Names", 8, &NAMES),
        Member::new("Sparse", 9, &SPARSE),
        Member::new("Choice", 10, &CHOICE),
        Member::new("Unset", 11, &prelude::STRING),
    ];

    enum Choice {
        Blob(Blob),
        Nothing,
    }

    impl SerializeStruct for Choice {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            match self {
                Choice::Blob(b) => s.write_blob(&CHOICE_MEMBERS[0], b),
                Choice::Nothing => s.write_struct(&CHOICE_MEMBERS[1], &Unit),
            }
        }
    }

    struct Shape {
        choice: Choice,
    }

    impl SerializeStruct for Shape {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            let m = &MEMBERS;
            s.write_string(&m[0], "n");
            s.write_bool(&m[1], true);
            s.write_integer(&m[2], -7);
            s.write_float(&m[3], 0.1);
            s.write_big_integer(&m[4], &"123456789012345678901234567890".parse().unwrap());
            s.write_big_decimal(&m[5], &"1.5e3".parse().unwrap());
            s.write_timestamp(
                &m[6],
                &DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000),
            );
            let doc = Document::Object(BTreeMap::from([
                ("b".to_owned(), Document::Number(Number::PosInt(2))),
                ("a".to_owned(), Document::Array(vec![Document::Null])),
            ]));
            s.write_document(&m[7], &doc);
            vec!["x".to_owned(), "y".to_owned()].serialize(s, &m[8]);
            BTreeMap::from([("k".to_owned(), Some(1)), ("none".to_owned(), None::<i32>)])
                .serialize(s, &m[9]);
            s.write_struct(&m[10], &self.choice);
        }
    }

    fn json(v: &Value) -> String {
        v.to_string()
    }

    #[test]
    fn a_structure_is_an_object_by_member_name() {
        let v = to_value(&Shape {
            choice: Choice::Blob(Blob::new(b"hi!".to_vec())),
        });
        assert_eq!(
            json(&v),
            concat!(
                r#"{"Name":"n","Flag":true,"Count":-7,"Ratio":0.1,"#,
                r#""Big":1.2345678901234568e+29,"Dec":1500,"When":1700000000.25,"#,
                r#""Doc":{"a":[null],"b":2},"Names":["x","y"],"#,
                r#""Sparse":{"k":1,"none":null},"Choice":{"Blob":"aGkh"}}"#
            )
        );
        assert_eq!(v.get("Ratio"), Some(&Value::Number(0.1)));
        assert_eq!(v.get("Unset"), None);
    }

    #[test]
    fn a_unit_union_member_is_an_empty_object() {
        let v = to_value(&Shape {
            choice: Choice::Nothing,
        });
        assert_eq!(json(v.get("Choice").unwrap()), r#"{"Nothing":{}}"#);
        assert_eq!(to_value(&Unit), Value::Object(vec![]));
    }

    #[test]
    fn floats_keep_their_decimal_value() {
        assert_eq!(float(0.1), 0.1);
        assert_eq!(float(3.0), 3.0);
        assert!(float(f32::NAN).is_nan());
        assert_eq!(float(f32::INFINITY), f64::INFINITY);
        assert_eq!(big("12"), Value::Number(12.0));
        assert_eq!(big("x"), Value::Null);
    }
}
