"""pytest options for choosing and running models, and the session fixture that scores each model once."""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

from fixtures.plugin import roles_read
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
    group.addoption("--mit-threads", type=int, default=None, metavar="N",
                    help="CPU threads for gLM scoring (default: 1 for models under 20 M parameters unless "
                         "OMP_NUM_THREADS is set, else torch's default)")
    group.addoption("--mit-cache", default=DEFAULT_CACHE,
                    help=f"SQLite score cache file (default {DEFAULT_CACHE}); 'none' disables it. A path that is "
                         "not an MIT cache (a folder, a CSV) is a usage error and is left untouched")
    group.addoption("--mit-timeout", type=float, default=None, metavar="SECONDS",
                    help="per model: loading and scoring that take longer are abandoned and the model's tests "
                         "error, while the other models run (default: no limit, because a healthy gLM on a CPU "
                         "can take hours; set it in CI, where a hanging scorer would otherwise block the job)")
    group.addoption("--mit-null-control", type=int, default=0, metavar="N",
                    help="also test N randomly initialised copies of every Hugging Face model (rows SPEC#null1 "
                         "...; canary skipped); a gate an untrained copy passes too is flagged on the model's cell")


# ``--model=paper``: the models of the paper's Tables 2 and 6, for ``--mit-set=mit-v1``: its stored gLM and baseline
# scores (replayed) and MIT's re-implementations of its biophysical models.
PAPER_SCORE_FILES = ("hyenadna", "evo2_1b", "nt_500m", "grover", "caduceus", "kmer", "random", "pwm")
PAPER_REFERENCES = ("pa-pwm", "rpa-pwm", "thermo", "pa-pwm-nopos", "pa-pwm-nocomp", "scan")


def model_specs(config) -> list[str]:
    specs = split_specs(config.getoption("--model")) or [DEFAULT_MODEL]
    if "paper" not in specs:
        return specs
    if config.getoption("--mit-set") != "mit-v1":
        # the stored files are keyed by the ids of the paper's 650 sequences: valid for that set only
        raise pytest.UsageError("--model=paper replays the paper's stored scores of its own 650 sequences: run it "
                                "with --mit-set=mit-v1")
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
    if split_specs(config.getoption("--model")) == ["list"]:
        # ``--model=list``: every accepted name and form, then stop before anything runs.
        try:
            print(model_listing(), flush=True)
        except BrokenPipeError:             # `pytest --model=list | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        pytest.exit("the accepted --model names and forms are listed above", returncode=0)
    for spec in model_specs(config):
        try:
            check_spec(spec)
        except UnknownModelError as exc:
            raise pytest.UsageError(str(exc)) from None
    for option in ("--mit-batch-size", "--mit-threads"):
        value = config.getoption(option)
        if value is not None and value < 1:
            raise pytest.UsageError(f"{option} must be at least 1, got {value}")
    timeout = config.getoption("--mit-timeout")
    if timeout is not None and not timeout > 0:
        raise pytest.UsageError(f"--mit-timeout must be a positive number of seconds, got {timeout}")
    check_cache_option(config.getoption("--mit-cache"))
    null_copies = config.getoption("--mit-null-control")
    if null_copies < 0:
        raise pytest.UsageError(f"--mit-null-control must be at least 0, got {null_copies}")
    if null_copies and not null_control_specs(config):
        raise pytest.UsageError(
            f"--mit-null-control {null_copies}: none of the models ({', '.join(model_specs(config))}) is a Hugging "
            "Face model (hf-causal:, hf-mlm: or a gLM alias), whose architecture can be copied untrained")


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


def timeout_line(timeout: float | None) -> str:
    """What the run's header says about ``--mit-timeout``: there is no default limit, because a gLM on a CPU
    can take hours for a run that is healthy, and no one number fits every model and machine."""
    if timeout is None:
        return ("mit timeout: none (no --mit-timeout: a scorer that hangs blocks the run; CI jobs should set "
                "--mit-timeout SECONDS)")
    return f"mit timeout: {timeout:g} s per model (loading and scoring together)"


def pytest_report_header(config):
    copies = config.getoption("--mit-null-control")
    return [f"mit models: {', '.join(model_specs(config))}"
            + (f" (+ {copies} untrained copies of each Hugging Face model)" if copies else ""),
            f"mit set: {config.getoption('--mit-set')}, seed {config.getoption('--mit-seed')}",
            timeout_line(config.getoption("--mit-timeout"))]


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
def mit_model(request, mit_sets, mit_canary_set, mit_libraries):
    """The model named by this test's ``--model`` parameter; every sequence of the sets the run's selected tests
    read is scored once, in one batch, when a test first asks for scores.

    A scorer that cannot run here skips its tests with the reason; a scorer that fails (an exception, bad
    input, NaN, inf, wrong shape, ``--mit-timeout``) makes every test of that model an error naming what went
    wrong, from its one failed call."""
    from scorers.scored_model import ScoredModel, exited
    from scorers.watchdog import ScoringTimeout, Watchdog
    spec = request.param
    watchdog = Watchdog(spec, request.config.getoption("--mit-timeout"))
    copy_of = null_control_specs(request.config).get(spec)
    try:
        scorer = (watchdog.call(untrained_copy, request.config, spec, copy_of) if copy_of is not None
                  else watchdog.call(resolve, spec, scorer_options(request.config)))
    except ScorerUnavailable as exc:
        pytest.skip(f"{spec}: {exc}")
    except UnknownModelError as exc:
        # Found only once the factory ran (it returned something that is not a Scorer): the model's tests error
        # with this message and the run exits 4, a usage error (mit_tests.plugin), however many models it had.
        raise ModelUsageError(f"{exc}\n  accepted:\n  {accepted_forms()}") from None
    except ScoringTimeout:
        raise
    except SystemExit as exc:     # a factory may not end the run: this model errors, the others are scored
        raise ModelLoadError(str(exited(spec, exc))) from None
    except Exception as exc:      # noqa: BLE001 - whatever loading raised, the model's tests error with one message
        message = str(exc) if spec in str(exc) else f"--model {spec}: {type(exc).__name__}: {exc}"
        raise ModelLoadError(message) from exc
    if spec in null_control_specs(request.config).values():
        request.config.stash.setdefault(_LOADED_FOR_COPIES, {})[spec] = scorer   # its copies reuse it
    sets = dict(mit_sets)
    # A replayed file holds only the sequences it was scored on: the canary's when it was scored on
    # python -m fixtures' FASTA, which carries them; a file without them is not canaried.
    if getattr(scorer, "precomputed", False):
        holds = getattr(scorer, "holds", None)
        if holds is not None and holds(mit_canary_set):
            sets["canary"] = mit_canary_set
    elif scorer.kind == "likelihood":
        sets["canary"] = mit_canary_set
    # The measured libraries (mpra property) have their own layouts and are not in a replayed score file.
    if not getattr(scorer, "fixed_layout", False) and not getattr(scorer, "precomputed", False):
        sets.update({library.role: library.sequences for library in mit_libraries.libraries.values()})
    cacheable = is_cacheable(scorer)
    cache = open_cache(request.config) if cacheable else None
    # Model scorers can take minutes: say how it goes. Reference scorers take milliseconds.
    progress = terminal_progress(request.config, spec) if cacheable else None
    return ScoredModel(spec, scorer, sets, cache=cache, progress=progress, watchdog=watchdog,
                       roles_read=roles_read(request.config, sets))


class ModelUsageError(ModelLoadError):
    """A ``--model`` found wrong only when it was loaded (a factory that returns something that is not a Scorer):
    its tests error, and the run's exit code is 4, a usage error (``usage_error``, read by mit_tests.plugin)."""

    usage_error = True


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
            # pytest -q writes its progress dots with no path, so write_line alone would continue their line.
            if getattr(reporter._tw, "width_of_current_line", 0):
                reporter._tw.line()
            reporter.write_line(line)

    return ScoringProgress(name, write)
