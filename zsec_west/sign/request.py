"""What a signing run is asked to do, and what it did: the values `sign_build` and `sign_file` take
and return, so that a script signs a build the way `zsec sign` does without a command line."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from zsec_west.sign.overrides import ImageOverrides
from zsec_west.sign.signer import DEFAULT_TIMEOUT

Prompt = Callable[[str], str]
VectorMode = Literal["payload", "digest"]


@dataclass(frozen=True)
class Signing:
    """Who signs, and how passphrases and PINs are found.

    `key` is a private PEM file or a pkcs11: URI; `sign_command` an external signer that checks
    against `sign_command_pubkey` (or `key` as a public PEM); `fixed_signature` a base64 signature
    file made elsewhere with its signer's `fixed_signature_pubkey`. None of them: hash-only images.
    Passphrases and PINs come from `environ[password_env]`, else from `prompt` (None: never ask).
    """

    key: str | None = None
    password_env: str | None = None
    sign_command: str | Sequence[str] | None = None
    sign_command_pubkey: str | None = None
    sign_command_timeout: float = DEFAULT_TIMEOUT
    fixed_signature: str | Path | None = None
    fixed_signature_pubkey: str | Path | None = None
    allow_dev_key: bool = False  # accept a publicly known development key (test images only)
    allow_untrusted_key: bool = False  # sign from a build with a key its bootloader does not trust
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    prompt: Prompt | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Outputs:
    """What a run writes beside the images."""

    manifest: Path | None = None  # JSON record of every file written
    signature: Path | None = None  # the one signature of the run, base64 (imgtool's --sig-out)
    vector_to_sign: VectorMode | None = None  # write what must be signed instead of images


@dataclass(frozen=True)
class SignBuildRequest:
    """Sign every image MCUboot loads in a Zephyr build, as its CMake signing step would.

    Precedence for every image parameter: `overrides`, then the build's
    CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS, then what the build decided (sign/plan.py, or
    sign/tfmplan.py for a TF-M build), then imgtool's defaults. `infile`/`outfile` sign one file
    with the build's parameters instead of its outputs. The signing key must be one the build's
    bootloader trusts (sign/trust.py) unless `signing.allow_untrusted_key`.
    """

    build_dir: Path
    domains: tuple[str, ...] = ()  # empty: every image MCUboot loads
    signing: Signing = Signing()
    overrides: ImageOverrides = ImageOverrides()
    encryption_key: str | None = None  # -E: wins over the build's and EXTRA_IMGTOOL_ARGS' key
    outputs: Outputs = Outputs()
    infile: Path | None = None
    outfile: Path | None = None
    west_topdir: Path | None = None  # for relative key paths; None: found from the build's ZEPHYR_BASE
    secure: bool = False  # TF-M builds: sign the secure image too (tfm_s_signed.*)
    secure_key: str | None = None  # TF-M builds: the secure image's key (default: `signing.key`)


@dataclass(frozen=True)
class SignFileRequest:
    """Sign one file with explicit parameters, the imgtool way (-H, -S and -v are required)."""

    infile: Path
    outfile: Path
    signing: Signing = Signing()
    overrides: ImageOverrides = ImageOverrides()
    encryption_key: str | None = None
    outputs: Outputs = Outputs()


@dataclass(frozen=True)
class CustomTlv:
    """A custom TLV of a signed image (its content is not kept: only what a report says)."""

    tag: int
    size: int
    source: str  # the option that gave it, and where that option was written


@dataclass(frozen=True)
class SignedOutput:
    """One file a run wrote."""

    domain: str | None  # None when signing explicitly
    variant: str  # "signed", "signed.confirmed", "signed.encrypted", ... or "explicit"
    input: Path
    output: Path
    size: int  # bytes written
    vector: VectorMode | None = None  # set when the file is what must be signed, not an image
    version: str | None = None
    key_type: str | None = None  # None: hash only (or a vector)
    key_sha256: str | None = None  # fingerprint of the public key
    key_source: str | None = None  # where the key lives (path, redacted pkcs11: URI, command)
    development_key: str | None = None  # the published development key that signed it, if allowed
    signed: bool = False  # the image carries a signature
    kind: str = "image"  # "image", or "merged" for a file made of several images (tfm_merged.hex)
    custom_tlvs: tuple[CustomTlv, ...] = ()


@dataclass(frozen=True)
class SignRun:
    """What a run did: every file written, in order, and what it warns about."""

    outputs: tuple[SignedOutput, ...]
    build_dir: Path | None = None
    warnings: tuple[str, ...] = ()  # the build is signed, but something deserves a look
    notes: tuple[str, ...] = ()  # worth knowing, nothing to fix
    manifest: Path | None = None
    signature_file: Path | None = None

    @property
    def images(self) -> tuple[SignedOutput, ...]:
        return tuple(o for o in self.outputs if o.vector is None and o.kind == "image")

    @property
    def hash_only(self) -> tuple[SignedOutput, ...]:
        """Images nobody signed: MCUboot cannot authenticate them."""
        return tuple(o for o in self.images if not o.signed)
