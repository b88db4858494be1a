//! The "Informazioni" command.
use lavoro_agile_api::about::AppInfo;
use tauri::State;

use crate::AppState;

/// Version, build, folders and licences.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    lavoro_agile_api::about::app_info(&state.paths)
}
