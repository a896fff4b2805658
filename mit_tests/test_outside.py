"""outside (never fails a run; "grammar" needs it): does the model do, on sequences MIT did not build, what a model
of σ70 grammar does? Real promoters against A/T-matched genome windows, and measured expression ranked better
than A/T content ranks it (mit_tests/outside.py)."""

import functools

import pytest

from fixtures.datasets import DataUnavailable
from mit_tests import outside


@functools.cache
def genome_windows(seed: int):
    """The run's promoters and A/T-matched genome windows, or the reason they are not here."""
    from fixtures.genome_windows import build_genome_windows
    try:
        return build_genome_windows(seed)
    except DataUnavailable as exc:
        return f"real promoters against genome windows need RegulonDB and the E. coli genome: {exc.reason}"


@pytest.mark.mit_property("outside")
def test_outside(model, mit_libraries, mit_seed, mit_record):
    """AUROC(promoters > A/T-matched genome windows) with its CI, and the mean margin of Spearman ρ(score,
    expression) over ρ(A+T count, expression) across the measured libraries, with its CI."""
    missing, genome, expression = {}, None, None
    windows = genome_windows(mit_seed)
    if model.precomputed:
        missing["genome"] = missing["expression"] = (f"{model.spec} replays a score file, which holds only the sets "
                                                     "it was made from")
    elif isinstance(windows, str):
        missing["genome"] = windows
    else:
        scores = model.score_more(list(windows.ids), list(windows.sequences))
        genome = outside.genome_part(scores[windows.indices("promoter")], scores[windows.indices("genome")],
                                     mit_seed)
    libraries = mit_libraries.libraries
    if model.fixed_layout:
        missing["expression"] = (f"{model.spec} is a fixed-layout scorer: it reads only MIT's own window, and the "
                                 "measured constructs have their own layouts")
    elif not libraries and "expression" not in missing:
        (name, why), count = next(iter(mit_libraries.missing.items())), len(mit_libraries.missing)
        missing["expression"] = f"none of the {count} measured libraries is available; the first, {name}: {why}"
    elif "expression" not in missing:
        expression = outside.expression_part({name: model.role_scores(library.role)
                                              for name, library in libraries.items()},
                                             libraries, mit_seed, outside.fitted_on(model.spec))
    if genome is None and expression is None:
        pytest.skip("; ".join(f"{part}: {why}" for part, why in missing.items()))
    mit_record(outside.outside(genome, expression, missing), model)
