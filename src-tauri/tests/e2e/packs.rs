//! Signed packs in the window: install from a file the user picks, refuse a tampered one.
use std::path::{Path, PathBuf};

use anyhow::{ensure, Result};
use fantoccini::Locator;
use lavoro_agile_packs::build::{build_pack, BuildOptions};
use lavoro_agile_packs::{archive::Limits, sign, Kind, Version};

use crate::harness::{exclusive, with_app, App, Home};

/// Builds and signs a portal pack of `version` in `dir`; returns the pack path.
/// Writes the key's scope file into the home's machine-wide keys folder.
fn make_pack(home: &Home, key: &sign::GeneratedKey, dir: &Path, version: u64) -> Result<PathBuf> {
    let src = dir.join(format!("src-{version}"));
    std::fs::create_dir_all(&src)?;
    std::fs::write(
        src.join("leggimi.md"),
        format!("Versione {version} del portale.\n"),
    )?;
    let pack = dir.join(format!("portale-{version}.pack"));
    build_signed_portal(home, key, &src, &pack, version)?;
    Ok(pack)
}

/// Builds a portal pack of `version` from the folder `src`, signs it with `key` into
/// `pack` (and `pack.minisig`), and trusts `key` for portal packs in `home`.
pub(crate) fn build_signed_portal(
    home: &Home,
    key: &sign::GeneratedKey,
    src: &Path,
    pack: &Path,
    version: u64,
) -> Result<()> {
    let opts = BuildOptions {
        kind: Kind::Portal,
        version,
        created: time::macros::datetime!(2026-11-20 10:00 UTC),
        min_app_version: Version(0, 1, 0),
    };
    let bytes = build_pack(src, &opts, &Limits::default())?;
    std::fs::write(pack, &bytes)?;
    let secret = sign::load_secret_key(&key.secret_text, None)?;
    let sig = sign::sign(&secret, bytes.as_slice(), "portale di prova")?;
    let mut sig_path = pack.as_os_str().to_owned();
    sig_path.push(".minisig");
    std::fs::write(PathBuf::from(sig_path), sig)?;

    let keys = home.system_dir().join("keys");
    std::fs::create_dir_all(&keys)?;
    let public_line = key.public_text.lines().nth(1).unwrap_or_default();
    std::fs::write(
        keys.join("prova.packkey"),
        format!(
            "comment = \"chiave di prova\"\npublic_key = \"{public_line}\"\nkinds = [\"portal\"]\n"
        ),
    )?;
    Ok(())
}

async fn portal_version(app: &App) -> Result<String> {
    Ok(app
        .client
        .find(Locator::Css(
            "#packs-table tr[data-kind=portal] .pack-version",
        ))
        .await?
        .text()
        .await?)
}

/// Installs `pack` through the settings panel (the stand-in picker answers with it) and
/// returns the outcome shown.
pub(crate) async fn install(app: &App, home: &Home, pack: Option<&Path>) -> Result<String> {
    home.answer_picker(pack)?;
    app.js("document.getElementById('packs-result').textContent = ''; return null")
        .await?;
    // Through JavaScript: with the signing settings above it the button sits at the
    // window's bottom edge, where WebKitWebDriver's clicks fail with an empty error.
    crate::verify::click(app, "#packs-install").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let text = app
            .client
            .find(Locator::Css("#packs-result"))
            .await?
            .text()
            .await?;
        if !text.is_empty() && !text.contains("in corso") {
            return Ok(text);
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "no install outcome shown"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn pack_from_file_installs_and_tampered_pack_is_refused_in_italian() -> Result<()> {
    let _one = exclusive().await;
    let home = Home::new()?;
    let work = tempfile::tempdir()?;
    let key = sign::generate(None, "e2e")?;
    let v2 = make_pack(&home, &key, work.path(), 2)?;
    let v3 = make_pack(&home, &key, work.path(), 3)?;
    // Version 3 altered after signing: one byte of the archive flipped.
    let mut bytes = std::fs::read(&v3)?;
    if let Some(b) = bytes.get_mut(600) {
        *b ^= 0x20;
    }
    std::fs::write(&v3, bytes)?;

    with_app("packs", &home, async |app: &App| {
        app.open("settings").await?;
        ensure!(
            portal_version(app).await?.contains("incluso"),
            "fresh home has a pack?"
        );

        let cancelled = install(app, &home, None).await?;
        ensure!(
            cancelled.contains("Nessun pacchetto scelto"),
            "cancel: {cancelled}"
        );

        let ok = install(app, &home, Some(&v2)).await?;
        ensure!(
            ok.contains("Pacchetto installato") && ok.contains("versione 2"),
            "install: {ok}"
        );
        ensure!(
            portal_version(app).await? == "2",
            "table: {}",
            portal_version(app).await?
        );
        app.shot("packs-installed").await?;

        let refused = install(app, &home, Some(&v3)).await?;
        ensure!(
            refused.starts_with("Pacchetto rifiutato"),
            "tampered: {refused}"
        );
        ensure!(
            portal_version(app).await? == "2",
            "version changed after a refusal"
        );
        app.shot("packs-refused").await?;

        let again = install(app, &home, Some(&v2)).await?;
        ensure!(again.contains("non è più recente"), "rollback: {again}");
        Ok(())
    })
    .await?;
    let live = home.path().join("data/lavoro-agile/packs");
    ensure!(live.exists(), "no pack store under the data folder");
    Ok(())
}
