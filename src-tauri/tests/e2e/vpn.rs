//! The VPN section in the window: import a profile through the file dialog and see its
//! check result; save credentials in a real gnome-keyring (on a private D-Bus bus given to
//! the app), then search the data, config, cache and log folders for the password; delete;
//! and the clear message when no keychain answers.
use std::path::{Path, PathBuf};

use anyhow::{ensure, Result};
use lavoro_agile_tests::secret_service::SecretService;
use serde_json::json;

use crate::harness::{exclusive, with_app, App, Home};
use crate::shell::wait_for;

const PASSWORD: &str = "E2e-Password-Solo-Portachiavi-4412";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/vpn/tests/fixtures")
}

/// Copies the clean and hostile fixtures into `dir` (with the files the clean profile
/// references) and returns the folder.
fn profiles(dir: &Path) -> Result<PathBuf> {
    for sub in ["clean", "clean/chiavi", "hostile"] {
        std::fs::create_dir_all(dir.join(sub))?;
        for e in std::fs::read_dir(fixtures().join(sub))? {
            let p = e?.path();
            if p.is_file() {
                if let Some(name) = p.file_name() {
                    std::fs::copy(&p, dir.join(sub).join(name))?;
                }
            }
        }
    }
    Ok(dir.to_path_buf())
}

/// Clicks the import button (by script: the status toast may cover it) and waits for the
/// check result; returns its text and whether it was acceptable.
async fn import(app: &App, home: &Home, file: &Path) -> Result<(String, bool)> {
    home.answer_picker(Some(file))?;
    app.js("document.getElementById('vpn-result').textContent = ''; document.getElementById('vpn-import').click(); return null")
        .await?;
    wait_for(
        app,
        "return document.getElementById('vpn-import-lint') !== null",
    )
    .await?;
    let v = app
        .js("const b = document.getElementById('vpn-import-lint'); return [b.textContent, b.dataset.acceptable]")
        .await?;
    Ok((
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1] == json!("true"),
    ))
}

fn assert_nowhere(dir: &Path, needle: &str) -> Result<usize> {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                files += 1;
                let bytes = std::fs::read(&p)?;
                ensure!(
                    !String::from_utf8_lossy(&bytes).contains(needle),
                    "the password is in {}",
                    p.display()
                );
            }
        }
    }
    Ok(files)
}

#[tokio::test]
async fn vpn_import_shows_lint_and_password_stays_in_keychain() -> Result<()> {
    let _one = exclusive().await;
    let keyring = SecretService::start().map_err(anyhow::Error::msg)?;
    let home = Home::new()?.with_env("DBUS_SESSION_BUS_ADDRESS", keyring.address());
    let work = tempfile::tempdir()?;
    let dir = profiles(work.path())?;

    with_app("vpn", &home, async |app: &App| {
        app.open("vpn").await?;
        ensure!(
            app.js("return document.getElementById('vpn-keychain-problem') === null")
                .await?
                == json!(true),
            "the keychain should answer"
        );

        let (text, ok) = import(app, &home, &dir.join("hostile/scripts.ovpn")).await?;
        ensure!(!ok, "hostile profile accepted: {text}");
        ensure!(text.contains("profilo OpenVPN rifiutato"), "{text}");
        ensure!(
            text.contains("riga 4, «up»: esegue comandi o carica programmi"),
            "{text}"
        );
        ensure!(text.contains("riga 7, «plugin»"), "{text}");
        ensure!(
            app.js("return document.getElementById('vpn-empty') !== null")
                .await?
                == json!(true),
            "a refused profile was stored"
        );
        app.shot("vpn-refused").await?;

        let (text, ok) = import(app, &home, &dir.join("clean/ufficio.ovpn")).await?;
        ensure!(ok, "clean profile refused: {text}");
        ensure!(text.contains("Profilo «ufficio» importato"), "{text}");
        ensure!(text.contains("ca.crt"), "{text}");
        wait_for(
            app,
            "return document.querySelector('li.vpn-profile[data-profile-id=ufficio]') !== null",
        )
        .await?;

        // Credentials: typed into the masked form, saved in the keychain.
        ensure!(
            app.js("return document.getElementById('vpn-pass-ufficio').type")
                .await?
                == json!("password"),
            "password field not masked"
        );
        app.js_async(
            "const [pw, done] = arguments; \
             document.getElementById('vpn-user-ufficio').value = 'mario.rossi'; \
             document.getElementById('vpn-pass-ufficio').value = pw; \
             document.querySelector('li[data-profile-id=ufficio] .vpn-creds-save').click(); \
             done(null);",
            vec![json!(PASSWORD)],
        )
        .await?;
        wait_for(
            app,
            "const s = document.querySelector('li[data-profile-id=ufficio] .vpn-creds-state'); \
             return s !== null && s.textContent.includes('mario.rossi')",
        )
        .await?;
        app.shot("vpn-credentials-saved").await?;
        let page_has_password = app
            .client
            .execute(
                "return document.documentElement.outerHTML.includes(arguments[0]) || \
                 [...document.querySelectorAll('input')].some(i => i.value === arguments[0])",
                vec![json!(PASSWORD)],
            )
            .await?;
        ensure!(
            page_has_password == json!(false),
            "the password stayed in the page"
        );
        Ok(())
    })
    .await?;

    // After the app has exited (logs flushed): the password is in no file of the home.
    let files = assert_nowhere(home.path(), PASSWORD)?;
    ensure!(
        files >= 3,
        "expected the profile, its description and a log"
    );
    ensure!(
        home.log_text()
            .contains("credentials saved in the keychain"),
        "the save was not logged"
    );

    // A new start reads the credentials back from the keychain, then delete removes both.
    with_app("vpn-delete", &home, async |app: &App| {
        app.open("vpn").await?;
        wait_for(
            app,
            "const s = document.querySelector('li[data-profile-id=ufficio] .vpn-creds-state'); \
             return s !== null && s.textContent.includes('mario.rossi')",
        )
        .await?;
        app.js("document.querySelector('li[data-profile-id=ufficio] .vpn-delete').click(); return null")
            .await?;
        app.js("document.querySelector('li[data-profile-id=ufficio] .vpn-delete-confirm').click(); return null")
            .await?;
        wait_for(app, "return document.getElementById('vpn-empty') !== null").await?;
        Ok(())
    })
    .await?;
    let vpn_dir = home.path().join("data/lavoro-agile/vpn");
    ensure!(
        std::fs::read_dir(&vpn_dir)?.count() == 0,
        "profile files left in {}",
        vpn_dir.display()
    );
    Ok(())
}

#[tokio::test]
async fn vpn_without_keychain_shows_clear_italian_message() -> Result<()> {
    let _one = exclusive().await;
    let bus = SecretService::bus_only().map_err(anyhow::Error::msg)?;
    let home = Home::new()?.with_env("DBUS_SESSION_BUS_ADDRESS", bus.address());
    with_app("vpn-no-keychain", &home, async |app: &App| {
        app.open("vpn").await?;
        wait_for(
            app,
            "return document.getElementById('vpn-keychain-problem') !== null",
        )
        .await?;
        let text = app
            .js("return document.getElementById('vpn-keychain-problem').textContent")
            .await?;
        let text = text.as_str().unwrap_or_default();
        ensure!(
            text.contains("Il portachiavi del sistema non risponde"),
            "{text}"
        );
        ensure!(text.contains("riprova"), "{text}");
        Ok(())
    })
    .await
}
