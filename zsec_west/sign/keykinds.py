"""The key types and public-key encodings `zsec sign` offers, as names only.

Kept apart from keytools.py so that building the command line (`zsec --help`) does not import
`cryptography`.
"""

from __future__ import annotations

KEY_TYPES = ("rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "x25519")
PUB_ENCODINGS = ("lang-c", "lang-rust", "pem", "raw")
HASH_ENCODINGS = ("lang-c", "raw")
LEGACY_LANGS = {"c": "lang-c", "rust": "lang-rust"}  # imgtool's deprecated -l/--lang
