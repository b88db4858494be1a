//! State shared by the commands.
use std::sync::{Mutex, RwLock};

use lavoro_agile_api::packs::{PackEnv, UpdateEvent, Updater};
use lavoro_agile_api::paths::AppPaths;
use lavoro_agile_api::portal::LoadedPortal;
use lavoro_agile_api::settings::{Language, SettingsStore};

use crate::picker::FilePicker;

/// What the commands need.
pub struct AppState {
    /// Per-user folders.
    pub paths: AppPaths,
    /// Settings file; writes are serialised by `settings_lock`.
    pub settings: SettingsStore,
    /// Serialises read-modify-write of the settings.
    pub settings_lock: Mutex<()>,
    /// Where packs are installed and which keys are trusted.
    pub packs: PackEnv,
    /// The background update checker, when update URLs can be checked.
    pub updater: Mutex<Option<Updater>>,
    /// The outcome of the latest check of each URL, newest last.
    pub last_updates: Mutex<Vec<UpdateEvent>>,
    /// How the user picks files.
    pub picker: Box<dyn FilePicker>,
    /// The portal content shown (`None` only if even the bundled content is unreadable);
    /// replaced after a portal pack is installed.
    pub portal: RwLock<Option<LoadedPortal>>,
}

impl AppState {
    /// State for the given folders.
    pub fn new(paths: AppPaths, packs: PackEnv, picker: Box<dyn FilePicker>) -> Self {
        Self {
            settings: SettingsStore::in_folder(&paths.config),
            paths,
            settings_lock: Mutex::new(()),
            packs,
            updater: Mutex::new(None),
            last_updates: Mutex::new(Vec::new()),
            picker,
            portal: RwLock::new(None),
        }
    }

    /// The user's language, for messages that come from domain crates.
    pub fn language(&self) -> Language {
        self.settings.load().language
    }
}
