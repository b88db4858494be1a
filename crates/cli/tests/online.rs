//! `lavoro-agile-cli verify --online` against an OCSP responder and a CRL server on
//! 127.0.0.1 that the test starts: OCSP good/revoked/unknown, a CRL, a server that is down,
//! the disk cache, the environment's proxy, and nothing on the network without `--online`.
//!
//! The PKI is made at test time (`tests/fixtures/online/make_pki.py`, Python
//! `cryptography` + `openssl`) because the certificates carry the server's port; the OCSP
//! answers are made per request by `openssl ocsp -index` from the request our client sent,
//! so the request encoding is checked by a real responder too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lavoro-agile-cli");
/// The host name the "proxied" certificate points at; it does not resolve.
const PROXIED_HOST: &str = "ocsp.lavoro-agile.invalid";

/// One HTTP request read from a socket.
struct Request {
    method: String,
    target: String,
    body: Vec<u8>,
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        body,
    })
}

fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
}

/// The OCSP responder and CRL server: `POST /ocsp` answered by `openssl ocsp` from the
/// PKI's index, `GET /ca.crl` the CRL. Counts the requests; `stop` makes it refuse every
/// connection from then on (the listener is closed).
struct Responder {
    base: String,
    requests: Arc<AtomicUsize>,
    stopped: Arc<AtomicBool>,
}

impl Responder {
    fn start(listener: TcpListener, pki: PathBuf) -> Self {
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let (n, s) = (Arc::clone(&requests), Arc::clone(&stopped));
        let lock = Arc::new(Mutex::new(()));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    // Dropping the listener: later connections are refused.
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let Some(req) = read_request(&mut stream) else {
                    continue;
                };
                n.fetch_add(1, Ordering::SeqCst);
                let _guard = lock.lock().unwrap();
                answer(&pki, &req, &mut stream);
            }
        });
        Self {
            base,
            requests,
            stopped,
        }
    }

    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag and closes the listener.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn answer(pki: &Path, req: &Request, stream: &mut TcpStream) {
    let path = req
        .target
        .rsplit_once("//")
        .map_or(req.target.as_str(), |(_, rest)| {
            rest.find('/').map_or("/", |i| &rest[i..])
        });
    match (req.method.as_str(), path) {
        ("GET", "/ca.crl") => {
            let crl = std::fs::read(pki.join("ca.crl")).unwrap();
            respond(stream, 200, "application/pkix-crl", &crl);
        }
        ("POST", "/ocsp") => {
            let reqin = pki.join("req.der");
            let respout = pki.join("resp.der");
            std::fs::write(&reqin, &req.body).unwrap();
            let _ = std::fs::remove_file(&respout);
            let out = Command::new("openssl")
                .current_dir(pki)
                .args([
                    "ocsp",
                    "-index",
                    "index.txt",
                    "-CA",
                    "ca.pem",
                    "-rsigner",
                    "ca.pem",
                    "-rkey",
                    "ca.key",
                    "-reqin",
                    "req.der",
                    "-respout",
                    "resp.der",
                    "-nmin",
                    "60",
                ])
                .output()
                .unwrap();
            match std::fs::read(&respout) {
                Ok(resp) => respond(stream, 200, "application/ocsp-response", &resp),
                Err(_) => {
                    eprintln!("openssl ocsp: {}", String::from_utf8_lossy(&out.stderr));
                    respond(stream, 500, "text/plain", b"responder error");
                }
            }
        }
        _ => respond(stream, 404, "text/plain", b"not found"),
    }
}

/// A forwarding HTTP proxy on 127.0.0.1: takes absolute-form requests, counts them, sends
/// them on to the responder (the test host name stands for it) and relays the answer.
struct Proxy {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(responder: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let n = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(req) = read_request(&mut stream) else {
                    continue;
                };
                n.fetch_add(1, Ordering::SeqCst);
                let rest = req.target.split_once("://").map_or("", |(_, r)| r);
                let path = rest.find('/').map_or("/", |i| &rest[i..]);
                let mut up = TcpStream::connect(responder.trim_start_matches("http://")).unwrap();
                write!(
                    up,
                    "{} {path} HTTP/1.1\r\nHost: {PROXIED_HOST}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    req.method,
                    req.body.len()
                )
                .unwrap();
                up.write_all(&req.body).unwrap();
                let mut answer = Vec::new();
                let _ = up.read_to_end(&mut answer);
                let _ = stream.write_all(&answer);
            }
        });
        Self { url, requests }
    }
}

/// The PKI, the responder, and private cache folders.
struct World {
    dir: tempfile::TempDir,
    responder: Responder,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // A port where nothing listens: bound, then closed.
        let down = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        // A server that accepts connections and never answers: the listener stays open
        // (the kernel completes the handshake), nobody reads.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_port = silent.local_addr().unwrap().port();
        std::mem::forget(silent);
        let pki = dir.path().join("pki");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/online/make_pki.py");
        let out = Command::new("python3")
            .arg(script)
            .arg(&pki)
            .arg(format!("http://127.0.0.1:{port}"))
            .arg(format!("http://127.0.0.1:{down}"))
            .arg(format!("http://{PROXIED_HOST}:{port}"))
            .arg(format!("http://127.0.0.1:{silent_port}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "make_pki.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let responder = Responder::start(listener, pki);
        Self { dir, responder }
    }

    fn pki(&self, name: &str) -> PathBuf {
        self.dir.path().join("pki").join(name)
    }

    /// Runs `verify --format json --trust ca.pem [extra] FILE` with a private cache folder
    /// and no proxy variables but `env`.
    fn verify(&self, file: &str, extra: &[&str], env: &[(&str, &str)]) -> (Value, String) {
        let mut c = Command::new(BIN);
        c.arg("verify")
            .args(["--format", "json", "--trust"])
            .arg(self.pki("ca.pem"))
            .args(extra)
            .arg(self.pki(file))
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"));
        for v in [
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "no_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
        ] {
            c.env_remove(v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
        (v, stderr)
    }
}

fn signature(v: &Value) -> &Value {
    &v["files"][0]["signatures"][0]
}

fn revocation_check(v: &Value) -> &Value {
    signature(v)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "revocation")
        .unwrap()
}

fn online_sources(v: &Value) -> Vec<&Value> {
    v["trust_sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s.get("online").is_some())
        .collect()
}

#[test]
fn online_ocsp_good_passes_and_reports_the_url() {
    let w = World::new();
    let started = Instant::now();
    let (v, err) = w.verify("good.p7m", &["--online"], &[]);
    eprintln!("online OCSP check (good): {:?}", started.elapsed());
    assert_eq!(signature(&v)["indication"], "TOTAL_PASSED", "{v:#}\n{err}");
    assert_eq!(revocation_check(&v)["outcome"], "passed", "{v:#}");
    let sources = online_sources(&v);
    assert_eq!(sources.len(), 1, "{v:#}");
    assert_eq!(sources[0]["kind"], "ocsp");
    assert_eq!(
        sources[0]["online"]["url"],
        format!("{}/ocsp", w.responder.base)
    );
    assert_eq!(sources[0]["online"]["from_cache"], false);
    assert!(sources[0]["online"]["fetched_at"].is_string());
    assert_eq!(w.responder.count(), 1);
}

#[test]
fn online_ocsp_revoked_is_revoked_no_poe() {
    let w = World::new();
    let (v, err) = w.verify("revoked.p7m", &["--online"], &[]);
    assert_eq!(signature(&v)["indication"], "INDETERMINATE", "{v:#}\n{err}");
    assert_eq!(signature(&v)["subindication"], "REVOKED_NO_POE", "{v:#}");
}

#[test]
fn online_ocsp_unknown_is_try_later_with_the_reason() {
    let w = World::new();
    let (v, err) = w.verify("unknown.p7m", &["--online"], &[]);
    assert_eq!(signature(&v)["indication"], "INDETERMINATE", "{v:#}\n{err}");
    assert_eq!(signature(&v)["subindication"], "TRY_LATER", "{v:#}");
    let msg = revocation_check(&v)["detail"]["en"].as_str().unwrap();
    assert!(msg.contains("does not know the certificate"), "{msg}");
}

#[test]
fn online_crl_revoked_is_revoked_no_poe() {
    let w = World::new();
    let (v, err) = w.verify("crl.p7m", &["--online"], &[]);
    assert_eq!(
        signature(&v)["subindication"],
        "REVOKED_NO_POE",
        "{v:#}\n{err}"
    );
    let sources = online_sources(&v);
    assert_eq!(sources.len(), 1, "{v:#}");
    assert_eq!(sources[0]["kind"], "crl");
    assert_eq!(
        sources[0]["online"]["url"],
        format!("{}/ca.crl", w.responder.base)
    );
}

#[test]
fn online_server_down_is_try_later_quickly() {
    let w = World::new();
    let (v, err) = w.verify("down.p7m", &["--online"], &[]);
    assert_eq!(signature(&v)["indication"], "INDETERMINATE", "{v:#}\n{err}");
    assert_eq!(signature(&v)["subindication"], "TRY_LATER", "{v:#}");
    let msg = revocation_check(&v)["detail"]["en"].as_str().unwrap();
    assert!(msg.contains("download failed"), "{msg}");
    assert!(msg.contains("not reachable"), "{msg}");
}

#[test]
fn online_server_silent_times_out_as_try_later() {
    let w = World::new();
    let started = Instant::now();
    let (v, err) = w.verify("silent.p7m", &["--online"], &[]);
    eprintln!("silent server: verdict after {:?}", started.elapsed());
    assert_eq!(signature(&v)["subindication"], "TRY_LATER", "{v:#}\n{err}");
    let msg = revocation_check(&v)["detail"]["en"].as_str().unwrap();
    assert!(
        msg.contains("timed out") || msg.contains("Timed out"),
        "{msg}"
    );
}

#[test]
fn online_second_run_uses_the_cache_when_the_server_is_gone() {
    let w = World::new();
    let (first, _) = w.verify("good.p7m", &["--online"], &[]);
    assert_eq!(signature(&first)["indication"], "TOTAL_PASSED", "{first:#}");
    w.responder.stop();
    let (second, err) = w.verify("good.p7m", &["--online"], &[]);
    assert_eq!(
        signature(&second)["indication"],
        "TOTAL_PASSED",
        "{second:#}\n{err}"
    );
    let sources = online_sources(&second);
    assert_eq!(sources[0]["online"]["from_cache"], true, "{second:#}");
    assert_eq!(
        sources[0]["online"]["fetched_at"],
        online_sources(&first)[0]["online"]["fetched_at"]
    );
    assert_eq!(w.responder.count(), 1);
}

#[test]
fn online_proxy_from_environment_is_used() {
    let w = World::new();
    let proxy = Proxy::start(w.responder.base.clone());
    let (v, err) = w.verify("proxied.p7m", &["--online"], &[("http_proxy", &proxy.url)]);
    assert_eq!(signature(&v)["indication"], "TOTAL_PASSED", "{v:#}\n{err}");
    assert_eq!(proxy.requests.load(Ordering::SeqCst), 1);
    assert_eq!(w.responder.count(), 1);
}

#[test]
fn online_proxy_excluded_by_no_proxy_is_not_used() {
    let w = World::new();
    let proxy = Proxy::start(w.responder.base.clone());
    let (v, _) = w.verify(
        "proxied.p7m",
        &["--online"],
        &[
            ("http_proxy", &proxy.url),
            ("no_proxy", "lavoro-agile.invalid"),
        ],
    );
    // Direct, the test host name does not resolve.
    assert_eq!(signature(&v)["subindication"], "TRY_LATER", "{v:#}");
    assert_eq!(proxy.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn offline_default_never_reaches_the_server() {
    let w = World::new();
    for file in ["good.p7m", "revoked.p7m", "crl.p7m"] {
        let (v, _) = w.verify(file, &[], &[]);
        assert_eq!(signature(&v)["indication"], "TOTAL_PASSED", "{v:#}");
        assert!(online_sources(&v).is_empty());
        let warnings = signature(&v)["warnings"].to_string();
        assert!(warnings.contains("revocation_not_checked"), "{warnings}");
    }
    assert_eq!(w.responder.count(), 0);
}

/// `verify --require-revocation` offline with the given OCSP responses as trust material.
fn with_responses(w: &World, responses: &[&str]) -> Value {
    let paths: Vec<String> = responses
        .iter()
        .map(|r| w.pki(r).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["--require-revocation"];
    for p in &paths {
        args.extend(["--trust", p.as_str()]);
    }
    let (v, err) = w.verify("good.p7m", &args, &[]);
    assert!(v["files"][0]["signatures"].is_array(), "{err}");
    v
}

#[test]
fn delegated_responder_without_status_material_is_accepted() {
    let w = World::new();
    let v = with_responses(&w, &["good-by-delegate.ocsp"]);
    assert_eq!(signature(&v)["indication"], "TOTAL_PASSED", "{v:#}");
}

#[test]
fn delegated_responder_revoked_without_nocheck_is_not_trusted() {
    let w = World::new();
    let v = with_responses(&w, &["good-by-delegate.ocsp", "responder-status.ocsp"]);
    assert_eq!(signature(&v)["subindication"], "TRY_LATER", "{v:#}");
    let msg = revocation_check(&v)["detail"]["en"].as_str().unwrap();
    assert!(msg.contains("responder's certificate was revoked"), "{msg}");
}

#[test]
fn delegated_responder_with_nocheck_is_not_checked() {
    let w = World::new();
    let v = with_responses(
        &w,
        &[
            "good-by-delegate-nocheck.ocsp",
            "responder-nocheck-status.ocsp",
        ],
    );
    assert_eq!(signature(&v)["indication"], "TOTAL_PASSED", "{v:#}");
}

/// The timestamp of a standalone token over `good.txt`, verified offline.
fn token_report(w: &World, token: &str) -> Value {
    let content = w.pki("good.txt").to_string_lossy().into_owned();
    let (v, err) = w.verify(token, &["--content", content.as_str()], &[]);
    let t = v["files"][0]["timestamps"][0].clone();
    assert!(t.is_object(), "{v:#}\n{err}");
    t
}

fn check_outcome(t: &Value, name: &str) -> Value {
    t["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| c["outcome"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn timestamp_signed_with_sha256_passes_the_algorithm_policy() {
    let w = World::new();
    let t = token_report(&w, "ts-sha256.tsr");
    assert_eq!(t["indication"], "TOTAL_PASSED", "{t:#}");
    assert_eq!(check_outcome(&t, "algorithms"), "passed");
}

#[test]
fn timestamp_signed_with_sha1_fails_the_algorithm_policy() {
    let w = World::new();
    let t = token_report(&w, "ts-sha1.tsr");
    assert_eq!(t["indication"], "INDETERMINATE", "{t:#}");
    assert_eq!(
        t["subindication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        "{t:#}"
    );
    assert_eq!(check_outcome(&t, "algorithms"), "indeterminate");
}
