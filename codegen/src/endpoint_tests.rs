//! Endpoint tests through the generated client: turns the `smithy.rules#endpointTests` cases
//! that give `operationInputs` into Rust functions that configure a client from the case's
//! `builtInParams` and `clientParams`, call the operation with its `operationParams` over a
//! recording transport, and hand the recorded request (or the error) to the harness, which
//! compares it with the case's expected endpoint or error.
//!
//! [`Config::endpoint_tests`] generates, for each service with such cases, the client
//! (restricted to the operations the cases call, to keep compile times down) as
//! `<module>.rs` and the cases as `<module>_endpoint_tests.rs`. The case code refers to
//! `<harness>::<module>` (the client) and `<harness>::support` (the `Case`, `Expect` and
//! `check` of the `anvil-endpoint-tests` crate). Inputs are built with the helpers of the
//! protocol tests ([`crate::protocol_tests`]).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::{ident, prefixed};
use crate::ir::{OperationIr, StructDef, TypeDef};
use crate::model::{Node, NodeValue};
use crate::protocol_tests::Gen;
use crate::{Config, Error, Generated, GeneratedFile, ModelSource};

const ENDPOINT_TESTS: &str = "smithy.rules#endpointTests";

/// The access key of the static test credentials.
const ACCESS_KEY: &str = "AKIDEXAMPLE";

impl Config {
    /// Generates, for each selected service whose `smithy.rules#endpointTests` cases give
    /// `operationInputs`, its client restricted to the operations those cases call
    /// (`<module>.rs`) and the cases (`<module>_endpoint_tests.rs`, a `CASES` table), which
    /// refer to `<harness_path>::<module>` and `<harness_path>::support` (the
    /// `anvil-endpoint-tests` crate). The operation selection of this `Config` is ignored.
    /// Not a stable API.
    #[doc(hidden)]
    pub fn endpoint_tests(
        &self,
        sources: &[ModelSource<'_>],
        harness_path: &str,
    ) -> Result<Generated, Error> {
        let mut run = self.harness_run(sources, harness_path)?;
        let mut files = Vec::new();
        let services: Vec<_> = run
            .model
            .services()
            .map(|s| (s.id.clone(), s.traits.clone()))
            .collect();
        for (shape_id, traits) in services {
            let id = shape_id.to_string();
            if !self.harness_selects(&id, shape_id.name()) {
                continue;
            }
            let cases: Vec<&Node> = traits
                .get(ENDPOINT_TESTS)
                .and_then(|t| t.get("testCases"))
                .and_then(Node::as_array)
                .unwrap_or_default()
                .iter()
                .filter(|c| c.get("operationInputs").is_some())
                .collect();
            if cases.is_empty() {
                continue;
            }
            let mut operations: Vec<String> = Vec::new();
            for case in &cases {
                for input in case
                    .get("operationInputs")
                    .and_then(Node::as_array)
                    .unwrap_or_default()
                {
                    if let Some(name) = input.get("operationName").and_then(Node::as_str)
                        && !operations.iter().any(|o| o == name)
                    {
                        operations.push(name.to_string());
                    }
                }
            }
            let Some((svc, client)) = self.harness_client(&mut run, &id, operations)? else {
                continue;
            };
            let m = ident(&svc.module);
            let harness = &run.harness;
            let generator = Gen {
                model: &run.model,
                svc: &svc,
                rt: run.rt.clone(),
                svc_path: quote!(#harness::#m),
                support: quote!(#harness::support),
            };
            let tests = self.harness_format(file(&generator, &cases), "endpoint tests", &id)?;
            files.push(GeneratedFile {
                name: format!("{}.rs", svc.module),
                contents: client,
            });
            files.push(GeneratedFile {
                name: format!("{}_endpoint_tests.rs", svc.module),
                contents: tests,
            });
        }
        run.diagnostics.retain(|d| !d.is_error());
        Ok(Generated {
            files,
            warnings: run.diagnostics,
        })
    }
}

/// The `CASES` table and one function per operation input.
fn file(g: &Gen<'_>, cases: &[&Node]) -> TokenStream {
    let support = &g.support;
    let service = &g.svc.sdk_id;
    let mut fns = Vec::new();
    let mut table = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let doc = case
            .get("documentation")
            .and_then(Node::as_str)
            .unwrap_or("(undocumented)");
        let id = format!("{} #{i}: {doc}", g.svc.module);
        let expect = expect(g, case);
        let mut inputs = Vec::new();
        for (j, input) in case
            .get("operationInputs")
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let name = format_ident!("case_{}_{}", i, j);
            let body = match input_case(g, input, &expect) {
                Ok(b) => b,
                Err(msg) => {
                    let msg = format!("the generator cannot express this case: {msg}");
                    quote!(::std::result::Result::Err(::std::string::String::from(#msg)))
                }
            };
            fns.push(quote! {
                fn #name() -> ::std::result::Result<#support::Outcome, ::std::string::String> {
                    #body
                }
            });
            inputs.push(name);
        }
        table.push(quote!(#support::Case { id: #id, service: #service, inputs: &[#(#inputs),*] },));
    }
    quote! {
        /// Every endpoint test case with `operationInputs`, in model order.
        pub static CASES: &[#support::Case] = &[#(#table)*];
        #(#fns)*
    }
}

fn str_opt(v: Option<&str>) -> TokenStream {
    match v {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    }
}

/// The case's `expect` as a `support::Expect` expression.
fn expect(g: &Gen<'_>, case: &Node) -> TokenStream {
    let support = &g.support;
    let Some(e) = case.get("expect") else {
        return quote!(#support::Expect::Error("(the case expects nothing)"));
    };
    if let Some(msg) = e.get("error").and_then(Node::as_str) {
        return quote!(#support::Expect::Error(#msg));
    }
    let ep = e.get("endpoint");
    let url = ep
        .and_then(|e| e.get("url"))
        .and_then(Node::as_str)
        .unwrap_or_default();
    let headers = ep
        .and_then(|e| e.get("headers"))
        .and_then(Node::as_object)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            let values: Vec<&str> = v
                .as_array()
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            quote!((#k, &[#(#values),*]))
        });
    let schemes = ep
        .and_then(|e| e.get("properties"))
        .and_then(|p| p.get("authSchemes"))
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let text = |k: &str| s.get(k).and_then(Node::as_str);
            let name = text("name").unwrap_or_default();
            let signing_name = str_opt(text("signingName"));
            let signing_region = str_opt(text("signingRegion"));
            let set: Vec<&str> = s
                .get("signingRegionSet")
                .and_then(Node::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            quote! {
                #support::Auth {
                    name: #name,
                    signing_name: #signing_name,
                    signing_region: #signing_region,
                    signing_region_set: &[#(#set),*],
                }
            }
        });
    quote! {
        #support::Expect::Endpoint(#support::Endpoint {
            url: #url,
            headers: &[#(#headers),*],
            auth: &[#(#schemes),*],
        })
    }
}

/// The body of one operation input's function.
fn input_case(g: &Gen<'_>, input: &Node, expect: &TokenStream) -> Result<TokenStream, String> {
    let rt = &g.rt;
    let support = &g.support;
    let svc_path = &g.svc_path;
    let op_name = input
        .get("operationName")
        .and_then(Node::as_str)
        .ok_or("an operation input without `operationName`")?;
    let op = g
        .svc
        .operations
        .iter()
        .find(|o| o.name == op_name)
        .ok_or_else(|| format!("the client has no operation `{op_name}`"))?;
    let mut account_id = TokenStream::new();
    let mut setters = Vec::new();
    for (key, value) in input
        .get("builtInParams")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let b = value.as_bool();
        let s = value.as_str();
        let bad = || format!("built-in `{key}` has an unexpected value");
        let setter = |name: &str| -> Result<TokenStream, String> {
            let m = format_ident!("{}", name);
            let v = b.ok_or_else(bad)?;
            Ok(quote!(.#m(#v)))
        };
        setters.push(match key.as_str() {
            "AWS::Region" => {
                let v = s.ok_or_else(bad)?;
                quote!(.region(#v))
            }
            "SDK::Endpoint" => {
                let v = s.ok_or_else(bad)?;
                quote!(.endpoint_url(#v))
            }
            "AWS::UseFIPS" => setter("use_fips")?,
            "AWS::UseDualStack" => setter("use_dual_stack")?,
            "AWS::S3::ForcePathStyle" => setter("force_path_style")?,
            "AWS::S3::Accelerate" => setter("accelerate")?,
            "AWS::S3::UseArnRegion" | "AWS::S3Control::UseArnRegion" => setter("use_arn_region")?,
            "AWS::S3::DisableMultiRegionAccessPoints" => {
                setter("disable_multi_region_access_points")?
            }
            "AWS::S3::UseGlobalEndpoint" => setter("s3_use_global_endpoint")?,
            "AWS::STS::UseGlobalEndpoint" => setter("sts_use_global_endpoint")?,
            "AWS::Auth::AccountId" => {
                let v = s.ok_or_else(bad)?;
                account_id = quote!(.with_account_id(#v));
                continue;
            }
            "AWS::Auth::AccountIdEndpointMode" => {
                let mode = match s.ok_or_else(bad)? {
                    "preferred" => quote!(Preferred),
                    "disabled" => quote!(Disabled),
                    "required" => quote!(Required),
                    other => return Err(format!("unknown account id endpoint mode {other:?}")),
                };
                quote!(.account_id_endpoint_mode(#rt::endpoint::AccountIdEndpointMode::#mode))
            }
            other => return Err(format!("unknown built-in `{other}`")),
        });
    }
    for (key, value) in input
        .get("clientParams")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let v = match &value.value {
            NodeValue::Bool(b) => quote!(#b),
            NodeValue::String(s) => quote!(#s),
            NodeValue::Array(items) => {
                let items = items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .ok_or("a client parameter list item is not a string")
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                quote!(::std::vec![#(::std::string::String::from(#items)),*])
            }
            _ => return Err(format!("client parameter `{key}` has an unexpected value")),
        };
        setters.push(quote!(.client_context_param(#key, #v)));
    }
    let members = member_setters(g, op, input.get("operationParams"))?;
    // The `@endpoint` host prefix goes in front of the resolved endpoint's host.
    let host_prefix = match &op.host_prefix {
        Some(template) => expand_host_prefix(template, input.get("operationParams"))?,
        None => String::new(),
    };
    let method = ident(&op.method);
    Ok(quote! {
        // An S3 Express session for directory-bucket endpoints (their first request is
        // `CreateSession`), then the operation's answer; other cases use the first only.
        let replay = #rt::http::test::ReplayClient::new(::std::vec![
            #rt::http::HttpResponse::new(200, #support::S3_EXPRESS_SESSION),
            #rt::http::HttpResponse::new(200, ""),
        ]);
        let config = #rt::Config::builder()
            .http_client(replay.clone())
            .max_attempts(1)
            .credentials(#rt::credentials::Credentials::new(#ACCESS_KEY, "SECRET", ::std::option::Option::None) #account_id)
            #(#setters)*
            .build();
        let client = #svc_path::Client::new(&config);
        let result = #support::block_on(client.#method() #(#members)* .send())?;
        ::std::result::Result::Ok(#support::check(&#expect, #host_prefix, &replay.requests(), #support::failure(result.err())))
    })
}

/// The host prefix template (`{RequestRoute}.`) with each label replaced by the case's value
/// of that input member.
fn expand_host_prefix(template: &str, params: Option<&Node>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let (label, tail) = after
            .split_once('}')
            .ok_or_else(|| format!("the host prefix {template:?} is malformed"))?;
        let value = params
            .and_then(|p| p.get(label))
            .and_then(Node::as_str)
            .ok_or_else(|| format!("the case gives no value for the host label `{label}`"))?;
        out.push_str(value);
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

/// `.set_<member>(Some(..))` on the fluent builder for each of the case's params.
fn member_setters(
    g: &Gen<'_>,
    op: &OperationIr,
    params: Option<&Node>,
) -> Result<Vec<TokenStream>, String> {
    let entries = match params {
        None => return Ok(Vec::new()),
        Some(p) => p.as_object().ok_or("`operationParams` is not an object")?,
    };
    let input: Option<&StructDef> = op.input.as_ref().and_then(|i| match g.svc.types.get(i) {
        Some(TypeDef::Struct(s)) => Some(s),
        _ => None,
    });
    let Some(s) = input else {
        return if entries.is_empty() {
            Ok(Vec::new())
        } else {
            Err(format!("`{}` takes no input", op.name))
        };
    };
    let rt = &g.rt;
    let mut out = Vec::new();
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
            let text = value.as_str().ok_or("a streaming member is not a string")?;
            let bytes = proc_macro2::Literal::byte_string(text.as_bytes());
            quote!(#rt::ByteStream::from(#bytes.to_vec()))
        } else {
            g.value(&m.ty, value)?
        };
        if m.boxed {
            e = quote!(::std::boxed::Box::new(#e));
        }
        let set = prefixed("set", &m.field);
        out.push(quote!(.#set(::std::option::Option::Some(#e))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_become_calls_with_their_configuration() {
        let text = r#"{"smithy":"2.0","shapes":{
          "ex#Svc":{"type":"service","version":"1","operations":[{"target":"ex#Get"},{"target":"ex#Other"}],
            "traits":{"aws.protocols#awsJson1_0":{},
              "smithy.rules#endpointRuleSet":{"version":"1.0","parameters":{
                "Region":{"type":"String","builtIn":"AWS::Region"},
                "Name":{"type":"String"}},"rules":[]},
              "smithy.rules#endpointTests":{"version":"1.0","testCases":[
                {"documentation":"plain","params":{},"expect":{"endpoint":{"url":"https://x"}}},
                {"documentation":"named","expect":{"endpoint":{"url":"https://n.x",
                   "properties":{"authSchemes":[{"name":"sigv4","signingName":"svc","signingRegion":"r"}]}}},
                 "operationInputs":[{"operationName":"Get","builtInParams":{"AWS::Region":"r","AWS::S3::Accelerate":true},
                   "clientParams":{"Flag":true},"operationParams":{"Name":"n"}}]},
                {"documentation":"bad","expect":{"error":"no"},
                 "operationInputs":[{"operationName":"Get","builtInParams":{"AWS::Nope":"r"}}]}]}}},
          "ex#Get":{"type":"operation","input":{"target":"ex#GetInput"}},
          "ex#Other":{"type":"operation"},
          "ex#GetInput":{"type":"structure","members":{
            "Name":{"target":"smithy.api#String","traits":{"smithy.rules#contextParam":{"name":"Name"}}}}}
        }}"#;
        let generated = Config::new()
            .endpoint_tests(
                &[ModelSource {
                    name: "m.json",
                    text,
                }],
                "::h",
            )
            .unwrap();
        let names: Vec<&str> = generated.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["svc.rs", "svc_endpoint_tests.rs"]);
        // Only the operation the cases call is generated.
        assert!(!generated.files[0].contents.contains("fn other"));
        let tests = &generated.files[1].contents;
        for want in [
            ".region(\"r\")",
            ".accelerate(true)",
            ".client_context_param(\"Flag\", true)",
            ".set_name(::std::option::Option::Some(::std::string::String::from(\"n\")))",
            "signing_region: ::std::option::Option::Some(\"r\")",
            "unknown built-in `AWS::Nope`",
            "svc #0: named",
        ] {
            assert!(tests.contains(want), "{want} in\n{tests}");
        }
        assert!(!tests.contains("plain"), "{tests}");
    }
}
