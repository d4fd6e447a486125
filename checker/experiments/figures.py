"""The figures the experiments share: one SVG per theme of the site, legible on a phone, reproducible.

Every figure the site shows is drawn twice by the experiment that measured it, once per theme
(:data:`THEMES`): transparent, with text, axes and series in colours that read on that theme's
background. :func:`save_themed_svg` writes ``stem-light.svg`` and ``stem-dark.svg`` and
:func:`themed_markdown` shows each in its own theme with Material's ``#only-light`` / ``#only-dark``.

Text stays text (``svg.fonttype: none``). A figure whose smallest text would be under
:data:`MIN_TEXT_PX` CSS pixels once the page scales it down to a phone's text column is refused.
Dense layers (shaded decision regions) are rasterised inside the SVG to keep the file small.
The SVG has no date and fixed element ids, so the same run gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checker.files import write_atomic
from checker.training.datasets import Dataset, columns

__all__ = [
    "FIGURE_WIDTH", "FONT_PT", "THEMES", "FigureTextTooSmall", "Theme", "boundary", "line_key", "pyplot",
    "save_themed_svg", "small_text", "themed_markdown",
]

#: The text column of the site on a 390 px phone (Material leaves 16 px on each side).
PHONE_COLUMN_PX = 358
#: The smallest text a figure may show on that phone, in CSS pixels.
MIN_TEXT_PX = 12.0
#: matplotlib sizes an SVG in points: 72 pt = 1 inch = 96 CSS pixels.
CSS_PX_PER_INCH = 96
#: The width of every figure of the site, in inches (461 CSS px: it shrinks by 0.78 on the phone).
FIGURE_WIDTH = 4.8
#: Base font size in points: 12 pt is 16 px on a desktop and 12.4 px on the phone.
FONT_PT = 12
#: Colours of the palette the rasterised layers are reduced to.
RASTER_COLORS = 64
#: A scatter of more points than this is rasterised inside the SVG.
DENSE_POINTS = 50
#: Resolution of the layers rasterised inside an SVG (shaded regions), in dots per inch.
RASTER_DPI = 150


@dataclass(frozen=True)
class Theme:
    """One colour scheme of the site: its background, the ink of text and axes, the data series."""

    name: str
    background: str
    ink: str
    muted: str
    colors: dict[str, str] = field(default_factory=dict)

    def color(self, name: str) -> str:
        """The colour of the series called ``name`` (``blue``, ``red``, ``grey``, ...) in this theme."""
        return self.colors[name]

    def rc(self) -> dict[str, Any]:
        """matplotlib settings that draw a figure in this theme at the site's text size."""
        from cycler import cycler

        return {
            "svg.fonttype": "none", "svg.hashsalt": "gradproof",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
            "font.size": FONT_PT, "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
            "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
            "figure.titlesize": FONT_PT + 1, "legend.title_fontsize": FONT_PT,
            "text.color": self.ink, "axes.labelcolor": self.ink, "axes.titlecolor": self.ink,
            "xtick.color": self.ink, "ytick.color": self.ink, "axes.edgecolor": self.muted,
            "grid.color": self.muted, "grid.alpha": 0.35,
            "legend.facecolor": self.background, "legend.edgecolor": self.muted, "legend.framealpha": 0.85,
            "figure.facecolor": "none", "axes.facecolor": "none", "savefig.facecolor": "none",
            "savefig.transparent": True, "lines.linewidth": 1.8,
            "axes.prop_cycle": cycler(color=list(self.colors.values())),
        }


# Series colours: ColorBrewer's dark tones on white; lighter tones of the same hues on Material's
# slate background. Each has at least 3 : 1 contrast with its background (WCAG's figure for graphics).
LIGHT = Theme("light", "#ffffff", "#1f2328", "#6b7079", {
    "blue": "#2166ac", "red": "#b2182b", "green": "#1b7837", "purple": "#762a83", "orange": "#b35806",
    "grey": "#6b6b6b"})
DARK = Theme("dark", "#1e2129", "#e3e6ed", "#9aa0ab", {
    "blue": "#6fb1ef", "red": "#f4827a", "green": "#7ccf83", "purple": "#c79be0", "orange": "#f2a65a",
    "grey": "#a9adb5"})
THEMES = (LIGHT, DARK)


class FigureTextTooSmall(ValueError):
    """A figure has text that would be under :data:`MIN_TEXT_PX` at a phone's width."""


def pyplot() -> Any:
    """matplotlib.pyplot on the off-screen Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def small_text(fig: Any) -> list[str]:
    """The visible texts of ``fig`` under :data:`MIN_TEXT_PX` once scaled to the phone's column."""
    from matplotlib.text import Text

    scale = min(1.0, PHONE_COLUMN_PX / (fig.get_figwidth() * CSS_PX_PER_INCH))
    found = []
    for text in fig.findobj(Text):
        content = text.get_text()
        if not (text.get_visible() and content.strip()):
            continue
        px = text.get_fontsize() * CSS_PX_PER_INCH / 72 * scale
        if px < MIN_TEXT_PX - 1e-9:
            found.append(f"{content!r} at {px:.1f} px")
        elif re.search(r"\$[^$]*[_^][^$]*\$", content):  # mathtext sets scripts at 70 % of the size
            found.append(f"{content!r} has sub- or superscripts at {0.7 * px:.1f} px (write it in Unicode)")
    return found


def _plain_number(value: float, _position: Any = None) -> str:
    """A tick label of a log axis in plain text at full size: 0.01, 1, 100, 1e-5, 1e+6."""
    if value <= 0:
        return ""
    exponent = int(np.floor(np.log10(value) + 1e-9))
    if -3 <= exponent <= 3:
        return f"{value:g}"
    mantissa = value / 10.0**exponent
    return f"{mantissa:g}e{exponent}" if abs(mantissa - 1) > 1e-9 else f"1e{exponent}"


def _plain_log_labels(fig: Any) -> None:
    """Label every log axis of ``fig`` in plain text.

    matplotlib's default labels are 10 with a superscript exponent set at 70 % of the font size:
    too small on a phone. An axis spanning under two decades gets ticks at 1, 2 and 5 as well.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    for ax in fig.axes:
        for axis, scale, limits in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()),
                                    (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
            if scale != "log":
                continue
            low, high = sorted(limits)
            if high / max(low, 1e-300) < 100:
                axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            else:  # eight unlabelled minor ticks a decade add clutter and kilobytes, not information
                axis.set_minor_locator(NullLocator())
            axis.set_major_formatter(FuncFormatter(_plain_number))
            axis.set_minor_formatter(NullFormatter())


def save_themed_svg(draw: Callable[[Theme], Any], out_dir: Path, stem: str) -> list[Path]:
    """Draw ``draw(theme)`` once per theme and write ``stem-light.svg`` and ``stem-dark.svg``.

    ``draw`` is called inside the theme's matplotlib settings and returns the figure, which is
    closed here. Raises :class:`FigureTextTooSmall` when a text would be unreadable on a phone.
    """
    plt = pyplot()
    paths = []
    for theme in THEMES:
        with plt.rc_context(theme.rc()):
            fig = draw(theme)
            try:
                _plain_log_labels(fig)
                fig.draw_without_rendering()  # lays out the figure and makes its tick labels
                too_small = small_text(fig)
                if too_small:
                    raise FigureTextTooSmall(
                        f"{stem}: text under {MIN_TEXT_PX:g} px on a {PHONE_COLUMN_PX} px phone column: "
                        f"{', '.join(too_small[:4])}; enlarge the font or narrow the figure")
                buffer = io.StringIO()
                fig.savefig(buffer, format="svg", dpi=RASTER_DPI, metadata={"Date": None, "Creator": None})
            finally:
                plt.close(fig)
        svg = _compact_rasters(buffer.getvalue())
        paths.append(write_atomic(out_dir / f"{stem}-{theme.name}.svg", svg.encode()))
    return paths


_PNG_DATA = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def _compact_rasters(svg: str) -> str:
    """The SVG with each embedded PNG reduced to a palette of :data:`RASTER_COLORS` colours.

    The rasterised layers are flat bands of colour and a few kinds of dots: a palette image of them
    is a quarter of the size of matplotlib's RGBA one and looks the same.
    """
    from PIL import Image

    def compact(match: re.Match[str]) -> str:
        image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
        buffer = io.BytesIO()
        palette = image.quantize(colors=RASTER_COLORS, method=Image.Quantize.FASTOCTREE)
        palette.save(buffer, "PNG", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

    return _PNG_DATA.sub(compact, svg)


def themed_markdown(alt: str, stem: str) -> str:
    """The Markdown that shows ``stem-light.svg`` in the light theme and ``stem-dark.svg`` in the dark one.

    ``alt`` says what the figure shows, for a reader who cannot see it.
    """
    alt = alt.replace("[", "(").replace("]", ")")
    # lazy: the browser then fetches only the image of the theme on screen (the other is display: none)
    lazy = "{ loading=lazy }"
    return f"![{alt}]({stem}-light.svg#only-light){lazy}![{alt}]({stem}-dark.svg#only-dark){lazy}"


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
    theme: Theme,
    *,
    squares: bool = False,
    resolution: int = 150,
    points: str = "test",
    bounds: Bounds | None = None,
    marker_size: float = 9,
) -> None:
    """Shade P(class 1) over the plane, draw the 0.5 contour, scatter the points by label.

    Class 0 is blue, class 1 red, in ``theme``'s tones; the shading is rasterised in the SVG.
    """
    x0, x1, y0, y1 = _plane(ds, bounds)
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    if squares:
        grid = np.hstack([grid, grid**2])
    p = _class1_probability(model, columns(grid, model.dtype)).reshape(gx.shape)
    # The shading and, when there are many, the points are drawn below zorder 1 and rasterised
    # together into one image (hundreds of vector markers would weigh a few hundred kB).
    ax.set_rasterization_zorder(1)
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55, vmin=0, vmax=1, zorder=0)
    if p.min() < 0.5 < p.max():
        ax.contour(gx, gy, p, levels=[0.5], colors=theme.ink, linewidths=1.2, zorder=2)
    Xp, yp = (ds.X_test, ds.y_test) if points == "test" else (ds.X_train, ds.y_train)
    for label, color in ((0, theme.color("blue")), (1, theme.color("red"))):
        sel = yp == label
        ax.scatter(Xp[sel, 0], Xp[sel, 1], s=marker_size, c=color, edgecolors=theme.background,
                   linewidths=0.5, zorder=0.5 if len(yp) > DENSE_POINTS else 3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)


def line_key(theme: Theme, colors: dict[str, str], styles: dict[str, str]) -> list[Any]:
    """Legend handles that name each colour (a solid line) and each line style (in the theme's grey).

    Six curves (three runs × training/validation) then need five entries, not six long ones.
    """
    from matplotlib.lines import Line2D

    key = [Line2D([], [], color=color, label=label) for label, color in colors.items()]
    key += [Line2D([], [], color=theme.muted, ls=style, label=label) for label, style in styles.items()]
    return key
