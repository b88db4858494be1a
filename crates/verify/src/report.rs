//! The verification report: the serializable contract other tools depend on
//! (see `docs/report-format.md`). Facts (`checks`) are kept apart from the derived verdict
//! (`indication`, `subindication`).

use serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A text in Italian and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bilingual {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

impl Bilingual {
    /// Both texts.
    pub fn new(it: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            it: it.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::It => &self.it,
            Lang::En => &self.en,
        }
    }
}

/// Language of human-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Italian (default).
    #[default]
    It,
    /// English.
    En,
}

/// A time, serialized as RFC 3339 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime(pub OffsetDateTime);

impl UtcTime {
    /// RFC 3339 text (UTC, `Z`).
    pub fn to_rfc3339(&self) -> String {
        self.0
            .to_offset(time::UtcOffset::UTC)
            .replace_nanosecond(0)
            .unwrap_or(self.0)
            .format(&Rfc3339)
            .unwrap_or_default()
    }
}

impl Serialize for UtcTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// ETSI EN 319 102-1 main indication (DSS spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// Some facts are missing to decide.
    Indeterminate,
    /// The signature is not valid.
    TotalFailed,
}

/// ETSI EN 319 102-1 sub-indications used so far (DSS spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The signature is not well formed.
    FormatFailure,
    /// The signed content was changed.
    HashFailure,
    /// The signature value does not verify.
    SigCryptoFailure,
    /// The signing certificate cannot be identified.
    NoSigningCertificateFound,
    /// The signed content is not available.
    SignedDataNotFound,
    /// An algorithm is unknown, unsupported or not allowed.
    CryptoConstraintsFailure,
    /// No certificate chain to a trust anchor.
    NoCertificateChainFound,
    /// A certificate of the chain breaks a constraint (basic constraints, key usage, path
    /// length).
    ChainConstraintsFailure,
    /// The chain cannot be validated for another reason (a certificate signature does not
    /// verify, an unknown critical extension, a budget exceeded).
    CertificateChainGeneralFailure,
    /// A certificate of the chain is outside its validity period at the validation time and
    /// no proof of existence of the signature before that is available.
    OutOfBoundsNoPoe,
    /// The signing certificate has expired at the validation time; revocation data shows it
    /// was not revoked before expiring, but no proof of existence of the signature before
    /// the expiry is available.
    OutOfBoundsNotRevoked,
    /// The validation time is before the signing certificate's validity period.
    NotYetValid,
    /// The signing certificate was revoked at or before the validation time.
    RevokedNoPoe,
    /// An intermediate CA certificate was revoked at or before the validation time.
    RevokedCaNoPoe,
    /// Revocation data is required but not available.
    TryLater,
    /// An algorithm was no longer accepted at the best proof of existence of the signature.
    CryptoConstraintsFailureNoPoe,
}

impl SubIndication {
    /// The DSS spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::FormatFailure => "FORMAT_FAILURE",
            Self::HashFailure => "HASH_FAILURE",
            Self::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Self::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            Self::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            Self::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            Self::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            Self::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            Self::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            Self::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            Self::OutOfBoundsNotRevoked => "OUT_OF_BOUNDS_NOT_REVOKED",
            Self::NotYetValid => "NOT_YET_VALID",
            Self::RevokedNoPoe => "REVOKED_NO_POE",
            Self::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            Self::TryLater => "TRY_LATER",
            Self::CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        }
    }

    /// The main indication this sub-indication belongs to.
    pub fn indication(&self) -> Indication {
        match self {
            Self::FormatFailure
            | Self::HashFailure
            | Self::SigCryptoFailure
            | Self::NotYetValid => Indication::TotalFailed,
            _ => Indication::Indeterminate,
        }
    }
}

impl Indication {
    /// The DSS spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::TotalPassed => "TOTAL_PASSED",
            Self::Indeterminate => "INDETERMINATE",
            Self::TotalFailed => "TOTAL_FAILED",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check could not reach a conclusion.
    Indeterminate,
    /// The check was not run (not applicable, or an earlier fact prevents it).
    Skipped,
}

/// One fact about a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable identifier (`format`, `signing_certificate`, `message_digest`, ...).
    pub name: &'static str,
    /// The outcome.
    pub outcome: Outcome,
    /// The sub-indication this outcome leads to, when not passed.
    pub subindication: Option<SubIndication>,
    /// What was found, in plain words.
    pub detail: Bilingual,
}

/// A remark that never changes the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable identifier.
    pub code: &'static str,
    /// The remark in plain words.
    pub message: Bilingual,
}

/// What the validation time is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The current time.
    Now,
    /// A time given by the user.
    Given,
    /// The signing time claimed by the signer.
    Claimed,
    /// The time of a trusted timestamp.
    Timestamp,
}

/// The validation time of one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValidationTimeReport {
    /// The time.
    pub time: UtcTime,
    /// What it is based on.
    pub basis: TimeBasis,
}

/// Who signed, from the signing certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Signer {
    /// Subject common name.
    pub common_name: Option<String>,
    /// Subject given name.
    pub given_name: Option<String>,
    /// Subject surname.
    pub surname: Option<String>,
    /// Subject organisation.
    pub organization: Option<String>,
    /// Italian tax code from the subject serialNumber (`TINIT-…` or `IT:…`).
    pub codice_fiscale: Option<String>,
    /// Issuer distinguished name.
    pub issuer: Option<String>,
    /// Certificate serial number, hex.
    pub serial_number: Option<String>,
    /// SHA-256 of the certificate, hex.
    pub certificate_sha256: Option<String>,
}

/// One signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// Identifier within the file (`S1`, `S2`, ...).
    pub id: String,
    /// Envelope depth: 0 for the outermost envelope, growing inwards.
    pub nested_level: u32,
    /// The id of the signature this one countersigns.
    pub counter_signature_of: Option<String>,
    /// The signer, when the signing certificate was found.
    pub signer: Option<Signer>,
    /// The claimed signing time.
    pub signing_time: Option<UtcTime>,
    /// The validation time used.
    pub validation_time: ValidationTimeReport,
    /// Digest algorithm.
    pub digest_algorithm: Option<String>,
    /// Signature algorithm.
    pub signature_algorithm: Option<String>,
    /// The verdict.
    pub indication: Indication,
    /// The verdict's sub-indication; null exactly when TOTAL_PASSED.
    pub subindication: Option<SubIndication>,
    /// The facts.
    pub checks: Vec<Check>,
    /// Remarks that do not change the verdict.
    pub warnings: Vec<Warning>,
    /// A plain explanation with what to do next.
    pub explanation: Bilingual,
    /// PDF signatures only: what the signature covers and what changed after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf: Option<PdfSignature>,
    /// The qualified status from the trusted lists given; absent when no list was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Qualification>,
}

/// The qualified status of a signature (ETSI TS 119 615 in spirit): the signer's
/// certificate's QC statements and the status and qualifiers of the trust service that
/// issued it, at issuance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qualification {
    /// `QES`, `QESeal`, `AdES_QC`, `AdESeal_QC`, `NOT_QUALIFIED` or `NOT_DETERMINED`.
    pub level: &'static str,
    /// In plain words: "Firma elettronica qualificata", ...
    pub label: Bilingual,
    /// Why.
    pub reason: Bilingual,
    /// The trust service that issued the signer's certificate: provider, service, territory.
    pub service: Option<String>,
}

/// What a PDF signature (or document timestamp) covers and what changed after it.
#[derive(Debug, Clone, Serialize)]
pub struct PdfSignature {
    /// The signature field's full name.
    pub field: Option<String>,
    /// The `/SubFilter` as written (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`, ...).
    pub sub_filter: String,
    /// The `/ByteRange` when it is four integers.
    pub byte_range: Option<[u64; 4]>,
    /// The version of the document the signature covers (1 = the original file), when
    /// its ranges are acceptable.
    pub signed_revision: Option<usize>,
    /// How many versions (incremental saves) the file has.
    pub revisions: usize,
    /// Length in bytes of the document as it was signed (what `--extract` writes).
    pub signed_length: Option<u64>,
    /// Whether the signature covers the whole file as it is.
    pub covers_whole_document: bool,
    /// In plain words, what was signed and each kind of change made after signing.
    pub changes: Vec<PdfChange>,
}

/// One statement about what changed after a PDF signature.
#[derive(Debug, Clone, Serialize)]
pub struct PdfChange {
    /// Stable identifier: `whole_document`, `partial_document`, `pages_added`,
    /// `pages_removed`, `page_content_changed`, `annotations_added`,
    /// `annotations_removed`, `appearance_changed`, `form_filled`, `fields_added`,
    /// `signatures_added`, `timestamps_added`, `signatures_removed`, `validation_data`,
    /// `other_changes`, `data_after_last_version`, `not_permitted`, `comparison_incomplete`.
    pub code: &'static str,
    /// How the change is judged: `allowed` (noted), `warning` (MODIFIED_AFTER_SIGNING),
    /// `failure` (TOTAL_FAILED/FORMAT_FAILURE).
    pub severity: &'static str,
    /// The statement.
    pub message: Bilingual,
}

/// One timestamp.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampReport {
    /// Identifier within the file (`T1`, ...).
    pub id: String,
    /// Kind: `signature` (CAdES signature-time-stamp over the signature value), `content`
    /// (content-time-stamp), `envelope` (M7M), `token` (a bare `.tst`).
    pub kind: &'static str,
    /// The time the timestamp asserts.
    pub gen_time: Option<UtcTime>,
    /// Ids of what it covers.
    pub covers: Vec<String>,
    /// The verdict.
    pub indication: Indication,
    /// The sub-indication; null exactly when TOTAL_PASSED.
    pub subindication: Option<SubIndication>,
    /// The facts.
    pub checks: Vec<Check>,
    /// PDF document timestamps only: what they cover and what changed after them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf: Option<PdfSignature>,
}

/// Why a file could not be checked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The file cannot be read.
    Unreadable,
    /// The file is empty.
    Empty,
    /// No signature or timestamp in it.
    NotASignature,
    /// A signature format not handled (yet).
    UnsupportedFormat,
    /// A budget on size or nesting was exceeded.
    LimitExceeded,
    /// The file's structure is damaged where it matters (a PDF whose cross-reference data
    /// or document catalog cannot be read).
    Damaged,
}

/// A file-level error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// The code.
    pub code: ErrorCode,
    /// Plain words (English; the text renderer translates by code).
    pub message: String,
}

/// The container format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// CMS with content.
    CadesAttached,
    /// CMS without content.
    CadesDetached,
    /// PDF.
    Pades,
    /// RFC 5544 TimeStampedData.
    Tsd,
    /// MIME p7m + timestamp.
    M7m,
    /// A bare RFC 3161 timestamp token.
    Tst,
}

/// One file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// SHA-256 of the file, hex (null when unreadable).
    pub sha256: Option<String>,
    /// The container format (null when not recognised).
    pub format: Option<Format>,
    /// Null, or why nothing could be checked.
    pub error: Option<FileError>,
    /// The signatures.
    pub signatures: Vec<SignatureReport>,
    /// The timestamps.
    pub timestamps: Vec<TimestampReport>,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The tool.
    pub tool: Tool,
    /// The files, in argument order.
    pub files: Vec<FileReport>,
}

impl FileReport {
    /// The worst indication in the file (signatures, or timestamps when there are none).
    pub fn worst(&self) -> Option<Indication> {
        let sigs = self.signatures.iter().map(|s| s.indication);
        if self.signatures.is_empty() {
            self.timestamps.iter().map(|t| t.indication).max()
        } else {
            sigs.max()
        }
    }
}

impl Report {
    /// The exit status of the contract: 3 if any file has an error, else 1 if anything
    /// TOTAL_FAILED, else 2 if anything INDETERMINATE, else 0.
    pub fn exit_status(&self) -> u8 {
        if self.files.iter().any(|f| f.error.is_some()) {
            return 3;
        }
        match self.files.iter().filter_map(FileReport::worst).max() {
            Some(Indication::TotalFailed) => 1,
            Some(Indication::Indeterminate) => 2,
            _ => 0,
        }
    }
}
