//! The Verifica firma section in the window. Only generated fixtures are used (the shared
//! CAdES fixtures of `tests/fixtures/cades/` and `fixtures/` here): the corpus holds real
//! people's data and must never appear in a screenshot.
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use fantoccini::key::Key;
use lavoro_agile_api::packs::{self, Limits, PackEnv};
use lavoro_agile_packs::build::{build_pack, BuildOptions};
use lavoro_agile_packs::{sign, Kind, Version};
use serde_json::{json, Value};

use crate::harness::{exclusive, with_app, with_app_args, App, Home};
use crate::shell::{axe_source, wait_for};

/// The content every shared fixture signs (`tests/fixtures/cades/make.py`).
pub(crate) const SIGNED_CONTENT: &[u8] =
    b"Determinazione n. 42 del 1 marzo 2024 - documento di prova.\n";

pub(crate) fn cades(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/cades")
        .join(name)
}

pub(crate) fn own(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/fixtures")
        .join(name)
}

pub(crate) fn arg(p: &Path) -> String {
    p.display().to_string()
}

/// Installs, before the app starts, a signed trust pack whose only anchor is the shared
/// fixtures' RSA signer: its signatures are then TOTAL_PASSED ("Valida").
pub(crate) fn install_trust_pack(home: &Home) -> Result<()> {
    install_trust_pack_with(home, &[cades("signer-rsa.pem")])
}

/// Installs, before the app starts, a signed trust pack holding `anchors`.
pub(crate) fn install_trust_pack_with(home: &Home, anchors: &[PathBuf]) -> Result<()> {
    let work = tempfile::tempdir()?;
    let src = work.path().join("trust");
    std::fs::create_dir_all(&src)?;
    for (i, a) in anchors.iter().enumerate() {
        std::fs::copy(a, src.join(format!("ancora-{i}.pem")))?;
    }
    let opts = BuildOptions {
        kind: Kind::Trust,
        version: 1,
        created: time::macros::datetime!(2026-11-20 10:00 UTC),
        min_app_version: Version(0, 1, 0),
    };
    let bytes = build_pack(&src, &opts, &Limits::default())?;
    let pack = work.path().join("fiducia-1.pack");
    std::fs::write(&pack, &bytes)?;
    let key = sign::generate(None, "e2e")?;
    let secret = sign::load_secret_key(&key.secret_text, None)?;
    let sig = sign::sign(&secret, bytes.as_slice(), "fiducia di prova")?;
    std::fs::write(work.path().join("fiducia-1.pack.minisig"), sig)?;
    let keys = home.system_dir().join("keys");
    std::fs::create_dir_all(&keys)?;
    let public_line = key.public_text.lines().nth(1).unwrap_or_default();
    std::fs::write(
        keys.join("fiducia.packkey"),
        format!(
            "comment = \"chiave di prova\"\npublic_key = \"{public_line}\"\nkinds = [\"trust\"]\n"
        ),
    )?;
    let env = PackEnv {
        store_dir: home.path().join("data/lavoro-agile/packs"),
        system_dir: home.system_dir(),
        bundled_keys_dir: None,
        app_version: packs::app_version(),
        limits: Limits::default(),
    };
    packs::install_file(&env, &pack, time::OffsetDateTime::now_utc(), &mut |_| {})?;
    Ok(())
}

/// The batch state the view shows (`idle`, `running`, `finished`, `cancelled`).
pub(crate) async fn run_state(app: &App) -> Result<String> {
    let v = app
        .js("const v = document.getElementById('verify-view'); return v ? (v.dataset.state || '') : ''")
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Clears the state the view shows, so that waiting for the end of the next batch does not
/// see the end of the previous one (the next batch starts only after the picker answers).
pub(crate) async fn forget_state(app: &App) -> Result<()> {
    app.js("document.getElementById('verify-view').dataset.state = ''; return null")
        .await?;
    Ok(())
}

/// Waits until the batch ends; returns the final state.
pub(crate) async fn wait_batch_end(app: &App, timeout: Duration) -> Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let s = run_state(app).await?;
        if s == "finished" || s == "cancelled" {
            return Ok(s);
        }
        ensure!(
            Instant::now() < deadline,
            "batch still {s:?} after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The verdict of each row, in order (`pending` while not checked).
pub(crate) async fn verdicts(app: &App) -> Result<Vec<String>> {
    let v = app
        .js("return Array.from(document.querySelectorAll('#verify-results tbody tr')).map(tr => tr.querySelector('.verdict-cell').dataset.verdict)")
        .await?;
    Ok(serde_json::from_value(v)?)
}

pub(crate) async fn text_of(app: &App, css: &str) -> Result<String> {
    let v = app
        .js(&format!(
            "const e = document.querySelector('{css}'); return e ? e.textContent : null"
        ))
        .await?;
    v.as_str()
        .map(str::to_owned)
        .with_context(|| format!("no element {css}"))
}

/// Clicks through JavaScript: WebDriver clicks on elements under the fixed status toast
/// fail with empty errors.
pub(crate) async fn click(app: &App, css: &str) -> Result<()> {
    let found = app
        .js(&format!(
            "const e = document.querySelector('{css}'); if (!e) return false; e.click(); return true"
        ))
        .await?;
    ensure!(found == json!(true), "nothing to click at {css}");
    Ok(())
}

/// Opens the detail panel of row `index` and scrolls it into view.
pub(crate) async fn show_detail(app: &App, index: usize) -> Result<String> {
    click(
        app,
        &format!("#verify-results tr[data-index=\"{index}\"] .verify-details"),
    )
    .await?;
    wait_for(
        app,
        &format!("return document.getElementById('verify-detail').dataset.index === '{index}'"),
    )
    .await?;
    app.js("document.getElementById('verify-detail').scrollIntoView(); return null")
        .await?;
    text_of(app, "#verify-detail").await
}

/// Waits until the document result line says something, and returns it.
async fn original_result(app: &App) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = text_of(app, "#verify-original-result")
            .await
            .unwrap_or_default();
        if !t.is_empty() {
            return Ok(t);
        }
        ensure!(Instant::now() < deadline, "no outcome for the document");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn files_given_at_start_show_valid_invalid_indeterminate_and_unsupported() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    install_trust_pack(&home)?;
    let work = tempfile::tempdir()?;
    let xades = work.path().join("delibera.xml");
    std::fs::write(
        &xades,
        "<?xml version=\"1.0\"?><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>\n",
    )?;
    let args = vec![
        arg(&cades("attached.p7m")),
        arg(&cades("tampered.p7m")),
        arg(&cades("ecdsa-p256.p7m")),
        arg(&xades),
    ];
    with_app_args("verify-start-args", &home, &args, async |app: &App| {
        app.wait_ready(Some("verifica")).await?;
        ensure!(
            wait_batch_end(app, Duration::from_secs(60)).await? == "finished",
            "batch did not finish"
        );
        let v = verdicts(app).await?;
        ensure!(
            v == ["valid", "invalid", "indeterminate", "not_checked"],
            "verdicts: {v:?}"
        );
        let rows = text_of(app, "#verify-results tbody").await?;
        for words in ["Valida", "Non valida", "Da verificare", "Non verificabile"] {
            ensure!(rows.contains(words), "{words} missing in {rows}");
        }
        ensure!(
            rows.contains("firme XAdES non sono ancora supportate"),
            "XAdES not named: {rows}"
        );

        let valid = show_detail(app, 0).await?;
        for fact in [
            "Mario Rossi",
            "RSSMRA80A01H501U",
            "Emesso da",
            "Integrità del documento",
            "revoca non verificata",
            "Data di verifica usata",
        ] {
            ensure!(valid.contains(fact), "valid detail lacks {fact}: {valid}");
        }
        app.shot("verify-valid").await?;
        let invalid = show_detail(app, 1).await?;
        ensure!(
            invalid.contains("HASH_FAILURE") && invalid.contains("non superato"),
            "invalid detail: {invalid}"
        );
        app.shot("verify-invalid").await?;
        let indeterminate = show_detail(app, 2).await?;
        ensure!(
            indeterminate.contains("Catena di fiducia del certificato"),
            "indeterminate detail: {indeterminate}"
        );
        app.shot("verify-indeterminate").await?;

        // The view with results and a detail panel open passes axe.
        let axe = axe_source()?;
        app.js(&format!("{axe}\n;return typeof axe;")).await?;
        let result = app
            .js_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help)))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await?;
        ensure!(result == json!([]), "axe: {result}");

        // A file opened from the file manager while the app runs reaches this window.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            let mut second = home
                .app_command()
                .arg(cades("ed25519.p7m"))
                .spawn()?;
            tokio::time::timeout(Duration::from_secs(20), second.wait())
                .await
                .context("the second instance did not exit")??;
            let deadline = Instant::now() + Duration::from_secs(20);
            while verdicts(app).await? != ["indeterminate"] {
                ensure!(
                    Instant::now() < deadline,
                    "forwarded file not checked: {:?}",
                    verdicts(app).await?
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let name = text_of(app, "#verify-results tbody .file-name").await?;
            ensure!(name == "ed25519.p7m", "forwarded row: {name}");
        }
        Ok(())
    })
    .await
}

/// Copies `file` into `dir` `n` times as `prefix-<i>.p7m`.
fn copies(file: &Path, dir: &Path, prefix: &str, n: usize) -> Result<()> {
    let bytes = std::fs::read(file)?;
    for i in 0..n {
        std::fs::write(dir.join(format!("{prefix}-{i:04}.p7m")), &bytes)?;
    }
    Ok(())
}

#[tokio::test]
async fn folder_from_picker_is_counted_to_100_percent_and_1000_files_are_timed() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let work = tempfile::tempdir()?;
    let folder = work.path().join("cartella");
    std::fs::create_dir_all(folder.join("sottocartella"))?;
    copies(&cades("attached.p7m"), &folder, "a", 5)?;
    copies(&cades("tampered.p7m"), &folder, "t", 3)?;
    copies(
        &cades("ecdsa-p256.p7m"),
        &folder.join("sottocartella"),
        "e",
        2,
    )?;
    std::fs::copy(cades("garbage.p7m"), folder.join("rotto.p7m"))?;
    std::fs::write(folder.join("appunti.txt"), "non è un file firmato")?;
    let thousand = work.path().join("mille");
    std::fs::create_dir_all(&thousand)?;
    copies(&cades("attached.p7m"), &thousand, "atto", 1000)?;

    with_app("verify-folder", &home, async |app: &App| {
        app.open("verifica").await?;
        home.answer_picker(Some(&folder))?;
        // Keyboard only: Tab from the heading to the folder button, then Enter.
        app.js("document.querySelector('#verify-view h1').focus(); return null")
            .await?;
        let mut reached = false;
        for _ in 0..10 {
            app.client
                .active_element()
                .await?
                .send_keys(&Key::Tab.to_string())
                .await?;
            let id = app
                .js("return document.activeElement && document.activeElement.id")
                .await?;
            if id == json!("verify-pick-folder") {
                reached = true;
                break;
            }
        }
        ensure!(reached, "Tab never reached the folder button");
        app.client
            .active_element()
            .await?
            .send_keys(&Key::Enter.to_string())
            .await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
        let count = text_of(app, "#verify-count").await?;
        ensure!(
            count.contains("11 di 11 file verificati (100%)"),
            "count: {count}"
        );
        let progress: Value = app
            .js("const p = document.getElementById('verify-progress'); return [p.value, p.max, p.dataset.percent]")
            .await?;
        ensure!(progress == json!([11, 11, "100"]), "progress: {progress}");
        let summary: Value = app
            .js("return ['valid','invalid','indeterminate','not_checked'].map(k => document.querySelector('[data-count=' + k + '] .count').textContent)")
            .await?;
        ensure!(summary == json!(["0", "3", "7", "1"]), "summary: {summary}");
        app.shot("verify-folder").await?;

        // 1,000 small files: the time until every result is shown (reported, not asserted).
        home.answer_picker(Some(&thousand))?;
        forget_state(app).await?;
        let started = Instant::now();
        click(app, "#verify-pick-folder").await?;
        ensure!(wait_batch_end(app, Duration::from_secs(300)).await? == "finished");
        let shown = started.elapsed();
        let count = text_of(app, "#verify-count").await?;
        ensure!(count.contains("1000 di 1000"), "count: {count}");
        let rows = app
            .js("return document.querySelectorAll('#verify-results tbody tr[data-verdict]').length")
            .await?;
        ensure!(rows == json!(1000), "rows with a verdict: {rows}");
        eprintln!(
            "MEASURE verify 1000 small files: all results shown {} ms after the click ({count})",
            shown.as_millis()
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn cancel_stops_a_large_batch_and_the_window_stays_responsive() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let work = tempfile::tempdir()?;
    let folder = work.path().join("grandi");
    std::fs::create_dir_all(&folder)?;
    // Sparse files: large to read and hash, nothing on disk.
    const FILES: usize = 200;
    for i in 0..FILES {
        let f = std::fs::File::create(folder.join(format!("grande-{i:03}.p7m")))?;
        f.set_len(48 << 20)?;
    }
    with_app("verify-cancel", &home, async |app: &App| {
        app.open("verifica").await?;
        home.answer_picker(Some(&folder))?;
        click(app, "#verify-pick-folder").await?;
        wait_for(
            app,
            "return document.getElementById('verify-view').dataset.state === 'running' && document.querySelectorAll('#verify-results tbody tr').length > 0",
        )
        .await?;
        // The window answers while the batch runs: another section opens and back.
        app.open("home").await?;
        app.open("verifica").await?;
        ensure!(run_state(app).await? == "running", "batch ended too early");
        click(app, "#verify-cancel").await?;
        ensure!(
            wait_batch_end(app, Duration::from_secs(60)).await? == "cancelled",
            "not cancelled"
        );
        let v = verdicts(app).await?;
        let checked = v.iter().filter(|x| x.as_str() != "pending").count();
        ensure!(
            v.len() == FILES && checked < FILES / 2,
            "checked {checked} of {}",
            v.len()
        );
        let count = text_of(app, "#verify-count").await?;
        ensure!(count.contains("Verifica annullata"), "count: {count}");
        let rows = text_of(app, "#verify-results tbody").await?;
        ensure!(
            rows.contains("verifica annullata"),
            "pending rows not marked"
        );
        app.shot("verify-cancelled").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn original_document_is_saved_byte_for_byte_and_a_program_needs_confirmation() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let out = tempfile::tempdir()?;
    let args = vec![arg(&cades("attached.p7m")), arg(&own("programma.sh.p7m"))];
    with_app_args("verify-original", &home, &args, async |app: &App| {
        app.wait_ready(Some("verifica")).await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
        show_detail(app, 0).await?;

        home.answer_picker(Some(out.path()))?;
        click(app, "#verify-save").await?;
        let said = original_result(app).await?;
        ensure!(said.contains("Documento salvato"), "save: {said}");
        let saved = std::fs::read(out.path().join("attached"))?;
        ensure!(saved == SIGNED_CONTENT, "saved content differs");

        click(app, "#verify-open").await?;
        wait_for(
            app,
            "return document.getElementById('verify-original-result').textContent.includes('Documento aperto')",
        )
        .await?;
        let opened_dir = home.path().join("cache/lavoro-agile/documenti-aperti");
        let opened = find_file(&opened_dir, "attached").context("no opened copy")?;
        ensure!(std::fs::read(opened)? == SIGNED_CONTENT, "opened copy differs");

        // A signed shell script: a warning first; "Non aprire" writes nothing.
        show_detail(app, 1).await?;
        click(app, "#verify-open").await?;
        wait_for(app, "return !!document.getElementById('verify-risk-text')").await?;
        let warning = text_of(app, "#verify-risk-text").await?;
        ensure!(
            warning.contains("programma.sh") && warning.contains("programma o uno script"),
            "warning: {warning}"
        );
        app.shot("verify-risk-warning").await?;
        click(app, "#verify-risk-cancel").await?;
        ensure!(find_file(&opened_dir, "programma.sh").is_none(), "written before confirmation");
        click(app, "#verify-open").await?;
        wait_for(app, "return !!document.getElementById('verify-risk-open')").await?;
        click(app, "#verify-risk-open").await?;
        wait_for(
            app,
            "return document.getElementById('verify-original-result').textContent.includes('Documento aperto')",
        )
        .await?;
        let script = find_file(&opened_dir, "programma.sh").context("script not written")?;
        ensure!(
            std::fs::read(script)? == std::fs::read(own("programma.sh"))?,
            "script content differs"
        );
        Ok(())
    })
    .await
}

/// The first file called `name` in the folders under `dir`.
pub(crate) fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path().join(name))
        .find(|p| p.is_file())
}
