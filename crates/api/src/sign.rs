//! Signing with the employee's smart card or token, for both front doors: thin glue over
//! `lavoro-agile-sign` (module discovery, token listing, one file signed per call) and the
//! serialisable views. The PIN is a [`Secret`]: it is never part of a view, a log line or
//! an argument, and the caller drops it when done.
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;

pub use lavoro_agile_sign::cms::Packaging;
pub use lavoro_agile_sign::modules::{discover_here, known_modules, KnownModule, Os};
pub use lavoro_agile_sign::output::Output;
pub use lavoro_agile_sign::pades::{PdfOptions, Rect};
pub use lavoro_agile_sign::{
    always_authenticate_notice, pin_warning, CertificateEntry, Error as SignError, Lang, Module,
    PinStatus, Secret, TokenSigner, TokenSummary,
};

use lavoro_agile_sign::{cms, output, pades};

/// Largest file signed (the content is held in memory while the envelope is built).
pub const MAX_SIGN_SIZE: u64 = 512 * 1024 * 1024;

/// What kind of signature to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignType {
    /// CAdES: `.p7m` / `.p7s`.
    Cades,
    /// PAdES: a signed copy of the PDF.
    Pades,
}

/// What to do with a file that is already a CAdES envelope, or the choice for a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CadesMode {
    /// A new signature of the file (refused when the file is already a `.p7m`).
    New,
    /// A parallel signature in the same envelope ("aggiungi firma").
    Add,
    /// A countersignature of the signer at this index (0-based).
    Countersign(usize),
    /// A new envelope around the signed file ("firma annidata").
    Nest,
}

/// Opens the configured module, else the first known one installed here.
pub fn open_module(configured: Option<&Path>) -> Result<Module, SignError> {
    if let Some(p) = configured {
        return Module::open(p);
    }
    let found = discover_here(None);
    let first = found.first().ok_or(SignError::ModuleNotFound)?;
    Module::open(&first.path)
}

/// A token with its certificates, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    /// Position to pass as `slot`.
    pub index: usize,
    /// Label, manufacturer, model.
    pub label: String,
    /// The manufacturer.
    pub manufacturer: String,
    /// The model.
    pub model: String,
    /// A PIN warning to show before asking (count low, final try, locked).
    pub pin_warning: Option<String>,
    /// PIN locked.
    pub pin_locked: bool,
    /// The reader has its own keypad: the PIN is typed there, not in the app.
    pub pin_pad: bool,
    /// Its certificates, signing ones first.
    pub certificates: Vec<CertificateView>,
}

/// A certificate on a token, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    /// Hex `CKA_ID`, to pass as `cert`.
    pub id: String,
    /// Subject common name.
    pub subject: String,
    /// Issuer common name.
    pub issuer: String,
    /// Valid until (RFC 3339).
    pub not_after: String,
    /// A signing (nonRepudiation) certificate.
    pub signing: bool,
}

/// The tokens present and their certificates.
pub fn list_tokens(module: &Module, lang: Lang) -> Result<Vec<TokenView>, SignError> {
    let mut out = Vec::new();
    for t in module.tokens()? {
        let certificates = module
            .certificates(t.index)?
            .iter()
            .map(|c| CertificateView {
                id: c.id.clone(),
                subject: c.subject_name(),
                issuer: c.certificate.issuer_common_name().unwrap_or_default(),
                not_after: c
                    .certificate
                    .certificate()
                    .tbs_certificate
                    .validity
                    .not_after
                    .to_string(),
                signing: c.non_repudiation,
            })
            .collect();
        out.push(TokenView {
            index: t.index,
            label: t.label.clone(),
            manufacturer: t.manufacturer.clone(),
            model: t.model.clone(),
            pin_warning: pin_warning(&t.pin, lang),
            pin_locked: t.pin.locked,
            pin_pad: t.pin_pad,
            certificates,
        });
    }
    Ok(out)
}

/// How to sign one file.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// CAdES or PAdES.
    pub kind: SignType,
    /// CAdES: attached or detached.
    pub packaging: Packaging,
    /// CAdES: new, add, countersign, nest.
    pub mode: CadesMode,
    /// PAdES options (page, reason, location).
    pub pdf: PdfOptions,
    /// A timestamp authority's URL (RFC 3161 over HTTP): CAdES-T / PAdES B-T.
    pub tsa: Option<String>,
}

/// A timestamp authority reached over HTTP(S) (RFC 3161 section 3.4).
#[derive(Debug, Clone)]
pub struct HttpTsa {
    url: String,
}

impl HttpTsa {
    /// The authority at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into() }
    }
}

impl lavoro_agile_sign::tsa::TimestampSource for HttpTsa {
    fn send(&self, request: &[u8]) -> Result<Vec<u8>, SignError> {
        use std::io::Read;
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(std::time::Duration::from_secs(15))
            .timeout(std::time::Duration::from_secs(60))
            .user_agent(concat!("lavoro-agile/", env!("CARGO_PKG_VERSION")))
            .build();
        let resp = agent
            .post(&self.url)
            .set("Content-Type", "application/timestamp-query")
            .send_bytes(request)
            .map_err(|e| SignError::Timestamp(e.to_string()))?;
        let mut body = Vec::new();
        resp.into_reader()
            .take(lavoro_agile_sign::tsa::MAX_RESPONSE as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| SignError::Timestamp(e.to_string()))?;
        Ok(body)
    }
}

/// The result of signing one file.
#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    /// The file signed.
    pub input: PathBuf,
    /// The new file written beside it.
    pub output: PathBuf,
}

fn read_input(path: &Path) -> Result<Vec<u8>, SignError> {
    let len = std::fs::metadata(path)
        .map_err(|e| SignError::Io(e.to_string()))?
        .len();
    if len > MAX_SIGN_SIZE {
        return Err(SignError::Input(format!(
            "the file is {len} bytes, over the limit of {MAX_SIGN_SIZE}"
        )));
    }
    std::fs::read(path).map_err(|e| SignError::Io(e.to_string()))
}

/// Signs one file with a logged-in signer at `now` and writes the result beside it under a
/// new name (never overwriting anything).
pub fn sign_file(
    signer: &mut TokenSigner,
    input: &Path,
    request: &SignRequest,
    now: OffsetDateTime,
) -> Result<Signed, SignError> {
    let bytes = read_input(input)?;
    let exists = |p: &Path| p.exists();
    let tsa = request.tsa.as_deref().map(HttpTsa::new);
    let tsa_ref = tsa
        .as_ref()
        .map(|t| t as &dyn lavoro_agile_sign::tsa::TimestampSource);
    let (bytes_out, kind) = match request.kind {
        SignType::Pades => (
            pades::sign_pdf_timestamped(&bytes, signer, now, &request.pdf, tsa_ref)?,
            Output::Revised,
        ),
        SignType::Cades => {
            let signed = cms::is_signed_data(&bytes);
            match (request.mode, signed) {
                (CadesMode::New, true) => return Err(SignError::AlreadySigned),
                (CadesMode::New | CadesMode::Nest, _) => {
                    let kind = match request.packaging {
                        Packaging::Attached => Output::Attached,
                        Packaging::Detached => Output::Detached,
                    };
                    (cms::sign(&bytes, request.packaging, signer, now)?, kind)
                }
                (CadesMode::Add | CadesMode::Countersign(_), false) => {
                    return Err(SignError::NotSigned)
                }
                (CadesMode::Add, true) => {
                    let content = detached_content(input, &bytes)?;
                    (
                        cms::add_parallel(&bytes, content.as_deref(), signer, now)?,
                        Output::Revised,
                    )
                }
                (CadesMode::Countersign(i), true) => {
                    (cms::countersign(&bytes, i, signer, now)?, Output::Revised)
                }
            }
        }
    };
    // CAdES-T: the new signature (the last signer; the target's countersignature is
    // timestamped with its signer) gets a signature timestamp.
    let bytes_out = match (request.kind, tsa_ref, request.mode) {
        (SignType::Cades, Some(t), CadesMode::New | CadesMode::Nest | CadesMode::Add) => {
            let last = cms::signer_count(&bytes_out)?.saturating_sub(1);
            cms::add_signature_timestamp(&bytes_out, last, t)?
        }
        _ => bytes_out,
    };
    let output = output::output_path(input, kind, &exists)?;
    output::write_new(&output, &bytes_out)?;
    tracing::info!(input = %input.display(), output = %output.display(), "file signed");
    Ok(Signed {
        input: input.to_path_buf(),
        output,
    })
}

/// The content of a detached `.p7s` (the file beside it without the extension), read only
/// when the envelope does not carry its content.
fn detached_content(input: &Path, envelope: &[u8]) -> Result<Option<Vec<u8>>, SignError> {
    let carries = lavoro_agile_sign::cms::carries_content(envelope)?;
    if carries {
        return Ok(None);
    }
    let Some(path) = lavoro_agile_verify::default_detached_content(input) else {
        return Err(SignError::DetachedContentMissing);
    };
    if !path.is_file() {
        return Err(SignError::DetachedContentMissing);
    }
    read_input(&path).map(Some)
}
