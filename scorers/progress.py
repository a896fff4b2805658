"""Progress lines for long scoring runs: sequences done, sequences per second, time left, cache hits."""

from __future__ import annotations

import time
from typing import Callable

Progress = Callable[[int, int, int], None]


class ScoringProgress:
    """A ``progress(done, total, cached)`` callback for :func:`scorers.runner.score_sequences`.

    ``total`` is what must be scored now (distinct sequences the cache did not hold), ``cached`` what the cache
    held. The runner calls it with ``done = 0`` first (unless the cache held everything) and ``done = total``
    last; in between this writes a line at most every ``interval`` seconds, and at the end one line with the
    wall time and the rate.
    """

    def __init__(self, name: str, write: Callable[[str], None], *, interval: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.write = write
        self.interval = interval
        self.clock = clock
        self._start: float | None = None
        self._last = 0.0

    def __call__(self, done: int, total: int, cached: int) -> None:
        now = self.clock()
        if self._start is None:
            self._start = self._last = now
        elapsed = now - self._start
        if done >= total:
            self._start = None
            if total == 0:
                self.write(f"mit: {self.name}: all {cached:,} sequences from the score cache")
            else:
                rate = f"{total / elapsed:,.1f}/s" if elapsed > 0 else "instant"
                self.write(f"mit: {self.name}: {total:,} sequences scored in {elapsed:,.1f} s ({rate}); "
                           f"{cached:,} from the score cache")
            return
        if done > 0 and now - self._last >= self.interval:
            self._last = now
            rate = done / elapsed
            self.write(f"mit: {self.name}: {done:,}/{total:,} sequences scored ({rate:,.1f}/s, about "
                       f"{(total - done) / rate:,.0f} s left)")
