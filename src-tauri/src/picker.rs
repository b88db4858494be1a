//! Choosing a file. The native dialog cannot be driven by WebDriver, so the choice goes
//! through a trait: the real implementation opens the system dialog; with the test-only
//! `e2e` feature a stand-in answers with the path written in the file named by
//! `LAVORO_AGILE_E2E_PICK_FILE` (an empty file means "cancelled"), for opening and for
//! saving alike; where several paths may be chosen, it answers with one path per line.
use std::path::PathBuf;

use tauri::AppHandle;

/// What the user is asked to pick.
#[derive(Debug, Clone, Copy)]
pub enum PickKind {
    /// A signed pack (`.pack`), whose `.minisig` sits beside it.
    Pack,
    /// An app update: `latest.json` or the package beside it.
    Update,
    /// A VPN profile (`.ovpn`, or `.conf` for OpenVPN and WireGuard).
    VpnProfile,
}

/// Picks one file, or `None` when the user cancels.
pub trait FilePicker: Send + Sync {
    /// Blocks until the user has chosen; call it off the main thread.
    fn pick(&self, app: &AppHandle, kind: PickKind, title: &str) -> Option<PathBuf>;

    /// Asks where to save a file, suggesting `file_name`; `None` when the user cancels.
    /// Blocks like [`FilePicker::pick`].
    fn save(&self, app: &AppHandle, title: &str, file_name: &str) -> Option<PathBuf>;

    /// Picks one or more signed files, or one folder when `folder` is set; `None` when the
    /// user cancels. Blocks like [`FilePicker::pick`].
    fn pick_signed(&self, app: &AppHandle, title: &str, folder: bool) -> Option<Vec<PathBuf>>;

    /// Picks one or more files of any kind to sign; `None` when the user cancels. Blocks
    /// like [`FilePicker::pick`].
    fn pick_to_sign(&self, app: &AppHandle, title: &str) -> Option<Vec<PathBuf>>;

    /// Picks a folder to write into; `None` when the user cancels. Blocks like
    /// [`FilePicker::pick`].
    fn pick_folder(&self, app: &AppHandle, title: &str) -> Option<PathBuf>;
}

/// The system's file dialog.
#[cfg_attr(feature = "e2e", allow(dead_code))]
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick(&self, app: &AppHandle, kind: PickKind, title: &str) -> Option<PathBuf> {
        use tauri_plugin_dialog::DialogExt;
        let dialog = app.dialog().file().set_title(title);
        let dialog = match kind {
            PickKind::Pack => dialog.add_filter("Pacchetto Lavoro Agile", &["pack"]),
            PickKind::Update => dialog.add_filter(
                "Aggiornamento Lavoro Agile",
                &["json", "deb", "rpm", "exe", "msi", "gz"],
            ),
            PickKind::VpnProfile => dialog.add_filter("Profilo VPN", &["ovpn", "conf"]),
        };
        dialog.blocking_pick_file()?.into_path().ok()
    }

    fn save(&self, app: &AppHandle, title: &str, file_name: &str) -> Option<PathBuf> {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .set_title(title)
            .set_file_name(file_name)
            .blocking_save_file()?
            .into_path()
            .ok()
    }

    fn pick_signed(&self, app: &AppHandle, title: &str, folder: bool) -> Option<Vec<PathBuf>> {
        use tauri_plugin_dialog::DialogExt;
        let dialog = app.dialog().file().set_title(title);
        if folder {
            return Some(vec![dialog.blocking_pick_folder()?.into_path().ok()?]);
        }
        let picked = dialog
            .add_filter(
                "Documenti firmati",
                &["p7m", "p7s", "tsd", "m7m", "pdf", "tst", "tsr", "sig"],
            )
            .add_filter("Tutti i file", &["*"])
            .blocking_pick_files()?;
        Some(
            picked
                .into_iter()
                .filter_map(|p| p.into_path().ok())
                .collect(),
        )
    }

    fn pick_to_sign(&self, app: &AppHandle, title: &str) -> Option<Vec<PathBuf>> {
        use tauri_plugin_dialog::DialogExt;
        let picked = app
            .dialog()
            .file()
            .set_title(title)
            .add_filter("Tutti i file", &["*"])
            .add_filter("PDF", &["pdf"])
            .add_filter("Documenti firmati", &["p7m", "p7s"])
            .blocking_pick_files()?;
        Some(
            picked
                .into_iter()
                .filter_map(|p| p.into_path().ok())
                .collect(),
        )
    }

    fn pick_folder(&self, app: &AppHandle, title: &str) -> Option<PathBuf> {
        use tauri_plugin_dialog::DialogExt;
        app.dialog()
            .file()
            .set_title(title)
            .blocking_pick_folder()?
            .into_path()
            .ok()
    }
}

/// Test-only stand-in for the dialog (see the module documentation).
#[cfg(feature = "e2e")]
pub struct StandInPicker;

#[cfg(feature = "e2e")]
impl FilePicker for StandInPicker {
    fn pick(&self, _app: &AppHandle, _kind: PickKind, _title: &str) -> Option<PathBuf> {
        Self::answer()
    }

    fn save(&self, _app: &AppHandle, _title: &str, _file_name: &str) -> Option<PathBuf> {
        Self::answer()
    }

    fn pick_signed(&self, _app: &AppHandle, _title: &str, _folder: bool) -> Option<Vec<PathBuf>> {
        Self::answers()
    }

    fn pick_to_sign(&self, _app: &AppHandle, _title: &str) -> Option<Vec<PathBuf>> {
        Self::answers()
    }

    fn pick_folder(&self, _app: &AppHandle, _title: &str) -> Option<PathBuf> {
        Self::answer()
    }
}

#[cfg(feature = "e2e")]
impl StandInPicker {
    fn answers() -> Option<Vec<PathBuf>> {
        let answer_file = std::env::var_os("LAVORO_AGILE_E2E_PICK_FILE")?;
        let answer = std::fs::read_to_string(answer_file).ok()?;
        let paths: Vec<PathBuf> = answer
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect();
        (!paths.is_empty()).then_some(paths)
    }

    fn answer() -> Option<PathBuf> {
        let answer_file = std::env::var_os("LAVORO_AGILE_E2E_PICK_FILE")?;
        let answer = std::fs::read_to_string(answer_file).ok()?;
        let answer = answer.trim();
        (!answer.is_empty()).then(|| PathBuf::from(answer))
    }
}

/// The picker for this build.
pub fn default_picker() -> Box<dyn FilePicker> {
    #[cfg(feature = "e2e")]
    {
        Box::new(StandInPicker)
    }
    #[cfg(not(feature = "e2e"))]
    {
        Box::new(NativePicker)
    }
}
