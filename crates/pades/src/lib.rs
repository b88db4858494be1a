//! PDF signatures (PAdES and the older PDF signature types): reading a signed PDF as it is
//! stored, revision by revision; locating every signature and document timestamp; checking
//! that each one's `/ByteRange` covers exactly one whole revision except its own
//! `/Contents`; checking the CMS inside through `lavoro-agile-cades`; and finding what
//! changed after each signature, including the published "PDF Insecurity" attacks; and the
//! Document Security Store ([`dss`]: certificates, CRLs and OCSP responses for LT/LTA).
//!
//! This crate reports facts ([`SignatureFacts`], [`changes::Changes`]). It does not decide
//! verdicts, build certificate paths, read the clock or the network, or write anything:
//! the `verify` crate derives the ETSI EN 319 102-1 indication. It never loads a whole file:
//! a [`source::Source`] is read in windows and signed ranges are hashed as a stream.
//!
//! Input is untrusted: every read is bounds-checked, and budgets ([`document::Limits`],
//! [`object::MAX_DEPTH`], [`changes::MAX_VISITED`], [`dss::MAX_DSS_ITEMS`] and its
//! siblings) bound recursion, decompression, object
//! count and cross-reference size, so a hostile file ends quickly with an error.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod changes;
pub mod document;
pub mod dss;
pub mod filters;
pub mod object;
pub mod signatures;
pub mod source;

pub use signatures::{read_signatures, ByteRangeProblem, PdfRead, SignatureFacts, SubFilter};

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a PDF.
    #[error("not a PDF file")]
    NotPdf,
    /// The file does not follow the PDF structure where it matters.
    #[error("malformed PDF: {0}")]
    Malformed(&'static str),
    /// A budget on size, count, nesting or decompression was exhausted.
    #[error("limit exceeded: {0}")]
    LimitExceeded(&'static str),
    /// A feature this reader does not implement.
    #[error("unsupported PDF feature: {0}")]
    Unsupported(&'static str),
    /// Reading the file failed.
    #[error("read error: {0}")]
    Io(String),
}

/// Entry points for fuzzing and for the tests that replay fuzz corpora. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Reads arbitrary bytes as a PDF's document security store (`/DSS`) only.
    pub fn read_dss(data: &[u8]) {
        let source = crate::source::SliceSource(data);
        if let Ok(doc) =
            crate::document::Document::open(&source, crate::document::Limits::default())
        {
            let _ = crate::dss::read_dss(&doc);
        }
    }

    /// Reads arbitrary bytes as a PDF: structure, every signature, every change.
    pub fn read_pdf(data: &[u8]) {
        let _ = crate::read_signatures(
            &crate::source::SliceSource(data),
            &lavoro_agile_cades::ReadOptions::default(),
        );
    }
}
