//! Signed attributes of CMS and CAdES: content-type, message-digest, signing-time and the
//! ESS signing-certificate(-v2) references.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::ber::{universal, Tlv};
use crate::cms::{AlgorithmIdentifier, Attribute};
use crate::crypto::DigestAlgorithm;
use crate::Error;

/// The single value of an attribute, which must have exactly one.
pub fn single_value<'a, 'b>(attr: &'b Attribute<'a>) -> Result<&'b Tlv<'a>, Error> {
    match attr.values.as_slice() {
        [v] => Ok(v),
        _ => Err(Error::Malformed(
            "an attribute that must have one value has several or none",
        )),
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// Decodes a `UTCTime` or `GeneralizedTime` element.
pub fn decode_time(tlv: &Tlv<'_>) -> Result<OffsetDateTime, Error> {
    let bad = || Error::Malformed("invalid time value");
    let s: &[u8] = tlv.content;
    let (year, rest) = if tlv.tag.is_universal(universal::UTC_TIME) {
        let yy = digits(s.get(..2).ok_or_else(bad)?).ok_or_else(bad)?;
        // RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
        (
            if yy >= 50 { 1900 + yy } else { 2000 + yy },
            s.get(2..).ok_or_else(bad)?,
        )
    } else if tlv.tag.is_universal(universal::GENERALIZED_TIME) {
        (
            digits(s.get(..4).ok_or_else(bad)?).ok_or_else(bad)?,
            s.get(4..).ok_or_else(bad)?,
        )
    } else {
        return Err(Error::Malformed("a time value was expected"));
    };
    let two = |i: usize| rest.get(i..i + 2).and_then(digits).ok_or_else(bad);
    let month = two(0)?;
    let day = two(2)?;
    let hour = two(4)?;
    let minute = two(6)?;
    let mut i = 8;
    let mut second = 0;
    if rest.get(8).is_some_and(u8::is_ascii_digit) {
        second = two(8)?;
        i = 10;
    }
    let mut nanos = 0u32;
    if matches!(rest.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let frac = rest.get(start..i).ok_or_else(bad)?;
        let frac9: Vec<u8> = frac
            .iter()
            .copied()
            .chain(std::iter::repeat(b'0'))
            .take(9)
            .collect();
        nanos = digits(&frac9).ok_or_else(bad)?;
    }
    let offset = match rest.get(i..) {
        Some(b"Z") => UtcOffset::UTC,
        Some([sign @ (b'+' | b'-'), h1, h2, m1, m2]) => {
            let h = digits(&[*h1, *h2]).ok_or_else(bad)?;
            let m = digits(&[*m1, *m2]).ok_or_else(bad)?;
            let secs = i32::try_from(h * 3600 + m * 60).map_err(|_| bad())?;
            UtcOffset::from_whole_seconds(if *sign == b'-' { -secs } else { secs })
                .map_err(|_| bad())?
        }
        // A local time without zone: read as UTC (the best guess available).
        Some(b"") => UtcOffset::UTC,
        _ => return Err(bad()),
    };
    let month = Month::try_from(u8::try_from(month).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = Date::from_calendar_date(
        i32::try_from(year).map_err(|_| bad())?,
        month,
        u8::try_from(day).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let t = Time::from_hms_nano(
        u8::try_from(hour).map_err(|_| bad())?,
        u8::try_from(minute).map_err(|_| bad())?,
        u8::try_from(second).map_err(|_| bad())?,
        nanos,
    )
    .map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, t)
        .assume_offset(offset)
        .to_offset(UtcOffset::UTC))
}

/// One certificate reference of an ESS signing-certificate attribute.
///
/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash      Hash,
///     issuerSerial  IssuerSerial OPTIONAL }          -- RFC 5035
/// ESSCertID ::= SEQUENCE { certHash Hash, issuerSerial IssuerSerial OPTIONAL } -- SHA-1
/// ```
#[derive(Debug, Clone)]
pub struct EssCertId {
    /// Which attribute it came from: 1 for signing-certificate, 2 for -v2.
    pub version: u8,
    /// The hash algorithm, or its OID when unknown.
    pub hash_algorithm: Result<DigestAlgorithm, String>,
    /// The certificate hash.
    pub hash: Vec<u8>,
}

/// Decodes the certificate references of a signing-certificate (`version` 1) or
/// signing-certificate-v2 (`version` 2) attribute value.
pub fn decode_ess(value: &Tlv<'_>, version: u8) -> Result<Vec<EssCertId>, Error> {
    let mut r = value.children()?;
    let certs = r.read_universal(universal::SEQUENCE, "signing-certificate without certs")?;
    let mut out = Vec::new();
    let mut cr = certs.children()?;
    while let Some(id) = cr.next_tlv()? {
        let mut ir = id.children()?;
        let first = ir.read("empty ESSCertID")?;
        let (hash_algorithm, hash_tlv) = if first.tag.is_universal(universal::SEQUENCE) {
            let alg = AlgorithmIdentifier::decode(&first)?;
            let h = DigestAlgorithm::from_oid(&alg.oid).ok_or(alg.oid);
            (
                h,
                ir.read_universal(universal::OCTET_STRING, "ESSCertIDv2 without hash")?,
            )
        } else if first.tag.is_universal(universal::OCTET_STRING) {
            let default = if version == 1 {
                DigestAlgorithm::Sha1
            } else {
                DigestAlgorithm::Sha256
            };
            (Ok(default), first)
        } else {
            return Err(Error::Malformed("malformed ESSCertID"));
        };
        out.push(EssCertId {
            version,
            hash_algorithm,
            hash: hash_tlv.octets()?.into_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_time_with_seconds_decodes() {
        let data = b"\x17\x0d130907101530Z";
        let tlv = Tlv::parse_exact(data).unwrap();
        let t = decode_time(&tlv).unwrap();
        assert_eq!(t.unix_timestamp(), 1_378_548_930);
    }

    #[test]
    fn generalized_time_with_fraction_decodes() {
        let data = b"\x18\x1220130907101530.25Z";
        let tlv = Tlv::parse_exact(data).unwrap();
        let t = decode_time(&tlv).unwrap();
        assert_eq!(t.unix_timestamp(), 1_378_548_930);
        assert_eq!(t.millisecond(), 250);
    }

    #[test]
    fn time_with_bad_month_is_rejected() {
        let data = b"\x17\x0d131307101530Z";
        let tlv = Tlv::parse_exact(data).unwrap();
        assert!(decode_time(&tlv).is_err());
    }
}
