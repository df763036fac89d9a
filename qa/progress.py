"""Build progress: the callback type, its units, rate and time left, and
the terminal bars (the CLI and the app's first start share them)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during a build."""

# The embedding stages count tokens (their time grows with tokens); the
# other stages count texts or steps.
TOKEN_STAGES = frozenset({"embedding passages", "embedding sentences"})


def stage_unit(stage: str) -> str:
    """Return what a stage counts: ``token`` or ``text``."""
    return "token" if stage in TOKEN_STAGES else "text"


@dataclass(frozen=True)
class Pace:
    """How fast the running stage goes.

    Attributes:
        per_second: Units (``stage_unit``) per second, None until measurable.
        seconds_left: Estimated time to finish the stage, None until measurable.
    """

    per_second: float | None = None
    seconds_left: float | None = None


class StageClock:
    """Measures the rate and time left of the running build stage.

    Args:
        clock: Monotonic clock (replaced in tests).
    """

    # Below this much elapsed time a rate is mostly noise (model warm-up).
    MIN_SECONDS = 0.5

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stage: str | None = None
        self._started = 0.0
        self._start_done = 0

    def update(self, stage: str, done: int, total: int) -> Pace:
        """Record progress and return the pace so far.

        Args:
            stage: Stage name; a new name restarts the clock.
            done: Units done.
            total: Units in the stage.
        """
        now = self._clock()
        if stage != self._stage or done < self._start_done:
            self._stage, self._started, self._start_done = stage, now, done
            return Pace()
        elapsed = now - self._started
        if elapsed < self.MIN_SECONDS or done <= self._start_done:
            return Pace()
        rate = (done - self._start_done) / elapsed
        return Pace(rate, max(0, total - done) / rate)


def terminal_progress(enabled: bool) -> Progress | None:
    """Return a build progress callback drawing tqdm bars on standard error.

    The embedding bars count tokens, so tqdm's rate is tokens/s and its ETA
    follows the work left, not the number of passages.

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
            bar = bars[stage] = tqdm(total=total, desc=stage, unit=stage_unit(stage), unit_scale=True,
                                     leave=False, file=sys.stderr)
        bar.total = total
        bar.update(done - bar.n)

    return progress
