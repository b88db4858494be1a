//! The OpenVPN backend: the `openvpn` binary, driven over its management interface on a
//! unix socket in the connection's private folder.
//!
//! The profile is written to that folder (0600 in a 0700 folder) only until OpenVPN has
//! read it — it is removed as soon as the management socket answers, since OpenVPN parses
//! its configuration before opening the socket — and the folder goes when the connection
//! ends. OpenVPN is started with `--management-query-passwords` and `--management-hold`:
//! it waits for us, and asks for the username and password over the socket, where they are
//! sent from memory. `--auth-retry interact` makes it ask again after a refusal instead of
//! exiting, which is how a dynamic (CRV1) challenge gets answered; a plain refusal ends the
//! connection (the same password would only be refused again).
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lavoro_agile_vault::{Credentials, Secret};

use crate::connect::management::{self, DynamicChallenge, Need, Notification};
use crate::connect::{
    find_program, Challenge, ConnectError, Connection, Connector, Launch, Observer, Options,
    Prompt, Reason, RuntimeDir, State, Status,
};
use crate::ProfileKind;

/// File name of the materialised profile inside the connection's folder.
const PROFILE_FILE: &str = "profile.ovpn";
/// File name of the management socket inside the connection's folder.
const SOCKET_FILE: &str = "management.sock";
/// Longest path a unix socket can have (`sun_path` holds 108 bytes with its NUL).
const MAX_SOCKET_PATH: usize = 107;
/// How long OpenVPN gets to open its management socket when started directly.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(15);
/// The same through pkexec, where an administrator may first have to type a password.
const SOCKET_TIMEOUT_PKEXEC: Duration = Duration::from_secs(180);
/// How often the reader wakes up to check the connect deadline.
const READ_TICK: Duration = Duration::from_millis(200);
/// How long a write to the socket may block.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Most password requests answered in one connection (a server that keeps asking is
/// refusing).
const MAX_PASSWORD_REQUESTS: u32 = 16;

/// The `openvpn` program.
#[derive(Debug, Clone)]
pub struct OpenVpn {
    program: PathBuf,
}

impl Default for OpenVpn {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenVpn {
    /// `openvpn` from `PATH` (or `/usr/sbin`).
    pub fn new() -> Self {
        Self {
            program: PathBuf::from("openvpn"),
        }
    }

    /// A given `openvpn` binary.
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
        }
    }
}

/// OpenVPN's arguments: the profile, the management socket and how passwords are asked.
/// Nothing secret is ever among them.
pub fn arguments(config: &Path, socket: &Path, launch: &Launch) -> Vec<String> {
    let mut args = vec![
        "--config".to_owned(),
        config.to_string_lossy().into_owned(),
        "--management".to_owned(),
        socket.to_string_lossy().into_owned(),
        "unix".to_owned(),
        "--management-query-passwords".to_owned(),
        "--management-hold".to_owned(),
        "--auth-retry".to_owned(),
        "interact".to_owned(),
    ];
    if let Launch::Pkexec { user } = launch {
        // OpenVPN runs as root; only the desktop user may use its socket.
        args.push("--management-client-user".to_owned());
        args.push(user.clone());
    }
    args
}

impl Connector for OpenVpn {
    fn kind(&self) -> ProfileKind {
        ProfileKind::OpenVpn
    }

    fn connect(
        &self,
        name: &str,
        profile_text: &str,
        options: Options,
    ) -> Result<Box<dyn Connection>, ConnectError> {
        let program = find_program(&self.program).ok_or_else(|| ConnectError::NotInstalled {
            program: "openvpn".to_owned(),
        })?;
        if let Some(c) = &options.credentials {
            // Refuse early what the management protocol cannot carry.
            management::quote(&c.username)?;
            management::quote(c.password.expose())?;
        }
        let runtime = RuntimeDir::new(&options.runtime_parent)?;
        let socket = runtime.path().join(SOCKET_FILE);
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            return Err(ConnectError::Io {
                path: socket,
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "socket path too long",
                ),
            });
        }
        let config = runtime.write_private(PROFILE_FILE, profile_text.as_bytes())?;
        let argv = options
            .launch
            .command(&program, &arguments(&config, &socket, &options.launch));
        let mut child = spawn(&argv, options.log_file.as_deref())?;
        let pid = child.id();
        tracing::info!(profile = name, pid, "openvpn started");
        let timeout = match options.launch {
            Launch::Pkexec { .. } => SOCKET_TIMEOUT_PKEXEC,
            _ => SOCKET_TIMEOUT,
        };
        let stream = match wait_for_socket(&socket, &mut child, timeout) {
            Ok(s) => s,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        // OpenVPN has parsed the profile before opening the socket: the copy can go.
        if let Err(e) = std::fs::remove_file(&config) {
            tracing::warn!(error = %e, "materialised profile not removed early");
        }
        let io = |source| ConnectError::Io {
            path: socket.clone(),
            source,
        };
        stream.set_read_timeout(Some(READ_TICK)).map_err(io)?;
        stream.set_write_timeout(Some(WRITE_TIMEOUT)).map_err(io)?;
        let writer = Arc::new(Mutex::new(stream.try_clone().map_err(io)?));
        let shared = Arc::new(Shared {
            status: Mutex::new(Inner {
                status: Status::new(State::Connecting),
                stop_reason: None,
            }),
            changed: Condvar::new(),
            observer: options.observer.clone(),
        });
        shared.publish();
        let child = Arc::new(Mutex::new(Some(child)));
        let session = Session {
            shared: Arc::clone(&shared),
            writer: Arc::clone(&writer),
            child: Arc::clone(&child),
            credentials: options.credentials,
            prompt: options.prompt,
            connect_timeout: options.connect_timeout,
            stop_timeout: options.stop_timeout,
            ever_connected: false,
            pending_challenge: None,
            password_requests: 0,
        };
        let reader = BufReader::new(stream);
        let thread = std::thread::Builder::new()
            .name("openvpn-management".into())
            .spawn(move || session.run(reader))
            .map_err(|source| ConnectError::Io {
                path: socket.clone(),
                source,
            })?;
        send(&writer, "state on\n");
        Ok(Box::new(OpenVpnConnection {
            shared,
            writer,
            child,
            pid,
            stop_timeout: options.stop_timeout,
            thread: Mutex::new(Some(thread)),
            _runtime: runtime,
        }))
    }
}

fn spawn(argv: &[String], log_file: Option<&Path>) -> Result<Child, ConnectError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(ConnectError::ClientFailed("empty command".to_owned()));
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    if let Some(path) = log_file {
        let file = open_log(path)?;
        let err = file.try_clone().map_err(|source| ConnectError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        cmd.stdout(Stdio::from(file)).stderr(Stdio::from(err));
    } else {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
    }
    cmd.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ConnectError::NotInstalled {
                program: program.clone(),
            }
        } else {
            ConnectError::ClientFailed(e.to_string())
        }
    })
}

fn open_log(path: &Path) -> Result<std::fs::File, ConnectError> {
    let io = |source| ConnectError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(io)
}

fn wait_for_socket(
    socket: &Path,
    child: &mut Child,
    timeout: Duration,
) -> Result<UnixStream, ConnectError> {
    let deadline = Instant::now() + timeout;
    loop {
        match UnixStream::connect(socket) {
            Ok(s) => return Ok(s),
            Err(e) => {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(ConnectError::ClientFailed(format!(
                        "openvpn ended before answering ({status})"
                    )));
                }
                if Instant::now() > deadline {
                    return Err(ConnectError::NoAnswer(e.to_string()));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Writes a command; a failure is logged (the reader sees the socket close).
fn send(writer: &Mutex<UnixStream>, command: &str) {
    if let Ok(mut w) = writer.lock() {
        if let Err(e) = w.write_all(command.as_bytes()).and_then(|()| w.flush()) {
            tracing::debug!(error = %e, "management write failed");
        }
    }
}

/// Writes a command carrying a secret; the formatted line is zeroed afterwards.
fn send_secret(writer: &Mutex<UnixStream>, command: Secret) {
    send(writer, command.expose());
}

struct Inner {
    status: Status,
    /// Set when we asked OpenVPN to stop, and why; later states do not override it.
    stop_reason: Option<StopCause>,
}

#[derive(Debug, Clone, Copy)]
enum StopCause {
    Final(State),
    Exit(Reason),
}

struct Shared {
    status: Mutex<Inner>,
    changed: Condvar,
    observer: Observer,
}

impl Shared {
    fn current(&self) -> Status {
        self.status
            .lock()
            .map(|g| g.status.clone())
            .unwrap_or_else(|_| Status::new(State::Exited))
    }

    /// Sets the status unless the connection already ended.
    fn set(&self, status: Status) {
        let changed = match self.status.lock() {
            Ok(mut g) => {
                if g.status.state.is_final() || g.status == status {
                    false
                } else {
                    g.status = status;
                    true
                }
            }
            Err(_) => false,
        };
        if changed {
            self.changed.notify_all();
            self.publish();
        }
    }

    /// Records that we stop OpenVPN, and why.
    fn stopping(&self, cause: StopCause) {
        if let Ok(mut g) = self.status.lock() {
            if g.stop_reason.is_none() {
                g.stop_reason = Some(cause);
            }
        }
        if let StopCause::Final(state) = cause {
            self.set(Status::new(state));
        }
    }

    fn stop_reason(&self) -> Option<StopCause> {
        self.status.lock().ok().and_then(|g| g.stop_reason)
    }

    fn publish(&self) {
        let status = self.current();
        tracing::info!(state = ?status.state, "VPN state");
        (self.observer)(&status);
    }
}

/// The reader's side of a connection: runs on its own thread until OpenVPN closes the socket.
struct Session {
    shared: Arc<Shared>,
    writer: Arc<Mutex<UnixStream>>,
    child: Arc<Mutex<Option<Child>>>,
    credentials: Option<Credentials>,
    prompt: Arc<dyn Prompt>,
    connect_timeout: Duration,
    stop_timeout: Duration,
    ever_connected: bool,
    pending_challenge: Option<DynamicChallenge>,
    password_requests: u32,
}

enum LineRead {
    Line(String),
    Tick,
    End,
}

impl Session {
    fn run(mut self, mut reader: BufReader<UnixStream>) {
        let mut deadline = Instant::now() + self.connect_timeout;
        let mut buf = Vec::new();
        loop {
            match read_line(&mut reader, &mut buf) {
                LineRead::Line(line) => {
                    let asked_user = self.handle(management::parse(&line));
                    if asked_user {
                        deadline = deadline.max(Instant::now() + self.connect_timeout);
                    }
                }
                LineRead::Tick => {}
                LineRead::End => break,
            }
            if !self.ever_connected
                && self.shared.stop_reason().is_none()
                && Instant::now() > deadline
            {
                tracing::warn!("VPN server did not answer in time");
                self.stop(StopCause::Final(State::Unreachable));
            }
        }
        self.reap();
        let final_status = match self.shared.stop_reason() {
            Some(StopCause::Final(state)) => Status::new(state),
            Some(StopCause::Exit(reason)) => Status {
                reason: Some(reason),
                ..Status::new(State::Exited)
            },
            None => Status::new(State::Exited),
        };
        self.shared.set(final_status);
        // Wake waiters even if the status did not change.
        self.shared.changed.notify_all();
    }

    fn stop(&self, cause: StopCause) {
        self.shared.stopping(cause);
        send(&self.writer, "signal SIGTERM\n");
    }

    /// Handles one notification; `true` when the user was asked something.
    fn handle(&mut self, n: Notification) -> bool {
        match n {
            Notification::Hold => send(&self.writer, "hold release\n"),
            Notification::State {
                name,
                detail,
                local_ip,
            } => self.on_state(&name, &detail, local_ip),
            Notification::Need(need) => return self.on_need(&need),
            Notification::VerificationFailed { kind, challenge } => {
                if let Some(c) = challenge {
                    tracing::info!("VPN server sent a challenge");
                    self.pending_challenge = Some(c);
                } else {
                    tracing::warn!(kind = %kind, "VPN server refused the credentials");
                    self.stop(StopCause::Final(State::AuthFailed));
                }
            }
            Notification::Fatal(_) => {
                tracing::warn!("openvpn reported a fatal error (see its log)");
                self.shared.stopping(StopCause::Exit(Reason::ClientFailed));
            }
            Notification::Error(e) => tracing::debug!(error = %e, "management command refused"),
            Notification::Success | Notification::Other => {}
        }
        false
    }

    fn on_state(&mut self, name: &str, detail: &str, local_ip: Option<String>) {
        if self.shared.stop_reason().is_some() {
            return;
        }
        let status = match name {
            "CONNECTED" => {
                self.ever_connected = true;
                Status {
                    tunnel_address: local_ip,
                    ..Status::new(State::Connected)
                }
            }
            "EXITING" if detail.contains("auth-failure") => {
                self.shared.stopping(StopCause::Final(State::AuthFailed));
                return;
            }
            "EXITING" => return,
            "RECONNECTING" if self.ever_connected => Status::new(State::Reconnecting),
            _ if self.ever_connected => Status::new(State::Reconnecting),
            _ => Status::new(State::Connecting),
        };
        self.shared.set(status);
    }

    fn on_need(&mut self, need: &Need) -> bool {
        self.password_requests += 1;
        if self.password_requests > MAX_PASSWORD_REQUESTS {
            self.stop(StopCause::Final(State::AuthFailed));
            return false;
        }
        if need.kind != "Auth" {
            // A private-key or proxy password: asked each time, never stored.
            let asked = self.ask(&Challenge {
                text: need.kind.clone(),
                echo: false,
            });
            let Some(answer) = asked else { return true };
            match management::password_command(&need.kind, answer.expose()) {
                Ok(cmd) => send_secret(&self.writer, Secret::new(cmd)),
                Err(_) => self.stop(StopCause::Exit(Reason::Unsendable)),
            }
            return true;
        }
        let Some(creds) = self.credentials.clone() else {
            if need.username {
                self.stop(StopCause::Exit(Reason::NoCredentials));
                return false;
            }
            return false;
        };
        let mut asked_user = false;
        let (username, password) = if let Some(dc) = self.pending_challenge.take() {
            asked_user = true;
            let Some(answer) = self.ask(&Challenge {
                text: dc.text.clone(),
                echo: dc.echo,
            }) else {
                return true;
            };
            let user = if dc.username.is_empty() {
                creds.username.clone()
            } else {
                dc.username.clone()
            };
            (
                user,
                Secret::new(management::dynamic_challenge_password(
                    &dc.state_id,
                    answer.expose(),
                )),
            )
        } else if let Some(sc) = &need.static_challenge {
            asked_user = true;
            let Some(answer) = self.ask(&Challenge {
                text: sc.text.clone(),
                echo: sc.echo,
            }) else {
                return true;
            };
            (
                creds.username.clone(),
                Secret::new(management::static_challenge_password(
                    creds.password.expose(),
                    answer.expose(),
                    sc.concat,
                )),
            )
        } else {
            (creds.username.clone(), creds.password.clone())
        };
        let commands = management::username_command("Auth", &username)
            .and_then(|u| management::password_command("Auth", password.expose()).map(|p| (u, p)));
        match commands {
            Ok((u, p)) => {
                send_secret(&self.writer, Secret::new(u));
                send_secret(&self.writer, Secret::new(p));
            }
            Err(_) => self.stop(StopCause::Exit(Reason::Unsendable)),
        }
        asked_user
    }

    /// Asks the user; on a refusal, stops the connection.
    fn ask(&mut self, challenge: &Challenge) -> Option<Secret> {
        self.shared.set(Status::new(State::WaitingForUser));
        let answer = self.prompt.ask(challenge);
        match answer {
            Some(a) => {
                self.shared.set(Status::new(State::Connecting));
                Some(a)
            }
            None => {
                self.stop(StopCause::Exit(Reason::ChallengeDeclined));
                None
            }
        }
    }

    /// Waits for OpenVPN to end after closing its socket; kills it after the stop timeout.
    fn reap(&self) {
        reap(&self.child, self.stop_timeout);
    }
}

fn reap(child: &Mutex<Option<Child>>, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let Ok(mut guard) = child.lock() else { return };
        let Some(c) = guard.as_mut() else { return };
        match c.try_wait() {
            Ok(Some(status)) => {
                tracing::info!(%status, "openvpn ended");
                *guard = None;
                return;
            }
            Ok(None) if Instant::now() > deadline => {
                tracing::warn!("openvpn did not stop in time: killed");
                let _ = c.kill();
                let _ = c.wait();
                *guard = None;
                return;
            }
            Ok(None) => {}
            Err(_) => {
                *guard = None;
                return;
            }
        }
        drop(guard);
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Reads one line of at most [`management::MAX_LINE_BYTES`], keeping a partial line in
/// `buf` across read timeouts. A longer line ends the session.
fn read_line(reader: &mut BufReader<UnixStream>, buf: &mut Vec<u8>) -> LineRead {
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return LineRead::Tick
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return LineRead::End,
        };
        if available.is_empty() {
            return LineRead::End;
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        buf.extend_from_slice(available.get(..take).unwrap_or_default());
        reader.consume(take);
        if buf.len() > management::MAX_LINE_BYTES {
            tracing::warn!("management line too long: session ended");
            return LineRead::End;
        }
        if done {
            let line = String::from_utf8_lossy(buf).into_owned();
            buf.clear();
            return LineRead::Line(line);
        }
    }
}

/// A running OpenVPN connection.
pub struct OpenVpnConnection {
    shared: Arc<Shared>,
    writer: Arc<Mutex<UnixStream>>,
    child: Arc<Mutex<Option<Child>>>,
    pid: u32,
    stop_timeout: Duration,
    thread: Mutex<Option<JoinHandle<()>>>,
    // Declared last: removed after the client has ended.
    _runtime: RuntimeDir,
}

impl Connection for OpenVpnConnection {
    fn status(&self) -> Status {
        self.shared.current()
    }

    fn wait_for(&self, done: &dyn Fn(&Status) -> bool, timeout: Duration) -> Status {
        // `None`: no deadline (a timeout too large to add to now).
        let deadline = Instant::now().checked_add(timeout);
        let Ok(mut guard) = self.shared.status.lock() else {
            return Status::new(State::Exited);
        };
        loop {
            if done(&guard.status) || guard.status.state.is_final() {
                return guard.status.clone();
            }
            let now = Instant::now();
            let wait = match deadline {
                Some(d) if now >= d => return guard.status.clone(),
                Some(d) => d - now,
                None => Duration::from_secs(3600),
            };
            match self.shared.changed.wait_timeout(guard, wait) {
                Ok((g, _)) => guard = g,
                Err(_) => return Status::new(State::Exited),
            }
        }
    }

    fn pid(&self) -> Option<u32> {
        let running = self.child.lock().map(|g| g.is_some()).unwrap_or(false);
        running.then_some(self.pid)
    }

    fn disconnect(&self) -> Result<Status, ConnectError> {
        if !self.status().state.is_final() {
            self.shared.stopping(StopCause::Exit(Reason::Disconnected));
            self.shared.set(Status::new(State::Disconnecting));
            send(&self.writer, "signal SIGTERM\n");
        }
        reap(&self.child, self.stop_timeout);
        let handle = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(h) = handle {
            if h.join().is_err() {
                tracing::warn!("management thread ended abnormally");
            }
        }
        Ok(self.status())
    }
}

impl Drop for OpenVpnConnection {
    fn drop(&mut self) {
        let _ = self.disconnect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_carry_no_secret_and_add_client_user_only_for_pkexec() {
        let cfg = Path::new("/run/user/1000/x/profile.ovpn");
        let sock = Path::new("/run/user/1000/x/management.sock");
        let direct = arguments(cfg, sock, &Launch::Direct);
        assert_eq!(
            direct,
            [
                "--config",
                "/run/user/1000/x/profile.ovpn",
                "--management",
                "/run/user/1000/x/management.sock",
                "unix",
                "--management-query-passwords",
                "--management-hold",
                "--auth-retry",
                "interact"
            ]
        );
        let pk = Launch::Pkexec {
            user: "mario".into(),
        };
        let args = arguments(cfg, sock, &pk);
        assert!(args.ends_with(&["--management-client-user".to_owned(), "mario".to_owned()]));
        let argv = pk.command(Path::new("/usr/sbin/openvpn"), &args);
        assert_eq!(argv.first().map(String::as_str), Some("pkexec"));
        assert_eq!(argv.get(1).map(String::as_str), Some("/usr/sbin/openvpn"));
    }

    #[test]
    fn connect_missing_program_is_not_installed() {
        let dir = tempfile::tempdir().unwrap();
        let backend = OpenVpn::with_program("/nonexistent/openvpn");
        let err = backend
            .connect("x", "client\n", Options::new(dir.path()))
            .err()
            .unwrap();
        assert_eq!(err.code(), "vpn_client_missing");
    }
}
