//! Stream filters needed to read the structure of a PDF (cross-reference streams and object
//! streams): FlateDecode with PNG/TIFF predictors, under a budget on the decoded size.

use std::io::Read;

use crate::object::{Dict, Object};
use crate::Error;

/// Decoded size of one stream, at most.
pub const MAX_DECODED: u64 = 64 << 20;

fn filters_of(dict: &Dict) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match o {
                Object::Name(n) => Some(n.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn parms_of(dict: &Dict, index: usize) -> Option<Dict> {
    match dict.get(b"DecodeParms") {
        Some(Object::Dict(d)) if index == 0 => Some(d.clone()),
        Some(Object::Array(a)) => a.get(index).and_then(|o| o.dict().cloned()),
        _ => None,
    }
}

/// Decodes `raw` through the filters of `dict`, with `budget` bytes of output at most.
pub fn decode(dict: &Dict, raw: &[u8], budget: u64) -> Result<Vec<u8>, Error> {
    let mut data = raw.to_vec();
    for (i, f) in filters_of(dict).iter().enumerate() {
        data = match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let out = inflate(&data, budget)?;
                match parms_of(dict, i) {
                    Some(p) => predict(&p, out)?,
                    None => out,
                }
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
            _ => return Err(Error::Unsupported("stream filter")),
        };
    }
    Ok(data)
}

fn inflate(data: &[u8], budget: u64) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut z = flate2::read::ZlibDecoder::new(data).take(budget + 1);
    match z.read_to_end(&mut out) {
        Ok(_) => {}
        // Real files often end a zlib stream early or without its checksum; keep what
        // was decoded, as readers do.
        Err(_) if !out.is_empty() => {}
        Err(_) => return Err(Error::Malformed("a compressed stream cannot be decoded")),
    }
    if out.len() as u64 > budget {
        return Err(Error::LimitExceeded("decompressed stream size"));
    }
    Ok(out)
}

fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut hi: Option<u8> = None;
    for &c in data {
        if c == b'>' {
            break;
        }
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => continue,
        };
        match hi.take() {
            Some(h) => out.push(h * 16 + v),
            None => hi = Some(v),
        }
    }
    if let Some(h) = hi {
        out.push(h * 16);
    }
    out
}

/// Undoes a PNG (10..15) or TIFF (2) predictor (ISO 32000-1 7.4.4.4).
fn predict(parms: &Dict, data: Vec<u8>) -> Result<Vec<u8>, Error> {
    let predictor = parms.int(b"Predictor").unwrap_or(1);
    if predictor < 2 {
        return Ok(data);
    }
    let colors = usize::try_from(parms.int(b"Colors").unwrap_or(1).clamp(1, 32)).unwrap_or(1);
    let bpc =
        usize::try_from(parms.int(b"BitsPerComponent").unwrap_or(8).clamp(1, 16)).unwrap_or(8);
    let columns =
        usize::try_from(parms.int(b"Columns").unwrap_or(1).clamp(1, 1 << 20)).unwrap_or(1);
    let bpp = (colors * bpc).div_ceil(8).max(1);
    let row_len = (colors * bpc * columns).div_ceil(8);
    if predictor == 2 {
        if bpc != 8 {
            return Err(Error::Unsupported("TIFF predictor with this bit depth"));
        }
        let mut out = data;
        for row in out.chunks_mut(row_len.max(1)) {
            for i in bpp..row.len() {
                let left = row.get(i - bpp).copied().unwrap_or(0);
                if let Some(b) = row.get_mut(i) {
                    *b = b.wrapping_add(left);
                }
            }
        }
        return Ok(out);
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        let (tag, row) = match chunk.split_first() {
            Some((t, r)) => (*t, r),
            None => break,
        };
        let mut cur = vec![0u8; row_len];
        for i in 0..row.len().min(row_len) {
            let x = row.get(i).copied().unwrap_or(0);
            let a = if i >= bpp {
                cur.get(i - bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let b = prev.get(i).copied().unwrap_or(0);
            let c = if i >= bpp {
                prev.get(i - bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let v = match tag {
                0 => x,
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    let pred = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    x.wrapping_add(pred)
                }
                _ => return Err(Error::Malformed("unknown PNG predictor")),
            };
            if let Some(slot) = cur.get_mut(i) {
                *slot = v;
            }
        }
        let n = row.len().min(row_len);
        out.extend_from_slice(cur.get(..n).unwrap_or_default());
        prev = cur;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn decode_flate_over_budget_is_limit() {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&vec![0u8; 100_000]).unwrap();
        let raw = e.finish().unwrap();
        let d = Dict(vec![(
            b"Filter".to_vec(),
            Object::Name(b"FlateDecode".to_vec()),
        )]);
        assert_eq!(
            decode(&d, &raw, 1000),
            Err(Error::LimitExceeded("decompressed stream size"))
        );
        assert_eq!(decode(&d, &raw, 100_000).unwrap().len(), 100_000);
    }

    #[test]
    fn predict_png_up_restores_rows() {
        let p = Dict(vec![
            (b"Predictor".to_vec(), Object::Int(12)),
            (b"Columns".to_vec(), Object::Int(2)),
        ]);
        let out = predict(&p, vec![2, 1, 2, 2, 1, 1]).unwrap();
        assert_eq!(out, vec![1, 2, 2, 3]);
    }
}
