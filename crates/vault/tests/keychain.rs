//! The keychain against a real gnome-keyring Secret Service on a private D-Bus bus, and the
//! clear error when none answers.
//!
//! Each scenario runs its client half in a child process (this test binary again, running
//! one `#[ignore]`d `client_*` test) with `DBUS_SESSION_BUS_ADDRESS` pointing at the private
//! bus: the test process's own environment is never changed. The `client_*` tests only mean
//! something when started that way and fail when started by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers

use lavoro_agile_tests::secret_service::SecretService;
use lavoro_agile_vault::{CredentialStore, Credentials, Keychain, Lang, Secret, VaultError};

const SERVICE: &str = "it.comune.lavoro-agile.test";
const CHILD_ENV: &str = "LAVORO_AGILE_VAULT_TEST_CHILD";

/// Runs the ignored test `name` of this binary with `env`, returning its success and output.
fn run_client(name: &str, env: &[(&str, String)]) -> (bool, String) {
    lavoro_agile_tests::child::run_ignored_test(name, CHILD_ENV, env)
}

fn require_child() {
    assert_eq!(
        std::env::var(CHILD_ENV).as_deref(),
        Ok("1"),
        "run through the keychain_* tests, which set up a private D-Bus bus"
    );
}

#[test]
fn keychain_gnome_keyring_set_get_delete_round_trip() {
    let service = SecretService::start().unwrap();
    let (ok, out) = run_client("client_round_trip", &service.client_env());
    assert!(ok, "client failed:\n{out}");
    assert!(out.contains("ROUND-TRIP-OK"), "{out}");
}

#[test]
fn keychain_gnome_keyring_item_outlives_the_process() {
    let service = SecretService::start().unwrap();
    let (ok, out) = run_client("client_store_only", &service.client_env());
    assert!(ok, "writer failed:\n{out}");
    let (ok, out) = run_client("client_read_back_and_delete", &service.client_env());
    assert!(ok, "reader failed:\n{out}");
    assert!(out.contains("READ-BACK-OK"), "{out}");
}

#[test]
fn keychain_no_secret_service_on_bus_is_clear_error() {
    let bus = SecretService::bus_only().unwrap();
    let (ok, out) = run_client("client_expect_unavailable", &bus.client_env());
    assert!(ok, "client failed:\n{out}");
    assert!(out.contains("UNAVAILABLE-OK"), "{out}");
}

#[test]
fn keychain_no_session_bus_is_clear_error() {
    let dir = tempfile_dir();
    let env = [(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}/no-such-bus", dir.display()),
    )];
    let (ok, out) = run_client("client_expect_unavailable", &env);
    assert!(ok, "client failed:\n{out}");
    assert!(out.contains("UNAVAILABLE-OK"), "{out}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("lavoro-agile-vault-nobus-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn creds() -> Credentials {
    Credentials {
        username: "mario.rossi".to_owned(),
        password: Secret::new("S3greta!\"' con spazi".to_owned()),
    }
}

#[test]
#[ignore = "client half of keychain_gnome_keyring_set_get_delete_round_trip"]
fn client_round_trip() {
    require_child();
    let keychain = Keychain::open_service(SERVICE).unwrap();
    assert_eq!(keychain.get("vpn:ufficio").unwrap(), None);
    keychain.set("vpn:ufficio", &creds()).unwrap();
    assert_eq!(keychain.get("vpn:ufficio").unwrap(), Some(creds()));
    let replaced = Credentials {
        username: "m.rossi".to_owned(),
        password: Secret::new("altra".to_owned()),
    };
    keychain.set("vpn:ufficio", &replaced).unwrap();
    assert_eq!(keychain.get("vpn:ufficio").unwrap(), Some(replaced));
    assert!(keychain.delete("vpn:ufficio").unwrap());
    assert!(!keychain.delete("vpn:ufficio").unwrap());
    assert_eq!(keychain.get("vpn:ufficio").unwrap(), None);
    println!("ROUND-TRIP-OK");
}

#[test]
#[ignore = "client half of keychain_gnome_keyring_item_outlives_the_process"]
fn client_store_only() {
    require_child();
    Keychain::open_service(SERVICE)
        .unwrap()
        .set("vpn:casa", &creds())
        .unwrap();
}

#[test]
#[ignore = "client half of keychain_gnome_keyring_item_outlives_the_process"]
fn client_read_back_and_delete() {
    require_child();
    let keychain = Keychain::open_service(SERVICE).unwrap();
    assert_eq!(keychain.get("vpn:casa").unwrap(), Some(creds()));
    assert!(keychain.delete("vpn:casa").unwrap());
    println!("READ-BACK-OK");
}

#[test]
#[ignore = "client half of keychain_no_*_is_clear_error"]
fn client_expect_unavailable() {
    require_child();
    let err = Keychain::open_service(SERVICE).unwrap_err();
    assert!(
        matches!(err, VaultError::Unavailable { .. }),
        "unexpected error kind: {err:?}"
    );
    assert_eq!(err.code(), "keychain_unavailable");
    let it = err.message(Lang::It);
    assert!(it.contains("portachiavi"), "{it}");
    assert!(it.contains("riprova"), "{it}");
    assert!(err.message(Lang::En).contains("keychain"));
    println!("UNAVAILABLE-OK");
}
