"""``python -m zoo.trajectory MODEL_FOLDER [--kind hf-causal] [--out DIR] [-- PYTEST_ARGS]``: run MIT on every
checkpoint saved along a zoo model's training and draw each gate's estimate against training step.

The checkpoints are the ``checkpoints/step-N`` folders ``python -m zoo.lm`` saves at about 8 steps on a log
scale (gitignored: train the model to get them), plus the final model. All are run through the real suite in one
pytest process (the sets are built once): ``python -m pytest mit_tests --model=KIND:FOLDER/checkpoints/step-N …
--model=KIND:FOLDER --mit-report=OUT -q -p no:randomly`` plus PYTEST_ARGS; the estimate, CI and verdict of every
gate are read back from the report's ``mit-results.json``.

Writes what ``python -m fanout --checkpoints`` writes: the results with their ``series`` entry (``{pattern, steps,
models}``) and the report re-rendered from them (``OUT/mit-results.json``, ``OUT/mit-report.html``, the series
figure ``OUT/mit-series.png`` drawn by ``reports.figures.series_figure``: each gate against step, the canary's
refusals and held-out NLL); and ``OUT/trajectory.json``, per step: the held-out NLL of the training record's probe,
the canary's values, each gate's estimate, CI and outcome, the overall line.

``python -m zoo.trajectory --draw TRAJECTORY_JSON PNG`` redraws that figure from a kept ``trajectory.json`` alone
(the checkpoints are not kept).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_mit(specs: list[str], report: Path, extra: list[str], log=print) -> dict:
    """Run the suite on ``specs`` with its report in ``report``; the parsed ``mit-results.json`` (plus the exit
    code and wall time)."""
    report.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", "mit_tests", *[f"--model={s}" for s in specs],
               f"--mit-report={report}", "-q", "-p", "no:randomly", *extra]
    log("  " + " ".join(command), flush=True)
    started = time.time()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")})
    (report / "pytest.log").write_text(done.stdout + done.stderr)
    results = report / "mit-results.json"
    found = json.loads(results.read_text()) if results.is_file() else {}
    log(f"  exit {done.returncode}, {time.time() - started:.0f} s", flush=True)
    return {"exit_code": done.returncode, "seconds": round(time.time() - started, 1), "results": found}


def summarise(model: dict) -> dict:
    """The gates (estimate, CI, verdict), the canary's values and the overall line of one model's results."""
    gates = {name: {"estimate": entry.get("estimate"), "ci": entry.get("ci"), "verdict": entry.get("verdict")}
             for name, entry in (model.get("properties") or {}).items()}
    canary = ((model.get("properties") or {}).get("canary") or {}).get("details") or {}
    return {"gates": gates, "overall": (model.get("overall") or {}).get("line"),
            "canary": {k: canary.get(k) for k in ("held_out_nll_per_nt", "promoter_nll_per_nt", "uniform_nll_per_nt",
                                                  "repeat_nll_per_nt", "max_nll")}}


def series_pattern(folder: str, specs: list[str]) -> str:
    """The series' ``pattern``: the checkpoints' glob, and the model folder itself when it is one of the steps."""
    final = any(spec.split(":", 1)[1] == folder for spec in specs)
    return f"{folder}/checkpoints/step-*" + (f" and {folder}" if final else "")


def series_results(trajectory: dict) -> dict:
    """The results dict ``reports.figures.series_figure`` draws, rebuilt from a ``trajectory.json``: the series
    entry and each step's gates (estimate, CI, verdict; the canary with its summarised details)."""
    steps = trajectory["steps"]
    models = {}
    for step in steps:
        properties = {name: dict(gate) for name, gate in step["gates"].items()}
        if "canary" in properties:
            properties["canary"]["details"] = {k: v for k, v in (step.get("canary") or {}).items() if v is not None}
        models[step["spec"]] = {"properties": properties}
    specs = [s["spec"] for s in steps]
    return {"models": models, "series": {"pattern": series_pattern(trajectory["model"], specs),
                                         "steps": [s["step"] for s in steps], "models": specs}}


def draw(trajectory_json: Path, png: Path) -> None:
    """Writes the series figure of a kept ``trajectory.json`` to ``png``; ValueError when it has nothing to draw."""
    from reports.series import series_png
    picture = series_png(series_results(json.loads(trajectory_json.read_text())))
    if picture is None:
        raise ValueError(f"{trajectory_json}: no step has a gate estimate or a canary value to draw")
    png.write_bytes(picture)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.trajectory", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?",
                        help="a zoo model folder with checkpoints/step-N and training.json")
    parser.add_argument("--kind", default="hf-causal", choices=("hf-causal", "hf-mlm"))
    parser.add_argument("--out", type=Path, help="default: zoo/runs/trajectory-<model>")
    parser.add_argument("--draw", nargs=2, type=Path, metavar=("TRAJECTORY_JSON", "PNG"),
                        help="only redraw the series figure of a kept trajectory.json into PNG")
    args, extra = parser.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    if args.draw:
        try:
            draw(*args.draw)
        except (OSError, ValueError, KeyError) as exc:
            print(f"python -m zoo.trajectory --draw: {exc!r}", file=sys.stderr)
            return 2
        print(f"wrote {args.draw[1]}")
        return 0
    if args.folder is None:
        parser.error("give a zoo model folder (or --draw TRAJECTORY_JSON PNG)")
    folder = args.folder.resolve()
    record = json.loads((folder / "training.json").read_text())
    out = (args.out or ROOT / "zoo" / "runs" / f"trajectory-{folder.name}").resolve()
    probe = {c["step"]: c["held_out_nll_probe"] for c in record["checkpoints"]}
    checkpoints = sorted((folder / "checkpoints").glob("step-*"))
    if not checkpoints:
        print(f"{folder}: no checkpoints/step-N folders (train with python -m zoo.lm)", file=sys.stderr)
        return 2
    specs = {int(c.name.split("-")[1]): f"{args.kind}:{c}" for c in checkpoints}
    final_step = record["recipe"]["steps"]
    if final_step not in specs:
        specs[final_step] = f"{args.kind}:{folder}"
    probe[final_step] = probe.get(final_step, record.get("held_out_nll"))
    run = run_mit([specs[k] for k in sorted(specs)], out, extra)
    results = run["results"]
    if not results.get("models"):
        print(f"no mit-results.json from the run (exit {run['exit_code']}): see {out / 'pytest.log'}", file=sys.stderr)
        return 1
    models = results["models"]
    steps = [{"step": step, "spec": spec, "held_out_nll": probe.get(step), **summarise(models.get(spec, {}))}
             for step, spec in sorted(specs.items())]
    measured = [(step, spec) for step, spec in sorted(specs.items()) if spec in models]
    results["series"] = {"pattern": series_pattern(str(folder), [spec for _, spec in measured]),
                         "steps": [step for step, _ in measured], "models": [spec for _, spec in measured]}
    from reports.render import write_report
    out.mkdir(parents=True, exist_ok=True)
    write_report(results, out)
    (out / "trajectory.json").write_text(json.dumps({"model": str(folder), "kind": args.kind, "pytest_args": extra,
                                                     "exit_code": run["exit_code"], "seconds": run["seconds"],
                                                     "steps": steps}, indent=1) + "\n")
    print(f"wrote {out / 'trajectory.json'}, {out / 'mit-results.json'} (with its series) and the report "
          f"{out / 'mit-report.html'} (figure {out / 'mit-series.png'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
