//! App updates: the machine-wide configuration, the manifest, and the offline path (a
//! folder with `latest.json` and signed packages), against a throwaway key.
use std::path::Path;

use lavoro_agile_api::app_update::{
    check_newer, inspect_offline, target_keys, verify_package, Installer, Lang, Manifest,
    UpdateConfig, UpdateError, UrlPolicy,
};
use lavoro_agile_tests::update_signing::{manifest, TestUpdateKey};

const DEB: &str = "Lavoro Agile_0.2.0_amd64.deb";
const DEB_URL: &str = "https://intranet.comune.example/la/Lavoro%20Agile_0.2.0_amd64.deb";

fn keys() -> Vec<String> {
    target_keys("linux-x86_64", Some(Installer::Deb))
}

/// A folder holding a package for `linux-x86_64-deb` offered as `version`, signed by
/// `key` for `signed_version`.
fn offline_folder(
    dir: &Path,
    key: &TestUpdateKey,
    version: &str,
    signed_version: Option<&str>,
) -> Vec<u8> {
    let package = format!("!<arch>\npretend deb {version}\n").into_bytes();
    std::fs::write(dir.join(DEB), &package).unwrap();
    let sig = key.sign(&package, DEB, signed_version);
    std::fs::write(
        dir.join("latest.json"),
        manifest(version, &[("linux-x86_64-deb", DEB_URL, &sig)]),
    )
    .unwrap();
    package
}

#[test]
fn offline_folder_newer_signed_version_offered() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    let package = offline_folder(dir.path(), &key, "0.2.0", Some("0.2.0"));
    let offer = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap();
    assert_eq!(offer.version, "0.2.0");
    assert_eq!(offer.target, "linux-x86_64-deb");
    assert_eq!(offer.package, dir.path().join(DEB));
    assert_eq!(offer.bytes, package);
    assert_eq!(offer.notes.as_deref(), Some("Versione 0.2.0: correzioni."));
    assert_eq!(offer.manifest_json["version"], "0.2.0");
}

#[test]
fn offline_package_file_picked_finds_manifest_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    offline_folder(dir.path(), &key, "0.2.0", Some("0.2.0"));
    let offer = inspect_offline(&dir.path().join(DEB), &key.pubkey_b64, "0.1.0", &keys()).unwrap();
    assert_eq!(offer.version, "0.2.0");
}

#[test]
fn offline_tampered_package_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    let mut package = offline_folder(dir.path(), &key, "0.2.0", Some("0.2.0"));
    package.push(b'!');
    std::fs::write(dir.path().join(DEB), &package).unwrap();
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::Tampered), "{err:?}");
    assert!(err.message(Lang::It).contains("modificato"));
}

#[test]
fn offline_other_key_refused() {
    let dir = tempfile::tempdir().unwrap();
    let signer = TestUpdateKey::generate();
    let ours = TestUpdateKey::generate();
    offline_folder(dir.path(), &signer, "0.2.0", Some("0.2.0"));
    let err = inspect_offline(dir.path(), &ours.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::WrongKey), "{err:?}");
    assert!(err.message(Lang::En).contains("key other than"));
}

#[test]
fn offline_older_or_same_version_refused() {
    let key = TestUpdateKey::generate();
    for version in ["0.0.9", "0.1.0"] {
        let dir = tempfile::tempdir().unwrap();
        offline_folder(dir.path(), &key, version, Some(version));
        let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
        assert!(
            matches!(err, UpdateError::NotNewer { .. }),
            "{version}: {err:?}"
        );
        assert!(err.message(Lang::It).contains("non è più recente"));
    }
}

#[test]
fn offline_old_package_relabelled_as_newer_refused() {
    // A genuine 0.0.9 package, signed for 0.0.9, presented by an edited manifest as 0.2.0.
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    offline_folder(dir.path(), &key, "0.2.0", Some("0.0.9"));
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(
        matches!(err, UpdateError::VersionMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn offline_signature_without_version_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    offline_folder(dir.path(), &key, "0.2.0", None);
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::UnsignedVersion), "{err:?}");
}

#[test]
fn offline_unsigned_package_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    std::fs::write(dir.path().join(DEB), b"!<arch>\n").unwrap();
    std::fs::write(
        dir.path().join("latest.json"),
        manifest("0.2.0", &[("linux-x86_64-deb", DEB_URL, "")]),
    )
    .unwrap();
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::SignatureMalformed(_)), "{err:?}");
}

#[test]
fn offline_build_without_public_key_refuses_everything() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    offline_folder(dir.path(), &key, "0.2.0", Some("0.2.0"));
    let err = inspect_offline(dir.path(), "", "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::NoPublicKey), "{err:?}");
}

#[test]
fn offline_folder_without_manifest_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::ManifestMissing(_)), "{err:?}");
}

#[test]
fn offline_manifest_naming_path_outside_folder_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    std::fs::write(
        dir.path().join("latest.json"),
        manifest(
            "0.2.0",
            &[(
                "linux-x86_64",
                "https://x.example/..%2F..%2Fetc%2Fpasswd",
                "x",
            )],
        ),
    )
    .unwrap();
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::ManifestInvalid(_)), "{err:?}");
}

#[test]
fn offline_manifest_without_entry_for_system_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = TestUpdateKey::generate();
    std::fs::write(
        dir.path().join("latest.json"),
        manifest(
            "0.2.0",
            &[("windows-x86_64", "https://x.example/a.exe", "x")],
        ),
    )
    .unwrap();
    let err = inspect_offline(dir.path(), &key.pubkey_b64, "0.1.0", &keys()).unwrap_err();
    assert!(matches!(err, UpdateError::NoPackageForSystem(_)), "{err:?}");
}

#[test]
fn manifest_installer_entry_preferred_over_generic() {
    let m = Manifest::parse(
        manifest(
            "1.0.0",
            &[
                ("linux-x86_64", "https://x.example/a.AppImage", "s1"),
                ("linux-x86_64-rpm", "https://x.example/a.rpm", "s2"),
                ("linux-x86_64-deb", "https://x.example/a.deb", "s3"),
            ],
        )
        .as_bytes(),
    )
    .unwrap();
    let (k, e) = m
        .entry_for(&target_keys("linux-x86_64", Some(Installer::Rpm)))
        .unwrap();
    assert_eq!((k, e.signature.as_str()), ("linux-x86_64-rpm", "s2"));
    let (k, _) = m.entry_for(&target_keys("linux-x86_64", None)).unwrap();
    assert_eq!(k, "linux-x86_64");
}

#[test]
fn manifest_bad_version_refused() {
    let err = Manifest::parse(manifest("latest", &[]).as_bytes()).unwrap_err();
    assert!(matches!(err, UpdateError::ManifestInvalid(_)), "{err:?}");
}

#[test]
fn verify_package_garbage_signature_refused_not_panicking() {
    let key = TestUpdateKey::generate();
    for sig in [
        "",
        "%%%",
        "dW50cnVzdGVkIGNvbW1lbnQ6IHgK",
        &"A".repeat(10_000),
    ] {
        let err = verify_package(b"x", sig, &key.pubkey_b64, "1.0.0").unwrap_err();
        assert!(
            matches!(err, UpdateError::SignatureMalformed(_)),
            "{sig:.20}: {err:?}"
        );
    }
}

#[test]
fn check_newer_semver_order() {
    assert!(check_newer("0.10.0", "0.9.0").is_ok());
    assert!(check_newer("1.0.0", "1.0.0-rc.1").is_ok());
    assert!(check_newer("1.0.0-rc.1", "1.0.0").is_err());
}

#[test]
fn config_missing_file_means_no_address() {
    let dir = tempfile::tempdir().unwrap();
    let c = UpdateConfig::load(dir.path()).unwrap();
    assert!(c.endpoints.is_empty());
    assert!(!c.check_on_start);
}

#[test]
fn config_https_endpoint_accepted_and_checked_on_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app-update.toml"),
        "endpoints = [\"https://intranet.comune.example/la/latest.json\"]\n",
    )
    .unwrap();
    let c = UpdateConfig::load(dir.path()).unwrap();
    assert_eq!(c.endpoints.len(), 1);
    assert!(c.check_on_start);
    assert_eq!(c.url_policy, UrlPolicy::HttpsOnly);
}

#[test]
fn config_plain_http_refused_unless_loopback_allowed() {
    let p = Path::new("app-update.toml");
    let err = UpdateConfig::parse("endpoints = [\"http://intranet.example/latest.json\"]", p)
        .unwrap_err();
    assert!(matches!(err, UpdateError::Config { .. }), "{err:?}");
    assert!(UpdateConfig::parse(
        "endpoints = [\"http://intranet.example/latest.json\"]\nallow_plain_http_loopback = true",
        p
    )
    .is_err());
    let c = UpdateConfig::parse(
        "endpoints = [\"http://127.0.0.1:8080/latest.json\"]\nallow_plain_http_loopback = true\ncheck_on_start = false",
        p,
    )
    .unwrap();
    assert_eq!(c.url_policy, UrlPolicy::AllowPlainLoopback);
    assert!(!c.check_on_start);
}

#[test]
fn config_unknown_key_refused() {
    let err = UpdateConfig::parse("endpoint = \"https://x.example\"", Path::new("f")).unwrap_err();
    assert!(err.message(Lang::It).contains("non è valida"));
}
