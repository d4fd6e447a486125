r"""Groups, cases, derivatives the question names (``\frac{\partial L}{\partial W}``) and sums."""

from __future__ import annotations

import re
from fractions import Fraction

from lark import Token, Tree

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.syntax import (
    GROUPS,
    RELATIONS,
    STRUCTURAL,
    Node,
    PendingOnes,
    group_body,
    is_tok,
    is_tree,
    item_view,
    unbrace,
    word_of,
)
from derivations.expr import (
    Add,
    Cond,
    Expr,
    Fn,
    Indicator,
    KDelta,
    Mul,
    Neg,
    Num,
    Piecewise,
    ShapeError,
    shape_of,
)


def _is_column(x: Expr) -> bool:
    """Whether ``x`` is a column vector (n × 1, n not 1)."""
    try:
        rows, cols = shape_of(x)
    except ShapeError:
        return False
    return cols == 1 and rows != 1


class CalculusMixin:
    """Bracketed groups and conditions, named derivatives and index sums."""

    # ---- groups

    def is_condition_group(self, node: Node) -> bool:
        atom, _ = item_view(node)
        return is_tree(atom, *GROUPS) and is_tree(group_body(atom), "cond")

    def group_value(self, atom: Tree) -> Expr | PendingOnes:  # noqa: C901
        d = atom.data
        if d in GROUPS:
            body = group_body(atom)
            if body is None:
                raise self.error(atom, "empty braces `{}` are not a value")
            if is_tree(body, "cond"):
                cond = self.condition(body)
                return Indicator(cond) if isinstance(cond, Cond) else cond
            if is_tree(body, "arglist"):
                raise self.error(
                    atom, "a list `(a, b)` is read only as the arguments of a function, as in \\max(0, z)"
                )
            return self.node(body)
        if d == "frac":
            derivative = self.function_derivative(atom)
            if derivative is not None:
                return derivative
            if self.partial_of(atom.children[1]) is not None:
                return self.named(atom, self.partial_key(atom.children[1], atom.children[2], atom))
            return self.divide(self.value(atom.children[1]), self.value(atom.children[2]), atom)
        if d == "sqrt":
            return Fn("sqrt", self.value(atom.children[1]))
        if d == "cases":
            return self.cases(atom)
        if d == "matrix":
            return self.explicit_matrix(atom)
        if d in ("sum", "hterm", "signed", "seq", "item"):
            return self.node(atom)
        raise self.error(atom, f"`{self.spelled(atom)}` is not read here")

    def condition(self, tree: Tree) -> Cond | Expr:
        """A comparison; between two index letters (``i = j``, ``i \\neq j``) the 0/1 value it has."""
        found = self.index_relation(tree)
        if found is not None:
            return found
        lhs, op, rhs = tree.children
        return Cond(self.value(lhs), RELATIONS.get(op.value, op.value), self.value(rhs))

    def cases(self, tree: Tree) -> Expr:
        r"""``\begin{cases}``: a :class:`Piecewise`; on index relations (``i = j``, ``i \neq j``) the
        sum of each value times its 0/1 relation, "otherwise" being what the rows above leave."""
        rows: list[tuple[Expr, Cond | Expr | None, Node]] = []
        for row in tree.children:
            if not is_tree(row, "crow"):
                continue
            conds = [c for c in row.children[1:] if is_tree(c, "cond")]
            cond = self.condition(conds[-1]) if conds else None
            rows.append((self.value(row.children[0]), cond, row))
        on_indices = [not isinstance(c, Cond) and c is not None for _, c, _ in rows]
        if not any(on_indices):
            return Piecewise(tuple((v, c) for v, c, _ in rows))
        terms: list[Expr] = []
        taken: list[Expr] = []
        for value, cond, row in rows:
            if isinstance(cond, Cond):
                raise self.error(row, "the cases compare indices and values at once; split them")
            if cond is None:  # otherwise
                cond = Add((Num(Fraction(1)), *(Neg(t) for t in taken)))
            taken.append(cond)
            terms.append(Neg(Mul(value.arg, cond)) if isinstance(value, Neg) else Mul(value, cond))
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    # ---- derivatives named by the question

    def partial_of(self, node: Node) -> Node | str | None:
        r"""For ``\partial X`` the node X, for a lone ``\partial`` the empty string, else None."""
        body = unbrace(node)
        atom, _ = item_view(body) if not is_tree(body, "seq") else (body, [])
        if is_tok(atom, "CMD") and atom.value == r"\partial" and not is_tree(body, "item"):
            return ""
        if is_tree(body, "seq"):
            first, _ = item_view(body.children[0])
            if is_tok(first, "CMD") and first.value == r"\partial" and not is_tree(body.children[0], "item"):
                rest = body.children[1:]
                if not rest:
                    return ""
                return rest[0] if len(rest) == 1 else Tree("seq", rest)
        return self.upright_d(body)

    def upright_d(self, body: Node) -> Node | str | None:
        r"""``dJ``, ``d W^{(l)}``, ``\mathrm{d}J`` as ∂J, ∂W^{(l)} (when d is not a declared name)."""
        if self.lookup("d") is not None:
            return None
        parts = list(body.children) if is_tree(body, "seq") else [body]
        atom, scripts = item_view(parts[0])
        if is_tok(atom, "WORDCMD") and word_of(atom) == "d" and not scripts:
            rest = parts[1:]
        elif is_tok(atom, "NAME") and atom.value.startswith("d"):
            if atom.value == "d":
                if scripts:
                    return None
                rest = parts[1:]
            else:
                tail = Token.new_borrow_pos("NAME", atom.value[1:], atom)
                rest = [Tree("item", [tail, *scripts]) if scripts else tail, *parts[1:]]
        else:
            return None
        if not rest:
            return ""
        return rest[0] if len(rest) == 1 else Tree("seq", rest)

    def function_derivative(self, frac: Tree) -> Expr | None:
        r"""``\frac{d\sigma}{dz}``, ``\frac{\partial \sigma(z)}{\partial z}``: σ'(z) (None if the top is
        not a function the answer may use)."""
        top, bottom = self.partial_of(frac.children[1]), self.partial_of(frac.children[2])
        if not isinstance(top, Tree | Token) or not isinstance(bottom, Tree | Token):
            return None
        parts = list(top.children) if is_tree(top, "seq") else [top]
        atom, scripts = item_view(parts[0])
        try:
            head = self.function_head(atom, scripts)
        except AnswerError:
            return None
        if head is None or head.name in STRUCTURAL or head.power is not None or len(parts) > 2:
            return None
        x = self.value(bottom)
        if len(parts) == 2:  # \frac{d\sigma(z)}{dz}: the argument is what is differentiated by
            arg = self.value(parts[1])
            named = arg != x or _is_column(x)
            if named and self.lookup(self.partial_key(frac.children[1], frac.children[2], frac)) is not None:
                # a quantity the vocabulary names (∂ log p_k/∂z_i in a derivation); by a column z,
                # ∂exp(z)/∂z is the Jacobian diag(exp'(z)), not the column exp'(z)
                return None
            if arg != x:
                raise self.error(frac, "the function's argument and the variable below differ: write σ'(z)")
        if head.d + 1 > limits.MAX_DERIVATIVE:
            raise self.error(frac, f"a derivative of order {head.d + 1} is not read")
        return Fn(head.name, x, head.d + 1)

    def quantity_key(self, node: Node) -> str:
        ref = self.name_ref(node)
        if ref is not None:
            return self.key_of(self.case_alias(ref))
        key = self.canon(node)
        # the canonical form drops a cases block's `&` and spaces (`zz>0`): keep it as written
        return self.spelled(node) if r"\begin{cases}" in key else key

    def partial_key(self, num: Node, den: Node, where: Node) -> str:
        top, bottom = self.partial_of(num), self.partial_of(den)
        if not isinstance(top, Tree | Token) or not isinstance(bottom, Tree | Token):
            raise self.error(where, r"a derivative is read as \frac{\partial L}{\partial W}")
        return self.derivative_key(self.quantity_key(top), self.quantity_key(bottom))

    @staticmethod
    def derivative_key(f: str, x: str) -> str:
        return r"\frac{\partial " + f + r"}{\partial " + x + "}"

    def named(self, node: Node, key: str) -> Expr:
        found = self.lookup(key)
        if found is None:
            tensor = self.tensor_message(key, self.spelled(node))
            if tensor:
                raise self.error(node, tensor)
            names = self.vocab.named_spellings() if self.vocab is not None else []
            raise self.error(
                node,
                f"unknown quantity `{self.spelled(node)}`; "
                + (
                    "this question names: " + ", ".join(names)
                    if names
                    else "this question names no derivative"
                ),
            )
        return found

    def tensor_message(self, key: str, shown: str) -> str:
        r"""Why ``∂z/∂W`` (a column by a matrix) is not read: it is a three-way array, which no
        matrix product holds; "" when ``key`` is not a derivative of two known names."""
        m = re.fullmatch(r"\\frac\{\\partial (.+)\}\{\\partial (.+)\}", key)
        if m is None:
            return ""
        ways = 0
        for part in m.groups():
            found = self.lookup(re.sub(r"_\{[a-z]{1,3}\}", "", part))
            try:
                shape = shape_of(found) if found is not None else None
            except ShapeError:
                shape = None
            if shape is None:
                return ""
            ways += sum(1 for d in shape if d != 1)
        if ways < 3:
            return ""
        return (
            f"`{shown}` is a {'three' if ways == 3 else 'four'}-way array (a vector or matrix differentiated "
            "by a matrix): no "
            "matrix product holds it, so this step cannot be checked as written; write it entry by "
            "entry with the entries worked out, or go on to the product it stands for"
        )

    def partial_quotient(self, items: list[Node], i: int) -> tuple[Expr, int]:
        r"""``\partial L / \partial W`` written inline."""
        window = items[i : i + 5]
        if (
            len(window) == 5
            and is_tok(window[2], "SEQOP")
            and window[2].value == "/"
            and is_tok(item_view(window[3])[0], "CMD")
            and item_view(window[3])[0].value == r"\partial"
        ):
            key = self.derivative_key(self.quantity_key(window[1]), self.quantity_key(window[4]))
            return self.named(Tree("seq", window), key), i + 5
        raise self.error(items[i], r"`\partial` is read only in a derivative: \frac{\partial L}{\partial W}")

    def partial_operator(
        self, items: list[Node], i: int, frac: Tree, scripts: list[Tree]
    ) -> tuple[Expr, int]:
        r"""``\frac{\partial}{\partial W} L``; like a sum, the operator takes the rest of the product
        (``\frac{\partial}{\partial W} \lambda \|W\|_1`` is the derivative of λ‖W‖₁)."""
        if i + 1 >= len(items) or scripts:
            raise self.error(frac, r"write the derivative as \frac{\partial L}{\partial W}")
        bottom = self.partial_of(frac.children[2])
        if not isinstance(bottom, Tree | Token):
            raise self.error(frac, r"write the derivative as \frac{\partial L}{\partial W}")
        end = next((k for k in range(i + 1, len(items)) if is_tok(items[k], "SEQOP", "AT")), len(items))
        body = items[i + 1] if end == i + 2 else Tree("seq", items[i + 1 : end])
        key = self.derivative_key(self.quantity_key(body), self.quantity_key(bottom))
        return self.named(Tree("seq", items[i:end]), key), end

    def nabla(self, items: list[Node], i: int, scripts: list[Tree]) -> tuple[Expr, int]:
        r"""``\nabla_W J``."""
        subs = [s for s in scripts if s.data == "sub"]
        if len(subs) != 1 or i + 1 >= len(items):
            raise self.error(items[i], r"a gradient is read as \nabla_W J or \frac{\partial J}{\partial W}")
        wrt = unbrace(subs[0].children[0])
        key = self.derivative_key(self.quantity_key(items[i + 1]), self.quantity_key(wrt))
        return self.named(Tree("seq", items[i : i + 2]), key), i + 2

    def d_quotient(self, items: list[Node], i: int) -> Expr | None:
        """Plain text ``dL/dW``: a derivative the question names."""
        if i + 2 >= len(items) or not (is_tok(items[i + 1], "SEQOP") and items[i + 1].value == "/"):
            return None
        top = items[i]
        bottom_atom, bottom_scripts = item_view(items[i + 2])
        if not (is_tok(top, "IDENT") and is_tok(bottom_atom, "IDENT")):
            return None
        if (
            not (top.value.startswith("d") and bottom_atom.value.startswith("d"))
            or min(len(top.value), len(bottom_atom.value)) < 2
        ):
            return None
        f_tok = Token.new_borrow_pos("IDENT", top.value[1:], top)
        x_tok = Token.new_borrow_pos("IDENT", bottom_atom.value[1:], bottom_atom)
        x_node = Tree("item", [x_tok, *bottom_scripts]) if bottom_scripts else x_tok
        head = self.function_head(f_tok, []) if self.lookup(f_tok.value) is None else None
        if head is not None and head.name not in STRUCTURAL:  # dsigma/dz: σ'(z)
            return Fn(head.name, self.value(x_node), head.d + 1)
        return self.lookup(self.derivative_key(self.quantity_key(f_tok), self.quantity_key(x_node)))

    # ---- sums

    def sum_head(self, atom: Node, scripts: list[Tree]) -> tuple[tuple[str, ...], Expr | None] | None:
        r"""The indices of ``\sum_k``/``sum_k``/``\sum_{i,j}`` (outermost first) and the factor its
        conditions put on the body (``\sum_{k \neq i}``: 1 − δ_ki), or None if the item is not a sum."""
        is_sum = (is_tok(atom, "CMD") and atom.value == r"\sum") or (
            is_tok(atom, "CMD") and atom.value == r"\Sigma" and self.lookup(r"\Sigma") is None and scripts
        )
        index_node: Node | None = None
        if (
            self.mode == "text"
            and is_tok(atom, "IDENT")
            and (atom.value == "sum" or atom.value.startswith("sum_"))
        ):
            if self.vocab is not None and atom.value in self.vocab.code_names:
                return None
            is_sum = True
            if atom.value.startswith("sum_"):
                index_node = Token.new_borrow_pos("IDENT", atom.value[4:], atom)
        if is_tok(atom, "NAME") and atom.value == "sum":
            is_sum = True
        if not is_sum:
            return None
        for s in scripts:
            if s.data == "sub" and index_node is None:
                index_node = unbrace(s.children[0])
                if is_tree(index_node, "paren"):
                    index_node = index_node.children[0]
            elif s.data in ("sup",):
                continue  # the upper bound: an index runs over the dimension it indexes
            else:
                raise self.error(s, "a sum takes an index below and an optional bound above: \\sum_{k=1}^{n}")
        if index_node is None:
            raise self.error(atom, "a sum needs its index: \\sum_k (or sum_k in plain text)")
        return self.sum_index(index_node)

    def sum_index(self, index_node: Node) -> tuple[tuple[str, ...], Expr | None]:
        r"""``k``, ``k=1``, ``k \neq i``, ``k=1, k \ne i``, ``i,j`` (a double sum): the summed letters,
        and the product of the index conditions beyond their range (a lower bound is its range,
        and is dropped)."""
        parts = list(index_node.children) if is_tree(index_node, "arglist") else [index_node]
        first, conditions = parts[0], parts[1:]
        if is_tree(first, "cond"):
            if RELATIONS.get(first.children[1].value) != "==":  # k \neq i: the index and a condition
                conditions = [first, *conditions]
            first = first.children[0]
        letter = self.canon(first)
        letters = self.vocab.index_letters if self.vocab is not None else frozenset()
        if letter not in letters:
            raise self.error(first, f"the summation index `{letter}` is not read: {self.index_help()}")
        summed = [letter]
        while conditions and not is_tree(conditions[0], "cond") and self.canon(conditions[0]) in letters:
            summed.append(self.canon(conditions.pop(0)))  # \sum_{i,j}: one sum per letter
        if len(set(summed)) != len(summed):
            raise self.error(index_node, r"a sum names each of its indices once: \sum_{i,j}")
        factor: Expr | None = None
        for cond in conditions:
            found = self.index_relation(cond) if is_tree(cond, "cond") else None
            if found is None:
                raise self.error(cond, r"a sum's condition is read as an index comparison: \sum_{k \neq i}")
            factor = found if factor is None else Mul(factor, found)
        return tuple(summed), factor

    def index_relation(self, tree: Tree) -> Expr | None:
        """``i = j`` as δ_ij and ``i \\neq j`` as 1 − δ_ij, for two free index letters; else None."""
        lhs, op, rhs = tree.children
        operator = RELATIONS.get(op.value, op.value)
        if operator not in ("==", "!=") or self.vocab is None:
            return None
        a, b = (self.canon(x) for x in (lhs, rhs))
        letters = self.vocab.index_letters
        if a not in letters or b not in letters or self.lookup(a) is not None or self.lookup(b) is not None:
            return None
        same = KDelta(a, b)
        return same if operator == "==" else Add((Num(Fraction(1)), Neg(same)))

    def index_help(self) -> str:
        letters = sorted(self.vocab.index_letters) if self.vocab is not None else []
        if not letters:
            return "this question does not read index notation; write the matrix formula"
        return "this question's index letters are " + ", ".join(letters)
