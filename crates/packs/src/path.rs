//! Paths inside a pack: relative, `/`-separated, portable, and unable to leave the pack's
//! folder once joined to it.

use std::path::{Path, PathBuf};

use crate::Refusal;

/// Longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
/// Longest single component accepted, in bytes.
pub const MAX_COMPONENT_BYTES: usize = 255;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// Names Windows reserves for devices, in any letter case and with any extension.
const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A checked path inside a pack, such as `circolari/2026/smart-working.md`.
///
/// Invariants: valid UTF-8; non-empty components separated by single `/`; no `.` or `..`
/// component; no leading `/`, no drive letter, no `\`, `:`, NUL or other control
/// characters; no Windows device names; no trailing dot or space in a component; within
/// [`MAX_PATH_BYTES`], [`MAX_COMPONENT_BYTES`] and [`MAX_DEPTH`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackPath(String);

impl PackPath {
    /// Checks raw bytes from an archive or a manifest.
    pub fn from_bytes(raw: &[u8]) -> Result<Self, Refusal> {
        let unsafe_path = || Refusal::UnsafePath {
            path: String::from_utf8_lossy(raw).chars().take(200).collect(),
        };
        let s = std::str::from_utf8(raw).map_err(|_| unsafe_path())?;
        Self::parse(s).ok_or_else(unsafe_path)
    }

    /// Checks a string; `None` when it is not a safe pack path.
    pub fn parse(s: &str) -> Option<Self> {
        if s.is_empty() || s.len() > MAX_PATH_BYTES {
            return None;
        }
        let mut depth = 0usize;
        for comp in s.split('/') {
            depth += 1;
            if depth > MAX_DEPTH || !component_ok(comp) {
                return None;
            }
        }
        Some(Self(s.to_owned()))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key that collides for paths that name the same file on a case-insensitive file
    /// system (Windows, macOS).
    pub fn fold_key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The parent folders, outermost first (`a`, `a/b` for `a/b/c`).
    pub fn parents(&self) -> Vec<&str> {
        self.0
            .match_indices('/')
            .map(|(i, _)| self.0.get(..i).unwrap_or_default())
            .collect()
    }

    /// This path under `base`. Because of the invariants, the result stays under `base`.
    pub fn under(&self, base: &Path) -> PathBuf {
        let mut p = base.to_path_buf();
        for comp in self.0.split('/') {
            p.push(comp);
        }
        p
    }
}

impl std::fmt::Display for PackPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn component_ok(c: &str) -> bool {
    if c.is_empty() || c == "." || c == ".." || c.len() > MAX_COMPONENT_BYTES {
        return false;
    }
    if c.chars()
        .any(|ch| ch.is_control() || matches!(ch, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
    {
        return false;
    }
    if c.ends_with('.') || c.ends_with(' ') {
        return false;
    }
    let stem = c.split('.').next().unwrap_or(c).to_ascii_lowercase();
    !WINDOWS_DEVICES.contains(&stem.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_plain_relative_accepted() {
        assert!(PackPath::parse("a/b/c.md").is_some());
        assert!(PackPath::parse("città/è.md").is_some());
    }

    #[test]
    fn parse_escaping_or_odd_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a/",
            "C:/x",
            "c:x",
            "a\\..\\b",
            "con",
            "NUL.txt",
            "a/b.",
            "a/b ",
            "a\0b",
            "a\nb",
        ] {
            assert!(PackPath::parse(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn parents_nested_outermost_first() {
        let p = PackPath::parse("a/b/c").unwrap();
        assert_eq!(p.parents(), vec!["a", "a/b"]);
    }
}
