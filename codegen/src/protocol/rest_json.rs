//! `aws.protocols#restJson1`: HTTP bindings plus JSON bodies keyed by member name (or
//! `@jsonName`), epoch-seconds timestamps by default, base64 blobs, error codes from
//! `X-Amzn-Errortype` or the body.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::{Ctx, bare, ident};
use crate::ir::{
    Binding, Kind, MemberIr, OperationIr, PathSegment, StructDef, TimestampFormat, TypeDef, TypeRef,
};

/// `mod protocol { ... }`
pub(super) fn module(ctx: &Ctx<'_>) -> TokenStream {
    let (ser_set, de_set) = nested_sets(ctx);
    let ops = ctx.svc.operations.iter().map(|op| operation(ctx, op));
    let sers = ser_set.iter().map(|n| ser_aggregate(ctx, n));
    let des = de_set.iter().map(|n| de_aggregate(ctx, n));
    let mut error_types = BTreeSet::new();
    for op in &ctx.svc.operations {
        for e in &op.errors {
            error_types.insert(e.type_name.clone());
        }
    }
    let error_des = error_types.iter().filter_map(|n| de_error_struct(ctx, n));
    quote! {
        /// restJson1 serializers and deserializers. Public only so that conformance tests can
        /// drive them directly; not a stable API.
        #[doc(hidden)]
        pub mod protocol {
            #(#ops)*
            #(#sers)*
            #(#des)*
            #(#error_des)*
        }
    }
}

/// The local variable that collects a member while deserializing (`m_<field>`: generated
/// locals never start with `m_`, so member names cannot shadow them).
fn local(m: &MemberIr) -> Ident {
    format_ident!("m_{}", bare(&m.field))
}

/// Where a structure is (de)serialized: HTTP binding traits apply only to the top-level input
/// (labels, query, headers, payload) and output or error (headers, payload, response code).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Nested,
    Input,
    Output,
}

/// The members with the bindings that take effect on `side`; the others travel in the body.
fn effective(members: &[MemberIr], side: Side) -> Vec<MemberIr> {
    members
        .iter()
        .map(|m| {
            let body = matches!(
                (&m.binding, side),
                (_, Side::Nested)
                    | (Binding::ResponseCode, Side::Input)
                    | (
                        Binding::Label | Binding::Query(_) | Binding::QueryParams,
                        Side::Output
                    )
            );
            let mut m = m.clone();
            if body {
                m.binding = Binding::Body(m.json_name.clone());
            }
            m
        })
        .collect()
}

fn fn_name(prefix: &str, name: &str) -> Ident {
    format_ident!("{}_{}", prefix, heck::AsSnakeCase(bare(name)).to_string())
}

/// Aggregates that need nested JSON serializers / deserializers (reached through bodies and
/// payloads of inputs / outputs and errors).
fn nested_sets(ctx: &Ctx<'_>) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut ser = BTreeSet::new();
    let mut de = BTreeSet::new();
    let mut ser_roots = Vec::new();
    let mut de_roots = Vec::new();
    for op in &ctx.svc.operations {
        if let Some(s) = op.input.as_ref().and_then(|i| ctx.struct_def(i)) {
            for m in &effective(&s.members, Side::Input) {
                if matches!(m.binding, Binding::Body(_) | Binding::Payload) {
                    ser_roots.push(m.ty.clone());
                }
            }
        }
        let mut outs: Vec<&StructDef> = Vec::new();
        if let Some(s) = op.output.as_ref().and_then(|o| ctx.struct_def(o)) {
            outs.push(s);
        }
        for e in &op.errors {
            if let Some(s) = ctx.struct_def(&e.type_name) {
                outs.push(s);
            }
        }
        for s in outs {
            for m in &effective(&s.members, Side::Output) {
                if matches!(m.binding, Binding::Body(_) | Binding::Payload) {
                    de_roots.push(m.ty.clone());
                }
            }
        }
    }
    close(ctx, ser_roots, &mut ser);
    close(ctx, de_roots, &mut de);
    (ser, de)
}

fn close(ctx: &Ctx<'_>, mut stack: Vec<TypeRef>, set: &mut BTreeSet<String>) {
    while let Some(ty) = stack.pop() {
        match &ty.kind {
            Kind::Struct(n) | Kind::Union(n) if set.insert(n.clone()) => {
                match ctx.svc.types.get(n) {
                    Some(TypeDef::Struct(s)) => {
                        stack.extend(s.members.iter().map(|m| m.ty.clone()))
                    }
                    Some(TypeDef::Union(u)) => {
                        stack.extend(u.variants.iter().filter_map(|v| v.ty.clone()))
                    }
                    _ => {}
                }
            }
            Kind::List { member, .. } => stack.push((**member).clone()),
            Kind::Map { key, value, .. } => {
                stack.push((**key).clone());
                stack.push((**value).clone());
            }
            _ => {}
        }
    }
}

fn ts_format(
    rt: &TokenStream,
    f: Option<TimestampFormat>,
    default: TimestampFormat,
) -> TokenStream {
    match f.unwrap_or(default) {
        TimestampFormat::DateTime => quote!(#rt::TimestampFormat::DateTime),
        TimestampFormat::EpochSeconds => quote!(#rt::TimestampFormat::EpochSeconds),
        TimestampFormat::HttpDate => quote!(#rt::TimestampFormat::HttpDate),
    }
}

// ---------------------------------------------------------------------------------------------
// Serialization

/// Statements writing the value `e` (a reference) of type `ty` to the writer `w`.
fn ser_value(ctx: &Ctx<'_>, ty: &TypeRef, e: &TokenStream, depth: u32) -> TokenStream {
    let rt = &ctx.rt;
    match &ty.kind {
        Kind::String => quote!(w.string(#e);),
        Kind::Bool => quote!(w.bool(*#e);),
        Kind::Byte | Kind::Short | Kind::Integer => quote!(w.i64(i64::from(*#e));),
        Kind::Long => quote!(w.i64(*#e);),
        Kind::Float => quote!(w.f32(*#e);),
        Kind::Double => quote!(w.f64(*#e);),
        Kind::Blob => quote!(w.blob(#e);),
        Kind::Timestamp => {
            let f = ts_format(rt, ty.timestamp_format, TimestampFormat::EpochSeconds);
            quote!(w.timestamp(#e, #f);)
        }
        Kind::Document => quote!(w.document(#e);),
        Kind::BigInteger => quote!(w.big_integer(#e);),
        Kind::BigDecimal => quote!(w.big_decimal(#e);),
        Kind::Enum(_) => quote!(w.string(#e.as_str());),
        Kind::IntEnum(_) => quote!(w.i64(i64::from(#e.value()));),
        Kind::Struct(n) | Kind::Union(n) => {
            let f = fn_name("ser_shape", n);
            quote!(#f(w, #e);)
        }
        Kind::List { member, sparse } => {
            let item = format_ident!("item{}", depth);
            let inner = ser_value(ctx, member, &quote!(#item), depth + 1);
            let inner = if *sparse {
                quote! {
                    match #item {
                        ::std::option::Option::Some(#item) => { #inner }
                        ::std::option::Option::None => w.null(),
                    }
                }
            } else {
                inner
            };
            quote! {
                w.begin_array();
                for #item in #e.iter() {
                    #inner
                }
                w.end_array();
            }
        }
        Kind::Map { key, value, sparse } => {
            let item = format_ident!("item{}", depth);
            let k = format_ident!("key{}", depth);
            let inner = ser_value(ctx, value, &quote!(#item), depth + 1);
            let inner = if *sparse {
                quote! {
                    match #item {
                        ::std::option::Option::Some(#item) => { #inner }
                        ::std::option::Option::None => w.null(),
                    }
                }
            } else {
                inner
            };
            let _ = key;
            quote! {
                w.begin_object();
                for (#k, #item) in #e.iter() {
                    w.key(#k.as_str());
                    #inner
                }
                w.end_object();
            }
        }
    }
}

/// Statements writing `key: value` for each body member of the structure bound to `v`.
/// `top_level` members (of an operation input) that hold their `@default` are left out: the
/// service applies the same default, and clients must not send what the caller did not set.
fn ser_members<'a>(
    ctx: &Ctx<'_>,
    members: impl Iterator<Item = &'a MemberIr>,
    top_level: bool,
) -> Vec<TokenStream> {
    members
        .filter_map(|m| {
            let Binding::Body(key) = &m.binding else {
                return None;
            };
            let f = ident(&m.field);
            if m.is_optional() {
                let w = ser_value(ctx, &m.ty, &quote!(value), 0);
                Some(quote! {
                    if let ::std::option::Option::Some(value) = &v.#f {
                        w.key(#key);
                        #w
                    }
                })
            } else {
                let w = ser_value(ctx, &m.ty, &quote!(value), 0);
                let skip = match &m.default {
                    Some(_) if top_level && m.boxed => None,
                    Some(_)
                        if top_level
                            && matches!(m.ty.kind, Kind::List { .. } | Kind::Map { .. }) =>
                    {
                        Some(quote!(value.is_empty()))
                    }
                    Some(d) if top_level => {
                        let d = crate::emit::default_value(ctx, &m.ty, d);
                        Some(quote!(::std::cmp::PartialEq::eq(value, &#d)))
                    }
                    _ => None,
                };
                match skip {
                    Some(skip) => Some(quote! {
                        {
                            let value = &v.#f;
                            if !#skip {
                                w.key(#key);
                                #w
                            }
                        }
                    }),
                    None => Some(quote! {
                        {
                            let value = &v.#f;
                            w.key(#key);
                            #w
                        }
                    }),
                }
            }
        })
        .collect()
}

fn ser_aggregate(ctx: &Ctx<'_>, name: &str) -> TokenStream {
    let rt = &ctx.rt;
    let f = fn_name("ser_shape", name);
    let t = ident(name);
    match ctx.svc.types.get(name) {
        Some(TypeDef::Struct(s)) => {
            let members = effective(&s.members, Side::Nested);
            let body = ser_members(ctx, members.iter(), false);
            let v = if body.is_empty() {
                quote!(_v)
            } else {
                quote!(v)
            };
            quote! {
                pub fn #f(w: &mut #rt::json::JsonWriter, #v: &super::types::#t) {
                    w.begin_object();
                    #(#body)*
                    w.end_object();
                }
            }
        }
        Some(TypeDef::Union(u)) => {
            let arms = u.variants.iter().map(|var| {
                let vi = ident(&var.variant);
                let key = &var.json_name;
                match &var.ty {
                    Some(ty) => {
                        let w = ser_value(ctx, ty, &quote!(value), 0);
                        quote!(super::types::#t::#vi(value) => { w.key(#key); #w })
                    }
                    None => quote! {
                        super::types::#t::#vi => {
                            w.key(#key);
                            w.begin_object();
                            w.end_object();
                        }
                    },
                }
            });
            quote! {
                pub fn #f(w: &mut #rt::json::JsonWriter, v: &super::types::#t) {
                    w.begin_object();
                    match v {
                        #(#arms)*
                        // Validation refuses `Unknown` before anything is serialized.
                        super::types::#t::Unknown => {}
                    }
                    w.end_object();
                }
            }
        }
        _ => TokenStream::new(),
    }
}

/// A `String` expression for a label, query or header value.
fn to_text(
    ctx: &Ctx<'_>,
    ty: &TypeRef,
    e: &TokenStream,
    default_ts: TimestampFormat,
) -> TokenStream {
    let rt = &ctx.rt;
    match &ty.kind {
        Kind::String => quote!(::std::string::String::from(#e.as_str())),
        Kind::Enum(_) => quote!(::std::string::String::from(#e.as_str())),
        Kind::IntEnum(_) => quote!(#e.value().to_string()),
        Kind::Timestamp => {
            let f = ts_format(rt, ty.timestamp_format, default_ts);
            quote!(#e.format(#f))
        }
        Kind::Blob => quote!(#e.to_base64()),
        Kind::Float => quote!(#rt::binding::float_text32(*#e)),
        Kind::Double => quote!(#rt::binding::float_text(*#e)),
        _ => quote!(#e.to_string()),
    }
}

fn operation(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let method = ident(&op.method);
    let err = ident(&op.error_enum);
    let meta = crate::emit::operation_meta(ctx, op);
    let output = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(super::types::#o)
        }
        None => quote!(()),
    };
    let input_struct = op.input.as_ref().and_then(|i| ctx.struct_def(i));
    // `@streaming` payloads: the input is taken by value (its stream is moved into the
    // request), the output's stream is handed back unread.
    let streaming_in = input_struct.and_then(|s| s.members.iter().find(|m| m.streaming));
    let streaming_out = op
        .output
        .as_ref()
        .and_then(|o| ctx.struct_def(o))
        .is_some_and(StructDef::has_streaming);
    let (param, arg) = match input_struct {
        Some(s) if streaming_in.is_some() => {
            let t = ident(&s.name);
            (quote!(, mut input: super::types::#t), quote!(&input))
        }
        Some(s) => {
            let t = ident(&s.name);
            (quote!(, input: &super::types::#t), quote!(input))
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    let ser = fn_name("ser_request", &op.builder);
    let de_out = fn_name("de_output", &op.builder);
    let de_err = fn_name("de_errors", &op.builder);
    let ser_fn = ser_request(ctx, op, input_struct, &ser);
    let (prefix_build, prefix_arg) = match &op.host_prefix {
        Some(template) => {
            let build = host_prefix(ctx, template, input_struct);
            (quote!(let host_prefix = { #build };), quote!(&host_prefix))
        }
        None => (TokenStream::new(), quote!("")),
    };
    let send = if streaming_in.is_some() || streaming_out {
        let body = match streaming_in {
            Some(m) => {
                let f = ident(&m.field);
                quote!(::std::option::Option::Some(::std::mem::take(&mut input.#f)))
            }
            None => quote!(::std::option::Option::None),
        };
        let buffer = if streaming_out {
            TokenStream::new()
        } else {
            quote! {
                let response = response
                    .into_buffered(#rt::http::DEFAULT_MAX_RESPONSE_BODY)
                    .await
                    .map_err(#rt::SdkError::Transport)?;
            }
        };
        quote! {
            #prefix_build
            let response = handle.dispatch_streaming(&OPERATION, request, #body, #prefix_arg).await.map_err(#rt::error::SendError::widen)?;
            #buffer
        }
    } else if op.host_prefix.is_some() {
        quote! {
            #prefix_build
            let response = handle.dispatch(&OPERATION, request, #prefix_arg).await.map_err(#rt::error::SendError::widen)?;
        }
    } else {
        quote!(let response = handle.dispatch(&OPERATION, request, "").await.map_err(#rt::error::SendError::widen)?;)
    };
    let handle_response = if streaming_out {
        quote! {
            if response.is_success() {
                let status = response.status;
                #de_out(response)
                    .map_err(|e| #rt::SdkError::Response(#rt::error::ResponseError::new(status, e.to_string())))
            } else {
                // Error responses were read whole by the runtime: this does not wait.
                let response = response
                    .into_buffered(#rt::http::DEFAULT_MAX_RESPONSE_BODY)
                    .await
                    .map_err(#rt::SdkError::Transport)?;
                ::std::result::Result::Err(#de_err(&response))
            }
        }
    } else {
        quote! {
            if (200..300).contains(&response.status) {
                #de_out(&response)
                    .map_err(|e| #rt::SdkError::Response(#rt::error::ResponseError::deserialize(&response, e)))
            } else {
                ::std::result::Result::Err(#de_err(&response))
            }
        }
    };
    let de_out_fn = de_output(ctx, op, &de_out);
    let de_err_fn = de_error(ctx, op, &de_err);
    quote! {
        pub async fn #method(
            handle: &#rt::Handle #param
        ) -> ::std::result::Result<#output, #rt::SdkError<super::error::#err>> {
            static OPERATION: #rt::OperationMeta = #meta;
            let request = #ser(#arg).map_err(#rt::SdkError::Construction)?;
            #send
            #handle_response
        }
        #ser_fn
        #de_out_fn
        #de_err_fn
    }
}

/// Statements (using `?` on `SdkError`) making the `@endpoint` host prefix from its template:
/// `{name}` takes the `@hostLabel` member's value, which must be a valid host label.
fn host_prefix(ctx: &Ctx<'_>, template: &str, input: Option<&StructDef>) -> TokenStream {
    let rt = &ctx.rt;
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (lit, after) = rest.split_at(open);
        parts.push(push_literal(lit));
        let after = after.get(1..).unwrap_or_default();
        let (label, tail) = after.split_once('}').unwrap_or((after, ""));
        rest = tail;
        let member = input.and_then(|s| s.members.iter().find(|m| m.name == label && m.host_label));
        let Some(m) = member else {
            let msg = format!("the host label `{label}` has no member bound to it");
            parts.push(quote!(return ::std::result::Result::Err(#rt::SdkError::Construction(#rt::error::ConstructionError::new(#msg)));));
            continue;
        };
        let f = ident(&m.field);
        let check = quote!(out.push_str(#rt::binding::host_label(value, #label).map_err(#rt::SdkError::Construction)?););
        if m.is_optional() {
            let msg = format!("the host label `{label}` must be set");
            parts.push(quote! {
                match &input.#f {
                    ::std::option::Option::Some(value) => { #check }
                    ::std::option::Option::None => {
                        return ::std::result::Result::Err(#rt::SdkError::Construction(#rt::error::ConstructionError::new(#msg)));
                    }
                }
            });
        } else {
            parts.push(quote!({ let value = &input.#f; #check }));
        }
    }
    parts.push(push_literal(rest));
    quote! {
        let mut out = ::std::string::String::new();
        #(#parts)*
        out
    }
}

/// `out.push_str(lit)` (`out.push(c)` for one character; nothing when empty).
fn push_literal(lit: &str) -> TokenStream {
    let mut chars = lit.chars();
    match (chars.next(), chars.next()) {
        (None, _) => TokenStream::new(),
        (Some(c), None) => quote!(out.push(#c);),
        _ => quote!(out.push_str(#lit);),
    }
}

fn ser_request(
    ctx: &Ctx<'_>,
    op: &OperationIr,
    input: Option<&StructDef>,
    fname: &Ident,
) -> TokenStream {
    let rt = &ctx.rt;
    let http = op.http.as_ref();
    let http_method = http.map(|h| h.method.as_str()).unwrap_or("POST");
    // AWS service customizations the AWS SDKs apply (checked by the protocol tests).
    let glacier = ctx.svc.sdk_id == "Glacier";
    let mut custom = Vec::new();
    if ctx.svc.sdk_id == "API Gateway" {
        custom.push(quote! {
            headers.insert("accept", #rt::binding::HeaderValue::from_static("application/json"));
        });
    }
    if glacier {
        let version = &ctx.svc.api_version;
        custom.push(quote! {
            headers.insert("x-amz-glacier-version", #rt::binding::header_value(#version, "x-amz-glacier-version")?);
        });
    }
    let owned = input
        .map(|s| effective(&s.members, Side::Input))
        .unwrap_or_default();
    let members: Vec<&MemberIr> = owned.iter().collect();
    let find = |label: &str| {
        members
            .iter()
            .find(|m| m.name == label && m.binding == Binding::Label)
    };

    // Path.
    let mut path = Vec::new();
    for seg in http.map(|h| h.path.as_slice()).unwrap_or_default() {
        match seg {
            PathSegment::Literal(l) => {
                let text = format!("/{l}");
                path.push(quote!(uri.push_str(#text);));
            }
            PathSegment::Label(l) | PathSegment::Greedy(l) => {
                let greedy = matches!(seg, PathSegment::Greedy(_));
                let Some(m) = find(l) else {
                    let msg = format!("the URI label `{l}` has no member bound to it");
                    path.push(quote!(return ::std::result::Result::Err(#rt::error::ConstructionError::new(#msg));));
                    continue;
                };
                let f = ident(&m.field);
                let mut text = to_text(ctx, &m.ty, &quote!(value), TimestampFormat::DateTime);
                let label = &m.name;
                if glacier && label == "accountId" {
                    // Glacier customization: an empty account id means the caller's, `-`.
                    text = quote!({
                        let text = #text;
                        if text.is_empty() { ::std::string::String::from("-") } else { text }
                    });
                }
                let encode = quote!(#rt::binding::encode_label(&#text, #greedy, #label)?);
                if m.is_optional() {
                    let msg = format!("the URI label `{label}` must be set");
                    path.push(quote! {
                        match &v.#f {
                            ::std::option::Option::Some(value) => {
                                uri.push('/');
                                uri.push_str(&#encode);
                            }
                            ::std::option::Option::None => {
                                return ::std::result::Result::Err(#rt::error::ConstructionError::new(#msg));
                            }
                        }
                    });
                } else {
                    path.push(quote! {
                        {
                            let value = &v.#f;
                            uri.push('/');
                            uri.push_str(&#encode);
                        }
                    });
                }
            }
        }
    }
    if path.is_empty() {
        path.push(quote!(uri.push('/');));
    }

    // Query.
    let mut literal = Vec::new();
    let mut flags = Vec::new();
    for (k, v) in http.map(|h| h.query.as_slice()).unwrap_or_default() {
        match v {
            Some(v) => literal
                .push(quote!((::std::string::String::from(#k), ::std::string::String::from(#v)))),
            None => flags.push(quote!(#rt::binding::append_query_flag(&mut uri, #k);)),
        }
    }
    let mut query = Vec::new();
    for m in &members {
        let Binding::Query(name) = &m.binding else {
            continue;
        };
        let f = ident(&m.field);
        let push = match &m.ty.kind {
            Kind::List { member, .. } => {
                let t = to_text(ctx, member, &quote!(item), TimestampFormat::DateTime);
                quote! {
                    for item in value.iter() {
                        query.push((::std::string::String::from(#name), #t));
                    }
                }
            }
            _ => {
                let t = to_text(ctx, &m.ty, &quote!(value), TimestampFormat::DateTime);
                quote!(query.push((::std::string::String::from(#name), #t));)
            }
        };
        query.push(bind_optional(m, &f, push));
    }
    for m in &members {
        if m.binding != Binding::QueryParams {
            continue;
        }
        let f = ident(&m.field);
        let push = match &m.ty.kind {
            Kind::Map { value, .. } => match &value.kind {
                Kind::List { member, .. } => {
                    let t = to_text(ctx, member, &quote!(item), TimestampFormat::DateTime);
                    quote! {
                        for (key, items) in value.iter() {
                            if query.iter().any(|(k, _)| k == key) { continue; }
                            for item in items.iter() {
                                query.push((key.clone(), #t));
                            }
                        }
                    }
                }
                _ => {
                    let t = to_text(ctx, value, &quote!(item), TimestampFormat::DateTime);
                    quote! {
                        for (key, item) in value.iter() {
                            if query.iter().any(|(k, _)| k == key) { continue; }
                            query.push((key.clone(), #t));
                        }
                    }
                }
            },
            _ => TokenStream::new(),
        };
        query.push(bind_optional(m, &f, push));
    }
    let query_code = if query.is_empty() && literal.is_empty() {
        quote!(#(#flags)*)
    } else {
        let mutable = if query.is_empty() {
            quote!()
        } else {
            quote!(mut)
        };
        quote! {
            let #mutable query: ::std::vec::Vec<(::std::string::String, ::std::string::String)> = ::std::vec![#(#literal),*];
            #(#query)*
            #rt::binding::append_query(&mut uri, &query);
            #(#flags)*
        }
    };

    // Headers.
    let mut headers = Vec::new();
    for m in &members {
        let f = ident(&m.field);
        match &m.binding {
            Binding::Header(name) => {
                let lname = name.to_ascii_lowercase();
                let text = match &m.ty.kind {
                    // HTTP dates hold a comma but are never quoted in lists.
                    Kind::List { member, .. } if member.kind == Kind::Timestamp => {
                        let t = to_text(ctx, member, &quote!(item), TimestampFormat::HttpDate);
                        quote!(value.iter().map(|item| #t).collect::<::std::vec::Vec<_>>().join(", "))
                    }
                    Kind::List { member, .. } => {
                        let t = to_text(ctx, member, &quote!(item), TimestampFormat::HttpDate);
                        quote!(value.iter().map(|item| #rt::binding::quote_header_list_item(&#t)).collect::<::std::vec::Vec<_>>().join(", "))
                    }
                    Kind::String if m.media_type.is_some() => {
                        quote!(#rt::Blob::new(value.as_bytes().to_vec()).to_base64())
                    }
                    _ => to_text(ctx, &m.ty, &quote!(value), TimestampFormat::HttpDate),
                };
                let insert = quote! {
                    headers.insert(#lname, #rt::binding::header_value(&#text, #name)?);
                };
                headers.push(bind_optional(m, &f, insert));
            }
            Binding::PrefixHeaders(prefix) => {
                let insert = quote! {
                    for (key, item) in value.iter() {
                        let name = #rt::binding::header_name(&::std::format!("{}{}", #prefix, key))?;
                        headers.insert(name, #rt::binding::header_value(item, #prefix)?);
                    }
                };
                headers.push(bind_optional(m, &f, insert));
            }
            _ => {}
        }
    }

    // Body.
    let body_members: Vec<&MemberIr> = members
        .iter()
        .copied()
        .filter(|m| matches!(m.binding, Binding::Body(_)))
        .collect();
    let payload = members.iter().find(|m| m.binding == Binding::Payload);
    let streaming = payload.filter(|m| m.streaming);
    let body = if let Some(m) = streaming {
        // The stream is not read here: the operation moves it into the request, and the
        // request's own body stays empty.
        let f = ident(&m.field);
        let content_type = m
            .media_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        let length_check = if m.requires_length {
            let msg = format!(
                "`{}` must have a known length (`@requiresLength`): build the `ByteStream` from bytes, or declare its length with `with_content_length`",
                m.name
            );
            quote! {
                if v.#f.content_length().is_none() {
                    return ::std::result::Result::Err(#rt::error::ConstructionError::new(#msg));
                }
            }
        } else {
            TokenStream::new()
        };
        quote! {
            headers.entry("content-type").or_insert(#rt::binding::HeaderValue::from_static(#content_type));
            #length_check
            let body = #rt::bytes::Bytes::new();
        }
    } else if let Some(m) = payload {
        let f = ident(&m.field);
        let (content_type, produce) = match &m.ty.kind {
            Kind::Blob => (
                m.media_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
                quote!(#rt::bytes::Bytes::from(value.as_bytes().to_vec())),
            ),
            Kind::String | Kind::Enum(_) => (
                m.media_type.as_deref().unwrap_or("text/plain"),
                quote!(#rt::bytes::Bytes::from(::std::string::String::from(value.as_str()))),
            ),
            _ => {
                let w = ser_value(ctx, &m.ty, &quote!(value), 0);
                (
                    "application/json",
                    quote!({
                        let mut writer = #rt::json::JsonWriter::new();
                        let w = &mut writer;
                        #w
                        #rt::bytes::Bytes::from(writer.finish())
                    }),
                )
            }
        };
        let content_type = quote! {
            headers.entry("content-type").or_insert(#rt::binding::HeaderValue::from_static(#content_type));
        };
        // An unset structure payload is sent as an empty object.
        let unset = if matches!(m.ty.kind, Kind::Struct(_)) {
            quote! {
                headers.entry("content-type").or_insert(#rt::binding::HeaderValue::from_static("application/json"));
                #rt::bytes::Bytes::from_static(b"{}")
            }
        } else {
            quote!(#rt::bytes::Bytes::new())
        };
        if m.is_optional() {
            quote! {
                let body = if let ::std::option::Option::Some(value) = &v.#f {
                    #content_type
                    #produce
                } else {
                    #unset
                };
            }
        } else {
            quote! {
                let value = &v.#f;
                #content_type
                let body = #produce;
            }
        }
    } else if !body_members.is_empty() {
        let writes = ser_members(ctx, body_members.iter().copied(), true);
        quote! {
            let mut writer = #rt::json::JsonWriter::new();
            let w = &mut writer;
            w.begin_object();
            #(#writes)*
            w.end_object();
            headers.insert("content-type", #rt::binding::HeaderValue::from_static("application/json"));
            let body = #rt::bytes::Bytes::from(writer.finish());
        }
    } else {
        quote!(let body = #rt::bytes::Bytes::new();)
    };

    let uses_input = !members.is_empty();
    let param = match input {
        Some(s) => {
            let t = ident(&s.name);
            if uses_input {
                quote!(v: &super::types::#t)
            } else {
                quote!(_v: &super::types::#t)
            }
        }
        None => TokenStream::new(),
    };
    let method_tokens = match http_method {
        "GET" => quote!(#rt::binding::Method::GET),
        "PUT" => quote!(#rt::binding::Method::PUT),
        "POST" => quote!(#rt::binding::Method::POST),
        "DELETE" => quote!(#rt::binding::Method::DELETE),
        "PATCH" => quote!(#rt::binding::Method::PATCH),
        "HEAD" => quote!(#rt::binding::Method::HEAD),
        "OPTIONS" => quote!(#rt::binding::Method::OPTIONS),
        other => {
            quote!(#rt::binding::Method::from_bytes(#other.as_bytes()).map_err(|_| #rt::error::ConstructionError::new("invalid HTTP method"))?)
        }
    };
    let glacier_payload = glacier
        && members
            .iter()
            .any(|m| m.binding == Binding::Payload && m.ty.kind == Kind::Blob);
    // The bytes checksums are computed over: the body, or an in-memory stream's bytes (a
    // one-shot stream cannot be read twice: no checksum is computed for it).
    let over_body = |code: TokenStream| match streaming {
        Some(m) => {
            let f = ident(&m.field);
            quote!(if let ::std::option::Option::Some(body) = v.#f.bytes() { #code })
        }
        None => code,
    };
    if glacier_payload {
        custom.push(over_body(quote! {
            if !headers.contains_key("x-amz-content-sha256") {
                headers.insert("x-amz-content-sha256", #rt::binding::header_value(&#rt::binding::hex_sha256(&body), "x-amz-content-sha256")?);
            }
            if !headers.contains_key("x-amz-sha256-tree-hash") {
                headers.insert("x-amz-sha256-tree-hash", #rt::binding::header_value(&#rt::binding::sha256_tree_hash(&body), "x-amz-sha256-tree-hash")?);
            }
        }));
    }
    let md5 = if op.checksum_required {
        over_body(quote! {
            headers.insert("content-md5", #rt::binding::header_value(&#rt::binding::content_md5(&body), "Content-MD5")?);
        })
    } else {
        TokenStream::new()
    };
    let headers_mut = if headers.is_empty()
        && payload.is_none()
        && body_members.is_empty()
        && !op.checksum_required
        && custom.is_empty()
    {
        quote!(let headers = #rt::binding::HeaderMap::new();)
    } else {
        quote!(let mut headers = #rt::binding::HeaderMap::new();)
    };
    quote! {
        pub fn #fname(#param) -> ::std::result::Result<#rt::http::HttpRequest, #rt::error::ConstructionError> {
            let mut uri = ::std::string::String::new();
            #(#path)*
            #query_code
            #headers_mut
            #(#headers)*
            #body
            #md5
            #(#custom)*
            ::std::result::Result::Ok(#rt::http::HttpRequest {
                method: #method_tokens,
                uri,
                headers,
                body,
            })
        }
    }
}

/// Runs `code` with `value` bound to the member's value (skipped when an optional is unset).
fn bind_optional(m: &MemberIr, f: &Ident, code: TokenStream) -> TokenStream {
    if m.is_optional() {
        quote! {
            if let ::std::option::Option::Some(value) = &v.#f {
                #code
            }
        }
    } else {
        quote! {
            {
                let value = &v.#f;
                #code
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Deserialization

/// An expression (using `?`) reading a `ty` from the `&Value` expression `v`.
fn de_value(ctx: &Ctx<'_>, ty: &TypeRef, v: &TokenStream, path: &str, depth: u32) -> TokenStream {
    let rt = &ctx.rt;
    let j = quote!(#rt::json);
    match &ty.kind {
        Kind::String => quote!(#j::string(#v, #path)?),
        Kind::Bool => quote!(#j::bool(#v, #path)?),
        Kind::Byte => quote!(#j::i8(#v, #path)?),
        Kind::Short => quote!(#j::i16(#v, #path)?),
        Kind::Integer => quote!(#j::i32(#v, #path)?),
        Kind::Long => quote!(#j::i64(#v, #path)?),
        Kind::Float => quote!(#j::f32(#v, #path)?),
        Kind::Double => quote!(#j::f64(#v, #path)?),
        Kind::Blob => quote!(#j::blob(#v, #path)?),
        Kind::Timestamp => {
            let f = ts_format(rt, ty.timestamp_format, TimestampFormat::EpochSeconds);
            quote!(#j::timestamp(#v, #path, #f)?)
        }
        Kind::Document => quote!(#j::document(#v, #path)?),
        Kind::BigInteger => quote!(#j::big_integer(#v, #path)?),
        Kind::BigDecimal => quote!(#j::big_decimal(#v, #path)?),
        Kind::Enum(n) => {
            let n = ident(n);
            quote!(super::types::#n::from(#j::string(#v, #path)?))
        }
        Kind::IntEnum(n) => {
            let n = ident(n);
            quote!(super::types::#n(#j::i32(#v, #path)?))
        }
        Kind::Struct(n) | Kind::Union(n) => {
            let f = fn_name("de_shape", n);
            quote!(#f(#v)?)
        }
        Kind::List { member, sparse } => {
            let item = format_ident!("item{}", depth);
            let inner = de_value(ctx, member, &quote!(#item), path, depth + 1);
            let push = if *sparse {
                quote! {
                    if #item.is_null() {
                        out.push(::std::option::Option::None);
                    } else {
                        out.push(::std::option::Option::Some(#inner));
                    }
                }
            } else {
                quote! {
                    if !#item.is_null() {
                        out.push(#inner);
                    }
                }
            };
            quote!({
                let items = #j::array(#v, #path)?;
                let mut out = ::std::vec::Vec::with_capacity(items.len());
                for #item in items.iter() {
                    #push
                }
                out
            })
        }
        Kind::Map { key, value, sparse } => {
            let item = format_ident!("item{}", depth);
            let k = format_ident!("key{}", depth);
            let key_expr = match &key.kind {
                Kind::Enum(n) => {
                    let n = ident(n);
                    quote!(super::types::#n::from(#k.as_str()))
                }
                _ => quote!(#k.clone()),
            };
            let inner = de_value(ctx, value, &quote!(#item), path, depth + 1);
            let insert = if *sparse {
                quote! {
                    if #item.is_null() {
                        out.insert(#key_expr, ::std::option::Option::None);
                    } else {
                        out.insert(#key_expr, ::std::option::Option::Some(#inner));
                    }
                }
            } else {
                quote! {
                    if !#item.is_null() {
                        out.insert(#key_expr, #inner);
                    }
                }
            };
            quote!({
                let entries = #j::object(#v, #path)?;
                let mut out = ::std::collections::BTreeMap::new();
                for (#k, #item) in entries.iter() {
                    #insert
                }
                out
            })
        }
    }
}

/// `let mut f = None;` declarations and the loop over `obj` that fills body members.
fn read_body(
    ctx: &Ctx<'_>,
    type_name: &str,
    members: &[&MemberIr],
    obj: &TokenStream,
    error: bool,
) -> TokenStream {
    let body: Vec<&&MemberIr> = members
        .iter()
        .filter(|m| matches!(m.binding, Binding::Body(_)))
        .collect();
    if body.is_empty() {
        return TokenStream::new();
    }
    let taken: BTreeSet<&str> = body
        .iter()
        .filter_map(|m| match &m.binding {
            Binding::Body(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    let arms: Vec<(Vec<String>, TokenStream)> = body
        .iter()
        .filter_map(|m| {
            let Binding::Body(key) = &m.binding else {
                return None;
            };
            // restJson1 services spell an error's message `message`, `Message` or
            // `errorMessage` whatever the model calls it.
            let mut keys = vec![key.clone()];
            if error && m.name.eq_ignore_ascii_case("message") {
                for alias in ["message", "Message", "errorMessage"] {
                    if !keys.iter().any(|k| k == alias) && !taken.contains(alias) {
                        keys.push(alias.to_string());
                    }
                }
            }
            let f = local(m);
            let path = format!("{}.{}", bare(type_name), m.name);
            let value = de_value(ctx, &m.ty, &quote!(value), &path, 0);
            let value = if m.boxed {
                quote!(::std::boxed::Box::new(#value))
            } else {
                value
            };
            Some((keys, quote!(#f = ::std::option::Option::Some(#value);)))
        })
        .collect();
    let single = match arms.as_slice() {
        [(keys, set)] if keys.len() == 1 => Some((&keys[0], set)),
        _ => None,
    };
    let dispatch = if let Some((key, set)) = single {
        quote!(if key.as_str() == #key { #set })
    } else {
        let arms = arms
            .iter()
            .map(|(keys, set)| quote!(#(#keys)|* => { #set }));
        quote! {
            match key.as_str() {
                #(#arms)*
                _ => {}
            }
        }
    };
    quote! {
        for (key, value) in #obj.iter() {
            if value.is_null() {
                continue;
            }
            #dispatch
        }
    }
}

/// `let mut f = None;` for every member.
fn declare(members: &[&MemberIr]) -> TokenStream {
    let has_payload = members.iter().any(|m| m.binding == Binding::Payload);
    let decls = members.iter().map(|m| {
        let f = local(m);
        if m.binding == Binding::ResponseCode {
            // Bound directly from the status in the struct literal.
            return TokenStream::new();
        }
        let assigned = match m.binding {
            Binding::Body(_) => !has_payload,
            Binding::Header(_) | Binding::PrefixHeaders(_) | Binding::Payload => true,
            Binding::Label | Binding::Query(_) | Binding::QueryParams | Binding::ResponseCode => {
                false
            }
        };
        if assigned {
            quote!(let mut #f = ::std::option::Option::None;)
        } else {
            quote!(let #f = ::std::option::Option::None;)
        }
    });
    quote!(#(#decls)*)
}

/// The struct literal fields, applying defaults and error correction.
fn finish(ctx: &Ctx<'_>, type_name: &str, members: &[&MemberIr]) -> TokenStream {
    let fields = members.iter().map(|m| {
        let f = ident(&m.field);
        let l = local(m);
        if m.streaming {
            // Only in `de_output_streaming`, where the local is the `ByteStream` itself.
            return quote!(#f: #l,);
        }
        if m.binding == Binding::ResponseCode {
            return if m.is_optional() {
                quote!(#f: ::std::option::Option::Some(i32::from(status)),)
            } else {
                quote!(#f: i32::from(status),)
            };
        }
        if m.is_optional() {
            quote!(#f: #l,)
        } else if let Some(d) = &m.default {
            let d = crate::emit::unwrap_default(ctx, &m.ty, d, quote!(#l), m.boxed);
            quote!(#f: #d,)
        } else {
            let path = format!("{}.{}", bare(type_name), m.name);
            let value = crate::emit::required_value(ctx, m, quote!(#l), &path);
            quote!(#f: #value,)
        }
    });
    quote!(#(#fields)*)
}

fn de_aggregate(ctx: &Ctx<'_>, name: &str) -> TokenStream {
    let rt = &ctx.rt;
    let f = fn_name("de_shape", name);
    let t = ident(name);
    match ctx.svc.types.get(name) {
        Some(TypeDef::Struct(s)) => {
            let owned = effective(&s.members, Side::Nested);
            let members: Vec<&MemberIr> = owned.iter().collect();
            let decl = declare(&members);
            let read = read_body(ctx, name, &members, &quote!(obj), false);
            let init = finish(ctx, name, &members);
            let obj = if read.is_empty() {
                quote!(_obj)
            } else {
                quote!(obj)
            };
            quote! {
                pub fn #f(value: &#rt::json::Value) -> ::std::result::Result<super::types::#t, #rt::json::DeError> {
                    let #obj = #rt::json::object(value, #name)?;
                    #decl
                    #read
                    ::std::result::Result::Ok(super::types::#t { #init })
                }
            }
        }
        Some(TypeDef::Union(u)) => {
            let arms = u.variants.iter().map(|var| {
                let vi = ident(&var.variant);
                let key = &var.json_name;
                match &var.ty {
                    Some(ty) => {
                        let path = format!("{}.{}", bare(name), var.name);
                        let v = de_value(ctx, ty, &quote!(value), &path, 0);
                        let v = if var.boxed {
                            quote!(::std::boxed::Box::new(#v))
                        } else {
                            v
                        };
                        quote!(#key => super::types::#t::#vi(#v),)
                    }
                    None => quote!(#key => super::types::#t::#vi,),
                }
            });
            quote! {
                pub fn #f(value: &#rt::json::Value) -> ::std::result::Result<super::types::#t, #rt::json::DeError> {
                    let obj = #rt::json::object(value, #name)?;
                    let set = obj.iter().find(|(key, value)| !value.is_null() && key.as_str() != "__type");
                    ::std::result::Result::Ok(match set {
                        ::std::option::Option::Some((key, value)) => match key.as_str() {
                            #(#arms)*
                            _ => {
                                let _ = value;
                                super::types::#t::Unknown
                            }
                        },
                        ::std::option::Option::None => super::types::#t::Unknown,
                    })
                }
            }
        }
        _ => TokenStream::new(),
    }
}

/// Statements reading header-bound and status-bound members from `headers` / `status`.
fn read_http(ctx: &Ctx<'_>, type_name: &str, members: &[&MemberIr]) -> TokenStream {
    let rt = &ctx.rt;
    let mut out = Vec::new();
    for m in members {
        let f = local(m);
        let path = format!("{}.{}", bare(type_name), m.name);
        match &m.binding {
            Binding::Header(name) => {
                let parse = if m.ty.kind == Kind::String && m.media_type.is_some() {
                    quote!(#rt::binding::header_base64_text(text, #path)?)
                } else {
                    header_parse(ctx, &m.ty, &path)
                };
                out.push(quote! {
                    if let ::std::option::Option::Some(text) = #rt::binding::header_text(headers, #name, #path)? {
                        #f = ::std::option::Option::Some(#parse);
                    }
                });
            }
            Binding::PrefixHeaders(prefix) => {
                let lower = prefix.to_ascii_lowercase();
                out.push(quote! {
                    {
                        let mut map = ::std::collections::BTreeMap::new();
                        for (name, value) in headers.iter() {
                            if let (::std::option::Option::Some(suffix), ::std::result::Result::Ok(text)) =
                                (name.as_str().strip_prefix(#lower), value.to_str())
                            {
                                map.insert(::std::string::String::from(suffix), ::std::string::String::from(text));
                            }
                        }
                        if !map.is_empty() {
                            #f = ::std::option::Option::Some(map);
                        }
                    }
                });
            }
            Binding::ResponseCode => {}
            _ => {}
        }
    }
    quote!(#(#out)*)
}

/// An expression (using `?`) turning the header `text: &str` into the member's type.
fn header_parse(ctx: &Ctx<'_>, ty: &TypeRef, path: &str) -> TokenStream {
    let rt = &ctx.rt;
    let h = quote!(#rt::binding);
    match &ty.kind {
        Kind::String => quote!(::std::string::String::from(text)),
        Kind::Enum(n) => {
            let n = ident(n);
            quote!(super::types::#n::from(text))
        }
        Kind::Bool => quote!(#h::parse_header::<bool>(text, #path)?),
        Kind::Byte => quote!(#h::parse_header::<i8>(text, #path)?),
        Kind::Short => quote!(#h::parse_header::<i16>(text, #path)?),
        Kind::Integer => quote!(#h::parse_header::<i32>(text, #path)?),
        Kind::Long => quote!(#h::parse_header::<i64>(text, #path)?),
        Kind::Float => quote!(#h::parse_header::<f32>(text, #path)?),
        Kind::Double => quote!(#h::parse_header::<f64>(text, #path)?),
        Kind::IntEnum(n) => {
            let n = ident(n);
            quote!(super::types::#n(#h::parse_header::<i32>(text, #path)?))
        }
        Kind::Timestamp => {
            let f = ts_format(rt, ty.timestamp_format, TimestampFormat::HttpDate);
            quote!(#h::parse_header_timestamp(text, #f, #path)?)
        }
        Kind::List { member, .. } => {
            let inner = header_parse(ctx, member, path);
            let http_date = member.kind == Kind::Timestamp
                && member.timestamp_format.unwrap_or(TimestampFormat::HttpDate)
                    == TimestampFormat::HttpDate;
            let split = if http_date {
                quote!(#h::split_http_date_list(text))
            } else {
                quote!(#h::split_header_list(text))
            };
            quote!({
                let mut out = ::std::vec::Vec::new();
                for text in #split {
                    let text = text.as_str();
                    out.push(#inner);
                }
                out
            })
        }
        _ => quote!(return ::std::result::Result::Err(#rt::json::DeError::unsupported(#path))),
    }
}

fn de_output(ctx: &Ctx<'_>, op: &OperationIr, fname: &Ident) -> TokenStream {
    let rt = &ctx.rt;
    let Some(s) = op.output.as_ref().and_then(|o| ctx.struct_def(o)) else {
        return quote! {
            pub fn #fname(_response: &#rt::http::HttpResponse) -> ::std::result::Result<(), #rt::json::DeError> {
                ::std::result::Result::Ok(())
            }
        };
    };
    let t = ident(&s.name);
    let owned = effective(&s.members, Side::Output);
    let members: Vec<&MemberIr> = owned.iter().collect();
    let decl = declare(&members);
    let payload = members.iter().find(|m| m.binding == Binding::Payload);
    let body = if let Some(m) = payload {
        let f = local(m);
        let path = format!("{}.{}", bare(&s.name), m.name);
        if m.streaming {
            return de_output_streaming(ctx, s, &members, fname);
        }
        let value = match &m.ty.kind {
            Kind::Blob => quote!(#rt::Blob::new(response.body.to_vec())),
            Kind::String => quote!(#rt::binding::body_text(&response.body, #path)?),
            Kind::Enum(n) => {
                let n = ident(n);
                quote!(super::types::#n::from(#rt::binding::body_text(&response.body, #path)?))
            }
            _ => {
                let v = de_value(ctx, &m.ty, &quote!(parsed), &path, 0);
                quote!({
                    let parsed = &#rt::json::parse_body(&response.body)?;
                    #v
                })
            }
        };
        quote! {
            if !response.body.is_empty() {
                #f = ::std::option::Option::Some(#value);
            }
        }
    } else {
        let read = read_body(ctx, &s.name, &members, &quote!(obj), false);
        if read.is_empty() {
            TokenStream::new()
        } else {
            let name = &s.name;
            quote! {
                let parsed = #rt::json::parse_body(&response.body)?;
                let obj = #rt::json::object(&parsed, #name)?;
                #read
            }
        }
    };
    let http = read_http(ctx, &s.name, &members);
    let (headers, status, uses_headers, uses_status) = response_locals(&members);
    let init = finish(ctx, &s.name, &members);
    let resp = if body.is_empty() && !uses_headers && !uses_status {
        quote!(_response)
    } else {
        quote!(response)
    };
    quote! {
        pub fn #fname(#resp: &#rt::http::HttpResponse) -> ::std::result::Result<super::types::#t, #rt::json::DeError> {
            #headers
            #status
            #decl
            #body
            #http
            ::std::result::Result::Ok(super::types::#t { #init })
        }
    }
}

/// The `headers` and `status` locals an output reader needs (empty when no member is bound
/// to a header or the status code), and whether each is needed.
fn response_locals(members: &[&MemberIr]) -> (TokenStream, TokenStream, bool, bool) {
    let uses_headers = members
        .iter()
        .any(|m| matches!(m.binding, Binding::Header(_) | Binding::PrefixHeaders(_)));
    let uses_status = members.iter().any(|m| m.binding == Binding::ResponseCode);
    let headers = if uses_headers {
        quote!(let headers = &response.headers;)
    } else {
        TokenStream::new()
    };
    let status = if uses_status {
        quote!(let status = response.status;)
    } else {
        TokenStream::new()
    };
    (headers, status, uses_headers, uses_status)
}

/// `de_output_<op>` for an output with a `@streaming` payload: takes the response with its
/// body unread, and moves the body into the output.
fn de_output_streaming(
    ctx: &Ctx<'_>,
    s: &StructDef,
    members: &[&MemberIr],
    fname: &Ident,
) -> TokenStream {
    let rt = &ctx.rt;
    let t = ident(&s.name);
    let others: Vec<&MemberIr> = members.iter().copied().filter(|m| !m.streaming).collect();
    let decl = declare(&others);
    let http = read_http(ctx, &s.name, members);
    let (headers, status, _, _) = response_locals(members);
    let stream = members
        .iter()
        .find(|m| m.streaming)
        .map(|m| {
            let l = local(m);
            quote!(let #l = response.body;)
        })
        .unwrap_or_default();
    let init = finish(ctx, &s.name, members);
    quote! {
        pub fn #fname(response: #rt::http::StreamingResponse) -> ::std::result::Result<super::types::#t, #rt::json::DeError> {
            #headers
            #status
            #decl
            #http
            #stream
            ::std::result::Result::Ok(super::types::#t { #init })
        }
    }
}

/// `de_error_<name>(body, headers)` for an error structure.
fn de_error_struct(ctx: &Ctx<'_>, name: &str) -> Option<TokenStream> {
    let rt = &ctx.rt;
    let s = ctx.struct_def(name)?;
    let f = fn_name("de_error_shape", name);
    let t = ident(name);
    let owned = effective(&s.members, Side::Output);
    let members: Vec<&MemberIr> = owned.iter().collect();
    let decl = declare(&members);
    let read = read_body(ctx, name, &members, &quote!(body), true);
    let http = read_http(ctx, name, &members);
    let uses_headers = members
        .iter()
        .any(|m| matches!(m.binding, Binding::Header(_) | Binding::PrefixHeaders(_)));
    let init = finish(ctx, name, &members);
    let body_param = if read.is_empty() {
        quote!(_body)
    } else {
        quote!(body)
    };
    let headers_param = if uses_headers {
        quote!(headers)
    } else {
        quote!(_headers)
    };
    let status_param = if members.iter().any(|m| m.binding == Binding::ResponseCode) {
        quote!(status)
    } else {
        quote!(_status)
    };
    Some(quote! {
        pub fn #f(
            #body_param: &#rt::serde_json::Map<::std::string::String, #rt::json::Value>,
            #headers_param: &#rt::binding::HeaderMap,
            #status_param: u16,
        ) -> ::std::result::Result<super::types::#t, #rt::json::DeError> {
            #decl
            #read
            #http
            ::std::result::Result::Ok(super::types::#t { #init })
        }
    })
}

fn de_error(ctx: &Ctx<'_>, op: &OperationIr, fname: &Ident) -> TokenStream {
    let rt = &ctx.rt;
    let err = ident(&op.error_enum);
    let arms = op.errors.iter().map(|e| {
        let code = &e.code;
        let v = ident(&e.variant);
        let f = fn_name("de_error_shape", &e.type_name);
        quote!(::std::option::Option::Some(#code) => #f(&body, &response.headers, response.status).map(super::error::#err::#v),)
    });
    let unhandled = quote!(::std::result::Result::Ok(super::error::#err::Unhandled(#rt::Unhandled::new(meta.clone()))));
    let dispatch = if op.errors.is_empty() {
        unhandled
    } else {
        quote! {
            match meta.code() {
                #(#arms)*
                _ => #unhandled,
            }
        }
    };
    quote! {
        pub fn #fname(response: &#rt::http::HttpResponse) -> #rt::SdkError<super::error::#err> {
            let (meta, body) = match #rt::error::rest_json::parse_error(response) {
                ::std::result::Result::Ok(parsed) => parsed,
                ::std::result::Result::Err(e) => return #rt::SdkError::Response(e),
            };
            let _ = &body;
            let parsed = #dispatch;
            match parsed {
                ::std::result::Result::Ok(err) => #rt::SdkError::service(err, meta),
                ::std::result::Result::Err(e) => #rt::SdkError::Response(#rt::error::ResponseError::deserialize(response, e)),
            }
        }
    }
}
