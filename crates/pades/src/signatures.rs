//! Every signature and document timestamp of a PDF: where it is, what its `/ByteRange`
//! covers, the CMS (or legacy PKCS#1) inside it checked over the covered bytes, and what
//! changed in the file after it.
//!
//! ByteRange rules (strict: they decide what a signature covers): four non-negative
//! integers `[0 a b c]`; the gap `[a, b)` is exactly the `/Contents` hexadecimal string of
//! the signature dictionary as parsed from the file; `b + c` is the end of a revision that
//! holds this very signature dictionary; nothing past the end of the file.

use std::sync::Arc;

use digest::DynDigest;
use lavoro_agile_cades::crypto::{verify_signature, DigestAlgorithm, SignatureOutcome};
use lavoro_agile_cades::timestamp::{check_timestamp_digest, imprint_algorithm, TimestampFacts};
use lavoro_agile_cades::{ReadOptions, ReadOutcome};
use time::OffsetDateTime;

use crate::changes::{self, Changes, Permissions};
use crate::document::{Document, Limits};
use crate::object::{Dict, ObjRef, Object, PdfString};
use crate::source::{for_each_chunk, Source};
use crate::Error;

/// Signature fields read per revision, at most.
pub const MAX_FIELDS: usize = 10_000;
/// Signatures checked per file, at most.
pub const MAX_SIGNATURES: usize = 256;
/// Covered bytes read into memory for the signature types that need the content itself
/// (CMS without signed attributes, `adbe.x509.rsa_sha1`), at most.
pub const MAX_IN_MEMORY_CONTENT: u64 = 64 << 20;

/// The `/SubFilter` of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubFilter {
    /// `adbe.pkcs7.detached`.
    AdbePkcs7Detached,
    /// `ETSI.CAdES.detached` (PAdES).
    EtsiCadesDetached,
    /// `ETSI.RFC3161` (document timestamp).
    EtsiRfc3161,
    /// `adbe.pkcs7.sha1` (legacy: the CMS signs the SHA-1 of the covered bytes).
    AdbePkcs7Sha1,
    /// `adbe.x509.rsa_sha1` (legacy: a bare PKCS#1 signature, certificates in `/Cert`).
    AdbeX509RsaSha1,
    /// Anything else (named as found), or missing (empty).
    Other(String),
}

impl SubFilter {
    fn from_name(n: Option<&[u8]>) -> Self {
        match n {
            Some(b"adbe.pkcs7.detached") => Self::AdbePkcs7Detached,
            Some(b"ETSI.CAdES.detached") => Self::EtsiCadesDetached,
            Some(b"ETSI.RFC3161") => Self::EtsiRfc3161,
            Some(b"adbe.pkcs7.sha1") => Self::AdbePkcs7Sha1,
            Some(b"adbe.x509.rsa_sha1") => Self::AdbeX509RsaSha1,
            Some(other) => Self::Other(String::from_utf8_lossy(other).into_owned()),
            None => Self::Other(String::new()),
        }
    }

    /// The name as written in the PDF.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AdbePkcs7Detached => "adbe.pkcs7.detached",
            Self::EtsiCadesDetached => "ETSI.CAdES.detached",
            Self::EtsiRfc3161 => "ETSI.RFC3161",
            Self::AdbePkcs7Sha1 => "adbe.pkcs7.sha1",
            Self::AdbeX509RsaSha1 => "adbe.x509.rsa_sha1",
            Self::Other(s) => s,
        }
    }
}

/// Why a signature's coverage is not acceptable (each one makes it a FORMAT_FAILURE).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ByteRangeProblem {
    /// No `/ByteRange`, or not four non-negative integers.
    Malformed,
    /// `/Contents` is missing, not a hexadecimal string, or stored where its position in
    /// the file is unknown (inside a compressed object stream).
    ContentsNotLocated,
    /// `/ByteRange` or `/Contents` appears twice in the signature dictionary.
    DuplicateKeys,
    /// The first range does not start at 0.
    DoesNotStartAtZero,
    /// The ranges overlap or are out of order.
    Overlap,
    /// The gap between the ranges is not exactly the `/Contents` string.
    GapIsNotContents,
    /// The ranges run past the end of the file.
    PastEndOfFile,
    /// The ranges do not end where a revision ends.
    NotEndOfRevision,
    /// The revision the ranges cover does not hold this signature dictionary.
    SignatureNotInSignedRevision,
    /// `/Contents` holds non-zero bytes after the signature.
    DataAfterSignature,
}

impl ByteRangeProblem {
    /// Plain words (Italian, English).
    pub fn describe(&self) -> (&'static str, &'static str) {
        match self {
            Self::Malformed => (
                "l'intervallo firmato (ByteRange) manca o non è valido",
                "the signed range (ByteRange) is missing or not valid",
            ),
            Self::ContentsNotLocated => (
                "il valore della firma (Contents) non si trova dove previsto",
                "the signature value (Contents) is not where it must be",
            ),
            Self::DuplicateKeys => (
                "il dizionario della firma ripete ByteRange o Contents",
                "the signature dictionary repeats ByteRange or Contents",
            ),
            Self::DoesNotStartAtZero => (
                "la parte firmata non parte dall'inizio del file",
                "the signed part does not start at the beginning of the file",
            ),
            Self::Overlap => (
                "gli intervalli firmati si sovrappongono o sono in ordine sbagliato",
                "the signed ranges overlap or are out of order",
            ),
            Self::GapIsNotContents => (
                "la parte esclusa dalla firma non è solo il valore della firma",
                "the part left out of the signature is not just the signature value",
            ),
            Self::PastEndOfFile => (
                "gli intervalli firmati vanno oltre la fine del file",
                "the signed ranges go past the end of the file",
            ),
            Self::NotEndOfRevision => (
                "la parte firmata non termina alla fine di una versione del documento",
                "the signed part does not end where a version of the document ends",
            ),
            Self::SignatureNotInSignedRevision => (
                "la versione firmata del documento non contiene questa firma",
                "the signed version of the document does not contain this signature",
            ),
            Self::DataAfterSignature => (
                "il campo della firma contiene altri dati dopo la firma",
                "the signature field holds other data after the signature",
            ),
        }
    }
}

/// Signature or document timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// `/Type /Sig` (or no type).
    Signature,
    /// `/Type /DocTimeStamp`.
    DocTimeStamp,
}

/// What checking the cryptographic content found.
#[derive(Debug, Clone)]
pub enum Crypto {
    /// A CMS signature, checked by `lavoro-agile-cades` (for `adbe.pkcs7.sha1`, with
    /// `sha1_content` saying whether the signed content is the SHA-1 of the covered bytes).
    Cms {
        /// The CMS read outcome.
        outcome: Box<ReadOutcome>,
        /// For `adbe.pkcs7.sha1`: whether the encapsulated content equals the SHA-1 of the
        /// covered bytes.
        sha1_content: Option<bool>,
    },
    /// A document timestamp (`ETSI.RFC3161`), its imprint checked against the covered bytes.
    Timestamp(Box<TimestampFacts>),
    /// A legacy `adbe.x509.rsa_sha1` signature.
    RsaSha1 {
        /// The signer certificate (first of `/Cert`), when decodable.
        certificate: Option<Arc<lavoro_agile_cades::cert::CertificateInfo>>,
        /// The signature value check (`None`: not attempted).
        signature: Option<SignatureOutcome>,
    },
    /// The content could not be checked, and why.
    NotChecked(String),
}

/// Everything found about one signature.
#[derive(Debug, Clone)]
pub struct SignatureFacts {
    /// The field name (`/T`), when the signature is in a field.
    pub field_name: Option<String>,
    /// Signature or document timestamp.
    pub kind: SignatureKind,
    /// The `/SubFilter`.
    pub sub_filter: SubFilter,
    /// The `/ByteRange`, when four integers.
    pub byte_range: Option<[u64; 4]>,
    /// Coverage problems (any one is a FORMAT_FAILURE).
    pub byte_range_problems: Vec<ByteRangeProblem>,
    /// The revision signed (0-based), when the coverage is acceptable.
    pub signed_revision: Option<usize>,
    /// Length of the document as signed (`b + c`), when the ranges are four integers.
    pub signed_length: Option<u64>,
    /// Whether the signature covers the whole file as it is now.
    pub covers_whole_file: bool,
    /// The signing time in the signature dictionary (`/M`).
    pub pdf_signing_time: Option<OffsetDateTime>,
    /// The cryptographic check.
    pub crypto: Crypto,
    /// Modification permissions this signature sets (DocMDP, FieldMDP).
    pub permissions: Permissions,
    /// What changed after this signature (when its signed revision is known).
    pub changes: Option<Changes>,
    /// Its entry in the document security store's `/VRI` (index into
    /// [`crate::dss::Dss::vri`]), when there is one.
    pub vri: Option<usize>,
}

/// What reading a PDF found.
#[derive(Debug, Clone)]
pub struct PdfRead {
    /// SHA-256 of the whole file, when it was computed while hashing a signature's ranges.
    pub file_sha256: Option<Vec<u8>>,
    /// Length of each revision (the document as it was after each save), oldest first.
    pub revision_ends: Vec<u64>,
    /// Non-blank bytes after the last revision (not part of any revision).
    pub trailing_bytes: u64,
    /// Every signature and document timestamp, oldest first.
    pub signatures: Vec<SignatureFacts>,
    /// The document security store (`/DSS`) of the newest revision: `Ok(None)` when there
    /// is none, `Err` when a budget ran out while reading it (the signatures are still
    /// reported).
    pub dss: Result<Option<crate::dss::Dss>, Error>,
}

struct Found {
    field_name: Option<String>,
    dict: Dict,
    dict_ref: Option<ObjRef>,
    lock: Option<Dict>,
    first_rev: usize,
    in_final: bool,
}

fn text(s: &PdfString) -> String {
    let b = &s.bytes;
    if b.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = b
            .get(2..)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|c| match c {
                [h, l] => u16::from_be_bytes([*h, *l]),
                _ => 0,
            })
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        b.iter().map(|c| char::from(*c)).collect()
    }
}

/// A signature field: its name, the signature dictionary, the dictionary's reference, and
/// the field's `/Lock` (ISO 32000-1 12.7.4.5, table 233), resolved.
type SigField = (Option<String>, Dict, Option<ObjRef>, Option<Dict>);

/// The signature fields of revision `rev`.
fn signature_fields(doc: &Document<'_>, rev: usize) -> Result<Vec<SigField>, Error> {
    let catalog = doc.catalog(Some(rev))?;
    let Some(cat) = catalog.dict() else {
        return Ok(Vec::new());
    };
    let Some(af) = cat.get(b"AcroForm") else {
        return Ok(Vec::new());
    };
    let af = doc.resolve(af, Some(rev))?;
    let Some(fields) = af.dict().and_then(|d| d.get(b"Fields")) else {
        return Ok(Vec::new());
    };
    let fields = doc.resolve(fields, Some(rev))?;
    let Object::Array(list) = &*fields else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<changes::FieldNode> = list
        .iter()
        .rev()
        .map(|o| (o.clone(), None, None, 0))
        .collect();
    let mut visited = 0usize;
    while let Some((o, inherited_ft, parent, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_FIELDS || depth > 32 {
            return Err(Error::LimitExceeded("form fields"));
        }
        if let Object::Ref(r) = &o {
            if !seen.insert(r.num) {
                continue;
            }
        }
        let f = doc.resolve(&o, Some(rev))?;
        let Some(d) = f.dict() else { continue };
        let ft = d.name(b"FT").map(<[u8]>::to_vec).or(inherited_ft);
        let partial = match d.get(b"T") {
            Some(Object::Str(s)) => Some(text(s)),
            _ => None,
        };
        let name = match (&parent, partial) {
            (Some(p), Some(t)) => Some(format!("{p}.{t}")),
            (None, Some(t)) => Some(t),
            (p, None) => p.clone(),
        };
        if let Some(Object::Array(kids)) = d
            .get(b"Kids")
            .map(|k| doc.resolve(k, Some(rev)))
            .transpose()?
            .as_deref()
        {
            for k in kids.iter().rev() {
                stack.push((k.clone(), ft.clone(), name.clone(), depth + 1));
            }
        }
        if ft.as_deref() == Some(b"Sig") {
            if let Some(v) = d.get(b"V") {
                let r = match v {
                    Object::Ref(r) => Some(*r),
                    _ => None,
                };
                let sig = doc.resolve(v, Some(rev))?;
                let lock = match d.get(b"Lock") {
                    Some(l) => doc.resolve(l, Some(rev))?.dict().cloned(),
                    None => None,
                };
                if let Some(sd) = sig.dict() {
                    out.push((name, sd.clone(), r, lock));
                }
            }
        }
    }
    Ok(out)
}

fn identity(d: &Dict, r: Option<ObjRef>) -> (Option<u64>, Option<u32>, Vec<u8>) {
    match d.get(b"Contents") {
        Some(Object::Str(s)) => (
            s.start,
            r.map(|r| r.num),
            s.bytes.iter().take(64).copied().collect(),
        ),
        _ => (None, r.map(|r| r.num), Vec::new()),
    }
}

/// A hasher for each digest algorithm in `algs`.
fn hashers(algs: &[DigestAlgorithm]) -> Vec<(DigestAlgorithm, Box<dyn DynDigest>)> {
    algs.iter()
        .filter_map(|a| {
            let h: Box<dyn DynDigest> = match a {
                DigestAlgorithm::Sha1 => Box::new(sha1::Sha1::default()),
                DigestAlgorithm::Sha224 => Box::new(sha2::Sha224::default()),
                DigestAlgorithm::Sha256 => Box::new(sha2::Sha256::default()),
                DigestAlgorithm::Sha384 => Box::new(sha2::Sha384::default()),
                DigestAlgorithm::Sha512 => Box::new(sha2::Sha512::default()),
                DigestAlgorithm::Sha3_224 => Box::new(sha3::Sha3_224::default()),
                DigestAlgorithm::Sha3_256 => Box::new(sha3::Sha3_256::default()),
                DigestAlgorithm::Sha3_384 => Box::new(sha3::Sha3_384::default()),
                DigestAlgorithm::Sha3_512 => Box::new(sha3::Sha3_512::default()),
                _ => return None,
            };
            Some((*a, h))
        })
        .collect()
}

/// Digests of the covered ranges, hashed as a stream. When `file_hash` is given, also the
/// SHA-256 of the whole file, sharing the pass over the first range (the state after it is
/// cloned and continued over the rest of the file): the file is read about once.
fn digest_ranges(
    source: &dyn Source,
    ranges: [(u64, u64); 2],
    algs: &[DigestAlgorithm],
    file_hash: Option<&mut Option<Vec<u8>>>,
) -> Result<Vec<(DigestAlgorithm, Vec<u8>)>, Error> {
    let mut hs = hashers(algs);
    let [(s0, l0), (s1, l1)] = ranges;
    let file_hash = file_hash.filter(|_| s0 == 0);
    let mut extra: Option<Box<dyn DynDigest>> =
        if file_hash.is_some() && !algs.contains(&DigestAlgorithm::Sha256) {
            Some(Box::new(sha2::Sha256::default()))
        } else {
            None
        };
    for_each_chunk(source, s0, s0 + l0, &mut |chunk| {
        for (_, h) in hs.iter_mut() {
            h.update(chunk);
        }
        if let Some(e) = extra.as_mut() {
            e.update(chunk);
        }
    })?;
    if let Some(slot) = file_hash {
        let shared = hs
            .iter()
            .find(|(a, _)| *a == DigestAlgorithm::Sha256)
            .map(|(_, h)| h.box_clone());
        if let Some(mut fh) = extra.take().or(shared) {
            for_each_chunk(source, s0 + l0, source.len(), &mut |c| fh.update(c))?;
            *slot = Some(fh.finalize().to_vec());
        }
    }
    for_each_chunk(source, s1, s1 + l1, &mut |chunk| {
        for (_, h) in hs.iter_mut() {
            h.update(chunk);
        }
    })?;
    Ok(hs
        .into_iter()
        .map(|(a, h)| (a, h.finalize().to_vec()))
        .collect())
}

fn read_ranges(source: &dyn Source, ranges: [(u64, u64); 2]) -> Result<Option<Vec<u8>>, Error> {
    let total = ranges[0].1.saturating_add(ranges[1].1);
    if total > MAX_IN_MEMORY_CONTENT {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for (start, len) in ranges {
        for_each_chunk(source, start, start + len, &mut |c| {
            out.extend_from_slice(c)
        })?;
    }
    Ok(Some(out))
}

/// A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, ISO 32000-1 7.9.4).
pub fn parse_pdf_date(s: &[u8]) -> Option<OffsetDateTime> {
    let s = s.strip_prefix(b"D:").unwrap_or(s);
    let num = |a: usize, b: usize, default: u32| -> Option<u32> {
        match s.get(a..b) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(d).ok()?.parse().ok()
            }
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i32::try_from(num(0, 4, 0)?).ok()?;
    if s.len() < 4 {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(num(4, 6, 1)?).ok()?).ok()?;
    let day = u8::try_from(num(6, 8, 1)?).ok()?;
    let hour = u8::try_from(num(8, 10, 0)?).ok()?;
    let minute = u8::try_from(num(10, 12, 0)?).ok()?;
    let second = u8::try_from(num(12, 14, 0)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let t = time::Time::from_hms(hour, minute, second).ok()?;
    let mut offset_secs: i32 = 0;
    if let Some(&sign) = s.get(14) {
        if sign == b'+' || sign == b'-' {
            let oh = i32::try_from(num(15, 17, 0).unwrap_or(0)).ok()?;
            let om = i32::try_from(num(18, 20, 0).unwrap_or(0)).ok()?;
            offset_secs = (oh * 3600 + om * 60) * if sign == b'-' { -1 } else { 1 };
        }
    }
    let offset = time::UtcOffset::from_whole_seconds(offset_secs).ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

fn byte_range_of(d: &Dict) -> Option<[u64; 4]> {
    match d.get(b"ByteRange") {
        Some(Object::Array(a)) if a.len() == 4 => {
            let mut out = [0u64; 4];
            for (slot, o) in out.iter_mut().zip(a) {
                *slot = u64::try_from(o.as_int()?).ok()?;
            }
            Some(out)
        }
        _ => None,
    }
}

/// Reads a PDF: every revision, every signature and document timestamp (oldest first),
/// their coverage, their CMS checked by `lavoro-agile-cades`, and what changed after each.
///
/// `Err` when the file is not a PDF or its structure cannot be read at all (or a budget is
/// exhausted before the signatures are located).
pub fn read_signatures(source: &dyn Source, options: &ReadOptions) -> Result<PdfRead, Error> {
    let doc = Document::open(source, Limits::default())?;
    let nrev = doc.revisions.len();
    let last = nrev.saturating_sub(1);
    let mut found: Vec<Found> = Vec::new();
    let mut ids = Vec::new();
    let final_ids: Vec<_> = signature_fields(&doc, last)?
        .iter()
        .map(|(_, d, r, _)| identity(d, *r))
        .collect();
    for rev in 0..nrev {
        // Older revisions may be damaged where the newest is fine: only the newest must read.
        let fields = match signature_fields(&doc, rev) {
            Ok(f) => f,
            Err(e) if rev == last => return Err(e),
            Err(_) => continue,
        };
        for (name, dict, r, lock) in fields {
            let id = identity(&dict, r);
            if ids.contains(&id) {
                continue;
            }
            if found.len() >= MAX_SIGNATURES {
                return Err(Error::LimitExceeded("number of signatures"));
            }
            ids.push(id.clone());
            found.push(Found {
                field_name: name,
                dict,
                dict_ref: r,
                lock,
                first_rev: rev,
                in_final: final_ids.contains(&id),
            });
        }
    }
    // Oldest first: by where each signature value sits in the file.
    found.sort_by_key(|f| {
        (
            f.first_rev,
            match f.dict.get(b"Contents") {
                Some(Object::Str(s)) => s.start.unwrap_or(u64::MAX),
                _ => u64::MAX,
            },
        )
    });
    // A signature no longer among the document's fields is not reported as one of its
    // signatures; the signatures before it report its removal among their changes.
    let found: Vec<&Found> = found.iter().filter(|f| f.in_final).collect();
    // The signature whose first range is longest also yields the file's SHA-256 (one pass).
    let longest = found
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match byte_range_of(&f.dict) {
            Some([0, a, _, _]) if a <= doc.len() => Some((a, i)),
            _ => None,
        })
        .max()
        .map(|(_, i)| i);
    let mut file_sha256 = None;
    let dss = crate::dss::read_dss(&doc);
    let mut signatures = Vec::new();
    for (i, f) in found.iter().enumerate() {
        let slot = (Some(i) == longest).then_some(&mut file_sha256);
        let mut facts = check_one(&doc, f, options, slot)?;
        if let (Ok(Some(store)), Some(Object::Str(c))) = (&dss, f.dict.get(b"Contents")) {
            facts.vri = store
                .vri_for(&c.bytes)
                .and_then(|v| store.vri.iter().position(|x| x.key == v.key));
        }
        signatures.push(facts);
    }
    Ok(PdfRead {
        file_sha256,
        revision_ends: doc.revisions.iter().map(|r| r.end_with_eol).collect(),
        trailing_bytes: doc.trailing_bytes,
        signatures,
        dss,
    })
}

fn coverage(doc: &Document<'_>, f: &Found, problems: &mut Vec<ByteRangeProblem>) -> Option<usize> {
    let d = &f.dict;
    if d.duplicates(b"ByteRange") || d.duplicates(b"Contents") {
        problems.push(ByteRangeProblem::DuplicateKeys);
    }
    let contents = match d.get(b"Contents") {
        Some(Object::Str(s)) if s.hex && s.start.is_some() && s.end.is_some() => Some(s),
        _ => {
            problems.push(ByteRangeProblem::ContentsNotLocated);
            None
        }
    };
    let Some([a0, l1, o2, l2]) = byte_range_of(d) else {
        problems.push(ByteRangeProblem::Malformed);
        return None;
    };
    if a0 != 0 {
        problems.push(ByteRangeProblem::DoesNotStartAtZero);
    }
    if o2 < l1.saturating_add(a0) {
        problems.push(ByteRangeProblem::Overlap);
    }
    let end = o2.saturating_add(l2);
    if end > doc.len() {
        problems.push(ByteRangeProblem::PastEndOfFile);
    }
    if let Some(c) = contents {
        if c.start != Some(a0.saturating_add(l1)) || c.end != Some(o2) {
            problems.push(ByteRangeProblem::GapIsNotContents);
        }
    }
    let rev = doc
        .revisions
        .iter()
        .position(|r| r.end == end || r.end_with_eol == end);
    let Some(rev) = rev else {
        problems.push(ByteRangeProblem::NotEndOfRevision);
        return None;
    };
    // The signed revision must hold this very signature dictionary (same value, same
    // place): otherwise the ranges were taken from another signature or revision.
    let here = match signature_fields(doc, rev) {
        Ok(fields) => fields
            .iter()
            .any(|(_, sd, r, _)| identity(sd, *r) == identity(d, f.dict_ref)),
        Err(_) => false,
    };
    if !here {
        problems.push(ByteRangeProblem::SignatureNotInSignedRevision);
    }
    if problems.is_empty() {
        Some(rev)
    } else {
        None
    }
}

/// The DER element at the start of `bytes` and whether only zero padding follows it.
fn der_prefix(bytes: &[u8]) -> (&[u8], bool) {
    match lavoro_agile_cades::ber::Tlv::parse_prefix(bytes) {
        Ok((t, rest)) => (t.raw, rest.iter().all(|b| *b == 0)),
        Err(_) => (bytes, true),
    }
}

fn check_one(
    doc: &Document<'_>,
    f: &Found,
    options: &ReadOptions,
    file_hash: Option<&mut Option<Vec<u8>>>,
) -> Result<SignatureFacts, Error> {
    let d = &f.dict;
    let kind = if d.name(b"Type") == Some(b"DocTimeStamp") {
        SignatureKind::DocTimeStamp
    } else {
        SignatureKind::Signature
    };
    let sub_filter = SubFilter::from_name(d.name(b"SubFilter"));
    let mut problems = Vec::new();
    let signed_revision = coverage(doc, f, &mut problems);
    let byte_range = byte_range_of(d);
    let signed_length = byte_range.map(|[_, _, o2, l2]| o2.saturating_add(l2));
    let covers_whole_file = signed_revision.is_some()
        && signed_revision == doc.revisions.len().checked_sub(1)
        && doc.trailing_bytes == 0;
    let pdf_signing_time = match d.get(b"M") {
        Some(Object::Str(s)) => parse_pdf_date(&s.bytes),
        _ => None,
    };
    let contents: Vec<u8> = match d.get(b"Contents") {
        Some(Object::Str(s)) => s.bytes.clone(),
        _ => Vec::new(),
    };
    let (cms, only_zeros) = der_prefix(&contents);
    if !only_zeros && !problems.contains(&ByteRangeProblem::DataAfterSignature) {
        problems.push(ByteRangeProblem::DataAfterSignature);
    }
    // Hash what the ranges say even when they break the rules: the facts stay complete.
    let ranges = byte_range
        .filter(|[a0, l1, o2, l2]| {
            a0.saturating_add(*l1) <= doc.len() && o2.saturating_add(*l2) <= doc.len()
        })
        .map(|[a0, l1, o2, l2]| [(a0, l1), (o2, l2)]);
    let crypto = match ranges {
        None => Crypto::NotChecked("the signed ranges cannot be read".to_owned()),
        Some(ranges) => check_crypto(doc, d, &sub_filter, kind, cms, ranges, options, file_hash)?,
    };
    let mut permissions = changes::permissions_of(doc, d, f.dict_ref);
    if let Some(lock) = &f.lock {
        permissions.field_locks.extend(changes::lock_of(doc, lock));
    }
    let changes = match signed_revision {
        Some(rev) if rev + 1 < doc.revisions.len() || doc.trailing_bytes > 0 => {
            Some(changes::after_signature(doc, rev, &permissions, f.dict_ref))
        }
        Some(_) => Some(Changes::default()),
        None => None,
    };
    Ok(SignatureFacts {
        field_name: f.field_name.clone(),
        kind,
        sub_filter,
        byte_range,
        byte_range_problems: problems,
        signed_revision,
        signed_length,
        covers_whole_file,
        pdf_signing_time,
        crypto,
        permissions,
        changes,
        vri: None,
    })
}

// The covered ranges, the CMS, the dictionary and the file-hash slot are all needed here.
#[allow(clippy::too_many_arguments)]
fn check_crypto(
    doc: &Document<'_>,
    d: &Dict,
    sub_filter: &SubFilter,
    kind: SignatureKind,
    cms: &[u8],
    ranges: [(u64, u64); 2],
    options: &ReadOptions,
    file_hash: Option<&mut Option<Vec<u8>>>,
) -> Result<Crypto, Error> {
    let source = doc.source();
    let cades_err = |e: lavoro_agile_cades::Error| Crypto::NotChecked(e.to_string());
    if kind == SignatureKind::DocTimeStamp || *sub_filter == SubFilter::EtsiRfc3161 {
        let Some(alg) = imprint_algorithm(cms) else {
            return Ok(Crypto::Timestamp(Box::new(
                lavoro_agile_cades::timestamp::check_timestamp(
                    cms,
                    None,
                    &options.supplied_certificates,
                ),
            )));
        };
        let digests = digest_ranges(source, ranges, &[alg], file_hash)?;
        let facts = match digests.first() {
            Some((a, dg)) => check_timestamp_digest(cms, (*a, dg), &options.supplied_certificates),
            None => lavoro_agile_cades::timestamp::check_timestamp(
                cms,
                None,
                &options.supplied_certificates,
            ),
        };
        return Ok(Crypto::Timestamp(Box::new(facts)));
    }
    match sub_filter {
        SubFilter::AdbePkcs7Sha1 => {
            let outcome = match lavoro_agile_cades::read(cms, options) {
                Ok(o) => o,
                Err(e) => return Ok(cades_err(e)),
            };
            let digests = digest_ranges(source, ranges, &[DigestAlgorithm::Sha1], file_hash)?;
            let sha1 = digests.first().map(|(_, d)| d.clone());
            let content = match &outcome {
                ReadOutcome::Signed(doc) => doc.content.clone(),
                _ => None,
            };
            // keep_content may be off: read the encapsulated content to compare.
            let content = match content {
                Some(c) => Some(c),
                None => match lavoro_agile_cades::read(
                    cms,
                    &ReadOptions {
                        keep_content: true,
                        ..options.clone()
                    },
                ) {
                    Ok(ReadOutcome::Signed(doc)) => doc.content,
                    _ => None,
                },
            };
            Ok(Crypto::Cms {
                outcome: Box::new(outcome),
                sha1_content: Some(content.is_some() && content == sha1),
            })
        }
        SubFilter::AdbeX509RsaSha1 => {
            let cert = match d.get(b"Cert") {
                Some(Object::Str(s)) => Some(s.bytes.clone()),
                Some(Object::Array(a)) => a.first().and_then(|o| match o {
                    Object::Str(s) => Some(s.bytes.clone()),
                    _ => None,
                }),
                _ => None,
            };
            let certificate = cert
                .and_then(|c| lavoro_agile_cades::cert::CertificateInfo::from_bytes(&c).ok())
                .map(Arc::new);
            // /Contents is a DER OCTET STRING holding the PKCS#1 signature.
            let value = lavoro_agile_cades::ber::Tlv::parse_prefix(cms)
                .ok()
                .and_then(|(t, _)| t.octets().ok().map(|o| o.into_owned()));
            let signature = match (&certificate, value, read_ranges(source, ranges)?) {
                (Some(c), Some(v), Some(content)) => {
                    let alg = lavoro_agile_cades::cms::AlgorithmIdentifier {
                        oid: "1.2.840.113549.1.1.5".to_owned(),
                        parameters: None,
                    };
                    Some(verify_signature(
                        &c.public_key(),
                        &alg,
                        Some(DigestAlgorithm::Sha1),
                        &content,
                        &v,
                    ))
                }
                (Some(_), None, _) => Some(SignatureOutcome::Invalid(
                    "the signature value cannot be decoded",
                )),
                _ => None,
            };
            Ok(Crypto::RsaSha1 {
                certificate,
                signature,
            })
        }
        _ => {
            let algs = lavoro_agile_cades::digest_algorithms(cms);
            let digests = digest_ranges(source, ranges, &algs, file_hash)?;
            let length = ranges.iter().map(|(_, len)| len).sum();
            let outcome =
                match lavoro_agile_cades::read_detached_digested(cms, &digests, length, options) {
                    Ok(o) => o,
                    Err(e) => return Ok(cades_err(e)),
                };
            // A signer without signed attributes signs the content itself.
            let needs_content = match &outcome {
                ReadOutcome::Signed(doc) => doc.signatures.iter().any(|s| {
                    s.facts
                        .as_ref()
                        .is_ok_and(|f| !f.has_signed_attributes && f.signature.is_none())
                }),
                _ => false,
            };
            if needs_content {
                if let Some(content) = read_ranges(source, ranges)? {
                    let with = ReadOptions {
                        detached_content: Some(content),
                        ..options.clone()
                    };
                    if let Ok(o) = lavoro_agile_cades::read(cms, &with) {
                        return Ok(Crypto::Cms {
                            outcome: Box::new(o),
                            sha1_content: None,
                        });
                    }
                }
            }
            Ok(Crypto::Cms {
                outcome: Box::new(outcome),
                sha1_content: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_date_with_offset_parses() {
        let t = parse_pdf_date(b"D:20240301100000+01'00'").unwrap();
        assert_eq!(t.unix_timestamp(), 1_709_283_600);
    }

    #[test]
    fn pdf_date_garbage_is_none() {
        assert!(parse_pdf_date(b"D:yesterday").is_none());
    }
}
