//! Signing in the window ("Firma"): the smart card's tokens and certificates, files picked
//! to sign, the signing itself (CAdES or PAdES) and, at once, our own verifier's verdict
//! on every file written. Thin over `lavoro_agile_api::sign`.
//!
//! The PIN arrives as a command argument and is wrapped at once in the zeroising
//! [`Secret`]; it is never stored, logged or returned. Signing and verifying run on a
//! blocking worker thread, never on the window's.
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Instant;

use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::settings::{Language, Settings};
use lavoro_agile_api::sign::{
    self as api, CadesMode, Lang, Packaging, PdfOptions, Secret, SignError, SignRequest, SignType,
    TokenView,
};
use lavoro_agile_api::verify::{
    self as verify_api, FileInput, Options, RevocationPolicy, TrustStore, ValidationTime,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use time::OffsetDateTime;

use super::verify::Row;
use crate::AppState;

/// Most files signed in one request.
const MAX_FILES: usize = 500;

fn lang(l: Language) -> Lang {
    match l {
        Language::It => Lang::It,
        Language::En => Lang::En,
    }
}

fn text(l: Language, it: &str, en: &str) -> String {
    match l {
        Language::It => it.to_owned(),
        Language::En => en.to_owned(),
    }
}

/// A stable code for a signing error, for the window (`sign_<kind>`).
fn error_code(e: &SignError) -> &'static str {
    match e {
        SignError::PinIncorrect(_) => "sign_pin_incorrect",
        SignError::PinLocked => "sign_pin_locked",
        SignError::ModuleNotFound | SignError::ModuleLoad { .. } => "sign_module",
        SignError::NoToken | SignError::SlotNotFound(_) | SignError::TokenRemoved => {
            "sign_no_token"
        }
        _ => "sign_failed",
    }
}

/// A signing error as the window shows it: the `sign` crate's own sentence.
pub fn payload(e: &SignError, l: Language) -> ErrorPayload {
    // The technical detail never holds the PIN (errors do not carry it).
    ErrorPayload::with_message(error_code(e), e.to_string(), e.message(lang(l)))
}

/// The module the settings name (an empty setting counts as none).
fn configured_module(settings: &Settings) -> Option<PathBuf> {
    settings
        .sign_module
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// What the window shows before signing.
#[derive(Debug, Clone, Serialize)]
pub struct TokensList {
    /// The module used.
    pub module: String,
    /// The tokens and their certificates (signing certificates first).
    pub tokens: Vec<TokenView>,
    /// The timestamp authority of the settings, offered as an option.
    pub tsa: Option<String>,
}

/// The tokens and certificates reachable through `module` (else the first known module).
pub fn tokens_with(module: Option<&Path>, l: Language) -> Result<TokensList, ErrorPayload> {
    let m = api::open_module(module).map_err(|e| payload(&e, l))?;
    let tokens = api::list_tokens(&m, lang(l)).map_err(|e| payload(&e, l))?;
    Ok(TokensList {
        module: m.path().to_string_lossy().into_owned(),
        tokens,
        tsa: None,
    })
}

/// Lists the smart cards and their certificates (off the window's thread).
#[tauri::command]
pub async fn sign_tokens(state: State<'_, AppState>) -> Result<TokensList, ErrorPayload> {
    let l = state.language();
    let settings = state.settings.load();
    let module = configured_module(&settings);
    let tsa = settings.tsa_url.clone().filter(|u| !u.trim().is_empty());
    let mut list = tauri::async_runtime::spawn_blocking(move || tokens_with(module.as_deref(), l))
        .await
        .map_err(|e| internal(&e.to_string(), l))??;
    list.tsa = tsa;
    Ok(list)
}

fn internal(detail: &str, l: Language) -> ErrorPayload {
    ErrorPayload::with_message(
        "sign_internal",
        detail.to_owned(),
        text(
            l,
            "Si è verificato un errore interno.",
            "An internal error occurred.",
        ),
    )
}

/// Asks for the files to sign. Returns the paths, empty when cancelled.
#[tauri::command]
pub async fn sign_pick(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
) -> Result<Vec<String>, ErrorPayload> {
    Ok(state
        .picker
        .pick_to_sign(&app, &title)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// Checks and stores the module path and the timestamp authority's address (empty: none).
pub fn apply_settings(
    settings: &mut Settings,
    module: Option<String>,
    tsa: Option<String>,
    l: Language,
) -> Result<(), ErrorPayload> {
    let module = module
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    let tsa = tsa.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if let Some(m) = &module {
        let p = Path::new(m);
        if !p.is_absolute() || !p.is_file() {
            return Err(ErrorPayload::with_message(
                "sign_bad_module",
                format!("module {m:?} is not an existing file given by its full path"),
                text(
                    l,
                    "Il modulo della smart card deve essere un file esistente, indicato con il percorso completo.",
                    "The smart card module must be an existing file, given by its full path.",
                ),
            ));
        }
    }
    if let Some(t) = &tsa {
        let ok = url::Url::parse(t)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .unwrap_or(false);
        if !ok {
            return Err(ErrorPayload::with_message(
                "sign_bad_tsa",
                format!("timestamp authority {t:?} is not an http(s) address"),
                text(
                    l,
                    "L'indirizzo del servizio di marca temporale deve iniziare con http:// o https://.",
                    "The timestamp service address must start with http:// or https://.",
                ),
            ));
        }
    }
    settings.sign_module = module;
    settings.tsa_url = tsa;
    Ok(())
}

/// Stores the signing settings and returns the stored settings.
#[tauri::command]
pub fn sign_settings_set(
    state: State<'_, AppState>,
    module: Option<String>,
    tsa: Option<String>,
) -> Result<Settings, ErrorPayload> {
    let l = state.language();
    let _guard = state
        .settings_lock
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut settings = state.settings.load();
    apply_settings(&mut settings, module, tsa, l)?;
    state
        .settings
        .save(&settings)
        .map_err(|e| ErrorPayload::from(&e))?;
    tracing::info!(
        module = settings.sign_module.is_some(),
        tsa = settings.tsa_url.is_some(),
        "signing settings saved"
    );
    Ok(settings)
}

/// The kind of signature the window asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindChoice {
    /// CAdES (`.p7m`, `.p7s`).
    Cades,
    /// PAdES (a signed copy of the PDF).
    Pades,
}

/// How to sign, as the window chooses it (the PIN travels apart).
#[derive(Debug, Clone, Deserialize)]
pub struct SignChoice {
    /// The files, in order.
    pub paths: Vec<String>,
    /// The token's position (`TokenView::index`).
    pub slot: usize,
    /// The certificate's hex `CKA_ID`; `None`: the first signing certificate.
    pub cert: Option<String>,
    /// CAdES or PAdES.
    pub kind: KindChoice,
    /// CAdES: a detached `.p7s`.
    #[serde(default)]
    pub detached: bool,
    /// CAdES: a parallel signature added to an existing `.p7m` ("aggiungi firma").
    #[serde(default)]
    pub add: bool,
    /// Add a timestamp from the settings' authority.
    #[serde(default)]
    pub timestamp: bool,
}

/// One file of a request.
#[derive(Debug, Clone, Serialize)]
pub struct FileSigned {
    /// The file given.
    pub input: String,
    /// The file written beside it.
    pub output: Option<String>,
    /// Why it was not signed.
    pub error: Option<String>,
    /// Our verifier's result on the file written.
    pub check: Option<Row>,
    /// Time on the token and writing, in milliseconds.
    pub millis: u64,
}

/// The outcome of a request.
#[derive(Debug, Clone, Serialize)]
pub struct SignOutcome {
    /// The files tried, in order.
    pub files: Vec<FileSigned>,
    /// Files not tried yet: the key asks for the PIN before each signature, so the window
    /// asks again and sends these with the new PIN.
    pub remaining: Vec<String>,
    /// The key asks for the PIN before every signature (`CKA_ALWAYS_AUTHENTICATE`).
    pub always_authenticate: bool,
    /// Why the PIN is asked again, when it is.
    pub notice: Option<String>,
    /// Signing stopped on an error that would fail the other files too (wrong PIN, card
    /// removed); `remaining` then lists the files not signed.
    pub stopped: bool,
}

/// The signing request for the library.
pub fn request_of(choice: &SignChoice, tsa: Option<String>) -> SignRequest {
    SignRequest {
        kind: match choice.kind {
            KindChoice::Cades => SignType::Cades,
            KindChoice::Pades => SignType::Pades,
        },
        packaging: if choice.detached && choice.kind == KindChoice::Cades {
            Packaging::Detached
        } else {
            Packaging::Attached
        },
        mode: if choice.add && choice.kind == KindChoice::Cades {
            CadesMode::Add
        } else {
            CadesMode::New
        },
        pdf: PdfOptions::default(),
        tsa: if choice.timestamp { tsa } else { None },
    }
}

/// Checks one written file with our verifier.
pub fn check_output(path: &Path, trust: &TrustStore, now: OffsetDateTime) -> Option<Row> {
    let input = FileInput {
        display: path.to_string_lossy().into_owned(),
        path: path.to_path_buf(),
        content: None,
    };
    let options = Options {
        trust: trust.clone(),
        at: ValidationTime::Now,
        now,
        keep_content: false,
        revocation: RevocationPolicy::IfAvailable,
    };
    let never = AtomicBool::new(false);
    let slot = Mutex::new(None);
    verify_api::verify_each(
        std::slice::from_ref(&input),
        &options,
        1,
        &never,
        |index, outcome| {
            let row = Row {
                index,
                verdict: verify_api::file_verdict(&outcome.report),
                unsupported: None,
                report: outcome.report,
            };
            if let Ok(mut s) = slot.lock() {
                *s = Some(row);
            }
        },
    );
    slot.into_inner().ok().flatten()
}

/// Logs in with `pin` and signs the files of `choice` (only the first when the key asks
/// for the PIN before every signature), then checks each output with our verifier.
/// A failed login writes nothing and is the error returned.
pub fn run_signing(
    module: Option<&Path>,
    choice: &SignChoice,
    request: &SignRequest,
    pin: Secret,
    trust: &TrustStore,
    l: Language,
) -> Result<SignOutcome, ErrorPayload> {
    if choice.paths.is_empty() || choice.paths.len() > MAX_FILES {
        return Err(ErrorPayload::with_message(
            "sign_no_files",
            format!("{} files", choice.paths.len()),
            text(
                l,
                "Scegli da 1 a 500 file da firmare.",
                "Choose from 1 to 500 files to sign.",
            ),
        ));
    }
    let m = api::open_module(module).map_err(|e| payload(&e, l))?;
    let mut signer = m
        .login(choice.slot, choice.cert.as_deref(), &pin)
        .map_err(|e| payload(&e, l))?;
    drop(pin);
    let always = signer.always_authenticate();
    let mut files = Vec::new();
    let mut stopped = false;
    let mut tried = 0;
    for path in &choice.paths {
        if always && tried > 0 {
            break;
        }
        tried += 1;
        let input = PathBuf::from(path);
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        let started = Instant::now();
        let result = api::sign_file(&mut signer, &input, request, now);
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(signed) => {
                tracing::info!(millis, "signature made");
                let check = check_output(&signed.output, trust, OffsetDateTime::now_utc());
                files.push(FileSigned {
                    input: path.clone(),
                    output: Some(signed.output.to_string_lossy().into_owned()),
                    error: None,
                    check,
                    millis,
                });
            }
            Err(e) => {
                tracing::warn!(file = %input.display(), error = %e, "file not signed");
                files.push(FileSigned {
                    input: path.clone(),
                    output: None,
                    error: Some(e.message(lang(l))),
                    check: None,
                    millis,
                });
                if matches!(
                    e,
                    SignError::PinIncorrect(_) | SignError::PinLocked | SignError::TokenRemoved
                ) {
                    stopped = true;
                    break;
                }
            }
        }
    }
    let remaining: Vec<String> = choice.paths.iter().skip(tried).cloned().collect();
    Ok(SignOutcome {
        files,
        always_authenticate: always,
        notice: (always && !remaining.is_empty() && !stopped)
            .then(|| api::always_authenticate_notice(lang(l)).to_owned()),
        remaining,
        stopped,
    })
}

/// Signs the chosen files with the PIN typed in the window (off the window's thread) and
/// returns each output with our verifier's result.
#[tauri::command]
pub async fn sign_run(
    app: AppHandle,
    state: State<'_, AppState>,
    choice: SignChoice,
    pin: String,
) -> Result<SignOutcome, ErrorPayload> {
    let pin = Secret::new(pin);
    let l = state.language();
    let settings = state.settings.load();
    let module = configured_module(&settings);
    let request = request_of(&choice, settings.tsa_url.clone());
    if choice.timestamp && request.tsa.is_none() {
        return Err(ErrorPayload::with_message(
            "sign_no_tsa",
            "timestamp asked without an authority in the settings".into(),
            text(
                l,
                "Per la marca temporale indica prima l'indirizzo del servizio nelle Impostazioni.",
                "For a timestamp, first give the service's address in the Settings.",
            ),
        ));
    }
    let trust = super::verify::load_trust(&app, &state);
    tracing::info!(files = choice.paths.len(), kind = ?choice.kind, "signing requested");
    tauri::async_runtime::spawn_blocking(move || {
        run_signing(module.as_deref(), &choice, &request, pin, &trust, l)
    })
    .await
    .map_err(|e| internal(&e.to_string(), l))?
}

/// Shows a signed file in its folder (the system's file manager).
#[tauri::command]
pub fn sign_reveal(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), ErrorPayload> {
    let l = state.language();
    reveal(&app, Path::new(&path)).map_err(|e| {
        ErrorPayload::with_message(
            "sign_reveal_failed",
            e,
            text(
                l,
                "Non è stato possibile aprire la cartella del file.",
                "The file's folder could not be opened.",
            ),
        )
    })
}

/// The end-to-end build only logs it: a test machine has no file manager.
fn reveal(app: &AppHandle, file: &Path) -> Result<(), String> {
    #[cfg(feature = "e2e")]
    {
        let _ = app;
        tracing::info!(file = %file.display(), "e2e: folder not shown in the file manager");
        Ok(())
    }
    #[cfg(not(feature = "e2e"))]
    {
        use tauri_plugin_opener::OpenerExt;
        app.opener()
            .reveal_item_in_dir(file)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    //! With a real token: SoftHSM2 initialised in a temporary folder by
    //! `lavoro_agile_tests::softhsm` (skipped with a message where it is not installed).
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use lavoro_agile_api::verify::FileVerdict;
    use lavoro_agile_tests::softhsm;

    fn choice(paths: Vec<String>, cert: &str) -> SignChoice {
        SignChoice {
            paths,
            slot: 0,
            cert: Some(cert.to_owned()),
            kind: KindChoice::Cades,
            detached: false,
            add: false,
            timestamp: false,
        }
    }

    fn trust(f: &softhsm::Fixture) -> TrustStore {
        verify_api::load_trust(&[f.path("ca.pem")]).unwrap()
    }

    #[test]
    fn run_signing_cades_writes_p7m_verified_valid() {
        let Some((f, _guard)) = softhsm::token() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("delibera.txt");
        std::fs::write(&doc, b"Delibera di prova\n").unwrap();
        let c = choice(vec![doc.display().to_string()], softhsm::RSA_ID);
        let out = run_signing(
            Some(Path::new(softhsm::SOFTHSM)),
            &c,
            &request_of(&c, None),
            Secret::new(softhsm::PIN.to_owned()),
            &trust(f),
            Language::It,
        )
        .unwrap();
        assert_eq!(out.files.len(), 1);
        let file = &out.files[0];
        assert_eq!(
            file.output.as_deref(),
            Some(dir.path().join("delibera.txt.p7m").to_str().unwrap())
        );
        assert_eq!(file.check.as_ref().unwrap().verdict, FileVerdict::Valid);
        assert_eq!(std::fs::read(&doc).unwrap(), b"Delibera di prova\n");
        assert!(out.remaining.is_empty() && !out.stopped && !out.always_authenticate);
    }

    #[test]
    fn run_signing_wrong_pin_italian_error_writes_nothing() {
        let Some((f, _guard)) = softhsm::token() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.txt");
        std::fs::write(&doc, b"x").unwrap();
        let c = choice(vec![doc.display().to_string()], softhsm::RSA_ID);
        let err = run_signing(
            Some(Path::new(softhsm::SOFTHSM)),
            &c,
            &request_of(&c, None),
            Secret::new("000000".to_owned()),
            &trust(f),
            Language::It,
        )
        .unwrap_err();
        assert_eq!(err.code, "sign_pin_incorrect");
        assert!(err.message.as_deref().unwrap().starts_with("PIN errato"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn run_signing_always_authenticate_signs_first_and_returns_rest() {
        let Some((f, _guard)) = softhsm::token() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<String> = ["uno.txt", "due.txt"]
            .iter()
            .map(|n| {
                let p = dir.path().join(n);
                std::fs::write(&p, n.as_bytes()).unwrap();
                p.display().to_string()
            })
            .collect();
        let c = choice(paths.clone(), softhsm::ALWAYS_AUTH_ID);
        let out = run_signing(
            Some(Path::new(softhsm::SOFTHSM)),
            &c,
            &request_of(&c, None),
            Secret::new(softhsm::PIN.to_owned()),
            &trust(f),
            Language::It,
        )
        .unwrap();
        assert!(out.always_authenticate);
        assert_eq!(out.files.len(), 1);
        assert!(out.files[0].output.is_some(), "{:?}", out.files[0].error);
        assert_eq!(out.remaining, vec![paths[1].clone()]);
        assert!(out.notice.unwrap().contains("PIN a ogni firma"));
    }

    #[test]
    fn tokens_with_softhsm_lists_signing_certificates_first() {
        let Some((_f, _guard)) = softhsm::token() else {
            return;
        };
        let list = tokens_with(Some(Path::new(softhsm::SOFTHSM)), Language::It).unwrap();
        let token = list.tokens.iter().find(|t| t.label == "Prova").unwrap();
        assert!(token.certificates[0].signing);
        assert!(!token.certificates.last().unwrap().signing);
    }

    #[test]
    fn apply_settings_bad_tsa_refused_in_italian() {
        let mut s = Settings::default();
        let err = apply_settings(&mut s, None, Some("ftp://x".into()), Language::It).unwrap_err();
        assert_eq!(err.code, "sign_bad_tsa");
        assert_eq!(s.tsa_url, None);
    }

    #[test]
    fn apply_settings_relative_module_refused() {
        let mut s = Settings::default();
        let err =
            apply_settings(&mut s, Some("libsofthsm2.so".into()), None, Language::It).unwrap_err();
        assert_eq!(err.code, "sign_bad_module");
    }

    #[test]
    fn apply_settings_blank_values_clear_settings() {
        let mut s = Settings {
            sign_module: Some("/x".into()),
            tsa_url: Some("http://127.0.0.1/".into()),
            ..Settings::default()
        };
        apply_settings(&mut s, Some("  ".into()), Some(String::new()), Language::En).unwrap();
        assert_eq!((s.sign_module, s.tsa_url), (None, None));
    }

    #[test]
    fn apply_settings_http_tsa_and_existing_module_kept() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("lib.so");
        std::fs::write(&module, b"").unwrap();
        let mut s = Settings::default();
        apply_settings(
            &mut s,
            Some(module.display().to_string()),
            Some(" http://127.0.0.1:3180/tsa ".into()),
            Language::It,
        )
        .unwrap();
        assert_eq!(s.tsa_url.as_deref(), Some("http://127.0.0.1:3180/tsa"));
        assert_eq!(s.sign_module, Some(module.display().to_string()));
    }

    #[test]
    fn request_of_pades_ignores_cades_options_and_tsa_only_on_request() {
        let mut c = choice(vec!["a.pdf".into()], "01");
        c.kind = KindChoice::Pades;
        c.detached = true;
        c.add = true;
        let r = request_of(&c, Some("http://127.0.0.1/".into()));
        assert_eq!(r.packaging, Packaging::Attached);
        assert_eq!(r.mode, CadesMode::New);
        assert_eq!(r.tsa, None);
        c.timestamp = true;
        assert!(request_of(&c, Some("http://127.0.0.1/".into()))
            .tsa
            .is_some());
    }
}
