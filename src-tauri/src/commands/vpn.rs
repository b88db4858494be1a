//! VPN profiles: list, import (dialog, drop, file opened from the file manager), delete,
//! credentials in the OS keychain, connect and disconnect. Each command converts its input,
//! calls `lavoro_agile_api::vpn` and maps the error.
//!
//! Connection status reaches the window as [`EVENT_VPN_STATUS`] events; a server's
//! challenge (OTP) as [`EVENT_VPN_CHALLENGE`], answered with `vpn_challenge_answer` (the
//! answer is used once and never stored).
use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::vpn::connection::{
    ConnectFailure, ConnectionView, Manager, VpnChallenge, VpnPrompt,
};
use lavoro_agile_api::vpn::{
    self, CredentialStore, Credentials, ImportView, Keychain, ProfileView, Secret, Store,
    VaultError, VpnError,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};

use crate::picker::PickKind;
use crate::AppState;

/// The event carrying each change of the connection's status.
pub const EVENT_VPN_STATUS: &str = "vpn://status";
/// The event asking the user a server's challenge (an OTP code).
pub const EVENT_VPN_CHALLENGE: &str = "vpn://challenge";
/// How long a challenge waits for the user's answer.
const CHALLENGE_TIMEOUT: Duration = Duration::from_secs(300);

/// Extensions the app opens as VPN profiles when given on the command line.
const PROFILE_EXTENSIONS: &[&str] = &["ovpn", "conf"];

/// The keychain, probed at start-up and again when a command needs it after a failure
/// (the user may have started or unlocked it meanwhile).
pub struct VpnState {
    keychain: Arc<Mutex<Option<Keychain>>>,
    /// Profile files given on the command line at start (a double-click in the file
    /// manager), handed to the window once.
    launch_files: Mutex<Vec<String>>,
    /// The connection manager, made on first use.
    manager: Mutex<Option<Arc<Manager>>>,
    /// Where the answer to the pending challenge goes.
    challenge: Arc<Mutex<Option<Sender<Option<Secret>>>>>,
}

impl VpnState {
    /// Records the files given at launch and probes the keychain on a background thread
    /// (a slow Secret Service must not delay the window); commands that need the keychain
    /// wait for the probe.
    pub fn start(args: &[String]) -> Self {
        let keychain = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&keychain);
        let spawned = std::thread::Builder::new()
            .name("keychain-probe".into())
            .spawn(move || {
                if let Ok(mut guard) = slot.lock() {
                    match vpn::open_keychain() {
                        Ok(k) => *guard = Some(k),
                        Err(e) => tracing::warn!(
                            code = e.code(),
                            error = %e,
                            "keychain unavailable at start-up"
                        ),
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "keychain probe not started; it runs on first use");
        }
        Self {
            keychain,
            launch_files: Mutex::new(profile_args(args)),
            manager: Mutex::new(None),
            challenge: Arc::new(Mutex::new(None)),
        }
    }

    fn manager(&self, state: &AppState) -> Option<Arc<Manager>> {
        let mut slot = self.manager.lock().ok()?;
        Some(Arc::clone(
            slot.get_or_insert_with(|| Arc::new(Manager::new(&state.paths))),
        ))
    }

    fn keychain(&self) -> Result<Keychain, VaultError> {
        let mut slot = self
            .keychain
            .lock()
            .map_err(|_| VaultError::ProbeMismatch)?;
        if let Some(k) = slot.as_ref() {
            return Ok(k.clone());
        }
        let k = vpn::open_keychain()?;
        *slot = Some(k.clone());
        Ok(k)
    }
}

/// The arguments that look like profile files.
pub fn profile_args(args: &[String]) -> Vec<String> {
    args.iter()
        .filter(|a| {
            std::path::Path::new(a)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| PROFILE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
        })
        .cloned()
        .collect()
}

fn store(state: &AppState) -> Store {
    vpn::store(&state.paths, &state.packs)
}

fn payload(e: &VpnError, state: &AppState) -> ErrorPayload {
    ErrorPayload::with_message(
        e.code(),
        e.to_string(),
        e.message(vpn::lang(state.language())),
    )
}

fn vault_payload(e: VaultError, state: &AppState) -> ErrorPayload {
    payload(&VpnError::from(e), state)
}

/// The profiles and whether the keychain answers.
#[derive(Debug, Serialize)]
pub struct VpnListView {
    /// Every profile.
    pub profiles: Vec<ProfileView>,
    /// Why the keychain cannot be used, in the user's language; `None` when it answers.
    pub keychain_problem: Option<ErrorPayload>,
}

/// Every profile, with the keychain's state.
#[tauri::command]
pub async fn vpn_list(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
) -> Result<VpnListView, ErrorPayload> {
    let keychain = vpn_state.keychain();
    let lang = vpn::lang(state.language());
    let keychain_problem = keychain
        .as_ref()
        .err()
        .map(|e| ErrorPayload::with_message(e.code(), e.to_string(), e.message(lang)));
    let profiles = vpn::list(
        &store(&state),
        keychain.as_ref().ok().map(|k| k as &dyn CredentialStore),
        lang,
    )
    .map_err(|e| payload(&e, &state))?;
    Ok(VpnListView {
        profiles,
        keychain_problem,
    })
}

/// What happened when the user asked to import a profile.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PickImport {
    /// The user closed the dialog.
    Cancelled,
    /// The profile was checked: imported or refused.
    Checked {
        /// The result.
        result: ImportView,
    },
}

fn import_path(
    state: &AppState,
    vpn_state: &VpnState,
    path: &std::path::Path,
    replace: bool,
) -> Result<ImportView, ErrorPayload> {
    let keychain = vpn_state.keychain().ok();
    vpn::import(
        &store(state),
        path,
        None,
        replace,
        keychain.as_ref().map(|k| k as &dyn CredentialStore),
        vpn::lang(state.language()),
    )
    .map_err(|e| payload(&e, state))
}

/// Asks for a profile file (`.ovpn`, `.conf`) and imports it.
#[tauri::command]
pub async fn vpn_import_pick(
    app: AppHandle,
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
    title: String,
    replace: bool,
) -> Result<PickImport, ErrorPayload> {
    let Some(path) = state.picker.pick(&app, PickKind::VpnProfile, &title) else {
        return Ok(PickImport::Cancelled);
    };
    let result = import_path(&state, &vpn_state, &path, replace)?;
    Ok(PickImport::Checked { result })
}

/// Imports the profile at `path` (dropped on the window or opened from the file manager).
#[tauri::command]
pub async fn vpn_import_path(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
    path: String,
    replace: bool,
) -> Result<ImportView, ErrorPayload> {
    import_path(&state, &vpn_state, &PathBuf::from(path), replace)
}

/// Profile files given to the app at launch (a double-click), once.
#[tauri::command]
pub fn vpn_launch_files(vpn_state: State<'_, VpnState>) -> Vec<String> {
    vpn_state
        .launch_files
        .lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default()
}

/// Deletes an imported profile and its credentials.
#[tauri::command]
pub async fn vpn_remove(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
    id: String,
) -> Result<(), ErrorPayload> {
    let keychain = vpn_state.keychain().map_err(|e| vault_payload(e, &state))?;
    store(&state)
        .remove(&id, &keychain)
        .map(|_| ())
        .map_err(|e| payload(&e, &state))
}

/// The credentials form. The password is moved into a [`Secret`] at once.
#[derive(Deserialize)]
pub struct CredentialsInput {
    username: String,
    password: String,
}

impl std::fmt::Debug for CredentialsInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsInput([redatto])")
    }
}

/// Saves the username and password of a profile in the keychain.
#[tauri::command]
pub async fn vpn_credentials_set(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
    id: String,
    credentials: CredentialsInput,
) -> Result<(), ErrorPayload> {
    let CredentialsInput { username, password } = credentials;
    let credentials = Credentials {
        username: username.trim().to_owned(),
        password: Secret::new(password),
    };
    drop(username);
    if let Err(e) = credentials.validate() {
        return Err(vault_payload(e, &state));
    }
    let keychain = vpn_state.keychain().map_err(|e| vault_payload(e, &state))?;
    store(&state)
        .set_credentials(&id, &credentials, &keychain)
        .map(|_| ())
        .map_err(|e| payload(&e, &state))
}

/// Removes the credentials of a profile from the keychain.
#[tauri::command]
pub async fn vpn_credentials_forget(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
    id: String,
) -> Result<bool, ErrorPayload> {
    let keychain = vpn_state.keychain().map_err(|e| vault_payload(e, &state))?;
    store(&state)
        .forget_credentials(&id, &keychain)
        .map_err(|e| payload(&e, &state))
}

/// Asks challenges in the window and waits for `vpn_challenge_answer`.
struct WindowPrompt {
    app: AppHandle,
    slot: Arc<Mutex<Option<Sender<Option<Secret>>>>>,
}

impl VpnPrompt for WindowPrompt {
    fn ask(&self, challenge: &VpnChallenge) -> Option<Secret> {
        let (tx, rx) = channel();
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(tx);
        }
        if let Err(e) = self.app.emit_to("main", EVENT_VPN_CHALLENGE, challenge) {
            tracing::warn!(error = %e, "VPN challenge not delivered to the window");
            return None;
        }
        rx.recv_timeout(CHALLENGE_TIMEOUT).ok().flatten()
    }
}

fn connect_payload(f: ConnectFailure) -> ErrorPayload {
    ErrorPayload::with_message(&f.code, f.code.clone(), f.message)
}

fn no_manager() -> ErrorPayload {
    ErrorPayload::with_message("internal", "VPN manager unavailable".into(), String::new())
}

/// Connects a profile; the status then arrives as [`EVENT_VPN_STATUS`] events.
#[tauri::command]
pub async fn vpn_connect(
    app: AppHandle,
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
    id: String,
) -> Result<ConnectionView, ErrorPayload> {
    let manager = vpn_state.manager(&state).ok_or_else(no_manager)?;
    let keychain = vpn_state.keychain().ok();
    let prompt = Arc::new(WindowPrompt {
        app: app.clone(),
        slot: Arc::clone(&vpn_state.challenge),
    });
    let emitter = app.clone();
    let observer = Arc::new(move |view: &ConnectionView| {
        if let Err(e) = emitter.emit_to("main", EVENT_VPN_STATUS, view) {
            tracing::warn!(error = %e, "VPN status not delivered to the window");
        }
    });
    manager
        .connect(
            &store(&state),
            keychain.as_ref().map(|k| k as &dyn CredentialStore),
            &id,
            prompt,
            observer,
            vpn::lang(state.language()),
        )
        .map_err(connect_payload)
}

/// Disconnects; `None` when nothing was connected.
#[tauri::command]
pub async fn vpn_disconnect(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
) -> Result<Option<ConnectionView>, ErrorPayload> {
    let manager = vpn_state.manager(&state).ok_or_else(no_manager)?;
    manager
        .disconnect(vpn::lang(state.language()))
        .map_err(connect_payload)
}

/// The current connection, if any (also one made by `lavoro-agile-cli vpn connect`).
#[tauri::command]
pub fn vpn_status(
    state: State<'_, AppState>,
    vpn_state: State<'_, VpnState>,
) -> Option<ConnectionView> {
    vpn_state
        .manager(&state)
        .and_then(|m| m.status(vpn::lang(state.language())))
}

/// The user's answer to the pending challenge (`None`: declined).
#[tauri::command]
pub fn vpn_challenge_answer(vpn_state: State<'_, VpnState>, answer: Option<String>) -> bool {
    let sender = vpn_state.challenge.lock().ok().and_then(|mut s| s.take());
    match sender {
        Some(tx) => tx.send(answer.map(Secret::new)).is_ok(),
        None => false,
    }
}
