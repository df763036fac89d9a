"""The build lock: one build of an index at a time, across threads and processes."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

LOCK_FILE = ".lock"


class BuildLocked(RuntimeError):
    """Another build of the same index is running."""


class BuildLock:
    """Exclusive lock on an index directory for the length of a build.

    Re-entrant within one thread, so that a caller can hold the lock across
    "change the articles, then build" (an upload is refused before it is
    saved when another build runs). Another thread or process gets
    :class:`BuildLocked` at once, never a wait.

    Raises:
        BuildLocked: On entry, when another process or thread holds the lock.
    """

    _held: dict[Path, tuple[int, int]] = {}
    _guard = threading.Lock()

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / LOCK_FILE
        self.handle = None
        self._key = self.path.absolute()

    def __enter__(self) -> "BuildLock":
        me = threading.get_ident()
        with self._guard:
            owner, depth = self._held.get(self._key, (None, 0))
            if owner == me:
                self._held[self._key] = (me, depth + 1)
                return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            owner_pid = self.handle.read().strip() or "unknown"
            self.handle.close()
            self.handle = None
            raise BuildLocked(
                f"Another build of {self.path.parent} is running (pid {owner_pid}); wait for it to finish."
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        with self._guard:
            self._held[self._key] = (me, 1)
        return self

    def __exit__(self, *exc_info) -> None:
        with self._guard:
            owner, depth = self._held.get(self._key, (None, 0))
            if self.handle is None:  # an inner, re-entered use
                self._held[self._key] = (owner, depth - 1)
                return
            del self._held[self._key]
        self.handle.seek(0)
        self.handle.truncate()
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        self.handle = None


def build_running(index_dir: Path) -> bool:
    """Tell whether a build of ``index_dir`` holds its lock right now."""
    try:
        with BuildLock(index_dir):
            return False
    except BuildLocked:
        return True
