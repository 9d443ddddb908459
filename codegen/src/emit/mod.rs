//! IR → Rust. Each submodule emits one kind of item through `quote!`; this module assembles a
//! service's module and formats it with `prettyplease`.
//!
//! The generated module for a service is laid out as:
//!
//! ```text
//! pub mod <service> {
//!     pub struct Client;            // client.rs: one method per operation
//!     pub mod types { .. }          // types.rs: structures, unions, enums (+ validate.rs impls)
//!     pub mod builders { .. }       // builders.rs: one builder per structure
//!     pub mod error { .. }          // errors.rs: one error enum per operation
//!     pub mod operation { .. }      // client.rs: one fluent builder per operation
//!     mod protocol { .. }           // crate::protocol: serializers and deserializers
//!     mod patterns { .. }           // validate.rs: compiled-once patterns
//! }
//! ```
//!
//! Every module sits one level below the service module, so generated code names any generated
//! item as `super::<module>::<Name>`, and names `std` items by absolute path, so no shape name can
//! shadow what the generated code means.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Kind, ServiceIr, TypeDef, TypeRef};

mod builders;
mod client;
mod errors;
mod types;
mod validate;

pub(crate) use validate::{Validation, default_value, unwrap_default};

/// What every emitter needs: the service and the path of the runtime crate.
pub(crate) struct Ctx<'a> {
    pub svc: &'a ServiceIr,
    /// `::anvil_runtime` or what the user configured.
    pub rt: TokenStream,
    /// Which types get validators.
    pub validation: Validation,
}

impl<'a> Ctx<'a> {
    pub fn new(svc: &'a ServiceIr, runtime_path: &str) -> Self {
        let rt = runtime_path
            .parse::<TokenStream>()
            .unwrap_or_else(|_| quote!(::anvil_runtime));
        Ctx {
            svc,
            rt,
            validation: Validation::compute(svc),
        }
    }

    /// The struct named `name`, if it is one.
    pub fn struct_def(&self, name: &str) -> Option<&'a crate::ir::StructDef> {
        match self.svc.types.get(name) {
            Some(TypeDef::Struct(s)) => Some(s),
            _ => None,
        }
    }
}

/// An identifier from a name the naming module made; raw identifiers (`r#type`) allowed.
/// Names are valid by construction (naming's tests); an invalid one degrades, never panics.
pub(crate) fn ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name)
        .unwrap_or_else(|_| Ident::new("__invalid_identifier", Span::call_site()))
}

/// `#[doc = " ..."]` attributes, one per line of optional Markdown docs, so that the formatted
/// output reads as ordinary `/// ...` comments.
pub(crate) fn doc(docs: Option<&str>) -> TokenStream {
    match docs {
        Some(d) if !d.trim().is_empty() => doc_lines(d),
        _ => TokenStream::new(),
    }
}

/// One `#[doc]` attribute per line of `text`.
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// The name without a raw prefix (`r#type` → `type`), for derived identifiers.
pub(crate) fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// `set_<field>` / `get_<field>` identifiers.
pub(crate) fn prefixed(prefix: &str, field: &str) -> Ident {
    format_ident!("{}_{}", prefix, bare(field).trim_end_matches('_'))
}

/// The Rust type of a value (without `Option`/`Box` wrapping).
pub(crate) fn rust_type(ty: &TypeRef, rt: &TokenStream) -> TokenStream {
    match &ty.kind {
        Kind::String => quote!(::std::string::String),
        Kind::Bool => quote!(bool),
        Kind::Byte => quote!(i8),
        Kind::Short => quote!(i16),
        Kind::Integer => quote!(i32),
        Kind::Long => quote!(i64),
        Kind::Float => quote!(f32),
        Kind::Double => quote!(f64),
        Kind::Blob => quote!(#rt::Blob),
        Kind::Timestamp => quote!(#rt::DateTime),
        Kind::Document => quote!(#rt::Document),
        Kind::BigInteger => quote!(#rt::BigInteger),
        Kind::BigDecimal => quote!(#rt::BigDecimal),
        Kind::Enum(n) | Kind::IntEnum(n) | Kind::Struct(n) | Kind::Union(n) => {
            let n = ident(n);
            quote!(super::types::#n)
        }
        Kind::List { member, sparse } => {
            let inner = rust_type(member, rt);
            if *sparse {
                quote!(::std::vec::Vec<::std::option::Option<#inner>>)
            } else {
                quote!(::std::vec::Vec<#inner>)
            }
        }
        Kind::Map { key, value, sparse } => {
            let k = rust_type(key, rt);
            let v = rust_type(value, rt);
            if *sparse {
                quote!(::std::collections::BTreeMap<#k, ::std::option::Option<#v>>)
            } else {
                quote!(::std::collections::BTreeMap<#k, #v>)
            }
        }
    }
}

/// Whether printing a value of this type could reveal something sensitive that the type's own
/// `Debug` does not already redact (generated types redact themselves).
pub(crate) fn redact(ty: &TypeRef) -> bool {
    ty.sensitive
        || match &ty.kind {
            Kind::List { member, .. } => redact(member),
            Kind::Map { key, value, .. } => redact(key) || redact(value),
            _ => false,
        }
}

/// The tokens of one service module.
pub(crate) fn service_module(svc: &ServiceIr, runtime_path: &str) -> TokenStream {
    let ctx = Ctx::new(svc, runtime_path);
    let module = ident(&svc.module);
    let docs = doc(svc.docs.as_deref());
    let client = client::client(&ctx);
    let types = types::types_module(&ctx);
    let builders = builders::builders_module(&ctx);
    let errors = errors::error_module(&ctx);
    let operations = client::operation_module(&ctx);
    let protocol = crate::protocol::protocol_module(&ctx);
    let patterns = validate::patterns_module(&ctx);
    quote! {
        #docs
        pub mod #module {
            #client
            #types
            #builders
            #errors
            #operations
            #protocol
            #patterns
        }
    }
}

/// Formats tokens as a file; `None` if the tokens do not parse (a generator bug).
pub(crate) fn format_file(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Ok(prettyplease::unparse(&file))
}
