//! Tests of `api::packs`: downloads from a server on 127.0.0.1 started by each test
//! (conditional requests, a truncated body, a missing signature, size budget, proxy from
//! the environment, HTTPS-only rule), the background updater, folder installs, status.
// Test helpers outside #[test] functions may unwrap and index too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use lavoro_agile_api::packs::{
    self, check_url, HttpFetcher, Kind, Limits, PackEnv, PackError, Refusal, UpdateError, Updater,
    UrlOutcome, UrlPolicy, Version,
};
use lavoro_agile_packs::build::{build_pack, BuildOptions};
use lavoro_agile_packs::keys::key_file_text;
use lavoro_agile_packs::sign::{self, GeneratedKey};
use lavoro_agile_tests::http::{Route, TestServer};
use time::macros::datetime;
use time::OffsetDateTime;

const LOOPBACK: UrlPolicy = UrlPolicy::AllowPlainLoopback;
const NOW: OffsetDateTime = datetime!(2026-11-26 12:00 UTC);

struct Fixture {
    _dir: tempfile::TempDir,
    env: PackEnv,
    key: GeneratedKey,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let system = dir.path().join("sys");
        std::fs::create_dir_all(system.join("keys")).unwrap();
        let key = sign::generate(None, "").unwrap();
        let kinds: BTreeSet<Kind> = [Kind::Portal].into_iter().collect();
        std::fs::write(
            system.join("keys/it.packkey"),
            key_file_text(&key.public_key, &kinds, "IT test"),
        )
        .unwrap();
        let env = PackEnv {
            store_dir: dir.path().join("data/packs"),
            system_dir: system,
            bundled_keys_dir: None,
            app_version: Version(0, 1, 0),
            limits: Limits::default(),
        };
        Self {
            _dir: dir,
            env,
            key,
        }
    }

    /// A signed portal pack: (archive, signature).
    fn pack(&self, version: u64, text: &[u8]) -> (Vec<u8>, String) {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("index.md"), text).unwrap();
        let archive = build_pack(
            src.path(),
            &BuildOptions {
                kind: Kind::Portal,
                version,
                created: NOW,
                min_app_version: Version(0, 1, 0),
            },
            &Limits::default(),
        )
        .unwrap();
        let sk = sign::load_secret_key(&self.key.secret_text, None).unwrap();
        let sig = sign::sign(&sk, archive.as_slice(), "t").unwrap();
        (archive, sig)
    }

    fn serve(&self, server: &TestServer, version: u64, text: &[u8], etag: &str) {
        let (archive, sig) = self.pack(version, text);
        server.route(
            "/p.pack",
            Route {
                body: archive,
                etag: Some(etag.into()),
                ..Route::default()
            },
        );
        server.route(
            "/p.pack.minisig",
            Route {
                body: sig.into_bytes(),
                ..Route::default()
            },
        );
    }

    fn live_text(&self) -> Option<Vec<u8>> {
        let dir = self.env.store().content_dir(Kind::Portal).unwrap()?;
        Some(std::fs::read(dir.join("index.md")).unwrap())
    }

    fn installed_version(&self) -> Option<u64> {
        self.env
            .store()
            .installed(Kind::Portal)
            .unwrap()
            .map(|i| i.version)
    }
}

fn direct() -> HttpFetcher {
    HttpFetcher::with_env_lookup(|_| None)
}

#[test]
fn check_url_new_pack_installed_then_conditional_request_not_modified() {
    let f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 2, b"due", "\"v2\"");
    let url = server.url("/p.pack");
    let out = check_url(&f.env, &direct(), &url, LOOPBACK, NOW).unwrap();
    assert!(matches!(out, UrlOutcome::Installed { .. }), "{out:?}");
    assert_eq!(f.live_text().unwrap(), b"due");
    let out = check_url(&f.env, &direct(), &url, LOOPBACK, NOW).unwrap();
    assert_eq!(out, UrlOutcome::NotModified);
    let last = server
        .seen()
        .into_iter()
        .rev()
        .find(|s| s.line.contains("/p.pack "))
        .unwrap();
    assert_eq!(last.header("if-none-match"), Some("\"v2\""));
    let state = packs::UpdateState::load(&f.env.store_dir);
    assert_eq!(
        state.urls[&url].last_result.as_deref(),
        Some("NOT_MODIFIED")
    );
}

#[test]
fn check_url_changed_etag_same_version_up_to_date() {
    let f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 2, b"due", "\"a\"");
    let url = server.url("/p.pack");
    check_url(&f.env, &direct(), &url, LOOPBACK, NOW).unwrap();
    f.serve(&server, 2, b"due", "\"b\"");
    let out = check_url(&f.env, &direct(), &url, LOOPBACK, NOW).unwrap();
    assert_eq!(out, UrlOutcome::UpToDate { version: 2 });
}

#[test]
fn check_url_truncated_body_fails_nothing_installed() {
    let f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 2, b"due", "\"v2\"");
    let (archive, _) = f.pack(2, b"due");
    let half = archive.len() / 2;
    server.route(
        "/p.pack",
        Route {
            body: archive,
            etag: Some("\"v2\"".into()),
            truncate_to: Some(half),
            ..Route::default()
        },
    );
    let err = check_url(&f.env, &direct(), &server.url("/p.pack"), LOOPBACK, NOW).unwrap_err();
    assert!(matches!(err, UpdateError::Fetch(_)), "{err:?}");
    assert_eq!(f.installed_version(), None);
    // The validators of a failed download are not kept: the next check downloads again.
    let state = packs::UpdateState::load(&f.env.store_dir);
    assert_eq!(state.urls[&server.url("/p.pack")].etag, None);
}

#[test]
fn check_url_truncated_body_keeps_previous_content() {
    let f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 1, b"uno", "\"v1\"");
    check_url(&f.env, &direct(), &server.url("/p.pack"), LOOPBACK, NOW).unwrap();
    let (archive, sig) = f.pack(2, b"due");
    let cut = archive.len() - 700;
    server.route(
        "/p.pack",
        Route {
            body: archive,
            etag: Some("\"v2\"".into()),
            truncate_to: Some(cut),
            ..Route::default()
        },
    );
    server.route(
        "/p.pack.minisig",
        Route {
            body: sig.into_bytes(),
            ..Route::default()
        },
    );
    assert!(check_url(&f.env, &direct(), &server.url("/p.pack"), LOOPBACK, NOW).is_err());
    assert_eq!(f.installed_version(), Some(1));
    assert_eq!(f.live_text().unwrap(), b"uno");
}

#[test]
fn check_url_missing_signature_refused() {
    let f = Fixture::new();
    let server = TestServer::start();
    let (archive, _) = f.pack(2, b"due");
    server.route(
        "/p.pack",
        Route {
            body: archive,
            ..Route::default()
        },
    );
    let err = check_url(&f.env, &direct(), &server.url("/p.pack"), LOOPBACK, NOW).unwrap_err();
    assert!(
        matches!(
            err,
            UpdateError::Pack(PackError::Refused(Refusal::SignatureMissing))
        ),
        "{err:?}"
    );
    assert_eq!(f.installed_version(), None);
}

#[test]
fn check_url_tampered_download_refused() {
    let f = Fixture::new();
    let server = TestServer::start();
    let (mut archive, sig) = f.pack(2, b"due");
    archive[600] ^= 0x20;
    server.route(
        "/p.pack",
        Route {
            body: archive,
            ..Route::default()
        },
    );
    server.route(
        "/p.pack.minisig",
        Route {
            body: sig.into_bytes(),
            ..Route::default()
        },
    );
    let err = check_url(&f.env, &direct(), &server.url("/p.pack"), LOOPBACK, NOW).unwrap_err();
    assert_eq!(err.code(), "SIGNATURE_INVALID");
    assert_eq!(f.installed_version(), None);
}

#[test]
fn check_url_over_size_budget_refused_early() {
    let mut f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 2, b"due", "\"v2\"");
    f.env.limits.max_archive_bytes = 1000;
    let err = check_url(&f.env, &direct(), &server.url("/p.pack"), LOOPBACK, NOW).unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE");
}

#[test]
fn check_url_server_error_reported() {
    let f = Fixture::new();
    let server = TestServer::start();
    let err = check_url(
        &f.env,
        &direct(),
        &server.url("/absent.pack"),
        LOOPBACK,
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), "HTTP_STATUS");
}

#[test]
fn check_url_plain_http_without_explicit_permission_not_contacted() {
    let f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 2, b"due", "\"v2\"");
    let err = check_url(
        &f.env,
        &direct(),
        &server.url("/p.pack"),
        UrlPolicy::HttpsOnly,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, UpdateError::UrlNotAllowed(_)));
    let err = check_url(
        &f.env,
        &direct(),
        "http://example.org/p.pack",
        LOOPBACK,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, UpdateError::UrlNotAllowed(_)));
    assert!(server.seen().is_empty());
}

#[test]
fn check_url_https_goes_through_proxy_from_environment() {
    let f = Fixture::new();
    let proxy = TestServer::start();
    let proxy_url = proxy.base.clone();
    let fetcher = HttpFetcher::with_env_lookup(move |name| {
        (name == "https_proxy").then(|| proxy_url.clone())
    });
    // The test proxy refuses the tunnel; what matters is that it was asked.
    let err = check_url(
        &f.env,
        &fetcher,
        "https://packs.comune.invalid/p.pack",
        UrlPolicy::HttpsOnly,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, UpdateError::Fetch(_)), "{err:?}");
    let seen = proxy.seen();
    assert!(
        seen.iter()
            .any(|s| s.line.starts_with("CONNECT packs.comune.invalid:443")),
        "{:?}",
        seen.iter().map(|s| &s.line).collect::<Vec<_>>()
    );
}

#[test]
fn updater_checks_at_start_and_on_demand_without_blocking() {
    let f = Fixture::new();
    let server = TestServer::start();
    f.serve(&server, 3, b"tre", "\"v3\"");
    std::fs::write(
        f.env.system_dir.join("packs.toml"),
        format!(
            "[updates]\nurls = [\"{}\"]\ninterval_hours = 4\nallow_plain_http_loopback = true\n",
            server.url("/p.pack")
        ),
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    let updater = Updater::spawn(
        f.env.clone(),
        direct(),
        || NOW,
        move |e| {
            let _ = tx.send(e);
        },
    )
    .unwrap();
    let first = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(
        matches!(first.outcome, Some(UrlOutcome::Installed { .. })),
        "{first:?}"
    );
    updater.check_now();
    let second = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(second.outcome, Some(UrlOutcome::NotModified));
    updater.stop();
    assert_eq!(f.live_text().unwrap(), b"tre");
}

#[test]
fn install_from_folder_installs_newest_last_and_reports_each() {
    let f = Fixture::new();
    let usb = tempfile::tempdir().unwrap();
    for (v, text) in [(2u64, &b"due"[..]), (3, b"tre")] {
        let (archive, sig) = f.pack(v, text);
        std::fs::write(usb.path().join(format!("portale-{v}.pack")), archive).unwrap();
        std::fs::write(usb.path().join(format!("portale-{v}.pack.minisig")), sig).unwrap();
    }
    let (archive, _) = f.pack(4, b"quattro");
    std::fs::write(usb.path().join("unsigned.pack"), archive).unwrap();
    let items = packs::install_from_folder(&f.env, usb.path(), NOW).unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|i| i.installed.is_some()).count(), 2);
    assert_eq!(
        items
            .iter()
            .find(|i| i.file.ends_with("unsigned.pack"))
            .unwrap()
            .code,
        Some("SIGNATURE_MISSING")
    );
    assert_eq!(f.live_text().unwrap(), b"tre");
}

#[test]
fn status_lists_kinds_keys_and_config_problems() {
    let f = Fixture::new();
    std::fs::write(
        f.env.system_dir.join("packs.toml"),
        "[updates]\nurls = [\"http://intranet/p.pack\"]\n",
    )
    .unwrap();
    std::fs::write(f.env.system_dir.join("keys/broken.packkey"), "kinds = 3").unwrap();
    let st = packs::status(&f.env);
    assert_eq!(st.kinds.len(), 3);
    assert!(st.kinds.iter().all(|k| k.installed.is_none()));
    assert_eq!(st.keys.len(), 1);
    assert_eq!(st.keys[0].key_id, f.key.key_id);
    assert_eq!(st.key_problems.len(), 1);
    assert!(st.config_problem.is_some());
}

#[test]
fn read_pack_file_missing_is_input_error() {
    let err =
        packs::read_pack_file(Path::new("/nonexistent/x.pack"), &Limits::default()).unwrap_err();
    assert!(matches!(err, PackError::Input { .. }));
}

#[test]
fn key_from_machine_wide_config_file_trusted_for_its_kinds() {
    let f = Fixture::new();
    let extra = sign::generate(None, "").unwrap();
    std::fs::write(
        f.env.system_dir.join("packs.toml"),
        format!(
            "[[keys]]\ncomment = \"IT profili\"\npublic_key = \"{}\"\nkinds = [\"profiles\"]\n",
            extra.public_key.to_base64()
        ),
    )
    .unwrap();
    let (ring, warnings) = f.env.key_ring();
    assert!(warnings.is_empty(), "{warnings:?}");
    let k = ring.get(&extra.key_id).unwrap();
    assert_eq!(
        k.kinds.iter().copied().collect::<Vec<_>>(),
        vec![Kind::Profiles]
    );
    assert!(ring.get(&f.key.key_id).is_some());
}
