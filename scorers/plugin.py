"""pytest options for choosing and running models, and the session fixture that scores each model once."""

from __future__ import annotations

import contextlib
import os

import pytest

from scorers.protocol import ModelLoadError, ScorerOptions, ScorerUnavailable, is_cacheable
from scorers.registry import UnknownModelError, accepted_forms, check_spec, model_listing, resolve, split_specs

DEFAULT_MODEL = "rpa-pwm"
DEFAULT_CACHE = os.path.join(".mit_cache", "scores.sqlite")


def pytest_addoption(parser):
    group = parser.getgroup("mit")
    group.addoption("--model", action="append", default=None, metavar="SPEC",
                    help="model to test; repeatable and comma-separated (default: rpa-pwm). Forms: a built-in "
                         "name, a gLM alias, hf-causal:ID, hf-mlm:ID, scores:FILE, package.module:attr")
    group.addoption("--trust-remote-code", action="store_true", default=False,
                    help="allow Hugging Face checkpoints that need their own modelling code")
    group.addoption("--mit-device", default=None, help="torch device for gLMs (default: cuda if available, else cpu)")
    group.addoption("--mit-dtype", default=None, help="torch dtype for gLMs (default: float32 on cpu)")
    group.addoption("--mit-batch-size", type=int, default=None,
                    help="gLM batch size (default: automatic, halving on out-of-memory)")
    group.addoption("--mit-cache", default=DEFAULT_CACHE,
                    help=f"SQLite score cache file (default {DEFAULT_CACHE}); 'none' disables it. A path that is "
                         "not an MIT cache (a folder, a CSV) is a usage error and is left untouched")
    group.addoption("--mit-timeout", type=float, default=None, metavar="SECONDS",
                    help="per model: loading and scoring that take longer are abandoned and the model's tests "
                         "error, while the other models run (default: no limit)")


# ``--model=paper``: the models of the paper's Tables 2 and 6, for ``--mit-set=mit-v1``: its stored gLM and baseline
# scores (replayed) and MIT's re-implementations of its biophysical models.
PAPER_SCORE_FILES = ("hyenadna", "evo2_1b", "nt_500m", "grover", "caduceus", "kmer", "random", "pwm")
PAPER_REFERENCES = ("pa-pwm", "rpa-pwm", "thermo", "pa-pwm-nopos", "pa-pwm-nocomp", "scan")


def model_specs(config) -> list[str]:
    specs = split_specs(config.getoption("--model")) or [DEFAULT_MODEL]
    if "paper" not in specs:
        return specs
    at = specs.index("paper")
    return list(dict.fromkeys(specs[:at] + paper_specs(config.getoption("--mit-data-dir")) + specs[at + 1:]))


def paper_specs(data_dir) -> list[str]:
    """``scores:FILE`` of every stored score file of the paper, then its biophysical models; the files come from
    the data layer (a usage error naming what is missing and how to get it when they cannot be had)."""
    from fixtures.datasets import DataUnavailable, paper_scores_key, resolve
    try:
        files = [f"scores:{resolve(paper_scores_key(m), data_dir)}" for m in PAPER_SCORE_FILES]
    except DataUnavailable as exc:
        raise pytest.UsageError(f"--model=paper replays the paper's stored scores: {exc}") from None
    return files + list(PAPER_REFERENCES)


def pytest_configure(config):
    if split_specs(config.getoption("--model")) == ["list"]:
        # ``--model=list``: every accepted name and form, then stop before anything runs.
        print(model_listing(), flush=True)
        pytest.exit("the accepted --model names and forms are listed above", returncode=0)
    for spec in model_specs(config):
        try:
            check_spec(spec)
        except UnknownModelError as exc:
            raise pytest.UsageError(str(exc)) from None
    batch = config.getoption("--mit-batch-size")
    if batch is not None and batch < 1:
        raise pytest.UsageError(f"--mit-batch-size must be at least 1, got {batch}")
    timeout = config.getoption("--mit-timeout")
    if timeout is not None and not timeout > 0:
        raise pytest.UsageError(f"--mit-timeout must be a positive number of seconds, got {timeout}")
    check_cache_option(config.getoption("--mit-cache"))


def check_cache_option(value) -> None:
    """pytest.UsageError unless ``--mit-cache`` is ``none``, a new path or an MIT cache file; the path is only
    read (see :func:`scorers.cache.check_cache_path`)."""
    from scorers.cache import NotACacheError, check_cache_path, is_disabled
    if is_disabled(value):
        return
    try:
        check_cache_path(value)
    except NotACacheError as exc:
        raise pytest.UsageError(f"--mit-cache: {exc}") from None


def pytest_report_header(config):
    return [f"mit models: {', '.join(model_specs(config))}", f"mit set: {config.getoption('--mit-set')}, "
            f"seed {config.getoption('--mit-seed')}"]


def pytest_generate_tests(metafunc):
    if "mit_model" in metafunc.fixturenames:
        specs = model_specs(metafunc.config)
        metafunc.parametrize("mit_model", specs, ids=specs, indirect=True, scope="session")


def scorer_options(config) -> ScorerOptions:
    return ScorerOptions(
        seed=config.getoption("--mit-seed"), device=config.getoption("--mit-device"),
        dtype=config.getoption("--mit-dtype"), batch_size=config.getoption("--mit-batch-size"),
        trust_remote_code=config.getoption("--trust-remote-code"),
        data_dir=os.environ.get("MIT_DATA_DIR"))


def open_cache(config):
    from scorers.cache import open_cache as open_path
    return open_path(config.getoption("--mit-cache"))


@pytest.fixture(scope="session")
def mit_model(request, mit_sets, mit_canary_set, mit_libraries):
    """The model named by this test's ``--model`` parameter; every sequence of the run is scored once, in one
    batch, when a test first asks for scores.

    A scorer that cannot run here skips its tests with the reason; a scorer that fails (an exception, bad
    input, NaN, inf, wrong shape, ``--mit-timeout``) makes every test of that model an error naming what went
    wrong, from its one failed call."""
    from scorers.scored_model import ScoredModel
    from scorers.watchdog import ScoringTimeout, Watchdog
    spec = request.param
    watchdog = Watchdog(spec, request.config.getoption("--mit-timeout"))
    try:
        scorer = watchdog.call(resolve, spec, scorer_options(request.config))
    except ScorerUnavailable as exc:
        pytest.skip(f"{spec}: {exc}")
    except UnknownModelError as exc:
        raise pytest.UsageError(f"{exc}\n  accepted:\n  {accepted_forms()}") from None
    except ScoringTimeout:
        raise
    except Exception as exc:      # noqa: BLE001 - whatever loading raised, the model's tests error with one message
        message = str(exc) if spec in str(exc) else f"--model {spec}: {type(exc).__name__}: {exc}"
        raise ModelLoadError(message) from exc
    sets = dict(mit_sets)
    # A replayed file holds only the sequences it was scored on: the canary's repeats are not among them.
    if scorer.kind == "likelihood" and not getattr(scorer, "precomputed", False):
        sets["canary"] = mit_canary_set
    # The measured libraries (mpra property) have their own layouts and are not in a replayed score file.
    if not getattr(scorer, "fixed_layout", False) and not getattr(scorer, "precomputed", False):
        sets.update({library.role: library.sequences for library in mit_libraries.libraries.values()})
    cacheable = is_cacheable(scorer)
    cache = open_cache(request.config) if cacheable else None
    # Model scorers can take minutes: say how it goes. Reference scorers take milliseconds.
    progress = terminal_progress(request.config, spec) if cacheable else None
    return ScoredModel(spec, scorer, sets, cache=cache, progress=progress, watchdog=watchdog)


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
