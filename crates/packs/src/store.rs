//! Installed packs in the data folder: anti-rollback, unpacking into a new folder, an atomic
//! switch, and keeping the last good content.
//!
//! Layout under the store root (`<data>/packs/`):
//!
//! ```text
//! portal/
//!   current.json            which folder is live; replaced only by an atomic rename
//!   v12-3f0c…/              the live content: lavoro-pack.json + content/…
//!   v11-9ab1…/              the previous content, kept as the last good one
//!   .staging-4711/          an install in progress (removed at the next install)
//! ```
//!
//! A process killed at any moment leaves `current.json` naming either the old folder or
//! the new, complete one; never a half-written folder.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::manifest::{Kind, MANIFEST_NAME};
use crate::verify::VerifiedPack;
use crate::{PackError, Refusal};

/// Name of the pointer file in each kind's folder.
pub const POINTER_NAME: &str = "current.json";
/// Name of the content folder inside an installed version's folder.
pub const CONTENT_DIR: &str = "content";
const STAGING_PREFIX: &str = ".staging-";
const LOCK_NAME: &str = ".lock";

/// A version that was live before the current one, kept as the last good content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousVersion {
    /// Its version.
    pub version: u64,
    /// Its folder name.
    pub dir: String,
}

/// What is installed for one kind (the content of `current.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installed {
    /// Kind of pack.
    pub kind: Kind,
    /// Installed version.
    pub version: u64,
    /// Creation date from the manifest.
    pub created: String,
    /// When it was installed.
    pub installed_at: String,
    /// Minimum app version from the manifest.
    pub min_app_version: String,
    /// Key that signed it.
    pub key_id: String,
    /// SHA-256 of the archive.
    pub archive_sha256: String,
    /// Number of files.
    pub files: usize,
    /// Folder name under the kind's folder.
    pub dir: String,
    /// The version before, still on disk.
    pub previous: Option<PreviousVersion>,
}

/// Where an install is; passed to the observer so the UI can show progress (and tests can
/// stop the process at a chosen point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallStage {
    /// The staging folder was created.
    Staging,
    /// `done` of `total` files were written to the staging folder.
    Unpacking {
        /// Files written.
        done: usize,
        /// Files in the pack.
        total: usize,
    },
    /// The staging folder was renamed to its final name; not yet live.
    Unpacked,
    /// The new pointer was written to a temporary file; not yet live.
    Switching,
    /// The new content is live.
    Switched,
}

/// The packs installed under one data folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

fn storage(path: &Path, source: std::io::Error) -> PackError {
    PackError::Storage {
        path: path.display().to_string(),
        source,
    }
}

/// Flushes a folder's entries to disk; best effort (not possible on every platform).
fn sync_dir(path: &Path) {
    if let Ok(f) = File::open(path) {
        let _ = f.sync_all();
    }
}

fn valid_version_dir(name: &str) -> bool {
    name.strip_prefix('v').is_some_and(|rest| {
        let mut it = rest.splitn(2, '-');
        matches!((it.next(), it.next()), (Some(v), Some(h))
            if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
            && !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

impl Store {
    /// The store rooted at `root` (usually `<data>/packs`); nothing is created yet.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn kind_dir(&self, kind: Kind) -> PathBuf {
        self.root.join(kind.as_str())
    }

    /// What is installed for `kind`; `None` when nothing is.
    pub fn installed(&self, kind: Kind) -> Result<Option<Installed>, PackError> {
        let path = self.kind_dir(kind).join(POINTER_NAME);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(storage(&path, e)),
        };
        let installed: Installed =
            serde_json::from_slice(&bytes).map_err(|e| PackError::Config {
                path: path.display().to_string(),
                detail: e.to_string(),
            })?;
        if installed.kind != kind || !valid_version_dir(&installed.dir) {
            return Err(PackError::Config {
                path: path.display().to_string(),
                detail: "pointer does not match its folder".into(),
            });
        }
        Ok(Some(installed))
    }

    /// The folder holding the live content of `kind`; `None` when nothing is installed.
    pub fn content_dir(&self, kind: Kind) -> Result<Option<PathBuf>, PackError> {
        Ok(self
            .installed(kind)?
            .map(|i| self.kind_dir(kind).join(i.dir).join(CONTENT_DIR)))
    }

    /// Installs a verified pack. Refuses a version not newer than the installed one.
    /// `observer` is told each stage; the installed content changes only at
    /// [`InstallStage::Switched`].
    pub fn install(
        &self,
        pack: &VerifiedPack<'_>,
        now: OffsetDateTime,
        observer: &mut dyn FnMut(InstallStage),
    ) -> Result<Installed, PackError> {
        let kind = pack.manifest.raw.kind;
        let version = pack.manifest.raw.version;
        let current = self.installed(kind)?;
        if let Some(cur) = &current {
            if version <= cur.version {
                return Err(Refusal::NotNewer {
                    offered: version,
                    installed: cur.version,
                }
                .into());
            }
        }
        let kind_dir = self.kind_dir(kind);
        fs::create_dir_all(&kind_dir).map_err(|e| storage(&kind_dir, e))?;
        // One install per kind at a time, across processes (the app and the CLI). The
        // operating system drops the lock when the process ends, even when killed.
        let lock_path = kind_dir.join(LOCK_NAME);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| storage(&lock_path, e))?;
        fs4::fs_std::FileExt::lock_exclusive(&lock).map_err(|e| storage(&lock_path, e))?;
        // Another process may have installed while we waited: check again under the lock.
        let current = self.installed(kind)?;
        if let Some(cur) = &current {
            if version <= cur.version {
                return Err(Refusal::NotNewer {
                    offered: version,
                    installed: cur.version,
                }
                .into());
            }
        }
        self.remove_stale_staging(kind);

        let staging = kind_dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| storage(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| storage(&staging, e))?;
        observer(InstallStage::Staging);
        let result = self.unpack(pack, &staging, observer);
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }

        let hash_prefix = pack.archive_sha256.get(..16).unwrap_or("0");
        let dir_name = format!("v{version}-{hash_prefix}");
        let final_dir = kind_dir.join(&dir_name);
        if final_dir.exists() {
            // Left by an earlier attempt killed before the switch: never live, safe to drop.
            fs::remove_dir_all(&final_dir).map_err(|e| storage(&final_dir, e))?;
        }
        fs::rename(&staging, &final_dir).map_err(|e| storage(&final_dir, e))?;
        sync_dir(&kind_dir);
        observer(InstallStage::Unpacked);

        let installed = Installed {
            kind,
            version,
            created: pack.manifest.raw.created.clone(),
            installed_at: now.format(&Rfc3339).unwrap_or_default(),
            min_app_version: pack.manifest.raw.min_app_version.clone(),
            key_id: pack.key_id.clone(),
            archive_sha256: pack.archive_sha256.clone(),
            files: pack.files.len(),
            dir: dir_name,
            previous: current.map(|c| PreviousVersion {
                version: c.version,
                dir: c.dir,
            }),
        };
        let json = serde_json::to_vec_pretty(&installed).map_err(|e| PackError::Storage {
            path: POINTER_NAME.into(),
            source: std::io::Error::other(e),
        })?;
        let tmp = kind_dir.join(format!("{POINTER_NAME}.tmp"));
        write_synced(&tmp, &json)?;
        observer(InstallStage::Switching);
        let pointer = kind_dir.join(POINTER_NAME);
        fs::rename(&tmp, &pointer).map_err(|e| storage(&pointer, e))?;
        sync_dir(&kind_dir);
        observer(InstallStage::Switched);
        drop(lock);
        tracing::info!(kind = %kind, version, key = %installed.key_id, sha256 = %installed.archive_sha256, "pack installed");
        self.remove_old_versions(&installed);
        Ok(installed)
    }

    fn unpack(
        &self,
        pack: &VerifiedPack<'_>,
        staging: &Path,
        observer: &mut dyn FnMut(InstallStage),
    ) -> Result<(), PackError> {
        write_synced(&staging.join(MANIFEST_NAME), &pack.manifest.raw.to_json())?;
        let content = staging.join(CONTENT_DIR);
        fs::create_dir(&content).map_err(|e| storage(&content, e))?;
        let total = pack.files.len();
        for (done, (path, data)) in pack.files.iter().enumerate() {
            let target = path.under(&content);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|e| storage(parent, e))?;
            }
            write_synced(&target, data)?;
            observer(InstallStage::Unpacking {
                done: done + 1,
                total,
            });
        }
        sync_dir(&content);
        sync_dir(staging);
        Ok(())
    }

    /// Removes what a killed install left behind (staging folders, a temporary pointer,
    /// version folders that never went live), for every kind not being installed right
    /// now. The app calls it at start; installs do the same for their kind. Returns how
    /// many entries were removed.
    pub fn clean_leftovers(&self) -> usize {
        let mut removed = 0;
        for kind in Kind::ALL {
            let kind_dir = self.kind_dir(kind);
            let Ok(lock) = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(kind_dir.join(LOCK_NAME))
            else {
                continue;
            };
            if !matches!(fs4::fs_std::FileExt::try_lock_exclusive(&lock), Ok(true)) {
                continue;
            }
            let live = self.installed(kind).ok().flatten();
            let keep: Vec<String> = live
                .iter()
                .flat_map(|i| {
                    std::iter::once(i.dir.clone()).chain(i.previous.iter().map(|p| p.dir.clone()))
                })
                .collect();
            let Ok(entries) = fs::read_dir(&kind_dir) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let stale = name.starts_with(STAGING_PREFIX)
                    || name == format!("{POINTER_NAME}.tmp")
                    || (valid_version_dir(&name) && !keep.contains(&name));
                if !stale {
                    continue;
                }
                let path = e.path();
                let ok = if path.is_dir() {
                    fs::remove_dir_all(&path).is_ok()
                } else {
                    fs::remove_file(&path).is_ok()
                };
                if ok {
                    tracing::info!(entry = %path.display(), "removed leftover of an interrupted install");
                    removed += 1;
                }
            }
        }
        removed
    }

    /// Removes staging folders left by an install that was killed.
    fn remove_stale_staging(&self, kind: Kind) {
        let dir = self.kind_dir(kind);
        let Ok(entries) = fs::read_dir(&dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().starts_with(STAGING_PREFIX) {
                tracing::info!(folder = %e.path().display(), "removing unfinished install");
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }

    /// Keeps the live and the previous version, removes older ones.
    fn remove_old_versions(&self, live: &Installed) {
        let dir = self.kind_dir(live.kind);
        let Ok(entries) = fs::read_dir(&dir) else {
            return;
        };
        let keep_prev = live.previous.as_ref().map(|p| p.dir.as_str());
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if valid_version_dir(&name) && name != live.dir && Some(name.as_ref()) != keep_prev {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Writes a file and flushes it to disk. Only used inside folders this store created.
fn write_synced(path: &Path, data: &[u8]) -> Result<(), PackError> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    let mut f = opts.open(path).map_err(|e| storage(path, e))?;
    f.write_all(data).map_err(|e| storage(path, e))?;
    f.sync_all().map_err(|e| storage(path, e))
}
