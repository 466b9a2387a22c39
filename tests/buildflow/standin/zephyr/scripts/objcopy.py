"""Stand-in for the compiler, the linker and objcopy: no toolchain is needed.

  objcopy.py link OUT.elf SOURCE...                        "links": OUT.elf from the sources
  objcopy.py convert IN.elf OUT.bin OUT.hex HEADER ADDRESS  zephyr.bin (HEADER zero bytes, then the
                                                           image) and zephyr.hex (the same at ADDRESS)

The "ELF" is a few KiB of bytes derived from the sources, so that changing a source changes the
image, as a real relink would.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def link(out: str, sources: list[str]) -> None:
    digest = hashlib.sha256()
    for source in sorted(sources):
        digest.update(Path(source).read_bytes())
    seed = digest.digest()
    body = b"".join(hashlib.sha256(seed + i.to_bytes(4, "little")).digest() for i in range(128))
    Path(out).write_bytes(b"\x7fELF-standin\n" + body)


def convert(elf: str, bin_out: str, hex_out: str, header: str, address: str) -> None:
    from intelhex import IntelHex  # a dependency of zsec-west (and of imgtool)

    payload = Path(elf).read_bytes()[len(b"\x7fELF-standin\n"):]
    image = bytes(int(header, 0)) + payload
    Path(bin_out).write_bytes(image)
    ihex = IntelHex()
    ihex.frombytes(image, offset=int(address, 0))
    ihex.write_hex_file(hex_out)


if __name__ == "__main__":
    if sys.argv[1] == "link":
        link(sys.argv[2], sys.argv[3:])
    else:
        convert(*sys.argv[2:7])
