"""pytest options, fixtures and hooks of the conformance tests: alpha, the canary gate, xfails, result records,
and the run's exit code.

Exit codes (README "Exit codes"): pytest's own 0 (every gate passed, or failed as listed in the xfails file),
1 (a gate failed, or a test errored), 4 (usage error: bad options or a bad ``--model``, found before any scoring,
or a ``--model`` factory that turned out to return something that is not a Scorer);
and :data:`MEASURED_NOTHING` (2) when a requested model measured nothing at all, every one of its tests skipped
or errored, unless ``--mit-allow-skip``. 2 replaces 0 and 1 only: a run that measured nothing for one model is
not complete, whatever the others did. (pytest also exits 2 when interrupted.)
"""

from __future__ import annotations

import pytest

from mit_tests.canary import DEFAULT_MAX_NLL, measure_canary
from mit_tests.stats import PropertyResult, tie_tolerance

RESULT_PROPERTY = "mit_result"
MODEL_PROPERTY = "mit_model"
MEASURED_NOTHING = 2
USAGE_PROPERTY = "mit_usage_error"
_OUTCOMES = pytest.StashKey[dict]()


_TOLD = pytest.StashKey[dict]()         # the model errors already said in this run, and which test said them


class GateFailed(AssertionError):
    """A gate that rejected the model: reported as its sentence and statistics, never as a traceback (the test
    code is not what went wrong)."""


def pytest_addoption(parser):
    group = parser.getgroup("mit")
    group.addoption("--mit-alpha", type=float, default=0.05, help="one-sided gate level (default 0.05)")
    group.addoption("--mit-xfails", default=None, metavar="FILE",
                    help="file of test-id substrings expected to fail for this model (# comments)")
    group.addoption("--mit-canary-nll", type=float, default=DEFAULT_MAX_NLL,
                    help=f"canary: largest mean NLL/nt on held-out E. coli DNA a trained model may have "
                         f"(default ln 4 − 0.005 = {DEFAULT_MAX_NLL:.3f}); the natural promoters' bound is the "
                         "larger of ln 4 + 0.1 and this, so a large value lets any model through on purpose")
    group.addoption("--mit-allow-skip", action="store_true", default=False,
                    help="do not exit 2 when a requested model measured nothing (every test skipped or errored), "
                         "e.g. a GPU-only model on a CPU runner")


def pytest_configure(config):
    config.stash[_OUTCOMES] = {}
    config.pluginmanager.register(_MeasuredModels(config.stash[_OUTCOMES]), "mit-measured-models")
    alpha = config.getoption("--mit-alpha")
    if not 0 < alpha < 1:
        raise pytest.UsageError(f"--mit-alpha must lie in (0, 1), got {alpha}")
    seed = config.getoption("--mit-seed", None)
    if seed is not None and seed < 0:
        raise pytest.UsageError(f"--mit-seed must be 0 or more (it seeds numpy's generators), got {seed}")
    config.addinivalue_line("markers", "mit_property(name): the mechanistic property a conformance test gates")


def read_xfails(path: str) -> list[str]:
    """Test-id substrings of an xfails file: one per line, ``#`` starts a comment, blank lines ignored."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise pytest.UsageError(f"--mit-xfails {path!r} cannot be read: {exc}") from None
    except UnicodeDecodeError as exc:
        raise pytest.UsageError(f"--mit-xfails {path!r} is not UTF-8 text (byte {exc.start}: {exc.reason}); "
                                "it must list test-id substrings, one per line") from None
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


def pytest_collection_finish(session):
    """Tell the scorers which sets the selected tests read (``-k``, ``-m``, a node id), so only those are scored."""
    from fixtures.plugin import SETS_READ
    from mit_tests.properties import sets_read
    session.config.stash[SETS_READ] = sets_read(
        {mark.args[0] for item in session.items for mark in item.iter_markers("mit_property")})


@pytest.fixture(scope="session")
def mit_alpha(pytestconfig) -> float:
    return pytestconfig.getoption("--mit-alpha")


@pytest.fixture(scope="session")
def mit_canary(mit_model, pytestconfig, mit_seed):
    """The canary verdict of a likelihood scorer, live or replayed (None for other kinds and for the untrained
    copies of ``--mit-null-control``, which are untrained on purpose)."""
    return measure_canary(mit_model, max_nll=pytestconfig.getoption("--mit-canary-nll"), seed=mit_seed)


@pytest.fixture(scope="session")
def model(mit_model, mit_canary, mit_seed):
    """The scored model a property test gates, checked once for the whole session: a likelihood model that
    fails its canary errors here, and so does one whose scores depend on the order or batch they were scored
    in (``check_hygiene``: a seeded sample rescored in other batches; replayed files are exempt). pytest
    keeps a session fixture's error, so every property test of a failing model errors from this one check."""
    if mit_canary is not None and not mit_canary.gate_passed:
        raise RuntimeError(f"{mit_model.spec} fails its canary (see its canary test), so nothing else is "
                           f"measured on it: {mit_canary.failure}")
    mit_model.check_hygiene(mit_seed)
    return mit_model


@pytest.fixture
def mit_record(request):
    """Records a PropertyResult on the test report (survives xdist) and asserts its gate."""
    def record(result: PropertyResult, mit_model) -> PropertyResult:
        __tracebackhide__ = True
        log_scale = fold_scale(mit_model)
        if log_scale is not None:
            result.add_fold_changes(log_scale)
        payload = {"model": mit_model.spec, "property": result.property, "fingerprint": mit_model.fingerprint,
                   "set_sha256": {s.name: s.sha256 for role, s in mit_model.sets.items() if role != "canary"},
                   **result.to_json()}
        request.node.user_properties.append((RESULT_PROPERTY, payload))
        declared = mit_model.expected.get(result.property)
        if result.gate_passed is False and declared == "fail":
            pytest.xfail(f"{mit_model.spec} declares that it fails {result.property}: {result.failure}")
        if result.gate_passed is False:
            raise GateFailed(f"{mit_model.spec} fails {result.property}: {result.failure}.\n  {result.summary()}")
        return result
    return record


LIKELIHOOD_FOLD = "likelihood ratio per sequence"


def fold_scale(model) -> str | None:
    """What exp(score) of ``model`` is proportional to, so that a score difference is a fold change: the
    likelihood for a likelihood model (scores in nats), what an energy scorer declares in its ``log_scale``
    attribute (e.g. ``energy-lafleur``: predicted TX), None for scores in other units."""
    if model.kind == "likelihood":
        return LIKELIHOOD_FOLD
    return getattr(model.scorer, "log_scale", None)


def require(model, role: str, condition: str | None = None, reason: str | None = None) -> None:
    """Skip unless the run has the set ``role`` (and its ``condition``): probe sets and MIT's classes M, K, J do not
    exist for --mit-set mit-v1."""
    if not model.has(role, condition):
        pytest.skip(reason or f"the {role.replace('_', ' ')} probe set is not part of this run "
                              f"(--mit-set mit-v1 holds only the paper's 650 core sequences)")


def tolerance(model) -> float:
    """The model's tie tolerance (``stats.tie_tolerance`` of its core-set scores): closer scores tie."""
    return tie_tolerance(model.role_scores("core"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed gate reports its sentence and statistics instead of a traceback; a test whose body raised
    something other than a failed gate is marked an error, not a failure (its traceback is kept)."""
    if call.when == "call" and call.excinfo is not None and not call.excinfo.errisinstance(
            (AssertionError, pytest.skip.Exception, pytest.xfail.Exception)):
        item.user_properties.append(("mit_error", f"{call.excinfo.typename}: {call.excinfo.value}"))
    report = yield
    if report.failed and call.excinfo is not None and call.excinfo.errisinstance(GateFailed):
        report.longrepr = str(call.excinfo.value)
    elif report.failed and call.excinfo is not None and getattr(call.excinfo.value, "said_once", False):
        # A model that could not be loaded or scored fails every test that needs it: say why once, in the first
        # test's report; the others point to it. The reason still goes to every property's record.
        message = str(call.excinfo.value)
        report.user_properties.append(("mit_error", message))
        if getattr(call.excinfo.value, "usage_error", False):
            report.user_properties.append((USAGE_PROPERTY, message))
        told = item.config.stash.setdefault(_TOLD, {})
        report.longrepr = message if message not in told else f"the same error as {told[message]}, above"
        told.setdefault(message, item.nodeid.rsplit("/", 1)[-1])
    return report


def pytest_runtest_setup(item):
    """Tag every report of a test that takes a model with its ``--model`` spec (the tag survives xdist)."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "mit_model" in callspec.params:
        item.user_properties.append((MODEL_PROPERTY, callspec.params["mit_model"]))


def _measured(report) -> bool:
    """A test measured its model when its body ran to a verdict: passed, failed a gate, or was an xfail."""
    if hasattr(report, "wasxfail"):
        return True
    errored = any(name == "mit_error" for name, _ in report.user_properties)
    return report.when == "call" and (report.passed or (report.failed and not errored))


def _one_line(report) -> str:
    """Why a test skipped or errored, on one line."""
    if report.skipped and isinstance(report.longrepr, tuple):
        text = str(report.longrepr[2]).removeprefix("Skipped: ")
    else:
        lines = (getattr(report, "longreprtext", "") or "").splitlines()
        errors = [line[1:].strip() for line in lines if line.startswith("E ")]
        text = errors[0] if errors else (lines[-1].strip() if lines else "")
    return " ".join(text.split())


class _MeasuredModels:
    """Records, per model, whether any test measured it: fed every test report, from this process or, under
    xdist, from the workers (the controller decides the exit code)."""

    def __init__(self, outcomes: dict):
        self.outcomes = outcomes

    def pytest_runtest_logreport(self, report):
        spec = next((value for name, value in report.user_properties if name == MODEL_PROPERTY), None)
        if spec is None:
            return
        outcome = self.outcomes.setdefault(spec, {"measured": False, "error": "", "skips": {}, "usage": ""})
        usage = next((value for name, value in report.user_properties if name == USAGE_PROPERTY), None)
        if usage and not outcome["usage"]:
            outcome["usage"] = usage
        if _measured(report):
            outcome["measured"] = True
        elif report.failed and not outcome["error"]:
            outcome["error"] = "error: " + _one_line(report)
        elif report.skipped:
            test = report.nodeid.rsplit("::", 1)[-1].split("[", 1)[0]
            outcome["skips"].setdefault(_one_line(report), []).append(test)


def _skip_reasons(skips: dict[str, list[str]], selected: bool) -> str:
    """Every test of a model skipped: each distinct reason (cut to 150 characters; ``-rs`` prints them whole) with
    the tests it skipped, the first three reasons, so that a run whose ``-k``/``-m`` left only tests that do not
    apply is not blamed on one of them."""
    count = sum(len(tests) for tests in skips.values())
    parts = []
    for reason, tests in list(skips.items())[:3]:
        distinct = list(dict.fromkeys(tests))             # parametrised tests share a name
        names = ", ".join(distinct[:3]) + (", …" if len(distinct) > 3 else "")
        parts.append(f"{names}: {reason if len(reason) <= 150 else reason[:149] + '…'}")
    others = len(skips) - 3
    more = f"; and {others} other reason{'s' if others > 1 else ''}" if others > 0 else ""
    head = (f"each of the {count} tests -k/-m selected skipped" if selected
            else f"each of its {count} tests skipped")
    return f"skipped: {head} ({'; '.join(parts)}{more})"


def unmeasured_models(config) -> dict[str, str]:
    """``{spec: reason}`` of the models that measured nothing in this run; an error explains more than a skip
    (a model that errors also skips the tests that do not apply to it)."""
    selected = bool(config.getoption("keyword", "") or config.getoption("markexpr", ""))
    return {spec: o["error"] or _skip_reasons(o["skips"], selected)
            for spec, o in config.stash.get(_OUTCOMES, {}).items() if not o["measured"]}


def usage_errors(config) -> dict[str, str]:
    """``{spec: message}`` of the models found wrong only when loaded (``usage_error``): they make the exit code 4."""
    return {spec: o["usage"] for spec, o in config.stash.get(_OUTCOMES, {}).items() if o.get("usage")}


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        return
    if usage_errors(session.config) and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    if session.config.getoption("--mit-allow-skip"):
        return
    if unmeasured_models(session.config) and session.exitstatus in (pytest.ExitCode.OK,
                                                                    pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = MEASURED_NOTHING


def pytest_terminal_summary(terminalreporter, config):
    allowed = config.getoption("--mit-allow-skip")
    usage = usage_errors(config)
    for spec, message in usage.items():
        terminalreporter.write_line(f"MIT: --model {spec} is a usage error (exit code 4): {message.splitlines()[0]}",
                                    red=True)
    for spec, reason in unmeasured_models(config).items():
        if spec in usage:
            continue
        consequence = "allowed by --mit-allow-skip" if allowed else f"exit code {MEASURED_NOTHING}"
        terminalreporter.write_line(f"MIT: {spec} measured nothing ({consequence}): {reason}",
                                    red=not allowed, yellow=allowed)
