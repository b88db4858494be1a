//! From the facts of one signer to checks, warnings, a verdict and an explanation.

use lavoro_agile_cades::cert::CertificateInfo;
use lavoro_agile_cades::crypto::SignatureOutcome;
use lavoro_agile_cades::oids;
use lavoro_agile_cades::signer::{
    CertificateLookup, CertificateSource, DigestOutcome, EssOutcome, SignerFacts,
};

use crate::report::{Bilingual, Check, Indication, Outcome, Signer, SubIndication, Warning};
use crate::trust::TrustStore;

/// One check with its bilingual detail (shared by the chain, PDF and signer checks).
pub(crate) fn check(
    name: &'static str,
    outcome: Outcome,
    sub: Option<SubIndication>,
    it: impl Into<String>,
    en: impl Into<String>,
) -> Check {
    Check {
        name,
        outcome,
        subindication: sub,
        detail: Bilingual::new(it, en),
    }
}

/// The checks of a signer that could not be decoded at all.
pub fn undecodable(reason: &str) -> Vec<Check> {
    vec![check(
        "format",
        Outcome::Failed,
        Some(SubIndication::FormatFailure),
        format!("La struttura della firma non è leggibile ({reason})."),
        format!("The signature structure cannot be read ({reason})."),
    )]
}

/// The Italian tax code from a subject serialNumber in `TINIT-…` or `IT:…` form.
pub fn codice_fiscale(serial_number: &str) -> Option<String> {
    let s = serial_number.trim();
    let rest = s
        .strip_prefix("TINIT-")
        .or_else(|| s.strip_prefix("IT:"))
        .or_else(|| s.strip_prefix("IT-"))?;
    let rest = rest.trim();
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(rest.to_ascii_uppercase())
}

/// Who signed.
pub fn signer_of(cert: &CertificateInfo) -> Signer {
    Signer {
        common_name: cert.common_name(),
        given_name: cert.subject_value(oids::GIVEN_NAME),
        surname: cert.subject_value(oids::SURNAME),
        organization: cert.subject_value(oids::ORGANIZATION),
        codice_fiscale: cert
            .subject_values(oids::SERIAL_NUMBER)
            .iter()
            .find_map(|s| codice_fiscale(s)),
        issuer: Some(cert.issuer_string()),
        serial_number: Some(cert.serial_hex()),
        certificate_sha256: Some(cert.sha256_hex()),
    }
}

/// Whose facts are being judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A signature over the document.
    Signature,
    /// A countersignature over another signature's value.
    CounterSignature,
    /// The TSA's signature inside a timestamp token.
    TimestampAuthority,
}

/// The checks and warnings for one signer's facts.
pub fn checks_for(
    facts: &SignerFacts,
    trust: &TrustStore,
    role: Role,
) -> (Vec<Check>, Vec<Warning>) {
    let countersignature = role == Role::CounterSignature;
    let mut checks = Vec::new();
    let mut warnings = Vec::new();

    if facts.format_problems.is_empty() {
        checks.push(check(
            "format",
            Outcome::Passed,
            None,
            "La struttura della firma è corretta.",
            "The signature structure is well formed.",
        ));
    } else {
        let list = facts.format_problems.join("; ");
        checks.push(check(
            "format",
            Outcome::Failed,
            Some(SubIndication::FormatFailure),
            format!("La struttura della firma non è corretta: {list}."),
            format!("The signature structure is not correct: {list}."),
        ));
    }

    match &facts.certificate {
        CertificateLookup::Found { source, .. } => {
            let (it, en) = match source {
                CertificateSource::Embedded => (
                    "Il certificato del firmatario è contenuto nella firma.",
                    "The signer's certificate is contained in the signature.",
                ),
                CertificateSource::Supplied => (
                    "Il certificato del firmatario è tra quelli forniti.",
                    "The signer's certificate is among the ones supplied.",
                ),
            };
            checks.push(check("signing_certificate", Outcome::Passed, None, it, en));
        }
        CertificateLookup::NotFound => checks.push(check(
            "signing_certificate",
            Outcome::Indeterminate,
            Some(SubIndication::NoSigningCertificateFound),
            "Il certificato del firmatario non si trova né nella firma né tra quelli forniti.",
            "The signer's certificate is neither in the signature nor among the ones supplied.",
        )),
        CertificateLookup::EssMismatch => checks.push(check(
            "signing_certificate",
            Outcome::Indeterminate,
            Some(SubIndication::NoSigningCertificateFound),
            "Il certificato indicato dal firmatario non corrisponde a quello trovato.",
            "The certificate the signer referenced does not match the one found.",
        )),
    }

    match &facts.ess {
        EssOutcome::Matched(v) => checks.push(check(
            "signing_certificate_reference",
            Outcome::Passed,
            None,
            format!("Il riferimento firmato al certificato (signing-certificate{}) corrisponde.", if *v == 2 { "-v2" } else { "" }),
            format!("The signed reference to the certificate (signing-certificate{}) matches.", if *v == 2 { "-v2" } else { "" }),
        )),
        EssOutcome::Mismatch => checks.push(check(
            "signing_certificate_reference",
            Outcome::Indeterminate,
            Some(SubIndication::NoSigningCertificateFound),
            "Il riferimento firmato al certificato non corrisponde ad alcun certificato disponibile.",
            "The signed reference to the certificate matches no available certificate.",
        )),
        EssOutcome::UnsupportedHash(oid) => {
            checks.push(check(
                "signing_certificate_reference",
                Outcome::Skipped,
                None,
                format!("Il riferimento al certificato usa un algoritmo sconosciuto ({oid})."),
                format!("The certificate reference uses an unknown algorithm ({oid})."),
            ));
        }
        EssOutcome::NotChecked => checks.push(check(
            "signing_certificate_reference",
            Outcome::Skipped,
            None,
            "Nessun certificato con cui confrontare il riferimento firmato.",
            "No certificate to compare the signed reference with.",
        )),
        EssOutcome::Absent => {
            checks.push(check(
                "signing_certificate_reference",
                Outcome::Skipped,
                None,
                "La firma non contiene un riferimento firmato al certificato.",
                "The signature holds no signed reference to the certificate.",
            ));
            if facts.has_signed_attributes && role == Role::Signature {
                warnings.push(Warning {
                    code: "signing_certificate_attribute_missing",
                    message: Bilingual::new(
                        "Manca l'attributo signing-certificate(-v2) richiesto da CAdES: il certificato è identificato solo da emittente e numero di serie.",
                        "The signing-certificate(-v2) attribute CAdES requires is missing: the certificate is identified only by issuer and serial number.",
                    ),
                });
            }
        }
    }
    if !facts.has_signed_attributes {
        warnings.push(Warning {
            code: "no_signed_attributes",
            message: Bilingual::new(
                "La firma non ha attributi firmati (formato PKCS#7 datato, non CAdES): mancano data di firma e riferimento al certificato.",
                "The signature has no signed attributes (older PKCS#7, not CAdES): no signing time and no certificate reference.",
            ),
        });
    }

    match &facts.digest {
        DigestOutcome::Match if role == Role::TimestampAuthority => checks.push(check(
            "message_digest",
            Outcome::Passed,
            None,
            "Il contenuto della marca temporale non è stato modificato.",
            "The timestamp content has not been changed.",
        )),
        DigestOutcome::Match if countersignature => checks.push(check(
            "message_digest",
            Outcome::Passed,
            None,
            "La firma controfirmata non è stata modificata.",
            "The countersigned signature has not been changed.",
        )),
        DigestOutcome::Match => checks.push(check(
            "message_digest",
            Outcome::Passed,
            None,
            "Il documento non è stato modificato dopo la firma.",
            "The document has not been changed since it was signed.",
        )),
        DigestOutcome::Mismatch if countersignature => checks.push(check(
            "message_digest",
            Outcome::Failed,
            Some(SubIndication::HashFailure),
            "L'impronta non corrisponde: la firma controfirmata è stata modificata.",
            "The digest does not match: the countersigned signature was changed.",
        )),
        DigestOutcome::Mismatch => checks.push(check(
            "message_digest",
            Outcome::Failed,
            Some(SubIndication::HashFailure),
            "L'impronta del documento non corrisponde: il documento è stato modificato dopo la firma.",
            "The document digest does not match: the document was changed after signing.",
        )),
        DigestOutcome::ContentMissing => checks.push(check(
            "message_digest",
            Outcome::Indeterminate,
            Some(SubIndication::SignedDataNotFound),
            "La firma è separata dal documento e il documento firmato non è disponibile.",
            "The signature is detached and the signed document is not available.",
        )),
        DigestOutcome::NoSignedAttributes => checks.push(check(
            "message_digest",
            Outcome::Skipped,
            None,
            "Senza attributi firmati l'integrità del documento è verificata dal valore di firma.",
            "Without signed attributes the document's integrity is checked through the signature value.",
        )),
        DigestOutcome::Unsupported(oid) => checks.push(check(
            "message_digest",
            Outcome::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure),
            format!("Algoritmo di impronta non supportato ({oid})."),
            format!("Unsupported digest algorithm ({oid})."),
        )),
    }

    match &facts.signature {
        Some(SignatureOutcome::Valid) => checks.push(check(
            "signature_value",
            Outcome::Passed,
            None,
            format!(
                "Il valore di firma è corretto ({}).",
                facts.signature_algorithm
            ),
            format!(
                "The signature value is correct ({}).",
                facts.signature_algorithm
            ),
        )),
        Some(SignatureOutcome::Invalid(why)) => {
            // Without signed attributes the signature covers the content: a mismatch there
            // is as likely a changed document as a broken signature; ETSI calls both
            // SIG_CRYPTO_FAILURE in that case.
            checks.push(check(
                "signature_value",
                Outcome::Failed,
                Some(SubIndication::SigCryptoFailure),
                "Il valore di firma non è corretto: la firma è stata alterata o non corrisponde al certificato.",
                format!("The signature value is not correct: the signature was altered or does not match the certificate ({why})."),
            ));
        }
        Some(SignatureOutcome::Unsupported(what)) => checks.push(check(
            "signature_value",
            Outcome::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure),
            format!("Algoritmo di firma non supportato ({what})."),
            format!("Unsupported signature algorithm ({what})."),
        )),
        None => {
            let missing_content = !facts.has_signed_attributes
                && matches!(facts.certificate, CertificateLookup::Found { .. });
            if missing_content {
                checks.push(check(
                    "signature_value",
                    Outcome::Indeterminate,
                    Some(SubIndication::SignedDataNotFound),
                    "Il documento firmato non è disponibile: il valore di firma non può essere verificato.",
                    "The signed document is not available: the signature value cannot be checked.",
                ));
            } else {
                checks.push(check(
                    "signature_value",
                    Outcome::Skipped,
                    None,
                    "Senza il certificato del firmatario il valore di firma non può essere verificato.",
                    "Without the signer's certificate the signature value cannot be checked.",
                ));
            }
        }
    }

    if facts.countersignature_content_type {
        warnings.push(Warning {
            code: "countersignature_content_type",
            message: Bilingual::new(
                "La controfirma contiene un attributo content-type, che lo standard non prevede; non cambia ciò che è firmato.",
                "The countersignature carries a content-type attribute, which the standard does not allow; it does not change what is signed.",
            ),
        });
    }
    if facts.signed_attributes_reencoded {
        warnings.push(Warning {
            code: "signed_attributes_not_der",
            message: Bilingual::new(
                "Gli attributi firmati sono memorizzati con una codifica diversa da quella firmata (ordine o lunghezze non DER); il loro contenuto è comunque quello firmato.",
                "The signed attributes are stored in another encoding than the one signed (order or lengths not DER); their content is still what was signed.",
            ),
        });
    }
    for d in [&facts.digest_algorithm] {
        if d == "SHA-1" {
            warnings.push(Warning {
                code: "weak_digest_algorithm",
                message: Bilingual::new(
                    "La firma usa SHA-1, un algoritmo non più considerato sicuro per nuove firme.",
                    "The signature uses SHA-1, an algorithm no longer considered safe for new signatures.",
                ),
            });
        }
    }

    match &facts.certificate {
        CertificateLookup::Found { certificate, .. } if trust.is_anchor(certificate) => checks
            .push(check(
                "certificate_chain",
                Outcome::Passed,
                None,
                "Il certificato del firmatario è tra i certificati considerati attendibili.",
                "The signer's certificate is one of the trusted certificates.",
            )),
        CertificateLookup::Found { .. } => checks.push(check(
            "certificate_chain",
            Outcome::Indeterminate,
            Some(SubIndication::NoCertificateChainFound),
            "Il certificato del firmatario non è collegato a un certificato attendibile.",
            "The signer's certificate is not linked to a trusted certificate.",
        )),
        _ => checks.push(check(
            "certificate_chain",
            Outcome::Skipped,
            None,
            "Nessun certificato del firmatario da collegare a un certificato attendibile.",
            "No signer certificate to link to a trusted certificate.",
        )),
    }
    (checks, warnings)
}

/// Precedence of sub-indications when several checks fail (see `docs/report-format.md`).
///
/// The building blocks of ETSI EN 319 102-1 in the order DSS applies them: format checking,
/// identification of the signing certificate, cryptographic verification, then the
/// certificate chain, then the algorithm policy. Every TOTAL_FAILED from format or
/// cryptography beats any INDETERMINATE except an unidentified signer (without the
/// certificate the signature value cannot even be checked; the failing digest is still
/// listed among the facts). NOT_YET_VALID (the signer's certificate did not exist yet at the
/// validation time) is a failure of the chain that no later proof can cure, so it comes
/// right after the cryptographic failures. Among INDETERMINATE results, the chain comes
/// before algorithm constraints: an unknown algorithm that stops the digest or the
/// signature from being computed at all is an integrity question and comes first, while
/// an algorithm the policy no longer accepts is judged last.
const PRECEDENCE: [(SubIndication, Source); 17] = [
    (SubIndication::FormatFailure, Source::Any),
    (SubIndication::NoSigningCertificateFound, Source::Any),
    (SubIndication::HashFailure, Source::Any),
    (SubIndication::SigCryptoFailure, Source::Any),
    (SubIndication::NotYetValid, Source::Any),
    (SubIndication::SignedDataNotFound, Source::Any),
    (SubIndication::CryptoConstraintsFailure, Source::Integrity),
    (SubIndication::RevokedNoPoe, Source::Any),
    (SubIndication::RevokedCaNoPoe, Source::Any),
    (SubIndication::OutOfBoundsNoPoe, Source::Any),
    (SubIndication::OutOfBoundsNotRevoked, Source::Any),
    (SubIndication::ChainConstraintsFailure, Source::Any),
    (SubIndication::CertificateChainGeneralFailure, Source::Any),
    (SubIndication::NoCertificateChainFound, Source::Any),
    (SubIndication::TryLater, Source::Any),
    (SubIndication::CryptoConstraintsFailureNoPoe, Source::Any),
    (SubIndication::CryptoConstraintsFailure, Source::Any),
];

/// Which checks a precedence entry looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Any check.
    Any,
    /// Checks that compute the digest or the signature value (not the algorithm policy).
    Integrity,
}

/// The verdict derived from the checks.
pub fn verdict(checks: &[Check]) -> (Indication, Option<SubIndication>) {
    for (sub, source) in PRECEDENCE {
        if checks.iter().any(|c| {
            c.outcome != Outcome::Passed
                && c.subindication == Some(sub)
                && (source == Source::Any || c.name != "algorithms")
        }) {
            return (sub.indication(), Some(sub));
        }
    }
    (Indication::TotalPassed, None)
}

/// A plain explanation of the verdict with what to do next.
pub fn explanation(indication: Indication, sub: Option<SubIndication>) -> Bilingual {
    match (indication, sub) {
        (Indication::TotalPassed, _) => Bilingual::new(
            "La firma è valida: il documento è integro e il firmatario è identificato da un certificato attendibile.",
            "The signature is valid: the document is intact and the signer is identified by a trusted certificate.",
        ),
        (_, Some(SubIndication::FormatFailure)) => Bilingual::new(
            "La firma è danneggiata o non rispetta il formato previsto. Chiedi al mittente di inviare di nuovo il documento firmato.",
            "The signature is damaged or does not follow the expected format. Ask the sender to send the signed document again.",
        ),
        (_, Some(SubIndication::HashFailure)) => Bilingual::new(
            "Il documento è stato modificato dopo la firma: non fidarti del contenuto. Chiedi al mittente l'originale firmato.",
            "The document was changed after it was signed: do not rely on its content. Ask the sender for the signed original.",
        ),
        (_, Some(SubIndication::SigCryptoFailure)) => Bilingual::new(
            "Il valore della firma non è corretto: la firma è stata alterata o non appartiene al certificato indicato. Non fidarti del documento e chiedi l'originale.",
            "The signature value is not correct: the signature was altered or does not belong to the stated certificate. Do not rely on the document; ask for the original.",
        ),
        (_, Some(SubIndication::NoSigningCertificateFound)) => Bilingual::new(
            "Non è possibile identificare il certificato del firmatario. Chiedi al mittente il certificato o una firma che lo contenga.",
            "The signer's certificate cannot be identified. Ask the sender for the certificate or a signature that includes it.",
        ),
        (_, Some(SubIndication::SignedDataNotFound)) => Bilingual::new(
            "La firma è separata dal documento e il documento firmato non è stato trovato. Indica il file originale (opzione --content) e ripeti la verifica.",
            "The signature is detached and the signed document was not found. Give the original file (option --content) and check again.",
        ),
        (_, Some(SubIndication::CryptoConstraintsFailure)) => Bilingual::new(
            "La firma usa un algoritmo che questo programma non supporta o non accetta. Chiedi all'ufficio informatico.",
            "The signature uses an algorithm this program does not support or accept. Ask your IT office.",
        ),
        (_, Some(SubIndication::NoCertificateChainFound)) => Bilingual::new(
            "Il documento è integro e la firma è corretta, ma il certificato del firmatario non è collegato a un'autorità attendibile configurata. Verifica di usare l'elenco delle autorità aggiornato o chiedi all'ufficio informatico.",
            "The document is intact and the signature is correct, but the signer's certificate is not linked to a configured trusted authority. Make sure the list of authorities is up to date or ask your IT office.",
        ),
        (_, Some(SubIndication::ChainConstraintsFailure)) => Bilingual::new(
            "Il documento è integro, ma un certificato della catena non rispetta le regole previste (ad esempio non è destinato alla firma o non può emettere certificati). Chiedi all'ufficio informatico.",
            "The document is intact, but a certificate of the chain breaks the expected rules (for example it is not meant for signing or may not issue certificates). Ask your IT office.",
        ),
        (_, Some(SubIndication::CertificateChainGeneralFailure)) => Bilingual::new(
            "Il documento è integro, ma la catena dei certificati non è verificabile. Chiedi all'ufficio informatico.",
            "The document is intact, but the certificate chain cannot be verified. Ask your IT office.",
        ),
        (_, Some(SubIndication::OutOfBoundsNoPoe | SubIndication::OutOfBoundsNotRevoked)) => Bilingual::new(
            "Il documento è integro, ma alla data di verifica il certificato era scaduto (o non ancora valido) e non c'è una prova (marca temporale) che la firma sia stata apposta quando era valido. Se conosci la data di firma, ripeti la verifica a quella data o chiedi un documento con marca temporale.",
            "The document is intact, but at the validation time the certificate had expired (or was not yet valid) and there is no proof (timestamp) that the signature was made while it was valid. If you know when it was signed, check again at that date, or ask for a timestamped document.",
        ),
        (_, Some(SubIndication::NotYetValid)) => Bilingual::new(
            "Alla data di verifica il certificato del firmatario non era ancora stato emesso: la firma non può essere stata apposta allora. Non fidarti del documento.",
            "At the validation time the signer's certificate had not been issued yet: the signature cannot have been made then. Do not rely on the document.",
        ),
        (_, Some(SubIndication::RevokedNoPoe | SubIndication::RevokedCaNoPoe)) => Bilingual::new(
            "Un certificato della catena risulta revocato alla data di verifica e non c'è una prova che la firma sia stata apposta prima della revoca. Non fidarti del documento senza ulteriori verifiche.",
            "A certificate of the chain is revoked at the validation time and there is no proof that the signature was made before the revocation. Do not rely on the document without further checks.",
        ),
        (_, Some(SubIndication::TryLater)) => Bilingual::new(
            "Lo stato di revoca dei certificati non è disponibile e la verifica lo richiede. Fornisci una lista di revoca (CRL) aggiornata con --trust e ripeti la verifica.",
            "The revocation status of the certificates is not available and the check requires it. Give an up-to-date revocation list (CRL) with --trust and check again.",
        ),
        (_, Some(SubIndication::CryptoConstraintsFailureNoPoe)) => Bilingual::new(
            "La firma usa un algoritmo che alla data di verifica non era più considerato sicuro, e non c'è una prova (marca temporale) che sia stata apposta prima. Chiedi all'ufficio informatico.",
            "The signature uses an algorithm that was no longer considered safe at the validation time, and there is no proof (timestamp) that it was made before. Ask your IT office.",
        ),
        (_, _) => Bilingual::new(
            "Non è stato possibile concludere la verifica.",
            "The verification could not reach a conclusion.",
        ),
    }
}

/// The checks of a timestamp token: the TSA signature (as for a signer) and the imprint.
pub fn timestamp_checks(
    facts: &lavoro_agile_cades::timestamp::TimestampFacts,
    trust: &TrustStore,
) -> Vec<Check> {
    use lavoro_agile_cades::timestamp::ImprintOutcome;
    if let Some(problem) = &facts.format_problem {
        return undecodable(problem);
    }
    let mut checks = match &facts.signer {
        Some(signer) => checks_for(signer, trust, Role::TimestampAuthority).0,
        None => undecodable("no signer"),
    };
    checks.push(match &facts.imprint {
        ImprintOutcome::Match => check(
            "message_imprint",
            Outcome::Passed,
            None,
            "La marca temporale corrisponde ai dati che copre.",
            "The timestamp matches the data it covers.",
        ),
        ImprintOutcome::Mismatch => check(
            "message_imprint",
            Outcome::Failed,
            Some(SubIndication::HashFailure),
            "La marca temporale non corrisponde ai dati che dovrebbe coprire.",
            "The timestamp does not match the data it should cover.",
        ),
        ImprintOutcome::NotChecked => check(
            "message_imprint",
            Outcome::Skipped,
            None,
            "I dati coperti dalla marca temporale non sono disponibili.",
            "The data the timestamp covers is not available.",
        ),
        ImprintOutcome::Unsupported(oid) => check(
            "message_imprint",
            Outcome::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure),
            format!("Algoritmo di impronta non supportato ({oid})."),
            format!("Unsupported digest algorithm ({oid})."),
        ),
    });
    if let Some(problem) = &facts.index_problem {
        checks.push(archive_index_check(problem));
    }
    checks
}

/// The `archive_index` check of an ATSv3 whose ATSHashIndex lists validation data that the
/// envelope no longer holds as it was when the timestamp was added.
fn archive_index_check(problem: &lavoro_agile_cades::archive::IndexProblem) -> Check {
    if problem.unreadable {
        return check(
            "archive_index",
            Outcome::Failed,
            Some(SubIndication::HashFailure),
            "L'elenco dei dati archiviati nella marca temporale d'archivio non è leggibile.",
            "The list of archived data in the archive timestamp cannot be read.",
        );
    }
    let mut it = Vec::new();
    let mut en = Vec::new();
    for (n, one_it, many_it, one_en, many_en) in [
        (
            problem.certificates,
            "certificato",
            "certificati",
            "certificate",
            "certificates",
        ),
        (
            problem.crls,
            "lista di revoca",
            "liste di revoca",
            "revocation list",
            "revocation lists",
        ),
        (
            problem.unsigned_attributes,
            "attributo non firmato",
            "attributi non firmati",
            "unsigned attribute",
            "unsigned attributes",
        ),
    ] {
        if n > 0 {
            it.push(format!("{n} {}", if n == 1 { one_it } else { many_it }));
            en.push(format!("{n} {}", if n == 1 { one_en } else { many_en }));
        }
    }
    check(
        "archive_index",
        Outcome::Failed,
        Some(SubIndication::HashFailure),
        format!(
            "Dopo la marca temporale d'archivio sono stati tolti o modificati dati che essa aveva archiviato: {}.",
            it.join(", ")
        ),
        format!(
            "Data the archive timestamp had archived was removed or changed after it: {}.",
            en.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codice_fiscale_both_forms_parse() {
        assert_eq!(
            codice_fiscale("TINIT-RSSMRA80A01H501U").as_deref(),
            Some("RSSMRA80A01H501U")
        );
        assert_eq!(
            codice_fiscale("IT:RSSMRA80A01H501U").as_deref(),
            Some("RSSMRA80A01H501U")
        );
        assert_eq!(codice_fiscale("12345"), None);
    }

    #[test]
    fn verdict_hash_failure_beats_missing_chain() {
        let checks = vec![
            check(
                "message_digest",
                Outcome::Failed,
                Some(SubIndication::HashFailure),
                "",
                "",
            ),
            check(
                "certificate_chain",
                Outcome::Indeterminate,
                Some(SubIndication::NoCertificateChainFound),
                "",
                "",
            ),
        ];
        assert_eq!(
            verdict(&checks),
            (Indication::TotalFailed, Some(SubIndication::HashFailure))
        );
    }

    #[test]
    fn verdict_unidentified_signer_comes_before_hash_failure() {
        let checks = vec![
            check(
                "signing_certificate",
                Outcome::Indeterminate,
                Some(SubIndication::NoSigningCertificateFound),
                "",
                "",
            ),
            check(
                "message_digest",
                Outcome::Failed,
                Some(SubIndication::HashFailure),
                "",
                "",
            ),
        ];
        assert_eq!(
            verdict(&checks),
            (
                Indication::Indeterminate,
                Some(SubIndication::NoSigningCertificateFound)
            )
        );
    }

    #[test]
    fn verdict_all_passed_has_no_subindication() {
        let checks = vec![check("format", Outcome::Passed, None, "", "")];
        assert_eq!(verdict(&checks), (Indication::TotalPassed, None));
    }
}
