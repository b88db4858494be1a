//! Checking IT's URLs for new packs: one check ([`check_url`]) and a background thread
//! ([`Updater`]) that checks at start and then every few hours, so the UI never waits.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::http::{FetchError, FetchOutcome, HttpFetcher};
use super::{
    install_bytes, Installed, Lang, PackEnv, PackError, Refusal, UrlPolicy, SIGNATURE_SUFFIX,
};

const STATE_FILE: &str = "updates.json";
/// Retry delay after a network failure (capped by the configured interval).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(15 * 60);

/// What we remember about one URL between checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlState {
    /// `ETag` of the last pack we accepted or judged.
    pub etag: Option<String>,
    /// `Last-Modified` of the same.
    pub last_modified: Option<String>,
    /// When the URL was last checked.
    pub last_check: Option<String>,
    /// Outcome code of the last check.
    pub last_result: Option<String>,
}

/// The state of every URL, kept in `<data>/packs/updates.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateState {
    /// By URL.
    pub urls: BTreeMap<String, UrlState>,
}

impl UpdateState {
    /// Reads the state; a missing or damaged file gives an empty state (the next check
    /// simply downloads again).
    pub fn load(store_dir: &Path) -> Self {
        std::fs::read(store_dir.join(STATE_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, store_dir: &Path) -> Result<(), PackError> {
        let storage = |source| PackError::Storage {
            path: store_dir.join(STATE_FILE).display().to_string(),
            source,
        };
        crate::json_file::write_atomic(&store_dir.join(STATE_FILE), self).map_err(storage)
    }
}

/// What one check of a URL found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UrlOutcome {
    /// The server said nothing changed (conditional request).
    NotModified,
    /// The pack on the server is the one installed.
    UpToDate {
        /// Installed version.
        version: u64,
    },
    /// A new pack was installed.
    Installed {
        /// What is now live.
        installed: Box<Installed>,
    },
}

/// Why a check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The URL is not allowed (not HTTPS).
    #[error("URL not allowed: {0}")]
    UrlNotAllowed(String),
    /// The download failed; the installed content is untouched.
    #[error("download failed: {0}")]
    Fetch(#[from] FetchError),
    /// The pack was refused or could not be installed.
    #[error(transparent)]
    Pack(#[from] PackError),
}

impl UpdateError {
    /// The message for the user.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::UrlNotAllowed(u), Lang::It) => {
                format!("Indirizzo di aggiornamento non ammesso (serve https://): {u}")
            }
            (Self::UrlNotAllowed(u), _) => format!("Update address not allowed (https:// needed): {u}"),
            (Self::Fetch(FetchError::TooLarge), Lang::It) => {
                "Aggiornamento non scaricato: il pacchetto supera il limite di dimensione.".into()
            }
            (Self::Fetch(FetchError::TooLarge), _) => {
                "Update not downloaded: the pack is over the size limit.".into()
            }
            (Self::Fetch(FetchError::Status(code)), Lang::It) => {
                format!("Aggiornamento non scaricato: il server ha risposto con l'errore {code}.")
            }
            (Self::Fetch(FetchError::Status(code)), _) => {
                format!("Update not downloaded: the server answered with error {code}.")
            }
            (Self::Fetch(_), Lang::It) => {
                "Aggiornamento non scaricato: rete non raggiungibile o download interrotto. Si riproverà più tardi.".into()
            }
            (Self::Fetch(_), _) => {
                "Update not downloaded: network unreachable or download interrupted. Will retry later.".into()
            }
            (Self::Pack(e), l) => e.message(l),
        }
    }

    /// A stable code for JSON and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UrlNotAllowed(_) => "URL_NOT_ALLOWED",
            Self::Fetch(FetchError::TooLarge) => "TOO_LARGE",
            Self::Fetch(FetchError::Status(_)) => "HTTP_STATUS",
            Self::Fetch(_) => "NETWORK",
            Self::Pack(PackError::Refused(r)) => r.code(),
            Self::Pack(_) => "STORAGE",
        }
    }
}

fn fmt_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Checks one URL: conditional download of the pack, download of `URL.minisig`, every
/// check in memory, then the install. Nothing is unpacked before the checks pass.
pub fn check_url(
    env: &PackEnv,
    fetcher: &HttpFetcher,
    url: &str,
    url_policy: UrlPolicy,
    now: OffsetDateTime,
) -> Result<UrlOutcome, UpdateError> {
    if !lavoro_agile_packs::config::url_allowed(url, url_policy) {
        return Err(UpdateError::UrlNotAllowed(url.to_owned()));
    }
    let mut state = UpdateState::load(&env.store_dir);
    let previous = state.urls.get(url).cloned().unwrap_or_default();
    let result = fetch_and_install(env, fetcher, url, &previous, now);
    let entry = state.urls.entry(url.to_owned()).or_default();
    entry.last_check = Some(fmt_time(now));
    match &result {
        Ok((outcome, validators)) => {
            if let Some((etag, lm)) = validators {
                entry.etag.clone_from(etag);
                entry.last_modified.clone_from(lm);
            }
            entry.last_result = Some(
                match outcome {
                    UrlOutcome::NotModified => "NOT_MODIFIED",
                    UrlOutcome::UpToDate { .. } => "UP_TO_DATE",
                    UrlOutcome::Installed { .. } => "INSTALLED",
                }
                .into(),
            );
        }
        Err(e) => entry.last_result = Some(e.code().into()),
    }
    if let Err(e) = state.save(&env.store_dir) {
        tracing::warn!(error = %e, "update state not saved");
    }
    result.map(|(o, _)| o)
}

type Validators = Option<(Option<String>, Option<String>)>;

fn fetch_and_install(
    env: &PackEnv,
    fetcher: &HttpFetcher,
    url: &str,
    previous: &UrlState,
    now: OffsetDateTime,
) -> Result<(UrlOutcome, Validators), UpdateError> {
    let fetched = fetcher.get(
        url,
        previous.etag.as_deref(),
        previous.last_modified.as_deref(),
        env.limits.max_archive_bytes,
    )?;
    let (body, etag, last_modified) = match fetched {
        FetchOutcome::NotModified => return Ok((UrlOutcome::NotModified, None)),
        FetchOutcome::Fetched {
            body,
            etag,
            last_modified,
        } => (body, etag, last_modified),
    };
    tracing::info!(%url, bytes = body.len(), "pack downloaded");
    let sig_url = format!("{url}{SIGNATURE_SUFFIX}");
    let signature = match fetcher.get(&sig_url, None, None, 16 * 1024) {
        Ok(FetchOutcome::Fetched { body, .. }) => Some(String::from_utf8(body).unwrap_or_default()),
        Ok(FetchOutcome::NotModified) | Err(FetchError::Status(404 | 410)) => None,
        Err(e) => return Err(e.into()),
    };
    let validators = Some((etag, last_modified));
    match install_bytes(env, &body, signature.as_deref(), now, &mut |_| {}) {
        Ok(installed) => Ok((
            UrlOutcome::Installed {
                installed: Box::new(installed),
            },
            validators,
        )),
        Err(PackError::Refused(Refusal::NotNewer { offered, installed }))
            if offered == installed =>
        {
            Ok((UrlOutcome::UpToDate { version: installed }, validators))
        }
        Err(e) => Err(e.into()),
    }
}

/// One finished check, for the UI.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateEvent {
    /// The URL checked.
    pub url: String,
    /// The outcome, when the check succeeded.
    pub outcome: Option<UrlOutcome>,
    /// The error code, when it failed.
    pub code: Option<&'static str>,
    /// The message, in Italian, when it failed.
    pub message_it: Option<String>,
    /// The message, in English, when it failed.
    pub message_en: Option<String>,
}

enum Command {
    CheckNow,
    Stop,
}

/// The background updater. Dropping it asks the thread to stop without waiting (a
/// download in progress finishes first, in the background); [`Updater::stop`] waits.
#[derive(Debug)]
pub struct Updater {
    tx: Sender<Command>,
    thread: Option<JoinHandle<()>>,
}

impl Updater {
    /// Starts the thread: it checks every configured URL at once, then every
    /// `interval_hours` (sooner after a network failure), re-reading the machine-wide
    /// configuration each round. `now` gives the time; `on_event` receives each outcome.
    pub fn spawn(
        env: PackEnv,
        fetcher: HttpFetcher,
        now: fn() -> OffsetDateTime,
        on_event: impl Fn(UpdateEvent) + Send + 'static,
    ) -> Result<Updater, PackError> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("pack-updater".into())
            .spawn(move || loop {
                let (config, mut wait) = match env.config() {
                    Ok(c) => {
                        let every = Duration::from_secs(u64::from(c.interval_hours) * 3600);
                        (Some(c), every)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "pack configuration not readable");
                        (None, RETRY_AFTER_FAILURE)
                    }
                };
                for url in config.iter().flat_map(|c| c.update_urls.iter()) {
                    let policy = config.as_ref().map(|c| c.url_policy).unwrap_or_default();
                    let event = match check_url(&env, &fetcher, url, policy, now()) {
                        Ok(outcome) => UpdateEvent {
                            url: url.clone(),
                            outcome: Some(outcome),
                            code: None,
                            message_it: None,
                            message_en: None,
                        },
                        Err(e) => {
                            if matches!(e, UpdateError::Fetch(_)) {
                                wait = wait.min(RETRY_AFTER_FAILURE);
                            }
                            tracing::warn!(%url, code = e.code(), "pack update check failed");
                            UpdateEvent {
                                url: url.clone(),
                                outcome: None,
                                code: Some(e.code()),
                                message_it: Some(e.message(Lang::It)),
                                message_en: Some(e.message(Lang::En)),
                            }
                        }
                    };
                    on_event(event);
                }
                match rx.recv_timeout(wait) {
                    Ok(Command::CheckNow) | Err(RecvTimeoutError::Timeout) => continue,
                    Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                }
            })
            .map_err(|e| PackError::Storage {
                path: "pack-updater thread".into(),
                source: e,
            })?;
        Ok(Updater {
            tx,
            thread: Some(thread),
        })
    }

    /// Asks for a check now (returns at once).
    pub fn check_now(&self) {
        let _ = self.tx.send(Command::CheckNow);
    }

    /// Stops the thread and waits for it (after the check in progress, if any).
    pub fn stop(mut self) {
        let _ = self.tx.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Updater {
    fn drop(&mut self) {
        // Never block the caller (the UI thread, at exit): the thread ends on its own.
        let _ = self.tx.send(Command::Stop);
    }
}
