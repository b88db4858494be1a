//! Trusted public keys, each scoped to the kinds of pack it may sign.
//!
//! A key-scope file is a small TOML file named `NAME.packkey`:
//!
//! ```toml
//! # Who holds the private half, and since when.
//! comment = "Comune, ufficio sistemi informativi: chiave portale 2026"
//! # The minisign public key: the second line of the NAME.pub file.
//! public_key = "RWQ…"
//! # What this key may sign: any of "portal", "trust", "profiles".
//! kinds = ["portal"]
//! ```
//!
//! Keys are read from every `*.packkey` file of the bundled `resources/keys/` folder and of
//! the machine-wide key folder. Several keys may serve the same kind (rotation). When the
//! same key appears in more than one file, its kinds are the union of what the files say.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use minisign::PublicKey;
use serde::Deserialize;

use crate::manifest::Kind;
use crate::PackError;

/// Extension of key-scope files.
pub const KEY_FILE_EXTENSION: &str = "packkey";
/// Largest key-scope file read, in bytes.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// One key as written in a key-scope file or in a `[[keys]]` table of `packs.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// Free text: who holds the key, since when.
    #[serde(default)]
    pub comment: String,
    /// The minisign public key, base64.
    pub public_key: String,
    /// Kinds it may sign.
    pub kinds: Vec<String>,
}

type KeyFile = KeyEntry;

/// One trusted key.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The minisign key id, 16 uppercase hexadecimal digits (as `minisign` prints it).
    pub key_id: String,
    /// The kinds this key may sign.
    pub kinds: BTreeSet<Kind>,
    /// Free text from the key file.
    pub comment: String,
    /// Files this key was read from.
    pub sources: Vec<PathBuf>,
    /// The key.
    pub public_key: PublicKey,
}

/// The minisign key id of a key number, as `minisign` prints it.
pub fn key_id(keynum: &[u8]) -> String {
    let mut le = [0u8; 8];
    for (dst, src) in le.iter_mut().zip(keynum.iter()) {
        *dst = *src;
    }
    format!("{:016X}", u64::from_le_bytes(le))
}

/// A problem with one key file; the other keys still load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWarning {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub detail: String,
}

/// The set of trusted keys.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: BTreeMap<String, TrustedKey>,
}

impl KeyRing {
    /// An empty key ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key for `kinds`; the same key added twice gains the union of the kinds.
    /// A key id already used by a different key is refused.
    pub fn add(
        &mut self,
        public_key: PublicKey,
        kinds: BTreeSet<Kind>,
        comment: String,
        source: Option<PathBuf>,
    ) -> Result<(), String> {
        let id = key_id(public_key.keynum());
        if let Some(existing) = self.keys.get_mut(&id) {
            if existing.public_key.to_base64() != public_key.to_base64() {
                return Err(format!("key id {id} is already used by a different key"));
            }
            existing.kinds.extend(kinds);
            existing.sources.extend(source);
            return Ok(());
        }
        self.keys.insert(
            id.clone(),
            TrustedKey {
                key_id: id,
                kinds,
                comment,
                sources: source.into_iter().collect(),
                public_key,
            },
        );
        Ok(())
    }

    /// Parses the text of a key-scope file and adds its key.
    pub fn add_key_file_text(&mut self, text: &str, source: Option<PathBuf>) -> Result<(), String> {
        let file: KeyFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        self.add_entry(&file, source)
    }

    /// Adds a key given as a [`KeyEntry`].
    pub fn add_entry(&mut self, file: &KeyEntry, source: Option<PathBuf>) -> Result<(), String> {
        let pk = PublicKey::from_base64(file.public_key.trim())
            .map_err(|e| format!("public_key: {e}"))?;
        if file.kinds.is_empty() {
            return Err("kinds is empty".into());
        }
        let mut kinds = BTreeSet::new();
        for k in &file.kinds {
            kinds.insert(Kind::parse(k).ok_or_else(|| format!("unknown kind {k:?}"))?);
        }
        self.add(pk, kinds, file.comment.clone(), source)
    }

    /// Loads every `*.packkey` file of `dir`, in name order. A missing folder adds
    /// nothing; a bad file is skipped and reported.
    pub fn load_dir(&mut self, dir: &Path) -> Vec<KeyWarning> {
        let mut warnings = Vec::new();
        let Ok(read) = std::fs::read_dir(dir) else {
            return warnings;
        };
        let mut paths: Vec<PathBuf> = read
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(KEY_FILE_EXTENSION))
            .collect();
        paths.sort();
        for path in paths {
            let result = read_small(&path)
                .and_then(|text| self.add_key_file_text(&text, Some(path.clone())));
            if let Err(detail) = result {
                tracing::warn!(file = %path.display(), %detail, "key file skipped");
                warnings.push(KeyWarning { path, detail });
            }
        }
        warnings
    }

    /// The key with this id.
    pub fn get(&self, key_id: &str) -> Option<&TrustedKey> {
        self.keys.get(key_id)
    }

    /// Every key, by id.
    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.values()
    }

    /// Whether there is no key at all.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

fn read_small(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err("file too large".into());
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// Text of a key-scope file for `public_key` and `kinds`.
pub fn key_file_text(public_key: &PublicKey, kinds: &BTreeSet<Kind>, comment: &str) -> String {
    let kinds: Vec<String> = kinds.iter().map(|k| format!("{:?}", k.as_str())).collect();
    let comment = comment.replace(['"', '\\', '\n', '\r'], " ");
    format!(
        "# Lavoro Agile pack key (key id {}).\n# Copy this file into resources/keys/ or the machine-wide keys folder.\ncomment = \"{comment}\"\npublic_key = \"{}\"\nkinds = [{}]\n",
        key_id(public_key.keynum()),
        public_key.to_base64(),
        kinds.join(", ")
    )
}

/// Reads a minisign public key file (`NAME.pub`) or a bare base64 key.
pub fn read_public_key_file(path: &Path) -> Result<PublicKey, PackError> {
    let text = read_small(path).map_err(|detail| PackError::Input {
        path: path.display().to_string(),
        source: std::io::Error::other(detail),
    })?;
    parse_public_key_text(&text)
        .ok_or_else(|| PackError::Key(format!("{} is not a minisign public key", path.display())))
}

/// Parses the text of a minisign public key file, a key-scope file, or a bare base64 key.
pub fn parse_public_key_text(text: &str) -> Option<PublicKey> {
    if let Ok(file) = toml::from_str::<KeyFile>(text) {
        return PublicKey::from_base64(file.public_key.trim()).ok();
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .find_map(|l| PublicKey::from_base64(l).ok())
}
