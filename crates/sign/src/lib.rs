//! Signing with the employee's smart card or USB token through PKCS#11: finding the
//! middleware's module, listing tokens and signing certificates, logging in with the PIN,
//! and building CAdES-B (`.p7m`, `.p7s`, parallel signatures, countersignatures) and
//! PAdES B-B (an incremental update of the PDF) signatures.
//!
//! What it must not do: keep, log or print the PIN (it arrives as a
//! [`lavoro_agile_vault::Secret`] and is zeroed on drop); read the clock (the signing time
//! is a parameter); overwrite a file (the caller picks a new name, see [`output`]); change
//! the bytes of earlier signatures (existing envelopes and PDF revisions are extended, never
//! re-encoded). Verifying what it wrote is `lavoro-agile-verify`'s job.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cms;
pub mod der;
pub mod modules;
pub mod output;
pub mod pades;
pub mod token;
pub mod tsa;

pub use lavoro_agile_vault::{Lang, Secret};
pub use token::{CertificateEntry, Module, PinStatus, TokenSigner, TokenSummary};

/// Why signing could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No PKCS#11 module configured and none of the known ones is installed.
    #[error("no PKCS#11 module found")]
    ModuleNotFound,
    /// The module could not be loaded or initialised.
    #[error("cannot load the PKCS#11 module {path}: {detail}")]
    ModuleLoad {
        /// The module's path.
        path: String,
        /// What the loader or the module said.
        detail: String,
    },
    /// No token is inserted.
    #[error("no token present")]
    NoToken,
    /// `--slot` names a slot that has no token.
    #[error("no token at slot index {0}")]
    SlotNotFound(usize),
    /// The token was removed while in use.
    #[error("token removed")]
    TokenRemoved,
    /// The certificate asked for is not on the token.
    #[error("certificate not found on the token")]
    CertificateNotFound,
    /// The certificate has no private key on the token.
    #[error("no private key for the certificate")]
    KeyNotFound,
    /// A key type other than RSA or EC.
    #[error("unsupported key type")]
    UnsupportedKey,
    /// Wrong PIN; the token's PIN flags as read after the attempt.
    #[error("wrong PIN")]
    PinIncorrect(PinStatus),
    /// The PIN is locked.
    #[error("PIN locked")]
    PinLocked,
    /// The PIN is too short or too long for the token.
    #[error("PIN length out of range")]
    PinLength,
    /// The PIN has expired.
    #[error("PIN expired")]
    PinExpired,
    /// Any other error the module returned.
    #[error("token error: {0}")]
    Token(String),
    /// The input file is not what the operation needs (unreadable envelope, bad PDF).
    #[error("invalid input: {0}")]
    Input(String),
    /// The file is not a signed envelope (adding or countersigning needs one).
    #[error("not a signed file")]
    NotSigned,
    /// The file is already signed: say whether to add a signature or nest it.
    #[error("already signed: add a parallel signature or ask for a nested envelope")]
    AlreadySigned,
    /// A detached signature needs its content.
    #[error("detached content missing")]
    DetachedContentMissing,
    /// No signer at that index.
    #[error("no signer at index {0}")]
    SignerNotFound(usize),
    /// The signature did not fit in the space reserved in the PDF.
    #[error("signature larger than the reserved space")]
    PlaceholderTooSmall,
    /// A timestamp could not be obtained.
    #[error("timestamp: {0}")]
    Timestamp(String),
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(String),
    /// A bug of ours.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl Error {
    /// A message for the user, without jargon, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let (it, en): (String, String) = match self {
            Self::ModuleNotFound => (
                "Nessun programma della smart card trovato: installa il software del lettore o della carta, oppure indica il modulo PKCS#11.".into(),
                "No smart card software found: install the reader's or card's software, or give the PKCS#11 module.".into(),
            ),
            Self::ModuleLoad { path, .. } => (
                format!("Il modulo della smart card {path} non si carica."),
                format!("The smart card module {path} cannot be loaded."),
            ),
            Self::NoToken => (
                "Nessuna smart card o chiavetta inserita.".into(),
                "No smart card or token inserted.".into(),
            ),
            Self::SlotNotFound(i) => (
                format!("Nessuna smart card nella posizione {i}."),
                format!("No smart card at position {i}."),
            ),
            Self::TokenRemoved => (
                "La smart card è stata rimossa: reinseriscila e riprova.".into(),
                "The smart card was removed: insert it again and retry.".into(),
            ),
            Self::CertificateNotFound => (
                "Il certificato scelto non è sulla smart card.".into(),
                "The chosen certificate is not on the smart card.".into(),
            ),
            Self::KeyNotFound => (
                "Sulla smart card non c'è la chiave di firma di questo certificato.".into(),
                "The smart card holds no signing key for this certificate.".into(),
            ),
            Self::UnsupportedKey => (
                "Il tipo di chiave della smart card non è supportato.".into(),
                "The smart card's key type is not supported.".into(),
            ),
            Self::PinIncorrect(status) => pin_incorrect(status),
            Self::PinLocked => (
                "Il PIN è bloccato: sbloccalo con il PUK o rivolgiti a chi ha emesso la carta.".into(),
                "The PIN is locked: unlock it with the PUK or contact the card's issuer.".into(),
            ),
            Self::PinLength => (
                "Il PIN ha un numero di cifre non valido per questa carta.".into(),
                "The PIN has the wrong length for this card.".into(),
            ),
            Self::PinExpired => (
                "Il PIN è scaduto: cambialo con il programma della carta.".into(),
                "The PIN has expired: change it with the card's software.".into(),
            ),
            Self::Token(_) => (
                "La smart card ha segnalato un errore durante la firma.".into(),
                "The smart card reported an error while signing.".into(),
            ),
            Self::Input(_) => (
                "Il file non è leggibile come documento da firmare.".into(),
                "The file cannot be read as a document to sign.".into(),
            ),
            Self::NotSigned => (
                "Il file non è firmato: non si può aggiungere una firma o una controfirma.".into(),
                "The file is not signed: no signature or countersignature can be added.".into(),
            ),
            Self::AlreadySigned => (
                "Il file è già firmato: scegli se aggiungere una firma o creare una busta annidata.".into(),
                "The file is already signed: choose to add a signature or to nest it.".into(),
            ),
            Self::DetachedContentMissing => (
                "Manca il documento originale della firma separata (.p7s).".into(),
                "The detached signature's (.p7s) original document is missing.".into(),
            ),
            Self::SignerNotFound(i) => (
                format!("Non c'è una firma numero {} da controfirmare.", i + 1),
                format!("There is no signature number {} to countersign.", i + 1),
            ),
            Self::PlaceholderTooSmall => (
                "La firma non entra nello spazio riservato nel PDF.".into(),
                "The signature does not fit in the space reserved in the PDF.".into(),
            ),
            Self::Timestamp(_) => (
                "Non è stato possibile ottenere la marca temporale.".into(),
                "The timestamp could not be obtained.".into(),
            ),
            Self::Io(_) => (
                "Il file non si può leggere o scrivere.".into(),
                "The file cannot be read or written.".into(),
            ),
            Self::Internal(_) => (
                "Errore interno durante la firma.".into(),
                "Internal error while signing.".into(),
            ),
        };
        match lang {
            Lang::En => en,
            _ => it,
        }
    }
}

fn pin_incorrect(status: &PinStatus) -> (String, String) {
    if status.final_try {
        (
            "PIN errato. Attenzione: resta un solo tentativo, poi il PIN si blocca.".into(),
            "Wrong PIN. Careful: one attempt left before the PIN locks.".into(),
        )
    } else if status.count_low {
        (
            "PIN errato. I tentativi rimasti sono pochi.".into(),
            "Wrong PIN. Few attempts are left.".into(),
        )
    } else {
        ("PIN errato.".into(), "Wrong PIN.".into())
    }
}

/// The PIN flags as a warning to show before asking for the PIN, when there is one.
pub fn pin_warning(status: &PinStatus, lang: Lang) -> Option<String> {
    let (it, en) = if status.locked {
        ("Il PIN è bloccato.", "The PIN is locked.")
    } else if status.final_try {
        (
            "Resta un solo tentativo per il PIN.",
            "One PIN attempt left.",
        )
    } else if status.count_low {
        (
            "Il PIN è stato sbagliato di recente: i tentativi rimasti sono pochi.",
            "The PIN was mistyped recently: few attempts are left.",
        )
    } else if status.to_be_changed {
        (
            "Il PIN va cambiato prima dell'uso.",
            "The PIN must be changed before use.",
        )
    } else {
        return None;
    };
    Some(match lang {
        Lang::En => en.to_owned(),
        _ => it.to_owned(),
    })
}

/// The message that explains why the PIN is asked again for each signature
/// (`CKA_ALWAYS_AUTHENTICATE` keys).
pub fn always_authenticate_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "This card asks for the PIN again for every signature: that is how qualified signature cards protect the key.",
        _ => "Questa carta chiede il PIN a ogni firma: è il modo in cui le carte di firma qualificata proteggono la chiave.",
    }
}

/// Entry points for fuzzing and for the tests that replay fuzz corpora. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Reads arbitrary bytes as an existing envelope to extend (what "aggiungi firma" and
    /// countersigning read before anything is signed).
    pub fn envelope(data: &[u8]) {
        let _ = crate::cms::signer_count(data);
        let _ = crate::cms::carries_content(data);
    }

    /// Reads arbitrary bytes as a timestamp authority's response.
    pub fn tsa_response(data: &[u8]) {
        let _ = crate::tsa::token_from_response(data, &[0; 32]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_incorrect_final_try_warns_in_italian() {
        let e = Error::PinIncorrect(PinStatus {
            final_try: true,
            ..PinStatus::default()
        });
        assert!(e.message(Lang::It).contains("un solo tentativo"));
        assert!(e.message(Lang::En).contains("one attempt left"));
    }

    #[test]
    fn pin_warning_locked_takes_precedence() {
        let s = PinStatus {
            locked: true,
            count_low: true,
            final_try: false,
            to_be_changed: false,
        };
        assert_eq!(
            pin_warning(&s, Lang::It).as_deref(),
            Some("Il PIN è bloccato.")
        );
        assert_eq!(pin_warning(&PinStatus::default(), Lang::It), None);
    }
}
