//! Integration tests of `lavoro-agile-report` over the generated CAdES fixtures
//! (`tests/fixtures/cades/`, fictional signers).
//!
//! Modules: the XML report against the ETSI TS 119 102-2 schema (`xmllint`, Debian
//! libxml2-utils), the PDF's extracted text (`pdftotext`, Debian poppler-utils) and its
//! tagging, the JSON header, and determinism of all three.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::path::{Path, PathBuf};
use std::process::Command;

use lavoro_agile_report::{header, pdf, xml, Filing, Header, Lang};
use lavoro_agile_verify::report::{Report, Tool};
use lavoro_agile_verify::{validate_file, FileInput, Options, TrustStore, ValidationTime};
use time::macros::datetime;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cades")
}

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas")
}

/// A report over `files` with `trust`, validated and checked at fixed times.
fn build(files: &[&str], trust: &[&str]) -> (Report, Header) {
    let mut store = TrustStore::new();
    for t in trust {
        store
            .add_bytes(&std::fs::read(fixtures().join(t)).unwrap())
            .unwrap();
    }
    let check_time = datetime!(2026-03-02 09:30 UTC);
    let options = Options {
        trust: store,
        at: ValidationTime::Given(datetime!(2026-01-01 00:00 UTC)),
        now: check_time,
        keep_content: false,
        revocation: lavoro_agile_verify::RevocationPolicy::IfAvailable,
    };
    let files_out: Vec<_> = files
        .iter()
        .map(|f| {
            validate_file(
                &FileInput {
                    display: (*f).to_owned(),
                    path: fixtures().join(f),
                    content: None,
                },
                &options,
            )
            .report
        })
        .collect();
    let sizes = files
        .iter()
        .map(|f| std::fs::metadata(fixtures().join(f)).ok().map(|m| m.len()))
        .collect();
    let report = Report {
        tool: Tool {
            name: "lavoro-agile-cli".to_owned(),
            version: "0.1.0".to_owned(),
        },
        files: files_out,
    };
    let header = Header::new(&options.trust, check_time).with_file_sizes(sizes);
    (report, header)
}

fn tool(name: &str) -> String {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{name} is missing: install Debian's libxml2-utils and poppler-utils (make deps)"
    );
    name.to_owned()
}

/// Copies the schemas into `dir` with their imports pointing to the local copies (the
/// publishers' addresses are not reachable here) and returns the main schema's path.
fn local_schemas(dir: &Path) -> PathBuf {
    let map = |loc: &str| -> Option<&'static str> {
        if loc.ends_with("xmldsig-core-schema.xsd") {
            Some("xmldsig-core-schema.xsd")
        } else if loc.ends_with("/XAdES.xsd") || loc.contains("XAdES01903v132") {
            Some("XAdES01903v132-202407.xsd")
        } else if loc.ends_with("ts_119612v020201_201601xsd.xsd") || loc.ends_with("19612_xsd.xsd")
        {
            Some("ts_119612v020401_xsd.xsd")
        } else if loc == "http://www.w3.org/2001/xml.xsd" {
            Some("xml.xsd")
        } else {
            None
        }
    };
    for entry in std::fs::read_dir(schemas()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xsd") {
            continue;
        }
        let mut text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        while let Some(i) = text.find("schemaLocation=\"") {
            let start = i + "schemaLocation=\"".len();
            let end = start + text[start..].find('"').unwrap();
            out.push_str(&text[..start]);
            let loc = &text[start..end];
            out.push_str(map(loc).unwrap_or(loc));
            text = text[end..].to_owned();
        }
        out.push_str(&text);
        std::fs::write(dir.join(path.file_name().unwrap()), out).unwrap();
    }
    dir.join("1910202xmlSchema.xsd")
}

fn xmllint_valid(xml_text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let xsd = local_schemas(dir.path());
    let doc = dir.path().join("report.xml");
    std::fs::write(&doc, xml_text).unwrap();
    let out = Command::new(tool("xmllint"))
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg(&doc)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn pdf_text(pdf_bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.pdf");
    std::fs::write(&p, pdf_bytes).unwrap();
    let out = Command::new(tool("pdftotext"))
        .arg("-enc")
        .arg("UTF-8")
        .arg(&p)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

const MIXED: [&str; 9] = [
    "attached.p7m",
    "tampered.p7m",
    "countersigned.p7m",
    "cades-t.p7m",
    "cades-t-wrong-imprint.p7m",
    "doc.txt.m7m",
    "token.tst",
    "garbage.p7m",
    "missing-message-digest.p7m",
];

mod xml_report {
    use super::*;

    #[test]
    fn xml_mixed_fixtures_valid_against_xsd() {
        let (report, header) = build(&MIXED, &["signer-rsa.pem", "trusted-list.xml"]);
        let text = xml::render(&report, &header);
        xmllint_valid(&text).unwrap();
    }

    #[test]
    fn xml_trusted_signature_total_passed_urn() {
        let (report, header) = build(&["attached.p7m"], &["signer-rsa.pem"]);
        let text = xml::render(&report, &header);
        xmllint_valid(&text).unwrap();
        assert!(text.contains(
            "<vr:MainIndication>urn:etsi:019102:mainindication:total-passed</vr:MainIndication>"
        ));
        assert!(!text.contains("urn:etsi:019102:subindication:"));
        assert!(text.contains("<vr:Signer>Mario Rossi (test)</vr:Signer>"));
        assert!(text.contains(&header.policy.id));
    }

    #[test]
    fn xml_qualified_status_written_as_signature_quality_and_valid() {
        let (mut report, header) = build(&["attached.p7m"], &["signer-rsa.pem"]);
        let text = xml::render(&report, &header);
        assert!(!text.contains("SignatureQuality"), "no lists, no quality");
        report.files[0].signatures[0].qualification =
            Some(lavoro_agile_verify::report::Qualification {
                level: "QES",
                label: lavoro_agile_verify::report::Bilingual::new(
                    "Firma elettronica qualificata",
                    "Qualified electronic signature",
                ),
                reason: lavoro_agile_verify::report::Bilingual::new("prova", "test"),
                service: None,
            });
        let text = xml::render(&report, &header);
        xmllint_valid(&text).unwrap();
        assert!(text.contains(&format!(
            "<vr:SignatureQualityInformation>{}QES</vr:SignatureQualityInformation>",
            xml::QUALIFICATION_URN
        )));
    }

    #[test]
    fn xml_tampered_signature_hash_failure_urns() {
        let (report, header) = build(&["tampered.p7m"], &[]);
        let text = xml::render(&report, &header);
        xmllint_valid(&text).unwrap();
        assert!(text.contains("urn:etsi:019102:mainindication:total-failed"));
        assert!(text.contains(
            "<vr:SubIndication>urn:etsi:019102:subindication:HASH_FAILURE</vr:SubIndication>"
        ));
    }

    #[test]
    fn xml_file_error_still_reported_and_valid() {
        let (report, header) = build(&["garbage.p7m"], &[]);
        let text = xml::render(&report, &header);
        xmllint_valid(&text).unwrap();
        assert!(text.contains("<la:Error code=\"not_a_signature\"/>"));
    }

    #[test]
    fn xml_schema_check_rejects_a_broken_report() {
        // The validator must be able to fail: a report without its status is refused.
        let (report, header) = build(&["attached.p7m"], &[]);
        let text = xml::render(&report, &header);
        let start = text.find("<vr:SignatureValidationStatus>").unwrap();
        let end = text.find("</vr:SignatureValidationStatus>").unwrap()
            + "</vr:SignatureValidationStatus>".len();
        let broken = format!("{}{}", &text[..start], &text[end..]);
        assert!(xmllint_valid(&broken).is_err());
    }
}

mod pdf_report {
    use super::*;

    #[test]
    fn pdf_italian_text_has_verdict_signer_hash() {
        let (report, header) = build(&["attached.p7m"], &["signer-rsa.pem"]);
        let bytes = pdf::render(
            Filing {
                report: &report,
                header: &header,
            },
            Lang::It,
        )
        .unwrap();
        assert!(bytes.starts_with(b"%PDF-1.7"));
        let text = pdf_text(&bytes);
        assert!(
            text.contains("Rapporto di verifica delle firme digitali"),
            "{text}"
        );
        assert!(text.contains("FIRMA VALIDA"), "{text}");
        assert!(text.contains("Mario Rossi (test)"), "{text}");
        assert!(text.contains("RSSMRA80A01H501U"), "{text}");
        let sha = report.files[0].sha256.as_deref().unwrap();
        assert!(text.contains(sha), "{text}");
        // The check time in Rome (09:30 UTC on 2 March is 10:30 CET).
        assert!(text.contains("02/03/2026 10:30:00"), "{text}");
        assert!(text.contains("non è un servizio qualificato"), "{text}");
    }

    #[test]
    fn pdf_english_on_request() {
        let (report, header) = build(&["tampered.p7m"], &[]);
        let bytes = pdf::render(
            Filing {
                report: &report,
                header: &header,
            },
            Lang::En,
        )
        .unwrap();
        let text = pdf_text(&bytes);
        assert!(text.contains("INVALID SIGNATURE"), "{text}");
        assert!(text.contains("HASH_FAILURE"), "{text}");
        assert!(
            text.contains("not a qualified validation service"),
            "{text}"
        );
    }

    #[test]
    fn pdf_is_tagged_with_language_and_title() {
        let (report, header) = build(&["countersigned.p7m"], &[]);
        let bytes = pdf::render(
            Filing {
                report: &report,
                header: &header,
            },
            Lang::It,
        )
        .unwrap();
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("/StructTreeRoot"));
        assert!(raw.contains("/Marked true"));
        assert!(raw.contains("/Lang(it-IT)"));
        assert!(raw.contains("pdfuaid:part"));
        assert!(raw.contains("/FontFile2"), "the font is embedded");
    }

    #[test]
    fn pdf_many_files_spans_pages_with_all_text() {
        let (report, header) = build(&MIXED, &["signer-rsa.pem", "trusted-list.xml"]);
        let bytes = pdf::render(
            Filing {
                report: &report,
                header: &header,
            },
            Lang::It,
        )
        .unwrap();
        let text = pdf_text(&bytes);
        assert!(text.contains("Pagina 2 /"), "{text}");
        for f in MIXED {
            assert!(text.contains(f), "{f} missing");
        }
        assert!(text.contains("Elenco di fiducia"), "{text}");
    }
}

mod json_report {
    use super::*;

    #[test]
    fn json_header_has_tool_policy_trust_sources_check_time() {
        let (report, header) = build(&["attached.p7m"], &["signer-rsa.pem", "trusted-list.xml"]);
        let text = header::json(Filing {
            report: &report,
            header: &header,
        })
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["tool"]["name"], "lavoro-agile-cli");
        assert_eq!(v["policy"]["id"], header.policy.id.as_str());
        assert_eq!(v["policy"]["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(v["trust_sources"][0]["kind"], "certificate");
        assert_eq!(v["trust_sources"][1]["kind"], "trusted_list");
        assert_eq!(v["check_time"], "2026-03-02T09:30:00Z");
        assert_eq!(v["files"][0]["signatures"][0]["indication"], "TOTAL_PASSED");
        // The header comes first, in this order, then the files.
        let at = |k: &str| text.find(&format!("\n  \"{k}\":")).unwrap();
        assert!(at("tool") < at("policy"));
        assert!(at("policy") < at("trust_sources"));
        assert!(at("trust_sources") < at("check_time"));
        assert!(at("check_time") < at("files"));
    }
}

mod determinism {
    use super::*;

    #[test]
    fn all_formats_same_inputs_byte_identical() {
        let render_all = || {
            let (report, header) = build(&MIXED, &["signer-rsa.pem", "trusted-list.xml"]);
            let f = Filing {
                report: &report,
                header: &header,
            };
            (
                header::json(f).unwrap(),
                xml::render(&report, &header),
                pdf::render(f, Lang::It).unwrap(),
            )
        };
        let a = render_all();
        let b = render_all();
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        assert!(a.2 == b.2, "PDF bytes differ between two runs");
    }

    #[test]
    fn pdf_other_check_time_differs() {
        let (report, header) = build(&["attached.p7m"], &[]);
        let mut later = header.clone();
        later.check_time = lavoro_agile_verify::report::UtcTime(datetime!(2026-03-03 09:30 UTC));
        let a = pdf::render(
            Filing {
                report: &report,
                header: &header,
            },
            Lang::It,
        )
        .unwrap();
        let b = pdf::render(
            Filing {
                report: &report,
                header: &later,
            },
            Lang::It,
        )
        .unwrap();
        assert!(a != b);
    }
}

mod hostile_text {
    use super::*;

    #[test]
    fn pdf_and_xml_names_outside_the_font_still_render() {
        let (mut report, header) = build(&["attached.p7m"], &[]);
        let signer = report.files[0].signatures[0].signer.as_mut().unwrap();
        signer.common_name = Some("漢字 \u{1}\u{7f} <&> \u{200b}\u{202e}Ω \u{1F600}".to_owned());
        report.files[0].path = "a\u{0}b<&>.p7m".to_owned();
        let f = Filing {
            report: &report,
            header: &header,
        };
        let bytes = pdf::render(f, Lang::It).unwrap();
        let text = pdf_text(&bytes);
        assert!(text.contains("Firmatario:"), "{text}");
        let x = xml::render(&report, &header);
        xmllint_valid(&x).unwrap();
    }
}
