"""A bounded, least-recently-used memo for one process, safe across its threads.

For values whose key already says they are current (a digest of what they show, a generation
counter): what is remembered can only be dropped, never go stale. Used by the command centre's
tables and counts (egov.reporting), the consultation page's comments (egov.consultation) and
the catalogue's search results (egov.catalog.results).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class Memo:
    """A bounded least-recently-used map with an age limit, safe across one process's
    threads. ``seconds`` None: no age limit (the key alone says the value is current).
    ``size`` may be a function, read at each ``put`` (a setting a test may change)."""

    def __init__(self, size: int | Callable[[], int], seconds: float | None = None):
        self.size, self.seconds = size, seconds
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            made, value = found
            if self.seconds is not None and time.monotonic() - made > self.seconds:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            size = self.size() if callable(self.size) else self.size
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
