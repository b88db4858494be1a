//! End-to-end tests of the desktop app in a real window (WebKitGTK under Xvfb, driven
//! through tauri-driver). Built only with `--features e2e`; `make test` runs them.
//!
//! Modules:
//! - `harness`: starting the app, WebDriver helpers, screenshots.
//! - `shell`: navigation, language, keyboard, accessibility, network isolation,
//!   single instance.
//! - `packs`: installing signed packs from a file, refusals.
//! - `portal`: the Portale section: search, pages, links, content updated by a pack.
//! - `vpn`: the VPN section: import and check result, credentials in a real keychain,
//!   delete, no keychain.
//! - `verify`: the Verifica firma section: files from the command line and the picker,
//!   progress, cancel, details, the original document.
//! - `verify_more`: Verifica firma continued: exported reports (PDF, ETSI XML, JSON).
//! - `sign`: the Firma section with a SoftHSM2 token: sign, verdict, wrong PIN, two files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod harness;
mod packs;
mod portal;
mod shell;
mod sign;
mod verify;
mod verify_more;
mod vpn;
