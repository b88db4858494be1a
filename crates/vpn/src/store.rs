//! Imported profiles in the app's data folder, IT's profiles from a `profiles` pack, and
//! their credentials in the keychain.
//!
//! Layout of the folder (`<data>/vpn`): for each imported profile `<id>.ovpn` or
//! `<id>.conf` (the checked profile, referenced files inlined) and `<id>.json` (its name,
//! origin file name, import time and lint report). Files are written whole and renamed
//! into place, readable by the user only. Passwords never enter this folder: they are in
//! the keychain under the account `vpn:<id>` (`vpn-it:<id>` for IT's profiles).
use std::path::{Path, PathBuf};

use lavoro_agile_vault::{CredentialStore, Credentials};
use serde::{Deserialize, Serialize};

use crate::{LintReport, ProfileKind, VpnError};

/// Longest profile name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Longest identifier derived from a name.
const MAX_ID_CHARS: usize = 64;
/// Most profiles read from a folder.
const MAX_PROFILES: usize = 1000;
/// Largest description file read.
const MAX_META_BYTES: u64 = 1 << 20;

/// Where a profile comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Origin {
    /// Imported by the user: can be deleted.
    Imported,
    /// Shipped by IT in a `profiles` pack: read-only.
    Pack,
}

/// A profile the app knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Identifier (file name stem), unique per origin.
    pub id: String,
    /// The name shown to the user.
    pub name: String,
    /// OpenVPN or WireGuard.
    pub kind: ProfileKind,
    /// Imported or from IT.
    pub origin: Origin,
    /// `true` for IT's profiles.
    pub read_only: bool,
    /// The file name it was imported from.
    pub source_file: Option<String>,
    /// When it was imported (RFC 3339), as the caller said.
    pub imported_at: Option<String>,
    /// The lint result (an IT profile that does not pass is listed, refused, and unusable).
    pub report: LintReport,
}

impl Profile {
    /// The keychain account of this profile's credentials.
    pub fn account(&self) -> String {
        account(self.origin, &self.id)
    }
}

fn account(origin: Origin, id: &str) -> String {
    match origin {
        Origin::Imported => format!("vpn:{id}"),
        Origin::Pack => format!("vpn-it:{id}"),
    }
}

/// What is stored next to an imported profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    id: String,
    name: String,
    kind: ProfileKind,
    source_file: Option<String>,
    imported_at: String,
    #[serde(default)]
    needs_credentials: bool,
    #[serde(default)]
    remotes: Vec<String>,
    #[serde(default)]
    inlined: Vec<String>,
}

/// The outcome of an import: a failed check is a result, not an error.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ImportOutcome {
    /// Checked and stored.
    Imported(Profile),
    /// Refused: nothing was stored.
    Refused(LintReport),
}

/// The profile store.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    pack_dir: Option<PathBuf>,
}

impl Store {
    /// Imported profiles in `dir` (`<data>/vpn`); IT's profiles in `pack_dir` (the live
    /// content folder of the installed `profiles` pack), if any.
    pub fn new(dir: impl Into<PathBuf>, pack_dir: Option<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            pack_dir,
        }
    }

    /// The folder of imported profiles.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks the file at `path` and, if acceptable, stores it under `name` (default: the
    /// file name without extension). `now` is the import time (RFC 3339). An existing
    /// profile with the same name is replaced only when `replace` is set.
    pub fn import(
        &self,
        path: &Path,
        name: Option<&str>,
        replace: bool,
        now: &str,
    ) -> Result<ImportOutcome, VpnError> {
        let checked = crate::check_file(path)?;
        let Some(text) = checked.profile else {
            tracing::info!(
                file = %file_name(path),
                refused = checked.report.refused.len(),
                "VPN profile refused"
            );
            return Ok(ImportOutcome::Refused(checked.report));
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = clean_name(name.unwrap_or(&stem))?;
        let id = slug(&name);
        let meta_path = self.dir.join(format!("{id}.json"));
        if meta_path.exists() && !replace {
            return Err(VpnError::NameTaken(name));
        }
        create_private_dir(&self.dir)?;
        // A replaced profile may change kind: drop the old body first.
        for ext in ["ovpn", "conf"] {
            let old = self.dir.join(format!("{id}.{ext}"));
            if old.exists() {
                std::fs::remove_file(&old).map_err(|source| VpnError::Io { path: old, source })?;
            }
        }
        let kind = checked.report.kind;
        let body = self.dir.join(format!("{id}.{}", kind.extension()));
        write_private(&body, text.as_bytes())?;
        let meta = Meta {
            id: id.clone(),
            name,
            kind,
            source_file: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            imported_at: now.to_owned(),
            needs_credentials: checked.report.needs_credentials,
            remotes: checked.report.remotes.clone(),
            inlined: checked.report.inlined.clone(),
        };
        let json = serde_json::to_vec_pretty(&meta).map_err(|e| VpnError::Io {
            path: meta_path.clone(),
            source: std::io::Error::other(e),
        })?;
        write_private(&meta_path, &json)?;
        tracing::info!(id = %id, file = %file_name(path), "VPN profile imported");
        Ok(ImportOutcome::Imported(Profile {
            id,
            name: meta.name,
            kind,
            origin: Origin::Imported,
            read_only: false,
            source_file: meta.source_file,
            imported_at: Some(meta.imported_at),
            report: checked.report,
        }))
    }

    /// Every profile: imported ones, then IT's, each sorted by name.
    pub fn list(&self) -> Result<Vec<Profile>, VpnError> {
        let mut imported = Vec::new();
        for path in files_with_ext(&self.dir, &["json"])? {
            imported.push(read_meta(&path)?);
        }
        imported.sort_by(|a, b| a.name.cmp(&b.name));
        let mut it = Vec::new();
        if let Some(dir) = &self.pack_dir {
            for path in files_with_ext(dir, &["ovpn", "conf"])? {
                let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                let report = match crate::check_file(&path) {
                    Ok(c) => c.report,
                    Err(e) => {
                        tracing::warn!(file = %file_name(&path), error = %e, "IT profile unreadable");
                        continue;
                    }
                };
                it.push(Profile {
                    id: slug(&stem),
                    name: stem,
                    kind: report.kind,
                    origin: Origin::Pack,
                    read_only: true,
                    source_file: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    imported_at: None,
                    report,
                });
            }
        }
        it.sort_by(|a, b| a.name.cmp(&b.name));
        imported.extend(it);
        Ok(imported)
    }

    /// The profile called `name` (its name or identifier); imported profiles first.
    pub fn find(&self, name: &str) -> Result<Profile, VpnError> {
        let wanted = slug(name);
        self.list()?
            .into_iter()
            .find(|p| p.name == name || p.id == name || p.id == wanted)
            .ok_or_else(|| VpnError::NotFound(name.to_owned()))
    }

    /// The stored profile text (with referenced files inlined); for IT's profiles, the
    /// pack's file checked again (a profile that no longer passes is `Damaged`).
    pub fn profile_text(&self, profile: &Profile) -> Result<String, VpnError> {
        let path = match profile.origin {
            Origin::Imported => {
                self.dir
                    .join(format!("{}.{}", profile.id, profile.kind.extension()))
            }
            _ => {
                // IT's profile: checked again from the pack, referenced files inlined.
                let (Some(dir), Some(file)) = (&self.pack_dir, &profile.source_file) else {
                    return Err(VpnError::NotFound(profile.name.clone()));
                };
                let path = dir.join(file);
                return crate::check_file(&path)?
                    .profile
                    .ok_or(VpnError::Damaged { path });
            }
        };
        std::fs::read_to_string(&path).map_err(|source| VpnError::Io { path, source })
    }

    /// Deletes an imported profile and its credentials (keychain first, so a failure there
    /// leaves everything in place rather than an orphaned password).
    pub fn remove(&self, name: &str, vault: &dyn CredentialStore) -> Result<Profile, VpnError> {
        let profile = self.find(name)?;
        if profile.read_only {
            return Err(VpnError::ReadOnly(profile.name));
        }
        vault.delete(&profile.account())?;
        for ext in ["ovpn", "conf", "json"] {
            let path = self.dir.join(format!("{}.{ext}", profile.id));
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(VpnError::Io { path, source }),
            }
        }
        tracing::info!(id = %profile.id, "VPN profile deleted with its credentials");
        Ok(profile)
    }

    /// Saves the credentials of a profile in the keychain.
    pub fn set_credentials(
        &self,
        name: &str,
        credentials: &Credentials,
        vault: &dyn CredentialStore,
    ) -> Result<Profile, VpnError> {
        let profile = self.find(name)?;
        vault.set(&profile.account(), credentials)?;
        Ok(profile)
    }

    /// Removes the credentials of a profile from the keychain; `true` if there were some.
    pub fn forget_credentials(
        &self,
        name: &str,
        vault: &dyn CredentialStore,
    ) -> Result<bool, VpnError> {
        let profile = self.find(name)?;
        Ok(vault.delete(&profile.account())?)
    }

    /// The username saved for a profile, if any (the password stays in the keychain).
    pub fn saved_username(
        &self,
        profile: &Profile,
        vault: &dyn CredentialStore,
    ) -> Result<Option<String>, VpnError> {
        Ok(vault.get(&profile.account())?.map(|c| c.username.clone()))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn clean_name(name: &str) -> Result<String, VpnError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
        || slug(name).is_empty()
    {
        return Err(VpnError::InvalidName);
    }
    Ok(name.to_owned())
}

/// The identifier of a name: lowercase ASCII letters and digits, other runs become `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'Ò' | 'Ó' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' => 'u',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
        if out.len() >= MAX_ID_CHARS {
            break;
        }
    }
    out
}

fn files_with_ext(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>, VpnError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(VpnError::Io {
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten().take(MAX_PROFILES * 3) {
        let path = entry.path();
        let ok_ext = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if ok_ext && entry.file_type().is_ok_and(|t| t.is_file()) {
            out.push(path);
        }
    }
    out.sort();
    out.truncate(MAX_PROFILES);
    Ok(out)
}

fn read_meta(path: &Path) -> Result<Profile, VpnError> {
    let damaged = || VpnError::Damaged {
        path: path.to_path_buf(),
    };
    let meta_len = std::fs::metadata(path)
        .map_err(|source| VpnError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if meta_len > MAX_META_BYTES {
        return Err(damaged());
    }
    let bytes = std::fs::read(path).map_err(|source| VpnError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let meta: Meta = serde_json::from_slice(&bytes).map_err(|_| damaged())?;
    if slug(&meta.id) != meta.id || meta.id.is_empty() {
        return Err(damaged());
    }
    Ok(Profile {
        report: LintReport {
            kind: meta.kind,
            refused: Vec::new(),
            inlined: meta.inlined,
            remotes: meta.remotes,
            needs_credentials: meta.needs_credentials,
        },
        id: meta.id,
        name: meta.name,
        kind: meta.kind,
        origin: Origin::Imported,
        read_only: false,
        source_file: meta.source_file,
        imported_at: Some(meta.imported_at),
    })
}

fn create_private_dir(dir: &Path) -> Result<(), VpnError> {
    std::fs::create_dir_all(dir).map_err(|source| VpnError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, readable by the user only, then
/// renames it into place.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), VpnError> {
    use std::io::Write;
    let io = |source| VpnError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_keeps_letters_digits_and_folds_accents() {
        assert_eq!(slug("Ufficio Tributi (sede)"), "ufficio-tributi-sede");
        assert_eq!(slug("Città-2"), "citta-2");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("///"), "");
    }
}
