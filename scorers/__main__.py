"""``python -m scorers``: score a FASTA file with any ``--model`` spec and write ``id,sequence,score`` CSV.

    python -m scorers --model SPEC --fasta FILE --out FILE.csv [--seed N] [--device D] [--dtype T]
                      [--batch-size N] [--trust-remote-code] [--cache FILE]

For pipelines that score elsewhere (a GPU cluster) and gate with ``pytest --model=scores:FILE.csv``. When the
scorer has per-nucleotide values (the HF gLM scorers), a ``per_nucleotide`` column holds them space-separated
(``nan`` for a nucleotide that is not scored, e.g. the first one of a causal model without BOS).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

from fixtures.fasta import read_fasta
from scorers.progress import ScoringProgress
from scorers.protocol import ScoreError, ScorerOptions, ScorerUnavailable
from scorers.registry import UnknownModelError, resolve
from scorers.runner import score_sequences


def _format_values(values) -> str:
    return " ".join("nan" if not math.isfinite(v) else f"{v:.6g}" for v in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scorers", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, metavar="SPEC",
                        help="built-in name, gLM alias, hf-causal:ID, hf-mlm:ID, scores:FILE or module:attr")
    parser.add_argument("--fasta", required=True, help="input FASTA (>id lines)")
    parser.add_argument("--out", required=True, help="output CSV: id,sequence,score[,per_nucleotide]")
    parser.add_argument("--seed", type=int, default=None, help="seed for seeded scorers (default 42)")
    parser.add_argument("--device", default=None, help="torch device (default: cuda if available, else cpu)")
    parser.add_argument("--dtype", default=None, help="torch dtype (default float32)")
    parser.add_argument("--batch-size", type=int, default=None, help="rows per forward pass (default: automatic)")
    parser.add_argument("--trust-remote-code", action="store_true",
                        help="allow checkpoints that need their own modelling code")
    parser.add_argument("--cache", default="none", help="SQLite score cache file (default: none)")
    args = parser.parse_args(argv)
    if args.batch_size is not None and args.batch_size < 1:
        parser.error(f"--batch-size must be at least 1, got {args.batch_size}")

    options = ScorerOptions(device=args.device, dtype=args.dtype, batch_size=args.batch_size,
                            trust_remote_code=args.trust_remote_code,
                            **({"seed": args.seed} if args.seed is not None else {}))
    try:
        ids, sequences = read_fasta(args.fasta)
        scorer = resolve(args.model, options)
        from scorers.cache import open_cache

        progress = ScoringProgress(args.model, lambda line: print(line, file=sys.stderr, flush=True))
        scores = score_sequences(scorer, ids, sequences, open_cache(args.cache), progress=progress)
        per_nt = scorer.per_nucleotide(sequences) if callable(getattr(scorer, "per_nucleotide", None)) else None
    except UnknownModelError as exc:
        parser.error(str(exc))
    except ScorerUnavailable as exc:
        print(f"python -m scorers: {args.model} cannot run here: {exc}", file=sys.stderr)
        return 3
    except (OSError, ValueError, ScoreError, RuntimeError) as exc:
        print(f"python -m scorers: error: {exc}", file=sys.stderr)
        return 1

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "sequence", "score"] + (["per_nucleotide"] if per_nt is not None else []))
        for i, (sid, seq, score) in enumerate(zip(ids, sequences, scores.tolist())):
            row = [sid, seq, repr(float(score))]
            if per_nt is not None:
                row.append(_format_values(per_nt[i]))
            writer.writerow(row)
    print(f"wrote {len(ids)} scores of {getattr(scorer, 'name', args.model)} to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
