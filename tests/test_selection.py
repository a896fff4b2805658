"""A run scores only the sets its selected tests read (``-k``, ``-m``, node ids): ``pytest -k motif_natural`` on a
masked LM scores two sets, not every set of the suite (mit_tests.properties.PROPERTY_SETS)."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures.sequence_set import SequenceSet
from mit_tests import gates
from mit_tests.properties import GATES, PROPERTIES, PROPERTY_SETS, sets_read
from scorers.scored_model import ScoredModel
from tests.conftest import run_mit


def test_every_property_says_which_sets_its_test_reads():
    assert set(PROPERTY_SETS) == set(PROPERTIES), set(PROPERTY_SETS) ^ set(PROPERTIES)
    for gate in GATES:
        assert PROPERTY_SETS[gate] == PROPERTY_SETS[f"robustness_{gate}"] == (gates.GATE_SETS[gate],), gate


def test_the_core_set_is_always_read_and_an_unknown_property_reads_everything():
    assert sets_read({"motif_natural"}) == ("core", "natural")
    assert sets_read({"mpra", "strand"})[0] == "core"
    assert sets_read({"motif_natural", "a-property-of-someone-elses-plugin"}) is None


class CountsSequences:
    name, kind, fingerprint = "counts", "score", "counts/v1"

    def __init__(self):
        self.seen: list[str] = []

    def score(self, sequences):
        self.seen.extend(sequences)
        return np.array([float(s.count("A") + 2 * s.count("T")) for s in sequences])


def tiny_sets() -> dict[str, SequenceSet]:
    rng = np.random.default_rng(0)

    def one(role: str, n: int) -> SequenceSet:
        seqs = tuple("".join(rng.choice(list("ACGT"), 40)) for _ in range(n))
        return SequenceSet(role, tuple(f"{role}_{i}" for i in range(n)), seqs, ("C",) * n, tuple(range(n)))
    return {"core": one("core", 6), "natural": one("natural", 4), "spacing": one("spacing", 5),
            "mpra_x": one("mpra_x", 3)}


def test_a_model_scores_the_roles_read_first_and_any_other_role_only_when_asked():
    sets, scorer = tiny_sets(), CountsSequences()
    model = ScoredModel("counts", scorer, sets, roles_read=["core", "natural"])
    model.role_scores("natural")
    assert scorer.seen == list(sets["core"].sequences + sets["natural"].sequences), len(scorer.seen)
    model.check_hygiene(42)
    rescored = set(scorer.seen[10:])
    assert rescored and rescored <= set(sets["core"].sequences + sets["natural"].sequences), \
        "the order and batch check rescores only what the run scored"
    before = len(scorer.seen)
    spacing = model.role_scores("spacing")
    assert scorer.seen[before:] == list(sets["spacing"].sequences), scorer.seen[before:]
    assert np.array_equal(spacing, CountsSequences().score(sets["spacing"].sequences))


def test_with_no_selection_every_set_is_scored_in_one_call():
    sets, scorer = tiny_sets(), CountsSequences()
    ScoredModel("counts", scorer, sets).role_scores("core")
    assert scorer.seen == [s for role in sets for s in sets[role].sequences]


@pytest.mark.e2e
def test_minus_k_motif_natural_scores_the_core_and_natural_sets_only(tmp_path):
    from fixtures.plugin import build_run_sets
    sets = build_run_sets("core", 42)
    if "natural" not in sets:
        pytest.skip("the natural set needs RegulonDB and the E. coli genome (MIT_DATA_DIR)")
    scored = tmp_path / "scored.txt"
    run = run_mit(tmp_path / "out", "--model=tests.recording_scorer:at_content", "-k", "motif_natural",
                  env={"MIT_TEST_SCORED": str(scored)})
    assert run.returncode in (0, 1), run.log
    assert set(run.properties("tests.recording_scorer:at_content")) >= {"motif_natural"}, run.log
    read = set(scored.read_text().split())
    expected = set(sets["core"].sequences) | set(sets["natural"].sequences)
    assert read == expected, (f"{len(read - expected)} sequences scored outside core and natural, "
                              f"{len(expected - read)} of them not scored")
