"""The mistake families: each rewrites a reference answer into the usual wrong answers.

One generator per tag of QUESTIONS.md section 3 (drop a transpose, swap the factors of a
product, σ for σ', a layer index off by one, ...), each yielding (wrong tree, what to tell the
student). :mod:`checker.grading.mistakes` runs them, in this order, on the reference and on
every single mutant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

from checker.grading.trees import (
    contains,
    is_scalar,
    mul_factors,
    rewrites,
    shape_text,
    substitute,
    substitute_all,
)
from derivations.expr import (
    SCALAR,
    Add,
    Diag,
    Div,
    Expr,
    Fn,
    Hadamard,
    Indicator,
    Mul,
    Neg,
    Num,
    Ones,
    ShapeError,
    Sym,
    T,
    shape_of,
    symbols_of,
    tex,
    to_latex,
)
from derivations.questions import Question

# Symbols one layer away from each other (by key), for the wrong-layer family.
LAYER_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "W_l": ("W_next",), "W_next": ("W_l",),
    "b_l": ("b_next",), "b_next": ("b_l",),
    "z_l": ("z_next",), "z_next": ("z_l",),
    "a_prev": ("a_l",), "a_l": ("a_prev",),
    "delta_l": ("delta_next",), "delta_next": ("delta_l",),
    "W_1": ("W_2",), "W_2": ("W_1",), "z_1": ("z_2",), "z_2": ("z_1",), "b_1": ("b_2",), "b_2": ("b_1",),
    "W1": ("W2",), "W2": ("W1",), "Z1": ("Z2",), "Z2": ("Z1",), "b1": ("b2",), "b2": ("b1",),
    "A1": ("X",), "X": ("A1",), "delta3": ("delta2",), "delta2": ("delta3",),
}


@dataclass
class Context:
    """What the families know: the question, the tree they rewrite, its symbols and activations."""

    q: Question
    ref: Expr
    vocab: dict[str, Sym]
    activations: dict[Sym, Expr]  # symbols defined as an activation: a^{(l)} -> σ(z^{(l)})

    def is_derivative_factor(self, e: Expr) -> bool:
        """Whether ``e`` is the activation's derivative alone: σ'(z), diag(σ'(z)), 1 − A⊙A, or the
        indicator 𝟙[·] that is the derivative of a piecewise-linear unit (ReLU, maxout, max pooling)."""
        if isinstance(e, Diag):
            e = e.arg
        if isinstance(e, Fn) and e.d >= 1 or isinstance(e, Indicator):
            return True
        # written through the activation's output alone: 1 − A ⊙ A, a(1 − a)
        found = symbols_of(e)
        return bool(found) and found <= set(self.activations)


def _missing_transpose(c: Context) -> Iterator[tuple[Expr, str]]:
    for tree, old, _ in rewrites(c.ref, lambda n: [n.arg] if isinstance(n, T) else []):
        arg = old.arg  # type: ignore[attr-defined]
        yield tree, (
            f"a transpose is missing: {tex(arg)} is {shape_text(arg)}, and the formula needs "
            f"${{{to_latex(arg)}}}^\\top$ (you wrote {tex(arg)} where {tex(old)} belongs)"
        )


def _transposed(c: Context) -> Iterator[tuple[Expr, str]]:
    if not is_scalar(c.ref):
        yield T(c.ref), (
            f"your answer is the transpose of the right one: it is {shape_text(T(c.ref))}, "
            f"and the gradient has the shape of the quantity it is taken with respect to, "
            f"{shape_text(c.ref)}"
        )




def _wrong_order(c: Context) -> Iterator[tuple[Expr, str]]:
    def swap(n: Expr) -> list[Expr]:
        if isinstance(n, Mul) and not is_scalar(n.left) and not is_scalar(n.right):
            return [Mul(n.right, n.left)]
        return []

    for tree, old, _ in rewrites(c.ref, swap):
        yield tree, (
            f"the factors of the matrix product are swapped: it is {tex(old)} "
            f"(matrix products do not commute)"
        )
    factors = mul_factors(c.ref)
    if len(factors) > 2 and not any(is_scalar(f) for f in factors):
        orders = [factors[::-1]]  # the whole chain backwards
        for i in range(len(factors) - 1):  # one neighbouring pair swapped
            orders.append(factors[:i] + [factors[i + 1], factors[i]] + factors[i + 2:])
        pairs = [x for i in range(0, len(factors) - 1, 2) for x in (factors[i + 1], factors[i])]
        orders.append(pairs + factors[len(pairs):])  # every pair swapped: W diag(σ') for diag(σ') W
        for order in orders:
            chain = order[0]
            for f in order[1:]:
                chain = Mul(chain, f)
            yield chain, f"the factors of the matrix product are in the wrong order: it is {tex(c.ref)}"


def _hadamard_vs_matmul(c: Context) -> Iterator[tuple[Expr, str]]:
    def flip(n: Expr) -> list[Expr]:
        if isinstance(n, Hadamard):
            return [Mul(n.left, n.right), Mul(n.right, n.left)]
        if isinstance(n, Mul) and not is_scalar(n.left) and not is_scalar(n.right):
            out: list[Expr] = [Hadamard(n.left, n.right)]
            if isinstance(n.left, Diag):
                out.append(Mul(n.left.arg, n.right))
            return out
        return []

    for tree, old, _ in rewrites(c.ref, flip):
        kind = r"an elementwise product ($\odot$)" if isinstance(old, Hadamard) else "a matrix product"
        other = "a matrix product" if isinstance(old, Hadamard) else r"an elementwise product ($\odot$)"
        yield tree, f"{tex(old)} is {kind}; your answer uses {other} there"


def _missing_derivative(c: Context) -> Iterator[tuple[Expr, str]]:
    def drop(n: Expr) -> list[Expr]:
        if isinstance(n, Hadamard | Mul):
            out = []
            if c.is_derivative_factor(n.right) and not c.is_derivative_factor(n.left):
                out.append(n.left)
            if c.is_derivative_factor(n.left) and not c.is_derivative_factor(n.right):
                out.append(n.right)
            return out
        return []

    for tree, old, new in rewrites(c.ref, drop):
        factor = old.right if new == old.left else old.left  # type: ignore[attr-defined]
        yield tree, (
            f"the factor {tex(factor)} is missing: the activation's derivative enters every "
            f"$\\delta$ through the chain rule"
        )


def _activation_instead(c: Context) -> Iterator[tuple[Expr, str]]:
    def undo(n: Expr) -> list[Expr]:
        if isinstance(n, Fn) and n.d >= 1:
            return [replace(n, d=n.d - 1)]
        return []

    for tree, old, new in rewrites(c.ref, undo):
        yield tree, f"{tex(new)} is the activation itself; its derivative {tex(old)} belongs here"
    # a derivative written through defined symbols (1 − A ⊙ A): the activation A itself instead
    for sym in c.activations:
        def swap(n: Expr, sym: Sym = sym) -> list[Expr]:
            return [sym] if (isinstance(n, Add) and contains(n, lambda k: k == sym)) else []

        for tree, old, new in rewrites(c.ref, swap):
            yield tree, f"{tex(new)} is the activation itself; its derivative {tex(old)} belongs here"
    if c.q.activation is not None:
        yield c.q.activation, (
            f"{tex(c.q.activation)} is the function itself, not its derivative"
        )


def _wrong_argument(c: Context) -> Iterator[tuple[Expr, str]]:
    by_definition = {v.arg: k for k, v in c.activations.items() if isinstance(v, Fn)}

    def candidates(x: Expr) -> list[Expr]:
        out: list[Expr] = []
        if x in by_definition:
            out.append(by_definition[x])
        if isinstance(x, Sym):
            out += [c.vocab[k] for k in LAYER_NEIGHBOURS.get(x.key, ()) if k in c.vocab]
            out += [Add((x, s)) for s in c.vocab.values()
                    if s.key.startswith("b") and s.shape == x.shape and s != x]
        return out

    def move(n: Expr) -> list[Expr]:
        if isinstance(n, Fn) and n.d >= 1:
            return [replace(n, arg=y) for y in candidates(n.arg)]
        return []

    for tree, old, new in rewrites(c.ref, move):
        yield tree, (
            f"the derivative is taken at the wrong point: {tex(new)} where {tex(old)} belongs "
            f"(the derivative is evaluated at the pre-activation {tex(old.arg)})"  # type: ignore[attr-defined]
        )
    # 1 − A⊙A written with the pre-activation: 1 − Z⊙Z
    for sym, definition in c.activations.items():
        if isinstance(definition, Fn):
            for _tree, old, _ in rewrites(c.ref, lambda n, s=sym: [n] if n == s else []):
                mutated = substitute(c.ref, old, definition.arg)
                yield mutated, (
                    f"the derivative is written with {tex(definition.arg)} where the activation "
                    f"{tex(sym)} belongs"
                )
                break
    # with the definitions written out (1 − tanh(Z₁)²): the activation's derivative taken at the
    # activation itself, 1 − tanh²(A₁), σ'(a)
    for sym, definition in c.activations.items():
        if isinstance(definition, Fn) and contains(c.ref, lambda n, d=definition: n == d):
            yield substitute(c.ref, definition.arg, sym), (
                f"the derivative is taken at the activation {tex(sym)} where the pre-activation "
                f"{tex(definition.arg)} belongs"
            )
    # the activation questions: the derivative formula applied to z instead of σ(z)
    if c.q.activation is not None:
        for _tree, old, new in rewrites(c.ref, lambda n: [n.arg] if isinstance(n, Fn) and n.d == 0 else []):
            yield substitute(c.ref, old, new), f"{tex(new)} appears where {tex(old)} belongs"


def _wrong_layer(c: Context) -> Iterator[tuple[Expr, str]]:
    present = sorted(symbols_of(c.ref), key=lambda s: s.key)
    swaps = {s: c.vocab[k] for s in present for k in LAYER_NEIGHBOURS.get(s.key, ())[:1] if k in c.vocab}
    if len(swaps) > 1:  # every layer index shifted at once (the layers of ∂y/∂x in reverse)
        yield substitute_all(c.ref, swaps), "the layers are mixed up: " + ", ".join(
            f"{tex(new)} where {tex(old)} belongs" for old, new in swaps.items()
        )
    for s in present:
        for k in LAYER_NEIGHBOURS.get(s.key, ()):
            if k not in c.vocab:
                continue
            other = c.vocab[k]
            message = f"a layer index is off: {tex(other)} where {tex(s)} belongs"
            yield substitute(c.ref, s, other), message
            for tree, _, _ in rewrites(c.ref, lambda n, s=s, o=other: [o] if n == s else []):
                yield tree, message






def _sign_error(c: Context) -> Iterator[tuple[Expr, str]]:
    yield Neg(c.ref), "the sign is flipped: your answer is the negative of the right one"

    def flip_term(n: Expr) -> list[Expr]:
        if isinstance(n, Add):
            return [Add(n.terms[:i] + (_negate(t),) + n.terms[i + 1:]) for i, t in enumerate(n.terms)]
        return []

    for tree, old, new in rewrites(c.ref, flip_term):
        yield tree, f"a sign is flipped: {tex(new)} where {tex(old)} belongs"


def _negate(e: Expr) -> Expr:
    return e.arg if isinstance(e, Neg) else Neg(e)


def _scalars(c: Context) -> list[Expr]:
    return [s for s in c.vocab.values() if s.shape == SCALAR]


def _wrong_scale(c: Context) -> Iterator[tuple[Expr, str]]:
    def constant(e: Expr) -> bool:  # a number or a scalar symbol (η, λ, α, m)
        return isinstance(e, Num) or (isinstance(e, Sym) and e.shape == SCALAR)

    def drop_scale(n: Expr) -> list[Expr]:
        if isinstance(n, Mul) and (constant(n.left) or is_scalar(n.left) and not is_scalar(n.right)):
            return [n.right]
        if isinstance(n, Mul) and (constant(n.right) or is_scalar(n.right) and not is_scalar(n.left)):
            return [n.left]
        if isinstance(n, Div) and is_scalar(n.den):
            return [n.num]
        return []

    for tree, old, new in rewrites(c.ref, drop_scale):
        factor = old.den if isinstance(old, Div) else (old.left if new == old.right else old.right)  # type: ignore[attr-defined]
        yield tree, f"off by a constant factor: the factor {tex(factor)} is missing"

    def invert(n: Expr) -> list[Expr]:  # m where 1/m belongs
        if isinstance(n, Div) and is_scalar(n.den):
            return [Mul(n.num, n.den)]
        return []

    for tree, old, _ in rewrites(c.ref, invert):
        den = tex(old.den)  # type: ignore[attr-defined]
        yield tree, f"off by a constant factor: your answer multiplies by {den} where it should divide"

    # s(t1 + t2) with s on one term only: λ for ηλ
    def distribute_partly(n: Expr) -> list[Expr]:
        if isinstance(n, Mul) and is_scalar(n.left) and isinstance(n.right, Add):
            terms = n.right.terms
            return [Add(tuple(Mul(n.left, t) if j != i else t for j, t in enumerate(terms)))
                    for i in range(len(terms))]
        return []

    for tree, old, _ in rewrites(c.ref, distribute_partly):
        yield tree, f"off by a constant factor: {tex(old.left)} multiplies every term of {tex(old.right)}"  # type: ignore[attr-defined]

    factors: list[tuple[Expr, str]] = [(Num(Fraction(2)), "2"), (Num(Fraction(1, 2)), "1/2")]
    for s in _scalars(c):
        if s.key == "m":
            factors += [(s, "m"), (Div(Num(Fraction(1)), s), "1/m")]
        if s.key == "eta":
            factors.append((s, "η"))
    for f, name in factors:
        yield Mul(f, c.ref), f"off by a constant factor: your answer is {name} times the right one"

    def scale_term(n: Expr) -> list[Expr]:  # an extra 2, or a 1/2 kept from the penalty λ/2 ‖W‖²
        if isinstance(n, Add):
            return [Add(n.terms[:i] + (Mul(Num(k), t),) + n.terms[i + 1:])
                    for k in (Fraction(2), Fraction(1, 2)) for i, t in enumerate(n.terms)]
        return []

    for tree, _, new in rewrites(c.ref, scale_term):
        yield tree, f"off by a constant factor in one term: {tex(new)}"


def _summed(c: Context) -> Iterator[tuple[Expr, str]]:
    try:
        rows, cols = shape_of(c.ref)
    except ShapeError:
        return
    message = "you summed over an index that must stay free: the answer has one entry per unit"
    if (rows, cols) != SCALAR:
        if cols == 1:
            yield Mul(T(Ones(rows)), c.ref), message
        else:
            yield Mul(T(Ones(rows)), c.ref), message + " (you summed the rows)"
            yield Mul(c.ref, Ones(cols)), message + " (you summed the columns)"

    def sum_one_factor(n: Expr) -> list[Expr]:
        out: list[Expr] = []
        if isinstance(n, Hadamard):
            for a, b in ((n.left, n.right), (n.right, n.left)):
                try:
                    ra, ca = shape_of(a)
                except ShapeError:
                    continue
                if ca == 1 and ra != 1:
                    out.append(Mul(Mul(T(Ones(ra)), a), b))
        return out

    for tree, _, _ in rewrites(c.ref, sum_one_factor):
        yield tree, message

    def other_axis(n: Expr) -> list[Expr]:  # np.sum(delta3, axis=1) where axis=0 belongs
        if isinstance(n, Mul) and isinstance(n.left, T) and isinstance(n.left.arg, Ones):
            try:
                cols = shape_of(n.right)[1]
            except ShapeError:
                return []
            return [Mul(n.right, Ones(cols))] if cols != 1 else []
        return []

    for tree, old, _ in rewrites(c.ref, other_axis):
        yield tree, (
            f"you summed over the wrong index: {tex(old)} sums over the rows (the examples, "
            f"axis 0), and your answer sums each row instead, over the outputs (axis 1)"
        )


def _missing_term(c: Context) -> Iterator[tuple[Expr, str]]:
    def drop(n: Expr) -> list[Expr]:
        out: list[Expr] = []
        if isinstance(n, Add) and len(n.terms) > 1:
            for i in range(len(n.terms)):
                rest = n.terms[:i] + n.terms[i + 1:]
                out.append(rest[0] if len(rest) == 1 else Add(rest))
        return out

    for tree, old, new in rewrites(c.ref, drop):
        kept = new.terms if isinstance(new, Add) else (new,)
        missing = next((t for t in old.terms if t not in kept), None)  # type: ignore[attr-defined]
        what = tex(_negate(missing) if isinstance(missing, Neg) else missing) if missing else "a term"
        yield tree, f"a term is missing: {what} is left out"


def _wrong_regularizer(c: Context) -> Iterator[tuple[Expr, str]]:
    lam = next((s for s in _scalars(c) if s.key == "lambda"), None)
    if lam is None:
        return

    def swap(n: Expr) -> list[Expr]:
        if isinstance(n, Fn) and n.name == "sign":
            return [n.arg]
        if isinstance(n, Mul) and n.left == lam and not isinstance(n.right, Fn):
            return [Mul(lam, Fn("sign", n.right))]
        return []

    for tree, old, _ in rewrites(c.ref, swap):
        if isinstance(old, Fn):
            yield tree, (
                r"that is the L2 rule: the gradient of $\frac{\lambda}{2}\lVert W\rVert_F^2$ is "
                r"$\lambda W$, but the L1 penalty $\lambda\lVert W\rVert_1$ gives "
                r"$\lambda\operatorname{sign}(W)$"
            )
        else:
            yield tree, (
                r"that is the L1 rule: $\lambda\operatorname{sign}(W)$ is the gradient of "
                r"$\lambda\lVert W\rVert_1$, but the L2 penalty $\frac{\lambda}{2}\lVert W\rVert_F^2$ "
                r"gives $\lambda W$"
            )


def _sigmoid_specific(c: Context) -> Iterator[tuple[Expr, str]]:
    if c.q.sigma != "generic":
        return
    defined = {v: k for k, v in c.activations.items()}

    def specialise(n: Expr) -> list[Expr]:
        if isinstance(n, Fn) and n.d == 1 and n.name in ("sigma", "f"):
            a = defined.get(Fn(n.name, n.arg), Fn(n.name, n.arg))
            return [Hadamard(a, Num(Fraction(1)) - a)]
        return []

    for tree, _, new in rewrites(c.ref, specialise):
        yield tree, sigmoid_specific_message(new)


def sigmoid_specific_message(form: Expr | None = None) -> str:
    """What to say about a form that holds only for the sigmoid."""
    what = f"{tex(form)} is" if form is not None else "your answer is"
    return (
        f"{what} right only when $\\sigma$ is the logistic sigmoid ($\\sigma' = \\sigma(1 - \\sigma)$); "
        "here $\\sigma$ is a generic activation, so write $\\sigma'(z)$"
    )


FAMILIES: dict[str, Callable[[Context], Iterable[tuple[Expr, str]]]] = {
    "missing-transpose": _missing_transpose,
    "transposed": _transposed,
    "wrong-order": _wrong_order,
    "hadamard-vs-matmul": _hadamard_vs_matmul,
    "missing-activation-derivative": _missing_derivative,
    "activation-instead-of-derivative": _activation_instead,
    "derivative-wrong-argument": _wrong_argument,
    "wrong-layer": _wrong_layer,
    "sign-error": _sign_error,
    "wrong-scale": _wrong_scale,
    "summed-over-outputs": _summed,
    "missing-term": _missing_term,
    "wrong-regularizer": _wrong_regularizer,
    "sigmoid-specific": _sigmoid_specific,
}
