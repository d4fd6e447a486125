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
from fractions import Fraction
from typing import TYPE_CHECKING

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.options import ReadOptions
from checker.grading.readers.text_reader import read_text
from derivations.expr import (
    SCALAR,
    Add,
    Cond,
    Diag,
    Div,
    Expr,
    Fn,
    Hadamard,
    Indicator,
    Max,
    Mul,
    Neg,
    Num,
    Ones,
    Piecewise,
    Pow,
    ShapeCache,
    Sym,
    T,
)

if TYPE_CHECKING:
    from checker.grading.readers.vocabulary import Vocabulary

_UNARY_NP = {
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sign": "sign",
    "sqrt": "sqrt",
    "abs": "abs",
    "absolute": "abs",
}
_BINARY_NP = {"dot", "matmul", "multiply", "add", "subtract", "divide", "maximum", "power", "outer"}
_OTHER_NP = {"sum", "where", "transpose", "square", "diag", "ones_like"}
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


class _Converter:
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
        return Add(tuple(out))

    def binop(self, node: ast.BinOp) -> Expr:
        op = node.op
        if type(op) in _BINOPS:
            raise self.error(node, f"the operator {_BINOPS[type(op)]} is not read")
        a, b = self.value(node.left), self.value(node.right)
        if isinstance(op, ast.Mult):
            return self.times(a, b)
        if isinstance(op, ast.MatMult):
            return Mul(a, b)
        if isinstance(op, ast.Div):
            return self.divide(a, b, node)
        if isinstance(op, ast.Pow):
            return self.power(a, b, node)
        raise self.error(node, f"the operator {type(op).__name__} is not read")  # pragma: no cover

    def times(self, a: Expr, b: Expr) -> Expr:
        """NumPy ``*`` is elementwise; with a scalar side it is printed as scaling (the same thing)."""
        if self.shape(a) == SCALAR or self.shape(b) == SCALAR:
            return Mul(a, b)
        return Hadamard(a, b)

    def divide(self, a: Expr, b: Expr, node: ast.AST) -> Expr:
        if isinstance(b, Num) and b.value == 0:
            raise self.error(node, "division by zero")
        if isinstance(a, Num) and isinstance(b, Num):
            return Num(a.value / b.value)
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

    def np_call(self, fname: str, node: ast.Call) -> Expr:  # noqa: C901
        if fname in _UNARY_NP:
            (x,) = self.args(node, (1,))
            return Fn(_UNARY_NP[fname], self.value(x))
        if fname in _BINARY_NP:
            x, y = (self.value(a) for a in self.args(node, (2,)))
            if fname in ("dot", "matmul"):
                return Mul(x, y)
            if fname == "multiply":
                return self.times(x, y)
            if fname == "add":
                return Add((x, y))
            if fname == "subtract":
                return Add((x, Neg(y)))
            if fname == "divide":
                return self.divide(x, y, node)
            if fname == "maximum":
                return Max(x, y)
            if fname == "power":
                return self.power(x, y, node)
            return Mul(x, self.transpose(y))  # outer: columns a, b give a bᵀ
        if fname == "sum":
            x, *rest = self.args(node, (1, 2), ("axis", "keepdims"))
            return self.total(self.value(x), self.axis(node, rest), node)
        if fname == "where":
            c, a, b = self.args(node, (3,))
            if not isinstance(c, ast.Compare):
                raise self.error(
                    c, "the first argument of np.where is read only as a comparison, as in z > 0"
                )
            cond, va, vb = self.compare(c), self.value(a), self.value(b)
            if va == Num(Fraction(1)) and vb == Num(Fraction(0)):
                return Indicator(cond)
            return Piecewise(((va, cond), (vb, None)))
        if fname == "transpose":
            (x,) = self.args(node, (1,))
            return self.transpose(self.value(x))
        if fname == "square":
            (x,) = self.args(node, (1,))
            return Pow(self.value(x), Num(Fraction(2)))
        if fname == "diag":
            (x,) = self.args(node, (1,))
            v = self.value(x)
            shape = self.shape(v)
            if shape is not None and shape[1] != 1:
                raise self.error(
                    node, "np.diag of a matrix (its diagonal) is not read; np.diag of a column is"
                )
            return Diag(v)
        if fname == "ones_like":
            (x,) = self.args(node, (1,))
            return self.ones_like(self.value(x))
        raise self.error(node, f"np.{fname} is not read; " + self.np_help())

    @staticmethod
    def np_help() -> str:
        names = sorted({*_UNARY_NP, *_BINARY_NP, *_OTHER_NP})
        return "the NumPy functions read are: " + ", ".join(f"np.{n}" for n in names)

    def axis(self, node: ast.Call, rest: list[ast.AST]) -> int | None:
        axis_node = rest[0] if rest else next((k.value for k in node.keywords if k.arg == "axis"), None)
        for k in node.keywords:
            if k.arg == "keepdims" and not (
                isinstance(k.value, ast.Constant) and isinstance(k.value.value, bool)
            ):
                raise self.error(node, "keepdims must be True or False")
        if axis_node is None or (isinstance(axis_node, ast.Constant) and axis_node.value is None):
            return None
        if (
            isinstance(axis_node, ast.UnaryOp)
            and isinstance(axis_node.op, ast.USub)
            and isinstance(axis_node.operand, ast.Constant)
        ):
            value = -axis_node.operand.value if isinstance(axis_node.operand.value, int) else None
        elif (
            isinstance(axis_node, ast.Constant)
            and isinstance(axis_node.value, int)
            and not isinstance(axis_node.value, bool)
        ):
            value = axis_node.value
        else:
            value = None
        if value not in (0, 1, -1, -2):
            raise self.error(node, "axis must be 0 or 1 (every value is a 2-D array)")
        return {0: 0, 1: 1, -1: 1, -2: 0}[value]

    def total(self, x: Expr, axis: int | None, node: ast.AST) -> Expr:
        """Sums as products with ones: axis 0 is 𝟏ᵀX, axis 1 is X𝟏, no axis 𝟏ᵀX𝟏."""
        shape = self.shape(x) or (1, 1)  # a shape error inside x is reported when the tree is checked
        if axis == 0:
            return Mul(T(Ones(shape[0])), x)
        if axis == 1:
            return Mul(x, Ones(shape[1]))
        return Mul(Mul(T(Ones(shape[0])), x), Ones(shape[1]))

    def ones_like(self, x: Expr) -> Expr:
        shape = self.shape(x)
        if shape is None:
            return Pow(x, Num(Fraction(0)))  # x⁰ has x's shape, and keeps x's shape error
        if shape == SCALAR:
            return Num(Fraction(1))
        if shape[1] == 1:
            return Ones(shape[0])
        return Mul(Ones(shape[0]), T(Ones(shape[1])))

    def method(self, obj: Expr, name: str, node: ast.Call) -> Expr:
        if name == "dot":
            (y,) = self.args(node, (1,))
            return Mul(obj, self.value(y))
        if name == "transpose":
            self.args(node, (0,))
            return self.transpose(obj)
        if name == "sum":
            rest = self.args(node, (0, 1), ("axis", "keepdims"))
            return self.total(obj, self.axis(node, rest), node)
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
            f"the method `.{name}(...)` is not read; the methods read are .dot, .sum, .transpose, .astype",
        )
