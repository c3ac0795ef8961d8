"""Running Python's cyclic garbage collector less often while a big ledger is read or written.

An import holds its rows (a hundred thousand small objects) for its whole run; with the default
thresholds the generational collector scans them again and again, about a tenth of an import's time.
The rows form no reference cycles, so collecting rarely frees the same memory. The thresholds are
process-wide: nested or concurrent imports share one relaxation, and the last to finish restores them.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RELAXED = (100_000, 50, 100)
_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*RELAXED)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                gc.set_threshold(*_saved)
