r"""Expectations and variances: ``\mathbb{E}[w]``, ``E[a^2]``, ``\operatorname{Var}(w)``, ``Var[z]``.

A moment of a random quantity is a *name* of the question, like ``V_w``: every spelling of the
operator (``E``, ``\mathbb{E}``, ``\operatorname{E}``, ``\mathrm{E}``, ``𝔼``; ``Var``, ``\operatorname{Var}``,
``\mathrm{Var}``, ``\text{Var}``, ``\mathbb{V}``) and of the brackets (``[…]``, ``(…)``, ``\left[…\right]``)
gives one canonical key, ``\operatorname{E}[w]`` or ``\operatorname{Var}[w]``, which is looked up in
the vocabulary. A question names the moments it knows (``V_w`` is also spelled
``\operatorname{Var}(w)``); where it does not name one, the identity that holds for every random
variable reads it: E[u²] = Var(u) + E[u]², Var(u) = E[u²] − E[u]².
"""

from __future__ import annotations

from fractions import Fraction

from lark import Tree

from checker.grading.readers.syntax import Node, group_body, is_tok, is_tree, item_view, word_of
from derivations.expr import Add, Expr, Neg, Num, Pow

_OPERATORS = {"E": "E", "Var": "Var", "var": "Var", "V": "Var", "𝔼": "E"}
"""The spellings of the operators (the word inside \\operatorname{…}, \\mathbb{…}, or the letters)."""
MOMENT_WORDS = frozenset({"E", "Var", "var"})
"""Plain words for the operators (``E[w]``, ``Var(w)``), which Python would read as indexing."""
_WORD_ONLY = {"V"}
r"""Operators read only in a command (``\mathbb{V}[w]``): a bare ``V`` is a name (V_w)."""
SQUARE = "^{2}"


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

    def moment_at(self, items: list[Node], i: int) -> tuple[str, Node] | None:
        """(canonical key, the bracket item) when ``items[i]`` is an operator and a bracket follows."""
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
        return moment_key(operator, self.canon(body)), items[i + 1]

    def moment(self, key: str, bracket: Node) -> Expr:
        """The value of a moment: the question's name for it, else an identity over names it has."""
        found = self.lookup(key)
        if found is None:
            found = self.moment_identity(key)
        if found is None:
            symbols = self.vocab.symbols if self.vocab is not None else {}
            known = ", ".join(k for k in symbols if k.startswith(r"\operatorname{"))
            names = f"the moments this question names are {known}" if known else "it names no moment"
            identities = "E[x^2] = Var(x) + E[x]^2 is read from them"
            raise self.error(bracket, f"unknown moment `{key}`; {names} ({identities})")
        _, scripts = item_view(bracket)
        return self.apply_scripts(found, scripts)  # E[w]^2

    def moment_identity(self, key: str) -> Expr | None:
        """E[u²] as Var(u) + E[u]², Var(u) as E[u²] − E[u]², where the question names the right side."""
        operator, body = key[len(r"\operatorname{") : key.index("}")], key[key.index("[") + 1 : -1]
        two = Num(Fraction(2))
        if operator == "E" and body.endswith(SQUARE):
            base = body[: -len(SQUARE)]
            var, mean = self.lookup(moment_key("Var", base)), self.lookup(moment_key("E", base))
            return None if var is None or mean is None else Add((var, Pow(mean, two)))
        if operator == "Var":
            second, mean = self.lookup(moment_key("E", body + SQUARE)), self.lookup(moment_key("E", body))
            return None if second is None or mean is None else Add((second, Neg(Pow(mean, two))))
        return None
