"""The figures of the site: one SVG per theme, text as text, legible at a phone's width, small."""

from __future__ import annotations

import re

import numpy as np
import pytest

from checker.experiments.figures import (
    FIGURE_WIDTH,
    MIN_TEXT_PX,
    THEMES,
    FigureTextTooSmall,
    pyplot,
    save_themed_svg,
    small_text,
    themed_markdown,
)


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_each_theme_reads_on_its_own_background(theme):
    assert _contrast(theme.ink, theme.background) >= 4.5  # text
    for name, color in {"muted": theme.muted, **theme.colors}.items():
        assert _contrast(color, theme.background) >= 3, name  # lines and marks (WCAG 1.4.11)


def test_the_contrast_helper_tells_a_faint_colour_from_a_strong_one():
    assert _contrast("#000000", "#ffffff") == pytest.approx(21)
    assert _contrast("#c0c0c0", "#ffffff") < 3


def _line_figure(legend_size: float | None = None, title: str = "loss"):
    fig, ax = pyplot().subplots(figsize=(FIGURE_WIDTH, 3))
    ax.plot([1, 2, 3], [3, 1, 2], label="training")
    ax.set_title(title)
    ax.legend(fontsize=legend_size)
    return fig


def test_a_figure_is_written_once_per_theme_with_text_as_text(tmp_path):
    paths = save_themed_svg(lambda theme: _line_figure(), tmp_path, "curve")
    assert [p.name for p in paths] == ["curve-light.svg", "curve-dark.svg"]
    light, dark = (p.read_text() for p in paths)
    for theme, svg in zip(THEMES, (light, dark), strict=True):
        assert "<text" in svg and ">training<" in svg  # searchable, selectable, scalable text
        assert theme.ink in svg and "Date" not in svg
    assert THEMES[1].ink not in light and THEMES[0].ink not in dark
    again = save_themed_svg(lambda theme: _line_figure(), tmp_path / "again", "curve")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]  # same run, same bytes


def test_text_too_small_for_a_phone_is_refused(tmp_path):
    with pytest.raises(FigureTextTooSmall, match="'training' at 9.3 px"):
        save_themed_svg(lambda theme: _line_figure(legend_size=9), tmp_path, "tiny")
    assert not list(tmp_path.iterdir())
    wide = pyplot().figure(figsize=(2 * FIGURE_WIDTH, 3))
    wide.text(0.5, 0.5, "12 pt on a figure twice as wide")
    assert small_text(wide)  # scaled down to the phone's column, 12 pt is 6.2 px
    pyplot().close(wide)


def test_mathtext_scripts_are_refused_and_log_axes_are_labelled_in_plain_text(tmp_path):
    with pytest.raises(FigureTextTooSmall, match="superscripts"):
        save_themed_svg(lambda theme: _line_figure(title=r"$\delta^{(l)}$"), tmp_path, "math")

    def log_plot(theme):
        fig, ax = pyplot().subplots(figsize=(FIGURE_WIDTH, 3))
        ax.semilogy([1, 2, 3], [1e-6, 1e-2, 10])
        return fig

    svg = save_themed_svg(log_plot, tmp_path, "log")[0].read_text()
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert "1e-6" in labels and "0.01" in labels
    assert "<tspan" not in svg  # no superscript exponent


def test_dense_layers_are_rasterised_into_a_small_palette_image(tmp_path):
    def scatter(theme):
        fig, ax = pyplot().subplots(figsize=(FIGURE_WIDTH, FIGURE_WIDTH))
        ax.set_rasterization_zorder(1)
        xy = np.random.default_rng(0).normal(size=(2, 3_000))
        ax.scatter(*xy, s=9, color=theme.color("blue"), zorder=0.5)
        return fig

    svg = save_themed_svg(scatter, tmp_path, "dots")[0]
    text = svg.read_text()
    assert text.count("<image") == 1 and text.count("<use") < 20  # tick marks, not 3,000 dots
    assert svg.stat().st_size < 60_000


def test_the_markdown_shows_each_theme_its_figure_lazily():
    md = themed_markdown("Loss [log scale] per epoch", "curve")
    assert md == ("![Loss (log scale) per epoch](curve-light.svg#only-light){ loading=lazy }"
                  "![Loss (log scale) per epoch](curve-dark.svg#only-dark){ loading=lazy }")


def test_the_text_limit_is_the_one_the_site_promises():
    assert MIN_TEXT_PX == 12
