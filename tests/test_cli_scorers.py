"""``python -m scorers``: FASTA in, ``id,sequence,score[,per_nucleotide]`` CSV out."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fixtures.grammar import CONSENSUS_35, INTACT_10, MINUS_10, MINUS_35, draw_background, paste
from scorers.__main__ import main
from scorers.registry import resolve
from tests.conftest import ROOT

def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m scorers ARGS`` in this process: the exit code and what it printed, as a CompletedProcess."""
    import contextlib
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(list(args))
        except SystemExit as exc:            # argparse usage errors
            code = exc.code
    return subprocess.CompletedProcess(["python", "-m", "scorers", *args], code, stdout.getvalue(),
                                       stderr.getvalue())


def write_fasta(path: Path, records: dict[str, str], wrap: int = 60) -> Path:
    with open(path, "w") as fh:
        for sid, seq in records.items():
            fh.write(f">{sid} some description\n")
            for i in range(0, len(seq), wrap):
                fh.write(seq[i:i + wrap] + "\n")
    return path


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def promoters():
    seqs = {}
    for i in range(4):
        seq = draw_background(np.random.default_rng([7, i]))
        seqs[f"p{i}"] = paste(paste(seq, MINUS_35.start, CONSENSUS_35), MINUS_10.start, INTACT_10)
    return seqs


def test_pa_pwm_scores_a_fasta(tmp_path, promoters):
    fasta = write_fasta(tmp_path / "in.fasta", promoters)
    out = tmp_path / "out" / "scores.csv"
    result = run_cli("--model", "pa-pwm", "--fasta", str(fasta), "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "sequence", "score", "kind"] and {r["kind"] for r in rows} == {"energy"}
    assert [r["id"] for r in rows] == list(promoters) and [r["sequence"] for r in rows] == list(promoters.values())
    expected = resolve("pa-pwm").score(list(promoters.values()))
    np.testing.assert_array_equal([float(r["score"]) for r in rows], expected)


def test_hf_mlm_writes_per_nucleotide_values(tmp_path, promoters):
    from tests.tiny_models import make_esm_6mer

    folder = make_esm_6mer(tmp_path / "tiny-nt")
    fasta = write_fasta(tmp_path / "in.fasta", dict(list(promoters.items())[:2]) | {"short": "ACGTTGCAACGTA"})
    out = tmp_path / "scores.csv"
    result = run_cli("--model", f"hf-mlm:{folder}", "--fasta", str(fasta), "--out", str(out), "--batch-size", "7",
                     "--device", "cpu", "--cache", str(tmp_path / "cache.sqlite"))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "sequence", "score", "kind", "scored_nucleotides", "per_nucleotide"]
    for row in rows:
        values = np.array([float(v) for v in row["per_nucleotide"].split()])
        assert values.shape == (len(row["sequence"]),) and np.isfinite(values).all()
        assert row["kind"] == "likelihood" and int(row["scored_nucleotides"]) == len(row["sequence"])
        assert abs(values.sum() - float(row["score"])) < 1e-3 * max(1.0, abs(float(row["score"])))


def test_unknown_model_is_a_usage_error(tmp_path, promoters):
    fasta = write_fasta(tmp_path / "in.fasta", promoters)
    result = run_cli("--model", "no-such-model", "--fasta", str(fasta), "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 2 and "unknown --model 'no-such-model'" in result.stderr
    assert "pa-pwm" in result.stderr   # the accepted names are listed


def test_bad_sequence_names_its_id(tmp_path, promoters):
    records = dict(promoters) | {"broken": "ACGTN" * 20}
    fasta = write_fasta(tmp_path / "in.fasta", records)
    result = run_cli("--model", "pa-pwm", "--fasta", str(fasta), "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 1 and "broken" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_unavailable_model_exits_with_the_install_command(tmp_path, promoters):
    import importlib.util
    if importlib.util.find_spec("evo2") is not None:
        pytest.skip("evo2 is installed here")
    fasta = write_fasta(tmp_path / "in.fasta", promoters)
    result = run_cli("--model", "evo2-1b", "--fasta", str(fasta), "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 3 and "pip install evo2" in result.stderr


@pytest.mark.e2e
def test_python_m_scorers_runs_as_a_command_without_importing_torch(tmp_path, promoters):
    fasta = write_fasta(tmp_path / "in.fasta", promoters)
    out = tmp_path / "scores.csv"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "scorers", "--model", "pa-pwm", "--fasta",
                           str(fasta), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and f"to {out}" in proc.stderr, proc.stderr[-3000:]
    assert [r["id"] for r in read_csv(out)] == list(promoters)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "numpy" in imported, "importtime output not captured"
    assert not imported & {"torch", "transformers"}, sorted(imported & {"torch", "transformers"})
