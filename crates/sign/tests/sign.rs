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

use lavoro_agile_sign::cms::{self, Packaging};
use lavoro_agile_sign::pades::{self, PdfOptions};
use lavoro_agile_sign::{Error, Lang, Module, Secret};
use lavoro_agile_verify::{FileInput, Indication, Options, TrustStore, ValidationTime};
use time::OffsetDateTime;

use lavoro_agile_tests::softhsm::{
    run, token as fixture, which, Fixture, ALWAYS_AUTH_ID, AUTH_ID, EC_ID, PIN, RSA_ID, SOFTHSM,
};

fn module() -> Module {
    Module::open(Path::new(SOFTHSM)).unwrap()
}

fn pin() -> Secret {
    Secret::new(PIN.to_owned())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Our verifier's report on `path`, with the test CA as the only trust anchor.
fn file_report(
    f: &Fixture,
    path: &Path,
    content: Option<&Path>,
) -> lavoro_agile_verify::report::FileReport {
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
    out.report
}

/// Our verifier's indications for every signature of `path`.
fn verify(f: &Fixture, path: &Path, content: Option<&Path>) -> Vec<Indication> {
    // Countersignatures and nested envelopes are listed flat, each with its own verdict.
    file_report(f, path, content)
        .signatures
        .iter()
        .map(|s| s.indication)
        .collect()
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
    // SoftHSM's spare blank token is not listed: nothing can be signed with it.
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let t = tokens.first().unwrap();
    assert_eq!(t.label, "Prova");
    assert!(!t.pin.locked);
    let certs = m.certificates(t.index).unwrap();
    assert_eq!(certs.len(), 4);
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
    let Error::PinIncorrect(status) = err else {
        panic!("unexpected {err:?}")
    };
    // SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN (it never locks).
    assert!(status.count_low, "{status:?}");
    assert_eq!(
        err.message(Lang::It),
        "PIN errato. I tentativi rimasti sono pochi."
    );
    let now_status = m.pin_status(0).unwrap();
    assert_eq!(
        lavoro_agile_sign::pin_warning(&now_status, Lang::It).as_deref(),
        Some("Il PIN è stato sbagliato di recente: i tentativi rimasti sono pochi.")
    );
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
    // Any of the three signing keys (the token's order decides), never the
    // authentication-only one.
    assert!(s.entry().non_repudiation);
    assert_ne!(s.entry().id, AUTH_ID);
}

#[test]
fn always_authenticate_key_signs_with_context_login_each_time() {
    let Some((f, _g)) = fixture() else { return };
    let mut s = module().login(0, Some(ALWAYS_AUTH_ID), &pin()).unwrap();
    assert!(s.always_authenticate());
    for name in ["always-1.txt", "always-2.txt"] {
        let out = cms::sign(name.as_bytes(), Packaging::Attached, &mut s, now()).unwrap();
        let p = f.path(&format!("{name}.p7m"));
        std::fs::write(&p, out).unwrap();
        assert_all_passed(f, &p, None, 1);
    }
    // The PIN typed again for one signature is checked by the context login.
    s.set_signature_pin(Secret::new("111111".to_owned()));
    let err = cms::sign(b"x", Packaging::Attached, &mut s, now()).unwrap_err();
    assert!(matches!(err, Error::PinIncorrect(_)), "{err:?}");
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
fn cades_parallel_signature_on_detached_uses_content() {
    let Some((f, _g)) = fixture() else { return };
    let (p, content) = sign_file(f, EC_ID, "det-add.txt", Packaging::Detached);
    let original = std::fs::read(&p).unwrap();
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    assert_eq!(
        cms::add_parallel(&original, None, &mut s, now()).unwrap_err(),
        Error::DetachedContentMissing
    );
    let out = cms::add_parallel(&original, Some(&content), &mut s, now()).unwrap();
    let p2 = f.path("det-add.txt (2).p7s");
    std::fs::write(&p2, &out).unwrap();
    let content_path = f.path("det-add.txt");
    assert_all_passed(f, &p2, Some(&content_path), 2);
    openssl_cms_verify(f, &p2, Some(&content_path));
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

/// The fixture's TSA (`openssl ts -reply`), called directly.
struct OpensslTsa(&'static Fixture);

impl lavoro_agile_sign::tsa::TimestampSource for OpensslTsa {
    fn send(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(lavoro_agile_tests::softhsm::openssl_ts_reply(
            self.0, request,
        ))
    }
}

/// The timestamps our verifier found in `path`: kind and verdict.
fn timestamps(f: &Fixture, path: &Path) -> Vec<(&'static str, Indication)> {
    file_report(f, path, None)
        .timestamps
        .iter()
        .map(|t| (t.kind, t.indication))
        .collect()
}

#[test]
fn cades_t_timestamp_from_tsa_verifies() {
    let Some((f, _g)) = fixture() else { return };
    let (p, content) = sign_file(f, RSA_ID, "tsa.txt", Packaging::Attached);
    let signed = std::fs::read(&p).unwrap();
    let out = cms::add_signature_timestamp(&signed, 0, &OpensslTsa(f)).unwrap();
    let p2 = f.path("tsa-t.txt.p7m");
    std::fs::write(&p2, &out).unwrap();
    assert_all_passed(f, &p2, None, 1);
    assert_eq!(openssl_cms_verify(f, &p2, None), content);
    assert_eq!(
        timestamps(f, &p2),
        [("signature", Indication::TotalPassed)],
        "the signature timestamp is found and valid"
    );
}

#[test]
fn pades_bt_timestamp_from_tsa_verifies() {
    let Some((f, _g)) = fixture() else { return };
    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let out = pades::sign_pdf_timestamped(
        &lavoro_agile_tests::softhsm::minimal_pdf(),
        &mut s,
        now(),
        &PdfOptions::default(),
        Some(&OpensslTsa(f)),
    )
    .unwrap();
    let p = f.path("tsa (2).pdf");
    std::fs::write(&p, &out).unwrap();
    assert_all_passed(f, &p, None, 1);
    assert_eq!(
        timestamps(f, &p),
        [("signature", Indication::TotalPassed)],
        "the signature timestamp is found and valid"
    );
    if let Some(n) = pdfsig_valid_count(&p) {
        assert_eq!(n, 1);
    }
    assert_pyhanko_trusted(f, &p, 1);
}

// --- PAdES ----------------------------------------------------------------------------

/// pyHanko's one-line status per signature field (`pyhanko sign validate`), from the venv
/// `target/bench-pyhanko` (the bench's) or `$PYHANKO`; `None` with a message when missing.
fn pyhanko_statuses(f: &Fixture, path: &Path) -> Option<Vec<String>> {
    let exe = std::env::var_os("PYHANKO")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-pyhanko/bin/pyhanko")
        });
    if !exe.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pyHanko missing under CI=true: python3 -m venv target/bench-pyhanko && \
             target/bench-pyhanko/bin/pip install pyhanko pyhanko-cli"
        );
        eprintln!("SKIPPED (peer): pyHanko not installed in target/bench-pyhanko");
        return None;
    }
    let out = Command::new(exe)
        .args(["sign", "validate", "--trust-replace", "--trust"])
        .arg(f.path("ca.pem"))
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(text.lines().map(str::to_owned).collect())
}

fn assert_pyhanko_trusted(f: &Fixture, path: &Path, expected: usize) {
    if let Some(lines) = pyhanko_statuses(f, path) {
        assert_eq!(lines.len(), expected, "{lines:?}");
        assert!(
            lines.iter().all(|l| l.contains(":INTACT:TRUSTED")),
            "{lines:?}"
        );
    }
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
    let pdf = lavoro_agile_tests::softhsm::minimal_pdf();
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
    assert_pyhanko_trusted(f, &p1, 1);

    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let twice = pades::sign_pdf(&once, &mut s, now(), &PdfOptions::default()).unwrap();
    assert!(twice.starts_with(&once));
    let p2 = f.path("atto (3).pdf");
    std::fs::write(&p2, &twice).unwrap();
    assert_all_passed(f, &p2, None, 2);
    if let Some(n) = pdfsig_valid_count(&p2) {
        assert_eq!(n, 2);
    }
    assert_pyhanko_trusted(f, &p2, 2);
}

#[test]
fn pades_visible_second_signature_keeps_first_valid() {
    let Some((f, _g)) = fixture() else { return };
    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let once = pades::sign_pdf(
        &lavoro_agile_tests::softhsm::minimal_pdf(),
        &mut s,
        now(),
        &PdfOptions::default(),
    )
    .unwrap();
    drop(s);
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    let options = PdfOptions {
        reason: Some("Parere di regolarità (tecnica)".to_owned()),
        visible: Some(pades::Rect::parse("300,60,220,60").unwrap()),
        ..PdfOptions::default()
    };
    let twice = pades::sign_pdf(&once, &mut s, now(), &options).unwrap();
    assert!(twice.starts_with(&once));
    let tail = String::from_utf8_lossy(&twice[once.len()..]).into_owned();
    assert!(tail.contains("/AP <</N "), "appearance present");
    assert!(
        tail.contains("(Motivo: Parere di regolarit\u{fffd} \\(tecnica\\))"),
        "{tail}"
    );
    let p = f.path("visibile (3).pdf");
    std::fs::write(&p, &twice).unwrap();
    assert_all_passed(f, &p, None, 2);
    if let Some(n) = pdfsig_valid_count(&p) {
        assert_eq!(n, 2);
    }
    assert_pyhanko_trusted(f, &p, 2);
}

#[test]
fn pades_xref_stream_file_gets_xref_stream_update_and_stays_valid() {
    let Some((f, _g)) = fixture() else { return };
    let pdf = lavoro_agile_tests::softhsm::minimal_pdf_xref_stream();
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    let once = pades::sign_pdf(&pdf, &mut s, now(), &PdfOptions::default()).unwrap();
    drop(s);
    let tail = String::from_utf8_lossy(&once[pdf.len()..]).into_owned();
    assert!(tail.contains("/Type /XRef"), "update written as a stream");
    assert!(
        !tail.contains("\nxref\n"),
        "no classic table after a stream"
    );
    let mut s = module().login(0, Some(EC_ID), &pin()).unwrap();
    let twice = pades::sign_pdf(&once, &mut s, now(), &PdfOptions::default()).unwrap();
    let p = f.path("xrefstm (3).pdf");
    std::fs::write(&p, &twice).unwrap();
    assert_all_passed(f, &p, None, 2);
    if let Some(n) = pdfsig_valid_count(&p) {
        assert_eq!(n, 2);
    }
    // pyHanko's strict mode refuses "hybrid" files: this passing shows the update kind.
    assert_pyhanko_trusted(f, &p, 2);
}

#[test]
fn pades_rect_parse_rejects_bad_input() {
    assert!(pades::Rect::parse("1,2,3").is_none());
    assert!(pades::Rect::parse("1,2,0,4").is_none());
    assert!(pades::Rect::parse("1,2,NaN,4").is_none());
    assert!(pades::Rect::parse("-1,2,3,4").is_none());
    assert_eq!(pades::Rect::parse(" 10, 20 ,30,40").unwrap().height, 40.0);
}

#[test]
fn pades_page_out_of_range_is_refused() {
    let Some((_f, _g)) = fixture() else { return };
    let mut s = module().login(0, Some(RSA_ID), &pin()).unwrap();
    let options = PdfOptions {
        page: 5,
        ..PdfOptions::default()
    };
    let err = pades::sign_pdf(
        &lavoro_agile_tests::softhsm::minimal_pdf(),
        &mut s,
        now(),
        &options,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Input(_)), "{err:?}");
}

// --- fuzz corpus replay -----------------------------------------------------------------

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        entry(&data);
        n += 1;
    }
    assert!(n > 0, "empty corpus {}", dir.display());
}

#[test]
fn fuzz_corpus_sign_envelope_replays_without_panic() {
    replay("sign_envelope", lavoro_agile_sign::fuzzing::envelope);
}

#[test]
fn fuzz_corpus_sign_tsa_response_replays_without_panic() {
    replay(
        "sign_tsa_response",
        lavoro_agile_sign::fuzzing::tsa_response,
    );
}

#[test]
fn envelope_hostile_input_is_refused_not_panicking() {
    // Indefinite lengths nested far deeper than the reader's budget.
    let mut deep = [0x30, 0x80].repeat(10_000);
    deep.extend(vec![0; 20_000]);
    assert!(cms::signer_count(&deep).is_err());
    assert_eq!(
        cms::signer_count(b"\x30\x03\x02\x01\x01"),
        Err(Error::NotSigned)
    );
    // A SignedData OID with a length claim far past the end.
    let mut lying = vec![0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x06, 0x09];
    lying.extend_from_slice(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
    assert!(cms::signer_count(&lying).is_err());
}
