//! Logging for both front doors, through `tracing`.
//!
//! The desktop app writes a daily-rotated file in the platform log folder and a copy to
//! stderr; the CLI writes to stderr only. Nothing ever goes to stdout, which belongs to the
//! CLI's report. The level comes from `LAVORO_AGILE_LOG` (an `EnvFilter` directive such as
//! `debug` or `lavoro_agile=trace`).
//!
//! Values of fields whose name says they are secret (see [`SECRET_FIELDS`]) are replaced by
//! a placeholder whatever their type, a second line of defence behind [`crate::secret::Secret`].
use std::fmt;
use std::path::Path;

use tracing::field::Field;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::EnvFilter;

use crate::secret::REDACTED;
use crate::ApiError;

/// The environment variable that sets the log level.
pub const LOG_ENV: &str = "LAVORO_AGILE_LOG";

/// Field names whose values are never written, whatever they hold.
pub const SECRET_FIELDS: &[&str] = &[
    "password",
    "passphrase",
    "pin",
    "puk",
    "secret",
    "token",
    "private_key",
    "otp",
];

/// File name prefix of the rotated log files (`lavoro-agile.YYYY-MM-DD.log`).
pub const LOG_FILE_PREFIX: &str = "lavoro-agile";

/// How many daily files are kept.
const KEPT_LOG_FILES: usize = 14;

/// Keeps the background log writer alive; drop it last, at exit, to flush the file.
#[must_use = "dropping the guard stops file logging"]
pub struct LogGuard {
    _file: Option<tracing_appender::non_blocking::WorkerGuard>,
}

fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FIELDS
        .iter()
        .any(|s| lower == *s || lower.ends_with(&format!("_{s}")))
}

/// Field formatter that redacts secret-named fields.
fn redacting_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    tracing_subscriber::fmt::format::debug_fn(
        |w: &mut Writer<'_>, field: &Field, value: &dyn fmt::Debug| {
            if is_secret_field(field.name()) {
                write!(w, "{}={}", field.name(), REDACTED)
            } else if field.name() == "message" {
                write!(w, "{value:?}")
            } else {
                write!(w, "{}={:?}", field.name(), value)
            }
        },
    )
    .delimited(" ")
}

fn filter(default_level: &str) -> EnvFilter {
    EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new(default_level))
}

/// A subscriber writing to stderr and, when `logs` is given, to a daily-rotated file there.
pub fn subscriber(
    logs: Option<&Path>,
    default_level: &str,
) -> Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard), ApiError> {
    let (file_layer, guard) = match logs {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| ApiError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(LOG_FILE_PREFIX)
                .filename_suffix("log")
                .max_log_files(KEPT_LOG_FILES)
                .build(dir)
                .map_err(|e| ApiError::Io {
                    path: dir.to_path_buf(),
                    source: std::io::Error::other(e),
                })?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .fmt_fields(redacting_fields());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .fmt_fields(redacting_fields());
    let subscriber = tracing_subscriber::registry()
        .with(filter(default_level))
        .with(stderr_layer)
        .with(file_layer);
    Ok((subscriber, LogGuard { _file: guard }))
}

/// Sets up logging for the desktop app: file in `logs` plus stderr, default level `info`.
pub fn init_app(logs: &Path) -> Result<LogGuard, ApiError> {
    let (sub, guard) = subscriber(Some(logs), "info")?;
    // A second initialisation (tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(sub);
    Ok(guard)
}

/// Sets up logging for the CLI: stderr only, default level `warn`.
pub fn init_cli() {
    if let Ok((sub, _guard)) = subscriber(None, "warn") {
        let _ = tracing::subscriber::set_global_default(sub);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_field_names_match_with_prefixes() {
        assert!(is_secret_field("password"));
        assert!(is_secret_field("vpn_password"));
        assert!(is_secret_field("PIN"));
        assert!(!is_secret_field("pinned"));
        assert!(!is_secret_field("path"));
    }
}
