"""Reading NumPy answers: a whitelisted subset of Python expressions, parsed and never run.

``ast.parse(mode="eval")`` gives the syntax tree; each node is translated into the expression
tree or refused with a message naming the construct. Nothing is evaluated, imported or called.

Accepted: the question's code names; numbers; ``+ - * / ** @`` and unary minus (``*`` is
elementwise, as in NumPy); ``x.T``, ``x.transpose()``, ``np.transpose(x)``; ``x.dot(y)``,
``np.dot``, ``np.matmul``; ``np.multiply``, ``np.add``, ``np.subtract``, ``np.divide``;
``np.sum(x, axis=0|1, keepdims=...)`` and ``x.sum(...)`` (column sums 𝟏ᵀX, row sums X𝟏, and
without an axis 𝟏ᵀX𝟏); ``np.power(x, k)``, ``np.square``, ``np.sqrt``, ``np.exp``, ``np.log``,
``np.tanh``, ``np.abs``, ``np.sign``, ``np.maximum(a, b)``, ``np.where(cond, a, b)``,
``np.outer(a, b)`` (a bᵀ), ``np.diag(v)`` of a column, ``np.ones_like(x)``, comparisons such as
``(z > 0)`` (1 where true) and ``x.astype(float)`` (no change).
Everything else — other attributes and calls, subscripts, lambdas, comprehensions, strings,
names with ``__`` — is an :class:`AnswerError` naming it.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.numpy_calls import NumpyCallsMixin
from checker.grading.readers.options import ReadOptions
from checker.grading.readers.text_reader import read_text
from derivations.expr import (
    SCALAR,
    Add,
    Cond,
    Diag,
    Div,
    Expr,
    Hadamard,
    Indicator,
    Mul,
    Neg,
    Num,
    Ones,
    Pow,
    ShapeCache,
    Sym,
    T,
)

if TYPE_CHECKING:
    from checker.grading.readers.vocabulary import Vocabulary

_CMP = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}
_CONSTRUCTS = {
    "Subscript": "indexing x[...]",
    "Lambda": "a lambda",
    "ListComp": "a list comprehension",
    "SetComp": "a set comprehension",
    "DictComp": "a dict comprehension",
    "GeneratorExp": "a generator expression",
    "List": "a list",
    "Tuple": "a tuple",
    "Set": "a set",
    "Dict": "a dict",
    "JoinedStr": "an f-string",
    "FormattedValue": "an f-string",
    "Starred": "a starred argument",
    "NamedExpr": "an assignment expression (:=)",
    "IfExp": "a conditional expression (use np.where(cond, a, b))",
    "BoolOp": "and/or (use a comparison inside np.where)",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield from",
    "Slice": "a slice",
}
_BINOPS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.BitXor: "^ (for a power write **)",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
MAX_AST_DEPTH = 3 * limits.MAX_NESTING
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)\s*")
"""A leading ``name =``: the assignment a line of the student's code starts with (ignored)."""


def read_numpy(text: str, vocab: Vocabulary, options: ReadOptions | None = None) -> Expr:
    """Read a NumPy expression over the question's code names; never evaluates it."""
    limits.check_length(text)
    body = text.strip().rstrip(";").rstrip()
    offset = len(text) - len(text.lstrip())
    target = _ASSIGNMENT.match(body)
    if target and target.end() < len(body):  # `dW2 = a1.T.dot(delta3)`, a line copied from code
        offset += target.end()
        body = body[target.end():]
    if not body:
        raise AnswerError("the answer is empty")
    limits.check_nesting(body, offset)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as e:
        col = (e.offset or 1) - 1
        raise AnswerError(
            f"not a Python expression: {e.msg} at character {col + offset + 1}: {limits.near(body, col)}",
            col + offset,
        ) from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise AnswerError(f"the NumPy answer cannot be read: {type(e).__name__}") from None
    if _ast_depth(tree) > MAX_AST_DEPTH:
        raise AnswerError(f"the answer is nested too deeply; at most {limits.MAX_NESTING} levels are read")
    expr = _Converter(vocab, body, offset, options).value(tree.body)
    limits.check_depth(expr)
    return expr


def _plain_symbol(ident: str, vocab: Vocabulary) -> Expr | None:
    """The symbol a bare identifier names in the plain-text syntax (``z``, ``alpha``, ``yhat``)."""
    try:
        found = read_text(ident, vocab)
    except AnswerError:
        return None
    return found if isinstance(found, Sym) else None


def _ast_depth(tree: ast.AST) -> int:
    best, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(node))
    return best


class _Converter(NumpyCallsMixin):
    """One method per accepted kind of Python node."""

    def __init__(
        self, vocab: Vocabulary, source: str, offset: int, options: ReadOptions | None = None
    ) -> None:
        self.options = options if options is not None else ReadOptions()
        self.vocab = vocab
        self.source = source
        self.offset = offset
        self.shape = ShapeCache()

    def error(self, node: ast.AST, message: str) -> AnswerError:
        col = getattr(node, "col_offset", 0)
        segment = ast.get_source_segment(self.source, node) or ""
        return AnswerError(
            f"{message} (at character {col + self.offset + 1}: {limits.near(self.source, col)})",
            col + self.offset,
            segment[:40],
        )

    def value(self, node: ast.AST) -> Expr:  # noqa: C901 - one case per node kind
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            return self.sum(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                v = self.value(node.operand)
                return Num(-v.value) if isinstance(v, Num) else Neg(v)
            if isinstance(node.op, ast.UAdd):
                return self.value(node.operand)
            raise self.error(
                node, f"the operator `{'not' if isinstance(node.op, ast.Not) else '~'}` is not read"
            )
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                return self.transpose(self.value(node.value))
            raise self.error(
                node, f"the attribute `.{node.attr}` is not read (only .T, and np.* functions called)"
            )
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare):
            return Indicator(self.compare(node))
        what = _CONSTRUCTS.get(type(node).__name__, f"`{type(node).__name__}`")
        raise self.error(node, f"{what} is not allowed in a NumPy answer")

    def transpose(self, x: Expr) -> Expr:
        """x.T; a scalar's transpose is the scalar (as in the LaTeX reader)."""
        return x if self.shape(x) == SCALAR else T(x)

    def sum(self, node: ast.BinOp) -> Expr:
        # Walk the left spine iteratively so that a+b+c+... of any length is flat.
        terms: list[tuple[bool, ast.AST]] = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Add | ast.Sub):
            terms.append((isinstance(cur.op, ast.Sub), cur.right))
            cur = cur.left
        out = [self.value(cur)]
        for negative, term in reversed(terms):
            v = self.value(term)
            out.append((Num(-v.value) if isinstance(v, Num) else Neg(v)) if negative else v)
        return Add(self.broadcast(out))

    def broadcast(self, terms: list[Expr]) -> tuple[Expr, ...]:
        """NumPy's ``+`` of a matrix and a row (``X @ W1 + b1``) or a column: the vector repeated."""
        shapes = [self.shape(t) for t in terms]
        big = next((s for s in shapes if s is not None and s[0] != 1 and s[1] != 1), None)
        if big is None:
            return tuple(terms)
        out = []
        for t, s in zip(terms, shapes, strict=True):
            if s is not None and s != big and s == (1, big[1]):
                t = Mul(Ones(big[0]), t)
            elif s is not None and s != big and s == (big[0], 1):
                t = Mul(t, T(Ones(big[1])))
            out.append(t)
        return tuple(out)

    def binop(self, node: ast.BinOp) -> Expr:
        op = node.op
        if type(op) in _BINOPS:
            raise self.error(node, f"the operator {_BINOPS[type(op)]} is not read")
        a, b = self.value(node.left), self.value(node.right)
        if isinstance(op, ast.Mult):
            return self.times(a, b)
        if isinstance(op, ast.MatMult):
            return self.matmul(a, b)
        if isinstance(op, ast.Div):
            return self.divide(a, b, node)
        if isinstance(op, ast.Pow):
            return self.power(a, b, node)
        raise self.error(node, f"the operator {type(op).__name__} is not read")  # pragma: no cover

    def times(self, a: Expr, b: Expr) -> Expr:
        """NumPy ``*`` is elementwise; with a scalar side it is printed as scaling (the same thing);
        a column beside a matrix scales its rows (diag(c) M), a row its columns (M diag(r))."""
        sa, sb = self.shape(a), self.shape(b)
        if sa == SCALAR or sb == SCALAR:
            return Mul(a, b)
        if sa is not None and sb is not None and sa != sb:
            for m, v, sm, sv in ((a, b, sa, sb), (b, a, sb, sa)):
                if sm[1] != 1 and sm[0] != 1 and sv == (sm[0], 1):
                    return Mul(Diag(v), m)
                if sm[1] != 1 and sm[0] != 1 and sv == (1, sm[1]):
                    return Mul(m, Diag(v.arg if isinstance(v, T) else T(v)))
        return Hadamard(a, b)

    def divide(self, a: Expr, b: Expr, node: ast.AST) -> Expr:
        if isinstance(b, Num) and b.value == 0:
            raise self.error(node, "division by zero")
        if isinstance(a, Num) and isinstance(b, Num):
            return Num(a.value / b.value)
        sa, sb = self.shape(a), self.shape(b)
        if sa is not None and sb is not None and sa != sb and sb != SCALAR:
            a_spread, b_spread = self.broadcast([a, b])  # exp(z) / exp(z).sum(axis=1, keepdims=True)
            return Div(a_spread, b_spread)
        return Div(a, b)

    def power(self, a: Expr, b: Expr, node: ast.AST) -> Expr:
        limits.check_exponent(b, getattr(node, "col_offset", 0) + self.offset)
        return Pow(a, b)

    def name(self, node: ast.Name) -> Expr:
        ident = node.id
        if "__" in ident:
            raise self.error(node, f"the name `{ident}` is not allowed (names with __ are never read)")
        if ident in self.vocab.code_names:
            return self.vocab.code_names[ident]
        if not self.vocab.code_names:  # no code names: the symbols' plain-text names (z, p, alpha)
            found = _plain_symbol(ident, self.vocab)
            if found is not None:
                return found
        if ident in ("np", "numpy"):
            raise self.error(
                node, f"`{ident}` alone is not a value; call one of its functions, as in np.dot(a, b)"
            )
        if ident in self.vocab.dims:  # m = X.shape[0] in the slides' code: the count itself
            return self.count(ident)
        raise self.error(node, f"unknown name `{ident}`; {self.vocab.describe('numpy')}")

    def constant(self, node: ast.Constant) -> Expr:
        v = node.value
        if isinstance(v, bool) or v is None or isinstance(v, str | bytes | complex) or v is Ellipsis:
            kind = {str: "a string", bytes: "a bytes literal", complex: "a complex number"}.get(
                type(v), repr(v)
            )
            raise self.error(node, f"{kind} is not allowed in a NumPy answer")
        segment = ast.get_source_segment(self.source, node) or repr(v)
        segment = segment.replace("_", "")
        if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", segment):
            raise self.error(node, f"the number `{segment}` is not read")
        m = re.search(r"[eE]([+-]?\d+)$", segment)
        if m and abs(int(m.group(1))) > limits.MAX_DIGITS:
            raise self.error(node, f"the number `{segment}` is out of range")
        return limits.number(segment, node.col_offset + self.offset)

    def compare(self, node: ast.Compare) -> Cond:
        if len(node.ops) != 1:
            raise self.error(node, "chained comparisons are not read; compare two things")
        op = _CMP.get(type(node.ops[0]))
        if op is None:
            raise self.error(node, "only the comparisons > < >= <= == != are read")
        return Cond(self.value(node.left), op, self.value(node.comparators[0]))

    # ---- calls

    def call(self, node: ast.Call) -> Expr:
        func = node.func
        if isinstance(func, ast.Name):
            raise self.error(
                node,
                f"calling `{func.id}(...)` is not allowed; only np.* functions and the methods "
                ".dot, .sum, .transpose, .astype are read",
            )
        if not isinstance(func, ast.Attribute):
            raise self.error(node, "only np.* functions and methods of arrays can be called")
        if (
            isinstance(func.value, ast.Name)
            and func.value.id in ("np", "numpy")
            and func.value.id not in self.vocab.code_names
        ):
            return self.np_call(func.attr, node)
        if isinstance(func.value, ast.Attribute) and not (func.value.attr == "T"):
            raise self.error(
                node,
                f"the attribute chain `{ast.get_source_segment(self.source, func) or func.attr}` is not read",
            )
        return self.method(self.value(func.value), func.attr, node)

    def args(self, node: ast.Call, count: tuple[int, ...], allowed: tuple[str, ...] = ()) -> list[ast.AST]:
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.error(a, "a starred argument is not allowed")
        for k in node.keywords:
            if k.arg is None or k.arg not in allowed:
                raise self.error(node, f"the keyword `{k.arg or '**'}` is not read here")
        if len(node.args) not in count:
            want = " or ".join(str(c) for c in count)
            raise self.error(node, f"this call takes {want} argument(s), not {len(node.args)}")
        return list(node.args)

    def method(self, obj: Expr, name: str, node: ast.Call) -> Expr:
        if name == "dot":
            (y,) = self.args(node, (1,))
            return self.matmul(obj, self.value(y))
        if name == "transpose":
            self.args(node, (0,))
            return self.transpose(obj)
        if name in ("sum", "mean"):
            rest = self.args(node, (0, 1), ("axis", "keepdims"))
            summed = self.total if name == "sum" else self.mean
            return summed(obj, self.axis(node, rest), node)
        if name == "reshape":
            return self.reshape(obj, self.args(node, (1, 2)), node)
        if name == "astype":
            (kind,) = self.args(node, (1,))
            ok = (isinstance(kind, ast.Name) and kind.id in ("float", "int")) or (
                isinstance(kind, ast.Attribute)
                and isinstance(kind.value, ast.Name)
                and kind.value.id in ("np", "numpy")
                and kind.attr in ("float64", "float32", "int64", "int32", "float_")
            )
            if not ok:
                raise self.error(node, "astype is read only with float or int")
            return obj
        raise self.error(
            node,
            f"the method `.{name}(...)` is not read; the methods read are .dot, .sum, .mean, .transpose, "
            ".reshape, .astype",
        )
