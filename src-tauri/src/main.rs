//! The `lavoro-agile` desktop binary.
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    lavoro_agile_lib::run()
}
