//! Protocol-agnostic (de)serialization of the generated types: `SerializeStruct`,
//! `SerializeShape` and `DeserializeShape` impls (and `MapKey` for string enums) over the
//! schemas of [`super::schema`]. They name members by their position in the schema; the
//! runtime's codecs decide what the wire looks like.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::schema::index;
use super::{Ctx, ident};
use crate::ir::{EnumDef, Kind, MemberIr, StructDef, TypeDef, TypeRef, UnionDef};

/// Every impl, for every type of the service.
pub(super) fn impls(ctx: &Ctx<'_>) -> TokenStream {
    ctx.svc
        .types
        .values()
        .map(|def| match def {
            TypeDef::Struct(s) => structure(ctx, s),
            TypeDef::Union(u) => union(ctx, u),
            TypeDef::Enum(e) => string_enum(ctx, e),
            TypeDef::IntEnum(e) => int_enum(ctx, e),
        })
        .collect()
}

/// `impl SerializeShape` writing the type as a structure (structures and unions).
fn serialize_as_struct(ctx: &Ctx<'_>, name: &str) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(name);
    quote! {
        impl #rt::codec::SerializeShape for super::types::#t {
            fn serialize(&self, s: &mut dyn #rt::codec::ShapeSerializer, member: &#rt::schema::Member) {
                s.write_struct(member, self);
            }
        }
    }
}

fn structure(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    let ser = s.serialized.then(|| serialize_struct(ctx, s));
    let de = s.in_output.then(|| deserialize_struct(ctx, s));
    quote!(#ser #de)
}

/// The members that travel in the body, with their schema index (streaming payloads are
/// sent and read by the protocol, not the codec).
fn wire_members(s: &StructDef) -> impl Iterator<Item = (proc_macro2::Literal, &MemberIr)> {
    s.members
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.streaming)
        .map(|(i, m)| (index(i), m))
}

fn serialize_struct(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(&s.name);
    let writes: Vec<TokenStream> = wire_members(s)
        .map(|(i, m)| {
            let f = ident(&m.field);
            if m.is_optional() {
                quote! {
                    if let ::std::option::Option::Some(v) = &self.#f {
                        #rt::codec::SerializeShape::serialize(v, s, &members[#i]);
                    }
                }
            } else {
                quote!(#rt::codec::SerializeShape::serialize(&self.#f, s, &members[#i]);)
            }
        })
        .collect();
    let body = if writes.is_empty() {
        quote!(let _ = s;)
    } else {
        quote! {
            let members = self::#t.members;
            #(#writes)*
        }
    };
    let as_shape = serialize_as_struct(ctx, &s.name);
    quote! {
        impl #rt::codec::SerializeStruct for super::types::#t {
            fn serialize_members(&self, s: &mut dyn #rt::codec::ShapeSerializer) {
                #body
            }
        }
        #as_shape
    }
}

fn local(m: &MemberIr) -> proc_macro2::Ident {
    format_ident!("m_{}", super::bare(&m.field))
}

fn deserialize_struct(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(&s.name);
    let decls = wire_members(s).map(|(_, m)| {
        let l = local(m);
        let mut ty = super::rust_type(&m.ty, rt);
        if m.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        quote!(let mut #l: ::std::option::Option<#ty> = ::std::option::Option::None;)
    });
    let sets: Vec<(proc_macro2::Literal, TokenStream)> = wire_members(s)
        .map(|(i, m)| {
            let l = local(m);
            let set = quote!(#l = ::std::option::Option::Some(#rt::codec::DeserializeShape::deserialize(d, m)?));
            (i, set)
        })
        .collect();
    // One member: an `if` (clippy's `single_match`); none: nothing to read.
    let dispatch = match sets.as_slice() {
        [] => None,
        [(i, set)] => Some(quote!(if m.index == #i { #set; })),
        _ => {
            let arms = sets.iter().map(|(i, set)| quote!(#i => #set,));
            Some(quote!(match m.index { #(#arms)* _ => {} }))
        }
    };
    let reader = match dispatch {
        None => quote!(|_, _| ::std::result::Result::Ok(())),
        Some(dispatch) => quote! {
            |m, d| {
                #dispatch
                ::std::result::Result::Ok(())
            }
        },
    };
    let fields = s.members.iter().map(|m| field(ctx, &s.name, m));
    quote! {
        impl #rt::codec::DeserializeShape for super::types::#t {
            fn deserialize(
                d: &mut dyn #rt::codec::ShapeDeserializer,
                member: &#rt::schema::Member,
            ) -> ::std::result::Result<Self, #rt::codec::DeError> {
                #(#decls)*
                d.read_struct(member, &mut #reader)?;
                ::std::result::Result::Ok(super::types::#t { #(#fields)* })
            }
        }
    }
}

/// A field of the struct literal: the value read, its default, or (required and absent) the
/// zero value Smithy's error correction gives it, or an error for aggregates.
fn field(ctx: &Ctx<'_>, type_name: &str, m: &MemberIr) -> TokenStream {
    let f = ident(&m.field);
    let l = local(m);
    if m.streaming {
        return quote!(#f: ::std::default::Default::default(),);
    }
    if m.is_optional() {
        return quote!(#f: #l,);
    }
    if let Some(d) = &m.default {
        let d = crate::emit::unwrap_default(ctx, &m.ty, d, quote!(#l), m.boxed);
        return quote!(#f: #d,);
    }
    let path = format!("{}.{}", super::bare(type_name), m.name);
    let value = required_value(ctx, m, quote!(#l), &path);
    quote!(#f: #value,)
}

/// The value of a required member without a default from `local` (an `Option` of what was
/// read): the value, else the zero value Smithy's error correction gives it, else (aggregates
/// and big numbers, which have none) `return Err(missing)` with `path`.
pub(super) fn required_value(
    ctx: &Ctx<'_>,
    m: &MemberIr,
    local: TokenStream,
    path: &str,
) -> TokenStream {
    let (z, fails) = zero_value(ctx, &m.ty, path);
    if fails {
        quote!(match #local { ::std::option::Option::Some(v) => v, ::std::option::Option::None => #z })
    } else if m.boxed {
        quote!(#local.unwrap_or_else(|| ::std::boxed::Box::new(#z)))
    } else {
        match &m.ty.kind {
            Kind::String
            | Kind::Bool
            | Kind::Byte
            | Kind::Short
            | Kind::Integer
            | Kind::Long
            | Kind::Float
            | Kind::Double
            | Kind::Blob
            | Kind::List { .. }
            | Kind::Map { .. } => quote!(#local.unwrap_or_default()),
            Kind::Document | Kind::IntEnum(_) => quote!(#local.unwrap_or(#z)),
            _ => quote!(#local.unwrap_or_else(|| #z)),
        }
    }
}

/// The value a required member takes when the service omitted it (Smithy's error correction),
/// or an error for aggregates, which have no zero value.
fn zero_value(ctx: &Ctx<'_>, ty: &TypeRef, path: &str) -> (TokenStream, bool) {
    let rt = &ctx.rt;
    let fails = matches!(
        ty.kind,
        Kind::Struct(_) | Kind::Union(_) | Kind::BigInteger | Kind::BigDecimal
    );
    let tokens = match &ty.kind {
        Kind::String => quote!(::std::string::String::new()),
        Kind::Bool => quote!(false),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long => quote!(0),
        Kind::Float | Kind::Double => quote!(0.0),
        Kind::Blob => quote!(#rt::Blob::default()),
        Kind::Timestamp => quote!(#rt::DateTime::from_secs(0)),
        Kind::Document => quote!(#rt::Document::Null),
        Kind::Enum(n) => {
            let n = ident(n);
            quote!(super::types::#n::from(""))
        }
        Kind::IntEnum(n) => {
            let n = ident(n);
            quote!(super::types::#n(0))
        }
        Kind::List { .. } => quote!(::std::vec::Vec::new()),
        Kind::Map { .. } => quote!(::std::collections::BTreeMap::new()),
        Kind::Struct(_) | Kind::Union(_) | Kind::BigInteger | Kind::BigDecimal => {
            quote!(return ::std::result::Result::Err(#rt::json::DeError::missing(#path)))
        }
    };
    (tokens, fails)
}

fn union(ctx: &Ctx<'_>, u: &UnionDef) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(&u.name);
    let ser = u.serialized.then(|| {
        let arms = u.variants.iter().enumerate().map(|(i, v)| {
            let var = ident(&v.variant);
            let i = index(i);
            match &v.ty {
                Some(_) => quote!(super::types::#t::#var(v) => #rt::codec::SerializeShape::serialize(v, s, &members[#i]),),
                None => quote!(super::types::#t::#var => s.write_struct(&members[#i], &#rt::codec::Unit),),
            }
        });
        let as_shape = serialize_as_struct(ctx, &u.name);
        quote! {
            impl #rt::codec::SerializeStruct for super::types::#t {
                fn serialize_members(&self, s: &mut dyn #rt::codec::ShapeSerializer) {
                    let members = self::#t.members;
                    match self {
                        #(#arms)*
                        super::types::#t::Unknown => {}
                    }
                }
            }
            #as_shape
        }
    });
    let de = u.in_output.then(|| {
        let arms = u.variants.iter().enumerate().map(|(i, v)| {
            let var = ident(&v.variant);
            let i = index(i);
            match &v.ty {
                Some(_) => quote!(#i => super::types::#t::#var(#rt::codec::DeserializeShape::deserialize(d, m)?),),
                None => quote!(#i => { d.skip()?; super::types::#t::#var }),
            }
        });
        quote! {
            impl #rt::codec::DeserializeShape for super::types::#t {
                fn deserialize(
                    d: &mut dyn #rt::codec::ShapeDeserializer,
                    member: &#rt::schema::Member,
                ) -> ::std::result::Result<Self, #rt::codec::DeError> {
                    let mut out = ::std::option::Option::None;
                    d.read_struct(member, &mut |m, d| {
                        out = ::std::option::Option::Some(match m.index {
                            #(#arms)*
                            _ => super::types::#t::Unknown,
                        });
                        ::std::result::Result::Ok(())
                    })?;
                    ::std::result::Result::Ok(out.unwrap_or(super::types::#t::Unknown))
                }
            }
        }
    });
    quote!(#ser #de)
}

fn string_enum(ctx: &Ctx<'_>, e: &EnumDef) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(&e.name);
    quote! {
        impl #rt::codec::SerializeShape for super::types::#t {
            fn serialize(&self, s: &mut dyn #rt::codec::ShapeSerializer, member: &#rt::schema::Member) {
                s.write_string(member, self.as_str());
            }
        }
        impl #rt::codec::DeserializeShape for super::types::#t {
            fn deserialize(
                d: &mut dyn #rt::codec::ShapeDeserializer,
                member: &#rt::schema::Member,
            ) -> ::std::result::Result<Self, #rt::codec::DeError> {
                ::std::result::Result::Ok(super::types::#t::from(d.read_string(member)?))
            }
        }
        impl #rt::codec::MapKey for super::types::#t {
            fn as_key(&self) -> &str {
                self.as_str()
            }
            fn from_key(key: ::std::string::String) -> Self {
                super::types::#t::from(key)
            }
        }
    }
}

fn int_enum(ctx: &Ctx<'_>, e: &EnumDef) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(&e.name);
    quote! {
        impl #rt::codec::SerializeShape for super::types::#t {
            fn serialize(&self, s: &mut dyn #rt::codec::ShapeSerializer, member: &#rt::schema::Member) {
                s.write_integer(member, i64::from(self.value()));
            }
        }
        impl #rt::codec::DeserializeShape for super::types::#t {
            fn deserialize(
                d: &mut dyn #rt::codec::ShapeDeserializer,
                member: &#rt::schema::Member,
            ) -> ::std::result::Result<Self, #rt::codec::DeError> {
                ::std::result::Result::Ok(super::types::#t(<i32 as #rt::codec::DeserializeShape>::deserialize(d, member)?))
            }
        }
    }
}
