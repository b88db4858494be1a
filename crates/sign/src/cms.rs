//! Building CAdES-B signatures (ETSI EN 319 122-1) as CMS `SignedData` (RFC 5652): a new
//! attached `.p7m` or detached `.p7s`, a parallel signature added to an existing envelope,
//! and a countersignature (RFC 5652 section 11.4).
//!
//! Existing envelopes are read with `lavoro-agile-cades`' BER reader and rebuilt around
//! their stored bytes: the elements of earlier signatures are copied as stored (BER stays
//! BER inside), so their signatures stay valid; only the lengths of the enclosing
//! structures are written anew, in definite form.
//!
//! ```text
//! SignerInfo ::= SEQUENCE {
//!     version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
//!     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!     signatureAlgorithm SignatureAlgorithmIdentifier, signature SignatureValue,
//!     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```

use lavoro_agile_cades::ber::{universal, Tlv};
use lavoro_agile_cades::cert::CertificateInfo;
use lavoro_agile_cades::cms::{locate_signed_data, AlgorithmIdentifier, SignedData, SignerInfo};
use lavoro_agile_cades::oids;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::der;
use crate::Error;

/// id-sha256 (RFC 5754).
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
/// sha256WithRSAEncryption (RFC 4055).
pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
/// ecdsa-with-SHA256 (RFC 5758).
pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";

/// The kind of private key, which fixes the signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// RSA, signing with PKCS#1 v1.5 and SHA-256.
    Rsa,
    /// ECDSA with SHA-256.
    Ecdsa,
}

/// Something that signs with a private key it does not reveal (a token, in practice).
pub trait Signer {
    /// The signer's certificate.
    fn certificate(&self) -> &CertificateInfo;
    /// The key kind.
    fn key_kind(&self) -> KeyKind;
    /// Signs `data` (hashing it with SHA-256) and returns the CMS signature value: the
    /// PKCS#1 v1.5 block for RSA, the DER `Ecdsa-Sig-Value` for ECDSA.
    fn sign(&mut self, data: &[u8]) -> Result<Vec<u8>, Error>;
}

/// Whether the new signature carries the content or only points at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// Attached (`.p7m`): the content inside the envelope.
    Attached,
    /// Detached (`.p7s`): the content stays in its own file.
    Detached,
}

fn attribute(oid: &str, value: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(der::sequence(&[
        &der::oid(oid)?,
        &der::set_of(vec![value.to_vec()]),
    ]))
}

/// The parts of the signer's certificate the signature needs: issuer Name and serial
/// INTEGER as stored.
fn issuer_and_serial(cert: &CertificateInfo) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let bad = |_| Error::Internal("signer certificate structure");
    let c = Tlv::parse_exact(cert.der()).map_err(bad)?;
    let mut r = c.children().map_err(bad)?;
    let tbs = r
        .read_universal(universal::SEQUENCE, "certificate without tbsCertificate")
        .map_err(bad)?;
    let mut t = tbs.children().map_err(bad)?;
    t.read_optional_context(0).map_err(bad)?;
    let serial = t
        .read_universal(universal::INTEGER, "certificate without serial")
        .map_err(bad)?;
    t.read_universal(
        universal::SEQUENCE,
        "certificate without signature algorithm",
    )
    .map_err(bad)?;
    let issuer = t
        .read_universal(universal::SEQUENCE, "certificate without issuer")
        .map_err(bad)?;
    Ok((issuer.raw.to_vec(), serial.raw.to_vec()))
}

/// `signing-certificate-v2` (RFC 5035 section 3): the certificate's SHA-256 (the default
/// hash, so its AlgorithmIdentifier is omitted) and its issuer and serial.
///
/// ```text
/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256,
///     certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
/// ```
fn signing_certificate_v2(cert: &CertificateInfo) -> Result<Vec<u8>, Error> {
    let (issuer, serial) = issuer_and_serial(cert)?;
    let hash = Sha256::digest(cert.der());
    // GeneralNames with one directoryName [4] (EXPLICIT, as Name is a CHOICE).
    let general_names = der::sequence(&[&der::context(4, true, &issuer)]);
    let issuer_serial = der::sequence(&[&general_names, &serial]);
    let cert_id = der::sequence(&[&der::octet_string(&hash), &issuer_serial]);
    Ok(der::sequence(&[&der::sequence(&[&cert_id])]))
}

/// One SignerInfo over `digest`; `content_type` is `None` for a countersignature (RFC 5652
/// section 11.4 forbids the content-type attribute there).
fn signer_info(
    signer: &mut dyn Signer,
    content_type: Option<&str>,
    digest: &[u8],
    signing_time: Option<OffsetDateTime>,
) -> Result<Vec<u8>, Error> {
    let cert = signer.certificate().clone();
    let mut attrs = Vec::new();
    if let Some(ct) = content_type {
        attrs.push(attribute(oids::CONTENT_TYPE, &der::oid(ct)?)?);
    }
    if let Some(at) = signing_time {
        attrs.push(attribute(oids::SIGNING_TIME, &der::time(at))?);
    }
    attrs.push(attribute(oids::MESSAGE_DIGEST, &der::octet_string(digest))?);
    attrs.push(attribute(
        oids::SIGNING_CERTIFICATE_V2,
        &signing_certificate_v2(&cert)?,
    )?);
    // The signature covers the attributes as a DER SET OF (tag 0x31); they are stored
    // with the same content under [0] IMPLICIT.
    let signed_set = der::set_of(attrs);
    let content = signed_set
        .get(1..)
        .ok_or(Error::Internal("empty attribute set"))?;
    let mut stored = vec![0xa0];
    stored.extend_from_slice(content);
    let signature = signer.sign(&signed_set)?;
    let signature_algorithm = match signer.key_kind() {
        KeyKind::Rsa => der::algorithm_null(SHA256_WITH_RSA)?,
        KeyKind::Ecdsa => der::algorithm(ECDSA_WITH_SHA256)?,
    };
    let (issuer, serial) = issuer_and_serial(&cert)?;
    Ok(der::sequence(&[
        &der::small_integer(1),
        &der::sequence(&[&issuer, &serial]),
        &der::algorithm(SHA256)?,
        &stored,
        &signature_algorithm,
        &der::octet_string(&signature),
    ]))
}

fn content_info(signed_data: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(der::sequence(&[
        &der::oid(oids::SIGNED_DATA)?,
        &der::context(0, true, signed_data),
    ]))
}

/// A new CAdES-B signature of `content` (content type id-data) at `at`.
pub fn sign(
    content: &[u8],
    packaging: Packaging,
    signer: &mut dyn Signer,
    at: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let digest = Sha256::digest(content);
    let si = signer_info(signer, Some(oids::DATA), &digest, Some(at))?;
    let data_oid = der::oid(oids::DATA)?;
    let encap = match packaging {
        Packaging::Attached => der::sequence(&[
            &data_oid,
            &der::context(0, true, &der::octet_string(content)),
        ]),
        Packaging::Detached => der::sequence(&[&data_oid]),
    };
    let certs = der::context(0, true, signer.certificate().der());
    let signed_data = der::sequence(&[
        &der::small_integer(1),
        &der::set_of(vec![der::algorithm(SHA256)?]),
        &encap,
        &certs,
        &der::set_of(vec![si]),
    ]);
    content_info(&signed_data)
}

/// A detached SignedData over a precomputed SHA-256 `digest` (PAdES: the digest of the
/// byte ranges). `signing_time_attribute` is false for PAdES, where the time is the
/// signature dictionary's `/M` and ETSI EN 319 142-1 section 5.2.1 excludes the attribute.
pub fn sign_digest_detached(
    digest: &[u8],
    signer: &mut dyn Signer,
    at: OffsetDateTime,
    signing_time_attribute: bool,
) -> Result<Vec<u8>, Error> {
    let si = signer_info(
        signer,
        Some(oids::DATA),
        digest,
        signing_time_attribute.then_some(at),
    )?;
    let signed_data = der::sequence(&[
        &der::small_integer(1),
        &der::set_of(vec![der::algorithm(SHA256)?]),
        &der::sequence(&[&der::oid(oids::DATA)?]),
        &der::context(0, true, signer.certificate().der()),
        &der::set_of(vec![si]),
    ]);
    content_info(&signed_data)
}

/// The elements of an existing SignedData, as stored.
struct Existing<'a> {
    version: Tlv<'a>,
    digest_algorithms: Vec<Tlv<'a>>,
    encap: Tlv<'a>,
    certificates: Vec<Tlv<'a>>,
    crls: Option<Tlv<'a>>,
    signer_infos: Vec<Tlv<'a>>,
}

fn malformed(e: lavoro_agile_cades::Error) -> Error {
    Error::Input(e.to_string())
}

fn children<'a>(t: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, Error> {
    let mut r = t.children().map_err(malformed)?;
    let mut out = Vec::new();
    while let Some(c) = r.next_tlv().map_err(malformed)? {
        if out.len() >= 10_000 {
            return Err(Error::Input("too many elements".to_owned()));
        }
        out.push(c);
    }
    Ok(out)
}

fn existing(envelope: &[u8]) -> Result<(Tlv<'_>, Existing<'_>), Error> {
    let sd = locate_signed_data(envelope)
        .map_err(malformed)?
        .ok_or(Error::NotSigned)?;
    let mut r = sd.children().map_err(malformed)?;
    let version = r
        .read_universal(universal::INTEGER, "SignedData without version")
        .map_err(malformed)?;
    let algs = r
        .read_universal(universal::SET, "SignedData without digest algorithms")
        .map_err(malformed)?;
    let encap = r
        .read_universal(universal::SEQUENCE, "SignedData without content")
        .map_err(malformed)?;
    let certificates = match r.read_optional_context(0).map_err(malformed)? {
        Some(c) => children(&c)?,
        None => Vec::new(),
    };
    let crls = r.read_optional_context(1).map_err(malformed)?;
    let infos = r
        .read_universal(universal::SET, "SignedData without signer infos")
        .map_err(malformed)?;
    Ok((
        sd,
        Existing {
            version,
            digest_algorithms: children(&algs)?,
            encap,
            certificates,
            crls,
            signer_infos: children(&infos)?,
        },
    ))
}

fn rebuild(
    e: &Existing<'_>,
    signer_cert: Option<&CertificateInfo>,
    signer_infos: Vec<Vec<u8>>,
) -> Result<Vec<u8>, Error> {
    let mut algs: Vec<Vec<u8>> = e.digest_algorithms.iter().map(|t| t.raw.to_vec()).collect();
    let has_sha256 = e
        .digest_algorithms
        .iter()
        .any(|t| AlgorithmIdentifier::decode(t).is_ok_and(|a| a.oid == SHA256));
    if !has_sha256 {
        algs.push(der::algorithm(SHA256)?);
    }
    let mut certs: Vec<u8> = e.certificates.iter().flat_map(|t| t.raw.to_vec()).collect();
    if let Some(cert) = signer_cert {
        if !e.certificates.iter().any(|t| t.raw == cert.der()) {
            certs.extend_from_slice(cert.der());
        }
    }
    let mut parts = vec![
        e.version.raw.to_vec(),
        der::tlv(der::tag::SET, &algs.concat()),
        e.encap.raw.to_vec(),
        der::context(0, true, &certs),
    ];
    if let Some(crls) = &e.crls {
        parts.push(crls.raw.to_vec());
    }
    parts.push(der::tlv(der::tag::SET, &signer_infos.concat()));
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    content_info(&der::sequence(&refs))
}

/// Adds a parallel signature (same envelope level, "aggiungi firma") to an existing
/// SignedData. `detached_content` is needed when the envelope does not carry its content.
pub fn add_parallel(
    envelope: &[u8],
    detached_content: Option<&[u8]>,
    signer: &mut dyn Signer,
    at: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let (sd, e) = existing(envelope)?;
    let decoded = SignedData::decode(&sd).map_err(malformed)?;
    let digest = match (&decoded.encap.content, detached_content) {
        (Some(c), _) => Sha256::digest(c.as_ref()),
        (None, Some(c)) => Sha256::digest(c),
        (None, None) => return Err(Error::DetachedContentMissing),
    };
    let si = signer_info(signer, Some(&decoded.encap.content_type), &digest, Some(at))?;
    let mut infos: Vec<Vec<u8>> = e.signer_infos.iter().map(|t| t.raw.to_vec()).collect();
    infos.push(si);
    let cert = signer.certificate().clone();
    rebuild(&e, Some(&cert), infos)
}

/// Adds a countersignature (RFC 5652 section 11.4) to the signer at `index` (in stored
/// order) of an existing SignedData: a SignerInfo over that signer's signature value, in
/// its unsigned attributes.
pub fn countersign(
    envelope: &[u8],
    index: usize,
    signer: &mut dyn Signer,
    at: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let (_, e) = existing(envelope)?;
    let target = e
        .signer_infos
        .get(index)
        .ok_or(Error::SignerNotFound(index))?;
    let decoded = SignerInfo::decode(target).map_err(malformed)?;
    let digest = Sha256::digest(decoded.signature.as_ref());
    let counter = signer_info(signer, None, &digest, Some(at))?;
    let counter_attr = der::sequence(&[
        &der::oid(oids::COUNTER_SIGNATURE)?,
        &der::tlv(der::tag::SET, &counter),
    ]);
    let infos = with_unsigned_attribute(&e, index, &counter_attr)?;
    let cert = signer.certificate().clone();
    rebuild(&e, Some(&cert), infos)
}

/// The signer infos with `attribute` appended to the unsigned attributes of the one at
/// `index`; every other element copied as stored.
fn with_unsigned_attribute(
    e: &Existing<'_>,
    index: usize,
    attribute: &[u8],
) -> Result<Vec<Vec<u8>>, Error> {
    let target = e
        .signer_infos
        .get(index)
        .ok_or(Error::SignerNotFound(index))?;
    let mut parts = Vec::new();
    let mut unsigned = Vec::new();
    for c in children(target)? {
        if c.tag.is_context(1) {
            unsigned.extend(children(&c)?.iter().flat_map(|a| a.raw.to_vec()));
        } else {
            parts.extend_from_slice(c.raw);
        }
    }
    unsigned.extend_from_slice(attribute);
    parts.extend_from_slice(&der::context(1, true, &unsigned));
    let new_target = der::tlv(der::tag::SEQUENCE, &parts);
    Ok(e.signer_infos
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == index {
                new_target.clone()
            } else {
                t.raw.to_vec()
            }
        })
        .collect())
}

/// Adds an RFC 3161 signature timestamp (`id-aa-signatureTimeStampToken`, RFC 3161
/// appendix A; CAdES-T) over the signature value of the signer at `index`, obtained from
/// `tsa`.
pub fn add_signature_timestamp(
    envelope: &[u8],
    index: usize,
    tsa: &dyn crate::tsa::TimestampSource,
) -> Result<Vec<u8>, Error> {
    let (_, e) = existing(envelope)?;
    let target = e
        .signer_infos
        .get(index)
        .ok_or(Error::SignerNotFound(index))?;
    let decoded = SignerInfo::decode(target).map_err(malformed)?;
    let digest = Sha256::digest(decoded.signature.as_ref());
    let token = crate::tsa::timestamp(&digest, tsa)?;
    let attr = der::sequence(&[
        &der::oid(oids::SIGNATURE_TIMESTAMP)?,
        &der::tlv(der::tag::SET, &token),
    ]);
    let infos = with_unsigned_attribute(&e, index, &attr)?;
    rebuild(&e, None, infos)
}

/// How many signers the envelope has at its top level.
pub fn signer_count(envelope: &[u8]) -> Result<usize, Error> {
    Ok(existing(envelope)?.1.signer_infos.len())
}

/// Whether `bytes` is a CMS SignedData envelope (binary).
pub fn is_signed_data(bytes: &[u8]) -> bool {
    lavoro_agile_cades::cms::content_info_type(bytes).as_deref() == Some(oids::SIGNED_DATA)
}

/// Whether the envelope carries its content (attached) rather than pointing at it.
pub fn carries_content(envelope: &[u8]) -> Result<bool, Error> {
    let (sd, _) = existing(envelope)?;
    let decoded = SignedData::decode(&sd).map_err(malformed)?;
    Ok(decoded.encap.content.is_some())
}
