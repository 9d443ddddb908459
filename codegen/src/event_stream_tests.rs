//! Event-stream compliance tests: turns the client cases of `smithy.test#eventStreamTests`
//! (on a service's operations, for the protocol its client speaks) into test functions over
//! the generated client, beside the HTTP cases of [`crate::protocol_tests`] (whose [`Gen`]
//! builds every value from the cases' params).
//!
//! A case sends its operation through `protocol::<op>` over a recording transport. The
//! input is built from `initialRequestParams` with the `request` events as its event stream;
//! the transport answers with the `initialResponse` (status, headers, body) or a 200
//! event-stream response whose body is the `response` events' `bytes`. Every event of the
//! output stream is then read. The checks: the request line and headers against
//! `initialRequest`, each sent message (decoded from the captured body) against its event's
//! typed headers, payload and bytes (`support::events`), and the outcome against the
//! `expectation` — on success the received events and the output's members equal values
//! built from the params, on failure an error comes out (the modeled variant `errorId`
//! names, if any).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::emit::ident;
use crate::ir::{Kind, MemberIr, OperationIr, StructDef};
use crate::model::{Node, NodeValue, Number};
use crate::protocol_tests::{
    FIXED_TOKEN, Gen, case_fn, cases_of, has_nan, pairs_of, str_of, strings_of,
};

const EVENT_STREAM_TESTS: &str = "smithy.test#eventStreamTests";

/// The content type of an event-stream body.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// One case and the parts of it the generator reads.
struct EsCase<'a> {
    node: &'a Node,
    op: &'a OperationIr,
    /// The events the client sends (`type: request`).
    sent: Vec<&'a Node>,
    /// The events the client receives (`type: response`).
    received: Vec<&'a Node>,
}

impl<'a> EsCase<'a> {
    fn new(node: &'a Node, op: &'a OperationIr) -> Self {
        let events = node
            .get("events")
            .and_then(Node::as_array)
            .unwrap_or_default();
        let of_type = |t: &str| {
            events
                .iter()
                .filter(|e| str_of(e, "type") == Some(t))
                .collect::<Vec<_>>()
        };
        EsCase {
            node,
            op,
            sent: of_type("request"),
            received: of_type("response"),
        }
    }

    /// The case expects an error.
    fn fails(&self) -> bool {
        self.node
            .get("expectation")
            .is_some_and(|e| e.get("failure").is_some())
    }

    /// The case's checks concern the request.
    fn checks_request(&self) -> bool {
        !self.sent.is_empty() || self.node.get("initialRequest").is_some()
    }
}

/// An empty object node, for absent params.
fn empty_object(at: &Node) -> Node {
    Node {
        value: NodeValue::Object(Vec::new()),
        span: at.span.clone(),
    }
}

impl Gen<'_> {
    /// The functions of the service's client event-stream cases and their `support::Case`
    /// table entries (labelled `eventStream:<id>`), in model order. A case the generator
    /// cannot express fails when run, saying why.
    pub(crate) fn event_stream_cases(&self) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let support = &self.support;
        let (mut fns, mut table) = (Vec::new(), Vec::new());
        for op in &self.svc.operations {
            let traits = self.model.shape(&op.id).map(|s| &s.traits);
            let nodes = cases_of(
                traits.and_then(|t| t.get(EVENT_STREAM_TESTS)),
                self.svc.protocol.id(),
            );
            for node in nodes {
                let id = str_of(node, "id").unwrap_or("unnamed");
                let snake = heck::AsSnakeCase(id).to_string();
                let fname = format_ident!("event_stream_{}_{}", snake, fns.len());
                let label = format!("eventStream:{id}");
                let body = self.event_stream_case(&EsCase::new(node, op));
                let (f, entry) = case_fn(support, &fname, &label, body);
                fns.push(f);
                table.push(entry);
            }
        }
        (fns, table)
    }

    /// The body of one case's function.
    fn event_stream_case(&self, case: &EsCase<'_>) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let support = &self.support;
        let host = case
            .node
            .get("initialRequest")
            .and_then(|r| str_of(r, "host"))
            .unwrap_or("example.com");
        let endpoint = format!("https://{host}");
        let response = self.es_response(case)?;
        let (input, call) = self.es_input(case)?;
        let read = self.es_read(case, &call)?;
        let request_checks = self.es_request_checks(case)?;
        let outcome_checks = if case.fails() {
            self.es_failure(case)?
        } else {
            self.es_success(case)?
        };
        Ok(quote! {
            #response
            let replay = #rt::http::test::ReplayClient::new(::std::vec![response]);
            let config = #rt::Config::builder()
                .endpoint_url(#endpoint)
                .http_client(replay.clone())
                .max_attempts(1)
                .idempotency_token_provider(|| ::std::string::String::from(#FIXED_TOKEN))
                .build();
            let handle = #rt::Handle::new(&config, &SERVICE);
            #input
            let outcome = #support::block_on(#read)?;
            #request_checks
            #outcome_checks
        })
    }

    /// `let response = ..;`: the `initialResponse` (its body, else the received events), or
    /// a 200 event-stream response of the received events.
    fn es_response(&self, case: &EsCase<'_>) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let support = &self.support;
        let messages = case
            .received
            .iter()
            .map(|e| self.es_message(e))
            .collect::<Result<Vec<_>, _>>()?;
        let events = quote!(#support::events::response_body(&[#(#messages),*])?);
        let (code, headers, body) = match case.node.get("initialResponse") {
            Some(r) => {
                let code = r
                    .get("code")
                    .and_then(Node::as_number)
                    .and_then(Number::as_i64)
                    .and_then(|n| u16::try_from(n).ok())
                    .unwrap_or(200);
                let body = match str_of(r, "body") {
                    Some(b) => quote!(#b),
                    None => events,
                };
                (code, pairs_of(r, "headers"), body)
            }
            None => (
                200,
                vec![("content-type".to_owned(), EVENT_STREAM.to_owned())],
                events,
            ),
        };
        let headers = headers.iter().map(|(k, v)| quote!(.with_header(#k, #v)));
        Ok(quote! {
            let response = #rt::http::HttpResponse::new(#code, #body) #(#headers)*;
        })
    }

    /// The statements building `input` (from `initialRequestParams`, its event stream the
    /// sent events) and the call of the operation.
    fn es_input(&self, case: &EsCase<'_>) -> Result<(TokenStream, TokenStream), String> {
        let rt = &self.rt;
        let svc = &self.svc_path;
        let method = ident(&case.op.method);
        let Some(s) = case.op.input.as_ref().and_then(|i| self.struct_def(i)) else {
            if !case.sent.is_empty() {
                return Err("the operation has no input to send events in".into());
            }
            return Ok((TokenStream::new(), quote!(#svc::protocol::#method(&handle))));
        };
        let empty = empty_object(case.node);
        let params = case.node.get("initialRequestParams").unwrap_or(&empty);
        let built = self.struct_expr(s, &fill_required(s, params), true)?;
        let call = quote!(#svc::protocol::#method(&handle, input));
        let Some(stream) = event_stream_member(s) else {
            if !case.sent.is_empty() {
                return Err("the input has no event stream".into());
            }
            return Ok((quote!(let input = #built;), call));
        };
        let events = case
            .sent
            .iter()
            .map(|e| {
                let params = e
                    .get("params")
                    .ok_or("a request event without params (an unmodeled event) cannot be sent")?;
                self.value(&stream.ty, params)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let f = ident(&stream.field);
        Ok((
            quote! {
                let mut input = #built;
                input.#f = #rt::event_stream::EventStreamSender::from(::std::vec![#(#events),*]);
            },
            call,
        ))
    }

    /// The future of the outcome: the output and every event of its stream (a `Vec<()>`
    /// when the output has none), or the first error.
    fn es_read(&self, case: &EsCase<'_>, call: &TokenStream) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let svc = &self.svc_path;
        let err = ident(&case.op.error_enum);
        let stream = case
            .op
            .output
            .as_ref()
            .and_then(|o| self.struct_def(o))
            .and_then(event_stream_member);
        let Some(stream) = stream else {
            if !case.received.is_empty() {
                return Err("the output has no event stream".into());
            }
            return Ok(quote! {
                async { #call.await.map(|out| (out, ::std::vec::Vec::<()>::new())) }
            });
        };
        let f = ident(&stream.field);
        Ok(quote! {
            async {
                let mut out = #call.await?;
                let mut events = ::std::vec::Vec::new();
                while let ::std::option::Option::Some(event) = out.#f.recv().await? {
                    events.push(event);
                }
                ::std::result::Result::Ok::<_, #rt::SdkError<#svc::error::#err>>((out, events))
            }
        })
    }

    /// The checks of the request: its line and headers against `initialRequest`, its body
    /// against the sent events.
    fn es_request_checks(&self, case: &EsCase<'_>) -> Result<TokenStream, String> {
        let support = &self.support;
        if !case.checks_request() {
            return Ok(TokenStream::new());
        }
        let line = case.node.get("initialRequest").map(|r| {
            let expected = self.expected_request(r);
            quote!(#support::check_request(&request, &#expected)?;)
        });
        let messages = case
            .sent
            .iter()
            .map(|e| self.es_message(e))
            .collect::<Result<Vec<_>, _>>()?;
        let body = (!case.sent.is_empty())
            .then(|| quote!(#support::events::check_sent(&request.body, &[#(#messages),*])?;));
        Ok(quote! {
            let request = replay.requests().into_iter().next().ok_or("no request was sent")?;
            #line
            #body
        })
    }

    /// The checks of a successful case: the received events and, when the case gives
    /// `initialResponseParams`, the output's members (all but its stream).
    fn es_success(&self, case: &EsCase<'_>) -> Result<TokenStream, String> {
        let support = &self.support;
        let output = case.op.output.as_ref().and_then(|o| self.struct_def(o));
        let mut nan = false;
        let mut expected = Vec::new();
        if let Some(stream) = output.and_then(event_stream_member) {
            for params in case.received.iter().filter_map(|e| e.get("params")) {
                nan |= has_nan(params);
                expected.push(self.value(&stream.ty, params)?);
            }
        }
        let members = match (case.node.get("initialResponseParams"), output) {
            (Some(params), Some(out)) => {
                let built = self.struct_expr(out, params, false)?;
                let nan = has_nan(params);
                let checks = out.members.iter().filter(|m| !m.streaming).map(|m| {
                    let f = ident(&m.field);
                    quote!(#support::compare(&out.#f, &expected.#f, #nan)?;)
                });
                Some(quote!(let expected = #built; #(#checks)*))
            }
            (Some(_), None) => return Err("initialResponseParams for a unit output".into()),
            (None, _) => None,
        };
        let out = if members.is_some() {
            quote!(out)
        } else {
            quote!(_)
        };
        Ok(quote! {
            let (#out, events) = outcome.map_err(|e| ::std::format!("the call failed: {}", e))?;
            #support::compare(&events, &::std::vec![#(#expected),*], #nan)?;
            #members
            ::std::result::Result::Ok(())
        })
    }

    /// The check of a failing case: an error, of the variant `errorId` names if it does.
    fn es_failure(&self, case: &EsCase<'_>) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let svc = &self.svc_path;
        let error_id = case
            .node
            .get("expectation")
            .and_then(|e| e.get("failure"))
            .and_then(|f| str_of(f, "errorId"));
        let on_error = match error_id {
            None => quote!(::std::result::Result::Err(_) => ::std::result::Result::Ok(())),
            Some(id) => {
                let e = ident(&case.op.error_enum);
                let variant = self.error_variant(case.op, id)?;
                quote! {
                    ::std::result::Result::Err(#rt::SdkError::Service(s)) => match s.err() {
                        #svc::error::#e::#variant(_) => ::std::result::Result::Ok(()),
                        other => ::std::result::Result::Err(::std::format!("wrong error: {:?}", other)),
                    },
                    ::std::result::Result::Err(other) => ::std::result::Result::Err(::std::format!("not a modeled error: {}", other)),
                }
            }
        };
        Ok(quote! {
            match outcome {
                ::std::result::Result::Ok(got) => ::std::result::Result::Err(::std::format!("the case expects an error; got {:?}", got)),
                #on_error
            }
        })
    }

    /// The variant of `op`'s error enum for the error shape `id`.
    fn error_variant(&self, op: &OperationIr, id: &str) -> Result<proc_macro2::Ident, String> {
        let name = self.svc.types.values().find_map(|t| match t {
            crate::ir::TypeDef::Struct(s) if s.id.to_string() == id => Some(&s.name),
            _ => None,
        });
        op.errors
            .iter()
            .find(|e| Some(&e.type_name) == name)
            .map(|e| ident(&e.variant))
            .ok_or_else(|| format!("`{id}` is not an error of `{}`", op.name))
    }

    /// A `support::events::Expected` for an event of a case.
    fn es_message(&self, event: &Node) -> Result<TokenStream, String> {
        let support = &self.support;
        let headers = event
            .get("headers")
            .and_then(Node::as_object)
            .unwrap_or_default()
            .iter()
            .map(|(name, value)| {
                let h = self
                    .es_header(value)
                    .map_err(|e| format!("header `{name}`: {e}"))?;
                Ok(quote!((#name, #h)))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let forbid = strings_of(event, "forbidHeaders");
        let require = strings_of(event, "requireHeaders");
        let opt = |key: &str| match str_of(event, key) {
            Some(v) => quote!(::std::option::Option::Some(#v)),
            None => quote!(::std::option::Option::None),
        };
        let (body, media, bytes) = (opt("body"), opt("bodyMediaType"), opt("bytes"));
        Ok(quote! {
            #support::events::Expected {
                headers: &[#(#headers),*],
                forbid_headers: &[#(#forbid),*],
                require_headers: &[#(#require),*],
                body: #body,
                media_type: #media,
                bytes: #bytes,
            }
        })
    }

    /// A `support::events::Header` for a typed header value (`{"integer": 3}`).
    fn es_header(&self, value: &Node) -> Result<TokenStream, String> {
        let support = &self.support;
        let [(kind, v)] = value.as_object().unwrap_or_default() else {
            return Err("not a one-member object".into());
        };
        let bad = || format!("bad `{kind}` value");
        let int = || v.as_number().and_then(Number::as_i64).ok_or_else(bad);
        let h = quote!(#support::events::Header);
        Ok(match kind.as_str() {
            "boolean" => {
                let b = v.as_bool().ok_or_else(bad)?;
                quote!(#h::Bool(#b))
            }
            "byte" => {
                let n = Literal::i8_suffixed(i8::try_from(int()?).map_err(|_| bad())?);
                quote!(#h::Byte(#n))
            }
            "short" => {
                let n = Literal::i16_suffixed(i16::try_from(int()?).map_err(|_| bad())?);
                quote!(#h::Short(#n))
            }
            "integer" => {
                let n = Literal::i32_suffixed(i32::try_from(int()?).map_err(|_| bad())?);
                quote!(#h::Integer(#n))
            }
            "long" => {
                let n = Literal::i64_suffixed(int()?);
                quote!(#h::Long(#n))
            }
            "blob" | "string" | "timestamp" => {
                let s = v.as_str().ok_or_else(bad)?;
                let variant = match kind.as_str() {
                    "blob" => quote!(Blob),
                    "string" => quote!(String),
                    _ => quote!(Timestamp),
                };
                quote!(#h::#variant(#s))
            }
            other => return Err(format!("unknown header type `{other}`")),
        })
    }
}

/// The event-stream member of a structure.
fn event_stream_member(s: &StructDef) -> Option<&MemberIr> {
    s.members.iter().find(|m| m.event_stream.is_some())
}

/// `params` with a zero value for each required member of `s` it leaves unset: a case about
/// the response gives no input, but the input's builder refuses a missing required member.
fn fill_required(s: &StructDef, params: &Node) -> Node {
    let mut entries = params.as_object().unwrap_or_default().to_vec();
    for m in s
        .members
        .iter()
        .filter(|m| m.required && m.default.is_none())
    {
        if entries.iter().any(|(k, _)| k == &m.name) {
            continue;
        }
        let zero = match &m.ty.kind {
            Kind::String | Kind::Enum(_) | Kind::Blob => NodeValue::String(String::new()),
            Kind::Bool => NodeValue::Bool(false),
            Kind::Byte
            | Kind::Short
            | Kind::Integer
            | Kind::Long
            | Kind::Float
            | Kind::Double
            | Kind::IntEnum(_)
            | Kind::Timestamp
            | Kind::BigInteger
            | Kind::BigDecimal => NodeValue::Number(Number::from_text("0")),
            Kind::List { .. } => NodeValue::Array(Vec::new()),
            Kind::Map { .. } | Kind::Struct(_) | Kind::Document => NodeValue::Object(Vec::new()),
            Kind::Union(_) => continue,
        };
        let span = params.span.clone();
        entries.push((m.name.clone(), Node { value: zero, span }));
    }
    Node {
        value: NodeValue::Object(entries),
        span: params.span.clone(),
    }
}
