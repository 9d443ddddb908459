//! Structures, unions, string enums and int enums, with `Debug` that redacts sensitive data.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{Ctx, doc, ident, redact, rust_type};
use crate::ir::{EnumDef, MemberIr, StructDef, TypeDef, UnionDef};

/// `pub mod types { ... }`
pub(super) fn types_module(ctx: &Ctx<'_>) -> TokenStream {
    let items = ctx.svc.types.values().map(|def| match def {
        TypeDef::Struct(s) => structure(ctx, s),
        TypeDef::Union(u) => union(ctx, u),
        TypeDef::Enum(e) => string_enum(ctx, e),
        TypeDef::IntEnum(e) => int_enum(ctx, e),
    });
    quote! {
        /// Structures, unions and enums of the service's operations.
        pub mod types {
            #(#items)*
        }
    }
}

/// The field type of a member: `Option` unless required or defaulted, `Box` when recursive.
pub(super) fn member_type(ctx: &Ctx<'_>, m: &MemberIr) -> TokenStream {
    if let Some(t) = stream_type(ctx, m) {
        return t;
    }
    let base = rust_type(&m.ty, &ctx.rt);
    let base = if m.boxed {
        quote!(::std::boxed::Box<#base>)
    } else {
        base
    };
    if m.is_optional() {
        quote!(::std::option::Option<#base>)
    } else {
        base
    }
}

/// The type of a streamed member: a `ByteStream` for a blob payload; for an event stream,
/// an `EventStreamSender` of the union on an input, an `EventReceiver` of the union and the
/// operation's error on an output.
pub(super) fn stream_type(ctx: &Ctx<'_>, m: &MemberIr) -> Option<TokenStream> {
    let rt = &ctx.rt;
    if let Some(stream) = &m.event_stream {
        let union = ident(&stream.union);
        return Some(match &stream.output_error {
            Some(err) => {
                let err = ident(err);
                quote!(#rt::event_stream::EventReceiver<super::types::#union, super::error::#err>)
            }
            None => quote!(#rt::event_stream::EventStreamSender<super::types::#union>),
        });
    }
    m.streaming.then(|| quote!(#rt::ByteStream))
}

fn structure(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    let rt = &ctx.rt;
    let name = ident(&s.name);
    let docs = doc(s.docs.as_deref());
    let fields = s.members.iter().map(|m| {
        let f = ident(&m.field);
        let ty = member_type(ctx, m);
        let d = doc(m.docs.as_deref());
        quote!(#d pub #f: #ty,)
    });
    let builder = quote::format_ident!("{}Builder", super::bare(&s.name));
    let validate = super::validate::struct_validate(ctx, s);
    let debug = debug_struct(rt, &s.name, s.sensitive, &s.members);
    let error = s.error.as_ref().map(|_| error_impls(ctx, s));
    // A `ByteStream` is read once: it can be neither cloned nor compared.
    let derive = if s.has_streaming() {
        TokenStream::new()
    } else {
        quote!(#[derive(::std::clone::Clone, ::std::cmp::PartialEq)])
    };
    quote! {
        #docs
        #derive
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            /// A builder for this structure.
            pub fn builder() -> super::builders::#builder {
                ::std::default::Default::default()
            }
        }
        #debug
        #validate
        #error
    }
}

/// `Debug` for a structure or its builder: derived output, but sensitive fields print as the
/// redaction marker (all fields when the whole structure is sensitive).
pub(super) fn debug_struct(
    rt: &TokenStream,
    type_name: &str,
    all_sensitive: bool,
    members: &[MemberIr],
) -> TokenStream {
    debug_fields(rt, type_name, type_name, all_sensitive, members)
}

/// `Debug` for the type `impl_for` printed under the name `shown`.
pub(super) fn debug_fields(
    rt: &TokenStream,
    impl_for: &str,
    shown: &str,
    all_sensitive: bool,
    members: &[MemberIr],
) -> TokenStream {
    let name = ident(impl_for);
    let fields = members.iter().map(|m| {
        let f = ident(&m.field);
        let label = super::bare(&m.field);
        if all_sensitive || redact(&m.ty) {
            quote!(.field(#label, &#rt::sensitive::REDACTED))
        } else {
            quote!(.field(#label, &self.#f))
        }
    });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#shown)#(#fields)*.finish()
            }
        }
    }
}

/// `Display` and `Error` for error structures: the code and, unless sensitive, the message.
fn error_impls(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let code = s.id.name();
    let message = s.members.iter().find(|m| {
        m.name.eq_ignore_ascii_case("message")
            && matches!(m.ty.kind, crate::ir::Kind::String)
            && !m.ty.sensitive
            && !s.sensitive
    });
    let _ = ctx;
    // Shape names are identifiers: no braces to escape in the format string.
    let with_message = format!("{code}: {{}}");
    let body = match message {
        Some(m) => {
            let f = ident(&m.field);
            let get = if m.is_optional() {
                quote!(self.#f.as_deref())
            } else {
                quote!(::std::option::Option::Some(self.#f.as_str()))
            };
            quote! {
                match #get {
                    ::std::option::Option::Some(message) => write!(f, #with_message, message),
                    ::std::option::Option::None => f.write_str(#code),
                }
            }
        }
        None => quote!(f.write_str(#code)),
    };
    quote! {
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #body
            }
        }
        impl ::std::error::Error for #name {}
    }
}

fn union(ctx: &Ctx<'_>, u: &UnionDef) -> TokenStream {
    let rt = &ctx.rt;
    let name = ident(&u.name);
    let docs = doc(u.docs.as_deref());
    let variants = u.variants.iter().map(|v| {
        let var = ident(&v.variant);
        let d = doc(v.docs.as_deref());
        match &v.ty {
            Some(ty) => {
                let t = rust_type(ty, rt);
                let t = if v.boxed {
                    quote!(::std::boxed::Box<#t>)
                } else {
                    t
                };
                quote!(#d #var(#t),)
            }
            None => quote!(#d #var,),
        }
    });
    let debug_arms = u.variants.iter().map(|v| {
        let var = ident(&v.variant);
        let label = super::bare(&v.variant);
        match &v.ty {
            Some(ty) if u.sensitive || redact(ty) => {
                quote!(#name::#var(_) => f.debug_tuple(#label).field(&#rt::sensitive::REDACTED).finish(),)
            }
            Some(_) => quote!(#name::#var(v) => f.debug_tuple(#label).field(v).finish(),),
            None => quote!(#name::#var => f.write_str(#label),),
        }
    });
    let validate = super::validate::union_validate(ctx, u);
    quote! {
        #docs
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        // Variants mirror the model; boxing by size would make the API depend on layout.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            /// A variant this version of the client does not know (received from a newer service).
            /// It cannot be sent.
            Unknown,
        }
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                    #name::Unknown => f.write_str("Unknown"),
                }
            }
        }
        #validate
    }
}

fn string_enum(ctx: &Ctx<'_>, e: &EnumDef) -> TokenStream {
    let rt = &ctx.rt;
    let name = ident(&e.name);
    let docs = doc(e.docs.as_deref());
    let variants = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let d = doc(v.docs.as_deref());
        let value_doc = super::doc_lines(&format!("`{}`", v.value.replace('`', "'")));
        let value_doc = if v.docs.is_some() {
            quote!(#[doc = ""] #value_doc)
        } else {
            quote!(#value_doc)
        };
        quote!(#d #value_doc #var,)
    });
    let to_str = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let value = &v.value;
        quote!(#name::#var => #value,)
    });
    let from_str = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let value = &v.value;
        quote!(#value => #name::#var,)
    });
    let values = e.values.iter().map(|v| &v.value);
    let debug = if e.sensitive {
        quote!(f.write_str(#rt::sensitive::REDACTED))
    } else {
        quote! {
            match self {
                #name::Unknown(v) => f.debug_tuple("Unknown").field(v).finish(),
                known => f.write_str(known.as_str()),
            }
        }
    };
    let display = if e.sensitive {
        quote!(f.write_str(#rt::sensitive::REDACTED))
    } else {
        quote!(f.write_str(self.as_str()))
    };
    quote! {
        #docs
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know; kept as received.
            Unknown(::std::string::String),
        }
        impl #name {
            /// Every known value, in model order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    #name::Unknown(v) => v.as_str(),
                }
            }
            /// False for values this client does not know.
            pub fn is_known(&self) -> bool {
                !matches!(self, #name::Unknown(_))
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(s: &str) -> Self {
                match s {
                    #(#from_str)*
                    other => #name::Unknown(::std::string::String::from(other)),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(s: ::std::string::String) -> Self {
                #name::from(s.as_str())
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(#name::from(s))
            }
        }
        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #debug
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #display
            }
        }
    }
}

fn int_enum(ctx: &Ctx<'_>, e: &EnumDef) -> TokenStream {
    let rt = &ctx.rt;
    let name = ident(&e.name);
    let docs = doc(e.docs.as_deref());
    let consts = e.values.iter().map(|v| {
        let c = ident(&v.variant);
        let d = doc(v.docs.as_deref());
        let value = Literal::i64_unsuffixed(v.int_value);
        let value_doc = super::doc_lines(&format!("`{}`", v.int_value));
        quote!(#d #value_doc pub const #c: #name = #name(#value);)
    });
    let names = e.values.iter().map(|v| {
        let value = Literal::i64_unsuffixed(v.int_value);
        let n = &v.variant;
        quote!(#value => ::std::option::Option::Some(#n),)
    });
    let debug = if e.sensitive {
        quote!(f.write_str(#rt::sensitive::REDACTED))
    } else {
        quote! {
            match self.name() {
                ::std::option::Option::Some(n) => write!(f, "{}({})", n, self.0),
                ::std::option::Option::None => write!(f, "Unknown({})", self.0),
            }
        }
    };
    quote! {
        #docs
        ///
        /// An open int enum: the associated constants are the known values; any other value
        /// received from the service is kept as it is.
        #[derive(::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord)]
        pub struct #name(pub i32);
        impl #name {
            #(#consts)*
            /// The wire value.
            pub fn value(self) -> i32 {
                self.0
            }
            /// False for values this client does not know.
            pub fn is_known(self) -> bool {
                self.name().is_some()
            }
            /// The name of a known value.
            pub fn name(self) -> ::std::option::Option<&'static str> {
                match self.0 {
                    #(#names)*
                    _ => ::std::option::Option::None,
                }
            }
        }
        impl ::std::convert::From<i32> for #name {
            fn from(v: i32) -> Self {
                #name(v)
            }
        }
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #debug
            }
        }
    }
}
