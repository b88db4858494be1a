//! Smart cards and tokens through PKCS#11 (`cryptoki`): tokens and their PIN state,
//! signing certificates, login and signing on the token.
//!
//! The PIN arrives as a [`Secret`] (redacted `Debug`, zeroed on drop), goes to the module
//! as cryptoki's `AuthPin` (also zeroed on drop) and is never logged. A key marked
//! `CKA_ALWAYS_AUTHENTICATE` gets a context-specific login (`CKU_CONTEXT_SPECIFIC`) before
//! every signature, as PKCS#11 v2.40 section 4.9 requires; [`TokenSigner`] keeps the PIN
//! only for that and drops it with itself.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Slot, TokenInfo};
use cryptoki::types::AuthPin;
use lavoro_agile_cades::cert::CertificateInfo;
use lavoro_agile_vault::Secret;

use crate::cms::{KeyKind, Signer};
use crate::{der, Error};

/// The state of the user PIN as the token reports it (PKCS#11 `CK_TOKEN_INFO` flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinStatus {
    /// `CKF_USER_PIN_COUNT_LOW`: at least one wrong PIN since the last right one.
    pub count_low: bool,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks it.
    pub final_try: bool,
    /// `CKF_USER_PIN_LOCKED`: locked; only the PUK (or the issuer) can unlock it.
    pub locked: bool,
    /// `CKF_USER_PIN_TO_BE_CHANGED`: the PIN must be changed before use.
    pub to_be_changed: bool,
}

impl PinStatus {
    fn of(info: &TokenInfo) -> Self {
        Self {
            count_low: info.user_pin_count_low(),
            final_try: info.user_pin_final_try(),
            locked: info.user_pin_locked(),
            to_be_changed: info.user_pin_to_be_changed(),
        }
    }
}

/// A token present in a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSummary {
    /// Position among the slots with a token (what `--slot` takes).
    pub index: usize,
    /// The module's slot identifier.
    pub slot_id: u64,
    /// The token label.
    pub label: String,
    /// The manufacturer.
    pub manufacturer: String,
    /// The model.
    pub model: String,
    /// The serial number.
    pub serial: String,
    /// The PIN flags.
    pub pin: PinStatus,
    /// The PIN is typed on the reader's own keypad (`CKF_PROTECTED_AUTHENTICATION_PATH`).
    pub pin_pad: bool,
}

/// A certificate on the token.
#[derive(Debug, Clone)]
pub struct CertificateEntry {
    /// `CKA_ID` in hexadecimal (what `--cert` takes); it links the certificate to its key.
    pub id: String,
    /// `CKA_LABEL`.
    pub label: String,
    /// The certificate.
    pub certificate: CertificateInfo,
    /// Key usage includes nonRepudiation (contentCommitment): a signing certificate.
    pub non_repudiation: bool,
    /// Key usage includes digitalSignature.
    pub digital_signature: bool,
}

impl CertificateEntry {
    /// The subject's common name, for the user to choose (never for logs).
    pub fn subject_name(&self) -> String {
        self.certificate
            .common_name()
            .unwrap_or_else(|| self.certificate.subject_string())
    }
}

/// Key usage bits of a certificate: (digitalSignature, nonRepudiation); both true when the
/// extension is absent (RFC 5280 4.2.1.3: no restriction).
pub fn key_usage(cert: &CertificateInfo) -> (bool, bool) {
    let Some(exts) = cert.certificate().tbs_certificate.extensions.as_ref() else {
        return (true, true);
    };
    let Some(ext) = exts.iter().find(|e| e.extn_id.to_string() == "2.5.29.15") else {
        return (true, true);
    };
    // KeyUsage ::= BIT STRING: 03 len unused-bits first-octet ...
    let v = ext.extn_value.as_bytes();
    match v {
        [0x03, _, _, first, ..] => (first & 0x80 != 0, first & 0x40 != 0),
        _ => (false, false),
    }
}

/// A loaded, initialised PKCS#11 module.
pub struct Module {
    pkcs11: Pkcs11,
    path: PathBuf,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("path", &self.path).finish()
    }
}

fn ck(e: CkError) -> Error {
    match e {
        CkError::Pkcs11(RvError::PinLocked, _) => Error::PinLocked,
        CkError::Pkcs11(RvError::PinLenRange, _) => Error::PinLength,
        CkError::Pkcs11(RvError::PinExpired, _) => Error::PinExpired,
        CkError::Pkcs11(RvError::TokenNotPresent | RvError::DeviceRemoved, _) => {
            Error::TokenRemoved
        }
        other => Error::Token(other.to_string()),
    }
}

/// Slots with an initialised token: a blank token (SoftHSM always offers one, so do
/// readers with a factory-fresh card) has nothing to sign with and refuses sessions.
fn slot_list(pkcs11: &Pkcs11) -> Result<Vec<Slot>, Error> {
    pkcs11.get_slots_with_initialized_token().map_err(ck)
}

impl Module {
    /// Loads and initialises the module at `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let pkcs11 = Pkcs11::new(path).map_err(|e| Error::ModuleLoad {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            // The same module opened again in this process (the app lists tokens, then
            // signs): it is already initialised, which is what we want.
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => {
                return Err(Error::ModuleLoad {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })
            }
        }
        tracing::debug!(module = %path.display(), "PKCS#11 module loaded");
        Ok(Self {
            pkcs11,
            path: path.to_path_buf(),
        })
    }

    /// The module's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens present, in slot order.
    pub fn tokens(&self) -> Result<Vec<TokenSummary>, Error> {
        let mut out = Vec::new();
        for (index, slot) in slot_list(&self.pkcs11)?.into_iter().enumerate() {
            let info = self.pkcs11.get_token_info(slot).map_err(ck)?;
            out.push(TokenSummary {
                index,
                slot_id: slot.id(),
                label: info.label().trim().to_owned(),
                manufacturer: info.manufacturer_id().trim().to_owned(),
                model: info.model().trim().to_owned(),
                serial: info.serial_number().trim().to_owned(),
                pin: PinStatus::of(&info),
                pin_pad: info.protected_authentication_path(),
            });
        }
        Ok(out)
    }

    fn slot(&self, index: usize) -> Result<Slot, Error> {
        let slots = slot_list(&self.pkcs11)?;
        if slots.is_empty() {
            return Err(Error::NoToken);
        }
        slots.get(index).copied().ok_or(Error::SlotNotFound(index))
    }

    /// The PIN flags of the token in slot `index`, read now.
    pub fn pin_status(&self, index: usize) -> Result<PinStatus, Error> {
        let slot = self.slot(index)?;
        Ok(PinStatus::of(
            &self.pkcs11.get_token_info(slot).map_err(ck)?,
        ))
    }

    /// The X.509 certificates on the token in slot `index` (public objects, no PIN needed),
    /// signing (nonRepudiation) certificates first.
    pub fn certificates(&self, index: usize) -> Result<Vec<CertificateEntry>, Error> {
        let slot = self.slot(index)?;
        let session = self.pkcs11.open_ro_session(slot).map_err(ck)?;
        let mut list = read_certificates(&session)?;
        list.sort_by_key(|c| (!c.non_repudiation, !c.digital_signature));
        Ok(list)
    }

    /// Logs in to the token in slot `index` with `pin` (empty on a reader with a keypad,
    /// which then asks for it) and prepares the key of the
    /// certificate `cert_id` (hex `CKA_ID`), or of the first signing certificate that has a
    /// private key when `cert_id` is `None`.
    pub fn login(
        &self,
        index: usize,
        cert_id: Option<&str>,
        pin: &Secret,
    ) -> Result<TokenSigner, Error> {
        let slot = self.slot(index)?;
        let info = self.pkcs11.get_token_info(slot).map_err(ck)?;
        if info.user_pin_locked() {
            return Err(Error::PinLocked);
        }
        let session = self.pkcs11.open_ro_session(slot).map_err(ck)?;
        let auth = AuthPin::from(pin.expose().to_owned());
        // A reader with its own keypad (CKF_PROTECTED_AUTHENTICATION_PATH) takes the PIN
        // itself: an empty PIN here means "ask the reader" (PKCS#11 v2.40 C_Login).
        let auth = if pin.is_empty() && info.protected_authentication_path() {
            None
        } else {
            Some(&auth)
        };
        match session.login(UserType::User, auth) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                let status = self
                    .pkcs11
                    .get_token_info(slot)
                    .map(|i| PinStatus::of(&i))
                    .unwrap_or_default();
                tracing::info!("PKCS#11 login refused: wrong PIN");
                return Err(if status.locked {
                    Error::PinLocked
                } else {
                    Error::PinIncorrect(status)
                });
            }
            Err(e) => return Err(ck(e)),
        }
        let mut certs = read_certificates(&session)?;
        certs.sort_by_key(|c| (!c.non_repudiation, !c.digital_signature));
        let wanted = match cert_id {
            Some(id) => {
                let id = id.to_ascii_lowercase();
                certs.into_iter().filter(|c| c.id == id).collect::<Vec<_>>()
            }
            None => certs,
        };
        if wanted.is_empty() {
            return Err(Error::CertificateNotFound);
        }
        for entry in wanted {
            let id = hex::decode(&entry.id).map_err(|_| Error::Internal("certificate id"))?;
            let keys = session
                .find_objects(&[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::Id(id),
                ])
                .map_err(ck)?;
            let Some(key) = keys.first().copied() else {
                continue;
            };
            let attrs = session
                .get_attributes(
                    key,
                    &[AttributeType::KeyType, AttributeType::AlwaysAuthenticate],
                )
                .map_err(ck)?;
            let mut key_type = None;
            let mut always_authenticate = false;
            for a in attrs {
                match a {
                    Attribute::KeyType(t) => key_type = Some(t),
                    Attribute::AlwaysAuthenticate(b) => always_authenticate = b,
                    _ => {}
                }
            }
            let kind = match key_type {
                Some(t) if t == KeyType::RSA => KeyKind::Rsa,
                Some(t) if t == KeyType::EC => KeyKind::Ecdsa,
                _ => return Err(Error::UnsupportedKey),
            };
            let mechanisms = self.pkcs11.get_mechanism_list(slot).map_err(ck)?;
            tracing::debug!(
                certificate = %entry.certificate.sha256_hex(),
                always_authenticate,
                "signing key ready"
            );
            return Ok(TokenSigner {
                session,
                key,
                kind,
                always_authenticate,
                pin: pin.clone(),
                entry,
                mechanisms,
            });
        }
        Err(Error::KeyNotFound)
    }
}

fn read_certificates(session: &Session) -> Result<Vec<CertificateEntry>, Error> {
    let handles = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ])
        .map_err(ck)?;
    let mut out = Vec::new();
    for h in handles {
        let attrs = session
            .get_attributes(
                h,
                &[
                    AttributeType::Value,
                    AttributeType::Id,
                    AttributeType::Label,
                ],
            )
            .map_err(ck)?;
        let (mut value, mut id, mut label) = (None, Vec::new(), String::new());
        for a in attrs {
            match a {
                Attribute::Value(v) => value = Some(v),
                Attribute::Id(v) => id = v,
                Attribute::Label(v) => label = String::from_utf8_lossy(&v).into_owned(),
                _ => {}
            }
        }
        let Some(value) = value else { continue };
        // A certificate the token holds but we cannot decode is not offered for signing.
        let Ok(certificate) = CertificateInfo::from_bytes(&value) else {
            tracing::warn!("undecodable certificate on the token skipped");
            continue;
        };
        let (digital_signature, non_repudiation) = key_usage(&certificate);
        out.push(CertificateEntry {
            id: hex::encode(id),
            label,
            certificate,
            non_repudiation,
            digital_signature,
        });
    }
    Ok(out)
}

/// A logged-in session with the key chosen for signing.
pub struct TokenSigner {
    session: Session,
    key: ObjectHandle,
    kind: KeyKind,
    always_authenticate: bool,
    pin: Secret,
    entry: CertificateEntry,
    mechanisms: Vec<MechanismType>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kind", &self.kind)
            .field("always_authenticate", &self.always_authenticate)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// The chosen certificate.
    pub fn entry(&self) -> &CertificateEntry {
        &self.entry
    }

    /// Whether the key asks for the PIN again before every signature
    /// (`CKA_ALWAYS_AUTHENTICATE`): the app says so when it asks.
    pub fn always_authenticate(&self) -> bool {
        self.always_authenticate
    }

    /// Sets the PIN for the next context-specific login: a front door that asks again for
    /// every signature (as it should for `CKA_ALWAYS_AUTHENTICATE` keys) hands it here.
    pub fn set_signature_pin(&mut self, pin: Secret) {
        self.pin = pin;
    }

    fn context_login(&self) -> Result<(), Error> {
        let auth = AuthPin::from(self.pin.expose().to_owned());
        // Empty: a reader with a keypad asks for it (see `Module::login`).
        let auth = (!self.pin.is_empty()).then_some(&auth);
        match self.session.login(UserType::ContextSpecific, auth) {
            Ok(()) => Ok(()),
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                Err(Error::PinIncorrect(PinStatus::default()))
            }
            Err(e) => Err(ck(e)),
        }
    }

    fn sign_with(&self, mechanism: &Mechanism, data: &[u8], multi: bool) -> Result<Vec<u8>, Error> {
        if !self.always_authenticate {
            return self.session.sign(mechanism, self.key, data).map_err(ck);
        }
        if multi {
            // C_SignInit, then the context login, then the data: the order PKCS#11 v2.40
            // section 4.9 describes for CKA_ALWAYS_AUTHENTICATE keys.
            self.session.sign_init(mechanism, self.key).map_err(ck)?;
            self.context_login()?;
            self.session.sign_update(data).map_err(ck)?;
            return self.session.sign_final().map_err(ck);
        }
        // Single-part mechanisms: modules accept the context login just before C_Sign.
        self.context_login()?;
        self.session.sign(mechanism, self.key, data).map_err(ck)
    }
}

/// DigestInfo for SHA-256 (RFC 8017 section 9.2, note 1): the prefix before the hash.
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A raw `r || s` ECDSA signature (PKCS#11 section 2.3.1) as the DER `Ecdsa-Sig-Value`
/// CMS wants (RFC 5753 section 7.2).
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, Error> {
    if raw.is_empty() || raw.len() % 2 != 0 {
        return Err(Error::Token("ECDSA signature of odd length".to_owned()));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    Ok(der::sequence(&[
        &der::unsigned_integer(r),
        &der::unsigned_integer(s),
    ]))
}

impl Signer for TokenSigner {
    fn certificate(&self) -> &CertificateInfo {
        &self.entry.certificate
    }

    fn key_kind(&self) -> KeyKind {
        self.kind
    }

    fn sign(&mut self, data: &[u8]) -> Result<Vec<u8>, Error> {
        use sha2::Digest;
        match self.kind {
            KeyKind::Rsa => {
                if self.mechanisms.contains(&MechanismType::SHA256_RSA_PKCS) {
                    self.sign_with(&Mechanism::Sha256RsaPkcs, data, true)
                } else {
                    let mut info = SHA256_DIGEST_INFO_PREFIX.to_vec();
                    info.extend_from_slice(&sha2::Sha256::digest(data));
                    self.sign_with(&Mechanism::RsaPkcs, &info, false)
                }
            }
            KeyKind::Ecdsa => {
                let raw = if self.mechanisms.contains(&MechanismType::ECDSA_SHA256) {
                    self.sign_with(&Mechanism::EcdsaSha256, data, true)?
                } else {
                    let hash = sha2::Sha256::digest(data);
                    self.sign_with(&Mechanism::Ecdsa, &hash, false)?
                };
                ecdsa_raw_to_der(&raw)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ck_pin_locked_maps_to_locked_with_italian_message() {
        use cryptoki::context::Function;
        // SoftHSM2 never locks a PIN, so the mapping of the module's answer is tested here.
        let e = ck(CkError::Pkcs11(RvError::PinLocked, Function::Login));
        assert_eq!(e, Error::PinLocked);
        assert!(e.message(crate::Lang::It).starts_with("Il PIN è bloccato"));
        let e = ck(CkError::Pkcs11(RvError::TokenNotPresent, Function::Login));
        assert_eq!(e, Error::TokenRemoved);
    }

    #[test]
    fn ecdsa_raw_to_der_adds_sign_octets() {
        let mut raw = vec![0x80; 32];
        raw.extend(std::iter::repeat_n(0x01, 32));
        let d = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(d.get(..5).unwrap(), [0x30, 0x45, 0x02, 0x21, 0x00]);
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_err());
    }
}
