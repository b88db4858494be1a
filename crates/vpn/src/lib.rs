//! VPN profiles for Lavoro Agile: OpenVPN and WireGuard.
//!
//! What it is for: reading the profile files IT hands out, checking them against an
//! allowlist (a profile can otherwise run arbitrary commands on the employee's computer),
//! inlining the certificate and key files they reference, and keeping the accepted ones in
//! the app's data folder, with their credentials in the OS keychain (`lavoro-agile-vault`).
//!
//! What it must not do: accept a directive that runs a command, loads code or touches the
//! filesystem; read a file outside the profile's own folder; write a password anywhere but
//! the keychain; read the clock (the import time is passed in); put a password in a file, a
//! process argument or an environment variable when connecting (see [`connect`]).
//!
//! Entry point: [`check_profile`] (bytes and the profile's folder → [`Checked`]); the
//! [`store::Store`] imports, lists and deletes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod connect;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod openvpn;
mod report;
pub mod store;
pub mod tokenize;
pub mod wireguard;

use std::path::Path;

pub use error::VpnError;
pub use lavoro_agile_vault::Lang;
pub use report::{Checked, Finding, LintReport, ProfileKind, Reason};

/// Largest profile accepted, in bytes.
pub const MAX_PROFILE_BYTES: usize = 1 << 20;
/// Most lines in a profile.
pub const MAX_PROFILE_LINES: usize = 20_000;

/// Checks a profile file's content. `folder` is the profile's own folder, where the files
/// it references are looked for (`None`: every reference is refused). WireGuard is
/// recognised by an `[Interface]` section, anything else is read as OpenVPN.
pub fn check_profile(bytes: &[u8], folder: Option<&Path>) -> Checked {
    let whole = |reason| Checked {
        report: LintReport {
            kind: ProfileKind::OpenVpn,
            refused: vec![Finding {
                line: 0,
                directive: String::new(),
                reason,
            }],
            inlined: Vec::new(),
            remotes: Vec::new(),
            needs_credentials: false,
        },
        profile: None,
    };
    if bytes.len() > MAX_PROFILE_BYTES {
        return whole(Reason::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return whole(Reason::NotText);
    };
    if text.contains('\0') {
        return whole(Reason::NotText);
    }
    if text.lines().count() > MAX_PROFILE_LINES {
        return whole(Reason::TooLarge);
    }
    if wireguard::looks_like_wireguard(text) {
        wireguard::check(text)
    } else {
        openvpn::check(text, folder)
    }
}

/// Reads and checks a profile file, looking for referenced files in its folder. `Err` only
/// when the file itself cannot be read; a refused profile is an `Ok` report.
pub fn check_file(path: &Path) -> Result<Checked, VpnError> {
    let bytes = read_limited(path)?;
    Ok(check_profile(&bytes, path.parent()))
}

/// Reads at most [`MAX_PROFILE_BYTES`] + 1 bytes of `path`.
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>, VpnError> {
    use std::io::Read;
    let unreadable = |source| VpnError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(unreadable(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_PROFILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}
