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

/// A reader that yields at most `step` bytes per call, as pipes and network files may.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let b = (n as u64).to_be_bytes();
        let skip = b.iter().take_while(|x| **x == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&b[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SignedData of the streamed shape around `content` (no signers: only the envelope
/// matters to the streaming reader), followed by `trailing` bytes.
fn envelope(content: &[u8], trailing: &[u8]) -> Vec<u8> {
    const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let alg = der(0x30, &der(0x06, SHA256));
    let eci = der(
        0x30,
        &[der(0x06, DATA), der(0xa0, &der(0x04, content))].concat(),
    );
    let sd = der(
        0x30,
        &[der(0x02, &[1]), der(0x31, &alg), eci, der(0x31, &[])].concat(),
    );
    let mut out = der(0x30, &[der(0x06, SIGNED_DATA), der(0xa0, &sd)].concat());
    out.extend_from_slice(trailing);
    out
}

#[test]
fn stream_with_sha256_large_content_file_and_content_digests_over_their_own_bytes() {
    use lavoro_agile_cades::crypto::DigestAlgorithm;
    use lavoro_agile_cades::stream::{stream_signed_data, stream_signed_data_with_sha256};
    use sha2::Digest;
    // 5 MiB: more than all the shared buffers together, so they are recycled many times.
    let content: Vec<u8> = (0..5u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let file = envelope(&content, b"trailing bytes after the envelope");
    let content_sha = sha2::Sha256::digest(&content).to_vec();
    let file_sha: [u8; 32] = sha2::Sha256::digest(&file).into();
    assert_ne!(content_sha, file_sha.to_vec());
    for step in [usize::MAX, 1 << 20, 4099, 7] {
        let (streamed, sha) = stream_signed_data_with_sha256(Trickle { data: &file, step })
            .unwrap()
            .unwrap();
        assert_eq!(sha, file_sha, "step {step}");
        assert_eq!(
            streamed.content.digests,
            vec![(DigestAlgorithm::Sha256, content_sha.clone())],
            "step {step}"
        );
        assert_eq!(streamed.content.length, content.len() as u64);
        // The same skeleton as the reader without the file digest.
        let plain = stream_signed_data(&file[..]).unwrap().unwrap();
        assert_eq!(streamed.skeleton, plain.skeleton);
    }
}

#[test]
fn stream_with_sha256_fixtures_match_plain_stream_and_declined_shapes_stay_declined() {
    use lavoro_agile_cades::stream::{stream_signed_data, stream_signed_data_with_sha256};
    use sha2::Digest;
    for name in ["attached.p7m", "ber.p7m", "two-signers.p7m"] {
        let bytes = fixture(name);
        let (s, sha) = stream_signed_data_with_sha256(&bytes[..]).unwrap().unwrap();
        let plain = stream_signed_data(&bytes[..]).unwrap().unwrap();
        assert_eq!(s.skeleton, plain.skeleton, "{name}");
        assert_eq!(s.content, plain.content, "{name}");
        assert_eq!(
            sha,
            <[u8; 32]>::from(sha2::Sha256::digest(&bytes)),
            "{name}"
        );
    }
    for name in ["base64.p7m", "nested.pdf.p7m.p7m", "detached.txt.p7s"] {
        assert!(
            stream_signed_data_with_sha256(&fixture(name)[..])
                .unwrap()
                .is_none(),
            "{name}"
        );
    }
    let bytes = fixture("attached.p7m");
    assert!(stream_signed_data_with_sha256(&bytes[..bytes.len() / 2]).is_err());
}
