//! Certificate revocation lists (RFC 5280 5): decoding, scope, and the entry for a serial.

use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::name::Name;

use crate::cert::to_offset;
use crate::{derx, names, Error};

/// CRLs with more entries than this are refused (a national CA's full CRL is far smaller).
pub const MAX_ENTRIES: usize = 1_000_000;

/// CRL extensions understood; any other critical one makes the CRL unusable.
const UNDERSTOOD_CRL_EXTENSIONS: [&str; 6] = [
    "2.5.29.20", // cRLNumber
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.28", // issuingDistributionPoint (scope checked)
    "2.5.29.18", // issuerAltName
    "2.5.29.46", // freshestCRL
    "2.5.29.60", // expiredCertsOnCRL (not used to widen what a CRL proves)
];

/// Which certificates a CRL speaks for (issuingDistributionPoint, RFC 5280 5.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every certificate of the issuer.
    All,
    /// End-entity certificates only.
    UserCertificates,
    /// CA certificates only.
    CaCertificates,
    /// A partial or indirect CRL this crate does not use (some reasons only, indirect,
    /// attribute certificates, delta CRL, unknown critical extension).
    Unsupported,
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When it was revoked.
    pub revocation_date: OffsetDateTime,
    /// The CRLReason code, if given (RFC 5280 5.3.1).
    pub reason: Option<u8>,
}

/// A decoded CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
    issuer: Name,
    issuer_norm: Vec<Vec<(String, String)>>,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    entries: Vec<(Vec<u8>, Entry)>,
    scope: Scope,
}

fn strip(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    b.get(n..).unwrap_or_default()
}

impl Crl {
    /// Decodes a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let list =
            x509_cert::crl::CertificateList::from_der(der).map_err(|_| Error::Malformed("CRL"))?;
        let tbs_bytes = derx::first_inner(der).ok_or(Error::Malformed("CRL"))?;
        let start = der.len() - derx::split_tlv(der).map_or(0, |(_, c, _)| c.len());
        let tbs = start..start + tbs_bytes.len();
        let signature_algorithm = list
            .signature_algorithm
            .to_der()
            .map_err(|_| Error::Malformed("CRL signature algorithm"))?;
        let t = &list.tbs_cert_list;
        let revoked = t.revoked_certificates.as_deref().unwrap_or_default();
        if revoked.len() > MAX_ENTRIES {
            return Err(Error::Malformed("CRL with too many entries"));
        }
        let mut scope = Scope::All;
        for ext in t.crl_extensions.iter().flatten() {
            let oid = ext.extn_id.to_string();
            if oid == "2.5.29.28" {
                match IssuingDistributionPoint::from_der(ext.extn_value.as_bytes()) {
                    Ok(idp) => {
                        if idp.only_some_reasons.is_some()
                            || idp.indirect_crl
                            || idp.only_contains_attribute_certs
                        {
                            scope = Scope::Unsupported;
                        } else if idp.only_contains_user_certs {
                            scope = Scope::UserCertificates;
                        } else if idp.only_contains_ca_certs {
                            scope = Scope::CaCertificates;
                        }
                    }
                    Err(_) => scope = Scope::Unsupported,
                }
            } else if ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.contains(&oid.as_str()) {
                // A delta CRL indicator (2.5.29.27) lands here too: deltas are not used.
                scope = Scope::Unsupported;
            }
        }
        let mut entries = Vec::with_capacity(revoked.len());
        for r in revoked {
            let mut reason = None;
            for ext in r.crl_entry_extensions.iter().flatten() {
                match ext.extn_id.to_string().as_str() {
                    // reasonCode ::= ENUMERATED
                    "2.5.29.21" => {
                        if let Some((_, c, _)) = derx::split_tlv(ext.extn_value.as_bytes()) {
                            reason = c.last().copied();
                        }
                    }
                    // certificateIssuer: an indirect CRL entry, not used.
                    "2.5.29.29" => scope = Scope::Unsupported,
                    _ if ext.critical && ext.extn_id.to_string() != "2.5.29.24" => {
                        scope = Scope::Unsupported
                    }
                    _ => {}
                }
            }
            entries.push((
                strip(r.serial_number.as_bytes()).to_vec(),
                Entry {
                    revocation_date: to_offset(&r.revocation_date),
                    reason,
                },
            ));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Self {
            der: der.to_vec(),
            tbs,
            signature_algorithm,
            signature: list.signature.raw_bytes().to_vec(),
            issuer_norm: names::normalized(&t.issuer),
            issuer: t.issuer.clone(),
            this_update: to_offset(&t.this_update),
            next_update: t.next_update.as_ref().map(to_offset),
            entries,
            scope,
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The `tbsCertList` exactly as encoded (what the issuer signed).
    pub fn tbs(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The DER `AlgorithmIdentifier` of the CRL signature.
    pub fn signature_algorithm_der(&self) -> &[u8] {
        &self.signature_algorithm
    }

    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The issuer name.
    pub fn issuer(&self) -> &Name {
        &self.issuer
    }

    /// Whether the CRL issuer name equals `name` (RFC 5280 7.1 comparison).
    pub fn issued_by_name(&self, name: &Name) -> bool {
        let same = match (self.issuer.to_der(), name.to_der()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        same || self.issuer_norm == names::normalized(name)
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// nextUpdate.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// The scope.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The entry for a certificate serial number (octets, leading zeros ignored).
    pub fn entry(&self, serial: &[u8]) -> Option<&Entry> {
        let s = strip(serial);
        self.entries
            .binary_search_by(|(k, _)| k.as_slice().cmp(s))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, e)| e)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the CRL lists no certificate.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
