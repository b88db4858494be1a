//! Secrets that scripts hand to the command line through an inherited file descriptor
//! (`--password-fd N`, `--pin-fd N`): never an argument or an environment variable, which
//! other users could read in `/proc`.
//!
//! One reader for every subcommand, so the rules are the same everywhere: at most
//! [`What::max_bytes`] bytes (longer input is refused, never cut), UTF-8, the trailing line
//! break(s) a `echo` or a here-document adds dropped, and the buffer wiped on every error path.

use std::io::Read;
use std::path::PathBuf;

use zeroize::Zeroize;

/// What is being read, for the limits and the messages.
pub(crate) struct What {
    /// The secret's name in Italian, with its article ("la passphrase").
    pub it: &'static str,
    /// The secret's name in English, with its article ("the passphrase").
    pub en: &'static str,
    /// Longest accepted secret, in bytes.
    pub max_bytes: u64,
    /// Whether an empty secret is acceptable (some VPN servers use none).
    pub may_be_empty: bool,
}

/// Why the secret could not be read; the caller turns it into its own failure.
#[derive(Debug)]
pub(crate) struct FdFailure {
    /// The descriptor could not be read (exit status 3) rather than a usage error (64).
    pub unreadable: bool,
    /// Message in Italian.
    pub it: String,
    /// Message in English.
    pub en: String,
}

/// Reads the secret from descriptor `fd` (0 is standard input).
pub(crate) fn read(fd: u32, what: &What) -> Result<String, FdFailure> {
    let path = if fd == 0 {
        PathBuf::from("/dev/stdin")
    } else {
        PathBuf::from(format!("/dev/fd/{fd}"))
    };
    let mut raw = Vec::new();
    let res = std::fs::File::open(&path).and_then(|f| {
        f.take(what.max_bytes.saturating_add(1))
            .read_to_end(&mut raw)
    });
    if res.is_err() {
        raw.zeroize();
        return Err(FdFailure {
            unreadable: true,
            it: format!("Impossibile leggere {} dal descrittore {fd}.", what.it),
            en: format!("Cannot read {} from file descriptor {fd}.", what.en),
        });
    }
    let mut text = String::from_utf8(raw).map_err(|e| {
        e.into_bytes().zeroize();
        usage(
            format!(
                "Il descrittore {fd} non contiene testo UTF-8 ({}).",
                what.it
            ),
            format!(
                "File descriptor {fd} does not hold UTF-8 text ({}).",
                what.en
            ),
        )
    })?;
    let kept = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(kept);
    if text.len() as u64 > what.max_bytes {
        text.zeroize();
        return Err(usage(
            format!(
                "Il descrittore {fd} contiene più di {} byte: troppi per {}.",
                what.max_bytes, what.it
            ),
            format!(
                "File descriptor {fd} holds more than {} bytes: too long for {}.",
                what.max_bytes, what.en
            ),
        ));
    }
    if text.is_empty() && !what.may_be_empty {
        return Err(usage(
            format!("Il descrittore {fd} è vuoto: manca {}.", what.it),
            format!("File descriptor {fd} is empty: {} is missing.", what.en),
        ));
    }
    Ok(text)
}

fn usage(it: String, en: String) -> FdFailure {
    FdFailure {
        unreadable: false,
        it,
        en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;

    const PIN: What = What {
        it: "il PIN",
        en: "the PIN",
        max_bytes: 8,
        may_be_empty: false,
    };

    /// Reads `bytes` through a real descriptor (a temporary file kept open).
    fn through_fd(bytes: &[u8], what: &What) -> Result<String, FdFailure> {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        let f2 = f.try_clone().unwrap();
        // Reading through /dev/fd/N reopens the file from its start.
        read(f2.as_raw_fd() as u32, what)
    }

    #[test]
    fn read_trailing_line_breaks_dropped() {
        assert_eq!(through_fd(b"1234\r\n", &PIN).unwrap(), "1234");
        assert_eq!(through_fd(b"1234\n\n", &PIN).unwrap(), "1234");
        assert_eq!(through_fd(b"12 34", &PIN).unwrap(), "12 34");
    }

    #[test]
    fn read_too_long_refused_not_cut() {
        let e = through_fd(b"123456789", &PIN).unwrap_err();
        assert!(!e.unreadable);
        assert!(e.it.contains("più di 8 byte"), "{}", e.it);
        // The limit counts the secret, not its line break.
        assert_eq!(through_fd(b"12345678\n", &PIN).unwrap(), "12345678");
    }

    #[test]
    fn read_empty_refused_unless_allowed() {
        let e = through_fd(b"\n", &PIN).unwrap_err();
        assert!(e.it.contains("manca il PIN"), "{}", e.it);
        let lax = What {
            may_be_empty: true,
            ..PIN
        };
        assert_eq!(through_fd(b"", &lax).unwrap(), "");
    }

    #[test]
    fn read_not_utf8_refused() {
        let e = through_fd(&[0xff, 0xfe], &PIN).unwrap_err();
        assert!(e.en.contains("UTF-8"), "{}", e.en);
    }

    #[test]
    fn read_closed_descriptor_unreadable() {
        let e = read(987_654, &PIN).unwrap_err();
        assert!(e.unreadable);
        assert!(e.it.contains("Impossibile leggere il PIN"), "{}", e.it);
    }
}
