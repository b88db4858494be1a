//! Online revocation checking (`--online`, off by default): the HTTP client behind
//! `lavoro_agile_verify::online::RevocationFetcher`, with a cache on disk.
//!
//! Only `http://` and `https://` URLs are fetched (what certificates name for CRLs and OCSP
//! responders is almost always plain HTTP: the content is signed), with timeouts, a size
//! limit per kind ([`MAX_CRL_BYTES`], [`MAX_OCSP_BYTES`]) and at most three redirects,
//! which ureq only follows to http(s). The environment's proxy (`http_proxy`,
//! `https_proxy`, `all_proxy`, `no_proxy`, either case) is honoured as for pack downloads.
//!
//! The cache keeps each answer in a file named by the SHA-256 of what was asked (kind, URL,
//! OCSP request), until the CRL's nextUpdate or the OCSP response's nextUpdate (at most
//! [`MAX_KEEP`]; [`SHORT_TTL`] when the answer gives none). Files are written whole to a
//! temporary name and renamed; a file that cannot be read or parsed is ignored (and
//! replaced by the next download); the folder is kept under [`MAX_CACHE_BYTES`] by removing
//! the oldest files. Nothing is judged here: what is fetched is checked by `verify` like
//! embedded material.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use lavoro_agile_verify::online::{FetchError, Fetched, Online, RevocationFetcher};
use lavoro_agile_verify::TrustStore;
use sha2::Digest;
use time::OffsetDateTime;

/// Largest CRL downloaded.
pub const MAX_CRL_BYTES: u64 = 10 * 1024 * 1024;
/// Largest OCSP response accepted.
pub const MAX_OCSP_BYTES: u64 = 64 * 1024;
/// Longest time an answer is kept in the cache, whatever its nextUpdate says.
pub const MAX_KEEP: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long an answer without nextUpdate is kept.
pub const SHORT_TTL: Duration = Duration::from_secs(5 * 60);
/// Size of the cache folder, at most.
pub const MAX_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Time to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for a whole OCSP exchange (a server that accepts and stays silent ends here).
const OCSP_TIMEOUT: Duration = Duration::from_secs(15);
/// Time for a whole CRL download (10 MiB on a slow line).
const CRL_TIMEOUT: Duration = Duration::from_secs(60);
/// First line of a cache file.
const MAGIC: &str = "lavoro-agile revocation cache 1";

/// Reads an environment variable (the process environment, or a test's).
type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The HTTP fetcher, with an optional disk cache.
pub struct HttpRevocationFetcher {
    env: EnvLookup,
    cache: Option<PathBuf>,
}

impl HttpRevocationFetcher {
    /// Proxy settings from the process environment; no cache.
    pub fn from_environment() -> Self {
        Self {
            env: Box::new(|name| std::env::var(name).ok()),
            cache: None,
        }
    }

    /// Keeps answers in `dir` (created when needed).
    pub fn with_cache(mut self, dir: PathBuf) -> Self {
        self.cache = Some(dir);
        self
    }

    fn agent(&self, url: &str, timeout: Duration) -> Result<ureq::Agent, FetchError> {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let https = lower.starts_with("https://");
        if !https && !lower.starts_with("http://") {
            return Err(FetchError::Refused(
                "only http and https URLs are used".into(),
            ));
        }
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            // The whole request, reads included (ureq lets it override per-read timeouts).
            .timeout(timeout)
            .https_only(https)
            .redirects(3)
            .user_agent(concat!("lavoro-agile/", env!("CARGO_PKG_VERSION")));
        if let Some(proxy) = crate::packs::http::proxy_for(url, &*self.env) {
            let proxy = ureq::Proxy::new(&proxy)
                .map_err(|e| FetchError::Unreachable(format!("proxy: {e}")))?;
            builder = builder.proxy(proxy);
        }
        Ok(builder.build())
    }

    fn read_body(resp: ureq::Response, max: u64) -> Result<Vec<u8>, FetchError> {
        if resp.status() != 200 {
            return Err(FetchError::Status(resp.status()));
        }
        let declared: Option<u64> = resp
            .header("Content-Length")
            .and_then(|v| v.trim().parse().ok());
        if declared.is_some_and(|n| n > max) {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = Vec::new();
        resp.into_reader()
            .take(max.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| FetchError::Unreachable(format!("download interrupted: {e}")))?;
        if body.len() as u64 > max {
            return Err(FetchError::TooLarge(max));
        }
        Ok(body)
    }

    fn call(req: ureq::Request, body: Option<&[u8]>) -> Result<ureq::Response, FetchError> {
        let result = match body {
            Some(b) => req.send_bytes(b),
            None => req.call(),
        };
        match result {
            Ok(r) => Ok(r),
            Err(ureq::Error::Status(code, _)) => Err(FetchError::Status(code)),
            Err(e) => Err(FetchError::Unreachable(e.to_string())),
        }
    }

    fn cached_or(
        &self,
        key: &[u8],
        download: impl FnOnce() -> Result<Vec<u8>, FetchError>,
        expiry: impl FnOnce(&[u8], OffsetDateTime) -> Option<OffsetDateTime>,
    ) -> Result<Fetched, FetchError> {
        let now = OffsetDateTime::now_utc();
        let file = self
            .cache
            .as_ref()
            .map(|d| d.join(hex::encode(sha2::Sha256::digest(key))));
        if let Some(hit) = file.as_deref().and_then(|f| read_entry(f, now)) {
            return Ok(hit);
        }
        let bytes = download()?;
        if let (Some(file), Some(until)) = (&file, expiry(&bytes, now)) {
            if let Err(e) = write_entry(file, now, until, &bytes) {
                tracing::warn!(error = %e, "revocation cache not written");
            }
        }
        Ok(Fetched {
            bytes,
            fetched_at: now,
            from_cache: false,
        })
    }
}

fn keep_until(now: OffsetDateTime, next_update: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    let longest = now + MAX_KEEP;
    match next_update {
        Some(n) if n <= now => None,
        Some(n) => Some(n.min(longest)),
        None => Some(now + SHORT_TTL),
    }
}

impl RevocationFetcher for HttpRevocationFetcher {
    fn crl(&self, url: &str) -> Result<Fetched, FetchError> {
        let key = [b"crl\0".as_slice(), url.as_bytes()].concat();
        self.cached_or(
            &key,
            || {
                let resp = Self::call(self.agent(url, CRL_TIMEOUT)?.get(url), None)?;
                Self::read_body(resp, MAX_CRL_BYTES)
            },
            // Only what decodes is kept, until its nextUpdate.
            |bytes, now| {
                let crl = lavoro_agile_pki::Crl::from_der(bytes).ok()?;
                keep_until(now, crl.next_update())
            },
        )
    }

    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Fetched, FetchError> {
        let key = [b"ocsp\0".as_slice(), url.as_bytes(), b"\0", request].concat();
        self.cached_or(
            &key,
            || {
                let req = self
                    .agent(url, OCSP_TIMEOUT)?
                    .post(url)
                    .set("Content-Type", "application/ocsp-request")
                    .set("Accept", "application/ocsp-response");
                let resp = Self::call(req, Some(request))?;
                Self::read_body(resp, MAX_OCSP_BYTES)
            },
            |bytes, now| {
                let r = lavoro_agile_pki::ocsp::OcspResponse::from_der(bytes).ok()?;
                keep_until(now, r.next_update())
            },
        )
    }
}

/// A cache entry still valid at `now`; `None` when absent, expired or unreadable.
fn read_entry(file: &Path, now: OffsetDateTime) -> Option<Fetched> {
    let meta = std::fs::metadata(file).ok()?;
    if meta.len() > MAX_CRL_BYTES + 256 {
        return None;
    }
    let data = std::fs::read(file).ok()?;
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let magic = parts.next()?;
    let fetched: i64 = std::str::from_utf8(parts.next()?).ok()?.parse().ok()?;
    let until: i64 = std::str::from_utf8(parts.next()?).ok()?.parse().ok()?;
    let body = parts.next()?;
    if magic != MAGIC.as_bytes() || now.unix_timestamp() >= until || body.is_empty() {
        return None;
    }
    Some(Fetched {
        bytes: body.to_vec(),
        fetched_at: OffsetDateTime::from_unix_timestamp(fetched).ok()?,
        from_cache: true,
    })
}

/// Writes an entry atomically (temporary file in the same folder, then rename) and trims
/// the folder.
fn write_entry(
    file: &Path,
    now: OffsetDateTime,
    until: OffsetDateTime,
    body: &[u8],
) -> std::io::Result<()> {
    let dir = file
        .parent()
        .ok_or_else(|| std::io::Error::other("cache file without a folder"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    write!(
        tmp,
        "{MAGIC}\n{}\n{}\n",
        now.unix_timestamp(),
        until.unix_timestamp()
    )?;
    tmp.write_all(body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map_err(|e| e.error)?;
    trim(dir, MAX_CACHE_BYTES);
    Ok(())
}

/// Removes the oldest files of `dir` until it holds at most `max` bytes.
fn trim(dir: &Path, max: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            if !m.is_file() {
                return None;
            }
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    files.sort();
    for (_, len, path) in files {
        if total <= max {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}

/// The cache folder for revocation data under the user's cache folder.
pub fn default_cache_dir() -> Option<PathBuf> {
    crate::paths::AppPaths::from_platform().map(|p| p.cache.join("revocation"))
}

/// Turns online revocation checking on for `store`: HTTP with the environment's proxy and
/// the disk cache in `cache` (none when `None`).
pub fn enable(store: &mut TrustStore, cache: Option<PathBuf>) {
    let mut fetcher = HttpRevocationFetcher::from_environment();
    if let Some(dir) = cache {
        fetcher = fetcher.with_cache(dir);
    }
    store.set_online(Online::new(Box::new(fetcher)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_entry_round_trips_until_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k");
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        write_entry(&f, now, now + Duration::from_secs(60), b"\x30\x00").unwrap();
        let hit = read_entry(&f, now + Duration::from_secs(59)).unwrap();
        assert_eq!((hit.bytes, hit.from_cache), (b"\x30\x00".to_vec(), true));
        assert!(read_entry(&f, now + Duration::from_secs(60)).is_none());
    }

    #[test]
    fn cache_entry_unreadable_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k");
        std::fs::write(&f, b"garbage\nnot a number\n").unwrap();
        assert!(read_entry(&f, OffsetDateTime::now_utc()).is_none());
    }

    #[test]
    fn cache_trim_removes_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            std::fs::write(dir.path().join(name), vec![0u8; 100]).unwrap();
            let t = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1000 + i as u64);
            std::fs::File::options()
                .write(true)
                .open(dir.path().join(name))
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        trim(dir.path(), 200);
        assert!(!dir.path().join("a").exists());
        assert!(dir.path().join("b").exists() && dir.path().join("c").exists());
    }

    #[test]
    fn fetcher_non_http_url_refused() {
        let f = HttpRevocationFetcher::from_environment();
        assert!(matches!(
            f.crl("ldap://ldap.example/cn=CA"),
            Err(FetchError::Refused(_))
        ));
        assert!(matches!(
            f.ocsp("file:///etc/passwd", b"\x30\x00"),
            Err(FetchError::Refused(_))
        ));
    }

    #[test]
    fn keep_until_expired_next_update_not_cached() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(keep_until(now, Some(now - Duration::from_secs(1))), None);
        assert_eq!(keep_until(now, None), Some(now + SHORT_TTL));
        assert_eq!(
            keep_until(now, Some(now + Duration::from_secs(30 * 24 * 3600))),
            Some(now + MAX_KEEP)
        );
    }
}
