//! Drives the real app in a real window: `tauri-driver` (on free ports) in front of
//! `WebKitWebDriver`, under the X server given by `DISPLAY` (`xvfb-run -a` in `make test`).
//!
//! Each [`App`] gets its own per-user folders (XDG variables pointing into a temporary
//! home), so tests never touch the developer's settings and a test can restart the app on
//! the same folders. Tests run one at a time ([`exclusive`]): the app is single-instance.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

/// The app binary cargo just built for this test run.
pub const APP_BIN: &str = env!("CARGO_BIN_EXE_lavoro-agile");

static EXCLUSIVE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Serialises the end-to-end tests: only one instance of the app may run at a time.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    EXCLUSIVE.lock().await
}

/// A temporary home with the app's XDG folders.
pub struct Home {
    dir: tempfile::TempDir,
    extra_env: Vec<(&'static str, PathBuf)>,
}

impl Home {
    pub fn new() -> Result<Self> {
        Ok(Self {
            dir: tempfile::Builder::new()
                .prefix("lavoro-agile-e2e-")
                .tempdir()?,
            extra_env: Vec::new(),
        })
    }

    /// Adds an environment variable for the app (e.g. a private D-Bus bus address).
    pub fn with_env(mut self, key: &'static str, value: impl Into<PathBuf>) -> Self {
        self.extra_env.push((key, value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let p = self.dir.path();
        vec![
            ("XDG_CONFIG_HOME", p.join("config")),
            ("XDG_DATA_HOME", p.join("data")),
            ("XDG_CACHE_HOME", p.join("cache")),
            ("XDG_STATE_HOME", p.join("state")),
            // Machine-wide pack configuration and keys (instead of /etc/lavoro-agile).
            ("LAVORO_AGILE_SYSTEM_DIR", p.join("system")),
            // The file-picker stand-in answers with the path written here.
            ("LAVORO_AGILE_E2E_PICK_FILE", p.join("pick.txt")),
        ]
        .into_iter()
        .chain(self.extra_env.iter().cloned())
        .collect()
    }

    /// Makes the file-picker stand-in answer `path` (or "cancelled" with `None`).
    pub fn answer_picker(&self, path: Option<&Path>) -> Result<()> {
        let text = path.map(|p| p.display().to_string()).unwrap_or_default();
        std::fs::write(self.dir.path().join("pick.txt"), text)?;
        Ok(())
    }

    /// The machine-wide folder (`LAVORO_AGILE_SYSTEM_DIR`) of this home.
    pub fn system_dir(&self) -> PathBuf {
        self.dir.path().join("system")
    }

    /// The app's log folder inside this home.
    pub fn logs(&self) -> PathBuf {
        self.dir
            .path()
            .join("data")
            .join("lavoro-agile")
            .join("logs")
    }

    /// Everything the app logged so far.
    pub fn log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(entries) = std::fs::read_dir(self.logs()) {
            for e in entries.flatten() {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        text
    }

    /// A command for the app binary with this home's environment.
    pub fn app_command(&self) -> Command {
        let mut cmd = Command::new(APP_BIN);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match cargo_home.map(|c| c.join("bin").join("tauri-driver")) {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Where screenshots go: `target/e2e-shots/`.
pub fn shots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        });
    target.join("e2e-shots")
}

/// Process ids of running instances of the app binary under test.
fn app_processes() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let bin = std::fs::canonicalize(APP_BIN).unwrap_or_else(|_| PathBuf::from(APP_BIN));
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(e.path().join("exe")).ok()?;
            (exe == bin).then_some(pid)
        })
        .collect()
}

/// The D-Bus name the single-instance plugin owns while an instance runs
/// (`<identifier>.SingleInstance`).
const SINGLE_INSTANCE_NAME: &str = "it.comune.lavoroagile.SingleInstance";

/// Whether an instance still owns the single-instance name on the session bus. A process
/// that is exiting can already be gone from `/proc/PID/exe` while its bus connection,
/// and so the name, is still open.
fn single_instance_name_owned() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return false;
    }
    std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{SINGLE_INSTANCE_NAME}"),
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
        .unwrap_or(false)
}

/// Waits until no instance of the app runs and the single-instance name is free, killing
/// what is left after `grace`: a new instance started while an old one still holds the
/// name would hand its arguments over and exit.
async fn no_app_running(grace: Duration) {
    let deadline = Instant::now() + grace;
    loop {
        let alive = app_processes();
        if alive.is_empty() && !single_instance_name_owned() {
            return;
        }
        if Instant::now() > deadline {
            for pid in alive {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The running app and a WebDriver session on its window.
pub struct App {
    pub client: Client,
    driver: Child,
}

impl App {
    /// Starts the app on `home` and waits until its first view has rendered.
    pub async fn launch(home: &Home) -> Result<Self> {
        Self::launch_with_args(home, &[]).await
    }

    /// Starts the app on `home` with command-line arguments (as the file manager passes
    /// the files to open) and waits until its first view has rendered.
    pub async fn launch_with_args(home: &Home, args: &[String]) -> Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("DISPLAY is not set: run the end-to-end tests under xvfb-run (make test does)");
        }
        no_app_running(Duration::from_secs(10)).await;
        let port = free_port()?;
        let native_port = free_port()?;
        let mut cmd = Command::new(tauri_driver());
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
        for (k, v) in home.env() {
            cmd.env(k, v);
        }
        cmd.env("LAVORO_AGILE_LOG", "debug");
        let mut driver = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", tauri_driver().display()))?;

        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if Instant::now() > deadline {
                let _ = driver.kill().await;
                bail!("tauri-driver did not listen on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": APP_BIN, "args": args }),
        );
        // An app that dies at start leaves the session request hanging: bound it.
        let mut builder = ClientBuilder::native();
        builder.capabilities(caps);
        let connect = builder.connect(&url);
        let client = match tokio::time::timeout(Duration::from_secs(120), connect).await {
            Ok(client) => client.context("cannot open a WebDriver session on the app")?,
            Err(_) => {
                let _ = driver.kill().await;
                bail!("no WebDriver session within 120 s: the app did not start");
            }
        };
        let app = Self { client, driver };
        app.wait_ready(None).await?;
        Ok(app)
    }

    /// Waits until the shell has rendered a view (`id`, or any).
    pub async fn wait_ready(&self, id: Option<&str>) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .client
                .execute(
                    "return document.body ? (document.body.dataset.ready || null) : null",
                    vec![],
                )
                .await?;
            match (ready.as_str(), id) {
                (Some(r), Some(want)) if r == want => return Ok(()),
                (Some(_), None) => return Ok(()),
                _ => {}
            }
            if Instant::now() > deadline {
                bail!("the view {id:?} did not render in time (ready = {ready})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Runs an asynchronous script (it calls `arguments[arguments.length - 1]` with its result).
    pub async fn js_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute_async(script, args).await?)
    }

    /// The texts of the navigation links, in order.
    pub async fn nav_labels(&self) -> Result<Vec<String>> {
        let v = self
            .js("return Array.from(document.querySelectorAll('.app-nav a')).map(a => a.textContent.trim())")
            .await?;
        serde_json::from_value(v).map_err(|e| anyhow!("bad nav labels: {e}"))
    }

    /// Opens a section through its navigation link and waits for it.
    pub async fn open(&self, id: &str) -> Result<()> {
        self.client
            .find(Locator::Css(&format!("#nav-{id}")))
            .await
            .with_context(|| format!("no navigation link for {id}"))?
            .click()
            .await?;
        self.wait_ready(Some(id)).await
    }

    /// Saves a screenshot as `target/e2e-shots/<name>.png`, after the next paint.
    pub async fn shot(&self, name: &str) -> Result<PathBuf> {
        // Two animation frames: the first may still show the previous frame.
        self.js_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await?;
        let png = self.client.screenshot().await?;
        let dir = shots_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session (the app exits) and stops the driver. Waits until the app's
    /// process is gone: a new instance started earlier would hand over to the dying one.
    pub async fn close(mut self) -> Result<()> {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        let _ = self.driver.wait().await;
        no_app_running(Duration::from_secs(15)).await;
        closed.map_err(|e| anyhow!("closing the session failed: {e}"))
    }
}

/// Runs one end-to-end test body: launches the app on `home`, runs `body`, and on failure
/// saves `target/e2e-shots/<name>-failure.png` before reporting the error.
pub async fn with_app<F>(name: &str, home: &Home, body: F) -> Result<()>
where
    F: AsyncFnOnce(&App) -> Result<()>,
{
    let app = App::launch(home).await?;
    run_body(name, app, body).await
}

/// [`with_app`], with command-line arguments for the app.
pub async fn with_app_args<F>(name: &str, home: &Home, args: &[String], body: F) -> Result<()>
where
    F: AsyncFnOnce(&App) -> Result<()>,
{
    let app = App::launch_with_args(home, args).await?;
    run_body(name, app, body).await
}

async fn run_body<F>(name: &str, app: App, body: F) -> Result<()>
where
    F: AsyncFnOnce(&App) -> Result<()>,
{
    let result = body(&app).await;
    if result.is_err() {
        match app.shot(&format!("{name}-failure")).await {
            Ok(p) => eprintln!("failure screenshot: {}", p.display()),
            Err(e) => eprintln!("no failure screenshot: {e}"),
        }
    }
    let closed = app.close().await;
    result.and(closed)
}
