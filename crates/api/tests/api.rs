//! Integration tests of the api crate.
//!
//! Modules:
//! - `logging`: what reaches the log file, and what never does.
//! - `app_update`: app update configuration, manifest, offline updates and their refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod app_update;

mod logging {
    use lavoro_agile_api::logging::subscriber;
    use lavoro_agile_api::secret::{Secret, REDACTED};

    fn log_text(dir: &std::path::Path) -> String {
        let mut text = String::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            text.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
        text
    }

    #[test]
    fn log_file_secret_values_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let (sub, guard) = subscriber(Some(dir.path()), "debug").unwrap();
        let pin = Secret::new("pin-493817".to_owned());
        tracing::subscriber::with_default(sub, || {
            tracing::info!(file = "profilo.ovpn", "import started");
            // A Secret, however it is formatted.
            tracing::info!(credential = ?pin, shown = %pin, "credential stored");
            tracing::info!("inline {pin} and {pin:?}");
            // A plain string in a field whose name says it is secret.
            tracing::warn!(password = "correct-horse-battery", vpn_password = %"hunter2-xyz", "login");
            tracing::debug!(token = ?"tok-5550123", "refresh");
        });
        drop(guard); // flushes the background writer
        let text = log_text(dir.path());
        assert!(
            text.contains("import started"),
            "log file is missing lines: {text}"
        );
        assert!(text.contains("profilo.ovpn"));
        assert!(text.contains(REDACTED));
        for secret in [
            "pin-493817",
            "correct-horse-battery",
            "hunter2-xyz",
            "tok-5550123",
        ] {
            assert!(!text.contains(secret), "{secret} reached the log:\n{text}");
        }
    }

    #[test]
    fn log_file_is_named_by_day_in_the_given_folder() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("nested").join("logs");
        let (sub, guard) = subscriber(Some(&logs), "info").unwrap();
        tracing::subscriber::with_default(sub, || tracing::info!("hello"));
        drop(guard);
        let names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let name = &names[0];
        assert!(
            name.starts_with("lavoro-agile.") && name.ends_with(".log"),
            "{name}"
        );
    }
}
