//! The Lavoro Agile desktop shell.
//!
//! Thin by design: it opens the window, registers plugins and commands, and each command
//! (in `commands/<domain>.rs`) only converts its input, calls `lavoro_agile_api` and maps
//! the error. No domain logic lives here.
#![forbid(unsafe_code)]

mod commands;
mod state;

use std::process::ExitCode;

use lavoro_agile_api::paths::AppPaths;
use tauri::{Emitter, Manager};

pub use state::AppState;

/// The event the main window receives when a second launch forwards its arguments.
pub const EVENT_OPEN_ARGS: &str = "app://open-args";

/// Starts the app and returns when its last window closes.
pub fn run() -> ExitCode {
    let Some(paths) = AppPaths::from_platform() else {
        eprintln!("Lavoro Agile: impossibile determinare la cartella utente (HOME non impostata).");
        return ExitCode::FAILURE;
    };
    let _log_guard = match lavoro_agile_api::logging::init_app(&paths.logs) {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("Lavoro Agile: log file unavailable ({e}); logging to stderr only");
            lavoro_agile_api::logging::init_cli();
            None
        }
    };
    tracing::info!(version = lavoro_agile_api::about::VERSION, "starting");

    let result = tauri::Builder::default()
        // Registered first, as the plugin requires: a second launch focuses this window
        // and forwards its arguments (e.g. a file opened from the file manager).
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            let args: Vec<String> = argv.into_iter().skip(1).collect();
            tracing::info!(
                count = args.len(),
                "second instance forwarded its arguments"
            );
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
            if let Err(e) = app.emit_to("main", EVENT_OPEN_ARGS, args) {
                tracing::warn!(error = %e, "cannot forward arguments to the window");
            }
        }))
        .manage(AppState::new(paths))
        .invoke_handler(tauri::generate_handler![
            commands::settings::settings_get,
            commands::settings::settings_set_language,
            commands::about::app_info,
        ])
        .run(tauri::generate_context!());

    match result {
        Ok(()) => {
            tracing::info!("exiting");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "the app could not start");
            eprintln!("Lavoro Agile: impossibile avviare l'applicazione: {e}");
            ExitCode::FAILURE
        }
    }
}
