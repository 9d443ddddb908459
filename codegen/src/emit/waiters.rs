//! The waiters of an operation: one `wait_until_<waiter>(config)` method per waiter on the
//! operation's fluent builder, holding the waiter's static descriptor (acceptors, delays,
//! each path as the runtime's JMESPath tree) and handing the polling to the runtime's
//! `waiter::wait`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, ident};
use crate::ir::{AcceptorState, MatcherIr, OperationIr, PathComparator, PathMatcherIr, WaiterIr};

/// The waiter methods of `op`'s fluent builder; `output` is the output type. `has_input`: the
/// operation has an input structure (`prepare` gives it; else `()`).
pub(super) fn methods(
    ctx: &Ctx<'_>,
    op: &OperationIr,
    output: &TokenStream,
    has_input: bool,
) -> TokenStream {
    op.waiters
        .iter()
        .map(|w| method(ctx, op, w, output, has_input))
        .collect()
}

fn method(
    ctx: &Ctx<'_>,
    op: &OperationIr,
    w: &WaiterIr,
    output: &TokenStream,
    has_input: bool,
) -> TokenStream {
    let rt = &ctx.rt;
    let err = ident(&op.error_enum);
    let name = &w.name;
    let wait = ident(&w.method);
    let call = ident(&op.method);
    let (min, max) = (w.min_delay, w.max_delay);
    let acceptors = w.acceptors.iter().map(|a| {
        let state = match a.state {
            AcceptorState::Success => quote!(Success),
            AcceptorState::Failure => quote!(Failure),
            AcceptorState::Retry => quote!(Retry),
        };
        let matcher = matcher(rt, &a.matcher);
        quote!(#rt::waiter::Acceptor { state: #rt::waiter::State::#state, matcher: #matcher })
    });
    let (bind, input, attempt) = if has_input {
        (
            quote!(input),
            quote!(&input),
            quote!(super::protocol::#call(&handle, &input)),
        )
    } else {
        (
            quote!(()),
            quote!(&#rt::codec::Unit),
            quote!(super::protocol::#call(&handle)),
        )
    };
    let mut text = format!(
        "Waits until `{name}`: builds and validates the input like [`send`](Self::send), then \
         sends it until the waiter's acceptors decide, {min} to {max} s apart (exponential \
         backoff with jitter), for at most the time `config` allows (a `Duration`, or a \
         [`WaitConfig`]({0}::waiter::WaitConfig) that may change the delays). `Ok` holds \
         the last attempt's result; a `failure` acceptor, an error no acceptor expects, or \
         the time running out is a [`WaiterError`]({0}::waiter::WaiterError).",
        ctx.rt.to_string().replace(' ', "")
    );
    if let Some(docs) = &w.docs {
        text = format!("{docs}\n\n{text}");
    }
    let doc = super::doc_lines(&text);
    // Only an output some path reads has a serializer (see `StructDef::serialized`).
    let view = if w.reads_output() {
        quote!(#rt::waiter::output_value)
    } else {
        quote!(#rt::waiter::no_output_value)
    };
    let deprecated = w
        .deprecated
        .then(|| quote!(#[deprecated(note = "the model marks this waiter deprecated")]));
    let result = quote! {
        ::std::result::Result<
            #rt::waiter::FinalPoll<#output, super::error::#err>,
            #rt::waiter::WaiterError<#output, super::error::#err>,
        >
    };
    quote! {
        #doc
        #deprecated
        pub async fn #wait(self, config: impl ::std::convert::Into<#rt::waiter::WaitConfig>) -> #result {
            static WAITER: #rt::waiter::Waiter = #rt::waiter::Waiter {
                name: #name,
                min_delay: #min,
                max_delay: #max,
                acceptors: &[#(#acceptors),*],
            };
            let (handle, #bind) = self.prepare().map_err(#rt::waiter::WaiterError::UnmatchedError)?;
            #rt::waiter::wait(&WAITER, #input, config, #view, || #attempt).await
        }
    }
}

fn matcher(rt: &TokenStream, m: &MatcherIr) -> TokenStream {
    match m {
        MatcherIr::Output(p) => {
            let p = path_matcher(rt, p);
            quote!(#rt::waiter::Matcher::Output(#p))
        }
        MatcherIr::InputOutput(p) => {
            let p = path_matcher(rt, p);
            quote!(#rt::waiter::Matcher::InputOutput(#p))
        }
        MatcherIr::Success(b) => quote!(#rt::waiter::Matcher::Success(#b)),
        MatcherIr::ErrorType(t) => quote!(#rt::waiter::Matcher::ErrorType(#t)),
    }
}

fn path_matcher(rt: &TokenStream, p: &PathMatcherIr) -> TokenStream {
    let path = p.path.to_tokens(rt);
    let expected = &p.expected;
    let comparator = match p.comparator {
        PathComparator::StringEquals => quote!(StringEquals),
        PathComparator::BooleanEquals => quote!(BooleanEquals),
        PathComparator::AllStringEquals => quote!(AllStringEquals),
        PathComparator::AnyStringEquals => quote!(AnyStringEquals),
    };
    quote! {
        #rt::waiter::PathMatcher {
            path: #path,
            expected: #expected,
            comparator: #rt::waiter::PathComparator::#comparator,
        }
    }
}
