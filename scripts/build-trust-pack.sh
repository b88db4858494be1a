#!/usr/bin/env bash
# Builds the signed `trust` pack of a release from the official EU LOTL and AgID's TSL-IT.
# See resources/trust/README.md for what is checked and why.
#
#   scripts/build-trust-pack.sh --version N --key KEY --lotl-signer-sha256 HEX [...] \
#       --out DIR [--from DIR] [--at TIME] [--cli PATH]
#
#   --version N             pack version (higher than any trust pack published before)
#   --key KEY               IT's pack secret key (scope includes `trust`); its passphrase,
#                           if any, is read from file descriptor 3 when open
#   --lotl-signer-sha256 H  SHA-256 of a LOTL-signing certificate from the current Official
#                           Journal notice; repeatable, at least one
#   --out DIR               where trust-vN.pack and its .minisig are written
#   --from DIR              offline: take DIR/eu-lotl.xml and DIR/TSL-IT.xml, download nothing
#   --at TIME               check the lists as of TIME (RFC 3339) instead of now (tests)
#   --created TIME          pack creation date (default: SOURCE_DATE_EPOCH, else now)
#   --cli PATH              the lavoro-agile-cli to use (default: target/release, then PATH)
set -euo pipefail

LOTL_URL="https://ec.europa.eu/tools/lotl/eu-lotl.xml"
TSL_IT_URL="https://eidas.agid.gov.it/TL/TSL-IT.xml"

fail() { echo "build-trust-pack: $*" >&2; exit 1; }

version="" key="" out="" from="" at="" created="" cli=""
pins=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:-}"; shift 2 ;;
    --key) key="${2:-}"; shift 2 ;;
    --lotl-signer-sha256) pins+=("${2:-}"); shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    --from) from="${2:-}"; shift 2 ;;
    --at) at="${2:-}"; shift 2 ;;
    --created) created="${2:-}"; shift 2 ;;
    --cli) cli="${2:-}"; shift 2 ;;
    *) fail "unknown argument: $1" ;;
  esac
done
[ -n "$version" ] || fail "--version is required"
[ -n "$key" ] || fail "--key is required"
[ -f "$key" ] || fail "the key file $key does not exist"
[ -n "$out" ] || fail "--out is required"
[ "${#pins[@]}" -gt 0 ] || fail "at least one --lotl-signer-sha256 (from the Official Journal) is required"

if [ -z "$cli" ]; then
  root="$(cd "$(dirname "$0")/.." && pwd -P)"
  if [ -x "$root/target/release/lavoro-agile-cli" ]; then
    cli="$root/target/release/lavoro-agile-cli"
  else
    cli="$(command -v lavoro-agile-cli)" || fail "lavoro-agile-cli not found; pass --cli PATH"
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Download (or take the given files).
if [ -n "$from" ]; then
  lotl="$from/eu-lotl.xml"
  tsl="$from/TSL-IT.xml"
  [ -f "$lotl" ] || fail "$lotl does not exist"
  [ -f "$tsl" ] || fail "$tsl does not exist"
else
  lotl="$work/eu-lotl.xml"
  tsl="$work/TSL-IT.xml"
  curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location \
    --max-filesize 67108864 -o "$lotl" "$LOTL_URL"
  curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location \
    --max-filesize 67108864 -o "$tsl" "$TSL_IT_URL"
fi

# 2. Check the signatures and write the pack's content folder.
args=(trust build --lotl "$lotl" --tsl "$tsl" --out "$work/content")
for p in "${pins[@]}"; do args+=(--lotl-signer-sha256 "$p"); done
[ -n "$at" ] && args+=(--at "$at")
"$cli" "${args[@]}"

# 3. Pack and sign.
mkdir -p "$out"
pack="$out/trust-v$version.pack"
build=(pack build --kind trust --version "$version" "$work/content" -o "$pack")
[ -n "$created" ] && build+=(--created "$created")
"$cli" "${build[@]}"
if { true >&3; } 2>/dev/null; then
  "$cli" pack sign --key "$key" --password-fd 3 "$pack"
else
  "$cli" pack sign --key "$key" "$pack"
fi
echo "$pack"
echo "$pack.minisig"
