"""How a model is named on screen: whole, by the paper's name for its stored scores, breakable only between words."""

from __future__ import annotations

import html

from reports.paper_values import paper_key


def row_label(spec: str) -> str:
    """A model's row name, whole: a ``scores:`` spec by the paper's name of its model (``hyenadna (scores)``) or by
    its file name; the folder is in the hover text."""
    if not spec.startswith("scores:"):
        return spec
    key = paper_key(spec)
    return f"{key} (scores)" if key else "scores:" + spec.removeprefix("scores:").replace("\\", "/").rsplit("/", 1)[-1]


def short_spec(spec: str, width: int = 40) -> str:
    """A model name that fits ``width`` columns: ``scores:`` specs by name or file name, others cut from the left."""
    label = row_label(spec)
    if len(label) > width and label.startswith("scores:"):
        label = label.removeprefix("scores:")
    return label if len(label) <= width else "…" + label[-(width - 1):]


# Characters after which a model name may wrap: names never break inside a word.
_NAME_BREAKS = "-:/_.@="


def breakable(name: str) -> str:
    """``name`` escaped, with a line-break opportunity (``<wbr>``) after each of ``-:/_.@=`` only."""
    return "".join(html.escape(ch) + ("<wbr>" if ch in _NAME_BREAKS else "") for ch in name)
