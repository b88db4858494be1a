//! ETSI TS 119 612 trusted lists: the EU list of trusted lists (LOTL) and national lists
//! such as AgID's TSL-IT.
//!
//! What it does: parse a list into providers and services with their status history,
//! type, digital identities and qualifiers ([`parse`]); check a list's enveloped XML-DSig
//! signature with the canonicalisation it names ([`dsig`], [`c14n`]); decide which lists of
//! a set may be used (a national list only when signed with a certificate a LOTL publishes
//! for its territory) and turn their services into trust anchors for signatures (CA/QC)
//! and timestamps (TSA/QTST) ([`TrustedListSet`]); and tell the qualified status of a
//! signer's certificate from its QC statements and the issuing service's status and
//! qualifiers at issuance ([`TrustedListSet::qualified_status`]).
//!
//! What it must not do: read the clock, the network or files (lists are given as bytes,
//! the caller's crypto checks signature values through `lavoro_agile_pki::SignatureVerifier`),
//! accept a DTD or entity, or panic on any input.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod c14n;
pub mod dsig;
pub mod model;
pub mod parse;
pub mod qc;
mod set;

pub use model::{Qualifier, Service, ServicePeriod, TrustedList};
pub use parse::parse;
pub use set::{Anchor, Level, ListReport, QualifiedStatus, TrustedListSet, Words};

/// Why a list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Larger than [`parse::MAX_LIST_BYTES`].
    #[error("the list is too large ({0} bytes)")]
    TooLarge(usize),
    /// Not UTF-8 (trusted lists are UTF-8).
    #[error("the list is not UTF-8 text")]
    NotUtf8,
    /// Not well-formed XML, a DTD, or over the node budget.
    #[error("the list is not acceptable XML: {0}")]
    Xml(String),
    /// Nested deeper than [`parse::MAX_DEPTH`].
    #[error("the list is nested too deeply")]
    TooDeep,
    /// The root is not `TrustServiceStatusList`.
    #[error("not a trusted list")]
    NotATrustedList,
    /// A required header field is missing or malformed.
    #[error("the list has no valid {0}")]
    Missing(&'static str),
}

/// Entry points for fuzzing and for the tests that replay fuzz corpora. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use lavoro_agile_pki::{PublicKeyRef, SignatureVerifier, Verification};

    struct Refuse;
    impl SignatureVerifier for Refuse {
        fn verify(&self, _: &PublicKeyRef<'_>, _: &[u8], _: &[u8], _: &[u8]) -> Verification {
            Verification::Invalid
        }
    }

    /// Parses, canonicalises and checks the signature structure of arbitrary bytes.
    pub fn trusted_list(data: &[u8]) {
        let _ = crate::parse(data);
        if let Ok(doc) = crate::parse::parse_xml(data) {
            let _ = crate::c14n::document(&doc, None, crate::c14n::Method::Exclusive);
            let _ = crate::c14n::document(&doc, None, crate::c14n::Method::Inclusive);
            let _ = crate::dsig::verify(&doc, &Refuse);
        }
        let set = crate::TrustedListSet::evaluate(&[data], &Refuse);
        let _ = set.qualified_status(data);
    }
}
