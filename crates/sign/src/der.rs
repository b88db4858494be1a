//! A small DER writer (ITU-T X.690 section 10), enough to build CMS `SignedData`.
//!
//! Reading stays in `lavoro-agile-cades` (its BER reader); this side only writes values we
//! build ourselves, so every function is total: no input can make it fail except an
//! ill-formed object identifier, which is a programming error reported as such.

use time::OffsetDateTime;

use crate::Error;

/// Universal tags used here.
pub mod tag {
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: u8 = 0x0c;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
}

/// The length octets of a definite-length encoding.
fn length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        // Fits in seven bits.
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    // At most size_of::<usize>() (8) octets, so the count fits in seven bits.
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

/// One element: identifier octet, definite length, content.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    length(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements, in the order given.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// A SET OF already encoded elements, sorted as DER requires (X.690 11.6).
pub fn set_of(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    tlv(tag::SET, &parts.concat())
}

/// A context-specific tag `[n]` (n < 31) around `content`; `constructed` for EXPLICIT
/// tagging or an IMPLICIT constructed type.
pub fn context(n: u8, constructed: bool, content: &[u8]) -> Vec<u8> {
    let id = 0x80 | if constructed { 0x20 } else { 0 } | (n & 0x1f);
    tlv(id, content)
}

/// An OCTET STRING.
pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, bytes)
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![tag::NULL, 0]
}

/// A non-negative INTEGER from its big-endian magnitude (leading zeros removed, a zero
/// octet added when the top bit is set).
pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let digits = magnitude.get(skip..).unwrap_or(&[]);
    let mut content = Vec::with_capacity(digits.len() + 1);
    match digits.first() {
        None => content.push(0),
        Some(first) if first & 0x80 != 0 => {
            content.push(0);
            content.extend_from_slice(digits);
        }
        Some(_) => content.extend_from_slice(digits),
    }
    tlv(tag::INTEGER, &content)
}

/// A small INTEGER.
pub fn small_integer(value: u8) -> Vec<u8> {
    unsigned_integer(&[value])
}

/// An OBJECT IDENTIFIER from its dotted form.
pub fn oid(dotted: &str) -> Result<Vec<u8>, Error> {
    let bad = || Error::Internal("ill-formed object identifier");
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse::<u64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (first, second, rest) = match arcs.as_slice() {
        [a, b, rest @ ..] if *a <= 2 && (*a == 2 || *b < 40) => (*a, *b, rest),
        _ => return Err(bad()),
    };
    let mut content = Vec::new();
    let head = first
        .checked_mul(40)
        .and_then(|v| v.checked_add(second))
        .ok_or_else(bad)?;
    for arc in std::iter::once(head).chain(rest.iter().copied()) {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        content.extend(groups.iter().rev());
    }
    Ok(tlv(tag::OID, &content))
}

/// An AlgorithmIdentifier with absent parameters (SHA-2, ECDSA: RFC 5754, RFC 5758).
pub fn algorithm(dotted: &str) -> Result<Vec<u8>, Error> {
    Ok(sequence(&[&oid(dotted)?]))
}

/// An AlgorithmIdentifier with NULL parameters (RSA: RFC 4055 section 5).
pub fn algorithm_null(dotted: &str) -> Result<Vec<u8>, Error> {
    Ok(sequence(&[&oid(dotted)?, &null()]))
}

/// A UTF8String.
pub fn utf8(text: &str) -> Vec<u8> {
    tlv(tag::UTF8_STRING, text.as_bytes())
}

/// `Time` as RFC 5280 section 4.1.2.5 and RFC 5652 section 11.3 want it: UTCTime for the
/// years 1950–2049, GeneralizedTime otherwise; always UTC, whole seconds.
pub fn time(at: OffsetDateTime) -> Vec<u8> {
    let at = at.to_offset(time::UtcOffset::UTC);
    let year = at.year();
    let rest = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if (1950..2050).contains(&year) {
        tlv(tag::UTC_TIME, format!("{:02}{rest}", year % 100).as_bytes())
    } else {
        tlv(tag::GENERALIZED_TIME, format!("{year:04}{rest}").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_sha256_encodes_as_x690() {
        assert_eq!(
            oid("2.16.840.1.101.3.4.2.1").unwrap(),
            [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        );
        assert!(oid("3.1").is_err());
        assert!(oid("1.x").is_err());
    }

    #[test]
    fn length_long_form_uses_minimal_octets() {
        let t = tlv(0x04, &[0u8; 300]);
        assert_eq!(t.get(..4).unwrap(), [0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(tlv(0x04, &[0u8; 128]).get(..3).unwrap(), [0x04, 0x81, 0x80]);
    }

    #[test]
    fn integer_high_bit_gets_leading_zero() {
        assert_eq!(unsigned_integer(&[0, 0, 0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(unsigned_integer(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(small_integer(1), [0x02, 0x01, 0x01]);
    }

    #[test]
    fn time_before_2050_is_utctime() {
        let t = time(time::macros::datetime!(2026-11-27 10:20:30 UTC));
        assert_eq!(t, tlv(tag::UTC_TIME, b"261127102030Z"));
        let g = time(time::macros::datetime!(2050-01-01 00:00:00 UTC));
        assert_eq!(g, tlv(tag::GENERALIZED_TIME, b"20500101000000Z"));
    }
}
