r"""Matrices written out: ``\begin{bmatrix} p_1(1-p_1) & -p_1 p_2 \\ -p_2 p_1 & p_2(1-p_2) \end{bmatrix}``.

A student writes the Jacobian out for n = 2 or 3, or with ``\cdots``, ``\vdots``, ``\ddots`` and a
last row and column numbered n (as in seed 004). Each entry is read with the numbers of its row
and column standing for the index letters i and j (p_2 in column 2 is p_j); the diagonal
entries must then agree on one formula, and so must the others: the matrix is read as entry
(i, j) = that diagonal formula δ_ij + the other one (1 − δ_ij), and a note says so. A single
column is read the same way, entry i.

In a derivation (``entries_as_written``), an entry that breaks the pattern its kind follows (seed
004 writes p_3 p_2 where −p_3 p_2 belongs) is read as written, at its place: entry (3, 2) adds
(p_i p_j − (−p_i p_j)) δ_{i3} δ_{j2}, so the step is graded for what it says, and the note names
the entry. That needs a pattern that
most entries of the kind follow (at least two, and more than break it) and a numbered place
(not row n after an ellipsis); otherwise the matrix is refused, naming the entry. Nothing is
guessed beyond the entries written.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from lark import Token, Tree

from checker.grading.readers.limits import AnswerError
from checker.grading.readers.syntax import is_tok, is_tree
from derivations.expr import Add, Expr, KDelta, Mul, Neg, Num, to_latex

ROW, COL = "i", "j"


class MatricesMixin:
    """``\\begin{bmatrix}`` (and pmatrix, vmatrix, Bmatrix, matrix) read as index notation."""

    def explicit_matrix(self, tree: Tree) -> Expr:
        rows = [list(r.children) for r in tree.children if is_tree(r, "mrow")]
        if self.vocab is None or not {ROW, COL} <= self.vocab.index_letters:
            raise self.error(
                tree, "a matrix written out is not read in this question: write the matrix formula"
            )
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise self.error(tree, "the rows of this matrix have different lengths")
        row_labels = _labels([all(_dots(c) for c in r) for r in rows])
        col_labels = _labels([all(_dots(r[k]) for r in rows) for k in range(widths.pop())])
        if len([x for x in col_labels if x]) == 1 and len(rows) > 1:
            return self.entry_pattern(rows, row_labels, col_labels, column=True)
        if len([x for x in row_labels if x]) < 2 or len([x for x in col_labels if x]) < 2:
            raise self.error(tree, "a row written out is not read; write the vector as a column or a formula")
        return self.entry_pattern(rows, row_labels, col_labels, column=False)

    def entry_pattern(
        self, rows: list[list], row_labels: list[str], col_labels: list[str], column: bool
    ) -> Expr:
        diagonal: list[_Cell] = []
        others: list[_Cell] = []
        for cells, r in zip(rows, row_labels, strict=True):
            for cell, c in zip(cells, col_labels, strict=True):
                if not r or not c or _dots(cell):
                    continue
                letters = {r: ROW} if column or r == c else {r: ROW, c: COL}
                saved, self.cell_letters = self.cell_letters, letters
                try:
                    value = self.value(cell)
                except AnswerError as err:
                    reason = err.message.split(";")[0].split(" (at character")[0]
                    raise self.error(
                        cell,
                        f"entry ({r}, {c}) of the matrix: {reason}; in a matrix written out a subscript is "
                        f"read as the entry's row or column number ({r if r == c else f'{r} or {c}'})",
                    ) from None
                finally:
                    self.cell_letters = saved
                (diagonal if column or r == c else others).append(_Cell(value, cell, r, c))
        same, odd = self.one_formula(diagonal)
        if column or not others:
            result = same if column else Mul(same, KDelta(ROW, COL))
        else:
            off, odd_off = self.one_formula(others)
            odd += odd_off
            differ = Add((Num(Fraction(1)), Neg(KDelta(ROW, COL))))
            off_part = Neg(Mul(off.arg, differ)) if isinstance(off, Neg) else Mul(off, differ)
            result = same if same == off else Add((Mul(same, KDelta(ROW, COL)), off_part))
        where = "entry $i$" if column else "entry $(i, j)$"
        note = (
            f"The matrix written out was read by the pattern of its entries: {where} is ${to_latex(result)}$"
        )
        if odd:
            result = Add((result, *(_at_place(cell, pattern, column) for cell, pattern in odd)))
            note += "; " + ", ".join(
                f"entry ({cell.row}, {cell.col}) breaks it and is read as written, ${to_latex(cell.value)}$"
                for cell, _ in odd
            )
        self.options.note(note + ".")
        return result

    def one_formula(self, cells: list[_Cell]) -> tuple[Expr, list[tuple[_Cell, Expr]]]:
        """The formula the entries of one kind follow, and the entries that break it (each with
        the formula it breaks); refused when no formula is followed by most of them."""
        counts: dict[Expr, int] = {}
        for cell in cells:
            counts[cell.value] = counts.get(cell.value, 0) + 1
        # read as written: the most common (the first, on a tie); refused otherwise: the first one
        as_written = self.options.entries_as_written
        pattern = max(counts, key=lambda v: counts[v]) if as_written else cells[0].value
        odd = [cell for cell in cells if cell.value != pattern]
        clear = as_written and counts[pattern] >= 2 and counts[pattern] > len(odd)
        for cell in odd:
            if not clear or not (cell.row.isdigit() and cell.col.isdigit()):
                raise self.error(
                    cell.node,
                    f"this entry, read as ${to_latex(cell.value)}$, does not follow the pattern "
                    f"${to_latex(pattern)}$ of the entries like it; write entry (i, j) as a formula",
                )
        return pattern, [(cell, pattern) for cell in odd]


@dataclass(frozen=True)
class _Cell:
    """An entry of a matrix written out: its value (read with i, j), where it was, its place."""

    value: Expr
    node: Tree | Token
    row: str
    col: str


def _at_place(cell: _Cell, pattern: Expr, column: bool) -> Expr:
    """What entry (row, col) adds to the pattern to read as written: (value − pattern) δ_{i row} δ_{j col}."""
    place: Expr = KDelta(ROW, cell.row) if column else Mul(KDelta(ROW, cell.row), KDelta(COL, cell.col))
    minus = pattern.arg if isinstance(pattern, Neg) else Neg(pattern)
    difference = Add((cell.value, minus))
    return Mul(difference, place)


def _dots(cell: object) -> bool:
    return is_tok(cell, "DOTS")


def _labels(is_dots: list[bool]) -> list[str]:
    """Row (or column) numbers: 1, 2, ... up to an ellipsis, then ..., n-1, n after it."""
    labels = [""] * len(is_dots)
    if True in is_dots:
        cut = is_dots.index(True)
        after = [k for k in range(cut + 1, len(is_dots)) if not is_dots[k]]
        for back, k in enumerate(reversed(after)):
            labels[k] = "n" if back == 0 else f"n-{back}"
    else:
        cut = len(is_dots)
    for k in range(cut):
        labels[k] = str(k + 1)
    return labels
