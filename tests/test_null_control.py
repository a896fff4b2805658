"""``--mit-null-control N``: untrained copies of a Hugging Face model as extra rows, and the gates they pass
flagged on the model's cells (issue 14)."""

from __future__ import annotations

import re
import warnings

import pytest

from mit_tests.null_control import add_null_control, flagged
from mit_tests.properties import HOLM_FAMILY
from reports.matrix import _cell, null_control_lines
from reports.paper_values import FootnoteNumbers
from scorers.null_control import null_seed, null_spec, split_null_spec
from tests import tiny_models as tm
from tests.conftest import run_mit

COPIES = 3


def test_copy_names_and_seeds():
    assert null_spec("hf-causal:/m", 2) == "hf-causal:/m#null2"
    assert split_null_spec("hf-causal:/m#null2") == ("hf-causal:/m", 2)
    assert split_null_spec("scores:f.json#hyenadna") is None and split_null_spec("x#null0") is None
    assert null_seed(42, 1) == null_seed(42, 1) and len({null_seed(42, k) for k in (1, 2, 3)} |
                                                        {null_seed(7, 1)}) == 4


def test_a_gate_passed_by_a_copy_is_flagged_and_counted():
    models = {"m": {"motif": {"verdict": "pass"}, "spacing": {"verdict": "pass"}, "composition": {"verdict": "pass"},
                    "canary": {"verdict": "pass"}},
              "m#null1": {"motif": {"verdict": "pass"}, "spacing": {"verdict": "fail"}, "canary": {"verdict": "skip"}},
              "m#null2": {"motif": {"verdict": "fail"}, "spacing": {"verdict": "error"}}}
    add_null_control(models, {"m#null1": "m", "m#null2": "m"})
    assert models["m"]["motif"]["null_control"] == {"passed_by": 1, "of": 2,
                                                    "copies": {"m#null1": "pass", "m#null2": "fail"}}
    assert models["m"]["spacing"]["null_control"]["passed_by"] == 0 and models["m"]["spacing"]["null_control"]["of"] == 1
    assert "null_control" not in models["m"]["composition"] and "null_control" not in models["m"]["canary"]
    assert flagged(models["m"]["motif"]) and not flagged(models["m"]["spacing"])
    cell = _cell("m", "motif", {**models["m"]["motif"], "estimate": 0.6, "ci": [0.5, 0.7]}, FootnoteNumbers())
    assert 'class="mit-null-control"' in cell and "also passed by 1 of 2 untrained copies" in cell
    assert "mit-null-control" not in _cell("m", "spacing", models["m"]["spacing"], FootnoteNumbers())
    results = {"models": {spec: {"properties": props} for spec, props in models.items()}}
    assert null_control_lines(results) == ["null control: m motif PASS is also passed by 1 of 2 untrained copies"]


def test_null_control_needs_a_hugging_face_model(tmp_path):
    run = run_mit(tmp_path, "--model=pa-pwm", "--mit-null-control=2")
    assert run.returncode == 4 and "none of the models (pa-pwm) is a Hugging Face model" in run.proc.stderr, run.log


@pytest.mark.e2e
def test_untrained_copies_are_extra_rows_and_their_passes_flag_the_models_cells(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tm.make_gpt2(tmp_path / "gpt2", hidden=16, layers=1)
    spec = f"hf-causal:{model}"
    # The tiny model is untrained too: a high canary threshold lets it through, so every gate is measured. The
    # robustness designs (hypothesis) are left out to keep this quick; they are not in the matrix.
    run = run_mit(tmp_path / "report", f"--model={spec}", f"--mit-null-control={COPIES}", "--mit-canary-nll=10",
                  "-k", "not drawn_designs", cache=tmp_path / "cache.sqlite")
    copies = [null_spec(spec, k) for k in range(1, COPIES + 1)]
    assert list(run.results["models"]) == [spec] + copies, list(run.results["models"])
    for copy in copies:
        entry = run.results["models"][copy]
        assert entry["null_control_of"] == spec and "untrained" in entry["fingerprint"]
        assert entry["properties"]["canary"]["verdict"] == "skip"
        assert "untrained copy" in entry["properties"]["canary"]["reason"]
        assert entry["properties"]["motif"]["verdict"] in ("pass", "fail")
    estimates = {c: run.properties(c)["motif"]["estimate"] for c in copies}
    assert len(set(estimates.values())) == COPIES, f"the copies are not distinct draws: {estimates}"
    flags = []
    for prop, record in run.properties(spec).items():
        if prop in HOLM_FAMILY:
            verdicts = {c: run.properties(c)[prop]["verdict"] for c in copies}
            expected = sum(v == "pass" for v in verdicts.values())
            assert record["null_control"]["passed_by"] == expected and record["null_control"]["copies"] == verdicts
            if expected:
                flags.append(f"null control: {spec} {prop} {record['verdict'].upper()} is also passed by "
                             f"{expected} of {record['null_control']['of']} untrained copies")
    # Untrained copies seldom pass the gates (that is the point of them); whether one does here depends on the
    # draw, so both outcomes are checked: the flags shown are exactly the copies' passes, none when none passed.
    # test_a_gate_passed_by_a_copy_is_flagged_and_counted checks a flag's rendering whatever the draw.
    assert ("null control:" in run.proc.stdout) == bool(flags), (flags, run.log)
    for line in flags:
        assert line in run.proc.stdout, (line, run.log)
    cells = re.findall(r'<td class="mit-cell[^>]*data-model="([^"]*)" data-property="(\w+)"[^>]*>(.*?)</td>',
                       run.html)
    flagged_cells = {(m, p) for m, p, body in cells if "mit-null-control" in body}
    assert flagged_cells == {(spec, line.split()[3]) for line in flags}, flagged_cells
    for copy in copies:
        assert any(m == copy for m, _, _ in cells), f"no row for {copy} in the HTML matrix"
