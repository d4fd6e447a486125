r"""Matrices written out: ``\begin{bmatrix} p_1(1-p_1) & -p_1 p_2 \\ -p_2 p_1 & p_2(1-p_2) \end{bmatrix}``.

A student writes the Jacobian out for n = 2 or 3, or with ``\cdots``, ``\vdots``, ``\ddots`` and a
last row and column numbered n (as in seed 004). Each entry is read with the numbers of its row
and column standing for the index letters i and j (p_2 in column 2 is p_j); the diagonal
entries must then agree on one formula, and so must the others: the matrix is read as entry
(i, j) = that diagonal formula δ_ij + the other one (1 − δ_ij), and a note says so. A single
column is read the same way, entry i. Entries that follow no such pattern are refused with the
reason; nothing is guessed beyond the entries written.
"""

from __future__ import annotations

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
        diagonal: list[tuple[Expr, Tree | Token]] = []
        others: list[tuple[Expr, Tree | Token]] = []
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
                (diagonal if column or r == c else others).append((value, cell))
        same = self.one_formula(diagonal)
        if column or not others:
            result = same if column else Mul(same, KDelta(ROW, COL))
        else:
            off = self.one_formula(others)
            differ = Add((Num(Fraction(1)), Neg(KDelta(ROW, COL))))
            off_part = Neg(Mul(off.arg, differ)) if isinstance(off, Neg) else Mul(off, differ)
            result = same if same == off else Add((Mul(same, KDelta(ROW, COL)), off_part))
        where = "entry $i$" if column else "entry $(i, j)$"
        self.options.note(
            f"The matrix written out was read by the pattern of its entries: {where} is ${to_latex(result)}$."
        )
        return result

    def one_formula(self, cells: list[tuple[Expr, Tree | Token]]) -> Expr:
        first, _ = cells[0]
        for value, node in cells[1:]:
            if value != first:
                raise self.error(
                    node,
                    f"this entry, read as ${to_latex(value)}$, does not follow the pattern "
                    f"${to_latex(first)}$ of the entries like it; write entry (i, j) as a formula",
                )
        return first


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
