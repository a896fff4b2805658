"""``python -m fanout``: score a list of models on Ray, one MIT run per model, and merge them into one report.

    python -m fanout --models FILE --out DIR [--ray-address ADDR] [-- PYTEST OPTIONS]
    python -m fanout --checkpoints 'run/checkpoint-*' --kind hf-causal --out DIR

Each model is one Ray task (one GPU each when the cluster has GPUs, else ``--cpus-per-model`` CPUs) that runs
every MIT test of that model in a child process (:mod:`fanout.one_model`); the driver merges the models'
``mit-results.json`` files (:mod:`reports.merge`, which refuses runs of other sets) into ``DIR/mit-results.json``
and ``DIR/mit-report.html``. Without ``--ray-address`` a local Ray is started on this machine. A task whose worker
dies is retried (``--retries``); a model that fails for its own reasons (bad weights, NaN, the canary, its
``--mit-timeout``) is reported as MIT reports it, never retried. Options after ``--`` go to every model's run
(``--mit-seed``, ``--mit-timeout``, ``--trust-remote-code``, ``--mit-device``, ...).

Exit status: 0 when every model's run finished (whatever its verdicts), 1 when a model's run could not finish or
the merged results could not be written, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from fanout.models import checkpoint_series, read_model_list
from fanout.one_model import ModelRun, run_one_model
from fanout.progress import ProgressBoard, ProgressPrinter
from reports.merge import IncompatibleResults, merge_results


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _score_model(spec: str, out: str, pytest_args: list[str], cwd: str, board) -> ModelRun:
    """The Ray task: one model's MIT run, reporting to ``board`` (a ProgressBoard actor)."""
    import ray
    ray.get(board.started.remote(spec, os.getpid()))
    return run_one_model(spec, Path(out), pytest_args, cwd,
                         on_line=lambda state, done, total: board.update.remote(spec, state, done, total))


def fan_out(specs: list[str], out: Path, pytest_args: list[str], *, address: str | None = None,
            cpus_per_model: float = 1, retries: int = 3, num_cpus: int | None = None,
            write=_say, poll_s: float = 1.0, watch=None) -> dict[str, ModelRun]:
    """Run MIT on every spec as Ray tasks; ``{spec: ModelRun}`` in the order of ``specs``.

    Uses the Ray this process already joined, else joins the cluster at ``address``, else starts a local Ray
    (``num_cpus`` CPUs, default all) and stops it after. ``watch(snapshot)``, if given, sees the progress board
    (:class:`fanout.progress.ProgressBoard`) at every poll: the tests kill a worker through it.
    """
    import ray
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                 log_to_driver=False, logging_level="ERROR")
    try:
        gpus = ray.cluster_resources().get("GPU", 0)
        resources = {"num_gpus": 1, "num_cpus": cpus_per_model} if gpus else {"num_cpus": cpus_per_model}
        slots = int(gpus) if gpus else max(int(ray.cluster_resources().get("CPU", 1) // cpus_per_model), 1)
        board = ray.remote(ProgressBoard).remote(specs)
        task = ray.remote(_score_model).options(max_retries=retries, retry_exceptions=False, **resources)
        pending = {task.remote(spec, str(out), pytest_args, os.getcwd(), board): spec for spec in specs}
        printer = ProgressPrinter(write, slots)
        runs: dict[str, ModelRun] = {}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=poll_s)
            for ref in ready:
                spec = pending.pop(ref)
                try:
                    runs[spec] = ray.get(ref)
                except ray.exceptions.RayError as exc:     # its worker died more often than --retries allows
                    runs[spec] = ModelRun(spec, -1, "", None, f"{type(exc).__name__}: {exc}")
                ok = runs[spec].results is not None and runs[spec].returncode in (0, 1)
                ray.get(board.finished.remote(spec, ok))
            snapshot = ray.get(board.snapshot.remote())
            printer.show(snapshot)
            if watch is not None:
                watch(snapshot)
        return {spec: runs[spec] for spec in specs}
    finally:
        if started_here:
            ray.shutdown()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m fanout", description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--models", metavar="FILE", help="a file with one --model spec a line")
    which.add_argument("--checkpoints", metavar="GLOB",
                       help="checkpoint folders of one run, e.g. 'run/checkpoint-*', ordered by the step number in "
                            "each name; their gate estimates are drawn against the step")
    parser.add_argument("--kind", default="hf-causal", choices=("hf-causal", "hf-mlm"),
                        help="how --checkpoints are loaded (default hf-causal)")
    parser.add_argument("--out", required=True, help="folder for the merged report and each model's own run")
    parser.add_argument("--ray-address", default=None, help="join this Ray cluster (default: start a local Ray)")
    parser.add_argument("--num-cpus", type=int, default=None, help="CPUs of the local Ray (default: all)")
    parser.add_argument("--cpus-per-model", type=float, default=1.0, help="CPUs each model's task holds")
    parser.add_argument("--retries", type=int, default=3, help="times a task whose worker died is retried")
    args = parser.parse_args(argv)
    if args.retries < 0 or args.cpus_per_model <= 0:
        parser.error("--retries must be ≥ 0 and --cpus-per-model > 0")
    if any(a == "--model" or a.startswith("--model=") or a.startswith("--mit-report") for a in pytest_args):
        parser.error("--model and --mit-report are set by the fan-out; list models with --models or --checkpoints")
    try:
        import ray  # noqa: F401
    except ImportError:
        print("python -m fanout needs Ray: pip install -e \".[ray]\"", file=sys.stderr)
        return 2
    series = None
    try:
        if args.models:
            specs = read_model_list(args.models)
        else:
            ordered = checkpoint_series(args.checkpoints, args.kind)
            specs = [spec for _, spec in ordered]
            series = {"pattern": args.checkpoints, "steps": [step for step, _ in ordered], "models": specs}
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    runs = fan_out(specs, out / "models", pytest_args, address=args.ray_address, cpus_per_model=args.cpus_per_model,
                   retries=args.retries, num_cpus=args.num_cpus)
    unfinished = [run for run in runs.values() if run.results is None or run.returncode not in (0, 1)]
    for run in unfinished:
        _say(f"fanout: {run.spec}: its run did not finish (exit {run.returncode}); log in {run.folder or '-'}:\n"
             + run.log_tail)
    finished = {run.spec: run.results for run in runs.values() if run not in unfinished}
    if not finished:
        return 1
    try:
        merged = merge_results(finished)
    except IncompatibleResults as exc:
        _say(f"fanout: {exc}")
        return 1
    if series is not None:
        merged["series"] = {**series, "steps": [s for s, spec in zip(series["steps"], specs) if spec in finished],
                            "models": [spec for spec in specs if spec in finished]}
    from reports.render import write_report
    write_report(merged, out)
    _say(f"fanout: {len(finished)} of {len(specs)} models in {time.monotonic() - start:,.0f} s; report "
         f"{out / 'mit-report.html'}, results {out / 'mit-results.json'}")
    return 0 if not unfinished else 1


if __name__ == "__main__":
    raise SystemExit(main())
