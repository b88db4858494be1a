//! The Firma section in the window, with a real PKCS#11 token: SoftHSM2 initialised in a
//! temporary folder by `lavoro_agile_tests::softhsm` (RSA-2048 and P-256 keys with
//! certificates from a test CA). The app reaches the token through `SOFTHSM2_CONF`, given
//! to it with the home's environment, and the module path set in its settings. Skipped
//! with a message where SoftHSM2 is not installed (failing under `CI=true`).
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use lavoro_agile_tests::softhsm::{self, Fixture};
use serde_json::json;

use crate::harness::{exclusive, with_app, App, Home};
use crate::shell::{axe_source, wait_for};
use crate::verify::{click, install_trust_pack_with, text_of};

const CONTENT: &[u8] = b"Determinazione n. 7 - documento di prova da firmare.\n";

/// The shared token and a home whose app sees it (the token lock is not held: the
/// end-to-end tests already run one at a time).
fn token_home() -> Result<Option<(&'static Fixture, Home)>> {
    let Some((f, guard)) = softhsm::token() else {
        return Ok(None);
    };
    drop(guard);
    let home = Home::new()?.with_env("SOFTHSM2_CONF", f.path("softhsm2.conf"));
    // The test CA is the only trust anchor: our verifier's verdict is then "Valida".
    install_trust_pack_with(&home, &[f.path("ca.pem")])?;
    Ok(Some((f, home)))
}

/// Writes the settings file before the app starts, with SoftHSM as the module.
fn preset_module(home: &Home) -> Result<()> {
    let dir = home.path().join("config/lavoro-agile");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("settings.json"),
        json!({"language": "it", "sign_module": softhsm::SOFTHSM}).to_string(),
    )?;
    Ok(())
}

/// The picker answers with these files (one per line).
fn answer_files(home: &Home, files: &[PathBuf]) -> Result<()> {
    let text: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(home.path().join("pick.txt"), text.join("\n"))?;
    Ok(())
}

fn document(dir: &Path, name: &str) -> Result<PathBuf> {
    let p = dir.join(name);
    std::fs::write(&p, CONTENT)?;
    Ok(p)
}

/// Opens Firma, waits for the token's certificates and picks the RSA signing one.
async fn open_with_certificate(app: &App) -> Result<()> {
    app.open("firma").await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = app
            .js("return document.querySelectorAll('#sign-cert option[value]:not([value=\"\"])').length")
            .await?;
        if n.as_u64().unwrap_or(0) > 0 {
            break;
        }
        let status = text_of(app, "#sign-tokens-status")
            .await
            .unwrap_or_default();
        ensure!(Instant::now() < deadline, "no certificate listed: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let chosen = app
        .js(&format!(
            "const s = document.getElementById('sign-cert');
             const o = Array.from(s.options).find(o => o.value.endsWith(':{}'));
             if (!o) return Array.from(s.options).map(o => o.value + ' ' + o.text);
             s.value = o.value; s.dispatchEvent(new Event('change')); return o.text",
            softhsm::RSA_ID
        ))
        .await?;
    let text = chosen
        .as_str()
        .with_context(|| format!("RSA certificate not offered: {chosen}"))?;
    ensure!(
        text.contains("firma"),
        "not offered as a signing certificate: {text}"
    );
    Ok(())
}

/// Picks the files through the picker stand-in and waits for them in the list.
async fn pick(app: &App, count: usize) -> Result<()> {
    click(app, "#sign-pick").await?;
    wait_for(
        app,
        &format!(
            "return document.querySelectorAll('#sign-files li[data-path]').length === {count}"
        ),
    )
    .await
}

async fn type_pin(app: &App, pin: &str) -> Result<()> {
    // Focused and scrolled through JavaScript (a WebDriver click may land on the status
    // toast), then typed key by key as a user would.
    app.js("const p = document.getElementById('sign-pin'); p.scrollIntoView({block: 'center'}); p.focus(); return null")
        .await?;
    let field = app.client.find(Locator::Css("#sign-pin")).await?;
    field.send_keys(pin).await?;
    Ok(())
}

async fn pin_value(app: &App) -> Result<String> {
    let v = app
        .js("return document.getElementById('sign-pin').value")
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until `count` results are shown; returns each one's (signed, verdict, text).
async fn results(app: &App, count: usize) -> Result<Vec<(String, String, String)>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = app
            .js("return Array.from(document.querySelectorAll('#sign-results .sign-result')).map(li => [li.dataset.signed, li.dataset.verdict, li.textContent])")
            .await?;
        let rows: Vec<(String, String, String)> = serde_json::from_value(v)?;
        if rows.len() >= count {
            return Ok(rows);
        }
        let err = text_of(app, "#sign-error").await.unwrap_or_default();
        ensure!(err.is_empty(), "signing failed: {err}");
        ensure!(Instant::now() < deadline, "no result after 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn openssl_verify(f: &Fixture, p7m: &Path) -> Result<Vec<u8>> {
    let out = tempfile::NamedTempFile::new()?;
    let status = Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-CAfile",
        ])
        .arg(f.path("ca.pem"))
        .arg("-in")
        .arg(p7m)
        .arg("-out")
        .arg(out.path())
        .output()?;
    ensure!(
        status.status.success(),
        "openssl cms -verify refused the output: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    Ok(std::fs::read(out.path())?)
}

async fn axe_problems(app: &App) -> Result<Vec<String>> {
    app.js(&format!("{}\n;return typeof axe;", axe_source()?))
        .await?;
    let result = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help }))))
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await?;
    let list = result
        .as_array()
        .with_context(|| format!("axe failed: {result}"))?;
    Ok(list
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(ToString::to_string)
        .collect())
}

#[tokio::test]
async fn sign_one_file_cades_shows_verdict_and_openssl_accepts() -> Result<()> {
    let _one = exclusive().await;
    let Some((f, home)) = token_home()? else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let doc = document(work.path(), "determinazione.txt")?;
    answer_files(&home, std::slice::from_ref(&doc))?;
    with_app("sign-cades", &home, async |app: &App| {
        // The module is set through the settings view, as a user would.
        app.open("settings").await?;
        app.js(&format!(
            "document.getElementById('settings-sign-module').value = '{}'; return null",
            softhsm::SOFTHSM
        ))
        .await?;
        click(app, "#settings-sign-save").await?;
        wait_for(
            app,
            "return (document.getElementById('settings-sign-result').textContent || '').includes('salvat')",
        )
        .await?;
        open_with_certificate(app).await?;
        pick(app, 1).await?;
        type_pin(app, softhsm::PIN).await?;
        click(app, "#sign-run").await?;
        let rows = results(app, 1).await?;
        ensure!(pin_value(app).await?.is_empty(), "PIN left in the field");
        let (signed, verdict, text) = &rows[0];
        ensure!(signed == "yes", "not signed: {text}");
        ensure!(verdict == "valid", "our verifier says {verdict}: {text}");
        ensure!(text.contains("determinazione.txt.p7m"), "output name not shown: {text}");
        ensure!(text.contains("Valida"), "verdict not shown in words: {text}");
        // The detail panel of the verify view renders the report.
        let detail = text_of(app, "#sign-detail").await?;
        ensure!(detail.contains("CA di prova firma"), "no report detail: {detail}");
        let problems = axe_problems(app).await?;
        ensure!(problems.is_empty(), "axe: {problems:?}");
        app.js("document.getElementById('sign-results').scrollIntoView(); return null")
            .await?;
        app.shot("sign-cades-result").await?;
        // "Verifica in Verifica firma" checks the output in the verify view.
        click(app, "#sign-results .sign-verify").await?;
        app.wait_ready(Some("verifica")).await?;
        wait_for(
            app,
            "const c = document.querySelector('#verify-results .verdict-cell'); return !!c && c.dataset.verdict === 'valid'",
        )
        .await?;
        Ok(())
    })
    .await?;
    let out = work.path().join("determinazione.txt.p7m");
    ensure!(out.is_file(), "no .p7m beside the original");
    ensure!(std::fs::read(&doc)? == CONTENT, "the original changed");
    ensure!(
        openssl_verify(f, &out)? == CONTENT,
        "openssl extracted other content"
    );
    let settings = std::fs::read_to_string(home.path().join("config/lavoro-agile/settings.json"))?;
    ensure!(
        settings.contains(softhsm::SOFTHSM),
        "module setting not stored: {settings}"
    );
    Ok(())
}

#[tokio::test]
async fn sign_wrong_pin_shows_italian_error_and_writes_nothing() -> Result<()> {
    let _one = exclusive().await;
    let Some((_f, home)) = token_home()? else {
        return Ok(());
    };
    preset_module(&home)?;
    let work = tempfile::tempdir()?;
    let doc = document(work.path(), "lettera.txt")?;
    answer_files(&home, std::slice::from_ref(&doc))?;
    with_app("sign-wrong-pin", &home, async |app: &App| {
        open_with_certificate(app).await?;
        pick(app, 1).await?;
        type_pin(app, "999999").await?;
        click(app, "#sign-run").await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let err = loop {
            let e = text_of(app, "#sign-error").await.unwrap_or_default();
            if !e.is_empty() {
                break e;
            }
            ensure!(Instant::now() < deadline, "no error shown");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        ensure!(err.starts_with("PIN errato"), "error: {err}");
        ensure!(pin_value(app).await?.is_empty(), "PIN left in the field");
        app.shot("sign-wrong-pin").await?;
        Ok(())
    })
    .await?;
    let left: Vec<_> = std::fs::read_dir(work.path())?.flatten().collect();
    ensure!(left.len() == 1, "something was written: {left:?}");
    ensure!(
        !home.log_text().contains("999999"),
        "the PIN reached the log"
    );
    Ok(())
}

#[tokio::test]
async fn sign_two_files_one_pin_after_confirmation() -> Result<()> {
    let _one = exclusive().await;
    let Some((f, home)) = token_home()? else {
        return Ok(());
    };
    preset_module(&home)?;
    let work = tempfile::tempdir()?;
    let docs = vec![
        document(work.path(), "primo.txt")?,
        document(work.path(), "secondo.txt")?,
    ];
    answer_files(&home, &docs)?;
    with_app("sign-two", &home, async |app: &App| {
        open_with_certificate(app).await?;
        pick(app, 2).await?;
        type_pin(app, softhsm::PIN).await?;
        click(app, "#sign-run").await?;
        wait_for(
            app,
            "return !!document.getElementById('sign-confirm-dialog')",
        )
        .await?;
        let listed = text_of(app, "#sign-confirm-list").await?;
        ensure!(
            listed.contains("primo.txt") && listed.contains("secondo.txt"),
            "confirmation list: {listed}"
        );
        ensure!(
            std::fs::read_dir(work.path())?.count() == 2,
            "signed before the confirmation"
        );
        app.shot("sign-confirm-two").await?;
        click(app, "#sign-confirm-yes").await?;
        let rows = results(app, 2).await?;
        for (signed, verdict, text) in &rows {
            ensure!(
                signed == "yes" && verdict == "valid",
                "{signed} {verdict}: {text}"
            );
        }
        Ok(())
    })
    .await?;
    for d in &docs {
        let out = PathBuf::from(format!("{}.p7m", d.display()));
        ensure!(out.is_file(), "missing {}", out.display());
        ensure!(
            openssl_verify(f, &out)? == CONTENT,
            "openssl: {}",
            out.display()
        );
    }
    Ok(())
}
