"""Which models a fan-out scores: a file of ``--model`` specs, or a glob of one training run's checkpoints."""

from __future__ import annotations

import glob
import re
from pathlib import Path

_STEP = re.compile(r"(\d+)(?!.*\d)")


def read_model_list(path) -> list[str]:
    """The specs of a file with one ``--model`` spec a line (``#`` comments and blank lines ignored).

    ValueError naming the file and line for a spec given twice, or for a file with no spec.
    """
    specs, seen = [], {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        spec = raw.split("#", 1)[0].strip()
        if not spec:
            continue
        if spec in seen:
            raise ValueError(f"{path}:{number}: {spec} is listed twice (first on line {seen[spec]})")
        seen[spec] = number
        specs.append(spec)
    if not specs:
        raise ValueError(f"{path}: lists no model")
    return specs


def checkpoint_series(pattern: str, kind: str) -> list[tuple[int, str]]:
    """``[(step, "KIND:FOLDER"), ...]`` for the folders ``pattern`` matches, ordered by step: the last number in
    each folder's name (``run/checkpoint-1200`` is step 1200).

    ValueError when nothing matches, a folder's name has no number, or two folders share a step.
    """
    folders = sorted(p for p in glob.glob(pattern) if Path(p).is_dir())
    if not folders:
        raise ValueError(f"--checkpoints {pattern!r} matches no folder")
    steps: dict[int, str] = {}
    for folder in folders:
        found = _STEP.search(Path(folder).name)
        if not found:
            raise ValueError(f"--checkpoints: {folder} has no step number in its name (e.g. checkpoint-1200)")
        step = int(found.group(1))
        if step in steps:
            raise ValueError(f"--checkpoints: {steps[step]} and {folder} are both step {step}")
        steps[step] = folder
    return [(step, f"{kind}:{steps[step]}") for step in sorted(steps)]
