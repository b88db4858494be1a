//! Connecting a stored profile through the system's VPN client.
//!
//! One trait, [`Connector`], with one implementation per client: [`openvpn::OpenVpn`] (the
//! `openvpn` binary driven over its management socket) and [`wireguard::WgQuick`]
//! (`wg-quick`, which falls back to `wireguard-go` without the kernel module).
//! NetworkManager, Windows and macOS are hand-offs to the system's own client: [`handoff`]
//! builds their commands and files.
//!
//! Secrets: the username and password come from the keychain through the caller, are held
//! in [`Credentials`] (redacted, zeroed on drop) and reach OpenVPN only over the management
//! socket — never a file, an argument or an environment variable. A challenge answer (OTP)
//! is asked through [`Prompt`] each time and never stored.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lavoro_agile_vault::{Credentials, Secret};
use serde::{Deserialize, Serialize};

use crate::{Lang, ProfileKind};

pub mod handoff;
pub mod management;
pub mod openvpn;
mod runtime;
pub mod wireguard;

pub use runtime::RuntimeDir;

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum State {
    /// Starting the client or talking to the server.
    Connecting,
    /// Waiting for the user to answer a challenge (OTP).
    WaitingForUser,
    /// The tunnel is up.
    Connected,
    /// The tunnel dropped and the client is trying again.
    Reconnecting,
    /// Disconnecting at the user's request.
    Disconnecting,
    /// The server refused the username, password or challenge answer.
    AuthFailed,
    /// The server did not answer in time.
    Unreachable,
    /// The client has ended (after a disconnect, or on its own: see [`Status::reason`]).
    Exited,
}

impl State {
    /// `true` once the connection is over (nothing more will happen).
    pub fn is_final(self) -> bool {
        matches!(self, State::AuthFailed | State::Unreachable | State::Exited)
    }
}

/// Why a connection ended when it was not asked to, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The user disconnected.
    Disconnected,
    /// The profile needs a username and password and none are saved.
    NoCredentials,
    /// The user did not answer the challenge.
    ChallengeDeclined,
    /// The client refused or could not use the profile (see its log).
    ClientFailed,
    /// A value could not be sent to the client (a line break in a password).
    Unsendable,
}

/// The state of a connection, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Where it is.
    pub state: State,
    /// The address of this computer inside the tunnel, once connected.
    pub tunnel_address: Option<String>,
    /// Why it ended, for [`State::Exited`].
    pub reason: Option<Reason>,
}

impl Status {
    /// A status with only a state.
    pub fn new(state: State) -> Self {
        Self {
            state,
            tunnel_address: None,
            reason: None,
        }
    }

    /// The status in plain words.
    pub fn message(&self, lang: Lang) -> String {
        let it_en = |it: &str, en: &str| {
            if lang == Lang::En {
                en.to_owned()
            } else {
                it.to_owned()
            }
        };
        match (self.state, self.reason) {
            (State::Connecting, _) => it_en("connessione in corso", "connecting"),
            (State::WaitingForUser, _) => it_en(
                "in attesa del codice richiesto dal server",
                "waiting for the code the server asks for",
            ),
            (State::Connected, _) => match &self.tunnel_address {
                Some(a) if lang == Lang::En => format!("connected (address {a})"),
                Some(a) => format!("connessa (indirizzo {a})"),
                None => it_en("connessa", "connected"),
            },
            (State::Reconnecting, _) => it_en(
                "connessione interrotta, nuovo tentativo in corso",
                "connection lost, trying again",
            ),
            (State::Disconnecting, _) => it_en("disconnessione in corso", "disconnecting"),
            (State::AuthFailed, _) => it_en(
                "credenziali rifiutate dal server VPN",
                "credentials refused by the VPN server",
            ),
            (State::Unreachable, _) => it_en(
                "server non raggiungibile: controlla la connessione a Internet e riprova",
                "server not reachable: check the Internet connection and try again",
            ),
            (State::Exited, Some(Reason::NoCredentials)) => it_en(
                "questo profilo richiede nome utente e password: salvali e riprova",
                "this profile needs a username and password: save them and try again",
            ),
            (State::Exited, Some(Reason::ChallengeDeclined)) => it_en(
                "connessione annullata: il codice richiesto non è stato inserito",
                "connection cancelled: the requested code was not entered",
            ),
            (State::Exited, Some(Reason::ClientFailed)) => it_en(
                "il programma VPN si è fermato: il profilo non è utilizzabile su questo computer",
                "the VPN program stopped: the profile cannot be used on this computer",
            ),
            (State::Exited, Some(Reason::Unsendable)) => it_en(
                "la password salvata contiene un a capo e non può essere inviata: salvala di nuovo",
                "the saved password contains a line break and cannot be sent: save it again",
            ),
            (State::Exited, _) => it_en("disconnessa", "disconnected"),
        }
    }
}

/// A question from the server the user must answer now (an OTP, a PIN). The answer is
/// used once and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// The server's prompt, as sent.
    pub text: String,
    /// The answer may be shown while typed.
    pub echo: bool,
}

/// Asks the user a challenge; `None` when they decline. Called from the connection's own
/// thread, so it may block until the answer arrives.
pub trait Prompt: Send + Sync {
    /// Asks `challenge`.
    fn ask(&self, challenge: &Challenge) -> Option<Secret>;
}

/// A [`Prompt`] that declines every challenge (the CLI without a terminal, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPrompt;

impl Prompt for NoPrompt {
    fn ask(&self, _challenge: &Challenge) -> Option<Secret> {
        None
    }
}

/// Called with every change of status, from the connection's own thread.
pub type Observer = Arc<dyn Fn(&Status) + Send + Sync>;

/// How the client program is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// Run directly (the app is root or has `CAP_NET_ADMIN`).
    Direct,
    /// Through `pkexec` (polkit asks for an administrator's consent on a desktop); the
    /// client is told which user may talk to it.
    Pkexec {
        /// The desktop user's login name.
        user: String,
    },
    /// Inside a command prefix (for example `ip netns exec NAME`), run directly.
    Wrapped(Vec<String>),
}

impl Launch {
    /// [`Launch::Direct`] when this process runs as root, otherwise [`Launch::Pkexec`] for
    /// the current user.
    pub fn for_this_process() -> Self {
        if runtime::effective_uid() == Some(0) {
            return Launch::Direct;
        }
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_default();
        Launch::Pkexec { user }
    }

    /// The program and arguments that start `program` with `args` this way.
    pub fn command(&self, program: &Path, args: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(args.len() + 4);
        match self {
            Launch::Direct => {}
            Launch::Pkexec { .. } => out.push("pkexec".to_owned()),
            Launch::Wrapped(prefix) => out.extend(prefix.iter().cloned()),
        }
        out.push(program.to_string_lossy().into_owned());
        out.extend(args.iter().cloned());
        out
    }
}

/// What a connect needs besides the profile.
#[derive(Clone)]
pub struct Options {
    /// Credentials from the keychain, if the profile needs them.
    pub credentials: Option<Credentials>,
    /// Where challenges are asked.
    pub prompt: Arc<dyn Prompt>,
    /// Told about every status change.
    pub observer: Observer,
    /// Folder in which a private (0700) folder is made for the connection's files; it is
    /// removed when the connection ends.
    pub runtime_parent: PathBuf,
    /// Where the client's own output (never a secret) is appended.
    pub log_file: Option<PathBuf>,
    /// How the client is started.
    pub launch: Launch,
    /// How long the first connection may take before the server counts as unreachable.
    pub connect_timeout: Duration,
    /// How long a disconnect waits before the client is killed.
    pub stop_timeout: Duration,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("credentials", &self.credentials)
            .field("runtime_parent", &self.runtime_parent)
            .field("log_file", &self.log_file)
            .field("launch", &self.launch)
            .field("connect_timeout", &self.connect_timeout)
            .field("stop_timeout", &self.stop_timeout)
            .finish_non_exhaustive()
    }
}

impl Options {
    /// Defaults: no credentials, no prompt, no observer, the user's runtime folder, the
    /// launch that fits this process, 30 s to connect, 10 s to stop.
    pub fn new(runtime_parent: impl Into<PathBuf>) -> Self {
        Self {
            credentials: None,
            prompt: Arc::new(NoPrompt),
            observer: Arc::new(|_| {}),
            runtime_parent: runtime_parent.into(),
            log_file: None,
            launch: Launch::for_this_process(),
            connect_timeout: Duration::from_secs(30),
            stop_timeout: Duration::from_secs(10),
        }
    }
}

/// The folder for connection files: `$XDG_RUNTIME_DIR` when set (private to the user, in
/// memory), otherwise the temporary folder.
pub fn default_runtime_parent() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir)
}

/// What stopped a connect before the client ran, or a disconnect.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The VPN program is not installed.
    #[error("{program} is not installed")]
    NotInstalled {
        /// The program.
        program: String,
    },
    /// This backend does not handle this kind of profile.
    #[error("this backend cannot connect a {0:?} profile")]
    WrongKind(ProfileKind),
    /// The connection's private files could not be made.
    #[error("cannot prepare {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The client started but its control channel never answered.
    #[error("the VPN program did not answer: {0}")]
    NoAnswer(String),
    /// The client program failed.
    #[error("the VPN program failed: {0}")]
    ClientFailed(String),
    /// A value cannot be sent over the management socket.
    #[error("value cannot be sent ({0})")]
    Unsendable(&'static str),
    /// The interface name derived from the profile is unusable.
    #[error("invalid interface name")]
    InvalidName,
}

impl ConnectError {
    /// A stable code for the front doors.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::NotInstalled { .. } => "vpn_client_missing",
            ConnectError::WrongKind(_) => "vpn_wrong_kind",
            ConnectError::Io { .. } => "io",
            ConnectError::NoAnswer(_) => "vpn_client_silent",
            ConnectError::ClientFailed(_) => "vpn_client_failed",
            ConnectError::Unsendable(_) => "vpn_unsendable",
            ConnectError::InvalidName => "vpn_invalid_name",
        }
    }

    /// A sentence for the user.
    pub fn message(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            ConnectError::NotInstalled { program } if en => {
                format!("The VPN program “{program}” is not installed: ask IT to install it.")
            }
            ConnectError::NotInstalled { program } => format!(
                "Il programma VPN «{program}» non è installato: chiedi all'ufficio informatico di installarlo."
            ),
            ConnectError::WrongKind(_) if en => {
                "This kind of profile cannot be connected here.".to_owned()
            }
            ConnectError::WrongKind(_) => {
                "Questo tipo di profilo non può essere collegato qui.".to_owned()
            }
            ConnectError::Io { .. } if en => {
                "Cannot prepare the connection's files on this computer.".to_owned()
            }
            ConnectError::Io { .. } => {
                "Impossibile preparare i file della connessione su questo computer.".to_owned()
            }
            ConnectError::NoAnswer(_) | ConnectError::ClientFailed(_) if en => {
                "The VPN program did not start: the administrator's consent may have been refused, or the profile is not usable.".to_owned()
            }
            ConnectError::NoAnswer(_) | ConnectError::ClientFailed(_) => {
                "Il programma VPN non è partito: forse il consenso dell'amministratore è stato negato, o il profilo non è utilizzabile.".to_owned()
            }
            ConnectError::Unsendable(_) if en => {
                "The saved password cannot be sent (it contains a line break): save it again.".to_owned()
            }
            ConnectError::Unsendable(_) => {
                "La password salvata non può essere inviata (contiene un a capo): salvala di nuovo.".to_owned()
            }
            ConnectError::InvalidName if en => "The profile name cannot name a network interface.".to_owned(),
            ConnectError::InvalidName => {
                "Il nome del profilo non può diventare il nome di un'interfaccia di rete.".to_owned()
            }
        }
    }
}

/// A VPN client the app can drive.
pub trait Connector: Send + Sync {
    /// The profile kind it handles.
    fn kind(&self) -> ProfileKind;
    /// Starts connecting `profile_text` (the stored profile) under `name` (the profile's
    /// identifier). Returns once the client runs; progress arrives through
    /// [`Options::observer`] and [`Connection::status`].
    fn connect(
        &self,
        name: &str,
        profile_text: &str,
        options: Options,
    ) -> Result<Box<dyn Connection>, ConnectError>;
}

/// A running connection. Dropping it disconnects.
pub trait Connection: Send + Sync {
    /// The current status.
    fn status(&self) -> Status;
    /// Waits until `done(status)` holds or `timeout` passes; returns the last status.
    fn wait_for(&self, done: &dyn Fn(&Status) -> bool, timeout: Duration) -> Status;
    /// The process id of the client, while it runs.
    fn pid(&self) -> Option<u32>;
    /// Disconnects and waits (up to the stop timeout, then kills the client).
    fn disconnect(&self) -> Result<Status, ConnectError>;
}

/// Checks that `program` can be found (an absolute path that exists, or a name on `PATH`).
pub fn find_program(program: &Path) -> Option<PathBuf> {
    if program.is_absolute() {
        return program.is_file().then(|| program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].iter().map(PathBuf::from))
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}
