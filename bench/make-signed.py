#!/usr/bin/env python3
"""Writes test material for bench/verify-vs-peers.sh into DIR: a test CA (ca.pem), a signer
certificate under it, and attached CAdES-BES .p7m files of any size, streamed to disk (the
content is never held in memory, so a 1 GB file needs little RAM).

    python3 bench/make-signed.py DIR large.p7m 200000000   # 200 MB of content
    python3 bench/make-signed.py DIR small.p7m 2000

Needs Python 3 with `cryptography`. Fixed validity (2020-2040) and signing time; the
content is a fixed pseudo-random 1 MiB block repeated, so runs are comparable.
"""
import datetime as dt
import hashlib
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "cades"))
import make as cm  # noqa: E402  (DER and CMS helpers of the CAdES fixtures)
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

UTC = dt.timezone.utc


def header(tag, length):
    return bytes([tag]) + cm.length(length)


def material(folder):
    """The CA and signer, created once per folder."""
    key_path = os.path.join(folder, "signer.key")
    if os.path.exists(key_path):
        key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
        cert = x509.load_pem_x509_certificate(open(os.path.join(folder, "signer.pem"), "rb").read())
        return cm.Signer("rsa", key, cert)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = cm.name("Bench Test CA")
    ca = cm.make_cert(ca_name, ca_key, ca_name, ca_key, 1, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = cm.make_cert(cm.name("Bench Signer (test)"), key, ca_name, ca_key, 2)
    open(os.path.join(folder, "ca.pem"), "wb").write(ca.public_bytes(serialization.Encoding.PEM))
    open(os.path.join(folder, "signer.pem"), "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    open(key_path, "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cm.Signer("rsa", key, cert)


def main():
    folder, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(folder, exist_ok=True)
    signer = material(folder)
    rng = random.Random(5)
    block = bytes(rng.getrandbits(8) for _ in range(1 << 20))

    def chunks():
        left = size
        while left > 0:
            n = min(left, len(block))
            yield block[:n]
            left -= n

    h = hashlib.sha256()
    for c in chunks():
        h.update(c)
    attrs = cm.signed_attrs(h.digest(), signer, "sha256", signing_time=dt.datetime(2024, 3, 1, tzinfo=UTC))
    sa_set = cm.set_(*attrs)
    _, _, sig = signer.sign(sa_set, "sha256")
    body = (cm.integer(1) + signer.issuer_and_serial() + cm.alg(cm.DIGESTS["sha256"][0], cm.NULL)
            + bytes([0xA0]) + sa_set[1:] + cm.alg("1.2.840.113549.1.1.11", cm.NULL) + cm.octets(sig))
    signer_infos = cm.set_(cm.seq(body))
    certs = cm.ctx(0, signer.der)
    os_header = header(0x04, size)
    econtent = header(0xA0, len(os_header) + size)
    eci_content_len = len(cm.oid(cm.ID_DATA)) + len(econtent) + len(os_header) + size
    eci_header = header(0x30, eci_content_len)
    head = cm.integer(1) + cm.set_(cm.alg(cm.DIGESTS["sha256"][0]))
    sd_len = len(head) + len(eci_header) + eci_content_len + len(certs) + len(signer_infos)
    sd_header = header(0x30, sd_len)
    explicit = header(0xA0, len(sd_header) + sd_len)
    ct = cm.oid(cm.ID_SIGNED_DATA)
    ci = header(0x30, len(ct) + len(explicit) + len(sd_header) + sd_len)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(ci + ct + explicit + sd_header + head + eci_header + cm.oid(cm.ID_DATA) + econtent + os_header)
        for c in chunks():
            out.write(c)
        out.write(certs + signer_infos)


if __name__ == "__main__":
    main()
