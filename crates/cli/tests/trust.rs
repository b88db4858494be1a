//! `lavoro-agile-cli trust build` on the real corpus lists (EU LOTL seq. 332, TSL-IT
//! seq. 194), the `trust` pack built from them and installed into a temporary data folder,
//! and `verify` with the default trust only. The corpus files are read where they are;
//! everything generated goes into temporary folders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use lavoro_agile_tests::corpus_dir;

const BIN: &str = env!("CARGO_BIN_EXE_lavoro-agile-cli");
const LOTL: &str = "trust/EU-LOTL-seq332-2023-09-27.xml";
const TSL_IT: &str = "trust/TSL-IT-seq194-2023-09-26.xml";
const SIGNED: &str = "cades/keysuite-controfirma.pdf.p7m";
/// A time both corpus lists are current at (issued 2023-09-26/27).
const LISTS_CURRENT_AT: &str = "2023-09-28T00:00:00Z";

struct Sandbox {
    dir: tempfile::TempDir,
    corpus: PathBuf,
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Sandbox {
    fn new() -> Option<Self> {
        let corpus = corpus_dir()?;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sys/keys")).unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        Some(Self { dir, corpus })
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn corpus(&self, p: &str) -> PathBuf {
        self.corpus.join(p)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("LAVORO_AGILE_SYSTEM_DIR", self.path("sys"))
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The SHA-256 of the certificate in the LOTL's own signature (the last
    /// `X509Certificate` of the file: the signature comes after the pointers), standing in
    /// for the digest IT takes from the Official Journal.
    fn lotl_signer_sha256(&self) -> String {
        let text = std::fs::read_to_string(self.corpus(LOTL)).unwrap();
        let end = text
            .rfind("</ns2:X509Certificate>")
            .or_else(|| text.rfind("</ds:X509Certificate>"))
            .unwrap();
        let start = text[..end].rfind('>').unwrap() + 1;
        let b64: String = text[start..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64_decode(&b64);
        sha256_hex(&der)
    }

    fn trust_build(&self, lotl: &Path, tsl: &Path, pin: &str, out: &Path) -> Output {
        self.run(&[
            "trust",
            "build",
            "--lotl",
            s(lotl),
            "--tsl",
            s(tsl),
            "--lotl-signer-sha256",
            pin,
            "--at",
            LISTS_CURRENT_AT,
            "--out",
            s(out),
        ])
    }

    /// Builds, signs and installs the trust pack from the corpus lists.
    fn install_trust_pack(&self) {
        let content = self.path("content");
        let t = Instant::now();
        let out = self.trust_build(
            &self.corpus(LOTL),
            &self.corpus(TSL_IT),
            &self.lotl_signer_sha256(),
            &content,
        );
        let build_ms = t.elapsed().as_millis();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let t = Instant::now();
        self.ok(&[
            "pack",
            "keygen",
            "--out",
            s(&self.path("keys")),
            "--name",
            "it",
            "--kinds",
            "trust",
        ]);
        std::fs::copy(
            self.path("keys/it.packkey"),
            self.path("sys/keys/it.packkey"),
        )
        .unwrap();
        let pack = self.path("trust-v1.pack");
        self.ok(&[
            "pack",
            "build",
            "--kind",
            "trust",
            "--version",
            "1",
            "--created",
            "2023-09-28T00:00:00Z",
            s(&content),
            "-o",
            s(&pack),
        ]);
        self.ok(&[
            "pack",
            "sign",
            "--key",
            s(&self.path("keys/it.key")),
            s(&pack),
        ]);
        let pack_ms = t.elapsed().as_millis();
        self.ok(&["pack", "install", s(&pack)]);
        eprintln!(
            "trust pack from the corpus lists (debug build): check and write {build_ms} ms, keygen + pack + sign {pack_ms} ms"
        );
    }

    fn verify(&self, extra: &[&str]) -> Output {
        let signed = self.corpus(SIGNED);
        let mut args = vec![
            "verify",
            "--at",
            "2021-06-01T12:00:00Z",
            "--report-time",
            "2023-09-28T00:00:00Z",
        ];
        args.extend_from_slice(extra);
        args.push(s(&signed));
        let t = Instant::now();
        let out = self.run(&args);
        eprintln!(
            "verify {extra:?} (debug build): {} ms",
            t.elapsed().as_millis()
        );
        out
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn trust_build_corpus_lists_writes_both_lists_and_summary() {
    let Some(sb) = Sandbox::new() else { return };
    let out_dir = sb.path("content");
    let out = sb.trust_build(
        &sb.corpus(LOTL),
        &sb.corpus(TSL_IT),
        &sb.lotl_signer_sha256(),
        &out_dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("EU\tseq 332"), "{stdout}");
    assert!(stdout.contains("IT\tseq 194"), "{stdout}");
    // The lists are written unchanged.
    assert_eq!(
        std::fs::read(out_dir.join("EU-LOTL-seq332.xml")).unwrap(),
        std::fs::read(sb.corpus(LOTL)).unwrap()
    );
    assert_eq!(
        std::fs::read(out_dir.join("TSL-IT-seq194.xml")).unwrap(),
        std::fs::read(sb.corpus(TSL_IT)).unwrap()
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("trust-pack.json")).unwrap()).unwrap();
    assert_eq!(
        summary["lists"][0]["signer_sha256"],
        sb.lotl_signer_sha256()
    );
    assert_eq!(summary["lists"][1]["territory"], "IT");
}

#[test]
fn verify_default_trust_installed_pack_finds_qualified_signature() {
    let Some(sb) = Sandbox::new() else { return };
    sb.install_trust_pack();
    // No --trust: the default trust (the installed pack) only.
    let out = sb.verify(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Firma elettronica qualificata"), "{stdout}");
    // The report header says where each list came from: the installed pack.
    let out = sb.verify(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources = v["trust_sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
    for src in sources {
        assert_eq!(src["kind"], "trusted_list");
        assert_eq!(src["origin"]["kind"], "pack", "{src}");
        assert_eq!(src["origin"]["version"], 1);
        assert!(src.get("notes").is_none(), "{src}");
    }
}

#[test]
fn verify_no_default_trust_ignores_installed_pack() {
    let Some(sb) = Sandbox::new() else { return };
    sb.install_trust_pack();
    let out = sb.verify(&["--no-default-trust", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["trust_sources"].as_array().unwrap().is_empty(),
        "{}",
        v["trust_sources"]
    );
    let out = sb.verify(&["--no-default-trust"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(out.status.code(), Some(0), "{stdout}");
    assert!(
        !stdout.contains("Firma elettronica qualificata"),
        "{stdout}"
    );
    // Given explicitly, the same lists are named as given, not as the pack.
    let out = sb.verify(&[
        "--no-default-trust",
        "--trust",
        s(&sb.corpus(LOTL)),
        "--trust",
        s(&sb.corpus(TSL_IT)),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for src in v["trust_sources"].as_array().unwrap() {
        assert_eq!(src["origin"]["kind"], "given", "{src}");
    }
}

#[test]
fn trust_build_tampered_national_list_is_refused_with_reason() {
    let Some(sb) = Sandbox::new() else { return };
    let text = std::fs::read_to_string(sb.corpus(TSL_IT)).unwrap();
    // One character of a provider's data changed after AgID signed the list.
    let at = text.find("<TSPName>").unwrap();
    let close = at + text[at..].find("</Name>").unwrap();
    let mut tampered = text.clone();
    tampered.replace_range(close - 1..close, "#");
    assert_ne!(tampered, text);
    let bad = sb.path("TSL-IT-tampered.xml");
    std::fs::write(&bad, tampered).unwrap();
    let out_dir = sb.path("content");
    let out = sb.trust_build(&sb.corpus(LOTL), &bad, &sb.lotl_signer_sha256(), &out_dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("TSL-IT-seq194.xml"), "{stderr}");
    assert!(
        stderr.contains("the list was changed after it was signed"),
        "{stderr}"
    );
    assert!(stderr.contains("modificato dopo la firma"), "{stderr}");
    // Nothing is written.
    assert!(!out_dir.exists() || std::fs::read_dir(&out_dir).unwrap().next().is_none());
}

#[test]
fn trust_build_lotl_not_signed_by_pinned_certificate_is_refused() {
    let Some(sb) = Sandbox::new() else { return };
    let out = sb.trust_build(
        &sb.corpus(LOTL),
        &sb.corpus(TSL_IT),
        &"ab".repeat(32),
        &sb.path("content"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "signed with a certificate (SHA-256 {})",
            sb.lotl_signer_sha256()
        )),
        "{stderr}"
    );
}

#[test]
fn trust_build_lists_past_next_update_are_refused() {
    let Some(sb) = Sandbox::new() else { return };
    let out = sb.run(&[
        "trust",
        "build",
        "--lotl",
        s(&sb.corpus(LOTL)),
        "--tsl",
        s(&sb.corpus(TSL_IT)),
        "--lotl-signer-sha256",
        &sb.lotl_signer_sha256(),
        "--at",
        "2026-11-27T00:00:00Z",
        "--out",
        s(&sb.path("content")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("past its next update"), "{stderr}");
}

#[test]
fn trust_build_national_list_given_as_lotl_is_refused() {
    let Some(sb) = Sandbox::new() else { return };
    let out = sb.trust_build(
        &sb.corpus(TSL_IT),
        &sb.corpus(TSL_IT),
        &"ab".repeat(32),
        &sb.path("content"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(
        stderr.contains("not an EU list of trusted lists"),
        "{stderr}"
    );
}
