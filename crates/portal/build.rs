//! Rebuild when the default portal content changes: it is compiled into the binary.
fn main() {
    println!("cargo:rerun-if-changed=../../resources/portal");
}
