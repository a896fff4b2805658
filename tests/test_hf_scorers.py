"""Exact, batched gLM scoring (issue 4): batched scores equal a slow one-position-at-a-time reference.

Tiny randomly initialised checkpoints are written to a temporary folder and loaded through the real
``from_pretrained`` path via the registry (``hf-mlm:PATH``, ``hf-causal:PATH``, or a recipe with a local path).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from scorers.glm import names, recipes
from scorers.glm.recipes import RemoteCodeRequired
from scorers.protocol import ScorerOptions, ScorerUnavailable
from scorers.registry import resolve
from tests import tiny_models as tm
from tests.oracles import slow_causal_ll

ROOT = Path(__file__).resolve().parents[1]
# Mixed lengths (6-mer tails of every size, BPE re-segmentation) plus one duplicate.
SEQUENCES = tm.random_dna(7, 7, 31, seed=3) + ["AAAAAATTTTTTGACATATAAT"]
SEQUENCES.append(SEQUENCES[2])
MLM_MODELS = ("esm-6mer", "bert-char", "bert-bpe", "conv-nomask")
BATCH_SIZES = (1, 3, 64, None)


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-glms")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "esm-6mer": tm.make_esm_6mer(root / "esm-6mer"),
            "bert-char": tm.make_bert(root / "bert-char", tokens="char"),
            "bert-bpe": tm.make_bert(root / "bert-bpe", tokens="bpe"),
            "conv-nomask": tm.make_bidirectional_conv(root / "conv-nomask"),
            "gpt2": tm.make_gpt2(root / "gpt2"),
            "hyena": tm.make_hyena_like(root / "hyena"),
        }


def load(spec: str, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resolve(spec, ScorerOptions(**options))


# -- slow references: one sequence, one position, one forward pass at a time -----------------------------------

def slow_pll_tokens(model, tokenizer, sequence: str) -> list[tuple[str, float]]:
    """(token text, log p(token | everything else)) for every non-special token, masking one at a time."""
    ids = tokenizer(sequence)["input_ids"]
    special = set(tokenizer.all_special_ids)
    out = []
    for t, token in enumerate(ids):
        if token in special:
            continue
        masked = list(ids)
        masked[t] = tokenizer.mask_token_id
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([masked])).logits[0, t]
        out.append((tokenizer.convert_ids_to_tokens(token), float(torch.log_softmax(logits.double(), -1)[token])))
    return out


_REFERENCE: dict[str, np.ndarray] = {}


def mlm_reference(name: str, scorer) -> np.ndarray:
    if name not in _REFERENCE:
        tok = scorer.tokens.tokenizer
        _REFERENCE[name] = np.array([sum(v for _, v in slow_pll_tokens(scorer.model, tok, s)) for s in SEQUENCES])
    return _REFERENCE[name]


# -- masked LMs ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", BATCH_SIZES, ids=lambda b: f"batch{b or 'auto'}")
@pytest.mark.parametrize("name", MLM_MODELS)
def test_pll_equals_one_position_at_a_time(checkpoints, name, batch_size):
    scorer = load(f"hf-mlm:{checkpoints[name]}", batch_size=batch_size)
    scores = scorer.score(SEQUENCES)
    reference = mlm_reference(name, scorer)
    assert scores.dtype == np.float64 and scores.shape == (len(SEQUENCES),)
    np.testing.assert_allclose(scores, reference, atol=1e-4, rtol=0)
    # The comparison has power: sequences differ by far more than the tolerance.
    assert np.std(reference) > 1.0


def test_head_runs_only_at_masked_positions_and_matches_full_logits(checkpoints):
    for name in ("esm-6mer", "bert-char"):
        scorer = load(f"hf-mlm:{checkpoints[name]}", batch_size=5)
        assert scorer._head is not None, f"{name}: expected the masked-position LM head path"
        fast = scorer.score(SEQUENCES)
        scorer._memo.clear()
        scorer._body, scorer._head = None, None
        np.testing.assert_allclose(scorer.score(SEQUENCES), fast, atol=1e-5, rtol=0)


def test_scoring_twice_runs_the_model_twice_so_the_canary_compares_two_scorings(checkpoints):
    scorer = load(f"hf-mlm:{checkpoints['bert-char']}", batch_size=64)
    calls = []
    (scorer._body or scorer.model).register_forward_hook(lambda module, args, output: calls.append(1))
    first = scorer.score(SEQUENCES)
    after_first = len(calls)
    assert after_first > 0 and np.array_equal(scorer.score(SEQUENCES), first)
    assert len(calls) == 2 * after_first, "a second score() must not be served from memory"
    scorer.per_nucleotide(SEQUENCES)
    assert len(calls) == 2 * after_first, "per_nucleotide after score() reuses the values"


@pytest.mark.parametrize("spec", ["hf-mlm:conv-nomask", "hf-mlm:bert-char", "hf-mlm:esm-6mer", "hf-causal:gpt2"])
def test_no_batch_is_padded_so_a_score_does_not_depend_on_its_batch(checkpoints, spec):
    """Every forward pass holds one token length (models that take an attention mask too: a layer that ignores it
    would read the pads), so a sequence scores the same alone and batched with longer ones."""
    kind, name = spec.split(":")
    scorer = load(f"{kind}:{checkpoints[name]}", batch_size=64)
    seen = []
    forward = scorer.model.forward

    def spy(input_ids, **kwargs):
        seen.append((input_ids.shape, kwargs.get("attention_mask")))
        return forward(input_ids, **kwargs)

    scorer.model.forward = spy
    scorer._body = scorer._head = None
    batched = scorer.score(SEQUENCES)
    token_lengths = {len(e.ids) for e in scorer.tokens.encode(SEQUENCES)}
    assert len(token_lengths) > 1, "the test needs sequences of several lengths"
    assert {shape[1] for shape, _ in seen} == token_lengths, seen   # one width per token length: no padding
    assert all(mask is None for _, mask in seen), "a batch needed an attention mask, so it was padded"
    alone = np.array([load(f"{kind}:{checkpoints[name]}").score([s])[0] for s in SEQUENCES])
    np.testing.assert_allclose(batched, alone, rtol=0, atol=1e-5)


def test_kmer_tokens_map_to_nucleotides_and_per_nucleotide_sums_to_score(checkpoints):
    scorer = load(f"hf-mlm:{checkpoints['esm-6mer']}")
    seq = "ACGTACGTACGTACGTA"   # two 6-mers, then a 5 nt tail of single-nucleotide tokens
    enc = scorer.tokens.encode([seq])[0]
    spans = [(int(a), int(b)) for a, b in zip(enc.starts, enc.ends) if a >= 0]
    assert spans == [(0, 6), (6, 12)] + [(i, i + 1) for i in range(12, 17)]
    per_nt = scorer.per_nucleotide(SEQUENCES)
    scores = scorer.score(SEQUENCES)
    for seq, values, score in zip(SEQUENCES, per_nt, scores):
        assert values.shape == (len(seq),) and np.isfinite(values).all()
        assert math.isclose(values.sum(), score, abs_tol=1e-6)
    # A 6-mer's log-probability is shared evenly by its six nucleotides.
    first = scorer.per_nucleotide([seq])[0]
    assert np.allclose(first[:6], first[0]) and np.allclose(first[6:12], first[6])
    np.testing.assert_array_equal(scorer.n_scored_nucleotides(SEQUENCES), [len(s) for s in SEQUENCES])


def test_special_tokens_are_never_masked_or_scored(checkpoints):
    scorer = load(f"hf-mlm:{checkpoints['bert-bpe']}", batch_size=4)
    token_lp = scorer.token_log_probs(SEQUENCES)
    for enc, lp in zip(scorer.tokens.encode(SEQUENCES), token_lp):
        special = np.isin(enc.ids, list(scorer.tokens.special_ids))
        assert special[0] and special[-1]                      # [CLS] ... [SEP]
        assert np.isnan(lp[special]).all() and np.isfinite(lp[~special]).all()
        # BPE tokens tile the sequence exactly.
        assert enc.starts[~special][0] == 0 and np.array_equal(enc.starts[~special][1:], enc.ends[~special][:-1])


def test_on_scored_reports_each_sequence_once_with_its_final_score(checkpoints):
    scorer = load(f"hf-mlm:{checkpoints['bert-char']}", batch_size=7)
    reported: dict[str, float] = {}

    def collect(mapping):
        assert not set(mapping) & set(reported)
        reported.update(mapping)

    scores = scorer.score(SEQUENCES, on_scored=collect)
    assert set(reported) == set(SEQUENCES)
    for seq, score in zip(SEQUENCES, scores):
        assert math.isclose(reported[seq], score, abs_tol=1e-9)


# -- causal LMs ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", BATCH_SIZES, ids=lambda b: f"batch{b or 'auto'}")
def test_causal_ll_scores_first_nucleotide_from_bos(checkpoints, batch_size):
    scorer = load(f"hf-causal:{checkpoints['gpt2']}", batch_size=batch_size)
    tok = scorer.tokens.tokenizer
    assert "bos=prepended" in scorer.fingerprint
    reference = [slow_causal_ll(scorer.model, [tok.bos_token_id] + tok(s, add_special_tokens=False)["input_ids"],
                                set(tok.all_special_ids)) for s in SEQUENCES]
    np.testing.assert_allclose(scorer.score(SEQUENCES), reference, atol=1e-4, rtol=0)
    np.testing.assert_array_equal(scorer.n_scored_nucleotides(SEQUENCES), [len(s) for s in SEQUENCES])
    assert all(np.isfinite(v).all() for v in scorer.per_nucleotide(SEQUENCES))


@pytest.mark.parametrize("batch_size", (1, 3, 64), ids=lambda b: f"batch{b}")
def test_hyenadna_recipe_sep_only_left_padding_no_mask(checkpoints, batch_size):
    options = ScorerOptions(batch_size=batch_size, trust_remote_code=True)
    scorer = names.build("hyenadna", options, path=checkpoints["hyena"])
    assert scorer.tokens.tokenizer.padding_side == "left" and not scorer.uses_attention_mask
    tok = scorer.tokens.tokenizer
    special = set(tok.all_special_ids)
    # The tokenizer appends [SEP] only; the first nucleotide has no context and is not scored.
    reference = [slow_causal_ll(scorer.model, tok(s)["input_ids"], special) for s in SEQUENCES]
    np.testing.assert_allclose(scorer.score(SEQUENCES), reference, atol=1e-4, rtol=0)
    np.testing.assert_array_equal(scorer.n_scored_nucleotides(SEQUENCES), [len(s) - 1 for s in SEQUENCES])
    per_nt = scorer.per_nucleotide(SEQUENCES)
    assert all(np.isnan(v[0]) and np.isfinite(v[1:]).all() for v in per_nt)
    assert "bos=none" in scorer.fingerprint


def test_hyenadna_falls_back_to_its_character_table(checkpoints, tmp_path):
    bare = tm.make_hyena_like(tmp_path / "hyena-no-tokenizer", with_tokenizer=False)
    options = ScorerOptions(batch_size=4, trust_remote_code=True)
    with pytest.warns(RuntimeWarning, match="character table"):
        fallback = names.build("hyenadna", options, path=bare)
    full = names.build("hyenadna", options, path=checkpoints["hyena"])
    np.testing.assert_allclose(fallback.score(SEQUENCES), full.score(SEQUENCES), atol=1e-6, rtol=0)


# -- loading rules, errors, fingerprints -----------------------------------------------------------------------

def test_remote_code_needs_the_flag(checkpoints, tmp_path):
    with pytest.raises(RemoteCodeRequired, match="--trust-remote-code"):
        names.build("hyenadna", ScorerOptions(), path=checkpoints["hyena"])
    # A checkpoint whose config points at its own code: transformers refuses, MIT names the flag.
    folder = tmp_path / "custom-code"
    shutil.copytree(checkpoints["bert-char"], folder)
    config = json.loads((folder / "config.json").read_text())
    config.update(model_type="mit-not-in-transformers", auto_map={
        "AutoConfig": "configuration_x.XConfig", "AutoModelForMaskedLM": "modeling_x.XForMaskedLM"})
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(RemoteCodeRequired, match="--trust-remote-code"):
        load(f"hf-mlm:{folder}")


def test_dnabert2_recipe_loads_its_remote_code_with_the_config_and_triton_workarounds(checkpoints, tmp_path,
                                                                                       monkeypatch):
    folder = tm.make_dnabert2_like(tmp_path / "dnabert2-like")
    with pytest.raises(RemoteCodeRequired, match="--trust-remote-code"):
        load(f"dnabert2:{folder}")
    # A Triton that imports: DNABERT-2's code would switch to its (crashing) Triton attention.
    fake_triton = types.ModuleType("triton")
    monkeypatch.setitem(sys.modules, "triton", fake_triton)
    scorer = load(f"dnabert2:{folder}", trust_remote_code=True)
    code = sys.modules[type(scorer.model).__module__]
    assert code.__name__.startswith("transformers_modules."), f"not the checkpoint's own code: {code.__name__}"
    assert code.TRITON_AT_IMPORT is False, "triton was importable while the model code loaded"
    assert sys.modules["triton"] is fake_triton, "triton was not restored after loading"
    assert scorer.name == f"dnabert2:{folder}" and scorer.recipe.config_class == "BertConfig"
    # The checkpoint's class is plain BERT underneath: the same weights give the same PLL as the native class.
    native = load(f"hf-mlm:{checkpoints['bert-bpe']}")
    np.testing.assert_allclose(scorer.score(SEQUENCES), native.score(SEQUENCES), atol=1e-6, rtol=0)
    # Without the recipe the checkpoint's config and model classes disagree; the error names the way out.
    with pytest.raises(RuntimeError, match=re.escape(f"--model dnabert2:{folder}")):
        load(f"hf-mlm:{folder}", trust_remote_code=True)


def test_an_alias_names_another_copy_of_its_checkpoint(checkpoints):
    copy = recipes.alias_recipe("hyenadna", f"{checkpoints['hyena']}")
    assert copy.hub_id == str(checkpoints["hyena"]) and copy.prepend_bos is False and copy.char_vocab
    pinned = recipes.alias_recipe("nt-500m", "mirror/nt-500m@abc123")
    assert (pinned.hub_id, pinned.revision, pinned.tokenizer) == ("mirror/nt-500m", "abc123", "6-mer")
    # hf-mlm: of a hub id that an alias names gets that alias's workarounds and declarations.
    hub = recipes.generic_recipe("mlm", "zhihan1996/DNABERT-2-117M@main")
    assert hub.config_class == "BertConfig" and hub.revision == "main" and hub.needs_remote_code
    assert recipes.generic_recipe("mlm", "kuleshov-group/caduceus-ps_seqlen-131k_d_model-256_n_layer-16"
                                  ).rc_equivariant
    assert recipes.generic_recipe("causal", "someone/other-model").config_class is None
    with pytest.raises(ValueError, match="@REVISION"):
        recipes.alias_recipe("grover", "PoetschLab/GROVER@")
    scorer = load(f"hyenadna:{checkpoints['hyena']}", trust_remote_code=True, batch_size=3)
    reference = names.build("hyenadna", ScorerOptions(trust_remote_code=True), path=checkpoints["hyena"])
    np.testing.assert_array_equal(scorer.score(SEQUENCES), reference.score(SEQUENCES))


def test_evo2_is_scored_from_bos_summed_one_strand_by_name_or_from_a_local_file(tmp_path, monkeypatch):
    """The evo2 package needs CUDA and FP8; a stand-in records what MIT asks of its documented API."""
    from scorers.glm.evo2 import Evo2Scorer

    calls = {}

    class StandInEvo2:
        def __init__(self, model_name, local_path=None):
            calls["load"] = (model_name, local_path)

        def score_sequences(self, seqs, **kwargs):
            calls["score"] = kwargs
            return [-1.5 * len(s) for s in seqs]

    monkeypatch.setitem(sys.modules, "evo2", types.SimpleNamespace(Evo2=StandInEvo2, __version__="stand-in"))
    by_name = Evo2Scorer(recipes.RECIPES["evo2-1b"], ScorerOptions(batch_size=4))
    assert calls["load"] == ("evo2_1b_base", None)
    scores = by_name.score(["ACGT", "ACG"])
    assert scores.dtype == np.float64 and scores.tolist() == [-6.0, -4.5]
    assert calls["score"] == {"batch_size": 4, "prepend_bos": True, "reduce_method": "sum",
                              "average_reverse_complement": False}, calls["score"]
    weights = tmp_path / "evo2_1b_base.pt"
    weights.write_bytes(b"not really weights")
    local = Evo2Scorer(recipes.alias_recipe("evo2-1b", str(weights)), ScorerOptions())
    assert calls["load"] == ("evo2_1b_base", str(weights))
    assert "sha256:" in local.fingerprint and local.fingerprint != by_name.fingerprint
    for arg in (str(tmp_path / "missing.pt"), "arcinstitute/evo2_1b_base@v1"):
        with pytest.raises(ValueError, match="by name or from a local checkpoint file"):
            Evo2Scorer(recipes.alias_recipe("evo2-1b", arg), ScorerOptions())


@pytest.mark.parametrize("device", ["cuda", "cpu"])
def test_out_of_memory_halves_the_batch_on_cuda_only(checkpoints, monkeypatch, device):
    scorer = load(f"hf-mlm:{checkpoints['bert-char']}")
    monkeypatch.setattr(scorer, "device", torch.device(device))   # only the batching policy reads it here
    batches = []

    def run(start, stop):
        if stop - start > 5:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        batches.append((start, stop))

    if device == "cpu":
        with pytest.raises(torch.OutOfMemoryError):
            scorer._run_batches(40, np.full(40, 12), run)
        return
    with pytest.warns(RuntimeWarning, match="out of memory with 40 rows per batch; retrying with 20"):
        scorer._run_batches(40, np.full(40, 12), run)
    assert batches == [(i, i + 5) for i in range(0, 40, 5)], batches   # every row once, in order
    assert scorer._auto_rows == 5, "the size that fit is kept for the next call"


@pytest.mark.parametrize("alias, package", [("caduceus", "mamba"), ("caduceus-ph", "mamba"),
                                            ("evo2-1b", "evo2")])
def test_missing_dependency_or_gpu_is_unavailable_with_install_command(alias, package):
    import importlib.util
    if importlib.util.find_spec(package.replace("mamba", "mamba_ssm")) and torch.cuda.is_available():
        pytest.skip(f"{package} and CUDA are present here")
    with pytest.raises(ScorerUnavailable, match="pip install|CUDA"):
        names.build(alias, ScorerOptions())   # a skip wins over the missing --trust-remote-code


def test_recipes_declare_what_they_need():
    r = recipes.RECIPES
    assert r["caduceus"].hub_id == r["caduceus-ps"].hub_id and "131k" in r["caduceus"].hub_id
    assert r["caduceus-ps"].rc_equivariant and not r["caduceus-ph"].rc_equivariant
    # RC equivariance ties a sequence with its full reverse complement; it says nothing about the "RC in place"
    # comparison the strand gate makes, so no outcome is declared.
    assert r["caduceus-ps"].rc_equivariant and not r["caduceus-ps"].expected
    assert r["hyenadna"].prepend_bos is False and r["hyenadna"].needs_remote_code
    assert not r["nt-500m"].needs_remote_code and r["nt-v2-500m"].needs_remote_code
    assert r["dnabert2"].config_class == "BertConfig" and "triton" in r["dnabert2"].hide_modules
    assert all("pip install" in r[a].install_hint for a in ("caduceus", "evo2-1b"))


def test_fingerprint_names_weights_dtype_mode_and_versions(checkpoints, tmp_path):
    import transformers

    a = load(f"hf-mlm:{checkpoints['bert-char']}")
    assert "sha256:" in a.fingerprint and "float32" in a.fingerprint and "mlm-pll-exact" in a.fingerprint
    assert torch.__version__ in a.fingerprint and transformers.__version__ in a.fingerprint
    other = tm.make_bert(tmp_path / "other-seed", tokens="char", seed=1)
    assert load(f"hf-mlm:{other}").fingerprint.split("@")[1] != a.fingerprint.split("@")[1]
    assert a.kind == "likelihood" and a.rc_equivariant is False


def test_bad_input_names_the_sequence(checkpoints):
    scorer = load(f"hf-mlm:{checkpoints['bert-char']}")
    with pytest.raises(ValueError, match="#1"):
        scorer.score(["ACGT", "ACNT"])


def test_untrained_model_is_not_confident_on_tandem_repeats(checkpoints):
    """What the canary relies on: per-nucleotide NLL (-score / n_scored) of a random model is not low."""
    repeats = [(unit * 100)[:100] for unit in ("A", "AT", "CAG", "ACGT", "AATTC", "GGATCC")]
    for spec in (f"hf-mlm:{checkpoints['esm-6mer']}", f"hf-mlm:{checkpoints['bert-char']}",
                 f"hf-causal:{checkpoints['gpt2']}"):
        scorer = load(spec)
        nll = -scorer.score(repeats) / scorer.n_scored_nucleotides(repeats)
        assert nll.mean() > math.log(4) - 0.3, (spec, nll)


def test_importing_the_registry_does_not_import_torch():
    code = ("import sys, scorers.registry, scorers.glm.names, scorers.cache; "
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
