"""Exact batched PLL vs one forward pass per position, and a warm score cache vs a cold run (DESIGN.md s12).

    python benchmarks/bench_pll.py [--sequences 64] [--layers 4] [--hidden 128] [--device cpu]

Model: a randomly initialised ESM masked LM (4 layers, hidden 128, single-nucleotide tokens), saved and loaded
through ``hf-mlm:FOLDER`` like any checkpoint. Sequences: MIT-like 100 nt windows (an intact promoter pasted
into a 55 % AT background). Prints measured ratios only; asserts that the two PLLs are equal (1e-4).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from fixtures.grammar import CONSENSUS_35, INTACT_10, MINUS_10, MINUS_35, draw_background, paste  # noqa: E402
from scorers.cache import ScoreCache  # noqa: E402
from scorers.protocol import ScorerOptions  # noqa: E402
from scorers.registry import resolve  # noqa: E402
from scorers.runner import score_sequences  # noqa: E402
from tests.tiny_models import make_esm_char  # noqa: E402


def mit_like(n: int, seed: int) -> list[str]:
    out = []
    for i in range(n):
        seq = draw_background(np.random.default_rng([seed, i]))
        seq = paste(paste(seq, MINUS_35.start, CONSENSUS_35), MINUS_10.start, INTACT_10)
        out.append(seq)
    return out


def naive_pll(model, tokenizer, sequences: list[str], device) -> np.ndarray:
    """The paper's recipe: for each sequence and each non-special position, mask it, run one forward pass
    (batch 1) and take the full-vocabulary log-softmax of the original token."""
    special = set(tokenizer.all_special_ids)
    totals = []
    with torch.no_grad():
        for seq in sequences:
            ids = tokenizer(seq, return_tensors="pt")["input_ids"].to(device)
            total = 0.0
            for t in range(ids.shape[1]):
                token = int(ids[0, t])
                if token in special:
                    continue
                masked = ids.clone()
                masked[0, t] = tokenizer.mask_token_id
                log_probs = torch.log_softmax(model(input_ids=masked).logits, dim=-1)
                total += float(log_probs[0, t, token])
            totals.append(total)
    return np.array(totals)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=64)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=None, help="rows per forward (default: automatic)")
    parser.add_argument("--naive-sequences", type=int, default=16,
                        help="how many of the sequences the slow naive loop scores (compared per sequence)")
    args = parser.parse_args(argv)

    sequences = mit_like(args.sequences, seed=42)
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_esm_char(Path(tmp) / "esm", layers=args.layers, hidden=args.hidden, init=0.1)
        options = ScorerOptions(device=args.device, batch_size=args.batch_size)
        scorer = resolve(f"hf-mlm:{folder}", options)
        n_params = sum(p.numel() for p in scorer.model.parameters())
        print(f"model: ESM masked LM, {args.layers} layers, hidden {args.hidden}, {n_params / 1e6:.2f} M "
              f"parameters, single-nucleotide tokens; {len(sequences)} sequences x 100 nt; device {args.device}; "
              f"torch threads {torch.get_num_threads()}")

        scorer.score(sequences[:2])   # warm-up (allocator, kernels)
        scorer._memo.clear()
        t0 = time.perf_counter()
        batched = scorer.score(sequences)
        t_batched = time.perf_counter() - t0
        scorer._memo.clear()

        n_naive = min(args.naive_sequences, len(sequences))
        t0 = time.perf_counter()
        naive = naive_pll(scorer.model, scorer.tokens.tokenizer, sequences[:n_naive], scorer.device)
        t_naive = time.perf_counter() - t0

        diff = float(np.max(np.abs(batched[:n_naive] - naive)))
        naive_rate, batched_rate = n_naive / t_naive, len(sequences) / t_batched
        print(f"naive PLL (one forward per position, first {n_naive} sequences): {t_naive:8.2f} s  "
              f"({naive_rate:7.2f} seq/s)")
        print(f"batched exact PLL (all {len(sequences)} sequences):            {t_batched:8.2f} s  "
              f"({batched_rate:7.2f} seq/s)")
        print(f"speed-up batched / naive (per sequence): {batched_rate / naive_rate:.1f}x   (target >= 20x)")
        print(f"max |batched - naive| = {diff:.2e} nats   (must be < 1e-4)")
        assert diff < 1e-4, f"batched and naive PLL differ by {diff}"

        cache = ScoreCache(Path(tmp) / "scores.sqlite")
        ids = [f"s{i}" for i in range(len(sequences))]
        t0 = time.perf_counter()
        cold = score_sequences(scorer, ids, sequences, cache)
        t_cold = time.perf_counter() - t0
        scorer._memo.clear()
        t0 = time.perf_counter()
        warm = score_sequences(scorer, ids, sequences, ScoreCache(Path(tmp) / "scores.sqlite"))
        t_warm = time.perf_counter() - t0
        assert np.array_equal(cold, warm)
        print(f"cold run through the runner + cache:  {t_cold:8.3f} s")
        print(f"warm rerun (cache hit, new connection): {t_warm:8.4f} s")
        print(f"speed-up warm / cold: {t_cold / t_warm:.0f}x   (target >= 10x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
