//! Every `smithy.api#examples` entry of the models in `ANVIL_MODELS_DIR` (default: the
//! official models in `shared/aws-models/`), through clients that anvil-codegen generates at
//! build time: each example that documents a success builds its operation's input from the
//! example's JSON with the generated builders and must pass the generated validator;
//! examples that document an error are counted, not checked. The `examples` test runs them.
#![deny(warnings)]
// Int-enum `is_known` is emitted as `matches!(v, 1 | 2 | 3)` (codegen/src/emit/types.rs).
#![allow(clippy::manual_range_patterns)]

pub mod support;

include!(concat!(env!("OUT_DIR"), "/examples_index.rs"));
