//! `lavoro-agile-cli verify`: check digital signatures (CAdES `.p7m`/`.p7s`, nested,
//! base64/PEM, `.tsd`) and print a report.
//!
//! Contract (other tools depend on it): stdout carries only the report; exit status 64 for
//! usage errors (found before any file is read), otherwise 3 if a file has an error, else
//! 1 if a signature is TOTAL_FAILED, else 2 if one is INDETERMINATE, else 0; 74 when a
//! report file (`--report-pdf`, `--report-xml`) cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use lavoro_agile_api::report as report_api;
use lavoro_agile_api::trust as trust_api;
use lavoro_agile_api::verify::{
    self as api, FileInput, Lang, Options, Report, RevocationPolicy, Tool, ValidationTime,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const EXIT_USAGE: u8 = 64;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Plain text for people.
    Text,
    /// One JSON document for programs.
    Json,
}

/// Language of the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Italiano.
    It,
    /// English.
    En,
}

/// When to validate each signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtArg {
    /// A given time.
    Time(OffsetDateTime),
    /// Each signature's claimed signing time.
    SigningTime,
}

fn parse_at(s: &str) -> Result<AtArg, String> {
    if s == "signing-time" {
        return Ok(AtArg::SigningTime);
    }
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| AtArg::Time(t.to_offset(time::UtcOffset::UTC)))
        .map_err(|_| {
            "expected an RFC 3339 date-time (e.g. 2024-05-01T10:00:00Z) or 'signing-time'"
                .to_owned()
        })
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|_| "expected an RFC 3339 date-time (e.g. 2024-05-01T10:00:00Z)".to_owned())
}

/// Exit status when a report file cannot be written (BSD `EX_IOERR`).
const EXIT_IOERR: u8 = 74;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Trust material: a certificate (PEM/DER), a CRL, an ETSI trusted list (XML: the EU
    /// LOTL or a national list) or a folder of them. Certificates given are trust anchors;
    /// a LOTL is taken as given, a national list is used only when signed with a
    /// certificate a LOTL given publishes for its territory. Repeatable.
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<PathBuf>,
    /// Ignore the default trust: the `trust` pack installed for this user (`pack install`)
    /// and the application's `resources/trust/` folder.
    #[arg(long)]
    no_default_trust: bool,
    /// Validation time: an RFC 3339 date-time, or `signing-time` (each signature at its
    /// claimed signing time). Default: now.
    #[arg(long, value_name = "TIME|signing-time", value_parser = parse_at)]
    at: Option<AtArg>,
    /// Require revocation data (CRLs) for every certificate of each path: without it a
    /// signature is INDETERMINATE/TRY_LATER. Default: use it when available and warn
    /// ("revoca non verificata") when not.
    #[arg(long)]
    require_revocation: bool,
    /// Check revocation online: download the CRLs and OCSP responses the certificates point
    /// at (http/https only; the http_proxy/https_proxy/no_proxy variables are honoured;
    /// answers are cached under the user's cache folder until their next update) when the
    /// file and --trust carry none. A certificate whose status still cannot be established
    /// makes the signature INDETERMINATE/TRY_LATER. Default: offline, nothing is downloaded.
    #[arg(long)]
    online: bool,
    /// The signed content of a detached signature (only with a single FILE).
    #[arg(long, value_name = "FILE")]
    content: Option<PathBuf>,
    /// Write each document's original content into DIR (never overwriting).
    #[arg(long, value_name = "DIR")]
    extract: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Language of the text and PDF reports.
    #[arg(long, value_enum, default_value_t = LangArg::It)]
    lang: LangArg,
    /// Also write the PDF "rapporto di verifica" to FILE (in the --lang language).
    #[arg(long, value_name = "FILE")]
    report_pdf: Option<PathBuf>,
    /// Also write the ETSI TS 119 102-2 XML validation report to FILE.
    #[arg(long, value_name = "FILE")]
    report_xml: Option<PathBuf>,
    /// The time of the check written in the reports, and the "now" of the verification,
    /// instead of the clock (RFC 3339): makes reports reproducible.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    report_time: Option<OffsetDateTime>,
    /// Files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// The default trust of this installation: the `trust` pack installed in the user's data
/// folder and the `trust/` folder of the application's resources.
fn default_trust() -> trust_api::DefaultTrust {
    let Some(paths) = lavoro_agile_api::paths::AppPaths::from_platform() else {
        tracing::warn!("no home folder: the installed trust pack cannot be found");
        return trust_api::DefaultTrust::default();
    };
    let env = lavoro_agile_api::packs::PackEnv::new(&paths, None);
    trust_api::DefaultTrust::locate(&env, trust_api::resources_beside_exe().as_deref())
}

/// Runs `verify`.
pub fn run(args: VerifyArgs) -> ExitCode {
    // Usage errors first, before any file is read.
    if args.content.is_some() && args.files.len() > 1 {
        return usage("--content can be used with one FILE only");
    }
    if let Some(c) = &args.content {
        if !c.is_file() || std::fs::File::open(c).is_err() {
            return usage(&format!("cannot read the --content file {}", c.display()));
        }
    }
    for f in &args.files {
        if f.is_dir() {
            return usage(&format!("{} is a folder, not a file", f.display()));
        }
    }
    if let Some(dir) = &args.extract {
        if dir.exists() && !dir.is_dir() {
            return usage(&format!("--extract {} is not a folder", dir.display()));
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage(&format!(
                "cannot create the --extract folder {}: {e}",
                dir.display()
            ));
        }
    }
    for (flag, p) in [
        ("--report-pdf", &args.report_pdf),
        ("--report-xml", &args.report_xml),
    ] {
        let Some(p) = p else { continue };
        if p.is_dir() {
            return usage(&format!("{flag} {} is a folder, not a file", p.display()));
        }
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        if parent.is_some_and(|d| !d.is_dir()) {
            return usage(&format!(
                "{flag} {}: the folder does not exist",
                p.display()
            ));
        }
    }
    // The default trust (the installed `trust` pack and the app's resources/trust/), as
    // the app uses it, unless --no-default-trust.
    let default = if args.no_default_trust {
        None
    } else {
        Some(default_trust())
    };
    let mut trust = match trust_api::load(&args.trust, default.as_ref()) {
        Ok(t) => t,
        Err(e) => return usage(&e.to_string()),
    };
    if args.online {
        lavoro_agile_api::online::enable(&mut trust, lavoro_agile_api::online::default_cache_dir());
    }
    let now = args.report_time.unwrap_or_else(OffsetDateTime::now_utc);
    let at = match args.at {
        None => ValidationTime::Now,
        Some(AtArg::Time(t)) => ValidationTime::Given(t),
        Some(AtArg::SigningTime) => ValidationTime::SigningTime,
    };
    let options = Options {
        trust,
        at,
        now,
        keep_content: args.extract.is_some(),
        revocation: if args.require_revocation || args.online {
            RevocationPolicy::Required
        } else {
            RevocationPolicy::IfAvailable
        },
    };
    let inputs: Vec<FileInput> = args
        .files
        .iter()
        .map(|p| FileInput {
            display: p.to_string_lossy().into_owned(),
            path: p.clone(),
            content: args.content.clone(),
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let outcomes = api::verify_files(&inputs, &options, threads);

    let mut files = Vec::with_capacity(outcomes.len());
    for (input, outcome) in inputs.iter().zip(outcomes) {
        if let (Some(dir), Some(content)) = (&args.extract, &outcome.content) {
            match api::extract_content(dir, &input.path, content) {
                Ok(p) => tracing::info!(to = %p.display(), "content extracted"),
                Err(e) => eprintln!(
                    "warning: cannot extract the content of {}: {e}",
                    input.display
                ),
            }
        } else if let Some(dir) = &args.extract {
            // PDFs: each signed version of the document, as it was when signed.
            match api::extract_signed_versions(dir, &input.path, &outcome.report) {
                Ok(paths) => tracing::info!(count = paths.len(), "signed versions extracted"),
                Err(e) => eprintln!(
                    "warning: cannot extract the signed versions of {}: {e}",
                    input.display
                ),
            }
        }
        files.push(outcome.report);
    }
    let report = Report {
        tool: Tool {
            name: "lavoro-agile-cli".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        files,
    };
    let lang = match args.lang {
        LangArg::It => Lang::It,
        LangArg::En => Lang::En,
    };
    let paths: Vec<&std::path::Path> = inputs.iter().map(|i| i.path.as_path()).collect();
    let header = report_api::header(&options.trust, now, &paths);
    // Trusted lists not used, or past their next update: said on stderr (stdout is the
    // report; the JSON and PDF reports carry the same notes in their header).
    for src in &header.trust_sources {
        for note in &src.notes {
            eprintln!(
                "{}: {}: {}",
                if lang == Lang::It {
                    "avviso"
                } else {
                    "warning"
                },
                src.name.as_deref().unwrap_or(&src.sha256),
                note.get(lang)
            );
        }
    }
    let out = match args.format {
        OutputFormat::Json => match report_api::json(&report, &header) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_IOERR);
            }
        },
        OutputFormat::Text => api::render::text(&report, lang),
    };
    let to = report_api::ReportPaths {
        pdf: args.report_pdf.clone(),
        xml: args.report_xml.clone(),
        json: None,
    };
    if let Err(e) = report_api::write_reports(&report, &header, lang, &to) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_IOERR);
    }
    println!("{}", out.trim_end());
    ExitCode::from(report.exit_status())
}
