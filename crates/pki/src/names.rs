//! Distinguished-name comparison for name chaining (RFC 5280 7.1): equal DER, or equal
//! after decoding the directory strings, case folding and whitespace compression.

use der::Tagged;
use x509_cert::name::Name;

/// The value of a directory string (`PrintableString`, `UTF8String`, `BMPString`, ...).
pub fn directory_string(value: &der::Any) -> String {
    let bytes = value.value();
    match value.tag() {
        der::Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| match c {
                    [a, b] => u16::from_be_bytes([*a, *b]),
                    _ => 0xfffd,
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        // T.61 in practice carries Latin-1.
        der::Tag::TeletexString => bytes.iter().map(|b| char::from(*b)).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A comparable form of a name: per RDN, the sorted (type, folded value) pairs.
pub fn normalized(name: &Name) -> Vec<Vec<(String, String)>> {
    name.0
        .iter()
        .map(|rdn| {
            let mut atvs: Vec<(String, String)> = rdn
                .0
                .iter()
                .map(|atv| {
                    let v = directory_string(&atv.value);
                    let folded = v
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase();
                    (atv.oid.to_string(), folded)
                })
                .collect();
            atvs.sort();
            atvs
        })
        .collect()
}

/// The first value of attribute `oid` in `name`.
pub fn attribute(name: &Name, oid: &str) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid.to_string() == oid)
        .map(|atv| directory_string(&atv.value))
}
