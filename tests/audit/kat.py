#!/usr/bin/env python3
"""Independent check of sluice's audit tree, proofs and signed checkpoints.

Reimplements RFC 6962 section 2.1 (MTH, PATH, SUBPROOF) straight from the
RFC's recursive definitions with hashlib, and the C2SP signed-note,
tlog-checkpoint and verifier-key formats from their specifications, and
compares every line audit_kat printed. The Ed25519 signature is checked
with the openssl CLI (`openssl pkeyutl -verify -rawin`), since Python's
standard library has no Ed25519.

Usage: kat.py KATDIR   (as written by tests/audit/audit_kat)
"""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile


def leaf(d):
    return hashlib.sha256(b"\x00" + d).digest()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def k_of(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf(d[0])
    k = k_of(len(d))
    return node(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) <= 1:
        return []
    k = k_of(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def fail(msg):
    print("kat.py: FAIL: " + msg)
    sys.exit(1)


def main():
    kdir = sys.argv[1]
    data = [("leaf %d" % i).encode() for i in range(64)]
    lines = 0
    with open(os.path.join(kdir, "kat.txt")) as f:
        for line in f:
            parts = line.split()
            lines += 1
            if parts[0] == "root":
                n = int(parts[1])
                if mth(data[:n]).hex() != parts[2]:
                    fail("root of size %d" % n)
                continue
            m, n = int(parts[1]), int(parts[2])
            got = [] if parts[3] == "-" else parts[3].split(",")
            if parts[0] == "incl":
                want = path(m, data[:n])
            else:
                want = [] if m == n else subproof(m, data[:n], True)
            if [h.hex() for h in want] != got:
                fail("%s proof %d %d" % (parts[0], m, n))
    if lines != 65 + 2080 + 2080:
        fail("expected 4225 lines, got %d" % lines)

    # The signed checkpoint.
    note = open(os.path.join(kdir, "note.txt"), "rb").read()
    vkey = open(os.path.join(kdir, "vkey.txt")).read().strip()
    i = note.rfind(b"\n\n")
    text, sigs = note[: i + 1], note[i + 2 :]
    body = text.decode().split("\n")
    if body[0] != "sluice.example/audit-kat" or body[1] != "37":
        fail("checkpoint origin or size: %r" % body[:2])
    if base64.b64decode(body[2], validate=True) != mth(data[:37]):
        fail("checkpoint root")
    if body[3] != "sluice-time 1764748800000000" or body[4] != "" or len(body) != 5:
        fail("checkpoint extension lines: %r" % body[3:])
    sigline = sigs.decode()
    if not sigline.startswith("\u2014 sluice.example/audit-kat ") or not sigline.endswith("\n") or sigline.count("\n") != 1:
        fail("signature line: %r" % sigline)
    raw = base64.b64decode(sigline.split(" ")[2].strip(), validate=True)
    if len(raw) != 68:
        fail("signature is not key id + 64 bytes")
    name, hexid, keyb64 = vkey.split("+", 2)
    keyraw = base64.b64decode(keyb64, validate=True)
    if len(keyraw) != 33 or keyraw[0] != 1:
        fail("verifier key is not 0x01 || 32 bytes")
    pub = keyraw[1:]
    kid = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
    if kid.hex() != hexid or raw[:4] != kid:
        fail("key id")
    # The Ed25519 public key for seed 00..1f (RFC 8032 derivation, computed by OpenSSL).
    with tempfile.TemporaryDirectory() as td:
        der = bytes.fromhex("302a300506032b6570032100") + pub
        pem = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n"
        open(os.path.join(td, "pub.pem"), "w").write(pem)
        open(os.path.join(td, "body"), "wb").write(text)
        open(os.path.join(td, "sig"), "wb").write(raw[4:])
        seedder = bytes.fromhex("302e020100300506032b657004220420") + bytes(range(32))
        open(os.path.join(td, "seed.pem"), "w").write(
            "-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(seedder).decode() + "\n-----END PRIVATE KEY-----\n")
        derived = subprocess.run(["openssl", "pkey", "-in", os.path.join(td, "seed.pem"), "-pubout", "-outform", "DER"],
                                 capture_output=True)
        if derived.returncode != 0 or derived.stdout[-32:] != pub:
            fail("public key is not the one derived from seed 00..1f by openssl")
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(td, "pub.pem"),
                            "-rawin", "-in", os.path.join(td, "body"), "-sigfile", os.path.join(td, "sig")],
                           capture_output=True, text=True)
        if r.returncode != 0 or "Signature Verified Successfully" not in r.stdout:
            fail("openssl does not verify the checkpoint signature: " + r.stdout + r.stderr)
        # and a flipped body byte must not verify
        open(os.path.join(td, "body"), "wb").write(text.replace(b"37", b"38"))
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(td, "pub.pem"),
                            "-rawin", "-in", os.path.join(td, "body"), "-sigfile", os.path.join(td, "sig")],
                           capture_output=True, text=True)
        if r.returncode == 0:
            fail("openssl verified a changed body")
    print("kat.py: %d tree lines and the signed checkpoint agree with the independent implementation" % lines)


main()
