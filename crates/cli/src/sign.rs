//! `lavoro-agile-cli sign …`: sign files with the smart card or token (PKCS#11), CAdES
//! (`.p7m`, `.p7s`, add a signature, countersign, nest) or PAdES.
//!
//! Exit status: 0 every file signed; 1 a signing failure (wrong PIN, token error, a file
//! refused); 3 a missing or unreadable input; 64 usage. The PIN is read from the terminal
//! without echo, or from `--pin-fd N` for scripts; never from an argument, never logged.
//! Output files are written beside the originals under new names; nothing is overwritten.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::secret_fd;
use clap::{Args, ValueEnum};
use lavoro_agile_api::sign::{
    self, always_authenticate_notice, CadesMode, Lang, Packaging, PdfOptions, Secret, SignError,
    SignRequest, SignType, Signed,
};

const EXIT_FAILED: u8 = 1;
const EXIT_INPUT: u8 = 3;
const EXIT_USAGE: u8 = 64;
/// Longest PIN read from a descriptor.
const MAX_PIN_BYTES: u64 = 256;

/// Signature type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    /// CAdES: `.p7m` (or `.p7s` with --detached).
    Cades,
    /// PAdES: a signed copy of the PDF.
    Pades,
}

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
pub enum LangArg {
    /// Italian.
    It,
    /// English.
    En,
}

/// Sign files with the smart card or token.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Signature type.
    #[arg(long = "type", value_enum, default_value = "cades")]
    kind: TypeArg,
    /// The PKCS#11 module of the card's middleware (default: the first known one found).
    #[arg(long)]
    module: Option<PathBuf>,
    /// Position of the token among those inserted (see --list).
    #[arg(long, default_value_t = 0)]
    slot: usize,
    /// Certificate identifier on the token (hex CKA_ID, see --list); default: the first
    /// signing certificate.
    #[arg(long)]
    cert: Option<String>,
    /// CAdES: write a detached signature (.p7s) instead of a .p7m.
    #[arg(long)]
    detached: bool,
    /// CAdES: add a signature to an existing .p7m (output "<name> (2).p7m").
    #[arg(long, conflicts_with_all = ["countersign", "nest"])]
    add: bool,
    /// CAdES: countersign the N-th signature (1-based) of an existing .p7m.
    #[arg(long, value_name = "N", conflicts_with = "nest")]
    countersign: Option<usize>,
    /// CAdES: put an already signed file in a new envelope ("firma annidata").
    #[arg(long)]
    nest: bool,
    /// PAdES: page (1-based) the signature belongs to.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// PAdES: a visible signature in this rectangle of the page, "X,Y,W,H" in points from
    /// the bottom-left corner (default: invisible).
    #[arg(long, value_name = "X,Y,W,H")]
    rect: Option<String>,
    /// PAdES: reason shown by PDF readers.
    #[arg(long)]
    reason: Option<String>,
    /// PAdES: place of signing.
    #[arg(long)]
    location: Option<String>,
    /// Add an RFC 3161 timestamp from this timestamp authority (CAdES-T, PAdES B-T).
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Read the PIN from this file descriptor (for scripts) instead of the terminal.
    #[arg(long, value_name = "N")]
    pin_fd: Option<u32>,
    /// List the modules probed, the tokens and their certificates, and sign nothing.
    #[arg(long)]
    list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Language of the messages.
    #[arg(long, value_enum, default_value = "it")]
    lang: LangArg,
    /// Files to sign.
    files: Vec<PathBuf>,
}

struct Failure {
    code: u8,
    it: String,
    en: String,
}

impl Failure {
    fn usage(it: &str, en: &str) -> Self {
        Self {
            code: EXIT_USAGE,
            it: it.to_owned(),
            en: en.to_owned(),
        }
    }

    fn sign(e: &SignError) -> Self {
        // The technical detail (never the PIN: errors do not carry it) for the log.
        tracing::debug!(error = %e, "signing failed");
        let code = match e {
            SignError::Io(_) => EXIT_INPUT,
            _ => EXIT_FAILED,
        };
        Self {
            code,
            it: e.message(Lang::It),
            en: e.message(Lang::En),
        }
    }

    fn report(self, format: Format) -> ExitCode {
        match format {
            Format::Json => println!(
                "{}",
                serde_json::json!({"ok": false, "message_it": self.it, "message_en": self.en})
            ),
            Format::Text => {
                eprintln!("errore: {}", self.it);
                eprintln!("({})", self.en);
            }
        }
        ExitCode::from(self.code)
    }
}

/// Runs `sign`.
pub fn run(args: SignArgs) -> ExitCode {
    let format = args.format;
    match run_inner(args) {
        Ok(code) => code,
        Err(f) => f.report(format),
    }
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::It => Lang::It,
        LangArg::En => Lang::En,
    }
}

fn request(args: &SignArgs) -> Result<SignRequest, Failure> {
    let mode = match (args.add, args.countersign, args.nest) {
        (true, _, _) => CadesMode::Add,
        (_, Some(0), _) => {
            return Err(Failure::usage(
                "--countersign conta le firme da 1.",
                "--countersign counts signatures from 1.",
            ))
        }
        (_, Some(n), _) => CadesMode::Countersign(n - 1),
        (_, None, true) => CadesMode::Nest,
        _ => CadesMode::New,
    };
    let kind = match args.kind {
        TypeArg::Cades => SignType::Cades,
        TypeArg::Pades => SignType::Pades,
    };
    if kind == SignType::Pades
        && (args.add || args.countersign.is_some() || args.nest || args.detached)
    {
        return Err(Failure::usage(
            "--add, --countersign, --nest e --detached valgono solo per --type cades.",
            "--add, --countersign, --nest and --detached apply to --type cades only.",
        ));
    }
    if args.tsa.is_some() && args.countersign.is_some() {
        return Err(Failure::usage(
            "--tsa non si applica alle controfirme.",
            "--tsa does not apply to countersignatures.",
        ));
    }
    let visible = match &args.rect {
        None => None,
        Some(r) => Some(sign::Rect::parse(r).ok_or_else(|| {
            Failure::usage(
                "--rect vuole quattro numeri X,Y,L,A (punti, larghezza e altezza positive).",
                "--rect takes four numbers X,Y,W,H (points, positive width and height).",
            )
        })?),
    };
    if args.page == 0 {
        return Err(Failure::usage(
            "--page conta le pagine da 1.",
            "--page counts pages from 1.",
        ));
    }
    Ok(SignRequest {
        kind,
        packaging: if args.detached {
            Packaging::Detached
        } else {
            Packaging::Attached
        },
        mode,
        pdf: PdfOptions {
            page: args.page - 1,
            reason: args.reason.clone(),
            location: args.location.clone(),
            visible,
            ..PdfOptions::default()
        },
        tsa: args.tsa.clone(),
    })
}

fn run_inner(args: SignArgs) -> Result<ExitCode, Failure> {
    let l = lang(args.lang);
    if !args.list && args.files.is_empty() {
        return Err(Failure::usage(
            "Indica almeno un file da firmare (o --list).",
            "Give at least one file to sign (or --list).",
        ));
    }
    let req = request(&args)?;
    for f in &args.files {
        if !f.is_file() {
            return Err(Failure {
                code: EXIT_INPUT,
                it: format!("File non trovato: {}", f.display()),
                en: format!("File not found: {}", f.display()),
            });
        }
    }
    if args.list {
        return list(&args, l);
    }
    let module = sign::open_module(args.module.as_deref()).map_err(|e| Failure::sign(&e))?;
    let tokens = module.tokens().map_err(|e| Failure::sign(&e))?;
    let token = tokens
        .iter()
        .find(|t| t.index == args.slot)
        .ok_or_else(|| {
            Failure::sign(&if tokens.is_empty() {
                SignError::NoToken
            } else {
                SignError::SlotNotFound(args.slot)
            })
        })?;
    if token.pin.locked {
        return Err(Failure::sign(&SignError::PinLocked));
    }
    if let Some(w) = sign::pin_warning(&token.pin, l) {
        eprintln!("{w}");
    }
    let pin = if token.pin_pad {
        eprintln!(
            "{}",
            match l {
                Lang::En => "Type the PIN on the reader's keypad.",
                _ => "Digita il PIN sul tastierino del lettore.",
            }
        );
        Secret::new(String::new())
    } else {
        read_pin(args.pin_fd, &token.label, l)?
    };
    let mut signer = module
        .login(args.slot, args.cert.as_deref(), &pin)
        .map_err(|e| Failure::sign(&e))?;
    drop(pin);
    if signer.always_authenticate() && args.pin_fd.is_none() {
        eprintln!("{}", always_authenticate_notice(l));
    }
    let mut done: Vec<Signed> = Vec::new();
    let mut failed = None;
    for (i, file) in args.files.iter().enumerate() {
        if i > 0 && signer.always_authenticate() && args.pin_fd.is_none() {
            let again = read_pin(None, &token.label, l)?;
            signer.set_signature_pin(again);
        }
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        let started = std::time::Instant::now();
        match sign::sign_file(&mut signer, file, &req, now) {
            Ok(s) => {
                tracing::debug!(ms = started.elapsed().as_millis(), "signature made");
                if args.format == Format::Text {
                    println!("firmato\t{}\t{}", s.input.display(), s.output.display());
                }
                done.push(s);
            }
            Err(e) => {
                eprintln!("{}: {}", file.display(), e.message(l));
                failed = Some(e);
                // A wrong PIN or a removed token will fail every other file too.
                if matches!(
                    failed,
                    Some(
                        SignError::PinIncorrect(_) | SignError::PinLocked | SignError::TokenRemoved
                    )
                ) {
                    break;
                }
            }
        }
    }
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::json!({
                "ok": failed.is_none(),
                "signed": done,
                "message_it": failed.as_ref().map(|e| e.message(Lang::It)),
                "message_en": failed.as_ref().map(|e| e.message(Lang::En)),
            })
        );
    }
    Ok(match failed {
        None => ExitCode::SUCCESS,
        Some(e) => ExitCode::from(Failure::sign(&e).code),
    })
}

fn list(args: &SignArgs, l: Lang) -> Result<ExitCode, Failure> {
    let os = sign::Os::current();
    let probed: Vec<_> = sign::known_modules()
        .into_iter()
        .filter(|m| Some(m.os) == os)
        .collect();
    let found = sign::discover_here(args.module.as_deref());
    let module = sign::open_module(args.module.as_deref()).map_err(|e| Failure::sign(&e))?;
    let tokens = sign::list_tokens(&module, l).map_err(|e| Failure::sign(&e))?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "module": module.path(),
                "probed": probed.iter().map(|m| serde_json::json!({
                    "vendor": m.vendor, "path": m.path,
                    "found": found.iter().any(|f| f.path == m.path),
                })).collect::<Vec<_>>(),
                "tokens": tokens,
            })
        ),
        Format::Text => {
            println!("modulo\t{}", module.path().display());
            for t in &tokens {
                println!(
                    "token\t{}\t{}\t{} {}{}",
                    t.index,
                    t.label,
                    t.manufacturer,
                    t.model,
                    t.pin_warning
                        .as_ref()
                        .map(|w| format!("\t{w}"))
                        .unwrap_or_default()
                );
                for c in &t.certificates {
                    println!(
                        "certificato\t{}\t{}\t{}\t{}\t{}",
                        c.id,
                        if c.signing { "firma" } else { "altro" },
                        c.subject,
                        c.issuer,
                        c.not_after
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_pin(fd: Option<u32>, label: &str, l: Lang) -> Result<Secret, Failure> {
    match fd {
        Some(fd) => read_pin_fd(fd),
        None => {
            let prompt = match l {
                Lang::En => format!("PIN of the smart card \"{label}\": "),
                _ => format!("PIN della smart card «{label}»: "),
            };
            rpassword::prompt_password(prompt)
                .map(Secret::new)
                .map_err(|_| {
                    Failure::usage(
                        "Impossibile leggere il PIN dal terminale: usa --pin-fd N.",
                        "Cannot read the PIN from the terminal: use --pin-fd N.",
                    )
                })
        }
    }
}

/// Reads the PIN from an inherited file descriptor.
fn read_pin_fd(fd: u32) -> Result<Secret, Failure> {
    const PIN: secret_fd::What = secret_fd::What {
        it: "il PIN",
        en: "the PIN",
        max_bytes: MAX_PIN_BYTES,
        may_be_empty: false,
    };
    secret_fd::read(fd, &PIN)
        .map(Secret::new)
        .map_err(|e| Failure {
            code: if e.unreadable { EXIT_INPUT } else { EXIT_USAGE },
            it: e.it,
            en: e.en,
        })
}
