"""``python -m fixtures``: every sequence of a set, with its id, as FASTA."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.fasta import read_fasta
from fixtures.sets import build_all_sets

ROOT = Path(__file__).resolve().parents[1]


def write_set(tmp_path, *args):
    out = tmp_path / "set.fasta"
    proc = subprocess.run([sys.executable, "-m", "fixtures", *args, "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return proc, out


def test_core_set_is_written_with_ids_in_set_order(tmp_path):
    proc, out = write_set(tmp_path, "--set", "core")
    assert proc.returncode == 0, proc.stderr
    ids, sequences = read_fasta(out)
    sets = build_all_sets()
    assert ids == [i for s in sets.values() for i in s.ids]
    assert sequences == [q for s in sets.values() for q in s.sequences]
    assert sets["core"].sha256 in proc.stderr


def test_seed_changes_the_sequences(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, default = write_set(tmp_path / "a", "--set", "core")
    _, other = write_set(tmp_path / "b", "--set", "core", "--seed", "7")
    assert read_fasta(default)[0] == read_fasta(other)[0] and read_fasta(default)[1] != read_fasta(other)[1]


def test_mit_v1_set_has_the_papers_650_sequences(tmp_path):
    data = Path(os.environ.get("MIT_DATA_DIR", ROOT.parent / "shared" / "data")).resolve()
    if not (data / "mit_v1" / "sequences" / "all_sequences.json").exists():
        pytest.skip(f"needs the paper's data under {data} (set MIT_DATA_DIR)")
    env = {**os.environ, "MIT_DATA_DIR": str(data)}
    out = tmp_path / "v1.fasta"
    proc = subprocess.run([sys.executable, "-m", "fixtures", "--set", "mit-v1", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    ids, sequences = read_fasta(out)
    assert len(ids) == 650 and ids[0] == "A_000" and ids[-1] == "H_049"
    assert all(len(s) == 100 and not s.strip("ACGT") for s in sequences)
