"""The fan-out's progress: one line per model as its state changes, and an estimate of the time left."""

from __future__ import annotations

import time
from typing import Callable

STATES = ("queued", "loading", "scoring", "done", "failed")


class ProgressBoard:
    """Where every task says how its model is doing; run as a Ray actor so tasks on any node can report.

    ``snapshot()`` is ``{spec: {"state", "done", "total", "attempt", "pid", "started", "finished"}}``; times are
    ``time.time()`` seconds.
    """

    def __init__(self, specs: list[str]):
        self.models = {spec: {"state": "queued", "done": 0, "total": 0, "attempt": 0, "pid": None,
                              "started": None, "finished": None} for spec in specs}

    def started(self, spec: str, pid: int) -> int:
        """A task began work on ``spec`` in process ``pid``; returns the attempt number (2+ after a retry)."""
        model = self.models[spec]
        model.update(state="loading", done=0, total=0, pid=pid, started=time.time())
        model["attempt"] += 1
        return model["attempt"]

    def update(self, spec: str, state: str, done: int, total: int) -> None:
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}; one of {STATES}")
        self.models[spec].update(state=state, done=done, total=total)

    def finished(self, spec: str, ok: bool) -> None:
        self.models[spec].update(state="done" if ok else "failed", finished=time.time())

    def snapshot(self) -> dict:
        return {spec: dict(model) for spec, model in self.models.items()}


def state_text(model: dict) -> str:
    retry = f" (attempt {model['attempt']})" if model["attempt"] > 1 else ""
    if model["state"] == "scoring" and model["total"]:
        return f"scoring {model['done']:,}/{model['total']:,}{retry}"
    return model["state"] + retry


def time_left(snapshot: dict, slots: int, now: float | None = None) -> float | None:
    """Seconds until every model is done, from the mean wall time of the models done so far (None before the
    first finishes): running models are assumed half done, queued ones wait for a free slot."""
    now = time.time() if now is None else now
    walls = [m["finished"] - m["started"] for m in snapshot.values() if m["state"] in ("done", "failed")
             and m["started"] is not None and m["finished"] is not None]
    if not walls:
        return None
    mean = sum(walls) / len(walls)
    running = [m for m in snapshot.values() if m["state"] in ("loading", "scoring")]
    queued = sum(m["state"] == "queued" for m in snapshot.values())
    running_left = max((max(mean - (now - m["started"]), 0.0) for m in running if m["started"]), default=0.0)
    return running_left + mean * -(-queued // max(slots, 1))


class ProgressPrinter:
    """Prints a model's line when its state (or, while scoring, its count at most every ``interval`` s) changes."""

    def __init__(self, write: Callable[[str], None], slots: int, interval: float = 10.0):
        self.write, self.slots, self.interval = write, slots, interval
        self._shown: dict[str, tuple] = {}
        self._last_count: dict[str, float] = {}

    def show(self, snapshot: dict) -> None:
        now = time.time()
        changed = False
        for spec, model in snapshot.items():
            key = (model["state"], model["attempt"])
            counting = model["state"] == "scoring" and self._shown.get(spec, (None,))[:2] == key
            if self._shown.get(spec, (None, None))[:2] == key and not (
                    counting and now - self._last_count.get(spec, 0) >= self.interval
                    and self._shown[spec][2] != model["done"]):
                continue
            self._shown[spec] = (*key, model["done"])
            self._last_count[spec] = now
            self.write(f"fanout: {spec}: {state_text(model)}")
            changed = True
        if changed:
            done = sum(m["state"] in ("done", "failed") for m in snapshot.values())
            left = time_left(snapshot, self.slots, now)
            estimate = "" if left is None or done == len(snapshot) else (
                f"; about {left:,.0f} s left" if left >= 1 else "; the last models are finishing")
            self.write(f"fanout: {done}/{len(snapshot)} models finished{estimate}")
