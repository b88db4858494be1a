//! `lavoro-agile-cli trust`: the release step that checks the EU LOTL and national trusted
//! lists (already downloaded) and writes the folder a `trust` pack is built from.
//!
//! Contract: stdout carries one line per list written (or one JSON document); exit status
//! 64 for usage errors, 65 (`EX_DATAERR`) when a list is refused, 73 (`EX_CANTCREAT`) when
//! the output folder cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use lavoro_agile_api::trust::{self as api, TrustBuildError};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const EXIT_USAGE: u8 = 64;
const EXIT_DATAERR: u8 = 65;
const EXIT_CANTCREAT: u8 = 73;

/// Largest list file read (the real TSL-IT is about 2.5 MB).
const MAX_LIST_BYTES: u64 = 64 * 1024 * 1024;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per list.
    Text,
    /// One JSON document.
    Json,
}

/// Arguments of `trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    #[command(subcommand)]
    command: TrustCommand,
}

#[derive(Debug, Subcommand)]
enum TrustCommand {
    /// Check the EU LOTL and national lists and write them into DIR, the source folder of
    /// `pack build --kind trust`. Nothing is downloaded: see resources/trust/README.md.
    Build {
        /// The EU list of trusted lists (eu-lotl.xml), as downloaded.
        #[arg(long, value_name = "FILE")]
        lotl: PathBuf,
        /// A national trusted list (e.g. TSL-IT.xml), as downloaded. Repeatable.
        #[arg(long = "tsl", value_name = "FILE", required = true)]
        tsl: Vec<PathBuf>,
        /// SHA-256 (hex) of a LOTL signing certificate published in the Official Journal of
        /// the EU; the LOTL must be signed with one of them. Repeatable, at least one.
        #[arg(long = "lotl-signer-sha256", value_name = "HEX", required = true)]
        lotl_signer_sha256: Vec<String>,
        /// The time the lists must still be current at (RFC 3339). Default: now.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Output folder (created; must be empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_USAGE)
}

fn read_list(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(format!(
            "{} is too large for a trusted list",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Runs `trust …`.
pub fn run(args: TrustArgs) -> ExitCode {
    match args.command {
        TrustCommand::Build {
            lotl,
            tsl,
            lotl_signer_sha256,
            at,
            out,
            format,
        } => {
            let at = match at {
                None => OffsetDateTime::now_utc(),
                Some(s) => match OffsetDateTime::parse(&s, &Rfc3339) {
                    Ok(t) => t.to_offset(time::UtcOffset::UTC),
                    Err(_) => {
                        return usage(
                            "--at: expected an RFC 3339 date-time (e.g. 2024-05-01T10:00:00Z)",
                        )
                    }
                },
            };
            if out.exists() && !out.is_dir() {
                return usage(&format!("--out {} is not a folder", out.display()));
            }
            let lotl = match read_list(&lotl) {
                Ok(b) => b,
                Err(e) => return usage(&e),
            };
            let mut nationals = Vec::new();
            for p in &tsl {
                match read_list(p) {
                    Ok(b) => nationals.push(b),
                    Err(e) => return usage(&e),
                }
            }
            let refs: Vec<&[u8]> = nationals.iter().map(Vec::as_slice).collect();
            match api::build_folder(&lotl, &refs, &lotl_signer_sha256, at, &out) {
                Ok(lists) => {
                    match format {
                        Format::Json => println!(
                            "{}",
                            serde_json::to_string_pretty(&serde_json::json!({
                                "ok": true,
                                "out": out,
                                "lists": lists,
                            }))
                            .unwrap_or_default()
                        ),
                        Format::Text => {
                            for l in &lists {
                                println!(
                                    "{}\t{}\tseq {}\t{}\tSHA-256 {}",
                                    out.join(&l.file_name).display(),
                                    l.territory,
                                    l.sequence_number,
                                    l.issued,
                                    l.sha256
                                );
                            }
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    let code = match &e {
                        TrustBuildError::NoPins | TrustBuildError::BadPin(_) => EXIT_USAGE,
                        TrustBuildError::Output { .. } => EXIT_CANTCREAT,
                        _ => EXIT_DATAERR,
                    };
                    eprintln!("errore: {}", e.message_it());
                    eprintln!("error: {e}");
                    ExitCode::from(code)
                }
            }
        }
    }
}
