//! Throwaway update keys and signatures in the Tauri updater's format, for tests of app
//! updates: the public key and each signature are base64 of the minisign text files, and
//! the trusted comment carries `file:` and `version:` as the Tauri CLI writes them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;

/// A key pair made for one test run; its secret half never leaves memory.
pub struct TestUpdateKey {
    pk: minisign::PublicKey,
    sk: minisign::SecretKey,
    /// The public key as `plugins.updater.pubkey` holds it.
    pub pubkey_b64: String,
}

impl TestUpdateKey {
    /// A fresh key pair.
    pub fn generate() -> Self {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let text = kp.pk.to_box().unwrap().to_string();
        Self {
            pubkey_b64: base64::engine::general_purpose::STANDARD.encode(text),
            pk: kp.pk,
            sk: kp.sk,
        }
    }

    /// A Tauri signature of `bytes`, binding `version` (or no version when `None`, as
    /// older Tauri CLIs signed) and naming `file`.
    pub fn sign(&self, bytes: &[u8], file: &str, version: Option<&str>) -> String {
        let mut trusted = format!("timestamp:1767225600\tfile:{file}");
        if let Some(v) = version {
            trusted.push_str(&format!("\tversion:{v}"));
        }
        let sig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            std::io::Cursor::new(bytes),
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(sig.to_string())
    }
}

/// A `latest.json` offering `version`, with one entry per `(target, url, signature)`.
pub fn manifest(version: &str, entries: &[(&str, &str, &str)]) -> String {
    let platforms: serde_json::Map<String, serde_json::Value> = entries
        .iter()
        .map(|(t, url, sig)| {
            (
                (*t).to_owned(),
                serde_json::json!({ "url": url, "signature": sig }),
            )
        })
        .collect();
    serde_json::json!({
        "version": version,
        "notes": format!("Versione {version}: correzioni."),
        "pub_date": "2026-01-01T00:00:00Z",
        "platforms": platforms,
    })
    .to_string()
}
