"""Progress of long scoring runs: what the runner reports and the lines a user sees."""

from __future__ import annotations

import numpy as np

from scorers.cache import ScoreCache
from scorers.progress import ScoringProgress
from scorers.runner import score_sequences

SEQS = ["ACGT", "AAAA", "CCCC", "GGGG", "TTTT", "ACGT"]   # five distinct


class BatchReporting:
    """Scores two sequences per batch and reports each finished batch, like the HF scorers."""

    name, kind, fingerprint = "batches", "likelihood", "batches/v1"

    def score(self, sequences, on_scored=None):
        values = [-float(len(s) + s.count("A")) for s in sequences]
        for start in range(0, len(sequences), 2):
            if on_scored is not None:
                on_scored(dict(zip(sequences[start:start + 2], values[start:start + 2])))
        return np.array(values)


class Silent(BatchReporting):
    name, fingerprint = "silent", "silent/v1"

    def score(self, sequences):
        return super().score(sequences)


def calls_of(scorer, sequences, cache=None):
    calls = []
    score_sequences(scorer, [f"s{i}" for i in range(len(sequences))], sequences, cache,
                    progress=lambda *args: calls.append(args))
    return calls


def test_runner_reports_from_zero_to_all_distinct_sequences(tmp_path):
    assert calls_of(BatchReporting(), SEQS) == [(0, 5, 0), (2, 5, 0), (4, 5, 0), (5, 5, 0)]
    assert calls_of(Silent(), SEQS) == [(0, 5, 0), (5, 5, 0)]
    cache = ScoreCache(tmp_path / "scores.sqlite")
    calls_of(BatchReporting(), SEQS[:2], cache)
    assert calls_of(BatchReporting(), SEQS, cache) == [(0, 3, 2), (2, 3, 2), (3, 3, 2)]
    assert calls_of(BatchReporting(), SEQS, cache) == [(0, 0, 5)]


def test_lines_say_rate_time_left_and_cache_hits():
    now = [100.0]
    lines = []
    progress = ScoringProgress("hf-mlm:m", lines.append, interval=30, clock=lambda: now[0])
    for t, done in ((0, 0), (10, 100), (40, 400), (50, 500), (80, 900)):
        now[0] = 100.0 + t
        progress(done, 1000, 20)
    now[0] = 200.0
    progress(1000, 1000, 20)
    assert lines == [
        "mit: hf-mlm:m: 400/1,000 sequences scored (10.0/s, about 60 s left)",
        "mit: hf-mlm:m: 900/1,000 sequences scored (11.2/s, about 9 s left)",
        "mit: hf-mlm:m: 1,000 sequences scored in 100.0 s (10.0/s); 20 from the score cache",
    ]
    progress(0, 0, 1020)
    assert lines[-1] == "mit: hf-mlm:m: all 1,020 sequences from the score cache" and len(lines) == 4


def test_progress_lines_start_their_own_line_after_pytest_q_dots(tmp_path):
    """pytest -q writes its dots with no path: a progress line written mid-row used to continue it (".mit: ...")."""
    import warnings

    from tests import tiny_models as tm
    from tests.conftest import run_mit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tm.make_gpt2(tmp_path / "gpt2", hidden=16, layers=1)
    # pa-pwm's tests run first and write dots; the untrained GPT-2 passes a lenient canary.
    run = run_mit(tmp_path / "report", "--model=pa-pwm", f"--model=hf-causal:{model}", "--mit-canary-nll=10",
                  "-k", "test_motif and not drawn", cache=tmp_path / "cache.sqlite")
    progress = [line for line in run.proc.stdout.splitlines() if "mit: hf-causal:" in line]
    assert progress, run.log
    assert all(line.startswith("mit: hf-causal:") for line in progress), progress
