//! The Portale section in the window: search as you type, open a result, follow an
//! internal link; a newer signed portal pack replaces the content, a tampered one does not.
use std::path::Path;

use anyhow::{ensure, Context, Result};
use fantoccini::key::Key;
use fantoccini::Locator;
use lavoro_agile_packs::sign;
use serde_json::json;

use crate::harness::{exclusive, with_app, App, Home};
use crate::packs::{build_signed_portal, install};
use crate::shell::wait_for;

/// The page whose text the test packs change, and the sentences they add.
const CHANGED_PAGE: &str = "glossario";
const NEW_TEXT_V2: &str = "Ornitorinco: parola aggiunta dal pacchetto di prova versione due.";
const NEW_TEXT_V3: &str = "Ornitorinco: parola aggiunta dal pacchetto manomesso.";

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A copy of the bundled content with `sentence` appended to the changed page and
/// `content_version` in `portal.json`.
fn changed_content(dir: &Path, content_version: &str, sentence: &str) -> Result<()> {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../resources/portal");
    copy_dir(&bundled, dir)?;
    let page = dir.join(format!("{CHANGED_PAGE}.md"));
    let mut text = std::fs::read_to_string(&page)?;
    text.push_str(&format!("\n{sentence}\n"));
    std::fs::write(&page, text)?;
    std::fs::write(
        dir.join("portal.json"),
        format!(
            "{{\"version\": \"{content_version}\", \"published\": \"2026-12-01\", \"publisher\": \"Prova e2e\"}}\n"
        ),
    )?;
    Ok(())
}

/// Opens a portal page through its route and waits for its body.
async fn open_page(app: &App, slug: &str) -> Result<String> {
    app.js(&format!("location.hash = '#/portale/{slug}'; return null"))
        .await?;
    wait_page(app, slug).await?;
    body_text(app).await
}

async fn wait_page(app: &App, slug: &str) -> Result<()> {
    wait_for(
        app,
        &format!("return !!document.querySelector('#portal-body[data-slug=\"{slug}\"]')"),
    )
    .await
}

async fn body_text(app: &App) -> Result<String> {
    Ok(app
        .client
        .find(Locator::Css("#portal-body"))
        .await?
        .text()
        .await?)
}

async fn version_line(app: &App) -> Result<String> {
    app.open("portale").await?;
    Ok(app
        .client
        .find(Locator::Css("#portal-version"))
        .await?
        .text()
        .await?)
}

/// Types `query` into the search box and returns the slugs of the results shown.
async fn search(app: &App, query: &str) -> Result<Vec<String>> {
    app.open("portale").await?;
    app.client
        .find(Locator::Css("#portal-search"))
        .await?
        .send_keys(query)
        .await?;
    wait_for(
        app,
        "return document.querySelector('#portal-results-count').textContent !== ''",
    )
    .await?;
    let slugs = app
        .js("return Array.from(document.querySelectorAll('#portal-results li')).map(li => li.dataset.slug)")
        .await?;
    Ok(serde_json::from_value(slugs)?)
}

#[tokio::test]
async fn search_opens_a_result_and_an_internal_link_leads_to_another_page() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let bundled: serde_json::Value =
        serde_json::from_str(include_str!("../../../resources/portal/portal.json"))?;
    let bundled_version = bundled["version"]
        .as_str()
        .context("bundled version")?
        .to_owned();
    with_app("portal-search", &home, async |app: &App| {
        let line = version_line(app).await?;
        ensure!(
            line.contains(&bundled_version) && line.contains("incluso"),
            "version line: {line}"
        );
        let slugs = search(app, "firma").await?;
        let first = slugs.first().context("no result for firma")?.clone();
        ensure!(first.contains("firma"), "first result for firma: {slugs:?}");
        let marks = app
            .js("return Array.from(document.querySelectorAll('#portal-results li:first-child mark')).map(m => m.textContent.toLowerCase())")
            .await?;
        ensure!(
            marks.as_array().is_some_and(|m| m.iter().any(|m| m.as_str().is_some_and(|s| s.starts_with("firm")))),
            "no highlighted match: {marks}"
        );
        app.shot("portal-search").await?;

        app.client
            .find(Locator::Css("#portal-results li:first-child a"))
            .await?
            .click()
            .await?;
        wait_page(app, &first).await?;
        ensure!(
            app.js("return document.activeElement && document.activeElement.id").await?
                == json!("portal-page-title"),
            "focus is not on the page title"
        );
        app.shot("portal-page").await?;

        // The first link in the body to another portal page, followed with the keyboard.
        let target = app
            .js(&format!(
                "const a = Array.from(document.querySelectorAll('#portal-body a[data-portal-slug]')).find(a => a.dataset.portalSlug !== '{first}');
                 if (!a) return null; a.focus(); return a.dataset.portalSlug;"
            ))
            .await?;
        let target = target.as_str().context("no internal link on the page")?.to_owned();
        app.client
            .active_element()
            .await?
            .send_keys(&Key::Enter.to_string())
            .await?;
        wait_page(app, &target).await?;
        let title = app
            .client
            .find(Locator::Css("#portal-page-title"))
            .await?
            .text()
            .await?;
        ensure!(!title.is_empty(), "linked page has no title");
        ensure!(
            app.js("return location.hash").await? == json!(format!("#/portale/{target}")),
            "route after the link"
        );
        app.shot("portal-linked-page").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn newer_portal_pack_replaces_the_text_and_tampered_pack_leaves_it() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let work = tempfile::tempdir()?;
    let key = sign::generate(None, "e2e")?;

    let src2 = work.path().join("src-2");
    changed_content(&src2, "2026.12.1", NEW_TEXT_V2)?;
    let v2 = work.path().join("portale-2.pack");
    build_signed_portal(&home, &key, &src2, &v2, 2)?;

    let src3 = work.path().join("src-3");
    changed_content(&src3, "2026.12.2", NEW_TEXT_V3)?;
    let v3 = work.path().join("portale-3.pack");
    build_signed_portal(&home, &key, &src3, &v3, 3)?;
    // Version 3 altered after signing: one byte of the archive flipped.
    let mut bytes = std::fs::read(&v3)?;
    if let Some(b) = bytes.get_mut(600) {
        *b ^= 0x20;
    }
    std::fs::write(&v3, bytes)?;

    with_app("portal-pack", &home, async |app: &App| {
        let before = open_page(app, CHANGED_PAGE).await?;
        ensure!(
            !before.contains("Ornitorinco"),
            "bundled page has the new text"
        );

        app.open("settings").await?;
        let ok = install(app, &home, Some(&v2)).await?;
        ensure!(ok.contains("Pacchetto installato"), "install: {ok}");

        let line = version_line(app).await?;
        ensure!(
            line.contains("2026.12.1") && line.contains("Sistemi informativi"),
            "version line after install: {line}"
        );
        ensure!(
            search(app, "ornitorinco")
                .await?
                .first()
                .map(String::as_str)
                == Some(CHANGED_PAGE),
            "the new word is not found by search"
        );
        let after = open_page(app, CHANGED_PAGE).await?;
        ensure!(after.contains(NEW_TEXT_V2), "new text not shown");
        app.shot("portal-pack-installed").await?;

        app.js("window.scrollTo(0, 0); return null").await?;
        app.open("settings").await?;
        let refused = install(app, &home, Some(&v3)).await?;
        ensure!(
            refused.starts_with("Pacchetto rifiutato"),
            "tampered: {refused}"
        );
        let line = version_line(app).await?;
        ensure!(line.contains("2026.12.1"), "version after refusal: {line}");
        let still = open_page(app, CHANGED_PAGE).await?;
        ensure!(
            still.contains(NEW_TEXT_V2) && !still.contains(NEW_TEXT_V3),
            "text changed after a refusal"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn self_assessment_scores_offline_and_keeps_the_result_only_on_this_computer() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    with_app("assessment", &home, async |app: &App| {
        open_page(app, "competenze-digitali").await?;
        wait_for(app, "return !!document.getElementById('assessment-form')").await?;
        // Answer every question with its first option (label clicks, run in the page: the
        // form is taller than the window).
        let answered = app
            .js("const ls = document.querySelectorAll('#assessment-form .form-check:first-of-type label'); ls.forEach(l => l.click()); return document.querySelectorAll('#assessment-form input:checked').length")
            .await?;
        ensure!(answered.as_u64().unwrap_or(0) >= 20, "answered {answered}");
        // WebKitWebDriver reports an empty error when a click submits a form, even one whose
        // submission is handled in script; the button is clicked from the page instead.
        app.js("document.getElementById('assessment-submit').click(); return null")
            .await?;
        wait_for(app, "return !!document.getElementById('assessment-result')").await?;
        let rows = app
            .client
            .find_all(Locator::Css("#assessment-result tbody tr"))
            .await?;
        ensure!(rows.len() == 5, "{} area rows", rows.len());
        app.shot("assessment-result").await?;

        // Kept in the data folder, and shown again when the page is opened again.
        let file = home
            .path()
            .join("data/lavoro-agile/autovalutazione-risultato.json");
        let stored = std::fs::read_to_string(&file).context("result not stored")?;
        ensure!(stored.contains("\"taken_at\""), "{stored}");
        app.js("location.hash = '#/home'; return null").await?;
        app.wait_ready(Some("home")).await?;
        open_page(app, "competenze-digitali").await?;
        wait_for(app, "return !!document.getElementById('assessment-result')").await?;

        app.js("document.getElementById('assessment-forget').click(); return null")
            .await?;
        wait_for(app, "return !document.getElementById('assessment-result')").await?;
        ensure!(!file.exists(), "result file still there after deleting");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_template_is_saved_where_the_user_chooses_byte_for_byte() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let target = home.path().join("scaricati").join("modello-giunta.rtf");
    std::fs::create_dir_all(target.parent().context("no parent")?)?;
    home.answer_picker(Some(&target))?;
    with_app("portal-attachment", &home, async |app: &App| {
        app.js("location.hash = '#/portale/proposte-deliberazione'; return true")
            .await?;
        wait_page(app, "proposte-deliberazione").await?;
        // Clicked from the page: the status toast may cover the link.
        let clicked = app
            .js("const a = document.querySelector('#portal-body a[data-attachment$=\"proposta-deliberazione-giunta.rtf\"]');
                 if (!a) return false; a.click(); return true;")
            .await?;
        ensure!(clicked == json!(true), "no link to the Giunta template");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !target.exists() {
            ensure!(std::time::Instant::now() < deadline, "template not saved");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        wait_for(
            app,
            "return (document.body.textContent || '').includes('modello-giunta.rtf')",
        )
        .await?;
        Ok(())
    })
    .await?;
    let saved = std::fs::read(&target)?;
    let bundled = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../resources/portal/modelli/proposta-deliberazione-giunta.rtf"),
    )?;
    ensure!(
        saved == bundled,
        "saved template differs from the bundled one"
    );
    Ok(())
}
