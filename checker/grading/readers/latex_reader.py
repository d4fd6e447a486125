r"""Reading LaTeX answers into the expression tree.

``latex.lark`` turns the answer into a generic parse tree (names with scripts, groups, products
of items); :class:`Reader` then decides what each piece means against the question's
:class:`~checker.grading.vocabulary.Vocabulary`. The plain-text reader builds the same kind of
parse tree with its own grammar and uses the same :class:`Reader`.

:class:`Reader` is assembled from one part per concern: :mod:`.core` (positions, errors, canonical
text), :mod:`.names` (names and scripts), :mod:`.products` (sums, products, items),
:mod:`.calculus` (groups, cases, named derivatives, sums), :mod:`.functions` and :mod:`.moments`
(expectations and variances).

How the pieces are decided:

- **Names.** A name is a letter, a Greek command, ``\hat{y}`` or a word in ``\mathrm{..}``;
  decorations (``\mathbf``, ``\boldsymbol``, ``\bm``, ``\vec``, braces) are seen through. Its first
  subscript and first superscript are looked up together in the vocabulary
  (``W^{(l+1)}``, ``W^{l+1}`` and ``\mathbf{W}^{(l+1)}`` are one key, ``W^{l+1}``).
- **Superscripts.** Trailing ``T``, ``\top``, ``\intercal``, ``\mathsf{T}`` are transposes, also
  fused with a layer (``W^{(l+1)T}``); ``\prime`` and ``'`` are derivatives of functions. What
  remains is a layer when the name with that layer is declared; otherwise, if it is not in
  parentheses, an exponent (``a^2``); ``e^{...}`` is Euler's number, read as ``\exp``. A lower-case
  ``t`` is the step count as an exponent on a scalar (Adam's ``\beta_1^t``), the transpose some write
  for ``T`` on a vector or a matrix (``W^t``).
- **Subscripts.** A declared spelling first (``\delta_3``, ``W_2`` in the row convention); else
  one or two index letters (``a^{(L)}_i``, ``W_{ji}``) give an :class:`Entry`; ``\delta_{ij}`` is
  Kronecker's delta when no matrix δ is declared.
- **Products.** Juxtaposition, ``\cdot`` and ``/`` bind tighter than ``\odot``, ``\circ``, ``*``
  and ``\times``, which bind tighter than ``+`` and ``-``. ``*`` and ``\times`` are elementwise
  when both sides have the same non-scalar shape, else an ordinary product.
- **Functions** take the group that follows (``\sigma'(z)``) or, without parentheses, the next
  item (``\tanh z``, ``\log p_k``); ``\tanh^2 z`` is ``(\tanh z)^2``; ``f^{(4)}(x)`` is the fourth
  derivative. Landau's ``O(h^4)``, ``\mathcal{O}(h^4)``, ``\mathcal O(h^4)`` is read where the
  question's answer is an expansion (its vocabulary's functions hold ``O``), nowhere else.
- **Ones.** ``\mathbf{1}_m`` has its length written; a bare ``\mathbf{1}`` takes it from its
  neighbour in a product (``\mathbf{1}^T \delta_3``: the rows of δ₃; ``\Delta \mathbf{1}``: the
  columns of Δ); in a sum or an elementwise product it is the number 1, which broadcasts.
- ``\sum_k`` (bounds optional, ignored: an index runs over the dimension it indexes) takes the
  rest of the product as its body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lark.exceptions import UnexpectedInput

import checker.grading.readers.limits as limits
from checker.grading.readers.calculus import CalculusMixin
from checker.grading.readers.core import ReaderCore
from checker.grading.readers.functions import FunctionsMixin
from checker.grading.readers.latex_syntax import decorations, latex_parser, parse_tree, strip_wrappers
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.matrices import MatricesMixin
from checker.grading.readers.moments import MomentsMixin, moment_key
from checker.grading.readers.names import NamesMixin
from checker.grading.readers.options import ReadOptions
from checker.grading.readers.products import ProductsMixin
from checker.grading.readers.syntax import is_tok, is_tree, item_view, name_key
from checker.grading.readers.unicode_scripts import spell_out
from derivations.expr import Expr

if TYPE_CHECKING:
    from checker.grading.readers.vocabulary import Vocabulary


class Reader(
    NamesMixin, ProductsMixin, CalculusMixin, FunctionsMixin, MatricesMixin, MomentsMixin, ReaderCore
):
    """Turns a parse tree (LaTeX or plain text) into a :class:`derivations.expr.Expr`.

    ``mode`` is ``"latex"`` or ``"text"``; the two differ only in how identifiers are spelled
    (``\\delta`` and single letters, or ``delta`` and whole words), what a prime on a symbol
    means (nothing, or a transpose) and whether a parenthesised superscript can be a power.
    """


def read_latex(text: str, vocab: Vocabulary, options: ReadOptions | None = None) -> Expr:
    """Read a LaTeX answer; raises :class:`AnswerError` when it cannot be read."""
    limits.check_length(text)
    limits.check_forbidden(text)
    body, offset = strip_wrappers(text)
    body = decorations(spell_out(body, latex=True))
    if not body:
        raise AnswerError("the answer is empty")
    limits.check_nesting(body, offset)
    m = re.search(r"\\begin\s*\{\s*([A-Za-z*]+)\s*\}", body)
    if m and "cases" not in m.group(1) and "matrix" not in m.group(1):
        raise AnswerError(
            f"\\begin{{{m.group(1)}}} at character {m.start() + offset + 1} is not read: only "
            r"\begin{cases} and \begin{bmatrix} (pmatrix, vmatrix) are; give a single formula",
            m.start() + offset,
        )
    tree = parse_tree(latex_parser(), body, offset, "LaTeX")
    expr = Reader(vocab, body, offset, "latex", options).answer(tree)
    limits.check_depth(expr)
    return expr


def spelling_key(spelling: str) -> str:
    """The vocabulary key of a LaTeX spelling (``W^{(l+1)}`` and ``\\mathbf{W}^{l+1}`` give one key)."""
    body, _ = strip_wrappers(spelling)
    body = decorations(body)
    try:
        tree = latex_parser().parse(body)
    except UnexpectedInput as e:
        raise ValueError(f"cannot read the spelling {spelling!r}: {e}") from None
    node = [c for c in tree.children if not is_tree(c, "lhs")][-1]
    reader = Reader(None, body)
    atom, _ = item_view(node)
    if is_tree(atom, "frac") and reader.partial_of(atom.children[1]) not in (None, ""):
        return reader.partial_key(atom.children[1], atom.children[2], atom)
    if is_tree(node, "seq") and len(node.children) == 2:
        moment = reader.moment_at(list(node.children), 0)
        if moment is not None:  # \operatorname{E}[w], \operatorname{Var}(a)
            return moment_key(moment[0], reader.canon(moment[1]))
    if is_tree(node, "seq"):
        first, _ = item_view(node.children[0])
        if is_tok(first, "CMD") and first.value == r"\partial" and len(node.children) == 5:
            return reader.derivative_key(
                reader.quantity_key(node.children[1]), reader.quantity_key(node.children[4])
            )
    ref = reader.name_ref(node)
    if ref is None:
        raise ValueError(f"the spelling {spelling!r} is not a name (like W^{{(l)}}) or a derivative")
    return reader.key_of(ref)


__all__ = ["Reader", "latex_parser", "name_key", "read_latex", "spelling_key", "strip_wrappers"]
