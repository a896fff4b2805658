"""MIT, the Mechanistic Invariance Test, as an installed distribution (``mit-glm``).

The suite's code lives in four top-level packages of the checkout (``fixtures``, ``scorers``, ``mit_tests``,
``reports``), which import one another by those names. Installed from a wheel, they sit under this one package
(``site-packages/mit_glm/fixtures`` …), so that generic names such as ``fixtures`` never land at the top of
site-packages; the ``mit`` command (:mod:`mit_glm.cli`) puts their folder on ``sys.path`` for its own run only.
"""

__version__ = "0.3.0"     # the one place the version is written: pyproject reads it, the report and JSON print it
