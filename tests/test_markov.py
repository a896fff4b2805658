"""``markov:K`` (scorers/reference/markov.py): counts, exact normalisation, the training split, the registry."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from fixtures.grammar import encode
from scorers.reference.markov import (BREAK, MAX_ORDER, chain_log_likelihood, kmer_counts, parse_order,
                                      transition_log_tables)


def test_transition_tables_count_within_segments_with_add_one():
    segments = [encode(["ACGTAC"])[0], encode(["AA"])[0]]
    order0, order1 = transition_log_tables(segments, 1)
    # Bases: A 4, C 2, G 1, T 1 (+1 each, over 12).
    np.testing.assert_allclose(np.exp(order0[0]), np.array([5, 3, 2, 2]) / 12)
    # After A: C twice (AC, AC) and A once (AA, inside the second segment); no pair spans the two segments.
    np.testing.assert_allclose(np.exp(order1[0]), np.array([2, 3, 1, 1]) / 7)
    np.testing.assert_allclose(np.exp(order1[3]), np.array([2, 1, 1, 1]) / 5)     # after T: A once


def slow_transition_log_tables(segments, order):
    """One k-mer at a time, segment by segment: add-one counts of each base after each context."""
    tables = []
    for j in range(order + 1):
        counts = np.ones((4 ** j, 4))
        for codes in segments:
            for start in range(len(codes) - j):
                context = 0
                for c in codes[start:start + j]:
                    context = context * 4 + int(c)
                counts[context, codes[start + j]] += 1
        tables.append(np.log(counts / counts.sum(axis=1, keepdims=True)))
    return tables


@pytest.mark.parametrize("order", [0, 2, 4])
def test_the_vectorised_counts_equal_a_slow_count_within_segments(order):
    rng = np.random.default_rng(10 + order)
    segments = [rng.integers(0, 4, size=n).astype(np.uint8) for n in (0, 1, order, order + 1, 37, 300)]
    fast = transition_log_tables(segments, order)
    for j, (got, expected) in enumerate(zip(fast, slow_transition_log_tables(segments, order))):
        np.testing.assert_array_equal(got, expected, err_msg=f"order {j}")


def test_kmer_counts_skip_every_kmer_holding_a_break():
    codes = np.array([0, 1, BREAK, 2, 3, 3, BREAK, BREAK, 0], dtype=np.uint8)
    pairs = kmer_counts(codes, 2)
    assert pairs.sum() == 3 and pairs[0 * 4 + 1] == 1 and pairs[2 * 4 + 3] == 1 and pairs[3 * 4 + 3] == 1
    assert kmer_counts(codes, 4).sum() == 0 and kmer_counts(codes[:2], 3).sum() == 0
    assert kmer_counts(codes, 1).tolist() == [2, 1, 1, 2]


def slow_log_likelihood(sequence: str, tables) -> float:
    """One base at a time: each by the longest context the chain has for it."""
    order, total = len(tables) - 1, 0.0
    codes = encode([sequence])[0]
    for i, base in enumerate(codes):
        k = min(i, order)
        context = 0
        for c in codes[i - k:i]:
            context = context * 4 + int(c)
        total += tables[k][context, base]
    return total


@pytest.mark.parametrize("order", [0, 1, 3])
def test_the_chain_is_exact_and_sums_to_one_over_every_sequence_of_a_length(order):
    rng = np.random.default_rng(order)
    segments = [rng.integers(0, 4, size=500).astype(np.uint8) for _ in range(3)]
    tables = transition_log_tables(segments, order)
    for length in (1, order + 2, 5):
        every = encode(["".join(p) for p in itertools.product("ACGT", repeat=length)])
        assert np.exp(chain_log_likelihood(every, tables)).sum() == pytest.approx(1.0, abs=1e-9)
    sequences = ["".join(rng.choice(list("ACGT"), size=n)) for n in (1, 2, 7, 40)]
    fast = [chain_log_likelihood(encode([s]), tables)[0] for s in sequences]
    np.testing.assert_allclose(fast, [slow_log_likelihood(s, tables) for s in sequences], rtol=0, atol=1e-12)


@pytest.mark.parametrize("argument", ["-1", "x", "", str(MAX_ORDER + 1), "2.5"])
def test_a_bad_order_is_refused_naming_the_range(argument):
    with pytest.raises(ValueError, match=f"markov:K needs an order K in 0…{MAX_ORDER}"):
        parse_order(argument)


def test_markov_is_a_registered_likelihood_model_fitted_on_the_training_split():
    from fixtures.natural import missing_data
    from scorers.registry import UnknownModelError, check_spec, resolve
    with pytest.raises(UnknownModelError, match="markov:K needs an order"):
        check_spec("markov:x")
    if missing_data():
        pytest.skip(missing_data())
    from fixtures.genome_split import ecoli_training_segments, segments_sha256
    chain = resolve("markov:2")
    assert chain.kind == "likelihood" and segments_sha256(ecoli_training_segments()) in chain.fingerprint
    sequences = ["ACGT" * 10, "A" * 25]
    np.testing.assert_array_equal(chain.n_scored_nucleotides(sequences), [40, 25])
    assert np.all(chain.score(sequences) < 0) and chain.score(sequences)[0] > 40 * -math.log(4) - 10
