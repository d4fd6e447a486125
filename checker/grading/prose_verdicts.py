"""The verdict on one formula of prose, apart from the checker that reaches it.

:mod:`checker.grading.prose` checks each formula of a derivation's prose and of the site's pages
and gives a :class:`ProseCheck`; the site stores those and reads them back. Reading one back needs
only this module, which imports nothing of the project: a build whose prose did not change does
not load the grader (and sympy) to show it.
"""

from __future__ import annotations

from dataclasses import dataclass

VERDICTS = ("proved", "defines", "read", "wrong", "unchecked")
"""The verdicts of a formula that passes; anything else is a failure."""


@dataclass(frozen=True)
class ProseCheck:
    """The verdict on one formula of a derivation's prose."""

    derivation: str
    place: str
    latex: str
    mark: str
    verdict: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the formula passed (it may still be one the page marks as not checked)."""
        return self.verdict in VERDICTS
