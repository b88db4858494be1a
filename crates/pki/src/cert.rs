//! A certificate decoded once, with the facts path validation needs precomputed.

use der::{Decode, Encode};
use sha2::Digest;
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use crate::{derx, names, Error, PublicKeyRef};

/// Extensions this crate understands (RFC 5280 4.2 and ETSI EN 319 412-5); any other
/// extension marked critical makes the certificate unusable in a path.
const UNDERSTOOD_EXTENSIONS: [&str; 14] = [
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.15",         // keyUsage
    "2.5.29.19",         // basicConstraints
    "2.5.29.37",         // extKeyUsage
    "2.5.29.32",         // certificatePolicies (any policy accepted)
    "2.5.29.17",         // subjectAltName
    "2.5.29.18",         // issuerAltName
    "2.5.29.31",         // cRLDistributionPoints
    "2.5.29.46",         // freshestCRL
    "2.5.29.9",          // subjectDirectoryAttributes
    "2.5.29.16",         // privateKeyUsagePeriod
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
    "1.3.6.1.5.5.7.1.3", // qcStatements
];

/// Revocation URLs kept per certificate, at most.
const MAX_URLS: usize = 8;

/// A GeneralName that is an `http://` or `https://` URI (scheme compared without case).
fn http_uri(name: &GeneralName) -> Option<String> {
    let GeneralName::UniformResourceIdentifier(uri) = name else {
        return None;
    };
    let s = uri.as_str();
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| s.to_owned())
}

/// id-etsi-qcs-QcCompliance (ETSI EN 319 412-5).
const QC_COMPLIANCE: [u8; 8] = [0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x01];

/// What kind of key a certificate carries, for the algorithm policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDescription {
    /// RSA with a modulus of this many bits.
    Rsa(u32),
    /// ECDSA on a named curve (OID).
    Ec(String),
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// Anything else (OID).
    Other(String),
}

impl KeyDescription {
    /// A short name for reports (`RSA 2048`, `EC P-256`, ...).
    pub fn name(&self) -> String {
        match self {
            Self::Rsa(bits) => format!("RSA {bits}"),
            Self::Ec(curve) => format!("EC {}", curve_name(curve)),
            Self::Ed25519 => "Ed25519".to_owned(),
            Self::Ed448 => "Ed448".to_owned(),
            Self::Other(oid) => oid.clone(),
        }
    }
}

/// The usual name of a named curve OID.
pub fn curve_name(oid: &str) -> &str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        other => other,
    }
}

/// A decoded certificate.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    cert: x509_cert::Certificate,
    tbs: std::ops::Range<usize>,
    signature_algorithm: Vec<u8>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    subject_norm: Vec<Vec<(String, String)>>,
    issuer_norm: Vec<Vec<(String, String)>>,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    unknown_critical: Vec<String>,
    policies: Vec<String>,
    qc_compliance: bool,
    curve: Option<String>,
    extended_key_usage: Option<ExtendedKeyUsageFacts>,
}

/// The extendedKeyUsage extension: whether it is critical and the purposes it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedKeyUsageFacts {
    /// Whether the extension is marked critical.
    pub critical: bool,
    /// The key purpose OIDs, dotted.
    pub purposes: Vec<String>,
}

pub(crate) fn to_offset(t: &x509_cert::time::Time) -> OffsetDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl Certificate {
    /// Decodes a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let cert =
            x509_cert::Certificate::from_der(der).map_err(|_| Error::Malformed("certificate"))?;
        let tbs_bytes = derx::first_inner(der).ok_or(Error::Malformed("certificate"))?;
        // The TBS starts right after the outer header.
        let start = der.len() - derx::split_tlv(der).map_or(0, |(_, c, _)| c.len());
        let tbs = start..start + tbs_bytes.len();
        let signature_algorithm = cert
            .signature_algorithm
            .to_der()
            .map_err(|_| Error::Malformed("certificate signature algorithm"))?;
        let t = &cert.tbs_certificate;
        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut unknown_critical = Vec::new();
        let mut policies = Vec::new();
        let mut qc_compliance = false;
        let mut extended_key_usage = None;
        for ext in t.extensions.iter().flatten() {
            let oid = ext.extn_id.to_string();
            let value = ext.extn_value.as_bytes();
            match oid.as_str() {
                "2.5.29.19" => {
                    basic_constraints = Some(
                        BasicConstraints::from_der(value)
                            .map_err(|_| Error::Malformed("basicConstraints"))?,
                    )
                }
                "2.5.29.15" => {
                    key_usage =
                        Some(KeyUsage::from_der(value).map_err(|_| Error::Malformed("keyUsage"))?)
                }
                "2.5.29.14" => {
                    subject_key_id = SubjectKeyIdentifier::from_der(value)
                        .ok()
                        .map(|s| s.0.as_bytes().to_vec())
                }
                "2.5.29.35" => {
                    authority_key_id = AuthorityKeyIdentifier::from_der(value)
                        .ok()
                        .and_then(|a| a.key_identifier)
                        .map(|k| k.as_bytes().to_vec())
                }
                "2.5.29.32" => {
                    if let Ok(p) = CertificatePolicies::from_der(value) {
                        policies =
                            p.0.iter()
                                .map(|i| i.policy_identifier.to_string())
                                .collect();
                    }
                }
                "2.5.29.37" => {
                    // A malformed list grants no purpose (it was not a reason to refuse
                    // the certificate before purposes were read).
                    extended_key_usage = Some(ExtendedKeyUsageFacts {
                        critical: ext.critical,
                        purposes: ExtendedKeyUsage::from_der(value)
                            .map(|e| e.0.iter().map(ToString::to_string).collect())
                            .unwrap_or_default(),
                    });
                }
                "1.3.6.1.5.5.7.1.3" => {
                    qc_compliance = value
                        .windows(QC_COMPLIANCE.len())
                        .any(|w| w == QC_COMPLIANCE)
                }
                _ => {}
            }
            if ext.critical && !UNDERSTOOD_EXTENSIONS.contains(&oid.as_str()) {
                unknown_critical.push(oid);
            }
        }
        let curve = t
            .subject_public_key_info
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
            .map(|o| o.to_string());
        Ok(Self {
            der: der.to_vec(),
            tbs,
            signature_algorithm,
            not_before: to_offset(&t.validity.not_before),
            not_after: to_offset(&t.validity.not_after),
            subject_norm: names::normalized(&t.subject),
            issuer_norm: names::normalized(&t.issuer),
            basic_constraints,
            key_usage,
            subject_key_id,
            authority_key_id,
            unknown_critical,
            policies,
            qc_compliance,
            curve,
            extended_key_usage,
            cert,
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the DER encoding, lower-case hex.
    pub fn sha256_hex(&self) -> String {
        sha2::Sha256::digest(&self.der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The `tbsCertificate` exactly as encoded (what the issuer signed).
    pub fn tbs(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The DER `AlgorithmIdentifier` of the issuer's signature.
    pub fn signature_algorithm_der(&self) -> &[u8] {
        &self.signature_algorithm
    }

    /// The issuer's signature algorithm OID.
    pub fn signature_algorithm_oid(&self) -> String {
        self.cert.signature_algorithm.oid.to_string()
    }

    /// The issuer's signature value.
    pub fn signature(&self) -> &[u8] {
        self.cert.signature.raw_bytes()
    }

    /// The subject name.
    pub fn subject(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    /// The issuer name.
    pub fn issuer(&self) -> &Name {
        &self.cert.tbs_certificate.issuer
    }

    /// A readable label: the subject common name, else the whole subject.
    pub fn label(&self) -> String {
        names::attribute(self.subject(), "2.5.4.3").unwrap_or_else(|| self.subject().to_string())
    }

    /// Whether this certificate's subject is `other`'s issuer (RFC 5280 name chaining).
    pub fn is_issuer_of(&self, other: &Certificate) -> bool {
        let same = match (self.subject().to_der(), other.issuer().to_der()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        same || self.subject_norm == other.issuer_norm
    }

    /// Whether subject and issuer are the same name.
    pub fn is_self_issued(&self) -> bool {
        self.subject_norm == self.issuer_norm
    }

    /// The serial number octets (leading zeros removed).
    pub fn serial(&self) -> &[u8] {
        let b = self.cert.tbs_certificate.serial_number.as_bytes();
        let n = b.iter().take_while(|x| **x == 0).count();
        b.get(n..).unwrap_or_default()
    }

    /// notBefore.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// notAfter.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// The X.509 version (0 for v1, 2 for v3).
    pub fn version(&self) -> u8 {
        self.cert.tbs_certificate.version as u8
    }

    /// basicConstraints: `Some((ca, pathLen))` when the extension is present.
    pub fn basic_constraints(&self) -> Option<(bool, Option<u8>)> {
        self.basic_constraints
            .as_ref()
            .map(|b| (b.ca, b.path_len_constraint))
    }

    /// Whether the keyUsage extension is absent or allows `usage`.
    fn key_usage_allows(&self, usage: KeyUsages) -> bool {
        self.key_usage.as_ref().is_none_or(|k| k.0.contains(usage))
    }

    /// Whether the key may sign certificates (keyUsage keyCertSign, or no keyUsage).
    pub fn may_sign_certificates(&self) -> bool {
        self.key_usage_allows(KeyUsages::KeyCertSign)
    }

    /// Whether the key may sign CRLs (keyUsage cRLSign, or no keyUsage).
    pub fn may_sign_crls(&self) -> bool {
        self.key_usage_allows(KeyUsages::CRLSign)
    }

    /// Whether the key may make signatures on documents: keyUsage absent, or with
    /// nonRepudiation (contentCommitment) or digitalSignature.
    pub fn may_sign_documents(&self) -> bool {
        self.key_usage.as_ref().is_none_or(|k| {
            k.0.contains(KeyUsages::NonRepudiation) || k.0.contains(KeyUsages::DigitalSignature)
        })
    }

    /// The DER of the subject name (as `x509-cert` re-encodes it: DER input round-trips).
    pub fn subject_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate
            .subject
            .to_der()
            .unwrap_or_default()
    }

    /// The subjectPublicKey BIT STRING's bytes (what OCSP key hashes cover).
    pub fn public_key_bits(&self) -> &[u8] {
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }

    /// The `http://` and `https://` URIs of the cRLDistributionPoints extension (full names
    /// only; relative names and other schemes such as `ldap://` are left out), at most 8.
    pub fn crl_urls(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ext in self.cert.tbs_certificate.extensions.iter().flatten() {
            if ext.extn_id.to_string() != "2.5.29.31" {
                continue;
            }
            let Ok(points) = CrlDistributionPoints::from_der(ext.extn_value.as_bytes()) else {
                continue;
            };
            for p in &points.0 {
                if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                    out.extend(names.iter().filter_map(http_uri));
                }
            }
        }
        out.truncate(MAX_URLS);
        out
    }

    /// The `http://` and `https://` OCSP responder URIs of the authorityInfoAccess
    /// extension (id-ad-ocsp), at most 8.
    pub fn ocsp_urls(&self) -> Vec<String> {
        const ID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
        let mut out = Vec::new();
        for ext in self.cert.tbs_certificate.extensions.iter().flatten() {
            if ext.extn_id.to_string() != "1.3.6.1.5.5.7.1.1" {
                continue;
            }
            let Ok(aia) = AuthorityInfoAccessSyntax::from_der(ext.extn_value.as_bytes()) else {
                continue;
            };
            out.extend(
                aia.0
                    .iter()
                    .filter(|d| d.access_method.to_string() == ID_AD_OCSP)
                    .filter_map(|d| http_uri(&d.access_location)),
            );
        }
        out.truncate(MAX_URLS);
        out
    }

    /// Whether an extension with this OID is present.
    pub fn has_extension(&self, oid: &str) -> bool {
        self.cert
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .any(|e| e.extn_id.to_string() == oid)
    }

    /// The extendedKeyUsage extension, when present.
    pub fn extended_key_usage(&self) -> Option<&ExtendedKeyUsageFacts> {
        self.extended_key_usage.as_ref()
    }

    /// The subject key identifier.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// The authority key identifier's keyIdentifier.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// Critical extensions this crate does not understand (OIDs).
    pub fn unknown_critical_extensions(&self) -> &[String] {
        &self.unknown_critical
    }

    /// The public key for signature checks.
    pub fn public_key(&self) -> PublicKeyRef<'_> {
        let spki = &self.cert.tbs_certificate.subject_public_key_info;
        PublicKeyRef {
            algorithm: oid_str(&spki.algorithm.oid),
            curve: self.curve.as_deref(),
            key: spki.subject_public_key.raw_bytes(),
        }
    }

    /// The key type and size, for the algorithm policy.
    pub fn key_description(&self) -> KeyDescription {
        let spki = &self.cert.tbs_certificate.subject_public_key_info;
        match spki.algorithm.oid.to_string().as_str() {
            "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
                match derx::rsa_modulus_bits(spki.subject_public_key.raw_bytes()) {
                    Some(bits) => KeyDescription::Rsa(bits),
                    None => KeyDescription::Other("malformed RSA key".to_owned()),
                }
            }
            "1.2.840.10045.2.1" => KeyDescription::Ec(self.curve.clone().unwrap_or_default()),
            "1.3.101.112" => KeyDescription::Ed25519,
            "1.3.101.113" => KeyDescription::Ed448,
            other => KeyDescription::Other(other.to_owned()),
        }
    }

    /// A hint that this is an Italian qualified certificate: issued under Italian law
    /// (issuer country IT) and declaring qualified status (ETSI QcCompliance statement) or a
    /// certificate policy in the Italian arc 1.3.76 registered for accredited certifiers.
    /// Qualified status proper comes from trusted lists; this hint only scopes the dated
    /// Italian exception of the algorithm policy.
    pub fn italian_qualified_hint(&self) -> bool {
        let italian = names::attribute(self.issuer(), "2.5.4.6")
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("IT"));
        italian && (self.qc_compliance || self.policies.iter().any(|p| p.starts_with("1.3.76.")))
    }
}

/// Dotted OIDs of key algorithms as static strings (the public-key view borrows them).
fn oid_str(oid: &der::asn1::ObjectIdentifier) -> &'static str {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "1.2.840.113549.1.1.1",
        "1.2.840.113549.1.1.10" => "1.2.840.113549.1.1.10",
        "1.2.840.10045.2.1" => "1.2.840.10045.2.1",
        "1.3.101.112" => "1.3.101.112",
        "1.3.101.113" => "1.3.101.113",
        _ => "unknown",
    }
}
