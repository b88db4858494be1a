//! A small, bounds-checked BER reader (ITU-T X.690), enough for CMS structures.
//!
//! RustCrypto's `der` crate reads DER only, but Italian `.p7m` files are often BER: indefinite
//! lengths and constructed OCTET STRINGs cut into chunks. This reader walks BER without
//! copying, keeps the original bytes of every element (signed attributes must be hashed as
//! stored, X.690 re-encoding would break them), and counts nesting depth so that hostile
//! input ends quickly with an error instead of exhausting the stack.

use std::borrow::Cow;

use crate::Error;

/// Deepest nesting of constructed elements accepted (CMS needs far fewer than this).
pub const MAX_DEPTH: u32 = 48;

/// ASN.1 tag class (X.690 8.1.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Universal types (SEQUENCE, INTEGER, ...).
    Universal,
    /// Application-specific tags.
    Application,
    /// Context-specific tags (`[0]`, `[1]`, ...).
    Context,
    /// Private tags.
    Private,
}

/// An identifier octet (or octets), decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// The tag class.
    pub class: Class,
    /// Whether the encoding is constructed (contains further elements).
    pub constructed: bool,
    /// The tag number.
    pub number: u32,
}

/// Universal tag numbers used by CMS.
pub mod universal {
    /// BOOLEAN.
    pub const BOOLEAN: u32 = 1;
    /// INTEGER.
    pub const INTEGER: u32 = 2;
    /// BIT STRING.
    pub const BIT_STRING: u32 = 3;
    /// OCTET STRING.
    pub const OCTET_STRING: u32 = 4;
    /// NULL.
    pub const NULL: u32 = 5;
    /// OBJECT IDENTIFIER.
    pub const OID: u32 = 6;
    /// UTF8String.
    pub const UTF8_STRING: u32 = 12;
    /// SEQUENCE / SEQUENCE OF.
    pub const SEQUENCE: u32 = 16;
    /// SET / SET OF.
    pub const SET: u32 = 17;
    /// PrintableString.
    pub const PRINTABLE_STRING: u32 = 19;
    /// TeletexString (T61String).
    pub const TELETEX_STRING: u32 = 20;
    /// IA5String.
    pub const IA5_STRING: u32 = 22;
    /// UTCTime.
    pub const UTC_TIME: u32 = 23;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u32 = 24;
    /// BMPString.
    pub const BMP_STRING: u32 = 30;
}

impl Tag {
    /// A universal tag.
    pub const fn universal(number: u32, constructed: bool) -> Self {
        Self {
            class: Class::Universal,
            constructed,
            number,
        }
    }

    /// Whether this is the universal tag `number`, primitive or constructed.
    pub fn is_universal(&self, number: u32) -> bool {
        self.class == Class::Universal && self.number == number
    }

    /// Whether this is the context-specific tag `[number]`, primitive or constructed.
    pub fn is_context(&self, number: u32) -> bool {
        self.class == Class::Context && self.number == number
    }
}

/// One element: its tag, its original bytes and its content octets.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The decoded tag.
    pub tag: Tag,
    /// The whole element as stored: identifier, length, content and, for an indefinite
    /// length, the end-of-contents octets.
    pub raw: &'a [u8],
    /// The content octets (without end-of-contents octets).
    pub content: &'a [u8],
    /// Whether the element used the indefinite length form.
    pub indefinite: bool,
    depth: u32,
}

/// How far [`Tlv::write_der`] normalises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DerMode {
    /// Definite lengths, joined strings.
    Structure,
    /// And SET elements sorted.
    Canonical,
    /// And BOOLEAN / INTEGER values repaired.
    Lenient,
}

/// Reads consecutive elements from a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    depth: u32,
}

fn truncated() -> Error {
    Error::Malformed("the data ends in the middle of an element")
}

fn take(data: &[u8], n: usize) -> Result<(&[u8], &[u8]), Error> {
    if n > data.len() {
        return Err(truncated());
    }
    Ok(data.split_at(n))
}

/// Decodes one element at the start of `data`; returns it and the bytes after it.
fn parse_one(data: &[u8], depth: u32) -> Result<(Tlv<'_>, &[u8]), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::LimitExceeded("nesting depth of the encoding"));
    }
    let (first, rest) = data.split_first().ok_or_else(truncated)?;
    let class = match first >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = first & 0x20 != 0;
    let mut number = u32::from(first & 0x1f);
    let mut rest = rest;
    if number == 0x1f {
        // High tag number form: base-128, at most 4 octets (tag numbers up to 2^28).
        number = 0;
        let mut count = 0;
        loop {
            let (b, r) = rest.split_first().ok_or_else(truncated)?;
            rest = r;
            count += 1;
            if count > 4 {
                return Err(Error::Malformed("tag number too large"));
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let tag = Tag {
        class,
        constructed,
        number,
    };
    let (len_byte, r) = rest.split_first().ok_or_else(truncated)?;
    rest = r;
    let header_len = data.len() - rest.len();
    if *len_byte == 0x80 {
        if !constructed {
            return Err(Error::Malformed("indefinite length on a primitive element"));
        }
        // Indefinite length: children up to the end-of-contents octets 00 00.
        let mut cursor = rest;
        loop {
            match cursor {
                [0, 0, ..] => {
                    let content_len = rest.len() - cursor.len();
                    let total = header_len + content_len + 2;
                    let (raw, after) = take(data, total)?;
                    let content = raw
                        .get(header_len..header_len + content_len)
                        .ok_or_else(truncated)?;
                    return Ok((
                        Tlv {
                            tag,
                            raw,
                            content,
                            indefinite: true,
                            depth,
                        },
                        after,
                    ));
                }
                [] | [_] => return Err(truncated()),
                _ => {
                    let (_, after) = parse_one(cursor, depth + 1)?;
                    cursor = after;
                }
            }
        }
    }
    let len = if len_byte & 0x80 == 0 {
        usize::from(*len_byte)
    } else {
        let n = usize::from(len_byte & 0x7f);
        if n > 8 || n == 0x7f {
            return Err(Error::Malformed("length field too long"));
        }
        let (bytes, r) = take(rest, n)?;
        rest = r;
        let mut len: u64 = 0;
        for b in bytes {
            len = (len << 8) | u64::from(*b);
        }
        usize::try_from(len).map_err(|_| truncated())?
    };
    let header_len = data.len() - rest.len();
    let (content, _) = take(rest, len)?;
    let (raw, after) = take(data, header_len + len)?;
    Ok((
        Tlv {
            tag,
            raw,
            content,
            indefinite: false,
            depth,
        },
        after,
    ))
}

impl<'a> Reader<'a> {
    /// A reader over top-level elements of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, depth: 0 }
    }

    /// Whether every element has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }

    /// The next element, or `None` at the end.
    pub fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>, Error> {
        if self.data.is_empty() {
            return Ok(None);
        }
        let (tlv, rest) = parse_one(self.data, self.depth)?;
        self.data = rest;
        Ok(Some(tlv))
    }

    /// The next element, which must exist.
    pub fn read(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.next_tlv()?.ok_or(Error::Malformed(what))
    }

    /// The tag of the next element, without consuming it.
    pub fn peek_tag(&self) -> Option<Tag> {
        parse_one(self.data, self.depth).ok().map(|(t, _)| t.tag)
    }

    /// The next element, which must be the universal type `number`.
    pub fn read_universal(&mut self, number: u32, what: &'static str) -> Result<Tlv<'a>, Error> {
        let tlv = self.read(what)?;
        if !tlv.tag.is_universal(number) {
            return Err(Error::Malformed(what));
        }
        Ok(tlv)
    }

    /// The next element if it is the context-specific tag `[number]`.
    pub fn read_optional_context(&mut self, number: u32) -> Result<Option<Tlv<'a>>, Error> {
        match self.peek_tag() {
            Some(t) if t.is_context(number) => self.next_tlv(),
            _ => Ok(None),
        }
    }
}

impl<'a> Tlv<'a> {
    /// Parses exactly one element filling `data` (trailing bytes are an error).
    pub fn parse_exact(data: &'a [u8]) -> Result<Self, Error> {
        let (tlv, rest) = parse_one(data, 0)?;
        if !rest.is_empty() {
            return Err(Error::Malformed(
                "unexpected bytes after the end of the structure",
            ));
        }
        Ok(tlv)
    }

    /// Parses the first element of `data`, ignoring what follows.
    pub fn parse_prefix(data: &'a [u8]) -> Result<(Self, &'a [u8]), Error> {
        parse_one(data, 0)
    }

    /// A reader over the children of a constructed element.
    pub fn children(&self) -> Result<Reader<'a>, Error> {
        if !self.tag.constructed {
            return Err(Error::Malformed("a constructed element was expected"));
        }
        Ok(Reader {
            data: self.content,
            depth: self.depth + 1,
        })
    }

    /// The content of an OCTET STRING (or other string type), joining the segments of a
    /// constructed encoding (X.690 8.7.3).
    pub fn octets(&self) -> Result<Cow<'a, [u8]>, Error> {
        if !self.tag.constructed {
            return Ok(Cow::Borrowed(self.content));
        }
        let mut out = Vec::with_capacity(self.content.len());
        self.append_octets(&mut out)?;
        Ok(Cow::Owned(out))
    }

    fn append_octets(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if !self.tag.constructed {
            out.extend_from_slice(self.content);
            return Ok(());
        }
        // Segments carry the universal string type; for an implicitly tagged string the
        // segments are OCTET STRINGs (X.690 8.7.3.2).
        let segment_type = if self.tag.class == Class::Universal {
            self.tag.number
        } else {
            universal::OCTET_STRING
        };
        let mut r = self.children()?;
        while let Some(seg) = r.next_tlv()? {
            if !seg.tag.is_universal(segment_type) {
                return Err(Error::Malformed(
                    "a segment of a constructed string has the wrong type",
                ));
            }
            seg.append_octets(out)?;
        }
        Ok(())
    }

    /// The element re-encoded in DER form as far as structure goes: definite lengths,
    /// constructed strings joined. SET OF elements are *not* re-sorted: this is for decoding
    /// with DER-only parsers, never for computing digests over signed data.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out, DerMode::Structure)?;
        Ok(out)
    }

    /// Like [`Tlv::to_der`], and also repairs primitive values that older software wrote
    /// in non-DER form and DER-only parsers refuse: BOOLEAN TRUE other than `FF`, INTEGERs
    /// with redundant leading octets. For *decoding* a certificate only: its digest and
    /// signature are always computed over the bytes as stored.
    pub fn to_der_lenient(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out, DerMode::Lenient)?;
        Ok(out)
    }

    /// Like [`Tlv::to_der`], and the elements of every SET (and SET OF) sorted by their
    /// encodings (X.690 11.6): the distinguished encoding some signers compute their
    /// signature over even when they store another order.
    pub fn to_canonical_der(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out, DerMode::Canonical)?;
        Ok(out)
    }

    fn write_der(&self, out: &mut Vec<u8>, mode: DerMode) -> Result<(), Error> {
        let sort_sets = mode == DerMode::Canonical;
        let string_type = self.tag.class == Class::Universal
            && matches!(self.tag.number, 3 | 4 | 12 | 18..=22 | 25..=28 | 30);
        if self.tag.constructed && string_type {
            let joined = self.octets()?;
            write_header(
                out,
                Tag {
                    constructed: false,
                    ..self.tag
                },
                joined.len(),
            );
            out.extend_from_slice(&joined);
        } else if self.tag.constructed {
            let mut children = Vec::new();
            let mut r = self.children()?;
            while let Some(child) = r.next_tlv()? {
                let mut enc = Vec::with_capacity(child.raw.len());
                child.write_der(&mut enc, mode)?;
                children.push(enc);
            }
            if sort_sets && self.tag.is_universal(universal::SET) {
                // Shorter encodings compare as if padded with zero octets (X.690 11.6).
                children.sort();
            }
            let len = children.iter().map(Vec::len).sum();
            write_header(out, self.tag, len);
            for c in children {
                out.extend_from_slice(&c);
            }
        } else if mode == DerMode::Lenient
            && self.tag.is_universal(universal::BOOLEAN)
            && self.content.len() == 1
        {
            write_header(out, self.tag, 1);
            out.push(if self.content.first() == Some(&0) {
                0x00
            } else {
                0xff
            });
        } else if mode == DerMode::Lenient && self.tag.is_universal(universal::INTEGER) {
            // Drop leading octets that only repeat the sign (X.690 8.3.2).
            let mut v = self.content;
            while let [first, second, ..] = v {
                let redundant = (*first == 0x00 && second & 0x80 == 0)
                    || (*first == 0xff && second & 0x80 != 0);
                if !redundant {
                    break;
                }
                v = v.get(1..).unwrap_or_default();
            }
            write_header(out, self.tag, v.len());
            out.extend_from_slice(v);
        } else {
            write_header(out, self.tag, self.content.len());
            out.extend_from_slice(self.content);
        }
        Ok(())
    }

    /// The value of an OBJECT IDENTIFIER in dotted form.
    pub fn oid(&self) -> Result<String, Error> {
        if !self.tag.is_universal(universal::OID) || self.tag.constructed {
            return Err(Error::Malformed("an object identifier was expected"));
        }
        oid_to_string(self.content)
    }
}

fn write_header(out: &mut Vec<u8>, tag: Tag, len: usize) {
    let class_bits: u8 = match tag.class {
        Class::Universal => 0,
        Class::Application => 0x40,
        Class::Context => 0x80,
        Class::Private => 0xc0,
    };
    let cons = if tag.constructed { 0x20 } else { 0 };
    if tag.number < 0x1f {
        // Fits in the low five bits (checked just above).
        out.push(class_bits | cons | (tag.number as u8));
    } else {
        out.push(class_bits | cons | 0x1f);
        let mut groups = Vec::new();
        let mut n = tag.number;
        loop {
            groups.push((n & 0x7f) as u8);
            n >>= 7;
            if n == 0 {
                break;
            }
        }
        let last = groups.len().saturating_sub(1);
        for (i, g) in groups.iter().rev().enumerate() {
            out.push(if i == last { *g } else { g | 0x80 });
        }
    }
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let sig = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | sig.len() as u8);
        out.extend_from_slice(sig);
    }
}

/// Dotted form of the content octets of an OBJECT IDENTIFIER (X.690 8.19).
pub fn oid_to_string(content: &[u8]) -> Result<String, Error> {
    if content.is_empty() || content.len() > 64 {
        return Err(Error::Malformed("object identifier of impossible length"));
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut in_arc = false;
    for b in content {
        if !in_arc && *b == 0x80 {
            return Err(Error::Malformed("object identifier not minimally encoded"));
        }
        if value > (u64::MAX >> 7) {
            return Err(Error::Malformed("object identifier arc too large"));
        }
        value = (value << 7) | u64::from(b & 0x7f);
        in_arc = true;
        if b & 0x80 == 0 {
            arcs.push(value);
            value = 0;
            in_arc = false;
        }
    }
    if in_arc {
        return Err(Error::Malformed(
            "object identifier ends in the middle of an arc",
        ));
    }
    let mut out = String::new();
    for (i, arc) in arcs.iter().enumerate() {
        if i == 0 {
            let (a, b) = match arc {
                0..=39 => (0, *arc),
                40..=79 => (1, arc - 40),
                _ => (2, arc - 80),
            };
            out.push_str(&format!("{a}.{b}"));
        } else {
            out.push_str(&format!(".{arc}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_constructed_octets_join_segments() {
        // [SEQUENCE indefinite [OCTET STRING constructed indefinite "ab" "c"] ]
        let data = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
        ];
        let tlv = Tlv::parse_exact(&data).unwrap();
        assert!(tlv.indefinite);
        let mut r = tlv.children().unwrap();
        let os = r.next_tlv().unwrap().unwrap();
        assert_eq!(&*os.octets().unwrap(), b"abc");
        assert_eq!(
            tlv.to_der().unwrap(),
            vec![0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']
        );
    }

    #[test]
    fn truncated_input_is_an_error() {
        assert!(Tlv::parse_exact(&[0x30, 0x05, 0x04]).is_err());
        assert!(Tlv::parse_exact(&[0x30, 0x80, 0x04, 0x00]).is_err());
        assert!(Tlv::parse_exact(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn deep_nesting_hits_the_budget() {
        let mut data = Vec::new();
        for _ in 0..200 {
            data.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..200 {
            data.extend_from_slice(&[0, 0]);
        }
        assert!(matches!(
            Tlv::parse_exact(&data),
            Err(Error::LimitExceeded(_))
        ));
    }

    #[test]
    fn lenient_der_repairs_boolean_and_integer() {
        let data = [0x30, 0x07, 0x01, 0x01, 0x01, 0x02, 0x02, 0x00, 0x05];
        let tlv = Tlv::parse_exact(&data).unwrap();
        assert_eq!(
            tlv.to_der_lenient().unwrap(),
            vec![0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x05]
        );
        assert_eq!(tlv.to_der().unwrap(), data.to_vec());
    }

    #[test]
    fn oid_renders_dotted() {
        assert_eq!(
            oid_to_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]).unwrap(),
            "1.2.840.113549.1.7.2"
        );
    }
}
