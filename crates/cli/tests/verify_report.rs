//! `verify --report-pdf/--report-xml/--report-time` through the binary: the files are
//! written, the PDF's text (extracted with `pdftotext`, Debian poppler-utils) carries the
//! verdict, signer and hash, the XML carries the ETSI URNs, and two runs with the same
//! inputs and `--report-time` give byte-identical reports (JSON on stdout included).
//! Fixtures: `tests/fixtures/cades/` (fictional signers).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cades")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lavoro-agile-cli"))
        .current_dir(fixtures())
        .arg("verify")
        .args(args)
        .output()
        .unwrap()
}

/// Runs a fixed check writing both reports into `dir`; returns (stdout, pdf, xml).
fn reports(dir: &Path, lang: &str) -> (Vec<u8>, Vec<u8>, String) {
    let pdf = dir.join("rapporto.pdf");
    let xml = dir.join("rapporto.xml");
    let out = run(&[
        "--trust",
        "signer-rsa.pem",
        "--at",
        "2026-01-01T00:00:00Z",
        "--report-time",
        "2026-03-02T09:30:00Z",
        "--format",
        "json",
        "--lang",
        lang,
        "--report-pdf",
        pdf.to_str().unwrap(),
        "--report-xml",
        xml.to_str().unwrap(),
        "attached.p7m",
        "tampered.p7m",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.stdout,
        std::fs::read(pdf).unwrap(),
        std::fs::read_to_string(xml).unwrap(),
    )
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&p)
        .arg("-")
        .output()
        .expect("pdftotext is missing: install Debian's poppler-utils (make deps)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn report_flags_write_pdf_and_xml_with_verdict_signer_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, pdf, xml) = reports(dir.path(), "it");
    let v: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let sha = v["files"][0]["sha256"].as_str().unwrap();
    assert_eq!(v["check_time"], "2026-03-02T09:30:00Z");
    assert_eq!(v["trust_sources"][0]["kind"], "certificate");

    let text = pdf_text(&pdf);
    assert!(text.contains("FIRMA VALIDA"), "{text}");
    assert!(text.contains("FIRMA NON VALIDA"), "{text}");
    assert!(text.contains("Mario Rossi (test)"), "{text}");
    assert!(text.contains(sha), "{text}");
    assert!(text.contains("02/03/2026 10:30:00"), "{text}");

    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("urn:etsi:019102:mainindication:total-passed"));
    assert!(xml.contains("urn:etsi:019102:subindication:HASH_FAILURE"));
}

#[test]
fn report_english_pdf_follows_lang() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pdf, _) = reports(dir.path(), "en");
    let text = pdf_text(&pdf);
    assert!(text.contains("VALID SIGNATURE"), "{text}");
    assert!(
        text.contains("Digital signature verification report"),
        "{text}"
    );
}

#[test]
fn report_two_runs_same_inputs_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ra = reports(a.path(), "it");
    let rb = reports(b.path(), "it");
    assert_eq!(ra.0, rb.0, "JSON differs");
    assert!(ra.1 == rb.1, "PDF differs");
    assert_eq!(ra.2, rb.2, "XML differs");
}

#[test]
fn report_path_in_missing_folder_is_usage_error() {
    let out = run(&["--report-pdf", "no-such-folder/r.pdf", "attached.p7m"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(out.stdout.is_empty());
    let out = run(&["--report-xml", ".", "attached.p7m"]);
    assert_eq!(out.status.code(), Some(64));
    let out = run(&["--report-time", "yesterday", "attached.p7m"]);
    assert_eq!(out.status.code(), Some(64));
}
