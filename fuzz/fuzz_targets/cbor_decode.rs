//! Arbitrary bytes read as a recursive structure through the CBOR codec (the rpcv2Cbor
//! protocol's reader): validation and deserialization must return `Ok` or an error, never
//! panic, and whatever validates and reads must serialize again.
#![no_main]

use std::collections::BTreeMap;

use anvil_runtime::codec::cbor::{CborDeserializer, CborSerializer, validate};
use anvil_runtime::codec::{
    DeError, DeserializeShape, SerializeShape, SerializeStruct, ShapeDeserializer,
    ShapeSerializer,
};
use anvil_runtime::schema::{Member, Schema, prelude};
use anvil_runtime::{Blob, DateTime};
use libfuzzer_sys::fuzz_target;

static NODE: Schema = Schema::structure(
    "fuzz#Node",
    "Node",
    &[
        Member::new("Name", 0, &prelude::STRING),
        Member::new("Items", 1, &ITEMS),
        Member::new("Tags", 2, &TAGS),
        Member::new("Next", 3, &NODE),
        Member::new("When", 4, &prelude::TIMESTAMP),
        Member::new("Data", 5, &prelude::BLOB),
        Member::new("Ratio", 6, &prelude::DOUBLE),
    ],
);
static ITEMS: Schema = Schema::list("fuzz#Items", "Items", &[Member::new("member", 0, &prelude::LONG)]).sparse();
static TAGS: Schema = Schema::map(
    "fuzz#Tags",
    "Tags",
    &[
        Member::new("key", 0, &prelude::STRING),
        Member::new("value", 1, &NODE),
    ],
);

#[derive(Debug, Default)]
struct Node {
    name: Option<String>,
    items: Option<Vec<Option<i64>>>,
    tags: Option<BTreeMap<String, Node>>,
    next: Option<Box<Node>>,
    when: Option<DateTime>,
    data: Option<Blob>,
    ratio: Option<f64>,
}

impl DeserializeShape for Node {
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
        let mut n = Node::default();
        d.read_struct(member, &mut |m, d| {
            match m.index {
                0 => n.name = Some(DeserializeShape::deserialize(d, m)?),
                1 => n.items = Some(DeserializeShape::deserialize(d, m)?),
                2 => n.tags = Some(DeserializeShape::deserialize(d, m)?),
                3 => n.next = Some(DeserializeShape::deserialize(d, m)?),
                4 => n.when = Some(DeserializeShape::deserialize(d, m)?),
                5 => n.data = Some(DeserializeShape::deserialize(d, m)?),
                6 => n.ratio = Some(DeserializeShape::deserialize(d, m)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(n)
    }
}

impl SerializeStruct for Node {
    fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
        let m = NODE.members;
        if let Some(v) = &self.name {
            v.serialize(s, &m[0]);
        }
        if let Some(v) = &self.items {
            v.serialize(s, &m[1]);
        }
        if let Some(v) = &self.tags {
            v.serialize(s, &m[2]);
        }
        if let Some(v) = &self.next {
            v.serialize(s, &m[3]);
        }
        if let Some(v) = &self.when {
            v.serialize(s, &m[4]);
        }
        if let Some(v) = &self.data {
            v.serialize(s, &m[5]);
        }
        if let Some(v) = &self.ratio {
            v.serialize(s, &m[6]);
        }
    }
}

impl SerializeShape for Node {
    fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
        s.write_struct(member, self);
    }
}

fuzz_target!(|data: &[u8]| {
    if validate(data).is_err() {
        return;
    }
    let root = Member::root(&NODE);
    let mut d = CborDeserializer::new(data, "Node");
    if let Ok(node) = Node::deserialize(&mut d, &root) {
        let mut s = CborSerializer::new();
        s.write_struct(&root, &node);
        let bytes = s.finish();
        assert!(validate(&bytes).is_ok(), "re-serialized CBOR does not validate");
    }
});
