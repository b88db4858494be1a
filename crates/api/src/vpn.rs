//! VPN profiles and their credentials, for both front doors: thin glue over
//! `lavoro-agile-vpn` and `lavoro-agile-vault`, plus the serialisable views.
//!
//! Imported profiles live in `<data>/vpn`; IT's profiles come from the live folder of the
//! installed `profiles` pack; usernames and passwords only in the OS keychain.
//! Connecting and disconnecting: [`connection`].
use std::path::Path;

pub mod connection;

use serde::Serialize;

use crate::packs::{self, Kind, PackEnv};
use crate::paths::AppPaths;
use crate::settings::Language;

pub use lavoro_agile_vault::{
    CredentialStore, Credentials, Keychain, Secret, VaultError, DEFAULT_SERVICE,
};
pub use lavoro_agile_vpn::store::{ImportOutcome, Origin, Profile, Store};
pub use lavoro_agile_vpn::{
    check_file, Checked, Finding, Lang, LintReport, ProfileKind, Reason, VpnError,
};

/// The domain crates' language for a settings language.
pub fn lang(language: Language) -> Lang {
    match language {
        Language::It => Lang::It,
        Language::En => Lang::En,
    }
}

/// The profile store: `<data>/vpn`, and IT's profiles from the installed `profiles` pack.
pub fn store(paths: &AppPaths, env: &PackEnv) -> Store {
    Store::new(
        paths.data.join("vpn"),
        packs::content_dir(env, Kind::Profiles),
    )
}

/// Opens the keychain after its start-up probe (see [`Keychain::open`]).
pub fn open_keychain() -> Result<Keychain, VaultError> {
    Keychain::open()
}

/// The current time as RFC 3339 UTC, for the import record.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// One refused line, ready to show.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FindingView {
    /// 1-based line (0: the file as a whole).
    pub line: usize,
    /// The directive as written.
    pub directive: String,
    /// Stable reason code.
    pub code: String,
    /// The reason in plain words, in the user's language, with the line.
    pub message: String,
}

/// A lint result, ready to show or print as JSON.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LintView {
    /// The file name that was checked.
    pub file: String,
    /// `openvpn` or `wireguard`.
    pub kind: ProfileKind,
    /// `true` when nothing was refused.
    pub acceptable: bool,
    /// What was refused.
    pub refused: Vec<FindingView>,
    /// Files inlined from the profile's folder.
    pub inlined: Vec<String>,
    /// Servers.
    pub remotes: Vec<String>,
    /// The profile asks for a username and password.
    pub needs_credentials: bool,
}

impl LintView {
    /// The view of `report` for `file`, with messages in `lang`.
    pub fn new(file: &str, report: &LintReport, lang: Lang) -> Self {
        Self {
            file: file.to_owned(),
            kind: report.kind,
            acceptable: report.acceptable(),
            refused: report
                .refused
                .iter()
                .map(|f| FindingView {
                    line: f.line,
                    directive: f.directive.clone(),
                    code: reason_code(&f.reason),
                    message: f.message(lang),
                })
                .collect(),
            inlined: report.inlined.clone(),
            remotes: report.remotes.clone(),
            needs_credentials: report.needs_credentials,
        }
    }
}

fn reason_code(reason: &Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// Checks the profile file at `path`, looking for referenced files in its folder.
pub fn lint(path: &Path, lang: Lang) -> Result<LintView, VpnError> {
    let checked = check_file(path)?;
    Ok(LintView::new(&file_name(path), &checked.report, lang))
}

/// Whether credentials are saved for a profile.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CredentialState {
    /// Saved in the keychain, for this username.
    Saved {
        /// The username (the password stays in the keychain).
        username: String,
    },
    /// None saved.
    None,
    /// The keychain could not be asked.
    Unknown,
}

/// A profile as the front doors list it.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    /// Identifier.
    pub id: String,
    /// Name shown.
    pub name: String,
    /// `openvpn` or `wireguard`.
    pub kind: ProfileKind,
    /// `imported` or `pack`.
    pub origin: Origin,
    /// IT's profiles cannot be deleted.
    pub read_only: bool,
    /// The file it came from.
    pub source_file: Option<String>,
    /// When it was imported.
    pub imported_at: Option<String>,
    /// The lint result.
    pub lint: LintView,
    /// Credentials in the keychain.
    pub credentials: CredentialState,
}

impl ProfileView {
    /// The view of `profile`; `vault` is `None` when the keychain is unavailable.
    pub fn new(
        profile: &Profile,
        store: &Store,
        vault: Option<&dyn CredentialStore>,
        lang: Lang,
    ) -> Self {
        let credentials = match vault.map(|v| store.saved_username(profile, v)) {
            Some(Ok(Some(username))) => CredentialState::Saved { username },
            Some(Ok(None)) => CredentialState::None,
            Some(Err(e)) => {
                tracing::warn!(id = %profile.id, code = e.code(), "keychain not readable");
                CredentialState::Unknown
            }
            None => CredentialState::Unknown,
        };
        Self {
            id: profile.id.clone(),
            name: profile.name.clone(),
            kind: profile.kind,
            origin: profile.origin,
            read_only: profile.read_only,
            source_file: profile.source_file.clone(),
            imported_at: profile.imported_at.clone(),
            lint: LintView::new(
                profile.source_file.as_deref().unwrap_or(&profile.name),
                &profile.report,
                lang,
            ),
            credentials,
        }
    }
}

/// Every profile with its credential state.
pub fn list(
    store: &Store,
    vault: Option<&dyn CredentialStore>,
    lang: Lang,
) -> Result<Vec<ProfileView>, VpnError> {
    Ok(store
        .list()?
        .iter()
        .map(|p| ProfileView::new(p, store, vault, lang))
        .collect())
}

/// The outcome of an import, ready to show.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportView {
    /// Stored.
    Imported {
        /// The stored profile.
        profile: Box<ProfileView>,
    },
    /// Refused; nothing was stored.
    Refused {
        /// Why.
        lint: LintView,
    },
}

/// Checks and imports the profile at `path`.
pub fn import(
    store: &Store,
    path: &Path,
    name: Option<&str>,
    replace: bool,
    vault: Option<&dyn CredentialStore>,
    lang: Lang,
) -> Result<ImportView, VpnError> {
    match store.import(path, name, replace, &now_rfc3339())? {
        ImportOutcome::Imported(p) => Ok(ImportView::Imported {
            profile: Box::new(ProfileView::new(&p, store, vault, lang)),
        }),
        ImportOutcome::Refused(report) => Ok(ImportView::Refused {
            lint: LintView::new(&file_name(path), &report, lang),
        }),
        _ => Err(VpnError::InvalidName),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
