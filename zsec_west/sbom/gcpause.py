"""Bulk work without the cyclic garbage collector."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection for the duration (restored after).

    Indexing a feed or hashing a build makes millions (thousands) of small objects that live
    until the work is done, and the collector walks all of them again and again as they pile
    up: two thirds of an index build went to it. They hold no reference cycles that matter:
    reference counting frees them just the same, and anything cyclic waits for the next
    collection after the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
