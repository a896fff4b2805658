"""Tiny randomly initialised gLM checkpoints for the suite's own tests and benchmarks (no download).

Each ``make_*`` function writes a checkpoint folder (weights + tokenizer, via ``save_pretrained``) that loads
through the real ``from_pretrained`` path, and returns the folder. Weights use a wide initialisation so that
predictions are peaked and context dependent: a test comparing two implementations then has power (with the
usual 0.02 every distribution is near uniform and an off-by-one would go unnoticed).

Tokenizers:
* ``char``: one token per nucleotide (BERT-style ``[CLS] seq [SEP]``), built with the ``tokenizers`` library;
* ``6mer``: Nucleotide-Transformer-style ``EsmTokenizer`` (``<cls>``, greedy 6-mers, single-nucleotide tail);
* ``bpe``: byte-pair tokens trained on random DNA (GROVER/DNABERT-2-style variable-length tokens);
* HyenaDNA-like: characters, ``[SEP]`` appended only, left padding, no ``attention_mask`` input, with the ids
  of HyenaDNA's CharacterTokenizer; paired with a convolutional model whose ``forward`` takes no mask.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors, trainers
from transformers import (AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM, BertConfig, BertForMaskedLM,
                          EsmConfig, EsmForMaskedLM, EsmTokenizer, GPT2Config, GPT2LMHeadModel, PretrainedConfig,
                          PreTrainedModel, PreTrainedTokenizerFast)
from transformers.modeling_outputs import CausalLMOutput, MaskedLMOutput

WIDE_INIT = 0.5
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# HyenaDNA's CharacterTokenizer layout: [CLS]=0 [SEP]=1 [BOS]=2 [MASK]=3 [PAD]=4 [RESERVED]=5 [UNK]=6, A=7 ...
HYENA_SPECIALS = ["[CLS]", "[SEP]", "[BOS]", "[MASK]", "[PAD]", "[RESERVED]", "[UNK]"]


def random_dna(n: int, low: int, high: int, seed: int = 0) -> list[str]:
    """``n`` seeded random ACGT strings with lengths in ``[low, high]``."""
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), size=int(rng.integers(low, high + 1)))) for _ in range(n)]


# -- tokenizers ------------------------------------------------------------------------------------------------

def _fast(tokenizer: Tokenizer, **kwargs) -> PreTrainedTokenizerFast:
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **kwargs)


def char_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {t: i for i, t in enumerate(BERT_SPECIALS + list("ACGTN"))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    return _fast(tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
                 mask_token="[MASK]")


def bpe_tokenizer(vocab_size: int = 48, seed: int = 1) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=BERT_SPECIALS,
                                  initial_alphabet=list("ACGTN"), show_progress=False)
    # A/T-rich training text so that merges like AA, TT, AAT exist and segmentation varies along a sequence.
    rng = np.random.default_rng(seed)
    corpus = ["".join(rng.choice(list("ACGT"), p=[0.35, 0.15, 0.15, 0.35], size=60)) for _ in range(400)]
    tok.train_from_iterator(corpus, trainer=trainer)
    vocab = tok.get_vocab()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    return _fast(tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
                 mask_token="[MASK]")


def kmer_tokenizer(folder: Path) -> EsmTokenizer:
    vocab = (["<cls>", "<pad>", "<eos>", "<unk>", "<mask>"] + ["".join(p) for p in itertools.product("ACGT", repeat=6)]
             + list("ACGTN"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocab))
    return EsmTokenizer(str(folder / "vocab.txt"))


def causal_char_tokenizer() -> PreTrainedTokenizerFast:
    """Characters only: the tokenizer adds nothing, but it (and the model config) has a BOS token."""
    vocab = {t: i for i, t in enumerate(["<pad>", "<unk>", "<bos>", "<eos>"] + list("ACGTN"))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    return _fast(tok, unk_token="<unk>", pad_token="<pad>", bos_token="<bos>", eos_token="<eos>")


def hyena_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {t: i for i, t in enumerate(HYENA_SPECIALS + list("ACGTN"))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.post_processor = processors.TemplateProcessing(single="$A [SEP]", special_tokens=[("[SEP]", 1)])
    return _fast(tok, unk_token="[UNK]", pad_token="[PAD]", sep_token="[SEP]", eos_token="[SEP]",
                 cls_token="[CLS]", bos_token="[BOS]", mask_token="[MASK]", padding_side="left",
                 model_input_names=["input_ids"])


# -- a convolutional model without attention mask (HyenaDNA- and Caduceus-like) -------------------------------

class TinyConvConfig(PretrainedConfig):
    model_type = "mit-tiny-conv"

    def __init__(self, vocab_size: int = 12, d_model: int = 32, n_layer: int = 2, kernel: int = 5,
                 causal: bool = True, initializer_range: float = WIDE_INIT, **kwargs):
        self.vocab_size, self.d_model, self.n_layer, self.kernel = vocab_size, d_model, n_layer, kernel
        self.causal, self.initializer_range = causal, initializer_range
        super().__init__(**kwargs)


class _TinyConv(PreTrainedModel):
    config_class = TinyConvConfig
    base_model_prefix = "backbone"

    def __init__(self, config: TinyConvConfig):
        super().__init__(config)
        d, k = config.d_model, config.kernel
        self.embed = torch.nn.Embedding(config.vocab_size, d)
        self.convs = torch.nn.ModuleList(torch.nn.Conv1d(d, d, k, groups=d) for _ in range(config.n_layer))
        self.mixes = torch.nn.ModuleList(torch.nn.Linear(d, d) for _ in range(config.n_layer))
        self.head = torch.nn.Linear(d, config.vocab_size)
        self.post_init()

    def _init_weights(self, module):
        if isinstance(module, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Embedding)):
            torch.nn.init.normal_(module.weight, std=self.config.initializer_range)
            if getattr(module, "bias", None) is not None:
                torch.nn.init.zeros_(module.bias)

    def _logits(self, input_ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(input_ids)
        k = self.config.kernel
        pad = (k - 1, 0) if self.config.causal else ((k - 1) // 2, k - 1 - (k - 1) // 2)
        for conv, mix in zip(self.convs, self.mixes):
            y = conv(F.pad(x.transpose(1, 2), pad)).transpose(1, 2)
            x = x + F.gelu(mix(y))
        return self.head(x)


class TinyConvForCausalLM(_TinyConv):
    def forward(self, input_ids: torch.Tensor, labels=None, return_dict=None, **unused):
        if "attention_mask" in unused:
            raise TypeError("TinyConvForCausalLM.forward() got an unexpected keyword argument 'attention_mask'")
        return CausalLMOutput(logits=self._logits(input_ids))


class TinyConvForMaskedLM(_TinyConv):
    def forward(self, input_ids: torch.Tensor, labels=None, return_dict=None, **unused):
        if "attention_mask" in unused:
            raise TypeError("TinyConvForMaskedLM.forward() got an unexpected keyword argument 'attention_mask'")
        return MaskedLMOutput(logits=self._logits(input_ids))


def register_tiny_conv() -> None:
    """Make the tiny convolutional models loadable with the Auto classes (idempotent)."""
    try:
        AutoConfig.register(TinyConvConfig.model_type, TinyConvConfig)
    except ValueError:
        pass
    for auto, cls in ((AutoModelForCausalLM, TinyConvForCausalLM), (AutoModelForMaskedLM, TinyConvForMaskedLM)):
        try:
            auto.register(TinyConvConfig, cls)
        except ValueError:
            pass


# -- checkpoints -----------------------------------------------------------------------------------------------

def _save(model, tokenizer, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model.eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def make_esm_6mer(folder: Path, *, layers: int = 2, hidden: int = 32, seed: int = 0,
                  init: float = WIDE_INIT, heads: int = 2, intermediate: int | None = None) -> Path:
    """NT-like: EsmForMaskedLM with a 6-mer EsmTokenizer (NT-500M: 24 layers, hidden 1280, 20 heads,
    intermediate 5120)."""
    tokenizer = kmer_tokenizer(Path(folder))
    torch.manual_seed(seed)
    config = EsmConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers,
                       num_attention_heads=heads, intermediate_size=intermediate or 2 * hidden,
                       max_position_embeddings=256,
                       pad_token_id=tokenizer.pad_token_id, mask_token_id=tokenizer.mask_token_id,
                       position_embedding_type="absolute", token_dropout=False, initializer_range=init)
    return _save(EsmForMaskedLM(config), tokenizer, Path(folder))


def make_esm_char(folder: Path, *, layers: int = 2, hidden: int = 32, seed: int = 0,
                  init: float = WIDE_INIT) -> Path:
    """EsmForMaskedLM with single-nucleotide tokens (the benchmark model uses 4 layers, hidden 128)."""
    tokenizer = char_tokenizer()
    torch.manual_seed(seed)
    config = EsmConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers,
                       num_attention_heads=4 if hidden >= 64 else 2, intermediate_size=4 * hidden,
                       max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id,
                       mask_token_id=tokenizer.mask_token_id, position_embedding_type="absolute",
                       token_dropout=False, initializer_range=init)
    return _save(EsmForMaskedLM(config), tokenizer, Path(folder))


def make_bert(folder: Path, *, tokens: str = "char", seed: int = 0, init: float = WIDE_INIT) -> Path:
    """BertForMaskedLM with character (``char``) or byte-pair (``bpe``) tokens."""
    tokenizer = char_tokenizer() if tokens == "char" else bpe_tokenizer()
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id,
                        initializer_range=init)
    return _save(BertForMaskedLM(config), tokenizer, Path(folder))


# DNABERT-2 ships configuration_bert.py and bert_layers.py. Its model class declares transformers' BertConfig
# while AutoConfig returns the repository's own config class, and bert_layers.py uses Triton when it can import
# it. transformers 5 compares the two config classes by name, so the repository's class is renamed here to
# reproduce the "config_class ... not consistent" failure that transformers 4.29+ users saw (DNABERT-2 #22).
_DNABERT2_CONFIG_CODE = """from transformers import BertConfig


class DnaBertConfig(BertConfig):
    pass
"""
_DNABERT2_MODEL_CODE = """try:
    import triton  # noqa: F401  (DNABERT-2 switches to its Triton flash attention when this import works)
    TRITON_AT_IMPORT = True
except ImportError:
    TRITON_AT_IMPORT = False

from transformers import BertConfig
from transformers.models.bert.modeling_bert import BertForMaskedLM as _Bert


class BertForMaskedLM(_Bert):
    config_class = BertConfig
"""


def make_dnabert2_like(folder: Path, *, seed: int = 0) -> Path:
    """A remote-code BERT masked LM with BPE tokens laid out like DNABERT-2's hub repository (loads only with
    ``trust_remote_code``); its weights are those of ``make_bert(folder, tokens="bpe", seed=seed)``."""
    folder = make_bert(Path(folder), tokens="bpe", seed=seed)
    (folder / "configuration_bert.py").write_text(_DNABERT2_CONFIG_CODE)
    (folder / "bert_layers.py").write_text(_DNABERT2_MODEL_CODE)
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoConfig": "configuration_bert.DnaBertConfig",
                          "AutoModelForMaskedLM": "bert_layers.BertForMaskedLM"}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return folder


def make_gpt2(folder: Path, *, seed: int = 0, init: float = WIDE_INIT, hidden: int = 32, layers: int = 2,
              heads: int = 2) -> Path:
    """GPT2LMHeadModel over characters; BOS declared by tokenizer and config but not added by the tokenizer."""
    tokenizer = causal_char_tokenizer()
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_embd=hidden, n_layer=layers, n_head=heads, n_positions=256,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id, initializer_range=init)
    return _save(GPT2LMHeadModel(config), tokenizer, Path(folder))


def make_hyena_like(folder: Path, *, seed: int = 0, with_tokenizer: bool = True) -> Path:
    """A causal convolutional LM with HyenaDNA's token ids, tokenizer conventions and mask-less forward."""
    register_tiny_conv()
    torch.manual_seed(seed)
    model = TinyConvForCausalLM(TinyConvConfig(vocab_size=len(HYENA_SPECIALS) + 5, causal=True))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.eval().save_pretrained(folder)
    if with_tokenizer:
        hyena_tokenizer().save_pretrained(folder)
    return folder


def make_bidirectional_conv(folder: Path, *, seed: int = 0) -> Path:
    """A Caduceus-like masked LM: bidirectional convolutions, no attention_mask, characters + [SEP] only."""
    register_tiny_conv()
    torch.manual_seed(seed)
    model = TinyConvForMaskedLM(TinyConvConfig(vocab_size=len(HYENA_SPECIALS) + 5, causal=False))
    return _save(model, hyena_tokenizer(), Path(folder))


__all__ = [name for name in dir() if name.startswith(("make_", "random_dna", "register_"))] + [
    "TinyConvForCausalLM", "TinyConvForMaskedLM", "TinyConvConfig"]
