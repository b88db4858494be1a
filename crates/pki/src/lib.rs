//! X.509 trust for signature verification: certificate path building and validation at a
//! given time (RFC 5280), revocation from CRLs, and an algorithm policy with dates
//! (ETSI TS 119 312).
//!
//! The crate is pure: it never reads the clock, files or the network. The validation time,
//! the certificates and CRLs to use, and the cryptography that checks a signature value are
//! passed in ([`path::Context`], [`SignatureVerifier`]), so the caller decides what is
//! trusted and which algorithms are implemented. It returns facts (which path, which
//! certificate failed which rule, what the CRLs say); the ETSI verdict is derived by the
//! `verify` crate.
//!
//! Input is untrusted: certificates and CRLs are decoded with RustCrypto's `x509-cert`,
//! path building has budgets on depth, candidates and signature checks
//! ([`path::Budget`]), and nothing panics on malformed bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cache;
pub mod cert;
pub mod crl;
mod derx;
pub mod names;
pub mod ocsp;
pub mod path;
pub mod policy;

pub use cert::Certificate;
pub use crl::Crl;

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a well-formed certificate or CRL.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The algorithm policy file cannot be read.
    #[error("invalid algorithm policy: {0}")]
    Policy(String),
}

/// A public key as carried in a certificate, for the caller's signature check.
#[derive(Debug, Clone, Copy)]
pub struct PublicKeyRef<'a> {
    /// Key algorithm OID (dotted).
    pub algorithm: &'a str,
    /// Named curve OID for EC keys.
    pub curve: Option<&'a str>,
    /// The subjectPublicKey bits.
    pub key: &'a [u8],
}

/// The outcome of checking one signature value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The signature verifies.
    Valid,
    /// The signature does not verify.
    Invalid,
    /// The algorithm is unknown or not implemented.
    Unsupported(String),
}

/// The cryptography used to check certificate and CRL signatures, supplied by the caller.
pub trait SignatureVerifier {
    /// Checks `signature` over `message` with `key`; `algorithm` is the DER encoding of the
    /// signature AlgorithmIdentifier.
    fn verify(
        &self,
        key: &PublicKeyRef<'_>,
        algorithm: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Verification;
}

/// Entry points for fuzzing and for the tests that replay fuzz corpora. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Decodes arbitrary bytes as a certificate and reads every derived fact.
    pub fn certificate(data: &[u8]) {
        if let Ok(c) = crate::Certificate::from_der(data) {
            let _ = c.key_description();
            let _ = c.italian_qualified_hint();
            let _ = crate::names::normalized(c.subject());
        }
    }

    /// Decodes arbitrary bytes as an OCSP response.
    pub fn ocsp(data: &[u8]) {
        crate::ocsp::fuzz(data);
    }

    /// Decodes arbitrary bytes as a CRL.
    pub fn crl(data: &[u8]) {
        if let Ok(c) = crate::Crl::from_der(data) {
            let _ = c.entry(&[1]);
        }
    }
}
