#!/usr/bin/env python3
"""Writes resources/licenses.json: the third-party components bundled in the desktop app.

Rust crates are the normal (non-dev, non-build) dependency graph of the `lavoro-agile`
package on Linux x86_64, from `cargo metadata`; npm packages are the production
dependencies in ui/package-lock.json; fonts are those the UI bundles.
`--check` exits 1 when the file is out of date (run `make licenses` to refresh it).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "licenses.json"
FONTS = [
    {"name": "Titillium Web", "version": "v10", "license": "OFL-1.1", "kind": "font"},
    {"name": "Lora", "version": "v20", "license": "OFL-1.1", "kind": "font"},
    {"name": "Roboto Mono", "version": "v13", "license": "Apache-2.0", "kind": "font"},
]


def crates():
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked",
         "--filter-platform", "x86_64-unknown-linux-gnu"], cwd=ROOT))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    members = set(meta["workspace_members"])
    root = next(p["id"] for p in meta["packages"] if p["name"] == "lavoro-agile")
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]):
                todo.append(dep["pkg"])
    out = []
    for pid in seen - members:
        p = packages[pid]
        out.append({"name": p["name"], "version": p["version"],
                    "license": p.get("license") or "see package", "kind": "crate"})
    return out


def npm():
    lock = json.loads((ROOT / "ui" / "package-lock.json").read_text())
    out = []
    for path, info in lock.get("packages", {}).items():
        if not path or info.get("dev") or info.get("optional"):
            continue
        name = path.split("node_modules/")[-1]
        out.append({"name": name, "version": info.get("version", ""),
                    "license": info.get("license") or "see package", "kind": "npm"})
    return out


def main():
    items = sorted(crates() + npm() + FONTS, key=lambda c: (c["kind"], c["name"].lower(), c["version"]))
    text = json.dumps(items, indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print("resources/licenses.json is out of date: run `make licenses`", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(items)} components", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
