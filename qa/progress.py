"""Build progress on a terminal (the CLI and the app's first start share it)."""

from __future__ import annotations

import sys
from typing import Callable

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during a build."""


def terminal_progress(enabled: bool) -> Progress | None:
    """Return a build progress callback drawing tqdm bars on standard error.

    Args:
        enabled: False returns None (no progress shown), for JSON output or
            when standard error is not a terminal.

    Returns:
        The callback, or None.
    """
    if not enabled:
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="text", leave=False, file=sys.stderr)
        bar.total = total
        bar.n = done
        bar.refresh()

    return progress
