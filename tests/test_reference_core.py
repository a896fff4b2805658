"""The core reference scorers: exact against slow per-base implementations, and their input checks."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorers.protocol import ScoreError, check_scores
from scorers.reference.composition import ATContent, GCContent, SeededRandom
from scorers.reference.papwm import PositionAwarePWM
from scorers.registry import UnknownModelError, check_spec, resolve, split_specs
from scorers.runner import score_sequences
from tests.oracles import slow_pa_pwm

sequences_100 = st.lists(st.text("ACGT", min_size=100, max_size=130), min_size=1, max_size=20)


@given(sequences_100)
def test_pa_pwm_equals_the_slow_per_base_reference(seqs):
    fast = PositionAwarePWM().score(seqs)
    slow = np.array([slow_pa_pwm(s) for s in seqs])
    assert np.allclose(fast, slow, atol=1e-9), f"max difference {np.max(np.abs(fast - slow))}"


def test_pa_pwm_consensus_values_from_the_paper():
    background = "C" * 100
    seq = background[:15] + "AAAAAAAAA" + background[24:30] + "TTGACA" + background[36:53] + "TATAAT" + "C" * 41
    broken = seq[:53] + "TGTAAT" + seq[59:]
    # TTGACA 9.0 + TATAAT 9.5 + 0.5 × 7.0 (UP) ; ext CCC scores −2.7, no bonus.
    assert PositionAwarePWM().score([seq])[0] == pytest.approx(22.0)
    # TGTAAT = 5.0 exactly, so the weak-−10 branch (< 5.0) does not fire: TGT adds 0.5 × 3.3.
    with_tgt = broken[:50] + "TGT" + broken[53:]
    assert PositionAwarePWM().score([broken, with_tgt]).tolist() == pytest.approx([17.5, 19.15])


def test_composition_scorers_count_bases():
    assert ATContent().score(["AATTGC", "GGGCCC"]).tolist() == [4.0, 0.0]
    assert GCContent().score(["AATTGC", "GGGCCCA"]).tolist() == [2.0, 6.0]


def test_random_scorer_is_a_function_of_seed_and_sequence():
    seqs = ["ACGT" * 25, "TTTT" * 25, "GGGG" * 25]
    a = SeededRandom(seed=1).score(seqs)
    assert np.array_equal(a[::-1], SeededRandom(seed=1).score(seqs[::-1]))
    assert not np.array_equal(a, SeededRandom(seed=2).score(seqs))
    big = SeededRandom().score([f"{i:0100b}".replace("0", "A").replace("1", "C") for i in range(4000)])
    assert abs(big.mean()) < 0.1 and abs(big.std() - 1) < 0.05


def test_bad_input_names_the_ids():
    good = "A" * 100
    with pytest.raises(ValueError, match=r"outside ACGT in seq_2.*wrong length.*seq_3 \(99 nt\)"):
        score_sequences(PositionAwarePWM(), ["seq_1", "seq_2", "seq_3"], [good, "N" + good[1:], good[:99]])
    with pytest.raises(ValueError, match="outside ACGT in #0"):
        PositionAwarePWM().score(["acgt" * 25])


def test_bad_scores_raise_score_error_naming_the_ids():
    seqs, ids = ["A"] * 3, ["x", "y", "z"]
    with pytest.raises(ScoreError, match=r"non-finite scores for y=nan"):
        check_scores([1.0, np.nan, 2.0], seqs, ids, "m")
    with pytest.raises(ScoreError, match=r"shape \(2,\) for 3 sequences"):
        check_scores([1.0, 2.0], seqs, ids, "m")


def test_registry_specs():
    assert split_specs(["pa-pwm,random", "at-content", "random"]) == ["pa-pwm", "random", "at-content"]
    assert resolve("random").name == "random"
    assert resolve("tests.bad_scorers:make_at_scorer").name == "user-at"
    assert resolve("tests.bad_scorers:nan_scorer").name == "nan-scorer"
    with pytest.raises(UnknownModelError, match=r"(?s)unknown --model 'pa_pwm'.*pa-pwm.*package.module:attr"):
        check_spec("pa_pwm")
    with pytest.raises(UnknownModelError, match="no module named 'nowhere_pkg.mod'"):
        check_spec("nowhere_pkg.mod:thing")


def test_runner_scores_each_distinct_sequence_once():
    calls = []

    class Counting:
        name, kind = "counting", "score"

        def score(self, sequences):
            calls.append(list(sequences))
            return np.arange(len(sequences), dtype=float)

    scores = score_sequences(Counting(), ["a", "b", "c"], ["AC", "GT", "AC"])
    assert calls == [["AC", "GT"]] and scores.tolist() == [0.0, 1.0, 0.0]
