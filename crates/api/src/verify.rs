//! Signature verification for both front doors: loading trust material from paths,
//! checking many files in parallel (results in input order), extracting the signed content.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use lavoro_agile_verify::report::{FileReport, Report, Tool};
pub use lavoro_agile_verify::{
    render, FileInput, FileOutcome, Indication, Lang, Options, RevocationPolicy, TrustStore,
    ValidationTime, SIGNATURE_EXTENSIONS,
};

/// Trust material that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustLoadError {
    /// The path cannot be read.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The content is not a certificate, CRL or trusted list.
    #[error("{path} is not a certificate, CRL or trusted list")]
    Unrecognised {
        /// The path.
        path: PathBuf,
    },
}

/// Files read from one `--trust` folder, at most (a folder of a whole PKI is far smaller).
const MAX_TRUST_FILES: usize = 10_000;

fn add_trust_path(
    store: &mut TrustStore,
    path: &Path,
    in_folder: bool,
    count: &mut usize,
) -> Result<(), TrustLoadError> {
    let meta = std::fs::metadata(path).map_err(|source| TrustLoadError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|source| TrustLoadError::Unreadable {
                path: path.to_owned(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            *count += 1;
            if *count > MAX_TRUST_FILES {
                break;
            }
            if p.is_file() {
                add_trust_path(store, &p, true, count)?;
            }
        }
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|source| TrustLoadError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    match store.add_bytes(&bytes) {
        Ok(kind) => {
            tracing::debug!(path = %path.display(), ?kind, "trust material loaded");
            Ok(())
        }
        // In a folder, files of other kinds (READMEs, ...) are skipped.
        Err(_) if in_folder => {
            tracing::warn!(path = %path.display(), "not trust material, skipped");
            Ok(())
        }
        Err(_) => Err(TrustLoadError::Unrecognised {
            path: path.to_owned(),
        }),
    }
}

/// Loads every `--trust` path (files or folders of them) into one store.
pub fn load_trust(paths: &[PathBuf]) -> Result<TrustStore, TrustLoadError> {
    let mut store = TrustStore::new();
    let mut count = 0;
    for p in paths {
        add_trust_path(&mut store, p, false, &mut count)?;
    }
    Ok(store)
}

/// Checks the files on up to `threads` threads; the outcomes keep the input order.
pub fn verify_files(inputs: &[FileInput], options: &Options, threads: usize) -> Vec<FileOutcome> {
    let slots: Vec<Mutex<Option<FileOutcome>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = threads.clamp(1, inputs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let (Some(input), Some(slot)) = (inputs.get(i), slots.get(i)) else {
                    break;
                };
                // A bug in a parser must not take the other files down with it: the file is
                // then reported as not checkable (and the bug shows in the log).
                let run = std::panic::AssertUnwindSafe(|| {
                    lavoro_agile_verify::validate_file(input, options)
                });
                match std::panic::catch_unwind(run) {
                    Ok(outcome) => {
                        if let Ok(mut s) = slot.lock() {
                            *s = Some(outcome);
                        }
                    }
                    Err(_) => {
                        tracing::error!(file = %input.display, "internal error while checking")
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(inputs)
        .map(|(slot, input)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                // Only reachable after an internal error; report the file as not checkable.
                let report = FileReport {
                    path: input.display.clone(),
                    sha256: None,
                    format: None,
                    error: Some(lavoro_agile_verify::report::FileError {
                        code: lavoro_agile_verify::report::ErrorCode::Unreadable,
                        message: "internal error while checking the file".to_owned(),
                    }),
                    signatures: Vec::new(),
                    timestamps: Vec::new(),
                };
                FileOutcome {
                    report,
                    content: None,
                }
            })
        })
        .collect()
}

/// The file name of the content: the signed file's name without its signature extensions
/// (`atto.pdf.p7m.p7m` -> `atto.pdf`).
pub fn content_file_name(signed: &Path) -> String {
    let mut name = signed
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    while let Some((stem, ext)) = name.rsplit_once('.') {
        if stem.is_empty() || !SIGNATURE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
            break;
        }
        name = stem.to_owned();
    }
    if name.is_empty() {
        "content".to_owned()
    } else {
        name
    }
}

/// For a PDF, writes each signed version of the document (what each signature and document
/// timestamp covers: the file's first `signed_length` bytes, copied as a stream) into `dir`,
/// named `<name> (S1).pdf`, `<name> (T1).pdf`, ...; never overwrites (a taken name gets
/// " (2)", ...). Nothing for other formats or for signatures whose coverage is not valid.
/// Returns the paths written.
pub fn extract_signed_versions(
    dir: &Path,
    signed: &Path,
    report: &FileReport,
) -> std::io::Result<Vec<PathBuf>> {
    use std::io::Read;
    let items = report
        .signatures
        .iter()
        .map(|s| (&s.id, &s.pdf))
        .chain(report.timestamps.iter().map(|t| (&t.id, &t.pdf)));
    let name = content_file_name(signed);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
        _ => (name.clone(), ".pdf".to_owned()),
    };
    let mut written = Vec::new();
    for (id, pdf) in items {
        let Some(len) = pdf.as_ref().and_then(|p| p.signed_length) else {
            continue;
        };
        let mut out = None;
        for n in 1..10_000u32 {
            let candidate = if n == 1 {
                dir.join(format!("{stem} ({id}){ext}"))
            } else {
                dir.join(format!("{stem} ({id}) ({n}){ext}"))
            };
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate)
            {
                Ok(f) => {
                    out = Some((f, candidate));
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        let Some((mut f, path)) = out else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "no free file name",
            ));
        };
        let copied = std::io::copy(&mut std::fs::File::open(signed)?.take(len), &mut f)?;
        if copied != len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file is shorter than the signed version",
            ));
        }
        written.push(path);
    }
    Ok(written)
}

/// Writes `content` into `dir` under the content name of `signed`, never overwriting: a
/// taken name gets " (2)", " (3)", ... before its extension. Returns the path written.
pub fn extract_content(dir: &Path, signed: &Path, content: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let name = content_file_name(signed);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    for n in 1..10_000u32 {
        let candidate = if n == 1 {
            dir.join(&name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut f) => {
                f.write_all(content)?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "no free file name",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_file_name_strips_signature_extensions() {
        assert_eq!(
            content_file_name(Path::new("/x/atto.pdf.p7m.p7m")),
            "atto.pdf"
        );
        assert_eq!(content_file_name(Path::new("a.tsd")), "a");
        assert_eq!(content_file_name(Path::new(".p7m")), ".p7m");
    }

    #[test]
    fn extract_content_existing_name_adds_counter() {
        let dir = tempfile::tempdir().unwrap();
        let a = extract_content(dir.path(), Path::new("doc.pdf.p7m"), b"1").unwrap();
        let b = extract_content(dir.path(), Path::new("doc.pdf.p7m"), b"2").unwrap();
        assert_eq!(a.file_name().unwrap(), "doc.pdf");
        assert_eq!(b.file_name().unwrap(), "doc (2).pdf");
        assert_eq!(std::fs::read(a).unwrap(), b"1");
    }

    #[test]
    fn extract_signed_versions_two_signatures_writes_each_prefix() {
        let pdf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/pades/two-signatures.pdf");
        let options = Options {
            trust: TrustStore::new(),
            at: ValidationTime::Now,
            now: time::OffsetDateTime::UNIX_EPOCH,
            keep_content: true,
            revocation: lavoro_agile_verify::RevocationPolicy::IfAvailable,
        };
        let input = FileInput {
            display: "two-signatures.pdf".to_owned(),
            path: pdf.clone(),
            content: None,
        };
        let report = lavoro_agile_verify::validate_file(&input, &options).report;
        let dir = tempfile::tempdir().unwrap();
        let paths = extract_signed_versions(dir.path(), &pdf, &report).unwrap();
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0].file_name().unwrap(), "two-signatures (S1).pdf");
        let whole = std::fs::read(&pdf).unwrap();
        let first = std::fs::read(&paths[0]).unwrap();
        assert!(first.len() < whole.len());
        assert_eq!(&whole[..first.len()], &first[..]);
        assert_eq!(std::fs::read(&paths[1]).unwrap(), whole);
    }
}
