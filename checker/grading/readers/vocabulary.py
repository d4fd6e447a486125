r"""What names an answer to one question may use.

A question declares its symbols with one or more LaTeX spellings each. Spellings are
canonicalised by the same reader that reads answers, so ``W^{(l+1)}``, ``W^{l+1}`` and
``\mathbf{W}^{(l+1)}`` are one key, and a student may write any of them.

Build one with :func:`checker.grading.spellings.vocabulary_from_spellings`, which canonicalises
the spellings with the LaTeX reader (this module stays below the readers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from derivations.expr import SCALAR, Dim, Expr, Mul, Num, Ones, Sym, T

DEFAULT_INDEX_LETTERS = frozenset("ijknc")


def text_spelling(tex: str) -> str:
    r"""The plain-text spelling of a LaTeX name: ``\delta^{(l+1)}`` is ``delta^(l+1)``."""
    s = re.sub(r"\\(?:hat|widehat)\{\\?([A-Za-z]+)\}", r"\1hat", tex)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec|mathrm|operatorname)\b", "", s)
    s = re.sub(r"\\([A-Za-z]+)", r"\1", s)
    s = re.sub(r"\^\{\(([^{}]*)\)\}", r"^(\1)", s)
    s = re.sub(
        r"\^\{([^{}]*)\}", lambda m: "^" + (m.group(1) if len(m.group(1)) == 1 else f"({m.group(1)})"), s
    )
    s = re.sub(r"_\{([^{}]*)\}", r"_\1", s)
    return s.replace("{", "").replace("}", "").replace(" ", "")


@dataclass(frozen=True)
class Vocabulary:
    """What names an answer to one question may use.

    ``symbols`` maps canonical spellings to symbols (build it with ``vocabulary_from_spellings``);
    ``code_names`` are identifiers for plain-text and NumPy answers (``delta3``, ``W2``, ``probs``);
    ``named`` maps canonical spellings of named quantities (``\\frac{\\partial J}{\\partial W}``)
    to expressions; ``index_letters`` may be free or summed indices; with ``row_convention``
    subscripts are layer numbers (``W_2``) and softmax acts on rows; ``functions`` are function
    names allowed beyond the standard ones (names of ``derivations.expr.ELEMENTWISE``).
    """

    symbols: Mapping[str, Sym] = field(default_factory=dict)
    code_names: Mapping[str, Sym] = field(default_factory=dict)
    named: Mapping[str, Expr] = field(default_factory=dict)
    index_letters: frozenset[str] = DEFAULT_INDEX_LETTERS
    row_convention: bool = False
    functions: frozenset[str] = frozenset()
    shown: tuple[str, ...] = ()  # one spelling per symbol, for messages
    shown_named: tuple[str, ...] = ()
    listed: frozenset[Sym] = frozenset()  # the question's inputs, for a name written without its layer
    independent: frozenset[str] = frozenset()  # random quantities independent of each other (w, a)

    __hash__ = object.__hash__  # identity: the mappings are not hashable

    def lookup(self, key: str) -> Expr | None:
        """The symbol or named quantity with canonical spelling ``key``, or None."""
        found = self.symbols.get(key)
        return found if found is not None else self.named.get(key)

    @cached_property
    def bases(self) -> frozenset[str]:
        """The base names of the declared spellings (``W``, ``\\delta``, ``\\hat{y}``, ``probs``)."""
        out = set()
        for key in self.symbols:
            m = re.match(r"\\hat\{[^{}]*\}|\\?[A-Za-z]+", key)
            if m:
                out.add(m.group(0))
        return frozenset(out)

    @cached_property
    def by_base(self) -> Mapping[str, tuple[Sym, ...]]:
        """The symbols each base name spells (``W`` → W^{(l)}, W^{(l+1)}), in declaration order."""
        out: dict[str, dict[Sym, None]] = {}
        for key, sym in self.symbols.items():
            m = re.match(r"\\hat\{[^{}]*\}|\\?[A-Za-z]+", key)
            if m:
                out.setdefault(m.group(0), {}).setdefault(sym)
        return {base: tuple(syms) for base, syms in out.items()}

    @cached_property
    def dims(self) -> tuple[str, ...]:
        """The dimension names of the declared symbols (``n_l``, ``m``), for ``\\mathbf{1}_m``."""
        seen: dict[str, None] = {}
        for sym in (*self.symbols.values(), *self.code_names.values()):
            for d in (sym.rows, sym.cols):
                if isinstance(d, str):
                    seen.setdefault(d)
        return tuple(seen)

    def count(self, dim: Dim) -> Expr:
        """The size ``dim`` as a value: the question's symbol for it (``m``), else 𝟏ᵀ𝟏 (``n_l``)."""
        if isinstance(dim, int):
            return Num(Fraction(dim))
        for sym in self.symbols.values():
            if sym.key == dim and sym.shape == SCALAR:
                return sym
        return Mul(T(Ones(dim)), Ones(dim))

    def named_spellings(self) -> list[str]:
        """The named quantities' spellings as declared."""
        return list(self.shown_named)

    def describe(self, mode: str = "latex") -> str:
        """What the question declares, for error messages in the reader's notation."""
        if mode == "numpy" and self.code_names:
            return "this question's code names are: " + ", ".join(self.code_names)
        if mode == "numpy":  # no code names: NumPy answers use the symbols' plain-text names
            mode = "text"
        shown = list(self.shown) + list(self.shown_named)
        if mode == "text":
            text = ", ".join(dict.fromkeys(text_spelling(s) for s in self.shown))
            out = f"this question's symbols are (plain text): {text or 'none'}"
            if self.code_names:
                out += "; code names: " + ", ".join(self.code_names)
            return out
        return "this question's symbols are: " + (", ".join(shown) or "none")
