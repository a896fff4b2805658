"""``python -m scorers``: score a FASTA file with any ``--model`` spec and write ``id,sequence,score`` CSV.

    python -m scorers --model SPEC --fasta FILE --out FILE.csv [--seed N] [--device D] [--dtype T]
                      [--batch-size N] [--trust-remote-code] [--cache FILE]

For pipelines that score elsewhere (a GPU cluster) and gate with ``pytest --model=scores:FILE.csv``. Columns:
``id,sequence,score,kind``; ``set,set_sha256`` when the FASTA comes from ``python -m fixtures`` (its ``;mit-set``
lines), so ``scores:`` can check the file was scored on the run's sets; ``scored_nucleotides`` when the scorer
says how many nucleotides each score sums over; ``per_nucleotide`` when it has per-nucleotide values (the HF gLM
scorers), space-separated (``nan`` for a nucleotide that is not scored, e.g. the first one of a causal model
without BOS).

The output and the cache are checked before anything is scored (exit 2), the scores are checked for order and
batch dependence (:mod:`scorers.hygiene`, exit 1), and the CSV is written whole or not at all.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import tempfile
from pathlib import Path

from fixtures.fasta import read_fasta, read_fasta_sets
from fixtures.grammar import DEFAULT_SEED
from fixtures.help_text import plain
from scorers.progress import ScoringProgress
from scorers.protocol import ScoreError, ScorerOptions, ScorerUnavailable
from scorers.registry import UnknownModelError, resolve
from scorers.runner import score_sequences
from scorers.scored_model import exited, is_replay


def _format_values(values) -> str:
    return " ".join("nan" if not math.isfinite(v) else f"{v:.6g}" for v in values)


def check_output(path: Path) -> None:
    """OSError unless a file can be written at ``path`` (its folder is created); nothing at ``path`` changes."""
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".check"):
        pass
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"{path} is not writable")


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path, a link to it, or the same inode)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def default_mode() -> int:
    """The permissions an ordinary ``open(path, "w")`` gives a new file here: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_csv(path: Path, header: list[str], rows) -> None:
    """Write the CSV to a temporary file beside ``path`` and move it into place: whole, or not at all. The file
    gets the permissions of an ordinary new file (a temporary file is private to its owner, 0600)."""
    handle = tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         newline="", encoding="utf-8", delete=False)
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        os.chmod(handle.name, default_mode())
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scorers", description=plain(__doc__.splitlines()[0]))
    parser.add_argument("--model", required=True, metavar="SPEC",
                        help="built-in name, gLM alias, hf-causal:ID, hf-mlm:ID, scores:FILE or module:attr")
    parser.add_argument("--fasta", required=True, help="input FASTA (>id lines)")
    parser.add_argument("--out", required=True,
                        help="output CSV: id,sequence,score,kind[,set,set_sha256][,scored_nucleotides]"
                             "[,per_nucleotide]")
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
    out = Path(args.out)
    if same_file(out, Path(args.fasta)):
        parser.error(f"--out {out} is the --fasta file: writing the scores would overwrite the sequences; "
                     "choose another --out")
    try:
        check_output(out)
    except OSError as exc:
        parser.error(f"--out {out} cannot be written: {exc}")
    from scorers.cache import NotACacheError, check_cache_path, is_disabled, open_cache
    if not is_disabled(args.cache):
        try:
            check_cache_path(args.cache)
        except NotACacheError as exc:
            parser.error(f"--cache: {exc}")

    seed = args.seed if args.seed is not None else DEFAULT_SEED
    options = ScorerOptions(seed=seed, device=args.device, dtype=args.dtype, batch_size=args.batch_size,
                            trust_remote_code=args.trust_remote_code)
    try:
        ids, sequences = read_fasta(args.fasta)
        set_of = {sid: block for block in read_fasta_sets(args.fasta) for sid in block.ids}
        scorer = resolve(args.model, options)
        progress = ScoringProgress(args.model, lambda line: print(line, file=sys.stderr, flush=True))
        scores = score_sequences(scorer, ids, sequences, open_cache(args.cache), progress=progress)
        if not is_replay(scorer):
            from scorers.hygiene import check_order_and_batch
            check_order_and_batch(scorer, ids, sequences, scores, seed,
                                  [set_of[i].name if i in set_of else "" for i in ids])
        per_nt = scorer.per_nucleotide(sequences) if callable(getattr(scorer, "per_nucleotide", None)) else None
        counter = getattr(scorer, "n_scored_nucleotides", None)
        nucleotides = counter(tuple(sequences)) if callable(counter) else None
    except UnknownModelError as exc:
        parser.error(str(exc))
    except ScorerUnavailable as exc:
        print(f"python -m scorers: {args.model} cannot run here: {exc}", file=sys.stderr)
        return 3
    except (OSError, ValueError, ScoreError, RuntimeError) as exc:
        print(f"python -m scorers: error: {exc}", file=sys.stderr)
        return 1
    except SystemExit as exc:     # the scorer's, not ours (parser.error exits before this try)
        print(f"python -m scorers: error: {exited(args.model, exc)}", file=sys.stderr)
        return 1

    header = ["id", "sequence", "score", "kind"] + (["set", "set_sha256"] if set_of else []) \
        + (["scored_nucleotides"] if nucleotides is not None else []) + (["per_nucleotide"] if per_nt is not None
                                                                         else [])
    rows = []
    for i, (sid, seq, score) in enumerate(zip(ids, sequences, scores.tolist())):
        row = [sid, seq, repr(float(score)), scorer.kind]
        if set_of:
            row += [set_of[sid].name, set_of[sid].sha256]
        if nucleotides is not None:
            row.append(int(nucleotides[i]))
        if per_nt is not None:
            row.append(_format_values(per_nt[i]))
        rows.append(row)
    write_csv(out, header, rows)
    print(f"wrote {len(ids)} scores of {getattr(scorer, 'name', args.model)} to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
