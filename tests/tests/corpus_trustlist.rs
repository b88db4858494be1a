//! The real trusted lists of the shared corpus (`trust/EU-LOTL-*.xml`, `trust/TSL-IT-*.xml`)
//! through `lavoro-agile-trustlist`: parsed, signature-checked, tampered copies refused,
//! and the national list vouched for by the LOTL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::time::Instant;

use lavoro_agile_pki::{PublicKeyRef, SignatureVerifier, Verification};
use lavoro_agile_tests::corpus_dir;
use lavoro_agile_trustlist::{dsig, parse, TrustedListSet};

const LOTL: &str = "trust/EU-LOTL-seq332-2023-09-27.xml";
const TSL_IT: &str = "trust/TSL-IT-seq194-2023-09-26.xml";

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

fn read(name: &str) -> Option<Vec<u8>> {
    Some(std::fs::read(corpus_dir()?.join(name)).unwrap())
}

#[test]
fn corpus_lists_parse_with_their_header_and_services() {
    let (Some(lotl), Some(it)) = (read(LOTL), read(TSL_IT)) else {
        return;
    };
    let t = Instant::now();
    let l = parse::parse(&lotl).unwrap();
    let lotl_ms = t.elapsed().as_millis();
    let t = Instant::now();
    let i = parse::parse(&it).unwrap();
    let it_ms = t.elapsed().as_millis();
    eprintln!("parse (debug build): LOTL {lotl_ms} ms, TSL-IT {it_ms} ms");
    assert!(l.is_list_of_lists());
    assert_eq!((l.territory.as_str(), l.sequence_number), ("EU", 332));
    assert_eq!((i.territory.as_str(), i.sequence_number), ("IT", 194));
    assert!(!i.is_list_of_lists());
    assert!(!l.signers_for("IT").is_empty());
    let services: usize = i.providers.iter().map(|p| p.services.len()).sum();
    assert!(i.providers.len() > 10 && services > 100, "{services}");
    assert!(i.issues.is_empty(), "{:?}", i.issues);
    // Some Italian CA/QC service carries a Qualifications extension and a history.
    assert!(i
        .providers
        .iter()
        .flat_map(|p| &p.services)
        .any(|s| s.periods.len() > 1));
    assert!(i
        .providers
        .iter()
        .flat_map(|p| &p.services)
        .flat_map(|s| &s.periods)
        .any(|p| !p.qualifications.is_empty()));
}

#[test]
fn corpus_lists_signatures_verify() {
    let (Some(lotl), Some(it)) = (read(LOTL), read(TSL_IT)) else {
        return;
    };
    for (name, bytes) in [("LOTL", &lotl), ("TSL-IT", &it)] {
        let t = Instant::now();
        let doc = parse::parse_xml(bytes).unwrap();
        let v = dsig::verify(&doc, &Crypto);
        eprintln!(
            "parse+signature {name} (debug build): {} ms",
            t.elapsed().as_millis()
        );
        assert!(v.is_ok(), "{name}: {v:?}");
    }
}

#[test]
fn corpus_list_tampered_copy_signature_fails() {
    let Some(it) = read(TSL_IT) else {
        return;
    };
    let text = String::from_utf8(it).unwrap();
    let changed = text.replacen("Svcstatus/withdrawn", "Svcstatus/granted", 1);
    assert_ne!(changed, text);
    let doc = parse::parse_xml(changed.as_bytes()).unwrap();
    assert_eq!(
        dsig::verify(&doc, &Crypto).unwrap_err(),
        dsig::SignatureError::DigestMismatch
    );
}

#[test]
fn corpus_national_list_is_used_only_with_the_lotl() {
    let (Some(lotl), Some(it)) = (read(LOTL), read(TSL_IT)) else {
        return;
    };
    let alone = TrustedListSet::evaluate(&[&it], &Crypto);
    assert!(alone.reports()[0].refused.is_some());
    assert!(alone.signature_anchors().is_empty());
    let both = TrustedListSet::evaluate(&[&it, &lotl], &Crypto);
    assert!(
        both.reports().iter().all(|r| r.refused.is_none()),
        "{:?}",
        both.reports()
            .iter()
            .map(|r| &r.refused)
            .collect::<Vec<_>>()
    );
    assert!(both.signature_anchors().len() > 50);
    assert!(!both.timestamp_anchors().is_empty());
    // A LOTL that does not name the Italian signer: the IT list is refused.
    let text = String::from_utf8(lotl).unwrap();
    let other_lotl = text.replace(
        "<SchemeTerritory>IT</SchemeTerritory>",
        "<SchemeTerritory>XX</SchemeTerritory>",
    );
    let set = TrustedListSet::evaluate(&[&it, other_lotl.as_bytes()], &Crypto);
    // The edited LOTL itself fails its signature, so nothing vouches for TSL-IT.
    assert!(set.reports().iter().all(|r| r.refused.is_some()));
}

/// Issue 8: the KeySuite countersigned file, with only the EU and Italian lists as trust,
/// at the time the manifest gives: both signatures pass and are qualified electronic
/// signatures.
#[test]
fn corpus_keysuite_controfirma_with_lists_is_qualified_signature() {
    use lavoro_agile_verify::{
        validate_file, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
    };
    use time::macros::datetime;
    let Some(corpus) = corpus_dir() else { return };
    let run = |lists: &[&str]| {
        let mut trust = TrustStore::new();
        for l in lists {
            trust
                .add_bytes(&std::fs::read(corpus.join(l)).unwrap())
                .unwrap();
        }
        let options = Options {
            trust,
            at: ValidationTime::Given(datetime!(2021-06-01 12:00 UTC)),
            now: datetime!(2026-01-01 00:00 UTC),
            keep_content: false,
            revocation: RevocationPolicy::IfAvailable,
        };
        let input = FileInput {
            display: "keysuite-controfirma.pdf.p7m".to_owned(),
            path: corpus.join("cades/keysuite-controfirma.pdf.p7m"),
            content: None,
        };
        let sources =
            lavoro_agile_verify::provenance::trust_sources_at(&options.trust, Some(options.now));
        (validate_file(&input, &options).report, sources)
    };
    let (report, sources) = run(&[LOTL, TSL_IT]);
    assert_eq!(report.signatures.len(), 2);
    for s in &report.signatures {
        assert_eq!(s.indication.as_str(), "TOTAL_PASSED", "{}", s.id);
        let q = s.qualification.as_ref().unwrap();
        assert_eq!(q.level, "QES", "{}: {:?}", s.id, q.reason);
        assert_eq!(q.label.it, "Firma elettronica qualificata");
    }
    // Both lists are named in the header, used, and past their next update in 2026.
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].sequence_number, Some(332));
    assert_eq!(sources[1].sequence_number, Some(194));
    for s in &sources {
        assert_eq!(s.notes.len(), 1, "{:?}", s.notes);
        assert!(s.notes[0].en.contains("next-update"));
    }
    // TSL-IT without the LOTL is not used: no anchor, no qualified status.
    let (report, sources) = run(&[TSL_IT]);
    assert!(report
        .signatures
        .iter()
        .all(|s| s.indication.as_str() != "TOTAL_PASSED"));
    assert!(report
        .signatures
        .iter()
        .all(|s| s.qualification.as_ref().unwrap().level == "NOT_DETERMINED"));
    assert!(sources[0].notes[0].en.starts_with("List not used"));
}
