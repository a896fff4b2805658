"""The overall line, the effect sizes beside each verdict and the outside-construction criterion (issue 21).

The graded line on synthetic records (each case exactly), then on the reference scorers and the cheat zoo decided
in-process with every part a run measures (the five gates, motif_natural, css, outside): the fitted σ70 models are
"partial grammar" or neither, rpa-pwm "grammar", and no cheat — the fitted adversaries of ``tests/adversary.py``
included, which pass most gates on MIT's sets and only the outside criterion stops — gets anything above
"neither" ("composition only" is the word for a composition reader). The criterion is necessary, not
sufficient: a reader of σ70 boxes anywhere (pa-pwm-nopos) meets it, and the gates stop it.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from fixtures.datasets import DataUnavailable
from mit_tests import gates, outside
from mit_tests.properties import GATES, HOLM_FAMILY, OVERALL_VERDICTS, overall, overall_of, summarise
from mit_tests.stats import paired_effect, sign_test, tie_tolerance, with_fold_change
from scorers.registry import resolve
from tests.cheats import BUILTIN_CHEATS, CHEATS
from tests import adversary

ALPHA = 0.05
SEED = 42


# ----------------------------------------------------------------------------------- the line, case by case

def gate(verdict="pass", p=1e-6):
    return {"verdict": verdict, "p": p}


def outside_record(met, failure="", not_measured=None):
    return {"verdict": "info", "failure": failure, "details": {"met": met, "not_measured": not_measured or {}}}


def line(records: dict) -> dict:
    return summarise({k: dict(v) for k, v in records.items()}, ALPHA)


def every_gate(**changed):
    records = {g: gate() for g in HOLM_FAMILY}
    records.update(changed)
    return records


def test_grammar_needs_every_gate_and_the_outside_criterion():
    assert line(every_gate(outside=outside_record(True)))["verdict"] == "grammar"
    failed = line(every_gate(outside=outside_record(False, "it ranks measured expression no better than A/T")))
    assert failed["verdict"] == "neither" and "no better than A/T" in failed["reason"], failed
    unmeasured = line(every_gate(outside={"verdict": "skip", "reason": "no RegulonDB here"}))
    assert unmeasured["verdict"] == "not measured" and "no RegulonDB here" in unmeasured["reason"], unmeasured


def test_most_gates_is_partial_grammar_and_names_the_failed_ones():
    result = line(every_gate(up_position=gate("fail", 0.4), outside=outside_record(True)))
    assert result["verdict"] == "partial grammar" and "fails up_position" in result["reason"], result
    assert "passes 5 of 6 gates" in result["reason"]
    half = every_gate(outside=outside_record(True), **{g: gate("fail", 0.5) for g in HOLM_FAMILY[:3]})
    assert line(half)["verdict"] == "neither"                 # 3 of 6 is not most
    fragile = every_gate(up_position=gate("fail", 0.4), outside=outside_record(True),
                         robustness_spacing=gate("fail"), robustness_strand=gate("fail"))
    assert line(fragile)["verdict"] == "partial grammar", line(fragile)      # energy-lafleur's case, named:
    assert "breaks on drawn designs: spacing, strand" in line(fragile)["reason"]
    robust_but_fragile = every_gate(outside=outside_record(True), robustness_strand=gate("fail"))
    assert line(robust_but_fragile)["verdict"] == "partial grammar"      # grammar needs every gate robust


def test_a_skipped_gate_is_named_in_the_line():
    records = every_gate(outside=outside_record(True))
    records["motif_natural"] = {"verdict": "skip", "reason": "no data"}
    result = line(records)
    assert result["verdict"] == "grammar", result
    assert "grammar on 5 of 6 gates" in result["reason"] and "motif_natural not run: no data" in result["reason"]


def test_composition_only_neither_and_not_measured():
    css = {"verdict": "info", "details": {"significant": True}}
    failing = {g: gate("fail", 0.9) for g in HOLM_FAMILY}
    assert line({**failing, "css": css, "outside": outside_record(False)})["verdict"] == "composition only"
    assert line({**failing, "outside": outside_record(True)})["verdict"] == "neither"
    assert line({**failing})["verdict"] == "neither"
    assert line({g: gate() for g in GATES[1:]})["verdict"] == "not measured"
    assert set(OVERALL_VERDICTS) == {"grammar", "partial grammar", "composition only", "neither", "not measured"}


def test_a_pass_that_holm_rejects_is_a_failure():
    records = every_gate(outside=outside_record(True), spacing=gate("pass", 0.03), strand=gate("pass", 0.04))
    result = overall(summarise_holm(records), ALPHA)      # Holm: 0.03 × 2 = 0.06, so neither is below 0.05
    assert result["failed"] == ["spacing", "strand"] and result["verdict"] == "partial grammar", result


def summarise_holm(records):
    summarise(records, ALPHA)
    return records


# ------------------------------------------------------------------------------------------ effect sizes

def test_paired_effect_in_score_and_sd_units_and_fold_change():
    rng = np.random.default_rng(0)
    second = rng.normal(size=200)
    first = second + 0.5
    effect = paired_effect(first, second, seed=1)
    assert effect["mean_difference"] == pytest.approx(0.5)
    assert effect["ci"][0] == pytest.approx(0.5) and effect["ci"][1] == pytest.approx(0.5)
    assert effect["sd_units"] == pytest.approx(0.5 / np.std(second, ddof=1))
    folded = with_fold_change(effect, "likelihood ratio per sequence")
    assert folded["fold_change"] == pytest.approx(np.exp(0.5)) and folded["fold_change_ci"][0] == pytest.approx(
        np.exp(0.5))
    noisy = paired_effect(first + rng.normal(size=200), second, seed=1)
    assert noisy["ci"][0] < noisy["mean_difference"] < noisy["ci"][1]
    assert paired_effect(first, second, seed=1) == paired_effect(first, second, seed=1)


def test_ties_are_left_out_not_counted_half():
    test = sign_test([1.0, 1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0])
    assert (test.wins, test.losses, test.ties) == (3, 1, 4)
    assert test.estimate == 0.75          # counted ½ the ties would give (3 + 2) / 8 = 0.625


@pytest.fixture(scope="module")
def default_sets():
    from fixtures.natural import with_natural
    from fixtures.sets import build_all_sets
    return with_natural(build_all_sets(SEED), SEED)


def test_every_gate_record_carries_its_effect_and_energy_lafleur_its_fold_change(default_sets):
    scorer = resolve("energy-lafleur")
    scores = {role: scorer.score(list(s.sequences)) for role, s in default_sets.items() if role != "natural"}
    tolerance = tie_tolerance(scores["core"])
    for name, function in gates.GATES.items():
        role = gates.GATE_SETS[name]
        result = function(lambda c, r=role: scores[r][default_sets[r].indices(c)], ALPHA, SEED, tolerance)
        result.add_fold_changes(scorer.log_scale)
        record = result.to_json()
        assert record["effect"] is not None, name
        for contrast in record["details"]["contrasts"].values():
            effect = contrast["effect"]
            assert effect["ci"][0] <= effect["mean_difference"] <= effect["ci"][1], (name, effect)
            assert effect["fold_change"] == pytest.approx(np.exp(effect["mean_difference"]))
            assert effect["fold_change_ci"][0] <= effect["fold_change"] <= effect["fold_change_ci"][1]
            if effect["score_sd"] > 0:
                assert effect["sd_units"] == pytest.approx(effect["mean_difference"] / effect["score_sd"])
    assert getattr(resolve("rpa-pwm"), "log_scale", None) is None   # PWM log-odds sums: no fold change claimed


# ---------------------------------------------------------------- outside the construction: every model

@pytest.fixture(scope="module")
def outside_data():
    from fixtures.genome_windows import build_genome_windows
    from fixtures.libraries import build_libraries
    try:
        windows = build_genome_windows(SEED)
    except DataUnavailable as exc:
        pytest.skip(exc.reason)
    libraries = build_libraries(SEED)
    if not libraries.libraries:
        pytest.skip(f"no measured library: {libraries.missing}")
    return windows, libraries.libraries


def full_overall(spec: str, scorer, sets, outside_data) -> dict:
    """The overall line as a run gives it: the five gates, css, motif_natural and outside, decided in-process."""
    windows, libraries = outside_data
    results = gates.decide_scorer(scorer, sets, ALPHA)
    results["outside"] = outside.measure(spec, scorer, windows, libraries, SEED)
    return overall_of(results, ALPHA)


# energy-lafleur was partial grammar before the class shadows: its compensation contrast E > L is significant at
# the raw level beyond the shadows (p = 0.028) but not after Holm across six gates (docs/calibration.md).
@pytest.mark.parametrize("spec, expected", [("rpa-pwm", "grammar"), ("fitted-sigma70", "partial grammar"),
                                            ("energy-lafleur", "neither"), ("random", "neither"),
                                            ("at-content", "composition only")])
def test_the_reference_scorers_get_their_words(spec, expected, default_sets, outside_data):
    result = full_overall(spec, resolve(spec), default_sets, outside_data)
    assert result["verdict"] == expected, result["line"]


def test_energy_lagator_meets_the_outside_criterion_and_is_not_a_cheat(default_sets, outside_data):
    """Its word follows the gates it passes (3 of 6 under issue 19's v3 designs: neither; 5 of 6 before: partial
    grammar); the outside evidence is its own, and the line says so."""
    result = full_overall("energy-lagator", resolve("energy-lagator"), default_sets, outside_data)
    assert result["outside"] is True and "meets the outside-construction criterion" in result["reason"], result


@functools.cache
def fitted_adversaries() -> dict:
    """The fitted adversaries of ``tests/adversary.py`` (issue 19), fitted on set seeds 1 and 2 and two drawn
    designs: gapped base pairs at lags 1–40 with A/T clustering counts, and the same with A/T-or-G/C classes only."""
    return {"fitted-adversary": adversary.fit((1, 2), designs=2, design_seed=1),
            "fitted-at-adversary": adversary.fit((1, 2), designs=2, design_seed=1, at_only=True)}


@pytest.mark.parametrize("name", ["fitted-adversary", "fitted-at-adversary"] + list(CHEATS) + list(BUILTIN_CHEATS))
def test_no_cheat_gets_more_than_neither(name, default_sets, outside_data):
    scorer = fitted_adversaries().get(name) or CHEATS.get(name) or resolve(name)
    result = full_overall(name, scorer, default_sets, outside_data)
    assert result["verdict"] in ("neither", "composition only"), result["line"]


@pytest.mark.parametrize("name", ["fitted-adversary", "fitted-at-adversary"])
def test_the_fitted_adversaries_fail_outside(name, default_sets, outside_data):
    """What the criterion is for: a model fitted to MIT's sets of other seeds passes most gates on this seed
    (docs/verdicts.md), and the sequences MIT did not build show that it has no grammar."""
    result = full_overall(name, fitted_adversaries()[name], default_sets, outside_data)
    assert result["outside"] is False, result["line"]
    assert result["verdict"] == "neither" and "fails the outside-construction criterion" in result["reason"]


def test_at_content_ties_every_genome_pair(outside_data):
    windows, _ = outside_data
    at = outside.at_counts(windows.sequences)
    assert np.array_equal(at[windows.indices("promoter")], at[windows.indices("genome")])
    value, ci = outside.auroc(at[windows.indices("promoter")], at[windows.indices("genome")], 0)
    assert value == 0.5


def test_auroc_counts_pairs_with_ties_half():
    value, ci = outside.auroc([3.0, 2.0, 1.0], [2.0, 0.0], seed=0)
    # pairs: 3>2, 3>0, 2=2 (½), 2>0, 1<2, 1>0 → 4.5 of 6
    assert value == pytest.approx(4.5 / 6) and ci[0] <= value <= ci[1]


def test_without_data_the_criterion_is_not_measured_with_the_reason(tmp_path, monkeypatch):
    from fixtures.genome_windows import build_genome_windows
    monkeypatch.setenv("MIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MIT_OFFLINE", "1")
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(DataUnavailable):
        build_genome_windows(SEED, data_dir=tmp_path)
    result = outside.outside(None, None, {"genome": "RegulonDB is absent", "expression": "no library"})
    assert result.details["met"] is None and result.gate_passed is None
    records = every_gate(outside={"verdict": "info", "details": result.details, "failure": result.failure})
    verdict = line(records)
    assert verdict["verdict"] == "not measured" and "RegulonDB is absent" in verdict["reason"], verdict


def test_fold_changes_only_where_the_score_is_a_natural_log():
    from types import SimpleNamespace

    from mit_tests.plugin import LIKELIHOOD_FOLD, fold_scale
    assert fold_scale(SimpleNamespace(kind="likelihood", scorer=object())) == LIKELIHOOD_FOLD
    assert fold_scale(SimpleNamespace(kind="score", scorer=resolve("random"))) is None
    assert fold_scale(SimpleNamespace(kind="energy", scorer=resolve("rpa-pwm"))) is None


@pytest.mark.e2e
def test_a_run_carries_the_line_the_effects_and_the_outside_record(demonstrators):
    models = demonstrators.results["models"]
    rpa = models["rpa-pwm"]
    assert rpa["overall"]["verdict"] == "grammar" and rpa["overall"]["outside"] is True, rpa["overall"]
    for gate_name in GATES:
        effect = rpa["properties"][gate_name]["effect"]
        assert effect["sd_units"] > 0 and effect["ci"][0] > 0, (gate_name, effect)
    record = rpa["properties"]["outside"]
    assert record["verdict"] == "info" and record["details"]["met"] is True, record
    assert record["details"]["genome"]["auroc"] > 0.5 and record["details"]["expression"]["margin"] > 0
    assert models["random"]["overall"]["verdict"] == "neither"
    assert "fails the outside-construction criterion" in models["random"]["overall"]["reason"]
