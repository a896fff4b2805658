"""Registers MIT's pytest plugins before pytest reads its command line, when pytest runs in MIT's checkout.

pytest looks for its rootdir and conftest.py among the command's path arguments before it knows the options that
conftest.py's plugins add, so in ``pytest --mit-report /tmp/out`` it takes ``/tmp/out`` for a test path when that
folder exists, and stops with "unrecognized arguments". ``pip install -e .`` installs this module as a ``pytest11``
entry point, which pytest loads first: when the working directory is in this checkout it registers the four
plugin modules of ``conftest.py`` right away, so both ``--mit-report DIR`` and ``--mit-report=DIR`` work. Outside
the checkout it does nothing: other projects' pytest runs never see MIT.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent
PLUGINS = ("fixtures.plugin", "scorers.plugin", "mit_tests.plugin", "reports.plugin")   # as conftest.py lists


def in_checkout(directory: Path) -> bool:
    return (CHECKOUT / "conftest.py").is_file() and (directory == CHECKOUT or CHECKOUT in directory.parents)


def pytest_addhooks(pluginmanager):
    """The first hook pytest calls on an entry-point plugin: register MIT's plugins while options can still be
    added (conftest.py's ``pytest_plugins`` later finds them registered and skips them)."""
    if not in_checkout(Path.cwd().resolve()):
        return
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    for name in PLUGINS:
        pluginmanager.import_plugin(name)


def pytest_load_initial_conftests(early_config, parser, args):
    """Mend the rootdir pytest chose before it knew MIT's options.

    In ``pytest --mit-report /tmp/out`` pytest chose its rootdir and ini file taking ``/tmp/out`` for a test path,
    found no ini there, and so would run without MIT's ``pyproject.toml`` (no ``testpaths``, no markers, no
    ``addopts``). Now that MIT's options are known, ``/tmp/out`` is their value: decide again, and when that finds
    the ini the first decision missed, adopt it as pytest would have. Uses pytest internals (pytest 8–9); a pytest
    whose internals differ keeps its own decision, and tests/test_options.py says so.
    """
    if not in_checkout(Path.cwd().resolve()) or early_config.inipath is not None:
        return
    import copy

    from _pytest.config.findpaths import determine_setup

    namespace = parser.parse_known_args(args)
    try:
        rootpath, inipath, inicfg, _ = determine_setup(
            inifile=namespace.inifilename, override_ini=namespace.override_ini, args=namespace.file_or_dir,
            rootdir_cmd_arg=namespace.rootdir or None, invocation_dir=early_config.invocation_params.dir)
    except TypeError:
        return
    if inipath is None:
        return
    early_config._rootpath, early_config._inipath, early_config._inicfg = rootpath, inipath, inicfg
    early_config._inicache.clear()
    parser.extra_info.update(rootdir=str(rootpath), inifile=str(inipath))
    args[:] = early_config._validate_args(early_config.getini("addopts"), "via addopts config") + args
    early_config.known_args_namespace = parser.parse_known_args(args, namespace=copy.copy(early_config.option))
    early_config.known_args_namespace.confcutdir = str(inipath.parent)
    early_config._configure_python_path()
