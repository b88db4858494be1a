//! PAdES B-B (ETSI EN 319 142-1) as an incremental update (ISO 32000-1 section 7.5.6):
//! the original bytes are kept as they are, and appended after them are a signature
//! dictionary (`/SubFilter /ETSI.CAdES.detached`, `/ByteRange`, `/Contents`), a signature
//! field with an invisible widget on the chosen page, the page with the widget added to its
//! `/Annots`, the catalog (or its `/AcroForm`) with the field added, a cross-reference
//! section and a trailer pointing back at the previous one. Earlier signatures cover
//! earlier revisions, so they stay valid.
//!
//! The PDF is read with `lavoro-agile-pades`' reader (bounded, never panics); only the
//! objects we change are written again, through [`write_object`].

use std::collections::BTreeMap;
use std::rc::Rc;

use lavoro_agile_pades::document::{Document, Limits};
use lavoro_agile_pades::object::{Dict, ObjRef, Object, PdfString};
use lavoro_agile_pades::source::SliceSource;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::cms::{self, Signer};
use crate::tsa::TimestampSource;
use crate::Error;

/// Bytes reserved for the CMS in `/Contents` (written as twice as many hex digits).
pub const DEFAULT_RESERVED: usize = 16 * 1024;

/// Deepest page tree walked.
const MAX_PAGE_DEPTH: u32 = 32;
/// Most page-tree nodes visited.
const MAX_PAGE_NODES: usize = 100_000;

/// How to sign a PDF.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// The page (0-based) the signature field belongs to.
    pub page: usize,
    /// The reason shown by PDF readers (`/Reason`).
    pub reason: Option<String>,
    /// The place (`/Location`).
    pub location: Option<String>,
    /// Bytes reserved for the signature.
    pub reserved: usize,
    /// A visible signature in this rectangle of the page (invisible when `None`).
    pub visible: Option<Rect>,
}

/// A rectangle on the page, in points (1/72 inch) from the bottom-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Bottom edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// Parses `X,Y,W,H` (points); width and height must be positive.
    pub fn parse(s: &str) -> Option<Self> {
        let v: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().ok().filter(|f| f.is_finite()))
            .collect::<Option<_>>()?;
        match v.as_slice() {
            [x, y, w, h] if *w > 0.0 && *h > 0.0 && *x >= 0.0 && *y >= 0.0 => Some(Self {
                x: *x,
                y: *y,
                width: *w,
                height: *h,
            }),
            _ => None,
        }
    }
}

/// Text for a standard Type 1 font with WinAnsiEncoding: Latin-1 characters as their
/// byte (the encodings agree on à, è, é, ì, ò, ù), others as `?`; `( ) \` escaped.
fn win_ansi_literal(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        let b = u32::from(c);
        let byte = match u8::try_from(b) {
            Ok(v) if (0x20..0x7f).contains(&v) || v >= 0xa0 => v,
            _ => b'?',
        };
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b')');
    out
}

/// The appearance stream of a visible signature: a light box with the signer's name, the
/// date and the reason.
fn appearance(rect: &Rect, lines: &[String], font: u32) -> Vec<u8> {
    let (w, h) = (rect.width, rect.height);
    let mut content = format!(
        "q 0 0 {w:.2} {h:.2} re W n 0.95 0.96 0.98 rg 0 0 {w:.2} {h:.2} re f \
         0 0.4 0.8 RG 1 w 0.5 0.5 {:.2} {:.2} re S Q\nq 0 0 {w:.2} {h:.2} re W n BT 0.1 0.1 0.1 rg /F1 9 Tf 11 TL 5 {:.2} Td",
        w - 1.0,
        h - 1.0,
        h - 13.0
    )
    .into_bytes();
    for line in lines {
        content.push(b' ');
        content.extend_from_slice(&win_ansi_literal(line));
        content.extend_from_slice(b" Tj T*");
    }
    content.extend_from_slice(b" ET Q");
    let mut out = format!(
        "<</Type/XObject/Subtype/Form/BBox[0 0 {w:.2} {h:.2}]/Resources<</Font<</F1 {font} 0 R>>>>/Length {}>>\nstream\n",
        content.len()
    )
    .into_bytes();
    out.extend_from_slice(&content);
    out.extend_from_slice(b"\nendstream");
    out
}

impl Default for PdfOptions {
    fn default() -> Self {
        Self {
            page: 0,
            reason: None,
            location: None,
            reserved: DEFAULT_RESERVED,
            visible: None,
        }
    }
}

fn pdf_err(e: lavoro_agile_pades::Error) -> Error {
    Error::Input(e.to_string())
}

/// Whether a byte may appear as is in a name (ISO 32000-1 section 7.3.5).
fn regular(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && !b"()<>[]{}/%#".contains(&b)
}

/// Serialises an object (not a stream) as PDF syntax.
pub fn write_object(o: &Object, out: &mut Vec<u8>) -> Result<(), Error> {
    write_object_depth(o, out, 0)
}

fn write_object_depth(o: &Object, out: &mut Vec<u8>, depth: u32) -> Result<(), Error> {
    if depth > 64 {
        return Err(Error::Input("objects nested too deeply".to_owned()));
    }
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            let s = format!("{r:.6}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            out.extend_from_slice(if s.is_empty() || s == "-" { "0" } else { s }.as_bytes());
        }
        Object::Name(n) => write_name(n, out),
        Object::Str(s) => write_hex_string(&s.bytes, out),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object_depth(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Object::Dict(d) => write_dict(d, out, depth)?,
        Object::Ref(r) => out.extend_from_slice(format!("{} {} R", r.num, r.gen).as_bytes()),
        Object::Stream(_) => return Err(Error::Input("unexpected stream".to_owned())),
    }
    Ok(())
}

fn write_name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for b in n {
        if regular(*b) {
            out.push(*b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

fn write_hex_string(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(hex::encode_upper(bytes).as_bytes());
    out.push(b'>');
}

fn write_dict(d: &Dict, out: &mut Vec<u8>, depth: u32) -> Result<(), Error> {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(k, out);
        out.push(b' ');
        write_object_depth(v, out, depth + 1)?;
    }
    out.extend_from_slice(b">>");
    Ok(())
}

fn set(d: &mut Dict, key: &[u8], value: Object) {
    d.0.retain(|(k, _)| k != key);
    d.0.push((key.to_vec(), value));
}

fn text(s: &str) -> Object {
    // UTF-16BE with a byte-order mark: any Italian text survives (ISO 32000-1 7.9.2.2).
    let mut bytes = vec![0xfe, 0xff];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::Str(PdfString {
        bytes,
        hex: true,
        start: None,
        end: None,
    })
}

/// A PDF date string (ISO 32000-1 section 7.9.4), in UTC.
pub fn pdf_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn page_ref(doc: &Document<'_>, wanted: usize) -> Result<ObjRef, Error> {
    let catalog = doc.catalog(None).map_err(pdf_err)?;
    let pages = catalog
        .dict()
        .and_then(|d| d.get(b"Pages"))
        .ok_or_else(|| Error::Input("no page tree".to_owned()))?;
    let Object::Ref(root) = pages else {
        return Err(Error::Input("page tree is not a reference".to_owned()));
    };
    let mut stack = vec![(*root, 0u32)];
    let mut count = 0usize;
    let mut visited = 0usize;
    // Depth-first, kids in order: the n-th leaf is page n.
    while let Some((r, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_PAGE_NODES || depth > MAX_PAGE_DEPTH {
            return Err(Error::Input("page tree too large or too deep".to_owned()));
        }
        let node = doc
            .get(r, None)
            .map_err(pdf_err)?
            .ok_or_else(|| Error::Input("missing page object".to_owned()))?;
        let d = node
            .dict()
            .ok_or_else(|| Error::Input("page object is not a dictionary".to_owned()))?;
        match d.get(b"Kids") {
            Some(Object::Array(kids)) => {
                for k in kids.iter().rev() {
                    if let Object::Ref(kr) = k {
                        stack.push((*kr, depth + 1));
                    }
                }
            }
            _ => {
                if count == wanted {
                    return Ok(r);
                }
                count += 1;
            }
        }
    }
    Err(Error::Input(format!(
        "the document has no page {}",
        wanted + 1
    )))
}

/// Runs of consecutive numbers in a sorted list: (first, count), one per subsection.
fn runs(nums: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for n in nums {
        match out.last_mut() {
            Some((first, count)) if first.checked_add(*count) == Some(*n) => *count += 1,
            _ => out.push((*n, 1)),
        }
    }
    out
}

/// An object to write in the update.
struct Update {
    objects: BTreeMap<u32, Vec<u8>>,
}

impl Update {
    fn put(&mut self, num: u32, body: Vec<u8>) {
        self.objects.insert(num, body);
    }
}

fn resolved_dict(doc: &Document<'_>, o: &Object) -> Result<Dict, Error> {
    let r: Rc<Object> = doc.resolve(o, None).map_err(pdf_err)?;
    r.dict()
        .cloned()
        .ok_or_else(|| Error::Input("a dictionary was expected".to_owned()))
}

/// Signs `pdf` with a PAdES B-B signature and returns the whole new file (original bytes
/// followed by the update).
pub fn sign_pdf(
    pdf: &[u8],
    signer: &mut dyn Signer,
    at: OffsetDateTime,
    options: &PdfOptions,
) -> Result<Vec<u8>, Error> {
    sign_pdf_timestamped(pdf, signer, at, options, None)
}

/// [`sign_pdf`], with a signature timestamp from `tsa` when given (PAdES B-T).
pub fn sign_pdf_timestamped(
    pdf: &[u8],
    signer: &mut dyn Signer,
    at: OffsetDateTime,
    options: &PdfOptions,
    tsa: Option<&dyn TimestampSource>,
) -> Result<Vec<u8>, Error> {
    let source = SliceSource(pdf);
    let doc = Document::open(&source, Limits::default()).map_err(pdf_err)?;
    let last = doc
        .revisions
        .last()
        .ok_or_else(|| Error::Input("no revision".to_owned()))?;
    let trailer = last.trailer.clone();
    if trailer.get(b"Encrypt").is_some() {
        return Err(Error::Input("encrypted PDF".to_owned()));
    }
    let prev = last
        .sections
        .first()
        .and_then(|i| doc.sections.get(*i))
        .map(|s| s.offset)
        .ok_or_else(|| Error::Input("no cross-reference section".to_owned()))?;
    let prev_is_stream = last
        .sections
        .first()
        .and_then(|i| doc.sections.get(*i))
        .is_some_and(|s| s.kind == lavoro_agile_pades::document::SectionKind::Stream);
    let size = trailer
        .int(b"Size")
        .and_then(|s| u32::try_from(s).ok())
        .ok_or_else(|| Error::Input("trailer without /Size".to_owned()))?;
    let root = match trailer.get(b"Root") {
        Some(Object::Ref(r)) => *r,
        _ => return Err(Error::Input("trailer without /Root".to_owned())),
    };
    let page = page_ref(&doc, options.page)?;

    let sig_num = size;
    let field_num = size + 1;
    let mut next = size + 2;
    let mut update = Update {
        objects: BTreeMap::new(),
    };
    let sig_ref = Object::Ref(ObjRef {
        num: sig_num,
        gen: 0,
    });
    let field_ref = Object::Ref(ObjRef {
        num: field_num,
        gen: 0,
    });

    // Field name unique among the existing fields.
    let catalog = doc.catalog(None).map_err(pdf_err)?;
    let mut catalog_dict = catalog
        .dict()
        .cloned()
        .ok_or_else(|| Error::Input("catalog is not a dictionary".to_owned()))?;
    let acroform_entry = catalog_dict.get(b"AcroForm").cloned();
    let mut acroform = match &acroform_entry {
        Some(o) => resolved_dict(&doc, o)?,
        None => Dict::default(),
    };
    let fields_entry = acroform.get(b"Fields").cloned();
    let mut fields = match &fields_entry {
        Some(o) => match &*doc.resolve(o, None).map_err(pdf_err)? {
            Object::Array(a) => a.clone(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let field_name = format!("Firma{}", fields.len() + 1);

    // The signature field merged with its widget annotation, invisible (zero rectangle,
    // flags Print + Locked), on the chosen page.
    let mut field = Dict::default();
    set(&mut field, b"Type", Object::Name(b"Annot".to_vec()));
    set(&mut field, b"Subtype", Object::Name(b"Widget".to_vec()));
    set(&mut field, b"FT", Object::Name(b"Sig".to_vec()));
    set(&mut field, b"T", text(&field_name));
    set(&mut field, b"V", sig_ref.clone());
    match &options.visible {
        None => {
            // Invisible: Print + Locked, zero rectangle (ISO 32000-1 12.7.4.5).
            set(&mut field, b"F", Object::Int(132));
            set(&mut field, b"Rect", Object::Array(vec![Object::Int(0); 4]));
        }
        Some(rect) => {
            let font_num = next;
            let ap_num = next + 1;
            next += 2;
            update.put(
                font_num,
                b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
                    .to_vec(),
            );
            let name = signer.certificate().common_name().unwrap_or_default();
            let at_utc = at.to_offset(time::UtcOffset::UTC);
            let mut lines = vec![
                "Firmato digitalmente da".to_owned(),
                name,
                format!(
                    "Data: {:02}/{:02}/{:04} {:02}:{:02} UTC",
                    at_utc.day(),
                    u8::from(at_utc.month()),
                    at_utc.year(),
                    at_utc.hour(),
                    at_utc.minute()
                ),
            ];
            if let Some(reason) = &options.reason {
                lines.push(format!("Motivo: {reason}"));
            }
            update.put(ap_num, appearance(rect, &lines, font_num));
            // Print + Locked.
            set(&mut field, b"F", Object::Int(132));
            set(
                &mut field,
                b"Rect",
                Object::Array(vec![
                    Object::Real(rect.x),
                    Object::Real(rect.y),
                    Object::Real(rect.x + rect.width),
                    Object::Real(rect.y + rect.height),
                ]),
            );
            let mut ap = Dict::default();
            set(
                &mut ap,
                b"N",
                Object::Ref(ObjRef {
                    num: ap_num,
                    gen: 0,
                }),
            );
            set(&mut field, b"AP", Object::Dict(ap));
        }
    }
    set(&mut field, b"P", Object::Ref(page));
    let mut body = Vec::new();
    write_dict(&field, &mut body, 0)?;
    update.put(field_num, body);

    // The page with the widget in /Annots (the array itself when it is indirect).
    let page_obj = doc
        .get(page, None)
        .map_err(pdf_err)?
        .ok_or_else(|| Error::Input("missing page".to_owned()))?;
    let mut page_dict = page_obj
        .dict()
        .cloned()
        .ok_or_else(|| Error::Input("page is not a dictionary".to_owned()))?;
    match page_dict.get(b"Annots").cloned() {
        Some(Object::Ref(annots_ref)) => {
            let arr = doc.get(annots_ref, None).map_err(pdf_err)?;
            let mut items = match arr.as_deref() {
                Some(Object::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            items.push(field_ref.clone());
            let mut b = Vec::new();
            write_object(&Object::Array(items), &mut b)?;
            update.put(annots_ref.num, b);
        }
        Some(Object::Array(mut items)) => {
            items.push(field_ref.clone());
            set(&mut page_dict, b"Annots", Object::Array(items));
            let mut b = Vec::new();
            write_dict(&page_dict, &mut b, 0)?;
            update.put(page.num, b);
        }
        _ => {
            set(
                &mut page_dict,
                b"Annots",
                Object::Array(vec![field_ref.clone()]),
            );
            let mut b = Vec::new();
            write_dict(&page_dict, &mut b, 0)?;
            update.put(page.num, b);
        }
    }

    // The field in the AcroForm's /Fields, /SigFlags 3 (signatures exist, append only).
    fields.push(field_ref);
    match &fields_entry {
        Some(Object::Ref(fr)) => {
            let mut b = Vec::new();
            write_object(&Object::Array(fields), &mut b)?;
            update.put(fr.num, b);
        }
        _ => set(&mut acroform, b"Fields", Object::Array(fields)),
    }
    set(&mut acroform, b"SigFlags", Object::Int(3));
    match &acroform_entry {
        Some(Object::Ref(ar)) => {
            let mut b = Vec::new();
            write_dict(&acroform, &mut b, 0)?;
            update.put(ar.num, b);
        }
        _ => {
            let af_num = next;
            next += 1;
            let mut b = Vec::new();
            write_dict(&acroform, &mut b, 0)?;
            update.put(af_num, b);
            set(
                &mut catalog_dict,
                b"AcroForm",
                Object::Ref(ObjRef {
                    num: af_num,
                    gen: 0,
                }),
            );
            let mut c = Vec::new();
            write_dict(&catalog_dict, &mut c, 0)?;
            update.put(root.num, c);
        }
    }

    // The signature dictionary, with placeholders patched below.
    let mut sig = Vec::new();
    sig.extend_from_slice(
        b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange[0 ",
    );
    let byte_range_at = sig.len();
    sig.extend_from_slice(&[b' '; 32]);
    sig.extend_from_slice(b"]/Contents");
    let contents_at = sig.len();
    sig.push(b'<');
    sig.extend(std::iter::repeat_n(b'0', options.reserved * 2));
    sig.push(b'>');
    sig.extend_from_slice(b"/M");
    let mut m = Vec::new();
    write_object(&text_ascii(&pdf_date(at)), &mut m)?;
    sig.extend_from_slice(&m);
    if let Some(reason) = &options.reason {
        sig.extend_from_slice(b"/Reason");
        write_object(&text(reason), &mut sig)?;
    }
    if let Some(location) = &options.location {
        sig.extend_from_slice(b"/Location");
        write_object(&text(location), &mut sig)?;
    }
    sig.extend_from_slice(b">>");
    update.put(sig_num, sig);

    // The update: objects, cross-reference table, trailer.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
        out.push(b'\n');
    }
    let mut offsets = BTreeMap::new();
    let mut sig_body_start = 0usize;
    for (num, body) in &update.objects {
        offsets.insert(*num, out.len());
        let header = format!("{num} 0 obj\n");
        out.extend_from_slice(header.as_bytes());
        if *num == sig_num {
            sig_body_start = out.len();
        }
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let mut new_trailer = Dict::default();
    set(&mut new_trailer, b"Root", Object::Ref(root));
    if let Some(info) = trailer.get(b"Info") {
        set(&mut new_trailer, b"Info", info.clone());
    }
    if let Some(id) = trailer.get(b"ID") {
        set(&mut new_trailer, b"ID", id.clone());
    }
    set(
        &mut new_trailer,
        b"Prev",
        Object::Int(i64::try_from(prev).map_err(|_| Error::Internal("offset"))?),
    );
    let xref_at = out.len();
    if prev_is_stream {
        // The previous section is a cross-reference stream: so is ours, or the file would
        // become a "hybrid" that strict readers (pyHanko) refuse (ISO 32000-1 7.5.8).
        let xref_num = next;
        next += 1;
        offsets.insert(xref_num, xref_at);
        let nums: Vec<u32> = offsets.keys().copied().collect();
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (first, count) in runs(&nums) {
            index.push(Object::Int(i64::from(first)));
            index.push(Object::Int(i64::from(count)));
        }
        for n in &nums {
            let off = u32::try_from(offsets.get(n).copied().unwrap_or(0))
                .map_err(|_| Error::Input("PDF larger than 4 GiB".to_owned()))?;
            data.push(1u8);
            data.extend_from_slice(&off.to_be_bytes());
            data.extend_from_slice(&[0, 0]);
        }
        set(&mut new_trailer, b"Type", Object::Name(b"XRef".to_vec()));
        set(
            &mut new_trailer,
            b"Size",
            Object::Int(i64::from(next.max(size))),
        );
        set(&mut new_trailer, b"Index", Object::Array(index));
        set(
            &mut new_trailer,
            b"W",
            Object::Array(vec![Object::Int(1), Object::Int(4), Object::Int(2)]),
        );
        set(
            &mut new_trailer,
            b"Length",
            Object::Int(i64::try_from(data.len()).map_err(|_| Error::Internal("length"))?),
        );
        out.extend_from_slice(format!("{xref_num} 0 obj\n").as_bytes());
        write_dict(&new_trailer, &mut out, 0)?;
        out.extend_from_slice(b"\nstream\n");
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    } else {
        out.extend_from_slice(b"xref\n");
        let nums: Vec<u32> = offsets.keys().copied().collect();
        let mut rest = nums.as_slice();
        for (first, count) in runs(&nums) {
            out.extend_from_slice(format!("{first} {count}\n").as_bytes());
            let (run, tail) = rest.split_at(usize::try_from(count).unwrap_or(0).min(rest.len()));
            for n in run {
                let off = offsets.get(n).copied().unwrap_or(0);
                out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
            }
            rest = tail;
        }
        set(
            &mut new_trailer,
            b"Size",
            Object::Int(i64::from(next.max(size))),
        );
        out.extend_from_slice(b"trailer\n");
        write_dict(&new_trailer, &mut out, 0)?;
        out.push(b'\n');
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());

    // Patch /ByteRange, hash, sign, patch /Contents.
    let lt = sig_body_start + contents_at;
    let gt = lt + 1 + options.reserved * 2;
    let after = gt + 1;
    let total = out.len();
    let range = format!("{lt} {after} {}", total - after);
    if range.len() > 32 {
        return Err(Error::Internal("byte range too long"));
    }
    let br_start = sig_body_start + byte_range_at;
    out.get_mut(br_start..br_start + range.len())
        .ok_or(Error::Internal("byte range position"))?
        .copy_from_slice(range.as_bytes());
    let mut hasher = Sha256::new();
    hasher.update(out.get(..lt).ok_or(Error::Internal("range"))?);
    hasher.update(out.get(after..).ok_or(Error::Internal("range"))?);
    let digest = hasher.finalize();
    let mut cms = cms::sign_digest_detached(&digest, signer, at, false)?;
    if let Some(tsa) = tsa {
        cms = cms::add_signature_timestamp(&cms, 0, tsa)?;
    }
    let hex_sig = hex::encode_upper(&cms);
    if hex_sig.len() > options.reserved * 2 {
        return Err(Error::PlaceholderTooSmall);
    }
    out.get_mut(lt + 1..lt + 1 + hex_sig.len())
        .ok_or(Error::Internal("contents position"))?
        .copy_from_slice(hex_sig.as_bytes());
    tracing::debug!(
        signed_sha256 = %hex::encode(digest),
        "PDF signature written"
    );
    Ok(out)
}

fn text_ascii(s: &str) -> Object {
    Object::Str(PdfString {
        bytes: s.as_bytes().to_vec(),
        hex: false,
        start: None,
        end: None,
    })
}
