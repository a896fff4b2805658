"""mpra (diagnostic, never fails): does the model's score rank measured promoters as experiment does? And the
grounding table: what the measured libraries say about MIT's own assumptions (model-independent)."""

import pytest

from mit_tests import grounding

GROUNDING_PROPERTY = "mit_grounding"     # the user property reports.results reads the table from


@pytest.mark.mit_property("mpra")
def test_mpra(model, mit_libraries, mit_seed, mit_record):
    """Spearman ρ(score, measured expression) per library, seeded bootstrap CI, n."""
    if model.fixed_layout:
        pytest.skip(f"{model.spec} is a fixed-layout scorer: it reads only MIT's own window, and the measured "
                    "constructs have their own layouts")
    if model.precomputed:
        pytest.skip(f"{model.spec} replays a score file, which holds only the sets it was made from")
    libraries = mit_libraries.libraries
    if not libraries:
        (name, why), count = next(iter(mit_libraries.missing.items())), len(mit_libraries.missing)
        pytest.skip(f"none of the {count} measured libraries is available; the first, {name}: {why}")
    scores = {name: model.role_scores(library.role) for name, library in libraries.items()}
    mit_record(grounding.mpra(scores, libraries, mit_libraries.missing, mit_seed), model)


def test_grounding(mit_seed, mit_sets, request):
    """MIT's assumptions measured in La Fleur 2022's library (model-independent): the table goes to the report and
    mit-results.json under ``grounding``."""
    from fixtures.datasets import DataUnavailable
    from fixtures.libraries import LAFLEUR_ELEMENTS, lafleur_elements
    from fixtures.sets import motif_boxes
    try:
        elements = lafleur_elements()
    except DataUnavailable as exc:
        request.node.user_properties.append((GROUNDING_PROPERTY, {"rows": [], "reason": exc.reason}))
        pytest.skip(exc.reason)
    core = mit_sets["core"]
    boxes = motif_boxes(core) if "origins" in core.params else ()      # mit-v1 has no class M
    natural = grounding.natural_boxes(mit_sets["natural"]) if "natural" in mit_sets else ()
    rows = grounding.grounding_table(elements, mit_seed, boxes, natural)
    request.node.user_properties.append((GROUNDING_PROPERTY, {"source": LAFLEUR_ELEMENTS, "seed": mit_seed,
                                                              "rows": rows, "by_gate": grounding.by_gate(rows)}))
    assert rows, f"{LAFLEUR_ELEMENTS} is present but no comparison could be formed from it"
