//! `mod protocol` for services whose protocol the runtime speaks: one static
//! [`Operation`](anvil_runtime::protocol::Operation) descriptor per operation, the function the
//! fluent builder calls (it hands the descriptor and the input to `protocol::invoke`), and the
//! `OperationError` impl of each error enum. Nothing here knows a wire format.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Ctx, bare, ident};
use crate::ir::{
    EndpointParamsIr, HttpChecksumIr, MemberIr, OperationIr, PathExpr, Protocol, ServiceIr,
    StaticValue,
};

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
            Protocol::RestJson1 => quote!(&#rt::protocol::rest_json::REST_JSON_1),
            Protocol::RestXml => quote!(&#rt::protocol::rest_xml::REST_XML),
            Protocol::AwsQuery => quote!(&#rt::protocol::aws_query::AWS_QUERY),
            Protocol::Ec2Query => quote!(&#rt::protocol::ec2_query::EC2_QUERY),
            Protocol::Unsupported(_) => return None,
        })
    });
    quote!(&[#(#statics),*])
}

/// `pub mod protocol { ... }` (nothing for services whose protocol is not supported: their
/// operations return an error without reaching it).
pub(super) fn module(ctx: &Ctx<'_>) -> TokenStream {
    if !ctx.svc.protocol.in_runtime() {
        return TokenStream::new();
    }
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

/// The name of an operation's descriptor static (`PUT_ITEM`).
pub(crate) fn descriptor_name(op: &OperationIr) -> proc_macro2::Ident {
    format_ident!("{}", heck::AsShoutySnakeCase(bare(&op.builder)).to_string())
}

/// `pub static <OP>: Operation = Operation::new(..)` with the operation's traits.
fn descriptor(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let name = &op.name;
    let desc = descriptor_name(op);
    let input = schema_of(ctx, op.input.as_ref());
    let output = schema_of(ctx, op.output.as_ref());
    let errors = op.errors.iter().map(|e| {
        let t = ident(&e.type_name);
        quote!(&super::schema::#t)
    });
    let mut built = quote!(#rt::protocol::Operation::new(#name, #input, #output, &[#(#errors),*]));
    if let Some(h) = &op.http {
        let (method, uri, code) = (&h.method, h.uri.as_str(), h.code);
        built = quote!(#built.http(#method, #uri, #code));
    }
    let codes = |f: fn(&crate::ir::ErrorInfo) -> bool| -> Vec<&String> {
        op.errors
            .iter()
            .filter(|e| f(&e.info))
            .map(|e| &e.code)
            .collect()
    };
    let (retryable, throttling) = (codes(|i| i.retryable), codes(|i| i.throttling));
    if !retryable.is_empty() {
        built = quote!(#built.retryable(&[#(#retryable),*], &[#(#throttling),*]));
    }
    if !op.request_compression.is_empty() {
        let c = &op.request_compression;
        built = quote!(#built.request_compression(&[#(#c),*]));
    }
    if let Some(p) = &op.host_prefix {
        built = quote!(#built.host_prefix(#p));
    }
    if op.checksum_required {
        built = quote!(#built.checksum_required());
    }
    if op.http2 {
        built = quote!(#built.http2());
    }
    if op.unsigned {
        built = quote!(#built.unsigned());
    }
    if let Some(c) = &op.http_checksum {
        built = http_checksum(rt, c, built);
    }
    built = endpoint_params(rt, &op.endpoint_params, built);
    let docs = format!("The `{name}` operation's descriptor.");
    quote! {
        #[doc = #docs]
        pub static #desc: #rt::protocol::Operation = #built;
    }
}

/// The descriptor's `.http_checksum(..)`.
fn http_checksum(rt: &TokenStream, c: &HttpChecksumIr, built: TokenStream) -> TokenStream {
    let mut h = quote!(#rt::protocol::HttpChecksum::new());
    if let Some(m) = &c.request_algorithm_member {
        h = quote!(#h.request_algorithm_member(#m));
    }
    if c.request_required {
        h = quote!(#h.request_required());
    }
    if let Some(m) = &c.validation_mode_member {
        h = quote!(#h.validation_mode_member(#m));
    }
    if !c.response_algorithms.is_empty() {
        let a = &c.response_algorithms;
        h = quote!(#h.response_algorithms(&[#(#a),*]));
    }
    quote!(#built.http_checksum(#h))
}

/// The descriptor's `.context_params(..)`, `.static_context_params(..)` and
/// `.operation_context_params(..)`, for the parameters the operation binds.
fn endpoint_params(rt: &TokenStream, p: &EndpointParamsIr, mut built: TokenStream) -> TokenStream {
    if !p.context.is_empty() {
        let pairs = p.context.iter().map(|(k, v)| quote!((#k, #v)));
        built = quote!(#built.context_params(&[#(#pairs),*]));
    }
    if !p.static_params.is_empty() {
        let pairs = p.static_params.iter().map(|(k, v)| {
            let v = static_param(rt, v);
            quote!((#k, #v))
        });
        built = quote!(#built.static_context_params(&[#(#pairs),*]));
    }
    if !p.operation.is_empty() {
        // Each path as the runtime's static tree: the runtime evaluates, never parses.
        let ty = quote!(#rt::endpoint::PathExpr);
        let pairs = p.operation.iter().map(|(k, path)| {
            let path = path_expr(&ty, path);
            quote!((#k, #path))
        });
        built = quote!(#built.operation_context_params(&[#(#pairs),*]));
    }
    built
}

/// The runtime's tree of a path, a constant expression (nested `&` are promoted to
/// `'static` in the descriptor's `static`); `ty` names the runtime type
/// (`::anvil_runtime::endpoint::PathExpr`).
fn path_expr(ty: &TokenStream, e: &PathExpr) -> TokenStream {
    let node = |e: &PathExpr| {
        let t = path_expr(ty, e);
        quote!(&#t)
    };
    match e {
        PathExpr::Identity => quote!(#ty::Identity),
        PathExpr::Field(name) => quote!(#ty::Field(#name)),
        PathExpr::Sub(a, b) => {
            let (a, b) = (node(a), node(b));
            quote!(#ty::Sub(#a, #b))
        }
        PathExpr::Project(a, b) => {
            let (a, b) = (node(a), node(b));
            quote!(#ty::Project(#a, #b))
        }
        PathExpr::ValueProject(a, b) => {
            let (a, b) = (node(a), node(b));
            quote!(#ty::ValueProject(#a, #b))
        }
        PathExpr::Flatten(a) => {
            let a = node(a);
            quote!(#ty::Flatten(#a))
        }
        PathExpr::MultiList(items) => {
            let items = items.iter().map(|i| path_expr(ty, i));
            quote!(#ty::MultiList(&[#(#items),*]))
        }
        PathExpr::Keys(a) => {
            let a = node(a);
            quote!(#ty::Keys(#a))
        }
    }
}

/// A `StaticParam` value.
fn static_param(rt: &TokenStream, v: &StaticValue) -> TokenStream {
    match v {
        StaticValue::Bool(b) => quote!(#rt::endpoint::StaticParam::Bool(#b)),
        StaticValue::String(s) => quote!(#rt::endpoint::StaticParam::String(#s)),
        StaticValue::StringArray(items) => {
            quote!(#rt::endpoint::StaticParam::StringArray(&[#(#items),*]))
        }
    }
}

fn operation(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let descriptor = descriptor(ctx, op);
    let call = call(ctx, op);
    quote!(#descriptor #call)
}

/// The function the fluent builder calls: sends the input through the client's protocol
/// (`Handle::call`, compiled once) and reads the result (`protocol::finish`).
fn call(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let desc = descriptor_name(op);
    let method = ident(&op.method);
    let err = ident(&op.error_enum);
    let output_ty = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(super::types::#o)
        }
        None => quote!(()),
    };
    let result = quote!(::std::result::Result<#output_ty, #rt::SdkError<super::error::#err>>);
    let streamed = |name: Option<&String>| {
        name.and_then(|n| ctx.struct_def(n))
            .and_then(|s| s.members.iter().find(|m| m.streaming))
    };
    let (streamed_in, streamed_out) = (streamed(op.input.as_ref()), streamed(op.output.as_ref()));
    if op.event_stream {
        return event_stream_call(ctx, op, streamed_in, streamed_out);
    }
    // A streamed input is moved: its body is sent, not copied.
    let (param, arg) = input_param(ctx, op, streamed_in.is_some());
    if streamed_in.is_none() && streamed_out.is_none() {
        return quote! {
            /// Sends the operation through the client's protocol.
            pub async fn #method(handle: &#rt::Handle #param) -> #result {
                let response = handle.call(&#desc, #arg).await;
                #rt::protocol::finish(handle, &#desc, response)
            }
        };
    }
    let body = match streamed_in {
        Some(m) => {
            let f = ident(&m.field);
            let check = m.requires_length.then(|| {
                let msg = format!(
                    "`{}` must have a known length (`@requiresLength`): build the `ByteStream` from bytes, or declare its length with `with_content_length`",
                    m.name
                );
                quote! {
                    if input.#f.content_length().is_none() {
                        return ::std::result::Result::Err(#rt::SdkError::Construction(#rt::error::ConstructionError::new(#msg)));
                    }
                }
            });
            quote! {
                #check
                let body = ::std::option::Option::Some(::std::mem::take(&mut input.#f));
            }
        }
        None => quote!(let body = ::std::option::Option::None;),
    };
    let stream_output = streamed_out.is_some();
    let finish = match streamed_out {
        Some(m) => {
            let f = ident(&m.field);
            quote! {
                let (mut out, stream) = got;
                out.#f = stream;
                ::std::result::Result::Ok(out)
            }
        }
        None if op.output.is_none() => quote! {
            let ((), _) = got;
            ::std::result::Result::Ok(())
        },
        None => quote!(::std::result::Result::Ok(got.0)),
    };
    quote! {
        /// Sends the operation (its payload streamed) through the client's protocol.
        pub async fn #method(handle: &#rt::Handle #param) -> #result {
            #body
            let got: (#output_ty, #rt::ByteStream) = #rt::protocol::invoke_streaming(handle, &#desc, #arg, body, #stream_output).await?;
            #finish
        }
    }
}

/// The input parameter of an operation's function and the argument it passes on: the input
/// moved when `moved` (its stream is taken out), else borrowed; `Unit` without one.
fn input_param(ctx: &Ctx<'_>, op: &OperationIr, moved: bool) -> (TokenStream, TokenStream) {
    let rt = &ctx.rt;
    match &op.input {
        Some(i) if moved => {
            let i = ident(i);
            (quote!(, mut input: super::types::#i), quote!(&input))
        }
        Some(i) => {
            let i = ident(i);
            (quote!(, input: &super::types::#i), quote!(input))
        }
        None => (TokenStream::new(), quote!(&#rt::codec::Unit)),
    }
}

/// The function of an event-stream operation: the input's events (if any) are moved into
/// the request body, the response's events into the output's stream member.
fn event_stream_call(
    ctx: &Ctx<'_>,
    op: &OperationIr,
    stream_in: Option<&MemberIr>,
    stream_out: Option<&MemberIr>,
) -> TokenStream {
    let rt = &ctx.rt;
    let desc = descriptor_name(op);
    let method = ident(&op.method);
    let err = ident(&op.error_enum);
    // An input with events is moved (its events are sent); others are borrowed.
    let (param, arg) = input_param(ctx, op, stream_in.is_some());
    let events = match stream_in.filter(|m| m.event_stream.is_some()) {
        Some(m) => {
            let f = ident(&m.field);
            quote!(::std::option::Option::Some(::std::mem::take(&mut input.#f).into_events()))
        }
        None => quote!(::std::option::Option::None),
    };
    let (output_ty, finish) = match (&op.output, stream_out.filter(|m| m.event_stream.is_some())) {
        (Some(o), Some(m)) => {
            let (o, f) = (ident(o), ident(&m.field));
            let finish = quote! {
                let (mut out, events) = got;
                out.#f = #rt::event_stream::EventReceiver::new(events);
                ::std::result::Result::Ok(out)
            };
            (quote!(super::types::#o), finish)
        }
        (Some(o), None) => {
            let o = ident(o);
            (
                quote!(super::types::#o),
                quote!(::std::result::Result::Ok(got.0)),
            )
        }
        // A unit output: `Ok(got.0)` would pass `()` to a function (`clippy::unit_arg`).
        (None, _) => (
            quote!(()),
            quote!(let ((), _) = got; ::std::result::Result::Ok(())),
        ),
    };
    quote! {
        /// Sends the operation through the client's protocol; its events stream both ways.
        pub async fn #method(handle: &#rt::Handle #param) -> ::std::result::Result<#output_ty, #rt::SdkError<super::error::#err>> {
            let events = #events;
            let got: (#output_ty, #rt::event_stream::RawEvents) = #rt::event_stream::invoke(handle, &#desc, #arg, events).await?;
            #finish
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
            #i => ::std::result::Result::Ok(super::error::#err::#v(
                <super::types::#t as #rt::codec::DeserializeShape>::deserialize(
                    d,
                    &#rt::schema::Member::root(&super::schema::#t),
                )?,
            )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_runtime_trees() {
        let ty = quote!(rt::PathExpr);
        let tokens =
            |text: &str| path_expr(&ty, &crate::ir::parse_path(text).expect("a path")).to_string();
        assert_eq!(
            tokens("keys(Items)"),
            quote!(rt::PathExpr::Keys(&rt::PathExpr::Field("Items"))).to_string()
        );
        assert_eq!(
            tokens("Things[*].[A, \"B\\\"\"][]"),
            quote!(rt::PathExpr::Project(
                &rt::PathExpr::Flatten(&rt::PathExpr::Project(
                    &rt::PathExpr::Field("Things"),
                    &rt::PathExpr::MultiList(&[
                        rt::PathExpr::Field("A"),
                        rt::PathExpr::Field("B\"")
                    ])
                )),
                &rt::PathExpr::Identity
            ))
            .to_string()
        );
        assert_eq!(
            tokens("a.*"),
            quote!(rt::PathExpr::ValueProject(
                &rt::PathExpr::Field("a"),
                &rt::PathExpr::Identity
            ))
            .to_string()
        );
    }
}
