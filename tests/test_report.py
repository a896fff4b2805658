"""The report people read: run the conformance suite in a subprocess and check what it wrote.

The session's demonstrator run of three models (rpa-pwm passes every gate, at-content and random fail them,
``tests/conftest.py``) is read here; a second, smaller run checks ``--mit-xfails``. Each check compares two independent outputs (JSON against HTML,
embedded images against PNG files, the paper's table against the matrix), so a report that drops, rounds
wrongly or misattributes a number fails here.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import math
import re
import struct
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from fixtures.natural import missing_data
from mit_tests.properties import PROPERTIES
from reports.matrix import MATRIX_PROPERTIES, does_not_apply
from tests.conftest import DEMONSTRATORS, MitRun, run_mit

pytestmark = pytest.mark.e2e

VERDICTS = {"pass", "fail", "error", "skip", "xfail", "info"}
# The natural-promoter figure exists when the run has the natural set (its data are here).
FIGURES = ("spacing", "up_position", "at_titration", "css_scr") + (() if missing_data() else ("natural",))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Report:
    """What a finished run wrote, parsed: ``results`` (JSON), ``html``, the matrix cells and the table rows."""

    def __init__(self, run: MitRun):
        self.out, self.completed, self.log = run.out, run.proc, run.log
        assert run.results is not None, f"no mit-results.json written:\n{run.log}"
        self.results = run.results
        self.html = run.html
        self.matrix = MatrixParser.parse(self.html)
        self.rows = table_rows(self.html)


@pytest.fixture(scope="module")
def suite(demonstrators) -> Report:
    return Report(demonstrators)


# ------------------------------------------------------------------------------------------------- parsing

class MatrixParser(HTMLParser):
    """Reads ``#mit-matrix``: ``cells[(model, property)]`` = {"verdict", "spans": {class: text}, "text"}."""

    SPANS = ("mit-verdict", "mit-estimate", "mit-ci", "mit-p", "mit-paper-value")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: dict = {}
        self.in_matrix = False
        self.cell = None
        self.span = None
        self.footnote_ids: set[str] = set()
        self.footnote_links: set[str] = set()
        self.images: list[dict] = []
        self.figure_id = None

    @classmethod
    def parse(cls, text: str) -> "MatrixParser":
        parser = cls()
        parser.feed(text)
        return parser

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "mit-matrix":
            self.in_matrix = True
        if tag == "figure":
            self.figure_id = attrs.get("id")
        if tag == "img":
            self.images.append({"figure": self.figure_id, "src": attrs.get("src", "")})
        if attrs.get("id", "").startswith("mit-fn-"):
            self.footnote_ids.add(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#mit-fn-"):
            self.footnote_links.add(attrs["href"][1:])
        if not self.in_matrix:
            return
        if tag == "td" and "data-property" in attrs:
            self.cell = {"verdict": attrs["data-verdict"], "spans": {}, "text": ""}
            self.cells[(attrs["data-model"], attrs["data-property"])] = self.cell
        elif tag == "span" and self.cell is not None and attrs.get("class") in self.SPANS:
            self.span = attrs["class"]
            self.cell["spans"][self.span] = ""

    def handle_endtag(self, tag):
        if tag == "span":
            self.span = None
        elif tag == "td":
            self.cell = None
        elif tag == "table" and self.in_matrix:
            self.in_matrix = False
        elif tag == "figure":
            self.figure_id = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data
            if self.span:
                self.cell["spans"][self.span] += data


def table_rows(report_html: str) -> dict[str, list[str]]:
    """pytest-html's results table (rendered in the browser from a JSON blob): {test id: [cell texts]}."""
    match = re.search(r'data-jsonblob="([^"]*)"', report_html)
    assert match, "pytest-html data blob not found"
    blob = json.loads(html.unescape(match.group(1)))
    rows = {}
    for test_id, runs in blob["tests"].items():
        for run in runs:
            rows[test_id] = [re.sub(r"<[^>]+>", "", html.unescape(cell)) for cell in run["resultsTableRow"]]
            rows[test_id].insert(0, run["result"])
    return rows


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def close(shown: str, value: float, tolerance: float = 0.005 + 1e-9) -> bool:
    """A number as the report prints it (2 decimals) agrees with the JSON's full-precision value."""
    return abs(number(shown) - value) <= tolerance


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ----------------------------------------------------------------------------------------------- the tests

def test_suite_fails_on_failing_models(suite):
    # at-content and random fail gates, so the run must fail: the xfail test below relies on this contrast
    assert suite.completed.returncode == 1, suite.log


def test_json_has_three_models_and_every_property(suite):
    models = suite.results["models"]
    assert tuple(models) == DEMONSTRATORS
    for spec, model in models.items():
        assert set(model["properties"]) == set(PROPERTIES), spec
        for prop, record in model["properties"].items():
            assert record["verdict"] in VERDICTS, (spec, prop, record["verdict"])
            assert {"estimate", "ci", "p", "n", "ties", "verdict", "reason"} <= set(record), (spec, prop)
    assert models["rpa-pwm"]["properties"]["compensation"]["verdict"] == "pass"
    assert models["at-content"]["properties"]["compensation"]["verdict"] == "fail"
    assert models["at-content"]["properties"]["css"]["verdict"] == "info"
    assert {spec: m["overall"]["verdict"] for spec, m in models.items()} == {
        "rpa-pwm": "grammar", "at-content": "composition only", "random": "neither"}
    for key in ("seed", "alpha", "set", "set_sha256", "versions"):
        assert key in suite.results
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in suite.results["set_sha256"].values())


def test_html_matrix_agrees_with_json_on_every_number(suite):
    compared = 0
    for spec, model in suite.results["models"].items():
        for prop in MATRIX_PROPERTIES:
            record = model["properties"][prop]
            cell = suite.matrix.cells.get((spec, prop))
            assert cell is not None, f"matrix has no cell for {spec} × {prop}"
            assert cell["verdict"] == record["verdict"], (spec, prop)
            shown = cell["spans"]["mit-verdict"].strip()
            expected = "n/a" if does_not_apply(record) else record["verdict"].upper()
            assert shown == expected, (spec, prop, shown, record["verdict"])
            if record["estimate"] is None:
                assert "mit-estimate" not in cell["spans"], (spec, prop)
                continue
            assert close(cell["spans"]["mit-estimate"], record["estimate"]), (spec, prop, cell, record["estimate"])
            shown_ci = cell["spans"]["mit-ci"].strip("[] ").split(",")
            for text, value in zip(shown_ci, record["ci"]):
                assert (text.strip() == "–") if value is None else close(text, value), (spec, prop, shown_ci,
                                                                                        record["ci"])
            if record["p"] is not None:
                p_text = cell["spans"]["mit-p"]
                if record["p"] == 0:
                    assert p_text.startswith("<"), p_text
                else:
                    assert math.isclose(number(p_text), record["p"], rel_tol=0.05, abs_tol=0.0005), \
                        (spec, prop, p_text, record["p"])
            compared += 1
    assert compared >= 18        # 3 models × 6 measured properties at least


def test_run_facts_in_html(suite):
    facts = suite.html[suite.html.index('id="mit-run-facts"'):]
    for name, digest in suite.results["set_sha256"].items():
        assert digest in facts, name
    assert f"seed <b>{suite.results['seed']}</b>" in facts
    assert f"alpha <b>{suite.results['alpha']}</b>" in facts
    assert f"numpy {suite.results['versions']['numpy']}" in facts


def test_paper_column_and_footnotes(suite):
    cells = suite.matrix.cells
    # Table 6 / C.4: RPA-PWM CSS 1.00, SCR 0.92, strand 90%, spacing peak 17; Table 2: random CSS 0.50 [0.40, 0.60]
    assert cells[("rpa-pwm", "css")]["spans"]["mit-paper-value"] == "1.00"
    assert cells[("rpa-pwm", "scramble")]["spans"]["mit-paper-value"] == "0.92"
    assert cells[("rpa-pwm", "strand")]["spans"]["mit-paper-value"] == "90%"
    assert cells[("rpa-pwm", "spacing")]["spans"]["mit-paper-value"] == "17 bp"
    assert cells[("random", "css")]["spans"]["mit-paper-value"] == "0.50 [0.40, 0.60]"
    assert cells[("random", "motif")]["spans"]["mit-paper-value"] == "-0.04"
    # the paper never ran an AT-count model
    assert not any("mit-paper-value" in cells[("at-content", p)]["spans"] for p in MATRIX_PROPERTIES)
    # every footnote cited exists, and they are numbered 1..k in order of use
    assert suite.matrix.footnote_links, "no footnotes cited (RPA-PWM's strand 90% comes from no script)"
    assert suite.matrix.footnote_links <= suite.matrix.footnote_ids
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in suite.matrix.footnote_ids)
    assert numbers == list(range(1, len(numbers) + 1))
    assert "come from no script" in suite.html or "Produced by no script" in suite.html


def test_paper_values_keyed_by_mit_specs():
    from reports.paper_values import PAPER, paper_key, paper_value
    for alias in ("hyenadna", "evo2-1b", "nt-500m", "grover", "caduceus", "pa-pwm", "rpa-pwm", "thermo",
                  "pa-pwm-nopos", "pa-pwm-nocomp", "scan", "kmer", "kmer-paper", "pwm", "random"):
        assert alias in PAPER, alias
    assert paper_key("scores:/data/mit_v1/results/hyenadna_results.json") == "hyenadna"
    assert paper_key("scores:results/evo2_1b_results.json") == "evo2-1b"
    assert paper_key("scores:nt_500m_results.json") == "nt-500m"
    assert paper_key("scores:/d/spacing_evo2_1b_results.json") is None      # a probe file, not core scores
    assert paper_key("hf-causal:someone/model") is None
    assert paper_value("hyenadna", "css").value == 0.63
    assert paper_value("hyenadna", "strand").value == 0.44
    assert paper_value("caduceus", "spacing").value == 20
    assert "at_r_group_means" in paper_value("evo2-1b", "composition").notes
    assert "glm_strand_noscript" in paper_value("caduceus", "strand").notes
    assert "biophys_strand" in paper_value("thermo", "strand").notes
    assert "nocomp_ties" in paper_value("pa-pwm-nocomp", "css").notes
    assert paper_value("hyenadna", "motif").value == -0.34 and paper_value("evo2-1b", "motif_natural").value == 0.38


def test_every_figure_embedded_and_written_as_png(suite):
    embedded = {image["figure"]: image["src"] for image in suite.matrix.images if image["figure"]}
    for name in FIGURES:
        src = embedded.get(f"mit-fig-{name}")
        assert src and src.startswith("data:image/png;base64,"), f"figure {name} not embedded"
        data = base64.b64decode(src.split(",", 1)[1])
        width, height = png_size(data)
        assert width > 300 and height > 200, (name, width, height)
        written = suite.out / f"mit-{name}.png"
        assert written.read_bytes() == data, f"{written} differs from the embedded figure"
    # the mpra bars (issue 11) are drawn when a model measured mpra, and shown in the report's mpra section
    measured_mpra = any((m["properties"].get("mpra") or {}).get("details") for m in suite.results["models"].values())
    assert suite.results["figures"]["files"] == {name: f"mit-{name}.png"
                                                 for name in FIGURES + ("mpra",) * measured_mpra}


def test_figure_scales_recorded_and_reproducible(suite):
    scales = suite.results["figures"]["scales"]
    assert set(scales) == set(DEMONSTRATORS)
    for spec, scale in scales.items():
        motif = suite.results["models"][spec]["properties"]["motif"]["details"]
        assert scale["sd"] == motif["score_sd"] > 0, spec
    # rpa-pwm and at-content score on different scales; the figure units must differ from raw units
    assert scales["rpa-pwm"]["sd"] != scales["at-content"]["sd"]
    assert suite.results["figures"]["y_units"] == "score difference / model SD"


def test_figure_curves_are_the_json_curves_over_the_scale(suite):
    from reports.figures import model_scales, probe_curves, titration_curves
    scales = model_scales(suite.results)
    spacing = probe_curves(suite.results, scales, "spacing")["rpa-pwm"]
    raw = suite.results["models"]["rpa-pwm"]["properties"]["spacing"]["details"]["curve"]
    sd = suite.results["figures"]["scales"]["rpa-pwm"]["sd"]
    assert list(spacing.x) == sorted(float(s) for s in raw)
    for x, mean, lo in zip(spacing.x, spacing.mean, spacing.lo):
        assert math.isclose(mean * sd, raw[str(int(x))]["mean"], abs_tol=1e-9)
        assert math.isclose(lo * sd, raw[str(int(x))]["ci"][0], abs_tol=1e-9)
    effect = titration_curves(suite.results, scales)["at-content"]["compensation_effect"]
    levels = suite.results["models"]["at-content"]["properties"]["composition"]["details"]["titration"]
    at_sd = scales["at-content"]["sd"]
    assert [round(v * at_sd, 9) for v in effect.mean] == \
        [round(levels[k]["compensation_effect"]["mean"], 9) for k in sorted(levels, key=float)]


def test_natural_figure_is_the_json_over_the_scale(suite):
    if "natural" not in FIGURES:
        pytest.skip(missing_data())
    from reports.figures import model_scales, natural_classes
    scales = model_scales(suite.results)
    found = natural_classes(suite.results, scales)
    assert set(found) == set(DEMONSTRATORS)
    for spec, drawn in found.items():
        raw = suite.results["models"][spec]["properties"]["motif_natural"]["details"]
        sd, centre = scales[spec]["sd"], raw["class_means"]["A"]["mean"]
        assert set(drawn.means) == {"A", "B", "G"}
        for label, (mean, lo, hi) in drawn.means.items():
            stored = raw["class_means"][label]
            assert math.isclose(mean * sd + centre, stored["mean"], abs_tol=1e-9), (spec, label)
            assert math.isclose(lo * sd + centre, stored["ci"][0], abs_tol=1e-9), (spec, label)
            assert math.isclose(hi * sd + centre, stored["ci"][1], abs_tol=1e-9), (spec, label)
        assert len(drawn.differences) == 100
        mean_difference = raw["contrasts"]["A>B"]["mean_difference"]["mean"]
        assert math.isclose(drawn.differences.mean() * sd, mean_difference, abs_tol=1e-9), spec
    # B_i has A_i's exact bases, so the A+T count ties on every pair
    assert not found["at-content"].differences.any()
    assert suite.results["models"]["at-content"]["properties"]["motif_natural"]["verdict"] == "fail"


def test_rows_carry_statistics_and_failure_sentence(suite):
    record = suite.results["models"]["random"]["properties"]["compensation"]
    assert record["verdict"] == "fail" and record["estimate"] is not None, record
    row = suite.rows["mit_tests/test_compensation.py::test_compensation[random]"]
    assert row[0] == "Failed"
    text = " | ".join(row)
    assert f"{record['estimate']:.3f}" in row
    assert f"[{record['ci'][0]:.3f}, {record['ci'][1]:.3f}]" in row
    assert format(record["p"], ".3g") in row
    assert str(record["n"]) in row and str(record["ties"]) in row
    assert record["failure"] and record["failure"] in text
    header = re.search(r"<thead id=\"results-table-head\">(.*?)</thead>", suite.html, re.S).group(1)
    for column in ("estimate", "95% CI", "p", "n", "ties", "what the model got wrong"):
        assert f">{column}</th>" in header, column


def test_xfails_file_turns_failures_into_xfail_and_exit_zero(suite, tmp_path):
    """Listing every failure of at-content (one with a comment) makes the run pass; compensation shows XFAIL."""
    junit = ElementTree.parse(suite.out / "junit.xml")
    failing = [f"{case.get('classname')}::{case.get('name')}" for case in junit.iter("testcase")
               if case.find("failure") is not None and "[at-content" in case.get("name")]
    names = sorted({name.rsplit("::", 1)[1] for name in failing})
    assert "test_compensation[at-content]" in names, names
    xfails = tmp_path / "xfails.txt"
    xfails.write_text("# at-content reads composition, not grammar\n"
                      "test_compensation[at-content]   # the same bases moved score the same\n\n"
                      + "".join(f"{name}\n" for name in names if name != "test_compensation[at-content]"),
                      encoding="utf-8")
    run = Report(run_mit(tmp_path / "report", "--model=at-content", "--mit-examples=1", f"--mit-xfails={xfails}"))
    assert run.completed.returncode == 0, run.log
    record = run.results["models"]["at-content"]["properties"]["compensation"]
    assert record["verdict"] == "xfail" and "test_compensation[at-content]" in record["reason"]
    assert record["p"] is not None and record["ties"] == 100     # still measured and reported
    cell = run.matrix.cells[("at-content", "compensation")]
    assert cell["verdict"] == "xfail" and cell["spans"]["mit-verdict"] == "XFAIL"
    assert run.rows["mit_tests/test_compensation.py::test_compensation[at-content]"][0] == "XFailed"


# ------------------------------------------------------------------------------ twenty models (issue 23)

def many_models(results: dict, count: int) -> dict:
    """``results`` with its models' records copied under ``count`` model names (cycling through the real ones)."""
    real = list(results["models"].values())
    specs = [f"model-{i:02d}-{name}" for i, name in zip(range(count), itertools.cycle(results["models"]))]
    return {**results, "models": {spec: real[i % len(real)] for i, spec in enumerate(specs)}}


def test_twenty_models_get_twenty_distinct_colour_and_marker_pairs():
    from reports.figures import model_styles
    specs = [f"m{i}" for i in range(20)]
    styles = model_styles(specs)
    pairs = {(style.colour, style.marker) for style in styles.values()}
    assert len(pairs) == 20
    assert len({style.colour for style in styles.values()}) == 20          # tab20: no colour repeats
    # a model keeps its style whatever the other models are drawn with it: fixed by its position in the run
    assert model_styles(specs[:5]) == {s: styles[s] for s in specs[:5]}


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_figures_of_twenty_models_keep_legends_and_labels_clear(suite):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from reports.figures import draw, model_scales, model_styles
    results = many_models(suite.results, 20)
    styles = model_styles(results["models"])
    drawn = draw(results, model_scales(results))
    assert {name for name, *_ in drawn} >= set(FIGURES)
    for name, _, _, figure, models in drawn:
        assert len(models) == 20, (name, len(models))
        renderer = FigureCanvasAgg(figure).get_renderer()
        axes = [ax for ax in figure.axes if ax.get_visible()]
        legends = [ax.get_legend() for ax in axes if ax.get_legend()] + list(figure.legends)
        for legend in legends:                 # legends sit outside every plotting area
            box = legend.get_window_extent(renderer)
            assert not any(_overlap(box, ax.get_window_extent(renderer)) for ax in axes), name
        for ax in axes:                        # tick labels never overprint each other
            for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
                boxes = [t.get_window_extent(renderer) for t in labels if t.get_visible() and t.get_text()]
                clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if _overlap(a, b)]
                assert not clashes, (name, [t.get_text() for t in labels])
        # every model's own colour is in the figure
        used = {tuple(round(c, 4) for c in line.get_color()[:3]) for ax in axes for line in ax.get_lines()
                if not isinstance(line.get_color(), str)}
        used |= {tuple(round(c, 4) for c in patch.get_facecolor()[:3]) for ax in axes for patch in ax.patches}
        missing = [s for s in models if tuple(round(c, 4) for c in styles[s].colour[:3]) not in used]
        assert not missing, (name, missing)
        figure.clear()
