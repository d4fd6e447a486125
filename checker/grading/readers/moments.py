r"""Expectations and variances: ``\mathbb{E}[w]``, ``E[a^2]``, ``\operatorname{Var}(w)``, ``Var[z]``.

A moment of a random quantity is a *name* of the question, like ``V_w``: every spelling of the
operator (``E``, ``\mathbb{E}``, ``\operatorname{E}``, ``\mathrm{E}``, ``𝔼``; ``Var``, ``\operatorname{Var}``,
``\mathrm{Var}``, ``\text{Var}``, ``\mathbb{V}``) and of the brackets (``[…]``, ``(…)``, ``\left[…\right]``)
gives one canonical key, ``\operatorname{E}[w]`` or ``\operatorname{Var}[w]``, which is looked up in
the vocabulary. A question names the moments it knows (``V_w`` is also spelled
``\operatorname{Var}(w)``); where it does not name one, the identity that holds for every random
variable reads it: E[u²] = Var(u) + E[u]², Var(u) = E[u²] − E[u]²; for two quantities the
question declares independent, E[uv] = E[u]E[v] and Var(uv) = E[u²]E[v²] − E[u]²E[v]². A
moment of one indexed term (``E[w_j^2]``) is that of the question's variable, with a note: the
terms are identically distributed.
"""

from __future__ import annotations

import re
from fractions import Fraction

from lark import Tree

from checker.grading.readers.syntax import Node, group_body, is_tok, is_tree, item_view, word_of
from derivations.expr import Add, Expr, Mul, Neg, Num, Pow

_OPERATORS = {"E": "E", "Var": "Var", "var": "Var", "V": "Var", "𝔼": "E"}
"""The spellings of the operators (the word inside \\operatorname{…}, \\mathbb{…}, or the letters)."""
MOMENT_WORDS = frozenset({"E", "Var", "var"})
"""Plain words for the operators (``E[w]``, ``Var(w)``), which Python would read as indexing."""
_WORD_ONLY = {"V"}
r"""Operators read only in a command (``\mathbb{V}[w]``): a bare ``V`` is a name (V_w)."""
SQUARE = "^{2}"
_TWO = Num(Fraction(2))
_INDEX = re.compile(r"_\{[a-z]\}")
"""An index subscript in a moment's canonical key (``w_{j}``)."""


def moment_key(operator: str, body: str) -> str:
    r"""The canonical key of a moment: ``\operatorname{E}[w]``, ``\operatorname{Var}[a^{2}]``."""
    return rf"\operatorname{{{operator}}}[{body}]"


class MomentsMixin:
    """Reading ``E[x]`` and ``Var(x)`` as the question's names of those moments."""

    def moment_operator(self, atom: Node, scripts: list[Tree]) -> str | None:
        r"""``"E"`` or ``"Var"`` if the item is an expectation or variance operator, else None.
        A subscript on it (``\mathbb{E}_w``, the variable averaged over) changes nothing."""
        if any(s.data != "sub" for s in scripts):
            return None
        if is_tok(atom, "WORDCMD"):
            return _OPERATORS.get(word_of(atom))
        if is_tok(atom, "UCHAR"):
            return _OPERATORS.get(atom.value)
        if is_tok(atom, "NAME", "IDENT") and atom.value not in _WORD_ONLY:
            declared = self.lookup(atom.value) is not None or (
                self.vocab is not None and atom.value in self.vocab.bases
            )
            return None if declared else _OPERATORS.get(atom.value)
        return None

    def moment_at(self, items: list[Node], i: int) -> tuple[str, Node, Node] | None:
        """(operator, body, bracket item) when ``items[i]`` is an operator and a bracket follows."""
        if i + 1 >= len(items):
            return None
        atom, scripts = item_view(items[i])
        operator = self.moment_operator(atom, scripts)
        group, _ = item_view(items[i + 1])
        if operator is None or not is_tree(group, "paren", "bracket"):
            return None
        body = group_body(group)
        if body is None or is_tree(body, "arglist", "cond"):
            return None
        return operator, body, items[i + 1]

    def moment(self, operator: str, body: Node, bracket: Node) -> Expr:
        """The value of a moment: the question's name for it, else an identity over names it has."""
        key = moment_key(operator, self.canon(body))
        found = self.resolve_moment(key)
        if found is None:
            found = self.product_moment(operator, body)
        if found is None:
            symbols = self.vocab.symbols if self.vocab is not None else {}
            known = ", ".join(k for k in symbols if k.startswith(r"\operatorname{"))
            names = f"the moments this question names are {known}" if known else "it names no moment"
            identities = "E[x^2] = Var(x) + E[x]^2 is read from them"
            raise self.error(bracket, f"unknown moment `{key}`; {names} ({identities})")
        _, scripts = item_view(bracket)
        return self.apply_scripts(found, scripts)  # E[w]^2

    def resolve_moment(self, key: str) -> Expr | None:
        """A moment by its key: the question's name, an identity, or the moment of the un-indexed
        variable (E[w_j] of identically distributed terms is E[w], with a note)."""
        found = self.lookup(key) or self.moment_identity(key)
        unindexed = _INDEX.sub("", key)
        if found is None and unindexed != key:
            found = self.lookup(unindexed) or self.moment_identity(unindexed)
            if found is not None:
                self.options.note(
                    f"${key}$ is read as ${unindexed}$: the terms of the sum are identically distributed."
                )
        return found

    def moment_identity(self, key: str) -> Expr | None:
        """E[u²] as Var(u) + E[u]², Var(u) as E[u²] − E[u]², where the question names the right side."""
        operator, body = key[len(r"\operatorname{") : key.index("}")], key[key.index("[") + 1 : -1]
        if operator == "E" and body.endswith(SQUARE):
            base = body[: -len(SQUARE)]
            var, mean = self.lookup(moment_key("Var", base)), self.lookup(moment_key("E", base))
            return None if var is None or mean is None else Add((var, Pow(mean, _TWO)))
        if operator == "Var":
            second, mean = self.lookup(moment_key("E", body + SQUARE)), self.lookup(moment_key("E", body))
            return None if second is None or mean is None else Add((second, Neg(Pow(mean, _TWO))))
        return None

    def product_moment(self, operator: str, body: Node) -> Expr | None:
        r"""E[uv] = E[u]E[v] and Var(uv) = E[u²]E[v²] − E[u]²E[v]² for two quantities the question
        declares independent (``E[w_j a_j]``, ``\operatorname{Var}(w a)``)."""
        factors = self.product_factors(body)
        independent = self.vocab.independent if self.vocab is not None else frozenset()
        if factors is None or len(factors) != 2:
            return None
        bases = [f.removesuffix(SQUARE) for f in factors]
        if bases[0] == bases[1] or not set(bases) <= independent:
            return None
        if operator == "E":
            parts = [self.resolve_moment(moment_key("E", f)) for f in factors]
            return None if None in parts else Mul(parts[0], parts[1])  # type: ignore[arg-type]
        if factors != bases:
            return None
        u, v = bases
        parts = [self.resolve_moment(moment_key("E", x)) for x in (u + SQUARE, v + SQUARE, u, v)]
        if None in parts:
            return None
        second, means = Mul(parts[0], parts[1]), Mul(Pow(parts[2], _TWO), Pow(parts[3], _TWO))  # type: ignore[arg-type]
        return Add((second, Neg(means)))

    def product_factors(self, body: Node) -> list[str] | None:
        """The canonical names multiplied in a moment's body, indices dropped (``w_j a_j``: w, a)."""
        if is_tok(body, "NAME") and len(body.value) == 2:  # `wa`, as letters run together
            return list(body.value)
        if not is_tree(body, "seq"):
            return None
        items = [c for c in body.children if not (is_tok(c, "SEQOP") and c.value != "/")]
        if any(is_tok(c, "SEQOP") for c in items):
            return None
        return [_INDEX.sub("", self.canon(c)) for c in items]
