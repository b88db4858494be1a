//! Entry points for the fuzz targets in `fuzz/` and the tests that replay their corpora.
//! Each must return, never panic, on any input.

use crate::archive::Limits;

/// Budgets small enough that a fuzzer explores quickly.
pub fn limits() -> Limits {
    Limits {
        max_archive_bytes: 1 << 20,
        max_file_bytes: 1 << 20,
        max_total_bytes: 1 << 20,
        max_entries: 256,
    }
}

/// Reads `data` as a pack archive and checks it against its manifest (no signature).
pub fn archive(data: &[u8]) -> bool {
    crate::verify::check_content_unsigned(data, &limits()).is_ok()
}

/// Parses `data` as a manifest.
pub fn manifest(data: &[u8]) -> bool {
    crate::manifest::Manifest::parse_checked(data, 256).is_ok()
}

/// Parses `data` as a `.minisig` file and checks it against a fixed archive with the
/// reference test key (so a well-formed seed reaches the Ed25519 check).
pub fn signature(data: &[u8]) -> bool {
    // The throwaway key of tests/fixtures/make_reference.sh, which also writes the seed.
    const KEY: &str = include_str!("../tests/fixtures/reference.pub");
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Some(pk) = crate::keys::parse_public_key_text(KEY) else {
        return false;
    };
    crate::verify::check_signature(
        b"lavoro agile fuzz",
        Some(text),
        crate::verify::KeyPolicy::Only(&pk),
    )
    .is_ok()
}
