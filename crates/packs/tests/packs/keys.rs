//! Key-scope files, rotation and IT's extra keys.

use lavoro_agile_packs::keys::{key_file_text, KeyRing};
use lavoro_agile_packs::Kind;

use crate::common::*;

#[test]
fn key_file_roundtrip_scope_kept() {
    let s = Signer::new();
    let text = key_file_text(
        &s.key.public_key,
        &[Kind::Trust].into_iter().collect(),
        "IT 2026",
    );
    let mut r = KeyRing::new();
    r.add_key_file_text(&text, None).unwrap();
    let k = r.get(&s.key.key_id).unwrap();
    assert_eq!(
        k.kinds.iter().copied().collect::<Vec<_>>(),
        vec![Kind::Trust]
    );
    assert_eq!(k.comment, "IT 2026");
}

#[test]
fn two_keys_same_kind_both_accepted_for_rotation() {
    let old = Signer::new();
    let new = Signer::new();
    let mut r = KeyRing::new();
    old.trust(&mut r, &[Kind::Portal]);
    new.trust(&mut r, &[Kind::Portal]);
    let a = build(Kind::Portal, 1, &[("a.md", b"x")]);
    assert!(check(&a, Some(&old.sign(&a)), &r).is_ok());
    assert!(check(&a, Some(&new.sign(&a)), &r).is_ok());
}

#[test]
fn same_key_in_two_folders_kinds_united() {
    let s = Signer::new();
    let bundled = tempfile::tempdir().unwrap();
    let system = tempfile::tempdir().unwrap();
    let one = |k: Kind| key_file_text(&s.key.public_key, &[k].into_iter().collect(), "");
    std::fs::write(bundled.path().join("k.packkey"), one(Kind::Portal)).unwrap();
    std::fs::write(system.path().join("k.packkey"), one(Kind::Profiles)).unwrap();
    let mut r = KeyRing::new();
    assert!(r.load_dir(bundled.path()).is_empty());
    assert!(r.load_dir(system.path()).is_empty());
    let kinds: Vec<_> = r
        .get(&s.key.key_id)
        .unwrap()
        .kinds
        .iter()
        .copied()
        .collect();
    assert_eq!(kinds, vec![Kind::Portal, Kind::Profiles]);
}

#[test]
fn bad_key_file_skipped_with_warning_others_loaded() {
    let s = Signer::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a-bad.packkey"),
        "public_key = \"nope\"\nkinds = [\"portal\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b-unknown-kind.packkey"),
        key_file_text(&s.key.public_key, &[Kind::Portal].into_iter().collect(), "")
            .replace("\"portal\"", "\"everything\""),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c-good.packkey"),
        key_file_text(&s.key.public_key, &[Kind::Portal].into_iter().collect(), ""),
    )
    .unwrap();
    std::fs::write(dir.path().join("ignored.txt"), "not a key").unwrap();
    let mut r = KeyRing::new();
    let warnings = r.load_dir(dir.path());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(r.get(&s.key.key_id).is_some());
}

#[test]
fn missing_key_folder_loads_nothing() {
    let mut r = KeyRing::new();
    assert!(r
        .load_dir(std::path::Path::new("/nonexistent/lavoro-agile/keys"))
        .is_empty());
    assert!(r.is_empty());
}

#[test]
fn encrypted_secret_key_needs_passphrase() {
    use lavoro_agile_packs::sign::{generate, load_secret_key, Secret};
    let pass = Secret::new("correct horse".into());
    let k = generate(Some(&pass), "").unwrap();
    assert!(load_secret_key(&k.secret_text, None).is_err());
    assert!(load_secret_key(&k.secret_text, Some(&Secret::new("wrong".into()))).is_err());
    assert!(load_secret_key(&k.secret_text, Some(&pass)).is_ok());
}
