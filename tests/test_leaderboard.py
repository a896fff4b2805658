"""The leaderboard page (``python -m reports.leaderboard``) and the merge it rests on (``reports.merge``)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from reports.leaderboard import leaderboard_html, main
from reports.merge import IncompatibleResults, compatibility_problems, merge_results


def _results(models: dict, *, seed=42, set_name="core", sha="a" * 64, version="0.2.0") -> dict:
    return {"seed": seed, "alpha": 0.05, "set": set_name, "set_sha256": {"core": sha},
            "versions": {"mit-glm": version}, "models": models}


def _model(verdict: str, share: float) -> dict:
    return {"overall": {"verdict": verdict, "line": f"{verdict}: ...", "passed": []},
            "properties": {"motif": {"verdict": "pass" if share > 0.6 else "fail", "estimate": share,
                                     "ci": [share - 0.1, share + 0.1]}}}


def _write(path, results):
    path.write_text(json.dumps(results), encoding="utf-8")
    return str(path)


def test_merge_keeps_every_model_and_refuses_other_runs():
    first = _results({"rpa-pwm": _model("grammar", 0.9)})
    second = _results({"random": _model("neither", 0.5)})
    merged = merge_results({"one.json": first, "two.json": second})
    assert list(merged["models"]) == ["rpa-pwm", "random"]
    for change, words in (({"seed": 7}, "seed is 7"), ({"sha": "b" * 64}, "set sha256 of core differs"),
                          ({"version": "0.1.0"}, "MIT version is '0.1.0'"),
                          ({"set_name": "mit-v1"}, "set is 'mit-v1'")):
        other = _results({"random": _model("neither", 0.5)}, **change)
        problems = compatibility_problems({"one.json": first, "two.json": other})
        assert any("two.json" in p and words in p for p in problems), (change, problems)
        with pytest.raises(IncompatibleResults, match="two.json"):
            merge_results({"one.json": first, "two.json": other})


def test_one_model_measured_twice_must_agree():
    first = _results({"rpa-pwm": _model("grammar", 0.9)})
    same = copy.deepcopy(first)
    assert merge_results({"a": first, "b": same})["models"] == first["models"]
    other = _results({"rpa-pwm": _model("grammar", 0.8)})
    with pytest.raises(IncompatibleResults, match="rpa-pwm is in a and in b with different results"):
        merge_results({"a": first, "b": other})


def test_page_is_self_contained_sortable_and_sectioned(tmp_path):
    core = _write(tmp_path / "core.json", _results({"rpa-pwm": _model("grammar", 0.9),
                                                     "random": _model("neither", 0.5)}))
    paper = _write(tmp_path / "paper.json", _results({"scores:hyenadna_results.json": _model("neither", 0.55)},
                                                     set_name="mit-v1", sha="c" * 64))
    page = leaderboard_html([("Models", [core]), ("The paper's gLMs", [paper])])
    assert page.count('<table class="lb">') == 2
    assert "rpa-pwm" in page and "scores:hyenadna_results.json" in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not fetch anything"
    assert "addEventListener('click'" in page
    out = tmp_path / "lb.html"
    assert main([core, paper, "--out", str(out)]) == 1 and not out.exists()
    assert main([core, "--section", "The paper's gLMs", paper, "--out", str(out)]) == 0 and out.exists()


def test_untrained_copies_are_not_entries():
    models = {"hf-causal:m": _model("neither", 0.5), "hf-causal:m#null1": {**_model("neither", 0.5),
                                                                          "null_control_of": "hf-causal:m"}}
    from reports.leaderboard import table_html
    table = table_html(_results(models))
    assert 'title="hf-causal:m"' in table and "#null1" not in table


def test_refusal_names_the_file_and_field(tmp_path, capsys):
    core = _write(tmp_path / "core.json", _results({"rpa-pwm": _model("grammar", 0.9)}))
    other = _write(tmp_path / "seed7.json", _results({"random": _model("neither", 0.5)}, seed=7))
    assert main([core, other, "--out", str(tmp_path / "lb.html")]) == 1
    err = capsys.readouterr().err
    assert "seed7.json: seed is 7" in err, err
