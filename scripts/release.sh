#!/usr/bin/env bash
# `make release`: signed .deb and .rpm with their updater signatures, the update manifest
# (latest.json), SHA256SUMS and its minisign signature, ready to publish on an intranet
# address or to copy to a USB stick. It refuses to run without the signing key: it never
# produces unsigned release artifacts.
#
# The key (made with `ui/node_modules/.bin/tauri signer generate -w FILE`, see
# docs/amministrazione.md) comes from one of:
#   LAVORO_AGILE_UPDATE_KEY_FILE   path of the secret key file, outside this repository
#   TAURI_SIGNING_PRIVATE_KEY      the secret key itself (e.g. from a CI secret store)
# with its password in TAURI_SIGNING_PRIVATE_KEY_PASSWORD, and the public half in
#   LAVORO_AGILE_UPDATE_PUBKEY     (the content of FILE.pub), or FILE.pub next to the key file.
# Other settings:
#   RELEASE_BASE_URL   where the files will be published (required): latest.json points there
#   RELEASE_NOTES      text shown to users with the offer (default: "Lavoro Agile VERSION")
#   RELEASE_OUT        output folder (default: target/release/publish)
#   RELEASE_DEBUG=1    build the debug profile (only for the project's own tests)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)

fail() { echo "make release: $*" >&2; exit 1; }

# --- the key -------------------------------------------------------------------------------
key_file="${LAVORO_AGILE_UPDATE_KEY_FILE:-${TAURI_SIGNING_PRIVATE_KEY_PATH:-}}"
if [ -z "$key_file" ] && [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  fail "no signing key. Set LAVORO_AGILE_UPDATE_KEY_FILE to the secret key file (kept outside the repository) or TAURI_SIGNING_PRIVATE_KEY to the key; nothing was built."
fi
if [ -n "$key_file" ]; then
  [ -f "$key_file" ] || fail "the key file $key_file does not exist."
  key_real=$(realpath "$key_file")
  case "$key_real" in
    "$root"/*) fail "the key file $key_file is inside the repository; keep it outside (e.g. on an encrypted USB stick)." ;;
  esac
  # Both `tauri build` and `tauri signer sign` read the key from this variable; it lives
  # only in this process and its children.
  TAURI_SIGNING_PRIVATE_KEY=$(cat "$key_real")
  export TAURI_SIGNING_PRIVATE_KEY
  unset TAURI_SIGNING_PRIVATE_KEY_PATH
fi
if [ -z "${TAURI_SIGNING_PRIVATE_KEY_PASSWORD+set}" ]; then
  fail "TAURI_SIGNING_PRIVATE_KEY_PASSWORD is not set (set it to the key's password, empty only for a key made without one)."
fi
pubkey="${LAVORO_AGILE_UPDATE_PUBKEY:-}"
if [ -z "$pubkey" ] && [ -n "$key_file" ] && [ -f "$key_file.pub" ]; then
  pubkey=$(tr -d '\n' < "$key_file.pub")
fi
[ -n "$pubkey" ] || fail "no public key: set LAVORO_AGILE_UPDATE_PUBKEY or put KEY.pub next to the key file."
[ -n "${RELEASE_BASE_URL:-}" ] || fail "set RELEASE_BASE_URL to the https:// address where the files will be published."
case "$RELEASE_BASE_URL" in https://*) ;; *) fail "RELEASE_BASE_URL must start with https://";; esac

command -v minisign >/dev/null || fail "minisign is missing (make deps installs it)."
scripts/deps.sh >/dev/null

version=$(python3 -c 'import json;print(json.load(open("src-tauri/tauri.conf.json"))["version"])')
profile=release; debug_flag=()
if [ "${RELEASE_DEBUG:-0}" = 1 ]; then profile=debug; debug_flag=(--debug); fi
out="${RELEASE_OUT:-target/release/publish}"

# --- build -----------------------------------------------------------------------------------
# The public key goes into this build's configuration, so the app accepts exactly the
# updates this key signs; createUpdaterArtifacts makes the bundler sign each package.
overlay=$(mktemp --suffix=.json)
trap 'rm -f "$overlay"' EXIT
python3 - "$pubkey" > "$overlay" <<'PY'
import json, sys
print(json.dumps({"bundle": {"createUpdaterArtifacts": True},
                  "plugins": {"updater": {"pubkey": sys.argv[1]}}}))
PY
bundle_dir="target/$profile/bundle"
scripts/bundle.sh "${debug_flag[@]}" "$overlay"

deb=$(ls "$bundle_dir"/deb/*.deb); rpm=$(ls "$bundle_dir"/rpm/*.rpm)
for f in "$deb" "$rpm"; do
  [ -s "$f.sig" ] || fail "the bundler wrote no signature for $f"
done

# --- publish folder --------------------------------------------------------------------------
rm -rf "$out"; mkdir -p "$out"
cp "$deb" "$deb.sig" "$rpm" "$rpm.sig" "$out/"
# The public key as minisign reads it, and each signature in minisign's own format, so IT
# can check any file with `minisign -V` as well as with the app.
printf '%s' "$pubkey" | base64 -d > "$out/lavoro-agile-update.pub"
for f in "$deb" "$rpm"; do
  base64 -d < "$f.sig" > "$out/$(basename "$f").minisig"
done
python3 - "$out" "$version" "$RELEASE_BASE_URL" "${RELEASE_NOTES:-Lavoro Agile $version}" \
  "$(basename "$deb")" "$(basename "$rpm")" <<'PY'
import datetime, json, os, sys, urllib.parse
out, version, base, notes, deb, rpm = sys.argv[1:]
def entry(name):
    with open(os.path.join(out, name + ".sig")) as f:
        return {"url": base.rstrip("/") + "/" + urllib.parse.quote(name), "signature": f.read().strip()}
manifest = {
    "version": version,
    "notes": notes,
    "pub_date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    "platforms": {"linux-x86_64-deb": entry(deb), "linux-x86_64-rpm": entry(rpm)},
}
with open(os.path.join(out, "latest.json"), "w") as f:
    json.dump(manifest, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
(cd "$out" && sha256sum -- *.deb *.rpm *.sig *.minisig latest.json lavoro-agile-update.pub > SHA256SUMS)
# Sign the checksum list with the same key (the Tauri signer writes base64 of a minisign
# signature; decode it into the standard .minisig).
ui/node_modules/.bin/tauri signer sign "$out/SHA256SUMS" >/dev/null
base64 -d < "$out/SHA256SUMS.sig" > "$out/SHA256SUMS.minisig"
rm "$out/SHA256SUMS.sig"
minisign -Vm "$out/SHA256SUMS" -x "$out/SHA256SUMS.minisig" -p "$out/lavoro-agile-update.pub" -q \
  || fail "the signature of SHA256SUMS does not verify with the public key given"

echo "Release $version in $out:"
for f in "$out"/*; do printf '  %6s  %s\n' "$(du -h "$f" | cut -f1)" "$(basename "$f")"; done
echo "Check: (cd $out && sha256sum -c SHA256SUMS && minisign -Vm SHA256SUMS -p lavoro-agile-update.pub)"
