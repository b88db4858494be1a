//! The shell: what every later view lands in.
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::harness::{exclusive, with_app, App, Home};

/// Section ids in navigation order, as they stand today.
const SECTIONS: &[&str] = &[
    "home", "portale", "verifica", "firma", "vpn", "settings", "about",
];
const LABELS_IT: &[&str] = &[
    "Home",
    "Portale",
    "Verifica firma",
    "Firma",
    "VPN",
    "Impostazioni",
    "Informazioni",
];
const LABELS_EN: &[&str] = &[
    "Home",
    "Portal",
    "Verify signature",
    "Sign",
    "VPN",
    "Settings",
    "About",
];

/// Views reached through a link rather than the navigation, checked by axe too: a portal
/// page (table of contents, rendered body, external links).
const INNER_ROUTES: &[(&str, &str)] = &[(
    "#/portale/verifica-firma-digitale",
    "return !!document.querySelector('#portal-body[data-slug=\"verifica-firma-digitale\"]')",
)];

#[tokio::test]
async fn window_opens_with_italian_navigation_and_every_view_renders() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    with_app("italian-navigation", &home, async |app: &App| {
        ensure!(
            app.nav_labels().await? == LABELS_IT,
            "nav: {:?}",
            app.nav_labels().await?
        );
        ensure!(app.js("return document.documentElement.lang").await? == json!("it"));
        let h1 = app
            .client
            .find(Locator::Css("main h1"))
            .await?
            .text()
            .await?;
        ensure!(h1.contains("Benvenuta"), "home heading: {h1}");
        app.shot("home-it").await?;
        for id in SECTIONS {
            app.open(id).await?;
            let text = app.client.find(Locator::Css("main")).await?.text().await?;
            ensure!(!text.contains("Caricamento"), "{id} still loading");
            app.shot(&format!("{id}-it")).await?;
        }
        // The about view shows the version and the qualified-service statement.
        app.open("about").await?;
        let about = app.client.find(Locator::Css("main")).await?.text().await?;
        ensure!(about.contains(env!("CARGO_PKG_VERSION")), "version missing");
        ensure!(
            about.contains("non è un servizio qualificato"),
            "statement missing"
        );
        ensure!(
            about.contains(&home.path().display().to_string()),
            "folders missing"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn english_choice_changes_labels_and_survives_restart() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    with_app("english-restart", &home, async |app: &App| {
        app.open("settings").await?;
        app.client
            .find(Locator::Css("label[for=lang-en]"))
            .await?
            .click()
            .await?;
        wait_for(app, "return document.documentElement.lang === 'en'").await?;
        ensure!(
            app.nav_labels().await? == LABELS_EN,
            "nav: {:?}",
            app.nav_labels().await?
        );
        app.shot("settings-en").await?;
        Ok(())
    })
    .await?;
    let stored = std::fs::read_to_string(home.path().join("config/lavoro-agile/settings.json"))
        .context("settings file not written")?;
    ensure!(stored.contains("\"en\""), "stored settings: {stored}");
    with_app("english-restart-2", &home, async |app: &App| {
        ensure!(
            app.nav_labels().await? == LABELS_EN,
            "after restart: {:?}",
            app.nav_labels().await?
        );
        ensure!(app.js("return document.documentElement.lang").await? == json!("en"));
        app.shot("home-en").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn every_section_is_reachable_with_the_keyboard_alone() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    with_app("keyboard", &home, async |app: &App| {
        for id in SECTIONS {
            // Start from the top of the page, as a user pressing Tab after opening it.
            app.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
                .await?;
            let body = app.client.find(Locator::Css("body")).await?;
            let mut reached = false;
            for _ in 0..40 {
                app.client.active_element().await.unwrap_or(body.clone()).send_keys(&Key::Tab.to_string()).await?;
                let focused = app.js("return document.activeElement && document.activeElement.id").await?;
                if focused == json!(format!("nav-{id}")) {
                    reached = true;
                    break;
                }
            }
            ensure!(reached, "Tab never reached the link to {id}");
            let outline: Value = app
                .js("const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
                .await?;
            ensure!(outline[0] != json!("none") && outline[1] != json!("0px"), "focus not visible on {id}: {outline}");
            app.client.active_element().await?.send_keys(&Key::Enter.to_string()).await?;
            app.wait_ready(Some(id)).await?;
            let focused = app.js("return document.activeElement && document.activeElement.tagName").await?;
            ensure!(focused == json!("H1"), "focus after opening {id} is on {focused}");
        }
        Ok(())
    })
    .await
}

/// axe-core, bundled from npm, injected into the page through WebDriver.
pub(crate) fn axe_source() -> Result<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("axe-core missing at {} (run make deps)", path.display()))
}

#[tokio::test]
async fn axe_reports_no_serious_or_critical_violation_on_any_view() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let axe = axe_source()?;
    with_app("axe", &home, async |app: &App| {
        app.js(&format!("{axe}\n;return typeof axe;")).await?;
        let mut problems = Vec::new();
        for lang in ["it", "en"] {
            if lang == "en" {
                app.open("settings").await?;
                app.client.find(Locator::Css("label[for=lang-en]")).await?.click().await?;
                wait_for(app, "return document.documentElement.lang === 'en'").await?;
            }
            let mut targets: Vec<(&str, Option<&str>)> =
                SECTIONS.iter().map(|id| (*id, None)).collect();
            targets.extend(INNER_ROUTES.iter().map(|(route, ready)| (*route, Some(*ready))));
            for (id, ready) in targets {
                match ready {
                    None => app.open(id).await?,
                    Some(ready) => {
                        app.js(&format!("location.hash = '{id}'; return null")).await?;
                        wait_for(app, ready).await?;
                    }
                }
                let result = app
                    .js_async(
                        "const done = arguments[arguments.length - 1];
                         axe.run(document, { resultTypes: ['violations'] })
                           .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }))))
                           .catch(e => done({ error: String(e) }));",
                        vec![],
                    )
                    .await?;
                let list = result.as_array().with_context(|| format!("axe failed on {id}: {result}"))?;
                for v in list {
                    if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                        problems.push(format!("{lang}/{id}: {v}"));
                    }
                }
            }
        }
        ensure!(problems.is_empty(), "axe violations:\n{}", problems.join("\n"));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn online_revocation_is_off_until_switched_on_and_survives_restart() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let checked = "return document.getElementById('settings-online-revocation').checked";
    with_app("online-setting", &home, async |app: &App| {
        app.open("settings").await?;
        wait_for(
            app,
            "return !!document.getElementById('settings-online-revocation')",
        )
        .await?;
        ensure!(app.js(checked).await? == json!(false), "on by default");
        // Through JavaScript: the switch sits at the window's bottom edge (see packs.rs).
        crate::verify::click(app, "label[for=settings-online-revocation]").await?;
        wait_for(
            app,
            "return document.getElementById('status').textContent.includes('salvate')",
        )
        .await?;
        Ok(())
    })
    .await?;
    let stored = std::fs::read_to_string(home.path().join("config/lavoro-agile/settings.json"))
        .context("settings file not written")?;
    ensure!(
        stored.contains("\"online_revocation\": true")
            || stored.contains("\"online_revocation\":true"),
        "stored settings: {stored}"
    );
    with_app("online-setting-2", &home, async |app: &App| {
        app.open("settings").await?;
        wait_for(
            app,
            "return !!document.getElementById('settings-online-revocation')",
        )
        .await?;
        ensure!(
            app.js(checked).await? == json!(true),
            "not kept after restart"
        );
        Ok(())
    })
    .await
}

/// The violations the UI recorded (see `ui/src/main.ts`).
const CSP_VIOLATIONS: &str = "JSON.parse(document.documentElement.dataset.cspViolations || 'null')";

#[tokio::test]
async fn no_request_leaves_the_app() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    with_app("network", &home, async |app: &App| {
        for id in SECTIONS {
            app.open(id).await?;
        }
        let violations = app.js(&format!("return {CSP_VIOLATIONS}")).await?;
        ensure!(violations == json!([]), "CSP violations: {violations}");
        let origins = app
            .js("return performance.getEntries().filter(e => e.name.includes('://')).map(e => new URL(e.name).protocol + '//' + new URL(e.name).host)")
            .await?;
        for origin in origins.as_array().context("no entries")? {
            let o = origin.as_str().unwrap_or_default();
            ensure!(
                ["tauri://localhost", "ipc://localhost", "http://ipc.localhost", "http://tauri.localhost"].contains(&o),
                "a request went to {o}"
            );
        }
        // The detector itself works: a remote request is refused and reported.
        app.js("fetch('https://example.invalid/x').catch(() => {}); return null").await?;
        wait_for(app, &format!("return ({CSP_VIOLATIONS}).some(v => v.directive.startsWith('connect-src'))")).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn second_launch_focuses_the_first_and_forwards_its_arguments() -> Result<()> {
    let _one = exclusive().await;
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        ensure!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no D-Bus session bus under CI"
        );
        eprintln!(
            "SKIPPED: single-instance needs a D-Bus session bus (make test runs dbus-run-session)"
        );
        return Ok(());
    }
    let home = Home::new()?;
    with_app("single-instance", &home, async |app: &App| {
        let mut second = home.app_command().arg("documento-di-prova.p7m").spawn()?;
        let status = tokio::time::timeout(Duration::from_secs(20), second.wait())
            .await
            .context("the second instance did not exit")??;
        ensure!(status.success(), "second instance exited with {status}");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !home
            .log_text()
            .contains("second instance forwarded its arguments count=1")
        {
            ensure!(
                std::time::Instant::now() < deadline,
                "the first instance was not told:\n{}",
                home.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The first window is still there and answering.
        app.wait_ready(None).await?;
        Ok(())
    })
    .await
}

/// Polls a script until it returns `true`.
pub(crate) async fn wait_for(app: &App, script: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.js(script).await? != json!(true) {
        ensure!(
            std::time::Instant::now() < deadline,
            "timed out waiting for: {script}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
