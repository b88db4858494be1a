//! Tauri commands, one module per domain. Each converts input, calls `lavoro_agile_api`
//! and maps the error to an `ErrorPayload`.
pub mod about;
pub mod packs;
pub mod portal;
pub mod settings;
pub mod sign;
pub mod update;
pub mod verify;
pub mod vpn;
