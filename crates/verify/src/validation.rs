//! Trust facts of a signature, through `lavoro-agile-pki`: the certificate path to a trust
//! anchor at the validation time, the revocation status of its certificates from CRLs
//! (embedded in the signature or given with `--trust`), and the algorithm policy
//! (ETSI TS 119 312) at the best proof of existence, which without timestamps is the
//! validation time.
//!
//! These facts replace the `certificate_chain` check that `assess::checks_for` makes (which
//! only knows whether the signer is itself an anchor) and add the `revocation` and
//! `algorithms` checks.

use std::sync::{Arc, OnceLock};

use lavoro_agile_cades::ber::Tlv;
use lavoro_agile_cades::cert::CertificateInfo;
use lavoro_agile_cades::cms::AlgorithmIdentifier;
use lavoro_agile_cades::crypto::{verify_signature, DigestAlgorithm, PublicKey, SignatureOutcome};
use lavoro_agile_pki::cache::Cache;
use lavoro_agile_pki::ocsp::{CertStatus, OcspResponse, Responder};
use lavoro_agile_pki::path::{self, Budget, Constraint, Failure, PathResult, Revocation, Unknown};
use lavoro_agile_pki::policy::{AlgorithmPolicy, Judgement, Situation};
use lavoro_agile_pki::{Certificate, Crl, PublicKeyRef, SignatureVerifier, Verification};
use time::OffsetDateTime;

use crate::assess::check;
use crate::report::{Bilingual, Check, Outcome, SubIndication, Warning};
use crate::trust::TrustStore;

/// What to do when the revocation status of a certificate cannot be established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RevocationPolicy {
    /// Use revocation data when available; without it the verdict is unaffected and the
    /// report carries the warning `revocation_not_checked`.
    #[default]
    IfAvailable,
    /// Without revocation data for every certificate of the path, INDETERMINATE/TRY_LATER.
    Required,
}

/// The algorithm policy shipped with the application.
///
/// The file is compiled in and checked by the tests: failing to read it is a build defect,
/// reported as "policy unavailable" (every algorithm refused) rather than a panic.
fn policy() -> Option<&'static AlgorithmPolicy> {
    static POLICY: OnceLock<Option<AlgorithmPolicy>> = OnceLock::new();
    POLICY
        .get_or_init(|| AlgorithmPolicy::etsi_default().ok())
        .as_ref()
}

/// Signature checks on certificates, CRLs and trusted lists with the `cades` cryptography.
pub(crate) struct CadesCrypto;

impl SignatureVerifier for CadesCrypto {
    fn verify(
        &self,
        key: &PublicKeyRef<'_>,
        algorithm: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Verification {
        let Ok(tlv) = Tlv::parse_exact(algorithm) else {
            return Verification::Unsupported("malformed algorithm identifier".to_owned());
        };
        let Ok(alg) = AlgorithmIdentifier::decode(&tlv) else {
            return Verification::Unsupported("malformed algorithm identifier".to_owned());
        };
        let pk = PublicKey {
            algorithm: key.algorithm.to_owned(),
            curve: key.curve.map(str::to_owned),
            key: key.key,
        };
        match verify_signature(&pk, &alg, None, message, signature) {
            SignatureOutcome::Valid => Verification::Valid,
            SignatureOutcome::Invalid(_) => Verification::Invalid,
            SignatureOutcome::Unsupported(what) => Verification::Unsupported(what),
        }
    }
}

/// Certificates and CRLs available to validate the signatures of one file.
#[derive(Debug, Clone, Default)]
pub struct TrustContext {
    anchors: Vec<Arc<Certificate>>,
    /// The trusted lists used: their CA services are anchors for signatures, their TSA
    /// services for timestamps, each only at the times the service was in a positive
    /// status.
    lists: Option<Arc<lavoro_agile_trustlist::TrustedListSet>>,
    intermediates: Vec<Arc<Certificate>>,
    crls: Vec<Arc<Crl>>,
    /// The batch's decoded certificates, CRLs and certificate/CRL signature checks.
    cache: Arc<Cache>,
    ocsp: Vec<Arc<OcspResponse>>,
    /// Online revocation checking (`--online`), when on.
    online: Option<Arc<crate::online::Online>>,
}

fn decode_crl(cache: &Cache, raw: &[u8]) -> Option<Arc<Crl>> {
    cache.crl(raw).ok().or_else(|| {
        // Embedded CRLs may be BER (indefinite lengths) like the rest of the envelope.
        let der = Tlv::parse_exact(raw).ok()?.to_der().ok()?;
        cache.crl(&der).ok()
    })
}

impl TrustContext {
    /// The trust store plus what the document carries.
    pub fn new(trust: &TrustStore, embedded: &[Arc<CertificateInfo>], crls: &[Vec<u8>]) -> Self {
        let cache = Arc::clone(trust.cache());
        let mut intermediates: Vec<Arc<Certificate>> = Vec::new();
        for c in embedded {
            if intermediates.iter().any(|i| i.der() == c.der()) {
                continue;
            }
            if let Ok(p) = cache.certificate(c.der()) {
                intermediates.push(p);
            }
        }
        let mut all_crls: Vec<Arc<Crl>> = trust.path_crls().to_vec();
        for raw in crls {
            match decode_crl(&cache, raw) {
                Some(c) => all_crls.push(c),
                None => tracing::warn!("embedded CRL not decodable, not used for revocation"),
            }
        }
        Self {
            anchors: trust.path_anchors().to_vec(),
            lists: trust.trusted_list_set(),
            intermediates,
            crls: all_crls,
            cache,
            ocsp: trust.path_ocsp().to_vec(),
            online: trust.online().cloned(),
        }
    }

    /// Adds OCSP responses carried by the document (CAdES revocation values, PDF DSS).
    pub fn with_ocsp(mut self, responses: &[Vec<u8>]) -> Self {
        for raw in responses {
            match OcspResponse::from_der(raw) {
                Ok(r) => self.ocsp.push(Arc::new(r)),
                Err(_) => tracing::warn!("embedded OCSP response not decodable, not used"),
            }
        }
        self
    }

    /// Completes the revocation status of the links CRLs left unknown with OCSP responses
    /// that name the certificate, come from an authorised responder (the issuer, or a
    /// delegated responder with id-kp-OCSPSigning issued by it) and speak for `at`: its
    /// thisUpdate–nextUpdate window holds it, or a later response while the certificate
    /// was still valid (revocation is final: a later "good" covers earlier times).
    fn apply_ocsp(&self, result: &mut PathResult, at: OffsetDateTime) {
        if self.ocsp.is_empty() {
            return;
        }
        let n = result.path.len();
        for index in 0..n {
            let Some(issuer) = result
                .path
                .get(index + 1)
                .map(|l| Arc::clone(&l.certificate))
            else {
                break;
            };
            let Some(link) = result.path.get_mut(index) else {
                break;
            };
            if link.anchor || matches!(link.revocation, Some(Revocation::Revoked(_))) {
                continue;
            }
            let cert = Arc::clone(&link.certificate);
            let mut best: Option<Revocation> = None;
            let mut problem: Option<String> = None;
            for response in &self.ocsp {
                let Some(single) = response.response_for(&cert, &issuer) else {
                    continue;
                };
                match response.authorise(&issuer, single.this_update, &CadesCrypto) {
                    Err(why) => {
                        problem.get_or_insert(why);
                        continue;
                    }
                    // A delegated responder without id-pkix-ocsp-nocheck has a status of
                    // its own (RFC 6960 4.2.2.2.1): checked with the material in hand.
                    Ok(Responder::Delegated { no_check: false }) => {
                        if let Some(why) = self.responder_revoked(response, &issuer) {
                            problem.get_or_insert(why);
                            continue;
                        }
                    }
                    Ok(_) => {}
                }
                let window = single.this_update <= at && single.next_update.is_none_or(|n| at <= n);
                let later = at < single.this_update && single.this_update <= cert.not_after();
                let status = match &single.status {
                    CertStatus::Revoked(e) if e.revocation_date <= at => {
                        Revocation::Revoked(e.clone())
                    }
                    CertStatus::Revoked(e) if window || later => Revocation::NotRevoked {
                        crl_this_update: single.this_update,
                        revoked_later: Some(e.revocation_date),
                    },
                    CertStatus::Good if window || later => Revocation::NotRevoked {
                        crl_this_update: single.this_update,
                        revoked_later: None,
                    },
                    CertStatus::Unknown => {
                        problem.get_or_insert_with(|| {
                            "the OCSP responder does not know the certificate".to_owned()
                        });
                        continue;
                    }
                    _ => {
                        problem.get_or_insert_with(|| {
                            "no OCSP response speaks for the validation time".to_owned()
                        });
                        continue;
                    }
                };
                let better = match (&best, &status) {
                    (None, _) | (_, Revocation::Revoked(_)) => true,
                    (
                        Some(Revocation::NotRevoked {
                            crl_this_update: a, ..
                        }),
                        Revocation::NotRevoked {
                            crl_this_update: b, ..
                        },
                    ) => b > a,
                    _ => false,
                };
                if better {
                    best = Some(status);
                }
            }
            match best {
                Some(Revocation::Revoked(e)) => {
                    link.revocation = Some(Revocation::Revoked(e.clone()));
                    let current = result.failure.take();
                    result.failure = Some(match current {
                        Some(f @ Failure::Revoked(_)) => f,
                        Some(f @ Failure::CaRevoked { .. }) if index > 0 => f,
                        _ if index == 0 => Failure::Revoked(e),
                        _ => Failure::CaRevoked { index, entry: e },
                    });
                }
                Some(status) => {
                    if !matches!(link.revocation, Some(Revocation::NotRevoked { .. })) {
                        link.revocation = Some(status);
                    }
                }
                None => {
                    if let (Some(why), None | Some(Revocation::Unknown(_))) =
                        (problem, &link.revocation)
                    {
                        link.revocation = Some(Revocation::Unknown(Unknown::Unusable(why)));
                    }
                }
            }
        }
    }

    /// Whether the delegated responder that signed `response` (a certificate of `issuer`)
    /// was revoked when the response was produced, by the CRLs of `issuer` in hand or an
    /// OCSP response `issuer` signed itself (no further delegation is followed). `None`
    /// when nothing says so, including when there is no material about it.
    fn responder_revoked(
        &self,
        response: &OcspResponse,
        issuer: &Arc<Certificate>,
    ) -> Option<String> {
        let delegate = Arc::new(response.signer_certificate()?.clone());
        let produced = response.produced_at();
        let anchors = [Arc::clone(issuer)];
        let ctx = path::Context {
            anchors: &anchors,
            intermediates: &[],
            crls: &self.crls,
            verifier: &self.cache.verifier(&CadesCrypto),
            budget: Budget::default(),
        };
        let by_crl = path::validate(&delegate, produced, &ctx)
            .path
            .first()
            .and_then(|l| match &l.revocation {
                Some(Revocation::Revoked(e)) => Some(e.revocation_date),
                _ => None,
            });
        let by_ocsp = || {
            self.ocsp.iter().find_map(|r| {
                let single = r.response_for(&delegate, issuer)?;
                let CertStatus::Revoked(e) = &single.status else {
                    return None;
                };
                (e.revocation_date <= produced
                    && r.authorise(issuer, single.this_update, &CadesCrypto)
                        == Ok(Responder::Issuer))
                .then_some(e.revocation_date)
            })
        };
        let when = by_crl.or_else(by_ocsp)?;
        Some(format!(
            "the OCSP responder's certificate was revoked on {}",
            day(when)
        ))
    }

    /// Validates the path of `certificate` at `at`.
    pub fn validate(&self, certificate: &CertificateInfo, at: OffsetDateTime) -> PathResult {
        match &self.lists {
            None => self.validate_with(certificate, at, &self.anchors),
            Some(set) => {
                let mut anchors = self.anchors.clone();
                anchors.extend(
                    set.signature_anchors_at(at)
                        .map(|a| Arc::clone(&a.certificate)),
                );
                self.validate_with(certificate, at, &anchors)
            }
        }
    }

    /// Validates the path of a timestamp's TSA `certificate` at `at`: the anchors for
    /// signatures plus the TSA services of the trusted lists.
    pub fn validate_timestamp(
        &self,
        certificate: &CertificateInfo,
        at: OffsetDateTime,
    ) -> PathResult {
        let Some(set) = &self.lists else {
            return self.validate(certificate, at);
        };
        let mut anchors = self.anchors.clone();
        anchors.extend(
            set.signature_anchors_at(at)
                .chain(set.timestamp_anchors_at(at))
                .map(|a| Arc::clone(&a.certificate)),
        );
        self.validate_with(certificate, at, &anchors)
    }

    fn validate_with(
        &self,
        certificate: &CertificateInfo,
        at: OffsetDateTime,
        anchors: &[Arc<Certificate>],
    ) -> PathResult {
        let target = match self.cache.certificate(certificate.der()) {
            Ok(c) => c,
            Err(_) => {
                return PathResult {
                    path: Vec::new(),
                    failure: Some(Failure::BadSignature {
                        subject: certificate.subject_string(),
                        detail: "the certificate cannot be decoded".to_owned(),
                    }),
                }
            }
        };
        let mut result = self.validate_offline(&target, at, anchors);
        // --online: what is still unknown is fetched, then judged like embedded material.
        if let Some(online) = &self.online {
            if let Some(extra) = crate::online::fetch_for(online, &result, &self.cache) {
                if !extra.crls.is_empty() || !extra.ocsp.is_empty() {
                    let mut more = self.clone();
                    more.crls.extend(extra.crls);
                    more.ocsp.extend(extra.ocsp);
                    result = more.validate_offline(&target, at, anchors);
                }
                crate::online::note_failures(&mut result, &extra.failures);
            }
        }
        result
    }

    /// Path validation with the material in hand (CRLs, then OCSP responses).
    fn validate_offline(
        &self,
        target: &Arc<Certificate>,
        at: OffsetDateTime,
        anchors: &[Arc<Certificate>],
    ) -> PathResult {
        // A signer's certificate found among the anchors is also a candidate issuer of
        // nothing; the document's own certificates are the intermediates.
        let ctx = path::Context {
            anchors,
            intermediates: &self.intermediates,
            crls: &self.crls,
            verifier: &self.cache.verifier(&CadesCrypto),
            budget: Budget::default(),
        };
        let mut result = path::validate(target, at, &ctx);
        self.apply_ocsp(&mut result, at);
        result
    }
}

fn day(t: OffsetDateTime) -> String {
    let d = t.to_offset(time::UtcOffset::UTC).date();
    format!("{d}")
}

fn path_text(p: &PathResult) -> String {
    p.path
        .iter()
        .map(|l| l.certificate.label())
        .collect::<Vec<_>>()
        .join(" → ")
}

fn position(index: usize) -> (&'static str, &'static str) {
    if index == 0 {
        ("del firmatario", "the signer's")
    } else {
        ("di un'autorità intermedia", "an intermediate authority's")
    }
}

/// The `certificate_chain` check from a path result.
pub fn chain_check(p: &PathResult) -> Check {
    let chain = path_text(p);
    let label = |index: usize| {
        p.path
            .get(index)
            .map(|l| l.certificate.label())
            .unwrap_or_default()
    };
    match &p.failure {
        None | Some(Failure::Revoked(_)) | Some(Failure::CaRevoked { .. }) => {
            if p.path.len() == 1 {
                check(
                    "certificate_chain",
                    Outcome::Passed,
                    None,
                    "Il certificato del firmatario è tra i certificati considerati attendibili.",
                    "The signer's certificate is one of the trusted certificates.",
                )
            } else {
                check(
                    "certificate_chain",
                    Outcome::Passed,
                    None,
                    format!("Il certificato del firmatario è collegato a un certificato attendibile: {chain}."),
                    format!("The signer's certificate is linked to a trusted certificate: {chain}."),
                )
            }
        }
        Some(Failure::NoChain) => check(
            "certificate_chain",
            Outcome::Indeterminate,
            Some(SubIndication::NoCertificateChainFound),
            "Il certificato del firmatario non è collegato a un certificato attendibile.",
            "The signer's certificate is not linked to a trusted certificate.",
        ),
        Some(Failure::BadSignature { subject, detail }) => check(
            "certificate_chain",
            Outcome::Indeterminate,
            Some(SubIndication::CertificateChainGeneralFailure),
            format!("La catena dei certificati non è verificabile: la firma dell'emittente sul certificato «{subject}» non è valida o usa un algoritmo non supportato."),
            format!("The certificate chain cannot be verified: the issuer's signature on the certificate \"{subject}\" is not valid ({detail})."),
        ),
        Some(Failure::Budget(what)) => check(
            "certificate_chain",
            Outcome::Indeterminate,
            Some(SubIndication::CertificateChainGeneralFailure),
            "La ricerca della catena dei certificati ha superato i limiti di lavoro previsti.",
            format!("The certificate chain search exceeded its work limits ({what})."),
        ),
        Some(Failure::UnknownCriticalExtension { index, oid }) => check(
            "certificate_chain",
            Outcome::Indeterminate,
            Some(SubIndication::CertificateChainGeneralFailure),
            format!("Il certificato «{}» contiene un'estensione critica sconosciuta ({oid}).", label(*index)),
            format!("The certificate \"{}\" carries an unknown critical extension ({oid}).", label(*index)),
        ),
        Some(Failure::NotYetValid) => check(
            "certificate_chain",
            Outcome::Failed,
            Some(SubIndication::NotYetValid),
            format!("Alla data di verifica il certificato del firmatario non era ancora valido (valido dal {}).", p.path.first().map(|l| day(l.certificate.not_before())).unwrap_or_default()),
            format!("At the validation time the signer's certificate was not yet valid (valid from {}).", p.path.first().map(|l| day(l.certificate.not_before())).unwrap_or_default()),
        ),
        Some(Failure::OutOfBounds { index, not_revoked }) => {
            let (who_it, who_en) = position(*index);
            let (from, to) = p
                .path
                .get(*index)
                .map(|l| (day(l.certificate.not_before()), day(l.certificate.not_after())))
                .unwrap_or_default();
            let (sub, extra_it, extra_en) = if *not_revoked {
                (
                    SubIndication::OutOfBoundsNotRevoked,
                    " Non risulta revocato prima della scadenza.",
                    " It was not revoked before it expired.",
                )
            } else {
                (SubIndication::OutOfBoundsNoPoe, "", "")
            };
            check(
                "certificate_chain",
                Outcome::Indeterminate,
                Some(sub),
                format!("Alla data di verifica il certificato {who_it} («{}») è fuori dal periodo di validità ({from} – {to}) e non c'è una prova che la firma esistesse prima.{extra_it}", label(*index)),
                format!("At the validation time {who_en} certificate (\"{}\") is outside its validity period ({from} – {to}) and there is no proof that the signature existed before.{extra_en}", label(*index)),
            )
        }
        Some(Failure::Constraint { index, rule }) => {
            let (it, en) = match rule {
                Constraint::NotCa => (
                    "non è un certificato di autorità di certificazione ma ne emette altri",
                    "is not a certification authority certificate but issues others",
                ),
                Constraint::NoCertSign => (
                    "non è autorizzato a firmare certificati (key usage)",
                    "may not sign certificates (key usage)",
                ),
                Constraint::PathLength => (
                    "ammette meno autorità intermedie di quelle presenti (path length)",
                    "allows fewer intermediate authorities than present (path length)",
                ),
                Constraint::TargetKeyUsage => (
                    "non è destinato alla firma (key usage senza nonRepudiation né digitalSignature)",
                    "is not meant for signing (key usage without nonRepudiation or digitalSignature)",
                ),
            };
            check(
                "certificate_chain",
                Outcome::Indeterminate,
                Some(SubIndication::ChainConstraintsFailure),
                format!("Il certificato «{}» {it}.", label(*index)),
                format!("The certificate \"{}\" {en}.", label(*index)),
            )
        }
    }
}

/// The `revocation` check (and its warnings) from a path result.
pub fn revocation_check(p: &PathResult, policy: RevocationPolicy) -> (Check, Vec<Warning>) {
    let mut warnings = Vec::new();
    if p.path.is_empty() {
        return (
            check(
                "revocation",
                Outcome::Skipped,
                None,
                "Senza una catena di certificati lo stato di revoca non è verificabile.",
                "Without a certificate chain the revocation status cannot be checked.",
            ),
            warnings,
        );
    }
    if p.path.len() == 1 {
        return (
            check(
                "revocation",
                Outcome::Skipped,
                None,
                "Il certificato del firmatario è esso stesso attendibile: la revoca non si verifica.",
                "The signer's certificate is itself trusted: revocation is not checked.",
            ),
            warnings,
        );
    }
    let label = |i: usize| {
        p.path
            .get(i)
            .map(|l| l.certificate.label())
            .unwrap_or_default()
    };
    for (index, link) in p.path.iter().enumerate() {
        if let Some(Revocation::Revoked(e)) = &link.revocation {
            let (sub, who_it, who_en) = if index == 0 {
                (
                    SubIndication::RevokedNoPoe,
                    "del firmatario",
                    "the signer's",
                )
            } else {
                (
                    SubIndication::RevokedCaNoPoe,
                    "di un'autorità intermedia",
                    "an intermediate authority's",
                )
            };
            return (
                check(
                    "revocation",
                    Outcome::Indeterminate,
                    Some(sub),
                    format!("Il certificato {who_it} («{}») è stato revocato il {} e non c'è una prova che la firma esistesse prima.", label(index), day(e.revocation_date)),
                    format!("{} certificate (\"{}\") was revoked on {} and there is no proof that the signature existed before.", capitalise(who_en), label(index), day(e.revocation_date)),
                ),
                warnings,
            );
        }
        if let Some(Revocation::NotRevoked {
            revoked_later: Some(when),
            ..
        }) = &link.revocation
        {
            warnings.push(Warning {
                code: "revoked_after_validation_time",
                message: Bilingual::new(
                    format!(
                        "Il certificato «{}» è stato revocato il {}, dopo la data di verifica.",
                        label(index),
                        day(*when)
                    ),
                    format!(
                        "The certificate \"{}\" was revoked on {}, after the validation time.",
                        label(index),
                        day(*when)
                    ),
                ),
            });
        }
    }
    // Each certificate without a status, with the reason when it is more than "no data"
    // (an unusable response, a failed download). The reasons are technical and in
    // English; the Italian text says so.
    let mut unknown: Vec<String> = Vec::new();
    let mut unknown_it: Vec<String> = Vec::new();
    for (i, l) in p.path.iter().enumerate() {
        match &l.revocation {
            Some(Revocation::Unknown(Unknown::Unusable(why))) => {
                unknown.push(format!("{} ({why})", label(i)));
                unknown_it.push(format!("{} (dettaglio tecnico: {why})", label(i)));
            }
            Some(Revocation::Unknown(_)) => {
                unknown.push(label(i));
                unknown_it.push(label(i));
            }
            _ => {}
        }
    }
    if unknown.is_empty() {
        return (
            check(
                "revocation",
                Outcome::Passed,
                None,
                "I dati di revoca (liste CRL o risposte OCSP) confermano che nessun certificato della catena era revocato alla data di verifica.",
                "Revocation data (CRLs or OCSP responses) confirm that no certificate of the chain was revoked at the validation time.",
            ),
            warnings,
        );
    }
    let list = unknown.join(", ");
    let list_it = unknown_it.join(", ");
    match policy {
        RevocationPolicy::Required => (
            check(
                "revocation",
                Outcome::Indeterminate,
                Some(SubIndication::TryLater),
                format!("Lo stato di revoca non è disponibile per: {list_it}. Serve una lista di revoca (CRL) o una risposta OCSP aggiornata."),
                format!("The revocation status is not available for: {list}. An up-to-date revocation list (CRL) or OCSP response is needed."),
            ),
            warnings,
        ),
        RevocationPolicy::IfAvailable => {
            warnings.push(Warning {
                code: "revocation_not_checked",
                message: Bilingual::new(
                    format!("Revoca non verificata: nessuna lista di revoca (CRL) o risposta OCSP valida per {list_it}. Il certificato potrebbe essere stato revocato."),
                    format!("Revocation not checked: no valid revocation list (CRL) or OCSP response for {list}. The certificate may have been revoked."),
                ),
            });
            (
                check(
                    "revocation",
                    Outcome::Skipped,
                    None,
                    format!("Revoca non verificata: nessuna lista di revoca (CRL) o risposta OCSP valida per {list_it}."),
                    format!("Revocation not checked: no valid revocation list (CRL) or OCSP response for {list}."),
                ),
                warnings,
            )
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The digest inside a signature algorithm name such as `RSA PKCS#1 v1.5 with SHA-1`.
fn hash_in_name(signature_algorithm: &str) -> Option<&str> {
    signature_algorithm
        .rsplit_once(" with ")
        .map(|(_, h)| h.trim())
        .filter(|h| *h != "?")
}

/// The `algorithms` check: the signature's digest and key, and every certificate signature
/// of the path, against the algorithm policy at `poe` (the best proof of existence).
pub fn algorithms_check(
    signer: &CertificateInfo,
    digest_algorithm: &str,
    signature_algorithm: &str,
    p: &PathResult,
    poe: OffsetDateTime,
) -> Check {
    let Some(policy) = policy() else {
        return check(
            "algorithms",
            Outcome::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure),
            "La politica sugli algoritmi non è disponibile.",
            "The algorithm policy is not available.",
        );
    };
    let Ok(signer) = Certificate::from_der(signer.der()) else {
        return check(
            "algorithms",
            Outcome::Skipped,
            None,
            "Il certificato del firmatario non è decodificabile.",
            "The signer's certificate cannot be decoded.",
        );
    };
    let situation = Situation {
        italian_qualified: signer.italian_qualified_hint(),
    };
    let mut judged: Vec<(String, Judgement)> = Vec::new();
    judged.push((
        "signature digest".to_owned(),
        policy.judge_digest(digest_algorithm, poe, situation),
    ));
    if let Some(h) = hash_in_name(signature_algorithm) {
        if h != digest_algorithm {
            judged.push((
                "signature algorithm".to_owned(),
                policy.judge_digest(h, poe, situation),
            ));
        }
    }
    judged.push((
        "signer key".to_owned(),
        policy.judge_key(&signer.key_description(), poe, situation),
    ));
    for (i, link) in p.path.iter().enumerate() {
        if link.anchor {
            break;
        }
        let oid = link.certificate.signature_algorithm_oid();
        let name = DigestAlgorithm::from_oid(&oid).map_or(oid.clone(), |d| d.name().to_owned());
        // Ed25519/Ed448 certificate signatures name no separate digest.
        if !matches!(oid.as_str(), "1.3.101.112" | "1.3.101.113") {
            judged.push((
                format!("certificate signature on {}", link.certificate.label()),
                policy.judge_digest(&name, poe, situation),
            ));
        }
        if let Some(issuer) = p.path.get(i + 1) {
            judged.push((
                format!("key of {}", issuer.certificate.label()),
                policy.judge_key(&issuer.certificate.key_description(), poe, situation),
            ));
        }
    }
    let refused: Vec<String> = judged
        .iter()
        .filter_map(|(what, j)| match j {
            Judgement::Never(a) | Judgement::Unknown(a) => Some(format!("{a} ({what})")),
            _ => None,
        })
        .collect();
    let expired: Vec<String> = judged
        .iter()
        .filter_map(|(what, j)| match j {
            Judgement::Expired { algorithm, until } => {
                Some(format!("{algorithm} ({what}, until {until})"))
            }
            _ => None,
        })
        .collect();
    if !refused.is_empty() {
        let list = refused.join("; ");
        return check(
            "algorithms",
            Outcome::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure),
            format!("Algoritmi non ammessi: {list}."),
            format!("Algorithms not accepted: {list}."),
        );
    }
    if !expired.is_empty() {
        let list = expired.join("; ");
        return check(
            "algorithms",
            Outcome::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailureNoPoe),
            format!("Algoritmi non più ammessi alla data di verifica, senza una prova che la firma esistesse prima: {list}."),
            format!("Algorithms no longer accepted at the validation time, with no proof that the signature existed before: {list}."),
        );
    }
    check(
        "algorithms",
        Outcome::Passed,
        None,
        format!(
            "Gli algoritmi usati sono ammessi alla data di verifica (politica rivista il {}).",
            policy.reviewed()
        ),
        format!(
            "The algorithms used are accepted at the validation time (policy reviewed on {}).",
            policy.reviewed()
        ),
    )
}

/// Replaces the anchor-only `certificate_chain` check of `checks` with the trust facts of a
/// signature whose certificate was found: path, revocation and algorithms.
pub fn apply(
    checks: &mut Vec<Check>,
    warnings: &mut Vec<Warning>,
    facts: &lavoro_agile_cades::signer::SignerFacts,
    ctx: &TrustContext,
    at: OffsetDateTime,
    revocation: RevocationPolicy,
) {
    let lavoro_agile_cades::signer::CertificateLookup::Found { certificate, .. } =
        &facts.certificate
    else {
        return;
    };
    let p = ctx.validate(certificate, at);
    checks.retain(|c| c.name != "certificate_chain");
    checks.push(chain_check(&p));
    let (rc, rw) = revocation_check(&p, revocation);
    checks.push(rc);
    warnings.extend(rw);
    checks.push(algorithms_check(
        certificate,
        &facts.digest_algorithm,
        &facts.signature_algorithm,
        &p,
        at,
    ));
}

/// The same for a timestamp's TSA certificate: path, revocation (without warnings, a
/// timestamp report has none), purpose and algorithms (`gen_time`: the token's own time).
pub fn apply_to_timestamp(
    checks: &mut Vec<Check>,
    facts: &lavoro_agile_cades::signer::SignerFacts,
    ctx: &TrustContext,
    at: OffsetDateTime,
    gen_time: Option<OffsetDateTime>,
    revocation: RevocationPolicy,
) {
    let lavoro_agile_cades::signer::CertificateLookup::Found { certificate, .. } =
        &facts.certificate
    else {
        return;
    };
    let p = ctx.validate_timestamp(certificate, at);
    if let Some(pos) = checks.iter().position(|c| c.name == "certificate_chain") {
        if let Some(slot) = checks.get_mut(pos) {
            *slot = chain_check(&p);
        }
    } else {
        checks.push(chain_check(&p));
    }
    checks.push(revocation_check(&p, revocation).0);
    if let Ok(tsa) = Certificate::from_der(certificate.der()) {
        checks.push(tsa_purpose_check(&tsa));
    }
    checks.push(timestamp_algorithms_check(
        certificate,
        facts,
        &p,
        at,
        gen_time,
    ));
}

/// The token's signature and the TSA's path judged by the same algorithm policy as a
/// signature's (ETSI TS 119 312), at the validation time. Our policy choice, as Italian
/// verification practice (and the ParER verifier's suite) has it: an algorithm that was
/// accepted when the token was made (its genTime) and has reached its end date only since
/// does not make the timestamp indeterminate; the check passes and says so. An algorithm
/// already retired at the genTime, or never accepted, still fails.
fn timestamp_algorithms_check(
    certificate: &CertificateInfo,
    facts: &lavoro_agile_cades::signer::SignerFacts,
    p: &PathResult,
    at: OffsetDateTime,
    gen_time: Option<OffsetDateTime>,
) -> Check {
    let judge = |when| {
        algorithms_check(
            certificate,
            &facts.digest_algorithm,
            &facts.signature_algorithm,
            p,
            when,
        )
    };
    let now = judge(at);
    let Some(made) = gen_time.filter(|g| *g < at) else {
        return now;
    };
    if now.subindication != Some(SubIndication::CryptoConstraintsFailureNoPoe)
        || judge(made).outcome != Outcome::Passed
    {
        return now;
    }
    let when = crate::day_time(made);
    check(
        "algorithms",
        Outcome::Passed,
        None,
        format!("Gli algoritmi della marca temporale erano ammessi quando è stata emessa ({when}); alla data di verifica non lo sono più, ma la marca resta valida per la propria data. Per conservarne la prova più a lungo si aggiunge una marca temporale d'archivio."),
        format!("The timestamp's algorithms were accepted when it was issued ({when}); at the validation time they no longer are, but the timestamp stays valid for its own time. An archive timestamp keeps the proof for longer."),
    )
}

/// id-kp-timeStamping (RFC 3161 2.3).
const TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// The `tsa_purpose` check: RFC 3161 2.3 requires the TSA certificate to carry the
/// extendedKeyUsage extension, critical, with id-kp-timeStamping as its only purpose.
pub fn tsa_purpose_check(tsa: &Certificate) -> Check {
    let label = tsa.label();
    match tsa.extended_key_usage() {
        Some(e) if e.critical && e.purposes.len() == 1 && e.purposes.iter().any(|p| p == TIME_STAMPING) => check(
            "tsa_purpose",
            Outcome::Passed,
            None,
            format!("Il certificato «{label}» è destinato solo alle marche temporali."),
            format!("The certificate \"{label}\" is meant for timestamps only."),
        ),
        Some(e) if e.purposes.iter().any(|p| p == TIME_STAMPING) => check(
            "tsa_purpose",
            Outcome::Indeterminate,
            Some(SubIndication::ChainConstraintsFailure),
            format!("Il certificato «{label}» è destinato alle marche temporali, ma non in modo esclusivo o senza marcare l'estensione come critica, come richiesto da RFC 3161."),
            format!("The certificate \"{label}\" is meant for timestamps, but not exclusively or without marking the extension critical, as RFC 3161 requires."),
        ),
        _ => check(
            "tsa_purpose",
            Outcome::Indeterminate,
            Some(SubIndication::ChainConstraintsFailure),
            format!("Il certificato «{label}» non è destinato alle marche temporali (manca lo scopo timeStamping)."),
            format!("The certificate \"{label}\" is not meant for timestamps (the timeStamping purpose is missing)."),
        ),
    }
}

/// The qualified status of a signature from the trusted lists in `trust`: `None` without
/// lists; not determined when a check failed, the signer's certificate was not found or
/// its path to a trust anchor does not hold.
pub fn qualification(
    facts: &lavoro_agile_cades::signer::SignerFacts,
    trust: &TrustStore,
    checks: &[Check],
) -> Option<crate::report::Qualification> {
    let set = trust.trusted_list_set()?;
    let undetermined = |it: &str, en: &str| {
        let level = lavoro_agile_trustlist::Level::NotDetermined;
        let w = level.words();
        crate::report::Qualification {
            level: level.code(),
            label: Bilingual::new(w.it, w.en),
            reason: Bilingual::new(it, en),
            service: None,
        }
    };
    let lavoro_agile_cades::signer::CertificateLookup::Found { certificate, .. } =
        &facts.certificate
    else {
        return Some(undetermined(
            "il certificato del firmatario non è stato trovato",
            "the signer's certificate was not found",
        ));
    };
    // A signature that fails is not a qualified anything, whatever its certificate.
    if checks.iter().any(|c| c.outcome == Outcome::Failed) {
        return Some(undetermined(
            "la firma non è valida, quindi non è qualificata",
            "the signature is not valid, so it is not qualified",
        ));
    }
    let chain_ok = checks
        .iter()
        .any(|c| c.name == "certificate_chain" && c.outcome == Outcome::Passed);
    if !chain_ok {
        return Some(undetermined(
            "la catena del certificato fino a un servizio degli elenchi di fiducia non è verificata",
            "the certificate's path to a service of the trusted lists is not verified",
        ));
    }
    let q = set.qualified_status(certificate.der());
    let w = q.level.words();
    Some(crate::report::Qualification {
        level: q.level.code(),
        label: Bilingual::new(w.it, w.en),
        reason: Bilingual::new(q.reason.it, q.reason.en),
        service: q
            .service
            .map(|(provider, service, territory)| format!("{provider} — {service} ({territory})")),
    })
}
