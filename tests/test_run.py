"""End-to-end runs of the conformance suite in a subprocess, as a user runs it."""

import subprocess
import sys

import pytest

from mit_tests.properties import GATES, ROBUSTNESS
from tests.conftest import DATA, ROOT, run_mit

pytestmark = pytest.mark.e2e


def test_the_relative_grammar_reference_passes_every_gate(demonstrators):
    props = demonstrators.properties("rpa-pwm")
    assert {p: props[p]["verdict"] for p in GATES} == {p: "pass" for p in GATES}, demonstrators.log
    assert {p: props[p]["verdict"] for p in ROBUSTNESS} == {p: "pass" for p in ROBUSTNESS}, demonstrators.log
    assert demonstrators.results["models"]["rpa-pwm"]["overall"]["verdict"] == "grammar"
    assert "rpa-pwm     grammar: passes motif" in demonstrators.proc.stdout or \
        "rpa-pwm  grammar: passes motif" in demonstrators.proc.stdout.replace("   ", " "), demonstrators.log
    assert (demonstrators.out / "mit-report.html").stat().st_size > 10_000


def test_three_models_give_one_report_with_three_rows(demonstrators):
    results = demonstrators.results
    assert demonstrators.returncode == 1, "failing models must make the run exit non-zero"
    assert list(results["models"]) == ["rpa-pwm", "at-content", "random"]
    at = results["models"]["at-content"]["properties"]
    assert at["css"]["verdict"] == "info" and at["css"]["details"]["significant"], at["css"]
    assert {p: at[p]["verdict"] for p in GATES} == {p: "fail" for p in GATES}
    assert results["models"]["at-content"]["overall"]["verdict"] == "composition only"
    assert 'id="mit-matrix"' in demonstrators.html and demonstrators.html.count("<tr><th>") >= 3
    for name in ("seed", "alpha", "set", "set_sha256", "versions"):
        assert name in results
    assert results["seed"] == 42 and results["set_sha256"]["core"]


def test_a_failed_gate_prints_its_statistics_and_what_went_wrong(demonstrators):
    stdout = demonstrators.proc.stdout
    assert "at-content fails compensation: most pairs tie" in stdout, demonstrators.log
    assert "p = 1, n = 100, ties = 100" in stdout


def test_unknown_model_is_a_usage_error_listing_the_accepted_forms(tmp_path):
    proc = run_mit(tmp_path, "--model=pa_pwm").proc
    assert proc.returncode == 4, proc.stderr
    assert "unknown --model 'pa_pwm'" in proc.stderr and "pa-pwm" in proc.stderr and "hf-mlm:" in proc.stderr


@pytest.mark.parametrize("spec, message", [
    ("tests.bad_scorers:nan_scorer", "non-finite scores for C_003=nan"),
    ("tests.bad_scorers:inf_scorer", "non-finite scores for C_000=inf"),
    ("tests.bad_scorers:short_scorer", "returned shape"),
])
def test_bad_scorer_output_makes_its_tests_errors_never_passes(tmp_path, spec, message):
    run = run_mit(tmp_path, f"--model={spec}", "-k", "not robustness")
    assert run.returncode == 2, "every test errored: the model measured nothing"
    assert message in run.proc.stdout, run.log
    verdicts = {p: r["verdict"] for p, r in run.properties(spec).items()}
    assert "pass" not in verdicts.values() and verdicts["compensation"] == "error", verdicts


def test_no_torch_import_for_the_reference_scorer(tmp_path):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "pytest", "mit_tests", "-q", "-s", "--model=pa-pwm",
                           f"--mit-report={tmp_path}", "-k", "compensation"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "numpy" in imported, "importtime output not captured"
    assert not imported & {"torch", "transformers"}, sorted(imported & {"torch", "transformers"})


@pytest.mark.parametrize("stem, compensation, scramble", [("hyenadna", 0.63, 0.48), ("caduceus", 0.49, 0.42)])
def test_paper_scores_replay_through_the_suite_on_mit_v1(tmp_path, stem, compensation, scramble):
    """The paper's stored scores, id-keyed (HyenaDNA) and class-keyed (Caduceus), gated by MIT on mit-v1."""
    scores = DATA / "mit_v1" / "results" / f"{stem}_results.json"
    if not scores.exists():
        pytest.skip(f"needs the paper's data: {scores} (set MIT_DATA_DIR)")
    run = run_mit(tmp_path, f"--model=scores:{scores}", "--mit-set=mit-v1", f"--mit-data-dir={DATA}")
    results = run.results
    props = run.properties(f"scores:{scores}")
    # the paper's CSS and SCR (index pairs; no ties in these scores, so the untied share is the paper's share)
    assert round(props["css"]["estimate"], 2) == compensation, props["css"]
    assert round(props["scramble"]["estimate"], 2) == scramble, props["scramble"]
    assert props["spacing"]["verdict"] == "skip" and "mit-v1" in props["spacing"]["reason"]
    assert props["compensation"]["verdict"] == "skip" and "paper's set" in props["compensation"]["reason"]
    assert results["set"] == "mit-v1" and "mit-v1" in results["set_sha256"]


def test_a_declared_expected_failure_is_xfail_and_others_still_fail(tmp_path):
    run = run_mit(tmp_path, "--model=tests.bad_scorers:declared_strand_blind", "-k", "not robustness")
    props = run.properties("tests.bad_scorers:declared_strand_blind")
    assert props["strand"]["verdict"] == "xfail" and "declares" in props["strand"]["reason"]
    assert props["compensation"]["verdict"] == "fail" and run.returncode == 1


def test_paper_tables_print_beside_the_papers_values(tmp_path):
    """``pytest --mit-set=mit-v1 --model=paper``: Tables 2 and 6 recomputed from the paper's stored data, each
    number beside the paper's printed one (BH p_FDR over its family of eight included)."""
    if not (DATA / "mit_v1" / "results" / "hyenadna_results.json").exists():
        pytest.skip(f"needs the paper's data under {DATA} (set MIT_DATA_DIR)")
    # wide enough that no table folds (under pytest-xdist the environment says COLUMNS=80, which MIT honours)
    run = run_mit(tmp_path, "--mit-set=mit-v1", "--model=paper", f"--mit-data-dir={DATA}", env={"COLUMNS": "200"})
    out = " ".join(run.proc.stdout.split())             # the columns are aligned with runs of spaces
    for row in ("hyenadna 0.630 / 0.63 0.0043 0.0346 / 0.0346 0.480 / 0.48 -0.010 / -0.01 -0.340 / -0.34",
                "evo2-1b 0.600 / 0.60 0.0225 0.0899 / 0.0899 0.460 / 0.46 0.378 / +0.38 -0.025 / -0.03",
                "pa-pwm 1.000 / 1.00 (0) 0.980 / 0.98 (1)", "thermo 0.970 / 0.97 (3) 0.680 / 0.68 (9)",
                "scan 0.430 / 0.43 (4) 0.540 / 0.54 (0)"):
        assert row in out, f"{row!r} not in the terminal output:\n{run.log}"
    assert "Paper mode: Tables 2 and 6" in run.html
    # the paper's set has none of MIT's matched classes: robustness skips with that reason, it does not error
    for spec in ("pa-pwm", "rpa-pwm"):
        for gate in GATES:
            record = run.properties(spec)[f"robustness_{gate}"]
            assert record["verdict"] == "skip" and "does not have" in record["reason"], (spec, gate, record)
    assert "KeyError" not in run.log, run.log[-3000:]


def test_model_list_prints_every_name_and_form_and_exits_0(tmp_path):
    run = run_mit(tmp_path, "--model=list")
    assert run.returncode == 0, run.log
    for name in ("rpa-pwm", "energy-lafleur", "hyenadna", "hf-mlm:ARG", "scores:ARG", "package.module:attr",
                 "ALIAS:ID_OR_PATH[@REV]", "paper"):
        assert name in run.proc.stdout, name
    assert not (tmp_path / "mit-results.json").exists(), "nothing is measured"


def test_model_list_into_a_pipe_that_closes_early_is_not_an_internal_error():
    """``pytest --model=list | head -2``: the reader closing the pipe is not MIT's error."""
    listing = subprocess.Popen([sys.executable, "-m", "pytest", "--model=list", "-q", "-p", "no:cacheprovider"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    listing.stdout.readline()
    listing.stdout.close()                       # as `head -1` does
    stderr = listing.stderr.read().decode()
    assert listing.wait(timeout=60) == 0 and "INTERNALERROR" not in stderr and "BrokenPipe" not in stderr, stderr
