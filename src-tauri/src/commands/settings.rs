//! Settings commands.
use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::settings::{Language, Settings};
use lavoro_agile_api::ApiError;
use tauri::State;

use crate::AppState;

/// The current settings.
#[tauri::command]
pub fn settings_get(state: State<'_, AppState>) -> Settings {
    state.settings.load()
}

/// Changes the interface language (`it` or `en`) and returns the stored settings.
#[tauri::command]
pub fn settings_set_language(
    state: State<'_, AppState>,
    language: String,
) -> Result<Settings, ErrorPayload> {
    let language: Language = language
        .parse()
        .map_err(|e: ApiError| ErrorPayload::from(&e))?;
    let _guard = state
        .settings_lock
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut settings = state.settings.load();
    settings.language = language;
    state
        .settings
        .save(&settings)
        .map_err(|e| ErrorPayload::from(&e))?;
    Ok(settings)
}

/// Turns checking revocation over the network on or off and returns the stored settings.
#[tauri::command]
pub fn settings_set_online_revocation(
    state: State<'_, AppState>,
    on: bool,
) -> Result<Settings, ErrorPayload> {
    let _guard = state
        .settings_lock
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut settings = state.settings.load();
    settings.online_revocation = on;
    state
        .settings
        .save(&settings)
        .map_err(|e| ErrorPayload::from(&e))?;
    tracing::info!(on, "online revocation checking set");
    Ok(settings)
}
