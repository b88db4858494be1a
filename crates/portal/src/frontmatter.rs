//! Front matter: the `---` block at the top of a Markdown file.
//!
//! We read a deliberately small subset of YAML, enough for our pages and safe on hostile
//! packs: `key: scalar`, `key: [a, b]`, and `key:` followed by indented `- item` lines.
//! Scalars may be plain, `"double quoted"` (with `\"` and `\\`) or `'single quoted'` (with
//! `''`). No anchors, aliases, tags or nesting: nothing that can expand or recurse.

use std::collections::BTreeMap;

/// At most this many bytes of front matter.
pub(crate) const MAX_FRONT_MATTER_BYTES: usize = 16 * 1024;
/// At most this many keys.
const MAX_KEYS: usize = 32;
/// At most this many items in one list.
const MAX_LIST_ITEMS: usize = 64;

/// One value of the front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A single string.
    Scalar(String),
    /// A list of strings.
    List(Vec<String>),
}

/// A parsed front-matter block and the Markdown that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document<'a> {
    /// Keys in file order are not needed; a map keeps lookups simple.
    pub fields: BTreeMap<String, Value>,
    /// The Markdown body.
    pub body: &'a str,
}

/// Why a front-matter block could not be read. `line` counts from 1 at the opening `---`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub reason: &'static str,
}

fn err(line: usize, reason: &'static str) -> SyntaxError {
    SyntaxError { line, reason }
}

/// Splits `text` into front matter and body. A file without a leading `---` line has no
/// front matter (`fields` is empty).
pub(crate) fn split(text: &str) -> Result<Document<'_>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok(Document {
            fields: BTreeMap::new(),
            body: text,
        });
    };
    // Find the closing line.
    let mut offset = 0usize;
    let mut block_end = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            block_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
        if offset > MAX_FRONT_MATTER_BYTES {
            return Err(err(1, "front matter too long"));
        }
    }
    let (block_end, body_start) = block_end.ok_or(err(1, "front matter not closed by ---"))?;
    let block = rest.get(..block_end).unwrap_or_default();
    let body = rest.get(body_start..).unwrap_or_default();
    Ok(Document {
        fields: parse_block(block)?,
        body,
    })
}

fn parse_block(block: &str) -> Result<BTreeMap<String, Value>, SyntaxError> {
    let mut fields = BTreeMap::new();
    // The key whose list items are being read, if any.
    let mut open_list: Option<(String, Vec<String>)> = None;
    for (i, raw) in block.lines().enumerate() {
        let line_no = i + 2;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indented = line.len() != trimmed.len();
        if let Some(item) = trimmed.strip_prefix('-').filter(|_| indented) {
            let Some((_, items)) = open_list.as_mut() else {
                return Err(err(line_no, "list item without a key"));
            };
            if !(item.is_empty() || item.starts_with(' ')) {
                return Err(err(line_no, "expected a space after -"));
            }
            if items.len() >= MAX_LIST_ITEMS {
                return Err(err(line_no, "list too long"));
            }
            items.push(scalar(item.trim(), line_no)?);
            continue;
        }
        if indented {
            return Err(err(line_no, "unexpected indentation"));
        }
        if let Some((key, items)) = open_list.take() {
            fields.insert(key, Value::List(items));
        }
        let (key, value) = trimmed
            .split_once(':')
            .ok_or(err(line_no, "expected key: value"))?;
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(err(line_no, "keys are lower-case letters, digits, - and _"));
        }
        if fields.contains_key(key) {
            return Err(err(line_no, "duplicate key"));
        }
        if fields.len() >= MAX_KEYS {
            return Err(err(line_no, "too many keys"));
        }
        let value = value.trim();
        if value.is_empty() {
            open_list = Some((key.to_owned(), Vec::new()));
        } else if let Some(inner) = value.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or(err(line_no, "inline list not closed by ]"))?;
            let items = inline_list(inner, line_no)?;
            fields.insert(key.to_owned(), Value::List(items));
        } else {
            fields.insert(key.to_owned(), Value::Scalar(scalar(value, line_no)?));
        }
    }
    if let Some((key, items)) = open_list {
        fields.insert(key, Value::List(items));
    }
    Ok(fields)
}

fn inline_list(inner: &str, line_no: usize) -> Result<Vec<String>, SyntaxError> {
    let mut items = Vec::new();
    if inner.trim().is_empty() {
        return Ok(items);
    }
    // Items are separated by commas outside quotes.
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (None, ',') => {
                items.push(scalar(current.trim(), line_no)?);
                current.clear();
                if items.len() > MAX_LIST_ITEMS {
                    return Err(err(line_no, "list too long"));
                }
                continue;
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        current.push(c);
    }
    items.push(scalar(current.trim(), line_no)?);
    if items.len() > MAX_LIST_ITEMS {
        return Err(err(line_no, "list too long"));
    }
    Ok(items)
}

/// Reads one scalar: plain, double-quoted or single-quoted. A plain scalar ends at ` #`.
fn scalar(text: &str, line_no: usize) -> Result<String, SyntaxError> {
    if let Some(inner) = text.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.chars();
        loop {
            match chars.next() {
                None => return Err(err(line_no, "string not closed by \"")),
                Some('"') => break,
                Some('\\') => match chars.next() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    _ => return Err(err(line_no, "unknown escape in string")),
                },
                Some(c) => out.push(c),
            }
        }
        if !chars.as_str().trim().is_empty() && !chars.as_str().trim_start().starts_with('#') {
            return Err(err(line_no, "text after closing \""));
        }
        return Ok(out);
    }
    if let Some(inner) = text.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        loop {
            match chars.next() {
                None => return Err(err(line_no, "string not closed by '")),
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    out.push('\'');
                }
                Some('\'') => break,
                Some(c) => out.push(c),
            }
        }
        let rest: String = chars.collect();
        if !rest.trim().is_empty() && !rest.trim_start().starts_with('#') {
            return Err(err(line_no, "text after closing '"));
        }
        return Ok(out);
    }
    let plain = match text.find(" #") {
        Some(i) => text.get(..i).unwrap_or(text),
        None => text,
    };
    Ok(plain.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_full_block_reads_all_shapes() {
        let doc = split(
            "---\ntitle: \"Firma: \\\"CAdES\\\"\"\ntags: [a, 'b, c']\nsources:\n  - Uno <https://x.it>\n  - due # commento\nsummary: l'ente\n---\n# Corpo\n",
        )
        .unwrap();
        assert_eq!(
            doc.fields.get("title"),
            Some(&Value::Scalar("Firma: \"CAdES\"".into()))
        );
        assert_eq!(
            doc.fields.get("tags"),
            Some(&Value::List(vec!["a".into(), "b, c".into()]))
        );
        assert_eq!(
            doc.fields.get("sources"),
            Some(&Value::List(vec![
                "Uno <https://x.it>".into(),
                "due".into()
            ]))
        );
        assert_eq!(doc.body, "# Corpo\n");
    }

    #[test]
    fn split_unclosed_block_is_error() {
        assert!(split("---\ntitle: x\n").is_err());
    }

    #[test]
    fn split_duplicate_key_is_error() {
        assert!(split("---\na: 1\na: 2\n---\n").is_err());
    }

    #[test]
    fn split_without_front_matter_is_body_only() {
        let doc = split("# Solo testo").unwrap();
        assert!(doc.fields.is_empty());
    }
}
