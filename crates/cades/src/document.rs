//! Reading a whole signed document: unwrap text armour, open nested envelopes, check every
//! signer and countersigner, in the order the report needs.

use std::sync::Arc;

use crate::archive;
use crate::armor::{unarmor, Armor};
use crate::ber::{universal, Tlv};
use crate::cert::CertificateInfo;
use crate::cms::{
    content_info_type, locate_signed_data, SignedData, SignerInfo, MAX_COUNTERSIGNATURE_DEPTH,
    MAX_SIGNERS,
};
use crate::crypto::DigestAlgorithm;
use crate::signer::{check_signer_precomputed, Signed, SignerFacts};
use crate::stream::StreamedContent;
use crate::timestamp::{
    check_timestamp, check_timestamp_digest, is_timestamp_token, ImprintOutcome, TimestampFacts,
};
use crate::{mime, oids, Error};

/// Nested envelopes opened, at most (`.p7m.p7m...`).
pub const MAX_ENVELOPES: u32 = 16;
/// CRLs kept per envelope, at most.
pub const MAX_CRLS: usize = 64;
/// Timestamps of each kind checked per signature, at most.
pub const MAX_TIMESTAMPS: usize = 16;

/// What the caller gives besides the bytes.
#[derive(Debug, Default, Clone)]
pub struct ReadOptions {
    /// The content of a detached signature.
    pub detached_content: Option<Vec<u8>>,
    /// Certificates that may be the signer's (trust anchors and others).
    pub supplied_certificates: Vec<Arc<CertificateInfo>>,
    /// Whether to return the original content in [`Document::content`] (a copy: ask only
    /// when it will be used, for example to extract it).
    pub keep_content: bool,
}

/// One signature found in the document.
#[derive(Debug, Clone)]
pub struct SignatureEntry {
    /// The envelope it sits in: 0 for the outermost.
    pub envelope: u32,
    /// Index (in [`Document::signatures`]) of the signature this one countersigns.
    pub countersignature_of: Option<usize>,
    /// The facts, or the reason the signer could not be decoded (FORMAT_FAILURE).
    pub facts: Result<SignerFacts, String>,
    /// Timestamps on this signature (signature-time-stamp) or its content
    /// (content-time-stamp), checked against what they cover.
    pub timestamps: Vec<(TimestampKind, TimestampFacts)>,
}

/// What a timestamp covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampKind {
    /// The signature value (CAdES-T signature-time-stamp).
    Signature,
    /// The signed content, before signing (content-time-stamp).
    Content,
    /// The whole signed envelope (the timestamp part of an M7M).
    Envelope,
    /// A CAdES-A archive timestamp: v2 and v3 are checked against the archive data
    /// rebuilt from the envelope ([`crate::archive`]); v1 only for its TSA signature.
    Archive,
    /// A bare token whose data is not at hand (`.tst`).
    Token,
}

/// The container the signatures were found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// CMS SignedData carrying its content.
    Attached,
    /// CMS SignedData without content (detached).
    Detached,
    /// RFC 5544 TimeStampedData around a signed document.
    TimeStampedData,
    /// MIME multipart with a signed document and a timestamp (`.m7m`).
    M7m,
}

/// The result of reading a signed document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The outermost container.
    pub container: Container,
    /// The text armour of the file.
    pub armor: Armor,
    /// Number of nested SignedData envelopes.
    pub envelopes: u32,
    /// Signatures: innermost envelope first, signers in encoded order, each countersignature
    /// right after its parent.
    pub signatures: Vec<SignatureEntry>,
    /// The original content (of the innermost envelope), when present and asked for
    /// ([`ReadOptions::keep_content`]).
    pub content: Option<Vec<u8>>,
    /// Whether the content of a detached signature was missing.
    pub content_missing: bool,
    /// Timestamps on the whole envelope (M7M timestamp part, TSD temporal evidence), each
    /// covering every signature.
    pub envelope_timestamps: Vec<TimestampFacts>,
    /// Every certificate embedded in the SignedData envelopes (for path building).
    pub certificates: Vec<Arc<CertificateInfo>>,
    /// Every CRL embedded in the SignedData envelopes, as stored (for revocation), the
    /// CAdES revocation values of the signers included.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses from the signers' CAdES revocation values (BasicOCSPResponse) and
    /// Adobe revocation archives (OCSPResponse).
    pub ocsp_responses: Vec<Vec<u8>>,
}

/// What reading found.
#[derive(Debug, Clone)]
pub enum ReadOutcome {
    /// Signatures were located (possibly undecodable: then their facts are errors).
    Signed(Document),
    /// A bare RFC 3161 timestamp token (`.tst`): no signature, one timestamp.
    TimestampToken(Box<TimestampFacts>),
    /// The bytes are a CMS structure of another type (content type OID).
    Unsupported(String),
    /// Not a CMS structure at all.
    NotASignature,
}

struct Walker<'o> {
    options: &'o ReadOptions,
    streamed: Option<&'o StreamedContent>,
    embedded: Vec<Arc<CertificateInfo>>,
    crls: Vec<Vec<u8>>,
    ocsp: Vec<Vec<u8>>,
    signers_seen: usize,
}

struct WalkState {
    content_missing: bool,
    detached_outer: bool,
    final_content: Option<Vec<u8>>,
}

impl Walker<'_> {
    /// Checks the signers of the envelope in `data`, then opens the envelope inside it.
    fn walk(
        &mut self,
        data: &[u8],
        level: u32,
        levels: &mut Vec<Vec<SignatureEntry>>,
        state: &mut WalkState,
    ) -> Result<(), Error> {
        let mut entries = Vec::new();
        let parsed = locate_signed_data(data).and_then(|t| match t {
            Some(t) => SignedData::decode(&t),
            None => Err(Error::Malformed("not a SignedData")),
        });
        let sd = match parsed {
            Ok(sd) => sd,
            Err(Error::LimitExceeded(w)) if level == 0 => return Err(Error::LimitExceeded(w)),
            Err(e) => {
                entries.push(SignatureEntry {
                    envelope: level,
                    countersignature_of: None,
                    facts: Err(e.to_string()),
                    timestamps: Vec::new(),
                });
                levels.push(entries);
                return Ok(());
            }
        };
        for c in &sd.certificates {
            if let Ok(ci) = CertificateInfo::from_bytes(c.raw) {
                self.embedded.push(Arc::new(ci));
            }
        }
        for c in sd.crls.iter().take(MAX_CRLS) {
            self.crls.push(c.raw.to_vec());
        }
        for si in sd.signer_infos.iter().flatten() {
            self.validation_values(si);
        }
        // The outer content of a streamed file was hashed on the way in.
        let streamed = if level == 0 { self.streamed } else { None };
        if sd.encap.content.is_none() && level == 0 && streamed.is_none() {
            state.detached_outer = true;
        }
        let content: Option<&[u8]> = match &sd.encap.content {
            Some(c) => Some(c),
            None if streamed.is_some() => None,
            None => self.options.detached_content.as_deref(),
        };
        if content.is_none() && streamed.is_none() {
            state.content_missing = true;
        }
        for (index, si) in sd.signer_infos.iter().cloned().enumerate() {
            let at = entries.len();
            self.push_signer(
                &mut entries,
                level,
                None,
                si,
                Signed::Content {
                    bytes: content,
                    econtent_type: &sd.encap.content_type,
                },
                0,
            )?;
            if let Some(entry) = entries.get_mut(at) {
                let detached = match &sd.encap.content {
                    Some(_) => None,
                    None => content,
                };
                check_archive_timestamps(
                    entry,
                    data,
                    index,
                    detached,
                    streamed,
                    &self.options.supplied_certificates,
                );
            }
        }
        if sd.signer_infos.is_empty() {
            entries.push(SignatureEntry {
                envelope: level,
                countersignature_of: None,
                facts: Err("the envelope has no signer".to_owned()),
                timestamps: Vec::new(),
            });
        }
        levels.push(entries);
        // A nested envelope: the content is itself a signed document (possibly armoured).
        if let Some(c) = content {
            if sd.encap.content_type == oids::DATA && level + 1 < MAX_ENVELOPES {
                let (inner, _) = unarmor(c);
                if content_info_type(&inner).as_deref() == Some(oids::SIGNED_DATA) {
                    return self.walk(&inner, level + 1, levels, state);
                }
            }
        }
        if self.options.keep_content {
            state.final_content = content.map(<[u8]>::to_vec);
        }
        Ok(())
    }

    /// Collects a signer's CAdES validation data: certificate values
    /// (`id-aa-ets-certValues`, SEQUENCE OF Certificate) and revocation values
    /// (`id-aa-ets-revocationValues`: `SEQUENCE { crlVals [0] SEQUENCE OF CertificateList
    /// OPTIONAL, ocspVals [1] SEQUENCE OF BasicOCSPResponse OPTIONAL, ... }`).
    fn validation_values(&mut self, si: &SignerInfo<'_>) {
        // Adobe's revocation archive (a signed attribute of PDF signatures) has the same
        // shape: `SEQUENCE { crl [0] SEQUENCE OF CertificateList, ocsp [1] SEQUENCE OF
        // OCSPResponse, ... }`.
        let adobe = si
            .signed_attributes
            .iter()
            .flat_map(|sa| sa.attributes.iter())
            .filter(|a| a.oid == oids::ADBE_REVOCATION_INFO_ARCHIVAL);
        for attr in si.unsigned_attributes.iter().chain(adobe) {
            for value in attr.values.iter().take(MAX_CRLS) {
                let Ok(mut r) = value.children() else {
                    continue;
                };
                if attr.oid == oids::CERTIFICATE_VALUES {
                    while let Ok(Some(c)) = r.next_tlv() {
                        if let Ok(ci) = CertificateInfo::from_bytes(c.raw) {
                            self.embedded.push(Arc::new(ci));
                        }
                    }
                } else if attr.oid == oids::REVOCATION_VALUES
                    || attr.oid == oids::ADBE_REVOCATION_INFO_ARCHIVAL
                {
                    while let Ok(Some(field)) = r.next_tlv() {
                        let Ok(mut items) = field.children().and_then(|f| {
                            f.clone()
                                .next_tlv()?
                                .ok_or(Error::Malformed("empty"))
                                .and_then(|s| s.children())
                        }) else {
                            continue;
                        };
                        let target = if field.tag.is_context(0) {
                            &mut self.crls
                        } else if field.tag.is_context(1) {
                            &mut self.ocsp
                        } else {
                            continue;
                        };
                        let mut n = 0;
                        while let Ok(Some(item)) = items.next_tlv() {
                            if n >= MAX_CRLS {
                                break;
                            }
                            target.push(item.raw.to_vec());
                            n += 1;
                        }
                    }
                }
            }
        }
    }

    fn push_signer(
        &mut self,
        out: &mut Vec<SignatureEntry>,
        envelope: u32,
        parent: Option<usize>,
        si: Result<SignerInfo<'_>, Error>,
        signed: Signed<'_>,
        depth: u32,
    ) -> Result<(), Error> {
        self.signers_seen += 1;
        if self.signers_seen > MAX_SIGNERS {
            return Err(Error::LimitExceeded("number of signatures"));
        }
        match si {
            Err(e) => out.push(SignatureEntry {
                envelope,
                countersignature_of: parent,
                facts: Err(e.to_string()),
                timestamps: Vec::new(),
            }),
            Ok(si) => {
                let precomputed: &[_] = match (signed, self.streamed) {
                    (Signed::Content { .. }, Some(s)) if envelope == 0 => &s.digests,
                    _ => &[],
                };
                let facts = check_signer_precomputed(
                    &si,
                    signed,
                    &self.embedded,
                    &self.options.supplied_certificates,
                    precomputed,
                );
                let value = facts.signature_value.clone();
                let index = out.len();
                let supplied = &self.options.supplied_certificates;
                let mut timestamps = Vec::new();
                for token in facts.signature_timestamps.iter().take(MAX_TIMESTAMPS) {
                    timestamps.push((
                        TimestampKind::Signature,
                        check_timestamp(token, Some(&value), supplied),
                    ));
                }
                let content = match signed {
                    Signed::Content { bytes, .. } => bytes,
                    Signed::CounterSignatureOf(_) => None,
                };
                for token in facts.content_timestamps.iter().take(MAX_TIMESTAMPS) {
                    timestamps.push((
                        TimestampKind::Content,
                        check_timestamp(token, content, supplied),
                    ));
                }
                for token in facts.archive_timestamps.iter().take(MAX_TIMESTAMPS) {
                    timestamps.push((
                        TimestampKind::Archive,
                        check_timestamp(token, None, supplied),
                    ));
                }
                out.push(SignatureEntry {
                    envelope,
                    countersignature_of: parent,
                    facts: Ok(facts),
                    timestamps,
                });
                if depth >= MAX_COUNTERSIGNATURE_DEPTH {
                    return Ok(());
                }
                for cs in si.countersignatures() {
                    self.push_signer(
                        out,
                        envelope,
                        Some(index),
                        cs,
                        Signed::CounterSignatureOf(&value),
                        depth + 1,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Checks the archive timestamps (v1, v2, v3) of a signer against the data they cover, rebuilt
/// from the envelope ([`crate::archive`]); the others keep their imprint unchecked.
fn check_archive_timestamps(
    entry: &mut SignatureEntry,
    envelope: &[u8],
    index: usize,
    detached: Option<&[u8]>,
    streamed: Option<&StreamedContent>,
    supplied: &[Arc<CertificateInfo>],
) {
    let Ok(facts) = &entry.facts else { return };
    if !entry
        .timestamps
        .iter()
        .any(|(k, _)| *k == TimestampKind::Archive)
    {
        return;
    }
    let inputs = match streamed {
        Some(s) => archive::archive_inputs_streamed(envelope, index, s),
        None => archive::archive_inputs(envelope, index, detached),
    };
    let inputs = match inputs {
        Ok(i) => i,
        Err(_) => return,
    };
    let tokens = facts.archive_timestamps.iter();
    let slots = entry
        .timestamps
        .iter_mut()
        .filter(|(k, _)| *k == TimestampKind::Archive);
    for (token, (_, slot)) in tokens.zip(slots) {
        let Some(input) = inputs.iter().find(|i| &i.token == token) else {
            continue;
        };
        let mut first = None;
        let data = input
            .candidates
            .iter()
            .map(|c| check_timestamp(token, Some(c), supplied));
        let digests = input
            .digests
            .iter()
            .map(|(a, d)| check_timestamp_digest(token, (*a, d), supplied));
        for checked in data.chain(digests) {
            if checked.imprint == ImprintOutcome::Match {
                first = Some(checked);
                break;
            }
            first.get_or_insert(checked);
        }
        if let Some(mut checked) = first {
            checked.index_problem = input.index_problem.clone();
            *slot = checked;
        }
    }
}

/// Opens an M7M: the signed part is read as a document, the timestamp parts are checked
/// against the signed part's bytes.
fn read_m7m(bytes: &[u8], options: &ReadOptions) -> Result<ReadOutcome, Error> {
    let parts = mime::parts(bytes);
    let mut signed: Option<&mime::Part<'_>> = None;
    let mut tokens = Vec::new();
    for p in &parts {
        if is_timestamp_token(&p.decoded) {
            tokens.push(p.decoded.as_ref());
        } else if signed.is_none()
            && content_info_type(&p.decoded).as_deref() == Some(oids::SIGNED_DATA)
        {
            signed = Some(p);
        }
    }
    let Some(signed) = signed else {
        return Ok(ReadOutcome::NotASignature);
    };
    match read(&signed.decoded, options)? {
        ReadOutcome::Signed(mut d) => {
            d.container = Container::M7m;
            d.armor = Armor::Binary;
            let supplied = &options.supplied_certificates;
            // The timestamp covers the signed file: its bytes as stored in the part (a
            // .p7m kept as base64 text is timestamped as that text), or decoded.
            d.envelope_timestamps = tokens
                .iter()
                .map(|t| {
                    let on_stored = check_timestamp(t, Some(signed.stored), supplied);
                    if on_stored.imprint == ImprintOutcome::Mismatch
                        && signed.stored != signed.decoded.as_ref()
                    {
                        check_timestamp(t, Some(&signed.decoded), supplied)
                    } else {
                        on_stored
                    }
                })
                .collect();
            Ok(ReadOutcome::Signed(d))
        }
        other => Ok(other),
    }
}

/// Opens a TimeStampedData (RFC 5544) and returns its content.
///
/// ```text
/// TimeStampedData ::= SEQUENCE {
///     version          INTEGER { v1(1) },
///     dataUri          IA5String OPTIONAL,
///     metaData         MetaData OPTIONAL,
///     content          OCTET STRING OPTIONAL,
///     temporalEvidence Evidence }
/// ```
/// The content of a TimeStampedData and the timestamp tokens of its evidence.
type TsdParts = (Vec<u8>, Vec<Vec<u8>>);

fn timestamped_data_content(data: &[u8]) -> Result<Option<TsdParts>, Error> {
    let (ci, _) = Tlv::parse_prefix(data)?;
    let mut r = ci.children()?;
    r.read_universal(universal::OID, "ContentInfo without type")?;
    let explicit = r.read("ContentInfo without content")?;
    let tsd = explicit
        .children()?
        .read_universal(universal::SEQUENCE, "TimeStampedData is not a SEQUENCE")?;
    let mut tr = tsd.children()?;
    tr.read_universal(universal::INTEGER, "TimeStampedData without version")?;
    let mut content = None;
    let mut tokens = Vec::new();
    while let Some(field) = tr.next_tlv()? {
        if field.tag.is_universal(universal::OCTET_STRING) {
            content = Some(field.octets()?.into_owned());
        } else if field.tag.is_context(0) {
            // Evidence ::= CHOICE { tstEvidence [0] TimeStampTokenEvidence, ... }
            // TimeStampTokenEvidence ::= SEQUENCE OF TimeStampAndCRL
            // TimeStampAndCRL ::= SEQUENCE { timeStamp TimeStampToken, crl CertificateList OPTIONAL }
            let mut er = field.children()?;
            while let Some(tsc) = er.next_tlv()? {
                if tokens.len() >= MAX_TIMESTAMPS {
                    break;
                }
                if let Some(token) = tsc.children()?.next_tlv()? {
                    tokens.push(token.raw.to_vec());
                }
            }
        }
    }
    Ok(content.map(|c| (c, tokens)))
}

/// Checks the skeleton of a streamed file ([`crate::stream::stream_signed_data`]): as
/// [`read`], with the outer content's digests computed while streaming.
pub fn read_streamed(
    skeleton: &[u8],
    content: &StreamedContent,
    options: &ReadOptions,
) -> Result<ReadOutcome, Error> {
    walk_signed_data(skeleton, Armor::Binary, options, Some(content))
}

/// Reads a signed document and checks every signature's integrity and cryptography.
///
/// `Err` only for exhausted budgets; everything else about the bytes is in the outcome.
pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<ReadOutcome, Error> {
    let (data, armor) = unarmor(bytes);
    let Some(content_type) = content_info_type(&data) else {
        if is_timestamp_token(&data) {
            // An RFC 3161 TimeStampResp (`.tsr`) holding a token.
            return Ok(ReadOutcome::TimestampToken(Box::new(check_timestamp(
                &data,
                None,
                &options.supplied_certificates,
            ))));
        }
        if mime::is_multipart(bytes) {
            return read_m7m(bytes, options);
        }
        return Ok(ReadOutcome::NotASignature);
    };
    let data: &[u8] = &data;
    if content_type == oids::TIMESTAMPED_DATA {
        let (owned_tsd, tokens) = match timestamped_data_content(data) {
            Ok(Some(c)) => c,
            Ok(None) => {
                return Ok(ReadOutcome::Unsupported(
                    "TimeStampedData without content".to_owned(),
                ))
            }
            Err(Error::LimitExceeded(w)) => return Err(Error::LimitExceeded(w)),
            Err(_) => return Ok(ReadOutcome::NotASignature),
        };
        let (inner, _) = unarmor(&owned_tsd);
        if content_info_type(&inner).as_deref() != Some(oids::SIGNED_DATA) {
            // A timestamped document without signatures: only the timestamps to report.
            let envelope_timestamps = tokens
                .iter()
                .map(|t| check_timestamp(t, Some(&owned_tsd), &options.supplied_certificates))
                .collect();
            return Ok(ReadOutcome::Signed(Document {
                container: Container::TimeStampedData,
                armor,
                envelopes: 0,
                signatures: Vec::new(),
                content: options.keep_content.then(|| owned_tsd.clone()),
                content_missing: false,
                envelope_timestamps,
                certificates: Vec::new(),
                crls: Vec::new(),
                ocsp_responses: Vec::new(),
            }));
        }
        return read(&inner, options).map(|o| match o {
            ReadOutcome::Signed(mut d) => {
                d.container = Container::TimeStampedData;
                d.armor = armor;
                // RFC 5544 4.1: the first timestamp covers the content.
                d.envelope_timestamps = tokens
                    .iter()
                    .map(|t| check_timestamp(t, Some(&owned_tsd), &options.supplied_certificates))
                    .collect();
                ReadOutcome::Signed(d)
            }
            other => other,
        });
    } else if content_type != oids::SIGNED_DATA {
        return Ok(ReadOutcome::Unsupported(content_type));
    }
    if is_timestamp_token(data) {
        return Ok(ReadOutcome::TimestampToken(Box::new(check_timestamp(
            data,
            None,
            &options.supplied_certificates,
        ))));
    }

    walk_signed_data(data, armor, options, None)
}

fn walk_signed_data(
    data: &[u8],
    armor: Armor,
    options: &ReadOptions,
    streamed: Option<&StreamedContent>,
) -> Result<ReadOutcome, Error> {
    let mut container = Container::Attached;
    let mut walker = Walker {
        options,
        streamed,
        embedded: Vec::new(),
        crls: Vec::new(),
        ocsp: Vec::new(),
        signers_seen: 0,
    };
    let mut levels: Vec<Vec<SignatureEntry>> = Vec::new();
    let mut state = WalkState {
        content_missing: false,
        detached_outer: false,
        final_content: None,
    };
    walker.walk(data, 0, &mut levels, &mut state)?;
    if state.detached_outer {
        container = Container::Detached;
    }
    let content_missing = state.content_missing;
    let final_content = state.final_content;
    // Innermost envelope first; parents are indices, so shift them by each level's offset.
    let envelopes = u32::try_from(levels.len()).unwrap_or(u32::MAX);
    let mut signatures = Vec::new();
    for entries in levels.into_iter().rev() {
        let offset = signatures.len();
        for mut e in entries {
            e.countersignature_of = e.countersignature_of.map(|p| p + offset);
            signatures.push(e);
        }
    }
    Ok(ReadOutcome::Signed(Document {
        container,
        armor,
        envelopes,
        signatures,
        content: final_content,
        content_missing,
        envelope_timestamps: Vec::new(),
        certificates: walker.embedded,
        crls: walker.crls,
        ocsp_responses: walker.ocsp,
    }))
}

/// The digest algorithms the signers of a CMS SignedData use (in signer order, without
/// repeats): what a caller streaming detached content must compute for
/// [`read_detached_digested`].
pub fn digest_algorithms(bytes: &[u8]) -> Vec<DigestAlgorithm> {
    let mut out = Vec::new();
    if let Ok(Some(t)) = locate_signed_data(bytes) {
        if let Ok(sd) = SignedData::decode(&t) {
            for si in sd.signer_infos.iter().flatten() {
                if let Some(a) = DigestAlgorithm::from_oid(&si.digest_algorithm.oid) {
                    if !out.contains(&a) {
                        out.push(a);
                    }
                }
            }
        }
    }
    out
}

/// Checks a detached CMS signature (a PDF's `/Contents`) whose content is known by its
/// digests, computed by the caller while streaming it (`length` bytes). Signers without
/// signed attributes need the content itself: use [`read`] with
/// [`ReadOptions::detached_content`] for those.
///
/// `Err` only for exhausted budgets, as [`read`].
pub fn read_detached_digested(
    bytes: &[u8],
    digests: &[(DigestAlgorithm, Vec<u8>)],
    length: u64,
    options: &ReadOptions,
) -> Result<ReadOutcome, Error> {
    if content_info_type(bytes).as_deref() != Some(oids::SIGNED_DATA) {
        return Ok(ReadOutcome::NotASignature);
    }
    let streamed = StreamedContent {
        digests: digests.to_vec(),
        length,
        archive_prefixes: Vec::new(),
    };
    walk_signed_data(bytes, Armor::Binary, options, Some(&streamed))
}
