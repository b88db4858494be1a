//! Object identifiers used by CMS and CAdES, in dotted form.

/// id-data (RFC 5652).
pub const DATA: &str = "1.2.840.113549.1.7.1";
/// id-signedData (RFC 5652).
pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// id-ct-TSTInfo (RFC 3161).
pub const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
/// id-ct-timestampedData (RFC 5544).
pub const TIMESTAMPED_DATA: &str = "1.2.840.113549.1.9.16.1.31";
/// content-type attribute.
pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
/// message-digest attribute.
pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// signing-time attribute.
pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// countersignature attribute.
pub const COUNTER_SIGNATURE: &str = "1.2.840.113549.1.9.6";
/// ESS signing-certificate (RFC 2634).
pub const SIGNING_CERTIFICATE: &str = "1.2.840.113549.1.9.16.2.12";
/// ESS signing-certificate-v2 (RFC 5035).
pub const SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";
/// signature-time-stamp unsigned attribute (RFC 3161 appendix A).
pub const SIGNATURE_TIMESTAMP: &str = "1.2.840.113549.1.9.16.2.14";
/// content-time-stamp signed attribute (ETSI EN 319 122-1).
pub const CONTENT_TIMESTAMP: &str = "1.2.840.113549.1.9.16.2.20";
/// Archive timestamps: ATSv1 (RFC 5126), ATSv2 (RFC 5126), ATSv3 (ETSI EN 319 122-1).
pub const ARCHIVE_TIMESTAMPS: [&str; 3] = [
    "1.2.840.113549.1.9.16.2.27",
    "1.2.840.113549.1.9.16.2.48",
    "0.4.0.1733.2.4",
];
/// id-aa-ets-certValues (CAdES-X-L certificate values).
pub const CERTIFICATE_VALUES: &str = "1.2.840.113549.1.9.16.2.23";
/// id-aa-ets-revocationValues (CAdES-X-L CRLs and OCSP responses).
pub const REVOCATION_VALUES: &str = "1.2.840.113549.1.9.16.2.24";
/// adbe-revocationInfoArchival (PDF signatures: CRLs and OCSP responses, signed).
pub const ADBE_REVOCATION_INFO_ARCHIVAL: &str = "1.2.840.113583.1.1.8";
/// subjectKeyIdentifier extension.
pub const SUBJECT_KEY_IDENTIFIER: &str = "2.5.29.14";
/// commonName.
pub const COMMON_NAME: &str = "2.5.4.3";
/// organizationName.
pub const ORGANIZATION: &str = "2.5.4.10";
/// serialNumber (the Italian signer's tax code lives here).
pub const SERIAL_NUMBER: &str = "2.5.4.5";
/// givenName.
pub const GIVEN_NAME: &str = "2.5.4.42";
/// surname.
pub const SURNAME: &str = "2.5.4.4";
