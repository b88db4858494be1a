//! Rendering the report for people (plain text, Italian or English) and for programs (JSON).

use std::fmt::Write as _;

use crate::report::{ErrorCode, FileReport, Format, Indication, Lang, Outcome, Report};

/// The report as one JSON document.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn indication_text(i: Indication, lang: Lang) -> &'static str {
    match (i, lang) {
        (Indication::TotalPassed, Lang::It) => "FIRMA VALIDA",
        (Indication::TotalPassed, Lang::En) => "VALID SIGNATURE",
        (Indication::TotalFailed, Lang::It) => "FIRMA NON VALIDA",
        (Indication::TotalFailed, Lang::En) => "INVALID SIGNATURE",
        (Indication::Indeterminate, Lang::It) => "ESITO INCERTO",
        (Indication::Indeterminate, Lang::En) => "INCONCLUSIVE",
    }
}

fn error_text(code: ErrorCode, lang: Lang) -> &'static str {
    match (code, lang) {
        (ErrorCode::Unreadable, Lang::It) => "il file non si può leggere",
        (ErrorCode::Unreadable, Lang::En) => "the file cannot be read",
        (ErrorCode::Empty, Lang::It) => "il file è vuoto",
        (ErrorCode::Empty, Lang::En) => "the file is empty",
        (ErrorCode::NotASignature, Lang::It) => "il file non contiene firme digitali",
        (ErrorCode::NotASignature, Lang::En) => "the file holds no digital signature",
        (ErrorCode::UnsupportedFormat, Lang::It) => "formato di firma non supportato",
        (ErrorCode::UnsupportedFormat, Lang::En) => "unsupported signature format",
        (ErrorCode::LimitExceeded, Lang::It) => {
            "il file supera i limiti di dimensione o complessità"
        }
        (ErrorCode::LimitExceeded, Lang::En) => "the file exceeds the size or complexity limits",
        (ErrorCode::Damaged, Lang::It) => "il file è danneggiato e non si può verificare",
        (ErrorCode::Damaged, Lang::En) => "the file is damaged and cannot be checked",
    }
}

fn format_text(f: Format) -> &'static str {
    match f {
        Format::CadesAttached => "CAdES (attached)",
        Format::CadesDetached => "CAdES (detached)",
        Format::Pades => "PAdES",
        Format::Tsd => "TSD",
        Format::M7m => "M7M",
        Format::Tst => "TST",
    }
}

fn outcome_mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "[ok]",
        Outcome::Failed => "[KO]",
        Outcome::Indeterminate => "[??]",
        Outcome::Skipped => "[--]",
    }
}

fn file_text(out: &mut String, f: &FileReport, lang: Lang) {
    let (l_file, l_signer, l_time, l_checks, l_warn, l_none) = match lang {
        Lang::It => (
            "File",
            "Firmatario",
            "Data di firma dichiarata",
            "Controlli",
            "Avvertenze",
            "sconosciuto",
        ),
        Lang::En => (
            "File",
            "Signer",
            "Claimed signing time",
            "Checks",
            "Warnings",
            "unknown",
        ),
    };
    let _ = writeln!(out, "{l_file}: {}", f.path);
    if let Some(h) = &f.sha256 {
        let _ = writeln!(out, "  SHA-256: {h}");
    }
    if let Some(fmt) = f.format {
        let _ = writeln!(
            out,
            "  {}: {}",
            if lang == Lang::It {
                "Formato"
            } else {
                "Format"
            },
            format_text(fmt)
        );
    }
    if let Some(e) = &f.error {
        let _ = writeln!(
            out,
            "  {}: {}",
            if lang == Lang::It { "Errore" } else { "Error" },
            error_text(e.code, lang)
        );
        return;
    }
    for s in &f.signatures {
        let _ = writeln!(out);
        let mut title = format!("  [{}] {}", s.id, indication_text(s.indication, lang));
        if let Some(sub) = s.subindication {
            let _ = write!(title, " ({} / {})", s.indication.as_str(), sub.as_str());
        } else {
            let _ = write!(title, " ({})", s.indication.as_str());
        }
        if let Some(p) = &s.counter_signature_of {
            let _ = write!(
                title,
                " — {} {p}",
                if lang == Lang::It {
                    "controfirma di"
                } else {
                    "countersignature of"
                }
            );
        }
        let _ = writeln!(out, "{title}");
        // Missing revocation data does not change the verdict, so it must not be missed.
        if s.warnings
            .iter()
            .any(|w| w.code == "revocation_not_checked")
        {
            let _ = writeln!(
                out,
                "    !! {}",
                if lang == Lang::It {
                    "REVOCA NON VERIFICATA: lo stato di revoca dei certificati non è stato controllato"
                } else {
                    "REVOCATION NOT CHECKED: the revocation status of the certificates was not checked"
                }
            );
        }
        let name = s
            .signer
            .as_ref()
            .and_then(|x| x.common_name.clone())
            .unwrap_or_else(|| l_none.to_owned());
        let _ = writeln!(out, "    {l_signer}: {name}");
        if let Some(cf) = s.signer.as_ref().and_then(|x| x.codice_fiscale.as_ref()) {
            let _ = writeln!(
                out,
                "    {}: {cf}",
                if lang == Lang::It {
                    "Codice fiscale"
                } else {
                    "Tax code"
                }
            );
        }
        if let Some(iss) = s.signer.as_ref().and_then(|x| x.issuer.as_ref()) {
            let _ = writeln!(
                out,
                "    {}: {iss}",
                if lang == Lang::It {
                    "Emesso da"
                } else {
                    "Issued by"
                }
            );
        }
        if let Some(t) = &s.signing_time {
            let _ = writeln!(out, "    {l_time}: {}", t.to_rfc3339());
        }
        if let Some(q) = &s.qualification {
            let _ = writeln!(
                out,
                "    {}: {} ({})",
                if lang == Lang::It {
                    "Qualificazione"
                } else {
                    "Qualification"
                },
                q.label.get(lang),
                q.reason.get(lang)
            );
        }
        let _ = writeln!(
            out,
            "    {}: {}",
            if lang == Lang::It {
                "Verificata al"
            } else {
                "Checked at"
            },
            s.validation_time.time.to_rfc3339()
        );
        let _ = writeln!(out, "    {l_checks}:");
        for c in &s.checks {
            let _ = writeln!(
                out,
                "      {} {}",
                outcome_mark(c.outcome),
                c.detail.get(lang)
            );
        }
        if let Some(p) = &s.pdf {
            pdf_text(out, p, lang);
        }
        if !s.warnings.is_empty() {
            let _ = writeln!(out, "    {l_warn}:");
            for w in &s.warnings {
                let _ = writeln!(out, "      ! {}", w.message.get(lang));
            }
        }
        let _ = writeln!(out, "    {}", s.explanation.get(lang));
    }
    for t in &f.timestamps {
        let _ = writeln!(out);
        let when = t
            .gen_time
            .map(|g| g.to_rfc3339())
            .unwrap_or_else(|| "?".to_owned());
        let label = if lang == Lang::It {
            "Marca temporale"
        } else {
            "Timestamp"
        };
        let sub = t
            .subindication
            .map(|s| format!(" / {}", s.as_str()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  [{}] {label} ({}) {when}: {}{sub}",
            t.id,
            t.kind,
            t.indication.as_str()
        );
        if !t.covers.is_empty() {
            let _ = writeln!(
                out,
                "    {}: {}",
                if lang == Lang::It { "Copre" } else { "Covers" },
                t.covers.join(", ")
            );
        }
        if let Some(p) = &t.pdf {
            pdf_text(out, p, lang);
        }
    }
}

fn pdf_text(out: &mut String, p: &crate::report::PdfSignature, lang: Lang) {
    let _ = writeln!(
        out,
        "    {}:",
        if lang == Lang::It {
            "Documento PDF"
        } else {
            "PDF document"
        }
    );
    for c in &p.changes {
        let mark = match c.severity {
            "failure" => "[KO]",
            "warning" => "[!!]",
            _ => "[ok]",
        };
        let _ = writeln!(out, "      {mark} {}", c.message.get(lang));
    }
}

/// The report as plain text in `lang`.
pub fn text(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    for (i, f) in report.files.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        file_text(&mut out, f, lang);
    }
    out
}
