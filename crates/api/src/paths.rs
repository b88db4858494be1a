//! Where the app keeps its files at run time, following each platform's conventions.
use std::path::PathBuf;

/// The per-user folders of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    /// Installed packs, imported profiles and other data.
    pub data: PathBuf,
    /// Settings.
    pub config: PathBuf,
    /// Disposable cache.
    pub cache: PathBuf,
    /// Rotated log files.
    pub logs: PathBuf,
}

impl AppPaths {
    /// The folders from the platform conventions (XDG on Linux, `%APPDATA%` on Windows,
    /// `~/Library` on macOS). `None` when no home folder can be found.
    pub fn from_platform() -> Option<Self> {
        let dirs = directories::ProjectDirs::from("it", "comune", "lavoro-agile")?;
        let data = dirs.data_local_dir().to_path_buf();
        Some(Self {
            logs: data.join("logs"),
            data,
            config: dirs.config_dir().to_path_buf(),
            cache: dirs.cache_dir().to_path_buf(),
        })
    }
}
