"""HyenaDNA's modelling code for the zoo's HyenaDNA checkpoints, taken from the installed ``anticapt`` wheel.

The code (LongSafari's ``modeling_hyena.py``, ``configuration_hyena.py``; GPL-3.0, shipped by the PyPI wheel
``anticapt``) is never committed here: a checkpoint folder holds the weights, config and tokenizer, and
``python -m zoo.hyena_code FOLDER …`` copies the two code files beside them (the copies are gitignored), so that
``--model hf-causal:FOLDER --trust-remote-code`` loads them. Install the wheel with
``pip install --no-deps anticapt``.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

WHEEL_CHECKPOINT = Path("models", "dataset1", "finetuned_hyenadna")
CODE_FILES = ("modeling_hyena.py", "configuration_hyena.py")
INSTALL = "pip install --no-deps anticapt"


def wheel_checkpoint() -> Path:
    """The HyenaDNA-tiny checkpoint folder inside the installed ``anticapt`` wheel; RuntimeError when absent."""
    spec = importlib.util.find_spec("anticapt")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"HyenaDNA's code comes from the PyPI wheel anticapt, which is not installed: {INSTALL}")
    folder = Path(list(spec.submodule_search_locations)[0]) / WHEEL_CHECKPOINT
    missing = [name for name in CODE_FILES + ("config.json",) if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"the installed anticapt lacks {missing} in {folder}; reinstall it: {INSTALL}")
    return folder


def install_code(folder: Path) -> list[Path]:
    """Copy the wheel's HyenaDNA code files into ``folder`` (a checkpoint whose config maps to them)."""
    source = wheel_checkpoint()
    copied = []
    for name in CODE_FILES:
        shutil.copyfile(source / name, Path(folder) / name)
        copied.append(Path(folder) / name)
    return copied


def main(argv=None) -> int:
    folders = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not folders:
        print("usage: python -m zoo.hyena_code CHECKPOINT_FOLDER ...", file=sys.stderr)
        return 2
    for folder in folders:
        if not (folder / "config.json").is_file():
            print(f"{folder}: not a checkpoint folder (no config.json)", file=sys.stderr)
            return 2
        install_code(folder)
        print(f"{folder}: HyenaDNA code copied from {wheel_checkpoint()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
