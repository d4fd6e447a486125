r"""Sums, products and single items: the precedence of ``+``, ``\odot``/``*`` and juxtaposition."""

from __future__ import annotations

from fractions import Fraction

from lark import Token, Tree

import checker.grading.readers.limits as limits
from checker.grading.readers.syntax import (
    ELEMENTWISE_OPS,
    GREEK,
    Node,
    PendingOnes,
    is_tok,
    is_tree,
    item_view,
    name_key,
    norm_dim,
    norm_word,
    unbrace,
    word_of,
)
from derivations.expr import (
    SCALAR,
    Add,
    Cond,
    Diag,
    Div,
    Expr,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    Mul,
    Neg,
    Num,
    Ones,
    T,
    tex,
)

OUTER_OPS = frozenset({r"\otimes", "⊗"})
SLASH_OPS = frozenset({r"\oslash", "⊘"})
_ELEMENTWISE_NOTE = r" their product was read as elementwise ($\odot$); write \odot to say so."


class ProductsMixin:
    """Expressions of the parse tree: sums, elementwise products, products of items, ones."""

    # ---- expressions

    def answer(self, tree: Tree) -> Expr:
        """The right-hand side of the answer (left-hand sides ``x =`` are dropped)."""
        children = [c for c in tree.children if not is_tree(c, "lhs")]
        return self.value(children[-1])

    @staticmethod
    def as_value(v: Expr | PendingOnes) -> Expr:
        return Num(Fraction(1)) if isinstance(v, PendingOnes) else v

    def value(self, node: Node) -> Expr:
        return self.as_value(self.node(node))

    def node(self, node: Node) -> Expr | PendingOnes:  # noqa: C901 - one case per rule
        if isinstance(node, Token):
            return self.seq([node])
        d = node.data
        if d == "sum":
            terms: list[Expr] = [self.value(node.children[0])]
            for op, term in zip(node.children[1::2], node.children[2::2], strict=True):
                v = self.value(term)
                terms.append(self.neg(v) if op.type == "MINUS" else v)
            return Add(self.broadcast_rows(terms))
        if d == "hterm":
            return self.hterm(node)
        if d == "signed":
            v = self.value(node.children[-1])
            minus = sum(1 for c in node.children[:-1] if is_tok(c, "MINUS"))
            return self.neg(v) if minus % 2 else v
        if d == "seq":
            return self.seq(node.children)
        if d in ("cond", "arglist"):
            return self.group_value(Tree("paren", [node]))
        return self.seq([node])

    def broadcast_rows(self, terms: list[Expr]) -> tuple[Expr, ...]:
        """In the row convention ``X W_1 + b_1`` adds the row b_1 to every row, as NumPy does: a
        1 × c term beside an m × c one is read as 𝟏_m b_1."""
        if self.vocab is None or not self.vocab.row_convention:
            return tuple(terms)
        shapes = [self.shape(t) for t in terms]
        tall = next((s for s in shapes if s is not None and s[0] != 1 and s[1] != 1), None)
        if tall is None:
            return tuple(terms)
        return tuple(
            Mul(Ones(tall[0]), t) if s is not None and s[0] == 1 and s[1] == tall[1] else t
            for t, s in zip(terms, shapes, strict=True)
        )

    @staticmethod
    def neg(v: Expr) -> Expr:
        if isinstance(v, Num):
            return Num(-v.value)
        return Neg(v)

    def star(self, a: Expr, b: Expr) -> Expr:
        """``*`` and ``\\times``: elementwise for two operands of one non-scalar shape, else a product.
        Beside an operand whose own products do not fit (``W delta * sigma'(z)``), a non-scalar is
        taken elementwise too, so that the misfit inside is what the judge diagnoses."""
        sa, sb = self.shape(a), self.shape(b)
        if sa is not None and sa == sb and sa != SCALAR:
            return Hadamard(a, b)
        if (sa is None) != (sb is None) and SCALAR not in (sa, sb):
            return Hadamard(a, b)
        return Mul(a, b)

    def hterm(self, node: Tree) -> Expr:
        """Operands joined by ⊙, ∘, ×, *, ⊗ or ⊘, left to right."""
        operands = [self.value(node.children[0])]
        acc = operands[0]
        for op, rhs in zip(node.children[1::2], node.children[2::2], strict=True):
            r = self.value(rhs)
            operands.append(r)
            if op.value in OUTER_OPS or op.value in SLASH_OPS:
                acc = self.outer_or_slash(acc, r, op)
            else:
                acc = Hadamard(acc, r) if op.value in ELEMENTWISE_OPS else self.star(acc, r)
        starred = all(op.value not in ELEMENTWISE_OPS | OUTER_OPS | SLASH_OPS for op in node.children[1::2])
        if starred and len(operands) > 1 and self.shape(acc) is None:
            return self.diagonal_chain(operands) or acc
        return acc

    def outer_or_slash(self, a: Expr, b: Expr, op: Token) -> Expr:
        """``x \\otimes y`` between two columns is read as the outer product x yᵀ (books differ:
        some mean the Kronecker product, a longer column; the note says which was read);
        ``x \\oslash y`` is elementwise division."""
        sa, sb = self.shape(a), self.shape(b)
        if op.value in SLASH_OPS:
            if sa is not None and sb is not None and sa != sb and SCALAR not in (sa, sb):
                why = f"{op.value} divides entry by entry: {tex(a)} and {tex(b)} differ in shape"
                raise self.error(op, why)
            return Div(a, b)
        columns = all(s is not None and s != SCALAR and s[1] == 1 for s in (sa, sb))
        if not columns:
            raise self.error(
                op,
                f"{op.value} is read only between two columns, as the outer product; "
                r"write the product you mean with ^T (x y^T) or \odot",
            )
        self.options.note(
            f"{op.value} between two columns was read as the outer product {tex(Mul(a, T(b)))} "
            "(not the Kronecker product, which some books write the same way)."
        )
        return Mul(a, T(b))

    def diagonal_chain(self, operands: list[Expr]) -> Expr | None:
        """``σ'(z^{(2)}) × W^{(2)} × σ'(z^{(1)}) × W^{(1)}``: a chain of ``×`` that fits no other
        way, where each column beside a matrix with as many rows is its diagonal matrix (the rows
        scaled), the only reading in which every product fits; taken with a note."""
        if self.options.strict_notation:
            return None
        factors = []
        for k, v in enumerate(operands):
            sv = self.shape(v)
            nxt = self.shape(operands[k + 1]) if k + 1 < len(operands) else None
            column = sv is not None and sv != SCALAR and sv[1] == 1
            factors.append(Diag(v) if column and nxt is not None and nxt[0] == sv[0] and nxt[1] != 1 else v)
        if all(f is v for f, v in zip(factors, operands, strict=True)):
            return None
        chain = factors[0]
        for f in factors[1:]:
            chain = Mul(chain, f)
        if self.shape(chain) is None:
            return None
        self.options.note(
            f"a column beside a matrix with as many rows fits no product, so {tex(chain)} was read, "
            r"each column as its diagonal matrix; write \operatorname{diag} to say so."
        )
        return chain

    def divide(self, a: Expr, b: Expr, node: Node) -> Expr:
        if isinstance(b, Num) and b.value == 0:
            raise self.error(node, "division by zero")
        if isinstance(a, Num) and isinstance(b, Num):
            return Num(a.value / b.value)
        return Div(a, b)

    # ---- products

    def expand(self, children: list[Node]) -> list[Node]:
        """Split LaTeX letter runs that are not words (``pp^T`` is p p^T; ``ReLU`` stays)."""
        if self.mode != "latex":
            return list(children)
        out: list[Node] = []
        for k, c in enumerate(children):
            atom, scripts = item_view(c)
            before_group = k + 1 < len(children) and self.is_group(children[k + 1])
            letters_declared = is_tok(atom, "NAME") and all(self.lookup(ch) is not None for ch in atom.value)
            if before_group and is_tok(atom, "NAME") and not letters_declared:
                out.append(c)  # gelu(z): an unknown function, reported as one
                continue
            if is_tok(atom, "NAME") and len(atom.value) > 1 and not self.is_word(atom.value):
                letters = [
                    Token(
                        "NAME",
                        ch,
                        start_pos=atom.start_pos + i,
                        end_pos=atom.start_pos + i + 1,
                        line=atom.line,
                        column=(atom.column or 0) + i,
                    )
                    for i, ch in enumerate(atom.value)
                ]
                out.extend(letters[:-1])
                out.append(Tree("item", [letters[-1], *scripts]) if scripts else letters[-1])
            else:
                out.append(c)
        return out

    def is_word(self, word: str) -> bool:
        if self.function_word(word) is not None or norm_word(word) in ("sum", "ones"):
            return True
        return self.vocab is not None and word in self.vocab.bases

    def seq(self, children: list[Node]) -> Expr | PendingOnes:
        """A product of items: functions take their argument, sums their body, then a left fold."""
        items = self.expand(children)
        factors: list[tuple[str, Expr | PendingOnes, Node]] = []
        op = "juxt"
        i = 0
        identity = None
        while i < len(items):
            node = items[i]
            if is_tok(node, "SEQOP", "AT"):
                op = "div" if node.value == "/" else "dot"
                i += 1
                continue
            if self.is_identity(node) and op != "div":
                identity, i = node, i + 1
                continue
            value, nxt = self.factor(items, i)
            factors.append((op, value, node))
            op = "juxt"
            i = nxt
        if identity is not None:
            self.drop_identity(identity, factors)
        return self.fold(factors)

    def is_identity(self, node: Node) -> bool:
        """``I`` alone, where the question has no symbol I: the identity matrix."""
        atom, scripts = item_view(node)
        named = is_tok(atom, "NAME", "IDENT") and atom.value == "I"
        return named and not scripts and self.lookup("I") is None

    def drop_identity(self, node: Node, factors: list[tuple[str, Expr | PendingOnes, Node]]) -> None:
        """I in a product is its other factor (I δ = δ); alone or beside scalars its size is unknown."""
        sized = [v for _, v, _ in factors if not isinstance(v, PendingOnes)]
        if not any(self.shape(v) not in (None, SCALAR) for v in sized):
            raise self.error(node, "cannot tell the size of the identity I here: write it in a product (I δ)")
        self.options.note("I was read as the identity matrix: a product with it is its other factor.")

    def factor(self, items: list[Node], i: int) -> tuple[Expr | PendingOnes, int]:  # noqa: C901
        """The value starting at ``items[i]`` and the index after what it consumed."""
        node = items[i]
        atom, scripts = item_view(node)
        nxt = items[i + 1] if i + 1 < len(items) else None
        if is_tok(atom, "CMD") and atom.value == r"\partial":
            return self.partial_quotient(items, i)
        if is_tok(atom, "CMD") and atom.value == r"\nabla":
            return self.nabla(items, i, scripts)
        if is_tree(atom, "frac") and self.partial_of(atom.children[1]) == "":
            return self.partial_operator(items, i, atom, scripts)
        if self.mode == "text" and is_tok(atom, "IDENT") and not scripts:
            found = self.d_quotient(items, i)
            if found is not None:
                return found, i + 3
        moment = self.moment_at(items, i)
        if moment is not None:  # E[w], \operatorname{Var}(a): a name of the question
            return self.moment(*moment), i + 2
        summed = self.sum_head(atom, scripts)
        if summed is not None:
            body = items[i + 1 :]
            if not body or is_tok(body[0], "SEQOP", "AT"):
                raise self.error(node, "a sum needs a body after its index, as in \\sum_k y_k \\log p_k")
            indices, factor = summed
            value = self.value(Tree("seq", body))
            out = value if factor is None else Mul(factor, value)
            for index in reversed(indices):
                out = IndexSum(index, out)
            return out, len(items)
        head = self.function_head(atom, scripts)
        if head is not None:
            if nxt is None or is_tok(nxt, "SEQOP", "AT"):
                raise self.error(
                    node, f"the function `{self.spelled(node)}` needs an argument, as in {self.example(head)}"
                )
            if self.is_group(nxt) or not self.is_head(nxt):
                return self.apply_function(head, nxt), i + 2
            # \tanh \tanh z, \log \sum_k e^{z_k}: the argument is the function or sum that follows
            self.chain += 1
            if self.chain > limits.MAX_DEPTH:
                raise self.error(node, f"more than {limits.MAX_DEPTH} functions are applied in a row")
            arg, after = self.factor(items, i + 1)
            self.chain -= 1
            return self.apply_function(head, nxt, self.as_value(arg)), after
        if nxt is not None and self.is_group(nxt) and self.looks_like_function(atom):
            what = f"unknown function `{self.spelled(atom)}`"
            raise self.error(atom, f"{what}; the functions read are: {self.function_list()}")
        one = self.is_ones(atom) or (is_tok(atom, "NUMBER") and atom.value == "1" and not scripts)
        if one and nxt is not None and self.is_condition_group(nxt):  # 𝟙[z > 0], 1[z > 0]
            n_atom, n_scripts = item_view(nxt)
            return self.apply_scripts(self.group_value(n_atom), n_scripts), i + 2
        return self.item(node), i + 1

    def is_group(self, node: Node) -> bool:
        return is_tree(item_view(node)[0], "paren", "bracket", "setgroup")

    def looks_like_function(self, atom: Node) -> bool:
        """An undeclared command or word written before brackets, as a function is."""
        if is_tok(atom, "CMD"):
            special = (r"\partial", r"\nabla", r"\sum", r"\ell")
            return atom.value[1:] not in GREEK and atom.value not in special
        if is_tok(atom, "WORDCMD"):
            word = word_of(atom)
            return self.lookup(word) is None and (self.vocab is None or word not in self.vocab.bases)
        if is_tok(atom, "NAME") and len(atom.value) > 1:
            return not self.is_word(atom.value)  # kept whole by expand(): not all its letters are names
        if is_tok(atom, "IDENT") and self.mode == "text":
            if self.vocab is not None and atom.value in self.vocab.code_names:
                return False
            ref = self.ident_ref(atom, [])
            bases = self.vocab.bases if self.vocab is not None else frozenset()
            return self.lookup(name_key(ref.base, ref.sub, None)) is None and ref.base not in bases
        return False

    def function_list(self) -> str:
        extra = sorted(self.vocab.functions) if self.vocab is not None else []
        names = [
            r"\sigma", r"\sigma'", "f", r"\tanh", r"\operatorname{ReLU}", r"\max(0, z)", r"\exp", "e^{x}",
            r"\log", r"\ln", r"\operatorname{softmax}", r"\operatorname{diag}", r"\operatorname{sign}",
            r"\operatorname{sgn}", r"\sech", r"\sqrt", r"\mathbb{1}[z>0]", *extra,
        ]
        if self.mode == "text":
            names = ["sigma", "sigma'", "f", "tanh", "relu", "max(0, z)", "exp", "log", "ln", "softmax",
                     "diag", "sign", "sgn", "sech", "sqrt", "abs", "where(c, a, b)", *extra]
        return ", ".join(names)

    def fold(self, factors: list[tuple[str, Expr | PendingOnes, Node]]) -> Expr | PendingOnes:
        if len(factors) == 1:
            return factors[0][1]
        values = [
            self.ones_in_product(factors, k) if isinstance(v, PendingOnes) else v
            for k, (_, v, _) in enumerate(factors)
        ]
        notes = len(self.options.notes)
        acc = values[0]
        for (op, _, node), v in zip(factors[1:], values[1:], strict=True):
            acc = self.divide(acc, v, node) if op == "div" else self.product(acc, v)
        if len(values) < 3 or self.shape(acc) is not None or any(op == "div" for op, _, _ in factors):
            return acc
        # σ'(z) W^T δ: no fit from the left; from the right, W^T δ fits and σ'(z) ⊙ (W^T δ) is the
        # only reading (a matrix product alone would be associative and fit both ways)
        del self.options.notes[notes:]
        right = values[-1]
        for v in reversed(values[:-1]):
            right = self.product(v, right)
        if self.shape(right) is not None and len(self.options.notes) > notes:
            return right
        del self.options.notes[notes:]
        return acc

    def product(self, a: Expr, b: Expr) -> Expr:
        """``a b`` or ``a \\cdot b``: the matrix product, except between two operands of one shape
        that no matrix product fits (two columns), whose only fitting reading is ⊙ — taken with a
        note, or, under strict notation, left as written for the judge to name."""
        sa, sb = self.shape(a), self.shape(b)
        if sa is None or sa != sb or sa == SCALAR or sa[1] == sb[0] or self.options.strict_notation:
            return Mul(a, b)
        if not any(n.endswith(_ELEMENTWISE_NOTE) for n in self.options.notes):  # once: a long chain is linear
            self.options.note(f"{tex(a)} and {tex(b)} have the same shape, so{_ELEMENTWISE_NOTE}")
        return Hadamard(a, b)

    def ones_in_product(self, factors: list[tuple[str, Expr | PendingOnes, Node]], k: int) -> Expr:
        """𝟏 in a product: 𝟏ᵀX takes X's rows, X𝟏 takes X's columns."""
        ones = factors[k][1]
        assert isinstance(ones, PendingOnes)
        step = 1 if ones.transposed else -1
        j = k + step
        while 0 <= j < len(factors):
            op_between = factors[max(j, k)][0]
            neighbour = factors[j][1]
            if op_between == "div" or isinstance(neighbour, PendingOnes):
                break
            shape = self.shape(neighbour)
            if shape != SCALAR:
                n = 1 if shape is None else (shape[0] if ones.transposed else shape[1])
                return T(Ones(n)) if ones.transposed else Ones(n)
            j += step
        others = [f[1] for f in factors if not isinstance(f[1], PendingOnes)]
        if any(self.shape(v) != SCALAR for v in others):
            raise self.error(
                factors[k][2],
                r"cannot tell how long this \mathbf{1} is: write its length, as in \mathbf{1}_m, "
                r"or put it where a product fixes it (\mathbf{1}^T X, X \mathbf{1})",
            )
        return Num(Fraction(1))

    # ---- single items

    def item(self, node: Node) -> Expr | PendingOnes:  # noqa: C901
        atom, scripts = item_view(node)
        if is_tree(atom, "brace") and self.name_ref(node) is not None:  # \mathbf{W}^{(l)}, {W^{(l)}}^T
            return self.name_value(self.name_ref(node))
        if is_tree(atom, "norm"):
            return self.norm_item(atom, scripts)
        if is_tree(atom, "absval"):
            return self.apply_scripts(Fn("abs", self.value(atom.children[1])), scripts)
        if isinstance(atom, Tree) and atom.data != "accent":
            return self.apply_scripts(self.group_value(atom), scripts)
        if is_tok(atom, "IDENT") and self.vocab is not None and atom.value in self.vocab.code_names:
            return self.apply_scripts(self.vocab.code_names[atom.value], scripts)
        code = word_of(atom).replace("\\_", "_") if is_tok(atom, "WORDCMD") else ""
        if self.vocab is not None and code in self.vocab.code_names:  # \text{y\_onehot}: the code's name
            return self.apply_scripts(self.vocab.code_names[code], scripts)
        if self.is_ones(atom):
            return self.ones_item(atom, scripts)
        if is_tok(atom, "NUMBER"):
            return self.apply_scripts(limits.number(atom.value, atom.start_pos), scripts)
        ref = self.name_ref(node)
        if ref is not None:
            if (
                self.mode == "latex"
                and len(ref.base) > 1
                and ref.base.isalpha()
                and self.vocab is not None
                and ref.base not in self.vocab.bases
            ):
                raise self.unknown(node)
            return self.name_value(ref)
        if is_tok(atom, "CMD"):
            cmd = atom.value
            hints = {
                r"\top": "a transpose is written as a superscript: W^T or W^{\\top}",
                r"\intercal": "a transpose is written as a superscript: W^\\intercal",
                r"\prime": "a derivative is written \\sigma'(z) or \\sigma^{\\prime}(z)",
                r"\sum": "a sum needs an index and a body: \\sum_k y_k",
                r"\partial": "a derivative is written \\frac{\\partial L}{\\partial W}",
            }
            if cmd in hints:
                raise self.error(atom, f"`{cmd}` is misplaced: {hints[cmd]}")
            raise self.unknown(atom, "command")
        if is_tok(atom, "WORDCMD"):
            raise self.unknown(atom, "word")
        if is_tok(atom, "UCHAR"):
            raise self.unknown(atom)
        raise self.error(atom, f"`{self.spelled(atom)}` is not read here")

    def is_ones(self, atom: Node) -> bool:
        if is_tok(atom, "ONES"):
            return True
        return (
            self.mode == "text"
            and is_tok(atom, "IDENT")
            and atom.value == "ones"
            and (self.vocab is None or "ones" not in self.vocab.code_names)
        )

    def ones_item(self, atom: Node, scripts: list[Tree]) -> Expr | PendingOnes:
        r"""``\mathbf{1}``, ``\mathbf{1}_m``, ``\mathbf{1}^T``, ``\mathbb{1}_{z>0}``."""
        transposed, dim, rest = False, None, []
        for k, s in enumerate(scripts):
            child = unbrace(s.children[0]) if s.children else None
            if s.data == "sub" and is_tree(child, "cond"):
                cond = self.condition(child)
                value = Indicator(cond) if isinstance(cond, Cond) else cond
                return self.apply_scripts(value, scripts[k + 1 :])
            if s.data == "sub" and dim is None:
                dim = self.dimension(s.children[0])
            elif s.data == "sup" and self.split_sup(s.children[0]).layer is None:
                transposed ^= bool(self.split_sup(s.children[0]).transposes % 2)
            elif s.data == "tsup" or (s.data == "prime" and self.mode == "text"):
                transposed = not transposed
            else:
                rest = scripts[k:]  # a power: applied to the ones once they are built
                break
        if dim is not None:
            return self.apply_scripts(T(Ones(dim)) if transposed else Ones(dim), rest)
        return self.apply_scripts(PendingOnes(transposed), rest)

    def dimension(self, sarg: Node) -> str | int:
        text = self.script_text(sarg)
        if text.isdigit():
            return int(text)
        dims = self.vocab.dims if self.vocab is not None else ()
        for dim in dims:
            if norm_dim(dim) == norm_dim(text):
                return dim
        raise self.error(
            sarg,
            f"unknown length `{text}` for \\mathbf{{1}}; this question's dimensions are: "
            + (", ".join(str(d) for d in dims) or "none"),
        )
