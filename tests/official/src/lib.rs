//! The client generated from the official Amazon WorkSpaces Web model
//! (`../shared/aws-models/workspaces-web-2020-07-08.json`), compiled under `deny(warnings)` and
//! exercised against moto's server by `tests/moto.rs`.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/workspacesweb.rs"));

/// The runtime the client uses (configuration, credentials, errors, paginators).
pub use anvil_runtime as runtime;
