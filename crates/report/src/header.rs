//! The header every filed report carries, and the JSON report with it.
//!
//! JSON layout (fields only ever added): `tool`, `policy` (`id`, `sha256`),
//! `trust_sources`, `check_time`, then `files` exactly as in `docs/report-format.md`. The
//! only wall-clock field is `check_time`, which the caller passes in (`--report-time` in
//! the CLI): the same inputs, trust, validation time and check time give the same bytes.

use lavoro_agile_verify::provenance::{self, PolicyRef, TrustSource};
use lavoro_agile_verify::report::{FileReport, Tool, UtcTime};
use lavoro_agile_verify::{Report, TrustStore};
use serde::Serialize;
use time::OffsetDateTime;

use crate::Error;

/// What a report rests on, besides the files: policy, trust sources, time of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The algorithm policy applied.
    pub policy: PolicyRef,
    /// The trust material used.
    pub trust_sources: Vec<TrustSource>,
    /// When the check was made (the "now" of the verification).
    pub check_time: UtcTime,
    /// Size in bytes of each file of the report, in the same order (None when unknown).
    /// Shown in the PDF; not part of the JSON, whose `files` are the verifier's.
    pub file_sizes: Vec<Option<u64>>,
}

impl Header {
    /// The header for a check made at `check_time` with `trust`, under the verifier's policy.
    pub fn new(trust: &TrustStore, check_time: OffsetDateTime) -> Self {
        Self {
            policy: provenance::policy(),
            trust_sources: provenance::trust_sources_at(trust, Some(check_time)),
            check_time: UtcTime(check_time.to_offset(time::UtcOffset::UTC)),
            file_sizes: Vec::new(),
        }
    }

    /// The same header with the sizes of the report's files.
    pub fn with_file_sizes(mut self, sizes: Vec<Option<u64>>) -> Self {
        self.file_sizes = sizes;
        self
    }
}

/// A report with its header, ready to be filed.
#[derive(Debug, Clone, Copy)]
pub struct Filing<'a> {
    /// The verification report.
    pub report: &'a Report,
    /// Its header.
    pub header: &'a Header,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    tool: &'a Tool,
    policy: &'a PolicyRef,
    trust_sources: &'a [TrustSource],
    check_time: UtcTime,
    files: &'a [FileReport],
}

/// The JSON report with its header, pretty-printed, ending with a newline.
pub fn json(filing: Filing<'_>) -> Result<String, Error> {
    let doc = JsonReport {
        tool: &filing.report.tool,
        policy: &filing.header.policy,
        trust_sources: &filing.header.trust_sources,
        check_time: filing.header.check_time,
        files: &filing.report.files,
    };
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}
