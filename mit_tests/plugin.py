"""pytest options, fixtures and hooks of the conformance tests: alpha, the canary gate, xfails, result records."""

from __future__ import annotations

import pytest

from mit_tests.canary import DEFAULT_MAX_NLL, measure_canary
from mit_tests.stats import PropertyResult

RESULT_PROPERTY = "mit_result"


def pytest_addoption(parser):
    group = parser.getgroup("mit")
    group.addoption("--mit-alpha", type=float, default=0.05, help="one-sided gate level (default 0.05)")
    group.addoption("--mit-xfails", default=None, metavar="FILE",
                    help="file of test-id substrings expected to fail for this model (# comments)")
    group.addoption("--mit-canary-nll", type=float, default=DEFAULT_MAX_NLL,
                    help=f"canary: largest mean NLL/nt on tandem repeats a trained model may have "
                         f"(default ln 4 − 0.3 = {DEFAULT_MAX_NLL:.3f})")


def pytest_configure(config):
    alpha = config.getoption("--mit-alpha")
    if not 0 < alpha < 1:
        raise pytest.UsageError(f"--mit-alpha must lie in (0, 1), got {alpha}")
    config.addinivalue_line("markers", "mit_property(name): the mechanistic property a conformance test gates")


def read_xfails(path: str) -> list[str]:
    """Test-id substrings of an xfails file: one per line, ``#`` starts a comment, blank lines ignored."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise pytest.UsageError(f"--mit-xfails {path!r} cannot be read: {exc}") from None
    return [entry for entry in (line.split("#", 1)[0].strip() for line in lines) if entry]


def pytest_collection_modifyitems(config, items):
    path = config.getoption("--mit-xfails")
    if not path:
        return
    for entry in read_xfails(path):
        matched = [item for item in items if entry in item.nodeid]
        for item in matched:
            item.add_marker(pytest.mark.xfail(reason=f"listed in {path}: {entry}", strict=False,
                                               raises=AssertionError))  # errors are never excused
        if not matched:
            config.issue_config_time_warning(
                pytest.PytestConfigWarning(f"--mit-xfails entry {entry!r} matches no test"), stacklevel=2)


@pytest.fixture(scope="session")
def mit_alpha(pytestconfig) -> float:
    return pytestconfig.getoption("--mit-alpha")


@pytest.fixture(scope="session")
def mit_canary(mit_model, pytestconfig, mit_seed):
    """The canary verdict of a likelihood scorer, live or replayed (None for other kinds and for the untrained
    copies of ``--mit-null-control``, which are untrained on purpose)."""
    return measure_canary(mit_model, max_nll=pytestconfig.getoption("--mit-canary-nll"), seed=mit_seed)


@pytest.fixture(scope="session")
def model(mit_model, mit_canary):
    """The scored model a property test gates; a likelihood model that fails its canary errors here."""
    if mit_canary is not None and not mit_canary.gate_passed:
        raise RuntimeError(f"{mit_model.spec} fails its canary (see its canary test), so nothing else is "
                           f"measured on it: {mit_canary.failure}")
    return mit_model


@pytest.fixture
def mit_record(request):
    """Records a PropertyResult on the test report (survives xdist) and asserts its gate."""
    def record(result: PropertyResult, mit_model) -> PropertyResult:
        __tracebackhide__ = True
        payload = {"model": mit_model.spec, "property": result.property, "fingerprint": mit_model.fingerprint,
                   "set_sha256": {s.name: s.sha256 for role, s in mit_model.sets.items() if role != "canary"},
                   **result.to_json()}
        request.node.user_properties.append((RESULT_PROPERTY, payload))
        declared = mit_model.expected.get(result.property)
        if result.gate_passed is False and declared == "fail":
            pytest.xfail(f"{mit_model.spec} declares that it fails {result.property}: {result.failure}")
        if result.gate_passed is False:
            raise AssertionError(f"{mit_model.spec} fails {result.property}: {result.failure}.\n"
                                 f"  {result.summary()}")
        return result
    return record


def require(model, role: str, reason: str | None = None) -> None:
    """Skip unless the run has the set ``role`` (probe sets do not exist for --mit-set mit-v1)."""
    if not model.has(role):
        pytest.skip(reason or f"the {role.replace('_', ' ')} probe set is not part of this run "
                              f"(--mit-set mit-v1 holds only the paper's 650 core sequences)")


def pytest_runtest_makereport(item, call):
    """Mark a test whose body raised something other than a failed gate as an error, not a failure."""
    if call.when == "call" and call.excinfo is not None and not call.excinfo.errisinstance(
            (AssertionError, pytest.skip.Exception, pytest.xfail.Exception)):
        item.user_properties.append(("mit_error", f"{call.excinfo.typename}: {call.excinfo.value}"))
