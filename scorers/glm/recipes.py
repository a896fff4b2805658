"""gLM recipes: which hub checkpoint an alias names and how to score it exactly (DESIGN.md section 7).

Importing this module never imports torch or transformers (``scorers.glm.names`` loads the model code only when
a gLM is actually selected). A recipe records everything MIT knows about loading one model: the scoring kind
(``causal`` log-likelihood, ``mlm`` pseudo-log-likelihood, ``evo2``), the tokenizer, the known quirks, whether
it runs code from its hub repository, what extra packages and hardware it needs, and whether it is
reverse-complement equivariant by construction.

"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from scorers.protocol import ScorerOptions, ScorerUnavailable


SCORING_KINDS = ("causal", "mlm", "evo2")
SCORER_VERSION = "mit-hf/2"      # part of every gLM fingerprint: bump it when scoring changes (2: no padded batches)
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def glm_extra_command(suite_root: Path | None = None) -> str:
    """How to install the gLM extra: ``pip install -e ".[glm]"`` in a checkout (its root holds pyproject.toml),
    ``pip install "mit-glm[glm]"`` where MIT is installed; both say how to get torch without CUDA, which a plain
    ``pip install torch`` pulls from PyPI on Linux."""
    root = suite_root or Path(__file__).resolve().parents[2]     # the checkout, or site-packages/mit_glm
    install = 'pip install -e ".[glm]"' if (root / "pyproject.toml").is_file() else 'pip install "mit-glm[glm]"'
    return (f"{install}  (torch, transformers, safetensors; without a GPU, first pip install torch "
            f"--index-url {TORCH_CPU_INDEX})")


GLM_EXTRA = glm_extra_command()


class RemoteCodeRequired(PermissionError):
    """A checkpoint needs code from its hub repository and ``--trust-remote-code`` was not given."""


@dataclass(frozen=True)
class Recipe:
    """How to load and score one gLM.

    ``requires`` pairs an importable module with the command that installs it; ``needs_gpu`` means the model
    cannot run without CUDA. ``prepend_bos`` (causal only): True = put the tokenizer's BOS before every
    sequence so its first nucleotide is scored; False = never (the first token is context, not scored);
    None = whatever the tokenizer does by itself. ``char_vocab`` is a fallback tokenization (character →
    id, plus ``"<append>"``: ids appended after the sequence) for hub tokenizers known to break on recent
    transformers. ``config_class`` names a transformers config class to load the config with (the
    DNABERT-2 workaround); ``hide_modules`` are made unimportable while the model code loads.
    """

    alias: str
    hub_id: str
    kind: str
    tokenizer: str
    description: str
    quirks: tuple[str, ...] = ()
    needs_remote_code: bool = False
    requires: tuple[tuple[str, str], ...] = ()
    needs_gpu: bool = False
    rc_equivariant: bool = False
    expected: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    revision: str | None = None
    prepend_bos: bool | None = None
    char_vocab: Mapping[str, object] | None = None
    config_class: str | None = None
    hide_modules: tuple[str, ...] = ()
    evo2_name: str | None = None

    def __post_init__(self):
        if self.kind not in SCORING_KINDS:
            raise ValueError(f"recipe {self.alias!r}: kind must be one of {SCORING_KINDS}, got {self.kind!r}")

    @property
    def install_hint(self) -> str:
        commands = [cmd for _, cmd in self.requires]
        return "; ".join(commands) if commands else GLM_EXTRA


# HyenaDNA's CharacterTokenizer (tokenization_hyena.py): 7 specials, then the characters. It appends [SEP] only.
_HYENA_CHARS = MappingProxyType({"A": 7, "C": 8, "G": 9, "T": 10, "N": 11, "<append>": (1,), "<pad>": 4})

_MAMBA = ("mamba_ssm", "pip install mamba-ssm causal-conv1d --no-build-isolation  (needs CUDA and a matching "
                       "torch build)")
_EVO2 = ("evo2", "pip install evo2  (Python 3.11-3.12, CUDA >= 12.1; FP8 checkpoints need Transformer Engine "
                 "on a Hopper GPU)")

_CADUCEUS_QUIRKS = (
    "modeling_caduceus.py imports mamba_ssm unconditionally and mamba_ssm needs its CUDA kernels: GPU only "
    "(caduceus#13); without CUDA or mamba-ssm the model's tests are skipped",
    "the tokenizer appends [SEP] only (no CLS); [SEP] is never masked or scored",
    "single-nucleotide tokens: PLL is per nucleotide",
)

RECIPES: dict[str, Recipe] = {}


def _add(recipe: Recipe) -> None:
    RECIPES[recipe.alias] = recipe


_add(Recipe(
    alias="hyenadna", hub_id="LongSafari/hyenadna-small-32k-seqlen-hf", kind="causal", tokenizer="character",
    description="HyenaDNA small 32k (causal, character tokens)",
    quirks=(
        "the tokenizer appends [SEP] only: there is no BOS, so the first nucleotide is never scored "
        "(n_scored_nucleotides = length - 1)",
        "tokenizer_config pads on the left and forward() takes no attention_mask: MIT never lets the tokenizer "
        "pad; it scores equal-length batches",
        "the legacy CharacterTokenizer breaks on transformers >= 4.40 (hyena-dna PR #71); MIT then falls back "
        "to the fixed character table of tokenization_hyena.py",
        "_init_weights lacks the _is_hf_initialized guard: on transformers 5.x weights can be re-randomised "
        "silently; the canary catches that",
    ),
    needs_remote_code=True, prepend_bos=False, char_vocab=_HYENA_CHARS,
))

for _variant, _equivariant in (("ph", False), ("ps", True)):
    _add(Recipe(
        alias=f"caduceus-{_variant}",
        hub_id=f"kuleshov-group/caduceus-{_variant}_seqlen-131k_d_model-256_n_layer-16", kind="mlm",
        tokenizer="character",
        description=f"Caduceus-{_variant.upper()} 131k (bidirectional Mamba, masked LM"
                    + (", RC-equivariant)" if _equivariant else ", RC data augmentation)"),
        quirks=_CADUCEUS_QUIRKS + ((
            "PS is reverse-complement equivariant by construction: a sequence and its full reverse complement "
            "get the same PLL up to the asymmetric trailing [SEP]; a strand test against the full RC is a tie",)
            if _equivariant else ()),
        needs_remote_code=True, requires=(_MAMBA,), needs_gpu=True, rc_equivariant=_equivariant,
    ))
_add(replace(RECIPES["caduceus-ps"], alias="caduceus",
             description="Caduceus-PS 131k (the default Caduceus: RC-equivariant masked LM)"))

_add(Recipe(
    alias="nt-500m", hub_id="InstaDeepAI/nucleotide-transformer-500m-human-ref", kind="mlm", tokenizer="6-mer",
    description="Nucleotide Transformer 500M human reference (ESM masked LM, 6-mer tokens)",
    quirks=(
        "native EsmForMaskedLM, no remote code",
        "<cls> then greedy left-to-right 6-mers; a tail of len % 6 nt becomes single-nucleotide tokens, so a "
        "length change upstream re-frames every downstream 6-mer (period-6 artefacts in the spacing sweep)",
        "each 6-mer is masked once (token-level PLL); per-nucleotide values split a token's log-probability "
        "evenly over its nucleotides",
    ),
))
_add(Recipe(
    alias="nt-v2-500m", hub_id="InstaDeepAI/nucleotide-transformer-v2-500m-multi-species", kind="mlm",
    tokenizer="6-mer",
    description="Nucleotide Transformer v2 500M multi-species (ESM-like masked LM, 6-mer tokens)",
    quirks=("v2 checkpoints ship their own modelling code (--trust-remote-code)",
            "same 6-mer framing as nt-500m"),
    needs_remote_code=True,
))
_add(Recipe(
    alias="grover", hub_id="PoetschLab/GROVER", kind="mlm", tokenizer="BPE",
    description="GROVER (BERT masked LM, byte-pair tokens of the human genome)",
    quirks=("BPE segmentation depends on the neighbourhood: a point mutation can re-segment its tokens; "
            "each BPE token is masked once and its log-probability is spread over its nucleotides",
            "the model card re-tokenises differently below 50 nt; MIT windows are 100 nt"),
))
_add(Recipe(
    alias="dnabert2", hub_id="zhihan1996/DNABERT-2-117M", kind="mlm", tokenizer="BPE",
    description="DNABERT-2 117M (BERT with ALiBi, masked LM, BPE tokens)",
    quirks=("remote code; loading has failed with 'config_class ... not consistent' on transformers > 4.28 "
            "(DNABERT-2 #22/#29/#38): MIT loads the config with BertConfig.from_pretrained (#92)",
            "its Triton flash-attention crashes ('dot() ... trans_b', #11/#57): MIT hides triton while the "
            "model code loads, so the PyTorch attention path is used",
            "BPE tokens: each token is masked once; per-nucleotide values spread its log-probability"),
    needs_remote_code=True, config_class="BertConfig", hide_modules=("triton",),
))
_add(Recipe(
    alias="evo2-1b", hub_id="arcinstitute/evo2_1b_base", kind="evo2", tokenizer="character",
    description="Evo 2 1B base (StripedHyena 2, causal, character tokens)",
    quirks=("scored with Evo2.score_sequences(reduce_method='sum', prepend_bos=True): the BOS makes the first "
            "nucleotide scored and keeps padding out of the sum (without it, evo2 scores one pad token for "
            "every shorter sequence in a batch)",
            "never the _rc variant: it averages the two strands and would hide the strand probe",
            "evo2_1b_base needs FP8 (Transformer Engine) on a Hopper GPU"),
    requires=(_EVO2,), needs_gpu=True, evo2_name="evo2_1b_base",
))


def split_revision(spec: str, arg: str) -> tuple[str, str | None]:
    """``ID_OR_PATH[@REVISION]`` of ``--model spec`` as (id or path, revision or None); an existing path
    containing ``@`` is taken whole."""
    path_or_id, revision = arg, None
    if "@" in arg and not os.path.exists(arg):
        path_or_id, revision = arg.rsplit("@", 1)
    if not path_or_id or revision == "":
        raise ValueError(f"--model {spec!r}: needs a hub id or a local checkpoint folder, optionally followed by "
                         "@REVISION")
    return path_or_id, revision


def generic_recipe(kind: str, path_or_id: str) -> Recipe:
    """The recipe of ``hf-causal:X`` / ``hf-mlm:X``: the checkpoint's own tokenizer, conventions and code.

    A hub id that an alias names gets that alias's recipe (its workarounds and declarations): the same
    checkpoint is scored the same way whichever way it is named."""
    alias = f"hf-{'causal' if kind == 'causal' else 'mlm'}:{path_or_id}"
    path_or_id, revision = split_revision(alias, path_or_id)
    known = next((r for r in RECIPES.values() if r.hub_id == path_or_id and r.kind == kind), None)
    if known is not None:
        return replace(known, alias=alias, revision=revision or known.revision)
    return Recipe(alias=alias, hub_id=path_or_id, kind=kind, tokenizer="from checkpoint",
                  description=f"{'causal' if kind == 'causal' else 'masked'} LM {path_or_id}", revision=revision)


def alias_recipe(alias: str, arg: str) -> Recipe:
    """The recipe of ``ALIAS:ID_OR_PATH[@REV]``: the alias's loading rules and quirks, another copy of its
    checkpoint (a local folder on a machine without hub access, a mirror, a pinned revision)."""
    path_or_id, revision = split_revision(f"{alias}:{arg}", arg)
    return replace(RECIPES[alias], alias=f"{alias}:{arg}", hub_id=path_or_id,
                   revision=revision or RECIPES[alias].revision)


def evo2_local_path(recipe: Recipe) -> str | None:
    """The local checkpoint file an Evo 2 recipe names, or None for the package's own download by name;
    ValueError for anything else (the evo2 package takes no hub mirror or revision)."""
    local_path = recipe.hub_id if os.path.isfile(os.path.expanduser(recipe.hub_id)) else None
    if recipe.revision or (local_path is None and recipe.hub_id != f"arcinstitute/{recipe.evo2_name}"):
        raise ValueError(f"--model {recipe.alias}: the evo2 package loads {recipe.evo2_name} by name or from "
                         f"a local checkpoint file; {recipe.hub_id!r}"
                         f"{'@' + recipe.revision if recipe.revision else ''} is neither")
    return os.path.expanduser(local_path) if local_path else None


def check_checkpoint(recipe: Recipe) -> None:
    """What can be said of a recipe's checkpoint without loading anything: an Evo 2 argument is a checkpoint
    file, and a local-looking path (``/``, ``./``, ``../``, ``~``) is an existing folder. ValueError or
    FileNotFoundError otherwise; a hub id is not looked up."""
    if recipe.kind == "evo2":
        evo2_local_path(recipe)
        return
    path = recipe.hub_id
    if path.startswith(("/", "./", "../", "~")) and not os.path.isdir(os.path.expanduser(path)):
        raise FileNotFoundError(f"no such folder: {path} (a local checkpoint must be a folder with its config"
                                + (", and this is a file)" if os.path.exists(os.path.expanduser(path)) else ")"))


def check_available(recipe: Recipe, options: ScorerOptions) -> None:
    """Raise ScorerUnavailable (a skip, with the install command) or RemoteCodeRequired before loading.

    What cannot run here is checked first: a GPU-only model on a CPU machine is a skip, not a flag error."""
    needed = [("torch", GLM_EXTRA)] + ([("transformers", GLM_EXTRA)] if recipe.kind != "evo2" else [])
    for module, command in needed + list(recipe.requires):
        if importlib.util.find_spec(module) is None:
            raise ScorerUnavailable(f"{recipe.alias} needs the Python package {module!r}, which is not "
                                    f"installed: {command}")
    if recipe.needs_gpu:
        import torch   # only reached when this gLM is selected

        if options.device is not None and not str(options.device).startswith("cuda"):
            raise ScorerUnavailable(f"{recipe.alias} runs on a CUDA GPU only; --mit-device {options.device} "
                                    "was given (leave it unset or use cuda)")
        if not torch.cuda.is_available():
            raise ScorerUnavailable(f"{recipe.alias} needs a CUDA GPU and none is available "
                                    f"(torch {torch.__version__}); install: {recipe.install_hint}")
    if recipe.needs_remote_code and not options.trust_remote_code:
        raise RemoteCodeRequired(
            f"--model {recipe.alias}: {recipe.hub_id} runs modelling code from its hub repository; "
            "rerun with --trust-remote-code to allow it")


def check_hub_reachable(recipe: Recipe, timeout: float = 5.0) -> None:
    """Before loading a hub checkpoint: fine when it is a local folder or its config is in the local Hugging Face
    cache, or when the hub answers within ``timeout`` seconds. Otherwise a RuntimeError that says so at once and
    how to point the alias at a local copy (the hub client would otherwise retry for about half a minute)."""
    import socket
    from urllib.parse import urlparse

    if os.path.exists(recipe.hub_id):
        return
    from huggingface_hub import constants, try_to_load_from_cache
    if isinstance(try_to_load_from_cache(recipe.hub_id, "config.json", revision=recipe.revision), str):
        return
    alias = recipe.alias.split(":", 1)[0]
    local_form = (f"--model {alias}:/path/to/{recipe.hub_id.rsplit('/', 1)[-1]}" if alias in RECIPES
                  else f"--model {recipe.alias.split(':', 1)[0]}:/path/to/the/checkpoint-folder")
    where = f"{recipe.hub_id} is not in the local Hugging Face cache ({constants.HF_HUB_CACHE})"
    advice = (f"On a machine without hub access, copy the checkpoint folder there and point MIT at it: "
              f"{local_form}")
    if constants.HF_HUB_OFFLINE:
        raise RuntimeError(f"--model {recipe.alias}: {where} and HF_HUB_OFFLINE is set. {advice}")
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError as exc:
        raise RuntimeError(f"--model {recipe.alias}: {where} and {host} cannot be reached ({exc}). {advice}") from None


def file_digest(*paths) -> str:
    """``sha256:HEX`` over each file's name and content, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()
