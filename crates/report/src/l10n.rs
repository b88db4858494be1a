//! Words of the PDF report in Italian and English, and times in the Europe/Rome zone.

use lavoro_agile_verify::provenance::SourceKind;
use lavoro_agile_verify::report::{Format, Indication, Outcome, TimeBasis, UtcTime};
use lavoro_agile_verify::Lang;
use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

/// Picks the text for `lang`.
pub fn t(lang: Lang, it: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// The verdict in words.
pub fn verdict(i: Indication, lang: Lang) -> &'static str {
    match i {
        Indication::TotalPassed => t(lang, "FIRMA VALIDA", "VALID SIGNATURE"),
        Indication::TotalFailed => t(lang, "FIRMA NON VALIDA", "INVALID SIGNATURE"),
        Indication::Indeterminate => t(lang, "ESITO INCERTO", "INCONCLUSIVE"),
    }
}

/// The verdict of a timestamp in words.
pub fn timestamp_verdict(i: Indication, lang: Lang) -> &'static str {
    match i {
        Indication::TotalPassed => t(lang, "valida", "valid"),
        Indication::TotalFailed => t(lang, "non valida", "invalid"),
        Indication::Indeterminate => t(lang, "esito incerto", "inconclusive"),
    }
}

/// A check's outcome in words.
pub fn outcome(o: Outcome, lang: Lang) -> &'static str {
    match o {
        Outcome::Passed => t(lang, "superato", "passed"),
        Outcome::Failed => t(lang, "non superato", "failed"),
        Outcome::Indeterminate => t(lang, "non concluso", "inconclusive"),
        Outcome::Skipped => t(lang, "non eseguito", "not run"),
    }
}

/// What the validation time is based on.
pub fn basis(b: TimeBasis, lang: Lang) -> &'static str {
    match b {
        TimeBasis::Now => t(lang, "momento della verifica", "time of the check"),
        TimeBasis::Given => t(lang, "data indicata dall'utente", "time given by the user"),
        TimeBasis::Claimed => t(
            lang,
            "data di firma dichiarata dal firmatario",
            "signing time claimed by the signer",
        ),
        TimeBasis::Timestamp => t(lang, "marca temporale", "timestamp"),
    }
}

/// The container format in words.
pub fn format(f: Format, lang: Lang) -> &'static str {
    match f {
        Format::CadesAttached => t(
            lang,
            "CAdES (.p7m, documento incluso nella firma)",
            "CAdES (.p7m, document inside the signature)",
        ),
        Format::CadesDetached => t(
            lang,
            "CAdES (.p7s, firma separata dal documento)",
            "CAdES (.p7s, signature apart from the document)",
        ),
        Format::Pades => "PAdES (PDF)",
        Format::Tsd => t(
            lang,
            "TSD (documento con marca temporale)",
            "TSD (time-stamped document)",
        ),
        Format::M7m => t(
            lang,
            "M7M (firma con marca temporale)",
            "M7M (signature with timestamp)",
        ),
        Format::Tst => t(lang, "marca temporale (.tst)", "timestamp token (.tst)"),
    }
}

/// The kind of a trust source in words.
pub fn source_kind(k: SourceKind, lang: Lang) -> &'static str {
    match k {
        SourceKind::Certificate => t(lang, "Certificato di fiducia", "Trusted certificate"),
        SourceKind::Crl => t(lang, "Lista di revoca (CRL)", "Revocation list (CRL)"),
        SourceKind::TrustedList => t(lang, "Elenco di fiducia", "Trusted list"),
        SourceKind::Ocsp => t(
            lang,
            "Risposta OCSP (stato di revoca)",
            "OCSP response (revocation status)",
        ),
    }
}

/// The kind of a timestamp in words.
pub fn timestamp_kind(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "signature" => t(lang, "sulla firma", "over the signature"),
        "content" => t(lang, "sul contenuto", "over the content"),
        "envelope" => t(lang, "sulla busta", "over the envelope"),
        "archive" => t(lang, "di archiviazione", "archive"),
        _ => t(lang, "isolata", "stand-alone"),
    }
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let next = match month {
        Month::December => Date::from_calendar_date(year + 1, Month::January, 1),
        m => Date::from_calendar_date(year, m.next(), 1),
    }
    .ok()?;
    let mut d = next.previous_day()?;
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day()?;
    }
    Some(d)
}

/// The offset of Europe/Rome at `t`: CEST (+2) from 01:00 UTC of the last Sunday of March
/// to 01:00 UTC of the last Sunday of October (EU rule in force since 1996), else CET (+1).
pub fn rome_offset(t: OffsetDateTime) -> UtcOffset {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let start = last_sunday(year, Month::March).and_then(|d| d.with_hms(1, 0, 0).ok());
    let end = last_sunday(year, Month::October).and_then(|d| d.with_hms(1, 0, 0).ok());
    let summer = match (start, end) {
        (Some(s), Some(e)) => {
            let now = OffsetDateTime::new_utc(utc.date(), utc.time());
            now >= s.assume_utc() && now < e.assume_utc()
        }
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// A time as people in Rome read it: `26/11/2026 22:30:00 (ora di Roma, UTC+01:00)`.
pub fn rome_time(t: UtcTime, lang: Lang) -> String {
    let off = rome_offset(t.0);
    let l = t.0.to_offset(off);
    let (h, _, _) = off.as_hms();
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02} ({}, UTC+{:02}:00)",
        l.day(),
        u8::from(l.month()),
        l.year(),
        l.hour(),
        l.minute(),
        l.second(),
        t_(lang, "ora di Roma", "Rome time"),
        h
    )
}

fn t_(lang: Lang, it: &'static str, en: &'static str) -> &'static str {
    t(lang, it, en)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn rome_offset_winter_and_summer_right() {
        assert_eq!(
            rome_offset(datetime!(2026-01-15 12:00 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            rome_offset(datetime!(2026-07-15 12:00 UTC)).whole_hours(),
            2
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            rome_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            rome_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            rome_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            rome_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(),
            1
        );
    }

    #[test]
    fn rome_time_formats_local_time() {
        assert_eq!(
            rome_time(UtcTime(datetime!(2026-07-01 10:00 UTC)), Lang::It),
            "01/07/2026 12:00:00 (ora di Roma, UTC+02:00)"
        );
    }
}
