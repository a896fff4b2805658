"""Measured expression against models and against MIT's own assumptions.

* :func:`mpra`: per measured library, Spearman ρ between a model's scores and the measured expression, with a
  seeded bootstrap CI and n (a diagnostic: verdict ``info``).
* :func:`grounding_table`: model-independent. For each assumption behind MIT's gates that a library can test, the
  effect measured by comparisons inside La Fleur 2022's library of constructs that differ only in the element
  under test (its element decomposition UP, h35, spacs, h10, disc, ITR), with a bootstrap CI and n, and what
  the data say about the assumption.

Expression is La Fleur's −Observed log(TX/Txref) (higher = stronger), so every effect is a difference of log
expression: +1 means e-fold (La Fleur's log is natural: its predictions equal −β ΔG with the Calculator's ΔG).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mit_tests.stats import PropertyResult, bootstrap_ci, spearman_bootstrap, wilson_interval

# Which energy model was fitted on which library (the mpra test pins that each beats at-content there).
FITTED_ON = {"energy-lafleur": ("lafleur2022",), "energy-lagator": ("lagator_36n", "lagator_pr", "lagator_pl")}
GROUNDING_CODE = 201          # seeds of the grounding bootstraps: default_rng([seed, GROUNDING_CODE, row])


def mpra(scores: dict[str, np.ndarray], libraries: dict, missing: dict[str, str], seed: int) -> PropertyResult:
    """Spearman ρ(score, expression) per library. ``scores[name]`` is ``(n,)`` aligned with
    ``libraries[name].expression``; ``missing`` names the libraries without data, and why. The estimate is the
    median ρ over the libraries measured; each library's ρ, CI, p and n are in ``details["libraries"]``."""
    per_library = {}
    for index, (name, library) in enumerate(libraries.items()):
        rho, ci, p = spearman_bootstrap(scores[name], library.expression, seed=hash_seed(seed, index))
        per_library[name] = {"rho": rho, "ci": list(ci), "p": p, "n": len(library.expression),
                             **{k: v for k, v in library.summary().items() if k != "n"}}
    rhos = [r["rho"] for r in per_library.values() if np.isfinite(r["rho"])]
    n = sum(r["n"] for r in per_library.values())
    estimate = float(np.median(rhos)) if rhos else float("nan")
    return PropertyResult("mpra", estimate, (float("nan"), float("nan")), None, n, 0, None,
                          "Spearman ρ(score, measured expression) per library; estimate = median over libraries",
                          "", {"libraries": per_library, "missing": dict(missing)})


def hash_seed(seed: int, index: int) -> list[int]:
    """The seed of library ``index``'s bootstrap: the same resamples for every model."""
    return [seed, 301, index]


# ------------------------------------------------------------------------------------------- grounding table

STRONG_CORE = ("TTGACA", "TATAAT")                    # La Fleur's UP design: strong and weak −35/−10 pairs
WEAK_CORES = (("GAATGC", "TATAAT"), ("TTGACA", "GGACGG"), ("GAATGC", "GGACGG"))
UP_RICH, UP_POOR = 0.7, 0.3                            # A+T fraction of an UP region counted as UP element / none
CONSENSUS_10, WEAK_10, NULL_10 = "TATAAT", "TATACT", "GGACGG"
PAPER_BREAK = "TGTAAT"                                  # the paper's break of TATAAT (class D)
BREAK_STRONG_PERCENTILE = 90       # a break stronger than 9 in 10 of the sweep's −10 variants is not broken
OPTIMUM, NEAR, FAR = 17, (15, 16, 18, 19), tuple(s for s in range(12, 26) if abs(s - 17) >= 3)
# La Fleur's spacer series keeps the −10 and the TSS in place and moves the −35 (and UP) with the spacer, as
# spacing design b does; design a (the −10 moved) has no measured counterpart, so both rest on this row.
SPACING_DESIGNS = ("; the series moves the −35 (design b); no library moves the −10 against a fixed −35 and TSS, "
                   "so design a rests on the same row")


def _row(assumption, comparison, effect, ci, n, supports, note="", unit="Δ log expression", gate=None,
         contrast=None) -> dict:
    """One line of the table: ``supports`` True (the CI is on the assumed side of 0), False (on the other
    side), None (the CI straddles 0). ``gate`` names the gated property whose direction the row grounds and
    ``contrast`` which of its contrasts (None: an assumption behind the sets, not one gate's direction)."""
    verdict = {True: "supported", False: "contradicted", None: "not resolved"}[supports]
    bounds = [float(b) if np.isfinite(b) else None for b in ci]     # None: one construct, no interval
    effect = float(effect) if effect is not None and np.isfinite(effect) else None    # None: not testable
    return {"assumption": assumption, "comparison": comparison, "effect": effect, "ci": bounds,
            "n": int(n), "unit": unit, "verdict": verdict, "note": note, "gate": gate, "contrast": contrast}


def _not_testable(assumption, comparison, why, gate, contrast) -> dict:
    """A gated contrast whose direction no shipped library can test, said plainly."""
    row = _row(assumption, comparison, float("nan"), (float("nan"), float("nan")), 0, None,
               f"not testable with the shipped data: {why}", gate=gate, contrast=contrast)
    row["verdict"] = "not testable"
    return row


def _side(ci, positive=True):
    lo, hi = ci
    if lo > 0:
        return positive
    if hi < 0:
        return not positive
    return None


def _matched_pairs(table: pd.DataFrame, element: str, first: str, second: str) -> np.ndarray:
    """``(k,)`` expression(first) − expression(second) over the k contexts (every other element equal) that
    hold constructs with ``element`` = ``first`` and = ``second``."""
    context = [c for c in ("UP", "h35", "spacs", "h10", "disc", "ITR") if c != element]
    pair = table[table[element].isin([first, second])]
    wide = pair.pivot_table(index=context, columns=element, values="expression", aggfunc="mean")
    if first not in wide or second not in wide:
        return np.zeros(0)
    both = wide[[first, second]].dropna()
    return (both[first] - both[second]).to_numpy()


def _mismatches(box: str, consensus: str = CONSENSUS_10) -> int:
    return sum(a != b for a, b in zip(box, consensus))


def minus_10_rows(table: pd.DataFrame, seed: int, motif_boxes=()) -> list[dict]:
    """The consensus −10 against weaker ones: matched pairs across La Fleur's −35 contexts, the −10 sweep of one
    strong context, where the paper's break falls in that sweep, and, given ``motif_boxes`` (``(intact, broken)``
    hexamers of the run's motif families, ``fixtures.sets.motif_boxes``), how much less the sweep expresses each
    family's break than its intact −10."""
    rows = []
    for index, other in enumerate((WEAK_10, NULL_10)):
        d = _matched_pairs(table, "h10", CONSENSUS_10, other)
        if d.size == 0:
            continue
        ci = bootstrap_ci(d, seed=[seed, GROUNDING_CODE, index])
        share = float(np.mean(d > 0))
        rows.append(_row("a consensus −10 beats weaker ones",
                         f"La Fleur: {CONSENSUS_10} − {other} in otherwise identical constructs (matched over −35 "
                         "contexts); mean", d.mean(), ci, d.size, _side(ci),
                         f"{CONSENSUS_10} stronger in {share:.0%} of contexts (Wilson 95% "
                         f"{wilson_interval(share, d.size)[0]:.2f}–{wilson_interval(share, d.size)[1]:.2f})"))
    sweep = _minus_10_sweep(table)
    if sweep is not None:
        mismatches = sweep["h10"].map(_mismatches).to_numpy()
        expression = sweep["expression"].to_numpy()
        one = expression[mismatches == 1]
        far = expression[mismatches >= 3]
        gap, ci = _difference_ci([(1.0, one), (-1.0, far)], seed, 3)
        rows.append(_row("a consensus −10 beats weaker ones",
                         "La Fleur −10 sweep (one TTGACA, 17-bp context): mean of the 1-mismatch −10s − mean of "
                         "the ≥ 3-mismatch −10s", gap, ci, one.size + far.size, _side(ci),
                         f"{one.size} one-mismatch and {far.size} ≥ 3-mismatch −10s; TATAAT itself is not in "
                         "this context"))
        weaker = pd.Series(expression).rank(pct=True).to_numpy() * 100     # % of the sweep's −10s at or below
        hit = np.flatnonzero(sweep["h10"].to_numpy() == PAPER_BREAK)
        if hit.size:
            percentile = float(weaker[hit[0]])
            verdict = True if percentile < 50 else False if percentile > BREAK_STRONG_PERCENTILE else None
            rows.append(_row("the paper's −10 break is a weak −10",
                             f"La Fleur −10 sweep: where {PAPER_BREAK} (the paper's break, class D) ranks among the "
                             f"{mismatches.size} −10 variants of one strong context", percentile,
                             (float("nan"), float("nan")), 1, verdict,
                             f"one construct; {float(expression[hit[0]]) - float(np.mean(one)):+.2f} log expression "
                             "from the mean 1-mismatch −10. Supported below the median variant, contradicted above "
                             f"the {BREAK_STRONG_PERCENTILE}th percentile", unit="percentile"))
        by_box = dict(zip(sweep["h10"], sweep["expression"]))
        pairs = [(by_box[a], by_box[b]) for a, b in motif_boxes if a in by_box and b in by_box]
        if pairs:
            d = np.array([a - b for a, b in pairs])
            ci = bootstrap_ci(d, seed=[seed, GROUNDING_CODE, 4])
            rows.append(_row("MIT's −10 breaks are weak −10s",
                             "La Fleur −10 sweep: each motif family's intact −10 (class M) − its break (class K's "
                             "hexamer in the same place); mean", d.mean(), ci, d.size, _side(ci),
                             f"{d.size} of {len(motif_boxes)} families have both hexamers in the sweep; the break "
                             f"expresses less in {np.mean(d > 0):.0%} of them", gate="motif", contrast="M vs K"))
    return rows


def _difference_ci(terms, seed: int, code: int, resamples: int = 1_000) -> tuple[float, tuple[float, float]]:
    """Σ weight × mean(values) over ``terms`` (``[(weight, (n_k,) values), ...]``, independent groups) and its
    percentile bootstrap 95% CI, each group resampled within itself (seeded)."""
    rng = np.random.default_rng([seed, GROUNDING_CODE, code])
    estimate = sum(w * float(np.mean(v)) for w, v in terms)
    replicates = np.zeros(resamples)
    for w, values in terms:
        replicates += w * values[rng.integers(0, values.size, (resamples, values.size))].mean(axis=1)
    lo, hi = np.percentile(replicates, [2.5, 97.5])
    return estimate, (float(lo), float(hi))


def _minus_10_sweep(table: pd.DataFrame) -> pd.DataFrame | None:
    """The constructs of La Fleur's largest −10 sweep: every element but the −10 shared (TTGACA, 17-bp spacer)."""
    context = ["UP", "h35", "spacs", "disc", "ITR"]
    sizes = table.groupby(context)["h10"].nunique()
    if sizes.empty:
        return None
    key = sizes.idxmax()
    mask = np.logical_and.reduce([table[c] == v for c, v in zip(context, key)])
    return table[mask]


def spacing_rows(table: pd.DataFrame, seed: int) -> list[dict]:
    """17 bp against other spacer lengths: La Fleur's spacer series (TTGACA and TATAAT in one context, spacers
    of 1–31 bp drawn from 8 sequence families: 4 homopolymers and 4 mixed repeats), matched within a family."""
    series = _spacer_series(table)
    if series is None:
        return []
    curve = series.mean(axis=0)                         # mean over families per length
    peak = int(curve.loc[12:25].idxmax())
    rows = []
    comparisons = [(f"{OPTIMUM} − {s} bp", (s,)) for s in NEAR] + [
        (f"{OPTIMUM} − mean of {FAR[0]}–14 and 20–{FAR[-1]} bp", FAR)]
    for index, (label, others) in enumerate(comparisons):
        d = (series[OPTIMUM] - series[list(others)].mean(axis=1)).dropna().to_numpy()
        ci = bootstrap_ci(d, seed=[seed, GROUNDING_CODE, 10 + index])
        gated = others == FAR              # the gate's d_i: s(17) − mean s(spacers ≥ 3 bp from 17)
        rows.append(_row("17 bp beats other spacings", f"La Fleur spacer series: {label}, mean over spacer "
                         "families", d.mean(), ci, d.size, _side(ci),
                         "constructs flagged low quality by La Fleur (no spacer variant is high quality)"
                         + (SPACING_DESIGNS if gated else ""),
                         gate="spacing" if gated else None, contrast="a and b: 17 bp vs ≥ 3 bp away" if gated else None))
    rows.append(_row("17 bp beats other spacings", "La Fleur spacer series: length (bp) of the highest mean "
                     "over families, 12–25 bp", peak, (float("nan"), float("nan")), series.shape[0],
                     True if peak == OPTIMUM else None if abs(peak - OPTIMUM) <= 1 else False,
                     "means per length: " + ", ".join(f"{s}: {curve[s]:.2f}" for s in range(14, 21)),
                     unit="bp", gate="spacing", contrast="a and b: the peak at 16–18 bp"))
    return rows


def _spacer_series(table: pd.DataFrame) -> pd.DataFrame | None:
    """``families × lengths`` expression of the spacer series: the context (UP, −35, −10, discriminator, ITR)
    with the most spacer lengths; a family is a spacer's dominant base and whether it is a homopolymer."""
    context = ["UP", "h35", "h10", "disc", "ITR"]
    lengths = table.assign(length=table["spacs"].str.len()).groupby(context)["length"].nunique()
    if lengths.empty or lengths.max() < 5:
        return None
    key = lengths.idxmax()
    mask = np.logical_and.reduce([table[c] == v for c, v in zip(context, key)])
    series = table[mask].assign(length=lambda t: t["spacs"].str.len(),
                                family=lambda t: t["spacs"].map(_spacer_family))
    return series.pivot_table(index="family", columns="length", values="expression", aggfunc="mean")


def _spacer_family(spacer: str) -> str:
    counts = {b: spacer.count(b) for b in "ACGT"}
    dominant = max(counts, key=counts.get)
    return dominant + ("-homopolymer" if counts[dominant] == len(spacer) else "-mixed")


def up_rows(table: pd.DataFrame, seed: int) -> list[dict]:
    """The UP element: La Fleur's UP design (the same UP variants in front of a strong −35/−10 pair and of three
    weak ones). Effect of an UP element = mean expression of A+T-rich UP regions (≥ 70% A+T) − mean of G+C-rich
    ones (≤ 30%) in one core; the same UP sequences in every core, so cores compare like with like."""
    up = _up_design(table)
    if up is None:
        return []
    at = pd.Series({s: (s.count("A") + s.count("T")) / len(s) for s in up.index})
    rich, poor = up.loc[at >= UP_RICH], up.loc[at <= UP_POOR]
    cores = [STRONG_CORE, *WEAK_CORES]
    groups = {core: (rich[core].dropna().to_numpy(), poor[core].dropna().to_numpy()) for core in cores}
    n = sum(a.size + b.size for a, b in groups.values())

    def terms(weights):
        return [t for core, w in weights.items() for t in ((w, groups[core][0]), (-w, groups[core][1]))]

    effect, ci = _difference_ci(terms({core: 1 / len(cores) for core in cores}), seed, 20)
    per_core = ", ".join(f"{a}/{b} {groups[(a, b)][0].mean() - groups[(a, b)][1].mean():+.2f}" for a, b in cores)
    rows = [_row("an UP element raises expression", f"La Fleur UP design: A+T-rich UP (≥ {UP_RICH:.0%} A+T) − "
                 f"G+C-rich UP (≤ {UP_POOR:.0%}), mean over the 4 −35/−10 cores", effect, ci, n, _side(ci),
                 f"per core: {per_core}")]
    weights = {core: 1 / len(WEAK_CORES) for core in WEAK_CORES} | {STRONG_CORE: -1.0}
    interaction, ci = _difference_ci(terms(weights), seed, 21)
    side = _side(ci)
    reading = {True: "rescue: the UP element gains more log expression on weak cores",
               False: "synergy: the UP element gains more log expression on the strong core",
               None: "multiplicative: the same log gain on weak and strong cores (the CI includes 0)"}[side]
    rows.append(_row("an UP element rescues weak promoters (not a multiplicative gain)",
                     "La Fleur UP design: UP effect on the 3 weak cores (mean) − UP effect on TTGACA/TATAAT",
                     interaction, ci, n, side, f"{reading}; the weak cores sit near the library's floor, which "
                     "compresses their effects. The rescue is what the name 'compensation' promises; no gated "
                     "contrast tests it (E and its twins all carry the same broken −10)",
                     gate="compensation", contrast="rescue as a larger UP gain on weak cores (not gated)"))
    broken = (STRONG_CORE[0], NULL_10)
    restored, ci = _difference_ci([(1.0, groups[broken][0]), (-1.0, groups[STRONG_CORE][1])], seed, 22)
    rows.append(_row("an UP element restores a promoter whose −10 is broken",
                     f"La Fleur UP design: {broken[0]}/{broken[1]} (no −10) with an A+T-rich UP − {STRONG_CORE[0]}/"
                     f"{STRONG_CORE[1]} with a G+C-rich UP", restored, ci,
                     groups[broken][0].size + groups[STRONG_CORE][1].size, _side(ci),
                     f"the UP raises the broken core by {groups[broken][0].mean() - groups[broken][1].mean():+.2f} "
                     f"log, to {groups[broken][0].mean():.2f}, below the intact core without it "
                     f"({groups[STRONG_CORE][1].mean():.2f}): the rescue the name 'compensation' promises does "
                     "not happen; what E and its twins test is where the UP and TGn count (the gated rows)",
                     gate="compensation", contrast="the rescue its name promises (not gated)"))
    return rows


def _up_design(table: pd.DataFrame) -> pd.DataFrame | None:
    """``UP sequence × (−35, −10) core`` expression of the UP design (standard spacer, discriminator, ITR)."""
    context = ["spacs", "disc", "ITR"]
    cores = [STRONG_CORE, *WEAK_CORES]
    core = list(zip(table["h35"], table["h10"]))
    in_design = pd.Series([c in cores for c in core], index=table.index)
    design = table[in_design]
    if design.empty:
        return None
    shared = design.groupby(context)["UP"].nunique().idxmax()
    mask = np.logical_and.reduce([design[c] == v for c, v in zip(context, shared)])
    design = design[mask]
    wide = design.pivot_table(index="UP", columns=["h35", "h10"], values="expression", aggfunc="mean")
    wide.columns = [tuple(c) for c in wide.columns]
    if not all(c in wide.columns for c in cores):
        return None
    return wide


# ------------------------------------------------------------------- A+T by position: the positional gates

ELEMENTS = ("UP", "h35", "spacs", "h10", "disc", "ITR")
DESIGN_MIN = 100                       # variants of one element in one context that make a design
SPACER_LENGTH, DISC_LENGTH = 17, 7     # the element lengths of La Fleur's spacer and discriminator designs
AT_REGIONS = {"UP": "the UP region (16–22 nt upstream of the −35)", "spacs": "the 17-bp spacer",
              "disc": "the discriminator (7 nt, −10 to +1)", "ITR": "the initial transcribed region (+1…+21)"}


def at_design(table: pd.DataFrame, element: str) -> pd.DataFrame | None:
    """Constructs of every context (all other elements equal) holding ≥ DESIGN_MIN variants of ``element``, with
    ``at`` = A+T count of the element and ``context`` = the context's label; the spacer and discriminator at their
    standard lengths. None when no context qualifies."""
    others = [c for c in ELEMENTS if c != element]
    size = table.groupby(others)[element].transform("nunique")
    design = table[size >= DESIGN_MIN]
    length = {"spacs": SPACER_LENGTH, "disc": DISC_LENGTH}.get(element)
    if length is not None:
        design = design[design[element].str.len() == length]
    if design.empty:
        return None
    return design.assign(at=design[element].map(lambda s: s.count("A") + s.count("T")),
                         context=design[others].astype(str).agg("|".join, axis=1))


def _at_slope(design: pd.DataFrame, rng: np.random.Generator, resamples: int) -> tuple[float, np.ndarray]:
    """Δ log expression per A+T base of the element: the least-squares slope with A+T and expression centred
    within each context, and ``(resamples,)`` bootstrap slopes (constructs resampled within each context)."""
    x = (design["at"] - design.groupby("context")["at"].transform("mean")).to_numpy(dtype=float)
    y = (design["expression"] - design.groupby("context")["expression"].transform("mean")).to_numpy()
    groups = [np.flatnonzero((design["context"] == c).to_numpy()) for c in sorted(design["context"].unique())]
    draws = np.concatenate([g[rng.integers(0, g.size, (resamples, g.size))] for g in groups], axis=1)
    boot = (x[draws] * y[draws]).sum(axis=1) / (x[draws] ** 2).sum(axis=1)
    return float(x @ y / (x @ x)), boot


def at_slopes(table: pd.DataFrame, seed: int, resamples: int = 1_000) -> dict[str, tuple[float, np.ndarray, int, str]]:
    """``{element: (slope, bootstrap slopes, n, per-context Spearman ρ text)}`` for UP, spacer, discriminator, ITR."""
    out = {}
    for code, element in enumerate(AT_REGIONS):
        design = at_design(table, element)
        if design is None:
            continue
        slope, boot = _at_slope(design, np.random.default_rng([seed, GROUNDING_CODE, 40 + code]), resamples)
        rhos = [float(g["at"].corr(g["expression"], method="spearman")) for _, g in design.groupby("context")]
        out[element] = (slope, boot, len(design), f"Spearman ρ(A+T, expression) per context {min(rhos):+.2f}…"
                                                  f"{max(rhos):+.2f} over {len(rhos)} contexts")
    return out


# (gate, contrast, where its A+T-rich block goes, what the twin asks)
POSITION_CONTRASTS = (
    ("compensation", "E vs H", "spacs", "E_i's UP moved into the spacer (H_i)"),
    ("compensation", "E vs J", "disc", "the core moved 45 bp upstream, so E_i's UP sits just after the −10 (J_i)"),
    ("compensation", "E vs L", None, "E_i's UP moved far upstream (o−16), where no shipped library varies A+T "
                                     "(La Fleur's UP design ends 16 nt before the −35)"),
    ("up_position", "a", "ITR", "the UP moved just downstream of the −10 (o+60…70)"),
    ("up_position", "a_far", "ITR", "the UP moved far downstream of the −10 (o+80…90)"),
    ("up_position", "b", "disc", "the core moved upstream of the UP, which then starts 6 bp after the −10"),
)


def position_rows(table: pd.DataFrame, seed: int) -> list[dict]:
    """One row per positional contrast that moves an A+T-rich UP block: Δ log expression per A+T base in the UP
    region − per A+T base where the twin puts the block (La Fleur's designs that vary only that element). A
    positive difference is what the gate asks (the UP counts more in its place); the block is 9 bp."""
    slopes = at_slopes(table, seed)
    if "UP" not in slopes:
        return []
    up, up_boot, up_n, up_rho = slopes["UP"]
    rows = [_row("A+T counts more in the UP region than elsewhere", f"La Fleur UP design: Δ log expression per A+T "
                 f"base of {AT_REGIONS['UP']}", up, tuple(np.percentile(up_boot, [2.5, 97.5])), up_n,
                 _side(tuple(np.percentile(up_boot, [2.5, 97.5]))), up_rho, unit="Δ log expression per A+T base")]
    for element in ("spacs", "disc", "ITR"):
        if element in slopes:
            slope, boot, n, rho = slopes[element]
            ci = tuple(np.percentile(boot, [2.5, 97.5]))
            rows.append(_row("A+T counts more in the UP region than elsewhere", f"La Fleur {element} design: Δ log "
                             f"expression per A+T base of {AT_REGIONS[element]}", slope, ci, n, None, rho,
                             unit="Δ log expression per A+T base"))
            rows[-1]["verdict"] = "measured"
    for gate, contrast, element, twin in POSITION_CONTRASTS:
        if element not in slopes:
            why = twin if element is None else f"no La Fleur design varies {element}"
            rows.append(_not_testable("A+T counts more in the UP region than elsewhere", f"{gate} {contrast}: {twin}",
                                      why, gate, contrast))
            continue
        slope, boot, n, _ = slopes[element]
        d = up_boot - boot
        ci = tuple(np.percentile(d, [2.5, 97.5]))
        rows.append(_row("A+T counts more in the UP region than elsewhere",
                         f"{gate} {contrast}: {twin}. Per A+T base, UP region − {AT_REGIONS[element]}", up - slope,
                         ci, up_n + n, _side(ci), f"UP {up:+.3f}, {element} {slope:+.3f} per A+T base",
                         unit="Δ log expression per A+T base", gate=gate, contrast=contrast))
    return rows


# ---------------------------------------------------------------------- boxes: natural −10s, strand

def box_pair_row(table: pd.DataFrame, seed: int, pairs, gate: str, contrast: str, who: str) -> list[dict]:
    """Intact − broken −10 in La Fleur's −10 sweep over ``pairs`` (``(intact, broken)`` hexamers)."""
    sweep = _minus_10_sweep(table)
    if sweep is None or not pairs:
        return []
    by_box = dict(zip(sweep["h10"], sweep["expression"]))
    found = [(by_box[a], by_box[b]) for a, b in pairs if a in by_box and b in by_box]
    if not found:
        return []
    d = np.array([a - b for a, b in found])
    ci = bootstrap_ci(d, seed=[seed, GROUNDING_CODE, 5])
    return [_row("the −10s MIT breaks are weak once broken", f"La Fleur −10 sweep: {who}; mean", d.mean(), ci,
                 d.size, _side(ci), f"{d.size} of {len(pairs)} pairs have both hexamers in the sweep; the break "
                 f"expresses less in {np.mean(d > 0):.0%} of them", gate=gate, contrast=contrast)]


def _box_sweep(table: pd.DataFrame, element: str) -> pd.DataFrame | None:
    others = [c for c in ELEMENTS if c != element]
    sizes = table.groupby(others)[element].nunique()
    if sizes.empty or sizes.max() < DESIGN_MIN:
        return None
    key = sizes.idxmax()
    return table[np.logical_and.reduce([table[c] == v for c, v in zip(others, key)])]


STRAND_VARIANTS = {"rc": ("TGTCAA", "ATTATA"), "exchanged": ("TATAAT", "TTGACA")}   # (−35, −10) of the twin


def strand_rows(table: pd.DataFrame, seed: int) -> list[dict]:
    """Each strand twin's boxes against the one-mismatch boxes of La Fleur's −35 sweep and −10 sweep (neither sweep
    holds the consensus itself): Δ = (mean one-mismatch −35 − the twin's −35) + (the same for the −10), additive
    over the two sweeps. One construct per twin box; the CI covers the one-mismatch means only."""
    sweeps = {"h35": _box_sweep(table, "h35"), "h10": _box_sweep(table, "h10")}
    if any(s is None for s in sweeps.values()):
        return []
    rows = []
    for code, (contrast, boxes) in enumerate(STRAND_VARIANTS.items()):
        terms, parts, missing = [], [], []
        for (element, consensus), box in zip((("h35", "TTGACA"), ("h10", CONSENSUS_10)), boxes):
            sweep = sweeps[element]
            one = sweep["expression"][sweep[element].map(lambda b, c=consensus: _mismatches(b, c)) == 1].to_numpy()
            hit = sweep["expression"][sweep[element] == box].to_numpy()
            if not hit.size or not one.size:
                missing.append(f"{box} as {element}")
                continue
            percentile = float((sweep["expression"] <= hit[0]).mean() * 100)
            terms += [(1.0, one), (-1.0, hit)]
            parts.append(f"{box} as {'−35' if element == 'h35' else '−10'}: {one.mean() - hit[0]:+.2f} below the "
                         f"mean one-mismatch box (percentile {percentile:.0f} of {len(sweep)})")
        if missing:
            rows.append(_not_testable("a box read on the other strand, or in the other box's place, is weak",
                                      f"strand {contrast}", ", ".join(missing) + " not in the sweeps", "strand",
                                      contrast))
            continue
        effect, ci = _difference_ci(terms, seed, 30 + code)
        rows.append(_row("a box read on the other strand, or in the other box's place, is weak",
                         f"strand {contrast}: La Fleur −35 and −10 sweeps, mean one-mismatch boxes − the twin's "
                         f"boxes ({boxes[0]}, {boxes[1]}), summed", effect, ci, 2, _side(ci), "; ".join(parts),
                         gate="strand", contrast=contrast))
    for twin in ("rc_twin", "order_twin"):
        rows.append(_not_testable("a promoter on the reverse strand is read as one", f"strand {twin}: the same "
                                  "members reverse-complemented whole", "every shipped library measures "
                                  "transcription of one strand into its reporter, so a promoter placed on the other "
                                  "strand is not expressed there", "strand", twin))
    return rows


def natural_boxes(natural) -> list[tuple[str, str]]:
    """``(A_i's −10, B_i's hexamer in the same place)`` of a natural set (``fixtures.natural.build_natural``)."""
    records = natural.params["records"]
    intact = {records[i].regulondb_id: records[i].minus_10_box for i, c in zip(natural.ids, natural.conditions)
              if c == "A"}
    return [(intact[records[i].regulondb_id], records[i].minus_10_box)
            for i, c in zip(natural.ids, natural.conditions) if c == "B"]


def grounding_table(elements: pd.DataFrame, seed: int, motif_boxes=(), natural_pairs=()) -> list[dict]:
    """Every row MIT can measure from La Fleur's element table (``fixtures.libraries.lafleur_elements``), the run's
    motif families' −10s (``motif_boxes``, see :func:`minus_10_rows`) and natural A/B −10s (``natural_pairs``,
    :func:`natural_boxes`) among them."""
    table = elements.dropna(subset=["expression"])
    return (minus_10_rows(table, seed, motif_boxes)
            + box_pair_row(table, seed, natural_pairs, "motif_natural", "A vs B",
                           "each natural A_i's −10 − B_i's hexamer in the same place")
            + spacing_rows(table, seed) + up_rows(table, seed) + position_rows(table, seed)
            + strand_rows(table, seed))


def by_gate(rows: list[dict]) -> dict[str, list[dict]]:
    """``{property: [{contrast, verdict, effect, ci, unit, comparison}]}``: the rows that ground each gate."""
    out: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: "not gated" in (r.get("contrast") or "")):     # gated contrasts first
        if row.get("gate"):
            out.setdefault(row["gate"], []).append({k: row[k] for k in ("contrast", "verdict", "effect", "ci", "n",
                                                                         "unit", "comparison")})
    return out
