//! The parts of an ETSI TS 119 612 trusted list this crate uses, as plain data.

use time::OffsetDateTime;

/// Service status URIs (ETSI TS 119 612 clause 5.5.4 and the pre-eIDAS values still found
/// in service histories).
pub mod status {
    /// Granted (eIDAS).
    pub const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
    /// Withdrawn (eIDAS).
    pub const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";
    /// Accredited (Directive 1999/93/EC).
    pub const ACCREDITED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/accredited";
    /// Under supervision (Directive 1999/93/EC).
    pub const UNDER_SUPERVISION: &str =
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision";
    /// Supervision in cessation (Directive 1999/93/EC).
    pub const SUPERVISION_IN_CESSATION: &str =
        "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/supervisionincessation";
    /// Whether a status means "the service was trusted (qualified) during this period".
    pub fn is_positive(uri: &str) -> bool {
        matches!(
            uri,
            GRANTED | ACCREDITED | UNDER_SUPERVISION | SUPERVISION_IN_CESSATION
        )
    }
}

/// Service type URIs (ETSI TS 119 612 clause 5.5.1.1) this crate distinguishes.
pub mod service_type {
    /// A CA issuing qualified certificates.
    pub const CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
    /// A CA issuing non-qualified certificates.
    pub const CA_PKC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC";
    /// A qualified time-stamping service.
    pub const TSA_QTST: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST";
    /// A (non-qualified) time-stamping service.
    pub const TSA: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA";
    /// OCSP for qualified certificates.
    pub const OCSP_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/Certstatus/OCSP/QC";
    /// CRL for qualified certificates.
    pub const CRL_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/Certstatus/CRL/QC";
}

/// Qualifier URIs (ETSI TS 119 612 clause 5.5.9.2.1.3), prefix
/// `http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Qualifier {
    /// QCWithSSCD: the private key is on a secure signature creation device.
    WithSscd,
    /// QCNoSSCD: it is not.
    NoSscd,
    /// QCSSCDStatusAsInCert: as the certificate says.
    SscdAsInCert,
    /// QCWithQSCD (eIDAS wording).
    WithQscd,
    /// QCNoQSCD (eIDAS wording).
    NoQscd,
    /// QCQSCDStatusAsInCert.
    QscdAsInCert,
    /// QCQSCDManagedOnBehalf: a QSCD managed by the TSP on the signer's behalf.
    QscdManagedOnBehalf,
    /// QCForLegalPerson.
    ForLegalPerson,
    /// QCForESig: for electronic signatures.
    ForESig,
    /// QCForESeal: for electronic seals.
    ForESeal,
    /// QCForWSA: for website authentication.
    ForWsa,
    /// NotQualified.
    NotQualified,
    /// QCStatement: qualified although the certificate does not say so.
    QcStatement,
}

impl Qualifier {
    /// Decodes a qualifier URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let name = uri.rsplit('/').next()?;
        Some(match name {
            "QCWithSSCD" => Self::WithSscd,
            "QCNoSSCD" => Self::NoSscd,
            "QCSSCDStatusAsInCert" => Self::SscdAsInCert,
            "QCWithQSCD" => Self::WithQscd,
            "QCNoQSCD" => Self::NoQscd,
            "QCQSCDStatusAsInCert" => Self::QscdAsInCert,
            "QCQSCDManagedOnBehalf" => Self::QscdManagedOnBehalf,
            "QCForLegalPerson" => Self::ForLegalPerson,
            "QCForESig" => Self::ForESig,
            "QCForESeal" => Self::ForESeal,
            "QCForWSA" => Self::ForWsa,
            "NotQualified" => Self::NotQualified,
            "QCStatement" => Self::QcStatement,
            _ => return None,
        })
    }
}

/// How the criteria of a list combine (`CriteriaList/@assert`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assert {
    /// Every criterion holds.
    All,
    /// At least one holds.
    AtLeastOne,
    /// None holds.
    None,
}

/// Which certificates a qualification applies to (`CriteriaList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    /// How the items combine.
    pub assert: Assert,
    /// Key usage bits required: (bit name as in the list, e.g. `nonRepudiation`, value).
    pub key_usage: Vec<Vec<(String, bool)>>,
    /// Policy sets: each set holds when the certificate has every policy OID in it.
    pub policy_sets: Vec<Vec<String>>,
    /// Nested lists.
    pub nested: Vec<Criteria>,
    /// Criteria this crate does not evaluate (e.g. `otherCriteriaList`): a list with any
    /// of them is never taken to match.
    pub unsupported: bool,
}

/// One `QualificationElement`: qualifiers applying to the certificates the criteria select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    /// The qualifiers.
    pub qualifiers: Vec<Qualifier>,
    /// The selection.
    pub criteria: Criteria,
}

/// A service's identity (`ServiceDigitalIdentity`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigitalIdentity {
    /// DER certificates.
    pub certificates: Vec<Vec<u8>>,
    /// Subject names as written in the list.
    pub subject_names: Vec<String>,
    /// Subject key identifiers.
    pub skis: Vec<Vec<u8>>,
}

/// One period of a service's life: the current information or a history instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePeriod {
    /// `ServiceTypeIdentifier`.
    pub type_identifier: String,
    /// `ServiceName` (the English name when there is one, else the first).
    pub name: String,
    /// `ServiceStatus`.
    pub status: String,
    /// `StatusStartingTime`.
    pub start: OffsetDateTime,
    /// `AdditionalServiceInformation` URIs (e.g. `.../ForeSignatures`).
    pub additional_information: Vec<String>,
    /// Qualifications from the `Qualifications` extension.
    pub qualifications: Vec<Qualification>,
    /// The identity of this period (history instances repeat it).
    pub identity: DigitalIdentity,
}

/// A trust service with its history, newest period first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The current information first, then the history instances, newest first.
    pub periods: Vec<ServicePeriod>,
}

impl Service {
    /// The current period.
    pub fn current(&self) -> Option<&ServicePeriod> {
        self.periods.first()
    }

    /// The period in force at `at`: the one with the latest start not after `at`.
    pub fn at(&self, at: OffsetDateTime) -> Option<&ServicePeriod> {
        self.periods
            .iter()
            .filter(|p| p.start <= at)
            .max_by_key(|p| p.start)
    }
}

/// A trust service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// `TSPName` (the English name when there is one, else the first).
    pub name: String,
    /// Its services.
    pub services: Vec<Service>,
}

/// A pointer to another list (`OtherTSLPointer`), as the LOTL has one per national list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// `TSLLocation`.
    pub location: String,
    /// `SchemeTerritory` of the list pointed to.
    pub territory: Option<String>,
    /// `MimeType` (`application/vnd.etsi.tsl+xml` for the XML list).
    pub mime_type: Option<String>,
    /// `TSLType` of the list pointed to.
    pub tsl_type: Option<String>,
    /// The certificates that may sign the list pointed to (DER).
    pub certificates: Vec<Vec<u8>>,
}

/// A problem met while reading one provider (or the header): the rest is still used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    /// The provider's name, or `None` for the list header and pointers.
    pub provider: Option<String>,
    /// What was wrong.
    pub message: String,
}

/// A parsed trusted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedList {
    /// `TSLVersionIdentifier`.
    pub version: u32,
    /// `TSLSequenceNumber`.
    pub sequence_number: u64,
    /// `TSLType` URI.
    pub tsl_type: String,
    /// `SchemeOperatorName` (English when present).
    pub operator_name: String,
    /// `SchemeTerritory` (`EU` for the LOTL, `IT` for Italy).
    pub territory: String,
    /// `ListIssueDateTime`.
    pub issued: OffsetDateTime,
    /// `NextUpdate`; `None` for a closed list.
    pub next_update: Option<OffsetDateTime>,
    /// Pointers to other lists.
    pub pointers: Vec<Pointer>,
    /// The providers.
    pub providers: Vec<Provider>,
    /// Problems met per provider; the providers or services concerned are left out.
    pub issues: Vec<ParseIssue>,
}

impl TrustedList {
    /// Whether this is a list of lists (its type URI ends with `EUlistofthelists` or
    /// another `...listofthelists`).
    pub fn is_list_of_lists(&self) -> bool {
        self.tsl_type
            .to_ascii_lowercase()
            .ends_with("listofthelists")
    }

    /// The certificates a list of lists publishes for the XML list of `territory`.
    pub fn signers_for(&self, territory: &str) -> Vec<&[u8]> {
        self.pointers
            .iter()
            .filter(|p| {
                p.territory
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(territory))
                    && !p
                        .mime_type
                        .as_deref()
                        .is_some_and(|m| m.to_ascii_lowercase().contains("pdf"))
            })
            .flat_map(|p| p.certificates.iter().map(Vec::as_slice))
            .collect()
    }
}
