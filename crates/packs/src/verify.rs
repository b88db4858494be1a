//! Every check a pack must pass before anything is written to disk.
//!
//! Order: archive size budget; signature present, well formed, made by a trusted key and
//! matching the archive bytes; archive structure and paths; manifest; the key's scope
//! for the manifest's kind; every listed file present with its size and SHA-256, nothing
//! extra; minimum app version. The signature comes before any parsing, so a tampered
//! archive is reported as a signature failure even when it is also damaged.

use std::collections::BTreeMap;
use std::io::Cursor;

use sha2::{Digest, Sha256};

use crate::archive::{self, Limits};
use crate::keys::{key_id, KeyRing};
use crate::manifest::{CheckedManifest, Manifest, Version};
use crate::path::PackPath;
use crate::sign::parse_signature;
use crate::Refusal;

/// A pack that passed every check, held in memory until it is installed.
#[derive(Debug, Clone)]
pub struct VerifiedPack<'a> {
    /// The checked manifest.
    pub manifest: CheckedManifest,
    /// The files, by path, with their checked content (borrowed from the archive bytes).
    pub files: BTreeMap<PackPath, &'a [u8]>,
    /// The id of the key that signed the pack.
    pub key_id: String,
    /// The signature's trusted comment.
    pub trusted_comment: String,
    /// SHA-256 of the archive bytes, lowercase hexadecimal.
    pub archive_sha256: String,
}

/// Which keys a signature is checked against.
#[derive(Debug, Clone, Copy)]
pub enum KeyPolicy<'a> {
    /// The trusted key ring, with each key's scope enforced.
    Trusted(&'a KeyRing),
    /// One key given by the caller for any kind (`pack verify --pubkey`): proves who
    /// signed, not that the app would accept it.
    Only(&'a minisign::PublicKey),
}

/// Checks the signature of `archive` and returns the signing key id and trusted comment.
pub fn check_signature(
    archive: &[u8],
    signature: Option<&str>,
    keys: KeyPolicy<'_>,
) -> Result<(String, String), Refusal> {
    let text = signature.ok_or(Refusal::SignatureMissing)?;
    let sig = parse_signature(text).ok_or(Refusal::SignatureInvalid)?;
    let id = key_id(sig.keynum());
    let pk = match keys {
        KeyPolicy::Trusted(ring) => {
            &ring
                .get(&id)
                .ok_or_else(|| Refusal::UnknownKey { key_id: id.clone() })?
                .public_key
        }
        KeyPolicy::Only(pk) => {
            if key_id(pk.keynum()) != id {
                return Err(Refusal::UnknownKey { key_id: id });
            }
            pk
        }
    };
    minisign::verify(pk, &sig, Cursor::new(archive), true, false, true)
        .map_err(|_| Refusal::SignatureInvalid)?;
    let comment = sig.trusted_comment().unwrap_or_default();
    Ok((id, comment))
}

/// Checks the archive's structure and content against its manifest, without a
/// signature check: for `verify_pack` and for the fuzz entry point.
pub fn check_content_unsigned<'a>(
    archive: &'a [u8],
    limits: &Limits,
) -> Result<(CheckedManifest, BTreeMap<PackPath, &'a [u8]>), Refusal> {
    let raw = archive::read(archive, limits)?;
    let manifest = Manifest::parse_checked(raw.manifest, limits.max_entries)?;
    let files = match_files(&manifest, raw.files)?;
    Ok((manifest, files))
}

/// Every listed file present with its size and hash, nothing unlisted.
fn match_files<'a>(
    manifest: &CheckedManifest,
    mut files: BTreeMap<PackPath, &'a [u8]>,
) -> Result<BTreeMap<PackPath, &'a [u8]>, Refusal> {
    let mut ordered = BTreeMap::new();
    let listed = manifest
        .paths
        .iter()
        .zip(manifest.hashes.iter())
        .zip(manifest.raw.files.iter());
    for ((path, expected), entry) in listed {
        let data = files.remove(path).ok_or_else(|| Refusal::FileMissing {
            path: path.to_string(),
        })?;
        let digest: [u8; 32] = Sha256::digest(data).into();
        if entry.size != data.len() as u64 || &digest != expected {
            return Err(Refusal::HashMismatch {
                path: path.to_string(),
            });
        }
        ordered.insert(path.clone(), data);
    }
    if let Some(extra) = files.keys().next() {
        return Err(Refusal::ExtraFile {
            path: extra.to_string(),
        });
    }
    Ok(ordered)
}

/// Runs every check on a pack: see the module documentation for the order.
pub fn verify_pack<'a>(
    archive: &'a [u8],
    signature: Option<&str>,
    keys: KeyPolicy<'_>,
    app_version: Version,
    limits: &Limits,
) -> Result<VerifiedPack<'a>, Refusal> {
    if archive.len() as u64 > limits.max_archive_bytes {
        return Err(Refusal::TooLarge {
            what: "archive".into(),
        });
    }
    let (key_id, trusted_comment) = check_signature(archive, signature, keys)?;
    let raw = archive::read(archive, limits)?;
    let manifest = Manifest::parse_checked(raw.manifest, limits.max_entries)?;
    if let KeyPolicy::Trusted(ring) = keys {
        let allowed = ring
            .get(&key_id)
            .is_some_and(|k| k.kinds.contains(&manifest.raw.kind));
        if !allowed {
            return Err(Refusal::KeyNotAllowed {
                key_id,
                kind: manifest.raw.kind,
            });
        }
    }
    let files = match_files(&manifest, raw.files)?;
    if manifest.min_app_version > app_version {
        return Err(Refusal::AppTooOld {
            required: manifest.min_app_version.to_string(),
            running: app_version.to_string(),
        });
    }
    Ok(VerifiedPack {
        manifest,
        files,
        key_id,
        trusted_comment,
        archive_sha256: hex::encode(Sha256::digest(archive)),
    })
}
