#!/usr/bin/env python3
"""Writes the seed corpora of the packs fuzz targets (fuzz/corpus/{archive,manifest}/).

Deterministic: fixed names, fixed times, no randomness. Run from the repository root:
    python3 fuzz/make_corpus.py
The output is committed; tests replay it and never need this script.
"""
import hashlib
import io
import json
import os
import tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MTIME = 1795683600  # 2026-11-26T09:00:00Z


def manifest(files, kind="portal", version=1, **extra):
    m = {
        "format": 1,
        "kind": kind,
        "version": version,
        "created": "2026-11-26T09:00:00Z",
        "min_app_version": "0.1.0",
        "files": [
            {"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in files
        ],
    }
    m.update(extra)
    return json.dumps(m, indent=2).encode()


def tar(entries):
    """entries: (name, bytes, type, linkname)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data, typ, link in entries:
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            info.mode = 0o644
            info.type = typ
            info.linkname = link or ""
            info.size = len(data) if typ == tarfile.REGTYPE else 0
            t.addfile(info, io.BytesIO(data) if typ == tarfile.REGTYPE else None)
    return buf.getvalue()


def reg(name, data):
    return (name, data, tarfile.REGTYPE, None)


def write(kind, name, data):
    d = os.path.join(ROOT, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


files = [("index.md", b"# Portale\n"), ("circolari/2026/smart.md", b"Lavoro agile.\n")]
good = manifest(files)
write("manifest", "good.json", good)
write("manifest", "trust.json", manifest([("tsl/it.xml", b"<x/>")], kind="trust", version=9))
write("manifest", "dotdot.json", manifest([("../x", b"x")]))
write("manifest", "bad-hash.json", good.replace(b'"sha256": "', b'"sha256": "zz', 1))
write("manifest", "version-zero.json", manifest(files, version=0))
write("manifest", "unknown-field.json", manifest(files, extra_field=True))
write("manifest", "not-json.json", b"{\"format\": 1, \"kind\": ")

write("archive", "good.tar", tar([reg("lavoro-pack.json", good)] + [reg(p, d) for p, d in files]))
write("archive", "long-name.tar", tar([
    reg("lavoro-pack.json", manifest([("a/" * 60 + "x.md", b"x")])),
    reg("a/" * 60 + "x.md", b"x"),
]))
write("archive", "symlink.tar", tar([reg("lavoro-pack.json", good), ("l", b"", tarfile.SYMTYPE, "/etc/passwd")]))
write("archive", "hardlink.tar", tar([reg("lavoro-pack.json", good), ("h", b"", tarfile.LNKTYPE, "index.md")]))
write("archive", "device.tar", tar([reg("lavoro-pack.json", good), ("d", b"", tarfile.CHRTYPE, None)]))
write("archive", "dotdot.tar", tar([reg("lavoro-pack.json", good), reg("../evil", b"x")]))
write("archive", "extra.tar", tar([reg("lavoro-pack.json", good)] + [reg(p, d) for p, d in files] + [reg("extra", b"x")]))
write("archive", "manifest-last.tar", tar([reg(p, d) for p, d in files] + [reg("lavoro-pack.json", good)]))
write("archive", "truncated.tar", tar([reg("lavoro-pack.json", good)] + [reg(p, d) for p, d in files])[:900])
write("archive", "empty.tar", b"")


# Signatures: the reference fixture's signature (valid form, wrong data for the fuzz
# message), and damaged variants. The valid seed for the fuzz message is made by
# crates/packs/tests/fixtures/make_reference.sh, which owns the throwaway key.
ref = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "packs", "tests", "fixtures")
with open(os.path.join(ref, "reference.pack.minisig"), "rb") as f:
    sig = f.read()
write("signature", "reference.minisig", sig)
write("signature", "no-trusted-comment.minisig", b"\n".join(sig.split(b"\n")[:2]) + b"\n")
write("signature", "bad-base64.minisig", sig.replace(b"RUT", b"R!T", 1))
write("signature", "empty.minisig", b"")
