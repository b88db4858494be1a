//! Signed packs: status, install from a file the user picks, check for updates.
use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::packs::{self, Installed, Lang, PackError, PackStatus, UpdateEvent};
use lavoro_agile_api::settings::Language;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::picker::PickKind;
use crate::AppState;

fn lang(l: Language) -> Lang {
    match l {
        Language::It => Lang::It,
        Language::En => Lang::En,
    }
}

fn payload(e: &PackError, l: Language) -> ErrorPayload {
    let code = e.refusal().map(|r| r.code()).unwrap_or("pack_error");
    ErrorPayload::with_message(code, e.to_string(), e.message(lang(l)))
}

/// Installed packs, trusted keys, update addresses and the latest checks.
#[derive(Debug, Serialize)]
pub struct PacksView {
    /// The status as `api` reports it.
    #[serde(flatten)]
    pub status: PackStatus,
    /// The latest update checks of this session.
    pub last_updates: Vec<UpdateEvent>,
}

/// The status of every pack kind.
#[tauri::command]
pub fn packs_status(state: State<'_, AppState>) -> PacksView {
    PacksView {
        status: packs::status(&state.packs),
        last_updates: state
            .last_updates
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default(),
    }
}

/// What happened when the user asked to install a pack from a file.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum InstallOutcome {
    /// The user closed the dialog.
    Cancelled,
    /// The pack is installed and live.
    Installed {
        /// What is now installed.
        installed: Box<Installed>,
    },
}

/// Asks for a pack file and installs it. A refusal is an error with the reason in the
/// user's language; the installed content is then unchanged.
#[tauri::command]
pub async fn packs_install_pick(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
) -> Result<InstallOutcome, ErrorPayload> {
    let Some(path) = state.picker.pick(&app, PickKind::Pack, &title) else {
        return Ok(InstallOutcome::Cancelled);
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    match packs::install_file(
        &state.packs,
        &path,
        time::OffsetDateTime::now_utc(),
        &mut |_| {},
    ) {
        Ok(installed) => {
            tracing::info!(file = ?name, kind = ?installed.kind, version = installed.version, "pack installed");
            if installed.kind == packs::Kind::Portal {
                crate::commands::portal::reload(&state);
            }
            Ok(InstallOutcome::Installed {
                installed: Box::new(installed),
            })
        }
        Err(e) => {
            tracing::warn!(file = ?name, error = %e, "pack refused");
            Err(payload(&e, state.language()))
        }
    }
}

/// Asks the background updater to check the configured addresses now. Returns at once;
/// outcomes arrive as `app://pack-update` events.
#[tauri::command]
pub fn packs_check_now(state: State<'_, AppState>) -> bool {
    match state.updater.lock() {
        Ok(guard) => match guard.as_ref() {
            Some(u) => {
                u.check_now();
                true
            }
            None => false,
        },
        Err(_) => false,
    }
}
