//! PDF files: every signature and document timestamp read by `lavoro-agile-pades`, then
//! judged through the same path as CAdES signatures ([`crate::signature_report`]), with the
//! PDF facts added as checks (`byte_range`, `pdf_modifications`, `pdf_sha1_content`) and
//! the changes after signing in plain words.
//!
//! The file is read in windows, never loaded whole; its SHA-256 is computed in the same pass
//! as the longest signed range (see `lavoro_agile_pades::PdfRead::file_sha256`).

use std::path::Path;

use lavoro_agile_cades::signer::{
    CertificateLookup, CertificateSource, DigestOutcome, EssOutcome, SignerFacts,
    SignerIdentifierText,
};
use lavoro_agile_cades::{ReadOptions, ReadOutcome, SignatureEntry, TimestampKind};
use lavoro_agile_pades::changes::Changes;
use lavoro_agile_pades::signatures::{Crypto, SignatureKind};
use lavoro_agile_pades::source::{FileSource, SliceSource, Source};
use lavoro_agile_pades::{PdfRead, SignatureFacts, SubFilter};
use sha2::Digest;

use crate::assess::check;
use crate::report::{
    Bilingual, Check, ErrorCode, FileError, FileReport, Format, Outcome, PdfChange, PdfSignature,
    SignatureReport, SubIndication, TimestampReport, Warning,
};
use crate::validation::TrustContext;
use crate::{assess, FileOutcome, Options};

/// Whether the bytes look like a PDF: `%PDF-` at the start, or within the first KiB of
/// something that is not a DER structure (a `.pdf.p7m` holds `%PDF-` near its start too).
pub fn looks_like_pdf(head: &[u8]) -> bool {
    let head = head.get(..1024).unwrap_or(head);
    head.starts_with(b"%PDF-")
        || (head.first() != Some(&0x30) && memchr::memmem::find(head, b"%PDF-").is_some())
}

/// Whether the file at `path` looks like a PDF (reads its first KiB).
pub fn is_pdf_file(path: &Path) -> bool {
    use std::io::Read;
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(1024);
    if f.take(1024).read_to_end(&mut head).is_err() {
        return false;
    }
    looks_like_pdf(&head)
}

fn sha256_file(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n)?);
    }
    Some(hex::encode(h.finalize()))
}

fn read_options(options: &Options) -> ReadOptions {
    ReadOptions {
        detached_content: None,
        supplied_certificates: options.trust.anchors().to_vec(),
        keep_content: false,
    }
}

/// Checks a PDF file, read in windows.
pub fn validate_pdf_file(mut report: FileReport, path: &Path, options: &Options) -> FileOutcome {
    report.format = Some(Format::Pades);
    let source = match FileSource::open(path) {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(FileError {
                code: ErrorCode::Unreadable,
                message: format!("cannot read the file: {e}"),
            });
            return FileOutcome {
                report,
                content: None,
            };
        }
    };
    if source.len() > crate::MAX_FILE_SIZE {
        report.error = Some(FileError {
            code: ErrorCode::LimitExceeded,
            message: format!(
                "the file is {} bytes, over the limit of {}",
                source.len(),
                crate::MAX_FILE_SIZE
            ),
        });
        return FileOutcome {
            report,
            content: None,
        };
    }
    let read = lavoro_agile_pades::read_signatures(&source, &read_options(options));
    // The file's SHA-256 usually comes with the signed ranges (one pass over the file);
    // otherwise (no signature, damaged file) it is computed here.
    report.sha256 = match &read {
        Ok(r) if r.file_sha256.is_some() => r.file_sha256.as_deref().map(hex::encode),
        _ => sha256_file(path),
    };
    build(report, read, options)
}

/// Checks a PDF already in memory.
pub fn validate_pdf_bytes(mut report: FileReport, bytes: &[u8], options: &Options) -> FileOutcome {
    report.format = Some(Format::Pades);
    if report.sha256.is_none() {
        report.sha256 = Some(hex::encode(sha2::Sha256::digest(bytes)));
    }
    let read = lavoro_agile_pades::read_signatures(&SliceSource(bytes), &read_options(options));
    build(report, read, options)
}

fn build(
    mut report: FileReport,
    read: Result<PdfRead, lavoro_agile_pades::Error>,
    options: &Options,
) -> FileOutcome {
    let mut read = match read {
        Ok(r) => r,
        Err(e) => {
            let code = match e {
                lavoro_agile_pades::Error::LimitExceeded(_) => ErrorCode::LimitExceeded,
                lavoro_agile_pades::Error::Io(_) => ErrorCode::Unreadable,
                lavoro_agile_pades::Error::NotPdf => ErrorCode::NotASignature,
                _ => ErrorCode::Damaged,
            };
            report.error = Some(FileError {
                code,
                message: e.to_string(),
            });
            return FileOutcome {
                report,
                content: None,
            };
        }
    };
    let revisions = read.revision_ends.len();
    // The store is taken out of the read (its streams may be large), not copied.
    let store = Store::new(std::mem::replace(&mut read.dss, Ok(None)), options);
    let mut origins: Vec<Pending> = Vec::new();
    let mut later: Vec<Later<'_>> = Vec::new();
    for facts in &read.signatures {
        let pdf = pdf_report(facts, revisions);
        let pdf_checks = pdf_checks(facts);
        let warnings = pdf_warnings(facts);
        if facts.kind == SignatureKind::DocTimeStamp || matches!(facts.crypto, Crypto::Timestamp(_))
        {
            let id = format!("T{}", report.timestamps.len() + 1);
            let end = facts.signed_length.unwrap_or(0);
            let covers: Vec<String> = report
                .signatures
                .iter()
                .filter(|s| {
                    s.pdf
                        .as_ref()
                        .and_then(|p| p.signed_length)
                        .is_some_and(|l| l <= end)
                })
                .map(|s| s.id.clone())
                .collect();
            let mut ts = match &facts.crypto {
                // The TSA's certificate goes through the same path validation as elsewhere.
                Crypto::Timestamp(t) => {
                    // With the validation data of the document security store.
                    let ctx = store.context(options, &[], &[], &[]);
                    let r = crate::timestamp_report(id, "document", t, covers, options, &ctx);
                    if let Some(c) = signer_certificate(t.signer.as_ref()) {
                        origins.push(Pending {
                            target: Target::Timestamp(report.timestamps.len()),
                            ctx,
                            certificate: c,
                            vri: facts.vri,
                            cms_crls: Vec::new(),
                            cms_ocsp: Vec::new(),
                            gen_time: t.gen_time,
                        });
                    }
                    r
                }
                other => {
                    let checks = match other {
                        Crypto::NotChecked(why) => assess::undecodable(why),
                        _ => assess::undecodable("not a timestamp token"),
                    };
                    let (indication, subindication) = assess::verdict(&checks);
                    TimestampReport {
                        id,
                        kind: "document",
                        gen_time: None,
                        covers,
                        indication,
                        subindication,
                        checks,
                        pdf: None,
                    }
                }
            };
            ts.checks.splice(0..0, pdf_checks);
            let (indication, subindication) = assess::verdict(&ts.checks);
            ts.indication = indication;
            ts.subindication = subindication;
            ts.pdf = Some(pdf);
            report.timestamps.push(ts);
            continue;
        }
        let entries = entries_of(facts);
        // Certificates, CRLs and OCSP responses carried in the signature's CMS (revocation
        // values, adbe-revocationInfoArchival) and in the document security store help
        // build its paths.
        let (cms_certs, cms_crls, cms_ocsp) = match &facts.crypto {
            Crypto::Cms { outcome, .. } => match &**outcome {
                ReadOutcome::Signed(doc) => (
                    doc.certificates.clone(),
                    doc.crls.clone(),
                    doc.ocsp_responses.clone(),
                ),
                _ => Default::default(),
            },
            _ => Default::default(),
        };
        let ctx = store.context(options, &cms_certs, &cms_crls, &cms_ocsp);
        let base = report.signatures.len();
        for (j, entry) in entries.iter().enumerate() {
            let id = format!("S{}", base + j + 1);
            let mut sig: SignatureReport =
                crate::signature_report(id.clone(), entry, options, &ctx);
            sig.warnings.extend(store.warnings.iter().cloned());
            if let Some(c) = entry
                .facts
                .as_ref()
                .ok()
                .and_then(|f| signer_certificate(Some(f)))
            {
                origins.push(Pending {
                    target: Target::Signature(report.signatures.len()),
                    ctx: ctx.clone(),
                    certificate: c,
                    vri: facts.vri,
                    cms_crls: cms_crls.clone(),
                    cms_ocsp: cms_ocsp.clone(),
                    gen_time: None,
                });
            }
            sig.counter_signature_of = entry
                .countersignature_of
                .map(|p| format!("S{}", base + p + 1));
            if entry.countersignature_of.is_none() {
                finish_pdf_signature(&mut sig, facts, &pdf_checks, &warnings, &pdf);
                later.push(Later {
                    report_index: report.signatures.len(),
                    entry: entry.clone(),
                    ctx: ctx.clone(),
                    facts,
                    pdf_checks: pdf_checks.clone(),
                    warnings: warnings.clone(),
                    store_warnings: store.warnings.clone(),
                    pdf: pdf.clone(),
                });
            }
            for (kind, t) in &entry.timestamps {
                let tid = format!("T{}", report.timestamps.len() + 1);
                let kind = match kind {
                    TimestampKind::Signature => "signature",
                    TimestampKind::Content => "content",
                    TimestampKind::Archive => "archive",
                    TimestampKind::Envelope => "envelope",
                    TimestampKind::Token => "token",
                };
                if let Some(c) = signer_certificate(t.signer.as_ref()) {
                    origins.push(Pending {
                        target: Target::Timestamp(report.timestamps.len()),
                        ctx: ctx.clone(),
                        certificate: c,
                        vri: facts.vri,
                        cms_crls: cms_crls.clone(),
                        cms_ocsp: cms_ocsp.clone(),
                        gen_time: t.gen_time,
                    });
                }
                report.timestamps.push(crate::timestamp_report(
                    tid,
                    kind,
                    t,
                    vec![id.clone()],
                    options,
                    &ctx,
                ));
            }
            report.signatures.push(sig);
        }
    }
    proofs_of_existence(&mut report, &later, options);
    for p in &origins {
        note_revocation_origin(&mut report, p, &store, options);
    }
    if report.signatures.is_empty() && report.timestamps.is_empty() {
        report.error = Some(FileError {
            code: ErrorCode::NotASignature,
            message: "no signature or timestamp found".to_owned(),
        });
    }
    tracing::info!(
        sha256 = report.sha256.as_deref().unwrap_or(""),
        signatures = report.signatures.len(),
        revisions,
        "PDF checked"
    );
    FileOutcome {
        report,
        content: None,
    }
}

/// A PDF signature kept for a second look once every timestamp of the file is known.
struct Later<'a> {
    report_index: usize,
    entry: SignatureEntry,
    ctx: TrustContext,
    facts: &'a SignatureFacts,
    pdf_checks: Vec<Check>,
    warnings: Vec<Warning>,
    store_warnings: Vec<Warning>,
    pdf: PdfSignature,
}

/// Adds what a PDF signature has beyond a CMS one: the PDF checks first, the PDF warnings,
/// the verdict over both, the explanation and the `pdf` section.
fn finish_pdf_signature(
    sig: &mut SignatureReport,
    facts: &SignatureFacts,
    pdf_checks: &[Check],
    warnings: &[Warning],
    pdf: &PdfSignature,
) {
    // In a PDF the digest covers the signed version, not the file as it is now.
    for c in &mut sig.checks {
        if c.name == "message_digest" && c.outcome == Outcome::Passed {
            c.detail = Bilingual::new(
                "La versione firmata del documento è integra: la sua impronta corrisponde a quella firmata.",
                "The signed version of the document is intact: its digest matches the signed one.",
            );
        }
    }
    sig.checks.splice(0..0, pdf_checks.iter().cloned());
    sig.warnings.extend(warnings.iter().cloned());
    let (indication, subindication) = assess::verdict(&sig.checks);
    sig.indication = indication;
    sig.subindication = subindication;
    sig.explanation = explanation(indication, subindication, facts);
    sig.pdf = Some(pdf.clone());
}

/// Valid timestamps of the file (signature timestamps, document timestamps added later)
/// as proofs of existence of the signatures they cover: a signature that failed only for
/// lack of one is validated again at the earliest (see `crate::signature_report_with_poe`).
fn proofs_of_existence(report: &mut FileReport, later: &[Later<'_>], options: &Options) {
    for l in later {
        let Some(sig) = report.signatures.get(l.report_index) else {
            continue;
        };
        if !crate::lifted_by_poe(sig.subindication) {
            continue;
        }
        let proofs: Vec<crate::ProofOfExistence> = report
            .timestamps
            .iter()
            .filter(|t| {
                t.indication == crate::Indication::TotalPassed
                    && t.covers.contains(&sig.id)
                    && t.checks
                        .iter()
                        .any(|c| c.name == "message_imprint" && c.outcome == Outcome::Passed)
            })
            .filter_map(|t| {
                t.gen_time.map(|g| crate::ProofOfExistence {
                    timestamp: t.id.clone(),
                    time: g.0,
                })
            })
            .collect();
        if proofs.is_empty() {
            continue;
        }
        let mut again =
            crate::signature_report_with_poe(sig.id.clone(), &l.entry, options, &l.ctx, &proofs);
        if again.validation_time.basis != crate::report::TimeBasis::Timestamp {
            continue;
        }
        again.counter_signature_of = sig.counter_signature_of.clone();
        again.warnings.extend(l.store_warnings.iter().cloned());
        finish_pdf_signature(&mut again, l.facts, &l.pdf_checks, &l.warnings, &l.pdf);
        if let Some(slot) = report.signatures.get_mut(l.report_index) {
            *slot = again;
        }
    }
}

/// The explanation: the shared one, or one that names the PDF problem when that decided.
fn explanation(
    indication: crate::Indication,
    sub: Option<SubIndication>,
    facts: &SignatureFacts,
) -> Bilingual {
    let pages = facts
        .changes
        .as_ref()
        .is_some_and(Changes::page_content_changed);
    if sub == Some(SubIndication::FormatFailure) && pages {
        return Bilingual::new(
            "Dopo la firma il contenuto visibile del documento è stato cambiato: quello che vedi non è ciò che è stato firmato. Non fidarti del documento; usa la versione firmata (opzione --extract) o chiedi l'originale.",
            "The visible content of the document was changed after signing: what you see is not what was signed. Do not rely on the document; use the signed version (option --extract) or ask for the original.",
        );
    }
    if sub == Some(SubIndication::FormatFailure) && !facts.byte_range_problems.is_empty() {
        return Bilingual::new(
            "La firma non copre il documento come previsto: il file potrebbe essere stato manipolato. Non fidarti del documento e chiedi l'originale.",
            "The signature does not cover the document as it must: the file may have been tampered with. Do not rely on the document; ask for the original.",
        );
    }
    assess::explanation(indication, sub)
}

/// The CMS entries of a signature, or one synthesised from a legacy PKCS#1 signature, or
/// an undecodable entry.
fn entries_of(facts: &SignatureFacts) -> Vec<SignatureEntry> {
    let undecodable = |why: String| {
        vec![SignatureEntry {
            envelope: 0,
            countersignature_of: None,
            facts: Err(why),
            timestamps: Vec::new(),
        }]
    };
    let mut entries = match &facts.crypto {
        Crypto::Cms { outcome, .. } => match &**outcome {
            ReadOutcome::Signed(doc) if !doc.signatures.is_empty() => doc.signatures.clone(),
            ReadOutcome::Signed(_) => undecodable("the signature has no signer".to_owned()),
            ReadOutcome::TimestampToken(_) => {
                undecodable("a timestamp token where a signature was expected".to_owned())
            }
            ReadOutcome::Unsupported(what) => {
                undecodable(format!("unsupported structure ({what})"))
            }
            ReadOutcome::NotASignature => {
                undecodable("the signature value is not a CMS signature".to_owned())
            }
        },
        Crypto::RsaSha1 {
            certificate,
            signature,
        } => vec![SignatureEntry {
            envelope: 0,
            countersignature_of: None,
            facts: Ok(legacy_facts(certificate.clone(), signature.clone())),
            timestamps: Vec::new(),
        }],
        Crypto::NotChecked(why) => undecodable(why.clone()),
        Crypto::Timestamp(_) => {
            undecodable("a timestamp where a signature was expected".to_owned())
        }
    };
    // A PDF signature claims its time in /M when the CMS has no signing-time attribute.
    if let Some(m) = facts.pdf_signing_time {
        for e in &mut entries {
            if let Ok(f) = &mut e.facts {
                if f.signing_time.is_none() && e.countersignature_of.is_none() {
                    f.signing_time = Some(m);
                }
            }
        }
    }
    entries
}

/// `adbe.x509.rsa_sha1`: a bare PKCS#1 signature over the SHA-1 of the covered bytes, the
/// certificate in `/Cert`; expressed as the facts of a signer without signed attributes.
fn legacy_facts(
    certificate: Option<std::sync::Arc<lavoro_agile_cades::cert::CertificateInfo>>,
    signature: Option<lavoro_agile_cades::crypto::SignatureOutcome>,
) -> SignerFacts {
    let signer_identifier = match &certificate {
        Some(c) => SignerIdentifierText::IssuerSerial {
            issuer: Some(c.issuer_string()),
            serial: c.serial_hex(),
        },
        None => SignerIdentifierText::IssuerSerial {
            issuer: None,
            serial: String::new(),
        },
    };
    SignerFacts {
        signer_identifier,
        countersignature_content_type: false,
        format_problems: Vec::new(),
        has_signed_attributes: false,
        certificate: match certificate {
            Some(c) => CertificateLookup::Found {
                certificate: c,
                source: CertificateSource::Embedded,
            },
            None => CertificateLookup::NotFound,
        },
        ess: EssOutcome::Absent,
        digest: DigestOutcome::NoSignedAttributes,
        signature,
        signing_time: None,
        digest_algorithm: "SHA-1".to_owned(),
        signature_algorithm: "RSA PKCS#1 v1.5 with SHA-1".to_owned(),
        signature_value: Vec::new(),
        signature_timestamps: Vec::new(),
        archive_timestamps: Vec::new(),
        content_timestamps: Vec::new(),
        signed_attributes_reencoded: false,
    }
}

fn pdf_checks(facts: &SignatureFacts) -> Vec<Check> {
    let mut out = Vec::new();
    if facts.byte_range_problems.is_empty() {
        let (it, en) = if facts.covers_whole_file {
            (
                "La firma copre l'intero documento, tranne il proprio valore.".to_owned(),
                "The signature covers the whole document except its own value.".to_owned(),
            )
        } else {
            let n = facts.signed_revision.map_or(0, |r| r + 1);
            (
                format!("La firma copre per intero la versione {n} del documento, tranne il proprio valore."),
                format!("The signature covers the whole of version {n} of the document except its own value."),
            )
        };
        out.push(check("byte_range", Outcome::Passed, None, it, en));
    } else {
        let (it, en): (Vec<&str>, Vec<&str>) = facts
            .byte_range_problems
            .iter()
            .map(|p| p.describe())
            .unzip();
        out.push(check(
            "byte_range",
            Outcome::Failed,
            Some(SubIndication::FormatFailure),
            format!(
                "La parte firmata del file non è corretta: {}.",
                it.join("; ")
            ),
            format!(
                "The signed part of the file is not correct: {}.",
                en.join("; ")
            ),
        ));
    }
    if let Crypto::Cms {
        sha1_content: Some(ok),
        ..
    } = &facts.crypto
    {
        out.push(if *ok {
            check(
                "pdf_sha1_content",
                Outcome::Passed,
                None,
                "L'impronta SHA-1 firmata corrisponde al documento.",
                "The signed SHA-1 digest matches the document.",
            )
        } else {
            check(
                "pdf_sha1_content",
                Outcome::Failed,
                Some(SubIndication::HashFailure),
                "L'impronta SHA-1 firmata non corrisponde al documento: è stato modificato dopo la firma.",
                "The signed SHA-1 digest does not match the document: it was changed after signing.",
            )
        });
    }
    match &facts.changes {
        Some(c) if c.page_content_changed() => {
            let list = page_statements(c);
            out.push(check(
                "pdf_modifications",
                Outcome::Failed,
                Some(SubIndication::FormatFailure),
                format!(
                    "Dopo la firma sono cambiate le pagine: {}.",
                    list.0.join("; ")
                ),
                format!("The pages changed after signing: {}.", list.1.join("; ")),
            ));
        }
        Some(_) => out.push(check(
            "pdf_modifications",
            Outcome::Passed,
            None,
            "Le pagine firmate non sono cambiate dopo la firma.",
            "The signed pages have not changed since signing.",
        )),
        None => out.push(check(
            "pdf_modifications",
            Outcome::Skipped,
            None,
            "Senza una parte firmata corretta non si può dire cosa è cambiato dopo la firma.",
            "Without a correct signed part, what changed after signing cannot be told.",
        )),
    }
    out
}

fn page_statements(c: &Changes) -> (Vec<String>, Vec<String>) {
    let mut it = Vec::new();
    let mut en = Vec::new();
    if c.pages_added > 0 {
        it.push(plural_it(
            c.pages_added,
            "aggiunta 1 pagina",
            "aggiunte {} pagine",
        ));
        en.push(plural_en(c.pages_added, "1 page added", "{} pages added"));
    }
    if c.pages_removed > 0 {
        it.push(plural_it(
            c.pages_removed,
            "tolta 1 pagina",
            "tolte {} pagine",
        ));
        en.push(plural_en(
            c.pages_removed,
            "1 page removed",
            "{} pages removed",
        ));
    }
    for p in &c.pages_changed {
        it.push(format!("modificato il contenuto della pagina {p}"));
        en.push(format!("content of page {p} changed"));
    }
    (it, en)
}

fn plural_it(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_owned()
    } else {
        many.replace("{}", &n.to_string())
    }
}

fn plural_en(n: u32, one: &str, many: &str) -> String {
    plural_it(n, one, many)
}

fn change(code: &'static str, severity: &'static str, it: String, en: String) -> PdfChange {
    PdfChange {
        code,
        severity,
        message: Bilingual::new(it, en),
    }
}

/// Plain statements about what was signed and what changed after.
fn statements(facts: &SignatureFacts, revisions: usize) -> Vec<PdfChange> {
    let mut out = Vec::new();
    if !facts.byte_range_problems.is_empty() {
        return out;
    }
    if facts.covers_whole_file {
        out.push(change(
            "whole_document",
            "allowed",
            "Firmato l'intero documento.".to_owned(),
            "The whole document is signed.".to_owned(),
        ));
    } else if let Some(r) = facts.signed_revision {
        out.push(change(
            "partial_document",
            "allowed",
            format!(
                "Firmata la versione {} di {revisions} del documento; le versioni successive sono state aggiunte dopo la firma.",
                r + 1
            ),
            format!(
                "Version {} of {revisions} of the document is signed; the later versions were added after signing.",
                r + 1
            ),
        ));
    }
    let Some(c) = &facts.changes else {
        return out;
    };
    let warn_if = |forbidden: bool| if forbidden { "warning" } else { "allowed" };
    if c.pages_added > 0 {
        out.push(change(
            "pages_added",
            "failure",
            format!(
                "Dopo la firma {}.",
                plural_it(
                    c.pages_added,
                    "è stata aggiunta 1 pagina",
                    "sono state aggiunte {} pagine"
                )
            ),
            format!(
                "After signing {}.",
                plural_en(c.pages_added, "1 page was added", "{} pages were added")
            ),
        ));
    }
    if c.pages_removed > 0 {
        out.push(change(
            "pages_removed",
            "failure",
            format!(
                "Dopo la firma {}.",
                plural_it(
                    c.pages_removed,
                    "è stata tolta 1 pagina",
                    "sono state tolte {} pagine"
                )
            ),
            format!(
                "After signing {}.",
                plural_en(
                    c.pages_removed,
                    "1 page was removed",
                    "{} pages were removed"
                )
            ),
        ));
    }
    for p in &c.pages_changed {
        out.push(change(
            "page_content_changed",
            "failure",
            format!("Dopo la firma è stato modificato il contenuto della pagina {p}."),
            format!("After signing the content of page {p} was changed."),
        ));
    }
    if c.annotations_added > 0 {
        let forbidden = c.forbidden.iter().any(|f| f == "annotations");
        out.push(change(
            "annotations_added",
            warn_if(forbidden),
            format!(
                "Dopo la firma {}.",
                plural_it(
                    c.annotations_added,
                    "è stata aggiunta 1 annotazione",
                    "sono state aggiunte {} annotazioni"
                )
            ),
            format!(
                "After signing {}.",
                plural_en(
                    c.annotations_added,
                    "1 annotation was added",
                    "{} annotations were added"
                )
            ),
        ));
    }
    if c.annotations_removed > 0 {
        out.push(change(
            "annotations_removed",
            "warning",
            format!(
                "Dopo la firma {}.",
                plural_it(
                    c.annotations_removed,
                    "è stata tolta 1 annotazione",
                    "sono state tolte {} annotazioni"
                )
            ),
            format!(
                "After signing {}.",
                plural_en(
                    c.annotations_removed,
                    "1 annotation was removed",
                    "{} annotations were removed"
                )
            ),
        ));
    }
    if !c.appearances_changed.is_empty() {
        out.push(change(
            "appearance_changed",
            "warning",
            format!("Dopo la firma è stato cambiato l'aspetto di campi o annotazioni già presenti ({}).", c.appearances_changed.join(", ")),
            format!("After signing the appearance of existing fields or annotations was changed ({}).", c.appearances_changed.join(", ")),
        ));
    }
    if !c.fields_filled.is_empty() {
        let forbidden = c
            .forbidden
            .iter()
            .any(|f| f == "form_filling" || f.starts_with("locked_field:"));
        out.push(change(
            "form_filled",
            warn_if(forbidden),
            format!(
                "Dopo la firma sono stati compilati campi del modulo ({}).",
                c.fields_filled.join(", ")
            ),
            format!(
                "After signing form fields were filled in ({}).",
                c.fields_filled.join(", ")
            ),
        ));
    }
    if !c.fields_added.is_empty() {
        out.push(change(
            "fields_added",
            "warning",
            format!(
                "Dopo la firma sono stati aggiunti campi del modulo ({}).",
                c.fields_added.join(", ")
            ),
            format!(
                "After signing form fields were added ({}).",
                c.fields_added.join(", ")
            ),
        ));
    }
    if c.signatures_added > 0 {
        let forbidden = c.forbidden.iter().any(|f| f == "signatures");
        out.push(change(
            "signatures_added",
            warn_if(forbidden),
            format!(
                "Dopo la firma {}.",
                plural_it(
                    c.signatures_added,
                    "è stata aggiunta 1 firma",
                    "sono state aggiunte {} firme"
                )
            ),
            format!(
                "After signing {}.",
                plural_en(
                    c.signatures_added,
                    "1 signature was added",
                    "{} signatures were added"
                )
            ),
        ));
    }
    if c.timestamps_added > 0 {
        out.push(change(
            "timestamps_added",
            "allowed",
            format!(
                "Dopo la firma {}.",
                plural_it(
                    c.timestamps_added,
                    "è stata aggiunta 1 marca temporale",
                    "sono state aggiunte {} marche temporali"
                )
            ),
            format!(
                "After signing {}.",
                plural_en(
                    c.timestamps_added,
                    "1 document timestamp was added",
                    "{} document timestamps were added"
                )
            ),
        ));
    }
    if c.validation_data {
        out.push(change(
            "validation_data",
            "allowed",
            "Dopo la firma sono stati aggiunti dati per verificarla nel tempo (certificati, revoche).".to_owned(),
            "After signing, data to validate it over time (certificates, revocation) was added.".to_owned(),
        ));
    }
    if c.signatures_removed > 0 {
        out.push(change(
            "signatures_removed",
            "warning",
            "Dopo la firma una firma è stata rimossa o sostituita.".to_owned(),
            "After signing a signature was removed or replaced.".to_owned(),
        ));
    }
    if !c.other_changes.is_empty() {
        out.push(change(
            "other_changes",
            "warning",
            format!(
                "Dopo la firma sono state cambiate altre parti del documento ({}).",
                c.other_changes.join(", ")
            ),
            format!(
                "After signing other parts of the document were changed ({}).",
                c.other_changes.join(", ")
            ),
        ));
    }
    if c.trailing_bytes > 0 {
        out.push(change(
            "data_after_last_version",
            "warning",
            format!(
                "Dopo l'ultima versione il file contiene {} byte estranei al documento.",
                c.trailing_bytes
            ),
            format!(
                "After the last version the file holds {} bytes that are not part of the document.",
                c.trailing_bytes
            ),
        ));
    }
    if c.forbidden.iter().any(|f| f.starts_with("locked_field:")) {
        out.push(change(
            "not_permitted",
            "warning",
            "Alcune modifiche riguardano campi che la firma ha bloccato.".to_owned(),
            "Some changes concern fields the signature locked.".to_owned(),
        ));
    }
    if let Some(why) = &c.incomplete {
        out.push(change(
            "comparison_incomplete",
            "warning",
            format!("Non è stato possibile confrontare per intero la versione firmata con quella attuale ({why})."),
            format!("The signed version could not be fully compared with the current one ({why})."),
        ));
    }
    out
}

fn pdf_report(facts: &SignatureFacts, revisions: usize) -> PdfSignature {
    PdfSignature {
        field: facts.field_name.clone(),
        sub_filter: facts.sub_filter.as_str().to_owned(),
        byte_range: facts.byte_range,
        signed_revision: facts.signed_revision.map(|r| r + 1),
        revisions,
        signed_length: facts
            .signed_length
            .filter(|_| facts.byte_range_problems.is_empty()),
        covers_whole_document: facts.covers_whole_file,
        changes: statements(facts, revisions),
    }
}

fn pdf_warnings(facts: &SignatureFacts) -> Vec<Warning> {
    let mut out = Vec::new();
    if facts
        .changes
        .as_ref()
        .is_some_and(|c| !c.page_content_changed() && c.has_forbidden())
    {
        out.push(Warning {
            code: "MODIFIED_AFTER_SIGNING",
            message: Bilingual::new(
                "Dopo la firma il documento è stato modificato in modo non previsto dai permessi della firma (i dettagli sono nella sezione del documento PDF). Il contenuto delle pagine firmate non è cambiato.",
                "After signing the document was changed in a way the signature's permissions do not provide for (details in the PDF document section). The content of the signed pages has not changed.",
            ),
        });
    }
    match facts.sub_filter {
        SubFilter::AdbePkcs7Sha1 | SubFilter::AdbeX509RsaSha1 => out.push(Warning {
            code: "legacy_pdf_signature",
            message: Bilingual::new(
                format!(
                    "Firma PDF di tipo datato ({}), basata su SHA-1: non è una firma PAdES.",
                    facts.sub_filter.as_str()
                ),
                format!(
                    "Older PDF signature type ({}), based on SHA-1: not a PAdES signature.",
                    facts.sub_filter.as_str()
                ),
            ),
        }),
        _ => {}
    }
    out
}

/// The validation data of the document security store (`/DSS`), decoded once per file.
struct Store {
    dss: Option<lavoro_agile_pades::dss::Dss>,
    certificates: Vec<std::sync::Arc<lavoro_agile_cades::cert::CertificateInfo>>,
    /// Decoded CRLs with their index in the store.
    crls: Vec<(usize, std::sync::Arc<lavoro_agile_pki::Crl>)>,
    /// Decoded OCSP responses with their index in the store.
    ocsp: Vec<(usize, lavoro_agile_pki::ocsp::OcspResponse)>,
    /// Remarks about unusable entries, given with every signature of the file.
    warnings: Vec<Warning>,
}

/// At most this many unusable entries are named in the warning.
const NAMED_PROBLEMS: usize = 5;

impl Store {
    fn new(
        read: Result<Option<lavoro_agile_pades::dss::Dss>, lavoro_agile_pades::Error>,
        options: &Options,
    ) -> Self {
        let mut store = Self {
            dss: None,
            certificates: Vec::new(),
            crls: Vec::new(),
            ocsp: Vec::new(),
            warnings: Vec::new(),
        };
        let dss = match read {
            Ok(Some(d)) => d,
            Ok(None) => return store,
            Err(e) => {
                tracing::warn!(error = %e, "document security store not read");
                store.warnings.push(Warning {
                    code: "dss_unreadable",
                    message: Bilingual::new(
                        format!("L'archivio dei dati di convalida del documento (DSS) non è stato letto ({e}): i certificati e i dati di revoca che contiene non sono stati usati."),
                        format!("The document's validation data store (DSS) was not read ({e}): the certificates and revocation data it holds were not used."),
                    ),
                });
                return store;
            }
        };
        let mut problems: Vec<(String, String)> =
            dss.problems.iter().map(|p| p.describe()).collect();
        for der in &dss.certificates {
            match lavoro_agile_cades::cert::CertificateInfo::from_bytes(der) {
                Ok(c) => store.certificates.push(std::sync::Arc::new(c)),
                Err(_) => problems.push((
                    "un certificato nell'archivio DSS non è leggibile".to_owned(),
                    "a certificate in the DSS cannot be read".to_owned(),
                )),
            }
        }
        let cache = options.trust.cache();
        for (i, der) in dss.crls.iter().enumerate() {
            match cache.crl(der) {
                Ok(c) => store.crls.push((i, c)),
                Err(_) => problems.push((
                    "una lista di revoca (CRL) nell'archivio DSS non è leggibile".to_owned(),
                    "a revocation list (CRL) in the DSS cannot be read".to_owned(),
                )),
            }
        }
        for (i, der) in dss.ocsp_responses.iter().enumerate() {
            match lavoro_agile_pki::ocsp::OcspResponse::from_der(der) {
                Ok(r) => store.ocsp.push((i, r)),
                Err(_) => problems.push((
                    "una risposta OCSP nell'archivio DSS non è leggibile".to_owned(),
                    "an OCSP response in the DSS cannot be read".to_owned(),
                )),
            }
        }
        if !problems.is_empty() {
            tracing::warn!(
                problems = problems.len(),
                "document security store entries not usable"
            );
            let more = problems.len().saturating_sub(NAMED_PROBLEMS);
            let (mut it, mut en): (Vec<String>, Vec<String>) =
                problems.into_iter().take(NAMED_PROBLEMS).unzip();
            if more > 0 {
                it.push(format!("altre {more} voci"));
                en.push(format!("{more} more entries"));
            }
            store.warnings.push(Warning {
                code: "dss_entry_unusable",
                message: Bilingual::new(
                    format!(
                        "Alcune voci dell'archivio dei dati di convalida del documento (DSS) non sono state usate: {}.",
                        it.join("; ")
                    ),
                    format!(
                        "Some entries of the document's validation data store (DSS) were not used: {}.",
                        en.join("; ")
                    ),
                ),
            });
        }
        store.dss = Some(dss);
        store
    }

    /// A trust context with the material of a signature's CMS and of the store, each
    /// certificate, CRL and response once.
    fn context(
        &self,
        options: &Options,
        certificates: &[std::sync::Arc<lavoro_agile_cades::cert::CertificateInfo>],
        crls: &[Vec<u8>],
        ocsp: &[Vec<u8>],
    ) -> TrustContext {
        let Some(dss) = &self.dss else {
            return TrustContext::new(&options.trust, certificates, crls).with_ocsp(ocsp);
        };
        let mut all_certificates = certificates.to_vec();
        all_certificates.extend(self.certificates.iter().cloned());
        let all_crls = merged(crls, &dss.crls);
        let all_ocsp = merged(ocsp, &dss.ocsp_responses);
        TrustContext::new(&options.trust, &all_certificates, &all_crls).with_ocsp(&all_ocsp)
    }
}

/// `a` then the members of `b` not already in it.
fn merged(a: &[Vec<u8>], b: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = a.to_vec();
    for x in b {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// The certificate of a signer or TSA, when found.
fn signer_certificate(
    facts: Option<&SignerFacts>,
) -> Option<std::sync::Arc<lavoro_agile_cades::cert::CertificateInfo>> {
    match &facts?.certificate {
        CertificateLookup::Found { certificate, .. } => Some(std::sync::Arc::clone(certificate)),
        _ => None,
    }
}

/// A signature or timestamp of the report.
#[derive(Clone, Copy)]
enum Target {
    Signature(usize),
    Timestamp(usize),
}

/// What is needed to say where the revocation data of a report came from.
struct Pending {
    target: Target,
    ctx: TrustContext,
    certificate: std::sync::Arc<lavoro_agile_cades::cert::CertificateInfo>,
    vri: Option<usize>,
    cms_crls: Vec<Vec<u8>>,
    cms_ocsp: Vec<Vec<u8>>,
    gen_time: Option<time::OffsetDateTime>,
}

/// Where revocation data came from, in the order they are named.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    Vri,
    Dss,
    Signature,
    Given,
}

impl Origin {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Self::Vri => (
                "l'archivio di convalida del documento (DSS), voce VRI di questa firma",
                "the document's validation data store (DSS), this signature's VRI entry",
            ),
            Self::Dss => (
                "l'archivio di convalida del documento (DSS)",
                "the document's validation data store (DSS)",
            ),
            Self::Signature => ("la firma stessa", "the signature itself"),
            Self::Given => (
                "il materiale di fiducia indicato",
                "the trust material given",
            ),
        }
    }
}

/// Adds to the `revocation` check of a signature or timestamp where the CRLs and OCSP
/// responses that decided it came from (VRI, DSS, the CMS, the trust material given).
fn note_revocation_origin(report: &mut FileReport, p: &Pending, store: &Store, options: &Options) {
    let (checks, at) = match p.target {
        Target::Signature(i) => match report.signatures.get_mut(i) {
            Some(s) => {
                let at = s.validation_time.time.0;
                (&mut s.checks, at)
            }
            None => return,
        },
        Target::Timestamp(i) => match report.timestamps.get_mut(i) {
            Some(t) => {
                let at = match options.at {
                    crate::ValidationTime::Now => options.now,
                    crate::ValidationTime::Given(t) => t,
                    crate::ValidationTime::SigningTime => p.gen_time.unwrap_or(options.now),
                };
                (&mut t.checks, at)
            }
            None => return,
        },
    };
    let Some(check) = checks.iter_mut().find(|c| {
        c.name == "revocation" && matches!(c.outcome, Outcome::Passed | Outcome::Indeterminate)
    }) else {
        return;
    };
    let path = match p.target {
        Target::Signature(_) => p.ctx.validate(&p.certificate, at),
        Target::Timestamp(_) => p.ctx.validate_timestamp(&p.certificate, at),
    };
    let vri = store
        .dss
        .as_ref()
        .and_then(|d| p.vri.and_then(|i| d.vri.get(i)));
    let cache = options.trust.cache();
    let cms_crls: Vec<_> = p
        .cms_crls
        .iter()
        .filter_map(|c| cache.crl(c).ok())
        .collect();
    let cms_ocsp: Vec<_> = p
        .cms_ocsp
        .iter()
        .filter_map(|r| lavoro_agile_pki::ocsp::OcspResponse::from_der(r).ok())
        .collect();
    let mut found: Vec<Origin> = Vec::new();
    for (index, link) in path.path.iter().enumerate() {
        let Some(issuer) = path.path.get(index + 1).map(|l| &l.certificate) else {
            break;
        };
        let cert = &link.certificate;
        let (this_update, revoked) = match &link.revocation {
            Some(lavoro_agile_pki::path::Revocation::NotRevoked {
                crl_this_update, ..
            }) => (Some(*crl_this_update), None),
            Some(lavoro_agile_pki::path::Revocation::Revoked(e)) => (None, Some(e.revocation_date)),
            _ => continue,
        };
        let crl_speaks = |crl: &lavoro_agile_pki::Crl| {
            crl.issued_by_name(issuer.subject())
                && match (this_update, revoked) {
                    (Some(tu), _) => crl.this_update() == tu,
                    (None, Some(when)) => crl
                        .entry(cert.serial())
                        .is_some_and(|e| e.revocation_date == when),
                    _ => false,
                }
        };
        let ocsp_speaks = |r: &lavoro_agile_pki::ocsp::OcspResponse| {
            r.response_for(cert, issuer)
                .is_some_and(|s| match (this_update, revoked, &s.status) {
                    (Some(tu), _, _) => s.this_update == tu,
                    (None, Some(when), lavoro_agile_pki::ocsp::CertStatus::Revoked(e)) => {
                        e.revocation_date == when
                    }
                    _ => false,
                })
        };
        let in_vri = |i: usize, list: fn(&lavoro_agile_pades::dss::Vri) -> &Vec<usize>| {
            vri.is_some_and(|v| list(v).contains(&i))
        };
        let origin = if let Some((i, _)) = store.ocsp.iter().find(|(_, r)| ocsp_speaks(r)) {
            Some(if in_vri(*i, |v| &v.ocsp_responses) {
                Origin::Vri
            } else {
                Origin::Dss
            })
        } else if let Some((i, _)) = store.crls.iter().find(|(_, c)| crl_speaks(c)) {
            Some(if in_vri(*i, |v| &v.crls) {
                Origin::Vri
            } else {
                Origin::Dss
            })
        } else if cms_ocsp.iter().any(ocsp_speaks) || cms_crls.iter().any(|c| crl_speaks(c)) {
            Some(Origin::Signature)
        } else {
            Some(Origin::Given)
        };
        if let Some(o) = origin {
            if !found.contains(&o) {
                found.push(o);
            }
        }
    }
    if found.is_empty() {
        return;
    }
    found.sort();
    let (it, en): (Vec<&str>, Vec<&str>) = found.iter().map(|o| o.words()).unzip();
    check
        .detail
        .it
        .push_str(&format!(" Dati di revoca presi da: {}.", it.join("; ")));
    check
        .detail
        .en
        .push_str(&format!(" Revocation data taken from: {}.", en.join("; ")));
}
