#!/usr/bin/env bash
# Every test of the project, as CI runs it (`make test`): formatting, licences list, lints,
# the UI unit tests, then one `cargo test` of the whole workspace with the end-to-end tests,
# in a virtual X server and a private D-Bus session.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "licence list is current"
python3 scripts/gen-licenses.py --check
step "UI: type check and unit tests (Vitest)"
(cd ui && npx tsc --noEmit && npx vitest run)
step "UI: production build"
(cd ui && npx vite build --logLevel warn)
step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --features e2e -- -D warnings
step "fuzz targets build (cargo check; running them needs nightly)"
cargo check --quiet --manifest-path fuzz/Cargo.toml --locked
step "cargo test --workspace --features e2e (with the real window under Xvfb)"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" \
  cargo test --workspace --features e2e
step "make release with a throwaway key; the packages as IT checks them (sha256sum, minisign, dpkg -x)"
scripts/test-release.sh
echo
echo "make test: all checks passed in $(( $(date +%s) - start ))s"
