"""Who passes the canary and who fails it (issue 25; docs/canary.md): every check's value for Markov chains, a
small causal LM trained here, untrained copies of every architecture MIT's tests build, and the tied
HyenaDNA-tiny replicates of the ``anticapt`` wheel (when installed).

    MIT_DATA_DIR=../shared/data OMP_NUM_THREADS=1 python benchmarks/bench_canary.py [--seeds 1] [--steps 120]

Prints one row per model: mean NLL per nucleotide on held-out E. coli DNA, natural promoters (class A), uniform
random DNA and tandem repeats (information), the verdict and the failed checks. Needs the genome and RegulonDB in
the data directory (the held-out and promoter checks read them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def untrained_checkpoints(root: Path, seeds: int, steps_model) -> dict[str, Path]:
    """Untrained copies of every architecture of tests/tiny_models.py (their wide test initialisation and, where
    the builder takes it, the usual 0.02 of from_config) and of the trained control (its own init)."""
    from tests import tiny_models as tm
    made = {}
    for seed in range(seeds):
        for init in (tm.WIDE_INIT, 0.02):
            tag = f"init {init}, seed {seed}"
            made[f"hf-mlm esm-6mer ({tag})"] = tm.make_esm_6mer(root / f"esm6-{init}-{seed}", seed=seed, init=init)
            made[f"hf-mlm esm-char ({tag})"] = tm.make_esm_char(root / f"esmc-{init}-{seed}", seed=seed, init=init)
            made[f"hf-mlm bert-char ({tag})"] = tm.make_bert(root / f"bc-{init}-{seed}", seed=seed, init=init)
            made[f"hf-mlm bert-bpe ({tag})"] = tm.make_bert(root / f"bb-{init}-{seed}", tokens="bpe", seed=seed,
                                                           init=init)
            made[f"hf-causal gpt2 ({tag})"] = tm.make_gpt2(root / f"gpt2-{init}-{seed}", seed=seed, init=init)
        made[f"dnabert2 dnabert2-like (seed {seed})"] = tm.make_dnabert2_like(root / f"dnabert2-{seed}", seed=seed)
        made[f"hf-causal hyena-like conv (seed {seed})"] = tm.make_hyena_like(root / f"hyena-{seed}", seed=seed)
        made[f"hf-mlm bidirectional conv (seed {seed})"] = tm.make_bidirectional_conv(root / f"conv-{seed}",
                                                                                       seed=seed)
        made[f"hf-causal small LM untrained (seed {seed})"] = steps_model(root / f"lm0-{seed}", 0, seed)
    return made


def untrained_hyenadna(tied: Path, folder: Path, seed: int) -> Path:
    """HyenaDNA-tiny's own architecture with weights drawn by ``from_config`` (what the zoo's HyenaDNA recipe
    starts from): the tied checkpoint's files, its weights replaced."""
    import shutil

    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    shutil.copytree(tied, folder)
    torch.manual_seed(seed)
    config = AutoConfig.from_pretrained(folder, trust_remote_code=True)
    model = AutoModelForCausalLM.from_config(config, trust_remote_code=True)
    # save_pretrained refuses the filters' shared frequency tensors; the state dict, cloned, loads as the original.
    torch.save({k: v.clone() for k, v in model.state_dict().items()}, folder / "pytorch_model.bin")
    return folder


def spec_of(label: str, folder: Path) -> str:
    return f"{label.split()[0]}:{folder}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="untrained copies per architecture and init")
    parser.add_argument("--steps", type=int, default=120, help="training steps of the small causal LM")
    parser.add_argument("--markov", type=int, nargs="*", default=[0, 1, 2, 3, 5])
    parser.add_argument("--only", nargs="*", default=None, help="rows whose label holds one of these strings")
    parser.add_argument("--extra", nargs="*", default=[], metavar="SPEC",
                        help="more models (e.g. hf-causal:zoo/models/NAME), each with --copies untrained copies")
    parser.add_argument("--copies", type=int, default=2, help="untrained copies of each --extra HF model")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import torch
    torch.set_num_threads(1)

    from fixtures.canary import build_canary_set
    from fixtures.grammar import DEFAULT_SEED
    from fixtures.natural import with_natural
    from fixtures.sets import build_core
    from mit_tests.canary import measure_canary
    from scorers.protocol import ScorerOptions
    from scorers.registry import resolve
    from scorers.scored_model import ScoredModel
    from tests.test_real_glm import CHECKPOINTS, anticapt_folder
    from tests.trained_lm import train_small_lm

    sets = with_natural({"core": build_core(DEFAULT_SEED), "canary": build_canary_set(DEFAULT_SEED)}, DEFAULT_SEED)
    if "held_out" in sets["canary"].params or "natural" not in sets:
        print("needs the genome and RegulonDB: set MIT_DATA_DIR", file=sys.stderr)
        return 2

    def row(label: str, spec: str, scorer=None) -> None:
        if args.only is not None and not any(part in label for part in args.only):
            return
        started = time.perf_counter()
        scorer = scorer or resolve(spec, ScorerOptions(trust_remote_code=True))
        result = measure_canary(ScoredModel(spec, scorer, dict(sets)))
        d, checks = result.details, result.details["checks"]
        failed = ",".join(k for k, v in checks.items() if v is False) or "-"
        print(f"| {label} | {d['held_out_nll_per_nt']:.4f} | {d['promoter_nll_per_nt']:.4f} | "
              f"{d['uniform_nll_per_nt']:.4f} | {d['repeat_nll_per_nt']:.4f} | "
              f"{'pass' if result.gate_passed else 'FAIL'} | {failed} | {time.perf_counter() - started:.1f} |",
              flush=True)

    print("| model | held-out | promoters (natural A) | uniform | repeats (info) | canary | failed | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for spec in args.extra:
        from scorers.glm.hf import untrained_copy
        from scorers.null_control import null_seed, null_spec
        row(spec, spec)
        loaded = resolve(spec, ScorerOptions(trust_remote_code=True))
        for k in range(1, args.copies + 1):
            copy = null_spec(spec, k)
            scorer = untrained_copy(loaded, copy, spec, null_seed(DEFAULT_SEED, k))
            scorer.null_control_of = None      # a run skips its copies' canary; here it is what is measured
            row(f"{copy} (untrained copy)", copy, scorer)
    for order in args.markov:
        row(f"markov:{order}", f"markov:{order}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        trained = train_small_lm(root / "lm", args.steps)
        print(f"(small causal LM: {args.steps} steps in {time.perf_counter() - started:.1f} s)", flush=True)
        row(f"small causal LM, {args.steps} steps", f"hf-causal:{trained}")
        for name in CHECKPOINTS:
            folder = anticapt_folder(name)
            if folder is None:
                print(f"(anticapt {name}: not installed)")
                continue
            from scorers.glm.tie_head import main as tie_head
            tied = root / f"tied-{name.parts[1]}"
            tie_head([str(folder), str(tied), "--trust-remote-code"])
            row(f"HyenaDNA-tiny tied, anticapt {name.parts[1]}", f"hyenadna:{tied}")
            for seed in range(args.seeds if name == CHECKPOINTS[0] else 0):     # one architecture
                row(f"HyenaDNA-tiny architecture untrained (seed {seed})",
                    f"hyenadna:{untrained_hyenadna(tied, root / f'hyena-untrained-{seed}', seed)}")
        for label, folder in untrained_checkpoints(root, args.seeds,
                                                   lambda f, steps, seed: train_small_lm(f, steps, seed=seed)).items():
            row(label, spec_of(label, folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
