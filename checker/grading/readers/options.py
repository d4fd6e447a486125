"""How an answer is read (the assignment's settings) and what the reader noted while reading it.

``strict_notation`` (CLI ``--strict-notation``): a product written as ``\\cdot`` or juxtaposition
between two operands of one shape that no matrix product fits (two column vectors) is kept as
the matrix product the student wrote, so the judge names it ``hadamard-vs-matmul``. By default
it is read as ⊙, its only fitting reading, and a note says so.

``entries_as_written`` (set by the derivation grader): in a matrix written out, an entry that
breaks the pattern of its kind is read as written at its place instead of refused (see
:mod:`checker.grading.readers.matrices`); the derivation grader makes sure a size it tries
reaches that place, which a single answer's judge cannot.

``notes`` collects every reading that was a guess (a dropped layer index, a ⊙ for a product),
in the order met, each once; the grader adds them to the feedback. ``marks`` are notations met
that say which book the student follows (``f`` for the activation: UFLDL's).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReadOptions:
    """Settings of one reading, and the notes it made."""

    strict_notation: bool = False
    entries_as_written: bool = False
    notes: list[str] = field(default_factory=list)
    marks: set[str] = field(default_factory=set)  # notations met that hint at a book: "f" for σ

    def note(self, text: str) -> None:
        """Remember a guess the reader made (once)."""
        if text not in self.notes:
            self.notes.append(text)
