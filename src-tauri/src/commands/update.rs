//! Updates of the app: look at the address IT configured (`app-update.toml` in the system
//! folder) or at a folder the user picks (USB stick, share), show what is offered, and
//! install only when the user asks.
//!
//! The online path goes through `tauri-plugin-updater`, whose download checks the minisign
//! signature, the key and the signed version before returning the bytes. The offline path
//! is checked first by `lavoro_agile_api::app_update` (with `minisign-verify`), then handed
//! to the same plugin, which checks the bytes once more and runs the system installer
//! (`pkexec dpkg -i` / `rpm -U` on Linux, the NSIS/MSI installer on Windows).
use std::sync::Mutex;
use std::time::Duration;

use lavoro_agile_api::app_update::{self, Installer, Lang, UpdateConfig, UpdateError};
use lavoro_agile_api::error::ErrorPayload;
use lavoro_agile_api::packs::system_dir;
use lavoro_agile_api::settings::Language;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::picker::PickKind;
use crate::AppState;

/// How long one request to the update address may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// The update the user was shown and may install, kept between the check and the install.
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<(Pending, UpdateOffer)>>);

enum Pending {
    /// From IT's address: downloaded (and verified by the plugin) on install.
    Online(Box<Update>),
    /// From a folder: already read and verified.
    Offline { update: Box<Update>, bytes: Vec<u8> },
}

fn lang(l: Language) -> Lang {
    match l {
        Language::It => Lang::It,
        Language::En => Lang::En,
    }
}

fn payload(e: &UpdateError, l: Lang) -> ErrorPayload {
    ErrorPayload::with_message(e.code(), e.to_string(), e.message(l))
}

fn say(l: Lang, it: &str, en: &str) -> String {
    match l {
        Lang::It => it.to_owned(),
        _ => en.to_owned(),
    }
}

/// Turns a plugin error into the payload the window shows: signature problems get the
/// same refusals as the offline path.
fn plugin_payload(e: &tauri_plugin_updater::Error, l: Lang) -> ErrorPayload {
    use tauri_plugin_updater::Error as E;
    let same = |u: UpdateError| payload(&u, l);
    let detail = e.to_string();
    match e {
        E::Minisign(minisign_verify::Error::UnexpectedKeyId) => same(UpdateError::WrongKey),
        E::Minisign(minisign_verify::Error::InvalidSignature) => same(UpdateError::Tampered),
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => {
            same(UpdateError::SignatureMalformed(detail))
        }
        E::MissingSignedVersion => same(UpdateError::UnsignedVersion),
        E::SignedVersionMismatch { signed, announced } => same(UpdateError::VersionMismatch {
            signed: signed.clone(),
            announced: announced.clone(),
        }),
        E::TargetNotFound(t) => same(UpdateError::NoPackageForSystem(t.clone())),
        E::TargetsNotFound(t) => same(UpdateError::NoPackageForSystem(t.join(", "))),
        E::Serialization(_) | E::Semver(_) => same(UpdateError::ManifestInvalid(detail)),
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound | E::InsecureTransportProtocol => {
            ErrorPayload::with_message(
                "update_network",
                detail,
                say(
                    l,
                    "Impossibile leggere l'aggiornamento dall'indirizzo configurato. Controllare la connessione alla rete dell'ente o riprovare più tardi.",
                    "Cannot read the update from the configured address. Check the connection to the office network or try again later.",
                ),
            )
        }
        E::AuthenticationFailed => ErrorPayload::with_message(
            "update_auth",
            detail,
            say(
                l,
                "Installazione annullata: serve l'autorizzazione di un amministratore del computer.",
                "Installation cancelled: the computer's administrator must authorise it.",
            ),
        ),
        _ => ErrorPayload::with_message(
            "update_install_failed",
            detail,
            say(
                l,
                "Il sistema non ha installato l'aggiornamento; l'app installata non è cambiata.",
                "The system did not install the update; the installed app is unchanged.",
            ),
        ),
    }
}

/// The public key built into this app (`plugins.updater.pubkey`); empty when the build
/// carries none.
pub fn built_in_public_key<R: Runtime>(app: &AppHandle<R>) -> String {
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|u| u.get("pubkey"))
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// How this copy was installed (from the marker the bundler writes into the binary).
pub fn installer() -> Option<Installer> {
    use tauri::utils::config::BundleType;
    match tauri::utils::platform::bundle_type()? {
        BundleType::Deb => Some(Installer::Deb),
        BundleType::Rpm => Some(Installer::Rpm),
        BundleType::AppImage => Some(Installer::AppImage),
        BundleType::Nsis => Some(Installer::Nsis),
        BundleType::Msi => Some(Installer::Msi),
        BundleType::App | BundleType::Dmg => Some(Installer::App),
    }
}

/// What the "Aggiornamenti" part of the about view shows.
#[derive(Debug, Serialize)]
pub struct UpdateStatus {
    /// The running version.
    pub current_version: String,
    /// Addresses IT configured (none by default).
    pub endpoints: Vec<String>,
    /// Whether the app looks for an update when it starts.
    pub check_on_start: bool,
    /// Whether this build carries the key that checks updates.
    pub key_present: bool,
    /// How this copy was installed; `None` for a copy not installed from a package.
    pub installer: Option<Installer>,
    /// A problem with `app-update.toml`, for the user.
    pub config_problem: Option<String>,
}

/// The current version, IT's update addresses and whether updates can be checked.
#[tauri::command]
pub fn update_status(app: AppHandle, state: State<'_, AppState>) -> UpdateStatus {
    let l = lang(state.language());
    let (config, config_problem) = match UpdateConfig::load(&system_dir()) {
        Ok(c) => (c, None),
        Err(e) => (UpdateConfig::default(), Some(e.message(l))),
    };
    UpdateStatus {
        current_version: app.package_info().version.to_string(),
        endpoints: config.endpoints,
        check_on_start: config.check_on_start,
        key_present: !built_in_public_key(&app).trim().is_empty(),
        installer: installer(),
        config_problem,
    }
}

/// An update the user may install.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UpdateOffer {
    /// The version offered.
    pub version: String,
    /// The running version.
    pub current_version: String,
    /// Release notes, as IT wrote them.
    pub notes: Option<String>,
    /// Publication date (RFC 3339), when given.
    pub date: Option<String>,
    /// `online` (IT's address) or `offline` (a folder).
    pub source: &'static str,
    /// The package file of an offline update.
    pub package: Option<String>,
}

/// What a check found.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// Nothing newer than the running version.
    UpToDate {
        /// The running version.
        current_version: String,
    },
    /// An update the user may install.
    Offered {
        /// What is offered.
        offer: UpdateOffer,
    },
    /// The user closed the dialog.
    Cancelled,
}

fn offer_of(update: &Update, source: &'static str, package: Option<String>) -> UpdateOffer {
    let date = update.date.and_then(|d| {
        d.format(&time::format_description::well_known::Rfc3339)
            .ok()
    });
    UpdateOffer {
        version: update.version.clone(),
        current_version: update.current_version.clone(),
        notes: update.body.clone(),
        date,
        source,
        package,
    }
}

/// Asks `endpoints` for `latest.json` through the updater plugin. `None` when nothing newer
/// is offered. The public key must be present: without it nothing could be installed, so
/// the user is told at once.
pub async fn check_online<R: Runtime>(
    app: &AppHandle<R>,
    endpoints: &[String],
    l: Lang,
) -> Result<Option<Update>, ErrorPayload> {
    app_update::decode_public_key(&built_in_public_key(app)).map_err(|e| payload(&e, l))?;
    if endpoints.is_empty() {
        return Err(ErrorPayload::with_message(
            "update_no_address",
            "no endpoints in app-update.toml".into(),
            say(
                l,
                "Non è configurato un indirizzo per gli aggiornamenti: usare «Aggiornamento da file» oppure rivolgersi all'assistenza informatica.",
                "No update address is configured: use \"Update from a file\" or contact IT support.",
            ),
        ));
    }
    let urls = endpoints
        .iter()
        .map(|u| u.parse())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e: url::ParseError| payload(&UpdateError::ManifestInvalid(e.to_string()), l))?;
    let updater = app
        .updater_builder()
        .endpoints(urls)
        .and_then(|b| b.timeout(REQUEST_TIMEOUT).build())
        .map_err(|e| plugin_payload(&e, l))?;
    updater.check().await.map_err(|e| plugin_payload(&e, l))
}

/// Downloads an online update; the plugin verifies the signature, key and signed version
/// before returning the bytes.
pub async fn download_verified(update: &Update, l: Lang) -> Result<Vec<u8>, ErrorPayload> {
    update
        .download(|_, _| {}, || {})
        .await
        .map_err(|e| plugin_payload(&e, l))
}

/// Reads and verifies an offline update from `path` (a folder, or a file in it), then
/// turns it into the plugin's update so the same installer runs it.
pub fn check_offline<R: Runtime>(
    app: &AppHandle<R>,
    path: &std::path::Path,
    installer: Option<Installer>,
    l: Lang,
) -> Result<(Update, Vec<u8>, String), ErrorPayload> {
    let base = app_update::base_target().ok_or_else(|| {
        payload(
            &UpdateError::NoPackageForSystem(std::env::consts::OS.into()),
            l,
        )
    })?;
    let keys = app_update::target_keys(&base, installer);
    let current = app.package_info().version.to_string();
    let checked = app_update::inspect_offline(path, &built_in_public_key(app), &current, &keys)
        .map_err(|e| payload(&e, l))?;
    // The plugin needs an address to build an updater even though restoring an update
    // never makes a request; the folder's manifest is handed over as it was read.
    let placeholder_endpoint = "https://offline.invalid/latest.json"
        .parse()
        .map_err(|e: url::ParseError| payload(&UpdateError::ManifestInvalid(e.to_string()), l))?;
    let updater = app
        .updater_builder()
        .endpoints(vec![placeholder_endpoint])
        .and_then(|b| b.build())
        .map_err(|e| plugin_payload(&e, l))?;
    let update = updater
        .restore_update(checked.manifest_json)
        .map_err(|e| plugin_payload(&e, l))?
        .ok_or_else(|| {
            payload(
                &UpdateError::NotNewer {
                    offered: checked.version.clone(),
                    installed: current.clone(),
                },
                l,
            )
        })?;
    // Same bytes, same checks, through the plugin: what it installs is what we verified.
    update
        .verify(&checked.bytes)
        .map_err(|e| plugin_payload(&e, l))?;
    let package = checked.package.display().to_string();
    Ok((update, checked.bytes, package))
}

fn store<R: Runtime>(app: &AppHandle<R>, pending: Pending, offer: &UpdateOffer) {
    if let Some(slot) = app.try_state::<PendingUpdate>() {
        if let Ok(mut s) = slot.0.lock() {
            *s = Some((pending, offer.clone()));
        }
    }
}

/// Looks for an update at start when IT asked for it (`check_on_start`); an offer waits
/// in the "Aggiornamenti" part of the about view until the user decides. Failures are
/// only logged: the user did not ask for this check.
pub async fn check_at_start<R: Runtime>(app: AppHandle<R>) {
    let Ok(config) = UpdateConfig::load(&system_dir()) else {
        return;
    };
    if !config.check_on_start || config.endpoints.is_empty() {
        return;
    }
    match check_online(&app, &config.endpoints, Lang::En).await {
        Ok(Some(update)) => {
            tracing::info!(version = %update.version, "app update offered at start");
            let offer = offer_of(&update, "online", None);
            store(&app, Pending::Online(Box::new(update)), &offer);
        }
        Ok(None) => tracing::info!("no app update at start"),
        Err(e) => {
            tracing::warn!(code = %e.code, detail = %e.detail, "app update check at start failed")
        }
    }
}

/// The update waiting for the user's decision, if any.
#[tauri::command]
pub fn update_pending(app: AppHandle) -> Option<UpdateOffer> {
    app.try_state::<PendingUpdate>().and_then(|slot| {
        slot.0
            .lock()
            .ok()
            .and_then(|s| s.as_ref().map(|(_, o)| o.clone()))
    })
}

/// Looks for an update at the address IT configured.
#[tauri::command]
pub async fn update_check(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<CheckOutcome, ErrorPayload> {
    let l = lang(state.language());
    let config = UpdateConfig::load(&system_dir()).map_err(|e| payload(&e, l))?;
    match check_online(&app, &config.endpoints, l).await? {
        None => Ok(CheckOutcome::UpToDate {
            current_version: app.package_info().version.to_string(),
        }),
        Some(update) => {
            tracing::info!(version = %update.version, "app update offered");
            let offer = offer_of(&update, "online", None);
            store(&app, Pending::Online(Box::new(update)), &offer);
            Ok(CheckOutcome::Offered { offer })
        }
    }
}

/// Asks for `latest.json` (or the package) in a folder, or with `folder` for the folder
/// itself (a USB stick, a share), and checks the update there.
#[tauri::command]
pub async fn update_open_file(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    folder: Option<bool>,
) -> Result<CheckOutcome, ErrorPayload> {
    let l = lang(state.language());
    let picked = if folder.unwrap_or(false) {
        state.picker.pick_folder(&app, &title)
    } else {
        state.picker.pick(&app, PickKind::Update, &title)
    };
    let Some(path) = picked else {
        return Ok(CheckOutcome::Cancelled);
    };
    let (update, bytes, package) = check_offline(&app, &path, installer(), l)?;
    tracing::info!(version = %update.version, "offline app update offered");
    let offer = offer_of(&update, "offline", Some(package));
    store(
        &app,
        Pending::Offline {
            update: Box::new(update),
            bytes,
        },
        &offer,
    );
    Ok(CheckOutcome::Offered { offer })
}

/// What an install did.
#[derive(Debug, Serialize)]
pub struct Installed {
    /// The version now installed; the app runs it after a restart.
    pub version: String,
}

/// Installs the update last offered, after the user confirmed it.
#[tauri::command]
pub async fn update_install(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Installed, ErrorPayload> {
    let l = lang(state.language());
    if installer().is_none() {
        // A copy run from a build folder: the plugin would overwrite the executable.
        return Err(ErrorPayload::with_message(
            "update_not_packaged",
            "this copy was not installed from a package".into(),
            say(
                l,
                "Questa copia dell'app non è stata installata da un pacchetto: aggiornarla con lo strumento usato per installarla.",
                "This copy of the app was not installed from a package: update it with the tool used to install it.",
            ),
        ));
    }
    let pending = app
        .try_state::<PendingUpdate>()
        .and_then(|slot| slot.0.lock().ok().and_then(|mut s| s.take()));
    let Some((pending, _)) = pending else {
        return Err(ErrorPayload::with_message(
            "update_nothing_pending",
            "no update was offered".into(),
            say(
                l,
                "Nessun aggiornamento da installare: cercarne uno prima.",
                "No update to install: look for one first.",
            ),
        ));
    };
    let (update, bytes) = match pending {
        Pending::Online(update) => {
            let bytes = download_verified(&update, l).await?;
            (update, bytes)
        }
        Pending::Offline { update, bytes } => (update, bytes),
    };
    let version = update.version.clone();
    // The installer may wait for an administrator's password: keep it off the async pool.
    let result = tauri::async_runtime::spawn_blocking(move || update.install(bytes)).await;
    match result {
        Ok(Ok(())) => {
            tracing::info!(version = %version, "app update installed");
            Ok(Installed { version })
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "app update not installed");
            Err(plugin_payload(&e, l))
        }
        Err(e) => Err(ErrorPayload::with_message(
            "update_install_failed",
            e.to_string(),
            say(
                l,
                "Il sistema non ha installato l'aggiornamento; l'app installata non è cambiata.",
                "The system did not install the update; the installed app is unchanged.",
            ),
        )),
    }
}

/// Restarts the app after an install (Linux and macOS; Windows restarts by itself).
#[tauri::command]
pub fn update_restart(app: AppHandle) {
    app.restart();
}

#[cfg(test)]
mod tests {
    //! The update flow against a server on 127.0.0.1, through the real updater plugin on
    //! Tauri's mock runtime (the app's version is 0.1.0 there).
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use lavoro_agile_tests::http::{Route, TestServer};
    use lavoro_agile_tests::update_signing::{manifest, TestUpdateKey};
    use tauri::test::MockRuntime;

    const FILE: &str = "Lavoro Agile_0.2.0_amd64.deb";

    fn app(pubkey: &str) -> tauri::App<MockRuntime> {
        let mut ctx = tauri::test::mock_context(tauri::test::noop_assets());
        ctx.config_mut().plugins.0.insert(
            "updater".into(),
            serde_json::json!({ "pubkey": pubkey, "requireSignedVersion": true }),
        );
        tauri::test::mock_builder()
            .plugin(tauri_plugin_updater::Builder::new().build())
            .build(ctx)
            .unwrap()
    }

    fn target() -> String {
        app_update::base_target().unwrap()
    }

    /// Publishes `latest.json` offering `version`, with a package signed by `key` for
    /// `signed_version`; `served` replaces the package bytes the server returns.
    fn publish(
        server: &TestServer,
        key: &TestUpdateKey,
        version: &str,
        signed_version: &str,
        served: Option<Vec<u8>>,
    ) -> (String, Vec<u8>) {
        let package = format!("!<arch>\npackage {signed_version}\n").into_bytes();
        let sig = key.sign(&package, FILE, Some(signed_version));
        let url = server.url("/Lavoro%20Agile_0.2.0_amd64.deb");
        server.route(
            "/Lavoro%20Agile_0.2.0_amd64.deb",
            Route {
                body: served.unwrap_or_else(|| package.clone()),
                ..Route::default()
            },
        );
        server.route(
            "/latest.json",
            Route {
                body: manifest(version, &[(&target(), &url, &sig)]).into_bytes(),
                ..Route::default()
            },
        );
        (server.url("/latest.json"), package)
    }

    fn check(
        app: &tauri::App<MockRuntime>,
        endpoint: &str,
    ) -> Result<Option<Update>, ErrorPayload> {
        tauri::async_runtime::block_on(check_online(app.handle(), &[endpoint.to_owned()], Lang::It))
    }

    fn download(update: &Update) -> Result<Vec<u8>, ErrorPayload> {
        tauri::async_runtime::block_on(download_verified(update, Lang::It))
    }

    #[test]
    fn online_newer_signed_version_offered_and_verified() {
        let key = TestUpdateKey::generate();
        let server = TestServer::start();
        let (endpoint, package) = publish(&server, &key, "0.2.0", "0.2.0", None);
        let app = app(&key.pubkey_b64);
        let update = check(&app, &endpoint).unwrap().expect("an offer");
        let offer = offer_of(&update, "online", None);
        assert_eq!(offer.version, "0.2.0");
        assert_eq!(offer.current_version, "0.1.0");
        assert_eq!(offer.notes.as_deref(), Some("Versione 0.2.0: correzioni."));
        assert_eq!(offer.date.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(download(&update).unwrap(), package);
    }

    #[test]
    fn online_tampered_package_refused() {
        let key = TestUpdateKey::generate();
        let server = TestServer::start();
        let (endpoint, _) = publish(
            &server,
            &key,
            "0.2.0",
            "0.2.0",
            Some(b"!<arch>\nsomething else\n".to_vec()),
        );
        let app = app(&key.pubkey_b64);
        let update = check(&app, &endpoint).unwrap().expect("an offer");
        let err = download(&update).unwrap_err();
        assert_eq!(err.code, "update_tampered", "{err:?}");
        assert!(err.message.unwrap().contains("modificato"));
    }

    #[test]
    fn online_wrong_key_refused() {
        let signer = TestUpdateKey::generate();
        let ours = TestUpdateKey::generate();
        let server = TestServer::start();
        let (endpoint, _) = publish(&server, &signer, "0.2.0", "0.2.0", None);
        let app = app(&ours.pubkey_b64);
        let update = check(&app, &endpoint).unwrap().expect("an offer");
        let err = download(&update).unwrap_err();
        assert_eq!(err.code, "update_wrong_key", "{err:?}");
    }

    #[test]
    fn online_older_or_same_version_not_offered() {
        let key = TestUpdateKey::generate();
        for version in ["0.0.9", "0.1.0"] {
            let server = TestServer::start();
            let (endpoint, _) = publish(&server, &key, version, version, None);
            let app = app(&key.pubkey_b64);
            assert!(check(&app, &endpoint).unwrap().is_none(), "{version}");
        }
    }

    #[test]
    fn online_old_package_relabelled_as_newer_refused() {
        let key = TestUpdateKey::generate();
        let server = TestServer::start();
        let (endpoint, _) = publish(&server, &key, "0.2.0", "0.0.9", None);
        let app = app(&key.pubkey_b64);
        let update = check(&app, &endpoint).unwrap().expect("an offer");
        let err = download(&update).unwrap_err();
        assert_eq!(err.code, "update_version_mismatch", "{err:?}");
    }

    #[test]
    fn online_build_without_key_refused_before_any_request() {
        let server = TestServer::start();
        let app = app("");
        let err = check(&app, &server.url("/latest.json"))
            .err()
            .expect("refused");
        assert_eq!(err.code, "update_no_key");
        assert!(server.seen().is_empty());
    }

    #[test]
    fn online_no_address_refused_with_message() {
        let key = TestUpdateKey::generate();
        let app = app(&key.pubkey_b64);
        let err = tauri::async_runtime::block_on(check_online(app.handle(), &[], Lang::It))
            .err()
            .expect("refused");
        assert_eq!(err.code, "update_no_address");
    }

    fn offline_folder(dir: &std::path::Path, key: &TestUpdateKey, version: &str) -> Vec<u8> {
        let package = format!("!<arch>\npackage {version}\n").into_bytes();
        std::fs::write(dir.join(FILE), &package).unwrap();
        let sig = key.sign(&package, FILE, Some(version));
        let url = "https://intranet.comune.example/la/Lavoro%20Agile_0.2.0_amd64.deb";
        std::fs::write(
            dir.join("latest.json"),
            manifest(version, &[(&target(), url, &sig)]),
        )
        .unwrap();
        package
    }

    #[test]
    fn offline_folder_checked_by_app_and_plugin_offered() {
        let key = TestUpdateKey::generate();
        let dir = tempfile::tempdir().unwrap();
        let package = offline_folder(dir.path(), &key, "0.2.0");
        let app = app(&key.pubkey_b64);
        let (update, bytes, file) = check_offline(
            app.handle(),
            &dir.path().join("latest.json"),
            None,
            Lang::It,
        )
        .unwrap();
        assert_eq!(update.version, "0.2.0");
        assert_eq!(bytes, package);
        assert!(file.ends_with(FILE));
    }

    #[test]
    fn offline_tampered_wrong_key_older_refused() {
        let key = TestUpdateKey::generate();
        let other = TestUpdateKey::generate();
        let app_ours = app(&key.pubkey_b64);

        let tampered = tempfile::tempdir().unwrap();
        offline_folder(tampered.path(), &key, "0.2.0");
        std::fs::write(tampered.path().join(FILE), b"!<arch>\nchanged\n").unwrap();
        let older = tempfile::tempdir().unwrap();
        offline_folder(older.path(), &key, "0.0.9");
        let foreign = tempfile::tempdir().unwrap();
        offline_folder(foreign.path(), &other, "0.2.0");

        for (dir, code) in [
            (&tampered, "update_tampered"),
            (&older, "update_not_newer"),
            (&foreign, "update_wrong_key"),
        ] {
            let err = check_offline(app_ours.handle(), dir.path(), None, Lang::It)
                .err()
                .expect("refused");
            assert_eq!(err.code, code);
            assert!(err.message.is_some());
        }
    }
}
