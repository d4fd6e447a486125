r"""The formulas of a derivation's prose on its page: marks drawn, and what was checked said plainly.

The prose of a derivation (context, reasons, mistakes, notes) is checked formula by formula in
this build (:mod:`checker.grading.prose`), and so is every formula typed into a template or a
Markdown page (:mod:`checker.grading.prose_pages`). A formula marked ``$\unchecked{…}$`` is shown
with a small marker whose tooltip says it is not machine-checked; the page's legend counts each kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from derivations.prose import Formula, render

UNCHECKED_TITLE = "Not machine-checked: a condition, notation or a formula the checker cannot evaluate"
MARKER = f'<sup class="gp-unchecked" title="{UNCHECKED_TITLE}" aria-label="not machine-checked">†</sup>'


def _show(f: Formula) -> str:
    return f"${f.latex}$" + (MARKER if f.mark == "unchecked" else "")


def show(text: str) -> str:
    """Prose for the page: each formula as ``$…$``, a marker after each one not machine-checked."""
    return render(text, _show)


def show_page(markdown: str) -> str:
    """A whole page's Markdown with the marks of its hand-typed formulas drawn (code left alone)."""
    from checker.grading.prose_pages import page_formulas

    try:
        found = page_formulas(markdown)
    except ValueError:  # a misplaced mark: the page check names it and fails the build
        return markdown
    parts, last = [], 0
    for f in found:
        parts += [markdown[last:f.start], _show(f)]
        last = f.end
    return "".join(parts) + markdown[last:]


def page_errors(source: str, where: str, render: Callable[[str], str] | None = None,
                derivation: str = "") -> list[str]:
    """The build errors of the formulas typed into one template or Markdown page (every one that
    fails the prose checker in the course's notation, named, with the fix)."""
    from checker.grading.prose import message
    from checker.grading.prose_pages import check_page

    return [f"a formula typed into {message(c)}" for c in check_page(source, where, render, derivation)
                                                 if not c.ok]


def summary(value: dict) -> dict[str, int]:
    """How many formulas of a derivation's prose got each verdict, and how many failed."""
    checks = value["checks"]
    out: dict[str, int] = {"total": len(checks), "failed": sum(not c.ok for c in checks)}
    for c in checks:
        out[c.verdict] = out.get(c.verdict, 0) + 1
    return out


def failure_lines(derivation_id: str, outcome: Any) -> list[str]:
    """The build errors of one derivation's prose: every failed formula, named, or the crash."""
    if outcome is None:
        return []
    if not outcome.ok:
        return [f"checking the prose of {derivation_id!r} failed: {outcome.error}"]
    from checker.grading.prose import message

    lines = [f"a formula in the prose of {message(c)}" for c in outcome.value["checks"] if not c.ok]
    return lines + [f"the docstring of {c.place} states a formula of {derivation_id!r} that {c.detail}: "
                    f"{c.latex} (fix the docstring or the code)"
                    for c in outcome.value["claims"].values() if not c.ok]
