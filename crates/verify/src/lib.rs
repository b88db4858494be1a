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

mod archive_chain;
pub mod assess;
pub mod online;
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
pub use trust::{TrustOrigin, TrustStore};
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

/// Default content of a detached signature or a standalone timestamp token: the path
/// minus a final `.p7s`, `.sig`, `.pkcs7`, `.p7m`, `.tsr` or `.tst`.
pub fn default_detached_content(path: &Path) -> Option<PathBuf> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if ["p7s", "sig", "pkcs7", "p7m", "tsr", "tst"].contains(&ext.as_str()) {
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
        Ok(ReadOutcome::TimestampToken(mut facts)) => {
            report.format = Some(Format::Tst);
            // A standalone token is checked against the data it covers when given.
            if let Some(path) = content_path {
                match read_limited(path) {
                    Ok(Ok(content)) => {
                        tracing::debug!(content = %path.display(), "timestamped data loaded");
                        *facts = lavoro_agile_cades::timestamp::check_timestamp(
                            bytes,
                            Some(&content),
                            &read_options.supplied_certificates,
                        );
                    }
                    Ok(Err(_)) | Err(_) => {
                        tracing::warn!(content = %path.display(), "timestamped data unreadable");
                    }
                }
            }
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
    let trust_ctx = validation::TrustContext::new(&options.trust, &doc.certificates, &doc.crls)
        .with_ocsp(&doc.ocsp_responses);
    report.format = Some(match doc.container {
        Container::Attached => Format::CadesAttached,
        Container::Detached => Format::CadesDetached,
        Container::TimeStampedData => Format::Tsd,
        Container::M7m => Format::M7m,
    });
    // Timestamps first: a valid one is a proof of existence for what it covers.
    let mut timestamps = Vec::new();
    let mut poe: Vec<Vec<ProofOfExistence>> = vec![Vec::new(); doc.signatures.len()];
    for (i, entry) in doc.signatures.iter().enumerate() {
        let first = timestamps.len();
        let mut signer_reports = Vec::new();
        for (kind, facts) in &entry.timestamps {
            let id = format!("T{}", first + signer_reports.len() + 1);
            let kind = match kind {
                TimestampKind::Signature => "signature",
                TimestampKind::Content => "content",
                TimestampKind::Envelope => "envelope",
                TimestampKind::Archive => "archive",
                TimestampKind::Token => "token",
            };
            let covers = covered_by_signature_timestamp(&doc, i);
            signer_reports.push(timestamp_report(
                id, kind, facts, covers, options, &trust_ctx,
            ));
        }
        let facts: Vec<&lavoro_agile_cades::timestamp::TimestampFacts> =
            entry.timestamps.iter().map(|(_, f)| f).collect();
        archive_chain::extend(&mut signer_reports, &facts, options, &trust_ctx);
        for (t, f) in signer_reports.into_iter().zip(facts) {
            if matches!(t.kind, "signature" | "envelope" | "archive") {
                let covers = t.covers.clone();
                note_poe(&mut poe, &t, f, &covers);
            }
            timestamps.push(t);
        }
    }
    let all: Vec<String> = (1..=doc.signatures.len())
        .map(|i| format!("S{i}"))
        .collect();
    for facts in &doc.envelope_timestamps {
        let id = format!("T{}", timestamps.len() + 1);
        let t = timestamp_report(id, "envelope", facts, all.clone(), options, &trust_ctx);
        note_poe(&mut poe, &t, facts, &all);
        timestamps.push(t);
    }
    for (i, entry) in doc.signatures.iter().enumerate() {
        let proofs = poe.get(i).map(Vec::as_slice).unwrap_or_default();
        let sig =
            signature_report_with_poe(format!("S{}", i + 1), entry, options, &trust_ctx, proofs);
        report.signatures.push(sig);
    }
    report.timestamps = timestamps;
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
    signature_report_with_poe(id, entry, options, ctx, &[])
}

/// A proof that a signature existed at a time: a valid timestamp covering it.
#[derive(Debug, Clone)]
pub(crate) struct ProofOfExistence {
    /// The timestamp's id (`T1`, ...).
    pub(crate) timestamp: String,
    /// The time the timestamp asserts.
    pub(crate) time: OffsetDateTime,
}

/// The signatures a timestamp on signature `i` proves: the signature itself and, when its
/// content is intact, every signature of the envelopes nested in its content (they are
/// part of what it signed).
fn covered_by_signature_timestamp(doc: &lavoro_agile_cades::Document, i: usize) -> Vec<String> {
    let mut covers = vec![format!("S{}", i + 1)];
    let Some(entry) = doc.signatures.get(i) else {
        return covers;
    };
    let intact = entry.countersignature_of.is_none()
        && entry
            .facts
            .as_ref()
            .is_ok_and(|f| f.digest == lavoro_agile_cades::signer::DigestOutcome::Match);
    if intact {
        for (j, other) in doc.signatures.iter().enumerate() {
            if other.envelope > entry.envelope {
                covers.push(format!("S{}", j + 1));
            }
        }
    }
    covers
}

/// Records a timestamp as proof of existence of what it covers when it is valid and its
/// imprint was checked (an archive timestamp whose hash is not computed proves nothing).
pub(crate) fn note_poe(
    poe: &mut [Vec<ProofOfExistence>],
    t: &report::TimestampReport,
    facts: &lavoro_agile_cades::timestamp::TimestampFacts,
    covers: &[String],
) {
    if t.indication != Indication::TotalPassed
        || facts.imprint != lavoro_agile_cades::timestamp::ImprintOutcome::Match
    {
        return;
    }
    let Some(time) = facts.gen_time else { return };
    for id in covers {
        let index = id
            .strip_prefix('S')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1));
        if let Some(list) = index.and_then(|i| poe.get_mut(i)) {
            list.push(ProofOfExistence {
                timestamp: t.id.clone(),
                time,
            });
        }
    }
}

/// Sub-indications that a proof of existence before the validation time can lift.
pub(crate) fn lifted_by_poe(sub: Option<SubIndication>) -> bool {
    matches!(
        sub,
        Some(
            SubIndication::OutOfBoundsNoPoe
                | SubIndication::OutOfBoundsNotRevoked
                | SubIndication::RevokedNoPoe
                | SubIndication::RevokedCaNoPoe
                | SubIndication::CryptoConstraintsFailureNoPoe
        )
    )
}

/// As [`signature_report`], with the proofs of existence of the signature: when the verdict
/// at the validation time fails only for lack of one (an expired or revoked certificate, an
/// algorithm no longer accepted), the signature is validated again at the earliest proof's
/// time, and that verdict is kept when the proof lifts the failure (basis `timestamp`).
pub(crate) fn signature_report_with_poe(
    id: String,
    entry: &lavoro_agile_cades::SignatureEntry,
    options: &Options,
    ctx: &validation::TrustContext,
    proofs: &[ProofOfExistence],
) -> SignatureReport {
    let countersignature = entry.countersignature_of.is_some();
    let claimed = entry.facts.as_ref().ok().and_then(|f| f.signing_time);
    let mut early_warnings = Vec::new();
    let mut validation_time = match options.at {
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
                let run = |at: OffsetDateTime| {
                    let (mut c, mut w) = assess::checks_for(
                        facts,
                        &options.trust,
                        if countersignature {
                            assess::Role::CounterSignature
                        } else {
                            assess::Role::Signature
                        },
                    );
                    validation::apply(&mut c, &mut w, facts, ctx, at, options.revocation);
                    (c, w)
                };
                let (mut c, mut w) = run(validation_time.time.0);
                let earliest = proofs
                    .iter()
                    .filter(|p| p.time < validation_time.time.0)
                    .min_by_key(|p| p.time);
                if let Some(proof) = earliest {
                    if lifted_by_poe(assess::verdict(&c).1) {
                        let (c2, mut w2) = run(proof.time);
                        if !lifted_by_poe(assess::verdict(&c2).1) {
                            let before = validation_time.time.0;
                            validation_time = ValidationTimeReport {
                                time: UtcTime(proof.time),
                                basis: TimeBasis::Timestamp,
                            };
                            w2.push(poe_warning(&proof.timestamp, proof.time, before));
                            c = c2;
                            w = w2;
                        }
                    }
                }
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

/// The plain-words statement that a signature was validated at a timestamp's time.
fn poe_warning(timestamp: &str, at: OffsetDateTime, asked: OffsetDateTime) -> Warning {
    let (at, asked) = (day_time(at), day_time(asked));
    Warning {
        code: "validated_at_timestamp",
        message: report::Bilingual::new(
            format!("La marca temporale {timestamp} prova che la firma esisteva già il {at}: la firma è stata verificata a quella data, perché alla data richiesta ({asked}) il certificato era scaduto o revocato, o un algoritmo non era più ammesso."),
            format!("Timestamp {timestamp} proves that the signature already existed on {at}: the signature was checked at that time, because at the time asked for ({asked}) the certificate had expired or been revoked, or an algorithm was no longer accepted."),
        ),
    }
}

fn day_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) fn timestamp_report(
    id: String,
    kind: &'static str,
    facts: &lavoro_agile_cades::timestamp::TimestampFacts,
    covers: Vec<String>,
    options: &Options,
    ctx: &validation::TrustContext,
) -> report::TimestampReport {
    let at = timestamp_time(options, facts);
    timestamp_report_at(id, kind, facts, covers, options, ctx, at)
}

/// The time a TSA's certificate is validated at: the validation time asked for, or, for
/// validation at claimed times, the time the token asserts.
pub(crate) fn timestamp_time(
    options: &Options,
    facts: &lavoro_agile_cades::timestamp::TimestampFacts,
) -> OffsetDateTime {
    match options.at {
        ValidationTime::Now => options.now,
        ValidationTime::Given(t) => t,
        ValidationTime::SigningTime => facts.gen_time.unwrap_or(options.now),
    }
}

/// As [`timestamp_report`], with the TSA's certificate validated at `at`.
pub(crate) fn timestamp_report_at(
    id: String,
    kind: &'static str,
    facts: &lavoro_agile_cades::timestamp::TimestampFacts,
    covers: Vec<String>,
    options: &Options,
    ctx: &validation::TrustContext,
    at: OffsetDateTime,
) -> report::TimestampReport {
    let mut checks = assess::timestamp_checks(facts, &options.trust);
    if facts.format_problem.is_none() {
        if let Some(signer) = &facts.signer {
            validation::apply_to_timestamp(
                &mut checks,
                signer,
                ctx,
                at,
                facts.gen_time,
                options.revocation,
            );
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
