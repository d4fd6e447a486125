r"""What names an answer to one question may use.

A question declares its symbols with one or more LaTeX spellings each. Spellings are
canonicalised by the same reader that reads answers, so ``W^{(l+1)}``, ``W^{l+1}`` and
``\mathbf{W}^{(l+1)}`` are one key, and a student may write any of them.

>>> from derivations.notation import W_next, delta_next
>>> v = Vocabulary.from_spellings([(W_next, ["W^{(l+1)}"]), (delta_next, [r"\delta^{(l+1)}"])])
>>> v.lookup("W^{l+1}")
Sym(W_next)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from derivations.expr import Expr, Sym

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

    ``symbols`` maps canonical spellings to symbols (build it with :meth:`from_spellings`);
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

    __hash__ = object.__hash__  # identity: the mappings are not hashable

    @classmethod
    def from_spellings(
        cls,
        entries: Iterable[tuple[Sym, Iterable[str]]],
        code_names: Mapping[str, Sym] | Iterable[tuple[str, Sym]] = (),
        named: Iterable[tuple[str, Expr]] = (),
        row_convention: bool = False,
        index_letters: Iterable[str] = DEFAULT_INDEX_LETTERS,
        functions: Iterable[str] = (),
    ) -> Vocabulary:
        """Build a vocabulary from symbols and their LaTeX spellings (each symbol's ``tex`` is one
        of them when it is a name). Two symbols with one canonical spelling are an error."""
        from checker.grading.latex_reader import spelling_key

        symbols: dict[str, Sym] = {}
        shown: list[str] = []
        shown_named: list[str] = []  # derivatives, as spelled: \frac{\partial J}{\partial W}
        for sym, spellings in entries:
            given = [s for s in spellings if s]
            own = sym.tex or sym.key
            try:
                spelling_key(own)
            except ValueError:  # a symbol printed as a formula (\operatorname{ELU}(z)) is named by `given`
                own = ""
            all_spellings = [own, *given] if own else given
            if not all_spellings:
                raise ValueError(f"the symbol {sym.key} has no spelling that names it")
            shown.append(all_spellings[0])
            for spelling in all_spellings:
                if "\\partial" in spelling:
                    shown_named.append(spelling)
                key = spelling_key(spelling)
                if key in symbols and symbols[key] != sym:
                    raise ValueError(
                        f"the spelling {spelling!r} is used for both {symbols[key].key} and {sym.key}"
                    )
                symbols[key] = sym
        named_map: dict[str, Expr] = {}
        for spelling, expr in named:
            named_map[spelling_key(spelling)] = expr
            shown_named.append(spelling)
        codes = dict(code_names.items() if isinstance(code_names, Mapping) else code_names)
        return cls(
            symbols=symbols,
            code_names=codes,
            named=named_map,
            index_letters=frozenset(index_letters),
            row_convention=row_convention,
            functions=frozenset(functions),
            shown=tuple(dict.fromkeys(shown)),
            shown_named=tuple(shown_named),
        )

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
    def dims(self) -> tuple[str, ...]:
        """The dimension names of the declared symbols (``n_l``, ``m``), for ``\\mathbf{1}_m``."""
        seen: dict[str, None] = {}
        for sym in (*self.symbols.values(), *self.code_names.values()):
            for d in (sym.rows, sym.cols):
                if isinstance(d, str):
                    seen.setdefault(d)
        return tuple(seen)

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
