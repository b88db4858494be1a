//! A SoftHSM2 token for the signing tests: initialised once per test process in a
//! temporary folder (`SOFTHSM2_CONF` points at a private config), with a test CA made by
//! openssl and three keys imported with their certificates: RSA-2048 and P-256 signing keys
//! (nonRepudiation) and an RSA authentication key (digitalSignature only).
//!
//! Needs `softhsm2`, `opensc` (pkcs11-tool) and `openssl`. [`token`] returns `None` with a
//! visible message when they are missing, and panics under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const PIN: &str = "123456";
pub const SO_PIN: &str = "87654321";
/// CKA_ID of the RSA signing key, the P-256 signing key, the authentication-only key.
pub const RSA_ID: &str = "01";
pub const EC_ID: &str = "02";
pub const AUTH_ID: &str = "03";
/// CKA_ID of an RSA signing key generated on the token with CKA_ALWAYS_AUTHENTICATE.
pub const ALWAYS_AUTH_ID: &str = "04";

pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn run(cmd: &mut Command) {
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
    always_auth_key(d);
    timestamp_authority(d);
    Fixture { dir }
}

/// The shared token, or `None` (with a message) when SoftHSM2 is not installed.
pub fn token() -> Option<(&'static Fixture, MutexGuard<'static, ()>)> {
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

pub fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// A one-page PDF written by hand, with correct offsets.
pub fn minimal_pdf() -> Vec<u8> {
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

/// An RSA key generated on the token with CKA_ALWAYS_AUTHENTICATE, and a certificate the
/// test CA issues for its public key (`-force_pubkey`: the private key never leaves).
fn always_auth_key(d: &Path) {
    let pkcs11 = |args: &[&str]| {
        run(Command::new("pkcs11-tool")
            .current_dir(d)
            .args(["--module", SOFTHSM, "--token-label", "Prova"])
            .args(args));
    };
    pkcs11(&[
        "--login",
        "--pin",
        PIN,
        "--keypairgen",
        "--key-type",
        "rsa:2048",
        "--id",
        ALWAYS_AUTH_ID,
        "--label",
        "always",
        "--always-auth",
        "--usage-sign",
    ]);
    pkcs11(&[
        "--read-object",
        "--type",
        "pubkey",
        "--id",
        ALWAYS_AUTH_ID,
        "-o",
        "always-pub.der",
    ]);
    openssl(
        d,
        &[
            "pkey",
            "-pubin",
            "-inform",
            "DER",
            "-in",
            "always-pub.der",
            "-out",
            "always-pub.pem",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "rsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-force_pubkey",
            "always-pub.pem",
            "-set_serial",
            "0x2004",
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "rsa.ext",
            "-outform",
            "DER",
            "-out",
            "always.der",
        ],
    );
    pkcs11(&[
        "--login",
        "--pin",
        PIN,
        "--write-object",
        "always.der",
        "--type",
        "cert",
        "--id",
        ALWAYS_AUTH_ID,
        "--label",
        "always",
    ]);
}

/// A timestamp authority's certificate (extendedKeyUsage timeStamping) from the test CA,
/// and the `openssl ts` configuration that uses it.
fn timestamp_authority(d: &Path) {
    std::fs::write(
        d.join("tsa.ext"),
        "keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\nbasicConstraints=critical,CA:FALSE\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "tsa.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "tsa.key",
            "-subj",
            "/C=IT/O=Comune di Prova/CN=TSA di prova",
            "-out",
            "tsa.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "0x3001",
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "tsa.ext",
            "-out",
            "tsa.pem",
        ],
    );
    std::fs::write(
        d.join("tsa.cnf"),
        "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = ./tsaserial\ncrypto_device = builtin\n\
         signer_cert = ./tsa.pem\nsigner_key = ./tsa.key\nsigner_digest = sha256\n\
         default_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\n\
         tsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
    )
    .unwrap();
    std::fs::write(d.join("tsaserial"), "01\n").unwrap();
}

/// Answers an RFC 3161 query with `openssl ts -reply` (the fixture's TSA).
pub fn openssl_ts_reply(f: &Fixture, query: &[u8]) -> Vec<u8> {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let q = f.path(&format!("q{n}.tsq"));
    let r = f.path(&format!("r{n}.tsr"));
    std::fs::write(&q, query).unwrap();
    run(Command::new("openssl")
        .current_dir(f.dir.path())
        .args(["ts", "-reply", "-config", "tsa.cnf", "-queryfile"])
        .arg(&q)
        .arg("-out")
        .arg(&r));
    std::fs::read(r).unwrap()
}

/// A timestamp authority over HTTP on 127.0.0.1 (RFC 3161 section 3.4), answering with
/// [`openssl_ts_reply`] until the test process ends; returns its URL.
pub fn start_tsa_server(f: &'static Fixture) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" || line == "\n" {
                    break;
                }
            }
            let mut body = vec![0; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let reply = openssl_ts_reply(f, &body);
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    reply.len()
                )
                .as_bytes(),
            );
            let _ = stream.write_all(&reply);
        }
    });
    url
}

/// The same one-page PDF with a cross-reference stream (PDF 1.5) instead of a table,
/// uncompressed, with correct offsets.
pub fn minimal_pdf_xref_stream() -> Vec<u8> {
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
    offsets.push(xref);
    // Entries for objects 0..=5 (5 is the stream itself): type, 4-byte offset, 2-byte gen.
    let mut data = vec![0u8, 0, 0, 0, 0, 0xff, 0xff];
    for off in &offsets {
        data.push(1);
        data.extend_from_slice(&u32::try_from(*off).unwrap().to_be_bytes());
        data.extend_from_slice(&[0, 0]);
    }
    out.extend_from_slice(
        format!(
            "5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Length {}>>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}
