//! The trustlist crate against the generated mini lists (`tests/fixtures/`, made by
//! `make_mini_lists.py`) and the fuzz corpus.
//!
//! Modules: signatures of the mini lists (good, tampered, wrong signer); the set rules
//! (LOTL vouching, anchors, next update); qualified status cases (status history,
//! qualifiers, QC statements); the fuzz corpus replay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};

use lavoro_agile_pki::{PublicKeyRef, SignatureVerifier, Verification};
use lavoro_agile_trustlist::{dsig, parse, Level, TrustedListSet};
use time::macros::datetime;

struct Crypto;

impl SignatureVerifier for Crypto {
    fn verify(&self, key: &PublicKeyRef<'_>, alg: &[u8], msg: &[u8], sig: &[u8]) -> Verification {
        use lavoro_agile_cades::{ber::Tlv, cms::AlgorithmIdentifier, crypto};
        let a = AlgorithmIdentifier::decode(&Tlv::parse_exact(alg).unwrap()).unwrap();
        let pk = crypto::PublicKey {
            algorithm: key.algorithm.to_owned(),
            curve: key.curve.map(str::to_owned),
            key: key.key,
        };
        match crypto::verify_signature(&pk, &a, None, msg, sig) {
            crypto::SignatureOutcome::Valid => Verification::Valid,
            crypto::SignatureOutcome::Invalid(_) => Verification::Invalid,
            crypto::SignatureOutcome::Unsupported(w) => Verification::Unsupported(w),
        }
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn fuzz_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/trustlist")
}

fn set() -> TrustedListSet {
    TrustedListSet::evaluate(
        &[&fixture("mini-tsl-it.xml"), &fixture("mini-lotl.xml")],
        &Crypto,
    )
}

#[test]
fn mini_lists_signatures_verify() {
    for name in [
        "mini-lotl.xml",
        "mini-tsl-it.xml",
        "mini-tsl-it-wrong-signer.xml",
    ] {
        let bytes = fixture(name);
        let doc = parse::parse_xml(&bytes).unwrap();
        assert!(dsig::verify(&doc, &Crypto).is_ok(), "{name}");
    }
}

#[test]
fn mini_list_tampered_signature_fails() {
    let text = String::from_utf8(fixture("mini-tsl-it.xml")).unwrap();
    let tampered = text.replacen("withdrawn", "granted", 1);
    let doc = parse::parse_xml(tampered.as_bytes()).unwrap();
    assert_eq!(
        dsig::verify(&doc, &Crypto).unwrap_err(),
        dsig::SignatureError::DigestMismatch
    );
    // Changing the signed info (the digest value) breaks the signature value instead.
    let i = text.find("<ds:DigestValue>").unwrap() + "<ds:DigestValue>".len();
    let mut other = text.clone();
    other.replace_range(i..i + 1, if &text[i..i + 1] == "A" { "B" } else { "A" });
    let doc = parse::parse_xml(other.as_bytes()).unwrap();
    assert!(dsig::verify(&doc, &Crypto).is_err());
}

#[test]
fn mini_list_unsigned_is_refused() {
    let text = String::from_utf8(fixture("mini-tsl-it.xml")).unwrap();
    let start = text.find("<ds:Signature").unwrap();
    let end = text.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let unsigned = format!("{}{}", &text[..start], &text[end..]);
    let doc = parse::parse_xml(unsigned.as_bytes()).unwrap();
    assert_eq!(
        dsig::verify(&doc, &Crypto).unwrap_err(),
        dsig::SignatureError::Unsigned
    );
    let set = TrustedListSet::evaluate(&[unsigned.as_bytes(), &fixture("mini-lotl.xml")], &Crypto);
    assert!(set.reports()[0].refused.is_some());
}

#[test]
fn set_with_lotl_uses_national_list_and_gives_anchors() {
    let s = set();
    assert!(s.reports().iter().all(|r| r.refused.is_none()));
    let ca = fixture("ca.der");
    let tsa = fixture("tsa.der");
    assert!(s
        .signature_anchors()
        .iter()
        .any(|a| a.certificate.der() == ca));
    assert!(s
        .timestamp_anchors()
        .iter()
        .any(|a| a.certificate.der() == tsa));
    assert!(!s
        .signature_anchors()
        .iter()
        .any(|a| a.certificate.der() == tsa));
}

#[test]
fn set_without_lotl_refuses_national_list() {
    let s = TrustedListSet::evaluate(&[&fixture("mini-tsl-it.xml")], &Crypto);
    assert!(s.reports()[0].refused.as_ref().unwrap().en.contains("LOTL"));
    assert!(s.signature_anchors().is_empty());
    assert_eq!(
        s.qualified_status(&fixture("user-qes.der")).level,
        Level::NotDetermined
    );
}

#[test]
fn set_wrong_signer_refuses_national_list() {
    let s = TrustedListSet::evaluate(
        &[
            &fixture("mini-tsl-it-wrong-signer.xml"),
            &fixture("mini-lotl.xml"),
        ],
        &Crypto,
    );
    let why = s.reports()[0].refused.as_ref().unwrap();
    assert!(why.en.contains("does not name"), "{}", why.en);
    assert!(s.reports()[1].refused.is_none());
}

#[test]
fn set_next_update_is_reported_past_after_its_date() {
    let s = set();
    let it = &s.reports()[0];
    assert!(!it.is_past_next_update(datetime!(2023-06-30 00:00 UTC)));
    assert!(it.is_past_next_update(datetime!(2023-07-02 00:00 UTC)));
}

fn level(user: &str) -> Level {
    set().qualified_status(&fixture(user)).level
}

#[test]
fn qualified_cert_with_sscd_while_granted_is_qes() {
    assert_eq!(level("user-qes.der"), Level::QualifiedSignature);
}

#[test]
fn qualified_seal_cert_is_qualified_seal() {
    assert_eq!(level("user-seal.der"), Level::QualifiedSeal);
}

#[test]
fn qualified_cert_without_sscd_is_advanced_with_qc() {
    assert_eq!(level("user-nosscd.der"), Level::AdvancedSignatureQc);
}

#[test]
fn qualifier_with_sscd_matching_policy_makes_qes() {
    assert_eq!(level("user-qscd-by-list.der"), Level::QualifiedSignature);
}

#[test]
fn qualifier_not_qualified_matching_policy_overrides_certificate() {
    assert_eq!(level("user-not-qualified-by-list.der"), Level::NotQualified);
}

#[test]
fn certificate_issued_after_withdrawal_is_not_qualified() {
    let q = set().qualified_status(&fixture("user-after-withdrawal.der"));
    assert_eq!(q.level, Level::NotQualified);
    assert!(q.reason.en.contains("was not qualified"), "{}", q.reason.en);
}

#[test]
fn certificate_without_qc_statements_is_not_qualified() {
    assert_eq!(level("user-no-qc.der"), Level::NotQualified);
}

#[test]
fn certificate_from_non_qualified_service_is_not_qualified() {
    assert_eq!(level("user-pkc.der"), Level::NotQualified);
}

#[test]
fn certificate_of_unlisted_issuer_is_not_determined() {
    assert_eq!(level("user-unlisted.der"), Level::NotDetermined);
}

#[test]
fn fuzz_corpus_replays_without_panic() {
    let mut n = 0;
    for f in std::fs::read_dir(fuzz_corpus()).unwrap() {
        let data = std::fs::read(f.unwrap().path()).unwrap();
        lavoro_agile_trustlist::fuzzing::trusted_list(&data);
        n += 1;
    }
    assert!(n >= 3);
}

#[test]
fn ca_anchor_holds_only_while_its_service_was_accredited_or_granted() {
    use time::macros::datetime;
    let s = set();
    let ca = fixture("ca.der");
    let anchor = s
        .signature_anchors()
        .iter()
        .find(|a| a.certificate.der() == ca)
        .unwrap();
    // accredited 2015-01-01, granted 2016-07-01, withdrawn 2021-01-01: one interval.
    assert_eq!(
        anchor.trusted,
        vec![(
            datetime!(2015-01-01 0:00 UTC),
            Some(datetime!(2021-01-01 0:00 UTC))
        )]
    );
    let has_ca = |at| {
        s.signature_anchors_at(at)
            .any(|a| a.certificate.der() == ca)
    };
    assert!(has_ca(datetime!(2020-12-31 23:59:59 UTC)));
    assert!(has_ca(datetime!(2015-01-01 0:00 UTC)));
    assert!(!has_ca(datetime!(2021-01-01 0:00 UTC)));
    assert!(!has_ca(datetime!(2014-12-31 0:00 UTC)));
    // The TSA service, granted since 2016 and never withdrawn, holds from then on.
    let tsa = fixture("tsa.der");
    let has_tsa = |at| {
        s.timestamp_anchors_at(at)
            .any(|a| a.certificate.der() == tsa)
    };
    assert!(has_tsa(datetime!(2030-01-01 0:00 UTC)));
    assert!(!has_tsa(datetime!(2016-06-30 0:00 UTC)));
}

#[test]
fn mini_list_signing_certificate_digest_of_other_certificate_is_refused() {
    let list = fixture("mini-tsl-it-other-signing-cert.xml");
    let doc = parse::parse_xml(&list).unwrap();
    assert_eq!(
        dsig::verify(&doc, &Crypto).unwrap_err(),
        dsig::SignatureError::SigningCertificateMismatch
    );
    let set = TrustedListSet::evaluate(&[&fixture("mini-lotl.xml"), &list], &Crypto);
    let why = set.reports()[1].refused.as_ref().unwrap();
    assert!(
        why.en.contains("signing certificate is not the one"),
        "{}",
        why.en
    );
}

#[test]
fn mini_list_signed_properties_outside_the_signature_are_refused() {
    // The SignedProperties reference removed: the SigningCertificate is then unsigned.
    let text = String::from_utf8(fixture("mini-tsl-it.xml")).unwrap();
    let start = text.find("<ds:Reference Type=").unwrap();
    let end = start + text[start..].find("</ds:Reference>").unwrap() + "</ds:Reference>".len();
    let mut unsigned_props = text.clone();
    unsigned_props.replace_range(start..end, "");
    let doc = parse::parse_xml(unsigned_props.as_bytes()).unwrap();
    // The SignedInfo changed, so the value fails too; the properties are checked first.
    assert_eq!(
        dsig::verify(&doc, &Crypto).unwrap_err(),
        dsig::SignatureError::SigningCertificateMismatch
    );
}
