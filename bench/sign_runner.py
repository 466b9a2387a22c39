"""Minimal command line over the zsec signing core, so the benchmark can time it as a fresh process
(like `imgtool`). Not a user interface: `zsec sign` is.

    sign_runner.py sign KEY INFILE OUTFILE SLOT_SIZE
    sign_runner.py verify KEY IMAGE
    sign_runner.py core KEY INFILE SLOT_SIZE REPEAT   (prints best in-process times and peaks as JSON)
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zsec_west.keys.pem import load_public_key  # noqa: E402
from zsec_west.mcuboot.hexio import read_input, signing_input  # noqa: E402
from zsec_west.mcuboot.verify import verify_image  # noqa: E402
from zsec_west.sign.image import ImageOptions, create_image  # noqa: E402
from zsec_west.sign.imagefile import write_output  # noqa: E402
from zsec_west.sign.pemsigner import PemSigner  # noqa: E402


def main(argv: list[str]) -> int:
    if argv[0] == "sign":
        key, infile, outfile, slot = argv[1:5]
        payload, base = signing_input(infile)  # as `zsec sign` does: a .bin is read into the image buffer
        options = ImageOptions(header_size=0x200, slot_size=int(slot, 0), version="1.2.3", pad_header=True)
        signed = create_image(payload, options, PemSigner.from_file(key))
        write_output(outfile, signed, input_base=base)
        return 0
    if argv[0] == "verify":
        key, image = argv[1:3]
        return 0 if verify_image(read_input(image).data, load_public_key(key)).ok else 1
    if argv[0] == "core":
        key, infile, slot, repeat = argv[1:5]
        print(json.dumps(core_times(Path(infile).read_bytes(), key, int(slot, 0), int(repeat))))
        return 0
    raise SystemExit(__doc__)


def core_times(data: bytes, key: str, slot: int, repeat: int) -> dict[str, float]:
    """Best times of create_image, verify_image and one hashlib SHA-256 pass over `data`, and the
    peak memory (bytes, traced, beyond `data`) of one more create_image and verify_image each."""
    signer = PemSigner.from_file(key)
    options = ImageOptions(header_size=0x200, slot_size=slot, version="1.2.3", pad_header=True)
    times: dict[str, list[float]] = {"sign": [], "verify": [], "sha256": []}
    for _ in range(repeat):
        start = time.perf_counter()
        image = create_image(data, options, signer).data
        times["sign"].append(time.perf_counter() - start)
        start = time.perf_counter()
        assert verify_image(image, signer.public_key()).ok
        times["verify"].append(time.perf_counter() - start)
        start = time.perf_counter()
        hashlib.sha256(data).digest()
        times["sha256"].append(time.perf_counter() - start)
    result = {name: min(values) for name, values in times.items()}
    del image  # not counted in the peaks below
    # Measured apart from the timings: tracemalloc slows every allocation down.
    tracemalloc.start()
    image = create_image(data, options, signer).data
    result["sign_peak"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    verify_image(image, signer.public_key())
    result["verify_peak"] = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
