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
