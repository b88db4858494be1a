//! Errors returned to the front doors, each with a stable code that the UI turns into a
//! message from its catalog (Italian by default, English as the second language).
use serde::Serialize;

/// What stopped an API call. A failed check (a signature that does not verify, a refused
/// pack) is not an error: it is a result that says so.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No per-user home folder could be determined, so nothing can be stored.
    #[error("no per-user home folder could be determined")]
    NoHomeFolder,
    /// Reading or writing one of the app's own files failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or folder involved (the app's own, never user content).
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The caller passed a value the API does not accept.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl ApiError {
    /// A stable, machine-readable code for the front doors.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NoHomeFolder => "no_home_folder",
            ApiError::Io { .. } => "io",
            ApiError::InvalidArgument(_) => "invalid_argument",
        }
    }
}

/// The serialisable form of an [`ApiError`], sent over IPC: a code for the message catalog
/// and a technical detail for the log view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorPayload {
    /// Stable code (see [`ApiError::code`]).
    pub code: String,
    /// Technical detail, in English; never contains secrets.
    pub detail: String,
    /// A sentence for the user in their language, when the domain crate provides one
    /// (for example why a pack was refused); otherwise the UI uses its catalog entry for
    /// `code`.
    pub message: Option<String>,
}

impl ErrorPayload {
    /// A payload with a domain message for the user.
    pub fn with_message(code: &str, detail: String, message: String) -> Self {
        Self {
            code: code.to_owned(),
            detail,
            message: Some(message),
        }
    }
}

impl From<&ApiError> for ErrorPayload {
    fn from(err: &ApiError) -> Self {
        Self {
            code: err.code().to_owned(),
            detail: err.to_string(),
            message: None,
        }
    }
}
