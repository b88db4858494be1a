//! The data an archive timestamp covers (CAdES-A): the input of its message imprint,
//! rebuilt from the SignedData it sits in.
//!
//! - ATSv3 (`id-aa-ets-archiveTimestampV3`, ETSI EN 319 122-1 5.5.3): the encapsulated
//!   content type, the hash of the signed content (with the timestamp's imprint
//!   algorithm), the signer's version, sid, digestAlgorithm, signedAttrs,
//!   signatureAlgorithm and signature, and the `ATSHashIndex` stored in the timestamp
//!   token's own unsigned attributes.
//! - ATSv2 (`id-aa-ets-archiveTimestampV2`, ETSI TS 101 733 6.4.1 / RFC 5126): the
//!   encapsulated content info (and a detached content), the certificates, the CRLs, the
//!   signer's fields and its other unsigned attributes (those present when it was added).
//!
//! The standards ask for DER; signers in the wild wrote some fields as stored (BER), so
//! each input comes in its DER form and, when different, as stored: the imprint matches
//! one of them or the timestamp does not cover this signature. ATSv1 is not rebuilt.
//!
//! The entries of the ATSHashIndex (hashes of certificates, CRLs and unsigned attributes
//! at archiving time) are taken as stored: the imprint proves the signature value and
//! content were archived, not that every validation data item listed is still present.

use crate::ber::{universal, Tlv};
use crate::cms::locate_signed_data;
use crate::crypto::DigestAlgorithm;
use crate::timestamp::imprint_algorithm;
use crate::Error;

/// id-aa-ets-archiveTimestampV2.
pub const ATS_V2: &str = "1.2.840.113549.1.9.16.2.48";
/// id-aa-ets-archiveTimestampV3.
pub const ATS_V3: &str = "0.4.0.1733.2.4";
/// id-aa-ATSHashIndex (ETSI TS 101 733) and id-aa-ATSHashIndex-v3 (EN 319 122-1).
const ATS_HASH_INDEX: [&str; 3] = ["0.4.0.1733.2.5", "0.4.0.19122.1.5", "0.4.0.19122.1.4"];

/// Archive timestamps of one signer with the candidate inputs of their imprints.
#[derive(Debug, Clone)]
pub struct ArchiveInput {
    /// The token as stored in the unsigned attribute.
    pub token: Vec<u8>,
    /// Candidate covered data: DER form first, then as stored when different.
    pub candidates: Vec<Vec<u8>>,
}

fn header(tag: u8, len: usize) -> Vec<u8> {
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out
}

/// An element in DER (definite lengths, joined strings) or as stored.
fn enc(t: &Tlv<'_>, der: bool) -> Result<Vec<u8>, Error> {
    if der {
        t.to_der()
    } else {
        Ok(t.raw.to_vec())
    }
}

fn attribute_oid(attr: &Tlv<'_>) -> Option<String> {
    let mut r = attr.children().ok()?;
    let oid = r.next_tlv().ok()??;
    if !oid.tag.is_universal(universal::OID) {
        return None;
    }
    oid.oid().ok()
}

/// The values of an attribute (`SEQUENCE { type, SET OF value }`).
fn attribute_values<'a>(attr: &Tlv<'a>) -> Vec<Tlv<'a>> {
    let mut out = Vec::new();
    let Ok(mut r) = attr.children() else {
        return out;
    };
    let _ = r.next_tlv();
    if let Ok(Some(set)) = r.next_tlv() {
        if let Ok(mut vr) = set.children() {
            while let Ok(Some(v)) = vr.next_tlv() {
                out.push(v);
            }
        }
    }
    out
}

/// The ATSHashIndex value stored in a timestamp token's signer's unsigned attributes.
fn hash_index<'a>(token: &Tlv<'a>) -> Option<Tlv<'a>> {
    let sd = locate_signed_data(token.raw).ok()??;
    let mut r = sd.children().ok()?;
    let mut last = None;
    while let Ok(Some(t)) = r.next_tlv() {
        last = Some(t);
    }
    let signer_infos = last?;
    let si = signer_infos.children().ok()?.next_tlv().ok()??;
    let mut sr = si.children().ok()?;
    while let Ok(Some(field)) = sr.next_tlv() {
        if field.tag.is_context(1) {
            let mut ar = field.children().ok()?;
            while let Ok(Some(attr)) = ar.next_tlv() {
                if attribute_oid(&attr).is_some_and(|o| ATS_HASH_INDEX.contains(&o.as_str())) {
                    return attribute_values(&attr).into_iter().next();
                }
            }
        }
    }
    None
}

/// The archive timestamps (v2 and v3) of signer `index` of the SignedData `signed_data`
/// (the ContentInfo), with what their imprints should cover. `detached`: the content when
/// the SignedData does not carry it. Archive timestamps whose input cannot be rebuilt (the
/// content is unknown, an unknown imprint algorithm) are left out.
pub fn archive_inputs(
    signed_data: &[u8],
    index: usize,
    detached: Option<&[u8]>,
) -> Result<Vec<ArchiveInput>, Error> {
    let Some(sd) = locate_signed_data(signed_data)? else {
        return Ok(Vec::new());
    };
    let mut r = sd.children()?;
    r.read_universal(universal::INTEGER, "SignedData without version")?;
    r.read_universal(universal::SET, "SignedData without digest algorithms")?;
    let encap = r.read_universal(universal::SEQUENCE, "SignedData without content info")?;
    let mut certificates = None;
    let mut crls = None;
    let mut signer_infos = None;
    while let Some(t) = r.next_tlv()? {
        if t.tag.is_context(0) {
            certificates = Some(t);
        } else if t.tag.is_context(1) {
            crls = Some(t);
        } else if t.tag.is_universal(universal::SET) {
            signer_infos = Some(t);
        }
    }
    let Some(signer_infos) = signer_infos else {
        return Ok(Vec::new());
    };
    let mut er = encap.children()?;
    let content_type = er.read_universal(universal::OID, "content info without type")?;
    let econtent = match er.next_tlv()? {
        Some(explicit) if explicit.tag.is_context(0) => match explicit.children()?.next_tlv()? {
            Some(os) => Some(os.octets()?.into_owned()),
            None => None,
        },
        _ => None,
    };
    let content: Option<&[u8]> = econtent.as_deref().or(detached);
    let mut sr = signer_infos.children()?;
    let mut signer = None;
    let mut i = 0;
    while let Some(si) = sr.next_tlv()? {
        if i == index {
            signer = Some(si);
            break;
        }
        i += 1;
    }
    let Some(signer) = signer else {
        return Ok(Vec::new());
    };
    let mut fields = Vec::new();
    let mut unsigned = Vec::new();
    let mut fr = signer.children()?;
    while let Some(f) = fr.next_tlv()? {
        if f.tag.is_context(1) {
            let mut ar = f.children()?;
            while let Some(a) = ar.next_tlv()? {
                unsigned.push(a);
            }
        } else {
            fields.push(f);
        }
    }
    let mut out = Vec::new();
    for (k, attr) in unsigned.iter().enumerate() {
        let Some(oid) = attribute_oid(attr) else {
            continue;
        };
        if oid != ATS_V2 && oid != ATS_V3 {
            continue;
        }
        for token in attribute_values(attr) {
            let mut candidates: Vec<Vec<u8>> = Vec::new();
            for der in [true, false] {
                let input = if oid == ATS_V3 {
                    let (Some(alg), Some(content), Some(index)) =
                        (imprint_algorithm(token.raw), content, hash_index(&token))
                    else {
                        break;
                    };
                    v3_input(&content_type, alg, content, &fields, &index, der)?
                } else {
                    let Some(content_part) = (match (&econtent, detached) {
                        (Some(_), _) => Some(enc(&encap, der)?),
                        (None, Some(d)) => {
                            let mut v = enc(&encap, der)?;
                            v.extend_from_slice(d);
                            Some(v)
                        }
                        (None, None) => None,
                    }) else {
                        break;
                    };
                    // The unsigned attributes present when it was added: in a DER SET
                    // their order says nothing, so every other one (as DSS and the
                    // corpus files read it), or else those stored before it.
                    let others: Vec<Tlv<'_>> = unsigned
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k)
                        .map(|(_, a)| *a)
                        .collect();
                    let before = unsigned.get(..k).unwrap_or_default();
                    for subset in [others.as_slice(), before] {
                        let input = v2_input(
                            content_part.clone(),
                            certificates.as_ref(),
                            crls.as_ref(),
                            &fields,
                            subset,
                            der,
                        )?;
                        if !candidates.contains(&input) {
                            candidates.push(input);
                        }
                    }
                    continue;
                };
                if !candidates.contains(&input) {
                    candidates.push(input);
                }
            }
            if !candidates.is_empty() {
                out.push(ArchiveInput {
                    token: token.raw.to_vec(),
                    candidates,
                });
            }
        }
    }
    Ok(out)
}

fn v3_input(
    content_type: &Tlv<'_>,
    alg: DigestAlgorithm,
    content: &[u8],
    fields: &[Tlv<'_>],
    index: &Tlv<'_>,
    der: bool,
) -> Result<Vec<u8>, Error> {
    let mut v = enc(content_type, der)?;
    v.extend_from_slice(&alg.digest(content));
    for f in fields {
        v.extend_from_slice(&enc(f, der)?);
    }
    v.extend_from_slice(&enc(index, der)?);
    Ok(v)
}

fn v2_input(
    mut v: Vec<u8>,
    certificates: Option<&Tlv<'_>>,
    crls: Option<&Tlv<'_>>,
    fields: &[Tlv<'_>],
    unsigned_before: &[Tlv<'_>],
    der: bool,
) -> Result<Vec<u8>, Error> {
    for t in [certificates, crls].into_iter().flatten() {
        v.extend_from_slice(&enc(t, der)?);
    }
    for f in fields {
        v.extend_from_slice(&enc(f, der)?);
    }
    if !unsigned_before.is_empty() {
        let mut body = Vec::new();
        for a in unsigned_before {
            body.extend_from_slice(&enc(a, der)?);
        }
        v.extend_from_slice(&header(0xA1, body.len()));
        v.extend_from_slice(&body);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_long_lengths_use_minimal_octets() {
        assert_eq!(header(0xA1, 5), vec![0xA1, 5]);
        assert_eq!(header(0xA1, 0x80), vec![0xA1, 0x81, 0x80]);
        assert_eq!(header(0xA1, 0x1234), vec![0xA1, 0x82, 0x12, 0x34]);
    }

    #[test]
    fn archive_inputs_not_signed_data_is_empty() {
        assert!(archive_inputs(b"\x30\x03\x02\x01\x01", 0, None)
            .unwrap()
            .is_empty());
        assert!(archive_inputs(b"", 0, None).unwrap().is_empty());
    }
}
