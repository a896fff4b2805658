"""The vectorised reference scorers against the slow oracles of tests/oracles.py, on the paper's 650 stored
sequences (when the data directory is available) and on hypothesis-drawn sequences rich in promoter motifs;
their constants; the genome k-mer table; and the ``scores:FILE`` replay scorer.
"""

from __future__ import annotations

import collections
import json
import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.datasets import DataUnavailable
from fixtures.grammar import reverse_complement
from scorers.reference import baselines, biophysical, pwm
from scorers.protocol import ScorerOptions
from scorers.registry import resolve
from scorers.replay import ReplayScores
from scorers.runner import score_sequences
from tests.oracles import SLOW

HYPOTHESIS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------------------
# slow reference implementations
# ------------------------------------------------------------------------------------------------------

def assert_same(name, vectorised, slow_values, sequences):
    slow_values = np.asarray(slow_values, dtype=np.float64)
    diff = np.abs(np.asarray(vectorised) - slow_values)
    # 1e-9: the vectorised scores are rounded to 9 decimals (scorers.reference.pwm.exact); a real rule error is ≥ 0.1.
    bad = np.flatnonzero(diff > 1e-9)
    assert bad.size == 0, (f"{name}: vectorised != slow for {bad.size} sequences, e.g. {sequences[bad[0]]} "
                           f"vectorised {vectorised[bad[0]]} slow {slow_values[bad[0]]}")


# ------------------------------------------------------------------------------------------------------
# sequences
# ------------------------------------------------------------------------------------------------------

MOTIFS = ["TTGACA", "TATAAT", "TGTAAT", "TGT", "TG", "AAAAAA", "AAAAAAGCA", "TTTTTT", "ACA", "ATTATA",
          "TGTCAA", "AAAAAAAAA", "TTGATA", "ACATTA"]


@st.composite
def motif_rich(draw, min_length, max_length):
    """An ACGT string of a drawn length made of random bases and promoter-like motifs (either strand)."""
    length = draw(st.integers(min_length, max_length))
    pieces = draw(st.lists(st.one_of(st.sampled_from(MOTIFS), st.text("ACGT", min_size=1, max_size=7)),
                           min_size=1, max_size=40))
    text = "".join(pieces)
    while len(text) < length:
        text += text or "A"
    return text[:length]


@st.composite
def layout_sequences(draw):
    """A 100 nt background with the layout's elements pasted at their MIT positions (each maybe)."""
    seq = list(draw(motif_rich(100, 100)))
    for start, options in ((15, ["AAAAAAGCA", "AAAAAAAAA", "TTTTTTTTT", "AAAAAAGAG"]),
                           (30, ["TTGACA", "TTGACT", "TTGATA", "CCCCCC"]),
                           (50, ["TGT", "TGA", "TAT", "GGG"]),
                           (53, ["TATAAT", "TGTAAT", "TCTAAT", "GGGGGG"])):
        if draw(st.booleans()):
            element = draw(st.sampled_from(options))
            seq[start:start + len(element)] = element
    return "".join(seq)


@pytest.fixture(scope="module")
def stored_sequences():
    try:
        from fixtures.mit_v1 import load_mit_v1
        return list(load_mit_v1().sequences)
    except DataUnavailable as exc:
        pytest.skip(str(exc))


# ------------------------------------------------------------------------------------------------------
# constants: the paper's published anchor values
# ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("matrix, motif, expected", [
    (pwm.PWM_MINUS_35, "TTGACA", 9.0), (pwm.PWM_MINUS_10, "TATAAT", 9.5), (pwm.PWM_MINUS_10, "TGTAAT", 5.0),
    (pwm.PWM_UP, "AAAAAAAAA", 7.0), (pwm.PWM_EXTENDED_10, "TGA", 3.3),
    (pwm.THERMO_MINUS_10, "TATAAT", 13.0), (pwm.THERMO_MINUS_10, "TGTAAT", 7.0),
    (pwm.THERMO_MINUS_35, "TTGACA", 12.0),
    (pwm.RPA_MINUS_35, "TTGACA", 9.0), (pwm.RPA_MINUS_10_INTACT, "TATAAT", 9.0),
    (pwm.RPA_MINUS_10_BROKEN, "TGTAAT", 9.0),
    (pwm.BASELINE_MINUS_35, "TTGACA", 9.6), (pwm.BASELINE_MINUS_10, "TATAAT", 10.2),
    (pwm.BASELINE_MINUS_10, "TGTAAT", 7.4),
])
def test_matrix_consensus_scores(matrix, motif, expected):
    assert pwm.exact(pwm.window_score(pwm_codes(motif), matrix, 0))[0] == pytest.approx(expected, abs=1e-12)


def pwm_codes(text):
    from fixtures.grammar import encode
    return encode([text])


def test_kmer_paper_ratio_of_tgtaat_to_tataat():
    # anchor_mit.md s2: under the paper's "hexamer frequencies" TGTAAT/TATAAT = 1.0325.
    table = baselines.PAPER_KMER_LOG_TABLE
    ratio = math.exp(table[pwm.window_codes(pwm_codes("TGTAAT"), 6)[0, 0]]
                     - table[pwm.window_codes(pwm_codes("TATAAT"), 6)[0, 0]])
    assert ratio == pytest.approx(0.254 / 0.246, rel=1e-12)
    assert round(ratio, 4) == 1.0325


def test_rpa_up_table_on_sampled_9mers():
    table = biophysical._rpa_up_table()
    rng = random.Random(9)
    for _ in range(2000):
        kmer = "".join(rng.choice("AAAT" if rng.random() < 0.7 else "ACGT") for _ in range(9))
        at = sum(b in "AT" for b in kmer) / 9
        longest = max(len(run) for run in "".join("A" if b == "A" else " " for b in kmer).split(" "))
        expected = at * 2.0 + longest / 9 if at >= 0.7 else 0.0
        assert table[pwm.window_codes(pwm_codes(kmer), 9)[0, 0]] == expected, kmer


# ------------------------------------------------------------------------------------------------------
# vectorised == slow
# ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SLOW))
def test_vectorised_equals_slow_on_stored_sequences(name, stored_sequences):
    slow, _ = SLOW[name]
    assert_same(name, resolve(name).score(stored_sequences), [slow(s) for s in stored_sequences],
                stored_sequences)


@pytest.mark.parametrize("name", sorted(SLOW))
@HYPOTHESIS
@given(data=st.data())
def test_vectorised_equals_slow_on_drawn_sequences(name, data):
    slow, fixed = SLOW[name]
    if fixed:
        # Fixed-layout scorers read [0, 100); a 3' flank must not change the score.
        sequences = data.draw(st.lists(layout_sequences(), min_size=1, max_size=6))
        flanks = data.draw(st.lists(st.text("ACGT", max_size=12), min_size=len(sequences),
                                    max_size=len(sequences)))
        scored = [s + f for s, f in zip(sequences, flanks)]
        assert_same(name, resolve(name).score(scored), [slow(s) for s in sequences], scored)
    else:
        # Scanning scorers: any length, mixed in one batch (scored group by group).
        drawn = st.one_of(layout_sequences(), motif_rich(9, 140))
        sequences = data.draw(st.lists(drawn, min_size=1, max_size=6))
        assert_same(name, resolve(name).score(sequences), [slow(s) for s in sequences], sequences)


def test_rpa_without_any_candidate_box_scores_invalid():
    assert resolve("rpa-pwm").score(["C" * 100, "CCCCCCCCC"]).tolist() == [-10.0, -10.0]


def test_rpa_sees_reverse_strand_promoters():
    fwd = "C" * 10 + "AAAAAAAAA" + "C" * 11 + "TTGACA" + "C" * 14 + "TGT" + "TATAAT" + "C" * 41
    score_fwd, score_rc = resolve("rpa-pwm").score([fwd, reverse_complement(fwd)])
    # The reverse-strand parse misses the +1 strand bonus; it also loses the UP's A-run bonus, because the
    # paper counts A runs on the forward strand (the UP reads TTTTTTTTT there).
    assert score_fwd > score_rc > 9.0 + 9.0


# ------------------------------------------------------------------------------------------------------
# input handling and registry
# ------------------------------------------------------------------------------------------------------

NAMES = ["rpa-pwm", "thermo", "scan", "pa-pwm-nopos", "pa-pwm-nocomp", "pwm", "kmer", "kmer-paper"]


@pytest.mark.parametrize("name", NAMES)
def test_registered_with_stable_name(name):
    scorer = resolve(name)
    assert scorer.name == name and scorer.kind in ("likelihood", "energy", "score")
    assert bool(getattr(scorer, "fixed_layout", False)) == (name in ("thermo", "pa-pwm-nocomp", "pwm"))


@pytest.mark.parametrize("name", ["thermo", "pa-pwm-nocomp", "pwm"])
def test_fixed_layout_rejects_short_sequences(name):
    with pytest.raises(ValueError, match=r"#1 \(99 nt\)"):
        resolve(name).score(["A" * 100, "A" * 99])


@pytest.mark.parametrize("name", ["rpa-pwm", "scan", "pa-pwm-nopos", "kmer-paper"])
def test_scanning_scorers_reject_non_acgt(name):
    with pytest.raises(ValueError, match="outside ACGT in #0"):
        resolve(name).score(["ACGTN" * 20])


@pytest.mark.parametrize("name", [n for n in NAMES if n != "kmer"])
def test_empty_batch_gives_empty_scores(name):
    assert resolve(name).score([]).shape == (0,)


def test_scores_are_finite_float64_of_shape_n():
    sequences = ["".join(random.Random(i).choice("ACGT") for _ in range(100)) for i in range(7)]
    for name in ["rpa-pwm", "thermo", "scan", "pa-pwm-nopos", "pa-pwm-nocomp", "pwm", "kmer-paper"]:
        values = resolve(name).score(sequences)
        assert values.dtype == np.float64 and values.shape == (7,) and np.isfinite(values).all()


# ------------------------------------------------------------------------------------------------------
# the genome k-mer model
# ------------------------------------------------------------------------------------------------------

def test_count_kmers_both_strands_equals_counter_on_circular_genome():
    genome = "".join(random.Random(3).choice("ACGT") for _ in range(3000))
    counts = baselines.count_kmers_both_strands(genome)
    expected = collections.Counter()
    for strand in (genome, reverse_complement(genome)):
        circular = strand + strand[:5]
        expected.update(circular[i:i + 6] for i in range(len(strand)))
    index = {"".join(k): i for i, k in enumerate(
        a + b + c + d + e + f for a in "ACGT" for b in "ACGT" for c in "ACGT" for d in "ACGT"
        for e in "ACGT" for f in "ACGT")}
    assert counts.sum() == 2 * len(genome)
    assert {k: int(counts[i]) for k, i in index.items() if counts[i]} == dict(expected)


def test_kmer_log_table_pseudocount_formula():
    counts = np.zeros(4096, dtype=np.int64)
    counts[0], counts[4095] = 3, 3
    table = baselines.kmer_log_table_from_counts(counts)
    assert table[0] == pytest.approx(math.log(4 / (6 + 4096)))
    assert table[1] == pytest.approx(math.log(1 / (6 + 4096)))


@pytest.fixture(scope="module")
def ecoli_table():
    try:
        return baselines.ecoli_kmer_log_table()
    except DataUnavailable as exc:
        pytest.skip(str(exc))


def test_ecoli_kmer_table_counts_the_real_genome(ecoli_table):
    counts = np.exp(ecoli_table) * (2 * 4_641_652 + 4096) - 1          # invert the pseudocount formula
    assert counts.sum() == pytest.approx(2 * 4_641_652, rel=1e-9)
    all_kmers = ((np.arange(4096)[:, None] // 4 ** np.arange(5, -1, -1)) % 4).astype(np.uint8)   # (4096, 6)
    rc_index = pwm.window_codes(pwm.reverse_complement_codes(all_kmers), 6)[:, 0]
    assert np.allclose(counts, counts[rc_index])                      # both strands: rc-symmetric
    # GATC (Dam sites) is common, the CTAG tetranucleotide is famously rare in E. coli.
    gatc = pwm.window_codes(pwm_codes("GATCGATC"), 6)[0]
    ctag = pwm.window_codes(pwm_codes("CTAGCTAG"), 6)[0]
    assert counts[gatc].mean() > 2 * counts[ctag].mean()


def test_kmer_scorer_equals_slow_lookup(ecoli_table, stored_sequences):
    index = {}
    for i in range(4096):
        index["".join("ACGT"[(i >> (2 * (5 - j))) & 3] for j in range(6))] = i
    slow = [sum(ecoli_table[index[s[i:i + 6]]] for i in range(len(s) - 5)) for s in stored_sequences]
    scorer = resolve("kmer", ScorerOptions())
    assert np.allclose(scorer.score(stored_sequences), slow, rtol=0, atol=1e-9)


# ------------------------------------------------------------------------------------------------------
# scores:FILE replay
# ------------------------------------------------------------------------------------------------------

IDS = ["A_000", "A_001", "B_000"]
SEQS = ["A" * 100, "C" * 100, "G" * 100]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_replay_id_keyed_json(tmp_path):
    path = write(tmp_path, "s.json", json.dumps({"B_000": 3.0, "A_000": 1.0, "A_001": 2.0}))
    scorer = resolve("scores:" + path)
    assert scorer.name == "scores:" + path and "sha256=" in scorer.fingerprint
    assert score_sequences(scorer, IDS, SEQS).tolist() == [1.0, 2.0, 3.0]


def test_replay_class_keyed_json_and_model_wrapper(tmp_path):
    class_keyed = {"A": [1.0, 2.0], "B": [3.0]}
    for name, content in (("c.json", class_keyed), ("all.json", {"caduceus": class_keyed})):
        scorer = resolve("scores:" + write(tmp_path, name, json.dumps(content)))
        assert scorer.score_with_ids(IDS, SEQS).tolist() == [1.0, 2.0, 3.0]
    two_models = {"m1": class_keyed, "m2": {"A": [9.0, 9.0], "B": [9.0]}}
    several = write(tmp_path, "two.json", json.dumps(two_models))
    with pytest.raises(ValueError, match="several models"):
        ReplayScores(several)
    assert ReplayScores(several + "#m2").score_with_ids(IDS, SEQS).tolist() == [9.0, 9.0, 9.0]


def test_replay_csv_from_python_m_scorers(tmp_path):
    rows_ = "id,sequence,score\n" + "".join(f"{i},{s},{k}.5\n" for k, (i, s) in enumerate(zip(IDS, SEQS)))
    scorer = resolve("scores:" + write(tmp_path, "s.csv", rows_))
    assert scorer.score_with_ids(IDS, SEQS).tolist() == [0.5, 1.5, 2.5]
    with pytest.raises(ValueError, match="sequences differ .* A_001"):
        scorer.score_with_ids(IDS, [SEQS[0], "T" * 100, SEQS[2]])


def test_replay_sequence_keyed(tmp_path):
    path = write(tmp_path, "q.csv", "sequence,score\n" + "".join(f"{s},{k}\n" for k, s in enumerate(SEQS)))
    assert ReplayScores(path).score(SEQS).tolist() == [0.0, 1.0, 2.0]
    jpath = write(tmp_path, "q.json", json.dumps({s: float(k) for k, s in enumerate(SEQS)}))
    assert ReplayScores(jpath).score_with_ids(IDS, SEQS).tolist() == [0.0, 1.0, 2.0]


def test_replay_names_missing_and_extra_ids(tmp_path):
    path = write(tmp_path, "s.json", json.dumps({"A_000": 1.0, "A_001": 2.0, "Z_999": 0.0}))
    with pytest.raises(ValueError) as info:
        ReplayScores(path).score_with_ids(IDS, SEQS)
    assert "missing from the file: B_000" in str(info.value) and "extra ids" in str(info.value)
    assert "Z_999" in str(info.value)


def test_replay_names_duplicated_json_keys(tmp_path):
    path = write(tmp_path, "d.json", '{"A_000": 1.0, "A_001": 2.0, "A_000": 5.0, "B_000": 3.0}')
    with pytest.raises(ValueError, match="duplicated keys A_000"):
        ReplayScores(path)


def test_replay_names_duplicated_csv_ids(tmp_path):
    path = write(tmp_path, "d.csv", "id,score\nA_000,1\nA_001,2\nB_000,3\nA_001,4\n")
    with pytest.raises(ValueError, match="duplicated ids A_001"):
        ReplayScores(path)


def test_replay_rejects_non_numbers_and_bad_headers(tmp_path):
    with pytest.raises(ValueError, match=r"A_001.*not a number"):
        ReplayScores(write(tmp_path, "n.json", '{"A_000": 1.0, "A_001": "x"}'))
    with pytest.raises(ValueError, match="needs a header"):
        ReplayScores(write(tmp_path, "h.csv", "name,value\nA_000,1\n"))
    with pytest.raises(ValueError, match="no such file"):     # UnknownModelError: a usage error at startup
        resolve("scores:" + str(tmp_path / "absent.json"))


def test_replay_id_keyed_file_needs_ids(tmp_path):
    path = write(tmp_path, "s.json", json.dumps({"A_000": 1.0}))
    with pytest.raises(ValueError, match="keyed by id"):
        ReplayScores(path).score(["A" * 100])
