//! Signature verification with one entry point: detect the format of a file, check every
//! signature in it, and build the report (ETSI EN 319 102-1 indications, DSS spelling).
//!
//! The report keeps facts (`checks`) apart from the verdict derived from them. This crate
//! never reads the clock or the network: the current time and the validation-time policy
//! are parameters ([`Options`]). It reads the files it is asked to check (and the
//! content of a detached signature) and nothing else; it does not write.
//!
//! Signature formats live in their own crates (`cades` today; PAdES and timestamps plug in
//! here as they land); certificate paths, CRL revocation and the algorithm policy come from
//! `pki` through [`validation`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assess;
pub mod pdf;
pub mod provenance;
pub mod render;
pub mod report;
mod streaming;
pub mod trust;
pub mod validation;

use std::io::Read;
use std::path::{Path, PathBuf};

use lavoro_agile_cades::signer::SignerIdentifierText;
use lavoro_agile_cades::{Container, ReadOptions, ReadOutcome, TimestampKind};
use sha2::Digest;
use time::OffsetDateTime;

use report::{
    ErrorCode, FileError, FileReport, Format, SignatureReport, TimeBasis, UtcTime,
    ValidationTimeReport, Warning,
};
pub use report::{Indication, Lang, Report, SubIndication};
pub use trust::TrustStore;
pub use validation::RevocationPolicy;

/// Largest file accepted, in bytes.
pub const MAX_FILE_SIZE: u64 = 1 << 30;

/// Which time each signature is validated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationTime {
    /// The current time (given in [`Options::now`]).
    Now,
    /// A time given by the user.
    Given(OffsetDateTime),
    /// Each signature at its own claimed signing time; the current time when it has none.
    SigningTime,
}

/// How to verify.
#[derive(Debug, Clone)]
pub struct Options {
    /// Trust anchors and other trust material.
    pub trust: TrustStore,
    /// The validation-time policy.
    pub at: ValidationTime,
    /// The current time, read by the caller.
    pub now: OffsetDateTime,
    /// Whether to return each document's original content (for extraction).
    pub keep_content: bool,
    /// What to do without revocation data (`--require-revocation`).
    pub revocation: RevocationPolicy,
}

/// A file to check.
#[derive(Debug, Clone)]
pub struct FileInput {
    /// The path as the user gave it (reported as is).
    pub display: String,
    /// Where to read it.
    pub path: PathBuf,
    /// Explicit content for a detached signature (`--content`).
    pub content: Option<PathBuf>,
}

/// The result for one file: its report and, when available, the original content.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// The report.
    pub report: FileReport,
    /// The original (innermost) content, for extraction.
    pub content: Option<Vec<u8>>,
}

/// Signature file extensions, removed to name the content (`x.pdf.p7m` -> `x.pdf`).
pub const SIGNATURE_EXTENSIONS: [&str; 6] = ["p7m", "p7s", "sig", "pkcs7", "tsd", "m7m"];

/// Default content of a detached signature: the path minus a final `.p7s`, `.sig`,
/// `.pkcs7` or `.p7m`.
pub fn default_detached_content(path: &Path) -> Option<PathBuf> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if ["p7s", "sig", "pkcs7", "p7m"].contains(&ext.as_str()) {
        Some(path.with_extension(""))
    } else {
        None
    }
}

fn file_error(code: ErrorCode, message: impl Into<String>) -> FileError {
    FileError {
        code,
        message: message.into(),
    }
}

fn read_limited(path: &Path) -> std::io::Result<Result<Vec<u8>, u64>> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len > MAX_FILE_SIZE {
        return Ok(Err(len));
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(MAX_FILE_SIZE + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_FILE_SIZE {
        return Ok(Err(buf.len() as u64));
    }
    Ok(Ok(buf))
}

/// Checks one file.
pub fn validate_file(input: &FileInput, options: &Options) -> FileOutcome {
    let mut report = FileReport {
        path: input.display.clone(),
        sha256: None,
        format: None,
        error: None,
        signatures: Vec::new(),
        timestamps: Vec::new(),
    };
    if pdf::is_pdf_file(&input.path) {
        return pdf::validate_pdf_file(report, &input.path, options);
    }
    // Large binary .p7m: the content is hashed as a stream, never loaded whole.
    if let Some(outcome) = streaming::validate_large(input, &report, options) {
        return outcome;
    }
    let bytes = match read_limited(&input.path) {
        Ok(Ok(b)) => b,
        Ok(Err(len)) => {
            report.error = Some(file_error(
                ErrorCode::LimitExceeded,
                format!("the file is {len} bytes, over the limit of {MAX_FILE_SIZE}"),
            ));
            return FileOutcome {
                report,
                content: None,
            };
        }
        Err(e) => {
            report.error = Some(file_error(
                ErrorCode::Unreadable,
                format!("cannot read the file: {e}"),
            ));
            return FileOutcome {
                report,
                content: None,
            };
        }
    };
    let explicit = input.content.clone();
    let default = default_detached_content(&input.path).filter(|p| p.is_file());
    validate_bytes(report, &bytes, explicit.or(default).as_deref(), options)
}

/// Checks bytes already read; `content_path` is read only if the signature is detached.
pub fn validate_bytes(
    mut report: FileReport,
    bytes: &[u8],
    content_path: Option<&Path>,
    options: &Options,
) -> FileOutcome {
    report.sha256 = Some(hex::encode(sha2::Sha256::digest(bytes)));
    if bytes.is_empty() {
        report.error = Some(file_error(ErrorCode::Empty, "the file is empty"));
        return FileOutcome {
            report,
            content: None,
        };
    }
    if pdf::looks_like_pdf(bytes) {
        return pdf::validate_pdf_bytes(report, bytes, options);
    }
    let mut read_options = ReadOptions {
        detached_content: None,
        supplied_certificates: options.trust.anchors().to_vec(),
        keep_content: options.keep_content,
    };
    let mut outcome = lavoro_agile_cades::read(bytes, &read_options);
    if let (Ok(ReadOutcome::Signed(doc)), Some(path)) = (&outcome, content_path) {
        if doc.container == Container::Detached || doc.content_missing {
            match read_limited(path) {
                Ok(Ok(content)) => {
                    tracing::debug!(content = %path.display(), "detached content loaded");
                    read_options.detached_content = Some(content);
                    outcome = lavoro_agile_cades::read(bytes, &read_options);
                }
                Ok(Err(_)) | Err(_) => {
                    tracing::warn!(content = %path.display(), "detached content unreadable");
                }
            }
        }
    }
    let doc = match outcome {
        Err(e) => {
            report.error = Some(file_error(ErrorCode::LimitExceeded, e.to_string()));
            return FileOutcome {
                report,
                content: None,
            };
        }
        Ok(ReadOutcome::NotASignature) => {
            let (code, msg) = if bytes.starts_with(b"%PDF-") {
                (
                    ErrorCode::UnsupportedFormat,
                    "PDF signatures are not supported yet",
                )
            } else {
                (ErrorCode::NotASignature, "no signature or timestamp found")
            };
            if bytes.starts_with(b"%PDF-") {
                report.format = Some(Format::Pades);
            }
            report.error = Some(file_error(code, msg));
            return FileOutcome {
                report,
                content: None,
            };
        }
        Ok(ReadOutcome::Unsupported(what)) => {
            report.error = Some(file_error(
                ErrorCode::UnsupportedFormat,
                format!("unsupported structure ({what})"),
            ));
            return FileOutcome {
                report,
                content: None,
            };
        }
        Ok(ReadOutcome::TimestampToken(facts)) => {
            report.format = Some(Format::Tst);
            let ctx = validation::TrustContext::new(&options.trust, &[], &[]);
            report.timestamps.push(timestamp_report(
                "T1".to_owned(),
                "token",
                &facts,
                Vec::new(),
                options,
                &ctx,
            ));
            return FileOutcome {
                report,
                content: None,
            };
        }
        Ok(ReadOutcome::Signed(doc)) => doc,
    };
    report_document(report, doc, options)
}

/// The report of a document whose signatures were read.
fn report_document(
    mut report: FileReport,
    doc: lavoro_agile_cades::Document,
    options: &Options,
) -> FileOutcome {
    let trust_ctx = validation::TrustContext::new(&options.trust, &doc.certificates, &doc.crls);
    report.format = Some(match doc.container {
        Container::Attached => Format::CadesAttached,
        Container::Detached => Format::CadesDetached,
        Container::TimeStampedData => Format::Tsd,
        Container::M7m => Format::M7m,
    });
    for (i, entry) in doc.signatures.iter().enumerate() {
        let sig = signature_report(format!("S{}", i + 1), entry, options, &trust_ctx);
        report.signatures.push(sig);
    }
    for (i, entry) in doc.signatures.iter().enumerate() {
        for (kind, facts) in &entry.timestamps {
            let id = format!("T{}", report.timestamps.len() + 1);
            let kind = match kind {
                TimestampKind::Signature => "signature",
                TimestampKind::Content => "content",
                TimestampKind::Envelope => "envelope",
                TimestampKind::Archive => "archive",
                TimestampKind::Token => "token",
            };
            let covers = vec![format!("S{}", i + 1)];
            report.timestamps.push(timestamp_report(
                id, kind, facts, covers, options, &trust_ctx,
            ));
        }
    }
    let all: Vec<String> = (1..=report.signatures.len())
        .map(|i| format!("S{i}"))
        .collect();
    for facts in &doc.envelope_timestamps {
        let id = format!("T{}", report.timestamps.len() + 1);
        report.timestamps.push(timestamp_report(
            id,
            "envelope",
            facts,
            all.clone(),
            options,
            &trust_ctx,
        ));
    }
    if report.signatures.is_empty() && report.timestamps.is_empty() {
        // The contract: an error exactly when nothing at all could be located.
        report.error = Some(file_error(
            ErrorCode::NotASignature,
            "no signature or timestamp found",
        ));
        return FileOutcome {
            report,
            content: None,
        };
    }
    tracing::info!(
        sha256 = report.sha256.as_deref().unwrap_or(""),
        signatures = report.signatures.len(),
        "file checked"
    );
    FileOutcome {
        report,
        content: doc.content,
    }
}

/// The report of one signer: its facts, the certificate path, revocation and algorithm
/// checks at the validation time, and the verdict.
pub(crate) fn signature_report(
    id: String,
    entry: &lavoro_agile_cades::SignatureEntry,
    options: &Options,
    ctx: &validation::TrustContext,
) -> SignatureReport {
    let countersignature = entry.countersignature_of.is_some();
    let claimed = entry.facts.as_ref().ok().and_then(|f| f.signing_time);
    let mut early_warnings = Vec::new();
    let validation_time = match options.at {
        ValidationTime::Now => ValidationTimeReport {
            time: UtcTime(options.now),
            basis: TimeBasis::Now,
        },
        ValidationTime::Given(t) => ValidationTimeReport {
            time: UtcTime(t),
            basis: TimeBasis::Given,
        },
        ValidationTime::SigningTime => match claimed {
            Some(t) => ValidationTimeReport {
                time: UtcTime(t),
                basis: TimeBasis::Claimed,
            },
            None => {
                early_warnings.push(Warning {
                    code: "no_claimed_signing_time",
                    message: report::Bilingual::new(
                        "La firma non dichiara una data di firma: è stata verificata alla data attuale.",
                        "The signature claims no signing time: it was checked at the current time.",
                    ),
                });
                ValidationTimeReport {
                    time: UtcTime(options.now),
                    basis: TimeBasis::Now,
                }
            }
        },
    };
    let (checks, mut warnings, signer, signing_time, digest_algorithm, signature_algorithm) =
        match &entry.facts {
            Err(reason) => (
                assess::undecodable(reason),
                Vec::new(),
                None,
                None,
                None,
                None,
            ),
            Ok(facts) => {
                let (mut c, mut w) = assess::checks_for(
                    facts,
                    &options.trust,
                    if countersignature {
                        assess::Role::CounterSignature
                    } else {
                        assess::Role::Signature
                    },
                );
                validation::apply(
                    &mut c,
                    &mut w,
                    facts,
                    ctx,
                    validation_time.time.0,
                    options.revocation,
                );
                let signer = match &facts.certificate {
                    lavoro_agile_cades::signer::CertificateLookup::Found {
                        certificate, ..
                    } => Some(assess::signer_of(certificate)),
                    // Without the certificate, say at least which one it should be.
                    _ => match &facts.signer_identifier {
                        SignerIdentifierText::IssuerSerial { issuer, serial } => {
                            Some(report::Signer {
                                issuer: issuer.clone(),
                                serial_number: Some(serial.clone()),
                                ..Default::default()
                            })
                        }
                        SignerIdentifierText::SubjectKeyIdentifier(_) => None,
                    },
                };
                (
                    c,
                    w,
                    signer,
                    facts.signing_time,
                    Some(facts.digest_algorithm.clone()),
                    Some(facts.signature_algorithm.clone()),
                )
            }
        };
    warnings.extend(early_warnings);
    if let Some(t) = signing_time {
        if t > validation_time.time.0 {
            warnings.push(Warning {
                code: "signing_time_after_validation_time",
                message: report::Bilingual::new(
                    "La data di firma dichiarata è successiva alla data di verifica.",
                    "The claimed signing time is later than the validation time.",
                ),
            });
        }
    }
    let (indication, subindication) = assess::verdict(&checks);
    let qualification = entry
        .facts
        .as_ref()
        .ok()
        .and_then(|f| validation::qualification(f, &options.trust, &checks));
    SignatureReport {
        id,
        nested_level: entry.envelope,
        counter_signature_of: entry.countersignature_of.map(|p| format!("S{}", p + 1)),
        signer,
        signing_time: signing_time.map(UtcTime),
        validation_time,
        digest_algorithm,
        signature_algorithm,
        indication,
        subindication,
        checks,
        warnings,
        explanation: assess::explanation(indication, subindication),
        pdf: None,
        qualification,
    }
}

pub(crate) fn timestamp_report(
    id: String,
    kind: &'static str,
    facts: &lavoro_agile_cades::timestamp::TimestampFacts,
    covers: Vec<String>,
    options: &Options,
    ctx: &validation::TrustContext,
) -> report::TimestampReport {
    let mut checks = assess::timestamp_checks(facts, &options.trust);
    // The TSA's certificate is validated at the validation time asked for, or, for
    // validation at claimed times, at the time the token asserts.
    let at = match options.at {
        ValidationTime::Now => options.now,
        ValidationTime::Given(t) => t,
        ValidationTime::SigningTime => facts.gen_time.unwrap_or(options.now),
    };
    if facts.format_problem.is_none() {
        if let Some(signer) = &facts.signer {
            validation::apply_to_timestamp(&mut checks, signer, ctx, at, options.revocation);
        }
    }
    let (indication, subindication) = assess::verdict(&checks);
    report::TimestampReport {
        id,
        kind,
        gen_time: facts.gen_time.map(UtcTime),
        covers,
        indication,
        subindication,
        checks,
        pdf: None,
    }
}

/// Entry points for fuzzing and for the tests that replay fuzz corpora. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Checks arbitrary bytes as a file, with an empty trust store, at a fixed time.
    pub fn validate(data: &[u8]) {
        let options = crate::Options {
            trust: crate::TrustStore::new(),
            at: crate::ValidationTime::SigningTime,
            now: time::OffsetDateTime::UNIX_EPOCH,
            keep_content: true,
            revocation: crate::RevocationPolicy::IfAvailable,
        };
        let report = crate::report::FileReport {
            path: "fuzz".to_owned(),
            sha256: None,
            format: None,
            error: None,
            signatures: Vec::new(),
            timestamps: Vec::new(),
        };
        let out = crate::validate_bytes(report, data, None, &options);
        let _ = serde_json::to_string(&out.report);
    }

    /// Loads arbitrary bytes as trust material.
    pub fn trust(data: &[u8]) {
        let mut store = crate::TrustStore::new();
        let _ = store.add_bytes(data);
        // The header of a report describes the material (trusted-list fields are scanned).
        let _ = crate::provenance::trust_sources(&store);
    }
}
