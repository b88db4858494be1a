#!/usr/bin/env bash
# Idle memory of Lavoro Agile next to an empty Tauri 2 window, measured the same way in one
# run: each app starts under Xvfb with fresh XDG folders, idles 15 s, then the PSS of its
# process and all its descendants (the WebKit web and network processes) is summed from
# /proc/PID/smaps_rollup. Both are release builds. Prints MiB and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

(cd ui && npx vite build --logLevel warn)
cargo build --release -p lavoro-agile
(cd bench/empty-tauri && CARGO_TARGET_DIR="$ROOT/target/bench-empty" cargo build --release -q)

descendants() { local p=$1; echo "$p"; for c in $(pgrep -P "$p"); do descendants "$c"; done; }
pss_kib() {
  local total=0
  for p in $(descendants "$1"); do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
measure() {
  local bin=$1 home
  home=$(mktemp -d)
  XDG_CONFIG_HOME=$home/c XDG_DATA_HOME=$home/d XDG_CACHE_HOME=$home/k \
    dbus-run-session -- xvfb-run -a "$bin" >/dev/null 2>&1 &
  local wrapper=$!
  sleep 15
  local app
  app=$(pgrep -n -f "^$bin\$" || true)
  local kib=0
  [ -n "$app" ] && kib=$(pss_kib "$app")
  kill "$wrapper" 2>/dev/null || true
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  wait "$wrapper" 2>/dev/null || true
  # A document portal started on the private bus may still hold a mount under the cache.
  fusermount -u "$home/k/doc" 2>/dev/null || true
  rm -rf "$home" 2>/dev/null || true
  echo "$kib"
}

ours=$(measure "$ROOT/target/release/lavoro-agile")
empty=$(measure "$ROOT/target/bench-empty/release/empty-tauri")
awk -v a="$ours" -v b="$empty" 'BEGIN {
  printf "idle PSS (app + WebKit processes): lavoro-agile %.1f MiB, empty Tauri 2 window %.1f MiB, ratio %.2f\n", a/1024, b/1024, (b > 0 ? a/b : 0)
}'
