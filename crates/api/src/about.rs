//! What the "Informazioni" view and `--version` show: version, build, folders, licences.
use serde::{Deserialize, Serialize};

use crate::paths::AppPaths;

/// The application version (the workspace version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Which source the binary was built from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BuildInfo {
    /// Short commit hash, or "unknown".
    pub commit: String,
    /// Commit time, Unix seconds, when known (the UI shows it in Europe/Rome).
    pub time: Option<i64>,
}

impl BuildInfo {
    /// The values recorded at build time.
    pub fn current() -> Self {
        Self {
            commit: env!("LAVORO_AGILE_BUILD_COMMIT").to_owned(),
            time: env!("LAVORO_AGILE_BUILD_TIME").parse().ok(),
        }
    }
}

/// A third-party component bundled in the app, with its licence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Component {
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// SPDX licence expression as declared by the component.
    pub license: String,
    /// Where it comes from: `crate`, `npm` or `font`.
    pub kind: String,
}

/// The folders, as shown to the user.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Folders {
    /// Data folder.
    pub data: String,
    /// Config folder.
    pub config: String,
    /// Log folder.
    pub logs: String,
}

impl From<&AppPaths> for Folders {
    fn from(p: &AppPaths) -> Self {
        Self {
            data: p.data.display().to_string(),
            config: p.config.display().to_string(),
            logs: p.logs.display().to_string(),
        }
    }
}

/// Everything the "Informazioni" view shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppInfo {
    /// Application version.
    pub version: String,
    /// Build information.
    pub build: BuildInfo,
    /// Where data, config and logs live.
    pub folders: Folders,
    /// Bundled third-party components.
    pub components: Vec<Component>,
}

/// The generated list of bundled components (`make licenses` refreshes it).
const LICENSES_JSON: &str = include_str!("../../../resources/licenses.json");

/// The bundled components and their licences, sorted by kind and name.
pub fn components() -> Vec<Component> {
    match serde_json::from_str::<Vec<Component>>(LICENSES_JSON) {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %e, "bundled licence list is unreadable");
            Vec::new()
        }
    }
}

/// The information for the "Informazioni" view.
pub fn app_info(paths: &AppPaths) -> AppInfo {
    AppInfo {
        version: VERSION.to_owned(),
        build: BuildInfo::current(),
        folders: Folders::from(paths),
        components: components(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_list_is_readable_and_names_tauri() {
        let list = components();
        assert!(list.iter().any(|c| c.name == "tauri" && c.kind == "crate"));
        assert!(list
            .iter()
            .any(|c| c.name == "bootstrap-italia" && c.kind == "npm"));
        assert!(list.iter().all(|c| !c.license.is_empty()));
    }
}
