//! Signature verification for both front doors: loading trust material from paths,
//! checking many files in parallel (results in input order), extracting the signed content.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// Files in a trust folder that are documentation, skipped without a warning.
const TRUST_FOLDER_DOCS: [&str; 4] = ["md", "txt", "json", "html"];

pub(crate) fn add_trust_path(
    store: &mut TrustStore,
    path: &Path,
    in_folder: bool,
    count: &mut usize,
    origin: &dyn Fn(&Path) -> crate::trust::TrustOrigin,
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
            let doc = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| TRUST_FOLDER_DOCS.contains(&e.to_ascii_lowercase().as_str()));
            if p.is_file() && !doc {
                add_trust_path(store, &p, true, count, origin)?;
            }
        }
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|source| TrustLoadError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    match store.add_bytes_from(&bytes, origin(path)) {
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

/// Loads every `--trust` path (files or folders of them) into one store, without the
/// default trust material (see [`crate::trust::load`] for both).
pub fn load_trust(paths: &[PathBuf]) -> Result<TrustStore, TrustLoadError> {
    crate::trust::load(paths, None)
}

/// Checks the files on up to `threads` threads; the outcomes keep the input order.
pub fn verify_files(inputs: &[FileInput], options: &Options, threads: usize) -> Vec<FileOutcome> {
    let slots: Vec<Mutex<Option<FileOutcome>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    let never = AtomicBool::new(false);
    verify_each(inputs, options, threads, &never, |i, outcome| {
        if let Some(Ok(mut s)) = slots.get(i).map(Mutex::lock) {
            *s = Some(outcome);
        }
    });
    slots
        .into_iter()
        .zip(inputs)
        .map(|(slot, input)| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| internal_error_outcome(input))
        })
        .collect()
}

/// The outcome reported for a file whose check ended in an internal error.
fn internal_error_outcome(input: &FileInput) -> FileOutcome {
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
}

/// Checks the files on up to `threads` threads and hands each outcome to `on_done` (with
/// the file's index in `inputs`) as soon as it is known, in completion order. Once `cancel`
/// is set, no further file is started (files being checked finish); returns how many files
/// were checked. `on_done` runs on the worker threads.
pub fn verify_each<F>(
    inputs: &[FileInput],
    options: &Options,
    threads: usize,
    cancel: &AtomicBool,
    on_done: F,
) -> usize
where
    F: Fn(usize, FileOutcome) + Sync,
{
    let next = AtomicUsize::new(0);
    let checked = AtomicUsize::new(0);
    let workers = threads.clamp(1, inputs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else {
                    break;
                };
                // A bug in a parser must not take the other files down with it: the file is
                // then reported as not checkable (and the bug shows in the log).
                let run = std::panic::AssertUnwindSafe(|| {
                    lavoro_agile_verify::validate_file(input, options)
                });
                let outcome = match std::panic::catch_unwind(run) {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        tracing::error!(file = %input.display, "internal error while checking");
                        internal_error_outcome(input)
                    }
                };
                checked.fetch_add(1, Ordering::Relaxed);
                on_done(i, outcome);
            });
        }
    });
    checked.into_inner()
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
    write_signed_versions(dir, signed, report, None)
}

/// For a PDF, writes the version of the document that signature or document timestamp `id`
/// (`S1`, `T1`, ...) covers into `dir`, as [`extract_signed_versions`] names it. `None`
/// when the report has no such PDF signature or its coverage is not valid.
pub fn extract_signed_version(
    dir: &Path,
    signed: &Path,
    report: &FileReport,
    id: &str,
) -> std::io::Result<Option<PathBuf>> {
    Ok(write_signed_versions(dir, signed, report, Some(id))?
        .into_iter()
        .next())
}

fn write_signed_versions(
    dir: &Path,
    signed: &Path,
    report: &FileReport,
    only: Option<&str>,
) -> std::io::Result<Vec<PathBuf>> {
    use std::io::Read;
    let items = report
        .signatures
        .iter()
        .map(|s| (&s.id, &s.pdf))
        .chain(report.timestamps.iter().map(|t| (&t.id, &t.pdf)))
        .filter(|(id, _)| only.is_none_or(|o| o == id.as_str()));
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

/// Extensions looked for when a folder is given: signed files, timestamps, and formats
/// that are recognised only to say they are not supported yet.
pub const FOLDER_EXTENSIONS: [&str; 13] = [
    "p7m", "p7s", "sig", "pkcs7", "tsd", "m7m", "tst", "tsr", "pdf", "asice", "asics", "sce", "scs",
];

/// Largest folder depth walked when a folder is given.
const MAX_FOLDER_DEPTH: usize = 16;

/// The files to check, from paths the user gave (files, or folders walked for
/// [`FOLDER_EXTENSIONS`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    /// Files, in the order given; each folder's files sorted by path.
    pub files: Vec<PathBuf>,
    /// Paths that could not be read (missing, no permission).
    pub unreadable: Vec<PathBuf>,
    /// Whether the list stopped at the limit.
    pub truncated: bool,
}

/// Expands `paths` into files to check, at most `max` of them. Files given one by one are
/// kept whatever their extension; folders are walked (symbolic links to folders are not
/// followed, depth at most 16) for files with a [`FOLDER_EXTENSIONS`] extension.
pub fn collect_files(paths: &[PathBuf], max: usize) -> Collected {
    let mut out = Collected::default();
    for p in paths {
        if out.files.len() >= max {
            out.truncated = true;
            break;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_folder(p, 0, max, &mut out),
            Ok(_) => out.files.push(p.clone()),
            Err(_) => out.unreadable.push(p.clone()),
        }
    }
    out
}

fn walk_folder(dir: &Path, depth: usize, max: usize, out: &mut Collected) {
    if depth > MAX_FOLDER_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.unreadable.push(dir.to_owned());
        return;
    };
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if out.files.len() >= max {
            out.truncated = true;
            return;
        }
        if kind.is_dir() {
            walk_folder(&path, depth + 1, max, out);
        } else if has_folder_extension(&path) && path.is_file() {
            out.files.push(path);
        }
    }
}

fn has_folder_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FOLDER_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The verdict of a whole file, in the words the desktop app shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileVerdict {
    /// Every signature (or, for a bare timestamp, every timestamp) is TOTAL_PASSED.
    Valid,
    /// Some signature is TOTAL_FAILED.
    Invalid,
    /// Otherwise some signature is INDETERMINATE.
    Indeterminate,
    /// Nothing could be checked (the report has an `error`).
    NotChecked,
}

/// The verdict of `report`: the worst indication, or [`FileVerdict::NotChecked`].
pub fn file_verdict(report: &FileReport) -> FileVerdict {
    if report.error.is_some() {
        return FileVerdict::NotChecked;
    }
    match report.worst() {
        Some(Indication::TotalPassed) => FileVerdict::Valid,
        Some(Indication::TotalFailed) => FileVerdict::Invalid,
        Some(Indication::Indeterminate) | None => FileVerdict::Indeterminate,
    }
}

/// A signature format recognised from the file name that cannot be checked yet, for a file
/// that could not be checked: `XAdES` for `.xml`, `ASiC` for `.asice`, `.asics`, `.sce`,
/// `.scs`.
pub fn unsupported_format_hint(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "xml" => Some("XAdES"),
        "asice" | "asics" | "sce" | "scs" => Some("ASiC"),
        _ => None,
    }
}

/// Why opening a document may be dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentRisk {
    /// A program or a script: opening it runs it.
    Executable,
    /// An office document that contains or may contain macros.
    Macros,
}

/// Extensions of programs, scripts and installers.
const EXECUTABLE_EXTENSIONS: [&str; 30] = [
    "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "dll", "ps1", "psm1", "vbs",
    "vbe", "js", "jse", "wsf", "wsh", "hta", "jar", "lnk", "sh", "bash", "run", "bin", "appimage",
    "deb", "rpm", "app", "desktop",
];

/// Extensions of office formats that carry macros by definition.
const MACRO_EXTENSIONS: [&str; 10] = [
    "docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "pptm", "potm", "ppam", "sldm",
];

/// Whether opening `content` (to be saved as `name`) may run code: by its extension, by
/// the start of the bytes (Windows and ELF programs, `#!` scripts), or by the marks a VBA
/// project leaves in OLE and OOXML office files.
pub fn content_risk(name: &str, content: &[u8]) -> Option<ContentRisk> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if EXECUTABLE_EXTENSIONS.contains(&ext.as_str())
        || content.starts_with(b"MZ")
        || content.starts_with(b"\x7fELF")
        || content.starts_with(b"#!")
    {
        return Some(ContentRisk::Executable);
    }
    if MACRO_EXTENSIONS.contains(&ext.as_str()) {
        return Some(ContentRisk::Macros);
    }
    const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
    let office = content.starts_with(OLE) || content.starts_with(b"PK\x03\x04");
    // OOXML stores the project as `vbaProject.bin` (the name appears uncompressed in the
    // ZIP headers); OLE documents have a `_VBA_PROJECT` stream (its name in UTF-16).
    if office
        && (contains(content, b"vbaProject.bin")
            || contains(content, b"_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0"))
    {
        return Some(ContentRisk::Macros);
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A new private folder (readable only by the user) under `parent`, for documents opened
/// from signed files; it is kept after the call, so the system's application can read it.
pub fn private_folder(parent: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(parent)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix("documento-");
    // Only the user may read what is opened (tempfile's default is 0777 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder.tempdir_in(parent)?;
    Ok(dir.keep())
}

/// Removes the folders [`private_folder`] made under `parent` more than `max_age` ago;
/// returns how many were removed. Errors are ignored: a folder in use stays.
pub fn clean_private_folders(parent: &Path, max_age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > max_age);
        let ours = e.file_name().to_string_lossy().starts_with("documento-");
        if ours && old && std::fs::remove_dir_all(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
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
    fn collect_files_folder_walks_signed_extensions_sorted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for f in ["b.p7m", "a.PDF", "note.txt", "sub/c.tsd", "sub/d.xml"] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        let loose = dir.path().join("note.txt");
        let got = collect_files(&[dir.path().to_owned(), loose.clone()], 100);
        let names: Vec<_> = got
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.PDF", "b.p7m", "sub/c.tsd", "note.txt"]);
        assert!(!got.truncated);
    }

    #[test]
    fn collect_files_over_limit_truncates_and_missing_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.p7m")), b"x").unwrap();
        }
        let missing = dir.path().join("missing.p7m");
        let got = collect_files(&[missing.clone(), dir.path().to_owned()], 3);
        assert_eq!(got.files.len(), 3);
        assert!(got.truncated);
        assert_eq!(got.unreadable, [missing]);
    }

    #[test]
    fn content_risk_executables_and_macros_detected_plain_pdf_not() {
        assert_eq!(content_risk("x.exe", b"abc"), Some(ContentRisk::Executable));
        assert_eq!(
            content_risk("x.pdf", b"MZ\x90\0"),
            Some(ContentRisk::Executable)
        );
        assert_eq!(
            content_risk("run", b"#!/bin/sh\n"),
            Some(ContentRisk::Executable)
        );
        assert_eq!(content_risk("a.DOCM", b"PK"), Some(ContentRisk::Macros));
        let mut docx = b"PK\x03\x04....word/".to_vec();
        docx.extend_from_slice(b"vbaProject.bin");
        assert_eq!(content_risk("a.docx", &docx), Some(ContentRisk::Macros));
        assert_eq!(content_risk("a.pdf", b"%PDF-1.7 vbaProject.bin"), None);
        assert_eq!(content_risk("atto.pdf", b"%PDF-1.7"), None);
    }

    #[test]
    fn unsupported_format_hint_names_xades_and_asic() {
        assert_eq!(unsupported_format_hint(Path::new("f.XML")), Some("XAdES"));
        assert_eq!(unsupported_format_hint(Path::new("f.asice")), Some("ASiC"));
        assert_eq!(unsupported_format_hint(Path::new("f.p7m")), None);
    }

    #[test]
    fn verify_each_cancelled_before_start_checks_nothing() {
        let inputs = vec![FileInput {
            display: "x".into(),
            path: PathBuf::from("/nonexistent/x.p7m"),
            content: None,
        }];
        let options = Options {
            trust: TrustStore::new(),
            at: ValidationTime::Now,
            now: time::OffsetDateTime::UNIX_EPOCH,
            keep_content: false,
            revocation: lavoro_agile_verify::RevocationPolicy::IfAvailable,
        };
        let cancel = AtomicBool::new(true);
        let seen = AtomicUsize::new(0);
        let n = verify_each(&inputs, &options, 2, &cancel, |_, _| {
            seen.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!((n, seen.into_inner()), (0, 0));
        cancel.store(false, Ordering::Relaxed);
        let n = verify_each(&inputs, &options, 2, &cancel, |i, o| {
            assert_eq!(i, 0);
            assert_eq!(file_verdict(&o.report), FileVerdict::NotChecked);
        });
        assert_eq!(n, 1);
    }

    #[cfg(unix)]
    #[test]
    fn private_folder_is_readable_only_by_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let dir = private_folder(parent.path()).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "mode {mode:o}");
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

        // One signature's version alone, under the same name pattern (the first is taken).
        let s1 = extract_signed_version(dir.path(), &pdf, &report, "S1")
            .unwrap()
            .unwrap();
        assert_eq!(s1.file_name().unwrap(), "two-signatures (S1) (2).pdf");
        assert_eq!(std::fs::read(&s1).unwrap(), first);
        assert!(extract_signed_version(dir.path(), &pdf, &report, "S9")
            .unwrap()
            .is_none());
    }
}
