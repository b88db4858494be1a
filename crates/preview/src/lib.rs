//! Text previews of untrusted PDFs, produced in a child process under memory, CPU and
//! wall-clock limits.
//!
//! The parent calls [`preview_pdf`] with the path of a program that understands
//! [`CHILD_FLAG`] (the app re-executes its own binary and calls [`child_main`] first thing
//! in `main`). The child lowers its own resource limits ([`ChildLimits::apply`]) and only
//! then parses the PDF (`lopdf`), writing its text to standard output. Whatever the file
//! does to the child (a stack overflow on deep nesting, an allocation failure on a
//! decompression bomb, an endless loop, a panic), the parent gets a [`PreviewError`] within
//! the wall-clock limit ([`run_limited`]) and the app stays responsive.
//!
//! This crate must not extract text in the calling process, keep files, or log document
//! text (only sizes and outcomes).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The hidden first argument that makes the program a preview child:
/// `<program> --lavoro-agile-pdf-text-child <file>`.
pub const CHILD_FLAG: &str = "--lavoro-agile-pdf-text-child";

/// Exit code of a child that could not read the file as a PDF.
const EXIT_NOT_A_PDF: u8 = 3;
/// Exit code of a child given bad arguments.
const EXIT_USAGE: u8 = 64;
/// Exit code of a child whose limits could not be applied (it then extracts nothing).
const EXIT_NO_LIMITS: u8 = 5;
/// Exit code of a child whose PDF is encrypted.
const EXIT_ENCRYPTED: u8 = 6;
/// Exit code of a child that could not read the file.
const EXIT_UNREADABLE: u8 = 7;

/// Most pages read for a preview.
pub const MAX_PAGES: usize = 200;
/// Most characters in a preview (the rest is cut, and the preview says so).
pub const MAX_CHARS: usize = 200_000;
/// Largest PDF previewed.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Resource limits the child sets on itself before it reads the file.
#[derive(Debug, Clone, Copy)]
pub struct ChildLimits {
    /// Address space the child may add to what it already maps when it starts (shared
    /// libraries of the app included), in bytes.
    pub memory_budget: u64,
    /// CPU time, in seconds; past it the system stops the child (SIGXCPU, then SIGKILL).
    pub cpu_seconds: u64,
}

impl Default for ChildLimits {
    fn default() -> Self {
        Self {
            memory_budget: 384 << 20,
            cpu_seconds: 10,
        }
    }
}

impl ChildLimits {
    /// Applies the limits to the calling process (meant for the child, first thing).
    /// Limits can only be lowered: a current hard limit below the one asked stays.
    pub fn apply(&self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use rlimit::Resource;
            let lower = |resource: Resource, soft: u64, hard: u64| -> std::io::Result<()> {
                let (_, current_hard) = rlimit::getrlimit(resource)?;
                let hard = hard.min(current_hard);
                rlimit::setrlimit(resource, soft.min(hard), hard)
            };
            let address_space = mapped_bytes()
                .unwrap_or(0)
                .saturating_add(self.memory_budget);
            lower(Resource::AS, address_space, address_space)?;
            lower(
                Resource::CPU,
                self.cpu_seconds,
                self.cpu_seconds.saturating_add(1),
            )?;
        }
        Ok(())
    }
}

/// The address space the process maps now (`VmSize` of `/proc/self/status`), on Linux.
fn mapped_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
    let kib: u64 = line
        .trim_start_matches("VmSize:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// How a limited child ended when it did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// The child could not be started.
    #[error("cannot start the child process: {0}")]
    Spawn(std::io::Error),
    /// The child ran past the wall-clock limit and was killed.
    #[error("the child process ran past {0:?} and was stopped")]
    TimedOut(Duration),
    /// The child wrote more than the output limit and was stopped.
    #[error("the child process wrote more than {0} bytes and was stopped")]
    OutputTooLarge(usize),
    /// The child ended with an error code or was ended by a signal.
    #[error("the child process failed (exit code {code:?}, signal {signal:?})")]
    Failed {
        /// Its exit code, when it exited.
        code: Option<i32>,
        /// The signal that ended it (Unix), when one did.
        signal: Option<i32>,
    },
}

/// Runs `cmd` (standard input closed, standard error discarded) and returns what it wrote
/// to standard output once it exits successfully. It is killed when it runs longer than
/// `wall` or writes more than `max_output` bytes.
pub fn run_limited(
    mut cmd: Command,
    wall: Duration,
    max_output: usize,
) -> Result<Vec<u8>, LimitError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(LimitError::Spawn)?;
    let stdout = child.stdout.take();
    let cap = u64::try_from(max_output)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let overflow = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let overflow_seen = overflow.clone();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout {
            let _ = s.take(cap).read_to_end(&mut out);
        }
        if out.len() > max_output {
            overflow_seen.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        out
    });
    let deadline = Instant::now() + wall;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(LimitError::TimedOut(wall));
            }
            Ok(None) => {
                // Output past the cap: the reader stopped reading; stop the child too.
                if overflow.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(LimitError::OutputTooLarge(max_output));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(LimitError::Spawn(e));
            }
        }
    };
    let status = status?;
    let out = reader.join().unwrap_or_default();
    if out.len() > max_output {
        return Err(LimitError::OutputTooLarge(max_output));
    }
    if status.success() {
        return Ok(out);
    }
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Err(LimitError::Failed {
        code: status.code(),
        signal,
    })
}

/// Why there is no preview, in words for the user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PreviewError {
    /// The file is not a PDF this reader understands.
    #[error("not a readable PDF")]
    NotAPdf,
    /// The PDF is encrypted.
    #[error("the PDF is encrypted")]
    Encrypted,
    /// The file cannot be read (or is too large to preview).
    #[error("the file cannot be read")]
    Unreadable,
    /// Reading the PDF took too much memory or time: it was stopped.
    #[error("the PDF needs too much memory or time: {0}")]
    TooComplex(LimitError),
    /// The preview process could not run or failed otherwise.
    #[error("the preview failed: {0}")]
    Failed(LimitError),
}

impl PreviewError {
    /// A short code for logs and the window.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAPdf => "preview_not_a_pdf",
            Self::Encrypted => "preview_encrypted",
            Self::Unreadable => "preview_unreadable",
            Self::TooComplex(_) => "preview_too_complex",
            Self::Failed(_) => "preview_failed",
        }
    }

    /// The message for the user: Italian (`italian` set) or English.
    pub fn message(&self, italian: bool) -> &'static str {
        let (it, en) = match self {
            Self::NotAPdf => (
                "Il file non è un PDF leggibile: l'anteprima del testo non è disponibile.",
                "The file is not a readable PDF: no text preview is available.",
            ),
            Self::Encrypted => (
                "Il PDF è protetto da password: l'anteprima del testo non è disponibile.",
                "The PDF is password-protected: no text preview is available.",
            ),
            Self::Unreadable => (
                "Il file non si può leggere o è troppo grande per l'anteprima.",
                "The file cannot be read or is too large for a preview.",
            ),
            Self::TooComplex(_) => (
                "Il PDF è troppo complesso: l'anteprima è stata interrotta per non bloccare il computer. Puoi comunque aprire il documento originale.",
                "The PDF is too complex: the preview was stopped so as not to slow the computer down. You can still open the original document.",
            ),
            Self::Failed(_) => (
                "Non è stato possibile produrre l'anteprima del testo di questo PDF.",
                "The text preview of this PDF could not be produced.",
            ),
        };
        if italian {
            it
        } else {
            en
        }
    }
}

/// Wall-clock limit of a preview.
pub const PREVIEW_WALL: Duration = Duration::from_secs(20);

/// Extracts the text of `pdf` in a child process: `program CHILD_FLAG pdf`, where
/// `program` calls [`child_main`] (the app's own binary). Blocks up to `wall`.
pub fn preview_pdf(program: &Path, pdf: &Path, wall: Duration) -> Result<String, PreviewError> {
    let mut cmd = Command::new(program);
    cmd.arg(CHILD_FLAG).arg(pdf);
    // Up to four bytes per character, and a line for the cut notice.
    let out = run_limited(cmd, wall, MAX_CHARS * 4 + 1024).map_err(classify)?;
    let text = String::from_utf8(out).map_err(|_| {
        PreviewError::Failed(LimitError::Failed {
            code: None,
            signal: None,
        })
    })?;
    tracing::info!(chars = text.chars().count(), "PDF text preview produced");
    Ok(text)
}

fn classify(e: LimitError) -> PreviewError {
    match e {
        LimitError::Failed { code: Some(c), .. } if c == i32::from(EXIT_NOT_A_PDF) => {
            PreviewError::NotAPdf
        }
        LimitError::Failed { code: Some(c), .. } if c == i32::from(EXIT_ENCRYPTED) => {
            PreviewError::Encrypted
        }
        LimitError::Failed { code: Some(c), .. } if c == i32::from(EXIT_UNREADABLE) => {
            PreviewError::Unreadable
        }
        // Killed by a signal (memory exhausted: abort; stack overflow: SIGSEGV/SIGABRT;
        // CPU limit: SIGXCPU/SIGKILL), or past the wall clock: the file is too demanding.
        e @ (LimitError::TimedOut(_)
        | LimitError::OutputTooLarge(_)
        | LimitError::Failed {
            signal: Some(_), ..
        }) => PreviewError::TooComplex(e),
        other => PreviewError::Failed(other),
    }
}

/// Why the text could not be extracted (in the child).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// Not a PDF `lopdf` can read.
    #[error("not a readable PDF: {0}")]
    NotAPdf(String),
    /// Encrypted.
    #[error("the PDF is encrypted")]
    Encrypted,
}

/// The text of a PDF: each page's text, pages separated by a blank line, at most
/// [`MAX_PAGES`] pages and [`MAX_CHARS`] characters (a cut says so on its last line).
/// Run it only in a limited child: `lopdf` is not built for hostile input.
pub fn pdf_text(bytes: &[u8]) -> Result<String, TextError> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| TextError::NotAPdf(e.to_string()))?;
    if doc.is_encrypted() {
        return Err(TextError::Encrypted);
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut text = String::new();
    let mut cut = pages.len() > MAX_PAGES;
    for n in pages.iter().take(MAX_PAGES) {
        // A page whose text cannot be decoded is left out; the others still show.
        let Ok(page) = doc.extract_text(&[*n]) else {
            continue;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(page.trim_end());
        text.push('\n');
        if text.chars().count() > MAX_CHARS {
            text = text.chars().take(MAX_CHARS).collect();
            cut = true;
            break;
        }
    }
    if cut {
        text.push_str("\n[…]\n");
    }
    Ok(text)
}

/// For `main`: when the arguments start with [`CHILD_FLAG`], runs as a preview child (limits
/// first, then extraction of the file named next, text to standard output) and returns its
/// exit code; otherwise `None` and the program goes on as usual.
pub fn child_main(mut args: impl Iterator<Item = std::ffi::OsString>) -> Option<ExitCode> {
    let _program = args.next();
    if args.next()? != CHILD_FLAG {
        return None;
    }
    let (Some(path), None) = (args.next(), args.next()) else {
        return Some(ExitCode::from(EXIT_USAGE));
    };
    Some(run_child(Path::new(&path), &ChildLimits::default()))
}

/// The child's work: applies `limits`, reads `path`, writes its text to standard output.
pub fn run_child(path: &Path, limits: &ChildLimits) -> ExitCode {
    use std::io::Write;
    if limits.apply().is_err() {
        return ExitCode::from(EXIT_NO_LIMITS);
    }
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() <= MAX_FILE_BYTES => match std::fs::read(path) {
            Ok(b) => b,
            Err(_) => return ExitCode::from(EXIT_UNREADABLE),
        },
        _ => return ExitCode::from(EXIT_UNREADABLE),
    };
    match pdf_text(&bytes) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExitCode::from(EXIT_UNREADABLE);
            }
            ExitCode::SUCCESS
        }
        Err(TextError::Encrypted) => ExitCode::from(EXIT_ENCRYPTED),
        Err(TextError::NotAPdf(_)) => ExitCode::from(EXIT_NOT_A_PDF),
    }
}

/// Hostile inputs for tests (of this crate and of the app), built in memory.
#[doc(hidden)]
pub mod testing {
    /// A zlib stream that inflates to `1 + 258 * copies` zero bytes: one fixed-Huffman
    /// block of a literal zero and `copies` back-references of length 258 at distance 1
    /// (13 bits per 258 bytes), so about 1 GiB costs under 7 MB and no compression time.
    pub fn zlib_zero_bomb(copies: usize) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u64,
            n: u32,
        }
        impl Bits {
            fn put(&mut self, value: u64, bits: u32) {
                self.acc |= value << self.n;
                self.n += bits;
                while self.n >= 8 {
                    self.out.push((self.acc & 0xff) as u8);
                    self.acc >>= 8;
                    self.n -= 8;
                }
            }
            /// A Huffman code: most significant bit first.
            fn code(&mut self, code: u64, len: u32) {
                let reversed = (0..len).fold(0, |r, i| (r << 1) | ((code >> i) & 1));
                self.put(reversed, len);
            }
        }
        let mut b = Bits {
            out: vec![0x78, 0x01],
            acc: 0,
            n: 0,
        };
        b.put(1, 1); // last block
        b.put(1, 2); // fixed Huffman codes
        b.code(0x30, 8); // literal 0
        for _ in 0..copies {
            b.code(0xC5, 8); // length 258 (code 285)
            b.put(0, 5); // distance 1 (code 0)
        }
        b.code(0, 7); // end of block
        if b.n > 0 {
            b.put(0, 8 - b.n);
        }
        // Adler-32 of zeros: a stays 1, b grows by 1 per byte.
        let len = 1 + 258 * copies as u64;
        let adler_b = (len % 65_521) as u32;
        let mut out = b.out;
        out.extend_from_slice(&((adler_b << 16) | 1).to_be_bytes());
        out
    }
}
