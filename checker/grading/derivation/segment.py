r"""Homework text cut into relations: the math of each line, split at its top-level ``=``.

A derivation arrives as Markdown (prose with ``$…$``, ``$$…$$``, ``\[…\]``), as LaTeX
environments (``align``, ``aligned``, ``eqnarray``, ``gathered``, ``split``) or as plain Unicode
lines (``δ^(L) = ∂J/∂z^(L) = (a − y) ⊙ σ'(z)``). What is not mathematics is dropped here:
prose, ``\text{…}``, ``\because``/``\therefore``, alignment marks ``&``, ``\nonumber``,
``\tag{…}``, equation numbers ``\quad (3)``. Rows of an environment (``\\``) are lines of their
own; a ``\\`` inside ``cases`` or a matrix is not. Nothing here reads a formula: it only finds
where relations are, so that the readers see one side at a time.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

MAX_TEXT = 40_000
"""Characters of a whole derivation; longer homework is refused before it is cut."""

_FUNCTION_WORDS = frozenset(
    [
        "ReLU",
        "relu",
        "softmax",
        "diag",
        "sign",
        "sgn",
        "tanh",
        "exp",
        "log",
        "ln",
        "sech",
        "max",
        "LeakyReLU",
        "ELU",
        "sigmoid",
    ]
)
_KEPT_ENVIRONMENTS = ("cases", "bmatrix", "pmatrix", "vmatrix", "Bmatrix", "Vmatrix", "matrix", "array")
_LINE_ENVIRONMENTS = re.compile(
    r"\\(?:begin|end)\{(?:align\*?|aligned|alignat\*?|eqnarray\*?|gathered|gather\*?|split|equation\*?|"
    r"multline\*?)\}(?:\{\d+\})?"
)
_MATH = re.compile(
    r"\$\$(?P<d>.+?)\$\$|\\\[(?P<b>.+?)\\\]|\\\((?P<p>.+?)\\\)|(?<![\\$])\$(?P<i>[^$]+?)\$"
    r"|(?P<e>\\begin\{(?P<env>align\*?|aligned|eqnarray\*?|gathered|gather\*?|equation\*?|multline\*?)\}"
    r".+?\\end\{(?P=env)\})",
    re.S,
)
_PROSE_WORDS = re.compile(
    r"^(?:(?:let|so|then|hence|thus|therefore|where|and|we|have|get|obtain|since|because|finally|now|"
    r"which|gives|i\.e\.|ie|note|that|it|follows|is|with|by|the|chain|rule|from|definition|so that|"
    r"recall|using|given)\b[\s,:]*)+",
    re.I,
)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_RELATION = re.compile(r":=|\\coloneqq|≔|\\leftarrow|\\gets|←|=")
_CONDITION = re.compile(r"^\s*([a-z])\s*(=|\\neq?\b|≠|!=)\s*([a-z])\s*[,:;]?\s*$")
"""``i = j``, ``i \\neq j`` on their own (``For $i \\neq j$:``, ``当 $i=j$ 时``): the case of what follows."""
_IMPLIES = re.compile(r"\\Rightarrow|\\implies|\\Longrightarrow|⇒|⟹|(?<![<>!=])==?>")


@dataclass(frozen=True)
class Relation:
    """One line's relation: its sides in reading order, and how it joins what came before.

    ``continues`` is true for a line that begins with ``=`` (its sides continue the chain);
    ``op`` is the first relation sign (``=``, ``:=`` or ``<-``); ``line`` the 1-based line of
    the input where it starts.
    """

    sides: tuple[str, ...]
    continues: bool
    op: str
    line: int
    condition: tuple[str, str, str] | None = None  # ("i", "!=", "j"): the case it holds in
    inline: bool = False  # written in prose ($…$, \(…\)), not displayed


def _mask_groups(text: str, openers: str = "{([", closers: str = "})]") -> list[int]:
    """Nesting depth at every character: braces, brackets, parentheses and kept environments.

    When brackets or parentheses do not balance (a step with a typo), only braces and
    environments count, so that one unclosed parenthesis does not swallow the rest of the line.
    """
    if openers == "{([" and any(text.count(a) != text.count(b) for a, b in ("()", "[]")):
        return _mask_groups(text, "{", "}")
    depth, out = 0, []
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith(r"\begin{", i) and any(
            text.startswith(rf"\begin{{{e}}}", i) for e in _KEPT_ENVIRONMENTS
        ):
            depth += 1
        elif text.startswith(r"\end{", i) and any(
            text.startswith(rf"\end{{{e}}}", i) for e in _KEPT_ENVIRONMENTS
        ):
            out.extend([depth] * len(r"\end{"))
            i += len(r"\end{")
            depth = max(depth - 1, 0)
            continue
        elif ch in openers:
            depth += 1
        elif ch in closers:
            out.append(depth)
            depth = max(depth - 1, 0)
            i += 1
            continue
        out.append(depth)
        i += 1
    return out


def _split_top(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """``text`` split at the top-level matches of ``pattern``: (piece, separator before it)."""
    depth = _mask_groups(text)
    pieces: list[tuple[str, str]] = []
    start, sep = 0, ""
    for m in pattern.finditer(text):
        if depth[m.start()] != 0:
            continue
        if m.group() == "=" and _is_comparison(text, m.start()):
            continue
        pieces.append((text[start : m.start()], sep))
        start, sep = m.end(), m.group()
    pieces.append((text[start:], sep))
    return pieces


def _is_comparison(text: str, at: int) -> bool:
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    return before in "<>!=" and before != "" or after == "="


def _unbox(math: str) -> str:
    r"""``\boxed{δ = …}`` is its content: a boxed final answer is a relation like any other."""
    while (m := re.search(r"\\(?:boxed|fbox|framebox|bbox(?:\[[^\]]*\])?)\s*\{", math)) is not None:
        depth, end = 0, -1
        for k in range(m.end() - 1, len(math)):
            depth += {"{": 1, "}": -1}.get(math[k], 0)
            if depth == 0:
                end = k
                break
        if end < 0:
            return math
        math = math[: m.start()] + " " + math[m.end() : end] + " " + math[end + 1 :]
    return math


_REASON = re.compile(r"(?:\\q?quad|&&)\s*\\(?:text|mbox|textrm|textit)\s*\{")
"""``\\quad \\text{(chain rule through } z^{(l+1)}\\text{)}``, ``&& \\text{since } …``: a reason after a
step, which may mix prose and math, runs to the end of its row."""


def _drop_reasons(math: str) -> str:
    """Each top-level reason removed up to the next row break (``\\\\``) or the end."""
    start = 0
    while (m := _REASON.search(math, start)) is not None:
        depth = _mask_groups(math)
        if depth[m.start()] != 0:
            start = m.end()
            continue
        rows = re.finditer(r"\\\\", math)
        end = next((b.start() for b in rows if b.start() > m.end() and depth[b.start()] == 0), len(math))
        math = math[: m.start()] + " " + math[end:]
        start = m.start() + 1
    return math


_OPERAND_MARKS = frozenset("+-−=*@(")


def _strip_text_commands(math: str) -> str:
    math = _drop_reasons(_unbox(math))

    def keep(m: re.Match[str]) -> str:
        word = m.group(2).strip()
        if word in _FUNCTION_WORDS:
            return f"\\operatorname{{{word}}}"
        # \text{probs} - \text{y\_onehot}: a code name is an operand, beside an operator or a relation
        before, after = math[: m.start()].rstrip()[-1:], math[m.end() :].lstrip()[:1]
        operand = re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:\\?_[A-Za-z0-9]+)*", word) is not None
        operand = operand and _PROSE_WORDS.match(word + " ") is None
        return m.group(0) if operand and (before in _OPERAND_MARKS or after in _OPERAND_MARKS) else " "

    math = re.sub(r"\\(text|mbox|textrm|textbf|mathrm\{\s*\}|hbox)\s*\{([^{}]*)\}", keep, math)
    math = re.sub(r"\\(?:therefore|nonumber|notag|displaystyle|label\{[^{}]*\})", " ", math)
    math = re.sub(r"\\tag\*?\{[^{}]*\}", " ", math)
    math = re.sub(r"[∴∵]", " ", math)
    return math


def _rows(math: str) -> list[str]:
    r"""The rows of a block: split at top-level ``\\``; alignment ``&`` removed."""
    math = _LINE_ENVIRONMENTS.sub(" ", math)
    depth = _mask_groups(math)
    rows, start = [], 0
    for m in re.finditer(r"\\\\(?:\[[^\]]*\])?", math):
        if depth[m.start()] == 0:
            rows.append(math[start : m.start()])
            start = m.end()
    rows.append(math[start:])
    out = []
    for row in rows:
        row = re.split(r"\\because\b", row)[0]  # a reason given after the step is not a step
        d = _mask_groups(row)
        row = "".join(
            " " if ch == "&" and d[i] == 0 and row[i - 1 : i] != "\\" else ch for i, ch in enumerate(row)
        )
        out.extend(_split_quads(row))
    return out


def _split_quads(row: str) -> list[str]:
    r"""A row with two relations side by side (``L' = … \quad \frac{∂L'}{∂w} = …``) is two rows;
    an equation number after ``\quad`` (``= p_i - y_i \quad (9)``) is dropped."""
    row = re.sub(r"\\q?quad\s*\(\s*\d+[a-z]?\s*\)\s*[,.;]?\s*$", " ", row)
    row = (
        re.sub(r"\(\s*\d+[a-z]?\s*\)\s*$", " ", row)
        if re.search(r"\s{2,}\(\s*\d+[a-z]?\s*\)\s*$", row)
        else row
    )
    parts = re.split(r",?\s*\\q?quad\b|\\,\\,\\,|\\;\\;", row)
    if len(parts) > 1 and sum(1 for p in parts if _split_top(p, _RELATION)[1:]) > 1:
        return parts
    return [re.sub(r"\\q?quad\b", " ", row)]


_NUMBERING = re.compile(r"^(?:step\s*\d+\s*[:.)]|\(\d+[a-z]?\)|\d+[.)](?=\s))\s*", re.I)
"""``Step 2:``, ``(3)``, ``4.`` before a plain line: its number, not a formula."""
_TRAILING_REASON = re.compile(r"\s+\((?=[^()]*[A-Za-z]{4})[A-Za-z][A-Za-z'\-]*(?: [A-Za-z'\-]+)+\)\s*$")
"""``… = δ a^T   (chain rule)``: words in brackets at the end of a plain line are a reason."""


def _plain_line(line: str) -> str:
    """A line of plain text with its prose removed: CJK words, leading English words, ∴."""
    line = _CJK.sub(" ", line)
    line = re.sub(r"[∴∵:：]\s*", " ", line) if re.match(r"^\s*[^=]*[∴∵]", line) else line
    line = re.sub(r"^\s*[∴∵]", " ", line)
    line = _PROSE_WORDS.sub("", _NUMBERING.sub("", line.strip()))
    return _TRAILING_REASON.sub("", line)


def _math_blocks(text: str) -> list[tuple[str, int, str]] | None:
    """The math of Markdown text: (block, the line it starts on, "inline", "block" or "case"), or
    None if it has none.

    A condition alone (``For $i \\neq j$:``, ``当 $i=j$ 时``) is kept as a case when it is the
    case of the block that follows it: nothing but a few words (no end of sentence) stands
    between them."""
    found = []
    for m in _MATH.finditer(text):
        body = next(
            g for g in (m.group("d"), m.group("b"), m.group("p"), m.group("i"), m.group("e")) if g is not None
        )
        inline = m.group("i") is not None or m.group("p") is not None  # $…$ and \(…\)
        found.append((body, text.count("\n", 0, m.start()) + 1, inline, m.start(), m.end()))
    if not found:
        return None
    out = []
    for k, (body, line, inline, _, end) in enumerate(found):
        if inline and _CONDITION.match(body):
            between = text[end : found[k + 1][3]] if k + 1 < len(found) else "."
            if len(between) <= 40 and not re.search(r"[.。!?！？;；]", between):
                out.append((body, line, "case"))
            continue
        if inline and not _RELATION.search(body):
            continue  # a symbol named in prose ($w^{(i)}$: the weights) is not a relation
        out.append((body, line, "inline" if inline else "block"))
    return out


def relations(text: str) -> list[Relation]:
    """Every relation of ``text`` in reading order (including one-sided display lines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = _math_blocks(text)
    if blocks is None:
        if re.search(r"\\begin\{(align|aligned|eqnarray|gathered|split|gather|equation)", text):
            blocks = [(text, 1, "block")]
        else:
            blocks = [(_plain_line(line), k + 1, "block") for k, line in enumerate(text.split("\n"))]
    out: list[Relation] = []
    case: tuple[str, str, str] | None = None
    for body, line, kind in blocks:
        m = _CONDITION.match(body) if kind == "case" else None
        if m is not None:  # the case of the next block's relations
            case = (m.group(1), "=" if m.group(2) == "=" else "!=", m.group(3))
            continue
        body = _strip_text_commands(body)
        for row in _rows(body):
            for piece in _IMPLIES.split(row):
                rel = _relation(piece, line)
                if rel is not None:
                    out.append(_in_case(dataclasses.replace(rel, inline=kind == "inline"), case))
        case = None
    return out


def _in_case(rel: Relation, case: tuple[str, str, str] | None) -> Relation:
    """``rel`` under the case, when its first side carries both letters as indices."""
    if case is None or rel.continues:
        return rel if case is None else dataclasses.replace(rel, condition=case)
    scripts = "".join(re.findall(r"_\{?([a-z]+)", rel.sides[0]))
    return dataclasses.replace(rel, condition=case) if {case[0], case[2]} <= set(scripts) else rel


def _relation(row: str, line: int) -> Relation | None:
    row = row.strip().rstrip(",.;，。").strip()
    if not row:
        return None
    pieces = _split_top(row, _RELATION)
    sides = [p.strip().rstrip(",.;").strip() for p, _ in pieces]
    ops = [sep for _, sep in pieces[1:]]
    continues = bool(sides) and sides[0] == "" and len(sides) > 1
    if continues:
        sides = sides[1:]
    if any(not s for s in sides):
        sides = [s for s in sides if s]
    if not sides:
        return None
    op = ops[0] if ops else ""
    op = {"\\coloneqq": ":=", "≔": ":=", "\\leftarrow": "<-", "\\gets": "<-", "←": "<-"}.get(op, op)
    return Relation(tuple(sides), continues, op, line)


def joins(text: str) -> int:
    """How many ``=`` join expressions in ``text`` (0 for a single formula)."""
    count = 0
    for rel in relations(text):
        count += len(rel.sides) - (0 if rel.continues else 1)
    return count
