//! Signature verification in the window: pick files, check a batch in the background with
//! progress events, cancel it, and open or save the original document of a signed file.
//!
//! A batch runs on its own threads (never the UI's): the files are checked in parallel by
//! `lavoro_agile_api::verify::verify_each`, and the results are sent to the window in
//! groups as `app://verify-progress` events, so a thousand small files do not mean a
//! thousand separate repaints, and one very large file never holds up the others.
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::online as online_api;
use lavoro_agile_api::report as report_api;
use lavoro_agile_api::settings::Language;
use lavoro_agile_api::trust as trust_api;
use lavoro_agile_api::verify::{
    self as api, ContentRisk, FileInput, FileReport, FileVerdict, Options, RevocationPolicy,
    TrustStore, ValidationTime,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::AppState;

/// The event carrying a batch's progress to the main window.
pub const EVENT_VERIFY_PROGRESS: &str = "app://verify-progress";

/// Most files in one batch (a folder with more is cut, and the window says so).
const MAX_BATCH_FILES: usize = 20_000;
/// Batches whose files can still be opened from the window.
const KEPT_BATCHES: usize = 4;
/// How often results are sent to the window while a batch runs.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Most results in one event.
const MAX_ROWS_PER_EVENT: usize = 250;
/// Folder (under the cache) of the private folders of opened documents.
const OPENED_FOLDER: &str = "documenti-aperti";
/// Opened documents older than this are removed at the next start.
const OPENED_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Which time the signatures are checked at, as the window chooses it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AtChoice {
    /// Now.
    Now,
    /// Each signature at its claimed signing time.
    SigningTime,
    /// A given date and time (RFC 3339).
    Given {
        /// The time, RFC 3339.
        time: String,
    },
}

/// One checked file, as the window shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Index in the batch's file list.
    pub index: usize,
    /// The verdict in the app's words.
    pub verdict: FileVerdict,
    /// A format recognised by name that cannot be checked yet (`XAdES`, `ASiC`).
    pub unsupported: Option<&'static str>,
    /// The full report (see `docs/report-format.md`).
    pub report: FileReport,
}

/// What the window hears about a batch.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Progress {
    /// The files are known; checking starts.
    Started {
        /// The batch.
        batch: u64,
        /// The files, in order.
        files: Vec<String>,
        /// Paths given that cannot be read.
        unreadable: Vec<String>,
        /// Whether the list was cut at the limit.
        truncated: bool,
    },
    /// Some more results.
    Results {
        /// The batch.
        batch: u64,
        /// Files checked so far.
        done: usize,
        /// Files in the batch.
        total: usize,
        /// The new results.
        rows: Vec<Row>,
    },
    /// The batch ended.
    Finished {
        /// The batch.
        batch: u64,
        /// Files checked.
        done: usize,
        /// Files in the batch.
        total: usize,
        /// Whether the user cancelled it.
        cancelled: bool,
        /// Time from the request to the last result, in milliseconds.
        millis: u64,
    },
}

/// One batch that can still be cancelled, or whose files can be opened.
struct Batch {
    id: u64,
    cancel: AtomicBool,
    /// The files, once collected.
    inputs: OnceLock<Vec<FileInput>>,
    /// The SHA-256 of each file as checked, to notice a file changed since.
    sha256: Mutex<Vec<Option<String>>>,
    /// The report of each file checked, for exporting.
    reports: Mutex<Vec<Option<FileReport>>>,
    /// The trust material the batch was checked with (named in exported reports).
    trust: TrustStore,
    /// The time the batch took as "now" (the check time of exported reports).
    now: OffsetDateTime,
}

/// State of the verification view.
pub struct VerifyState {
    next_id: AtomicU64,
    batches: Mutex<VecDeque<Arc<Batch>>>,
    /// Files given on the command line at start, until the window takes them.
    open_args: Mutex<Vec<String>>,
}

impl VerifyState {
    /// State with the files given on the command line (`args` without the program name).
    pub fn new(args: Vec<String>) -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        Self {
            next_id: AtomicU64::new(1),
            batches: Mutex::new(VecDeque::new()),
            open_args: Mutex::new(file_args(args, &cwd)),
        }
    }

    fn batch(&self, id: u64) -> Option<Arc<Batch>> {
        let list = self.batches.lock().ok()?;
        list.iter().find(|b| b.id == id).cloned()
    }
}

/// The error for a batch (or one of its files) the window no longer holds.
fn batch_gone(batch: u64, index: Option<usize>, l: Language) -> ErrorPayload {
    message(
        "verify_batch_gone",
        format!("batch {batch} file {index:?} unknown"),
        l,
        "Questo risultato non è più disponibile: verifica di nuovo il file.",
        "This result is no longer available: check the file again.",
    )
}

/// The arguments that name files (options, as `--flag`, are dropped), made absolute
/// against `cwd` (the folder the launch came from).
pub fn file_args(args: Vec<String>, cwd: &std::path::Path) -> Vec<String> {
    args.into_iter()
        .filter(|a| !a.starts_with('-') && !a.is_empty())
        .map(|a| cwd.join(a).to_string_lossy().into_owned())
        .collect()
}

/// Removes documents opened in earlier sessions (at start).
pub fn clean_opened(state: &AppState) {
    let removed =
        api::clean_private_folders(&state.paths.cache.join(OPENED_FOLDER), OPENED_MAX_AGE);
    if removed > 0 {
        tracing::info!(removed, "old opened documents removed");
    }
}

fn message(code: &str, detail: String, l: Language, it: &str, en: &str) -> ErrorPayload {
    let text = match l {
        Language::It => it,
        Language::En => en,
    };
    ErrorPayload::with_message(code, detail, text.to_owned())
}

fn validation_time(at: &AtChoice, l: Language) -> Result<ValidationTime, ErrorPayload> {
    Ok(match at {
        AtChoice::Now => ValidationTime::Now,
        AtChoice::SigningTime => ValidationTime::SigningTime,
        AtChoice::Given { time } => {
            let t = OffsetDateTime::parse(time, &Rfc3339).map_err(|e| {
                message(
                    "verify_bad_time",
                    e.to_string(),
                    l,
                    "La data di verifica non è valida.",
                    "The validation date is not valid.",
                )
            })?;
            ValidationTime::Given(t.to_offset(time::UtcOffset::UTC))
        }
    })
}

/// The trust material: the default trust of this installation (the trust pack IT
/// installed and the application's `resources/trust/`), loaded by the same function the
/// CLI uses. Unreadable material is logged and left out. With the setting "check
/// revocation over the network" on, revocation data missing from a file is asked for
/// online, as `verify --online` does.
pub(crate) fn load_trust(app: &AppHandle, state: &AppState) -> TrustStore {
    let resources = app.path().resource_dir().ok();
    let default = trust_api::DefaultTrust::locate(&state.packs, resources.as_deref());
    let mut store = match trust_api::load(&[], Some(&default)) {
        Ok(store) => store,
        Err(e) => {
            tracing::warn!(error = %e, "trust material unreadable; checking without it");
            TrustStore::new()
        }
    };
    if state.settings.load().online_revocation {
        online_api::enable(&mut store, online_api::default_cache_dir());
    }
    store
}

/// Asks for signed files (or a folder of them). Returns the paths, empty when cancelled.
#[tauri::command]
pub async fn verify_pick(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    folder: bool,
) -> Result<Vec<String>, ErrorPayload> {
    Ok(state
        .picker
        .pick_signed(&app, &title, folder)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// The files given on the command line when the app started; empty after the first call.
#[tauri::command]
pub fn verify_take_open_args(verify: State<'_, VerifyState>) -> Vec<String> {
    verify
        .open_args
        .lock()
        .map(|mut a| std::mem::take(&mut *a))
        .unwrap_or_default()
}

/// Starts checking `paths` (files or folders) at the chosen time and returns the batch
/// id at once; progress arrives as `app://verify-progress` events. Asynchronous so that
/// loading the trust material never runs on the window's thread.
#[tauri::command]
pub async fn verify_start(
    app: AppHandle,
    state: State<'_, AppState>,
    verify: State<'_, VerifyState>,
    paths: Vec<String>,
    at: AtChoice,
) -> Result<u64, ErrorPayload> {
    let started = Instant::now();
    let l = state.language();
    let at = validation_time(&at, l)?;
    let id = verify.next_id.fetch_add(1, Ordering::Relaxed);
    let trust = load_trust(&app, &state);
    let batch = Arc::new(Batch {
        id,
        cancel: AtomicBool::new(false),
        inputs: OnceLock::new(),
        sha256: Mutex::new(Vec::new()),
        reports: Mutex::new(Vec::new()),
        trust: trust.clone(),
        now: OffsetDateTime::now_utc(),
    });
    if let Ok(mut list) = verify.batches.lock() {
        list.push_back(batch.clone());
        while list.len() > KEPT_BATCHES {
            if let Some(old) = list.pop_front() {
                old.cancel.store(true, Ordering::Relaxed);
            }
        }
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    std::thread::Builder::new()
        .name(format!("verify-batch-{id}"))
        .spawn(move || run_batch(&app, &batch, &paths, trust, at, started))
        .map_err(|e| {
            message(
                "verify_not_started",
                e.to_string(),
                l,
                "Impossibile avviare la verifica.",
                "The check cannot be started.",
            )
        })?;
    Ok(id)
}

fn emit(app: &AppHandle, progress: &Progress) {
    if let Err(e) = app.emit_to("main", EVENT_VERIFY_PROGRESS, progress) {
        tracing::warn!(error = %e, "cannot send verification progress to the window");
    }
}

fn run_batch(
    app: &AppHandle,
    batch: &Batch,
    paths: &[PathBuf],
    trust: TrustStore,
    at: ValidationTime,
    started: Instant,
) {
    let collected = api::collect_files(paths, MAX_BATCH_FILES);
    let inputs: Vec<FileInput> = collected
        .files
        .iter()
        .map(|p| FileInput {
            display: p.to_string_lossy().into_owned(),
            path: p.clone(),
            content: None,
        })
        .collect();
    let total = inputs.len();
    tracing::info!(
        batch = batch.id,
        files = total,
        unreadable = collected.unreadable.len(),
        truncated = collected.truncated,
        "verification batch started"
    );
    if let Ok(mut s) = batch.sha256.lock() {
        *s = vec![None; total];
    }
    if let Ok(mut r) = batch.reports.lock() {
        *r = vec![None; total];
    }
    emit(
        app,
        &Progress::Started {
            batch: batch.id,
            files: inputs.iter().map(|i| i.display.clone()).collect(),
            unreadable: collected
                .unreadable
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            truncated: collected.truncated,
        },
    );
    let inputs = batch.inputs.get_or_init(|| inputs);
    let options = Options {
        trust,
        at,
        now: batch.now,
        keep_content: false,
        revocation: RevocationPolicy::IfAvailable,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (tx, rx) = mpsc::channel::<Row>();
    let mut done = 0;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            api::verify_each(
                inputs,
                &options,
                threads,
                &batch.cancel,
                |index, outcome| {
                    let row = Row {
                        index,
                        verdict: api::file_verdict(&outcome.report),
                        unsupported: outcome.report.error.as_ref().and_then(|_| {
                            api::unsupported_format_hint(std::path::Path::new(&outcome.report.path))
                        }),
                        report: outcome.report,
                    };
                    let _ = tx.send(row);
                },
            );
            // `tx` is dropped here: the loop below ends once every row is drained.
        });
        let mut pending: Vec<Row> = Vec::new();
        let mut last_flush = Instant::now();
        loop {
            let wait = FLUSH_EVERY.saturating_sub(last_flush.elapsed());
            let received = rx.recv_timeout(wait);
            let ended = matches!(received, Err(mpsc::RecvTimeoutError::Disconnected));
            if let Ok(row) = received {
                if let Ok(mut s) = batch.sha256.lock() {
                    if let Some(slot) = s.get_mut(row.index) {
                        slot.clone_from(&row.report.sha256);
                    }
                }
                if let Ok(mut r) = batch.reports.lock() {
                    if let Some(slot) = r.get_mut(row.index) {
                        *slot = Some(row.report.clone());
                    }
                }
                pending.push(row);
            }
            let due = last_flush.elapsed() >= FLUSH_EVERY || pending.len() >= MAX_ROWS_PER_EVENT;
            if !pending.is_empty() && (due || ended) {
                done += pending.len();
                emit(
                    app,
                    &Progress::Results {
                        batch: batch.id,
                        done,
                        total,
                        rows: std::mem::take(&mut pending),
                    },
                );
                last_flush = Instant::now();
            } else if due {
                last_flush = Instant::now();
            }
            if ended {
                break;
            }
        }
    });
    let cancelled = batch.cancel.load(Ordering::Relaxed) && done < total;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        batch = batch.id,
        done,
        total,
        cancelled,
        millis,
        "verification batch finished"
    );
    emit(
        app,
        &Progress::Finished {
            batch: batch.id,
            done,
            total,
            cancelled,
            millis,
        },
    );
}

/// Stops a batch: no further file is started. Returns whether the batch was known.
#[tauri::command]
pub fn verify_cancel(verify: State<'_, VerifyState>, batch: u64) -> bool {
    match verify.batch(batch) {
        Some(b) => {
            b.cancel.store(true, Ordering::Relaxed);
            tracing::info!(batch, "verification batch cancelled");
            true
        }
        None => false,
    }
}

/// What happened when the user asked to export reports.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ExportOutcome {
    /// The user closed the folder dialog.
    Cancelled,
    /// The reports were written.
    Written {
        /// The folder chosen.
        folder: String,
        /// The files written: the PDF, the ETSI XML and the JSON report.
        files: Vec<String>,
    },
}

/// The first `<stem>.pdf/.xml/.json` triple in `dir` of which no file exists yet
/// (`stem (2)`, `stem (3)`, ... when taken): exporting never replaces an earlier report.
fn free_report_paths(dir: &std::path::Path, stem: &str) -> Option<report_api::ReportPaths> {
    (1..10_000u32).find_map(|n| {
        let base = if n == 1 {
            stem.to_owned()
        } else {
            format!("{stem} ({n})")
        };
        let paths = report_api::ReportPaths {
            pdf: Some(dir.join(format!("{base}.pdf"))),
            xml: Some(dir.join(format!("{base}.xml"))),
            json: Some(dir.join(format!("{base}.json"))),
        };
        let taken = [&paths.pdf, &paths.xml, &paths.json]
            .into_iter()
            .flatten()
            .any(|p| p.symlink_metadata().is_ok());
        (!taken).then_some(paths)
    })
}

/// Writes the verification reports (the PDF "rapporto di verifica", the ETSI TS 119 102-2
/// XML and the JSON report) of file `index` of `batch`, or of every file checked in the
/// batch when `index` is absent, into a folder the user picks. The reports carry the
/// trust material and the check time the batch used, so they state what the window showed.
#[tauri::command]
pub async fn verify_export(
    app: AppHandle,
    state: State<'_, AppState>,
    verify: State<'_, VerifyState>,
    batch: u64,
    index: Option<usize>,
    title: String,
) -> Result<ExportOutcome, ErrorPayload> {
    let l = state.language();
    let gone = || batch_gone(batch, index, l);
    let b = verify.batch(batch).ok_or_else(gone)?;
    let inputs = b.inputs.get().ok_or_else(gone)?;
    let (files, paths): (Vec<FileReport>, Vec<PathBuf>) = {
        let reports = b.reports.lock().map_err(|_| gone())?;
        let chosen: Vec<usize> = match index {
            Some(i) => vec![i],
            None => (0..reports.len()).collect(),
        };
        chosen
            .into_iter()
            .filter_map(|i| {
                let report = reports.get(i)?.clone()?;
                Some((report, inputs.get(i)?.path.clone()))
            })
            .unzip()
    };
    if files.is_empty() {
        return Err(gone());
    }
    let stem = match (index, l) {
        (Some(_), Language::It) => format!(
            "{} - rapporto di verifica",
            paths
                .first()
                .map(|p| api::content_file_name(p))
                .unwrap_or_default()
        ),
        (Some(_), Language::En) => format!(
            "{} - verification report",
            paths
                .first()
                .map(|p| api::content_file_name(p))
                .unwrap_or_default()
        ),
        (None, Language::It) => "rapporto di verifica".to_owned(),
        (None, Language::En) => "verification report".to_owned(),
    };
    let Some(dir) = state.picker.pick_folder(&app, &title) else {
        return Ok(ExportOutcome::Cancelled);
    };
    let trust = b.trust.clone();
    let now = b.now;
    let lang = match l {
        Language::It => api::Lang::It,
        Language::En => api::Lang::En,
    };
    let count = files.len();
    let written = tauri::async_runtime::spawn_blocking(move || {
        let to = free_report_paths(&dir, &stem).ok_or_else(|| "no free file name".to_owned())?;
        let report = api::Report {
            tool: api::Tool {
                name: "lavoro-agile".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            files,
        };
        let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
        let header = report_api::header(&trust, now, &refs);
        report_api::write_reports(&report, &header, lang, &to).map_err(|e| e.to_string())?;
        Ok::<_, String>((dir, to))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r)
    .map_err(|e| {
        message(
            "verify_export_failed",
            e,
            l,
            "Impossibile scrivere il rapporto di verifica nella cartella scelta.",
            "The verification report cannot be written into the chosen folder.",
        )
    })?;
    let (dir, to) = written;
    tracing::info!(batch, files = count, "verification reports exported");
    Ok(ExportOutcome::Written {
        folder: dir.to_string_lossy().into_owned(),
        files: [to.pdf, to.xml, to.json]
            .into_iter()
            .flatten()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
    })
}

/// The text of PDF file `index` of `batch`, extracted in a child process with memory, CPU
/// and time limits (a hostile PDF ends the child, never the window). Only for PDFs.
#[tauri::command]
pub async fn verify_preview(
    state: State<'_, AppState>,
    verify: State<'_, VerifyState>,
    batch: u64,
    index: usize,
) -> Result<String, ErrorPayload> {
    let l = state.language();
    let gone = || batch_gone(batch, Some(index), l);
    let b = verify.batch(batch).ok_or_else(gone)?;
    let path = b
        .inputs
        .get()
        .and_then(|i| i.get(index))
        .map(|i| i.path.clone())
        .ok_or_else(gone)?;
    let program = std::env::current_exe().map_err(|e| {
        message(
            "preview_failed",
            e.to_string(),
            l,
            "Non è stato possibile produrre l'anteprima del testo di questo PDF.",
            "The text preview of this PDF could not be produced.",
        )
    })?;
    let result = tauri::async_runtime::spawn_blocking(move || {
        lavoro_agile_api::preview::preview_pdf(
            &program,
            &path,
            lavoro_agile_api::preview::PREVIEW_WALL,
        )
    })
    .await
    .map_err(|e| {
        message(
            "verify_internal",
            e.to_string(),
            l,
            "Si è verificato un errore interno.",
            "An internal error occurred.",
        )
    })?;
    result.map_err(|e| {
        tracing::warn!(batch, index, code = e.code(), error = %e, "no PDF text preview");
        ErrorPayload::with_message(
            e.code(),
            e.to_string(),
            e.message(matches!(l, Language::It)).to_owned(),
        )
    })
}

/// Where the original document goes.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginalTarget {
    /// A private temporary folder; then it is opened with the system's application.
    Open,
    /// A folder the user picks.
    Save,
}

/// What happened when the user asked for the original document.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OriginalOutcome {
    /// The user closed the folder dialog.
    Cancelled,
    /// Opening may run code: the window asks, then calls again with `confirmed`.
    Confirm {
        /// Why.
        risk: ContentRisk,
        /// The document's file name.
        name: String,
    },
    /// The document was written and handed to the system's application.
    Opened {
        /// Where it was written.
        file: String,
    },
    /// The document was written to the folder chosen.
    Saved {
        /// Where it was written.
        file: String,
    },
}

/// Extracts the original document of file `index` of `batch` (the innermost signed
/// content), then opens it (after confirmation when it is a program or has macros) or
/// saves it into a folder the user picks. The file is checked again: if it changed since
/// the batch, nothing is written.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // the command's parameters are its IPC arguments
pub async fn verify_original(
    app: AppHandle,
    state: State<'_, AppState>,
    verify: State<'_, VerifyState>,
    batch: u64,
    index: usize,
    target: OriginalTarget,
    confirmed: bool,
    title: String,
    signature: Option<String>,
) -> Result<OriginalOutcome, ErrorPayload> {
    let l = state.language();
    let gone = || batch_gone(batch, Some(index), l);
    let b = verify.batch(batch).ok_or_else(gone)?;
    let input = b
        .inputs
        .get()
        .and_then(|i| i.get(index))
        .cloned()
        .ok_or_else(gone)?;
    let expected = b
        .sha256
        .lock()
        .ok()
        .and_then(|s| s.get(index).cloned().flatten());
    let options = Options {
        trust: TrustStore::new(),
        at: ValidationTime::Now,
        now: OffsetDateTime::now_utc(),
        keep_content: true,
        revocation: RevocationPolicy::IfAvailable,
    };
    let outcome = tauri::async_runtime::spawn_blocking(move || {
        let out = check_one(&input, &options);
        (input, out)
    })
    .await
    .map_err(|e| {
        message(
            "verify_internal",
            e.to_string(),
            l,
            "Si è verificato un errore interno.",
            "An internal error occurred.",
        )
    })?;
    let (input, outcome) = outcome;
    if expected.is_none() || outcome.report.sha256 != expected {
        return Err(message(
            "verify_file_changed",
            "the file changed since it was checked".into(),
            l,
            "Il file è cambiato (o non è più leggibile) dopo la verifica: verificalo di nuovo.",
            "The file changed (or can no longer be read) after it was checked: check it again.",
        ));
    }
    if let Some(id) = signature {
        return signed_pdf_version(&app, &state, &input, &outcome.report, &id, target, &title)
            .inspect(|_| tracing::info!(batch, index, "signed version of a PDF written"));
    }
    let Some(content) = outcome.content else {
        return Err(message(
            "verify_no_content",
            "no content in the signed file".into(),
            l,
            "Questo file non contiene il documento firmato (per esempio una firma separata .p7s: il documento è il file che l'accompagna).",
            "This file does not contain the signed document (for example a detached .p7s signature: the document is the file that goes with it).",
        ));
    };
    let name = api::content_file_name(&input.path);
    let write_failed = |e: std::io::Error| {
        message(
            "verify_write_failed",
            e.to_string(),
            l,
            "Impossibile scrivere il documento nella cartella.",
            "The document cannot be written into the folder.",
        )
    };
    match target {
        OriginalTarget::Save => {
            let Some(dir) = state.picker.pick_folder(&app, &title) else {
                return Ok(OriginalOutcome::Cancelled);
            };
            let file = api::extract_content(&dir, &input.path, &content).map_err(write_failed)?;
            tracing::info!(batch, index, "original document saved");
            Ok(OriginalOutcome::Saved {
                file: file.to_string_lossy().into_owned(),
            })
        }
        OriginalTarget::Open => {
            if let Some(risk) = api::content_risk(&name, &content) {
                if !confirmed {
                    return Ok(OriginalOutcome::Confirm { risk, name });
                }
                tracing::warn!(
                    batch,
                    index,
                    ?risk,
                    "opening a risky document after confirmation"
                );
            }
            let dir = api::private_folder(&state.paths.cache.join(OPENED_FOLDER))
                .map_err(write_failed)?;
            let file = api::extract_content(&dir, &input.path, &content).map_err(write_failed)?;
            open_with_system(&app, &file).map_err(|e| {
                message(
                    "verify_open_failed",
                    e,
                    l,
                    "Il documento è stato estratto, ma nessuna applicazione del sistema ha potuto aprirlo.",
                    "The document was extracted, but no application of the system could open it.",
                )
            })?;
            tracing::info!(batch, index, "original document opened");
            Ok(OriginalOutcome::Opened {
                file: file.to_string_lossy().into_owned(),
            })
        }
    }
}

/// Writes the version of a signed PDF that signature (or document timestamp) `id` covers,
/// the file's bytes up to the end of its signed range, into a folder the user picks or a
/// private folder, and then opens it with the system's application.
fn signed_pdf_version(
    app: &AppHandle,
    state: &AppState,
    input: &FileInput,
    report: &FileReport,
    id: &str,
    target: OriginalTarget,
    title: &str,
) -> Result<OriginalOutcome, ErrorPayload> {
    let l = state.language();
    let write_failed = |e: std::io::Error| {
        message(
            "verify_write_failed",
            e.to_string(),
            l,
            "Impossibile scrivere il documento nella cartella.",
            "The document cannot be written into the folder.",
        )
    };
    let none = || {
        message(
            "verify_no_signed_version",
            format!("no signed version for {id}"),
            l,
            "Per questa firma non si può ricostruire la versione firmata del documento.",
            "The signed version of the document cannot be rebuilt for this signature.",
        )
    };
    let dir = match target {
        OriginalTarget::Save => match state.picker.pick_folder(app, title) {
            Some(dir) => dir,
            None => return Ok(OriginalOutcome::Cancelled),
        },
        OriginalTarget::Open => {
            api::private_folder(&state.paths.cache.join(OPENED_FOLDER)).map_err(write_failed)?
        }
    };
    let file = api::extract_signed_version(&dir, &input.path, report, id)
        .map_err(write_failed)?
        .ok_or_else(none)?;
    let shown = file.to_string_lossy().into_owned();
    match target {
        OriginalTarget::Save => Ok(OriginalOutcome::Saved { file: shown }),
        OriginalTarget::Open => {
            open_with_system(app, &file).map_err(|e| {
                message(
                    "verify_open_failed",
                    e,
                    l,
                    "Il documento è stato estratto, ma nessuna applicazione del sistema ha potuto aprirlo.",
                    "The document was extracted, but no application of the system could open it.",
                )
            })?;
            Ok(OriginalOutcome::Opened { file: shown })
        }
    }
}

/// Checks one file again (for its content), on the calling thread.
fn check_one(input: &FileInput, options: &Options) -> api::FileOutcome {
    let never = AtomicBool::new(false);
    let slot = Mutex::new(None);
    api::verify_each(std::slice::from_ref(input), options, 1, &never, |_, o| {
        if let Ok(mut s) = slot.lock() {
            *s = Some(o);
        }
    });
    slot.into_inner()
        .ok()
        .flatten()
        .unwrap_or_else(|| api::FileOutcome {
            report: FileReport {
                path: input.display.clone(),
                sha256: None,
                format: None,
                error: None,
                signatures: Vec::new(),
                timestamps: Vec::new(),
            },
            content: None,
        })
}

/// Hands `file` to the system's application for its type. The end-to-end build only logs
/// it: a test machine has no desktop to open documents in.
fn open_with_system(app: &AppHandle, file: &std::path::Path) -> Result<(), String> {
    #[cfg(feature = "e2e")]
    {
        let _ = app;
        tracing::info!(file = %file.display(), "e2e: document not handed to the system");
        Ok(())
    }
    #[cfg(not(feature = "e2e"))]
    {
        use tauri_plugin_opener::OpenerExt;
        app.opener()
            .open_path(file.to_string_lossy(), None::<&str>)
            .map_err(|e| e.to_string())
    }
}
