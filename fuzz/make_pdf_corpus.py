#!/usr/bin/env python3
"""Writes the seed corpus of the `pades_read` fuzz target (fuzz/corpus/pades_read/).

Deterministic. The signed fixtures of tests/fixtures/pades/ plus hostile shapes: loops in
the cross-reference chain and the page tree, deep nesting, a decompression bomb in a
cross-reference stream, absurd sizes and offsets. Run from the repository root:
    python3 fuzz/make_pdf_corpus.py
The output is committed; a stable test in crates/pades replays it.
"""
import os
import shutil
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "corpus", "pades_read")
FIXTURES = os.path.join(ROOT, "..", "tests", "fixtures", "pades")


def classic(objects, trailer_extra=b"", prev=None):
    out = bytearray(b"%PDF-1.7\n")
    offs = {}
    for n, body in objects:
        offs[n] = len(out)
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    x = len(out)
    top = max(offs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % top
    for n in range(1, top):
        out += b"%010d 00000 n\r\n" % offs.get(n, 0)
    t = b"/Size %d /Root 1 0 R" % top + trailer_extra
    if prev is not None:
        t += b" /Prev %d" % (x if prev == "self" else prev)
    out += b"trailer\n<< " + t + b" >>\nstartxref\n%d\n%%%%EOF\n" % x
    return bytes(out)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    for f in sorted(os.listdir(FIXTURES)):
        if f.endswith(".pdf"):
            shutil.copy(os.path.join(FIXTURES, f), os.path.join(OUT, "fixture-" + f))
    cat = (1, b"<< /Type /Catalog /Pages 2 0 R >>")
    shapes = {
        "xref-loop.pdf": classic([cat, (2, b"<< /Type /Pages /Kids [] /Count 0 >>")], prev="self"),
        "pages-cycle.pdf": classic([cat, (2, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>"),
                                    (3, b"<< /Type /Pages /Kids [2 0 R] >>")]),
        "deep-array.pdf": classic([cat, (2, b"[" * 5000 + b"]" * 5000)]),
        "deep-dict.pdf": classic([cat, (2, b"<< /A " * 3000 + b"1" + b" >>" * 3000)]),
        "prev-past-end.pdf": classic([cat], prev=10 ** 12),
        "startxref-garbage.pdf": b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\nstartxref\n99999999999999999999\n%%EOF\n",
        "huge-subsection.pdf": b"%PDF-1.7\nxref\n0 4000000000\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n",
        "no-xref.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "sig-contents-in-objstm-like.pdf": classic([
            (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>"),
            (2, b"<< /Type /Pages /Kids [] /Count 0 >>"),
            (3, b"<< /FT /Sig /T (S) /V << /Type /Sig /ByteRange [0 -5 99999999999 7] /Contents (abc) >> >>"),
        ]),
    }
    # A cross-reference stream whose data inflates far past the budget.
    bomb = zlib.compress(b"\x00" * (80 << 20), 9)
    head = b"%PDF-1.7\n"
    xs = len(head)
    body = head + b"1 0 obj\n<< /Type /XRef /Size 1 /W [1 4 2] /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb)
    body += bomb + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xs
    shapes["xref-stream-bomb.pdf"] = body
    for name, data in shapes.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
