"""The `--manifest FILE` record of a signing run: which image was signed from what, how, and with which key.

One JSON document per run, one entry per file written, so a release pipeline can archive
exactly what it shipped (and an auditor can see which key signed which image, a question
sysbuild builds otherwise leave open).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from zsec_west.report.envelope import envelope
from zsec_west.sign.image import SignedImage
from zsec_west.sign.request import CustomTlv


@dataclass(frozen=True)
class SignedFile:
    """One output file and where it came from."""

    domain: str | None
    variant: str  # "signed", "signed.confirmed", ... or "explicit" for INFILE/OUTFILE runs
    input_path: Path
    input_size: int
    input_sha256: str
    output_path: Path
    output_data: bytes | bytearray  # the image buffer itself, not a copy
    image: SignedImage
    key_source: str | None  # where the key lives (file path, redacted pkcs11: URI, command)
    dev_key: str | None = None  # name of the published development key, if one was allowed
    custom_tlvs: tuple[CustomTlv, ...] = ()

    def entry(self) -> dict[str, object]:
        image = self.image
        header = image.header
        summary = image.summary()
        return {
            "domain": self.domain,
            "variant": self.variant,
            "input": {"path": str(self.input_path), "size": self.input_size,
                      "sha256": self.input_sha256},
            "output": {"path": str(self.output_path), "size": len(self.output_data),
                       "sha256": hashlib.sha256(self.output_data).hexdigest()},
            "version": str(header.version),
            "header_size": header.hdr_size,
            "payload_size": header.img_size,
            "image_size": image.image_size,
            "slot_size": image.options.slot_size,
            "align": image.options.align,
            "padded": image.options.padded,
            "confirmed": image.options.confirm,
            "flags": header.flags,
            "hash": {"algorithm": image.hash_name, "digest": image.digest.hex()},
            "signature_type": image.signature_type,
            "key": None if image.key_type is None else {
                "type": image.key_type,
                "sha256": summary["key_sha256"],
                "key_hash_tlv": image.key_hash.hex() if image.key_hash else None,
                "source": self.key_source,
                "development_key": self.dev_key,
            },
            "encryption": image.encryption,
            "compression": image.compression,
            "custom_tlvs": [{"tag": t.tag, "size": t.size, "source": t.source} for t in self.custom_tlvs],
        }


def manifest_document(files: list[SignedFile], build_dir: Path | None = None) -> dict[str, object]:
    """The shared envelope (zsec_west/data/schemas/sign-manifest.schema.json), then the images."""
    shown = str(build_dir) if build_dir else None
    return {
        **envelope("sign manifest", {"build_dir": shown}),
        "build_dir": shown,
        "images": [f.entry() for f in files],
    }


def manifest_text(files: list[SignedFile], build_dir: Path | None = None) -> str:
    return json.dumps(manifest_document(files, build_dir), indent=2, sort_keys=False) + "\n"
