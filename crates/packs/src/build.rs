//! Building a pack from a source folder, as IT does with `lavoro-agile-cli pack build`.
//!
//! The archive is reproducible: files in path order, fixed owner, mode and time (the
//! creation date), no folder entries, the manifest first.

use std::path::Path;

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::archive::Limits;
use crate::manifest::{FileEntry, Kind, Manifest, Version, FORMAT, MANIFEST_NAME};
use crate::path::PackPath;
use crate::{PackError, Refusal};

/// What to put in the manifest.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Kind of pack.
    pub kind: Kind,
    /// Version, at least 1.
    pub version: u64,
    /// Creation time (passed in: this crate never reads the clock).
    pub created: OffsetDateTime,
    /// Oldest app version that can use the pack.
    pub min_app_version: Version,
}

fn input_err(path: &Path, source: std::io::Error) -> PackError {
    PackError::Input {
        path: path.display().to_string(),
        source,
    }
}

/// Collects the files under `dir`, refusing links and special files.
fn collect(
    dir: &Path,
    prefix: &str,
    depth: usize,
    limits: &Limits,
    out: &mut Vec<(PackPath, std::path::PathBuf)>,
) -> Result<(), PackError> {
    if depth > crate::path::MAX_DEPTH {
        return Err(Refusal::UnsafePath {
            path: prefix.to_owned(),
        }
        .into());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| input_err(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| input_err(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_str().ok_or_else(|| Refusal::UnsafePath {
            path: name.to_string_lossy().into_owned(),
        })?;
        let rel = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        };
        let path =
            PackPath::parse(&rel).ok_or_else(|| Refusal::UnsafePath { path: rel.clone() })?;
        let meta =
            std::fs::symlink_metadata(entry.path()).map_err(|e| input_err(&entry.path(), e))?;
        if meta.is_dir() {
            collect(&entry.path(), &rel, depth + 1, limits, out)?;
        } else if meta.is_file() {
            if rel == MANIFEST_NAME {
                return Err(PackError::Usage(format!(
                    "{MANIFEST_NAME} is reserved for the manifest"
                )));
            }
            out.push((path, entry.path()));
            if out.len() >= limits.max_entries {
                return Err(Refusal::TooManyFiles {
                    limit: limits.max_entries,
                }
                .into());
            }
        } else {
            return Err(Refusal::NotPlainFile { path: rel }.into());
        }
    }
    Ok(())
}

/// Builds the archive bytes of a pack from the files under `src`.
pub fn build_pack(src: &Path, opts: &BuildOptions, limits: &Limits) -> Result<Vec<u8>, PackError> {
    if opts.version == 0 {
        return Err(PackError::Usage("version must be at least 1".into()));
    }
    let created = opts
        .created
        .format(&Rfc3339)
        .map_err(|e| PackError::Usage(format!("creation date: {e}")))?;
    let meta = std::fs::metadata(src).map_err(|e| input_err(src, e))?;
    if !meta.is_dir() {
        return Err(input_err(
            src,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let mut found = Vec::new();
    collect(src, "", 1, limits, &mut found)?;
    let mut contents = Vec::with_capacity(found.len());
    let mut files = Vec::with_capacity(found.len());
    let mut total = 0u64;
    for (path, fs_path) in found {
        let data = std::fs::read(&fs_path).map_err(|e| input_err(&fs_path, e))?;
        let size = data.len() as u64;
        total = total.saturating_add(size);
        if size > limits.max_file_bytes || total > limits.max_total_bytes {
            return Err(Refusal::TooLarge {
                what: format!("file {path}"),
            }
            .into());
        }
        files.push(FileEntry {
            path: path.to_string(),
            size,
            sha256: hex::encode(Sha256::digest(&data)),
        });
        contents.push((path, data));
    }
    let manifest = Manifest {
        format: FORMAT,
        kind: opts.kind,
        version: opts.version,
        created,
        min_app_version: opts.min_app_version.to_string(),
        files,
    };
    // Check what we wrote with the reader's own rules (duplicates by letter case, etc.).
    manifest.clone().check(limits.max_entries)?;
    let mtime = u64::try_from(opts.created.unix_timestamp()).unwrap_or(0);
    let mut builder = tar::Builder::new(Vec::new());
    let mut append = |name: &str, data: &[u8]| -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_size(data.len() as u64);
        builder.append_data(&mut header, name, data)
    };
    let io = |e| PackError::Storage {
        path: "archive".into(),
        source: e,
    };
    append(MANIFEST_NAME, &manifest.to_json()).map_err(io)?;
    for (path, data) in &contents {
        append(path.as_str(), data).map_err(io)?;
    }
    let bytes = builder.into_inner().map_err(io)?;
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(Refusal::TooLarge {
            what: "archive".into(),
        }
        .into());
    }
    Ok(bytes)
}
