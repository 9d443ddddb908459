//! `mod schema`: a `static` [`Schema`](anvil_runtime::schema::Schema) for every structure,
//! union, list and map of the service, built by `const` constructors, and (from
//! [`super::serde`]) the protocol-agnostic (de)serialization of every generated type over them.
//!
//! Structures and unions are named as their Rust types; lists and maps by their shape name
//! (suffixed `_N` when that is taken). Simple shapes use the runtime's prelude schemas, with
//! what the member knows (timestamp format, `@sensitive`, `jsonName`) on the member.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Ctx, ident};
use crate::ir::{
    Binding, EventBindingIr, Kind, MemberIr, TimestampFormat, TypeDef, TypeRef, WireNames,
};
use crate::model::ShapeId;

/// The names of every schema static: structures and unions by Rust name, lists and maps by
/// shape id.
pub(crate) struct SchemaNames {
    collections: BTreeMap<ShapeId, String>,
}

impl SchemaNames {
    /// Names every list and map reached from the service's types.
    pub(crate) fn compute(ctx: &Ctx<'_>) -> SchemaNames {
        let mut taken: BTreeSet<String> = ctx.svc.types.keys().cloned().collect();
        let mut collections = BTreeMap::new();
        for ty in collection_types(ctx).values() {
            let base = ty.target.name().to_string();
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            collections.insert(ty.target.clone(), name);
        }
        SchemaNames { collections }
    }

    /// The path of the schema of `ty`'s target, from inside the `schema` module.
    pub(crate) fn target(&self, ctx: &Ctx<'_>, ty: &TypeRef) -> TokenStream {
        let rt = &ctx.rt;
        let prelude = |name: &str| {
            let n = format_ident!("{}", name);
            quote!(#rt::schema::prelude::#n)
        };
        match &ty.kind {
            Kind::String | Kind::Enum(_) => prelude("STRING"),
            Kind::Bool => prelude("BOOLEAN"),
            Kind::Byte => prelude("BYTE"),
            Kind::Short => prelude("SHORT"),
            Kind::Integer | Kind::IntEnum(_) => prelude("INTEGER"),
            Kind::Long => prelude("LONG"),
            Kind::Float => prelude("FLOAT"),
            Kind::Double => prelude("DOUBLE"),
            Kind::Blob => prelude("BLOB"),
            Kind::Timestamp => prelude("TIMESTAMP"),
            Kind::Document => prelude("DOCUMENT"),
            Kind::BigInteger => prelude("BIG_INTEGER"),
            Kind::BigDecimal => prelude("BIG_DECIMAL"),
            Kind::Struct(n) | Kind::Union(n) => {
                let n = ident(n);
                quote!(#n)
            }
            Kind::List { .. } | Kind::Map { .. } => {
                let name = self
                    .collections
                    .get(&ty.target)
                    .map(String::as_str)
                    .unwrap_or("__unnamed");
                let n = ident(name);
                quote!(#n)
            }
        }
    }
}

/// Every list and map type reached from the service's structures and unions, by shape id.
fn collection_types(ctx: &Ctx<'_>) -> BTreeMap<ShapeId, TypeRef> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<&TypeRef> = Vec::new();
    for def in ctx.svc.types.values() {
        match def {
            TypeDef::Struct(s) => stack.extend(s.members.iter().map(|m| &m.ty)),
            TypeDef::Union(u) => stack.extend(u.variants.iter().filter_map(|v| v.ty.as_ref())),
            TypeDef::Enum(_) | TypeDef::IntEnum(_) => {}
        }
    }
    while let Some(ty) = stack.pop() {
        if !matches!(ty.kind, Kind::List { .. } | Kind::Map { .. })
            || out.insert(ty.target.clone(), ty.clone()).is_some()
        {
            continue;
        }
        match &ty.kind {
            Kind::List { member, .. } => stack.push(member),
            Kind::Map { key, value, .. } => {
                stack.push(key);
                stack.push(value);
            }
            _ => {}
        }
    }
    out
}

/// `pub mod schema { ... }`: the schema statics and the (de)serialization impls.
pub(super) fn schema_module(ctx: &Ctx<'_>) -> TokenStream {
    if !ctx.svc.protocol.in_runtime() {
        return TokenStream::new();
    }
    let names = SchemaNames::compute(ctx);
    let types = ctx
        .svc
        .types
        .values()
        .filter_map(|def| type_schema(ctx, &names, def));
    let collections = collection_types(ctx)
        .into_values()
        .map(|ty| collection_schema(ctx, &names, &ty));
    let impls = super::serde::impls(ctx);
    quote! {
        /// The shapes' schemas and their protocol-agnostic (de)serialization. Public only so
        /// that conformance tests can drive them; not a stable API.
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        pub mod schema {
            #(#types)*
            #(#collections)*
            #impls
        }
    }
}

fn type_schema(ctx: &Ctx<'_>, names: &SchemaNames, def: &TypeDef) -> Option<TokenStream> {
    let rt = &ctx.rt;
    let (id, shape) = (def.id().to_string(), def.id().name().to_string());
    let n = ident(def.name());
    let tokens = match def {
        TypeDef::Struct(s) => {
            let members = s
                .members
                .iter()
                .enumerate()
                .map(|(i, m)| member(ctx, names, m, i));
            let mut schema = quote!(#rt::schema::Schema::structure(#id, #shape, &[#(#members),*]));
            if let Some(n) = &s.xml.xml_name {
                schema = quote!(#schema.xml_name(#n));
            }
            if let Some((uri, prefix)) = &s.xml.xml_namespace {
                let prefix = option(prefix.as_deref());
                schema = quote!(#schema.xml_namespace(#uri, #prefix));
            }
            if let Some(e) = &s.error {
                let server = e.server_fault;
                schema = quote!(#schema.error(#server));
                if let Some(code) = e.http_status {
                    schema = quote!(#schema.http_error(#code));
                }
                if let Some((code, _)) = &e.query_error {
                    schema = quote!(#schema.query_error_code(#code));
                }
            }
            schema
        }
        TypeDef::Union(u) => {
            let members = u.variants.iter().enumerate().map(|(i, v)| {
                let target = match &v.ty {
                    Some(ty) => names.target(ctx, ty),
                    None => quote!(#rt::schema::prelude::UNIT),
                };
                let name = &v.name;
                let i = index(i);
                let mut m = quote!(#rt::schema::Member::new(#name, #i, &#target));
                if v.json_name != v.name {
                    let j = &v.json_name;
                    m = quote!(#m.json_name(#j));
                }
                if let Some(ty) = &v.ty {
                    m = wire_traits(m, &ty.wire);
                    m = type_traits(ctx, m, ty);
                }
                m
            });
            // Exception events follow the variants: the receiver finds their error schemas
            // by member name.
            let errors = u
                .event_errors
                .iter()
                .filter(|e| !u.variants.iter().any(|v| v.name == e.name))
                .enumerate()
                .map(|(i, e)| {
                    let (name, t) = (&e.name, ident(&e.type_name));
                    let i = index(u.variants.len() + i);
                    quote!(#rt::schema::Member::new(#name, #i, &self::#t))
                });
            quote!(#rt::schema::Schema::union(#id, #shape, &[#(#members,)* #(#errors),*]))
        }
        TypeDef::Enum(_) | TypeDef::IntEnum(_) => return None,
    };
    Some(quote!(pub static #n: #rt::schema::Schema = #tokens;))
}

fn collection_schema(ctx: &Ctx<'_>, names: &SchemaNames, ty: &TypeRef) -> TokenStream {
    let rt = &ctx.rt;
    let id = ty.target.to_string();
    let shape = ty.target.name().to_string();
    let n: Ident = match names.target(ctx, ty).into_iter().next() {
        Some(proc_macro2::TokenTree::Ident(i)) => i,
        _ => format_ident!("__unnamed"),
    };
    let element = |name: &str, i: usize, t: &TypeRef| {
        let target = names.target(ctx, t);
        let i = index(i);
        let m = wire_traits(
            quote!(#rt::schema::Member::new(#name, #i, &#target)),
            &t.wire,
        );
        type_traits(ctx, m, t)
    };
    let (ctor, members, sparse) = match &ty.kind {
        Kind::List { member, sparse } => {
            (quote!(list), vec![element("member", 0, member)], *sparse)
        }
        Kind::Map { key, value, sparse } => (
            quote!(map),
            vec![element("key", 0, key), element("value", 1, value)],
            *sparse,
        ),
        _ => (quote!(list), Vec::new(), false),
    };
    let sparse = sparse.then(|| quote!(.sparse()));
    quote! {
        pub static #n: #rt::schema::Schema =
            #rt::schema::Schema::#ctor(#id, #shape, &[#(#members),*]) #sparse;
    }
}

/// `Member::new(..)` with the member's traits.
fn member(ctx: &Ctx<'_>, names: &SchemaNames, m: &MemberIr, index: usize) -> TokenStream {
    let rt = &ctx.rt;
    let target = names.target(ctx, &m.ty);
    let name = &m.name;
    let index = self::index(index);
    let mut t = quote!(#rt::schema::Member::new(#name, #index, &#target));
    if m.json_name != m.name {
        let j = &m.json_name;
        t = quote!(#t.json_name(#j));
    }
    let binding = match &m.binding {
        Binding::Body(_) => None,
        Binding::Label => Some(quote!(Label)),
        Binding::Query(q) => Some(quote!(Query(#q))),
        Binding::QueryParams => Some(quote!(QueryParams)),
        Binding::Header(h) => Some(quote!(Header(#h))),
        Binding::PrefixHeaders(p) => Some(quote!(PrefixHeaders(#p))),
        Binding::Payload => Some(quote!(Payload)),
        Binding::ResponseCode => Some(quote!(ResponseCode)),
    };
    if let Some(b) = binding {
        t = quote!(#t.http(#rt::schema::HttpBinding::#b));
    }
    for (on, method) in [
        (m.idempotency_token, "idempotency_token"),
        (m.host_label, "host_label"),
        (m.required, "required"),
    ] {
        if on {
            let f = format_ident!("{}", method);
            t = quote!(#t.#f());
        }
    }
    t = wire_traits(t, &m.ty.wire);
    if let Some(media) = &m.media_type {
        t = quote!(#t.media_type(#media));
    }
    if m.streaming {
        t = quote!(#t.streaming());
    }
    match m.event {
        EventBindingIr::Body => {}
        EventBindingIr::Header => t = quote!(#t.event_header()),
        EventBindingIr::Payload => t = quote!(#t.event_payload()),
    }
    if let Some(d) = &m.default {
        let json = crate::ir::node_to_json(d);
        t = quote!(#t.default_json(#json));
    }
    type_traits(ctx, t, &m.ty)
}

/// `Some(XmlNamespace { .. })` / `None` tokens for a `ServiceMeta`.
pub(crate) fn xml_namespace(
    rt: &TokenStream,
    ns: Option<&(String, Option<String>)>,
) -> TokenStream {
    match ns {
        Some((uri, prefix)) => {
            let prefix = option(prefix.as_deref());
            quote!(::std::option::Option::Some(#rt::schema::XmlNamespace { uri: #uri, prefix: #prefix }))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// `Some("x")` / `None` tokens.
fn option(v: Option<&str>) -> TokenStream {
    match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The XML and query wire names of a member.
fn wire_traits(mut t: TokenStream, w: &WireNames) -> TokenStream {
    if let Some(n) = &w.xml_name {
        t = quote!(#t.xml_name(#n));
    }
    if w.xml_attribute {
        t = quote!(#t.xml_attribute());
    }
    if w.xml_flattened {
        t = quote!(#t.xml_flattened());
    }
    if let Some((uri, prefix)) = &w.xml_namespace {
        let prefix = option(prefix.as_deref());
        t = quote!(#t.xml_namespace(#uri, #prefix));
    }
    if let Some(n) = &w.ec2_query_name {
        t = quote!(#t.ec2_query_name(#n));
    }
    t
}

/// The traits a use site knows about its target: timestamp format and `@sensitive`.
fn type_traits(ctx: &Ctx<'_>, mut t: TokenStream, ty: &TypeRef) -> TokenStream {
    let rt = &ctx.rt;
    if let Some(f) = ty.timestamp_format {
        let f = match f {
            TimestampFormat::DateTime => quote!(DateTime),
            TimestampFormat::EpochSeconds => quote!(EpochSeconds),
            TimestampFormat::HttpDate => quote!(HttpDate),
        };
        t = quote!(#t.timestamp_format(#rt::TimestampFormat::#f));
    }
    if ty.sensitive {
        t = quote!(#t.sensitive());
    }
    t
}

/// A `usize` literal without suffix.
pub(super) fn index(i: usize) -> Literal {
    Literal::usize_unsuffixed(i)
}
