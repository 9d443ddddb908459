//! Wire protocols: how a service's operations become HTTP requests and how responses become
//! outputs and typed errors. One submodule per protocol.

use proc_macro2::TokenStream;

use crate::emit::Ctx;
use crate::ir::Protocol;

mod rest_json;

/// The private `protocol` module of a service: serializers, deserializers and the per-operation
/// functions that the fluent builders call. Empty for protocols not supported yet (their
/// operations return a "not supported" error without reaching this module).
pub(crate) fn protocol_module(ctx: &Ctx<'_>) -> TokenStream {
    match &ctx.svc.protocol {
        Protocol::RestJson1 => rest_json::module(ctx),
        p if p.in_runtime() => crate::emit::operation_module(ctx),
        _ => TokenStream::new(),
    }
}
