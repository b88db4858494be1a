//! Where a signed file goes: beside the original, under a name that does not exist yet.
//! Nothing is ever overwritten: the file is created with `create_new`, so even a name
//! taken between the check and the write is refused rather than replaced.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Error;

/// What was made, which decides the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// A new attached envelope: `name.ext.p7m`; also a nested envelope around a `.p7m`.
    Attached,
    /// A detached signature: `name.ext.p7s`.
    Detached,
    /// The same envelope with one more signature: `name (2).p7m` beside `name.p7m`.
    Revised,
}

/// Most numbered names tried before giving up.
const MAX_NUMBER: u32 = 999;

/// Splits `"a.pdf (2)"` into `("a.pdf", Some(2))`.
fn numbered(stem: &str) -> (&str, Option<u32>) {
    if let Some(open) = stem.rfind(" (") {
        if let (Some(inner), true) = (stem.get(open + 2..stem.len() - 1), stem.ends_with(')')) {
            if let Ok(n) = inner.parse::<u32>() {
                return (stem.get(..open).unwrap_or(stem), Some(n));
            }
        }
    }
    (stem, None)
}

/// The first free name for the output of signing `input`; `exists` is a parameter for
/// tests.
pub fn output_path(
    input: &Path,
    kind: Output,
    exists: &dyn Fn(&Path) -> bool,
) -> Result<PathBuf, Error> {
    let file_name = input
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Io("file name is not valid text".to_owned()))?;
    let (base, ext, start) = match kind {
        Output::Attached => (file_name.to_owned(), ".p7m".to_owned(), None),
        Output::Detached => (file_name.to_owned(), ".p7s".to_owned(), None),
        Output::Revised => {
            let (stem, ext) = match file_name.rfind('.') {
                Some(dot) if dot > 0 => (
                    file_name.get(..dot).unwrap_or(file_name),
                    file_name.get(dot..).unwrap_or(""),
                ),
                _ => (file_name, ""),
            };
            let (stem, n) = numbered(stem);
            (stem.to_owned(), ext.to_owned(), Some(n.unwrap_or(1) + 1))
        }
    };
    let dir = input.parent().unwrap_or(Path::new(""));
    if start.is_none() {
        let plain = dir.join(format!("{base}{ext}"));
        if !exists(&plain) {
            return Ok(plain);
        }
    }
    for n in start.unwrap_or(2)..=MAX_NUMBER {
        let candidate = dir.join(format!("{base} ({n}){ext}"));
        if !exists(&candidate) {
            return Ok(candidate);
        }
    }
    Err(Error::Io("no free output name".to_owned()))
}

/// Writes `bytes` to a new file at `path`; fails if it exists.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::Io(e.to_string()))?;
    if let Err(e) = f.write_all(bytes).and_then(|()| f.sync_all()) {
        let _ = std::fs::remove_file(path);
        return Err(Error::Io(e.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_revised_is_numbered_beside_original() {
        let none = |_: &Path| false;
        let p = output_path(Path::new("/d/atto.pdf.p7m"), Output::Revised, &none).unwrap();
        assert_eq!(p, Path::new("/d/atto.pdf (2).p7m"));
        let p = output_path(Path::new("/d/atto.pdf (2).p7m"), Output::Revised, &none).unwrap();
        assert_eq!(p, Path::new("/d/atto.pdf (3).p7m"));
        let taken = |p: &Path| p == Path::new("/d/atto.pdf (2).p7m");
        let p = output_path(Path::new("/d/atto.pdf.p7m"), Output::Revised, &taken).unwrap();
        assert_eq!(p, Path::new("/d/atto.pdf (3).p7m"));
    }

    #[test]
    fn output_attached_appends_p7m_and_avoids_existing() {
        let none = |_: &Path| false;
        let p = output_path(Path::new("a.txt"), Output::Attached, &none).unwrap();
        assert_eq!(p, Path::new("a.txt.p7m"));
        let taken = |p: &Path| p == Path::new("a.txt.p7s");
        let p = output_path(Path::new("a.txt"), Output::Detached, &taken).unwrap();
        assert_eq!(p, Path::new("a.txt (2).p7s"));
    }

    #[test]
    fn write_new_existing_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        write_new(&p, b"one").unwrap();
        assert!(write_new(&p, b"two").is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
    }
}
