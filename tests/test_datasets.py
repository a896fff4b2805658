"""``fixtures.datasets``: the cache and download path, with a local ``file://`` source (never the network)."""

from __future__ import annotations

import hashlib

import pytest

from fixtures import datasets
from fixtures.datasets import DataChecksumError, DataFile, DataUnavailable

CONTENT = b"one pinned data file\n" * 100


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A data file served from ``file://``, registered under the key ``test/data/file.txt``; no data dir, an
    empty user cache, downloads allowed."""
    served = tmp_path / "served" / "file.txt"
    served.parent.mkdir()
    served.write_bytes(CONTENT)
    spec = DataFile("test", "data/file.txt", served.as_uri(), hashlib.sha256(CONTENT).hexdigest(), "a test file")
    monkeypatch.setitem(datasets.FILES, spec.key, spec)
    monkeypatch.delenv("MIT_DATA_DIR", raising=False)
    monkeypatch.delenv("MIT_OFFLINE", raising=False)
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "cache"))
    return spec, served, tmp_path / "cache" / "test" / "data" / "file.txt"


def test_a_missing_file_is_downloaded_through_pooch_into_the_user_cache(source, monkeypatch):
    import pooch
    spec, _, cached = source
    calls = []
    real_retrieve = pooch.retrieve
    monkeypatch.setattr(pooch, "retrieve", lambda *a, **k: calls.append(k) or real_retrieve(*a, **k))
    assert datasets.resolve(spec.key) == cached and cached.read_bytes() == CONTENT
    assert calls and calls[0]["known_hash"] == f"sha256:{spec.sha256}"
    assert datasets.resolve(spec.key) == cached and len(calls) == 1, "a cached file must not be fetched again"


def test_a_tampered_download_is_an_error_naming_the_file_and_leaves_nothing(source):
    spec, served, cached = source
    served.write_bytes(CONTENT.replace(b"pinned", b"changed"))
    with pytest.raises(DataChecksumError, match="test/data/file.txt"):
        datasets.resolve(spec.key)
    assert not cached.exists() and not list(cached.parent.glob("*")), "a bad download left a file in the cache"


def test_a_truncated_cache_copy_is_fetched_again(source):
    spec, _, cached = source
    cached.parent.mkdir(parents=True)
    cached.write_bytes(CONTENT[:50])
    assert datasets.resolve(spec.key) == cached and cached.read_bytes() == CONTENT


def test_a_truncated_data_dir_copy_is_an_error_naming_it(source, tmp_path, monkeypatch):
    spec, _, _ = source
    copy = tmp_path / "data" / "test" / "data" / "file.txt"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(CONTENT[:50])
    monkeypatch.setenv("MIT_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DataChecksumError, match=r"file.txt is not the pinned test/data/file.txt"):
        datasets.resolve(spec.key)


def test_offline_never_downloads(source, monkeypatch):
    import pooch
    spec, _, cached = source
    monkeypatch.setenv("MIT_OFFLINE", "1")
    monkeypatch.setattr(pooch, "retrieve", lambda *a, **k: pytest.fail("MIT_OFFLINE=1 must not download"))
    with pytest.raises(DataUnavailable) as info:
        datasets.resolve(spec.key)
    assert "MIT_OFFLINE=1" in info.value.reason and f"curl -L --create-dirs -o {cached}" in info.value.reason
    assert info.value.key == spec.key and not cached.exists()


def test_an_unreachable_source_is_unavailable_with_the_reason(source, monkeypatch):
    spec, served, _ = source
    served.unlink()
    with pytest.raises(DataUnavailable, match="test/data/file.txt .*the download from file://.* failed"):
        datasets.resolve(spec.key)


def test_every_registered_file_has_a_pinned_https_source():
    for key, spec in datasets.FILES.items():
        assert key == f"{spec.dataset}/{spec.path}"
        assert spec.url.startswith("https://") and len(spec.sha256) == 64 and int(spec.sha256, 16) >= 0, key


def test_kmer_without_the_genome_skips_with_the_fetch_command(tmp_path, monkeypatch):
    from scorers.protocol import ScorerOptions, ScorerUnavailable
    from scorers.registry import resolve
    monkeypatch.delenv("MIT_DATA_DIR", raising=False)
    monkeypatch.setenv("MIT_CACHE_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("MIT_OFFLINE", "1")
    with pytest.raises(ScorerUnavailable, match=r"kmer counts the 6-mers .*curl -L --create-dirs .*MCB185"):
        resolve("kmer", ScorerOptions())


def test_looking_without_downloading_names_the_file_and_the_fetch_command(source, monkeypatch):
    import pooch
    spec, _, cached = source
    monkeypatch.setattr(pooch, "retrieve", lambda *a, **k: pytest.fail("download=False must not download"))
    with pytest.raises(DataUnavailable) as info:
        datasets.resolve(spec.key, download=False)
    assert "test/data/file.txt (a test file) is missing" in info.value.reason
    assert "MIT_OFFLINE" not in info.value.reason and "curl -L --create-dirs" in info.value.reason


@pytest.mark.parametrize("online", [False, True])
def test_a_tampered_cache_copy_is_said_to_be_corrupt_not_missing(source, monkeypatch, online):
    """Loud case (issue 22): a tampered copy in the user cache was deleted and the skip said the file 'is
    missing'. It is now moved aside and named corrupt, offline; online it is fetched again."""
    spec, served, cached = source
    cached.parent.mkdir(parents=True)
    cached.write_bytes(CONTENT.replace(b"one", b"two"))
    if not online:
        monkeypatch.setenv("MIT_OFFLINE", "1")
        with pytest.raises(DataUnavailable) as info:
            datasets.resolve(spec.key)
        assert "is corrupt" in info.value.reason and "is missing" not in info.value.reason, info.value.reason
        assert f"the copy in the cache {cached} was corrupt" in info.value.problem
    else:
        served.unlink()
        with pytest.raises(DataUnavailable, match="was corrupt .* the download from file://.* failed"):
            datasets.resolve(spec.key)
    assert cached.with_name("file.txt.corrupt").read_bytes() == CONTENT.replace(b"one", b"two")
