"""pytest options for choosing and running models, and the session fixture that scores each model once."""

from __future__ import annotations

import contextlib
import os

import pytest

from scorers.protocol import ScorerOptions, ScorerUnavailable
from scorers.registry import UnknownModelError, accepted_forms, check_spec, resolve, split_specs

DEFAULT_MODEL = "pa-pwm"
DEFAULT_CACHE = os.path.join(".mit_cache", "scores.sqlite")


def pytest_addoption(parser):
    group = parser.getgroup("mit")
    group.addoption("--model", action="append", default=None, metavar="SPEC",
                    help="model to test; repeatable and comma-separated (default: pa-pwm). Forms: a built-in "
                         "name, a gLM alias, hf-causal:ID, hf-mlm:ID, scores:FILE, package.module:attr")
    group.addoption("--trust-remote-code", action="store_true", default=False,
                    help="allow Hugging Face checkpoints that need their own modelling code")
    group.addoption("--mit-device", default=None, help="torch device for gLMs (default: cuda if available, else cpu)")
    group.addoption("--mit-dtype", default=None, help="torch dtype for gLMs (default: float32 on cpu)")
    group.addoption("--mit-batch-size", type=int, default=None,
                    help="gLM batch size (default: automatic, halving on out-of-memory)")
    group.addoption("--mit-threads", type=int, default=None, metavar="N",
                    help="CPU threads for gLM scoring (default: 1 for models under 20 M parameters unless "
                         "OMP_NUM_THREADS is set, else torch's default)")
    group.addoption("--mit-cache", default=DEFAULT_CACHE,
                    help=f"SQLite score cache (default {DEFAULT_CACHE}); 'none' disables it")
    group.addoption("--mit-null-control", type=int, default=0, metavar="N",
                    help="also test N randomly initialised copies of every Hugging Face model (rows SPEC#null1 "
                         "...; canary skipped); a gate an untrained copy passes too is flagged on the model's cell")


def model_specs(config) -> list[str]:
    return split_specs(config.getoption("--model")) or [DEFAULT_MODEL]


_NULL_CONTROL_SPECS = pytest.StashKey[dict]()


def null_control_specs(config) -> dict[str, str]:
    """``{copy spec: model spec}`` of the untrained copies ``--mit-null-control N`` adds, in run order."""
    if _NULL_CONTROL_SPECS not in config.stash:
        from scorers.glm.names import hf_recipe
        from scorers.null_control import null_spec

        n = config.getoption("--mit-null-control")
        config.stash[_NULL_CONTROL_SPECS] = {null_spec(spec, k): spec for spec in model_specs(config)
                                             if hf_recipe(spec) is not None for k in range(1, n + 1)}
    return config.stash[_NULL_CONTROL_SPECS]


def run_specs(config) -> list[str]:
    """Every model the run tests: the ``--model`` specs, each Hugging Face model followed by its copies."""
    copies = null_control_specs(config)
    return [s for spec in model_specs(config) for s in [spec] + [c for c, of in copies.items() if of == spec]]


def pytest_configure(config):
    for spec in model_specs(config):
        try:
            check_spec(spec)
        except UnknownModelError as exc:
            raise pytest.UsageError(str(exc)) from None
    for option in ("--mit-batch-size", "--mit-threads"):
        value = config.getoption(option)
        if value is not None and value < 1:
            raise pytest.UsageError(f"{option} must be at least 1, got {value}")
    null_copies = config.getoption("--mit-null-control")
    if null_copies < 0:
        raise pytest.UsageError(f"--mit-null-control must be at least 0, got {null_copies}")
    if null_copies and not null_control_specs(config):
        raise pytest.UsageError(
            f"--mit-null-control {null_copies}: none of the models ({', '.join(model_specs(config))}) is a Hugging "
            "Face model (hf-causal:, hf-mlm: or a gLM alias), whose architecture can be copied untrained")


def pytest_report_header(config):
    copies = config.getoption("--mit-null-control")
    return [f"mit models: {', '.join(model_specs(config))}"
            + (f" (+ {copies} untrained copies of each Hugging Face model)" if copies else ""),
            f"mit set: {config.getoption('--mit-set')}, seed {config.getoption('--mit-seed')}"]


NULL_CONTROL_PROPERTY = "mit_null_control_of"


def pytest_runtest_setup(item):
    """Tag the tests of an untrained copy with the model it copies (read by the report, across xdist)."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "mit_model" in callspec.params:
        of = null_control_specs(item.config).get(callspec.params["mit_model"])
        if of is not None:
            item.user_properties.append((NULL_CONTROL_PROPERTY, of))


def pytest_generate_tests(metafunc):
    if "mit_model" in metafunc.fixturenames:
        specs = run_specs(metafunc.config)
        metafunc.parametrize("mit_model", specs, ids=specs, indirect=True, scope="session")


def scorer_options(config) -> ScorerOptions:
    return ScorerOptions(
        seed=config.getoption("--mit-seed"), device=config.getoption("--mit-device"),
        dtype=config.getoption("--mit-dtype"), batch_size=config.getoption("--mit-batch-size"),
        trust_remote_code=config.getoption("--trust-remote-code"),
        data_dir=os.environ.get("MIT_DATA_DIR"), threads=config.getoption("--mit-threads"))


def open_cache(config):
    from scorers.cache import open_cache as open_path
    return open_path(config.getoption("--mit-cache"))


@pytest.fixture(scope="session")
def mit_model(request, mit_sets, mit_canary_set):
    """The model named by this test's ``--model`` parameter; every sequence of the run is scored once, in one
    batch, when a test first asks for scores.

    A scorer that cannot run here skips its tests with the reason; a scorer that fails (bad input, NaN, inf,
    wrong shape) makes every test of that model an error naming the offending ids."""
    from scorers.scored_model import ScoredModel
    spec = request.param
    copy_of = null_control_specs(request.config).get(spec)
    try:
        scorer = (untrained_copy(request.config, spec, copy_of) if copy_of is not None
                  else resolve(spec, scorer_options(request.config)))
    except ScorerUnavailable as exc:
        pytest.skip(f"{spec}: {exc}")
    except UnknownModelError as exc:
        raise pytest.UsageError(f"{exc}\n  accepted:\n  {accepted_forms()}") from None
    if spec in null_control_specs(request.config).values():
        request.config.stash.setdefault(_LOADED_FOR_COPIES, {})[spec] = scorer   # its copies reuse it
    sets = dict(mit_sets)
    if scorer.kind == "likelihood":
        sets["canary"] = mit_canary_set
    cacheable = getattr(scorer, "cacheable", scorer.kind == "likelihood")
    cache = open_cache(request.config) if cacheable else None
    # Model scorers can take minutes: say how it goes. Reference scorers take milliseconds.
    progress = terminal_progress(request.config, spec) if cacheable else None
    return ScoredModel(spec, scorer, sets, cache=cache, progress=progress)


_LOADED_FOR_COPIES = pytest.StashKey[dict]()


def untrained_copy(config, spec: str, of: str):
    """The untrained copy ``spec`` of the Hugging Face model ``of`` (``--mit-null-control``); the trained model is
    loaded once per process for all its copies."""
    from scorers.glm.hf import untrained_copy as copy_architecture
    from scorers.null_control import null_seed, split_null_spec

    loaded = config.stash.setdefault(_LOADED_FOR_COPIES, {})
    if of not in loaded:
        loaded[of] = resolve(of, scorer_options(config))
    _, k = split_null_spec(spec)
    return copy_architecture(loaded[of], spec, of, null_seed(config.getoption("--mit-seed"), k))


def terminal_progress(config, name: str):
    """A ScoringProgress writing to the terminal past output capture; None in an xdist worker, whose terminal
    output nobody sees."""
    from scorers.progress import ScoringProgress

    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or hasattr(config, "workerinput"):
        return None
    capture = config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line(line)

    return ScoringProgress(name, write)
