//! One builder per structure: setters that take `impl Into<T>`, appenders for lists and maps,
//! `set_`/`get_` accessors, and `build()` that reports every missing required member at once.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Ctx, bare, ident, prefixed, rust_type};
use crate::ir::{Kind, MemberIr, StructDef, TypeDef};

/// `pub mod builders { ... }`
pub(super) fn builders_module(ctx: &Ctx<'_>) -> TokenStream {
    let items = ctx.svc.types.values().filter_map(|def| match def {
        TypeDef::Struct(s) => Some(builder(ctx, s)),
        _ => None,
    });
    quote! {
        /// Builders for the structures in [`types`].
        pub mod builders {
            #(#items)*
        }
    }
}

/// The type a builder stores for a member: always an `Option` of the field's inner type.
fn stored_type(ctx: &Ctx<'_>, m: &MemberIr) -> TokenStream {
    if let Some(t) = super::types::stream_type(ctx, m) {
        return t;
    }
    let base = rust_type(&m.ty, &ctx.rt);
    if m.boxed {
        quote!(::std::boxed::Box<#base>)
    } else {
        base
    }
}

/// Whether `build()` can fail: some member is required and has no default.
pub(super) fn build_is_fallible(s: &StructDef) -> bool {
    s.members.iter().any(|m| m.required && m.default.is_none())
}

/// Setter methods for a member, with the given receiver expression for the builder.
/// Used by both the structure builder and the operation fluent builder (which delegates).
pub(super) fn setters(ctx: &Ctx<'_>, m: &MemberIr, delegate: bool) -> TokenStream {
    let rt = &ctx.rt;
    let f = ident(&m.field);
    let set = prefixed("set", &m.field);
    let get = prefixed("get", &m.field);
    let stored = stored_type(ctx, m);
    let docs = super::doc(m.docs.as_deref());
    let label = &m.name;
    let set_doc = super::doc_lines(&format!("Sets or clears `{label}`."));
    let get_doc = super::doc_lines(&format!("The value of `{label}` set so far."));
    let (main, set_body, get_body) = if delegate {
        let main = match &m.ty.kind {
            Kind::List { member, sparse } => {
                let item = item_type(ctx, member, *sparse);
                let add = super::doc_lines(&format!("Appends one item to `{label}`."));
                quote! {
                    #docs
                    #[doc = ""]
                    #add
                    pub fn #f(mut self, item: impl ::std::convert::Into<#item>) -> Self {
                        self.inner = self.inner.#f(item);
                        self
                    }
                }
            }
            Kind::Map { key, value, sparse } => {
                let k = rust_type(key, rt);
                let v = item_type(ctx, value, *sparse);
                let add = super::doc_lines(&format!("Inserts one entry into `{label}`."));
                quote! {
                    #docs
                    #[doc = ""]
                    #add
                    pub fn #f(mut self, key: impl ::std::convert::Into<#k>, value: impl ::std::convert::Into<#v>) -> Self {
                        self.inner = self.inner.#f(key, value);
                        self
                    }
                }
            }
            _ => quote! {
                #docs
                pub fn #f(mut self, input: impl ::std::convert::Into<#stored>) -> Self {
                    self.inner = self.inner.#f(input);
                    self
                }
            },
        };
        (
            main,
            quote!(self.inner = self.inner.#set(input); self),
            quote!(self.inner.#get()),
        )
    } else {
        let main = match &m.ty.kind {
            Kind::List { member, sparse } => {
                let item = item_type(ctx, member, *sparse);
                let add = super::doc_lines(&format!("Appends one item to `{label}`."));
                quote! {
                    #docs
                    #[doc = ""]
                    #add
                    pub fn #f(mut self, item: impl ::std::convert::Into<#item>) -> Self {
                        self.#f.get_or_insert_with(::std::vec::Vec::new).push(item.into());
                        self
                    }
                }
            }
            Kind::Map { key, value, sparse } => {
                let k = rust_type(key, rt);
                let v = item_type(ctx, value, *sparse);
                let add = super::doc_lines(&format!("Inserts one entry into `{label}`."));
                quote! {
                    #docs
                    #[doc = ""]
                    #add
                    pub fn #f(mut self, key: impl ::std::convert::Into<#k>, value: impl ::std::convert::Into<#v>) -> Self {
                        self.#f
                            .get_or_insert_with(::std::collections::BTreeMap::new)
                            .insert(key.into(), value.into());
                        self
                    }
                }
            }
            _ => quote! {
                #docs
                pub fn #f(mut self, input: impl ::std::convert::Into<#stored>) -> Self {
                    self.#f = ::std::option::Option::Some(input.into());
                    self
                }
            },
        };
        (
            main,
            quote!(self.#f = input; self),
            quote!(self.#f.as_ref()),
        )
    };
    quote! {
        #main
        #set_doc
        pub fn #set(mut self, input: ::std::option::Option<#stored>) -> Self {
            #set_body
        }
        #get_doc
        pub fn #get(&self) -> ::std::option::Option<&#stored> {
            #get_body
        }
    }
}

/// The element type of a list or map value (`Option<T>` when sparse).
fn item_type(ctx: &Ctx<'_>, ty: &crate::ir::TypeRef, sparse: bool) -> TokenStream {
    let t = rust_type(ty, &ctx.rt);
    if sparse {
        quote!(::std::option::Option<#t>)
    } else {
        t
    }
}

fn builder(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    let rt = &ctx.rt;
    let target = ident(&s.name);
    let name = format_ident!("{}Builder", bare(&s.name));
    let doc = super::doc_lines(&format!(
        "A builder for [`{0}`](super::types::{0}).",
        bare(&s.name)
    ));
    let fields = s.members.iter().map(|m| {
        let f = ident(&m.field);
        let t = stored_type(ctx, m);
        quote!(#f: ::std::option::Option<#t>,)
    });
    let methods = s.members.iter().map(|m| setters(ctx, m, false));
    let debug = super::types::debug_fields(
        rt,
        &format!("{}Builder", bare(&s.name)),
        &format!("{}Builder", bare(&s.name)),
        s.sensitive,
        &s.members,
    );
    let build = build_fn(ctx, s, &target);
    let derive = if s.has_streaming() {
        quote!(#[derive(::std::default::Default)])
    } else {
        quote!(#[derive(::std::clone::Clone, ::std::default::Default, ::std::cmp::PartialEq)])
    };
    quote! {
        #doc
        #derive
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            #(#methods)*
            #build
        }
        #debug
    }
}

fn build_fn(ctx: &Ctx<'_>, s: &StructDef, target: &proc_macro2::Ident) -> TokenStream {
    let rt = &ctx.rt;
    let required: Vec<&MemberIr> = s
        .members
        .iter()
        .filter(|m| m.required && m.default.is_none())
        .collect();
    let init = s.members.iter().map(|m| {
        let f = ident(&m.field);
        if m.required && m.default.is_none() {
            let l = format_ident!("m_{}", bare(&m.field));
            quote!(#f: #l,)
        } else if m.streaming {
            quote!(#f: self.#f.unwrap_or_default(),)
        } else if let Some(default) = &m.default {
            let d = super::unwrap_default(ctx, &m.ty, default, quote!(self.#f), m.boxed);
            quote!(#f: #d,)
        } else {
            quote!(#f: self.#f,)
        }
    });
    if required.is_empty() {
        let doc = super::doc_lines(&format!(
            "Builds the [`{0}`](super::types::{0}).",
            bare(&s.name)
        ));
        return quote! {
            #doc
            pub fn build(self) -> super::types::#target {
                super::types::#target { #(#init)* }
            }
        };
    }
    let checks = required.iter().map(|m| {
        let f = ident(&m.field);
        let label = &m.name;
        quote!(if self.#f.is_none() { missing.required(#label); })
    });
    let names = required.iter().map(|m| ident(&m.field));
    let pats = required.iter().map(|m| {
        let l = format_ident!("m_{}", bare(&m.field));
        quote!(::std::option::Option::Some(#l))
    });
    let doc = super::doc_lines(&format!(
        "Builds the [`{0}`](super::types::{0}), or reports every required member that is missing.",
        bare(&s.name)
    ));
    quote! {
        #doc
        pub fn build(self) -> ::std::result::Result<super::types::#target, #rt::ValidationError> {
            let mut missing = #rt::Validator::new();
            #(#checks)*
            match (#(self.#names,)*) {
                (#(#pats,)*) => ::std::result::Result::Ok(super::types::#target { #(#init)* }),
                _ => ::std::result::Result::Err(missing.into_error()),
            }
        }
    }
}
