//! The Lavoro Agile desktop shell.
//!
//! Thin by design: it opens the window, registers plugins and commands, and each command
//! (in `commands/<domain>.rs`) only converts its input, calls `lavoro_agile_api` and maps
//! the error. No domain logic lives here.
#![forbid(unsafe_code)]

mod commands;
mod picker;
mod state;

use std::process::ExitCode;

use lavoro_agile_api::packs::{self, HttpFetcher, PackEnv, Updater};
use lavoro_agile_api::paths::AppPaths;
use tauri::{App, Emitter, Manager};

pub use state::AppState;

/// The event the main window receives when a second launch forwards its arguments.
pub const EVENT_OPEN_ARGS: &str = "app://open-args";

/// The event the main window receives after each background check of a pack address.
pub const EVENT_PACK_UPDATE: &str = "app://pack-update";

/// How many update outcomes are kept for the settings view.
const KEPT_UPDATE_EVENTS: usize = 10;

/// Builds the shared state once the app knows its resource folder: recovers from an
/// interrupted pack install and starts the background pack updater.
fn setup(app: &mut App, paths: AppPaths) {
    let bundled_keys = app.path().resource_dir().ok().map(|d| d.join("keys"));
    let env = PackEnv::new(&paths, bundled_keys);
    let removed = packs::recover(&env);
    if removed > 0 {
        tracing::info!(removed, "cleaned what an interrupted pack install left");
    }
    let state = AppState::new(paths, env.clone(), picker::default_picker());
    commands::verify::clean_opened(&state);
    let loaded = commands::portal::load(&state);
    if let Ok(mut slot) = state.portal.write() {
        *slot = loaded;
    }
    let handle = app.handle().clone();
    let updater = Updater::spawn(
        env,
        HttpFetcher::from_environment(),
        time::OffsetDateTime::now_utc,
        move |event| {
            if let Some(state) = handle.try_state::<AppState>() {
                if let Some(packs::UrlOutcome::Installed { installed }) = &event.outcome {
                    if installed.kind == packs::Kind::Portal {
                        commands::portal::reload(&state);
                    }
                }
                if let Ok(mut list) = state.last_updates.lock() {
                    list.push(event.clone());
                    let excess = list.len().saturating_sub(KEPT_UPDATE_EVENTS);
                    list.drain(..excess);
                }
            }
            if let Err(e) = handle.emit_to("main", EVENT_PACK_UPDATE, &event) {
                tracing::warn!(error = %e, "cannot send the update outcome to the window");
            }
        },
    );
    match updater {
        Ok(u) => {
            if let Ok(mut slot) = state.updater.lock() {
                *slot = Some(u);
            }
        }
        Err(e) => tracing::warn!(error = %e, "pack updater not started"),
    }
    app.manage(state);
    app.manage(commands::update::PendingUpdate::default());
    tauri::async_runtime::spawn(commands::update::check_at_start(app.handle().clone()));
    let args: Vec<String> = std::env::args().skip(1).collect();
    app.manage(commands::vpn::VpnState::start(&args));
}

/// Starts the app and returns when its last window closes.
pub fn run() -> ExitCode {
    // A PDF text preview child (the app re-executes itself): limits, extraction, exit.
    // Before anything else: no log file, no window, no single-instance hand-over.
    if let Some(code) = lavoro_agile_api::preview::child_main(std::env::args_os()) {
        return code;
    }
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
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            // File paths are made absolute against the second launch's folder.
            let args = commands::verify::file_args(
                argv.into_iter().skip(1).collect(),
                std::path::Path::new(&cwd),
            );
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
        .manage(commands::verify::VerifyState::new(
            std::env::args().skip(1).collect(),
        ))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            setup(app, paths);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::settings::settings_get,
            commands::settings::settings_set_language,
            commands::settings::settings_set_online_revocation,
            commands::about::app_info,
            commands::packs::packs_status,
            commands::packs::packs_install_pick,
            commands::packs::packs_check_now,
            commands::portal::portal_list,
            commands::portal::portal_page,
            commands::portal::portal_search,
            commands::portal::portal_news,
            commands::portal::portal_status,
            commands::portal::portal_open_external,
            commands::portal::portal_attachment_save,
            commands::portal::portal_assessment,
            commands::portal::portal_assessment_submit,
            commands::portal::portal_assessment_forget,
            commands::update::update_status,
            commands::update::update_check,
            commands::update::update_open_file,
            commands::update::update_pending,
            commands::update::update_install,
            commands::update::update_restart,
            commands::vpn::vpn_list,
            commands::vpn::vpn_import_pick,
            commands::vpn::vpn_import_path,
            commands::vpn::vpn_launch_files,
            commands::vpn::vpn_remove,
            commands::vpn::vpn_credentials_set,
            commands::vpn::vpn_credentials_forget,
            commands::vpn::vpn_connect,
            commands::vpn::vpn_disconnect,
            commands::vpn::vpn_status,
            commands::vpn::vpn_challenge_answer,
            commands::verify::verify_pick,
            commands::verify::verify_take_open_args,
            commands::verify::verify_start,
            commands::verify::verify_cancel,
            commands::verify::verify_original,
            commands::verify::verify_export,
            commands::verify::verify_preview,
            commands::sign::sign_tokens,
            commands::sign::sign_pick,
            commands::sign::sign_settings_set,
            commands::sign::sign_run,
            commands::sign::sign_reveal,
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
