r"""The formulas of a derivation's prose on its page: marks drawn, and what was checked said plainly.

The prose of a derivation (context, reasons, mistakes, notes) is checked formula by formula in
this build (:mod:`checker.grading.prose`), and so is every formula typed into a template or a
Markdown page (:mod:`checker.grading.prose_pages`). A formula marked ``$\unchecked{…}$`` is shown
with a small marker whose tooltip says it is not machine-checked; the page's legend counts each kind.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gp_jobs

from derivations.prose import Formula, render

ROOT = Path(__file__).resolve().parents[2]  # the repository: site/_hooks/ is two levels down

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


def page_errors(source: str, where: str, render: Callable[[str], str | None] | None = None,
                derivation: str = "") -> list[str]:
    """The build errors of the formulas typed into one template or Markdown page (every one that
    fails the prose checker in the course's notation, named, with the fix).

    Stored under a key of everything the check reads: the page's text, each formula's template
    expressions as ``render`` fills them in, the notation it is read in (the course's, or the
    derivation's meaning), and the checker's code; a build that changed none of them reads the
    errors back without loading the grader."""
    from checker.grading.prose_pages import course_notation, is_generated, page_formulas
    from derivations import get

    def produce(work: Any) -> dict:
        from checker.grading.prose import message
        from checker.grading.prose_pages import check_page

        return {"errors": [f"a formula typed into {message(c)}"
                           for c in check_page(source, where, render, derivation) if not c.ok]}

    try:
        filled = [_filled(f.latex, render) for f in page_formulas(source) if not is_generated(f.latex)]
    except ValueError:  # a misplaced mark: the check reports it, and its result is not stored
        return produce(None)["errors"]
    meaning = repr(get(derivation)) if derivation else repr(course_notation())
    key = gp_jobs.digest(ROOT, (), _checker_code(), source, where, repr(filled), meaning)
    name = hashlib.sha256(where.encode()).hexdigest()[:16]
    return gp_jobs.cached_or_run("page-formulas", name, key, produce)["errors"]


def _filled(latex: str, render: Callable[[str], str | None] | None) -> str | None:
    """A formula as the check reads it: its template expressions filled in, or why they cannot be."""
    if render is None or not any(t in latex for t in ("{{", "{%", "{#")):
        return latex
    try:
        return render(latex)
    except Exception as err:  # noqa: BLE001 - the check reports it; the key only needs to see it
        return f"{latex} cannot be filled in: {type(err).__name__}: {err}"


# the prose checker's code (its modules' import closure and the grader's data files), hashed once
# for as long as none of those files changes
_CODE: dict[str, Any] = {"stamps": None, "digest": ""}
CHECKER_MODULES = ("checker.grading.prose_pages", "checker.grading.prose", "checker.grading.prose_run")


def _checker_code() -> str:
    import gp_measure

    files = (*gp_jobs.import_closure(ROOT, CHECKER_MODULES), *gp_measure.GRADER_FILES)
    paths = sorted({p for pattern in files for p in ROOT.glob(pattern) if p.is_file()})
    stamps = [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths]
    if stamps != _CODE["stamps"]:
        _CODE.update(stamps=stamps, digest=gp_jobs.digest(ROOT, files, inspect.getsource(page_errors)))
    return _CODE["digest"]


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
    failed = [c for c in outcome.value["checks"] if not c.ok]
    lines = []
    if failed:  # the grader is loaded only to word a failure
        from checker.grading.prose import message

        lines = [f"a formula in the prose of {message(c)}" for c in failed]
    return lines + [f"the docstring of {c.place} states a formula of {derivation_id!r} that {c.detail}: "
                    f"{c.latex} (fix the docstring or the code)"
                    for c in outcome.value["claims"].values() if not c.ok]
