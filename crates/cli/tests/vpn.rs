//! `lavoro-agile-cli vpn`: end to end through the real binary, with the user's folders in a
//! temporary home and, for credentials, a real gnome-keyring on a private D-Bus bus.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lavoro_agile_tests::secret_service::SecretService;

const PASSWORD: &str = "Pw-Solo-Nel-Portachiavi-7781";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vpn/tests/fixtures")
}

struct Home {
    dir: tempfile::TempDir,
    bus: Vec<(&'static str, String)>,
}

impl Home {
    fn new(bus: Vec<(&'static str, String)>) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            bus,
        }
    }

    fn cli_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let home = self.dir.path();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lavoro-agile-cli"));
        cmd.args(args)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("LAVORO_AGILE_SYSTEM_DIR", home.join("system"))
            .env("LAVORO_AGILE_LOG", "trace")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-bus", home.display()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.bus {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn cli(&self, args: &[&str]) -> Output {
        self.cli_with_stdin(args, "")
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn vpn_lint_clean_profile_exits_0_with_servers_and_inlined_files() {
    let home = Home::new(Vec::new());
    let o = home.cli(&["vpn", "lint", path(&fixtures().join("clean/ufficio.ovpn"))]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("ufficio.ovpn: OpenVPN, accettabile"),
        "{out}"
    );
    assert!(out.contains("ca.crt"), "{out}");
}

#[test]
fn vpn_lint_hostile_profile_exits_1_with_lines_and_reasons() {
    let home = Home::new(Vec::new());
    let o = home.cli(&[
        "vpn",
        "lint",
        path(&fixtures().join("hostile/scripts.ovpn")),
    ]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("RIFIUTATO"), "{out}");
    assert!(out.contains("riga 4, «up»: esegue comandi"), "{out}");
}

#[test]
fn vpn_lint_json_lists_refusals_with_codes() {
    let home = Home::new(Vec::new());
    let o = home.cli(&[
        "vpn",
        "lint",
        "--format",
        "json",
        path(&fixtures().join("hostile/wg-postup.conf")),
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "wireguard");
    assert_eq!(v["acceptable"], false);
    assert_eq!(v["refused"][0]["line"], 4);
    assert_eq!(v["refused"][0]["code"], "runs_commands");
}

#[test]
fn vpn_lint_missing_file_exits_3() {
    let home = Home::new(Vec::new());
    let o = home.cli(&["vpn", "lint", "/nonexistent/profilo.ovpn"]);
    assert_eq!(code(&o), 3);
}

#[test]
fn vpn_lint_without_file_exits_64() {
    let home = Home::new(Vec::new());
    assert_eq!(code(&home.cli(&["vpn", "lint"])), 64);
    assert_eq!(code(&home.cli(&["vpn", "credentials", "set"])), 64);
}

#[test]
fn vpn_credentials_without_secret_service_exit_1_with_clear_message() {
    let bus = SecretService::bus_only().unwrap();
    let home = Home::new(bus.client_env());
    let o = home.cli(&[
        "vpn",
        "import",
        path(&fixtures().join("clean/ufficio.ovpn")),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = home.cli_with_stdin(
        &[
            "vpn",
            "credentials",
            "set",
            "ufficio",
            "--username",
            "mario",
            "--password-fd",
            "0",
        ],
        PASSWORD,
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("Il portachiavi del sistema non risponde"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD));
}

/// Import, list, credentials in a real gnome-keyring, then the data, config and cache
/// folders and every byte the CLI printed are searched for the password.
#[test]
fn vpn_import_credentials_forget_with_gnome_keyring_password_only_in_keychain() {
    let service = SecretService::start().unwrap();
    let home = Home::new(service.client_env());
    let o = home.cli(&[
        "vpn",
        "import",
        "--name",
        "Ufficio Tributi",
        path(&fixtures().join("clean/ufficio.ovpn")),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("importato"));
    let refused = home.cli(&[
        "vpn",
        "import",
        path(&fixtures().join("hostile/files.ovpn")),
    ]);
    assert_eq!(code(&refused), 1);

    let set = home.cli_with_stdin(
        &[
            "vpn",
            "credentials",
            "set",
            "Ufficio Tributi",
            "--username",
            "mario.rossi",
            "--password-fd",
            "0",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code(&set), 0, "{}", stderr(&set));

    let list = home.cli(&["vpn", "list", "--format", "json"]);
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], "ufficio-tributi");
    assert_eq!(v[0]["credentials"]["state"], "saved");
    assert_eq!(v[0]["credentials"]["username"], "mario.rossi");

    for o in [&set, &list] {
        assert!(!stdout(o).contains(PASSWORD));
        assert!(!stderr(o).contains(PASSWORD));
    }
    assert_password_nowhere(home.dir.path());

    let forget = home.cli(&["vpn", "forget", "ufficio-tributi"]);
    assert_eq!(code(&forget), 0, "{}", stderr(&forget));
    let list = home.cli(&["vpn", "list", "--format", "json"]);
    assert_eq!(stdout(&list).trim(), "[]");
    // The keychain item went with the profile: importing again shows no credentials.
    let o = home.cli(&[
        "vpn",
        "import",
        "--name",
        "Ufficio Tributi",
        "--format",
        "json",
        path(&fixtures().join("clean/ufficio.ovpn")),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["profile"]["credentials"]["state"], "none");
}

/// Every file under `dir` (data, config, cache, logs) is read and searched.
fn assert_password_nowhere(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                files += 1;
                let bytes = std::fs::read(&p).unwrap();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(PASSWORD),
                    "password found in {}",
                    p.display()
                );
            }
        }
    }
    assert!(
        files >= 2,
        "expected the stored profile and its description"
    );
}
