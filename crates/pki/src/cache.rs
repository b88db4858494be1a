//! A cache shared by the files of one batch: decoded certificates and CRLs, and the outcome
//! of certificate and CRL signature checks, keyed by the SHA-256 of what was decoded or
//! checked. A thousand documents signed under the same CA carry the same intermediate
//! certificates and CRLs and need the same issuer→subject signature checks; each is then
//! done once per batch instead of once per document.
//!
//! Everything cached is a pure function of its key (decoding the same bytes, checking the
//! same signature value over the same message with the same key and algorithm), so a hit
//! gives exactly what the work would have given. Nothing depending on the validation time
//! or on the other certificates available (paths, revocation status) is cached. The cache
//! is safe to share between threads and bounded: a table that reaches its limit
//! ([`MAX_ENTRIES`], [`MAX_CERTIFICATES`], [`MAX_CRLS`]) is emptied and starts again.
//!
//! Signatures on documents are not meant to go through it: they are checked once per
//! document anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::{Certificate, Crl, Error, PublicKeyRef, SignatureVerifier, Verification};

/// Most signature-check outcomes kept (each a few dozen bytes).
pub const MAX_ENTRIES: usize = 4096;
/// Most decoded certificates kept (a few KiB each).
pub const MAX_CERTIFICATES: usize = 1024;
/// Most decoded CRLs kept: a CA's CRL can run to megabytes.
pub const MAX_CRLS: usize = 32;

type Key = [u8; 32];

/// Which table of [`Tables`], and its size limit.
type Table<V> = (fn(&mut Tables) -> &mut HashMap<Key, V>, usize);

#[derive(Default)]
struct Tables {
    certificates: HashMap<Key, Result<Arc<Certificate>, Error>>,
    crls: HashMap<Key, Result<Arc<Crl>, Error>>,
    signatures: HashMap<Key, Verification>,
}

/// How often the cache answered, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that did the work.
    pub misses: u64,
}

/// Decoded certificates and CRLs and signature-check outcomes, shared by a batch.
#[derive(Default)]
pub struct Cache {
    tables: Mutex<Tables>,
    stats: Mutex<Stats>,
}

/// Counts only: the certificates held name signers, which must not reach a log.
impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes = self
            .tables
            .lock()
            .map(|t| (t.certificates.len(), t.crls.len(), t.signatures.len()));
        let mut d = f.debug_struct("Cache");
        if let Ok((certificates, crls, signatures)) = sizes {
            d.field("certificates", &certificates)
                .field("crls", &crls)
                .field("signatures", &signatures);
        }
        d.field("stats", &self.stats()).finish()
    }
}

fn insert_bounded<V>(map: &mut HashMap<Key, V>, key: Key, value: V, max: usize) {
    if map.len() >= max {
        map.clear();
    }
    map.insert(key, value);
}

fn sha256(parts: &[&[u8]]) -> Key {
    let mut h = Sha256::new();
    for p in parts {
        // Length-prefixed, so that moving bytes from one part to the next changes the key.
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn count(&self, hit: bool) {
        if let Ok(mut s) = self.stats.lock() {
            if hit {
                s.hits += 1;
            } else {
                s.misses += 1;
            }
        }
    }

    /// Lookups so far.
    pub fn stats(&self) -> Stats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    /// Looks `key` up in the table `pick` selects, or computes the value outside the lock
    /// and stores it. A poisoned lock (a panic elsewhere) only turns the cache off.
    fn get_or<V: Clone>(&self, key: Key, (pick, max): Table<V>, compute: impl FnOnce() -> V) -> V {
        if let Ok(mut t) = self.tables.lock() {
            if let Some(v) = pick(&mut t).get(&key) {
                let v = v.clone();
                drop(t);
                self.count(true);
                return v;
            }
        }
        self.count(false);
        // Two threads may compute the same value at the same time: both get the same
        // answer, one of them is stored.
        let v = compute();
        if let Ok(mut t) = self.tables.lock() {
            insert_bounded(pick(&mut t), key, v.clone(), max);
        }
        v
    }

    /// The certificate decoded from `der`.
    pub fn certificate(&self, der: &[u8]) -> Result<Arc<Certificate>, Error> {
        self.get_or(
            sha256(&[der]),
            (|t| &mut t.certificates, MAX_CERTIFICATES),
            || Certificate::from_der(der).map(Arc::new),
        )
    }

    /// The CRL decoded from `der` (DER only, as [`Crl::from_der`]).
    pub fn crl(&self, der: &[u8]) -> Result<Arc<Crl>, Error> {
        self.get_or(sha256(&[der]), (|t| &mut t.crls, MAX_CRLS), || {
            Crl::from_der(der).map(Arc::new)
        })
    }

    /// `verifier` with its outcomes remembered in this cache.
    pub fn verifier<'a>(&'a self, verifier: &'a dyn SignatureVerifier) -> CachingVerifier<'a> {
        CachingVerifier {
            cache: self,
            inner: verifier,
        }
    }
}

/// A [`SignatureVerifier`] that asks its [`Cache`] first.
pub struct CachingVerifier<'a> {
    cache: &'a Cache,
    inner: &'a dyn SignatureVerifier,
}

impl SignatureVerifier for CachingVerifier<'_> {
    fn verify(
        &self,
        key: &PublicKeyRef<'_>,
        algorithm: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Verification {
        let id = sha256(&[
            key.algorithm.as_bytes(),
            key.curve.unwrap_or_default().as_bytes(),
            key.key,
            algorithm,
            message,
            signature,
        ]);
        self.cache
            .get_or(id, (|t| &mut t.signatures, MAX_ENTRIES), || {
                self.inner.verify(key, algorithm, message, signature)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Accepts a signature equal to the message's first byte; counts its calls.
    struct Counting(AtomicUsize);

    impl SignatureVerifier for Counting {
        fn verify(
            &self,
            _key: &PublicKeyRef<'_>,
            _algorithm: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Verification {
            self.0.fetch_add(1, Ordering::Relaxed);
            if message.first() == signature.first() {
                Verification::Valid
            } else {
                Verification::Invalid
            }
        }
    }

    fn key(k: &[u8]) -> PublicKeyRef<'_> {
        PublicKeyRef {
            algorithm: "1.2.840.113549.1.1.1",
            curve: None,
            key: k,
        }
    }

    #[test]
    fn caching_verifier_same_inputs_checked_once_different_inputs_checked_again() {
        let inner = Counting(AtomicUsize::new(0));
        let cache = Cache::new();
        let v = cache.verifier(&inner);
        assert_eq!(v.verify(&key(b"k"), b"a", b"m", b"m"), Verification::Valid);
        assert_eq!(v.verify(&key(b"k"), b"a", b"m", b"m"), Verification::Valid);
        assert_eq!(inner.0.load(Ordering::Relaxed), 1);
        // Any part changed is a different check, with its own outcome.
        assert_eq!(
            v.verify(&key(b"k"), b"a", b"m", b"x"),
            Verification::Invalid
        );
        assert_eq!(v.verify(&key(b"j"), b"a", b"m", b"m"), Verification::Valid);
        assert_eq!(v.verify(&key(b"k"), b"b", b"m", b"m"), Verification::Valid);
        // Moving a byte from one part to the next is a different check too.
        assert_eq!(
            v.verify(&key(b"k"), b"am", b"", b"m"),
            Verification::Invalid
        );
        assert_eq!(inner.0.load(Ordering::Relaxed), 5);
        assert_eq!(cache.stats(), Stats { hits: 1, misses: 5 });
    }

    #[test]
    fn cache_malformed_certificate_error_remembered() {
        let cache = Cache::new();
        assert!(cache.certificate(b"not a certificate").is_err());
        assert!(cache.certificate(b"not a certificate").is_err());
        assert!(cache.crl(b"\x30\x00").is_err());
        assert_eq!(cache.stats(), Stats { hits: 1, misses: 2 });
    }

    #[test]
    fn insert_bounded_full_table_starts_again() {
        let mut map = HashMap::new();
        for i in 0..MAX_ENTRIES {
            let mut k = [0u8; 32];
            k[..8].copy_from_slice(&(i as u64).to_be_bytes());
            insert_bounded(&mut map, k, i, MAX_ENTRIES);
        }
        assert_eq!(map.len(), MAX_ENTRIES);
        insert_bounded(&mut map, [0xff; 32], 0, MAX_ENTRIES);
        assert_eq!(map.len(), 1);
    }
}
