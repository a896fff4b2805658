"""What a person reads first: the terminal summary (fits 120 columns, each model's overall line first, one sentence
per failed gate) and the report's "not measured" note (every model's reason). Built from synthetic results, so
each check sees exactly the case it is about."""

from __future__ import annotations

import re

from mit_tests.properties import GATES, PROPERTIES
from reports.matrix import not_measured_html, text_summary

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


def test_partial_grammar_has_its_own_line_and_colour():
    props = {p: record("pass", 0.9) for p in GATES}
    props["up_position"] = record("fail", 0.52, "with the UP element kept in place, it does not prefer the core "
                                                "downstream of it")
    overall = {"verdict": "partial grammar", "reason": "passes 4 of 5 gates (motif, compensation, spacing, strand); "
               "fails up_position; meets the outside-construction criterion (real promoters, measured expression)"}
    text = text_summary(results_of({"energy-lafleur": (overall, props)}), colour=True)
    first = text.splitlines()[0]
    assert first.startswith("energy-lafleur") and "\x1b[33mpartial grammar: passes 4 of 5 gates" in first, first
    assert "up_position: with the UP element kept in place" in text
