//! Trust material for both front doors: where the default trust comes from (the installed
//! `trust` pack and the application's `resources/trust/` folder), loading it together with
//! what the user gives, and checking the EU LOTL and national lists before a release packs
//! them (`lavoro-agile-cli trust build`).
//!
//! The release ships the trusted lists as a signed `trust` pack, not inside the installer
//! (the lists weigh megabytes and change every few weeks); `resources/trust/` holds only
//! its README in this repository, but whatever trust material a build puts there is read
//! too. See `resources/trust/README.md`.

use std::path::{Path, PathBuf};

use sha2::Digest;
use time::OffsetDateTime;

use lavoro_agile_trustlist::TrustedList;
pub use lavoro_agile_verify::TrustOrigin;
use lavoro_agile_verify::TrustStore;

use crate::packs::{Kind, PackEnv};
use crate::verify::TrustLoadError;

/// The name of the application's trust folder, in its resources.
pub const BUNDLED_FOLDER: &str = "trust";

/// The default trust material of this installation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultTrust {
    /// The live folder of the installed `trust` pack and its version.
    pub pack: Option<(PathBuf, u64)>,
    /// The application's `resources/trust/` folder, when it exists.
    pub bundled: Option<PathBuf>,
}

impl DefaultTrust {
    /// The installed `trust` pack of `env` (where the app installs packs) and the bundled
    /// folder `resources_dir/trust` (the caller knows its resource folder: Tauri's, or
    /// [`resources_beside_exe`] for the CLI).
    pub fn locate(env: &PackEnv, resources_dir: Option<&Path>) -> Self {
        let store = env.store();
        let pack = match (store.installed(Kind::Trust), store.content_dir(Kind::Trust)) {
            (Ok(Some(inst)), Ok(Some(dir))) if dir.is_dir() => Some((dir, inst.version)),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "installed trust pack unreadable; not used");
                None
            }
            _ => None,
        };
        let bundled = resources_dir
            .map(|d| d.join(BUNDLED_FOLDER))
            .filter(|d| d.is_dir());
        Self { pack, bundled }
    }

    /// Whether there is no default trust material at all.
    pub fn is_empty(&self) -> bool {
        self.pack.is_none() && self.bundled.is_none()
    }
}

/// The application's resource folder as the installers lay it out, for a program that is
/// not the Tauri shell (the CLI): `resources/` beside the binary (Windows, portable), or
/// where the Linux packages put the app's resources (`/usr/lib/<product name>`, as Tauri
/// resolves its resource folder for a binary in `/usr/bin`). The first that has a
/// `keys/` or `trust/` folder.
pub fn resources_beside_exe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.to_path_buf();
    [
        dir.join("resources"),
        dir.join("../lib/Lavoro Agile"),
        dir.join("../lib/lavoro-agile"),
    ]
    .into_iter()
    .find(|d| d.join("keys").is_dir() || d.join(BUNDLED_FOLDER).is_dir())
}

/// Loads the trust material for a check: every path in `given` (files or folders; an
/// unreadable or unrecognised one is an error), then, unless `default` is `None`
/// (`--no-default-trust`), the installed trust pack and the bundled folder (unreadable
/// default material is logged and left out). Each source remembers where it came from,
/// for the report header.
pub fn load(
    given: &[PathBuf],
    default: Option<&DefaultTrust>,
) -> Result<TrustStore, TrustLoadError> {
    let mut store = TrustStore::new();
    let mut count = 0;
    for p in given {
        crate::verify::add_trust_path(&mut store, p, false, &mut count, &|path| {
            TrustOrigin::Given {
                path: path.display().to_string(),
            }
        })?;
    }
    let Some(default) = default else {
        return Ok(store);
    };
    if let Some((dir, version)) = &default.pack {
        let version = *version;
        let r = crate::verify::add_trust_path(&mut store, dir, false, &mut count, &|path| {
            TrustOrigin::Pack {
                version,
                path: path.display().to_string(),
            }
        });
        if let Err(e) = r {
            tracing::warn!(error = %e, "trust pack unreadable; checking without it");
        }
    }
    if let Some(dir) = &default.bundled {
        let r = crate::verify::add_trust_path(&mut store, dir, false, &mut count, &|path| {
            TrustOrigin::Bundled {
                path: path.display().to_string(),
            }
        });
        if let Err(e) = r {
            tracing::warn!(error = %e, "bundled trust material unreadable; checking without it");
        }
    }
    Ok(store)
}

/// Why lists cannot go into a trust pack.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustBuildError {
    /// No pinned LOTL signing certificate was given.
    #[error("no LOTL signing certificate given to check the LOTL against")]
    NoPins,
    /// A pinned digest is not 64 hexadecimal digits.
    #[error("not a SHA-256 digest (64 hexadecimal digits): {0}")]
    BadPin(String),
    /// The file given as LOTL is not a readable list of lists.
    #[error("the LOTL file is not an EU list of trusted lists")]
    NotALotl,
    /// A list is not used by the set (bad signature, not vouched for, unreadable).
    #[error("{name}: {reason}")]
    Refused {
        /// The list (territory or file SHA-256).
        name: String,
        /// Why, in English.
        reason: String,
        /// Why, in Italian.
        reason_it: String,
    },
    /// The LOTL is signed with a certificate that is not one of the pinned ones.
    #[error("the LOTL is signed with a certificate (SHA-256 {found}) that is not one of the LOTL signing certificates given")]
    LotlSignerNotPinned {
        /// SHA-256 of the certificate that signed it.
        found: String,
    },
    /// A national list given is a list of lists, or two lists have the same territory.
    #[error("{0}")]
    BadSet(String),
    /// A list is past its NextUpdate at the build time.
    #[error("{name} is past its next update ({next_update}): download a fresh copy")]
    Stale {
        /// The list.
        name: String,
        /// Its NextUpdate (RFC 3339).
        next_update: String,
    },
    /// The output folder cannot be written, or is not empty.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl TrustBuildError {
    /// The message in Italian (the `Display` text is English).
    pub fn message_it(&self) -> String {
        match self {
            Self::NoPins => "Nessun certificato di firma della LOTL indicato con cui verificarla.".into(),
            Self::BadPin(p) => format!("Non è un'impronta SHA-256 (64 cifre esadecimali): {p}"),
            Self::NotALotl => "Il file indicato come LOTL non è l'elenco europeo degli elenchi di fiducia.".into(),
            Self::Refused { name, reason_it, .. } => format!("{name}: {reason_it}"),
            Self::LotlSignerNotPinned { found } => format!(
                "La LOTL è firmata con un certificato (SHA-256 {found}) che non è tra i certificati di firma della LOTL indicati."
            ),
            Self::BadSet(m) => m.clone(),
            Self::Stale { name, next_update } => format!(
                "{name} ha superato la data del prossimo aggiornamento ({next_update}): scaricarne una copia aggiornata."
            ),
            Self::Output { path, source } => {
                format!("Impossibile scrivere «{}»: {source}", path.display())
            }
        }
    }
}

/// One list checked for a trust pack.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckedList {
    /// The file name it gets in the pack.
    pub file_name: String,
    /// Scheme territory (`EU` for the LOTL).
    pub territory: String,
    /// TSLSequenceNumber.
    pub sequence_number: u64,
    /// ListIssueDateTime (RFC 3339).
    pub issued: String,
    /// NextUpdate (RFC 3339), when the list has one.
    pub next_update: Option<String>,
    /// SHA-256 of the list's bytes.
    pub sha256: String,
    /// SHA-256 of the certificate that signed it.
    pub signer_sha256: String,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn parse_pin(p: &str) -> Result<String, TrustBuildError> {
    let h = p.trim().replace(':', "").to_ascii_lowercase();
    if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(h)
    } else {
        Err(TrustBuildError::BadPin(p.to_owned()))
    }
}

fn file_name(list: &TrustedList) -> String {
    let territory: String = list
        .territory
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    if list.is_list_of_lists() {
        format!("EU-LOTL-seq{}.xml", list.sequence_number)
    } else {
        format!("TSL-{territory}-seq{}.xml", list.sequence_number)
    }
}

/// Checks the lists a trust pack will carry: `lotl` must be a list of lists whose signature
/// verifies with a certificate whose SHA-256 is in `lotl_signer_sha256` (the LOTL signing
/// certificates the EU publishes in the Official Journal, pinned by IT); each of
/// `nationals` must be used by our own trusted-list code with that LOTL (signed, as of its
/// issue time, with a certificate the LOTL publishes for its territory); none may be past
/// its NextUpdate at `at`. Returns the lists in pack order (LOTL first).
pub fn check_lists(
    lotl: &[u8],
    nationals: &[&[u8]],
    lotl_signer_sha256: &[String],
    at: OffsetDateTime,
) -> Result<Vec<CheckedList>, TrustBuildError> {
    if lotl_signer_sha256.is_empty() {
        return Err(TrustBuildError::NoPins);
    }
    let pins = lotl_signer_sha256
        .iter()
        .map(|p| parse_pin(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut inputs: Vec<&[u8]> = vec![lotl];
    inputs.extend_from_slice(nationals);
    let set = lavoro_agile_verify::trust::evaluate_trusted_lists(&inputs);
    let mut out: Vec<CheckedList> = Vec::new();
    for (i, report) in set.reports().iter().enumerate() {
        let name = report
            .list
            .as_ref()
            .map(|l| file_name(l))
            .unwrap_or_else(|| format!("SHA-256 {}", report.sha256));
        let Some(list) = report.list.as_ref() else {
            if i == 0 {
                return Err(TrustBuildError::NotALotl);
            }
            let r = report.refused.clone();
            return Err(TrustBuildError::Refused {
                name,
                reason: r.as_ref().map(|w| w.en.clone()).unwrap_or_default(),
                reason_it: r.map(|w| w.it).unwrap_or_default(),
            });
        };
        if i == 0 && !list.is_list_of_lists() {
            return Err(TrustBuildError::NotALotl);
        }
        if i > 0 && list.is_list_of_lists() {
            return Err(TrustBuildError::BadSet(format!(
                "{name}: a list of lists given as a national list"
            )));
        }
        if let Some(r) = &report.refused {
            return Err(TrustBuildError::Refused {
                name,
                reason: r.en.clone(),
                reason_it: r.it.clone(),
            });
        }
        let signer = report.signer.as_deref().unwrap_or_default();
        let signer_sha256 = hex::encode(sha2::Sha256::digest(signer));
        if i == 0 && !pins.contains(&signer_sha256) {
            return Err(TrustBuildError::LotlSignerNotPinned {
                found: signer_sha256,
            });
        }
        if let Some(n) = list.next_update.filter(|n| *n < at) {
            return Err(TrustBuildError::Stale {
                name,
                next_update: rfc3339(n),
            });
        }
        let file_name = file_name(list);
        if out.iter().any(|c| c.file_name == file_name) {
            return Err(TrustBuildError::BadSet(format!("{file_name}: given twice")));
        }
        out.push(CheckedList {
            file_name,
            territory: list.territory.clone(),
            sequence_number: list.sequence_number,
            issued: rfc3339(list.issued),
            next_update: list.next_update.map(rfc3339),
            sha256: report.sha256.clone(),
            signer_sha256,
        });
    }
    Ok(out)
}

/// The file of a trust pack's folder that says what it holds (ignored when loading).
pub const PACK_SUMMARY_FILE: &str = "trust-pack.json";

/// Checks the lists ([`check_lists`]) and writes them, unchanged, into the empty or new
/// folder `out` with a [`PACK_SUMMARY_FILE`]; the folder is then the source of
/// `pack build --kind trust`.
pub fn build_folder(
    lotl: &[u8],
    nationals: &[&[u8]],
    lotl_signer_sha256: &[String],
    at: OffsetDateTime,
    out: &Path,
) -> Result<Vec<CheckedList>, TrustBuildError> {
    let checked = check_lists(lotl, nationals, lotl_signer_sha256, at)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| TrustBuildError::Output { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    if std::fs::read_dir(out).map_err(io(out))?.next().is_some() {
        return Err(TrustBuildError::Output {
            path: out.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the folder is not empty",
            ),
        });
    }
    let mut all: Vec<&[u8]> = vec![lotl];
    all.extend_from_slice(nationals);
    for (c, bytes) in checked.iter().zip(all) {
        let p = out.join(&c.file_name);
        std::fs::write(&p, bytes).map_err(io(&p))?;
    }
    let summary = serde_json::json!({
        "checked_at": rfc3339(at),
        "lists": checked,
    });
    let p = out.join(PACK_SUMMARY_FILE);
    let text = serde_json::to_string_pretty(&summary).unwrap_or_default();
    std::fs::write(&p, text).map_err(io(&p))?;
    Ok(checked)
}
