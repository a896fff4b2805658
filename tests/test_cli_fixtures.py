"""``python -m fixtures``: every sequence of a set, with its id, as FASTA."""

import subprocess
import sys

import pytest

from fixtures.__main__ import main
from fixtures.canary import build_canary_set
from fixtures.fasta import read_fasta
from fixtures.natural import with_natural
from fixtures.sets import build_all_sets
from tests.conftest import DATA, ROOT


def write_set(tmp_path, capsys, *args):
    out = tmp_path / "set.fasta"
    code = main([*args, "--out", str(out)])
    return code, capsys.readouterr().err, out


def run_sets(seed: int = 42) -> dict:
    """Every set of a default run: the natural set too when its data are here (a ``scores:`` file of this FASTA
    must cover the whole run)."""
    return with_natural(build_all_sets(seed), seed)


def test_core_set_is_written_with_ids_in_set_order_then_the_canary(tmp_path, capsys):
    code, stderr, out = write_set(tmp_path, capsys, "--set", "core")
    assert code == 0, stderr
    ids, sequences = read_fasta(out)
    sets = {**run_sets(), "canary": build_canary_set()}
    assert ids == [i for s in sets.values() for i in s.ids]
    assert sequences == [q for s in sets.values() for q in s.sequences]
    assert sets["core"].sha256 in stderr and sets["canary"].sha256 in stderr
    # Both kinds of canary sequence, so a replayed likelihood file can be canaried.
    assert any(i.startswith("repeat") for i in ids) and any(i.startswith("uniform_") for i in ids)


def test_seed_changes_the_sequences(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, _, default = write_set(tmp_path / "a", capsys, "--set", "core")
    _, _, other = write_set(tmp_path / "b", capsys, "--set", "core", "--seed", "7")
    assert read_fasta(default)[0] == read_fasta(other)[0] and read_fasta(default)[1] != read_fasta(other)[1]


def test_mit_v1_set_has_the_papers_650_sequences(tmp_path, capsys, monkeypatch):
    if not (DATA / "mit_v1" / "sequences" / "all_sequences.json").exists():
        pytest.skip(f"needs the paper's data under {DATA} (set MIT_DATA_DIR)")
    monkeypatch.setenv("MIT_DATA_DIR", str(DATA))
    code, stderr, out = write_set(tmp_path, capsys, "--set", "mit-v1")
    assert code == 0, stderr
    ids, sequences = read_fasta(out)
    canary = build_canary_set()
    assert len(ids) == 650 + len(canary) and ids[0] == "A_000" and ids[649] == "H_049"
    assert ids[650:] == list(canary.ids)
    assert all(len(s) == 100 and not s.strip("ACGT") for s in sequences[:650])


@pytest.mark.e2e
def test_python_m_fixtures_runs_as_a_command(tmp_path):
    out = tmp_path / "core.fasta"
    proc = subprocess.run([sys.executable, "-m", "fixtures", "--set", "core", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and f"to {out}" in proc.stderr, proc.stderr
    assert len(read_fasta(out)[0]) == sum(len(s) for s in run_sets().values()) + len(build_canary_set())


def test_without_natural_data_the_core_sets_are_written_and_the_reason_printed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MIT_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MIT_OFFLINE", "1")
    code, stderr, out = write_set(tmp_path, capsys, "--set", "core")
    assert code == 0, stderr
    assert read_fasta(out)[0] == [i for s in {**build_all_sets(), "canary": build_canary_set()}.values() for i in s.ids]
    assert "natural: not written" in stderr and "curl -L --create-dirs" in stderr
