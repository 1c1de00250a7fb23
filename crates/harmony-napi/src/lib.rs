//! Node.js binding of `harmony-core` (napi-rs). Conversion only: JS values in, core calls,
//! JS values out. Every Harmony decision lives in the core; the public TypeScript API wraps these
//! `Binding*` classes (`src-ts/`), which never appear in the package's public types.
#![deny(clippy::all)]
#![deny(clippy::unwrap_used, clippy::expect_used)]
// The unit-test build registers no exports, so `#[napi]` functions and constants that only JS
// calls look unused there.
#![cfg_attr(test, allow(dead_code))]

mod columns;
mod defaults;
mod encoding;
mod error;
mod event;
mod gateway;
mod js_memory;
mod parser;
mod tasks;
mod text;
mod training;

pub use encoding::BindingEncoding;
pub use gateway::{
    recover_completion, BindingMessageKind, BindingRecoveredCompletion, BindingRecoveringParser, BindingRecoveryKind,
};
pub use parser::BindingStreamParser;
