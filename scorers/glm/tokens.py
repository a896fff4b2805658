"""DNA tokenization with a nucleotide map: which nucleotides each token of a Hugging Face tokenizer covers.

Tokens may cover several nucleotides (6-mers, BPE). The likelihood scorers use the map to know which tokens
are sequence tokens (scored) and special tokens (never scored), and to spread a token's log-probability over
its nucleotides. No torch here: plain numpy arrays in and out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

# Word-piece / byte-level / sentencepiece markers that are not nucleotides.
_PIECE_MARKERS = ("##", "\u0120", "\u2581")
# Sequences that decide whether a tokenizer is a character table: every nucleotide, several lengths, repeats
# (which a k-mer or BPE vocabulary would merge).
_PROBES = ("A", "C", "G", "T", "ACGT", "TTGACAATTAATCATCGGCTCGTATAAT", "AAAAAAAAAAAA", "GCGCGCGCGCGCGCGCGC",
           "ACGTTGCAACGTACCATGGT" * 6 + "ACG")


@dataclass(frozen=True)
class _CharacterTable:
    """One token per nucleotide: ``ids`` ``(256,)`` token id by ASCII code (-1: no token), and the special
    token ids every encoding starts (``prefix``) and ends (``suffix``) with."""

    ids: np.ndarray
    prefix: np.ndarray
    suffix: np.ndarray


@dataclass(frozen=True)
class Encoding:
    """One tokenized sequence: ``ids`` ``(T,)`` int64 with special tokens; ``starts``/``ends`` ``(T,)`` the
    half-open nucleotide interval of each token, ``-1`` for special tokens."""

    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @property
    def is_sequence(self) -> np.ndarray:
        return self.starts >= 0


class NucleotideTokenizer:
    """Tokenizes DNA with a Hugging Face tokenizer (or a fixed character table) and maps tokens to nucleotides.

    Every sequence token must spell a piece of the sequence, in order and without gaps: otherwise the
    nucleotides a score covers are unknown, and a ValueError says which sequence and tokens broke the rule.
    """

    def __init__(self, tokenizer=None, *, char_vocab: Mapping[str, object] | None = None,
                 prepend_bos: bool | None = None, bos_id: int | None = None, name: str = "model"):
        if tokenizer is None and char_vocab is None:
            raise ValueError("a tokenizer or a character table is needed")
        self.tokenizer = tokenizer
        self.char_vocab = char_vocab
        self.name = name
        if tokenizer is not None:
            self.special_ids = {int(i) for i in tokenizer.all_special_ids}
            self.pad_id = _first_not_none(tokenizer.pad_token_id, tokenizer.eos_token_id, 0)
            self.mask_id = tokenizer.mask_token_id
            bos_id = _first_not_none(bos_id, tokenizer.bos_token_id, tokenizer.cls_token_id)
        else:
            self.special_ids = {int(i) for i in char_vocab.get("<append>", ())} | {int(char_vocab["<pad>"])}
            self.pad_id = int(char_vocab["<pad>"])
            self.mask_id = char_vocab.get("<mask>")
        if prepend_bos and bos_id is None:
            raise ValueError(f"{name}: the recipe asks for a BOS token but the tokenizer has none")
        self.prepend_bos = prepend_bos
        self.bos_id = bos_id
        self._table = self._character_table()

    def encode(self, sequences: Sequence[str]) -> list[Encoding]:
        if self._table is not None:
            encodings = [self._encode_with_table(s) for s in sequences]
        else:
            batch = self.tokenizer(list(sequences), add_special_tokens=True)["input_ids"]
            encodings = [self._map(s, ids) for s, ids in zip(sequences, batch)]
        if self.prepend_bos:
            encodings = [e if len(e.ids) and e.ids[0] == self.bos_id and e.starts[0] < 0 else
                         Encoding(np.concatenate([[self.bos_id], e.ids]).astype(np.int64),
                                  np.concatenate([[-1], e.starts]), np.concatenate([[-1], e.ends]))
                         for e in encodings]
        return encodings

    def _character_table(self) -> _CharacterTable | None:
        """The table of a one-token-per-nucleotide tokenizer, so encoding is a look-up instead of a Python call
        per character; None for tokenizers whose tokens span several nucleotides (k-mers, BPE).

        A character table (``char_vocab``) is one by construction. A Hugging Face tokenizer is one when, on
        probe sequences of several lengths holding every nucleotide, its output is always the same special
        tokens before and after one token per nucleotide with one id per nucleotide letter; anything else keeps
        the tokenizer's own path."""
        if self.tokenizer is None:
            ids = np.full(256, -1, dtype=np.int64)
            for letter in "ACGTN":
                if letter in self.char_vocab:
                    ids[ord(letter)] = int(self.char_vocab[letter])
            return _CharacterTable(ids, np.zeros(0, dtype=np.int64),
                                   np.array([int(i) for i in self.char_vocab.get("<append>", ())], dtype=np.int64))
        ids = np.full(256, -1, dtype=np.int64)
        prefix = suffix = None
        for probe in _PROBES:
            try:
                enc = self._map(probe, self.tokenizer(probe, add_special_tokens=True)["input_ids"])
            except ValueError:   # a tokenizer that does not spell the probe back: its own path decides
                return None
            inner = np.flatnonzero(enc.is_sequence)
            if (len(inner) != len(probe) or not np.array_equal(enc.starts[inner], np.arange(len(probe)))
                    or len(inner) and inner[-1] - inner[0] + 1 != len(inner)):
                return None
            before, after = enc.ids[:inner[0]], enc.ids[inner[-1] + 1:]
            if prefix is None:
                prefix, suffix = before, after
            elif not (np.array_equal(before, prefix) and np.array_equal(after, suffix)):
                return None
            codes = np.frombuffer(probe.encode("ascii"), dtype=np.uint8)
            known = ids[codes] >= 0
            if not np.array_equal(ids[codes][known], enc.ids[inner][known]):
                return None
            ids[codes] = enc.ids[inner]
        if len(set(ids[[ord(c) for c in "ACGT"]].tolist())) != 4:
            return None
        return _CharacterTable(ids, prefix, suffix)

    def _encode_with_table(self, sequence: str) -> Encoding:
        table = self._table
        try:
            codes = np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)
        except UnicodeEncodeError:
            codes = np.zeros(0, dtype=np.uint8)
        letters = table.ids[codes]
        if len(codes) != len(sequence) or (letters < 0).any():
            raise ValueError(f"{self.name}: {sequence[:40]!r} has characters the tokenizer has no token for")
        n, before, after = len(sequence), len(table.prefix), len(table.suffix)
        positions = np.arange(n, dtype=np.int64)
        return Encoding(np.concatenate([table.prefix, letters, table.suffix]),
                        np.concatenate([np.full(before, -1), positions, np.full(after, -1)]),
                        np.concatenate([np.full(before, -1), positions + 1, np.full(after, -1)]))

    def _map(self, sequence: str, ids: Sequence[int]) -> Encoding:
        ids = np.asarray(ids, dtype=np.int64)
        special = np.array([int(i) in self.special_ids for i in ids], dtype=bool)
        pieces = [_strip_marker(t) for t in self.tokenizer.convert_ids_to_tokens(ids[~special].tolist())]
        lengths = np.array([len(p) for p in pieces], dtype=np.int64)
        if "".join(pieces).upper() == sequence and lengths.all():
            ends_seq = np.cumsum(lengths)
            starts_seq = ends_seq - lengths
        else:
            starts_seq, ends_seq = self._spans_from_offsets(sequence, ids, special, pieces)
        starts = np.full(len(ids), -1, dtype=np.int64)
        ends = np.full(len(ids), -1, dtype=np.int64)
        starts[~special], ends[~special] = starts_seq, ends_seq
        return Encoding(ids, starts, ends)

    def _spans_from_offsets(self, sequence, ids, special, pieces):
        problem = (f"{self.name}: the tokenizer does not spell {sequence[:40]!r}"
                   f"{'...' if len(sequence) > 40 else ''} back from its tokens {pieces[:8]}"
                   f"{'...' if len(pieces) > 8 else ''}; MIT needs every token to cover whole nucleotides "
                   "(an unknown or normalised token breaks that)")
        if not getattr(self.tokenizer, "is_fast", False):
            raise ValueError(problem)
        encoded = self.tokenizer(sequence, add_special_tokens=True, return_offsets_mapping=True)
        if list(encoded["input_ids"]) != ids.tolist():
            raise ValueError(problem)
        offsets = np.asarray(encoded["offset_mapping"], dtype=np.int64)[~special]
        starts, ends = offsets[:, 0], offsets[:, 1]
        tiles = (len(starts) > 0 and starts[0] == 0 and ends[-1] == len(sequence)
                 and np.array_equal(starts[1:], ends[:-1]) and (ends > starts).all())
        if not tiles:
            raise ValueError(problem)
        return starts, ends


def _strip_marker(piece: str) -> str:
    for marker in _PIECE_MARKERS:
        if piece.startswith(marker):
            return piece[len(marker):]
    return piece


def _first_not_none(*values):
    for v in values:
        if v is not None:
            return int(v)
    return None
