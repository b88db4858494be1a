//! `lavoro-agile-cli vpn …`: check, import, list and delete VPN profiles, keep their
//! credentials in the OS keychain, connect and disconnect.
//!
//! `vpn connect NAME` stays in the foreground and prints each change of state until the
//! connection ends (Ctrl-C, or `vpn disconnect` from another terminal); `vpn status` reads
//! the state file the connecting process keeps (see `lavoro_agile_api::vpn::connection`).
//! Not run as root, the VPN program is started through `pkexec`.
//!
//! Exit status: 0 ok (acceptable, imported); 1 refused or another failure (keychain not
//! answering, name taken); 3 a missing or unreadable input file; 64 usage. Passwords are
//! read from the terminal without echo or from `--password-fd N`, never from an argument.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::secret_fd;
use clap::{Args, Subcommand, ValueEnum};
use lavoro_agile_api::paths::AppPaths;
use lavoro_agile_api::vpn::{
    self, CredentialStore, Credentials, ImportView, Lang, LintView, ProfileView, Secret,
    VaultError, VpnError,
};

const EXIT_REFUSED: u8 = 1;
const EXIT_INPUT: u8 = 3;
const EXIT_USAGE: u8 = 64;
/// Longest password read from a descriptor or the terminal.
const MAX_PASSWORD_BYTES: u64 = 4096;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// Language of the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    It,
    En,
}

/// VPN profiles: lint, import, list, forget, credentials.
#[derive(Debug, Args)]
pub struct VpnArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text", global = true)]
    format: Format,
    /// Language of the messages.
    #[arg(long, value_enum, default_value = "it", global = true)]
    lang: LangArg,
    #[command(subcommand)]
    command: VpnCommand,
}

#[derive(Debug, Subcommand)]
enum VpnCommand {
    /// Check a profile (.ovpn, .conf) without importing it: each refused line and why.
    Lint {
        /// The profile; files it references are looked for in its folder.
        file: PathBuf,
    },
    /// Check a profile and keep it in the app's data folder.
    Import {
        /// The profile.
        file: PathBuf,
        /// Name to give it (default: the file name without extension).
        #[arg(long)]
        name: Option<String>,
        /// Replace a profile with the same name.
        #[arg(long)]
        replace: bool,
    },
    /// List imported profiles and IT's (read-only) profiles.
    List,
    /// Delete an imported profile and its credentials.
    Forget {
        /// Name or identifier of the profile.
        name: String,
    },
    /// Connect a profile and stay in the foreground until the connection ends (Ctrl-C or
    /// `vpn disconnect` ends it).
    Connect {
        /// Name or identifier of the profile.
        name: String,
    },
    /// Disconnect the VPN (connected by the app or by `vpn connect`).
    Disconnect,
    /// The state of the VPN connection.
    Status,
    /// Credentials in the OS keychain.
    Credentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CredentialsCommand {
    /// Save the username and password of a profile in the keychain.
    Set {
        /// Name or identifier of the profile.
        name: String,
        /// The username (asked on the terminal when missing).
        #[arg(long)]
        username: Option<String>,
        /// Read the password from this file descriptor instead of the terminal.
        #[arg(long, value_name = "N")]
        password_fd: Option<u32>,
    },
    /// Remove the credentials of a profile from the keychain.
    Forget {
        /// Name or identifier of the profile.
        name: String,
    },
}

/// A failed command, with its exit status.
struct Failure {
    code: u8,
    kind: &'static str,
    message_it: String,
    message_en: String,
}

impl Failure {
    fn usage(it: &str, en: &str) -> Self {
        Self {
            code: EXIT_USAGE,
            kind: "usage",
            message_it: it.to_owned(),
            message_en: en.to_owned(),
        }
    }

    fn report(self, format: Format) -> ExitCode {
        match format {
            Format::Json => print_json(&serde_json::json!({
                "ok": false,
                "code": self.kind,
                "message_it": self.message_it,
                "message_en": self.message_en,
            })),
            Format::Text => {
                eprintln!("errore: {}", self.message_it);
                eprintln!("({})", self.message_en);
            }
        }
        ExitCode::from(self.code)
    }
}

impl From<VpnError> for Failure {
    fn from(e: VpnError) -> Self {
        tracing::debug!(error = %e, "vpn command failed");
        let code = match e {
            VpnError::Unreadable { .. } => EXIT_INPUT,
            _ => EXIT_REFUSED,
        };
        Self {
            code,
            kind: e.code(),
            message_it: e.message(Lang::It),
            message_en: e.message(Lang::En),
        }
    }
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        VpnError::from(e).into()
    }
}

/// Runs `vpn …`.
pub fn run(args: VpnArgs) -> ExitCode {
    let lang = match args.lang {
        LangArg::It => Lang::It,
        LangArg::En => Lang::En,
    };
    match dispatch(args.command, args.format, lang) {
        Ok(code) => code,
        Err(f) => f.report(args.format),
    }
}

fn dispatch(command: VpnCommand, format: Format, lang: Lang) -> Result<ExitCode, Failure> {
    match command {
        VpnCommand::Lint { file } => {
            let view = vpn::lint(&file, lang)?;
            print_lint(&view, format, lang);
            Ok(if view.acceptable {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_REFUSED)
            })
        }
        VpnCommand::Import {
            file,
            name,
            replace,
        } => {
            let store = store()?;
            // The keychain is only read to show whether credentials exist.
            let keychain = vpn::open_keychain().ok();
            let view = vpn::import(
                &store,
                &file,
                name.as_deref(),
                replace,
                keychain.as_ref().map(|k| k as &dyn CredentialStore),
                lang,
            )?;
            match view {
                ImportView::Imported { profile } => {
                    match format {
                        Format::Json => print_json(&serde_json::json!({
                            "ok": true, "outcome": "imported", "profile": profile
                        })),
                        Format::Text => {
                            println!(
                                "{}",
                                tr(
                                    lang,
                                    &format!("Profilo «{}» importato.", profile.name),
                                    &format!("Profile “{}” imported.", profile.name)
                                )
                            );
                            if profile.lint.needs_credentials {
                                println!(
                                    "{}",
                                    tr(
                                        lang,
                                        &format!("Per salvare le credenziali: lavoro-agile-cli vpn credentials set {}", profile.id),
                                        &format!("To save the credentials: lavoro-agile-cli vpn credentials set {}", profile.id)
                                    )
                                );
                            }
                        }
                    }
                    Ok(ExitCode::SUCCESS)
                }
                ImportView::Refused { lint } => {
                    print_lint(&lint, format, lang);
                    Ok(ExitCode::from(EXIT_REFUSED))
                }
            }
        }
        VpnCommand::List => {
            let store = store()?;
            let keychain = vpn::open_keychain();
            if let Err(e) = &keychain {
                eprintln!("{}", e.message(lang));
            }
            let list = vpn::list(
                &store,
                keychain.as_ref().ok().map(|k| k as &dyn CredentialStore),
                lang,
            )?;
            print_list(&list, format, lang);
            Ok(ExitCode::SUCCESS)
        }
        VpnCommand::Forget { name } => {
            let store = store()?;
            let keychain = vpn::open_keychain()?;
            let removed = store.remove(&name, &keychain)?;
            done(
                format,
                lang,
                &format!(
                    "Profilo «{}» eliminato, con le sue credenziali.",
                    removed.name
                ),
                &format!("Profile “{}” deleted, with its credentials.", removed.name),
            );
            Ok(ExitCode::SUCCESS)
        }
        VpnCommand::Connect { name } => connect(&name, format, lang),
        VpnCommand::Disconnect => {
            let manager = vpn::connection::Manager::new(&paths()?);
            let view = manager.disconnect(lang).map_err(connect_failure)?;
            match view {
                Some(v) => print_status(&v, format),
                None => done(
                    format,
                    lang,
                    "Nessuna VPN collegata.",
                    "No VPN is connected.",
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        VpnCommand::Status => {
            let manager = vpn::connection::Manager::new(&paths()?);
            match manager.status(lang) {
                Some(v) => print_status(&v, format),
                None => match format {
                    Format::Json => {
                        print_json(&serde_json::json!({ "ok": true, "connection": null }))
                    }
                    Format::Text => println!(
                        "{}",
                        tr(lang, "Nessuna VPN collegata.", "No VPN is connected.")
                    ),
                },
            }
            Ok(ExitCode::SUCCESS)
        }
        VpnCommand::Credentials {
            command:
                CredentialsCommand::Set {
                    name,
                    username,
                    password_fd,
                },
        } => {
            let store = store()?;
            // Find the profile before asking anything.
            let profile = store.find(&name)?;
            let keychain = vpn::open_keychain()?;
            let username = match username {
                Some(u) => u,
                None => prompt_line(&tr(lang, "Nome utente: ", "Username: "))?,
            };
            let password = match password_fd {
                Some(fd) => read_password_fd(fd)?,
                None => prompt_password(&tr(lang, "Password: ", "Password: "))?,
            };
            let credentials = Credentials { username, password };
            if credentials.validate().is_err() {
                return Err(Failure::usage(
                    "Nome utente o password vuoti o non validi (niente a capo, password al massimo 4096 byte).",
                    "Empty or invalid username or password (no line breaks, password at most 4096 bytes).",
                ));
            }
            store.set_credentials(&profile.id, &credentials, &keychain)?;
            done(
                format,
                lang,
                &format!(
                    "Credenziali del profilo «{}» salvate nel portachiavi.",
                    profile.name
                ),
                &format!(
                    "Credentials of profile “{}” saved in the keychain.",
                    profile.name
                ),
            );
            Ok(ExitCode::SUCCESS)
        }
        VpnCommand::Credentials {
            command: CredentialsCommand::Forget { name },
        } => {
            let store = store()?;
            let keychain = vpn::open_keychain()?;
            let had = store.forget_credentials(&name, &keychain)?;
            let (it, en) = if had {
                (
                    "Credenziali rimosse dal portachiavi.",
                    "Credentials removed from the keychain.",
                )
            } else {
                (
                    "Nessuna credenziale salvata per questo profilo.",
                    "No credentials were saved for this profile.",
                )
            };
            done(format, lang, it, en);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn tr(lang: Lang, it: &str, en: &str) -> String {
    if lang == Lang::En { en } else { it }.to_owned()
}

fn done(format: Format, lang: Lang, it: &str, en: &str) {
    match format {
        Format::Json => print_json(&serde_json::json!({ "ok": true, "message": tr(lang, it, en) })),
        Format::Text => println!("{}", tr(lang, it, en)),
    }
}

fn paths() -> Result<AppPaths, Failure> {
    AppPaths::from_platform().ok_or_else(|| Failure {
        code: EXIT_REFUSED,
        kind: "no_home_folder",
        message_it: "Nessuna cartella personale trovata: impossibile sapere dove sono i profili."
            .into(),
        message_en: "No home folder found: cannot tell where profiles are kept.".into(),
    })
}

fn connect_failure(f: vpn::connection::ConnectFailure) -> Failure {
    Failure {
        code: EXIT_REFUSED,
        kind: "vpn_connect",
        message_it: f.message,
        message_en: f.message_en,
    }
}

/// `vpn connect NAME`: connects, prints each state, returns when the connection ends.
fn connect(name: &str, format: Format, lang: Lang) -> Result<ExitCode, Failure> {
    use std::sync::Arc;
    use vpn::connection::{ChallengeFn, Manager, VpnChallenge};
    let paths = paths()?;
    let env = lavoro_agile_api::packs::PackEnv::new(&paths, None);
    let store = vpn::store(&paths, &env);
    let keychain = vpn::open_keychain();
    if let Err(e) = &keychain {
        eprintln!("{}", e.message(lang));
    }
    let manager = Manager::new(&paths);
    // A challenge (OTP) is asked on the terminal each time, never stored.
    let prompt = Arc::new(ChallengeFn(move |c: &VpnChallenge| {
        let text = format!("{}: ", c.text);
        if c.echo {
            prompt_line(&text).ok().map(Secret::new)
        } else {
            prompt_password(&text).ok()
        }
    }));
    let observer = Arc::new(move |v: &vpn::connection::ConnectionView| print_status(v, format));
    let view = manager
        .connect(
            &store,
            keychain.as_ref().ok().map(|k| k as &dyn CredentialStore),
            name,
            prompt,
            observer,
            lang,
        )
        .map_err(connect_failure)?;
    let end = manager
        .wait_for(&|s| s.state.is_final(), std::time::Duration::MAX, lang)
        .unwrap_or(view);
    Ok(if end.is_error {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_status(v: &vpn::connection::ConnectionView, format: Format) {
    match format {
        Format::Json => {
            let line = serde_json::to_string(v).unwrap_or_default();
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
        }
        Format::Text => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}: {}", v.profile_name, v.message);
        }
    }
}

fn store() -> Result<vpn::Store, Failure> {
    let paths = paths()?;
    let env = lavoro_agile_api::packs::PackEnv::new(&paths, None);
    Ok(vpn::store(&paths, &env))
}

fn print_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

fn kind_name(kind: vpn::ProfileKind) -> &'static str {
    match kind {
        vpn::ProfileKind::WireGuard => "WireGuard",
        _ => "OpenVPN",
    }
}

fn print_lint(view: &LintView, format: Format, lang: Lang) {
    if format == Format::Json {
        print_json(&serde_json::to_value(view).unwrap_or_default());
        return;
    }
    let verdict = if view.acceptable {
        tr(lang, "accettabile", "acceptable")
    } else {
        tr(lang, "RIFIUTATO", "REFUSED")
    };
    println!("{}: {}, {verdict}", view.file, kind_name(view.kind));
    for f in &view.refused {
        println!("  {}", f.message);
    }
    if !view.remotes.is_empty() {
        println!(
            "  {} {}",
            tr(lang, "server:", "servers:"),
            view.remotes.join(", ")
        );
    }
    if !view.inlined.is_empty() {
        println!(
            "  {} {}",
            tr(lang, "file inclusi:", "files inlined:"),
            view.inlined.join(", ")
        );
    }
    if view.acceptable && view.needs_credentials {
        println!(
            "  {}",
            tr(
                lang,
                "chiede nome utente e password",
                "asks for a username and password"
            )
        );
    }
}

fn print_list(list: &[ProfileView], format: Format, lang: Lang) {
    if format == Format::Json {
        print_json(&serde_json::to_value(list).unwrap_or_default());
        return;
    }
    if list.is_empty() {
        println!("{}", tr(lang, "Nessun profilo VPN.", "No VPN profiles."));
        return;
    }
    for p in list {
        let origin = if p.read_only {
            tr(lang, "IT, sola lettura", "IT, read-only")
        } else {
            tr(lang, "importato", "imported")
        };
        let creds = match &p.credentials {
            vpn::CredentialState::Saved { .. } => {
                tr(lang, "credenziali salvate", "credentials saved")
            }
            vpn::CredentialState::None => tr(lang, "nessuna credenziale", "no credentials"),
            vpn::CredentialState::Unknown => {
                tr(lang, "portachiavi non disponibile", "keychain unavailable")
            }
        };
        let state = if p.lint.acceptable {
            String::new()
        } else {
            format!(", {}", tr(lang, "RIFIUTATO", "REFUSED"))
        };
        println!(
            "{}\t{}\t{} ({origin}{state})\t{creds}",
            p.id,
            p.name,
            kind_name(p.kind)
        );
    }
}

fn prompt_line(prompt: &str) -> Result<String, Failure> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(1024)
        .read_line(&mut line)
        .map_err(|_| {
            Failure::usage(
                "Impossibile leggere il nome utente.",
                "Cannot read the username.",
            )
        })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn prompt_password(prompt: &str) -> Result<Secret, Failure> {
    rpassword::prompt_password(prompt)
        .map(Secret::new)
        .map_err(|_| {
            Failure::usage(
                "Impossibile leggere la password dal terminale: usa --password-fd N.",
                "Cannot read the password from the terminal: use --password-fd N.",
            )
        })
}

/// Reads a VPN password from an inherited file descriptor (empty is allowed: some servers
/// ask for a one-time code only).
fn read_password_fd(fd: u32) -> Result<Secret, Failure> {
    const PASSWORD: secret_fd::What = secret_fd::What {
        it: "la password",
        en: "the password",
        max_bytes: MAX_PASSWORD_BYTES,
        may_be_empty: true,
    };
    secret_fd::read(fd, &PASSWORD)
        .map(Secret::new)
        .map_err(|e| Failure {
            code: if e.unreadable { EXIT_INPUT } else { EXIT_USAGE },
            kind: if e.unreadable { "input" } else { "usage" },
            message_it: e.it,
            message_en: e.en,
        })
}
