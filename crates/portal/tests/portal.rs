//! Integration tests of the portal crate. Modules:
//! - `content`: the default content (every section present, no dangling link, dates, sources);
//! - `render`: links, anchors, table of contents, bundled images;
//! - `sanitise`: hostile Markdown never yields script, handlers or remote resources;
//! - `search`: quality on a fixed list of queries, folding, stemming, prefixes, snippets;
//! - `assessment`: scoring of the self-assessment;
//! - `loading`: front-matter errors, folders, pages vs news vs other files;
//! - `fuzz_corpus`: replays `fuzz/corpus/*` through the fuzzing entry points.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use lavoro_agile_portal::{fuzzing, Answer, Level, Portal, PortalError, Problem};

fn bundled() -> Portal {
    Portal::bundled().expect("the bundled content loads")
}

fn page_md(title: &str, body: &str) -> Vec<u8> {
    format!(
        "---\ntitle: {title}\nsummary: Riassunto di {title}.\nsection: Prova\nreviewed: 2026-01-31\nsources:\n  - Fonte <https://www.normattiva.it/>\n---\n{body}"
    )
    .into_bytes()
}

fn files(list: &[(&str, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(p, b)| (p.to_string(), b.clone()))
        .collect()
}

/// Tags and attribute names of sanitised HTML (text never contains a raw `<`).
fn tags_and_attributes(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let mut chars = rest.char_indices().peekable();
        let mut name = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() || c == '>' || c == '/' && !name.is_empty() {
                break;
            }
            name.push(c);
            chars.next();
        }
        let mut attrs = Vec::new();
        let mut end = rest.len();
        loop {
            while chars
                .peek()
                .is_some_and(|&(_, c)| c.is_whitespace() || c == '/')
            {
                chars.next();
            }
            match chars.peek() {
                None => break,
                Some(&(i, '>')) => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
            let mut attr = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c == '=' || c.is_whitespace() || c == '>' {
                    break;
                }
                attr.push(c);
                chars.next();
            }
            let mut value = String::new();
            if chars.peek().is_some_and(|&(_, c)| c == '=') {
                chars.next();
                if chars.peek().is_some_and(|&(_, c)| c == '"') {
                    chars.next();
                    for (_, c) in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                        value.push(c);
                    }
                }
            }
            attrs.push((attr.to_ascii_lowercase(), value));
        }
        out.push((name.to_ascii_lowercase(), attrs));
        rest = &rest[end.min(rest.len())..];
    }
    out
}

fn assert_safe(html: &str) {
    let allowed_tags = [
        "a",
        "p",
        "/p",
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
        "footer",
        "time",
    ];
    for (tag, attrs) in tags_and_attributes(html) {
        let bare = tag.trim_start_matches('/');
        assert!(
            allowed_tags.contains(&bare),
            "tag <{tag}> not allowed in {html}"
        );
        for (name, value) in attrs {
            assert!(!name.starts_with("on"), "event handler {name} in {html}");
            assert!(name != "style" && name != "srcset", "{name} in {html}");
            let v = value.to_ascii_lowercase();
            if name == "href" {
                assert!(
                    v.starts_with('#')
                        || v.starts_with("https://")
                        || v.starts_with("http://")
                        || v.starts_with("mailto:")
                        || v.starts_with("tel:"),
                    "href {value} in {html}"
                );
            }
            if name == "src" {
                assert!(v.starts_with("data:image/"), "src {value} in {html}");
            }
        }
    }
}

mod content {
    use super::*;

    /// One page per section the issue lists.
    const SECTIONS: &[&str] = &[
        "lavoro-agile",
        "normativa-nazionale",
        "normativa-comunale",
        "raccomandazioni-agid",
        "buone-abitudini",
        "comunicazione-interna",
        "tutorial-video-riunioni",
        "tutorial-condivisione-documenti",
        "proposte-deliberazione",
        "libro-firma-con-protocollo",
        "libro-firma-senza-protocollo",
        "verifica-firma-digitale",
        "applicativi",
        "sicurezza-informatica",
        "competenze-digitali",
        "glossario",
    ];

    #[test]
    fn bundled_content_every_section_has_a_page() {
        let portal = bundled();
        for slug in SECTIONS {
            assert!(portal.page(slug).is_some(), "missing page {slug}");
        }
        assert_eq!(portal.pages().len(), SECTIONS.len());
    }

    #[test]
    fn bundled_content_no_problems_no_dangling_links() {
        let portal = bundled();
        assert_eq!(portal.problems(), &[] as &[Problem]);
    }

    #[test]
    fn bundled_content_every_page_states_review_date_and_official_sources() {
        let portal = bundled();
        for page in portal.pages() {
            assert!(!page.sources.is_empty(), "{} cites no source", page.slug);
            assert!(
                page.html.contains("Contenuto verificato il"),
                "{} does not state its review date",
                page.slug
            );
            assert!(page.html.contains(&page.reviewed.to_string()));
            assert!(!page.summary.is_empty() && !page.tags.is_empty());
            assert_safe(&page.html);
        }
    }

    #[test]
    fn bundled_content_news_are_newest_first_and_not_pages() {
        let portal = bundled();
        let news = portal.news();
        assert!(news.len() >= 2);
        for pair in news.windows(2) {
            assert!(pair[0].date >= pair[1].date);
        }
        for n in news {
            assert!(portal.page(&n.id).is_none());
            assert_safe(&n.html);
        }
    }

    #[test]
    fn portal_is_send_and_sync_for_shared_app_state() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Portal>();
    }

    #[test]
    fn bundled_content_news_item_by_id() {
        let portal = bundled();
        let first = portal.news()[0].id.clone();
        assert_eq!(
            portal.news_item(&first).map(|n| n.id.as_str()),
            Some(first.as_str())
        );
        assert!(portal.news_item("non-esiste").is_none());
    }

    #[test]
    fn bundled_content_readme_is_not_a_page() {
        assert!(bundled().page("README").is_none());
    }

    #[test]
    fn bundled_content_has_version_assessment_and_templates() {
        let portal = bundled();
        let info = portal.info().expect("portal.json");
        assert!(!info.version.is_empty());
        let a = portal.assessment().expect("autovalutazione.json");
        assert_eq!(a.areas.len(), 5);
        assert!(portal
            .attachment("modelli/proposta-deliberazione-giunta.rtf")
            .is_some_and(|b| b.starts_with(b"{\\rtf1")));
    }

    #[test]
    fn bundled_content_municipal_sample_is_labelled() {
        let page = bundled().page("normativa-comunale").cloned().unwrap();
        assert!(page.html.contains("ESEMPIO"));
    }

    #[test]
    fn bundled_content_verification_page_links_to_app_verifier() {
        let page = bundled().page("verifica-firma-digitale").cloned().unwrap();
        assert!(page.html.contains("data-app-view=\"verifica\""));
        assert!(page.html.contains("href=\"#/verifica\""));
    }

    #[test]
    fn bundled_content_word_count_is_substantial() {
        let words = bundled().word_count();
        eprintln!("default content: {words} words");
        assert!(words > 5000, "only {words} words");
    }
}

mod render {
    use super::*;

    fn two_pages(body: &str) -> Portal {
        Portal::from_files(files(&[
            ("uno.md", page_md("Uno", body)),
            ("due.md", page_md("Due", "## Sezione due\n\nTesto.\n")),
            ("img/logo.png", vec![0x89, b'P', b'N', b'G']),
            ("modelli/m.rtf", b"{\\rtf1 x}".to_vec()),
        ]))
        .unwrap()
    }

    #[test]
    fn render_relative_md_link_becomes_app_route() {
        let p = two_pages("[vai](due.md#sezione-due) e [slug](slug:due)\n");
        let html = &p.page("uno").unwrap().html;
        assert!(
            html.contains("href=\"#/portale/due/sezione-due\""),
            "{html}"
        );
        assert!(html.contains("data-portal-slug=\"due\""));
        assert!(html.contains("href=\"#/portale/due\""));
        assert!(p.problems().is_empty(), "{:?}", p.problems());
    }

    #[test]
    fn render_link_to_missing_page_is_a_problem() {
        let p = two_pages("[vai](tre.md) [x](slug:quattro)\n");
        let broken: Vec<_> = p
            .problems()
            .iter()
            .filter(|x| matches!(x, Problem::BrokenLink { .. }))
            .collect();
        assert_eq!(broken.len(), 2);
        assert!(p.page("uno").unwrap().html.contains("broken-link"));
    }

    #[test]
    fn render_link_to_missing_anchor_is_a_problem() {
        let p = two_pages("[vai](due.md#non-esiste)\n");
        assert!(p
            .problems()
            .iter()
            .any(|x| matches!(x, Problem::BrokenAnchor { anchor, .. } if anchor == "non-esiste")));
    }

    #[test]
    fn render_app_link_unknown_view_is_a_problem() {
        let p = two_pages("[a](app:verifica) [b](app:inesistente)\n");
        assert!(p
            .page("uno")
            .unwrap()
            .html
            .contains("data-app-view=\"verifica\""));
        assert!(p
            .problems()
            .iter()
            .any(|x| matches!(x, Problem::UnknownAppView { view, .. } if view == "inesistente")));
    }

    #[test]
    fn render_external_link_is_marked_for_system_browser() {
        let p = two_pages("[AgID](https://www.agid.gov.it/)\n");
        let html = &p.page("uno").unwrap().html;
        assert!(html.contains("data-external=\"true\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""));
    }

    #[test]
    fn render_attachment_link_points_to_bundled_file() {
        let p = two_pages("[modello](modelli/m.rtf)\n");
        let html = &p.page("uno").unwrap().html;
        assert!(html.contains("data-attachment=\"modelli/m.rtf\""), "{html}");
        assert_eq!(p.attachment("modelli/m.rtf"), Some(&b"{\\rtf1 x}"[..]));
        assert_eq!(p.attachment("../modelli/m.rtf"), None);
    }

    #[test]
    fn render_headings_get_unique_anchors_and_toc() {
        let p = two_pages("## Perché è così\n\n### Dettagli\n\n## Perché è così\n");
        let page = p.page("uno").unwrap();
        assert!(page.html.contains("id=\"perche-e-cosi\""));
        assert!(page.html.contains("id=\"perche-e-cosi-2\""));
        let anchors: Vec<&str> = page.toc.iter().map(|t| t.anchor.as_str()).collect();
        assert_eq!(
            anchors,
            [
                "perche-e-cosi",
                "dettagli",
                "perche-e-cosi-2",
                "fonti-ufficiali"
            ]
        );
        assert_eq!(page.toc[1].level, 3);
    }

    #[test]
    fn render_body_heading_named_like_footer_gets_other_id() {
        let p = two_pages("## Fonti ufficiali\n\nTesto.\n");
        let page = p.page("uno").unwrap();
        assert_eq!(page.html.matches("id=\"fonti-ufficiali\"").count(), 1);
        assert!(page.html.contains("id=\"fonti-ufficiali-2\""));
    }

    #[test]
    fn render_same_page_anchor_keeps_route() {
        let p = two_pages("## Qui\n\n[su](#qui)\n");
        assert!(p
            .page("uno")
            .unwrap()
            .html
            .contains("href=\"#/portale/uno/qui\""));
    }

    #[test]
    fn render_bundled_image_is_inlined() {
        let p = two_pages("![Logo del Comune](img/logo.png)\n");
        let html = &p.page("uno").unwrap().html;
        assert!(html.contains("src=\"data:image/png;base64,"), "{html}");
        assert!(html.contains("alt=\"Logo del Comune\""));
    }

    #[test]
    fn render_footer_lists_sources_as_external_links() {
        let p = two_pages("Testo.\n");
        let html = &p.page("uno").unwrap().html;
        assert!(html.contains("Fonti ufficiali"));
        assert!(html.contains("href=\"https://www.normattiva.it/\""));
        assert!(html.contains("31 gennaio 2026"));
    }
}

mod sanitise {
    use super::*;

    const HOSTILE: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"https://a.it\" onclick=\"alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](file:///etc/passwd)",
        "[x](//evil.example/x)",
        "<javascript:alert(1)>",
        "![remoto](https://evil.example/pixel.png)",
        "![remoto](//evil.example/pixel.png)",
        "![dati](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<style>body{background:url(https://evil.example/x)}</style>",
        "<svg onload=alert(1)>",
        "<div>\n<script>alert(1)</script>\n</div>",
        "[x](https://a.it \"t\\\" onmouseover=\\\"alert(1)\")",
        "<object data=\"https://evil.example/x.swf\"></object>",
        "<form action=\"https://evil.example\"><input name=p></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
        "<link rel=stylesheet href=https://evil.example/x.css>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<details open ontoggle=alert(1)>",
        "`<script>` in code and\n\n```html\n<script>alert(1)</script>\n```",
    ];

    #[test]
    fn sanitise_hostile_markdown_yields_only_safe_html() {
        for md in HOSTILE {
            let (html, _) = fuzzing::render_html(md);
            assert_safe(&html);
            assert!(!html.contains("evil.example/pixel"), "{md} -> {html}");
            assert!(
                !html.to_ascii_lowercase().contains("href=\"javascript"),
                "{md} -> {html}"
            );
        }
    }

    #[test]
    fn sanitise_raw_html_is_shown_as_text() {
        let (html, _) = fuzzing::render_html("Prima <b onclick=x>grassetto</b> dopo");
        assert!(html.contains("&lt;b onclick=x&gt;"), "{html}");
        assert!(!html.contains("<b"));
    }

    #[test]
    fn sanitise_forbidden_link_is_reported_and_dropped() {
        let (html, problems) = fuzzing::render_html("[x](javascript:alert(1))");
        assert!(!html.contains("<a"), "{html}");
        assert!(matches!(
            problems.first(),
            Some(Problem::ForbiddenLink { .. })
        ));
    }

    #[test]
    fn sanitise_remote_image_is_reported_and_replaced_by_alt_text() {
        let (html, problems) = fuzzing::render_html("![Mappa](https://evil.example/m.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[Mappa]"));
        assert!(matches!(
            problems.first(),
            Some(Problem::ImageNotBundled { .. })
        ));
    }

    #[test]
    fn sanitise_hostile_front_matter_is_escaped() {
        let md = "---\ntitle: \"<script>alert(1)</script>\"\nsummary: x\nsection: s\nreviewed: 2026-01-01\nsources:\n  - \"<img src=x onerror=alert(1)> <javascript:alert(1)>\"\n---\nTesto\n";
        let p = Portal::from_files(files(&[("pagina.md", md.as_bytes().to_vec())])).unwrap();
        let page = p.page("pagina").unwrap();
        assert_safe(&page.html);
        assert!(p
            .problems()
            .iter()
            .any(|x| matches!(x, Problem::SourceWithoutUrl { .. })));
    }
}

mod search {
    use super::*;

    /// Fixed queries and the page expected first.
    const EXPECTED_TOP: &[(&str, &str)] = &[
        ("phishing", "sicurezza-informatica"),
        ("PIAO", "normativa-nazionale"),
        ("POLA piao", "normativa-nazionale"),
        ("deliberazione giunta", "proposte-deliberazione"),
        ("parere di regolarità contabile", "proposte-deliberazione"),
        ("protocollo", "libro-firma-con-protocollo"),
        ("determinazione", "libro-firma-senza-protocollo"),
        ("p7m", "verifica-firma-digitale"),
        ("verificare firma", "verifica-firma-digitale"),
        ("marca temporale", "verifica-firma-digitale"),
        ("videoconferenza", "tutorial-video-riunioni"),
        ("video riunioni", "tutorial-video-riunioni"),
        ("raccomandazioni agid", "raccomandazioni-agid"),
        ("syllabus", "competenze-digitali"),
        ("autovalutazione", "competenze-digitali"),
        ("glossario", "glossario"),
        ("circolari", "normativa-comunale"),
        ("accordo individuale", "lavoro-agile"),
        ("chi puo chiedere il lavoro agile", "lavoro-agile"),
        ("applicativi vpn", "applicativi"),
        ("cartelle condivise", "tutorial-condivisione-documenti"),
        ("pause postazione", "buone-abitudini"),
        ("notizie", "comunicazione-interna"),
        ("legge 81/2017", "normativa-nazionale"),
        ("lavoro da remoto", "normativa-nazionale"),
        ("wifi", "raccomandazioni-agid"),
        ("password", "raccomandazioni-agid"),
        ("esecutivita", "proposte-deliberazione"),
        ("telelavoro", "normativa-nazionale"),
        ("recesso preavviso", "lavoro-agile"),
        ("open data", "competenze-digitali"),
        ("firma remota", "libro-firma-con-protocollo"),
    ];

    #[test]
    fn search_fixed_queries_rank_expected_page_first() {
        let portal = bundled();
        let mut failures = Vec::new();
        for (query, expected) in EXPECTED_TOP {
            let hits = portal.search(query, 5);
            let top: Vec<&str> = hits.iter().map(|h| h.slug.as_str()).collect();
            if top.first() != Some(expected) {
                failures.push(format!("{query:?}: expected {expected}, got {top:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn search_firmare_finds_signature_pages() {
        let portal = bundled();
        let top: Vec<String> = portal
            .search("firmare", 3)
            .into_iter()
            .map(|h| h.slug)
            .collect();
        assert!(
            top.iter().all(|s| s.contains("firma")),
            "firmare -> {top:?}"
        );
    }

    #[test]
    fn search_stemming_firmare_finds_firma() {
        let p = Portal::from_files(files(&[
            (
                "a.md",
                page_md("Pagina A", "Serve la firma del dirigente.\n"),
            ),
            ("b.md", page_md("Pagina B", "Niente di rilevante qui.\n")),
        ]))
        .unwrap();
        let hits = p.search("firmare", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].slug, "a");
        assert!(
            hits[0].snippet_html.contains("<mark>firma</mark>"),
            "{:?}",
            hits[0]
        );
    }

    #[test]
    fn search_accent_folding_perche_finds_perche_accented() {
        let p = Portal::from_files(files(&[
            ("a.md", page_md("Pagina A", "Ecco perché conviene.\n")),
            ("b.md", page_md("Pagina B", "Altro testo.\n")),
        ]))
        .unwrap();
        let hits = p.search("perche ", 10);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].snippet.contains("perché"));
        assert_eq!(p.search("PERCHÉ", 10).len(), 1);
    }

    #[test]
    fn search_as_you_type_prefix_matches_last_word() {
        let portal = bundled();
        for (typed, expected) in [
            ("delib", "proposte-deliberazione"),
            ("phish", "sicurezza-informatica"),
            ("gloss", "glossario"),
            ("libro firma senza prot", "libro-firma-senza-protocollo"),
        ] {
            let hits = portal.search(typed, 3);
            assert_eq!(
                hits.first().map(|h| h.slug.as_str()),
                Some(expected),
                "{typed}: {hits:?}"
            );
        }
    }

    #[test]
    fn search_snippet_highlights_matches_and_escapes_html() {
        let p = Portal::from_files(files(&[(
            "a.md",
            page_md("A", "Il simbolo <b> e la disconnessione serale.\n"),
        )]))
        .unwrap();
        let hit = &p.search("disconnessione", 1)[0];
        assert!(hit.snippet_html.contains("<mark>disconnessione</mark>"));
        assert!(
            hit.snippet_html.contains("&lt;b&gt;"),
            "{}",
            hit.snippet_html
        );
        assert!(hit.snippet.contains("disconnessione"));
    }

    #[test]
    fn search_empty_or_stop_word_queries_do_not_fail() {
        let portal = bundled();
        assert!(portal.search("", 10).is_empty());
        assert!(portal.search("   ", 10).is_empty());
        let _ = portal.search("di la", 10);
        let _ = portal.search(&"a".repeat(10_000), 10);
        assert!(portal.search("firma", 0).is_empty());
    }

    #[test]
    fn search_results_are_sorted_and_limited() {
        let hits = bundled().search("lavoro", 4);
        assert_eq!(hits.len(), 4);
        for pair in hits.windows(2) {
            assert!(pair[0].score >= pair[1].score);
        }
    }
}

mod assessment {
    use super::*;

    fn answers(correct_per_area: &[(&str, usize)]) -> Vec<Answer> {
        let portal = bundled();
        let a = portal.assessment().unwrap();
        let mut out = Vec::new();
        for (area, n) in correct_per_area {
            for (i, q) in a.questions.iter().filter(|q| q.area == *area).enumerate() {
                let option = if i < *n {
                    q.correct
                } else {
                    (q.correct + 1) % q.options.len()
                };
                out.push(Answer {
                    question: q.id.clone(),
                    option,
                });
            }
        }
        out
    }

    #[test]
    fn assessment_all_right_is_advanced_everywhere() {
        let portal = bundled();
        let a = portal.assessment().unwrap();
        let all: Vec<Answer> = a
            .questions
            .iter()
            .map(|q| Answer {
                question: q.id.clone(),
                option: q.correct,
            })
            .collect();
        let r = a.score(&all).unwrap();
        assert_eq!(r.correct, r.total);
        assert!(r.review.is_empty());
        assert!(r.areas.iter().all(|x| x.level == Level::Avanzato));
        let numbers: Vec<&str> = r.areas.iter().map(|x| x.area.as_str()).collect();
        assert_eq!(
            numbers,
            [
                "dati",
                "comunicazione",
                "sicurezza",
                "servizi",
                "trasformazione"
            ]
        );
    }

    #[test]
    fn assessment_no_answers_is_to_be_developed_with_full_review() {
        let portal = bundled();
        let a = portal.assessment().unwrap();
        let r = a.score(&[]).unwrap();
        assert_eq!(r.correct, 0);
        assert_eq!(r.review.len(), a.questions.len());
        assert!(r
            .areas
            .iter()
            .all(|x| x.level == Level::DaApprofondire && x.answered == 0));
    }

    #[test]
    fn assessment_partial_scores_map_to_levels() {
        let portal = bundled();
        let a = portal.assessment().unwrap();
        let r = a
            .score(&answers(&[
                ("dati", 2),
                ("comunicazione", 3),
                ("sicurezza", 1),
                ("servizi", 4),
                ("trasformazione", 0),
            ]))
            .unwrap();
        let levels: Vec<(String, u8, Level)> = r
            .areas
            .iter()
            .map(|x| (x.area.clone(), x.percent, x.level))
            .collect();
        assert_eq!(
            levels,
            [
                ("dati".into(), 50, Level::Base),
                ("comunicazione".into(), 75, Level::Intermedio),
                ("sicurezza".into(), 25, Level::DaApprofondire),
                ("servizi".into(), 100, Level::Avanzato),
                ("trasformazione".into(), 0, Level::DaApprofondire),
            ]
        );
        assert_eq!(r.correct, 10);
        assert_eq!(r.review.len(), 10);
    }

    #[test]
    fn assessment_bad_answers_are_refused() {
        let portal = bundled();
        let a = portal.assessment().unwrap();
        let q = &a.questions[0];
        assert!(a
            .score(&[Answer {
                question: "non-esiste".into(),
                option: 0
            }])
            .is_err());
        assert!(a
            .score(&[Answer {
                question: q.id.clone(),
                option: 99
            }])
            .is_err());
        let dup = Answer {
            question: q.id.clone(),
            option: 0,
        };
        assert!(a.score(&[dup.clone(), dup]).is_err());
    }

    #[test]
    fn assessment_result_round_trips_through_json() {
        let portal = bundled();
        let a = portal.assessment().unwrap();
        let r = a.score(&answers(&[("dati", 3)])).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"level\":\"intermedio\""), "{json}");
        let back: lavoro_agile_portal::AssessmentResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn assessment_inconsistent_questionnaire_is_refused() {
        let bad = br#"{"version":1,"title":"t","intro":"i","areas":[{"id":"a","number":1,"title":"A","page":"p"}],
            "questions":[{"id":"q","area":"zzz","text":"?","options":["x","y"],"correct":0,"explanation":"e"}]}"#;
        assert!(lavoro_agile_portal::Assessment::from_json(bad).is_err());
        let bad_correct = br#"{"version":1,"title":"t","intro":"i","areas":[{"id":"a","number":1,"title":"A","page":"p"}],
            "questions":[{"id":"q","area":"a","text":"?","options":["x","y"],"correct":2,"explanation":"e"}]}"#;
        assert!(lavoro_agile_portal::Assessment::from_json(bad_correct).is_err());
    }
}

mod loading {
    use super::*;

    #[test]
    fn loading_missing_title_is_field_error() {
        let md = b"---\nsummary: x\nsection: s\nreviewed: 2026-01-01\n---\n".to_vec();
        let err = Portal::from_files(files(&[("a.md", md)])).unwrap_err();
        assert!(
            matches!(err, PortalError::Field { field: "title", .. }),
            "{err}"
        );
        assert!(err.message(lavoro_agile_portal::Lang::It).contains("title"));
    }

    #[test]
    fn loading_impossible_review_date_is_field_error() {
        let md = b"---\ntitle: t\nsummary: x\nsection: s\nreviewed: 2026-02-30\n---\n".to_vec();
        let err = Portal::from_files(files(&[("a.md", md)])).unwrap_err();
        assert!(
            matches!(
                err,
                PortalError::Field {
                    field: "reviewed",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn loading_bad_slug_and_duplicate_slug_are_errors() {
        let err = Portal::from_files(files(&[("Bad_Name.md", page_md("x", ""))])).unwrap_err();
        assert!(matches!(err, PortalError::BadSlug { .. }));
        let err = Portal::from_files(files(&[
            ("a.md", page_md("x", "")),
            ("sub/a.md", page_md("y", "")),
        ]))
        .unwrap_err();
        assert!(matches!(err, PortalError::DuplicateSlug { .. }));
    }

    #[test]
    fn loading_unclosed_front_matter_is_error() {
        let err = Portal::from_files(files(&[("a.md", b"---\ntitle: x\n".to_vec())])).unwrap_err();
        assert!(matches!(err, PortalError::FrontMatter { .. }));
    }

    #[test]
    fn loading_without_pages_is_error() {
        let err =
            Portal::from_files(files(&[("README.md", b"# Solo readme".to_vec())])).unwrap_err();
        assert!(matches!(err, PortalError::Empty));
    }

    #[test]
    fn loading_unknown_field_is_reported_not_fatal() {
        let md = b"---\ntitle: t\nsummary: x\nsection: s\nreviewed: 2026-01-01\nfuture: 1\n---\n"
            .to_vec();
        let p = Portal::from_files(files(&[("a.md", md)])).unwrap();
        assert!(matches!(
            p.problems().first(),
            Some(Problem::UnknownField { .. })
        ));
    }

    #[test]
    fn loading_dir_reads_pages_news_and_skips_hidden_and_links() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), page_md("Alfa", "Testo alfa.\n")).unwrap();
        std::fs::write(dir.path().join("README.md"), "# Non è una pagina").unwrap();
        std::fs::write(dir.path().join(".nascosta.md"), page_md("Nascosta", "")).unwrap();
        std::fs::create_dir(dir.path().join("news")).unwrap();
        std::fs::write(
            dir.path().join("news/n1.md"),
            "---\nkind: news\ntitle: Notizia\ndate: 2026-03-01\nsummary: s\n---\nCorpo\n",
        )
        .unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("b.md"), page_md("Beta", "")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("b.md"), dir.path().join("b.md")).unwrap();
        let p = Portal::load_dir(dir.path()).unwrap();
        let slugs: Vec<&str> = p.pages().iter().map(|x| x.slug.as_str()).collect();
        assert_eq!(slugs, ["a"]);
        assert_eq!(p.news().len(), 1);
        assert_eq!(p.news()[0].title, "Notizia");
    }

    #[test]
    fn loading_dir_missing_is_io_error() {
        let err = Portal::load_dir(std::path::Path::new("/nonexistent/portal")).unwrap_err();
        assert!(matches!(err, PortalError::Io { .. }));
    }

    #[test]
    fn loading_pages_follow_menu_order() {
        let mut b = page_md("Bravo", "");
        b = String::from_utf8(b)
            .unwrap()
            .replace("section: Prova", "section: Prova\norder: 1")
            .into_bytes();
        let p = Portal::from_files(files(&[("a.md", page_md("Alfa", "")), ("b.md", b)])).unwrap();
        let slugs: Vec<&str> = p.pages().iter().map(|x| x.slug.as_str()).collect();
        assert_eq!(slugs, ["b", "a"]);
    }
}

mod fuzz_corpus {
    use super::*;

    fn replay(target: &str, f: fn(&[u8])) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus")
            .join(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut n = 0;
        for e in entries {
            let path = e.unwrap().path();
            f(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n > 0, "empty corpus {}", dir.display());
    }

    #[test]
    fn fuzz_corpus_parse_page_replays_without_panic() {
        replay("parse_page", fuzzing::parse_page);
    }

    #[test]
    fn fuzz_corpus_parse_assessment_replays_without_panic() {
        replay("parse_assessment", fuzzing::parse_assessment);
    }

    #[test]
    fn fuzz_corpus_bundled_pages_parse() {
        // The real pages are also valid inputs for the page parser.
        for entry in std::fs::read_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/portal"),
        )
        .unwrap()
        {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                fuzzing::parse_page(&std::fs::read(path).unwrap());
            }
        }
    }
}
