//! `mod protocol` for services whose protocol the runtime speaks: one static
//! [`Operation`](anvil_runtime::protocol::Operation) descriptor per operation, the function the
//! fluent builder calls (it hands the descriptor and the input to `protocol::invoke`), and the
//! `OperationError` impl of each error enum. Nothing here knows a wire format.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Ctx, bare, ident};
use crate::ir::{OperationIr, Protocol, ServiceIr};

/// The runtime statics of the service's protocols (default first), for `ServiceMeta`.
pub(crate) fn protocol_statics(svc: &ServiceIr, rt: &TokenStream) -> TokenStream {
    let mut protocols: Vec<&Protocol> = svc.protocols.iter().filter(|p| p.in_runtime()).collect();
    // The default first, then the others in their order.
    protocols.sort_by_key(|p| **p != svc.protocol);
    let statics = protocols.iter().filter_map(|p| {
        Some(match p {
            Protocol::AwsJson1_0 => quote!(&#rt::protocol::aws_json::AWS_JSON_1_0),
            Protocol::AwsJson1_1 => quote!(&#rt::protocol::aws_json::AWS_JSON_1_1),
            Protocol::RpcV2Cbor => quote!(&#rt::protocol::rpc_v2_cbor::RPC_V2_CBOR),
            _ => return None,
        })
    });
    quote!(&[#(#statics),*])
}

/// `pub mod protocol { ... }`
pub(crate) fn module(ctx: &Ctx<'_>) -> TokenStream {
    let ops = ctx.svc.operations.iter().map(|op| operation(ctx, op));
    let errors = ctx.svc.operations.iter().map(|op| operation_error(ctx, op));
    quote! {
        /// The operations' descriptors and calls. Public only so that conformance tests can
        /// drive them; not a stable API.
        #[doc(hidden)]
        pub mod protocol {
            #(#ops)*
            #(#errors)*
        }
    }
}

fn schema_of(ctx: &Ctx<'_>, name: Option<&String>) -> TokenStream {
    let rt = &ctx.rt;
    match name {
        Some(n) => {
            let n = ident(n);
            quote!(&super::schema::#n)
        }
        None => quote!(&#rt::schema::prelude::UNIT),
    }
}

fn descriptor_name(op: &OperationIr) -> proc_macro2::Ident {
    format_ident!("{}", heck::AsShoutySnakeCase(bare(&op.builder)).to_string())
}

/// The `OperationMeta` literal (name, retryable and throttling codes, compression) that the
/// send pipeline reads, for every protocol.
pub(crate) fn operation_meta(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let name = &op.name;
    let codes = |f: fn(&crate::ir::ErrorInfo) -> bool| {
        op.errors
            .iter()
            .filter(move |e| f(&e.info))
            .map(|e| &e.code)
    };
    let retryable = codes(|i| i.retryable);
    let throttling = codes(|i| i.throttling);
    let compression = &op.request_compression;
    quote! {
        #rt::OperationMeta {
            name: #name,
            retryable_errors: &[#(#retryable),*],
            throttling_errors: &[#(#throttling),*],
            request_compression: &[#(#compression),*],
        }
    }
}

fn operation(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let name = &op.name;
    let desc = descriptor_name(op);
    let method = ident(&op.method);
    let err = ident(&op.error_enum);
    let meta = operation_meta(ctx, op);
    let input = schema_of(ctx, op.input.as_ref());
    let output = schema_of(ctx, op.output.as_ref());
    let errors = op.errors.iter().map(|e| {
        let t = ident(&e.type_name);
        quote!(&super::schema::#t)
    });
    let http = match &op.http {
        Some(h) => {
            let method = &h.method;
            let uri = h.uri.as_str();
            let code = h.code;
            quote!(::std::option::Option::Some(#rt::protocol::HttpTrait { method: #method, uri: #uri, code: #code }))
        }
        None => quote!(::std::option::Option::None),
    };
    let host_prefix = match &op.host_prefix {
        Some(p) => quote!(::std::option::Option::Some(#p)),
        None => quote!(::std::option::Option::None),
    };
    let output_ty = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(super::types::#o)
        }
        None => quote!(()),
    };
    let (param, arg) = match &op.input {
        Some(i) => {
            let i = ident(i);
            (quote!(, input: &super::types::#i), quote!(input))
        }
        None => (TokenStream::new(), quote!(&#rt::codec::Unit)),
    };
    let de_output = format_ident!(
        "de_output_{}",
        heck::AsSnakeCase(bare(&op.builder)).to_string()
    );
    let de_errors = format_ident!(
        "de_errors_{}",
        heck::AsSnakeCase(bare(&op.builder)).to_string()
    );
    let result = quote!(::std::result::Result<#output_ty, #rt::SdkError<super::error::#err>>);
    let docs = format!("The `{name}` operation's descriptor.");
    quote! {
        #[doc = #docs]
        pub static #desc: #rt::protocol::Operation = #rt::protocol::Operation {
            meta: #meta,
            input: #input,
            output: #output,
            errors: &[#(#errors),*],
            http: #http,
            host_prefix: #host_prefix,
        };
        /// Sends the operation through the client's protocol.
        pub async fn #method(handle: &#rt::Handle #param) -> #result {
            #rt::protocol::invoke(handle, &#desc, #arg).await
        }
        /// Reads a success response with the service's default protocol.
        pub fn #de_output(response: &#rt::http::HttpResponse) -> #result {
            #rt::protocol::read_output(super::default_protocol(), &#desc, response)
        }
        /// Reads an error response with the service's default protocol.
        pub fn #de_errors(response: &#rt::http::HttpResponse) -> #rt::SdkError<super::error::#err> {
            #rt::protocol::read_error(super::default_protocol(), &super::SERVICE, &#desc, response)
        }
    }
}

fn operation_error(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let err = ident(&op.error_enum);
    let arms = op.errors.iter().enumerate().map(|(i, e)| {
        let i = super::schema::index(i);
        let t = ident(&e.type_name);
        let v = ident(&e.variant);
        quote! {
            #i => <super::types::#t as #rt::codec::DeserializeShape>::deserialize(
                d,
                &#rt::schema::Member::root(&super::schema::#t),
            ).map(super::error::#err::#v),
        }
    });
    let body = if op.errors.is_empty() {
        quote! {
            let _ = index;
            ::std::result::Result::Err(#rt::codec::DeError::unsupported(d.path()))
        }
    } else {
        quote! {
            match index {
                #(#arms)*
                _ => ::std::result::Result::Err(#rt::codec::DeError::unsupported(d.path())),
            }
        }
    };
    quote! {
        impl #rt::protocol::OperationError for super::error::#err {
            fn modeled(
                index: usize,
                d: &mut dyn #rt::codec::ShapeDeserializer,
            ) -> ::std::result::Result<Self, #rt::codec::DeError> {
                #body
            }
            fn unhandled(meta: #rt::ErrorMetadata) -> Self {
                super::error::#err::Unhandled(#rt::Unhandled::new(meta))
            }
        }
    }
}
