//! A set of trusted lists given together (a LOTL and national lists): which of them are
//! used and why, the trust anchors they give, and the qualified status of a certificate.
//!
//! Rules:
//! - a list of lists (LOTL) is taken as given, since the user or the release vouches for
//!   it; its own signature must still verify with the certificate it carries, so a copy
//!   changed after signing is refused;
//! - a national list is used only if its signature verifies with a certificate that a
//!   LOTL of the set publishes for its territory, and that certificate was valid at the
//!   list's `ListIssueDateTime`;
//! - a list that fails is not used, and [`ListReport::refused`] says why.

use std::sync::Arc;

use lavoro_agile_pki::{Certificate, SignatureVerifier};
use sha2::Digest;
use time::OffsetDateTime;

use crate::model::{service_type, status, Assert, Criteria, Qualifier, Service, TrustedList};
use crate::qc::{CertificateFacts, QcType};
use crate::{dsig, parse, Error};

/// A sentence in Italian and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

impl Words {
    fn new(it: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            it: it.into(),
            en: en.into(),
        }
    }
}

/// One list given, as the report header shows it.
#[derive(Debug, Clone)]
pub struct ListReport {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// The parsed list, when it could be parsed.
    pub list: Option<Arc<TrustedList>>,
    /// Why the list is not used; `None` when it is.
    pub refused: Option<Words>,
    /// The certificate (DER) whose signature on the list verified; `None` when the
    /// signature did not verify.
    pub signer: Option<Vec<u8>>,
}

impl ListReport {
    /// Whether the list's `NextUpdate` is before `now` (the list may be stale).
    pub fn is_past_next_update(&self, now: OffsetDateTime) -> bool {
        self.list
            .as_ref()
            .and_then(|l| l.next_update)
            .is_some_and(|n| n < now)
    }
}

/// Who issues what, as an anchor for path building.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The certificate.
    pub certificate: Arc<Certificate>,
    /// Territory of the list it comes from.
    pub territory: String,
    /// When the service was in a positive status (granted, accredited, under supervision):
    /// start, and end (`None`: still so), oldest first, merged.
    pub trusted: Vec<(OffsetDateTime, Option<OffsetDateTime>)>,
}

impl Anchor {
    /// Whether the anchor holds at `at`: its service was in a positive status then.
    pub fn is_trusted_at(&self, at: OffsetDateTime) -> bool {
        self.trusted
            .iter()
            .any(|(start, end)| *start <= at && end.is_none_or(|e| at < e))
    }
}

/// The times `service` was in a positive status: each period runs from its start to the
/// next period's start; adjacent positive periods are merged.
fn positive_intervals(service: &Service) -> Vec<(OffsetDateTime, Option<OffsetDateTime>)> {
    let mut periods: Vec<&crate::model::ServicePeriod> = service.periods.iter().collect();
    periods.sort_by_key(|p| p.start);
    let mut out: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let end = periods.get(i + 1).map(|n| n.start);
        if !status::is_positive(&p.status) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 == Some(p.start) => last.1 = end,
            _ => out.push((p.start, end)),
        }
    }
    out
}

/// The outcome of evaluating the trusted lists given.
#[derive(Debug, Clone, Default)]
pub struct TrustedListSet {
    reports: Vec<ListReport>,
    services: Vec<(Arc<TrustedList>, usize, usize)>,
    signature_anchors: Vec<Anchor>,
    timestamp_anchors: Vec<Anchor>,
}

/// The qualified status of a signature or seal, in the spirit of ETSI TS 119 615.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Level {
    /// Qualified electronic signature (QES).
    QualifiedSignature,
    /// Qualified electronic seal.
    QualifiedSeal,
    /// Advanced electronic signature supported by a qualified certificate.
    AdvancedSignatureQc,
    /// Advanced electronic seal supported by a qualified certificate.
    AdvancedSealQc,
    /// The certificate is not qualified for signatures or seals.
    NotQualified,
    /// The trusted lists given do not tell.
    NotDetermined,
}

impl Level {
    /// A stable identifier for the JSON report.
    pub fn code(self) -> &'static str {
        match self {
            Level::QualifiedSignature => "QES",
            Level::QualifiedSeal => "QESeal",
            Level::AdvancedSignatureQc => "AdES_QC",
            Level::AdvancedSealQc => "AdESeal_QC",
            Level::NotQualified => "NOT_QUALIFIED",
            Level::NotDetermined => "NOT_DETERMINED",
        }
    }

    /// In plain words.
    pub fn words(self) -> Words {
        match self {
            Level::QualifiedSignature => Words::new(
                "Firma elettronica qualificata",
                "Qualified electronic signature",
            ),
            Level::QualifiedSeal => Words::new(
                "Sigillo elettronico qualificato",
                "Qualified electronic seal",
            ),
            Level::AdvancedSignatureQc => Words::new(
                "Firma elettronica avanzata basata su un certificato qualificato",
                "Advanced electronic signature supported by a qualified certificate",
            ),
            Level::AdvancedSealQc => Words::new(
                "Sigillo elettronico avanzato basato su un certificato qualificato",
                "Advanced electronic seal supported by a qualified certificate",
            ),
            Level::NotQualified => Words::new(
                "Firma non qualificata (certificato non qualificato)",
                "Not qualified (the certificate is not qualified)",
            ),
            Level::NotDetermined => Words::new("Non determinato", "Not determined"),
        }
    }
}

/// The qualified status of a certificate and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifiedStatus {
    /// The conclusion.
    pub level: Level,
    /// Why, in plain words.
    pub reason: Words,
    /// The trust service that issued the certificate: provider, service name, territory.
    pub service: Option<(String, String, String)>,
}

fn refused(it: &str, en: &str) -> Option<Words> {
    Some(Words::new(it, en))
}

fn signature_refusal(e: &dsig::SignatureError) -> Words {
    use dsig::SignatureError as E;
    match e {
        E::Unsigned => Words::new("l'elenco non è firmato", "the list is not signed"),
        E::DigestMismatch | E::BadSignature => Words::new(
            "la firma dell'elenco non è valida: l'elenco è stato modificato dopo la firma",
            "the list's signature is not valid: the list was changed after it was signed",
        ),
        E::SigningCertificateMismatch => Words::new(
            "la firma dell'elenco non è valida: il certificato di firma non è quello indicato nelle proprietà firmate",
            "the list's signature is not valid: the signing certificate is not the one its signed properties name",
        ),
        other => Words::new(
            format!("la firma dell'elenco non può essere verificata ({other})"),
            format!("the list's signature cannot be verified ({other})"),
        ),
    }
}

impl TrustedListSet {
    /// Evaluates the lists given (in any order) with `verifier` for their signatures.
    pub fn evaluate(inputs: &[&[u8]], verifier: &dyn SignatureVerifier) -> Self {
        struct Parsed {
            sha256: String,
            list: Option<Arc<TrustedList>>,
            signer: Result<Vec<u8>, Words>,
        }
        let mut parsed = Vec::new();
        for bytes in inputs {
            let sha256 = hex(&sha2::Sha256::digest(bytes));
            let outcome = parse::parse_xml(bytes).and_then(|doc| {
                let list = parse::from_document(&doc)?;
                let signer = dsig::verify(&doc, verifier)
                    .map(|v| v.signer)
                    .map_err(|e| signature_refusal(&e));
                Ok::<_, Error>((list, signer))
            });
            match outcome {
                Ok((list, signer)) => parsed.push(Parsed {
                    sha256,
                    list: Some(Arc::new(list)),
                    signer,
                }),
                Err(e) => parsed.push(Parsed {
                    sha256,
                    list: None,
                    signer: Err(Words::new(
                        format!("il file non è un elenco di fiducia leggibile ({e})"),
                        format!("the file is not a readable trusted list ({e})"),
                    )),
                }),
            }
        }
        // Lists of lists with a sound signature vouch for national lists.
        let lotls: Vec<Arc<TrustedList>> = parsed
            .iter()
            .filter(|p| p.signer.is_ok())
            .filter_map(|p| p.list.clone())
            .filter(|l| l.is_list_of_lists())
            .collect();
        let mut set = TrustedListSet::default();
        for p in parsed {
            let refusal = match (&p.list, &p.signer) {
                (_, Err(w)) => Some(w.clone()),
                (None, Ok(_)) => refused("elenco non leggibile", "unreadable list"),
                (Some(l), Ok(_)) if l.is_list_of_lists() => None,
                (Some(l), Ok(signer)) => national_refusal(l, signer, &lotls),
            };
            if refusal.is_none() {
                if let Some(l) = &p.list {
                    set.add_services(l);
                }
            } else if let Some(w) = &refusal {
                tracing::warn!(sha256 = %p.sha256, reason = %w.en, "trusted list not used");
            }
            set.reports.push(ListReport {
                sha256: p.sha256,
                list: p.list,
                refused: refusal,
                signer: p.signer.ok(),
            });
        }
        set
    }

    fn add_services(&mut self, list: &Arc<TrustedList>) {
        let mut undecodable = 0usize;
        for (pi, provider) in list.providers.iter().enumerate() {
            for (si, service) in provider.services.iter().enumerate() {
                self.services.push((Arc::clone(list), pi, si));
                // A service that was never in a positive status gives no trust; one that
                // was, only for the times it was (checked at the validation time).
                let trusted = positive_intervals(service);
                if trusted.is_empty() {
                    continue;
                }
                let Some(cur) = service.current() else {
                    continue;
                };
                let target = match cur.type_identifier.as_str() {
                    service_type::CA_QC | service_type::CA_PKC => &mut self.signature_anchors,
                    service_type::TSA_QTST | service_type::TSA => &mut self.timestamp_anchors,
                    _ => continue,
                };
                let ders = service
                    .periods
                    .iter()
                    .flat_map(|p| p.identity.certificates.iter());
                for der in ders {
                    if target.iter().any(|a| a.certificate.der() == der.as_slice()) {
                        continue;
                    }
                    match Certificate::from_der(der) {
                        Ok(c) => target.push(Anchor {
                            certificate: Arc::new(c),
                            territory: list.territory.clone(),
                            trusted: trusted.clone(),
                        }),
                        // Not strict DER (e.g. a default value encoded): path building
                        // cannot use it, so it gives no anchor.
                        Err(_) => undecodable += 1,
                    }
                }
            }
        }
        if undecodable > 0 {
            tracing::warn!(
                territory = %list.territory,
                count = undecodable,
                "service certificates of a trusted list cannot be decoded and give no anchor"
            );
        }
    }

    /// The lists given, in order, with why any is not used.
    pub fn reports(&self) -> &[ListReport] {
        &self.reports
    }

    /// Trust anchors for signatures: CA/QC and CA/PKC services of the lists used that were
    /// in a positive status (granted, accredited, under supervision) at some time, each
    /// with the times it was ([`Anchor::is_trusted_at`]); whether they were so when a
    /// certificate was issued is part of [`Self::qualified_status`].
    pub fn signature_anchors(&self) -> &[Anchor] {
        &self.signature_anchors
    }

    /// The signature anchors that hold at `at` (the validation time of a path).
    pub fn signature_anchors_at(&self, at: OffsetDateTime) -> impl Iterator<Item = &Anchor> {
        self.signature_anchors
            .iter()
            .filter(move |a| a.is_trusted_at(at))
    }

    /// Trust anchors for timestamps: TSA/QTST and TSA services.
    pub fn timestamp_anchors(&self) -> &[Anchor] {
        &self.timestamp_anchors
    }

    /// The timestamp anchors that hold at `at`.
    pub fn timestamp_anchors_at(&self, at: OffsetDateTime) -> impl Iterator<Item = &Anchor> {
        self.timestamp_anchors
            .iter()
            .filter(move |a| a.is_trusted_at(at))
    }

    /// The qualified status of the certificate `der` (a signer's), from its QC statements
    /// and the status and qualifiers of the CA/QC service that issued it, at its issuance.
    pub fn qualified_status(&self, der: &[u8]) -> QualifiedStatus {
        let undetermined = |it: &str, en: &str| QualifiedStatus {
            level: Level::NotDetermined,
            reason: Words::new(it, en),
            service: None,
        };
        if self.reports.iter().all(|r| r.refused.is_some()) {
            return undetermined(
                "nessun elenco di fiducia utilizzabile",
                "no usable trusted list",
            );
        }
        let (Ok(cert), Some(facts)) = (Certificate::from_der(der), CertificateFacts::from_der(der))
        else {
            return undetermined(
                "il certificato non è leggibile",
                "the certificate cannot be read",
            );
        };
        let Some(issued) = facts.issued else {
            return undetermined(
                "la data di emissione del certificato non è leggibile",
                "the certificate's issuance time cannot be read",
            );
        };
        let issuer = self.services.iter().find_map(|(list, pi, si)| {
            let provider = list.providers.get(*pi)?;
            let service = provider.services.get(*si)?;
            issues(service, &cert).then_some((list, provider, service))
        });
        let Some((list, provider, service)) = issuer else {
            return undetermined(
                "chi ha emesso il certificato non compare negli elenchi di fiducia usati",
                "the certificate's issuer is on none of the trusted lists used",
            );
        };
        let Some(period) = service.at(issued) else {
            return QualifiedStatus {
                level: Level::NotQualified,
                reason: Words::new(
                    "il servizio che ha emesso il certificato non era ancora nell'elenco quando lo ha emesso",
                    "the service that issued the certificate was not yet listed when it issued it",
                ),
                service: None,
            };
        };
        let service_ref = Some((
            provider.name.clone(),
            period.name.clone(),
            list.territory.clone(),
        ));
        let not_qualified = |it: &str, en: &str| QualifiedStatus {
            level: Level::NotQualified,
            reason: Words::new(it, en),
            service: service_ref.clone(),
        };
        if period.type_identifier != service_type::CA_QC {
            return not_qualified(
                "il certificato è emesso da un servizio non qualificato",
                "the certificate is issued by a non-qualified service",
            );
        }
        if !status::is_positive(&period.status) {
            return not_qualified(
                "il servizio che ha emesso il certificato non era qualificato quando lo ha emesso",
                "the service that issued the certificate was not qualified when it issued it",
            );
        }
        let mut qualifiers: Vec<Qualifier> = Vec::new();
        for q in &period.qualifications {
            if criteria_match(&q.criteria, &facts, 0) == Some(true) {
                qualifiers.extend(q.qualifiers.iter().copied());
            }
        }
        let has = |q: Qualifier| qualifiers.contains(&q);
        if has(Qualifier::NotQualified) {
            return not_qualified(
                "l'elenco di fiducia indica che il certificato non è qualificato",
                "the trusted list says the certificate is not qualified",
            );
        }
        if !(facts.qc_compliance || has(Qualifier::QcStatement)) {
            return not_qualified(
                "il certificato non si dichiara qualificato",
                "the certificate does not declare itself qualified",
            );
        }
        let seal = if has(Qualifier::ForESeal) {
            true
        } else if has(Qualifier::ForESig) {
            false
        } else if has(Qualifier::ForWsa) || (facts.qc_types == [QcType::Web]) {
            return not_qualified(
                "il certificato qualificato è per l'autenticazione di siti web, non per firme",
                "the qualified certificate is for website authentication, not for signatures",
            );
        } else {
            // Without QcType a qualified certificate is one for electronic signatures
            // (ETSI EN 319 412-5 clause 4.2.3).
            facts.qc_types.contains(&QcType::ESeal) && !facts.qc_types.contains(&QcType::ESign)
        };
        let qscd = if has(Qualifier::NoSscd) || has(Qualifier::NoQscd) {
            false
        } else if has(Qualifier::WithSscd)
            || has(Qualifier::WithQscd)
            || has(Qualifier::QscdManagedOnBehalf)
        {
            true
        } else {
            facts.qc_sscd
        };
        let level = match (seal, qscd) {
            (false, true) => Level::QualifiedSignature,
            (true, true) => Level::QualifiedSeal,
            (false, false) => Level::AdvancedSignatureQc,
            (true, false) => Level::AdvancedSealQc,
        };
        QualifiedStatus {
            level,
            reason: Words::new(
                format!(
                    "certificato qualificato emesso da un servizio qualificato ({}) dell'elenco {}",
                    period.status.rsplit('/').next().unwrap_or_default(),
                    list.territory
                ),
                format!(
                    "qualified certificate issued by a qualified service ({}) of the {} list",
                    period.status.rsplit('/').next().unwrap_or_default(),
                    list.territory
                ),
            ),
            service: service_ref,
        }
    }
}

/// Whether `service` issued `cert`: one of its certificates is the issuer (name, and key
/// identifier when both are present), or its SKI is the certificate's authority key id.
fn issues(service: &Service, cert: &Certificate) -> bool {
    service.periods.iter().any(|p| {
        p.identity.certificates.iter().any(|der| {
            Certificate::from_der(der).is_ok_and(|c| {
                c.is_issuer_of(cert)
                    && match (c.subject_key_id(), cert.authority_key_id()) {
                        (Some(s), Some(a)) => s == a,
                        _ => true,
                    }
            })
        }) || cert
            .authority_key_id()
            .is_some_and(|a| p.identity.skis.iter().any(|s| s.as_slice() == a))
    })
}

fn criteria_match(c: &Criteria, facts: &CertificateFacts, depth: usize) -> Option<bool> {
    if c.unsupported || depth > parse::MAX_DEPTH {
        return None;
    }
    let mut results: Vec<bool> = Vec::new();
    for ku in &c.key_usage {
        results.push(
            ku.iter()
                .all(|(name, value)| facts.key_usage_bit(name) == Some(*value)),
        );
    }
    for set in &c.policy_sets {
        results.push(set.iter().all(|p| facts.policies.contains(p)));
    }
    for n in &c.nested {
        results.push(criteria_match(n, facts, depth + 1)?);
    }
    Some(match c.assert {
        Assert::All => results.iter().all(|r| *r),
        Assert::AtLeastOne => results.iter().any(|r| *r),
        Assert::None => !results.iter().any(|r| *r),
    })
}

fn national_refusal(
    list: &TrustedList,
    signer: &[u8],
    lotls: &[Arc<TrustedList>],
) -> Option<Words> {
    if lotls.is_empty() {
        return refused(
            "manca l'elenco europeo degli elenchi (LOTL) che indica chi può firmare questo elenco",
            "the EU list of trusted lists (LOTL) that names who may sign this list was not given",
        );
    }
    let published = lotls
        .iter()
        .any(|l| l.signers_for(&list.territory).contains(&signer));
    if !published {
        return Some(Words::new(
            format!(
                "l'elenco è firmato con un certificato che la LOTL non indica per il territorio {}",
                list.territory
            ),
            format!(
                "the list is signed with a certificate the LOTL does not name for territory {}",
                list.territory
            ),
        ));
    }
    match Certificate::from_der(signer) {
        Ok(c) if c.not_before() <= list.issued && list.issued <= c.not_after() => None,
        Ok(_) => refused(
            "il certificato che ha firmato l'elenco non era valido alla data di emissione dell'elenco",
            "the certificate that signed the list was not valid at the list's issue time",
        ),
        Err(_) => refused(
            "il certificato che ha firmato l'elenco non è leggibile",
            "the certificate that signed the list cannot be read",
        ),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
