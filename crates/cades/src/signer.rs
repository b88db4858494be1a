//! The integrity and cryptographic facts of one signer: structure, signing certificate,
//! content digest, signature value. Facts only: the verdict is derived elsewhere.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::attrs::{decode_ess, decode_time, single_value, EssCertId};
use crate::ber::universal;
use crate::cert::CertificateInfo;
use crate::cms::SignerInfo;
use crate::crypto::{
    signature_algorithm_name, verify_signature, DigestAlgorithm, SignatureOutcome,
};
use crate::oids;

/// Where the signing certificate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateSource {
    /// Among the certificates embedded in the signature.
    Embedded,
    /// Among the certificates the caller supplied (trust anchors and others).
    Supplied,
}

/// The outcome of looking for the signing certificate.
#[derive(Debug, Clone)]
pub enum CertificateLookup {
    /// Found, and consistent with the ESS signing-certificate attribute if present.
    Found {
        /// The certificate.
        certificate: Arc<CertificateInfo>,
        /// Where it was found.
        source: CertificateSource,
    },
    /// No certificate matches the signer identifier.
    NotFound,
    /// Certificates match the signer identifier, but none matches the ESS reference.
    EssMismatch,
}

/// The ESS signing-certificate(-v2) attribute check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EssOutcome {
    /// No ESS signing-certificate attribute (a warning for CAdES, normal for plain CMS).
    Absent,
    /// The reference matches the signing certificate (attribute version 1 or 2).
    Matched(u8),
    /// The reference does not match any candidate certificate.
    Mismatch,
    /// The reference uses an unknown hash algorithm.
    UnsupportedHash(String),
    /// No certificate to compare with.
    NotChecked,
}

/// The message-digest check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestOutcome {
    /// The content digest equals the message-digest attribute.
    Match,
    /// The content digest differs: the content was changed.
    Mismatch,
    /// Detached signature and no content given.
    ContentMissing,
    /// No signed attributes: the signature value covers the content directly.
    NoSignedAttributes,
    /// Unknown or unsupported digest algorithm.
    Unsupported(String),
}

/// A structural problem that makes the signature a FORMAT_FAILURE.
pub type FormatProblem = String;

/// All facts about one signer.
#[derive(Debug, Clone)]
pub struct SignerFacts {
    /// The signer identifier in words: issuer name and serial number (hex), or the subject
    /// key identifier (hex) — for reports when the certificate itself is missing.
    pub signer_identifier: SignerIdentifierText,
    /// A countersignature carries a content-type attribute (RFC 5652 11.4 forbids it).
    pub countersignature_content_type: bool,
    /// Structural problems (missing required attributes, undecodable attributes, ...).
    pub format_problems: Vec<FormatProblem>,
    /// Whether signed attributes are present.
    pub has_signed_attributes: bool,
    /// The signing certificate lookup.
    pub certificate: CertificateLookup,
    /// The ESS signing-certificate check.
    pub ess: EssOutcome,
    /// The message-digest check.
    pub digest: DigestOutcome,
    /// The signature value check; `None` when it could not be attempted (no certificate,
    /// or no content for a signature without signed attributes).
    pub signature: Option<SignatureOutcome>,
    /// The claimed signing time (signing-time attribute).
    pub signing_time: Option<OffsetDateTime>,
    /// Digest algorithm name (or OID when unknown).
    pub digest_algorithm: String,
    /// Signature algorithm name.
    pub signature_algorithm: String,
    /// The signature value (countersignatures cover it).
    pub signature_value: Vec<u8>,
    /// RFC 3161 signature timestamp tokens found in the unsigned attributes, as stored.
    pub signature_timestamps: Vec<Vec<u8>>,
    /// Archive timestamp tokens (CAdES-A, any version), as stored.
    pub archive_timestamps: Vec<Vec<u8>>,
    /// RFC 3161 content timestamp tokens (signed attribute), as stored.
    pub content_timestamps: Vec<Vec<u8>>,
    /// The signature value verifies over the DER re-encoding of the signed attributes, not
    /// over the bytes as stored (they are stored out of DER order).
    pub signed_attributes_reencoded: bool,
}

/// A SignerIdentifier rendered for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerIdentifierText {
    /// Issuer name (RFC 4514, when decodable) and serial number in hex.
    IssuerSerial {
        /// The issuer name.
        issuer: Option<String>,
        /// The serial number, hex.
        serial: String,
    },
    /// Subject key identifier, hex.
    SubjectKeyIdentifier(String),
}

fn identifier_text(sid: &crate::cms::SignerIdentifier<'_>) -> SignerIdentifierText {
    use der::Decode;
    let hex = |b: &[u8]| {
        b.iter()
            .skip_while(|x| **x == 0)
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    match sid {
        crate::cms::SignerIdentifier::IssuerAndSerial { issuer, serial } => {
            SignerIdentifierText::IssuerSerial {
                issuer: issuer
                    .to_der()
                    .ok()
                    .and_then(|d| x509_cert::name::Name::from_der(&d).ok())
                    .map(|n| n.to_string()),
                serial: hex(serial),
            }
        }
        crate::cms::SignerIdentifier::SubjectKeyIdentifier(k) => {
            SignerIdentifierText::SubjectKeyIdentifier(
                k.iter().map(|x| format!("{x:02x}")).collect(),
            )
        }
    }
}

/// What the signer signed.
#[derive(Debug, Clone, Copy)]
pub enum Signed<'a> {
    /// The content of the SignedData (`econtent_type` from the EncapsulatedContentInfo).
    Content {
        /// The content, `None` when detached and not supplied.
        bytes: Option<&'a [u8]>,
        /// eContentType.
        econtent_type: &'a str,
    },
    /// A countersignature: the signature value of the parent signer (RFC 5652 11.4).
    CounterSignatureOf(&'a [u8]),
    /// Detached content known only by its digests, computed by the caller while streaming
    /// it (a PDF's signed byte ranges). A signer without signed attributes cannot be
    /// verified this way: its signature value covers the content itself.
    ContentDigests {
        /// The digests of the content, one per algorithm the signers use.
        digests: &'a [(DigestAlgorithm, Vec<u8>)],
        /// eContentType.
        econtent_type: &'a str,
    },
}

/// Checks one SignerInfo.
pub fn check_signer(
    si: &SignerInfo<'_>,
    signed: Signed<'_>,
    embedded: &[Arc<CertificateInfo>],
    supplied: &[Arc<CertificateInfo>],
) -> SignerFacts {
    let mut format_problems = Vec::new();
    let digest_alg = DigestAlgorithm::from_oid(&si.digest_algorithm.oid);
    let digest_algorithm =
        digest_alg.map_or_else(|| si.digest_algorithm.oid.clone(), |d| d.name().to_owned());
    let signature_algorithm = signature_algorithm_name(&si.signature_algorithm, digest_alg);

    let content: Option<&[u8]> = match signed {
        Signed::Content { bytes, .. } => bytes,
        Signed::CounterSignatureOf(v) => Some(v),
        Signed::ContentDigests { .. } => None,
    };
    let given_digests = match signed {
        Signed::ContentDigests { digests, .. } => Some(digests),
        _ => None,
    };

    // Signed attributes: required ones, signing time, ESS references.
    let mut signing_time = None;
    let mut ess_refs: Option<Vec<EssCertId>> = None;
    let mut message_digest: Option<Vec<u8>> = None;
    let mut countersignature_content_type = false;
    if let Some(sa) = &si.signed_attributes {
        match sa.get(oids::MESSAGE_DIGEST).map(single_value) {
            Some(Ok(v)) if v.tag.is_universal(universal::OCTET_STRING) => match v.octets() {
                Ok(d) => message_digest = Some(d.into_owned()),
                Err(_) => format_problems.push("message-digest attribute is malformed".to_owned()),
            },
            Some(_) => format_problems.push("message-digest attribute is malformed".to_owned()),
            None => format_problems.push("message-digest attribute is missing".to_owned()),
        }
        let econtent = match signed {
            Signed::Content { econtent_type, .. }
            | Signed::ContentDigests { econtent_type, .. } => Some(econtent_type),
            Signed::CounterSignatureOf(_) => None,
        };
        match (econtent, sa.get(oids::CONTENT_TYPE).map(single_value)) {
            (Some(econtent_type), Some(Ok(v))) => match v.oid() {
                Ok(ct) if ct == econtent_type => {}
                Ok(_) => format_problems
                    .push("content-type attribute differs from the content type".to_owned()),
                Err(_) => format_problems.push("content-type attribute is malformed".to_owned()),
            },
            (Some(_), Some(Err(_))) => {
                format_problems.push("content-type attribute is malformed".to_owned())
            }
            (Some(_), None) => format_problems.push("content-type attribute is missing".to_owned()),
            // RFC 5652 11.4: a countersignature has no content-type attribute. Some signing
            // software adds one anyway; it changes nothing signed, so it is only remarked.
            (None, Some(_)) => countersignature_content_type = true,
            (None, None) => {}
        }
        if let Some(attr) = sa.get(oids::SIGNING_TIME) {
            match single_value(attr).and_then(decode_time) {
                Ok(t) => signing_time = Some(t),
                Err(_) => format_problems.push("signing-time attribute is malformed".to_owned()),
            }
        }
        let ess_attr = sa
            .get(oids::SIGNING_CERTIFICATE_V2)
            .map(|a| (a, 2u8))
            .or_else(|| sa.get(oids::SIGNING_CERTIFICATE).map(|a| (a, 1u8)));
        if let Some((attr, version)) = ess_attr {
            match single_value(attr).and_then(|v| decode_ess(v, version)) {
                Ok(refs) if !refs.is_empty() => ess_refs = Some(refs),
                _ => format_problems.push("signing-certificate attribute is malformed".to_owned()),
            }
        }
    }

    // Signing certificate: SignerIdentifier first, then the ESS reference among candidates.
    let mut candidates: Vec<(Arc<CertificateInfo>, CertificateSource)> = Vec::new();
    for c in embedded {
        if c.matches(&si.sid) {
            candidates.push((Arc::clone(c), CertificateSource::Embedded));
        }
    }
    for c in supplied {
        if c.matches(&si.sid) && !candidates.iter().any(|(e, _)| e.der() == c.der()) {
            candidates.push((Arc::clone(c), CertificateSource::Supplied));
        }
    }
    let (certificate, ess) = match (&ess_refs, candidates.first()) {
        (_, None) => (
            CertificateLookup::NotFound,
            if ess_refs.is_some() {
                EssOutcome::NotChecked
            } else {
                EssOutcome::Absent
            },
        ),
        (None, Some((c, s))) => (
            CertificateLookup::Found {
                certificate: Arc::clone(c),
                source: *s,
            },
            EssOutcome::Absent,
        ),
        (Some(refs), Some(_)) => {
            // The first ESSCertID identifies the signing certificate (RFC 5035 3).
            match refs
                .first()
                .map(|r| (&r.hash_algorithm, &r.hash, r.version))
            {
                Some((Ok(alg), hash, version)) => {
                    match candidates
                        .iter()
                        .find(|(c, _)| alg.digest(c.der()) == *hash)
                    {
                        Some((c, s)) => (
                            CertificateLookup::Found {
                                certificate: Arc::clone(c),
                                source: *s,
                            },
                            EssOutcome::Matched(version),
                        ),
                        None => (CertificateLookup::EssMismatch, EssOutcome::Mismatch),
                    }
                }
                Some((Err(oid), _, _)) => match candidates.first() {
                    Some((c, s)) => (
                        CertificateLookup::Found {
                            certificate: Arc::clone(c),
                            source: *s,
                        },
                        EssOutcome::UnsupportedHash(oid.clone()),
                    ),
                    None => (CertificateLookup::NotFound, EssOutcome::NotChecked),
                },
                None => (CertificateLookup::NotFound, EssOutcome::NotChecked),
            }
        }
    };

    // Content digest.
    let digest = match (&si.signed_attributes, content, digest_alg) {
        (None, _, _) => DigestOutcome::NoSignedAttributes,
        (Some(_), None, Some(alg)) if given_digests.is_some() => {
            match given_digests
                .into_iter()
                .flat_map(|d| d.iter())
                .find(|(a, _)| *a == alg)
            {
                Some((_, d)) => match &message_digest {
                    Some(md) if d == md => DigestOutcome::Match,
                    _ => DigestOutcome::Mismatch,
                },
                None => DigestOutcome::ContentMissing,
            }
        }
        (Some(_), None, _) => DigestOutcome::ContentMissing,
        (Some(_), Some(_), None) => DigestOutcome::Unsupported(si.digest_algorithm.oid.clone()),
        (Some(_), Some(bytes), Some(alg)) => match &message_digest {
            Some(md) if alg.digest(bytes) == *md => DigestOutcome::Match,
            Some(_) => DigestOutcome::Mismatch,
            // The missing attribute is already a format problem.
            None => DigestOutcome::Mismatch,
        },
    };

    // Signature value over the signed attributes as stored, or over the content.
    let mut signed_attributes_reencoded = false;
    let signature = match &certificate {
        CertificateLookup::Found { certificate, .. } => {
            let key = certificate.public_key();
            match &si.signed_attributes {
                Some(sa) => {
                    let stored = sa.signed_bytes();
                    let outcome = verify_signature(
                        &key,
                        &si.signature_algorithm,
                        digest_alg,
                        &stored,
                        &si.signature,
                    );
                    if matches!(outcome, SignatureOutcome::Invalid(_)) {
                        // The stored bytes come first. Some signers sign the DER form of
                        // attributes they store in another order or with indefinite
                        // lengths (the attribute values are the same): try those forms.
                        let alternatives =
                            [sa.signed_bytes_canonical(), sa.signed_bytes_definite()];
                        let mut tried: Vec<Vec<u8>> = vec![stored.clone()];
                        let mut found = false;
                        for alt in alternatives.into_iter().flatten() {
                            if tried.contains(&alt) {
                                continue;
                            }
                            let o = verify_signature(
                                &key,
                                &si.signature_algorithm,
                                digest_alg,
                                &alt,
                                &si.signature,
                            );
                            if o == SignatureOutcome::Valid {
                                found = true;
                                break;
                            }
                            tried.push(alt);
                        }
                        if found {
                            signed_attributes_reencoded = true;
                            Some(SignatureOutcome::Valid)
                        } else {
                            Some(outcome)
                        }
                    } else {
                        Some(outcome)
                    }
                }
                None => content.map(|c| {
                    verify_signature(&key, &si.signature_algorithm, digest_alg, c, &si.signature)
                }),
            }
        }
        _ => None,
    };

    let signature_timestamps = si
        .unsigned_attributes
        .iter()
        .filter(|a| a.oid == oids::SIGNATURE_TIMESTAMP)
        .flat_map(|a| a.values.iter().map(|v| v.raw.to_vec()))
        .collect();

    let content_timestamps = si
        .signed_attributes
        .iter()
        .flat_map(|sa| sa.attributes.iter())
        .filter(|a| a.oid == oids::CONTENT_TIMESTAMP)
        .flat_map(|a| a.values.iter().map(|v| v.raw.to_vec()))
        .collect();

    let archive_timestamps = si
        .unsigned_attributes
        .iter()
        .filter(|a| oids::ARCHIVE_TIMESTAMPS.contains(&a.oid.as_str()))
        .flat_map(|a| a.values.iter().map(|v| v.raw.to_vec()))
        .collect();

    SignerFacts {
        signer_identifier: identifier_text(&si.sid),
        archive_timestamps,
        countersignature_content_type,
        format_problems,
        content_timestamps,
        has_signed_attributes: si.signed_attributes.is_some(),
        certificate,
        ess,
        digest,
        signature,
        signing_time,
        digest_algorithm,
        signature_algorithm,
        signature_value: si.signature.to_vec(),
        signature_timestamps,
        signed_attributes_reencoded,
    }
}
