//! Cross-crate and corpus tests of Lavoro Agile live in this crate's `tests/` folder;
//! shared helpers (corpus location, fixtures) live here.
#![warn(missing_docs)]

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the workspace `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The shared test corpus (`../shared/corpus` beside the clone, or `$LAVORO_AGILE_SHARED/corpus`).
///
/// When it is absent, an outside contributor's test skips with a visible message; under
/// `CI=true` the absence is a failure, so CI can never pass by skipping.
#[allow(clippy::panic)] // a test helper: failing loudly under CI is its purpose
pub fn corpus_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("LAVORO_AGILE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("..").join("shared"));
    let corpus = shared.join("corpus");
    if corpus.join("MANIFEST.tsv").is_file() {
        return Some(corpus);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "the shared corpus is missing at {} and CI=true",
            corpus.display()
        );
    }
    eprintln!(
        "SKIPPED: the shared corpus is not at {} (set LAVORO_AGILE_SHARED); corpus tests skip",
        corpus.display()
    );
    None
}

pub mod child;
pub mod http;
pub mod secret_service;
pub mod softhsm;
pub mod update_signing;
