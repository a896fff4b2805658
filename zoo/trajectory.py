"""``python -m zoo.trajectory MODEL_FOLDER [--kind hf-causal] [--out DIR] [-- PYTEST_ARGS]``: run MIT on every
checkpoint saved along a zoo model's training and draw each gate's estimate against training step.

The checkpoints are the ``checkpoints/step-N`` folders ``python -m zoo.lm`` saves at about 8 steps on a log
scale (gitignored: train the model to get them), plus the final model. All are run through the real suite in one
pytest process (the sets are built once): ``python -m pytest mit_tests --model=KIND:FOLDER/checkpoints/step-N …
--model=KIND:FOLDER --mit-report=OUT -q -p no:randomly`` plus PYTEST_ARGS; the estimate, CI and verdict of every
gate are read back from the report's ``mit-results.json``.
Writes ``OUT/trajectory.json`` (per step: held-out NLL from the training record, the canary's values, each
gate's estimate and outcome, the overall line) and ``OUT/trajectory.png``.
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
                                                  "repeat_nll_per_nt")}}


def plot(steps: list[dict], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    names = sorted({g for s in steps for g, v in s["gates"].items()
                    if g != "canary" and isinstance(v.get("estimate"), (int, float))})
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    x = [s["step"] for s in steps]
    for name in names:
        y = [s["gates"].get(name, {}).get("estimate") for s in steps]
        y = [v if isinstance(v, (int, float)) else float("nan") for v in y]
        axes[0].plot(x, y, "o-", label=name)
    axes[0].axhline(0, color="grey", lw=0.8)
    refused = [s["step"] for s in steps if (s["gates"].get("canary") or {}).get("verdict") not in ("pass", None)]
    for step in refused:    # the canary refused the checkpoint: no gate was measured
        axes[0].axvline(step, color="red", alpha=0.25, lw=6)
    if refused:
        axes[0].text(refused[0], 1.02, "canary refused", color="red", fontsize=7)
    axes[0].set_xscale("log")
    axes[0].set_xlim(min(x) / 1.3, max(x) * 1.3)
    axes[0].xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[0].set_xlabel("training step")
    axes[0].set_ylabel("gate estimate")
    axes[0].legend(fontsize=7, ncol=2)
    axes[0].set_title(title)
    axes[1].plot(x, [s.get("held_out_nll") for s in steps], "o-", label="held-out NLL (probe)")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("training step")
    axes[1].set_ylabel("nats per nucleotide")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.trajectory", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a zoo model folder with checkpoints/step-N and training.json")
    parser.add_argument("--kind", default="hf-causal", choices=("hf-causal", "hf-mlm"))
    parser.add_argument("--out", type=Path, help="default: zoo/runs/trajectory-<model>")
    args, extra = parser.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
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
    models = run["results"].get("models", {})
    steps = [{"step": step, "spec": spec, "held_out_nll": probe.get(step), **summarise(models.get(spec, {}))}
             for step, spec in sorted(specs.items())]
    (out / "trajectory.json").write_text(json.dumps({"model": str(folder), "kind": args.kind, "pytest_args": extra,
                                                     "exit_code": run["exit_code"], "seconds": run["seconds"],
                                                     "steps": steps}, indent=1) + "\n")
    plot(steps, out / "trajectory.png", f"{folder.name}: MIT gates along training")
    print(f"wrote {out / 'trajectory.json'} and {out / 'trajectory.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
