//! Verification reports for filing, for both front doors: the JSON report with its header,
//! the PDF "rapporto di verifica" and the ETSI TS 119 102-2 XML validation report.
//!
//! A caller keeps, next to the [`Report`] it got from [`crate::verify`], the trust store and
//! the time it used as "now" ([`lavoro_agile_verify::Options::now`]); [`header`] turns them
//! into the report's [`Header`], and [`write_reports`] writes the files the user chose. The
//! same report, header and language always give the same bytes.

use std::path::{Path, PathBuf};

pub use lavoro_agile_report::{Error as ReportError, Filing, Header};
use lavoro_agile_verify::{Lang, Report, TrustStore};
use time::OffsetDateTime;

/// Where to write each report; `None` skips that format.
#[derive(Debug, Clone, Default)]
pub struct ReportPaths {
    /// The PDF "rapporto di verifica".
    pub pdf: Option<PathBuf>,
    /// The ETSI TS 119 102-2 XML validation report.
    pub xml: Option<PathBuf>,
    /// The JSON report with its header.
    pub json: Option<PathBuf>,
}

/// The header for a check made at `check_time` with `trust` over `files` (their sizes are
/// read now; a file that cannot be read has an unknown size).
pub fn header(trust: &TrustStore, check_time: OffsetDateTime, files: &[&Path]) -> Header {
    let sizes = files
        .iter()
        .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .collect();
    Header::new(trust, check_time).with_file_sizes(sizes)
}

/// The JSON report with its header (what `verify --format json` prints).
pub fn json(report: &Report, header: &Header) -> Result<String, ReportError> {
    lavoro_agile_report::header::json(Filing { report, header })
}

/// The PDF report in `lang`.
pub fn pdf(report: &Report, header: &Header, lang: Lang) -> Result<Vec<u8>, ReportError> {
    lavoro_agile_report::pdf::render(Filing { report, header }, lang)
}

/// The ETSI TS 119 102-2 XML validation report.
pub fn xml(report: &Report, header: &Header) -> String {
    lavoro_agile_report::xml::render(report, header)
}

/// Writes the chosen reports, each atomically (a temporary file, then a rename). Stops at
/// the first failure; reports already written stay.
pub fn write_reports(
    report: &Report,
    header: &Header,
    lang: Lang,
    to: &ReportPaths,
) -> Result<(), ReportError> {
    if let Some(p) = &to.pdf {
        lavoro_agile_report::write_file(p, &pdf(report, header, lang)?)?;
        tracing::info!(to = %p.display(), "PDF report written");
    }
    if let Some(p) = &to.xml {
        lavoro_agile_report::write_file(p, xml(report, header).as_bytes())?;
        tracing::info!(to = %p.display(), "XML report written");
    }
    if let Some(p) = &to.json {
        lavoro_agile_report::write_file(p, json(report, header)?.as_bytes())?;
        tracing::info!(to = %p.display(), "JSON report written");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lavoro_agile_verify::report::Tool;

    #[test]
    fn write_reports_writes_the_three_files() {
        let dir = tempfile::tempdir().unwrap();
        let report = Report {
            tool: Tool {
                name: "lavoro-agile".to_owned(),
                version: "0.1.0".to_owned(),
            },
            files: Vec::new(),
        };
        let h = header(
            &TrustStore::new(),
            OffsetDateTime::UNIX_EPOCH,
            &[] as &[&Path],
        );
        let to = ReportPaths {
            pdf: Some(dir.path().join("r.pdf")),
            xml: Some(dir.path().join("r.xml")),
            json: Some(dir.path().join("r.json")),
        };
        write_reports(&report, &h, Lang::It, &to).unwrap();
        assert!(std::fs::read(dir.path().join("r.pdf"))
            .unwrap()
            .starts_with(b"%PDF-"));
        assert!(std::fs::read_to_string(dir.path().join("r.xml"))
            .unwrap()
            .contains("ValidationReport"));
        assert!(std::fs::read_to_string(dir.path().join("r.json"))
            .unwrap()
            .contains("\"policy\""));
        // Nothing but the three reports is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn write_reports_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let report = Report {
            tool: Tool {
                name: "x".to_owned(),
                version: "0".to_owned(),
            },
            files: Vec::new(),
        };
        let h = header(&TrustStore::new(), OffsetDateTime::UNIX_EPOCH, &[]);
        let to = ReportPaths {
            xml: Some(dir.path().join("missing/r.xml")),
            ..ReportPaths::default()
        };
        assert!(matches!(
            write_reports(&report, &h, Lang::It, &to),
            Err(ReportError::Write { .. })
        ));
    }
}
