"""Unicode superscripts and subscripts, as typed on a phone or pasted from a PDF, spelled out.

``δ⁽ᴸ⁾``, ``a⁽ˡ⁻¹⁾``, ``tanh²(z)``, ``W_kj`` written ``Wₖⱼ``: a run of superscript characters is
the superscript it shows (``^(L)`` in plain text, ``^{(L)}`` in LaTeX), a run of subscript
characters the subscript. The transpose ``ᵀ`` stays what the grammars already read as a transpose,
except inside a run (``⁽ᵀ⁾`` is not written by anyone, so it is read as the letter).
"""

from __future__ import annotations

import re

SUPERSCRIPTS = dict(
    zip(
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˡᴸᵏʲᵗᵐᵃᵇᶜᵈᵉᶠᵍʰᵒᵖʳˢᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴹᴺᴼᴾᴿᵁⱽᵂ",
        "0123456789+-=()nilLkjtmabcdefghoprsuvwxyzABDEGHIJKMNOPRUVW",
        strict=True,
    )
)
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "0123456789+-()aeoxhklmnpstijruv", strict=True))
_SUP_RUN = re.compile("[" + "".join(SUPERSCRIPTS) + "]+")
_SUB_RUN = re.compile("[" + "".join(SUBSCRIPTS) + "]+")


_FRACTIONS = {"½": (1, 2), "⅓": (1, 3), "¼": (1, 4), "⅔": (2, 3), "¾": (3, 4)}
_PRIMES = {"″": "''", "‴": "'''", "⁗": "''''"}
"""Double, triple and quadruple primes as one character (f‴(x)): that many primes."""


def spell_out(text: str, latex: bool) -> str:
    """``text`` with its Unicode superscript and subscript runs written as ``^``/``_`` groups,
    its fraction characters (½) as fractions and its multiple primes (‴) as primes."""
    for char, (num, den) in _FRACTIONS.items():
        if char in text:
            text = text.replace(char, f"\\tfrac{{{num}}}{{{den}}}" if latex else f"({num}/{den})")
    for char, primes in _PRIMES.items():
        text = text.replace(char, primes)
    if not (_SUP_RUN.search(text) or _SUB_RUN.search(text)):
        return text
    def group(mark: str, table: dict[str, str]):
        def sub(m: re.Match[str]) -> str:
            body = "".join(table[c] for c in m.group())
            if latex:
                return f"{mark}{{{body}}}"
            if mark == "_" and body.isalnum():
                return f"_{body}"  # W_kj is one name in plain text, as typed
            wrapped = len(body) == 1 or body.startswith("(") and body.endswith(")") and body.count("(") == 1
            return f"{mark}{body}" if wrapped else f"{mark}({body})"

        return sub

    return subscripts_spelled(_SUP_RUN.sub(group("^", SUPERSCRIPTS), text))


def subscripts_spelled(text: str) -> str:
    """Unicode subscripts written as ``_``: z₁ is z_1, δ₂ is δ_2, W₁₂ is W_{12}, Wₖⱼ is W_{kj}."""

    def spelled(run: re.Match[str]) -> str:
        body = "".join(SUBSCRIPTS[c] for c in run.group())
        return f"_{body}" if len(body) == 1 else f"_{{{body}}}"

    return _SUB_RUN.sub(spelled, text)
