//! The shared corpus (`../shared/corpus/MANIFEST.tsv`), PDF rows under `pades/` and
//! `attacks/`, through the verifier.
//!
//! Each row runs with the trust material and validation time its manifest entry names and
//! is classified as: agree; pending (every integrity fact holds and only the certificate
//! chain is missing, for a row whose verdict needs CA or trusted-list anchors: path
//! validation is the trust issue's); recorded divergence (`tests/corpus/pades-divergences.tsv`,
//! `C:` rows only, with a reason); or failure. A second test checks that no attack sample
//! passes with every corpus trust anchor at the claimed signing time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::collections::HashMap;
use std::path::Path;

use lavoro_agile_tests::{corpus_dir, workspace_root};
use lavoro_agile_verify::report::{FileReport, Indication, Outcome};
use lavoro_agile_verify::{validate_file, FileInput, Options, TrustStore, ValidationTime};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

struct Row {
    path: String,
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
                indication: c[2].into(),
                subindication: c[3].into(),
                trust: c[4].into(),
                note: c[9].into(),
            })
        })
        .filter(|r| {
            (r.path.starts_with("pades/") || r.path.starts_with("attacks/"))
                && r.path.ends_with(".pdf")
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

/// Expected value for signature `i` (1-based lists like `1:TOTAL_FAILED;2:TOTAL_PASSED`).
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

fn sub_matches(want: &str, got: Option<&str>) -> bool {
    want == "-" || want.split('|').any(|w| Some(w) == got)
}

fn summary(r: &FileReport) -> String {
    if let Some(e) = &r.error {
        return format!("error={}", serde_json::to_value(e.code).unwrap());
    }
    r.signatures
        .iter()
        .map(|s| {
            let w: Vec<&str> = s.warnings.iter().map(|w| w.code).collect();
            format!(
                "{}/{}{}",
                s.indication.as_str(),
                s.subindication.map_or("-", |x| x.as_str()),
                if w.contains(&"MODIFIED_AFTER_SIGNING") {
                    "+MODIFIED_AFTER_SIGNING"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn trust_of(corpus: &Path, list: &str) -> TrustStore {
    let mut trust = TrustStore::new();
    for t in list.split_whitespace().filter(|t| *t != "-") {
        trust
            .add_bytes(&std::fs::read(corpus.join(t)).unwrap())
            .unwrap();
    }
    trust
}

fn check(corpus: &Path, path: &str, trust: TrustStore, at: ValidationTime) -> FileReport {
    let options = Options {
        trust,
        at,
        now: OffsetDateTime::now_utc(),
        keep_content: false,
        revocation: lavoro_agile_verify::RevocationPolicy::IfAvailable,
    };
    let input = FileInput {
        display: path.to_owned(),
        path: corpus.join(path),
        content: None,
    };
    validate_file(&input, &options).report
}

#[test]
fn corpus_pades_rows_agree_or_are_pending() {
    let Some(corpus) = corpus_dir() else { return };
    let divergences: HashMap<String, String> =
        std::fs::read_to_string(workspace_root().join("tests/corpus/pades-divergences.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                l.split_once('\t')
                    .map(|(p, r)| (p.to_owned(), r.to_owned()))
            })
            .collect();
    let (mut agree, mut pending, mut recorded, mut unasserted) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for row in rows(&corpus) {
        let report = check(
            &corpus,
            &row.path,
            trust_of(&corpus, &row.trust),
            at_of(&row.note),
        );
        let got = summary(&report);
        if row.indication == "unasserted" {
            unasserted.push(format!("{}: {got}", row.path));
            continue;
        }
        let agrees = report.error.is_none()
            && !report.signatures.is_empty()
            && report.signatures.iter().enumerate().all(|(i, s)| {
                let ind = expected_for(&row.indication, i + 1);
                let sub = expected_for(&row.subindication, i + 1);
                let sub_ok = if s.indication == Indication::TotalPassed {
                    sub == "-"
                } else {
                    sub_matches(&sub, s.subindication.map(|x| x.as_str()))
                };
                s.indication.as_str() == ind && sub_ok
            });
        if agrees {
            agree.push(format!("{}: {got}", row.path));
            continue;
        }
        let only_chain_missing = report.error.is_none()
            && report.signatures.iter().all(|s| {
                s.checks.iter().all(|c| {
                    c.outcome == Outcome::Passed
                        || c.outcome == Outcome::Skipped
                        || c.name == "certificate_chain"
                })
            });
        if only_chain_missing && row.trust != "-" {
            pending.push(format!(
                "{}: PENDING (needs certificate path validation); now {got}",
                row.path
            ));
            continue;
        }
        match divergences.get(&row.path) {
            Some(reason) if row.note.starts_with("C:") => {
                recorded.push(format!("{}: DIVERGES ({reason}); {got}", row.path))
            }
            _ => failures.push(format!(
                "{}: want {}/{}, got {got} [{}]",
                row.path,
                row.indication,
                row.subindication,
                &row.note[..2]
            )),
        }
    }
    eprintln!(
        "PDF corpus rows: {} agree, {} pending, {} recorded divergences, {} unasserted, {} failures",
        agree.len(),
        pending.len(),
        recorded.len(),
        unasserted.len(),
        failures.len()
    );
    for l in agree
        .iter()
        .chain(&pending)
        .chain(&recorded)
        .chain(&unasserted)
    {
        eprintln!("  {l}");
    }
    assert!(
        failures.is_empty(),
        "corpus disagreements:\n{}",
        failures.join("\n")
    );
    assert!(agree.len() >= 10, "too few rows agree: {}", agree.len());
}

/// Issue 6: no PDF in `attacks/` passes, with every corpus trust anchor, each signature at
/// its claimed signing time. Passing means every signature TOTAL_PASSED and no
/// MODIFIED_AFTER_SIGNING warning.
#[test]
fn corpus_attacks_with_all_anchors_none_passes() {
    let Some(corpus) = corpus_dir() else { return };
    let mut trust = TrustStore::new();
    for e in std::fs::read_dir(corpus.join("trust")).unwrap() {
        let p = e.unwrap().path();
        let _ = trust.add_bytes(&std::fs::read(&p).unwrap());
    }
    let mut passing = Vec::new();
    let mut checked = 0;
    for e in std::fs::read_dir(corpus.join("attacks")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("pdf") {
            continue;
        }
        let rel = format!("attacks/{}", p.file_name().unwrap().to_str().unwrap());
        let report = check(&corpus, &rel, trust.clone(), ValidationTime::SigningTime);
        checked += 1;
        let passes = report.error.is_none()
            && !report.signatures.is_empty()
            && report.signatures.iter().all(|s| {
                s.indication == Indication::TotalPassed
                    && !s
                        .warnings
                        .iter()
                        .any(|w| w.code == "MODIFIED_AFTER_SIGNING")
            });
        eprintln!("  {rel}: {}", summary(&report));
        if passes {
            passing.push(rel);
        }
    }
    assert!(checked >= 10, "only {checked} attack PDFs found");
    assert!(passing.is_empty(), "attack PDFs that pass: {passing:?}");
}
