//! User settings, stored as JSON in the per-user config folder.
//!
//! A missing file means defaults. A file that cannot be read as settings is kept aside
//! (renamed with a `.corrupt` suffix, never deleted) and defaults are used, so a damaged
//! file never stops the app from starting.
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// The language of the user interface and of the explanations in reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

impl std::str::FromStr for Language {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "it" => Ok(Language::It),
            "en" => Ok(Language::En),
            other => Err(ApiError::InvalidArgument(format!(
                "unknown language {other:?}"
            ))),
        }
    }
}

/// Everything the user can set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Interface language.
    pub language: Language,
    /// The PKCS#11 module of the smart card (a library path); `None`: the first of the
    /// usual middleware paths found on this computer.
    pub sign_module: Option<String>,
    /// A timestamp authority's address (RFC 3161 over HTTP) offered when signing.
    pub tsa_url: Option<String>,
    /// Ask the certificates' OCSP responders and CRL addresses over the network when a
    /// signature carries no revocation data (`verify --online`); off by default, so that
    /// verification never needs the network.
    pub online_revocation: bool,
}

/// Reads and writes [`Settings`] in one file.
#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
}

/// The settings file name inside the config folder.
pub const SETTINGS_FILE: &str = "settings.json";

impl SettingsStore {
    /// A store in the given config folder.
    pub fn in_folder(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join(SETTINGS_FILE),
        }
    }

    /// The settings file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored settings, or the defaults when there are none or they are unreadable.
    pub fn load(&self) -> Settings {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Settings::default(),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "settings unreadable, using defaults");
                return Settings::default();
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(s) => s,
            Err(e) => {
                let aside = self.path.with_extension("json.corrupt");
                tracing::warn!(path = %self.path.display(), error = %e, aside = %aside.display(),
                    "settings file is damaged; kept aside, using defaults");
                let _ = fs::rename(&self.path, &aside);
                Settings::default()
            }
        }
    }

    /// Stores the settings atomically: a crash leaves either the old or the new file.
    pub fn save(&self, settings: &Settings) -> Result<(), ApiError> {
        let io = |source| ApiError::Io {
            path: self.path.clone(),
            source,
        };
        crate::json_file::write_atomic(&self.path, settings).map_err(io)?;
        tracing::info!(path = %self.path.display(), "settings saved");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_missing_file_gives_italian_default() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::in_folder(dir.path());
        assert_eq!(store.load().language, Language::It);
    }

    #[test]
    fn settings_saved_language_survives_reload() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::in_folder(&dir.path().join("nested"));
        store
            .save(&Settings {
                language: Language::En,
                ..Settings::default()
            })
            .unwrap();
        assert_eq!(
            SettingsStore::in_folder(&dir.path().join("nested"))
                .load()
                .language,
            Language::En
        );
    }

    #[test]
    fn settings_older_file_without_signing_fields_loads() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::in_folder(dir.path());
        fs::write(store.path(), br#"{"language":"en"}"#).unwrap();
        let s = store.load();
        assert_eq!(s.language, Language::En);
        assert_eq!((s.sign_module, s.tsa_url), (None, None));
        assert!(
            !s.online_revocation,
            "the network stays off unless asked for"
        );
    }

    #[test]
    fn settings_online_revocation_survives_reload() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::in_folder(dir.path());
        let s = Settings {
            online_revocation: true,
            ..Settings::default()
        };
        store.save(&s).unwrap();
        assert!(store.load().online_revocation);
    }

    #[test]
    fn settings_signing_fields_survive_reload() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::in_folder(dir.path());
        let s = Settings {
            sign_module: Some("/usr/lib/softhsm/libsofthsm2.so".into()),
            tsa_url: Some("http://127.0.0.1:3180/".into()),
            ..Settings::default()
        };
        store.save(&s).unwrap();
        assert_eq!(store.load(), s);
    }

    #[test]
    fn settings_corrupt_file_is_kept_aside_and_defaults_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::in_folder(dir.path());
        fs::write(store.path(), b"{not json").unwrap();
        assert_eq!(store.load(), Settings::default());
        assert_eq!(
            fs::read(dir.path().join("settings.json.corrupt")).unwrap(),
            b"{not json"
        );
    }

    #[test]
    fn language_parse_rejects_unknown() {
        assert_eq!("en".parse::<Language>().unwrap(), Language::En);
        assert!("fr".parse::<Language>().is_err());
    }
}
