#!/usr/bin/env bash
# Tests of `make release` and of the packages (part of `make test`): with a throwaway key
# made here, build the signed debug bundles once, then check what IT will check —
# `sha256sum -c`, `minisign -V` on SHA256SUMS and on each package, latest.json — and what
# the .deb and the .rpm install (`dpkg -x`, `rpm2cpio`): the desktop entry passes the opened
# files (%F), lists the MIME types, the icons are there in every size, the MIME definitions,
# the keys and the IT command line are installed. Nothing is installed on this machine.
# Needs: minisign, dpkg-deb, rpm, cpio (make deps).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok   $what"; else echo "  FAIL $what"; failures=$((failures + 1)); fi
}

echo "release: refuses to run without a key"
set +e
no_key=$(env -u TAURI_SIGNING_PRIVATE_KEY -u TAURI_SIGNING_PRIVATE_KEY_PATH -u LAVORO_AGILE_UPDATE_KEY_FILE \
  RELEASE_OUT="$scratch/nokey" scripts/release.sh 2>&1)
status=$?
set -e
check "exit status is not 0" test "$status" -ne 0
check "the message names the missing key" grep -q "no signing key" <<<"$no_key"
check "nothing was written" test ! -e "$scratch/nokey"

echo "release: refuses a key file inside the repository"
set +e
inside=$(LAVORO_AGILE_UPDATE_KEY_FILE="$root/Makefile" TAURI_SIGNING_PRIVATE_KEY_PASSWORD=x \
  RELEASE_OUT="$scratch/inside" scripts/release.sh 2>&1)
status=$?
set -e
check "exit status is not 0" test "$status" -ne 0
check "the message says why" grep -q "inside the repository" <<<"$inside"

echo "release: throwaway key, debug build"
key="$scratch/keys/update.key"
mkdir -p "$scratch/keys"
ui/node_modules/.bin/tauri signer generate --ci -p test-password -w "$key" >/dev/null
out="$scratch/publish"
LAVORO_AGILE_UPDATE_KEY_FILE="$key" TAURI_SIGNING_PRIVATE_KEY_PASSWORD=test-password \
  RELEASE_BASE_URL="https://aggiornamenti.comune.example/lavoro-agile" RELEASE_OUT="$out" \
  RELEASE_DEBUG=1 RELEASE_NOTES="Prova" scripts/release.sh > "$scratch/release.log" 2>&1 \
  || { tail -40 "$scratch/release.log"; exit 1; }

deb=$(ls "$out"/*.deb); rpm=$(ls "$out"/*.rpm)
check "sha256sum -c SHA256SUMS" bash -c "cd '$out' && sha256sum -c --quiet SHA256SUMS"
check "minisign -V SHA256SUMS" minisign -Vm "$out/SHA256SUMS" -x "$out/SHA256SUMS.minisig" -p "$out/lavoro-agile-update.pub" -q
check "minisign -V the .deb" minisign -Vm "$deb" -p "$out/lavoro-agile-update.pub" -q
check "minisign -V the .rpm" minisign -Vm "$rpm" -p "$out/lavoro-agile-update.pub" -q
check "SHA256SUMS lists latest.json and both packages" bash -c \
  "grep -q ' latest.json\$' '$out/SHA256SUMS' && grep -q '\\.deb\$' '$out/SHA256SUMS' && grep -q '\\.rpm\$' '$out/SHA256SUMS'"
check "a changed SHA256SUMS fails minisign -V" bash -c \
  "sed 's/^./0/' '$out/SHA256SUMS' > '$scratch/SUMS' && ! minisign -Vm '$scratch/SUMS' -x '$out/SHA256SUMS.minisig' -p '$out/lavoro-agile-update.pub' -q"
version=$(python3 -c 'import json;print(json.load(open("src-tauri/tauri.conf.json"))["version"])')
check "latest.json: version, deb and rpm entries, URLs under RELEASE_BASE_URL, signatures bind the version" \
  python3 - "$out" "$version" <<'PY'
import base64, json, os, sys, urllib.parse
out, version = sys.argv[1:]
m = json.load(open(os.path.join(out, "latest.json")))
assert m["version"] == version and m["notes"] == "Prova", m
for key, ext in (("linux-x86_64-deb", ".deb"), ("linux-x86_64-rpm", ".rpm")):
    e = m["platforms"][key]
    assert e["url"].startswith("https://aggiornamenti.comune.example/lavoro-agile/"), e
    name = urllib.parse.unquote(e["url"].rsplit("/", 1)[1])
    assert name.endswith(ext) and os.path.isfile(os.path.join(out, name)), name
    sig = base64.b64decode(e["signature"]).decode()
    assert f"version:{version}" in sig.splitlines()[2], sig
PY
check "the app's public key was built in" grep -q "$(tr -d '\n' < "$key.pub" | cut -c1-40)" \
  <(strings target/debug/lavoro-agile)

echo "packages: sizes"
for f in "$deb" "$rpm"; do
  bytes=$(stat -c %s "$f")
  echo "  $(basename "$f"): $((bytes / 1024)) KiB (debug build)"
done

# What a package installs, unpacked into DIR: the same checks for the .deb and the .rpm.
check_tree() { # check_tree DIR
  local x=$1 desktop mime
  desktop=$(ls "$x"/usr/share/applications/*.desktop)
  check "desktop entry: Exec passes the opened files (%F)" grep -Eq '^Exec=lavoro-agile %F$' "$desktop"
  for m in application/pkcs7-mime application/pkcs7-signature application/timestamped-data \
           application/x-m7m application/x-openvpn-profile application/pdf; do
    check "desktop entry: MimeType lists $m" grep -Eq "^MimeType=(.*;)?$m;" "$desktop"
  done
  check "desktop entry: Italian name and no unfilled template" bash -c \
    "grep -q '^Name=Lavoro Agile$' '$desktop' && ! grep -q '{{' '$desktop'"
  if command -v desktop-file-validate >/dev/null; then
    check "desktop-file-validate" desktop-file-validate "$desktop"
  fi
  for size in 32x32 128x128 256x256@2 512x512; do
    check "icon $size" test -s "$x/usr/share/icons/hicolor/$size/apps/lavoro-agile.png"
  done
  mime="$x/usr/share/mime/packages/lavoro-agile.xml"
  for glob in tsd m7m ovpn; do
    check "MIME definition for *.$glob" grep -q "pattern=\"\\*.$glob\"" "$mime"
  done
  check "no MIME definition claims PDF" bash -c "! grep -q pdf '$mime'"
  check "the app is installed" test -x "$x/usr/bin/lavoro-agile"
  check "the keys folder is installed where the app resolves its resources" \
    test -f "$x/usr/lib/Lavoro Agile/keys/README.md"
  check "the IT command line is installed and runs" "$x/usr/bin/lavoro-agile-cli" --version
  # No key ships by default (resources/keys/README.md): put one where IT's build would, and
  # the installed command line must list it.
  "$x/usr/bin/lavoro-agile-cli" pack keygen --out "$x/usr/lib/Lavoro Agile/keys" --name it-test \
    --kinds portal --comment "chiave di prova del pacchetto" >/dev/null 2>&1 || true
  rm -f "$x/usr/lib/Lavoro Agile/keys/it-test.key"
  check "the command line finds the keys installed with the app" bash -c \
    "'$x/usr/bin/lavoro-agile-cli' pack status | grep -q 'chiave di prova del pacchetto'"
}

echo "packages: what the .deb installs (dpkg -x)"
dpkg-deb -x "$deb" "$scratch/deb"
check_tree "$scratch/deb"
depends=$(dpkg-deb -f "$deb" Depends)
check "Depends: WebKitGTK 4.1 and shared-mime-info" bash -c \
  "grep -q libwebkit2gtk-4.1-0 <<<'$depends' && grep -q shared-mime-info <<<'$depends'"

echo "packages: what the .rpm installs (rpm2cpio | cpio)"
mkdir -p "$scratch/rpm"
# Debian's rpm2cpio 4.18 exits 1 after writing a complete archive of the bundler's .rpm; cpio
# itself fails on a truncated or corrupt archive, so its status is the one that counts.
{ rpm2cpio "$rpm" || true; } | (cd "$scratch/rpm" && cpio -idm --quiet)
check_tree "$scratch/rpm"
requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
check "Requires: WebKitGTK 4.1 and shared-mime-info" bash -c \
  "grep -q 'libwebkit2gtk-4.1.so' <<<'$requires' && grep -q shared-mime-info <<<'$requires'"

if [ "$failures" -ne 0 ]; then
  echo "release and package checks: $failures failed"; exit 1
fi
echo "release and package checks: all passed"
