"""The report in a real browser: headless Chromium renders it offline, and every part people read shows up.

A probe script appended to a copy of the report waits for the page's ``load`` event and writes what the browser
actually did into the DOM: each image's decoded size, the matrix's rendered size, whether the matrix was moved
above pytest-html's environment table, how many result rows pytest-html's own script built, and every resource
the page fetched. ``--dump-dom`` then hands that DOM back. A screenshot is taken too and checked for content.
Skips only when no Chromium/Chrome binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from fixtures.natural import missing_data
from reports.matrix import MATRIX_PROPERTIES
from tests.conftest import DEMONSTRATORS

ROOT = Path(__file__).resolve().parents[1]
BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
                if shutil.which(name)), None)
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(BROWSER is None, reason="no Chromium or Chrome binary on PATH")]
# The natural-promoter figure exists when the run has the natural set (its data are here).
FIGURES = ("spacing", "up_position", "at_titration", "css_scr") + (() if missing_data() else ("natural",))

PROBE = """
<script>
window.addEventListener("load", function () {
  // Paint each image on a canvas and count its pixels: a truncated PNG still reports its header's size, but
  // the rows it lacks come out transparent.
  function pixels(img) {
    var canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    if (!canvas.width || !canvas.height) { return {opaque: 0, inked: 0}; }
    var context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    var data = context.getImageData(0, 0, canvas.width, canvas.height).data, opaque = 0, inked = 0, seen = 0;
    for (var i = 0; i < data.length; i += 16) {
      seen += 1;
      if (data[i + 3] > 250) { opaque += 1; if (data[i] + data[i + 1] + data[i + 2] < 600) { inked += 1; } }
    }
    return {opaque: opaque / seen, inked: inked / seen};
  }
  var images = Array.prototype.map.call(document.querySelectorAll("#mit-top img"), function (img) {
    var figure = img.closest("figure"), painted = pixels(img);
    return {figure: figure ? figure.id : null, complete: img.complete, width: img.naturalWidth,
            height: img.naturalHeight, shown: img.getBoundingClientRect().width,
            opaque: painted.opaque, inked: painted.inked};
  });
  var matrix = document.getElementById("mit-matrix");
  var box = matrix ? matrix.getBoundingClientRect() : {width: 0, height: 0};
  var top = document.getElementById("mit-top"), env = document.getElementById("environment-header");
  var probe = document.createElement("pre");
  probe.id = "mit-probe";
  probe.textContent = JSON.stringify({
    images: images,
    matrix: {width: box.width, height: box.height,
             cells: matrix ? matrix.querySelectorAll("td[data-verdict]").length : 0},
    matrixFirst: !!(top && env && (top.compareDocumentPosition(env) & Node.DOCUMENT_POSITION_FOLLOWING)),
    resultRows: document.querySelectorAll("#results-table tbody.results-table-row").length,
    resources: performance.getEntriesByType("resource").map(function (e) { return e.name; })
  });
  document.body.appendChild(probe);
});
</script>
"""

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                  "--hide-scrollbars", "--mute-audio",
                  # resolve no host: a stray request fails fast and offline, yet still shows in resource timing
                  "--host-resolver-rules=MAP * ~NOTFOUND")


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    # a private profile per call: concurrent test runs must not share Chromium's profile lock
    return subprocess.run([BROWSER, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(demonstrators) -> Path:
    """The session's report of the three demonstrators (tests/conftest.py)."""
    path = demonstrators.out / "mit-report.html"
    assert path.exists(), demonstrators.log
    return path


@pytest.fixture(scope="module")
def probed(report, tmp_path_factory) -> dict:
    """What the browser rendered, as written by PROBE into the DOM."""
    work = tmp_path_factory.mktemp("browser")
    page = work / "probed.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    # virtual time lets the load event and its handler run before the DOM is dumped
    completed = chromium(work / "profile", "--virtual-time-budget=10000", "--window-size=1400,3000",
                         "--dump-dom", page.as_uri())
    match = re.search(r'<pre id="mit-probe">(.*?)</pre>', completed.stdout, re.S)
    assert match, f"probe output missing; chromium said:\n{completed.stderr[-3000:]}"
    return json.loads(html.unescape(match.group(1)))


def test_matrix_rendered_first(probed):
    assert probed["matrix"]["cells"] == len(DEMONSTRATORS) * len(MATRIX_PROPERTIES), probed["matrix"]
    assert probed["matrix"]["width"] > 600 and probed["matrix"]["height"] > 100, probed["matrix"]
    assert probed["matrixFirst"], "the matrix block was not moved above the environment table"


def test_every_figure_decoded(probed):
    by_figure = {image["figure"]: image for image in probed["images"]}
    for name in FIGURES:
        image = by_figure.get(f"mit-fig-{name}")
        assert image is not None, f"no image for {name}"
        assert image["complete"] and image["width"] > 300 and image["height"] > 200, image
        assert image["shown"] > 300, f"{name} decoded but laid out {image['shown']} px wide"
        # a whole figure: opaque white background everywhere, and lines, labels and text on it
        assert image["opaque"] > 0.99 and image["inked"] > 0.01, (name, image)


def test_pytest_html_table_rendered_offline(probed):
    assert probed["resultRows"] >= 21          # 3 models × 7 property tests, built by pytest-html's script


def test_no_external_requests(probed, report):
    fetched = [url for url in probed["resources"] if not url.startswith(("data:", "file:", "blob:"))]
    assert fetched == [], f"the report fetched {fetched}"
    text = report.read_text(encoding="utf-8")
    # resources a browser would load on its own: src=, <link href=>, CSS url() and @import
    loading = re.findall(r"""(?:\ssrc=["']|<link[^>]*href=["']|url\(\s*["']?|@import\s+["']?)(https?:|//)""",
                         text, re.I)
    assert loading == [], "external resource references in the report"


def test_screenshot_shows_the_report(report, tmp_path):
    shot = tmp_path / "report.png"
    completed = chromium(tmp_path / "profile", "--virtual-time-budget=10000", "--window-size=1400,3000",
                         f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), completed.stderr[-3000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 3000)
    # a blank or error page compresses to almost nothing; the matrix and four figures do not
    assert len(data) > 100_000, len(data)


# ------------------------------------------------------------------ a twelve-model report on a 1,440 px screen

SCREEN = 1440
# The twelve models of README's "Who gets what", the last replaced by a long Hugging Face spec that must wrap.
TWELVE = ("rpa-pwm", "energy-lafleur", "energy-lagator", "energy-kinney", "pa-pwm", "thermo", "scan",
          "pa-pwm-nopos", "at-content", "gc", "random",
          "hf-mlm:/models/checkpoints/nucleotide-transformer-v2-500m-multi-species/finetuned/epoch-12@abcdef0")
WIDTH_PROBE = """
<script>
window.addEventListener("load", function () {
  function breaksAfter(element) {
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT), node, range = document.createRange();
    var breaks = [], previous = null, lastTop = null;
    while ((node = walker.nextNode())) {
      for (var i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        var rect = range.getClientRects()[0];
        if (!rect) { continue; }
        if (lastTop !== null && rect.top > lastTop + 2) { breaks.push(previous); }
        lastTop = rect.top; previous = node.data[i];
      }
    }
    return breaks;
  }
  var matrix = document.getElementById("mit-matrix");
  var probe = document.createElement("pre");
  probe.id = "mit-probe";
  probe.textContent = JSON.stringify({
    viewport: window.innerWidth, page: document.documentElement.scrollWidth,
    matrix: matrix ? matrix.getBoundingClientRect().right : 0,
    cells: matrix ? matrix.querySelectorAll("td[data-verdict]").length : 0,
    names: Array.prototype.map.call(document.querySelectorAll("#mit-matrix .mit-name"), function (e) {
      return {text: e.textContent, breaks: breaksAfter(e)};
    })
  });
  document.body.appendChild(probe);
});
</script>
"""


def measure(page_html: str, work: Path) -> dict:
    """The page rendered in a SCREEN px wide window: viewport, document and matrix widths, where names wrapped."""
    page = work / "measured.html"
    page.write_text(page_html.replace("</body>", WIDTH_PROBE + "</body>"), encoding="utf-8")
    completed = chromium(work / "profile", "--virtual-time-budget=10000", f"--window-size={SCREEN},2000",
                         "--dump-dom", page.as_uri())
    match = re.search(r'<pre id="mit-probe">(.*?)</pre>', completed.stdout, re.S)
    assert match, f"probe output missing; chromium said:\n{completed.stderr[-3000:]}"
    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def twelve(demonstrators, tmp_path_factory) -> dict:
    """The demonstrators' records under the twelve names, rendered as the report renders them, measured. Without
    the figures, which take seconds to draw and cannot widen the page (``max-width: 100%``)."""
    from reports.render import standalone_page
    real = list(demonstrators.results["models"].values())
    results = {**demonstrators.results, "models": {spec: real[i % len(real)] for i, spec in enumerate(TWELVE)}}
    return measure(standalone_page(results), tmp_path_factory.mktemp("twelve"))


def test_twelve_model_matrix_fits_a_1440_px_screen(twelve):
    assert twelve["viewport"] == SCREEN, twelve
    assert twelve["cells"] == len(TWELVE) * len(MATRIX_PROPERTIES), twelve["cells"]
    assert twelve["matrix"] <= SCREEN, f"the matrix ends at {twelve['matrix']} px"
    assert twelve["page"] <= SCREEN, f"the page scrolls sideways: {twelve['page']} px"


def test_model_names_wrap_only_between_words(twelve):
    names = {name["text"]: name["breaks"] for name in twelve["names"]}
    assert list(names) == list(TWELVE)
    assert names[TWELVE[-1]], "the long spec did not wrap, so this test measured nothing"
    for text, breaks in names.items():
        assert all(ch in "-:/_.@=" for ch in breaks), f"{text} wraps after {breaks}"


def test_the_report_page_fits_a_1440_px_screen(report, tmp_path):
    measured = measure(report.read_text(encoding="utf-8"), tmp_path)
    assert measured["page"] <= SCREEN, f"the report scrolls sideways: {measured['page']} px"
