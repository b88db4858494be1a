//! The PDF "rapporto di verifica": A4, tagged (PDF/UA-1: headings, paragraphs, document
//! language and title; page numbers marked as artifacts), all text real text in the bundled
//! Titillium Web (SIL OFL 1.1, embedded as a subset), no images. Built with `krilla`.
//!
//! Contents: the check (time in Europe/Rome, tool, policy, trust sources with sequence
//! numbers and dates), then per file its name, size, SHA-256 and format, and per signature
//! the verdict in words, signer, codice fiscale, issuer, qualified status, times, checks,
//! warnings, timestamps and what changed after signing; last, the statement that the app is
//! not a qualified validation service. The output depends only on the report, the header
//! and the language.

use std::num::NonZeroU16;

use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, Tag, TagGroup, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use lavoro_agile_verify::report::{FileReport, Format, Report, SignatureReport};
use lavoro_agile_verify::Lang;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use crate::header::{Filing, Header};
use crate::l10n::{self, t};
use crate::Error;

static REGULAR: &[u8] = include_bytes!("../fonts/TitilliumWeb-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/TitilliumWeb-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 60.0;
const MARGIN_BOTTOM: f32 = 64.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// Pages at most: a report longer than this is cut with a line saying so (a file has at
/// most 256 signatures, so only a huge batch gets there).
const MAX_PAGES: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    H1,
    H2,
    H3,
    P,
}

struct Block {
    kind: Kind,
    text: String,
    indent: f32,
}

impl Kind {
    fn size(self) -> f32 {
        match self {
            Kind::H1 => 18.0,
            Kind::H2 => 14.0,
            Kind::H3 => 12.0,
            Kind::P => 10.0,
        }
    }
    fn bold(self) -> bool {
        self != Kind::P
    }
    fn space_before(self) -> f32 {
        match self {
            Kind::H1 => 0.0,
            Kind::H2 => 16.0,
            Kind::H3 => 10.0,
            Kind::P => 2.0,
        }
    }
}

/// Glyph advances of a font, for line breaking.
struct Metrics<'a> {
    font: skrifa::FontRef<'a>,
}

impl Metrics<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let gm = self
            .font
            .glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| gm.advance_width(g))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }
}

impl Metrics<'_> {
    /// The text with every character the font cannot show (control and format characters,
    /// other scripts, emoji) replaced by `?`: names in certificates are untrusted, and a
    /// character without a glyph would make the accessible PDF invalid.
    fn printable(&self, text: &str) -> String {
        let charmap = self.font.charmap();
        text.chars()
            .map(|c| match c {
                ' ' => ' ',
                c if c.is_control() => '?',
                c if charmap.map(c).is_some_and(|g| g.to_u32() != 0) => c,
                _ => '?',
            })
            .collect()
    }
}

/// Splits `text` into lines no wider than `width`; a word wider than a line is cut.
fn wrap(m: &Metrics<'_>, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if m.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: cut it if it does not fit.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if m.width(&piece, size) > width && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        line = piece;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

struct Builder {
    blocks: Vec<Block>,
    lang: Lang,
}

impl Builder {
    fn push(&mut self, kind: Kind, text: impl Into<String>) {
        self.blocks.push(Block {
            kind,
            text: text.into(),
            indent: 0.0,
        });
    }
    fn field(&mut self, label: &str, value: impl AsRef<str>) {
        self.push(Kind::P, format!("{label}: {}", value.as_ref()));
    }
    fn item(&mut self, text: impl Into<String>) {
        self.blocks.push(Block {
            kind: Kind::P,
            text: format!("• {}", text.into()),
            indent: 12.0,
        });
    }
    fn t(&self, it: &'static str, en: &'static str) -> &'static str {
        t(self.lang, it, en)
    }
    /// The text of a `Bilingual` in the report's language.
    fn bi<'a>(&self, text: &'a lavoro_agile_verify::report::Bilingual) -> &'a str {
        text.get(self.lang)
    }
}

fn signer_name(s: &SignatureReport) -> Option<String> {
    let signer = s.signer.as_ref()?;
    signer
        .common_name
        .clone()
        .or_else(|| match (&signer.given_name, &signer.surname) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            _ => None,
        })
}

fn signature_blocks(b: &mut Builder, file: &FileReport, s: &SignatureReport) {
    let lang = b.lang;
    let mut title = format!(
        "{} {}: {}",
        b.t("Firma", "Signature"),
        s.id,
        l10n::verdict(s.indication, lang)
    );
    if let Some(p) = &s.counter_signature_of {
        title.push_str(&format!(
            " ({} {p})",
            b.t("controfirma della firma", "countersignature of")
        ));
    }
    b.push(Kind::H3, title);
    let technical = match s.subindication {
        Some(sub) => format!("{} / {}", s.indication.as_str(), sub.as_str()),
        None => s.indication.as_str().to_owned(),
    };
    b.field(
        b.t(
            "Esito tecnico (ETSI EN 319 102-1)",
            "Technical outcome (ETSI EN 319 102-1)",
        ),
        technical,
    );
    b.field(
        b.t("Firmatario", "Signer"),
        signer_name(s).unwrap_or_else(|| b.t("non identificato", "not identified").to_owned()),
    );
    if let Some(signer) = &s.signer {
        if let Some(o) = &signer.organization {
            b.field(b.t("Organizzazione", "Organisation"), o);
        }
        if let Some(cf) = &signer.codice_fiscale {
            b.field(b.t("Codice fiscale", "Tax code (codice fiscale)"), cf);
        }
        if let Some(i) = &signer.issuer {
            b.field(b.t("Certificato emesso da", "Certificate issued by"), i);
        }
        if let Some(n) = &signer.serial_number {
            b.field(
                b.t(
                    "Numero di serie del certificato",
                    "Certificate serial number",
                ),
                n,
            );
        }
        if let Some(h) = &signer.certificate_sha256 {
            b.field(b.t("SHA-256 del certificato", "Certificate SHA-256"), h);
        }
    }
    // Qualified status comes from the trusted lists given.
    match &s.qualification {
        Some(q) => b.field(
            b.t("Qualificazione", "Qualification"),
            format!("{} ({})", b.bi(&q.label), b.bi(&q.reason)),
        ),
        None => b.field(
            b.t("Qualificazione", "Qualification"),
            b.t(
                "non determinata (nessun elenco di fiducia indicato)",
                "not determined (no trusted list given)",
            ),
        ),
    }
    if let Some(st) = &s.signing_time {
        b.field(
            b.t("Data di firma dichiarata", "Claimed signing time"),
            l10n::rome_time(*st, lang),
        );
    }
    b.field(
        b.t("Data di riferimento della verifica", "Validation time"),
        format!(
            "{} — {}",
            l10n::rome_time(s.validation_time.time, lang),
            l10n::basis(s.validation_time.basis, lang)
        ),
    );
    if let (Some(d), Some(a)) = (&s.digest_algorithm, &s.signature_algorithm) {
        b.field(b.t("Algoritmi", "Algorithms"), format!("{d}; {a}"));
    }
    b.push(Kind::P, b.t("Controlli eseguiti:", "Checks:"));
    for c in &s.checks {
        let mut line = format!("{}: {}", l10n::outcome(c.outcome, lang), c.detail.get(lang));
        if let Some(sub) = c.subindication {
            line.push_str(&format!(" ({})", sub.as_str()));
        }
        b.item(line);
    }
    if s.warnings.is_empty() {
        b.field(b.t("Avvertenze", "Warnings"), b.t("nessuna", "none"));
    } else {
        b.push(Kind::P, b.t("Avvertenze:", "Warnings:"));
        for w in &s.warnings {
            b.item(w.message.get(lang).to_owned());
        }
    }
    let ts: Vec<_> = file
        .timestamps
        .iter()
        .filter(|t| t.covers.contains(&s.id))
        .collect();
    if ts.is_empty() {
        b.field(
            b.t("Marche temporali", "Timestamps"),
            b.t("nessuna", "none"),
        );
    } else {
        b.push(Kind::P, b.t("Marche temporali:", "Timestamps:"));
        for tsr in ts {
            let when = tsr
                .gen_time
                .map(|g| l10n::rome_time(g, lang))
                .unwrap_or_else(|| "?".to_owned());
            let sub = tsr
                .subindication
                .map(|x| format!(" ({})", x.as_str()))
                .unwrap_or_default();
            b.item(format!(
                "{} {} {}: {when} — {}{sub}",
                tsr.id,
                b.t("marca", "timestamp"),
                l10n::timestamp_kind(tsr.kind, lang),
                l10n::timestamp_verdict(tsr.indication, lang)
            ));
        }
    }
    let changed = match file.format {
        Some(Format::Pades) => b.t(
            "non determinato (le modifiche successive alla firma dei PDF non sono ancora analizzate)",
            "not determined (changes to PDFs after signing are not analysed yet)",
        ),
        _ => b.t(
            "non applicabile: il contenuto firmato è racchiuso nella firma e ogni modifica la renderebbe non valida",
            "not applicable: the signed content is enclosed in the signature and any change would invalidate it",
        ),
    };
    b.field(
        b.t("Modifiche dopo la firma", "Changes after signing"),
        changed,
    );
    b.field(b.t("In sintesi", "In short"), s.explanation.get(lang));
}

fn blocks(report: &Report, header: &Header, lang: Lang) -> Vec<Block> {
    let mut b = Builder {
        blocks: Vec::new(),
        lang,
    };
    b.push(
        Kind::H1,
        b.t(
            "Rapporto di verifica delle firme digitali",
            "Digital signature verification report",
        ),
    );
    b.field(
        b.t("Data e ora della verifica", "Date and time of the check"),
        l10n::rome_time(header.check_time, lang),
    );
    b.field(
        b.t("Prodotto con", "Produced with"),
        format!("{} {}", report.tool.name, report.tool.version),
    );
    b.field(
        b.t("Regole di verifica (policy)", "Verification rules (policy)"),
        format!("{} — SHA-256 {}", header.policy.id, header.policy.sha256),
    );
    b.push(Kind::H2, b.t("Fonti di fiducia", "Trust sources"));
    if header.trust_sources.is_empty() {
        b.push(
            Kind::P,
            b.t(
                "Nessuna fonte di fiducia indicata: nessuna firma può risultare valida, al massimo con esito incerto.",
                "No trust source given: no signature can be found valid, at best inconclusive.",
            ),
        );
    }
    for src in &header.trust_sources {
        let mut line = l10n::source_kind(src.kind, lang).to_owned();
        if let Some(n) = &src.name {
            line.push_str(&format!(": {n}"));
        }
        if let Some(seq) = src.sequence_number {
            line.push_str(&format!(
                "; {} {seq}",
                b.t("numero di sequenza", "sequence number")
            ));
        }
        if let Some(i) = src.issued {
            line.push_str(&format!(
                "; {} {}",
                b.t("emesso il", "issued"),
                l10n::rome_time(i, lang)
            ));
        }
        if let Some(n) = src.next_update {
            line.push_str(&format!(
                "; {} {}",
                b.t("valido fino al", "valid until"),
                l10n::rome_time(n, lang)
            ));
        }
        line.push_str(&format!("; SHA-256 {}", src.sha256));
        if let Some(o) = &src.origin {
            let (it, en) = o.words();
            let words = if lang == Lang::It { it } else { en };
            line.push_str(&format!("; {} {words}", b.t("origine:", "origin:")));
        }
        for note in &src.notes {
            line.push_str(&format!(" — {}", b.bi(note)));
        }
        b.item(line);
    }
    for (i, file) in report.files.iter().enumerate() {
        b.push(Kind::H2, format!("{}: {}", b.t("File", "File"), file.path));
        match header.file_sizes.get(i).copied().flatten() {
            Some(n) => b.field(b.t("Dimensione", "Size"), format!("{n} byte")),
            None => b.field(b.t("Dimensione", "Size"), b.t("non nota", "unknown")),
        }
        if let Some(h) = &file.sha256 {
            b.field("SHA-256", h);
        }
        if let Some(f) = file.format {
            b.field(b.t("Formato", "Format"), l10n::format(f, lang));
        }
        if let Some(e) = &file.error {
            let code = serde_json::to_value(e.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            b.field(
                b.t("Esito", "Outcome"),
                format!(
                    "{} ({code})",
                    b.t(
                        "il file non ha potuto essere verificato",
                        "the file could not be checked"
                    )
                ),
            );
            continue;
        }
        b.field(
            b.t("Firme trovate", "Signatures found"),
            file.signatures.len().to_string(),
        );
        for s in &file.signatures {
            signature_blocks(&mut b, file, s);
        }
        if file.signatures.is_empty() {
            b.push(Kind::P, b.t("Marche temporali:", "Timestamps:"));
            for tsr in &file.timestamps {
                let when = tsr
                    .gen_time
                    .map(|g| l10n::rome_time(g, lang))
                    .unwrap_or_else(|| "?".to_owned());
                b.item(format!(
                    "{}: {when} — {}",
                    tsr.id,
                    l10n::timestamp_verdict(tsr.indication, lang)
                ));
            }
        }
    }
    b.push(Kind::H2, b.t("Avvertenza", "Notice"));
    b.push(
        Kind::P,
        b.t(
            "Questo rapporto è prodotto da Lavoro Agile, che non è un servizio qualificato di convalida delle firme elettroniche qualificate ai sensi del Regolamento (UE) n. 910/2014 (eIDAS). Gli esiti valgono per la data di riferimento indicata e per le fonti di fiducia elencate.",
            "This report is produced by Lavoro Agile, which is not a qualified validation service for qualified electronic signatures under Regulation (EU) No 910/2014 (eIDAS). The outcomes hold for the validation time shown and the trust sources listed.",
        ),
    );
    b.blocks
}

struct PlacedLine {
    block: usize,
    text: String,
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
}

fn layout(blocks: &[Block], regular: &Metrics<'_>, bold: &Metrics<'_>) -> Vec<Vec<PlacedLine>> {
    let mut pages: Vec<Vec<PlacedLine>> = vec![Vec::new()];
    let mut y = MARGIN_TOP;
    let bottom = PAGE_H - MARGIN_BOTTOM;
    for (i, block) in blocks.iter().enumerate() {
        let size = block.kind.size();
        let m = if block.kind.bold() { bold } else { regular };
        let lead = size * 1.35;
        let lines = wrap(m, &m.printable(&block.text), size, TEXT_W - block.indent);
        // Keep a heading with at least two lines of what follows.
        let need = lead * lines.len() as f32
            + if block.kind == Kind::P {
                0.0
            } else {
                2.0 * 13.5
            };
        y += block.kind.space_before();
        if y + need.min(bottom - MARGIN_TOP) > bottom && y > MARGIN_TOP + 1.0 {
            if pages.len() >= MAX_PAGES {
                break;
            }
            pages.push(Vec::new());
            y = MARGIN_TOP;
        }
        for text in lines {
            if y + lead > bottom {
                if pages.len() >= MAX_PAGES {
                    break;
                }
                pages.push(Vec::new());
                y = MARGIN_TOP;
            }
            y += lead;
            if let Some(page) = pages.last_mut() {
                page.push(PlacedLine {
                    block: i,
                    text,
                    x: MARGIN_X + block.indent,
                    y: y - lead * 0.3,
                    size,
                    bold: block.kind.bold(),
                });
            }
        }
    }
    pages
}

/// Bookmarks: files and other sections, signatures under their file (PDF/UA asks for an
/// outline so that readers can move by section).
fn outline(blocks: &[Block], pages: &[Vec<PlacedLine>]) -> Outline {
    let first_line = |block: usize| {
        pages.iter().enumerate().find_map(|(p, lines)| {
            lines
                .iter()
                .find(|l| l.block == block)
                .map(|l| XyzDestination::new(p, Point::from_xy(MARGIN_X, l.y - l.size * 1.2)))
        })
    };
    let mut outline = Outline::new();
    let mut section: Option<OutlineNode> = None;
    for (i, b) in blocks.iter().enumerate() {
        let Some(dest) = first_line(i) else { continue };
        match b.kind {
            Kind::H2 => {
                if let Some(done) = section.take() {
                    outline.push_child(done);
                }
                section = Some(OutlineNode::new(b.text.clone(), dest));
            }
            Kind::H3 => match section.as_mut() {
                Some(s) => s.push_child(OutlineNode::new(b.text.clone(), dest)),
                None => outline.push_child(OutlineNode::new(b.text.clone(), dest)),
            },
            Kind::H1 | Kind::P => {}
        }
    }
    if let Some(done) = section {
        outline.push_child(done);
    }
    outline
}

/// The PDF report in `lang`.
pub fn render(filing: Filing<'_>, lang: Lang) -> Result<Vec<u8>, Error> {
    let regular_font = Font::new(REGULAR.into(), 0).ok_or(Error::Font)?;
    let bold_font = Font::new(BOLD.into(), 0).ok_or(Error::Font)?;
    let regular = Metrics {
        font: skrifa::FontRef::new(REGULAR).map_err(|_| Error::Font)?,
    };
    let bold = Metrics {
        font: skrifa::FontRef::new(BOLD).map_err(|_| Error::Font)?,
    };
    let blocks = blocks(filing.report, filing.header, lang);
    let pages = layout(&blocks, &regular, &bold);

    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| Error::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let lang_tag = match lang {
        Lang::It => "it-IT",
        Lang::En => "en-GB",
    };
    let title = t(
        lang,
        "Rapporto di verifica delle firme digitali",
        "Digital signature verification report",
    );
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language(lang_tag.to_owned())
            .creator(format!(
                "{} {}",
                filing.report.tool.name, filing.report.tool.version
            ))
            .document_id(filing.header.check_time.to_rfc3339()),
    );

    document.set_outline(outline(&blocks, &pages));

    let mut ids: Vec<Vec<Identifier>> = blocks.iter().map(|_| Vec::new()).collect();
    let total = pages.len();
    for (n, lines) in pages.iter().enumerate() {
        let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| Error::Pdf("page size".to_owned()))?;
        let mut page = document.start_page_with(page_settings);
        let mut surface = page.surface();
        for line in lines {
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            surface.draw_text(
                Point::from_xy(line.x, line.y),
                if line.bold {
                    bold_font.clone()
                } else {
                    regular_font.clone()
                },
                line.size,
                &line.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            if let Some(v) = ids.get_mut(line.block) {
                v.push(id);
            }
        }
        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
            ArtifactType::PageNumber,
        )));
        let footer = format!("{} {} / {}", t(lang, "Pagina", "Page"), n + 1, total);
        let w = regular.width(&footer, 8.0);
        surface.draw_text(
            Point::from_xy(PAGE_W - MARGIN_X - w, PAGE_H - 30.0),
            regular_font.clone(),
            8.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }

    let mut tree = TagTree::new().with_lang(Some(lang_tag.to_owned()));
    for (block, block_ids) in blocks.iter().zip(ids) {
        if block_ids.is_empty() {
            continue;
        }
        let mut group = match block.kind {
            Kind::H1 => TagGroup::new(Tag::Hn(NonZeroU16::MIN, Some(block.text.clone()))),
            Kind::H2 => TagGroup::new(Tag::Hn(
                NonZeroU16::MIN.saturating_add(1),
                Some(block.text.clone()),
            )),
            Kind::H3 => TagGroup::new(Tag::Hn(
                NonZeroU16::MIN.saturating_add(2),
                Some(block.text.clone()),
            )),
            Kind::P => TagGroup::new(Tag::P),
        };
        for id in block_ids {
            group.push(id);
        }
        tree.push(group);
    }
    document.set_tag_tree(tree);
    document.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}
