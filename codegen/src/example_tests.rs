//! The models' documented examples through the generated validators: every
//! `smithy.api#examples` entry of an operation becomes a Rust function that builds the
//! operation's input from the example's `input` JSON with the generated builders (as the
//! protocol tests build theirs, [`crate::protocol_tests`]) and runs its `validate()`.
//!
//! [`Config::example_tests`] generates, for each service with examples, its client restricted
//! to the operations that have them (`<module>.rs`) and the examples (`<module>_examples.rs`,
//! an `EXAMPLES` table); `examples_index.rs` includes them all into modules and lists the
//! tables. The code refers to `<harness>::<module>` and `<harness>::support` (the `Example`
//! type of the harness crate).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::ident;
use crate::ir::{OperationIr, ServiceIr, TypeDef};
use crate::model::{Model, Node, NodeValue, ShapeId, ShapeKind};
use crate::protocol_tests::Gen;
use crate::{Config, Error, Generated, GeneratedFile, ModelSource};

const EXAMPLES: &str = "smithy.api#examples";

impl Config {
    /// Generates, for each selected service whose operations carry `smithy.api#examples`, its
    /// client restricted to those operations (`<module>.rs`), the examples
    /// (`<module>_examples.rs`, an `EXAMPLES` table of `<harness_path>::support::Example`),
    /// and `examples_index.rs`, which includes every pair under `<module>` and
    /// `<module>_examples` and lists the tables in `ALL`. The operation selection of this
    /// `Config` is ignored. Not a stable API.
    #[doc(hidden)]
    pub fn example_tests(
        &self,
        sources: &[ModelSource<'_>],
        harness_path: &str,
    ) -> Result<Generated, Error> {
        let mut run = self.harness_run(sources, harness_path)?;
        let mut files = Vec::new();
        let mut modules = Vec::new();
        let ids: Vec<_> = run.model.services().map(|s| s.id.clone()).collect();
        for shape_id in ids {
            let id = shape_id.to_string();
            if !self.harness_selects(&id, shape_id.name()) {
                continue;
            }
            let operations = operations_with_examples(&run.model, &shape_id);
            if operations.is_empty() {
                continue;
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
            let examples = self.harness_format(file(&generator), "examples", &id)?;
            files.push(GeneratedFile {
                name: format!("{}.rs", svc.module),
                contents: client,
            });
            files.push(GeneratedFile {
                name: format!("{}_examples.rs", svc.module),
                contents: examples,
            });
            modules.push(svc.module.clone());
        }
        let index = self.harness_format(index(&modules, &run.harness), "examples index", "")?;
        files.push(GeneratedFile {
            name: "examples_index.rs".to_owned(),
            contents: index,
        });
        run.diagnostics.retain(|d| !d.is_error());
        Ok(Generated {
            files,
            warnings: run.diagnostics,
        })
    }
}

/// The names of the service's operations (bound directly or through resources) that carry
/// examples, each once, in binding order.
fn operations_with_examples(model: &Model, service_id: &ShapeId) -> Vec<String> {
    let Some(ShapeKind::Service(service)) = model.shape(service_id).map(|s| &s.kind) else {
        return Vec::new();
    };
    let mut bound: Vec<&ShapeId> = service.operations.iter().collect();
    let mut resources: Vec<&ShapeId> = service.resources.iter().collect();
    while let Some(id) = resources.pop() {
        if let Some(ShapeKind::Resource(r)) = model.shape(id).map(|s| &s.kind) {
            bound.extend(r.lifecycle.iter().map(|(_, op)| op));
            bound.extend(&r.operations);
            bound.extend(&r.collection_operations);
            resources.extend(&r.resources);
        }
    }
    let mut names: Vec<String> = Vec::new();
    for id in bound {
        let has = model
            .shape(id)
            .and_then(|s| s.traits.get(EXAMPLES))
            .and_then(Node::as_array)
            .is_some_and(|e| !e.is_empty());
        if has && !names.iter().any(|n| n == id.name()) {
            names.push(id.name().to_owned());
        }
    }
    names
}

/// `include!`s every generated pair and lists their tables in `ALL`.
fn index(modules: &[String], harness: &TokenStream) -> TokenStream {
    let items = modules.iter().map(|m| {
        let client = format!("/{m}.rs");
        let examples = format!("/{m}_examples.rs");
        let cases = format_ident!("{}_examples", m);
        quote! {
            include!(concat!(env!("OUT_DIR"), #client));
            #[doc = "The examples' checks."]
            pub mod #cases {
                include!(concat!(env!("OUT_DIR"), #examples));
            }
        }
    });
    let tables = modules.iter().map(|m| {
        let cases = format_ident!("{}_examples", m);
        quote!(#cases::EXAMPLES)
    });
    quote! {
        #(#items)*
        /// Every service's examples.
        pub static ALL: &[&[#harness::support::Example]] = &[#(#tables),*];
    }
}

/// The `EXAMPLES` table and one function per example that documents a success.
fn file(g: &Gen<'_>) -> TokenStream {
    let support = &g.support;
    let mut fns = Vec::new();
    let mut table = Vec::new();
    for op in &g.svc.operations {
        let examples = example_nodes(g, op);
        for (i, example) in examples.iter().enumerate() {
            let title = example
                .get("title")
                .and_then(Node::as_str)
                .unwrap_or("(untitled)");
            let id = format!("{} {} #{i}: {title}", g.svc.module, op.name);
            if example.get("error").is_some() {
                table.push(
                    quote!(#support::Example { id: #id, check: ::std::option::Option::None },),
                );
                continue;
            }
            let name = format_ident!("{}_{}", op.method, i);
            let body = match check(g, op, example) {
                Ok(body) => body,
                Err(msg) => {
                    let msg = format!("the generator cannot express this example: {msg}");
                    quote!(::std::result::Result::Err(::std::string::String::from(#msg)))
                }
            };
            fns.push(quote! {
                fn #name() -> ::std::result::Result<(), ::std::string::String> {
                    #body
                }
            });
            table.push(
                quote!(#support::Example { id: #id, check: ::std::option::Option::Some(#name) },),
            );
        }
    }
    quote! {
        /// Every example of the service's operations, in model order.
        pub static EXAMPLES: &[#support::Example] = &[#(#table)*];
        #(#fns)*
    }
}

/// The operation's `smithy.api#examples` entries.
fn example_nodes<'m>(g: &Gen<'m>, op: &OperationIr) -> &'m [Node] {
    g.model
        .shape(&op.id)
        .and_then(|s| s.traits.get(EXAMPLES))
        .and_then(Node::as_array)
        .unwrap_or_default()
}

/// Builds the input (an idempotency token left out is filled, as the fluent builder does)
/// and validates it.
fn check(g: &Gen<'_>, op: &OperationIr, example: &Node) -> Result<TokenStream, String> {
    let rt = &g.rt;
    let Some(s) = input_struct(g.svc, op) else {
        return Ok(quote!(::std::result::Result::Ok(())));
    };
    let empty = Node {
        value: NodeValue::Object(Vec::new()),
        span: example.span.clone(),
    };
    let input = g.struct_expr(s, example.get("input").unwrap_or(&empty), true)?;
    // The idempotency token is filled from a configuration, as the fluent builder does.
    let config = s.members.iter().any(|m| m.idempotency_token).then(|| {
        quote! {
            let config = #rt::Config::builder()
                .http_client(#rt::http::test::ReplayClient::new(::std::vec::Vec::new()))
                .build();
        }
    });
    Ok(quote! {
        #config
        let input = #input;
        input.validate().map_err(|e| e.to_string())
    })
}

fn input_struct<'s>(svc: &'s ServiceIr, op: &OperationIr) -> Option<&'s crate::ir::StructDef> {
    match svc.types.get(op.input.as_ref()?) {
        Some(TypeDef::Struct(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_become_checks_and_error_examples_are_listed_unchecked() {
        let text = r#"{"smithy":"2.0","shapes":{
          "ex#Svc":{"type":"service","version":"1","operations":[{"target":"ex#Put"},{"target":"ex#Other"}],
            "traits":{"aws.protocols#restJson1":{}}},
          "ex#Put":{"type":"operation","input":{"target":"ex#PutInput"},
            "traits":{"smithy.api#http":{"method":"POST","uri":"/"},
              "smithy.api#examples":[{"title":"ok","input":{"Name":"abc"}},
                {"title":"bad","input":{"Name":"x"},"error":{"shapeId":"ex#E","content":{}}}]}},
          "ex#Other":{"type":"operation","traits":{"smithy.api#http":{"method":"GET","uri":"/o"}}},
          "ex#PutInput":{"type":"structure","members":{"Name":{"target":"smithy.api#String"}}}
        }}"#;
        let generated = Config::new()
            .example_tests(
                &[ModelSource {
                    name: "m.json",
                    text,
                }],
                "::h",
            )
            .unwrap();
        let names: Vec<&str> = generated.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["svc.rs", "svc_examples.rs", "examples_index.rs"]);
        // Only the operation with examples is generated.
        assert!(!generated.files[0].contents.contains("fn other"));
        let examples = &generated.files[1].contents;
        for want in [
            "svc Put #0: ok",
            "check: ::std::option::Option::Some(put_0)",
            "svc Put #1: bad",
            "check: ::std::option::Option::None",
            ".set_name(::std::option::Option::Some(::std::string::String::from(\"abc\")))",
            "input.validate()",
        ] {
            assert!(examples.contains(want), "{want} in\n{examples}");
        }
        assert!(
            generated.files[2]
                .contents
                .contains("svc_examples::EXAMPLES")
        );
    }
}
