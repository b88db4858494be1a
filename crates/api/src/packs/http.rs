//! Downloading packs over HTTPS with conditional requests and the proxy from the
//! environment (`https_proxy`, `http_proxy`, `all_proxy`, `no_proxy`, in either case).

use std::io::Read;
use std::time::Duration;

/// What a conditional GET returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// `304 Not Modified`: what we have is current.
    NotModified,
    /// `200 OK` with the whole body.
    Fetched {
        /// The body, complete (a short body is an error).
        body: Vec<u8>,
        /// The `ETag` header, to send back next time.
        etag: Option<String>,
        /// The `Last-Modified` header, to send back next time.
        last_modified: Option<String>,
    },
}

/// Why a download failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Not reachable, interrupted, or the body ended early.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error status.
    #[error("HTTP status {0}")]
    Status(u16),
    /// The body is larger than allowed.
    #[error("response too large")]
    TooLarge,
}

type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// An HTTP client for pack downloads.
pub struct HttpFetcher {
    env: Box<EnvLookup>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpFetcher")
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    Some(host.to_ascii_lowercase())
}

/// The proxy to use for `url`, from the variables `lookup` returns (lowercase names win,
/// as in curl). Loopback addresses and hosts matched by `no_proxy` go direct.
pub fn proxy_for(url: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let get = |name: &str| {
        lookup(name)
            .or_else(|| lookup(&name.to_ascii_uppercase()))
            .filter(|v| !v.trim().is_empty())
    };
    let host = host_of(url)?;
    if matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") {
        return None;
    }
    if let Some(no_proxy) = get("no_proxy") {
        for pattern in no_proxy.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if pattern == "*" {
                return None;
            }
            let pattern = pattern.trim_start_matches('.').to_ascii_lowercase();
            if host == pattern || host.ends_with(&format!(".{pattern}")) {
                return None;
            }
        }
    }
    let scheme_var = if url.starts_with("https://") {
        "https_proxy"
    } else {
        "http_proxy"
    };
    get(scheme_var).or_else(|| get("all_proxy"))
}

impl HttpFetcher {
    /// A client that takes its proxy settings from the process environment.
    pub fn from_environment() -> Self {
        Self::with_env_lookup(|name| std::env::var(name).ok())
    }

    /// A client that takes its proxy settings from `lookup` (for tests).
    pub fn with_env_lookup(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            env: Box::new(lookup),
            timeout: Duration::from_secs(120),
        }
    }

    fn agent(&self, url: &str) -> Result<ureq::Agent, FetchError> {
        let https = url.starts_with("https://");
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(15))
            .timeout(self.timeout)
            .https_only(https)
            // A plain-HTTP test server never redirects us elsewhere.
            .redirects(if https { 5 } else { 0 })
            .user_agent(concat!("lavoro-agile/", env!("CARGO_PKG_VERSION")));
        if let Some(proxy) = proxy_for(url, &*self.env) {
            let proxy =
                ureq::Proxy::new(&proxy).map_err(|e| FetchError::Network(format!("proxy: {e}")))?;
            builder = builder.proxy(proxy);
        }
        Ok(builder.build())
    }

    /// GETs `url`, conditionally when `etag` or `last_modified` is given, reading at most
    /// `max_bytes`.
    pub fn get(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
        max_bytes: u64,
    ) -> Result<FetchOutcome, FetchError> {
        let mut req = self.agent(url)?.get(url);
        if let Some(etag) = etag {
            req = req.set("If-None-Match", etag);
        }
        if let Some(lm) = last_modified {
            req = req.set("If-Modified-Since", lm);
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, _)) => return Err(FetchError::Status(code)),
            Err(e) => return Err(FetchError::Network(e.to_string())),
        };
        match resp.status() {
            304 => return Ok(FetchOutcome::NotModified),
            200 => {}
            other => return Err(FetchError::Status(other)),
        }
        let etag = resp.header("ETag").map(str::to_owned);
        let last_modified = resp.header("Last-Modified").map(str::to_owned);
        let declared: Option<u64> = resp
            .header("Content-Length")
            .and_then(|v| v.trim().parse().ok());
        if declared.is_some_and(|n| n > max_bytes) {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        resp.into_reader()
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| FetchError::Network(format!("download interrupted: {e}")))?;
        if body.len() as u64 > max_bytes {
            return Err(FetchError::TooLarge);
        }
        if declared.is_some_and(|n| n != body.len() as u64) {
            return Err(FetchError::Network("download incomplete".into()));
        }
        Ok(FetchOutcome::Fetched {
            body,
            etag,
            last_modified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn proxy_for_https_uses_https_proxy() {
        let e = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("http_proxy", "http://other:1"),
        ]);
        assert_eq!(
            proxy_for("https://intra.comune.it/p.pack", &e).as_deref(),
            Some("http://proxy:3128")
        );
    }

    #[test]
    fn proxy_for_no_proxy_suffix_goes_direct() {
        let e = env(&[
            ("https_proxy", "http://proxy:3128"),
            ("no_proxy", "localhost,.comune.it"),
        ]);
        assert_eq!(proxy_for("https://intra.comune.it/p.pack", &e), None);
        assert!(proxy_for("https://example.org/p.pack", &e).is_some());
    }

    #[test]
    fn proxy_for_loopback_goes_direct() {
        let e = env(&[("all_proxy", "http://proxy:3128")]);
        assert_eq!(proxy_for("http://127.0.0.1:8080/p.pack", &e), None);
    }
}
