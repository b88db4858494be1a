//! Verification reports for filing: the PDF "rapporto di verifica" (Italian, or English on
//! request; tagged, with real text in an embedded font), the ETSI TS 119 102-2 XML
//! validation report, and the JSON report with its header (tool, policy, trust sources,
//! check time).
//!
//! It renders a [`lavoro_agile_verify::Report`] that was already built: it never checks a
//! signature, never reads the clock (the check time is a parameter) and never touches the
//! network. The same inputs give byte-identical output in all three formats. It writes
//! files only through [`write_file`], which the callers use for the paths the user chose.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod header;
mod l10n;
pub mod pdf;
pub mod xml;

use std::path::Path;

pub use header::{Filing, Header};
pub use lavoro_agile_verify::Lang;

/// Why a report could not be produced or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The PDF library refused the document (a bug of ours, or a font without a glyph).
    #[error("cannot build the PDF: {0}")]
    Pdf(String),
    /// The bundled font cannot be read (a bug of the build).
    #[error("the bundled font cannot be read")]
    Font,
    /// The report cannot be serialized.
    #[error("cannot serialize the report: {0}")]
    Json(#[from] serde_json::Error),
    /// The file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename,
/// so an interrupted export never leaves half a report under the chosen name.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}
