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
import itertools
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


# --- Fitted energy models (scorers/reference/energy.py), one configuration at a time ------------------------------

def _pairs(table16) -> dict:
    """A (16,) dinucleotide table of scorers.reference.energy as {"AA": value, ...}."""
    return {a + b: float(table16[4 * i + j]) for i, a in enumerate("ACGT") for j, b in enumerate("ACGT")}


def _trimer_table(values) -> dict:
    return {"".join(k): float(v) for k, v in zip(itertools.product("ACGT", repeat=3), values)}


def slow_lafleur_tss(seq, coefficients, intercept, rna_dna):
    """{TSS: lowest ΔG_total} of the forward strand, from the Promoter Calculator's definitions: for each TSS,
    discriminator 6–10 nt and spacer 15–20 bp, a 24-nt UP region ending 1 nt before the −35 and a 20-nt ITR,
    all inside ``seq``; features read one dinucleotide or trimer at a time."""
    from scorers.reference import energy as e
    c = list(map(float, coefficients))
    t10a, t10b, t35a, t35b = (_trimer_table(c[i:i + 64]) for i in (0, 64, 128, 192))
    disc = _trimer_table(c[256:320])
    ext = {"".join(k): v for k, v in zip(itertools.product("ACGT", repeat=2), c[320:336])}
    groove, persistence = _pairs(e.GROOVE_WIDTH), _pairs(e.PERSISTENCE)
    dna, rna = _pairs(e.DNA_DNA), _pairs(rna_dna)
    norm = e.NORMALISERS
    best = {}
    for tss in range(len(seq) + 1):
        for k in range(6, 11):
            for s in range(15, 21):
                p10 = tss - k - 6
                p35 = p10 - s - 6
                up_start = p35 - 25
                if up_start < 0 or tss + 20 > len(seq):
                    continue
                up, h35, spacer = seq[up_start:p35 - 1], seq[p35:p35 + 6], seq[p35 + 6:p10]
                h10, discriminator, itr = seq[p10:p10 + 6], seq[p10 + 6:tss], seq[tss:tss + 20]
                width_dist = sum(groove[up[i:i + 2]] for i in range(0, 12, 2))
                width_prox = sum(groove[up[i:i + 2]] for i in range(12, 24, 2))
                rigid_seq = up + h35 + spacer[:14]
                rigidity = sum(persistence[rigid_seq[i:i + 2]] for i in range(0, len(rigid_seq), 2)) / len(rigid_seq)
                hybrid = sum(dna[itr[i:i + 2]] - rna[itr[i:i + 2]] for i in range(0, 14, 2))
                dg = (t10a[h10[:3]] + t10b[h10[3:]] + t35a[h35[:3]] + t35b[h35[3:]] + disc[discriminator[:3]]
                      + ext[spacer[-3:-1]] + 0.1463 * s * s - 4.9113 * s + 41.119
                      + c[339] * width_dist / norm[0] + c[340] * width_prox / norm[1]
                      + c[341] * hybrid / norm[2] + c[342] * rigidity / norm[3] + intercept)
                best[tss] = min(best.get(tss, math.inf), dg)
    return best


def slow_lafleur(seq, coefficients, intercept, rna_dna):
    """energy-lafleur: −(lowest ΔG_total of the forward strand); sequences under 78 nt between the reporter
    flanks."""
    from scorers.reference.energy import REPORTER_DOWNSTREAM, REPORTER_UPSTREAM
    if len(seq) < 78:
        seq = REPORTER_UPSTREAM + seq + REPORTER_DOWNSTREAM
    return -min(slow_lafleur_tss(seq, coefficients, intercept, rna_dna).values())


def _matrix_energy(seq, matrix, start):
    return sum(float(matrix[r]["ACGT".index(seq[start + r])]) for r in range(len(matrix)))


def slow_lagator(seq, minus_35, minus_10, penalties, mu, clearance):
    """energy-lagator: ln Z_f − ln(1 + Z_f + Z_r), Z = Σ over −35 starts p and gaps 6..10 (spacer 15..19) of
    1 / (exp(E35(p) + E10(p + 12 + gap) + penalty − μ) + R)."""
    def partition(text):
        total = 0.0
        for gap, penalty in zip(range(6, 11), penalties):
            for p in range(len(text) - 24 - gap + 1):
                energy = _matrix_energy(text, minus_35, p) + _matrix_energy(text, minus_10, p + 12 + gap)
                total += 1.0 / (math.exp(energy + penalty - mu) + clearance)
        return total
    forward, reverse = partition(seq), partition(reverse_complement(seq))
    return math.log(forward) - math.log(1.0 + forward + reverse)


def slow_kinney(seq, matrix):
    """energy-kinney: −(lowest energy of the 41-row matrix over the forward strand's windows); a 40-nt sequence
    has one window whose −41 row lies before it and scores that row's mean."""
    if len(seq) == 40:
        return -(float(np.mean(matrix[0])) + _matrix_energy(seq, matrix[1:], 0))
    return -min(_matrix_energy(seq, matrix, p) for p in range(len(seq) - 40))


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
