//! PDF objects (ISO 32000-1 7.3) and a bounds-checked parser over a window of the file.
//!
//! The parser never reads past its buffer: running out of bytes is [`ParseError::Incomplete`],
//! so the caller can fetch a larger window and try again, up to a budget.

/// Nesting of arrays and dictionaries accepted, at most.
pub const MAX_DEPTH: u32 = 64;
/// Elements in one array or dictionary, at most.
pub const MAX_ELEMENTS: usize = 1 << 20;

/// An object reference `N G R`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    /// Object number.
    pub num: u32,
    /// Generation number.
    pub gen: u16,
}

/// A string with where it was found in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfString {
    /// The decoded bytes.
    pub bytes: Vec<u8>,
    /// Written as a hexadecimal string (`<...>`).
    pub hex: bool,
    /// Offset of the first byte of the token (`<` or `(`) in the file, when parsed from
    /// the file itself (not from a decompressed object stream).
    pub start: Option<u64>,
    /// Offset just past the token (`>` or `)`).
    pub end: Option<u64>,
}

/// A dictionary, entries in file order (duplicates kept: see [`Dict::duplicates`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Object)>);

impl Dict {
    /// The first value of `key`.
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether some key appears more than once.
    pub fn duplicates(&self, key: &[u8]) -> bool {
        self.0.iter().filter(|(k, _)| k == key).count() > 1
    }

    /// The value of `key` as a name.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The value of `key` as an integer.
    pub fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Object::Int(i)) => Some(*i),
            _ => None,
        }
    }
}

/// A stream: its dictionary and where its raw data starts in the file (or in the
/// decompressed object stream it came from, which cannot hold streams).
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// The stream dictionary.
    pub dict: Dict,
    /// Offset of the first data byte in the file.
    pub data_start: u64,
}

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// A name, without the slash, `#xx` decoded.
    Name(Vec<u8>),
    /// A string.
    Str(PdfString),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// A reference.
    Ref(ObjRef),
    /// A stream (only as the value of an indirect object).
    Stream(Stream),
}

impl Object {
    /// The dictionary of a dictionary or a stream.
    pub fn dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The integer value.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Why parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The buffer ended before the object did.
    Incomplete,
    /// The bytes are not a PDF object.
    Syntax(&'static str),
    /// A budget on nesting or size was exceeded.
    Limit(&'static str),
}

/// Whether `b` is PDF white space.
pub fn is_white(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// Whether `b` is a PDF delimiter.
pub fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// A parser over `buf`, whose first byte is at file offset `base` (or `None` for bytes that
/// do not come from the file as they are, such as a decompressed object stream).
pub struct Parser<'a> {
    buf: &'a [u8],
    /// Current position in `buf`.
    pub pos: usize,
    base: Option<u64>,
    /// Whether `buf` ends where the whole input ends (then running out is a syntax error).
    at_end: bool,
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Parser<'a> {
    /// A parser at the start of `buf`.
    pub fn new(buf: &'a [u8], base: Option<u64>, at_end: bool) -> Self {
        Self {
            buf,
            pos: 0,
            base,
            at_end,
        }
    }

    /// The file offset of the current position.
    pub fn offset(&self) -> Option<u64> {
        self.base.map(|b| b + self.pos as u64)
    }

    fn short(&self) -> ParseError {
        if self.at_end {
            ParseError::Syntax("unexpected end of data")
        } else {
            ParseError::Incomplete
        }
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Skips white space and comments.
    pub fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next regular token (keyword or number) without consuming it.
    fn word_at(&self, at: usize) -> &'a [u8] {
        let rest = self.buf.get(at..).unwrap_or_default();
        let n = rest
            .iter()
            .position(|b| is_white(*b) || is_delim(*b))
            .unwrap_or(rest.len());
        rest.get(..n).unwrap_or_default()
    }

    /// Consumes the keyword `kw` if it is next (after white space).
    pub fn keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_ws();
        if self.word_at(self.pos) == kw {
            self.pos += kw.len();
            true
        } else {
            false
        }
    }

    /// Reads an unsigned integer token.
    pub fn uint(&mut self) -> Result<u64, ParseError> {
        self.skip_ws();
        let w = self.word_at(self.pos);
        if self.pos + w.len() >= self.buf.len() && !self.at_end {
            return Err(ParseError::Incomplete);
        }
        if w.is_empty() || w.len() > 19 || !w.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::Syntax("expected an unsigned integer"));
        }
        let mut v: u64 = 0;
        for d in w {
            v = v * 10 + u64::from(d - b'0');
        }
        self.pos += w.len();
        Ok(v)
    }

    /// Parses one object.
    pub fn object(&mut self, depth: u32) -> Result<Object, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError::Limit("objects nested too deeply"));
        }
        self.skip_ws();
        let Some(b) = self.peek() else {
            return Err(self.short());
        };
        match b {
            b'/' => self.name().map(Object::Name),
            b'(' => self.literal_string().map(Object::Str),
            b'<' => {
                if self.buf.get(self.pos + 1) == Some(&b'<') {
                    self.dict(depth).map(Object::Dict)
                } else if self.pos + 1 >= self.buf.len() {
                    Err(self.short())
                } else {
                    self.hex_string().map(Object::Str)
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(self.short()),
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => {
                            if items.len() >= MAX_ELEMENTS {
                                return Err(ParseError::Limit("array too large"));
                            }
                            items.push(self.object(depth + 1)?);
                        }
                    }
                }
                Ok(Object::Array(items))
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number_or_ref(),
            _ => {
                let w = self.word_at(self.pos);
                if self.pos + w.len() >= self.buf.len() && !self.at_end {
                    return Err(ParseError::Incomplete);
                }
                let o = match w {
                    b"true" => Object::Bool(true),
                    b"false" => Object::Bool(false),
                    b"null" => Object::Null,
                    _ => return Err(ParseError::Syntax("unexpected token")),
                };
                self.pos += w.len();
                Ok(o)
            }
        }
    }

    fn number_or_ref(&mut self) -> Result<Object, ParseError> {
        let w = self.word_at(self.pos);
        if self.pos + w.len() >= self.buf.len() && !self.at_end {
            return Err(ParseError::Incomplete);
        }
        let text = std::str::from_utf8(w).map_err(|_| ParseError::Syntax("bad number"))?;
        if w.iter().all(u8::is_ascii_digit) && !w.is_empty() {
            // Perhaps `N G R`.
            let save = self.pos;
            self.pos += w.len();
            let after_num = self.pos;
            self.skip_ws();
            let g = self.word_at(self.pos);
            if !g.is_empty() && g.len() <= 5 && g.iter().all(u8::is_ascii_digit) {
                let g_end = self.pos + g.len();
                let mut probe = Parser {
                    buf: self.buf,
                    pos: g_end,
                    base: self.base,
                    at_end: self.at_end,
                };
                probe.skip_ws();
                let r = probe.word_at(probe.pos);
                if probe.pos + r.len() >= self.buf.len() && !self.at_end {
                    return Err(ParseError::Incomplete);
                }
                if r == b"R" {
                    let num = text
                        .parse::<u32>()
                        .map_err(|_| ParseError::Syntax("object number"))?;
                    let gen = std::str::from_utf8(g)
                        .ok()
                        .and_then(|s| s.parse::<u16>().ok())
                        .ok_or(ParseError::Syntax("generation number"))?;
                    self.pos = probe.pos + 1;
                    return Ok(Object::Ref(ObjRef { num, gen }));
                }
            } else if g.is_empty() && self.pos >= self.buf.len() && !self.at_end {
                return Err(ParseError::Incomplete);
            }
            self.pos = after_num;
            let _ = save;
            return text
                .parse::<i64>()
                .map(Object::Int)
                .map_err(|_| ParseError::Syntax("integer out of range"));
        }
        self.pos += w.len();
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Object::Int(i));
        }
        // Real numbers; tolerate a doubled sign such as `--1` that some writers emit.
        let cleaned = text.trim_start_matches(['+', '-']);
        let neg = text.starts_with('-');
        let v: f64 = if cleaned.is_empty() || cleaned == "." {
            0.0
        } else {
            cleaned
                .parse::<f64>()
                .map_err(|_| ParseError::Syntax("bad number"))?
        };
        Ok(Object::Real(if neg { -v } else { v }))
    }

    fn name(&mut self) -> Result<Vec<u8>, ParseError> {
        self.pos += 1; // '/'
        let w = self.word_at(self.pos);
        if self.pos + w.len() >= self.buf.len() && !self.at_end {
            return Err(ParseError::Incomplete);
        }
        let mut out = Vec::with_capacity(w.len());
        let mut i = 0;
        while let Some(&c) = w.get(i) {
            if c == b'#' {
                if let (Some(h), Some(l)) = (
                    w.get(i + 1).copied().and_then(hexval),
                    w.get(i + 2).copied().and_then(hexval),
                ) {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
            }
            out.push(c);
            i += 1;
        }
        self.pos += w.len();
        Ok(out)
    }

    fn hex_string(&mut self) -> Result<PdfString, ParseError> {
        let start = self.offset();
        self.pos += 1;
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.short());
            };
            self.pos += 1;
            if c == b'>' {
                break;
            }
            if is_white(c) {
                continue;
            }
            let v = hexval(c).ok_or(ParseError::Syntax("bad hexadecimal string"))?;
            match hi.take() {
                Some(h) => out.push(h * 16 + v),
                None => hi = Some(v),
            }
        }
        if let Some(h) = hi {
            out.push(h * 16);
        }
        Ok(PdfString {
            bytes: out,
            hex: true,
            start,
            end: self.offset(),
        })
    }

    fn literal_string(&mut self) -> Result<PdfString, ParseError> {
        let start = self.offset();
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1u32;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.short());
            };
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.short());
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        Ok(PdfString {
            bytes: out,
            hex: false,
            start,
            end: self.offset(),
        })
    }

    fn dict(&mut self, depth: u32) -> Result<Dict, ParseError> {
        self.pos += 2;
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(self.short()),
                Some(b'>') => {
                    if self.buf.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        break;
                    }
                    if self.pos + 1 >= self.buf.len() {
                        return Err(self.short());
                    }
                    return Err(ParseError::Syntax("bad dictionary end"));
                }
                Some(b'/') => {
                    let k = self.name()?;
                    if entries.len() >= MAX_ELEMENTS {
                        return Err(ParseError::Limit("dictionary too large"));
                    }
                    self.skip_ws();
                    // A key followed directly by the end of the dictionary: tolerate as null.
                    if self.peek() == Some(b'>') {
                        entries.push((k, Object::Null));
                        continue;
                    }
                    let v = self.object(depth + 1)?;
                    entries.push((k, v));
                }
                Some(_) => return Err(ParseError::Syntax("dictionary key is not a name")),
            }
        }
        Ok(Dict(entries))
    }

    /// Parses `N G obj <object>` and, for a stream, the position of its data. Returns the
    /// reference and the object.
    pub fn indirect(&mut self) -> Result<(ObjRef, Object), ParseError> {
        let num = self.uint()?;
        let gen = self.uint()?;
        if !self.keyword(b"obj") {
            self.skip_ws();
            if self.pos >= self.buf.len() {
                return Err(self.short());
            }
            return Err(ParseError::Syntax("expected `obj`"));
        }
        let r = ObjRef {
            num: u32::try_from(num).map_err(|_| ParseError::Syntax("object number"))?,
            gen: u16::try_from(gen).map_err(|_| ParseError::Syntax("generation number"))?,
        };
        let obj = self.object(0)?;
        if let Object::Dict(d) = &obj {
            self.skip_ws();
            let w = self.word_at(self.pos);
            if w == b"stream" {
                self.pos += 6;
                // ISO 32000-1 7.3.8.1: CRLF or LF; a lone CR is tolerated.
                match (self.peek(), self.buf.get(self.pos + 1)) {
                    (Some(b'\r'), Some(b'\n')) => self.pos += 2,
                    (Some(b'\r'), None) | (None, _) => return Err(self.short()),
                    (Some(b'\n'), _) | (Some(b'\r'), _) => self.pos += 1,
                    _ => {}
                }
                let data_start = self
                    .offset()
                    .ok_or(ParseError::Syntax("stream inside an object stream"))?;
                return Ok((
                    r,
                    Object::Stream(Stream {
                        dict: d.clone(),
                        data_start,
                    }),
                ));
            }
            if self.pos + w.len() >= self.buf.len() && !self.at_end {
                return Err(ParseError::Incomplete);
            }
        }
        Ok((r, obj))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Object {
        Parser::new(s, Some(0), true).object(0).unwrap()
    }

    #[test]
    fn object_reference_and_integers_parse() {
        assert_eq!(
            parse(b"[1 0 R 2 3]"),
            Object::Array(vec![
                Object::Ref(ObjRef { num: 1, gen: 0 }),
                Object::Int(2),
                Object::Int(3)
            ])
        );
    }

    #[test]
    fn object_strings_keep_offsets() {
        let o = parse(b"<</Contents <0a0b> /T (a\\)b)>>");
        let d = o.dict().unwrap();
        match d.get(b"Contents") {
            Some(Object::Str(s)) => {
                assert_eq!(s.bytes, vec![10, 11]);
                assert_eq!((s.start, s.end), (Some(12), Some(18)));
            }
            other => panic!("{other:?}"),
        }
        match d.get(b"T") {
            Some(Object::Str(s)) => assert_eq!(s.bytes, b"a)b"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn object_truncated_window_is_incomplete() {
        let r = Parser::new(b"<</A [1 2", Some(0), false).object(0);
        assert_eq!(r, Err(ParseError::Incomplete));
        let r = Parser::new(b"<</A [1 2", Some(0), true).object(0);
        assert!(matches!(r, Err(ParseError::Syntax(_))));
    }

    #[test]
    fn object_deep_nesting_hits_budget() {
        let s = vec![b'['; 1000];
        let r = Parser::new(&s, Some(0), true).object(0);
        assert!(matches!(r, Err(ParseError::Limit(_))));
    }

    #[test]
    fn indirect_stream_reports_data_start() {
        let s = b"5 0 obj\n<</Length 3>>\nstream\r\nabc\nendstream endobj";
        let (r, o) = Parser::new(s, Some(100), true).indirect().unwrap();
        assert_eq!(r, ObjRef { num: 5, gen: 0 });
        match o {
            Object::Stream(st) => assert_eq!(st.data_start, 100 + 30),
            other => panic!("{other:?}"),
        }
    }
}
