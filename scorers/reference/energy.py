"""σ70 energy models fitted on measured promoter libraries: ``energy-lafleur``, ``energy-lagator``,
``energy-kinney``.

Each scans every placement of its model along any ACGT sequence of at least :data:`MIN_LENGTH` nt and returns
float64 ``(n,)`` scores, higher = stronger promoter. Sequences come in as ``(n, L)`` uint8 codes
(A0 C1 G2 T3); every placement is scored at once from k-mer tables (``window_codes``) and shifted arrays, with no
per-base Python loop. The fitted numbers are read through the data layer (``fixtures.sigma70``;
../shared/data/sigma70_matrices/SOURCE.md); a factory whose files are absent raises ScorerUnavailable with the
fetch command, so the model's tests skip.

* ``energy-lafleur``: the La Fleur, Hossain & Salis 2022 Promoter Calculator v1.0 (Nat Commun 13:5159), its
  343 fitted coefficients on the model's own features: −35 and −10 hexamers as two trimers each, the extended −10
  dinucleotide, the spacer length, the discriminator trimer, the UP region's groove width (distal and proximal
  halves) and the rigidity of UP, −35 and spacer, the DNA:RNA hybrid of the initial transcribed region. Like the
  Calculator, ΔG_total is minimised over the spacer (15–20 bp) and discriminator (6–10 nt) at every TSS; the
  best configuration of the forward strand is the prediction, as in La Fleur's published predictions: their
  ``Predicted log(TX/Txref)`` column equals that minimum ΔG_total exactly (La_Fleur_et_al.csv, Anderson_Series.csv;
  a test checks it). Score = −ΔG_total of the best forward configuration, i.e. the log predicted expression up to
  the Calculator's β (ln TX = ln K − β ΔG).
* ``energy-lagator``: Lagator et al. 2022 (eLife; fitted on > 25,000 random and mutant promoters), 12 × 4 −35
  and −10 matrices joined by a spacer of 15–19 bp with the fitted penalties, energies in kT. As in their
  thermodynamic model, every placement on the forward strand is a productive binding site, every placement on
  the reverse strand an occluding one: P_on = Z_f / (1 + Z_f + Z_r) with Z = Σ 1 / (exp(E − μ) + R), μ the
  fitted chemical potential of the λ PR/PL libraries and R the clearance rate. Score = ln P_on.
* ``energy-kinney``: Kinney et al. 2010 (PNAS 107:9158), the RNAP energy matrix over −41..−1 inferred by
  Sort-Seq on mutants of the lac promoter (arbitrary units). Score = −(lowest energy of any 41-nt window of the
  forward strand), the strand a reporter downstream reads (scanning the reverse strand too lowers the Spearman
  correlation with measured expression on 5 of the 8 libraries of the mpra property).

The reverse strand enters only where the fitted model itself uses it (Lagator's occlusion).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from fixtures.datasets import DataUnavailable
from scorers.protocol import ScorerUnavailable, check_sequences
from scorers.reference.pwm import by_length, reverse_complement_codes, window_codes, window_table

MIN_LENGTH = 40                       # nt; every energy scorer takes any ACGT sequence at least this long


def _dinucleotides(rows: list[list[float]]) -> np.ndarray:
    """``(16,)`` table from a 4 × 4 ``[first][second]`` (ACGT) table, indexed like ``window_codes(codes, 2)``."""
    return np.asarray(rows, dtype=np.float64).reshape(16)


# ---------------------------------------------------------------------------- La Fleur 2022 Promoter Calculator

UP_LENGTH = 24            # the UP region 5′ of the −35 box: a distal and a proximal half of 12 nt
UP_GAP = 1                # nt between the UP region and the −35 box
BOX = 6                   # −35 and −10 hexamers
SPACERS = tuple(range(15, 21))        # −35/−10 spacer lengths the Calculator considers (bp)
DISCRIMINATORS = tuple(range(6, 11))  # −10 box to TSS (nt)
ITR_LENGTH = 20           # nt at and after the TSS that must lie inside the sequence
ITR_PAIRS = 7             # hybrid energy: dinucleotides at ITR offsets 0, 2, …, 12
RIGID_CORE = 20           # rigidity reads UP (24 nt) then the −35 box and the first 14 spacer nt
CALCULATOR_MIN_LENGTH = UP_LENGTH + UP_GAP + BOX + SPACERS[0] + BOX + DISCRIMINATORS[0] + ITR_LENGTH   # 78 nt
# A sequence shorter than the Calculator's smallest promoter is scored inside the constant flanks of La Fleur's
# reporter (La_Fleur_et_al.csv "Upstream DNA" / "Downstream DNA"), as the Calculator's scan_arbitrary scores a
# sequence between its caller's flanks.
REPORTER_UPSTREAM = "CTCGGTACCAAATTCCAGAA"
REPORTER_DOWNSTREAM = "GAATTCGATCAAATTTCGAG"
# The numeric features are divided by their maxima in the training set (Promoter_Calculator_v1_0.py).
NORMALISERS = (256.0, 255.0, 4.300000000000002, 25.780434782608694)

# Dinucleotide tables of the Calculator (SalisLabCode Promoter_Calculator/util.py @383d4ca), as Python reads its
# dict literals (a repeated key keeps its last value). Minor-groove accessibility of the UP region:
GROOVE_WIDTH = _dinucleotides([[5, 4, 9, 0], [42, 42, 43, 9], [22, 25, 42, 4], [14, 22, 42, 5]])
# DNA persistence length (Geggier & Vologodskii 2010), the rigidity feature:
PERSISTENCE = _dinucleotides([[50.4, 55.4, 51.0, 40.9], [46.7, 41.7, 56.0, 51.0], [54.4, 44.6, 41.7, 55.4],
                              [44.7, 54.4, 46.7, 50.4]])
# DNA:DNA and DNA:RNA nearest-neighbour free energies of the initial transcribed region.
DNA_DNA = _dinucleotides([[-1.0, -1.44, -1.28, -0.88], [-1.45, -1.42, -2.17, -1.28], [-1.3, -2.24, -1.42, -1.44],
                          [-0.58, -1.3, -1.45, -1.0]])
# The DNA:RNA values behind La Fleur's published predictions: 16 distinct dinucleotides, as the PyPI package
# promotercalculator 1.2.4 (Barrick lab fork) lists them.
RNA_DNA = _dinucleotides([[-0.2, -1.6, -1.5, -0.6], [-1.1, -2.9, -2.7, -1.3], [-0.9, -1.7, -2.1, -0.9],
                          [-0.9, -1.8, -2.1, -1.0]])
# SalisLabCode's util.py writes that dict with six keys twice (CT, GG, GT, TC, TG, TT), so Python keeps these
# second values there; they do not reproduce the published predictions (a test shows it), RNA_DNA does.
RNA_DNA_SALISLAB_DICT = _dinucleotides([[-0.2, -1.6, -1.5, -0.6], [-1.1, -2.9, -2.7, -1.5],
                                        [-0.9, -1.7, -2.9, -1.6], [-0.9, -0.9, -1.1, -0.2]])

def spacer_energy(length) -> np.ndarray:
    """ΔG of a −35/−10 spacer of ``length`` bp: v1.0's fitted quadratic (its one-hot spacer terms are unused)."""
    x = np.asarray(length, dtype=np.float64)
    return 0.1463 * x ** 2 - 4.9113 * x + 41.119


@dataclass(frozen=True)
class CalculatorModel:
    """The Promoter Calculator v1.0 coefficients as look-up tables. Trimer tables are ``(64,)`` and dinucleotide
    tables ``(16,)``, indexed like ``window_codes`` (first base most significant, A<C<G<T: the order of the
    Calculator's one-hot encoders); ``numeric`` holds the coefficients of the distal and proximal UP groove
    width, the ITR hybrid energy and the rigidity, each already divided by its normaliser."""

    minus_10_first: np.ndarray
    minus_10_last: np.ndarray
    minus_35_first: np.ndarray
    minus_35_last: np.ndarray
    discriminator: np.ndarray
    extended_10: np.ndarray
    numeric: np.ndarray
    intercept: float
    rna_dna: np.ndarray = field(default_factory=lambda: RNA_DNA)

    @classmethod
    def from_coefficients(cls, coefficients: np.ndarray, intercept: float,
                          rna_dna: np.ndarray = RNA_DNA) -> CalculatorModel:
        """From the ``(343,)`` coefficient vector (layout in sigma70_matrices/SOURCE.md)."""
        c = np.asarray(coefficients, dtype=np.float64)
        return cls(c[0:64], c[64:128], c[128:192], c[192:256], c[256:320], c[320:336],
                   c[339:343] / np.asarray(NORMALISERS), float(intercept), np.asarray(rna_dna, dtype=np.float64))


def _stride_two_sums(values: np.ndarray, count: int) -> np.ndarray:
    """``(n, m − 2(count − 1))``: ``values[:, q] + values[:, q + 2] + … + values[:, q + 2(count − 1)]``."""
    width = values.shape[1] - 2 * (count - 1)
    total = values[:, :width].copy()
    for j in range(1, count):
        total += values[:, 2 * j:2 * j + width]
    return total


def _placed(values: np.ndarray, start: int, length: int) -> np.ndarray:
    """``(n, length)`` with ``values[:, j]`` at column ``start + j`` and +inf wherever nothing lands."""
    out = np.full((values.shape[0], length), np.inf)
    stop = min(length, start + values.shape[1])
    if stop > start:
        out[:, start:stop] = values[:, :stop - start]
    return out


def _shifted(values: np.ndarray, shift: int) -> np.ndarray:
    """``out[:, p] = values[:, p − shift]`` (+inf where p − shift falls outside)."""
    out = np.full_like(values, np.inf)
    if shift < values.shape[1]:
        out[:, shift:] = values[:, :values.shape[1] - shift]
    return out


def calculator_tss_energies(codes: np.ndarray, model: CalculatorModel) -> np.ndarray:
    """``(n, L)`` ΔG_total of the best promoter transcribing from each TSS position t of the forward strand of
    ``codes`` (``(n, L)``, L ≥ 78), minimised over spacer and discriminator lengths as the Calculator does; +inf
    at a t no configuration fits (UP, −35 … −10 and the 20 nt from t must lie inside the sequence).

    ΔG(t, k, s) = A(p35) + S(s) + B(p10) + C(t) + intercept, with p10 = t − 6 − k and p35 = p10 − 6 − s: A holds
    the −35, UP and rigidity terms (all fixed by the −35 position), B the −10, extended −10 and discriminator
    terms (fixed by the −10 position), C the ITR term; so the minimum over 30 configurations is two minima over
    shifted arrays.
    """
    n, length = codes.shape
    di = window_codes(codes, 2)                                # (n, L − 1)
    tri = window_codes(codes, 3)                               # (n, L − 2)
    c_dist, c_prox, c_itr, c_rigid = model.numeric
    # A(p35): defined for UP_LENGTH + UP_GAP ≤ p35 ≤ L − RIGID_CORE.
    up_start = UP_LENGTH + UP_GAP
    first_p35, last_p35 = up_start, length - RIGID_CORE
    p35 = np.arange(first_p35, last_p35 + 1)
    groove = _stride_two_sums(GROOVE_WIDTH[di], UP_LENGTH // 4)          # 6 dinucleotides per UP half
    rigid_up = _stride_two_sums(PERSISTENCE[di], UP_LENGTH // 2)
    rigid_core = _stride_two_sums(PERSISTENCE[di], RIGID_CORE // 2)
    rigidity = (rigid_up[:, p35 - up_start] + rigid_core[:, p35]) / (UP_LENGTH + RIGID_CORE)
    a = (model.minus_35_first[tri[:, p35]] + model.minus_35_last[tri[:, p35 + 3]]
         + c_dist * groove[:, p35 - up_start] + c_prox * groove[:, p35 - up_start + UP_LENGTH // 2]
         + c_rigid * rigidity)
    a = _placed(a, first_p35, length)
    # B(p10): the extended −10 is spacer[-3:-1], 3..2 nt 5′ of the box; the discriminator trimer follows it.
    first_p10, last_p10 = 3, length - BOX - 3
    p10 = np.arange(first_p10, last_p10 + 1)
    b = (model.minus_10_first[tri[:, p10]] + model.minus_10_last[tri[:, p10 + 3]]
         + model.extended_10[di[:, p10 - 3]] + model.discriminator[tri[:, p10 + BOX]])
    b = _placed(b, first_p10, length)
    # C(t): the hybrid energy of ITR[0:14] in dinucleotide steps; the whole 20-nt ITR must fit.
    hybrid = _stride_two_sums((DNA_DNA - model.rna_dna)[di], ITR_PAIRS)
    c = _placed(c_itr * hybrid[:, :length - ITR_LENGTH + 1], 0, length)
    best_core = np.full((n, length), np.inf)                  # min over s of A(p10 − 6 − s) + S(s), at p10
    for spacer, penalty in zip(SPACERS, spacer_energy(SPACERS)):
        np.minimum(best_core, _shifted(a, BOX + spacer) + penalty, out=best_core)
    promoter = best_core + b                                  # best configuration with its −10 at p10
    best = np.full((n, length), np.inf)
    for discriminator in DISCRIMINATORS:
        np.minimum(best, _shifted(promoter, BOX + discriminator), out=best)
    return best + c + model.intercept


def calculator_best_energy(codes: np.ndarray, model: CalculatorModel) -> np.ndarray:
    """``(n,)`` ΔG_total of the best configuration of the forward strand of ``codes`` (``(n, L)``, L ≥ 78)."""
    return calculator_tss_energies(codes, model).min(axis=1)


def in_reporter(sequences: Sequence[str]) -> list[str]:
    """Sequences shorter than the Calculator's smallest promoter (78 nt) placed between La Fleur's reporter
    flanks; longer ones unchanged."""
    return [s if len(s) >= CALCULATOR_MIN_LENGTH else REPORTER_UPSTREAM + s + REPORTER_DOWNSTREAM
            for s in sequences]


@functools.cache
def calculator_model(data_dir=None) -> CalculatorModel:
    from fixtures.sigma70 import lafleur_coefficients
    return CalculatorModel.from_coefficients(*lafleur_coefficients(data_dir))


@dataclass(frozen=True)
class LaFleurCalculator:
    """``energy-lafleur``: −ΔG_total of the Promoter Calculator v1.0's best forward configuration (module
    docstring). Any ACGT sequence of ≥ 40 nt; one shorter than 78 nt is scored between La Fleur's reporter flanks
    (:func:`in_reporter`)."""

    model: CalculatorModel
    name: str = "energy-lafleur"
    kind: str = "energy"
    min_length: int = MIN_LENGTH
    rc_equivariant: bool = False
    fingerprint: str = ("energy-lafleur/v1 (La Fleur 2022 Promoter Calculator v1.0 coefficients; −ΔG_total of the "
                        "best forward configuration)")
    # −ΔG_total equals La Fleur's Predicted log(TX/Txref), a natural log: a score difference is a log fold change.
    log_scale: str = "predicted TX/TXref"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        check_sequences(sequences, min_length=MIN_LENGTH)
        return by_length(in_reporter(sequences), CALCULATOR_MIN_LENGTH,
                         lambda codes: -calculator_best_energy(codes, self.model))


# ------------------------------------------------------------------------------------------ Lagator et al. 2022

LAGATOR_WIDTH = 12                    # rows of each of the −35 and −10 matrices
LAGATOR_GAPS = tuple(range(6, 11))    # nt between the two matrices: spacer 15..19 bp (offsets −2..+2 from 17)
# The −35 matrix has 4 rows 3′ of its box (rows 2–7), the −10 matrix 5 rows 5′ of its box (rows 5–10).
LAGATOR_SPACER_PER_GAP = 4 + 5
LAGATOR_CLEARANCE_RATE = "sigma70_matrices/lagator2022_clearance_rate.txt"


@dataclass(frozen=True)
class LagatorModel:
    """Lagator 2022's fitted parameters: ``minus_35``/``minus_10`` ``(12, 4)`` energies (kT, columns ACGT,
    lower = stronger), ``spacer_penalties`` ``(5,)`` for spacers 15..19 bp, the chemical potential ``mu`` and the
    clearance rate."""

    minus_35: np.ndarray
    minus_10: np.ndarray
    spacer_penalties: np.ndarray
    mu: float
    clearance_rate: float

    @functools.cached_property
    def half_tables(self) -> tuple[np.ndarray, ...]:
        """``(4**6,)`` energies of the two 6-row halves of each matrix, for one look-up per half and window."""
        half = LAGATOR_WIDTH // 2
        return tuple(window_table(m[rows]) for m in (self.minus_35, self.minus_10)
                     for rows in (slice(0, half), slice(half, LAGATOR_WIDTH)))


def lagator_site_energies(codes: np.ndarray, model: LagatorModel) -> list[np.ndarray]:
    """Energies E − μ of every placement on the forward strand of ``codes`` (``(n, L)``): one ``(n, m_g)`` array
    per gap of :data:`LAGATOR_GAPS`, column p = the −35 matrix at p."""
    half = LAGATOR_WIDTH // 2
    hexamers = window_codes(codes, half)
    first_35, last_35, first_10, last_10 = model.half_tables
    e35 = first_35[hexamers[:, :-half]] + last_35[hexamers[:, half:]]       # matrix at p, p = 0 … L − 12
    e10 = first_10[hexamers[:, :-half]] + last_10[hexamers[:, half:]]
    length = codes.shape[1]
    sites = []
    for gap, penalty in zip(LAGATOR_GAPS, model.spacer_penalties):
        count = length - 2 * LAGATOR_WIDTH - gap + 1
        offset = LAGATOR_WIDTH + gap
        sites.append(e35[:, :count] + e10[:, offset:offset + count] + penalty - model.mu)
    return sites


def lagator_log_p_on(codes: np.ndarray, model: LagatorModel) -> np.ndarray:
    """``(n,)`` ln P_on = ln Z_f − ln(1 + Z_f + Z_r), Z = Σ over placements of 1 / (exp(E − μ) + R)."""
    def partition(strand_codes):
        return sum(np.sum(1.0 / (np.exp(e) + model.clearance_rate), axis=1)
                   for e in lagator_site_energies(strand_codes, model))
    forward, reverse = partition(codes), partition(reverse_complement_codes(codes))
    return np.log(forward) - np.log1p(forward + reverse)


@functools.cache
def lagator_model(data_dir=None) -> LagatorModel:
    from fixtures.datasets import resolve
    from fixtures.sigma70 import (LAGATOR_10, LAGATOR_35, LAGATOR_CHEMICAL_POTENTIALS, LAGATOR_SPACER_PENALTIES,
                                  lagator_matrix, lagator_vector)
    penalties = lagator_vector(LAGATOR_SPACER_PENALTIES, data_dir)
    potentials = lagator_vector(LAGATOR_CHEMICAL_POTENTIALS, data_dir)      # Pr.Pl, 36N
    clearance = float(np.loadtxt(resolve(LAGATOR_CLEARANCE_RATE, data_dir), ndmin=1)[0])
    if penalties.shape != (len(LAGATOR_GAPS),) or potentials.shape != (2,):
        raise ValueError(f"Lagator spacer penalties {penalties.shape} / chemical potentials {potentials.shape}; "
                         f"expected ({len(LAGATOR_GAPS)},) and (2,)")
    return LagatorModel(lagator_matrix(LAGATOR_35, data_dir), lagator_matrix(LAGATOR_10, data_dir), penalties,
                        float(potentials[0]), clearance)


@dataclass(frozen=True)
class LagatorThermodynamic:
    """``energy-lagator``: ln P_on of Lagator 2022's thermodynamic model (module docstring). Any ACGT sequence of
    ≥ 40 nt."""

    model: LagatorModel
    name: str = "energy-lagator"
    kind: str = "energy"
    min_length: int = MIN_LENGTH
    rc_equivariant: bool = False
    fingerprint: str = ("energy-lagator/v1 (Lagator 2022 extended parameters fitted on Pr.Pl.36N; ln P_on, reverse "
                        "strand occluding, μ of Pr.Pl)")
    log_scale: str = "predicted P_on"       # the score is ln P_on

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, MIN_LENGTH, lambda codes: lagator_log_p_on(codes, self.model))


# ------------------------------------------------------------------------------------------ Kinney et al. 2010

KINNEY_WIDTH = 41                     # positions −41..−1 from the TSS
KINNEY_CHUNK = 7                      # rows per look-up table (4**7 entries)


@dataclass(frozen=True)
class KinneyModel:
    """Kinney 2010's ``(41, 4)`` RNAP energy matrix (arbitrary units, columns ACGT, lower = stronger)."""

    matrix: np.ndarray

    @functools.cached_property
    def chunk_tables(self) -> tuple[tuple[int, np.ndarray], ...]:
        """``(first row, table over all windows)`` of rows 1..40 in chunks of :data:`KINNEY_CHUNK` rows."""
        return tuple((start, window_table(self.matrix[start:min(start + KINNEY_CHUNK, KINNEY_WIDTH)]))
                     for start in range(1, KINNEY_WIDTH, KINNEY_CHUNK))


def kinney_window_energies(codes: np.ndarray, model: KinneyModel) -> np.ndarray:
    """``(n, L − 40)`` energy of the matrix on every window of the forward strand of ``codes`` (``(n, L)``,
    L ≥ 41); for L = 40, ``(n, 1)``: the one window whose −41 row lies 1 nt before the sequence, which then
    scores that row's mean."""
    length = codes.shape[1]
    count = length - (KINNEY_WIDTH - 1) + 1                  # windows of rows 1..40, first one at −1
    total = np.zeros((codes.shape[0], count))
    for start, table in model.chunk_tables:
        width = int(round(np.log(table.size) / np.log(4)))
        total += table[window_codes(codes, width)[:, start - 1:start - 1 + count]]
    if length >= KINNEY_WIDTH:                                # the −41 row read in place: drop the overhang
        return total[:, 1:] + model.matrix[0][codes[:, :count - 1]]
    return total + model.matrix[0].mean()


def kinney_best(codes: np.ndarray, model: KinneyModel) -> np.ndarray:
    """``(n,)`` −(lowest window energy of the forward strand)."""
    return -kinney_window_energies(codes, model).min(axis=1)


@functools.cache
def kinney_model(data_dir=None) -> KinneyModel:
    from fixtures.sigma70 import kinney_matrix
    matrix = kinney_matrix(data_dir)
    if matrix.shape != (KINNEY_WIDTH, 4):
        raise ValueError(f"Kinney matrix of shape {matrix.shape}; expected ({KINNEY_WIDTH}, 4)")
    return KinneyModel(matrix)


@dataclass(frozen=True)
class KinneySortSeq:
    """``energy-kinney``: −(lowest Kinney 2010 RNAP energy over every 41-nt window of the forward strand). Any ACGT
    sequence of ≥ 40 nt."""

    model: KinneyModel
    name: str = "energy-kinney"
    kind: str = "energy"
    min_length: int = MIN_LENGTH
    rc_equivariant: bool = False
    fingerprint: str = "energy-kinney/v1 (Kinney 2010 RNAP matrix −41..−1, lac Sort-Seq; −min energy, forward strand)"

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        return by_length(sequences, MIN_LENGTH, lambda codes: kinney_best(codes, self.model))


def _available(load, data_dir):
    """The fitted model ``load(data_dir)``; absent data files make the scorer unavailable with the fetch command."""
    try:
        return load(data_dir)
    except DataUnavailable as exc:
        raise ScorerUnavailable(exc.reason) from exc


SCORERS = {
    "energy-lafleur": (lambda o: LaFleurCalculator(_available(calculator_model, o.data_dir)),
                       "La Fleur 2022 Promoter Calculator v1.0: −ΔG_total of the best forward configuration "
                       "(needs the data dir)"),
    "energy-lagator": (lambda o: LagatorThermodynamic(_available(lagator_model, o.data_dir)),
                       "Lagator 2022 thermodynamic σ70 model: ln P_on (needs the data dir)"),
    "energy-kinney": (lambda o: KinneySortSeq(_available(kinney_model, o.data_dir)),
                      "Kinney 2010 lac Sort-Seq RNAP energy matrix: −min energy, forward strand (needs the data dir)"),
}
