"""The fitted energy scorers: equal to slow per-configuration oracles, to the PyPI Promoter Calculator and to La
Fleur's published predictions; any length ≥ 40 nt; absent data make them unavailable with the fetch command."""

import numpy as np
import pandas as pd
import pytest

from fixtures.datasets import DataUnavailable, resolve
from fixtures.grammar import encode, reverse_complement
from scorers.protocol import ScorerOptions, ScorerUnavailable
from scorers.reference import energy
from scorers.registry import resolve as resolve_model
from tests.oracles import slow_kinney, slow_lafleur, slow_lafleur_tss, slow_lagator

ENERGY_SCORERS = ("energy-lafleur", "energy-lagator", "energy-kinney")
PROMOTER_CALCULATOR_INSTALL = "pip install promotercalculator"


def _scorer(name):
    try:
        return resolve_model(name)
    except ScorerUnavailable as exc:
        pytest.skip(str(exc))


def _coefficients():
    from fixtures.sigma70 import lafleur_coefficients
    try:
        return lafleur_coefficients()
    except DataUnavailable as exc:
        pytest.skip(exc.reason)


def _sequences(lengths, seed):
    """Seeded random sequences; every other one carries a σ70 promoter (UP, TTGACA, 17 bp, TGnTATAAT) so the
    best configuration is a real one, not noise."""
    rng = np.random.default_rng(seed)
    out = []
    for i, length in enumerate(lengths):
        seq = "".join(rng.choice(list("ACGT"), size=length))
        if i % 2 and length >= 70:
            core = "AAAAAAGCA" + "TTTTT" + "TTGACA" + "ATTTCCTATTTCTGTGG" + "TATAAT" + "GCATCGA"
            start = int(rng.integers(0, length - len(core) + 1))
            seq = seq[:start] + core + seq[start + len(core):]
        out.append(seq)
    return out


EDGE_LENGTHS = (40, 41, 45, 60, 77, 78, 79, 90, 100, 120, 150)


def test_lafleur_equals_the_slow_per_configuration_oracle():
    scorer = _scorer("energy-lafleur")
    coefficients, intercept = _coefficients()
    seqs = _sequences(EDGE_LENGTHS, seed=1)
    slow = np.array([slow_lafleur(s, coefficients, intercept, energy.RNA_DNA) for s in seqs])
    fast = scorer.score(seqs)
    assert np.allclose(fast, slow, rtol=0, atol=1e-9), np.abs(fast - slow).max()
    # every TSS, not only the best one
    seq = seqs[-1]
    tss = energy.calculator_tss_energies(encode([seq]), scorer.model)[0]
    oracle = slow_lafleur_tss(seq, coefficients, intercept, energy.RNA_DNA)
    assert sorted(oracle) == list(np.flatnonzero(np.isfinite(tss)))
    assert max(abs(tss[t] - v) for t, v in oracle.items()) < 1e-9


def test_lagator_equals_the_slow_oracle():
    scorer = _scorer("energy-lagator")
    m = scorer.model
    seqs = _sequences(EDGE_LENGTHS, seed=2)
    slow = np.array([slow_lagator(s, m.minus_35, m.minus_10, m.spacer_penalties, m.mu, m.clearance_rate)
                     for s in seqs])
    assert np.allclose(scorer.score(seqs), slow, rtol=0, atol=1e-9)


def test_kinney_equals_the_slow_oracle():
    scorer = _scorer("energy-kinney")
    seqs = _sequences(EDGE_LENGTHS, seed=3)
    slow = np.array([slow_kinney(s, scorer.model.matrix) for s in seqs])
    assert np.allclose(scorer.score(seqs), slow, rtol=0, atol=1e-9)


def test_lafleur_equals_the_pypi_promoter_calculator():
    """Every TSS of both strands of 20 sequences (78–85 nt, half with a planted promoter) against the Barrick lab's
    PyPI package, the reference implementation of the Calculator v1.0."""
    pc = pytest.importorskip("promoter_calculator.promoter_calculator",
                             reason=f"the reference Promoter Calculator is not installed: {PROMOTER_CALCULATOR_INSTALL}")
    scorer = _scorer("energy-lafleur")
    calculator = pc.Promoter_Calculator(verbosity=0)
    seqs = _sequences([78 + i % 8 for i in range(20)], seed=4)
    compared = 0
    for seq in seqs:
        calculator.run(seq)
        output = calculator.output()
        # the reference keys a reverse-strand TSS t of the reverse complement by len(seq) − t
        for strand, text, flip in (("Forward", seq, False), ("Reverse", reverse_complement(seq), True)):
            reference = {t: r["dG_total"] for t, r in output[f"{strand}_Predictions_per_TSS"].items()}
            ours = energy.calculator_tss_energies(encode([text]), scorer.model)[0]
            ours = {(len(seq) - int(t) if flip else int(t)): ours[t] for t in np.flatnonzero(np.isfinite(ours))}
            assert sorted(ours) == sorted(reference), (strand, seq)
            assert max(abs(ours[t] - reference[t]) for t in ours) < 1e-9, (strand, seq)
            compared += len(ours)
        best_forward = min(r["dG_total"] for r in output["Forward_Predictions_per_TSS"].values())
        assert scorer.score([seq])[0] == pytest.approx(-best_forward, abs=1e-9)
    assert compared >= 100


@pytest.mark.parametrize("sheet", ["La_Fleur_et_al.csv", "Anderson_Series.csv"])
def test_lafleur_reproduces_the_published_predictions(sheet):
    """La Fleur's ``Predicted log(TX/Txref)`` is the ΔG_total of the best forward configuration of the construct
    (flanks included); the SalisLabCode dict's repeated-key DNA:RNA values do not reproduce it."""
    scorer = _scorer("energy-lafleur")
    try:
        table = pd.read_csv(resolve(f"lafleur2022_supp/{sheet}"))
    except DataUnavailable as exc:
        pytest.skip(exc.reason)
    constructs = list(table["Upstream DNA"] + table["Promoter Sequence"] + table["Downstream DNA"])
    published = table["Predicted log(TX/Txref)"].to_numpy()
    assert np.abs(-scorer.score(constructs) - published).max() < 1e-9
    other = energy.LaFleurCalculator(energy.CalculatorModel.from_coefficients(
        *_coefficients(), rna_dna=energy.RNA_DNA_SALISLAB_DICT))
    assert np.abs(-other.score(constructs) - published).max() > 0.01


def test_short_sequences_are_scored_in_the_reporter_flanks():
    scorer = _scorer("energy-lafleur")
    seq = _sequences([40], seed=5)[0]
    flanked = energy.REPORTER_UPSTREAM + seq + energy.REPORTER_DOWNSTREAM
    assert scorer.score([seq])[0] == scorer.score([flanked])[0]


@pytest.mark.parametrize("name", ENERGY_SCORERS)
def test_any_length_from_40_nt_and_bad_input_names_the_ids(name):
    scorer = _scorer(name)
    seqs = _sequences([40, 57, 78, 101, 150, 300], seed=6)
    mixed = scorer.score(seqs)
    alone = np.array([scorer.score([s])[0] for s in seqs])
    assert mixed.shape == (6,) and np.all(np.isfinite(mixed)) and np.array_equal(mixed, alone)
    with pytest.raises(ValueError, match=r"wrong length \(needs at least 40 nt\) in #1 \(39 nt\)"):
        scorer.score([seqs[0], seqs[0][:39]])
    with pytest.raises(ValueError, match="outside ACGT in #0"):
        scorer.score(["N" + seqs[1][1:]])


# lacUV5, −35 TTTACA, 18 bp, −10 TATAAT: Kinney's matrix is fitted on lac mutants and knows only lac's 18-bp
# register, so the twin test uses a lac promoter.
LAC_UV5 = "TTTACACTTTATGCTTCCGGCTCGTATAATGTGTGGAATTGTGAGC"


@pytest.mark.parametrize("name", ENERGY_SCORERS)
def test_a_consensus_promoter_outscores_its_broken_twin(name):
    """Higher = stronger: lacUV5 in a seeded background scores above the same sequence with its −10 replaced by
    GGACGG (La Fleur's no-promoter −10)."""
    scorer = _scorer(name)
    background = _sequences([130], seed=7)[0]
    intact = background[:50] + LAC_UV5 + background[50 + len(LAC_UV5):]
    broken = intact.replace("TATAAT", "GGACGG")
    assert broken != intact and len(broken) == len(intact)
    intact_score, broken_score = scorer.score([intact, broken])
    assert intact_score > broken_score, (intact_score, broken_score)


@pytest.mark.parametrize("name", ENERGY_SCORERS)
def test_absent_data_make_the_scorer_unavailable_with_the_fetch_command(name, tmp_path, monkeypatch):
    monkeypatch.setenv("MIT_OFFLINE", "1")
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ScorerUnavailable, match=r"sigma70_matrices/.*curl -L"):
        resolve_model(name, ScorerOptions(data_dir=str(tmp_path / "empty")))


def test_lagator_box_rows_hold_the_consensus():
    from fixtures.sigma70 import lagator_boxes
    try:
        minus_10, minus_35 = lagator_boxes()
    except DataUnavailable as exc:
        pytest.skip(exc.reason)
    assert "".join("ACGT"[i] for i in minus_35.argmin(axis=1)) == "TTGACA"
    assert "".join("ACGT"[i] for i in minus_10.argmin(axis=1)) == "TATAAT"
    # the −35 box ends 4 rows before the end of its matrix, the −10 box starts 5 rows into its: 9 + gap = spacer
    assert energy.LAGATOR_SPACER_PER_GAP + energy.LAGATOR_GAPS[2] == 17


@pytest.mark.parametrize("name", ENERGY_SCORERS)
def test_python_m_scorers_scores_any_length_from_40_nt(name, tmp_path):
    from tests.test_cli_scorers import read_csv, run_cli, write_fasta
    scorer = _scorer(name)
    records = {f"s{len(s)}": s for s in _sequences([40, 77, 78, 113, 150, 400], seed=8)}
    out = tmp_path / "scores.csv"
    result = run_cli("--model", name, "--fasta", str(write_fasta(tmp_path / "in.fasta", records)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    assert [r["id"] for r in rows] == list(records)
    np.testing.assert_array_equal([float(r["score"]) for r in rows], scorer.score(list(records.values())))
    short = run_cli("--model", name, "--fasta", str(write_fasta(tmp_path / "short.fasta", {"tiny": "ACGT" * 9})),
                    "--out", str(tmp_path / "short.csv"))
    assert short.returncode == 1 and "tiny (36 nt)" in short.stderr, short.stderr
