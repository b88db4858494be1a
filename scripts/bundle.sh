#!/usr/bin/env bash
# Builds the .deb and .rpm with the Tauri CLI from npm: the app, and beside it in /usr/bin the
# IT command line (`lavoro-agile-cli`), which IT uses on the same machines to check packs,
# signatures and VPN profiles. Used by `make dist` (unsigned) and by scripts/release.sh.
#   scripts/bundle.sh [--debug] [EXTRA_CONFIG.json]
# EXTRA_CONFIG is merged over the generated overlay (release.sh passes the updater key).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release; cargo_flags=(--release); tauri_flags=()
if [ "${1:-}" = --debug ]; then profile=debug; cargo_flags=(); tauri_flags=(--debug); shift; fi
extra="${1:-}"

cargo build "${cargo_flags[@]}" --locked -p lavoro-agile-cli
cli="$(pwd -P)/target/$profile/lavoro-agile-cli"
[ -x "$cli" ] || { echo "bundle: $cli was not built" >&2; exit 1; }

overlay=$(mktemp --suffix=.json)
trap 'rm -f "$overlay"' EXIT
python3 - "$cli" "$extra" > "$overlay" <<'PY'
import json, sys
cli, extra = sys.argv[1:]
files = {"/usr/bin/lavoro-agile-cli": cli,
         "/usr/share/mime/packages/lavoro-agile.xml": "linux/lavoro-agile-mime.xml"}
config = {"bundle": {"linux": {"deb": {"files": files}, "rpm": {"files": files}}}}
def merge(a, b):
    for k, v in b.items():
        a[k] = merge(a.get(k, {}), v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
    return a
if extra:
    with open(extra) as f:
        merge(config, json.load(f))
print(json.dumps(config))
PY
bundle_dir="target/$profile/bundle"
rm -rf "$bundle_dir/deb" "$bundle_dir/rpm"
(cd ui && npx vite build --logLevel warn)
(cd src-tauri && ../ui/node_modules/.bin/tauri build "${tauri_flags[@]}" --bundles deb,rpm --config "$overlay")
echo "Packages:"
for f in "$bundle_dir"/deb/*.deb "$bundle_dir"/rpm/*.rpm; do
  printf '  %6s  %s\n' "$(du -h "$f" | cut -f1)" "$f"
done
