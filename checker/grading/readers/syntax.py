r"""The pieces a parse tree of a LaTeX or plain-text answer is made of, and their spellings.

Token kinds, the Greek letters and Unicode characters read as LaTeX commands, the functions every
question allows, comparison operators, and small helpers that look at a node (is it a token of a
kind, a tree of a rule, an item with scripts). Shared by every part of the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token, Tree

Node = Tree | Token


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
    "where": "where", "cosh": "cosh", "sinh": "sinh",
}
STRUCTURAL = {"max": 2, "softmax": 1, "diag": 1, "where": 3, "O": 1}
ACCENTS = {
    "hat": "hat", "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "bar": "bar", "overline": "bar",
    "dot": "dot",
}
TRANSPOSE_CMDS = {r"\top", r"\intercal", r"\transpose", "⊤"}
RELATIONS = {
    ">": ">", r"\gt": ">", "<": "<", r"\lt": "<", "=": "==", "==": "==",
    ">=": ">=", r"\geq": ">=", r"\ge": ">=", r"\geqslant": ">=", "≥": ">=",
    "<=": "<=", r"\leq": "<=", r"\le": "<=", r"\leqslant": "<=", "≤": "<=",
    "!=": "!=", r"\neq": "!=", r"\ne": "!=", "≠": "!=",
}
ELEMENTWISE_OPS = {r"\odot", r"\circ", "⊙", "∘", ".*", "o"}
SINGLE_CHARS = ("SCHAR", "ACHAR", "FNUM", "FDEN")
GROUPS = ("paren", "bracket", "brace", "setgroup")
EXPLAIN = {
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


@dataclass(frozen=True)
class PendingOnes:
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
    base: Node | None = None  # \log_{10}: a logarithm's base, a number


def name_key(base: str, sub: str | None, sup: str | None) -> str:
    """The canonical key of a name: ``W^{l+1}``, ``\\delta_{3}``, ``a^{L}``."""
    key = base
    if sub:
        key += "_{" + sub + "}"
    if sup:
        key += "^{" + sup + "}"
    return key


def is_tok(node: Node, *types: str) -> bool:
    return isinstance(node, Token) and (not types or node.type in types)


def is_tree(node: Node, *names: str) -> bool:
    return isinstance(node, Tree) and (not names or node.data in names)


def leaf_token(token: Token) -> Token:
    """Normalise one-character and Unicode tokens to the ordinary kinds."""
    if token.type in SINGLE_CHARS:
        return Token.new_borrow_pos("NUMBER" if token.value.isdigit() else "NAME", token.value, token)
    if token.type == "UCHAR" and token.value in UCHAR_CMD:
        return Token.new_borrow_pos("CMD", UCHAR_CMD[token.value], token)
    return token


def item_view(node: Node) -> tuple[Node, list[Tree]]:
    """(atom, scripts) of an item; a bare atom has no scripts."""
    if is_tree(node, "item"):
        atom, scripts = node.children[0], list(node.children[1:])
    else:
        atom, scripts = node, []
    if isinstance(atom, Token):
        atom = leaf_token(atom)
    return atom, scripts


def group_body(node: Tree) -> Node | None:
    if node.data == "setgroup":
        return node.children[1]
    return node.children[0] if node.children else None


def word_of(token: Token) -> str:
    r"""The word inside ``\operatorname{..}``, ``\mathrm{..}``, ``\text{..}``."""
    return token.value[token.value.index("{") + 1 : -1].strip()


def norm_word(word: str) -> str:
    return re.sub(r"[_\-\s]", "", word).lower()


def norm_dim(text: str) -> str:
    return re.sub(r"[\s{}()]", "", str(text))



def unbrace(node: Node) -> Node:
    """The node inside single-child braces ``{{x}}``."""
    while is_tree(node, "brace") and len(node.children) == 1:
        node = node.children[0]
    return node
