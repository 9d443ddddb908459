//! Protocol compliance tests: turns the `smithy.test#httpRequestTests` and
//! `smithy.test#httpResponseTests` cases of a service (for the protocol its client speaks) into Rust test functions that
//! drive the generated client.
//!
//! Each case becomes a function returning `Result<(), String>`, listed in a `CASES` table that a
//! harness runs (so expected failures can be tracked in one list). Inputs and expected outputs
//! are built from the case's `params` through the generated builders, guided by the IR's
//! [`TypeRef`]s. Request cases send through the real pipeline (`protocol::<op>` with a
//! `Handle` over a recording transport: endpoint, host prefix, `Host` and `Content-Length`
//! are applied) without input validation, as the protocol tests expect; response cases feed
//! the status, headers and body to the runtime's `protocol::read_output` / `read_error` with
//! the operation's descriptor.
//!
//! The `smithy.test#eventStreamTests` cases are generated beside them, labelled
//! `eventStream:<id>` (see [`crate::event_stream_tests`]).
//!
//! The generated code refers to `<harness>::<service module>` (the generated client) and
//! `<harness>::support` (request checks, `block_on`, the `Case` type); see the
//! `anvil-protocol-tests` crate.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::emit::{ident, prefixed};
use crate::ir::{Kind, OperationIr, ServiceIr, StructDef, TypeDef, TypeRef};
use crate::model::{Model, Node, NodeValue, ShapeId};
use crate::{Config, Diagnostic, Error, Generated, GeneratedFile, ModelSource};

const REQUEST_TESTS: &str = "smithy.test#httpRequestTests";
const RESPONSE_TESTS: &str = "smithy.test#httpResponseTests";

/// The idempotency token request cases expect when they do not set one.
pub(crate) const FIXED_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

impl Config {
    /// Generates the protocol compliance tests of the selected services: one file
    /// per service that has client test cases, `<module>_protocol_tests.rs`. The code refers
    /// to `<harness_path>::<module>` for the generated client and `<harness_path>::support`
    /// for the helpers of the `anvil-protocol-tests` crate. Not a stable API.
    #[doc(hidden)]
    pub fn protocol_tests(
        &self,
        sources: &[ModelSource<'_>],
        harness_path: &str,
    ) -> Result<Generated, Error> {
        let sources: Vec<crate::model::Source<'_>> = sources
            .iter()
            .map(|s| crate::model::Source {
                name: s.name,
                text: s.text,
            })
            .collect();
        let outcome = crate::model::load(&sources);
        let mut diagnostics = outcome.diagnostics;
        let Some(model) = outcome.model else {
            return Err(Error { diagnostics });
        };
        let (services, ir_diagnostics) = crate::ir::build(&model, &self.selection);
        diagnostics.extend(ir_diagnostics);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Error { diagnostics });
        }
        let harness: TokenStream = harness_path.parse().map_err(|_| Error {
            diagnostics: vec![Diagnostic::error(format!(
                "`{harness_path}` is not a Rust path"
            ))],
        })?;
        let rt: TokenStream = self.runtime_path.parse().map_err(|_| Error {
            diagnostics: vec![Diagnostic::error(format!(
                "`{}` is not a Rust path",
                self.runtime_path
            ))],
        })?;
        let mut files = Vec::new();
        for svc in &services {
            if !svc.protocol.in_runtime() {
                continue;
            }
            let generator = Gen {
                model: &model,
                svc,
                rt: rt.clone(),
                svc_path: {
                    let m = ident(&svc.module);
                    quote!(#harness::#m)
                },
                support: quote!(#harness::support),
            };
            let tokens = generator.file();
            let contents = crate::emit::format_file(tokens).map_err(|e| Error {
                diagnostics: vec![Diagnostic::error(format!(
                    "internal error: the protocol tests generated for `{}` do not parse: {e}",
                    svc.id
                ))],
            })?;
            files.push(GeneratedFile {
                name: format!("{}_protocol_tests.rs", svc.module),
                contents,
            });
        }
        Ok(Generated {
            files,
            warnings: diagnostics,
        })
    }
}

/// Turns case JSON into Rust expressions over a generated client (also used by
/// `endpoint_tests.rs`).
pub(crate) struct Gen<'a> {
    pub(crate) model: &'a Model,
    pub(crate) svc: &'a ServiceIr,
    pub(crate) rt: TokenStream,
    pub(crate) svc_path: TokenStream,
    pub(crate) support: TokenStream,
}

/// One test case found in the model.
struct Case<'a> {
    id: String,
    node: &'a Node,
    op: &'a OperationIr,
    /// For error response cases: the error structure.
    error: Option<&'a StructDef>,
    request: bool,
}

/// The client cases of `node` for `protocol`.
pub(crate) fn cases_of<'n>(node: Option<&'n Node>, protocol: &str) -> Vec<&'n Node> {
    node.and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter(|c| {
            c.get("appliesTo").and_then(Node::as_str) != Some("server")
                && c.get("protocol").and_then(Node::as_str) == Some(protocol)
        })
        .collect()
}

pub(crate) fn str_of<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

pub(crate) fn strings_of(node: &Node, key: &str) -> Vec<String> {
    node.get(key)
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

pub(crate) fn pairs_of(node: &Node, key: &str) -> Vec<(String, String)> {
    node.get(key)
        .and_then(Node::as_object)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect()
}

impl Gen<'_> {
    fn traits_of(&self, id: &ShapeId) -> Option<&crate::model::Traits> {
        self.model.shape(id).map(|s| &s.traits)
    }

    fn cases(&self) -> Vec<Case<'_>> {
        let mut out = Vec::new();
        for op in &self.svc.operations {
            let Some(traits) = self.traits_of(&op.id) else {
                continue;
            };
            for (key, request) in [(REQUEST_TESTS, true), (RESPONSE_TESTS, false)] {
                for node in cases_of(traits.get(key), self.svc.protocol.id()) {
                    let id = str_of(node, "id").unwrap_or("unnamed").to_string();
                    out.push(Case {
                        id,
                        node,
                        op,
                        error: None,
                        request,
                    });
                }
            }
        }
        for def in self.svc.types.values() {
            let TypeDef::Struct(s) = def else { continue };
            if s.error.is_none() {
                continue;
            }
            let Some(traits) = self.traits_of(&s.id) else {
                continue;
            };
            let nodes = cases_of(traits.get(RESPONSE_TESTS), self.svc.protocol.id());
            if nodes.is_empty() {
                continue;
            }
            // Run against the first operation that can return the error.
            let Some(op) = self
                .svc
                .operations
                .iter()
                .find(|op| op.errors.iter().any(|e| e.type_name == s.name))
            else {
                continue;
            };
            for node in nodes {
                let id = str_of(node, "id").unwrap_or("unnamed").to_string();
                out.push(Case {
                    id,
                    node,
                    op,
                    error: Some(s),
                    request: false,
                });
            }
        }
        out
    }

    fn file(&self) -> TokenStream {
        let rt = &self.rt;
        let support = &self.support;
        let svc = self.svc;
        let sdk_id = &svc.sdk_id;
        let signing = svc.signing_name.clone().unwrap_or_default();
        let prefix = &svc.endpoint_prefix;
        let version = &svc.api_version;
        let rules = match &svc.endpoint_rules {
            Some(r) => quote!(::std::option::Option::Some(#r)),
            None => quote!(::std::option::Option::None),
        };
        let shape_name = &svc.shape_name;
        let protocols = crate::emit::protocol_statics(svc, rt);
        let query_compatible = svc.query_compatible;
        let xml_namespace = crate::emit::xml_namespace(rt, svc.xml_namespace.as_ref());
        let cases = self.cases();
        let mut fns = Vec::new();
        let mut table = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let kind = if case.request { "request" } else { "response" };
            let fname = format_ident!("{}_{}_{}", kind, heck::AsSnakeCase(&case.id).to_string(), i);
            let label = format!("{kind}:{}", case.id);
            let body = if case.request {
                self.request_case(case)
            } else {
                self.response_case(case)
            };
            let (f, entry) = case_fn(support, &fname, &label, body);
            fns.push(f);
            table.push(entry);
        }
        let (event_fns, event_table) = self.event_stream_cases();
        quote! {
            static SERVICE: #rt::ServiceMeta = #rt::ServiceMeta {
                sdk_id: #sdk_id,
                signing_name: #signing,
                endpoint_prefix: #prefix,
                api_version: #version,
                endpoint_rules: #rules,
                env_name: "",
                shape_name: #shape_name,
                protocols: #protocols,
                query_compatible: #query_compatible,
                xml_namespace: #xml_namespace,
            };
            /// Every client test case of the service, in model order (the event-stream
            /// cases last).
            pub static CASES: &[#support::Case] = &[#(#table)* #(#event_table)*];
            #(#fns)*
            #(#event_fns)*
        }
    }

    fn request_case(&self, case: &Case<'_>) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let support = &self.support;
        let svc = &self.svc_path;
        let node = case.node;
        let op = case.op;
        let method = ident(&op.method);
        let empty = Node {
            value: NodeValue::Object(Vec::new()),
            span: node.span.clone(),
        };
        let params = node.get("params").unwrap_or(&empty);
        let (input, call) = match op.input.as_ref().and_then(|i| self.struct_def(i)) {
            Some(s) => {
                let e = self.struct_expr(s, params, true)?;
                // An input with a `@streaming` payload is moved into the call.
                let arg = if s.has_streaming() {
                    quote!(input)
                } else {
                    quote!(&input)
                };
                (
                    quote!(let input = #e;),
                    quote!(#svc::protocol::#method(&handle, #arg)),
                )
            }
            None => (TokenStream::new(), quote!(#svc::protocol::#method(&handle))),
        };
        let host = str_of(node, "host").unwrap_or("example.com");
        let endpoint = format!("https://{host}");
        let code = op.http.as_ref().map(|h| h.code).unwrap_or(200);
        let expected = self.expected_request(node);
        let (endpoint_config, operation_config) = vendor_config(node)
            .unwrap_or_else(|| (quote!(.endpoint_url(#endpoint)), TokenStream::new()));
        // An operation-scoped configuration goes through the per-call override.
        let operation_override = (!operation_config.is_empty())
            .then(|| quote!(let handle = handle.with_config_override(|b| b #operation_config);));
        Ok(quote! {
            let replay = #rt::http::test::ReplayClient::new(::std::vec![#rt::http::HttpResponse::new(#code, "")]);
            let config = #rt::Config::builder()
                #endpoint_config
                .http_client(replay.clone())
                .idempotency_token_provider(|| ::std::string::String::from(#FIXED_TOKEN))
                .build();
            let handle = #rt::Handle::new(&config, &SERVICE);
            #operation_override
            #input
            let outcome = #support::block_on(#call)?.err().map(|e| e.to_string());
            let ::std::option::Option::Some(request) = replay.requests().into_iter().next() else {
                return ::std::result::Result::Err(::std::format!("no request was sent: {:?}", outcome));
            };
            #support::check_request(&request, &#expected)
        })
    }

    /// The `support::ExpectedRequest` of an `httpRequestTests` case (or an event-stream
    /// case's `initialRequest`).
    pub(crate) fn expected_request(&self, node: &Node) -> TokenStream {
        let support = &self.support;
        let expect_method = str_of(node, "method").unwrap_or_default();
        let uri = str_of(node, "uri").unwrap_or_default();
        let resolved = match str_of(node, "resolvedHost") {
            Some(h) => quote!(::std::option::Option::Some(#h)),
            None => quote!(::std::option::Option::None),
        };
        let query = strings_of(node, "queryParams");
        let forbid_query = strings_of(node, "forbidQueryParams");
        let require_query = strings_of(node, "requireQueryParams");
        let headers = pairs_of(node, "headers")
            .into_iter()
            .map(|(k, v)| quote!((#k, #v)));
        let forbid_headers = strings_of(node, "forbidHeaders");
        let require_headers = strings_of(node, "requireHeaders");
        let body = match str_of(node, "body") {
            Some(b) => quote!(::std::option::Option::Some(#b)),
            None => quote!(::std::option::Option::None),
        };
        let media = match str_of(node, "bodyMediaType") {
            Some(b) => quote!(::std::option::Option::Some(#b)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            #support::ExpectedRequest {
                method: #expect_method,
                uri: #uri,
                resolved_host: #resolved,
                query: &[#(#query),*],
                forbid_query: &[#(#forbid_query),*],
                require_query: &[#(#require_query),*],
                headers: &[#(#headers),*],
                forbid_headers: &[#(#forbid_headers),*],
                require_headers: &[#(#require_headers),*],
                body: #body,
                media_type: #media,
            }
        }
    }

    fn response_case(&self, case: &Case<'_>) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let support = &self.support;
        let svc = &self.svc_path;
        let node = case.node;
        let op = case.op;
        let code = node
            .get("code")
            .and_then(Node::as_number)
            .and_then(|n| n.as_i64())
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or(200);
        let body = str_of(node, "body").unwrap_or_default();
        let headers = pairs_of(node, "headers")
            .into_iter()
            .map(|(k, v)| quote!(.with_header(#k, #v)));
        let empty = Node {
            value: NodeValue::Object(Vec::new()),
            span: node.span.clone(),
        };
        let params = node.get("params").unwrap_or(&empty);
        let nan = has_nan(params);
        // Binary bodies (CBOR) are base64 in the case.
        let body = if str_of(node, "bodyMediaType") == Some("application/cbor") {
            quote!(#rt::Blob::from_base64(#body).map_err(|e| ::std::format!("the case's body is not base64: {e}"))?.into_inner())
        } else {
            quote!(#body)
        };
        let protocol_id = self.svc.protocol.id();
        let response = quote! {
            let response = #rt::http::HttpResponse::new(#code, #body) #(#headers)*;
            let protocol = #rt::protocol::by_id(#protocol_id).ok_or("the runtime does not speak this protocol")?;
        };
        let desc = crate::emit::descriptor_name(op);
        let err_ty = {
            let e = ident(&op.error_enum);
            quote!(#svc::error::#e)
        };
        let out_ty = match &op.output {
            Some(o) => {
                let o = ident(o);
                quote!(#svc::types::#o)
            }
            None => quote!(()),
        };
        let read = quote!(#rt::protocol::read_output::<#out_ty, #err_ty>(protocol, &#svc::protocol::#desc, &response));
        if let Some(err) = case.error {
            let expected = self.struct_expr(err, params, false)?;
            let e = ident(&op.error_enum);
            let variant = op
                .errors
                .iter()
                .find(|e| e.type_name == err.name)
                .map(|e| ident(&e.variant))
                .ok_or("the error is not one of the operation's")?;
            return Ok(quote! {
                #response
                let expected = #expected;
                match #rt::protocol::read_error::<#err_ty>(protocol, &SERVICE, &#svc::protocol::#desc, &response) {
                    #rt::SdkError::Service(s) => match s.into_err() {
                        #svc::error::#e::#variant(got) => #support::compare(&got, &expected, #nan),
                        other => ::std::result::Result::Err(::std::format!("wrong error: {:?}", other)),
                    },
                    other => ::std::result::Result::Err(::std::format!("not a modeled error: {}", other)),
                }
            });
        }
        let Some(out) = op.output.as_ref().and_then(|o| self.struct_def(o)) else {
            // Unit output: the response must deserialize, there is nothing to compare.
            return Ok(quote! {
                #response
                #read.map_err(|e| ::std::format!("deserializing failed: {}", e))
            });
        };
        let expected = self.struct_expr(out, params, false)?;
        if out.has_streaming() {
            // A `ByteStream` cannot be compared: read both streams and compare the bytes,
            // then every other member one by one.
            let stream_field = out.members.iter().find(|m| m.streaming).map(|m| {
                let f = ident(&m.field);
                quote!(got.#f = stream;)
            });
            let checks = out.members.iter().map(|m| {
                let f = ident(&m.field);
                if m.streaming {
                    quote! {
                        let got_bytes = #support::block_on(got.#f.collect())?.map_err(|e| e.to_string())?;
                        let want_bytes = #support::block_on(expected.#f.collect())?.map_err(|e| e.to_string())?;
                        #support::compare(&got_bytes, &want_bytes, false)?;
                    }
                } else {
                    quote!(#support::compare(&got.#f, &expected.#f, #nan)?;)
                }
            });
            return Ok(quote! {
                #response
                let expected = #expected;
                let (mut got, stream): (#out_ty, #rt::ByteStream) = #rt::protocol::read_output_streaming::<#out_ty, #err_ty>(protocol, &#svc::protocol::#desc, response.into())
                    .map_err(|e| ::std::format!("deserializing failed: {}", e))?;
                #stream_field
                #(#checks)*
                ::std::result::Result::Ok(())
            });
        }
        Ok(quote! {
            #response
            let expected = #expected;
            let got = #read.map_err(|e| ::std::format!("deserializing failed: {}", e))?;
            #support::compare(&got, &expected, #nan)
        })
    }

    pub(crate) fn struct_def(&self, name: &str) -> Option<&StructDef> {
        match self.svc.types.get(name) {
            Some(TypeDef::Struct(s)) => Some(s),
            _ => None,
        }
    }

    /// `types::S::builder().set_m(Some(..))..build()`; for inputs, an unset idempotency
    /// token is filled from the configuration as the fluent builder does.
    pub(crate) fn struct_expr(
        &self,
        s: &StructDef,
        node: &Node,
        input: bool,
    ) -> Result<TokenStream, String> {
        let svc = &self.svc_path;
        let t = ident(&s.name);
        let entries = node
            .as_object()
            .ok_or_else(|| format!("`{}` params are not an object", s.name))?;
        let mut setters = Vec::new();
        for (key, value) in entries {
            let m = s
                .members
                .iter()
                .find(|m| &m.name == key)
                .ok_or_else(|| format!("`{}` has no member `{key}`", s.name))?;
            if matches!(value.value, NodeValue::Null) {
                continue;
            }
            let mut e = if m.streaming {
                let s = value
                    .as_str()
                    .ok_or_else(|| format!("unexpected param value for `{}`", m.ty.target))?;
                let bytes = Literal::byte_string(s.as_bytes());
                let rt = &self.rt;
                quote!(#rt::ByteStream::from(#bytes.to_vec()))
            } else {
                self.value(&m.ty, value)?
            };
            if m.boxed {
                e = quote!(::std::boxed::Box::new(#e));
            }
            let set = prefixed("set", &m.field);
            setters.push(quote!(.#set(::std::option::Option::Some(#e))));
        }
        if input {
            for m in s.members.iter().filter(|m| m.idempotency_token) {
                if !entries.iter().any(|(k, _)| k == &m.name) {
                    let set = prefixed("set", &m.field);
                    setters.push(
                        quote!(.#set(::std::option::Option::Some(config.idempotency_token()))),
                    );
                }
            }
        }
        let fallible = s.members.iter().any(|m| m.required && m.default.is_none());
        let name = &s.name;
        let build = if fallible {
            quote!(.build().map_err(|e| ::std::format!("building `{}` failed: {}", #name, e))?)
        } else {
            quote!(.build())
        };
        Ok(quote!(#svc::types::#t::builder() #(#setters)* #build))
    }

    /// A Rust expression of type `ty` for the param value `node`.
    pub(crate) fn value(&self, ty: &TypeRef, node: &Node) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let svc = &self.svc_path;
        let bad = || format!("unexpected param value for `{}`", ty.target);
        Ok(match &ty.kind {
            Kind::String => {
                let s = node.as_str().ok_or_else(bad)?;
                quote!(::std::string::String::from(#s))
            }
            Kind::Bool => {
                let b = node.as_bool().ok_or_else(bad)?;
                quote!(#b)
            }
            Kind::Byte | Kind::Short | Kind::Integer | Kind::Long => {
                let n = node.as_number().and_then(|n| n.as_i64()).ok_or_else(bad)?;
                let lit = match &ty.kind {
                    Kind::Byte => Literal::i8_suffixed(i8::try_from(n).map_err(|_| bad())?),
                    Kind::Short => Literal::i16_suffixed(i16::try_from(n).map_err(|_| bad())?),
                    Kind::Integer => Literal::i32_suffixed(i32::try_from(n).map_err(|_| bad())?),
                    _ => Literal::i64_suffixed(n),
                };
                quote!(#lit)
            }
            Kind::Float | Kind::Double => {
                let t = if ty.kind == Kind::Float {
                    quote!(f32)
                } else {
                    quote!(f64)
                };
                match &node.value {
                    NodeValue::String(s) if s == "NaN" => quote!(#t::NAN),
                    NodeValue::String(s) if s == "Infinity" => quote!(#t::INFINITY),
                    NodeValue::String(s) if s == "-Infinity" => quote!(#t::NEG_INFINITY),
                    NodeValue::Number(n) => {
                        let v = n.as_f64().ok_or_else(bad)?;
                        if ty.kind == Kind::Float {
                            let lit = Literal::f32_suffixed(v as f32);
                            quote!(#lit)
                        } else {
                            let lit = Literal::f64_suffixed(v);
                            quote!(#lit)
                        }
                    }
                    _ => return Err(bad()),
                }
            }
            Kind::Blob => {
                let s = node.as_str().ok_or_else(bad)?;
                let bytes = Literal::byte_string(s.as_bytes());
                quote!(#rt::Blob::new(#bytes.to_vec()))
            }
            // Event-stream cases write timestamps as RFC 3339 text.
            Kind::Timestamp if node.as_str().is_some() => {
                let s = node.as_str().unwrap_or_default();
                quote!(#rt::DateTime::parse(#rt::TimestampFormat::DateTime, #s).map_err(|e| e.to_string())?)
            }
            Kind::Timestamp => {
                let n = node.as_number().ok_or_else(bad)?;
                if let Some(secs) = n.as_i64().filter(|_| n.is_integer()) {
                    quote!(#rt::DateTime::from_secs(#secs))
                } else {
                    let v = n.as_f64().ok_or_else(bad)?;
                    quote!(#rt::DateTime::from_fractional_secs(#v).ok_or("bad timestamp")?)
                }
            }
            Kind::Document => self.document(node),
            Kind::BigInteger | Kind::BigDecimal => {
                let text = match &node.value {
                    NodeValue::Number(n) => n.as_text().to_string(),
                    NodeValue::String(s) => s.clone(),
                    _ => return Err(bad()),
                };
                let t = if ty.kind == Kind::BigInteger {
                    quote!(#rt::BigInteger)
                } else {
                    quote!(#rt::BigDecimal)
                };
                quote!(#text.parse::<#t>().map_err(|e| e.to_string())?)
            }
            Kind::Enum(n) => {
                let s = node.as_str().ok_or_else(bad)?;
                let n = ident(n);
                quote!(#svc::types::#n::from(#s))
            }
            Kind::IntEnum(n) => {
                let v = node
                    .as_number()
                    .and_then(|n| n.as_i64())
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(bad)?;
                let n = ident(n);
                quote!(#svc::types::#n(#v))
            }
            Kind::Struct(n) => {
                let s = self
                    .struct_def(n)
                    .ok_or_else(|| format!("no structure `{n}`"))?;
                self.struct_expr(s, node, false)?
            }
            Kind::Union(n) => {
                let Some(TypeDef::Union(u)) = self.svc.types.get(n) else {
                    return Err(format!("no union `{n}`"));
                };
                let entries = node.as_object().ok_or_else(bad)?;
                let [(key, value)] = entries else {
                    return Err(format!("union `{n}` params must set exactly one member"));
                };
                let var = u
                    .variants
                    .iter()
                    .find(|v| &v.name == key)
                    .ok_or_else(|| format!("union `{n}` has no member `{key}`"))?;
                let t = ident(n);
                let vi = ident(&var.variant);
                match &var.ty {
                    Some(ty) => {
                        let mut e = self.value(ty, value)?;
                        if var.boxed {
                            e = quote!(::std::boxed::Box::new(#e));
                        }
                        quote!(#svc::types::#t::#vi(#e))
                    }
                    None => quote!(#svc::types::#t::#vi),
                }
            }
            Kind::List { member, sparse } => {
                let items = node.as_array().ok_or_else(bad)?;
                let mut out = Vec::new();
                for item in items {
                    out.push(self.optional(member, *sparse, item)?);
                }
                quote!(::std::vec![#(#out),*])
            }
            Kind::Map { key, value, sparse } => {
                let entries = node.as_object().ok_or_else(bad)?;
                let mut out = Vec::new();
                for (k, v) in entries {
                    let k = match &key.kind {
                        Kind::Enum(n) => {
                            let n = ident(n);
                            quote!(#svc::types::#n::from(#k))
                        }
                        _ => quote!(::std::string::String::from(#k)),
                    };
                    let v = self.optional(value, *sparse, v)?;
                    out.push(quote!((#k, #v)));
                }
                quote!(::std::collections::BTreeMap::from([#(#out),*]))
            }
        })
    }

    fn optional(&self, ty: &TypeRef, sparse: bool, node: &Node) -> Result<TokenStream, String> {
        if !sparse {
            return self.value(ty, node);
        }
        if matches!(node.value, NodeValue::Null) {
            return Ok(quote!(::std::option::Option::None));
        }
        let e = self.value(ty, node)?;
        Ok(quote!(::std::option::Option::Some(#e)))
    }

    fn document(&self, node: &Node) -> TokenStream {
        let rt = &self.rt;
        match &node.value {
            NodeValue::Null => quote!(#rt::Document::Null),
            NodeValue::Bool(b) => quote!(#rt::Document::Bool(#b)),
            NodeValue::String(s) => quote!(#rt::Document::String(::std::string::String::from(#s))),
            NodeValue::Number(n) => {
                if let Some(i) = n.as_i64().filter(|_| n.is_integer()) {
                    quote!(#rt::Document::from(#i))
                } else {
                    let f = n.as_f64().unwrap_or_default();
                    quote!(#rt::Document::from(#f))
                }
            }
            NodeValue::Array(items) => {
                let items = items.iter().map(|i| self.document(i));
                quote!(#rt::Document::Array(::std::vec![#(#items),*]))
            }
            NodeValue::Object(entries) => {
                let entries = entries.iter().map(|(k, v)| {
                    let v = self.document(v);
                    quote!((::std::string::String::from(#k), #v))
                });
                quote!(#rt::Document::Object(::std::collections::BTreeMap::from([#(#entries),*])))
            }
        }
    }
}

/// Whether params hold a NaN, which `==` never matches.
pub(crate) fn has_nan(node: &Node) -> bool {
    match &node.value {
        NodeValue::String(s) => s == "NaN",
        NodeValue::Array(items) => items.iter().any(has_nan),
        NodeValue::Object(entries) => entries.iter().any(|(_, v)| has_nan(v)),
        _ => false,
    }
}

/// The client configuration of a case's `vendorParams` (`aws.protocoltests.config#AwsConfig`:
/// the S3 cases' region and addressing options), when it names a region (the endpoint then
/// comes from the service's rules), and the operation-scoped override, if any.
fn vendor_config(node: &Node) -> Option<(TokenStream, TokenStream)> {
    let scoped = node.get("vendorParams")?.get("scopedConfig")?;
    let client = scoped.get("client")?;
    let region = str_of(client, "region")?;
    let mut config = quote!(.region(#region));
    config.extend(s3_settings(client));
    let operation = scoped.get("operation").map(s3_settings).unwrap_or_default();
    Some((config, operation))
}

/// The builder calls for a scope's `s3` settings.
fn s3_settings(scope: &Node) -> TokenStream {
    let mut out = TokenStream::new();
    let Some(s3) = scope.get("s3") else {
        return out;
    };
    match str_of(s3, "addressing_style") {
        Some("path") => out.extend(quote!(.force_path_style(true))),
        Some("virtual") => out.extend(quote!(.force_path_style(false))),
        _ => {}
    }
    let flag = |k: &str| s3.get(k).and_then(Node::as_bool);
    if let Some(on) = flag("use_dualstack_endpoint") {
        out.extend(quote!(.use_dual_stack(#on)));
    }
    if let Some(on) = flag("use_accelerate_endpoint") {
        out.extend(quote!(.accelerate(#on)));
    }
    out
}

/// One case's function (its body, or a failure saying why the generator cannot express the
/// case) and its entry in the runner's table.
pub(crate) fn case_fn(
    support: &TokenStream,
    fname: &proc_macro2::Ident,
    label: &str,
    body: Result<TokenStream, String>,
) -> (TokenStream, TokenStream) {
    let body = body.unwrap_or_else(|msg| {
        let msg = format!("the generator cannot express this case: {msg}");
        quote!(::std::result::Result::Err(::std::string::String::from(#msg)))
    });
    let f = quote! {
        fn #fname() -> ::std::result::Result<(), ::std::string::String> {
            #body
        }
    };
    (f, quote!(#support::Case { id: #label, run: #fname },))
}
