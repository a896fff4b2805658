"""The whole conformance suite on locally built tiny Hugging Face models, loaded through from_pretrained."""

import re
import warnings

import pytest

from tests import tiny_models as tm
from tests.conftest import run_mit

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def untrained_mlm(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tm.make_esm_char(tmp_path_factory.mktemp("glm") / "esm-char", layers=1, hidden=16)


def run_suite(tmp_path, spec, *args):
    run = run_mit(tmp_path / "report", f"--model={spec}", "--mit-examples=2", *args,
                  cache=tmp_path / "cache.sqlite")
    return run.proc, run.properties(spec)


def test_untrained_model_fails_the_canary_and_errors_everywhere_else(tmp_path, untrained_mlm):
    proc, props = run_suite(tmp_path, f"hf-mlm:{untrained_mlm}")
    assert props["canary"]["verdict"] == "fail", props["canary"]
    assert "model looks untrained or weights did not load" in props["canary"]["reason"]
    gated = ["motif", "compensation", "up_position", "spacing", "strand"]
    assert {p: props[p]["verdict"] for p in gated} == {p: "error" for p in gated}
    assert "model looks untrained or weights did not load" in props["compensation"]["reason"]
    assert proc.returncode == 1


def test_whole_suite_runs_on_a_masked_lm_and_a_warm_cache_rerun_agrees(tmp_path, untrained_mlm):
    # Raising the canary threshold lets the untrained model through, so every property is measured on it.
    spec = f"hf-mlm:{untrained_mlm}"
    first, props = run_suite(tmp_path, spec, "--mit-canary-nll=10")
    assert props["canary"]["verdict"] == "pass", props["canary"]
    measured = ["motif", "compensation", "up_position", "spacing", "strand", "css", "scramble", "composition"]
    for p in measured:
        assert props[p]["verdict"] in ("pass", "fail", "info") and props[p]["p"] is not None, (p, props[p])
    again, props_again = run_suite(tmp_path, spec, "--mit-canary-nll=10")
    assert {p: props_again[p]["estimate"] for p in measured} == {p: props[p]["estimate"] for p in measured}
    # The terminal says how scoring went: timed on the cold run, all from the cache on the warm one.
    assert re.search(rf"mit: {re.escape(spec)}: [\d,]+ sequences scored in [\d.,]+ s \(", first.stdout), \
        first.stdout[:2000]
    assert re.search(rf"mit: {re.escape(spec)}: all [\d,]+ sequences from the score cache", again.stdout), \
        again.stdout[:2000]
