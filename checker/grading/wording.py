"""Sentences of the grader's feedback: capitalised as English, never as mathematics.

A message may start with a formula (``$\\sigma'(z)$ is ...``), a symbol (σ, z) or a word. Only a
lowercase ASCII word is capitalised: σ never becomes Σ, and ``a^{(l-1)}`` never becomes the batch
matrix ``A^{(l-1)}``.
"""

from __future__ import annotations


def capital(text: str) -> str:
    """Capitalise a sentence that starts with an English word, never one that starts with math
    (``$…$``) or a symbol (``σ'``, ``z is``): only a lowercase ASCII word of two or more letters,
    or the article "a", is capitalised."""
    word = text.split(" ", 1)[0]
    if word.isascii() and word.isalpha() and word.islower() and (len(word) > 1 or word == "a"):
        return text[:1].upper() + text[1:]
    return text


def uncapital(text: str) -> str:
    """Lower-case the first letter of a sentence that starts with a capitalised English word."""
    word = text.split(" ", 1)[0]
    if word[:1].isascii() and word.isalpha() and word[:1].isupper() and word[1:].islower() and len(word) > 1:
        return text[:1].lower() + text[1:]
    return text


def sentence(text: str) -> str:
    """``text`` as a sentence: capitalised (English only) and ending with a full stop."""
    text = capital(text.strip())
    return text if text.endswith((".", "?", "!")) else text + "."


def clause(text: str) -> str:
    """``text`` as a clause to join with others: no final full stop."""
    return text.strip().rstrip(".")
