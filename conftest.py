"""Registers MIT's pytest plugin modules, one per layer (fixtures → scorers → mit_tests → reports)."""

pytest_plugins = [
    "fixtures.plugin",
    "scorers.plugin",
    "mit_tests.plugin",
    "reports.plugin",
]
