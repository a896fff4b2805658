"""``--mit-timeout``: a time budget per model, so that a hung scorer becomes an error for that model only.

Python cannot kill a thread. The watchdog runs each call of the model (loading, scoring) in a daemon thread and
stops *waiting* when the model's budget is spent: the call is abandoned, the model is marked timed out (every
later call raises at once, without touching the scorer again), and the run goes on to the other models and
writes its report. The abandoned thread keeps running until the process exits, which it does not delay (daemon
threads are not joined at exit). A scorer stuck in C code that holds the GIL stops every thread, the watchdog
included: only running the scorer in another process could stop that.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class ScoringTimeout(RuntimeError):
    """A model's calls took longer than its ``--mit-timeout`` budget (said once in the terminal)."""

    said_once = True


class Watchdog:
    """Runs one model's calls within ``budget_s`` seconds in all (None: no limit, calls run directly)."""

    def __init__(self, name: str, budget_s: float | None):
        self.name = name
        self.budget_s = budget_s
        self.spent_s = 0.0
        self.timed_out = False

    def call(self, function: Callable[..., T], *args, **kwargs) -> T:
        """``function(*args, **kwargs)``, or ScoringTimeout once the budget is spent (now or earlier)."""
        if self.budget_s is None:
            return function(*args, **kwargs)
        if self.timed_out:
            raise self._timeout()
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["value"] = function(*args, **kwargs)
            except BaseException as exc:     # noqa: BLE001 - handed to the waiting thread, which re-raises it
                outcome["error"] = exc

        worker = threading.Thread(target=run, name=f"mit scoring {self.name}", daemon=True)
        start = time.monotonic()
        worker.start()
        worker.join(max(0.0, self.budget_s - self.spent_s))
        self.spent_s += time.monotonic() - start
        if worker.is_alive():
            self.timed_out = True
            raise self._timeout()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def _timeout(self) -> ScoringTimeout:
        return ScoringTimeout(f"{self.name} did not finish within --mit-timeout {self.budget_s:g} s (loading and "
                              "scoring together); its call was abandoned and the model is not called again")
