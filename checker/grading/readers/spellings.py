r"""Vocabularies built from LaTeX spellings, canonicalised by the reader that reads answers.

>>> from derivations.notation import W_next, delta_next
>>> v = vocabulary_from_spellings([(W_next, ["W^{(l+1)}"]), (delta_next, [r"\delta^{(l+1)}"])])
>>> v.lookup("W^{l+1}")
Sym(W_next)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from checker.grading.readers.latex_reader import spelling_key
from checker.grading.readers.vocabulary import DEFAULT_INDEX_LETTERS, Vocabulary
from derivations.expr import Expr, Sym


def vocabulary_from_spellings(
    entries: Iterable[tuple[Sym, Iterable[str]]],
    code_names: Mapping[str, Sym] | Iterable[tuple[str, Sym]] = (),
    named: Iterable[tuple[str, Expr]] = (),
    row_convention: bool = False,
    index_letters: Iterable[str] = DEFAULT_INDEX_LETTERS,
    functions: Iterable[str] = (),
    listed: Iterable[Sym] = (),
    independent: Iterable[str] = (),
) -> Vocabulary:
    """Build a vocabulary from symbols and their LaTeX spellings (each symbol's ``tex`` is one
    of them when it is a name). Two symbols with one canonical spelling are an error. ``listed``
    are the question's inputs: a name written without its layer (``W``) is read as the one listed
    symbol of that name, when there is exactly one. ``independent`` are random quantities
    independent of each other, whose products' moments factor (E[wa] = E[w]E[a])."""
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
    return Vocabulary(
        symbols=symbols,
        code_names=codes,
        named=named_map,
        index_letters=frozenset(index_letters),
        row_convention=row_convention,
        functions=frozenset(functions),
        shown=tuple(dict.fromkeys(shown)),
        shown_named=tuple(dict.fromkeys(shown_named)),
        listed=frozenset(listed),
        independent=frozenset(independent),
    )
