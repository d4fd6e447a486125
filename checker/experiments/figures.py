"""The figures the experiments share: matplotlib off-screen, reproducible PNGs, decision boundaries.

Figures are written through :func:`checker.files.write_atomic`, with no timestamp or version in
the PNG: the same run gives the same bytes. :func:`save_themed_svg` writes a figure as two SVGs,
one per theme of the site (transparent, text and axes in the theme's ink), which
:func:`themed_markdown` shows with Material's ``#only-light`` / ``#only-dark``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from checker.files import write_atomic
from checker.training.datasets import Dataset, columns

__all__ = ["boundary", "pyplot", "save_figure", "save_themed_svg", "themed_markdown"]

# matplotlib draws text, axes and black lines in INK and legend boxes in PAPER; each theme's SVG
# swaps them for colours that read on that theme's background (Material's default and slate).
INK, PAPER = "#000000", "#ffffff"
THEMES = {"light": ("#1f2328", PAPER), "dark": ("#e3e6ed", "#1e2129")}


def pyplot() -> Any:
    """matplotlib.pyplot on the off-screen Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, out_dir: Path, name: str) -> Path:
    """Write ``fig`` as ``out_dir/name`` (PNG, 100 dpi) and close it."""
    buffer = io.BytesIO()
    # No timestamp or version in the PNG: the same run gives the same bytes.
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    pyplot().close(fig)
    return write_atomic(out_dir / name, buffer.getvalue())


def save_themed_svg(fig: Any, out_dir: Path, stem: str) -> list[Path]:
    """Write ``stem-light.svg`` and ``stem-dark.svg`` (transparent, text in each theme's ink); close ``fig``.

    The SVG has no date and fixed element ids (``svg.hashsalt``), so the same run gives the same bytes.
    """
    plt = pyplot()
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "gradproof", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    paths = []
    for theme, (ink, paper) in THEMES.items():
        themed = svg.replace(INK, ink).replace(PAPER, paper)
        paths.append(write_atomic(out_dir / f"{stem}-{theme}.svg", themed.encode()))
    return paths


def themed_markdown(alt: str, stem: str) -> str:
    """The Markdown that shows ``stem-light.svg`` in the light theme and ``stem-dark.svg`` in the dark one."""
    return f"![{alt}]({stem}-light.svg#only-light)![{alt}]({stem}-dark.svg#only-dark)"


def _class1_probability(model: Any, X_cols: np.ndarray) -> np.ndarray:
    out = model.predict(X_cols)
    return out[0] if out.shape[0] == 1 else out[1]


Bounds = tuple[float, float, float, float]


def _plane(ds: Dataset, bounds: Bounds | None) -> Bounds:
    """The plotted square: ``bounds`` (x0, x1, y0, y1), or the training points with a margin."""
    if bounds is not None:
        return bounds
    X = ds.X_train[:, :2]
    pad = 0.25 * (X.max(axis=0) - X.min(axis=0)).max()
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    return x0, x1, y0, y1


def boundary(
    ax: Any,
    model: Any,
    ds: Dataset,
    title: str,
    *,
    squares: bool = False,
    resolution: int = 150,
    points: str = "test",
    bounds: tuple[float, float, float, float] | None = None,
    marker_size: float = 9,
) -> None:
    """Shade P(class 1) over the plane, draw the 0.5 contour, scatter the points by label."""
    x0, x1, y0, y1 = _plane(ds, bounds)
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    if squares:
        grid = np.hstack([grid, grid**2])
    p = _class1_probability(model, columns(grid, model.dtype)).reshape(gx.shape)
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55, vmin=0, vmax=1)
    if p.min() < 0.5 < p.max():
        ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=1.2)
    Xp, yp = (ds.X_test, ds.y_test) if points == "test" else (ds.X_train, ds.y_train)
    for label, color in ((0, "#2166ac"), (1, "#b2182b")):
        sel = yp == label
        ax.scatter(
            Xp[sel, 0], Xp[sel, 1], s=marker_size, c=color, edgecolors="white", linewidths=0.5, zorder=3
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
