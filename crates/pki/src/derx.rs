//! A few bounds-checked DER helpers for what `x509-cert` does not hand out: the exact bytes
//! of a `tbsCertificate` / `tbsCertList` (signatures cover them as stored) and the size of
//! an RSA modulus.

/// Splits one DER TLV at the start of `data`: returns (whole element, content, rest).
pub(crate) fn split_tlv(data: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let tag = *data.first()?;
    // Multi-byte tags do not occur in the structures read here.
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*data.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let whole = data.get(..end)?;
    let content = data.get(header..end)?;
    let rest = data.get(end..)?;
    Some((whole, content, rest))
}

/// The first element inside the outer SEQUENCE of `der` (the TBS part of a certificate or
/// CRL), exactly as encoded.
pub(crate) fn first_inner(der: &[u8]) -> Option<&[u8]> {
    let (_, content, _) = split_tlv(der)?;
    let (first, _, _) = split_tlv(content)?;
    Some(first)
}

/// The bit length of the modulus of a DER `RSAPublicKey ::= SEQUENCE { modulus INTEGER,
/// publicExponent INTEGER }` (RFC 8017 A.1.1).
pub(crate) fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    let (_, content, _) = split_tlv(key)?;
    let (_, modulus, _) = split_tlv(content)?;
    let skip = modulus.iter().take_while(|b| **b == 0).count();
    let significant = modulus.get(skip..)?;
    let first = *significant.first()?;
    let len = u32::try_from(significant.len()).ok()?;
    Some((len - 1) * 8 + (8 - first.leading_zeros()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_tlv_truncated_input_is_none() {
        assert!(split_tlv(&[0x30, 0x05, 0x01]).is_none());
        assert!(split_tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
        assert!(split_tlv(&[]).is_none());
    }

    #[test]
    fn rsa_modulus_bits_counts_significant_bits() {
        // SEQUENCE { INTEGER 0x00 0x80 0x01, INTEGER 3 }
        let key = [0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x03];
        assert_eq!(rsa_modulus_bits(&key), Some(16));
    }
}
