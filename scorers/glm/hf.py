"""Exact, batched likelihoods of Hugging Face gLMs (DESIGN.md section 7), and their loading.

Two scorers, both ``kind = "likelihood"`` (natural log, nats, summed over the scored nucleotides):

* :class:`HFCausalScorer`: ``sum_t log p(x_t | x_<t)`` from one forward pass per batch. A token is scored when it
  is a sequence token with something before it; the first sequence token is scored from BOS when the recipe
  or tokenizer puts one there, else it is context only — the same rule for every sequence.
* :class:`HFMaskedScorer`: pseudo-log-likelihood ``sum_t log p(x_t | x_without_t)``, every sequence token masked
  once. The masked copies of all sequences are rows ``(sequence, position)`` batched together; the language-model
  head and the log-softmax run only at the masked position of each row.

Tokens may cover several nucleotides (6-mers, BPE). A token's log-probability belongs to its nucleotides jointly;
``per_nucleotide`` spreads it evenly over them so values are comparable across tokenizers, and
``n_scored_nucleotides`` says how many nucleotides a score sums over (per-nucleotide NLL = ``-score / n``).

Padding: none. Every batch holds sequences of one token length only, so no model sees a pad, and a score does not
depend on which sequences share its batch even for a model whose layers ignore the attention mask (ConvBERT's
span convolutions, state-space layers): padding there leaked into the last nucleotides (7.6e-4 nats on a 139-nt
sequence batched with a 150-nt one), which MIT's order-and-batch check rightly flags. MIT's sets have one length
each, so this costs a few smaller batches. Sequences run longest first, so an out-of-memory error surfaces in the
first batch; on CUDA the batch is halved and retried.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import warnings
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
import transformers

from scorers.glm.recipes import SCORER_VERSION, Recipe, RemoteCodeRequired, file_digest
from scorers.glm.tokens import Encoding, NucleotideTokenizer
from scorers.protocol import ScorerOptions, ScorerUnavailable, check_sequences

_DTYPES = {"float32": torch.float32, "fp32": torch.float32, "float": torch.float32,
           "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
           "float16": torch.float16, "fp16": torch.float16, "half": torch.float16}
# Automatic batch size: tokens per forward pass (rows x padded length). CPU memory is rarely the limit, but big
# CPU batches stop being faster; on CUDA start large and halve on OOM.
_TOKEN_BUDGET = {"cpu": 1 << 13, "cuda": 1 << 16}
_HEAD_NAMES = ("lm_head", "cls", "head", "pred_head")
# Below this many parameters a model runs on one CPU thread unless told otherwise: its matrix products are too
# small to gain from intra-op parallelism, and on a busy machine torch's worker threads wait for each other
# (measured on HyenaDNA-tiny, 0.44 M parameters, 2 cores: as fast as 2 threads when idle, up to 5x faster when
# other jobs keep the cores busy; README, Performance).
SMALL_MODEL_PARAMETERS = 20_000_000
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
_MEMO_LIMIT = 200_000

OnScored = Callable[[dict], None]
_OOM = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError   # torch < 2.5 has only the latter


def resolve_device(option: str | None) -> torch.device:
    """``--mit-device``, default cuda when available, else cpu."""
    if option:
        device = torch.device(option)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"--mit-device {option}: CUDA is not available here (torch {torch.__version__})")
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_dtype(option: str | None) -> torch.dtype:
    """``--mit-dtype``; float32 unless asked (exact values matter more than speed for a conformance test)."""
    if not option or option == "auto":
        return torch.float32
    try:
        return _DTYPES[option.lower()]
    except KeyError:
        raise ValueError(f"--mit-dtype {option!r} is not one of {', '.join(sorted(_DTYPES))}") from None


# --------------------------------------------------------------------------------------------------------------
# Scorers
# --------------------------------------------------------------------------------------------------------------

class _HFScorer:
    """What the causal and masked scorers share: tokenization, batching, memo of per-token values, the API."""

    kind = "likelihood"
    mode = ""
    null_control_of: str | None = None   # the spec an untrained copy (--mit-null-control) copies
    trust_remote_code = False            # whether the checkpoint's own code was allowed to load

    def __init__(self, model, tokenizer: NucleotideTokenizer, *, recipe: Recipe, device: torch.device,
                 dtype: torch.dtype, batch_size: int | None = None, revision: str | None = None,
                 threads: int | None = None):
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.model = model.to(device).eval()
        self.tokens = tokenizer
        self.recipe = recipe
        self.name = recipe.alias
        self.device = device
        self.dtype = dtype
        self.batch_size = batch_size
        self.rc_equivariant = recipe.rc_equivariant
        self.expected = dict(recipe.expected)
        self.revision = revision or "unknown"
        self.uses_attention_mask = _takes_argument(self.model, "attention_mask")
        self.threads = threads if threads is not None else default_threads(self.model, device)
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._auto_rows: int | None = None   # learned after a CUDA OOM

    # -- the Scorer API ----------------------------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        dtype = str(self.dtype).replace("torch.", "")
        return (f"{self.name}|{self.recipe.hub_id}@{self.revision}|{dtype}|{self.mode}|"
                f"torch {torch.__version__}|transformers {transformers.__version__}|{SCORER_VERSION}")

    def score(self, sequences: Sequence[str], on_scored: OnScored | None = None) -> np.ndarray:
        """Float64 ``(n,)`` log-likelihoods (nats) of ``sequences``.

        ``on_scored({sequence: score})`` is called whenever sequences are finished (longest first), so a caller
        can commit them to the cache before the rest are done and an interrupted run keeps them.
        """
        token_lp = self.token_log_probs(sequences, on_scored=on_scored, reuse=False)
        return np.array([np.nansum(lp) for lp in token_lp], dtype=np.float64)

    def token_log_probs(self, sequences: Sequence[str], on_scored: OnScored | None = None,
                        reuse: bool = True) -> list[np.ndarray]:
        """Per sequence, float64 ``(T,)`` log-probabilities of its tokens (special tokens included as NaN;
        tokens that are not scored, e.g. the first one without BOS, are NaN too).

        ``reuse`` takes values remembered from earlier calls (``per_nucleotide`` after ``score``); ``score``
        always runs the model, so scoring twice really is two scorings (the canary compares them)."""
        sequences = list(sequences)
        check_sequences(sequences)
        todo = [s for s in dict.fromkeys(sequences) if not (reuse and s in self._memo)]
        fresh: dict[str, np.ndarray] = {}
        if todo:
            encodings = self.tokens.encode(todo)

            def finished(indices: np.ndarray, values: list[np.ndarray]) -> None:
                for i, v in zip(indices.tolist(), values):
                    fresh[todo[i]] = v
                    self._remember(todo[i], v)
                if on_scored is not None:
                    on_scored({todo[i]: float(np.nansum(v)) for i, v in zip(indices.tolist(), values)})

            with torch.inference_mode(), _intra_op_threads(self.threads):
                self._compute(encodings, finished)
        return [fresh[s] if s in fresh else self._memo[s] for s in sequences]

    def per_nucleotide(self, sequences: Sequence[str]) -> list[np.ndarray]:
        """Per sequence, float64 ``(len(sequence),)``: each token's log-probability spread evenly over its
        nucleotides; NaN for nucleotides that are not scored. ``np.nansum`` of a row equals its score."""
        token_lp = self.token_log_probs(sequences)
        out = []
        for seq, enc, lp in zip(sequences, self.tokens.encode(sequences), token_lp):
            values = np.full(len(seq), np.nan)
            scored = ~np.isnan(lp)
            starts, widths = enc.starts[scored], (enc.ends - enc.starts)[scored]
            # Nucleotide positions of the scored tokens, token by token: start of its token + offset within it.
            within = np.arange(int(widths.sum())) - np.repeat(np.cumsum(widths) - widths, widths)
            values[np.repeat(starts, widths) + within] = np.repeat(lp[scored] / widths, widths)
            out.append(values)
        return out

    def n_scored_nucleotides(self, sequences: Sequence[str]) -> np.ndarray:
        """Int64 ``(n,)``: how many nucleotides each score sums over (no model call)."""
        check_sequences(list(sequences))
        return np.array([int((e.ends - e.starts)[self._scored(e)].sum()) for e in self.tokens.encode(sequences)],
                        dtype=np.int64)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, device={self.device}, dtype={self.dtype})"

    # -- shared machinery --------------------------------------------------------------------------------------

    def _scored(self, enc: Encoding) -> np.ndarray:
        raise NotImplementedError

    def _compute(self, encodings: list[Encoding], finished: Callable[[np.ndarray, list[np.ndarray]], None]):
        raise NotImplementedError

    def _remember(self, sequence: str, values: np.ndarray) -> None:
        self._memo[sequence] = values
        while len(self._memo) > _MEMO_LIMIT:
            self._memo.popitem(last=False)

    def _rows_for(self, length: int) -> int:
        """Rows (sequences or masked copies) per forward pass for padded ``length`` tokens."""
        if self.batch_size is not None:
            return self.batch_size
        if self._auto_rows is not None:
            return self._auto_rows
        return max(1, _TOKEN_BUDGET.get(self.device.type, _TOKEN_BUDGET["cpu"]) // max(length, 1))

    def _run_batches(self, n_rows: int, row_length: np.ndarray, run: Callable[[int, int], None]) -> None:
        """Call ``run(start, stop)`` over rows ``[0, n_rows)`` (sorted longest first) in batches; a batch never
        mixes token lengths (no padding, see the module docstring); a CUDA OOM halves the batch and retries."""
        change = np.flatnonzero(np.diff(row_length)) + 1
        group_end = np.repeat(np.append(change, n_rows), np.diff(np.concatenate([[0], change, [n_rows]])))
        start = 0
        while start < n_rows:
            size = self._rows_for(int(row_length[start]))
            stop = min(n_rows, start + size, int(group_end[start]))
            try:
                run(start, stop)
            except _OOM:
                if self.device.type != "cuda" or stop - start == 1:
                    raise
                torch.cuda.empty_cache()
                self._auto_rows = max(1, (stop - start) // 2)
                if self.batch_size is not None:
                    self.batch_size = self._auto_rows
                warnings.warn(f"{self.name}: CUDA out of memory with {stop - start} rows per batch; "
                              f"retrying with {self._auto_rows}", RuntimeWarning, stacklevel=2)
                continue
            start = stop

    def _padded(self, encodings: list[Encoding]) -> tuple[np.ndarray, np.ndarray]:
        """``(n, T_max)`` int64 ids right-padded with the pad id, and ``(n,)`` token lengths."""
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        ids = np.full((len(encodings), int(lengths.max())), self.tokens.pad_id, dtype=np.int64)
        for i, e in enumerate(encodings):
            ids[i, :len(e.ids)] = e.ids
        return ids, lengths


class HFMaskedScorer(_HFScorer):
    """Exact pseudo-log-likelihood of a masked LM: every sequence token masked once, all masked copies batched."""

    mode = "mlm-pll-exact"

    def __init__(self, model, tokenizer: NucleotideTokenizer, **kwargs):
        super().__init__(model, tokenizer, **kwargs)
        if self.tokens.mask_id is None:
            raise ValueError(f"{self.name}: the tokenizer has no mask token, so it cannot be scored as a "
                             "masked LM (use hf-causal: for a causal LM)")
        self._body, self._head = self._split_head()

    def _scored(self, enc: Encoding) -> np.ndarray:
        return enc.is_sequence

    def _split_head(self):
        """The encoder and the LM head, when running the head on masked positions only reproduces the full
        model (checked on a probe); else ``(None, None)`` and the full logits are gathered instead."""
        body = getattr(self.model, "base_model", None)
        head = next((getattr(self.model, n) for n in _HEAD_NAMES
                     if isinstance(getattr(self.model, n, None), torch.nn.Module)), None)
        if body is None or body is self.model or head is None:
            return None, None
        if self.uses_attention_mask != _takes_argument(body, "attention_mask"):
            return None, None
        probe = self.tokens.encode(["ACGTTGCAAC" * 3, "TTGACA" * 3])
        ids, lengths = self._padded(probe)
        rows = np.array([0, 1]), np.array([np.flatnonzero(e.is_sequence)[1] for e in probe])
        try:
            with torch.inference_mode():
                full = self._logits_at(ids[rows[0]], lengths[rows[0]], rows[1], None, None)
                split = self._logits_at(ids[rows[0]], lengths[rows[0]], rows[1], body, head)
        except Exception:   # a head that needs more than hidden states (e.g. extra arguments)
            return None, None
        if full.shape != split.shape or not torch.allclose(full.float().log_softmax(-1),
                                                           split.float().log_softmax(-1), atol=1e-3, rtol=1e-3):
            return None, None
        return body, head

    def _logits_at(self, ids: np.ndarray, lengths: np.ndarray, positions: np.ndarray, body, head) -> torch.Tensor:
        """``(B, V)`` logits at ``positions`` of rows ``ids`` ``(B, L)`` with that position masked."""
        inputs = torch.from_numpy(ids).to(self.device)
        rows = torch.arange(len(ids), device=self.device)
        pos = torch.from_numpy(positions).to(self.device)
        inputs[rows, pos] = self.tokens.mask_id
        kwargs = {}
        if self.uses_attention_mask and lengths.min() < ids.shape[1]:
            # Only the split-head probe (_split_head) mixes lengths; scoring batches hold one length, no mask.
            kwargs["attention_mask"] = (torch.arange(ids.shape[1], device=self.device)[None, :]
                                        < torch.from_numpy(lengths).to(self.device)[:, None]).long()
        if body is None:
            return _logits_of(self.model(input_ids=inputs, **kwargs))[rows, pos]
        hidden = body(input_ids=inputs, **kwargs)[0]
        return head(hidden[rows, pos])

    def _compute(self, encodings, finished):
        ids, lengths = self._padded(encodings)
        order = np.argsort(-lengths, kind="stable")
        row_seq = np.concatenate([np.full(int(encodings[i].is_sequence.sum()), i) for i in order])
        row_pos = np.concatenate([np.flatnonzero(encodings[i].is_sequence) for i in order])
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        flat = np.full(int(offsets[-1]), np.nan)
        remaining = np.bincount(row_seq, minlength=len(encodings))

        def run(start: int, stop: int) -> None:
            seq, pos = row_seq[start:stop], row_pos[start:stop]
            width = int(lengths[seq].max())
            logits = self._logits_at(ids[seq, :width], lengths[seq], pos, self._body, self._head)
            targets = torch.from_numpy(ids[seq, pos]).to(self.device)
            lp = torch.log_softmax(logits.float(), dim=-1).gather(1, targets[:, None])[:, 0]
            flat[offsets[seq] + pos] = lp.double().cpu().numpy()
            np.subtract.at(remaining, seq, 1)
            done = np.unique(seq[remaining[seq] == 0])
            if len(done):
                remaining[done] = -1   # reported once
                finished(done, [flat[offsets[i]:offsets[i + 1]].copy() for i in done])

        self._run_batches(len(row_seq), lengths[row_seq], run)


class HFCausalScorer(_HFScorer):
    """Exact log-likelihood of a causal LM, one forward pass per batch of sequences."""

    def __init__(self, model, tokenizer: NucleotideTokenizer, **kwargs):
        super().__init__(model, tokenizer, **kwargs)
        bos = "prepended" if tokenizer.prepend_bos else ("none" if tokenizer.prepend_bos is False else "tokenizer")
        self.mode = f"causal-ll-exact/bos={bos}"

    def _scored(self, enc: Encoding) -> np.ndarray:
        # A token is predicted from what precedes it; the first token of the input has nothing before it.
        scored = enc.is_sequence.copy()
        scored[:1] = False
        return scored

    def _compute(self, encodings, finished):
        ids, lengths = self._padded(encodings)
        order = np.argsort(-lengths, kind="stable")

        def run(start: int, stop: int) -> None:
            batch = order[start:stop]
            width = int(lengths[batch].max())
            inputs = torch.from_numpy(ids[batch, :width]).to(self.device)   # one length per batch: no mask
            logits = _logits_of(self.model(input_ids=inputs))[:, :-1]
            targets = inputs[:, 1:, None]
            # Only the true token's log-probability is kept: logit - logsumexp over the full vocabulary.
            lp = (logits.gather(-1, targets)[..., 0].float() - torch.logsumexp(logits.float(), dim=-1))
            lp = lp.double().cpu().numpy()
            values = []
            for row, i in enumerate(batch):
                enc = encodings[i]
                v = np.full(len(enc.ids), np.nan)
                v[1:] = lp[row, :len(enc.ids) - 1]
                v[~self._scored(enc)] = np.nan
                values.append(v)
            finished(batch, values)

        self._run_batches(len(order), lengths[order], run)


def default_threads(model: torch.nn.Module, device: torch.device) -> int | None:
    """CPU threads for scoring ``model`` when ``--mit-threads`` is not given: one for a model under
    :data:`SMALL_MODEL_PARAMETERS` on CPU, unless OMP_NUM_THREADS or MKL_NUM_THREADS chooses; else None
    (torch's own setting)."""
    if device.type != "cpu" or any(os.environ.get(v) for v in _THREAD_VARIABLES):
        return None
    return 1 if sum(p.numel() for p in model.parameters()) < SMALL_MODEL_PARAMETERS else None


@contextlib.contextmanager
def _intra_op_threads(threads: int | None):
    """Run the block with ``threads`` torch intra-op threads (None: as set), then restore the process's setting."""
    before = torch.get_num_threads()
    if threads is None or threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _logits_of(output) -> torch.Tensor:
    return output.logits if hasattr(output, "logits") else output[0]


def _takes_argument(module: torch.nn.Module, name: str) -> bool:
    """Whether ``module.forward`` names ``name`` explicitly (``**kwargs`` may silently drop it)."""
    try:
        return name in inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _hidden_modules(names: Sequence[str]):
    """Make ``names`` unimportable (``import`` raises ImportError) while the block runs, then restore them."""
    saved = {}
    for name in names:
        saved.update({k: v for k, v in sys.modules.items() if k == name or k.startswith(name + ".")})
        for k in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[k]
        sys.modules[name] = None   # the import system treats None as "not importable"
    try:
        yield
    finally:
        for name in names:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
        sys.modules.update(saved)


def _wrap_load_error(recipe: Recipe, options: ScorerOptions, what: str, exc: Exception) -> Exception:
    text = str(exc)
    if "trust_remote_code" in text and not options.trust_remote_code:
        return RemoteCodeRequired(f"--model {recipe.alias}: {recipe.hub_id} needs modelling code from its "
                                  "repository; rerun with --trust-remote-code to allow it")
    if isinstance(exc, ImportError):
        missing = getattr(exc, "name", None) or text
        for module, command in recipe.requires:
            if module in str(missing):
                return ScorerUnavailable(f"{recipe.alias} needs {module!r} ({text}): {command}")
        return ScorerUnavailable(f"{recipe.alias}: loading the {what} needs a package that is missing ({text})")
    if "not consistent with the config class" in text and not recipe.config_class:
        return RuntimeError(f"--model {recipe.alias}: cannot load the {what} of {recipe.hub_id!r}: {text} Its "
                            "config class and model class disagree, the DNABERT-2 loading bug (DNABERT-2 #22): "
                            f"--model dnabert2:{recipe.hub_id} loads the config with BertConfig instead")
    return RuntimeError(f"--model {recipe.alias}: cannot load the {what} of {recipe.hub_id!r}: "
                        f"{type(exc).__name__}: {text}. Is the hub id or folder right, and is the checkpoint in "
                        "the local Hugging Face cache when offline?")


def _checkpoint_digest(folder: Path) -> str:
    """sha256 over every file that defines a local checkpoint (name and content, in name order): weights, the
    config (dropout, head sizes, token ids), tokenizer and vocabulary files, and any modelling code. Only hidden
    files and Markdown are left out: editing ``config.json`` must change the cache key as a new weight file does."""
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md")
    return file_digest(*files) if files else "no-files"


def shipped_code(recipe: Recipe) -> list[str]:
    """The modelling code a checkpoint ships: the modules its config's ``auto_map`` names (as files) and, for a
    local folder, its ``.py`` files. Empty when the config cannot be read here (loading then says why)."""
    folder = Path(recipe.hub_id)
    try:
        if folder.is_dir():
            import json
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        else:
            config, _ = transformers.PretrainedConfig.get_config_dict(recipe.hub_id, revision=recipe.revision)
    except Exception:   # noqa: BLE001 - no readable config: the loader's own error names the problem
        config = {}
    auto_map = config.get("auto_map") if isinstance(config, dict) else None
    named = []
    for target in (auto_map.values() if isinstance(auto_map, dict) else []):
        for reference in (target if isinstance(target, (list, tuple)) else [target]):
            if isinstance(reference, str) and "." in reference:
                named.append(reference.rsplit(".", 1)[0] + ".py")
    if folder.is_dir():
        named += [p.name for p in folder.glob("*.py")]
    return sorted(set(named))


def refuse_remote_code(recipe: Recipe, options: ScorerOptions) -> None:
    """RemoteCodeRequired, naming the files, when the checkpoint ships its own modelling code and
    ``--trust-remote-code`` was not given, even when its config declares a model type transformers has a class
    for: that class is not the code the checkpoint was trained and saved with, so MIT stops instead of scoring
    it with a stand-in."""
    if options.trust_remote_code:
        return
    files = shipped_code(recipe)
    if files:
        raise RemoteCodeRequired(f"--model {recipe.alias}: {recipe.hub_id} ships its own modelling code "
                                 f"({', '.join(files)}); MIT does not run it, nor replace it with transformers' "
                                 "built-in class, without --trust-remote-code: read those files, then rerun with "
                                 "--trust-remote-code to allow them")


def _resolved_revision(recipe: Recipe, model) -> str:
    local = Path(recipe.hub_id)
    if local.is_dir():
        return _checkpoint_digest(local)
    commit = getattr(model.config, "_commit_hash", None)
    return commit or recipe.revision or "unresolved"


def _load_tokenizer(recipe: Recipe, options: ScorerOptions, model_config):
    try:
        hf_tokenizer = transformers.AutoTokenizer.from_pretrained(
            recipe.hub_id, revision=recipe.revision, trust_remote_code=options.trust_remote_code)
    except Exception as exc:   # noqa: BLE001 - any tokenizer failure has the same fallback or message
        if recipe.char_vocab is None:
            raise _wrap_load_error(recipe, options, "tokenizer", exc) from exc
        warnings.warn(f"{recipe.alias}: the checkpoint's tokenizer did not load ({type(exc).__name__}: {exc}); "
                      "using MIT's fixed character table for it", RuntimeWarning, stacklevel=3)
        return NucleotideTokenizer(char_vocab=recipe.char_vocab, prepend_bos=False, name=recipe.alias)
    if recipe.kind != "causal":
        return NucleotideTokenizer(hf_tokenizer, name=recipe.alias)
    bos_id = getattr(model_config, "bos_token_id", None)
    prepend = recipe.prepend_bos
    if prepend is None:
        # The tokenizer's own convention first; else the model's declared BOS gives the first nucleotide a
        # context. Either way the rule is fixed per model, never per sequence.
        probe = NucleotideTokenizer(hf_tokenizer, name=recipe.alias).encode(["ACGT"])[0]
        if probe.is_sequence[0]:
            prepend = bos_id is not None
    return NucleotideTokenizer(hf_tokenizer, prepend_bos=prepend, bos_id=bos_id, name=recipe.alias)


class MissingWeightsError(RuntimeError):
    """A checkpoint lacks weights that the scoring uses (e.g. the LM head of a backbone saved without it)."""


# Buffers that a model builds from its config (index ranges), never learned: absent from a checkpoint is fine.
_CONSTRUCTED_BUFFERS = ("position_ids", "token_type_ids")


def random_weights(model: torch.nn.Module, missing_keys) -> list[str]:
    """Names of the tensors of a freshly loaded ``model`` that hold random initial values, sorted.

    ``missing_keys`` is transformers' loading report. A missing key is harmless when it is an index buffer the
    model builds itself (``position_ids``) or when its tensor shares storage with a tensor the checkpoint did
    provide (weights tied by transformers or by the model's code, e.g. a head tied to the input embeddings).
    transformers also drops the keys a model class declares ignorable (``_keys_to_ignore_on_load_missing``) from
    that report; where it marks what it loaded (``_is_hf_initialized``, transformers 5), a parameter left
    unmarked is random too, whatever the class declares.
    """
    tensors = dict(model.named_parameters(remove_duplicate=False))
    parameters = set(tensors)
    tensors.update(model.named_buffers(remove_duplicate=False))
    suspects = set(missing_keys)
    if any(getattr(p, "_is_hf_initialized", False) for p in model.parameters()):
        suspects |= {n for n in parameters if not getattr(tensors[n], "_is_hf_initialized", False)}
    suspects = {k for k in suspects if k.rsplit(".", 1)[-1] not in _CONSTRUCTED_BUFFERS}
    loaded = {t.data_ptr() for n, t in tensors.items() if n not in suspects and t.numel()}
    return sorted(k for k in suspects
                  if k not in tensors or not tensors[k].numel() or tensors[k].data_ptr() not in loaded)


def check_no_random_weights(recipe: Recipe, model: torch.nn.Module, missing_keys) -> None:
    """Raise MissingWeightsError naming the weights the checkpoint lacks: a randomly initialised head (or any
    other layer) would still give numbers, so MIT refuses to score it rather than warn."""
    random = random_weights(model, missing_keys)
    if not random:
        return
    shown = ", ".join(random[:8]) + (f" and {len(random) - 8} more" if len(random) > 8 else "")
    hint = ""
    head, embeddings = _embeddings(model)
    head_weight = getattr(head, "weight", None)
    head_names = {n for n, p in model.named_parameters(remove_duplicate=False) if p is head_weight}
    embedding_weight = getattr(embeddings, "weight", None)
    if (head_names and set(random) <= head_names and embedding_weight is not None
            and head_weight.shape == embedding_weight.shape):
        hint = (" It looks like a backbone saved without its LM head. If the model was trained with the head tied "
                "to the input embeddings (HyenaDNA was), `python -m scorers.glm.tie_head SRC DST` writes a copy "
                "with that head (README, \"A real gLM\").")
    raise MissingWeightsError(
        f"--model {recipe.alias}: the checkpoint {recipe.hub_id!r} has no weights for {shown}, which "
        f"{type(model).__name__} uses to score; transformers would initialise them at random, and MIT will not "
        f"score a randomly initialised head or layer.{hint}")


def _embeddings(model: torch.nn.Module):
    """``(output embeddings, input embeddings)`` of ``model``, None for what it does not expose."""
    found = []
    for getter in ("get_output_embeddings", "get_input_embeddings"):
        try:
            found.append(getattr(model, getter)())
        except (AttributeError, NotImplementedError):
            found.append(None)
    return tuple(found)


def untrained_copy(scorer: _HFScorer, spec: str, of: str, seed: int) -> _HFScorer:
    """A copy of ``scorer`` with its architecture (the loaded model's config), tokenizer, recipe, device and dtype,
    and weights freshly initialised by ``AutoModelFor*.from_config`` under ``torch.manual_seed(seed)`` (the run's
    own torch random state is left as it was). Named ``spec``; ``null_control_of`` is ``of``."""
    auto = transformers.AutoModelForCausalLM if scorer.recipe.kind == "causal" else transformers.AutoModelForMaskedLM
    with _hidden_modules(scorer.recipe.hide_modules), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = auto.from_config(scorer.model.config, trust_remote_code=scorer.trust_remote_code,
                                 dtype=scorer.dtype)
    recipe = replace(scorer.recipe, alias=spec)
    copy = type(scorer)(model, scorer.tokens, recipe=recipe, device=scorer.device, dtype=scorer.dtype,
                        batch_size=scorer.batch_size, threads=scorer.threads,
                        revision=f"untrained(from_config, torch seed {seed}; architecture of {scorer.revision})")
    copy.null_control_of = of
    copy.trust_remote_code = scorer.trust_remote_code
    return copy


def load_scorer(recipe: Recipe, options: ScorerOptions):
    """The HF scorer ``recipe`` describes (kind ``causal`` or ``mlm``), loaded on ``--mit-device`` in ``--mit-dtype``."""
    device, dtype = resolve_device(options.device), resolve_dtype(options.dtype)
    common = {"revision": recipe.revision, "trust_remote_code": options.trust_remote_code}
    auto = transformers.AutoModelForCausalLM if recipe.kind == "causal" else transformers.AutoModelForMaskedLM
    refuse_remote_code(recipe, options)
    with _hidden_modules(recipe.hide_modules):
        try:
            if recipe.config_class:
                # A fixed config class ignores the checkpoint's auto_map for the config only (DNABERT-2 #92);
                # the model class still comes from the checkpoint's code.
                config = getattr(transformers, recipe.config_class).from_pretrained(recipe.hub_id,
                                                                                    revision=recipe.revision)
            else:
                config = transformers.AutoConfig.from_pretrained(recipe.hub_id, **common)
            model, info = auto.from_pretrained(recipe.hub_id, config=config, dtype=dtype,
                                               output_loading_info=True, **common)
        except (RemoteCodeRequired, ScorerUnavailable):
            raise
        except Exception as exc:   # noqa: BLE001 - re-raised with the model named and the likely cause
            raise _wrap_load_error(recipe, options, "model", exc) from exc
    check_no_random_weights(recipe, model, info.get("missing_keys", ()))
    tokens = _load_tokenizer(recipe, options, config)
    cls = HFCausalScorer if recipe.kind == "causal" else HFMaskedScorer
    scorer = cls(model, tokens, recipe=recipe, device=device, dtype=dtype, batch_size=options.batch_size,
                 revision=_resolved_revision(recipe, model), threads=options.threads)
    scorer.trust_remote_code = options.trust_remote_code   # what an untrained copy may load with
    return scorer

