//! X.509 certificates as used for finding a signer: decoding (through `x509-cert`), names,
//! identifiers, public key.

use der::{Decode, Encode};
use lavoro_agile_pki::names::directory_string;
use sha2::Digest;
use x509_cert::Certificate;

use crate::ber::Tlv;
use crate::cms::SignerIdentifier;
use crate::crypto::PublicKey;
use crate::{oids, Error};

/// A decoded certificate with its DER encoding.
#[derive(Debug, Clone)]
pub struct CertificateInfo {
    der: Vec<u8>,
    cert: Certificate,
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    b.get(n..).unwrap_or(&[])
}

impl CertificateInfo {
    /// Decodes a DER certificate (a BER-encoded one is normalised to DER first).
    pub fn from_bytes(raw: &[u8]) -> Result<Self, Error> {
        if let Ok(cert) = Certificate::from_der(raw) {
            return Ok(Self {
                der: raw.to_vec(),
                cert,
            });
        }
        // BER structure or non-DER primitives from older software: decode a repaired copy,
        // but keep the stored bytes, which hashes (ESS references) are computed over.
        let tlv = Tlv::parse_exact(raw)?;
        let repaired = tlv.to_der_lenient()?;
        let cert = Certificate::from_der(&repaired)
            .map_err(|_| Error::Malformed("undecodable certificate"))?;
        let der = if tlv.indefinite || repaired.len() != raw.len() {
            tlv.to_der()?
        } else {
            raw.to_vec()
        };
        Ok(Self { der, cert })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// SHA-256 of the DER encoding, lower-case hex.
    pub fn sha256_hex(&self) -> String {
        sha2::Sha256::digest(&self.der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The values of the subject attribute `oid`, in order.
    pub fn subject_values(&self, oid: &str) -> Vec<String> {
        let mut out = Vec::new();
        for rdn in self.cert.tbs_certificate.subject.0.iter() {
            for atv in rdn.0.iter() {
                if atv.oid.to_string() == oid {
                    out.push(directory_string(&atv.value));
                }
            }
        }
        out
    }

    /// The first value of subject attribute `oid`.
    pub fn subject_value(&self, oid: &str) -> Option<String> {
        self.subject_values(oid).into_iter().next()
    }

    /// The subject common name.
    pub fn common_name(&self) -> Option<String> {
        self.subject_value(oids::COMMON_NAME)
    }

    /// The issuer name in RFC 4514 form.
    pub fn issuer_string(&self) -> String {
        self.cert.tbs_certificate.issuer.to_string()
    }

    /// The subject name in RFC 4514 form.
    pub fn subject_string(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// The common name of the issuer, if any.
    pub fn issuer_common_name(&self) -> Option<String> {
        for rdn in self.cert.tbs_certificate.issuer.0.iter() {
            for atv in rdn.0.iter() {
                if atv.oid.to_string() == oids::COMMON_NAME {
                    return Some(directory_string(&atv.value));
                }
            }
        }
        None
    }

    /// The serial number, hex.
    pub fn serial_hex(&self) -> String {
        strip_zeros(self.cert.tbs_certificate.serial_number.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey<'_> {
        let spki = &self.cert.tbs_certificate.subject_public_key_info;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
            .map(|o| o.to_string());
        PublicKey {
            algorithm: spki.algorithm.oid.to_string(),
            curve,
            key: spki.subject_public_key.raw_bytes(),
        }
    }

    /// The subject key identifier extension value.
    pub fn subject_key_identifier(&self) -> Option<Vec<u8>> {
        let exts = self.cert.tbs_certificate.extensions.as_ref()?;
        let ext = exts
            .iter()
            .find(|e| e.extn_id.to_string() == oids::SUBJECT_KEY_IDENTIFIER)?;
        let os = der::asn1::OctetString::from_der(ext.extn_value.as_bytes()).ok()?;
        Some(os.as_bytes().to_vec())
    }

    /// Whether this certificate is the one a `SignerIdentifier` names.
    pub fn matches(&self, sid: &SignerIdentifier<'_>) -> bool {
        match sid {
            SignerIdentifier::IssuerAndSerial { issuer, serial } => {
                let ours = self.cert.tbs_certificate.serial_number.as_bytes();
                if strip_zeros(ours) != strip_zeros(serial) {
                    return false;
                }
                let Ok(issuer_der) = self.cert.tbs_certificate.issuer.to_der() else {
                    return false;
                };
                issuer.raw == issuer_der.as_slice()
                    || issuer.to_der().is_ok_and(|d| d == issuer_der)
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                if self
                    .subject_key_identifier()
                    .is_some_and(|k| k.as_slice() == ski.as_ref())
                {
                    return true;
                }
                // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
                let h = sha1::Sha1::digest(self.public_key().key);
                h[..] == *ski.as_ref()
            }
        }
    }

    /// Whether issuer and serial equal the given DER issuer name and serial octets.
    pub fn has_issuer_serial(&self, issuer_der: &[u8], serial: &[u8]) -> bool {
        strip_zeros(self.cert.tbs_certificate.serial_number.as_bytes()) == strip_zeros(serial)
            && self
                .cert
                .tbs_certificate
                .issuer
                .to_der()
                .is_ok_and(|d| d == issuer_der)
    }
}
