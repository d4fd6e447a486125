r"""How a step is read (layouts of ∂-products) and what went wrong in a step that does not follow.

A step's mistake is named relative to the step before it: first the whole-step slips (the sign
flipped, a constant factor or a power of a scalar quantity such as 1/m, the transpose of the
previous line), then the judge's mutation families applied to the previous step
(``checker.grading.mistakes.mutants``: a transpose left out, σ for σ', a wrong layer, a sum
over a free index, ...), then the same families applied to the question's reference answer,
where a step jumps to a known wrong answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np

from checker.grading.derivation.model import Model, model_of
from checker.grading.derivation.names import FORMULAS
from checker.grading.derivation.scale import scaled_by_quantity
from checker.grading.derivation.state import Grading, Judged
from checker.grading.derivation.steps import echo
from checker.grading.derivation.values import Evaluator, Values, agreement, has_derivative, instances, same
from checker.grading.families import LAYER_NEIGHBOURS
from checker.grading.index_forms import vectorised
from checker.grading.indexed import free_indices, has_indices, index_shape
from checker.grading.mistakes import (
    Mutant,
    double_mutants,
    mutants,
    rebuild,
    repairs,
    rewrites,
    sigmoid_specific_message,
)
from checker.grading.trees import size
from checker.network.central_difference import TOLERANCE, floor_for, relative_error
from checker.proof.evaluate import EvaluationError
from derivations.expr import (
    SCALAR,
    Add,
    Deriv,
    Dim,
    Entry,
    Expr,
    Fn,
    Hadamard,
    IndexSum,
    Mul,
    ShapeError,
    Sym,
    T,
    children,
    shape_of,
    tex,
    to_latex,
)
from derivations.questions import get_question

_ERRORS = (ShapeError, EvaluationError, ValueError, IndexError, KeyError, ZeroDivisionError)


# ------------------------------------------------------------------------------------- layouts


def _is_derivative(e: Expr, model: Model) -> bool:
    if isinstance(e, T):
        e = e.arg
    return isinstance(e, Sym) and (e.key.startswith("d:") or e.key in model.gradients)


def _is_gradient(e: Expr, model: Model) -> bool:
    """A column that is the gradient of a scalar (∂L/∂z, δ): read as a row in numerator layout."""
    if not _is_derivative(e, model) or isinstance(e, T):
        return False
    try:
        return shape_of(e)[1] == 1
    except ShapeError:
        return False


def _factors(e: Expr) -> list[Expr]:
    if isinstance(e, Mul):
        return _factors(e.left) + _factors(e.right)
    return [e]


def _product(fs: list[Expr]) -> Expr:
    out = fs[0]
    for f in fs[1:]:
        out = Mul(out, f)
    return out


def _layouts(e: Expr, model: Model) -> list[tuple[str, Expr]]:
    """Other readings of a product of ∂-fractions whose shapes do not fit as written."""
    fs = _factors(e)
    big = [f for f in fs if _nonscalar(f)]
    if len(big) < 2 or not all(_is_derivative(f, model) for f in big):
        return []
    numerator = [f if _is_gradient(f, model) else T(f) for f in reversed(fs)]
    denominator = [T(f) if _is_derivative(f, model) and not _is_gradient(f, model) else f for f in fs]
    return [
        ("read in numerator layout", _product(numerator)),
        ("read in denominator layout", _product(denominator)),
    ]


def _nonscalar(e: Expr) -> bool:
    try:
        return shape_of(e) != SCALAR
    except ShapeError:
        return True


def _refit(e: Expr, model: Model, used: list[str], ev: Evaluator | None = None) -> Expr:
    """``e`` with every product that does not fit replaced by a layout reading that does."""
    if isinstance(e, Hadamard) and ev is not None:
        pair = (_refit(e.left, model, used, ev), _refit(e.right, model, used, ev))
        try:
            shape_of(Hadamard(*pair))
        except ShapeError:
            pair = tuple(_as_diagonal(x, ev, used) for x in pair)  # type: ignore[assignment]
        return Hadamard(*pair)
    if isinstance(e, Mul):
        fs = [_refit(f, model, used, ev) for f in _factors(e)]
        whole = _product(fs)
        try:
            shape_of(whole)
            return whole
        except ShapeError:
            for name, variant in _layouts(whole, model):
                try:
                    shape_of(variant)
                except ShapeError:
                    continue
                used.append(name)
                return variant
            return whole
    kids = children(e)
    if not kids or isinstance(e, Sym):
        return e
    return rebuild(e, tuple(_refit(k, model, used, ev) for k in kids))


def _as_diagonal(e: Expr, ev: Evaluator, used: list[str]) -> Expr:
    """A Jacobian that is diagonal at every draw (that of an elementwise map, ∂a/∂z) beside ⊙: the
    only reading that fits is the column of its diagonal (∂L/∂a ⊙ ∂a/∂z for ∂L/∂a ⊙ σ'(z))."""
    if not (isinstance(e, Sym) and e.key.startswith("d:")):
        return e
    found = ev.diagonal(e)
    if found is not None:
        used.append("a diagonal Jacobian beside ⊙ read as its diagonal")
        return found
    return e


def fitted(e: Expr, model: Model, ev: Evaluator | None = None) -> tuple[Expr, Mapping[str, Dim] | None, str]:
    """(expression to evaluate, index letters' dimensions or None, the reading used or "").

    With ``ev``, a diagonal Jacobian beside ⊙ may be read as its diagonal (not under strict notation).
    """
    used: list[str] = []
    try:
        _check(e)
        out = e
    except ShapeError:
        out = _refit(e, model, used, ev)
        _check(out)
    letters = index_shape(out)[1] if has_indices(out) else None
    return out, letters, used[0] if used else ""


def _check(e: Expr) -> None:
    if has_indices(e):
        index_shape(e)
    else:
        shape_of(e)


def fitted_values(
    e: Expr, model: Model, ev: Evaluator, layouts: Evaluator | None
) -> tuple[Expr, Values, str]:
    """(expression evaluated, its values, the reading used): :func:`fitted`, then its values; a sum
    over an index written beside a whole vector (``p \\sum_k y_k``) that cannot be evaluated as
    written is read as a teacher reads it, (𝟏ᵀy) p (see :mod:`checker.grading.index_forms`)."""
    try:
        out, letters, layout = fitted(e, model, layouts)
        return out, ev.values(out, letters), layout
    except (ShapeError, EvaluationError) as err:
        reread = vectorised(e)
        if reread is None:
            raise err from None
        out, letters, layout = fitted(reread, model, layouts)
        return out, ev.values(out, letters), layout or "the sum over the index read beside the vector"


# ------------------------------------------------------------------------------------ mistakes


NAMING_BUDGET = 2_000_000
"""Tree nodes evaluated while naming mistakes (mutants and repairs tried), per derivation. Past it a
wrong step keeps its verdict but no tag: naming is a courtesy, never a reason to pass or fail."""


def _values(g: Grading, e: Expr) -> Values | None:
    draws = len(g.ev.inst.draws) * len(g.ev.inst.activations)
    g.ev.naming_work += size(e) * draws
    if g.ev.naming_work > NAMING_BUDGET:
        return None
    try:
        return fitted_values(g.ev.lower(e), g.model, g.ev, None if g.strict else g.ev)[1]
    except _ERRORS:
        return None


def _matches(a: Values | None, b: Values) -> bool:
    if a is None:
        return False
    if any(a[0][k].shape != b[0][k].shape for k in a[0]):
        return False
    return same(a, b)


def _scaled(a: Values, b: Values) -> float | None:
    """The constant c ≠ 1 with a = c·b at every draw, if there is one."""
    ratios = []
    for ra, rb in zip(a, b, strict=True):
        for act in ra:
            x, y = ra[act], rb[act]
            if x.shape != y.shape:
                return None
            mask = np.abs(y) > 1e-9
            if not mask.any():
                return None
            ratios.extend((x[mask] / y[mask]).ravel())
    r = np.array(ratios)
    if not np.all(np.isfinite(r)) or np.ptp(r) > 1e-6 * max(1.0, float(np.max(np.abs(r)))):
        return None
    c = float(r[0])
    return None if abs(c - 1) < 1e-6 else c


def _transposed_values(a: Values) -> Values:
    return [{k: v.T for k, v in row.items()} for row in a]


def name_mistake(g: Grading, prev: Judged, step: Judged) -> tuple[str | None, str]:
    """(tag, what went wrong) of a step that does not follow from ``prev``."""
    a, b = step.values, prev.values
    if _matches([{k: -v for k, v in row.items()} for row in a], b):
        return "sign-error", "the sign is flipped"
    flipped = _flipped_entries(a, b)
    if flipped and b[0][next(iter(b[0]))].shape == SCALAR:
        return "sign-error", "the sign is flipped at some of the values tried; at the others it is right"
    if flipped:
        return "sign-error", f"the sign of {flipped} is flipped; the other entries are right"
    if b[0][next(iter(b[0]))].shape != SCALAR and _matches(_transposed_values(a), b):
        return "transposed", _index_hint(step) or "it is the transpose of the step before"
    if _shapes_equal(a, b):
        c = _scaled(a, b)
        if c is not None:
            return "wrong-scale", f"it is {c:.4g} times the step before"
        by = scaled_by_quantity(g, a, b)
        if by is not None:
            return "wrong-scale", by
    if _shapes_equal(a, b) and g.q.sigma == "generic":
        agree = agreement(a, b)
        if agree.get("sigmoid") and not all(agree.values()):
            return "sigmoid-specific", sigmoid_specific_message()
    found = unsummed(g, step.side.expr, b)
    if found:
        return "summed-over-outputs", found
    dropped = _dropped_term(step.side.expr, (prev.side.expr, g.q.reference))
    if dropped is not None:
        return "missing-term", f"the term ${to_latex(dropped)}$ is left out"
    undone = _undifferentiated(g, prev.side.expr, a)
    if undone:
        return "activation-instead-of-derivative", undone
    matching = [m for m in _mutants(g, prev.expr) if _matches(_values(g, m.expr), a)]
    matching += [m for m, vals in reference_mutants(g.q.id) if _matches(a, vals)]
    if not matching and _matches(b, g.reference):  # one mistake made twice (σ' at z + b, twice)
        doubles = reference_mutants(g.q.id, doubles=True)
        matching = [m for m, vals in doubles if len(set(m.tags)) == 1 and _matches(a, vals)]
    if not matching:
        return _repaired(g, step, b)
    # Several mistakes can give the same values (a ⊙ σ' is σ(z) ⊙ σ' when a = σ(z)): the one
    # whose tree is the step as written is what the student did.
    written = next((m for m in matching if m.expr == step.expr or m.expr == step.side.expr), matching[0])
    return written.tag, written.message


def _repaired(g: Grading, step: Judged, target: Values) -> tuple[str | None, str]:
    """(tag, why) from the single edit of the step as written (a term's sign flipped, the other
    product) that makes it equal ``target``: the mistake seen from the student's side, where no
    mistake made on the step before gives this step (a sign lost in one term of a new sum)."""
    if step.side.expr is None:
        return None, ""
    for tag, repaired, message in repairs(g.ev.lower(step.side.expr), limit=60):
        if _matches(_values(g, repaired), target):
            return tag, message
    return None, ""


def _flipped_entries(a: Values, b: Values) -> str:
    """"entry (3, 2)" when ``a`` is ``b`` with the sign of some entries flipped and the others
    equal at every draw (a matrix written out with one sign wrong), else ""."""
    places: list[tuple[int, int]] = []
    for ra, rb in zip(a, b, strict=True):
        for act in ra:
            x, y = ra[act], rb[act]
            if x.shape != y.shape or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
                return ""
            floor = floor_for(float(np.max(np.abs(y)))) if y.size else floor_for()
            equal = relative_error(x, y, floor) <= TOLERANCE
            if not np.all(equal | (relative_error(-x, y, floor) <= TOLERANCE)):
                return ""
            places += [(int(i), int(j)) for i, j in np.argwhere(~equal)]
    if not places:
        return ""
    shown = sorted(set(places))[:3]
    return ("entry " if len(shown) == 1 else "entries ") + ", ".join(f"({i + 1}, {j + 1})" for i, j in shown)


def _undifferentiated(g: Grading, prev: Expr | None, target: Values) -> str:
    """Why a step is the step before with one ∂f/∂x of it written as f itself, the derivative
    never taken (α(e^z − 1) where ∂(α(e^z − 1))/∂z belongs), or "" if it is not."""
    if prev is None:
        return ""
    for tree, old, new in rewrites(prev, _function_itself):
        if _matches(_values(g, tree), target):
            return f"${to_latex(new)}$ is the function itself; its derivative ${echo(old)}$ belongs here"
    return ""


def _function_itself(node: Expr) -> list[Expr]:
    if isinstance(node, Deriv) and not has_derivative(node.f):
        return [FORMULAS.get(node.f, node.f)]
    return []


def _dropped_term(step: Expr | None, sources: tuple[Expr | None, ...]) -> Expr | None:
    """The term whose omission from a sum in one of ``sources`` gives ``step`` as written."""
    for source in sources:
        if source is None or step is None:
            continue
        for tree, old, new in rewrites(source, _drop_one):
            if tree == step:
                kept = list(new.terms) if isinstance(new, Add) else [new]
                for term in old.terms:  # type: ignore[attr-defined]
                    if term in kept:
                        kept.remove(term)
                    else:
                        return term
    return None


def _drop_one(node: Expr) -> list[Expr]:
    if isinstance(node, Add) and len(node.terms) >= 2:
        kept = [node.terms[:i] + node.terms[i + 1 :] for i in range(len(node.terms))]
        return [k[0] if len(k) == 1 else Add(k) for k in kept]
    return []


def unsummed(g: Grading, e: Expr | None, target: Values) -> str:
    """Why a step with ``Σ_k`` equals ``target`` once the sum is taken away and ``k`` is left free
    (``Σ_k (a − y_k) σ'(z)`` for ``(a_k − y_k) σ'(z_k)``), or "" if it does not."""
    if e is None:
        return ""
    for node in _sums(e):
        body = _indexed_by(node.body, node.index)
        if _matches(_values(g, _replace(e, node, body)), target):
            return (
                f"the sum over ${node.index}$ does not belong here: ${node.index}$ is the index of the "
                "output, and it stays free (one entry per unit)"
            )
    return ""


def _sums(e: Expr) -> list[IndexSum]:
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        if isinstance(node, IndexSum):
            out.append(node)
        stack.extend(children(node))
    return out[:8]


def _indexed_by(e: Expr, letter: str) -> Expr:
    """``e`` with its column vectors read entry by entry at ``letter`` (σ'(z) as σ'(z_k))."""
    if isinstance(e, Entry | IndexSum):
        return e
    if isinstance(e, Sym):
        try:
            rows, cols = e.shape
        except AttributeError:
            return e
        return Entry(e, letter) if cols == 1 and rows != 1 else e
    kids = children(e)
    return rebuild(e, tuple(_indexed_by(k, letter) for k in kids)) if kids else e


def _replace(e: Expr, old: Expr, new: Expr) -> Expr:
    if e is old:
        return new
    kids = children(e)
    return rebuild(e, tuple(_replace(k, old, new) for k in kids)) if kids else e


def _mutants(g: Grading, e: Expr) -> list:
    try:
        return mutants(g.q, e)
    except _ERRORS:
        return []


@cache
def reference_mutants(question_id: str, doubles: bool = False) -> list[tuple[Mutant, Values]]:
    """The judge's mutants of the reference answer that differ from it, with their values at the
    derivation draws (once per question); with ``doubles``, its answers with two mistakes."""
    q = get_question(question_id)
    ev = Evaluator(instances(question_id))
    reference = ev.values(ev.lower(q.reference))
    out = []
    singles = mutants(q, q.reference)
    for m in double_mutants(q, singles) if doubles else singles:
        try:
            expr, letters, _ = fitted(ev.lower(m.expr), model_of(question_id))
            vals = ev.values(expr, letters)
        except _ERRORS:
            continue
        if not _matches(vals, reference):
            out.append((m, vals))
    return out


def _shapes_equal(a: Values, b: Values) -> bool:
    return all(a[0][k].shape == b[0][k].shape for k in a[0])


def _index_hint(step: Judged) -> str:
    if has_indices(step.expr):
        free = free_indices(step.expr)
        if len(free) == 2:
            return (
                f"the indices {free[0]} and {free[1]} are swapped: entry ({free[0]}, {free[1]}) of this "
                f"step is entry ({free[1]}, {free[0]}) of the step before"
            )
    return ""


def name_end(g: Grading, last: Judged | None) -> tuple[str | None, str]:
    """A chain whose steps all follow but whose end is not the answer: which mistake is the end?"""
    if last is None:
        return None, ""
    for m, vals in reference_mutants(g.q.id):
        if _matches(last.values, vals):
            return m.tag, m.message
    if _matches([{k: -v for k, v in row.items()} for row in last.values], g.reference):
        return "sign-error", "the sign is flipped"
    return None, ""


def misfit(g: Grading, side) -> tuple[str | None, str]:  # noqa: ANN001
    """(tag, why) for a step whose shapes do not fit: the single repair (a transpose added,
    factors swapped, the other product) that makes it equal the step before names the mistake."""
    try:
        expr = g.ev.lower(side.expr)
        fitted(expr, g.model)
        reason = "it cannot be evaluated"
    except ShapeError as err:
        reason = err.reason
    except _ERRORS as err:
        return None, str(err)
    if g.last is not None:
        found = unsummed(g, side.expr, g.last.values)
        if found:
            return "summed-over-outputs", f"{reason}; {found}"
        # σ'(z^{(l+1)}) for σ'(z^{(l)}) is the contract's derivative-wrong-argument, more specific
        # than the wrong-layer the repairs below would name it
        found_at = _moved_argument(g, side.expr, g.last)
        if found_at is not None:
            return "derivative-wrong-argument", f"{reason}; {found_at}"
        found = _repair_pair(g, expr, g.last.values)
        if found is not None:
            return found[0], f"{reason}; {found[1]}"
    return None, reason


def _layer_edits(g: Grading, expr: Expr) -> list[tuple[str, Expr, str]]:
    """(tag, edited, message) for each symbol of ``expr`` moved one layer (W^{(l)} for
    W^{(l+1)}): a step whose shapes only fit with the neighbouring layer's symbol."""
    by_key = {s.key: s for s in g.vocab.symbols.values() if isinstance(s, Sym)}

    def move(node: Expr) -> list[Expr]:
        if not isinstance(node, Sym):
            return []
        return [by_key[k] for k in LAYER_NEIGHBOURS.get(node.key, ()) if k in by_key]

    return [
        ("wrong-layer", tree, f"a layer index is off by one: {tex(old)} where {tex(new)} belongs")
        for tree, old, new in rewrites(expr, move)
    ][:20]


MAX_MOVED = 12
"""σ' nodes of a step, and points to move each to, tried when naming a misfit (bounded work)."""


def _moved_argument(g: Grading, e: Expr | None, prev: Judged) -> str | None:
    """Why a step whose shapes do not fit takes σ' at the wrong point: σ'(z^{(l)}) where
    σ'(z^{(l+1)}) belongs — a point of the step before or a vector of the question — and putting
    that point back makes the step equal the one before."""
    before = prev.side.expr
    if e is None or before is None:
        return None
    points = [n.arg for n in _derivatives_of_functions(before)]
    points += [s for s, _ in g.q.symbols + g.q.extra if s.cols == 1 and s.rows != 1]
    for node in _derivatives_of_functions(e)[:MAX_MOVED]:
        for point in list(dict.fromkeys(points))[:MAX_MOVED]:
            if point == node.arg:
                continue
            moved = Fn(node.name, point, node.d)
            if _matches(_values(g, g.ev.lower(_replace(e, node, moved))), prev.values):
                return f"${echo(node)}$ is taken at the wrong point: with ${echo(moved)}$ the step follows"
    return None


def _derivatives_of_functions(e: Expr) -> list[Fn]:
    """Every σ'(·), f'(·), tanh'(·) node of ``e``."""
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Fn) and node.d >= 1:
            out.append(node)
        stack.extend(children(node))
    return out


def _repair_pair(g: Grading, expr: Expr, target: Values) -> tuple[str, str] | None:
    """(tag, message) of the single edit, else of the two edits, that make ``expr`` equal
    ``target`` (δ ⊙ a for δ aᵀ needs a transpose and the other product); the tag is the first
    edit's, as the single-answer grader names two mistakes."""
    firsts = list(repairs(expr, limit=60)) + _layer_edits(g, expr)
    for tag, repaired, message in firsts:
        if _matches(_values(g, repaired), target):
            return tag, message
    for tag, repaired, message in firsts[:20]:
        for _, twice, second in repairs(repaired, limit=20):
            if _matches(_values(g, twice), target):
                return tag, f"two mistakes: {message}; and {second}"
    return None


def _where(a: Values, b: Values, draws) -> str:  # noqa: ANN001
    for ra, rb, draw in zip(a, b, draws, strict=True):
        for act in ra:
            x, y = ra[act], rb[act]
            if x.shape != y.shape:
                have, want = (f"${s[0]} \\times {s[1]}$" for s in (x.shape, y.shape))
                return f"it is {have} where {want} is expected"
            bad = np.argwhere(~np.isclose(x, y, rtol=1e-6, atol=1e-9))
            if len(bad):
                i, j = (int(v) for v in bad[0])
                sizes = ", ".join(f"${k} = {v}$" for k, v in sorted(draw.sizes.items()))
                at = f" at sizes {sizes}" if sizes else ""
                reading = f", $\\sigma$ = {act}" if len(ra) > 1 else ""
                return (
                    f"entry ({i + 1}, {j + 1}){at}{reading} is {x[i, j]:.4g} where {y[i, j]:.4g} is expected"
                )
    return "it differs at some of the values tried"


def feedback(g: Grading, n: int, step: Judged, prev: Judged, why: str) -> str:
    """What a student reads about a wrong step: the step, the mistake, what it should equal, where."""
    shown = echo(step.side.expr) if step.side.expr is not None else step.side.text
    should = echo(prev.side.expr) if prev.side.expr is not None else prev.side.text
    text = f"step {n} ${shown}$ does not follow from step {g.last_n} ${should}$"
    if why:
        text += f": {why}"
    if _names_only(prev.side.expr) and _matches(prev.values, g.reference):
        should += f"$, that is ${to_latex(g.q.reference)}"
    text += f". It should equal ${should}$; {_where(step.values, prev.values, g.ev.inst.draws)}."
    return text[0].upper() + text[1:]


def _names_only(e: Expr | None) -> bool:
    """A step that is only names and ∂-fractions (δ^{(L)}, ∂L/∂a ⊙ ∂a/∂z): no formula to show."""
    return e is not None and (isinstance(e, Sym) or has_derivative(e))


def end_feedback(g: Grading, n: int, last: Judged | None, why: str) -> str:
    """The last step follows but is not the answer."""
    if last is None:
        return "The derivation does not reach the answer."
    shown = echo(last.side.expr) if last.side.expr is not None else last.side.text
    text = f"Step {n} ${shown}$ is where the derivation ends, but it is not the answer"
    if why:
        text += f": {why}"
    text += f". The answer is ${to_latex(g.q.reference)}$"
    if not _matches(last.values, g.reference):
        text += f"; {_where(last.values, g.reference, g.ev.inst.draws)}"
    return text + "."


__all__ = ["end_feedback", "feedback", "fitted", "misfit", "name_end", "name_mistake"]
