//! The service layer of Lavoro Agile.
//!
//! Both front doors — the Tauri desktop shell and `lavoro-agile-cli` — call into this crate
//! and nothing else of the core. It owns the per-user folders, the settings, the
//! serializable request/response types and the error codes. It never imports Tauri.
#![warn(missing_docs)]

pub mod paths;
pub mod portal;
