//! Compatibility with the reference minisign tool: a pack signed by `minisign -S`
//! (fixtures made by `tests/fixtures/make_reference.sh`) verifies here.

use std::path::PathBuf;

use lavoro_agile_packs::keys::{key_id, parse_public_key_text};
use lavoro_agile_packs::{Kind, Refusal};

use crate::common::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn reference_minisign_signature_verifies() {
    let pk =
        parse_public_key_text(&std::fs::read_to_string(fixture("reference.pub")).unwrap()).unwrap();
    let mut r = lavoro_agile_packs::keys::KeyRing::new();
    r.add(
        pk.clone(),
        [Kind::Portal].into_iter().collect(),
        String::new(),
        None,
    )
    .unwrap();
    let archive = std::fs::read(fixture("reference.pack")).unwrap();
    let sig = std::fs::read_to_string(fixture("reference.pack.minisig")).unwrap();
    let pack = check(&archive, Some(&sig), &r).unwrap();
    assert_eq!(pack.key_id, key_id(pk.keynum()));
    assert_eq!(pack.trusted_comment, "reference minisign fixture");
    assert_eq!(pack.manifest.raw.files.len(), 2);
}

#[test]
fn reference_minisign_signature_other_bytes_refused() {
    let pk =
        parse_public_key_text(&std::fs::read_to_string(fixture("reference.pub")).unwrap()).unwrap();
    let mut r = lavoro_agile_packs::keys::KeyRing::new();
    r.add(
        pk,
        [Kind::Portal].into_iter().collect(),
        String::new(),
        None,
    )
    .unwrap();
    let mut archive = std::fs::read(fixture("reference.pack")).unwrap();
    archive.push(0);
    let sig = std::fs::read_to_string(fixture("reference.pack.minisig")).unwrap();
    assert_eq!(
        check(&archive, Some(&sig), &r).unwrap_err(),
        Refusal::SignatureInvalid
    );
}
