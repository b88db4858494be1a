//! Errors of the VPN crate: what stopped an operation. A refused profile is not an error
//! but a [`crate::LintReport`].
use std::path::PathBuf;

use lavoro_agile_vault::VaultError;

use crate::Lang;

/// What stopped a VPN profile operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VpnError {
    /// The profile file given by the user cannot be read.
    #[error("cannot read the profile {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Reading or writing the app's own profile folder failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A stored profile's description is damaged.
    #[error("the stored profile description {path} is damaged")]
    Damaged {
        /// The file.
        path: PathBuf,
    },
    /// No profile has this name.
    #[error("no profile named {0:?}")]
    NotFound(String),
    /// A profile with this name already exists.
    #[error("a profile named {0:?} already exists")]
    NameTaken(String),
    /// The name cannot be used for a profile.
    #[error("invalid profile name")]
    InvalidName,
    /// The profile comes from an IT pack and cannot be changed here.
    #[error("the profile {0:?} comes from an IT pack and is read-only")]
    ReadOnly(String),
    /// The keychain failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl VpnError {
    /// A stable code for the front doors.
    pub fn code(&self) -> &'static str {
        match self {
            VpnError::Unreadable { .. } => "vpn_unreadable",
            VpnError::Io { .. } => "io",
            VpnError::Damaged { .. } => "vpn_damaged",
            VpnError::NotFound(_) => "vpn_not_found",
            VpnError::NameTaken(_) => "vpn_name_taken",
            VpnError::InvalidName => "vpn_invalid_name",
            VpnError::ReadOnly(_) => "vpn_read_only",
            VpnError::Vault(e) => e.code(),
        }
    }

    /// A sentence for the user.
    pub fn message(&self, lang: Lang) -> String {
        let it_en = |it: String, en: String| if lang == Lang::En { en } else { it };
        match self {
            VpnError::Unreadable { path, .. } => {
                let name = file_name(path);
                it_en(
                    format!("Impossibile leggere il file «{name}»."),
                    format!("Cannot read the file “{name}”."),
                )
            }
            VpnError::Io { .. } => it_en(
                "Impossibile salvare o leggere i profili VPN nella cartella dell'app.".into(),
                "Cannot save or read VPN profiles in the app's folder.".into(),
            ),
            VpnError::Damaged { .. } => it_en(
                "La descrizione di un profilo salvato è danneggiata: eliminalo e importalo di nuovo.".into(),
                "A stored profile's description is damaged: delete it and import it again.".into(),
            ),
            VpnError::NotFound(n) => it_en(
                format!("Nessun profilo VPN si chiama «{n}»."),
                format!("No VPN profile is named “{n}”."),
            ),
            VpnError::NameTaken(n) => it_en(
                format!("Esiste già un profilo VPN chiamato «{n}»: scegli un altro nome o sostituiscilo."),
                format!("A VPN profile named “{n}” already exists: choose another name or replace it."),
            ),
            VpnError::InvalidName => it_en(
                "Il nome del profilo non è valido (da 1 a 100 caratteri, senza a capo).".into(),
                "The profile name is not valid (1 to 100 characters, no line breaks).".into(),
            ),
            VpnError::ReadOnly(n) => it_en(
                format!("Il profilo «{n}» è fornito dall'ufficio informatico e non può essere modificato né eliminato."),
                format!("The profile “{n}” is provided by IT and cannot be changed or deleted."),
            ),
            VpnError::Vault(e) => e.message(lang),
        }
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
