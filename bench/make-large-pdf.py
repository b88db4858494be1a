#!/usr/bin/env python3
"""Writes a large signed PDF for bench/verify-vs-peers.sh: one page drawing an image whose
data is SIZE_MB of deterministic pseudo-random bytes (incompressible), signed
ETSI.CAdES.detached by a fresh test key (helpers of tests/fixtures/pades/make.py).
Writes the signer certificate (PEM) next to the PDF and prints its path.

    python3 bench/make-large-pdf.py OUT.pdf [SIZE_MB]
"""
import importlib.util
import os
import random
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "pades_make", os.path.join(HERE, "..", "tests", "fixtures", "pades", "make.py"))
pm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pm)
cm = pm.cm


def main():
    out = sys.argv[1]
    size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    data = random.Random(20240301).randbytes(size_mb << 20)
    side = 4096
    height = len(data) // (side * 3)
    data = data[: side * 3 * height]
    objects = {
        1: pm.obj(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R >>"),
        2: pm.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        3: pm.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
                     b" /Resources << /XObject << /Im1 6 0 R >> >> /Annots [8 0 R] >>"),
        4: pm.stream(4, b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
        5: pm.obj(5, b"<< /Fields [8 0 R] /SigFlags 3 >>"),
        6: pm.stream(6, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB"
                        b" /BitsPerComponent 8" % (side, height), data),
        7: pm.obj(7, b"<< >>"),
        8: pm.obj(8, b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Firma1) /V 9 0 R /F 132 /P 3 0 R"
                     b" /Rect [0 0 0 0] >>"),
        9: pm.obj(9, pm.sig_dict()),
    }
    pdf, _ = pm.write_section(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", objects)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = cm.name("Lavoro Agile Bench CA")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = cm.Signer("rsa", key, cm.make_cert(cm.name("Bench Signer (test)"), key, ca_name, ca_key, 100))
    signed = pm.sign(pdf, signer)
    with open(out, "wb") as f:
        f.write(signed)
    cert = os.path.splitext(out)[0] + "-signer.pem"
    with open(cert, "wb") as f:
        f.write(signer.cert.public_bytes(serialization.Encoding.PEM))
    print(cert)


if __name__ == "__main__":
    main()
