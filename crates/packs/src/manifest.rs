//! The pack manifest: `lavoro-pack.json`, the first entry of every pack.
//!
//! ```json
//! {
//!   "format": 1,
//!   "kind": "portal",
//!   "version": 12,
//!   "created": "2026-11-26T09:00:00Z",
//!   "min_app_version": "0.1.0",
//!   "files": [ { "path": "circolari/smart.md", "size": 1234, "sha256": "…64 hex…" } ]
//! }
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::path::PackPath;
use crate::{Lang, Refusal};

/// Name of the manifest entry at the root of the archive.
pub const MANIFEST_NAME: &str = "lavoro-pack.json";
/// The only manifest format this code reads.
pub const FORMAT: u32 = 1;
/// Largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// What a pack carries; keys are scoped to kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// Smart-working portal pages.
    Portal,
    /// Trust material (trusted lists, anchors) for signature verification.
    Trust,
    /// VPN profiles.
    Profiles,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 3] = [Kind::Portal, Kind::Trust, Kind::Profiles];

    /// The name used in manifests, key files and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Portal => "portal",
            Kind::Trust => "trust",
            Kind::Profiles => "profiles",
        }
    }

    /// Parses `portal`, `trust` or `profiles`.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A label for the user.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Kind::Portal, Lang::It) => "contenuti del portale",
            (Kind::Portal, Lang::En) => "portal content",
            (Kind::Trust, Lang::It) => "materiale di fiducia per le firme",
            (Kind::Trust, Lang::En) => "signature trust material",
            (Kind::Profiles, Lang::It) => "profili VPN",
            (Kind::Profiles, Lang::En) => "VPN profiles",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An app version `MAJOR.MINOR.PATCH` (a pre-release or build suffix is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Parses `1.2.3`, `1.2` or `1`; a `-pre` or `+build` suffix is dropped.
    pub fn parse(s: &str) -> Option<Version> {
        let core = s.split(['-', '+']).next().unwrap_or(s);
        let mut parts = core.split('.');
        let mut next = |required: bool| -> Option<u64> {
            match parts.next() {
                Some(p)
                    if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 9 =>
                {
                    p.parse().ok()
                }
                None if !required => Some(0),
                _ => None,
            }
        };
        let v = Version(next(true)?, next(false)?, next(false)?);
        if parts.next().is_some() {
            return None;
        }
        Some(v)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// One file listed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path inside the pack.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, 64 lowercase hexadecimal digits.
    pub sha256: String,
}

/// The manifest as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Manifest format, [`FORMAT`].
    pub format: u32,
    /// What the pack carries.
    pub kind: Kind,
    /// Pack version; each new pack of a kind must have a higher one.
    pub version: u64,
    /// Creation time, RFC 3339.
    pub created: String,
    /// Oldest app version that can use this pack.
    pub min_app_version: String,
    /// Every file of the pack, sorted by path.
    pub files: Vec<FileEntry>,
}

/// A manifest whose fields have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedManifest {
    /// The manifest as stored.
    pub raw: Manifest,
    /// The paths, checked, in manifest order.
    pub paths: Vec<PackPath>,
    /// The SHA-256 of each file, decoded.
    pub hashes: Vec<[u8; 32]>,
    /// The creation time.
    pub created: OffsetDateTime,
    /// The minimum app version.
    pub min_app_version: Version,
}

fn invalid(detail: impl Into<String>) -> Refusal {
    Refusal::ManifestInvalid {
        detail: detail.into(),
    }
}

impl Manifest {
    /// Parses and checks manifest bytes. `max_files` bounds the list.
    pub fn parse_checked(bytes: &[u8], max_files: usize) -> Result<CheckedManifest, Refusal> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(Refusal::TooLarge {
                what: "manifest".into(),
            });
        }
        let raw: Manifest =
            serde_json::from_slice(bytes).map_err(|e| invalid(format!("JSON: {e}")))?;
        raw.check(max_files)
    }

    /// Checks the fields of a manifest.
    pub fn check(self, max_files: usize) -> Result<CheckedManifest, Refusal> {
        if self.format != FORMAT {
            return Err(invalid(format!("unsupported format {}", self.format)));
        }
        if self.version == 0 {
            return Err(invalid("version must be at least 1"));
        }
        let created = OffsetDateTime::parse(&self.created, &Rfc3339)
            .map_err(|_| invalid("created is not an RFC 3339 date"))?;
        let min_app_version = Version::parse(&self.min_app_version)
            .ok_or_else(|| invalid("min_app_version is not MAJOR.MINOR.PATCH"))?;
        if self.files.len() > max_files {
            return Err(Refusal::TooManyFiles { limit: max_files });
        }
        let mut paths = Vec::with_capacity(self.files.len());
        let mut hashes = Vec::with_capacity(self.files.len());
        let mut seen = BTreeSet::new();
        for f in &self.files {
            let p = PackPath::parse(&f.path).ok_or_else(|| Refusal::UnsafePath {
                path: f.path.chars().take(200).collect(),
            })?;
            if p.as_str() == MANIFEST_NAME {
                return Err(invalid("the manifest lists itself"));
            }
            if !seen.insert(p.fold_key()) {
                return Err(Refusal::DuplicatePath {
                    path: p.to_string(),
                });
            }
            let mut h = [0u8; 32];
            if f.sha256.len() != 64
                || f.sha256.bytes().any(|b| b.is_ascii_uppercase())
                || hex::decode_to_slice(&f.sha256, &mut h).is_err()
            {
                return Err(invalid(format!("bad sha256 for {p}")));
            }
            paths.push(p);
            hashes.push(h);
        }
        // A path cannot be both a file and a folder.
        for p in &paths {
            for parent in p.parents() {
                if seen.contains(&parent.to_lowercase()) {
                    return Err(Refusal::DuplicatePath {
                        path: parent.to_owned(),
                    });
                }
            }
        }
        Ok(CheckedManifest {
            raw: self,
            paths,
            hashes,
            created,
            min_app_version,
        })
    }

    /// Serializes for storage in the archive (pretty, stable field order).
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain structs of strings and integers cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_parse_forms() {
        assert_eq!(Version::parse("1.2.3"), Some(Version(1, 2, 3)));
        assert_eq!(Version::parse("1.2"), Some(Version(1, 2, 0)));
        assert_eq!(Version::parse("0.1.0-beta.2"), Some(Version(0, 1, 0)));
        assert_eq!(Version::parse("1.x"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert!(Version(0, 10, 0) > Version(0, 9, 9));
    }
}
