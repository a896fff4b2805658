"""The paper's numbers (Cheng & Zhang 2026, arXiv 2604.06549), shown beside MIT's in the report matrix.

Keyed by MIT ``--model`` spec (gLM aliases, biophysical models, baselines) and MIT property. A
``scores:.../hyenadna_results.json`` spec maps through its file stem (``evo2_1b_results.json`` → ``evo2-1b``).

Sources: Table 2 / App. B.1 (gLM CSS, SCR, MES, AT–LL r), §4.3.3 and App. C.4 (strand accuracy, spacing peak),
C.4 / Table 6 (biophysical models), the repository's README/RESULTS.md for the PWM baseline; provenance and
text-versus-code disagreements from ``reference/anchor_mit.md`` sections 2–6. Every value carries the footnotes
that qualify it; the report numbers them in order of first use.

The paper's statistics are not always MIT's: MES is Cohen's d (MIT's motif gate is a sign-test share; MIT
records its own d beside it), "spacing peak" is an argmax in bp, strand accuracy is a share with ties counted as
failures, and the paper's CSS/SCR pair independent sequences by index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

# What each MIT property is called in the paper.
PAPER_STATISTIC = {
    "css": "CSS",
    "scramble": "SCR",
    "motif": "MES",
    "motif_natural": "MES_nat",
    "strand": "strand acc.",
    "spacing": "peak",
    "composition": "AT–LL r",
}

FOOTNOTES = {
    "css_ci": "The paper's CSS interval is a percentile bootstrap of 1,000 resamples with the global, unseeded "
              "NumPy RNG, so it is not reproducible to the second decimal; its p-value is a t-test on the 0/1 "
              "vector (MIT: exact sign test).",
    "pwm_readme": "From the paper's README/RESULTS.md, not the paper. CSS = SCR = 0 only because every pair "
                  "ties (D, E and H all score 17.0) and the paper's strict “>” counts ties as failures; MES = 10 "
                  "is its clip of ±∞ when the pooled SD is 0.",
    "nocomp_ties": "CSS = SCR = 0 purely through ties: D, E and H all score 14.0 and the paper's strict “>” "
                   "counts ties as failures (MIT leaves ties out: with every pair tied it has no estimate).",
    "biophys_script": "Reproduces from the paper's stored 650 sequences, but no script in the paper's repository "
                      "computes it; its run_biophysical_comparison.py scores self-generated sets and gives "
                      "different values (PA-PWM 1.00/0.97, Thermo 0.66/0.51, NoPos 1.00/0.83).",
    "biophys_strand": "Produced by no script. The paper's code gives strand accuracy PA-PWM 1.00, Thermo 1.00, "
                      "Scan 0.98; RPA-PWM reports means only.",
    "glm_strand_noscript": "Produced by no script in the paper's repositories; the per-sequence values were "
                           "never saved.",
    "hyena_strand": "22/50 forward > reverse-complement-in-place over 50 independent index pairs (two-sided "
                    "binomial p = 0.48).",
    "hyena_spacing": "Noise: one-way ANOVA over spacings p = 0.89; 14 vs 17 bp p = 0.60.",
    "probe_design": "Evo2 and Caduceus probes come from standalone scripts with a different design from "
                    "HyenaDNA's (−35 at 30 rather than 25, UP written last), so cross-model probe values are not "
                    "like for like.",
    "at_r_group_means": "Over the 18 AT-level × condition group means, not per sequence: not comparable with "
                        "HyenaDNA's 0.784 or with MIT's per-sequence r. Per sequence the paper's data give Evo2 "
                        "0.833, Caduceus 0.688.",
    "at_r_per_sequence": "Pooled per-sequence r over 540 points (comparable with MIT's per-sequence r); over "
                         "the 18 group means it would be 0.890.",
    "grover_proxy": "The paper's GROVER row is the mean of the last hidden state (≈ −1e-3), a mean-embedding "
                    "proxy, not a likelihood; an earlier true PLL run (commit cf1f6d8) gave CSS 0.46, SCR 0.48.",
    "hyena_checkpoint": "The paper's numbers come from its code's checkpoint hyenadna-medium-160k; its text "
                        "names hyenadna-small-32k (MIT's alias).",
    "nt_checkpoint": "The paper's numbers come from its code's checkpoint nucleotide-transformer-v2-500m-multi-"
                     "species (MIT alias nt-v2-500m); its text names nt-500m-human-ref.",
    "kmer_genome": "The paper's k-mer baseline is an independence model (A = T = 0.246, C = G = 0.254), not "
                   "counted from E. coli as its text says; MIT's kmer-paper reproduces it, MIT's kmer counts the "
                   "genome.",
    "nopos_spacing": "NoPos scans for the best windows anywhere, so its spacing peak depends on the background.",
}

# Shown once under the matrix, not per cell.
GENERAL_NOTES = (
    "Paper values: Table 2 and App. B.1 (gLMs and baselines), §4.3.3 and App. C.4 (strand, spacing, "
    "biophysical models). MES signs follow the paper's LaTeX source.",
    "The paper's CSS, SCR and strand shares pair independent sequences by index and count ties as failures; "
    "MIT's are sign-test shares of untied pairs on matched families (ties left out), so differences of a few hundredths "
    "are expected. MES is Cohen's d: MIT's own d is shown beside it.",
)


@dataclass(frozen=True)
class PaperValue:
    """One reported number: ``text`` as the report prints it, ``value`` on the MIT estimate's scale
    (a share in [0, 1], a d, an r, or bp for spacing), ``notes`` keys of FOOTNOTES."""

    text: str
    value: float | None
    notes: tuple[str, ...] = ()


def _share(value: float, *notes: str, ci: tuple[float, float] | None = None) -> PaperValue:
    text = f"{value:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")
    return PaperValue(text, value, notes)


def _d(value: float, *notes: str) -> PaperValue:
    return PaperValue(f"{value:+.2f}", value, notes)


def _percent(value: float, *notes: str) -> PaperValue:
    return PaperValue(f"{value:.0%}", value, notes)


def _bp(value: int, *notes: str) -> PaperValue:
    return PaperValue(f"{value} bp", float(value), notes)


_KMER = {"css": _share(0.43, "css_ci", ci=(0.34, 0.53)), "scramble": _share(0.50),
         "motif_natural": _d(-0.17), "motif": _d(0.11)}

PAPER: dict[str, dict[str, PaperValue]] = {
    "hyenadna": {"css": _share(0.63, "css_ci", ci=(0.53, 0.73)), "scramble": _share(0.48),
                 "motif_natural": _d(-0.01), "motif": _d(-0.34), "strand": _percent(0.44, "hyena_strand"),
                 "spacing": _bp(14, "hyena_spacing"), "composition": PaperValue("0.784", 0.784,
                                                                                ("at_r_per_sequence",))},
    "evo2-1b": {"css": _share(0.60, "css_ci", ci=(0.50, 0.69)), "scramble": _share(0.46),
                "motif_natural": _d(0.38), "motif": _d(-0.03),
                "strand": _percent(0.48, "glm_strand_noscript", "probe_design"),
                "spacing": _bp(15, "probe_design"),
                "composition": PaperValue("0.961", 0.961, ("at_r_group_means", "probe_design"))},
    "nt-500m": {"css": _share(0.54, "css_ci", ci=(0.44, 0.64)), "scramble": _share(0.40),
                "motif_natural": _d(-0.00), "motif": _d(-0.10)},
    "grover": {"css": _share(0.52, "css_ci", ci=(0.43, 0.62)), "scramble": _share(0.52),
               "motif_natural": _d(-0.08), "motif": _d(-0.05)},
    "caduceus": {"css": _share(0.49, "css_ci", ci=(0.40, 0.59)), "scramble": _share(0.42),
                 "motif_natural": _d(-0.17), "motif": _d(-0.40),
                 "strand": _percent(0.50, "glm_strand_noscript", "probe_design"),
                 "spacing": _bp(20, "probe_design"),
                 "composition": PaperValue("0.874", 0.874, ("at_r_group_means", "probe_design"))},
    "random": {"css": _share(0.50, "css_ci", ci=(0.40, 0.60)), "scramble": _share(0.46),
               "motif_natural": _d(-0.14), "motif": _d(-0.04)},
    "kmer": {prop: PaperValue(v.text, v.value, v.notes + ("kmer_genome",)) for prop, v in _KMER.items()},
    "kmer-paper": _KMER,
    "pwm": {"css": _share(0.00, "pwm_readme"), "scramble": _share(0.00, "pwm_readme"),
            "motif_natural": _d(0.70, "pwm_readme"), "motif": PaperValue("10 (clip)", 10.0, ("pwm_readme",))},
    "pa-pwm": {"css": _share(1.00, "biophys_script"), "scramble": _share(0.98, "biophys_script"),
               "strand": _percent(0.97, "biophys_strand"), "spacing": _bp(17)},
    "rpa-pwm": {"css": _share(1.00), "scramble": _share(0.92),
                "strand": _percent(0.90, "biophys_strand"), "spacing": _bp(17)},
    "thermo": {"css": _share(0.97, "biophys_script"), "scramble": _share(0.68, "biophys_script"),
               "strand": _percent(0.95, "biophys_strand"), "spacing": _bp(17)},
    "pa-pwm-nocomp": {"css": _share(0.00, "nocomp_ties"), "scramble": _share(0.00, "nocomp_ties"),
                      "spacing": _bp(17)},
    "pa-pwm-nopos": {"css": _share(0.63, "biophys_script"), "scramble": _share(0.56, "biophys_script"),
                     "spacing": _bp(18, "nopos_spacing")},
    "scan": {"css": _share(0.43), "scramble": _share(0.54)},
}

# Notes that qualify a whole row of the paper's values (shown on the model's name).
MODEL_NOTES = {"grover": ("grover_proxy",), "hyenadna": ("hyena_checkpoint",), "nt-500m": ("nt_checkpoint",)}

# File stems of the paper's stored score files whose names differ from MIT's aliases.
_STEMS = {"evo2_1b": "evo2-1b", "nt_500m": "nt-500m", "kmer": "kmer-paper"}


def paper_key(spec: str) -> str | None:
    """The PAPER key of a ``--model`` spec, or None when the paper reports nothing for it.

    ``hyenadna`` → ``hyenadna``; ``scores:/data/mit_v1/results/evo2_1b_results.json`` → ``evo2-1b``. Probe
    files (``spacing_evo2_1b_results.json``) map to nothing: they hold no core-set scores.
    """
    if spec in PAPER:
        return spec
    if spec.startswith("scores:"):
        stem = PurePath(spec[len("scores:"):]).name
        match = re.fullmatch(r"(.+?)_results\.(?:json|csv)", stem)
        if match:
            name = _STEMS.get(match.group(1), match.group(1))
            return name if name in PAPER else None
    return None


def paper_value(spec: str, prop: str) -> PaperValue | None:
    key = paper_key(spec)
    return PAPER.get(key, {}).get(prop) if key else None


def model_notes(spec: str) -> tuple[str, ...]:
    key = paper_key(spec)
    return MODEL_NOTES.get(key, ()) if key else ()


class FootnoteNumbers:
    """Numbers footnotes in order of first use, so the list under the matrix holds only the ones cited."""

    def __init__(self):
        self.order: list[str] = []

    def number(self, key: str) -> int:
        if key not in FOOTNOTES:
            raise KeyError(f"no footnote {key!r}")
        if key not in self.order:
            self.order.append(key)
        return self.order.index(key) + 1

    def listed(self) -> list[tuple[int, str]]:
        """``[(number, text), ...]`` in number order."""
        return [(i + 1, FOOTNOTES[key]) for i, key in enumerate(self.order)]
