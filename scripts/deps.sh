#!/usr/bin/env bash
# Installs what `make run` and `make test` need on Debian 12 / Ubuntu, and only what is
# missing: Debian packages, the UI's npm dependencies, tauri-driver. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages: building the app (WebKitGTK), running it headless (Xvfb, D-Bus),
# driving it (WebKitWebDriver). Later features append theirs here.
APT_PACKAGES=(
  build-essential pkg-config file
  libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev
  xvfb xauth dbus dbus-bin webkit2gtk-driver
)
# Extra packages listed by feature work (one name per line, # for comments).
if [ -f scripts/apt-packages.txt ]; then
  while read -r p; do
    p=${p%%#*}; p=${p// /}
    [ -n "$p" ] && APT_PACKAGES+=("$p")
  done < scripts/apt-packages.txt
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: Debian packages present"
fi

# Rust toolchain (rustup) with rustfmt and clippy.
if ! command -v cargo >/dev/null; then
  echo "deps: cargo is missing. Install Rust with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    echo "deps: adding the Rust component $c"
    rustup component add "$c"
  fi
done

# Node.js 20.19 or newer (Vite 7).
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; then
  echo "deps: Node.js 20.19 or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# The UI's npm dependencies, exactly as locked.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "deps: installing the UI's npm dependencies (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "deps: npm dependencies present"
fi

# tauri-driver, the WebDriver front for the end-to-end tests.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
if ! command -v tauri-driver >/dev/null && [ ! -x "$CARGO_BIN/tauri-driver" ]; then
  echo "deps: installing tauri-driver (cargo install, about a minute)"
  cargo install tauri-driver --locked --version '^2'
else
  echo "deps: tauri-driver present"
fi

# pyHanko, the second PDF peer of the signing tests and of bench/verify-pdf-vs-peers.sh, from
# PyPI in a venv under target/ (pinned: its output format is what the tests read).
PYHANKO_VENV="${PYHANKO_VENV:-target/bench-pyhanko}"
# A venv only works where it was made (its scripts name their interpreter by absolute
# path): one that does not run, e.g. in a target folder moved from elsewhere, is made anew.
if ! "$PYHANKO_VENV/bin/pyhanko" --version >/dev/null 2>&1; then
  echo "deps: installing pyHanko into $PYHANKO_VENV (pip)"
  rm -rf "$PYHANKO_VENV"
  python3 -m venv "$PYHANKO_VENV"
  "$PYHANKO_VENV/bin/pip" install -q --disable-pip-version-check \
    'pyHanko==0.38.0' 'pyhanko-certvalidator==0.33.0' 'pyhanko-cli==0.6.0'
else
  echo "deps: pyHanko present"
fi
