//! Integration tests of `lavoro-agile-cades`: reading the generated fixtures
//! (`tests/fixtures/cades/`), hostile input budgets, and the fuzz corpus replay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lavoro_agile_cades::cert::CertificateInfo;
use lavoro_agile_cades::crypto::SignatureOutcome;
use lavoro_agile_cades::signer::{CertificateLookup, DigestOutcome, EssOutcome};
use lavoro_agile_cades::{read, Container, ReadOptions, ReadOutcome};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/cades")
            .join(name),
    )
    .unwrap()
}

fn doc(name: &str, options: &ReadOptions) -> lavoro_agile_cades::Document {
    match read(&fixture(name), options).unwrap() {
        ReadOutcome::Signed(d) => d,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn ber_attached_joins_chunks_and_verifies() {
    let d = doc(
        "ber.p7m",
        &ReadOptions {
            keep_content: true,
            ..Default::default()
        },
    );
    assert_eq!(d.container, Container::Attached);
    let f = d.signatures[0].facts.as_ref().unwrap();
    assert_eq!(f.digest, DigestOutcome::Match);
    assert_eq!(f.signature, Some(SignatureOutcome::Valid));
    assert_eq!(f.ess, EssOutcome::Matched(2));
    assert_eq!(d.content.unwrap().len(), 4500);
    let without = doc("ber.p7m", &ReadOptions::default());
    assert!(without.content.is_none());
}

#[test]
fn armoured_inputs_read_like_binary() {
    for name in ["base64.p7m", "pem.p7m"] {
        let d = doc(name, &ReadOptions::default());
        assert_ne!(d.armor, lavoro_agile_cades::armor::Armor::Binary, "{name}");
        assert_eq!(
            d.signatures[0].facts.as_ref().unwrap().signature,
            Some(SignatureOutcome::Valid),
            "{name}"
        );
    }
}

#[test]
fn detached_without_content_reports_content_missing() {
    let d = doc("detached-alone.p7s", &ReadOptions::default());
    assert_eq!(d.container, Container::Detached);
    assert!(d.content_missing);
    assert_eq!(
        d.signatures[0].facts.as_ref().unwrap().digest,
        DigestOutcome::ContentMissing
    );
}

#[test]
fn detached_with_content_verifies() {
    let options = ReadOptions {
        detached_content: Some(fixture("detached.txt")),
        ..Default::default()
    };
    let d = doc("detached-alone.p7s", &options);
    let f = d.signatures[0].facts.as_ref().unwrap();
    assert_eq!(f.digest, DigestOutcome::Match);
    assert_eq!(f.signature, Some(SignatureOutcome::Valid));
}

#[test]
fn every_algorithm_fixture_signature_verifies() {
    for name in [
        "rsa-pss-sha256.p7m",
        "rsa-sha3-256.p7m",
        "ecdsa-p256.p7m",
        "ecdsa-p384-sha384.p7m",
        "ecdsa-p521-sha512.p7m",
        "ed25519.p7m",
        "ed448.p7m",
    ] {
        let d = doc(name, &ReadOptions::default());
        let f = d.signatures[0].facts.as_ref().unwrap();
        assert_eq!(f.signature, Some(SignatureOutcome::Valid), "{name}");
        assert_eq!(f.digest, DigestOutcome::Match, "{name}");
    }
}

#[test]
fn unknown_signature_algorithm_is_unsupported_not_invalid() {
    let d = doc("unknown-algorithm.p7m", &ReadOptions::default());
    assert!(matches!(
        d.signatures[0].facts.as_ref().unwrap().signature,
        Some(SignatureOutcome::Unsupported(_))
    ));
}

#[test]
fn supplied_certificate_finds_signer_without_embedded_ones() {
    let cert = CertificateInfo::from_bytes(&fixture("signer-rsa.der")).unwrap();
    let none = doc("no-certificates.p7m", &ReadOptions::default());
    assert!(matches!(
        none.signatures[0].facts.as_ref().unwrap().certificate,
        CertificateLookup::NotFound
    ));
    let options = ReadOptions {
        supplied_certificates: vec![Arc::new(cert)],
        ..Default::default()
    };
    let d = doc("no-certificates.p7m", &options);
    let f = d.signatures[0].facts.as_ref().unwrap();
    assert!(matches!(f.certificate, CertificateLookup::Found { .. }));
    assert_eq!(f.signature, Some(SignatureOutcome::Valid));
}

#[test]
fn truncated_signature_is_located_but_undecodable() {
    let d = doc("truncated.p7m", &ReadOptions::default());
    assert_eq!(d.signatures.len(), 1);
    assert!(d.signatures[0].facts.is_err());
}

#[test]
fn garbage_is_not_a_signature() {
    assert!(matches!(
        read(&fixture("garbage.p7m"), &ReadOptions::default()).unwrap(),
        ReadOutcome::NotASignature
    ));
    assert!(matches!(
        read(b"", &ReadOptions::default()).unwrap(),
        ReadOutcome::NotASignature
    ));
}

#[test]
fn deep_indefinite_nesting_ends_with_an_error_quickly() {
    let mut data = b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80".to_vec();
    for _ in 0..100_000 {
        data.extend_from_slice(b"\x30\x80");
    }
    // Located (signedData OID) but undecodable, or a budget error: never a crash.
    match read(&data, &ReadOptions::default()) {
        Ok(ReadOutcome::Signed(d)) => assert!(d.signatures[0].facts.is_err()),
        Ok(other) => panic!("{other:?}"),
        Err(e) => assert!(matches!(e, lavoro_agile_cades::Error::LimitExceeded(_))),
    }
}

fn replay(target: &str, entry: fn(&[u8])) -> usize {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        entry(&std::fs::read(f.unwrap().path()).unwrap());
        n += 1;
    }
    n
}

#[test]
fn fuzz_corpora_replay_without_panic() {
    use lavoro_agile_cades::fuzzing;
    assert!(replay("cades_read", fuzzing::read_document) > 0);
    assert!(replay("ber", fuzzing::ber) > 0);
    assert!(replay("certificate", fuzzing::certificate) > 0);
    assert!(replay("unarmor", fuzzing::unarmor) > 0);
    assert!(replay("mime", fuzzing::mime) > 0);
    assert!(replay("timestamp", fuzzing::timestamp) > 0);
    assert!(replay("cades_stream", fuzzing::stream) > 0);
    assert!(replay("cades_archive", fuzzing::archive) >= 3);
}

#[test]
fn certificate_with_non_der_boolean_still_decodes_and_keeps_its_bytes() {
    let mut raw = fixture("signer-rsa.der");
    let pos = raw
        .windows(3)
        .position(|w| w == [0x01, 0x01, 0xff])
        .unwrap();
    raw[pos + 2] = 0x01; // BOOLEAN TRUE written as 01, as some older CAs did
    let cert = CertificateInfo::from_bytes(&raw).unwrap();
    assert_eq!(cert.der(), raw.as_slice());
    assert!(cert.common_name().is_some());
}

// ------------------------------------------------------------------ streaming (issue 5)

fn facts_summary(d: &lavoro_agile_cades::Document) -> Vec<String> {
    d.signatures
        .iter()
        .map(|e| match &e.facts {
            Ok(f) => format!("{:?}/{:?}/{:?}", f.digest, f.signature, f.ess),
            Err(e) => format!("error {e}"),
        })
        .collect()
}

#[test]
fn streamed_read_gives_the_same_facts_as_whole_read() {
    use lavoro_agile_cades::stream::stream_signed_data;
    for name in [
        "attached.p7m",
        "ber.p7m",
        "tampered.p7m",
        "corrupted-signature.p7m",
        "two-signers.p7m",
        "countersigned.p7m",
        "attributes-reordered.p7m",
        "ecdsa-p384-sha384.p7m",
        "rsa-sha3-256.p7m",
        "cades-t.p7m",
    ] {
        let bytes = fixture(name);
        let streamed = stream_signed_data(&bytes[..])
            .unwrap()
            .unwrap_or_else(|| panic!("{name} not streamed"));
        assert!(streamed.skeleton.len() < bytes.len(), "{name}");
        let whole = doc(name, &ReadOptions::default());
        let ReadOutcome::Signed(s) = lavoro_agile_cades::read_streamed(
            &streamed.skeleton,
            &streamed.content,
            &ReadOptions::default(),
        )
        .unwrap() else {
            panic!("{name}: not signed")
        };
        assert_eq!(s.container, Container::Attached, "{name}");
        assert!(!s.content_missing, "{name}");
        assert_eq!(facts_summary(&s), facts_summary(&whole), "{name}");
        assert_eq!(s.certificates.len(), whole.certificates.len(), "{name}");
    }
}

#[test]
fn streamed_read_declines_shapes_it_does_not_stream() {
    use lavoro_agile_cades::stream::stream_signed_data;
    // Armour, nested envelopes and detached signatures are read whole by the caller.
    for name in [
        "base64.p7m",
        "pem.p7m",
        "nested.pdf.p7m.p7m",
        "detached.txt.p7s",
    ] {
        assert!(
            stream_signed_data(&fixture(name)[..]).unwrap().is_none(),
            "{name}"
        );
    }
    // Truncated input is an error, not a panic.
    let bytes = fixture("attached.p7m");
    assert!(stream_signed_data(&bytes[..bytes.len() / 2]).is_err());
}
