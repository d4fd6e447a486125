"""The reader's base: where a node is in the answer, error messages naming it, canonical text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lark import Token

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.options import ReadOptions
from checker.grading.readers.syntax import (
    ACCENTS,
    RELATIONS,
    SINGLE_CHARS,
    UCHAR_CMD,
    Node,
    is_tree,
    item_view,
    name_key,
    word_of,
)
from derivations.expr import (
    ShapeCache,
)

if TYPE_CHECKING:
    from checker.grading.readers.vocabulary import Vocabulary


class ReaderCore:
    """What every part of the reader shares: the vocabulary, the source text (for positions in
    messages), the mode (``"latex"`` or ``"text"``) and the remembered shapes of built trees."""

    def __init__(
        self,
        vocab: Vocabulary | None,
        source: str,
        offset: int = 0,
        mode: str = "latex",
        options: ReadOptions | None = None,
    ) -> None:
        self.vocab = vocab
        self.options = options if options is not None else ReadOptions()
        self.source = source
        self.offset = offset
        self.mode = mode
        self.shape = ShapeCache()
        self.chain = 0  # functions applied in a row without brackets (\tanh \tanh z)
        self.cell_letters: dict[str, str] = {}  # in a matrix written out: its row and column numbers

    # ---- positions and errors

    @staticmethod
    def span(node: Node) -> tuple[int, int] | None:
        """(start, end) of a node in the source, closing brackets included."""
        if isinstance(node, Token):
            if node.start_pos is None:
                return None
            end = node.end_pos if node.end_pos is not None else node.start_pos + len(node.value)
            return node.start_pos, end
        meta = getattr(node, "_meta", None)
        if meta is not None and not meta.empty:
            return meta.start_pos, meta.end_pos
        if not node.children:
            return None
        first, last = ReaderCore.span(node.children[0]), ReaderCore.span(node.children[-1])
        if first is None or last is None:
            return first or last
        return first[0], last[1]

    def where(self, node: Node) -> int:
        found = self.span(node)
        return found[0] if found is not None else 0

    def spelled(self, node: Node) -> str:
        """The node as the student wrote it: a decoration before it (``\\mathbf``) included, the
        braces of a fraction's part (``\\frac{1}{m}``) left out."""
        found = self.span(node)
        if found is None:
            return self.canon(node)
        start, end = found
        decoration = re.search(
            r"\\(?:mathbf|boldsymbol|bm|vec|pmb|mathit|mathsf|mathrm)\s*$", self.source[:start]
        )
        if decoration and self.source[start : start + 1] == "{":
            start = decoration.start()
        text = self.source[start:end]
        if text.startswith("{") and text.endswith("}") and _balanced(text[1:-1]):
            text = text[1:-1].strip()
        return text

    def error(self, node: Node | None, message: str) -> AnswerError:
        if node is None:
            return AnswerError(message)
        pos = self.where(node)
        return AnswerError(
            f"{message} (at character {pos + self.offset + 1}: {limits.near(self.source, pos)})",
            pos + self.offset,
            self.spelled(node),
        )

    def unknown(self, node: Node, what: str = "symbol") -> AnswerError:
        spelled = self.spelled(node)
        message = f"unknown {what} `{spelled}`"
        if self.vocab is not None:
            message += "; " + self.vocab.describe(self.mode)
        word = item_view(node)[0]
        word = word.value if isinstance(word, Token) else ""
        if (
            self.mode == "text"
            and self.vocab is not None
            and re.fullmatch(r"[A-Za-z]{2,}", word)
            and all(self.vocab.lookup(c) is not None for c in word)
        ):
            message += f"; in plain text names are whole words: did you mean `{' '.join(word)}`?"
        return self.error(node, message)

    # ---- canonical text (keys of names and named quantities)

    def canon(self, node: Node) -> str:  # noqa: C901 - one case per node kind
        """A canonical spelling of a piece of parse tree (spacing, braces and styles removed)."""
        if isinstance(node, Token):
            t, v = node.type, node.value
            if t == "IDENT":
                ref = self.ident_ref(node, [])
                return name_key(ref.base, ref.sub, None)
            if t in SINGLE_CHARS or t in ("NAME", "NUMBER"):
                return v
            if t == "UCHAR":
                return UCHAR_CMD.get(v, r"\hat{y}" if v == "ŷ" else v)
            if t == "CMD":
                return "l" if v == r"\ell" else v
            if t == "WORDCMD":
                return word_of(node)
            if t == "MINUS":
                return "-"
            if t in ("RELOP", "EQ"):
                return RELATIONS.get(v, v)
            if t == "ONES":
                return r"\mathbf{1}"
            if t == "SEQOP":
                return "/" if v == "/" else r"\cdot"
            return v
        d, ch = node.data, node.children
        if d == "item":
            return "".join(self.canon(c) for c in ch)
        if d in ("sup", "power"):
            return "^{" + self.script_text(ch[0]) + "}"
        if d == "sub":
            return "_{" + self.script_text(ch[0]) + "}"
        if d in ("prime", "primes"):
            return "'" * max(1, len(ch))
        if d == "tsup":
            return r"^{\top}"
        if d == "factorial":
            return "!"
        if d == "brace":
            return "".join(self.canon(c) for c in ch)
        if d == "paren":
            return "(" + "".join(self.canon(c) for c in ch) + ")"
        if d == "bracket":
            return "[" + "".join(self.canon(c) for c in ch) + "]"
        if d == "norm":  # every spelling of the bars gives one key
            return r"\lVert " + self.canon(ch[1]) + r" \rVert"
        if d == "absval":
            return r"\lvert " + self.canon(ch[1]) + r" \rvert"
        if d == "setgroup":
            return r"\{" + self.canon(ch[1]) + r"\}"
        if d == "seq":
            return _joined(self.canon(c) for c in ch)
        if d == "arglist":
            return ",".join(self.canon(c) for c in ch)
        if d == "frac":
            return r"\frac{" + self.canon(ch[1]) + "}{" + self.canon(ch[2]) + "}"
        if d == "accent":
            return "\\" + ACCENTS.get(ch[0].value[1:], "hat") + "{" + self.canon(ch[1]) + "}"
        return _joined(self.canon(c) for c in ch)

    def script_text(self, sarg: Node) -> str:
        """Canonical text of a sub- or superscript, outer braces and parentheses removed."""
        node = sarg
        while is_tree(node, "brace") and len(node.children) == 1:
            node = node.children[0]
        if is_tree(node, "paren", "bracket"):  # W^{(l)}, and Andrew Ng's W^{[l]}
            node = node.children[0]
        return self.canon(node)


def _joined(pieces: Iterable[str]) -> str:
    r"""Canonical pieces run together, with a space where a command would swallow the letter after
    it (``\odot`` then ``Z_{2}`` is ``\odot Z_{2}``, not the unknown command ``\odotZ``)."""
    out = ""
    for piece in pieces:
        if out and re.search(r"\\[A-Za-z]+$", out) and re.match(r"[A-Za-z]", piece):
            out += " "
        out += piece
    return out


def _balanced(text: str) -> bool:
    """Whether the braces of ``text`` pair up (so ``{m}`` can lose its outer pair, ``{a}{b}`` not)."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0
