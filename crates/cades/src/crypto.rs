//! Digest and signature algorithms: recognising them by OID and verifying signature values.
//!
//! An algorithm we do not know or do not implement is reported as `Unsupported`, never as a
//! failed signature: the verdict layer turns that into CRYPTO_CONSTRAINTS_FAILURE.

use digest::{Digest, ExtendableOutput, Update};
use rsa::pkcs1::der::Decode as _;
use rsa::traits::SignatureScheme;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};

use crate::ber::{universal, Tlv};
use crate::cms::AlgorithmIdentifier;

/// Largest RSA modulus accepted, in bits (bigger keys cost time and exist only in tests).
pub const MAX_RSA_BITS: usize = 16384;

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1 (weak; policy decides elsewhere).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-224.
    Sha3_224,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
    /// SHAKE256 with 512-bit output (RFC 8419, used with Ed448).
    Shake256,
}

impl DigestAlgorithm {
    /// The digest algorithm of a digest OID, or of a signature OID that names one.
    pub fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.3.14.3.2.26" | "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" => Self::Sha1,
            "2.16.840.1.101.3.4.2.4" | "1.2.840.113549.1.1.14" | "1.2.840.10045.4.3.1" => {
                Self::Sha224
            }
            "2.16.840.1.101.3.4.2.1" | "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => {
                Self::Sha256
            }
            "2.16.840.1.101.3.4.2.2" | "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => {
                Self::Sha384
            }
            "2.16.840.1.101.3.4.2.3" | "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => {
                Self::Sha512
            }
            "2.16.840.1.101.3.4.2.7" | "2.16.840.1.101.3.4.3.13" | "2.16.840.1.101.3.4.3.9" => {
                Self::Sha3_224
            }
            "2.16.840.1.101.3.4.2.8" | "2.16.840.1.101.3.4.3.14" | "2.16.840.1.101.3.4.3.10" => {
                Self::Sha3_256
            }
            "2.16.840.1.101.3.4.2.9" | "2.16.840.1.101.3.4.3.15" | "2.16.840.1.101.3.4.3.11" => {
                Self::Sha3_384
            }
            "2.16.840.1.101.3.4.2.10" | "2.16.840.1.101.3.4.3.16" | "2.16.840.1.101.3.4.3.12" => {
                Self::Sha3_512
            }
            "2.16.840.1.101.3.4.2.12" => Self::Shake256,
            _ => return None,
        })
    }

    /// The usual name (`SHA-256`, `SHA3-256`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_224 => "SHA3-224",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
            Self::Shake256 => "SHAKE256",
        }
    }

    /// The digest of `data`.
    pub fn digest(&self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
            Self::Sha3_224 => sha3::Sha3_224::digest(data).to_vec(),
            Self::Sha3_256 => sha3::Sha3_256::digest(data).to_vec(),
            Self::Sha3_384 => sha3::Sha3_384::digest(data).to_vec(),
            Self::Sha3_512 => sha3::Sha3_512::digest(data).to_vec(),
            Self::Shake256 => {
                let mut h = sha3::Shake256::default();
                h.update(data);
                let mut out = vec![0u8; 64];
                h.finalize_xof_into(&mut out);
                out
            }
        }
    }

    fn pkcs1v15(&self) -> Option<Pkcs1v15Sign> {
        Some(match self {
            Self::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
            Self::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
            Self::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
            Self::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
            Self::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
            Self::Sha3_224 => Pkcs1v15Sign::new::<sha3::Sha3_224>(),
            Self::Sha3_256 => Pkcs1v15Sign::new::<sha3::Sha3_256>(),
            Self::Sha3_384 => Pkcs1v15Sign::new::<sha3::Sha3_384>(),
            Self::Sha3_512 => Pkcs1v15Sign::new::<sha3::Sha3_512>(),
            Self::Shake256 => return None,
        })
    }

    fn pss(&self, salt: usize) -> Option<Pss> {
        Some(match self {
            Self::Sha1 => Pss::new_with_salt::<sha1::Sha1>(salt),
            Self::Sha224 => Pss::new_with_salt::<sha2::Sha224>(salt),
            Self::Sha256 => Pss::new_with_salt::<sha2::Sha256>(salt),
            Self::Sha384 => Pss::new_with_salt::<sha2::Sha384>(salt),
            Self::Sha512 => Pss::new_with_salt::<sha2::Sha512>(salt),
            Self::Sha3_224 => Pss::new_with_salt::<sha3::Sha3_224>(salt),
            Self::Sha3_256 => Pss::new_with_salt::<sha3::Sha3_256>(salt),
            Self::Sha3_384 => Pss::new_with_salt::<sha3::Sha3_384>(salt),
            Self::Sha3_512 => Pss::new_with_salt::<sha3::Sha3_512>(salt),
            Self::Shake256 => return None,
        })
    }
}

/// Outcome of checking a signature value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureOutcome {
    /// The signature value verifies with the key.
    Valid,
    /// The signature value does not verify (or cannot be decoded for a known algorithm).
    Invalid(&'static str),
    /// The algorithm (or key type) is unknown or not implemented.
    Unsupported(String),
}

/// The public key of a certificate: algorithm OID, parameters, key bits.
#[derive(Debug, Clone)]
pub struct PublicKey<'a> {
    /// The key algorithm OID.
    pub algorithm: String,
    /// The named curve OID for EC keys.
    pub curve: Option<String>,
    /// The subjectPublicKey bits.
    pub key: &'a [u8],
}

/// What a signature algorithm identifier asks for.
#[derive(Debug, Clone)]
enum Scheme {
    RsaPkcs1(Option<DigestAlgorithm>),
    RsaPss {
        hash: DigestAlgorithm,
        mgf_hash: DigestAlgorithm,
        salt: usize,
    },
    Ecdsa(Option<DigestAlgorithm>),
    Ed25519,
    Ed448,
}

/// A human-readable name for a signature algorithm OID (for reports).
pub fn signature_algorithm_name(
    alg: &AlgorithmIdentifier<'_>,
    digest: Option<DigestAlgorithm>,
) -> String {
    let d = |h: Option<DigestAlgorithm>| h.or(digest).map_or("?", |d| d.name());
    match scheme(alg) {
        Ok(Scheme::RsaPkcs1(h)) => format!("RSA PKCS#1 v1.5 with {}", d(h)),
        Ok(Scheme::RsaPss { hash, .. }) => format!("RSA-PSS with {}", hash.name()),
        Ok(Scheme::Ecdsa(h)) => format!("ECDSA with {}", d(h)),
        Ok(Scheme::Ed25519) => "Ed25519".to_owned(),
        Ok(Scheme::Ed448) => "Ed448".to_owned(),
        Err(_) => format!("unsupported ({})", alg.oid),
    }
}

fn pss_params(
    params: Option<&Tlv<'_>>,
) -> Result<(DigestAlgorithm, DigestAlgorithm, usize), String> {
    // RSASSA-PSS-params ::= SEQUENCE {
    //   hashAlgorithm [0] HashAlgorithm DEFAULT sha1, maskGenAlgorithm [1] DEFAULT mgf1SHA1,
    //   saltLength [2] INTEGER DEFAULT 20, trailerField [3] INTEGER DEFAULT 1 }  (RFC 4055 3.1)
    let mut hash = DigestAlgorithm::Sha1;
    let mut mgf_hash = DigestAlgorithm::Sha1;
    let mut salt = 20usize;
    let Some(params) = params else {
        return Ok((hash, mgf_hash, salt));
    };
    let bad = |_| "malformed RSA-PSS parameters".to_owned();
    let mut r = params.children().map_err(bad)?;
    while let Some(field) = r.next_tlv().map_err(bad)? {
        let inner = field
            .children()
            .map_err(bad)?
            .read("empty PSS field")
            .map_err(bad)?;
        match field.tag.number {
            0 => {
                let a = AlgorithmIdentifier::decode(&inner).map_err(bad)?;
                hash = DigestAlgorithm::from_oid(&a.oid)
                    .ok_or_else(|| format!("PSS hash {}", a.oid))?;
            }
            1 => {
                let a = AlgorithmIdentifier::decode(&inner).map_err(bad)?;
                if a.oid != "1.2.840.113549.1.1.8" {
                    return Err(format!("PSS mask generation {}", a.oid));
                }
                let h = a.parameters.as_ref().ok_or("MGF1 without hash")?;
                let ha = AlgorithmIdentifier::decode(h).map_err(bad)?;
                mgf_hash = DigestAlgorithm::from_oid(&ha.oid)
                    .ok_or_else(|| format!("MGF1 hash {}", ha.oid))?;
            }
            2 => {
                if !inner.tag.is_universal(universal::INTEGER) || inner.content.len() > 4 {
                    return Err("bad PSS salt length".to_owned());
                }
                salt = inner
                    .content
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            }
            3 => {
                if inner.content != [1] {
                    return Err("PSS trailer field other than 1".to_owned());
                }
            }
            _ => return Err("unknown PSS parameter".to_owned()),
        }
    }
    Ok((hash, mgf_hash, salt))
}

fn scheme(alg: &AlgorithmIdentifier<'_>) -> Result<Scheme, String> {
    let oid = alg.oid.as_str();
    Ok(match oid {
        "1.2.840.113549.1.1.1" => Scheme::RsaPkcs1(None),
        "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.14"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13"
        | "2.16.840.1.101.3.4.3.13"
        | "2.16.840.1.101.3.4.3.14"
        | "2.16.840.1.101.3.4.3.15"
        | "2.16.840.1.101.3.4.3.16" => Scheme::RsaPkcs1(DigestAlgorithm::from_oid(oid)),
        "1.2.840.113549.1.1.10" => {
            let (hash, mgf_hash, salt) = pss_params(alg.parameters.as_ref())?;
            Scheme::RsaPss {
                hash,
                mgf_hash,
                salt,
            }
        }
        "1.2.840.10045.2.1" => Scheme::Ecdsa(None),
        "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.1"
        | "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.10045.4.3.4"
        | "2.16.840.1.101.3.4.3.9"
        | "2.16.840.1.101.3.4.3.10"
        | "2.16.840.1.101.3.4.3.11"
        | "2.16.840.1.101.3.4.3.12" => Scheme::Ecdsa(DigestAlgorithm::from_oid(oid)),
        // BSI TR-03111 plain ECDSA (r||s): ecdsa-plain-SHA1 / -SHA224 / -SHA256 / -SHA384 / -SHA512.
        "0.4.0.127.0.7.1.1.4.1.1" => Scheme::Ecdsa(Some(DigestAlgorithm::Sha1)),
        "0.4.0.127.0.7.1.1.4.1.2" => Scheme::Ecdsa(Some(DigestAlgorithm::Sha224)),
        "0.4.0.127.0.7.1.1.4.1.3" => Scheme::Ecdsa(Some(DigestAlgorithm::Sha256)),
        "0.4.0.127.0.7.1.1.4.1.4" => Scheme::Ecdsa(Some(DigestAlgorithm::Sha384)),
        "0.4.0.127.0.7.1.1.4.1.5" => Scheme::Ecdsa(Some(DigestAlgorithm::Sha512)),
        "1.3.101.112" => Scheme::Ed25519,
        "1.3.101.113" => Scheme::Ed448,
        other => return Err(format!("signature algorithm {other}")),
    })
}

/// The same PKCS#1 v1.5 padding with a DigestInfo whose AlgorithmIdentifier has no NULL
/// parameters: `30 L 30 M 06 n OID 05 00 04 h` becomes `30 L-2 30 M-2 06 n OID 04 h`.
fn without_null_parameters(p: &Pkcs1v15Sign) -> Option<Pkcs1v15Sign> {
    let prefix = &p.prefix;
    let oid_len = usize::from(*prefix.get(5)?);
    let null_at = 6 + oid_len;
    if prefix.get(null_at..null_at + 2)? != [0x05, 0x00] {
        return None;
    }
    let mut alt = Vec::with_capacity(prefix.len() - 2);
    alt.push(0x30);
    alt.push(prefix.get(1)?.checked_sub(2)?);
    alt.push(0x30);
    alt.push(prefix.get(3)?.checked_sub(2)?);
    alt.extend_from_slice(prefix.get(4..null_at)?);
    alt.extend_from_slice(prefix.get(null_at + 2..)?);
    Some(Pkcs1v15Sign {
        hash_len: p.hash_len,
        prefix: alt.into_boxed_slice(),
    })
}

fn rsa_key(key: &[u8]) -> Result<RsaPublicKey, &'static str> {
    let k = rsa::pkcs1::RsaPublicKey::from_der(key).map_err(|_| "malformed RSA public key")?;
    let n = BigUint::from_bytes_be(k.modulus.as_bytes());
    let e = BigUint::from_bytes_be(k.public_exponent.as_bytes());
    RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).map_err(|_| "unusable RSA public key")
}

fn ecdsa_verify(curve: Option<&str>, key: &[u8], prehash: &[u8], sig: &[u8]) -> SignatureOutcome {
    use ecdsa::signature::hazmat::PrehashVerifier;
    let ok = |r: bool| {
        if r {
            SignatureOutcome::Valid
        } else {
            SignatureOutcome::Invalid("the ECDSA signature does not verify")
        }
    };
    match curve {
        Some("1.2.840.10045.3.1.7") => {
            let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(key) else {
                return SignatureOutcome::Invalid("malformed P-256 public key");
            };
            // DER Ecdsa-Sig-Value, or the plain r||s form (BSI TR-03111 "plain" ECDSA).
            let Ok(s) = p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
            else {
                return SignatureOutcome::Invalid("malformed ECDSA signature value");
            };
            ok(vk.verify_prehash(prehash, &s).is_ok())
        }
        Some("1.3.132.0.34") => {
            let Ok(vk) = p384::ecdsa::VerifyingKey::from_sec1_bytes(key) else {
                return SignatureOutcome::Invalid("malformed P-384 public key");
            };
            // DER Ecdsa-Sig-Value, or the plain r||s form (BSI TR-03111 "plain" ECDSA).
            let Ok(s) = p384::ecdsa::Signature::from_der(sig)
                .or_else(|_| p384::ecdsa::Signature::from_slice(sig))
            else {
                return SignatureOutcome::Invalid("malformed ECDSA signature value");
            };
            ok(vk.verify_prehash(prehash, &s).is_ok())
        }
        Some("1.3.132.0.35") => {
            let Ok(vk) = p521::ecdsa::VerifyingKey::from_sec1_bytes(key) else {
                return SignatureOutcome::Invalid("malformed P-521 public key");
            };
            // DER Ecdsa-Sig-Value, or the plain r||s form (BSI TR-03111 "plain" ECDSA).
            let Ok(s) = p521::ecdsa::Signature::from_der(sig)
                .or_else(|_| p521::ecdsa::Signature::from_slice(sig))
            else {
                return SignatureOutcome::Invalid("malformed ECDSA signature value");
            };
            ok(vk.verify_prehash(prehash, &s).is_ok())
        }
        Some(other) => SignatureOutcome::Unsupported(format!("elliptic curve {other}")),
        None => SignatureOutcome::Unsupported("elliptic curve without a named curve".to_owned()),
    }
}

/// Verifies `signature` over `message` with `key`, as `alg` (with `digest` as the digest
/// algorithm of the SignerInfo when the signature algorithm does not name one).
pub fn verify_signature(
    key: &PublicKey<'_>,
    alg: &AlgorithmIdentifier<'_>,
    digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> SignatureOutcome {
    let scheme = match scheme(alg) {
        Ok(s) => s,
        Err(what) => return SignatureOutcome::Unsupported(what),
    };
    let key_alg = key.algorithm.as_str();
    let need_digest =
        |h: Option<DigestAlgorithm>| h.or(digest).ok_or_else(|| "digest algorithm".to_owned());
    match scheme {
        Scheme::RsaPkcs1(h) => {
            if key_alg != "1.2.840.113549.1.1.1" {
                return SignatureOutcome::Invalid("the certificate key is not an RSA key");
            }
            let h = match need_digest(h) {
                Ok(h) => h,
                Err(e) => return SignatureOutcome::Unsupported(e),
            };
            let Some(padding) = h.pkcs1v15() else {
                return SignatureOutcome::Unsupported(format!("RSA with {}", h.name()));
            };
            let pk = match rsa_key(key.key) {
                Ok(k) => k,
                Err(e) => return SignatureOutcome::Invalid(e),
            };
            let hashed = h.digest(message);
            let alternate = without_null_parameters(&padding);
            if padding.verify(&pk, &hashed, signature).is_ok() {
                return SignatureOutcome::Valid;
            }
            // RFC 8017 9.2 note 2: the DigestInfo may omit the NULL parameters; accepted
            // by common verifiers and written by some signers.
            match alternate.map(|p| p.verify(&pk, &hashed, signature)) {
                Some(Ok(())) => SignatureOutcome::Valid,
                _ => SignatureOutcome::Invalid("the RSA signature does not verify"),
            }
        }
        Scheme::RsaPss {
            hash,
            mgf_hash,
            salt,
        } => {
            if key_alg != "1.2.840.113549.1.1.1" && key_alg != "1.2.840.113549.1.1.10" {
                return SignatureOutcome::Invalid("the certificate key is not an RSA key");
            }
            if hash != mgf_hash {
                return SignatureOutcome::Unsupported(
                    "RSA-PSS with different hash and MGF1 hash".to_owned(),
                );
            }
            let Some(padding) = hash.pss(salt) else {
                return SignatureOutcome::Unsupported(format!("RSA-PSS with {}", hash.name()));
            };
            let pk = match rsa_key(key.key) {
                Ok(k) => k,
                Err(e) => return SignatureOutcome::Invalid(e),
            };
            match padding.verify(&pk, &hash.digest(message), signature) {
                Ok(()) => SignatureOutcome::Valid,
                Err(_) => SignatureOutcome::Invalid("the RSA-PSS signature does not verify"),
            }
        }
        Scheme::Ecdsa(h) => {
            if key_alg != "1.2.840.10045.2.1" {
                return SignatureOutcome::Invalid("the certificate key is not an EC key");
            }
            let h = match need_digest(h) {
                Ok(h) => h,
                Err(e) => return SignatureOutcome::Unsupported(e),
            };
            ecdsa_verify(key.curve.as_deref(), key.key, &h.digest(message), signature)
        }
        Scheme::Ed25519 => {
            if key_alg != "1.3.101.112" {
                return SignatureOutcome::Invalid("the certificate key is not an Ed25519 key");
            }
            let Ok(kb) = <[u8; 32]>::try_from(key.key) else {
                return SignatureOutcome::Invalid("malformed Ed25519 public key");
            };
            let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&kb) else {
                return SignatureOutcome::Invalid("malformed Ed25519 public key");
            };
            let Ok(sb) = <[u8; 64]>::try_from(signature) else {
                return SignatureOutcome::Invalid("malformed Ed25519 signature value");
            };
            let sig = ed25519_dalek::Signature::from_bytes(&sb);
            match vk.verify_strict(message, &sig) {
                Ok(()) => SignatureOutcome::Valid,
                Err(_) => SignatureOutcome::Invalid("the Ed25519 signature does not verify"),
            }
        }
        Scheme::Ed448 => {
            if key_alg != "1.3.101.113" {
                return SignatureOutcome::Invalid("the certificate key is not an Ed448 key");
            }
            let Ok(kb) = <[u8; 57]>::try_from(key.key) else {
                return SignatureOutcome::Invalid("malformed Ed448 public key");
            };
            let Ok(vk) = ed448_goldilocks_plus::VerifyingKey::from_bytes(&kb) else {
                return SignatureOutcome::Invalid("malformed Ed448 public key");
            };
            let Ok(sb) = <[u8; 114]>::try_from(signature) else {
                return SignatureOutcome::Invalid("malformed Ed448 signature value");
            };
            let Ok(sig) = ed448_goldilocks_plus::Signature::from_bytes(&sb) else {
                return SignatureOutcome::Invalid("malformed Ed448 signature value");
            };
            match vk.verify_raw(&sig, message) {
                Ok(()) => SignatureOutcome::Valid,
                Err(_) => SignatureOutcome::Invalid("the Ed448 signature does not verify"),
            }
        }
    }
}
