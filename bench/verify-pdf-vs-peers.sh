#!/usr/bin/env bash
# Whole-process comparison, in one run, on the same large signed PDF: our verifier
# (release build) against `openssl dgst -sha256` (the floor: reading and hashing the file
# once), `pdfsig` (poppler-utils) and pyHanko (`pyhanko sign validate`, from PyPI in a
# venv). Each tool runs RUNS times; the best wall time and the peak RSS (/usr/bin/time) are
# kept. Prints seconds, MiB and the ratios to openssl. The file is made by
# bench/make-large-pdf.py (SIZE_MB, default 200) unless PDF is given.
#
#   bench/verify-vs-peers.sh                      # builds, generates, measures
#   PDF=/path/signed.pdf TRUST=/path/signer.pem bench/verify-vs-peers.sh
#
# Needs: python3 with cryptography, openssl, /usr/bin/time, pdfsig (apt: poppler-utils),
# pyHanko in a venv (PYHANKO_VENV, default target/bench-pyhanko; created with
# `python3 -m venv` and `pip install pyhanko pyhanko-cli` if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-200}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p lavoro-agile-cli
CLI="$ROOT/target/release/lavoro-agile-cli"

if [ -z "${PDF:-}" ]; then
  PDF="$WORK/large.pdf"
  TRUST=$(python3 bench/make-large-pdf.py "$PDF" "$SIZE_MB")
fi
TRUST=${TRUST:-}

VENV=${PYHANKO_VENV:-$ROOT/target/bench-pyhanko}
if [ ! -x "$VENV/bin/pyhanko" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'pyHanko==0.38.0' 'pyhanko-certvalidator==0.33.0' 'pyhanko-cli==0.6.0'
fi

# best wall seconds and peak RSS KiB over RUNS runs of "$@" (exit status ignored: a verifier
# may exit non-zero for an untrusted signature).
measure() {
  local best="" rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" >/dev/null 2>&1 || true
    read -r s k < "$WORK/t"
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
    [ "$k" -gt "$rss" ] && rss=$k
  done
  echo "$best $rss"
}

trust_args=()
[ -n "$TRUST" ] && trust_args=(--trust "$TRUST")
cat "$PDF" > /dev/null  # warm the page cache for everyone

read -r t_ssl m_ssl < <(measure openssl dgst -sha256 "$PDF")
read -r t_us m_us < <(measure "$CLI" verify --format json "${trust_args[@]}" "$PDF")
read -r t_pdfsig m_pdfsig < <(measure pdfsig "$PDF")
pyh_args=()
[ -n "$TRUST" ] && pyh_args=(--trust "$TRUST")
read -r t_pyh m_pyh < <(measure "$VENV/bin/pyhanko" sign validate "${pyh_args[@]}" "$PDF")

size=$(stat -c %s "$PDF")
awk -v size="$size" \
    -v ts="$t_ssl" -v ms="$m_ssl" -v tu="$t_us" -v mu="$m_us" \
    -v tp="$t_pdfsig" -v mp="$m_pdfsig" -v ty="$t_pyh" -v my="$m_pyh" 'BEGIN {
  printf "file: %.1f MiB\n", size / 1048576
  printf "%-26s %8s %10s %14s\n", "tool", "wall s", "peak MiB", "time / openssl"
  printf "%-26s %8.2f %10.1f %14.2f\n", "openssl dgst -sha256", ts, ms/1024, 1
  printf "%-26s %8.2f %10.1f %14.2f\n", "lavoro-agile-cli verify", tu, mu/1024, tu/ts
  printf "%-26s %8.2f %10.1f %14.2f\n", "pdfsig", tp, mp/1024, tp/ts
  printf "%-26s %8.2f %10.1f %14.2f\n", "pyhanko sign validate", ty, my/1024, ty/ts
  printf "ours vs pdfsig: %.2f, ours vs pyHanko: %.2f\n", tu/tp, tu/ty
}'
