//! Trust material given by the user: certificates (trust anchors that also serve to find
//! signer certificates), CRLs, OCSP responses and trusted lists. The kind is detected from the content.
//!
//! Certificates are decoded for path building (`lavoro-agile-pki`) as they are added, CRLs
//! too; trusted lists are evaluated together (`lavoro-agile-trustlist`) the first time they
//! are needed after the last one was added: their CA services become anchors for
//! signatures, their TSA services anchors for timestamps.

use std::sync::{Arc, OnceLock};

use lavoro_agile_trustlist::TrustedListSet;

use lavoro_agile_cades::armor::decode_base64_text;
use lavoro_agile_cades::ber::{universal, Tlv};
use lavoro_agile_cades::cert::CertificateInfo;

/// What a piece of trust material turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    /// One or more X.509 certificates.
    Certificates,
    /// A certificate revocation list.
    Crl,
    /// An ETSI TS 119 612 trusted list (XML).
    TrustedList,
    /// An OCSP response (RFC 6960, DER `OCSPResponse` or `BasicOCSPResponse`).
    OcspResponse,
}

/// Where a piece of trust material came from, as the report header says it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrustOrigin {
    /// Given by the user for this check (`--trust`, or picked in the app).
    Given {
        /// The file it was read from.
        path: String,
    },
    /// The `trust` pack IT installed on this computer.
    Pack {
        /// The pack's version.
        version: u64,
        /// The file it was read from.
        path: String,
    },
    /// Shipped with the application (`resources/trust/`).
    Bundled {
        /// The file it was read from.
        path: String,
    },
}

impl TrustOrigin {
    /// In plain words, Italian and English.
    pub fn words(&self) -> (String, String) {
        match self {
            TrustOrigin::Given { path } => (
                format!("indicato per questa verifica ({path})"),
                format!("given for this check ({path})"),
            ),
            TrustOrigin::Pack { version, path } => (
                format!("pacchetto «trust» installato, versione {version} ({path})"),
                format!("installed “trust” pack, version {version} ({path})"),
            ),
            TrustOrigin::Bundled { path } => (
                format!("fornito con l'applicazione ({path})"),
                format!("shipped with the application ({path})"),
            ),
        }
    }
}

/// Why trust material was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Not a certificate, CRL or trusted list.
    #[error("not a certificate, CRL or trusted list")]
    Unrecognised,
}

/// Trust anchors and the other material given.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Arc<CertificateInfo>>,
    crls: Vec<Vec<u8>>,
    trusted_lists: Vec<Vec<u8>>,
    path_anchors: Vec<Arc<lavoro_agile_pki::Certificate>>,
    path_crls: Vec<Arc<lavoro_agile_pki::Crl>>,
    /// Shared by every file checked with this store (and its clones): see
    /// [`TrustStore::cache`].
    cache: Arc<lavoro_agile_pki::cache::Cache>,
    /// The trusted lists evaluated as a set; reset when a list is added.
    list_set: OnceLock<Arc<TrustedListSet>>,
    path_ocsp: Vec<Arc<lavoro_agile_pki::ocsp::OcspResponse>>,
    /// Where each item came from, by the SHA-256 (lower-case hex) of its bytes.
    origins: Vec<(String, TrustOrigin)>,
    /// Online revocation checking (`--online`); shared by clones, like the cache.
    online: Option<Arc<crate::online::Online>>,
}

fn pem_blocks(text: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let s = String::from_utf8_lossy(text);
    let mut rest: &str = &s;
    while let Some(start) = rest.find("-----BEGIN ") {
        let Some(after) = rest.get(start + 11..) else {
            break;
        };
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after.get(..label_end).unwrap_or_default().to_owned();
        let Some(body_and_more) = after.get(label_end + 5..) else {
            break;
        };
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_and_more.find(&end_marker) else {
            break;
        };
        if let Some(der) = body_and_more
            .get(..end)
            .and_then(|b| decode_base64_text(b.as_bytes()))
        {
            out.push((label, der));
        }
        rest = body_and_more
            .get(end + end_marker.len()..)
            .unwrap_or_default();
    }
    out
}

/// Whether DER bytes look like a CRL: `CertificateList ::= SEQUENCE { tbsCertList
/// SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
/// thisUpdate Time, ... } ... }` — the element after the issuer is a time, where a
/// certificate has a validity SEQUENCE.
fn looks_like_crl(der: &[u8]) -> bool {
    let Ok(top) = Tlv::parse_exact(der) else {
        return false;
    };
    let Ok(mut r) = top.children() else {
        return false;
    };
    let Ok(tbs) = r.read("tbs") else { return false };
    let Ok(mut tr) = tbs.children() else {
        return false;
    };
    let mut items = Vec::new();
    while let Ok(Some(t)) = tr.next_tlv() {
        items.push(t.tag);
        if items.len() > 5 {
            break;
        }
    }
    let skip = usize::from(
        items
            .first()
            .is_some_and(|t| t.is_universal(universal::INTEGER)),
    );
    items.get(skip + 2).is_some_and(|t| {
        t.is_universal(universal::UTC_TIME) || t.is_universal(universal::GENERALIZED_TIME)
    })
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one file's worth of trust material, detecting its kind from the content.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<TrustKind, TrustError> {
        let head = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
        let head_text = String::from_utf8_lossy(head);
        if head_text.contains("TrustServiceStatusList") {
            self.trusted_lists.push(bytes.to_vec());
            self.list_set = OnceLock::new();
            return Ok(TrustKind::TrustedList);
        }
        if head_text.contains("-----BEGIN ") {
            let mut kind = None;
            for (label, der) in pem_blocks(bytes) {
                if label.contains("CRL") {
                    self.push_crl(der);
                    kind = kind.or(Some(TrustKind::Crl));
                } else if label.contains("CERTIFICATE") {
                    if let Ok(c) = CertificateInfo::from_bytes(&der) {
                        self.add_anchor(c);
                        kind = Some(TrustKind::Certificates);
                    }
                }
            }
            return kind.ok_or(TrustError::Unrecognised);
        }
        if let Ok(r) = lavoro_agile_pki::ocsp::OcspResponse::from_der(bytes) {
            self.path_ocsp.push(Arc::new(r));
            return Ok(TrustKind::OcspResponse);
        }
        if looks_like_crl(bytes) {
            self.push_crl(bytes.to_vec());
            return Ok(TrustKind::Crl);
        }
        match CertificateInfo::from_bytes(bytes) {
            Ok(c) => {
                self.add_anchor(c);
                Ok(TrustKind::Certificates)
            }
            Err(_) => Err(TrustError::Unrecognised),
        }
    }

    /// [`Self::add_bytes`], remembering where the material came from: the report header
    /// names the origin of each source.
    pub fn add_bytes_from(
        &mut self,
        bytes: &[u8],
        origin: TrustOrigin,
    ) -> Result<TrustKind, TrustError> {
        let before = (
            self.anchors.len(),
            self.crls.len(),
            self.trusted_lists.len(),
            self.path_ocsp.len(),
        );
        let kind = self.add_bytes(bytes)?;
        let mut new: Vec<String> = Vec::new();
        new.extend(self.anchors.iter().skip(before.0).map(|a| a.sha256_hex()));
        new.extend(self.crls.iter().skip(before.1).map(|c| sha256_hex(c)));
        new.extend(
            self.trusted_lists
                .iter()
                .skip(before.2)
                .map(|t| sha256_hex(t)),
        );
        new.extend(
            self.path_ocsp
                .iter()
                .skip(before.3)
                .map(|r| sha256_hex(r.der())),
        );
        for h in new {
            if !self.origins.iter().any(|(k, _)| *k == h) {
                self.origins.push((h, origin.clone()));
            }
        }
        Ok(kind)
    }

    /// Where the item whose bytes have SHA-256 `sha256` (lower-case hex) came from, when
    /// it was added with [`Self::add_bytes_from`].
    pub fn origin(&self, sha256: &str) -> Option<&TrustOrigin> {
        self.origins
            .iter()
            .find(|(k, _)| k == sha256)
            .map(|(_, o)| o)
    }

    /// Adds a certificate already decoded.
    pub fn add_anchor(&mut self, cert: CertificateInfo) {
        match lavoro_agile_pki::Certificate::from_der(cert.der()) {
            Ok(c) => self.path_anchors.push(Arc::new(c)),
            Err(_) => tracing::warn!(
                certificate = %cert.sha256_hex(),
                "trust anchor not usable for path building"
            ),
        }
        self.anchors.push(Arc::new(cert));
    }

    fn push_crl(&mut self, der: Vec<u8>) {
        match lavoro_agile_pki::Crl::from_der(&der) {
            Ok(c) => self.path_crls.push(Arc::new(c)),
            Err(_) => tracing::warn!("CRL not decodable, not used for revocation"),
        }
        self.crls.push(der);
    }

    /// Turns online revocation checking on: revocation data the documents and the store
    /// lack is fetched through `online` (see [`crate::online`]). Off by default.
    pub fn set_online(&mut self, online: crate::online::Online) {
        self.online = Some(Arc::new(online));
    }

    /// Online revocation checking, when on.
    pub fn online(&self) -> Option<&Arc<crate::online::Online>> {
        self.online.as_ref()
    }

    /// The OCSP responses given (used for revocation like CRLs).
    pub fn path_ocsp(&self) -> &[Arc<lavoro_agile_pki::ocsp::OcspResponse>] {
        &self.path_ocsp
    }

    /// The trust anchors decoded for path building.
    pub fn path_anchors(&self) -> &[Arc<lavoro_agile_pki::Certificate>] {
        &self.path_anchors
    }

    /// The CRLs decoded for revocation checking.
    pub fn path_crls(&self) -> &[Arc<lavoro_agile_pki::Crl>] {
        &self.path_crls
    }

    /// The batch cache: certificates and CRLs carried by the documents checked with this
    /// store, decoded once, and certificate/CRL signature checks, done once, however many
    /// documents carry them (`lavoro_agile_pki::cache`). Clones of the store share it, so
    /// the threads of one batch do too.
    pub fn cache(&self) -> &Arc<lavoro_agile_pki::cache::Cache> {
        &self.cache
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[Arc<CertificateInfo>] {
        &self.anchors
    }

    /// Whether `cert` is itself a trust anchor (same DER encoding).
    pub fn is_anchor(&self, cert: &CertificateInfo) -> bool {
        self.anchors.iter().any(|a| a.der() == cert.der())
    }

    /// The CRLs given (kept for revocation checking).
    pub fn crls(&self) -> &[Vec<u8>] {
        &self.crls
    }

    /// The trusted lists given, as bytes.
    pub fn trusted_lists(&self) -> &[Vec<u8>] {
        &self.trusted_lists
    }

    /// The trusted lists given, evaluated together (signatures checked, the national lists
    /// vouched for by a LOTL of the set); `None` when no list was given.
    pub fn trusted_list_set(&self) -> Option<Arc<TrustedListSet>> {
        if self.trusted_lists.is_empty() {
            return None;
        }
        let set = self.list_set.get_or_init(|| {
            let inputs: Vec<&[u8]> = self.trusted_lists.iter().map(Vec::as_slice).collect();
            Arc::new(TrustedListSet::evaluate(
                &inputs,
                &crate::validation::CadesCrypto,
            ))
        });
        Some(Arc::clone(set))
    }
}

/// Evaluates trusted lists given together (signatures checked with this crate's
/// cryptography, national lists vouched for by a LOTL of the set), as
/// [`TrustStore::trusted_list_set`] does; for tools that check lists before shipping them.
pub fn evaluate_trusted_lists(inputs: &[&[u8]]) -> TrustedListSet {
    TrustedListSet::evaluate(inputs, &crate::validation::CadesCrypto)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/cades")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn kinds_are_detected_from_content() {
        let mut t = TrustStore::new();
        assert_eq!(t.add_bytes(&fixture("ca.crl")), Ok(TrustKind::Crl));
        assert_eq!(t.add_bytes(&fixture("ca-crl.pem")), Ok(TrustKind::Crl));
        assert_eq!(
            t.add_bytes(&fixture("trusted-list.xml")),
            Ok(TrustKind::TrustedList)
        );
        assert_eq!(t.add_bytes(&fixture("ca.pem")), Ok(TrustKind::Certificates));
        assert_eq!(
            t.add_bytes(&fixture("signer-rsa.der")),
            Ok(TrustKind::Certificates)
        );
        assert_eq!(t.add_bytes(b"hello"), Err(TrustError::Unrecognised));
        assert_eq!(
            (t.anchors().len(), t.crls().len(), t.trusted_lists().len()),
            (2, 2, 1)
        );
    }
}
