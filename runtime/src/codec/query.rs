//! The query (form) codec of the awsQuery and ec2Query protocols: a [`ShapeSerializer`] that
//! flattens a structure into `application/x-www-form-urlencoded` pairs with dotted names.
//!
//! Names follow the protocols' rules, chosen by [`QueryStyle`]:
//! - **awsQuery**: a member's `@xmlName`, else its name. Lists are `Name.member.N` (the
//!   element's `@xmlName` replaces `member`), or `Name.N` when `@xmlFlattened`; an empty list
//!   is `Name=`. Maps are `Name.entry.N.key` / `.value` (the key's and value's `@xmlName`
//!   replace `key` and `value`), or `Name.N.key` when flattened; an empty map is omitted.
//! - **ec2Query**: a member's `@ec2QueryName`, else its `@xmlName` or name with the first
//!   letter capitalized. Every list is flattened (`Name.N`); empty lists are omitted.
//!
//! `N` counts from 1. Timestamps default to date-time, blobs are base64, non-finite floats
//! are `NaN`, `Infinity` and `-Infinity`. Names and values are percent-encoded (everything
//! but the unreserved characters).

use std::fmt::Write as _;

use super::{SerializeStruct, ShapeSerializer};
use crate::blob::Blob;
use crate::datetime::{DateTime, TimestampFormat};
use crate::document::Document;
use crate::numbers::{BigDecimal, BigInteger};
use crate::schema::Member;

/// Which protocol's naming rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStyle {
    /// `aws.protocols#awsQuery`
    AwsQuery,
    /// `aws.protocols#ec2Query`
    Ec2Query,
}

/// Where the next value goes.
enum Scope {
    /// Inside a structure whose members are named under this prefix.
    Struct(String),
    /// Inside a list: the next item is number `n + 1` under `base`.
    List {
        base: String,
        n: usize,
        flattened: bool,
        item: &'static str,
    },
    /// Inside a map: entry `n` under `base`, whose value goes to `value_key`.
    Map {
        base: String,
        n: usize,
        flattened: bool,
        key: &'static str,
        value: &'static str,
        value_key: Option<String>,
    },
}

/// Writes shapes as form pairs; [`QuerySerializer::finish`] gives the encoded body.
pub struct QuerySerializer {
    out: String,
    style: QueryStyle,
    scopes: Vec<Scope>,
}

impl QuerySerializer {
    /// A body starting with `Action=<action>&Version=<version>`.
    pub fn new(style: QueryStyle, action: &str, version: &str) -> Self {
        let mut s = QuerySerializer {
            out: String::with_capacity(128),
            style,
            scopes: vec![Scope::Struct(String::new())],
        };
        s.pair("Action", action);
        s.pair("Version", version);
        s
    }

    /// Writes the members of the top-level input.
    pub fn write_members(&mut self, input: &dyn SerializeStruct) {
        input.serialize_members(self);
    }

    /// The encoded body.
    pub fn finish(self) -> String {
        self.out
    }

    fn pair(&mut self, key: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        encode_into(&mut self.out, key);
        self.out.push('=');
        encode_into(&mut self.out, value);
    }

    /// The name of `member` inside a structure.
    fn member_name(&self, member: &Member) -> String {
        let name = member.xml_name.unwrap_or(member.name);
        match self.style {
            QueryStyle::AwsQuery => name.to_owned(),
            QueryStyle::Ec2Query => match member.ec2_query_name {
                Some(n) => n.to_owned(),
                None => capitalize(name),
            },
        }
    }

    /// The full name the next value written as `member` takes.
    fn key_for(&mut self, member: &Member) -> String {
        let name = self.member_name(member);
        match self.scopes.last_mut() {
            Some(Scope::Struct(prefix)) => join(prefix, &name),
            Some(Scope::List {
                base,
                n,
                flattened,
                item,
            }) => {
                *n += 1;
                if *flattened {
                    format!("{base}.{n}")
                } else {
                    format!("{base}.{item}.{n}")
                }
            }
            Some(Scope::Map { value_key, .. }) => value_key.take().unwrap_or_default(),
            None => name,
        }
    }

    fn scalar(&mut self, member: &Member, value: &str) {
        let key = self.key_for(member);
        self.pair(&key, value);
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Percent-encodes `text` onto `out`: everything but `A-Z a-z 0-9 - _ . ~`.
pub fn encode_into(out: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn float_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        format!("{v}")
    }
}

impl ShapeSerializer for QuerySerializer {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        let key = self.key_for(member);
        self.scopes.push(Scope::Struct(key));
        value.serialize_members(self);
        self.scopes.pop();
    }

    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        let base = self.key_for(member);
        let ec2 = self.style == QueryStyle::Ec2Query;
        if len == 0 {
            if !ec2 {
                self.pair(&base, "");
            }
            return;
        }
        let item = member
            .target
            .list_member()
            .and_then(|m| m.xml_name)
            .unwrap_or("member");
        self.scopes.push(Scope::List {
            base,
            n: 0,
            flattened: ec2 || member.xml_flattened,
            item,
        });
        items(self);
        self.scopes.pop();
    }

    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        let base = self.key_for(member);
        if len == 0 {
            return;
        }
        let (key, value) = match member.target.map_members() {
            Some((k, v)) => (k.xml_name.unwrap_or("key"), v.xml_name.unwrap_or("value")),
            None => ("key", "value"),
        };
        self.scopes.push(Scope::Map {
            base,
            n: 0,
            flattened: member.xml_flattened,
            key,
            value,
            value_key: None,
        });
        entries(self);
        self.scopes.pop();
    }

    fn write_key(&mut self, key: &str) {
        let Some(Scope::Map {
            base,
            n,
            flattened,
            key: key_name,
            value,
            value_key,
        }) = self.scopes.last_mut()
        else {
            return;
        };
        *n += 1;
        let entry = if *flattened {
            format!("{base}.{n}")
        } else {
            format!("{base}.entry.{n}")
        };
        let k = format!("{entry}.{key_name}");
        *value_key = Some(format!("{entry}.{value}"));
        self.pair(&k, key);
    }

    fn write_bool(&mut self, member: &Member, value: bool) {
        self.scalar(member, if value { "true" } else { "false" });
    }

    fn write_integer(&mut self, member: &Member, value: i64) {
        self.scalar(member, &value.to_string());
    }

    fn write_float(&mut self, member: &Member, value: f32) {
        let text = if value.is_finite() {
            format!("{value}")
        } else {
            float_text(f64::from(value))
        };
        self.scalar(member, &text);
    }

    fn write_double(&mut self, member: &Member, value: f64) {
        self.scalar(member, &float_text(value));
    }

    fn write_big_integer(&mut self, member: &Member, value: &BigInteger) {
        self.scalar(member, value.as_str());
    }

    fn write_big_decimal(&mut self, member: &Member, value: &BigDecimal) {
        self.scalar(member, value.as_str());
    }

    fn write_string(&mut self, member: &Member, value: &str) {
        self.scalar(member, value);
    }

    fn write_blob(&mut self, member: &Member, value: &Blob) {
        self.scalar(member, &value.to_base64());
    }

    fn write_timestamp(&mut self, member: &Member, value: &DateTime) {
        let format = member.timestamp_format_or(TimestampFormat::DateTime);
        self.scalar(member, &value.format(format));
    }

    /// Documents have no query form: nothing is written.
    fn write_document(&mut self, _: &Member, _: &Document) {}

    /// Nulls have no query form: nothing is written.
    fn write_null(&mut self, _: &Member) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Schema, prelude};

    static ITEMS: Schema = Schema::list(
        "t#Items",
        "Items",
        &[Member::new("member", 0, &prelude::STRING)],
    );
    static NAMED_ITEMS: Schema = Schema::list(
        "t#Named",
        "Named",
        &[Member::new("member", 0, &prelude::STRING).xml_name("item")],
    );
    static MAP: Schema = Schema::map(
        "t#Map",
        "Map",
        &[
            Member::new("key", 0, &prelude::STRING).xml_name("K"),
            Member::new("value", 1, &prelude::STRING),
        ],
    );
    static INPUT: Schema = Schema::structure(
        "t#Input",
        "Input",
        &[
            Member::new("name", 0, &prelude::STRING),
            Member::new("items", 1, &ITEMS),
            Member::new("named", 2, &NAMED_ITEMS),
            Member::new("flat", 3, &ITEMS)
                .xml_flattened()
                .xml_name("Hi"),
            Member::new("map", 4, &MAP),
            Member::new("when", 5, &prelude::TIMESTAMP),
            Member::new("ec2", 6, &prelude::STRING).ec2_query_name("Custom"),
            Member::new("empty", 7, &ITEMS),
        ],
    );

    struct Input;

    impl SerializeStruct for Input {
        fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
            let m = INPUT.members;
            let items = |s: &mut dyn ShapeSerializer, member: &Member| {
                s.write_list(member, 2, &mut |s| {
                    let item = member.target.members.first().unwrap_or(member);
                    s.write_string(item, "a b");
                    s.write_string(item, "c&d");
                });
            };
            s.write_string(&m[0], "x=y");
            items(s, &m[1]);
            items(s, &m[2]);
            items(s, &m[3]);
            s.write_map(&m[4], 1, &mut |s| {
                s.write_key("k1");
                s.write_string(&MAP.members[1], "v1");
            });
            s.write_timestamp(&m[5], &DateTime::from_secs(1_422_172_800));
            s.write_string(&m[6], "e");
            s.write_list(&m[7], 0, &mut |_| {});
        }
    }

    fn body(style: QueryStyle) -> String {
        let mut q = QuerySerializer::new(style, "Op", "2020-01-08");
        q.write_members(&Input);
        q.finish()
    }

    #[test]
    fn aws_query_names() {
        assert_eq!(
            body(QueryStyle::AwsQuery),
            "Action=Op&Version=2020-01-08&name=x%3Dy\
             &items.member.1=a%20b&items.member.2=c%26d\
             &named.item.1=a%20b&named.item.2=c%26d\
             &Hi.1=a%20b&Hi.2=c%26d\
             &map.entry.1.K=k1&map.entry.1.value=v1\
             &when=2015-01-25T08%3A00%3A00Z&ec2=e&empty="
        );
    }

    #[test]
    fn ec2_query_names() {
        assert_eq!(
            body(QueryStyle::Ec2Query),
            "Action=Op&Version=2020-01-08&Name=x%3Dy\
             &Items.1=a%20b&Items.2=c%26d\
             &Named.1=a%20b&Named.2=c%26d\
             &Hi.1=a%20b&Hi.2=c%26d\
             &Map.entry.1.K=k1&Map.entry.1.value=v1\
             &When=2015-01-25T08%3A00%3A00Z&Custom=e"
        );
    }

    #[test]
    fn floats() {
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(float_text(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(float_text(1.5), "1.5");
    }
}
