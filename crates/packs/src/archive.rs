//! Reading a pack archive (uncompressed tar) under budgets, without touching the disk.
//!
//! Only plain files and folders are accepted; links, hard links, device files, FIFOs and
//! sparse files are refused, as is any path that is not a [`PackPath`].

use std::collections::BTreeMap;

use tar::EntryType;

use crate::manifest::MANIFEST_NAME;
use crate::path::PackPath;
use crate::Refusal;

/// Budgets for one pack. Hostile input ends with a refusal as soon as one is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest archive, in bytes.
    pub max_archive_bytes: u64,
    /// Largest single file, in bytes.
    pub max_file_bytes: u64,
    /// Largest total of all files, in bytes.
    pub max_total_bytes: u64,
    /// Most entries (files and folders) in the archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // A pack is held in memory while it is checked, and portal pages, trusted
            // lists and VPN profiles are far smaller than this.
            max_archive_bytes: 256 * 1024 * 1024,
            max_file_bytes: 128 * 1024 * 1024,
            max_total_bytes: 256 * 1024 * 1024,
            max_entries: 20_000,
        }
    }
}

/// The entries of an archive, checked for shape but not yet against the manifest. File
/// contents borrow the archive bytes: nothing is copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPack<'a> {
    /// The bytes of the manifest entry.
    pub manifest: &'a [u8],
    /// Files other than the manifest, by path.
    pub files: BTreeMap<PackPath, &'a [u8]>,
    /// Folders declared by the archive.
    pub folders: Vec<PackPath>,
}

fn damaged(e: impl std::fmt::Display) -> Refusal {
    Refusal::ArchiveDamaged {
        detail: e.to_string(),
    }
}

/// Reads every entry of `bytes` under `limits`. The manifest must be the first entry.
pub fn read<'a>(bytes: &'a [u8], limits: &Limits) -> Result<RawPack<'a>, Refusal> {
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(Refusal::TooLarge {
            what: "archive".into(),
        });
    }
    let mut archive = tar::Archive::new(bytes);
    let entries = archive.entries().map_err(damaged)?;
    let mut manifest: Option<&'a [u8]> = None;
    let mut files = BTreeMap::new();
    let mut folded = std::collections::BTreeSet::new();
    let mut folders = Vec::new();
    let mut count = 0usize;
    let mut total = 0u64;
    for entry in entries {
        let entry = entry.map_err(damaged)?;
        count += 1;
        if count > limits.max_entries {
            return Err(Refusal::TooManyFiles {
                limit: limits.max_entries,
            });
        }
        let raw_path = entry.path_bytes().into_owned();
        let lossy = || {
            String::from_utf8_lossy(&raw_path)
                .chars()
                .take(200)
                .collect::<String>()
        };
        let kind = entry.header().entry_type();
        let is_dir = kind == EntryType::Directory;
        if !(kind == EntryType::Regular || kind == EntryType::Continuous || is_dir) {
            return Err(Refusal::NotPlainFile { path: lossy() });
        }
        // Folders are written `name/` by tar tools.
        let trimmed: &[u8] = if is_dir {
            raw_path.strip_suffix(b"/").unwrap_or(&raw_path)
        } else {
            &raw_path
        };
        let path = PackPath::from_bytes(trimmed)?;
        if !folded.insert(path.fold_key()) {
            return Err(Refusal::DuplicatePath {
                path: path.to_string(),
            });
        }
        if is_dir {
            if count == 1 {
                return Err(Refusal::ManifestInvalid {
                    detail: format!("{MANIFEST_NAME} must be the first entry"),
                });
            }
            folders.push(path);
            continue;
        }
        let size = entry.size();
        if size > limits.max_file_bytes {
            return Err(Refusal::TooLarge {
                what: format!("file {path}"),
            });
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(Refusal::TooLarge {
                what: "total content".into(),
            });
        }
        // The content of a plain entry is stored contiguously at this offset of the
        // (uncompressed) archive; slicing it avoids a copy of every file.
        let start = usize::try_from(entry.raw_file_position()).ok();
        let len = usize::try_from(size).ok();
        let data = match (start, len) {
            (Some(start), Some(len)) => {
                start.checked_add(len).and_then(|end| bytes.get(start..end))
            }
            _ => None,
        }
        .ok_or_else(|| damaged(format!("{path}: truncated")))?;
        if count == 1 {
            if path.as_str() != MANIFEST_NAME {
                return Err(Refusal::ManifestInvalid {
                    detail: format!("{MANIFEST_NAME} must be the first entry"),
                });
            }
            manifest = Some(data);
        } else if path.as_str() == MANIFEST_NAME {
            return Err(Refusal::DuplicatePath {
                path: path.to_string(),
            });
        } else {
            files.insert(path, data);
        }
    }
    let manifest = manifest.ok_or_else(|| Refusal::ManifestInvalid {
        detail: format!("{MANIFEST_NAME} not found"),
    })?;
    Ok(RawPack {
        manifest,
        files,
        folders,
    })
}
