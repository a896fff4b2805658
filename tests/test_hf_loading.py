"""Loading Hugging Face checkpoints (issue 14): no randomly initialised weight is ever scored, a head tied by
transformers is accepted, ``python -m scorers.glm.tie_head`` restores a tied head, and the table tokenization of
one-token-per-nucleotide tokenizers equals the tokenizer's own."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import GPT2Config, GPT2Model

from scorers.glm.hf import MissingWeightsError, random_weights
from scorers.glm.tie_head import main as tie_head_main
from scorers.glm.tokens import NucleotideTokenizer
from scorers.protocol import ScorerOptions
from scorers.registry import resolve
from tests import tiny_models as tm

SEQUENCES = tm.random_dna(6, 5, 40, seed=11)


def load(spec: str, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resolve(spec, ScorerOptions(**options))


def gpt2_backbone(folder, tie: bool):
    """A GPT-2 saved as ``GPT2Model``: the transformer without its LM head, as HyenaDNA-tiny was saved."""
    tokenizer = tm.causal_char_tokenizer()
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_embd=16, n_layer=1, n_head=2, n_positions=128,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=tie, initializer_range=0.5)
    folder.mkdir(parents=True)
    GPT2Model(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_a_causal_lm_without_its_head_is_refused_naming_the_key(tmp_path):
    folder = gpt2_backbone(tmp_path / "backbone", tie=False)
    with pytest.raises(MissingWeightsError) as refused:
        load(f"hf-causal:{folder}")
    message = str(refused.value)
    assert "lm_head.weight" in message and "MIT will not score a randomly initialised head" in message, message
    assert f"hf-causal:{folder}" in message and "python -m scorers.glm.tie_head" in message


def test_a_masked_lm_checkpoint_without_its_mlm_head_is_refused(tmp_path):
    from transformers import BertModel
    source = tm.make_bert(tmp_path / "bert")
    base = tmp_path / "bert-base"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        BertModel.from_pretrained(source).save_pretrained(base)
    tm.char_tokenizer().save_pretrained(base)
    with pytest.raises(MissingWeightsError, match=r"cls\.predictions\.transform\.dense\.weight"):
        load(f"hf-mlm:{base}")


def test_a_head_that_transformers_ties_to_the_embeddings_is_accepted(tmp_path):
    folder = gpt2_backbone(tmp_path / "tied", tie=True)
    assert "lm_head.weight" not in load_file(str(folder / "model.safetensors"))
    scorer = load(f"hf-causal:{folder}")
    assert scorer.model.lm_head.weight.data_ptr() == scorer.model.transformer.wte.weight.data_ptr()
    assert np.isfinite(scorer.score(SEQUENCES)).all()
    # The tiny GPT-2 of the other tests is saved the same way (no lm_head.weight in its file).
    assert "lm_head.weight" not in load_file(str(tm.make_gpt2(tmp_path / "gpt2") / "model.safetensors"))


def strip_head(folder):
    weights = load_file(str(folder / "model.safetensors"))
    save_file({k: v for k, v in weights.items() if not k.startswith("head.")}, str(folder / "model.safetensors"),
              metadata={"format": "pt"})
    return folder


def test_weights_a_model_class_declares_ignorable_are_still_caught(tmp_path):
    """transformers drops ``_keys_to_ignore_on_load_missing`` keys from its report; MIT still sees that those
    parameters were not loaded."""
    folder = strip_head(tm.make_hyena_like(tmp_path / "conv"))

    class SilentHead(tm.TinyConvForCausalLM):
        _keys_to_ignore_on_load_missing = [r"head\."]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, info = SilentHead.from_pretrained(folder, output_loading_info=True)
        plain, plain_info = tm.TinyConvForCausalLM.from_pretrained(folder, output_loading_info=True)
    assert not info["missing_keys"], "transformers reports the ignorable keys after all"
    assert random_weights(model, info["missing_keys"]) == ["head.bias", "head.weight"]
    assert random_weights(plain, plain_info["missing_keys"]) == ["head.bias", "head.weight"]
    with pytest.raises(MissingWeightsError, match="head.bias, head.weight"):
        load(f"hyenadna:{folder}", trust_remote_code=True)
    # Index buffers rebuilt from the config are harmless; so is a missing tensor that shares its storage with a
    # loaded one (tied), and only that: the untied bias stays random.
    plain.head.weight = plain.embed.weight
    assert random_weights(plain, {"head.weight", "convs.0.position_ids"}) == ["head.bias"]


def test_tie_head_writes_the_head_and_changes_nothing_else(tmp_path, capsys):
    source = gpt2_backbone(tmp_path / "backbone", tie=False)
    target = tmp_path / "with-head"
    assert tie_head_main([str(source), str(target)]) == 0, capsys.readouterr().err
    assert "lm_head.weight = wte.weight" in capsys.readouterr().err
    before, after = load_file(str(source / "model.safetensors")), load_file(str(target / "model.safetensors"))
    assert set(after) - set(before) == {"lm_head.weight"}
    assert all(torch.equal(after[k], before[k]) for k in before)
    assert torch.equal(after["lm_head.weight"], before["wte.weight"])
    assert json.loads((target / "config.json").read_text())["tie_word_embeddings"] is True
    assert (target / "tokenizer.json").read_bytes() == (source / "tokenizer.json").read_bytes()
    scorer = load(f"hf-causal:{target}")
    np.testing.assert_allclose(scorer.model.lm_head.weight.detach(), scorer.model.transformer.wte.weight.detach())
    assert np.isfinite(scorer.score(SEQUENCES)).all()
    # A checkpoint missing more than its head is not made whole by tying.
    partial = gpt2_backbone(tmp_path / "partial", tie=False)
    weights = load_file(str(partial / "model.safetensors"))
    save_file({k: v for k, v in weights.items() if k != "ln_f.weight"}, str(partial / "model.safetensors"),
              metadata={"format": "pt"})
    assert tie_head_main([str(partial), str(tmp_path / "partial-tied")]) == 1
    assert "lacks ['lm_head.weight', 'transformer.ln_f.weight'], not only the head" in capsys.readouterr().err
    assert not (tmp_path / "partial-tied").exists()


@pytest.mark.parametrize("kind", ["char", "causal", "hyena", "bpe", "6mer"])
def test_the_character_table_equals_the_tokenizer_and_only_for_one_token_per_nucleotide(kind, tmp_path):
    tokenizer = {"char": tm.char_tokenizer, "causal": tm.causal_char_tokenizer, "hyena": tm.hyena_tokenizer,
                 "bpe": tm.bpe_tokenizer, "6mer": lambda: tm.kmer_tokenizer(tmp_path / "k")}[kind]()
    fast = NucleotideTokenizer(tokenizer, name=kind)
    slow = NucleotideTokenizer(tokenizer, name=kind)
    slow._table = None
    assert (fast._table is not None) == (kind in ("char", "causal", "hyena"))
    sequences = tm.random_dna(50, 1, 200, seed=3) + ["AAAAAAAAAAAAAAAAAAA", "ACGT"]
    for mine, theirs in zip(fast.encode(sequences), slow.encode(sequences)):
        for field in ("ids", "starts", "ends"):
            np.testing.assert_array_equal(getattr(mine, field), getattr(theirs, field))


def test_a_small_model_scores_on_one_cpu_thread_and_leaves_the_process_setting_alone(tmp_path, monkeypatch):
    from scorers.glm import hf

    folder = tm.make_gpt2(tmp_path / "gpt2")
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    assert load(f"hf-causal:{folder}").threads == 1
    assert load(f"hf-causal:{folder}", threads=2).threads == 2
    monkeypatch.setattr(hf, "SMALL_MODEL_PARAMETERS", 10)
    assert load(f"hf-causal:{folder}").threads is None, "a large model keeps torch's default"
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setattr(hf, "SMALL_MODEL_PARAMETERS", 20_000_000)
    assert load(f"hf-causal:{folder}").threads is None, "OMP_NUM_THREADS decides when set"
    monkeypatch.delenv("OMP_NUM_THREADS")
    scorer = load(f"hf-causal:{folder}")
    seen = []
    scorer.model.register_forward_hook(lambda *_: seen.append(torch.get_num_threads()))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        scorer.score(SEQUENCES)
        assert set(seen) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_checkpoint_shipping_code_under_a_standard_model_type_is_refused_naming_the_files(tmp_path):
    """Loud case (issue 22): without --trust-remote-code a checkpoint that ships its own code but declares a
    standard ``model_type`` (here ``bert``) was scored with transformers' built-in class, silently."""
    from scorers.glm.recipes import RemoteCodeRequired
    folder = tm.make_dnabert2_like(tmp_path / "dnabert2-like")
    with pytest.raises(RemoteCodeRequired, match=r"ships its own modelling code \(bert_layers\.py, "
                                                 r"configuration_bert\.py\).*--trust-remote-code"):
        load(f"hf-mlm:{folder}")
    assert load(f"dnabert2:{folder}", trust_remote_code=True).score(SEQUENCES[:2]).shape == (2,)


def test_the_cache_key_of_a_local_checkpoint_covers_its_config_and_tokenizer(tmp_path):
    """Loud case (issue 22): editing a local checkpoint's config.json kept the cache key (only weight files were
    hashed), and the canary then blamed dropout for the stale scores."""
    folder = tm.make_bert(tmp_path / "bert")
    before = load(f"hf-mlm:{folder}").fingerprint
    assert load(f"hf-mlm:{folder}").fingerprint == before
    config = json.loads((folder / "config.json").read_text())
    config["hidden_dropout_prob"] = 0.3
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    after_config = load(f"hf-mlm:{folder}").fingerprint
    assert after_config != before
    tokenizer = folder / "tokenizer_config.json"
    tokenizer.write_text(tokenizer.read_text().replace("}", ', "note": "edited"}', 1))
    assert load(f"hf-mlm:{folder}").fingerprint != after_config
    (folder / "README.md").write_text("notes")
    assert load(f"hf-mlm:{folder}").fingerprint == load(f"hf-mlm:{folder}").fingerprint
