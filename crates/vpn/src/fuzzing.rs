//! Entry points for the fuzz targets in `fuzz/` and the test that replays their corpora.
//! Each must return, never panic, on any input.

/// Checks `data` as a profile with no folder (references to files are refused).
pub fn check_profile(data: &[u8]) -> bool {
    crate::check_profile(data, None).report.acceptable()
}

/// Tokenises every line of `data` as OpenVPN would.
pub fn tokenize(data: &[u8]) -> usize {
    String::from_utf8_lossy(data)
        .lines()
        .filter_map(|l| crate::tokenize::tokenize_line(l).ok())
        .map(|p| p.len())
        .sum()
}
