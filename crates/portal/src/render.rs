//! Markdown to sanitised HTML.
//!
//! Two layers keep a hostile pack harmless. First, while walking the Markdown events we
//! turn raw HTML into visible text, resolve every link ourselves (pages, app views,
//! attachments, external web pages) and drop what is not allowed (`javascript:`, `data:`,
//! remote images). Second, the HTML we produce goes through `ammonia` with a short allow
//! list of tags and attributes, so even a bug in the first layer cannot let a script,
//! an event handler or a remote resource through.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use base64::Engine as _;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::text;

/// App views a page may link to with `app:<view>`; the desktop shell routes `#/<view>`.
pub const APP_VIEWS: &[&str] = &["verifica", "vpn", "pacchetti", "impostazioni", "portale"];

/// The id of the sources heading each page ends with.
pub(crate) const FOOTER_ANCHOR: &str = "fonti-ufficiali";

/// Largest image that may be inlined into a page.
const MAX_IMAGE_BYTES: usize = 1024 * 1024;

/// The route prefix of portal pages inside the app (`#/portale/<slug>`).
pub const PAGE_ROUTE: &str = "#/portale/";
/// The route prefix of attachments (`#/portale-allegato/<path>`).
pub const ATTACHMENT_ROUTE: &str = "#/portale-allegato/";

/// One entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    /// The heading text.
    pub text: String,
    /// The heading's `id`, unique in the page.
    pub anchor: String,
}

/// Something wrong in a page's content, found while rendering. The page still renders
/// (the offending link becomes plain text), but content checks report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// A link to a page or attachment that is not in the content.
    BrokenLink {
        /// The page holding the link.
        page: String,
        /// The link as written.
        target: String,
    },
    /// A link with a scheme we never follow (`javascript:`, `data:`, `file:`...).
    ForbiddenLink {
        /// The page holding the link.
        page: String,
        /// The link as written.
        target: String,
    },
    /// An `app:` link to a view the app does not have.
    UnknownAppView {
        /// The page holding the link.
        page: String,
        /// The view named.
        view: String,
    },
    /// A link to a heading that the target page does not have.
    BrokenAnchor {
        /// The page holding the link.
        page: String,
        /// The target page.
        target: String,
        /// The missing anchor.
        anchor: String,
    },
    /// An image that is not bundled with the content (remote, missing or too large).
    ImageNotBundled {
        /// The page holding the image.
        page: String,
        /// The image source as written.
        target: String,
    },
    /// A front-matter field we do not know (ignored; maybe a newer pack format).
    UnknownField {
        /// The file.
        file: String,
        /// The key.
        field: String,
    },
    /// A source without a usable `https://` address.
    SourceWithoutUrl {
        /// The page.
        page: String,
        /// The source as written.
        source: String,
    },
}

/// What rendering one Markdown body produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The visible text, blocks separated by newlines (for search and snippets).
    pub plain: String,
    /// The text of all headings, for search weighting.
    pub headings: String,
    pub problems: Vec<Problem>,
    /// Links to pages with an anchor, `(slug, anchor)`, checked once all pages are rendered.
    pub anchored_links: Vec<(String, String)>,
    /// Every heading anchor of this page.
    pub anchors: Vec<String>,
}

/// What the renderer may link to.
#[derive(Debug)]
pub(crate) struct LinkContext<'a> {
    /// The page being rendered (for same-page anchors and problem reports).
    pub page: &'a str,
    /// Slugs of all pages.
    pub pages: &'a BTreeSet<String>,
    /// Bundled files other than Markdown (attachments and images), by relative path.
    pub assets: &'a BTreeMap<String, Vec<u8>>,
}

/// Where a link goes, once resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Page {
        slug: String,
        anchor: Option<String>,
    },
    App(String),
    Attachment(String),
    External(String),
    Broken,
    Forbidden,
    UnknownView(String),
}

fn has_scheme(dest: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = dest.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    {
        Some((scheme, rest))
    } else {
        None
    }
}

/// Normalises a relative path inside the content folder; `None` if it escapes it.
pub(crate) fn normalise_relative(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

fn resolve(dest: &str, link_type: LinkType, ctx: &LinkContext<'_>) -> Target {
    let dest = dest.trim();
    if link_type == LinkType::Email {
        return Target::External(format!("mailto:{dest}"));
    }
    if dest.is_empty() {
        return Target::Broken;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::Page {
            slug: ctx.page.to_owned(),
            anchor: Some(anchor.to_owned()).filter(|a| !a.is_empty()),
        };
    }
    if dest.starts_with("//") {
        return Target::Forbidden;
    }
    if let Some((scheme, rest)) = has_scheme(dest) {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" if rest.starts_with("//") && rest.len() > 2 => {
                Target::External(dest.to_owned())
            }
            "mailto" | "tel" if !rest.is_empty() => Target::External(dest.to_owned()),
            "slug" => page_target(rest, ctx),
            "app" => {
                if APP_VIEWS.contains(&rest) {
                    Target::App(rest.to_owned())
                } else {
                    Target::UnknownView(rest.to_owned())
                }
            }
            _ => Target::Forbidden,
        };
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest, None),
    };
    if let Some(stem) = path.strip_suffix(".md") {
        let stem = stem.trim_start_matches("./");
        if stem.contains('/') {
            return Target::Broken;
        }
        let with_anchor = match anchor {
            Some(a) => format!("{stem}#{a}"),
            None => stem.to_owned(),
        };
        return page_target(&with_anchor, ctx);
    }
    match normalise_relative(path) {
        Some(p) if ctx.assets.contains_key(&p) => Target::Attachment(p),
        _ => Target::Broken,
    }
}

fn page_target(rest: &str, ctx: &LinkContext<'_>) -> Target {
    let (slug, anchor) = match rest.split_once('#') {
        Some((s, a)) => (s, Some(a.to_owned()).filter(|a| !a.is_empty())),
        None => (rest, None),
    };
    if ctx.pages.contains(slug) {
        Target::Page {
            slug: slug.to_owned(),
            anchor,
        }
    } else {
        Target::Broken
    }
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content.
pub(crate) fn escape_text(s: &str) -> String {
    escape_attr(s)
}

/// The `href` of a portal page, with an optional heading anchor.
pub fn page_href(slug: &str, anchor: Option<&str>) -> String {
    match anchor {
        Some(a) => format!("{PAGE_ROUTE}{slug}/{a}"),
        None => format!("{PAGE_ROUTE}{slug}"),
    }
}

fn open_anchor(target: &Target, title: &str) -> Option<String> {
    let title_attr = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_attr(title))
    };
    Some(match target {
        Target::Page { slug, anchor } => format!(
            "<a href=\"{}\" data-portal-slug=\"{}\"{}{title_attr}>",
            escape_attr(&page_href(slug, anchor.as_deref())),
            escape_attr(slug),
            anchor
                .as_ref()
                .map(|a| format!(" data-portal-anchor=\"{}\"", escape_attr(a)))
                .unwrap_or_default(),
        ),
        Target::App(view) => format!(
            "<a href=\"#/{0}\" data-app-view=\"{0}\"{title_attr}>",
            escape_attr(view)
        ),
        Target::Attachment(path) => format!(
            "<a href=\"{}{}\" data-attachment=\"{}\"{title_attr}>",
            ATTACHMENT_ROUTE,
            escape_attr(path),
            escape_attr(path)
        ),
        Target::External(url) => format!(
            "<a href=\"{}\" class=\"external\" data-external=\"true\" title=\"{}\">",
            escape_attr(url),
            escape_attr(if title.is_empty() {
                "Si apre nel browser di sistema"
            } else {
                title
            })
        ),
        Target::Broken | Target::Forbidden | Target::UnknownView(_) => return None,
    })
}

fn image_mime(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// A bundled image as a `data:` URI, or `None` when it is not bundled or not an image.
fn bundled_image(dest: &str, ctx: &LinkContext<'_>) -> Option<String> {
    if has_scheme(dest).is_some() || dest.starts_with("//") {
        return None;
    }
    let path = normalise_relative(dest.split(['#', '?']).next().unwrap_or_default())?;
    let mime = image_mime(&path)?;
    let bytes = ctx.assets.get(&path)?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return None;
    }
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// Makes a heading anchor from its text: folded words joined by `-`.
pub(crate) fn anchor_for(text: &str) -> String {
    let words: Vec<String> = text::words(text).into_iter().map(|w| w.folded).collect();
    let anchor = words.join("-");
    if anchor.is_empty() {
        "sezione".to_owned()
    } else {
        anchor
    }
}

/// Renders a Markdown body to sanitised HTML, with its table of contents and plain text.
pub(crate) fn render(markdown: &str, ctx: &LinkContext<'_>) -> Rendered {
    let mut out = Rendered::default();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();

    // Pass 1: links, images and raw HTML.
    let mut pass1: Vec<Event<'_>> = Vec::with_capacity(events.len());
    // For each open link: did we emit an <a>?
    let mut link_stack: Vec<bool> = Vec::new();
    // Inside an image: its source and the alt text gathered so far.
    let mut image: Option<(String, String)> = None;
    for event in events {
        if let Some((_, alt)) = image.as_mut() {
            match event {
                Event::End(TagEnd::Image) => {
                    if let Some((src, alt)) = image.take() {
                        match bundled_image(&src, ctx) {
                            Some(data) => pass1.push(Event::Html(CowStr::from(format!(
                                "<img src=\"{}\" alt=\"{}\">",
                                data,
                                escape_attr(&alt)
                            )))),
                            None => {
                                out.problems.push(Problem::ImageNotBundled {
                                    page: ctx.page.to_owned(),
                                    target: src,
                                });
                                if !alt.is_empty() {
                                    pass1.push(Event::Text(CowStr::from(format!("[{alt}]"))));
                                }
                            }
                        }
                    }
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                let target = resolve(&dest_url, link_type, ctx);
                match &target {
                    Target::Broken => out.problems.push(Problem::BrokenLink {
                        page: ctx.page.to_owned(),
                        target: dest_url.to_string(),
                    }),
                    Target::Forbidden => out.problems.push(Problem::ForbiddenLink {
                        page: ctx.page.to_owned(),
                        target: dest_url.to_string(),
                    }),
                    Target::UnknownView(view) => out.problems.push(Problem::UnknownAppView {
                        page: ctx.page.to_owned(),
                        view: view.clone(),
                    }),
                    Target::Page {
                        slug,
                        anchor: Some(anchor),
                    } => out.anchored_links.push((slug.clone(), anchor.clone())),
                    _ => {}
                }
                match open_anchor(&target, &title) {
                    Some(html) => {
                        pass1.push(Event::InlineHtml(CowStr::from(html)));
                        link_stack.push(true);
                    }
                    None => {
                        pass1.push(Event::InlineHtml(CowStr::from(
                            "<span class=\"broken-link\">",
                        )));
                        link_stack.push(false);
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                let emitted = link_stack.pop().unwrap_or(false);
                pass1.push(Event::InlineHtml(CowStr::from(if emitted {
                    "</a>"
                } else {
                    "</span>"
                })));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((dest_url.to_string(), String::new()));
            }
            // Raw HTML from the Markdown is shown as text, never interpreted.
            Event::Html(raw) | Event::InlineHtml(raw) => pass1.push(Event::Text(raw)),
            Event::Start(Tag::HtmlBlock) => pass1.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => pass1.push(Event::End(TagEnd::Paragraph)),
            other => pass1.push(other),
        }
    }

    // Pass 2: heading anchors, table of contents, plain text.
    let mut pass2: Vec<Event<'_>> = Vec::with_capacity(pass1.len());
    // The footer's "Fonti ufficiali" heading is added after rendering: keep its id free.
    let mut used_anchors: HashSet<String> = [FOOTER_ANCHOR.to_owned()].into_iter().collect();
    let mut heading: Option<(HeadingLevel, Vec<Event<'_>>, String)> = None;
    for event in pass1 {
        if let Some((level, inner, text)) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let level = *level;
                    let inner = std::mem::take(inner);
                    let text = std::mem::take(text);
                    heading = None;
                    let base = anchor_for(&text);
                    let mut anchor = base.clone();
                    let mut n = 2;
                    while !used_anchors.insert(anchor.clone()) {
                        anchor = format!("{base}-{n}");
                        n += 1;
                    }
                    out.anchors.push(anchor.clone());
                    let level_num = level as u8;
                    if level_num == 2 || level_num == 3 {
                        out.toc.push(TocEntry {
                            level: level_num,
                            text: text.trim().to_owned(),
                            anchor: anchor.clone(),
                        });
                    }
                    out.headings.push_str(text.trim());
                    out.headings.push('\n');
                    out.plain.push_str(text.trim());
                    out.plain.push('\n');
                    pass2.push(Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(anchor)),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    }));
                    pass2.extend(inner);
                    pass2.push(Event::End(TagEnd::Heading(level)));
                }
                other => {
                    if let Event::Text(t) | Event::Code(t) = &other {
                        text.push_str(t);
                    }
                    inner.push(other);
                }
            }
            continue;
        }
        match &event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((*level, Vec::new(), String::new()));
                continue;
            }
            Event::Text(t) | Event::Code(t) => out.plain.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.plain.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.plain.push('\n'),
            _ => {}
        }
        pass2.push(event);
    }

    let mut raw_html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut raw_html, pass2.into_iter());
    out.html = sanitize(&raw_html);
    out
}

/// The second, independent layer: an allow list of tags, attributes and URL forms.
pub(crate) fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = [
        "a",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "br",
        "img",
        "span",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert(
        "a",
        [
            "href",
            "title",
            "class",
            "data-portal-slug",
            "data-portal-anchor",
            "data-app-view",
            "data-attachment",
            "data-external",
        ]
        .into_iter()
        .collect(),
    );
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        attrs.insert(h, ["id"].into_iter().collect());
    }
    attrs.insert("img", ["src", "alt"].into_iter().collect());
    attrs.insert("span", ["class"].into_iter().collect());
    attrs.insert("ol", ["start"].into_iter().collect());
    let schemes: HashSet<&str> = ["http", "https", "mailto", "tel", "data"]
        .into_iter()
        .collect();
    ammonia::Builder::default()
        .tags(tags)
        .tag_attributes(attrs)
        .generic_attributes(HashSet::new())
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| {
            let allowed = match (element, attribute) {
                ("img", "src") => value.starts_with("data:image/"),
                ("a", "href") => {
                    let lower = value.trim_start().to_ascii_lowercase();
                    lower.starts_with('#')
                        || lower.starts_with("https://")
                        || lower.starts_with("http://")
                        || lower.starts_with("mailto:")
                        || lower.starts_with("tel:")
                }
                ("a" | "span", "class") => matches!(value, "external" | "broken-link"),
                _ => true,
            };
            if allowed {
                Some(value.into())
            } else {
                None
            }
        })
        .clean(html)
        .to_string()
}
