//! The PDF as stored: cross-reference sections (classic tables, cross-reference streams,
//! hybrid files), revisions (one per incremental update), and object lookup in any
//! revision.
//!
//! Sections are found by following `startxref` and `/Prev` from the end of the file; each
//! revision ends at the `%%EOF` that follows its section. Objects are parsed on demand from
//! windows of the file, so memory stays small whatever the file size.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::filters;
use crate::object::{Dict, ObjRef, Object, ParseError, Parser};
use crate::source::Source;
use crate::Error;

/// Budgets on the work a file may cause.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Cross-reference entries over all sections.
    pub max_xref_entries: usize,
    /// Cross-reference sections (revisions, hybrid parts).
    pub max_sections: usize,
    /// Bytes of one object (its window), outside stream data.
    pub max_object_bytes: usize,
    /// Decoded bytes of one stream.
    pub max_decoded: u64,
    /// Decoded bytes over the whole file.
    pub max_total_decoded: u64,
    /// Objects parsed over the whole file.
    pub max_parsed_objects: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_xref_entries: 2_000_000,
            max_sections: 1024,
            max_object_bytes: 16 << 20,
            max_decoded: filters::MAX_DECODED,
            max_total_decoded: 512 << 20,
            max_parsed_objects: 2_000_000,
        }
    }
}

/// Where an object is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Free (deleted).
    Free,
    /// At a byte offset in the file.
    InUse {
        /// Offset of `N G obj`.
        offset: u64,
        /// Generation.
        gen: u16,
    },
    /// Inside an object stream.
    Compressed {
        /// The object stream's number.
        stream: u32,
        /// Index within it.
        index: u32,
    },
}

/// The kind of a cross-reference section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// A classic `xref` table.
    Table,
    /// A cross-reference stream.
    Stream,
    /// A classic table with a `/XRefStm` (hybrid file).
    Hybrid,
}

/// One cross-reference section and its trailer.
#[derive(Debug, Clone)]
pub struct Section {
    /// Offset of the section.
    pub offset: u64,
    /// Its kind.
    pub kind: SectionKind,
    /// Entries by object number.
    pub entries: HashMap<u32, Entry>,
    /// The trailer (or the cross-reference stream's dictionary).
    pub trailer: Dict,
    /// End of the `%%EOF` line that closes it (without / with the end-of-line).
    pub eof: Option<(u64, u64)>,
}

/// One revision: the original file or an incremental update.
#[derive(Debug, Clone)]
pub struct Revision {
    /// Index of its sections in [`Document::sections`], newest first.
    pub sections: Vec<usize>,
    /// End of the revision: just after `%%EOF`.
    pub end: u64,
    /// End of the revision including the end-of-line after `%%EOF`.
    pub end_with_eol: u64,
    /// The trailer of its newest section.
    pub trailer: Dict,
}

/// A PDF read from a [`Source`].
pub struct Document<'s> {
    source: &'s dyn Source,
    limits: Limits,
    /// All sections, oldest first.
    pub sections: Vec<Section>,
    /// Revisions, oldest first.
    pub revisions: Vec<Revision>,
    /// Non-blank bytes after the end of the last revision.
    pub trailing_bytes: u64,
    objstm: RefCell<HashMap<u64, Rc<Vec<u8>>>>,
    cache: RefCell<HashMap<(u64, u32), Rc<Object>>>,
    decoded: Cell<u64>,
    parsed: Cell<u64>,
}

impl std::fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("revisions", &self.revisions.len())
            .finish_non_exhaustive()
    }
}

fn syntax(e: ParseError, what: &'static str) -> Error {
    match e {
        ParseError::Limit(l) => Error::LimitExceeded(l),
        _ => Error::Malformed(what),
    }
}

impl<'s> Document<'s> {
    /// Reads the structure of a PDF: header, every cross-reference section, every revision.
    pub fn open(source: &'s dyn Source, limits: Limits) -> Result<Self, Error> {
        let head = source.read_at(0, 1024)?;
        if memchr::memmem::find(&head, b"%PDF-").is_none() {
            return Err(Error::NotPdf);
        }
        let mut doc = Self {
            source,
            limits,
            sections: Vec::new(),
            revisions: Vec::new(),
            trailing_bytes: 0,
            objstm: RefCell::new(HashMap::new()),
            cache: RefCell::new(HashMap::new()),
            decoded: Cell::new(0),
            parsed: Cell::new(0),
        };
        let start = doc.last_startxref()?;
        let mut chain = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some(start);
        let mut total_entries = 0usize;
        let mut broken = false;
        while let Some(off) = next {
            if !seen.insert(off) {
                return Err(Error::Malformed("cross-reference sections form a loop"));
            }
            if chain.len() >= limits.max_sections {
                return Err(Error::LimitExceeded("cross-reference sections"));
            }
            let section = match doc.read_section(off, &mut total_entries) {
                Ok(s) => s,
                Err(Error::LimitExceeded(l)) => return Err(Error::LimitExceeded(l)),
                // The newest section must read; a broken `/Prev` (often `0`) is repaired
                // below by looking for the older sections' own `startxref`.
                Err(e) if chain.is_empty() => return Err(e),
                Err(_) => {
                    broken = true;
                    break;
                }
            };
            next = match section.trailer.get(b"Prev") {
                Some(Object::Int(p)) if *p > 0 => Some(*p as u64),
                Some(Object::Real(p)) if *p > 0.0 => Some(*p as u64),
                None => None,
                Some(_) => {
                    broken = true;
                    None
                }
            };
            chain.push(section);
        }
        // Sections the chain missed: each revision ends with `startxref N %%EOF`; look for
        // those before the oldest section found.
        let oldest = chain.last().map_or(0, |s| s.offset);
        let missed = if broken {
            doc.startxrefs_before(oldest)?
        } else {
            Vec::new()
        };
        for off in missed.into_iter().rev() {
            if !seen.insert(off) || chain.len() >= limits.max_sections {
                continue;
            }
            if let Ok(s) = doc.read_section(off, &mut total_entries) {
                if chain.last().is_some_and(|l| s.offset < l.offset) {
                    chain.push(s);
                }
            }
        }
        chain.reverse();
        doc.sections = chain;
        doc.build_revisions()?;
        Ok(doc)
    }

    /// The source.
    pub fn source(&self) -> &'s dyn Source {
        self.source
    }

    /// File length.
    pub fn len(&self) -> u64 {
        self.source.len()
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    fn last_startxref(&self) -> Result<u64, Error> {
        let len = self.source.len();
        let tail_len = len.min(64 * 1024);
        let tail = self.source.read_at(len - tail_len, tail_len as usize)?;
        let pos =
            memchr::memmem::rfind(&tail, b"startxref").ok_or(Error::Malformed("no startxref"))?;
        let rest = tail.get(pos + 9..).unwrap_or_default();
        let mut p = Parser::new(rest, None, true);
        p.uint().map_err(|e| syntax(e, "startxref is not a number"))
    }

    /// Offsets named by `startxref` keywords that sit before `limit`, in file order.
    fn startxrefs_before(&self, limit: u64) -> Result<Vec<u64>, Error> {
        let mut out = Vec::new();
        let mut at = 0u64;
        const CHUNK: usize = 1 << 20;
        while at < limit {
            let buf = self.source.read_at(at, CHUNK + 32)?;
            for i in memchr::memmem::find_iter(
                buf.get(..CHUNK.min(buf.len())).unwrap_or_default(),
                b"startxref",
            ) {
                let mut p = Parser::new(buf.get(i + 9..).unwrap_or_default(), None, true);
                if let Ok(n) = p.uint() {
                    if n < limit {
                        out.push(n);
                    }
                }
            }
            if buf.len() <= CHUNK {
                break;
            }
            at += CHUNK as u64;
        }
        Ok(out)
    }

    /// Parses object `num` at `offset`; when the offset is slightly wrong (a damaged or
    /// hand-edited file), looks for `num gen obj` nearby.
    fn parse_expected(
        &self,
        offset: u64,
        num: u32,
        gen: u16,
    ) -> Result<(ObjRef, Object, usize), Error> {
        match self.parse_at(offset) {
            Ok(found) if found.0.num == num => return Ok(found),
            Err(Error::LimitExceeded(l)) => return Err(Error::LimitExceeded(l)),
            _ => {}
        }
        const NEAR: u64 = 4096;
        let start = offset.saturating_sub(NEAR);
        let buf = self.source.read_at(start, (2 * NEAR) as usize)?;
        let pattern = format!("{num} {gen} obj");
        let best = memchr::memmem::find_iter(&buf, pattern.as_bytes())
            .filter(|i| *i == 0 || buf.get(i - 1).is_some_and(|b| crate::object::is_white(*b)))
            .min_by_key(|i| (start + *i as u64).abs_diff(offset));
        match best {
            Some(i) => {
                let found = self.parse_at(start + i as u64)?;
                if found.0.num == num {
                    Ok(found)
                } else {
                    Err(Error::Malformed(
                        "a cross-reference offset points to another object",
                    ))
                }
            }
            None => Err(Error::Malformed(
                "a cross-reference offset points to no object",
            )),
        }
    }

    /// Parses the indirect object at `offset`, growing the window as needed.
    fn parse_at(&self, offset: u64) -> Result<(ObjRef, Object, usize), Error> {
        let len = self.source.len();
        if offset >= len {
            return Err(Error::Malformed(
                "an offset points past the end of the file",
            ));
        }
        let count = self.parsed.get() + 1;
        if count > self.limits.max_parsed_objects {
            return Err(Error::LimitExceeded("objects parsed"));
        }
        self.parsed.set(count);
        let mut window = 4096usize;
        loop {
            let buf = self.source.read_at(offset, window)?;
            let at_end = offset + buf.len() as u64 >= len;
            let mut p = Parser::new(&buf, Some(offset), at_end);
            match p.indirect() {
                Ok((r, o)) => return Ok((r, o, p.pos)),
                Err(ParseError::Incomplete) if window < self.limits.max_object_bytes && !at_end => {
                    window = (window * 4).min(self.limits.max_object_bytes);
                }
                Err(ParseError::Incomplete) => {
                    return Err(Error::LimitExceeded("size of one object"))
                }
                Err(e) => return Err(syntax(e, "an object cannot be parsed")),
            }
        }
    }

    fn read_section(&self, offset: u64, total: &mut usize) -> Result<Section, Error> {
        let head = self.source.read_at(offset, 64)?;
        let mut p = Parser::new(&head, None, true);
        if p.keyword(b"xref") {
            let mut s = self.read_table(offset, total)?;
            if let Some(Object::Int(x)) = s.trailer.get(b"XRefStm") {
                if *x >= 0 {
                    let hybrid = self.read_xref_stream(*x as u64, total)?;
                    for (n, e) in hybrid.entries {
                        let slot = s.entries.entry(n).or_insert(Entry::Free);
                        if *slot == Entry::Free {
                            *slot = e;
                        }
                    }
                    s.kind = SectionKind::Hybrid;
                }
            }
            Ok(s)
        } else {
            match self.read_xref_stream(offset, total) {
                Ok(s) => Ok(s),
                Err(Error::LimitExceeded(l)) => Err(Error::LimitExceeded(l)),
                Err(e) => {
                    // A slightly wrong `startxref` (a damaged file): a table keyword nearby.
                    const NEAR: u64 = 1024;
                    let start = offset.saturating_sub(NEAR);
                    let buf = self.source.read_at(start, (2 * NEAR) as usize)?;
                    let best = memchr::memmem::find_iter(&buf, b"xref")
                        .filter(|i| {
                            *i > 0
                                && buf.get(i - 1).is_some_and(|b| *b == b'\n' || *b == b'\r')
                                && buf.get(i + 4).is_some_and(|b| crate::object::is_white(*b))
                        })
                        .min_by_key(|i| (start + *i as u64).abs_diff(offset));
                    match best {
                        Some(i) if start + i as u64 != offset => {
                            let mut s = self.read_table(start + i as u64, total)?;
                            s.offset = offset;
                            Ok(s)
                        }
                        _ => Err(e),
                    }
                }
            }
        }
    }

    fn find_eof(&self, from: u64) -> Result<Option<(u64, u64)>, Error> {
        let len = self.source.len();
        let mut at = from;
        const CHUNK: usize = 1 << 16;
        while at < len {
            let buf = self.source.read_at(at, CHUNK + 8)?;
            if let Some(i) = memchr::memmem::find(&buf, b"%%EOF") {
                let end = at + i as u64 + 5;
                let after = self.source.read_at(end, 2)?;
                let eol = match after.as_slice() {
                    [b'\r', b'\n', ..] => 2,
                    [b'\n', ..] | [b'\r', ..] => 1,
                    _ => 0,
                };
                return Ok(Some((end, end + eol)));
            }
            if buf.len() < CHUNK + 8 {
                break;
            }
            at += CHUNK as u64;
        }
        Ok(None)
    }

    fn read_table(&self, offset: u64, total: &mut usize) -> Result<Section, Error> {
        let mut entries = HashMap::new();
        let mut window = 1usize << 16;
        loop {
            let buf = self.source.read_at(offset, window)?;
            let at_end = offset + buf.len() as u64 >= self.source.len();
            match parse_table(
                &buf,
                at_end,
                &mut entries,
                total,
                self.limits.max_xref_entries,
            ) {
                Ok((trailer, used)) => {
                    let eof = self.find_eof(offset + used as u64)?;
                    return Ok(Section {
                        offset,
                        kind: SectionKind::Table,
                        entries,
                        trailer,
                        eof,
                    });
                }
                Err(ParseError::Incomplete) if !at_end && window < (64 << 20) => {
                    entries.clear();
                    window *= 4;
                }
                Err(ParseError::Limit(l)) => return Err(Error::LimitExceeded(l)),
                Err(_) => return Err(Error::Malformed("a cross-reference table cannot be read")),
            }
        }
    }

    /// Where a stream's raw data lies in the file: `(start, length)`, its length resolved in
    /// revision `rev` (or the newest).
    pub fn stream_extent(
        &self,
        s: &crate::object::Stream,
        rev: Option<usize>,
    ) -> Result<(u64, u64), Error> {
        let len = match s.dict.get(b"Length") {
            Some(Object::Int(n)) if *n >= 0 => *n as u64,
            Some(Object::Ref(r)) => match self.get(*r, rev)? {
                Some(o) => o
                    .as_int()
                    .filter(|n| *n >= 0)
                    .ok_or(Error::Malformed("stream length"))? as u64,
                None => return Err(Error::Malformed("stream length")),
            },
            _ => return Err(Error::Malformed("stream length")),
        };
        if s.data_start.saturating_add(len) > self.source.len() {
            return Err(Error::Malformed("a stream runs past the end of the file"));
        }
        Ok((s.data_start, len))
    }

    /// The raw bytes of a stream, its length resolved in revision `rev` (or the newest).
    pub fn stream_raw(
        &self,
        s: &crate::object::Stream,
        rev: Option<usize>,
    ) -> Result<Vec<u8>, Error> {
        let len = match s.dict.get(b"Length") {
            Some(Object::Int(n)) if *n >= 0 => *n as u64,
            Some(Object::Ref(r)) => match self.get(*r, rev)? {
                Some(o) => o
                    .as_int()
                    .filter(|n| *n >= 0)
                    .ok_or(Error::Malformed("stream length"))? as u64,
                None => return Err(Error::Malformed("stream length")),
            },
            _ => return Err(Error::Malformed("stream length")),
        };
        if s.data_start.saturating_add(len) > self.source.len() {
            return Err(Error::Malformed("a stream runs past the end of the file"));
        }
        if len
            > self
                .limits
                .max_decoded
                .max(self.limits.max_object_bytes as u64)
                * 4
        {
            return Err(Error::LimitExceeded("stream size"));
        }
        self.source.read_at(s.data_start, len as usize)
    }

    /// The decoded bytes of a stream, within the decompression budgets.
    pub fn stream_decoded(
        &self,
        s: &crate::object::Stream,
        rev: Option<usize>,
    ) -> Result<Vec<u8>, Error> {
        let raw = self.stream_raw(s, rev)?;
        let left = self
            .limits
            .max_total_decoded
            .saturating_sub(self.decoded.get());
        let out = filters::decode(&s.dict, &raw, self.limits.max_decoded.min(left))?;
        self.decoded.set(self.decoded.get() + out.len() as u64);
        Ok(out)
    }

    fn read_xref_stream(&self, offset: u64, total: &mut usize) -> Result<Section, Error> {
        let (_, obj, _) = self.parse_at(offset)?;
        let Object::Stream(s) = obj else {
            return Err(Error::Malformed(
                "startxref points to neither a table nor a stream",
            ));
        };
        if s.dict.name(b"Type") != Some(b"XRef") {
            return Err(Error::Malformed(
                "startxref points to a stream that is not a cross-reference stream",
            ));
        }
        let raw_len = match s.dict.get(b"Length") {
            Some(Object::Int(n)) if *n >= 0 => *n as u64,
            _ => {
                return Err(Error::Malformed(
                    "cross-reference stream length must be direct",
                ))
            }
        };
        let raw = self
            .source
            .read_at(s.data_start, usize::try_from(raw_len).unwrap_or(0))?;
        let data = filters::decode(&s.dict, &raw, self.limits.max_decoded)?;
        let w: Vec<usize> = match s.dict.get(b"W") {
            Some(Object::Array(a)) if a.len() == 3 => a
                .iter()
                .map(|o| {
                    o.as_int()
                        .and_then(|i| usize::try_from(i).ok())
                        .filter(|i| *i <= 8)
                })
                .collect::<Option<Vec<_>>>()
                .ok_or(Error::Malformed("cross-reference stream /W"))?,
            _ => return Err(Error::Malformed("cross-reference stream /W")),
        };
        let size = s.dict.int(b"Size").unwrap_or(0).max(0);
        let index: Vec<(i64, i64)> = match s.dict.get(b"Index") {
            Some(Object::Array(a)) => a
                .chunks(2)
                .filter_map(|c| match c {
                    [Object::Int(f), Object::Int(n)] => Some((*f, *n)),
                    _ => None,
                })
                .collect(),
            _ => vec![(0, size)],
        };
        let (w0, w1, w2) = match w.as_slice() {
            [a, b, c] => (*a, *b, *c),
            _ => return Err(Error::Malformed("cross-reference stream /W")),
        };
        let row = w0 + w1 + w2;
        if row == 0 {
            return Err(Error::Malformed("cross-reference stream /W"));
        }
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut entries = HashMap::new();
        let mut rows = data.chunks_exact(row);
        for (first, count) in index {
            if first < 0 || count < 0 {
                return Err(Error::Malformed("cross-reference stream /Index"));
            }
            for k in 0..count {
                let Some(r) = rows.next() else { break };
                *total += 1;
                if *total > self.limits.max_xref_entries {
                    return Err(Error::LimitExceeded("cross-reference entries"));
                }
                let t = if w0 == 0 {
                    1
                } else {
                    field(r.get(..w0).unwrap_or_default())
                };
                let f1 = field(r.get(w0..w0 + w1).unwrap_or_default());
                let f2 = field(r.get(w0 + w1..row).unwrap_or_default());
                let Ok(num) = u32::try_from(first + k) else {
                    continue;
                };
                let e = match t {
                    0 => Entry::Free,
                    1 => Entry::InUse {
                        offset: f1,
                        gen: u16::try_from(f2).unwrap_or(u16::MAX),
                    },
                    2 => Entry::Compressed {
                        stream: u32::try_from(f1).unwrap_or(u32::MAX),
                        index: u32::try_from(f2).unwrap_or(u32::MAX),
                    },
                    _ => continue,
                };
                entries.entry(num).or_insert(e);
            }
        }
        let eof = self.find_eof(s.data_start + raw_len)?;
        Ok(Section {
            offset,
            kind: SectionKind::Stream,
            entries,
            trailer: s.dict,
            eof,
        })
    }

    fn build_revisions(&mut self) -> Result<(), Error> {
        let mut revisions: Vec<Revision> = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            let (end, end_eol) = s.eof.unwrap_or((self.source.len(), self.source.len()));
            match revisions.last_mut() {
                // A newer section that closes before the previous revision (the first-page
                // section of a linearized file) belongs to that revision.
                Some(last) if end <= last.end => {
                    last.sections.insert(0, i);
                    last.trailer = s.trailer.clone();
                }
                _ => revisions.push(Revision {
                    sections: vec![i],
                    end,
                    end_with_eol: end_eol,
                    trailer: s.trailer.clone(),
                }),
            }
        }
        if revisions.is_empty() {
            return Err(Error::Malformed("no cross-reference section"));
        }
        let last_end = revisions.last().map_or(0, |r| r.end_with_eol);
        let len = self.source.len();
        if last_end < len {
            let tail_len = (len - last_end).min(1 << 20);
            let tail = self.source.read_at(last_end, tail_len as usize)?;
            let blank = tail.iter().all(|b| crate::object::is_white(*b));
            if !blank {
                self.trailing_bytes = len - last_end;
            }
        }
        self.revisions = revisions;
        Ok(())
    }

    /// The entry for object `num` as of revision `rev` (newest when `None`).
    pub fn entry(&self, num: u32, rev: Option<usize>) -> Option<Entry> {
        let last = rev.unwrap_or(self.revisions.len().saturating_sub(1));
        for r in self.revisions.iter().take(last + 1).rev() {
            for &si in &r.sections {
                if let Some(e) = self.sections.get(si).and_then(|s| s.entries.get(&num)) {
                    return Some(*e);
                }
            }
        }
        None
    }

    /// The object `r` as of revision `rev` (newest when `None`); `None` when absent or free.
    pub fn get(&self, r: ObjRef, rev: Option<usize>) -> Result<Option<Rc<Object>>, Error> {
        let Some(entry) = self.entry(r.num, rev) else {
            return Ok(None);
        };
        let key = match entry {
            Entry::Free => return Ok(None),
            Entry::InUse { offset, .. } => (offset, u32::MAX),
            Entry::Compressed { stream, index } => {
                (u64::from(stream) << 32 | u64::from(index), stream)
            }
        };
        if let Some(o) = self.cache.borrow().get(&key) {
            return Ok(Some(Rc::clone(o)));
        }
        let obj = match entry {
            Entry::Free => return Ok(None),
            Entry::InUse { offset, gen } => self.parse_expected(offset, r.num, gen)?.1,
            Entry::Compressed { stream, index } => self.compressed(stream, index, r.num, rev)?,
        };
        let obj = Rc::new(obj);
        self.cache.borrow_mut().insert(key, Rc::clone(&obj));
        Ok(Some(obj))
    }

    fn compressed(
        &self,
        stream: u32,
        index: u32,
        num: u32,
        rev: Option<usize>,
    ) -> Result<Object, Error> {
        let Some(Entry::InUse { offset, gen }) = self.entry(stream, rev) else {
            return Err(Error::Malformed("an object stream is missing"));
        };
        let (_, obj, _) = self.parse_expected(offset, stream, gen)?;
        let Object::Stream(s) = obj else {
            return Err(Error::Malformed("an object stream is not a stream"));
        };
        let data = match self.objstm.borrow().get(&offset) {
            Some(d) => Some(Rc::clone(d)),
            None => None,
        };
        let data = match data {
            Some(d) => d,
            None => {
                let d = Rc::new(self.stream_decoded(&s, rev)?);
                self.objstm.borrow_mut().insert(offset, Rc::clone(&d));
                d
            }
        };
        let n = s.dict.int(b"N").unwrap_or(0).max(0);
        let first = usize::try_from(s.dict.int(b"First").unwrap_or(0).max(0)).unwrap_or(0);
        let mut header = Parser::new(&data, None, true);
        let mut found = None;
        for i in 0..n {
            let (Ok(onum), Ok(ooff)) = (header.uint(), header.uint()) else {
                return Err(Error::Malformed("object stream header"));
            };
            // The entry's index is authoritative; the number must match it.
            if onum == u64::from(num) {
                found = Some(ooff);
                if i == i64::from(index) {
                    break;
                }
            }
        }
        let Some(off) = found else {
            return Err(Error::Malformed("object not in its object stream"));
        };
        let start = first.saturating_add(usize::try_from(off).unwrap_or(usize::MAX));
        let body = data
            .get(start..)
            .ok_or(Error::Malformed("object stream offset"))?;
        Parser::new(body, None, true)
            .object(0)
            .map_err(|e| syntax(e, "an object in an object stream cannot be parsed"))
    }

    /// Follows references (a few hops at most) to a direct object.
    pub fn resolve(&self, o: &Object, rev: Option<usize>) -> Result<Rc<Object>, Error> {
        let mut cur = Rc::new(o.clone());
        for _ in 0..16 {
            match &*cur {
                Object::Ref(r) => {
                    cur = match self.get(*r, rev)? {
                        Some(x) => x,
                        None => Rc::new(Object::Null),
                    };
                }
                _ => return Ok(cur),
            }
        }
        Err(Error::LimitExceeded("chain of references"))
    }

    /// The document catalog as of revision `rev`.
    pub fn catalog(&self, rev: Option<usize>) -> Result<Rc<Object>, Error> {
        let r = rev.unwrap_or(self.revisions.len().saturating_sub(1));
        let trailer = self
            .revisions
            .get(r)
            .map(|x| &x.trailer)
            .ok_or(Error::Malformed("revision"))?;
        let root = trailer
            .get(b"Root")
            .ok_or(Error::Malformed("no document catalog"))?;
        self.resolve(root, Some(r))
    }

    /// Which revision an offset belongs to: the first whose end is past it.
    pub fn revision_of(&self, offset: u64) -> Option<usize> {
        self.revisions.iter().position(|r| offset < r.end_with_eol)
    }
}

/// Parses a classic table (after `xref`) and its trailer; returns the trailer and the
/// bytes used.
fn parse_table(
    buf: &[u8],
    at_end: bool,
    entries: &mut HashMap<u32, Entry>,
    total: &mut usize,
    max: usize,
) -> Result<(Dict, usize), ParseError> {
    let mut p = Parser::new(buf, None, at_end);
    if !p.keyword(b"xref") {
        return Err(ParseError::Syntax("xref"));
    }
    loop {
        if p.keyword(b"trailer") {
            break;
        }
        p.skip_ws();
        if p.pos >= buf.len() {
            return Err(if at_end {
                ParseError::Syntax("xref")
            } else {
                ParseError::Incomplete
            });
        }
        let first = p.uint()?;
        let count = p.uint()?;
        for k in 0..count {
            let off = p.uint()?;
            let gen = p.uint()?;
            p.skip_ws();
            let kind = buf.get(p.pos).copied();
            p.pos += 1;
            *total += 1;
            if *total > max {
                return Err(ParseError::Limit("cross-reference entries"));
            }
            let Ok(num) = u32::try_from(first + k) else {
                continue;
            };
            let e = match kind {
                Some(b'n') => Entry::InUse {
                    offset: off,
                    gen: u16::try_from(gen).unwrap_or(u16::MAX),
                },
                Some(b'f') => Entry::Free,
                None => {
                    return Err(if at_end {
                        ParseError::Syntax("xref")
                    } else {
                        ParseError::Incomplete
                    })
                }
                Some(_) => return Err(ParseError::Syntax("xref entry type")),
            };
            // Within one section the first entry for a number counts.
            entries.entry(num).or_insert(e);
        }
    }
    match p.object(0)? {
        Object::Dict(d) => Ok((d, p.pos)),
        _ => Err(ParseError::Syntax("trailer is not a dictionary")),
    }
}
