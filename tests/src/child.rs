//! Test halves that must run in another process, with an environment the test process keeps
//! out of its own (a private D-Bus bus, a keyring, credentials): the test binary runs itself
//! again for one ignored test.

use std::process::Command;

/// Runs the ignored test `name` of the current test binary with `env` plus `marker=1` (the
/// child half checks the marker, so it never runs by itself), returning whether it passed
/// and its output (stdout then stderr).
pub fn run_ignored_test(name: &str, marker: &str, env: &[(&str, String)]) -> (bool, String) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return (false, format!("the test binary's path: {e}")),
    };
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        name,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(marker, "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    match cmd.output() {
        Ok(out) => (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ),
        Err(e) => (false, format!("running {name}: {e}")),
    }
}
