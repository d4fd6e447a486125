"""The measurements behind the site: which jobs exist, what each depends on, and running them.

Every number a page shows comes from here, measured when the site is built:

* ``verify`` — one job per derivation: :func:`checker.proof.verify.verify_cached` (its own cache);
* ``prose`` — one job per derivation: the formulas of its prose checked against it
  (:mod:`checker.grading.prose`, cached by :mod:`checker.grading.prose_run`);
* ``gradcheck`` — the reference MLP against central differences, activation × loss, and the row
  network (:mod:`checker.network.gradcheck`), with its plot;
* ``experiment`` — one job per :data:`checker.experiments.EXPERIMENTS` entry;
* ``questions`` — the question bank with the mistakes the grader recognises for each question
  (:func:`checker.grading.judge.prepare`);
* ``grade-batch`` — ``gradproof grade-batch`` on the example class in ``site/examples/``;
* ``derivation-examples`` — each question's catalogue chain as a model solution, and its twin
  with a wrong last step, graded by ``gradproof grade-derivation`` (shown on derivation pages).

A piece that does not exist yet is *unavailable* (``None``): its page says so. A piece that exists
and fails is an :class:`~gp_jobs.Outcome` with ``ok=False``: its page shows the error and the hook
fails a strict build.

``GRADPROOF_SITE_EXTRA_DERIVATIONS`` (paths of Python files, separated by ``os.pathsep``) adds the
``DERIVATION`` of each file to the catalogue the site shows: how a test proves that a derivation
that fails its checks fails the strict build, without touching ``derivations/``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gp_jobs
from gp_jobs import Job, Outcome, available

EXTRA_ENV = "GRADPROOF_SITE_EXTRA_DERIVATIONS"

# What each kind of result depends on, besides the source of the code here that produces it: the
# modules it runs and everything they import (gp_jobs.import_closure), plus files read by name.
GRADCHECK_MODULES = ("checker.network.gradcheck", "checker.network.mlp", "checker.network.activations",
                     "checker.network.losses", "checker.network.rownet", "checker.network.central_difference",
                     "checker.experiments.figures")
EXPERIMENT_MODULES = ("checker.experiments",)
GRADER_MODULES = ("checker.commands.main", "checker.commands.grade_batch", "checker.commands.questions",
                  "checker.grading.batch", "checker.grading.judge", "derivations.questions")
DERIVATION_MODULES = ("checker.grading.derivation.examples",)
# the grader's data files (the report template, word lists) are read by name, not imported
GRADER_FILES = ("checker/grading/**/*",)
EXAMPLE_CSV = "site/examples/class.csv"
PROSE_MODULES = ("checker.grading.prose", "checker.grading.prose_code", "checker.grading.prose_run")

# The gradient-check grid: every activation of the reference MLP with every loss, two hidden layers
# of different widths (so a missing transpose cannot hide), a small batch.
GRADCHECK_SIZES = (4, 6, 5, 3)
GRADCHECK_BATCH = 7
ROWNET_SIZES = (4, 6, 3)  # d, h, c
ROWNET_BATCH = 5


@dataclass
class Measurements:
    """Everything measured for one build; ``None`` marks a piece that is not available yet."""

    root: Path
    catalogue: dict[str, Any]
    verify: dict[str, Outcome]
    numeric_available: bool
    gradcheck: Outcome | None
    experiments: list[Outcome] | None
    questions: Outcome | None
    grade_batch: Outcome | None
    derivation_examples: Outcome | None = None
    prose: dict[str, Outcome] = field(default_factory=dict)
    seconds: float = 0.0
    ran: int = 0  # jobs that were not cached
    timings: list[dict] = field(default_factory=list)  # every job: kind, name, seconds, cached


# ----------------------------------------------------------------------------------- catalogue

def catalogue() -> dict[str, Any]:
    """The derivations the site shows: the catalogue, plus any extra file named in the environment."""
    derivations = importlib.import_module("derivations")
    items = dict(derivations.all_derivations())
    for path in filter(None, os.environ.get(EXTRA_ENV, "").split(os.pathsep)):
        name = "gradproof_site_extra_" + Path(path).stem.replace("-", "_")
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{EXTRA_ENV}: cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        d = module.DERIVATION
        items[d.id] = d
    return items


# ----------------------------------------------------------------------------------- the jobs

def _verify(d: Any) -> Any:
    from checker.proof.verdicts import load_stored

    stored = load_stored(d)  # read without importing the checkers: most builds verify nothing
    if stored is not None:
        return stored
    from checker.proof.verify import verify_cached

    return verify_cached(d)


def _prose(d: Any, cited: list[Any], key: str) -> dict:
    """The formulas of a derivation's prose, and those its citing reference code states, checked
    (stored under ``key``: a warm build reads them back instead of grading them again)."""
    from checker.grading.prose_verdicts import ProseCheck  # no grader loaded to read stored verdicts back

    def produce(work: Path) -> dict:
        from checker.grading.prose import check_derivation
        from checker.grading.prose_code import check_claim
        from checker.grading.prose_run import checked
        from derivations import all_derivations

        checks = checked(d.id) if all_derivations().get(d.id) == d else check_derivation(d)
        claims = {f"{x.path}:{x.qualname}": check_claim(d, f"{x.path}, {x.qualname}", x.summary)
                  for x in cited}
        return {"checks": [asdict(c) for c in checks], "claims": {k: asdict(c) for k, c in claims.items()}}

    data = gp_jobs.cached_or_run("prose", d.id, key, produce)
    return {"checks": [ProseCheck(**c) for c in data["checks"]],
            "claims": {k: ProseCheck(**c) for k, c in data["claims"].items()}}


def _verify_is_cached(d: Any) -> bool:
    try:
        from checker.proof.verdicts import stored_path  # no sympy import: a warm build needs none

        return stored_path(d).exists()
    except Exception:
        return False


def _gradcheck_grid(root: Path, key: str) -> dict:
    def produce(work: Path) -> dict:
        import numpy as np

        from checker.network import activations
        from checker.network import losses
        from checker.network import rownet
        from checker.network.gradcheck import (
            DEFAULT_FLOOR,
            DEFAULT_H,
            DEFAULT_THRESHOLD,
            gradcheck,
            random_problem,
            rownet_gradcheck,
        )
        from checker.network.mlp import MLP

        rows = []
        for act in activations.ACTIVATIONS:
            for loss in losses.LOSSES:
                model = MLP.create(GRADCHECK_SIZES, activation=act, loss=loss, seed=1)
                X, Y = random_problem(model, batch=GRADCHECK_BATCH, seed=2)
                r = gradcheck(model, X, Y, mode="full", seed=3)
                rows.append(_gradcheck_row(r, activation=act, loss=loss,
                                           output=model.activations[-1]))
        d, h, c = ROWNET_SIZES
        rng = np.random.default_rng(4)
        X = rng.standard_normal((ROWNET_BATCH, d))
        Y = np.eye(c)[rng.integers(0, c, ROWNET_BATCH)]
        row = _gradcheck_row(rownet_gradcheck(rownet.init_params(d, h, c, seed=5), X, Y),
                             activation="tanh", loss="softmax-ce (row convention, summed)", output="softmax")
        figures = _plot_gradcheck(rows, row, DEFAULT_THRESHOLD, work)
        return {"sizes": list(GRADCHECK_SIZES), "batch": GRADCHECK_BATCH, "rows": rows, "rownet": row,
                "rownet_sizes": list(ROWNET_SIZES), "rownet_batch": ROWNET_BATCH,
                "threshold": DEFAULT_THRESHOLD, "h": DEFAULT_H, "floor": DEFAULT_FLOOR,
                "activations": list(activations.ACTIVATIONS), "losses": list(losses.LOSSES),
                "figures": figures, "figure_alt": _gradcheck_alt(rows, row, DEFAULT_THRESHOLD)}

    return gp_jobs.cached_or_run("gradcheck", "grid", key, produce)


def _gradcheck_row(r: Any, **labels: str) -> dict:
    worst = [e.to_dict() for e in r.worst[:3]]
    err = float(r.max_rel_error)
    return {**labels, "max_rel_error": err if err == err and err != float("inf") else None,
            "params_checked": int(r.params_checked), "seconds": float(r.seconds),
            "kinks_skipped": int(r.kinks_skipped), "passed": bool(r.passed), "worst": worst,
            "error": getattr(r, "error", None) or ""}


def _plot_gradcheck(rows: list[dict], row: dict, threshold: float, work: Path) -> list[str]:
    """The max relative error of every check as horizontal bars on a log scale, one SVG per theme.

    One group of bars per activation (a bar per loss), the row network last, the threshold dashed.
    """
    import numpy as np

    from checker.experiments.figures import FIGURE_WIDTH, pyplot, save_themed_svg

    acts = list(dict.fromkeys(r["activation"] for r in rows))
    losses = list(dict.fromkeys(r["loss"] for r in rows))
    groups = acts + (["row network"] if row.get("max_rel_error") else [])
    height = 0.8 / len(losses)

    def draw(theme: Any) -> Any:
        fig, ax = pyplot().subplots(figsize=(FIGURE_WIDTH, 1.0 + 0.62 * len(groups)), layout="constrained")
        colors = [theme.color(c) for c in ("blue", "orange", "green")]
        for k, loss in enumerate(losses):
            values = [next((r["max_rel_error"] for r in rows if r["activation"] == a and r["loss"] == loss),
                           None) for a in acts]
            ys = np.arange(len(acts)) + (k - (len(losses) - 1) / 2) * height
            ax.barh(ys, [v if v else 1e-18 for v in values], height, label=loss,
                    color=colors[k % len(colors)])
        if row.get("max_rel_error"):
            ax.barh([len(acts)], [row["max_rel_error"]], height, color=theme.color("purple"))
        ax.axvline(threshold, color=theme.color("red"), lw=1.5, ls="--", label=f"threshold {threshold:.0e}")
        ax.set_xscale("log")
        ax.set_yticks(range(len(groups)), groups)
        ax.invert_yaxis()
        ax.set_xlabel("max relative error (log scale)")
        ax.grid(True, axis="x")
        fig.legend(loc="outside lower center", ncol=2)
        return fig

    return [p.name for p in save_themed_svg(draw, work, "gradcheck")]


def _gradcheck_alt(rows: list[dict], row: dict, threshold: float) -> str:
    """What the gradient-check figure shows, in words."""
    checks = [r for r in [*rows, row] if r.get("max_rel_error")]
    worst = max(checks, key=lambda r: r["max_rel_error"])
    below = sum(r["max_rel_error"] < threshold for r in checks)
    return (f"Horizontal bars, log scale: the largest relative error between backpropagation and central "
            f"differences for each activation and loss, and for the row network, beside a dashed line at "
            f"the threshold {threshold:.0e}. {below} of {len(checks)} bars end left of the line; the "
            f"longest is {worst['activation']} with {worst['loss']} at {worst['max_rel_error']:.1e}.")


def _experiment(exp_id: str, key: str) -> dict:
    def produce(work: Path) -> dict:
        from checker.experiments import get

        exp = get(exp_id)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            result = exp.run(work)
        names = []
        for fig in result.figures:
            fig = Path(fig)
            if fig.parent.resolve() != work.resolve() and fig.exists():
                shutil.copy2(fig, work / fig.name)
            names.append(fig.name)
        return {"id": exp.id, "title": exp.title, "summary": getattr(exp, "summary", ""),
                "metrics": result.metrics, "markdown": result.markdown, "figures": names,
                "seconds": round(time.perf_counter() - start, 2)}

    return gp_jobs.cached_or_run("experiment", exp_id, key, produce)


def _question_bank(items: dict[str, str], key: str) -> dict:
    """Every question of the bank, each cached under its own key (see :func:`question_keys`)."""

    def produce(work: Path) -> dict:
        out = [gp_jobs.cached_or_run("question", qid, k, lambda _, qid=qid: _question_item(qid))
               for qid, k in items.items()]
        return {"questions": [{k: v for k, v in item.items() if k != "dir"} for item in out],
                "mistakes_known": available("checker.grading.judge")}

    return gp_jobs.cached_or_run("questions", "bank", key, produce)


def _question_item(qid: str) -> dict:
    """One question as the site shows it, with the mistakes the grader recognises for it."""
    from derivations.expr import shape_of, to_latex
    from derivations.questions import get_question

    try:
        from checker.grading.judge import prepare
        from checker.grading.derivation.expansion import recognised
        from checker.grading.series import function_notation, is_series_question
    except ImportError:
        prepare = None
    q = get_question(qid)
    ref = q.reference
    item = {
        "id": q.id, "title": q.title, "prompt": q.prompt, "derivation": q.derivation,
        "chain": getattr(q, "chain", ""),
        "symbols": [{"latex": s.tex or s.key, "shape": _shape_tex(shape_of(s)), "spellings": list(sp)}
                    for s, sp in q.symbols],
        "code_names": [[name, s.tex or s.key] for name, s in getattr(q, "code_names", ())],
        "named": [[sp, to_latex(e)] for sp, e in getattr(q, "named", ())],
        "sigma": getattr(q, "sigma", "generic"),
        "index_notation": bool(getattr(q, "index_notation", False)),
        "convention": getattr(q, "convention", "column"),
        "accepted": list(q.accepted),
        "reference": to_latex(ref),
        "answer_shape": _shape_tex(shape_of(ref)),
        "functions": [],
        "mistakes": [],
    }
    if prepare is not None and is_series_question(q):  # an expansion: the mistakes its derivation lists
        item["functions"] = [{"latex": tex, "what": what, "spellings": list(sp)}
                             for tex, what, sp in function_notation(q)]
        for tag, e, message in recognised(q):
            item["mistakes"].append({"tag": tag, "latex": to_latex(e), "message": message})
    elif prepare is not None:
        for pm in prepare(q.id).mutants:
            m = pm.mutant
            item["mistakes"].append({"tag": m.tag, "latex": to_latex(m.expr), "message": m.message})
    return item


def _grade_batch(csv_path: Path, key: str) -> dict:
    def produce(work: Path) -> dict:
        from checker.commands.main import main

        out_dir = work / "out"
        start = time.perf_counter()
        said, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(err):
            status = main(["grade-batch", str(csv_path), "--out", str(out_dir), "--jobs", "1"])
        if status != 0:
            raise RuntimeError(f"gradproof grade-batch exited with {status}: {err.getvalue().strip()}")
        rows = json.loads((out_dir / "results.json").read_text())
        return {"rows": rows, "summary": said.getvalue().strip(), "report": "out/report.html",
                "csv": csv_path.read_text(), "seconds": round(time.perf_counter() - start, 2)}

    return gp_jobs.cached_or_run("grade-batch", "example", key, produce)


def _derivation_examples(items: dict[str, str], key: str) -> dict:
    """Each question's model solution and wrong twin, graded; each question cached under its own key."""

    def produce(work: Path) -> dict:
        from checker.grading.derivation.examples import graded_examples

        out = {}
        for qid, k in items.items():
            found = gp_jobs.cached_or_run("derivation-example", qid, k,
                                          lambda _, qid=qid: graded_examples(qid))
            out[qid] = {name: v for name, v in found.items() if name != "dir"}
        return out

    return gp_jobs.cached_or_run("derivation-examples", "all", key, produce)


def grader_code(root: Path) -> tuple[str, ...]:
    """The grader's code and data files: what grading depends on besides the questions' meaning."""
    return (*gp_jobs.import_closure(root, GRADER_MODULES), *GRADER_FILES)


def meaning_of(question_ids: Any) -> str:
    """What grading answers to these questions depends on in ``derivations/``, as text.

    A question's reference answer is the result of its catalogue derivation, looked up by id at run
    time, so no import closure sees it; the key takes the derivation's meaning instead (its
    ``repr``: symbols, definitions, chains, steps and reasons, stable across processes) and every
    question's definition (a reader may know another question's names). Editing one derivation
    then re-grades the questions built on it, and nothing else.
    """
    from derivations.questions import QUESTIONS

    return "\n".join([repr(tuple(QUESTIONS.values())), *map(_derivation_meaning, sorted(set(question_ids)))])


def _derivation_meaning(question_id: str) -> str:
    from derivations import get
    from derivations.questions import QUESTIONS

    q = QUESTIONS.get(question_id)
    return repr(get(q.derivation)) if q is not None else ""


def question_keys(root: Path, code: tuple[str, ...], source: str) -> dict[str, str]:
    """A content key per question of the bank: the code that makes the result and the question's meaning."""
    from derivations.questions import QUESTIONS

    base = gp_jobs.digest(root, code, source, meaning_of(()))
    return {qid: gp_jobs.digest(root, (), base, _derivation_meaning(qid)) for qid in QUESTIONS}


def _csv_questions(path: Path) -> set[str]:
    """The question ids the example class answers (its ``question`` column)."""
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        return {row.get("question", "") for row in csv.DictReader(f)}


def _shape_tex(shape: tuple) -> str:
    return r" \times ".join(str(d) for d in shape)


# ----------------------------------------------------------------------------------- running

def measure(root: Path, workers: int = gp_jobs.WORKERS) -> Measurements:
    """Plan every job, run the uncached ones on ``workers`` processes, and collect the outcomes."""
    start = time.perf_counter()
    gp_jobs.load_imports()
    items = catalogue()
    jobs: list[Job] = []
    for d in items.values():
        jobs.append(Job("verify", d.id, _verify, (d,), cached=_verify_is_cached(d), weight=1 + d.step_count))
    have_prose = available("checker.grading.prose")
    if have_prose:
        from gp_source import implementations

        code = gp_jobs.digest(root, (*gp_jobs.import_closure(root, PROSE_MODULES), *GRADER_FILES),
                              _code(_prose), meaning_of(()))
        reference = implementations(root, list(items))
        for d in items.values():
            cited = [x for x in reference if d.id in x.cites]
            said = repr([(x.path, x.qualname, x.summary) for x in cited])
            key = gp_jobs.digest(root, (), code, repr(d), said)
            jobs.append(Job("prose", d.id, _prose, (d, cited, key),
                            cached=gp_jobs.load_stored("prose", d.id, key) is not None, weight=2))

    have_gradcheck = available("checker.network.gradcheck")
    if have_gradcheck:
        depends = gp_jobs.import_closure(root, GRADCHECK_MODULES)
        key = gp_jobs.digest(root, depends, _code(_gradcheck_grid, _gradcheck_row, _plot_gradcheck),
                             repr((GRADCHECK_SIZES, GRADCHECK_BATCH, ROWNET_SIZES, ROWNET_BATCH)))
        jobs.append(Job("gradcheck", "grid", _gradcheck_grid, (root, key),
                        cached=gp_jobs.load_stored("gradcheck", "grid", key) is not None, weight=20))

    experiments: list[tuple[str, str]] | None = None
    if available("checker.experiments"):
        try:
            exps = importlib.import_module("checker.experiments").EXPERIMENTS
            exps = list(exps.values()) if isinstance(exps, dict) else list(exps)
            experiments = [(e.id, e.title) for e in exps]
        except Exception as exc:  # the module exists but does not load: a failure, not an absence
            experiments = []
            jobs.append(Job("experiment-list", "all", _raise, (f"{type(exc).__name__}: {exc}",)))
            exps = []
        depends = gp_jobs.import_closure(root, EXPERIMENT_MODULES)
        for e in exps:
            fingerprint = e.fingerprint() if hasattr(e, "fingerprint") else ""
            key = gp_jobs.digest(root, depends, _code(_experiment), e.id, fingerprint)
            jobs.append(Job("experiment", e.id, _experiment, (e.id, key),
                            cached=gp_jobs.load_stored("experiment", e.id, key) is not None, weight=50))

    have_bank = available("derivations.questions")
    grader = grader_code(root)
    if have_bank:
        bank_keys = question_keys(root, grader, _code(_question_bank, _question_item, _shape_tex))
        key = gp_jobs.digest(root, (), *bank_keys.values())
        jobs.append(Job("questions", "bank", _question_bank, (bank_keys, key),
                        cached=gp_jobs.load_stored("questions", "bank", key) is not None, weight=5))
    have_grader = available("checker.commands.grade_batch") and (root / EXAMPLE_CSV).exists()
    if have_grader:
        meaning = meaning_of(_csv_questions(root / EXAMPLE_CSV))
        key = gp_jobs.digest(root, (*grader, EXAMPLE_CSV), _code(_grade_batch), meaning)
        jobs.append(Job("grade-batch", "example", _grade_batch, (root / EXAMPLE_CSV, key),
                        cached=gp_jobs.load_stored("grade-batch", "example", key) is not None, weight=8))

    have_derivations = available("checker.grading.derivation.examples")
    if have_derivations:
        closure = (*grader, *gp_jobs.import_closure(root, DERIVATION_MODULES))
        example_keys = question_keys(root, closure, _code(_derivation_examples))
        key = gp_jobs.digest(root, (), *example_keys.values())
        jobs.append(Job("derivation-examples", "all", _derivation_examples, (example_keys, key),
                        cached=gp_jobs.load_stored("derivation-examples", "all", key) is not None, weight=15))

    outcomes = gp_jobs.run_jobs(jobs, workers)
    exp_outcomes = None
    if experiments is not None:
        exp_outcomes = [outcomes[("experiment", i)] for i, _ in experiments]
        if ("experiment-list", "all") in outcomes:
            exp_outcomes.append(outcomes[("experiment-list", "all")])
        for (_, title), o in zip(experiments, exp_outcomes, strict=False):
            o.extra.setdefault("title", title)
    return Measurements(
        root=root,
        catalogue=items,
        verify={i: outcomes[("verify", i)] for i in items},
        numeric_available=available("checker.proof.numeric"),
        gradcheck=outcomes.get(("gradcheck", "grid")) if have_gradcheck else None,
        experiments=exp_outcomes,
        questions=outcomes.get(("questions", "bank")) if have_bank else None,
        grade_batch=outcomes.get(("grade-batch", "example")) if have_grader else None,
        derivation_examples=outcomes.get(("derivation-examples", "all")) if have_derivations else None,
        prose={i: outcomes[("prose", i)] for i in items} if have_prose else {},
        seconds=time.perf_counter() - start,
        ran=sum(not j.cached for j in jobs),
        timings=[{"kind": o.kind, "name": o.name, "seconds": round(o.seconds, 3), "cached": o.cached,
                  "ok": o.ok} for o in outcomes.values()],
    )


def _code(*functions: Any) -> str:
    return "\n".join(inspect.getsource(f) for f in functions)


def _raise(message: str) -> None:
    raise RuntimeError(message)
