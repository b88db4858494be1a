//! The CLI's contract, tested through the binary.
//!
//! Modules:
//! - `basics`: help, version, usage errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod basics {
    use std::process::Command;

    fn cli() -> Command {
        Command::new(env!("CARGO_BIN_EXE_lavoro-agile-cli"))
    }

    #[test]
    fn help_exits_zero_and_prints_usage_on_stdout() {
        let out = cli().arg("--help").output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: lavoro-agile-cli"));
    }

    #[test]
    fn version_exits_zero_and_names_the_version() {
        let out = cli().arg("--version").output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("lavoro-agile-cli "), "{text}");
        assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
    }

    #[test]
    fn unknown_flag_exits_64_with_message_on_stderr() {
        let out = cli().arg("--no-such-flag").output().unwrap();
        assert_eq!(out.status.code(), Some(64));
        assert!(out.stdout.is_empty());
        assert!(!out.stderr.is_empty());
    }

    #[test]
    fn missing_subcommand_exits_64() {
        let out = cli().output().unwrap();
        assert_eq!(out.status.code(), Some(64));
    }

    #[test]
    fn unknown_subcommand_exits_64() {
        let out = cli().arg("frobnicate").output().unwrap();
        assert_eq!(out.status.code(), Some(64));
    }

    #[test]
    fn paths_follow_xdg_variables() {
        let dir = tempfile::tempdir().unwrap();
        let out = cli()
            .arg("paths")
            .env("XDG_CONFIG_HOME", dir.path().join("c"))
            .env("XDG_DATA_HOME", dir.path().join("d"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!(
                "config\t{}",
                dir.path().join("c/lavoro-agile").display()
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "logs\t{}",
                dir.path().join("d/lavoro-agile/logs").display()
            )),
            "{text}"
        );
    }
}
