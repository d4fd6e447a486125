r"""Reading plain-text answers: a small ASCII syntax for backprop formulas.

## The plain-text syntax

A plain-text answer is one formula, for example

    W^(l+1)^T @ delta^(l+1) .* sigma'(z^(l))
    (a^(L) - y) .* sigma'(z^(L))
    diag(p) - p p^T
    1/m * Delta^(l) A^(l-1)^T
    delta3 @ W2.T * (1 - a1^2)

**Names.** Letters and digits, whole words: `W`, `a`, `y`, `delta`, `Delta`, `eta`, `lambda`
(also `lam`), `alpha`; `yhat` or `y_hat` is ŷ. A layer is a superscript, `W^(l+1)`, `a^(L)`,
`z^(2)` (also `W^l`). In the row convention subscripts are layer numbers: `W_2`, `delta_3`,
`A_1` (also `W2`, `delta3`). The question's code names (`delta3`, `probs`, `y_onehot`) are
accepted as they are.

**Transpose.** `^T`, `.T`, `'` after a symbol or a bracket (`W'`), or `ᵀ`:
`W^(l+1)^T`, `a^(l-1)'`, `(W x)^T`.

**Operators**, loosest first:

| operator | meaning |
|---|---|
| `+`, `-` | sum, difference (and a leading minus) |
| `.*`, `⊙`, `∘`, `o` | elementwise product |
| `*`, `×` | elementwise when both sides have the same shape and are not scalars, else a product |
| `@`, `·`, a space, `/` | matrix product (or scaling by a scalar); division; left to right |
| `^`, `**` | power: `a^2`, `a**2`, `e^(-z)` is exp(-z) |

So `1/m * Delta A^T` is (1/m)(Δ Aᵀ), and `a .* b @ c` is a ⊙ (b c).

**Functions.** `sigma(z)`, `sigma'(z)` (σ'), `f(z)` and `f'(z)` (the same generic σ),
`sigmoid`, `tanh`, `relu`, `exp`, `log` (`ln`), `sign` (`sgn`), `sech`, `sqrt`, `abs`,
`max(0, z)`, `softmax(z)`, `diag(p)`, `where(z > 0, 1, 0.1)`; a power of a function is
`tanh(z)^2`. Derivatives of higher order: `f'''(x)`, `f‴(x)`, `f⁽³⁾(x)`, `f''''(x)`; where the
answer is an expansion, Landau's `O(h^4)` (also `O(h⁴)`, `𝒪(h⁴)`) and the question's own `f`.

**Norms and absolute values.** `‖w‖_1` (also `||w||_1`), `‖W‖_F^2`, `‖w‖²`, `|w|`. Unicode
sub- and superscript digits are read as scripts: `‖w‖₁`, `x²`.

**Indicators, ones, sums.** `1[z > 0]` or `(z > 0)` is 1 where the condition holds, else 0;
`ones` is a column of ones whose length the product fixes (`ones^T delta3` sums the columns);
`sum_k y_k log(p_k)` sums over k; `a_i`, `W_ji` are components (free index letters i, j, k, n, c).

**Derivatives the question names**: `dJ/dW`, `dL/dW^(l)`.

A leading `delta^(l) =` is allowed and ignored. Comparisons: `>`, `<`, `>=`, `<=`, `==`, `!=`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from lark import Lark

import checker.grading.readers.limits as limits
from checker.grading.readers.latex_reader import Reader
from checker.grading.readers.latex_syntax import Bars, parse_tree
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.options import ReadOptions
from checker.grading.readers.unicode_scripts import spell_out
from derivations.expr import Expr

if TYPE_CHECKING:
    from checker.grading.readers.vocabulary import Vocabulary

# The same rule names as latex.lark, so that one Reader decides what the pieces mean.
TEXT_GRAMMAR = r"""
start: lhs* expr
lhs: expr EQ

?expr: sum
?sum: hterm ((PLUS | MINUS) hterm)*
?hterm: signed ((HOP | OTIMES) signed)*
?signed: (PLUS | MINUS)* seq
?seq: item ((SEQOP | AT)? item)*
?item: atom script*

script: "^" sarg          -> sup
      | "_" sarg          -> sub
      | _POW sarg         -> power
      | PRIME             -> prime
      | TSUP              -> tsup
      | DOTT              -> tsup
      | BANG              -> factorial

?sarg: IDENT | NUMBER | UCHAR
     | "(" body ")"       -> paren
     | "[" body "]"       -> bracket
     | "{" body "}"       -> brace
     | MINUS sarg         -> signed

?atom: IDENT | NUMBER | UCHAR | ONES | LANDAU
     | "(" body ")"       -> paren
     | "[" body "]"       -> bracket
     | LNORM body RNORM   -> norm
     | LABS body RABS     -> absval

?body: expr | cond | arglist
cond: expr (RELOP | EQ) expr
arglist: (expr | cond) ("," (expr | cond))+

EQ: "="
PLUS: "+"
MINUS: "-" | "−"
_POW.4: "**"
HOP.3: ".*" | "*" | "⊙" | "∘" | "×" | "∗" | "⊗" | "⊘"
OTIMES.3: /(?<![A-Za-z0-9_])o(?![A-Za-z0-9_(])/
SEQOP.3: "/" | "·" | "⋅"
AT.3: "@"
RELOP.3: ">=" | "<=" | "!=" | "==" | ">" | "<" | "≥" | "≤" | "≠"
PRIME: "'" | "′" | "’"
BANG: /!(?!=)/
TSUP: "ᵀ"
DOTT.3: /\.T(?![A-Za-z0-9_])/
IDENT: /[A-Za-z](?:[A-Za-z0-9]|_(?=[A-Za-z0-9]))*/
NUMBER: /[0-9]+(\.[0-9]+)?|\.[0-9]+/
ONES: "𝟙" | "𝟏"
LANDAU: "𝒪"
BAR.3: "|"
DBAR.3: "‖" | "||"
%declare LNORM RNORM LABS RABS
UCHAR: /[αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ∑∂∇⊤ŷ𝔼]/
%import common.WS
%ignore WS
"""


@cache
def text_parser() -> Lark:
    """The LALR parser of the plain-text syntax (built once)."""
    return Lark(TEXT_GRAMMAR, parser="lalr", propagate_positions=True, postlex=Bars())


def read_text(text: str, vocab: Vocabulary, options: ReadOptions | None = None) -> Expr:
    """Read a plain-text answer; raises :class:`AnswerError` when it cannot be read."""
    limits.check_length(text)
    body = spell_out(text.strip().rstrip(".;,").rstrip(), latex=False)
    offset = len(text) - len(text.lstrip())
    if not body:
        raise AnswerError("the answer is empty")
    if "\\" in body:
        pos = body.index("\\")
        raise AnswerError(
            f"a backslash at character {pos + offset + 1} is LaTeX, not plain text: {limits.near(body, pos)}",
            pos + offset,
            "\\",
        )
    limits.check_nesting(body, offset)
    tree = parse_tree(text_parser(), body, offset, "plain-text")
    expr = Reader(vocab, body, offset, "text", options).answer(tree)
    limits.check_depth(expr)
    return expr
