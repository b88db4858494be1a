//! Credentials in the operating system's keychain, and secret types that never print.
//!
//! What it is for: keeping VPN usernames and passwords (and any other secret the app needs)
//! in the OS's own store — the freedesktop Secret Service on Linux (gnome-keyring, KWallet),
//! the macOS Keychain, the Windows Credential Manager — through the `keyring` crate, whose
//! native backends are chosen by this crate's cargo features.
//!
//! What it must not do: keep a secret anywhere else (a file, a log line, an IPC message), or
//! pretend to store one. `keyring` 3 on Linux silently uses an in-memory mock that keeps
//! nothing when no backend feature is enabled; this crate makes that impossible twice:
//!
//! - at build time, a `compile_error!` stops a build for an OS whose native backend feature
//!   is off;
//! - at start-up, [`Keychain::open`] probes the store (its persistence must outlive the entry,
//!   and a value written through one entry must be read back through another), so a store
//!   that does not answer — no Secret Service on the session bus, a locked keyring — is a
//!   clear error with what to do ([`VaultError::message`]), never a silent loss.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod keychain;
mod secret;

pub use error::{Lang, VaultError};
pub use keychain::{CredentialStore, Credentials, Keychain, DEFAULT_SERVICE};
pub use secret::{Secret, REDACTED};

// The build-time half of the guarantee: on each supported OS, the native backend feature
// must be on, otherwise `keyring` would pick its mock store.
#[cfg(all(
    any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"),
    not(feature = "secret-service")
))]
compile_error!(
    "lavoro-agile-vault: enable the `secret-service` feature on this OS; without it keyring \
     silently uses an in-memory mock that stores nothing"
);
#[cfg(all(target_os = "macos", not(feature = "macos-keychain")))]
compile_error!(
    "lavoro-agile-vault: enable the `macos-keychain` feature on macOS; without it keyring \
     silently uses an in-memory mock that stores nothing"
);
#[cfg(all(target_os = "windows", not(feature = "windows-credential")))]
compile_error!(
    "lavoro-agile-vault: enable the `windows-credential` feature on Windows; without it \
     keyring silently uses an in-memory mock that stores nothing"
);
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
compile_error!("lavoro-agile-vault: no native keychain is known for this OS");
