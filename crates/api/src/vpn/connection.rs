//! Connecting and disconnecting a VPN profile, for both front doors.
//!
//! One [`Manager`] per process holds at most one connection. The process that holds it
//! (the app, or `lavoro-agile-cli vpn connect` in the foreground) writes the connection's
//! status to a small state file, `<cache>/vpn-connection/status.json` — the profile, the
//! state, the tunnel address and its own process id, never a secret — and watches for a
//! stop request, `stop` in the same folder. `vpn status` reads the file (a file left by a
//! process that no longer runs counts as no connection); `vpn disconnect` from another
//! process writes the request and waits for the state to become final.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lavoro_agile_vault::CredentialStore;
use lavoro_agile_vpn::connect::openvpn::OpenVpn;
use lavoro_agile_vpn::connect::wireguard::WgQuick;
use lavoro_agile_vpn::connect::{
    default_runtime_parent, Challenge, ConnectError, Connection, Connector, Options, Prompt,
    Reason, State, Status,
};
use lavoro_agile_vpn::store::Store;
use lavoro_agile_vpn::{Lang, ProfileKind, VpnError};
use serde::{Deserialize, Serialize};

use crate::paths::AppPaths;

pub use lavoro_agile_vpn::connect::{
    Challenge as VpnChallenge, NoPrompt, Prompt as VpnPrompt, State as VpnState,
};

/// Largest state file read.
const MAX_STATE_BYTES: u64 = 64 * 1024;
/// How often the holder looks for a stop request.
const STOP_POLL: Duration = Duration::from_millis(250);
/// How long `disconnect` from another process waits for the holder.
const REMOTE_STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// A connection's status, ready to show or to print as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    /// The profile's identifier.
    pub profile_id: String,
    /// The profile's name.
    pub profile_name: String,
    /// Where the connection is.
    pub state: State,
    /// The address inside the tunnel, once connected.
    pub tunnel_address: Option<String>,
    /// Why it ended, when it ended on its own.
    pub reason: Option<Reason>,
    /// The status in plain words, in the user's language.
    pub message: String,
    /// `true` for a final state that is a failure the user should read.
    pub is_error: bool,
    /// Process id of the process holding the connection.
    pub holder_pid: u32,
}

impl ConnectionView {
    fn new(id: &str, name: &str, status: &Status, lang: Lang) -> Self {
        let is_error = matches!(status.state, State::AuthFailed | State::Unreachable)
            || (status.state == State::Exited
                && !matches!(status.reason, None | Some(Reason::Disconnected)));
        Self {
            profile_id: id.to_owned(),
            profile_name: name.to_owned(),
            state: status.state,
            tunnel_address: status.tunnel_address.clone(),
            reason: status.reason,
            message: status.message(lang),
            is_error,
            holder_pid: std::process::id(),
        }
    }
}

/// What stopped a connect or disconnect, with a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectFailure {
    /// Stable code.
    pub code: String,
    /// The reason in plain words, in the language asked for.
    pub message: String,
    /// The same in English (the CLI prints both).
    pub message_en: String,
}

impl ConnectFailure {
    fn new(code: &str, lang: Lang, message: impl Fn(Lang) -> String) -> Self {
        Self {
            code: code.to_owned(),
            message: message(lang),
            message_en: message(Lang::En),
        }
    }

    fn from_vpn(e: &VpnError, lang: Lang) -> Self {
        Self::new(e.code(), lang, |l| e.message(l))
    }

    fn from_connect(e: &ConnectError, lang: Lang) -> Self {
        tracing::warn!(code = e.code(), error = %e, "VPN connect failed");
        Self::new(e.code(), lang, |l| e.message(l))
    }
}

impl std::fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The backend for a profile kind on this system.
pub fn connector_for(kind: ProfileKind) -> Box<dyn Connector> {
    match kind {
        ProfileKind::WireGuard => Box::new(WgQuick::new()),
        _ => Box::new(OpenVpn::new()),
    }
}

/// The folder of the state file and stop request.
pub fn state_dir(paths: &AppPaths) -> PathBuf {
    paths.cache.join("vpn-connection")
}

/// Adjusts a backend's options before a connect.
pub type TuneOptions = Arc<dyn Fn(&mut Options) + Send + Sync>;

struct Active {
    id: String,
    name: String,
    conn: Arc<dyn Connection>,
}

/// The connection of this process.
pub struct Manager {
    dir: PathBuf,
    runtime_parent: PathBuf,
    log_file: PathBuf,
    active: Arc<Mutex<Option<Active>>>,
    /// Overrides the backend's options (tests run the client in a namespace).
    tune: Option<TuneOptions>,
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Manager {
    /// A manager with its state file under the app's cache folder, the client's log in the
    /// app's log folder and the connection's private files in the user's runtime folder.
    pub fn new(paths: &AppPaths) -> Self {
        Self {
            dir: state_dir(paths),
            runtime_parent: default_runtime_parent(),
            log_file: paths.logs.join("vpn-client.log"),
            active: Arc::new(Mutex::new(None)),
            tune: None,
        }
    }

    /// Lets the caller adjust the backend's options before each connect (how the client is
    /// launched, timeouts).
    pub fn with_options(mut self, tune: TuneOptions) -> Self {
        self.tune = Some(tune);
        self
    }

    /// Connects the profile `name`. Credentials are read from `vault` now and handed to the
    /// backend in memory; `prompt` answers challenges; `observer` sees every status.
    pub fn connect(
        &self,
        store: &Store,
        vault: Option<&dyn CredentialStore>,
        name: &str,
        prompt: Arc<dyn Prompt>,
        observer: Arc<dyn Fn(&ConnectionView) + Send + Sync>,
        lang: Lang,
    ) -> Result<ConnectionView, ConnectFailure> {
        if let Some(view) = self.status(lang) {
            if !view.state.is_final() {
                return Err(ConnectFailure::new("vpn_already_connected", lang, |lang| {
                    if lang == Lang::En {
                        format!(
                            "The VPN “{}” is already connected: disconnect it first.",
                            view.profile_name
                        )
                    } else {
                        format!(
                            "La VPN «{}» è già collegata: disconnettila prima.",
                            view.profile_name
                        )
                    }
                }));
            }
        }
        let profile = store
            .find(name)
            .map_err(|e| ConnectFailure::from_vpn(&e, lang))?;
        let text = store
            .profile_text(&profile)
            .map_err(|e| ConnectFailure::from_vpn(&e, lang))?;
        let credentials = if profile.report.needs_credentials {
            let vault = vault.ok_or_else(|| {
                ConnectFailure::from_vpn(
                    &VpnError::Vault(lavoro_agile_vault::VaultError::ProbeMismatch),
                    lang,
                )
            })?;
            let creds = vault
                .get(&profile.account())
                .map_err(|e| ConnectFailure::new(e.code(), lang, |l| e.message(l)))?;
            if creds.is_none() {
                let status = Status {
                    reason: Some(Reason::NoCredentials),
                    ..Status::new(State::Exited)
                };
                return Err(ConnectFailure::new("vpn_no_credentials", lang, |l| {
                    status.message(l)
                }));
            }
            creds
        } else {
            None
        };
        let mut options = Options::new(&self.runtime_parent);
        options.credentials = credentials;
        options.prompt = prompt;
        options.log_file = Some(self.log_file.clone());
        let (id, pname, dir) = (profile.id.clone(), profile.name.clone(), self.dir.clone());
        options.observer = Arc::new(move |s: &Status| {
            let view = ConnectionView::new(&id, &pname, s, lang);
            write_state(&dir, &view);
            observer(&view);
        });
        if let Some(tune) = &self.tune {
            tune(&mut options);
        }
        let _ = std::fs::remove_file(self.dir.join("stop"));
        let conn: Arc<dyn Connection> = Arc::from(
            connector_for(profile.kind)
                .connect(&profile.id, &text, options)
                .map_err(|e| ConnectFailure::from_connect(&e, lang))?,
        );
        let view = ConnectionView::new(&profile.id, &profile.name, &conn.status(), lang);
        if let Ok(mut slot) = self.active.lock() {
            *slot = Some(Active {
                id: profile.id.clone(),
                name: profile.name.clone(),
                conn: Arc::clone(&conn),
            });
        }
        self.watch_stop_requests(conn);
        Ok(view)
    }

    /// Disconnects a stop request from another process would ask for.
    fn watch_stop_requests(&self, conn: Arc<dyn Connection>) {
        let stop = self.dir.join("stop");
        let spawned = std::thread::Builder::new()
            .name("vpn-stop-watch".into())
            .spawn(move || loop {
                if conn.status().state.is_final() {
                    return;
                }
                if stop.exists() {
                    let _ = std::fs::remove_file(&stop);
                    tracing::info!("VPN stop requested by another process");
                    let _ = conn.disconnect();
                    return;
                }
                std::thread::sleep(STOP_POLL);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "stop-request watcher not started");
        }
    }

    /// The connection of this process, or one held by another live process.
    pub fn status(&self, lang: Lang) -> Option<ConnectionView> {
        if let Some(view) = self.local(lang) {
            return Some(view);
        }
        read_state(&self.dir).filter(|v| v.holder_pid != std::process::id())
    }

    fn local(&self, lang: Lang) -> Option<ConnectionView> {
        let slot = self.active.lock().ok()?;
        let a = slot.as_ref()?;
        Some(ConnectionView::new(&a.id, &a.name, &a.conn.status(), lang))
    }

    /// Waits until the local connection reaches a state for which `done` holds (or ends),
    /// up to `timeout`.
    pub fn wait_for(
        &self,
        done: &dyn Fn(&Status) -> bool,
        timeout: Duration,
        lang: Lang,
    ) -> Option<ConnectionView> {
        let (conn, id, name) = {
            let slot = self.active.lock().ok()?;
            let a = slot.as_ref()?;
            (Arc::clone(&a.conn), a.id.clone(), a.name.clone())
        };
        let status = conn.wait_for(done, timeout);
        Some(ConnectionView::new(&id, &name, &status, lang))
    }

    /// Disconnects this process's connection, or asks the process holding one to.
    /// `Ok(None)`: nothing was connected.
    pub fn disconnect(&self, lang: Lang) -> Result<Option<ConnectionView>, ConnectFailure> {
        let local = self.active.lock().ok().and_then(|mut s| s.take());
        if let Some(a) = local {
            let status = a
                .conn
                .disconnect()
                .map_err(|e| ConnectFailure::from_connect(&e, lang))?;
            return Ok(Some(ConnectionView::new(&a.id, &a.name, &status, lang)));
        }
        let Some(view) = self.status(lang) else {
            return Ok(None);
        };
        if view.state.is_final() {
            return Ok(Some(view));
        }
        write_private(&self.dir.join("stop"), b"stop\n")
            .map_err(|e| ConnectFailure::new("io", lang, |_| e.to_string()))?;
        let deadline = Instant::now() + REMOTE_STOP_TIMEOUT;
        loop {
            match read_state(&self.dir) {
                Some(v) if v.state.is_final() => return Ok(Some(v)),
                None => return Ok(Some(view)),
                Some(_) if Instant::now() > deadline => {
                    return Err(ConnectFailure::new("vpn_stop_timeout", lang, |lang| {
                        if lang == Lang::En {
                            "The VPN did not stop in time.".to_owned()
                        } else {
                            "La VPN non si è fermata in tempo.".to_owned()
                        }
                    }))
                }
                Some(_) => std::thread::sleep(STOP_POLL),
            }
        }
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.active.lock() {
            if let Some(a) = slot.take() {
                let _ = a.conn.disconnect();
            }
        }
    }
}

fn write_state(dir: &Path, view: &ConnectionView) {
    let Ok(json) = serde_json::to_vec_pretty(view) else {
        return;
    };
    let path = dir.join("status.json");
    let tmp = dir.join("status.json.tmp");
    let result = std::fs::create_dir_all(dir)
        .and_then(|()| write_private(&tmp, &json))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = result {
        tracing::warn!(error = %e, "VPN state file not written");
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// The state file, if its holder still runs.
fn read_state(dir: &Path) -> Option<ConnectionView> {
    use std::io::Read;
    let file = std::fs::File::open(dir.join("status.json")).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_STATE_BYTES).read_to_end(&mut bytes).ok()?;
    let view: ConnectionView = serde_json::from_slice(&bytes).ok()?;
    let alive = Path::new(&format!("/proc/{}", view.holder_pid)).exists()
        || !Path::new("/proc/self").exists();
    alive.then_some(view)
}

/// A prompt that asks on the terminal (the CLI); `None` when there is none.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChallengeFn<F>(pub F);

impl<F> Prompt for ChallengeFn<F>
where
    F: Fn(&Challenge) -> Option<lavoro_agile_vault::Secret> + Send + Sync,
{
    fn ask(&self, challenge: &Challenge) -> Option<lavoro_agile_vault::Secret> {
        (self.0)(challenge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(pid: u32, state: State) -> ConnectionView {
        ConnectionView {
            profile_id: "casa".into(),
            profile_name: "Casa".into(),
            state,
            tunnel_address: None,
            reason: None,
            message: String::new(),
            is_error: false,
            holder_pid: pid,
        }
    }

    #[test]
    fn read_state_of_a_dead_holder_is_no_connection() {
        let dir = tempfile::tempdir().unwrap();
        write_state(dir.path(), &view(std::process::id(), State::Connected));
        assert_eq!(read_state(dir.path()).unwrap().state, State::Connected);
        // Pid numbers are below 2^22 on Linux: this one cannot run.
        write_state(dir.path(), &view(u32::MAX - 1, State::Connected));
        assert!(read_state(dir.path()).is_none());
    }

    struct Empty;
    impl CredentialStore for Empty {
        fn set(
            &self,
            _: &str,
            _: &lavoro_agile_vault::Credentials,
        ) -> Result<(), lavoro_agile_vault::VaultError> {
            Ok(())
        }
        fn get(
            &self,
            _: &str,
        ) -> Result<Option<lavoro_agile_vault::Credentials>, lavoro_agile_vault::VaultError>
        {
            Ok(None)
        }
        fn delete(&self, _: &str) -> Result<bool, lavoro_agile_vault::VaultError> {
            Ok(false)
        }
    }

    #[test]
    fn connect_without_saved_credentials_fails_before_starting_anything() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ufficio.ovpn");
        std::fs::write(
            &file,
            "client\ndev tun\nremote 192.0.2.1 1194\nauth-user-pass\n",
        )
        .unwrap();
        let store = Store::new(dir.path().join("vpn"), None);
        store
            .import(&file, None, false, "2026-11-27T00:00:00Z")
            .unwrap();
        let paths = AppPaths {
            data: dir.path().join("data"),
            config: dir.path().join("config"),
            cache: dir.path().join("cache"),
            logs: dir.path().join("logs"),
        };
        let manager = Manager::new(&paths);
        let err = manager
            .connect(
                &store,
                Some(&Empty),
                "ufficio",
                Arc::new(NoPrompt),
                Arc::new(|_| {}),
                Lang::It,
            )
            .unwrap_err();
        assert_eq!(err.code, "vpn_no_credentials");
        assert!(err.message.contains("nome utente e password"));
        assert!(manager.status(Lang::It).is_none());
        assert!(!state_dir(&paths).join("status.json").exists());
    }

    #[test]
    fn connection_view_marks_failures_as_errors() {
        let failed = ConnectionView::new("a", "A", &Status::new(State::AuthFailed), Lang::It);
        assert!(failed.is_error);
        assert_eq!(failed.message, "credenziali rifiutate dal server VPN");
        let ended = ConnectionView::new(
            "a",
            "A",
            &Status {
                reason: Some(Reason::Disconnected),
                ..Status::new(State::Exited)
            },
            Lang::It,
        );
        assert!(!ended.is_error);
    }
}
