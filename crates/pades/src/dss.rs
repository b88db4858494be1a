//! The Document Security Store (ISO 32000-2 12.8.4.3, ETSI EN 319 142-1 5.4): validation
//! data that a PDF carries in its catalog's `/DSS` — certificates (`/Certs`), CRLs
//! (`/CRLs`) and OCSP responses (`/OCSPs`), and per-signature `/VRI` dictionaries keyed by
//! the uppercase hexadecimal SHA-1 of a signature's `/Contents`, each with its own `/Cert`,
//! `/CRL`, `/OCSP`, `/TU` (time of collection) and `/TS` (a timestamp over the entry).
//!
//! The store is read as of the newest revision: an incremental update after a signature
//! that adds or extends it is the normal way to reach PAdES-LT. This module only extracts
//! the bytes and says which entries are unusable and why ([`DssProblem`]); decoding the
//! certificates, CRLs and responses and judging them is for `verify` and `pki`.
//!
//! Budgets: [`MAX_DSS_ITEMS`] streams over all lists, [`MAX_VRI`] VRI entries,
//! [`MAX_DSS_STREAM`] decoded bytes per stream and [`MAX_DSS_TOTAL`] over the store. An
//! exhausted budget ends the reading with [`Error::LimitExceeded`]; a single bad entry is a
//! problem and the rest is still read.

use std::collections::HashMap;

use sha2::Digest;
use time::OffsetDateTime;

use crate::document::Document;
use crate::filters;
use crate::object::{ObjRef, Object};
use crate::signatures::parse_pdf_date;
use crate::Error;

/// Streams (certificates, CRLs, OCSP responses, VRI timestamps) read from a store, at most.
pub const MAX_DSS_ITEMS: usize = 10_000;
/// VRI entries read, at most.
pub const MAX_VRI: usize = 4_096;
/// Decoded bytes of one stream of the store, at most.
pub const MAX_DSS_STREAM: u64 = 32 << 20;
/// Decoded bytes over the whole store, at most.
pub const MAX_DSS_TOTAL: u64 = 128 << 20;

/// The three kinds of validation data of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An X.509 certificate (`/Certs`, `/Cert`).
    Certificate,
    /// A CRL (`/CRLs`, `/CRL`).
    Crl,
    /// An OCSP response (`/OCSPs`, `/OCSP`).
    Ocsp,
    /// A VRI entry's timestamp token (`/TS`).
    Timestamp,
}

impl Kind {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Self::Certificate => ("un certificato", "a certificate"),
            Self::Crl => ("una lista di revoca (CRL)", "a revocation list (CRL)"),
            Self::Ocsp => ("una risposta OCSP", "an OCSP response"),
            Self::Timestamp => ("una marca temporale", "a timestamp"),
        }
    }
}

/// Why part of a store cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DssProblem {
    /// `/DSS` (or `/VRI`, or one VRI entry) is not a dictionary.
    NotADictionary(&'static str),
    /// `/DSS` (or `/VRI`) refers to an object that the revision does not hold.
    Missing(&'static str),
    /// A list (`/Certs`, `/CRL`, ...) is not an array.
    NotAnArray(Kind),
    /// A list member is not a stream.
    NotAStream(Kind),
    /// A stream cannot be read or decoded (missing object, unsupported filter, size).
    Unreadable(Kind, String),
    /// A stream does not hold one DER element.
    NotDer(Kind),
    /// A VRI key is not 40 hexadecimal digits.
    BadVriKey,
    /// A VRI `/TU` is not a PDF date.
    BadVriTime,
}

impl DssProblem {
    /// Plain words (Italian, English).
    pub fn describe(&self) -> (String, String) {
        match self {
            Self::NotADictionary(what) => (
                format!("l'archivio dei dati di convalida (DSS) ha una voce {what} non valida"),
                format!("the validation data store (DSS) has an invalid {what} entry"),
            ),
            Self::Missing(what) => (
                format!("l'archivio dei dati di convalida (DSS) rimanda a una voce {what} che nel file non c'è"),
                format!("the validation data store (DSS) refers to a {what} entry that is not in the file"),
            ),
            Self::NotAnArray(k) => {
                let (it, en) = k.words();
                (
                    format!(
                        "l'elenco che dovrebbe contenere {it} nell'archivio DSS non è un elenco"
                    ),
                    format!("the list that should hold {en} in the DSS is not a list"),
                )
            }
            Self::NotAStream(k) => {
                let (it, en) = k.words();
                (
                    format!("una voce dell'archivio DSS che dovrebbe contenere {it} è vuota o di tipo sbagliato"),
                    format!("a DSS entry that should hold {en} is empty or of the wrong type"),
                )
            }
            Self::Unreadable(k, why) => {
                let (it, en) = k.words();
                (
                    format!("{it} nell'archivio DSS non si può leggere ({why})"),
                    format!("{en} in the DSS cannot be read ({why})"),
                )
            }
            Self::NotDer(k) => {
                let (it, en) = k.words();
                (
                    format!("{it} nell'archivio DSS è danneggiato"),
                    format!("{en} in the DSS is damaged"),
                )
            }
            Self::BadVriKey => (
                "una voce VRI dell'archivio DSS ha un nome non valido".to_owned(),
                "a VRI entry of the DSS has an invalid name".to_owned(),
            ),
            Self::BadVriTime => (
                "una voce VRI dell'archivio DSS ha una data non valida".to_owned(),
                "a VRI entry of the DSS has an invalid date".to_owned(),
            ),
        }
    }
}

/// The validation data for one signature (a `/VRI` entry). Indexes point into the lists
/// of the [`Dss`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vri {
    /// The key: SHA-1 of the signature's `/Contents`.
    pub key: [u8; 20],
    /// Certificates (indexes into [`Dss::certificates`]).
    pub certificates: Vec<usize>,
    /// CRLs (indexes into [`Dss::crls`]).
    pub crls: Vec<usize>,
    /// OCSP responses (indexes into [`Dss::ocsp_responses`]).
    pub ocsp_responses: Vec<usize>,
    /// `/TU`: when the data was collected.
    pub time: Option<OffsetDateTime>,
    /// `/TS`: a timestamp token over the entry.
    pub timestamp: Option<Vec<u8>>,
}

/// A Document Security Store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dss {
    /// The revision (0-based) whose catalog first has `/DSS`.
    pub added_in: usize,
    /// The revision read (the newest).
    pub revision: usize,
    /// DER certificates, each once.
    pub certificates: Vec<Vec<u8>>,
    /// DER CRLs, each once.
    pub crls: Vec<Vec<u8>>,
    /// DER OCSP responses (`OCSPResponse`), each once.
    pub ocsp_responses: Vec<Vec<u8>>,
    /// The VRI entries.
    pub vri: Vec<Vri>,
    /// Entries that could not be used.
    pub problems: Vec<DssProblem>,
}

impl Dss {
    /// The VRI entry of the signature whose `/Contents` string holds `contents` (the key is
    /// the SHA-1 of the whole string; writers differ on the trailing zero padding, so the
    /// DER element alone is tried too).
    pub fn vri_for(&self, contents: &[u8]) -> Option<&Vri> {
        let full: [u8; 20] = sha1::Sha1::digest(contents).into();
        let der = match lavoro_agile_cades::ber::Tlv::parse_prefix(contents) {
            Ok((t, _)) => Some(sha1::Sha1::digest(t.raw).into()),
            Err(_) => None,
        };
        self.vri
            .iter()
            .find(|v| v.key == full || Some(v.key) == der)
    }
}

struct Reader<'d, 's> {
    doc: &'d Document<'s>,
    rev: usize,
    dss: Dss,
    seen: HashMap<(Kind, [u8; 32]), usize>,
    by_ref: HashMap<(Kind, u32, u16), usize>,
    items: usize,
    decoded: u64,
}

impl Reader<'_, '_> {
    /// The list of a kind ([`Kind::Timestamp`] streams are never listed: they stay with
    /// their VRI entry, so `add` is not called for them).
    fn list(&mut self, kind: Kind) -> &mut Vec<Vec<u8>> {
        match kind {
            Kind::Certificate => &mut self.dss.certificates,
            Kind::Crl => &mut self.dss.crls,
            Kind::Ocsp | Kind::Timestamp => &mut self.dss.ocsp_responses,
        }
    }

    /// The decoded bytes of one stream entry, or a problem.
    fn bytes(&mut self, o: &Object, kind: Kind) -> Result<Option<Vec<u8>>, Error> {
        self.items += 1;
        if self.items > MAX_DSS_ITEMS {
            return Err(Error::LimitExceeded(
                "entries of the document security store",
            ));
        }
        // A reference loop or a missing object spoils this entry only; the number of
        // entries is bounded above.
        let resolved = match self.doc.resolve(o, Some(self.rev)) {
            Ok(r) => r,
            Err(e) => {
                self.dss
                    .problems
                    .push(DssProblem::Unreadable(kind, e.to_string()));
                return Ok(None);
            }
        };
        let Object::Stream(s) = &*resolved else {
            self.dss.problems.push(DssProblem::NotAStream(kind));
            return Ok(None);
        };
        let raw = match self.doc.stream_raw(s, Some(self.rev)) {
            Ok(r) => r,
            Err(e) => {
                self.dss
                    .problems
                    .push(DssProblem::Unreadable(kind, e.to_string()));
                return Ok(None);
            }
        };
        let left = MAX_DSS_TOTAL.saturating_sub(self.decoded);
        if left == 0 {
            return Err(Error::LimitExceeded("size of the document security store"));
        }
        let budget = MAX_DSS_STREAM.min(left);
        let data = match filters::decode(&s.dict, &raw, budget) {
            Ok(d) => d,
            Err(e) => {
                self.dss
                    .problems
                    .push(DssProblem::Unreadable(kind, e.to_string()));
                return Ok(None);
            }
        };
        self.decoded = self.decoded.saturating_add(data.len() as u64);
        // One DER (or BER) element and nothing after it but padding.
        match lavoro_agile_cades::ber::Tlv::parse_prefix(&data) {
            Ok((t, rest)) if rest.iter().all(|b| *b == 0) => {
                let len = t.raw.len();
                let mut data = data;
                data.truncate(len);
                Ok(Some(data))
            }
            _ => {
                self.dss.problems.push(DssProblem::NotDer(kind));
                Ok(None)
            }
        }
    }

    /// Adds one entry to its list (once) and returns its index.
    fn add(&mut self, o: &Object, kind: Kind) -> Result<Option<usize>, Error> {
        let key_ref = match o {
            Object::Ref(ObjRef { num, gen }) => Some((kind, *num, *gen)),
            _ => None,
        };
        if let Some(i) = key_ref.and_then(|k| self.by_ref.get(&k)) {
            return Ok(Some(*i));
        }
        let Some(data) = self.bytes(o, kind)? else {
            return Ok(None);
        };
        let digest: [u8; 32] = sha2::Sha256::digest(&data).into();
        let index = match self.seen.get(&(kind, digest)) {
            Some(i) => *i,
            None => {
                let list = self.list(kind);
                list.push(data);
                let i = list.len() - 1;
                self.seen.insert((kind, digest), i);
                i
            }
        };
        if let Some(k) = key_ref {
            self.by_ref.insert(k, index);
        }
        Ok(Some(index))
    }

    /// Every member of the list under `key` of `dict`.
    fn add_all(
        &mut self,
        dict: &crate::object::Dict,
        key: &[u8],
        kind: Kind,
    ) -> Result<Vec<usize>, Error> {
        let Some(o) = dict.get(key) else {
            return Ok(Vec::new());
        };
        let list = self.resolve(o)?;
        let Some(Object::Array(items)) = list.as_deref() else {
            self.dss.problems.push(DssProblem::NotAnArray(kind));
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(i) = self.add(item, kind)? {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        Ok(out)
    }

    fn resolve(&mut self, o: &Object) -> Result<Option<std::rc::Rc<Object>>, Error> {
        match self.doc.resolve(o, Some(self.rev)) {
            Ok(r) => Ok(Some(r)),
            Err(Error::LimitExceeded(l)) => Err(Error::LimitExceeded(l)),
            Err(_) => Ok(None),
        }
    }
}

fn hex_key(name: &[u8]) -> Option<[u8; 20]> {
    if name.len() != 40 {
        return None;
    }
    let mut out = [0u8; 20];
    for (slot, pair) in out.iter_mut().zip(name.chunks_exact(2)) {
        let digit = |c: u8| char::from(c).to_digit(16);
        let (hi, lo) = match pair {
            [h, l] => (digit(*h)?, digit(*l)?),
            _ => return None,
        };
        *slot = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// Reads the store of the newest revision; `Ok(None)` when the catalog has none.
pub fn read_dss(doc: &Document<'_>) -> Result<Option<Dss>, Error> {
    let Some(last) = doc.revisions.len().checked_sub(1) else {
        return Ok(None);
    };
    let catalog = doc.catalog(Some(last))?;
    let Some(entry) = catalog.dict().and_then(|c| c.get(b"DSS")).cloned() else {
        return Ok(None);
    };
    // The revision that added it: the oldest whose catalog has one, counting back from the
    // newest without a gap.
    let mut added_in = last;
    for rev in (0..last).rev() {
        let has = doc
            .catalog(Some(rev))
            .ok()
            .is_some_and(|c| c.dict().is_some_and(|d| d.get(b"DSS").is_some()));
        if !has {
            break;
        }
        added_in = rev;
    }
    let mut r = Reader {
        doc,
        rev: last,
        dss: Dss {
            added_in,
            revision: last,
            ..Dss::default()
        },
        seen: HashMap::new(),
        by_ref: HashMap::new(),
        items: 0,
        decoded: 0,
    };
    let resolved = r.resolve(&entry)?;
    let Some(dict) = resolved.as_deref().and_then(Object::dict).cloned() else {
        r.dss.problems.push(match resolved.as_deref() {
            None | Some(Object::Null) => DssProblem::Missing("DSS"),
            Some(_) => DssProblem::NotADictionary("DSS"),
        });
        return Ok(Some(r.dss));
    };
    r.add_all(&dict, b"Certs", Kind::Certificate)?;
    r.add_all(&dict, b"CRLs", Kind::Crl)?;
    r.add_all(&dict, b"OCSPs", Kind::Ocsp)?;
    let Some(vri) = dict.get(b"VRI") else {
        return Ok(Some(r.dss));
    };
    let resolved = r.resolve(vri)?;
    let Some(vri) = resolved.as_deref().and_then(Object::dict).cloned() else {
        r.dss.problems.push(match resolved.as_deref() {
            None | Some(Object::Null) => DssProblem::Missing("VRI"),
            Some(_) => DssProblem::NotADictionary("VRI"),
        });
        return Ok(Some(r.dss));
    };
    if vri.0.len() > MAX_VRI {
        return Err(Error::LimitExceeded("VRI entries"));
    }
    for (name, value) in &vri.0 {
        let Some(key) = hex_key(name) else {
            r.dss.problems.push(DssProblem::BadVriKey);
            continue;
        };
        let resolved = r.resolve(value)?;
        let Some(v) = resolved.as_deref().and_then(Object::dict).cloned() else {
            r.dss.problems.push(DssProblem::NotADictionary("VRI"));
            continue;
        };
        let certificates = r.add_all(&v, b"Cert", Kind::Certificate)?;
        let crls = r.add_all(&v, b"CRL", Kind::Crl)?;
        let ocsp_responses = r.add_all(&v, b"OCSP", Kind::Ocsp)?;
        let time = match v.get(b"TU").map(|t| r.resolve(t)).transpose()?.flatten() {
            Some(t) => match &*t {
                Object::Str(s) => {
                    let parsed = parse_pdf_date(&s.bytes);
                    if parsed.is_none() {
                        r.dss.problems.push(DssProblem::BadVriTime);
                    }
                    parsed
                }
                _ => {
                    r.dss.problems.push(DssProblem::BadVriTime);
                    None
                }
            },
            None => None,
        };
        let timestamp = match v.get(b"TS") {
            Some(ts) => r.bytes(ts, Kind::Timestamp)?,
            None => None,
        };
        if let Some(existing) = r.dss.vri.iter_mut().find(|x| x.key == key) {
            // A repeated key (a damaged or merged dictionary): the lists are joined.
            for i in certificates {
                if !existing.certificates.contains(&i) {
                    existing.certificates.push(i);
                }
            }
            for i in crls {
                if !existing.crls.contains(&i) {
                    existing.crls.push(i);
                }
            }
            for i in ocsp_responses {
                if !existing.ocsp_responses.contains(&i) {
                    existing.ocsp_responses.push(i);
                }
            }
            continue;
        }
        r.dss.vri.push(Vri {
            key,
            certificates,
            crls,
            ocsp_responses,
            time,
            timestamp,
        });
    }
    Ok(Some(r.dss))
}

#[cfg(test)]
mod tests {
    use super::hex_key;

    #[test]
    fn hex_key_upper_and_lower_case_decoded() {
        let k = hex_key(b"00112233445566778899AABBCCDDEEFFaabbccdd");
        assert_eq!(
            k.map(|k| k.to_vec()),
            Some(vec![
                0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
                0xee, 0xff, 0xaa, 0xbb, 0xcc, 0xdd
            ])
        );
        assert_eq!(hex_key(b"00"), None);
        assert_eq!(hex_key(b"zz112233445566778899AABBCCDDEEFFaabbccdd"), None);
    }
}
