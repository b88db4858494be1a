//! Generates the Tauri context and the permissions of the app's own commands. Listing the
//! commands here makes every command that a window's capability does not allow refused.

/// The app's commands; keep in sync with `generate_handler!` in `src/lib.rs` (a command
/// missing here cannot be allowed by a capability, so the end-to-end tests catch it).
const COMMANDS: &[&str] = &[
    "settings_get",
    "settings_set_language",
    "settings_set_online_revocation",
    "app_info",
    "packs_status",
    "packs_install_pick",
    "packs_check_now",
    "portal_list",
    "portal_page",
    "portal_search",
    "portal_news",
    "portal_status",
    "portal_open_external",
    "portal_attachment_save",
    "portal_assessment",
    "portal_assessment_submit",
    "portal_assessment_forget",
    "update_status",
    "update_check",
    "update_open_file",
    "update_pending",
    "update_install",
    "update_restart",
    "vpn_list",
    "vpn_import_pick",
    "vpn_import_path",
    "vpn_launch_files",
    "vpn_remove",
    "vpn_credentials_set",
    "vpn_credentials_forget",
    "vpn_connect",
    "vpn_disconnect",
    "vpn_status",
    "vpn_challenge_answer",
    "verify_pick",
    "verify_take_open_args",
    "verify_start",
    "verify_cancel",
    "verify_original",
    "verify_export",
    "verify_preview",
    "sign_tokens",
    "sign_pick",
    "sign_settings_set",
    "sign_run",
    "sign_reveal",
];

#[allow(clippy::expect_used)] // a build script reports failure by panicking
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
