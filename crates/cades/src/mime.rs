//! MIME multipart envelopes (the Italian `.m7m`: a signed `.p7m` part and an RFC 3161
//! timestamp part). Only what is needed to find the parts: headers, boundary, bodies.

use std::borrow::Cow;

use crate::armor::decode_base64_text;

/// Parts read from one envelope, at most.
pub const MAX_PARTS: usize = 16;

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    // Linear-time search: hostile input must not make this quadratic.
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(haystack, needle)
}

/// Splits a header block from its body at the first empty line.
fn split_headers(data: &[u8]) -> Option<(&[u8], &[u8])> {
    if let Some(p) = find(data, b"\r\n\r\n") {
        let q = find(data, b"\n\n");
        if q.is_none_or(|q| p < q) {
            return Some((data.get(..p)?, data.get(p + 4..)?));
        }
    }
    let p = find(data, b"\n\n")?;
    Some((data.get(..p)?, data.get(p + 2..)?))
}

fn boundary(headers: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(headers);
    let lower = text.to_ascii_lowercase();
    let ct = lower.find("content-type:")?;
    let pos = ct + lower.get(ct..)?.find("boundary=")? + "boundary=".len();
    let rest = text.get(pos..)?;
    let value = if let Some(stripped) = rest.strip_prefix('"') {
        stripped.split('"').next()?
    } else {
        rest.split(|c: char| c == ';' || c.is_whitespace()).next()?
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// One part of a multipart message.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    /// The body as stored in the message (for a `.p7m` written as base64 text, the bytes
    /// of that file).
    pub stored: &'a [u8],
    /// The body with base64 decoded (equal to `stored` when it is not base64).
    pub decoded: Cow<'a, [u8]>,
}

/// Whether the bytes start like a MIME multipart message.
pub fn is_multipart(data: &[u8]) -> bool {
    split_headers(data).and_then(|(h, _)| boundary(h)).is_some()
}

/// The decoded bodies of the parts of a multipart message (base64 bodies decoded whatever
/// the transfer-encoding header says: some writers label base64 text as binary).
pub fn parts(data: &[u8]) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let Some((headers, body)) = split_headers(data) else {
        return out;
    };
    let Some(b) = boundary(headers) else {
        return out;
    };
    let delimiter = format!("--{b}");
    let mut rest = body;
    // Skip the preamble up to the first delimiter.
    let Some(first) = find(rest, delimiter.as_bytes()) else {
        return out;
    };
    rest = rest.get(first + delimiter.len()..).unwrap_or_default();
    while out.len() < MAX_PARTS {
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = rest.get(..end).unwrap_or_default();
        rest = rest.get(end + delimiter.len()..).unwrap_or_default();
        let Some((_, mut body)) = split_headers(
            part.strip_prefix(b"\r\n")
                .or_else(|| part.strip_prefix(b"\n"))
                .unwrap_or(part),
        ) else {
            if end >= rest.len() && rest.is_empty() {
                break;
            }
            continue;
        };
        // The line break before the delimiter belongs to the delimiter (RFC 2046 5.1.1).
        body = body
            .strip_suffix(b"\r\n")
            .or_else(|| body.strip_suffix(b"\n"))
            .unwrap_or(body);
        match decode_base64_text(body) {
            Some(decoded) if decoded.first() == Some(&0x30) => out.push(Part {
                stored: body,
                decoded: Cow::Owned(decoded),
            }),
            _ => out.push(Part {
                stored: body,
                decoded: Cow::Borrowed(body),
            }),
        }
        if rest.is_empty() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_decoded() {
        let msg = b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: a\r\n\r\nMAMCAQE=\r\n--XX\r\nContent-Type: b\r\n\r\nhello\r\n--XX--\r\n";
        assert!(is_multipart(msg));
        let p = parts(msg);
        assert_eq!(p.len(), 2);
        assert_eq!(&*p[0].decoded, &[0x30, 0x03, 0x02, 0x01, 0x01]);
        assert_eq!(p[0].stored, b"MAMCAQE=");
        assert_eq!(&*p[1].decoded, b"hello");
    }
}
