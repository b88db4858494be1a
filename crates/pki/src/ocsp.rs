//! OCSP responses (RFC 6960), offline: decoding a response, finding the status it gives for
//! a certificate, and checking who signed it.
//!
//! A response is usable for a certificate when it names it (CertID: issuer name and key
//! hashes, serial number), its signature verifies, and its signer is authorised: the
//! certificate's issuer itself, or a delegated responder whose certificate the issuer
//! signed with the id-kp-OCSPSigning purpose (RFC 6960 4.2.2.2). A delegated responder
//! with id-pkix-ocsp-nocheck needs no revocation check of its own; without it, its status
//! is not checked here (this crate does not recurse): the caller checks it with
//! [`OcspResponse::signer_certificate`] and the material it has.
//!
//! Fetching responses over the network is not this crate's job.

use der::asn1::GeneralizedTime;
use der::Decode;
use sha2::Digest;
use time::OffsetDateTime;

use crate::cert::Certificate;
use crate::crl::Entry;
use crate::derx::split_tlv;
use crate::{Error, SignatureVerifier, Verification};

/// id-kp-OCSPSigning.
pub const OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
/// id-pkix-ocsp-nocheck.
pub const OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
/// id-pkix-ocsp-basic.
const OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// Single responses kept per OCSP response, at most.
pub const MAX_RESPONSES: usize = 256;
/// Certificates kept per OCSP response, at most.
pub const MAX_CERTIFICATES: usize = 16;

/// The status a single response gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked at thisUpdate.
    Good,
    /// Revoked.
    Revoked(Entry),
    /// The responder does not know the certificate.
    Unknown,
}

/// One SingleResponse.
#[derive(Debug, Clone)]
pub struct SingleResponse {
    hash_algorithm: Vec<u8>,
    issuer_name_hash: Vec<u8>,
    issuer_key_hash: Vec<u8>,
    serial: Vec<u8>,
    /// The status.
    pub status: CertStatus,
    /// thisUpdate: the time the status is known to be correct.
    pub this_update: OffsetDateTime,
    /// nextUpdate, when given.
    pub next_update: Option<OffsetDateTime>,
}

/// Who signed the response (ResponderID).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ResponderId {
    /// The DER of the responder's subject name.
    ByName(Vec<u8>),
    /// SHA-1 of the responder's public key (BIT STRING value).
    ByKey(Vec<u8>),
}

/// A decoded BasicOCSPResponse.
#[derive(Debug, Clone)]
pub struct OcspResponse {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
    responder: ResponderId,
    produced_at: OffsetDateTime,
    responses: Vec<SingleResponse>,
    certificates: Vec<Certificate>,
}

fn strip(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    b.get(n..).unwrap_or_default()
}

fn malformed() -> Error {
    Error::Malformed("OCSP response")
}

/// One element split off: (whole element, content, what follows).
type Split<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Splits and checks the tag of the next element.
fn next(data: &[u8], tag: u8) -> Result<Split<'_>, Error> {
    match split_tlv(data) {
        Some((whole, content, rest)) if whole.first() == Some(&tag) => Ok((whole, content, rest)),
        _ => Err(malformed()),
    }
}

fn time_of(whole: &[u8]) -> Result<OffsetDateTime, Error> {
    let t = GeneralizedTime::from_der(whole).map_err(|_| malformed())?;
    let secs = i64::try_from(t.to_unix_duration().as_secs()).map_err(|_| malformed())?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| malformed())
}

/// A SingleResponse from its content octets.
fn single_response(data: &[u8]) -> Result<SingleResponse, Error> {
    let (_, cert_id, rest) = next(data, 0x30)?;
    let (alg, _, r) = next(cert_id, 0x30)?;
    let (_, name_hash, r) = next(r, 0x04)?;
    let (_, key_hash, r) = next(r, 0x04)?;
    let (_, serial, _) = next(r, 0x02)?;
    let (status_whole, status_content, rest) = split_tlv(rest).ok_or_else(malformed)?;
    let status = match status_whole.first() {
        Some(0x80) => CertStatus::Good,
        Some(0xA1) => {
            let (t, _, r) = next(status_content, 0x18)?;
            let reason = next(r, 0xA0)
                .ok()
                .and_then(|(_, c, _)| split_tlv(c))
                .and_then(|(_, c, _)| c.last().copied());
            CertStatus::Revoked(Entry {
                revocation_date: time_of(t)?,
                reason,
            })
        }
        Some(0x82) => CertStatus::Unknown,
        _ => return Err(malformed()),
    };
    let (t, _, rest) = next(rest, 0x18)?;
    let this_update = time_of(t)?;
    let next_update = match next(rest, 0xA0) {
        Ok((_, c, _)) => Some(time_of(next(c, 0x18)?.0)?),
        Err(_) => None,
    };
    Ok(SingleResponse {
        hash_algorithm: alg.to_vec(),
        issuer_name_hash: name_hash.to_vec(),
        issuer_key_hash: key_hash.to_vec(),
        serial: strip(serial).to_vec(),
        status,
        this_update,
        next_update,
    })
}

/// The hash named by a CertID's AlgorithmIdentifier.
fn hash(alg: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let (_, content, _) = split_tlv(alg)?;
    let (_, oid, _) = split_tlv(content)?;
    match oid {
        // 1.3.14.3.2.26 sha1
        [0x2b, 0x0e, 0x03, 0x02, 0x1a] => Some(sha1::Sha1::digest(data).to_vec()),
        // 2.16.840.1.101.3.4.2.1 / .2 / .3
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01] => {
            Some(sha2::Sha256::digest(data).to_vec())
        }
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02] => {
            Some(sha2::Sha384::digest(data).to_vec())
        }
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03] => {
            Some(sha2::Sha512::digest(data).to_vec())
        }
        _ => None,
    }
}

impl OcspResponse {
    /// Decodes an `OCSPResponse` (status successful, basic response) or a bare
    /// `BasicOCSPResponse`, DER.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let (whole, content, _) = next(der, 0x30)?;
        // OCSPResponse: SEQUENCE { ENUMERATED, [0] { SEQUENCE { OID, OCTET STRING } } }
        if content.first() == Some(&0x0A) {
            let (_, status, rest) = next(content, 0x0A)?;
            if status != [0] {
                return Err(Error::Malformed("OCSP response status is not successful"));
            }
            let (_, explicit, _) = next(rest, 0xA0)?;
            let (_, rb, _) = next(explicit, 0x30)?;
            let (_, oid, rest) = next(rb, 0x06)?;
            if oid != OCSP_BASIC {
                return Err(Error::Malformed("OCSP response of an unknown type"));
            }
            let (_, basic, _) = next(rest, 0x04)?;
            return Self::basic(basic);
        }
        Self::basic(whole)
    }

    fn basic(der: &[u8]) -> Result<Self, Error> {
        let (whole, content, _) = next(der, 0x30)?;
        let (tbs_whole, tbs, rest) = next(content, 0x30)?;
        let (alg, _, rest) = next(rest, 0x30)?;
        let (_, bits, rest) = next(rest, 0x03)?;
        let signature = bits.get(1..).ok_or_else(malformed)?.to_vec();
        let mut certificates = Vec::new();
        if let Ok((_, explicit, _)) = next(rest, 0xA0) {
            let (_, mut list, _) = next(explicit, 0x30)?;
            while !list.is_empty() && certificates.len() < MAX_CERTIFICATES {
                let (c, _, r) = next(list, 0x30)?;
                certificates.push(Certificate::from_der(c)?);
                list = r;
            }
        }
        // ResponseData
        let mut r = tbs;
        if r.first() == Some(&0xA0) {
            r = split_tlv(r).ok_or_else(malformed)?.2;
        }
        let (rid_whole, rid, r) = split_tlv(r).ok_or_else(malformed)?;
        let responder = match rid_whole.first() {
            Some(0xA1) => ResponderId::ByName(next(rid, 0x30)?.0.to_vec()),
            Some(0xA2) => ResponderId::ByKey(next(rid, 0x04)?.1.to_vec()),
            _ => return Err(malformed()),
        };
        let (produced, _, r) = next(r, 0x18)?;
        let produced_at = time_of(produced)?;
        let (_, mut list, _) = next(r, 0x30)?;
        let mut responses = Vec::new();
        while !list.is_empty() {
            if responses.len() >= MAX_RESPONSES {
                return Err(Error::Malformed("OCSP response with too many entries"));
            }
            let (_, one, rest) = next(list, 0x30)?;
            responses.push(single_response(one)?);
            list = rest;
        }
        let start = whole.len() - content.len();
        let tbs_range = start..start + tbs_whole.len();
        Ok(Self {
            der: whole.to_vec(),
            tbs: tbs_range,
            signature_algorithm: alg.to_vec(),
            signature,
            responder,
            produced_at,
            responses,
            certificates,
        })
    }

    /// The DER of the BasicOCSPResponse.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// producedAt.
    pub fn produced_at(&self) -> OffsetDateTime {
        self.produced_at
    }

    /// The earliest nextUpdate of its single responses (`None` when none gives one): how
    /// long the response may be kept.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.responses.iter().filter_map(|r| r.next_update).min()
    }

    /// The single response about `cert`, issued by `issuer`, if the response has one.
    pub fn response_for(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Option<&SingleResponse> {
        let serial = strip(cert.serial());
        let name = issuer.subject_der();
        let key = issuer.public_key_bits();
        self.responses.iter().find(|r| {
            r.serial == serial
                && hash(&r.hash_algorithm, &name).is_some_and(|h| h == r.issuer_name_hash)
                && hash(&r.hash_algorithm, key).is_some_and(|h| h == r.issuer_key_hash)
        })
    }

    fn signed_by(&self, who: &Certificate) -> bool {
        match &self.responder {
            ResponderId::ByName(n) => who.subject_der() == *n,
            ResponderId::ByKey(k) => sha1::Sha1::digest(who.public_key_bits()).as_slice() == k,
        }
    }

    fn signature_verifies(&self, who: &Certificate, verifier: &dyn SignatureVerifier) -> bool {
        let Some(tbs) = self.der.get(self.tbs.clone()) else {
            return false;
        };
        verifier.verify(
            &who.public_key(),
            &self.signature_algorithm,
            tbs,
            &self.signature,
        ) == Verification::Valid
    }

    /// The certificate carried in the response that signed it (a delegated responder's),
    /// when there is one.
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        self.certificates.iter().find(|c| self.signed_by(c))
    }

    /// Who may speak for certificates of `issuer` and signed this response, at time `t`:
    /// the issuer itself, or a delegated responder certificate carried in the response,
    /// signed by the issuer, with id-kp-OCSPSigning, valid at `t`. `Err` says why not.
    pub fn authorise(
        &self,
        issuer: &Certificate,
        t: OffsetDateTime,
        verifier: &dyn SignatureVerifier,
    ) -> Result<Responder, String> {
        if self.signed_by(issuer) {
            return if self.signature_verifies(issuer, verifier) {
                Ok(Responder::Issuer)
            } else {
                Err("the OCSP response signature does not verify".to_owned())
            };
        }
        let Some(delegate) = self.certificates.iter().find(|c| self.signed_by(c)) else {
            return Err(
                "the OCSP responder is neither the issuer nor a certificate in the response"
                    .to_owned(),
            );
        };
        if !self.signature_verifies(delegate, verifier) {
            return Err("the OCSP response signature does not verify".to_owned());
        }
        if !issuer.is_issuer_of(delegate)
            || verifier.verify(
                &issuer.public_key(),
                delegate.signature_algorithm_der(),
                delegate.tbs(),
                delegate.signature(),
            ) != Verification::Valid
        {
            return Err(
                "the OCSP responder's certificate was not issued by the certificate's issuer"
                    .to_owned(),
            );
        }
        if !delegate
            .extended_key_usage()
            .is_some_and(|e| e.purposes.iter().any(|p| p == OCSP_SIGNING))
        {
            return Err(
                "the OCSP responder's certificate lacks the OCSPSigning purpose".to_owned(),
            );
        }
        if t < delegate.not_before() || delegate.not_after() < t {
            return Err(
                "the OCSP responder's certificate is outside its validity period".to_owned(),
            );
        }
        Ok(Responder::Delegated {
            no_check: delegate.has_extension(OCSP_NOCHECK),
        })
    }
}

/// Who signed a usable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Responder {
    /// The certificate's issuer.
    Issuer,
    /// A delegated responder; `no_check`: it carries id-pkix-ocsp-nocheck.
    Delegated {
        /// id-pkix-ocsp-nocheck present.
        no_check: bool,
    },
}

/// Entry point for fuzzing: decodes arbitrary bytes as an OCSP response.
pub(crate) fn fuzz(data: &[u8]) {
    if let Ok(r) = OcspResponse::from_der(data) {
        let _ = r.produced_at();
        let _ = r.der().len();
    }
}

/// One DER element: tag, definite length, content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// The DER of an `OCSPRequest` (RFC 6960 4.1.1) asking about `cert`, issued by `issuer`:
/// one request, unsigned, no nonce, its CertID hashed with SHA-1 as responders expect
/// (RFC 5019 2.1.1).
///
/// ```text
/// OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT ... OPTIONAL }
/// TBSRequest  ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
///                            requestorName [1] EXPLICIT GeneralName OPTIONAL,
///                            requestList SEQUENCE OF Request,
///                            requestExtensions [2] EXPLICIT Extensions OPTIONAL }
/// Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] ... OPTIONAL }
/// CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier,
///                            issuerNameHash OCTET STRING, issuerKeyHash OCTET STRING,
///                            serialNumber CertificateSerialNumber }
/// ```
///
/// Without a nonce a responder may answer from a precomputed response, and a cached answer
/// stays usable: freshness is judged from thisUpdate/nextUpdate like for a CRL.
pub fn request_der(cert: &Certificate, issuer: &Certificate) -> Vec<u8> {
    // sha1 with NULL parameters.
    const SHA1_ALG: [u8; 11] = [
        0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
    ];
    let name_hash = sha1::Sha1::digest(issuer.subject_der());
    let key_hash = sha1::Sha1::digest(issuer.public_key_bits());
    // A positive INTEGER: a leading zero when the first bit is set (serial() drops zeros).
    let mut serial = Vec::with_capacity(cert.serial().len() + 1);
    if cert.serial().first().is_none_or(|b| b & 0x80 != 0) {
        serial.push(0);
    }
    serial.extend_from_slice(cert.serial());
    let mut cert_id = SHA1_ALG.to_vec();
    cert_id.extend(tlv(0x04, &name_hash));
    cert_id.extend(tlv(0x04, &key_hash));
    cert_id.extend(tlv(0x02, &serial));
    let request = tlv(0x30, &tlv(0x30, &cert_id));
    let request_list = tlv(0x30, &request);
    let tbs_request = tlv(0x30, &request_list);
    tlv(0x30, &tbs_request)
}
