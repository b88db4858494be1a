//! What a report rests on, for its header: the algorithm policy applied (an identifier and
//! the SHA-256 of its canonical text) and the trust sources used (kind, name, SHA-256,
//! sequence number and dates where the source has them).
//!
//! The policy is the algorithm policy of `lavoro-agile-pki` (ETSI TS 119 312, written as
//! data in `crates/pki/policy/algorithms.toml`): its identifier names the date it was last
//! reviewed, and its SHA-256 is that of the file as shipped, so changing a rule changes the
//! hash in every report.

use serde::Serialize;
use sha2::Digest;
use time::OffsetDateTime;

use crate::report::UtcTime;
use crate::trust::TrustStore;

/// Identifier prefix of the algorithm policy; the review date of the policy file follows.
pub const POLICY_ID_PREFIX: &str = "urn:lavoro-agile:policy:etsi-ts-119-312:";

/// The algorithm policy a report was produced under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// Identifier (a URI).
    pub id: String,
    /// SHA-256 of the policy's canonical text, lower-case hex.
    pub sha256: String,
}

/// The policy applied by this version of the verifier.
pub fn policy() -> PolicyRef {
    let text = lavoro_agile_pki::policy::DEFAULT_POLICY;
    let reviewed = text
        .lines()
        .find_map(|l| l.strip_prefix("reviewed = "))
        .map(|v| v.trim().trim_matches('"'))
        .unwrap_or("unknown");
    PolicyRef {
        id: format!("{POLICY_ID_PREFIX}{reviewed}"),
        sha256: hex::encode(sha2::Sha256::digest(text.as_bytes())),
    }
}

/// The kind of a trust source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A certificate given as trust anchor.
    Certificate,
    /// A certificate revocation list.
    Crl,
    /// An ETSI TS 119 612 trusted list.
    TrustedList,
    /// An OCSP response.
    Ocsp,
}

/// One source of trust material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustSource {
    /// What it is.
    pub kind: SourceKind,
    /// A name: the certificate subject, the trusted list's scheme territory; null when unknown.
    pub name: Option<String>,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// The trusted list's sequence number (TSLSequenceNumber); null otherwise.
    pub sequence_number: Option<u64>,
    /// When it was issued: a trusted list's ListIssueDateTime, a certificate's notBefore.
    pub issued: Option<UtcTime>,
    /// Until when it holds: a trusted list's NextUpdate, a certificate's notAfter.
    pub next_update: Option<UtcTime>,
    /// Remarks: why a trusted list is not used, or that it is past its next update.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<crate::report::Bilingual>,
    /// Where it came from (given for this check, the installed trust pack, shipped with
    /// the application); absent when the caller did not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<crate::trust::TrustOrigin>,
    /// For revocation data fetched online (`--online`): where from and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<OnlineOrigin>,
}

/// Where and when revocation data was fetched online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnlineOrigin {
    /// The URL (a CRL distribution point or an OCSP responder).
    pub url: String,
    /// When it was downloaded.
    pub fetched_at: UtcTime,
    /// Whether this check took it from the local cache of earlier downloads.
    pub from_cache: bool,
}

/// Bytes of a trusted list searched for its header fields (they come first in the file).
const TSL_HEAD_SCAN: usize = 64 * 1024;

/// The text content of the first `<…:name>` or `<name>` element in `xml`, at most 64 bytes.
fn element_text<'a>(xml: &'a str, local_name: &str) -> Option<&'a str> {
    let mut rest = xml;
    loop {
        let open = rest.find('<')?;
        rest = rest.get(open + 1..)?;
        let tag_end = rest.find('>')?;
        let tag = rest.get(..tag_end)?;
        let name = tag.split_whitespace().next().unwrap_or_default();
        let local = name.rsplit(':').next().unwrap_or_default();
        let body = rest.get(tag_end + 1..)?;
        if local == local_name && !tag.ends_with('/') {
            let close = body.find('<')?;
            return body.get(..close).map(str::trim).filter(|s| s.len() <= 64);
        }
        // Go on after this tag, so that every byte is looked at a bounded number of times.
        rest = body;
    }
}

fn parse_xml_time(s: &str) -> Option<UtcTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(UtcTime)
}

fn trusted_list_source(bytes: &[u8]) -> TrustSource {
    let head = bytes.get(..bytes.len().min(TSL_HEAD_SCAN)).unwrap_or(bytes);
    let text = String::from_utf8_lossy(head);
    // NextUpdate wraps its time in <dateTime>.
    let next_update = text
        .find("NextUpdate")
        .and_then(|i| text.get(i..))
        .and_then(|t| element_text(t, "dateTime"))
        .and_then(parse_xml_time);
    TrustSource {
        kind: SourceKind::TrustedList,
        name: element_text(&text, "SchemeTerritory").map(str::to_owned),
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        sequence_number: element_text(&text, "TSLSequenceNumber").and_then(|s| s.parse().ok()),
        issued: element_text(&text, "ListIssueDateTime").and_then(parse_xml_time),
        next_update,
        notes: Vec::new(),
        origin: None,
        online: None,
    }
}

/// A trusted list as evaluated in its set: its name ("operator (territory)"), whether it is
/// used and why not, and whether it is past its next update at `now`.
fn evaluated_list_source(
    report: &lavoro_agile_trustlist::ListReport,
    now: Option<OffsetDateTime>,
) -> TrustSource {
    let mut notes = Vec::new();
    if let Some(r) = &report.refused {
        notes.push(crate::report::Bilingual::new(
            format!("Elenco non usato: {}.", r.it),
            format!("List not used: {}.", r.en),
        ));
    }
    if now.is_some_and(|n| report.is_past_next_update(n)) {
        notes.push(crate::report::Bilingual::new(
            "L'elenco ha superato la data del prossimo aggiornamento: potrebbe non essere più attuale.",
            "The list is past its next-update date: it may be out of date.",
        ));
    }
    let list = report.list.as_deref();
    TrustSource {
        kind: SourceKind::TrustedList,
        name: list.map(|l| {
            if l.operator_name.is_empty() {
                l.territory.clone()
            } else {
                format!("{} ({})", l.operator_name, l.territory)
            }
        }),
        sha256: report.sha256.clone(),
        sequence_number: list.map(|l| l.sequence_number),
        issued: list.map(|l| UtcTime(l.issued)),
        next_update: list.and_then(|l| l.next_update).map(UtcTime),
        notes,
        origin: None,
        online: None,
    }
}

fn x509_time(t: &x509_cert::time::Time) -> Option<UtcTime> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok().map(UtcTime)
}

/// The trust sources in a store, in a stable order: certificates, CRLs, trusted lists, OCSP
/// responses, each in the order they were added.
pub fn trust_sources(store: &TrustStore) -> Vec<TrustSource> {
    trust_sources_at(store, None)
}

/// The same, with a note on each trusted list past its next-update date at `now`.
pub fn trust_sources_at(store: &TrustStore, now: Option<OffsetDateTime>) -> Vec<TrustSource> {
    let mut out = Vec::new();
    for a in store.anchors() {
        let validity = &a.certificate().tbs_certificate.validity;
        out.push(TrustSource {
            kind: SourceKind::Certificate,
            name: Some(a.subject_string()),
            sha256: a.sha256_hex(),
            sequence_number: None,
            issued: x509_time(&validity.not_before),
            next_update: x509_time(&validity.not_after),
            notes: Vec::new(),
            origin: None,
            online: None,
        });
    }
    for c in store.crls() {
        out.push(TrustSource {
            kind: SourceKind::Crl,
            name: None,
            sha256: hex::encode(sha2::Sha256::digest(c)),
            sequence_number: None,
            issued: None,
            next_update: None,
            notes: Vec::new(),
            origin: None,
            online: None,
        });
    }
    match store.trusted_list_set() {
        Some(set) => {
            for r in set.reports() {
                out.push(evaluated_list_source(r, now));
            }
        }
        None => {
            for t in store.trusted_lists() {
                out.push(trusted_list_source(t));
            }
        }
    }
    if let Some(online) = store.online() {
        for f in online.records() {
            out.push(TrustSource {
                kind: match f.kind {
                    crate::online::FetchKind::Crl => SourceKind::Crl,
                    crate::online::FetchKind::Ocsp => SourceKind::Ocsp,
                },
                name: Some(f.url.clone()),
                sha256: f.sha256,
                sequence_number: None,
                issued: None,
                next_update: None,
                notes: Vec::new(),
                origin: None,
                online: Some(OnlineOrigin {
                    url: f.url,
                    fetched_at: UtcTime(f.fetched_at),
                    from_cache: f.from_cache,
                }),
            });
        }
    }
    for r in store.path_ocsp() {
        out.push(TrustSource {
            kind: SourceKind::Ocsp,
            name: None,
            sha256: hex::encode(sha2::Sha256::digest(r.der())),
            sequence_number: None,
            issued: Some(UtcTime(r.produced_at())),
            next_update: None,
            notes: Vec::new(),
            origin: None,
            online: None,
        });
    }
    for src in &mut out {
        src.origin = store.origin(&src.sha256).cloned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_shipped_policy_file_and_its_hash() {
        let p = policy();
        let reviewed = p.id.strip_prefix(POLICY_ID_PREFIX).unwrap();
        assert!(
            lavoro_agile_pki::policy::DEFAULT_POLICY
                .contains(&format!("reviewed = \"{reviewed}\"")),
            "{}",
            p.id
        );
        assert_eq!(
            p.sha256,
            hex::encode(sha2::Sha256::digest(
                lavoro_agile_pki::policy::DEFAULT_POLICY.as_bytes()
            ))
        );
    }

    #[test]
    fn trusted_list_header_fields_are_read() {
        let xml = br#"<?xml version="1.0"?><tsl:TrustServiceStatusList xmlns:tsl="x"><tsl:SchemeInformation>
<tsl:TSLSequenceNumber>42</tsl:TSLSequenceNumber><tsl:SchemeTerritory>IT</tsl:SchemeTerritory>
<tsl:ListIssueDateTime>2025-06-01T00:00:00Z</tsl:ListIssueDateTime>
<tsl:NextUpdate><tsl:dateTime>2025-12-01T00:00:00Z</tsl:dateTime></tsl:NextUpdate>"#;
        let s = trusted_list_source(xml);
        assert_eq!(s.sequence_number, Some(42));
        assert_eq!(s.name.as_deref(), Some("IT"));
        assert_eq!(
            s.issued.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-06-01T00:00:00Z")
        );
        assert_eq!(
            s.next_update.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-12-01T00:00:00Z")
        );
    }

    #[test]
    fn trusted_list_many_open_brackets_ends_fast() {
        let mut xml = b"<TrustServiceStatusList>".to_vec();
        xml.extend(std::iter::repeat_n(b'<', 60_000));
        xml.push(b'>');
        let s = trusted_list_source(&xml);
        assert_eq!(s.sequence_number, None);
    }

    #[test]
    fn trusted_lists_are_named_with_notes_when_refused_or_stale() {
        use time::macros::datetime;
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../trustlist/tests/fixtures");
        let mut store = TrustStore::new();
        for f in ["mini-tsl-it-wrong-signer.xml", "mini-lotl.xml"] {
            store
                .add_bytes(&std::fs::read(dir.join(f)).unwrap())
                .unwrap();
        }
        let s = trust_sources_at(&store, Some(datetime!(2023-03-01 00:00 UTC)));
        assert_eq!(s[0].name.as_deref(), Some("Mini IT operator (IT)"));
        assert_eq!(s[0].sequence_number, Some(5));
        assert!(
            s[0].notes[0].it.starts_with("Elenco non usato"),
            "{:?}",
            s[0].notes
        );
        assert!(s[1].notes.is_empty(), "{:?}", s[1].notes);
        let later = trust_sources_at(&store, Some(datetime!(2024-01-01 00:00 UTC)));
        assert!(later[1].notes[0].en.contains("next-update"));
    }

    #[test]
    fn trusted_list_without_fields_gives_nulls() {
        let s = trusted_list_source(b"<TrustServiceStatusList><a>");
        assert_eq!((s.sequence_number, s.issued, s.name), (None, None, None));
    }
}
