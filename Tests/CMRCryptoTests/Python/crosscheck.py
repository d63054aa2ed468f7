#!/usr/bin/env python3
"""Independent answers for CMRCrypto's cross-check test (PythonCrossCheckTests.swift).

Usage: crosscheck.py REQUEST.json > RESPONSE.json

For every case in the request it computes, with Python's own implementations, what the Swift
side computed: hashlib for SHA-256/SHA-512, hmac for HMAC, and the `cryptography` package for
HKDF and Ed25519 (it also checks the Swift signature with cryptography's verifier). It then
makes `generate` Ed25519 keys and signatures of its own, from os.urandom, for Swift to check.
Byte strings are lowercase hex both ways.
"""
import hashlib
import hmac
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ORDER = 2**252 + 27742317777372353535851937790883648493


def raw_public(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def answer(case):
    message = bytes.fromhex(case["message"])
    key = bytes.fromhex(case["hmacKey"])
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=case["hkdfLength"],
        salt=bytes.fromhex(case["hkdfSalt"]) or None,
        info=bytes.fromhex(case["hkdfInfo"]),
    ).derive(bytes.fromhex(case["hkdfInputKeyMaterial"]))
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(case["seed"]))
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(case["swiftPublicKey"])).verify(
            bytes.fromhex(case["swiftSignature"]), message)
        swift_signature_valid = True
    except InvalidSignature:
        swift_signature_valid = False
    wide = int.from_bytes(bytes.fromhex(case["wideScalar"]), "little")
    return {
        "sha256": hashlib.sha256(message).hexdigest(),
        "sha512": hashlib.sha512(message).hexdigest(),
        "hmacSHA256": hmac.new(key, message, "sha256").hexdigest(),
        "hmacSHA512": hmac.new(key, message, "sha512").hexdigest(),
        "hkdf": hkdf.hex(),
        "publicKey": raw_public(private_key).hex(),
        "signature": private_key.sign(message).hex(),
        "swiftSignatureValid": swift_signature_valid,
        "reducedScalar": (wide % ORDER).to_bytes(32, "little").hex(),
    }


def generated_case(index):
    seed = os.urandom(32)
    message = os.urandom(index * 37 % 700)
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    return {
        "seed": seed.hex(),
        "message": message.hex(),
        "publicKey": raw_public(private_key).hex(),
        "signature": private_key.sign(message).hex(),
    }


def main():
    with open(sys.argv[1]) as file:
        request = json.load(file)
    response = {
        "results": [answer(case) for case in request["cases"]],
        "generated": [generated_case(index) for index in range(request["generate"])],
    }
    json.dump(response, sys.stdout)


if __name__ == "__main__":
    main()
