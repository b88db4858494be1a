//! Verifica firma, continued: the reports exported from the results view. Generated
//! fixtures only (see `verify`). Needs `pdftotext` (Debian poppler-utils) and `xmllint`
//! (Debian libxml2-utils), as the report crate's tests do.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};

use crate::harness::{exclusive, with_app_args, App, Home};
use crate::shell::wait_for;
use crate::verify::{arg, cades, click, install_trust_pack, show_detail, text_of, wait_batch_end};

/// The ETSI TS 119 102-2 schema and its imports (`../shared/schemas`, see its README).
fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas")
}

/// Copies the schemas into `dir` with their imports pointing to the local copies (the
/// publishers' addresses are not reachable offline); returns the main schema's path.
fn local_schemas(dir: &Path) -> Result<PathBuf> {
    let map = |loc: &str| -> Option<&'static str> {
        if loc.ends_with("xmldsig-core-schema.xsd") {
            Some("xmldsig-core-schema.xsd")
        } else if loc.ends_with("/XAdES.xsd") || loc.contains("XAdES01903v132") {
            Some("XAdES01903v132-202407.xsd")
        } else if loc.ends_with("ts_119612v020201_201601xsd.xsd") || loc.ends_with("19612_xsd.xsd")
        {
            Some("ts_119612v020401_xsd.xsd")
        } else if loc == "http://www.w3.org/2001/xml.xsd" {
            Some("xml.xsd")
        } else {
            None
        }
    };
    for entry in std::fs::read_dir(schemas()).context("no ../shared/schemas")? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("xsd") {
            continue;
        }
        let mut text = std::fs::read_to_string(&path)?;
        let mut out = String::new();
        while let Some(i) = text.find("schemaLocation=\"") {
            let start = i + "schemaLocation=\"".len();
            let end = start + text[start..].find('"').context("unterminated attribute")?;
            out.push_str(&text[..start]);
            let loc = &text[start..end];
            out.push_str(map(loc).unwrap_or(loc));
            text = text[end..].to_owned();
        }
        out.push_str(&text);
        std::fs::write(dir.join(path.file_name().context("no name")?), out)?;
    }
    Ok(dir.join("1910202xmlSchema.xsd"))
}

/// Validates `xml` against the ETSI TS 119 102-2 schema with `xmllint`.
fn xmllint_valid(xml: &Path) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let xsd = local_schemas(dir.path())?;
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(xml)
        .output()
        .context("xmllint missing (Debian libxml2-utils, make deps)")?;
    if !out.status.success() {
        bail!(
            "{} is not valid: {}",
            xml.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The text of a PDF, as `pdftotext` extracts it.
fn pdf_text(pdf: &Path) -> Result<String> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .context("pdftotext missing (Debian poppler-utils, make deps)")?;
    ensure!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// Waits until the element `css` says something, and returns it.
async fn said(app: &App, css: &str) -> Result<String> {
    wait_for_long(
        app,
        &format!(
            "const e = document.querySelector('{css}'); return !!e && e.textContent.trim() !== ''"
        ),
    )
    .await?;
    text_of(app, css).await
}

fn sha256_hex(path: &Path) -> Result<String> {
    let out = Command::new("sha256sum").arg(path).output()?;
    let text = String::from_utf8(out.stdout)?;
    Ok(text
        .split_whitespace()
        .next()
        .context("no sha256sum output")?
        .to_owned())
}

#[tokio::test]
async fn export_from_results_writes_pdf_xml_json_with_verdict_and_hash() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    install_trust_pack(&home)?;
    let out = tempfile::tempdir()?;
    let args = vec![arg(&cades("attached.p7m")), arg(&cades("tampered.p7m"))];
    with_app_args("verify-export", &home, &args, async |app: &App| {
        app.wait_ready(Some("verifica")).await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");

        // One file, from its detail panel.
        show_detail(app, 0).await?;
        home.answer_picker(Some(out.path()))?;
        click(app, "#verify-export").await?;
        let message = said(app, "#verify-export-result").await?;
        ensure!(message.contains("Rapporto salvato"), "export: {message}");
        let stem = out.path().join("attached - rapporto di verifica");
        let (pdf, xml, json) = (
            stem.with_extension("pdf"),
            stem.with_extension("xml"),
            stem.with_extension("json"),
        );
        for f in [&pdf, &xml, &json] {
            ensure!(f.is_file(), "{} not written", f.display());
        }
        let text = pdf_text(&pdf)?;
        let sha = sha256_hex(&cades("attached.p7m"))?;
        ensure!(text.contains("FIRMA VALIDA"), "verdict missing in the PDF: {text}");
        ensure!(text.contains(&sha), "SHA-256 missing in the PDF: {text}");
        xmllint_valid(&xml)?;
        let xml_text = std::fs::read_to_string(&xml)?;
        ensure!(xml_text.contains("urn:etsi:019102:mainindication:total-passed"));
        let json_value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
        ensure!(
            json_value.to_string().contains(&sha) && json_value.get("policy").is_some(),
            "JSON report: {json_value}"
        );
        app.js("document.getElementById('verify-export-result').scrollIntoView({block: 'center'}); return null")
            .await?;
        app.shot("verify-export").await?;

        // The whole batch, from the results; an earlier report is never replaced.
        click(app, "#verify-export-all").await?;
        let message = said(app, "#verify-export-all-result").await?;
        ensure!(message.contains("Rapporto salvato"), "export all: {message}");
        let all = out.path().join("rapporto di verifica.pdf");
        let text = pdf_text(&all)?;
        ensure!(
            text.contains("FIRMA VALIDA") && text.contains("FIRMA NON VALIDA"),
            "batch PDF lacks a verdict: {text}"
        );
        xmllint_valid(&out.path().join("rapporto di verifica.xml"))?;
        ensure!(out.path().join("rapporto di verifica.json").is_file());

        click(app, "#verify-export").await?;
        wait_for_long(
            app,
            "return document.getElementById('verify-export-result').textContent.includes('(2)')",
        )
        .await?;
        ensure!(out
            .path()
            .join("attached - rapporto di verifica (2).xml")
            .is_file());

        // Cancelling the folder dialog writes nothing and says so.
        home.answer_picker(None)?;
        let before = std::fs::read_dir(out.path())?.count();
        click(app, "#verify-export").await?;
        wait_for(
            app,
            "return document.getElementById('verify-export-result').textContent.includes('Nessun rapporto')",
        )
        .await?;
        ensure!(std::fs::read_dir(out.path())?.count() == before);
        Ok(())
    })
    .await
}

fn pades(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pades")
        .join(name)
}

/// The length of the revision the first `/ByteRange [a b c d]` in `pdf` covers: `c + d`
/// (read independently of the app's PDF reader).
fn first_signed_length(pdf: &[u8]) -> Result<usize> {
    let key = b"/ByteRange";
    let at = pdf
        .windows(key.len())
        .position(|w| w == key)
        .context("no /ByteRange")?;
    let rest = &pdf[at + key.len()..];
    let open = rest.iter().position(|&b| b == b'[').context("no [")?;
    let close = rest.iter().position(|&b| b == b']').context("no ]")?;
    let numbers: Vec<usize> = std::str::from_utf8(&rest[open + 1..close])?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    ensure!(numbers.len() == 4, "ByteRange {numbers:?}");
    Ok(numbers[2] + numbers[3])
}

#[tokio::test]
async fn signed_pdf_version_per_signature_equals_its_byte_range() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let out = tempfile::tempdir()?;
    let pdf = pades("two-signatures.pdf");
    let whole = std::fs::read(&pdf)?;
    let first_len = first_signed_length(&whole)?;
    ensure!(
        first_len < whole.len(),
        "the fixture's first signature covers everything"
    );
    with_app_args("verify-pdf-version", &home, &[arg(&pdf)], async |app: &App| {
        app.wait_ready(Some("verifica")).await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
        let detail = show_detail(app, 0).await?;
        ensure!(
            detail.contains("Versione firmata da") && detail.contains("firma S2"),
            "no signed versions offered: {detail}"
        );
        app.js("document.getElementById('verify-original-result').scrollIntoView({block: 'center'}); return null")
            .await?;
        app.shot("verify-pdf-versions").await?;
        // The panel with the version, preview and export controls passes axe.
        let axe = crate::shell::axe_source()?;
        app.js(&format!("{axe}\n;return typeof axe;")).await?;
        let violations = app
            .js_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help)))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await?;
        ensure!(violations == serde_json::json!([]), "axe: {violations}");

        // S1 saved to a folder the user picks: the file's first revision, byte for byte.
        home.answer_picker(Some(out.path()))?;
        click(app, "#verify-save-S1").await?;
        let message = said(app, "#verify-original-result").await?;
        ensure!(message.contains("Documento salvato"), "save: {message}");
        let saved = std::fs::read(out.path().join("two-signatures (S1).pdf"))?;
        ensure!(
            saved.len() == first_len && saved[..] == whole[..first_len],
            "S1 version: {} bytes, expected the first {first_len}",
            saved.len()
        );

        // S2 opened: written to the private 0700 folder first.
        click(app, "#verify-open-S2").await?;
        wait_for(
            app,
            "return document.getElementById('verify-original-result').textContent.includes('Documento aperto')",
        )
        .await?;
        let opened_dir = home.path().join("cache/lavoro-agile/documenti-aperti");
        let opened = crate::verify::find_file(&opened_dir, "two-signatures (S2).pdf")
            .context("no opened copy of S2")?;
        ensure!(std::fs::read(&opened)? == whole, "S2 covers the whole file");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(opened.parent().context("no folder")?)?
            .permissions()
            .mode();
        ensure!(mode & 0o777 == 0o700, "private folder mode {mode:o}");
        Ok(())
    })
    .await
}

/// A one-page PDF whose content stream is 1 GiB of zeros behind 7 MB of deflate (a
/// decompression bomb), with a correct cross-reference table.
fn bomb_pdf() -> Result<Vec<u8>> {
    let stream = lavoro_agile_api::preview::testing::zlib_zero_bomb(4_200_000);
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        [
            format!(
                "<< /Length {} /Filter /FlateDecode >>\nstream\n",
                stream.len()
            )
            .as_bytes(),
            &stream,
            b"\nendstream",
        ]
        .concat(),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    Ok(out)
}

#[tokio::test]
async fn pdf_text_preview_shows_text_and_a_bomb_ends_with_a_message() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let work = tempfile::tempdir()?;
    let bomb = work.path().join("bomba.pdf");
    std::fs::write(&bomb, bomb_pdf()?)?;
    let args = vec![arg(&pades("signed.pdf")), arg(&bomb)];
    with_app_args("verify-preview", &home, &args, async |app: &App| {
        app.wait_ready(Some("verifica")).await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
        show_detail(app, 0).await?;
        click(app, "#verify-preview").await?;
        wait_for_long(
            app,
            "return !!document.getElementById('verify-preview-text')",
        )
        .await?;
        let text = text_of(app, "#verify-preview-text").await?;
        ensure!(
            text.contains("Determinazione n. 42 del 1 marzo 2024"),
            "preview: {text}"
        );
        app.js("document.getElementById('verify-preview-result').scrollIntoView({block: 'center'}); return null")
            .await?;
        app.shot("verify-preview").await?;

        // The bomb: the child is stopped by its limits; the window says so in Italian.
        let v = crate::verify::verdicts(app).await?;
        ensure!(v.len() == 2, "rows: {v:?}");
        show_detail(app, 1).await?;
        click(app, "#verify-preview").await?;
        wait_for_long(
            app,
            "return !!document.querySelector('#verify-preview-result .alert')",
        )
        .await?;
        let said = text_of(app, "#verify-preview-result").await?;
        ensure!(said.contains("troppo complesso"), "bomb: {said}");
        app.js("document.getElementById('verify-preview-result').scrollIntoView({block: 'center'}); return null")
            .await?;
        app.shot("verify-preview-bomb").await?;
        // The window still answers (navigation through JavaScript clicks: the status toast
        // may cover the navigation links).
        click(app, "#nav-home").await?;
        app.wait_ready(Some("home")).await?;
        click(app, "#nav-verifica").await?;
        app.wait_ready(Some("verifica")).await?;
        Ok(())
    })
    .await
}

/// [`wait_for`] with room for a child process that runs into its limits (20 s).
async fn wait_for_long(app: &App, script: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    while app.js(script).await? != serde_json::json!(true) {
        ensure!(std::time::Instant::now() < deadline, "timed out: {script}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn pki(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pki")
        .join(name)
}

/// Re-checks at the time chosen by `script` (it changes the selector), and returns the
/// verdicts once the new batch has ended.
async fn verdicts_after(app: &App, script: &str) -> Result<Vec<String>> {
    crate::verify::forget_state(app).await?;
    app.js(script).await?;
    ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
    crate::verify::verdicts(app).await
}

#[tokio::test]
async fn validation_time_selector_changes_verdict_of_expired_certificate() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    // The signer's certificate (under root.pem) was valid 2020-2023; it is expired now.
    crate::verify::install_trust_pack_with(&home, &[pki("root.pem")])?;
    let args = vec![arg(&pki("chain-ok.p7m"))];
    with_app_args("verify-at", &home, &args, async |app: &App| {
        app.wait_ready(Some("verifica")).await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
        let now = crate::verify::verdicts(app).await?;
        ensure!(now == ["indeterminate"], "now: {now:?}");
        let detail = show_detail(app, 0).await?;
        ensure!(detail.contains("OUT_OF_BOUNDS_NO_POE"), "detail: {detail}");

        // "Alla data di firma": the certificate was valid then.
        let at_signing =
            verdicts_after(app, "document.getElementById('verify-at-signing_time').click(); return null")
                .await?;
        ensure!(at_signing == ["valid"], "at signing time: {at_signing:?}");
        let detail = show_detail(app, 0).await?;
        ensure!(
            detail.contains("la data di firma dichiarata dal firmatario"),
            "basis not shown: {detail}"
        );

        // A chosen date before the certificate existed: not valid.
        app.js("document.getElementById('verify-at-given').click(); return null")
            .await?;
        let before = verdicts_after(
            app,
            "const d = document.getElementById('verify-at-date'); d.value = '2019-06-01T12:00'; d.dispatchEvent(new Event('change')); return null",
        )
        .await?;
        ensure!(before == ["invalid"], "2019: {before:?}");
        // A chosen date while it was valid.
        let during = verdicts_after(
            app,
            "const d = document.getElementById('verify-at-date'); d.value = '2021-06-01T12:00'; d.dispatchEvent(new Event('change')); return null",
        )
        .await?;
        ensure!(during == ["valid"], "2021: {during:?}");
        let detail = show_detail(app, 0).await?;
        ensure!(detail.contains("la data scelta"), "basis not shown: {detail}");
        app.shot("verify-at-given").await?;
        Ok(())
    })
    .await
}

/// Delivers a Tauri window event to the page's listeners the way the Rust side does
/// (`tauri` 2.x's event dispatch function in the page). A real drag from another X client
/// cannot be synthesised under Xvfb here; this covers everything from the event the system
/// drop becomes onwards (the view's listener, the section switch, the batch and results).
async fn dispatch_tauri_event(app: &App, event: &str, payload: serde_json::Value) -> Result<u64> {
    let n = app
        .js_async(
            "const [event, payload, done] = arguments;
             const all = window.__internal_unstable_listeners_object_id__ || {};
             const listeners = all[event];
             if (!listeners) { done(0); return; }
             const ids = Object.getOwnPropertyNames(listeners);
             window.__internal_unstable_listeners_function_id__({ event, payload }, ids);
             done(ids.length);",
            vec![serde_json::json!(event), payload],
        )
        .await?;
    n.as_u64().context("no listener count")
}

#[tokio::test]
async fn dropped_folder_switches_to_verifica_and_is_checked() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    install_trust_pack(&home)?;
    let work = tempfile::tempdir()?;
    let folder = work.path().join("trascinata");
    std::fs::create_dir_all(&folder)?;
    std::fs::copy(cades("attached.p7m"), folder.join("a.p7m"))?;
    std::fs::copy(cades("tampered.p7m"), folder.join("b.p7m"))?;
    crate::harness::with_app("verify-drop", &home, async |app: &App| {
        app.open("home").await?;
        let listeners = dispatch_tauri_event(
            app,
            "tauri://drag-enter",
            serde_json::json!({ "paths": [folder.display().to_string()], "position": { "x": 100, "y": 100 } }),
        )
        .await?;
        ensure!(listeners > 0, "the window does not listen for drags");
        wait_for(app, "return document.body.classList.contains('dragging-files')").await?;
        dispatch_tauri_event(
            app,
            "tauri://drag-drop",
            serde_json::json!({ "paths": [folder.display().to_string()], "position": { "x": 100, "y": 100 } }),
        )
        .await?;
        app.wait_ready(Some("verifica")).await?;
        ensure!(wait_batch_end(app, Duration::from_secs(60)).await? == "finished");
        let v = crate::verify::verdicts(app).await?;
        ensure!(v == ["valid", "invalid"], "verdicts: {v:?}");
        ensure!(
            !app.js("return document.body.classList.contains('dragging-files')")
                .await?
                .as_bool()
                .unwrap_or(true),
            "drop highlight left on"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn update_from_folder_uses_the_folder_picker() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let usb = tempfile::tempdir()?;
    crate::harness::with_app("update-folder", &home, async |app: &App| {
        app.open("about").await?;
        let label = text_of(app, "#update-folder").await?;
        ensure!(label == "Scegli cartella…", "button: {label}");
        // Cancelled: nothing checked.
        home.answer_picker(None)?;
        click(app, "#update-folder").await?;
        wait_for(
            app,
            "return document.getElementById('update-result').textContent.includes('Nessun file scelto')",
        )
        .await?;
        // A folder without an update: the app's own refusal, not a cancellation.
        home.answer_picker(Some(usb.path()))?;
        click(app, "#update-folder").await?;
        wait_for(app, "return !!document.querySelector('#update-result .alert-danger')").await?;
        let said = text_of(app, "#update-result").await?;
        ensure!(
            !said.trim().is_empty() && !said.contains("Nessun file scelto"),
            "said: {said}"
        );
        Ok(())
    })
    .await
}
