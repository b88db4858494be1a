//! Key generation and signing, as IT does them with `lavoro-agile-cli pack keygen|sign`.
//!
//! Keys and signatures are minisign's: `minisign -Vm FILE -p NAME.pub` checks a pack too.
//! A secret key without a passphrase is stored unencrypted (like `minisign -W`); with a
//! passphrase it is encrypted with scrypt. Nothing here prompts.

use std::io::Read;

use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox, SignatureBox};
use zeroize::Zeroize;

use crate::keys::key_id;
use crate::PackError;

/// Text that must not be printed or logged (a secret key file, a passphrase).
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(s: String) -> Self {
        Self(s)
    }

    /// The secret, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A new key pair, as file texts.
#[derive(Debug)]
pub struct GeneratedKey {
    /// The minisign key id.
    pub key_id: String,
    /// The public key.
    pub public_key: PublicKey,
    /// Text of `NAME.pub` (minisign format).
    pub public_text: String,
    /// Text of `NAME.key` (minisign format).
    pub secret_text: Secret,
}

/// Generates a key pair; the secret key is encrypted when `passphrase` is given.
pub fn generate(passphrase: Option<&Secret>, comment: &str) -> Result<GeneratedKey, PackError> {
    let key_err = |e: minisign::PError| PackError::Key(e.to_string());
    let KeyPair { pk, sk } = match passphrase {
        Some(p) => {
            KeyPair::generate_encrypted_keypair(Some(p.expose().to_owned())).map_err(key_err)?
        }
        None => KeyPair::generate_unencrypted_keypair().map_err(key_err)?,
    };
    let id = key_id(pk.keynum());
    let public_text = pk.to_box().map_err(key_err)?.into_string();
    let secret_text = sk
        .to_box(Some(&format!(
            "Lavoro Agile pack signing key {id} {comment}"
        )))
        .map_err(key_err)?
        .into_string();
    Ok(GeneratedKey {
        key_id: id,
        public_key: pk,
        public_text,
        secret_text: Secret(secret_text),
    })
}

/// Reads a secret key file's text, decrypting it with `passphrase` when it is encrypted.
pub fn load_secret_key(text: &Secret, passphrase: Option<&Secret>) -> Result<SecretKey, PackError> {
    let parse = || {
        SecretKeyBox::from_string(text.expose())
            .map_err(|_| PackError::Key("not a minisign secret key file".into()))
    };
    match passphrase {
        Some(p) => SecretKey::from_box(parse()?, Some(p.expose().to_owned()))
            .map_err(|e| PackError::Key(e.to_string())),
        None => SecretKey::from_unencrypted_box(parse()?).map_err(|e| {
            PackError::Key(format!(
                "{e}; if the key is protected by a passphrase, pass it with --password-fd"
            ))
        }),
    }
}

/// Signs the bytes read from `data`, returning the text of the `.minisig` file.
pub fn sign<R: Read>(
    secret_key: &SecretKey,
    data: R,
    trusted_comment: &str,
) -> Result<String, PackError> {
    let trusted_comment = trusted_comment.replace(['\n', '\r'], " ");
    let sig = minisign::sign(
        None,
        secret_key,
        data,
        Some(&trusted_comment),
        Some(&format!(
            "signature from Lavoro Agile pack key {}",
            key_id(secret_key.keynum())
        )),
    )
    .map_err(|e| PackError::Key(e.to_string()))?;
    Ok(sig.into_string())
}

/// Parses a `.minisig` file's text.
pub fn parse_signature(text: &str) -> Option<SignatureBox> {
    if text.len() > 16 * 1024 {
        return None;
    }
    SignatureBox::from_string(text).ok()
}
