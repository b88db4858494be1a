//! `lavoro-agile-cli portal`: end-to-end through the real binary, with the data folder
//! pointed at a temporary folder (XDG_DATA_HOME) so no real installation is read.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

fn cli(data_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lavoro-agile-cli"))
        .args(args)
        .env("XDG_DATA_HOME", data_home)
        .env("LANG", "it_IT.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run the CLI")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nsummary: Prova.\nsection: Prova\nreviewed: 2026-05-04\nsources:\n  - Fonte <https://www.normattiva.it/>\n---\n{body}")
}

/// The live folder of an installed portal pack, as the pack store lays it out: the
/// pointer `current.json` names the version folder, whose `content/` is live.
fn installed_dir(data_home: &Path) -> std::path::PathBuf {
    let kind_dir = data_home.join("lavoro-agile/packs/portal");
    std::fs::create_dir_all(&kind_dir).unwrap();
    std::fs::write(
        kind_dir.join("current.json"),
        r#"{"kind":"portal","version":2,"created":"2026-11-20T10:00:00Z",
           "installed_at":"2026-11-26T10:00:00Z","min_app_version":"0.1.0",
           "key_id":"AB","archive_sha256":"00","files":1,"dir":"v2-abc","previous":null}"#,
    )
    .unwrap();
    kind_dir.join("v2-abc/content")
}

#[test]
fn portal_list_default_content_lists_every_page() {
    let home = tempfile::tempdir().unwrap();
    let o = cli(home.path(), &["portal", "list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 16, "{out}");
    assert!(out
        .lines()
        .any(|l| l.starts_with("verifica-firma-digitale\t")));
    assert!(!out.contains("README"));
}

#[test]
fn portal_search_json_is_ranked_list_of_hits() {
    let home = tempfile::tempdir().unwrap();
    let o = cli(
        home.path(),
        &["portal", "search", "firma", "--format", "json"],
    );
    assert!(o.status.success());
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!hits.is_empty());
    let mut last = f64::INFINITY;
    for h in &hits {
        let obj = h.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["score", "slug", "snippet", "title"]);
        let score = obj["score"].as_f64().unwrap();
        assert!(score <= last);
        last = score;
    }
    assert!(hits[0]["slug"].as_str().unwrap().contains("firma"));
}

#[test]
fn portal_search_without_accents_finds_accented_words() {
    let home = tempfile::tempdir().unwrap();
    let o = cli(
        home.path(),
        &["portal", "search", "perche", "--format", "json"],
    );
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(hits
        .iter()
        .any(|h| h["snippet"].as_str().unwrap().contains("perché")));
}

#[test]
fn portal_show_prints_text_sources_and_review_date() {
    let home = tempfile::tempdir().unwrap();
    let o = cli(home.path(), &["portal", "show", "lavoro-agile"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.starts_with("Lavoro agile\n"));
    assert!(out.contains("Fonti ufficiali:"));
    assert!(out.contains("Contenuto verificato il 2026-"));
    let json = cli(
        home.path(),
        &["portal", "show", "lavoro-agile", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v["html"].as_str().unwrap().contains("<h2 id="));
}

#[test]
fn portal_show_unknown_page_exits_1_with_message() {
    let home = tempfile::tempdir().unwrap();
    let o = cli(home.path(), &["portal", "show", "non-esiste"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pagina non trovata"));
    assert!(o.stdout.is_empty());
}

#[test]
fn portal_usage_error_exits_64() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(cli(home.path(), &["portal"]).status.code(), Some(64));
    assert_eq!(
        cli(home.path(), &["portal", "search"]).status.code(),
        Some(64)
    );
}

#[test]
fn portal_installed_pack_replaces_default_content() {
    let home = tempfile::tempdir().unwrap();
    let dir = installed_dir(home.path());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("nuova.md"),
        page("Pagina nuova", "Testo aggiornato dal pacchetto.\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("portal.json"),
        r#"{"version":"2027.1.0","published":"2027-01-10","publisher":"Servizio informatico"}"#,
    )
    .unwrap();
    let o = cli(home.path(), &["portal", "list"]);
    assert_eq!(stdout(&o).trim(), "nuova\tProva\tPagina nuova");
    let info = stdout(&cli(home.path(), &["portal", "info"]));
    assert!(info.starts_with("2027.1.0\t2027-01-10"), "{info}");
    let hits = stdout(&cli(
        home.path(),
        &["portal", "search", "aggiornato", "--format", "json"],
    ));
    assert!(hits.contains("\"slug\": \"nuova\""), "{hits}");
}

#[test]
fn portal_unreadable_installed_pack_falls_back_to_default_with_warning() {
    let home = tempfile::tempdir().unwrap();
    let dir = installed_dir(home.path());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rotta.md"), "---\ntitle: senza chiusura\n").unwrap();
    let o = cli(home.path(), &["portal", "list"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 16);
    assert!(String::from_utf8_lossy(&o.stderr).contains("attenzione"));
}

#[test]
fn portal_check_reports_dangling_link_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.md"), page("A", "[manca](b.md)\n")).unwrap();
    let dir = folder.path().to_str().unwrap();
    let o = cli(home.path(), &["portal", "--dir", dir, "check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("broken_link"), "{}", stdout(&o));
    std::fs::write(folder.path().join("b.md"), page("B", "Ora c'è.\n")).unwrap();
    let o = cli(home.path(), &["portal", "--dir", dir, "check"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn portal_dir_unreadable_is_error_not_fallback() {
    let home = tempfile::tempdir().unwrap();
    let o = cli(
        home.path(),
        &["portal", "--dir", "/nonexistent/portale", "list"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
}
