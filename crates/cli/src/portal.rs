//! `lavoro-agile-cli portal`: list, search and show the offline portal's pages.
//!
//! The content is the installed `portal` pack when there is one, else the default content
//! compiled into the binary; `--dir` reads a folder instead (IT previewing a pack before
//! signing it), and `check` reports every problem of such a folder.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use lavoro_agile_api::paths::AppPaths;
use lavoro_agile_api::portal::{self, ContentSource, Lang, LoadedPortal, Portal};

/// Arguments of `portal`.
#[derive(Debug, Args)]
pub struct PortalArgs {
    /// Read the content from this folder instead of the installed or bundled content.
    #[arg(long, global = true, value_name = "FOLDER")]
    dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(subcommand)]
    command: PortalCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum PortalCommand {
    /// List the pages, in menu order.
    List,
    /// Search the pages (Italian, accents optional); best results first.
    Search {
        /// The words to look for.
        query: String,
        /// At most this many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Show one page.
    Show {
        /// The page name, as given by `list`.
        slug: String,
    },
    /// List the news items of "Comunicazione interna", newest first.
    News,
    /// Show the version and origin of the content.
    Info,
    /// Check a content folder (links, images, sources, front matter) before publishing it.
    Check,
}

/// The language of messages, from the usual locale variables.
fn lang() -> Lang {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return if v.starts_with("it") {
                    Lang::It
                } else {
                    Lang::En
                };
            }
        }
    }
    Lang::It
}

fn say(it: &str, en: &str) -> String {
    match lang() {
        Lang::It => it.to_owned(),
        _ => en.to_owned(),
    }
}

fn load(args: &PortalArgs) -> Result<LoadedPortal, ExitCode> {
    let source = match &args.dir {
        Some(dir) => {
            // A folder named explicitly is loaded strictly: no silent fallback.
            return match portal::load_folder_strict(dir) {
                Ok(p) => Ok(LoadedPortal {
                    portal: p,
                    source: ContentSource::Folder(dir.clone()),
                    fallback: None,
                }),
                Err(e) => {
                    eprintln!("{}: {}", say("errore", "error"), e.message(lang()));
                    eprintln!("  ({e})");
                    Err(ExitCode::from(1))
                }
            };
        }
        None => portal::content_source(AppPaths::from_platform().as_ref()),
    };
    match portal::load(source) {
        Ok(loaded) => {
            if let Some(reason) = &loaded.fallback {
                eprintln!(
                    "{}: {reason}",
                    say(
                        "attenzione: contenuti installati non leggibili, uso quelli predefiniti",
                        "warning: installed content unreadable, using the default content"
                    )
                );
            }
            Ok(loaded)
        }
        Err(e) => {
            eprintln!("{}: {}", say("errore", "error"), e.message(lang()));
            Err(ExitCode::from(1))
        }
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs `portal`.
pub fn run(args: PortalArgs) -> ExitCode {
    let loaded = match load(&args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let p = &loaded.portal;
    match &args.command {
        PortalCommand::List => list(p, args.format),
        PortalCommand::Search { query, limit } => search(p, query, *limit, args.format),
        PortalCommand::Show { slug } => show(p, slug, args.format),
        PortalCommand::News => news(p, args.format),
        PortalCommand::Info => info(&loaded, args.format),
        PortalCommand::Check => check(p, args.format),
    }
}

fn list(p: &Portal, format: Format) -> ExitCode {
    let pages = p.summaries();
    if format == Format::Json {
        return print_json(&pages);
    }
    for page in pages {
        println!("{}\t{}\t{}", page.slug, page.section, page.title);
    }
    ExitCode::SUCCESS
}

/// One search result as the CLI's JSON gives it.
#[derive(serde::Serialize)]
struct Hit<'a> {
    slug: &'a str,
    title: &'a str,
    snippet: &'a str,
    score: f32,
}

fn search(p: &Portal, query: &str, limit: usize, format: Format) -> ExitCode {
    let hits = p.search(query, limit);
    if format == Format::Json {
        let out: Vec<Hit<'_>> = hits
            .iter()
            .map(|h| Hit {
                slug: &h.slug,
                title: &h.title,
                snippet: &h.snippet,
                score: h.score,
            })
            .collect();
        return print_json(&out);
    }
    if hits.is_empty() {
        eprintln!("{}", say("Nessun risultato.", "No results."));
    }
    for h in hits {
        println!("{}\t{}\t{:.3}", h.slug, h.title, h.score);
        println!("    {}", h.snippet);
    }
    ExitCode::SUCCESS
}

fn show(p: &Portal, slug: &str, format: Format) -> ExitCode {
    let Some(page) = p.page(slug) else {
        eprintln!(
            "{}: {slug}",
            say(
                "pagina non trovata (vedi `portal list`)",
                "page not found (see `portal list`)"
            )
        );
        return ExitCode::from(1);
    };
    if format == Format::Json {
        return print_json(page);
    }
    println!("{}", page.title);
    println!("{}", "=".repeat(page.title.chars().count()));
    println!("{}\n", page.summary);
    println!("{}", page.text.trim_end());
    if !page.sources.is_empty() {
        println!("\n{}", say("Fonti ufficiali:", "Official sources:"));
        for s in &page.sources {
            match &s.url {
                Some(url) => println!("- {} <{url}>", s.title),
                None => println!("- {}", s.title),
            }
        }
    }
    println!(
        "\n{} {}.",
        say("Contenuto verificato il", "Content last checked on"),
        page.reviewed
    );
    ExitCode::SUCCESS
}

fn news(p: &Portal, format: Format) -> ExitCode {
    if format == Format::Json {
        return print_json(&p.news());
    }
    for n in p.news() {
        println!("{}\t{}\t{}", n.date, n.id, n.title);
    }
    ExitCode::SUCCESS
}

fn info(loaded: &LoadedPortal, format: Format) -> ExitCode {
    let status = loaded.status();
    if format == Format::Json {
        return print_json(&serde_json::json!({
            "status": status,
            "source": loaded.source,
            "words": loaded.portal.word_count(),
        }));
    }
    match &status.info {
        Some(i) => println!("{}\t{}\t{}", i.version, i.published, i.publisher),
        None => println!("{}", say("versione sconosciuta", "unknown version")),
    }
    match &loaded.source {
        ContentSource::Folder(dir) => println!("{}\t{}", say("cartella", "folder"), dir.display()),
        _ => println!("{}", say("contenuti predefiniti", "default content")),
    }
    println!("{}\t{}", say("pagine", "pages"), status.pages);
    println!("{}\t{}", say("parole", "words"), loaded.portal.word_count());
    ExitCode::SUCCESS
}

fn check(p: &Portal, format: Format) -> ExitCode {
    let problems = p.problems();
    if format == Format::Json {
        let code = print_json(&problems);
        return if problems.is_empty() {
            code
        } else {
            ExitCode::from(1)
        };
    }
    if problems.is_empty() {
        println!(
            "{}",
            say(
                "Nessun problema: i contenuti sono pronti.",
                "No problems: the content is ready."
            )
        );
        return ExitCode::SUCCESS;
    }
    for problem in problems {
        match serde_json::to_string(problem) {
            Ok(s) => println!("{s}"),
            Err(_) => println!("{problem:?}"),
        }
    }
    ExitCode::from(1)
}
