//! What a certificate says about itself that qualified status depends on: its ETSI QC
//! statements (ETSI EN 319 412-5), certificate policies and key usage.
//!
//! ```text
//! QCStatements ::= SEQUENCE OF QCStatement
//! QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY OPTIONAL }
//! QcType ::= SEQUENCE OF OBJECT IDENTIFIER (id-etsi-qct-esign | -eseal | -web)
//! ```
//! (RFC 3739 clause 3.2.6; ETSI EN 319 412-5 clause 4.)

use der::asn1::{Any, BitString, ObjectIdentifier};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use time::OffsetDateTime;
use x509_cert::ext::pkix::CertificatePolicies;

const QC_STATEMENTS: &str = "1.3.6.1.5.5.7.1.3";
const QC_COMPLIANCE: &str = "0.4.0.1862.1.1";
const QC_SSCD: &str = "0.4.0.1862.1.4";
const QC_TYPE: &str = "0.4.0.1862.1.6";
const QCT_ESIGN: &str = "0.4.0.1862.1.6.1";
const QCT_ESEAL: &str = "0.4.0.1862.1.6.2";
const QCT_WEB: &str = "0.4.0.1862.1.6.3";

/// The declared purpose of a qualified certificate (`QcType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QcType {
    /// For electronic signatures.
    ESign,
    /// For electronic seals.
    ESeal,
    /// For website authentication.
    Web,
}

/// The facts of a certificate used to decide qualified status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateFacts {
    /// QcCompliance: issued as a qualified certificate.
    pub qc_compliance: bool,
    /// QcSSCD: the private key is on a (qualified) signature creation device.
    pub qc_sscd: bool,
    /// QcType values.
    pub qc_types: Vec<QcType>,
    /// Certificate policy OIDs (dotted).
    pub policies: Vec<String>,
    /// Key usage bits set, by position (0 = digitalSignature, 1 = nonRepudiation, ...).
    pub key_usage: Option<Vec<bool>>,
    /// notBefore: taken as the time of issuance.
    pub issued: Option<OffsetDateTime>,
}

/// Key usage bit names as trusted lists write them (RFC 5280 order).
pub const KEY_USAGE_NAMES: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "crlSign",
    "encipherOnly",
    "decipherOnly",
];

/// Reads one TLV after another from `bytes`.
fn items(bytes: &[u8]) -> Vec<Any> {
    let mut out = Vec::new();
    let Ok(mut r) = SliceReader::new(bytes) else {
        return out;
    };
    while !r.is_finished() {
        match Any::decode(&mut r) {
            Ok(a) => out.push(a),
            Err(_) => break,
        }
    }
    out
}

fn qc_statements(value: &[u8], facts: &mut CertificateFacts) {
    let Ok(top) = Any::from_der(value) else {
        return;
    };
    if top.tag() != Tag::Sequence {
        return;
    }
    for statement in items(top.value()) {
        if statement.tag() != Tag::Sequence {
            continue;
        }
        let parts = items(statement.value());
        let Some(id) = parts
            .first()
            .and_then(|a| a.decode_as::<ObjectIdentifier>().ok())
        else {
            continue;
        };
        match id.to_string().as_str() {
            QC_COMPLIANCE => facts.qc_compliance = true,
            QC_SSCD => facts.qc_sscd = true,
            QC_TYPE => {
                if let Some(info) = parts.get(1).filter(|a| a.tag() == Tag::Sequence) {
                    for t in items(info.value()) {
                        match t.decode_as::<ObjectIdentifier>().map(|o| o.to_string()) {
                            Ok(o) if o == QCT_ESIGN => facts.qc_types.push(QcType::ESign),
                            Ok(o) if o == QCT_ESEAL => facts.qc_types.push(QcType::ESeal),
                            Ok(o) if o == QCT_WEB => facts.qc_types.push(QcType::Web),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

impl CertificateFacts {
    /// Reads the facts from a DER certificate; an unreadable extension counts as absent.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let cert = x509_cert::Certificate::from_der(der).ok()?;
        let tbs = &cert.tbs_certificate;
        let mut facts = CertificateFacts {
            issued: OffsetDateTime::from_unix_timestamp(
                i64::try_from(tbs.validity.not_before.to_unix_duration().as_secs()).ok()?,
            )
            .ok(),
            ..Default::default()
        };
        for ext in tbs.extensions.iter().flatten() {
            let value = ext.extn_value.as_bytes();
            match ext.extn_id.to_string().as_str() {
                QC_STATEMENTS => qc_statements(value, &mut facts),
                "2.5.29.32" => {
                    if let Ok(p) = CertificatePolicies::from_der(value) {
                        facts.policies =
                            p.0.iter()
                                .map(|i| i.policy_identifier.to_string())
                                .collect();
                    }
                }
                "2.5.29.15" => {
                    if let Ok(bits) = BitString::from_der(value) {
                        let raw = bits.raw_bytes();
                        facts.key_usage = Some(
                            (0..KEY_USAGE_NAMES.len())
                                .map(|i| {
                                    raw.get(i / 8).is_some_and(|b| b & (0x80u8 >> (i % 8)) != 0)
                                })
                                .collect(),
                        );
                    }
                }
                _ => {}
            }
        }
        Some(facts)
    }

    /// Whether the key usage bit called `name` (as in a trusted list) is set.
    pub fn key_usage_bit(&self, name: &str) -> Option<bool> {
        let i = KEY_USAGE_NAMES.iter().position(|n| *n == name)?;
        Some(
            self.key_usage
                .as_ref()
                .and_then(|k| k.get(i).copied())
                .unwrap_or(false),
        )
    }
}
