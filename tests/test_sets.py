"""Properties of MIT's sequence sets: matched families, element intervals, seeded reproducibility, pinned hashes."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import grammar as g
from fixtures.sets import (SPACINGS, UP_POSITIONS, build_all_sets, build_canary, build_core, build_spacing,
                           build_strand, build_up_sweep, core_family)

seeds = st.integers(0, 2**32 - 1)
family_index = st.integers(0, 10_000)

# sha256 of the default (seed 42) sets: a change to any byte of any set must be deliberate.
PINNED_SHA256 = {
    "core": "d155b26d2b8a79a65a52ab66a14c275851470f6d73e28559a91ff21976e0995b",
    "at_titration": "73470616b595c679a0e2760d168d4a6e91ec419d06849b76a27ebb4ceb95b9c3",
    "up_sweep": "d8c5491d9ce696908316d96690a7311448f8a14ee3cdde0031093a4e743ebd67",
    "spacing": "9ae3dbac48b1e56f72204f2d9d5f78ef906f9403df309d973de83239e387b724",
    "strand": "596e49651a49ed6eab0b584e203c63432533599223e67cc4bcf2861c384c1de5",
}


def differing_positions(a: str, b: str) -> set[int]:
    assert len(a) == len(b), f"lengths differ: {len(a)} vs {len(b)}"
    return {i for i, (x, y) in enumerate(zip(a, b)) if x != y}


def span(*slices: slice) -> set[int]:
    return {i for s in slices for i in range(s.start, s.stop)}


def iupac_regex(pattern: str) -> re.Pattern:
    return re.compile("".join(f"[{g.IUPAC[c]}]" for c in pattern) + "$")


@given(seed=seeds, i=family_index)
def test_scrambled_control_has_exactly_the_nucleotides_of_its_compensated_sibling(seed, i):
    family = core_family(seed, i)
    assert sorted(family["H"]) == sorted(family["E"]), f"H and E of family {i} (seed {seed}) differ in composition"


@given(seed=seeds, i=family_index)
def test_family_members_differ_only_inside_their_elements(seed, i):
    f = core_family(seed, i)
    allowed = {
        ("C", "D"): span(g.MINUS_10),
        ("D", "E"): span(g.UP, g.EXTENDED_10),
        ("E", "F"): span(g.DISTAL_UP),
        ("E", "H"): span(g.UP, g.SCRAMBLE_TARGET),
    }
    for (a, b), where in allowed.items():
        outside = differing_positions(f[a], f[b]) - where
        assert not outside, f"{a}_{i} and {b}_{i} (seed {seed}) differ outside their elements at {sorted(outside)}"


@given(seed=seeds, i=family_index)
def test_each_element_sits_at_its_stated_interval(seed, i):
    f = core_family(seed, i)
    assert all(len(s) == g.LENGTH for s in f.values())
    assert f["C"][g.MINUS_35] == g.CONSENSUS_35 and f["C"][g.MINUS_10] == g.INTACT_10
    assert f["D"][g.MINUS_10] == g.BROKEN_10
    assert f["E"][g.EXTENDED_10] == "TGT" and f["E"][g.MINUS_10] == g.BROKEN_10
    assert iupac_regex(g.UP_IUPAC).match(f["E"][g.UP]), f"E UP {f['E'][g.UP]} does not match {g.UP_IUPAC}"
    assert iupac_regex(g.DISTAL_UP_IUPAC).match(f["F"][g.DISTAL_UP])
    assert f["H"][g.SCRAMBLE_TARGET] == f["E"][g.UP], "H must carry E's UP block at [40, 49)"


@settings(max_examples=5)
@given(seed=seeds)
def test_probe_members_move_only_what_they_probe(seed):
    core = build_core(seed, n=3, n_half=3)
    compensated = core.member_sequences("E")
    sweep = build_up_sweep(seed, n=3)
    for p in UP_POSITIONS:
        for i, seq in enumerate(sweep.member_sequences(f"up@{p}")):
            assert seq[p:p + 9] == compensated[i][g.UP], f"UP block not at {p} in family {i}"
            assert sorted(seq) == sorted(compensated[i]), f"moving the UP to {p} changed the composition"
            outside = differing_positions(seq, compensated[i]) - span(slice(min(p, 15), max(p, 15) + 9),
                                                                       slice(p, p + 9))
            assert not outside, f"UP@{p} changed positions {sorted(outside)}"
    spacing = build_spacing(seed, n=3)
    intact = core.member_sequences("C")
    for s in SPACINGS:
        for i, seq in enumerate(spacing.member_sequences(f"s{s}")):
            assert seq[g.MINUS_35] == g.CONSENSUS_35 and seq[36 + s:42 + s] == g.INTACT_10 and len(seq) == 100
            if s == 17:
                assert seq == intact[i], "the 17 bp member must be C_i"
    strand = build_strand(seed, n=3)
    for i, (fwd, rc_in_place, full_rc) in enumerate(zip(*(strand.member_sequences(c)
                                                           for c in ("forward", "rc_in_place", "full_rc")))):
        assert fwd == intact[i]
        assert rc_in_place[g.MINUS_35] == "TGTCAA" and rc_in_place[g.MINUS_10] == "ATTATA"
        assert not differing_positions(fwd, rc_in_place) - span(g.MINUS_35, g.MINUS_10)
        assert full_rc == g.reverse_complement(fwd)


@settings(max_examples=5)
@given(seed=seeds)
def test_same_seed_gives_byte_identical_sets_and_another_seed_different_ones(seed):
    first, again, other = build_all_sets(seed), build_all_sets(seed), build_all_sets(seed + 1)
    for name in first:
        assert first[name].sequences == again[name].sequences and first[name].sha256 == again[name].sha256
        assert first[name].sha256 != other[name].sha256, f"seeds {seed} and {seed + 1} gave the same {name} set"


def test_an_item_does_not_depend_on_how_many_items_are_built():
    small, large = build_core(42, n=5, n_half=5), build_core(42)
    assert small.member_sequences("E") == large.member_sequences("E")[:5]


def test_default_sets_match_their_pinned_sha256():
    sets = build_all_sets(g.DEFAULT_SEED)
    got = {name: s.sha256 for name, s in sets.items()}
    assert got == PINNED_SHA256


def test_default_core_set_has_the_designed_class_sizes_and_background():
    core = build_all_sets()["core"]
    sizes = {c: core.conditions.count(c) for c in "CDEFH"}
    assert sizes == {"C": 100, "D": 100, "E": 100, "F": 50, "H": 50}
    outside = [s[:15] + s[59:] for s in core.member_sequences("C")]     # pure background
    at = g.at_fraction(outside).mean()
    assert abs(at - g.DEFAULT_AT) < 0.02, f"background AT {at:.3f} is not near {g.DEFAULT_AT}"


@given(text=st.text("ACGT", min_size=100, max_size=100), source=st.integers(0, 91), target=st.integers(0, 91))
def test_move_block_keeps_composition_and_places_the_block(text, source, target):
    moved = g.move_block(text, source, target, 9)
    assert sorted(moved) == sorted(text)
    assert moved[target:target + 9] == text[source:source + 9]
    lo, hi = min(source, target), max(source, target) + 9
    assert moved[:lo] == text[:lo] and moved[hi:] == text[hi:]


def test_canary_repeats_are_low_complexity():
    canary = build_canary()
    for sid, seq in zip(canary.ids, canary.sequences):
        period = int(sid[len("repeat")])
        assert len(seq) == 100 and seq == (seq[:period] * 100)[:100], f"{sid} is not a tandem repeat"


def test_sequence_set_rejects_duplicated_ids():
    from fixtures.sequence_set import SequenceSet
    with pytest.raises(ValueError, match="duplicated ids"):
        SequenceSet("x", ("a", "a"), ("A", "C"), ("c", "c"), np.array([0, 1]))


def test_matched_break_is_the_worst_binding_rearrangement_of_tataat():
    """Class K's −10 has TATAAT's bases; by the Lagator 2022 energies no other arrangement binds worse on its
    weaker strand, and it binds much worse than TATAAT and than the paper's TGTAAT."""
    from fixtures.datasets import DataUnavailable
    from fixtures.grammar import BROKEN_10, INTACT_10, MATCHED_BROKEN_10, break_minus_10, reverse_complement
    from fixtures.sigma70 import lagator_boxes
    try:
        minus_10, _ = lagator_boxes()
    except DataUnavailable as exc:
        pytest.skip(exc.reason)
    assert sorted(MATCHED_BROKEN_10) == sorted(INTACT_10)
    assert break_minus_10(INTACT_10, minus_10) == MATCHED_BROKEN_10

    def energy(box):
        return sum(minus_10[k, "ACGT".index(b)] for k, b in enumerate(box))
    assert energy(INTACT_10) == 0.0
    weaker_strand = min(energy(MATCHED_BROKEN_10), energy(reverse_complement(MATCHED_BROKEN_10)))
    assert weaker_strand > energy(BROKEN_10) + 5, (weaker_strand, energy(BROKEN_10))
    with pytest.raises(ValueError, match="no other arrangement"):
        break_minus_10("AAAAAA", minus_10)
