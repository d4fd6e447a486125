r"""Relations sorted into the chain's steps, definitions and lemmas, each read into a tree.

In reading order, the chain starts at the first relation whose left side denotes the question's
quantity (its value is the asked ∂L/∂z^{(l)}, ∂p/∂z, W after the update, ...; written as a name,
a ∂-fraction, or an entry of one). Before it, relations are definitions (a left side that is a
name) or lemmas. After it, a line that begins with ``=`` continues the chain, a line that starts
again with the chain's quantity restates it (its right sides are the next steps), a new or known
name on the left is a definition, anything else a lemma. If no relation starts with the
quantity, the first relation that is not a definition is the chain (and its start is wrong).
"""

from __future__ import annotations

import numpy as np

import checker.grading.derivation.learn as learn
import checker.grading.derivation.mistake as diagnose
from checker.grading.derivation.segment import Relation
from checker.grading.derivation.state import Grading, Judged
from checker.grading.derivation.steps import Item, Side, is_name, looks_like_new_name, read
from checker.grading.derivation.values import Values, has_derivative, same
from checker.grading.indexed import free_indices, has_indices
from checker.grading.judge import restatement
from checker.grading.trees import contains
from checker.proof.evaluate import EvaluationError
from derivations.expr import SCALAR, Deriv, Entry, Expr, Neg, Num, ShapeError, Sym, children, to_latex


def sort_relations(g: Grading, rels: list[Relation]) -> list[Item]:
    """Relations sorted into chain steps, definitions and lemmas (see the module docstring)."""
    items: list[Item] = []
    chain: Item | None = None
    pending: Relation | None = None  # a one-sided display line that a `= …` line may continue
    for rel in rels:
        if rel.continues:
            if pending is not None:
                rel = Relation(pending.sides + rel.sides, False, rel.op or "=", pending.line)
            elif items and (chain is None or items[-1].kind != "step" and not items[-1].inline):
                items[-1].sides.extend(read_side(g, s) for s in rel.sides)  # a lemma or definition goes on
                continue
            elif chain is not None:
                items.append(
                    Item("step", [read_side(g, s) for s in rel.sides], rel.line, notes=["continues"])
                )
                continue
            else:
                continue
        pending = None
        if len(rel.sides) == 1:
            pending = rel
            continue
        left = read_side(g, rel.sides[0])
        if rel.condition is not None:  # a case (i ≠ j) of an entry: a lemma, never the chain
            items.append(_case_lemma(g, rel, left))
            continue
        if chain is None and _denotes_asked(g, left, rel):
            chain = Item("step", [left, *(read_side(g, s) for s in rel.sides[1:])], rel.line, rel.op)
            items.append(chain)
            continue
        if chain is not None and _restates(g, left, chain):
            items.append(Item("step", [read_side(g, s) for s in rel.sides[1:]], rel.line, notes=["restates"]))
            continue
        if _is_point(g, left, rel):
            continue
        items.append(_relation_item(g, rel, left))
        items[-1].inline = rel.inline
    if chain is None and items:
        _wrong_start(g, items)
    return items


def _is_point(g: Grading, left: Side, rel: Relation) -> bool:
    """``z = 0`` in "largest at $z = 0$", ``\alpha = 1``: one of the question's free scalar inputs
    set to a number is the point a sentence speaks of, not a definition of that input (which
    would contradict its draws); it is neither checked nor reported."""
    e = left.expr
    if len(rel.sides) != 2 or not isinstance(e, Sym) or e.shape != SCALAR or e in g.local:
        return False
    if e in g.ev.inst.definitions or e.key.split(":")[0] in ("asked", "user", "d", "f"):
        return False
    right = read_side(g, rel.sides[1]).expr
    return isinstance(right, Num) or isinstance(right, Neg) and isinstance(right.arg, Num)


def _wrong_start(g: Grading, items: list[Item]) -> None:
    """No relation starts from the quantity asked for: the chain is the first lemma, else the
    first definition of a known name that does not hold, else the last relation."""
    chosen = next((i for i in items if i.kind == "lemma"), None)
    if chosen is None:
        known = [i for i in items if i.kind == "definition" and not _is_user(i.sides[0].expr)]
        chosen = next((i for i in known if not holds(g, i.sides)), items[-1])
    chosen.kind = "step"
    chosen.notes.append("wrong-start")


def _is_user(e: Expr | None) -> bool:
    return isinstance(e, Sym) and e.key.startswith("user:")


def _relation_item(g: Grading, rel: Relation, left: Side) -> Item:
    """A relation that is not a step of the chain: a definition (a name on the left) or a lemma.
    A new name is learnt; an unknown name that can only be one of the question's is learnt too."""
    sides = [left, *(read_side(g, s) for s in rel.sides[1:])]
    notes: list[str] = []
    if any(s.expr is None for s in sides):
        found = learn.alias(g, list(rel.sides), lambda t: read_side(g, t), lambda ss: holds(g, ss))
        if found is not None:
            g.aliases[found[0]] = found[1]
            notes.append(f"${found[0]}$ is read as ${found[1]}$, the only reading that makes this hold.")
            sides = [read_side(g, s) for s in rel.sides]
            left = sides[0]
    if left.expr is None and looks_like_new_name(left.text) and len(sides) == 2:
        note = learn.define(g, left, sides[1])
        return Item("definition", sides, rel.line, rel.op, [note] if note else notes)
    kind = "definition" if left.expr is not None and _is_plain_name(left.expr) else "lemma"
    return Item(kind, sides, rel.line, rel.op, notes)


def _case_lemma(g: Grading, rel: Relation, left: Side) -> Item:
    a, op, b = rel.condition  # type: ignore[misc]
    sides = [left, *(read_side(g, s) for s in rel.sides[1:])]
    shown = f"{a} = {b}" if op == "=" else f"{a} \\neq {b}"
    note = f"A case: it is checked on the entries where ${shown}$."
    return Item("lemma", sides, rel.line, rel.op, [note], condition=rel.condition)


def holds(g: Grading, sides: list[Side], condition: tuple[str, str, str] | None = None) -> bool:
    """Whether the sides of a relation all have the same values at every draw (for a case lemma,
    on the entries of its case: the diagonal for ``i = j``, the rest for ``i ≠ j``)."""
    judged = [evaluate(g, s) for s in sides]
    if any(j is None for j in judged):
        return False
    values = [_in_case(j.values, condition) for j in judged]  # type: ignore[union-attr]
    return all(
        all(x[0][k].shape == y[0][k].shape for k in x[0]) and same(x, y)
        for x, y in zip(values, values[1:], strict=False)
    )


def _in_case(values: Values, condition: tuple[str, str, str] | None) -> Values:
    """The entries of square matrices that a case condition keeps, as a column."""
    if condition is None:
        return values
    out = []
    for row in values:
        kept = {}
        for act, v in row.items():
            if v.ndim == 2 and v.shape[0] == v.shape[1] > 1:
                mask = np.eye(v.shape[0], dtype=bool)
                v = v[mask if condition[1] == "=" else ~mask].reshape(-1, 1)
            kept[act] = v
        out.append(kept)
    return out


def read_side(g: Grading, text: str) -> Side:
    """One side read with the derivation's vocabulary and the names learnt so far."""
    return read(learn.apply_aliases(g, text) if g.aliases else text, g.vocab, g.fmt, g.model, g.strict)


def _is_plain_name(e: Expr) -> bool:
    from derivations.expr import Sym

    return isinstance(e, Sym)


def _denotes_asked(g: Grading, left: Side, rel: Relation) -> bool:
    if left.expr is None:
        return False
    updated = g.model.asked  # in an update question: the weight after the step, W − η ∂J_λ/∂W
    if g.model.update and rel.op in (":=", "<-") and left.expr == g.model.definitions[updated].terms[0]:  # type: ignore[attr-defined,index]
        left.expr = updated
        return True
    if not is_name(left.expr) and not has_derivative(left.expr):
        return False  # a name, or the quantity's own definition (W − η ∂J_λ/∂W), not a formula
    order = _entry_order(left.expr)
    judged = evaluate(g, left, order)
    if judged is None or not shape_matches(judged, g.asked) or not same(judged.values, g.asked):
        return False
    g.index_order = order
    return True


def _entry_order(e: Expr | None) -> tuple[str, ...]:
    """(row, column) letters of an entry written as ``X_{ti}``: the order the student chose."""
    if isinstance(e, Entry) and e.col is not None:
        return (e.row, e.col)
    return ()


def _restates(g: Grading, left: Side, chain: Item) -> bool:
    if left.expr is None or not is_name(left.expr) or g.start is None and not chain.sides:
        return False
    judged = evaluate(g, left)
    return judged is not None and shape_matches(judged, g.asked) and same(judged.values, g.asked)


def restates_question(g: Grading, last: Judged) -> str | None:
    """Why the end is not yet worked out, or None: it is the quantity asked for (a ∂-fraction, or
    the chain's start again), or it still holds a gradient of the loss that the question does not
    give (δ^{(l+1)} where the question gives δ^{(l+2)}: the network computes it, the answer may not)."""
    e = last.side.expr
    start = g.start.side.expr if g.start is not None else None
    if e is None:
        return None
    asked = g.model.asked if is_name(g.model.asked) else None  # a model may ask for a formula
    if e in (start, asked) or _unworked_derivative(g, e) or restatement(g.q, e) is not None:
        return "it is the quantity asked for, not yet worked out"
    given = {s for s, _ in g.q.symbols}
    derived = [s for s, d in g.model.definitions.items() if isinstance(d, Deriv) and s not in given]
    # only where the question hands a gradient down (the loss is ⟨δ^{(l+2)}, z^{(l+2)}⟩): a gradient
    # of the real loss further up (δ_3 beside a given δ_2) is as worked out as the network is
    used = [
        s
        for s in derived
        if contains(e, lambda node, s=s: node == s) and _handed_down(s, given, g.model.definitions)
    ]
    if used:
        return f"it is still in terms of ${to_latex(used[0])}$, which the question asks you to work out"
    return None


def _unworked_derivative(g: Grading, e: Expr) -> bool:
    """Whether ``e`` holds a ∂-fraction that is not one of the question's inputs under another
    name (∂(Σ_i L_i)/∂Z^{(l)} is the given Δ^{(l)}: written by its definition, it is worked out)."""
    derivs, stack = [], [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Deriv):
            derivs.append(node)
        else:
            stack.extend(children(node))
    if not derivs:
        return False
    inputs = []
    for sym, _ in g.q.symbols:
        try:
            inputs.append(g.ev.values(g.ev.lower(sym)))
        except (ShapeError, EvaluationError, ValueError, IndexError, KeyError):
            continue
    for d in derivs:
        try:
            vals = g.ev.values(g.ev.lower(d))
        except (ShapeError, EvaluationError, ValueError, IndexError, KeyError):
            return True
        fits = (v for v in inputs if all(v[0][k].shape == vals[0][k].shape for k in vals[0]))
        if not any(same(vals, v) for v in fits):
            return True
    return False


def _handed_down(sym: Expr, given: set, definitions: dict) -> bool:
    """Whether ``sym`` is a gradient of a loss that the question hands down: a loss whose own
    definition holds a symbol the question gives (g, δ^{(l+2)})."""
    d = definitions.get(sym)
    loss = definitions.get(d.f) if isinstance(d, Deriv) else None
    return loss is not None and contains(loss, lambda node: node in given)


def shape_matches(judged: Judged | None, values: Values) -> bool:
    """Whether an evaluated side has the shape of ``values`` under every reading of σ."""
    if judged is None:
        return False
    a, b = judged.values[0], values[0]
    return all(a[k].shape == b[k].shape for k in a)


def evaluate(g: Grading, side: Side, order: tuple[str, ...] | None = None) -> Judged | None:
    """Lower, read the layout of ∂-products, evaluate; None when it cannot be evaluated.

    A component formula with two free indices is a matrix whose (row, column) are the indices
    in the order the chain's start wrote them (``∂C/∂w_{ti}``: t is the row), else alphabetical.
    """
    if side.expr is None:
        return None
    order = g.index_order if order is None else order
    try:
        lowered = g.ev.lower(learn.substitute_local(g, side.expr) if g.local else side.expr)
        expr, values, layout = diagnose.fitted_values(lowered, g.model, g.ev, None if g.strict else g.ev)
        if (
            has_indices(expr)
            and len(order) == 2
            and order[0] > order[1]
            and set(free_indices(expr)) == set(order)
        ):
            values = [{k: v.T for k, v in row.items()} for row in values]
        return Judged(side, expr, values, layout)
    except (ShapeError, EvaluationError, ValueError, IndexError, KeyError, ZeroDivisionError):
        return None
