r"""Reading LaTeX answers into the expression tree.

``latex.lark`` turns the answer into a generic parse tree (names with scripts, groups, products
of items); :class:`Reader` then decides what each piece means against the question's
:class:`~checker.grading.vocabulary.Vocabulary`. The plain-text reader builds the same kind of
parse tree with its own grammar and uses the same :class:`Reader`.

How the pieces are decided:

- **Names.** A name is a letter, a Greek command, ``\hat{y}`` or a word in ``\mathrm{..}``;
  decorations (``\mathbf``, ``\boldsymbol``, ``\bm``, ``\vec``, braces) are seen through. Its first
  subscript and first superscript are looked up together in the vocabulary
  (``W^{(l+1)}``, ``W^{l+1}`` and ``\mathbf{W}^{(l+1)}`` are one key, ``W^{l+1}``).
- **Superscripts.** Trailing ``T``, ``\top``, ``\intercal``, ``\mathsf{T}`` are transposes, also
  fused with a layer (``W^{(l+1)T}``); ``\prime`` and ``'`` are derivatives of functions. What
  remains is a layer when the name with that layer is declared; otherwise, if it is not in
  parentheses, an exponent (``a^2``); ``e^{...}`` is Euler's number, read as ``\exp``.
- **Subscripts.** A declared spelling first (``\delta_3``, ``W_2`` in the row convention); else
  one or two index letters (``a^{(L)}_i``, ``W_{ji}``) give an :class:`Entry`; ``\delta_{ij}`` is
  Kronecker's delta when no matrix δ is declared.
- **Products.** Juxtaposition, ``\cdot`` and ``/`` bind tighter than ``\odot``, ``\circ``, ``*``
  and ``\times``, which bind tighter than ``+`` and ``-``. ``*`` and ``\times`` are elementwise
  when both sides have the same non-scalar shape, else an ordinary product.
- **Functions** take the group that follows (``\sigma'(z)``) or, without parentheses, the next
  item (``\tanh z``, ``\log p_k``); ``\tanh^2 z`` is ``(\tanh z)^2``.
- **Ones.** ``\mathbf{1}_m`` has its length written; a bare ``\mathbf{1}`` takes it from its
  neighbour in a product (``\mathbf{1}^T \delta_3``: the rows of δ₃; ``\Delta \mathbf{1}``: the
  columns of Δ); in a sum or an elementwise product it is the number 1, which broadcasts.
- ``\sum_k`` (bounds optional, ignored: an index runs over the dimension it indexes) takes the
  rest of the product as its body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from checker.grading import limits
from checker.grading.limits import AnswerError
from derivations.expr import (
    ELEMENTWISE,
    SCALAR,
    Add,
    Cond,
    Diag,
    Div,
    Entry,
    Expr,
    Fn,
    Hadamard,
    IndexSum,
    Indicator,
    KDelta,
    Max,
    Mul,
    Neg,
    Num,
    Ones,
    Piecewise,
    Pow,
    Shape,
    ShapeError,
    Softmax,
    Sym,
    T,
    shape_of,
)

if TYPE_CHECKING:
    from checker.grading.vocabulary import Vocabulary

Node = Tree | Token

_LOWER = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
    "phi chi psi omega"
)
_UPPER = "Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
GREEK = frozenset(_LOWER.split() + _UPPER.split() + ["varepsilon", "vartheta", "varphi", "Upsilon"])
# Unicode letters and symbols read as the LaTeX command they print as.
UCHAR_CMD = {
    **{c: "\\" + name for c, name in zip("αβγδεζηθικλμνξπρστυφχψω", _LOWER.split(), strict=True)},
    **{c: "\\" + name for c, name in zip("ΓΔΘΛΞΠΣΦΨΩ", _UPPER.split(), strict=True)},
    "∑": r"\sum", "∂": r"\partial", "∇": r"\nabla", "⊤": r"\top",
}
# Plain-text spellings of names (the text reader): delta -> \delta.
TEXT_NAMES = {g: "\\" + g for g in GREEK if g not in ("sigma",)} | {"lam": r"\lambda", "eps": r"\epsilon"}

# Functions every question allows, by spelling (lower case, without _ and -).
STANDARD_FUNCTIONS = {
    "sigma": "sigma", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "exp": "exp",
    "log": "log", "ln": "log", "sign": "sign", "sgn": "sign", "sech": "sech", "sqrt": "sqrt",
    "abs": "abs", "max": "max", "maximum": "max", "softmax": "softmax", "diag": "diag",
    "where": "where",
}
STRUCTURAL = {"max": 2, "softmax": 1, "diag": 1, "where": 3}
_ACCENTS = {
    "hat": "hat", "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "bar": "bar", "overline": "bar",
}
_TRANSPOSE_CMDS = {r"\top", r"\intercal", r"\transpose", "⊤"}
_OPS = {
    ">": ">", r"\gt": ">", "<": "<", r"\lt": "<", "=": "==", "==": "==",
    ">=": ">=", r"\geq": ">=", r"\ge": ">=", r"\geqslant": ">=", "≥": ">=",
    "<=": "<=", r"\leq": "<=", r"\le": "<=", r"\leqslant": "<=", "≤": "<=",
    "!=": "!=", r"\neq": "!=", r"\ne": "!=", "≠": "!=",
}
_ELEMENTWISE_OPS = {r"\odot", r"\circ", "⊙", "∘", ".*", "o"}
_SINGLE_CHARS = ("SCHAR", "ACHAR", "FNUM", "FDEN")
_GROUPS = ("paren", "bracket", "brace", "setgroup")
_EXPLAIN = {
    "RPAR": "`)`",
    "LPAR": "`(`",
    "RBRACE": "`}`",
    "LBRACE": "`{`",
    "RSQB": "`]`",
    "LSQB": "`[`",
    "RSET": r"`\}`",
    "COMMA": "`,`",
    "CIRCUMFLEX": "`^`",
    "UNDERSCORE": "`_`",
    "EQ": "`=`",
    "END_CASES": r"`\end{cases}`",
    "AMPERSAND": "`&`",
    "ROWSEP": r"`\\`",
    "RELOP": "a comparison",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "HOP": "an operator",
    "SEQOP": "an operator",
    "$END": "the end",
}


# ----------------------------------------------------------------------------- the parse step


@cache
def latex_parser() -> Lark:
    """The LALR parser of ``latex.lark`` (built once)."""
    return Lark.open(str(Path(__file__).with_name("latex.lark")), parser="lalr", propagate_positions=True)


_WRAPPERS = (
    (r"\$\$(.*)\$\$", re.S),
    (r"\$(.*)\$", re.S),
    (r"\\\[(.*)\\\]", re.S),
    (r"\\\((.*)\\\)", re.S),
    (
        r"\\begin\{(?:equation|align|displaymath|math)\*?\}(.*)\\end\{(?:equation|align|displaymath|math)\*?\}",
        re.S,
    ),
)


def strip_wrappers(text: str) -> tuple[str, int]:
    r"""Remove ``$``, ``$$``, ``\[ \]``, ``\( \)`` and trailing punctuation; return (text, offset)."""
    offset = len(text) - len(text.lstrip())
    body = text.strip()
    for pattern, flags in _WRAPPERS:
        m = re.fullmatch(pattern, body, flags)
        if m:
            offset += m.start(1)
            inner = m.group(1)
            offset += len(inner) - len(inner.lstrip())
            body = inner.strip()
            break
    body = re.sub(r"(?:\s|\\[,;!: ]|\\quad|[.,;])+$", "", body)
    return body, offset


def parse_tree(parser: Lark, text: str, offset: int = 0, fmt: str = "LaTeX") -> Tree:
    """Parse ``text`` with ``parser``; syntax errors become :class:`AnswerError` naming the spot."""
    try:
        tree = parser.parse(text)
    except UnexpectedInput as e:
        raise syntax_error(e, text, offset, fmt) from None
    except LarkError as e:  # pragma: no cover - lark's other errors are grammar errors
        raise AnswerError(f"the {fmt} answer could not be read: {e}") from None
    if tree_depth(tree) > limits.MAX_PARSE_DEPTH:
        raise AnswerError(f"the answer is nested too deeply; at most {limits.MAX_NESTING} levels are read")
    return tree


def syntax_error(e: UnexpectedInput, text: str, offset: int, fmt: str) -> AnswerError:
    """A readable message for a lark error: where, which token, what was expected."""
    pos = getattr(e, "pos_in_stream", None)
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        pos = e.token.start_pos
        what = f"unexpected `{e.token.value}`"
        expected = e.expected
    elif isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        pos = len(text)
        what = "the answer ends too early"
        expected = getattr(e, "expected", set()) or set()
    elif isinstance(e, UnexpectedCharacters):
        what = (
            f"unexpected character `{text[pos]}`"
            if pos is not None and pos < len(text)
            else "unexpected input"
        )
        expected = e.allowed or set()
    else:  # pragma: no cover
        what, expected = "unreadable input", set()
    pos = len(text) if pos is None else pos
    names = sorted({_EXPLAIN.get(t, "") for t in expected} - {""})
    hint = ""
    if names and len(expected) <= 6:
        hint = "; expected " + " or ".join(names)
    elif names and "`)`" in names and what.startswith("the answer ends"):
        hint = "; a bracket is not closed"
    if fmt == "LaTeX" and what.startswith("unexpected character"):
        hint += "; this character is not part of the LaTeX that is read"
    return AnswerError(
        f"{what} at character {pos + offset + 1} of the {fmt} answer: {limits.near(text, pos)}{hint}",
        pos + offset,
        getattr(getattr(e, "token", None), "value", None),
    )


def tree_depth(tree: Tree) -> int:
    """Depth of a lark tree, computed without recursion."""
    best, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        if isinstance(node, Tree):
            stack.extend((c, d + 1) for c in node.children)
    return best


def read_latex(text: str, vocab: Vocabulary) -> Expr:
    """Read a LaTeX answer; raises :class:`AnswerError` when it cannot be read."""
    limits.check_length(text)
    limits.check_forbidden(text)
    body, offset = strip_wrappers(text)
    if not body:
        raise AnswerError("the answer is empty")
    limits.check_nesting(body, offset)
    m = re.search(r"\\begin\s*\{\s*([A-Za-z*]+)\s*\}", body)
    if m and "cases" not in m.group(1):
        raise AnswerError(
            f"\\begin{{{m.group(1)}}} at character {m.start() + offset + 1} is not read: only "
            r"\begin{cases} ... \end{cases} is; give a single formula",
            m.start() + offset,
        )
    tree = parse_tree(latex_parser(), body, offset, "LaTeX")
    expr = Reader(vocab, body, offset, "latex").answer(tree)
    limits.check_depth(expr)
    return expr


# ----------------------------------------------------------------------------- small helpers


@dataclass(frozen=True)
class _Ones:
    """A 𝟏 whose length is decided by its neighbours in a product (never left in a tree)."""

    transposed: bool = False


@dataclass
class NameRef:
    """A name as written: base (``\\delta``, ``W``, ``\\hat{y}``), a subscript already split off a
    plain-text identifier, the scripts that follow, and the node (for positions)."""

    base: str
    sub: str | None
    scripts: list[Tree]
    node: Node


@dataclass
class SupInfo:
    """A superscript split into a layer-or-exponent part and trailing transposes and primes."""

    layer: Node | None = None
    paren: bool = False
    transposes: int = 0
    primes: int = 0


@dataclass
class FnHead:
    """A function name with its derivative order and an optional power (``\\tanh^2``)."""

    name: str
    d: int
    power: Node | None
    node: Node


def name_key(base: str, sub: str | None, sup: str | None) -> str:
    """The canonical key of a name: ``W^{l+1}``, ``\\delta_{3}``, ``a^{L}``."""
    key = base
    if sub:
        key += "_{" + sub + "}"
    if sup:
        key += "^{" + sup + "}"
    return key


def _tok(node: Node, *types: str) -> bool:
    return isinstance(node, Token) and (not types or node.type in types)


def _tree(node: Node, *names: str) -> bool:
    return isinstance(node, Tree) and (not names or node.data in names)


def _leaf(token: Token) -> Token:
    """Normalise one-character and Unicode tokens to the ordinary kinds."""
    if token.type in _SINGLE_CHARS:
        return Token.new_borrow_pos("NUMBER" if token.value.isdigit() else "NAME", token.value, token)
    if token.type == "UCHAR" and token.value in UCHAR_CMD:
        return Token.new_borrow_pos("CMD", UCHAR_CMD[token.value], token)
    return token


def _view(node: Node) -> tuple[Node, list[Tree]]:
    """(atom, scripts) of an item; a bare atom has no scripts."""
    if _tree(node, "item"):
        atom, scripts = node.children[0], list(node.children[1:])
    else:
        atom, scripts = node, []
    if isinstance(atom, Token):
        atom = _leaf(atom)
    return atom, scripts


def _group_body(node: Tree) -> Node | None:
    if node.data == "setgroup":
        return node.children[1]
    return node.children[0] if node.children else None


def word_of(token: Token) -> str:
    r"""The word inside ``\operatorname{..}``, ``\mathrm{..}``, ``\text{..}``."""
    return token.value[token.value.index("{") + 1 : -1].strip()


def _norm_word(word: str) -> str:
    return re.sub(r"[_\-\s]", "", word).lower()


def _norm_dim(text: str) -> str:
    return re.sub(r"[\s{}()]", "", str(text))


class Shapes:
    """Shapes of the trees a reader builds, remembered per node.

    A reader asks for the shape of the growing left operand at every ``*`` of a long chain;
    combining remembered shapes of the children keeps that linear. A shape that does not
    fit is ``None`` (the judge reports it later, with its message).
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Expr, Shape | None]] = {}

    def __call__(self, e: Expr) -> Shape | None:
        hit = self._memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        shape = self._compute(e)
        self._memo[id(e)] = (e, shape)  # the node is kept alive, so its id is not reused
        return shape

    def _elementwise(self, a: Shape | None, b: Shape | None) -> Shape | None:
        if a is None or b is None:
            return None
        if a == b or b == SCALAR:
            return a
        return b if a == SCALAR else None

    def _compute(self, e: Expr) -> Shape | None:  # noqa: C901 - one case per node kind
        match e:
            case Sym():
                return e.shape
            case Num() | Entry() | IndexSum() | KDelta():
                return SCALAR
            case Neg(a) | Fn(_, a) | Softmax(a) | Pow(a, _):
                return self(a)
            case T(a):
                s = self(a)
                return None if s is None else (s[1], s[0])
            case Ones(n):
                return (n, 1)
            case Mul(a, b):
                sa, sb = self(a), self(b)
                if sa is None or sb is None:
                    return None
                if sa == SCALAR or sb == SCALAR:
                    return sb if sa == SCALAR else sa
                return (sa[0], sb[1]) if sa[1] == sb[0] else None
            case Hadamard(a, b) | Div(a, b) | Max(a, b):
                return self._elementwise(self(a), self(b))
            case Add(terms):
                result: Shape | None = SCALAR
                for t in terms:
                    result = self._elementwise(result, self(t))
                return result
            case Diag(a):
                s = self(a)
                return (s[0], s[0]) if s is not None and s[1] == 1 else None
        try:
            return shape_of(e)
        except (ShapeError, TypeError):
            return None


# ----------------------------------------------------------------------------- the reader


class Reader:
    """Turns a parse tree (LaTeX or plain text) into a :class:`derivations.expr.Expr`.

    ``mode`` is ``"latex"`` or ``"text"``; the two differ only in how identifiers are spelled
    (``\\delta`` and single letters, or ``delta`` and whole words), what a prime on a symbol
    means (nothing, or a transpose) and whether a parenthesised superscript can be a power.
    """

    def __init__(self, vocab: Vocabulary | None, source: str, offset: int = 0, mode: str = "latex") -> None:
        self.vocab = vocab
        self.source = source
        self.offset = offset
        self.mode = mode
        self.shape = Shapes()
        self.chain = 0  # functions applied in a row without brackets (\tanh \tanh z)

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
        first, last = Reader.span(node.children[0]), Reader.span(node.children[-1])
        if first is None or last is None:
            return first or last
        return first[0], last[1]

    def where(self, node: Node) -> int:
        found = self.span(node)
        return found[0] if found is not None else 0

    def spelled(self, node: Node) -> str:
        found = self.span(node)
        if found is None:
            return self.canon(node)
        return self.source[found[0] : found[1]]

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
        word = _view(node)[0]
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
            if t in _SINGLE_CHARS or t in ("NAME", "NUMBER"):
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
                return _OPS.get(v, v)
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
        if d == "brace":
            return "".join(self.canon(c) for c in ch)
        if d == "paren":
            return "(" + "".join(self.canon(c) for c in ch) + ")"
        if d == "bracket":
            return "[" + "".join(self.canon(c) for c in ch) + "]"
        if d == "setgroup":
            return r"\{" + self.canon(ch[1]) + r"\}"
        if d == "seq":
            out = ""
            for c in ch:
                piece = self.canon(c)
                if out and re.search(r"\\[A-Za-z]+$", out) and re.match(r"[A-Za-z]", piece):
                    out += " "
                out += piece
            return out
        if d == "arglist":
            return ",".join(self.canon(c) for c in ch)
        if d == "frac":
            return r"\frac{" + self.canon(ch[1]) + "}{" + self.canon(ch[2]) + "}"
        if d == "accent":
            return "\\" + _ACCENTS.get(ch[0].value[1:], "hat") + "{" + self.canon(ch[1]) + "}"
        return "".join(self.canon(c) for c in ch)

    def script_text(self, sarg: Node) -> str:
        """Canonical text of a sub- or superscript, outer braces and parentheses removed."""
        node = sarg
        while _tree(node, "brace") and len(node.children) == 1:
            node = node.children[0]
        if _tree(node, "paren"):
            node = node.children[0]
        return self.canon(node)

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
        atom, scripts = _view(node)
        while (
            _tree(atom, "brace")
            and len(atom.children) == 1
            and (isinstance(atom.children[0], Token) or _tree(atom.children[0], "item", "accent", "brace"))
        ):
            inner, inner_scripts = _view(atom.children[0])
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
        if _tree(atom, "accent"):
            inner = self.name_ref(atom.children[1])
            if inner is None or inner.sub is not None:
                return None
            accent = _ACCENTS.get(atom.children[0].value[1:], "hat")
            return NameRef("\\" + accent + "{" + inner.base + "}", None, inner.scripts + scripts, node)
        return None

    def is_transpose(self, node: Node) -> bool:
        if isinstance(node, Token):
            node = _leaf(node)
            if node.type in ("NAME", "IDENT") and node.value == "T":
                return True
            if node.type == "CMD" and node.value in _TRANSPOSE_CMDS:
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
        if _tree(node, "primes"):
            return SupInfo(primes=len(node.children))
        while _tree(node, "brace"):
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
        if _tree(node, "seq"):
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
        if _tree(node, "item"):
            atom, scripts = node.children[0], list(node.children[1:])
            if (
                scripts
                and scripts[-1].data == "sup"
                and self.is_transpose(self._unbrace(scripts[-1].children[0]))
            ):
                info.transposes += 1
                scripts = scripts[:-1]
                node = Tree("item", [atom, *scripts]) if scripts else atom
        info.layer = node
        info.paren = _tree(node, "paren")
        return info

    @staticmethod
    def _unbrace(node: Node) -> Node:
        while _tree(node, "brace") and len(node.children) == 1:
            node = node.children[0]
        return node

    def index_letters(self, sub: str | None) -> tuple[str, ...] | None:
        if sub is None or self.vocab is None:
            return None
        letters = re.sub(r"[\s,{}]", "", sub)
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
        if core is None and layer == "t":
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
        if core is None:
            raise self.unknown(ref.node)
        return self.apply_scripts(core, rest)

    # ---- scripts on values

    def power(self, base: Expr, exponent_node: Node) -> Expr:
        exponent = self.value(exponent_node)
        limits.check_exponent(exponent, self.where(exponent_node) + self.offset)
        return Pow(base, exponent)

    def apply_scripts(self, value: Expr | _Ones, scripts: list[Tree]) -> Expr | _Ones:
        """Postfix scripts on a value: transposes, powers, index subscripts."""
        for s in scripts:
            if isinstance(value, _Ones) and (
                s.data in ("tsup",) or (s.data == "prime" and self.mode == "text")
            ):
                value = _Ones(not value.transposed)
                continue
            if s.data == "sup":
                info = self.split_sup(s.children[0])
                if isinstance(value, _Ones) and info.layer is None and not info.primes:
                    value = _Ones(value.transposed ^ bool(info.transposes % 2))
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
            elif s.data == "prime":
                if self.mode != "text":
                    raise self.error(
                        s, "a prime after an expression is not read; write \\sigma'(z) for a derivative"
                    )
                value = self.transpose(self.as_value(value))
            elif s.data == "tsup":
                value = self.transpose(self.as_value(value))
        return value

    # ---- expressions

    def answer(self, tree: Tree) -> Expr:
        """The right-hand side of the answer (left-hand sides ``x =`` are dropped)."""
        children = [c for c in tree.children if not _tree(c, "lhs")]
        return self.value(children[-1])

    @staticmethod
    def as_value(v: Expr | _Ones) -> Expr:
        return Num(Fraction(1)) if isinstance(v, _Ones) else v

    def value(self, node: Node) -> Expr:
        return self.as_value(self.node(node))

    def node(self, node: Node) -> Expr | _Ones:  # noqa: C901 - one case per rule
        if isinstance(node, Token):
            return self.seq([node])
        d = node.data
        if d == "sum":
            terms: list[Expr] = [self.value(node.children[0])]
            for op, term in zip(node.children[1::2], node.children[2::2], strict=True):
                v = self.value(term)
                terms.append(self.neg(v) if op.type == "MINUS" else v)
            return Add(tuple(terms))
        if d == "hterm":
            acc = self.value(node.children[0])
            for op, rhs in zip(node.children[1::2], node.children[2::2], strict=True):
                r = self.value(rhs)
                acc = Hadamard(acc, r) if op.value in _ELEMENTWISE_OPS else self.star(acc, r)
            return acc
        if d == "signed":
            v = self.value(node.children[-1])
            minus = sum(1 for c in node.children[:-1] if _tok(c, "MINUS"))
            return self.neg(v) if minus % 2 else v
        if d == "seq":
            return self.seq(node.children)
        if d in ("cond", "arglist"):
            return self.group_value(Tree("paren", [node]))
        return self.seq([node])

    @staticmethod
    def neg(v: Expr) -> Expr:
        if isinstance(v, Num):
            return Num(-v.value)
        return Neg(v)

    def star(self, a: Expr, b: Expr) -> Expr:
        """``*`` and ``\\times``: elementwise for two operands of one non-scalar shape, else a product."""
        sa, sb = self.shape(a), self.shape(b)
        if sa is not None and sa == sb and sa != SCALAR:
            return Hadamard(a, b)
        return Mul(a, b)

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
            atom, scripts = _view(c)
            before_group = k + 1 < len(children) and self.is_group(children[k + 1])
            letters_declared = _tok(atom, "NAME") and all(self.lookup(ch) is not None for ch in atom.value)
            if before_group and _tok(atom, "NAME") and not letters_declared:
                out.append(c)  # gelu(z): an unknown function, reported as one
                continue
            if _tok(atom, "NAME") and len(atom.value) > 1 and not self.is_word(atom.value):
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
        if self.function_word(word) is not None or _norm_word(word) in ("sum", "ones"):
            return True
        return self.vocab is not None and word in self.vocab.bases

    def seq(self, children: list[Node]) -> Expr | _Ones:
        """A product of items: functions take their argument, sums their body, then a left fold."""
        items = self.expand(children)
        factors: list[tuple[str, Expr | _Ones, Node]] = []
        op = "juxt"
        i = 0
        while i < len(items):
            node = items[i]
            if _tok(node, "SEQOP", "AT"):
                op = "div" if node.value == "/" else "dot"
                i += 1
                continue
            value, nxt = self.factor(items, i)
            factors.append((op, value, node))
            op = "juxt"
            i = nxt
        return self.fold(factors)

    def factor(self, items: list[Node], i: int) -> tuple[Expr | _Ones, int]:  # noqa: C901
        """The value starting at ``items[i]`` and the index after what it consumed."""
        node = items[i]
        atom, scripts = _view(node)
        nxt = items[i + 1] if i + 1 < len(items) else None
        if _tok(atom, "CMD") and atom.value == r"\partial":
            return self.partial_quotient(items, i)
        if _tok(atom, "CMD") and atom.value == r"\nabla":
            return self.nabla(items, i, scripts)
        if _tree(atom, "frac") and self.partial_of(atom.children[1]) == "":
            return self.partial_operator(items, i, atom, scripts)
        if self.mode == "text" and _tok(atom, "IDENT") and not scripts:
            found = self.d_quotient(items, i)
            if found is not None:
                return found, i + 3
        index = self.sum_head(atom, scripts)
        if index is not None:
            body = items[i + 1 :]
            if not body or _tok(body[0], "SEQOP", "AT"):
                raise self.error(node, "a sum needs a body after its index, as in \\sum_k y_k \\log p_k")
            return IndexSum(index, self.value(Tree("seq", body))), len(items)
        head = self.function_head(atom, scripts)
        if head is not None:
            if nxt is None or _tok(nxt, "SEQOP", "AT"):
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
        one = self.is_ones(atom) or (_tok(atom, "NUMBER") and atom.value == "1" and not scripts)
        if one and nxt is not None and self.is_condition_group(nxt):  # 𝟙[z > 0], 1[z > 0]
            n_atom, n_scripts = _view(nxt)
            return self.apply_scripts(self.group_value(n_atom), n_scripts), i + 2
        return self.item(node), i + 1

    def is_group(self, node: Node) -> bool:
        return _tree(_view(node)[0], "paren", "bracket", "setgroup")

    def looks_like_function(self, atom: Node) -> bool:
        """An undeclared command or word written before brackets, as a function is."""
        if _tok(atom, "CMD"):
            special = (r"\partial", r"\nabla", r"\sum", r"\ell")
            return atom.value[1:] not in GREEK and atom.value not in special
        if _tok(atom, "WORDCMD"):
            word = word_of(atom)
            return self.lookup(word) is None and (self.vocab is None or word not in self.vocab.bases)
        if _tok(atom, "NAME") and len(atom.value) > 1:
            return not self.is_word(atom.value)  # kept whole by expand(): not all its letters are names
        if _tok(atom, "IDENT") and self.mode == "text":
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

    def fold(self, factors: list[tuple[str, Expr | _Ones, Node]]) -> Expr | _Ones:
        if len(factors) == 1:
            return factors[0][1]
        values = [
            self.ones_in_product(factors, k) if isinstance(v, _Ones) else v
            for k, (_, v, _) in enumerate(factors)
        ]
        acc = values[0]
        for (op, _, node), v in zip(factors[1:], values[1:], strict=True):
            acc = self.divide(acc, v, node) if op == "div" else Mul(acc, v)
        return acc

    def ones_in_product(self, factors: list[tuple[str, Expr | _Ones, Node]], k: int) -> Expr:
        """𝟏 in a product: 𝟏ᵀX takes X's rows, X𝟏 takes X's columns."""
        ones = factors[k][1]
        assert isinstance(ones, _Ones)
        step = 1 if ones.transposed else -1
        j = k + step
        while 0 <= j < len(factors):
            op_between = factors[max(j, k)][0]
            neighbour = factors[j][1]
            if op_between == "div" or isinstance(neighbour, _Ones):
                break
            shape = self.shape(neighbour)
            if shape != SCALAR:
                n = 1 if shape is None else (shape[0] if ones.transposed else shape[1])
                return T(Ones(n)) if ones.transposed else Ones(n)
            j += step
        others = [f[1] for f in factors if not isinstance(f[1], _Ones)]
        if any(self.shape(v) != SCALAR for v in others):
            raise self.error(
                factors[k][2],
                r"cannot tell how long this \mathbf{1} is: write its length, as in \mathbf{1}_m, "
                r"or put it where a product fixes it (\mathbf{1}^T X, X \mathbf{1})",
            )
        return Num(Fraction(1))

    # ---- single items

    def item(self, node: Node) -> Expr | _Ones:  # noqa: C901
        atom, scripts = _view(node)
        if _tree(atom, "brace") and self.name_ref(node) is not None:  # \mathbf{W}^{(l)}, {W^{(l)}}^T
            return self.name_value(self.name_ref(node))
        if isinstance(atom, Tree) and atom.data != "accent":
            return self.apply_scripts(self.group_value(atom), scripts)
        if _tok(atom, "IDENT") and self.vocab is not None and atom.value in self.vocab.code_names:
            return self.apply_scripts(self.vocab.code_names[atom.value], scripts)
        if self.is_ones(atom):
            return self.ones_item(atom, scripts)
        if _tok(atom, "NUMBER"):
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
        if _tok(atom, "CMD"):
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
        if _tok(atom, "WORDCMD"):
            raise self.unknown(atom, "word")
        if _tok(atom, "UCHAR"):
            raise self.unknown(atom)
        raise self.error(atom, f"`{self.spelled(atom)}` is not read here")

    def is_ones(self, atom: Node) -> bool:
        if _tok(atom, "ONES"):
            return True
        return (
            self.mode == "text"
            and _tok(atom, "IDENT")
            and atom.value == "ones"
            and (self.vocab is None or "ones" not in self.vocab.code_names)
        )

    def ones_item(self, atom: Node, scripts: list[Tree]) -> Expr | _Ones:
        r"""``\mathbf{1}``, ``\mathbf{1}_m``, ``\mathbf{1}^T``, ``\mathbb{1}_{z>0}``."""
        transposed, dim, rest = False, None, []
        for k, s in enumerate(scripts):
            child = self._unbrace(s.children[0]) if s.children else None
            if s.data == "sub" and _tree(child, "cond"):
                return self.apply_scripts(Indicator(self.condition(child)), scripts[k + 1 :])
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
        return self.apply_scripts(_Ones(transposed), rest)

    def dimension(self, sarg: Node) -> str | int:
        text = self.script_text(sarg)
        if text.isdigit():
            return int(text)
        dims = self.vocab.dims if self.vocab is not None else ()
        for dim in dims:
            if _norm_dim(dim) == _norm_dim(text):
                return dim
        raise self.error(
            sarg,
            f"unknown length `{text}` for \\mathbf{{1}}; this question's dimensions are: "
            + (", ".join(str(d) for d in dims) or "none"),
        )

    # ---- groups

    def is_condition_group(self, node: Node) -> bool:
        atom, _ = _view(node)
        return _tree(atom, *_GROUPS) and _tree(_group_body(atom), "cond")

    def group_value(self, atom: Tree) -> Expr | _Ones:  # noqa: C901
        d = atom.data
        if d in _GROUPS:
            body = _group_body(atom)
            if body is None:
                raise self.error(atom, "empty braces `{}` are not a value")
            if _tree(body, "cond"):
                cond = self.condition(body)
                return cond if isinstance(cond, KDelta) else Indicator(cond)
            if _tree(body, "arglist"):
                raise self.error(
                    atom, "a list `(a, b)` is read only as the arguments of a function, as in \\max(0, z)"
                )
            return self.node(body)
        if d == "frac":
            if self.partial_of(atom.children[1]) is not None:
                return self.named(atom, self.partial_key(atom.children[1], atom.children[2], atom))
            return self.divide(self.value(atom.children[1]), self.value(atom.children[2]), atom)
        if d == "sqrt":
            return Fn("sqrt", self.value(atom.children[1]))
        if d == "cases":
            return self.cases(atom)
        if d in ("sum", "hterm", "signed", "seq", "item"):
            return self.node(atom)
        raise self.error(atom, f"`{self.spelled(atom)}` is not read here")

    def condition(self, tree: Tree) -> Cond | KDelta:
        lhs, op, rhs = tree.children
        operator = _OPS.get(op.value, op.value)
        if operator == "==" and self.vocab is not None:
            a, b = (self.canon(x) for x in (lhs, rhs))
            letters = self.vocab.index_letters
            if a in letters and b in letters and self.lookup(a) is None and self.lookup(b) is None:
                return KDelta(a, b)
        return Cond(self.value(lhs), operator, self.value(rhs))

    def cases(self, tree: Tree) -> Expr:
        rows: list[tuple[Expr, Cond | None]] = []
        for row in tree.children:
            if not _tree(row, "crow"):
                continue
            value = self.value(row.children[0])
            cond: Cond | None = None
            for c in row.children[1:]:
                if _tree(c, "cond"):
                    found = self.condition(c)
                    if isinstance(found, KDelta):
                        raise self.error(c, "an index comparison is not read as a case condition")
                    cond = found
            rows.append((value, cond))
        return Piecewise(tuple(rows))

    # ---- derivatives named by the question

    def partial_of(self, node: Node) -> Node | str | None:
        r"""For ``\partial X`` the node X, for a lone ``\partial`` the empty string, else None."""
        body = self._unbrace(node)
        atom, _ = _view(body) if not _tree(body, "seq") else (body, [])
        if _tok(atom, "CMD") and atom.value == r"\partial" and not _tree(body, "item"):
            return ""
        if _tree(body, "seq"):
            first, _ = _view(body.children[0])
            if _tok(first, "CMD") and first.value == r"\partial" and not _tree(body.children[0], "item"):
                rest = body.children[1:]
                if not rest:
                    return ""
                return rest[0] if len(rest) == 1 else Tree("seq", rest)
        return self.upright_d(body)

    def upright_d(self, body: Node) -> Node | str | None:
        r"""``dJ``, ``d W^{(l)}``, ``\mathrm{d}J`` as ∂J, ∂W^{(l)} (when d is not a declared name)."""
        if self.lookup("d") is not None:
            return None
        parts = list(body.children) if _tree(body, "seq") else [body]
        atom, scripts = _view(parts[0])
        if _tok(atom, "WORDCMD") and word_of(atom) == "d" and not scripts:
            rest = parts[1:]
        elif _tok(atom, "NAME") and atom.value.startswith("d"):
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

    def quantity_key(self, node: Node) -> str:
        ref = self.name_ref(node)
        return self.key_of(ref) if ref is not None else self.canon(node)

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

    def partial_quotient(self, items: list[Node], i: int) -> tuple[Expr, int]:
        r"""``\partial L / \partial W`` written inline."""
        window = items[i : i + 5]
        if (
            len(window) == 5
            and _tok(window[2], "SEQOP")
            and window[2].value == "/"
            and _tok(_view(window[3])[0], "CMD")
            and _view(window[3])[0].value == r"\partial"
        ):
            key = self.derivative_key(self.quantity_key(window[1]), self.quantity_key(window[4]))
            return self.named(Tree("seq", window), key), i + 5
        raise self.error(items[i], r"`\partial` is read only in a derivative: \frac{\partial L}{\partial W}")

    def partial_operator(
        self, items: list[Node], i: int, frac: Tree, scripts: list[Tree]
    ) -> tuple[Expr, int]:
        r"""``\frac{\partial}{\partial W} L``."""
        if i + 1 >= len(items) or scripts:
            raise self.error(frac, r"write the derivative as \frac{\partial L}{\partial W}")
        bottom = self.partial_of(frac.children[2])
        if not isinstance(bottom, Tree | Token):
            raise self.error(frac, r"write the derivative as \frac{\partial L}{\partial W}")
        key = self.derivative_key(self.quantity_key(items[i + 1]), self.quantity_key(bottom))
        return self.named(Tree("seq", items[i : i + 2]), key), i + 2

    def nabla(self, items: list[Node], i: int, scripts: list[Tree]) -> tuple[Expr, int]:
        r"""``\nabla_W J``."""
        subs = [s for s in scripts if s.data == "sub"]
        if len(subs) != 1 or i + 1 >= len(items):
            raise self.error(items[i], r"a gradient is read as \nabla_W J or \frac{\partial J}{\partial W}")
        wrt = self._unbrace(subs[0].children[0])
        key = self.derivative_key(self.quantity_key(items[i + 1]), self.quantity_key(wrt))
        return self.named(Tree("seq", items[i : i + 2]), key), i + 2

    def d_quotient(self, items: list[Node], i: int) -> Expr | None:
        """Plain text ``dL/dW``: a derivative the question names."""
        if i + 2 >= len(items) or not (_tok(items[i + 1], "SEQOP") and items[i + 1].value == "/"):
            return None
        top = items[i]
        bottom_atom, bottom_scripts = _view(items[i + 2])
        if not (_tok(top, "IDENT") and _tok(bottom_atom, "IDENT")):
            return None
        if (
            not (top.value.startswith("d") and bottom_atom.value.startswith("d"))
            or min(len(top.value), len(bottom_atom.value)) < 2
        ):
            return None
        f = self.quantity_key(Token.new_borrow_pos("IDENT", top.value[1:], top))
        x_tok = Token.new_borrow_pos("IDENT", bottom_atom.value[1:], bottom_atom)
        x = self.quantity_key(Tree("item", [x_tok, *bottom_scripts]) if bottom_scripts else x_tok)
        return self.lookup(self.derivative_key(f, x))

    # ---- sums

    def sum_head(self, atom: Node, scripts: list[Tree]) -> str | None:
        r"""The index of ``\sum_k``/``sum_k`` (None if the item is not a sum)."""
        is_sum = (_tok(atom, "CMD") and atom.value == r"\sum") or (
            _tok(atom, "CMD") and atom.value == r"\Sigma" and self.lookup(r"\Sigma") is None and scripts
        )
        index_node: Node | None = None
        if (
            self.mode == "text"
            and _tok(atom, "IDENT")
            and (atom.value == "sum" or atom.value.startswith("sum_"))
        ):
            if self.vocab is not None and atom.value in self.vocab.code_names:
                return None
            is_sum = True
            if atom.value.startswith("sum_"):
                index_node = Token.new_borrow_pos("IDENT", atom.value[4:], atom)
        if _tok(atom, "NAME") and atom.value == "sum":
            is_sum = True
        if not is_sum:
            return None
        for s in scripts:
            if s.data == "sub" and index_node is None:
                index_node = self._unbrace(s.children[0])
                if _tree(index_node, "paren"):
                    index_node = index_node.children[0]
            elif s.data in ("sup",):
                continue  # the upper bound: an index runs over the dimension it indexes
            else:
                raise self.error(s, "a sum takes an index below and an optional bound above: \\sum_{k=1}^{n}")
        if index_node is None:
            raise self.error(atom, "a sum needs its index: \\sum_k (or sum_k in plain text)")
        if _tree(index_node, "cond"):
            index_node = index_node.children[0]
        letter = self.canon(index_node)
        letters = self.vocab.index_letters if self.vocab is not None else frozenset()
        if letter not in letters:
            raise self.error(index_node, f"the summation index `{letter}` is not read: {self.index_help()}")
        return letter

    def index_help(self) -> str:
        letters = sorted(self.vocab.index_letters) if self.vocab is not None else []
        if not letters:
            return "this question does not read index notation; write the matrix formula"
        return "this question's index letters are " + ", ".join(letters)

    # ---- functions

    def function_word(self, word: str) -> str | None:
        w = _norm_word(word)
        if w in STANDARD_FUNCTIONS:
            return STANDARD_FUNCTIONS[w]
        if self.vocab is not None:
            for name in self.vocab.functions:
                if _norm_word(name) == w and name in ELEMENTWISE:
                    return name
        return None

    def function_head(self, atom: Node, scripts: list[Tree]) -> FnHead | None:
        name: str | None = None
        if _tok(atom, "CMD"):
            word = atom.value[1:]
            name = self.function_word(word) if word not in GREEK or word == "sigma" else None
        elif _tok(atom, "WORDCMD"):
            name = self.function_word(word_of(atom))
        elif _tok(atom, "NAME", "IDENT"):
            word = atom.value
            if self.vocab is not None and (word in self.vocab.code_names or self.lookup(word) is not None):
                return None
            if self.vocab is not None and word in self.vocab.bases:
                return None
            name = self.function_word(word)
            if name is None and word == "f":
                name = "sigma"
        if name is None:
            return None
        d, power = 0, None
        for s in scripts:
            if s.data == "prime":
                d += 1
            elif s.data == "sup":
                info = self.split_sup(s.children[0])
                d += info.primes
                if info.transposes:
                    raise self.error(
                        s, f"a transpose on the function name `{self.spelled(atom)}` is not read"
                    )
                if info.layer is not None:
                    text = self.script_text(info.layer)
                    if info.paren and text.isdigit() and int(text) <= 3:
                        d += int(text)  # \sigma^{(2)}: the second derivative
                    elif text.lstrip("-").isdigit() and int(text) < 0:
                        raise self.error(s, "inverse functions are not read")
                    else:
                        power = info.layer
            elif s.data == "power":
                power = s.children[0]
            else:
                raise self.error(s, f"`{self.spelled(s)}` is not read on a function name")
        if d > limits.MAX_DERIVATIVE:
            raise self.error(atom, f"a derivative of order {d} is not read (at most {limits.MAX_DERIVATIVE})")
        return FnHead(name, d, power, atom)

    @staticmethod
    def example(head: FnHead) -> str:
        return {
            "max": r"\max(0, z)",
            "softmax": r"\operatorname{softmax}(z)",
            "diag": r"\operatorname{diag}(p)",
            "where": "where(z > 0, 1, 0)",
        }.get(
            head.name,
            rf"\{head.name}(z)" if head.name in ("sigma", "tanh", "exp", "log") else f"{head.name}(z)",
        )

    def is_head(self, node: Node) -> bool:
        """Whether an item is a function name or a sum, which take what follows."""
        atom, scripts = _view(node)
        try:
            return self.function_head(atom, scripts) is not None or self.sum_head(atom, scripts) is not None
        except AnswerError:
            return False

    def apply_function(self, head: FnHead, arg_node: Node, arg: Expr | None = None) -> Expr | _Ones:
        atom, scripts = _view(arg_node)
        if arg is not None:
            args, post = [arg], []
        elif _tree(atom, *_GROUPS):
            body = _group_body(atom)
            if body is None:
                raise self.error(atom, f"`{self.spelled(head.node)}` needs an argument inside the brackets")
            parts = body.children if _tree(body, "arglist") else [body]
            args: list[Expr | Cond] = []
            for p in parts:
                args.append(self.condition(p) if _tree(p, "cond") else self.value(p))
            post = scripts
        else:
            args, post = [self.value(arg_node)], []
        result = self.call(head, args, arg_node)
        if head.power is not None:
            result = self.power(result, head.power)
        return self.apply_scripts(result, post)

    def call(self, head: FnHead, args: list, node: Node) -> Expr:  # noqa: C901
        name = head.name
        arity = STRUCTURAL.get(name, 1)
        if len(args) != arity:
            raise self.error(
                node,
                f"`{self.spelled(head.node)}` takes {arity} argument{'s' * (arity > 1)}, not {len(args)}",
            )
        if name != "where":  # a comparison as an argument is 1 where it holds: \sigma(z > 0)
            args = [Indicator(a) if isinstance(a, Cond) else a for a in args]
        if head.d and name in STRUCTURAL:
            raise self.error(head.node, f"the derivative of {name} is not read; write it out")
        if name == "max":
            return Max(args[0], args[1])
        if name == "softmax":
            axis = 1 if self.vocab is not None and self.vocab.row_convention else 0
            return Softmax(args[0], axis)
        if name == "diag":
            return Diag(args[0])
        if name == "where":
            cond, a, b = args
            if not isinstance(cond, Cond) or isinstance(a, Cond) or isinstance(b, Cond):
                raise self.error(
                    node, "the first argument of where(...) is a comparison, as in where(z > 0, 1, 0)"
                )
            if a == Num(Fraction(1)) and b == Num(Fraction(0)):
                return Indicator(cond)
            return Piecewise(((a, cond), (b, None)))
        return Fn(name, args[0], head.d)


def spelling_key(spelling: str) -> str:
    """The vocabulary key of a LaTeX spelling (``W^{(l+1)}`` and ``\\mathbf{W}^{l+1}`` give one key)."""
    body, _ = strip_wrappers(spelling)
    try:
        tree = latex_parser().parse(body)
    except UnexpectedInput as e:
        raise ValueError(f"cannot read the spelling {spelling!r}: {e}") from None
    node = [c for c in tree.children if not _tree(c, "lhs")][-1]
    reader = Reader(None, body)
    atom, _ = _view(node)
    if _tree(atom, "frac") and reader.partial_of(atom.children[1]) not in (None, ""):
        return reader.partial_key(atom.children[1], atom.children[2], atom)
    if _tree(node, "seq"):
        first, _ = _view(node.children[0])
        if _tok(first, "CMD") and first.value == r"\partial" and len(node.children) == 5:
            return reader.derivative_key(
                reader.quantity_key(node.children[1]), reader.quantity_key(node.children[4])
            )
    ref = reader.name_ref(node)
    if ref is None:
        raise ValueError(f"the spelling {spelling!r} is not a name (like W^{{(l)}}) or a derivative")
    return reader.key_of(ref)


__all__ = ["Reader", "latex_parser", "name_key", "read_latex", "spelling_key", "strip_wrappers"]
