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
//!     pub mod protocol { .. }       // operation.rs: operation descriptors and calls
//!     pub mod schema { .. }         // schema.rs, serde.rs: schemas and (de)serialization
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
mod operation;
mod schema;
mod serde;
mod types;
mod validate;
mod waiters;

pub(crate) use operation::{descriptor_name, protocol_statics};
pub(crate) use schema::xml_namespace;
pub(crate) use validate::{Validation, unwrap_default};

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
    // Fast path: a plain ASCII identifier that is not a keyword is exactly what
    // `syn::parse_str::<Ident>` would return, without running the lexer and parser.
    if is_plain_ident(name) {
        return Ident::new(name, Span::call_site());
    }
    syn::parse_str::<Ident>(name)
        .unwrap_or_else(|_| Ident::new("__invalid_identifier", Span::call_site()))
}

/// `[A-Za-z_][A-Za-z0-9_]*` and none of the words `syn` refuses as an identifier (keywords and
/// `_`; the list also holds a few weak keywords, which merely take the parser's path).
fn is_plain_ident(name: &str) -> bool {
    let mut bytes = name.bytes();
    let starts_well = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    starts_well
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !matches!(
            name,
            "_" | "abstract"
                | "as"
                | "async"
                | "await"
                | "become"
                | "box"
                | "break"
                | "const"
                | "continue"
                | "crate"
                | "do"
                | "dyn"
                | "else"
                | "enum"
                | "extern"
                | "false"
                | "final"
                | "fn"
                | "for"
                | "gen"
                | "if"
                | "impl"
                | "in"
                | "let"
                | "loop"
                | "macro"
                | "macro_rules"
                | "match"
                | "mod"
                | "move"
                | "mut"
                | "override"
                | "priv"
                | "pub"
                | "raw"
                | "ref"
                | "return"
                | "safe"
                | "Self"
                | "self"
                | "static"
                | "struct"
                | "super"
                | "trait"
                | "true"
                | "try"
                | "type"
                | "typeof"
                | "union"
                | "unsafe"
                | "unsized"
                | "use"
                | "virtual"
                | "where"
                | "while"
                | "yield"
        )
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
    text.lines()
        .map(|line| {
            let line = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            quote!(#[doc = #line])
        })
        .collect()
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

/// The tokens of one service module (what [`service_file`] formats, part by part).
pub(crate) fn service_module(svc: &ServiceIr, runtime_path: &str) -> TokenStream {
    let ctx = Ctx::new(svc, runtime_path);
    let module = ident(&svc.module);
    let docs = doc(svc.docs.as_deref());
    let client = client::client(&ctx);
    let types = types::types_module(&ctx);
    let builders = builders::builders_module(&ctx);
    let errors = errors::error_module(&ctx);
    let operations = client::operation_module(&ctx);
    let protocol = operation::module(&ctx);
    let schemas = schema::schema_module(&ctx);
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
            #schemas
            #patterns
        }
    }
}

/// The formatted source of one service module: `service_module`'s output, produced without
/// materialising the whole module as one token stream. Each part (client, `types`, `builders`,
/// ...) is emitted and parsed on its own, its tokens dropped before the next part is emitted,
/// and the parsed items are placed in the service module's `syn` tree; the tree, and so the
/// formatted text, is the one `format_file(service_module(..))` gives.
pub(crate) fn service_file(svc: &ServiceIr, runtime_path: &str) -> Result<String, String> {
    let ctx = Ctx::new(svc, runtime_path);
    let module = ident(&svc.module);
    let docs = doc(svc.docs.as_deref());
    let mut outer: syn::ItemMod =
        syn::parse2(quote!(#docs pub mod #module {})).map_err(|e| e.to_string())?;
    let parts: [fn(&Ctx<'_>) -> TokenStream; 8] = [
        client::client,
        types::types_module,
        builders::builders_module,
        errors::error_module,
        client::operation_module,
        operation::module,
        schema::schema_module,
        validate::patterns_module,
    ];
    let mut items = Vec::new();
    for part in parts {
        let file: syn::File = syn::parse2(part(&ctx)).map_err(|e| e.to_string())?;
        if !file.attrs.is_empty() || file.shebang.is_some() {
            return Err("a part of the service module starts with an inner attribute".into());
        }
        items.extend(file.items);
    }
    outer.content = Some((syn::token::Brace::default(), items));
    let file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![syn::Item::Mod(outer)],
    };
    Ok(prettyplease::unparse(&file))
}

/// Formats tokens as a file; `None` if the tokens do not parse (a generator bug).
pub(crate) fn format_file(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `service_file` formats exactly what `service_module` emits, for every service of the
    /// repository's models.
    #[test]
    fn service_file_is_the_formatted_service_module() {
        for path in ["mpa.json", "workspaces-web.json"] {
            let full = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/").to_string() + path;
            let text = std::fs::read_to_string(&full).unwrap();
            let sources = [crate::model::Source {
                name: path,
                text: &text,
            }];
            let model = crate::model::load(&sources).model.unwrap();
            let (services, _) = crate::ir::build(&model, &crate::ir::Selection::default());
            assert!(!services.is_empty());
            for svc in &services {
                let whole = format_file(service_module(svc, "::anvil_runtime")).unwrap();
                let parts = service_file(svc, "::anvil_runtime").unwrap();
                assert!(whole == parts, "{path}: service_file differs");
            }
        }
    }

    #[test]
    fn plain_identifiers_match_the_parser() {
        for name in [
            "a",
            "_a",
            "A1",
            "snake_case",
            "r#type",
            "type",
            "self",
            "Self",
            "_",
            "1a",
            "a-b",
            "",
            "é",
            "gen",
            "union",
            "async",
            "r#self",
            "crate",
        ] {
            let parsed = syn::parse_str::<Ident>(name)
                .unwrap_or_else(|_| Ident::new("__invalid_identifier", Span::call_site()));
            assert_eq!(ident(name).to_string(), parsed.to_string(), "{name:?}");
        }
    }
}
