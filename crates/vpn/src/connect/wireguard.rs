//! The WireGuard backend: `wg-quick up|down` on the stored profile, materialised as
//! `<interface>.conf` in the connection's private folder (wg-quick takes the interface name
//! from the file name). Where the kernel has no WireGuard module, wg-quick itself falls
//! back to `wireguard-go` when it is installed.
//!
//! WireGuard has no login: the private key is in the profile (stored readable by the user
//! only), so "connected" means the interface is up with its address and routes.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::connect::{
    find_program, ConnectError, Connection, Connector, Launch, Observer, Options, Reason,
    RuntimeDir, State, Status,
};
use crate::ProfileKind;

/// Longest Linux interface name (IFNAMSIZ − 1).
const MAX_IFNAME: usize = 15;

/// The `wg-quick` program.
#[derive(Debug, Clone)]
pub struct WgQuick {
    program: PathBuf,
}

impl Default for WgQuick {
    fn default() -> Self {
        Self::new()
    }
}

impl WgQuick {
    /// `wg-quick` from `PATH`.
    pub fn new() -> Self {
        Self {
            program: PathBuf::from("wg-quick"),
        }
    }
}

/// The interface name for profile `id`: `wg-` and the identifier's letters, digits and
/// dashes, cut to 15 characters (the kernel's limit, and what wg-quick accepts).
pub fn interface_name(id: &str) -> Result<String, ConnectError> {
    let mut name = String::from("wg-");
    name.extend(
        id.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(MAX_IFNAME - 3),
    );
    if name.len() <= 3 {
        return Err(ConnectError::InvalidName);
    }
    Ok(name)
}

/// `wg-quick up|down CONFIG` as started by `launch`.
pub fn command(launch: &Launch, program: &Path, up: bool, config: &Path) -> Vec<String> {
    let verb = if up { "up" } else { "down" };
    launch.command(
        program,
        &[verb.to_owned(), config.to_string_lossy().into_owned()],
    )
}

/// The first `Address` of the `[Interface]` section.
fn first_address(profile: &str) -> Option<String> {
    let mut in_interface = false;
    for line in profile.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_interface = line.eq_ignore_ascii_case("[interface]");
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if in_interface && k.trim().eq_ignore_ascii_case("address") {
            return v.split(',').next().map(|a| a.trim().to_owned());
        }
    }
    None
}

impl Connector for WgQuick {
    fn kind(&self) -> ProfileKind {
        ProfileKind::WireGuard
    }

    fn connect(
        &self,
        name: &str,
        profile_text: &str,
        options: Options,
    ) -> Result<Box<dyn Connection>, ConnectError> {
        let program = find_program(&self.program).ok_or_else(|| ConnectError::NotInstalled {
            program: "wg-quick".to_owned(),
        })?;
        let ifname = interface_name(name)?;
        let runtime = RuntimeDir::new(&options.runtime_parent)?;
        let config = runtime.write_private(&format!("{ifname}.conf"), profile_text.as_bytes())?;
        (options.observer)(&Status::new(State::Connecting));
        run(
            &command(&options.launch, &program, true, &config),
            options.log_file.as_deref(),
        )?;
        tracing::info!(profile = name, interface = %ifname, "wg-quick up");
        let status = Status {
            tunnel_address: first_address(profile_text),
            ..Status::new(State::Connected)
        };
        (options.observer)(&status);
        Ok(Box::new(WgConnection {
            status: Mutex::new(status),
            changed: std::sync::Condvar::new(),
            observer: options.observer,
            down: command(&options.launch, &program, false, &config),
            log_file: options.log_file,
            _runtime: runtime,
        }))
    }
}

fn run(argv: &[String], log_file: Option<&Path>) -> Result<(), ConnectError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(ConnectError::ClientFailed("empty command".to_owned()));
    };
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ConnectError::ClientFailed(e.to_string()))?;
    if let Some(path) = log_file {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Ok(mut f) = options.open(path) {
            let _ = f.write_all(&out.stdout);
            let _ = f.write_all(&out.stderr);
        }
    }
    if out.status.success() {
        Ok(())
    } else {
        Err(ConnectError::ClientFailed(format!(
            "wg-quick ended with {}",
            out.status
        )))
    }
}

/// An interface brought up by wg-quick.
pub struct WgConnection {
    status: Mutex<Status>,
    changed: std::sync::Condvar,
    observer: Observer,
    down: Vec<String>,
    log_file: Option<PathBuf>,
    _runtime: RuntimeDir,
}

impl Connection for WgConnection {
    fn status(&self) -> Status {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|_| Status::new(State::Exited))
    }

    fn wait_for(&self, done: &dyn Fn(&Status) -> bool, timeout: std::time::Duration) -> Status {
        // wg-quick is synchronous: the status only changes through `disconnect`.
        let deadline = std::time::Instant::now().checked_add(timeout);
        let Ok(mut guard) = self.status.lock() else {
            return Status::new(State::Exited);
        };
        loop {
            if done(&guard) || guard.state.is_final() {
                return guard.clone();
            }
            let now = std::time::Instant::now();
            let wait = match deadline {
                Some(d) if now >= d => return guard.clone(),
                Some(d) => d - now,
                None => std::time::Duration::from_secs(3600),
            };
            match self.changed.wait_timeout(guard, wait) {
                Ok((g, _)) => guard = g,
                Err(_) => return Status::new(State::Exited),
            }
        }
    }

    fn pid(&self) -> Option<u32> {
        None
    }

    fn disconnect(&self) -> Result<Status, ConnectError> {
        if self.status().state.is_final() {
            return Ok(self.status());
        }
        (self.observer)(&Status::new(State::Disconnecting));
        run(&self.down, self.log_file.as_deref())?;
        let end = Status {
            reason: Some(Reason::Disconnected),
            ..Status::new(State::Exited)
        };
        if let Ok(mut s) = self.status.lock() {
            *s = end.clone();
        }
        self.changed.notify_all();
        (self.observer)(&end);
        Ok(end)
    }
}

impl Drop for WgConnection {
    fn drop(&mut self) {
        if let Err(e) = self.disconnect() {
            tracing::warn!(error = %e, "wg-quick down failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_name_is_prefixed_and_cut_to_fifteen() {
        assert_eq!(interface_name("casa").unwrap(), "wg-casa");
        assert_eq!(
            interface_name("ufficio-tributi-sede").unwrap(),
            "wg-ufficio-trib"
        );
        assert!(interface_name("///").is_err());
    }

    #[test]
    fn command_builds_up_and_down_with_launch_prefix() {
        let cfg = Path::new("/run/user/1000/x/wg-casa.conf");
        let wg = Path::new("/usr/bin/wg-quick");
        assert_eq!(
            command(&Launch::Direct, wg, true, cfg),
            ["/usr/bin/wg-quick", "up", "/run/user/1000/x/wg-casa.conf"]
        );
        let pk = Launch::Pkexec {
            user: "mario".into(),
        };
        assert_eq!(
            command(&pk, wg, false, cfg),
            [
                "pkexec",
                "/usr/bin/wg-quick",
                "down",
                "/run/user/1000/x/wg-casa.conf"
            ]
        );
    }

    #[test]
    fn first_address_reads_interface_section_only() {
        let p = "[Interface]\nPrivateKey = x\nAddress = 10.9.0.2/32, fd00::2/128\n[Peer]\nAddress = no\n";
        assert_eq!(first_address(p).as_deref(), Some("10.9.0.2/32"));
        assert_eq!(first_address("[Peer]\nAddress = 1.2.3.4\n"), None);
    }
}
