"""``scores:FILE``: replay precomputed scores (scored elsewhere, e.g. on a GPU cluster) as a Scorer.

Accepted files (format detected from the content):

* JSON keyed by id, ``{"A_000": -138.7, ...}`` (the paper's hyenadna/grover/kmer/pwm/random files);
* JSON keyed by class, ``{"A": [..100..], ..., "H": [..50..]}``: index i of list X is id ``X_{i:03d}`` (the
  paper's evo2_1b/nt_500m/caduceus files);
* JSON ``{"<model>": <one of the above>}`` with a single model (the paper's all_results.json), or pick one of
  several with ``scores:FILE#model``;
* JSON keyed by sequence, ``{"ACGT...": score}``;
* CSV with a header: ``id,sequence,score`` as written by ``python -m scorers``, or ``id,score`` or
  ``sequence,score``. ``python -m scorers`` adds ``kind`` (the scorer's kind), ``set`` and ``set_sha256`` (the
  MIT set of each row and its sha256, from the ``;mit-set`` lines of ``python -m fixtures``' FASTA),
  ``scored_nucleotides`` (for scorers that say how many nucleotides a score sums over) and ``per_nucleotide``.
  Other columns are ignored.

Keyed by id, the scores are looked up with ``score_with_ids(ids, sequences)``; when the file also holds the
sequences they must match. Keyed by sequence, ``score(sequences)`` works as well. Ids (or sequences) that are
requested but missing, present in the file but not requested ("extra": the file was scored on another set),
or duplicated in the file are a ValueError naming them.

Ids alone do not say which sequences were scored: ``C_000`` exists at every seed. So before scoring,
``check_sets`` compares the file with the run's sets: a file with ``set_sha256`` must have been scored on sets
with the run's sha256s; a file with sequences is checked sequence by sequence; a file keyed by id with neither
(the paper's JSON) is valid only for ``--mit-set mit-v1``, whose 650 ids name fixed sequences.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from scorers.protocol import name_ids

_CLASS_KEY = re.compile(r"^[A-Z]$")
_ACGT = re.compile(r"^[ACGT]+$")


def _pairs_rejecting_duplicates(pairs):
    """``object_pairs_hook`` for json: a dict, or ValueError naming every key that occurs more than once
    (``json.load`` would silently keep the last one)."""
    seen, duplicated = {}, []
    for key, value in pairs:
        if key in seen and key not in duplicated:
            duplicated.append(key)
        seen[key] = value
    if duplicated:
        raise ValueError(f"duplicated keys {name_ids(duplicated)}")
    return seen


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: score {value!r} is not a number") from None
    return float(value)


class ReplayScores:
    """Scores read from a file, keyed by id (``keyed_by == "id"``) or by sequence (``"sequence"``).

    ``name`` is ``"scores:" + spec``; ``fingerprint`` holds the file's sha256, so a changed file never reuses
    cached numbers. ``kind`` is the file's ``kind`` column, else ``"score"`` (the paper's JSON does not say
    whether its numbers are log-likelihoods). ``n_scored_nucleotides(sequences)`` exists when the file has
    ``sequence`` and ``scored_nucleotides`` columns. ``set_sha256`` is ``{set name: sha256}`` from the file.
    """

    # Only the sequences of the file can be scored: tests that draw new sequences (hypothesis robustness,
    # probe sets the file was not scored on) must skip a replayed model rather than fail it.
    precomputed = True
    cacheable = False          # a lookup in the file is as fast as one in the cache

    def __init__(self, spec: str, base_dir: str | Path | None = None):
        path_text, _, self.model_key = spec.partition("#")
        path = Path(path_text).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        if not path.is_file():
            raise FileNotFoundError(f"scores:{spec}: no such file {path}")
        self.path = path
        self.name = "scores:" + spec
        data = path.read_bytes()
        self.sha256 = hashlib.sha256(data).hexdigest()
        model = f"#{self.model_key}" if self.model_key else ""
        self.fingerprint = f"scores/v1 sha256={self.sha256}{model}"
        # sequences_by_id: the file's sequence of each id, when it has one (checked against the request).
        self.sequences_by_id: dict[str, str] = {}
        self.kind = "score"
        self.set_sha256: dict[str, str] = {}
        self._nucleotides: dict[str, float] = {}     # sequence -> scored nucleotides
        text = data.decode("utf-8-sig")
        if path.suffix.lower() == ".csv" or (not text.lstrip().startswith(("{", "["))):
            self.keyed_by, self.table = self._read_csv(text)
        else:
            self.keyed_by, self.table = self._read_json(text)
        if not self.table:
            raise ValueError(f"{self.name}: the file holds no scores")
        if self._nucleotides:
            self.n_scored_nucleotides = self._scored_nucleotides

    # --- reading ---------------------------------------------------------------------------------------

    def _read_json(self, text: str) -> tuple[str, dict[str, float]]:
        try:
            data = json.loads(text, object_pairs_hook=_pairs_rejecting_duplicates)
        except ValueError as exc:      # JSONDecodeError or our duplicated keys
            raise ValueError(f"{self.name}: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{self.name}: expected a JSON object, got {type(data).__name__}")
        if data and all(isinstance(v, dict) for v in data.values()):      # {"model": {...}}
            if self.model_key:
                if self.model_key not in data:
                    raise ValueError(f"{self.name}: no model {self.model_key!r} in the file; "
                                     f"it has {sorted(data)}")
                data = data[self.model_key]
            elif len(data) == 1:
                data = next(iter(data.values()))
            else:
                raise ValueError(f"{self.name}: the file holds several models {sorted(data)}; "
                                 f"pick one with scores:{self.path}#MODEL")
        elif self.model_key:
            raise ValueError(f"{self.name}: '#{self.model_key}' given but the file is not keyed by model")
        if data and all(_CLASS_KEY.match(k) and isinstance(v, list) for k, v in data.items()):
            table = {f"{label}_{i:03d}": _number(v, f"{self.name} {label}[{i}]")
                     for label, values in data.items() for i, v in enumerate(values)}
            return "id", table
        if any(isinstance(v, (list, dict)) for v in data.values()):
            bad = [k for k, v in data.items() if isinstance(v, (list, dict))]
            raise ValueError(f"{self.name}: not a score file: keys {name_ids(bad)} hold lists or objects "
                             "(class-keyed files use single capital letters A-H)")
        table = {k: _number(v, f"{self.name} {k}") for k, v in data.items()}
        keyed_by = "sequence" if all(_ACGT.match(k) and len(k) >= 20 for k in table) else "id"
        return keyed_by, table

    def _read_csv(self, text: str) -> tuple[str, dict[str, float]]:
        reader = csv.DictReader(text.splitlines())
        fields = reader.fieldnames or []
        if "score" not in fields or not ({"id", "sequence"} & set(fields)):
            raise ValueError(f"{self.name}: a CSV score file needs a header with 'score' and 'id' and/or "
                             f"'sequence' columns; found {fields}")
        key_field = "id" if "id" in fields else "sequence"
        table: dict[str, float] = {}
        duplicated: list[str] = []
        kinds, set_hashes = set(), {}
        for line, row in enumerate(reader, start=2):
            key = (row.get(key_field) or "").strip()
            if not key:
                raise ValueError(f"{self.name}: line {line} has an empty {key_field}")
            if key in table and key not in duplicated:
                duplicated.append(key)
            table[key] = _number(row.get("score"), f"{self.name} line {line} ({key})")
            sequence = (row.get("sequence") or "").strip()
            if key_field == "id" and sequence:
                self.sequences_by_id[key] = sequence
            if row.get("kind"):
                kinds.add(row["kind"].strip())
            if row.get("set"):
                set_hashes.setdefault(row["set"].strip(), set()).add((row.get("set_sha256") or "").strip())
            if sequence and (row.get("scored_nucleotides") or "").strip():
                self._nucleotides[sequence] = _number(row["scored_nucleotides"], f"{self.name} line {line} "
                                                      f"({key}) scored_nucleotides")
        if duplicated:
            raise ValueError(f"{self.name}: duplicated {key_field}s {name_ids(duplicated)}")
        if len(kinds) > 1:
            raise ValueError(f"{self.name}: the kind column holds several kinds {sorted(kinds)}")
        self.kind = kinds.pop() if kinds else "score"
        for set_name, hashes in set_hashes.items():
            if len(hashes) != 1 or "" in hashes:
                raise ValueError(f"{self.name}: set {set_name} has {len(hashes)} different set_sha256 values "
                                 f"{sorted(hashes)}; each set has one")
            self.set_sha256[set_name] = hashes.pop()
        return key_field, table

    # --- checking -------------------------------------------------------------------------------------

    def check_sets(self, sets) -> None:
        """ValueError unless the file can be, and was, scored on ``sets`` (``{role: SequenceSet}``, the run's):
        by ``set_sha256`` when the file has it, else by its sequences; an id-keyed file with neither only
        with the paper's fixed ``mit-v1`` ids (see the module docstring)."""
        run = {s.name: s for s in sets.values()}
        if self.set_sha256:
            differ = [f"{name} (file {self.set_sha256[name][:12]}..., this run {s.sha256[:12]}...)"
                      for name, s in run.items() if name in self.set_sha256 and self.set_sha256[name] != s.sha256]
            if differ:
                raise ValueError(f"{self.name} was scored on other sequences than this run's: the set sha256 "
                                 f"differs for {', '.join(differ)}. Another --mit-seed or --mit-set? Write this "
                                 "run's sequences with python -m fixtures (same --seed) and score those")
        elif self.keyed_by == "id" and not self.sequences_by_id and set(run) != {"mit-v1"}:
            raise ValueError(f"{self.name} is keyed by id and holds neither the sequences nor their set sha256, so "
                             "nothing says it was scored on this run's sequences (ids repeat at every seed). "
                             "Such files (the paper's) are valid with --mit-set mit-v1 only; otherwise score "
                             "python -m fixtures' FASTA with python -m scorers, whose CSV carries both")

    def holds(self, sequence_set) -> bool:
        """Whether the file has a score for every member of ``sequence_set`` (``fixtures.sets.SequenceSet``),
        by sequence or by id as the file is keyed; an id-keyed file that records sequences must record these."""
        if self.keyed_by == "sequence":
            return all(s in self.table for s in sequence_set.sequences)
        if self.sequences_by_id:
            return all(self.sequences_by_id.get(i) == s for i, s in zip(sequence_set.ids, sequence_set.sequences))
        return all(i in self.table for i in sequence_set.ids)

    def _scored_nucleotides(self, sequences: Sequence[str]) -> np.ndarray:
        """``(n,)`` the file's ``scored_nucleotides`` of each sequence; ValueError naming any it lacks."""
        missing = [s for s in sequences if s not in self._nucleotides]
        if missing:
            raise ValueError(f"{self.name}: no scored_nucleotides for {len(missing)} sequences: "
                             f"{name_ids(missing, 3)}")
        return np.array([self._nucleotides[s] for s in sequences], dtype=np.float64)

    # --- scoring ---------------------------------------------------------------------------------------

    def _lookup(self, keys: Sequence[str], names: Sequence[str], what: str) -> np.ndarray:
        requested = list(keys)
        # A run asks for one sequence more than once where its sets share it (a probe set reuses a core member):
        # one score per sequence answers every request. Ids must not repeat.
        duplicated = sorted({n for k, n in zip(requested, names) if requested.count(k) > 1}) \
            if what == "id" and len(set(requested)) != len(requested) else []
        if duplicated:
            raise ValueError(f"{self.name}: duplicated {what}s requested: {name_ids(duplicated)}")
        missing = [n for k, n in zip(requested, names) if k not in self.table]
        extra = sorted(set(self.table) - set(requested))
        problems = []
        if missing:
            problems.append(f"{len(missing)} {what}s missing from the file: {name_ids(missing)}")
        if extra:
            problems.append(f"{len(extra)} extra {what}s in the file that this run does not score "
                            f"(scored on another set?): {name_ids(extra)}")
        if problems:
            raise ValueError(f"{self.name}: " + "; ".join(problems))
        values = np.array([self.table[k] for k in requested], dtype=np.float64)
        bad = [n for n, v in zip(names, values) if not math.isfinite(v)]
        if bad:
            raise ValueError(f"{self.name}: non-finite scores for {name_ids(bad)}")
        return values

    def score_with_ids(self, ids: Sequence[str], sequences: Sequence[str]) -> np.ndarray:
        """``(n,)`` float64 stored scores of the sequences named by ``ids`` (every id of the run)."""
        ids, sequences = list(ids), list(sequences)
        if len(ids) != len(sequences):
            raise ValueError(f"{self.name}: {len(ids)} ids for {len(sequences)} sequences")
        if self.keyed_by == "sequence":
            return self._lookup(sequences, ids, "sequence")
        if self.sequences_by_id:
            known = self.sequences_by_id
            differ = [i for i, s in zip(ids, sequences) if i in known and known[i] != s]
            if differ:
                raise ValueError(f"{self.name}: the file's sequences differ from this run's for ids "
                                 f"{name_ids(differ)} (scored at another --mit-seed or on another set?)")
        return self._lookup(ids, ids, "id")

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        """``(n,)`` stored scores of a sequence-keyed file (an id-keyed file needs :meth:`score_with_ids`)."""
        sequences = list(sequences)
        if self.keyed_by != "sequence":
            raise ValueError(f"{self.name} is keyed by id: score it through scorers.runner.score_sequences "
                             "(score_with_ids), which passes the ids")
        return self._lookup(sequences, [f"#{i}" for i in range(len(sequences))], "sequence")


# Read and parsed when --model is checked, before any scoring: a missing or malformed file is a usage error.
CHECKS = {"scores:": ReplayScores}
PREFIXES = {
    "scores:": (lambda arg, options: ReplayScores(arg),
                "replay precomputed scores from FILE (JSON keyed by id, class or sequence; CSV id,sequence,score)"),
}
