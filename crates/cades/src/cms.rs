//! CMS `SignedData` (RFC 5652) read from BER or DER, keeping original bytes where the
//! signature depends on them.

use std::borrow::Cow;

use crate::ber::{universal, Tlv};
use crate::{oids, Error};

/// Signer infos and countersignatures read from one file, at most.
pub const MAX_SIGNERS: usize = 256;
/// Certificates read from one `SignedData`, at most.
pub const MAX_CERTIFICATES: usize = 512;
/// Countersignature nesting (a countersignature of a countersignature ...), at most.
pub const MAX_COUNTERSIGNATURE_DEPTH: u32 = 8;

/// ```text
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
#[derive(Debug, Clone)]
pub struct AlgorithmIdentifier<'a> {
    /// The algorithm OID, dotted.
    pub oid: String,
    /// The parameters as stored, if any.
    pub parameters: Option<Tlv<'a>>,
}

impl<'a> AlgorithmIdentifier<'a> {
    /// Decodes an `AlgorithmIdentifier` element.
    pub fn decode(tlv: &Tlv<'a>) -> Result<Self, Error> {
        if !tlv.tag.is_universal(universal::SEQUENCE) {
            return Err(Error::Malformed("an algorithm identifier was expected"));
        }
        let mut r = tlv.children()?;
        let oid = r
            .read_universal(universal::OID, "algorithm identifier without OID")?
            .oid()?;
        let parameters = r
            .next_tlv()?
            .filter(|p| !p.tag.is_universal(universal::NULL));
        Ok(Self { oid, parameters })
    }
}

/// ```text
/// Attribute ::= SEQUENCE {
///     attrType    OBJECT IDENTIFIER,
///     attrValues  SET OF AttributeValue }
/// ```
#[derive(Debug, Clone)]
pub struct Attribute<'a> {
    /// The attribute type OID, dotted.
    pub oid: String,
    /// The values as stored.
    pub values: Vec<Tlv<'a>>,
}

fn decode_attributes<'a>(tlv: &Tlv<'a>) -> Result<Vec<Attribute<'a>>, Error> {
    let mut out = Vec::new();
    let mut r = tlv.children()?;
    while let Some(attr) = r.next_tlv()? {
        if !attr.tag.is_universal(universal::SEQUENCE) {
            return Err(Error::Malformed("an attribute is not a SEQUENCE"));
        }
        let mut ar = attr.children()?;
        let oid = ar
            .read_universal(universal::OID, "attribute without type")?
            .oid()?;
        let set = ar.read_universal(universal::SET, "attribute without values")?;
        let mut values = Vec::new();
        let mut vr = set.children()?;
        while let Some(v) = vr.next_tlv()? {
            values.push(v);
        }
        out.push(Attribute { oid, values });
    }
    Ok(out)
}

/// ```text
/// SignerIdentifier ::= CHOICE {
///     issuerAndSerialNumber IssuerAndSerialNumber,
///     subjectKeyIdentifier  [0] SubjectKeyIdentifier }
/// ```
#[derive(Debug, Clone)]
pub enum SignerIdentifier<'a> {
    /// Issuer name (as stored) and serial number (INTEGER content octets).
    IssuerAndSerial {
        /// The issuer `Name` element.
        issuer: Tlv<'a>,
        /// The serial number's content octets.
        serial: &'a [u8],
    },
    /// The subject key identifier of the signer's certificate.
    SubjectKeyIdentifier(Cow<'a, [u8]>),
}

/// The signed attributes of a `SignerInfo`.
#[derive(Debug, Clone)]
pub struct SignedAttributes<'a> {
    /// The `[0] IMPLICIT` element exactly as stored.
    pub raw: &'a [u8],
    /// The decoded attributes, in stored order.
    pub attributes: Vec<Attribute<'a>>,
}

impl SignedAttributes<'_> {
    /// The bytes the signature covers: the stored encoding with its tag changed to
    /// `SET OF` (RFC 5652 5.4), nothing re-encoded or re-sorted.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = self.raw.to_vec();
        if let Some(first) = out.first_mut() {
            // [0] IMPLICIT constructed (0xA0) becomes SET (0x31); the length is unchanged.
            *first = 0x31;
        }
        out
    }

    /// The signed attributes in distinguished encoding (definite lengths, SET elements
    /// sorted), tagged as `SET OF`: what some signers sign while storing another order.
    pub fn signed_bytes_canonical(&self) -> Result<Vec<u8>, Error> {
        Tlv::parse_exact(&self.signed_bytes())?.to_canonical_der()
    }

    /// The signed attributes with definite lengths in stored order, tagged as `SET OF`:
    /// what a signer that stores BER indefinite lengths may have signed.
    pub fn signed_bytes_definite(&self) -> Result<Vec<u8>, Error> {
        Tlv::parse_exact(&self.signed_bytes())?.to_der()
    }

    /// The first attribute of type `oid`.
    pub fn get(&self, oid: &str) -> Option<&Attribute<'_>> {
        self.attributes.iter().find(|a| a.oid == oid)
    }
}

/// ```text
/// SignerInfo ::= SEQUENCE {
///     version            CMSVersion,
///     sid                SignerIdentifier,
///     digestAlgorithm    DigestAlgorithmIdentifier,
///     signedAttrs        [0] IMPLICIT SignedAttributes OPTIONAL,
///     signatureAlgorithm SignatureAlgorithmIdentifier,
///     signature          SignatureValue,
///     unsignedAttrs      [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
#[derive(Debug, Clone)]
pub struct SignerInfo<'a> {
    /// The signer identifier.
    pub sid: SignerIdentifier<'a>,
    /// The digest algorithm.
    pub digest_algorithm: AlgorithmIdentifier<'a>,
    /// Signed attributes, absent in older PKCS#7 signatures.
    pub signed_attributes: Option<SignedAttributes<'a>>,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifier<'a>,
    /// The signature value.
    pub signature: Cow<'a, [u8]>,
    /// Unsigned attributes (countersignatures, timestamps, ...).
    pub unsigned_attributes: Vec<Attribute<'a>>,
}

impl<'a> SignerInfo<'a> {
    /// Decodes a `SignerInfo` element.
    pub fn decode(tlv: &Tlv<'a>) -> Result<Self, Error> {
        if !tlv.tag.is_universal(universal::SEQUENCE) {
            return Err(Error::Malformed("a SignerInfo is not a SEQUENCE"));
        }
        let mut r = tlv.children()?;
        r.read_universal(universal::INTEGER, "SignerInfo without version")?;
        let sid_tlv = r.read("SignerInfo without signer identifier")?;
        let sid = if sid_tlv.tag.is_universal(universal::SEQUENCE) {
            let mut sr = sid_tlv.children()?;
            let issuer =
                sr.read_universal(universal::SEQUENCE, "issuerAndSerialNumber without issuer")?;
            let serial =
                sr.read_universal(universal::INTEGER, "issuerAndSerialNumber without serial")?;
            SignerIdentifier::IssuerAndSerial {
                issuer,
                serial: serial.content,
            }
        } else if sid_tlv.tag.is_context(0) {
            SignerIdentifier::SubjectKeyIdentifier(sid_tlv.octets()?)
        } else {
            return Err(Error::Malformed("unknown kind of signer identifier"));
        };
        let digest_algorithm =
            AlgorithmIdentifier::decode(&r.read("SignerInfo without digest algorithm")?)?;
        let signed_attributes = match r.read_optional_context(0)? {
            Some(t) => Some(SignedAttributes {
                raw: t.raw,
                attributes: decode_attributes(&t)?,
            }),
            None => None,
        };
        let signature_algorithm =
            AlgorithmIdentifier::decode(&r.read("SignerInfo without signature algorithm")?)?;
        let sig = r.read_universal(
            universal::OCTET_STRING,
            "SignerInfo without signature value",
        )?;
        let signature = sig.octets()?;
        let unsigned_attributes = match r.read_optional_context(1)? {
            Some(t) => decode_attributes(&t)?,
            None => Vec::new(),
        };
        Ok(Self {
            sid,
            digest_algorithm,
            signed_attributes,
            signature_algorithm,
            signature,
            unsigned_attributes,
        })
    }

    /// The countersignatures (RFC 5652 11.4) attached to this signer, each decoded; an
    /// undecodable one is returned as its error.
    pub fn countersignatures(&self) -> Vec<Result<SignerInfo<'a>, Error>> {
        self.unsigned_attributes
            .iter()
            .filter(|a| a.oid == oids::COUNTER_SIGNATURE)
            .flat_map(|a| a.values.iter().map(SignerInfo::decode))
            .collect()
    }
}

/// The encapsulated content of a `SignedData`.
///
/// ```text
/// EncapsulatedContentInfo ::= SEQUENCE {
///     eContentType ContentType,
///     eContent     [0] EXPLICIT OCTET STRING OPTIONAL }
/// ```
#[derive(Debug, Clone)]
pub struct EncapsulatedContent<'a> {
    /// The content type OID, dotted.
    pub content_type: String,
    /// The content, joined when it was a constructed OCTET STRING; `None` when detached.
    pub content: Option<Cow<'a, [u8]>>,
}

/// ```text
/// SignedData ::= SEQUENCE {
///     version          CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates     [0] IMPLICIT CertificateSet OPTIONAL,
///     crls             [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos      SignerInfos }
/// ```
#[derive(Debug, Clone)]
pub struct SignedData<'a> {
    /// The encapsulated content.
    pub encap: EncapsulatedContent<'a>,
    /// Embedded certificates (plain X.509 ones), as stored.
    pub certificates: Vec<Tlv<'a>>,
    /// Embedded CRLs, as stored.
    pub crls: Vec<Tlv<'a>>,
    /// The signer infos in encoded order; an undecodable one is kept as its error.
    pub signer_infos: Vec<Result<SignerInfo<'a>, Error>>,
}

/// `id-signedData` `ContentInfo` found at the start of `data` (tolerating trailing bytes),
/// with the `[0]` content element. `Ok(None)` when `data` is some other structure.
pub fn locate_signed_data(data: &[u8]) -> Result<Option<Tlv<'_>>, Error> {
    let Some(content_type) = content_info_type(data) else {
        return Ok(None);
    };
    if content_type != oids::SIGNED_DATA {
        return Ok(None);
    }
    let (ci, _) = Tlv::parse_prefix(data)?;
    let mut r = ci.children()?;
    r.read_universal(universal::OID, "ContentInfo without content type")?;
    let explicit = r.read("ContentInfo without content")?;
    if !explicit.tag.is_context(0) {
        return Err(Error::Malformed("ContentInfo content is not [0]"));
    }
    let inner = explicit
        .children()?
        .read_universal(universal::SEQUENCE, "SignedData is not a SEQUENCE")?;
    Ok(Some(inner))
}

/// The content type of a `ContentInfo` at the start of `data`, read from its first bytes
/// only, so that it is known even when the rest is truncated or damaged.
pub fn content_info_type(data: &[u8]) -> Option<String> {
    let (first, rest) = data.split_first()?;
    if *first != 0x30 {
        return None;
    }
    let (len0, rest) = rest.split_first()?;
    let skip = if *len0 & 0x80 != 0 && *len0 != 0x80 {
        usize::from(len0 & 0x7f)
    } else {
        0
    };
    let rest = rest.get(skip..)?;
    let (oid, _) = Tlv::parse_prefix(rest).ok()?;
    oid.oid().ok()
}

impl<'a> SignedData<'a> {
    /// Decodes the `SignedData` SEQUENCE.
    pub fn decode(tlv: &Tlv<'a>) -> Result<Self, Error> {
        let mut r = tlv.children()?;
        r.read_universal(universal::INTEGER, "SignedData without version")?;
        r.read_universal(universal::SET, "SignedData without digest algorithms")?;
        let eci = r.read_universal(
            universal::SEQUENCE,
            "SignedData without encapsulated content",
        )?;
        let mut er = eci.children()?;
        let content_type = er
            .read_universal(universal::OID, "encapsulated content without type")?
            .oid()?;
        let content = match er.read_optional_context(0)? {
            None => None,
            Some(explicit) => {
                let inner = explicit.children()?.read("empty encapsulated content")?;
                if inner.tag.is_universal(universal::OCTET_STRING) {
                    Some(inner.octets()?)
                } else {
                    // PKCS#7 v1.5 allowed any type here; the digest then covers the content
                    // octets of that element (RFC 5652 5.2.1).
                    Some(Cow::Borrowed(inner.content))
                }
            }
        };
        let mut certificates = Vec::new();
        if let Some(certs) = r.read_optional_context(0)? {
            let mut cr = certs.children()?;
            while let Some(c) = cr.next_tlv()? {
                if certificates.len() >= MAX_CERTIFICATES {
                    return Err(Error::LimitExceeded("number of embedded certificates"));
                }
                // Other CertificateChoices (attribute certificates, ...) are not needed here.
                if c.tag.is_universal(universal::SEQUENCE) {
                    certificates.push(c);
                }
            }
        }
        let mut crls = Vec::new();
        if let Some(list) = r.read_optional_context(1)? {
            let mut cr = list.children()?;
            while let Some(c) = cr.next_tlv()? {
                if c.tag.is_universal(universal::SEQUENCE) {
                    crls.push(c);
                }
            }
        }
        let set = r.read_universal(universal::SET, "SignedData without signer infos")?;
        let mut signer_infos = Vec::new();
        let mut sr = set.children()?;
        loop {
            match sr.next_tlv() {
                Ok(Some(si)) => {
                    if signer_infos.len() >= MAX_SIGNERS {
                        return Err(Error::LimitExceeded("number of signers"));
                    }
                    signer_infos.push(SignerInfo::decode(&si));
                }
                Ok(None) => break,
                Err(e) => {
                    signer_infos.push(Err(e));
                    break;
                }
            }
        }
        Ok(Self {
            encap: EncapsulatedContent {
                content_type,
                content,
            },
            certificates,
            crls,
            signer_infos,
        })
    }
}
