//! The OS keychain through `keyring`, probed at start-up.
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use keyring::credential::CredentialPersistence;
use keyring::Entry;
use zeroize::Zeroize;

use crate::{Secret, VaultError, REDACTED};

/// The keychain "service" under which the app's items are stored.
pub const DEFAULT_SERVICE: &str = "it.comune.lavoro-agile";

/// First line of every stored credentials item: the format this app writes.
const FORMAT_V1: &str = "lavoro-agile-credentials-v1";
/// Longest account name or username accepted, in characters.
const MAX_NAME_CHARS: usize = 256;
/// Longest password accepted, in bytes.
const MAX_PASSWORD_BYTES: usize = 4096;

/// A username and its password. `Debug` prints neither (a username may be a codice fiscale),
/// there is no `Serialize`, and both are zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The username, as typed.
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl Credentials {
    /// Checks that the values fit the keychain item this app writes.
    pub fn validate(&self) -> Result<(), VaultError> {
        if self.username.is_empty()
            || self.username.chars().count() > MAX_NAME_CHARS
            || self.username.chars().any(char::is_control)
        {
            return Err(VaultError::Invalid("username".to_owned()));
        }
        if self.password.is_empty() || self.password.expose().len() > MAX_PASSWORD_BYTES {
            return Err(VaultError::Invalid("password".to_owned()));
        }
        Ok(())
    }

    fn encode(&self) -> Secret {
        Secret::new(format!(
            "{FORMAT_V1}\n{}\n{}",
            self.username,
            self.password.expose()
        ))
    }

    fn decode(stored: &Secret) -> Result<Self, VaultError> {
        let mut parts = stored.expose().splitn(3, '\n');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(FORMAT_V1), Some(user), Some(pass)) => Ok(Self {
                username: user.to_owned(),
                password: Secret::new(pass.to_owned()),
            }),
            _ => Err(VaultError::Malformed),
        }
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.username.zeroize();
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &REDACTED)
            .field("password", &self.password)
            .finish()
    }
}

/// Where credentials are kept. [`Keychain`] is the only implementation the app uses; the
/// trait lets the VPN store be exercised against a test double.
pub trait CredentialStore: Send + Sync {
    /// Saves (or replaces) the credentials of `account`.
    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), VaultError>;
    /// The credentials of `account`, if any were saved.
    fn get(&self, account: &str) -> Result<Option<Credentials>, VaultError>;
    /// Removes the credentials of `account`; `true` if there were some.
    fn delete(&self, account: &str) -> Result<bool, VaultError>;
}

/// The OS keychain, known to answer and to keep what it is given.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Keychain {
    /// Opens the keychain under [`DEFAULT_SERVICE`] after probing it (see [`Keychain::probe`]).
    pub fn open() -> Result<Self, VaultError> {
        Self::open_service(DEFAULT_SERVICE)
    }

    /// Opens the keychain under another service name (tests use their own).
    pub fn open_service(service: &str) -> Result<Self, VaultError> {
        check_name(service)?;
        let keychain = Self {
            service: service.to_owned(),
        };
        keychain.probe()?;
        Ok(keychain)
    }

    /// Proves that the store is a real one: its declared persistence must outlive the
    /// process, and a value written through one entry must be read back through a second,
    /// independent entry (keyring's mock keeps a value inside the entry that wrote it). The
    /// probe item is deleted afterwards.
    pub fn probe(&self) -> Result<(), VaultError> {
        let persistence = keyring::default::default_credential_builder().persistence();
        let declared = match persistence {
            CredentialPersistence::UntilDelete | CredentialPersistence::UntilReboot => None,
            CredentialPersistence::EntryOnly => Some("entry only"),
            CredentialPersistence::ProcessOnly => Some("process only"),
            _ => Some("unknown"),
        };
        if let Some(persistence) = declared {
            let persistence = persistence.to_owned();
            tracing::error!(%persistence, "keychain backend does not persist secrets");
            return Err(VaultError::NotPersistent { persistence });
        }
        static PROBES: AtomicU64 = AtomicU64::new(0);
        let account = format!(
            "probe-{}-{}",
            std::process::id(),
            PROBES.fetch_add(1, Ordering::Relaxed)
        );
        let value = format!("{FORMAT_V1}\nprobe\n{account}");
        let writer = Entry::new(&self.service, &account).map_err(VaultError::from)?;
        if let Err(e) = writer.set_password(&value) {
            let err = VaultError::from(e);
            tracing::warn!(code = err.code(), error = %err, "keychain probe failed");
            return Err(err);
        }
        let reader = Entry::new(&self.service, &account).map_err(VaultError::from)?;
        let read = reader.get_password();
        if let Err(e) = reader.delete_credential() {
            tracing::warn!(error = %e, "keychain probe item not deleted");
        }
        match read {
            Ok(got) if got == value => {
                tracing::info!("keychain answered the start-up probe");
                Ok(())
            }
            Ok(_) | Err(keyring::Error::NoEntry) => Err(VaultError::ProbeMismatch),
            Err(e) => Err(VaultError::from(e)),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, VaultError> {
        check_name(account)?;
        Entry::new(&self.service, account).map_err(VaultError::from)
    }
}

impl CredentialStore for Keychain {
    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), VaultError> {
        credentials.validate()?;
        let encoded = credentials.encode();
        self.entry(account)?
            .set_password(encoded.expose())
            .map_err(VaultError::from)?;
        tracing::info!(account, "credentials saved in the keychain");
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<Credentials>, VaultError> {
        match self.entry(account)?.get_password() {
            Ok(raw) => {
                let stored = Secret::new(raw);
                Credentials::decode(&stored).map(Some)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(VaultError::from(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<bool, VaultError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => {
                tracing::info!(account, "credentials removed from the keychain");
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(VaultError::from(e)),
        }
    }
}

fn check_name(name: &str) -> Result<(), VaultError> {
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(VaultError::Invalid("name".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(user: &str, pass: &str) -> Credentials {
        Credentials {
            username: user.to_owned(),
            password: Secret::new(pass.to_owned()),
        }
    }

    #[test]
    fn credentials_encode_decode_round_trip_keeps_newlines_in_password() {
        let c = creds("mario.rossi", "pa\nss word");
        let back = Credentials::decode(&c.encode()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn credentials_decode_foreign_item_is_malformed() {
        let err = Credentials::decode(&Secret::new("just a password".to_owned())).unwrap_err();
        assert!(matches!(err, VaultError::Malformed));
    }

    #[test]
    fn credentials_debug_prints_neither_username_nor_password() {
        let text = format!("{:?}", creds("RSSMRA80A01H501U", "hunter2"));
        assert!(!text.contains("RSSMRA80A01H501U"));
        assert!(!text.contains("hunter2"));
        assert!(text.contains(REDACTED));
    }

    #[test]
    fn credentials_validate_newline_in_username_is_refused() {
        assert!(creds("a\nb", "x").validate().is_err());
        assert!(creds("", "x").validate().is_err());
        assert!(creds("a", "").validate().is_err());
        assert!(creds("a", "x").validate().is_ok());
    }
}
