//! The generated PDF fixtures (`tests/fixtures/pades/`, made by its `make.py`): a signed
//! PDF and allowed and forbidden incremental updates, through the verifier, against
//! `expected.tsv` (verdict of each signature, change codes and warnings of the first).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use lavoro_agile_tests::workspace_root;
use lavoro_agile_verify::report::FileReport;
use lavoro_agile_verify::{validate_file, FileInput, Options, TrustStore, ValidationTime};
use time::OffsetDateTime;

fn fixtures() -> std::path::PathBuf {
    workspace_root().join("tests/fixtures/pades")
}

fn check(name: &str, trust: &str) -> FileReport {
    let mut store = TrustStore::new();
    if !trust.is_empty() {
        store
            .add_bytes(&std::fs::read(fixtures().join(trust)).unwrap())
            .unwrap();
    }
    let options = Options {
        trust: store,
        at: ValidationTime::SigningTime,
        now: OffsetDateTime::UNIX_EPOCH,
        keep_content: false,
        revocation: lavoro_agile_verify::RevocationPolicy::IfAvailable,
    };
    let input = FileInput {
        display: name.to_owned(),
        path: fixtures().join(name),
        content: None,
    };
    validate_file(&input, &options).report
}

#[test]
fn pades_fixtures_match_expected_verdicts_and_changes() {
    let expected = std::fs::read_to_string(fixtures().join("expected.tsv")).unwrap();
    let mut rows = 0;
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let c: Vec<&str> = line.split('\t').collect();
        let (file, verdicts, changes, warnings) = (c[0], c[1], c[2], c[3]);
        let r = check(file, "signer.pem");
        assert!(r.error.is_none(), "{file}: {:?}", r.error);
        let got: Vec<String> = r
            .signatures
            .iter()
            .map(|s| {
                format!(
                    "{}/{}",
                    s.indication.as_str(),
                    s.subindication.map_or("-", |x| x.as_str())
                )
            })
            .collect();
        assert_eq!(got.join(";"), verdicts, "{file}");
        let s1 = &r.signatures[0];
        let codes: Vec<&str> = s1
            .pdf
            .as_ref()
            .unwrap()
            .changes
            .iter()
            .map(|c| c.code)
            .collect();
        assert_eq!(codes.join(" "), changes, "{file}");
        let w: Vec<&str> = s1
            .warnings
            .iter()
            .map(|w| w.code)
            .filter(|c| *c == "MODIFIED_AFTER_SIGNING")
            .collect();
        assert_eq!(
            if w.is_empty() {
                "-".to_owned()
            } else {
                w.join(" ")
            },
            warnings,
            "{file}"
        );
        rows += 1;
    }
    assert!(rows >= 10);
}

#[test]
fn pades_signed_without_trust_is_indeterminate_no_chain() {
    let r = check("signed.pdf", "");
    assert_eq!(r.signatures.len(), 1);
    assert_eq!(r.signatures[0].indication.as_str(), "INDETERMINATE");
    assert_eq!(
        r.signatures[0].subindication.map(|s| s.as_str()),
        Some("NO_CERTIFICATE_CHAIN_FOUND")
    );
}

#[test]
fn pades_page_replaced_report_says_which_page_in_italian() {
    let r = check("page-content-replaced.pdf", "signer.pem");
    let pdf = r.signatures[0].pdf.as_ref().unwrap();
    assert!(pdf
        .changes
        .iter()
        .any(|c| c.message.it == "Dopo la firma è stato modificato il contenuto della pagina 1."));
    assert_eq!(pdf.signed_revision, Some(1));
    assert_eq!(pdf.revisions, 2);
}

#[test]
fn pades_two_signatures_first_covers_first_version_only() {
    let r = check("two-signatures.pdf", "signer.pem");
    let first = r.signatures[0].pdf.as_ref().unwrap();
    let second = r.signatures[1].pdf.as_ref().unwrap();
    assert!(!first.covers_whole_document);
    assert!(second.covers_whole_document);
    assert!(first.signed_length < second.signed_length);
    let whole = std::fs::metadata(fixtures().join("two-signatures.pdf"))
        .unwrap()
        .len();
    assert_eq!(second.signed_length, Some(whole));
}
