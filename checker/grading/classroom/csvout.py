"""CSV written safe to open in a spreadsheet: formula-leading cells neutralised the OWASP way.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a leading
tab or carriage return can hide such a start (CSV injection, "formula injection"). Student
answers start that way innocently (``-y + p``) or not (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``).
Following OWASP's advice, every text cell whose first character is one of ``= + - @``, tab or
carriage return gets a single quote ``'`` in front, which spreadsheets show as text; quotes and
delimiters inside cells are escaped by the csv module (a cell holding them is quoted whole).
Numbers that gradproof itself writes (points, scores) are never negative and are left as numbers.

Only CSV output is neutralised: results.json keeps every answer's exact text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    """The cell as text, with a leading ``'`` where a spreadsheet would read it as a formula."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int | float):
        return format_number(cell)
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def format_number(value: float) -> str:
    """A number as a gradebook reads it: a point as decimal mark, no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_text(rows: Iterable[Iterable[object]], delimiter: str = ",") -> str:
    """CSV text of ``rows`` (the first is the header), every cell neutralised, CRLF line ends (RFC 4180)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return buf.getvalue()
