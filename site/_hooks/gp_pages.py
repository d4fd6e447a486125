"""The pages of the site: Markdown rendered from jinja2 templates (``site/_templates``).

Each page gets plain data (dicts, lists, strings) built here from the catalogue, the question bank,
the reference code and the measurements; the templates only lay it out. No formula is written
here: every LaTeX string comes from ``to_latex`` of a checked object or from the project's own text.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gp_errata
import gp_examples
import gp_graph
import gp_jobs
import gp_measure
import gp_prose
import gp_render
import jinja2
import jinja2.meta
from gp_course import chapters, course_order
from gp_jobs import Outcome, available
from gp_measure import Measurements
from gp_source import Implementation, implementations

TEMPLATES = Path(__file__).resolve().parent.parent / "_templates"


@dataclass
class Page:
    """A generated page (Markdown) or asset (a file on disk) at ``path`` in the site."""

    path: str
    markdown: str = ""
    source: Path | None = None


@dataclass
class SiteContent:
    """All generated files, the navigation, and the problems a strict build must fail on."""

    pages: list[Page] = field(default_factory=list)
    nav: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ helpers

def fmt_error(value: float | None) -> str:
    """A relative error as the site prints it: ``3.1e-11``, ``0`` or ``—``."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if math.isinf(value) or math.isnan(value):
        return "∞" if math.isinf(value) else "NaN"
    return f"{value:.1e}"


def power_tex(value: float) -> str:
    """``1e-05`` as ``10^{-5}``, ``3e-4`` as ``3 \\times 10^{-4}``: how a step size reads in a formula."""
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"


def shell_quote(text: str) -> str:
    """An answer quoted for bash, as readably as possible (double quotes keep ``\\sigma'`` legible)."""
    if "'" not in text:
        return f"'{text}'"
    if not any(c in text for c in '"$`!') and "\\\\" not in text:
        return f'"{text}"'
    return shlex.quote(text)


_SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def plain_title(title: str) -> str:
    """A title for the navigation, where no formula can be typeset: ``W_2`` becomes ``W₂``."""
    return re.sub(r"(?<=[A-Za-z])_\{?(\d+)\}?", lambda m: m.group(1).translate(_SUBSCRIPT_DIGITS), title)


# "at character 35 of the LaTeX answer: …elta^{(l+1)} \odot⟨here⟩" and
# "(at character 1: ⟨here⟩\frac{\partial \op…)": the quoted piece of the answer
_QUOTED_ANSWER = re.compile(r"(character \d+[^:\n]*: )([^\n]*?⟨here⟩(?:[^)\n]*?…|[^\s)]*))")


_PROTECTED = re.compile(r"(\$[^$]*\$|``.*?``|`[^`]*`)")
_RAW_TOKEN = re.compile(r"[^\s`$]*(?:\\[A-Za-z]+|\^\{|_\{)[^\s`$]*?(?=[),.;:]?(?:\s|$))")


def feedback_text(text: str) -> str:
    """The grader's feedback as Markdown: what it quotes of an answer, or of the notation, is code.

    Formulas in ``$...$`` stay formulas; a quoted piece of the answer (``⟨here⟩`` marks where the
    reader stopped) and a bare LaTeX spelling (``\\frac{\\partial L}{\\partial y}``) become code.
    """
    text = _QUOTED_ANSWER.sub(lambda m: m.group(1) + "`` " + m.group(2).replace("`", "'") + " ``", str(text))
    parts = _PROTECTED.split(text)
    for i in range(0, len(parts), 2):  # the even parts are outside formulas and code
        parts[i] = _code_raw_latex(parts[i])
    return "".join(parts)


def _code_raw_latex(text: str) -> str:
    """Each bare LaTeX spelling of ``text`` as code; a spelling runs on over spaces inside braces."""
    out, pos = [], 0
    for m in _RAW_TOKEN.finditer(text):
        if m.start() < pos:
            continue
        start, end, depth = m.start(), m.start(), 0
        while end < len(text) and (depth > 0 or not text[end].isspace()):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        while end > start and text[end - 1] in "),.;:" and depth == 0:
            end -= 1
        out.append(text[pos:start] + "`` " + text[start:end] + " ``")
        pos = end
    return "".join(out) + text[pos:]


def id_linker(titles: dict[str, str]) -> Any:
    """A filter: ``(softmax-jacobian)`` in prose becomes a link to that derivation's page."""
    if not titles:
        return lambda text, up="": text
    pattern = re.compile(r"\((" + "|".join(re.escape(i) for i in sorted(titles, key=len, reverse=True))
                         + r")\)")

    def link(text: str, up: str = "") -> str:
        return pattern.sub(lambda m: f"([{titles[m.group(1)]}]({up}derivations/{m.group(1)}.md))", str(text))

    return link


def table_math(latex: str) -> str:
    """LaTeX safe inside a Markdown table cell (a bare ``|`` would split the cell)."""
    return latex.replace("|", r"\vert ")


def sizes_tex(combo: dict[str, int]) -> str:
    """``{'n_l': 2, 'n_{l+1}': 3}`` as ``n_l = 2,\\ n_{l+1} = 3``."""
    return r",\ ".join(f"{k} = {v}" for k, v in combo.items())


_HEADING = re.compile(r"^(#{1,6})(?= )", re.M)
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def nest_headings(markdown: str, top: int = 2) -> str:
    """Markdown written elsewhere, its shallowest heading made level ``top`` (no jump from h1 to h3)."""
    fences = [(m.start(), m.end()) for m in _FENCE.finditer(markdown)]
    heads = [m for m in _HEADING.finditer(markdown) if not any(a <= m.start() < b for a, b in fences)]
    if not heads:
        return markdown
    shift = top - min(len(m.group(1)) for m in heads)
    out, last = [], 0
    for m in heads:
        out.append(markdown[last:m.start()])
        out.append("#" * max(1, min(6, len(m.group(1)) + shift)))
        last = m.end()
    out.append(markdown[last:])
    return "".join(out)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["err"] = fmt_error
    env.filters["nest_headings"] = nest_headings
    env.filters["feedback"] = feedback_text
    env.filters["tm"] = table_math
    env.filters["sizes"] = sizes_tex
    env.filters["code_cell"] = lambda s: "`` " + " ".join(str(s).split()) + " ``"
    env.filters["shq"] = shell_quote
    env.filters["power"] = power_tex
    env.filters["ucfirst"] = lambda s: s[:1].upper() + s[1:]
    env.filters["cell"] = lambda s: " ".join(str(s).split()).replace("|", "\\|")
    env.bytecode_cache = gp_render.bytecode_cache(env)
    return env


def _status(o: Outcome, numeric_available: bool) -> dict:
    """What a derivation's verdict looks like on the site."""
    if not o.ok:
        return {"key": "failed", "label": "failed", "icon": ":material-close-circle:", "ok": False}
    r = o.value
    numeric_missing = not numeric_available and all("checker.proof.numeric" in n.detail for n in r.numeric)
    if r.status == "verified":
        return {"key": "verified", "label": "verified", "icon": ":material-check-circle:", "ok": True}
    if r.symbolic and numeric_missing:
        return {"key": "partial", "label": "steps verified; numeric check not available",
                "icon": ":material-alert-circle:", "ok": True}
    return {"key": "failed", "label": "failed", "icon": ":material-close-circle:", "ok": False}


# ------------------------------------------------------------------------------------ derivations


# What check 3 compares with, by probe kind: the claim on a page says exactly what was measured.
NUMERIC_METHODS = {
    "optimiser": "checked numerically against the reference optimisers' own steps (Adam's bias "
                 "correction against a sample mean over many draws)",
    "dropout": "checked numerically against the reference dropout layer (its expectation against a "
               "sample mean over many masks, its backward pass against central differences)",
    "batchnorm": "checked numerically against central differences of the reference batch-norm layer",
    "init": "checked numerically against sample variances of the reference initialisation (a "
            "sampling check with a stated tolerance, not an exact one)",
    "bound": "checked numerically by maximising over a fine grid (an inequality, not an equality)",
    "vanishing": "checked numerically against central differences of 10-layer sigmoid networks, the "
                 "bound as an inequality between their measured norms",
    "series": "checked numerically by measuring the central difference's error on explicit smooth "
              "functions (not the reference MLP) as h shrinks, against the predicted error term",
    "maxout": "checked numerically against central differences of the explicit function (not the "
              "reference MLP)",
}


def numeric_method(kind: str) -> str:
    """How a derivation's result was checked numerically, in the words its page uses."""
    return NUMERIC_METHODS.get(kind, "checked numerically against central differences")


def _derivation_view(d: Any, o: Outcome, m: Measurements, impls: list[Implementation],
                     questions: list[dict]) -> dict:
    from derivations.expr import shape_of, to_latex

    checked = m.prose.get(d.id)
    prose = gp_prose.summary(checked.value) if checked is not None and checked.ok else None
    claims = checked.value["claims"] if checked is not None and checked.ok else {}

    status = _status(o, m.numeric_available)
    r = o.value if o.ok else None
    checks = {(c.chain, c.index): c for c in (r.step_checks if r else [])}
    sizes = [sizes_tex(s) for s in (r.sizes if r else []) if s]  # {} for an all-scalar derivation
    chains = []
    for ci, chain in enumerate(d.chains):
        steps = []
        for si, (_left, right, reason) in enumerate(chain.pairs()):
            c = checks.get((ci, si))
            steps.append({"n": si + 1, "latex": to_latex(right), "reason": gp_prose.show(reason),
                          "ok": bool(c and c.ok), "checked": c is not None, "detail": c.detail if c else ""})
        chains.append({"name": chain.name, "start": to_latex(chain.start), "steps": steps,
                       "equation": d.equation_latex(chain), "level": chain.level,
                       "label": _chain_label(chain)})
    symbols = []
    for s in d.symbols:
        try:
            shape = r" \times ".join(str(x) for x in shape_of(s))
        except Exception:
            shape = ""
        symbols.append({"latex": to_latex(s), "shape": shape})
    numeric = []
    if r:
        for n in r.numeric:
            missing = not m.numeric_available and "checker.proof.numeric" in n.detail
            numeric.append({"network": n.network, "error": n.max_rel_error, "ok": n.ok, "detail": n.detail,
                            "missing": missing})
    return {
        "numeric_method": numeric_method(d.probe.kind if d.probe else ""),
        "id": d.id, "title": d.title, "topic": d.topic, "context": gp_prose.show(d.context),
        "notes": gp_prose.show(d.notes), "prose": prose, "claims": claims,
        "convention": getattr(d, "convention", "column"),
        "status": status, "result": r, "error": (o.error if not o.ok else (r.error if r else "")),
        "sizes": sizes, "chains": chains, "symbols": symbols, "levels": _levels(d, chains),
        "definitions": [{"lhs": to_latex(s), "rhs": to_latex(e)} for s, e in d.definitions],
        "numeric": numeric, "seconds": o.value.seconds if o.ok else o.seconds,
        "cached": o.cached, "implementations": impls, "questions": questions,
        "mistakes": [gp_prose.show(mk) for mk in d.mistakes], "probe": d.probe,
        "result_latex": d.equation_latex(), "result_rhs": to_latex(d.result),
        "graph": gp_graph.svg_figure(gp_graph.derivation_graph(d), f"Computational graph of {d.title}"),
    }


def _chain_label(chain: Any) -> str:
    """How a chain is headed on a page: its name, and which level it is written at."""
    if chain.level == "index":
        return f"{chain.of}, entry by entry" if chain.of else "Entry by entry"
    return chain.name


def _levels(d: Any, chains: list[dict]) -> list[dict]:
    """The chains as a page lays them out: each matrix chain with the index chain that reads it
    entry by entry (None if it has none) beside it."""
    pairs = list(zip(d.chains, chains, strict=True))
    index_of = {d.refined(c).name: view for c, view in pairs if c.level == "index"}
    return [{"matrix": view, "index": index_of.get(c.name)} for c, view in pairs if c.level == "matrix"]


def _graded_examples(m: Measurements, questions: list[dict]) -> dict | None:
    """The first question's model solution and wrong twin, as graded at build time (or None)."""
    o = m.derivation_examples
    if o is None or not o.ok or not questions:
        return None
    found = o.value.get(questions[0]["id"])
    if not found:
        return None
    # The section demonstrates the grader only when it grades the page's own steps correct and the
    # wrong twin incorrect; otherwise the page says which steps the grader cannot yet follow, rather
    # than showing a verdict against the handbook's own (verified) derivation.
    model, wrong = found.get("model_graded") or {}, found.get("wrong_graded")
    wrong_caught = wrong is None or wrong.get("verdict") == "incorrect"
    demonstrates = model.get("verdict") == "correct" and wrong_caught
    return {**found, "title": questions[0]["title"], "demonstrates": demonstrates}


# ------------------------------------------------------------------------------------ notation

def _notation_view(root: Path) -> dict:
    """The symbols of ``derivations/notation.py``, grouped by the section comments of the file."""
    from derivations.expr import Sym, shape_of, to_latex

    notation = importlib.import_module("derivations.notation")
    source = (root / "derivations" / "notation.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    sections: dict[str, list[dict]] = {}
    order: list[tuple[int, str]] = []
    for node in ast.parse(source).body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if not isinstance(target, ast.Name):
            continue
        name = target.id
        value = getattr(notation, name, None)
        if not isinstance(value, Sym):
            continue
        heading = "symbols"
        for ln in range(node.lineno - 1, 0, -1):
            text = lines[ln - 1].strip()
            if text.startswith("# ----") or text.startswith("# ==="):
                heading = text.lstrip("#-= ").strip()
                break
        rows, cols = shape_of(value)
        kind = ("scalar" if (rows, cols) == (1, 1) else "column vector" if cols == 1
                else "row vector" if rows == 1 else "matrix")
        if heading not in sections:
            sections[heading] = []
            order.append((node.lineno, heading))
        sections[heading].append({"name": name, "key": value.key, "latex": to_latex(value),
                                  "shape": rf"{rows} \times {cols}", "kind": kind})
    row_words = ("row convention", "slides")
    groups, errors = [], []
    every = [v for v in vars(notation).values() if isinstance(v, Sym)]
    checker = _notation_checker(root) if available("checker.grading.prose") else None
    for _, h in order:
        # "regularisation: an unregularised cost $J$, ...": the words before the colon head the
        # section, the rest (which may hold formulas, in $...$) is its first line
        title, _, detail = h.partition(":") if ":" in h else (h, "", "")
        if "$" in detail and checker is not None:
            own = [getattr(notation, s["name"]) for s in sections[h]]
            errors += checker(_slug(title), detail, own, every)
        groups.append({"title": title.strip(), "detail": gp_prose.show(detail.strip()), "symbols": sections[h],
                       "row": any(w in h.lower() for w in row_words)})
    doc = (notation.__doc__ or "").strip()
    return {"groups": groups, "doc": doc, "errors": errors}


def _notation_checker(root: Path) -> Any:
    """Check a section heading's formulas (:func:`checker.grading.prose.check_notation_text`), the
    errors stored under a key of the prose checker's code, the text, its symbols and the
    catalogue's definitions: a warm build does not load the grader for them."""
    from derivations import all_derivations

    defs = [pair for d in all_derivations().values() for pair in d.definitions]
    prose = (*gp_jobs.import_closure(root, gp_measure.PROSE_MODULES), *gp_measure.GRADER_FILES)
    code = gp_jobs.digest(root, prose, inspect.getsource(_notation_checker), repr(defs))

    def check(name: str, detail: str, own: list, every: list) -> list[str]:
        def produce(work: Path) -> dict:
            from checker.grading.prose import check_notation_text, message

            return {"errors": [f"the Notation page: {message(c)}"
                               for c in check_notation_text(detail, own, every, defs) if not c.ok]}

        key = gp_jobs.digest(root, (), code, detail, repr(own), repr(every))
        return gp_jobs.cached_or_run("notation", name, key, produce)["errors"]

    return check


# Which checked derivations the Notation page sets side by side, per convention: their definitions
# (the forward pass) and their results (the backward pass). A missing id is skipped.
CONVENTIONS = {
    "column": {"forward": ("weight-gradient", "mse-output-delta"),
               "results": ("softmax-ce-gradient", "hidden-delta", "weight-gradient", "bias-gradient")},
    "row": {"forward": ("row-backprop",), "results": ("row-backprop",)},
}


def _conventions(catalogue: dict[str, Any]) -> dict[str, dict[str, list[dict]]]:
    """The definitions and results of the derivations named in :data:`CONVENTIONS`, without repeats."""
    from derivations.expr import to_latex

    out: dict[str, dict[str, list[dict]]] = {}
    for conv, spec in CONVENTIONS.items():
        seen: set[str] = set()
        forward, results = [], []
        for i in spec["forward"]:
            if i not in catalogue:
                continue
            for sym, e in catalogue[i].definitions:
                line = rf"{to_latex(sym)} \coloneqq {to_latex(e)}"
                if line not in seen:
                    seen.add(line)
                    forward.append({"latex": line, "id": i, "title": catalogue[i].title})
        for i in spec["results"]:
            if i not in catalogue:
                continue
            for chain in catalogue[i].matrix_chains:
                results.append({"latex": catalogue[i].equation_latex(chain), "id": i,
                                "title": catalogue[i].title})
        out[conv] = {"forward": forward, "results": results}
    return out


# ------------------------------------------------------------------------------------ assembling

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build(m: Measurements) -> SiteContent:
    """Every generated page and asset, and the navigation."""
    from derivations.base import TOPICS

    env = _env()
    env.filters["links"] = id_linker({i: d.title for i, d in m.catalogue.items()})
    out = SiteContent()
    root = m.root
    cat = m.catalogue
    impls = implementations(root, list(cat))
    bank = m.questions.value if m.questions is not None and m.questions.ok else None
    question_list = [{**q, "title": plain_title(q["title"]), "prompt": gp_prose.show(q["prompt"])}
                     for q in bank["questions"]] if bank else []
    by_derivation: dict[str, list[dict]] = {}
    for q in question_list:
        by_derivation.setdefault(q["derivation"], []).append(q)

    views = {}
    for i, d in cat.items():
        o = m.verify[i]
        views[i] = _derivation_view(d, o, m, [x for x in impls if i in x.cites], by_derivation.get(i, []))
        try:
            views[i]["example"] = gp_examples.example(d, views[i]["result"])
        except Exception as exc:  # the reference code failed on the example: the build must say so
            views[i]["example"] = None
            out.errors.append(f"the worked example of {i!r} failed: {type(exc).__name__}: {exc}")
        if views[i]["example"] and views[i]["example"].get("ok") is False:
            out.errors.append(f"the worked example of {i!r} is outside the check's tolerance")
        views[i]["graded"] = _graded_examples(m, by_derivation.get(i, []))
        out.errors.extend(gp_prose.failure_lines(i, m.prose.get(i)))
        st = views[i]["status"]
        if not st["ok"]:
            steps = [s for c in views[i]["chains"] for s in c["steps"] if not s["ok"]]
            numeric = [n for n in views[i]["numeric"] if not n["ok"]]
            why = views[i]["error"] or "; ".join(
                [f"step {s['n']}: {s['detail'] or 'not checked'}" for s in steps]
                + [f"{n['network']}: {n['detail'] or fmt_error(n['error'])}" for n in numeric]
                + ([] if views[i]["result"] is None or views[i]["result"].result_check
                   else ["sympy does not derive the result from the start of the chain"]))
            out.errors.append(f"derivation {i!r} failed its checks: {why}")
        elif st["key"] == "partial":
            out.notes.append(f"derivation {i!r}: steps verified; numeric check not available yet")

    course = chapters(cat, TOPICS)
    by_topic = [(ch.title, [views[i] for i in ids]) for ch, ids in course]
    start_here = [{"title": ch.title, "intro": ch.intro, "first": views[ids[0]], "count": len(ids)}
                  for ch, ids in course]
    in_course = course_order(course)
    question_list.sort(key=lambda q: in_course(q["derivation"]))
    totals = {
        "derivations": len(views),
        "verified": sum(v["status"]["key"] == "verified" for v in views.values()),
        "partial": sum(v["status"]["key"] == "partial" for v in views.values()),
        "failed": sum(not v["status"]["ok"] for v in views.values()),
        "steps": sum(d.step_count for d in cat.values()),
        "steps_verified": sum(v["result"].steps_verified for v in views.values() if v["result"]),
        "seconds": round(m.seconds, 1),
        "ran": m.ran,
    }
    common = {"totals": totals, "numeric_available": m.numeric_available}

    checked: set[str] = set()

    def render(template: str, path: str, **ctx: Any) -> None:
        depth = path.count("/")
        up = "../" * depth
        out.pages.append(Page(path, env.get_template(template).render(up=up, **common, **ctx)))
        if template not in checked and available("checker.grading.prose_pages"):
            checked.add(template)  # its typed formulas, filled in with the values of its first page
            source = (TEMPLATES / template).read_text(encoding="utf-8")

            def fill(latex: str) -> str | None:
                values = {"up": up, **common, **ctx}
                names = jinja2.meta.find_undeclared_variables(env.parse(latex))
                if any(values.get(name) is None for name in names):
                    return None  # its values are absent from this build, and so is the part of the page
                return env.from_string(latex).render(**values)

            out.errors.extend(gp_prose.page_errors(source, f"site/_templates/{template}", fill))

    render("home.md.j2", "index.md", topics=by_topic, questions=question_list, start_here=start_here)
    if available("checker.grading.prose_pages"):
        for page in sorted((root / "site").glob("*.md")):
            if page.name != "README.md":  # not published
                out.errors.extend(gp_prose.page_errors(page.read_text(encoding="utf-8"), f"site/{page.name}"))
    notation_view = _notation_view(root)
    out.errors.extend(notation_view["errors"])
    render("notation.md.j2", "notation.md", notation=notation_view, conventions=_conventions(cat))
    render("derivations.md.j2", "derivations/index.md", topics=by_topic)
    for v in views.values():
        render("derivation.md.j2", f"derivations/{v['id']}.md", d=v)

    # --- questions and the example class
    qnav: list[Any] = ["questions/index.md"]
    gb = m.grade_batch
    example = gb.value if gb is not None and gb.ok else None
    if m.questions is not None and not m.questions.ok:
        out.errors.append(f"the question bank could not be read: {m.questions.error}")
    if gb is not None and not gb.ok:
        out.errors.append(f"grade-batch on the example class failed: {gb.error}")
    if example:
        example = dict(example)
        example["counts"] = {v: sum(r["verdict"] == v for r in example["rows"])
                             for v in ("correct", "incorrect", "invalid")}
        report = Path(example["dir"]) / example["report"]
        out.pages.append(Page("questions/example-report.html", source=report))
    render("questions.md.j2", "questions/index.md", bank=bank, bank_outcome=m.questions,
           example=example, example_outcome=gb, derivations=views, questions=question_list,
           question_ids={q["id"] for q in question_list})
    for q in question_list:
        render("question.md.j2", f"questions/{q['id']}.md", q=q, d=views.get(q["derivation"]))
        qnav.append({q["title"]: f"questions/{q['id']}.md"})

    # --- reference MLP
    files: dict[str, list[Implementation]] = {}
    for x in impls:
        files.setdefault(x.path, []).append(x)
    walk = _walkthrough(root)
    render("mlp.md.j2", "mlp.md", files=files, derivations=views, walk=walk)

    # --- gradient checks
    g = m.gradcheck
    grid = g.value if g is not None and g.ok else None
    if g is not None and not g.ok:
        out.errors.append(f"the gradient checks failed to run: {g.error}")
    if grid:
        checks = [*grid["rows"], grid["rownet"]]
        failing = [f"{r['activation']} × {r['loss']}" for r in checks if not r["passed"]]
        if failing:
            out.errors.append("gradient check failed for " + ", ".join(failing))
        for name in grid["figures"]:
            out.pages.append(Page(name, source=Path(grid["dir"]) / name))
    render("gradcheck.md.j2", "gradcheck.md", grid=grid, outcome=g,
           has_command=available("checker.commands.gradcheck"))

    # --- experiments
    enav: list[Any] = ["experiments/index.md"]
    exps = []
    for o in m.experiments or []:
        if not o.ok:
            out.errors.append(f"experiment {o.name!r} failed: {o.error}")
        item = {"id": o.name, "title": o.extra.get("title", o.name), "ok": o.ok, "error": o.error,
                "cached": o.cached, "data": o.value if o.ok else None}
        exps.append(item)
        if o.ok and o.kind == "experiment":
            for fig in o.value["figures"]:
                out.pages.append(Page(f"experiments/{o.name}/{fig}", source=Path(o.value["dir"]) / fig))
        if o.kind == "experiment":
            render("experiment.md.j2", f"experiments/{o.name}/index.md", e=item)
            enav.append({item["title"]: f"experiments/{o.name}/index.md"})
    render("experiments.md.j2", "experiments/index.md", experiments=exps,
           available=m.experiments is not None)

    _errata(out, root, render)

    dnav: list[Any] = ["derivations/index.md"]
    for t, vs in by_topic:
        dnav.append({t: [{v["title"]: f"derivations/{v['id']}.md"} for v in vs]})
    out.nav = [
        {"Home": "index.md"},
        {"Notation": "notation.md"},
        {"Derivations": dnav},
        {"Questions": qnav},
        {"Reference MLP": "mlp.md"},
        {"Gradient checks": "gradcheck.md"},
        {"Experiments": enav},
        {"Teaching": ["instructor.md", "errata.md", "typesetting.md"]},
    ]
    return out


def _errata(out: SiteContent, root: Path, render: Any) -> None:
    """The course material's mistakes, graded by the grader in this build (``gp_errata``)."""
    if not available("checker.grading.judge"):
        return
    try:
        errata = gp_errata.graded(root, gp_measure.grader_code(root))
    except Exception as exc:  # a grader that crashes on the errata must fail the build, named
        out.errors.append(f"grading the errata failed: {type(exc).__name__}: {exc}")
        return
    render("errata.md.j2", "errata.md", errata=errata)
    if available("checker.grading.prose_pages"):
        from derivations.questions import QUESTIONS

        for e in gp_errata.ERRATA:  # the formulas of its text, in the notation of the question it grades
            out.errors.extend(gp_prose.page_errors(f"{e.what} {e.note}", f"the errata page ({e.title})",
                                                   derivation=QUESTIONS[e.question].derivation))


def _walkthrough(root: Path) -> list[dict]:
    """The forward and backward methods of :class:`checker.network.mlp.MLP`, shown whole on the MLP page."""
    path = root / "checker" / "network" / "mlp.py"
    if not path.exists():
        return []
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    wanted = {"forward": "The forward pass", "backward": "The backward pass",
              "gradients": "Gradients of a batch"}
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == "MLP":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in wanted:
                    first = min([item.lineno, *(dec.lineno for dec in item.decorator_list)])
                    last = item.end_lineno or item.lineno
                    import textwrap

                    found.append({"title": wanted[item.name], "name": f"MLP.{item.name}", "first": first,
                                  "last": last, "source": textwrap.dedent("\n".join(lines[first - 1:last]))})
    return found
