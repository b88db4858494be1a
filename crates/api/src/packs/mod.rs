//! Signed packs, for the desktop shell and the CLI: status, verify, install from a file or
//! a folder the user picked, and the background updater that checks IT's URLs.
//!
//! Where things are:
//! - installed packs: `<data>/packs/` (from [`AppPaths`]);
//! - machine-wide configuration and IT's keys: the system folder (`/etc/lavoro-agile` on
//!   Linux, `%ProgramData%\lavoro-agile` on Windows, `/Library/Application
//!   Support/lavoro-agile` on macOS), overridden by `LAVORO_AGILE_SYSTEM_DIR`;
//! - bundled keys: `resources/keys/`, whose location the caller knows (the shell's
//!   resource folder).

pub(crate) mod http;
mod updater;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;

pub use lavoro_agile_packs::archive::Limits;
pub use lavoro_agile_packs::config::{SystemConfig, UrlPolicy};
pub use lavoro_agile_packs::keys::{KeyRing, KeyWarning, PublicKey};
pub use lavoro_agile_packs::store::{InstallStage, Installed, Store};
pub use lavoro_agile_packs::verify::{KeyPolicy, VerifiedPack};
pub use lavoro_agile_packs::{Kind, Lang, Manifest, PackError, Refusal, Version};

pub use http::{proxy_for, FetchError, FetchOutcome, HttpFetcher};
pub use updater::{
    check_url, UpdateError, UpdateEvent, UpdateState, Updater, UrlOutcome, UrlState,
};

use crate::paths::AppPaths;

/// Environment variable that overrides the system folder (for tests and special setups).
pub const SYSTEM_DIR_ENV: &str = "LAVORO_AGILE_SYSTEM_DIR";
/// Suffix of the detached signature next to a pack.
pub const SIGNATURE_SUFFIX: &str = ".minisig";
/// Usual extension of pack files, used when scanning a folder.
pub const PACK_EXTENSION: &str = "pack";
/// Largest signature file read, in bytes.
const MAX_SIGNATURE_BYTES: u64 = 16 * 1024;

/// Installs in this process run one at a time.
static INSTALL_LOCK: Mutex<()> = Mutex::new(());

/// The platform's machine-wide folder, or `LAVORO_AGILE_SYSTEM_DIR` when set.
pub fn system_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(SYSTEM_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base).join("lavoro-agile")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/lavoro-agile")
    } else {
        PathBuf::from("/etc/lavoro-agile")
    }
}

/// The version of this app, as packs compare it with their minimum.
pub fn app_version() -> Version {
    Version::parse(env!("CARGO_PKG_VERSION")).unwrap_or(Version(0, 0, 0))
}

/// Everything the pack functions need to know about this machine.
#[derive(Debug, Clone)]
pub struct PackEnv {
    /// Root of the installed packs (`<data>/packs`).
    pub store_dir: PathBuf,
    /// Machine-wide folder (configuration and IT's keys).
    pub system_dir: PathBuf,
    /// Bundled `resources/keys/` folder, when the caller has one.
    pub bundled_keys_dir: Option<PathBuf>,
    /// Version of the running app.
    pub app_version: Version,
    /// Budgets for packs.
    pub limits: Limits,
}

impl PackEnv {
    /// The usual setup: packs under the user's data folder, [`system_dir()`], this app's
    /// version and the default budgets.
    pub fn new(paths: &AppPaths, bundled_keys_dir: Option<PathBuf>) -> Self {
        Self {
            store_dir: paths.data.join("packs"),
            system_dir: system_dir(),
            bundled_keys_dir,
            app_version: app_version(),
            limits: Limits::default(),
        }
    }

    /// The store of installed packs.
    pub fn store(&self) -> Store {
        Store::new(&self.store_dir)
    }

    /// The trusted keys: bundled ones, then IT's from the system folder (`keys/*.packkey`
    /// and `[[keys]]` in `packs.toml`).
    pub fn key_ring(&self) -> (KeyRing, Vec<KeyWarning>) {
        let mut ring = KeyRing::new();
        let mut warnings = Vec::new();
        if let Some(dir) = &self.bundled_keys_dir {
            warnings.extend(ring.load_dir(dir));
        }
        warnings.extend(ring.load_dir(&lavoro_agile_packs::config::keys_dir(&self.system_dir)));
        // A broken configuration file is reported by `status`; its keys are then unused.
        if let Ok(config) = self.config() {
            let path = self
                .system_dir
                .join(lavoro_agile_packs::config::CONFIG_FILE);
            warnings.extend(config.add_keys_to(&mut ring, &path));
        }
        (ring, warnings)
    }

    /// The machine-wide configuration.
    pub fn config(&self) -> Result<SystemConfig, PackError> {
        SystemConfig::load(&self.system_dir)
    }
}

/// What the status screen shows for one kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindStatus {
    /// The kind.
    pub kind: Kind,
    /// What is installed, if anything.
    pub installed: Option<Installed>,
    /// Folder of the live content.
    pub content_dir: Option<PathBuf>,
    /// A problem reading the state, in Italian.
    pub problem: Option<String>,
}

/// One trusted key, for display.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// Minisign key id.
    pub key_id: String,
    /// Kinds it may sign.
    pub kinds: Vec<Kind>,
    /// Comment from its file.
    pub comment: String,
}

/// The whole pack status.
#[derive(Debug, Clone, Serialize)]
pub struct PackStatus {
    /// One entry per kind.
    pub kinds: Vec<KindStatus>,
    /// Trusted keys.
    pub keys: Vec<KeyInfo>,
    /// Key files that could not be used, with the reason.
    pub key_problems: Vec<String>,
    /// URLs IT configured.
    pub update_urls: Vec<String>,
    /// Hours between checks.
    pub interval_hours: u32,
    /// A problem with the configuration file.
    pub config_problem: Option<String>,
    /// The last check of each URL.
    pub updates: UpdateState,
}

/// Reads the status of every kind, the keys and the configuration. Never fails: problems
/// are reported in the result.
pub fn status(env: &PackEnv) -> PackStatus {
    let store = env.store();
    let kinds = Kind::ALL
        .into_iter()
        .map(|kind| match store.installed(kind) {
            Ok(installed) => KindStatus {
                kind,
                content_dir: store.content_dir(kind).ok().flatten(),
                installed,
                problem: None,
            },
            Err(e) => KindStatus {
                kind,
                installed: None,
                content_dir: None,
                problem: Some(e.message(Lang::It)),
            },
        })
        .collect();
    let (ring, warnings) = env.key_ring();
    let (update_urls, interval_hours, config_problem) = match env.config() {
        Ok(c) => (c.update_urls, c.interval_hours, None),
        Err(e) => (Vec::new(), 0, Some(e.message(Lang::It))),
    };
    PackStatus {
        kinds,
        keys: ring
            .iter()
            .map(|k| KeyInfo {
                key_id: k.key_id.clone(),
                kinds: k.kinds.iter().copied().collect(),
                comment: k.comment.clone(),
            })
            .collect(),
        key_problems: warnings
            .into_iter()
            .map(|w| format!("{}: {}", w.path.display(), w.detail))
            .collect(),
        update_urls,
        interval_hours,
        config_problem,
        updates: UpdateState::load(&env.store_dir),
    }
}

/// The folder of the live content of `kind` (what the portal, the trust store or the VPN
/// profile list reads); `None` when nothing is installed or the state is unreadable.
pub fn content_dir(env: &PackEnv, kind: Kind) -> Option<PathBuf> {
    env.store().content_dir(kind).ok().flatten()
}

/// Cleans what an interrupted install left behind; the shell calls it once at start.
/// The live content is never touched. Returns how many leftovers were removed.
pub fn recover(env: &PackEnv) -> usize {
    env.store().clean_leftovers()
}

/// Reads a pack file within the archive budget. A missing or unreadable file is
/// [`PackError::Input`]; one over the budget is refused.
pub fn read_pack_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, PackError> {
    let input = |source| PackError::Input {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(input)?;
    let mut bytes = Vec::new();
    file.take(limits.max_archive_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(input)?;
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(Refusal::TooLarge {
            what: "archive".into(),
        }
        .into());
    }
    Ok(bytes)
}

/// Reads `PACK.minisig`; `None` when it does not exist.
pub fn read_signature_file(pack: &Path) -> Result<Option<String>, PackError> {
    let mut name = pack.as_os_str().to_owned();
    name.push(SIGNATURE_SUFFIX);
    let path = PathBuf::from(name);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(PackError::Input {
                path: path.display().to_string(),
                source,
            })
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_SIGNATURE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|source| PackError::Input {
            path: path.display().to_string(),
            source,
        })?;
    // A signature that is not text is simply invalid.
    Ok(Some(String::from_utf8(bytes).unwrap_or_default()))
}

/// What a successful verification found.
#[derive(Debug, Clone, Serialize)]
pub struct PackSummary {
    /// The manifest.
    pub manifest: Manifest,
    /// The key that signed the pack.
    pub key_id: String,
    /// The signature's trusted comment.
    pub trusted_comment: String,
    /// SHA-256 of the archive, lowercase hexadecimal.
    pub archive_sha256: String,
}

impl PackSummary {
    fn of(pack: &VerifiedPack<'_>) -> Self {
        Self {
            manifest: pack.manifest.raw.clone(),
            key_id: pack.key_id.clone(),
            trusted_comment: pack.trusted_comment.clone(),
            archive_sha256: pack.archive_sha256.clone(),
        }
    }
}

/// Verifies a pack file and its `.minisig` without installing it. With `pubkey`, only that
/// key is accepted, for any kind; otherwise the trusted keys and their scopes apply.
pub fn verify_file(
    env: &PackEnv,
    path: &Path,
    pubkey: Option<&PublicKey>,
) -> Result<PackSummary, PackError> {
    let bytes = read_pack_file(path, &env.limits)?;
    let sig = read_signature_file(path)?;
    let ring;
    let policy = match pubkey {
        Some(pk) => KeyPolicy::Only(pk),
        None => {
            ring = env.key_ring().0;
            KeyPolicy::Trusted(&ring)
        }
    };
    let pack = lavoro_agile_packs::verify::verify_pack(
        &bytes,
        sig.as_deref(),
        policy,
        env.app_version,
        &env.limits,
    )?;
    Ok(PackSummary::of(&pack))
}

/// Verifies and installs pack bytes with their signature text.
pub fn install_bytes(
    env: &PackEnv,
    archive: &[u8],
    signature: Option<&str>,
    now: OffsetDateTime,
    observer: &mut dyn FnMut(InstallStage),
) -> Result<Installed, PackError> {
    let (ring, _) = env.key_ring();
    let pack = lavoro_agile_packs::verify::verify_pack(
        archive,
        signature,
        KeyPolicy::Trusted(&ring),
        env.app_version,
        &env.limits,
    )?;
    let _guard = INSTALL_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    env.store().install(&pack, now, observer)
}

/// Verifies and installs a pack file (and its `.minisig`) the user picked.
pub fn install_file(
    env: &PackEnv,
    path: &Path,
    now: OffsetDateTime,
    observer: &mut dyn FnMut(InstallStage),
) -> Result<Installed, PackError> {
    let bytes = read_pack_file(path, &env.limits)?;
    let sig = read_signature_file(path)?;
    tracing::info!(file = %path.display(), "installing pack");
    install_bytes(env, &bytes, sig.as_deref(), now, observer)
}

/// The outcome for one file found in a folder.
#[derive(Debug, Serialize)]
pub struct FolderItem {
    /// The pack file.
    pub file: PathBuf,
    /// What was installed, when it was.
    pub installed: Option<Installed>,
    /// Why not, in Italian.
    pub problem: Option<String>,
    /// The refusal code, when refused.
    pub code: Option<&'static str>,
}

/// Installs every `*.pack` of a folder (a USB stick, a network share), lowest version
/// first per kind, so that the newest ends up live. Files that are older than what is
/// installed are reported, not treated as failures of the folder.
pub fn install_from_folder(
    env: &PackEnv,
    dir: &Path,
    now: OffsetDateTime,
) -> Result<Vec<FolderItem>, PackError> {
    let entries = std::fs::read_dir(dir).map_err(|source| PackError::Input {
        path: dir.display().to_string(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(PACK_EXTENSION) && p.is_file())
        .collect();
    files.sort();
    // Verify each first to learn its kind and version, then install in version order
    // (each is read and verified again at install: packs are not kept in memory).
    let mut ok = Vec::new();
    let mut items = Vec::new();
    for file in files {
        match verify_file(env, &file, None) {
            Ok(summary) => ok.push((summary.manifest.kind, summary.manifest.version, file)),
            Err(e) => items.push(FolderItem {
                file,
                installed: None,
                problem: Some(e.message(Lang::It)),
                code: e.refusal().map(Refusal::code),
            }),
        }
    }
    ok.sort();
    for (_, _, file) in ok {
        match install_file(env, &file, now, &mut |_| {}) {
            Ok(i) => items.push(FolderItem {
                file,
                installed: Some(i),
                problem: None,
                code: None,
            }),
            Err(e) => items.push(FolderItem {
                file,
                installed: None,
                problem: Some(e.message(Lang::It)),
                code: e.refusal().map(Refusal::code),
            }),
        }
    }
    Ok(items)
}
