//! CMS / CAdES signatures (`.p7m`, `.p7s`, nested `.p7m.p7m`, base64 and PEM armour,
//! `.tsd` around them): reading the structure and checking, for each signer and
//! countersigner, integrity and cryptography.
//!
//! This crate reports *facts* ([`signer::SignerFacts`]): whether the content digest
//! matches, whether the signature value verifies, which certificate signed. It does not
//! decide verdicts, build certificate paths, read files, or look at the clock: the
//! `verify` crate derives ETSI EN 319 102-1 indications from these facts, and trust,
//! revocation and algorithm policy belong to the `pki` layer.
//!
//! Input is untrusted: every read is bounds-checked, nesting and counts have budgets
//! ([`ber::MAX_DEPTH`], [`document::MAX_ENVELOPES`], [`cms::MAX_SIGNERS`]), and nothing
//! panics on malformed bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod archive;
pub mod armor;
pub mod attrs;
pub mod ber;
pub mod cert;
pub mod cms;
pub mod crypto;
pub mod document;
pub mod mime;
pub mod oids;
pub mod signer;
pub mod stream;
pub mod timestamp;

pub use document::{
    digest_algorithms, read, read_detached_digested, read_streamed, Container, Document,
    ReadOptions, ReadOutcome, SignatureEntry, TimestampKind,
};

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes do not follow the expected structure.
    #[error("malformed structure: {0}")]
    Malformed(&'static str),
    /// A budget on size, count or nesting was exhausted.
    #[error("limit exceeded: {0}")]
    LimitExceeded(&'static str),
}

/// Entry points for fuzzing and for the tests that replay fuzz corpora. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Reads arbitrary bytes as a signed document with no supplied certificates.
    pub fn read_document(data: &[u8]) {
        let _ = crate::read(data, &crate::ReadOptions::default());
    }

    /// Walks arbitrary bytes as BER, converting to DER and joining strings.
    pub fn ber(data: &[u8]) {
        if let Ok(t) = crate::ber::Tlv::parse_exact(data) {
            let _ = t.to_der();
            let _ = t.octets();
        }
    }

    /// Decodes arbitrary bytes as a certificate.
    pub fn certificate(data: &[u8]) {
        if let Ok(c) = crate::cert::CertificateInfo::from_bytes(data) {
            let _ = c.common_name();
            let _ = c.issuer_string();
            let _ = c.subject_key_identifier();
        }
    }

    /// Splits arbitrary bytes as a MIME multipart message.
    pub fn mime(data: &[u8]) {
        if crate::mime::is_multipart(data) {
            let _ = crate::mime::parts(data);
        }
    }

    /// Checks arbitrary bytes as an RFC 3161 timestamp token (or TimeStampResp).
    pub fn timestamp(data: &[u8]) {
        let _ = crate::timestamp::is_timestamp_token(data);
        let _ = crate::timestamp::check_timestamp(data, Some(b"covered data"), &[]);
    }

    /// Streams arbitrary bytes as a binary SignedData and checks the skeleton.
    pub fn stream(data: &[u8]) {
        if let Ok(Some(s)) = crate::stream::stream_signed_data(data) {
            let _ = crate::read_streamed(&s.skeleton, &s.content, &crate::ReadOptions::default());
        }
    }

    /// Rebuilds the archive-timestamp inputs of the first signer of arbitrary bytes (and
    /// reads the CAdES validation data through a whole read).
    pub fn archive(data: &[u8]) {
        let _ = crate::archive::archive_inputs(data, 0, Some(b"detached content"));
        read_document(data);
    }

    /// Removes text armour from arbitrary bytes.
    pub fn unarmor(data: &[u8]) {
        let _ = crate::armor::unarmor(data);
    }
}
