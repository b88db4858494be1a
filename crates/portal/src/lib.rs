//! The offline smart-working portal of Lavoro Agile.
//!
//! A content set is a folder of Markdown files with front matter (the pages and the news
//! items), an optional `portal.json` (version and date of the content), an optional
//! `autovalutazione.json` (the digital-skills self-assessment) and bundled files (images,
//! templates to download). [`Portal`] loads such a folder — the default content compiled
//! into the binary ([`Portal::bundled`]) or an installed `portal` pack — renders every page
//! to sanitised HTML and builds the search index, all at load time; queries only read.
//!
//! What this crate must not do: touch the network, read the clock, store user data
//! (self-assessment results go back to the caller), or emit HTML that runs script or loads
//! anything remote.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assessment;
mod frontmatter;
mod render;
mod search;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use assessment::{
    Answer, Area, AreaResult, Assessment, AssessmentError, AssessmentResult, Level, Question,
    Review,
};
pub use render::{page_href, Problem, TocEntry, APP_VIEWS, ATTACHMENT_ROUTE, PAGE_ROUTE};
pub use search::{SearchHit, SearchIndex};

/// The default content, compiled into the binary.
static BUNDLED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../resources/portal");

/// Largest single file of a content set.
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// Largest content set, all files together.
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Most files in a content set.
const MAX_FILES: usize = 2000;
/// Deepest folder nesting we walk.
const MAX_DEPTH: usize = 4;

/// The file holding the content's version and date.
pub const INFO_FILE: &str = "portal.json";
/// The file holding the self-assessment questions.
pub const ASSESSMENT_FILE: &str = "autovalutazione.json";

/// Language of user-facing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Italian (the default).
    #[default]
    It,
    /// English.
    En,
}

/// Why a content set could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PortalError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The content breaks a size budget (file too large, too many files...).
    #[error("content too large: {0}")]
    TooLarge(String),
    /// A Markdown file is not UTF-8.
    #[error("{file}: not UTF-8 text")]
    NotUtf8 {
        /// The file.
        file: String,
    },
    /// The front matter cannot be read.
    #[error("{file}, line {line}: {reason}")]
    FrontMatter {
        /// The file.
        file: String,
        /// Line number, counting the opening `---` as line 1.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A required front-matter field is missing or has the wrong shape.
    #[error("{file}: field '{field}' {reason}")]
    Field {
        /// The file.
        file: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A page's file name is not a valid slug (lower-case letters, digits, `-`).
    #[error("{file}: file name is not a valid page name")]
    BadSlug {
        /// The file.
        file: String,
    },
    /// Two pages with the same slug.
    #[error("two pages named {slug}")]
    DuplicateSlug {
        /// The slug.
        slug: String,
    },
    /// `portal.json` is not valid.
    #[error("{INFO_FILE}: {0}")]
    Info(String),
    /// The self-assessment file is not valid.
    #[error("{ASSESSMENT_FILE}: {0}")]
    Assessment(#[from] AssessmentError),
    /// The content has no pages at all.
    #[error("no pages in the content")]
    Empty,
}

impl PortalError {
    /// A message for the user, without jargon.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::It => match self {
                Self::Io { path, .. } => format!("Impossibile leggere {path}."),
                Self::TooLarge(_) => {
                    "I contenuti del portale superano le dimensioni ammesse.".into()
                }
                Self::NotUtf8 { file } => format!("Il file {file} non è un testo valido."),
                Self::FrontMatter { file, line, .. } => {
                    format!("Il file {file} ha un'intestazione non valida (riga {line}).")
                }
                Self::Field { file, field, .. } => {
                    format!("Nel file {file} il campo «{field}» manca o non è valido.")
                }
                Self::BadSlug { file } => format!("Il nome del file {file} non è valido."),
                Self::DuplicateSlug { slug } => format!("Due pagine hanno lo stesso nome: {slug}."),
                Self::Info(_) => {
                    "Le informazioni sulla versione dei contenuti non sono valide.".into()
                }
                Self::Assessment(_) => "Il questionario di autovalutazione non è valido.".into(),
                Self::Empty => "I contenuti del portale non contengono pagine.".into(),
            },
            Lang::En => match self {
                Self::Io { path, .. } => format!("Cannot read {path}."),
                Self::TooLarge(_) => "The portal content is larger than allowed.".into(),
                Self::NotUtf8 { file } => format!("The file {file} is not valid text."),
                Self::FrontMatter { file, line, .. } => {
                    format!("The file {file} has an invalid header (line {line}).")
                }
                Self::Field { file, field, .. } => {
                    format!("In the file {file} the field '{field}' is missing or invalid.")
                }
                Self::BadSlug { file } => format!("The name of the file {file} is not valid."),
                Self::DuplicateSlug { slug } => format!("Two pages have the same name: {slug}."),
                Self::Info(_) => "The content version information is not valid.".into(),
                Self::Assessment(_) => "The self-assessment questionnaire is not valid.".into(),
                Self::Empty => "The portal content has no pages.".into(),
            },
        }
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    /// Year.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day, 1 to 31.
    pub day: u8,
}

const MONTHS_IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

impl IsoDate {
    /// Parses `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let year: u16 = s.get(0..4)?.parse().ok()?;
        let month: u8 = s.get(5..7)?.parse().ok()?;
        let day: u8 = s.get(8..10)?.parse().ok()?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if !(1..=days).contains(&day) || !s.get(0..4)?.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// The date in words, in Italian ("26 novembre 2026").
    pub fn italian(&self) -> String {
        let month = MONTHS_IT
            .get(usize::from(self.month).saturating_sub(1))
            .copied()
            .unwrap_or("?");
        format!("{} {} {}", self.day, month, self.year)
    }
}

impl std::fmt::Display for IsoDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD"))
    }
}

/// An official source a page cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// What it is ("Legge 22 maggio 2017, n. 81, artt. 18–24").
    pub title: String,
    /// Where the official text is, if given.
    pub url: Option<String>,
}

impl Source {
    /// Reads `Title <https://...>` (the address is optional).
    fn parse(s: &str) -> Self {
        let s = s.trim();
        if let Some(open) = s.rfind('<') {
            if let (Some(title), Some(rest)) = (s.get(..open), s.get(open + 1..)) {
                if let Some(url) = rest.strip_suffix('>') {
                    return Self {
                        title: title.trim().to_owned(),
                        url: Some(url.trim().to_owned()),
                    };
                }
            }
        }
        Self {
            title: s.to_owned(),
            url: None,
        }
    }
}

/// Version and date of a content set (`portal.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentInfo {
    /// Version as IT publishes it ("2026.11.1").
    pub version: String,
    /// Publication date.
    pub published: IsoDate,
    /// Who publishes it.
    #[serde(default)]
    pub publisher: String,
}

/// A portal page, rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// The page name, from the file name (`lavoro-agile` for `lavoro-agile.md`).
    pub slug: String,
    /// Title.
    pub title: String,
    /// One-sentence summary.
    pub summary: String,
    /// The menu section it belongs to.
    pub section: String,
    /// Position in the menu (lower first).
    pub order: u32,
    /// Keywords.
    pub tags: Vec<String>,
    /// When its content was last checked.
    pub reviewed: IsoDate,
    /// Official sources cited.
    pub sources: Vec<Source>,
    /// The body as sanitised HTML, followed by the sources and the review date.
    pub html: String,
    /// Headings of levels 2 and 3.
    pub toc: Vec<TocEntry>,
    /// The body as plain text, one block per line (for terminals and screen readers).
    pub text: String,
}

/// A page without its body, for menus and lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSummary {
    /// The page name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// One-sentence summary.
    pub summary: String,
    /// Menu section.
    pub section: String,
    /// When its content was last checked.
    pub reviewed: IsoDate,
}

/// A news item of "Comunicazione interna".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsItem {
    /// From the file name.
    pub id: String,
    /// Title.
    pub title: String,
    /// Publication date.
    pub date: IsoDate,
    /// One-sentence summary.
    pub summary: String,
    /// The body as sanitised HTML.
    pub html: String,
}

/// A loaded content set: pages, news, the self-assessment, the search index.
#[derive(Debug)]
pub struct Portal {
    pages: Vec<Page>,
    news: Vec<NewsItem>,
    info: Option<ContentInfo>,
    assessment: Option<Assessment>,
    assets: BTreeMap<String, Vec<u8>>,
    problems: Vec<Problem>,
    index: SearchIndex,
}

/// A Markdown file after its front matter is read, before rendering.
struct Parsed {
    file: String,
    stem: String,
    fields: BTreeMap<String, frontmatter::Value>,
    body: String,
}

fn scalar<'a>(
    p: &'a Parsed,
    field: &'static str,
    required: bool,
) -> Result<Option<&'a str>, PortalError> {
    match p.fields.get(field) {
        Some(frontmatter::Value::Scalar(s)) if !s.is_empty() => Ok(Some(s)),
        Some(frontmatter::Value::Scalar(_)) | None if !required => Ok(None),
        Some(frontmatter::Value::List(_)) => Err(PortalError::Field {
            file: p.file.clone(),
            field,
            reason: "must be a single value",
        }),
        _ => Err(PortalError::Field {
            file: p.file.clone(),
            field,
            reason: "is missing",
        }),
    }
}

fn list(p: &Parsed, field: &'static str) -> Result<Vec<String>, PortalError> {
    match p.fields.get(field) {
        None => Ok(Vec::new()),
        Some(frontmatter::Value::List(items)) => Ok(items.clone()),
        Some(frontmatter::Value::Scalar(s)) if s.is_empty() => Ok(Vec::new()),
        Some(frontmatter::Value::Scalar(_)) => Err(PortalError::Field {
            file: p.file.clone(),
            field,
            reason: "must be a list",
        }),
    }
}

fn date(p: &Parsed, field: &'static str) -> Result<IsoDate, PortalError> {
    let s = scalar(p, field, true)?.unwrap_or_default();
    IsoDate::parse(s).ok_or_else(|| PortalError::Field {
        file: p.file.clone(),
        field,
        reason: "must be a date YYYY-MM-DD",
    })
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

const PAGE_FIELDS: &[&str] = &[
    "title", "summary", "section", "order", "tags", "reviewed", "sources", "kind",
];
const NEWS_FIELDS: &[&str] = &["title", "summary", "date", "kind", "tags"];

fn parse_markdown_file(file: &str, bytes: &[u8]) -> Result<Parsed, PortalError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PortalError::NotUtf8 {
        file: file.to_owned(),
    })?;
    let doc = frontmatter::split(text).map_err(|e| PortalError::FrontMatter {
        file: file.to_owned(),
        line: e.line,
        reason: e.reason,
    })?;
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.strip_suffix(".md").unwrap_or(name).to_owned();
    Ok(Parsed {
        file: file.to_owned(),
        stem,
        fields: doc.fields,
        body: doc.body.to_owned(),
    })
}

/// What a Markdown file is, from its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Page,
    News,
    Other,
}

fn kind_of(p: &Parsed) -> FileKind {
    match p.fields.get("kind") {
        Some(frontmatter::Value::Scalar(k)) if k == "news" => FileKind::News,
        _ if p.fields.contains_key("section") => FileKind::Page,
        _ => FileKind::Other,
    }
}

impl Portal {
    /// The default content compiled into the binary.
    pub fn bundled() -> Result<Self, PortalError> {
        let mut files = Vec::new();
        collect_bundled(&BUNDLED, &mut files);
        Self::from_files(files)
    }

    /// Loads the content of a folder (an installed `portal` pack, or a folder IT is
    /// preparing). Symbolic links and hidden files are skipped.
    pub fn load_dir(dir: &Path) -> Result<Self, PortalError> {
        let mut files = Vec::new();
        let mut total = 0u64;
        walk(dir, "", 0, &mut files, &mut total)?;
        Self::from_files(files)
    }

    /// Loads a content set from `(relative path, bytes)` pairs, paths separated by `/`.
    pub fn from_files(files: Vec<(String, Vec<u8>)>) -> Result<Self, PortalError> {
        if files.len() > MAX_FILES {
            return Err(PortalError::TooLarge(format!("{} files", files.len())));
        }
        let mut markdown = Vec::new();
        let mut assets = BTreeMap::new();
        let mut info = None;
        let mut assessment = None;
        for (path, bytes) in files {
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(PortalError::TooLarge(path));
            }
            if path.ends_with(".md") {
                markdown.push(parse_markdown_file(&path, &bytes)?);
            } else if path == INFO_FILE {
                info = Some(
                    serde_json::from_slice::<ContentInfo>(&bytes)
                        .map_err(|e| PortalError::Info(e.to_string()))?,
                );
            } else if path == ASSESSMENT_FILE {
                assessment = Some(Assessment::from_json(&bytes)?);
            } else if let Some(p) = render::normalise_relative(&path) {
                assets.insert(p, bytes);
            }
        }
        markdown.sort_by(|a, b| a.file.cmp(&b.file));

        let mut problems = Vec::new();
        let mut slugs = BTreeSet::new();
        for p in markdown.iter().filter(|p| kind_of(p) == FileKind::Page) {
            if !valid_slug(&p.stem) {
                return Err(PortalError::BadSlug {
                    file: p.file.clone(),
                });
            }
            if !slugs.insert(p.stem.clone()) {
                return Err(PortalError::DuplicateSlug {
                    slug: p.stem.clone(),
                });
            }
        }
        if slugs.is_empty() {
            return Err(PortalError::Empty);
        }

        let mut pages = Vec::new();
        let mut news = Vec::new();
        let mut search_text = Vec::new();
        // Anchors of each page, and anchored links to check once every page is rendered.
        let mut anchors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut anchored_links: Vec<(String, String, String)> = Vec::new();
        for p in &markdown {
            let kind = kind_of(p);
            let known = match kind {
                FileKind::Page => PAGE_FIELDS,
                FileKind::News => NEWS_FIELDS,
                FileKind::Other => continue,
            };
            for key in p.fields.keys() {
                if !known.contains(&key.as_str()) {
                    problems.push(Problem::UnknownField {
                        file: p.file.clone(),
                        field: key.clone(),
                    });
                }
            }
            let ctx = render::LinkContext {
                page: &p.stem,
                pages: &slugs,
                assets: &assets,
            };
            let rendered = render::render(&p.body, &ctx);
            problems.extend(rendered.problems.iter().cloned());
            for (slug, anchor) in &rendered.anchored_links {
                anchored_links.push((p.stem.clone(), slug.clone(), anchor.clone()));
            }
            let title = scalar(p, "title", true)?.unwrap_or_default().to_owned();
            let summary = scalar(p, "summary", true)?.unwrap_or_default().to_owned();
            if kind == FileKind::News {
                news.push(NewsItem {
                    id: p.stem.clone(),
                    title,
                    date: date(p, "date")?,
                    summary,
                    html: rendered.html,
                });
                continue;
            }
            let order = match scalar(p, "order", false)? {
                Some(o) => o.parse().map_err(|_| PortalError::Field {
                    file: p.file.clone(),
                    field: "order",
                    reason: "must be a whole number",
                })?,
                None => u32::MAX,
            };
            let sources: Vec<Source> = list(p, "sources")?
                .iter()
                .map(|s| Source::parse(s))
                .collect();
            for s in &sources {
                if !s.url.as_deref().is_some_and(|u| u.starts_with("https://")) {
                    problems.push(Problem::SourceWithoutUrl {
                        page: p.stem.clone(),
                        source: s.title.clone(),
                    });
                }
            }
            let reviewed = date(p, "reviewed")?;
            let mut page_anchors: BTreeSet<String> = rendered.anchors.iter().cloned().collect();
            page_anchors.insert(render::FOOTER_ANCHOR.to_owned());
            anchors.insert(p.stem.clone(), page_anchors);
            let mut toc = rendered.toc;
            let mut html = rendered.html;
            append_footer(&mut html, &mut toc, &sources, reviewed);
            let page = Page {
                slug: p.stem.clone(),
                title,
                summary,
                section: scalar(p, "section", true)?.unwrap_or_default().to_owned(),
                order,
                tags: list(p, "tags")?,
                reviewed,
                sources,
                html,
                toc,
                text: rendered.plain.clone(),
            };
            search_text.push((rendered.headings, rendered.plain));
            pages.push(page);
        }
        if let Some(a) = &assessment {
            for area in &a.areas {
                let (slug, anchor) = match area.page.split_once('#') {
                    Some((s, a)) => (s.to_owned(), a.to_owned()),
                    None => (area.page.clone(), String::new()),
                };
                if !slugs.contains(&slug) {
                    problems.push(Problem::BrokenLink {
                        page: ASSESSMENT_FILE.to_owned(),
                        target: area.page.clone(),
                    });
                } else if !anchor.is_empty() {
                    anchored_links.push((ASSESSMENT_FILE.to_owned(), slug, anchor));
                }
            }
        }
        for (from, slug, anchor) in anchored_links {
            if !anchors.get(&slug).is_some_and(|set| set.contains(&anchor)) {
                problems.push(Problem::BrokenAnchor {
                    page: from,
                    target: slug,
                    anchor,
                });
            }
        }
        // Menu order: `order`, then title; the index follows the same order.
        let mut order: Vec<usize> = (0..pages.len()).collect();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (pages.get(a), pages.get(b));
            pa.map(|p| (p.order, p.title.as_str()))
                .cmp(&pb.map(|p| (p.order, p.title.as_str())))
        });
        let mut sorted_pages = Vec::with_capacity(pages.len());
        let mut sorted_text = Vec::with_capacity(pages.len());
        for i in order {
            if let (Some(p), Some(t)) = (pages.get(i), search_text.get(i)) {
                sorted_pages.push(p.clone());
                sorted_text.push(t.clone());
            }
        }
        let pages = sorted_pages;
        news.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));

        let inputs: Vec<search::IndexInput<'_>> = pages
            .iter()
            .zip(&sorted_text)
            .map(|(p, (headings, plain))| search::IndexInput {
                slug: &p.slug,
                title: &p.title,
                summary: &p.summary,
                tags: &p.tags,
                headings,
                plain,
            })
            .collect();
        let index = SearchIndex::build(&inputs);
        tracing::debug!(
            pages = pages.len(),
            news = news.len(),
            problems = problems.len(),
            "portal content loaded"
        );
        Ok(Self {
            pages,
            news,
            info,
            assessment,
            assets,
            problems,
            index,
        })
    }

    /// All pages, in menu order.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The pages without their bodies, in menu order.
    pub fn summaries(&self) -> Vec<PageSummary> {
        self.pages
            .iter()
            .map(|p| PageSummary {
                slug: p.slug.clone(),
                title: p.title.clone(),
                summary: p.summary.clone(),
                section: p.section.clone(),
                reviewed: p.reviewed,
            })
            .collect()
    }

    /// One page by slug.
    pub fn page(&self, slug: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.slug == slug)
    }

    /// News items, newest first.
    pub fn news(&self) -> &[NewsItem] {
        &self.news
    }

    /// One news item by id (its file name without `.md`).
    pub fn news_item(&self, id: &str) -> Option<&NewsItem> {
        self.news.iter().find(|n| n.id == id)
    }

    /// Version and date of the content, if it says.
    pub fn info(&self) -> Option<&ContentInfo> {
        self.info.as_ref()
    }

    /// The self-assessment questionnaire, if the content has one.
    pub fn assessment(&self) -> Option<&Assessment> {
        self.assessment.as_ref()
    }

    /// A bundled file (a template to download, an image) by relative path.
    pub fn attachment(&self, path: &str) -> Option<&[u8]> {
        let p = render::normalise_relative(path)?;
        self.assets.get(&p).map(Vec::as_slice)
    }

    /// Problems found while loading: broken or forbidden links, images not bundled,
    /// unknown fields. Content IT publishes should have none.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Searches the pages; best first, at most `limit` results.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.index.search(query, limit)
    }

    /// Words in the pages and news items (Markdown bodies, as text).
    pub fn word_count(&self) -> usize {
        self.index.word_count()
            + self
                .news
                .iter()
                .map(|n| count_html_words(&n.html))
                .sum::<usize>()
    }
}

fn count_html_words(html: &str) -> usize {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().count()
}

fn append_footer(
    html: &mut String,
    toc: &mut Vec<TocEntry>,
    sources: &[Source],
    reviewed: IsoDate,
) {
    use render::escape_text as esc;
    html.push_str("\n<footer class=\"page-meta\">");
    if !sources.is_empty() {
        let anchor = render::FOOTER_ANCHOR;
        html.push_str(&format!("<h2 id=\"{anchor}\">Fonti ufficiali</h2><ul>"));
        for s in sources {
            match s.url.as_deref().filter(|u| u.starts_with("https://")) {
                Some(url) => html.push_str(&format!(
                    "<li><a href=\"{}\" class=\"external\" data-external=\"true\" rel=\"noopener noreferrer\" title=\"Si apre nel browser di sistema\">{}</a></li>",
                    esc(url),
                    esc(&s.title)
                )),
                None => html.push_str(&format!("<li>{}</li>", esc(&s.title))),
            }
        }
        html.push_str("</ul>");
        toc.push(TocEntry {
            level: 2,
            text: "Fonti ufficiali".into(),
            anchor: anchor.into(),
        });
    }
    html.push_str(&format!(
        "<p class=\"reviewed\">Contenuto verificato il <time datetime=\"{}\">{}</time>.</p></footer>",
        reviewed,
        esc(&reviewed.italian())
    ));
}

fn collect_bundled(dir: &include_dir::Dir<'static>, out: &mut Vec<(String, Vec<u8>)>) {
    for f in dir.files() {
        let path = f.path().to_string_lossy().replace('\\', "/");
        out.push((path, f.contents().to_vec()));
    }
    for d in dir.dirs() {
        collect_bundled(d, out);
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    out: &mut Vec<(String, Vec<u8>)>,
    total: &mut u64,
) -> Result<(), PortalError> {
    let io = |source| PortalError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        // symlink_metadata: links are skipped, never followed out of the folder.
        let meta = std::fs::symlink_metadata(entry.path()).map_err(io)?;
        if meta.is_dir() {
            if depth >= MAX_DEPTH {
                return Err(PortalError::TooLarge(format!(
                    "{rel}: folders nested too deep"
                )));
            }
            walk(&entry.path(), &rel, depth + 1, out, total)?;
        } else if meta.is_file() {
            if meta.len() > MAX_FILE_BYTES {
                return Err(PortalError::TooLarge(rel));
            }
            *total += meta.len();
            if *total > MAX_TOTAL_BYTES || out.len() >= MAX_FILES {
                return Err(PortalError::TooLarge("the content folder".into()));
            }
            let bytes = std::fs::read(entry.path()).map_err(|source| PortalError::Io {
                path: rel.clone(),
                source,
            })?;
            out.push((rel, bytes));
        }
    }
    Ok(())
}

/// Entry points for fuzzing and for the tests that replay the fuzz corpus.
#[doc(hidden)]
pub mod fuzzing {
    use super::*;

    /// Parses one Markdown file with front matter and renders it, as loading does.
    pub fn parse_page(bytes: &[u8]) {
        let Ok(parsed) = parse_markdown_file("fuzz.md", bytes) else {
            return;
        };
        let pages: BTreeSet<String> = ["fuzz".to_owned()].into_iter().collect();
        let assets = BTreeMap::new();
        let ctx = render::LinkContext {
            page: "fuzz",
            pages: &pages,
            assets: &assets,
        };
        let out = render::render(&parsed.body, &ctx);
        let _ = SearchIndex::build(&[search::IndexInput {
            slug: "fuzz",
            title: "",
            summary: "",
            tags: &[],
            headings: &out.headings,
            plain: &out.plain,
        }])
        .search(&out.plain.chars().take(40).collect::<String>(), 5);
    }

    /// Parses a self-assessment file.
    pub fn parse_assessment(bytes: &[u8]) {
        let _ = Assessment::from_json(bytes);
    }

    /// Renders a Markdown body as page `fuzz` with no other pages: for sanitiser tests.
    pub fn render_html(markdown: &str) -> (String, Vec<Problem>) {
        let pages: BTreeSet<String> = ["fuzz".to_owned()].into_iter().collect();
        let assets = BTreeMap::new();
        let ctx = render::LinkContext {
            page: "fuzz",
            pages: &pages,
            assets: &assets,
        };
        let out = render::render(markdown, &ctx);
        (out.html, out.problems)
    }
}
