r"""The readers: an answer in LaTeX, plain text or NumPy becomes the expression tree of ``derivations.expr``.

Entry point: ``parse_answer(text, fmt, vocab)`` returns a :class:`Parsed` (the tree, its LaTeX
echo, the reader used) or raises :class:`AnswerError`, whose message names the place and the fix.
A question's :class:`Vocabulary` (built by :func:`vocabulary_from_spellings`) says which names an
answer may use. Nothing here evaluates student text; every reader is bounded by :mod:`.limits`.

Modules: ``parse`` (the entry point and format guessing), ``latex_reader`` (the :class:`Reader`,
assembled from ``core``, ``names``, ``products``, ``calculus`` and ``functions``), ``syntax`` and
``latex_syntax`` (parse-tree pieces and the lark step), ``text_reader``, ``numpy_reader``,
``vocabulary``, ``spellings``, ``limits``.

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
