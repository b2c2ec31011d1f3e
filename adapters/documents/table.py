"""A ruled table for fpdf2 that stays quick at thousands of rows, its headings repeated on every page.

fpdf2's own ``table()`` lays out each cell as a multi-cell (about 5 ms a row); an invoice of a fleet's
month has thousands of lines, so rows here are drawn as plain text at computed positions. Only a cell
too wide for its column is wrapped (by fpdf2's own line breaking) onto more lines, and only text with
characters the main font lacks goes through ``cell()``, which draws them with the fallback font.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Self, cast

from fpdf import FPDF
from fpdf.fonts import TTFFont

Align = Literal["L", "R"]
HEADING_RULE = (120, 124, 138)
ROW_RULE = (222, 224, 230)      # hairlines, not fills: a status stamp beneath the page stays visible
PADDING = 1.2            # mm left and right of a cell's text
LINE = 3.6               # mm per line of text
ROW_PADDING = 0.7        # mm above and below a row's text


class Table:
    """Columns of ``widths`` (fractions of the printable width) and alignments, drawn row by row."""

    def __init__(self, pdf: FPDF, headings: Sequence[str], widths: Sequence[float], aligns: Sequence[Align], *,
                 family: str, size: float = 7.6) -> None:
        scale = pdf.epw / sum(widths)
        self.pdf, self.headings, self.aligns = pdf, list(headings), list(aligns)
        self.widths = [w * scale for w in widths]
        self.family, self.size = family, size

    def __enter__(self) -> Self:
        self._draw_headings()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pdf.set_y(self.pdf.get_y() + 3)

    def row(self, values: Sequence[str]) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", self.size)
        cells = [self._lines(value, width) for value, width in zip(values, self.widths, strict=True)]
        height = max(len(lines) for lines in cells) * LINE + 2 * ROW_PADDING
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            self._draw_headings()
            pdf.set_font(self.family, "", self.size)
        self._draw(cells, height)
        self._rule(ROW_RULE, 0.15)

    def _draw_headings(self) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "B", self.size)
        cells = [self._lines(text, width) for text, width in zip(self.headings, self.widths, strict=True)]
        height = max(len(lines) for lines in cells) * LINE + 2 * ROW_PADDING
        self._draw(cells, height)
        self._rule(HEADING_RULE, 0.3)

    def _rule(self, colour: tuple[int, int, int], width: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*colour)
        pdf.set_line_width(width)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())

    def _draw(self, cells: Sequence[Sequence[tuple[str, float]]], height: float) -> None:
        pdf = self.pdf
        top, x = pdf.get_y(), pdf.l_margin
        baseline = top + ROW_PADDING + LINE * 0.72
        for lines, width, align in zip(cells, self.widths, self.aligns, strict=True):
            for i, (text, text_width) in enumerate(lines):
                if not text:
                    continue
                left = x + PADDING if align == "L" else x + width - PADDING - text_width
                if in_font(pdf, text):
                    pdf.text(left, baseline + i * LINE, text)
                else:                                   # only cell() draws with the fallback font
                    margin, pdf.c_margin = pdf.c_margin, 0
                    pdf.set_xy(left, top + ROW_PADDING + i * LINE)
                    pdf.cell(text_width, LINE, text)
                    pdf.c_margin = margin
            x += width
        pdf.set_y(top + height)

    def _lines(self, text: str, width: float) -> list[tuple[str, float]]:
        """The cell's text as lines that fit its column, each with its width."""
        room = width - 2 * PADDING
        text_width = string_width(self.pdf, text)
        if text_width <= room:
            return [(text, text_width)]
        wrapped = cast(list[str], self.pdf.multi_cell(room, LINE, text, dry_run=True, output="LINES", padding=0))
        lines = [str(line) for line in wrapped]
        return [(line, string_width(self.pdf, line)) for line in lines or [text]]


def string_width(pdf: FPDF, text: str) -> float:
    """``pdf.get_string_width(text)`` in the current font, from the font's own advance widths when it
    has every character (the common case, and ten times quicker than fpdf2's general path, which
    prepares bidirectional text and fallback fonts); fpdf2's answer otherwise."""
    font = pdf.current_font
    if isinstance(font, TTFFont) and not pdf.char_spacing and in_font(pdf, text):
        widths = font.cw
        return sum(widths[ord(char)] for char in text) * pdf.font_size / 1000
    return pdf.get_string_width(text)


def in_font(pdf: FPDF, text: str) -> bool:
    """Whether the current font has every character of ``text`` (else the fallback font draws some)."""
    font = pdf.current_font
    if not isinstance(font, TTFFont):
        return False
    cmap = font.cmap
    return all(ord(char) in cmap for char in text)
