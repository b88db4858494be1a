//! A wrapper for values that must never be printed: passwords, PINs, tokens.
//!
//! Its `Debug` and `Display` print a fixed placeholder, it has no `Serialize`, and its
//! memory is zeroed when dropped, so it cannot reach a log line, an IPC message or a file
//! by accident.
use std::fmt;

use zeroize::Zeroize;

/// The text that stands in for a secret wherever it would be printed.
pub const REDACTED: &str = "[redatto]";

/// A secret string. Read it only with [`Secret::expose`], at the one place that needs it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself; call it only where the secret is handed to its consumer.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_and_display_are_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(s.expose(), "hunter2");
    }
}
