"""A user scorer's cache key covers its code: edited code is scored again, never replayed from the cache."""

from __future__ import annotations

import importlib
import sys
import textwrap
import warnings

import pytest

from scorers.protocol import NoFingerprintWarning, fingerprint
from scorers.registry import resolve
from tests.conftest import run_mit

# README's "Your own scorer", filled in: over every −35 start i, 4 ** (matches of the hexamer at i to TTGACA) times
# 4 ** (matches of the hexamer 23 nt later, the −10 after a 17-bp spacer, to TATAAT), so a near-consensus −10 in
# its place counts most (the motif gate's M and K hold the same hexamers, in other places). VERSION_2 is the same
# scorer edited so that a broken −10 scores higher.
README_SCORER = '''
import numpy as np


class MyScorer:
    name = "my-model"        # stable: used in reports and cache keys
    kind = "score"
    cacheable = True         # cache its scores, like a likelihood model's

    def score(self, sequences):
        return np.array([{sign}sum(4.0 ** sum(a == b for a, b in zip(s[i:i + 6], "TTGACA"))
                                   * 4.0 ** sum(a == b for a, b in zip(s[i + 23:i + 29], "TATAAT"))
                                   for i in range(len(s) - 28)) for s in sequences], dtype=np.float64)


def make_scorer():
    return MyScorer()
'''
VERSION_1, VERSION_2 = README_SCORER.format(sign=""), README_SCORER.format(sign="-")


@pytest.fixture
def user_package(tmp_path, monkeypatch):
    """A fresh importable package ``tmp_path/<name>``; yields a writer ``write(module, source)``."""
    name = f"user_scorers_{tmp_path.name.replace('-', '_')}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(module: str, source: str) -> str:
        (package / f"{module}.py").write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        return f"{name}.{module}"

    yield write
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_editing_a_scorer_without_fingerprint_changes_its_cache_key(user_package):
    module = user_package("scoring", VERSION_1)
    with pytest.warns(NoFingerprintWarning, match="declares no fingerprint"):
        scorer = resolve(f"{module}:make_scorer")
    before = fingerprint(scorer)
    assert before.startswith("my-model|source sha256:")
    user_package("scoring", VERSION_2)
    assert fingerprint(scorer) != before, "the same key for edited code replays the old code's scores"


def test_a_factory_in_another_module_is_part_of_the_key(user_package):
    """The class lives in ``impl``; the factory that configures it (and may be what is edited) in ``factory``."""
    impl = user_package("impl", VERSION_1)
    factory = user_package("factory", f"from {impl} import MyScorer\n\ndef make_scorer():\n    return MyScorer()\n")
    with pytest.warns(NoFingerprintWarning):
        before = fingerprint(resolve(f"{factory}:make_scorer"))
    user_package("factory", f"from {impl} import MyScorer\n\ndef make_scorer():\n    return MyScorer()  # v2\n")
    with pytest.warns(NoFingerprintWarning):
        assert fingerprint(resolve(f"{factory}:make_scorer")) != before


def test_a_declared_fingerprint_is_used_as_is_without_warning(user_package):
    module = user_package("declared", VERSION_1.replace('cacheable = True', 'cacheable = True\n    fingerprint = "my-model/v7"'))
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoFingerprintWarning)
        scorer = resolve(f"{module}:make_scorer")
    assert fingerprint(scorer) == "my-model/v7"


@pytest.mark.e2e
def test_two_runs_with_an_edited_scorer_give_the_second_versions_verdict(tmp_path):
    """The issue's reproduction: README's scorer, cached; edited so the broken −10 scores higher, the second run
    must fail motif (it used to replay the first version's scores and PASS 1.00)."""
    package = tmp_path / "code" / "my_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    cache = tmp_path / "cache.sqlite"
    env = {"PYTHONPATH": str(tmp_path / "code"), "PYTHONDONTWRITEBYTECODE": "1"}
    verdicts = []
    for version, source in (("v1", VERSION_1), ("v2", VERSION_2)):
        (package / "scoring.py").write_text(source)
        run = run_mit(tmp_path / version, "--model=my_pkg.scoring:make_scorer", "-k", "test_motif and not natural",
                      cache=cache, env=env)
        motif = run.properties("my_pkg.scoring:make_scorer")["motif"]
        verdicts.append((motif["verdict"], round(motif["estimate"], 2)))
    # the second run measured the edited scorer: the opposite verdict and the complementary share
    assert [v for v, _ in verdicts] == ["pass", "fail"] and verdicts[1][1] == round(1 - verdicts[0][1], 2), verdicts
