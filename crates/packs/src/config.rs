//! The machine-wide configuration IT writes: `packs.toml` and the `keys/` folder in the
//! system folder (`/etc/lavoro-agile` on Linux; `LAVORO_AGILE_SYSTEM_DIR` overrides it).
//!
//! ```toml
//! [updates]
//! # Where the app looks for new packs (each URL serves the pack; URL + ".minisig" its
//! # signature). None by default.
//! urls = ["https://intranet.comune.example/lavoro-agile/portal.pack"]
//! # How often to check while the app runs, in hours (1 to 168, default 4).
//! interval_hours = 4
//!
//! # Extra trusted keys, besides the key-scope files in keys/ (same fields).
//! [[keys]]
//! comment = "Ufficio SI, profili VPN 2026"
//! public_key = "RWQ…"
//! kinds = ["profiles"]
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::keys::{KeyEntry, KeyRing, KeyWarning};
use crate::PackError;

/// File name of the configuration in the system folder.
pub const CONFIG_FILE: &str = "packs.toml";
/// Folder of IT's key-scope files in the system folder.
pub const KEYS_DIR: &str = "keys";
/// Default hours between checks.
pub const DEFAULT_INTERVAL_HOURS: u32 = 4;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    updates: RawUpdates,
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpdates {
    #[serde(default)]
    urls: Vec<String>,
    interval_hours: Option<u32>,
    #[serde(default)]
    allow_plain_http_loopback: bool,
}

/// Which URLs may be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UrlPolicy {
    /// Only `https://` (the default, and the only choice for a real deployment).
    #[default]
    HttpsOnly,
    /// Also `http://` to `127.0.0.1`, `localhost` or `::1`: for tests against a local server.
    AllowPlainLoopback,
}

/// The checked machine-wide configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemConfig {
    /// URLs to check for packs (HTTPS).
    pub update_urls: Vec<String>,
    /// Hours between checks.
    pub interval_hours: u32,
    /// Which URLs may be fetched (`allow_plain_http_loopback = true` in the file gives
    /// [`UrlPolicy::AllowPlainLoopback`]).
    pub url_policy: UrlPolicy,
    /// Extra trusted keys from `[[keys]]` tables.
    pub keys: Vec<KeyEntry>,
}

impl Default for SystemConfig {
    fn default() -> Self {
        Self {
            update_urls: Vec::new(),
            interval_hours: DEFAULT_INTERVAL_HOURS,
            url_policy: UrlPolicy::HttpsOnly,
            keys: Vec::new(),
        }
    }
}

/// Whether `url` may be fetched: `https://`, or `http://` to a loopback host when the
/// policy allows it.
pub fn url_allowed(url: &str, policy: UrlPolicy) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(rest) = url.strip_prefix("https://") {
        return !rest.is_empty();
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    if policy != UrlPolicy::AllowPlainLoopback {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

impl SystemConfig {
    /// Reads `packs.toml` from `system_dir`; a missing file gives the defaults.
    pub fn load(system_dir: &Path) -> Result<SystemConfig, PackError> {
        let path = system_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(PackError::Input {
                    path: path.display().to_string(),
                    source: e,
                })
            }
        };
        Self::parse(&text, &path)
    }

    /// Parses the text of `packs.toml`; `path` is for messages.
    pub fn parse(text: &str, path: &Path) -> Result<SystemConfig, PackError> {
        let bad = |detail: String| PackError::Config {
            path: path.display().to_string(),
            detail,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
        let interval_hours = raw.updates.interval_hours.unwrap_or(DEFAULT_INTERVAL_HOURS);
        if !(1..=168).contains(&interval_hours) {
            return Err(bad("interval_hours must be between 1 and 168".into()));
        }
        let url_policy = if raw.updates.allow_plain_http_loopback {
            UrlPolicy::AllowPlainLoopback
        } else {
            UrlPolicy::HttpsOnly
        };
        for url in &raw.updates.urls {
            if !url_allowed(url, url_policy) {
                return Err(bad(format!("{url} is not an https:// URL")));
            }
        }
        Ok(SystemConfig {
            update_urls: raw.updates.urls,
            interval_hours,
            url_policy,
            keys: raw.keys,
        })
    }

    /// Adds the `[[keys]]` of this configuration to `ring`; `path` is for warnings.
    pub fn add_keys_to(&self, ring: &mut KeyRing, path: &Path) -> Vec<KeyWarning> {
        let mut warnings = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            if let Err(detail) = ring.add_entry(k, Some(path.to_path_buf())) {
                warnings.push(KeyWarning {
                    path: path.to_path_buf(),
                    detail: format!("keys[{i}]: {detail}"),
                });
            }
        }
        warnings
    }
}

/// The keys folder inside a system folder.
pub fn keys_dir(system_dir: &Path) -> PathBuf {
    system_dir.join(KEYS_DIR)
}
