//! Errors of this crate: a [`Refusal`] is a pack we will not install (bad input); a
//! [`PackError`] also covers failures of our own environment (disk, configuration).

use crate::manifest::Kind;

/// The language of a user-facing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lang {
    /// Italiano: the language of the app.
    It,
    /// English.
    En,
}

/// Why a pack was refused. Every variant leaves the installed content untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The detached signature file is not there.
    #[error("signature missing")]
    SignatureMissing,
    /// The signature file cannot be read as a minisign signature, or it does not match
    /// the archive bytes.
    #[error("signature invalid")]
    SignatureInvalid,
    /// The signature was made by a key that is not among the trusted keys.
    #[error("unknown key {key_id}")]
    UnknownKey {
        /// The minisign key id (16 hexadecimal digits).
        key_id: String,
    },
    /// The key is trusted, but not for this kind of pack.
    #[error("key {key_id} may not sign {kind} packs")]
    KeyNotAllowed {
        /// The minisign key id.
        key_id: String,
        /// The kind of the pack.
        kind: Kind,
    },
    /// The pack's version is not newer than the installed one (anti-rollback).
    #[error("version {offered} is not newer than installed {installed}")]
    NotNewer {
        /// Version in the pack.
        offered: u64,
        /// Version installed now.
        installed: u64,
    },
    /// The pack needs a newer app.
    #[error("needs app version {required}, this is {running}")]
    AppTooOld {
        /// Minimum app version from the manifest.
        required: String,
        /// Version of the running app.
        running: String,
    },
    /// A listed file's content does not match its SHA-256 or size.
    #[error("hash mismatch for {path}")]
    HashMismatch {
        /// Path inside the pack.
        path: String,
    },
    /// A listed file is not in the archive.
    #[error("file missing: {path}")]
    FileMissing {
        /// Path inside the pack.
        path: String,
    },
    /// The archive holds a file the manifest does not list.
    #[error("extra file: {path}")]
    ExtraFile {
        /// Path inside the pack.
        path: String,
    },
    /// A path that is absolute, has `..`, or is otherwise unsafe or unportable.
    #[error("unsafe path: {path}")]
    UnsafePath {
        /// The path as found (lossy).
        path: String,
    },
    /// A link, device file, FIFO or other entry that is not a plain file or folder.
    #[error("not a plain file: {path}")]
    NotPlainFile {
        /// The path as found (lossy).
        path: String,
    },
    /// The archive or one of its files is over a size budget.
    #[error("too large: {what}")]
    TooLarge {
        /// Which budget.
        what: String,
    },
    /// The archive has more entries than allowed.
    #[error("too many files (limit {limit})")]
    TooManyFiles {
        /// The budget.
        limit: usize,
    },
    /// The same path appears twice (also when differing only in letter case).
    #[error("duplicate path: {path}")]
    DuplicatePath {
        /// Path inside the pack.
        path: String,
    },
    /// The archive cannot be read as a tar archive.
    #[error("archive damaged: {detail}")]
    ArchiveDamaged {
        /// What the reader said.
        detail: String,
    },
    /// The manifest is missing, not first, or not valid.
    #[error("manifest invalid: {detail}")]
    ManifestInvalid {
        /// What is wrong.
        detail: String,
    },
}

impl Refusal {
    /// The message for the user, in Italian or English, without jargon.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::SignatureMissing, Lang::It) => {
                "Pacchetto rifiutato: manca il file di firma (.minisig).".into()
            }
            (Self::SignatureMissing, Lang::En) => {
                "Pack refused: the signature file (.minisig) is missing.".into()
            }
            (Self::SignatureInvalid, Lang::It) => {
                "Pacchetto rifiutato: la firma non è valida o il pacchetto è stato alterato."
                    .into()
            }
            (Self::SignatureInvalid, Lang::En) => {
                "Pack refused: the signature is not valid or the pack was altered.".into()
            }
            (Self::UnknownKey { key_id }, Lang::It) => format!(
                "Pacchetto rifiutato: è firmato con una chiave sconosciuta ({key_id})."
            ),
            (Self::UnknownKey { key_id }, Lang::En) => {
                format!("Pack refused: it is signed with an unknown key ({key_id}).")
            }
            (Self::KeyNotAllowed { key_id, kind }, Lang::It) => format!(
                "Pacchetto rifiutato: la chiave {key_id} non è autorizzata a firmare pacchetti di tipo «{}».",
                kind.label(Lang::It)
            ),
            (Self::KeyNotAllowed { key_id, kind }, Lang::En) => format!(
                "Pack refused: key {key_id} is not allowed to sign “{}” packs.",
                kind.label(Lang::En)
            ),
            (Self::NotNewer { offered, installed }, Lang::It) => format!(
                "Pacchetto rifiutato: la versione {offered} non è più recente di quella installata ({installed})."
            ),
            (Self::NotNewer { offered, installed }, Lang::En) => format!(
                "Pack refused: version {offered} is not newer than the installed one ({installed})."
            ),
            (Self::AppTooOld { required, running }, Lang::It) => format!(
                "Pacchetto rifiutato: richiede Lavoro Agile {required} o successiva (questa è {running}). Aggiornare l'applicazione."
            ),
            (Self::AppTooOld { required, running }, Lang::En) => format!(
                "Pack refused: it needs Lavoro Agile {required} or later (this is {running}). Update the app."
            ),
            (Self::HashMismatch { path }, Lang::It) => format!(
                "Pacchetto rifiutato: il contenuto del file «{path}» non corrisponde all'elenco firmato."
            ),
            (Self::HashMismatch { path }, Lang::En) => {
                format!("Pack refused: the content of “{path}” does not match the signed list.")
            }
            (Self::FileMissing { path }, Lang::It) => {
                format!("Pacchetto rifiutato: manca il file «{path}» indicato nell'elenco.")
            }
            (Self::FileMissing { path }, Lang::En) => {
                format!("Pack refused: the listed file “{path}” is missing.")
            }
            (Self::ExtraFile { path }, Lang::It) => {
                format!("Pacchetto rifiutato: il file «{path}» non è nell'elenco firmato.")
            }
            (Self::ExtraFile { path }, Lang::En) => {
                format!("Pack refused: the file “{path}” is not in the signed list.")
            }
            (Self::UnsafePath { path }, Lang::It) => format!(
                "Pacchetto rifiutato: il percorso «{path}» non è ammesso (uscirebbe dalla cartella del pacchetto o non è valido)."
            ),
            (Self::UnsafePath { path }, Lang::En) => format!(
                "Pack refused: the path “{path}” is not allowed (it would leave the pack folder or is not valid)."
            ),
            (Self::NotPlainFile { path }, Lang::It) => format!(
                "Pacchetto rifiutato: «{path}» è un collegamento o un file speciale, non ammesso."
            ),
            (Self::NotPlainFile { path }, Lang::En) => {
                format!("Pack refused: “{path}” is a link or special file, which is not allowed.")
            }
            (Self::TooLarge { what }, Lang::It) => {
                format!("Pacchetto rifiutato: supera il limite di dimensione ({what}).")
            }
            (Self::TooLarge { what }, Lang::En) => {
                format!("Pack refused: it is over the size limit ({what}).")
            }
            (Self::TooManyFiles { limit }, Lang::It) => {
                format!("Pacchetto rifiutato: contiene più di {limit} file.")
            }
            (Self::TooManyFiles { limit }, Lang::En) => {
                format!("Pack refused: it contains more than {limit} files.")
            }
            (Self::DuplicatePath { path }, Lang::It) => {
                format!("Pacchetto rifiutato: il file «{path}» compare due volte.")
            }
            (Self::DuplicatePath { path }, Lang::En) => {
                format!("Pack refused: the file “{path}” appears twice.")
            }
            (Self::ArchiveDamaged { .. }, Lang::It) => {
                "Pacchetto rifiutato: l'archivio è danneggiato o incompleto.".into()
            }
            (Self::ArchiveDamaged { .. }, Lang::En) => {
                "Pack refused: the archive is damaged or incomplete.".into()
            }
            (Self::ManifestInvalid { .. }, Lang::It) => {
                "Pacchetto rifiutato: l'elenco del contenuto (manifest) manca o non è valido."
                    .into()
            }
            (Self::ManifestInvalid { .. }, Lang::En) => {
                "Pack refused: the content list (manifest) is missing or not valid.".into()
            }
        }
    }

    /// A stable machine-readable code, for JSON output and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignatureMissing => "SIGNATURE_MISSING",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::UnknownKey { .. } => "UNKNOWN_KEY",
            Self::KeyNotAllowed { .. } => "KEY_NOT_ALLOWED_FOR_KIND",
            Self::NotNewer { .. } => "NOT_NEWER",
            Self::AppTooOld { .. } => "APP_TOO_OLD",
            Self::HashMismatch { .. } => "HASH_MISMATCH",
            Self::FileMissing { .. } => "FILE_MISSING",
            Self::ExtraFile { .. } => "EXTRA_FILE",
            Self::UnsafePath { .. } => "UNSAFE_PATH",
            Self::NotPlainFile { .. } => "NOT_PLAIN_FILE",
            Self::TooLarge { .. } => "TOO_LARGE",
            Self::TooManyFiles { .. } => "TOO_MANY_FILES",
            Self::DuplicatePath { .. } => "DUPLICATE_PATH",
            Self::ArchiveDamaged { .. } => "ARCHIVE_DAMAGED",
            Self::ManifestInvalid { .. } => "MANIFEST_INVALID",
        }
    }
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// The pack was refused; nothing was changed.
    #[error("pack refused: {0}")]
    Refused(#[from] Refusal),
    /// An input file (pack, signature, key, source folder) is missing or unreadable.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing to the data folder failed; the installed content is untouched.
    #[error("cannot write {path}: {source}")]
    Storage {
        /// The file or folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A key or signing problem (wrong passphrase, damaged key file).
    #[error("key error: {0}")]
    Key(String),
    /// A configuration or key-scope file is not valid.
    #[error("configuration error in {path}: {detail}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The caller passed something that makes no sense (for example version 0).
    #[error("invalid request: {0}")]
    Usage(String),
}

impl PackError {
    /// The message for the user, in Italian or English.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Refused(r), l) => r.message(l),
            (Self::Input { path, .. }, Lang::It) => {
                format!("Impossibile leggere «{path}»: il file manca o non è accessibile.")
            }
            (Self::Input { path, .. }, Lang::En) => {
                format!("Cannot read “{path}”: the file is missing or not accessible.")
            }
            (Self::Storage { path, .. }, Lang::It) => format!(
                "Impossibile scrivere in «{path}». Il contenuto installato non è stato modificato."
            ),
            (Self::Storage { path, .. }, Lang::En) => {
                format!("Cannot write to “{path}”. The installed content was not changed.")
            }
            (Self::Key(d), Lang::It) => format!("Problema con la chiave: {d}"),
            (Self::Key(d), Lang::En) => format!("Key problem: {d}"),
            (Self::Config { path, detail }, Lang::It) => {
                format!("Configurazione non valida in «{path}»: {detail}")
            }
            (Self::Config { path, detail }, Lang::En) => {
                format!("Invalid configuration in “{path}”: {detail}")
            }
            (Self::Usage(d), Lang::It) => format!("Richiesta non valida: {d}"),
            (Self::Usage(d), Lang::En) => format!("Invalid request: {d}"),
        }
    }

    /// The refusal, when this error is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(r) => Some(r),
            _ => None,
        }
    }
}
