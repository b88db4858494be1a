//! Reading a large binary `.p7m` as a stream: the encapsulated content is hashed through a
//! buffer as it is read, never held in memory, and everything else (certificates, CRLs,
//! signer infos) is kept in a *skeleton*: the same ContentInfo with the content left out.
//! [`crate::read`] then checks the skeleton with the content digests computed here
//! ([`crate::ReadOptions::streamed_content`]).
//!
//! Only the common shape is streamed: one binary SignedData whose content is an OCTET
//! STRING (primitive, or constructed from primitive chunks, in DER or BER). Anything else
//! (armour, nested envelopes, other content types) returns `Ok(None)` and the caller reads
//! the file whole.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;

use crate::crypto::DigestAlgorithm;
use crate::Error;

/// Largest size of everything but the content (certificates, CRLs, signer infos).
pub const MAX_SKELETON: usize = 64 << 20;
/// Bytes of content kept to recognise a nested envelope.
const HEAD: usize = 256;

/// The digests of the streamed content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamedContent {
    /// Digest of the content with each algorithm the SignedData lists, and with the
    /// candidate imprint algorithms of archive timestamps ([`ARCHIVE_ALGORITHMS`]).
    pub digests: Vec<(DigestAlgorithm, Vec<u8>)>,
    /// Content length in bytes.
    pub length: u64,
    /// The hash states after the encapsulated content info, for archive timestamps
    /// (ATSv2/v1) whose imprint input starts with it (see [`crate::archive`]).
    pub archive_prefixes: Vec<ArchivePrefix>,
}

/// The imprint algorithms prepared for archive timestamps in a streamed file. The signer
/// infos (and so the archive timestamps) come after the content, so which algorithm an
/// archive timestamp uses is not known while the content goes by: the content is hashed
/// with these too, beside the algorithms the SignedData lists, and the encapsulated content
/// info's states are kept for them. Each costs two more hash passes over the content
/// (ATSv3's content digest, ATSv2's running input), so only SHA-256, the algorithm of
/// practically every archive timestamp, is prepared; an archive timestamp with another one
/// is not matched in the stream (the caller then reads the file whole).
pub const ARCHIVE_ALGORITHMS: [DigestAlgorithm; 1] = [DigestAlgorithm::Sha256];

/// Most algorithms the content is hashed with (listed ones and archive candidates).
const MAX_ALGORITHMS: usize = 5;

/// A hash state that has taken the encapsulated content info (header, type, content) in
/// one encoding: DER, or as stored in the file.
#[derive(Clone)]
pub struct ArchivePrefix {
    /// The hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// Whether the encapsulated content info went in as DER (else as stored).
    pub der: bool,
    state: Hasher,
}

impl ArchivePrefix {
    /// The digest of the encapsulated content info followed by `rest`.
    pub fn digest_with(&self, rest: &[u8]) -> Vec<u8> {
        let mut h = self.state.clone();
        h.update(rest);
        h.finish()
    }
}

impl std::fmt::Debug for ArchivePrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchivePrefix")
            .field("algorithm", &self.algorithm)
            .field("der", &self.der)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ArchivePrefix {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm == other.algorithm
            && self.der == other.der
            && self.digest_with(&[]) == other.digest_with(&[])
    }
}

impl Eq for ArchivePrefix {}

/// The result of streaming a file.
#[derive(Debug, Clone)]
pub struct Streamed {
    /// The ContentInfo without its content (definite lengths outside, stored bytes inside).
    pub skeleton: Vec<u8>,
    /// The content's digests.
    pub content: StreamedContent,
}

#[derive(Clone)]
enum Hasher {
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
}

impl Hasher {
    fn new(alg: DigestAlgorithm) -> Option<Self> {
        use digest::Digest;
        Some(match alg {
            DigestAlgorithm::Sha1 => Self::Sha1(sha1::Sha1::new()),
            DigestAlgorithm::Sha224 => Self::Sha224(sha2::Sha224::new()),
            DigestAlgorithm::Sha256 => Self::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha384 => Self::Sha384(sha2::Sha384::new()),
            DigestAlgorithm::Sha512 => Self::Sha512(sha2::Sha512::new()),
            DigestAlgorithm::Sha3_256 => Self::Sha3_256(sha3::Sha3_256::new()),
            DigestAlgorithm::Sha3_384 => Self::Sha3_384(sha3::Sha3_384::new()),
            DigestAlgorithm::Sha3_512 => Self::Sha3_512(sha3::Sha3_512::new()),
            _ => return None,
        })
    }

    fn update(&mut self, data: &[u8]) {
        use digest::Digest;
        match self {
            Self::Sha1(h) => h.update(data),
            Self::Sha224(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
            Self::Sha3_256(h) => h.update(data),
            Self::Sha3_384(h) => h.update(data),
            Self::Sha3_512(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        use digest::Digest;
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha224(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
            Self::Sha3_256(h) => h.finalize().to_vec(),
            Self::Sha3_384(h) => h.finalize().to_vec(),
            Self::Sha3_512(h) => h.finalize().to_vec(),
        }
    }
}

/// Size of each read buffer.
const CHUNK: usize = 256 << 10;
/// Most buffers alive at once when the file is hashed on a second thread: with [`CHUNK`],
/// 2 MiB whatever the file size.
const POOL: usize = 8;

/// The second reader of every buffer: the thread that hashes the whole file. Buffers are
/// shared, not copied; whichever side lets go of a buffer last hands it back to the pool.
struct Tap {
    to_hasher: SyncSender<(Arc<Vec<u8>>, usize)>,
    pool: Receiver<Vec<u8>>,
    allocated: usize,
}

struct Input<R: Read> {
    inner: R,
    buf: Arc<Vec<u8>>,
    pos: usize,
    end: usize,
    tap: Option<Tap>,
}

/// What a header says.
struct Header {
    tag: u8,
    len: Option<u64>,
    raw: Vec<u8>,
}

fn io(_: std::io::Error) -> Error {
    Error::Malformed("read error")
}

impl<R: Read> Input<R> {
    fn new(inner: R, tap: Option<Tap>) -> Self {
        Self {
            inner,
            buf: Arc::new(Vec::new()),
            pos: 0,
            end: 0,
            tap,
        }
    }

    /// A buffer for the next read: the current one if nobody else holds it, else one back
    /// from the hasher, else a new one while fewer than [`POOL`] exist, else the next one
    /// the hasher gives back.
    fn next_buffer(&mut self) -> Result<Vec<u8>, Error> {
        let current = std::mem::take(&mut self.buf);
        let mut buf = match (Arc::into_inner(current), &mut self.tap) {
            (Some(b), _) if b.len() == CHUNK => b,
            (_, None) => vec![0u8; CHUNK],
            (_, Some(tap)) => match tap.pool.try_recv() {
                Ok(b) => b,
                Err(_) if tap.allocated < POOL => {
                    tap.allocated += 1;
                    vec![0u8; CHUNK]
                }
                Err(_) => tap
                    .pool
                    .recv()
                    .map_err(|_| Error::Malformed("file hasher stopped"))?,
            },
        };
        buf.resize(CHUNK, 0);
        Ok(buf)
    }

    fn fill(&mut self) -> Result<bool, Error> {
        if self.pos < self.end {
            return Ok(true);
        }
        let mut buf = self.next_buffer()?;
        let n = loop {
            match self.inner.read(&mut buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => break r.map_err(io)?,
            }
        };
        let buf = Arc::new(buf);
        if let (Some(tap), true) = (&self.tap, n > 0) {
            tap.to_hasher
                .send((Arc::clone(&buf), n))
                .map_err(|_| Error::Malformed("file hasher stopped"))?;
        }
        self.buf = buf;
        self.pos = 0;
        self.end = n;
        Ok(n > 0)
    }

    /// Reads (and so hashes, when tapped) the rest of the input.
    fn drain(&mut self) -> Result<(), Error> {
        while self.fill()? {
            self.pos = self.end;
        }
        Ok(())
    }

    fn byte(&mut self) -> Result<u8, Error> {
        if !self.fill()? {
            return Err(Error::Malformed("truncated"));
        }
        let b = self
            .buf
            .get(self.pos)
            .copied()
            .ok_or(Error::Malformed("truncated"))?;
        self.pos += 1;
        Ok(b)
    }

    fn peek(&mut self) -> Result<Option<u8>, Error> {
        if !self.fill()? {
            return Ok(None);
        }
        Ok(self.buf.get(self.pos).copied())
    }

    fn header(&mut self) -> Result<Header, Error> {
        let tag = self.byte()?;
        if tag & 0x1f == 0x1f {
            return Err(Error::Malformed("multi-byte tag"));
        }
        let first = self.byte()?;
        let mut raw = vec![tag, first];
        let len = if first == 0x80 {
            None
        } else if first < 0x80 {
            Some(u64::from(first))
        } else {
            let n = first & 0x7f;
            if n > 8 {
                return Err(Error::Malformed("length too long"));
            }
            let mut l = 0u64;
            for _ in 0..n {
                let b = self.byte()?;
                raw.push(b);
                l = (l << 8) | u64::from(b);
            }
            Some(l)
        };
        Ok(Header { tag, len, raw })
    }

    /// Reads `n` bytes into `out` (bounded by the skeleton budget).
    fn take(&mut self, n: u64, out: &mut Vec<u8>) -> Result<(), Error> {
        if out.len() as u64 + n > MAX_SKELETON as u64 {
            return Err(Error::LimitExceeded("signature structure size"));
        }
        let mut left = n;
        while left > 0 {
            if !self.fill()? {
                return Err(Error::Malformed("truncated"));
            }
            let avail = (self.end - self.pos) as u64;
            let k = usize::try_from(avail.min(left)).unwrap_or(0);
            out.extend_from_slice(self.buf.get(self.pos..self.pos + k).unwrap_or_default());
            self.pos += k;
            left -= k as u64;
        }
        Ok(())
    }

    /// Streams `n` content bytes through the hashers.
    fn hash(&mut self, n: u64, hashers: &mut [Hasher], head: &mut Vec<u8>) -> Result<(), Error> {
        let mut left = n;
        while left > 0 {
            if !self.fill()? {
                return Err(Error::Malformed("truncated"));
            }
            let avail = (self.end - self.pos) as u64;
            let k = usize::try_from(avail.min(left)).unwrap_or(0);
            let chunk = self.buf.get(self.pos..self.pos + k).unwrap_or_default();
            for h in hashers.iter_mut() {
                h.update(chunk);
            }
            if head.len() < HEAD {
                let room = HEAD - head.len();
                head.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            }
            self.pos += k;
            left -= k as u64;
        }
        Ok(())
    }

    /// Reads one whole element (header and content, nested indefinite lengths included).
    fn element(&mut self, out: &mut Vec<u8>, depth: u32) -> Result<(), Error> {
        if depth > crate::ber::MAX_DEPTH {
            return Err(Error::LimitExceeded("nesting depth"));
        }
        let h = self.header()?;
        out.extend_from_slice(&h.raw);
        match h.len {
            Some(n) => self.take(n, out),
            None => loop {
                if self.peek()? == Some(0) {
                    let a = self.byte()?;
                    let b = self.byte()?;
                    out.extend_from_slice(&[a, b]);
                    if b != 0 {
                        return Err(Error::Malformed("bad end of contents"));
                    }
                    return Ok(());
                }
                self.element(out, depth + 1)?;
            },
        }
    }

    /// Consumes the end-of-contents of an indefinite-length element.
    fn end_of_contents(&mut self) -> Result<(), Error> {
        if self.byte()? != 0 || self.byte()? != 0 {
            return Err(Error::Malformed("missing end of contents"));
        }
        Ok(())
    }
}

/// The DER headers of an encapsulated content info holding `n` content octets in one
/// primitive OCTET STRING: `SEQUENCE { type, [0] { OCTET STRING } }` up to the content.
fn der_encap_header(econtent_type: &[u8], n: u64) -> Option<Vec<u8>> {
    let n = usize::try_from(n).ok()?;
    let os = definite_header(0x04, n);
    let wrapper = definite_header(0xA0, os.len().checked_add(n)?);
    let inner = econtent_type
        .len()
        .checked_add(wrapper.len())?
        .checked_add(os.len())?
        .checked_add(n)?;
    let mut out = definite_header(0x30, inner);
    out.extend_from_slice(econtent_type);
    out.extend_from_slice(&wrapper);
    out.extend_from_slice(&os);
    Some(out)
}

fn definite_header(tag: u8, len: usize) -> Vec<u8> {
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

fn definite(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = definite_header(tag, content.len());
    out.extend_from_slice(content);
    out
}

/// Reads the OID content of a whole `OBJECT IDENTIFIER` element.
fn oid_of(element: &[u8]) -> Option<String> {
    let (tlv, _) = crate::ber::Tlv::parse_prefix(element).ok()?;
    tlv.oid().ok()
}

/// Streams a binary SignedData from `reader`. `Ok(None)` when the input is not of the shape
/// streamed here (the caller then reads it whole).
pub fn stream_signed_data<R: Read>(reader: R) -> Result<Option<Streamed>, Error> {
    stream(&mut Input::new(reader, None))
}

/// Like [`stream_signed_data`], and also the SHA-256 of everything `reader` yields (the
/// whole file, trailing bytes included), computed in the same single pass: each buffer read
/// is hashed for the content digests here and, without being copied, for the file's
/// SHA-256 on a second thread, so the two hashes cost about one pass of wall time on two
/// cores. `Ok(None)` as for [`stream_signed_data`] (the file digest is then not needed).
pub fn stream_signed_data_with_sha256<R: Read>(
    reader: R,
) -> Result<Option<(Streamed, [u8; 32])>, Error> {
    std::thread::scope(|scope| {
        let (to_hasher, from_reader) = std::sync::mpsc::sync_channel(POOL);
        let (give_back, pool) = std::sync::mpsc::channel();
        let hasher = scope.spawn(move || hash_chunks(from_reader, give_back));
        let tap = Tap {
            to_hasher,
            pool,
            allocated: 0,
        };
        let mut input = Input::new(reader, Some(tap));
        let streamed = stream(&mut input).and_then(|s| match s {
            Some(s) => input.drain().map(|()| Some(s)),
            None => Ok(None),
        });
        // Closing the channel lets the hasher finish.
        drop(input);
        let digest = hasher
            .join()
            .map_err(|_| Error::Malformed("file hasher stopped"))?;
        Ok(streamed?.map(|s| (s, digest)))
    })
}

/// The file hasher: SHA-256 over the chunks in order, each handed back once hashed if the
/// reader is done with it.
fn hash_chunks(
    chunks: Receiver<(Arc<Vec<u8>>, usize)>,
    give_back: std::sync::mpsc::Sender<Vec<u8>>,
) -> [u8; 32] {
    use digest::Digest;
    let mut sha = sha2::Sha256::new();
    for (chunk, n) in chunks {
        sha.update(chunk.get(..n).unwrap_or_default());
        if let Some(b) = Arc::into_inner(chunk) {
            // The reader may have finished: the buffer is then simply freed.
            let _ = give_back.send(b);
        }
    }
    sha.finalize().into()
}

fn stream<R: Read>(input: &mut Input<R>) -> Result<Option<Streamed>, Error> {
    let ci = input.header()?;
    if ci.tag != 0x30 {
        return Ok(None);
    }
    let mut ct = Vec::new();
    input.element(&mut ct, 1)?;
    if oid_of(&ct).as_deref() != Some(crate::oids::SIGNED_DATA) {
        return Ok(None);
    }
    let explicit = input.header()?;
    let sd = input.header()?;
    if explicit.tag != 0xA0 || sd.tag != 0x30 {
        return Ok(None);
    }
    let mut version = Vec::new();
    input.element(&mut version, 3)?;
    let mut digest_set = Vec::new();
    input.element(&mut digest_set, 3)?;
    let eci = input.header()?;
    if eci.tag != 0x30 {
        return Ok(None);
    }
    let mut econtent_type = Vec::new();
    input.element(&mut econtent_type, 4)?;
    if oid_of(&econtent_type).as_deref() != Some(crate::oids::DATA) {
        return Ok(None);
    }
    // The digest algorithms the SignedData announces.
    let mut algorithms = Vec::new();
    if let Ok((set, _)) = crate::ber::Tlv::parse_prefix(&digest_set) {
        let mut r = set.children()?;
        while let Some(a) = r.next_tlv()? {
            if let Ok(ai) = crate::cms::AlgorithmIdentifier::decode(&a) {
                if let Some(d) = DigestAlgorithm::from_oid(&ai.oid) {
                    if !algorithms.contains(&d) && algorithms.len() < 4 {
                        algorithms.push(d);
                    }
                }
            }
        }
    }
    if algorithms.is_empty() || algorithms.iter().any(|a| Hasher::new(*a).is_none()) {
        return Ok(None);
    }
    for a in ARCHIVE_ALGORITHMS {
        if !algorithms.contains(&a) && algorithms.len() < MAX_ALGORITHMS {
            algorithms.push(a);
        }
    }
    let mut head = Vec::new();
    let mut length = 0u64;
    // eContent [0] EXPLICIT OCTET STRING; a detached signature has none and is small.
    if eci.len == Some(econtent_type.len() as u64) || input.peek()? != Some(0xA0) {
        return Ok(None);
    }
    let wrapper = input.header()?;
    let os = input.header()?;
    // The hashers, in three groups: the content alone; the encapsulated content info in
    // DER (when its stored form is not DER and the content is one primitive OCTET STRING,
    // whose length gives the DER headers up front); the encapsulated content info as
    // stored (headers of chunks and end-of-contents included).
    let mut stored_header = eci.raw.clone();
    stored_header.extend_from_slice(&econtent_type);
    stored_header.extend_from_slice(&wrapper.raw);
    stored_header.extend_from_slice(&os.raw);
    let der_header = match (os.tag, os.len) {
        (0x04, Some(n)) => der_encap_header(&econtent_type, n),
        _ => None,
    }
    .filter(|h| *h != stored_header);
    let fresh = |algorithms: &[DigestAlgorithm], prefix: Option<&[u8]>| -> Vec<Hasher> {
        algorithms
            .iter()
            .filter_map(|a| Hasher::new(*a))
            .map(|mut h| {
                if let Some(p) = prefix {
                    h.update(p);
                }
                h
            })
            .collect()
    };
    let mut hashers = fresh(&algorithms, None);
    let content_count = hashers.len();
    if let Some(h) = &der_header {
        hashers.extend(fresh(&ARCHIVE_ALGORITHMS, Some(h)));
    }
    let stored_from = hashers.len();
    hashers.extend(fresh(&ARCHIVE_ALGORITHMS, Some(&stored_header)));
    let stored = |hashers: &mut Vec<Hasher>, bytes: &[u8]| {
        for h in hashers.get_mut(stored_from..).unwrap_or_default() {
            h.update(bytes);
        }
    };
    match (os.tag, os.len) {
        (0x04, Some(n)) => {
            input.hash(n, &mut hashers, &mut head)?;
            length = n;
        }
        (0x24, len) => {
            // Constructed OCTET STRING of primitive chunks (as Italian software writes it).
            let mut consumed = 0u64;
            loop {
                if let Some(total) = len {
                    if consumed >= total {
                        break;
                    }
                } else if input.peek()? == Some(0) {
                    input.end_of_contents()?;
                    stored(&mut hashers, &[0, 0]);
                    break;
                }
                let chunk = input.header()?;
                let (0x04, Some(n)) = (chunk.tag, chunk.len) else {
                    return Ok(None);
                };
                stored(&mut hashers, &chunk.raw);
                input.hash(n, &mut hashers, &mut head)?;
                length += n;
                consumed += chunk.raw.len() as u64 + n;
            }
        }
        _ => return Ok(None),
    }
    if wrapper.len.is_none() {
        input.end_of_contents()?;
        stored(&mut hashers, &[0, 0]);
    }
    if eci.len.is_none() {
        input.end_of_contents()?;
        stored(&mut hashers, &[0, 0]);
    }
    // A nested envelope or armoured content: the caller reads the file whole.
    let (inner, _) = crate::armor::unarmor(&head);
    if crate::cms::content_info_type(&inner).is_some() || head.starts_with(b"MII") {
        return Ok(None);
    }
    // The rest of the SignedData: certificates, CRLs, signer infos.
    let mut rest = Vec::new();
    match sd.len {
        Some(_) => {
            // Definite length: read elements until the next byte would leave SignedData;
            // the ContentInfo around it ends at the end of input (trailing bytes ignored).
            while let Some(b) = input.peek()? {
                if b == 0 {
                    break;
                }
                input.element(&mut rest, 2)?;
                if b == 0x31 {
                    break; // signerInfos is the last element
                }
            }
        }
        None => {
            while input.peek()? != Some(0) {
                if input.peek()?.is_none() {
                    return Err(Error::Malformed("truncated"));
                }
                input.element(&mut rest, 2)?;
            }
        }
    }
    let eci_new = definite(0x30, &econtent_type);
    let mut sd_content = version;
    sd_content.extend_from_slice(&digest_set);
    sd_content.extend_from_slice(&eci_new);
    sd_content.extend_from_slice(&rest);
    let sd_new = definite(0x30, &sd_content);
    let explicit_new = definite(0xA0, &sd_new);
    let mut ci_content = ct;
    ci_content.extend_from_slice(&explicit_new);
    let skeleton = definite(0x30, &ci_content);
    let mut digests = Vec::new();
    let mut archive_prefixes = Vec::new();
    let n = ARCHIVE_ALGORITHMS.len();
    for (k, h) in hashers.into_iter().enumerate() {
        if k < content_count {
            if let Some(&algorithm) = algorithms.get(k) {
                digests.push((algorithm, h.finish()));
            }
        } else if let Some(&algorithm) = ARCHIVE_ALGORITHMS.get((k - content_count) % n) {
            archive_prefixes.push(ArchivePrefix {
                algorithm,
                der: k < stored_from,
                state: h,
            });
        }
    }
    Ok(Some(Streamed {
        skeleton,
        content: StreamedContent {
            digests,
            length,
            archive_prefixes,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA_OID: [u8; 11] = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
    ];

    fn sha256(b: &[u8]) -> Vec<u8> {
        DigestAlgorithm::Sha256.digest(b)
    }

    /// A SignedData ContentInfo around `eci` (as given), with a SHA-256 digest set and an
    /// empty signer set; `indefinite`: the outer structures with indefinite lengths.
    fn envelope(eci: &[u8], indefinite: bool) -> Vec<u8> {
        let sd_oid = [
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
        ];
        let digest_set = definite(
            0x31,
            &definite(
                0x30,
                &[
                    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                ],
            ),
        );
        let mut body = vec![0x02, 0x01, 0x01];
        body.extend_from_slice(&digest_set);
        body.extend_from_slice(eci);
        body.extend_from_slice(&[0x31, 0x00]);
        if indefinite {
            let mut out = vec![0x30, 0x80];
            out.extend_from_slice(&sd_oid);
            out.extend_from_slice(&[0xA0, 0x80, 0x30, 0x80]);
            out.extend_from_slice(&body);
            out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
            out
        } else {
            let mut ci = sd_oid.to_vec();
            ci.extend_from_slice(&definite(0xA0, &definite(0x30, &body)));
            definite(0x30, &ci)
        }
    }

    fn der_eci(content: &[u8]) -> Vec<u8> {
        let mut inner = DATA_OID.to_vec();
        inner.extend_from_slice(&definite(0xA0, &definite(0x04, content)));
        definite(0x30, &inner)
    }

    fn prefix(s: &Streamed, der: bool) -> Option<Vec<u8>> {
        s.content
            .archive_prefixes
            .iter()
            .find(|p| p.der == der && p.algorithm == DigestAlgorithm::Sha256)
            .map(|p| p.digest_with(b"rest"))
    }

    #[test]
    fn der_encap_header_equals_der_of_the_element() {
        for n in [0usize, 5, 200, 70_000] {
            let content = vec![7u8; n];
            let mut built = der_encap_header(&DATA_OID, n as u64).unwrap();
            built.extend_from_slice(&content);
            assert_eq!(built, der_eci(&content), "{n}");
        }
    }

    #[test]
    fn archive_prefix_der_envelope_one_state_as_stored() {
        let content = vec![b'x'; 3000];
        let eci = der_eci(&content);
        let s = stream_signed_data(envelope(&eci, false).as_slice())
            .unwrap()
            .unwrap();
        let mut want = eci.clone();
        want.extend_from_slice(b"rest");
        assert_eq!(prefix(&s, false), Some(sha256(&want)));
        // Stored is DER: no separate DER state.
        assert_eq!(prefix(&s, true), None);
        assert!(s
            .content
            .digests
            .contains(&(DigestAlgorithm::Sha256, sha256(&content))));
    }

    #[test]
    fn archive_prefix_indefinite_primitive_content_der_and_stored() {
        let content = vec![b'y'; 3000];
        let mut eci = vec![0x30, 0x80];
        eci.extend_from_slice(&DATA_OID);
        eci.extend_from_slice(&[0xA0, 0x80]);
        eci.extend_from_slice(&definite(0x04, &content));
        eci.extend_from_slice(&[0, 0, 0, 0]);
        let s = stream_signed_data(envelope(&eci, true).as_slice())
            .unwrap()
            .unwrap();
        let mut stored = eci.clone();
        stored.extend_from_slice(b"rest");
        let mut der = der_eci(&content);
        der.extend_from_slice(b"rest");
        assert_eq!(prefix(&s, false), Some(sha256(&stored)));
        assert_eq!(prefix(&s, true), Some(sha256(&der)));
    }

    #[test]
    fn archive_prefix_chunked_content_as_stored_only() {
        let content = vec![b'z'; 2500];
        let mut eci = vec![0x30, 0x80];
        eci.extend_from_slice(&DATA_OID);
        eci.extend_from_slice(&[0xA0, 0x80, 0x24, 0x80]);
        for chunk in content.chunks(1000) {
            eci.extend_from_slice(&definite(0x04, chunk));
        }
        eci.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let s = stream_signed_data(envelope(&eci, true).as_slice())
            .unwrap()
            .unwrap();
        let mut stored = eci.clone();
        stored.extend_from_slice(b"rest");
        assert_eq!(prefix(&s, false), Some(sha256(&stored)));
        assert_eq!(prefix(&s, true), None);
        assert!(s
            .content
            .digests
            .contains(&(DigestAlgorithm::Sha256, sha256(&content))));
    }
}
