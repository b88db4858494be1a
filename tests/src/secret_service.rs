//! A private D-Bus session bus with a real, unlocked gnome-keyring Secret Service, for tests
//! of the keychain (see `../shared/FACTS.md`): the daemon is started and unlocked *before*
//! any client call (otherwise D-Bus would start a locked one), with its own `HOME`, and the
//! bus has no service folders, so nothing is started behind the test's back.
//!
//! Clients are child processes given [`SecretService::client_env`]; the test process's own
//! environment is never changed.
#![allow(clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The password the test keyring is unlocked with.
pub const KEYRING_PASSWORD: &str = "lavoro-agile-test-keyring";

/// How long the bus and the daemon get to come up.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A private session bus, optionally with gnome-keyring on it. Dropping it stops both and
/// removes their folder.
#[derive(Debug)]
pub struct SecretService {
    root: PathBuf,
    address: String,
    bus: Child,
    daemon: Option<Child>,
}

impl SecretService {
    /// A private bus with an unlocked gnome-keyring owning `org.freedesktop.secrets`.
    pub fn start() -> Result<Self, String> {
        let mut me = Self::bus_only()?;
        let home = me.root.join("home");
        let run = me.root.join("run");
        for d in [&home, &run] {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        set_private(&run);
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_RUNTIME_DIR", &run)
            .env("DBUS_SESSION_BUS_ADDRESS", &me.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("gnome-keyring-daemon (Debian package gnome-keyring): {e}"))?;
        if let Some(mut stdin) = daemon.stdin.take() {
            stdin
                .write_all(KEYRING_PASSWORD.as_bytes())
                .map_err(|e| format!("unlocking gnome-keyring: {e}"))?;
        }
        me.daemon = Some(daemon);
        let deadline = Instant::now() + START_TIMEOUT;
        while !me.name_has_owner("org.freedesktop.secrets")? {
            if Instant::now() > deadline {
                return Err("gnome-keyring did not take org.freedesktop.secrets".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(me)
    }

    /// A private bus on which no Secret Service runs (and none can be started).
    pub fn bus_only() -> Result<Self, String> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let root = std::env::temp_dir().join(format!(
            "lavoro-agile-dbus-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        set_private(&root);
        let config = root.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                root.join("bus").display()
            ),
        )
        .map_err(|e| format!("{}: {e}", config.display()))?;
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon (Debian package dbus-daemon): {e}"))?;
        let mut line = String::new();
        if let Some(out) = bus.stdout.take() {
            BufReader::new(out)
                .read_line(&mut line)
                .map_err(|e| format!("reading the bus address: {e}"))?;
        }
        let address = line.trim().to_owned();
        if address.is_empty() {
            let _ = bus.kill();
            return Err("dbus-daemon printed no address".to_owned());
        }
        Ok(Self {
            root,
            address,
            bus,
            daemon: None,
        })
    }

    /// The bus address (`unix:path=…`).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The environment a client process needs to use this bus.
    pub fn client_env(&self) -> Vec<(&'static str, String)> {
        vec![("DBUS_SESSION_BUS_ADDRESS", self.address.clone())]
    }

    /// The folder holding the bus socket and the keyring's files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn name_has_owner(&self, name: &str) -> Result<bool, String> {
        let out = Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .args([
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
            ])
            .arg(format!("string:{name}"))
            .output()
            .map_err(|e| format!("dbus-send (Debian package dbus-bin): {e}"))?;
        Ok(String::from_utf8_lossy(&out.stdout).contains("boolean true"))
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(d) = &mut self.daemon {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(unix)]
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
}

#[cfg(not(unix))]
fn set_private(_dir: &Path) {}
