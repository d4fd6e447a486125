"""The ``np.*`` functions and array methods a NumPy answer may call, read into the expression tree.

Shapes are read where NumPy takes them (``np.ones((1, m))``, ``.reshape(-1, 1)``,
``x.shape[0]``, ``len(x)``); ``np.mean`` is a sum over the count of its axis; ``np.einsum`` is read
for a literal subscript string of one or two operands (a transpose, a sum, a matrix product, an
elementwise or outer product) and refused otherwise. Nothing is evaluated.
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction

from derivations.expr import (
    SCALAR,
    Add,
    Diag,
    Dim,
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
    Shape,
    T,
)

UNARY_NP = {
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sign": "sign",
    "sqrt": "sqrt",
    "abs": "abs",
    "absolute": "abs",
}
BINARY_NP = {"dot", "matmul", "multiply", "add", "subtract", "divide", "maximum", "power", "outer"}
OTHER_NP = {
    "sum", "mean", "where", "transpose", "square", "diag", "ones_like", "ones", "eye", "identity",
    "reshape", "einsum",
}
_SUBSCRIPTS = re.compile(r"([a-z]{0,2})(?:,([a-z]{0,2}))?->([a-z]{0,2})")

Lettered = tuple[Expr, str]
"""An operand of einsum with the letters of its rows and columns (``"ij"``; a column ``"i"``)."""


class NumpyCallsMixin:
    """``np.f(...)`` and the shape-taking idioms of the NumPy reader (see the module docstring)."""

    def np_call(self, fname: str, node: ast.Call) -> Expr:
        if fname in UNARY_NP:
            (x,) = self.args(node, (1,))
            return Fn(UNARY_NP[fname], self.value(x))
        if fname in ("cosh", "sinh"):  # 1/sech and tanh/sech, as the LaTeX reader reads them
            (x,) = self.args(node, (1,))
            v = self.value(x)
            return Div(Num(Fraction(1)) if fname == "cosh" else Fn("tanh", v), Fn("sech", v))
        if fname in BINARY_NP:
            x, y = (self.value(a) for a in self.args(node, (2,)))
            return self.np_binary(fname, x, y, node)
        handler = getattr(self, f"np_{fname}", None) if fname in OTHER_NP else None
        if handler is None:
            raise self.error(node, f"np.{fname} is not read; " + self.np_help())
        return handler(node)

    def np_binary(self, fname: str, x: Expr, y: Expr, node: ast.Call) -> Expr:
        if fname in ("dot", "matmul"):
            return self.matmul(x, y)
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

    def matmul(self, a: Expr, b: Expr) -> Expr:
        """``a @ b``; a 1-D ``np.ones(n)`` on the left is a row, as NumPy treats it."""
        sb = self.shape(b)
        if isinstance(a, Ones) and sb is not None and sb[0] == a.n and a.n != 1:
            return Mul(T(a), b)
        return Mul(a, b)

    @staticmethod
    def np_help() -> str:
        names = sorted({*UNARY_NP, *BINARY_NP, *OTHER_NP, "cosh", "sinh"})
        return "the NumPy functions read are: " + ", ".join(f"np.{n}" for n in names)

    # ---- sums and means

    def np_sum(self, node: ast.Call) -> Expr:
        x, *rest = self.args(node, (1, 2), ("axis", "keepdims"))
        return self.total(self.value(x), self.axis(node, rest), node)

    def np_mean(self, node: ast.Call) -> Expr:
        x, *rest = self.args(node, (1, 2), ("axis", "keepdims"))
        return self.mean(self.value(x), self.axis(node, rest), node)

    def mean(self, x: Expr, axis: int | None, node: ast.AST) -> Expr:
        """A sum divided by the number of terms: the rows (axis 0), the columns (axis 1) or both."""
        shape = self.shape(x) or (1, 1)
        dims = {0: (shape[0],), 1: (shape[1],), None: shape}[axis]
        count: Expr | None = None
        for d in dims:
            if d != 1:
                c = self.count(d)
                count = c if count is None else Mul(count, c)
        total = self.total(x, axis, node)
        return total if count is None else Div(total, count)

    def count(self, dim: Dim) -> Expr:
        """The number ``dim`` as a value (see :meth:`Vocabulary.count`)."""
        return self.vocab.count(dim)

    def axis(self, node: ast.Call, rest: list[ast.AST]) -> int | None:
        axis_node = rest[0] if rest else next((k.value for k in node.keywords if k.arg == "axis"), None)
        for k in node.keywords:
            if k.arg == "keepdims" and not (
                isinstance(k.value, ast.Constant) and isinstance(k.value.value, bool)
            ):
                raise self.error(node, "keepdims must be True or False")
        if axis_node is None or (isinstance(axis_node, ast.Constant) and axis_node.value is None):
            return None
        value = self.small_int(axis_node)
        if value not in (0, 1, -1, -2):
            raise self.error(node, "axis must be 0 or 1 (every value is a 2-D array)")
        return {0: 0, 1: 1, -1: 1, -2: 0}[value]

    @staticmethod
    def small_int(node: ast.AST) -> int | None:
        """A literal integer such as ``1`` or ``-1``, else None."""
        sign = 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sign, node = -1, node.operand
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return sign * node.value
        return None

    def total(self, x: Expr, axis: int | None, node: ast.AST) -> Expr:
        """Sums as products with ones: axis 0 is 𝟏ᵀX, axis 1 is X𝟏, no axis 𝟏ᵀX𝟏."""
        shape = self.shape(x) or (1, 1)  # a shape error inside x is reported when the tree is checked
        if axis == 0:
            return Mul(T(Ones(shape[0])), x)
        if axis == 1:
            return Mul(x, Ones(shape[1]))
        return Mul(Mul(T(Ones(shape[0])), x), Ones(shape[1]))

    # ---- arrays made from shapes

    def np_ones_like(self, node: ast.Call) -> Expr:
        (x,) = self.args(node, (1,))
        return self.ones_like(self.value(x))

    def ones_like(self, x: Expr) -> Expr:
        shape = self.shape(x)
        if shape is None:
            return Pow(x, Num(Fraction(0)))  # x⁰ has x's shape, and keeps x's shape error
        return self.ones_of(shape)

    @staticmethod
    def ones_of(shape: Shape) -> Expr:
        if shape == SCALAR:
            return Num(Fraction(1))
        if shape[1] == 1:
            return Ones(shape[0])
        if shape[0] == 1:
            return T(Ones(shape[1]))
        return Mul(Ones(shape[0]), T(Ones(shape[1])))

    def np_ones(self, node: ast.Call) -> Expr:
        (spec,) = self.args(node, (1,), ("dtype",))
        return self.ones_of(self.shape_spec(spec))

    def np_eye(self, node: ast.Call) -> Expr:
        (n,) = self.args(node, (1,), ("dtype",))
        return Diag(Ones(self.dim(n)))

    np_identity = np_eye

    def shape_spec(self, node: ast.AST) -> Shape:
        """``(m, 1)``, ``(1, X.shape[1])``, ``m`` (one dimension: a column) as a shape."""
        if isinstance(node, ast.Tuple | ast.List) and len(node.elts) in (1, 2):
            dims = [self.dim(e) for e in node.elts]
            return (dims[0], dims[1]) if len(dims) == 2 else (dims[0], 1)
        return (self.dim(node), 1)

    def dim(self, node: ast.AST) -> Dim:
        """A dimension as NumPy spells it: a literal, ``x.shape[k]``, ``len(x)`` or a count's name."""
        literal = self.small_int(node)
        if literal is not None and literal >= 1:
            return literal
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "shape"
            and self.small_int(node.slice) in (0, 1, -1, -2)
        ):
            shape = self.shape(self.value(node.value.value)) or (1, 1)
            return shape[{0: 0, 1: 1, -1: 1, -2: 0}[self.small_int(node.slice)]]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
            (x,) = self.args(node, (1,))
            return (self.shape(self.value(x)) or (1, 1))[0]
        if isinstance(node, ast.Name):
            for d in self.vocab.dims:
                if d == node.id:
                    return d
        raise self.error(
            node, "a dimension is read as a number, x.shape[0], len(x) or the name of a count (m)"
        )

    def np_reshape(self, node: ast.Call) -> Expr:
        x, *spec = self.args(node, (2, 3))
        return self.reshape(self.value(x), spec, node)

    def reshape(self, x: Expr, spec: list[ast.AST], node: ast.AST) -> Expr:
        """``.reshape(-1, 1)`` and the like: the same shape, or a vector turned into the other kind."""
        if len(spec) == 1 and isinstance(spec[0], ast.Tuple | ast.List):
            spec = list(spec[0].elts)
        shape = self.shape(x)
        if shape is not None and len(spec) == 1 and self.small_int(spec[0]) == -1 and 1 in shape:
            return x if shape[1] == 1 else T(x)  # .reshape(-1): a 1-D vector, read as a column
        if shape is None or len(spec) != 2:
            raise self.error(node, "reshape is read with two dimensions, as in .reshape(-1, 1)")
        size = [shape[0], shape[1]]
        want = [None if self.small_int(s) == -1 else self.dim(s) for s in spec]
        if want[0] is None:
            want[0] = size[0] if want[1] == size[1] else size[1] if want[1] == size[0] else None
        if want[1] is None:
            want[1] = size[1] if want[0] == size[0] else size[0] if want[0] == size[1] else None
        if tuple(want) == shape:
            return x
        if tuple(want) == (shape[1], shape[0]) and 1 in shape:
            return self.transpose(x)
        raise self.error(node, "this reshape changes more than a vector's orientation; it is not read")

    # ---- np.where, np.transpose, np.square, np.diag

    def np_where(self, node: ast.Call) -> Expr:
        c, a, b = self.args(node, (3,))
        if not isinstance(c, ast.Compare):
            raise self.error(c, "the first argument of np.where is read only as a comparison, as in z > 0")
        cond, va, vb = self.compare(c), self.value(a), self.value(b)
        if va == Num(Fraction(1)) and vb == Num(Fraction(0)):
            return Indicator(cond)
        return Piecewise(((va, cond), (vb, None)))

    def np_transpose(self, node: ast.Call) -> Expr:
        (x,) = self.args(node, (1,))
        return self.transpose(self.value(x))

    def np_square(self, node: ast.Call) -> Expr:
        (x,) = self.args(node, (1,))
        return Pow(self.value(x), Num(Fraction(2)))

    def np_diag(self, node: ast.Call) -> Expr:
        (x,) = self.args(node, (1,))
        v = self.value(x)
        shape = self.shape(v)
        if shape is not None and shape[0] == 1 and shape[1] != 1:
            v = T(v)  # a row is a 1-D array to NumPy, as a column is
        elif shape is not None and shape[1] != 1:
            raise self.error(node, "np.diag of a matrix (its diagonal) is not read; np.diag of a vector is")
        return Diag(v)

    # ---- einsum

    def np_einsum(self, node: ast.Call) -> Expr:
        literal = node.args[0] if node.args else None
        if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)):
            raise self.error(node, "np.einsum is read with a literal subscript string, as in 'ij,jk->ik'")
        spec = literal.value.replace(" ", "")
        m = _SUBSCRIPTS.fullmatch(spec)
        operands = node.args[1:]
        if m is None or node.keywords or len(operands) != (2 if m.group(2) is not None else 1):
            raise self.error(
                node, f"the einsum subscripts {spec!r} are not read: one or two operands, as in 'ij,jk->ik'"
            )
        first = self.lettered(self.value(operands[0]), m.group(1), node)
        if m.group(2) is None:
            return self.einsum_result(first, m.group(3), node)
        second = self.lettered(self.value(operands[1]), m.group(2), node)
        return self.einsum_result(self.einsum_pair(first, second, m.group(3), node), m.group(3), node)

    def lettered(self, x: Expr, letters: str, node: ast.AST) -> Lettered:
        shape = self.shape(x)
        if len(set(letters)) != len(letters) or shape is None or (len(letters) == 1 and shape[1] != 1):
            raise self.error(node, f"the einsum operand `{letters}` does not match its array")
        return x, letters

    def einsum_pair(self, a: Lettered, b: Lettered, out: str, node: ast.AST) -> Lettered:
        (x, p), (y, q) = a, b
        summed = (set(p) & set(q)) - set(out)
        if len(summed) == 1:
            c = summed.pop()
            if p[0] == c and len(p) == 2:
                x, p = T(x), p[::-1]
            if q[-1] == c and len(q) == 2:
                y, q = T(y), q[::-1]
            if p[-1] != c or q[0] != c:
                raise self.error(node, "this einsum is not read: write the matrix product with @")
            return Mul(x, y), p[:-1] + q[1:]
        if not summed and set(p) == set(q):
            return Hadamard(x, y if q == p else T(y)), p
        if not summed and not set(p) & set(q) and len(p) == len(q) == 1:
            return Mul(x, T(y)), p + q
        raise self.error(node, "this einsum is not read: write it with @, * and .sum")

    def einsum_result(self, a: Lettered, out: str, node: ast.AST) -> Expr:
        """The operand arranged as ``out`` says: transposed, or summed over the letters it drops."""
        x, p = a
        if sorted(out) != sorted(set(out)) or not set(out) <= set(p):
            raise self.error(node, f"the einsum output `{out}` is not read")
        for axis, letter in reversed(list(enumerate(p))):
            if letter not in out:
                x = self.total(x, axis if len(p) == 2 else 0, node)
                p = p.replace(letter, "")
        if len(p) == 2 and p == out[::-1]:
            return T(x)
        if len(p) == 1 and self.shape(x) is not None and self.shape(x)[0] == 1:
            return T(x)  # a 1-D result is a column
        return x
