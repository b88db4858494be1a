//! The wrapper for values that must never be printed (passwords, PINs, tokens): the
//! keychain crate's [`Secret`], re-exported so the app and the CLI name one type. Its
//! `Debug` and `Display` print [`REDACTED`], it has no `Serialize`, and its memory is zeroed
//! when dropped.
pub use lavoro_agile_vault::{Secret, REDACTED};
