//! `lavoro-agile-cli`: the command-line front door for IT staff and batch work.
//!
//! stdout carries only the report of the command; logs go to stderr (level from
//! `LAVORO_AGILE_LOG`). Usage errors exit 64, as BSD's `EX_USAGE`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod pack;
mod portal;
mod secret_fd;
mod sign;
mod trust;
mod verify;
mod vpn;

/// Exit status for a usage error (BSD `EX_USAGE`), instead of clap's default 2.
const EXIT_USAGE: u8 = 64;

#[derive(Debug, Parser)]
#[command(
    name = "lavoro-agile-cli",
    version,
    long_version = LONG_VERSION.as_str(),
    about = "Lavoro Agile: tools for IT staff and batch work"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show where the app keeps its data, settings and logs.
    Paths,
    /// Signed packs: build, sign, verify, install, status.
    Pack(pack::PackArgs),
    /// Check digital signatures (.p7m, .p7s, nested, base64/PEM, .tsd, .m7m, .tst) and print a report.
    Verify(verify::VerifyArgs),
    /// The offline portal: list, search and show pages; check a content folder.
    Portal(portal::PortalArgs),
    /// VPN profiles: lint, import, list, forget; credentials in the OS keychain.
    Vpn(vpn::VpnArgs),
    /// Sign files with the smart card or token (PKCS#11): CAdES .p7m/.p7s or PAdES.
    Sign(sign::SignArgs),
    /// Trusted lists for the release: check the EU LOTL and TSL-IT and prepare the trust pack.
    Trust(trust::TrustArgs),
}

/// `--version` output: the version and the commit it was built from.
static LONG_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let build = lavoro_agile_api::about::BuildInfo::current();
    format!(
        "{} (build {})",
        lavoro_agile_api::about::VERSION,
        build.commit
    )
});

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are "errors" to clap but succeed for the user.
            let code = if err.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    lavoro_agile_api::logging::init_cli();
    match cli.command {
        Command::Pack(args) => pack::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Portal(args) => portal::run(args),
        Command::Vpn(args) => vpn::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Trust(args) => trust::run(args),
        Command::Paths => paths(),
    }
}

fn paths() -> ExitCode {
    match lavoro_agile_api::paths::AppPaths::from_platform() {
        Some(p) => {
            println!("data\t{}", p.data.display());
            println!("config\t{}", p.config.display());
            println!("cache\t{}", p.cache.display());
            println!("logs\t{}", p.logs.display());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("errore: cartella utente non trovata (HOME non impostata)");
            ExitCode::from(1)
        }
    }
}
