"""Slow reference implementations (oracles) of MIT's vectorised reference scorers, and of a causal LM's
log-likelihood (:func:`slow_causal_ll`, one prefix per forward pass).

Deliberately plain: one sequence at a time, string slicing and Python loops, written from the rules of
anchor_mit.md sections 3-4 (and the paper's scripts it audits), sharing only the matrices of
``scorers/reference/pwm.py``, whose values the constant tests pin separately. The tests check the vectorised
scorers against these; ``benchmarks/bench_reference.py`` times them against each other.
"""

from __future__ import annotations

import collections
import functools
import math

import numpy as np

from fixtures.grammar import reverse_complement
from scorers.reference import pwm

PAPER_RANDOM_SEED = 42


def rows(matrix):
    """A scorers.reference.pwm matrix as the paper's list of {base: value} rows."""
    return [dict(zip("ACGT", map(float, row))) for row in matrix]


def pwm_at(seq, matrix_rows, start):
    total = 0.0
    for i, row in enumerate(matrix_rows):
        total += row[seq[start + i]]
    return total


def best_window(seq, matrix_rows):
    """(first best start, best score) over the forward strand."""
    best_pos, best = 0, -math.inf
    for p in range(len(seq) - len(matrix_rows) + 1):
        s = pwm_at(seq, matrix_rows, p)
        if s > best:
            best_pos, best = p, s
    return best_pos, best


P35, P10 = rows(pwm.PWM_MINUS_35), rows(pwm.PWM_MINUS_10)
PUP, PEXT = rows(pwm.PWM_UP), rows(pwm.PWM_EXTENDED_10)
T35, T10 = rows(pwm.THERMO_MINUS_35), rows(pwm.THERMO_MINUS_10)
R35, R10S = rows(pwm.RPA_MINUS_35), [rows(pwm.RPA_MINUS_10_INTACT), rows(pwm.RPA_MINUS_10_BROKEN)]
B35, B10 = rows(pwm.BASELINE_MINUS_35), rows(pwm.BASELINE_MINUS_10)


def slow_pa_pwm(seq):
    s10 = pwm_at(seq, P10, 53)
    score = pwm_at(seq, P35, 30) + s10 + 0.5 * pwm_at(seq, PUP, 15) - 0.5 * abs((53 - 30 - 6) - 17)
    ext = pwm_at(seq, PEXT, 50)
    if ext > 1.0:
        score += ext * (1.5 if s10 < 5.0 else 0.5)
    return score


def slow_nocomp(seq):
    return pwm_at(seq, P35, 30) + pwm_at(seq, P10, 53) - 0.5 * abs((53 - 30 - 6) - 17)


def slow_nopos(seq):
    _, b35 = best_window(seq, P35)
    _, b10 = best_window(seq, P10)
    _, bup = best_window(seq, PUP)
    _, bext = best_window(seq, PEXT)
    score = b35 + b10 + 0.5 * bup
    if bext > 1.0:
        score += bext * (1.5 if b10 < 5.0 else 0.5)
    return score


def slow_thermo(seq):
    dg35 = pwm_at(seq, T35, 30)
    dg10 = pwm_at(seq, T10, 53)
    spacing = {12: -2.0, 13: -1.5, 14: -1.0, 15: -0.3, 16: -0.1, 17: 1.0, 18: -0.1, 19: -0.5, 20: -1.0,
               21: -1.5, 22: -2.0}.get(53 - 30 - 6, -4.0)
    region = seq[15:35]
    at = (region.count("A") + region.count("T")) / len(region)
    up = 2.5 if at > 0.8 else 1.5 if at > 0.7 else 0.5 if at > 0.6 else 0.0
    ext = 2.0 if seq[50:52] == "TG" else 0.5 if seq[50] == "T" else 0.0
    if dg10 < 8.0 and ext > 1.0:
        ext *= 2.0
    return dg35 + dg10 + spacing + up + ext


def slow_scan(seq, expected_35=30, expected_10=53):
    p35, s35 = best_window(seq, P35)
    p10, s10 = best_window(seq, P10)
    score = s35 + s10
    score += -(abs(p35 - expected_35) + abs(p10 - expected_10)) * 0.3
    score += -abs((p10 - p35 - 6) - 17) * 0.4
    if p35 >= p10:
        score -= 5.0
    best_ext = -math.inf
    for p in range(max(0, p10 - 5), p10):
        best_ext = max(best_ext, pwm_at(seq, PEXT, p))
    if best_ext > 1.0:
        score += best_ext * (1.5 if s10 < 7.0 else 0.3)
    lo, hi = max(0, p35 - 25), p35 - 5
    if hi > lo:
        region = seq[lo:hi]
        at = (region.count("A") + region.count("T")) / len(region)
        if at > 0.75:
            score += 2.0 * (at - 0.5)
    return score


def slow_rpa(seq):
    n = len(seq)
    rc = reverse_complement(seq)
    hits35, hits10 = [], []
    for p in range(n - 5):
        for strand, text, pos in (("+", seq, p), ("-", rc, n - p - 6)):
            s = pwm_at(text, R35, p)
            if s >= -2.0:
                hits35.append((pos, s, strand))
            for r10 in R10S:
                s = pwm_at(text, r10, p)
                if s >= -2.0:
                    hits10.append((pos, s, strand))

    @functools.lru_cache(maxsize=None)          # the same −35 is paired with several −10s
    def up_score(p35, strand):
        lo, hi = (max(0, p35 - 20), p35) if strand == "+" else (p35 + 6, min(n, p35 + 26))
        if hi - lo < 6:
            return 0.0
        best = 0.0
        for w in range(lo, hi - 8):
            if w + 9 > n:
                continue
            region = seq[w:w + 9]
            at = sum(b in "AT" for b in region) / 9
            if at >= 0.7:
                run = longest = 0
                for b in region:
                    run = run + 1 if b == "A" else 0
                    longest = max(longest, run)
                best = max(best, at * 2.0 + (longest / 9) * 1.0)
        return best

    def ext_score(p10, strand):
        start = p10 - 3 if strand == "+" else p10 + 6
        if start < 0 or start + 3 > n:
            return 0.0
        tri = seq[start:start + 3] if strand == "+" else reverse_complement(seq[start:start + 3])
        return 2.0 if tri == "TGT" else 1.0 if tri[0] == "T" and tri[2] == "T" else 0.0

    # Every same-strand (−35, −10) pair with spacing 15–19: the −10 hits are looked up by (position, strand)
    # instead of looping over all of them, which visits the same pairs much faster.
    hits10_at = collections.defaultdict(list)
    for p10, s10, strand10 in hits10:
        hits10_at[p10, strand10].append(s10)
    best = -math.inf
    for p35, s35, strand in hits35:
        for spacing in range(15, 20):
            p10 = p35 + 6 + spacing if strand == "+" else p35 - 6 - spacing
            for s10 in hits10_at.get((p10, strand), []):
                score = s35 + s10 + (2.0 - 0.5 * abs(spacing - 17))
                if strand == "+":
                    score += 1.0
                up = up_score(p35, strand)
                if up > 1.5:
                    score += up * 2.0
                score += ext_score(p10, strand) * 1.5
                best = max(best, score)
    return -10.0 if best == -math.inf else best


def slow_baseline_pwm(seq):
    return pwm_at(seq, B35, 30) + pwm_at(seq, B10, 53)


def slow_kmer_paper(seq):
    freq = {"A": 0.246, "C": 0.254, "G": 0.254, "T": 0.246}
    total = 0.0
    for i in range(len(seq) - 5):
        f = 1.0
        for b in seq[i:i + 6]:
            f *= freq[b]
        total += math.log(f)
    return total


SLOW = {
    "pa-pwm": (slow_pa_pwm, True),
    "pa-pwm-nocomp": (slow_nocomp, True),
    "pa-pwm-nopos": (slow_nopos, False),
    "thermo": (slow_thermo, True),
    "scan": (slow_scan, False),
    "rpa-pwm": (slow_rpa, False),
    "pwm": (slow_baseline_pwm, True),
    "kmer-paper": (slow_kmer_paper, False),
}


def paper_random_scores(n: int) -> np.ndarray:
    """The paper's random baseline: ``np.random.RandomState(42).randn()`` drawn once per sequence, sequentially
    in file order (MIT's own ``random`` scorer is seeded per sequence instead, so its numbers differ)."""
    return np.random.RandomState(PAPER_RANDOM_SEED).randn(n)


def slow_causal_ll(model, ids: list[int], special: set[int]) -> float:
    """Sum over t >= 1 of log p(ids[t] | ids[:t]) for non-special ids[t], one prefix per forward pass of a torch
    causal LM (``model(input_ids=...).logits``)."""
    import torch   # only the gLM tests call this

    total = 0.0
    for t in range(1, len(ids)):
        if ids[t] in special:
            continue
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids[:t]])).logits[0, -1]
        total += float(torch.log_softmax(logits.double(), -1)[ids[t]])
    return total
