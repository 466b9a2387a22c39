"""The key types and public-key encodings `zsec sign` offers, as names only, and the longest
--sign-command timeout.

Kept apart from keytools.py so that building the command line (`zsec --help`) does not import
`cryptography`.
"""

from __future__ import annotations

KEY_TYPES = ("rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "x25519")
PUB_ENCODINGS = ("lang-c", "lang-rust", "pem", "raw")
HASH_ENCODINGS = ("lang-c", "raw")
LEGACY_LANGS = {"c": "lang-c", "rust": "lang-rust"}  # imgtool's deprecated -l/--lang
# A day: an external signer waiting for a person is slow, but a longer (or infinite) wait is a
# mistake, and subprocess cannot wait for inf or nan seconds.
MAX_SIGN_COMMAND_TIMEOUT = 86400.0
