//! Loads the reference crate (openai-harmony 0.0.8) for differential tests and benches. It reads
//! `o200k_base.tiktoken` from `$TIKTOKEN_ENCODINGS_BASE` (it would otherwise download it): this
//! points it at the copy tiktoken-rs ships in the cargo registry, unless the variable is set.

use std::path::{Path, PathBuf};

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

/// The reference encoding, or why it could not be loaded (callers skip with that note).
pub fn reference_encoding() -> Result<openai_harmony::HarmonyEncoding, String> {
    if std::env::var_os("TIKTOKEN_ENCODINGS_BASE").is_none() {
        let dir = registry_vocabulary_dir()
            .ok_or("no tiktoken-rs o200k_base.tiktoken under $CARGO_HOME/registry/src")?;
        // Edition 2021: `set_var` is safe; it happens before any use of the reference.
        std::env::set_var("TIKTOKEN_ENCODINGS_BASE", dir);
    }
    openai_harmony::load_harmony_encoding(openai_harmony::HarmonyEncodingName::HarmonyGptOss)
        .map_err(|e| format!("the reference did not load: {e}"))
}
