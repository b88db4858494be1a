//! Revocation data fetched on demand (`--online`): when a certificate of a path has no
//! usable CRL or OCSP response among the material given or embedded, ask the OCSP
//! responders its authorityInfoAccess names, then the CRL distribution points it names.
//!
//! This crate does no I/O: the fetching goes through a [`RevocationFetcher`] that the
//! caller supplies (the HTTP client with its disk cache lives in `lavoro-agile-api`). What
//! comes back is decoded and judged exactly like embedded material (the same `pki` CRL and
//! OCSP checks: signature, issuer, responder authorisation, freshness); a fetch only adds
//! candidates. Every fetch is recorded (URL, time, from the cache or not) so that the
//! report's trust sources can say where revocation data came from.
//!
//! Budgets: at most [`Online::max_fetches`] fetches per batch (a store and its clones),
//! each distinct request made once per batch (failures included, so a server that is down
//! costs one timeout, not one per signature).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use lavoro_agile_pki::cache::Cache;
use lavoro_agile_pki::ocsp::{self, OcspResponse};
use lavoro_agile_pki::path::{PathResult, Revocation, Unknown};
use lavoro_agile_pki::{Certificate, Crl};
use sha2::Digest;
use time::OffsetDateTime;

/// Fetches per batch, at most (each certificate needs one or two).
pub const DEFAULT_MAX_FETCHES: usize = 64;

/// Bytes fetched by the caller's fetcher, and how.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body (a DER CRL, or a DER `OCSPResponse`).
    pub bytes: Vec<u8>,
    /// When it was downloaded (for a cache hit: when it was downloaded then).
    pub fetched_at: OffsetDateTime,
    /// Whether it came from the fetcher's cache rather than the network.
    pub from_cache: bool,
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not one this fetcher may use (a scheme other than http/https, ...).
    #[error("URL refused: {0}")]
    Refused(String),
    /// The server could not be reached or did not answer in time.
    #[error("server not reachable: {0}")]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("the server answered with HTTP status {0}")]
    Status(u16),
    /// The answer is larger than allowed.
    #[error("the answer is larger than {0} bytes")]
    TooLarge(u64),
    /// The batch's budget of fetches is used up.
    #[error("too many downloads in one check")]
    Budget,
}

/// Where revocation data can be fetched from. Implementations do the network I/O (and any
/// caching); they never judge the content.
pub trait RevocationFetcher: Send + Sync {
    /// Downloads the CRL at `url` (http/https).
    fn crl(&self, url: &str) -> Result<Fetched, FetchError>;
    /// Sends the DER `OCSPRequest` `request` to the responder at `url` and returns the DER
    /// `OCSPResponse`.
    fn ocsp(&self, url: &str, request: &[u8]) -> Result<Fetched, FetchError>;
}

/// What a fetch was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchKind {
    /// A CRL.
    Crl,
    /// An OCSP response.
    Ocsp,
}

/// One fetch that returned material, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRecord {
    /// CRL or OCSP.
    pub kind: FetchKind,
    /// The URL.
    pub url: String,
    /// When it was downloaded.
    pub fetched_at: OffsetDateTime,
    /// Whether it came from the cache.
    pub from_cache: bool,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
}

#[derive(Clone)]
enum Material {
    Crl(Arc<Crl>),
    Ocsp(Arc<OcspResponse>),
}

type MemoKey = (FetchKind, String, Vec<u8>);

/// Online revocation checking for one batch: the fetcher, the budget, what was fetched.
pub struct Online {
    fetcher: Box<dyn RevocationFetcher>,
    max_fetches: usize,
    used: AtomicUsize,
    memo: Mutex<HashMap<MemoKey, Result<Material, String>>>,
    records: Mutex<Vec<FetchRecord>>,
}

impl std::fmt::Debug for Online {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Online")
            .field("max_fetches", &self.max_fetches)
            .field("used", &self.used.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Online {
    /// Online checking through `fetcher`, with the default budget.
    pub fn new(fetcher: Box<dyn RevocationFetcher>) -> Self {
        Self::with_budget(fetcher, DEFAULT_MAX_FETCHES)
    }

    /// The same with at most `max_fetches` fetches.
    pub fn with_budget(fetcher: Box<dyn RevocationFetcher>, max_fetches: usize) -> Self {
        Self {
            fetcher,
            max_fetches,
            used: AtomicUsize::new(0),
            memo: Mutex::new(HashMap::new()),
            records: Mutex::new(Vec::new()),
        }
    }

    /// The budget.
    pub fn max_fetches(&self) -> usize {
        self.max_fetches
    }

    /// The fetches that returned material so far, in order.
    pub fn records(&self) -> Vec<FetchRecord> {
        self.records.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Fetches (once per batch) and decodes.
    fn get(
        &self,
        kind: FetchKind,
        url: &str,
        request: &[u8],
        cache: &Cache,
    ) -> Result<Material, String> {
        let key = (kind, url.to_owned(), request.to_vec());
        if let Some(hit) = self.memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let result = self.fetch_and_decode(kind, url, request, cache);
        if let Ok(mut m) = self.memo.lock() {
            m.insert(key, result.clone());
        }
        result
    }

    fn fetch_and_decode(
        &self,
        kind: FetchKind,
        url: &str,
        request: &[u8],
        cache: &Cache,
    ) -> Result<Material, String> {
        if self.used.fetch_add(1, Ordering::Relaxed) >= self.max_fetches {
            return Err(FetchError::Budget.to_string());
        }
        let started = std::time::Instant::now();
        let fetched = match kind {
            FetchKind::Crl => self.fetcher.crl(url),
            FetchKind::Ocsp => self.fetcher.ocsp(url, request),
        }
        .map_err(|e| e.to_string())?;
        tracing::info!(
            url,
            ?kind,
            bytes = fetched.bytes.len(),
            from_cache = fetched.from_cache,
            ms = started.elapsed().as_millis() as u64,
            "revocation data fetched"
        );
        let material = match kind {
            FetchKind::Crl => cache
                .crl(&fetched.bytes)
                .map(Material::Crl)
                .map_err(|_| "the downloaded CRL cannot be decoded".to_owned())?,
            FetchKind::Ocsp => OcspResponse::from_der(&fetched.bytes)
                .map(|r| Material::Ocsp(Arc::new(r)))
                .map_err(|e| format!("the downloaded OCSP response cannot be used ({e})"))?,
        };
        if let Ok(mut r) = self.records.lock() {
            r.push(FetchRecord {
                kind,
                url: url.to_owned(),
                fetched_at: fetched.fetched_at,
                from_cache: fetched.from_cache,
                sha256: hex::encode(sha2::Sha256::digest(&fetched.bytes)),
            });
        }
        Ok(material)
    }
}

/// Material fetched for the links of a path whose revocation status is not known.
#[derive(Default)]
pub(crate) struct Extra {
    /// CRLs to add.
    pub crls: Vec<Arc<Crl>>,
    /// OCSP responses to add.
    pub ocsp: Vec<Arc<OcspResponse>>,
    /// Per link index: why nothing usable could be fetched.
    pub failures: Vec<(usize, String)>,
}

fn needs_status(revocation: &Option<Revocation>) -> bool {
    matches!(revocation, None | Some(Revocation::Unknown(_)))
}

/// Fetches revocation data for every link of `result` (but the anchor) whose status is
/// unknown: OCSP first (the responders of its authorityInfoAccess), then its CRL
/// distribution points. `None` when no link needs anything.
pub(crate) fn fetch_for(online: &Online, result: &PathResult, cache: &Cache) -> Option<Extra> {
    let mut extra = Extra::default();
    let mut any = false;
    for (index, link) in result.path.iter().enumerate() {
        if link.anchor || !needs_status(&link.revocation) {
            continue;
        }
        let Some(issuer) = result.path.get(index + 1).map(|l| &l.certificate) else {
            break;
        };
        any = true;
        let cert: &Certificate = &link.certificate;
        let mut errors: Vec<String> = Vec::new();
        let mut found = false;
        let request = ocsp::request_der(cert, issuer);
        for url in cert.ocsp_urls() {
            match online.get(FetchKind::Ocsp, &url, &request, cache) {
                Ok(Material::Ocsp(r)) if r.response_for(cert, issuer).is_some() => {
                    extra.ocsp.push(r);
                    found = true;
                    break;
                }
                Ok(_) => errors.push(format!(
                    "{url}: the OCSP response does not speak for the certificate"
                )),
                Err(e) => errors.push(format!("{url}: {e}")),
            }
        }
        if !found {
            for url in cert.crl_urls() {
                match online.get(FetchKind::Crl, &url, &[], cache) {
                    Ok(Material::Crl(c)) => {
                        extra.crls.push(c);
                        found = true;
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(format!("{url}: {e}")),
                }
            }
        }
        if !found {
            let why = if errors.is_empty() {
                "the certificate names no OCSP responder or CRL to download".to_owned()
            } else {
                format!("download failed ({})", errors.join("; "))
            };
            extra.failures.push((index, why));
        }
    }
    any.then_some(extra)
}

/// After revalidating with the fetched material: links still without a status say why
/// the download did not help (unless the material in hand already says something more
/// precise).
pub(crate) fn note_failures(result: &mut PathResult, failures: &[(usize, String)]) {
    for (index, why) in failures {
        if let Some(link) = result.path.get_mut(*index) {
            if matches!(
                link.revocation,
                None | Some(Revocation::Unknown(Unknown::NoCrl | Unknown::NotCurrent))
            ) {
                link.revocation = Some(Revocation::Unknown(Unknown::Unusable(why.clone())));
            }
        }
    }
}
