//! The enveloped XML-DSig signature of a trusted list (ETSI TS 119 612 clause 5.7.1, a
//! XAdES baseline signature over the whole list).
//!
//! Checked: that the `Signature` element is a child of the list's root; that one
//! `Reference` covers the whole document (`URI=""` or the root's `Id`) with the
//! enveloped-signature transform; every `Reference` digest (SHA-256/384/512) over its
//! canonicalised target; and the `SignatureValue` over the canonicalised `SignedInfo` with
//! the first certificate of `KeyInfo` (RSA PKCS#1 v1.5 or ECDSA, SHA-256/384/512); and,
//! when the XAdES signed properties name the signing certificate (`SigningCertificate` or
//! `SigningCertificateV2`), that they are signed and their digest is that certificate's. Which
//! certificate is acceptable is the caller's decision ([`crate::TrustedListSet`]).

use base64::Engine;
use lavoro_agile_pki::{Certificate, SignatureVerifier, Verification};
use roxmltree::{Document, Node};
use sha2::Digest;

use crate::c14n::{self, Method};

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// At most this many references are digested (a list has two).
const MAX_REFERENCES: usize = 8;

/// Why a list's signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `Signature` element under the root.
    #[error("the list is not signed")]
    Unsigned,
    /// A required element or attribute is missing.
    #[error("the signature has no {0}")]
    Missing(&'static str),
    /// An algorithm this checker does not support (or refuses as too weak).
    #[error("unsupported algorithm {0}")]
    Unsupported(String),
    /// No reference covers the whole list with the enveloped-signature transform.
    #[error("the signature does not cover the whole list")]
    NotWholeDocument,
    /// A reference points to nothing, or to more than one element.
    #[error("a signature reference cannot be resolved: {0}")]
    BadReference(String),
    /// A reference's digest does not match: the list was changed after signing.
    #[error("the list was changed after it was signed (digest mismatch)")]
    DigestMismatch,
    /// The signing certificate cannot be decoded.
    #[error("the signing certificate cannot be decoded")]
    BadCertificate,
    /// The signature value does not verify with the signing certificate.
    #[error("the signature value does not verify")]
    BadSignature,
    /// The XAdES signed properties name a signing certificate (`SigningCertificate` or
    /// `SigningCertificateV2`) that is not the one in `KeyInfo`, or are not signed.
    #[error("the signing certificate is not the one the signed properties name")]
    SigningCertificateMismatch,
}

const XADES_NS: [&str; 2] = [
    "http://uri.etsi.org/01903/v1.3.2#",
    "http://uri.etsi.org/01903/v1.4.1#",
];

fn is_xades(n: &Node<'_, '_>, name: &str) -> bool {
    n.is_element()
        && n.tag_name().name() == name
        && n.tag_name()
            .namespace()
            .is_some_and(|ns| XADES_NS.contains(&ns))
}

/// XAdES (EN 319 132-1 clause 5.2.2): when the signature carries signed properties naming
/// the signing certificate, they must be covered by a reference (`covered`) and one of
/// their `CertDigest`s must be the digest of `cert_der`, the certificate of `KeyInfo`.
/// A plain XML-DSig signature without them is left as it is.
fn check_signing_certificate(
    signature: Node<'_, '_>,
    covered: &[roxmltree::NodeId],
    cert_der: &[u8],
) -> Result<(), SignatureError> {
    let Some(props) = signature
        .descendants()
        .find(|n| is_xades(n, "SignedProperties"))
    else {
        return Ok(());
    };
    let Some(signing) = props
        .descendants()
        .find(|n| is_xades(n, "SigningCertificate") || is_xades(n, "SigningCertificateV2"))
    else {
        return Ok(());
    };
    if !covered.contains(&props.id()) {
        return Err(SignatureError::SigningCertificateMismatch);
    }
    for digest_node in signing
        .descendants()
        .filter(|n| is_xades(n, "CertDigest"))
        .take(MAX_REFERENCES)
    {
        let Some(alg) =
            ds_child(digest_node, "DigestMethod").and_then(|n| n.attribute("Algorithm"))
        else {
            continue;
        };
        let Some(value) = ds_child(digest_node, "DigestValue")
            .and_then(|n| n.text())
            .and_then(b64)
        else {
            continue;
        };
        // SHA-1 only names the certificate here (XAdES SigningCertificate, as AgID's
        // TSL-IT uses it); the list's integrity rests on the references' digests. An
        // algorithm not supported cannot confirm the certificate.
        let computed = if alg == "http://www.w3.org/2000/09/xmldsig#sha1" {
            Ok(sha1::Sha1::digest(cert_der).to_vec())
        } else {
            digest(alg, cert_der)
        };
        if computed.is_ok_and(|d| d == value) {
            return Ok(());
        }
    }
    Err(SignatureError::SigningCertificateMismatch)
}

/// A verified signature.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    /// The signing certificate (DER), from `KeyInfo`.
    pub signer: Vec<u8>,
}

fn ds_child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.has_tag_name((DSIG_NS, name)))
}

fn b64(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()
}

fn digest(uri: &str, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
    Ok(match uri {
        "http://www.w3.org/2001/04/xmlenc#sha256" => sha2::Sha256::digest(data).to_vec(),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => sha2::Sha384::digest(data).to_vec(),
        "http://www.w3.org/2001/04/xmlenc#sha512" => sha2::Sha512::digest(data).to_vec(),
        other => return Err(SignatureError::Unsupported(other.to_owned())),
    })
}

/// The DER `AlgorithmIdentifier` of a signature method, and whether it is ECDSA (whose
/// XML-DSig value is `r || s` and must be re-encoded as the DER `Ecdsa-Sig-Value`).
fn signature_algorithm(uri: &str) -> Result<(&'static [u8], bool), SignatureError> {
    Ok(match uri {
        // sha256WithRSAEncryption, NULL parameters
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => (
            &[
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05,
                0x00,
            ],
            false,
        ),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => (
            &[
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05,
                0x00,
            ],
            false,
        ),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => (
            &[
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05,
                0x00,
            ],
            false,
        ),
        // ecdsa-with-SHA256/384/512, absent parameters
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => (
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
            ],
            true,
        ),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => (
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
            ],
            true,
        ),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => (
            &[
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04,
            ],
            true,
        ),
        other => return Err(SignatureError::Unsupported(other.to_owned())),
    })
}

fn der_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, (len & 0xff) as u8]);
    }
}

fn der_uint(bytes: &[u8], out: &mut Vec<u8>) {
    let trimmed: &[u8] = {
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        bytes.get(first..).unwrap_or_default()
    };
    let pad = trimmed.first().is_none_or(|b| *b >= 0x80);
    out.push(0x02);
    der_length(trimmed.len() + usize::from(pad), out);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(trimmed);
}

/// `r || s` (XML-DSig, RFC 4050) to `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
fn ecdsa_raw_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || raw.len() % 2 != 0 || raw.len() > 264 {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = Vec::new();
    der_uint(r, &mut body);
    der_uint(s, &mut body);
    let mut out = vec![0x30];
    der_length(body.len(), &mut out);
    out.extend_from_slice(&body);
    Some(out)
}

/// The element whose `Id` (or `ID`, `id`) is `id`; it must be unique.
fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Result<Node<'a, 'i>, SignatureError> {
    let mut found = doc.descendants().filter(|n| {
        n.is_element()
            && ["Id", "ID", "id"]
                .iter()
                .any(|a| n.attribute(*a) == Some(id))
    });
    let first = found
        .next()
        .ok_or_else(|| SignatureError::BadReference(format!("#{id}")))?;
    if found.next().is_some() {
        return Err(SignatureError::BadReference(format!("#{id} (not unique)")));
    }
    Ok(first)
}

/// Verifies the enveloped signature of a parsed list.
pub fn verify(
    doc: &Document<'_>,
    verifier: &dyn SignatureVerifier,
) -> Result<VerifiedSignature, SignatureError> {
    let root = doc.root_element();
    let signature = ds_child(root, "Signature").ok_or(SignatureError::Unsigned)?;
    let signed_info =
        ds_child(signature, "SignedInfo").ok_or(SignatureError::Missing("SignedInfo"))?;
    let c14n_uri = ds_child(signed_info, "CanonicalizationMethod")
        .and_then(|n| n.attribute("Algorithm"))
        .ok_or(SignatureError::Missing("CanonicalizationMethod"))?;
    let si_method = Method::from_uri(c14n_uri)
        .ok_or_else(|| SignatureError::Unsupported(c14n_uri.to_owned()))?;
    let sig_uri = ds_child(signed_info, "SignatureMethod")
        .and_then(|n| n.attribute("Algorithm"))
        .ok_or(SignatureError::Missing("SignatureMethod"))?;
    let (alg_der, ecdsa) = signature_algorithm(sig_uri)?;

    let mut whole = false;
    let mut count = 0usize;
    let mut covered = Vec::new();
    for reference in signed_info
        .children()
        .filter(|c| c.is_element() && c.has_tag_name((DSIG_NS, "Reference")))
    {
        count += 1;
        if count > MAX_REFERENCES {
            return Err(SignatureError::BadReference(
                "too many references".to_owned(),
            ));
        }
        let uri = reference
            .attribute("URI")
            .ok_or(SignatureError::Missing("Reference URI"))?;
        let mut enveloped = false;
        let mut method = None;
        if let Some(ts) = ds_child(reference, "Transforms") {
            for t in ts
                .children()
                .filter(|c| c.is_element() && c.has_tag_name((DSIG_NS, "Transform")))
            {
                let a = t
                    .attribute("Algorithm")
                    .ok_or(SignatureError::Missing("Transform Algorithm"))?;
                if a == ENVELOPED {
                    enveloped = true;
                } else if let Some(m) = Method::from_uri(a) {
                    if t.children().any(|c| c.is_element()) {
                        // An InclusiveNamespaces PrefixList changes the output.
                        return Err(SignatureError::Unsupported(format!("{a} with parameters")));
                    }
                    method = Some(m);
                } else {
                    return Err(SignatureError::Unsupported(a.to_owned()));
                }
            }
        }
        // A node-set turned into octets without an explicit transform: Canonical XML 1.0.
        let method = method.unwrap_or(Method::Inclusive);
        let exclude = enveloped.then(|| signature.id());
        let data = if uri.is_empty() {
            c14n::document(doc, exclude, method)
        } else {
            let id = uri
                .strip_prefix('#')
                .ok_or_else(|| SignatureError::BadReference(uri.to_owned()))?;
            let target = by_id(doc, id)?;
            covered.push(target.id());
            if target == root && enveloped {
                whole = true;
            }
            c14n::subtree(target, exclude, method)
        };
        if uri.is_empty() && enveloped {
            whole = true;
        }
        let dm = ds_child(reference, "DigestMethod")
            .and_then(|n| n.attribute("Algorithm"))
            .ok_or(SignatureError::Missing("DigestMethod"))?;
        let expected = ds_child(reference, "DigestValue")
            .and_then(|n| n.text())
            .and_then(b64)
            .ok_or(SignatureError::Missing("DigestValue"))?;
        if digest(dm, &data)? != expected {
            return Err(SignatureError::DigestMismatch);
        }
    }
    if !whole {
        return Err(SignatureError::NotWholeDocument);
    }
    let value = ds_child(signature, "SignatureValue")
        .and_then(|n| n.text())
        .and_then(b64)
        .ok_or(SignatureError::Missing("SignatureValue"))?;
    let cert_der = ds_child(signature, "KeyInfo")
        .and_then(|k| ds_child(k, "X509Data"))
        .and_then(|d| ds_child(d, "X509Certificate"))
        .and_then(|c| c.text())
        .and_then(b64)
        .ok_or(SignatureError::Missing("signing certificate"))?;
    let cert = Certificate::from_der(&cert_der).map_err(|_| SignatureError::BadCertificate)?;
    check_signing_certificate(signature, &covered, &cert_der)?;
    let message = c14n::subtree(signed_info, None, si_method);
    let value = if ecdsa {
        ecdsa_raw_to_der(&value).ok_or(SignatureError::BadSignature)?
    } else {
        value
    };
    match verifier.verify(&cert.public_key(), alg_der, &message, &value) {
        Verification::Valid => Ok(VerifiedSignature { signer: cert_der }),
        Verification::Invalid => Err(SignatureError::BadSignature),
        Verification::Unsupported(what) => Err(SignatureError::Unsupported(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_raw_value_becomes_der_with_sign_padding() {
        let mut raw = vec![0u8; 64];
        raw[31] = 1;
        raw[32] = 0x80;
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(der[..5], [0x30, der.len() as u8 - 2, 0x02, 0x01, 0x01]);
        assert_eq!(der[5..8], [0x02, 0x21, 0x00]);
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_none());
    }
}
