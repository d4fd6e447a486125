"""The computational graph of a derivation, generated from its definitions as an inline figure.

Every symbol a derivation defines or uses is a node; a definition ``s := e`` draws an edge from each
symbol of ``e`` (:func:`derivations.expr.symbols_of`) to ``s``, and an unknown function's
``depends`` (``L`` of ``z``) draws a dashed edge. Nodes sit in layers by dependency depth (longest
path from an input), top to bottom. A derivation with no definitions (an activation's derivative)
draws what its chains start from instead: the symbols of each start feed the quantity asked for.

The figure is an SVG for the boxes and arrows, stroked in ``currentColor`` so it follows the
theme, with each label an ``arithmatex`` span laid over its box, so MathJax typesets the labels
like every other formula (and the build checks them like every other formula). The figure has a
fixed size in px and scrolls sideways on a narrow screen.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

NODE_HEIGHT = 38
LAYER_GAP = 58
NODE_GAP = 22
MARGIN = 8
_EM_PX = 11  # width of one visible character of a label, with room for MathJax's italics


@dataclass
class Node:
    """One symbol of the figure: its label and where its box is (centre x, top y, width)."""

    key: str
    latex: str
    layer: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0


@dataclass
class Graph:
    """Nodes by key, edges ``(from, to, dashed)``, and the size of the drawing in px."""

    nodes: dict[str, Node]
    edges: list[tuple[str, str, bool]]
    width: float
    height: float


def _label_width(latex: str) -> float:
    """A guess at the typeset width: commands count as one glyph (``\\delta``) or none (``\\hat``)."""
    visible = re.sub(r"\\(hat|tilde|bar|textstyle|operatorname|mathrm|mathbf|left|right)\b", "", latex)
    visible = re.sub(r"\\[A-Za-z]+", "x", visible)
    visible = re.sub(r"[{}^_\\ ]", "", visible)
    if r"\frac" in latex:
        visible = visible[: max(2, len(visible) // 2)]
    return max(40.0, _EM_PX * len(visible) + 22)


def layers(nodes: Sequence[str], edges: Iterable[tuple[str, str, bool]]) -> dict[str, int]:
    """Longest-path layering: an input is layer 0, anything else one below its deepest input.

    Raises ``ValueError`` naming a symbol on a cycle (a definition that uses itself, directly or not).
    """
    inputs: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b, _dashed in edges:
        if a != b:
            inputs[b].append(a)
    depth: dict[str, int] = {}
    for start in nodes:
        stack, on_path = [start], set()
        while stack:  # iterative depth-first walk, so a long chain cannot exhaust the stack
            n = stack[-1]
            if n in depth:
                stack.pop()
                continue
            on_path.add(n)
            todo = [p for p in inputs[n] if p not in depth]
            cyclic = [p for p in todo if p in on_path]
            if cyclic:
                raise ValueError(f"the definitions are circular through {cyclic[0]!r}")
            if todo:
                stack.extend(todo)
                continue
            depth[n] = 1 + max((depth[p] for p in inputs[n]), default=-1)
            on_path.discard(n)
            stack.pop()
    return depth


def layout(labels: dict[str, str], edges: list[tuple[str, str, bool]]) -> Graph:
    """Place ``labels`` (key → LaTeX, in order of appearance) in layers, ordered to cross few edges."""
    depth = layers(list(labels), edges)
    nodes = {k: Node(k, tex, depth[k], width=_label_width(tex)) for k, tex in labels.items()}
    rows: list[list[Node]] = [[] for _ in range(1 + max(depth.values(), default=-1))]
    for node in nodes.values():
        rows[node.layer].append(node)
    order = {k: i for i, k in enumerate(labels)}
    for row in rows[1:]:  # barycentre ordering: a node sits under the mean position of its inputs
        row.sort(key=lambda n: (_mean(order[a] for a, b, _ in edges if b == n.key), order[n.key]))
        for i, n in enumerate(row):
            order[n.key] = i
    row_widths = [sum(n.width for n in row) + NODE_GAP * (len(row) - 1) for row in rows]
    width = max(row_widths, default=0) + 2 * MARGIN
    for li, (row, row_width) in enumerate(zip(rows, row_widths, strict=True)):
        x = (width - row_width) / 2
        for n in row:
            n.x, n.y = x + n.width / 2, MARGIN + li * (NODE_HEIGHT + LAYER_GAP)
            x += n.width + NODE_GAP
    height = 2 * MARGIN + len(rows) * NODE_HEIGHT + max(0, len(rows) - 1) * LAYER_GAP
    return Graph(nodes, edges, width, height)


def _mean(values: Iterable[int]) -> float:
    found = list(values)
    return sum(found) / len(found) if found else -1.0


def derivation_graph(d: Any) -> Graph:
    """The graph of derivation ``d``: its definitions, or what its chains start from if it has none."""
    from derivations.expr import symbols_of, to_latex

    pairs = list(d.definitions) or [(c.start, c.start) for c in d.chains]
    labels: dict[str, str] = {}
    edges: list[tuple[str, str, bool]] = []

    def key(e: Any) -> str:
        k = getattr(e, "key", None) or "asked:" + to_latex(e)
        labels.setdefault(k, to_latex(e))
        return k

    for target, e in pairs:
        used = sorted(symbols_of(e), key=to_latex)
        t = key(target)
        for s in used:
            if key(s) != t:
                edges.append((key(s), t, False))
    syms = {getattr(s, "key", ""): s for s, _ in pairs} | {s.key: s for _, e in pairs for s in symbols_of(e)}
    for s in syms.values():
        for dep in getattr(s, "depends", ()):
            if dep.key in labels and (dep.key, s.key, False) not in edges:
                edges.append((dep.key, s.key, True))
    return layout(labels, edges)


def _lane(g: Graph, a: str, b: str) -> float | None:
    """x of the vertical lane the arrow ``a → b`` takes right of the boxes in its way (None: no box)."""
    na, nb = g.nodes[a], g.nodes[b]
    lo, hi = min(na.x, nb.x) - 6, max(na.x, nb.x) + 6
    blocking = [n.x + n.width / 2 for n in g.nodes.values() if na.layer < n.layer < nb.layer
                and n.x - n.width / 2 < hi and n.x + n.width / 2 > lo]
    return max(blocking) + NODE_GAP / 2 if blocking else None


def edge_path(g: Graph, a: str, b: str) -> str:
    """SVG path of the arrow ``a → b``: an S-curve, or around the boxes of the layers it skips."""
    na, nb = g.nodes[a], g.nodes[b]
    x1, y1, x2, y2 = na.x, na.y + NODE_HEIGHT, nb.x, nb.y
    side = _lane(g, a, b)
    if side is None:
        mid = (y1 + y2) / 2
        return f"M{x1:.1f} {y1:.1f}C{x1:.1f} {mid:.1f} {x2:.1f} {mid:.1f} {x2:.1f} {y2:.1f}"
    ya, yb = y1 + LAYER_GAP / 2, y2 - LAYER_GAP / 2  # the lane runs down the gaps between layers
    return (f"M{x1:.1f} {y1:.1f}C{x1:.1f} {ya:.1f} {side:.1f} {y1:.1f} {side:.1f} {ya:.1f}"
            f"L{side:.1f} {yb:.1f}C{side:.1f} {y2:.1f} {x2:.1f} {yb:.1f} {x2:.1f} {y2:.1f}")


def svg_figure(g: Graph, title: str) -> str:
    """The figure as HTML: an SVG of boxes and arrows with MathJax labels over the boxes."""
    # an arrow that goes around a box may pass right of the widest layer
    lanes = [_lane(g, a, b) for a, b, _ in g.edges]
    w = round(max([g.width] + [x + MARGIN for x in lanes if x is not None]))
    h = round(g.height)
    parts = [
        f'<figure class="gp-graph" role="group" aria-label="{html.escape(title)}">'
        f'<div class="gp-graph-scroll"><div class="gp-graph-canvas" style="width:{w}px;height:{h}px">'
        f'<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-hidden="true">'
        '<defs><marker id="gp-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="currentColor"/>'
        "</marker></defs>"
    ]
    for a, b, dashed in g.edges:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<path class="gp-graph-edge" d="{edge_path(g, a, b)}"{dash} '
                     'marker-end="url(#gp-arrow)"/>')
    for n in g.nodes.values():
        parts.append(f'<rect class="gp-graph-node" x="{n.x - n.width / 2:.1f}" y="{n.y:.1f}" '
                     f'width="{n.width:.1f}" height="{NODE_HEIGHT}" rx="6"/>')
    parts.append("</svg>")
    for n in g.nodes.values():
        parts.append(f'<span class="gp-graph-label" data-key="{html.escape(n.key)}" '
                     f'style="left:{n.x:.1f}px;top:{n.y + NODE_HEIGHT / 2:.1f}px">'
                     f'<span class="arithmatex">\\({html.escape(n.latex)}\\)</span></span>')
    parts.append("</div></div></figure>")
    return "".join(parts)
