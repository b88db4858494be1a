//! What changed after a signature: the revision it signed against the document as it is
//! now, compared by content (objects resolved and hashed), not by object numbers, so that
//! swapped references, overlays and replaced resources show up as what they change.
//!
//! Classes, following ETSI EN 319 142-1 / ISO 32000 DocMDP and the published attacks:
//! pages added, removed or whose content or resources changed are failures; changes the
//! DocMDP/FieldMDP permissions forbid (and any changed appearance that is not the result of
//! filling the field) are warnings; validation data (DSS), document timestamps, new
//! signatures, permitted form filling and annotations are noted.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::document::Document;
use crate::object::{Dict, ObjRef, Object};
use crate::Error;

/// Objects visited by one comparison, at most.
pub const MAX_VISITED: usize = 500_000;
/// Pages compared, at most.
pub const MAX_PAGES: usize = 100_000;

/// FieldMDP action (ISO 32000-1 12.8.2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldLock {
    /// Every field is locked.
    All,
    /// Only these fields.
    Include(Vec<String>),
    /// Every field except these.
    Exclude(Vec<String>),
}

impl FieldLock {
    fn locks(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Include(v) => v.iter().any(|n| n == name),
            Self::Exclude(v) => !v.iter().any(|n| n == name),
        }
    }
}

/// Modification permissions set by a signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    /// DocMDP `/P`: 1 no changes, 2 form filling and signing, 3 also annotations.
    pub docmdp: Option<u8>,
    /// Fields locked by a FieldMDP transform or a field `/Lock`.
    pub field_locks: Vec<FieldLock>,
}

/// What changed after one signature. Counts and names, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Pages added.
    pub pages_added: u32,
    /// Pages removed.
    pub pages_removed: u32,
    /// Pages (1-based, in the signed version) whose content, resources or size changed.
    pub pages_changed: Vec<u32>,
    /// Annotations added (not form widgets).
    pub annotations_added: u32,
    /// Annotations removed.
    pub annotations_removed: u32,
    /// Existing annotations or field widgets whose appearance or properties changed other
    /// than by filling the field (names or "page N").
    pub appearances_changed: Vec<String>,
    /// Form fields whose value changed.
    pub fields_filled: Vec<String>,
    /// Form fields added (not signature fields).
    pub fields_added: Vec<String>,
    /// Signature fields or signatures added.
    pub signatures_added: u32,
    /// Document timestamps added.
    pub timestamps_added: u32,
    /// Signature fields that were removed (or whose signature was replaced).
    pub signatures_removed: u32,
    /// The DSS (validation data) was added or changed.
    pub validation_data: bool,
    /// Other parts of the document catalog that changed (key names).
    pub other_changes: Vec<String>,
    /// Bytes after the last revision, outside any revision.
    pub trailing_bytes: u64,
    /// Changes the permissions forbid (plain English identifiers: `annotations`,
    /// `form_filling`, `signatures`, `locked_field:NAME`).
    pub forbidden: Vec<String>,
    /// The comparison could not finish (budget or damaged revision), and why.
    pub incomplete: Option<String>,
}

impl Changes {
    /// Whether pages were added, removed or changed: the signed content is not what is shown.
    pub fn page_content_changed(&self) -> bool {
        self.pages_added > 0 || self.pages_removed > 0 || !self.pages_changed.is_empty()
    }

    /// Whether something changed that the permissions forbid or that changes how existing
    /// content looks (a warning).
    pub fn has_forbidden(&self) -> bool {
        !self.forbidden.is_empty()
            || !self.appearances_changed.is_empty()
            || !self.other_changes.is_empty()
            || !self.fields_added.is_empty()
            || self.annotations_removed > 0
            || self.signatures_removed > 0
            || self.trailing_bytes > 0
            || self.incomplete.is_some()
    }

    /// Whether nothing at all changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

fn names(doc: &Document<'_>, o: Option<&Object>, rev: Option<usize>) -> Vec<String> {
    let Some(o) = o else { return Vec::new() };
    match doc.resolve(o, rev).as_deref() {
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Object::Str(s) => Some(String::from_utf8_lossy(&s.bytes).into_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The permissions a signature dictionary sets (its `/Reference` transforms), plus the
/// document's DocMDP (`/Perms /DocMDP` in the catalog), which binds every later change.
pub fn permissions_of(doc: &Document<'_>, sig: &Dict, sig_ref: Option<ObjRef>) -> Permissions {
    let mut p = Permissions::default();
    if let Some(Object::Array(refs)) = sig
        .get(b"Reference")
        .and_then(|r| doc.resolve(r, None).ok())
        .as_deref()
    {
        for r in refs.iter().take(64) {
            let Ok(r) = doc.resolve(r, None) else {
                continue;
            };
            let Some(rd) = r.dict() else { continue };
            let params = rd
                .get(b"TransformParams")
                .and_then(|t| doc.resolve(t, None).ok());
            let params = params.as_deref().and_then(Object::dict);
            match rd.name(b"TransformMethod") {
                Some(b"DocMDP") => {
                    let v = params.and_then(|d| d.int(b"P")).unwrap_or(2).clamp(1, 3);
                    p.docmdp = Some(u8::try_from(v).unwrap_or(2));
                }
                Some(b"FieldMDP") => {
                    if let Some(d) = params {
                        let fields = names(doc, d.get(b"Fields"), None);
                        match d.name(b"Action") {
                            Some(b"All") => p.field_locks.push(FieldLock::All),
                            Some(b"Include") => p.field_locks.push(FieldLock::Include(fields)),
                            Some(b"Exclude") => p.field_locks.push(FieldLock::Exclude(fields)),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // The certification signature of the document binds all later changes.
    if let Ok(cat) = doc.catalog(None) {
        let perms = cat
            .dict()
            .and_then(|d| d.get(b"Perms"))
            .and_then(|x| doc.resolve(x, None).ok());
        if let Some(Object::Ref(r)) = perms
            .as_deref()
            .and_then(Object::dict)
            .and_then(|d| d.get(b"DocMDP"))
        {
            if Some(*r) != sig_ref {
                if let Ok(Some(cert)) = doc.get(*r, None) {
                    if let Some(cd) = cert.dict() {
                        let other = permissions_of_reference_only(doc, cd);
                        if let Some(v) = other {
                            p.docmdp = Some(p.docmdp.map_or(v, |mine| mine.min(v)));
                        }
                    }
                }
            }
        }
    }
    p
}

/// The fields a signature field's `/Lock` dictionary locks (`/Action /All|Include|Exclude`).
pub fn lock_of(doc: &Document<'_>, lock: &Dict) -> Option<FieldLock> {
    let fields = names(doc, lock.get(b"Fields"), None);
    match lock.name(b"Action") {
        Some(b"All") => Some(FieldLock::All),
        Some(b"Include") => Some(FieldLock::Include(fields)),
        Some(b"Exclude") => Some(FieldLock::Exclude(fields)),
        _ => None,
    }
}

fn permissions_of_reference_only(doc: &Document<'_>, sig: &Dict) -> Option<u8> {
    let refs = sig
        .get(b"Reference")
        .and_then(|r| doc.resolve(r, None).ok())?;
    let Object::Array(refs) = &*refs else {
        return None;
    };
    for r in refs.iter().take(64) {
        let r = doc.resolve(r, None).ok()?;
        let rd = r.dict()?;
        if rd.name(b"TransformMethod") == Some(b"DocMDP") {
            let params = rd
                .get(b"TransformParams")
                .and_then(|t| doc.resolve(t, None).ok());
            let v = params
                .as_deref()
                .and_then(Object::dict)
                .and_then(|d| d.int(b"P"))
                .unwrap_or(2);
            return u8::try_from(v.clamp(1, 3)).ok();
        }
    }
    None
}

/// Hashes of stream data by `(start, length)` in the file.
type StreamHashes = std::rc::Rc<std::cell::RefCell<HashMap<(u64, u64), [u8; 32]>>>;

/// Hashes objects by content, following references, within one revision.
struct Hasher<'d, 's> {
    doc: &'d Document<'s>,
    rev: usize,
    /// Page object numbers and their index: a reference to a page (an outline entry, an
    /// open action) is compared by page position; pages themselves are compared apart.
    page_index: HashMap<u32, usize>,
    memo: HashMap<u32, [u8; 32]>,
    /// Stream data hashes by extent, shared between revisions (the same bytes in the file).
    streams: StreamHashes,
    active: HashSet<u32>,
    visited: usize,
}

impl<'d, 's> Hasher<'d, 's> {
    fn new(doc: &'d Document<'s>, rev: usize) -> Self {
        Self {
            doc,
            rev,
            page_index: HashMap::new(),
            memo: HashMap::new(),
            streams: Default::default(),
            active: HashSet::new(),
            visited: 0,
        }
    }

    fn tick(&mut self) -> Result<(), Error> {
        self.visited += 1;
        if self.visited > MAX_VISITED {
            return Err(Error::LimitExceeded("objects compared"));
        }
        Ok(())
    }

    /// Content hash of `o`, skipping the keys in `skip` at the top level and back links
    /// (`/Parent`, `/P`) everywhere.
    fn hash(&mut self, o: &Object, skip: &[&[u8]], depth: u32) -> Result<[u8; 32], Error> {
        self.tick()?;
        if depth > 256 {
            return Err(Error::LimitExceeded("depth of compared objects"));
        }
        let mut h = Sha256::new();
        match o {
            Object::Null => h.update(b"n"),
            Object::Bool(b) => h.update(if *b { b"t" } else { b"f" }),
            Object::Int(i) => {
                h.update(b"i");
                h.update(i.to_be_bytes());
            }
            Object::Real(r) => {
                h.update(b"r");
                h.update(r.to_bits().to_be_bytes());
            }
            Object::Name(n) => {
                h.update(b"/");
                h.update((n.len() as u64).to_be_bytes());
                h.update(n);
            }
            Object::Str(s) => {
                h.update(b"s");
                h.update((s.bytes.len() as u64).to_be_bytes());
                h.update(&s.bytes);
            }
            Object::Array(a) => {
                h.update(b"[");
                h.update((a.len() as u64).to_be_bytes());
                for x in a {
                    h.update(self.hash(x, &[], depth + 1)?);
                }
            }
            Object::Dict(d) => {
                h.update(b"<");
                h.update(self.hash_dict(d, skip, depth)?);
            }
            Object::Stream(s) => {
                h.update(b"S");
                h.update(self.hash_dict(&s.dict, skip, depth)?);
                // Hashed as a stream: an image may be as large as the file.
                let (start, len) = self.doc.stream_extent(s, Some(self.rev))?;
                let known = self.streams.borrow().get(&(start, len)).copied();
                let digest = match known {
                    Some(d) => d,
                    None => {
                        let mut data = Sha256::new();
                        crate::source::for_each_chunk(
                            self.doc.source(),
                            start,
                            start + len,
                            &mut |c| data.update(c),
                        )?;
                        let d: [u8; 32] = data.finalize().into();
                        self.streams.borrow_mut().insert((start, len), d);
                        d
                    }
                };
                h.update(digest);
            }
            Object::Ref(r) if depth > 0 && self.page_index.contains_key(&r.num) => {
                h.update(b"page");
                h.update((self.page_index.get(&r.num).copied().unwrap_or(0) as u64).to_be_bytes());
            }
            Object::Ref(r) => {
                h.update(b"R");
                if let Some(m) = self.memo.get(&r.num) {
                    h.update(m);
                } else if !self.active.insert(r.num) {
                    // A cycle: name the object instead of following it again.
                    h.update(b"cycle");
                    h.update(r.num.to_be_bytes());
                } else {
                    let target = self.doc.get(*r, Some(self.rev))?;
                    let v = match target {
                        Some(t) => self.hash(&t, &[], depth + 1)?,
                        None => [0u8; 32],
                    };
                    self.active.remove(&r.num);
                    self.memo.insert(r.num, v);
                    h.update(v);
                }
            }
        }
        Ok(h.finalize().into())
    }

    fn hash_dict(&mut self, d: &Dict, skip: &[&[u8]], depth: u32) -> Result<[u8; 32], Error> {
        let mut entries: Vec<(&Vec<u8>, &Object)> =
            d.0.iter()
                .filter(|(k, v)| {
                    !skip.contains(&k.as_slice())
                        && !((k.as_slice() == b"Parent" || k.as_slice() == b"P")
                            && matches!(v, Object::Ref(_)))
                })
                .map(|(k, v)| (k, v))
                .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut h = Sha256::new();
        for (k, v) in entries {
            h.update((k.len() as u64).to_be_bytes());
            h.update(k);
            h.update(self.hash(v, &[], depth + 1)?);
        }
        Ok(h.finalize().into())
    }
}

/// A page with what it inherits from the page tree.
struct Page {
    num: Option<u32>,
    dict: Dict,
    inherited: Vec<(Vec<u8>, Object)>,
}

/// A page tree node to visit: the node, what it inherits, its depth.
type PageNode = (Object, Vec<(Vec<u8>, Object)>, u32);

/// A form field to visit: the field, inherited type, parent name, depth.
pub(crate) type FieldNode = (Object, Option<Vec<u8>>, Option<String>, u32);

const INHERITABLE: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

fn pages(doc: &Document<'_>, rev: usize) -> Result<Vec<Page>, Error> {
    let cat = doc.catalog(Some(rev))?;
    let root = cat
        .dict()
        .and_then(|d| d.get(b"Pages"))
        .ok_or(Error::Malformed("no page tree"))?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<PageNode> = vec![(root.clone(), Vec::new(), 0)];
    while let Some((o, inherited, depth)) = stack.pop() {
        if depth > 64 {
            return Err(Error::LimitExceeded("page tree depth"));
        }
        if let Object::Ref(r) = &o {
            if !seen.insert(r.num) {
                continue;
            }
        }
        let node = doc.resolve(&o, Some(rev))?;
        let Some(d) = node.dict() else { continue };
        let mut inh = inherited.clone();
        for key in INHERITABLE {
            if let Some(v) = d.get(key) {
                inh.retain(|(k, _)| k.as_slice() != key);
                inh.push((key.to_vec(), v.clone()));
            }
        }
        let kids = d
            .get(b"Kids")
            .map(|k| doc.resolve(k, Some(rev)))
            .transpose()?;
        match kids.as_deref() {
            Some(Object::Array(kids)) if d.name(b"Type") != Some(b"Page") => {
                for k in kids.iter().rev() {
                    stack.push((k.clone(), inh.clone(), depth + 1));
                }
            }
            _ => {
                if out.len() >= MAX_PAGES {
                    return Err(Error::LimitExceeded("pages"));
                }
                out.push(Page {
                    num: match &o {
                        Object::Ref(r) => Some(r.num),
                        _ => None,
                    },
                    dict: d.clone(),
                    inherited: inh,
                });
            }
        }
    }
    Ok(out)
}

fn page_hash(h: &mut Hasher<'_, '_>, p: &Page) -> Result<[u8; 32], Error> {
    let mut d = p.dict.clone();
    for (k, v) in &p.inherited {
        if d.get(k).is_none() {
            d.0.push((k.clone(), v.clone()));
        }
    }
    h.hash(&Object::Dict(d), &[b"Annots"], 0)
}

struct Annot {
    key: Option<u32>,
    dict: Dict,
    obj: Object,
}

fn annots(doc: &Document<'_>, p: &Page, rev: usize) -> Result<Vec<Annot>, Error> {
    let Some(a) = p.dict.get(b"Annots") else {
        return Ok(Vec::new());
    };
    let a = doc.resolve(a, Some(rev))?;
    let Object::Array(list) = &*a else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for o in list.iter().take(100_000) {
        let d = doc.resolve(o, Some(rev))?;
        if let Some(dd) = d.dict() {
            out.push(Annot {
                key: match o {
                    Object::Ref(r) => Some(r.num),
                    _ => None,
                },
                dict: dd.clone(),
                obj: o.clone(),
            });
        }
    }
    Ok(out)
}

/// Field facts: name, type, value hash, by field object number.
struct FieldInfo {
    name: String,
    ft: Option<Vec<u8>>,
    value: [u8; 32],
    doc_timestamp: bool,
}

fn fields(
    doc: &Document<'_>,
    h: &mut Hasher<'_, '_>,
    rev: usize,
) -> Result<HashMap<u32, FieldInfo>, Error> {
    let mut out = HashMap::new();
    let cat = doc.catalog(Some(rev))?;
    let Some(af) = cat.dict().and_then(|d| d.get(b"AcroForm")) else {
        return Ok(out);
    };
    let af = doc.resolve(af, Some(rev))?;
    let Some(fl) = af.dict().and_then(|d| d.get(b"Fields")) else {
        return Ok(out);
    };
    let fl = doc.resolve(fl, Some(rev))?;
    let Object::Array(list) = &*fl else {
        return Ok(out);
    };
    let mut stack: Vec<FieldNode> = list
        .iter()
        .rev()
        .map(|o| (o.clone(), None, None, 0))
        .collect();
    while let Some((o, ft, parent, depth)) = stack.pop() {
        if depth > 32 || out.len() > crate::signatures::MAX_FIELDS {
            return Err(Error::LimitExceeded("form fields"));
        }
        let Object::Ref(r) = &o else { continue };
        if out.contains_key(&r.num) {
            continue;
        }
        let f = doc.resolve(&o, Some(rev))?;
        let Some(d) = f.dict() else { continue };
        let ft = d.name(b"FT").map(<[u8]>::to_vec).or(ft);
        let t = match d.get(b"T") {
            Some(Object::Str(s)) => Some(String::from_utf8_lossy(&s.bytes).into_owned()),
            _ => None,
        };
        let name = match (&parent, t) {
            (Some(p), Some(t)) => format!("{p}.{t}"),
            (None, Some(t)) => t,
            (Some(p), None) => p.clone(),
            (None, None) => String::new(),
        };
        let value = match d.get(b"V") {
            Some(v) => h.hash(v, &[], 0)?,
            None => [0u8; 32],
        };
        let doc_timestamp = match d.get(b"V").map(|v| doc.resolve(v, Some(rev))).transpose()? {
            Some(v) => v.dict().and_then(|x| x.name(b"Type")) == Some(b"DocTimeStamp"),
            None => false,
        };
        if let Some(Object::Array(kids)) = d
            .get(b"Kids")
            .map(|k| doc.resolve(k, Some(rev)))
            .transpose()?
            .as_deref()
        {
            for k in kids.iter().rev() {
                stack.push((k.clone(), ft.clone(), Some(name.clone()), depth + 1));
            }
        }
        out.insert(
            r.num,
            FieldInfo {
                name,
                ft,
                value,
                doc_timestamp,
            },
        );
    }
    Ok(out)
}

/// AcroForm entries that signing and form filling change: the field list (compared field
/// by field), flags, and the default resources and appearance used for new appearances.
const AF_SKIP: [&[u8]; 5] = [b"Fields", b"SigFlags", b"NeedAppearances", b"DR", b"DA"];

/// Compares the revision a signature covers with the document as it is now.
pub fn after_signature(
    doc: &Document<'_>,
    signed: usize,
    perms: &Permissions,
    own: Option<ObjRef>,
) -> Changes {
    let mut c = Changes {
        trailing_bytes: doc.trailing_bytes,
        ..Changes::default()
    };
    if let Err(e) = compare(doc, signed, perms, own, &mut c) {
        c.incomplete = Some(e.to_string());
    }
    c
}

fn compare(
    doc: &Document<'_>,
    signed: usize,
    perms: &Permissions,
    _own: Option<ObjRef>,
    c: &mut Changes,
) -> Result<(), Error> {
    let last = doc.revisions.len().saturating_sub(1);
    if signed >= last {
        return Ok(());
    }
    let mut old = Hasher::new(doc, signed);
    let mut new = Hasher::new(doc, last);
    new.streams = std::rc::Rc::clone(&old.streams);

    // Pages: count, then content and resources page by page.
    let old_pages = pages(doc, signed)?;
    let new_pages = pages(doc, last)?;
    old.page_index = old_pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.num.map(|n| (n, i)))
        .collect();
    new.page_index = new_pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.num.map(|n| (n, i)))
        .collect();
    if new_pages.len() > old_pages.len() {
        c.pages_added = u32::try_from(new_pages.len() - old_pages.len()).unwrap_or(u32::MAX);
    } else {
        c.pages_removed = u32::try_from(old_pages.len() - new_pages.len()).unwrap_or(u32::MAX);
    }
    for (i, (a, b)) in old_pages.iter().zip(&new_pages).enumerate() {
        if page_hash(&mut old, a)? != page_hash(&mut new, b)? {
            c.pages_changed
                .push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }

    // Fields: values filled, fields added.
    let old_fields = fields(doc, &mut old, signed)?;
    let new_fields = fields(doc, &mut new, last)?;
    for (num, f) in &new_fields {
        let is_sig = f.ft.as_deref() == Some(b"Sig");
        match old_fields.get(num) {
            None if is_sig => {
                if f.doc_timestamp {
                    c.timestamps_added += 1;
                } else {
                    c.signatures_added += 1;
                }
            }
            None => c.fields_added.push(f.name.clone()),
            Some(o) if o.value != f.value => {
                if is_sig {
                    if f.doc_timestamp {
                        c.timestamps_added += 1;
                    } else {
                        c.signatures_added += 1;
                    }
                } else {
                    c.fields_filled.push(f.name.clone());
                    for lock in &perms.field_locks {
                        if lock.locks(&f.name) {
                            c.forbidden.push(format!("locked_field:{}", f.name));
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }

    for (num, f) in &old_fields {
        if f.ft.as_deref() == Some(b"Sig") && f.value != [0u8; 32] {
            match new_fields.get(num) {
                Some(n) if n.value == f.value => {}
                _ => c.signatures_removed += 1,
            }
        }
    }

    // Annotations, page by page (pages compared in order).
    let widget_field = |d: &Dict| -> Option<u32> {
        match d.get(b"Parent") {
            Some(Object::Ref(r)) if d.get(b"T").is_none() => Some(r.num),
            _ => None,
        }
    };
    for (i, (a, b)) in old_pages.iter().zip(&new_pages).enumerate() {
        let oa = annots(doc, a, signed)?;
        let na = annots(doc, b, last)?;
        let old_keys: HashMap<u32, &Annot> =
            oa.iter().filter_map(|x| x.key.map(|k| (k, x))).collect();
        let new_keys: HashSet<u32> = na.iter().filter_map(|x| x.key).collect();
        for x in &na {
            let is_widget = x.dict.name(b"Subtype") == Some(b"Widget");
            let field_num = x
                .key
                .and_then(|k| {
                    if new_fields.contains_key(&k) {
                        Some(k)
                    } else {
                        None
                    }
                })
                .or_else(|| widget_field(&x.dict));
            match x.key.and_then(|k| old_keys.get(&k)) {
                None => {
                    if !is_widget {
                        c.annotations_added += 1;
                    }
                    // New widgets belong to new fields, counted above.
                }
                Some(prev) => {
                    let ho = old.hash(&prev.obj, &[], 0)?;
                    let hn = new.hash(&x.obj, &[], 0)?;
                    if ho == hn {
                        continue;
                    }
                    let field = field_num.and_then(|n| new_fields.get(&n));
                    let filled = field.is_some_and(|f| {
                        c.fields_filled.contains(&f.name) || f.ft.as_deref() == Some(b"Sig")
                    });
                    if !filled {
                        c.appearances_changed.push(match field {
                            Some(f) if !f.name.is_empty() => f.name.clone(),
                            _ => format!("page {}", i + 1),
                        });
                    }
                }
            }
        }
        for k in old_keys.keys() {
            if !new_keys.contains(k) {
                c.annotations_removed += 1;
            }
        }
    }

    // Catalog: validation data is expected; other entries are not.
    let oc = doc.catalog(Some(signed))?;
    let nc = doc.catalog(Some(last))?;
    let empty = Dict::default();
    let od = oc.dict().unwrap_or(&empty);
    let nd = nc.dict().unwrap_or(&empty);
    let mut keys: Vec<&Vec<u8>> = od.0.iter().chain(nd.0.iter()).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let a = od.get(k).map(|v| old.hash(v, &[], 0)).transpose()?;
        let b = nd.get(k).map(|v| new.hash(v, &[], 0)).transpose()?;
        if a == b {
            continue;
        }
        match k.as_slice() {
            b"Pages" | b"AcroForm" => {}
            b"DSS" => c.validation_data = true,
            // Document metadata, extension levels, and the logical structure (which gains
            // an element for each new signature widget) do not change what is shown.
            b"Metadata" | b"Perms" | b"Extensions" | b"StructTreeRoot" | b"MarkInfo" => {}
            other => c
                .other_changes
                .push(String::from_utf8_lossy(other).into_owned()),
        }
    }
    // AcroForm entries other than the field list (default appearance, resources, flags).
    let af_old = od
        .get(b"AcroForm")
        .map(|x| doc.resolve(x, Some(signed)))
        .transpose()?;
    let af_new = nd
        .get(b"AcroForm")
        .map(|x| doc.resolve(x, Some(last)))
        .transpose()?;
    if let (Some(a), Some(b)) = (
        af_old.as_deref().and_then(Object::dict),
        af_new.as_deref().and_then(Object::dict),
    ) {
        let ha = old.hash_dict(a, &AF_SKIP, 0)?;
        let hb = new.hash_dict(b, &AF_SKIP, 0)?;
        if ha != hb {
            c.other_changes.push("AcroForm".to_owned());
        }
    }

    // What the DocMDP permissions forbid.
    match perms.docmdp {
        Some(1) => {
            if !c.fields_filled.is_empty() {
                c.forbidden.push("form_filling".to_owned());
            }
            if c.annotations_added > 0 {
                c.forbidden.push("annotations".to_owned());
            }
            if c.signatures_added > 0 {
                c.forbidden.push("signatures".to_owned());
            }
        }
        Some(2) if c.annotations_added > 0 => c.forbidden.push("annotations".to_owned()),
        _ => {}
    }
    Ok(())
}
