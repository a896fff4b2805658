"""A real pretrained gLM through MIT: HyenaDNA-tiny-1k as the PyPI wheel ``anticapt`` ships it (issue 14).

The wheel (GPL-3.0) is installed, never copied into MIT: ``pip install --no-deps anticapt``. Its checkpoint
``anticapt/models/dataset1/finetuned_hyenadna/`` holds LongSafari's own ``modeling_hyena.py`` and
``tokenization_hyena.py``, a config and ``pytorch_model.bin``: HyenaDNA-tiny-1k (LongSafari/hyenadna-tiny-1k-
seqlen-hf, pretrained on the human genome) fine-tuned for 5 epochs at lr 2e-5 (``finetuning_info.json``), saved
as a backbone without the causal-LM head. MIT refuses it as it is; the copy that ``python -m scorers.glm.tie_head``
writes (the head tied to the input embeddings, as HyenaDNA was pretrained) is scored through the ``hyenadna``
recipe with the checkpoint's own remote code. The wheel's second fine-tune (``models/dataset2``) is a replicate.
Both tied copies predict E. coli DNA worse than chance, and the canary refuses them for it (issue 20).
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_mit

INSTALL = "pip install --no-deps anticapt"
# The wheel's two fine-tunes of HyenaDNA-tiny-1k: replicates (weights 0.34 % apart, issue 20).
CHECKPOINTS = (Path("models", "dataset1", "finetuned_hyenadna"), Path("models", "dataset2", "finetuned_hyenadna"))
CHECKPOINT = CHECKPOINTS[0]


def anticapt_folder(checkpoint: Path = CHECKPOINT) -> Path | None:
    """The installed wheel's ``checkpoint`` folder, or None when anticapt or the checkpoint is not installed."""
    spec = importlib.util.find_spec("anticapt")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / checkpoint
    return folder if (folder / "pytorch_model.bin").is_file() else None


def anticapt_checkpoint(checkpoint: Path = CHECKPOINT) -> Path:
    folder = anticapt_folder(checkpoint)
    if folder is None:
        installed = importlib.util.find_spec("anticapt") is not None
        pytest.skip(f"the installed anticapt has no {checkpoint}/pytorch_model.bin; reinstall: {INSTALL}" if installed
                    else f"needs the HyenaDNA-tiny checkpoint of the PyPI wheel anticapt: {INSTALL}")
    return folder


@pytest.fixture(scope="module")
def untouched():
    return anticapt_checkpoint()


@pytest.fixture(scope="module")
def tied(untouched, tmp_path_factory):
    """The copy with the head tied to the input embeddings, written by ``python -m scorers.glm.tie_head``."""
    from scorers.glm.tie_head import main
    folder = tmp_path_factory.mktemp("hyenadna-tied") / "hyenadna-tiny-tied"
    assert main([str(untouched), str(folder), "--trust-remote-code"]) == 0
    return folder


def load(spec: str):
    from scorers.protocol import ScorerOptions
    from scorers.registry import resolve
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resolve(spec, ScorerOptions(trust_remote_code=True))


def test_the_untouched_checkpoint_is_refused_naming_the_missing_head(untouched):
    from scorers.glm.hf import MissingWeightsError
    with pytest.raises(MissingWeightsError) as refused:
        load(f"hyenadna:{untouched}")
    message = str(refused.value)
    assert "lm_head.weight" in message and "will not score a randomly initialised head" in message, message
    assert "python -m scorers.glm.tie_head" in message, message


def test_the_tied_copy_changes_only_the_head_and_the_config(untouched, tied):
    import json

    import torch
    assert sorted(p.name for p in tied.iterdir()) == sorted(p.name for p in untouched.iterdir() if p.is_file())
    for name in ("modeling_hyena.py", "tokenization_hyena.py", "configuration_hyena.py", "tokenizer_config.json"):
        assert (tied / name).read_bytes() == (untouched / name).read_bytes(), name
    before = json.loads((untouched / "config.json").read_text())
    after = json.loads((tied / "config.json").read_text())
    assert {k for k in after if after[k] != before.get(k)} == {"tie_word_embeddings"} and after["tie_word_embeddings"]
    original = torch.load(untouched / "pytorch_model.bin", map_location="cpu", weights_only=True)
    copy = torch.load(tied / "pytorch_model.bin", map_location="cpu", weights_only=True)
    assert set(copy) - set(original) == {"lm_head.weight"} and set(original) <= set(copy)
    assert all(torch.equal(copy[k], original[k]) for k in original)
    assert torch.equal(copy["lm_head.weight"], original["backbone.embeddings.word_embeddings.weight"])


def test_tie_head_refuses_a_checkpoint_that_has_its_head(tied, tmp_path, capsys):
    from scorers.glm.tie_head import main
    assert main([str(tied), str(tmp_path / "again"), "--trust-remote-code"]) == 1
    assert "already has its head lm_head.weight" in capsys.readouterr().err
    assert main([str(tied), str(tmp_path / "x")]) == 1
    assert "--trust-remote-code" in capsys.readouterr().err


def test_the_tied_copy_is_scored_exactly_with_longsafaris_remote_code(tied):
    from tests.oracles import slow_causal_ll
    from tests.tiny_models import random_dna

    scorer = load(f"hyenadna:{tied}")
    module = type(scorer.model).__module__
    assert module.startswith("transformers_modules.") and module.endswith("modeling_hyena"), module
    assert type(scorer.tokens.tokenizer).__name__ == "HyenaDNATokenizer" and not scorer.uses_attention_mask
    sequences = random_dna(6, 20, 90, seed=14) + ["TTGACA" * 12, "A" * 40]
    tok = scorer.tokens.tokenizer
    reference = [slow_causal_ll(scorer.model, tok(s)["input_ids"], set(tok.all_special_ids)) for s in sequences]
    np.testing.assert_allclose(scorer.score(sequences), reference, atol=1e-4, rtol=0)
    # The comparison has power: per-sequence values differ by far more than the tolerance.
    assert np.ptp(np.asarray(reference) / [len(s) for s in sequences]) > 0.5
    np.testing.assert_array_equal(scorer.n_scored_nucleotides(sequences), [len(s) - 1 for s in sequences])


@pytest.fixture(scope="module")
def tied_replicate(tmp_path_factory):
    """The wheel's second fine-tune (``models/dataset2``), its head tied the same way: a replicate."""
    from scorers.glm.tie_head import main
    folder = tmp_path_factory.mktemp("hyenadna-tied-2") / "hyenadna-tiny-tied-2"
    assert main([str(anticapt_checkpoint(CHECKPOINTS[1])), str(folder), "--trust-remote-code"]) == 0
    return folder


@pytest.mark.e2e
def test_both_tied_replicates_are_refused_as_worse_than_chance_on_e_coli_dna_and_the_untouched_one_errors(
        tied, tied_replicate, untouched, tmp_path):
    """HyenaDNA-tiny was pretrained on the human genome and fine-tuned on anticapt's task: tied, it is confident on
    tandem repeats (0.91 nats/nt) but predicts E. coli DNA worse than a uniform guess (measured: 2.10 and 2.11
    nats/nt on held-out windows, 1.77 and 1.75 on natural promoters; docs/canary.md). MIT says so and measures
    nothing else on it; the untouched checkpoint is refused for its missing head."""
    from fixtures.natural import missing_data
    from mit_tests.canary import UNTRAINED, WORSE_THAN_CHANCE
    if missing_data():
        pytest.skip(missing_data())
    run = run_mit(tmp_path / "report", f"--model=hyenadna:{tied}", f"--model=hyenadna:{tied_replicate}",
                  f"--model=hyenadna:{untouched}", "--trust-remote-code", "-k", "test_canary or test_motif",
                  cache=tmp_path / "cache.sqlite")
    for folder in (tied, tied_replicate):
        measured = run.properties(f"hyenadna:{folder}")
        canary = measured["canary"]
        assert canary["verdict"] == "fail", (canary, run.log)
        assert WORSE_THAN_CHANCE in canary["reason"] and UNTRAINED in canary["reason"], canary["reason"]
        details = canary["details"]
        assert details["promoter_nll_per_nt"] > math.log(4) + 0.1 and details["held_out_nll_per_nt"] > math.log(4)
        assert details["repeat_nll_per_nt"] < math.log(4) - 0.3, "confident on repeats all the same"
        assert details["checks"]["uniform"] and details["identical_rescoring"] is True
        assert measured["motif"]["verdict"] == "error" and WORSE_THAN_CHANCE in measured["motif"]["reason"]
    refused = run.properties(f"hyenadna:{untouched}")["canary"]
    assert refused["verdict"] == "error" and "will not score a randomly initialised head" in refused["reason"], \
        refused
    assert run.returncode != 0
