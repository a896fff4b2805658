"""``python -m scorers.glm.tie_head SRC DST [--trust-remote-code]``: a copy of a causal-LM checkpoint that was
saved as a backbone (no LM head), with the head tied to the input embeddings.

MIT refuses to score a checkpoint whose LM head is missing (transformers would initialise it at random). Some
models were trained with the head *tied* to the input embeddings — HyenaDNA's ``ConvLMHeadModel.tie_weights``
sets ``lm_head.weight = backbone.embeddings.word_embeddings.weight`` (HazyResearch/hyena-dna,
``src/models/sequence/long_conv_lm.py``) — so a backbone saved without its head still holds the head's values.
This writes that head back, and nothing else:

* every file of SRC is copied byte for byte (modelling code, tokenizer, config), except
* the weights file, which gets one more tensor, the head (``lm_head.weight`` for HyenaDNA), equal to the input
  embedding matrix, in SRC's own format and file name; and
* ``config.json``, which gets ``"tie_word_embeddings": true`` (it said ``false``).

The copy is then loaded back and checked: no weight is missing, the head equals the input embeddings, and every
other tensor equals SRC's. It refuses when SRC lacks anything but the head, when the head and the embeddings
differ in shape, or when SRC already has a head. Whether the tie is right for a model is the user's claim to
make (it is for HyenaDNA); MIT's canary then checks that the copy behaves like a trained LM.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import warnings
from pathlib import Path

import torch
import transformers

from fixtures.help_text import plain
from scorers.glm.hf import _embeddings, random_weights

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        return load_file(str(path), device="cpu")
    return torch.load(path, map_location="cpu", weights_only=True)


def _write_weights(tensors: dict[str, torch.Tensor], path: Path) -> None:
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file
        save_file(tensors, str(path), metadata={"format": "pt"})
    else:
        torch.save(tensors, path)


def _load(folder: Path, trust_remote_code: bool):
    """The model and its loading report; transformers' own report of the missing head is not printed (MIT
    reads it from the loading info)."""
    logging = transformers.utils.logging
    verbosity, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return transformers.AutoModelForCausalLM.from_pretrained(
                folder, trust_remote_code=trust_remote_code, output_loading_info=True, dtype=torch.float32)
    except ValueError as exc:
        if "trust_remote_code" in str(exc) and not trust_remote_code:
            raise ValueError(f"{folder} runs its own modelling code; rerun with --trust-remote-code") from None
        raise
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()


def tie_head(src: str | Path, dst: str | Path, *, trust_remote_code: bool = False) -> dict:
    """Write the tied copy of ``src`` to ``dst`` (a new folder) and return what was done:
    ``{"head": key, "embeddings": key, "weights_file": name}``. Raises ValueError naming what is wrong."""
    src, dst = Path(src), Path(dst)
    weight_files = [src / name for name in WEIGHT_FILES if (src / name).is_file()]
    if not src.is_dir() or not (src / "config.json").is_file():
        raise ValueError(f"{src} is not a checkpoint folder (no config.json)")
    if len(weight_files) != 1:
        raise ValueError(f"{src}: expected exactly one unsharded weights file ({' or '.join(WEIGHT_FILES)}), "
                         f"found {[p.name for p in weight_files] or 'none'}")
    if dst.exists():
        raise ValueError(f"{dst} exists already; give a new folder")
    model, info = _load(src, trust_remote_code)
    missing = random_weights(model, info["missing_keys"])
    head, embeddings = _embeddings(model)
    names = {id(p): n for n, p in model.named_parameters()}
    head_key = names.get(id(getattr(head, "weight", None)))
    embedding_key = names.get(id(getattr(embeddings, "weight", None)))
    if head_key is None or embedding_key is None:
        raise ValueError(f"{src}: {type(model).__name__} exposes no output and input embeddings to tie")
    if not missing:
        raise ValueError(f"{src}: no weight is missing, the checkpoint already has its head {head_key}")
    if missing != [head_key]:
        raise ValueError(f"{src}: the checkpoint lacks {missing}, not only the head {head_key}; tying the head "
                         "cannot make it a trained model")
    if head.weight.shape != embeddings.weight.shape:
        raise ValueError(f"{src}: the head {head_key} {tuple(head.weight.shape)} and the input embeddings "
                         f"{embedding_key} {tuple(embeddings.weight.shape)} differ in shape")

    weights_path = weight_files[0]
    tensors = _read_weights(weights_path)
    # A backbone checkpoint stores the embeddings without the head model's base-model prefix.
    prefix = f"{model.base_model_prefix}."
    stored = next((k for k in (embedding_key, embedding_key.removeprefix(prefix)) if k in tensors), None)
    if stored is None:
        raise ValueError(f"{src}: the input embeddings {embedding_key} are not in {weights_path.name}")
    tensors[head_key] = tensors[stored].clone()

    dst.mkdir(parents=True)
    for path in src.iterdir():
        if path.is_file() and path != weights_path:
            shutil.copy2(path, dst / path.name)
    _write_weights(tensors, dst / weights_path.name)
    config = json.loads((src / "config.json").read_text(encoding="utf-8"))
    config["tie_word_embeddings"] = True
    (dst / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    tied, tied_info = _load(dst, trust_remote_code)
    still_missing = random_weights(tied, tied_info["missing_keys"])
    if still_missing:
        raise ValueError(f"{dst}: the tied copy still lacks {still_missing}")
    original = model.state_dict()
    for key, value in tied.state_dict().items():
        expected = original[embedding_key] if key == head_key else original[key]
        if not torch.equal(value, expected):
            raise ValueError(f"{dst}: {key} differs from {src} after tying")
    return {"head": head_key, "embeddings": stored, "weights_file": weights_path.name}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scorers.glm.tie_head", description=plain(__doc__.splitlines()[0]))
    parser.add_argument("src", help="checkpoint folder saved without its LM head")
    parser.add_argument("dst", help="new folder for the copy with the head tied to the input embeddings")
    parser.add_argument("--trust-remote-code", action="store_true",
                        help="allow the checkpoint's own modelling code (HyenaDNA needs it)")
    args = parser.parse_args(argv)
    try:
        done = tie_head(args.src, args.dst, trust_remote_code=args.trust_remote_code)
    except ValueError as exc:
        print(f"python -m scorers.glm.tie_head: error: {exc}", file=sys.stderr)
        return 1
    except (OSError, RuntimeError) as exc:   # a folder transformers cannot load: say so, not a traceback
        print(f"python -m scorers.glm.tie_head: cannot load {args.src}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    print(f"wrote {args.dst}: {done['head']} = {done['embeddings']} (a copy) added to {done['weights_file']}; "
          "config.json: tie_word_embeddings = true; every other file copied unchanged", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
