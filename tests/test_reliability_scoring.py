"""Nothing silent (issue 22): scorers whose failure used to end in a wrong verdict or a misleading error.

Each test names the case it covers; each failed on the code before the fix (said in its docstring)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from fixtures.sequence_set import SequenceSet
from fixtures.sets import build_all_sets
from scorers.hygiene import OrderOrBatchDependence, check_order_and_batch, robust_scale
from scorers.protocol import MAX_ABS_SCORE, ScoreError
from scorers.registry import resolve
from scorers.runner import score_sequences
from scorers.scored_model import ModelFailed, ScoredModel, ScorerExited, StaleCacheScores
from tests.conftest import ROOT, run_mit


@pytest.fixture(scope="module")
def two_sets() -> dict:
    """The core set and a second set on its own scale (a stand-in for a measured library): 1,450 + 200 sequences."""
    sets = build_all_sets(42)
    core = sets["core"]
    probe = next(s for role, s in sets.items() if role != "core")
    n = min(200, len(probe))
    return {"core": core, "library": SequenceSet("library", probe.ids[:n], probe.sequences[:n],
                                                 probe.conditions[:n], probe.families[:n])}


@pytest.fixture(scope="module")
def rpa():
    return resolve("rpa-pwm")


class SortsLargeBatches:
    """0.001 × rpa-pwm, 1e8 for one sequence, and its scores returned sorted whenever a batch holds more than 200
    sequences: the run's one big batch is scrambled, the check's small batches are right."""

    name, kind = "sorts-large-batches", "score"

    def __init__(self, reference, outlier: str | None):
        self.reference, self.outlier = reference, outlier

    def score(self, sequences):
        values = 0.001 * self.reference.score(sequences)
        if self.outlier is not None:
            values[[s == self.outlier for s in sequences]] = 1e8
        return np.sort(values) if len(sequences) > 200 else values


@pytest.mark.parametrize("outlier_in", [None, "library", "core"])
def test_one_outlier_cannot_hide_an_order_bug(two_sets, rpa, outlier_in):
    """Silent case 1: with one score of 1e8 the old tolerance (1e-4 × the SD of all the run's scores) grew past
    every difference and the sorted scores passed; the robust per-set scale does not move."""
    outlier = None if outlier_in is None else two_sets[outlier_in].sequences[3]
    model = ScoredModel("sorts", SortsLargeBatches(rpa, outlier), two_sets)
    with pytest.raises(OrderOrBatchDependence, match="scores depend on order or batch"):
        model.check_hygiene(42)


class HeavyTailed:
    """An honest scorer with Cauchy-distributed scores (a few values 1e4 × the typical spread) and float noise of
    1e-9 of that spread on every call."""

    name, kind = "heavy-tailed", "score"

    def __init__(self, sequences):
        rng = np.random.default_rng(5)
        self.table = dict(zip(sequences, rng.standard_cauchy(len(sequences)) * 3.0 - 120.0))
        self.noise = np.random.default_rng(6)

    def score(self, sequences):
        return np.array([self.table[s] for s in sequences]) + self.noise.normal(0, 3e-9, len(sequences))


def test_honest_heavy_tailed_scores_pass(two_sets):
    sequences = [s for role in two_sets for s in two_sets[role].sequences]
    scorer = HeavyTailed(sequences)
    assert np.ptp(list(scorer.table.values())) > 1e3 * robust_scale(np.array(list(scorer.table.values())))
    checked = ScoredModel("heavy", scorer, two_sets).check_hygiene(42)
    assert checked["n"] == 64 and checked["max_difference"] <= checked["tolerance"] * 10


def test_robust_scale_ignores_one_value_and_is_finite_for_any_finite_input():
    values = np.random.default_rng(1).normal(0, 2.0, 500)
    spread = robust_scale(values)
    assert 1.6 < spread < 2.4
    assert robust_scale(np.append(values, 1e300)) == pytest.approx(spread, rel=0.01)
    assert np.isfinite(robust_scale(np.array([-MAX_ABS_SCORE, MAX_ABS_SCORE, 0.0, MAX_ABS_SCORE])))
    assert robust_scale(np.array([5.0] * 10)) == 0.0
    assert robust_scale(np.array([5.0] * 7 + [6.0] * 5)) > 0.0     # MAD 0: the interquartile range


class Scaled:
    name, kind = "scaled", "score"

    def __init__(self, reference, factor):
        self.reference, self.factor = reference, factor

    def score(self, sequences):
        return self.reference.score(sequences) * self.factor


def test_scores_too_large_to_gate_are_refused_by_name(two_sets, rpa):
    """Silent case 2: rpa-pwm × 1e300 overflowed the SD (a numpy warning only) and every gate said 'most pairs
    tie'. Scores beyond MAX_ABS_SCORE are refused naming the ids; scores within it are gated."""
    core = two_sets["core"]
    with pytest.raises(ScoreError, match=r"beyond ±1e\+100.*C_000"):
        score_sequences(Scaled(rpa, 1e300), core.ids, core.sequences)
    model = ScoredModel("big", Scaled(rpa, MAX_ABS_SCORE / 1e3), {"core": core})
    checked = model.check_hygiene(42)
    assert np.isfinite(checked["tolerance"]) and np.isfinite(np.std(model.role_scores("core")))


class LiveButClaimsPrecomputed:
    """A live scorer that normalises each batch and sets ``precomputed``, the attribute MIT's replay sets."""

    name, kind = "claims-precomputed", "score"
    precomputed = True

    def score(self, sequences):
        counts = np.array([s.count("A") + s.count("T") for s in sequences], dtype=float)
        return (counts - counts.mean()) / (counts.std() or 1.0)


def test_only_mits_replay_skips_the_order_and_batch_check(two_sets):
    """Silent case 4: ``precomputed = True`` on a live scorer used to skip the check."""
    model = ScoredModel("claims", LiveButClaimsPrecomputed(), {"core": two_sets["core"]})
    with pytest.raises(OrderOrBatchDependence):
        model.check_hygiene(42)
    with pytest.raises(ModelFailed):
        model.role_scores("core")


class Exits:
    name, kind = "exits", "score"

    def score(self, sequences):
        raise SystemExit(3)


def test_a_scorer_raising_system_exit_is_an_error_of_that_model(two_sets):
    model = ScoredModel("exits", Exits(), {"core": two_sets["core"]})
    with pytest.raises(ScorerExited, match=r"SystemExit\(3\)"):
        model.role_scores("core")
    with pytest.raises(ModelFailed, match="SystemExit"):
        model.role_scores("core")


@pytest.mark.e2e
def test_a_scorer_raising_system_exit_leaves_the_other_models_measured(tmp_path):
    """Loud case: a SystemExit in one scorer made every later model error with a bare AssertionError."""
    run = run_mit(tmp_path, "--model=tests.bad_scorers:exits", "--model=rpa-pwm", "-k", "spacing")
    assert run.results is not None, run.log
    exits, rpa = run.properties("tests.bad_scorers:exits"), run.properties("rpa-pwm")
    assert exits["spacing"]["verdict"] == "error" and "SystemExit" in exits["spacing"]["reason"], exits
    assert rpa["spacing"]["verdict"] == "pass", (rpa, run.log)
    assert "AssertionError" not in run.proc.stdout, run.log


class Unfingerprinted:
    """Two scorers with one name and no fingerprint, in one module: the same cache key, different numbers."""

    kind = "score"
    cacheable = True

    def __init__(self, offset):
        self.name, self.offset = "same-name", offset

    def score(self, sequences):
        return np.array([s.count("G") + self.offset for s in sequences], dtype=float)


def test_scores_from_other_code_in_the_cache_are_named(tmp_path, two_sets):
    """Loud case: a stale cached score was reported as 'scores depend on order or batch'."""
    from scorers.cache import ScoreCache
    sets = {"core": two_sets["core"]}
    cache = ScoreCache(tmp_path / "scores.sqlite")
    ScoredModel("first", Unfingerprinted(0.0), sets, cache=cache).check_hygiene(42)
    second = ScoredModel("second", Unfingerprinted(0.5), sets, cache=cache)
    with pytest.raises(StaleCacheScores, match="holds scores from other code"):
        second.check_hygiene(42)
    honest_but_batch_dependent = ScoredModel("claims", LiveButClaimsPrecomputed(), sets, cache=cache)
    with pytest.raises(OrderOrBatchDependence):
        honest_but_batch_dependent.check_hygiene(42)


def test_sequence_keyed_score_files_serve_sequences_the_sets_share(tmp_path, two_sets, rpa):
    """Loud case: a file keyed by sequence (a documented format) failed on the default run, whose sets share
    sequences, with 'duplicated sequences requested'."""
    core = two_sets["core"]
    shared = SequenceSet("probe", ["P_000", "P_001"], [core.sequences[0], core.sequences[1]], ["C", "C"], [0, 1])
    sets = {"core": core, "probe": shared}
    path = tmp_path / "by_sequence.json"
    values = rpa.score(core.sequences)
    path.write_text("{" + ",".join(f'"{s}": {v!r}' for s, v in zip(core.sequences, values.tolist())) + "}")
    model = ScoredModel("file", resolve(f"scores:{path}"), sets)
    assert model.role_scores("probe").tolist() == values[:2].tolist()
    assert model.check_hygiene(42) is None


def test_check_order_and_batch_uses_each_sets_own_scale():
    """A set on a scale 1e6 times smaller is checked at its own tolerance, not the large set's."""
    rng = np.random.default_rng(2)
    sequences = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(120)]
    ids = [f"s{i}" for i in range(120)]
    groups = ["big"] * 60 + ["small"] * 60
    base = np.concatenate([rng.normal(0, 1e6, 60), rng.normal(0, 1.0, 60)])
    table = dict(zip(sequences, base))

    class ShiftsSmallOnes:
        name, kind = "shifts", "score"

        def score(self, batch):
            return np.array([table[s] + (0.5 if len(batch) < 60 and table[s] ** 2 < 1e6 else 0.0) for s in batch])

    check_order_and_batch(type("Same", (), {"name": "same", "score": lambda self, b: np.array(
        [table[s] for s in b])})(), ids, sequences, base, 42, groups)
    with pytest.raises(OrderOrBatchDependence):
        check_order_and_batch(ShiftsSmallOnes(), ids, sequences, base, 42, groups)


# --- python -m scorers ------------------------------------------------------------------------------------------

def run_scorers(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scorers", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def test_scorers_cli_refuses_an_out_that_is_the_fasta_and_writes_ordinary_permissions(tmp_path):
    fasta = tmp_path / "in.fa"
    fasta.write_text(">a\n" + "ACGT" * 30 + "\n>b\n" + "TTGA" * 30 + "\n")
    before = fasta.read_bytes()
    for out in (fasta, tmp_path / "." / "in.fa"):
        proc = run_scorers("--model", "at-content", "--fasta", str(fasta), "--out", str(out), cwd=tmp_path)
        assert proc.returncode == 2 and "--out" in proc.stderr and "--fasta" in proc.stderr, proc.stderr
        assert fasta.read_bytes() == before
    old = os.umask(0o022)
    try:
        proc = run_scorers("--model", "at-content", "--fasta", str(fasta), "--out", str(tmp_path / "s.csv"),
                           cwd=tmp_path)
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE((tmp_path / "s.csv").stat().st_mode) == 0o644
