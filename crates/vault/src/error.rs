//! What can go wrong with the keychain, with a message for the user in each language.

/// The language of a user-facing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

/// Why the keychain could not do what was asked. Details are technical text from the
/// platform store and never contain the secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// No keychain answered: on Linux, no Secret Service on the session bus (gnome-keyring
    /// or KWallet not running, no D-Bus session).
    #[error("no keychain answered: {detail}")]
    Unavailable {
        /// What the platform said.
        detail: String,
    },
    /// The keychain answered but is locked and was not unlocked.
    #[error("the keychain is locked: {detail}")]
    Locked {
        /// What the platform said.
        detail: String,
    },
    /// The store in use keeps nothing beyond the entry or the process (keyring's mock):
    /// refused, since every saved password would be lost.
    #[error("the credential store in use does not persist secrets ({persistence})")]
    NotPersistent {
        /// The persistence the store declared.
        persistence: String,
    },
    /// A value written to the keychain could not be read back.
    #[error("the keychain did not return what was written to it")]
    ProbeMismatch,
    /// The caller passed a name or value the keychain cannot hold.
    #[error("invalid value for the keychain: {0}")]
    Invalid(String),
    /// The stored item is not in the format this app writes.
    #[error("the keychain item is not in the expected format")]
    Malformed,
    /// Another failure of the platform store.
    #[error("keychain failure: {detail}")]
    Platform {
        /// What the platform said.
        detail: String,
    },
}

impl VaultError {
    /// A stable code for the front doors.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::Unavailable { .. } => "keychain_unavailable",
            VaultError::Locked { .. } => "keychain_locked",
            VaultError::NotPersistent { .. } => "keychain_not_persistent",
            VaultError::ProbeMismatch => "keychain_probe_mismatch",
            VaultError::Invalid(_) => "keychain_invalid",
            VaultError::Malformed => "keychain_malformed",
            VaultError::Platform { .. } => "keychain_failure",
        }
    }

    /// A sentence for the user, saying what happened and what to do.
    pub fn message(&self, lang: Lang) -> String {
        let (it, en) = match self {
            VaultError::Unavailable { .. } => (
                "Il portachiavi del sistema non risponde, quindi le credenziali non possono \
                 essere salvate. Su Linux serve un portachiavi attivo (ad esempio \
                 «Portachiavi di GNOME» o KWallet): accedi di nuovo alla sessione grafica o \
                 avvialo, poi riprova. Se il problema resta, rivolgiti all'assistenza \
                 informatica.",
                "The system keychain does not answer, so credentials cannot be saved. On \
                 Linux an active keychain is needed (for example GNOME Keyring or KWallet): \
                 log in to the desktop session again or start it, then try again. If the \
                 problem persists, contact IT support.",
            ),
            VaultError::Locked { .. } => (
                "Il portachiavi del sistema è bloccato. Sbloccalo (di solito con la password \
                 di accesso al computer) e riprova.",
                "The system keychain is locked. Unlock it (usually with your computer login \
                 password) and try again.",
            ),
            VaultError::NotPersistent { .. } | VaultError::ProbeMismatch => (
                "Il portachiavi in uso non conserva le password: nulla è stato salvato. \
                 Rivolgiti all'assistenza informatica.",
                "The keychain in use does not keep passwords: nothing was saved. Contact IT \
                 support.",
            ),
            VaultError::Invalid(_) => (
                "Il nome utente o il nome del profilo non sono validi per il portachiavi \
                 (niente a capo, al massimo 256 caratteri).",
                "The username or profile name is not valid for the keychain (no line \
                 breaks, at most 256 characters).",
            ),
            VaultError::Malformed => (
                "Le credenziali salvate non sono leggibili: inseriscile di nuovo.",
                "The saved credentials cannot be read: enter them again.",
            ),
            VaultError::Platform { .. } => (
                "Il portachiavi del sistema ha restituito un errore. Riprova; se il problema \
                 resta, rivolgiti all'assistenza informatica.",
                "The system keychain returned an error. Try again; if the problem persists, \
                 contact IT support.",
            ),
        };
        match lang {
            Lang::It => it.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

impl From<keyring::Error> for VaultError {
    fn from(err: keyring::Error) -> Self {
        let detail = err.to_string();
        let lower = detail.to_ascii_lowercase();
        match err {
            keyring::Error::NoStorageAccess(_) => {
                if lower.contains("lock") {
                    VaultError::Locked { detail }
                } else {
                    VaultError::Unavailable { detail }
                }
            }
            keyring::Error::PlatformFailure(_) => {
                if lower.contains("islocked") || lower.contains("is locked") {
                    VaultError::Locked { detail }
                } else if lower.contains("dbus")
                    || lower.contains("d-bus")
                    || lower.contains("org.freedesktop")
                    || lower.contains("no such file")
                    || lower.contains("connection refused")
                {
                    VaultError::Unavailable { detail }
                } else {
                    VaultError::Platform { detail }
                }
            }
            keyring::Error::BadEncoding(_) => VaultError::Malformed,
            keyring::Error::TooLong(name, _) | keyring::Error::Invalid(name, _) => {
                VaultError::Invalid(name)
            }
            _ => VaultError::Platform { detail },
        }
    }
}
