"""Score files say what they scored: ``python -m fixtures`` names each set and its sha256 in the FASTA,
``python -m scorers`` carries them (and the scorer's kind and scored nucleotides) into its CSV, and ``scores:``
refuses a file scored on other sequences than the run's (DESIGN.md section 11)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from fixtures.__main__ import main as fixtures_main
from fixtures.canary import build_canary_set
from fixtures.fasta import read_fasta, read_fasta_sets
from fixtures.natural import with_natural
from fixtures.sequence_set import SequenceSet
from fixtures.sets import build_all_sets
from scorers.registry import resolve
from scorers.replay import ReplayScores
from scorers.scored_model import ScoredModel
from tests.conftest import run_mit
from tests.test_cli_scorers import run_cli


def run_sets(seed: int) -> dict:
    """The sets of a default run (the natural set too, when its data are here) and the canary's, as
    ``python -m fixtures`` writes them."""
    return {**with_natural(build_all_sets(seed), seed), "canary": build_canary_set(seed)}


@pytest.fixture(scope="module")
def core_fasta(tmp_path_factory):
    path = tmp_path_factory.mktemp("fasta") / "core.fasta"
    assert fixtures_main(["--set", "core", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def seed42_csv(core_fasta, tmp_path_factory):
    out = tmp_path_factory.mktemp("csv") / "pa-pwm.csv"
    result = run_cli("--model", "pa-pwm", "--fasta", str(core_fasta), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_the_fasta_names_each_set_and_its_sha256(core_fasta):
    sets = run_sets(42)
    blocks = read_fasta_sets(core_fasta)
    assert [(b.name, b.sha256, b.ids) for b in blocks] == [(s.name, s.sha256, s.ids) for s in sets.values()]
    assert read_fasta(core_fasta)[0] == [i for s in sets.values() for i in s.ids]
    core = sets["core"]
    assert core_fasta.read_text().startswith(f";mit-fasta set=core seed=42\n;mit-set core sequences={len(core)} "
                                             f"sha256={core.sha256}\n")


def test_an_edited_fasta_no_longer_matches_its_set_line(core_fasta, tmp_path):
    lines = core_fasta.read_text().splitlines()
    record = lines.index(">C_003") + 1
    lines[record] = ("A" if lines[record][0] != "A" else "C") + lines[record][1:]
    edited = tmp_path / "edited.fasta"
    edited.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="records of set core do not hash"):
        read_fasta_sets(edited)


def test_the_csv_carries_set_sha256_and_kind(seed42_csv):
    sets = run_sets(42)
    with open(seed42_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "sequence", "score", "kind", "set", "set_sha256"]
    assert {(r["set"], r["set_sha256"]) for r in rows} == {(s.name, s.sha256) for s in sets.values()}
    replay = ReplayScores(str(seed42_csv))
    assert replay.set_sha256 == {s.name: s.sha256 for s in sets.values()} and replay.kind == "energy"   # pa-pwm's kind


def test_the_csv_replays_on_its_own_run(seed42_csv):
    sets = run_sets(42)
    model = ScoredModel("replay", ReplayScores(str(seed42_csv)), sets)
    np.testing.assert_array_equal(model.role_scores("spacing"), resolve("pa-pwm").score(sets["spacing"].sequences))


def test_a_csv_scored_at_seed_42_is_an_error_at_seed_7_naming_the_sets(seed42_csv):
    model = ScoredModel("replay", ReplayScores(str(seed42_csv)), run_sets(7))
    with pytest.raises(ValueError, match=r"set sha256 differs for core \(file [0-9a-f]{12}\.\.\., this run "
                                         r"[0-9a-f]{12}\.\.\.\).*--mit-seed"):
        model.role_scores("core")


def id_keyed_json(path, seed: int = 42):
    sets = run_sets(seed)
    scorer = resolve("pa-pwm")
    path.write_text(json.dumps({i: float(v) for s in sets.values() for i, v in zip(s.ids, scorer.score(s.sequences))}))
    return path


def test_an_id_keyed_file_without_sequences_is_valid_only_for_mit_v1(tmp_path):
    replay = ReplayScores(str(id_keyed_json(tmp_path / "ids.json")))
    with pytest.raises(ValueError, match="valid with --mit-set mit-v1 only"):
        replay.check_sets(run_sets(42))
    paper = SequenceSet("mit-v1", ("A_000",), ("ACGT" * 25,), ("A",), np.zeros(1, dtype=int))
    replay.check_sets({"core": paper})


def test_a_replayed_file_says_its_kind_and_scored_nucleotides(tmp_path):
    path = tmp_path / "lm.csv"
    path.write_text("id,sequence,score,kind,scored_nucleotides\nC_000,ACGTACGT,-9.5,likelihood,7\n"
                    "C_001,TTTTACGT,-8.0,likelihood,7\n")
    replay = ReplayScores(str(path))
    assert replay.kind == "likelihood"
    assert replay.n_scored_nucleotides(("TTTTACGT", "ACGTACGT")).tolist() == [7.0, 7.0]
    plain = ReplayScores(str(id_keyed_json(tmp_path / "ids.json")))
    assert plain.kind == "score" and not hasattr(plain, "n_scored_nucleotides")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("id,sequence,score,kind\nC_000,ACGT,1,likelihood\nC_001,TTTT,2,score\n")
    with pytest.raises(ValueError, match="several kinds"):
        ReplayScores(str(mixed))


def test_an_unwritable_out_is_a_usage_error_before_any_scoring(core_fasta, tmp_path, monkeypatch):
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("MIT_TEST_CALLS", str(calls))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker / "scores.csv", tmp_path):
        result = run_cli("--model", "tests.bad_scorers:raising", "--fasta", str(core_fasta), "--out", str(out))
        assert result.returncode == 2 and f"--out {out} cannot be written" in result.stderr, result.stderr
    assert not calls.exists(), "the scorer was called before the output was checked"


def test_a_cache_that_is_not_an_mit_cache_is_a_usage_error(core_fasta, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    result = run_cli("--model", "pa-pwm", "--fasta", str(core_fasta), "--out", str(tmp_path / "o.csv"),
                     "--cache", str(folder))
    assert result.returncode == 2 and "is a folder" in result.stderr and not (tmp_path / "o.csv").exists()
    assert list(folder.iterdir()) == []


@pytest.mark.e2e
def test_score_files_from_seed_42_are_errors_at_seed_7(tmp_path, seed42_csv):
    """The issue's reproduction: an id-keyed file scored at seed 42, gated at --mit-seed=7, used to pass and be
    reported as seed 7. Both it and python -m scorers' CSV are now errors saying why."""
    ids = id_keyed_json(tmp_path / "ids.json")
    run = run_mit(tmp_path / "out", f"--model=scores:{ids}", f"--model=scores:{seed42_csv}", "--mit-seed=7",
                  "-k", "not robustness")
    by_id, by_csv = run.properties(f"scores:{ids}"), run.properties(f"scores:{seed42_csv}")
    assert by_id["motif"]["verdict"] == "error" and "valid with --mit-set mit-v1 only" in by_id["motif"]["reason"]
    assert by_csv["motif"]["verdict"] == "error" and "set sha256 differs" in by_csv["motif"]["reason"], by_csv
    assert run.returncode != 0
