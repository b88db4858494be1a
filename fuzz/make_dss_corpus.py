#!/usr/bin/env python3
"""Writes the seed corpus of the `pades_dss` fuzz target (fuzz/corpus/pades_dss/).

Deterministic. The PAdES-LT/LTA fixtures of tests/fixtures/pades-ltv/ plus hostile
Document Security Stores: a store that is an array, lists that are dictionaries, a list
that refers to itself, a chain of references, a decompression bomb in a certificate
stream, more entries than the budget, more VRI entries than the budget, VRI values and
keys of the wrong kind, a stream whose /Length points past the end of the file. Run from
the repository root:
    python3 fuzz/make_dss_corpus.py
The output is committed; a stable test in crates/pades replays it.
"""
import os
import shutil
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "corpus", "pades_dss")
FIXTURES = os.path.join(ROOT, "..", "tests", "fixtures", "pades-ltv")


def classic(objects):
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
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (top, x)
    return bytes(out)


def with_dss(dss, *more):
    return classic([(1, b"<< /Type /Catalog /Pages 2 0 R /DSS 3 0 R >>"),
                    (2, b"<< /Type /Pages /Kids [] /Count 0 >>"),
                    (3, dss)] + list(more))


def stream(data, extra=b""):
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    for f in sorted(os.listdir(FIXTURES)):
        if f.endswith(".pdf"):
            shutil.copy(os.path.join(FIXTURES, f), os.path.join(OUT, "fixture-" + f))
    cert = bytes.fromhex("3003020101")  # a tiny DER SEQUENCE
    seeds = {
        "dss-array.pdf": with_dss(b"[1 2 3]"),
        "dss-missing.pdf": classic([(1, b"<< /Type /Catalog /Pages 2 0 R /DSS 9 0 R >>"),
                                    (2, b"<< /Type /Pages /Kids [] /Count 0 >>")]),
        "lists-are-dicts.pdf": with_dss(b"<< /Certs << /A 1 >> /CRLs 5 /OCSPs (x) /VRI [1] >>"),
        "self-list.pdf": with_dss(b"<< /Certs 3 0 R /VRI 3 0 R >>"),
        "ref-chain.pdf": with_dss(b"<< /Certs [4 0 R] >>", (4, b"5 0 R"), (5, b"4 0 R")),
        "cert-bomb.pdf": with_dss(b"<< /Certs [4 0 R] >>",
                                  (4, stream(zlib.compress(b"\x00" * (40 << 20), 9), b"/Filter /FlateDecode"))),
        "too-many-entries.pdf": with_dss(b"<< /Certs [" + b" 0" * 10_050 + b"] >>"),
        "too-many-vri.pdf": with_dss(b"<< /VRI <<" + b"".join(b" /%040X 1" % i for i in range(4_200)) + b" >> >>"),
        "vri-wrong-kinds.pdf": with_dss(
            b"<< /Certs [4 0 R] /VRI << /" + b"A" * 40 + b" 7 /SHORT << >> /" + b"B" * 40
            + b" << /Cert 4 0 R /OCSP [4 0 R 4 0 R] /TU 12 /TS 4 0 R >> >> >>",
            (4, stream(cert))),
        "length-past-end.pdf": with_dss(b"<< /OCSPs [4 0 R] >>", (4, b"<< /Length 999999999 >>\nstream\nxx\nendstream")),
        "garbage-after-der.pdf": with_dss(b"<< /CRLs [4 0 R] >>", (4, stream(cert + b"trailing"))),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
