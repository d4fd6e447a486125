r"""The formulas in a derivation's prose, checked against the derivation (``derivations.prose``).

Each ``$…$`` of a context, reason, mistake or note is read by the grader's own LaTeX reader (never
sympify or eval) in the derivation's notation: its symbols with their spellings, the index letters
``i, j, k, n, c`` and every ∂-fraction of its quantities (:mod:`checker.grading.derivation.names`).
Then, by what it is:

- a **relation** ``a = b`` (``<``, ``>``, ``\le``, ``\ge``, ``\ne``; chains ``a = b = c`` pair by
  pair) is evaluated on random instances of the derivation's quantities, exactly as the
  step-by-step grader evaluates a student's step (:mod:`checker.grading.derivation.values`:
  distinct sizes per dimension, a generic σ read as sigmoid, tanh and softplus, ∂-fractions by
  central differences) and must hold at every draw: verdict ``proved``;
- a **fragment** (``\operatorname{diag}(p)(y / p)``) must read to a formula whose shapes fit:
  verdict ``read``;
- ``$\wrong{…}$`` must read and be *false* at some draw: verdict ``wrong``;
- ``$\unchecked{…}$`` is not checked: verdict ``unchecked``, and the page says so.

Anything else (a relation that fails, a formula that does not read, a mistake that is right after
all) is a failure, which fails ``gradproof verify``, the tests and the strict site build.

A quantity defined by a derivative of a loss the derivation leaves unnamed (δ^{(l+1)} := ∂L/∂z^{(l+1)})
is sampled, and the loss is replaced by its first-order surrogate L := ⟨δ^{(l+1)}, z^{(l+1)}⟩ with
δ^{(l+1)} held fixed: every first derivative of L is then the true one at the point.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from checker.grading import sampling
from checker.grading.derivation.mistake import fitted
from checker.grading.derivation.model import Model
from checker.grading.derivation.names import DerivativeNames
from checker.grading.derivation.steps import looks_like_new_name, read
from checker.grading.derivation.values import BudgetExceeded, Evaluator, Instances, Values, same
from checker.grading.judge import vocabulary_for
from checker.grading.prose_verdicts import VERDICTS, ProseCheck  # noqa: F401 - public here too
from checker.grading.readers import AnswerError, Vocabulary
from checker.grading.readers.functions import LANDAU_O
from checker.grading.readers.latex_reader import spelling_key
from checker.proof.evaluate import EvaluationError, NumEnv, evaluate
from derivations.base import Chain, Derivation
from derivations.expr import (
    BigO,
    Deriv,
    Expr,
    Fn,
    Hadamard,
    Mul,
    Ones,
    ShapeError,
    Sym,
    T,
    children,
    shape_of,
    symbols_of,
)
from derivations.prose import formulas, places
from derivations.questions import QUESTIONS, Question

_RELATION = re.compile(r"\\approx(?![A-Za-z])|"
                       r"\\leq?(?![A-Za-z])|\\geq?(?![A-Za-z])|\\neq?(?![A-Za-z])|\\coloneqq|:=|<|>|=")
_SIGN = {r"\leq": r"\le", r"\geq": r"\ge", r"\neq": r"\ne", r"\coloneqq": "=", ":=": "="}
_CAUGHT = (AnswerError, ShapeError, EvaluationError, BudgetExceeded, ValueError, IndexError, KeyError,
           ZeroDivisionError, TypeError, RecursionError)


# ------------------------------------------------------------------------------ the notation


def _symbols(d: Derivation) -> list[Sym]:
    """Every symbol the derivation uses, declared ones first."""
    found: dict[Sym, None] = dict.fromkeys(d.symbols)
    exprs = [*(c.start for c in d.chains), *(s.expr for c in d.chains for s in c.steps)]
    for sym, e in d.definitions:
        found.setdefault(sym)
        exprs.append(e)
    for e in exprs:
        for s in sorted(symbols_of(e), key=lambda s: s.key):
            found.setdefault(s)
    return list(found)


def _functions(d: Derivation) -> frozenset[str]:
    """The elementwise functions the derivation uses (softplus, ELU, ...), which its prose may name,
    and Landau's O where its steps hold O-terms."""
    stack = [*(c.start for c in d.chains), *(s.expr for c in d.chains for s in c.steps),
             *(e for _, e in d.definitions)]
    found = set()
    while stack:
        node = stack.pop()
        if isinstance(node, Fn):
            found.add(node.name)
        elif isinstance(node, BigO):
            found.add(LANDAU_O)
        stack.extend(children(node))
    return frozenset(found)


def _spelled(sym: Sym) -> bool:
    """Whether the symbol's own LaTeX is a name the reader can look up (``\\operatorname{ELU}(z)`` is not)."""
    try:
        spelling_key(sym.tex or sym.key)
    except (ValueError, AnswerError):
        return False
    return True


@dataclass(frozen=True)
class _DerivationAsQuestion(Question):
    """A derivation seen as a question, whose reference answer is the derivation's own result (a
    derivation made for a check, such as a heading of the Notation page, is in no catalogue)."""

    result: Expr | None = None

    @property
    def reference(self) -> Expr:  # type: ignore[override]
        """The derivation's result."""
        assert self.result is not None
        return self.result


def _question(d: Derivation, sigma: str = "") -> Question:
    """The derivation seen as a question: its symbols, index notation, simplex and positive inputs."""
    return _DerivationAsQuestion(
        result=d.result,
        id=f"prose:{d.id}", title=d.title, prompt="", derivation=d.id,
        symbols=tuple((s, ()) for s in _symbols(d) if _spelled(s)), accepted=(),
        index_notation=True, simplex=d.simplex, positive=d.positive, unit_interval=d.unit_interval,
        convention=d.convention,
        sigma=sigma or ("sigmoid" if tuple(d.activations) == ("sigmoid",) else "generic"),
    )


def _inner(a: Expr, b: Expr) -> Expr:
    """⟨a, b⟩ = 𝟏ᵀ (a ⊙ b) 𝟏, for the surrogate loss."""
    return Mul(Mul(T(Ones(a.rows)), Hadamard(a, b)), Ones(a.cols))  # type: ignore[attr-defined]


def _model(d: Derivation) -> Model:
    """The derivation's quantities as a network model: definitions, and surrogate losses."""
    defs: dict[Sym, Expr] = {}
    for sym, e in d.definitions:
        if isinstance(e, Deriv):
            loss, wrt = e.f, e.wrt
            known = dict(d.definitions)
            if isinstance(loss, Sym) and loss not in known and loss.depends and isinstance(wrt, Sym):
                defs.setdefault(loss, _inner(sym, wrt))  # type: ignore[arg-type]
            continue
        if sym not in symbols_of(e):
            defs[sym] = e
    return Model(defs, d.chains[0].start)


def vocabulary(d: Derivation, model: Model, q: Question | None = None) -> Vocabulary:
    """The names a formula of ``d``'s prose may use, with every ∂-fraction of them.

    A name written without its layer (``a``, ``z_i``) is the derivation's only symbol of that name
    (a^{(L)}, z^{(L)}_i), as the prose's "in the reasons z stands for z^{(L)}" says; a name with two
    symbols (W_t, W_{t+1}) must be written in full."""
    vocab = vocabulary_for(q or _question(d))
    bare = {}
    for base, syms in vocab.by_base.items():
        with contextlib.suppress(ValueError, AnswerError):
            if len(syms) == 1 and vocab.symbols.get(spelling_key(base)) is None:
                bare[spelling_key(base)] = syms[0]
    names = DerivativeNames(vocab.named, model)
    full = dataclasses.replace(vocab, named=names, symbols={**vocab.symbols, **bare}, functions=_functions(d))
    names.vocab = full
    return full


def _instances(d: Derivation, q: Question, model: Model, vocab: Vocabulary) -> Instances:
    """Random draws of ``d``'s free quantities; defined ones are computed from their definitions."""
    definitions = dict(model.definitions)
    symbols = set(vocab.symbols.values()) | {s for e in definitions.values() for s in symbols_of(e)}
    free = {s for s in symbols if s not in definitions and not s.depends}
    sampled = sampling.instances(q, free, list(definitions.values()))
    draws = []
    for draw in sampled.draws:
        values = {s.key: draw.envs[sampled.activations[0]].values[s.key] for s in free}
        envs = {a: NumEnv(values, definitions, {"sigma": a, "f": a}, draw.sizes) for a in sampled.activations}
        draws.append(sampling.Draw(draw.sizes, envs))
    known = []
    for draw in draws:
        row = {}
        for act, env in draw.envs.items():
            out = dict(env.values)
            with np.errstate(all="ignore"):
                for sym in definitions:
                    with contextlib.suppress(*_CAUGHT):
                        out[sym.key] = evaluate(sym, env)
            row[act] = out
        known.append(row)
    return Instances(q.id, draws, sampled.activations, definitions, known)


# ------------------------------------------------------------------------------ the checks


@dataclass
class _Context:
    d: Derivation
    model: Model
    vocab: Vocabulary
    ev: Evaluator
    free: frozenset[Sym]


def _context(d: Derivation, sigma: str = "") -> _Context:
    q = _question(d, sigma)
    model = _model(d)
    vocab = vocabulary(d, model, q)
    ev = Evaluator(_instances(d, q, model, vocab))
    for sym, e in d.definitions:  # δ := ∂L/∂z where L is known: its values by central differences
        if isinstance(e, Deriv) and sym not in model.definitions and e.f in model.definitions:
            with contextlib.suppress(*_CAUGHT):
                _define(ev, sym, ev.values(ev.lower(e)))
    free = frozenset(s for s in vocab.symbols.values() if s not in model.definitions and not s.depends)
    return _Context(d, model, vocab, ev, free)


def _define(ev: Evaluator, sym: Sym, values: Values) -> None:
    """Give ``sym`` these values at every draw (a quantity the prose itself defines)."""
    for row, known in zip(values, ev.inst.known, strict=True):
        for act, value in row.items():
            known[act][sym.key] = value


def _redefine(ev: Evaluator) -> None:
    """The defined quantities again from the free ones, after the prose gave one of these a value
    (after "$t = 3$ steps", c₁ = 1 − β₁ᵗ is 1 − β₁³)."""
    for draw, known in zip(ev.inst.draws, ev.inst.known, strict=True):
        for act, env in draw.envs.items():
            now = env.with_values(**{k: v for k, v in known[act].items() if k in env.values})
            with np.errstate(all="ignore"):
                for sym in ev.inst.definitions:
                    with contextlib.suppress(*_CAUGHT):
                        known[act][sym.key] = evaluate(sym, now)


def split_relation(latex: str) -> list[tuple[str, str]]:
    """``a = b \\le c`` as [(``a``, ""), (``b``, "="), (``c``, "\\le")]: each side, the sign before it."""
    depth, level = [], 0
    for ch in latex:
        level += ch in "{([" and 1 or 0
        depth.append(level)
        level -= ch in "})]" and 1 or 0
    pieces, start, sign = [], 0, ""
    for m in _RELATION.finditer(latex):
        if depth[m.start()] != 0 or latex[max(0, m.start() - 5):m.start()].endswith(("\\left", "\\right")):
            continue
        pieces.append((latex[start:m.start()], sign))
        start, sign = m.end(), _SIGN.get(m.group(), m.group())
    pieces.append((latex[start:], sign))
    return pieces


def _read(ctx: _Context, text: str) -> Expr:
    side = read(text, ctx.vocab, "latex", ctx.model, strict=True)
    if side.expr is None:
        raise AnswerError(side.error or "it cannot be read")
    return side.expr


def _values(ctx: _Context, e: Expr) -> Values:
    lowered = ctx.ev.lower(e)
    expr, letters, _ = fitted(lowered, ctx.model, ctx.ev)
    return ctx.ev.values(expr, letters)


def _broadcast(a: Values, b: Values) -> tuple[Values, Values]:
    """A constant side beside an indexed one (``\\partial y_k / \\partial \\beta = 1``) takes its shape."""
    def spread(x: Values, y: Values) -> Values:
        return [{k: np.broadcast_to(v, ry[k].shape) if v.size == 1 else v for k, v in rx.items()}
                for rx, ry in zip(x, y, strict=True)]
    return spread(a, b), spread(b, a)


def _rounding(*texts: str) -> float:
    """Half a unit of the last decimal written in ``texts`` (``0.886`` gives 0.0005): how far a
    rounded number may be from its value; 0 when no decimal is written."""
    decimals = [len(m) for t in texts for m in re.findall(r"\d\.(\d+)", t)]
    return 0.5 * 10.0 ** -max(decimals) * (1 + 1e-9) if decimals else 0.0


def _holds(a: Values, b: Values, sign: str, rounding: float = 0.0) -> bool:
    a, b = _broadcast(a, b)
    if sign == r"\approx":  # a rounded number: equal within half a unit of its last decimal
        return all(x[k].shape == y[k].shape and bool(np.all(np.abs(x[k] - y[k]) <= rounding))
                   for x, y in zip(a, b, strict=True) for k in x)
    if sign == "=":
        return all(x[k].shape == y[k].shape for x, y in zip(a, b, strict=True) for k in x) and same(a, b)
    if sign == r"\ne":
        return not _holds(a, b, "=")
    tol = 1e-9
    compare = {"<": lambda x, y: x < y + tol, ">": lambda x, y: x > y - tol,
               r"\le": lambda x, y: x <= y + tol, r"\ge": lambda x, y: x >= y - tol}[sign]
    with np.errstate(all="ignore"):
        return all(bool(np.all(compare(x[k], y[k]))) for x, y in zip(a, b, strict=True) for k in x)


_SHAPE = re.compile(r"^\s*(\w+|\w_\{?[\w+-]+\}?)\s*\\times\s*(\w+|\w_\{?[\w+-]+\}?)\s*$")
_INDICES = re.compile(r"^\s*\(?\s*([a-z])\s*(?:,\s*([a-z])\s*)?\)?\s*$")
# i = j, k \ne i: the case of a component formula; \delta_{ki}: Kronecker's delta on two letters
_LETTER_CONDITION = re.compile(r"^\s*([a-z])\s*(?:=|\\ne|\\neq)\s*([a-z])\s*$")
_KRONECKER = re.compile(r"^\s*\\delta_\{?([a-z])([a-z])\}?\s*$")
_LAYER = re.compile(r"^\s*([lL](?:\s*[+-]\s*\d)?)\s*$")
_FUNCTION = re.compile(r"^\s*(\\[A-Za-z]+|\\operatorname\{[A-Za-z]+\}|f)\s*(?:'|\^\{?\\prime\}?)*\s*$")


def _notation(ctx: _Context, latex: str) -> str:
    """What a fragment that is not a formula names, checked against the derivation: a shape of its
    dimensions (``n_l \\times 1``), index letters (``(i, j)``), a layer (``l - 1``) or a function
    (``\\sigma'``); "" if none."""
    plain = re.sub(r"[{}\s]", "", latex)
    shape = _SHAPE.match(latex)
    dims = {re.sub(r"[{}\s]", "", d) for d in ctx.vocab.dims}
    if shape and all(re.sub(r"[{}\s]", "", s) in dims or s.isdigit() for s in shape.groups()):
        return "a shape of the derivation's dimensions"
    if plain in dims and ctx.vocab.lookup(plain) is None:
        return "a dimension of the derivation"
    for pattern, what in ((_LETTER_CONDITION, "a condition on index letters"),
                          (_KRONECKER, "Kronecker's delta of index letters")):
        letters = pattern.match(latex)
        if letters and set(letters.groups()) <= ctx.vocab.index_letters:
            return what
    layer = _LAYER.match(latex)
    if layer and ctx.vocab.lookup(plain) is None:  # l, l-1, L: a layer some symbol of the notation has
        label = "(" + re.sub(r"\s", "", layer.group(1)) + ")"
        if any(label in re.sub(r"\s", "", s.tex or "") for s in ctx.vocab.symbols.values()):
            return "a layer of the notation"
    index = _INDICES.match(latex)
    if index and all(i in ctx.vocab.index_letters for i in index.groups() if i) and (
            index.group(2) or ctx.vocab.lookup(plain) is None):
        return "index letters"
    if _FUNCTION.match(latex):
        with contextlib.suppress(*_CAUGHT):
            if isinstance(_read(ctx, latex.strip() + "(1)"), Fn):
                return "a function"
    return ""


def check_formula(ctx: _Context, place: str, latex: str, mark: str) -> ProseCheck:
    """The verdict on one formula (see the module's docstring)."""

    def verdict(v: str, detail: str = "") -> ProseCheck:
        return ProseCheck(ctx.d.id, place, latex, mark, v, detail)

    if mark == "unchecked":
        return verdict("unchecked")
    sides = split_relation(latex)
    if not mark and len(sides) == 2 and sides[1][1] == "=" and not place.startswith("mistake"):
        with contextlib.suppress(*_CAUGHT):
            defined = _prose_definition(ctx, sides[0][0], sides[1][0])
            if defined:
                return verdict("defines", defined)
    if (len(sides) == 1 or _LETTER_CONDITION.match(latex)) and not mark and _notation(ctx, latex):
        return verdict("read", "notation: " + _notation(ctx, latex))
    try:
        exprs = [_read(ctx, text) for text, _ in sides]
        if len(sides) == 1:
            fitted(exprs[0], ctx.model)
            if mark:
                return verdict("wrong-is-no-relation", "a \\wrong{…} mark needs a relation")
            return verdict("read")
        values = [_values(ctx, e) for e in exprs]
    except _CAUGHT as err:
        return verdict("unreadable", getattr(err, "message", "") or str(err) or type(err).__name__)
    failed = [f"{sides[i][0].strip()} {sides[i + 1][1]} {sides[i + 1][0].strip()}"
              for i in range(len(sides) - 1)
              if not _holds(values[i], values[i + 1], sides[i + 1][1],
                            _rounding(sides[i][0], sides[i + 1][0]))]
    if mark == "wrong":
        return verdict("wrong") if failed else verdict("not-wrong", "it holds at every random draw")
    if failed:
        return verdict("false", "does not hold at random values: " + "; ".join(failed))
    return verdict("proved")


def _prose_definition(ctx: _Context, left: str, right: str) -> str:
    """``c_2 = 1 - \\beta_2^t`` for a quantity the derivation leaves free, or ``u = e^{z} - e^{-z}``
    for a new name: the prose defines it, and later formulas use the values it gets ("" otherwise)."""
    name = left.strip()
    try:
        sym: Sym | None = _read(ctx, name)  # type: ignore[assignment]
        if sym not in ctx.free:
            return ""
    except AnswerError:
        if not looks_like_new_name(name) or len(name) > 40:
            return ""
        sym = None
    e = _read(ctx, right)
    expr, letters, _ = fitted(ctx.ev.lower(e), ctx.model, ctx.ev)
    if letters is not None:
        return ""
    values = ctx.ev.values(expr, None)
    if sym is None:
        rows, cols = shape_of(expr)
        sym = Sym(f"prose:{name}", rows, cols, name)
        ctx.vocab = dataclasses.replace(ctx.vocab, symbols={**ctx.vocab.symbols, spelling_key(name): sym})
    ctx.free = ctx.free - {sym}
    _define(ctx.ev, sym, values)
    if not sym.key.startswith("prose:"):
        _redefine(ctx.ev)
    return "a quantity the prose defines: later formulas use its values"


def check_derivation(d: Derivation) -> list[ProseCheck]:
    """Every formula of ``d``'s prose, checked (a formula with a misused mark is a failure too)."""
    ctx = _context(d)
    vocab = ctx.vocab
    out = []
    for place, text in places(d):
        ctx.vocab = vocab  # a name the prose defines is known in the rest of its paragraph only
        try:
            found = formulas(text)
        except ValueError as err:
            out.append(ProseCheck(d.id, place, text, "", "bad-mark", str(err)))
            continue
        for f in found:
            out.append(check_formula(ctx, place, f.latex, f.mark))
    return out + check_questions(d)


def check_questions(d: Derivation) -> list[ProseCheck]:
    """The formulas of the titles and prompts of ``d``'s questions, in ``d``'s notation (σ read as
    each question says: the sigmoid, or a generic activation)."""
    contexts: dict[str, _Context] = {}
    out = []
    for q in QUESTIONS.values():
        if q.derivation != d.id:
            continue
        ctx = contexts.get(q.sigma) or contexts.setdefault(q.sigma, _context(d, q.sigma))
        for where, text in (("title", q.title), ("prompt", q.prompt)):
            try:
                found = formulas(text)
            except ValueError as err:
                out.append(ProseCheck(d.id, f"question {q.id} ({where})", text, "", "bad-mark", str(err)))
                continue
            for f in found:
                out.append(check_formula(ctx, f"question {q.id} ({where})", f.latex, f.mark))
    return out


def check_notation_text(text: str, symbols: list[Sym], others: list[Sym],
                        definitions: Sequence[tuple[Sym, Expr]] = ()) -> list[ProseCheck]:
    """The formulas of a piece of the Notation page (a section's heading) in the notation of its
    own ``symbols``, then of ``others`` whose spellings they do not take (``y`` is the section's),
    with the catalogue's ``definitions`` of them (y := σ(z^{(2)})), so that a relation is checked."""
    seen, chosen = set(), []
    for s in [*symbols, *others]:
        with contextlib.suppress(ValueError, AnswerError):
            key = spelling_key(s.tex or s.key)
            if key not in seen:
                seen.add(key)
                chosen.append(s)
    if not chosen:
        return [ProseCheck("notation", "notation", f.latex, f.mark, "unreadable", "no symbols")
                for f in formulas(text)]
    known, defs = set(chosen), {}
    for sym, e in definitions:
        if sym in known and sym not in defs and not isinstance(e, Deriv) and symbols_of(e) <= known:
            defs[sym] = e
    d = Derivation(id="notation", title="Notation", topic="", context=text, symbols=tuple(chosen),
                   chains=(Chain(start=chosen[0], steps=()),), definitions=tuple(defs.items()))
    return [c for c in check_derivation(d) if c.place == "context"]


def failures(checks: list[ProseCheck]) -> list[ProseCheck]:
    """The checks that failed."""
    return [c for c in checks if not c.ok]


def message(c: ProseCheck) -> str:
    """One line naming the place and the fix."""
    why = {
        "false": "is false",
        "unreadable": "cannot be read in the derivation's notation",
        "not-wrong": "is marked \\wrong{…} but holds",
        "wrong-is-no-relation": "is marked \\wrong{…} but is no relation",
        "bad-mark": "has a misplaced mark",
    }.get(c.verdict, c.verdict)
    fix = ("; fix the formula, or mark it $\\unchecked{…}$ if it is a condition or notation"
           if c.verdict in ("false", "unreadable") else "")
    return f"{c.derivation}, {c.place}: ${c.latex}$ {why} ({c.detail}){fix}"


__all__ = ["VERDICTS", "ProseCheck", "check_derivation", "check_formula", "failures", "message",
           "split_relation", "vocabulary"]
