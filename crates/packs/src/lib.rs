//! Signed content packs for Lavoro Agile: portal content, trust material and VPN profiles.
//!
//! A pack is an uncompressed tar archive whose first entry is a JSON manifest
//! ([`manifest::MANIFEST_NAME`]) listing the pack's kind, version, creation date, minimum
//! app version and every file with its size and SHA-256. A detached minisign (Ed25519)
//! signature, `FILE.minisig`, covers the archive bytes.
//!
//! This crate builds, signs, verifies and installs packs:
//!
//! - [`keys`]: public keys scoped to the kinds they may sign, loaded from key folders;
//! - [`sign`]: key generation and signing, as IT does it;
//! - [`verify`]: the checks, in this order: size budget, signature, key scope, archive
//!   structure, paths, hashes, minimum app version;
//! - [`store`]: anti-rollback, unpacking into a new folder and an atomic switch that keeps
//!   the last good content;
//! - [`config`]: the machine-wide configuration file IT writes.
//!
//! What it must not do: read the clock or touch the network (the time and any downloaded
//! bytes are passed in), unpack anything before every check has passed, or follow a link.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod archive;
pub mod build;
pub mod config;
mod error;
pub mod keys;
pub mod manifest;
pub mod path;
pub mod sign;
pub mod store;
pub mod verify;

#[doc(hidden)]
pub mod fuzzing;

pub use error::{Lang, PackError, Refusal};
pub use manifest::{Kind, Manifest, Version};
