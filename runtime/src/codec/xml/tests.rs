//! Tests of the XML codec: the parser, the serializer, the deserializer (round trips through
//! hand-written schemas and shape impls) and `equivalent`.

use std::collections::BTreeMap;

use super::*;
use crate::blob::Blob;
use crate::codec::{
    DeError, DeserializeShape, SerializeShape, SerializeStruct, ShapeDeserializer, ShapeSerializer,
};
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::Document;
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::{Member, Schema, XmlNamespace, prelude};

// ---------------------------------------------------------------------------------------
// Schemas and shapes, written by hand as the code generator would.

static TAGS: Schema = Schema::list(
    "test#Tags",
    "Tags",
    &[Member::new("member", 0, &prelude::STRING).xml_name("tag")],
);
static INTS: Schema = Schema::list(
    "test#Ints",
    "Ints",
    &[Member::new("member", 0, &prelude::INTEGER)],
);
static MATRIX: Schema = Schema::list("test#Matrix", "Matrix", &[Member::new("member", 0, &INTS)]);
static ATTRS: Schema = Schema::map(
    "test#Attrs",
    "Attrs",
    &[
        Member::new("key", 0, &prelude::STRING).xml_name("K"),
        Member::new("value", 1, &prelude::STRING).xml_name("V"),
    ],
);
static ITEMS: Schema = Schema::map(
    "test#Items",
    "Items",
    &[
        Member::new("key", 0, &prelude::STRING),
        Member::new("value", 1, &ITEM),
    ],
);
static ITEM: Schema = Schema::structure(
    "test#Item",
    "Item",
    &[
        Member::new("id", 0, &prelude::STRING).xml_attribute(),
        Member::new("count", 1, &prelude::INTEGER)
            .xml_attribute()
            .xml_name("n"),
        Member::new("name", 2, &prelude::STRING).xml_name("Name"),
        Member::new("tags", 3, &TAGS),
        Member::new("flat", 4, &TAGS)
            .xml_flattened()
            .xml_name("Flat"),
        Member::new("attrs", 5, &ATTRS),
        Member::new("flatAttrs", 6, &ATTRS).xml_flattened(),
        Member::new("when", 7, &prelude::TIMESTAMP),
        Member::new("epoch", 8, &prelude::TIMESTAMP)
            .timestamp_format(TimestampFormat::EpochSeconds),
        Member::new("ratio", 9, &prelude::DOUBLE),
        Member::new("small", 10, &prelude::FLOAT),
        Member::new("data", 11, &prelude::BLOB),
        Member::new("ok", 12, &prelude::BOOLEAN),
        Member::new("child", 13, &ITEM).xml_namespace("http://child", Some("c")),
        Member::new("matrix", 14, &MATRIX),
        Member::new("big", 15, &prelude::BIG_INTEGER),
        Member::new("dec", 16, &prelude::BIG_DECIMAL),
        Member::new("byte", 17, &prelude::BYTE),
        Member::new("items", 18, &ITEMS),
        Member::new("doc", 19, &prelude::DOCUMENT),
    ],
)
.xml_name("TheItem")
.xml_namespace("http://item", None);

#[derive(Clone, Debug, Default, PartialEq)]
struct Item {
    id: Option<String>,
    count: Option<i32>,
    name: Option<String>,
    tags: Option<Vec<String>>,
    flat: Option<Vec<String>>,
    attrs: Option<BTreeMap<String, String>>,
    flat_attrs: Option<BTreeMap<String, String>>,
    when: Option<DateTime>,
    epoch: Option<DateTime>,
    ratio: Option<f64>,
    small: Option<f32>,
    data: Option<Blob>,
    ok: Option<bool>,
    child: Option<Box<Item>>,
    matrix: Option<Vec<Vec<i32>>>,
    big: Option<BigInteger>,
    dec: Option<BigDecimal>,
    byte: Option<i8>,
    items: Option<BTreeMap<String, Item>>,
    doc: Option<Document>,
}

/// The generated member-by-member code, for the fields listed (by member index).
macro_rules! shape_impls {
    ($ty:ident, $schema:ident, $($i:literal => $f:ident),* $(,)?) => {
        impl SerializeStruct for $ty {
            fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
                let m = $schema.members;
                $(if let Some(v) = &self.$f {
                    v.serialize(s, &m[$i]);
                })*
            }
        }
        impl SerializeShape for $ty {
            fn serialize(&self, s: &mut dyn ShapeSerializer, member: &Member) {
                s.write_struct(member, self);
            }
        }
        impl DeserializeShape for $ty {
            fn deserialize(
                d: &mut dyn ShapeDeserializer,
                member: &Member,
            ) -> Result<Self, DeError> {
                let mut out = $ty::default();
                d.read_struct(member, &mut |m, d| {
                    match m.index {
                        $($i => out.$f = Some(DeserializeShape::deserialize(d, m)?),)*
                        _ => {}
                    }
                    Ok(())
                })?;
                Ok(out)
            }
        }
    };
}

shape_impls!(Item, ITEM,
    0 => id, 1 => count, 2 => name, 3 => tags, 4 => flat, 5 => attrs, 6 => flat_attrs,
    7 => when, 8 => epoch, 9 => ratio, 10 => small, 11 => data, 12 => ok, 13 => child,
    14 => matrix, 15 => big, 16 => dec, 17 => byte, 18 => items, 19 => doc,
);

static CHOICE: Schema = Schema::union(
    "test#Choice",
    "Choice",
    &[
        Member::new("text", 0, &prelude::STRING),
        Member::new("number", 1, &prelude::INTEGER),
        Member::new("nested", 2, &CHOICE),
    ],
);

#[derive(Debug, PartialEq)]
enum Choice {
    Text(String),
    Number(i32),
    Nested(Box<Choice>),
}

impl SerializeStruct for Choice {
    fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
        let m = CHOICE.members;
        match self {
            Choice::Text(v) => v.serialize(s, &m[0]),
            Choice::Number(v) => v.serialize(s, &m[1]),
            Choice::Nested(v) => s.write_struct(&m[2], &**v),
        }
    }
}

impl DeserializeShape for Choice {
    fn deserialize(d: &mut dyn ShapeDeserializer, member: &Member) -> Result<Self, DeError> {
        let mut out = None;
        d.read_struct(member, &mut |m, d| {
            if out.is_none() {
                out = Some(match m.index {
                    0 => Choice::Text(String::deserialize(d, m)?),
                    1 => Choice::Number(i32::deserialize(d, m)?),
                    _ => Choice::Nested(Box::new(Choice::deserialize(d, m)?)),
                });
            }
            Ok(())
        })?;
        out.ok_or_else(|| DeError::new(d.path(), "a union member"))
    }
}

fn root() -> Member {
    Member::root(&ITEM)
}

fn write(item: &Item) -> String {
    to_xml(item, &root())
}

fn read_item(xml: &str) -> Result<Item, DeError> {
    let doc = parse(xml.as_bytes())?;
    Item::deserialize(&mut XmlDeserializer::new(&doc, "Item"), &root())
}

fn assert_equivalent(a: &str, b: &str) {
    if let Err(e) = equivalent(a.as_bytes(), b.as_bytes()) {
        panic!("{e}\n  left: {a}\n right: {b}");
    }
}

fn full_item() -> Item {
    let child = Item {
        id: Some("c1".into()),
        name: Some("child".into()),
        ..Item::default()
    };
    Item {
        id: Some("a\"<&>'\r\n\tz".into()),
        count: Some(-7),
        name: Some("x & y < z > w\r\n\u{85}\u{2028} é😀".into()),
        tags: Some(vec!["t1".into(), String::new(), "t3".into()]),
        flat: Some(vec!["f1".into(), "f2".into()]),
        attrs: Some(BTreeMap::from([
            ("k1".to_owned(), "v1".to_owned()),
            ("k&2".to_owned(), "v<2".to_owned()),
        ])),
        flat_attrs: Some(BTreeMap::from([("fk".to_owned(), "fv".to_owned())])),
        when: Some(DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000)),
        epoch: Some(DateTime::from_secs(1_398_796_238)),
        ratio: Some(-1.5e300),
        small: Some(0.1),
        data: Some(Blob::new(b"value".to_vec())),
        ok: Some(false),
        child: Some(Box::new(child.clone())),
        matrix: Some(vec![vec![1, 2], vec![], vec![3]]),
        big: Some("-123456789012345678901234567890".parse().unwrap()),
        dec: Some("1.5e-300".parse().unwrap()),
        byte: Some(-128),
        items: Some(BTreeMap::from([("only".to_owned(), child)])),
        doc: None,
    }
}

// ---------------------------------------------------------------------------------------
// Parser

#[test]
fn parses_prolog_comments_cdata_and_namespaces() {
    let doc = "\u{feff}<?xml version = \"1.0\" encoding = \"UTF-8\"?>\n<!-- before -->\n\
        <?pi data?>\n<ns:Root xmlns:ns='http://a' a=\"1\" b='two \"q\"'>\n\
        <Child>one<![CDATA[ <two> & ]]>three<!-- c -->four</Child>\
        <Empty/><ns:Other x = 'y' ></ns:Other></ns:Root>\n<!-- after -->\n";
    let root = parse(doc.as_bytes()).unwrap();
    assert_eq!(root.name, "ns:Root");
    assert_eq!(root.local_name(), "Root");
    assert_eq!(root.prefix(), Some("ns"));
    assert_eq!(root.attribute("xmlns:ns"), Some("http://a"));
    assert_eq!(root.attribute("a"), Some("1"));
    assert_eq!(root.attribute("b"), Some("two \"q\""));
    assert_eq!(root.attribute("c"), None);
    let names: Vec<_> = root.child_elements().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Child", "Empty", "ns:Other"]);
    let child = root.first_child("Child").unwrap();
    assert_eq!(child.text(), "one <two> & threefour");
    assert_eq!(child.children.len(), 1, "adjacent text forms one node");
    assert_eq!(root.first_child("Empty").unwrap().text(), "");
    assert_eq!(root.first_child("Empty").unwrap().prefix(), None);
    let other = root.first_child("Other").unwrap();
    assert_eq!(other.attribute("x"), Some("y"));
    assert!(root.first_child("Missing").is_none());
    // The white space between the root's children is kept as text.
    assert!(root.text().chars().all(|c| c == '\n'));
}

#[test]
fn resolves_references_and_normalises_line_ends() {
    let doc = "<a v=\"&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;\t\r\nz&#xA;&#9;\">\
        &lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;|a\r\nb\rc&#xD;&#10;</a>";
    let root = parse(doc.as_bytes()).unwrap();
    assert_eq!(root.attribute("v"), Some("<>&'\"AB😀  z\n\t"));
    assert_eq!(root.text(), "<>&'\"AB😀|a\nb\nc\r\n");
    let cdata = parse(b"<a><![CDATA[&amp;\r\n]]></a>").unwrap();
    assert_eq!(cdata.text(), "&amp;\n");
}

#[test]
fn refuses_invalid_references() {
    for bad in [
        "&foo;",
        "&amp",
        "&",
        "&;",
        "&#;",
        "&#x;",
        "&#xZZ;",
        "&#1F;",
        "&#X41;",
        "&#0;",
        "&#x1;",
        "&#xD800;",
        "&#xFFFE;",
        "&#x110000;",
        "&#99999999999999999999;",
        "&#+65;",
        "&#x+41;",
        "&#-65;",
        "& amp;",
        "&lt ;",
    ] {
        let text = format!("<a>{bad}</a>");
        let err = parse(text.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("reference at byte 3"),
            "{bad}: {err}"
        );
        let attr = format!("<a b='{bad}'/>");
        assert!(parse(attr.as_bytes()).is_err(), "{bad} in an attribute");
    }
    let long = format!("<a>&#x{};</a>", "0".repeat(40));
    assert!(parse(long.as_bytes()).is_err());
    assert_eq!(parse(b"<a>&#x0000041;</a>").unwrap().text(), "A");
}

#[test]
fn refuses_malformed_documents() {
    let cases: &[&[u8]] = &[
        b"",
        b"  \n ",
        b"<?xml version='1.0'?>",
        b"<a>",
        b"<a",
        b"<a b",
        b"<a b=",
        b"<a b='1",
        b"<a></b>",
        b"<a><b></a></b>",
        b"</a>",
        b"<a/></a>",
        b"<a/><b/>",
        b"text<a/>",
        b"<a/>text",
        b"<a/><![CDATA[x]]>",
        b"<a x='1' x='2'/>",
        b"<a x=1/>",
        b"<a x='<'/>",
        b"<a x='1'y='2'/>",
        b"<a x/>",
        b"<1a/>",
        b"< a/>",
        b"<a><!-- unterminated </a>",
        b"<a><![CDATA[x</a>",
        b"<a><?pi </a>",
        b"<a><!--></a>",
        b"<a><?></a>",
        b"<a><!ELEMENT a ANY></a>",
        b"<!ENTITY x 'y'><a/>",
        b"<a>\xff</a>",
        b"\xfe\xff\x00<\x00a\x00/\x00>",
        b"<a></a >x",
    ];
    for case in cases {
        let err = parse(case).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("expected well-formed XML (") && text.contains(" at byte "),
            "{:?}: {text}",
            String::from_utf8_lossy(case)
        );
        assert_eq!(err.path(), "");
    }
    let err = parse(b"<a><b></c></a>").unwrap_err();
    assert_eq!(
        err.expected(),
        "well-formed XML (mismatched end tag </c>, expected </b> at byte 6)"
    );
    let err = parse(b"<a>\xff</a>").unwrap_err();
    assert_eq!(err.expected(), "well-formed XML (invalid UTF-8 at byte 3)");
}

#[test]
fn refuses_doctype_and_never_expands_entities() {
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
        <!ENTITY lol2 \"&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
    let err = parse(laughs.as_bytes()).unwrap_err();
    assert!(err.expected().contains("DOCTYPE"), "{err}");
    let external = "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a>&xxe;</a>";
    assert!(parse(external.as_bytes()).is_err());
    assert!(parse(b"<a><!DOCTYPE a></a>").is_err());
}

#[test]
fn limits_nesting_without_recursion() {
    let nest = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    let ok = parse(nest(100).as_bytes()).unwrap();
    let mut depth = 1;
    let mut at = &ok;
    while let Some(child) = at.first_child("a") {
        depth += 1;
        at = child;
    }
    assert_eq!(depth, 100);
    let err = parse(nest(101).as_bytes()).unwrap_err();
    assert!(
        err.expected().contains("nested more than 100 deep"),
        "{err}"
    );
    assert!(parse("<a>".repeat(1_000_000).as_bytes()).is_err());
    assert!(parse("<a/>".repeat(1_000).as_bytes()).is_err());
}

/// A rich document: every truncation and many corruptions parse or fail, never panic.
#[test]
fn arbitrary_input_never_panics() {
    let doc = "\u{feff}<?xml version='1.0'?><!--c--><p:R xmlns:p=\"u\" a='&amp;&#x1F600;'>\
        <m>é😀&lt;<![CDATA[x]]>&#65;</m><e/>\r\n<f b=\"&#10;\"></f></p:R><!--d-->";
    let bytes = doc.as_bytes();
    assert!(parse(bytes).is_ok());
    for end in 0..=bytes.len() {
        let _ = parse(bytes.get(..end).unwrap());
        let _ = parse(bytes.get(end..).unwrap());
    }
    for i in 0..bytes.len() {
        for b in [
            b'<', b'>', b'&', b';', b'/', b'\'', b'"', b'!', b'?', b'[', b']', 0xff, 0,
        ] {
            let mut v = bytes.to_vec();
            v[i] = b;
            let _ = parse(&v);
        }
    }
    // Pseudo-random soup of XML fragments.
    let parts: [&[u8]; 20] = [
        b"<",
        b">",
        b"/",
        b"a",
        b"b:c",
        b"='",
        b"\"",
        b"&",
        b"#x",
        b";",
        b"<!--",
        b"-->",
        b"<![CDATA[",
        b"]]>",
        b"<?",
        b"?>",
        b" ",
        b"\xc3",
        b"\xa9",
        b"&#",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3000 {
        let mut v = Vec::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            v.extend_from_slice(parts[(seed % 20) as usize]);
        }
        let _ = parse(&v);
        let _ = equivalent(&v, bytes);
    }
}

// ---------------------------------------------------------------------------------------
// Serializer

#[test]
fn writes_attributes_elements_and_root_names() {
    let item = Item {
        id: Some("a1".into()),
        count: Some(3),
        name: Some("n".into()),
        ok: Some(true),
        ..Item::default()
    };
    assert_eq!(
        write(&item),
        "<TheItem xmlns=\"http://item\" id=\"a1\" n=\"3\"><Name>n</Name><ok>true</ok></TheItem>"
    );
    // A member at the top (an `@httpPayload`): its `@xmlName`, else the target's names.
    static PLAIN: Schema = Schema::structure("test#Plain", "Plain", &[]);
    static PAYLOAD: Member = Member::new("payload", 0, &ITEM).xml_name("Hola");
    static NAMELESS: Member = Member::new("payload", 0, &PLAIN);
    assert_eq!(
        to_xml(&Item::default(), &PAYLOAD),
        "<Hola xmlns=\"http://item\"></Hola>"
    );
    assert_eq!(to_xml(&Item::default(), &NAMELESS), "<Plain></Plain>");
}

#[test]
fn root_namespace_rules() {
    static PLAIN: Schema =
        Schema::structure("test#Plain", "Plain", &[Member::new("nested", 0, &ITEM)]);
    let service = Some(XmlNamespace {
        uri: "https://example.com",
        prefix: None,
    });
    let write_with = |ns, member: &Member, value: &dyn SerializeStruct| {
        let mut s = XmlSerializer::new().with_root_namespace(ns);
        s.write_struct(member, value);
        s.finish()
    };
    // The service's namespace when the root has none; the nested structure's own namespace
    // is ignored (AWS protocol test `XmlNamespaces`).
    struct Outer;
    impl SerializeStruct for Outer {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            Item::default().serialize(s, &PLAIN.members[0]);
        }
    }
    assert_eq!(
        write_with(service, &Member::root(&PLAIN), &Outer),
        "<Plain xmlns=\"https://example.com\"><nested></nested></Plain>"
    );
    // The root's own namespace wins over the service's.
    assert_eq!(
        write_with(service, &root(), &Item::default()),
        "<TheItem xmlns=\"http://item\"></TheItem>"
    );
    // A member's namespace, with a prefix.
    let item = Item {
        child: Some(Box::default()),
        ..Item::default()
    };
    assert_eq!(
        write(&item),
        "<TheItem xmlns=\"http://item\"><child xmlns:c=\"http://child\"></child></TheItem>"
    );
}

#[test]
fn writes_wrapped_and_flattened_lists_and_maps() {
    let item = Item {
        tags: Some(vec!["a".into(), "b".into()]),
        flat: Some(vec!["c".into(), "d".into()]),
        attrs: Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
        flat_attrs: Some(BTreeMap::from([
            ("x".to_owned(), "1".to_owned()),
            ("y".to_owned(), "2".to_owned()),
        ])),
        matrix: Some(vec![vec![1, 2], vec![]]),
        ..Item::default()
    };
    let body = write(&item);
    let body = body
        .strip_prefix("<TheItem xmlns=\"http://item\">")
        .and_then(|b| b.strip_suffix("</TheItem>"))
        .unwrap();
    assert_eq!(
        body,
        "<tags><tag>a</tag><tag>b</tag></tags>\
         <Flat>c</Flat><Flat>d</Flat>\
         <attrs><entry><K>k</K><V>v</V></entry></attrs>\
         <flatAttrs><K>x</K><V>1</V></flatAttrs><flatAttrs><K>y</K><V>2</V></flatAttrs>\
         <matrix><member><member>1</member><member>2</member></member><member></member></matrix>"
    );
    let empty = Item {
        tags: Some(vec![]),
        flat: Some(vec![]),
        attrs: Some(BTreeMap::new()),
        flat_attrs: Some(BTreeMap::new()),
        ..Item::default()
    };
    assert_eq!(
        write(&empty),
        "<TheItem xmlns=\"http://item\"><tags></tags><attrs></attrs></TheItem>"
    );
}

#[test]
fn writes_namespaced_lists_and_maps() {
    // AWS protocol tests `XmlNamespaces`, `RestXmlXmlMapWithXmlNamespace`,
    // `RestXmlFlattenedXmlMapWithXmlNamespace`.
    static VALUES: Schema = Schema::list(
        "test#Values",
        "Values",
        &[Member::new("member", 0, &prelude::STRING).xml_namespace("http://bux.com", None)],
    );
    static KV: Schema = Schema::map(
        "test#KV",
        "KV",
        &[
            Member::new("key", 0, &prelude::STRING)
                .xml_name("K")
                .xml_namespace("https://the-key.example.com", None),
            Member::new("value", 1, &prelude::STRING)
                .xml_name("V")
                .xml_namespace("https://the-value.example.com", None),
        ],
    );
    static NS: Schema = Schema::structure(
        "test#Ns",
        "Ns",
        &[
            Member::new("foo", 0, &prelude::STRING).xml_namespace("http://baz.com", Some("baz")),
            Member::new("values", 1, &VALUES).xml_namespace("http://qux.com", None),
            Member::new("map", 2, &KV)
                .xml_name("KVP")
                .xml_namespace("https://the-member.example.com", None),
            Member::new("flat", 3, &KV)
                .xml_name("FKVP")
                .xml_flattened()
                .xml_namespace("https://the-member.example.com", None),
        ],
    );
    struct Ns;
    impl SerializeStruct for Ns {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            let m = NS.members;
            "Foo".to_owned().serialize(s, &m[0]);
            vec!["Bar".to_owned()].serialize(s, &m[1]);
            let map = BTreeMap::from([("a".to_owned(), "A".to_owned())]);
            map.serialize(s, &m[2]);
            map.serialize(s, &m[3]);
        }
    }
    let got = to_xml(&Ns, &Member::root(&NS));
    let want = r#"<Ns>
        <baz:foo xmlns:baz="http://baz.com">Foo</baz:foo>
        <values xmlns="http://qux.com"><member xmlns="http://bux.com">Bar</member></values>
        <KVP xmlns="https://the-member.example.com"><entry>
            <K xmlns="https://the-key.example.com">a</K>
            <V xmlns="https://the-value.example.com">A</V>
        </entry></KVP>
        <FKVP xmlns="https://the-member.example.com">
            <K xmlns="https://the-key.example.com">a</K>
            <V xmlns="https://the-value.example.com">A</V>
        </FKVP>
    </Ns>"#;
    // `foo` has no `@xmlName`: its element is `foo`, declaring (not using) the prefix.
    let want = want.replace("baz:foo", "foo");
    assert_equivalent(&got, &want);
}

#[test]
fn escapes_text_and_attributes() {
    let item = Item {
        id: Some("<test&mock>".into()),
        name: Some("<string>".into()),
        ..Item::default()
    };
    // AWS protocol tests `XmlAttributesWithEscaping`, `SimpleScalarPropertiesWithEscapedCharacter`.
    assert_eq!(
        write(&item),
        "<TheItem xmlns=\"http://item\" id=\"&lt;test&amp;mock&gt;\"><Name>&lt;string&gt;</Name></TheItem>"
    );
    let item = Item {
        id: Some("\"q\"\r\n\t'".into()),
        name: Some("a\"'\r\n\t\u{85}\u{2028}\u{2029}é".into()),
        ..Item::default()
    };
    assert_eq!(
        write(&item),
        "<TheItem xmlns=\"http://item\" id=\"&quot;q&quot;&#xD;&#xA;&#x9;'\">\
         <Name>a\"'&#xD;\n\t&#x85;&#x2028;\u{2029}é</Name></TheItem>"
    );
    // And both read back exactly.
    assert_eq!(read_item(&write(&item)).unwrap(), item);
}

#[test]
fn writes_numbers_blobs_and_timestamps() {
    let item = Item {
        when: Some(DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000)),
        epoch: Some(DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000)),
        ratio: Some(1e300),
        small: Some(0.1),
        data: Some(Blob::new(b"value".to_vec())),
        big: Some("123456789012345678901234567890".parse().unwrap()),
        dec: Some("-1.5e-3".parse().unwrap()),
        byte: Some(-1),
        ..Item::default()
    };
    let body = write(&item);
    for part in [
        "<when>2019-12-16T23:48:18.52Z</when>",
        "<epoch>1576540098.52</epoch>",
        "<ratio>1e+300</ratio>",
        "<small>0.1</small>",
        "<data>dmFsdWU=</data>",
        "<big>123456789012345678901234567890</big>",
        "<dec>-1.5e-3</dec>",
        "<byte>-1</byte>",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    let whole = Item {
        when: Some(DateTime::from_secs(1_398_796_238)),
        ratio: Some(6.5),
        small: Some(5.5),
        ..Item::default()
    };
    let body = write(&whole);
    assert!(body.contains("<when>2014-04-29T18:30:38Z</when>"), "{body}");
    assert!(
        body.contains("<ratio>6.5</ratio><small>5.5</small>"),
        "{body}"
    );
    for (v, text) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ] {
        #[allow(clippy::cast_possible_truncation)]
        let item = Item {
            ratio: Some(v),
            small: Some(v as f32),
            ..Item::default()
        };
        let body = write(&item);
        let want = format!("<ratio>{text}</ratio><small>{text}</small>");
        assert!(body.contains(&want), "{body}");
    }
    static STAMPS: Schema = Schema::structure(
        "test#Stamps",
        "Stamps",
        &[
            Member::new("http", 0, &prelude::TIMESTAMP)
                .timestamp_format(TimestampFormat::HttpDate)
                .xml_attribute(),
            Member::new("epoch", 1, &prelude::TIMESTAMP)
                .timestamp_format(TimestampFormat::EpochSeconds)
                .xml_attribute(),
            Member::new("f", 2, &prelude::DOUBLE).xml_attribute(),
            Member::new("b", 3, &prelude::BOOLEAN).xml_attribute(),
        ],
    );
    struct Stamps;
    impl SerializeStruct for Stamps {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            let t = DateTime::from_secs(1_398_796_238);
            t.serialize(s, &STAMPS.members[0]);
            t.serialize(s, &STAMPS.members[1]);
            f64::NEG_INFINITY.serialize(s, &STAMPS.members[2]);
            true.serialize(s, &STAMPS.members[3]);
        }
    }
    assert_eq!(
        to_xml(&Stamps, &Member::root(&STAMPS)),
        "<Stamps http=\"Tue, 29 Apr 2014 18:30:38 GMT\" epoch=\"1398796238\" f=\"-Infinity\" b=\"true\"></Stamps>"
    );
}

#[test]
fn documents_and_nulls_write_nothing() {
    static SPARSE: Schema = Schema::map(
        "test#Sparse",
        "Sparse",
        &[
            Member::new("key", 0, &prelude::STRING),
            Member::new("value", 1, &prelude::STRING),
        ],
    )
    .sparse();
    static HOLDER: Schema = Schema::structure(
        "test#Holder",
        "Holder",
        &[
            Member::new("map", 0, &SPARSE),
            Member::new("doc", 1, &prelude::DOCUMENT),
        ],
    );
    struct Holder;
    impl SerializeStruct for Holder {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            let map = BTreeMap::from([
                ("a".to_owned(), None),
                ("b".to_owned(), Some("B".to_owned())),
            ]);
            map.serialize(s, &HOLDER.members[0]);
            Document::Null.serialize(s, &HOLDER.members[1]);
        }
    }
    assert_eq!(
        to_xml(&Holder, &Member::root(&HOLDER)),
        "<Holder><map><entry><key>b</key><value>B</value></entry></map></Holder>"
    );
}

#[test]
fn writes_unions() {
    let choice = Choice::Nested(Box::new(Choice::Text("hi".into())));
    let got = to_xml(&choice, &Member::root(&CHOICE));
    assert_eq!(got, "<Choice><nested><text>hi</text></nested></Choice>");
}

// ---------------------------------------------------------------------------------------
// Deserializer

#[test]
fn round_trips_every_kind_of_member() {
    let item = full_item();
    let text = write(&item);
    assert_eq!(read_item(&text).unwrap(), item);
    // And the output is well formed for the parser and equivalent to itself re-written.
    let again = write(&read_item(&text).unwrap());
    assert_equivalent(&text, &again);
}

#[test]
fn reads_what_services_send() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
        <p:TheItem xmlns:p="http://item" id='i' p:n=" 42 " unknown="x">
            <!-- a comment -->
            <Unknown><Name>not this one</Name></Unknown>
            <p:Name><![CDATA[<raw>]]> &amp; text</p:Name>
            <Flat>a</Flat>
            <tags>
                <tag>t1</tag>
                <member>t2</member>
                <tag/>
            </tags>
            <ok>
                true
            </ok>
            <Flat>b</Flat>
            <flatAttrs><V>1</V><K>x</K></flatAttrs>
            <attrs><entry><K>k</K><V>v</V></entry><entry><K>nov</K></entry></attrs>
            <flatAttrs><K>y</K><V></V></flatAttrs>
            <data>
                dmFs
                dWU=
            </data>
            <ratio>-Infinity</ratio>
            <small>NaN</small>
            <when>2019-12-16T23:48:18.520+00:00</when>
            <epoch>Tue, 29 Apr 2014 18:30:38 GMT</epoch>
            <items><entry><key>k</key><value id="c"><Name>kid</Name></value></entry></items>
        </p:TheItem>"#;
    let item = read_item(xml).unwrap();
    assert_eq!(item.id.as_deref(), Some("i"));
    assert_eq!(item.count, Some(42));
    assert_eq!(item.name.as_deref(), Some("<raw> & text"));
    assert_eq!(item.flat, Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(
        item.tags,
        Some(vec!["t1".to_owned(), "t2".to_owned(), String::new()])
    );
    assert_eq!(item.ok, Some(true));
    assert_eq!(
        item.flat_attrs,
        Some(BTreeMap::from([
            ("x".to_owned(), "1".to_owned()),
            ("y".to_owned(), String::new()),
        ]))
    );
    assert_eq!(
        item.attrs,
        Some(BTreeMap::from([("k".to_owned(), "v".to_owned())]))
    );
    assert_eq!(item.data, Some(Blob::new(b"value".to_vec())));
    assert_eq!(item.ratio, Some(f64::NEG_INFINITY));
    assert!(item.small.unwrap().is_nan());
    assert_eq!(
        item.when,
        Some(DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000))
    );
    assert_eq!(item.epoch, Some(DateTime::from_secs(1_398_796_238)));
    let kid = item.items.as_ref().and_then(|m| m.get("k")).unwrap();
    assert_eq!(
        (kid.id.as_deref(), kid.name.as_deref()),
        (Some("c"), Some("kid"))
    );
    // Documents have no XML form.
    let err = read_item("<a><doc>x</doc></a>").unwrap_err();
    assert_eq!(err.path(), "Item.doc");
}

#[test]
fn strings_keep_their_white_space() {
    // AWS protocol tests `SimpleScalarPropertiesWithWhiteSpace`, `...PureWhiteSpace`,
    // `...ComplexEscapes`.
    for (xml, want) in [
        (
            "<a><Name> string with white    space </Name></a>",
            " string with white    space ",
        ),
        ("<a><Name>  </Name></a>", "  "),
        (
            "<a><Name>escaped data: &amp;lt;&#xD;&#10;</Name></a>",
            "escaped data: &lt;\r\n",
        ),
        ("<a><Name/></a>", ""),
    ] {
        assert_eq!(read_item(xml).unwrap().name.as_deref(), Some(want), "{xml}");
    }
}

#[test]
fn errors_name_the_path() {
    let cases = [
        ("<a n='x'/>", "Item.count", "a 32-bit integer"),
        ("<a n='3000000000'/>", "Item.count", "a 32-bit integer"),
        (
            "<a><byte>128</byte></a>",
            "Item.byte",
            "an integer in -128..=127 (byte)",
        ),
        (
            "<a><matrix><member><member>1</member><member>x</member></member></matrix></a>",
            "Item.matrix[0][1]",
            "a 32-bit integer",
        ),
        (
            "<a><items><entry><key>k&amp;</key><value><ok>yes</ok></value></entry></items></a>",
            "Item.items[\"k&\"].ok",
            "a boolean",
        ),
        (
            "<a><child><child><small>1e300</small></child></child></a>",
            "Item.child.child.small",
            "a number in the range of a float",
        ),
        ("<a><ratio>1.5.5</ratio></a>", "Item.ratio", "a number"),
        ("<a><ratio>inf</ratio></a>", "Item.ratio", "a number"),
        ("<a><small>infinity</small></a>", "Item.small", "a number"),
        (
            "<a><data>dmFsdWU=!</data></a>",
            "Item.data",
            "a base64 string",
        ),
        (
            "<a><when>yesterday</when></a>",
            "Item.when",
            "a date-time timestamp",
        ),
        (
            "<a><epoch>soon</epoch></a>",
            "Item.epoch",
            "an epoch-seconds timestamp",
        ),
        ("<a><big>1.5</big></a>", "Item.big", "an integer"),
        ("<a><dec>1..5</dec></a>", "Item.dec", "a decimal number"),
        (
            "<a><attrs><entry><V>v</V></entry></attrs></a>",
            "Item.attrs[0]",
            "a map entry with a <K>",
        ),
        ("<a><Flat>x</Flat><Flat><member/></Flat></a>", "", ""),
    ];
    for (xml, path, expected) in cases {
        match read_item(xml) {
            Err(e) => assert_eq!((e.path(), e.expected()), (path, expected), "{xml}"),
            Ok(_) => assert!(path.is_empty(), "{xml} should fail"),
        }
    }
    // A sensitive map key never appears in a path.
    static SECRET: Schema = Schema::map(
        "test#Secret",
        "Secret",
        &[
            Member::new("key", 0, &prelude::STRING).sensitive(),
            Member::new("value", 1, &prelude::INTEGER),
        ],
    );
    let doc = parse(b"<m><entry><key>hunter2</key><value>x</value></entry></m>").unwrap();
    let member = Member::new("m", 0, &SECRET);
    let err = BTreeMap::<String, i32>::deserialize(&mut XmlDeserializer::new(&doc, "M"), &member)
        .unwrap_err();
    assert_eq!(err.path(), "M[*]");
}

/// Reads a `T` as `member` from the root element of `xml`.
fn scalar<T: DeserializeShape>(xml: &str, member: &Member) -> Result<T, DeError> {
    let doc = parse(xml.as_bytes()).unwrap();
    T::deserialize(&mut XmlDeserializer::new(&doc, "V"), member)
}

#[test]
fn scalars_read_from_element_text() {
    let m = Member::new("v", 0, &prelude::STRING);
    assert_eq!(
        scalar::<i64>("<v> -9223372036854775808 </v>", &m),
        Ok(i64::MIN)
    );
    assert_eq!(scalar::<i16>("<v>+12</v>", &m), Ok(12));
    assert!(scalar::<i16>("<v>40000</v>", &m).is_err());
    assert!(scalar::<i32>("<v>1.0</v>", &m).is_err());
    assert_eq!(scalar::<f64>("<v>1e-3</v>", &m), Ok(0.001));
    assert_eq!(scalar::<f32>("<v>Infinity</v>", &m), Ok(f32::INFINITY));
    assert_eq!(scalar::<f32>("<v>-Infinity</v>", &m), Ok(f32::NEG_INFINITY));
    assert_eq!(scalar::<f32>("<v> 5.5 </v>", &m), Ok(5.5));
    assert!(scalar::<f64>("<v>NaN</v>", &m).unwrap().is_nan());
    assert!(scalar::<bool>("<v>True</v>", &m).is_err());
    assert_eq!(scalar::<bool>("<v>false</v>", &m), Ok(false));
    assert_eq!(scalar::<Blob>("<v/>", &m), Ok(Blob::default()));
    assert_eq!(
        scalar::<String>("<v><![CDATA[ a ]]></v>", &m),
        Ok(" a ".to_owned())
    );
    assert_eq!(
        scalar::<BigDecimal>("<v>-1.5E+10</v>", &m).map(|d| d.as_str().to_owned()),
        Ok("-1.5E+10".to_owned())
    );
    assert_eq!(
        scalar::<BigInteger>("<v> 12345678901234567890123 </v>", &m).map(|d| d.as_str().to_owned()),
        Ok("12345678901234567890123".to_owned())
    );
    let epoch =
        Member::new("v", 0, &prelude::TIMESTAMP).timestamp_format(TimestampFormat::EpochSeconds);
    assert_eq!(
        scalar::<DateTime>("<v>1398796238.5</v>", &epoch),
        Ok(DateTime::from_secs_and_nanos(1_398_796_238, 500_000_000))
    );
    assert_eq!(
        scalar::<DateTime>("<v>2014-04-29T18:30:38Z</v>", &epoch),
        Ok(DateTime::from_secs(1_398_796_238))
    );
    let doc = parse(b"<v>x</v>").unwrap();
    let mut d = XmlDeserializer::new(&doc, "V");
    assert!(!d.is_null());
    assert_eq!(d.path(), "V");
    assert_eq!(
        d.read_document(&m).unwrap_err().expected(),
        "a value of a type supported here"
    );
    // A scalar's element read as a structure has no members, and no error.
    let mut found = 0;
    d.read_struct(&root(), &mut |_, _| {
        found += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(found, 0);
}

#[test]
fn reads_unions() {
    let doc =
        parse(b"<Choice><nested><number> 7 </number><text>x</text></nested></Choice>").unwrap();
    let got = Choice::deserialize(
        &mut XmlDeserializer::new(&doc, "Choice"),
        &Member::root(&CHOICE),
    );
    assert_eq!(got, Ok(Choice::Nested(Box::new(Choice::Number(7)))));
    let round = Choice::Text("a&b".into());
    let text = to_xml(&round, &Member::root(&CHOICE));
    let doc = parse(text.as_bytes()).unwrap();
    let back = Choice::deserialize(
        &mut XmlDeserializer::new(&doc, "Choice"),
        &Member::root(&CHOICE),
    );
    assert_eq!(back, Ok(round));
}

#[test]
fn flattened_lists_of_structures_and_maps_of_lists() {
    static BOX: Schema = Schema::structure(
        "test#Box",
        "Box",
        &[
            Member::new("items", 0, &ITEM_LIST)
                .xml_flattened()
                .xml_name("Item"),
            Member::new("lists", 1, &LIST_MAP).xml_flattened(),
        ],
    );
    static ITEM_LIST: Schema = Schema::list(
        "test#ItemList",
        "ItemList",
        &[Member::new("member", 0, &ITEM)],
    );
    static LIST_MAP: Schema = Schema::map(
        "test#ListMap",
        "ListMap",
        &[
            Member::new("key", 0, &prelude::STRING),
            Member::new("value", 1, &TAGS),
        ],
    );
    #[derive(Debug, Default, PartialEq)]
    struct Holder {
        items: Option<Vec<Item>>,
        lists: Option<BTreeMap<String, Vec<String>>>,
    }
    shape_impls!(Holder, BOX, 0 => items, 1 => lists);
    let value = Holder {
        items: Some(vec![
            Item {
                id: Some("1".into()),
                flat: Some(vec!["a".into()]),
                ..Item::default()
            },
            Item::default(),
        ]),
        lists: Some(BTreeMap::from([
            ("k".to_owned(), vec!["x".to_owned(), "y".to_owned()]),
            ("l".to_owned(), vec![]),
        ])),
    };
    let member = Member::root(&BOX);
    let text = to_xml(&value, &member);
    assert_eq!(
        text,
        "<Box><Item id=\"1\"><Flat>a</Flat></Item><Item></Item>\
         <lists><key>k</key><value><tag>x</tag><tag>y</tag></value></lists>\
         <lists><key>l</key><value></value></lists></Box>"
    );
    let doc = parse(text.as_bytes()).unwrap();
    let back = Holder::deserialize(&mut XmlDeserializer::new(&doc, "Box"), &member);
    assert_eq!(back, Ok(value));
}

// ---------------------------------------------------------------------------------------
// equivalent

#[test]
fn equivalence_ignores_formatting_only() {
    assert_equivalent(
        "<?xml version='1.0'?><a x='1' xmlns='u' y=\"2\"><b>t</b><c/></a>",
        "<a y='2' xmlns=\"u\" x='1'>\n  <!-- c -->\n  <b>t</b>\n  <c></c>\n</a>\n",
    );
    assert_equivalent("<a>x<![CDATA[y]]></a>", "<a>xy</a>");
    let differ = [
        ("<a/>", "<b/>", "at /: element <a> != <b>"),
        ("<a x='1'/>", "<a x='2'/>", "at /a: attributes"),
        ("<a xmlns='u'/>", "<a/>", "at /a: attributes"),
        (
            "<a><b/></a>",
            "<a><b/><c/></a>",
            "at /a: 1 children != 2 children",
        ),
        (
            "<a><b>t</b></a>",
            "<a><b> t</b></a>",
            "at /a[0]/b, child 0: text \"t\" != text \" t\"",
        ),
        (
            "<a><b><c/></b></a>",
            "<a><b><d/></b></a>",
            "at /a[0]/b[0]/: element <c> != <d>",
        ),
        (
            "<a>t</a>",
            "<a><t/></a>",
            "at /a, child 0: text \"t\" != element <t>",
        ),
        ("<a/>", "<a", "second document: expected well-formed XML"),
        ("", "<a/>", "first document:"),
    ];
    for (a, b, msg) in differ {
        let err = equivalent(a.as_bytes(), b.as_bytes()).unwrap_err();
        assert!(err.starts_with(msg), "{a} vs {b}: {err}");
    }
}
