//! Signing with a real PKCS#11 token: SoftHSM2, initialised by the test in a temporary
//! folder (`SOFTHSM2_CONF`), with RSA-2048 and P-256 keys whose certificates a test CA
//! (made here with openssl) issued. Every output is checked by our verifier (TOTAL_PASSED
//! with the test CA as the only trust anchor) and by a peer (`openssl cms -verify`,
//! `pdfsig`).
//!
//! Needs `softhsm2`, `opensc` (pkcs11-tool), `openssl` and `poppler-utils` (pdfsig): the
//! tests skip with a message when SoftHSM2 is missing, and fail under `CI=true`.
//!
//! Modules: fixture (token and CA), tokens and PIN, CAdES, PAdES.
// Helpers outside #[test] functions are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

use lavoro_agile_sign::cms::{self, Packaging};
use lavoro_agile_sign::pades::{self, PdfOptions};
use lavoro_agile_sign::{Error, Lang, Module, Secret};
use lavoro_agile_verify::{FileInput, Indication, Options, TrustStore, ValidationTime};
use time::OffsetDateTime;

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "123456";
const SO_PIN: &str = "87654321";
/// CKA_ID of the RSA signing key, the P-256 signing key, the authentication-only key.
const RSA_ID: &str = "01";
const EC_ID: &str = "02";
const AUTH_ID: &str = "03";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").current_dir(dir).args(args));
}

/// Issues a certificate for a new key of `kind` ("rsa" or "ec") with `usage`.
fn issue(dir: &Path, name: &str, kind: &str, usage: &str) {
    match kind {
        "rsa" => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &format!("{name}.key"),
            ],
        ),
        _ => openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{name}.key"),
            ],
        ),
    }
    std::fs::write(
        dir.join(format!("{name}.ext")),
        format!("keyUsage=critical,{usage}\nbasicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            &format!("{name}.key"),
            "-subj",
            &format!(
                "/C=IT/O=Comune di Prova/CN=Firmatario {name}/serialNumber=TINIT-PRVFRM80A01H501U"
            ),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            &format!("0x{}", name.len() + 4096),
            "-days",
            "30",
            "-sha256",
            "-extfile",
            &format!("{name}.ext"),
            "-outform",
            "DER",
            "-out",
            &format!("{name}.der"),
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.p8"),
        ],
    );
}

fn import(dir: &Path, name: &str, id: &str) {
    run(Command::new("softhsm2-util").current_dir(dir).args([
        "--import",
        &format!("{name}.p8"),
        "--token",
        "Prova",
        "--label",
        name,
        "--id",
        id,
        "--pin",
        PIN,
    ]));
    run(Command::new("pkcs11-tool").current_dir(dir).args([
        "--module",
        SOFTHSM,
        "--token-label",
        "Prova",
        "--login",
        "--pin",
        PIN,
        "--write-object",
        &format!("{name}.der"),
        "--type",
        "cert",
        "--id",
        id,
        "--label",
        name,
    ]));
}

fn build_fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("tokens")).unwrap();
    let conf = d.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            d.join("tokens").display()
        ),
    )
    .unwrap();
    // Read by SoftHSM at C_Initialize, once per process: every test shares this token.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "60",
            "-subj",
            "/C=IT/O=Comune di Prova/CN=CA di prova firma",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
    );
    issue(d, "rsa", "rsa", "nonRepudiation");
    issue(d, "ec", "ec", "nonRepudiation");
    issue(d, "auth", "rsa", "digitalSignature,keyEncipherment");
    run(Command::new("softhsm2-util").args([
        "--init-token",
        "--free",
        "--label",
        "Prova",
        "--so-pin",
        SO_PIN,
        "--pin",
        PIN,
    ]));
    // The authentication key first, so that the listing order is ours, not the token's.
    import(d, "auth", AUTH_ID);
    import(d, "rsa", RSA_ID);
    import(d, "ec", EC_ID);
    Fixture { dir }
}

/// The shared token, or `None` (with a message) when SoftHSM2 is not installed.
fn fixture() -> Option<(&'static Fixture, MutexGuard<'static, ()>)> {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let present = Path::new(SOFTHSM).is_file()
        && which("softhsm2-util")
        && which("pkcs11-tool")
        && which("openssl");
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "SoftHSM2, opensc or openssl missing under CI=true: install softhsm2 opensc openssl"
        );
        eprintln!("SKIPPED: SoftHSM2 (softhsm2), pkcs11-tool (opensc) or openssl not installed");
        return None;
    }
    // A test that failed while holding the lock leaves it poisoned; the token is still fine.
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    Some((FIXTURE.get_or_init(build_fixture), guard))
}

fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn module() -> Module {
    Module::open(Path::new(SOFTHSM)).unwrap()
}

fn pin() -> Secret {
    Secret::new(PIN.to_owned())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Our verifier's indications for every signature of `path`.
fn verify(f: &Fixture, path: &Path, content: Option<&Path>) -> Vec<Indication> {
    let mut trust = TrustStore::new();
    trust
        .add_bytes(&std::fs::read(f.path("ca.pem")).unwrap())
        .unwrap();
    let options = Options {
        trust,
        at: ValidationTime::Now,
        now: now(),
        keep_content: false,
        revocation: lavoro_agile_verify::RevocationPolicy::IfAvailable,
    };
    let out = lavoro_agile_verify::validate_file(
        &FileInput {
            display: path.display().to_string(),
            path: path.to_path_buf(),
            content: content.map(Path::to_path_buf),
        },
        &options,
    );
    assert!(out.report.error.is_none(), "{:?}", out.report.error);
    // Countersignatures and nested envelopes are listed flat, each with its own verdict.
    out.report.signatures.iter().map(|s| s.indication).collect()
}

fn assert_all_passed(f: &Fixture, path: &Path, content: Option<&Path>, expected: usize) {
    let got = verify(f, path, content);
    assert_eq!(got.len(), expected, "signatures found: {got:?}");
    assert!(got.iter().all(|i| *i == Indication::TotalPassed), "{got:?}");
}

/// `openssl cms -verify` with the test CA; returns the verified content.
fn openssl_cms_verify(f: &Fixture, path: &Path, detached: Option<&Path>) -> Vec<u8> {
    let out_path = f.path("openssl-out.bin");
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-verify", "-binary", "-inform", "DER", "-CAfile"])
        .arg(f.path("ca.pem"))
        .arg("-in")
        .arg(path)
        .arg("-out")
        .arg(&out_path)
        .args(["-purpose", "any"]);
    if let Some(c) = detached {
        cmd.arg("-content").arg(c);
    }
    run(&mut cmd);
    std::fs::read(out_path).unwrap()
}

// --- tokens and PIN -------------------------------------------------------------------

#[test]
fn tokens_softhsm_lists_token_and_signing_certificates_first() {
    let Some((_f, _g)) = fixture() else { return };
    let m = module();
    let tokens = m.tokens().unwrap();
    let t = tokens.iter().find(|t| t.label == "Prova").unwrap();
    assert!(!t.pin.locked);
    let certs = m.certificates(t.index).unwrap();
    assert_eq!(certs.len(), 3);
    assert!(certs.first().unwrap().non_repudiation);
    assert!(certs.get(1).unwrap().non_repudiation);
    let last = certs.last().unwrap();
    assert_eq!(last.id, AUTH_ID);
    assert!(!last.non_repudiation);
}

#[test]
fn login_wrong_pin_gives_italian_message() {
    let Some((_f, _g)) = fixture() else { return };
    let m = module();
    let err = m
        .login(0, Some(RSA_ID), &Secret::new("000000".to_owned()))
        .unwrap_err();
    let Error::PinIncorrect(_) = err else {
        panic!("unexpected {err:?}")
    };
    assert!(err.message(Lang::It).starts_with("PIN errato"));
    assert!(!format!("{err:?}").contains("000000"));
    // The right PIN still works afterwards.
    m.login(0, Some(RSA_ID), &pin()).unwrap();
}

#[test]
fn login_unknown_certificate_is_refused() {
    let Some((_f, _g)) = fixture() else { return };
    let err = module().login(0, Some("ff"), &pin()).unwrap_err();
    assert_eq!(err, Error::CertificateNotFound);
}

#[test]
fn login_without_cert_picks_nonrepudiation_key() {
    let Some((_f, _g)) = fixture() else { return };
    let s = module().login(0, None, &pin()).unwrap();
    assert!(s.entry().non_repudiation);
    assert!(!s.always_authenticate());
}

// --- CAdES ----------------------------------------------------------------------------

fn sign_file(f: &Fixture, id: &str, name: &str, packaging: Packaging) -> (PathBuf, Vec<u8>) {
    let content = format!("Determina {name}: documento di prova.\n").into_bytes();
    let src = f.path(name);
    std::fs::write(&src, &content).unwrap();
    let mut s = module().login(0, Some(id), &pin()).unwrap();
    let out = cms::sign(&content, packaging, &mut s, now()).unwrap();
    let ext = if packaging == Packaging::Attached {
        "p7m"
    } else {
        "p7s"
    };
    let path = f.path(&format!("{name}.{ext}"));
    std::fs::write(&path, out).unwrap();
    (path, content)
}

#[test]
fn cades_attached_rsa_verifies_with_ours_and_openssl() {
    let Some((f, _g)) = fixture() else { return };
    let (p, content) = sign_file(f, RSA_ID, "rsa.txt", Packaging::Attached);
    assert_all_passed(f, &p, None, 1);
    assert_eq!(openssl_cms_verify(f, &p, None), content);
}

#[test]
fn cades_attached_ecdsa_verifies_with_ours_and_openssl() {
    let Some((f, _g)) = fixture() else { return };
    let (p, content) = sign_file(f, EC_ID, "ec.txt", Packaging::Attached);
    assert_all_passed(f, &p, None, 1);
    assert_eq!(openssl_cms_verify(f, &p, None), content);
}

#[test]
fn cades_detached_verifies_with_content() {
    let Some((f, _g)) = fixture() else { return };
    let (p, _) = sign_file(f, RSA_ID, "detached.txt", Packaging::Detached);
    let content = f.path("detached.txt");
    assert_all_passed(f, &p, Some(&content), 1);
    openssl_cms_verify(f, &p, Some(&content));
}

#[test]
fn cades_parallel_signature_keeps_both_valid() {
    let Some((f, _g)) = fixture() else { return };
    let (p, content) = sign_file(f, RSA_ID, "parallel.txt", Packaging::Attached);
    let original = std::fs::read(&p).unwrap();
    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let out = cms::add_parallel(&original, None, &mut s, now()).unwrap();
    let p2 = f.path("parallel.txt (2).p7m");
    std::fs::write(&p2, &out).unwrap();
    assert_eq!(cms::signer_count(&out).unwrap(), 2);
    assert_all_passed(f, &p2, None, 2);
    assert_eq!(openssl_cms_verify(f, &p2, None), content);
    // The original is untouched and still valid.
    assert_eq!(std::fs::read(&p).unwrap(), original);
    assert_all_passed(f, &p, None, 1);
}

#[test]
fn cades_countersignature_verifies() {
    let Some((f, _g)) = fixture() else { return };
    let (p, content) = sign_file(f, RSA_ID, "counter.txt", Packaging::Attached);
    let original = std::fs::read(&p).unwrap();
    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let out = cms::countersign(&original, 0, &mut s, now()).unwrap();
    let p2 = f.path("counter.txt (2).p7m");
    std::fs::write(&p2, &out).unwrap();
    assert_all_passed(f, &p2, None, 2);
    assert_eq!(openssl_cms_verify(f, &p2, None), content);
}

#[test]
fn cades_nested_envelope_verifies_both_levels() {
    let Some((f, _g)) = fixture() else { return };
    let (p, _) = sign_file(f, RSA_ID, "nested.txt", Packaging::Attached);
    let inner = std::fs::read(&p).unwrap();
    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let out = cms::sign(&inner, Packaging::Attached, &mut s, now()).unwrap();
    let p2 = f.path("nested.txt.p7m.p7m");
    std::fs::write(&p2, &out).unwrap();
    assert_all_passed(f, &p2, None, 2);
    assert_eq!(openssl_cms_verify(f, &p2, None), inner);
}

#[test]
fn cades_add_to_unsigned_file_is_refused() {
    let Some((_f, _g)) = fixture() else { return };
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    let err = cms::add_parallel(b"not signed", None, &mut s, now()).unwrap_err();
    assert_eq!(err, Error::NotSigned);
}

// --- PAdES ----------------------------------------------------------------------------

/// A one-page PDF written by hand, with correct offsets.
fn minimal_pdf() -> Vec<u8> {
    let objects = [
        "<</Type/Catalog/Pages 2 0 R>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<<>>>>",
        "<</Length 35>>\nstream\nBT /F1 12 Tf 72 770 Td (Atto) Tj ET\nendstream",
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn pdfsig_valid_count(path: &Path) -> Option<usize> {
    if !which("pdfsig") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pdfsig missing under CI=true: install poppler-utils"
        );
        eprintln!("SKIPPED (peer): pdfsig (poppler-utils) not installed");
        return None;
    }
    let out = Command::new("pdfsig").arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.matches("Signature is Valid").count())
}

#[test]
fn pades_second_signature_keeps_first_valid() {
    let Some((f, _g)) = fixture() else { return };
    let pdf = minimal_pdf();
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    let options = PdfOptions {
        reason: Some("Approvazione".to_owned()),
        ..PdfOptions::default()
    };
    let once = pades::sign_pdf(&pdf, &mut s, now(), &options).unwrap();
    drop(s);
    assert!(once.starts_with(&pdf), "the original bytes are kept");
    let p1 = f.path("atto (2).pdf");
    std::fs::write(&p1, &once).unwrap();
    assert_all_passed(f, &p1, None, 1);
    if let Some(n) = pdfsig_valid_count(&p1) {
        assert_eq!(n, 1);
    }

    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let twice = pades::sign_pdf(&once, &mut s, now(), &PdfOptions::default()).unwrap();
    assert!(twice.starts_with(&once));
    let p2 = f.path("atto (3).pdf");
    std::fs::write(&p2, &twice).unwrap();
    assert_all_passed(f, &p2, None, 2);
    if let Some(n) = pdfsig_valid_count(&p2) {
        assert_eq!(n, 2);
    }
}

#[test]
fn pades_page_out_of_range_is_refused() {
    let Some((_f, _g)) = fixture() else { return };
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    let options = PdfOptions {
        page: 5,
        ..PdfOptions::default()
    };
    let err = pades::sign_pdf(&minimal_pdf(), &mut s, now(), &options).unwrap_err();
    assert!(matches!(err, Error::Input(_)), "{err:?}");
}
