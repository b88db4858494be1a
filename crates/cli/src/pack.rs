//! `lavoro-agile-cli pack …`: build, sign, verify and install signed packs.
//!
//! Exit status: 0 ok; 1 refused (or another failure); 3 a missing or unreadable input
//! file; 64 usage.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::secret_fd;
use clap::{Args, Subcommand, ValueEnum};
use lavoro_agile_api::packs::{self, InstallStage, Kind, Lang, PackEnv, PackError};
use lavoro_agile_packs::build::{build_pack, BuildOptions};
use lavoro_agile_packs::sign::{self as signing, Secret};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const EXIT_REFUSED: u8 = 1;
const EXIT_INPUT: u8 = 3;
const EXIT_USAGE: u8 = 64;

/// Test-only: pause the install at a stage (`unpacking:N`, `unpacked`, `switching`) after
/// creating the file named by [`PAUSE_MARKER_ENV`], so a test can kill the process there.
const PAUSE_AT_ENV: &str = "LAVORO_AGILE_TEST_PAUSE_AT";
/// Test-only: the file created when the install pauses.
const PAUSE_MARKER_ENV: &str = "LAVORO_AGILE_TEST_PAUSE_MARKER";

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// Signed packs: portal content, trust material, VPN profiles.
#[derive(Debug, Args)]
pub struct PackArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text", global = true)]
    format: Format,
    #[command(subcommand)]
    command: PackCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindArg {
    Portal,
    Trust,
    Profiles,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Portal => Kind::Portal,
            KindArg::Trust => Kind::Trust,
            KindArg::Profiles => Kind::Profiles,
        }
    }
}

#[derive(Debug, Subcommand)]
enum PackCommand {
    /// Create a signing key pair: DIR/NAME.key (secret), DIR/NAME.pub and, with --kinds,
    /// DIR/NAME.packkey (the key-scope file to distribute). Never prompts.
    Keygen {
        /// Folder for the key files.
        #[arg(long)]
        out: PathBuf,
        /// Base name of the files.
        #[arg(long, default_value = "lavoro-agile-pack")]
        name: String,
        /// Kinds the key may sign, for the key-scope file (comma-separated).
        #[arg(long, value_enum, value_delimiter = ',')]
        kinds: Vec<KindArg>,
        /// A comment recorded in the key-scope file.
        #[arg(long, default_value = "")]
        comment: String,
        /// Read a passphrase to encrypt the secret key from this file descriptor.
        #[arg(long, value_name = "N")]
        password_fd: Option<u32>,
    },
    /// Build a pack archive from the files of SRC_DIR.
    Build {
        /// Kind of pack.
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Version; must be higher than any pack of this kind already published.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        version: u64,
        /// Oldest app version that can use the pack.
        #[arg(long, default_value = "0.1.0")]
        min_app_version: String,
        /// Creation date (RFC 3339); default: SOURCE_DATE_EPOCH if set, else now.
        #[arg(long)]
        created: Option<String>,
        /// Folder with the content.
        src_dir: PathBuf,
        /// Archive to write.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Sign FILE with a secret key, writing FILE.minisig.
    Sign {
        /// Secret key file (NAME.key).
        #[arg(long)]
        key: PathBuf,
        /// Read the key's passphrase from this file descriptor.
        #[arg(long, value_name = "N")]
        password_fd: Option<u32>,
        /// The pack.
        file: PathBuf,
    },
    /// Check FILE and FILE.minisig without installing.
    Verify {
        /// Accept only this public key (NAME.pub or NAME.packkey), for any kind.
        #[arg(long)]
        pubkey: Option<PathBuf>,
        /// The pack.
        file: PathBuf,
    },
    /// Verify and install FILE (or every *.pack of a folder).
    Install {
        /// The pack, or a folder of packs.
        file: PathBuf,
    },
    /// Show what is installed, the trusted keys and the update URLs.
    Status,
    /// Check the update URLs of the machine-wide configuration now.
    Update,
}

/// Runs `pack …`.
pub fn run(args: PackArgs) -> ExitCode {
    let format = args.format;
    match dispatch(args.command, format) {
        Ok(code) => code,
        Err(failure) => failure.report(format),
    }
}

/// A failed command, with its exit status.
struct Failure {
    code: u8,
    kind: &'static str,
    message_it: String,
    message_en: String,
}

impl Failure {
    fn usage(it: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code: EXIT_USAGE,
            kind: "USAGE",
            message_it: it.into(),
            message_en: en.into(),
        }
    }

    fn report(self, format: Format) -> ExitCode {
        match format {
            Format::Json => print_json(&json!({
                "ok": false,
                "code": self.kind,
                "message_it": self.message_it,
                "message_en": self.message_en,
            })),
            Format::Text => {
                if self.code == EXIT_REFUSED && self.kind != "ERROR" {
                    println!("{}", self.message_it);
                } else {
                    eprintln!("errore: {}", self.message_it);
                }
                eprintln!("({})", self.message_en);
            }
        }
        ExitCode::from(self.code)
    }
}

impl From<PackError> for Failure {
    fn from(e: PackError) -> Self {
        let (code, kind) = match &e {
            PackError::Refused(r) => (EXIT_REFUSED, r.code()),
            PackError::Input { .. } => (EXIT_INPUT, "INPUT"),
            PackError::Usage(_) => (EXIT_USAGE, "USAGE"),
            _ => (EXIT_REFUSED, "ERROR"),
        };
        Self {
            code,
            kind,
            message_it: e.message(Lang::It),
            message_en: e.message(Lang::En),
        }
    }
}

fn print_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

fn env() -> Result<PackEnv, Failure> {
    let paths = lavoro_agile_api::paths::AppPaths::from_platform().ok_or_else(|| Failure {
        code: EXIT_REFUSED,
        kind: "ERROR",
        message_it: "Nessuna cartella personale trovata: impossibile sapere dove sono i pacchetti."
            .into(),
        message_en: "No home folder found: cannot tell where packs are kept.".into(),
    })?;
    // Keys bundled with the app: beside the binary (Windows, portable) or where the Linux
    // packages put the app's resources (`/usr/lib/<product name>`, as Tauri resolves its
    // resource folder for a binary in `/usr/bin`).
    let bundled = std::env::current_exe().ok().and_then(|exe| {
        let dir = exe.parent()?.to_path_buf();
        [
            dir.join("resources").join("keys"),
            dir.join("../lib/Lavoro Agile/keys"),
            dir.join("../lib/lavoro-agile/keys"),
        ]
        .into_iter()
        .find(|d| d.is_dir())
    });
    Ok(PackEnv::new(&paths, bundled))
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Reads a key's passphrase from an inherited file descriptor.
fn read_passphrase_fd(fd: u32) -> Result<Secret, Failure> {
    const PASSPHRASE: secret_fd::What = secret_fd::What {
        it: "la passphrase",
        en: "the passphrase",
        max_bytes: 4096,
        may_be_empty: false,
    };
    secret_fd::read(fd, &PASSPHRASE)
        .map(Secret::new)
        .map_err(|e| Failure {
            code: if e.unreadable { EXIT_INPUT } else { EXIT_USAGE },
            kind: if e.unreadable { "INPUT" } else { "USAGE" },
            message_it: e.it,
            message_en: e.en,
        })
}

fn dispatch(cmd: PackCommand, format: Format) -> Result<ExitCode, Failure> {
    match cmd {
        PackCommand::Keygen {
            out,
            name,
            kinds,
            comment,
            password_fd,
        } => keygen(&out, &name, &kinds, &comment, password_fd, format),
        PackCommand::Build {
            kind,
            version,
            min_app_version,
            created,
            src_dir,
            output,
        } => build(
            kind.into(),
            version,
            &min_app_version,
            created,
            &src_dir,
            &output,
            format,
        ),
        PackCommand::Sign {
            key,
            password_fd,
            file,
        } => sign(&key, password_fd, &file, format),
        PackCommand::Verify { pubkey, file } => verify(pubkey.as_deref(), &file, format),
        PackCommand::Install { file } => install(&file, format),
        PackCommand::Status => status(format),
        PackCommand::Update => update(format),
    }
}

fn write_new_file(path: &Path, data: &[u8], secret: bool) -> Result<(), Failure> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let result = opts
        .open(path)
        .and_then(|mut f| f.write_all(data).and_then(|()| f.sync_all()));
    result.map_err(|e| Failure {
        code: EXIT_REFUSED,
        kind: "ERROR",
        message_it: format!("Impossibile scrivere «{}»: {e}", path.display()),
        message_en: format!("Cannot write “{}”: {e}", path.display()),
    })
}

fn keygen(
    out: &Path,
    name: &str,
    kinds: &[KindArg],
    comment: &str,
    password_fd: Option<u32>,
    format: Format,
) -> Result<ExitCode, Failure> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(Failure::usage(
            "Il nome della chiave non è valido.",
            "The key name is not valid.",
        ));
    }
    if !out.is_dir() {
        return Err(PackError::Input {
            path: out.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "folder not found"),
        }
        .into());
    }
    let passphrase = password_fd.map(read_passphrase_fd).transpose()?;
    let key = signing::generate(passphrase.as_ref(), comment)?;
    let key_path = out.join(format!("{name}.key"));
    let pub_path = out.join(format!("{name}.pub"));
    let scope_path = out.join(format!("{name}.packkey"));
    for p in [&key_path, &pub_path] {
        if p.exists() {
            return Err(Failure {
                code: EXIT_REFUSED,
                kind: "EXISTS",
                message_it: format!("«{}» esiste già: non viene sovrascritto.", p.display()),
                message_en: format!("“{}” already exists: not overwritten.", p.display()),
            });
        }
    }
    write_new_file(&key_path, key.secret_text.expose().as_bytes(), true)?;
    write_new_file(&pub_path, key.public_text.as_bytes(), false)?;
    let kinds: BTreeSet<Kind> = kinds.iter().map(|k| Kind::from(*k)).collect();
    let scope = if kinds.is_empty() {
        None
    } else {
        let text = lavoro_agile_packs::keys::key_file_text(&key.public_key, &kinds, comment);
        write_new_file(&scope_path, text.as_bytes(), false)?;
        Some(scope_path)
    };
    match format {
        Format::Json => print_json(&json!({
            "ok": true,
            "key_id": key.key_id,
            "secret_key": key_path,
            "public_key": pub_path,
            "key_scope_file": scope,
            "encrypted": passphrase.is_some(),
        })),
        Format::Text => {
            println!("chiave {}", key.key_id);
            println!("segreta\t{}", key_path.display());
            println!("pubblica\t{}", pub_path.display());
            if let Some(s) = scope {
                println!("ambito\t{}", s.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_created(created: Option<String>) -> Result<OffsetDateTime, Failure> {
    if let Some(c) = created {
        return OffsetDateTime::parse(&c, &Rfc3339).map_err(|_| {
            Failure::usage(
                format!("Data di creazione non valida: {c} (formato RFC 3339, es. 2026-11-26T09:00:00Z)"),
                format!("Invalid creation date: {c} (RFC 3339, e.g. 2026-11-26T09:00:00Z)"),
            )
        });
    }
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        if let Ok(t) = OffsetDateTime::from_unix_timestamp(epoch) {
            return Ok(t);
        }
    }
    Ok(now().replace_nanosecond(0).unwrap_or_else(|_| now()))
}

fn build(
    kind: Kind,
    version: u64,
    min_app_version: &str,
    created: Option<String>,
    src: &Path,
    output: &Path,
    format: Format,
) -> Result<ExitCode, Failure> {
    let min_app_version = lavoro_agile_packs::Version::parse(min_app_version).ok_or_else(|| {
        Failure::usage(
            format!("Versione minima dell'app non valida: {min_app_version}"),
            format!("Invalid minimum app version: {min_app_version}"),
        )
    })?;
    let opts = BuildOptions {
        kind,
        version,
        created: parse_created(created)?,
        min_app_version,
    };
    let env = env()?;
    let bytes = build_pack(src, &opts, &env.limits)?;
    let tmp = output.with_extension("pack.tmp");
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, output))
        .map_err(|e| Failure {
            code: EXIT_REFUSED,
            kind: "ERROR",
            message_it: format!("Impossibile scrivere «{}»: {e}", output.display()),
            message_en: format!("Cannot write “{}”: {e}", output.display()),
        })?;
    let (manifest, _) = lavoro_agile_packs::verify::check_content_unsigned(&bytes, &env.limits)
        .map_err(PackError::from)?;
    match format {
        Format::Json => print_json(&json!({
            "ok": true,
            "file": output,
            "kind": kind,
            "version": version,
            "created": manifest.raw.created,
            "files": manifest.raw.files.len(),
            "bytes": bytes.len(),
        })),
        Format::Text => println!(
            "{}\t{kind} v{version}\t{} file\t{} byte",
            output.display(),
            manifest.raw.files.len(),
            bytes.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn sign(
    key: &Path,
    password_fd: Option<u32>,
    file: &Path,
    format: Format,
) -> Result<ExitCode, Failure> {
    let key_text = std::fs::read_to_string(key).map_err(|source| PackError::Input {
        path: key.display().to_string(),
        source,
    })?;
    let key_text = Secret::new(key_text);
    let passphrase = password_fd.map(read_passphrase_fd).transpose()?;
    let sk = signing::load_secret_key(&key_text, passphrase.as_ref())?;
    let env = env()?;
    let bytes = packs::read_pack_file(file, &env.limits)?;
    // The trusted comment names the pack, so a signature moved to another file shows it.
    let (manifest, _) = lavoro_agile_packs::verify::check_content_unsigned(&bytes, &env.limits)
        .map_err(PackError::from)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let comment = format!(
        "timestamp:{} file:{name} kind:{} version:{}",
        now().unix_timestamp(),
        manifest.raw.kind,
        manifest.raw.version
    );
    let sig = signing::sign(&sk, bytes.as_slice(), &comment)?;
    let mut sig_path = file.as_os_str().to_owned();
    sig_path.push(packs::SIGNATURE_SUFFIX);
    let sig_path = PathBuf::from(sig_path);
    std::fs::write(&sig_path, sig).map_err(|e| Failure {
        code: EXIT_REFUSED,
        kind: "ERROR",
        message_it: format!("Impossibile scrivere «{}»: {e}", sig_path.display()),
        message_en: format!("Cannot write “{}”: {e}", sig_path.display()),
    })?;
    let key_id = lavoro_agile_packs::keys::key_id(sk.keynum());
    match format {
        Format::Json => print_json(&json!({"ok": true, "signature": sig_path, "key_id": key_id})),
        Format::Text => println!("{}\tchiave {key_id}", sig_path.display()),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(pubkey: Option<&Path>, file: &Path, format: Format) -> Result<ExitCode, Failure> {
    let env = env()?;
    let pk = pubkey
        .map(lavoro_agile_packs::keys::read_public_key_file)
        .transpose()?;
    let pack = packs::verify_file(&env, file, pk.as_ref())?;
    let m = &pack.manifest;
    match format {
        Format::Json => print_json(&json!({
            "ok": true,
            "kind": m.kind,
            "version": m.version,
            "created": m.created,
            "min_app_version": m.min_app_version,
            "files": m.files.len(),
            "key_id": pack.key_id,
            "trusted_comment": pack.trusted_comment,
            "archive_sha256": pack.archive_sha256,
        })),
        Format::Text => {
            println!(
                "Pacchetto valido: {} v{}, creato {}, firmato con la chiave {}, {} file.",
                m.kind.label(Lang::It),
                m.version,
                m.created,
                pack.key_id,
                m.files.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The observer for installs: honours the test-only pause.
fn observer() -> impl FnMut(InstallStage) {
    let pause_at = std::env::var(PAUSE_AT_ENV).ok();
    let marker = std::env::var_os(PAUSE_MARKER_ENV).map(PathBuf::from);
    move |stage| {
        let Some(at) = pause_at.as_deref() else {
            return;
        };
        let hit = match stage {
            InstallStage::Unpacking { done, .. } => at == format!("unpacking:{done}"),
            InstallStage::Unpacked => at == "unpacked",
            InstallStage::Switching => at == "switching",
            _ => false,
        };
        if hit {
            if let Some(m) = &marker {
                let _ = std::fs::write(m, at);
            }
            // Wait to be killed.
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
    }
}

fn install(file: &Path, format: Format) -> Result<ExitCode, Failure> {
    let env = env()?;
    if file.is_dir() {
        let items = packs::install_from_folder(&env, file, now())?;
        let all_ok = items
            .iter()
            .all(|i| i.installed.is_some() || i.code == Some("NOT_NEWER"));
        let any = !items.is_empty();
        match format {
            Format::Json => print_json(&json!({"ok": all_ok && any, "items": items})),
            Format::Text => {
                if !any {
                    println!("Nessun pacchetto (*.pack) nella cartella.");
                }
                for i in &items {
                    match (&i.installed, &i.problem) {
                        (Some(inst), _) => println!(
                            "{}\tinstallato {} v{}",
                            i.file.display(),
                            inst.kind,
                            inst.version
                        ),
                        (None, Some(p)) => println!("{}\t{p}", i.file.display()),
                        _ => {}
                    }
                }
            }
        }
        return Ok(ExitCode::from(if all_ok && any { 0 } else { EXIT_REFUSED }));
    }
    let mut obs = observer();
    let installed = packs::install_file(&env, file, now(), &mut obs)?;
    match format {
        Format::Json => print_json(&json!({"ok": true, "installed": installed})),
        Format::Text => println!(
            "Installato: {} versione {} (chiave {}).",
            installed.kind.label(Lang::It),
            installed.version,
            installed.key_id
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn status(format: Format) -> Result<ExitCode, Failure> {
    let env = env()?;
    let st = packs::status(&env);
    match format {
        Format::Json => print_json(&json!({"ok": true, "status": st})),
        Format::Text => {
            for k in &st.kinds {
                match (&k.installed, &k.problem) {
                    (Some(i), _) => println!(
                        "{}\tv{}\tcreato {}\tinstallato {}\tchiave {}",
                        k.kind, i.version, i.created, i.installed_at, i.key_id
                    ),
                    (None, Some(p)) => println!("{}\t{p}", k.kind),
                    (None, None) => println!("{}\tnessun pacchetto installato", k.kind),
                }
            }
            for key in &st.keys {
                let kinds: Vec<&str> = key.kinds.iter().map(|k| k.as_str()).collect();
                println!(
                    "chiave\t{}\t{}\t{}",
                    key.key_id,
                    kinds.join(","),
                    key.comment
                );
            }
            for p in &st.key_problems {
                println!("chiave non usata\t{p}");
            }
            for u in &st.update_urls {
                let last = st.updates.urls.get(u);
                println!(
                    "aggiornamenti\t{u}\togni {} ore\tultimo controllo {} {}",
                    st.interval_hours,
                    last.and_then(|l| l.last_check.as_deref()).unwrap_or("mai"),
                    last.and_then(|l| l.last_result.as_deref()).unwrap_or("")
                );
            }
            if let Some(p) = &st.config_problem {
                println!("configurazione\t{p}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn update(format: Format) -> Result<ExitCode, Failure> {
    let env = env()?;
    let config = env.config()?;
    let fetcher = packs::HttpFetcher::from_environment();
    let mut results = Vec::new();
    let mut lines = Vec::new();
    let mut ok = true;
    for url in &config.update_urls {
        match packs::check_url(&env, &fetcher, url, config.url_policy, now()) {
            Ok(o) => {
                let what = match &o {
                    packs::UrlOutcome::NotModified => "nessuna novità (non modificato)".to_owned(),
                    packs::UrlOutcome::UpToDate { version } => {
                        format!("già aggiornato (versione {version})")
                    }
                    packs::UrlOutcome::Installed { installed } => format!(
                        "installato {} versione {}",
                        installed.kind, installed.version
                    ),
                };
                lines.push(format!("{url}\t{what}"));
                results.push(json!({"url": url, "ok": true, "outcome": o}));
            }
            Err(e) => {
                ok = false;
                lines.push(format!("{url}\t{}", e.message(Lang::It)));
                results.push(json!({
                    "url": url, "ok": false, "code": e.code(),
                    "message_it": e.message(Lang::It), "message_en": e.message(Lang::En),
                }));
            }
        }
    }
    match format {
        Format::Json => print_json(&json!({"ok": ok, "results": results})),
        Format::Text => {
            if config.update_urls.is_empty() {
                println!("Nessun indirizzo di aggiornamento configurato.");
            }
            for l in &lines {
                println!("{l}");
            }
        }
    }
    Ok(ExitCode::from(if ok { 0 } else { EXIT_REFUSED }))
}
