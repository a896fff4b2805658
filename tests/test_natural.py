"""The natural set: RegulonDB σ70 promoters cut from the E. coli genome, checked against the sources themselves.

The genome and the RegulonDB file are read here independently of ``fixtures.natural`` (plain ``gzip``, ``csv``
and string slicing), so a window cut at the wrong place, on the wrong strand or from the wrong promoter fails.
"""

from __future__ import annotations

import csv
import gzip

import numpy as np
import pytest

from fixtures import grammar as g
from fixtures.datasets import ECOLI_GENOME, REGULONDB_PROMOTERS, DataUnavailable
from fixtures.genome import strand_windows
from fixtures.natural import (DISCRIMINATORS, MAX_ORIGIN, NATURAL_SET_CODE, TSS_INDEX, build_natural,
                              missing_data, parse_promoter_set)
from fixtures.plugin import build_run_sets
from fixtures.recurrence import background_zones
from fixtures.sets import SET_CODES

PINNED_SHA256 = "be3f71e262de689593f89afb0003a696727c0579e7fdf500ab8172bf5797dd3a"   # seed 42 (main's class A rule + issue 19's B exchange)


@pytest.fixture(scope="module")
def data_paths():
    reason = missing_data()
    if reason:
        pytest.skip(reason)
    from fixtures.datasets import resolve
    return {"genome": resolve(ECOLI_GENOME), "promoters": resolve(REGULONDB_PROMOTERS)}


@pytest.fixture(scope="module")
def natural(data_paths):
    return build_natural(42)


@pytest.fixture(scope="module")
def genome(data_paths) -> str:
    with gzip.open(data_paths["genome"], "rt") as handle:
        assert handle.readline().startswith(">NC_000913.3")
        return "".join(line.strip() for line in handle).upper()


@pytest.fixture(scope="module")
def regulondb_rows(data_paths) -> dict[str, dict]:
    with open(data_paths["promoters"], encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.reader(lines, delimiter="\t")
    header = [name.split(")", 1)[1].strip() for name in next(reader)]
    return {row[0]: dict(zip(header, row)) for row in reader}


def reverse_complement(text: str) -> str:
    return text[::-1].translate(str.maketrans("ACGT", "TGCA"))


def genome_window(genome: str, tss: int, strand: str, tss_index: int) -> str:
    """150 nt on the promoter's strand with the 1-based TSS at ``tss_index``, sliced from the circular genome."""
    circular = genome[-200:] + genome + genome[:200]          # a window may cross the origin
    t = tss - 1 + 200
    if strand == "+":
        return circular[t - tss_index:t - tss_index + 150]
    return reverse_complement(circular[t - (149 - tss_index):t + tss_index + 1])


def members(natural, label):
    records = natural.params["records"]
    return [(sid, seq, records[sid]) for sid, seq, c in zip(natural.ids, natural.sequences, natural.conditions)
            if c == label]


def test_the_run_has_the_natural_set_with_classes_a_b_g(data_paths):
    sets = build_run_sets("core", 42)
    assert "core" in sets and "natural" in sets, sorted(sets)
    natural = sets["natural"]
    sizes = {c: natural.conditions.count(c) for c in natural.condition_names()}
    assert sizes == {"A": 100, "B": 100, "G": 50}
    assert all(len(s) == g.WINDOW and not s.strip("ACGT") for s in natural.sequences)
    assert not set(natural.ids) & {i for role, s in sets.items() if role != "natural" for i in s.ids}


def test_every_a_and_g_window_is_the_genome_at_its_recorded_tss(natural, genome, regulondb_rows):
    checked = 0
    for label in "AG":
        for sid, sequence, record in members(natural, label):
            expected = genome_window(genome, record.tss, record.strand, record.tss_index)
            assert sequence == expected, f"{sid} ({record.regulondb_id}, TSS {record.tss} {record.strand}) is not " \
                                         f"the genome there:\n{sequence}\n{expected}"
            row = regulondb_rows[record.regulondb_id]
            assert int(row["posTSS"]) == record.tss and row["strand"] == {"+": "forward", "-": "reverse"}[
                record.strand], (sid, row)
            assert "sigma70" in row["sigmaFactor"] and "EXP-" in row["pmEvidence"] + row["addEvidence"], (sid, row)
            # RegulonDB's own 81 nt (TSS−60 … TSS+20) sit in the window around the TSS
            assert sequence[record.tss_index - 60:record.tss_index + 21] == row["pmSequence"].upper(), sid
            checked += 1
    assert checked == 150


def test_windows_put_the_tss_at_their_own_origin(natural):
    records = natural.params["records"]
    origins = [r.origin for r in records.values()]
    assert all(0 <= o <= MAX_ORIGIN and r.tss_index == TSS_INDEX + o for o, r in zip(origins, records.values()))
    assert len(set(origins)) > 30, f"the TSS sits at too few indices: {sorted(set(origins))}"
    assert {r.strand for r in records.values()} == {"+", "-"}


def test_classes_follow_their_rules(natural):
    for label in "AG":
        for sid, sequence, r in members(natural, label):
            assert sequence[r.minus_10:r.minus_10 + 6] == r.minus_10_box == r.natural_10, sid
            assert sequence[r.minus_35:r.minus_35 + 6] == r.minus_35_box, sid
            # a plausible discriminator: 5–9 nt between the −10's last base and +1 (the module doc says why)
            assert 5 <= r.tss_index - (r.minus_10 + 6) == r.discriminator <= 9, (sid, r.discriminator)
            assert r.minus_10 - r.minus_35 - 6 == r.spacer, sid
            assert 15 <= r.spacer <= 19, sid
            matches = sum(a == b for a, b in zip(r.natural_10, "TATAAT"))
            assert matches == r.minus_10_matches, sid
            # the located −10 is the best TATAAT match of the scanned range
            best = max(sum(a == b for a, b in zip(sequence[s:s + 6], "TATAAT"))
                       for s in range(r.tss_index - 15, r.tss_index - 10))
            assert matches == best, (sid, matches, best)
            if label == "A":
                assert matches >= 5, sid
            else:
                up = sequence[r.minus_35 - 20:r.minus_35]
                at = sum(c in "AT" for c in up) / 20
                extended = sequence[r.minus_10 - 3:r.minus_10 - 1] == "TG"
                assert matches <= 4 and (extended or at >= 0.8), (sid, matches, extended, at)
                assert extended == r.extended_10 and at == pytest.approx(r.up_at), sid


def test_the_discriminator_range_is_where_regulondb_puts_sigma70_minus_10s(natural):
    """Over RegulonDB's σ70 promoters with experimental evidence, a near-consensus −10 (≥ 5 of 6 TATAAT) ends
    5–8 nt before +1 more often than at any place outside ``DISCRIMINATORS`` (where it sits at chance level)."""
    from fixtures.datasets import resolve
    from fixtures.natural import FRAME_TSS, _candidates
    found = _candidates(str(resolve(REGULONDB_PROMOTERS)), str(resolve(ECOLI_GENOME)))
    consensus = g.encode(["TATAAT"])[0]
    near = {d: int(((found.frames[:, FRAME_TSS - 6 - d:FRAME_TSS - d] == consensus).sum(axis=1) >= 5).sum())
            for d in range(0, 12)}
    inside, outside = [near[d] for d in range(5, 9)], [near[d] for d in near if d not in DISCRIMINATORS]
    assert min(inside) > max(outside), near
    assert list(DISCRIMINATORS) == [5, 6, 7, 8, 9]


def test_b_is_a_with_its_minus_10_rearranged_and_background_restored(natural):
    """B_i is A_i with its −10 region and a block of background exchanged (grammar.exchange_minus_10): it differs
    inside the −10 region (widened at most 3 times) and in background far from every element, nowhere else."""
    from collections import Counter
    intact = {r.regulondb_id: (sid, seq, r) for sid, seq, r in members(natural, "A")}
    broken = members(natural, "B")
    assert len(broken) == len(intact) == 100
    for sid, seq, r in broken:
        a_id, a_seq, a = intact[r.regulondb_id]
        assert natural.families[natural.ids.index(sid)] == natural.families[natural.ids.index(a_id)]
        assert sorted(seq) == sorted(a_seq), f"{sid} and {a_id} differ in composition"
        assert Counter(zip(seq, seq[1:])) == Counter(zip(a_seq, a_seq[1:])), f"{sid} and {a_id} differ in dinucleotides"
        differing = {i for i, (x, y) in enumerate(zip(seq, a_seq)) if x != y}
        zones = background_zones(a.minus_35, a.minus_10, len(a_seq))
        region = set(range(a.minus_10 - g.BREAK_FLANK - 3, a.minus_10 + 6 + g.BREAK_FLANK + 3))
        background = {i for lo, hi in zones for i in range(lo, hi)}
        assert differing & region and differing <= region | background, (sid, sorted(differing))
        assert seq == g.exchange_minus_10(a_seq, a.minus_10, zones)
        assert r.minus_10_box == seq[a.minus_10:a.minus_10 + 6]
    g_families = natural.member_families("G")
    assert len(set(g_families)) == 50 and not set(g_families) & set(natural.member_families("A"))


def test_selection_is_seeded_and_each_promoter_independent_of_the_others(natural, data_paths):
    again, other = build_natural(42), build_natural(43)
    assert again.sequences == natural.sequences and again.sha256 == natural.sha256
    assert other.sha256 != natural.sha256
    small = build_natural(42, sizes={"A": 10, "G": 5})
    by_promoter = {(r.regulondb_id, c): seq for seq, c, r in
                   zip(natural.sequences, natural.conditions, (natural.params["records"][i] for i in natural.ids))}
    for sid, seq, c in zip(small.ids, small.sequences, small.conditions):
        r = small.params["records"][sid]
        # the 10 A and 5 G with the smallest keys are among the 100 and 50, with the same windows
        assert by_promoter[(r.regulondb_id, c)] == seq, sid


def test_default_natural_set_matches_its_pinned_sha256(natural):
    assert natural.sha256 == PINNED_SHA256


def test_candidates_with_inconsistent_records_are_excluded_with_the_reason(natural):
    excluded = natural.params["excluded"]
    assert "RDBECOLIPMC03929" in excluded and "is not NC_000913.3" in excluded["RDBECOLIPMC03929"]   # fimAp
    assert sum(reason == "no TSS position" for reason in excluded.values()) == 3
    used = {r.regulondb_id for r in natural.params["records"].values()}
    assert not used & set(excluded)


def test_the_natural_set_code_is_its_own():
    assert NATURAL_SET_CODE not in SET_CODES.values(), SET_CODES


def test_strand_windows_read_either_strand_across_the_origin():
    genome = "ACGTTGCAAAGGCCTT"
    codes = g.encode([genome])[0]
    windows = strand_windows(codes, np.array([1, 14, 1]), np.array([False, False, True]), upstream=3, length=6)
    assert g.decode(windows) == [
        (genome[-2:] + genome)[0:6],                       # TSS at 1: starts 3 nt upstream, across the origin
        (genome + genome)[11:17],                          # TSS at 14: runs past the end
        reverse_complement((genome[-1:] + genome)[0:6]),   # reverse: TSS at 1, genome 4 down to −1 (= 15)
    ]


def test_malformed_promoter_file_names_the_line(tmp_path):
    path = tmp_path / "PromoterSet.tsv"
    header = "\t".join(f"{k})x" for k in range(1, 13))
    path.write_text(f"# licence\n{header}\n")
    with pytest.raises(ValueError, match="expected the RegulonDB 13 columns"):
        parse_promoter_set(path)
    columns = "1)pmId\t2)pmName\t3)strand\t4)posTSS\t5)sigmaFactor\t6)pmSequence\t7)firstGeneName\t" \
              "8)distToFirstGene\t9)pmEvidence\t10)addEvidence\t11)confidenceLevel\t12)pmids"
    path.write_text(f"# licence\n{columns}\nRDBECOLIPMC00001\tp\tsideways\t12\tsigma70\n")
    with pytest.raises(ValueError, match=r"PromoterSet.tsv:3: 5 columns"):
        parse_promoter_set(path)


def test_without_data_the_run_keeps_its_synthetic_sets_and_says_how_to_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("MIT_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MIT_OFFLINE", "1")
    sets = build_run_sets("core", 42)
    assert "natural" not in sets and "core" in sets
    reason = missing_data()
    assert "PromoterSet_RegulonDB_v13.0.tsv" in reason and "MIT_OFFLINE=1" in reason
    assert "curl -L --create-dirs" in reason and "e-south/dnadesign-data" in reason
    with pytest.raises(DataUnavailable):
        build_natural(42)


def test_the_natural_skip_says_whether_the_download_failed_or_was_not_attempted(tmp_path, monkeypatch):
    import fixtures.datasets
    import fixtures.natural
    monkeypatch.setenv("MIT_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MIT_OFFLINE", raising=False)
    monkeypatch.setattr(fixtures.natural, "_download_failures", {})

    def no_network(spec, target):
        raise OSError("Name or service not known")
    monkeypatch.setattr(fixtures.datasets, "_download", no_network)
    assert "no download was attempted" in missing_data()
    assert "natural" not in fixtures.natural.with_natural({}, 42)
    failed = missing_data()
    assert "failed (Name or service not known)" in failed and "PromoterSet_RegulonDB_v13.0.tsv" in failed, failed
    monkeypatch.setenv("MIT_OFFLINE", "1")
    assert "MIT_OFFLINE=1 forbids downloading" in missing_data()


@pytest.mark.e2e
def test_without_data_offline_the_suite_runs_and_only_data_tests_skip(tmp_path, demonstrators):
    """``MIT_DATA_DIR= MIT_OFFLINE=1 pytest --model=kmer --model=rpa-pwm`` with an empty cache: kmer (which counts the
    genome) skips every test and the natural and outside tests skip, each with the command that fetches the data; rpa-pwm's
    other results are those of the demonstrators' run, which has whatever data this session has."""
    from tests.conftest import run_mit
    run = run_mit(tmp_path / "out", "--model=kmer", "--model=rpa-pwm", "--mit-examples=1",
                  env={"MIT_DATA_DIR": "", "MIT_OFFLINE": "1", "MIT_CACHE_HOME": str(tmp_path / "empty")})
    # kmer measured nothing (every test skipped for its missing genome): exit 2, with the reason on one line
    assert run.returncode == 2 and "MIT: kmer measured nothing" in run.proc.stdout, run.log
    verdicts = {(m, p): r["verdict"] for m in ("kmer", "rpa-pwm") for p, r in run.properties(m).items()}
    assert "error" not in verdicts.values(), verdicts
    kmer = run.properties("kmer")
    assert {p: r["verdict"] for p, r in kmer.items() if p != "mpra"} == {p: "skip" for p in kmer if p != "mpra"}
    assert "kmer counts the 6-mers of the E. coli genome" in kmer["motif"]["reason"]
    assert "curl -L --create-dirs" in kmer["motif"]["reason"]
    ours = run.properties("rpa-pwm")
    assert ours["motif_natural"]["verdict"] == "skip"
    assert "RegulonDB" in ours["motif_natural"]["reason"] and "curl -L --create-dirs" in ours["motif_natural"]["reason"]
    reference = demonstrators.properties("rpa-pwm")
    # the data tests: the natural set, measured expression, and the outside-construction criterion (genome windows)
    assert ours["outside"]["verdict"] == "skip", ours["outside"]
    same = {p: (r["verdict"], r.get("estimate")) for p, r in ours.items()
            if p not in ("motif_natural", "mpra", "outside")}
    assert same == {p: (reference[p]["verdict"], reference[p].get("estimate")) for p in same}


class UniformLikelihood:
    """Log-likelihood of the uniform model: ln ¼ per nucleotide, so every NLL per nucleotide is ln 4."""

    name, kind, fingerprint = "uniform-likelihood", "likelihood", "uniform-likelihood/v1"

    def score(self, sequences):
        return np.array([len(s) * np.log(0.25) for s in sequences])


@pytest.mark.e2e
def test_canary_reports_its_promoter_nll_on_the_natural_a_windows(tmp_path, data_paths):
    from tests.conftest import run_mit
    spec = "tests.test_natural:UniformLikelihood"
    run = run_mit(tmp_path / "out", f"--model={spec}", "--mit-canary-nll=10", "-k", "canary")
    canary = run.properties(spec)["canary"]
    assert canary["verdict"] == "pass", run.log
    assert canary["details"]["promoter_nll_set"] == "natural class A", canary["details"]
    assert canary["details"]["promoter_nll_per_nt"] == pytest.approx(np.log(4))
