"""Progress of a long step on the console: what is being done, a count now and then, the time.

A first start (database, demo data, signing certificates) takes a minute on a small machine: each
step says what it does before it starts, counts while it runs (at most once a second, so a log
file stays short) and ends with what it made and how long it took.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Write = Callable[[str], None]


class Progress:
    """``with Progress(write, "Signing certificates", 51) as step: ... step.advance()``."""

    def __init__(self, write: Write, title: str, total: int, *, every: float = 1.0) -> None:
        self.write = write
        self.title = title
        self.total = total
        self.done = 0
        self.every = every
        self._lock = threading.Lock()  # advance() may be called from worker threads
        self._started = self._last = 0.0

    def __enter__(self) -> Progress:
        self._started = self._last = time.monotonic()
        self.write(f"{self.title}: {self.total} to do…" if self.total else f"{self.title}…")
        return self

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count
            now = time.monotonic()
            if now - self._last >= self.every and self.done < self.total:
                self._last = now
                self.write(f"  {self.done}/{self.total}")

    def elapsed(self) -> str:
        return f"{time.monotonic() - self._started:.1f} s"

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.write(f"  {self.title}: done in {self.elapsed()}")
