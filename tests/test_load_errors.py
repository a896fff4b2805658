"""A gLM that cannot load says why once, at once, and how to fix it: an unreachable hub names the ALIAS:/local/path
form (instead of the hub client retrying for half a minute), a missing folder says "no such folder"."""

from __future__ import annotations

import pytest

from scorers.glm import recipes
from tests.conftest import run_mit


def test_an_unreachable_hub_fails_at_once_with_the_local_copy_form(monkeypatch):
    import huggingface_hub
    import socket

    def refuse(*args, **kwargs):
        raise OSError("Name or service not known")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(huggingface_hub, "try_to_load_from_cache", lambda *a, **k: None)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    with pytest.raises(RuntimeError) as raised:
        recipes.check_hub_reachable(recipes.RECIPES["nt-500m"])
    message = str(raised.value)
    assert "not in the local Hugging Face cache" in message and "cannot be reached (Name or service not known)" in message
    assert "--model nt-500m:/path/to/nucleotide-transformer-500m-human-ref" in message


def test_a_cached_checkpoint_needs_no_hub(monkeypatch):
    import huggingface_hub
    import socket

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("the hub was asked"))
    monkeypatch.setattr(huggingface_hub, "try_to_load_from_cache", lambda *a, **k: "/cache/config.json")
    recipes.check_hub_reachable(recipes.RECIPES["grover"])


@pytest.mark.e2e
def test_a_model_that_cannot_load_says_why_once(tmp_path):
    run = run_mit(tmp_path, "--model=nt-500m", "--model=rpa-pwm", "-k", "not robustness",
                  env={"HF_HUB_OFFLINE": "1"})
    out = run.proc.stdout
    assert run.returncode == 2, run.log                     # nt-500m measured nothing
    # once in the errors (the first test's), once in the summary, once on the exit-code line; never per test.
    # pytest's own short summary repeats the first test's message once more (cut to the terminal width off CI).
    advice = "point MIT at it: --model nt-500m:/path/to/"
    body, _, short_summary = out.partition("short test summary info")
    assert " ".join(body.split()).count(advice) == 3, out[-4000:]
    assert " ".join(short_summary.split()).count(advice) <= 1, short_summary
    assert "the same error as test_canary.py::test_canary[nt-500m], above" in out and "Traceback" not in out
    assert "every property: --model nt-500m" in out
    assert run.properties("nt-500m")["motif"]["verdict"] == "error"
    assert "HF_HUB_OFFLINE is set" in run.properties("nt-500m")["motif"]["reason"]


def test_the_install_hint_fits_a_checkout_or_an_installed_mit(tmp_path):
    from tests.conftest import ROOT
    assert recipes.glm_extra_command(ROOT).startswith('pip install -e ".[glm]"')
    installed = recipes.glm_extra_command(tmp_path)                 # site-packages/mit_glm: no pyproject.toml
    assert installed.startswith('pip install "mit-glm[glm]"'), installed
    assert "--index-url https://download.pytorch.org/whl/cpu" in installed
