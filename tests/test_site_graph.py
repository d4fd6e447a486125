"""The computational-graph figure of a derivation: layering, layout and the drawn nodes."""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "site" / "_hooks"))

import gp_graph  # noqa: E402 - the hook's modules live in site/_hooks, not in a package

from derivations.expr import Sym, symbols_of  # noqa: E402


def _sym(key: str, depends: tuple[Sym, ...] = ()) -> Sym:
    return Sym(key, tex=key, depends=depends)


@dataclass(frozen=True)
class FakeDerivation:
    """Only what the figure reads: definitions and chains."""

    definitions: tuple
    chains: tuple = ()


def test_layers_are_longest_paths_from_the_inputs() -> None:
    edges = [("x", "z", False), ("w", "z", False), ("z", "a", False), ("x", "a", False), ("a", "L", False)]
    assert gp_graph.layers(["x", "w", "z", "a", "L"], edges) == {"x": 0, "w": 0, "z": 1, "a": 2, "L": 3}


def test_circular_definitions_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="circular"):
        gp_graph.layers(["a", "b"], [("a", "b", False), ("b", "a", False)])


def test_a_small_derivation_is_laid_out_in_layers_without_overlap() -> None:
    x, w, b = _sym("x"), _sym("w"), _sym("b")
    z = _sym("z")
    loss = _sym("L", depends=(z,))
    delta = _sym("delta")
    from derivations.expr import Deriv

    d = FakeDerivation(definitions=((z, w * x + b), (delta, Deriv(loss, z))))
    g = gp_graph.derivation_graph(d)
    assert set(g.nodes) == {"x", "w", "b", "z", "L", "delta"}
    assert {k: n.layer for k, n in g.nodes.items()} == {"x": 0, "w": 0, "b": 0, "z": 1, "L": 2, "delta": 3}
    assert ("z", "L", True) in g.edges  # L depends on z through an unnamed function: dashed
    assert {(a, t) for a, t, dashed in g.edges if not dashed} == {
        ("x", "z"), ("w", "z"), ("b", "z"), ("L", "delta"), ("z", "delta")}
    for n in g.nodes.values():  # every box inside the drawing, and a layer lower is drawn lower
        assert n.x - n.width / 2 >= 0 and n.x + n.width / 2 <= g.width
        assert n.y == gp_graph.MARGIN + n.layer * (gp_graph.NODE_HEIGHT + gp_graph.LAYER_GAP)
    inputs = sorted((n for n in g.nodes.values() if n.layer == 0), key=lambda n: n.x)
    for left, right in zip(inputs, inputs[1:], strict=False):
        assert left.x + left.width / 2 + gp_graph.NODE_GAP <= right.x - right.width / 2 + 1e-9
    # z -> delta skips the layer of L: the arrow goes around L's box, not through it
    path = gp_graph.edge_path(g, "z", "delta")
    lane = float(path.split("L")[1].split()[0])
    assert lane > g.nodes["L"].x + g.nodes["L"].width / 2
    html = gp_graph.svg_figure(g, "test")
    assert html.count('class="gp-graph-node"') == 6 and html.count('class="arithmatex"') == 6
    assert "currentColor" in html and 'stroke="#' not in html and 'fill="#' not in html


def expected_nodes(d: object) -> set[str]:
    """Every symbol a derivation defines or uses (its chains' starts when it defines none)."""
    from derivations.expr import to_latex

    pairs = list(d.definitions) or [(c.start, c.start) for c in d.chains]
    return {to_latex(s) for s, e in pairs} | {to_latex(s) for _, e in pairs for s in symbols_of(e)}


def test_every_catalogue_derivation_has_a_graph_with_a_node_per_symbol() -> None:
    from derivations import all_derivations

    for i, d in all_derivations().items():
        g = gp_graph.derivation_graph(d)
        assert sorted(n.latex for n in g.nodes.values()) == sorted(expected_nodes(d)), i
        assert g.edges, f"{i}: a graph with no arrow"


def test_every_derivation_page_draws_its_computational_graph(site_build: Any) -> None:
    """One box and one typeset label per symbol the derivation defines or uses, under its own heading."""
    from derivations import all_derivations

    wrong = []
    for i, d in all_derivations().items():
        page = (site_build.site_dir / "derivations" / i / "index.html").read_text()
        figure = re.search(r'<h2 id="computational-graph".*?<figure class="gp-graph".*?</figure>', page, re.S)
        if not figure:
            wrong.append(f"{i}: no figure under a 'Computational graph' heading")
            continue
        labels = [html.unescape(x) for x in re.findall(
            r'class="gp-graph-label"[^>]*><span class="arithmatex">\\\((.*?)\\\)</span>', figure.group(0))]
        boxes = figure.group(0).count('class="gp-graph-node"')
        if sorted(labels) != sorted(expected_nodes(d)) or boxes != len(labels):
            wrong.append(f"{i}: {boxes} boxes, labels {sorted(labels)}")
    assert not wrong, "\n".join(wrong)
