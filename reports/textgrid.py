"""Aligned text tables for the terminal, folded to its width.

A table wider than the terminal would wrap mid-row and scramble its columns, so the columns are split into
blocks that each fit, every block repeating the row labels; a cell is never cut. Cells may carry ANSI colour
codes, which take no columns.
"""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
GAP = "  "


def plain(text: str) -> str:
    """``text`` without its ANSI colour codes."""
    return _ANSI.sub("", text)


def visible_len(text: str) -> int:
    """Columns ``text`` takes on a terminal (ANSI colour codes take none)."""
    return len(plain(text))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - visible_len(text))


def fold_table(header: list[str], rows: list[list[str]], width: int, gap: str = GAP) -> list[str]:
    """``header`` and ``rows`` (first cell: the row label) as aligned lines no wider than ``width``, where a
    column fits at all: columns that do not fit beside the labels go to a further block under the first, separated
    by an empty line. A single column wider than ``width`` - labels is printed whole (never cut)."""
    table = [header] + rows
    if any(len(row) != len(header) for row in table):
        raise ValueError(f"fold_table: every row needs {len(header)} cells, like the header")
    widths = [max(visible_len(row[i]) for row in table) for i in range(len(header))]
    label = widths[0]
    blocks, block, used = [], [], label
    for i in range(1, len(header)):
        need = len(gap) + widths[i]
        if block and used + need > width:
            blocks.append(block)
            block, used = [], label
        block.append(i)
        used += need
    if block or not blocks:
        blocks.append(block)
    lines = []
    for number, columns in enumerate(blocks):
        if number:
            lines.append("")
        for row in table:
            cells = [_pad(row[0], label)] + [_pad(row[i], widths[i]) for i in columns]
            lines.append(gap.join(cells).rstrip())
    return lines


def fold_aligned(text: str, width: int) -> str:
    """Text whose lines may be too wide, folded: each over-wide line is wrapped at spaces, its continuation
    indented by two; a line of one unbroken word stays whole. For prose and titles, not for tables."""
    import textwrap
    out = []
    for line in text.splitlines():
        if visible_len(line) <= width:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        out += textwrap.wrap(line, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2),
                             break_long_words=False, break_on_hyphens=False) or [line]
    return "\n".join(out)
