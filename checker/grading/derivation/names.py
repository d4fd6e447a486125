r"""The names a derivation may use: the question's, the network's, and every ∂-fraction of them.

The readers look a derivative ``\frac{\partial F}{\partial X}`` up by its canonical spelling in
the vocabulary's ``named`` mapping. :class:`DerivativeNames` is such a mapping that answers for
*any* F and X of the question's network instead of a fixed list: ∂L/∂p, ∂p/∂z, ∂a_k/∂z_j
(an entry of a Jacobian), ∂C/∂a_k, ∂(log p_k)/∂z_i, ∂J'/∂W. F may be a name, a name with one
index, a loss however it is called, or a formula (read with the same vocabulary); X is a name,
possibly with indices. The result is a :class:`~derivations.expr.Deriv` node (or an entry of
one), which the derivation's evaluator computes; nothing is looked up in a fixed table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache

from checker.grading.derivation.model import LOSS_NAMES, LOSS_SPELLINGS, Model, model_of
from checker.grading.indexed import free_indices, index_shape
from checker.grading.judge import vocabulary_for
from checker.grading.readers import AnswerError, Vocabulary, parse_answer
from derivations.expr import (
    SCALAR,
    Deriv,
    Entry,
    Expr,
    ShapeError,
    Sym,
    shape_of,
    to_latex,
)
from derivations.questions import get_question

_INDEXED = re.compile(r"^(?P<head>.+?)_\{(?P<idx>[a-z]{1,2})\}(?P<sup>\^\{.*\})?$")
_SEPARATOR = r"}{\partial "
_SUM_OF_LOSSES = re.compile(r"^\\sum_(?P<i>[a-z])(=1\^m)?(?P<loss>.+?)_(?P<j>[a-z])$")
"""Σ_i L_i (Σ_{i=1}^m L_i), braces and spaces removed: the sum of a batch's per-example losses."""
MAX_NAME = 300


def _plain(key: str) -> str:
    return re.sub(r"[{}\s]", "", key)


class DerivativeNames(Mapping[str, Expr]):
    """``named`` for the readers: the question's own named quantities, then any ∂F/∂X."""

    def __init__(self, base: Mapping[str, Expr], model: Model) -> None:
        self.base, self.model = base, model
        self.vocab: Vocabulary | None = None  # set once the vocabulary that holds this exists
        self.losses = {_plain(k): v for k, v in model.losses.items()}
        self.cache: dict[str, Expr | None] = {}

    def __getitem__(self, key: str) -> Expr:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)

    def get(self, key: str, default: Expr | None = None) -> Expr | None:  # type: ignore[override]
        """The quantity a canonical spelling names, or ``default``."""
        if key in self.base:
            return self.base[key]
        if key not in self.cache:
            self.cache[key] = self._resolve(key) if len(key) <= MAX_NAME else None
        found = self.cache[key]
        return default if found is None else found

    def _resolve(self, key: str) -> Expr | None:
        if not key.startswith(r"\frac{\partial ") or _SEPARATOR not in key or not key.endswith("}"):
            return None
        cut = key.rindex(_SEPARATOR)
        top, bottom = key[len(r"\frac{\partial ") : cut], key[cut + len(_SEPARATOR) : -1]
        wrt = self._name(bottom)
        if wrt is None or not isinstance(wrt[0], Sym):
            return None
        x, x_index = wrt
        f = self._name(top) or self._formula(top)
        if f is None:
            return None
        f_expr, f_index = f
        if isinstance(f_expr, Sym) and (f_expr.key, x.key) in self.model.given and not f_index + x_index:
            return self.model.given[f_expr.key, x.key]
        try:
            d = Deriv(f_expr, x)
            shape = shape_of(d)
        except ShapeError:
            return None
        letters = f_index + x_index
        if not letters:
            return d
        if shape == SCALAR or len(letters) > 2:
            return None
        if len(letters) == 1:
            if shape[1] != 1 and shape[0] != 1:
                return None
            return Entry(d, letters[0])
        return Entry(d, letters[0], letters[1])

    def _name(self, text: str) -> tuple[Expr, tuple[str, ...]] | None:
        """A name, possibly with indices: (symbol, index letters)."""
        plain = _plain(text)
        if plain in self.losses:
            return self.losses[plain], ()
        if plain in self.model.called:
            return self.model.called[plain], ()
        total = _SUM_OF_LOSSES.match(plain)
        summed = total is not None and total["i"] == total["j"] and total["loss"] in self.losses
        if summed and self.model.total is not None:
            return self.model.total, ()
        sym = self._symbol(text)
        if sym is not None:
            return sym, ()
        m = _INDEXED.match(text)
        if m:
            sym = self._symbol(m.group("head") + (m.group("sup") or ""))
            if sym is not None:
                return sym, tuple(m.group("idx"))
        return None

    def _symbol(self, text: str) -> Expr | None:
        if self.vocab is None:
            return None
        found = self.vocab.symbols.get(text)
        if found is None and _plain(text) in self.losses:
            return self.losses[_plain(text)]
        return found

    def _formula(self, text: str) -> tuple[Expr, tuple[str, ...]] | None:
        """F written as a formula. With one free index (∂(log p_k)/∂z_i, ∂(e^{z_i}/Σ_k e^{z_k})/∂z_j)
        it stands for the vector of its entries: a symbol whose values are the formula's."""
        if self.vocab is None:
            return None
        try:
            expr = parse_answer(_with_otherwise(text), "latex", self.vocab).expr
        except (AnswerError, RecursionError, ValueError):
            return None
        free = free_indices(expr)
        if not free:
            return expr, ()
        if len(free) != 1:
            return None
        try:
            (rows, _), _ = index_shape(expr)
        except ShapeError:
            return None
        sym = Sym("f:" + hashlib.sha1(repr(expr).encode()).hexdigest()[:12], rows, 1, to_latex(expr))
        FORMULAS[sym] = expr
        return sym, (free[0],)


_BARE_BRANCH = re.compile(r"&\s*(?=\\\\|\\end\{cases\})")
r"""A cases branch whose condition is empty: its ``\text{otherwise}`` was dropped with the text."""


def _with_otherwise(text: str) -> str:
    r"""The text of a ∂-fraction's top with a cases block's last condition spelled out again (the
    canonical spelling drops ``\text{...}``, which leaves ``\begin{cases} z & z > 0 \\ 0 & \end{cases}``)."""
    return _BARE_BRANCH.sub(r"& \\text{otherwise} ", text) if r"\begin{cases}" in text else text


FORMULAS: dict[Sym, Expr] = {}
"""Symbols that stand for an indexed formula differentiated in a step (its values, by index)."""


_MORE_INDEX_LETTERS = "pqrstuv"


@cache
def derivation_vocabulary(question_id: str) -> Vocabulary:
    """The question's vocabulary, with the network's quantities, losses and every ∂-fraction."""
    q = get_question(question_id)
    model = model_of(question_id)
    losses: dict[Sym, list[str]] = {}
    for name, sym in model.losses.items():
        if name in LOSS_SPELLINGS or name not in LOSS_NAMES:  # E is Euler's number, l a layer
            losses.setdefault(sym, []).append(name)
    extra = [*model.spellings, *((sym, tuple(names)) for sym, names in losses.items())]
    extra += [
        (sym, tuple("w" + name[1:] for name in names if name.startswith("W")))
        for sym, names in q.symbols + q.extra
    ]  # w^{(l)}: the lowercase weights of many books
    merged = dataclasses.replace(q, extra=q.extra + tuple(_spellable(q.symbols + q.extra, extra)))
    vocab = vocabulary_for(merged)
    names = DerivativeNames(vocab.named, model)
    # homework sums over the letters of its book too (seed 003: w_{ti}, δ_t, Σ_t), where they name nothing
    letters = vocab.index_letters | {c for c in _MORE_INDEX_LETTERS if c not in vocab.bases}
    full = dataclasses.replace(vocab, named=names, index_letters=frozenset(letters))
    names.vocab = full
    return full


def _spellable(
    declared: Iterable[tuple[Sym, tuple[str, ...]]], entries: list[tuple[Sym, tuple[str, ...]]]
) -> Iterator[tuple[Sym, tuple[str, ...]]]:
    """Entries with only the spellings the LaTeX reader can canonicalise and that name nothing
    else (``L'`` reads as ``L``: it cannot name the regularised cost as a symbol)."""
    from checker.grading.readers.latex_reader import spelling_key

    taken: dict[str, Sym] = {}
    for sym, names in declared:
        for name in (sym.tex, *names):
            with contextlib.suppress(ValueError, AnswerError):
                taken.setdefault(spelling_key(name), sym)
    for sym, names in entries:
        good = []
        for name in names:
            try:
                key = spelling_key(name)
            except (ValueError, AnswerError):
                continue
            if taken.setdefault(key, sym) != sym:
                continue
            good.append(name)
        if good:
            yield sym, tuple(good)
