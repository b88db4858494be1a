//! Helpers: keys, signed packs, hand-made (hostile) tar archives.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

use lavoro_agile_packs::archive::Limits;
use lavoro_agile_packs::build::{build_pack, BuildOptions};
use lavoro_agile_packs::keys::KeyRing;
use lavoro_agile_packs::manifest::{FileEntry, Manifest, FORMAT, MANIFEST_NAME};
use lavoro_agile_packs::sign::{self, GeneratedKey};
use lavoro_agile_packs::store::Store;
use lavoro_agile_packs::verify::{verify_pack, KeyPolicy, VerifiedPack};
use lavoro_agile_packs::{Kind, Refusal, Version};
use sha2::{Digest, Sha256};
use time::macros::datetime;

pub const APP: Version = Version(0, 1, 0);
pub const T0: time::OffsetDateTime = datetime!(2026-11-26 09:00 UTC);

pub struct Signer {
    pub key: GeneratedKey,
}

impl Signer {
    pub fn new() -> Self {
        Self {
            key: sign::generate(None, "test").unwrap(),
        }
    }

    pub fn sign(&self, archive: &[u8]) -> String {
        let sk = sign::load_secret_key(&self.key.secret_text, None).unwrap();
        sign::sign(&sk, archive, "test").unwrap()
    }

    pub fn trust(&self, ring: &mut KeyRing, kinds: &[Kind]) {
        ring.add(
            self.key.public_key.clone(),
            kinds.iter().copied().collect::<BTreeSet<_>>(),
            String::new(),
            None,
        )
        .unwrap();
    }
}

/// A ring trusting `signer` for `kinds`.
pub fn ring(signer: &Signer, kinds: &[Kind]) -> KeyRing {
    let mut r = KeyRing::new();
    signer.trust(&mut r, kinds);
    r
}

/// Builds a pack of `kind`/`version` from `files` with the real builder.
pub fn build(kind: Kind, version: u64, files: &[(&str, &[u8])]) -> Vec<u8> {
    build_with(kind, version, "0.1.0", files)
}

pub fn build_with(kind: Kind, version: u64, min_app: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    for (p, data) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
    build_pack(
        dir.path(),
        &BuildOptions {
            kind,
            version,
            created: T0,
            min_app_version: Version::parse(min_app).unwrap(),
        },
        &Limits::default(),
    )
    .unwrap()
}

pub fn check<'a>(
    archive: &'a [u8],
    sig: Option<&str>,
    ring: &KeyRing,
) -> Result<VerifiedPack<'a>, Refusal> {
    verify_pack(
        archive,
        sig,
        KeyPolicy::Trusted(ring),
        APP,
        &Limits::default(),
    )
}

pub fn check_limits<'a>(
    archive: &'a [u8],
    sig: Option<&str>,
    ring: &KeyRing,
    limits: &Limits,
) -> Result<VerifiedPack<'a>, Refusal> {
    verify_pack(archive, sig, KeyPolicy::Trusted(ring), APP, limits)
}

/// A manifest listing `files` with their true hashes.
pub fn manifest_for(kind: Kind, version: u64, files: &[(&str, &[u8])]) -> Manifest {
    Manifest {
        format: FORMAT,
        kind,
        version,
        created: "2026-11-26T09:00:00Z".into(),
        min_app_version: "0.1.0".into(),
        files: files
            .iter()
            .map(|(p, d)| FileEntry {
                path: (*p).into(),
                size: d.len() as u64,
                sha256: hex::encode(Sha256::digest(d)),
            })
            .collect(),
    }
}

/// One entry of a hand-made archive: raw path bytes, type, data, link target.
pub struct Raw<'a> {
    pub path: &'a [u8],
    pub kind: tar::EntryType,
    pub data: &'a [u8],
    pub link: Option<&'a [u8]>,
}

pub fn file<'a>(path: &'a str, data: &'a [u8]) -> Raw<'a> {
    Raw {
        path: path.as_bytes(),
        kind: tar::EntryType::Regular,
        data,
        link: None,
    }
}

/// A tar archive written header by header, so that hostile names and types get in.
pub fn raw_tar(entries: &[Raw<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let name = &mut h.as_old_mut().name;
        name[..e.path.len()].copy_from_slice(e.path);
        h.set_entry_type(e.kind);
        h.set_mode(0o644);
        h.set_size(e.data.len() as u64);
        if let Some(l) = e.link {
            h.as_old_mut().linkname[..l.len()].copy_from_slice(l);
        }
        h.set_cksum();
        b.append(&h, e.data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A hand-made archive: the manifest first, then `entries`.
pub fn raw_pack(manifest: &Manifest, entries: &[Raw<'_>]) -> Vec<u8> {
    let json = manifest.to_json();
    let mut all = vec![file(MANIFEST_NAME, &json)];
    all.extend(entries.iter().map(|e| Raw {
        path: e.path,
        kind: e.kind,
        data: e.data,
        link: e.link,
    }));
    raw_tar(&all)
}

/// A store in a temporary folder with `portal` v1 installed (content `a.md` = "uno").
pub fn store_with_v1(signer: &Signer, ring: &KeyRing) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("packs"));
    let archive = build(Kind::Portal, 1, &[("a.md", b"uno")]);
    let pack = check(&archive, Some(&signer.sign(&archive)), ring).unwrap();
    store.install(&pack, T0, &mut |_| {}).unwrap();
    (dir, store)
}

/// Asserts that the live portal content is still v1.
pub fn assert_v1_untouched(store: &Store) {
    let inst = store.installed(Kind::Portal).unwrap().unwrap();
    assert_eq!(inst.version, 1);
    let content = store.content_dir(Kind::Portal).unwrap().unwrap();
    assert_eq!(std::fs::read(content.join("a.md")).unwrap(), b"uno");
    let names: Vec<_> = std::fs::read_dir(&content)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "unexpected files in live content: {names:?}"
    );
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}
