"""The language-model training split (fixtures.genome_split), checked against the sources read independently:
no training base lies in the held-out region or within 150 nt of any RegulonDB σ70 TSS, nor in any window the
natural set draws; the held-out windows come from the held-out region only; everything is deterministic."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from fixtures import genome_split as split
from fixtures.grammar import reverse_complement
from fixtures.natural import MAX_ORIGIN, TSS_INDEX, build_natural, missing_data


@pytest.fixture(scope="module")
def genome() -> str:
    reason = missing_data()
    if reason:
        pytest.skip(reason)
    from fixtures.genome import ecoli_genome
    return ecoli_genome()


@pytest.fixture(scope="module")
def sigma70_tss_1based(genome) -> np.ndarray:
    """Every σ70 TSS of RegulonDB's file, read with csv here (not through fixtures.natural)."""
    from fixtures.datasets import REGULONDB_PROMOTERS, resolve
    with open(resolve(REGULONDB_PROMOTERS), encoding="utf-8") as handle:
        rows = list(csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    header = [name.split(")", 1)[1].strip() for name in rows[0]]
    records = [dict(zip(header, row)) for row in rows[1:]]
    return np.array([int(r["posTSS"]) for r in records if "sigma70" in r["sigmaFactor"] and r["posTSS"]])


@pytest.fixture(scope="module")
def training_mask(genome) -> np.ndarray:
    mask = np.zeros(len(genome), dtype=bool)
    for a, b in split.training_intervals(len(genome)):
        mask[a:b] = True
    return mask


def test_held_out_is_the_last_five_percent():
    assert split.held_out_interval(4_641_652) == (4_409_569, 4_641_652)
    assert split.held_out_interval(100) == (95, 100)
    with pytest.raises(ValueError, match="positive"):
        split.held_out_interval(0)


def test_merge_and_wrap_on_a_small_genome():
    assert split.merge_intervals(np.array([[5, 9], [0, 3], [3, 4], [8, 12]])).tolist() == [[0, 4], [5, 12]]
    # TSS 100 on a 1,000-nt circle: [−50, 251) wraps to [950, 1000) and [0, 251)
    assert split.natural_intervals(1000, np.array([100])).tolist() == [[0, 251], [950, 1000]]
    assert split.natural_intervals(1000, np.array([900])).tolist() == [[0, 51], [750, 1000]]
    with pytest.raises(ValueError, match="TSS positions"):
        split.natural_intervals(1000, np.array([1000]))
    genome = "ACGT" * 250
    segments = split.training_segments(genome, tss=np.array([400]))
    assert segments == [genome[:250], genome[551:950]]


def test_no_training_base_in_the_held_out_region_or_near_a_sigma70_tss(genome, training_mask, sigma70_tss_1based):
    start, stop = split.held_out_interval(len(genome))
    assert not training_mask[start:].any() and stop == len(genome)
    offsets = np.arange(-150, 151)
    near = (sigma70_tss_1based[:, None] - 1 + offsets[None, :]) % len(genome)
    assert not training_mask[near].any()
    assert len(sigma70_tss_1based) > 1500                       # RegulonDB 13.0 has ~2,000 σ70 TSSs
    assert 0.80 < training_mask.mean() < 0.90                    # measured: 0.862


def test_no_training_base_in_any_natural_window(genome, training_mask):
    for seed in (0, 42, 7):
        natural = build_natural(seed)
        for sid, record in natural.params["records"].items():
            # the window's 150 genome positions: TSS at window index TSS_INDEX + origin, on the promoter strand
            tss0 = record.tss - 1
            j = np.arange(len(natural.sequences[0])) - (TSS_INDEX + record.origin)
            positions = (tss0 + j if record.strand == "+" else tss0 - j) % len(genome)
            assert not training_mask[positions].any(), sid
    assert MAX_ORIGIN + TSS_INDEX <= split.NATURAL_FLANK


def test_segments_are_the_genome_at_the_training_intervals(genome, training_mask):
    segments = split.training_segments(genome)
    intervals = split.training_intervals(len(genome))
    assert len(segments) == len(intervals)
    assert sum(map(len, segments)) == training_mask.sum()
    for (a, b), segment in zip(intervals[::97], segments[::97]):
        assert segment == genome[a:b]
    assert split.segments_sha256(segments) == split.segments_sha256(split.training_segments(genome))
    assert split.segments_sha256(segments) != split.segments_sha256(segments[1:])


def test_held_out_windows_are_held_out_seeded_and_on_both_strands(genome, training_mask, sigma70_tss_1based):
    windows = split.held_out_windows(genome, 300, 200, seed=5)
    assert windows == split.held_out_windows(genome, 300, 200, seed=5)
    assert windows != split.held_out_windows(genome, 300, 200, seed=6)
    start, _ = split.held_out_interval(len(genome))
    held = genome[start:]
    strands = []
    for w in windows:
        assert len(w) == 300
        forward = held.find(w)
        reverse = held.find(reverse_complement(w))
        assert forward >= 0 or reverse >= 0
        strands.append(forward >= 0)
        at = start + (forward if forward >= 0 else reverse)
        tss0 = sigma70_tss_1based - 1
        near = (tss0 - 150 < at + 300) & (at < tss0 + 151)
        assert not near.any(), "a held-out window overlaps a σ70 TSS ± 150 nt"
    assert 50 < sum(strands) < 150
    with pytest.raises(ValueError, match="admissible"):
        split.held_out_windows(genome, 200_000, 2, seed=0)
