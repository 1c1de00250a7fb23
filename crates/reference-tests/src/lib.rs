//! The reference crate (openai-harmony 0.0.8), loaded once for the differential tests of this
//! crate and the benches of `crates/harmony-bench`.
//!
//! The reference reads `o200k_base.tiktoken` from the folder named by `$TIKTOKEN_ENCODINGS_BASE`
//! (it would otherwise download it). Unless the variable is set, this points it at the copy the
//! tiktoken-rs crate ships (its `assets/` folder in the cargo registry, present once tiktoken-rs
//! has been fetched: harmony-core's build script needs it). Without a vocabulary the reference
//! cannot run, and every test that needs it fails with the reason.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The folder of the newest tiktoken-rs `assets/` holding `o200k_base.tiktoken`.
fn registry_vocabulary_dir() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .flatten()
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().flatten())
        .filter(|krate| krate.file_name().to_string_lossy().starts_with("tiktoken-rs-"))
        .map(|krate| krate.path().join("assets"))
        .filter(|assets| assets.join("o200k_base.tiktoken").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn load() -> Result<openai_harmony::HarmonyEncoding, String> {
    if std::env::var_os("TIKTOKEN_ENCODINGS_BASE").is_none() {
        let dir = registry_vocabulary_dir().ok_or(
            "no o200k_base.tiktoken: set TIKTOKEN_ENCODINGS_BASE to a folder holding it, or fetch \
             tiktoken-rs (`cargo fetch`) so that its copy is under $CARGO_HOME/registry/src",
        )?;
        // Edition 2021: `set_var` is safe; it happens before the reference reads the variable.
        std::env::set_var("TIKTOKEN_ENCODINGS_BASE", dir);
    }
    openai_harmony::load_harmony_encoding(openai_harmony::HarmonyEncodingName::HarmonyGptOss)
        .map_err(|e| format!("the reference did not load its vocabulary: {e}"))
}

/// The reference encoding. Panics, saying why, when it cannot be loaded.
pub fn reference_encoding() -> &'static openai_harmony::HarmonyEncoding {
    static REFERENCE: OnceLock<openai_harmony::HarmonyEncoding> = OnceLock::new();
    REFERENCE.get_or_init(|| load().unwrap_or_else(|why| panic!("reference encoding: {why}")))
}
