//! Integration tests of `lavoro-agile-verify` over the generated CAdES fixtures
//! (`tests/fixtures/cades/`, made by `make.py` there; expectations in `expected.tsv`).
//!
//! Modules: the expectation table, then specific facts (warnings, nesting, signer data),
//! then the fuzz corpus replay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};

use lavoro_agile_verify::report::{FileReport, TimeBasis};
use lavoro_agile_verify::{
    validate_file, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
};
use time::macros::datetime;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cades")
}

fn options(trust: &[&str], at: ValidationTime) -> Options {
    let mut store = TrustStore::new();
    for t in trust {
        store
            .add_bytes(&std::fs::read(fixtures().join(t)).unwrap())
            .unwrap();
    }
    Options {
        trust: store,
        at,
        now: datetime!(2026-01-01 00:00 UTC),
        keep_content: true,
        revocation: RevocationPolicy::IfAvailable,
    }
}

fn check(file: &str, opts: &Options) -> FileReport {
    let path = fixtures().join(file);
    validate_file(
        &FileInput {
            display: file.to_owned(),
            path,
            content: None,
        },
        opts,
    )
    .report
}

fn summary(r: &FileReport) -> String {
    if let Some(e) = &r.error {
        return format!(
            "error={}",
            serde_json::to_value(e.code).unwrap().as_str().unwrap()
        );
    }
    let s = r
        .signatures
        .iter()
        .map(|s| match s.subindication {
            Some(sub) => format!("{}/{}", s.indication.as_str(), sub.as_str()),
            None => s.indication.as_str().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";");
    if s.is_empty() {
        "-".to_owned()
    } else {
        s
    }
}

fn timestamps_summary(r: &FileReport) -> String {
    let s = r
        .timestamps
        .iter()
        .map(|t| match t.subindication {
            Some(sub) => format!("{}:{}/{}", t.kind, t.indication.as_str(), sub.as_str()),
            None => format!("{}:{}", t.kind, t.indication.as_str()),
        })
        .collect::<Vec<_>>()
        .join(";");
    if s.is_empty() {
        "-".to_owned()
    } else {
        s
    }
}

#[test]
fn fixtures_expected_table_all_rows_match() {
    let table = std::fs::read_to_string(fixtures().join("expected.tsv")).unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, opts, want, want_ts) = (cols[0], cols[1], cols[2], cols[3]);
        let mut trust = Vec::new();
        let mut at = ValidationTime::Now;
        for o in opts.split(',').filter(|o| *o != "-") {
            if let Some(t) = o.strip_prefix("trust=") {
                trust.push(t);
            } else if let Some(t) = o.strip_prefix("at=") {
                at = ValidationTime::Given(
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .unwrap(),
                );
            }
        }
        let report = check(file, &options(&trust, at));
        let got = summary(&report);
        if got != want {
            failures.push(format!("{file} [{opts}]: want {want}, got {got}"));
        }
        let got_ts = timestamps_summary(&report);
        if got_ts != want_ts {
            failures.push(format!(
                "{file} [{opts}]: timestamps want {want_ts}, got {got_ts}"
            ));
        }
        rows += 1;
    }
    assert!(rows >= 38, "expected.tsv has only {rows} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn subindication_null_exactly_when_total_passed() {
    for file in [
        "attached.p7m",
        "tampered.p7m",
        "no-certificates.p7m",
        "truncated.p7m",
    ] {
        for trust in [&[][..], &["signer-rsa.pem"][..]] {
            let r = check(file, &options(trust, ValidationTime::Now));
            for s in &r.signatures {
                assert_eq!(
                    s.subindication.is_none(),
                    s.indication == lavoro_agile_verify::Indication::TotalPassed,
                    "{file}"
                );
            }
        }
    }
}

#[test]
fn ber_fixture_is_really_indefinite_length() {
    let bytes = std::fs::read(fixtures().join("ber.p7m")).unwrap();
    assert_eq!(&bytes[..2], &[0x30, 0x80]);
}

#[test]
fn nested_envelope_innermost_first_with_levels() {
    let r = check("nested.pdf.p7m.p7m", &options(&[], ValidationTime::Now));
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].nested_level, 1);
    assert_eq!(r.signatures[1].nested_level, 0);
    // The inner signer is Mario Rossi, the outer one Anna Bianchi (fictional test people).
    assert_eq!(
        r.signatures[0]
            .signer
            .as_ref()
            .unwrap()
            .codice_fiscale
            .as_deref(),
        Some("RSSMRA80A01H501U")
    );
    assert_eq!(
        r.signatures[1]
            .signer
            .as_ref()
            .unwrap()
            .codice_fiscale
            .as_deref(),
        Some("BNCNNA85B41F205X")
    );
}

#[test]
fn countersignature_follows_parent_and_names_it() {
    let r = check("countersigned.p7m", &options(&[], ValidationTime::Now));
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].counter_signature_of, None);
    assert_eq!(r.signatures[1].counter_signature_of.as_deref(), Some("S1"));
    let sv = r.signatures[1]
        .checks
        .iter()
        .find(|c| c.name == "signature_value")
        .unwrap();
    assert_eq!(sv.outcome, lavoro_agile_verify::report::Outcome::Passed);
}

#[test]
fn missing_ess_attribute_is_a_warning_not_a_failure() {
    let r = check(
        "no-ess.p7m",
        &options(&["signer-rsa.pem"], ValidationTime::Now),
    );
    assert_eq!(
        r.signatures[0].indication,
        lavoro_agile_verify::Indication::TotalPassed
    );
    assert!(r.signatures[0]
        .warnings
        .iter()
        .any(|w| w.code == "signing_certificate_attribute_missing"));
}

#[test]
fn future_signing_time_is_a_warning_at_given_time() {
    let at = ValidationTime::Given(datetime!(2025-01-01 00:00 UTC));
    let r = check("future-signing-time.p7m", &options(&["signer-rsa.pem"], at));
    let s = &r.signatures[0];
    assert_eq!(s.indication, lavoro_agile_verify::Indication::TotalPassed);
    assert_eq!(s.validation_time.basis, TimeBasis::Given);
    assert!(s
        .warnings
        .iter()
        .any(|w| w.code == "signing_time_after_validation_time"));
}

#[test]
fn signing_time_policy_uses_claimed_time() {
    let r = check("attached.p7m", &options(&[], ValidationTime::SigningTime));
    let s = &r.signatures[0];
    assert_eq!(s.validation_time.basis, TimeBasis::Claimed);
    assert_eq!(s.validation_time.time.to_rfc3339(), "2024-03-01T10:00:00Z");
}

#[test]
fn signing_time_policy_without_claim_falls_back_to_now_with_warning() {
    let r = check(
        "no-signed-attributes.p7m",
        &options(&[], ValidationTime::SigningTime),
    );
    let s = &r.signatures[0];
    assert_eq!(s.validation_time.basis, TimeBasis::Now);
    assert!(s
        .warnings
        .iter()
        .any(|w| w.code == "no_claimed_signing_time"));
    assert!(s.warnings.iter().any(|w| w.code == "no_signed_attributes"));
}

#[test]
fn detached_with_default_content_reports_detached_format() {
    let r = check("detached.txt.p7s", &options(&[], ValidationTime::Now));
    assert_eq!(serde_json::to_value(r.format).unwrap(), "cades-detached");
    let a = check("base64.p7m", &options(&[], ValidationTime::Now));
    assert_eq!(serde_json::to_value(a.format).unwrap(), "cades-attached");
}

#[test]
fn attached_content_is_returned_for_extraction() {
    let path = fixtures().join("ber.p7m");
    let out = validate_file(
        &FileInput {
            display: "ber.p7m".into(),
            path,
            content: None,
        },
        &options(&[], ValidationTime::Now),
    );
    let content = out.content.unwrap();
    assert_eq!(content.len(), 4500);
    assert!(content.starts_with(b"Determinazione n. 42"));
}

#[test]
fn missing_file_is_unreadable_error() {
    let r = check("does-not-exist.p7m", &options(&[], ValidationTime::Now));
    assert_eq!(summary(&r), "error=unreadable");
    assert!(r.sha256.is_none());
}

#[test]
fn fuzz_corpora_replay_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut replayed = 0;
    for (target, entry) in [
        (
            "verify_file",
            lavoro_agile_verify::fuzzing::validate as fn(&[u8]),
        ),
        ("trust_material", lavoro_agile_verify::fuzzing::trust),
    ] {
        let dir = root.join(target);
        for f in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            entry(&std::fs::read(f.unwrap().path()).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed > 0);
}

/// A cheap stand-in for fuzzing on stable: every fixture with bytes flipped, zeroed, set to
/// 0x80 (indefinite length) and cut at a spread of positions, checked end to end.
#[test]
fn mutated_fixtures_never_panic() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".py") || name.ends_with(".tsv") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if bytes.is_empty() {
            continue;
        }
        // Positions spread over the file, denser at the start where the structure is.
        let mut positions: Vec<usize> = (0..24.min(bytes.len())).collect();
        positions.extend((0..16).map(|k| k * bytes.len() / 16));
        for &p in &positions {
            for value in [None, Some(0x00u8), Some(0x80), Some(0xff)] {
                let mut m = bytes.clone();
                match value {
                    None => m[p] ^= 0x5a,
                    Some(v) => m[p] = v,
                }
                lavoro_agile_verify::fuzzing::validate(&m);
                checked += 1;
            }
            lavoro_agile_verify::fuzzing::validate(&bytes[..p]);
            checked += 1;
        }
    }
    assert!(checked > 1000);
}

#[test]
fn signed_attributes_signed_in_der_but_stored_otherwise_pass_with_warning() {
    for file in ["attributes-reordered.p7m", "attributes-indefinite.p7m"] {
        let r = check(file, &options(&["signer-rsa.pem"], ValidationTime::Now));
        let s = &r.signatures[0];
        assert_eq!(
            s.indication,
            lavoro_agile_verify::Indication::TotalPassed,
            "{file}"
        );
        assert!(
            s.warnings
                .iter()
                .any(|w| w.code == "signed_attributes_not_der"),
            "{file}"
        );
    }
    let plain = check("attached.p7m", &options(&[], ValidationTime::Now));
    assert!(!plain.signatures[0]
        .warnings
        .iter()
        .any(|w| w.code == "signed_attributes_not_der"));
}

// ------------------------------------------------------------------ certificate paths (issue 5)

fn pki_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pki")
}

/// Options from an expected.tsv cell: `trust=F` (repeatable), `at=RFC3339|signing-time`,
/// `require-revocation`.
fn pki_options(cell: &str) -> Options {
    let mut store = TrustStore::new();
    let mut at = ValidationTime::Now;
    let mut revocation = RevocationPolicy::IfAvailable;
    for o in cell.split(',').filter(|o| *o != "-") {
        if let Some(t) = o.strip_prefix("trust=") {
            store
                .add_bytes(&std::fs::read(pki_fixtures().join(t)).unwrap())
                .unwrap();
        } else if o == "at=signing-time" {
            at = ValidationTime::SigningTime;
        } else if let Some(t) = o.strip_prefix("at=") {
            at = ValidationTime::Given(
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .unwrap(),
            );
        } else if o == "require-revocation" {
            revocation = RevocationPolicy::Required;
        } else {
            panic!("unknown option {o}");
        }
    }
    Options {
        trust: store,
        at,
        now: datetime!(2026-01-01 00:00 UTC),
        keep_content: false,
        revocation,
    }
}

fn pki_check(file: &str, opts: &Options) -> FileReport {
    validate_file(
        &FileInput {
            display: file.to_owned(),
            path: pki_fixtures().join(file),
            content: None,
        },
        opts,
    )
    .report
}

#[test]
fn pki_fixtures_expected_table_all_rows_match() {
    let table = std::fs::read_to_string(pki_fixtures().join("expected.tsv")).unwrap();
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, opts, want) = (cols[0], cols[1], cols[2]);
        let report = pki_check(file, &pki_options(opts));
        let got = summary(&report);
        if got != want {
            failures.push(format!("{file} [{opts}]: want {want}, got {got}"));
        }
        rows += 1;
    }
    assert!(rows >= 25, "expected.tsv has only {rows} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn warning_codes(r: &FileReport) -> Vec<&'static str> {
    r.signatures[0].warnings.iter().map(|w| w.code).collect()
}

#[test]
fn revocation_missing_if_available_passes_with_prominent_warning() {
    let r = pki_check(
        "chain-ok.p7m",
        &pki_options("trust=root.pem,at=2021-06-01T00:00:00Z"),
    );
    assert_eq!(summary(&r), "TOTAL_PASSED");
    assert!(warning_codes(&r).contains(&"revocation_not_checked"));
    let w = r.signatures[0]
        .warnings
        .iter()
        .find(|w| w.code == "revocation_not_checked")
        .unwrap();
    assert!(w.message.it.starts_with("Revoca non verificata"));
}

#[test]
fn revocation_all_crls_present_has_no_warning_and_passed_check() {
    let r = pki_check(
        "chain-embedded-crls.p7m",
        &pki_options("trust=root.pem,at=2021-06-01T00:00:00Z"),
    );
    assert!(!warning_codes(&r).contains(&"revocation_not_checked"));
    let c = r.signatures[0]
        .checks
        .iter()
        .find(|c| c.name == "revocation")
        .unwrap();
    assert_eq!(c.outcome, lavoro_agile_verify::report::Outcome::Passed);
}

#[test]
fn revoked_after_signing_validated_at_signing_time_warns() {
    let r = pki_check(
        "revoked-after-signing.p7m",
        &pki_options("trust=root.pem,trust=sub-revocations.crl,at=signing-time"),
    );
    assert_eq!(summary(&r), "TOTAL_PASSED");
    assert!(warning_codes(&r).contains(&"revoked_after_validation_time"));
}

#[test]
fn chain_check_names_the_path_from_signer_to_anchor() {
    let r = pki_check(
        "chain-ok.p7m",
        &pki_options("trust=root.pem,at=2021-06-01T00:00:00Z"),
    );
    let c = r.signatures[0]
        .checks
        .iter()
        .find(|c| c.name == "certificate_chain")
        .unwrap();
    assert!(
        c.detail
            .en
            .contains("Mario Rossi (test) → PKI Test Sub CA → PKI Test Root"),
        "{}",
        c.detail.en
    );
}

/// The mini trusted lists of `lavoro-agile-trustlist` (CA/QC service accredited 2015,
/// granted 2016, withdrawn 2021-01-01): the CA is an anchor for paths validated while the
/// service was granted, and not after its withdrawal.
#[test]
fn trusted_list_anchor_applies_only_while_service_granted() {
    use lavoro_agile_pki::path::Failure;
    use lavoro_agile_verify::validation::TrustContext;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../trustlist/tests/fixtures");
    let mut trust = TrustStore::new();
    for f in ["mini-lotl.xml", "mini-tsl-it.xml"] {
        trust
            .add_bytes(&std::fs::read(dir.join(f)).unwrap())
            .unwrap();
    }
    let user = lavoro_agile_cades::cert::CertificateInfo::from_bytes(
        &std::fs::read(dir.join("user-qes.der")).unwrap(),
    )
    .unwrap();
    let ctx = TrustContext::new(&trust, &[], &[]);
    let granted = ctx.validate(&user, datetime!(2020-06-01 12:00 UTC));
    assert_ne!(granted.failure, Some(Failure::NoChain), "{granted:?}");
    assert!(!granted.path.is_empty());
    let withdrawn = ctx.validate(&user, datetime!(2021-06-01 12:00 UTC));
    assert_eq!(withdrawn.failure, Some(Failure::NoChain), "{withdrawn:?}");
}
