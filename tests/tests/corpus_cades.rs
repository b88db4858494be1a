//! The shared corpus (`../shared/corpus/MANIFEST.tsv`), CAdES rows, through the verifier.
//!
//! Each row is run with the trust material and validation time its manifest entry names
//! and classified as: agree; pending (a format not supported yet — printed, never
//! counted as passing; timestamps as proof of existence and trusted lists are in, so a
//! row that needs either must agree);
//! recorded divergence
//! (`tests/corpus/cades-divergences.tsv`, `C:` rows only, with a reason); or failure.
//! Rules look at the row and at our facts, never at a file name.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::collections::HashMap;
use std::path::Path;

use lavoro_agile_tests::{corpus_dir, workspace_root};
use lavoro_agile_verify::report::{FileReport, Outcome};
use lavoro_agile_verify::{
    validate_file, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

struct Row {
    path: String,
    format: String,
    indication: String,
    subindication: String,
    trust: String,
    note: String,
}

fn rows(corpus: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() >= 10).then(|| Row {
                path: c[0].into(),
                format: c[1].into(),
                indication: c[2].into(),
                subindication: c[3].into(),
                trust: c[4].into(),
                note: c[9].into(),
            })
        })
        .collect()
}

/// The validation time the note names: `at=YYYY-MM-DD`, `at=claimed signing time`, else now.
fn at_of(note: &str) -> ValidationTime {
    if let Some(pos) = note.find("at=") {
        let rest = &note[pos + 3..];
        if rest.starts_with("claimed") {
            return ValidationTime::SigningTime;
        }
        if let Some(date) = rest.get(..10) {
            if let Ok(t) = OffsetDateTime::parse(&format!("{date}T00:00:00Z"), &Rfc3339) {
                return ValidationTime::Given(t);
            }
        }
    }
    ValidationTime::Now
}

/// Expected (indication, subindication) of signature `i` (1-based lists like
/// `1:TOTAL_FAILED;2:TOTAL_PASSED` or one value for all).
fn expected_for(value: &str, i: usize) -> String {
    if value.contains(':') {
        value
            .split(';')
            .find_map(|p| {
                p.split_once(':')
                    .filter(|(n, _)| n.parse::<usize>().ok() == Some(i))
                    .map(|(_, v)| v.to_owned())
            })
            .unwrap_or_default()
    } else {
        value.to_owned()
    }
}

/// `-` in a non-passing row names no sub-indication: any matches. `A|B` lists alternatives.
fn sub_matches(want: &str, got: Option<&str>) -> bool {
    want == "-" || want.split('|').any(|w| Some(w) == got)
}

enum Class {
    Agree,
    Pending(&'static str),
    Diverges(String),
}

fn classify(row: &Row, r: &FileReport, divergences: &HashMap<String, String>) -> Class {
    let agree = r.error.is_none()
        && !r.signatures.is_empty()
        && r.signatures.iter().enumerate().all(|(i, s)| {
            let ind = expected_for(&row.indication, i + 1);
            let sub = expected_for(&row.subindication, i + 1);
            let sub_ok = if s.indication.as_str() == "TOTAL_PASSED" {
                sub == "-"
            } else {
                sub_matches(&sub, s.subindication.map(|x| x.as_str()))
            };
            s.indication.as_str() == ind && sub_ok
        });
    if agree {
        return Class::Agree;
    }
    if r.error
        .as_ref()
        .is_some_and(|e| serde_json::to_value(e.code).unwrap() == "unsupported_format")
    {
        return Class::Pending("format not supported yet");
    }
    match divergences.get(&row.path) {
        Some(reason) if row.note.starts_with("C:") => Class::Diverges(reason.clone()),
        _ => Class::Diverges(String::new()),
    }
}

fn summary(r: &FileReport) -> String {
    if let Some(e) = &r.error {
        return format!(
            "error={}",
            serde_json::to_value(e.code).unwrap().as_str().unwrap()
        );
    }
    r.signatures
        .iter()
        .map(|s| {
            format!(
                "{}/{}",
                s.indication.as_str(),
                s.subindication.map_or("-", |x| x.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[test]
fn corpus_cades_rows_agree_or_are_pending() {
    let Some(corpus) = corpus_dir() else { return };
    let divergences: HashMap<String, String> =
        std::fs::read_to_string(workspace_root().join("tests/corpus/cades-divergences.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                l.split_once('\t')
                    .map(|(p, r)| (p.to_owned(), r.to_owned()))
            })
            .collect();
    let now = OffsetDateTime::now_utc();
    let (mut agree, mut pending, mut recorded) = (Vec::new(), Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for row in rows(&corpus)
        .iter()
        .filter(|r| r.path.starts_with("cades/") && r.indication != "-")
    {
        // A "detached content for X" row checks signature X with this row's file as content.
        let (sig, content) = match row.format.strip_prefix("detached content for ") {
            Some(sig) => (sig.trim().to_owned(), Some(corpus.join(&row.path))),
            None => (row.path.clone(), None),
        };
        let mut trust = TrustStore::new();
        for t in row.trust.split_whitespace().filter(|t| *t != "-") {
            trust
                .add_bytes(&std::fs::read(corpus.join(t)).unwrap())
                .unwrap();
        }
        let options = Options {
            trust,
            at: at_of(&row.note),
            now,
            keep_content: false,
            revocation: RevocationPolicy::IfAvailable,
        };
        let input = FileInput {
            display: row.path.clone(),
            path: corpus.join(&sig),
            content,
        };
        let report = validate_file(&input, &options).report;
        let got = summary(&report);
        match classify(row, &report, &divergences) {
            Class::Agree => agree.push(format!("{}: {got}", row.path)),
            Class::Pending(why) => {
                pending.push(format!("{}: PENDING ({why}); now {got}", row.path))
            }
            Class::Diverges(reason) if !reason.is_empty() => {
                recorded.push(format!("{}: DIVERGES ({reason}); {got}", row.path))
            }
            Class::Diverges(_) => failures.push(format!(
                "{}: want {}/{}, got {got} [{}]",
                row.path,
                row.indication,
                row.subindication,
                &row.note[..2]
            )),
        }
    }
    eprintln!(
        "CAdES corpus rows: {} agree, {} pending, {} recorded divergences, {} failures",
        agree.len(),
        pending.len(),
        recorded.len(),
        failures.len()
    );
    for l in agree.iter().chain(&pending).chain(&recorded) {
        eprintln!("  {l}");
    }
    assert!(
        failures.is_empty(),
        "corpus disagreements:\n{}",
        failures.join("\n")
    );
    assert!(!agree.is_empty());
}

/// Archive timestamps (ATSv2, ATSv3) cover the data rebuilt from the envelope: every one in
/// the corpus files that carry them matches.
#[test]
fn corpus_archive_timestamps_imprints_match() {
    let Some(corpus) = corpus_dir() else { return };
    let options = Options {
        trust: TrustStore::new(),
        at: ValidationTime::Now,
        now: OffsetDateTime::now_utc(),
        keep_content: false,
        revocation: RevocationPolicy::IfAvailable,
    };
    let imprints = |r: &FileReport| -> Vec<Outcome> {
        r.timestamps
            .iter()
            .filter(|t| t.kind == "archive")
            .flat_map(|t| t.checks.iter().filter(|c| c.name == "message_imprint"))
            .map(|c| c.outcome)
            .collect()
    };
    // The last column: the `archive_index` checks (ATSv3 ATSHashIndex against the
    // envelope). The DSS file with a broken signature timestamp lists three certificates
    // in its ATSHashIndex and carries two: one was taken out after archiving.
    for (file, count, index_checks) in [
        ("cades/dss-CAdESDoubleLTA.p7m", 2, 0),
        ("cades/dss-cadesLTAwithATv2expired.p7s", 1, 0),
        ("cades/dss-cades-broken-sig-tst-and-ats-v3.cms", 1, 1),
    ] {
        let input = FileInput {
            display: file.to_owned(),
            path: corpus.join(file),
            content: None,
        };
        let report = validate_file(&input, &options).report;
        assert_eq!(
            imprints(&report),
            vec![Outcome::Passed; count],
            "{file}: archive timestamp imprints"
        );
        let index: Vec<String> = report
            .timestamps
            .iter()
            .flat_map(|t| t.checks.iter().filter(|c| c.name == "archive_index"))
            .map(|c| format!("{:?}", c.detail))
            .collect();
        assert_eq!(index.len(), index_checks, "{file}: {index:?}");
        if index_checks > 0 {
            assert!(
                index.iter().all(|d| d.contains("1 certificate")),
                "{index:?}"
            );
        }
    }
}
