//! The core's Harmony defaults as JSON, for the generator of `src-ts/generated/defaults.ts`
//! (`scripts/gen-defaults.mjs`), so the TS builders never type the reference's texts by hand.

use harmony_core::{SystemContent, ToolNamespaceConfig};
use napi_derive::napi;

use napi::Result;

use crate::error::{guard_js, HarmonyStatus};

/// `{"systemContent": …, "toolNamespaces": {"browser": …, "python": …}}` in the interchange
/// shape: the default system content and the built-in tool namespaces.
#[napi]
pub fn harmony_defaults_json() -> Result<String, HarmonyStatus> {
    guard_js(|| {
        let defaults = serde_json::json!({
            "systemContent": SystemContent::default(),
            "toolNamespaces": {
                "browser": ToolNamespaceConfig::browser(),
                "python": ToolNamespaceConfig::python(),
            },
        });
        serde_json::to_string_pretty(&defaults).map_err(|e| {
            harmony_core::HarmonyError::new(
                harmony_core::ErrorCode::Internal,
                format!("cannot serialise the defaults: {e}"),
            )
        })
    })
}
