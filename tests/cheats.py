"""A zoo of scorers with no promoter grammar, each built to pass MIT's gates for the wrong reason.

They read fixed coordinates, nucleotide composition, composition weighted by position, bags of motifs (which
motifs occur, never where or in which order), gapped composition (base pairs d apart), A/T clustering (richest
windows, runs, autocorrelation), or are untrained networks (a random function of local sequence). Issue 19's
fitted adversary, a flexible reader of gapped pairs and clustering fitted to MIT's own contrasts, is in
``tests/adversary.py``. DESIGN.md section 3a rule 4: every gate must
reject each of them at no more than its level, except where ``MUST_FAIL`` below says why one may pass motif
(``tests/test_cheats.py`` on the default sets, ``benchmarks/bench_calibration.py`` over hundreds of set seeds). The first three are the cheats that passed the first design's gates: "A/T count in
[0, 30) + A/T count in [53, 59) + 0.5 if base 53 is T" passed all six; "A/T count in [0, 30)" passed scramble
and up_position; "the hexamer at [53, 59)" passed spacing and strand.

Every cheat is a Scorer (``--model tests.cheats:NAME`` works) over ACGT strings of any length ≥ 60, vectorised:
``(n,)`` float64 scores from ``(n, L)`` uint8 codes (A0 C1 G2 T3).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from fixtures.grammar import encode
from scorers.reference.pwm import PWM_MINUS_10, by_length, window_codes

A, C, G, T = 0, 1, 2, 3
MIN_LENGTH = 60                     # the coordinate cheats read up to base 59


def _at(codes: np.ndarray) -> np.ndarray:
    return ((codes == A) | (codes == T)).astype(np.float64)


def _count(codes: np.ndarray, motif: str) -> np.ndarray:
    """``(n,)`` occurrences of ``motif`` on the forward strand, anywhere."""
    index = window_codes(encode([motif]), len(motif))[0, 0]
    return (window_codes(codes, len(motif)) == index).sum(axis=1).astype(np.float64)


def _reverse_complement(motif: str) -> str:
    return motif.translate(str.maketrans("ACGT", "TGCA"))[::-1]


@dataclass(frozen=True)
class Cheat:
    """A grammar-free scorer: ``rule`` maps ``(n, L)`` codes of equal-length sequences to ``(n,)`` scores."""

    name: str
    description: str
    rule: Callable[[np.ndarray], np.ndarray]
    reads: str                       # "coordinates", "composition", "motifs" (which occur, not where) or
                                     # "gapped" (how often a base recurs d bases later)
    kind: str = "score"

    @property
    def fingerprint(self) -> str:
        return f"cheat/{self.name}"

    def score(self, sequences) -> np.ndarray:
        # sets may mix window lengths (robustness designs): one call of the rule per length
        return by_length(sequences, MIN_LENGTH, self.rule)


def _position_weighted_at(codes: np.ndarray, upstream: bool) -> np.ndarray:
    weights = np.linspace(1.0, 0.0, codes.shape[1]) if upstream else np.linspace(0.0, 1.0, codes.shape[1])
    return _at(codes) @ weights


_MOTIFS = ("TTGACA", "TATAAT", "TGT", "AAAAAA")


def _bag_of_motifs(codes: np.ndarray, both_strands: bool) -> np.ndarray:
    total = sum(_count(codes, m) for m in _MOTIFS)
    if both_strands:
        total = total + sum(_count(codes, _reverse_complement(m)) for m in _MOTIFS)
    return total


def _best_windows(codes: np.ndarray) -> np.ndarray:
    """The best −10 PWM window and the most A/T-rich 9-mer, anywhere: motif quality without positions."""
    from scorers.reference.pwm import window_table
    best_10 = window_table(PWM_MINUS_10)[window_codes(codes, 6)].max(axis=1)
    at9 = np.lib.stride_tricks.sliding_window_view(_at(codes), 9, axis=1).sum(axis=2).max(axis=1)
    return best_10 + at9


def _gapped_count(codes: np.ndarray, first: tuple[int, ...], second: tuple[int, ...], lag: int) -> np.ndarray:
    """``(n,)`` positions t with ``codes[t]`` in ``first`` and ``codes[t + lag]`` in ``second``."""
    return (np.isin(codes[:, :-lag], first) & np.isin(codes[:, lag:], second)).sum(axis=1).astype(np.float64)


def _richest_window(codes: np.ndarray, width: int) -> np.ndarray:
    """``(n,)`` the largest A+T count of any ``width`` nt window."""
    return np.lib.stride_tricks.sliding_window_view(_at(codes), width, axis=1).sum(axis=2).max(axis=1)


def _at_autocorrelation(codes: np.ndarray, reach: int) -> np.ndarray:
    at = _at(codes)
    return sum((at[:, d:] * at[:, :-d]).sum(axis=1) for d in range(1, reach + 1))


def _at_run_squares(codes: np.ndarray) -> np.ndarray:
    """``(n,)`` Σ over maximal A/T runs of length²: Σ_t (2·run length ending at t − 1) over A/T positions."""
    at = _at(codes)
    run = np.zeros(codes.shape[0])
    total = np.zeros(codes.shape[0])
    for t in range(codes.shape[1]):
        run = (run + 1) * at[:, t]
        total += (2 * run - 1) * at[:, t]
    return total


@functools.cache
def _genome_markov_table(order: int = 5) -> np.ndarray:
    """ln P(base | previous ``order`` bases) from the E. coli genome's (order+1)-mer counts, both strands."""
    from fixtures.datasets import ECOLI_GENOME, resolve
    from fixtures.fasta import read_fasta_gz
    from scorers.reference.baselines import count_kmers_both_strands
    counts = count_kmers_both_strands(read_fasta_gz(resolve(ECOLI_GENOME)), k=order + 1).astype(np.float64) + 1
    counts = counts.reshape(-1, 4)
    return np.log(counts / counts.sum(axis=1, keepdims=True)).ravel()


def _genome_markov(codes: np.ndarray, order: int = 5) -> np.ndarray:
    return _genome_markov_table(order)[window_codes(codes, order + 1)].sum(axis=1)


CHEATS = {
    "coordinate-at-plus-box": Cheat(
        "coordinate-at-plus-box", "A/T count in [0, 30) + A/T count in [53, 59) + 0.5 if base 53 is T",
        lambda c: _at(c[:, :30]).sum(1) + _at(c[:, 53:59]).sum(1) + 0.5 * (c[:, 53] == T), "coordinates"),
    "coordinate-at": Cheat("coordinate-at", "A/T count in [0, 30)", lambda c: _at(c[:, :30]).sum(1), "coordinates"),
    "fixed-hexamer": Cheat("fixed-hexamer", "the −10 PWM score of the hexamer at [53, 59)",
                           lambda c: PWM_MINUS_10[np.arange(6), c[:, 53:59]].sum(1), "coordinates"),
    "upstream-weighted-at": Cheat("upstream-weighted-at", "A/T weighted 1 → 0 from the first to the last base",
                                  lambda c: _position_weighted_at(c, upstream=True), "coordinates"),
    "downstream-weighted-at": Cheat("downstream-weighted-at", "A/T weighted 0 → 1 from the first to the last base",
                                    lambda c: _position_weighted_at(c, upstream=False), "coordinates"),
    "ta-steps": Cheat("ta-steps", "count of TA dinucleotides (promoter-rich steps) anywhere",
                      lambda c: _count(c, "TA"), "composition"),
    "a-tract-steps": Cheat("a-tract-steps", "count of AA and TT dinucleotides (A-tract steps) anywhere",
                           lambda c: _count(c, "AA") + _count(c, "TT"), "composition"),
    "genome-dinucleotide": Cheat("genome-dinucleotide", "log-likelihood under an order-1 Markov chain (dinucleotide "
                                                        "frequencies) of the E. coli genome (needs the data dir)",
                                 lambda c: _genome_markov(c, 1), "composition"),
    "bag-of-motifs": Cheat("bag-of-motifs", "occurrences of TTGACA, TATAAT, TGT, AAAAAA anywhere, forward strand",
                           lambda c: _bag_of_motifs(c, both_strands=False), "motifs"),
    "bag-of-motifs-both-strands": Cheat("bag-of-motifs-both-strands", "the same motifs counted on both strands",
                                        lambda c: _bag_of_motifs(c, both_strands=True), "motifs"),
    "best-windows": Cheat("best-windows", "best −10 PWM window anywhere + A/T count of the richest 9-mer anywhere",
                          _best_windows, "motifs"),
    # Gapped composition: how often a base recurs d bases later, anywhere. A near-consensus −10 (x A x x x T) is
    # period-3-like and never period-4-like, and its rearrangements that match TATAAT worst are the opposite; these
    # passed the motif gate on 199 and 200 of 200 set seeds while K only rearranged the −10 in place. K now holds
    # the same blocks as M in exchanged places (grammar.displace_minus_10), so they must fail every gate.
    "period-3-repeats": Cheat("period-3-repeats", "count of positions whose base recurs 3 bases later, anywhere",
                              lambda c: (c[:, 3:] == c[:, :-3]).sum(1).astype(np.float64), "gapped"),
    "period-4-avoidance": Cheat("period-4-avoidance", "minus the count of positions whose base recurs 4 bases "
                                                      "later, anywhere",
                                lambda c: -(c[:, 4:] == c[:, :-4]).sum(1).astype(np.float64), "gapped"),
    "genome-markov": Cheat("genome-markov", "log-likelihood under an order-5 Markov chain of the E. coli genome "
                                            "(needs the data dir)", _genome_markov, "composition"),
    # Issue 19's readers: none reads a box, each passed a gate of the second design on most set seeds.
    "c-c-lag-4": Cheat("c-c-lag-4", "count of C at t and C at t + 4, anywhere",
                       lambda c: _gapped_count(c, (C,), (C,), 4), "gapped"),
    "s-s-lag-4": Cheat("s-s-lag-4", "count of G/C at t and G/C at t + 4, anywhere",
                       lambda c: _gapped_count(c, (C, G), (C, G), 4), "gapped"),
    "w-w-lag-4": Cheat("w-w-lag-4", "count of A/T at t and A/T at t + 4, anywhere",
                       lambda c: _gapped_count(c, (A, T), (A, T), 4), "gapped"),
    "minus-richest-window": Cheat("minus-richest-window", "minus the A+T count of the richest 30 nt window",
                                  lambda c: -_richest_window(c, 30), "clustering"),
    "richest-window": Cheat("richest-window", "the A+T count of the richest 30 nt window",
                            lambda c: _richest_window(c, 30), "clustering"),
    "at-autocorrelation": Cheat("at-autocorrelation", "A/T at t and A/T at t + d summed over d = 1…20 (A/T "
                                "clustering)", lambda c: _at_autocorrelation(c, 20), "clustering"),
    "minus-at-autocorrelation": Cheat("minus-at-autocorrelation", "minus the A/T autocorrelation over d = 1…20",
                                      lambda c: -_at_autocorrelation(c, 20), "clustering"),
    "at-runs": Cheat("at-runs", "sum of squared lengths of A/T runs (long runs count most)",
                     lambda c: _at_run_squares(c), "clustering"),
    "minus-at-runs": Cheat("minus-at-runs", "minus the sum of squared lengths of A/T runs",
                           lambda c: -_at_run_squares(c), "clustering"),
    "downstream-at-dinucleotide": Cheat("downstream-at-dinucleotide", "A/T weighted 0 → 1 along the window + "
                                        "count of GA + AC − GT − TC", lambda c: _position_weighted_at(c, False)
                                        + _count(c, "GA") + _count(c, "AC") - _count(c, "GT") - _count(c, "TC"),
                                        "coordinates"),
    "upstream-at-dinucleotide": Cheat("upstream-at-dinucleotide", "A/T weighted 1 → 0 along the window + count "
                                      "of GA + AC − GT − TC", lambda c: _position_weighted_at(c, True)
                                      + _count(c, "GA") + _count(c, "AC") - _count(c, "GT") - _count(c, "TC"),
                                      "coordinates"),
}


@dataclass(frozen=True)
class UntrainedNet:
    """A network with random weights (seeded), one-hot in, one score out, averaged over the window: a random
    function of local sequence with the receptive field ``rf`` (a CNN) or of everything upstream (a GRU, rf 0).
    torch is imported when it first scores; one thread, no gradients."""

    arch: str
    rf: int
    seed: int = 0
    kind: str = "score"
    reads: str = "local"

    @property
    def name(self) -> str:
        return f"untrained-{self.arch}" + (f"-rf{self.rf}" if self.rf else "")

    @property
    def fingerprint(self) -> str:
        return f"cheat/{self.name}/seed{self.seed}"

    def score(self, sequences) -> np.ndarray:
        return by_length(sequences, MIN_LENGTH, self._rule)

    def _rule(self, codes: np.ndarray) -> np.ndarray:
        import torch
        torch.set_num_threads(1)
        net = _untrained_network(self.arch, self.rf, self.seed)
        with torch.no_grad():
            x = torch.nn.functional.one_hot(torch.as_tensor(codes.astype(np.int64)), 4).float()
            if self.arch == "gru":
                out = net[1](net[0](x)[0])                      # (n, L, 1)
            else:
                out = net(x.transpose(1, 2)).transpose(1, 2)   # (n, L', 1)
        return out.mean(dim=(1, 2)).double().numpy()


CHANNELS = 16                       # per layer: cheap enough for 200 set seeds
# (kernel, dilation) per layer: receptive field 1 + Σ (kernel − 1) · dilation = 16, 46, 106.
_CNN_LAYERS = {16: ((16, 1),), 46: ((16, 1), (16, 1), (16, 1)), 106: ((8, 1), (8, 4), (8, 10))}


@functools.cache
def _untrained_network(arch: str, rf: int, seed: int):
    import torch
    torch.manual_seed(seed)
    if arch == "gru":
        return (torch.nn.GRU(4, CHANNELS, batch_first=True), torch.nn.Linear(CHANNELS, 1))
    layers, channels = [], 4
    for kernel, dilation in _CNN_LAYERS[rf]:
        layers += [torch.nn.Conv1d(channels, CHANNELS, kernel, dilation=dilation), torch.nn.ReLU()]
        channels = CHANNELS
    return torch.nn.Sequential(*layers, torch.nn.Conv1d(channels, 1, 1))


UNTRAINED = {net.name: net for net in (UntrainedNet("cnn", 16), UntrainedNet("cnn", 46), UntrainedNet("cnn", 106),
                                       UntrainedNet("gru", 0))}
# Registered built-ins that read no grammar either, with what they read.
BUILTIN_CHEATS = {"at-content": "composition", "gc": "composition", "kmer": "composition",
                  "kmer-paper": "composition", "pa-pwm-nopos": "motifs", "random-kmer": "local"}
# Which gates each kind of cheat must fail: all of them. A motif reader recognises TATAAT-like hexamers anywhere,
# but each motif family's −10 (class M) matches TATAAT at 4 or 5 of 6 and is seldom the best hexamer of its
# window, so a reader of the best window or of TATAAT counts ties M with K. A random function of local sequence
# (``random-kmer``) prefers one side of any contrast of k-mers, the −10's included, so it may pass motif on some
# set seeds (benchmarks/bench_calibration.py measures how often), never a positional gate; so may an untrained
# network. A reader of gapped composition (base x at t, y at t + d) ties K with M: K holds M's blocks exchanged,
# so every pair up to lag 5 is the same and farther ones differ by chance. A reader of A/T clustering meets
# contrasts that cluster A/T-rich elements more tightly (H, J, the UP near the −10, the core against the UP) and
# less tightly (L, the UP far from the −10) than the grammatical member.
_ALL_GATES = ("motif", "compensation", "up_position", "spacing", "strand")
_POSITIONAL_GATES = ("compensation", "up_position", "spacing", "strand")
MUST_FAIL = {"coordinates": _ALL_GATES, "composition": _ALL_GATES, "motifs": _ALL_GATES,
             "local": _POSITIONAL_GATES, "gapped": _ALL_GATES, "clustering": _ALL_GATES}
NEEDS_DATA = ("genome-markov", "genome-dinucleotide", "kmer")


def cheat(name: str) -> Cheat:
    return CHEATS[name]


# ``--model tests.cheats:coordinate_at`` style attributes for end-to-end runs.
coordinate_at_plus_box = CHEATS["coordinate-at-plus-box"]
coordinate_at = CHEATS["coordinate-at"]
fixed_hexamer = CHEATS["fixed-hexamer"]
