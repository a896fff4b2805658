"""What a person reads first: the terminal summary (fits 120 columns, each model's overall line first, one sentence
per failed gate) and the report's "not measured" note (every model's reason). Built from synthetic results, so
each check sees exactly the case it is about."""

from __future__ import annotations

import re

from mit_tests.properties import GATES, PROPERTIES
from reports.matrix import not_measured_html, short_spec, text_summary

LONG_SPEC = "hf-mlm:/models/checkpoints/nucleotide-transformer-v2-500m-multi-species/finetuned/epoch-12@abcdef0"


def record(verdict, estimate=None, failure=""):
    return {"verdict": verdict, "estimate": estimate, "ci": [None, None], "p": 0.5, "n": 100, "ties": 0,
            "failure": failure, "reason": failure}


def results_of(models: dict) -> dict:
    return {"models": {spec: {"overall": overall, "properties": props} for spec, (overall, props) in models.items()}}


def failing_model(sentence: str):
    props = {p: record("fail", 0.41, f"{sentence} ({p})") for p in GATES}
    props.update({p: record("skip", failure="not run") for p in PROPERTIES if p not in props})
    overall = {"verdict": "composition only", "reason": "fails " + ", ".join(GATES) + "; but scores E above D (css): "
               "it reads composition"}
    return overall, props


def passing_model():
    props = {p: record("pass", 0.97) for p in GATES}
    props.update({p: record("skip", failure="not run") for p in PROPERTIES if p not in props})
    return {"verdict": "grammar", "reason": "passes " + ", ".join(GATES) + " (Holm-adjusted, alpha 0.05)"}, props


def test_the_summary_of_three_models_fits_120_columns_and_opens_with_each_overall_line():
    sentence = ("it does not prefer the −35 box upstream of the −10 box over the two boxes exchanged, in any of "
                "the fifty matched families drawn for this property")
    results = results_of({"rpa-pwm": passing_model(), "at-content": failing_model(sentence),
                          LONG_SPEC: failing_model(sentence)})
    text = text_summary(results)
    widths = [len(line) for line in text.splitlines()]
    assert max(widths) <= 120, [line for line in text.splitlines() if len(line) > 120]
    first = [line for line in text.splitlines() if line and not line.startswith(" ")][:3]
    assert first[0].startswith("rpa-pwm") and "grammar: passes motif" in first[0]
    assert first[1].startswith("at-content") and "composition only" in first[1]
    assert first[2].startswith("…") and "composition only" in first[2]      # the long spec, cut from the left
    assert text.count("strand: it does not prefer") == 2                     # one sentence per failed gate
    assert text.count("motif: it does not prefer") == 2


def test_colour_marks_the_verdicts_only_when_asked():
    results = results_of({"rpa-pwm": passing_model()})
    assert "\x1b[" not in text_summary(results)
    coloured = text_summary(results, colour=True)
    assert "\x1b[32mgrammar" in coloured
    assert max(len(re.sub(r"\x1b\[\d+m", "", line)) for line in coloured.splitlines()) <= 120


def test_not_measured_names_every_models_reason():
    props_a = {"spacing": record("skip", failure="the spacing probe set is not part of this run (--mit-set mit-v1)")}
    props_b = {"spacing": record("skip", failure="scores:x.csv replays a file without the probe sets")}
    html = not_measured_html(results_of({"a": ({}, props_a), "b": ({}, props_b)}))
    assert "a: the spacing probe set is not part of this run" in html and "b: scores:x.csv replays" in html
    same = not_measured_html(results_of({"a": ({}, props_a), "c": ({}, dict(props_a))}))
    assert same.count("the spacing probe set") == 1 and "a, c" not in same


def test_one_reason_for_many_properties_is_said_once():
    reason = "--model nt-500m: InstaDeepAI/nucleotide-transformer-500m-human-ref is not in the local cache"
    props = {p: record("error", failure=reason) for p in PROPERTIES}
    text = text_summary(results_of({"nt-500m": ({"verdict": "not measured", "reason": "no verdict"}, props)}))
    assert text.count("is not in the local cache") == 1, text
    assert "every property: --model nt-500m" in text


# ------------------------------------------------------------------ many models, ties, n/a, widths (issue 23)

TWELVE = ("rpa-pwm", "energy-lafleur", "energy-lagator", "energy-kinney", "pa-pwm", "thermo", "scan",
          "pa-pwm-nopos", "at-content", "gc", "random", LONG_SPEC)
NOT_LIKELIHOOD = "{} gives 'energy' values, not log-likelihoods; the canary checks likelihood models only"


def tied_fail(estimate=0.8, ties=60, n=100):
    return {**record("fail", estimate, "most pairs tie (50 of 100), so it cannot tell the arrangements apart"),
            "ties": ties, "n": n}


def twelve_models(reason_words: int = 40) -> dict:
    long_reason = " ".join(f"word{i}" for i in range(reason_words))
    models = {}
    for i, spec in enumerate(TWELVE):
        overall, props = (passing_model() if i % 3 == 0 else
                          failing_model("it does not prefer the −35 box upstream of the −10 box"))
        props = dict(props)
        props["canary"] = {"verdict": "skip", "reason": NOT_LIKELIHOOD.format(spec)}
        if i % 3 == 1:
            props["motif"] = tied_fail()
        models[spec] = ({**overall, "reason": f"{overall['reason']} {long_reason}"}, props)
    return results_of(models)


def test_a_fail_that_ties_made_unpassable_is_flagged():
    from reports.matrix import html_matrix, tie_driven
    props = {"motif": tied_fail(), "strand": record("fail", 0.8), "up_position": record("fail", 0.4)}
    # a gate whose record is its weakest contrast can be tie-driven through another contrast
    props["up_position"]["details"] = {"contrasts": {"a": {"n": 50, "ties": 30}, "b": {"n": 50, "ties": 2}}}
    assert tie_driven(props["motif"]) and tie_driven(props["up_position"]) and not tie_driven(props["strand"])
    assert not tie_driven({**tied_fail(), "verdict": "pass"})
    text = text_summary(results_of({"pa-pwm": ({"verdict": "neither", "reason": "fails"}, props)}))
    row = next(line for line in text.splitlines() if line.startswith("pa-pwm") and "neither  " in line)
    assert "F~ 0.80" in row and "F 0.80" in row and "F~ 0.40" in row, row
    page = html_matrix(results_of({"pa-pwm": ({"verdict": "neither", "reason": "fails"}, props)}))
    motif = re.search(r'<td class="mit-cell mit-fail mit-tied"[^>]*data-property="motif"[^>]*>(.*?)</td>', page)
    assert motif and "mit-tie" in motif.group(1), page
    assert not re.search(r'<td class="mit-cell mit-fail mit-tied"[^>]*data-property="strand"', page)


def test_a_property_that_does_not_apply_reads_na_not_skip():
    from reports.matrix import html_matrix
    props = {"canary": {"verdict": "skip", "reason": NOT_LIKELIHOOD.format("rpa-pwm")},
             "spacing": {"verdict": "skip", "reason": "the spacing probe set is not part of this run"}}
    results = results_of({"rpa-pwm": ({"verdict": "not measured", "reason": "skipped"}, props)})
    page = html_matrix(results)
    canary = re.search(r'<td class="mit-cell mit-na"[^>]*data-property="canary"[^>]*>(.*?)</td>', page)
    assert canary and ">n/a<" in canary.group(1) and 'data-applies="no"' in canary.group(0)
    assert re.search(r'data-property="spacing" data-verdict="skip"[^>]*>.*?>SKIP<', page)   # not run: still SKIP
    row = next(line for line in text_summary(results).splitlines() if line.startswith("rpa-pwm  not meas. "))
    assert row.split()[-2:] == ["n/a", "-"], row     # canary n/a; robustness not run


def test_every_does_not_apply_phrase_is_still_a_skip_reason_in_mit_tests():
    from pathlib import Path

    from reports.matrix import DOES_NOT_APPLY
    sources = " ".join(" ".join(path.read_text(encoding="utf-8").split())
                       for path in (Path(__file__).resolve().parents[1] / "mit_tests").glob("*.py"))
    for phrase in DOES_NOT_APPLY:
        assert phrase in sources, f"no skip in mit_tests says {phrase!r}: the n/a cells would show SKIP again"


def test_many_models_open_with_the_matrix_and_keep_the_sentences_for_verbose():
    results = twelve_models()
    text = text_summary(results, width=120)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("model "))
    first_overall = next(i for i, line in enumerate(lines) if line.startswith("rpa-pwm ") and "grammar:" in line)
    assert header == 0 and first_overall > header + len(TWELVE)
    assert "it does not prefer the −35 box" not in text and "run with -v" in text
    verbose = text_summary(results, width=120, verbose=1)
    assert verbose.count("it does not prefer the −35 box") >= 8       # the 8 failing models, once each
    assert "run with -v" not in verbose
    # three models keep the old order: verdicts and sentences first, then the matrix
    few = text_summary(results_of({s: m for s, m in list(twelve_models_raw().items())[:3]}))
    assert few.splitlines()[0].startswith("rpa-pwm") and "it does not prefer the −35 box" in few


def twelve_models_raw() -> dict:
    results = twelve_models()
    return {spec: (m["overall"], m["properties"]) for spec, m in results["models"].items()}


def test_the_terminal_matrix_folds_to_the_width_and_keeps_every_overall_word():
    results = twelve_models(reason_words=60)
    for width in (60, 80, 120):
        text = text_summary(results, width=width, verbose=1)
        too_wide = [line for line in text.splitlines() if len(line) > width]
        assert not too_wide, (width, too_wide)
        flat = " ".join(text.split())
        for model in results["models"].values():
            assert " ".join(model["overall"]["reason"].split()) in flat, width   # never cut
        # a folded matrix repeats the model names in each block: every model in every block
        matrix = text[:text.index("P pass, F fail")].split("not shown, no model has a result")[0]
        for block in matrix.strip("\n").split("\n\n"):
            assert [line.split()[0] for line in block.splitlines()[1:]] == \
                [short_spec(s, 24) for s in results["models"]], block
    narrow = text_summary(results, width=60).splitlines()
    assert sum(line.startswith("model ") for line in narrow) >= 2, "60 columns: the matrix must fold"
    # before folding, the columns no model has a result in are left out, and named
    assert re.search(r"not shown, no model has a result: natural, .*canary", " ".join(narrow)), narrow
    assert "not shown" not in text_summary(results, width=200)          # fits: every column stays


def test_mpra_and_paper_tables_fold_to_the_width():
    from reports.grounding import mpra_text
    libraries = {f"library_{i}": {"rho": 0.5 - i / 10, "ci": [0.1, 0.9], "n": 100} for i in range(8)}
    results = results_of({spec: ({}, {"mpra": {"verdict": "info", "details": {"libraries": libraries}}})
                          for spec in TWELVE})
    for width in (80, 120):
        text = mpra_text(results, width)
        assert max(len(line) for line in text.splitlines()) <= width, width
        assert text.count("+0.50 [+0.10, +0.90]") == len(TWELVE)      # every cell, once
        assert text.count("energy-lafleur") >= 2                       # rows repeated in each block


def test_extra_record_fields_show_in_the_cell_when_present():
    from reports.matrix import html_matrix
    with_extra = {**record("pass", 0.9), "effect": {"name": "Cohen's d", "value": 0.81234, "ci": [0.5, 1.1]}}
    page = html_matrix(results_of({"rpa-pwm": ({"verdict": "grammar", "reason": "passes"},
                                               {"motif": with_extra, "strand": record("pass", 0.9)})}))
    motif = re.search(r'<td [^>]*data-property="motif"[^>]*>.*?</td>', page, re.S).group(0)
    assert "effect: name Cohen&#x27;s d; value 0.812; ci [0.5, 1.1]" in motif        # hover text
    assert 'class="mit-extra" data-field="effect"' in motif                          # opened detail
    strand = re.search(r'<td [^>]*data-property="strand"[^>]*>.*?</td>', page, re.S).group(0)
    assert "mit-extra" not in strand


def test_row_names_are_whole_and_break_only_between_words():
    from reports.matrix import breakable, html_matrix, row_label
    paper = "scores:/work/shared/data/mit_v1/results/hyenadna_results.json"
    assert row_label(paper) == "hyenadna (scores)"
    assert row_label("scores:/data/x/my_scores.csv") == "scores:my_scores.csv"
    assert row_label("energy-lafleur") == "energy-lafleur"
    assert breakable("energy-lafleur") == "energy-<wbr>lafleur"
    page = html_matrix(results_of({paper: ({}, {}), LONG_SPEC: ({}, {})}))
    assert ">hyenadna (scores)<" in page and "…" not in page
    shown = re.findall(r'<span class="mit-name">(.*?)</span>', page)
    assert [re.sub("<wbr>", "", s) for s in shown] == ["hyenadna (scores)", LONG_SPEC]
    for name in shown:          # a break opportunity only after - : / _ . @ =
        assert all(piece[-1] in "-:/_.@=" for piece in name.split("<wbr>")[:-1]), name
    assert f'title="{LONG_SPEC}' in page and f'title="{paper}' in page


def facts(results: dict) -> dict:
    return {**results, "set": "mit-v1", "seed": 42, "alpha": 0.05, "set_sha256": {}, "versions": {}}


def test_paper_mode_puts_its_tables_above_the_matrix():
    from reports.page import top_of_report
    metrics = {"css": 0.63, "css_p": 0.0043, "scr": 0.48, "mes_natural": -0.01, "mes_synthetic": -0.34,
               "css_ties": 0, "scr_ties": 0}
    spec = "scores:/work/shared/data/mit_v1/results/hyenadna_results.json"
    results = facts(results_of({spec: ({"verdict": "not measured", "reason": "skipped"},
                                       {"paper": {"verdict": "info", "details": metrics}})}))
    page = top_of_report(results, [], {})
    assert page.index('id="mit-paper-tables"') < page.index('id="mit-matrix"')
    assert ">hyenadna (scores)<" in page


def test_a_report_re_renders_from_its_json(tmp_path, capsys):
    import json

    import pytest

    from reports.render import main
    path = tmp_path / "mit-results.json"
    path.write_text(json.dumps(facts(twelve_models())), encoding="utf-8")
    assert main([str(path), "--out", str(tmp_path / "again"), "--width", "90"]) == 0
    page = (tmp_path / "again" / "mit-report.html").read_text(encoding="utf-8")
    assert page.count('data-property="motif"') == len(TWELVE)
    printed = capsys.readouterr().out
    assert printed.startswith("model ") and max(len(line) for line in printed.splitlines()) <= 90
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SystemExit):
        main([str(tmp_path / "bad.json"), "--out", str(tmp_path / "x")])
    assert "no 'models' object" in capsys.readouterr().err
