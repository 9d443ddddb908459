//! The client (one method per operation) and the operations' fluent builders.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Ctx, ident};
use crate::ir::{OperationIr, StructDef};

/// `pub struct Client` and the service's `ServiceMeta`.
pub(super) fn client(ctx: &Ctx<'_>) -> TokenStream {
    let rt = &ctx.rt;
    let svc = ctx.svc;
    let sdk_id = &svc.sdk_id;
    let signing = svc.signing_name.clone().unwrap_or_default();
    let prefix = &svc.endpoint_prefix;
    let version = &svc.api_version;
    let env_name = &svc.env_name;
    let rules = match &svc.endpoint_rules {
        Some(r) => quote!(::std::option::Option::Some(#r)),
        None => quote!(::std::option::Option::None),
    };
    let shape_name = &svc.shape_name;
    let protocols = super::operation::protocol_statics(svc, rt);
    let query_compatible = svc.query_compatible;
    let xml_namespace = super::schema::xml_namespace(rt, svc.xml_namespace.as_ref());
    let methods = svc.operations.iter().map(|op| {
        let m = ident(&op.method);
        let b = ident(&op.builder);
        let d = super::doc(op.docs.as_deref());
        quote! {
            #d
            pub fn #m(&self) -> operation::#b {
                operation::#b::new(self.handle.clone())
            }
        }
    });
    let mut doc_text = format!(
        "A client for {sdk_id}.\n\nCheap to clone: clones share configuration, credentials and connections."
    );
    if !svc.client_context_params.is_empty() {
        doc_text.push_str(
            "\n\nClient context parameters of the endpoint rules (set them with `ConfigBuilder::client_context_param`):\n",
        );
        for p in &svc.client_context_params {
            let ty = match p.ty {
                crate::ir::ParamType::String => "string",
                crate::ir::ParamType::Boolean => "boolean",
                crate::ir::ParamType::StringArray => "list of strings",
            };
            let docs = p
                .docs
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            doc_text.push_str(&format!("\n- `{}` ({ty}): {docs}", p.name));
        }
    }
    let doc = super::doc_lines(&doc_text);
    let example_op = svc.operations.first().map(|op| op.method.clone());
    let example = example_op.map(|m| {
        let text = super::doc_lines(&format!(
            "\n\n```ignore\n# async fn example(config: &{rt}::Config) {{\nlet client = Client::new(config);\nlet result = client.{m}()\n    // .member(value) ...\n    .send()\n    .await;\n# }}\n```",
            rt = rt.to_string().replace(' ', ""),
            m = super::bare(&m)
        ));
        quote!(#text)
    });
    quote! {
        #doc
        #example
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            handle: #rt::Handle,
        }
        impl Client {
            /// A client with the given configuration.
            pub fn new(config: &#rt::Config) -> Self {
                Client {
                    handle: #rt::Handle::new(config, &SERVICE),
                }
            }
            /// The configuration this client was made with.
            pub fn config(&self) -> &#rt::Config {
                self.handle.config()
            }
            #(#methods)*
        }
        /// Facts about the service the runtime needs: signing name, endpoint rules, ids.
        static SERVICE: #rt::ServiceMeta = #rt::ServiceMeta {
            sdk_id: #sdk_id,
            signing_name: #signing,
            endpoint_prefix: #prefix,
            api_version: #version,
            endpoint_rules: #rules,
            env_name: #env_name,
            shape_name: #shape_name,
            protocols: #protocols,
            query_compatible: #query_compatible,
            xml_namespace: #xml_namespace,
        };
    }
}

/// `presigned(config)`: the request presigned instead of sent, for SigV4 services' callable
/// operations (not event streams).
fn presigned(ctx: &Ctx<'_>, op: &OperationIr, callable: bool, input: &TokenStream) -> TokenStream {
    if !callable || op.event_stream || ctx.svc.signing_name.is_none() {
        return TokenStream::new();
    }
    let rt = &ctx.rt;
    let err = ident(&op.error_enum);
    let desc = super::descriptor_name(op);
    // An operation without input presigns the empty structure.
    let (bind, input) = if input.is_empty() {
        (quote!(()), quote!(&#rt::codec::Unit))
    } else {
        (quote!(input), input.clone())
    };
    quote! {
        /// Builds and validates the input like [`send`](Self::send), then presigns the
        /// request instead of sending it: the method, URL and headers anyone can send until
        /// `config`'s expiry.
        pub async fn presigned(self, config: &#rt::PresigningConfig) -> ::std::result::Result<#rt::PresignedRequest, #rt::SdkError<super::error::#err>> {
            let (handle, #bind) = self.prepare()?;
            handle.presign(&super::protocol::#desc, #input, config).await.map_err(#rt::error::SendError::widen)
        }
    }
}

/// `pub mod operation { ... }`: one fluent builder per operation.
pub(super) fn operation_module(ctx: &Ctx<'_>) -> TokenStream {
    let builders = ctx.svc.operations.iter().map(|op| fluent(ctx, op));
    quote! {
        /// Fluent builders: one per operation, returned by the [`Client`] methods.
        pub mod operation {
            #(#builders)*
        }
    }
}

fn fluent(ctx: &Ctx<'_>, op: &OperationIr) -> TokenStream {
    let rt = &ctx.rt;
    let name = ident(&op.builder);
    let method = ident(&op.method);
    let err = ident(&op.error_enum);
    let doc = super::doc_lines(&format!(
        "Builds and sends a `{}` request: set members, then call [`send`](Self::send).",
        op.name
    ));
    let output = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(super::types::#o)
        }
        None => quote!(()),
    };
    let result = quote!(::std::result::Result<#output, #rt::SdkError<super::error::#err>>);
    let input_struct = op.input.as_ref().and_then(|i| ctx.struct_def(i));
    let (field, new_inner, setters) = match input_struct {
        Some(s) => {
            let b = quote::format_ident!("{}Builder", super::bare(&s.name));
            let setters = s
                .members
                .iter()
                .map(|m| super::builders::setters(ctx, m, true));
            (
                quote!(inner: super::builders::#b,),
                quote!(inner: ::std::default::Default::default(),),
                quote! {
                    /// The input built so far.
                    pub fn as_input(&self) -> &super::builders::#b {
                        &self.inner
                    }
                    #(#setters)*
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new(), TokenStream::new()),
    };
    let mut_self = input_struct.is_some_and(|s| s.members.iter().any(|m| m.idempotency_token))
        && ctx.svc.protocol.in_runtime();
    let self_kw = if mut_self {
        quote!(mut self)
    } else {
        quote!(self)
    };
    let mut prepare = None;
    let mut presign_input = TokenStream::new();
    let send_body = match (&ctx.svc.protocol, input_struct) {
        (p, Some(s)) if p.in_runtime() => {
            // A streaming input is moved: its body is sent, not copied.
            let input_arg = if s.has_streaming() {
                quote!(input)
            } else {
                quote!(&input)
            };
            let fallible = super::builders::build_is_fallible(s);
            let build = if fallible {
                quote!(let input = self.inner.build().map_err(#rt::SdkError::Validation)?;)
            } else {
                quote!(let input = self.inner.build();)
            };
            let tokens = s.members.iter().filter(|m| m.idempotency_token).map(|m| {
                let get = super::prefixed("get", &m.field);
                let f = ident(&m.field);
                quote! {
                    if self.inner.#get().is_none() {
                        self.inner = self.inner.#f(self.handle.config().idempotency_token());
                    }
                }
            });
            let validate = if ctx.validation.needs(&s.name) {
                quote! {
                    if self.handle.config().validates_constraints() {
                        input.validate().map_err(#rt::SdkError::Validation)?;
                    }
                }
            } else {
                TokenStream::new()
            };
            let i = ident(&s.name);
            prepare = Some(quote! {
                /// Fills the idempotency token if unset, then builds and validates the input.
                fn prepare(#self_kw) -> ::std::result::Result<(#rt::Handle, super::types::#i), #rt::SdkError<super::error::#err>> {
                    #(#tokens)*
                    #build
                    #validate
                    ::std::result::Result::Ok((self.handle, input))
                }
            });
            presign_input = quote!(&input);
            quote! {
                let (handle, input) = self.prepare()?;
                super::protocol::#method(&handle, #input_arg).await
            }
        }
        (p, None) if p.in_runtime() => {
            presign_input = TokenStream::new();
            prepare = Some(quote! {
                fn prepare(self) -> ::std::result::Result<(#rt::Handle, ()), #rt::SdkError<super::error::#err>> {
                    ::std::result::Result::Ok((self.handle, ()))
                }
            });
            quote! {
                let (handle, ()) = self.prepare()?;
                super::protocol::#method(&handle).await
            }
        }
        (p, _) => {
            let msg = format!(
                "the protocol `{}` of this service is not supported by this generator yet",
                p.id()
            );
            quote! {
                let _ = &self.handle;
                ::std::result::Result::Err(#rt::SdkError::Construction(#rt::error::ConstructionError::new(#msg)))
            }
        }
    };
    // A `ByteStream` input cannot be cloned: no `Clone`, and no paginators (they clone).
    let streaming_input = input_struct.is_some_and(StructDef::has_streaming);
    let paginators = if streaming_input {
        TokenStream::new()
    } else {
        paginators(ctx, op, &output, &err)
    };
    let derive = if streaming_input {
        quote!(#[derive(::std::fmt::Debug)])
    } else {
        quote!(#[derive(::std::clone::Clone, ::std::fmt::Debug)])
    };
    let presigned = presigned(ctx, op, prepare.is_some(), &presign_input);
    // A waiter sends the input again and again: not for a streaming one.
    let waiters = if prepare.is_some() && !streaming_input {
        super::waiters::methods(ctx, op, &output, input_struct.is_some())
    } else {
        TokenStream::new()
    };
    let send_self = if mut_self && prepare.is_none() {
        quote!(mut self)
    } else {
        quote!(self)
    };
    quote! {
        #doc
        #derive
        pub struct #name {
            handle: #rt::Handle,
            #field
        }
        impl #name {
            pub(super) fn new(handle: #rt::Handle) -> Self {
                #name { handle, #new_inner }
            }
            #setters
            /// Fills the idempotency token if unset, builds and validates the input (every
            /// violation is reported at once, nothing is sent if any), then sends the request,
            /// retrying as configured.
                        pub async fn send(#send_self) -> #result {
                #send_body
            }
            /// Changes the client's configuration for this call only (the region, addressing
            /// style, retries, ...); the credentials, transport and endpoint rules are shared.
            pub fn config_override(mut self, f: impl ::std::ops::FnOnce(#rt::client::ConfigBuilder) -> #rt::client::ConfigBuilder) -> Self {
                self.handle = self.handle.with_config_override(f);
                self
            }
            #prepare
            #presigned
            #paginators
            #waiters
        }
    }
}

/// `into_paginator()` (a stream of pages) and, when the model names the items,
/// `into_item_paginator()` (a stream of items).
fn paginators(ctx: &Ctx<'_>, op: &OperationIr, output: &TokenStream, err: &Ident) -> TokenStream {
    let Some(p) = &op.pagination else {
        return TokenStream::new();
    };
    let rt = &ctx.rt;
    // The token goes in through the `set_` accessor, which takes the whole value for every
    // kind (the plain setter of a map or list inserts or appends one entry).
    let set_token = super::prefixed("set", &p.input_token);
    let token_ty = super::rust_type(&p.token, rt);
    let mut token = quote!(out);
    let last = p.output_token.len().saturating_sub(1);
    for (i, (field, optional)) in p.output_token.iter().enumerate() {
        let f = ident(field);
        token = if *optional && i < last {
            quote!(#token.#f.as_ref()?)
        } else {
            quote!(#token.#f)
        };
    }
    let token = match p.output_token.last() {
        Some((_, true)) => quote!(#token.clone()),
        _ => quote!(::std::option::Option::Some(#token.clone())),
    };
    let pages = quote! {
        /// Sends the request page by page: a stream of outputs that follows the page token
        /// until the service returns none (or an empty one).
        pub fn into_paginator(self) -> #rt::paginator::Paginator<#output, super::error::#err, #token_ty> {
            #rt::paginator::Paginator::new(
                move |token: ::std::option::Option<#token_ty>| {
                    let mut request = self.clone();
                    if token.is_some() {
                        request.inner = request.inner.#set_token(token);
                    }
                    ::std::boxed::Box::pin(request.send())
                },
                |out: &#output| -> ::std::option::Option<#token_ty> { #token },
            )
        }
    };
    let items = p.items.as_ref().map(|(path, item)| {
        let item_ty = super::rust_type(item, rt);
        let mut expr = quote!(out);
        let mut is_option = false;
        for (field, optional) in path {
            let f = ident(field);
            expr = match (is_option, *optional) {
                (false, _) => quote!(#expr.#f),
                (true, true) => quote!(#expr.and_then(|x| x.#f)),
                (true, false) => quote!(#expr.map(|x| x.#f)),
            };
            is_option = is_option || *optional;
        }
        let expr = if is_option {
            quote!(#expr.unwrap_or_default())
        } else {
            expr
        };
        quote! {
            /// Sends the request page by page: a stream of the items of every page.
            pub fn into_item_paginator(self) -> #rt::paginator::Items<#item_ty, #output, super::error::#err, #token_ty> {
                self.into_paginator().items(|out: #output| -> ::std::vec::Vec<#item_ty> { #expr })
            }
        }
    });
    quote!(#pages #items)
}
