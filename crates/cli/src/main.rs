//! `lavoro-agile-cli`: the command-line front door for IT staff and batch work.
//!
//! stdout carries only the report of the command; logs go to stderr.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod portal;

/// Exit status for a usage error (BSD `EX_USAGE`), instead of clap's default 2.
const EXIT_USAGE: u8 = 64;

#[derive(Debug, Parser)]
#[command(name = "lavoro-agile-cli", version, about = "Lavoro Agile: tools for IT staff and batch work")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show where the app keeps its data, settings and logs.
    Paths,
    /// The offline portal: list, search and show pages; check a content folder.
    Portal(portal::PortalArgs),
}

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
    match cli.command {
        Command::Portal(args) => portal::run(args),
        Command::Paths => match lavoro_agile_api::paths::AppPaths::from_platform() {
            Some(p) => {
                println!("data\t{}", p.data.display());
                println!("config\t{}", p.config.display());
                println!("cache\t{}", p.cache.display());
                println!("logs\t{}", p.logs.display());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no home folder found");
                ExitCode::from(1)
            }
        },
    }
}
