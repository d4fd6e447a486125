r"""Names and the scripts on them: ``W^{(l+1)T}``, ``\delta_j``, ``a^2``, ``e^{x}``, ``\mathbf{1}^T``."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from lark import Token, Tree

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.syntax import (
    ACCENTS,
    GREEK,
    TEXT_NAMES,
    TRANSPOSE_CMDS,
    NameRef,
    Node,
    PendingOnes,
    SupInfo,
    is_tree,
    item_view,
    leaf_token,
    name_key,
    norm_dim,
    unbrace,
    word_of,
)
from derivations.expr import (
    SCALAR,
    Entry,
    Expr,
    Fn,
    KDelta,
    Num,
    Pow,
    T,
)

MAX_FACTORIAL = 12
"""The largest whole number whose factorial is read (12! fits the readers' digit bound)."""


class NamesMixin:
    """How a name with its sub- and superscripts becomes a symbol, an entry, a power or a transpose."""

    # ---- names

    def ident_ref(self, token: Token, scripts: list[Tree]) -> NameRef:
        """A plain-text identifier as a name: ``delta_3`` is δ₃, ``a1`` is a₁, ``yhat`` is ŷ."""
        v = token.value
        sub: str | None = None
        m = re.fullmatch(r"([A-Za-z]+?)_?hat", v)
        if m and v not in ("hat", "_hat"):
            base = TEXT_NAMES.get(m.group(1), m.group(1))
            return NameRef(r"\hat{" + base + "}", None, scripts, token)
        if "_" in v:
            v, sub = v.split("_", 1)
        elif m := re.fullmatch(r"([A-Za-z]+?)(\d+)", v):
            v, sub = m.group(1), m.group(2)
        return NameRef(TEXT_NAMES.get(v, v), sub, scripts, token)

    def name_ref(self, node: Node) -> NameRef | None:
        """The name an item spells, seeing through braces and decorations; None if not a name."""
        atom, scripts = item_view(node)
        while (
            is_tree(atom, "brace")
            and len(atom.children) == 1
            and (isinstance(atom.children[0], Token) or is_tree(atom.children[0], "item", "accent", "brace"))
        ):
            inner, inner_scripts = item_view(atom.children[0])
            atom, scripts = inner, inner_scripts + scripts
        if isinstance(atom, Token):
            t, v = atom.type, atom.value
            if t == "NAME":
                return NameRef(v, None, scripts, node)
            if t == "IDENT":
                ref = self.ident_ref(atom, scripts)
                ref.node = node
                return ref
            if t == "CMD" and (v[1:] in GREEK or v == r"\ell"):
                return NameRef("l" if v == r"\ell" else v, None, scripts, node)
            if t == "UCHAR" and v == "ŷ":
                return NameRef(r"\hat{y}", None, scripts, node)
            if t == "WORDCMD" and re.fullmatch(r"[A-Za-z]+", word_of(atom)):
                return NameRef(word_of(atom), None, scripts, node)
            return None
        if is_tree(atom, "accent"):
            inner = self.name_ref(atom.children[1])
            if inner is None or inner.sub is not None:
                return None
            accent = ACCENTS.get(atom.children[0].value[1:], "hat")
            return NameRef("\\" + accent + "{" + inner.base + "}", None, inner.scripts + scripts, node)
        return None

    def is_transpose(self, node: Node) -> bool:
        if isinstance(node, Token):
            node = leaf_token(node)
            if node.type in ("NAME", "IDENT") and node.value == "T":
                return True
            if node.type == "CMD" and node.value in TRANSPOSE_CMDS:
                return True
            if node.type == "WORDCMD" and word_of(node) == "T":
                return True
            return node.type in ("TSUP", "DOTT")
        return False

    @staticmethod
    def is_prime(node: Node) -> bool:
        return isinstance(node, Token) and (
            node.type == "PRIME" or (node.type == "CMD" and node.value == r"\prime")
        )

    def split_sup(self, sarg: Node) -> SupInfo:
        """Split a superscript into its layer-or-exponent part and trailing transposes/primes."""
        node = sarg
        if is_tree(node, "primes"):
            return SupInfo(primes=len(node.children))
        while is_tree(node, "brace"):
            if not node.children:
                return SupInfo()
            if len(node.children) != 1:
                break
            node = node.children[0]
        if self.is_transpose(node):
            return SupInfo(transposes=1)
        if self.is_prime(node):
            return SupInfo(primes=1)
        info = SupInfo()
        if is_tree(node, "seq"):
            parts = list(node.children)
            while parts and (self.is_transpose(parts[-1]) or self.is_prime(parts[-1])):
                tail = parts.pop()
                if self.is_prime(tail):
                    info.primes += 1
                else:
                    info.transposes += 1
            if not parts:
                return info
            node = parts[0] if len(parts) == 1 else Tree("seq", parts)
        if is_tree(node, "item"):
            atom, scripts = node.children[0], list(node.children[1:])
            if (
                scripts
                and scripts[-1].data == "sup"
                and self.is_transpose(unbrace(scripts[-1].children[0]))
            ):
                info.transposes += 1
                scripts = scripts[:-1]
                node = Tree("item", [atom, *scripts]) if scripts else atom
        info.layer = node
        info.paren = is_tree(node, "paren", "bracket")
        return info

    def index_letters(self, sub: str | None) -> tuple[str, ...] | None:
        if sub is None or self.vocab is None:
            return None
        letters = re.sub(r"[\s,{}]", "", sub)
        if letters in self.cell_letters:  # p_2 in column 2 of a matrix written out: p_j
            return (self.cell_letters[letters],)
        if 1 <= len(letters) <= 2 and all(c in self.vocab.index_letters for c in letters):
            return tuple(letters)
        return None

    def lookup(self, key: str) -> Expr | None:
        return self.vocab.lookup(key) if self.vocab is not None else None

    def core(self, base: str, sub: str | None, layer: str | None, transposes: int) -> Expr | None:
        """A declared symbol, or an entry of one, for base/sub/layer; None when nothing matches."""
        found = self.lookup(name_key(base, sub, layer))
        if found is not None:
            return self.transpose(found) if transposes % 2 else found
        idx = self.index_letters(sub)
        if idx is None:
            return None
        found = self.lookup(name_key(base, None, layer))
        if found is not None:
            shape = self.shape(found)
            if not (base == r"\delta" and len(idx) == 2 and shape is not None and shape[1] == 1):
                # a vector's component is the same in the vector and its transpose
                flip = transposes % 2 and len(idx) == 2
                return self.entry(T(found) if flip else found, idx)
        if base == r"\delta" and layer is None and len(idx) == 2:
            return KDelta(idx[0], idx[1])
        return None

    def transpose(self, value: Expr) -> Expr:
        """Xᵀ; the transpose of a scalar (a component, a number) is the scalar itself."""
        return value if self.shape(value) == SCALAR else T(value)

    def entry(self, value: Expr, idx: tuple[str, ...]) -> Expr:
        if len(idx) == 2:
            return Entry(value, idx[0], idx[1])
        shape = self.shape(value)
        if shape is not None and shape[0] == 1 and shape[1] != 1:
            return Entry(value.arg if isinstance(value, T) else T(value), idx[0])  # of a row vector
        return Entry(value, idx[0])

    def name_parts(self, ref: NameRef) -> tuple[str | None, Tree | None, list[Tree]]:
        """(subscript text, superscript script, remaining scripts) of a name."""
        sub_text, sup, rest = ref.sub, None, []
        for s in ref.scripts:
            if s.data == "sub" and sub_text is None:
                sub_text = self.script_text(s.children[0])
            elif s.data == "sup" and sup is None:
                sup = s
            else:
                rest.append(s)
        return sub_text, sup, rest

    def key_of(self, ref: NameRef) -> str:
        """The vocabulary key a name spells (transposes and further scripts ignored)."""
        sub_text, sup, _ = self.name_parts(ref)
        info = self.split_sup(sup.children[0]) if sup is not None else SupInfo()
        layer = self.script_text(info.layer) if info.layer is not None else None
        return name_key(ref.base, sub_text, layer)

    def name_value(self, ref: NameRef) -> Expr:
        """A name with its scripts: symbol, layer, entry, transpose, power or e^{x}."""
        ref = self.case_alias(ref)
        sub_text, sup, rest = self.name_parts(ref)
        info = self.split_sup(sup.children[0]) if sup is not None else SupInfo()
        transposes = info.transposes
        if info.primes:
            if self.mode != "text":
                raise self.error(
                    ref.node,
                    f"a prime on `{self.spelled(ref.node)}`: only a function takes a derivative, "
                    r"as in \sigma'(z); for a transpose write ^T",
                )
            transposes += info.primes
        layer = self.script_text(info.layer) if info.layer is not None else None
        core = self.core(ref.base, sub_text, layer, transposes)
        if core is None and layer == "t" and not self.t_is_power(ref.base, sub_text):
            core = self.core(ref.base, sub_text, None, transposes + 1)
        euler = ref.base == "e" and sub_text is None and self.lookup("e") is None
        if core is None and layer is not None and euler:
            core = Fn("exp", self.value(info.layer))
            if transposes % 2:
                core = self.transpose(core)
        elif core is None and layer is not None and (self.mode == "text" or not info.paren):
            plain = self.core(ref.base, sub_text, None, 0)
            if plain is not None:
                try:
                    core = self.power(plain, info.layer)
                except AnswerError as e:
                    if "unknown" in e.message:  # W^{l+2}: a layer the question does not have
                        raise self.unknown(ref.node) from None
                    raise
                if transposes % 2:
                    core = self.transpose(core)
        if core is None and euler and layer is None:
            core = Fn("exp", Num(Fraction(1)))
        if core is None and sub_text is None and layer is None:
            core = self.bare_name(ref, transposes)
        if core is None and layer is None and sub_text and self.vocab is not None:  # n_l: a layer's size
            written = norm_dim(ref.base + ("_" + sub_text if sub_text else ""))
            dim = next((d for d in self.vocab.dims if norm_dim(d) == written), None)
            core = self.vocab.count(dim) if dim is not None else None
        if core is None:
            raise self.unknown(ref.node)
        return self.apply_scripts(core, rest)

    def t_is_power(self, base: str, sub: str | None) -> bool:
        """Whether ``^t`` on this name is a power: on a scalar (β₁ᵗ, a learning rate's ηᵗ) it is the
        step count t as an exponent, since a scalar has no transpose to write; on a vector or a
        matrix (Wᵗ) it stays the transpose some write for ``^T``, as the notation's ``^T``,
        ``^\\top``, ``^\\intercal``, ``^\\mathsf{T}`` and ``ᵀ`` always are."""
        plain = self.core(base, sub, None, 0)
        return plain is not None and self.shape(plain) == SCALAR

    def case_alias(self, ref: NameRef) -> NameRef:
        """``w`` for W, ``x`` for X: a Latin letter the question does not use in the case written,
        but uses in the other case, is that name."""
        base = ref.base
        if self.vocab is None or len(base) != 1 or not base.isalpha() or base in self.vocab.bases:
            return ref
        other = base.swapcase()
        return NameRef(other, ref.sub, ref.scripts, ref.node) if other in self.vocab.bases else ref

    def bare_name(self, ref: NameRef, transposes: int) -> Expr | None:
        """A name written without its layer (``W``, ``\\delta``): the one quantity of that name among
        the question's inputs (or, if none is an input, the only one it has); ambiguous: refused."""
        if self.vocab is None:
            return None
        candidates = self.vocab.by_base.get(ref.base, ())
        inputs = [s for s in candidates if s in self.vocab.listed] or list(candidates)
        if not inputs:
            return None
        written = self.spelled(ref.node)
        if len(inputs) > 1:
            names = ", ".join(f"${s.tex or s.key}$" for s in inputs)
            raise self.error(
                ref.node, f"`{written}` could be any of {names}: write its layer, as in ${inputs[0].tex}$"
            )
        sym = inputs[0]
        shown, atom = sym.tex or sym.key, item_view(ref.node)[0]
        as_written = atom.value if isinstance(atom, Token) else ref.base
        self.options.note(f"`{as_written}` without a layer was read as ${shown}$, the question's only one.")
        return self.transpose(sym) if transposes % 2 else sym

    # ---- scripts on values

    def power(self, base: Expr, exponent_node: Node) -> Expr:
        exponent = self.value(exponent_node)
        limits.check_exponent(exponent, self.where(exponent_node) + self.offset)
        return Pow(base, exponent)

    def factorial(self, value: Expr, where: Tree) -> Expr:
        """``3!`` of a Taylor coefficient: the factorial of a whole number up to :data:`MAX_FACTORIAL`."""
        whole = isinstance(value, Num) and value.value.denominator == 1
        if not whole or not 0 <= value.value <= MAX_FACTORIAL:  # type: ignore[union-attr]
            raise self.error(where, f"a factorial is read on a whole number from 0 to {MAX_FACTORIAL} (3!)")
        return Num(Fraction(math.factorial(int(value.value))))

    def apply_scripts(self, value: Expr | PendingOnes, scripts: list[Tree]) -> Expr | PendingOnes:
        """Postfix scripts on a value: transposes, powers, index subscripts."""
        for s in scripts:
            if isinstance(value, PendingOnes) and (
                s.data in ("tsup",) or (s.data == "prime" and self.mode == "text")
            ):
                value = PendingOnes(not value.transposed)
                continue
            if s.data == "sup":
                info = self.split_sup(s.children[0])
                if isinstance(value, PendingOnes) and info.layer is None and not info.primes:
                    value = PendingOnes(value.transposed ^ bool(info.transposes % 2))
                    continue
                value = self.as_value(value)
                if info.primes:
                    if self.mode != "text":
                        raise self.error(
                            s, "a prime after an expression is not read; write \\sigma'(z) for a derivative"
                        )
                    info.transposes += info.primes
                if info.layer is not None:
                    value = self.power(value, info.layer)
                if info.transposes % 2:
                    value = self.transpose(value)
            elif s.data == "power":
                value = self.power(self.as_value(value), s.children[0])
            elif s.data == "sub":
                idx = self.index_letters(self.script_text(s.children[0]))
                if idx is None:
                    raise self.error(
                        s,
                        f"the subscript `{self.spelled(s)}` is not read here: after an expression only "
                        f"index letters are ({self.index_help()})",
                    )
                value = self.entry(self.as_value(value), idx)
            elif s.data == "factorial":
                value = self.factorial(self.as_value(value), s)
            elif s.data == "prime":
                if self.mode != "text":
                    raise self.error(
                        s, "a prime after an expression is not read; write \\sigma'(z) for a derivative"
                    )
                value = self.transpose(self.as_value(value))
            elif s.data == "tsup":
                value = self.transpose(self.as_value(value))
        return value
