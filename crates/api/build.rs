//! Records which commit the binary was built from, for the "Informazioni" view and
//! `--version`. Outside a git checkout (a source tarball) both values read "unknown".
use std::process::Command;

fn main() {
    let out = Command::new("git")
        .args(["log", "-1", "--format=%h %ct"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let mut parts = out.split_whitespace();
    let commit = parts.next().unwrap_or("unknown").to_owned();
    let time = parts.next().unwrap_or("").to_owned();
    println!("cargo:rustc-env=LAVORO_AGILE_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=LAVORO_AGILE_BUILD_TIME={time}");
    // Rebuild when HEAD moves; these files may not exist outside a checkout.
    for f in ["../../.git/HEAD", "../../.git/refs/heads"] {
        if std::path::Path::new(f).exists() {
            println!("cargo:rerun-if-changed={f}");
        }
    }
}
