//! End-to-end tests of `lavoro-agile-cli sign …` with a SoftHSM2 token
//! (`lavoro_agile_tests::softhsm`): listing, signing with the PIN from `--pin-fd`, the
//! output verified by `lavoro-agile-cli verify` with the test CA, wrong PIN, usage errors.
// Test helpers outside #[test] functions may unwrap and index too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use lavoro_agile_tests::softhsm::{token, Fixture, PIN, SOFTHSM};

fn cli(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lavoro-agile-cli"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn verify_passes(f: &Fixture, path: &Path) {
    let ca = f.path("ca.pem");
    let out = cli(
        &[
            "verify",
            "--format",
            "json",
            "--no-default-trust",
            "--trust",
            ca.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        "",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("TOTAL_PASSED"), "{text}");
    assert!(!text.contains("TOTAL_FAILED"), "{text}");
}

#[test]
fn sign_list_shows_token_and_certificates() {
    let Some((_f, _g)) = token() else { return };
    let out = cli(&["sign", "--list", "--module", SOFTHSM], "");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    assert!(text.contains("token\t0\tProva"), "{text}");
    assert_eq!(text.matches("certificato\t").count(), 4, "{text}");
    assert!(!text.contains(PIN));
}

#[test]
fn sign_cades_then_add_then_verify_passes() {
    let Some((f, _g)) = token() else { return };
    let doc = f.path("cli-atto.txt");
    std::fs::write(&doc, b"Atto firmato dalla riga di comando.\n").unwrap();
    let out = cli(
        &[
            "sign",
            "--module",
            SOFTHSM,
            "--pin-fd",
            "0",
            doc.to_str().unwrap(),
        ],
        &format!("{PIN}\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p7m = f.path("cli-atto.txt.p7m");
    assert!(String::from_utf8_lossy(&out.stdout).contains("cli-atto.txt.p7m"));
    verify_passes(f, &p7m);

    // Signing the .p7m again without saying how is refused; --add writes "(2)" beside it.
    let out = cli(
        &[
            "sign",
            "--module",
            SOFTHSM,
            "--pin-fd",
            "0",
            p7m.to_str().unwrap(),
        ],
        &format!("{PIN}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("già firmato"));
    let before = std::fs::read(&p7m).unwrap();
    let out = cli(
        &[
            "sign",
            "--module",
            SOFTHSM,
            "--cert",
            "02",
            "--add",
            "--pin-fd",
            "0",
            p7m.to_str().unwrap(),
        ],
        &format!("{PIN}\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&p7m).unwrap(),
        before,
        "the original is untouched"
    );
    verify_passes(f, &f.path("cli-atto.txt (2).p7m"));
}

#[test]
fn sign_pades_verify_passes() {
    let Some((f, _g)) = token() else { return };
    let pdf = f.path("cli-modulo.pdf");
    std::fs::write(&pdf, lavoro_agile_tests::softhsm::minimal_pdf()).unwrap();
    let out = cli(
        &[
            "sign",
            "--type",
            "pades",
            "--module",
            SOFTHSM,
            "--pin-fd",
            "0",
            "--reason",
            "Approvazione",
            pdf.to_str().unwrap(),
        ],
        &format!("{PIN}\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    verify_passes(f, &f.path("cli-modulo (2).pdf"));
}

#[test]
fn sign_cades_with_tsa_over_http_verifies_with_timestamp() {
    let Some((f, _g)) = token() else { return };
    let url = lavoro_agile_tests::softhsm::start_tsa_server(f);
    let doc = f.path("cli-tsa.txt");
    std::fs::write(&doc, b"Atto con marca temporale.\n").unwrap();
    let out = cli(
        &[
            "sign",
            "--module",
            SOFTHSM,
            "--tsa",
            &url,
            "--pin-fd",
            "0",
            doc.to_str().unwrap(),
        ],
        &format!("{PIN}\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p7m = f.path("cli-tsa.txt.p7m");
    verify_passes(f, &p7m);
    let ca = f.path("ca.pem");
    let out = cli(
        &[
            "verify",
            "--format",
            "json",
            "--no-default-trust",
            "--trust",
            ca.to_str().unwrap(),
            p7m.to_str().unwrap(),
        ],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ts = &json["files"][0]["timestamps"];
    assert_eq!(ts.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(ts[0]["indication"], "TOTAL_PASSED", "{json}");
}

#[test]
fn sign_wrong_pin_exits_1_with_italian_message() {
    let Some((f, _g)) = token() else { return };
    let doc = f.path("cli-pin.txt");
    std::fs::write(&doc, b"x").unwrap();
    let out = cli(
        &[
            "sign",
            "--module",
            SOFTHSM,
            "--pin-fd",
            "0",
            doc.to_str().unwrap(),
        ],
        "999999\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PIN errato"), "{err}");
    assert!(!err.contains("999999"));
    assert!(!f.path("cli-pin.txt.p7m").exists());
}

#[test]
fn sign_pades_with_add_is_usage_error() {
    let out = cli(&["sign", "--type", "pades", "--add", "x.pdf"], "");
    assert_eq!(out.status.code(), Some(64));
    let out = cli(&["sign"], "");
    assert_eq!(out.status.code(), Some(64));
}
