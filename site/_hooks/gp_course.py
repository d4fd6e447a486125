"""The order of the course: which chapter each derivation belongs to, and in what order they come.

The handbook reads like a course, not an alphabet: activations, then softmax and the losses, then
backpropagation for one example (output delta, hidden delta, weight, bias), mini-batches, the row
convention of the slides' code, regularisation, the gradient with respect to the input, and the
numerical checks. The navigation, Next/Previous, the derivations index and the home page's "start
here" path all follow :func:`chapters`.

A derivation finds its chapter by itself: a chapter that names its id claims it; otherwise the first
chapter whose topics (``Derivation.topic``) and convention match it. A derivation of a topic no
chapter names gets a chapter of its topic, in the order of ``derivations.base.TOPICS``. Within a
chapter the named ids come first, in the order given (the order of teaching), then the others by
title. So a new derivation slots in by its topic without an edit here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Chapter:
    """A stage of the course: its title, the topics it takes, and its derivations in teaching order."""

    title: str
    topics: tuple[str, ...]
    ids: tuple[str, ...] = ()
    convention: str | None = None  # "row": only row-convention derivations; None: any
    intro: str = ""

    def takes(self, d: Any) -> bool:
        """Whether derivation ``d`` belongs here when no chapter names it."""
        if d.topic not in self.topics:
            return False
        conv = getattr(d, "convention", "column")
        return self.convention is None or conv == self.convention


COURSE: tuple[Chapter, ...] = (
    Chapter("Activations", ("activations",),
            ("sigmoid-derivative", "sigmoid-derivative-bound", "tanh-derivative", "relu-derivative",
             "leaky-relu-derivative", "elu-derivative", "softplus-derivative", "maxout-gradient"),
            intro="the derivative of each unit, the factor σ′ of every backward step"),
    Chapter("Softmax and losses", ("outputs and losses",),
            ("softmax-jacobian", "softmax-ce-gradient", "log-softmax-ce", "sigmoid-bce-gradient",
             "label-smoothing-ce-gradient"),
            intro="the Jacobian of softmax and the gradient of each cost at the output"),
    Chapter("Backpropagation, one example", ("backprop",),
            ("mse-output-delta", "hidden-delta", "weight-gradient", "bias-gradient"),
            intro="output delta, hidden delta, weight and bias gradients: the four equations"),
    Chapter("Mini-batches", (),
            ("batch-weight-gradient", "batch-bias-gradient", "batchnorm-backward"),
            intro="the same equations for m examples at once, as matrices"),
    Chapter("The row convention", ("backprop",), ("row-backprop",), convention="row",
            intro="the slides' code: examples as rows, X W + b"),
    Chapter("Regularisation", ("regularization",),
            ("l2-update", "l2-weight-decay", "l1-update", "l1-proximal-step", "dropout-backward"),
            intro="what a penalty adds to the gradient, and dropout"),
    Chapter("The gradient with respect to the input", ("jacobians and numerics",),
            ("input-gradient", "reverse-vs-forward-mode"),
            intro="∂y/∂x through the whole network, and why backpropagation runs backwards"),
    Chapter("Numerical checks", (), ("central-difference",),
            intro="why a central difference checks a gradient, and how well"),
)


def _chapter_of(d: Any, course: Iterable[Chapter]) -> Chapter | None:
    course = tuple(course)
    for ch in course:
        if d.id in ch.ids:
            return ch
    # a row-convention derivation goes to a chapter that asks for that convention first
    for ch in sorted(course, key=lambda c: c.convention is None):
        if ch.takes(d):
            return ch
    return None


def chapters(catalogue: dict[str, Any], topics: Iterable[str],
             course: tuple[Chapter, ...] = COURSE) -> list[tuple[Chapter, list[str]]]:
    """Every derivation id of ``catalogue`` in its chapter, chapters in course order, none empty.

    ``topics`` is the order of the topics (``derivations.base.TOPICS``) for the chapters made for
    topics the course does not name.
    """
    placed: dict[str, list[str]] = {}
    extra: dict[str, Chapter] = {}
    for i, d in catalogue.items():
        ch = _chapter_of(d, course)
        if ch is None:
            ch = extra.setdefault(d.topic, Chapter(d.topic[:1].upper() + d.topic[1:], (d.topic,)))
        placed.setdefault(ch.title, []).append(i)
    topic_order = list(topics)

    def rank(t: str) -> int:
        return topic_order.index(t) if t in topic_order else len(topic_order)

    ordered = list(course) + sorted(extra.values(), key=lambda c: (rank(c.topics[0]), c.title))
    out = []
    for ch in ordered:
        ids = placed.get(ch.title, [])
        if not ids:
            continue
        named = [i for i in ch.ids if i in ids]
        rest = sorted((i for i in ids if i not in named), key=lambda i: catalogue[i].title.lower())
        out.append((ch, named + rest))
    return out


def course_order(groups: list[tuple[Chapter, list[str]]]) -> Callable[[str], int]:
    """A sort key: a derivation id's position in the course (unknown ids last)."""
    flat = {i: n for n, i in enumerate(i for _, ids in groups for i in ids)}
    return lambda i: flat.get(i, len(flat))
