//! End-to-end tests of `lavoro-agile-cli pack …`: the IT workflow, exit codes, JSON
//! output, passphrases through a file descriptor, an update over HTTP, and installs killed
//! with SIGKILL at chosen points.
// Test helpers outside #[test] functions may unwrap and index too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use lavoro_agile_tests::http::{Route, TestServer};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lavoro-agile-cli");

/// A private home, data folder and system folder for one test.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let s = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(s.sys().join("keys")).unwrap();
        std::fs::create_dir_all(s.path("keys")).unwrap();
        s
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn sys(&self) -> PathBuf {
        self.path("sys")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("LAVORO_AGILE_SYSTEM_DIR", self.sys())
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("LAVORO_AGILE_TEST_PAUSE_AT");
        for v in [
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
        ] {
            c.env_remove(v);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run(&all);
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap(), v)
    }

    /// Creates a key trusted for `kinds` (key-scope file copied to the system keys folder).
    fn trusted_key(&self, name: &str, kinds: &str) -> PathBuf {
        let out = self.run(&[
            "pack",
            "keygen",
            "--out",
            s(&self.path("keys")),
            "--name",
            name,
            "--kinds",
            kinds,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::copy(
            self.path(&format!("keys/{name}.packkey")),
            self.sys().join(format!("keys/{name}.packkey")),
        )
        .unwrap();
        self.path(&format!("keys/{name}.key"))
    }

    /// Builds and signs a pack with `files`; returns its path.
    fn pack(&self, key: &Path, kind: &str, version: u32, files: &[(&str, &str)]) -> PathBuf {
        let src = self.path(&format!("src-{kind}-{version}"));
        for (p, text) in files {
            let f = src.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, text).unwrap();
        }
        let out_file = self.path(&format!("{kind}-{version}.pack"));
        let v = version.to_string();
        let out = self.run(&[
            "pack",
            "build",
            "--kind",
            kind,
            "--version",
            &v,
            "--created",
            "2026-11-26T09:00:00Z",
            s(&src),
            "-o",
            s(&out_file),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = self.run(&["pack", "sign", "--key", s(key), s(&out_file)]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out_file
    }

    fn status(&self) -> Value {
        let (code, v) = self.json(&["pack", "status"]);
        assert_eq!(code, 0);
        v
    }

    fn portal_version(&self) -> Option<u64> {
        self.status()["status"]["kinds"][0]["installed"]["version"].as_u64()
    }

    fn portal_file(&self, name: &str) -> Option<String> {
        let st = self.status();
        let dir = st["status"]["kinds"][0]["content_dir"].as_str()?.to_owned();
        std::fs::read_to_string(Path::new(&dir).join(name)).ok()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn pack_it_workflow_built_signed_verified_installed_visible_in_status() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let pack = sb.pack(
        &key,
        "portal",
        1,
        &[("index.md", "# Benvenuti"), ("circolari/1.md", "uno")],
    );
    let (code, v) = sb.json(&["pack", "verify", s(&pack)]);
    assert_eq!((code, v["ok"].as_bool()), (0, Some(true)), "{v}");
    assert_eq!(v["version"], 1);
    let (code, _) = sb.json(&[
        "pack",
        "verify",
        "--pubkey",
        s(&sb.path("keys/portale.pub")),
        s(&pack),
    ]);
    assert_eq!(code, 0);
    let (code, v) = sb.json(&["pack", "install", s(&pack)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(sb.portal_version(), Some(1));
    assert_eq!(sb.portal_file("index.md").as_deref(), Some("# Benvenuti"));
    let text = sb.run(&["pack", "status"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("portal\tv1"));
}

#[test]
fn pack_install_same_version_refused_exit_1_json_code() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let pack = sb.pack(&key, "portal", 1, &[("index.md", "x")]);
    assert_eq!(sb.json(&["pack", "install", s(&pack)]).0, 0);
    let (code, v) = sb.json(&["pack", "install", s(&pack)]);
    assert_eq!(code, 1);
    assert_eq!(v["code"], "NOT_NEWER");
    assert!(v["message_it"]
        .as_str()
        .unwrap()
        .contains("non è più recente"));
}

#[test]
fn pack_install_wrong_kind_for_key_refused_exit_1() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let pack = sb.pack(&key, "trust", 1, &[("tsl.xml", "<x/>")]);
    let (code, v) = sb.json(&["pack", "install", s(&pack)]);
    assert_eq!(
        (code, v["code"].as_str()),
        (1, Some("KEY_NOT_ALLOWED_FOR_KIND"))
    );
}

#[test]
fn pack_missing_file_exit_3() {
    let sb = Sandbox::new();
    for cmd in ["verify", "install"] {
        let out = sb.run(&["pack", cmd, s(&sb.path("absent.pack"))]);
        assert_eq!(out.status.code(), Some(3), "{cmd}");
    }
    let out = sb.run(&[
        "pack",
        "build",
        "--kind",
        "portal",
        "--version",
        "1",
        s(&sb.path("nodir")),
        "-o",
        s(&sb.path("x.pack")),
    ]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn pack_missing_signature_exit_1() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let pack = sb.pack(&key, "portal", 1, &[("index.md", "x")]);
    std::fs::remove_file(sb.path("portal-1.pack.minisig")).unwrap();
    let (code, v) = sb.json(&["pack", "verify", s(&pack)]);
    assert_eq!((code, v["code"].as_str()), (1, Some("SIGNATURE_MISSING")));
}

#[test]
fn pack_corrupt_and_tampered_archive_is_signature_failure_exit_1() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let pack = sb.pack(&key, "portal", 1, &[("index.md", "x")]);
    let mut bytes = std::fs::read(&pack).unwrap();
    bytes.truncate(bytes.len() / 3);
    bytes[10] ^= 0xff;
    std::fs::write(&pack, bytes).unwrap();
    for cmd in ["verify", "install"] {
        let (code, v) = sb.json(&["pack", cmd, s(&pack)]);
        assert_eq!(
            (code, v["code"].as_str()),
            (1, Some("SIGNATURE_INVALID")),
            "{cmd}"
        );
    }
    assert_eq!(sb.portal_version(), None);
}

#[test]
fn pack_usage_errors_exit_64() {
    let sb = Sandbox::new();
    for args in [
        &["pack"][..],
        &["pack", "frobnicate"],
        &[
            "pack",
            "build",
            "--kind",
            "portal",
            "--version",
            "0",
            "x",
            "-o",
            "y",
        ],
        &[
            "pack",
            "build",
            "--kind",
            "everything",
            "--version",
            "1",
            "x",
            "-o",
            "y",
        ],
        &["pack", "verify"],
        &["pack", "status", "--format", "yaml"],
    ] {
        assert_eq!(sb.run(args).status.code(), Some(64), "{args:?}");
    }
}

#[test]
fn pack_keygen_never_overwrites_existing_key() {
    let sb = Sandbox::new();
    sb.trusted_key("k", "portal");
    let before = std::fs::read(sb.path("keys/k.key")).unwrap();
    let out = sb.run(&[
        "pack",
        "keygen",
        "--out",
        s(&sb.path("keys")),
        "--name",
        "k",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(sb.path("keys/k.key")).unwrap(), before);
}

#[test]
fn pack_keygen_password_fd_encrypts_and_sign_needs_it() {
    let sb = Sandbox::new();
    let run_with_stdin = |args: &[&str], input: &str| {
        let mut child = sb
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run_with_stdin(
        &[
            "pack",
            "keygen",
            "--out",
            s(&sb.path("keys")),
            "--name",
            "enc",
            "--kinds",
            "portal",
            "--password-fd",
            "0",
        ],
        "segreto lungo\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::copy(
        sb.path("keys/enc.packkey"),
        sb.sys().join("keys/enc.packkey"),
    )
    .unwrap();
    let key_text = std::fs::read_to_string(sb.path("keys/enc.key")).unwrap();
    assert!(!key_text.contains("segreto"));
    // Build an unsigned pack with a throwaway key, then sign it with the encrypted key.
    let other = sb.trusted_key("tmp", "trust");
    let pack = sb.pack(&other, "portal", 1, &[("a.md", "a")]);
    let out = sb.run(&[
        "pack",
        "sign",
        "--key",
        s(&sb.path("keys/enc.key")),
        s(&pack),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "signing without the passphrase must fail"
    );
    let out = run_with_stdin(
        &[
            "pack",
            "sign",
            "--key",
            s(&sb.path("keys/enc.key")),
            "--password-fd",
            "0",
            s(&pack),
        ],
        "sbagliato\n",
    );
    assert_eq!(out.status.code(), Some(1), "wrong passphrase must fail");
    let out = run_with_stdin(
        &[
            "pack",
            "sign",
            "--key",
            s(&sb.path("keys/enc.key")),
            "--password-fd",
            "0",
            s(&pack),
        ],
        "segreto lungo\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sb.json(&["pack", "install", s(&pack)]).0, 0);
}

#[test]
fn pack_install_folder_installs_all_valid() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal,profiles");
    let usb = sb.path("usb");
    std::fs::create_dir_all(&usb).unwrap();
    for p in [
        sb.pack(&key, "portal", 2, &[("a.md", "due")]),
        sb.pack(&key, "profiles", 1, &[("ufficio.ovpn", "client\n")]),
    ] {
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        std::fs::copy(&p, usb.join(&name)).unwrap();
        std::fs::copy(
            sb.path(&format!("{name}.minisig")),
            usb.join(format!("{name}.minisig")),
        )
        .unwrap();
    }
    let (code, v) = sb.json(&["pack", "install", s(&usb)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(sb.portal_version(), Some(2));
    assert_eq!(sb.status()["status"]["kinds"][2]["installed"]["version"], 1);
}

#[test]
fn pack_update_fetches_from_configured_url_then_not_modified() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let pack = sb.pack(&key, "portal", 4, &[("index.md", "quattro")]);
    let server = TestServer::start();
    server.route(
        "/portale.pack",
        Route {
            body: std::fs::read(&pack).unwrap(),
            etag: Some("\"4\"".into()),
            ..Route::default()
        },
    );
    server.route(
        "/portale.pack.minisig",
        Route {
            body: std::fs::read(sb.path("portal-4.pack.minisig")).unwrap(),
            ..Route::default()
        },
    );
    std::fs::write(
        sb.sys().join("packs.toml"),
        format!(
            "[updates]\nurls = [\"{}\"]\nallow_plain_http_loopback = true\n",
            server.url("/portale.pack")
        ),
    )
    .unwrap();
    let (code, v) = sb.json(&["pack", "update"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["results"][0]["outcome"]["status"], "installed");
    assert_eq!(sb.portal_file("index.md").as_deref(), Some("quattro"));
    let (code, v) = sb.json(&["pack", "update"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["results"][0]["outcome"]["status"], "not_modified");
}

/// Starts an install of `pack` that pauses at `stage`, waits until it is there, kills it
/// with SIGKILL.
fn kill_install_at(sb: &Sandbox, pack: &Path, stage: &str) {
    let marker = sb.path(&format!("paused-{}", stage.replace(':', "-")));
    let mut child = sb
        .cmd(&["pack", "install", s(pack)])
        .env("LAVORO_AGILE_TEST_PAUSE_AT", stage)
        .env("LAVORO_AGILE_TEST_PAUSE_MARKER", &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Generous bound so a loaded machine does not fail the test; not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("install ended ({status}) before pausing at {stage}");
        }
        assert!(Instant::now() < deadline, "install never reached {stage}");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

#[test]
fn pack_install_killed_mid_install_last_good_content_stays() {
    let sb = Sandbox::new();
    let key = sb.trusted_key("portale", "portal");
    let v1 = sb.pack(&key, "portal", 1, &[("index.md", "uno")]);
    assert_eq!(sb.json(&["pack", "install", s(&v1)]).0, 0);
    let files: Vec<(String, String)> = (0..12)
        .map(|i| (format!("p/{i}.md"), format!("pagina {i}")))
        .collect();
    let mut v2_files: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    v2_files.push(("index.md", "due"));
    let v2 = sb.pack(&key, "portal", 2, &v2_files);
    for stage in ["unpacking:1", "unpacking:7", "unpacked", "switching"] {
        kill_install_at(&sb, &v2, stage);
        assert_eq!(sb.portal_version(), Some(1), "after kill at {stage}");
        assert_eq!(
            sb.portal_file("index.md").as_deref(),
            Some("uno"),
            "after kill at {stage}"
        );
        assert_eq!(sb.portal_file("p/3.md"), None, "after kill at {stage}");
    }
    // The interrupted install leaves nothing that blocks the next one.
    let (code, v) = sb.json(&["pack", "install", s(&v2)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(sb.portal_file("index.md").as_deref(), Some("due"));
    assert_eq!(sb.portal_file("p/11.md").as_deref(), Some("pagina 11"));
    let kind_dir = sb.path("data/lavoro-agile/packs/portal");
    let leftovers: Vec<_> = std::fs::read_dir(&kind_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".staging") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Runs `script` with `sh -c` in the sandbox's environment.
fn shell(sb: &Sandbox, script: &str) -> Output {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script);
    for (k, v) in sb.cmd(&[]).get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.output().unwrap()
}

#[test]
fn pack_sign_password_from_fd_3_accepted() {
    let sb = Sandbox::new();
    let pass = sb.path("pass.txt");
    std::fs::write(&pass, "frase segreta\n").unwrap();
    // The shell opens the passphrase file as descriptor 3 for the command.
    let script = format!(
        "exec 3<'{}'; exec '{BIN}' pack keygen --out '{}' --name fd3 --kinds portal --password-fd 3",
        s(&pass),
        s(&sb.path("keys"))
    );
    let out = shell(&sb, &script);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::copy(
        sb.path("keys/fd3.packkey"),
        sb.sys().join("keys/fd3.packkey"),
    )
    .unwrap();
    let src = sb.path("src-fd3");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.md"), "a").unwrap();
    let pack = sb.path("fd3.pack");
    assert_eq!(
        sb.run(&[
            "pack",
            "build",
            "--kind",
            "portal",
            "--version",
            "1",
            s(&src),
            "-o",
            s(&pack)
        ])
        .status
        .code(),
        Some(0)
    );
    let script = format!(
        "exec 3<'{}'; exec '{BIN}' pack sign --key '{}' --password-fd 3 '{}'",
        s(&pass),
        s(&sb.path("keys/fd3.key")),
        s(&pack)
    );
    let out = shell(&sb, &script);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sb.json(&["pack", "verify", s(&pack)]).0, 0);
}
