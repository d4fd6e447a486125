r"""The readers: an answer in LaTeX, plain text or NumPy becomes the expression tree of ``derivations.expr``.

Entry point: ``parse_answer(text, fmt, vocab)`` returns a :class:`Parsed` (the tree, its LaTeX
echo, the reader used) or raises :class:`AnswerError`, whose message names the place and the fix.
A question's :class:`Vocabulary` (built by :func:`vocabulary_from_spellings`) says which names an
answer may use. Nothing here evaluates student text; every reader is bounded by :mod:`.limits`.

Modules: ``parse`` (the entry point and format guessing), ``latex_reader`` (the :class:`Reader`,
assembled from ``core``, ``names``, ``products``, ``calculus``, ``functions`` and ``matrices``),
``syntax`` and ``latex_syntax`` (parse-tree pieces and the lark step), ``text_reader``,
``numpy_reader`` and ``numpy_calls``, ``conventions`` (the UFLDL weight numbering),
``vocabulary``, ``spellings``, ``options`` (strict notation and the notes a guess leaves),
``limits``.

What a class writes (QUESTIONS.md §5) is read here, and every guess leaves a note in
:attr:`Parsed.notes`: a name without its layer, a product of two same-shape vectors read as ⊙
(unless ``strict_notation``), a matrix written out read by the pattern of its entries, the UFLDL
convention. The readers return the question's own symbols (δ_3, z^{(l)}, P); the network's
definitions of them (δ_3 := P − Y, z^{(l)} := W^{(l)} a^{(l-1)} + b^{(l)}) live in
``derivations.questions`` and are expanded by the judge when it evaluates, so a substitution is
judged by value.

This room may import ``derivations`` (the expression language and its one shape algebra), nothing
from ``checker``: the judge imports the readers, never the reverse.
"""

from checker.grading.readers.limits import AnswerError
from checker.grading.readers.parse import FORMATS, Parsed, guess_order, parse_answer
from checker.grading.readers.spellings import vocabulary_from_spellings
from checker.grading.readers.vocabulary import Vocabulary

__all__ = [
    "FORMATS",
    "AnswerError",
    "Parsed",
    "Vocabulary",
    "guess_order",
    "parse_answer",
    "vocabulary_from_spellings",
]
