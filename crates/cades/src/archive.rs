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
//! one of them or the timestamp does not cover this signature.
//! - ATSv1 (`id-aa-ets-archiveTimestamp`, RFC 3126 / ETSI TS 101 733 before V1.7.3): the
//!   same objects as ATSv2; its text ("the concatenated values") left the encoding open and
//!   ATSv2 was defined to settle it, so an ATSv1 is rebuilt with the ATSv2 candidates.
//!
//! The entries of the ATSHashIndex (hashes of the certificates, CRLs and unsigned
//! attributes present at archiving time) are compared with the envelope as it is now
//! ([`ArchiveInput::index_problem`]): data added after the archive timestamp is allowed,
//! data it listed that is gone or changed is reported.

use crate::ber::{universal, Tlv};
use crate::cms::locate_signed_data;
use crate::crypto::DigestAlgorithm;
use crate::stream::StreamedContent;
use crate::timestamp::imprint_algorithm;
use crate::Error;

/// id-aa-ets-archiveTimestamp (ATSv1).
pub const ATS_V1: &str = "1.2.840.113549.1.9.16.2.27";
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
    /// Candidate digests of the covered data, when it starts with content that was
    /// streamed rather than kept (ATSv2/v1 in a streamed file): algorithm and digest.
    pub digests: Vec<(DigestAlgorithm, Vec<u8>)>,
    /// ATSv3 only: what the ATSHashIndex lists that the envelope no longer holds as it was
    /// (`None`: everything listed is present, or not an ATSv3).
    pub index_problem: Option<IndexProblem>,
}

/// Validation data an ATSv3's ATSHashIndex lists that is missing or changed now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexProblem {
    /// Certificates listed and no longer present (or changed).
    pub certificates: usize,
    /// CRLs (revocation information) listed and no longer present (or changed).
    pub crls: usize,
    /// Unsigned attribute values listed and no longer present (or changed).
    pub unsigned_attributes: usize,
    /// The index itself cannot be read or names an unknown hash algorithm.
    pub unreadable: bool,
}

/// Budget on the entries of one ATSHashIndex list.
const MAX_INDEX_ENTRIES: usize = 10_000;

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

/// The children of a constructed element, within the index budget.
fn children_of<'a>(t: &Tlv<'a>) -> Option<Vec<Tlv<'a>>> {
    let mut r = t.children().ok()?;
    let mut out = Vec::new();
    while let Some(c) = r.next_tlv().ok()? {
        if out.len() >= MAX_INDEX_ENTRIES {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// The digests of an element in DER and as stored.
fn digests_of(alg: DigestAlgorithm, parts: &[&Tlv<'_>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for der in [true, false] {
        let mut bytes = Vec::new();
        for p in parts {
            match enc(p, der) {
                Ok(b) => bytes.extend_from_slice(&b),
                Err(_) => return out,
            }
        }
        let d = alg.digest(&bytes);
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// Compares an ATSHashIndex with the envelope:
///
/// ```text
/// ATSHashIndex ::= SEQUENCE {
///     hashIndAlgorithm            AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certificatesHashIndex       SEQUENCE OF OCTET STRING,
///     crlsHashIndex               SEQUENCE OF OCTET STRING,
///     unsignedAttrs(Values)HashIndex SEQUENCE OF OCTET STRING }
/// ```
///
/// Certificates and CRLs are hashed element by element (CertificateChoices,
/// RevocationInfoChoice). The unsigned attributes: each whole Attribute (TS 101 733
/// ATSHashIndex) or, per value, the attribute type followed by that value (EN 319 122-1
/// ATSHashIndex-v2/-v3). An entry matching none of them is missing or changed.
fn index_problem(
    index: &Tlv<'_>,
    certificates: Option<&Tlv<'_>>,
    crls: Option<&Tlv<'_>>,
    unsigned: &[Tlv<'_>],
) -> Option<IndexProblem> {
    let unreadable = IndexProblem {
        unreadable: true,
        ..IndexProblem::default()
    };
    let Some(mut parts) = children_of(index) else {
        return Some(unreadable);
    };
    let mut alg = Some(DigestAlgorithm::Sha256);
    if parts
        .first()
        .and_then(|p| p.children().ok()?.next_tlv().ok()?)
        .is_some_and(|first| first.tag.is_universal(universal::OID))
    {
        let first = parts.remove(0);
        alg = crate::cms::AlgorithmIdentifier::decode(&first)
            .ok()
            .and_then(|a| DigestAlgorithm::from_oid(&a.oid));
    }
    let (Some(alg), [cert_list, crl_list, attr_list]) = (alg, parts.as_slice()) else {
        return Some(unreadable);
    };
    let listed = |list: &Tlv<'_>| -> Option<Vec<Vec<u8>>> {
        children_of(list)?
            .iter()
            .map(|e| e.octets().ok().map(|o| o.into_owned()))
            .collect()
    };
    let (Some(cert_hashes), Some(crl_hashes), Some(attr_hashes)) =
        (listed(cert_list), listed(crl_list), listed(attr_list))
    else {
        return Some(unreadable);
    };
    let present = |container: Option<&Tlv<'_>>| -> Vec<Vec<u8>> {
        container
            .and_then(children_of)
            .unwrap_or_default()
            .iter()
            .flat_map(|e| digests_of(alg, &[e]))
            .collect()
    };
    let certs_now = present(certificates);
    let crls_now = present(crls);
    let mut attrs_now = Vec::new();
    for a in unsigned {
        attrs_now.extend(digests_of(alg, &[a]));
        let oid = a.children().ok().and_then(|mut r| r.next_tlv().ok()?);
        if let Some(oid) = oid {
            for v in attribute_values(a) {
                attrs_now.extend(digests_of(alg, &[&oid, &v]));
            }
        }
    }
    let missing =
        |listed: &[Vec<u8>], now: &[Vec<u8>]| listed.iter().filter(|h| !now.contains(h)).count();
    let problem = IndexProblem {
        certificates: missing(&cert_hashes, &certs_now),
        crls: missing(&crl_hashes, &crls_now),
        unsigned_attributes: missing(&attr_hashes, &attrs_now),
        unreadable: false,
    };
    (problem != IndexProblem::default()).then_some(problem)
}

/// The archive timestamps (v1, v2 and v3) of signer `index` of the SignedData `signed_data`
/// (the ContentInfo), with what their imprints should cover. `detached`: the content when
/// the SignedData does not carry it. Archive timestamps whose input cannot be rebuilt (the
/// content is unknown, an unknown imprint algorithm) are left out.
pub fn archive_inputs(
    signed_data: &[u8],
    index: usize,
    detached: Option<&[u8]>,
) -> Result<Vec<ArchiveInput>, Error> {
    inputs(signed_data, index, detached, None)
}

/// As [`archive_inputs`] for the skeleton of a streamed file
/// ([`crate::stream::stream_signed_data`]): the content's digests and the hash states
/// after the encapsulated content info stand for the content. ATSv2/v1 inputs come as
/// digests ([`ArchiveInput::digests`]); an imprint algorithm the stream did not hash with
/// leaves the timestamp out.
pub fn archive_inputs_streamed(
    skeleton: &[u8],
    index: usize,
    streamed: &StreamedContent,
) -> Result<Vec<ArchiveInput>, Error> {
    inputs(skeleton, index, None, Some(streamed))
}

fn inputs(
    signed_data: &[u8],
    index: usize,
    detached: Option<&[u8]>,
    streamed: Option<&StreamedContent>,
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
        if oid != ATS_V1 && oid != ATS_V2 && oid != ATS_V3 {
            continue;
        }
        // The unsigned attributes present when it was added (ATSv1/v2): in a DER SET their
        // order says nothing, so every other one (as DSS and the corpus files read it), or
        // else those stored before it.
        let others: Vec<Tlv<'_>> = unsigned
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, a)| *a)
            .collect();
        let subsets = [others.as_slice(), unsigned.get(..k).unwrap_or_default()];
        for token in attribute_values(attr) {
            let mut candidates: Vec<Vec<u8>> = Vec::new();
            let mut digests: Vec<(DigestAlgorithm, Vec<u8>)> = Vec::new();
            let alg = imprint_algorithm(token.raw);
            for der in [true, false] {
                let input = if oid == ATS_V3 {
                    let content_digest = match (alg, content, streamed) {
                        (Some(alg), Some(content), _) => Some(alg.digest(content)),
                        (Some(alg), None, Some(s)) => s
                            .digests
                            .iter()
                            .find(|(a, _)| *a == alg)
                            .map(|(_, d)| d.clone()),
                        _ => None,
                    };
                    let (Some(content_digest), Some(index)) = (content_digest, hash_index(&token))
                    else {
                        break;
                    };
                    v3_input(&content_type, &content_digest, &fields, &index, der)?
                } else if let Some(s) = streamed {
                    // The content was hashed on the way in: the state after the
                    // encapsulated content info, in this encoding, takes the rest.
                    let Some(prefix) = s
                        .archive_prefixes
                        .iter()
                        .find(|p| Some(p.algorithm) == alg && p.der == der)
                    else {
                        continue;
                    };
                    for subset in subsets {
                        let rest = v2_input(
                            Vec::new(),
                            certificates.as_ref(),
                            crls.as_ref(),
                            &fields,
                            subset,
                            der,
                        )?;
                        let d = (prefix.algorithm, prefix.digest_with(&rest));
                        if !digests.contains(&d) {
                            digests.push(d);
                        }
                    }
                    continue;
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
                    for subset in subsets {
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
            if !candidates.is_empty() || !digests.is_empty() {
                let index_problem = if oid == ATS_V3 {
                    hash_index(&token).and_then(|index| {
                        index_problem(&index, certificates.as_ref(), crls.as_ref(), &unsigned)
                    })
                } else {
                    None
                };
                out.push(ArchiveInput {
                    token: token.raw.to_vec(),
                    candidates,
                    digests,
                    index_problem,
                });
            }
        }
    }
    Ok(out)
}

fn v3_input(
    content_type: &Tlv<'_>,
    content_digest: &[u8],
    fields: &[Tlv<'_>],
    index: &Tlv<'_>,
    der: bool,
) -> Result<Vec<u8>, Error> {
    let mut v = enc(content_type, der)?;
    v.extend_from_slice(content_digest);
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
