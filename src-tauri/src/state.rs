//! State shared by the commands.
use std::sync::Mutex;

use lavoro_agile_api::paths::AppPaths;
use lavoro_agile_api::settings::SettingsStore;

/// What the commands need: the folders and the settings store.
pub struct AppState {
    /// Per-user folders.
    pub paths: AppPaths,
    /// Settings file; writes are serialised by `settings_lock`.
    pub settings: SettingsStore,
    /// Serialises read-modify-write of the settings.
    pub settings_lock: Mutex<()>,
}

impl AppState {
    /// State for the given folders.
    pub fn new(paths: AppPaths) -> Self {
        Self {
            settings: SettingsStore::in_folder(&paths.config),
            paths,
            settings_lock: Mutex::new(()),
        }
    }
}
