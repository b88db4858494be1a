//! Updates of the app itself: where IT publishes them, and the offline path (a folder on a
//! USB stick or a share) whose package this module checks before anything is installed.
//!
//! - The address of the update manifest (`latest.json`, the Tauri updater's static format)
//!   comes from the machine-wide file `app-update.toml` in the system folder, next to
//!   `packs.toml` (see [`crate::packs::system_dir`]). There is none by default: without
//!   it the app never asks the network for updates.
//! - An offline update is a folder holding `latest.json` and the packages it names. The
//!   package for this system is checked here with `minisign-verify` against the public key
//!   built into the app: the signature, the key that made it, and the version the signature
//!   binds (the trusted comment's `version:` field, which the manifest cannot change). An
//!   older or equal version is refused. Only then do the shell's installer get the bytes.
//!
//! This module never installs anything and never imports Tauri; the shell hands verified
//! bytes to the updater plugin, which runs the system installer.

use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};

pub use lavoro_agile_packs::config::UrlPolicy;
pub use lavoro_agile_packs::Lang;

/// File name of the machine-wide update configuration in the system folder.
pub const CONFIG_FILE: &str = "app-update.toml";
/// File name of the update manifest, online and in an offline folder.
pub const MANIFEST_FILE: &str = "latest.json";
/// Largest manifest read, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// Largest package read, in bytes (the packages are about 10 MB).
pub const MAX_PACKAGE_BYTES: u64 = 512 * 1024 * 1024;
/// Largest configuration file read, in bytes.
const MAX_CONFIG_BYTES: u64 = 64 * 1024;
/// Largest base64 signature or key accepted, in characters.
const MAX_SIGNATURE_CHARS: usize = 4096;

/// Why an update cannot be offered or installed. Every variant leaves the installed app
/// untouched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// This build carries no public key for updates, so it accepts none.
    #[error("this build has no update public key")]
    NoPublicKey,
    /// The public key built into the app is malformed (a build mistake).
    #[error("the built-in update public key is malformed: {0}")]
    BadPublicKey(String),
    /// `app-update.toml` is unreadable or invalid.
    #[error("invalid configuration {path}: {detail}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong, in English.
        detail: String,
    },
    /// No `latest.json` where the user pointed.
    #[error("no {MANIFEST_FILE} in {0}")]
    ManifestMissing(String),
    /// `latest.json` is not a valid update manifest.
    #[error("invalid update manifest: {0}")]
    ManifestInvalid(String),
    /// The manifest has no package for this system.
    #[error("no package for {0} in the manifest")]
    NoPackageForSystem(String),
    /// The package the manifest names is not in the folder.
    #[error("package {0} not found next to the manifest")]
    PackageMissing(String),
    /// The package is larger than [`MAX_PACKAGE_BYTES`].
    #[error("package too large")]
    PackageTooLarge,
    /// Reading a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The signature is missing or not a minisign signature.
    #[error("the package signature is missing or malformed: {0}")]
    SignatureMalformed(String),
    /// The package was signed with another key than the one built into the app.
    #[error("the package is signed with another key")]
    WrongKey,
    /// The signature does not match the package: it was altered or damaged.
    #[error("the package does not match its signature")]
    Tampered,
    /// The signature binds no version, so the manifest's version cannot be trusted.
    #[error("the signature does not state the version it was made for")]
    UnsignedVersion,
    /// The signature was made for another version than the manifest announces.
    #[error("the signature is for version {signed}, the manifest announces {announced}")]
    VersionMismatch {
        /// What the signature binds.
        signed: String,
        /// What the manifest says.
        announced: String,
    },
    /// The offered version is not newer than the installed one.
    #[error("version {offered} is not newer than the installed {installed}")]
    NotNewer {
        /// The version in the manifest.
        offered: String,
        /// The running version.
        installed: String,
    },
}

impl UpdateError {
    /// A stable code for the front doors.
    pub fn code(&self) -> &'static str {
        match self {
            UpdateError::NoPublicKey => "update_no_key",
            UpdateError::BadPublicKey(_) => "update_bad_key",
            UpdateError::Config { .. } => "update_config",
            UpdateError::ManifestMissing(_) => "update_manifest_missing",
            UpdateError::ManifestInvalid(_) => "update_manifest_invalid",
            UpdateError::NoPackageForSystem(_) => "update_no_package",
            UpdateError::PackageMissing(_) => "update_package_missing",
            UpdateError::PackageTooLarge => "update_too_large",
            UpdateError::Io { .. } => "update_io",
            UpdateError::SignatureMalformed(_) => "update_signature_malformed",
            UpdateError::WrongKey => "update_wrong_key",
            UpdateError::Tampered => "update_tampered",
            UpdateError::UnsignedVersion => "update_unsigned_version",
            UpdateError::VersionMismatch { .. } => "update_version_mismatch",
            UpdateError::NotNewer { .. } => "update_not_newer",
        }
    }

    /// A sentence for the user.
    pub fn message(&self, lang: Lang) -> String {
        let it = matches!(lang, Lang::It);
        match self {
            UpdateError::NoPublicKey => pick(
                it,
                "Questa versione dell'app non contiene la chiave per verificare gli aggiornamenti: nessun aggiornamento può essere installato.".into(),
                "This build of the app has no key to check updates: no update can be installed.".into(),
            ),
            UpdateError::BadPublicKey(_) => pick(
                it,
                "La chiave per verificare gli aggiornamenti è danneggiata: rivolgersi all'assistenza informatica.".into(),
                "The key that checks updates is damaged: contact IT support.".into(),
            ),
            UpdateError::Config { path, detail } => pick(
                it,
                format!("La configurazione degli aggiornamenti ({path}) non è valida: {detail}. Rivolgersi all'assistenza informatica."),
                format!("The update configuration ({path}) is invalid: {detail}. Contact IT support."),
            ),
            UpdateError::ManifestMissing(_) => pick(
                it,
                format!("Nella cartella scelta non c'è il file {MANIFEST_FILE} che descrive l'aggiornamento."),
                format!("The chosen folder has no {MANIFEST_FILE} describing the update."),
            ),
            UpdateError::ManifestInvalid(_) => pick(
                it,
                "La descrizione dell'aggiornamento (latest.json) non è valida.".into(),
                "The update description (latest.json) is invalid.".into(),
            ),
            UpdateError::NoPackageForSystem(_) => pick(
                it,
                "L'aggiornamento non contiene un pacchetto per questo sistema.".into(),
                "The update has no package for this system.".into(),
            ),
            UpdateError::PackageMissing(name) => pick(
                it,
                format!("Il pacchetto {name} non si trova accanto a latest.json."),
                format!("The package {name} is not next to latest.json."),
            ),
            UpdateError::PackageTooLarge => pick(
                it,
                "Il pacchetto è troppo grande per essere un aggiornamento dell'app: rifiutato.".into(),
                "The package is too large to be an update of the app: refused.".into(),
            ),
            UpdateError::Io { path, .. } => pick(
                it,
                format!("Impossibile leggere {path}."),
                format!("Cannot read {path}."),
            ),
            UpdateError::SignatureMalformed(_) => pick(
                it,
                "L'aggiornamento non è firmato o la firma è illeggibile: rifiutato.".into(),
                "The update is not signed or its signature is unreadable: refused.".into(),
            ),
            UpdateError::WrongKey => pick(
                it,
                "L'aggiornamento è firmato con una chiave diversa da quella dell'amministrazione: rifiutato.".into(),
                "The update is signed with a key other than the administration's: refused.".into(),
            ),
            UpdateError::Tampered => pick(
                it,
                "Il pacchetto è stato modificato o è danneggiato (la firma non corrisponde): rifiutato.".into(),
                "The package was altered or is damaged (the signature does not match): refused.".into(),
            ),
            UpdateError::UnsignedVersion => pick(
                it,
                "La firma dell'aggiornamento non indica la versione: rifiutato.".into(),
                "The update's signature does not state its version: refused.".into(),
            ),
            UpdateError::VersionMismatch { signed, announced } => pick(
                it,
                format!("Il pacchetto è firmato per la versione {signed}, ma viene presentato come {announced}: rifiutato."),
                format!("The package is signed for version {signed} but presented as {announced}: refused."),
            ),
            UpdateError::NotNewer { offered, installed } => pick(
                it,
                format!("La versione {offered} non è più recente di quella installata ({installed}): rifiutata."),
                format!("Version {offered} is not newer than the installed one ({installed}): refused."),
            ),
        }
    }
}

fn pick(it: bool, italian: String, english: String) -> String {
    if it {
        italian
    } else {
        english
    }
}

/// The machine-wide update configuration (`app-update.toml`):
///
/// ```toml
/// # Where the app reads the update manifest; several are tried in order. None by default.
/// endpoints = ["https://intranet.comune.example/lavoro-agile/latest.json"]
/// # Look for an update when the app starts (default true when an endpoint is set).
/// check_on_start = true
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateConfig {
    /// Manifest addresses, `https://` only.
    pub endpoints: Vec<String>,
    /// Whether the app checks when it starts.
    pub check_on_start: bool,
    /// Which addresses may be used.
    pub url_policy: UrlPolicy,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    endpoints: Vec<String>,
    check_on_start: Option<bool>,
    #[serde(default)]
    allow_plain_http_loopback: bool,
}

impl UpdateConfig {
    /// Reads `app-update.toml` from `system_dir`; a missing file means no update address.
    pub fn load(system_dir: &Path) -> Result<Self, UpdateError> {
        let path = system_dir.join(CONFIG_FILE);
        let text = match read_bounded(&path, MAX_CONFIG_BYTES) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| UpdateError::Config {
                path: path.display().to_string(),
                detail: "not UTF-8 text".into(),
            })?,
            Err(UpdateError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(Self::default())
            }
            Err(e) => return Err(e),
        };
        Self::parse(&text, &path)
    }

    /// Parses the text of `app-update.toml`; `path` is for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, UpdateError> {
        let bad = |detail: String| UpdateError::Config {
            path: path.display().to_string(),
            detail,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
        let url_policy = if raw.allow_plain_http_loopback {
            UrlPolicy::AllowPlainLoopback
        } else {
            UrlPolicy::HttpsOnly
        };
        for url in &raw.endpoints {
            if !lavoro_agile_packs::config::url_allowed(url, url_policy) {
                return Err(bad(format!("{url} is not an https:// address")));
            }
        }
        Ok(Self {
            check_on_start: raw.check_on_start.unwrap_or(!raw.endpoints.is_empty()),
            endpoints: raw.endpoints,
            url_policy,
        })
    }
}

/// How this copy of the app was installed, which picks the manifest entry to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Installer {
    /// Debian package.
    Deb,
    /// RPM package.
    Rpm,
    /// AppImage.
    AppImage,
    /// Windows NSIS installer.
    Nsis,
    /// Windows MSI.
    Msi,
    /// macOS application bundle.
    App,
}

impl Installer {
    /// The suffix of the manifest key (`linux-x86_64-deb`).
    pub fn name(self) -> &'static str {
        match self {
            Installer::Deb => "deb",
            Installer::Rpm => "rpm",
            Installer::AppImage => "appimage",
            Installer::Nsis => "nsis",
            Installer::Msi => "msi",
            Installer::App => "app",
        }
    }
}

/// This system's base target (`linux-x86_64`), as the Tauri updater names it.
pub fn base_target() -> Option<String> {
    let os = if cfg!(target_os = "linux") {
        "linux"
    } else if cfg!(target_os = "macos") {
        "darwin"
    } else if cfg!(windows) {
        "windows"
    } else {
        return None;
    };
    let arch = if cfg!(target_arch = "x86_64") {
        "x86_64"
    } else if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else if cfg!(target_arch = "x86") {
        "i686"
    } else if cfg!(target_arch = "arm") {
        "armv7"
    } else {
        return None;
    };
    Some(format!("{os}-{arch}"))
}

/// The manifest keys to try, in order: `{target}-{installer}` then `{target}`.
pub fn target_keys(base: &str, installer: Option<Installer>) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(i) = installer {
        keys.push(format!("{base}-{}", i.name()));
    }
    keys.push(base.to_owned());
    keys
}

/// One platform entry of the manifest.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct PlatformEntry {
    /// Where the package is published; offline, only its last path segment is used.
    pub url: String,
    /// The Tauri signature: base64 of a minisign signature file.
    pub signature: String,
}

/// An update manifest (`latest.json`, the Tauri updater's static format).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Manifest {
    /// The version offered.
    pub version: String,
    /// Release notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Publication date (RFC 3339).
    #[serde(default)]
    pub pub_date: Option<String>,
    /// One entry per target key.
    pub platforms: std::collections::BTreeMap<String, PlatformEntry>,
}

impl Manifest {
    /// Parses a manifest.
    pub fn parse(bytes: &[u8]) -> Result<Self, UpdateError> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| UpdateError::ManifestInvalid(e.to_string()))?;
        parse_version(&m.version)?;
        Ok(m)
    }

    /// The entry for the first of `keys` the manifest has.
    pub fn entry_for(&self, keys: &[String]) -> Result<(&str, &PlatformEntry), UpdateError> {
        keys.iter()
            .find_map(|k| self.platforms.get_key_value(k))
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| UpdateError::NoPackageForSystem(keys.join(", ")))
    }
}

fn parse_version(v: &str) -> Result<semver::Version, UpdateError> {
    semver::Version::parse(v.trim_start_matches('v'))
        .map_err(|e| UpdateError::ManifestInvalid(format!("version {v:?}: {e}")))
}

fn decode_b64_text(b64: &str, what: &str) -> Result<String, String> {
    if b64.len() > MAX_SIGNATURE_CHARS {
        return Err(format!("{what} too long"));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| format!("{what}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("{what}: not text"))
}

/// The public key built into the app, from its base64 form (the Tauri configuration's
/// `plugins.updater.pubkey`). An empty key is [`UpdateError::NoPublicKey`].
pub fn decode_public_key(pubkey_b64: &str) -> Result<minisign_verify::PublicKey, UpdateError> {
    if pubkey_b64.trim().is_empty() {
        return Err(UpdateError::NoPublicKey);
    }
    let text = decode_b64_text(pubkey_b64, "public key").map_err(UpdateError::BadPublicKey)?;
    minisign_verify::PublicKey::decode(&text).map_err(|e| UpdateError::BadPublicKey(e.to_string()))
}

/// The version a signature's trusted comment binds (`version:X` among tab-separated
/// fields, as the Tauri CLI writes it).
fn signed_version(trusted_comment: &str) -> Option<&str> {
    trusted_comment
        .split('\t')
        .find_map(|f| f.strip_prefix("version:"))
}

/// Checks `bytes` against a Tauri signature (`signature_b64`) made with `pubkey_b64`, and
/// that the signature binds `announced` as the version. The order of checks gives the most
/// useful refusal: malformed, wrong key, altered content, version.
pub fn verify_package(
    bytes: &[u8],
    signature_b64: &str,
    pubkey_b64: &str,
    announced: &str,
) -> Result<(), UpdateError> {
    let key = decode_public_key(pubkey_b64)?;
    let text =
        decode_b64_text(signature_b64, "signature").map_err(UpdateError::SignatureMalformed)?;
    let signature = minisign_verify::Signature::decode(&text)
        .map_err(|e| UpdateError::SignatureMalformed(e.to_string()))?;
    match key.verify(bytes, &signature, false) {
        Ok(()) => {}
        Err(minisign_verify::Error::UnexpectedKeyId) => return Err(UpdateError::WrongKey),
        Err(minisign_verify::Error::InvalidSignature) => return Err(UpdateError::Tampered),
        Err(e) => return Err(UpdateError::SignatureMalformed(e.to_string())),
    }
    // Only now is the trusted comment authenticated (the global signature covers it).
    let signed = signed_version(signature.trusted_comment()).ok_or(UpdateError::UnsignedVersion)?;
    let same = match (parse_version(signed), parse_version(announced)) {
        (Ok(a), Ok(b)) => a == b,
        _ => signed == announced,
    };
    if !same {
        return Err(UpdateError::VersionMismatch {
            signed: signed.to_owned(),
            announced: announced.to_owned(),
        });
    }
    Ok(())
}

/// Refuses a version that is not newer than `installed`.
pub fn check_newer(offered: &str, installed: &str) -> Result<(), UpdateError> {
    let o = parse_version(offered)?;
    let i = parse_version(installed)?;
    if o > i {
        Ok(())
    } else {
        Err(UpdateError::NotNewer {
            offered: offered.to_owned(),
            installed: installed.to_owned(),
        })
    }
}

/// An offline update whose package passed every check.
#[derive(Debug, Clone)]
pub struct OfflineUpdate {
    /// The version offered.
    pub version: String,
    /// Release notes.
    pub notes: Option<String>,
    /// Publication date as written in the manifest.
    pub pub_date: Option<String>,
    /// The package file.
    pub package: PathBuf,
    /// The manifest key used.
    pub target: String,
    /// The manifest as read, for the shell's installer.
    pub manifest_json: serde_json::Value,
    /// The verified package bytes.
    pub bytes: Vec<u8>,
}

/// Reads and checks an offline update. `path` is the folder, or any file in it (the user
/// may pick `latest.json` or the package itself). The package for `keys` is looked up by
/// the file name of its URL, must be newer than `installed` and signed with `pubkey_b64`
/// for the announced version.
pub fn inspect_offline(
    path: &Path,
    pubkey_b64: &str,
    installed: &str,
    keys: &[String],
) -> Result<OfflineUpdate, UpdateError> {
    // Fail early, before reading anything, if this build cannot check updates at all.
    decode_public_key(pubkey_b64)?;
    let folder = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let manifest_path = folder.join(MANIFEST_FILE);
    if !manifest_path.is_file() {
        return Err(UpdateError::ManifestMissing(folder.display().to_string()));
    }
    let raw = read_bounded(&manifest_path, MAX_MANIFEST_BYTES)
        .map_err(|_| UpdateError::ManifestInvalid("unreadable or too large".into()))?;
    let manifest = Manifest::parse(&raw)?;
    check_newer(&manifest.version, installed)?;
    let (target, entry) = manifest.entry_for(keys)?;
    let name = package_file_name(&entry.url)?;
    let package = folder.join(&name);
    if !package.is_file() {
        return Err(UpdateError::PackageMissing(name));
    }
    let bytes = match read_bounded(&package, MAX_PACKAGE_BYTES) {
        Err(UpdateError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::FileTooLarge =>
        {
            return Err(UpdateError::PackageTooLarge)
        }
        other => other?,
    };
    verify_package(&bytes, &entry.signature, pubkey_b64, &manifest.version)?;
    tracing::info!(version = %manifest.version, package = %name, "offline update verified");
    let manifest_json =
        serde_json::from_slice(&raw).map_err(|e| UpdateError::ManifestInvalid(e.to_string()))?;
    Ok(OfflineUpdate {
        version: manifest.version.clone(),
        notes: manifest.notes.clone(),
        pub_date: manifest.pub_date.clone(),
        package,
        target: target.to_owned(),
        manifest_json,
        bytes,
    })
}

/// The last path segment of a package URL, percent-decoded, refusing anything that could
/// leave the folder.
fn package_file_name(url: &str) -> Result<String, UpdateError> {
    let bad = || UpdateError::ManifestInvalid(format!("package address {url:?}"));
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().ok_or_else(bad)?;
    let decoded = percent_decode(last).ok_or_else(bad)?;
    if decoded.is_empty()
        || decoded == "."
        || decoded == ".."
        || decoded.contains(['/', '\\', '\0'])
    {
        return Err(bad());
    }
    Ok(decoded)
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = (bytes.next()? as char).to_digit(16)?;
            let lo = (bytes.next()? as char).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// Reads a file, refusing one larger than `max` (reported as `FileTooLarge`).
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, UpdateError> {
    let io = |source| UpdateError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(io(std::io::Error::from(std::io::ErrorKind::FileTooLarge)));
    }
    Ok(bytes)
}
