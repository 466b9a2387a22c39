"""Verifying an image against a key set, as a bootloader built with several keys does."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from zsec_west.keys.encoding import PublicKey
from zsec_west.keys.pem import PrivateKey
from zsec_west.mcuboot.verify import Check, VerifyResult, verify_image


def verify_with_keys(data: bytes | memoryview, keys: Sequence[PublicKey], *,
                     decrypt_key: PrivateKey | None = None, slot_size: int | None = None) -> VerifyResult:
    """Check an image against a key set, as a bootloader built with several keys does: valid when
    it verifies with any of them (`key_index` says which). Without keys, the hash alone."""
    if len(keys) <= 1:
        result = verify_image(data, keys[0] if keys else None, decrypt_key=decrypt_key, slot_size=slot_size)
        return dataclasses.replace(result, key_index=0) if keys and result.ok else result
    first: VerifyResult | None = None
    for index, key in enumerate(keys):
        result = verify_image(data, key, decrypt_key=decrypt_key, slot_size=slot_size)
        if result.ok:
            matched = Check("key-set", "pass", f"key {index + 1} of {len(keys)} verifies the image")
            return dataclasses.replace(result, key_index=index, checks=(*result.checks, matched))
        first = first or result
    assert first is not None
    none = Check("key-set", "fail", f"none of the {len(keys)} keys verifies the image")
    return dataclasses.replace(first, checks=(*first.checks, none))
