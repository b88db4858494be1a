//! Removing text wrappers around a binary CMS structure: base64 (bare or in a MIME-like
//! wrapper) and PEM (`-----BEGIN PKCS7-----`).
//!
//! The wrapper is recognised from the content, never from the file name.

use std::borrow::Cow;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// How the bytes were wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Armor {
    /// Binary DER or BER, no wrapper.
    Binary,
    /// Base64 text, possibly after MIME-like header lines.
    Base64,
    /// PEM armour (`-----BEGIN ...-----`).
    Pem,
}

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn is_b64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Decodes base64 text, ignoring white space. `None` when other characters appear.
pub fn decode_base64_text(text: &[u8]) -> Option<Vec<u8>> {
    let mut compact = Vec::with_capacity(text.len());
    for b in text {
        if b.is_ascii_whitespace() {
            continue;
        }
        if !is_b64_char(*b) {
            return None;
        }
        compact.push(*b);
    }
    if compact.is_empty() {
        return None;
    }
    // Some writers pad in the middle of concatenated blocks; keep only up to the first '='.
    if let Some(pos) = compact.iter().position(|b| *b == b'=') {
        compact.truncate(pos);
    }
    LENIENT.decode(&compact).ok()
}

/// Strips header lines (`Name: value`) and the blank line after them, MIME style.
fn skip_header_lines(text: &[u8]) -> &[u8] {
    let mut rest = text;
    let mut saw_header = false;
    loop {
        let line_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .map_or(rest.len(), |p| p + 1);
        let (line, after) = rest.split_at(line_end);
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            if saw_header {
                return after;
            }
            if after.is_empty() {
                return rest;
            }
            rest = after;
            continue;
        }
        let is_header = trimmed
            .iter()
            .position(|b| *b == b':')
            .is_some_and(|colon| {
                colon > 0
                    && trimmed.get(..colon).is_some_and(|name| {
                        name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                    })
            });
        if is_header {
            saw_header = true;
            rest = after;
            continue;
        }
        return rest;
    }
}

/// Finds the first PEM block and returns its decoded body.
fn decode_pem(text: &[u8]) -> Option<Vec<u8>> {
    let start = find(text, b"-----BEGIN ")?;
    let after_begin = text.get(start..)?;
    let header_end = find(after_begin.get(11..)?, b"-----")? + 11 + 5;
    let body_start = after_begin.get(header_end..)?;
    let end = find(body_start, b"-----END ")?;
    let body = body_start.get(..end)?;
    // RFC 1421 headers (Proc-Type: ...) may precede the base64 text.
    decode_base64_text(skip_header_lines(body))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    // Linear-time search: hostile input must not make this quadratic.
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(haystack, needle)
}

/// Returns the binary structure inside `bytes` and how it was wrapped.
///
/// Binary input starting with a SEQUENCE tag is returned as is. Text input is decoded when
/// it is PEM or base64 and decodes to something starting with a SEQUENCE tag; otherwise the
/// input is returned unchanged as `Binary`, and the caller decides it is not a signature.
pub fn unarmor(bytes: &[u8]) -> (Cow<'_, [u8]>, Armor) {
    if bytes.first() == Some(&0x30) {
        return (Cow::Borrowed(bytes), Armor::Binary);
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if find(
        text.get(..text.len().min(4096)).unwrap_or(text),
        b"-----BEGIN ",
    )
    .is_some()
    {
        if let Some(decoded) = decode_pem(text) {
            if decoded.first() == Some(&0x30) {
                return (Cow::Owned(decoded), Armor::Pem);
            }
        }
    }
    if let Some(decoded) = decode_base64_text(skip_header_lines(text)) {
        if decoded.first() == Some(&0x30) {
            return (Cow::Owned(decoded), Armor::Base64);
        }
    }
    (Cow::Borrowed(bytes), Armor::Binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_block_decodes() {
        let (b, a) = unarmor(b"-----BEGIN PKCS7-----\r\nMAMCAQE=\r\n-----END PKCS7-----\r\n");
        assert_eq!(a, Armor::Pem);
        assert_eq!(&*b, &[0x30, 0x03, 0x02, 0x01, 0x01]);
    }

    #[test]
    fn base64_after_headers_decodes() {
        let (b, a) = unarmor(b"Content-Type: application/pkcs7-mime\r\n\r\nMAMC\r\nAQE=\r\n");
        assert_eq!(a, Armor::Base64);
        assert_eq!(&*b, &[0x30, 0x03, 0x02, 0x01, 0x01]);
    }

    #[test]
    fn plain_text_stays_binary() {
        let (_, a) = unarmor(b"hello, world");
        assert_eq!(a, Armor::Binary);
    }
}
