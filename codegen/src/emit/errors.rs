//! One error enum per operation: a typed variant per modeled error, plus `Unhandled`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, ident};
use crate::ir::OperationIr;

/// `pub mod error { ... }`
pub(super) fn error_module(ctx: &Ctx<'_>) -> TokenStream {
    let enums = ctx.svc.operations.iter().map(|op| error_enum(ctx, op));
    quote! {
        /// The errors of each operation.
        pub mod error {
            #(#enums)*
        }
    }
}

fn error_enum(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let name = ident(&op.error_enum);
    let doc = super::doc_lines(&format!("The errors `{}` can return.", op.name));
    let variants = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let t = ident(&e.type_name);
        let d = super::doc_lines(&format!("`{}`", e.code));
        quote!(#d #v(super::types::#t),)
    });
    let display = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(#name::#v(e) => ::std::fmt::Display::fmt(e, f),)
    });
    let source = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(#name::#v(e) => ::std::option::Option::Some(e),)
    });
    let codes = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let code = &e.code;
        quote!(#name::#v(_) => ::std::option::Option::Some(#code),)
    });
    let retryable = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let r = e.info.retryable;
        quote!(#name::#v(_) => #r,)
    });
    quote! {
        #doc
        #[derive(::std::fmt::Debug)]
        #[non_exhaustive]
        // Modeled errors may be large; `SdkError` boxes the service error anyway.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            /// An error the model does not describe for this operation: its code, message,
            /// HTTP status and request id are kept.
            Unhandled(#rt::Unhandled),
        }
        impl #name {
            /// The error code, as sent by the service.
            pub fn code(&self) -> ::std::option::Option<&str> {
                match self {
                    #(#codes)*
                    #name::Unhandled(u) => u.meta().code(),
                }
            }
            /// Whether the model marks this error `@retryable`.
            pub fn is_retryable(&self) -> bool {
                match self {
                    #(#retryable)*
                    #name::Unhandled(_) => false,
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#display)*
                    #name::Unhandled(u) => ::std::fmt::Display::fmt(u, f),
                }
            }
        }
        impl ::std::error::Error for #name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    #(#source)*
                    #name::Unhandled(u) => ::std::option::Option::Some(u),
                }
            }
        }
    }
}
