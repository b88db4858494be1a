//! Random access to the bytes of a PDF: a slice in memory or a file read in windows, so a
//! large file is never loaded whole.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Mutex;

use crate::Error;

/// Bytes that can be read at any offset.
pub trait Source {
    /// Total length.
    fn len(&self) -> u64;
    /// Whether the source is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads up to `len` bytes at `offset` (fewer at the end of the source).
    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, Error>;
}

/// Bytes already in memory.
#[derive(Debug, Clone, Copy)]
pub struct SliceSource<'a>(pub &'a [u8]);

impl Source for SliceSource<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, Error> {
        let start = usize::try_from(offset).map_err(|_| Error::Io("offset".to_owned()))?;
        let start = start.min(self.0.len());
        let end = start.saturating_add(len).min(self.0.len());
        Ok(self.0.get(start..end).unwrap_or_default().to_vec())
    }
}

/// A file read in windows.
#[derive(Debug)]
pub struct FileSource {
    file: Mutex<File>,
    len: u64,
}

impl FileSource {
    /// Opens a file for reading.
    pub fn open(path: &std::path::Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(|e| Error::Io(e.to_string()))?;
        let len = file.metadata().map_err(|e| Error::Io(e.to_string()))?.len();
        Ok(Self {
            file: Mutex::new(file),
            len,
        })
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, Error> {
        let want = (len as u64).min(self.len.saturating_sub(offset));
        let mut buf = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
        let mut f = self
            .file
            .lock()
            .map_err(|_| Error::Io("file lock poisoned".to_owned()))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::Io(e.to_string()))?;
        (&mut *f)
            .take(want)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io(e.to_string()))?;
        Ok(buf)
    }
}

/// Feeds the bytes `[start, end)` of `source` to `f` in chunks of at most 1 MiB.
pub fn for_each_chunk(
    source: &dyn Source,
    start: u64,
    end: u64,
    f: &mut dyn FnMut(&[u8]),
) -> Result<(), Error> {
    const CHUNK: u64 = 1 << 20;
    let mut at = start;
    while at < end {
        let n = (end - at).min(CHUNK);
        let buf = source.read_at(at, usize::try_from(n).unwrap_or(0))?;
        if buf.is_empty() {
            return Err(Error::Io("unexpected end of file".to_owned()));
        }
        f(&buf);
        at += buf.len() as u64;
    }
    Ok(())
}
