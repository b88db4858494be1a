//! Integration tests of `lavoro-agile-pki`: decoding the generated test PKI
//! (`tests/fixtures/pki/`) and the fuzz corpus replay. Path, CRL and policy scenarios run
//! end to end in `crates/verify/tests/verify.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};

use lavoro_agile_pki::cert::KeyDescription;
use lavoro_agile_pki::crl::Scope;
use lavoro_agile_pki::{Certificate, Crl};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus(target: &str, name: &str) -> Vec<u8> {
    std::fs::read(root().join("fuzz/corpus").join(target).join(name)).unwrap()
}

#[test]
fn certificate_sub_ca_facts_are_decoded() {
    let c = Certificate::from_der(&corpus("pki_certificate", "sub.der")).unwrap();
    assert_eq!(c.label(), "PKI Test Sub CA");
    assert_eq!(c.basic_constraints(), Some((true, Some(0))));
    assert!(c.may_sign_certificates() && c.may_sign_crls());
    assert!(!c.may_sign_documents());
    assert_eq!(c.key_description(), KeyDescription::Rsa(2048));
    assert_eq!(c.serial(), &[10]);
    assert!(c.unknown_critical_extensions().is_empty());
    // The TBS is the first element of the certificate, exactly as stored.
    assert_eq!(c.tbs().first(), Some(&0x30));
    assert!(c.tbs().len() < c.der().len());
}

#[test]
fn certificate_root_issues_sub_by_name() {
    let root = Certificate::from_der(&corpus("pki_certificate", "root.der")).unwrap();
    let sub = Certificate::from_der(&corpus("pki_certificate", "sub.der")).unwrap();
    assert!(root.is_issuer_of(&sub));
    assert!(root.is_self_issued());
    assert!(!sub.is_issuer_of(&root));
}

#[test]
fn crl_entries_and_scope_are_decoded() {
    let c = Crl::from_der(&corpus("pki_crl", "sub-revocations.crl")).unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c.scope(), Scope::All);
    let e = c.entry(&[101]).unwrap();
    assert_eq!(e.reason, Some(1)); // keyCompromise
    assert!(c.entry(&[0, 101]).is_some(), "leading zeros are ignored");
    assert!(c.entry(&[100]).is_none());
    assert!(c.this_update() < c.next_update().unwrap());
}

#[test]
fn truncated_inputs_are_errors() {
    assert!(Certificate::from_der(&corpus("pki_certificate", "truncated.der")).is_err());
    assert!(Crl::from_der(&corpus("pki_crl", "truncated.crl")).is_err());
}

fn replay(target: &str, entry: fn(&[u8])) -> usize {
    let mut n = 0;
    for f in std::fs::read_dir(root().join("fuzz/corpus").join(target)).unwrap() {
        entry(&std::fs::read(f.unwrap().path()).unwrap());
        n += 1;
    }
    n
}

#[test]
fn fuzz_corpora_replay_without_panic() {
    assert!(replay("pki_certificate", lavoro_agile_pki::fuzzing::certificate) >= 5);
    assert!(replay("pki_crl", lavoro_agile_pki::fuzzing::crl) >= 3);
    assert!(replay("pki_ocsp", lavoro_agile_pki::fuzzing::ocsp) >= 5);
}

#[test]
fn ocsp_responses_decode_and_truncated_is_error() {
    use lavoro_agile_pki::ocsp::OcspResponse;
    for name in [
        "ocsp-good.der",
        "ocsp-revoked.der",
        "ocsp-unknown.der",
        "ocsp-good-by-ca.der",
    ] {
        let r = OcspResponse::from_der(&corpus("pki_ocsp", name)).unwrap();
        assert!(r.produced_at().year() >= 2026, "{name}");
    }
    assert!(OcspResponse::from_der(&corpus("pki_ocsp", "truncated.der")).is_err());
}
