//! The service layer of Lavoro Agile.
//!
//! Both front doors — the Tauri desktop shell and `lavoro-agile-cli` — call into this crate
//! and nothing else of the core. It owns the per-user folders, the settings, logging set-up,
//! the serializable request/response types and the error codes. It never imports Tauri and
//! never opens a window: whatever it returns can be shown by either front door.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod about;
pub mod app_update;
pub mod error;
mod json_file;
pub mod logging;
pub mod online;
pub mod packs;
pub mod paths;
pub mod portal;
pub mod preview;
pub mod report;
pub mod secret;
pub mod settings;
pub mod sign;
pub mod trust;
pub mod verify;
pub mod vpn;

pub use error::ApiError;
